"""Analytics aggregated in SQL: the figures match the rows, weeks start on Monday in both databases,
and instructors see only the courses they edit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from academy.models import (
    Attempt,
    AttemptAnswer,
    BranchingChoice,
    Course,
    CourseEditor,
    Enrolment,
    Quiz,
    Role,
    User,
    utcnow,
)
from academy.services import analytics
from academy.services.actors import Actor
from academy.services.errors import Forbidden, NotFound
from tests.support import reporting


@pytest.fixture
def seeded(app, runner, content_dir, db):
    reporting.seed(app, runner, content_dir, learners=50)
    course_id = db.scalar(select(Course.id))
    db.rollback()  # end the read, so this session may write later in SQLite
    return course_id


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def test_weekly_activity_counts_every_enrolment_in_the_period(db, seeded):
    weeks = analytics.weekly_activity(db, seeded, weeks=170, today=utcnow().date())
    assert len(weeks) == 170 and all(w.start.weekday() == 0 for w in weeks)
    assert sum(w.enrolments for w in weeks) == db.scalar(select(func.count()).select_from(Enrolment))
    assert sum(w.certificates for w in weeks) > 0
    assert sum(w.completions for w in weeks) >= sum(w.certificates for w in weeks)


def test_a_week_runs_from_monday_to_sunday_in_utc(db, make_user, app, runner, content_dir):
    from tests.support.quizzes import publish
    publish(runner, content_dir)
    moments = [datetime(2026, 11, 22, 23, 59, tzinfo=UTC), datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
               datetime(2026, 11, 29, 23, 59, tzinfo=UTC)]
    learners = [make_user() for _ in moments]
    course_id = db.scalar(select(Course.id))
    for learner, moment in zip(learners, moments, strict=True):
        db.add(Enrolment(user_id=learner.id, course_id=course_id, enrolled_at=moment))
    db.commit()
    weeks = analytics.weekly_activity(db, course_id, weeks=2, today=date(2026, 11, 29))  # a Sunday
    assert [(w.start, w.enrolments) for w in weeks] == [(date(2026, 11, 16), 1), (date(2026, 11, 23), 2)]


def test_quiz_summaries_match_the_attempts(db, seeded):
    summaries = analytics.quiz_summaries(db, seeded)
    assert [s.slug for s in summaries][-1] == "exam"  # the final exam comes last
    for summary in summaries:
        attempts = db.scalar(select(func.count()).select_from(Attempt).where(Attempt.quiz_id == summary.quiz_id))
        passed = db.scalar(select(func.count()).select_from(Attempt)
                           .where(Attempt.quiz_id == summary.quiz_id, Attempt.passed.is_(True)))
        assert (summary.attempts, summary.passed, sum(summary.buckets)) == (attempts, passed, attempts)
        assert len(summary.buckets) == analytics.BUCKETS


def test_per_question_and_per_option_counts(db, seeded, admin):
    basics = db.scalar(select(Quiz.id).where(Quiz.slug == "basics"))
    detail = analytics.quiz_detail(db, Actor.of(admin), basics)
    by_key = {q.key: q for q in detail.questions}
    for key, stat in by_key.items():
        rows = db.scalars(select(AttemptAnswer).join(Attempt).where(
            Attempt.quiz_id == basics, AttemptAnswer.question_key == key)).all()
        assert stat.answered == len(rows) and stat.correct == sum(1 for r in rows if r.correct)
        assert sum(o.chosen for o in stat.options) == sum(len(r.chosen) for r in rows)
    assert by_key["is-major"].options[0].correct and not by_key["is-major"].options[1].correct


def test_branching_steps_show_the_recommended_share_and_the_most_common_wrong_call(db, seeded, admin):
    bridge = db.scalar(select(Quiz.id).where(Quiz.slug == "bridge"))
    steps = {s.step: s for s in analytics.quiz_detail(db, Actor.of(admin), bridge).steps}
    first = steps["First signals"]
    made = dict(db.execute(select(BranchingChoice.choice_key, func.count()).where(
        BranchingChoice.step_id == "start").group_by(BranchingChoice.choice_key)).all())
    assert first.decisions == sum(made.values()) and first.recommended == made.get("a", 0)
    assert (first.wrong_calls, first.wrong_call_html is not None) == (made.get("b", 0), "b" in made)
    assert "Ending" not in " ".join(steps)


def test_organisation_progress_covers_every_enrolment(db, seeded):
    rows = analytics.organisation_progress(db, seeded, utcnow())
    assert sum(r.enrolled for r in rows) == db.scalar(select(func.count()).select_from(Enrolment))
    assert all(0 <= r.average_percent <= 100 and r.completed <= r.enrolled for r in rows)
    names = [r.name for r in rows]
    assert names[:-1] == sorted(names[:-1], key=str.lower) if None in names else names == sorted(names, key=str.lower)


def test_instructors_see_only_the_courses_they_edit(db, seeded, make_user):
    instructor = make_user(Role.INSTRUCTOR)
    assert analytics.visible_courses(db, Actor.of(instructor)) == []
    assert analytics.choose_course(db, Actor.of(instructor), None) is None
    with pytest.raises(Forbidden):
        analytics.choose_course(db, Actor.of(instructor), "demo")
    quiz_id = db.scalar(select(Quiz.id))
    with pytest.raises(Forbidden):
        analytics.quiz_detail(db, Actor.of(instructor), quiz_id)
    db.add(CourseEditor(course_id=seeded, user_id=instructor.id))
    db.commit()
    assert [c.slug for c in analytics.visible_courses(db, Actor.of(db.get(User, instructor.id)))] == ["demo"]
    assert analytics.quiz_detail(db, Actor.of(db.get(User, instructor.id)), quiz_id).course.slug == "demo"


def test_unknown_courses_and_quizzes_are_not_found(db, seeded, admin):
    with pytest.raises(NotFound):
        analytics.choose_course(db, Actor.of(admin), "nope")
    with pytest.raises(NotFound):
        analytics.quiz_detail(db, Actor.of(admin), 999_999)
