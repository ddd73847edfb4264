"""Tokens for the read-only API: issued by admins, shown once, stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, utcnow


class ApiToken(Base):
    """A bearer token for ``/api/v1/``. Revoking it is final; a new token is made instead."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What it is for, e.g. "HR system nightly import"; shown in the admin list.
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the token; the token itself is shown once, at creation, and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, so admins can tell tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    #: What the token may do; "read" is the only scope so far.
    scope: Mapped[str] = mapped_column(String(20), default="read")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Refreshed at most once a minute, so a busy client does not write on every request.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
