"""Course resources (job aids) and interactive worksheets as published, and learners' saved answers.

``ResourceVersion`` and ``WorksheetVersion`` belong to one immutable course version, like modules.
A learner's answers (``WorksheetAnswer``) are kept per course and worksheet id, so they survive a
new version of the course; each records the version it was saved against.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ResourceVersion(Base):
    """A resource file (``courses/<slug>/resources/<name>.md``) as it reads in one course version."""

    __tablename__ = "resource_versions"
    __table_args__ = (UniqueConstraint("course_version_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    #: The file name without ``.md``, used in URLs.
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    #: reference, checklist, template, script or fillable (fillable ones are also offered as XLSX).
    kind: Mapped[str] = mapped_column(String(40))
    #: The body, rendered and sanitised.
    html: Mapped[str] = mapped_column(Text)
    #: The body's tables as lists of rows of cell text, header first (the XLSX is made from them).
    tables: Mapped[list[Any]] = mapped_column(JSON)


class WorksheetVersion(Base):
    """A worksheet embedded in a module, as it stands in one course version."""

    __tablename__ = "worksheet_versions"
    __table_args__ = (UniqueConstraint("course_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    #: The worksheet's ``id`` in its block; stable across versions, so saved answers follow it.
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    #: The parsed worksheet as ``domain.worksheets.Worksheet.to_dict()``.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


class WorksheetAnswer(Base):
    """One learner's saved answers to one worksheet of a course (the latest save)."""

    __tablename__ = "worksheet_answers"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "worksheet_key"),
        Index("ix_worksheet_answers_course_id_worksheet_key", "course_id", "worksheet_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    worksheet_key: Mapped[str] = mapped_column(String(200))
    #: The course version the answers were saved against.
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    #: Criterion id -> chosen option id.
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    #: The recommended outcome's id when saved, for the instructors' distribution.
    outcome: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
