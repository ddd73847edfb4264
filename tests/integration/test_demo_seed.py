"""`demo seed`: realistic, consistent and reproducible synthetic data on the real content."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from academy.db import session_scope
from academy.domain.quiz_format import QuizDef
from academy.models import (
    Attempt,
    AttemptAnswer,
    BranchingChoice,
    Certificate,
    Enrolment,
    ModuleProgress,
    Organisation,
    QuizVersion,
    User,
    utcnow,
)
from academy.services import demo
from tests.support import reporting


def fingerprint(db) -> tuple:
    """What a seed produced, independent of row ids."""
    return (
        tuple(db.execute(select(User.email, User.name, User.active).order_by(User.email)).all()),
        tuple(db.execute(select(User.email, Certificate.code, Certificate.score_percent, Certificate.issued_at)
                         .join(User, User.id == Certificate.user_id).order_by(Certificate.code)).all()),
        db.scalar(select(func.count()).select_from(Attempt)),
        db.scalar(select(func.sum(Attempt.points))),
        db.scalar(select(func.count()).select_from(BranchingChoice)),
    )


def test_the_same_seed_gives_the_same_data(app, runner, content_dir, db):
    now = utcnow()
    first_report = reporting.seed(app, runner, content_dir, learners=25, seed=9, now=now)
    first = fingerprint(db)
    db.execute(delete(User))
    db.commit()
    with session_scope(app) as session:
        again_report = demo.seed(session, learners=25, seed=9, now=now)
    assert fingerprint(db) == first and again_report == first_report


def test_seeding_makes_enrolments_reading_attempts_and_certificates(app, runner, content_dir, db):
    report = reporting.seed(app, runner, content_dir, learners=40)
    assert report.learners == 40 and db.scalar(select(func.count()).select_from(User)) == 40
    assert report.organisations >= 3 and db.scalar(select(func.count()).select_from(Organisation)) == 3
    for model, expected in ((Enrolment, report.enrolments), (ModuleProgress, report.module_progress),
                            (Attempt, report.attempts), (AttemptAnswer, report.answers),
                            (BranchingChoice, report.branching_choices), (Certificate, report.certificates)):
        assert db.scalar(select(func.count()).select_from(model)) == expected > 0, model


def test_attempts_are_graded_by_the_real_rules(app, runner, content_dir, db):
    reporting.seed(app, runner, content_dir, learners=30)
    definitions = {v.id: QuizDef.from_dict(v.definition) for v in db.scalars(select(QuizVersion))}
    for attempt in db.scalars(select(Attempt)):
        definition = definitions[attempt.quiz_version_id]
        assert sum(a.points for a in attempt.answers) == attempt.points
        assert attempt.score_percent == attempt.points * 100 // attempt.max_points
        assert attempt.passed == (attempt.points * 100 >= definition.pass_mark * attempt.max_points
                                  and not attempt.critical_error)
        assert attempt.started_at < attempt.submitted_at <= utcnow()


def test_certificates_go_to_learners_who_passed_every_quiz(app, runner, content_dir, db):
    reporting.seed(app, runner, content_dir, learners=40)
    quizzes = db.scalar(select(func.count(func.distinct(Attempt.quiz_id))))
    for certificate in db.scalars(select(Certificate)):
        passed = db.scalar(select(func.count(func.distinct(Attempt.quiz_id)))
                           .where(Attempt.user_id == certificate.user_id, Attempt.passed.is_(True)))
        assert passed == quizzes
        assert certificate.holder_name == db.get(User, certificate.user_id).name


def test_seeding_twice_with_one_seed_is_refused_and_nothing_is_added(app, runner, content_dir, db):
    reporting.seed(app, runner, content_dir, learners=5, seed=3)
    for learners in ("5", "900"):
        result = runner.invoke(args=["demo", "seed", "--learners", learners, "--seed", "3"])
        assert result.exit_code == 1 and "already loaded" in result.output
    assert db.scalar(select(func.count()).select_from(User)) == 5
    assert runner.invoke(args=["demo", "seed", "--learners", "5", "--seed", "30"]).exit_code == 0


def test_without_published_content_the_command_says_to_sync_first(runner, db):
    result = runner.invoke(args=["demo", "seed", "--learners", "5"])
    assert result.exit_code == 1
    assert "content sync" in result.output
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_the_command_reports_what_it_made(app, runner, content_dir):
    from tests.support.quizzes import publish
    publish(runner, content_dir)
    result = runner.invoke(args=["demo", "seed", "--learners", "12", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "Seeded 12 learners" in result.output and "certificates" in result.output


def test_demo_learners_who_read_have_signed_in(app, runner, content_dir, db):
    """An active demo learner is never shown as "Last sign-in: Never": they signed in to read."""
    reporting.seed(app, runner, content_dir, learners=20)
    last_read = dict(db.execute(select(ModuleProgress.user_id, func.max(ModuleProgress.last_viewed_at))
                                .group_by(ModuleProgress.user_id)).all())
    assert last_read
    for user_id, last_login_at in db.execute(select(User.id, User.last_login_at)):
        assert last_login_at == last_read.get(user_id)
