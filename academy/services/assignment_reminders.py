"""Reminder scans for assigned courses: "due in 7 days" and "overdue" to learners, a weekly digest to managers.

Each message's key names its period (the assignment's due date for learners, the ISO week for the
digest), so a scan run twice, or on two hosts at once, queues nothing new; a reopened assignment
(recertification) has a new due date and so gets its own reminders.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.domain import assignments as rules
from academy.models import CourseAssignment, Organisation, OrganisationManager, User

from . import assignments, mail, organisations

#: Days before the due date that the learner is reminded.
DUE_SOON_DAYS = 7
#: Overdue people named in a digest (the page has them all).
DIGEST_SHOWN = 20
BATCH = 1000


@dataclass(frozen=True)
class Due:
    user: User
    course: organisations.CourseColumn
    standing: rules.Standing
    certificate: rules.HeldCertificate | None


def _organisations_with_assignments(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.id.in_(
        select(CourseAssignment.organisation_id))).order_by(Organisation.id)))


def standings(session: Session, organisation: Organisation, now: datetime) -> Iterator[Due]:
    """Every active member's standing on every course assigned to them, in batches of people."""
    courses = organisations.published_courses(session)
    members = list(session.scalars(select(User).where(User.organisation_id == organisation.id,
                                                      User.active.is_(True)).order_by(User.name, User.id)))
    for start in range(0, len(members), BATCH):
        batch = members[start:start + BATCH]
        facts = organisations.load_facts(session, organisation.id, [u.id for u in batch])
        for user in batch:
            for course in courses:
                standing = facts.standing(user, course.id, now)
                if standing is not None:
                    yield Due(user, course, standing, facts.activity_of(user.id, course.id).certificate)


def assignment_notices(session: Session, now: datetime) -> int:
    """Queue "course assigned" for every open assignment whose person has not been told yet.

    Covers what the assignment's own transaction does not: a large organisation-wide assignment and
    people who joined with the organisation's code. The key is the one ``assignments.notify_assigned``
    uses, so someone told already is not told again.
    """
    queued = 0
    known = mail.Queued.load(session, "course-assigned")
    for organisation in _organisations_with_assignments(session):
        for due in standings(session, organisation, now):
            if due.standing.status is not rules.AssignmentStatus.COMPLETED:
                queued += assignments.notify_assigned(session, due.user, organisation, due.course.slug,
                                                      due.course.title, due.standing.due_on, known=known)
    return queued


def learner_reminders(session: Session, now: datetime) -> int:
    """Queue "due in 7 days" and "overdue" mail for every open assignment (each once per due date)."""
    queued = 0
    today = now.date()
    known = mail.Queued.load(session, "assignment-overdue", "assignment-due")
    for organisation in _organisations_with_assignments(session):
        for due in standings(session, organisation, now):
            status = due.standing.status
            days = due.standing.days_left(today)
            if status is rules.AssignmentStatus.COMPLETED or days > DUE_SOON_DAYS:
                continue
            overdue = status is rules.AssignmentStatus.OVERDUE
            context = {"name": due.user.name, "organisation": organisation.name, "course_title": due.course.title,
                       "course_slug": due.course.slug, "due_on": due.standing.due_on, "days": days,
                       "recertification": due.standing.recertification}
            key = f"course:{due.course.id}:due:{due.standing.due_on.isoformat()}"
            queued += mail.enqueue(
                session, to_email=due.user.email, to_name=due.user.name, user_id=due.user.id,
                kind="assignment-overdue" if overdue else "assignment-due", key=key,
                template="assignment_overdue" if overdue else "assignment_due", context=context, reminder=True,
                subject=(f"Overdue: {due.course.title}" if overdue
                         else f"{due.course.title} is due {_when(days, due.standing.due_on)}"), known=known)
    return queued


def _when(days: int, due_on: date) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"on {due_on.day} {due_on:%B %Y}"


@dataclass(frozen=True)
class DigestLine:
    name: str
    course_title: str
    due_on: date


def manager_digests(session: Session, now: datetime) -> int:
    """Queue each manager's weekly digest of their organisation (once per ISO week), when there is news."""
    queued = 0
    year, week, _ = now.isocalendar()
    known = mail.Queued.load(session, "manager-digest")
    for organisation in session.scalars(select(Organisation).where(Organisation.id.in_(
            select(OrganisationManager.organisation_id))).order_by(Organisation.id)):
        overdue, due_soon, expiring = [], 0, 0
        for due in standings(session, organisation, now):
            if due.standing.status is rules.AssignmentStatus.OVERDUE:
                overdue.append(DigestLine(due.user.name, due.course.title, due.standing.due_on))
            elif (due.standing.status is not rules.AssignmentStatus.COMPLETED
                  and due.standing.days_left(now.date()) <= DUE_SOON_DAYS):
                due_soon += 1
            if due.certificate is not None and rules.certificate_state(
                    expires_at=due.certificate.expires_at, revoked=due.certificate.revoked,
                    now=now) is rules.CertificateState.EXPIRING:
                expiring += 1
        if not (overdue or due_soon or expiring):
            continue
        overdue.sort(key=lambda line: (line.due_on, line.name))
        for manager in organisations.managers_of(session, organisation.id):
            if not manager.active:
                continue
            queued += mail.enqueue(
                session, to_email=manager.email, to_name=manager.name, user_id=manager.id, kind="manager-digest",
                key=f"organisation:{organisation.id}:week:{year}-W{week:02d}", template="manager_digest",
                reminder=True, subject=f"{organisation.name}: {len(overdue)} overdue this week",
                context={"name": manager.name, "organisation": organisation.name, "organisation_id": organisation.id,
                         "overdue": overdue, "due_soon": due_soon, "expiring": expiring, "today": now.date(),
                         "shown": DIGEST_SHOWN}, known=known)
    return queued
