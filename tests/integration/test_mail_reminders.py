"""Certificate mail: "issued" in the issuing transaction; expiry reminders queued once per period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from academy.models import Certificate, OutboxMessage, utcnow
from academy.services import certificates, mail, reminders
from tests.support import certification as course_support


@pytest.fixture
def course(app, runner, content_dir, db):
    course_support.publish(runner, content_dir)
    return course_support.ids(db)


@pytest.fixture
def certified(make_user, course, db):
    """Eleni, certified in the course; returns her certificate."""
    user = make_user(name="Eleni Papadopoulou", email="eleni@example.com")
    course_support.enrol(db, user.id, course.course_id)
    course_support.complete_course(db, user.id, course)
    course_support.begin(db)
    certificate = certificates.issue_if_due(db, user.id, course.course_id)
    db.commit()
    return certificate


def outbox(db, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.scalars(query))


def expire_in(db, certificate: Certificate, delta: timedelta) -> None:
    db.execute(update(Certificate).where(Certificate.id == certificate.id).values(expires_at=utcnow() + delta))
    db.commit()


def test_issuing_a_certificate_queues_its_email_with_the_verification_link(db, certified):
    [message] = outbox(db, "certificate-issued")
    assert message.recipient == "eleni@example.com"
    assert message.subject == f"Your certificate: {course_support.CERTIFICATE_TITLE}"
    assert f"http://localhost/verify/{certified.code}" in message.text_body
    issued = certified.issued_at
    assert f"issued on {issued.day} {issued:%B %Y}" in message.text_body  # a date in words


def test_no_email_when_the_issuing_transaction_rolls_back(db, make_user, course):
    user = make_user(email="kofi@example.com")
    course_support.enrol(db, user.id, course.course_id)
    course_support.complete_course(db, user.id, course)
    course_support.begin(db)
    assert certificates.issue_if_due(db, user.id, course.course_id) is not None
    db.rollback()
    assert outbox(db) == []


@pytest.mark.parametrize(("left", "period"), [(timedelta(days=80), 90), (timedelta(days=20), 30),
                                               (timedelta(days=3), 7)])
def test_an_expiring_certificate_gets_the_reminder_of_its_period(db, certified, left, period):
    expire_in(db, certified, left)
    assert reminders.scan(db, utcnow()) == 1
    [message] = outbox(db, "certificate-expiring")
    assert message.key == f"certificate:{certified.id}:{period}"
    assert f"in {period} days" in message.subject
    expires = utcnow() + left
    assert f"expires on {expires.day} {expires:%B %Y}" in message.text_body
    assert message.unsubscribe_url and message.reminder


def test_running_the_scan_twice_queues_nothing_new(db, certified):
    expire_in(db, certified, timedelta(days=25))
    assert reminders.scan(db, utcnow()) == 1
    assert reminders.scan(db, utcnow()) == 0
    assert len(outbox(db, "certificate-expiring")) == 1


def test_a_repeated_scan_reads_the_outbox_once_not_once_per_certificate(db, certified, make_user, course, app):
    for n in range(3):
        user = make_user(email=f"learner{n}@example.com")
        course_support.enrol(db, user.id, course.course_id)
        course_support.complete_course(db, user.id, course)
        course_support.begin(db)
        certificates.issue_if_due(db, user.id, course.course_id)
        db.commit()
    db.execute(update(Certificate).values(expires_at=utcnow() + timedelta(days=20)))
    db.commit()
    assert reminders.certificate_expiry_reminders(db, utcnow()) == 4
    db.commit()
    statements: list[str] = []
    engine = db.get_bind()
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert reminders.certificate_expiry_reminders(db, utcnow()) == 0
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert sum("outbox_messages" in s for s in statements) == 1
    assert sum("mail_preferences" in s for s in statements) == 1


def test_each_period_is_announced_once_as_the_date_nears_then_the_expiry(db, certified):
    expires = utcnow() + timedelta(days=100)
    db.execute(update(Certificate).where(Certificate.id == certified.id).values(expires_at=expires))
    db.commit()
    for days_before in (120, 89, 60, 29, 10, 6, 1):
        reminders.scan(db, expires - timedelta(days=days_before))
    reminders.scan(db, expires + timedelta(days=1))
    reminders.scan(db, expires + timedelta(days=2))
    assert [m.key for m in outbox(db, "certificate-expiring")] == [
        f"certificate:{certified.id}:{days}" for days in (90, 30, 7)]
    assert len(outbox(db, "certificate-expired")) == 1


def test_no_reminders_for_revoked_or_renewed_certificates_or_long_expired_ones(db, certified):
    expire_in(db, certified, -timedelta(days=200))
    assert reminders.scan(db, utcnow()) == 0
    expire_in(db, certified, timedelta(days=5))
    db.execute(update(Certificate).where(Certificate.id == certified.id).values(revoked_at=utcnow()))
    db.commit()
    assert reminders.scan(db, utcnow()) == 0


def test_no_reminders_for_someone_who_turned_them_off(db, certified):
    mail.set_reminders(db, certified.user_id, False)
    expire_in(db, certified, timedelta(days=5))
    assert reminders.scan(db, utcnow()) == 0
