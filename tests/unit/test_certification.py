"""The certification rule: when a certificate is earned, renewed or withheld, and its status."""

from datetime import UTC, datetime, timedelta

import pytest

from academy.domain.certification import (
    CourseRules,
    HeldCertificate,
    LearnerRecord,
    ModuleRequirement,
    Outcome,
    Pass,
    QuizRequirement,
    Status,
    add_months,
    days_left,
    decide,
    missing_requirements,
    reminder_due,
    status_at,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=3)

# Module 1 is checked by quiz 11, module 2 has no quiz, quiz 99 is the final exam.
RULES = CourseRules(
    modules=(ModuleRequirement(1, "Recognising incidents", (11,)), ModuleRequirement(2, "Further reading")),
    quizzes=(QuizRequirement(11, "Recognise check"), QuizRequirement(99, "Final exam", is_final=True)),
    valid_for_months=12,
)


def record(*passes: tuple[int, int, datetime], read: tuple[int, ...] = (2,)) -> LearnerRecord:
    return LearnerRecord(modules_read=frozenset(read), passes=tuple(Pass(q, s, at) for q, s, at in passes))


COMPLETE = record((11, 100, EARLIER), (99, 85, EARLIER))


def test_a_learner_who_passed_every_quiz_and_read_every_quizless_module_earns_the_certificate():
    decision = decide(RULES, COMPLETE, None, NOW)
    assert decision.outcome is Outcome.ISSUE
    assert (decision.awarded_at, decision.valid_from) == (NOW, NOW)
    assert decision.expires_at == datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def test_the_score_is_the_final_exams_best_passing_score():
    decision = decide(RULES, record((11, 100, EARLIER), (99, 81, EARLIER), (99, 95, EARLIER), (99, 88, NOW)),
                      None, NOW)
    assert decision.score_percent == 95


@pytest.mark.parametrize("learner, missing", [
    (record((99, 85, EARLIER)), ["Pass the quiz “Recognise check”."]),
    (record((11, 100, EARLIER)), ["Pass the final exam “Final exam”."]),
    (record((11, 100, EARLIER), (99, 85, EARLIER), read=()), ["Read the module “Further reading”."]),
    (record(read=()), ["Pass the quiz “Recognise check”.", "Read the module “Further reading”.",
                       "Pass the final exam “Final exam”."]),
])
def test_nothing_is_issued_until_every_requirement_is_met(learner, missing):
    decision = decide(RULES, learner, None, NOW)
    assert decision.outcome is Outcome.NOTHING
    assert list(decision.missing) == missing == missing_requirements(RULES, learner)


def test_a_module_with_a_quiz_counts_by_its_quiz_not_by_being_read():
    assert decide(RULES, record((11, 100, EARLIER), (99, 85, EARLIER), read=(1, 2)), None, NOW).outcome is Outcome.ISSUE
    assert decide(RULES, record((99, 85, EARLIER), read=(1, 2)), None, NOW).outcome is Outcome.NOTHING


def test_a_course_without_a_final_exam_certifies_without_a_score():
    rules = CourseRules(modules=RULES.modules, quizzes=RULES.quizzes[:1], valid_for_months=None)
    decision = decide(rules, record((11, 100, EARLIER)), None, NOW)
    assert decision.outcome is Outcome.ISSUE and decision.score_percent is None and decision.expires_at is None


def test_a_course_with_nothing_to_complete_certifies_nobody():
    assert decide(CourseRules((), ()), record(), None, NOW).outcome is Outcome.NOTHING


def held(expires_at, *, revoked=False, awarded=datetime(2024, 1, 5, tzinfo=UTC)):
    return HeldCertificate(awarded_at=awarded, valid_from=expires_at - timedelta(days=365), expires_at=expires_at,
                           revoked=revoked)


def test_a_valid_certificate_is_not_issued_again():
    decision = decide(RULES, COMPLETE, held(NOW + timedelta(days=200)), NOW)
    assert decision.outcome is Outcome.NOTHING and "valid" in decision.reason


def test_within_sixty_days_of_expiry_a_new_final_exam_pass_renews_and_keeps_the_award_date():
    expires = NOW + timedelta(days=30)
    learner = record((11, 100, EARLIER - timedelta(days=400)), (99, 85, EARLIER - timedelta(days=400)),
                     (99, 90, NOW - timedelta(hours=1)))
    decision = decide(RULES, learner, held(expires), NOW)
    assert decision.outcome is Outcome.RENEW
    assert decision.awarded_at == datetime(2024, 1, 5, tzinfo=UTC)
    assert decision.valid_from == NOW
    # Renewing early costs nothing: the new year runs on from the old expiry.
    assert decision.expires_at == add_months(expires, 12)
    assert decision.score_percent == 90


def test_old_passes_do_not_renew_a_certificate():
    learner = record((11, 100, EARLIER - timedelta(days=400)), (99, 85, EARLIER - timedelta(days=400)))
    decision = decide(RULES, learner, held(NOW + timedelta(days=30)), NOW)
    assert decision.outcome is Outcome.NOTHING and "final exam again" in decision.reason


def test_a_pass_before_the_window_opens_does_not_renew():
    expires = NOW + timedelta(days=30)
    learner = record((99, 99, expires - timedelta(days=61)))
    assert decide(RULES, learner, held(expires), NOW).outcome is Outcome.NOTHING


def test_an_expired_certificate_is_renewed_from_today():
    expired = NOW - timedelta(days=100)
    decision = decide(RULES, record((99, 88, NOW)), held(expired), NOW)
    assert decision.outcome is Outcome.RENEW
    assert decision.expires_at == add_months(NOW, 12)


def test_a_revoked_certificate_is_never_replaced_automatically():
    decision = decide(RULES, record((99, 88, NOW)), held(NOW - timedelta(days=10), revoked=True), NOW)
    assert decision.outcome is Outcome.NOTHING and "administrator" in decision.reason


def test_certificates_that_never_expire_are_never_renewed():
    forever = HeldCertificate(awarded_at=EARLIER, valid_from=EARLIER, expires_at=None)
    assert decide(RULES, COMPLETE, forever, NOW).outcome is Outcome.NOTHING


@pytest.mark.parametrize("start, months, expected", [
    (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
    (datetime(2024, 1, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
    (datetime(2026, 11, 15, 9, 30, tzinfo=UTC), 24, datetime(2028, 11, 15, 9, 30, tzinfo=UTC)),
    (datetime(2026, 12, 1, tzinfo=UTC), 1, datetime(2027, 1, 1, tzinfo=UTC)),
])
def test_months_are_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_status_revoked_wins_then_expired_from_the_expiry_moment():
    assert status_at(expires_at=NOW, revoked=False, now=NOW - timedelta(seconds=1)) is Status.VALID
    assert status_at(expires_at=NOW, revoked=False, now=NOW) is Status.EXPIRED
    assert status_at(expires_at=None, revoked=False, now=NOW) is Status.VALID
    assert status_at(expires_at=NOW + timedelta(days=9), revoked=True, now=NOW) is Status.REVOKED


def test_days_left_and_the_reminder_window():
    assert days_left(None, NOW) is None
    assert days_left(NOW + timedelta(days=45), NOW) == 45
    assert days_left(NOW - timedelta(days=2), NOW) == -2
    assert not reminder_due(NOW + timedelta(days=61), NOW)
    assert reminder_due(NOW + timedelta(days=60), NOW)
    assert reminder_due(NOW - timedelta(days=1), NOW)
    assert not reminder_due(None, NOW)
