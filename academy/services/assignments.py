"""Assigned courses: an organisation asks all or some of its people to complete a course by a date.

Assigning writes the assignment, enrols the people concerned and queues a "course assigned" email
to each, all in one commit (the outbox is written in the same transaction). An organisation-wide
assignment also covers people who join later: their due date counts from the day they join.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.db import begin_write, upsert
from academy.domain import assignments as rules
from academy.models import Course, CourseAssignment, CourseVersion, Enrolment, Organisation, User, utcnow

from . import audit, mail, organisations
from .actors import Actor
from .errors import InvalidInput, NotFound

MAX_DUE_DAYS = 3650
#: Up to this many people are told in the assignment's own transaction; a larger assignment (a whole big
#: organisation) commits at once and the next reminder scan queues the notices, under the same
#: (recipient, kind, key), so nobody is told twice and nobody is missed.
NOTIFY_IN_TRANSACTION = 200
#: Days to complete a course assigned at invitation when the inviter named no number.
DEFAULT_DUE_DAYS = 30


@dataclass(frozen=True)
class AssignmentLine:
    """An assignment as listed on the organisation's page."""

    id: int
    course_title: str
    course_slug: str
    #: The person's name, or None for everyone in the organisation.
    person: str | None
    rule: rules.DueRule

    @property
    def due_text(self) -> str:
        return rules.describe_due(self.rule)


def _course(session: Session, slug: str) -> tuple[Course, str]:
    row = session.execute(select(Course, CourseVersion.title)
                          .join(CourseVersion, CourseVersion.id == Course.current_version_id)
                          .where(Course.slug == slug)).first()
    if row is None:
        raise InvalidInput("Choose a published course.", {"course": ["Choose a published course."]})
    return row[0], row[1]


def check_due(due_on: date | None, due_days: int | None, today: date) -> None:
    """Refuse a due rule that is missing, doubled, in the past or absurdly far away."""
    if (due_on is None) == (due_days is None):
        message = "Give either a due date or a number of days after joining (one of the two)."
        raise InvalidInput(message, {"due_on": [message]})
    if due_on is not None and due_on < today:
        raise InvalidInput("The due date is in the past.", {"due_on": ["The due date is in the past."]})
    if due_days is not None and not 1 <= due_days <= MAX_DUE_DAYS:
        message = f"Give a number of days from 1 to {MAX_DUE_DAYS}."
        raise InvalidInput(message, {"due_days": [message]})


def assign(session: Session, organisation_id: int, course_slug: str, *, user_ids: list[int] | None = None,
           due_on: date | None = None, due_days: int | None = None, actor: Actor) -> int:
    """Assign a course to the whole organisation (``user_ids`` None) or to some members. Commits.

    Returns how many people were told at once (see :data:`NOTIFY_IN_TRANSACTION`). Assigning again to
    someone who already has the course adds a rule (the earliest due date counts) but no second email.
    """
    now = utcnow()
    check_due(due_on, due_days, now.date())
    begin_write(session)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation.")
    course, title = _course(session, course_slug)
    members_stmt = select(User).where(User.organisation_id == organisation_id, User.active.is_(True))
    if user_ids is not None:
        if not user_ids:
            raise InvalidInput("Choose at least one person.", {"people": ["Choose at least one person."]})
        members_stmt = members_stmt.where(User.id.in_(user_ids))
    members = list(session.scalars(members_stmt))
    if user_ids is not None and len(members) != len(set(user_ids)):
        raise NotFound("Some of those people are not members of this organisation.")
    told = _assign(session, organisation, course, title, members, everyone=user_ids is None, due_on=due_on,
                   due_days=due_days, assigned_by=actor.user_id, now=now)
    audit.record(session, "organisation.course_assigned", actor=actor, target=f"organisation:{organisation_id}",
                 detail={"course": course_slug, "people": "everyone" if user_ids is None else sorted(user_ids),
                         "due_on": due_on and due_on.isoformat(), "due_days": due_days})
    session.commit()
    return told


def assign_in_transaction(session: Session, organisation: Organisation, course_slug: str, person: User, *,
                          due_days: int | None, assigned_by: int | None) -> None:
    """Assign a course to one new member inside the caller's unit of work (invitation acceptance, the
    course set by the person who invited them, ``assigned_by``)."""
    course, title = _course(session, course_slug)
    _assign(session, organisation, course, title, [person], everyone=False, due_on=None,
            due_days=due_days or DEFAULT_DUE_DAYS, assigned_by=assigned_by, now=utcnow())


def _assign(session: Session, organisation: Organisation, course: Course, title: str, members: list[User], *,
            everyone: bool, due_on: date | None, due_days: int | None,
            assigned_by: int | None, now: datetime) -> int:
    """Write the assignment rows, enrol the people and queue their emails; returns how many were told."""
    targets = [None] if everyone else [m.id for m in members]
    created = {}
    for target in targets:
        assignment = CourseAssignment(organisation_id=organisation.id, course_id=course.id, user_id=target,
                                      due_on=due_on, due_days=due_days, created_by_id=assigned_by, created_at=now)
        session.add(assignment)
        created[target] = assignment
    session.flush()
    enrolled = set(session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id,
                                                                   Enrolment.user_id.in_([m.id for m in members]))))
    missing = [{"user_id": m.id, "course_id": course.id, "enrolled_at": now} for m in members if m.id not in enrolled]
    if missing:  # one statement for the whole organisation; a learner enrolling meanwhile is no conflict
        session.execute(upsert(session, Enrolment).on_conflict_do_nothing(
            index_elements=["user_id", "course_id"]), missing)
    if len(members) > NOTIFY_IN_TRANSACTION:
        return 0  # the next reminder scan queues their notices (assignment_reminders.assignment_notices)
    told = 0
    for person in members:
        rule = organisations.due_rule(created[None if everyone else person.id])
        told += notify_assigned(session, person, organisation, course.slug, title,
                                rules.due_date(rule, person.created_at))
    return told


def notify_assigned(session: Session, person: User, organisation: Organisation, course_slug: str,
                    course_title: str, due: date, known: mail.Queued | None = None) -> bool:
    """Queue the "course assigned" email (once per person and course). Does not commit."""
    return mail.enqueue(
        session, to_email=person.email, to_name=person.name, kind="course-assigned", key=f"course:{course_slug}",
        template="course_assigned", user_id=person.id,
        subject=f"{organisation.name} has assigned you {course_title}",
        context={"name": person.name, "organisation": organisation.name, "course_title": course_title,
                 "course_slug": course_slug, "due_on": due}, known=known)


def remove(session: Session, organisation_id: int, assignment_id: int, *, actor: Actor) -> None:
    """Withdraw an assignment (the people stay enrolled; their progress is kept). Commits."""
    begin_write(session)
    assignment = session.get(CourseAssignment, assignment_id)
    if assignment is None or assignment.organisation_id != organisation_id:
        raise NotFound("There is no such assignment in this organisation.")
    session.delete(assignment)
    audit.record(session, "organisation.assignment_removed", actor=actor,
                 target=f"organisation:{organisation_id}", detail={"assignment": assignment_id,
                                                                   "course": assignment.course_id})
    session.commit()


def listed(session: Session, organisation_id: int) -> list[AssignmentLine]:
    """The organisation's assignments: organisation-wide first, then by course and person."""
    rows = session.execute(
        select(CourseAssignment, CourseVersion.title, Course.slug, User.name)
        .join(Course, Course.id == CourseAssignment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(User, User.id == CourseAssignment.user_id)
        .where(CourseAssignment.organisation_id == organisation_id)
        .order_by(CourseAssignment.user_id.is_not(None), CourseVersion.title, User.name, CourseAssignment.id))
    return [AssignmentLine(a.id, title, slug, name, organisations.due_rule(a)) for a, title, slug, name in rows]


# --- what a learner has to do -----------------------------------------------------------------

@dataclass(frozen=True)
class DueCourse:
    course_slug: str
    course_title: str
    organisation: str
    standing: rules.Standing


def due_for(session: Session, user_id: int, now: datetime) -> list[DueCourse]:
    """A learner's assigned courses, soonest due first (completed ones last)."""
    user = session.get(User, user_id)
    if user is None or user.organisation_id is None:
        return []
    facts = organisations.load_facts(session, user.organisation_id, [user.id])
    if not facts.assignments:
        return []
    organisation = session.get(Organisation, user.organisation_id)
    found = []
    for course in organisations.published_courses(session):
        standing = facts.standing(user, course.id, now)
        if standing is not None:
            found.append(DueCourse(course.slug, course.title, organisation.name, standing))
    done = rules.AssignmentStatus.COMPLETED
    return sorted(found, key=lambda d: (d.standing.status is done, d.standing.due_on, d.course_title))


def for_new_member(session: Session, user: User, organisation: Organisation) -> None:
    """Enrol someone who just joined in the organisation-wide assignments and tell them. Does not commit."""
    now = utcnow()
    rows = session.execute(select(CourseAssignment, Course.slug, CourseVersion.title)
                           .join(Course, Course.id == CourseAssignment.course_id)
                           .join(CourseVersion, CourseVersion.id == Course.current_version_id)
                           .where(CourseAssignment.organisation_id == organisation.id,
                                  CourseAssignment.user_id.is_(None)))
    for assignment, slug, title in rows:
        if session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id,
                                                     Enrolment.course_id == assignment.course_id)) is None:
            session.add(Enrolment(user_id=user.id, course_id=assignment.course_id, enrolled_at=now))
            session.flush()
        notify_assigned(session, user, organisation, slug, title,
                        rules.due_date(organisations.due_rule(assignment), user.created_at))


def members_by_email(session: Session, organisation_id: int, text: str) -> list[int] | None:
    """The ids of the members whose addresses are listed (one per line, or separated by , or ;).

    None when the text is empty (meaning everyone); InvalidInput naming any address that is not a member.
    """
    emails = list(dict.fromkeys(part.strip().lower() for part in text.replace(",", "\n").replace(";", "\n")
                                .splitlines() if part.strip()))
    if not emails:
        return None
    found = dict(session.execute(select(User.email, User.id).where(User.organisation_id == organisation_id,
                                                                   User.email.in_(emails))).all())
    missing = [email for email in emails if email not in found]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        message = f"Not members of this organisation: {shown}."
        raise InvalidInput(message, {"people": [message]})
    return [found[email] for email in emails]
