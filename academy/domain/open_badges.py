"""Open Badges 3.0 documents for a certificate: the credential, the issuer profile and the status.

Everything here is shaping: plain facts in, JSON-ready dicts out. Signing is
:mod:`academy.domain.data_integrity`'s job; the service decides when to sign and stores the result.

URLs are all derived from the site's base URL by :class:`Site`, so the credential, the pages and
the documentation agree on them:

=================================  ===============================================================
``{base}/issuer``                  the issuer Profile, listing its public keys (verification methods)
``{base}/issuer#z6Mk...``          one key (the proof's ``verificationMethod``)
``{base}/.well-known/jwks.json``   the same keys as a JSON Web Key Set
``{base}/certificates/CODE.json``  the signed credential (also its ``id``)
``{base}/certificates/CODE/status`` its signed status (``credentialStatus.id``)
``{base}/verify/CODE``             the human verification page
=================================  ===============================================================
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .certification import Status
from .data_integrity import timestamp

ISSUER_NAME = "MIM Academy"
ISSUER_DESCRIPTION = "Training and certification in IT Major Incident Management."
CONTEXTS = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
STATUS_TYPE = "1EdTechRevocationList"


@dataclass(frozen=True)
class Site:
    """The public URLs of the issuing site."""

    base_url: str

    @property
    def issuer_id(self) -> str:
        return f"{self.base_url}/issuer"

    def key_id(self, key_multibase: str) -> str:
        return f"{self.issuer_id}#{key_multibase}"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/.well-known/jwks.json"

    def credential_id(self, code: str) -> str:
        return f"{self.base_url}/certificates/{code}.json"

    def status_url(self, code: str) -> str:
        return f"{self.base_url}/certificates/{code}/status"

    def verify_url(self, code: str) -> str:
        return f"{self.base_url}/verify/{code}"

    def pdf_url(self, code: str) -> str:
        return f"{self.base_url}/certificates/{code}.pdf"

    # The learning pages' addresses (the achievement and its alignments point at them).
    def course_url(self, course_slug: str) -> str:
        return f"{self.base_url}/courses/{course_slug}"

    def module_url(self, course_slug: str, module_slug: str) -> str:
        return f"{self.base_url}/courses/{course_slug}/{module_slug}"

    def code_from_credential_id(self, credential_id: str) -> str | None:
        """The certificate code in one of this site's credential ids, else None."""
        prefix, suffix = f"{self.base_url}/certificates/", ".json"
        if credential_id.startswith(prefix) and credential_id.endswith(suffix):
            return credential_id[len(prefix):-len(suffix)] or None
        return None


@dataclass(frozen=True)
class Alignment:
    """Something the achievement covers: here, a module of the course and its objectives."""

    name: str
    url: str
    description: str = ""
    code: str = ""


@dataclass(frozen=True)
class CredentialFacts:
    """What a certificate asserts, as it was when it was issued."""

    code: str
    holder_name: str
    #: The holder's email at issue, salted and hashed (see :func:`identity_hash`).
    identity_hash: str
    identity_salt: str
    #: The certificate's title, e.g. "Certificate in MIM Service Models".
    title: str
    course_title: str
    course_summary: str
    #: The course's public page; the achievement's id.
    course_url: str
    criteria: str
    score_percent: int | None
    pass_mark: int | None
    awarded_at: datetime
    valid_from: datetime
    expires_at: datetime | None
    alignments: tuple[Alignment, ...] = ()


def identity_hash(identity: str, salt: str) -> str:
    """Open Badges' salted identity hash: ``sha256$`` and the hex SHA-256 of identity + salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def criteria_narrative(course_title: str, *, module_quizzes: int, has_final: bool, modules_read: int) -> str:
    """How the certificate is earned, in one or two sentences for the credential's criteria."""
    parts = []
    if module_quizzes:
        parts.append("passed the module quiz" if module_quizzes == 1 else f"passed all {module_quizzes} module quizzes")
    if modules_read:
        parts.append("read the module that has no quiz" if modules_read == 1
                     else f"read the {modules_read} modules that have no quiz")
    if has_final:
        parts.append("passed the final certification exam")
    done = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else "completed it"
    return f"Awarded to learners who completed the course “{course_title}”: they {done}."


def issuer_profile(site: Site, key_multibases: Iterable[str] = ()) -> dict[str, Any]:
    """The issuer's Profile. With keys, it is also the controller document of its verification methods."""
    profile: dict[str, Any] = {
        "id": site.issuer_id,
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": site.base_url,
        "description": ISSUER_DESCRIPTION,
    }
    keys = list(key_multibases)
    if keys:
        profile = {"@context": [*CONTEXTS, MULTIKEY_CONTEXT], **profile}
        profile["verificationMethod"] = [
            {"id": site.key_id(k), "type": "Multikey", "controller": site.issuer_id, "publicKeyMultibase": k}
            for k in keys
        ]
        profile["assertionMethod"] = [site.key_id(k) for k in keys]
    return profile


def build_credential(facts: CredentialFacts, site: Site) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for a certificate.

    The holder is identified by their email address, salted and hashed (so the credential names
    them without publishing the address: whoever knows the address can check it), and by their
    name as printed on the certificate.
    """
    achievement_id = facts.course_url
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": facts.title,
        "description": facts.course_summary.strip() or f"Completion of the course “{facts.course_title}”.",
        "criteria": {"narrative": facts.criteria},
        "creator": issuer_profile(site),
        "inLanguage": "en",
    }
    if facts.alignments:
        achievement["alignment"] = [_alignment(a, facts.course_title) for a in facts.alignments]
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": facts.identity_hash,
                "salt": facts.identity_salt,
            },
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": facts.holder_name,
            },
        ],
        "achievement": achievement,
    }
    if facts.score_percent is not None:
        score_id = f"{achievement_id}#final-exam-score"
        description: dict[str, Any] = {
            "id": score_id,
            "type": ["ResultDescription"],
            "name": "Final exam score",
            "resultType": "Percent",
            "valueMin": "0",
            "valueMax": "100",
        }
        if facts.pass_mark is not None:
            description["requiredValue"] = str(facts.pass_mark)
        achievement["resultDescription"] = [description]
        subject["result"] = [{"type": ["Result"], "resultDescription": score_id, "value": str(facts.score_percent)}]
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": site.credential_id(facts.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.title,
        "description": f"{facts.title}, awarded to {facts.holder_name} by {ISSUER_NAME}. "
                       f"Verify it at {site.verify_url(facts.code)}",
        "issuer": issuer_profile(site),
        "validFrom": timestamp(facts.valid_from),
        "awardedDate": timestamp(facts.awarded_at),
        "credentialSubject": subject,
        "credentialStatus": {"id": site.status_url(facts.code), "type": STATUS_TYPE},
    }
    if facts.expires_at is not None:
        credential["validUntil"] = timestamp(facts.expires_at)
    return credential


def _alignment(alignment: Alignment, framework: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": alignment.name,
        "targetUrl": alignment.url,
        "targetType": "ext:CourseModule",
        "targetFramework": framework,
    }
    if alignment.description:
        entry["targetDescription"] = alignment.description
    if alignment.code:
        entry["targetCode"] = alignment.code
    return entry


@dataclass(frozen=True)
class StatusFacts:
    """A certificate's standing at a moment, for its status document."""

    code: str
    status: Status
    checked_at: datetime
    expires_at: datetime | None = None
    reason: str = ""
    #: The code of the certificate that replaced this one (reissue or renewal).
    replaced_by: str | None = None


def build_status(facts: StatusFacts, site: Site) -> dict[str, Any]:
    """The unsigned status document at ``credentialStatus.id``.

    It has the shape of a 1EdTech revocation list (``revokedCredentials``) scoped to one
    credential, plus a plain ``certificate`` summary (status, reason, expiry, replacement).
    """
    credential_id = site.credential_id(facts.code)
    revoked = []
    if facts.status is Status.REVOKED:
        revoked.append({"id": credential_id, "revocationReason": facts.reason or "Revoked by the issuer."})
    summary: dict[str, Any] = {
        "id": credential_id,
        "code": facts.code,
        "status": facts.status.value,
        "verificationUrl": site.verify_url(facts.code),
    }
    if facts.expires_at is not None:
        summary["validUntil"] = timestamp(facts.expires_at)
    if facts.reason:
        summary["reason"] = facts.reason
    if facts.replaced_by:
        summary["replacedBy"] = site.verify_url(facts.replaced_by)
    return {
        "@context": [CONTEXTS[0]],
        "id": site.status_url(facts.code),
        "type": [STATUS_TYPE],
        "issuer": site.issuer_id,
        "checkedAt": timestamp(facts.checked_at),
        "revokedCredentials": revoked,
        "certificate": summary,
    }

