"""Delivering the outbox: claim a message, send it, record what happened; on any number of hosts.

Claiming is what keeps two senders from sending the same message. A claim is one short write
transaction that moves a due row from ``queued`` to ``sending`` with a lease:

- PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks a row no other sender is claiming, and
  the ``UPDATE ... WHERE status = 'queued' ...`` that follows re-checks the row, so a sender whose
  snapshot was stale claims nothing (rowcount 0) rather than a row another sender already has.
- SQLite: the claim transaction starts with ``BEGIN IMMEDIATE`` (:func:`academy.db.begin_write`),
  so claims are serialised by the database's single write lock; the same re-checking UPDATE applies.

A sender marks the row ``sent`` right after the server accepted it. If a sender dies between
the two, its lease runs out and another sender takes the row again: that one message may be
delivered twice, with the same Message-ID (fixed when queued), and no message is ever lost.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import MessageError

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.domain.mail import MAX_ATTEMPTS, Outgoing, backoff, build_message, console_text
from academy.models import MailStatus, OutboxMessage, utcnow
from academy.smtp import PermanentRefusal, ServerUnavailable, SmtpTransport, TemporaryRefusal

from . import audit, mail
from .actors import Actor
from .errors import Conflict, NotFound

log = logging.getLogger(__name__)

#: How long a claim is the claimer's; a sender that died is replaced after this.
DEFAULT_LEASE = timedelta(minutes=5)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claimable(now: datetime):
    return or_(and_(OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
               and_(OutboxMessage.status == MailStatus.SENDING, OutboxMessage.claimed_until < now))


def claim_next(session: Session, *, now: datetime, worker: str, lease: timedelta = DEFAULT_LEASE,
               ) -> OutboxMessage | None:
    """Claim the next due message for ``worker`` (or None when nothing is due). Commits."""
    begin_write(session)
    candidate = session.scalar(select(OutboxMessage.id).where(_claimable(now))
                               .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                               .limit(1).with_for_update(skip_locked=True))
    if candidate is None:
        session.commit()
        return None
    claimed = session.execute(
        update(OutboxMessage).where(OutboxMessage.id == candidate, _claimable(now))
        .values(status=MailStatus.SENDING.value, claimed_until=now + lease, claimed_by=worker,
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    if claimed.rowcount != 1:
        return None  # another sender took it between our look and our claim
    message = session.get(OutboxMessage, candidate, populate_existing=True)
    session.commit()  # hold no transaction open while the SMTP server takes its time
    return message


def _finish(session: Session, message_id: int, worker: str, **values) -> None:
    begin_write(session)
    session.execute(update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.SENDING,
                           OutboxMessage.claimed_by == worker)
                    .values(claimed_until=None, **values)
                    .execution_options(synchronize_session=False))
    session.commit()


def mark_sent(session: Session, message: OutboxMessage, worker: str, now: datetime) -> None:
    redact = {"text_body": mail.REDACTED, "html_body": f"<p>{mail.REDACTED}</p>"} \
        if message.kind in mail.SECRET_KINDS else {}
    _finish(session, message.id, worker, status=MailStatus.SENT.value, sent_at=now, last_error=None, **redact)


def mark_failed(session: Session, message: OutboxMessage, worker: str, error: str) -> None:
    _finish(session, message.id, worker, status=MailStatus.FAILED.value, last_error=error[:2000])


def mark_retry(session: Session, message: OutboxMessage, worker: str, error: str, now: datetime,
               backoff_for: Callable[[int], timedelta] = backoff) -> None:
    """Put the message back in the queue, due after the back-off; failed after MAX_ATTEMPTS."""
    if message.attempts >= MAX_ATTEMPTS:
        mark_failed(session, message, worker, f"gave up after {message.attempts} attempts: {error}")
        return
    _finish(session, message.id, worker, status=MailStatus.QUEUED.value, last_error=error[:2000],
            next_attempt_at=now + backoff_for(message.attempts))


def outgoing(message: OutboxMessage, sender: str) -> Outgoing:
    return Outgoing(sender=sender, recipient=message.recipient, recipient_name=message.recipient_name,
                    subject=message.subject, text=message.text_body, html=message.html_body,
                    message_id=message.message_id, date=message.created_at, unsubscribe_url=message.unsubscribe_url)


@dataclass
class Report:
    """What one delivery pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    #: Set when the pass stopped because the server could not be reached.
    unavailable: str | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Sender:
    """Delivers due outbox messages over one SMTP transport."""

    session: Session
    transport: SmtpTransport
    mail_from: str
    worker: str = field(default_factory=worker_name)
    lease: timedelta = DEFAULT_LEASE
    clock: Callable[[], datetime] = utcnow
    backoff_for: Callable[[int], timedelta] = backoff
    #: Called before each message is sent (tests use it to stop a sender mid-batch).
    before_send: Callable[[OutboxMessage], None] | None = None

    def deliver(self, limit: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> Report:
        """Send what is due, one message at a time, until none is due, ``limit`` or ``should_stop``."""
        report = Report()
        try:
            while (limit is None or report.sent + report.failed + report.retrying < limit) and not should_stop():
                message = claim_next(self.session, now=self.clock(), worker=self.worker, lease=self.lease)
                if message is None:
                    break
                if not self._deliver_one(message, report):
                    break
        finally:
            self.transport.close()
        return report

    def _deliver_one(self, message: OutboxMessage, report: Report) -> bool:
        """Send one claimed message; False when the server is unavailable (stop the pass)."""
        if self.before_send is not None:
            self.before_send(message)
        try:
            email = build_message(outgoing(message, self.mail_from))
        except (ValueError, TypeError, MessageError) as exc:  # e.g. an address no header can hold: never goes
            mark_failed(self.session, message, self.worker, f"could not build the message: {exc}")
            report.failed += 1
            report.errors.append(f"message {message.id}: {exc}")
            return True
        try:
            self.transport.send(email, sender=_address(self.mail_from), recipient=message.recipient)
        except ServerUnavailable as exc:
            mark_retry(self.session, message, self.worker, str(exc), self.clock(), self.backoff_for)
            report.retrying += 1
            report.unavailable = str(exc)
            log.warning("mail server unavailable, message %s waits: %s", message.id, exc)
            return False
        except TemporaryRefusal as exc:
            mark_retry(self.session, message, self.worker, str(exc), self.clock(), self.backoff_for)
            report.retrying += 1
            report.errors.append(f"message {message.id}: {exc}")
        except PermanentRefusal as exc:
            mark_failed(self.session, message, self.worker, str(exc))
            report.failed += 1
            report.errors.append(f"message {message.id}: {exc}")
            log.warning("mail message %s to %s failed: %s", message.id, message.recipient, exc)
        else:
            mark_sent(self.session, message, self.worker, self.clock())
            report.sent += 1
        return True


def _address(mail_from: str) -> str:
    from email.utils import parseaddr
    return parseaddr(mail_from)[1] or mail_from


# --- without an SMTP server: the console ---------------------------------------------------------------

def console_pass(session: Session, *, after_id: int, now: datetime, limit: int = 100) -> tuple[list[str], int]:
    """The text of each due queued message above ``after_id``, for the console; and the new watermark.

    Nothing changes in the outbox: the messages stay queued (an admin still reads them on the outbox
    page, and they go out once ACADEMY_SMTP_URL is set).
    """
    rows = list(session.scalars(select(OutboxMessage)
                                .where(OutboxMessage.id > after_id, OutboxMessage.status == MailStatus.QUEUED.value,
                                       OutboxMessage.next_attempt_at <= now)
                                .order_by(OutboxMessage.id).limit(limit)))
    texts = [console_text(recipient=m.recipient, subject=m.subject, text_body=m.text_body,
                          queued_at=f"{m.created_at:%Y-%m-%d %H:%M} UTC") for m in rows]
    watermark = rows[-1].id if rows else after_id
    session.rollback()  # a read: release the snapshot
    return texts, watermark


# --- what admins see and do ------------------------------------------------------------------------

PAGE_SIZE = 50


def counts(session: Session) -> dict[str, int]:
    """How many messages are in each status."""
    found = dict(session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                                 .group_by(OutboxMessage.status)).all())
    return {status.value: found.get(status.value, 0) for status in MailStatus}


def listing(session: Session, *, status: str | None = None, page: int = 1) -> tuple[list[OutboxMessage], int]:
    """One page of messages, newest first, optionally of one status; and the total."""
    query = select(OutboxMessage)
    total_query = select(func.count(OutboxMessage.id))
    if status:
        query = query.where(OutboxMessage.status == status)
        total_query = total_query.where(OutboxMessage.status == status)
    rows = session.scalars(query.order_by(OutboxMessage.id.desc())
                           .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return list(rows), session.scalar(total_query)


def get(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("There is no such message in the outbox.")
    return message


def retry(session: Session, message_id: int, *, actor: Actor) -> OutboxMessage:
    """Queue a failed message again, due now. Commits."""
    begin_write(session)
    message = get(session, message_id)
    if message.status != MailStatus.FAILED:
        raise Conflict("Only a failed message can be retried; this one is " + message.status + ".")
    message.status = MailStatus.QUEUED.value
    message.next_attempt_at = utcnow()
    message.attempts = 0
    audit.record(session, "mail.retried", actor=actor, target=f"mail:{message.id}",
                 detail={"recipient": message.recipient, "kind": message.kind, "last_error": message.last_error})
    session.commit()
    return message
