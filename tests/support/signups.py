"""Reading a sign-up's emailed link from the outbox, for tests that sign up through the form."""

from __future__ import annotations

import re
import urllib.parse

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.models import OutboxMessage

LINK_RE = re.compile(r"https?://[^\s]+/register/[A-Za-z0-9_-]+")


def signup_link(session: Session, email: str) -> str:
    """The path of the newest "finish creating your account" link queued for ``email``."""
    session.rollback()  # see what the site has committed since this session last read
    body = session.scalar(select(OutboxMessage.text_body)
                          .where(OutboxMessage.recipient == email.strip().lower(), OutboxMessage.kind == "signup")
                          .order_by(OutboxMessage.id.desc()).limit(1))
    assert body is not None, f"no sign-up email queued for {email}"
    return urllib.parse.urlsplit(LINK_RE.search(body).group(0)).path
