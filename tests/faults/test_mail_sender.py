"""The mail sender under faults: killed mid-batch, and the `flask mail work` loop stopped by SIGTERM.

Each test runs the real CLI in a subprocess against the test's database (SQLite, or PostgreSQL with
ACADEMY_TEST_DATABASE_URL) and a real SMTP server in this process.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import select

from academy import create_app
from academy.db import begin_write, session_scope
from academy.models import OutboxMessage, utcnow
from academy.services import mail
from harness.live_server import BIN, REPO, LiveServer, migrated_sqlite
from tests.support.smtp import MailServer


def cli_env(database_url: str, smtp: MailServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACADEMY_")}
    return env | {"ACADEMY_DATABASE_URL": database_url, "ACADEMY_SMTP_URL": smtp.url,
                  "ACADEMY_SECRET_KEY": os.environ["ACADEMY_SECRET_KEY"], "ACADEMY_BASE_URL": "http://localhost",
                  "ACADEMY_MAIL_FROM": "MIM Academy <no-reply@academy.example>", "PYTHONUNBUFFERED": "1"}


def flask(env, *args) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "flask"), "--app", "app", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def queue(db, n: int) -> None:
    begin_write(db)
    for i in range(n):
        mail.enqueue(db, to_email=f"learner{i}@example.com", to_name=f"Learner {i}", kind="certificate-issued",
                     key=f"c:{i}", template="certificate_issued", subject=f"Your certificate {i}",
                     context={"title": "Certified Incident Responder", "course_title": "Incident Basics",
                              "code": f"CODE-{i}", "issued_at": utcnow(), "expires_at": None})
    db.commit()


def stored(db) -> list[OutboxMessage]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_sender_killed_mid_batch_loses_nothing_and_repeats_at_most_the_message_in_flight(database_url, db):
    queue(db, 6)
    with MailServer() as smtp:
        env = cli_env(database_url, smtp)
        # The server holds its answer to the third message: it is in flight when the sender is killed.
        smtp.handler.stall, smtp.handler.stall_at = 30, 3
        first = flask(env, "mail", "send", "--lease", "1")
        smtp.wait_for(3, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        in_flight = smtp.received[-1].message_id
        assert [m.status for m in stored(db)].count("sending") == 1
        smtp.handler.stall = 0
        time.sleep(1.5)  # the dead sender's lease runs out
        second = flask(env, "mail", "send")
        output, _ = second.communicate(timeout=60)
        assert second.returncode == 0, output
        assert "4 sent" in output  # the one in flight again, and the three never tried
    ids = collections.Counter(r.message_id for r in smtp.received)
    assert set(ids) == {m.message_id for m in stored(db)}  # nothing lost
    repeated = [message_id for message_id, n in ids.items() if n > 1]
    assert repeated == [in_flight] and ids[in_flight] == 2
    assert [m.status for m in stored(db)] == ["sent"] * 6


def test_the_worker_delivers_what_is_queued_and_stops_cleanly_on_sigterm(database_url, db):
    with MailServer() as smtp:
        worker = flask(cli_env(database_url, smtp), "mail", "work", "--interval", "0.2")
        try:
            queue(db, 2)
            smtp.wait_for(2, timeout=60)
            # As a service does: take SQLite's write lock first, so the worker's commits meanwhile
            # cannot make this transaction's read snapshot stale ("database is locked" at once).
            begin_write(db)
            mail.enqueue(db, to_email="late@example.com", to_name="Late", kind="password-reset", key="r:1",
                         template="certificate_issued", subject="Later",
                         context={"title": "t", "course_title": "c", "code": "X", "issued_at": None,
                                  "expires_at": None})
            db.commit()
            smtp.wait_for(3, timeout=60)
        finally:
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert "Mail worker stopped." in output
    assert [m.status for m in stored(db)] == ["sent"] * 3


def _mail_worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children
            if b"mail\x00work" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def test_gunicorn_starts_the_mail_worker_beside_the_site_and_stops_it_with_itself(tmp_path):
    """What `make run` relies on: one command serves the site and delivers its mail, on SQLite."""
    url = migrated_sqlite(tmp_path / "academy.sqlite3")
    with MailServer() as smtp:
        server = LiveServer(url, tmp_path / "instance", workers=1,
                            env={"ACADEMY_MAIL_WORKER": "1", "ACADEMY_SMTP_URL": smtp.url})
        log = server.log_path.open("ab")
        server.process = subprocess.Popen([str(BIN / "gunicorn"), "-c", "python:academy.gunicorn_conf", "app:app"],
                                          cwd=REPO, env=server.env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        log.close()
        try:
            server.wait_healthy()
            deadline = time.monotonic() + 30
            while not _mail_worker_pids(server.master_pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            [worker] = _mail_worker_pids(server.master_pid)
            app = create_app({"TESTING": True, "DATABASE_URL": url, "BASE_URL": server.base_url})
            with session_scope(app) as db:
                queue(db, 1)
            [received] = smtp.wait_for(1, timeout=60)
            assert received.message["Subject"] == "Your certificate 0"
            app.extensions["academy.engine"].dispose()
        finally:
            server.stop()
        deadline = time.monotonic() + 30
        while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{worker}").exists(), server.output()[-2000:]


def test_two_sender_processes_at_once_deliver_each_message_exactly_once(database_url, db):
    """Two `flask mail send` processes on one database (PostgreSQL with ACADEMY_TEST_DATABASE_URL)."""
    queue(db, 40)
    with MailServer() as smtp:
        smtp.handler.stall = 0.02  # both stay busy long enough to overlap
        env = cli_env(database_url, smtp)
        senders = [flask(env, "mail", "send") for _ in range(2)]
        outputs = [process.communicate(timeout=180)[0] for process in senders]
    assert [process.returncode for process in senders] == [0, 0], outputs
    ids = collections.Counter(r.message_id for r in smtp.received)
    assert len(ids) == 40 and set(ids.values()) == {1}
    assert [m.status for m in stored(db)] == ["sent"] * 40
