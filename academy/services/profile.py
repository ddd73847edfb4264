"""A person's own account: correcting their name and joining an organisation after sign-up.

The name is printed on certificates, so a correction reissues each certificate that carries the old
name (new code, the old one revoked as "Reissued" and pointing to its replacement), all in one unit
of work with an audit entry per change: a verifier who scans an old code learns where the new one is.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.models import Certificate, User

from . import audit, certificates
from .accounts import find_organisation_by_code
from .actors import OPERATOR, Actor
from .errors import Conflict, InvalidInput, NotFound

MAX_NAME = 200
NAME_REASON = "Name corrected by the holder"


def change_name(session: Session, user_id: int, name: str, *, actor: Actor = OPERATOR) -> list[Certificate]:
    """Set the user's name; reissue their live, unrevoked certificates under it. Commits.

    Returns the new certificates (empty when none carried the old name).
    """
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        message = f"Enter your name as it should appear on certificates (at most {MAX_NAME} characters)."
        raise InvalidInput(message, {"name": [message]})
    begin_write(session)
    user = _user(session, user_id)
    if user.name == name:
        return []
    previous, user.name = user.name, name
    audit.record(session, "user.name_changed", actor=actor.as_user(user), target=f"user:{user.id}",
                 detail={"from": previous, "to": name})
    held = session.scalars(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None),
        Certificate.holder_name != name).with_for_update()).all()
    reissued = [certificates.replace_certificate(session, old, holder_name=name, reason=NAME_REASON,
                                                 actor=actor.as_user(user)) for old in held]
    session.commit()
    return reissued


def join_organisation(session: Session, user_id: int, code: str, *, actor: Actor = OPERATOR) -> User:
    """Join the organisation whose join code this is (a learner who skipped it at sign-up). Commits.

    Moving from one organisation to another is an admin's decision, so a member is refused.
    """
    begin_write(session)
    user = _user(session, user_id)
    if user.organisation_id is not None:
        raise Conflict("You already belong to an organisation. Ask an administrator to move you to another one.")
    organisation = find_organisation_by_code(session, code or "")
    if organisation is None:
        message = "That organisation code is not recognised. Check it with your manager."
        raise InvalidInput(message, {"join_code": [message]})
    user.organisation_id = organisation.id
    audit.record(session, "user.joined_organisation", actor=actor.as_user(user), target=f"user:{user.id}",
                 detail={"organisation": organisation.name})
    session.commit()
    return user


def _user(session: Session, user_id: int) -> User:
    user = session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("There is no such account.")
    return user
