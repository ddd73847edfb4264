"""Substring search that uses an index: the admin users and certificates lists and a manager's matrix.

The lists search "contains, ignoring case" (``LIKE '%smith%'``), which no B-tree index can answer;
at 100,000 learners every search read every row. Trigram indexes answer it:

- SQLite: FTS5 tables with the ``trigram`` tokenizer (SQLite >= 3.34), *external content* (they
  keep only the index; the text stays in ``users`` and ``certificates``), kept in step by triggers
  (migration ``0013_search_indexes``). A phrase query (``"smith"``) finds the rows whose column
  holds those characters in a row, whatever their case.
- PostgreSQL: ``pg_trgm`` GIN indexes, which the planner uses for the same ``LIKE``/``ILIKE``.

The plain ``LIKE`` conditions stay in every query, so the results are exactly those of a scan (the
index only narrows the rows first: trigram case folding covers all of Unicode, ``LIKE``'s only ASCII).
A trigram needs three characters: queries of one or two characters run as a plain ``LIKE`` (an
index walk in the list's order that stops after the page, plus a count that reads every row: the
price of a search that short, which narrows almost nothing anyway).

What the user types is data, never syntax: ``%`` and ``_`` are escaped for ``LIKE``, and the FTS5
query is one quoted phrase with its quotes doubled, so ``NEAR``, ``*``, ``OR``, ``-`` or ``"`` are
just characters to find.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, column, false, func, literal_column, or_, select, table
from sqlalchemy.orm import Session

from academy.models import User

#: Characters a trigram index needs; shorter queries fall back to a plain ``LIKE``.
MIN_INDEXED_LENGTH = 3
#: No searched column is longer (users.email): a longer query cannot match anything.
MAX_QUERY_LENGTH = 300
#: SQLite FTS5 tables by the table whose rows they index (created by migration 0013).
FTS_TABLES = {"users": "users_search", "certificates": "certificates_search"}
#: The shadow tables FTS5 keeps for each (external content: no ``_content`` table).
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_docsize", "_config")
#: PostgreSQL trigram indexes (created by migration 0013; GIN indexes with an operator class the
#: models cannot declare for SQLite, so the schema comparison leaves exactly these aside).
TRIGRAM_INDEXES = frozenset({
    "ix_users_name_trgm", "ix_users_email_trgm", "ix_certificates_holder_name_trgm",
    "ix_certificates_course_title_trgm", "ix_certificates_title_trgm", "ix_certificates_code_trgm",
})


def fts_table_names() -> set[str]:
    """Every table SQLite's FTS5 search makes: the virtual tables and their shadow tables."""
    return {name + suffix for name in FTS_TABLES.values() for suffix in ("", *FTS_SHADOW_SUFFIXES)}


def like_pattern(text: str) -> str:
    """``%text%`` with ``\\``, ``%`` and ``_`` escaped (use with ``escape="\\\\"``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts_phrase(text: str) -> str:
    """The FTS5 query that finds ``text`` as it is: one quoted phrase, quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def contains(session: Session, statement: Select[Any], *, table_name: str, key: ColumnElement[int],
             conditions: list[ColumnElement[bool]], text: str,
             exact: ColumnElement[bool] | None = None) -> Select[Any]:
    """``statement`` narrowed to rows where any of ``conditions`` (LIKE tests for ``text``) holds,
    or ``exact`` (an indexed equality, e.g. a certificate code as typed in another form).

    On SQLite, when ``text`` is long enough, the FTS5 table of ``table_name`` picks the candidate
    ids (``key``: the indexed table's id) that the ``LIKE`` conditions then check. PostgreSQL's
    planner takes the trigram indexes for the ``LIKE`` conditions by itself.
    """
    if len(text) > MAX_QUERY_LENGTH or "\x00" in text:
        # Nothing stored is that long or holds a NUL (forms refuse control characters); PostgreSQL
        # would refuse the NUL as a parameter and FTS5 would end its phrase there.
        return statement.where(false() if exact is None else exact)
    found: ColumnElement[bool] = or_(*conditions)
    if len(text) >= MIN_INDEXED_LENGTH and session.get_bind().dialect.name == "sqlite":
        name = FTS_TABLES[table_name]
        fts = table(name, column("rowid"))
        candidates = select(fts.c.rowid).where(literal_column(name).op("MATCH")(fts_phrase(text)))
        found = and_(key.in_(candidates), found)
    return statement.where(found if exact is None else or_(found, exact))


def users_containing(session: Session, statement: Select[Any], query: str) -> Select[Any]:
    """``statement`` (on ``users``) narrowed to people whose name or email contains ``query``."""
    text = query.strip().lower()
    pattern = like_pattern(text)
    return contains(session, statement, table_name="users", key=User.id, text=text,
                    conditions=[func.lower(User.name).like(pattern, escape="\\"),
                                User.email.like(pattern, escape="\\")])
