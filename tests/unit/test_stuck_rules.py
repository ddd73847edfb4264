"""Who is stuck in a course: each rule on its own, its threshold, and a finished learner never flagged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from academy.domain.stuck import (
    ATTEMPTS_NEARLY_GONE,
    INACTIVE_AFTER,
    REPEATED_FAILURES,
    Kind,
    LearnerFacts,
    reasons,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def facts(**changes) -> LearnerFacts:
    """A learner enrolled a week ago who read something yesterday: not stuck."""
    values = {"enrolled_at": NOW - timedelta(days=7), "last_activity_at": NOW - timedelta(days=1), "finished": False}
    values.update(changes)
    return LearnerFacts(**values)


def kinds(learner: LearnerFacts) -> list[Kind]:
    return [r.kind for r in reasons(learner, NOW)]


def test_an_active_learner_is_not_stuck():
    assert reasons(facts(), NOW) == ()


def test_no_activity_for_fourteen_days_is_stuck_and_says_how_long():
    assert kinds(facts(last_activity_at=NOW - INACTIVE_AFTER + timedelta(minutes=1))) == []
    (reason,) = reasons(facts(last_activity_at=NOW - timedelta(days=20)), NOW)
    assert reason.kind is Kind.INACTIVE and reason.days == 20
    assert reason.sentence() == "No activity for 20 days"


def test_nothing_done_since_enrolling_counts_from_the_enrolment():
    assert kinds(facts(last_activity_at=None, enrolled_at=NOW - timedelta(days=3))) == []
    (reason,) = reasons(facts(last_activity_at=None, enrolled_at=NOW - timedelta(days=15)), NOW)
    assert reason.never_started and reason.sentence() == "Nothing done since enrolling for 15 days"


def test_failing_the_same_quiz_twice_is_stuck_once_is_not():
    assert REPEATED_FAILURES == 2
    assert kinds(facts(failed_quizzes=(("Basics", 1),))) == []
    found = reasons(facts(failed_quizzes=(("Basics", 1), ("Bridge call", 3))), NOW)
    assert [(r.kind, r.quiz, r.count) for r in found] == [(Kind.REPEATED_FAILURES, "Bridge call", 3)]
    assert found[0].sentence() == "Failed “Bridge call” 3 times"


def test_exam_attempts_nearly_exhausted():
    assert ATTEMPTS_NEARLY_GONE == 1
    assert kinds(facts(exam_attempts_allowed=3, exam_attempts_used=1)) == []
    (one_left,) = reasons(facts(exam_attempts_allowed=3, exam_attempts_used=2), NOW)
    assert one_left.kind is Kind.EXAM_ATTEMPTS and one_left.sentence() == "1 of 3 exam attempts left"
    (none_left,) = reasons(facts(exam_attempts_allowed=3, exam_attempts_used=3), NOW)
    assert none_left.sentence() == "No exam attempts left"
    # Unlimited attempts, a passed exam, or a one-attempt exam not yet taken: nothing to flag.
    assert kinds(facts(exam_attempts_allowed=None, exam_attempts_used=9)) == []
    assert kinds(facts(exam_attempts_allowed=3, exam_attempts_used=3, exam_passed=True)) == []
    assert kinds(facts(exam_attempts_allowed=1, exam_attempts_used=0)) == []


def test_an_overdue_assignment_is_stuck_with_its_due_date():
    assert kinds(facts(due_on=date(2026, 12, 31), overdue=False)) == []
    (reason,) = reasons(facts(due_on=date(2026, 11, 30), overdue=True), NOW)
    assert reason.kind is Kind.OVERDUE and reason.due_on == date(2026, 11, 30)


def test_every_reason_at_once_most_pressing_first():
    learner = facts(last_activity_at=NOW - timedelta(days=30), failed_quizzes=(("Basics", 2),),
                    exam_attempts_allowed=3, exam_attempts_used=3, due_on=date(2026, 11, 1), overdue=True)
    assert kinds(learner) == [Kind.OVERDUE, Kind.EXAM_ATTEMPTS, Kind.REPEATED_FAILURES, Kind.INACTIVE]


def test_a_finished_learner_is_never_stuck():
    learner = facts(finished=True, last_activity_at=NOW - timedelta(days=300), failed_quizzes=(("Basics", 5),),
                    due_on=date(2026, 1, 1), overdue=True)
    assert reasons(learner, NOW) == ()
