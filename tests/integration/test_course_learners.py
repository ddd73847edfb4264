"""The learners of a course as its instructors see them: facts gathered for everyone at once, the stuck
rules applied, filtered, sorted and paged; the same number of queries for five learners or fifty."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from academy.domain.stuck import Kind
from academy.models import CourseEditor, Organisation, User, utcnow
from academy.services import course_learners
from academy.services.actors import Actor
from academy.services.errors import NotFound
from tests.support import learners as build
from tests.support.quizzes import publish


@pytest.fixture
def course(runner, content_dir, db):
    publish(runner, content_dir)
    return build.course_id(db)


@pytest.fixture
def cast(db, make_user, course):
    """One learner per rule, one who is fine and one who has finished; names say which."""
    now = utcnow()
    people = {}
    for name in ("Idle Ines", "Failing Farid", "Exam Edda", "Overdue Otto", "Fine Fiona", "Done Dara"):
        people[name] = make_user(name=name).id
    db.rollback()  # a fresh snapshot that sees them (SQLite will not write from an older one)
    build.enrol(db, people["Idle Ines"], days_ago=40)
    build.read_modules(db, people["Idle Ines"], count=1, days_ago=20)
    build.enrol(db, people["Failing Farid"], days_ago=5)
    build.attempt(db, people["Failing Farid"], "basics", passed=False, days_ago=2)
    build.attempt(db, people["Failing Farid"], "basics", passed=False, days_ago=1)
    build.enrol(db, people["Exam Edda"], days_ago=5)
    build.read_modules(db, people["Exam Edda"], days_ago=2)
    build.attempt(db, people["Exam Edda"], "exam", passed=False, days_ago=1)
    organisation = Organisation(name="Northbank", join_code="NORTHBANK-1")
    db.add(organisation)
    db.flush()
    db.get(User, people["Overdue Otto"]).organisation_id = organisation.id
    build.enrol(db, people["Overdue Otto"], days_ago=3)
    build.read_modules(db, people["Overdue Otto"], count=1, days_ago=1)
    build.assign(db, organisation.id, due_on=(now - timedelta(days=2)).date())
    build.enrol(db, people["Fine Fiona"], days_ago=3)
    build.read_modules(db, people["Fine Fiona"], count=1, days_ago=1)
    build.attempt(db, people["Fine Fiona"], "basics", passed=False, days_ago=1)
    build.enrol(db, people["Done Dara"], days_ago=200)
    build.read_modules(db, people["Done Dara"], days_ago=150)
    build.attempt(db, people["Done Dara"], "exam", passed=True, days_ago=150)
    db.commit()
    return people


def test_each_learner_is_flagged_for_the_right_reason(db, make_user, course, cast):
    admin = make_user("admin")
    db.rollback()
    listing = course_learners.listing(db, Actor.of(admin), "demo", utcnow(), sort="name")
    by_name = {row.name: row for row in listing.page.items}
    assert [r.kind for r in by_name["Idle Ines"].reasons] == [Kind.INACTIVE]
    assert by_name["Idle Ines"].reasons[0].days == 20
    assert [(r.kind, r.quiz, r.count) for r in by_name["Failing Farid"].reasons] == [
        (Kind.REPEATED_FAILURES, "Basics check", 2)]
    assert [(r.kind, r.count) for r in by_name["Exam Edda"].reasons] == [(Kind.EXAM_ATTEMPTS, 1)]
    assert (by_name["Exam Edda"].exam_attempts_used, by_name["Exam Edda"].exam_attempts_left) == (1, 1)
    assert [r.kind for r in by_name["Overdue Otto"].reasons] == [Kind.OVERDUE]
    assert by_name["Overdue Otto"].due_on == (utcnow() - timedelta(days=2)).date()
    assert by_name["Fine Fiona"].reasons == () and by_name["Fine Fiona"].failed_attempts == 1
    assert by_name["Done Dara"].reasons == () and by_name["Done Dara"].progress.percent == 100
    assert (listing.enrolled, listing.stuck) == (6, 4)


def test_stuck_only_sorting_and_pages(db, make_user, course, cast):
    admin = make_user("admin")
    now = utcnow()
    stuck = course_learners.listing(db, Actor.of(admin), "demo", now, stuck_only=True, sort="name")
    assert [r.name for r in stuck.page.items] == ["Exam Edda", "Failing Farid", "Idle Ines", "Overdue Otto"]
    first = course_learners.listing(db, Actor.of(admin), "demo", now, sort="name", size=4)
    second = course_learners.listing(db, Actor.of(admin), "demo", now, sort="name", page=2, size=4)
    assert first.page.total == 6 and first.page.pages == 2
    assert [r.name for r in first.page.items + second.page.items] == sorted(cast)
    progress = course_learners.listing(db, Actor.of(admin), "demo", now, sort="progress").page.items
    assert progress[-1].name == "Done Dara"
    failed = course_learners.listing(db, Actor.of(admin), "demo", now, sort="failed").page.items
    assert failed[0].name == "Failing Farid"
    beyond = course_learners.listing(db, Actor.of(admin), "demo", now, page=99)
    assert beyond.page.number == 1 and len(beyond.page.items) == 6


def test_instructors_see_only_courses_they_edit(db, make_user, course, cast):
    instructor = make_user("instructor")
    with pytest.raises(NotFound):
        course_learners.listing(db, Actor.of(instructor), "demo", utcnow())
    db.rollback()
    db.add(CourseEditor(course_id=course, user_id=instructor.id))
    db.commit()
    assert course_learners.listing(db, Actor.of(instructor), "demo", utcnow()).enrolled == 6
    with pytest.raises(NotFound):
        course_learners.listing(db, Actor.of(make_user("admin")), "no-such-course", utcnow())


def test_the_list_costs_the_same_number_of_queries_for_six_or_fifty_six_learners(app, db, make_user, course, cast):
    admin = make_user("admin")
    engine = app.extensions["academy.engine"]

    def queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            course_learners.listing(db, Actor.of(admin), "demo", utcnow())
            _course, rows = course_learners.csv_rows(db, Actor.of(admin), "demo", utcnow())
            list(rows)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    few = queries()
    db.rollback()
    extra = [make_user(name=f"Extra {n}").id for n in range(50)]  # before this session writes (SQLite locks)
    for n, user in enumerate(extra):
        build.enrol(db, user, days_ago=n)
        build.read_modules(db, user, count=1, days_ago=n / 2)
        build.attempt(db, user, "basics", passed=n % 3 == 0, days_ago=1)
    db.commit()
    assert queries() == few
