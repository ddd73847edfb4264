"""Analytics pages for instructors and admins: charts drawn on the server as inline SVG, each with
its numbers in a table beneath (no JavaScript, nothing from another origin)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request, url_for

from academy.db import get_session
from academy.domain import charts
from academy.domain.exports import neutralise_formula
from academy.domain.filters import FilterError, parse_choice, parse_text
from academy.models import Role, utcnow
from academy.services import analytics, worksheets

from .access import roles
from .refusals import refuse
from .requests import current_actor
from .responses import content_disposition

bp = Blueprint("analytics", __name__, url_prefix="/analytics")

#: The periods the activity chart offers, in weeks.
PERIODS = ("12", "26", "52", "104", "156")
DEFAULT_PERIOD = "26"


def _course(slug: str | None) -> analytics.CourseChoice | None:
    try:
        return analytics.choose_course(get_session(), current_actor(), parse_text("course", slug))
    except FilterError as exc:
        refuse(400, str(exc))


@bp.route("")
@roles(Role.INSTRUCTOR, Role.ADMIN)
def overview():
    try:
        weeks = int(parse_choice("period", request.args.get("weeks"), PERIODS) or DEFAULT_PERIOD)
    except FilterError as exc:
        refuse(400, str(exc))
    db = get_session()
    course = _course(request.args.get("course"))
    courses = analytics.visible_courses(db, current_actor())
    if course is None:
        return render_template("analytics/overview.html", course=None, courses=courses)
    now = utcnow()
    activity = analytics.weekly_activity(db, course.id, weeks=weeks, today=now.date())
    quizzes = analytics.quiz_summaries(db, course.id)
    organisations = analytics.organisation_progress(db, course.id, now)
    sheets = worksheets.distributions(db, course.id)
    return render_template(
        "analytics/overview.html", course=course, courses=courses, weeks=weeks, periods=PERIODS,
        activity=activity,
        activity_chart=charts.line_chart(
            [w.start.strftime("%d %b") for w in activity],
            [("Enrolments", [w.enrolments for w in activity]), ("Completions", [w.completions for w in activity]),
             ("Certificates", [w.certificates for w in activity])]),
        totals={"enrolments": sum(w.enrolments for w in activity),
                "completions": sum(w.completions for w in activity),
                "certificates": sum(w.certificates for w in activity)},
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
    """The item statistics of the quiz's current version as CSV (formula-like cells neutralised)."""
    rows = analytics.item_csv_rows(_detail(quiz_id))
    buffer = io.StringIO()
    columns = ["item", "prompt", "answers", "facility", "discrimination", "options", "flags", "reliability"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise_formula(v) if isinstance(v, str) else v for k, v in row.items()})
    return Response(buffer.getvalue(), content_type="text/csv; charset=utf-8",
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
