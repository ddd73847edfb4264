"""People, the companies they belong to, their sign-in sessions and the audit trail."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Role(enum.StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class Organisation(Base):
    """A customer company whose staff are trained."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Display name, unique (case-sensitive; the service compares case-insensitively).
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Code a learner types at registration to join; regenerated on demand.
    join_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, Base):
    """An account: learner, instructor or admin."""

    __tablename__ = "users"
    __table_args__ = (
        # The admin list and an organisation's people, in the order they are shown (migration 0010).
        Index("ix_users_name_id", "name", "id"),
        Index("ix_users_organisation_id_name_id", "organisation_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased, trimmed; the sign-in identifier.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Full name as the person wants it on certificates.
    name: Mapped[str] = mapped_column(String(200))
    #: Salted adaptive hash (Werkzeug scrypt).
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.LEARNER.value)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    #: Deactivated accounts cannot sign in; their records stay.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login's name for it
        return self.active


class LoginSession(Base):
    """A signed-in browser. The cookie carries a random token; only its hash is stored.

    Revoking the row (sign-out, password change, deactivation) makes a replayed cookie worthless.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Refreshed at most once a minute, for the idle timeout.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class OneTimeToken(Base):
    """A single-use link: the first-admin setup link or an admin-issued password reset."""

    __tablename__ = "one_time_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "setup" or "reset".
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The account a reset link is for; empty for the setup link.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SignUp(Base):
    """A self-service sign-up waiting for its emailed link to be followed (no account exists yet).

    One per address: a new submission for the same address updates it. The link's token and the
    submitting browser's secret are stored only as hashes; the row is deleted when the account is made.
    """

    __tablename__ = "signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased, trimmed; the address the link was sent to.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The chosen password, hashed as for an account (the account takes it over).
    password_hash: Mapped[str] = mapped_column(String(255))
    #: The organisation whose join code was given, if any.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    #: A path on this site to land on once the account exists (the course signed up from).
    next_path: Mapped[str | None] = mapped_column(String(500))
    #: SHA-256 of the emailed link's token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: SHA-256 of a secret kept in the submitting browser's session: that browser finishes in one click,
    #: any other must type the password chosen (so a link opened by someone else makes nobody's account).
    browser_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the link was last emailed (at most one email per address per hour).
    emailed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class AuditEvent(Base):
    """Append-only record of who did what, when, from where."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Dotted verb, e.g. "auth.sign_in", "auth.sign_in_failed", "user.role_changed".
    action: Mapped[str] = mapped_column(String(64))
    #: What it was done to, e.g. "user:12" or "certificate:ABCD-...".
    target: Mapped[str | None] = mapped_column(String(200))
    #: Free text or JSON with the details (old and new values, reason, filters).
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()
