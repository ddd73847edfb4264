"""Taking quizzes: start or resume an attempt, autosave answers, walk branching scenarios, submit.

Every write starts with :func:`academy.db.begin_write` and re-reads the attempt under a row lock,
so two requests for the same attempt (a double click, a replayed submit, two workers) are applied
one after the other and the second sees what the first did. Grading happens here, on the server,
against the quiz version the attempt was drawn from; the rules live in :mod:`academy.domain.grading`.

A submission is the busiest write, so :func:`submit` grades *before* it takes the write lock (SQLite
has one for the whole database): what the grade depends on (the posted answers, the drawn layout,
the quiz version, the deadline) cannot change once every simulation of the attempt is finished.
Under the lock it only writes, in :func:`_record`: the attempt is closed by an UPDATE that matches
only while it is still in progress (a concurrent duplicate finds it closed and answers with the
recorded result), its answers go in as one multi-row upsert, and a pass updates progress and
certification. Attempts whose layout can still change (a simulation not finished) or whose time is
up are read and graded under the lock, as every other write here.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from academy.db import begin_write, upsert
from academy.domain import grading
from academy.domain.grading import AnswerError, Layout
from academy.domain.quiz_format import Choice, QuizDef, Step
from academy.models import (
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    BranchingChoice,
    Course,
    Enrolment,
    Module,
    ModuleProgress,
    ModuleVersion,
    Quiz,
    QuizVersion,
    utcnow,
)

from . import analytics_summaries, certificates, progress, version_cache
from .errors import Conflict, Forbidden, InvalidInput, NotFound

#: Longest submission key accepted from the attempt form.
MAX_SUBMISSION_KEY = 64

_NO_QUIZ = "There is no such quiz."
_NO_ATTEMPT = "There is no such attempt."


# --- What the pages show ----------------------------------------------------------------------------

@dataclass
class QuizOverview:
    """A quiz's start page: its rules and the learner's attempts at it."""

    course: Course
    quiz: Quiz
    version: QuizVersion
    definition: QuizDef
    enrolled: bool
    #: Finished attempts, newest first.
    attempts: list[Attempt]
    in_progress: Attempt | None
    #: For a final exam taken to renew a certificate: attempts before this moment (the current
    #: certificate's issue) belong to an earlier certification cycle and do not count.
    cycle_start: datetime | None = None
    #: For a final exam: (slug, title) of the course's modules the learner has still to complete,
    #: in order. The exam opens once this is empty.
    modules_left: tuple[tuple[str, str], ...] = ()

    @property
    def locked(self) -> bool:
        """Whether a new attempt is refused because modules come first (a final exam only)."""
        return bool(self.modules_left)

    @property
    def attempts_left(self) -> int | None:
        """None when unlimited; counts the attempt in progress as used."""
        if self.version.attempts is None:
            return None
        counted = [a for a in self.attempts if self.cycle_start is None or a.started_at >= self.cycle_start]
        used = len(counted) + (1 if self.in_progress else 0)
        return max(self.version.attempts - used, 0)

    @property
    def best(self) -> Attempt | None:
        return max(self.attempts, key=lambda a: (a.passed, a.score_percent or 0), default=None)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)


@dataclass(frozen=True)
class ObjectiveRow:
    label: str
    result: grading.ObjectiveResult


def _humanise(tag: str) -> str:
    """``shared-pool`` -> ``Shared pool``: a readable label for a tag that names no module."""
    return tag.replace("-", " ").capitalize()


@dataclass
class AttemptView:
    """One attempt as its pages need it: the quiz version, the drawn layout and the answers."""

    attempt: Attempt
    course_slug: str
    quiz_slug: str
    definition: QuizDef
    layout: Layout
    #: Question key -> chosen option keys (autosaved, or final once submitted).
    chosen: dict[str, list[str]]
    #: Question key -> the stored, graded answer (empty until the attempt is finished).
    graded: dict[str, AttemptAnswer]
    #: Tag -> what learners read for it: a module's title when the tag names a module of the course.
    tag_labels: dict[str, str] = field(default_factory=dict)

    @property
    def full_review(self) -> bool:
        """Whether the result page may show keys, feedback and explanations (``review: full``)."""
        return self.definition.review != "summary"

    @cached_property
    def objectives(self) -> list[ObjectiveRow]:
        """Per-objective (per-tag) results of a finished attempt, labelled for the learner."""
        if not self.attempt.finished:
            return []
        points = {key: answer.points or 0 for key, answer in self.graded.items()}
        return [ObjectiveRow(self.tag_labels.get(r.tag) or _humanise(r.tag), r)
                for r in grading.objective_results(self.definition, self.layout, points)]

    @cached_property
    def sections(self) -> list[grading.QuestionGroup | grading.BranchingItem]:
        return grading.sections(self.definition, self.layout)

    @property
    def seconds_left(self) -> int | None:
        """Whole seconds until the deadline (0 once passed); None when untimed."""
        if self.attempt.deadline_at is None:
            return None
        return max(0, int((self.attempt.deadline_at - utcnow()).total_seconds()))

    def unanswered(self, chosen: Mapping[str, Collection[str]] | None = None) -> list[grading.AskedQuestion]:
        """Drawn questions with no option chosen (in ``chosen``, else in the saved answers), in order."""
        chosen = self.chosen if chosen is None else chosen
        return [asked for section in self.sections if section.kind != "branching"
                for asked in section.questions if not chosen.get(asked.question.key)]

    @property
    def simulations_only(self) -> bool:
        """Whether the attempt is made of branching simulations alone (no questions to answer)."""
        return not self.layout.question_keys

    @property
    def unfinished(self) -> list[grading.BranchingItem]:
        """Drawn simulations not yet walked to an ending."""
        return [s for s in self.sections if s.kind == "branching" and not s.position.finished]

    def branching_item(self, scenario_id: str) -> grading.BranchingItem:
        """A drawn branching scenario of this attempt, or NotFound."""
        found = next((s for s in self.sections if s.kind == "branching" and s.scenario.id == scenario_id), None)
        if found is None:
            raise NotFound("This attempt has no such scenario.")
        return found

    @staticmethod
    def new_submission_key() -> str:
        """A fresh key for the submit form: a replay of the same form is recognised, not recorded twice."""
        return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Decision:
    """A choice just made in a branching scenario and the step it leads to."""

    step: Step
    choice: Choice
    next_step: Step


@dataclass(frozen=True)
class RecentAttempt:
    """A dashboard line: an attempt, the quiz's title and where it lives."""

    attempt: Attempt
    quiz_title: str
    course_slug: str
    quiz_slug: str


# --- Reading ----------------------------------------------------------------------------------------

def overview(session: Session, user_id: int, course_slug: str, quiz_slug: str, *,
             now: datetime | None = None) -> QuizOverview:
    """The start page of a quiz in its course's published version."""
    result = _overview(session, user_id, course_slug, quiz_slug)
    if result.in_progress is not None and _is_overdue(result.in_progress, now):
        _close_overdue(session, user_id, result.in_progress.token, now)
        result = _overview(session, user_id, course_slug, quiz_slug)
    return result


def attempt_view(session: Session, user_id: int, token: str, *, now: datetime | None = None) -> AttemptView:
    """The learner's own attempt (closing it first if its time ran out); another's is not found."""
    attempt = _own_attempt(session, user_id, token)
    if _is_overdue(attempt, now):
        _close_overdue(session, user_id, token, now)
        attempt = _own_attempt(session, user_id, token)
    return _view(session, attempt)


#: Built once (every dashboard runs it): building a statement costs about as much as running it.
_RECENT = (select(Attempt, QuizVersion.title, Course.slug, Quiz.slug)
           .join(QuizVersion, Attempt.quiz_version_id == QuizVersion.id)
           .join(Quiz, Attempt.quiz_id == Quiz.id)
           .join(Course, Quiz.course_id == Course.id)
           .where(Attempt.user_id == bindparam("user_id"))
           .order_by((Attempt.status == AttemptStatus.IN_PROGRESS.value).desc(), Attempt.started_at.desc(),
                     Attempt.id.desc())
           .limit(bindparam("limit")))


def recent_attempts(session: Session, user_id: int, limit: int = 5) -> list[RecentAttempt]:
    """The learner's attempts for the dashboard: any still in progress first, then the newest."""
    rows = session.execute(_RECENT, {"user_id": user_id, "limit": limit}).all()
    return [RecentAttempt(*row) for row in rows]


def module_checked(session: Session, attempt: Attempt) -> tuple[str, str] | None:
    """(slug, title) of the module the attempt's quiz checks, for "Review this section"; None for a final exam."""
    version = attempt.quiz_version
    if version.module_id is None:
        return None
    row = session.execute(
        select(Module.slug, ModuleVersion.title).join(ModuleVersion, ModuleVersion.module_id == Module.id)
        .where(Module.id == version.module_id, ModuleVersion.course_version_id == version.course_version_id)
    ).first()
    return (row.slug, row.title) if row else None


# --- Writing ----------------------------------------------------------------------------------------

def start(session: Session, user_id: int, course_slug: str, quiz_slug: str, *,
          now: datetime | None = None, seed: int | None = None) -> Attempt:
    """Resume the attempt in progress, or draw a new one if the learner has attempts left."""
    now = now or utcnow()
    begin_write(session)
    current = _overview(session, user_id, course_slug, quiz_slug)
    if current.in_progress is not None and not _is_overdue(current.in_progress, now):
        return current.in_progress
    if current.in_progress is not None:
        _finish_overdue(session, current.in_progress)
        current = _overview(session, user_id, course_slug, quiz_slug)
    if not current.enrolled:
        raise Forbidden("Enrol in this course to take its quizzes.")
    if current.locked:
        raise Forbidden("Complete every module before the certification exam. Still to do: "
                        + ", ".join(title for _, title in current.modules_left) + ".")
    if current.attempts_left == 0:
        raise Forbidden(f"You have used all {current.version.attempts} attempts at this quiz.")
    layout = grading.draw_layout(current.definition, seed if seed is not None else secrets.randbits(64))
    attempt = Attempt(
        token=secrets.token_urlsafe(24), user_id=user_id, quiz_id=current.quiz.id,
        quiz_version_id=current.version.id, started_at=now,
        deadline_at=grading.deadline(now, current.version.time_limit),
        max_points=grading.max_points(current.definition, layout), layout=layout.to_dict(),
    )
    session.add(attempt)
    try:
        session.commit()
    except IntegrityError:
        # Another request started one at the same moment (PostgreSQL; SQLite queues at BEGIN).
        session.rollback()
        resumed = _overview(session, user_id, course_slug, quiz_slug).in_progress
        if resumed is None:
            raise
        return resumed
    return attempt


def save_answers(session: Session, user_id: int, token: str, answers: Mapping[str, Collection[str]], *,
                 now: datetime | None = None) -> None:
    """Autosave: store the options chosen so far (an empty list clears a question)."""
    attempt, definition, layout = _open_for_writing(session, user_id, token, now)
    try:
        checked = grading.check_answers(definition, layout, answers, complete=False)
    except AnswerError as exc:
        raise InvalidInput(str(exc)) from exc
    rows = {a.question_key: a for a in attempt.answers}
    for key in answers:
        chosen = sorted(checked.get(key, ()))
        row = rows.get(key)
        if row is None:
            attempt.answers.append(AttemptAnswer(question_key=key, chosen=chosen, saved_at=now or utcnow()))
        elif row.chosen != chosen:
            row.chosen, row.saved_at = chosen, now or utcnow()
    session.commit()


def choose(session: Session, user_id: int, token: str, scenario_id: str, step_id: str, choice_key: str, *,
           now: datetime | None = None) -> Decision:
    """Make a choice at the current step of a branching scenario.

    Repeating the choice already made at that step (a double click, a reload) answers the same
    decision again without recording anything.
    """
    attempt, definition, layout = _open_for_writing(session, user_id, token, now)
    scenario = definition.branching(scenario_id)
    if scenario is None or scenario_id not in layout.branching_ids:
        raise NotFound("This attempt has no such scenario.")
    path = layout.paths.setdefault(scenario_id, [])
    earlier = next((p for p in path if p.step_id == step_id), None)
    if earlier is not None:
        if earlier.choice_key != choice_key:
            raise Conflict("You have already made this decision; continue from where you are.")
        step = scenario.step(step_id)
        choice = step.choice(choice_key)
        return Decision(step, choice, scenario.step(choice.next))
    try:
        step = grading.position(scenario, path).step
        choice = grading.choose(scenario, path, step_id, choice_key)
    except AnswerError as exc:
        raise InvalidInput(str(exc)) from exc
    attempt.layout = layout.to_dict()
    session.add(BranchingChoice(attempt_id=attempt.id, scenario_id=scenario_id, step_id=step_id,
                                choice_key=choice_key, points=choice.points, critical=choice.critical,
                                at=now or utcnow()))
    if not layout.question_keys and not grading.unfinished_scenarios(definition, layout):
        # A quiz of simulations only ends with its last ending: grade it now, so the learner
        # needs no further step and leaving at the ending still completes the module.
        session.flush()
        _grade(session, attempt, definition, layout, {}, AttemptStatus.SUBMITTED, now or utcnow(),
               submission_key=AttemptView.new_submission_key())
    session.commit()
    return Decision(step, choice, scenario.step(choice.next))


def submit(session: Session, user_id: int, token: str, answers: Mapping[str, Collection[str]],
           submission_key: str, *, now: datetime | None = None) -> Attempt:
    """Grade and close the attempt. A replay of the same submission returns the recorded result.

    Before the deadline every question must be answered and every simulation finished. Within the
    grace after it, the submission counts as it stands; later still, the submitted answers are
    ignored and the attempt is graded on what was saved in time (see ``grading.counts_at``).
    """
    now = now or utcnow()
    if not submission_key or len(submission_key) > MAX_SUBMISSION_KEY:
        raise InvalidInput("The form is incomplete; reload the page and submit again.")
    # Read and grade first, outside the write transaction (see the module's docstring).
    attempt = _own_attempt(session, user_id, token)
    if attempt.finished:
        return _replayed(attempt, submission_key)
    facts = _facts(attempt)
    layout = Layout.from_dict(attempt.layout)
    graded = None
    if not _is_overdue(attempt, now) and not grading.unfinished_scenarios(facts.definition, layout):
        graded = _grade_posted(attempt, facts.definition, layout, answers, now)
    begin_write(session)
    if graded is None:
        # Time is up, or a simulation is still open (its path may change): read again under the lock.
        attempt = _own_attempt(session, user_id, token, lock=True)
        if attempt.finished:
            return _replayed(attempt, submission_key)
        layout = Layout.from_dict(attempt.layout)
        if _is_overdue(attempt, now):
            graded = _grade_saved(attempt, facts.definition, layout), AttemptStatus.EXPIRED, attempt.deadline_at
        else:
            graded = _grade_posted(attempt, facts.definition, layout, answers, now)
    result, status, closed_at = graded
    try:
        recorded = _record(session, attempt, result, status, closed_at, submission_key)
    except IntegrityError as exc:  # the key of another attempt's form
        session.rollback()
        raise Conflict("This form was already used; reload the page and submit again.") from exc
    if not recorded:  # a concurrent request (a double click, a replay) closed it first
        session.rollback()
        return _replayed(_own_attempt(session, user_id, token), submission_key)
    session.commit()
    return attempt


def _replayed(attempt: Attempt, submission_key: str) -> Attempt:
    """A finished attempt submitted again: the same form gets the recorded result, another a Conflict."""
    if attempt.submission_key == submission_key:
        return attempt
    raise Conflict("This attempt has already been submitted.")


def _grade_posted(attempt: Attempt, definition: QuizDef, layout: Layout, answers: Mapping[str, Collection[str]],
                  now: datetime) -> tuple[grading.Grade, AttemptStatus, datetime]:
    """Grade the posted answers of an attempt whose time has not run out (InvalidInput if incomplete)."""
    # Once the clock has run out (the page submits itself), what is left counts as unanswered.
    in_time = attempt.deadline_at is None or now <= attempt.deadline_at
    try:
        checked = grading.check_answers(definition, layout, answers, complete=in_time)
    except AnswerError as exc:
        raise InvalidInput(str(exc)) from exc
    unfinished = grading.unfinished_scenarios(definition, layout)
    if unfinished and in_time:
        raise InvalidInput(f"Finish the simulation “{unfinished[0].title}” before submitting.")
    return grading.grade(definition, layout, checked), AttemptStatus.SUBMITTED, now


# --- Internals --------------------------------------------------------------------------------------

def _overview(session: Session, user_id: int, course_slug: str, quiz_slug: str) -> QuizOverview:
    row = session.execute(
        select(Course, Quiz, QuizVersion)
        .join(Quiz, Quiz.course_id == Course.id)
        .join(QuizVersion, (QuizVersion.quiz_id == Quiz.id)
              & (QuizVersion.course_version_id == Course.current_version_id))
        .where(Course.slug == course_slug, Quiz.slug == quiz_slug)
    ).first()
    if row is None:
        raise NotFound(_NO_QUIZ)
    course, quiz, version = row
    attempts = session.scalars(
        select(Attempt).where(Attempt.user_id == user_id, Attempt.quiz_id == quiz.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    ).all()
    enrolled = session.scalar(
        select(func.count()).select_from(Enrolment)
        .where(Enrolment.user_id == user_id, Enrolment.course_id == course.id)
    ) > 0
    cycle_start, modules_left = None, ()
    if version.is_final:
        held = certificates.live_certificate(session, user_id, course.id)
        cycle_start = held.issued_at if held is not None else None
        modules_left = _modules_left(session, user_id, course.current_version_id)
    return QuizOverview(
        course=course, quiz=quiz, version=version, definition=QuizDef.from_dict(version.definition),
        enrolled=enrolled, attempts=[a for a in attempts if a.finished],
        in_progress=next((a for a in attempts if not a.finished), None), cycle_start=cycle_start,
        modules_left=modules_left,
    )


def _modules_left(session: Session, user_id: int, course_version_id: int) -> tuple[tuple[str, str], ...]:
    """(slug, title) of the version's modules the learner has not completed, in course order."""
    rows = session.execute(
        select(Module.slug, ModuleVersion.title, ModuleProgress.completed_at)
        .join(Module, Module.id == ModuleVersion.module_id)
        .outerjoin(ModuleProgress, (ModuleProgress.module_id == ModuleVersion.module_id)
                   & (ModuleProgress.user_id == user_id))
        .where(ModuleVersion.course_version_id == course_version_id)
        .order_by(ModuleVersion.position))
    return tuple((slug, title) for slug, title, completed_at in rows if completed_at is None)


def _own_attempt(session: Session, user_id: int, token: str, *, lock: bool = False) -> Attempt:
    query = select(Attempt).where(Attempt.token == token, Attempt.user_id == user_id)
    if lock:
        query = query.with_for_update()
    attempt = session.scalar(query.execution_options(populate_existing=True))
    if attempt is None:
        raise NotFound(_NO_ATTEMPT)
    return attempt


@dataclass(frozen=True)
class VersionFacts:
    """What grading and a pass need of a quiz version; none of it ever changes for a version."""

    definition: QuizDef
    course_id: int
    #: The module the quiz checks; None for a final exam.
    module_id: int | None


def _read_facts(attempt: Attempt) -> VersionFacts:
    definition, module_id, course_id = object_session(attempt).execute(
        select(QuizVersion.definition, QuizVersion.module_id, Quiz.course_id)
        .join(Quiz, Quiz.id == QuizVersion.quiz_id).where(QuizVersion.id == attempt.quiz_version_id)
    ).one()
    return VersionFacts(QuizDef.from_dict(definition), course_id, module_id)


def _facts(attempt: Attempt) -> VersionFacts:
    """The attempt's quiz version, from the app's cache (parsed afresh outside an app)."""
    return version_cache.cached(object_session(attempt), "academy.quiz_definitions", 64, attempt.quiz_version_id,
                                lambda: _read_facts(attempt))


def _definition(attempt: Attempt) -> tuple[QuizDef, Layout]:
    return _facts(attempt).definition, Layout.from_dict(attempt.layout)


def _view(session: Session, attempt: Attempt) -> AttemptView:
    definition, layout = _definition(attempt)
    quiz_slug, course_slug = session.execute(
        select(Quiz.slug, Course.slug).join(Course, Quiz.course_id == Course.id).where(Quiz.id == attempt.quiz_id)
    ).one()
    return AttemptView(
        attempt=attempt, course_slug=course_slug, quiz_slug=quiz_slug, definition=definition, layout=layout,
        chosen={a.question_key: list(a.chosen) for a in attempt.answers},
        graded={a.question_key: a for a in attempt.answers} if attempt.finished else {},
        tag_labels=_module_labels(session, attempt.quiz_version.course_version_id) if attempt.finished else {},
    )


def _module_labels(session: Session, course_version_id: int) -> dict[str, str]:
    """Module titles by the tags that name them: the file name without ``.md`` and the module slug."""
    rows = session.execute(
        select(ModuleVersion.file_name, Module.slug, ModuleVersion.title)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(ModuleVersion.course_version_id == course_version_id)
    ).all()
    labels = {}
    for file_name, slug, title in rows:
        labels[file_name.removesuffix(".md")] = labels[slug] = title
    return labels


def _is_overdue(attempt: Attempt, now: datetime | None) -> bool:
    return not attempt.finished and not grading.counts_at(attempt.deadline_at, now or utcnow())


def _open_for_writing(session: Session, user_id: int, token: str,
                      now: datetime | None) -> tuple[Attempt, QuizDef, Layout]:
    """Lock the learner's attempt for a change; refuse if it is finished or its time is up."""
    begin_write(session)
    attempt = _own_attempt(session, user_id, token, lock=True)
    if _is_overdue(attempt, now):
        _finish_overdue(session, attempt)
        session.commit()
        raise Conflict("Time is up: your attempt was graded with the answers saved before the deadline.")
    if attempt.finished:
        raise Conflict("This attempt is finished; its answers can no longer change.")
    definition, layout = _definition(attempt)
    return attempt, definition, layout


def _close_overdue(session: Session, user_id: int, token: str, now: datetime | None) -> None:
    """Grade an attempt whose time ran out, unless another request got there first."""
    session.rollback()
    begin_write(session)
    attempt = _own_attempt(session, user_id, token, lock=True)
    if _is_overdue(attempt, now):
        _finish_overdue(session, attempt)
    session.commit()


def _finish_overdue(session: Session, attempt: Attempt) -> None:
    """Time ran out: grade the answers saved in time; it closed at its deadline."""
    definition, layout = _definition(attempt)
    _record(session, attempt, _grade_saved(attempt, definition, layout), AttemptStatus.EXPIRED, attempt.deadline_at)


def _grade_saved(attempt: Attempt, definition: QuizDef, layout: Layout) -> grading.Grade:
    saved = {a.question_key: a.chosen for a in attempt.answers if a.question_key in layout.question_keys}
    return grading.grade(definition, layout, grading.check_answers(definition, layout, saved, complete=False))


def _grade(session: Session, attempt: Attempt, definition: QuizDef, layout: Layout,
           answers: dict[str, frozenset[str]], status: AttemptStatus, closed_at: datetime, *,
           submission_key: str | None = None) -> None:
    """Grade ``answers`` and record the result (see :func:`_record`)."""
    _record(session, attempt, grading.grade(definition, layout, answers), status, closed_at, submission_key)


def _record(session: Session, attempt: Attempt, result: grading.Grade, status: AttemptStatus,
            closed_at: datetime, submission_key: str | None = None) -> bool:
    """Every write of closing an attempt, in the caller's write transaction (not committed here).

    Closes the attempt only if it is still in progress (False, and nothing written, when another
    request closed it first), stores every answer with its grade in one statement, and on a pass
    reports progress and certification.
    """
    values = {"status": status.value, "submitted_at": closed_at, "points": result.points,
              "max_points": result.max_points, "score_percent": result.percent, "passed": result.passed,
              "critical_error": result.critical_error, "submission_key": submission_key}
    closed = session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS.value)
        .values(values).execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        return False
    analytics_summaries.finished_by_core(session, attempt.id)  # the UPDATE is not an ORM change it sees
    for key, value in values.items():  # the object now says what the row says, without a re-read
        set_committed_value(attempt, key, value)
    rows = [{"attempt_id": attempt.id, "question_key": q.key, "chosen": sorted(q.chosen), "correct": q.correct,
             "points": q.points, "saved_at": closed_at} for q in result.questions]
    rows += [{"attempt_id": attempt.id, "question_key": b.key, "chosen": [p.choice_key for p in b.path],
              "correct": b.finished and not b.critical, "points": b.points, "saved_at": closed_at}
             for b in result.branching]
    if rows:
        # One executemany at the Core level (the ORM's bulk path costs more Python than the SQL);
        # the UPDATE above went through the session, so it knows this transaction writes.
        session.connection().execute(_answers_upsert(session), rows)
    if "answers" in attempt.__dict__:
        session.expire(attempt, ["answers"])  # read again, graded, when next asked for
    if result.passed:
        _after_pass(session, attempt, closed_at)
    return True


#: The answers' upsert statement per database dialect, built once.
_ANSWER_UPSERTS: dict[str, Any] = {}


def _answers_upsert(session: Session):
    """INSERT of graded answers; an answer autosaved earlier keeps its row (and its saved_at)."""
    dialect = session.get_bind().dialect.name
    statement = _ANSWER_UPSERTS.get(dialect)
    if statement is None:
        insert = upsert(session, AttemptAnswer.__table__)
        statement = _ANSWER_UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=["attempt_id", "question_key"],
            set_={"chosen": insert.excluded.chosen, "correct": insert.excluded.correct,
                  "points": insert.excluded.points})
    return statement


def _after_pass(session: Session, attempt: Attempt, now: datetime) -> None:
    """Complete the module once all its quizzes are passed; issue the certificate if now due."""
    facts = _facts(attempt)
    if facts.module_id is not None and _module_quizzes_passed(session, attempt.user_id, facts.course_id,
                                                              facts.module_id):
        progress.complete_module(session, attempt.user_id, facts.module_id, course_id=facts.course_id)
    certificates.issue_if_due(session, attempt.user_id, facts.course_id, now=now)


def _module_quizzes_passed(session: Session, user_id: int, course_id: int, module_id: int) -> bool:
    """Whether the learner has passed every quiz that the published course sets for the module."""
    current = select(Course.current_version_id).where(Course.id == course_id).scalar_subquery()
    passed = exists().where(Attempt.user_id == user_id, Attempt.quiz_id == QuizVersion.quiz_id,
                            Attempt.passed.is_(True))
    left = session.scalar(
        select(func.count()).select_from(QuizVersion)
        .where(QuizVersion.course_version_id == current, QuizVersion.module_id == module_id, ~passed))
    return left == 0
