"""Analytics for instructors and admins: activity by week, quiz results, questions, branching calls
and progress by organisation. Every figure is aggregated in SQL (``GROUP BY``); Python only lays
the few resulting rows out against the quiz definitions.

Who sees what: admins every course, instructors the courses they are editors of (the rule of
``authoring.may_edit``).

Per-question figures count the attempts taken on quiz versions whose file is identical to the
current one (same content hash): option letters then mean the same thing in every attempt
counted. Question keys are stable, so an edited quiz starts its per-option counts afresh while
its history stays in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from academy.domain import item_statistics as istats
from academy.domain.item_text import plain
from academy.domain.quiz_format import QuizDef
from academy.models import (
    Attempt,
    AttemptStatus,
    Certificate,
    Course,
    CourseEditor,
    CourseVersion,
    Enrolment,
    ModuleProgress,
    ModuleVersion,
    OptionCount,
    Organisation,
    QuestionSums,
    Quiz,
    QuizResultBucket,
    QuizResultDay,
    QuizVersion,
    Role,
    StepChoiceCount,
    User,
    VersionTotals,
)

from .actors import Actor
from .analytics_summaries import BUCKETS
from .errors import Forbidden, NotFound
from .sql_dates import day_start, week_start


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- which courses ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CourseChoice:
    id: int
    slug: str
    title: str


def visible_courses(session: Session, actor: Actor) -> list[CourseChoice]:
    """The published courses ``actor`` may see analytics of, by title."""
    stmt = (select(Course.id, Course.slug, CourseVersion.title)
            .join(CourseVersion, CourseVersion.id == Course.current_version_id).order_by(CourseVersion.title))
    if actor.role != Role.ADMIN:
        stmt = stmt.join(CourseEditor, CourseEditor.course_id == Course.id).where(CourseEditor.user_id == actor.user_id)
    return [CourseChoice(*row) for row in session.execute(stmt)]


def choose_course(session: Session, actor: Actor, slug: str | None) -> CourseChoice | None:
    """The course asked for (or the first visible one); Forbidden when ``actor`` may not see it."""
    courses = visible_courses(session, actor)
    if not slug:
        return courses[0] if courses else None
    found = next((c for c in courses if c.slug == slug), None)
    if found is None:
        if session.scalar(select(Course.id).where(Course.slug == slug)) is None:
            raise NotFound("There is no published course with that name.")
        raise Forbidden("You are not an editor of this course, so its analytics are not shown to you.")
    return found


# --- activity by week ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Week:
    #: The Monday of the week (or the day, from :func:`daily_activity`).
    start: date
    enrolments: int
    completions: int
    certificates: int


def _weekly(session: Session, column, stmt, since: datetime, bucket=week_start) -> dict[date, int]:
    week = bucket(column)
    rows = session.execute(stmt.add_columns(week, func.count()).where(column >= since).group_by(week))
    return {_as_date(w): n for w, n in rows}


def _as_date(value) -> date:
    # SQLite returns the date as text, PostgreSQL as a date.
    return value if isinstance(value, date) else date.fromisoformat(value)


def _current_modules(course_id: int):
    """The module ids of the course's current version (a subquery)."""
    return (select(ModuleVersion.module_id).join(Course, Course.current_version_id == ModuleVersion.course_version_id)
            .where(Course.id == course_id))


def _module_count(session: Session, course_id: int) -> int:
    return session.scalar(select(func.count()).select_from(_current_modules(course_id).subquery())) or 0


def _completions(course_id: int, modules: int, since: datetime | None):
    """(user, moment) of each learner who has completed every module of the course's current version,
    their last module at ``since`` or later (None: ever).

    Only learners who completed some module since then can have (a course completion's moment is its
    last module's): the index on (course_id, completed_at) finds them, so the cost follows the period,
    not the course's whole history."""
    recent = (ModuleProgress.user_id.in_(select(ModuleProgress.user_id).where(
        ModuleProgress.course_id == course_id, ModuleProgress.completed_at >= since)) if since is not None else true())
    return (select(ModuleProgress.user_id, func.max(ModuleProgress.completed_at).label("at"))
            .where(ModuleProgress.course_id == course_id, ModuleProgress.completed_at.is_not(None),
                   ModuleProgress.module_id.in_(_current_modules(course_id)), recent)
            .group_by(ModuleProgress.user_id).having(func.count() >= max(1, modules)).subquery())


def weekly_activity(session: Session, course_id: int, *, weeks: int, today: date) -> list[Week]:
    """Enrolments, course completions and certificates issued per week, the last ``weeks`` weeks."""
    first = monday(today) - timedelta(weeks=weeks - 1)
    return _activity(session, course_id, [first + timedelta(weeks=i) for i in range(weeks)], week_start)


def daily_activity(session: Session, course_id: int, *, days: int, today: date) -> list[Week]:
    """The same per day (UTC), the last ``days`` days up to ``today`` (each ``Week.start`` is the day)."""
    return _activity(session, course_id, [today - timedelta(days=days - 1 - i) for i in range(days)], day_start)


def _activity(session: Session, course_id: int, starts: list[date], bucket) -> list[Week]:
    since = datetime.combine(starts[0], time.min, UTC)
    enrolments = _weekly(session, Enrolment.enrolled_at,
                         select().select_from(Enrolment).where(Enrolment.course_id == course_id), since, bucket)
    done = _completions(course_id, _module_count(session, course_id), since)
    completions = _weekly(session, done.c.at, select().select_from(done), since, bucket)
    certificates = _weekly(session, Certificate.issued_at,
                           select().select_from(Certificate).where(Certificate.course_id == course_id), since,
                           bucket)
    return [Week(w, enrolments.get(w, 0), completions.get(w, 0), certificates.get(w, 0)) for w in starts]


@dataclass(frozen=True)
class Headline:
    """The figures at the top of the analytics page, over one period."""

    enrolments: int
    completions: int
    certificates: int
    #: Finished attempts at the certification exam in the period, and how many passed.
    exam_attempts: int
    exam_passed: int

    @property
    def exam_pass_rate(self) -> int | None:
        return round(100 * self.exam_passed / self.exam_attempts) if self.exam_attempts else None


def headline(session: Session, course_id: int, since: datetime | None) -> Headline:
    """Enrolments, completions, certificates issued and the exam's pass rate from ``since`` (None: all time)."""
    def after(column):
        return column >= since if since is not None else true()

    enrolments = session.scalar(select(func.count()).select_from(Enrolment)
                                .where(Enrolment.course_id == course_id, after(Enrolment.enrolled_at)))
    done = _completions(course_id, _module_count(session, course_id), since)
    completions = session.scalar(select(func.count()).select_from(done).where(after(done.c.at)))
    certificates = session.scalar(select(func.count()).select_from(Certificate)
                                  .where(Certificate.course_id == course_id, after(Certificate.issued_at)))
    exam = (select(QuizVersion.quiz_id).join(Course, Course.current_version_id == QuizVersion.course_version_id)
            .where(Course.id == course_id, QuizVersion.is_final.is_(True)))
    attempts, passed = _exam_results(session, exam, since)
    return Headline(enrolments or 0, completions or 0, certificates or 0, attempts, passed)


def _exam_results(session: Session, exam, since: datetime | None) -> tuple[int, int]:
    """Finished attempts at the exam submitted from ``since``, and passes: from the per-day summary when
    ``since`` starts a day (UTC), as the page's periods do; from the attempts themselves otherwise."""
    if since is None or since.astimezone(UTC).timetz() == time.min.replace(tzinfo=UTC):
        day = QuizResultDay.day >= since.astimezone(UTC).date() if since is not None else true()
        found = session.execute(select(func.sum(QuizResultDay.attempts), func.sum(QuizResultDay.passed))
                                .where(QuizResultDay.quiz_id.in_(exam), day)).one()
    else:
        found = session.execute(
            select(func.count(), func.sum(case((Attempt.passed.is_(True), 1), else_=0)))
            .where(Attempt.quiz_id.in_(exam), _FINISHED, Attempt.submitted_at.is_not(None),
                   Attempt.submitted_at >= since)).one()
    return int(found[0] or 0), int(found[1] or 0)


def first_day(session: Session, course_id: int) -> date:
    """The day the course's records begin: its first enrolment or its publication, whichever came first."""
    created, first = session.execute(
        select(Course.created_at, select(func.min(Enrolment.enrolled_at)).where(Enrolment.course_id == course_id)
               .scalar_subquery()).where(Course.id == course_id)).one()
    moments = [m for m in (created, first) if m is not None]
    if moments and isinstance(moments[-1], str):  # SQLite hands a scalar subquery's timestamp back as text
        moments[-1] = datetime.fromisoformat(moments[-1])
    return min(m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments).date()


# --- quizzes ----------------------------------------------------------------------------------

_FINISHED = Attempt.status != AttemptStatus.IN_PROGRESS.value


@dataclass(frozen=True)
class QuizSummary:
    quiz_id: int
    slug: str
    title: str
    is_final: bool
    attempts: int
    passed: int
    #: Attempts per score bucket: 0-9 %, 10-19 %, ..., 90-100 %.
    buckets: tuple[int, ...]

    @property
    def pass_rate(self) -> int | None:
        return round(100 * self.passed / self.attempts) if self.attempts else None


def quiz_summaries(session: Session, course_id: int, *, only: int | None = None) -> list[QuizSummary]:
    """Each quiz of the course's current version (or ``only`` that one): attempts, passes, score distribution."""
    quizzes = session.execute(
        select(QuizVersion.quiz_id, Quiz.slug, QuizVersion.title, QuizVersion.is_final)
        .join(Quiz, Quiz.id == QuizVersion.quiz_id)
        .join(Course, Course.current_version_id == QuizVersion.course_version_id)
        .outerjoin(ModuleVersion, (ModuleVersion.module_id == QuizVersion.module_id)
                   & (ModuleVersion.course_version_id == QuizVersion.course_version_id))
        .where(Course.id == course_id, QuizVersion.quiz_id == only if only is not None else true())
        .order_by(QuizVersion.is_final, func.coalesce(ModuleVersion.position, 999), QuizVersion.title)).all()
    counts: dict[int, list[int]] = {}
    passes: dict[int, int] = {}
    rows = session.execute(
        select(QuizResultBucket.quiz_id, QuizResultBucket.bucket, QuizResultBucket.attempts, QuizResultBucket.passed)
        .where(QuizResultBucket.quiz_id.in_([q.quiz_id for q in quizzes])))
    for quiz_id, index, count, passed in rows:
        counts.setdefault(quiz_id, [0] * BUCKETS)[int(index)] += count
        passes[quiz_id] = passes.get(quiz_id, 0) + int(passed or 0)
    return [QuizSummary(q.quiz_id, q.slug, q.title, q.is_final, sum(counts.get(q.quiz_id, ())),
                        passes.get(q.quiz_id, 0), tuple(counts.get(q.quiz_id, [0] * BUCKETS))) for q in quizzes]


@dataclass(frozen=True)
class OptionStat:
    key: str
    text_html: str
    correct: bool
    chosen: int


@dataclass(frozen=True)
class QuestionStat:
    key: str
    prompt: str
    answered: int
    correct: int
    options: tuple[OptionStat, ...]

    @property
    def correct_rate(self) -> int | None:
        return round(100 * self.correct / self.answered) if self.answered else None

    @property
    def sort_key(self) -> tuple[bool, int]:
        """Hardest first; questions nobody answered yet last."""
        return (self.correct_rate is None, self.correct_rate or 0)


@dataclass(frozen=True)
class StepStat:
    scenario: str
    step: str
    decisions: int
    recommended: int
    #: The most common call that is not the recommended one, and how often it was made.
    wrong_call_html: str | None
    wrong_calls: int

    @property
    def recommended_rate(self) -> int | None:
        return round(100 * self.recommended / self.decisions) if self.decisions else None


@dataclass(frozen=True)
class QuizDetail:
    course: CourseChoice
    summary: QuizSummary
    #: Attempts the per-question figures are based on (see the module docstring).
    counted_attempts: int
    questions: tuple[QuestionStat, ...]
    steps: tuple[StepStat, ...]
    #: Item statistics (facility, discrimination, distractors) per question and branching scenario.
    items: tuple[ItemRow, ...] = ()
    #: Cronbach's alpha (KR-20) of the quiz version; None without enough attempts.
    reliability: float | None = None

    @property
    def flagged(self) -> list[ItemRow]:
        return [i for i in self.items if i.stats.flags]


@dataclass(frozen=True)
class ItemRow:
    """An item's statistics with what an instructor needs to recognise it."""

    key: str
    prompt: str
    stats: istats.ItemStatistics
    #: Option key -> option text (plain), in file order; empty for a branching scenario.
    option_texts: dict[str, str]


def quiz_detail(session: Session, actor: Actor, quiz_id: int) -> QuizDetail:
    """Per question and per option, and per branching step, for one quiz ``actor`` may see."""
    current = session.execute(
        select(QuizVersion, Course.slug).join(Course, Course.current_version_id == QuizVersion.course_version_id)
        .where(QuizVersion.quiz_id == quiz_id)).first()
    if current is None:
        raise NotFound("There is no published quiz with that id.")
    version, course_slug = current
    course = choose_course(session, actor, course_slug)
    summary = quiz_summaries(session, course.id, only=quiz_id)[0]
    definition = QuizDef.from_dict(version.definition)
    same_file = list(session.scalars(select(QuizVersion.id).where(QuizVersion.quiz_id == quiz_id,
                                                                  QuizVersion.content_hash == version.content_hash)))
    totals = session.execute(
        select(func.sum(VersionTotals.attempts), func.sum(VersionTotals.graded), func.sum(VersionTotals.sum_t),
               func.sum(VersionTotals.sum_tt)).where(VersionTotals.quiz_version_id.in_(same_file))).one()
    attempts, graded = int(totals[0] or 0), (int(totals[1] or 0), float(totals[2] or 0), float(totals[3] or 0))
    answered = _answer_sums(session, same_file)
    questions, chosen = _questions(session, definition, answered, same_file)
    items, alpha = _item_statistics(definition, answered, graded, chosen)
    return QuizDetail(course, summary, attempts, questions, _steps(session, definition, same_file), items, alpha)


def _item_statistics(definition: QuizDef, answered: dict[str, tuple[int, int, tuple]],
                     graded: tuple[int, float, float],
                     chosen: dict[tuple[str, str], tuple[int, int]]) -> tuple[tuple[ItemRow, ...], float | None]:
    """Facility, discrimination and distractors per item, and the quiz's reliability (the per-item sums
    come from :func:`_answer_sums`; ``graded`` is (n, Σt, Σt²) over the graded attempts)."""
    sums = {key: item for key, (_total, _right, item) in answered.items() if item[0]}
    n, sum_t, sum_tt = graded
    answers = sum(v[0] for v in sums.values())
    test = istats.QuizSums(int(n or 0), float(sum_t or 0), float(sum_tt or 0), answers / n if n else 0.0)
    found, item_sums = [], []
    for unit_key, prompt, maximum, options in _items_of(definition):
        n_x, sx, sxx, st, stt, sxt = sums.get(unit_key, (0, 0.0, 0.0, 0.0, 0.0, 0.0))
        item = istats.ItemSums(unit_key, n_x, maximum, sx, sxx, st, stt, sxt)
        item_sums.append(item)
        option_sums = {key: istats.OptionSums(unit_key, key, *chosen[(unit_key, key)])
                       for key, _correct, _text in options if (unit_key, key) in chosen}
        stats = istats.item_statistics(item, [(k, c) for k, c, _ in options], option_sums)
        found.append(ItemRow(unit_key, prompt, stats, {k: text for k, _, text in options}))
    return tuple(found), istats.reliability(item_sums, test)


def _items_of(definition: QuizDef) -> list[tuple[str, str, int, list[tuple[str, bool, str]]]]:
    """(key, prompt, points possible, [(option key, correct, text)]) for every question and simulation."""
    found = [(q.key, q.prompt, 1, [(o.key, o.correct, plain(o.text_html)) for o in q.options])
             for q in definition.questions()]
    found += [(b.id, f"Simulation: {b.title}", b.best_points, []) for b in definition.branching_scenarios()]
    return found


def _answer_sums(session: Session, versions: list[int]) -> dict[str, tuple[int, int, tuple]]:
    """Per question (and branching scenario) key, summed over the quiz ``versions`` counted:
    (answers, correct answers, (n, Σx, Σx², Σt, Σt², Σxt) over the answers graded in a graded attempt).

    Branching scenarios' rows come out too (their key is the scenario's): they are simply not looked up
    as questions.
    """
    s = QuestionSums
    rows = session.execute(
        select(s.question_key, func.sum(s.answers), func.sum(s.correct), func.sum(s.graded), func.sum(s.sum_x),
               func.sum(s.sum_xx), func.sum(s.sum_t), func.sum(s.sum_tt), func.sum(s.sum_xt))
        .where(s.quiz_version_id.in_(versions)).group_by(s.question_key))
    return {key: (int(total), int(right or 0), (int(n or 0), *(float(v or 0) for v in rest)))
            for key, total, right, n, *rest in rows}


def _questions(session: Session, definition: QuizDef,
               answered: dict[str, tuple[int, int, tuple]],
               versions: list[int]) -> tuple[tuple[QuestionStat, ...], dict[tuple[str, str], tuple[int, int]]]:
    # Per option: how many chose it and the sum of their percent scores (for the distractor analysis).
    chosen = {(key, option): (int(n), int(score or 0)) for key, option, n, score in session.execute(
        select(OptionCount.question_key, OptionCount.option_key, func.sum(OptionCount.chosen),
               func.sum(OptionCount.sum_percent))
        .where(OptionCount.quiz_version_id.in_(versions))
        .group_by(OptionCount.question_key, OptionCount.option_key))}
    stats = []
    for question in definition.questions():
        total, right, _sums = answered.get(question.key, (0, 0, ()))
        options = tuple(OptionStat(o.key, o.text_html, o.correct, chosen.get((question.key, o.key), (0, 0))[0])
                        for o in question.options)
        stats.append(QuestionStat(question.key, question.prompt, total, right, options))
    return tuple(stats), chosen


def _steps(session: Session, definition: QuizDef, versions: list[int]) -> tuple[StepStat, ...]:
    scenarios = definition.branching_scenarios()
    if not scenarios:
        return ()
    made: dict[tuple[str, str], dict[str, int]] = {}
    c = StepChoiceCount
    for scenario_id, step_id, choice_key, n in session.execute(
            select(c.scenario_id, c.step_id, c.choice_key, func.sum(c.made))
            .where(c.quiz_version_id.in_(versions)).group_by(c.scenario_id, c.step_id, c.choice_key)):
        made.setdefault((scenario_id, step_id), {})[choice_key] = int(n)
    stats = []
    for scenario in scenarios:
        for step in scenario.steps:
            if step.is_ending:
                continue
            calls = made.get((scenario.id, step.id), {})
            recommended = {c.key for c in step.choices if c.recommended}
            wrong = sorted(((n, key) for key, n in calls.items() if key not in recommended), reverse=True)
            wrong_choice = step.choice(wrong[0][1]) if wrong else None
            stats.append(StepStat(scenario.title, step.title, sum(calls.values()),
                                  sum(n for key, n in calls.items() if key in recommended),
                                  wrong_choice.text_html if wrong_choice else None, wrong[0][0] if wrong else 0))
    return tuple(stats)


def item_csv_rows(detail: QuizDetail) -> list[dict[str, object]]:
    """The item statistics as flat rows for a CSV download (text cells are neutralised by the writer)."""
    rows = []
    for item in detail.items:
        s = item.stats
        rows.append({
            "item": item.key, "prompt": item.prompt, "answers": s.answers,
            "facility": _fixed(s.facility), "discrimination": _fixed(s.discrimination),
            "options": " | ".join(f"{o.option}{'*' if o.correct else ''} {round(100 * o.share)}%"
                                  + (f" (mean {o.mean_score:.0f}%)" if o.mean_score is not None else "")
                                  for o in s.options),
            "flags": "; ".join(s.flags), "reliability": _fixed(detail.reliability),
        })
    return rows


#: Discrimination bands (Ebel): poor below 0.20, marginal to 0.30, reasonable to 0.40, very good above.
BANDS = (("below 0", None, 0.0), ("0–0.19", 0.0, 0.2), ("0.20–0.29", 0.2, 0.3), ("0.30–0.39", 0.3, 0.4),
         ("0.40 and above", 0.4, None))


def discrimination_bands(detail: QuizDetail) -> list[tuple[str, int]]:
    """How many items fall in each discrimination band (items without a figure left out)."""
    values = [i.stats.discrimination for i in detail.items if i.stats.discrimination is not None]
    return [(label, sum((low is None or v >= low) and (high is None or v < high) for v in values))
            for label, low, high in BANDS]


def _fixed(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


# --- organisations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrganisationProgress:
    #: None for learners who belong to no organisation.
    name: str | None
    enrolled: int
    completed: int
    certified: int
    #: Mean share of the course's modules completed, in percent.
    average_percent: int


def organisation_progress(session: Session, course_id: int, now: datetime) -> list[OrganisationProgress]:
    """Per organisation: learners enrolled in the course, how far they got, how many hold a certificate."""
    total = _module_count(session, course_id)
    done = (select(ModuleProgress.user_id, func.count(ModuleProgress.completed_at).label("modules"))
            .where(ModuleProgress.course_id == course_id, ModuleProgress.module_id.in_(_current_modules(course_id)))
            .group_by(ModuleProgress.user_id).subquery())
    modules = func.coalesce(done.c.modules, 0)
    rows = session.execute(
        select(Organisation.id, Organisation.name, func.count(Enrolment.id),
               func.sum(case((modules >= max(1, total), 1), else_=0)), func.avg(modules))
        .select_from(Enrolment).join(User, User.id == Enrolment.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(done, done.c.user_id == Enrolment.user_id)
        .where(Enrolment.course_id == course_id)
        .group_by(Organisation.id, Organisation.name)).all()
    certified = dict(session.execute(
        select(User.organisation_id, func.count(Certificate.id)).join(User, User.id == Certificate.user_id)
        .where(Certificate.course_id == course_id, Certificate.superseded_at.is_(None),
               Certificate.revoked_at.is_(None), (Certificate.expires_at.is_(None)) | (Certificate.expires_at > now))
        .group_by(User.organisation_id)).all())
    found = [OrganisationProgress(name, enrolled, int(completed or 0), certified.get(org_id, 0),
                                  round(100 * float(average or 0) / total) if total else 0)
             for org_id, name, enrolled, completed, average in rows]
    # Organisations by name; learners without one last.
    return sorted(found, key=lambda o: (o.name is None, (o.name or "").lower()))
