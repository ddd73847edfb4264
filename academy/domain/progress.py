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
    """A learner's progress through the modules of a course's current version."""

    total: int
    done: int
    started: int
    last_activity_at: datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def status(self) -> Status:
        if self.total and self.done == self.total:
            return Status.DONE
        return Status.IN_PROGRESS if self.started else Status.NOT_STARTED


def status(state: ModuleState | None) -> Status:
    if state is None:
        return Status.NOT_STARTED
    return Status.DONE if state.completed_at is not None else Status.IN_PROGRESS


def summarise(module_ids: Sequence[int], states: Mapping[int, ModuleState]) -> Summary:
    """Progress over ``module_ids`` (the current modules); states of retired modules are ignored."""
    current = [states[m] for m in module_ids if m in states]
    return Summary(
        total=len(module_ids),
        done=sum(1 for s in current if s.completed_at is not None),
        started=len(current),
        last_activity_at=max((s.last_viewed_at for s in current), default=None),
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
