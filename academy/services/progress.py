"""Enrolments and module progress: recorded as learners read, summarised for people who watch.

Writes are single upsert statements, so a double click, two tabs or two workers never create
duplicate rows, and the module page stays within its query budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from academy.db import begin_write, upsert
from academy.domain import progress as rules
from academy.domain.progress import ModuleState
from academy.models import Course, CourseVersion, Enrolment, Module, ModuleProgress, ModuleVersion, User, utcnow

from . import certificates


def enrol(session: Session, user_id: int, course_id: int) -> bool:
    """Enrol the learner in the course; True if they were not enrolled before. Commits."""
    begin_write(session)
    statement = (upsert(session, Enrolment).values(user_id=user_id, course_id=course_id, enrolled_at=utcnow())
                 .on_conflict_do_nothing(index_elements=["user_id", "course_id"]).returning(Enrolment.id))
    created = session.execute(statement).first() is not None
    session.commit()
    return created


def record_view(session: Session, user_id: int, course_id: int, module_id: int,
                states: Mapping[int, ModuleState], *, completes: bool) -> ModuleState:
    """Record that the learner opened a module page; returns the module's new state. Commits.

    ``states`` are the learner's progress rows in the course as read for the page: the module
    they viewed last is credited with the time since (see ``domain.progress.reading_credit``).
    A reload within the same visit (``domain.progress.is_same_visit``) writes nothing.
    ``completes`` is True for a module without a quiz, which counts as done once read; reading
    the last such module can complete the course, so the certificate is issued then and there.
    One statement: an upsert of this module's row and, when it differs, the previous one's.
    """
    now = utcnow()
    if rules.is_same_visit(states, module_id, now, completes=completes):
        return states[module_id]
    credit = rules.reading_credit(states, now)
    row = {"user_id": user_id, "course_id": course_id, "module_id": module_id, "first_viewed_at": now,
           "last_viewed_at": now, "visits": 1, "seconds_spent": 0, "completed_at": now if completes else None}
    rows = [row]
    if credit is not None and credit[0] == module_id:
        row["seconds_spent"] = credit[1]
    elif credit is not None:
        # visits=0 marks the row that only receives time; its other values are ignored on conflict.
        rows.append({**row, "module_id": credit[0], "visits": 0, "seconds_spent": credit[1], "completed_at": None})
    begin_write(session)
    statement = upsert(session, ModuleProgress).values(rows)
    incoming = statement.excluded
    session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "module_id"],
        set_={
            "visits": ModuleProgress.visits + incoming.visits,
            "seconds_spent": ModuleProgress.seconds_spent + incoming.seconds_spent,
            "last_viewed_at": case((incoming.visits > 0, incoming.last_viewed_at),
                                   else_=ModuleProgress.last_viewed_at),
            "completed_at": func.coalesce(ModuleProgress.completed_at, incoming.completed_at),
        },
    ))
    previous = states.get(module_id)
    if completes and (previous is None or previous.completed_at is None):
        certificates.issue_if_due(session, user_id, course_id, now=now)
    session.commit()
    completed_at = previous.completed_at if previous and previous.completed_at else row["completed_at"]
    return ModuleState(module_id, now, completed_at)


def complete_module(session: Session, user_id: int, module_id: int, *, course_id: int | None = None) -> None:
    """Mark a module done for the learner (the quiz engine calls this when its quiz is passed).

    Enrols the learner if needed and keeps the first completion time. Does not commit: it joins
    the caller's unit of work, so the passing attempt and the completion are saved together.
    ``course_id``, the module's course, saves a query when the caller knows it.
    """
    begin_write(session)
    if course_id is None:
        course_id = session.scalar(select(Module.course_id).where(Module.id == module_id))
    if course_id is None:
        raise ValueError(f"no module with id {module_id}")
    now = utcnow()
    session.execute(upsert(session, Enrolment).values(user_id=user_id, course_id=course_id, enrolled_at=now)
                    .on_conflict_do_nothing(index_elements=["user_id", "course_id"]))
    statement = upsert(session, ModuleProgress).values(
        user_id=user_id, course_id=course_id, module_id=module_id, first_viewed_at=now, last_viewed_at=now,
        visits=0, seconds_spent=0, completed_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "module_id"],
        set_={"completed_at": func.coalesce(ModuleProgress.completed_at, statement.excluded.completed_at)},
    ))


def states(session: Session, user_id: int, course_id: int) -> dict[int, ModuleState]:
    """The learner's progress rows in a course, by module id."""
    rows = session.execute(
        select(ModuleProgress.module_id, ModuleProgress.last_viewed_at, ModuleProgress.completed_at)
        .where(ModuleProgress.user_id == user_id, ModuleProgress.course_id == course_id))
    return {r.module_id: ModuleState(*r) for r in rows}


def current_module_ids(session: Session, course_id: int) -> list[int]:
    """The modules of the course's published version, in order."""
    return list(session.scalars(
        select(ModuleVersion.module_id)
        .join(Course, Course.current_version_id == ModuleVersion.course_version_id)
        .where(Course.id == course_id).order_by(ModuleVersion.position)))


def learner_summary(session: Session, user_id: int, course_id: int) -> rules.Summary:
    """How far the learner is through the course's current modules."""
    return rules.summarise(current_module_ids(session, course_id), states(session, user_id, course_id))


# --- reports: per course and per organisation --------------------------------------------------

@dataclass(frozen=True)
class LearnerProgress:
    """One learner's progress in one course, for instructors' and admins' reports."""

    user_id: int
    name: str
    email: str
    organisation_id: int | None
    course_id: int
    course_slug: str
    course_title: str
    enrolled_at: datetime
    modules_total: int
    modules_done: int
    modules_started: int
    last_activity_at: datetime | None
    seconds_spent: int

    @property
    def percent(self) -> int:
        return round(100 * self.modules_done / self.modules_total) if self.modules_total else 0


def course_learners(session: Session, course_id: int) -> list[LearnerProgress]:
    """Every learner enrolled in the course with their progress, by name."""
    return _learners(session, Enrolment.course_id == course_id)


def organisation_learners(session: Session, organisation_id: int,
                          course_id: int | None = None) -> list[LearnerProgress]:
    """Progress of an organisation's learners in every course (or one), by name then course."""
    condition = User.organisation_id == organisation_id
    if course_id is not None:
        condition = condition & (Enrolment.course_id == course_id)
    return _learners(session, condition)


def _learners(session: Session, condition) -> list[LearnerProgress]:
    current = select(ModuleVersion.module_id).where(ModuleVersion.course_version_id == Course.current_version_id)
    totals = (select(func.count()).select_from(ModuleVersion)
              .where(ModuleVersion.course_version_id == Course.current_version_id).scalar_subquery())
    rows = session.execute(
        select(User.id, User.name, User.email, User.organisation_id, Course.id, Course.slug, CourseVersion.title,
               Enrolment.enrolled_at, totals, func.count(ModuleProgress.completed_at),
               func.count(ModuleProgress.id), func.max(ModuleProgress.last_viewed_at),
               func.coalesce(func.sum(ModuleProgress.seconds_spent), 0))
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(ModuleProgress, (ModuleProgress.user_id == Enrolment.user_id)
                   & (ModuleProgress.course_id == Enrolment.course_id)
                   & ModuleProgress.module_id.in_(current.scalar_subquery()))
        .where(condition)
        .group_by(User.id, User.name, User.email, User.organisation_id, Course.id, Course.slug, CourseVersion.title,
                  Enrolment.enrolled_at, Course.current_version_id)
        .order_by(User.name, User.id, Course.slug))
    return [LearnerProgress(*row) for row in rows]
