"""Checking a signed certificate credential without the network: signature, dates and status.

The caller supplies the issuer's public keys (a resolver) and, optionally, a signed status
document (``credentialStatus.id`` as downloaded earlier, or produced from the issuer's own
database). The outcome lists every check with a sentence, so a command or page can show why.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from . import data_integrity
from .open_badges import STATUS_TYPE


class Verdict(enum.StrEnum):
    OK = "ok"
    FAIL = "fail"
    #: Not checked, which makes the whole result unproven (e.g. no status available).
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    message: str


@dataclass(frozen=True)
class CredentialReport:
    checks: tuple[Check, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.verdict is Verdict.OK for c in self.checks)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def check_credential(
    credential: Any,
    resolve_key: Callable[[str], Ed25519PublicKey | None],
    *,
    now: datetime,
    status_document: Mapping[str, Any] | None = None,
) -> CredentialReport:
    """Every check a verifier makes, in order; the credential is valid when all pass."""
    if not isinstance(credential, Mapping):
        return CredentialReport((Check("format", Verdict.FAIL, "The file is not a JSON object."),))
    types = credential.get("type") or []
    if "VerifiableCredential" not in types or "OpenBadgeCredential" not in types:
        return CredentialReport((Check("format", Verdict.FAIL, "This is not an Open Badges 3.0 credential."),))

    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer

    def issuer_key(method: str) -> Ed25519PublicKey | None:
        # Only keys the issuer itself controls count, never one named by the document alone.
        if not isinstance(issuer_id, str) or not method.startswith(f"{issuer_id}#"):
            return None
        return resolve_key(method)

    checks = [_signature_check(credential, issuer_key), _dates_check(credential, now)]
    checks.append(_status_check(credential, status_document, issuer_key))
    return CredentialReport(tuple(checks))


def _signature_check(document: Mapping[str, Any], resolve_key) -> Check:
    outcome = data_integrity.verify(document, resolve_key)
    if outcome.valid:
        return Check("signature", Verdict.OK, f"Signed by {outcome.verification_method} on {outcome.created}.")
    return Check("signature", Verdict.FAIL, outcome.problem)


def _dates_check(credential: Mapping[str, Any], now: datetime) -> Check:
    valid_from = _parse_time(credential.get("validFrom"))
    if valid_from is None:
        return Check("dates", Verdict.FAIL, "validFrom is missing or not a date and time with a time zone.")
    if now < valid_from:
        return Check("dates", Verdict.FAIL, f"Not valid before {credential['validFrom']}.")
    if "validUntil" in credential:
        valid_until = _parse_time(credential.get("validUntil"))
        if valid_until is None:
            return Check("dates", Verdict.FAIL, "validUntil is not a date and time with a time zone.")
        if now >= valid_until:
            return Check("dates", Verdict.FAIL, f"Expired on {credential['validUntil']}.")
        return Check("dates", Verdict.OK, f"Valid from {credential['validFrom']} until {credential['validUntil']}.")
    return Check("dates", Verdict.OK, f"Valid from {credential['validFrom']}; does not expire.")


def _status_check(credential: Mapping[str, Any], status: Mapping[str, Any] | None, resolve_key) -> Check:
    entry = credential.get("credentialStatus")
    if not isinstance(entry, Mapping) or entry.get("type") != STATUS_TYPE or not isinstance(entry.get("id"), str):
        return Check("status", Verdict.FAIL, f"The credential has no {STATUS_TYPE} status entry.")
    if status is None:
        return Check("status", Verdict.UNKNOWN, f"Status not checked: no status document for {entry['id']}.")
    if status.get("id") != entry["id"]:
        return Check("status", Verdict.FAIL, "The status document is for another credential.")
    signed = data_integrity.verify(status, resolve_key)
    if not signed.valid:
        return Check("status", Verdict.FAIL, f"The status document's signature is not valid: {signed.problem}")
    checked_at = status.get("checkedAt", "an unknown time")
    for revoked in status.get("revokedCredentials") or []:
        if isinstance(revoked, Mapping) and revoked.get("id") == credential.get("id"):
            reason = revoked.get("revocationReason") or "no reason given"
            replaced = (status.get("certificate") or {}).get("replacedBy")
            more = f" Replaced by {replaced}." if replaced else ""
            return Check("status", Verdict.FAIL, f"Revoked ({reason}), as of {checked_at}.{more}")
    return Check("status", Verdict.OK, f"Not revoked, as of {checked_at}.")
