"""Quiz attempts: what was asked, what the learner answered and how it was graded.

An attempt records the quiz version it was drawn from, so editing a quiz never changes a past
result. Two constraints keep concurrent requests honest whatever worker they reach: a learner has
at most one attempt in progress per quiz (a partial unique index), and each answer and each
submission is stored once (unique keys).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .content import Quiz, QuizVersion


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    #: Time ran out before a submission counted: graded on the answers saved in time.
    EXPIRED = "expired"


_IN_PROGRESS = text("status = 'in_progress'")


class Attempt(Base):
    """One learner's go at one quiz."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("uq_attempts_one_in_progress", "user_id", "quiz_id", unique=True,
              sqlite_where=_IN_PROGRESS, postgresql_where=_IN_PROGRESS),
        Index("ix_attempts_user_id_quiz_id", "user_id", "quiz_id"),
        # Analytics read these columns only, from the index (migration 0010): the quiz results' score
        # distribution per quiz, and a quiz's item statistics per version.
        Index("ix_attempts_quiz_id_status_score", "quiz_id", "status", "score_percent", "passed"),
        Index("ix_attempts_quiz_version_id_status_points", "quiz_version_id", "status", "points", "score_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, unguessable; the attempt's name in URLs.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    #: The version drawn from and graded against, whatever the quiz says today.
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: started_at + time limit; None when untimed. Answers count until GRACE after it.
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    #: An :class:`AttemptStatus` value.
    status: Mapped[str] = mapped_column(String(20), default=AttemptStatus.IN_PROGRESS.value)
    #: Whole percent, rounded down; None until graded.
    score_percent: Mapped[int | None]
    points: Mapped[int | None]
    #: Points possible for the drawn questions (known from the start).
    max_points: Mapped[int]
    passed: Mapped[bool | None]
    #: A critical choice in a branching scenario: failed whatever the score.
    critical_error: Mapped[bool] = mapped_column(default=False)
    #: ``grading.Layout.to_dict()``: drawn question keys, option order, branching paths so far.
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The key of the submit form that closed the attempt; a replayed submit finds it here.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    quiz: Mapped[Quiz] = relationship()
    quiz_version: Mapped[QuizVersion] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptAnswer.id")

    @property
    def finished(self) -> bool:
        return self.status != AttemptStatus.IN_PROGRESS


class AttemptAnswer(Base):
    """The options chosen for one question of an attempt (autosaved, then graded on submission).

    A branching scenario has one row too: its key is the scenario id, ``chosen`` the choice keys
    along the path, ``points`` the path's points.
    """

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(200))
    #: Option keys, e.g. ["b"] or ["a", "c"].
    chosen: Mapped[list[str]] = mapped_column(JSON)
    #: None until graded.
    correct: Mapped[bool | None]
    points: Mapped[int | None]
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class BranchingChoice(Base):
    """One decision in a branching scenario, as it was made (for analytics and the review page)."""

    __tablename__ = "branching_choices"
    __table_args__ = (UniqueConstraint("attempt_id", "scenario_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(200))
    step_id: Mapped[str] = mapped_column(String(200))
    choice_key: Mapped[str] = mapped_column(String(20))
    points: Mapped[int]
    critical: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)
