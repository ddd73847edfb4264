"""Analytics pages: charts as accessible inline SVG with the numbers beside them, for the right people."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from academy.models import Course, CourseEditor, Quiz
from tests.support import reporting


@pytest.fixture
def seeded(app, runner, content_dir, db):
    reporting.seed(app, runner, content_dir, learners=30)
    course_id = db.scalar(select(Course.id))
    db.rollback()
    return course_id


def test_admins_see_charts_with_titles_descriptions_and_data_tables(admin_client, seeded):
    page = admin_client.get("/analytics").text
    assert page.count('role="img"') == 1 and "<polyline" in page
    assert re.search(r'<svg[^>]+aria-labelledby="activity-title activity-desc"', page)
    assert "<title id=\"activity-title\">Enrolments, completions and certificates per week</title>" in page
    assert page.count("Show the numbers") == 3
    assert "Pass rate by quiz" in page and "Progress by organisation" in page
    assert "<script" not in page.split("</footer>")[0]  # no scripts in the page body


def test_the_period_is_chosen_from_a_list(admin_client, seeded):
    assert admin_client.get("/analytics?weeks=12").status_code == 200
    response = admin_client.get("/analytics?weeks=7")
    assert response.status_code == 400 and "Period must be one of" in response.text


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
