"""What an organisation does with its people: managers, invitations and assigned courses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class OrganisationManager(Base):
    """A user who manages an organisation (one user may manage several; a site role is not needed)."""

    __tablename__ = "organisation_managers"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Invitation(Base):
    """An emailed, single-use link that creates an account in the organisation."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_organisation_id_email", "organisation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: Lower-cased, trimmed.
    email: Mapped[str] = mapped_column(String(254))
    #: The name as the inviter typed it; the invited person may correct it when accepting.
    name: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the link's token (the token itself is only in the email).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Course slugs assigned to the person when they accept.
    courses: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Days after joining that those courses are due.
    due_days: Mapped[int | None]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    #: Set when withdrawn by a manager or replaced by a newer invitation to the same address.
    revoked_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CourseAssignment(Base):
    """A course an organisation asks its people to complete by a due date.

    ``user_id`` empty: every member, including people who join later. The due date is either
    ``due_on`` or ``due_days`` after the person joined (or after the assignment was made, for people
    who were members already).
    """

    __tablename__ = "course_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: One person, or empty for the whole organisation.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    due_days: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
