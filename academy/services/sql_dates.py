"""SQL functions that cut a timestamp to its day or week (UTC), compiled for SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class week_start(FunctionElement):  # noqa: N801 (an SQL function, named like one)
    """The Monday (UTC) of a timestamp's week, as a date."""

    type = Date()
    inherit_cache = True


class day_start(FunctionElement):  # noqa: N801 (an SQL function, named like one)
    """The calendar day (UTC) of a timestamp, as a date."""

    type = Date()
    inherit_cache = True


@compiles(week_start, "sqlite")
@compiles(day_start, "sqlite")
def _start_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to Sunday (or stays on it); six days back is that week's Monday.
    week = ", 'weekday 0', '-6 days'" if isinstance(element, week_start) else ""
    return f"date({compiler.process(element.clauses, **kw)}{week})"


@compiles(week_start, "postgresql")
@compiles(day_start, "postgresql")
def _start_postgresql(element, compiler, **kw):
    unit = "week" if isinstance(element, week_start) else "day"
    return f"CAST(date_trunc('{unit}', {compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"
