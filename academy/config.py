"""Configuration: the only module that reads ``os.environ``.

Every setting has a safe default for a laptop; production sets the ``ACADEMY_`` variables
documented in the README.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    """Where the app keeps its own files: the SQLite database, the secret key, signing keys."""
    return Path(os.environ.get("ACADEMY_INSTANCE_DIR", REPO_ROOT / "instance"))


def _secret_key(instance: Path) -> str:
    """Return ACADEMY_SECRET_KEY, or a key generated once and kept under instance/."""
    configured = os.environ.get("ACADEMY_SECRET_KEY")
    if configured:
        return configured
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when several workers start together, the first one's key wins for all.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _local_base_url() -> str:
    """Where `make run` serves when no public address is configured (its HOST and PORT)."""
    host = os.environ.get("HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - a wildcard bind is reached through the loopback
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('PORT', '5000')}"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, not {raw!r}") from exc


def load_config() -> dict:
    """The app's configuration from the ``ACADEMY_`` environment variables: each setting read once, here.

    Keys are Flask's and its extensions' own names, or the app's (``BASE_URL``, ``CONTENT_DIR``...).
    """
    instance = instance_dir()
    base_url = os.environ.get("ACADEMY_BASE_URL", _local_base_url()).rstrip("/")
    secure = base_url.startswith("https://")
    return {
        "SECRET_KEY": _secret_key(instance),
        "DATABASE_URL": os.environ.get("ACADEMY_DATABASE_URL", f"sqlite:///{instance / 'academy.sqlite3'}"),
        "CONTENT_DIR": Path(os.environ.get("ACADEMY_CONTENT_DIR", REPO_ROOT)),
        "BASE_URL": base_url,
        "SESSION_COOKIE_NAME": "academy_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "SESSION_IDLE_MINUTES": _int("ACADEMY_SESSION_IDLE_MINUTES", 120),
        "SESSION_MAX_HOURS": _int("ACADEMY_SESSION_MAX_HOURS", 12),
        #: How long a worker trusts what the database said about a login session (sign-out, password
        #: change, deactivation and role changes made on another host apply within it); 0: every request asks.
        "SESSION_RECHECK_SECONDS": _int("ACADEMY_SESSION_RECHECK_SECONDS", 30),
        # The session cookie is written only when its content changes: its lifetime counts from sign-in
        # (the server enforces the absolute and idle limits), so it needs no refresh on every response.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # The session lives at most SESSION_MAX_HOURS and is revocable on the server, so the
        # CSRF token may live as long as it: a 45-minute exam must never fail on an expired token.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": secure,
        "MAX_CONTENT_LENGTH": _int("ACADEMY_MAX_UPLOAD_MB", 8) * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        #: Largest image an instructor may upload in the browser.
        "MAX_ASSET_BYTES": _int("ACADEMY_MAX_ASSET_KB", 2048) * 1024,
        #: Largest total an imported course zip may unpack to.
        "IMPORT_MAX_BYTES": _int("ACADEMY_IMPORT_MAX_MB", 50) * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": os.environ.get("ACADEMY_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_STRATEGY": "moving-window",
        "SIGNING_KEY_DIR": Path(os.environ.get("ACADEMY_SIGNING_KEY_DIR", instance / "keys")),
        "PROXY_COUNT": _int("ACADEMY_PROXY_COUNT", 0),
        "RENDER_TIMEOUT": float(_int("ACADEMY_RENDER_TIMEOUT", 5)),
        #: Where mail goes (smtp://user:pw@host:587 with STARTTLS, smtps:// for TLS); empty: it stays queued.
        "SMTP_URL": os.environ.get("ACADEMY_SMTP_URL", "").strip(),
        #: The From header of every email.
        "MAIL_FROM": os.environ.get("ACADEMY_MAIL_FROM", "").strip() or "MIM Academy <no-reply@localhost>",
        #: Start ``flask mail work`` beside gunicorn (``make run``); 0 where senders run on their own.
        "MAIL_WORKER": os.environ.get("ACADEMY_MAIL_WORKER", "1") != "0",
    }
