"""`make bench-scale`'s data: grown in steps, consistent, and every measured list pages through all of it.

The lists walk the indexes of migration 0010 in their own order; paging through every page must give
exactly the rows, in exactly the order, of the plain ``ORDER BY`` query without LIMIT or OFFSET.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from academy.models import (
    Attempt,
    AttemptAnswer,
    Certificate,
    Course,
    CourseAssignment,
    Enrolment,
    Organisation,
    OrganisationManager,
    QuizVersion,
    Role,
    User,
)
from bench import scale

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CODE = re.compile(r"<code>([A-Z0-9-]+)</code>")


@pytest.fixture
def grown(app, db):
    scale.sync_content(app)
    emails = scale.accounts(app)
    # 60 learners told by the demo seeder, then 70 copies of them (as beyond 10,000 in the benchmark).
    added_first, _ = scale.grow(app, 40, 0, stories=60)
    added_then, _ = scale.grow(app, 130, 1, stories=60)
    assert (added_first, added_then) == (40, 90)
    return emails


def _pages(client, path: str, pattern: re.Pattern, known: set[str]) -> list[str]:
    """Every item ``pattern`` finds on page 1, 2, ... of ``path`` (each once per page, in page order)."""
    found, number = [], 1
    while True:
        response = client.get(f"{path}{'&' if '?' in path else '?'}page={number}")
        assert response.status_code == 200
        page = [item for item in dict.fromkeys(pattern.findall(response.get_data(as_text=True))) if item in known]
        if not page:
            return found
        found += page
        number += 1


def test_growing_keeps_the_data_consistent(app, db, grown):
    counts = scale.census(app)
    assert counts["learners"] == 131  # 130 demo learners and the manager
    assert counts["attempts"] > 0 and counts["answers"] > 0 and counts["certificates"] > 0
    # A copy did what its original did, under its own email, attempt tokens and certificate codes.
    copies = db.execute(select(User.id, User.email).where(User.email.like("copy%"))).all()
    assert len(copies) == 70
    for copy_id, email in copies[:10]:
        original = db.scalar(select(User.id).where(User.email == email.split(".", 1)[1]))
        for model, column in ((Attempt, Attempt.score_percent), (Certificate, Certificate.course_title)):
            assert (sorted(db.scalars(select(column).where(model.user_id == copy_id)), key=str)
                    == sorted(db.scalars(select(column).where(model.user_id == original)), key=str))
        answers = select(func.count()).select_from(AttemptAnswer).join(Attempt)
        assert (db.scalar(answers.where(Attempt.user_id == copy_id))
                == db.scalar(answers.where(Attempt.user_id == original)))
    big = db.scalar(select(Organisation.id).where(Organisation.name == scale.BIG_ORGANISATION))
    members = set(db.scalars(select(User.id).where(User.organisation_id == big)))
    learners = set(db.scalars(select(User.id).where(User.role == Role.LEARNER.value)))
    manager = db.scalar(select(User.id).where(User.email == grown["manager"]))
    assert members == {u for u in learners if u % scale.BIG_EVERY == 0} | {manager}
    assert counts["big organisation"] == len(members)
    assert db.scalar(select(OrganisationManager.user_id).where(OrganisationManager.organisation_id == big)) == manager
    courses = db.scalar(select(func.count()).select_from(Course))
    assert db.scalar(select(func.count()).select_from(CourseAssignment).where(
        CourseAssignment.organisation_id == big, CourseAssignment.user_id.is_(None),
        CourseAssignment.due_on.is_not(None))) == min(2, courses) >= 1
    # Attempts are of the quiz version they name; certificates are of courses their holder is enrolled in.
    assert db.scalar(select(func.count()).select_from(Attempt)
                     .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id)
                     .where(QuizVersion.quiz_id != Attempt.quiz_id)) == 0
    assert db.scalar(select(func.count()).select_from(Certificate).outerjoin(
        Enrolment, (Enrolment.user_id == Certificate.user_id) & (Enrolment.course_id == Certificate.course_id))
        .where(Enrolment.id.is_(None))) == 0


def test_every_measured_list_pages_through_exactly_the_rows_of_the_plain_query(app, db, grown):
    """Users by name, certificates newest first, the big organisation's people by name: all pages."""
    admin = scale.signed_in(app, grown["admin"])
    users = list(db.scalars(select(User.email).order_by(User.name, User.id)))
    assert len(users) > 2 * 50  # three pages at least
    assert _pages(admin, "/admin/users", EMAIL, set(users)) == users

    codes = list(db.scalars(select(Certificate.code).order_by(Certificate.issued_at.desc(), Certificate.id.desc())))
    assert len(codes) > 50
    assert _pages(admin, "/admin/certificates", CODE, set(codes)) == codes

    manager = scale.signed_in(app, grown["manager"])
    big = db.scalar(select(Organisation.id).where(Organisation.name == scale.BIG_ORGANISATION))
    members = list(db.scalars(select(User.email).where(User.organisation_id == big).order_by(User.name, User.id)))
    assert len(members) > 1
    assert _pages(manager, f"/manage/{big}", EMAIL, set(members)) == members
