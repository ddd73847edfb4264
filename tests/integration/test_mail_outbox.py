"""Queuing mail: one outbox row per (recipient, kind, key), rendered when queued, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import func, select

from academy.db import session_scope
from academy.models import OutboxMessage
from academy.services import mail


def queue(db, **overrides) -> bool:
    arguments = {
        "to_email": "Eleni@Example.com", "to_name": "Eleni Papadopoulou", "kind": "certificate-issued",
        "key": "certificate:1", "template": "certificate_issued", "subject": "Your certificate",
        "context": {"title": "Certified MIM Practitioner", "course_title": "Major Incident Management",
                    "code": "7KQ2-M9XD-4HWT-B8NC-R3VJ", "issued_at": None, "expires_at": None},
    } | overrides
    return mail.enqueue(db, **arguments)


def count(db) -> int:
    return db.scalar(select(func.count(OutboxMessage.id)))


def test_enqueue_stores_the_rendered_message_with_a_message_id(db):
    assert queue(db) is True
    db.commit()
    message = db.scalars(select(OutboxMessage)).one()
    assert message.recipient == "eleni@example.com"
    assert message.status == "queued" and message.attempts == 0
    assert message.message_id.startswith("<") and message.message_id.endswith("@localhost>")
    assert "Hello Eleni Papadopoulou" in message.text_body
    assert "http://localhost/verify/7KQ2-M9XD-4HWT-B8NC-R3VJ" in message.text_body
    assert 'href="http://localhost/verify/7KQ2-M9XD-4HWT-B8NC-R3VJ"' in message.html_body
    assert message.unsubscribe_url is None  # not a reminder


def test_the_same_recipient_kind_and_key_is_queued_once(db):
    assert queue(db) is True
    assert queue(db, to_email="eleni@example.com") is False
    assert queue(db, key="certificate:2") is True
    assert queue(db, to_email="someone@example.com") is True
    db.commit()
    assert count(db) == 3


def test_a_racing_duplicate_is_refused_by_the_database_and_the_transaction_goes_on(app, db, monkeypatch):
    assert queue(db) is True
    db.commit()
    # Two scans racing both find no row before either commits: only the unique constraint stops the
    # second, and enqueue must then answer False without spoiling the caller's transaction.
    monkeypatch.setattr(mail, "_exists", lambda *args: False)
    with session_scope(app) as other:
        assert queue(other) is False
        assert queue(other, key="certificate:2") is True
        other.commit()
    assert count(db) == 2


def test_nothing_is_queued_when_the_caller_rolls_back(db):
    assert queue(db) is True
    db.rollback()
    assert count(db) == 0


def test_html_escapes_what_the_context_carries(db):
    queue(db, context={"title": "<script>alert(1)</script>", "course_title": "A & B", "code": "X",
                       "issued_at": None, "expires_at": None})
    db.commit()
    message = db.scalars(select(OutboxMessage)).one()
    assert "<script>" not in message.html_body and "&lt;script&gt;" in message.html_body
    assert "<script>alert(1)</script>" in message.text_body  # plain text is not HTML


def test_reminders_are_not_queued_for_someone_who_turned_them_off(db, make_user):
    user = make_user(email="eleni@example.com")
    mail.set_reminders(db, user.id, False)
    assert queue(db, reminder=True, kind="certificate-expiring") is False
    assert queue(db, reminder=False, kind="password-reset") is True  # security mail always goes
    db.commit()
    assert db.scalars(select(OutboxMessage.kind)).all() == ["password-reset"]


def test_a_reminder_carries_the_preferences_link(db, make_user):
    user = make_user(email="eleni@example.com")
    assert queue(db, reminder=True, kind="certificate-expiring") is True
    db.commit()
    message = db.scalars(select(OutboxMessage)).one()
    assert message.user_id == user.id
    assert message.unsubscribe_url.startswith("http://localhost/mail/preferences/")
    assert message.unsubscribe_url in message.text_body


def test_line_breaks_in_a_subject_or_name_cannot_forge_headers(db):
    queue(db, subject="Your certificate\r\nBcc: victim@example.com", to_name="Eleni\nBcc: x@example.com")
    db.commit()
    message = db.scalars(select(OutboxMessage)).one()
    assert message.subject == "Your certificate Bcc: victim@example.com"
    assert message.recipient_name == "Eleni Bcc: x@example.com"
