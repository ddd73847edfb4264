"""begin_write: ends a read-only transaction, but never splits a transaction that has written."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from academy.db import begin_write, session_scope
from academy.models import Organisation


def test_a_read_only_transaction_is_ended_before_writing(app, db):
    db.scalar(select(func.count(Organisation.id)))
    assert db.in_transaction()
    begin_write(db)
    db.add(Organisation(name="A", join_code="AAAA-AAAA"))
    db.commit()
    assert db.scalar(select(func.count(Organisation.id))) == 1


def test_a_transaction_that_executed_dml_is_not_committed_early(app, db):
    db.execute(insert(Organisation).values(name="B", join_code="BBBB-BBBB"))
    begin_write(db)  # must not commit the insert on its own
    db.rollback()
    with session_scope(app) as other:
        assert other.scalar(select(func.count(Organisation.id))) == 0


def test_a_transaction_that_flushed_is_not_committed_early(app, db):
    db.add(Organisation(name="C", join_code="CCCC-CCCC"))
    db.flush()
    begin_write(db)
    db.rollback()
    with session_scope(app) as other:
        assert other.scalar(select(func.count(Organisation.id))) == 0
