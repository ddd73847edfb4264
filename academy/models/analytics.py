"""Analytics summaries: running totals over finished attempts, kept up to date as attempts finish.

The analytics pages read these few rows instead of aggregating every attempt and answer on each
view (``services.analytics_summaries`` keeps them right, ``flask analytics rebuild`` recomputes them
from the raw rows). Every figure is a count or a sum, so an attempt's share can be added when it
finishes and taken away when it is deleted. Rows cascade away with their quiz or quiz version.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class QuizResultBucket(Base):
    """Finished attempts at a quiz (any version) per score bucket: the score histogram and pass rate."""

    __tablename__ = "analytics_quiz_buckets"

    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True)
    #: 0 for 0-9 %, ..., 9 for 90-100 % (``analytics_summaries.score_bucket``).
    bucket: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(BigInteger)
    passed: Mapped[int] = mapped_column(BigInteger)


class QuizResultDay(Base):
    """Finished attempts at a quiz per day (UTC) of submission: the exam pass rate over a period."""

    __tablename__ = "analytics_quiz_days"

    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    attempts: Mapped[int] = mapped_column(BigInteger)
    passed: Mapped[int] = mapped_column(BigInteger)


class VersionTotals(Base):
    """Per quiz version: finished attempts, and over the graded ones the sums of total points t."""

    __tablename__ = "analytics_version_totals"

    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id", ondelete="CASCADE"),
                                                 primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(BigInteger)
    #: Finished attempts with points (n), Σt and Σt².
    graded: Mapped[int] = mapped_column(BigInteger)
    sum_t: Mapped[int] = mapped_column(BigInteger)
    sum_tt: Mapped[int] = mapped_column(BigInteger)


class QuestionSums(Base):
    """Per quiz version and question (or branching scenario) key: answers, correct ones, and the
    item statistics' sums over answers graded in a graded attempt (x = item points, t = attempt points)."""

    __tablename__ = "analytics_question_sums"

    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    question_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    answers: Mapped[int] = mapped_column(BigInteger)
    correct: Mapped[int] = mapped_column(BigInteger)
    graded: Mapped[int] = mapped_column(BigInteger)
    sum_x: Mapped[int] = mapped_column(BigInteger)
    sum_xx: Mapped[int] = mapped_column(BigInteger)
    sum_t: Mapped[int] = mapped_column(BigInteger)
    sum_tt: Mapped[int] = mapped_column(BigInteger)
    sum_xt: Mapped[int] = mapped_column(BigInteger)


class OptionCount(Base):
    """Per quiz version, question and option: how many chose it and the sum of their percent scores."""

    __tablename__ = "analytics_option_counts"

    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    question_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    option_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    chosen: Mapped[int] = mapped_column(BigInteger)
    sum_percent: Mapped[int] = mapped_column(BigInteger)


class StepChoiceCount(Base):
    """Per quiz version and branching step: how often each choice was made in a finished attempt."""

    __tablename__ = "analytics_step_choices"

    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    choice_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    made: Mapped[int] = mapped_column(BigInteger)
