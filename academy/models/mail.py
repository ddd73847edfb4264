"""The outbox: every email the site sends, written in the transaction of the event that causes it.

A message is queued by :func:`academy.services.mail.enqueue` and delivered by a sender
(``flask mail send`` / ``flask mail work``) on any host. ``(recipient, kind, key)`` is unique, so
the same event or reminder period can never queue a second copy. A sender claims a row before
sending it (status ``sending`` with a lease); a claim whose lease has run out (its sender died) is
taken again, and the message keeps its Message-ID, so a repeat is recognisable as the same message.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One email, rendered when queued, with its delivery state."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("recipient", "kind", "key", name="uq_outbox_messages_recipient_kind_key"),
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased address the message goes to.
    recipient: Mapped[str] = mapped_column(String(254))
    #: The display name in the To header.
    recipient_name: Mapped[str] = mapped_column(String(200))
    #: The account it is for, when there is one (invitations go to people without an account).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: What kind of mail, e.g. "certificate-issued", "password-reset", "certificate-expiring".
    kind: Mapped[str] = mapped_column(String(50))
    #: Dedup key within (recipient, kind), e.g. "certificate-expiring:12:30".
    key: Mapped[str] = mapped_column(String(200))
    #: A reminder the recipient may turn off (security mail never is one).
    reminder: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    #: RFC 5322 Message-ID, fixed when queued: a repeated delivery carries the same one.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    #: Where List-Unsubscribe points (the preferences page); None for security mail.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    #: A :class:`MailStatus` value.
    status: Mapped[str] = mapped_column(String(20), default=MailStatus.QUEUED.value)
    #: Delivery attempts so far (each claim counts one).
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not to be tried before this (back-off after a temporary failure).
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: While status is "sending": the claim is the claimer's until then, and anyone's after.
    claimed_until: Mapped[datetime | None]
    #: Who claimed it (host:pid), for the admin page and the logs.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    #: The SMTP server's answer, or why it could not be reached, on the last failed attempt.
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class MailPreference(Base):
    """A person's choice about reminder mail (absent row: reminders on)."""

    __tablename__ = "mail_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: False once the person has turned reminders off (List-Unsubscribe or the preferences page).
    reminders: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
