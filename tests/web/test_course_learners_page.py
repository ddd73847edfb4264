"""The learners page of a course: who may open it, what a bad query shows, and the CSV download."""

from __future__ import annotations

import csv
import io

import pytest

from academy.models import CourseEditor
from tests.support import learners as build
from tests.support.quizzes import publish

URL = "/analytics/courses/demo/learners"


@pytest.fixture
def course(runner, content_dir, db, make_user):
    publish(runner, content_dir)
    idle = make_user(name="=1+2 Zoë Idle").id  # a name a spreadsheet would evaluate, and a non-ASCII letter
    busy = make_user(name="Busy Bea").id
    db.rollback()
    build.enrol(db, idle, days_ago=30)
    build.enrol(db, busy, days_ago=2)
    build.read_modules(db, busy, count=1, days_ago=1)
    db.commit()
    return build.course_id(db)


def test_admins_see_every_learner_with_the_stuck_flag_and_its_reason(admin_client, course):
    page = admin_client.get(URL).text
    assert "1</strong> of 2 enrolled learners stuck" in page
    assert "=1+2 Zoë Idle" in page and "Nothing done since enrolling for 30 days" in page
    assert 'class="stuck-flag">Stuck' in page and "Busy Bea" in page
    stuck_only = admin_client.get(URL + "?stuck=1").text
    assert "Zoë Idle" in stuck_only and "Busy Bea" not in stuck_only


def test_the_analytics_page_links_to_it(admin_client, course):
    assert f'href="{URL}"' in admin_client.get("/analytics?course=demo").text


def test_instructors_see_it_only_for_courses_they_edit(instructor_client, course, db):
    assert instructor_client.get(URL).status_code == 404
    assert instructor_client.get(URL + ".csv").status_code == 404
    db.add(CourseEditor(course_id=course, user_id=instructor_client.user.id))
    db.commit()
    assert instructor_client.get(URL).status_code == 200
    assert instructor_client.get(URL + ".csv").status_code == 200


def test_learners_are_refused_and_an_unknown_course_is_404(learner_client, admin_client, course):
    assert learner_client.get(URL).status_code == 403
    assert learner_client.get(URL + ".csv").status_code == 403
    assert admin_client.get("/analytics/courses/nope/learners").status_code == 404
    assert admin_client.get("/analytics/courses/nope/learners.csv").status_code == 404


@pytest.mark.parametrize(("query", "notice"), [
    ("sort=colour", "That order is not one of the choices, so stuck learners come first."),
    ("sort=%00", "That order is not one of the choices"),
    ("stuck=yes", "The stuck filter is on (1) or off (0); everyone is shown."),
    ("page=0", "That page number is not a whole number from 1"),
    ("page=-3", "That page number is not a whole number from 1"),
    ("page=" + "9" * 40, "That page number is not a whole number from 1"),
    ("page=%EF%BC%91", "That page number is not a whole number from 1"),  # a full-width digit one
])
def test_a_bad_query_value_shows_the_default_and_says_so(admin_client, course, query, notice):
    response = admin_client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert notice in response.text and "Busy Bea" in response.text


def test_a_page_beyond_the_last_shows_the_last(admin_client, course):
    response = admin_client.get(URL + "?page=50")
    assert response.status_code == 200 and "Busy Bea" in response.text


def test_the_csv_has_a_bom_every_column_and_no_formula(admin_client, course):
    response = admin_client.get(URL + ".csv?stuck=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="demo-learners-stuck.csv"' in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["name"] for row in rows] == ["'=1+2 Zoë Idle"]
    assert rows[0]["stuck"] == "yes" and rows[0]["reasons"] == "Nothing done since enrolling for 30 days"
    assert rows[0]["progress_percent"] == "0" and rows[0]["exam_attempts_left"] == "2"
    everyone = list(csv.DictReader(io.StringIO(admin_client.get(URL + ".csv").data.decode("utf-8-sig"))))
    assert {row["name"] for row in everyone} == {"'=1+2 Zoë Idle", "Busy Bea"}
