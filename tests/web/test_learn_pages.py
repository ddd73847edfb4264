"""Course pages as learners and visitors see them: catalogue, course, module, images, dashboard."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import event, func, select

from academy.models import Enrolment, ModuleProgress
from tests.support.content_tree import PNG

COURSE = "/courses/demo"
#: Statements that only delimit a transaction: not queries.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@pytest.fixture
def published(course_tree, runner):
    """The standard course, published through ``flask content sync``."""
    course_tree.standard()
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return course_tree


@pytest.fixture
def enrolled(published, learner_client):
    learner_client.submit(f"{COURSE}/enrol", page=COURSE)
    return learner_client


def text(response) -> str:
    return response.get_data(as_text=True)


def progress_rows(db, user_id: int) -> dict[str, ModuleProgress]:
    db.expire_all()
    rows = db.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user_id))
    return {r.module_id: r for r in rows}


# --- catalogue and course page -----------------------------------------------------------------

def test_the_catalogue_is_public_and_describes_each_course(client, published):
    html = text(client.get("/courses"))
    assert 'href="/courses/demo">Demo course</a>' in html
    assert "A short course for the tests." in html
    assert "3 modules" in html and "About 3 min of reading and activities" in html and "3 quizzes" in html
    assert '<a href="/courses" aria-current="page">Courses</a>' in html


def test_the_catalogue_without_courses_says_so(client):
    assert "No courses yet" in text(client.get("/courses"))


def test_the_catalogue_shows_a_learners_progress(enrolled, db):
    enrolled.get(f"{COURSE}/wrap-up")
    html = text(enrolled.get("/courses"))
    assert 'aria-label="Your progress in Demo course"' in html
    assert "1 of 3 modules done" in html
    assert f'href="{COURSE}/continue"' in html


def test_a_visitor_sees_the_course_and_is_invited_to_sign_in(client, published):
    html = text(client.get(COURSE))
    assert "<h1>Demo course</h1>" in html
    assert "Welcome. Start with" in html
    assert "Sign in to enrol" in html and "/login?next=/courses/demo" in html
    for title in ("The basics", "Roles", "Wrap-up"):
        assert title in html
    assert "Certified Demonstrator" in html and "Valid for 12 months" in html
    assert "Final exam" in html and "30 min" in html


def test_a_signed_in_learner_enrols_from_the_course_page(published, learner_client, db):
    assert "Enrol in this course" in text(learner_client.get(COURSE))
    response = learner_client.submit(f"{COURSE}/enrol", page=COURSE)
    assert response.headers["Location"].endswith(f"{COURSE}/basics")  # the first module to read
    assert "You are enrolled in Demo course" in text(learner_client.get(response.headers["Location"]))
    html = text(learner_client.get(COURSE))
    assert "Continue" in html and "0 of 3 modules done" in html
    assert db.scalar(select(Enrolment.user_id)) == learner_client.user.id


def test_enrolling_twice_is_harmless(enrolled, db):
    response = enrolled.submit(f"{COURSE}/enrol", page=COURSE, follow_redirects=True)
    assert "You are enrolled" not in text(response)
    assert len(db.scalars(select(Enrolment)).all()) == 1


def test_enrolling_needs_a_csrf_token_and_a_session(published, client, learner_client):
    assert learner_client.post(f"{COURSE}/enrol").status_code == 400
    assert client.post(f"{COURSE}/enrol").status_code in (400, 401)


def test_module_statuses_on_the_course_page(enrolled):
    enrolled.get(f"{COURSE}/wrap-up")
    enrolled.get(f"{COURSE}/basics")
    html = text(enrolled.get(COURSE))
    statuses = re.findall(r'class="status status-([a-z-]+)"', html)
    assert statuses == ["in-progress", "not-started", "done"]


# --- module page -------------------------------------------------------------------------------

def test_a_visitor_is_sent_to_sign_in_for_a_module(client, published):
    response = client.get(f"{COURSE}/basics")
    assert response.status_code == 302
    assert "/login?next=/courses/demo/basics" in response.headers["Location"]


def test_opening_a_module_enrols_nobody_and_records_nothing(published, learner_client, db):
    """The hostile review's reproduction: a GET of a module page used to enrol the learner."""
    response = learner_client.get(f"{COURSE}/basics")
    assert response.status_code == 200
    html = text(response)
    assert '<h1 id="module-title">The basics</h1>' in html
    assert "Enrol to track your progress" in html
    assert f'action="{COURSE}/enrol?module=basics"' in html
    db.rollback()
    assert db.scalar(select(func.count(Enrolment.id))) == 0
    assert progress_rows(db, learner_client.user.id) == {}


def test_enrolling_from_a_module_page_returns_to_it_and_starts_recording(published, learner_client, db):
    response = learner_client.submit(f"{COURSE}/enrol?module=roles", page=f"{COURSE}/roles")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{COURSE}/roles")
    html = text(learner_client.get(response.headers["Location"]))
    assert "You are enrolled in Demo course" in html and "Enrol to track your progress" not in html
    db.rollback()
    assert db.scalar(select(func.count(Enrolment.id))) == 1
    assert progress_rows(db, learner_client.user.id)  # reading is recorded once enrolled


def test_the_module_page_shows_the_module(enrolled, app):
    html = text(enrolled.get(f"{COURSE}/basics"))
    assert '<h1 id="module-title">The basics</h1>' in html
    assert "Module 1 of 3 · about 1 min" in html
    assert "<li>Name the basics.</li>" in html
    assert '<a href="#first-things">First things</a>' in html and '<a href="#a-detail">A detail</a>' in html
    assert 'href="/courses/demo/roles#who-does-what"' in html
    assert re.search(r'src="/courses/demo/assets/diagram\.svg\?v=[0-9a-f]{16}"', html)
    assert 'rel="next"' in html and "Roles" in html and 'rel="prev"' not in html
    with app.test_request_context():
        quiz_url = url_for("quiz.start_page", course_slug="demo", quiz_slug="basics-check")
    assert f'href="{quiz_url}"' in html and "Basics check" in html


def test_the_last_module_leads_back_to_the_course(enrolled):
    html = text(enrolled.get(f"{COURSE}/wrap-up"))
    assert 'rel="prev"' in html and "Back to the course" in html and 'rel="next"' not in html


def test_reading_a_module_records_progress(enrolled, db):
    enrolled.get(f"{COURSE}/basics")
    enrolled.get(f"{COURSE}/basics")  # a reload: the same visit
    enrolled.get(f"{COURSE}/wrap-up")
    enrolled.get(f"{COURSE}/basics")  # back after another module: a new visit
    rows = progress_rows(db, enrolled.user.id)
    assert sorted(r.visits for r in rows.values()) == [1, 2]
    done = [r for r in rows.values() if r.completed_at is not None]
    assert len(done) == 1 and done[0].visits == 1, "only the module without a quiz is done once read"


def test_continue_takes_the_learner_where_they_left_off(enrolled):
    assert enrolled.get(f"{COURSE}/continue").headers["Location"].endswith(f"{COURSE}/basics")
    enrolled.get(f"{COURSE}/wrap-up")
    assert enrolled.get(f"{COURSE}/continue").headers["Location"].endswith(f"{COURSE}/basics")
    enrolled.get(f"{COURSE}/roles")
    assert enrolled.get(f"{COURSE}/continue").headers["Location"].endswith(f"{COURSE}/roles")


@pytest.mark.parametrize("path", ["/courses/nope", "/courses/nope/basics", f"{COURSE}/nope", "/courses/nope/continue",
                                  f"{COURSE}/assets/nope.png", f"{COURSE}/assets/../course.md"])
def test_unknown_courses_modules_and_images_are_not_found(enrolled, path):
    response = enrolled.get(path)
    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_a_withdrawn_course_is_not_found(enrolled, runner, published):
    published.write("courses/other/course.md", "---\ntitle: Other\nsummary: S.\n---\n")
    published.write("courses/other/01-only.md", "---\ntitle: Only\n---\nText.\n")
    for rel in list(published.path("courses/demo").rglob("*")):
        if rel.is_file():
            rel.unlink()
    for folder in sorted(published.path("courses/demo").rglob("*"), reverse=True):
        folder.rmdir()
    published.path("courses/demo").rmdir()
    for quiz in published.path("quizzes/demo").iterdir():
        quiz.unlink()
    published.path("quizzes/demo").rmdir()
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    assert enrolled.get(COURSE).status_code == 404
    assert enrolled.get(f"{COURSE}/basics").status_code == 404
    assert "Demo course" not in text(enrolled.get("/courses"))


def statements_of(app, request) -> tuple[object, list[str]]:
    """``request()``'s response and the SQL statements it sent (transaction control left out)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    engine = app.extensions["academy.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        return request(), statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_module_page_costs_at_most_three_queries(app, enrolled):
    url = f"{COURSE}/roles"
    assert enrolled.get(f"{COURSE}/basics").status_code == 200  # the outline cache is warm from here on
    response, statements = statements_of(app, lambda: enrolled.get(url))
    assert response.status_code == 200 and "Who does what" in text(response)
    assert len(statements) <= 3, "\n\n".join(statements)
    assert any(s.lstrip().upper().startswith("INSERT INTO MODULE_PROGRESS") for s in statements)


def test_a_new_version_costs_five_more_queries_once_whatever_its_size(app, client, published):
    # The outline: version, quizzes, modules, worksheets and resources, one query each.
    response, statements = statements_of(app, lambda: client.get(COURSE))
    assert response.status_code == 200
    assert len(statements) == 1 + 5, "\n\n".join(statements)
    assert len(statements_of(app, lambda: client.get(COURSE))[1]) == 1


def test_a_sync_is_visible_on_the_next_page_view(enrolled, runner, published, db):
    enrolled.get(f"{COURSE}/roles")
    published.edit("courses/demo/02-roles.md", "The roles, one by one.", "The roles, rewritten.")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    html = text(enrolled.get(f"{COURSE}/roles"))
    assert "The roles, rewritten." in html and "one by one" not in html
    assert [r.visits for r in progress_rows(db, enrolled.user.id).values()] == [1]  # one visit, reloaded


def test_a_reload_within_the_same_visit_writes_nothing(app, enrolled):
    url = f"{COURSE}/roles"
    enrolled.get(url)
    response, statements = statements_of(app, lambda: enrolled.get(url))
    assert response.status_code == 200
    assert not any(s.lstrip().upper().startswith("INSERT") for s in statements)


def test_an_invalid_sync_leaves_the_site_serving_the_last_good_version(enrolled, runner, published):
    published.edit("courses/demo/02-roles.md", "The roles, one by one.", "[broken](09-nowhere.md)")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "courses/demo/02-roles.md:6: broken link '09-nowhere.md'" in result.output
    assert "The roles, one by one." in text(enrolled.get(f"{COURSE}/roles"))


def test_the_module_page_never_allows_inline_script(enrolled):
    response = enrolled.get(f"{COURSE}/basics")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in text(response)


# --- images ------------------------------------------------------------------------------------

def asset_url(html: str, name: str) -> str:
    return re.search(rf'src="(/courses/demo/assets/{re.escape(name)}\?v=[0-9a-f]+)"', html).group(1)


def test_images_are_served_for_ever_under_their_hash(enrolled):
    url = asset_url(text(enrolled.get(f"{COURSE}/basics")), "diagram.svg")
    response = enrolled.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert response.data.startswith(b"<?xml") and b"<rect" in response.data


def test_an_image_url_without_the_current_hash_is_revalidated(client, published):
    response = client.get(f"{COURSE}/assets/photo.png?v=0000")
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "sandbox" not in response.headers["Content-Security-Policy"]
    again = client.get(f"{COURSE}/assets/photo.png", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_hostile_svg_is_served_clean_and_sandboxed(client, published, runner):
    published.write("courses/demo/assets/diagram.svg",
                    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
                    '<foreignObject><p>x</p></foreignObject><rect width="1" height="1"/></svg>')
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    response = client.get(f"{COURSE}/assets/diagram.svg")
    assert b"script" not in response.data and b"onload" not in response.data and b"foreignObject" not in response.data
    assert "sandbox" in response.headers["Content-Security-Policy"]


# --- dashboard ---------------------------------------------------------------------------------

def test_the_dashboard_invites_a_new_learner_to_the_catalogue(learner_client, published):
    html = text(learner_client.get("/dashboard"))
    assert "Your courses" in html and "You are not enrolled in a course yet." in html


def test_the_dashboard_lists_enrolled_courses_with_progress(enrolled):
    enrolled.get(f"{COURSE}/basics")
    enrolled.get(f"{COURSE}/wrap-up")
    html = text(enrolled.get("/dashboard"))
    # One module done, one read with its quiz ahead (half), and the final exam a step of its own: 1.5 of 4.
    assert "Demo course" in html and "1 of 3 modules done" in html and "38%" in html
    assert "Last read" in html and "Next: The basics" in html
    assert f'href="{COURSE}/continue"' in html


def test_a_course_without_modules_yet_offers_nothing_to_start(learner_client, course_tree, runner):
    course_tree.write("courses/soon/course.md", "---\ntitle: Coming soon\nsummary: Being written.\n---\n")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    learner_client.submit("/courses/soon/enrol", page="/courses/soon")
    html = text(learner_client.get("/courses/soon"))
    assert "The first module is on its way." in html and "Start the course" not in html
    assert learner_client.get("/courses/soon/continue").headers["Location"].endswith("/courses/soon")
