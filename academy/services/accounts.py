"""Accounts: registration, sign-in sessions, passwords, first-admin setup and reset links."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from academy.db import begin_write
from academy.domain import names, passwords
from academy.models import LoginSession, OneTimeToken, Organisation, Role, User, utcnow

from . import audit, mail
from .actors import OPERATOR, Actor
from .errors import Conflict, InvalidInput, NotFound
from .login_cache import FORGET, LoginSessionCache

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
TOKEN_TTL = timedelta(hours=24)
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: Hash compared when the email is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


def hash_token(token: str) -> str:
    """What is stored for a secret token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def new_join_code() -> str:
    return "-".join("".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(4)) for _ in range(2))


def _check_password(password: str, *, email: str, name: str, field: str = "password") -> None:
    found = passwords.problems(password, email=email, name=name)
    if found:
        raise InvalidInput(found[0], {field: found})


def _hash_password(password: str) -> str:
    return generate_password_hash(passwords.normalise(password))


def find_organisation_by_code(session: Session, code: str) -> Organisation | None:
    cleaned = code.strip().upper().replace(" ", "")
    if "-" not in cleaned and len(cleaned) == 8:
        cleaned = f"{cleaned[:4]}-{cleaned[4:]}"
    return session.scalar(select(Organisation).where(Organisation.join_code == cleaned))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str = Role.LEARNER,
    organisation_id: int | None = None,
    actor: Actor = OPERATOR,
    commit: bool = True,
) -> User:
    """Create an account after checking every rule; commits unless ``commit`` is False (the caller's unit of work)."""
    email, name = check_new_account(email=email, name=name, password=password, role=role)
    password_hash = _hash_password(password)  # slow by design: before the write lock is taken
    user = add_user(session, email=email, name=name, password_hash=password_hash, role=role,
                    organisation_id=organisation_id, actor=actor)
    if commit:
        session.commit()
    return user


def check_new_account(*, email: str, name: str, password: str, role: str = Role.LEARNER) -> tuple[str, str]:
    """The normalised (email, name) of a new account, or InvalidInput naming every field at fault.

    The same answer whether or not the address is taken (registration must not tell).
    """
    email = normalise_email(email)
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = ["Enter an email address like name@example.com."]
    if not name or len(name) > 200:
        errors["name"] = ["Enter your name (at most 200 characters)."]
    elif names.has_bidi_controls(name):
        errors["name"] = [names.MESSAGE]
    if role not in {r.value for r in Role}:
        errors["role"] = ["Choose learner, instructor or admin."]
    pw_problems = passwords.problems(password, email=email, name=name)
    if pw_problems:
        errors["password"] = pw_problems
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors)
    return email, name


def add_user(session: Session, *, email: str, name: str, password_hash: str, role: str = Role.LEARNER,
             organisation_id: int | None = None, actor: Actor = OPERATOR) -> User:
    """Insert a checked account and its audit record; Conflict if the address is taken. No commit."""
    begin_write(session)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("An account with this email address already exists.")
    user = User(email=email, name=name, password_hash=password_hash, role=str(role),
                organisation_id=organisation_id)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # two registrations racing for the same address
        session.rollback()
        raise Conflict("An account with this email address already exists.") from exc
    audit.record(session, "user.created", actor=actor if actor.user_id else actor.as_user(user),
                 target=f"user:{user.id}", detail={"role": str(role), "email": email})
    return user


def organisation_for_join_code(session: Session, join_code: str) -> int | None:
    """The id of the organisation a typed join code names (None for no code), or InvalidInput."""
    if not join_code.strip():
        return None
    organisation = find_organisation_by_code(session, join_code)
    if organisation is None:
        raise InvalidInput("That organisation code is not recognised. Check it with your manager.",
                           {"join_code": ["That organisation code is not recognised."]})
    return organisation.id


def authenticate(session: Session, email: str, password: str, *, actor: Actor = OPERATOR) -> User | None:
    """The active user with these credentials, or None. Failures are audit-logged; commits."""
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email)) if len(email) <= 254 else None
    candidate = passwords.normalise(password)
    if user is None:
        check_password_hash(_DUMMY_HASH, candidate)
        ok = False
    else:
        ok = check_password_hash(user.password_hash, candidate) and user.active
    begin_write(session)
    if not ok:
        audit.record(session, "auth.sign_in_failed", actor=actor.as_user(user) if user else actor,
                     target=f"email:{email[:100]}")
        session.commit()
        return None
    user.last_login_at = utcnow()
    audit.record(session, "auth.sign_in", actor=actor.as_user(user), target=f"user:{user.id}")
    session.commit()
    return user


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


def start_login_session(session: Session, user: User, *, actor: Actor, user_agent: str | None) -> str:
    """Record a new signed-in browser for ``user``; returns the token for the cookie. Commits."""
    token = secrets.token_urlsafe(32)
    begin_write(session)
    session.add(LoginSession(token_hash=hash_token(token), user_id=user.id, ip=actor.ip,
                             user_agent=(user_agent or "")[:255]))
    session.commit()
    return token


@dataclass(frozen=True)
class LiveLogin:
    """A live login session: its id and its user (attached to the caller's database session)."""

    id: int
    user: User


def load_login_session(session: Session, token: str, policy: SessionPolicy,
                       cache: LoginSessionCache | None = None, *, revision: str = "") -> LiveLogin | None:
    """The live login session for ``token`` (with its user), or None when revoked or expired.

    With a ``cache`` (services.login_cache), a session read from the database less than its
    recheck interval ago under the same account ``revision`` (the session cookie's) is answered
    without a query; otherwise one query (the user is joined).
    The idle clock is refreshed at most once a minute (always from the database).
    """
    if not token or len(token) > 100:
        return None
    token_hash = hash_token(token)
    now = utcnow()
    entry = cache.get(token_hash, revision) if cache is not None else None
    if entry is not None:
        if now - entry.created_at > policy.absolute or now - entry.last_seen_at > policy.idle:
            return None
        if now - entry.last_seen_at <= timedelta(minutes=1):
            return LiveLogin(entry.session_id, session.merge(entry.user, load=False))
        # The idle clock is due its refresh: ask the database (which may know a later visit).
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if now - row.created_at > policy.absolute or now - row.last_seen_at > policy.idle:
        return None
    last_seen_at = row.last_seen_at
    if now - last_seen_at > timedelta(minutes=1):
        begin_write(session)
        # Touches only this session's idle clock: no cached entry needs dropping for it.
        session.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now),
                        execution_options={FORGET: ("tokens", ())})
        session.commit()
        last_seen_at = now
    if cache is not None:
        cache.put(token_hash, row, last_seen_at=last_seen_at, revision=revision)
    return LiveLogin(row.id, row.user)


def revoke_login_session(session: Session, token: str) -> None:
    """Sign-out: the cookie's session can never be used again. Commits."""
    begin_write(session)
    session.execute(update(LoginSession)
                    .where(LoginSession.token_hash == hash_token(token), LoginSession.revoked_at.is_(None))
                    .values(revoked_at=utcnow()), execution_options={FORGET: ("tokens", (hash_token(token),))})
    session.commit()


def revoke_all_sessions(session: Session, user_id: int) -> None:
    """Revoke every live session of a user (password change, reset, deactivation); no commit."""
    session.execute(update(LoginSession)
                    .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
                    .values(revoked_at=utcnow()), execution_options={FORGET: ("users", (user_id,))})


def change_password(session: Session, actor: Actor, current: str, new: str) -> None:
    """Change the acting user's password after checking the current one; revokes every session. Commits."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("No such user.")
    if not check_password_hash(user.password_hash, passwords.normalise(current)):
        raise InvalidInput("Your current password is not correct.",
                           {"current_password": ["Your current password is not correct."]})
    _check_password(new, email=user.email, name=user.name, field="new_password")
    new_hash = _hash_password(new)
    begin_write(session)
    user.password_hash = new_hash
    revoke_all_sessions(session, user.id)
    audit.record(session, "auth.password_changed", actor=actor, target=f"user:{user.id}")
    session.commit()


# --- one-time links -------------------------------------------------------------------------

def admin_exists(session: Session) -> bool:
    return session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN)) > 0


def create_setup_token(session: Session) -> str | None:
    """A fresh first-admin setup token, or None once an admin exists. Older setup links die. Commits."""
    begin_write(session)
    if admin_exists(session):
        return None
    session.execute(update(OneTimeToken)
                    .where(OneTimeToken.purpose == "setup", OneTimeToken.used_at.is_(None))
                    .values(used_at=utcnow()))
    token = secrets.token_urlsafe(32)
    session.add(OneTimeToken(purpose="setup", token_hash=hash_token(token), expires_at=utcnow() + TOKEN_TTL))
    session.commit()
    return token


def _live_token(session: Session, purpose: str, token: str) -> OneTimeToken:
    row = None
    if token and len(token) <= 100:
        row = session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(token),
                                                        OneTimeToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise NotFound("This link is not valid: it may have been used already or have expired.")
    return row


def check_token(session: Session, purpose: str, token: str) -> OneTimeToken:
    """The live token row, or NotFound with a sentence for the visitor."""
    return _live_token(session, purpose, token)


def complete_setup(session: Session, token: str, *, email: str, name: str, password: str,
                   actor: Actor = OPERATOR) -> User:
    """Create the first admin with a setup token; the token dies with the first use. Commits."""
    begin_write(session)
    row = _live_token(session, "setup", token)
    if admin_exists(session):
        raise NotFound("An administrator already exists; this link is no longer valid.")
    # Claim the token first so two browsers racing with the same link cannot both succeed.
    claimed = session.execute(update(OneTimeToken)
                              .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None))
                              .values(used_at=utcnow()))
    if claimed.rowcount != 1:
        session.rollback()
        raise NotFound("This link is not valid: it has been used already.")
    return create_user(session, email=email, name=name, password=password, role=Role.ADMIN, actor=actor)


def issue_reset_link(session: Session, user_id: int, *, actor: Actor) -> str:
    """A one-time password-reset token for ``user_id``, shown to the admin who asked. Commits."""
    begin_write(session)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    session.execute(update(OneTimeToken)
                    .where(OneTimeToken.purpose == "reset", OneTimeToken.user_id == user_id,
                           OneTimeToken.used_at.is_(None))
                    .values(used_at=utcnow()))
    token = secrets.token_urlsafe(32)
    session.add(OneTimeToken(purpose="reset", token_hash=hash_token(token), user_id=user_id,
                             created_by_id=actor.user_id, expires_at=utcnow() + TOKEN_TTL))
    audit.record(session, "user.reset_link_issued", actor=actor, target=f"user:{user_id}")
    session.commit()
    return token


#: A reset link sent by email lives this long (an admin's link, shown to the admin, lives TOKEN_TTL).
EMAILED_RESET_TTL = timedelta(hours=1)
#: At most one emailed link per account this often, so nobody can flood someone's inbox.
EMAILED_RESET_INTERVAL = timedelta(minutes=5)


def request_password_reset(session: Session, email: str, *, actor: Actor = OPERATOR) -> None:
    """Email a one-time reset link if an active account has this address. Commits.

    Returns nothing either way, so the page that calls it answers the same whether or not the
    address is known. A new link replaces any older unused one; within EMAILED_RESET_INTERVAL of the
    last emailed link nothing new is sent (that link still works).
    """
    begin_write(session)
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        session.commit()
        return
    now = utcnow()
    recent = session.scalar(select(func.count(OneTimeToken.id)).where(
        OneTimeToken.purpose == "reset", OneTimeToken.user_id == user.id, OneTimeToken.created_by_id.is_(None),
        OneTimeToken.used_at.is_(None), OneTimeToken.created_at > now - EMAILED_RESET_INTERVAL))
    if recent:
        session.commit()
        return
    session.execute(update(OneTimeToken)
                    .where(OneTimeToken.purpose == "reset", OneTimeToken.user_id == user.id,
                           OneTimeToken.used_at.is_(None))
                    .values(used_at=now))
    token = secrets.token_urlsafe(32)
    row = OneTimeToken(purpose="reset", token_hash=hash_token(token), user_id=user.id, created_at=now,
                       expires_at=now + EMAILED_RESET_TTL)
    session.add(row)
    session.flush()
    mail.enqueue(session, to_email=user.email, to_name=user.name, user_id=user.id, kind="password-reset",
                 key=f"token:{row.id}", template="password_reset", subject="Reset your MIM Academy password",
                 context={"token": token, "expires_at": row.expires_at,
                          "minutes": EMAILED_RESET_TTL // timedelta(minutes=1)})
    audit.record(session, "auth.reset_requested", actor=actor.as_user(user), target=f"user:{user.id}")
    session.commit()


def complete_reset(session: Session, token: str, new_password: str, *, actor: Actor = OPERATOR) -> User:
    """Set a new password with a reset token; revokes the user's sessions. Commits."""
    row = _live_token(session, "reset", token)
    user = session.get(User, row.user_id)
    if user is None:
        raise NotFound("This link is not valid.")
    _check_password(new_password, email=user.email, name=user.name)
    new_hash = _hash_password(new_password)
    begin_write(session)
    claimed = session.execute(update(OneTimeToken)
                              .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None))
                              .values(used_at=utcnow()))
    if claimed.rowcount != 1:
        session.rollback()
        raise NotFound("This link is not valid: it has been used already.")
    user.password_hash = new_hash
    revoke_all_sessions(session, user.id)
    audit.record(session, "auth.password_reset", actor=actor.as_user(user), target=f"user:{user.id}")
    session.commit()
    return user


def create_organisation(session: Session, name: str, *, actor: Actor = OPERATOR) -> Organisation:
    """A new organisation with a fresh join code. Commits."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("Enter an organisation name (at most 200 characters).",
                           {"name": ["Enter an organisation name (at most 200 characters)."]})
    begin_write(session)
    exists = session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower()))
    if exists is not None:
        raise Conflict("An organisation with this name already exists.")
    organisation = Organisation(name=name, join_code=new_join_code())
    session.add(organisation)
    session.flush()
    audit.record(session, "organisation.created", actor=actor, target=f"organisation:{organisation.id}",
                 detail={"name": name})
    session.commit()
    return organisation
