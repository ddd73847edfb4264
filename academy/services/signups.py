"""Self-service sign-up by email: the account exists only once the emailed link is followed.

:func:`request` answers the same whether or not the address has an account, and takes about the same
time (the password is checked and hashed in both cases):

- a new address gets a pending :class:`~academy.models.SignUp` (hashed single-use token, valid
  :data:`VALID_FOR`) and a "finish creating your account" email; no ``User`` row is written, so nobody
  can claim an address they cannot read mail for (no pre-hijacking);
- an address with an account gets a "someone tried to sign up with your address" email instead, and
  nothing is created.

Neither email can flood an inbox: the sign-up link is emailed at most once an hour per address (a
new submission within the hour updates the pending sign-up and the link already sent finishes it),
the notice to an owner at most once a day (outbox keys). :func:`complete` makes the account.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from academy.db import begin_write
from academy.domain import passwords
from academy.models import SignUp, User, utcnow

from . import accounts, audit, mail
from .actors import OPERATOR, Actor
from .errors import InvalidInput, NotFound

#: A sign-up link works this long.
VALID_FOR = timedelta(hours=24)
#: At most one sign-up email per address this often.
EMAIL_INTERVAL = timedelta(hours=1)
DEAD_LINK = ("This link is not valid: it may have been used already or have expired. "
             "Create your account again to get a new one.")
NOT_THE_CHOSEN_ONE = "That is not the password chosen when this account was requested."


@dataclass(frozen=True)
class Pending:
    """What the finishing page shows before the account is made."""

    email: str
    name: str
    #: True when this browser submitted the sign-up (it finishes without the password).
    same_browser: bool


def request(session: Session, *, email: str, name: str, password: str, join_code: str = "",
            next_path: str | None = None, actor: Actor = OPERATOR) -> str:
    """Start a sign-up, or tell the owner of a taken address. Commits.

    Returns a secret for the submitting browser's session (the same whichever case it was), which
    lets that browser finish without typing the password again. Raises InvalidInput for a form at
    fault; the checks never depend on whether the address is taken.
    """
    email, name = accounts.check_new_account(email=email, name=name, password=password)
    organisation_id = accounts.organisation_for_join_code(session, join_code)
    password_hash = accounts._hash_password(password)  # in both cases: the time tells nothing
    browser_secret = secrets.token_urlsafe(32)
    begin_write(session)
    now = utcnow()
    session.execute(delete(SignUp).where(SignUp.expires_at < now))
    owner = session.scalar(select(User).where(User.email == email))
    if owner is not None:
        _tell_owner(session, owner, now, actor)
        return browser_secret
    row = session.scalar(select(SignUp).where(SignUp.email == email))
    token = None
    if row is None:
        row = SignUp(email=email, created_at=now)
        session.add(row)
    if row.token_hash is None or now - row.emailed_at >= EMAIL_INTERVAL:
        token = secrets.token_urlsafe(32)
        row.token_hash, row.emailed_at, row.expires_at = accounts.hash_token(token), now, now + VALID_FOR
    # Within the hour, the latest details replace the earlier ones and the link already sent finishes.
    row.name, row.password_hash, row.organisation_id = name, password_hash, organisation_id
    row.next_path = next_path[:500] if next_path else None
    row.browser_hash = accounts.hash_token(browser_secret)
    try:
        session.flush()
    except IntegrityError:  # the same address submitted twice at once: the other one sends the link
        session.rollback()
        return browser_secret
    if token is not None:
        mail.enqueue(session, to_email=email, to_name=name, kind="signup", key=f"hour:{now:%Y-%m-%dT%H}",
                     template="signup", subject="Finish creating your MIM Academy account",
                     context={"token": token, "expires_at": row.expires_at,
                              "hours": VALID_FOR // timedelta(hours=1)})
    audit.record(session, "auth.signup_requested", actor=actor, target=f"email:{email[:100]}",
                 detail={"emailed": token is not None})
    session.commit()
    return browser_secret


def _tell_owner(session: Session, owner: User, now, actor: Actor) -> None:
    """Email the owner of a taken address (at most once a day), create nothing. Commits."""
    if owner.active:
        mail.enqueue(session, to_email=owner.email, to_name=owner.name, user_id=owner.id, kind="signup-attempt",
                     key=f"day:{now:%Y-%m-%d}", template="signup_attempt",
                     subject="Someone tried to create a MIM Academy account with your address", context={})
    audit.record(session, "auth.signup_existing", actor=actor, target=f"user:{owner.id}")
    session.commit()


def _live(session: Session, token: str) -> SignUp:
    row = None
    if token and len(token) <= 100:
        row = session.scalar(select(SignUp).where(SignUp.token_hash == accounts.hash_token(token)))
    if row is None or row.expires_at < utcnow():
        raise NotFound(DEAD_LINK)
    return row


def _same_browser(row: SignUp, browser_secret: str | None) -> bool:
    return bool(browser_secret) and hmac.compare_digest(row.browser_hash, accounts.hash_token(browser_secret))


def pending(session: Session, token: str, browser_secret: str | None) -> Pending:
    """The sign-up a link finishes, or NotFound with a sentence for the visitor."""
    row = _live(session, token)
    return Pending(email=row.email, name=row.name, same_browser=_same_browser(row, browser_secret))


def complete(session: Session, token: str, *, browser_secret: str | None, password: str = "",
             actor: Actor = OPERATOR) -> tuple[User, str | None]:
    """Make the account a sign-up link stands for; returns it and the path to land on. Commits.

    From the browser that signed up, the link alone is enough; from any other, the password chosen
    at sign-up must be typed too. The link dies with its first use; if the address has meanwhile got
    an account (an invitation, say), nothing is made and the link says so.
    """
    row = _live(session, token)
    if not _same_browser(row, browser_secret) and not (
            password and check_password_hash(row.password_hash, passwords.normalise(password))):
        raise InvalidInput(NOT_THE_CHOSEN_ONE, {"password": [NOT_THE_CHOSEN_ONE]})
    email, name, password_hash = row.email, row.name, row.password_hash
    organisation_id, next_path, row_id, token_hash = row.organisation_id, row.next_path, row.id, row.token_hash
    begin_write(session)
    # Claim the link first so two clicks racing with it cannot both make an account.
    claimed = session.execute(delete(SignUp).where(SignUp.id == row_id, SignUp.token_hash == token_hash)
                              .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        session.rollback()
        raise NotFound(DEAD_LINK)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        session.commit()  # the link is spent either way
        raise NotFound("An account with this address exists already: sign in with it, or reset its password.")
    user = accounts.add_user(session, email=email, name=name, password_hash=password_hash,
                             organisation_id=organisation_id, actor=actor)
    session.commit()
    return user, next_path
