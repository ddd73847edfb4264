"""Engine and session handling.

One SQLAlchemy session per request (or CLI command), created on first use and closed at
teardown. Services own the commit; whatever a request leaves uncommitted is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

#: Errors that mean "the database is not answering" rather than "your input is wrong".
from sqlalchemy.exc import DBAPIError, OperationalError  # noqa: E402  (re-exported for views)
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["DBAPIError", "OperationalError", "begin_write", "get_session", "init_app", "make_engine",
           "session_scope"]

SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str) -> Engine:
    """Build an engine with the settings this app relies on for each backend."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=5,
                         connect_args={"connect_timeout": 3})


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling would BEGIN behind SQLAlchemy's back; turn it off
    # so the "begin" listener above decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def begin_write(session: Session) -> None:
    """Make ``session``'s next transaction a writer's; call it first in a service that writes.

    On SQLite the write lock is then taken at BEGIN, so two concurrent writers wait their turn (busy
    timeout) instead of one failing when it upgrades a read snapshot that the other has made stale.
    A request has usually read already (the sign-in check), so a read-only transaction still open is
    ended first; one holding unflushed changes is left alone. Other databases ignore the option.
    """
    if session.in_transaction():
        if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
            return  # already a writer: this transaction's writes must commit together
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


#: session.info key: the current transaction has written (flushed or executed DML).
_WROTE = "academy.wrote"


def _note_flush(session: Session, _context) -> None:
    session.info[_WROTE] = True


def _note_dml(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _forget_writes(session: Session) -> None:
    session.info.pop(_WROTE, None)


def init_app(app: Flask) -> None:
    """Create the engine and session factory for ``app`` and close sessions at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["academy.engine"] = engine
    # Sessions know their app, so services used outside a request (CLI, tests) can still render mail.
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"academy.app": app})
    event.listen(factory, "after_flush", _note_flush)
    event.listen(factory, "do_orm_execute", _note_dml)
    event.listen(factory, "after_commit", _forget_writes)
    event.listen(factory, "after_rollback", _forget_writes)
    app.extensions["academy.sessionmaker"] = factory
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The session of the current request or command, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["academy.sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        # Services commit what they mean to keep; anything left over is discarded.
        session.rollback()
        session.close()


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session outside a request (CLI, gunicorn hooks, tests): committed by the caller."""
    session = app.extensions["academy.sessionmaker"]()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def upsert(session: Session, table):
    """An INSERT of ``table`` (a model or a Table) that supports ON CONFLICT on this session's database
    (PostgreSQL or SQLite): the one place that chooses the dialect's insert."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
