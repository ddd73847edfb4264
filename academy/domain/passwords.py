"""Password policy: what a new password must satisfy, as sentences a person can act on."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

MIN_LENGTH = 12
MAX_LENGTH = 256


def normalise(password: str) -> str:
    """NFKC-normalise so the same passphrase typed on two keyboards hashes the same."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = resources.files("academy.data").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _squash(password: str) -> str:
    """Lower-case and drop the digits and symbols people add to a common word to pass rules."""
    return "".join(ch for ch in password.lower() if ch.isalpha())


def problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Every reason ``password`` is unacceptable; an empty list means it is fine."""
    found: list[str] = []
    pw = normalise(password)
    if len(pw) < MIN_LENGTH:
        found.append(f"Use at least {MIN_LENGTH} characters.")
    if len(pw) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    if any(ch == "\x00" for ch in pw):
        found.append("The password contains a character that cannot be used.")
    lowered = pw.lower()
    common = _common_passwords()
    if lowered in common or (_squash(pw) and _squash(pw) in common) or len(set(lowered)) <= 3:
        found.append("This password is too common or too easy to guess; choose a longer passphrase.")
    local = email.split("@", 1)[0].lower()
    if (local and len(local) >= 4 and local in lowered) or _made_of_name(pw, name):
        found.append("Do not use your name or email address in your password.")
    return found


def _compact(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _made_of_name(password: str, name: str) -> bool:
    """The whole name is in the password, or the password is little but parts of the name."""
    whole = _compact(name)
    compact = _compact(password)
    if len(whole) >= 4 and whole in compact:
        return True
    rest = compact
    for part in sorted((_compact(p) for p in name.split()), key=len, reverse=True):
        if len(part) >= 3:
            rest = rest.replace(part, "")
    return bool(whole) and len(rest) < 6
