"""The certification rule: when a learner earns, renews or keeps a course's certificate.

Default rule (DESIGN.md): a learner earns a course's certificate when every quiz of the course,
module quizzes and the final exam, is passed; a module with no quiz counts once read. The score
printed on the certificate is the final exam's best passing score.

Certificates of a course with ``valid_for_months`` expire. From :data:`RENEWAL_WINDOW` before the
expiry date (and at any time after it) a learner recertifies by passing the final exam again: the
new certificate keeps the original award date, and its validity runs from the later of today and
the old expiry date, so renewing early costs nothing.

A revoked certificate is never replaced automatically; an administrator may reissue it.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: How long before expiry a learner is reminded and may recertify.
RENEWAL_WINDOW = timedelta(days=60)


@dataclass(frozen=True)
class ModuleRequirement:
    """A module of the course and the quizzes that check it (none: reading it is enough)."""

    module_id: int
    title: str
    quiz_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class QuizRequirement:
    quiz_id: int
    title: str
    is_final: bool = False


@dataclass(frozen=True)
class CourseRules:
    """What the published version of a course asks of a learner."""

    modules: tuple[ModuleRequirement, ...]
    quizzes: tuple[QuizRequirement, ...]
    #: None: certificates never expire.
    valid_for_months: int | None = None

    @property
    def final_quiz_ids(self) -> frozenset[int]:
        return frozenset(q.quiz_id for q in self.quizzes if q.is_final)


@dataclass(frozen=True)
class Pass:
    """A passed, submitted attempt."""

    quiz_id: int
    score_percent: int
    submitted_at: datetime


@dataclass(frozen=True)
class LearnerRecord:
    """What one learner has done in one course."""

    modules_read: frozenset[int] = frozenset()
    passes: tuple[Pass, ...] = ()

    def passed(self, quiz_id: int, *, since: datetime | None = None) -> list[Pass]:
        return [p for p in self.passes if p.quiz_id == quiz_id and (since is None or p.submitted_at >= since)]


@dataclass(frozen=True)
class HeldCertificate:
    """The learner's latest certificate for the course (the one no other has replaced)."""

    awarded_at: datetime
    valid_from: datetime
    expires_at: datetime | None
    revoked: bool = False


class Outcome(enum.StrEnum):
    NOTHING = "nothing"
    ISSUE = "issue"
    RENEW = "renew"


@dataclass(frozen=True)
class Decision:
    """What to do now; for ISSUE and RENEW, the facts the new certificate carries."""

    outcome: Outcome
    #: Why nothing is due (for the reconcile report); empty when something is.
    reason: str = ""
    score_percent: int | None = None
    awarded_at: datetime | None = None
    valid_from: datetime | None = None
    expires_at: datetime | None = None
    #: What the learner still has to do, when the course is not complete.
    missing: tuple[str, ...] = field(default=())


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months, clamping the day (31 January + 1 month = 28/29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def renewal_opens(expires_at: datetime) -> datetime:
    """The moment from which a certificate expiring at ``expires_at`` may be renewed."""
    return expires_at - RENEWAL_WINDOW


def missing_requirements(rules: CourseRules, record: LearnerRecord) -> list[str]:
    """What the learner still has to do, as sentences, in course order (empty: complete)."""
    passed = {p.quiz_id for p in record.passes}
    missing: list[str] = []
    checked: set[int] = set()
    titles = {q.quiz_id: q.title for q in rules.quizzes}
    for module in rules.modules:
        if module.quiz_ids:
            for quiz_id in module.quiz_ids:
                checked.add(quiz_id)
                if quiz_id not in passed:
                    missing.append(f"Pass the quiz “{titles.get(quiz_id, module.title)}”.")
        elif module.module_id not in record.modules_read:
            missing.append(f"Read the module “{module.title}”.")
    for quiz in rules.quizzes:
        if quiz.quiz_id not in checked and quiz.quiz_id not in passed:
            what = "final exam" if quiz.is_final else "quiz"
            missing.append(f"Pass the {what} “{quiz.title}”.")
    return missing


def decide(rules: CourseRules, record: LearnerRecord, held: HeldCertificate | None, now: datetime) -> Decision:
    """Whether a certificate is due for this learner and course at ``now``, and with what facts."""
    if held is None:
        return _first_certificate(rules, record, now)
    if held.revoked:
        return Decision(Outcome.NOTHING, "The certificate was revoked; only an administrator can reissue it.")
    if held.expires_at is None or rules.valid_for_months is None:
        return Decision(Outcome.NOTHING, "The learner holds a certificate that does not expire.")
    opens = renewal_opens(held.expires_at)
    if now < opens:
        return Decision(Outcome.NOTHING, "The learner holds a valid certificate.")
    if not rules.final_quiz_ids:
        return Decision(Outcome.NOTHING, "The course has no final exam to recertify with.")
    # Only a pass after the window opened (and after the current certificate) renews it.
    since = max(opens, held.valid_from)
    score = _best_score(record, rules.final_quiz_ids, since=since)
    if score is None:
        return Decision(Outcome.NOTHING, "Recertification is open: the learner must pass the final exam again.")
    valid_from = now
    return Decision(
        Outcome.RENEW,
        score_percent=score,
        awarded_at=held.awarded_at,
        valid_from=valid_from,
        expires_at=add_months(max(now, held.expires_at), rules.valid_for_months),
    )


def _first_certificate(rules: CourseRules, record: LearnerRecord, now: datetime) -> Decision:
    if not rules.modules and not rules.quizzes:
        return Decision(Outcome.NOTHING, "The course has nothing to complete.")
    missing = missing_requirements(rules, record)
    if missing:
        return Decision(Outcome.NOTHING, "The course is not complete yet.", missing=tuple(missing))
    expires_at = add_months(now, rules.valid_for_months) if rules.valid_for_months else None
    return Decision(
        Outcome.ISSUE,
        score_percent=_best_score(record, rules.final_quiz_ids),
        awarded_at=now,
        valid_from=now,
        expires_at=expires_at,
    )


def _best_score(record: LearnerRecord, quiz_ids: Iterable[int], *, since: datetime | None = None) -> int | None:
    scores = [p.score_percent for quiz_id in quiz_ids for p in record.passed(quiz_id, since=since)]
    return max(scores) if scores else None


class Status(enum.StrEnum):
    """What a certificate is at a given moment, as verifiers see it."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def status_at(*, expires_at: datetime | None, revoked: bool, now: datetime) -> Status:
    """Revoked wins over expired; a certificate is expired from its expiry moment on."""
    if revoked:
        return Status.REVOKED
    if expires_at is not None and now >= expires_at:
        return Status.EXPIRED
    return Status.VALID


def days_left(expires_at: datetime | None, now: datetime) -> int | None:
    """Whole days until expiry (0 on the last day, negative once expired); None if it never expires."""
    if expires_at is None:
        return None
    return (expires_at.date() - now.date()).days


def reminder_due(expires_at: datetime | None, now: datetime) -> bool:
    """True while the learner should be reminded to recertify (the renewal window, and after)."""
    return expires_at is not None and now >= renewal_opens(expires_at)
