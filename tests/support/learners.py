"""Learners in the quiz tests' course ("demo") in a known state, written straight to the database:
enrolled some days ago, modules read or done, quiz attempts failed or passed, an assignment due."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.models import (
    Attempt,
    AttemptStatus,
    Course,
    CourseAssignment,
    Enrolment,
    ModuleProgress,
    ModuleVersion,
    QuizVersion,
    utcnow,
)

from .quizzes import COURSE


def course_id(session: Session, slug: str = COURSE) -> int:
    return session.scalar(select(Course.id).where(Course.slug == slug))


def enrol(session: Session, user_id: int, *, days_ago: float = 1, slug: str = COURSE,
          now: datetime | None = None) -> int:
    now = now or utcnow()
    cid = course_id(session, slug)
    session.add(Enrolment(user_id=user_id, course_id=cid, enrolled_at=now - timedelta(days=days_ago)))
    session.flush()
    return cid


def read_modules(session: Session, user_id: int, *, count: int | None = None, done: bool = True,
                 days_ago: float = 1, slug: str = COURSE, now: datetime | None = None) -> None:
    """Record the first ``count`` modules (all by default) as read ``days_ago``, completed if ``done``."""
    now = now or utcnow()
    course = session.scalar(select(Course).where(Course.slug == slug))
    modules = list(session.scalars(select(ModuleVersion.module_id)
                                   .where(ModuleVersion.course_version_id == course.current_version_id)
                                   .order_by(ModuleVersion.position)))
    moment = now - timedelta(days=days_ago)
    for module_id in modules[:count]:
        session.add(ModuleProgress(user_id=user_id, course_id=course.id, module_id=module_id,
                                   first_viewed_at=moment, last_viewed_at=moment,
                                   completed_at=moment if done else None, visits=1))
    session.flush()


def attempt(session: Session, user_id: int, quiz_slug: str, *, passed: bool, days_ago: float = 1,
            slug: str = COURSE, now: datetime | None = None) -> None:
    """A submitted attempt at the course's quiz ``quiz_slug``, passed or failed, ``days_ago``."""
    now = now or utcnow()
    course = session.scalar(select(Course).where(Course.slug == slug))
    version = session.scalar(select(QuizVersion).join(QuizVersion.quiz)
                             .where(QuizVersion.course_version_id == course.current_version_id)
                             .where(QuizVersion.quiz.has(slug=quiz_slug)))
    moment = now - timedelta(days=days_ago)
    session.add(Attempt(token=secrets.token_urlsafe(16), user_id=user_id, quiz_id=version.quiz_id,
                        quiz_version_id=version.id, started_at=moment, submitted_at=moment + timedelta(minutes=5),
                        status=AttemptStatus.SUBMITTED.value, score_percent=90 if passed else 20,
                        points=9 if passed else 2, max_points=10, passed=passed, layout={}))
    session.flush()


def assign(session: Session, organisation_id: int, *, due_on: date, user_id: int | None = None,
           slug: str = COURSE) -> None:
    session.add(CourseAssignment(organisation_id=organisation_id, course_id=course_id(session, slug),
                                 user_id=user_id, due_on=due_on, created_at=utcnow() - timedelta(days=60)))
    session.flush()
