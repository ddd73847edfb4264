"""The learners of one course for its instructors and admins: how far each got, and who is stuck.

Every figure is gathered for the whole course at once, in grouped queries on the course's own rows
(``enrolments.course_id``, ``module_progress.course_id``, ``attempts.quiz_id`` and
``certificates.course_id`` are indexed): no query per learner. The stuck rules are
:mod:`academy.domain.stuck`; they run in Python over those facts, then the list is filtered, sorted
and cut into pages.

Who sees what: admins every published course, instructors the courses they are editors of
(``analytics.visible_courses``); anyone else is told the course does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from academy.domain import assignments as due_rules
from academy.domain import stuck
from academy.domain.progress import Status, Summary
from academy.models import (
    Attempt,
    AttemptStatus,
    Certificate,
    Course,
    CourseAssignment,
    Enrolment,
    ModuleProgress,
    Organisation,
    Quiz,
    QuizVersion,
    User,
)

from . import analytics
from .actors import Actor
from .errors import NotFound
from .organisations import due_rule
from .pagination import PAGE_SIZE, Page

#: The orders the list offers (``?sort=``); the first is the default.
SORTS = ("stuck", "name", "progress", "activity", "failed")
SORT_LABELS = {"stuck": "Stuck first", "name": "Name", "progress": "Least progress first",
               "activity": "Longest inactive first", "failed": "Most failed attempts first"}

#: The CSV download's columns.
COLUMNS = ("name", "email", "organisation", "progress_percent", "modules_done", "modules_total",
           "last_activity", "failed_quiz_attempts", "exam_attempts_used", "exam_attempts_left", "due_on",
           "stuck", "reasons")


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    organisation: str | None
    enrolled_at: datetime
    progress: Summary
    last_activity_at: datetime | None
    failed_attempts: int
    exam_attempts_used: int
    #: None when the exam allows unlimited attempts (or the course has none).
    exam_attempts_left: int | None
    due_on: date | None
    reasons: tuple[stuck.Reason, ...]

    @property
    def is_stuck(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Listing:
    course: analytics.CourseChoice
    page: Page[LearnerRow]
    #: Learners enrolled, and how many of them are stuck (whatever the filter).
    enrolled: int
    stuck: int
    has_exam: bool
    exam_attempts_allowed: int | None


def course_for(session: Session, actor: Actor, slug: str) -> analytics.CourseChoice:
    """The course ``actor`` may see learners of; NotFound otherwise (not telling whether it exists)."""
    course = next((c for c in analytics.visible_courses(session, actor) if c.slug == slug), None)
    if course is None:
        raise NotFound("There is no published course with that name among yours.")
    return course


def _exam(session: Session, course_id: int) -> tuple[int | None, int | None]:
    """(quiz id, attempts allowed) of the course's certification exam, (None, None) without one."""
    row = session.execute(
        select(QuizVersion.quiz_id, QuizVersion.attempts)
        .join(Course, Course.current_version_id == QuizVersion.course_version_id)
        .where(Course.id == course_id, QuizVersion.is_final.is_(True))).first()
    return (row[0], row[1]) if row else (None, None)


def rows(session: Session, course_id: int, now: datetime) -> list[LearnerRow]:
    """Every learner enrolled in the course, with the facts and the stuck reasons (seven queries)."""
    total = analytics._module_count(session, course_id)
    exam_id, allowed = _exam(session, course_id)
    titles = dict(session.execute(
        select(QuizVersion.quiz_id, QuizVersion.title)
        .join(Course, Course.current_version_id == QuizVersion.course_version_id)
        .where(Course.id == course_id)).all())
    quiz_ids = select(Quiz.id).where(Quiz.course_id == course_id)

    learners = session.execute(
        select(Enrolment.user_id, Enrolment.enrolled_at, User.name, User.email, User.created_at,
               User.organisation_id, Organisation.name.label("organisation"))
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Enrolment.course_id == course_id)).all()

    current = analytics._current_modules(course_id)
    in_current = ModuleProgress.module_id.in_(current)
    reading = {r.user_id: r for r in session.execute(
        select(ModuleProgress.user_id,
               func.sum(case((and_(in_current, ModuleProgress.completed_at.is_not(None)), 1), else_=0)).label("done"),
               func.sum(case((in_current, 1), else_=0)).label("started"),
               func.max(ModuleProgress.last_viewed_at).label("last"))
        .where(ModuleProgress.course_id == course_id).group_by(ModuleProgress.user_id))}

    failed = Attempt.passed.is_(False) & (Attempt.status != AttemptStatus.IN_PROGRESS.value)
    attempting = {r.user_id: r for r in session.execute(
        select(Attempt.user_id, func.sum(case((failed, 1), else_=0)).label("failed"),
               func.max(Attempt.started_at).label("last"))
        .where(Attempt.quiz_id.in_(quiz_ids)).group_by(Attempt.user_id))}

    # Quizzes failed twice or more and never passed: few rows, whatever the size of the course.
    stuck_on: dict[int, list[tuple[str, int]]] = defaultdict(list)
    passed_any = func.sum(case((Attempt.passed.is_(True), 1), else_=0))
    failures = func.sum(case((failed, 1), else_=0))
    for user_id, quiz_id, n in session.execute(
            select(Attempt.user_id, Attempt.quiz_id, failures).where(Attempt.quiz_id.in_(quiz_ids))
            .group_by(Attempt.user_id, Attempt.quiz_id)
            .having(and_(failures >= stuck.REPEATED_FAILURES, passed_any == 0))):
        stuck_on[user_id].append((titles.get(quiz_id, "a retired quiz"), int(n)))

    live = (select(Certificate.user_id, Certificate.issued_at, Certificate.expires_at, Certificate.revoked_at)
            .where(Certificate.course_id == course_id, Certificate.superseded_at.is_(None)))
    held = {r.user_id: r for r in session.execute(live)}

    exam: dict[int, tuple[int, bool]] = {}
    if exam_id is not None:
        # Attempts of the current certification cycle: those since the live certificate's issue.
        cycle = live.subquery()
        for user_id, used, passed in session.execute(
                select(Attempt.user_id, func.count(), func.sum(case((Attempt.passed.is_(True), 1), else_=0)))
                .outerjoin(cycle, cycle.c.user_id == Attempt.user_id)
                .where(Attempt.quiz_id == exam_id,
                       or_(cycle.c.issued_at.is_(None), Attempt.started_at >= cycle.c.issued_at))
                .group_by(Attempt.user_id)):
            exam[user_id] = (int(used), bool(passed))

    assigned: dict[int | None, dict[int | None, list[due_rules.DueRule]]] = defaultdict(lambda: defaultdict(list))
    for assignment in session.scalars(select(CourseAssignment).where(CourseAssignment.course_id == course_id)):
        assigned[assignment.organisation_id][assignment.user_id].append(due_rule(assignment))

    found = []
    for learner in learners:
        read = reading.get(learner.user_id)
        tried = attempting.get(learner.user_id)
        last = max((m for m in (read and read.last, tried and tried.last) if m is not None), default=None)
        certificate = held.get(learner.user_id)
        certified = certificate is not None and certificate.revoked_at is None and (
            certificate.expires_at is None or certificate.expires_at > now)
        used, exam_passed = exam.get(learner.user_id, (0, False))
        summary = Summary(total=total, done=int(read.done or 0) if read else 0,
                          started=int(read.started or 0) if read else 0, last_activity_at=last,
                          has_exam=exam_id is not None, exam_passed=exam_passed or certified)
        by_user = assigned.get(learner.organisation_id, {})
        rules = [*by_user.get(None, []), *by_user.get(learner.user_id, [])]
        standing = None
        if rules:
            certificate_held = None if certificate is None else due_rules.HeldCertificate(
                certificate.issued_at, certificate.expires_at, certificate.revoked_at is not None)
            standing = due_rules.standing(rules, joined_at=learner.created_at,
                                          activity=due_rules.Activity(last, certificate_held), now=now)
        facts = stuck.LearnerFacts(
            enrolled_at=learner.enrolled_at, last_activity_at=last,
            finished=certified or summary.status is Status.DONE,
            failed_quizzes=tuple(stuck_on.get(learner.user_id, ())),
            exam_attempts_allowed=allowed if exam_id is not None else None, exam_attempts_used=used,
            exam_passed=exam_passed or certified, due_on=standing.due_on if standing else None,
            overdue=standing is not None and standing.status is due_rules.AssignmentStatus.OVERDUE)
        found.append(LearnerRow(
            learner.user_id, learner.name, learner.email, learner.organisation, learner.enrolled_at, summary, last,
            int(tried.failed or 0) if tried else 0, used, facts.exam_attempts_left, facts.due_on,
            stuck.reasons(facts, now)))
    return found


def _sort_key(sort: str):
    if sort == "name":
        return lambda r: (r.name.casefold(), r.user_id)
    if sort == "progress":
        return lambda r: (r.progress.percent, r.name.casefold(), r.user_id)
    if sort == "activity":
        return lambda r: ((r.last_activity_at or r.enrolled_at).timestamp(), r.name.casefold(), r.user_id)
    if sort == "failed":
        return lambda r: (-r.failed_attempts, r.name.casefold(), r.user_id)
    # Stuck first (most reasons first), then the longest inactive.
    return lambda r: (-len(r.reasons), (r.last_activity_at or r.enrolled_at).timestamp(), r.user_id)


def listing(session: Session, actor: Actor, slug: str, now: datetime, *, stuck_only: bool = False,
            sort: str = SORTS[0], page: int = 1, size: int = PAGE_SIZE) -> Listing:
    """One page of the course's learners, as ``actor`` may see them."""
    course = course_for(session, actor, slug)
    everyone = rows(session, course.id, now)
    shown = sorted((r for r in everyone if r.is_stuck or not stuck_only), key=_sort_key(sort))
    number = min(max(1, page), max(1, -(-len(shown) // size)))
    start = (number - 1) * size
    exam_id, allowed = _exam(session, course.id)
    return Listing(course, Page(shown[start:start + size], len(shown), number, size), len(everyone),
                   sum(1 for r in everyone if r.is_stuck), exam_id is not None, allowed)


def csv_rows(session: Session, actor: Actor, slug: str, now: datetime, *, stuck_only: bool = False,
             sort: str = SORTS[0]) -> tuple[analytics.CourseChoice, Iterator[dict[str, Any]]]:
    """Every learner of the course (the same filter and order as the page) as CSV rows."""
    course = course_for(session, actor, slug)
    shown = sorted((r for r in rows(session, course.id, now) if r.is_stuck or not stuck_only), key=_sort_key(sort))

    def shaped() -> Iterator[dict[str, Any]]:
        for r in shown:
            yield {
                "name": r.name, "email": r.email, "organisation": r.organisation or "",
                "progress_percent": r.progress.percent, "modules_done": r.progress.done,
                "modules_total": r.progress.total,
                "last_activity": r.last_activity_at.strftime("%Y-%m-%d %H:%M") if r.last_activity_at else "",
                "failed_quiz_attempts": r.failed_attempts, "exam_attempts_used": r.exam_attempts_used,
                "exam_attempts_left": "" if r.exam_attempts_left is None else r.exam_attempts_left,
                "due_on": r.due_on.isoformat() if r.due_on else "",
                "stuck": "yes" if r.is_stuck else "no",
                "reasons": "; ".join(_csv_reason(reason) for reason in r.reasons),
            }
    return course, shaped()


def _csv_reason(reason: stuck.Reason) -> str:
    if reason.kind is stuck.Kind.OVERDUE and reason.due_on:
        return f"Assignment overdue (due {reason.due_on.isoformat()})"
    return reason.sentence()
