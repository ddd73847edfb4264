"""Enrolments and module progress in SQL, and the per-course and per-organisation reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from academy.domain import content
from academy.models import Course, Enrolment, Module, ModuleProgress, utcnow
from academy.services import accounts, progress, publishing
from tests.support.content_tree import FakeLinks


@pytest.fixture
def demo(db, course_tree):
    """The standard course, published: (course id, {module slug: module id})."""
    course_tree.standard()
    snapshot, _ = content.load(course_tree.root, FakeLinks())
    publishing.sync(db, snapshot)
    course_id = db.scalar(select(Course.id).where(Course.slug == "demo"))
    ids = dict(db.execute(select(Module.slug, Module.id)).all())
    db.commit()  # end this read: on SQLite a stale reader cannot become a writer
    return course_id, ids


def row(db, user_id: int, module_id: int) -> ModuleProgress:
    db.expire_all()
    return db.scalar(select(ModuleProgress).where(ModuleProgress.user_id == user_id,
                                                  ModuleProgress.module_id == module_id))


def view(db, user_id: int, course_id: int, module_id: int, *, completes: bool = False):
    return progress.record_view(db, user_id, course_id, module_id, progress.states(db, user_id, course_id),
                                completes=completes)


def age(db, user_id: int, minutes: int) -> None:
    """Pretend the learner's views happened ``minutes`` earlier."""
    for saved in db.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user_id)):
        saved.last_viewed_at -= timedelta(minutes=minutes)
    db.commit()


def test_enrolling_twice_keeps_one_enrolment(db, demo, make_user):
    learner = make_user()
    assert progress.enrol(db, learner.id, demo[0]) is True
    assert progress.enrol(db, learner.id, demo[0]) is False
    assert len(db.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)).all()) == 1


def test_a_first_view_starts_the_module(db, demo, make_user):
    learner = make_user()
    course_id, ids = demo
    state = view(db, learner.id, course_id, ids["basics"])
    saved = row(db, learner.id, ids["basics"])
    assert (saved.visits, saved.seconds_spent, saved.completed_at, saved.course_id) == (1, 0, None, course_id)
    assert saved.first_viewed_at == saved.last_viewed_at == state.last_viewed_at
    assert state.completed_at is None


def test_reading_time_is_credited_to_the_previous_page_and_capped(db, demo, make_user):
    learner = make_user()
    course_id, ids = demo
    view(db, learner.id, course_id, ids["basics"])
    age(db, learner.id, 7)
    view(db, learner.id, course_id, ids["roles"])
    basics = row(db, learner.id, ids["basics"])
    assert basics.visits == 1 and 7 * 60 - 5 <= basics.seconds_spent <= 7 * 60 + 5
    assert basics.last_viewed_at < row(db, learner.id, ids["roles"]).last_viewed_at, "credit is not a visit"
    age(db, learner.id, 600)
    view(db, learner.id, course_id, ids["roles"])
    roles = row(db, learner.id, ids["roles"])
    assert (roles.visits, roles.seconds_spent) == (2, 30 * 60)


def test_a_module_without_a_quiz_is_done_once_read(db, demo, make_user):
    learner = make_user()
    course_id, ids = demo
    state = view(db, learner.id, course_id, ids["wrap-up"], completes=True)
    first = row(db, learner.id, ids["wrap-up"]).completed_at
    assert first is not None and state.completed_at == first
    age(db, learner.id, 5)
    view(db, learner.id, course_id, ids["wrap-up"], completes=True)
    assert row(db, learner.id, ids["wrap-up"]).completed_at == first, "the first completion time is kept"


def test_the_quiz_engine_completes_a_module_in_its_own_transaction(db, demo, make_user):
    learner = make_user()
    course_id, ids = demo
    view(db, learner.id, course_id, ids["basics"])
    progress.complete_module(db, learner.id, ids["basics"])
    db.rollback()
    assert row(db, learner.id, ids["basics"]).completed_at is None, "complete_module leaves the commit to its caller"
    progress.complete_module(db, learner.id, ids["basics"])
    db.commit()
    done = row(db, learner.id, ids["basics"])
    assert done.completed_at is not None and done.visits == 1
    state = view(db, learner.id, course_id, ids["basics"])
    assert state.completed_at == done.completed_at


def test_completing_a_module_never_read_enrols_the_learner(db, demo, make_user):
    learner = make_user()
    course_id, ids = demo
    progress.complete_module(db, learner.id, ids["roles"])
    db.commit()
    assert db.scalar(select(Enrolment.course_id).where(Enrolment.user_id == learner.id)) == course_id
    assert row(db, learner.id, ids["roles"]).visits == 0


def test_completing_an_unknown_module_is_an_error(db, demo, make_user):
    with pytest.raises(ValueError, match="no module"):
        progress.complete_module(db, make_user().id, 999_999)


def test_a_learner_summary(db, demo, make_user):
    learner = make_user()
    course_id, ids = demo
    view(db, learner.id, course_id, ids["basics"])
    view(db, learner.id, course_id, ids["wrap-up"], completes=True)
    summary = progress.learner_summary(db, learner.id, course_id)
    assert (summary.total, summary.done, summary.started, summary.percent) == (3, 1, 2, 50)


def test_reports_per_course_and_per_organisation(db, demo, make_user):
    course_id, ids = demo
    northbank = accounts.create_organisation(db, "Northbank")
    ana = make_user(name="Ana", organisation_id=northbank.id)
    ben = make_user(name="Ben")
    cy = make_user(name="Cy", organisation_id=northbank.id)
    for learner in (ana, ben):
        progress.enrol(db, learner.id, course_id)
    view(db, ana.id, course_id, ids["wrap-up"], completes=True)
    view(db, ana.id, course_id, ids["basics"])
    report = progress.course_learners(db, course_id)
    assert [(r.name, r.modules_done, r.modules_started, r.modules_total, r.percent) for r in report] == [
        ("Ana", 1, 2, 3, 33), ("Ben", 0, 0, 3, 0)]
    assert report[0].course_slug == "demo" and report[0].course_title == "Demo course"
    assert report[0].last_activity_at is not None and report[1].last_activity_at is None
    assert [r.name for r in progress.organisation_learners(db, northbank.id)] == ["Ana"]
    assert progress.organisation_learners(db, northbank.id, course_id=course_id)[0].user_id == ana.id
    assert progress.organisation_learners(db, northbank.id, course_id=course_id + 1) == []
    assert cy.id not in {r.user_id for r in report}


def test_time_spent_is_summed_in_reports(db, demo, make_user):
    course_id, ids = demo
    learner = make_user()
    progress.enrol(db, learner.id, course_id)
    view(db, learner.id, course_id, ids["basics"])
    age(db, learner.id, 3)
    view(db, learner.id, course_id, ids["roles"])
    assert abs(progress.course_learners(db, course_id)[0].seconds_spent - 180) <= 5


def test_views_close_to_each_other_do_not_duplicate_rows(db, demo, make_user):
    learner = make_user()
    course_id, ids = demo
    stale = progress.states(db, learner.id, course_id)
    progress.record_view(db, learner.id, course_id, ids["basics"], stale, completes=False)
    progress.record_view(db, learner.id, course_id, ids["basics"], stale, completes=False)
    assert row(db, learner.id, ids["basics"]).visits == 2
    assert utcnow() - row(db, learner.id, ids["basics"]).first_viewed_at < timedelta(minutes=1)
