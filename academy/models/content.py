"""Courses as loaded from the content files, and each learner's enrolments and progress.

Identity and content are kept apart so that editing never rewrites history:

* ``Course``, ``Module`` and ``Quiz`` are stable identities (a course slug, a module slug within
  it, a quiz slug within it). Progress and attempts point at them, so they survive edits, title
  changes and renumbered modules.
* ``CourseVersion`` is one immutable snapshot of a course's files; ``ModuleVersion``,
  ``QuizVersion`` and ``Asset`` belong to a version. ``Course.current_version_id`` is the version
  learners see; a sync adds a version and moves the pointer in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Course(Base):
    """A course's stable identity: its folder name under ``courses/``."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The folder name, used in URLs; never changes for a course.
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    #: The published version; None while a course is withdrawn (its folder was removed).
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class CourseVersion(Base):
    """One immutable snapshot of a course: its text, modules, quizzes and assets."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: 1, 2, 3... per course, in the order the versions were synced.
    number: Mapped[int]
    #: SHA-256 over every file of the course (course.md, modules, assets, quizzes).
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    #: The body of course.md, rendered and sanitised.
    intro_html: Mapped[str] = mapped_column(Text)
    #: The certificate's title (the course title unless course.md says otherwise).
    certificate_title: Mapped[str] = mapped_column(String(300))
    #: None: certificates of this version never expire.
    valid_for_months: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    modules: Mapped[list[ModuleVersion]] = relationship(
        back_populates="course_version", order_by="ModuleVersion.position"
    )


class Module(Base):
    """A module's stable identity within its course: the file name without its number."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModuleVersion(Base):
    """A module as it reads in one course version, rendered once at sync."""

    __tablename__ = "module_versions"
    __table_args__ = (
        UniqueConstraint("course_version_id", "module_id"),
        UniqueConstraint("course_version_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    #: 1-based order in the course (from the file's number prefix).
    position: Mapped[int]
    #: The source file name, e.g. "03-msp-models.md".
    file_name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(300))
    #: Minutes the author adds for activities (exercises, worksheets) on top of the computed reading time.
    minutes: Mapped[int | None]
    #: Learning objectives: a list of strings.
    objectives: Mapped[list[str]] = mapped_column(JSON)
    #: The body, rendered and sanitised.
    html: Mapped[str] = mapped_column(Text)
    #: The "On this page" contents: a list of {"level", "id", "text"}.
    headings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    word_count: Mapped[int]

    course_version: Mapped[CourseVersion] = relationship(back_populates="modules")
    module: Mapped[Module] = relationship()


class Asset(Base):
    """An image from a course's ``assets/`` folder, as stored for one course version."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("course_version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    #: Path below ``assets/``, with forward slashes, e.g. "msp-dedicated.svg".
    path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    #: The bytes served (SVG files are stripped of scripts at sync).
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 of ``data``; part of the asset URL so browsers may cache it for ever.
    sha256: Mapped[str] = mapped_column(String(64))


class Quiz(Base):
    """A quiz's stable identity within its course: its file name under ``quizzes/<course>/``."""

    __tablename__ = "quizzes"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizVersion(Base):
    """A quiz as it stands in one course version; attempts record the version they were taken on."""

    __tablename__ = "quiz_versions"
    __table_args__ = (
        UniqueConstraint("course_version_id", "quiz_id"),
        Index("ix_quiz_versions_course_version_id_module_id", "course_version_id", "module_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    #: The module this quiz checks; None for the final exam.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"))
    #: True for the certification exam.
    is_final: Mapped[bool] = mapped_column(default=False)
    #: Percent needed to pass.
    pass_mark: Mapped[int]
    #: Attempts allowed; None for unlimited.
    attempts: Mapped[int | None]
    #: Questions drawn per attempt; None for all of them.
    draw: Mapped[int | None]
    #: Minutes allowed per attempt; None for no limit.
    time_limit: Mapped[int | None]
    #: The parsed quiz (questions, options, feedback) as the quiz parser's ``to_dict()``.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the quiz file.
    content_hash: Mapped[str] = mapped_column(String(64))

    quiz: Mapped[Quiz] = relationship()


class Enrolment(Base):
    """A learner taking a course."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        # Analytics: a course's enrolments of a period, and its learners (migration 0010).
        Index("ix_enrolments_course_id_enrolled_at", "course_id", "enrolled_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModuleProgress(Base):
    """What one learner has done with one module, across every version of it."""

    __tablename__ = "module_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        Index("ix_module_progress_user_id_course_id", "user_id", "course_id"),
        # Analytics (migration 0010): each learner's modules of a course, read from the index, and the
        # learners who completed a module in a period.
        Index("ix_module_progress_course_id_user_id", "course_id", "user_id", "module_id", "completed_at"),
        Index("ix_module_progress_course_id_completed_at", "course_id", "completed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The module's course, repeated here so per-course progress needs no join.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    first_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Read (modules without a quiz) or its quiz passed (reported by the quiz engine).
    completed_at: Mapped[datetime | None]
    #: Page views of this module.
    visits: Mapped[int] = mapped_column(default=0)
    #: Estimated reading time: the gap until the learner's next page view in the course, capped.
    seconds_spent: Mapped[int] = mapped_column(default=0)
