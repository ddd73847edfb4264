"""Taking quizzes through the service, on a real database with content loaded by ``content sync``."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from academy.db import session_scope
from academy.models import (
    Attempt,
    AttemptAnswer,
    BranchingChoice,
    Certificate,
    Module,
    ModuleProgress,
    QuizVersion,
    utcnow,
)
from academy.services import progress, quizzes
from academy.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.support.quizzes import BASICS, COURSE, RIGHT, complete_modules, enrol, publish


@pytest.fixture
def course(app, runner, content_dir):
    publish(runner, content_dir)


@pytest.fixture
def learner(app, course, make_user):
    user = make_user()
    enrol(app, user.id)
    return user


def start_exam(app, db, user_id, **kwargs) -> Attempt:
    """Start the certification exam, once the modules it requires are complete."""
    db.rollback()  # end this session's transaction: the completions are written by another session
    complete_modules(app, user_id)
    return quizzes.start(db, user_id, COURSE, "exam", **kwargs)


def right_answers(attempt: Attempt) -> dict[str, list[str]]:
    return {item["key"]: RIGHT[item["key"]] for item in attempt.layout["items"] if not item["branching"]}


def submit_right(db, user, attempt, key="k1", **kwargs):
    return quizzes.submit(db, user.id, attempt.token, right_answers(attempt), key, **kwargs)


# --- Starting and resuming ------------------------------------------------------------------------

def test_start_records_the_draw_and_a_reload_resumes_the_same_attempt(db, learner):
    first = quizzes.start(db, learner.id, COURSE, "basics")
    again = quizzes.start(db, learner.id, COURSE, "basics")
    assert again.id == first.id and again.layout == first.layout
    keys = [i["key"] for i in first.layout["items"]]
    assert sorted(keys) == ["is-major", "phases", "shield"]
    assert all(sorted(i["options"]) == sorted(RIGHT_OPTIONS[i["key"]]) for i in first.layout["items"])
    assert first.max_points == 3 and first.status == "in_progress" and len(first.token) >= 32


RIGHT_OPTIONS = {"is-major": ["a", "b"], "phases": ["a", "b", "c"], "shield": ["a", "b", "c"]}


def test_attempt_records_the_quiz_version_it_was_drawn_from(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    version = db.get(QuizVersion, attempt.quiz_version_id)
    assert version.quiz_id == attempt.quiz_id and version.title == "Basics check"


def test_a_learner_must_be_enrolled(db, course, make_user):
    outsider = make_user()
    with pytest.raises(Forbidden, match="Enrol"):
        quizzes.start(db, outsider.id, COURSE, "basics")


def test_the_certification_exam_opens_once_every_module_is_complete(app, db, learner):
    info = quizzes.overview(db, learner.id, COURSE, "exam")
    assert info.locked and [title for _, title in info.modules_left] == ["Basics", "Bridge calls", "Further reading"]
    with pytest.raises(Forbidden, match="Complete every module before the certification exam. "
                                        "Still to do: Basics, Bridge calls, Further reading."):
        quizzes.start(db, learner.id, COURSE, "exam")
    assert db.scalar(select(func.count()).select_from(Attempt)) == 0
    attempt = start_exam(app, db, learner.id)
    assert attempt.status == "in_progress"
    assert not quizzes.overview(db, learner.id, COURSE, "exam").locked


def test_module_quizzes_are_never_locked(db, learner):
    assert not quizzes.overview(db, learner.id, COURSE, "basics").locked


def test_unknown_quiz_is_not_found(db, learner):
    with pytest.raises(NotFound):
        quizzes.start(db, learner.id, COURSE, "nope")
    with pytest.raises(NotFound):
        quizzes.overview(db, learner.id, "no-course", "basics")


def test_the_attempt_limit_is_enforced(app, db, learner):
    for n in range(2):
        attempt = start_exam(app, db, learner.id)
        submit_right(db, learner, attempt, key=f"k{n}")
    assert quizzes.overview(db, learner.id, COURSE, "exam").attempts_left == 0
    with pytest.raises(Forbidden, match="used all 2 attempts"):
        start_exam(app, db, learner.id)


def test_the_exam_draws_the_set_number_of_questions(app, db, learner):
    attempt = start_exam(app, db, learner.id)
    assert len(attempt.layout["items"]) == 2 and attempt.max_points == 2


# --- Autosave -------------------------------------------------------------------------------------

def test_saved_answers_come_back_on_reload_and_can_be_cleared(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    quizzes.save_answers(db, learner.id, attempt.token, {"shield": ["b"], "phases": ["a", "c"]})
    assert quizzes.attempt_view(db, learner.id, attempt.token).chosen == {"shield": ["b"], "phases": ["a", "c"]}
    quizzes.save_answers(db, learner.id, attempt.token, {"shield": []})
    assert quizzes.attempt_view(db, learner.id, attempt.token).chosen["shield"] == []


def test_saving_an_option_of_another_question_is_refused(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    with pytest.raises(InvalidInput, match="no such option"):
        quizzes.save_answers(db, learner.id, attempt.token, {"is-major": ["c"]})


# --- Submitting -----------------------------------------------------------------------------------

def test_submit_grades_and_stores_every_answer(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    answers = {"is-major": ["a"], "phases": ["a"], "shield": ["b"]}
    done = quizzes.submit(db, learner.id, attempt.token, answers, "key-1")
    assert (done.status, done.points, done.max_points, done.score_percent, done.passed) == ("submitted", 2, 3, 66, True)
    stored = {a.question_key: (a.chosen, a.correct, a.points) for a in db.scalars(select(AttemptAnswer))}
    assert stored == {"is-major": (["a"], True, 1), "phases": (["a"], False, 0), "shield": (["b"], True, 1)}


@pytest.mark.parametrize(("answers", "message"), [
    ({"is-major": ["a"], "phases": ["a"], "shield": ["b"], "ghost": ["a"]}, "do not match this attempt"),
    ({"is-major": ["c"], "phases": ["a"], "shield": ["b"]}, "no such option"),
    ({"is-major": ["a", "b"], "phases": ["a"], "shield": ["b"]}, "Choose one option"),
    ({"is-major": ["a"], "shield": ["b"]}, "Answer every question"),
])
def test_bad_submissions_are_refused_and_change_nothing(db, learner, answers, message):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    with pytest.raises(InvalidInput, match=message):
        quizzes.submit(db, learner.id, attempt.token, answers, "key-1")
    db.rollback()
    assert db.get(Attempt, attempt.id).status == "in_progress"
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


def test_another_learners_attempt_is_not_found(db, learner, make_user):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    stranger = make_user()
    with pytest.raises(NotFound):
        quizzes.attempt_view(db, stranger.id, attempt.token)
    with pytest.raises(NotFound):
        submit_right(db, stranger, attempt)
    with pytest.raises(NotFound):
        quizzes.save_answers(db, stranger.id, attempt.token, {"shield": ["b"]})


def test_a_replayed_submission_returns_the_recorded_result(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    first = submit_right(db, learner, attempt, key="same")
    replay = quizzes.submit(db, learner.id, attempt.token, {}, "same")
    assert replay.id == first.id and replay.points == 3
    with pytest.raises(Conflict, match="already been submitted"):
        submit_right(db, learner, attempt, key="other")
    with pytest.raises(Conflict):
        quizzes.save_answers(db, learner.id, attempt.token, {"shield": ["a"]})
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 3


def test_answers_saved_before_submitting_are_graded_in_their_own_rows(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    quizzes.save_answers(db, learner.id, attempt.token, {"shield": ["a"]})
    saved = db.scalar(select(AttemptAnswer).where(AttemptAnswer.question_key == "shield"))
    saved_id, saved_at = saved.id, saved.saved_at
    done = submit_right(db, learner, attempt)
    assert (done.status, done.points, done.passed) == ("submitted", 3, True)
    db.expire_all()
    rows = {a.question_key: a for a in db.scalars(select(AttemptAnswer))}
    assert {k: (a.chosen, a.correct, a.points) for k, a in rows.items()} == {
        "is-major": (["a"], True, 1), "phases": (["a", "b"], True, 1), "shield": (["b"], True, 1)}
    assert (rows["shield"].id, rows["shield"].saved_at) == (saved_id, saved_at)


@pytest.mark.parametrize(("key", "outcome"), [("first", "recorded result"), ("second", "Conflict")])
def test_a_submission_closed_by_another_request_while_it_was_graded_writes_nothing(app, db, learner, monkeypatch,
                                                                                   key, outcome):
    """Grading happens before the write lock: if another request (a replay of the same form, or
    another form) closes the attempt in between, this one records nothing and answers as a replay."""
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    wrong = {"is-major": ["b"], "phases": ["c"], "shield": ["a"]}
    take_lock = quizzes.begin_write

    def other_request_first(session):
        monkeypatch.setattr(quizzes, "begin_write", take_lock)
        with session_scope(app) as other:
            quizzes.submit(other, learner.id, attempt.token, wrong, "first")
        take_lock(session)

    monkeypatch.setattr(quizzes, "begin_write", other_request_first)
    if outcome == "Conflict":
        with pytest.raises(Conflict, match="already been submitted"):
            submit_right(db, learner, attempt, key=key)
    else:
        assert submit_right(db, learner, attempt, key=key).points == 0
    db.rollback()
    stored = db.get(Attempt, attempt.id)
    assert (stored.status, stored.points, stored.passed, stored.submission_key) == ("submitted", 0, False, "first")
    assert sorted((a.question_key, a.chosen) for a in db.scalars(select(AttemptAnswer))) == [
        ("is-major", ["b"]), ("phases", ["c"]), ("shield", ["a"])]
    assert db.scalar(select(func.count()).select_from(ModuleProgress)
                     .where(ModuleProgress.completed_at.is_not(None))) == 0


def test_a_new_attempt_after_a_submitted_one(db, learner):
    first = quizzes.start(db, learner.id, COURSE, "basics")
    submit_right(db, learner, first)
    second = quizzes.start(db, learner.id, COURSE, "basics")
    assert second.id != first.id and second.status == "in_progress"


# --- Branching ------------------------------------------------------------------------------------

def test_walking_a_branching_scenario(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "bridge")
    decision = quizzes.choose(db, learner.id, attempt.token, "checkout", "start", "a")
    assert "Consequence-validate" in decision.choice.consequence_html and decision.next_step.id == "bridges"
    again = quizzes.choose(db, learner.id, attempt.token, "checkout", "start", "a")
    assert again.next_step.id == "bridges"
    with pytest.raises(Conflict, match="already made this decision"):
        quizzes.choose(db, learner.id, attempt.token, "checkout", "start", "b")
    with pytest.raises(InvalidInput, match="Choose one of the options"):
        quizzes.choose(db, learner.id, attempt.token, "checkout", "bridges", "z")
    with pytest.raises(InvalidInput, match="Finish the simulation"):
        quizzes.submit(db, learner.id, attempt.token, {"after": ["a"]}, "k")
    quizzes.choose(db, learner.id, attempt.token, "checkout", "bridges", "b")
    done = quizzes.submit(db, learner.id, attempt.token, {"after": ["a"]}, "k")
    assert (done.points, done.max_points, done.score_percent, done.passed) == (15, 21, 71, True)
    rows = db.scalars(select(BranchingChoice).order_by(BranchingChoice.id)).all()
    assert [(r.step_id, r.choice_key, r.points, r.critical) for r in rows] == [
        ("start", "a", 10, False), ("bridges", "b", 4, False)]
    path = db.scalar(select(AttemptAnswer).where(AttemptAnswer.question_key == "checkout"))
    assert (path.chosen, path.points, path.correct) == (["a", "b"], 14, True)


def test_a_critical_choice_fails_the_attempt(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "bridge")
    quizzes.choose(db, learner.id, attempt.token, "checkout", "start", "b")
    with pytest.raises(InvalidInput, match="already finished"):
        quizzes.choose(db, learner.id, attempt.token, "checkout", "lost", "a")
    done = quizzes.submit(db, learner.id, attempt.token, {"after": ["a"]}, "k")
    assert done.critical_error and not done.passed


def test_unknown_scenario_is_not_found(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "bridge")
    with pytest.raises(NotFound):
        quizzes.choose(db, learner.id, attempt.token, "nope", "start", "a")


# --- Time limits ----------------------------------------------------------------------------------

def test_a_timed_attempt_has_a_server_deadline(app, db, learner):
    now = utcnow()
    attempt = start_exam(app, db, learner.id, now=now)
    assert attempt.deadline_at == now + timedelta(minutes=10)


def test_a_submission_within_the_grace_counts_in_full_even_if_incomplete(app, db, learner):
    attempt = start_exam(app, db, learner.id)
    late = attempt.deadline_at + timedelta(seconds=20)
    first = attempt.layout["items"][0]["key"]
    done = quizzes.submit(db, learner.id, attempt.token, {first: ["a"]}, "k", now=late)
    assert (done.status, done.points, done.passed) == ("submitted", 1, True)


def test_a_late_submission_is_graded_on_the_answers_saved_in_time(app, db, learner):
    attempt = start_exam(app, db, learner.id)
    first, second = (i["key"] for i in attempt.layout["items"])
    quizzes.save_answers(db, learner.id, attempt.token, {first: ["a"]}, now=attempt.deadline_at)
    too_late = attempt.deadline_at + timedelta(seconds=31)
    done = quizzes.submit(db, learner.id, attempt.token, {first: ["a"], second: ["a"]}, "k", now=too_late)
    assert (done.status, done.points, done.max_points, done.passed) == ("expired", 1, 2, True)
    assert done.submitted_at == attempt.deadline_at


def test_saving_after_the_deadline_closes_the_attempt(app, db, learner):
    attempt = start_exam(app, db, learner.id)
    with pytest.raises(Conflict, match="Time is up"):
        quizzes.save_answers(db, learner.id, attempt.token, {}, now=attempt.deadline_at + timedelta(minutes=1))
    assert db.get(Attempt, attempt.id).status == "expired"


def test_an_abandoned_timed_attempt_is_closed_when_the_learner_returns(app, db, learner):
    attempt = start_exam(app, db, learner.id, now=utcnow() - timedelta(hours=1))
    info = quizzes.overview(db, learner.id, COURSE, "exam")
    assert info.in_progress is None and [a.status for a in info.attempts] == ["expired"]
    assert info.attempts_left == 1 and info.attempts[0].id == attempt.id


# --- What a pass unlocks --------------------------------------------------------------------------

def _completed(db, user_id, slug):
    return db.scalar(select(ModuleProgress.completed_at).join(Module, Module.id == ModuleProgress.module_id)
                     .where(ModuleProgress.user_id == user_id, Module.slug == slug))


def test_passing_the_modules_quiz_completes_the_module(db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    quizzes.submit(db, learner.id, attempt.token, {"is-major": ["b"], "phases": ["c"], "shield": ["a"]}, "k1")
    assert _completed(db, learner.id, "basics") is None
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    submit_right(db, learner, attempt, key="k2")
    assert _completed(db, learner.id, "basics") is not None


def test_a_module_with_two_quizzes_completes_when_both_are_passed(app, runner, content_dir, db, make_user):
    second = BASICS.replace("title: Basics check", "title: Basics again")
    publish(runner, content_dir, {"basics": BASICS, "basics-again": second})
    user = make_user()
    enrol(app, user.id)
    submit_right(db, user, quizzes.start(db, user.id, COURSE, "basics"), key="k1")
    assert _completed(db, user.id, "basics") is None
    submit_right(db, user, quizzes.start(db, user.id, COURSE, "basics-again"), key="k2")
    assert _completed(db, user.id, "basics") is not None


def test_a_pass_asks_certification_whether_a_certificate_is_due(app, db, learner, monkeypatch):
    calls = []

    class FakeCertificates:
        @staticmethod
        def issue_if_due(session, user_id, course_id, now):
            calls.append((user_id, course_id))

        @staticmethod
        def live_certificate(session, user_id, course_id):
            return None

    monkeypatch.setattr(quizzes, "certificates", FakeCertificates)
    attempt = start_exam(app, db, learner.id)
    quizzes.submit(db, learner.id, attempt.token, {i["key"]: ["b"] for i in attempt.layout["items"]}, "k1")
    assert calls == []
    attempt = start_exam(app, db, learner.id)
    submit_right(db, learner, attempt, key="k2")
    assert [user_id for user_id, _ in calls] == [learner.id]


def test_recent_attempts_for_the_dashboard_put_attempts_in_progress_first(app, db, learner):
    start_exam(app, db, learner.id)
    submit_right(db, learner, quizzes.start(db, learner.id, COURSE, "basics"))
    recent = quizzes.recent_attempts(db, learner.id)
    assert [(r.quiz_title, r.attempt.status) for r in recent] == [("Final exam", "in_progress"),
                                                                  ("Basics check", "submitted")]


# --- Concurrency: two requests at the same moment on different workers -----------------------------

def _race(app, count, work):
    """Run ``work(session)`` in ``count`` threads released together; return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(n):
        with app.app_context(), session_scope(app) as session:
            barrier.wait()
            try:
                results[n] = work(session)
            except Exception as exc:  # collected for the assertions
                results[n] = exc
    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_a_double_clicked_submit_records_one_attempt(app, db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    answers = right_answers(attempt)
    results = _race(app, 4, lambda s: quizzes.submit(s, learner.id, attempt.token, answers, "double").id)
    assert results == [attempt.id] * 4
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 3
    assert db.get(Attempt, attempt.id).points == 3


def test_two_different_submissions_at_once_record_one(app, db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "basics")
    answers = right_answers(attempt)
    results = _race(app, 2, lambda s: quizzes.submit(s, learner.id, attempt.token, answers,
                                                     f"key-{threading.get_ident()}").id)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "int"]
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 3


def test_two_starts_at_once_open_one_attempt(app, db, learner):
    results = _race(app, 4, lambda s: quizzes.start(s, learner.id, COURSE, "basics").id)
    assert len(set(results)) == 1 and isinstance(results[0], int)
    assert db.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_double_clicked_decision_is_recorded_once(app, db, learner):
    attempt = quizzes.start(db, learner.id, COURSE, "bridge")
    results = _race(app, 3, lambda s: quizzes.choose(s, learner.id, attempt.token, "checkout", "start", "a")
                    .next_step.id)
    assert results == ["bridges"] * 3
    assert db.scalar(select(func.count()).select_from(BranchingChoice)) == 1


def test_passing_every_quiz_earns_the_certificate(app, db, learner):
    reading = db.scalar(select(Module.id).where(Module.slug == "reading"))
    progress.complete_module(db, learner.id, reading)
    db.commit()
    submit_right(db, learner, quizzes.start(db, learner.id, COURSE, "basics"), key="k1")
    bridge = quizzes.start(db, learner.id, COURSE, "bridge")
    quizzes.choose(db, learner.id, bridge.token, "checkout", "start", "a")
    quizzes.choose(db, learner.id, bridge.token, "checkout", "bridges", "a")
    quizzes.submit(db, learner.id, bridge.token, {"after": ["a"]}, "k2")
    assert db.scalar(select(func.count()).select_from(Certificate)) == 0
    submit_right(db, learner, start_exam(app, db, learner.id), key="k3")
    certificate = db.scalar(select(Certificate))
    assert certificate.user_id == learner.id and certificate.score_percent == 100


def test_renewing_a_certificate_gets_a_fresh_set_of_exam_attempts(app, db, learner):
    """The exam's attempt limit applies per certification cycle, so a holder can always recertify."""
    test_passing_every_quiz_earns_the_certificate(app, db, learner)
    # The attempt that earned the certificate belongs to the first cycle: the renewal has all 2.
    info = quizzes.overview(db, learner.id, COURSE, "exam")
    assert info.cycle_start is not None
    assert info.attempts_left == 2
    start_exam(app, db, learner.id)
    assert quizzes.overview(db, learner.id, COURSE, "exam").attempts_left == 1  # the one in progress counts


def test_reading_the_last_unread_module_issues_the_certificate_at_once(app, db, learner):
    """Quizzes passed first, the quiz-less module read last: the read itself completes the course.

    (The exam opens only once every module is done, so the module is left unread here as if it
    had been added to the course after the exam was taken.)"""
    submit_right(db, learner, quizzes.start(db, learner.id, COURSE, "basics"), key="k1")
    bridge = quizzes.start(db, learner.id, COURSE, "bridge")
    quizzes.choose(db, learner.id, bridge.token, "checkout", "start", "a")
    quizzes.choose(db, learner.id, bridge.token, "checkout", "bridges", "a")
    quizzes.submit(db, learner.id, bridge.token, {"after": ["a"]}, "k2")
    exam = start_exam(app, db, learner.id)
    reading = db.scalar(select(Module).where(Module.slug == "reading"))
    db.execute(delete(ModuleProgress).where(ModuleProgress.module_id == reading.id))
    db.commit()
    submit_right(db, learner, exam, key="k3")
    assert db.scalar(select(func.count()).select_from(Certificate)) == 0

    progress.record_view(db, learner.id, reading.course_id, reading.id,
                         progress.states(db, learner.id, reading.course_id), completes=True)
    certificate = db.scalar(select(Certificate))
    assert certificate is not None and certificate.user_id == learner.id
    # Reading it again changes nothing.
    progress.record_view(db, learner.id, reading.course_id, reading.id,
                         progress.states(db, learner.id, reading.course_id), completes=True)
    assert db.scalar(select(func.count()).select_from(Certificate)) == 1
