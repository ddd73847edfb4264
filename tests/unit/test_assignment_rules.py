"""Assigned courses: due dates, where a person stands, recertification, and the matrix cell."""

from datetime import UTC, date, datetime, timedelta

import pytest

from academy.domain.assignments import (
    RECERTIFY_DAYS,
    Activity,
    AssignmentStatus,
    Cell,
    CertificateState,
    DueRule,
    HeldCertificate,
    cell,
    certificate_state,
    describe_due,
    due_date,
    standing,
)

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
ASSIGNED = datetime(2027, 1, 1, 9, tzinfo=UTC)


def test_a_fixed_date_is_the_due_date_whoever_joins_when():
    rule = DueRule(ASSIGNED, due_on=date(2027, 4, 30))
    assert due_date(rule, joined_at=datetime(2020, 1, 1, tzinfo=UTC)) == date(2027, 4, 30)
    assert due_date(rule, joined_at=datetime(2027, 6, 1, tzinfo=UTC)) == date(2027, 4, 30)


def test_days_after_joining_count_from_joining_or_from_the_assignment_for_people_already_there():
    rule = DueRule(ASSIGNED, due_days=30)
    assert due_date(rule, joined_at=datetime(2027, 2, 1, tzinfo=UTC)) == date(2027, 3, 3)
    assert due_date(rule, joined_at=datetime(2019, 5, 5, tzinfo=UTC)) == date(2027, 1, 31)


def test_status_moves_from_not_started_to_in_progress_to_overdue():
    rule = DueRule(ASSIGNED, due_on=date(2027, 3, 10))
    joined = datetime(2026, 1, 1, tzinfo=UTC)
    assert standing([rule], joined_at=joined, activity=Activity(), now=NOW).status is AssignmentStatus.NOT_STARTED
    busy = Activity(last_activity_at=NOW - timedelta(days=1))
    assert standing([rule], joined_at=joined, activity=busy, now=NOW).status is AssignmentStatus.IN_PROGRESS
    late = NOW + timedelta(days=10)
    assert standing([rule], joined_at=joined, activity=busy, now=late).status is AssignmentStatus.OVERDUE


def test_the_due_day_itself_is_not_overdue():
    rule = DueRule(ASSIGNED, due_on=NOW.date())
    assert standing([rule], joined_at=ASSIGNED, activity=Activity(), now=NOW).status is AssignmentStatus.NOT_STARTED


def test_a_live_certificate_completes_the_assignment_even_after_the_due_date():
    rule = DueRule(ASSIGNED, due_on=date(2027, 1, 2))
    held = HeldCertificate(issued_at=NOW - timedelta(days=5), expires_at=NOW + timedelta(days=300))
    result = standing([rule], joined_at=ASSIGNED, activity=Activity(NOW, held), now=NOW)
    assert result.status is AssignmentStatus.COMPLETED


def test_a_revoked_certificate_does_not_complete_it():
    rule = DueRule(ASSIGNED, due_on=date(2027, 6, 1))
    held = HeldCertificate(issued_at=NOW - timedelta(days=5), expires_at=None, revoked=True)
    result = standing([rule], joined_at=ASSIGNED, activity=Activity(NOW - timedelta(days=5), held), now=NOW)
    assert result.status is AssignmentStatus.IN_PROGRESS


def test_an_expired_certificate_reopens_the_assignment_with_a_new_due_date():
    rule = DueRule(ASSIGNED, due_on=date(2027, 1, 15))
    expired = NOW - timedelta(days=2)
    held = HeldCertificate(issued_at=expired - timedelta(days=365), expires_at=expired)
    activity = Activity(last_activity_at=expired - timedelta(days=365), certificate=held)
    result = standing([rule], joined_at=ASSIGNED, activity=activity, now=NOW)
    assert result.recertification
    assert result.status is AssignmentStatus.NOT_STARTED
    assert result.due_on == expired.date() + timedelta(days=RECERTIFY_DAYS)
    later = NOW + timedelta(days=RECERTIFY_DAYS + 1)
    assert standing([rule], joined_at=ASSIGNED, activity=activity, now=later).status is AssignmentStatus.OVERDUE


def test_recertification_uses_the_assignments_own_number_of_days():
    rule = DueRule(ASSIGNED, due_days=10)
    expired = NOW - timedelta(days=1)
    held = HeldCertificate(issued_at=expired - timedelta(days=365), expires_at=expired)
    result = standing([rule], joined_at=ASSIGNED, activity=Activity(None, held), now=NOW)
    assert result.due_on == expired.date() + timedelta(days=10)


def test_several_rules_for_one_course_take_the_earliest_due_date():
    rules = [DueRule(ASSIGNED, due_on=date(2027, 5, 1)), DueRule(ASSIGNED, due_on=date(2027, 4, 1))]
    assert standing(rules, joined_at=ASSIGNED, activity=Activity(), now=NOW).due_on == date(2027, 4, 1)


def test_standing_needs_a_rule():
    with pytest.raises(ValueError):
        standing([], joined_at=ASSIGNED, activity=Activity(), now=NOW)


@pytest.mark.parametrize(("expires", "revoked", "state"), [
    (None, False, CertificateState.VALID),
    (NOW + timedelta(days=200), False, CertificateState.VALID),
    (NOW + timedelta(days=89), False, CertificateState.EXPIRING),
    (NOW - timedelta(days=1), False, CertificateState.EXPIRED),
    (NOW + timedelta(days=200), True, CertificateState.REVOKED),
])
def test_certificate_states_as_a_manager_sees_them(expires, revoked, state):
    assert certificate_state(expires_at=expires, revoked=revoked, now=NOW) is state


def test_matrix_cells_without_an_assignment():
    assert cell(standing=None, enrolled=False, activity=Activity(), now=NOW) is Cell.NONE
    assert cell(standing=None, enrolled=True, activity=Activity(), now=NOW) is Cell.NOT_STARTED
    assert cell(standing=None, enrolled=True, activity=Activity(NOW), now=NOW) is Cell.IN_PROGRESS
    expired = HeldCertificate(NOW - timedelta(days=400), NOW - timedelta(days=1))
    assert cell(standing=None, enrolled=True, activity=Activity(NOW, expired), now=NOW) is Cell.EXPIRED


def test_a_completed_assignment_whose_certificate_expires_soon_shows_as_expiring():
    rule = DueRule(ASSIGNED, due_on=date(2027, 6, 1))
    held = HeldCertificate(NOW - timedelta(days=300), NOW + timedelta(days=30))
    activity = Activity(NOW, held)
    result = standing([rule], joined_at=ASSIGNED, activity=activity, now=NOW)
    assert cell(standing=result, enrolled=True, activity=activity, now=NOW) is Cell.EXPIRING
    assert Cell.EXPIRING.label == "Expiring soon"


def test_due_rules_read_as_words():
    assert describe_due(DueRule(ASSIGNED, due_on=date(2027, 3, 31))) == "by 31 March 2027"
    assert describe_due(DueRule(ASSIGNED, due_days=1)) == "within 1 day of joining"
    assert describe_due(DueRule(ASSIGNED, due_days=30)) == "within 30 days of joining"
