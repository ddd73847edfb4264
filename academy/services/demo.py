"""Synthetic demo data on the real content: organisations, learners, their enrolments, reading,
quiz attempts (with answers and branching choices) and certificates, some expired, some revoked.

The same seed always gives the same data. Volume is what this is for (benchmarks run it with
100,000 learners), so rows are built as plain dicts and written with bulk ``INSERT``s in batches;
the real rules still decide what a row says: quiz layouts are drawn and graded by
``domain.grading``, expiry dates come from ``domain.certification``, codes and identity hashes
are made the way the certificates service makes them. Answers and branching choices are stored
for the first :data:`DETAILED_LEARNERS` learners; attempts of the others carry their score only.

Demo learners cannot sign in (their password is random and thrown away); an admin can issue one a
reset link to look around as them. Everything is written in one transaction.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from academy.domain import certificate_codes, demo, grading, open_badges
from academy.domain.certification import add_months
from academy.domain.quiz_format import BranchingScenario, QuizDef
from academy.models import (
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    BranchingChoice,
    Certificate,
    Course,
    CourseVersion,
    Enrolment,
    ModuleProgress,
    ModuleVersion,
    Organisation,
    Origin,
    QuizVersion,
    Role,
    User,
)

from . import analytics_summaries, audit
from .accounts import JOIN_CODE_ALPHABET
from .errors import Conflict, NotFound

#: Learners handled (and users inserted) per batch.
BATCH = 2000
#: Learners whose attempts keep every answer and branching choice.
DETAILED_LEARNERS = 2000
#: How far back the story goes: long enough for two-year certificates to have expired.
HISTORY_DAYS = 1100
#: Layouts drawn per quiz for the attempts that keep no answers.
LAYOUT_POOL = 8
REVOKED_SHARE = 0.03
NO_COURSE = ("No course is published, so there is nothing to enrol demo learners in. "
             "Run `flask --app app content sync` first.")


@dataclass(frozen=True)
class SeedReport:
    organisations: int
    learners: int
    enrolments: int
    module_progress: int
    attempts: int
    answers: int
    branching_choices: int
    certificates: int
    expired: int
    revoked: int


@dataclass
class _Quiz:
    quiz_id: int
    version_id: int
    module_id: int | None
    is_final: bool
    pass_mark: int
    attempts_allowed: int | None
    time_limit: int | None
    definition: QuizDef
    #: Layouts for the attempts that keep no answers: (layout as stored, points possible).
    pool: list[tuple[dict[str, Any], int]] = field(default_factory=list)


@dataclass
class _Course:
    course_id: int
    version_id: int
    title: str
    certificate_title: str
    valid_for_months: int | None
    #: (module id, minutes to read), in order.
    modules: list[tuple[int, int]]
    by_module: dict[int, list[_Quiz]]
    #: Quizzes not tied to a module (simulations, the final exam): taken once every module is done.
    closing: list[_Quiz]


@dataclass
class _Rows:
    """Rows waiting to be inserted, by model."""

    enrolments: list[dict[str, Any]] = field(default_factory=list)
    progress: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    #: Attempts with their answers and choices (inserted one by one for their ids).
    detailed: list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Counts:
    enrolments: int = 0
    progress: int = 0
    attempts: int = 0
    answers: int = 0
    choices: int = 0
    certificates: int = 0
    expired: int = 0
    revoked: int = 0


def _courses(session: Session, rng: random.Random) -> list[_Course]:
    courses = []
    rows = session.execute(select(Course.id, CourseVersion).order_by(Course.id)
                           .join(CourseVersion, CourseVersion.id == Course.current_version_id)).all()
    for course_id, version in rows:
        modules = [(m.module_id, max(5, m.word_count // 220 + (m.minutes or 0))) for m in session.scalars(
            select(ModuleVersion).where(ModuleVersion.course_version_id == version.id)
            .order_by(ModuleVersion.position))]
        course = _Course(course_id, version.id, version.title, version.certificate_title, version.valid_for_months,
                         modules, {}, [])
        for qv in session.scalars(select(QuizVersion).where(QuizVersion.course_version_id == version.id)
                                  .order_by(QuizVersion.is_final, QuizVersion.id)):
            quiz = _Quiz(qv.quiz_id, qv.id, qv.module_id, qv.is_final, qv.pass_mark, qv.attempts, qv.time_limit,
                         QuizDef.from_dict(qv.definition))
            layouts = [grading.draw_layout(quiz.definition, rng.random()) for _ in range(LAYOUT_POOL)]
            quiz.pool = [(layout.to_dict(), grading.max_points(quiz.definition, layout)) for layout in layouts]
            if qv.module_id is not None and any(m == qv.module_id for m, _ in modules):
                course.by_module.setdefault(qv.module_id, []).append(quiz)
            else:
                course.closing.append(quiz)
        courses.append(course)
    return courses


def _organisations(session: Session, rng: random.Random, names: list[str], now: datetime) -> list[tuple[int, str]]:
    """(id, name) of the demo companies, creating those that do not exist yet."""
    existing = dict(session.execute(select(Organisation.name, Organisation.id)
                                    .where(Organisation.name.in_(names))).all())
    missing = [n for n in names if n not in existing]
    if missing:
        rows = [{"name": n, "join_code": _join_code(rng), "created_at": now - timedelta(days=HISTORY_DAYS + 30)}
                for n in missing]
        ids = session.scalars(insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True), rows)
        existing.update(zip(missing, ids, strict=True))
    return [(existing[n], n) for n in names]


def _join_code(rng: random.Random) -> str:
    return "-".join("".join(rng.choice(JOIN_CODE_ALPHABET) for _ in range(4)) for _ in range(2))


def seed(session: Session, *, learners: int, seed: int, now: datetime,
         detailed: int = DETAILED_LEARNERS) -> SeedReport:
    """Create ``learners`` demo learners and everything they did, reproducibly from ``seed``. Commits."""
    rng = random.Random(seed)
    courses = _courses(session, rng)
    if not courses:
        raise NotFound(NO_COURSE)
    # Every address carries the seed and the learner's number ("name.SEED-N@..."): the first one
    # tells whether this seed was loaded before (with any number of learners).
    if session.scalar(select(func.count(User.id)).where(User.email.like(f"%.{seed}-0@%"))):
        raise Conflict(f"Demo data for seed {seed} is already loaded. Choose another --seed.")
    names = demo.company_names(rng, max(3, min(60, learners // 250)))
    organisations = _organisations(session, rng, names, now)
    password_hash = generate_password_hash(secrets.token_urlsafe(24))
    counts = _Counts()
    for start in range(0, learners, BATCH):
        people = list(_people(seed, range(start, min(learners, start + BATCH)), organisations, password_hash, now))
        ids = _insert_keyed(session, User, [p for p, _ in people], "email")
        rows = _Rows()
        for user_id, (person, index) in zip(ids, people, strict=True):
            learner = _Learner(random.Random(f"{seed}:{index}:story"), rows, now, user_id, person,
                               keep_answers=index < detailed)
            for course in courses:
                learner.take_course(course)
        _write(session, rows, counts, now)
    # A learner who read something signed in to do it: the last sign-in is their last reading.
    last_read = (select(func.max(ModuleProgress.last_viewed_at)).where(ModuleProgress.user_id == User.id)
                 .scalar_subquery())
    session.execute(update(User).where(User.email.like(f"%.{seed}-%@%"), User.last_login_at.is_(None))
                    .values(last_login_at=last_read))
    # Core inserts pass the session events by: count the new attempts in the analytics summaries here.
    analytics_summaries.add(session, Attempt.user_id.in_(select(User.id).where(User.email.like(f"%.{seed}-%@%"))))
    audit.record(session, "demo.seeded", detail={"learners": learners, "seed": seed})
    session.commit()
    return SeedReport(len(organisations), learners, counts.enrolments, counts.progress, counts.attempts,
                      counts.answers, counts.choices, counts.certificates, counts.expired, counts.revoked)


def _email(handle: str, seed: int, index: int, company: str) -> str:
    return f"{handle}.{seed}-{index}@{demo.email_domain(company)}"


def _people(seed: int, indexes: range, organisations: list[tuple[int, str]], password_hash: str,
            now: datetime) -> Iterator[tuple[dict[str, Any], int]]:
    for index in indexes:
        rng = random.Random(f"{seed}:{index}")
        person = demo.person(rng)
        # A few learners sign up on their own, without an organisation.
        organisation = rng.choice(organisations) if rng.random() > 0.06 else None
        company = organisation[1] if organisation else "independent learners"
        yield ({"email": _email(person.handle, seed, index, company), "name": person.name,
                "password_hash": password_hash, "role": Role.LEARNER.value,
                "organisation_id": organisation[0] if organisation else None, "active": rng.random() > 0.01,
                "created_at": now - timedelta(days=HISTORY_DAYS * rng.betavariate(1.3, 2.4) + 1),
                "last_login_at": None}, index)


@dataclass
class _Learner:
    """One demo learner living their story up to ``now``, adding rows as they go."""

    rng: random.Random
    rows: _Rows
    now: datetime
    user_id: int
    person: dict[str, Any]
    keep_answers: bool

    def take_course(self, course: _Course) -> None:
        """Enrol, read, take the quizzes and earn the certificate, as far as they got by now."""
        rng = self.rng
        if rng.random() < 0.1:
            return  # not enrolled in this course
        clock = max(self.person["created_at"], self.now - timedelta(days=HISTORY_DAYS)) + timedelta(
            hours=rng.uniform(0, 48))
        if clock >= self.now:
            return
        self.rows.enrolments.append({"user_id": self.user_id, "course_id": course.course_id, "enrolled_at": clock})
        skill = rng.betavariate(8, 2)
        reach = len(course.modules) if rng.random() < 0.65 else rng.randrange(len(course.modules) + 1)
        for module_id, minutes in course.modules[:reach]:
            clock += timedelta(hours=rng.uniform(0.5, 96))
            if clock >= self.now:
                return
            seconds = int(minutes * 60 * rng.uniform(0.5, 1.6))
            viewed = clock
            clock += timedelta(seconds=seconds)
            quizzes = course.by_module.get(module_id, [])
            passed_all = all(self.take_quiz(quiz, skill, clock) is not None for quiz in quizzes)
            clock += timedelta(minutes=30)
            self.rows.progress.append({
                "user_id": self.user_id, "course_id": course.course_id, "module_id": module_id,
                "first_viewed_at": viewed, "last_viewed_at": min(clock, self.now),
                "completed_at": min(clock, self.now) if passed_all else None, "visits": rng.randint(1, 4),
                "seconds_spent": seconds})
            if not passed_all:
                return
        if reach < len(course.modules):
            return
        best = None
        for quiz in course.closing:
            clock += timedelta(hours=rng.uniform(1, 72))
            score = self.take_quiz(quiz, skill, clock)
            if score is None:
                return
            if quiz.is_final:
                best = score
        clock += timedelta(hours=2)
        if clock < self.now:
            self.rows.certificates.append(self.certificate(course, best, clock))

    def take_quiz(self, quiz: _Quiz, skill: float, clock: datetime) -> int | None:
        """Attempt ``quiz`` up to three times; the passing score, or None if the learner never passed."""
        rng = self.rng
        for attempt_number in range(min(3, quiz.attempts_allowed or 3)):
            started = clock + timedelta(hours=24 * attempt_number)
            finished = started + timedelta(minutes=rng.uniform(3, min(quiz.time_limit or 25, 25)))
            if finished >= self.now:
                return None
            # A second attempt comes after reading the feedback: a little better on average.
            knowledge = min(0.98, skill + 0.1 * attempt_number)
            if self.keep_answers:
                layout = grading.draw_layout(quiz.definition, rng.random())
                answers, choices, grade = self.answer(quiz, layout, knowledge, started)
                stored_layout = layout.to_dict()
            else:
                stored_layout, possible = rng.choice(quiz.pool)
                answers, choices, grade = [], [], self.quick_grade(quiz, possible, knowledge)
            attempt = {"token": f"{rng.getrandbits(128):032x}", "user_id": self.user_id, "quiz_id": quiz.quiz_id,
                       "quiz_version_id": quiz.version_id, "started_at": started,
                       "deadline_at": started + timedelta(minutes=quiz.time_limit) if quiz.time_limit else None,
                       "submitted_at": finished, "status": AttemptStatus.SUBMITTED.value,
                       "score_percent": grade.percent, "points": grade.points, "max_points": grade.max_points,
                       "passed": grade.passed, "critical_error": grade.critical_error, "layout": stored_layout,
                       "submission_key": None}
            if self.keep_answers:
                for answer in answers:
                    answer["saved_at"] = finished
                self.rows.detailed.append((attempt, answers, choices))
            else:
                self.rows.attempts.append(attempt)
            if grade.passed:
                return grade.percent
        return None

    def quick_grade(self, quiz: _Quiz, possible: int, knowledge: float) -> grading.Grade:
        """A plausible grade without answers: about ``knowledge`` of the ``possible`` points, give or take."""
        points = max(0, min(possible, round(possible * self.rng.gauss(knowledge, 0.12))))
        percent = points * 100 // possible if possible else 0
        return grading.Grade(points, possible, percent, points * 100 >= quiz.pass_mark * possible, False, (), ())

    def answer(self, quiz: _Quiz, layout: grading.Layout, knowledge: float,
               started: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]], grading.Grade]:
        """Answer every drawn question and walk every drawn branching scenario; grade it for real."""
        rng, definition = self.rng, quiz.definition
        chosen: dict[str, frozenset[str]] = {}
        choices: list[dict[str, Any]] = []
        moment = started
        for item in layout.items:
            moment += timedelta(seconds=rng.uniform(15, 90))
            if item.branching:
                layout.paths[item.key] = self.walk(definition.branching(item.key), knowledge, moment, choices)
                continue
            question = definition.question(item.key)
            model = demo.item_model(f"{quiz.quiz_id}:{item.key}")
            if rng.random() < model.p_correct(knowledge):
                chosen[item.key] = question.correct_keys
            else:
                wrong = [k for k in item.options if k not in question.correct_keys] or list(item.options)
                chosen[item.key] = frozenset({rng.choices(wrong, weights=model.pull(wrong))[0]})
        grade = grading.grade(definition, layout, chosen)
        answers = [{"question_key": q.key, "chosen": sorted(q.chosen), "correct": q.correct, "points": q.points}
                   for q in grade.questions]
        answers += [{"question_key": b.key, "chosen": [p.choice_key for p in b.path],
                     "correct": b.finished and not b.critical, "points": b.points} for b in grade.branching]
        return answers, choices, grade

    def walk(self, scenario: BranchingScenario, knowledge: float, moment: datetime,
             choices: list[dict[str, Any]]) -> list[grading.PathStep]:
        """Make the calls of a branching scenario: the recommended one with probability ``knowledge``."""
        rng = self.rng
        path: list[grading.PathStep] = []
        step = scenario.first_step
        while not step.is_ending:
            recommended = [c for c in step.choices if c.recommended]
            others = [c for c in step.choices if not c.recommended] or step.choices
            choice = recommended[0] if recommended and rng.random() < knowledge else rng.choice(others)
            path.append(grading.PathStep(step.id, choice.key))
            moment += timedelta(seconds=rng.uniform(20, 120))
            choices.append({"scenario_id": scenario.id, "step_id": step.id, "choice_key": choice.key,
                            "points": choice.points, "critical": choice.critical, "at": moment})
            step = scenario.step(choice.next)
        return path

    def certificate(self, course: _Course, score: int | None, issued: datetime) -> dict[str, Any]:
        """The certificate row, made as the certificates service makes one; a few are revoked later."""
        rng = self.rng
        salt = f"{rng.getrandbits(128):032x}"
        code = certificate_codes.parse("".join(rng.choice(certificate_codes.ALPHABET)
                                               for _ in range(certificate_codes.SYMBOLS)))
        revoked = rng.random() < REVOKED_SHARE
        return {"code": code, "user_id": self.user_id, "course_id": course.course_id,
                "course_version_id": course.version_id, "origin": Origin.EARNED.value,
                "holder_name": self.person["name"], "identity_salt": salt,
                "identity_hash": open_badges.identity_hash(self.person["email"], salt),
                "title": course.certificate_title, "course_title": course.title, "score_percent": score,
                "awarded_at": issued, "issued_at": issued,
                "expires_at": add_months(issued, course.valid_for_months) if course.valid_for_months else None,
                "revoked_at": min(self.now, issued + timedelta(days=rng.uniform(1, 120))) if revoked else None,
                "revoked_reason": rng.choice(demo.REVOCATION_REASONS) if revoked else None}


def _insert_keyed(session: Session, model, rows: list[dict[str, Any]], key: str) -> list[int]:
    """Insert ``rows`` and return their ids in order, found again by the unique column ``key``.

    (Faster than ``RETURNING`` with ordered results, which SQLAlchemy reassembles batch by batch.)
    """
    session.execute(model.__table__.insert(), rows)
    column = getattr(model, key)
    ids: dict[Any, int] = {}
    keys = [row[key] for row in rows]
    for start in range(0, len(keys), 500):
        ids.update(session.execute(select(column, model.id).where(column.in_(keys[start:start + 500]))).all())
    return [ids[k] for k in keys]


def _write(session: Session, rows: _Rows, counts: _Counts, now: datetime) -> None:
    """Insert a batch's rows, parents before children."""
    for model, batch in ((Enrolment, rows.enrolments), (ModuleProgress, rows.progress), (Attempt, rows.attempts),
                         (Certificate, rows.certificates)):
        if batch:
            # Core executemany: every value is given, so the ORM's per-row bookkeeping is not needed.
            session.execute(model.__table__.insert(), batch)
    if rows.detailed:
        attempt_ids = _insert_keyed(session, Attempt, [a for a, _, _ in rows.detailed], "token")
        answers = [{**a, "attempt_id": i} for i, (_, batch, _) in zip(attempt_ids, rows.detailed, strict=True)
                   for a in batch]
        choices = [{**c, "attempt_id": i} for i, (_, _, batch) in zip(attempt_ids, rows.detailed, strict=True)
                   for c in batch]
        if answers:
            session.execute(AttemptAnswer.__table__.insert(), answers)
        if choices:
            session.execute(BranchingChoice.__table__.insert(), choices)
        counts.answers += len(answers)
        counts.choices += len(choices)
    counts.enrolments += len(rows.enrolments)
    counts.progress += len(rows.progress)
    counts.attempts += len(rows.attempts) + len(rows.detailed)
    counts.certificates += len(rows.certificates)
    counts.expired += sum(1 for c in rows.certificates
                          if c["expires_at"] is not None and c["expires_at"] <= now and c["revoked_at"] is None)
    counts.revoked += sum(1 for c in rows.certificates if c["revoked_at"] is not None)
