"""Progress rules: module status, course summaries, where to continue, reading-time credit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from academy.domain.progress import VISIT_CAP, ModuleState, Status, continue_at, reading_credit, status, summarise

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MODULES = [11, 12, 13, 14]


def viewed(module_id: int, minutes: int, *, done: bool = False) -> ModuleState:
    at = T0 + timedelta(minutes=minutes)
    return ModuleState(module_id, at, at if done else None)


def states(*rows: ModuleState) -> dict[int, ModuleState]:
    return {s.module_id: s for s in rows}


def test_a_module_is_not_started_in_progress_or_done():
    assert status(None) is Status.NOT_STARTED
    assert status(viewed(11, 0)) is Status.IN_PROGRESS
    assert status(viewed(11, 0, done=True)) is Status.DONE
    assert [s.label for s in Status] == ["Not started", "In progress", "Done"]


def test_a_summary_counts_only_the_current_modules():
    summary = summarise(MODULES, states(viewed(11, 0, done=True), viewed(12, 5), viewed(99, 60, done=True)))
    # One module done, one read with its quiz still to pass (half a step): 1.5 of 4.
    assert (summary.total, summary.done, summary.started, summary.percent) == (4, 1, 2, 38)
    assert summary.last_activity_at == T0 + timedelta(minutes=5)
    assert summary.status is Status.IN_PROGRESS


def test_summary_status_at_the_start_and_the_end():
    assert summarise(MODULES, {}).status is Status.NOT_STARTED
    assert summarise(MODULES, {}).last_activity_at is None
    finished = summarise(MODULES, states(*(viewed(m, i, done=True) for i, m in enumerate(MODULES))))
    assert (finished.status, finished.percent) == (Status.DONE, 100)
    assert summarise([], {}).percent == 0


def test_real_progress_never_reads_zero_percent():
    two_read = summarise(MODULES, states(viewed(11, 0), viewed(12, 5)))
    assert two_read.done == 0 and two_read.percent == 25


def test_with_a_final_exam_finished_modules_are_not_a_finished_course():
    every = states(*(viewed(m, i, done=True) for i, m in enumerate(MODULES)))
    exam_ahead = summarise(MODULES, every, has_exam=True)
    assert exam_ahead.exam_next and exam_ahead.status is Status.IN_PROGRESS and exam_ahead.percent == 80
    passed = summarise(MODULES, every, has_exam=True, exam_passed=True)
    assert not passed.exam_next and passed.status is Status.DONE and passed.percent == 100
    nearly = summarise(list(range(1, 201)), {1: viewed(1, 0)}, has_exam=True)
    assert nearly.percent == 1 and summarise(MODULES, {}, has_exam=True).percent == 0


def test_a_new_learner_continues_at_the_first_module():
    assert continue_at(MODULES, {}) == 11
    assert continue_at([], {}) is None


def test_continue_at_the_module_last_read_while_it_is_unfinished():
    assert continue_at(MODULES, states(viewed(11, 0, done=True), viewed(13, 5), viewed(12, 1))) == 13


def test_continue_after_the_last_read_module_once_it_is_done():
    assert continue_at(MODULES, states(viewed(11, 0), viewed(12, 5, done=True))) == 13


def test_continue_wraps_round_to_the_first_unfinished_module():
    assert continue_at(MODULES, states(viewed(11, 0), viewed(12, 1, done=True), viewed(13, 2, done=True),
                                       viewed(14, 3, done=True))) == 11


def test_continue_at_the_last_read_module_when_everything_is_done():
    done = states(viewed(11, 4, done=True), viewed(12, 1, done=True), viewed(13, 2, done=True),
                  viewed(14, 3, done=True))
    assert continue_at(MODULES, done) == 11


def test_retired_modules_are_never_a_place_to_continue():
    assert continue_at(MODULES, states(viewed(99, 50), viewed(11, 0, done=True))) == 12


def test_no_credit_before_the_first_view():
    assert reading_credit({}, T0) is None


def test_the_previous_view_is_credited_with_the_time_until_now():
    now = T0 + timedelta(minutes=12)
    assert reading_credit(states(viewed(11, 0), viewed(12, 4)), now) == (12, 8 * 60)


def test_credit_is_capped_per_visit_and_never_negative():
    assert reading_credit(states(viewed(11, 0)), T0 + timedelta(days=1)) == (11, int(VISIT_CAP.total_seconds()))
    assert reading_credit(states(viewed(11, 5)), T0) == (11, 0)


def test_a_reload_of_the_module_being_read_is_the_same_visit():
    from datetime import UTC, datetime, timedelta

    from academy.domain.progress import ModuleState, is_same_visit

    t0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    states = {1: ModuleState(1, t0, None), 2: ModuleState(2, t0 - timedelta(minutes=5), t0)}
    assert is_same_visit(states, 1, t0 + timedelta(seconds=10), completes=False)
    assert not is_same_visit(states, 1, t0 + timedelta(seconds=31), completes=False)  # a new visit
    assert not is_same_visit(states, 2, t0 + timedelta(seconds=10), completes=False)  # another module
    assert not is_same_visit(states, 1, t0 + timedelta(seconds=10), completes=True)  # would complete it
    assert not is_same_visit(states, 3, t0, completes=False)  # never read
