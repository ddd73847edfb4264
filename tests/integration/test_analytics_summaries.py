"""The analytics summaries stay equal to a fresh count from the attempts, whatever path changed them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from academy import migrate
from academy.models import Attempt, Course, Quiz, QuizResultBucket, QuizVersion, Role, User, utcnow
from academy.services import analytics, analytics_summaries, quizzes
from academy.services.actors import Actor
from academy.services.errors import Conflict
from tests.support import reporting
from tests.support.quizzes import COURSE, RIGHT, complete_modules, enrol


@pytest.fixture
def seeded(app, runner, content_dir):
    reporting.seed(app, runner, content_dir, learners=30)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def figures(db, admin) -> tuple:
    """Everything the analytics pages show from attempts: quiz results, exam pass rates, item statistics."""
    course_id = db.scalar(select(Course.id).where(Course.slug == COURSE))
    quiz_ids = db.scalars(select(QuizVersion.quiz_id).join(Course, Course.current_version_id ==
                                                            QuizVersion.course_version_id)).all()
    week_ago = datetime.combine(utcnow().date() - timedelta(days=6), time.min, UTC)
    return (analytics.quiz_summaries(db, course_id),
            [analytics.headline(db, course_id, since) for since in (None, week_ago)],
            [analytics.quiz_detail(db, Actor.of(admin), quiz_id) for quiz_id in sorted(quiz_ids)])


def take_basics(db, user_id: int, *, right: bool, key: str) -> Attempt:
    attempt = quizzes.start(db, user_id, COURSE, "basics")
    keys = [i["key"] for i in attempt.layout["items"] if not i["branching"]]
    answers = {k: RIGHT[k] if right else ["a"] if RIGHT[k] == ["b"] else ["b"] for k in keys}
    return quizzes.submit(db, user_id, attempt.token, answers, key)


def test_summaries_equal_a_fresh_count_after_submissions_expiries_and_deletions(app, db, seeded, admin, make_user):
    learners = [make_user() for _ in range(3)]
    for n, learner in enumerate(learners):
        enrol(app, learner.id)
        take_basics(db, learner.id, right=n % 2 == 0, key=f"first-{n}")
        take_basics(db, learner.id, right=True, key=f"retake-{n}")
    # Time runs out on an exam: graded as it stands (expired), counted like a submission.
    complete_modules(app, learners[0].id)
    exam = quizzes.start(db, learners[0].id, COURSE, "exam")
    with pytest.raises(Conflict):
        quizzes.save_answers(db, learners[0].id, exam.token, {}, now=exam.deadline_at + timedelta(minutes=1))
    # Deleted through the session: one attempt, then a learner with everything they did.
    db.delete(db.get(Attempt, take_basics(db, learners[1].id, right=False, key="gone").id))
    db.commit()
    db.delete(db.get(User, learners[2].id))
    db.commit()
    # Deleted with Core: the caller takes the attempts out of the summaries first.
    doomed = select(User.id).where(User.email.like("%.5-1@%")).scalar_subquery()
    analytics_summaries.remove(db, Attempt.user_id == doomed)
    db.execute(delete(Attempt).where(Attempt.user_id == doomed))
    db.commit()

    assert analytics_summaries.differences(db) == {}
    shown = figures(db, admin)
    analytics_summaries.rebuild(db)
    db.commit()
    assert figures(db, admin) == shown
    assert shown[0][0].attempts > 0 and shown[2][0].counted_attempts > 0


def test_an_unfinished_attempt_is_counted_only_once_submitted(app, db, seeded, admin, make_user):
    learner = make_user()
    enrol(app, learner.id)
    basics = db.scalar(select(Quiz.id).where(Quiz.slug == "basics"))
    before = analytics.quiz_detail(db, Actor.of(admin), basics).counted_attempts
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    first = attempt.layout["items"][0]["key"]
    quizzes.save_answers(db, learner.id, attempt.token, {first: RIGHT[first]})
    assert analytics.quiz_detail(db, Actor.of(admin), basics).counted_attempts == before
    quizzes.submit(db, learner.id, attempt.token, {i["key"]: RIGHT[i["key"]] for i in attempt.layout["items"]
                                                   if not i["branching"]}, "k")
    assert analytics.quiz_detail(db, Actor.of(admin), basics).counted_attempts == before + 1
    assert analytics_summaries.differences(db) == {}


def test_an_attempt_finished_with_a_core_update_is_counted_when_the_service_says_so(app, db, seeded, make_user):
    learner = make_user()
    enrol(app, learner.id)
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    db.execute(update(Attempt).where(Attempt.id == attempt.id).values(
        status="submitted", submitted_at=utcnow(), score_percent=0, points=0, passed=False))
    analytics_summaries.finished_by_core(db, attempt.id)
    db.commit()
    assert analytics_summaries.differences(db) == {}


def test_a_replayed_submission_is_counted_once(app, db, seeded, make_user):
    learner = make_user()
    enrol(app, learner.id)
    attempt = take_basics(db, learner.id, right=True, key="same")
    quizzes.submit(db, learner.id, attempt.token, {}, "same")
    db.commit()
    assert analytics_summaries.differences(db) == {}


def test_check_reports_drift_and_rebuild_repairs_it(app, db, runner, seeded, admin):
    assert runner.invoke(args=["analytics", "check"]).exit_code == 0
    shown = figures(db, admin)
    db.execute(update(QuizResultBucket).values(attempts=QuizResultBucket.attempts + 7))
    db.commit()
    drifted = runner.invoke(args=["analytics", "check"])
    assert drifted.exit_code == 1 and "analytics_quiz_buckets" in drifted.output
    rebuilt = runner.invoke(args=["analytics", "rebuild"])
    assert rebuilt.exit_code == 0 and "Rebuilt" in rebuilt.output
    assert runner.invoke(args=["analytics", "check"]).exit_code == 0
    db.rollback()
    assert figures(db, admin) == shown


def test_an_upgraded_database_has_its_summaries_filled_from_the_attempts_already_there(app, db, seeded, admin):
    shown = figures(db, admin)
    db.close()
    engine = app.extensions["academy.engine"]
    engine.dispose()
    migrate.downgrade(engine, "0011_scale_indexes")
    migrate.upgrade(engine)
    engine.dispose()
    assert db.scalar(select(func.count()).select_from(QuizResultBucket)) > 0
    assert analytics_summaries.differences(db) == {}
    assert figures(db, admin) == shown
