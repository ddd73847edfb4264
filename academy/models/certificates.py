"""Certificates: what was awarded to whom, and what has happened to it since.

A certificate row is a record: its facts (holder's name as at issue, titles, score, dates) never
change. What can happen later is recorded beside them: it may be revoked (with a reason) and it
may be replaced by a newer certificate, either a renewal (recertification) or a reissue (an admin
correcting it, e.g. after a name change). A replacement points back with ``replaces_id`` and the
old row gets ``superseded_at``.

The *live* certificate of a learner and course is the one not superseded; a partial unique index
allows one, so two requests that both find a certificate due cannot both issue it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, utcnow
from .content import Course, CourseVersion


class Origin(enum.StrEnum):
    """How a certificate came to be."""

    EARNED = "earned"
    RENEWED = "renewed"
    REISSUED = "reissued"


_LIVE = text("superseded_at IS NULL")


class Certificate(Base):
    """One certificate, as printed and as signed."""

    __tablename__ = "certificates"
    __table_args__ = (
        Index("uq_certificates_live", "user_id", "course_id", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_certificates_course_id_issued_at", "course_id", "issued_at"),
        # The admin list (newest first) and the expiry reminder scan (migration 0010).
        Index("ix_certificates_issued_at_id", "issued_at", "id"),
        Index("ix_certificates_expires_at", "expires_at"),
        # Analytics: a course's live certificates per learner, read from the index.
        Index("ix_certificates_course_id_user_id", "course_id", "user_id", "superseded_at", "revoked_at",
              "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public identifier, e.g. "7KQ2-M9XD-4HWT-B8NC-R3VJ" (see domain.certificate_codes).
    code: Mapped[str] = mapped_column(String(24), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: The published course version the learner completed (its modules, criteria and summary).
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    #: An :class:`Origin` value.
    origin: Mapped[str] = mapped_column(String(20), default=Origin.EARNED.value)
    #: The holder's name as printed: as it was at issue, whatever the account says later.
    holder_name: Mapped[str] = mapped_column(String(200))
    #: Open Badges identity of the holder: SHA-256 of their email at issue and this salt.
    identity_hash: Mapped[str] = mapped_column(String(80))
    identity_salt: Mapped[str] = mapped_column(String(64))
    #: The certificate's title and the course's, as at issue.
    title: Mapped[str] = mapped_column(String(300))
    course_title: Mapped[str] = mapped_column(String(300))
    #: The final exam's best passing score (percent); None for a course without a final exam.
    score_percent: Mapped[int | None]
    #: When the certificate was first earned; renewals and reissues keep it.
    awarded_at: Mapped[datetime]
    #: When this certificate was issued; it is valid from then.
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None: never expires.
    expires_at: Mapped[datetime | None]
    #: The certificate this one renews or reissues.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"),
                                                    unique=True)
    #: Set when a newer certificate replaces this one; it is no longer the live one.
    superseded_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: Shown to verifiers, e.g. "Reissued: name changed" or "Exam misconduct".
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    #: The admin's private note on a revocation (admins and the audit log only, never verifiers).
    revoked_note: Mapped[str | None] = mapped_column(String(500))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The signed Open Badges credential (JSON), made and stored on its first download.
    credential: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    course_version: Mapped[CourseVersion] = relationship()
    replaces: Mapped[Certificate | None] = relationship(remote_side=[id], foreign_keys=[replaces_id],
                                                        back_populates="replaced_by")
    replaced_by: Mapped[Certificate | None] = relationship(back_populates="replaces", uselist=False)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def live(self) -> bool:
        return self.superseded_at is None
