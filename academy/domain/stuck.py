"""Who is stuck in a course, and why: the rules behind the instructors' learner list.

A learner who has not finished the course is *stuck* when any of these holds (each is a
:class:`Reason`, so the page can say which):

- **inactive**: nothing read or attempted for :data:`INACTIVE_AFTER` (counted from enrolment when
  nothing was done at all);
- **repeated failures**: a quiz failed :data:`REPEATED_FAILURES` times or more and not passed since;
- **exam attempts**: the certification exam not passed and at most :data:`ATTEMPTS_NEARLY_GONE`
  attempt left (none left counts too);
- **overdue**: an organisation assigned the course and its due date has passed.

Plain values in, plain values out: the service gathers the facts for every learner of a course in a
handful of grouped queries and calls :func:`reasons` for each.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

#: No activity for this long while the course is unfinished.
INACTIVE_AFTER = timedelta(days=14)
#: Failing one quiz this many times without passing it.
REPEATED_FAILURES = 2
#: Exam attempts left at or below this (and at least one used) while the exam is not passed.
ATTEMPTS_NEARLY_GONE = 1


class Kind(enum.StrEnum):
    INACTIVE = "inactive"
    REPEATED_FAILURES = "repeated-failures"
    EXAM_ATTEMPTS = "exam-attempts"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Reason:
    """Why a learner is stuck. ``days``, ``count``, ``quiz`` and ``due_on`` carry what the sentence needs."""

    kind: Kind
    #: INACTIVE: whole days since the last activity (or since enrolment when nothing was done).
    days: int = 0
    #: REPEATED_FAILURES: failed attempts at ``quiz``; EXAM_ATTEMPTS: attempts left.
    count: int = 0
    #: REPEATED_FAILURES: the quiz's title; EXAM_ATTEMPTS: attempts allowed (as text).
    quiz: str = ""
    #: OVERDUE: the date the assignment was due.
    due_on: date | None = None
    #: INACTIVE: True when nothing was ever done since enrolling.
    never_started: bool = False

    def sentence(self) -> str:
        """The reason in words (dates are left to the caller: ``due_on``)."""
        if self.kind is Kind.INACTIVE:
            what = "Nothing done since enrolling" if self.never_started else "No activity"
            return f"{what} for {self.days} days"
        if self.kind is Kind.REPEATED_FAILURES:
            return f"Failed “{self.quiz}” {self.count} times"
        if self.kind is Kind.EXAM_ATTEMPTS:
            return ("No exam attempts left" if self.count == 0
                    else f"{self.count} of {self.quiz} exam attempts left")
        return "Assignment overdue"


@dataclass(frozen=True)
class LearnerFacts:
    """What the rules need to know about one learner in one course."""

    enrolled_at: datetime
    #: The last page view or quiz attempt in the course; None when nothing was done.
    last_activity_at: datetime | None
    #: Every module done and the exam passed (or a live certificate held).
    finished: bool
    #: (quiz title, failed attempts) of each quiz failed and not passed since.
    failed_quizzes: tuple[tuple[str, int], ...] = ()
    #: Exam attempts allowed (None: unlimited or no exam) and used in the current certification cycle.
    exam_attempts_allowed: int | None = None
    exam_attempts_used: int = 0
    exam_passed: bool = False
    #: The assignment's due date, when an organisation assigned the course, and whether it is overdue.
    due_on: date | None = None
    overdue: bool = False

    @property
    def exam_attempts_left(self) -> int | None:
        if self.exam_attempts_allowed is None:
            return None
        return max(self.exam_attempts_allowed - self.exam_attempts_used, 0)


def reasons(facts: LearnerFacts, now: datetime) -> tuple[Reason, ...]:
    """Why the learner is stuck, most pressing first; empty when they are not (or have finished)."""
    if facts.finished:
        return ()
    found = []
    if facts.overdue and facts.due_on is not None:
        found.append(Reason(Kind.OVERDUE, due_on=facts.due_on))
    left = facts.exam_attempts_left
    if (left is not None and not facts.exam_passed and facts.exam_attempts_used > 0
            and left <= ATTEMPTS_NEARLY_GONE):
        found.append(Reason(Kind.EXAM_ATTEMPTS, count=left, quiz=str(facts.exam_attempts_allowed)))
    for title, failed in sorted(facts.failed_quizzes, key=lambda q: (-q[1], q[0])):
        if failed >= REPEATED_FAILURES:
            found.append(Reason(Kind.REPEATED_FAILURES, count=failed, quiz=title))
    since = facts.last_activity_at or facts.enrolled_at
    if now - since >= INACTIVE_AFTER:
        found.append(Reason(Kind.INACTIVE, days=(now - since).days, never_started=facts.last_activity_at is None))
    return tuple(found)
