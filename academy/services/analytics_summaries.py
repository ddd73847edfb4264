"""Analytics summaries kept up to date as attempts finish, so the analytics pages cost the same at
100,000 learners as at 1,000 (issue 17; docs/benchmarks.md, "Analytics from summaries").

Every figure the pages show is a count or a sum over finished attempts (item statistics included:
discrimination and reliability come from Σx, Σx², Σt, Σt², Σxt, see ``domain.item_statistics``).
So each finished attempt has a *share* of every summary row: one GROUP BY over that attempt's rows.
The share is added in the transaction that finishes the attempt, and taken away in the transaction
that deletes it, with upserts that add to what is there (``INSERT .. ON CONFLICT DO UPDATE SET
n = n + excluded.n``), so concurrent submissions never lose a count on SQLite or PostgreSQL.

Who calls what:

* ORM changes are followed by session events (:func:`watch`): an ``Attempt`` that is added finished,
  or whose status leaves ``in_progress``, is counted when the transaction commits (its answers and
  branching choices are written by then, however they were inserted); an ``Attempt`` or a ``User``
  deleted through the session has its finished attempts taken away before the rows go.
* Core writes say so themselves: :func:`add` after inserting finished attempts (the demo seeder),
  :func:`finished_by_core` after finishing one with an ``UPDATE``, :func:`remove` before deleting
  attempts or users with a Core ``DELETE``.
* Deleting a quiz or a quiz version takes its summary rows with it (foreign keys, ``CASCADE``).
* ``flask analytics check`` compares the summaries with the raw rows; ``flask analytics rebuild``
  recomputes them (after a bulk import that bypassed the above, or to repair drift).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, bindparam, case, delete, event, func, inspect, select, true
from sqlalchemy.orm import Session

from academy.db import upsert
from academy.models import (
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    BranchingChoice,
    OptionCount,
    QuestionSums,
    QuizResultBucket,
    QuizResultDay,
    StepChoiceCount,
    User,
    VersionTotals,
)

from .sql_dates import day_start

#: Score histogram buckets: 0-9 %, 10-19 %, ..., 90-100 %.
BUCKETS = 10

FINISHED = Attempt.status != AttemptStatus.IN_PROGRESS.value

#: The summary tables, each with the column whose zero means "no attempt left in this row".
TABLES = ((QuizResultBucket, "attempts"), (QuizResultDay, "attempts"), (VersionTotals, "attempts"),
          (QuestionSums, "answers"), (OptionCount, "chosen"), (StepChoiceCount, "made"))

#: session.info key: ids of attempts finished in the current transaction, counted at commit.
_PENDING = "academy.analytics.pending"


def score_bucket():
    """The histogram bucket of an attempt's score: 100 % joins the 90s, a negative score the first."""
    return case((Attempt.score_percent >= 100, BUCKETS - 1), (Attempt.score_percent < 0, 0),
                else_=Attempt.score_percent // (100 // BUCKETS))


def option_values(session: Session):
    """The elements of ``attempt_answers.chosen`` as rows (one per chosen option)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(AttemptAnswer.chosen).table_valued("value")
    return func.json_each(AttemptAnswer.chosen).table_valued("value")


def _shares(session: Session, which: ColumnElement[bool], sign: int) -> list[tuple[type, object]]:
    """Per summary table, the SELECT of the finished attempts' (matching ``which``) shares, its
    columns in the table's order, every figure multiplied by ``sign``."""
    counted = FINISHED & which

    def total(value):
        return func.coalesce(func.sum(value), 0) * sign

    def how_many(condition):
        return total(case((condition, 1), else_=0))

    bucket, day = score_bucket(), day_start(Attempt.submitted_at)
    x, t = AttemptAnswer.points, Attempt.points
    graded = x.is_not(None) & t.is_not(None)

    def when_graded(value):
        return total(case((graded, value), else_=None))

    values = option_values(session)
    answers = select().select_from(Attempt).join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
    version, question = Attempt.quiz_version_id, AttemptAnswer.question_key
    passed = how_many(Attempt.passed.is_(True))
    b = BranchingChoice
    return [
        (QuizResultBucket, _by(select(Attempt.quiz_id, bucket, func.count() * sign, passed)
                               .where(counted, Attempt.score_percent.is_not(None)), Attempt.quiz_id, bucket)),
        (QuizResultDay, _by(select(Attempt.quiz_id, day, func.count() * sign, passed)
                            .where(counted, Attempt.submitted_at.is_not(None)), Attempt.quiz_id, day)),
        (VersionTotals, _by(select(version, func.count() * sign, how_many(t.is_not(None)), total(t), total(t * t))
                            .where(counted), version)),
        (QuestionSums, _by(answers.add_columns(
            version, question, func.count() * sign, how_many(AttemptAnswer.correct.is_(True)), how_many(graded),
            when_graded(x), when_graded(x * x), when_graded(t), when_graded(t * t), when_graded(x * t))
            .where(counted), version, question)),
        (OptionCount, _by(answers.join(values, true()).add_columns(
            version, question, values.c.value, func.count() * sign, total(Attempt.score_percent))
            .where(counted), version, question, values.c.value)),
        (StepChoiceCount, _by(select(version, b.scenario_id, b.step_id, b.choice_key, func.count() * sign)
                              .select_from(Attempt).join(b, b.attempt_id == Attempt.id).where(counted),
                              version, b.scenario_id, b.step_id, b.choice_key)),
    ]


def _by(stmt, *keys):
    # Grouped and ordered by the row's key: every transaction then locks summary rows in key order,
    # table after table, so two concurrent submissions touching the same rows wait for each other
    # instead of deadlocking (PostgreSQL).
    return stmt.group_by(*keys).order_by(*keys)


def _upserts(session: Session, which: ColumnElement[bool], sign: int) -> list:
    """The INSERT .. SELECT .. ON CONFLICT DO UPDATE statements that add ``sign`` times the shares."""
    found = []
    for model, stmt in _shares(session, which, sign):
        table = model.__table__
        statement = upsert(session, table).from_select([c.name for c in table.c], stmt)
        found.append(statement.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key],
            set_={c.name: c + statement.excluded[c.name] for c in table.c if not c.primary_key}))
    return found


#: Per dialect, the upserts that count the attempts whose ids are bound as ``attempt_ids``: built once,
#: as building and compiling them would cost more than running them (each submission runs them).
_BY_ID: dict[str, list] = {}


def _apply(session: Session, which: ColumnElement[bool], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) the shares of the finished attempts matching ``which``."""
    connection = session.connection()
    for statement in _upserts(session, which, sign):
        connection.execute(statement)
    if sign < 0:
        for model, count in TABLES:
            connection.execute(delete(model).where(model.__table__.c[count] == 0))


def _add_by_id(session: Session, attempt_ids: list[int]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect not in _BY_ID:
        _BY_ID[dialect] = _upserts(session, Attempt.id.in_(bindparam("attempt_ids", expanding=True)), 1)
    connection = session.connection()
    for statement in _BY_ID[dialect]:
        connection.execute(statement, {"attempt_ids": attempt_ids})


def add(session: Session, which: ColumnElement[bool]) -> None:
    """Count the finished attempts matching ``which`` (a condition on ``Attempt``) in the summaries.
    For rows written with Core, which the session events do not see; commits nothing."""
    _apply(session, which, 1)


def remove(session: Session, which: ColumnElement[bool]) -> None:
    """Take the finished attempts matching ``which`` out of the summaries: call it *before* deleting
    them (or their users) with a Core ``DELETE``; commits nothing."""
    _apply(session, which, -1)


def finished_by_core(session: Session, attempt_id: int) -> None:
    """Count ``attempt_id`` when the transaction commits: for a service that finishes an attempt with a
    Core ``UPDATE`` (which the session events do not see) rather than by setting ``Attempt.status``."""
    session.info.setdefault(_PENDING, set()).add(attempt_id)


def rebuild(session: Session) -> None:
    """Recompute every summary from the raw rows (in the caller's transaction; commits nothing)."""
    connection = session.connection()
    for model, _count in TABLES:
        connection.execute(delete(model))
    _apply(session, true(), 1)


def differences(session: Session) -> dict[str, int]:
    """Per summary table, how many rows differ from a fresh computation from the raw rows (empty: none)."""
    found = {}
    for (model, count), (_model, stmt) in zip(TABLES, _shares(session, true(), 1), strict=True):
        table = model.__table__
        kept = _rows(session.execute(select(table).where(table.c[count] != 0)))
        fresh = _rows(session.execute(stmt))
        if kept != fresh:
            found[table.name] = len(kept ^ fresh)
    return found


def _rows(rows: Iterable) -> set[tuple]:
    # SQLite hands dates back as text and PostgreSQL sums as Decimal: compare plain values.
    def plain(value):
        if isinstance(value, date):
            return value.isoformat()
        return int(value) if isinstance(value, Decimal) else value
    return {tuple(plain(v) for v in row) for row in rows}


# --- following the session --------------------------------------------------------------------

def watch(session_factory) -> None:
    """Keep the summaries right for every ORM change made through sessions of ``session_factory``."""
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "before_commit", _before_commit)
    event.listen(session_factory, "after_rollback", _forget)


def _before_flush(session: Session, _context, _instances) -> None:
    """Take deleted attempts (and deleted users' attempts) out while their rows still exist."""
    attempts = [o.id for o in session.deleted if isinstance(o, Attempt) and o.id is not None]
    users = [o.id for o in session.deleted if isinstance(o, User) and o.id is not None]
    if not attempts and not users:
        return
    # Attempts finished in this transaction are not counted yet: there is nothing to take away.
    pending = session.info.get(_PENDING, set())
    remove(session, (Attempt.id.in_(attempts) | Attempt.user_id.in_(users)) & Attempt.id.not_in(pending))


def _after_flush(session: Session, _context) -> None:
    """Note the attempts this flush finished (written finished, or moved out of ``in_progress``)."""
    finished = {o.id for o in session.new if isinstance(o, Attempt) and o.status != AttemptStatus.IN_PROGRESS}
    for o in session.dirty:
        if isinstance(o, Attempt) and o.status != AttemptStatus.IN_PROGRESS:
            history = inspect(o).attrs.status.history
            if history.has_changes() and (not history.deleted or history.deleted[0] == AttemptStatus.IN_PROGRESS):
                finished.add(o.id)
    if finished:
        session.info.setdefault(_PENDING, set()).update(finished)


def _before_commit(session: Session) -> None:
    """Count the attempts finished in this transaction, in it, once everything is written."""
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if pending:
        _add_by_id(session, sorted(pending))


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
