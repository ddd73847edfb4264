"""Progress rules: a module's status, where a learner continues, and reading-time credit.

Plain values in, plain values out; the services feed them rows from ``module_progress``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

#: A page view is credited with the time until the learner's next view in the course, up to this
#: much: a tab left open overnight counts as one long read, not as a night of study.
VISIT_CAP = timedelta(minutes=30)
#: Views of the module a learner is already reading, this soon after the last recorded one, are
#: the same visit (a reload, a jump to a heading, a double click): nothing new to record.
SAME_VISIT = timedelta(seconds=30)


class Status(enum.StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"not-started": "Not started", "in-progress": "In progress", "done": "Done"}[self.value]


@dataclass(frozen=True)
class ModuleState:
    """One learner's record for one module (a ``module_progress`` row)."""

    module_id: int
    last_viewed_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class Summary:
    """A learner's progress through the modules of a course's current version (and its final
    exam, when the caller knows about it: ``has_exam`` and ``exam_passed``)."""

    total: int
    done: int
    started: int
    last_activity_at: datetime | None
    has_exam: bool = False
    exam_passed: bool = False

    @property
    def percent(self) -> int:
        """Share of the course behind the learner: each module and the exam count one step, and a
        module read whose quizzes are still to pass counts half, so real progress never reads 0%.
        100 only when everything is done."""
        steps = self.total + (1 if self.has_exam else 0)
        if not steps:
            return 0
        earned = self.done + (self.started - self.done) / 2 + (1 if self.exam_passed else 0)
        percent = max(int(100 * earned / steps + 0.5), 1 if earned else 0)
        return percent if self.status is Status.DONE else min(percent, 99)

    @property
    def modules_done(self) -> bool:
        return bool(self.total) and self.done == self.total

    @property
    def exam_next(self) -> bool:
        """Every module is done and only the final exam remains."""
        return self.modules_done and self.has_exam and not self.exam_passed

    @property
    def status(self) -> Status:
        if self.modules_done and not self.exam_next:
            return Status.DONE
        return Status.IN_PROGRESS if self.started else Status.NOT_STARTED


def status(state: ModuleState | None) -> Status:
    if state is None:
        return Status.NOT_STARTED
    return Status.DONE if state.completed_at is not None else Status.IN_PROGRESS


def summarise(module_ids: Sequence[int], states: Mapping[int, ModuleState], *,
              has_exam: bool = False, exam_passed: bool = False) -> Summary:
    """Progress over ``module_ids`` (the current modules); states of retired modules are ignored."""
    current = [states[m] for m in module_ids if m in states]
    return Summary(
        total=len(module_ids),
        done=sum(1 for s in current if s.completed_at is not None),
        started=len(current),
        last_activity_at=max((s.last_viewed_at for s in current), default=None),
        has_exam=has_exam, exam_passed=exam_passed,
    )


def continue_at(module_ids: Sequence[int], states: Mapping[int, ModuleState]) -> int | None:
    """The module to resume: the one last read if unfinished, else the next unfinished one.

    With nothing read yet, the first module; with everything done, the one last read.
    """
    if not module_ids:
        return None
    viewed = [m for m in module_ids if m in states]
    if not viewed:
        return module_ids[0]
    last = max(viewed, key=lambda m: states[m].last_viewed_at)
    if states[last].completed_at is None:
        return last
    start = module_ids.index(last)
    for module_id in [*module_ids[start + 1:], *module_ids[:start]]:
        state = states.get(module_id)
        if state is None or state.completed_at is None:
            return module_id
    return last


def reading_credit(states: Mapping[int, ModuleState], now: datetime) -> tuple[int, int] | None:
    """(module id, seconds) to credit for the learner's previous page view in this course.

    The module last viewed gets the time between that view and ``now``, capped at
    :data:`VISIT_CAP`; None when the learner has viewed nothing in the course yet.
    """
    if not states:
        return None
    last = max(states.values(), key=lambda s: s.last_viewed_at)
    gap = min(max(now - last.last_viewed_at, timedelta(0)), VISIT_CAP)
    return last.module_id, int(gap.total_seconds())


def is_same_visit(states: Mapping[int, ModuleState], module_id: int, now: datetime, *, completes: bool) -> bool:
    """Whether a view of ``module_id`` now only repeats the visit already recorded.

    True when it is the module the learner viewed last in the course, within :data:`SAME_VISIT`,
    and the view would not complete it. Skipping the write loses no reading time: the next
    recorded view is credited from the last recorded one.
    """
    state = states.get(module_id)
    if state is None or (completes and state.completed_at is None):
        return False
    if any(other.last_viewed_at > state.last_viewed_at for other in states.values()):
        return False
    return timedelta(0) <= now - state.last_viewed_at < SAME_VISIT
