"""Learning records as xAPI statements: module views and completions, quiz results, answers and
certificates, read straight from the tables and streamed in batches.

Each kind of record is one query read with ``yield_per``; question prompts come from the quiz
version an attempt was taken on (parsed once per version and kept for the export).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from academy.domain import xapi
from academy.domain.filters import DateRange, FilterError, parse_text
from academy.domain.quiz_format import QuizDef
from academy.models import (
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    Certificate,
    Course,
    CourseVersion,
    Module,
    ModuleProgress,
    ModuleVersion,
    Quiz,
    QuizVersion,
    User,
)

from .errors import InvalidInput

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Scope:
    """Which records to export: a date range (on each record's own time) and one course or all."""

    dates: DateRange = DateRange()
    course_id: int | None = None


def resolve_course(session: Session, slug: str | None) -> int | None:
    """The id of the course with this slug; None for no filter; InvalidInput when unknown."""
    try:
        slug = parse_text("course", slug)
    except FilterError as exc:
        raise InvalidInput(str(exc), {"course": [str(exc)]}) from None
    if not slug:
        return None
    course_id = session.scalar(select(Course.id).where(Course.slug == slug))
    if course_id is None:
        raise InvalidInput(f"There is no course with the slug {slug!r}.", {"course": ["No such course."]})
    return course_id


def _within(stmt: Select, column, scope: Scope) -> Select:
    start, end = scope.dates.start(), scope.dates.end()
    if start:
        stmt = stmt.where(column >= start)
    if end:
        stmt = stmt.where(column < end)
    if scope.course_id is not None:
        stmt = stmt.where(Course.id == scope.course_id)
    return stmt


def _stream(session: Session, stmt: Select):
    return session.execute(stmt.execution_options(yield_per=BATCH_SIZE))


def _module_events(session: Session, scope: Scope, site: xapi.Site) -> Iterator[xapi.Event]:
    current = aliased(ModuleVersion)
    base = (select(ModuleProgress.id, ModuleProgress.first_viewed_at, ModuleProgress.completed_at,
                   ModuleProgress.seconds_spent, User.name, User.email, Course.slug,
                   CourseVersion.title.label("course_title"), Module.slug.label("module_slug"),
                   current.title.label("module_title"))
            .join(User, User.id == ModuleProgress.user_id)
            .join(Module, Module.id == ModuleProgress.module_id)
            .join(Course, Course.id == ModuleProgress.course_id)
            # A withdrawn course has no current version; its records are exported all the same.
            .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
            .outerjoin(current, (current.module_id == Module.id)
                       & (current.course_version_id == Course.current_version_id)))
    for row in _stream(session, _within(base, ModuleProgress.first_viewed_at, scope).order_by(ModuleProgress.id)):
        actor, course, module = _module_parts(row, site)
        yield xapi.ModuleViewed(row.id, actor, course, module, row.first_viewed_at)
    completed = _within(base.where(ModuleProgress.completed_at.is_not(None)), ModuleProgress.completed_at, scope)
    for row in _stream(session, completed.order_by(ModuleProgress.id)):
        actor, course, module = _module_parts(row, site)
        yield xapi.ModuleCompleted(row.id, actor, course, module, row.completed_at, row.seconds_spent)


def _module_parts(row, site: xapi.Site) -> tuple[xapi.Actor, xapi.Activity, xapi.Activity]:
    return (xapi.Actor(row.name, row.email), site.course(row.slug, row.course_title or row.slug),
            site.module(row.slug, row.module_slug, row.module_title or row.module_slug))


def _finished_attempts(scope: Scope) -> Select:
    return _within(
        select(Attempt.id, Attempt.started_at, Attempt.submitted_at, Attempt.score_percent, Attempt.points,
               Attempt.max_points, Attempt.passed, Attempt.quiz_version_id, User.name, User.email, Course.slug,
               CourseVersion.title.label("course_title"), Quiz.slug.label("quiz_slug"),
               QuizVersion.title.label("quiz_title"))
        .join(User, User.id == Attempt.user_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id)
        .join(Course, Course.id == Quiz.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Attempt.status != AttemptStatus.IN_PROGRESS.value, Attempt.submitted_at.is_not(None)),
        Attempt.submitted_at, scope)


def _attempt_parts(row, site: xapi.Site) -> tuple[xapi.Actor, xapi.Activity, xapi.Activity]:
    return (xapi.Actor(row.name, row.email), site.course(row.slug, row.course_title or row.slug),
            site.quiz(row.slug, row.quiz_slug, row.quiz_title))


def _quiz_events(session: Session, scope: Scope, site: xapi.Site) -> Iterator[xapi.Event]:
    for row in _stream(session, _finished_attempts(scope).order_by(Attempt.id)):
        actor, course, quiz = _attempt_parts(row, site)
        yield xapi.QuizFinished(row.id, actor, course, quiz, row.started_at, row.submitted_at,
                                row.score_percent or 0, row.points or 0, row.max_points, bool(row.passed))


def _answer_events(session: Session, scope: Scope, site: xapi.Site) -> Iterator[xapi.Event]:
    definitions: dict[int, QuizDef] = {}
    answers = _finished_attempts(scope).add_columns(
        AttemptAnswer.id.label("answer_id"), AttemptAnswer.question_key, AttemptAnswer.chosen,
        AttemptAnswer.correct).join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
    for row in _stream(session, answers.order_by(AttemptAnswer.id)):
        if row.quiz_version_id not in definitions:
            definition = session.scalar(select(QuizVersion.definition).where(QuizVersion.id == row.quiz_version_id))
            definitions[row.quiz_version_id] = QuizDef.from_dict(definition)
        actor, course, quiz = _attempt_parts(row, site)
        question = _question(definitions[row.quiz_version_id], row, site)
        yield xapi.QuestionAnswered(row.answer_id, actor, course, quiz, question, tuple(row.chosen or ()),
                                    row.correct, row.submitted_at)


def _question(definition: QuizDef, row, site: xapi.Site) -> xapi.Activity:
    scenario = definition.branching(row.question_key)
    if scenario is not None:
        return site.question(row.slug, row.quiz_slug, row.question_key, scenario.title, correct=None, branching=True)
    question = definition.question(row.question_key)
    prompt = question.prompt if question else row.question_key
    correct = tuple(sorted(question.correct_keys)) if question else None
    return site.question(row.slug, row.quiz_slug, row.question_key, prompt, correct=correct)


def _certificate_events(session: Session, scope: Scope, site: xapi.Site) -> Iterator[xapi.Event]:
    stmt = _within(
        select(Certificate.id, Certificate.code, Certificate.title, Certificate.issued_at, Certificate.score_percent,
               User.name, User.email, Course.slug, Certificate.course_title)
        .join(User, User.id == Certificate.user_id)
        .join(Course, Course.id == Certificate.course_id),
        Certificate.issued_at, scope)
    for row in _stream(session, stmt.order_by(Certificate.id)):
        yield xapi.CertificateEarned(row.id, xapi.Actor(row.name, row.email), site.course(row.slug, row.course_title),
                                     site.certificate(row.code, row.title), row.issued_at, row.score_percent)


def statements(session: Session, scope: Scope, *, base_url: str) -> Iterator[dict[str, Any]]:
    """Every statement in scope: module views and completions, quiz results, answers, certificates."""
    site = xapi.Site(base_url)
    for source in (_module_events, _quiz_events, _answer_events, _certificate_events):
        for event in source(session, scope, site):
            yield xapi.statement(site, event)


def statement_lines(session: Session, scope: Scope, *, base_url: str) -> Iterator[str]:
    """The statements as JSON Lines (one statement and a newline per item)."""
    for body in statements(session, scope, base_url=base_url):
        yield json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"
