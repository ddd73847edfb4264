"""The matrix's status filter (decided in SQL) lists exactly the people whose cells the domain shows in that state."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from academy.domain.assignments import Cell
from academy.models import Certificate, Course, CourseAssignment, Enrolment, ModuleProgress, User, utcnow
from academy.services import matrix_cells, organisations
from tests.support import certification as course_support
from tests.support.organisations import make_organisation

DAY = timedelta(days=1)
#: Certificate expiry relative to now (None: no certificate); "never" expires, "revoked" is revoked.
CERTIFICATES = (None, 300, 30, -5, -200, "never", "revoked")
#: Last reading relative to now (None: never read).
READING = (None, -100, -1)
#: Per-person assignments: none, due N days after joining, due on a date (relative to now).
ASSIGNED = (None, ("days", 30), ("on", -10), ("on", 10))


@pytest.fixture
def course(app, runner, content_dir, db):
    course_support.publish(runner, content_dir)
    return course_support.ids(db)


def populate(db, org: int, course, *, organisation_wide: bool) -> None:
    """One person for every combination of joining date, certificate, reading, enrolment and assignment."""
    now = utcnow()
    version_id = db.scalar(select(Course.current_version_id).where(Course.id == course.course_id))
    if organisation_wide:
        db.add(CourseAssignment(organisation_id=org, course_id=course.course_id, due_days=10,
                                created_at=now - 60 * DAY))
    combinations = itertools.product((-400, -5), CERTIFICATES, READING, (False, True), ASSIGNED)
    for n, (joined, certificate, reading, enrolled, assigned) in enumerate(combinations):
        user = User(email=f"p{n}@northbank.example", name=f"Person {n:03d}", password_hash="x",
                    organisation_id=org, created_at=now + joined * DAY)
        db.add(user)
        db.flush()
        if certificate is not None:
            expires = None if certificate in ("never", "revoked") else now + certificate * DAY
            db.add(Certificate(code=f"T{n:05d}", user_id=user.id, course_id=course.course_id,
                               course_version_id=version_id, holder_name=user.name, identity_hash="x",
                               identity_salt="x", title="t", course_title="c", awarded_at=now - 400 * DAY,
                               issued_at=now - 400 * DAY, expires_at=expires,
                               revoked_at=now - DAY if certificate == "revoked" else None))
        if reading is not None:
            db.add(ModuleProgress(user_id=user.id, course_id=course.course_id,
                                  module_id=course.modules["reading"], last_viewed_at=now + reading * DAY))
        if enrolled:
            db.add(Enrolment(user_id=user.id, course_id=course.course_id))
        if assigned is not None:
            kind, value = assigned
            due = {"due_days": value} if kind == "days" else {"due_on": (now + value * DAY).date()}
            db.add(CourseAssignment(organisation_id=org, course_id=course.course_id, user_id=user.id,
                                    created_at=now - 20 * DAY, **due))
    db.commit()


def cells_in_python(db, org: int, now) -> dict[int, set[str]]:
    courses = organisations.published_courses(db)
    members = list(db.execute(select(User.id, User.name, User.email, User.created_at)
                              .where(User.organisation_id == org)))
    facts = organisations.load_facts(db, org)
    return {row.user_id: {c.cell.value for c in row.cells}
            for row in (organisations._row(u, courses, facts, now) for u in members)}


@pytest.mark.parametrize("organisation_wide", [False, True])
def test_the_sql_cells_agree_with_the_domain_for_every_kind_of_person(db, course, organisation_wide):
    org = make_organisation(db, "Northbank Financial")
    populate(db, org, course, organisation_wide=organisation_wide)
    course_ids = [c.id for c in organisations.published_courses(db)]
    seen = set()
    for later in (0, 8, 45, 400):
        now = utcnow() + later * DAY
        expected = cells_in_python(db, org, now)
        for status in Cell:
            people = select(User.id).where(User.organisation_id == org)
            found = set(matrix_cells.people_with(db, people, org, course_ids, status.value, now))
            assert found == {user for user, cells in expected.items() if status.value in cells}, (later, status)
            seen |= {status} if found else set()
    # The population is varied enough to reach every state a cell can be in (assigned to all: no
    # "not enrolled", and an expired or revoked certificate is an assignment to do again).
    assert seen == set(Cell) - ({Cell.NONE, Cell.EXPIRED, Cell.REVOKED} if organisation_wide else set())


def test_a_filtered_matrix_pages_and_counts_in_the_database(db, course):
    org = make_organisation(db, "Northbank Financial")
    populate(db, org, course, organisation_wide=True)
    now = utcnow() + 45 * DAY
    expected = sorted((name, user) for user, name in db.execute(select(User.id, User.name)
                                                                 .where(User.organisation_id == org))
                      if Cell.OVERDUE.value in cells_in_python(db, org, now)[user])
    first = organisations.matrix(db, org, organisations.MatrixFilter(status="overdue"), now)
    second = organisations.matrix(db, org, organisations.MatrixFilter(status="overdue", page=2), now)
    assert first.total == len(expected) > organisations.PAGE_SIZE
    assert first.pages == second.pages == -(-len(expected) // organisations.PAGE_SIZE)
    shown = [(row.name, row.user_id) for row in [*first.rows, *second.rows]]
    assert shown == expected[:len(shown)] and len(first.rows) == organisations.PAGE_SIZE
    assert all(any(c.cell is Cell.OVERDUE for c in row.cells) for row in [*first.rows, *second.rows])
