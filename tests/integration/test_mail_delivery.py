"""Delivering the outbox to a real SMTP server (aiosmtpd, in process) and reading what it received."""

from __future__ import annotations

import logging
import signal
import threading
import urllib.parse
from datetime import timedelta

import pytest
from sqlalchemy import select

from academy.db import session_scope
from academy.domain.mail import parse_smtp_url
from academy.models import OutboxMessage, utcnow
from academy.services import mail, outbox
from academy.smtp import SmtpTransport
from tests.support.smtp import MailServer


class Clock:
    """A clock the test moves, so back-off is tested without waiting."""

    def __init__(self):
        self.now = utcnow() + timedelta(seconds=1)  # after whatever the test queues

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def smtp():
    with MailServer() as server:
        yield server


@pytest.fixture
def clock():
    return Clock()


def queue(db, n: int = 1, *, to: str = "eleni@example.com", reminder: bool = False) -> None:
    for i in range(n):
        mail.enqueue(db, to_email=to, to_name="Eleni Papadopoulou", kind="certificate-issued", key=f"c:{i}",
                     template="certificate_issued", reminder=reminder, subject=f"Your certificate {i}",
                     context={"title": "Certified Incident Responder", "course_title": "Incident Basics",
                              "code": f"CODE-{i}", "issued_at": utcnow(), "expires_at": None})
    db.commit()


def sender(db, server: MailServer, clock=None, **options) -> outbox.Sender:
    return outbox.Sender(session=db, transport=SmtpTransport(parse_smtp_url(server.url)),
                         mail_from="MIM Academy <no-reply@academy.example>", clock=clock or utcnow, **options)


def rows(db) -> list[OutboxMessage]:
    """The outbox as the database has it now (senders update rows behind the session's back)."""
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def statuses(db) -> list[str]:
    db.rollback()
    return list(db.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_a_delivered_message_has_both_parts_and_the_headers(db, smtp):
    queue(db)
    report = sender(db, smtp).deliver()
    assert report.sent == 1
    [got] = smtp.received
    [stored] = rows(db)
    assert got.recipients == ["eleni@example.com"] and got.mail_from == "no-reply@academy.example"
    message = got.message
    assert message["Message-ID"] == stored.message_id
    assert message["To"] == "Eleni Papadopoulou <eleni@example.com>"
    assert message["From"] == "MIM Academy <no-reply@academy.example>"
    assert message["Subject"] == "Your certificate 0" and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "http://localhost/verify/CODE-0" in got.part("plain")
    assert 'href="http://localhost/verify/CODE-0"' in got.part("html")
    assert message["List-Unsubscribe"] is None  # not a reminder
    assert stored.status == "sent" and stored.attempts == 1 and stored.sent_at is not None


def test_a_reminder_has_one_click_unsubscribe_headers(db, smtp, make_user):
    make_user(email="eleni@example.com")
    queue(db, reminder=True)
    sender(db, smtp).deliver()
    message = smtp.received[0].message
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith("http://localhost/mail/preferences/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_unsubscribe_link_works_when_followed(app, db, smtp, make_user):
    user = make_user(email="eleni@example.com")
    queue(db, reminder=True)
    sender(db, smtp).deliver()
    path = urllib.parse.urlsplit(smtp.received[0].message["List-Unsubscribe"].strip().strip("<>")).path
    client = app.test_client()
    assert "Email preferences" in client.get(path).get_data(as_text=True)
    # What a mail client does for one-click unsubscribe (RFC 8058): a POST with no cookie, no CSRF token.
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.rollback()
    assert mail.reminders_wanted(db, user.id) is False


def test_each_message_is_sent_once_however_often_the_sender_runs(db, smtp):
    queue(db, 3)
    assert sender(db, smtp).deliver().sent == 3
    assert sender(db, smtp).deliver().sent == 0
    assert len(smtp.received) == 3
    assert len({r.message_id for r in smtp.received}) == 3


def test_while_the_server_is_away_messages_wait_then_go_once_each(db, smtp, clock):
    queue(db, 3)
    smtp.stop()
    report = sender(db, smtp, clock).deliver()
    assert report.sent == 0 and report.unavailable and "could not reach" in report.unavailable
    assert statuses(db) == ["queued"] * 3
    waiting = rows(db)[0]
    assert waiting.attempts == 1 and waiting.next_attempt_at > clock.now and "could not reach" in waiting.last_error
    # Still away a little later: nothing lost, nothing sent.
    clock.advance(minutes=1)
    assert sender(db, smtp, clock).deliver().sent == 0
    smtp.start()
    clock.advance(minutes=10)
    assert sender(db, smtp, clock).deliver().sent == 3
    assert statuses(db) == ["sent"] * 3
    assert sorted(r.message["Subject"] for r in smtp.received) == [f"Your certificate {i}" for i in range(3)]


def test_a_temporary_refusal_is_retried_with_growing_back_off(db, smtp, clock):
    queue(db, to="busy@example.com")
    smtp.handler.refuse["busy@example.com"] = "450 Mailbox busy, try later"
    sender(db, smtp, clock).deliver()
    [first] = rows(db)
    assert first.status == "queued" and "450" in first.last_error
    first_wait = first.next_attempt_at - clock.now
    assert sender(db, smtp, clock).deliver().sent == 0  # not yet due
    clock.advance(seconds=first_wait.total_seconds() + 1)
    sender(db, smtp, clock).deliver()
    [second] = rows(db)
    assert second.attempts == 2 and second.next_attempt_at - clock.now > first_wait
    del smtp.handler.refuse["busy@example.com"]
    clock.advance(hours=3)
    assert sender(db, smtp, clock).deliver().sent == 1
    assert len(smtp.received) == 1


def test_a_permanent_refusal_marks_the_message_failed_and_the_others_still_go(db, smtp):
    queue(db, to="gone@example.com")
    queue(db, 2)
    smtp.handler.refuse["gone@example.com"] = "550 No such user here"
    report = sender(db, smtp).deliver()
    assert (report.sent, report.failed) == (2, 1)
    [failed] = [row for row in rows(db) if row.status == "failed"]
    assert failed.recipient == "gone@example.com" and "550 No such user here" in failed.last_error


def test_a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(db, smtp, clock):
    queue(db)
    claimed = outbox.claim_next(db, now=clock.now, worker="host-a:1", lease=timedelta(minutes=5))
    assert claimed is not None and claimed.status == "sending"
    assert outbox.claim_next(db, now=clock.now, worker="host-b:2") is None
    clock.advance(minutes=6)  # host-a died with the message in flight
    again = outbox.claim_next(db, now=clock.now, worker="host-b:2")
    assert again.id == claimed.id and again.attempts == 2 and again.message_id == claimed.message_id


def test_starttls_with_a_password_over_a_self_signed_certificate(db, tmp_path):
    with MailServer(tls_dir=tmp_path / "tls", username="academy", password="p@ss:word/1") as server:
        # The URL carries the password percent-encoded, as ACADEMY_SMTP_URL must.
        server_url = server.url.replace("p@ss:word/1", urllib.parse.quote("p@ss:word/1", safe=""))
        queue(db)
        transport = SmtpTransport(parse_smtp_url(server_url))
        report = outbox.Sender(session=db, transport=transport, mail_from="no-reply@academy.example").deliver()
        assert report.sent == 1, report
        assert len(server.received) == 1


def test_a_wrong_password_leaves_the_message_queued_with_the_reason(db, tmp_path):
    with MailServer(tls_dir=tmp_path / "tls", username="academy", password="right") as server:
        queue(db)
        url = server.url.replace("academy:right@", "academy:wrong@")
        report = outbox.Sender(session=db, transport=SmtpTransport(parse_smtp_url(url)),
                               mail_from="no-reply@academy.example").deliver()
        assert report.sent == 0 and "refused the user name or password" in report.unavailable
        assert statuses(db) == ["queued"] and server.received == []


def test_an_untrusted_certificate_is_refused(db, tmp_path):
    with MailServer(tls_dir=tmp_path / "tls") as server:
        queue(db)
        url = server.url.split("?")[0]  # no cafile: the self-signed certificate is not trusted
        report = outbox.Sender(session=db, transport=SmtpTransport(parse_smtp_url(url)),
                               mail_from="no-reply@academy.example").deliver()
        assert report.sent == 0 and "CERTIFICATE_VERIFY_FAILED" in report.unavailable
        assert server.received == []


def test_two_senders_at_once_never_deliver_the_same_message_twice(app, db, smtp):
    """Run on PostgreSQL too (ACADEMY_TEST_DATABASE_URL): there the claim is FOR UPDATE SKIP LOCKED."""
    queue(db, 30)
    smtp.handler.stall = 0.01  # keep both senders busy at the same time
    start = threading.Barrier(2)
    reports: list[outbox.Report] = []

    def run(name: str) -> None:
        with session_scope(app) as session:
            one = outbox.Sender(session=session, transport=SmtpTransport(parse_smtp_url(smtp.url)),
                                mail_from="no-reply@academy.example", worker=name)
            start.wait()
            reports.append(one.deliver())

    threads = [threading.Thread(target=run, args=(f"host-{n}:1",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    ids = [r.message_id for r in smtp.received]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert sum(r.sent for r in reports) == 30
    assert statuses(db) == ["sent"] * 30


@pytest.mark.parametrize("address", ["not an address", "a@@example.com"])
def test_a_message_that_cannot_be_built_fails_and_the_others_still_go(db, smtp, address):
    queue(db, to=address)
    queue(db, 1)
    report = sender(db, smtp).deliver()
    assert (report.sent, report.failed) == (1, 1)
    [broken] = [row for row in rows(db) if row.status == "failed"]
    assert broken.recipient == address and "could not build the message" in broken.last_error


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # it is TLS; aiosmtpd cannot tell
def test_smtps_delivers_over_tls_from_the_first_byte_with_a_password(db, tmp_path):
    with MailServer(tls_dir=tmp_path / "tls", implicit_tls=True, username="academy", password="secret") as server:
        assert server.url.startswith("smtps://")
        queue(db)
        report = outbox.Sender(session=db, transport=SmtpTransport(parse_smtp_url(server.url)),
                               mail_from="no-reply@academy.example").deliver()
        assert report.sent == 1, report
        assert len(server.received) == 1


# --- without ACADEMY_SMTP_URL: the console ---------------------------------------------------------------

def test_without_an_smtp_url_the_worker_prints_each_message_once_and_leaves_it_queued(runner, db):
    queue(db, 2)
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        # --parent-pid of a process that is not our parent: the worker stops by itself after a second.
        result = runner.invoke(args=["mail", "work", "--interval", "0.2", "--parent-pid", "-1"])
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    assert result.exit_code == 0, result.output
    assert "ACADEMY_SMTP_URL is not set" in result.output
    assert result.output.count("Subject: Your certificate 0") == 1  # printed once, not at every pass
    assert result.output.count("Subject: Your certificate 1") == 1
    assert "To: eleni@example.com" in result.output and "CODE-1" in result.output
    assert statuses(db) == ["queued", "queued"]  # still in the outbox, for the admin page and a later SMTP


def test_in_debug_without_an_smtp_url_enqueue_logs_the_text(app, db, caplog):
    app.debug = True
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        queue(db)
    assert "Subject: Your certificate 0" in caplog.text and "CODE-0" in caplog.text
