"""Concurrent request bursts for fault tests: plain, all-at-once, or with a worker killed mid-way.

Each call in a burst is a zero-argument function that sends one request and returns what it got;
the helpers record its result or the exception it raised, so a test can sort outcomes into
"acknowledged" and "not acknowledged" and then check the database for both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from harness.live_server import LiveServer


@dataclass
class Outcome:
    index: int
    result: Any = None
    error: BaseException | None = None
    started: float = 0.0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def _timed(index: int, call: Callable[[], Any], before: Callable[[], None] | None = None) -> Outcome:
    if before is not None:
        before()
    outcome = Outcome(index, started=time.monotonic())
    try:
        outcome.result = call()
    except Exception as exc:  # a refused or reset connection is an outcome, not a test error
        outcome.error = exc
    outcome.elapsed = time.monotonic() - outcome.started
    return outcome


def burst(calls: Sequence[Callable[[], Any]], *, concurrency: int = 8) -> list[Outcome]:
    """Run ``calls`` with ``concurrency`` in flight at a time; outcomes in the calls' order."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(_timed, range(len(calls)), calls))


def all_at_once(calls: Sequence[Callable[[], Any]]) -> list[Outcome]:
    """Release every call at the same instant (a barrier), as a double-clicking crowd would."""
    barrier = threading.Barrier(len(calls))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda i, c: _timed(i, c, barrier.wait), range(len(calls)), calls))


def burst_with_worker_kill(server: LiveServer, calls: Sequence[Callable[[], Any]], *, concurrency: int = 8,
                           kill_after: int | None = None) -> tuple[list[Outcome], int]:
    """Run a burst and SIGKILL one gunicorn worker once ``kill_after`` calls have finished.

    The victim is a worker seen on the CPU, so the kill most likely lands inside a request.
    ``kill_after`` defaults to a third of the burst, so requests are in flight on both sides of
    the kill. Returns the outcomes and the killed worker's pid.
    """
    kill_after = len(calls) // 3 if kill_after is None else kill_after
    finished = threading.Semaphore(0)
    killed: list[int] = []

    def counted(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return call()
            finally:
                finished.release()
        return run

    def killer() -> None:
        for _ in range(kill_after):
            finished.acquire()
        killed.append(server.kill_worker(server.busy_worker()))

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    outcomes = burst([counted(c) for c in calls], concurrency=concurrency)
    thread.join(timeout=30)
    assert killed, "the burst ended before a worker was killed"
    return outcomes, killed[0]
