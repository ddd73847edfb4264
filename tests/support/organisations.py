"""Shortcuts for organisation tests: an organisation with a manager, invitation links read from the outbox."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.models import OrganisationManager, OutboxMessage
from academy.services import accounts

INVITE_LINK = re.compile(r"https?://[^\s\"<>]+/invitations/[A-Za-z0-9_\-]+")


def make_organisation(session: Session, name: str) -> int:
    return accounts.create_organisation(session, name).id


def appoint(session: Session, organisation_id: int, user_id: int) -> None:
    """Make ``user_id`` a manager directly (the admin's page is tested on its own)."""
    session.add(OrganisationManager(organisation_id=organisation_id, user_id=user_id))
    session.commit()


def outbox(session: Session, *, kind: str | None = None, to: str | None = None) -> list[OutboxMessage]:
    session.rollback()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    if to:
        stmt = stmt.where(OutboxMessage.recipient == to)
    return list(session.scalars(stmt))


def invitation_link(session: Session, email: str) -> str:
    """The link in the latest invitation email to ``email``."""
    message = outbox(session, kind="invitation", to=email)[-1]
    match = INVITE_LINK.search(message.text_body)
    assert match, message.text_body
    return match.group(0)
