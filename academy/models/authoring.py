"""Authoring in the browser: who may edit a course, unpublished drafts and published files.

* ``CourseEditor`` assigns an instructor to a course (admins may edit every course).
* ``Draft`` is one file edited but not yet published; learners never see drafts.
* ``PublishedFile`` keeps the exact files of every course version, so versions can be compared,
  restored and exported; ``VersionOrigin`` says where a version came from (``content sync`` of
  files, or the browser) and who published it, so a sync never silently overwrites browser work.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, utcnow


class Source(enum.StrEnum):
    FILES = "files"
    BROWSER = "browser"


class CourseEditor(Base):
    """An instructor allowed to edit one course in the browser."""

    __tablename__ = "course_editors"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The admin who made the assignment (or the instructor who created the course).
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Draft(Base):
    """An unpublished edit of one file of a course: its new bytes, or its removal."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: Path in a content root: ``courses/<slug>/01-intro.md``, ``quizzes/<slug>/final.md``, ...
    path: Mapped[str] = mapped_column(String(400))
    #: The file as it will be published; None when publishing removes the file.
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Who saved this draft last.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class PublishedFile(Base):
    """One file of one course version, byte for byte as it was published."""

    __tablename__ = "published_files"
    __table_args__ = (UniqueConstraint("course_version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    #: Path in a content root, as for drafts.
    path: Mapped[str] = mapped_column(String(400))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class VersionOrigin(Base):
    """Where a course version came from and who published it."""

    __tablename__ = "version_origins"

    course_version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), primary_key=True)
    #: A :class:`Source` value.
    source: Mapped[str] = mapped_column(String(20))
    #: Who published it from the browser; None for ``content sync``.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The version number this one restored, if it was a restore.
    restored_from: Mapped[int | None]

    author: Mapped[User | None] = relationship()
