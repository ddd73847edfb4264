"""Analytics pages: charts as accessible inline SVG with the numbers beside them, for the right people."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from academy.models import Course, CourseEditor, Quiz, utcnow
from tests.support import reporting


@pytest.fixture
def seeded(app, runner, content_dir, db):
    reporting.seed(app, runner, content_dir, learners=30)
    course_id = db.scalar(select(Course.id))
    db.rollback()
    return course_id


def test_admins_see_charts_with_titles_descriptions_and_data_tables(admin_client, seeded):
    page = admin_client.get("/analytics").text
    # The activity chart twice (wide, and compact for phones: CSS shows one), each a named image.
    assert page.count('role="img"') == 2 and "<polyline" in page
    assert re.search(r'<svg[^>]+aria-labelledby="activity-title activity-desc"', page)
    assert re.search(r'<svg[^>]+aria-labelledby="activity-compact-title activity-compact-desc"', page)
    assert "<title id=\"activity-title\">Enrolments, completions and certificates per day</title>" in page
    assert page.count("Show the numbers") == 3
    assert "Pass rate by quiz" in page and "Progress by organisation" in page
    assert "<script" not in page.split("</footer>")[0]  # no scripts in the page body


def _headline(page: str) -> str:
    return page.split('<ul class="stat-cards">', 1)[1].split("</ul>", 1)[0]


def test_every_headline_figure_says_its_period_and_the_period_is_kept_in_the_url(admin_client, seeded):
    page = admin_client.get("/analytics").text  # the default: the last 30 days, drawn per day
    assert _headline(page).count("Last 30 days") == 4
    assert '<option value="30" selected>Last 30 days</option>' in page
    assert "Activity by day" in page
    page = admin_client.get("/analytics?period=90").text
    assert _headline(page).count("Last 90 days") == 4 and "Activity by week" in page
    page = admin_client.get("/analytics?period=all").text
    since = re.search(r"All time since (\d{1,2} \w{3} \d{4})", _headline(page))
    assert since and _headline(page).count(f"All time since {since[1]}") == 4
    assert '<option value="all" selected>All time</option>' in page


def test_the_figures_follow_the_period(admin_client, seeded, db):
    from academy.models import Enrolment

    everyone = db.scalar(select(func.count()).select_from(Enrolment))
    week = datetime.combine(utcnow().date() - timedelta(days=6), time.min, UTC)  # today and the 6 days before
    recent = db.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.enrolled_at >= week))
    db.rollback()

    def enrolments(period: str) -> int:
        headline = _headline(admin_client.get(f"/analytics?period={period}").text)
        return int(re.search(r'<span class="stat-value">([\d,]+)</span><span class="stat-label">enrolments',
                             headline)[1].replace(",", ""))

    assert enrolments("all") == everyone and enrolments("7") == recent
    assert enrolments("7") <= enrolments("30") <= enrolments("90") <= enrolments("all")


@pytest.mark.parametrize("bad", ["12", "weeks", "-1", "30 days", "%00", "7" * 300, "<b>x</b>"])
def test_a_bad_period_shows_the_default_and_says_so(admin_client, seeded, bad):
    response = admin_client.get(f"/analytics?period={bad}")
    assert response.status_code == 200
    assert "is not one of the periods on offer, so the page shows the last 30 days" in response.text
    assert _headline(response.text).count("Last 30 days") == 4
    assert "<b>x</b>" not in response.text


def test_a_quiz_page_shows_scores_questions_options_and_branching_calls(admin_client, seeded, db):
    basics = db.scalar(select(Quiz.id).where(Quiz.slug == "basics"))
    page = admin_client.get(f"/analytics/quizzes/{basics}").text
    assert "Score distribution" in page and "<rect" in page and "Questions, hardest first" in page
    assert "Which phases belong to the procedure?" in page and "✓ correct" in page
    bridge = db.scalar(select(Quiz.id).where(Quiz.slug == "bridge"))
    page = admin_client.get(f"/analytics/quizzes/{bridge}").text
    assert "Branching decisions" in page and "First signals" in page


def test_instructors_see_only_courses_they_edit(instructor_client, seeded, db):
    assert "You are not an editor of any published course yet" in instructor_client.get("/analytics").text
    response = instructor_client.get("/analytics?course=demo")
    assert response.status_code == 403 and "not an editor of this course" in response.text
    quiz = db.scalar(select(Quiz.id))
    assert instructor_client.get(f"/analytics/quizzes/{quiz}").status_code == 403
    db.add(CourseEditor(course_id=seeded, user_id=instructor_client.user.id))
    db.commit()
    assert "Pass rate by quiz" in instructor_client.get("/analytics").text
    assert instructor_client.get(f"/analytics/quizzes/{quiz}").status_code == 200


def test_learners_are_refused_and_unknown_things_are_404(learner_client, admin_client, seeded):
    assert learner_client.get("/analytics").status_code == 403
    assert admin_client.get("/analytics?course=nope").status_code == 404
    assert admin_client.get("/analytics/quizzes/999999").status_code == 404


def test_analytics_appears_in_the_header_for_instructors_and_admins_only(admin_client, instructor_client,
                                                                        learner_client):
    assert ">Analytics</a>" in admin_client.get("/dashboard").text
    assert ">Analytics</a>" in instructor_client.get("/dashboard").text
    assert ">Analytics</a>" not in learner_client.get("/dashboard").text


def test_without_courses_the_page_says_what_to_do(admin_client):
    assert "flask --app app content sync" in admin_client.get("/analytics").text
