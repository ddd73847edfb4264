"""Learners' answers to interactive worksheets: scoring, saving, coming back, and the distribution
of recommendations that instructors see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.domain.worksheets import AnswerError, Result, Worksheet, score
from academy.models import Course, WorksheetAnswer, WorksheetVersion, utcnow

from .errors import InvalidInput


@dataclass(frozen=True)
class Panel:
    """A worksheet as the module page shows it to one learner: answers, result or a message."""

    worksheet: Worksheet
    answers: dict[str, str]
    result: Result | None = None
    error: str | None = None
    #: When the shown answers were saved; None for answers not saved (or none yet).
    saved_at: datetime | None = None


def panels(session: Session, user_id: int, course_id: int, sheets: tuple[Worksheet, ...]) -> dict[str, Panel]:
    """Each worksheet with the learner's saved answers and their recommendation, by worksheet id."""
    found = {}
    for sheet in sheets:
        kept = saved(session, user_id, course_id, sheet)
        found[sheet.key] = (Panel(sheet, kept.answers, kept.result, saved_at=kept.saved_at) if kept
                            else Panel(sheet, {}))
    return found


@dataclass(frozen=True)
class Saved:
    """A learner's saved answers and the recommendation they lead to under today's worksheet."""

    answers: dict[str, str]
    result: Result | None
    saved_at: datetime


def evaluate(worksheet: Worksheet, answers: Mapping[str, str]) -> Result:
    """The recommendation for ``answers``; InvalidInput with a sentence when some are missing."""
    try:
        return score(worksheet, answers)
    except AnswerError as exc:
        raise InvalidInput(str(exc)) from exc


def save(session: Session, user_id: int, course_id: int, version_id: int, worksheet: Worksheet,
         answers: Mapping[str, str]) -> Result:
    """Score and keep the learner's answers (replacing an earlier save). Commits."""
    result = evaluate(worksheet, answers)
    kept = {c.key: answers[c.key] for c in worksheet.criteria}
    begin_write(session)
    row = session.scalar(select(WorksheetAnswer).where(
        WorksheetAnswer.user_id == user_id, WorksheetAnswer.course_id == course_id,
        WorksheetAnswer.worksheet_key == worksheet.key))
    if row is None:
        row = WorksheetAnswer(user_id=user_id, course_id=course_id, worksheet_key=worksheet.key)
        session.add(row)
    row.course_version_id, row.answers, row.outcome, row.saved_at = version_id, kept, result.outcome.key, utcnow()
    session.commit()
    return result


def saved(session: Session, user_id: int, course_id: int, worksheet: Worksheet) -> Saved | None:
    """The learner's saved answers to ``worksheet``, re-scored against its current text.

    Answers to criteria or options the author has since removed are dropped; the result is then
    None until the learner answers the new questions.
    """
    row = session.scalar(select(WorksheetAnswer).where(
        WorksheetAnswer.user_id == user_id, WorksheetAnswer.course_id == course_id,
        WorksheetAnswer.worksheet_key == worksheet.key))
    if row is None:
        return None
    answers = {c.key: row.answers[c.key] for c in worksheet.criteria
               if c.key in row.answers and c.option(row.answers[c.key]) is not None}
    try:
        result = score(worksheet, answers)
    except AnswerError:
        result = None
    return Saved(answers, result, row.saved_at)


@dataclass(frozen=True)
class Distribution:
    """How many learners' saved answers led to each outcome of one worksheet."""

    key: str
    title: str
    #: (outcome title, learners), in the worksheet's outcome order.
    outcomes: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.outcomes)


def distributions(session: Session, course_id: int) -> list[Distribution]:
    """Per worksheet of the course's current version, the learners' saved recommendations by outcome."""
    version_id = session.scalar(select(Course.current_version_id).where(Course.id == course_id))
    counts: dict[str, Counter[str]] = {}
    for key, outcome, n in session.execute(
            select(WorksheetAnswer.worksheet_key, WorksheetAnswer.outcome, func.count())
            .where(WorksheetAnswer.course_id == course_id)
            .group_by(WorksheetAnswer.worksheet_key, WorksheetAnswer.outcome)):
        counts.setdefault(key, Counter())[outcome] = n
    found = []
    for row in session.scalars(select(WorksheetVersion).where(WorksheetVersion.course_version_id == version_id)
                               .order_by(WorksheetVersion.id)):
        sheet = Worksheet.from_dict(row.definition)
        tally = counts.get(sheet.key, Counter())
        found.append(Distribution(sheet.key, sheet.title, tuple((o.title, tally[o.key]) for o in sheet.outcomes)))
    return found
