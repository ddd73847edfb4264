"""The people x courses matrix's cells as SQL, so a status filter pages in the database.

:func:`academy.domain.assignments.cell` decides a cell from a person's facts (assignments and
their due dates, the live certificate, the last activity, the enrolment). Filtering a matrix of
5,000 people by status used to load every member's facts and decide every cell in Python before
taking a page. Here the same decision is one ``CASE`` over per-(person, course) facts that indexed
subqueries fetch; the database keeps the people who have a cell in that state, counts them and
returns one page of ids, in the matrix's order. The page's cells are then decided by the domain as
before, so what is shown never depends on this translation, only which people are listed; a test
holds the two to the same answer over every kind of cell.

Dates: a due date is compared as a whole day (as :func:`~academy.domain.assignments.due_date`
does), so both sides become day numbers (``date.toordinal()``), computed in SQL on UTC dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from academy.domain import assignments as rules
from academy.models import Attempt, Certificate, CourseAssignment, Enrolment, ModuleProgress, Quiz, User


class utc_day(FunctionElement):
    """The day number (``date.toordinal()``) of a timestamp's UTC date."""

    type = Integer()
    inherit_cache = True
    name = "utc_day"


class day(FunctionElement):
    """The day number (``date.toordinal()``) of a ``DATE`` column."""

    type = Integer()
    inherit_cache = True
    name = "day"


#: julianday() of 0001-01-01 is 1721425.5: its ordinal is 1.
_SQLITE_DAY = "CAST(julianday(date({})) - 1721424.5 AS INTEGER)"


@compiles(utc_day, "sqlite")
@compiles(day, "sqlite")
def _sqlite_day(element, compiler, **kw):
    return _SQLITE_DAY.format(compiler.process(element.clauses, **kw))


@compiles(utc_day, "postgresql")
def _postgresql_utc_day(element, compiler, **kw):
    return f"(CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE) - DATE '0001-01-01' + 1)"


@compiles(day, "postgresql")
def _postgresql_day(element, compiler, **kw):
    return f"(({compiler.process(element.clauses, **kw)}) - DATE '0001-01-01' + 1)"


# Every subquery correlates to the ``users`` row (and its live certificate) explicitly.

def _greater(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((a > b, a), else_=b)


def _facts(people: Select[Any], organisation_id: int, course_id: int, now: datetime) -> Select[Any]:
    """One row per member: what the cell of ``course_id`` is decided from, each fact an indexed lookup."""
    # At most one live certificate per person and course (the unique index uq_certificates_live).
    live = and_(Certificate.user_id == User.id, Certificate.course_id == course_id,
                Certificate.superseded_at.is_(None))

    def active(after: Any = None) -> ColumnElement[bool]:
        """Read or attempted anything in the course (after ``after``, when given)."""
        reading = [ModuleProgress.user_id == User.id, ModuleProgress.course_id == course_id,
                   ModuleProgress.last_viewed_at.is_not(None)]
        attempting = [Attempt.user_id == User.id, Quiz.id == Attempt.quiz_id, Quiz.course_id == course_id]
        if after is not None:
            reading.append(ModuleProgress.last_viewed_at > after)
            attempting.append(Attempt.started_at > after)
        return or_(exists().where(*reading).correlate(User, Certificate),
                   exists().where(*attempting).correlate(User, Certificate))

    applies = and_(CourseAssignment.organisation_id == organisation_id, CourseAssignment.course_id == course_id,
                   or_(CourseAssignment.user_id.is_(None), CourseAssignment.user_id == User.id))
    after_joining = _greater(utc_day(CourseAssignment.created_at), utc_day(User.created_at)) \
        + func.coalesce(CourseAssignment.due_days, 0)
    due = select(func.min(case((CourseAssignment.due_on.is_not(None), day(CourseAssignment.due_on)),
                               else_=after_joining))).where(applies).correlate(User).scalar_subquery()
    grace = select(func.coalesce(func.min(CourseAssignment.due_days), rules.RECERTIFY_DAYS)) \
        .where(applies).correlate(User).scalar_subquery()
    return select(
        User.id.label("user_id"), User.name.label("name"),
        Certificate.id.label("certificate_id"), Certificate.revoked_at, Certificate.expires_at,
        due.label("due"), grace.label("grace"),
        exists().where(Enrolment.user_id == User.id, Enrolment.course_id == course_id).correlate(User)
        .label("enrolled"),
        active().label("active"),
        active(after=Certificate.expires_at).label("active_since_expiry"),
    ).select_from(User).outerjoin(Certificate, live).where(
        User.organisation_id == organisation_id,
        # The people the matrix lists (a search narrows them), as conditions on this same ``users``
        # row: a join to a second copy of ``users`` was planned, on stale row estimates, as a scan
        # of that copy per member.
        people.whereclause)


def _cell(facts: Any, now: datetime) -> ColumnElement[str]:
    """:func:`academy.domain.assignments.cell` over a row of :func:`_facts`."""
    today = literal(now.date().toordinal())
    held = facts.c.certificate_id.is_not(None)
    valid = and_(held, facts.c.revoked_at.is_(None), or_(facts.c.expires_at.is_(None), facts.c.expires_at > now))
    expiring = and_(valid, facts.c.expires_at.is_not(None), facts.c.expires_at <= now + rules.EXPIRING_WITHIN)
    expired = and_(held, facts.c.revoked_at.is_(None), facts.c.expires_at.is_not(None), facts.c.expires_at <= now)

    def value(cell: rules.Cell) -> ColumnElement[str]:
        return literal(cell.value)

    assigned = case(
        (valid, case((expiring, value(rules.Cell.EXPIRING)), else_=value(rules.Cell.COMPLETED))),
        # An expired certificate reopens the assignment: due again ``grace`` days after the expiry.
        (expired, case((and_(today > facts.c.due, today > utc_day(facts.c.expires_at) + facts.c.grace),
                        value(rules.Cell.OVERDUE)),
                       (facts.c.active_since_expiry, value(rules.Cell.IN_PROGRESS)),
                       else_=value(rules.Cell.NOT_STARTED))),
        (today > facts.c.due, value(rules.Cell.OVERDUE)),
        (facts.c.active, value(rules.Cell.IN_PROGRESS)),
        else_=value(rules.Cell.NOT_STARTED))
    unassigned = case(
        (and_(held, facts.c.revoked_at.is_not(None)), value(rules.Cell.REVOKED)),
        (expired, value(rules.Cell.EXPIRED)),
        (expiring, value(rules.Cell.EXPIRING)),
        (valid, value(rules.Cell.COMPLETED)),
        (facts.c.active, value(rules.Cell.IN_PROGRESS)),
        (facts.c.enrolled, value(rules.Cell.NOT_STARTED)),
        else_=value(rules.Cell.NONE))
    return case((facts.c.due.is_not(None), assigned), else_=unassigned)


def people_with(session: Session, people: Select[Any], organisation_id: int, course_ids: Sequence[int],
                status: str, now: datetime) -> list[int]:
    """The ids of ``people`` (a select on ``users``) with a ``status`` cell in any of the courses, in
    the matrix's order (name, then id).

    The matching people come straight out of the facts, sorted there: joining them back to ``users``
    (``users.id IN (SELECT ... FROM matrix_facts)``) let PostgreSQL, its row estimates stale after a
    bulk import, scan the whole materialised table once per member (1.1 s for 5,000 people).
    """
    if not course_ids:
        return []
    each = [_facts(people, organisation_id, course_id, now) for course_id in course_ids]
    # Materialised: each fact is looked up once per person and course, not once per use in the CASE.
    facts = (each[0] if len(each) == 1 else union_all(*each)).cte("matrix_facts").prefix_with("MATERIALIZED")
    return list(session.scalars(select(facts.c.user_id).where(_cell(facts, now) == status)
                                .group_by(facts.c.user_id, facts.c.name).order_by(facts.c.name, facts.c.user_id)))
