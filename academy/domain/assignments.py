"""Assigned courses: when each is due for a person, and where that person stands.

An organisation assigns a course to all its members or to chosen people, due on a date or a number
of days after the person joined (for people who were members already: after the assignment was made,
so nobody starts overdue). An assignment is completed while the person holds a live certificate of
the course; when that certificate expires the assignment reopens (recertification) with a new due
date: ``due_days`` (or :data:`RECERTIFY_DAYS`) after the expiry.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .certification import Status as CertificateStatus
from .certification import status_at

#: Days a learner has to recertify after a certificate expires, when the assignment names no number.
RECERTIFY_DAYS = 30
#: A valid certificate expiring within this many days is shown as "expiring".
EXPIRING_WITHIN = timedelta(days=90)


class AssignmentStatus(enum.StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


@dataclass(frozen=True)
class DueRule:
    """When an assignment is due: on ``due_on``, or ``due_days`` after joining (exactly one is set)."""

    assigned_at: datetime
    due_on: date | None = None
    due_days: int | None = None


@dataclass(frozen=True)
class HeldCertificate:
    """A person's latest certificate of a course, as far as assignments care."""

    issued_at: datetime
    expires_at: datetime | None
    revoked: bool = False


@dataclass(frozen=True)
class Activity:
    """What a person has done in a course: the last time they read or attempted anything, their certificate."""

    last_activity_at: datetime | None = None
    certificate: HeldCertificate | None = None


@dataclass(frozen=True)
class Standing:
    """Where a person stands on one assigned course."""

    status: AssignmentStatus
    due_on: date
    #: True when a certificate expired and the course must be done again.
    recertification: bool = False

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days


def describe_due(rule: DueRule) -> str:
    """The due rule in words, e.g. "by 31 March 2027" or "within 30 days of joining"."""
    if rule.due_on is not None:
        return f"by {rule.due_on.day} {rule.due_on:%B %Y}"
    days = rule.due_days or 0
    return f"within {days} day{'s' if days != 1 else ''} of joining"


def due_date(rule: DueRule, joined_at: datetime) -> date:
    """The date the assignment is due for a person who joined at ``joined_at``."""
    if rule.due_on is not None:
        return rule.due_on
    # Compared as dates: the same day either way, and far cheaper over thousands of people.
    start = max(joined_at.date(), rule.assigned_at.date())
    return start + timedelta(days=rule.due_days or 0)


def standing(rules: Iterable[DueRule], *, joined_at: datetime, activity: Activity, now: datetime) -> Standing:
    """Where a person stands on a course assigned by ``rules`` (several: the earliest due date counts)."""
    rules = list(rules)
    if not rules:
        raise ValueError("standing() needs at least one rule")
    due = min(due_date(rule, joined_at) for rule in rules)
    started_since = None
    certificate = activity.certificate
    recertification = False
    if certificate is not None and not certificate.revoked:
        if certificate.expires_at is None or certificate.expires_at > now:
            return Standing(AssignmentStatus.COMPLETED, due)
        grace = min((rule.due_days for rule in rules if rule.due_days is not None), default=RECERTIFY_DAYS)
        due = max(due, certificate.expires_at.date() + timedelta(days=grace))
        recertification, started_since = True, certificate.expires_at
    started = activity.last_activity_at is not None and (started_since is None
                                                         or activity.last_activity_at > started_since)
    if now.date() > due:
        return Standing(AssignmentStatus.OVERDUE, due, recertification)
    return Standing(AssignmentStatus.IN_PROGRESS if started else AssignmentStatus.NOT_STARTED, due, recertification)


class CertificateState(enum.StrEnum):
    """A certificate as a manager sees it: valid, expiring soon, expired, revoked."""

    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return "Expiring within 90 days" if self is CertificateState.EXPIRING else self.value.capitalize()


def certificate_state(*, expires_at: datetime | None, revoked: bool, now: datetime) -> CertificateState:
    """:func:`~academy.domain.certification.status_at`, with valid certificates near expiry set apart."""
    status = status_at(expires_at=expires_at, revoked=revoked, now=now)
    if status is CertificateStatus.VALID and expires_at is not None and expires_at - now <= EXPIRING_WITHIN:
        return CertificateState.EXPIRING
    return CertificateState(status.value)


class Cell(enum.StrEnum):
    """One square of the people x courses matrix: colour class and words."""

    COMPLETED = "completed"
    EXPIRING = "expiring"
    IN_PROGRESS = "in-progress"
    NOT_STARTED = "not-started"
    OVERDUE = "overdue"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"none": "Not enrolled", "expiring": "Expiring soon"}.get(self.value,
                                                                         self.value.replace("-", " ").capitalize())


def cell(*, standing: Standing | None, enrolled: bool, activity: Activity, now: datetime) -> Cell:
    """The matrix cell for a person and a course, assigned (``standing``) or not."""
    certificate = activity.certificate
    state = None if certificate is None else certificate_state(
        expires_at=certificate.expires_at, revoked=certificate.revoked, now=now)
    if standing is not None:
        if standing.status is AssignmentStatus.COMPLETED:
            return Cell.EXPIRING if state is CertificateState.EXPIRING else Cell.COMPLETED
        return Cell(standing.status.value)
    if state is CertificateState.VALID:
        return Cell.COMPLETED
    if state is not None:
        return Cell(state.value)
    if activity.last_activity_at is not None:
        return Cell.IN_PROGRESS
    return Cell.NOT_STARTED if enrolled else Cell.NONE
