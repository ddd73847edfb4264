"""Analytics pages for instructors and admins: charts drawn on the server as inline SVG, each with
its numbers in a table beneath (no JavaScript, nothing from another origin)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, Response, render_template, request, url_for

from academy.db import get_session
from academy.domain import charts, stuck
from academy.domain import exports as shaping
from academy.domain.filters import FilterError, parse_choice, parse_positive_int, parse_text
from academy.models import Role, utcnow
from academy.services import analytics, course_learners, worksheets

from .access import roles
from .refusals import refuse
from .requests import current_actor
from .responses import content_disposition

bp = Blueprint("analytics", __name__, url_prefix="/analytics")

#: The periods the page offers (``?period=``): label and length in days (None: all time).
PERIODS = {"7": ("Last 7 days", 7), "30": ("Last 30 days", 30), "90": ("Last 90 days", 90), "all": ("All time", None)}
DEFAULT_PERIOD = "30"
#: An all-time chart draws at most this many weeks (ten years).
MAX_WEEKS = 520


def _course(slug: str | None) -> analytics.CourseChoice | None:
    try:
        return analytics.choose_course(get_session(), current_actor(), parse_text("course", slug))
    except FilterError as exc:
        refuse(400, str(exc))


def _period(raw: str | None) -> tuple[str, str | None]:
    """The period asked for, or the default with a sentence saying why the request was not used."""
    try:
        return parse_choice("period", raw, tuple(PERIODS)) or DEFAULT_PERIOD, None
    except FilterError:
        shown = "".join(ch for ch in raw or "" if ch.isprintable())[:20]
        return DEFAULT_PERIOD, (f"“{shown}” is not one of the periods on offer, so the page shows the "
                                f"{PERIODS[DEFAULT_PERIOD][0].lower()}.")


def _activity(db, course_id: int, period: str, first: date, today: date) -> tuple[list[analytics.Week], str]:
    """The chart's rows for the period (days up to 30 days, weeks beyond) and what each row is."""
    days = PERIODS[period][1]
    if days is not None and days <= 31:
        return analytics.daily_activity(db, course_id, days=days, today=today), "day"
    if days is None:
        weeks = (analytics.monday(today) - analytics.monday(first)).days // 7 + 1
        return analytics.weekly_activity(db, course_id, weeks=min(max(weeks, 2), MAX_WEEKS), today=today), "week"
    return analytics.weekly_activity(db, course_id, weeks=-(-days // 7), today=today), "week"


@bp.route("")
@roles(Role.INSTRUCTOR, Role.ADMIN)
def overview():
    period, period_problem = _period(request.args.get("period"))
    db = get_session()
    course = _course(request.args.get("course"))
    courses = analytics.visible_courses(db, current_actor())
    if course is None:
        return render_template("analytics/overview.html", course=None, courses=courses)
    now = utcnow()
    first = analytics.first_day(db, course.id)
    days = PERIODS[period][1]
    # Whole days (UTC), today included, like the chart's days.
    since = None if days is None else datetime.combine(now.date() - timedelta(days=days - 1), time.min, UTC)
    activity, step = _activity(db, course.id, period, first, now.date())
    labels = [f"{w.start.day} {w.start:%b}" for w in activity]
    series = [("Enrolments", [w.enrolments for w in activity]), ("Completions", [w.completions for w in activity]),
              ("Certificates", [w.certificates for w in activity])]
    quizzes = analytics.quiz_summaries(db, course.id)
    organisations = analytics.organisation_progress(db, course.id, now)
    sheets = worksheets.distributions(db, course.id)
    return render_template(
        "analytics/overview.html", course=course, courses=courses, period=period, periods=PERIODS,
        period_label=PERIODS[period][0], period_problem=period_problem, first_day=first, step=step,
        activity=activity,
        activity_chart=charts.line_chart(labels, series),
        compact_chart=charts.line_chart(labels, series, width=340, height=300, max_x_labels=4),
        headline=analytics.headline(db, course.id, since),
        quizzes=quizzes, quiz_links=[url_for("analytics.quiz", quiz_id=q.quiz_id) for q in quizzes],
        pass_bars=charts.bars([(q.title, q.pass_rate or 0, f"{q.attempts:,} attempts") for q in quizzes], maximum=100),
        organisations=organisations,
        organisation_bars=charts.bars([(o.name or "No organisation", o.average_percent,
                                        f"{o.enrolled:,} enrolled · {o.certified:,} certified") for o in organisations],
                                      maximum=100),
        worksheets=[(sheet, charts.bars([(title, n, f"{n:,} learner{'s' if n != 1 else ''}")
                                         for title, n in sheet.outcomes])) for sheet in sheets])


def _detail(quiz_id: int) -> analytics.QuizDetail:
    return analytics.quiz_detail(get_session(), current_actor(), quiz_id)


@bp.route("/quizzes/<int:quiz_id>/items.csv")
@roles(Role.INSTRUCTOR, Role.ADMIN)
def items_csv(quiz_id: int):
    """The item statistics of the quiz's current version as CSV (BOM, formula-like cells neutralised)."""
    columns = ("item", "prompt", "answers", "facility", "discrimination", "options", "flags", "reliability")
    body = "".join(shaping.csv_chunks(analytics.item_csv_rows(_detail(quiz_id)), columns=columns))
    return Response(body, content_type="text/csv; charset=utf-8",
                    headers=content_disposition(f"quiz-{quiz_id}-items.csv"))


@bp.route("/quizzes/<int:quiz_id>")
@roles(Role.INSTRUCTOR, Role.ADMIN)
def quiz(quiz_id: int):
    detail = _detail(quiz_id)
    width = 100 // analytics.BUCKETS
    labels = [f"{i * width}–{i * width + width - 1}" if i < analytics.BUCKETS - 1 else f"{i * width}–100"
              for i in range(analytics.BUCKETS)]
    return render_template(
        "analytics/quiz.html", detail=detail, labels=labels,
        histogram=charts.column_chart(list(zip(labels, detail.summary.buckets, strict=True))),
        bands=(bands := analytics.discrimination_bands(detail)), band_chart=charts.column_chart(bands))


# --- the learners of a course: who is stuck ----------------------------------------------------

def _learner_filters() -> tuple[dict[str, object], list[str]]:
    """``stuck``, ``sort`` and ``page`` from the URL; a bad value falls back to the default, said in a sentence."""
    problems = []
    try:
        sort = parse_choice("sort", request.args.get("sort"), course_learners.SORTS) or course_learners.SORTS[0]
    except FilterError:
        sort = course_learners.SORTS[0]
        problems.append("That order is not one of the choices, so stuck learners come first.")
    raw_stuck = (request.args.get("stuck") or "").strip()
    if raw_stuck not in ("", "0", "1"):
        problems.append("The stuck filter is on (1) or off (0); everyone is shown.")
        raw_stuck = ""
    try:
        page = parse_positive_int("page", request.args.get("page"), default=1, maximum=1_000_000)
    except FilterError:
        page = 1
        problems.append("That page number is not a whole number from 1, so the first page is shown.")
    return {"stuck_only": raw_stuck == "1", "sort": sort, "page": page}, problems


@bp.route("/courses/<slug>/learners")
@roles(Role.INSTRUCTOR, Role.ADMIN)
def learners(slug: str):
    """Every learner of one course: progress, failed attempts, exam attempts, due date and whether stuck."""
    filters, problems = _learner_filters()
    listing = course_learners.listing(get_session(), current_actor(), slug, utcnow(), **filters)
    args = {"stuck": "1" if filters["stuck_only"] else "", "sort": filters["sort"]}
    return render_template("analytics/learners.html", listing=listing, filters=filters, args=args,
                           problems=problems, sorts=course_learners.SORT_LABELS, rules=stuck)


@bp.route("/courses/<slug>/learners.csv")
@roles(Role.INSTRUCTOR, Role.ADMIN)
def learners_csv(slug: str):
    """The same list as CSV (BOM, formula-like cells neutralised), every page at once."""
    filters, _problems = _learner_filters()
    course, rows = course_learners.csv_rows(get_session(), current_actor(), slug, utcnow(),
                                            stuck_only=bool(filters["stuck_only"]), sort=str(filters["sort"]))
    body = "".join(shaping.csv_chunks(rows, columns=course_learners.COLUMNS))
    suffix = "-stuck" if filters["stuck_only"] else ""
    return Response(body, content_type="text/csv; charset=utf-8",
                    headers=content_disposition(f"{course.slug}-learners{suffix}.csv"))
