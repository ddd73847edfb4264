"""Certificates: issue them the moment they are due, look them up, revoke, reissue, sign.

Issuing runs inside the caller's unit of work: the quiz engine calls :func:`issue_if_due` after
a passing attempt and commits the attempt and the certificate together, so a certificate never
exists without the pass that earned it. Exactly one live certificate per learner and course is
guaranteed by the ``uq_certificates_live`` index; when two requests race, the loser's insert is
undone in a savepoint and it simply issues nothing. Every other use case here commits once.

The rules themselves are pure (:mod:`academy.domain.certification`); so are the PDF, the Open
Badges documents and their signatures. This module gathers the facts and stores the results.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from academy.db import begin_write
from academy.domain import certification, data_integrity, names, open_badges
from academy.domain.certificate_codes import new_code, parse
from academy.domain.certificate_pdf import CertificateSheet
from academy.domain.certification import Outcome, Status
from academy.keystore import KeyStore
from academy.models import (
    Attempt,
    Certificate,
    Course,
    CourseVersion,
    Enrolment,
    Module,
    ModuleProgress,
    ModuleVersion,
    Origin,
    QuizVersion,
    User,
    utcnow,
)

from . import audit, mail, text_search, version_cache
from .actors import Actor
from .errors import Conflict, InvalidInput, NotFound
from .pagination import Page, paginate

MAX_REASON = 500
_NOT_FOUND = "There is no certificate with that code."


# --- issuing ---------------------------------------------------------------------------------------

def course_rules(session: Session, version: CourseVersion) -> certification.CourseRules:
    """The certification requirements of a published course version."""
    quizzes = session.execute(
        select(QuizVersion.quiz_id, QuizVersion.title, QuizVersion.module_id, QuizVersion.is_final)
        .where(QuizVersion.course_version_id == version.id).order_by(QuizVersion.id)
    ).all()
    modules = session.execute(
        select(ModuleVersion.module_id, ModuleVersion.title)
        .where(ModuleVersion.course_version_id == version.id).order_by(ModuleVersion.position)
    ).all()
    return certification.CourseRules(
        modules=tuple(
            certification.ModuleRequirement(m.module_id, m.title,
                                             tuple(q.quiz_id for q in quizzes if q.module_id == m.module_id))
            for m in modules
        ),
        quizzes=tuple(certification.QuizRequirement(q.quiz_id, q.title, q.is_final) for q in quizzes),
        valid_for_months=version.valid_for_months,
    )


#: Course versions whose rules one app keeps (a version never changes, so neither do its rules).
RULES_CACHE_SIZE = 64


def _cached_rules(session: Session, version: CourseVersion) -> certification.CourseRules:
    """:func:`course_rules`, read once per course version and app (every pass asks for them)."""
    return version_cache.cached(session, "academy.course_rules", RULES_CACHE_SIZE, version.id,
                                lambda: course_rules(session, version))


def learner_record(session: Session, user_id: int, course_id: int) -> certification.LearnerRecord:
    """The modules the learner has completed and every quiz of the course they have passed."""
    read = session.scalars(
        select(ModuleProgress.module_id).where(ModuleProgress.user_id == user_id,
                                               ModuleProgress.course_id == course_id,
                                               ModuleProgress.completed_at.is_not(None))
    )
    passes = session.execute(
        select(Attempt.quiz_id, Attempt.score_percent, Attempt.submitted_at)
        .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id)
        .join(CourseVersion, CourseVersion.id == QuizVersion.course_version_id)
        .where(Attempt.user_id == user_id, CourseVersion.course_id == course_id, Attempt.passed.is_(True),
               Attempt.submitted_at.is_not(None))
    )
    return certification.LearnerRecord(
        modules_read=frozenset(read),
        passes=tuple(certification.Pass(p.quiz_id, p.score_percent or 0, p.submitted_at) for p in passes),
    )


def live_certificate(session: Session, user_id: int, course_id: int) -> Certificate | None:
    """The learner's current certificate for the course (not replaced by another), if any."""
    return session.scalar(select(Certificate).where(Certificate.user_id == user_id,
                                                    Certificate.course_id == course_id,
                                                    Certificate.superseded_at.is_(None)))


def earned_with(session: Session, user_id: int, course_id: int, submitted_at: datetime) -> Certificate | None:
    """The certificate that a passing submission at ``submitted_at`` issued or renewed, if any."""
    return session.scalar(select(Certificate).where(Certificate.user_id == user_id,
                                                    Certificate.course_id == course_id,
                                                    Certificate.issued_at >= submitted_at)
                          .order_by(Certificate.issued_at).limit(1))


def issue_if_due(session: Session, user_id: int, course_id: int, *, now: datetime | None = None) -> Certificate | None:
    """Issue (or renew) the learner's certificate for the course if the rules say it is due now.

    Returns the new certificate, or None when nothing is due or another request issued it first.
    Runs in the caller's transaction and does not commit: call :func:`academy.db.begin_write`
    first, and commit after (the quiz engine commits it with the passing attempt).
    """
    now = now or utcnow()
    # The last two requirements can be passed at the same moment (two tabs: the last module quiz and
    # the final exam). On PostgreSQL each request would read the learner's record without the other's
    # uncommitted pass, and neither would issue. Deciding holds the learner's enrolment row, so the
    # second request waits for the first to commit and then reads its pass (READ COMMITTED reads
    # afresh at every statement). SQLite already serialises writers (BEGIN IMMEDIATE) and renders no
    # FOR UPDATE.
    session.execute(select(Enrolment.id).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
                    .with_for_update())
    version = session.scalar(select(CourseVersion).join(Course, Course.current_version_id == CourseVersion.id)
                             .where(Course.id == course_id))
    if version is None:
        return None
    held = live_certificate(session, user_id, course_id)
    decision = certification.decide(_cached_rules(session, version), learner_record(session, user_id, course_id),
                                    _held(held), now)
    if decision.outcome is Outcome.NOTHING:
        return None
    user = session.get(User, user_id)  # read only when issuing: most passes issue nothing
    if user is None:
        return None
    salt = secrets.token_hex(16)
    certificate = Certificate(
        code=new_code(), user_id=user_id, course_id=course_id, course_version_id=version.id,
        origin=(Origin.RENEWED if decision.outcome is Outcome.RENEW else Origin.EARNED).value,
        holder_name=names.without_bidi_controls(user.name), identity_salt=salt,
        identity_hash=open_badges.identity_hash(user.email, salt),
        title=version.certificate_title, course_title=version.title, score_percent=decision.score_percent,
        awarded_at=decision.awarded_at, issued_at=decision.valid_from, expires_at=decision.expires_at,
        replaces_id=held.id if held else None,
    )
    try:
        with session.begin_nested():
            if held is not None:
                held.superseded_at = now
                session.flush()  # the old one stops being live before the new one is
            session.add(certificate)
            session.flush()
    except IntegrityError:
        # The live-certificate index refused a second one: a concurrent request issued it.
        if certificate in session:
            session.expunge(certificate)
        return None
    audit.record(session, f"certificate.{certificate.origin}", target=f"certificate:{certificate.code}",
                 detail={"user_id": user_id, "course_id": course_id, "replaces": held.code if held else None,
                         "score_percent": certificate.score_percent})
    _announce(session, certificate, user)
    return certificate


def _announce(session: Session, certificate: Certificate, user: User) -> None:
    """Queue the "certificate issued" email in the issuing transaction: both commit or neither."""
    mail.enqueue(session, to_email=user.email, to_name=user.name, user_id=user.id, kind="certificate-issued",
                 key=f"certificate:{certificate.code}", template="certificate_issued",
                 context={"title": certificate.title, "course_title": certificate.course_title,
                          "code": certificate.code, "issued_at": certificate.issued_at,
                          "expires_at": certificate.expires_at},
                 subject=f"Your certificate: {certificate.title}")


def _held(certificate: Certificate | None) -> certification.HeldCertificate | None:
    if certificate is None:
        return None
    return certification.HeldCertificate(awarded_at=certificate.awarded_at, valid_from=certificate.issued_at,
                                         expires_at=certificate.expires_at, revoked=certificate.revoked)


@dataclass(frozen=True)
class Reconciled:
    checked: int
    issued: list[Certificate]


def reconcile(session: Session, *, now: datetime | None = None) -> Reconciled:
    """Issue every certificate that is due but missing (e.g. after a crash or a rule change).

    Checks each enrolled learner and course, one short write transaction each; commits each issue.
    """
    pairs = session.execute(
        select(Enrolment.user_id, Enrolment.course_id).order_by(Enrolment.course_id, Enrolment.user_id)
    ).all()
    session.rollback()
    issued = []
    for user_id, course_id in pairs:
        begin_write(session)
        certificate = issue_if_due(session, user_id, course_id, now=now)
        session.commit()
        if certificate is not None:
            issued.append(certificate)
    return Reconciled(checked=len(pairs), issued=issued)


# --- looking up -------------------------------------------------------------------------------------

def find(session: Session, typed_code: str | None) -> Certificate | None:
    """The certificate a person typed or linked (forgiving of case, spacing and look-alikes)."""
    code = parse(typed_code)
    if code is None:
        return None
    return session.scalar(select(Certificate).where(Certificate.code == code)
                          .options(joinedload(Certificate.replaced_by), joinedload(Certificate.replaces)))


def get(session: Session, typed_code: str | None) -> Certificate:
    """Like :func:`find`, but raises NotFound."""
    certificate = find(session, typed_code)
    if certificate is None:
        raise NotFound(_NOT_FOUND)
    return certificate


def holders_certificate(session: Session, typed_code: str | None, user_id: int) -> Certificate:
    """The certificate if ``user_id`` holds it; NotFound otherwise (never "it exists, but ...")."""
    certificate = find(session, typed_code)
    if certificate is None or certificate.user_id != user_id:
        raise NotFound(_NOT_FOUND)
    return certificate


@dataclass(frozen=True)
class Standing:
    """A certificate as someone looks at it at a moment: its status and what replaced it."""

    certificate: Certificate
    status: Status
    days_left: int | None
    reminder: bool

    @property
    def replaced_by(self) -> Certificate | None:
        return self.certificate.replaced_by

    @property
    def renewable(self) -> bool:
        """Recertification is open (the learner is reminded) and nothing has replaced it yet."""
        return self.reminder and self.certificate.live and self.status is not Status.REVOKED


def standing(certificate: Certificate, now: datetime | None = None) -> Standing:
    now = now or utcnow()
    return Standing(
        certificate=certificate,
        status=certification.status_at(expires_at=certificate.expires_at, revoked=certificate.revoked, now=now),
        days_left=certification.days_left(certificate.expires_at, now),
        reminder=certification.reminder_due(certificate.expires_at, now),
    )


#: Built once (every dashboard runs it): building a statement costs about as much as running it.
_HELD_BY = (select(Certificate).where(Certificate.user_id == bindparam("user_id"))
            .options(joinedload(Certificate.replaced_by), joinedload(Certificate.course))
            .order_by(Certificate.superseded_at.is_not(None), Certificate.issued_at.desc(), Certificate.id.desc()))


def held_by(session: Session, user_id: int, *, now: datetime | None = None) -> list[Standing]:
    """The learner's certificates, live ones first, newest first."""
    rows = session.scalars(_HELD_BY, {"user_id": user_id}).unique()
    return [standing(c, now) for c in rows]


def search(session: Session, query: str = "", *, page: int = 1) -> Page[Standing]:
    """A page of certificates for the admin list, newest first: by code, holder's name or course."""
    statement = select(Certificate)
    query = " ".join(query.split())[:200]
    if query:
        pattern = text_search.like_pattern(query)
        code = parse(query)
        statement = text_search.contains(
            session, statement, table_name="certificates", key=Certificate.id, text=query,
            conditions=[column.ilike(pattern, escape="\\") for column in
                        (Certificate.holder_name, Certificate.course_title, Certificate.title, Certificate.code)],
            exact=None if code is None else Certificate.code == code)
    found = paginate(session, statement.order_by(Certificate.issued_at.desc(), Certificate.id.desc()), page,
                     key=Certificate.id, options=[joinedload(Certificate.replaced_by)])
    now = utcnow()
    return found.map(lambda c: standing(c, now))


# --- revoking and reissuing -----------------------------------------------------------------------

def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("Give a reason: verifiers see it.", {"reason": ["Give a reason: verifiers see it."]})
    if len(reason) > MAX_REASON - 20:
        message = f"Keep the reason under {MAX_REASON - 20} characters."
        raise InvalidInput(message, {"reason": [message]})
    return reason


def _locked(session: Session, typed_code: str) -> Certificate:
    code = parse(typed_code)
    certificate = None
    if code is not None:
        certificate = session.scalar(select(Certificate).where(Certificate.code == code).with_for_update())
    if certificate is None:
        raise NotFound(_NOT_FOUND)
    return certificate


def revoke(session: Session, typed_code: str, reason: str, *, actor: Actor, note: str = "") -> Certificate:
    """Revoke a certificate with a reason verifiers will see and an optional private note that only
    admins (and the audit log) see. Commits."""
    reason = _reason(reason)
    note = " ".join((note or "").split())
    if len(note) > MAX_REASON - 20:
        message = f"Keep the note under {MAX_REASON - 20} characters."
        raise InvalidInput(message, {"note": [message]})
    begin_write(session)
    certificate = _locked(session, typed_code)
    if certificate.revoked:
        raise Conflict(f"Certificate {certificate.code} is already revoked.")
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_note = note or None
    certificate.revoked_by_id = actor.user_id
    detail = {"reason": reason, "holder": certificate.holder_name}
    if note:
        detail["note"] = note
    audit.record(session, "certificate.revoked", actor=actor, target=f"certificate:{certificate.code}",
                 detail=detail)
    session.commit()
    return certificate


def reissue(session: Session, typed_code: str, *, holder_name: str, reason: str, actor: Actor) -> Certificate:
    """Replace a live certificate with a new one (new code, possibly a corrected name). Commits.

    The new certificate keeps the award date, score and expiry; the old one is revoked with the
    reason "Reissued: ..." and points verifiers to its replacement.
    """
    reason = _reason(reason)
    holder_name = " ".join(names.without_bidi_controls(holder_name or "").split())
    if not holder_name or len(holder_name) > 200:
        message = "Enter the name to print (at most 200 characters)."
        raise InvalidInput(message, {"holder_name": [message]})
    begin_write(session)
    old = _locked(session, typed_code)
    if not old.live:
        newer = old.replaced_by
        raise Conflict(f"Certificate {old.code} has already been replaced"
                       + (f" by {newer.code}." if newer else "."))
    new = replace_certificate(session, old, holder_name=holder_name, reason=reason, actor=actor)
    session.commit()
    return new


def replace_certificate(session: Session, old: Certificate, *, holder_name: str, reason: str,
                        actor: Actor) -> Certificate:
    """The replacement of a live certificate (see :func:`reissue`); joins the caller's unit of work."""
    now = utcnow()
    user = session.get(User, old.user_id)
    salt = secrets.token_hex(16)
    new = Certificate(
        code=new_code(), user_id=old.user_id, course_id=old.course_id, course_version_id=old.course_version_id,
        origin=Origin.REISSUED.value, holder_name=holder_name, identity_salt=salt,
        identity_hash=open_badges.identity_hash(user.email, salt), title=old.title, course_title=old.course_title,
        score_percent=old.score_percent, awarded_at=old.awarded_at, issued_at=now, expires_at=old.expires_at,
        replaces_id=old.id,
    )
    old.superseded_at = now
    if not old.revoked:
        old.revoked_at, old.revoked_reason, old.revoked_by_id = now, f"Reissued: {reason}", actor.user_id
    session.flush()
    session.add(new)
    session.flush()
    audit.record(session, "certificate.reissued", actor=actor, target=f"certificate:{old.code}",
                 detail={"reason": reason, "new_code": new.code, "old_name": old.holder_name,
                         "new_name": holder_name})
    return new


# --- documents --------------------------------------------------------------------------------------

def sheet(certificate: Certificate, site: open_badges.Site, now: datetime | None = None) -> CertificateSheet:
    """What the PDF prints at ``now``: a revoked or expired certificate's sheet says so."""
    current = standing(certificate, now)
    return CertificateSheet(
        holder_name=names.without_bidi_controls(certificate.holder_name), title=certificate.title,
        course_title=certificate.course_title,
        code=certificate.code, verify_url=site.verify_url(certificate.code),
        issued_on=certificate.issued_at.date(),
        expires_on=certificate.expires_at.date() if certificate.expires_at else None,
        first_awarded_on=certificate.awarded_at.date(), score_percent=certificate.score_percent,
        issuer=open_badges.ISSUER_NAME, status=current.status.value,
        revoked_on=certificate.revoked_at.date() if certificate.revoked and certificate.revoked_at else None,
    )


def _credential_facts(session: Session, certificate: Certificate,
                      site: open_badges.Site) -> open_badges.CredentialFacts:
    version = certificate.course_version
    slug = certificate.course.slug
    rules = course_rules(session, version)
    modules = session.execute(
        select(Module.slug, ModuleVersion.title, ModuleVersion.objectives)
        .join(ModuleVersion, ModuleVersion.module_id == Module.id)
        .where(ModuleVersion.course_version_id == version.id).order_by(ModuleVersion.position)
    ).all()
    final_marks = session.scalars(select(QuizVersion.pass_mark).where(QuizVersion.course_version_id == version.id,
                                                                      QuizVersion.is_final.is_(True)))
    module_quizzes = sum(1 for q in rules.quizzes if not q.is_final)
    return open_badges.CredentialFacts(
        code=certificate.code, holder_name=certificate.holder_name, identity_hash=certificate.identity_hash,
        identity_salt=certificate.identity_salt, title=certificate.title, course_title=certificate.course_title,
        course_summary=version.summary, course_url=site.course_url(slug),
        criteria=open_badges.criteria_narrative(
            certificate.course_title, module_quizzes=module_quizzes, has_final=bool(rules.final_quiz_ids),
            modules_read=sum(1 for m in rules.modules if not m.quiz_ids)),
        score_percent=certificate.score_percent, pass_mark=max(final_marks, default=None),
        awarded_at=certificate.awarded_at, valid_from=certificate.issued_at, expires_at=certificate.expires_at,
        # Modules with objectives are what the certificate vouches for; a glossary is not.
        alignments=tuple(
            open_badges.Alignment(name=m.title, url=site.module_url(slug, m.slug),
                                  description="; ".join(m.objectives or []), code=m.slug)
            for m in modules if m.objectives
        ),
    )


def signed_credential(session: Session, certificate: Certificate, site: open_badges.Site,
                      keys: KeyStore) -> str:
    """The certificate's signed Open Badges credential (JSON text); signed and stored on first use.

    Once stored it never changes, so every download is byte-for-byte the same and a key rotation
    does not touch it. Commits when it signs.
    """
    if certificate.credential is not None:
        return certificate.credential
    signing = keys.signing_key()
    document = data_integrity.sign(
        open_badges.build_credential(_credential_facts(session, certificate, site), site),
        signing.private_key, verification_method=site.key_id(signing.key_id), created=utcnow(),
    )
    text = json.dumps(document, ensure_ascii=False, indent=2)
    # Two first downloads may race: the first stored wins and both answer with it.
    session.execute(update(Certificate).where(Certificate.id == certificate.id, Certificate.credential.is_(None))
                    .values(credential=text))
    session.commit()
    session.refresh(certificate, ["credential"])
    return certificate.credential


def status_document(certificate: Certificate, site: open_badges.Site, keys: KeyStore,
                    *, now: datetime | None = None) -> dict[str, Any]:
    """The signed status of a certificate at ``now`` (``credentialStatus.id``)."""
    now = now or utcnow()
    current = standing(certificate, now)
    replaced_by = certificate.replaced_by
    facts = open_badges.StatusFacts(
        code=certificate.code, status=current.status, checked_at=now, expires_at=certificate.expires_at,
        reason=certificate.revoked_reason or "", replaced_by=replaced_by.code if replaced_by else None,
    )
    signing = keys.signing_key()
    return data_integrity.sign(open_badges.build_status(facts, site), signing.private_key,
                               verification_method=site.key_id(signing.key_id), created=now)


def key_resolver(site: open_badges.Site, keys: KeyStore):
    """Map a verification method (``{issuer}#z6Mk...``) to one of this issuer's published keys."""
    prefix = f"{site.issuer_id}#"

    def resolve(method: str):
        return keys.public_key(method[len(prefix):]) if method.startswith(prefix) else None
    return resolve

