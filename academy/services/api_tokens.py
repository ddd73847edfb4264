"""API tokens: created and revoked by admins, checked on every API request.

A token is ``mima_`` followed by 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored: a stolen database gives no working token. The full token is returned once, by
:func:`create`, for the admin to copy.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from academy.models import ApiToken, Role, utcnow

from . import audit
from .accounts import hash_token
from .actors import Actor
from .errors import InvalidInput, NotFound

TOKEN_PREFIX = "mima_"  # noqa: S105 (a public marker that tells tokens apart from other secrets)
READ_SCOPE = "read"
#: ``last_used_at`` is refreshed no more often than this.
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class Check:
    """The outcome of checking a presented token: the token row, or why it was refused."""

    token: ApiToken | None
    problem: str | None = None


def create(session: Session, name: str, *, actor: Actor) -> tuple[ApiToken, str]:
    """A new read-only token named ``name``; returns the row and the secret (shown once). Commits."""
    name = name.strip()
    if not name or len(name) > 100:
        message = "Give the token a name of at most 100 characters, e.g. what will use it."
        raise InvalidInput(message, {"name": [message]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=hash_token(secret), prefix=secret[:12], scope=READ_SCOPE,
                     created_by_id=actor.user_id)
    session.add(token)
    session.flush()
    audit.record(session, "api_token.created", actor=actor, target=f"api_token:{token.id}",
                 detail={"name": name, "scope": READ_SCOPE})
    session.commit()
    return token, secret


def revoke(session: Session, token_id: int, *, actor: Actor) -> ApiToken:
    """Revoke a token for good; revoking twice changes nothing. Commits."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("There is no API token with that id.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by_id = actor.user_id
        audit.record(session, "api_token.revoked", actor=actor, target=f"api_token:{token.id}",
                     detail={"name": token.name})
        session.commit()
    return token


def all_tokens(session: Session) -> list[ApiToken]:
    """Every token, live ones first, newest first."""
    return list(session.scalars(select(ApiToken).options(joinedload(ApiToken.created_by))
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                          ApiToken.id.desc())))


def check(session: Session, presented: str) -> Check:
    """The live token matching ``presented``, or the reason it is refused. Commits a usage stamp."""
    if not presented or len(presented) > MAX_TOKEN_LENGTH:
        return Check(None, "The API token is not valid.")
    token = session.scalar(select(ApiToken).options(joinedload(ApiToken.created_by))
                           .where(ApiToken.token_hash == hash_token(presented)))
    if token is None:
        return Check(None, "The API token is not valid.")
    if token.revoked_at is not None:
        return Check(None, "This API token has been revoked. Ask an administrator for a new one.")
    # A token acts with its creator's rights, checked now: a demoted or deactivated admin's
    # tokens stop answering at once (and answer again if the rights come back).
    creator = token.created_by
    if creator is None or not creator.is_active or creator.role != Role.ADMIN:
        return Check(None, "The administrator who created this API token no longer has the rights it needs. "
                           "Ask a current administrator for a new one.")
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
    return Check(token)
