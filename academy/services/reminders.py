"""Reminder scans: find what is due and queue mail for it, each reminder once.

A scanner is ``scanner(session, now) -> int`` (messages queued). It may run any number of times,
on any number of hosts at once: every message it queues has a key naming its period (e.g. the
30-day reminder of certificate 12), and the outbox refuses a second (recipient, kind, key), so a
repeated scan queues nothing new. :func:`scan` runs each scanner in :data:`SCANNERS` and commits
after each, so one scanner's failure does not undo another's work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from academy.domain.mail import EXPIRED_NOTICE_WINDOW, EXPIRY_REMINDER_DAYS, expired_notice_due, expiry_reminder_due
from academy.models import Certificate, User

from . import assignment_reminders, mail

log = logging.getLogger(__name__)

Scanner = Callable[[Session, datetime], int]


def _reminder_candidates(session: Session, now: datetime) -> list[Certificate]:
    """Live, unrevoked certificates of active accounts whose expiry is within reach of a reminder."""
    horizon = now + timedelta(days=max(EXPIRY_REMINDER_DAYS))
    return list(session.scalars(
        select(Certificate).join(Certificate.user).options(joinedload(Certificate.user))
        .where(Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None),
               Certificate.expires_at.is_not(None), Certificate.expires_at > now - EXPIRED_NOTICE_WINDOW,
               Certificate.expires_at <= horizon, User.active.is_(True))
        .order_by(Certificate.id)))


def certificate_expiry_reminders(session: Session, now: datetime) -> int:
    """Queue "expires in 90/30/7 days" and "has expired" mail for live certificates."""
    queued = 0
    known = mail.Queued.load(session, "certificate-expiring", "certificate-expired")
    for certificate in _reminder_candidates(session, now):
        context = {"certificate": certificate, "code": certificate.code, "title": certificate.title,
                   "course_title": certificate.course_title, "expires_at": certificate.expires_at}
        days = expiry_reminder_due(certificate.expires_at, now)
        if days is not None:
            queued += mail.enqueue(
                session, to_email=certificate.user.email, to_name=certificate.user.name,
                user_id=certificate.user_id, kind="certificate-expiring", key=f"certificate:{certificate.id}:{days}",
                template="certificate_expiring", context=context | {"days": days}, reminder=True,
                subject=f"Your certificate {certificate.title} expires in {days} days", known=known)
        elif expired_notice_due(certificate.expires_at, now):
            queued += mail.enqueue(
                session, to_email=certificate.user.email, to_name=certificate.user.name,
                user_id=certificate.user_id, kind="certificate-expired", key=f"certificate:{certificate.id}",
                template="certificate_expired", context=context, reminder=True,
                subject=f"Your certificate {certificate.title} has expired", known=known)
    return queued


#: Every scan, in order. Other areas add theirs here (assignment reminders, manager digests).
SCANNERS: list[Scanner] = [certificate_expiry_reminders, assignment_reminders.assignment_notices,
                           assignment_reminders.learner_reminders, assignment_reminders.manager_digests]


def scan(session: Session, now: datetime) -> int:
    """Run every scanner once; returns how many messages were queued. Commits after each scanner."""
    total = 0
    for scanner in SCANNERS:
        try:
            total += scanner(session, now)
            session.commit()
        except Exception:
            session.rollback()
            log.exception("reminder scan %s failed; the others still ran", scanner.__name__)
    return total
