"""SQLite write lock held elsewhere: a write answers 503 with Retry-After after the busy timeout, never hangs."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from academy.db import SQLITE_BUSY_TIMEOUT_MS
from academy.models import SignUp, User
from harness.http import HttpClient

from .conftest import registration

BUSY_TIMEOUT = SQLITE_BUSY_TIMEOUT_MS / 1000


def test_registration_behind_a_held_write_lock_answers_503_then_works_once_the_lock_is_released(serve):
    site = serve()
    reader = HttpClient(site.base_url)
    reader.sign_in(site.create_user("learner").email, "Bridge opened at 09:42, all hands")
    newcomer = registration(site, 1)
    newcomer.client.timeout = BUSY_TIMEOUT + 10  # past this, the request hung: the test fails

    holder = sqlite3.connect(make_url(site.server.database_url).database, isolation_level=None, timeout=1)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process is writing, and takes its time
        assert reader.get("/dashboard").status == 200, "readers must not wait for a writer (WAL)"
        blocked = newcomer.send()
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert blocked.status == 503
    assert int(blocked.header("Retry-After")) > 0
    assert "Temporarily unavailable" in blocked.text
    assert blocked.elapsed < BUSY_TIMEOUT + 5, f"answered after {blocked.elapsed:.1f}s, past the busy timeout"
    with site.session() as db:
        assert db.scalar(select(func.count(User.id)).where(User.email == "burst1@example.com")) == 0

    with site.session() as db:
        assert db.scalar(select(func.count(SignUp.id)).where(SignUp.email == "burst1@example.com")) == 0

    retried = newcomer.send()  # the same form, sent again once the lock is gone
    assert retried.status == 200 and "we sent a link to burst1@example.com" in retried.text
    with site.session() as db:
        assert db.scalar(select(func.count(SignUp.id)).where(SignUp.email == "burst1@example.com")) == 1
