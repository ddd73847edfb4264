"""Publishing a checked content snapshot to the database: ``flask --app app content sync``.

Courses can also be edited and published in the browser (:mod:`academy.services.releases`). A sync
never silently replaces such a version: when a course's newest version came from the browser and
its files differ, the course is reported as a conflict and left as it is, unless the operator
names it in ``take_files`` (``content sync --take-files COURSE``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.domain.content import CourseContent, Snapshot
from academy.models import (
    Asset,
    Course,
    CourseVersion,
    Module,
    ModuleVersion,
    Quiz,
    QuizVersion,
    ResourceVersion,
    Source,
    WorksheetVersion,
)

from . import audit, versions


@dataclass
class SyncReport:
    """What a sync changed: new versions per course slug, and courses withdrawn from the site.

    ``conflicts`` are courses whose newest version was published in the browser and whose files
    differ from it: left unchanged. ``kept`` are courses published in the browser that have no
    folder: left on the site.
    """

    published: dict[str, int] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.published or self.withdrawn)


def sync(session: Session, snapshot: Snapshot, take_files: Collection[str] = ()) -> SyncReport:
    """Make the published courses match ``snapshot`` (which must have no problems). Commits once.

    A course whose files changed gets a new version and learners see it at once; an unchanged
    course is left alone, so a second sync of the same files changes nothing. Modules and quizzes
    keep their identity (course + slug) across versions, so progress and attempts follow them. A
    course whose folder is gone is withdrawn from the catalogue; its versions and history stay.
    """
    begin_write(session)
    report = SyncReport()
    courses = {c.slug: c for c in session.scalars(select(Course))}
    for content in snapshot.courses:
        course = courses.get(content.slug)
        if course is None:
            course = Course(slug=content.slug)
            session.add(course)
            session.flush()
        current = session.get(CourseVersion, course.current_version_id) if course.current_version_id else None
        if current is not None and current.content_hash == content.content_hash:
            versions.keep_files(session, current, content.files)
            continue
        if content.slug not in take_files and versions.edited_in_browser(session, course):
            report.conflicts.append(content.slug)
            continue
        version = add_version(session, course, content)
        versions.record(session, version, content.files, Source.FILES)
        report.published[content.slug] = version.number
        audit.record(session, "content.synced", target=f"course:{content.slug}", detail={
            "version": version.number, "content_hash": content.content_hash,
            "previous_version": current.number if current else None,
            "modules": len(content.modules), "quizzes": len(content.quizzes),
        })
    present = {c.slug for c in snapshot.courses}
    for course in courses.values():
        if course.slug not in present and course.current_version_id is not None:
            if course.slug not in take_files and versions.edited_in_browser(session, course):
                report.kept.append(course.slug)
                continue
            course.current_version_id = None
            report.withdrawn.append(course.slug)
            audit.record(session, "content.withdrawn", target=f"course:{course.slug}")
    session.commit()
    return report


def add_version(session: Session, course: Course, content: CourseContent) -> CourseVersion:
    """Store ``content`` as the course's next version and make it the current one; no commit."""
    last = session.scalar(select(func.max(CourseVersion.number)).where(CourseVersion.course_id == course.id))
    version = CourseVersion(
        course_id=course.id, number=(last or 0) + 1, content_hash=content.content_hash, title=content.title,
        summary=content.summary, intro_html=content.intro_html, certificate_title=content.certificate_title,
        valid_for_months=content.valid_for_months,
    )
    session.add(version)
    module_ids = _identities(session, Module, course.id, [m.slug for m in content.modules])
    quiz_ids = _identities(session, Quiz, course.id, [q.slug for q in content.quizzes])
    session.flush()
    session.add_all(ModuleVersion(
        course_version_id=version.id, module_id=module_ids[m.slug], position=position, file_name=m.file_name,
        title=m.title, minutes=m.activity_minutes or None, objectives=list(m.objectives), html=m.html,
        headings=[{"level": h.level, "id": h.id, "text": h.text} for h in m.headings], word_count=m.word_count,
    ) for position, m in enumerate(content.modules, start=1))
    session.add_all(Asset(course_version_id=version.id, path=a.path, content_type=a.content_type, data=a.data,
                          sha256=a.sha256) for a in content.assets)
    session.add_all(QuizVersion(
        quiz_id=quiz_ids[q.slug], course_version_id=version.id, title=q.title,
        module_id=module_ids[q.module] if q.module else None, is_final=q.final, pass_mark=q.pass_mark,
        attempts=q.attempts, draw=q.draw, time_limit=q.time_limit, definition=q.definition,
        content_hash=q.content_hash,
    ) for q in content.quizzes)
    session.add_all(ResourceVersion(
        course_version_id=version.id, slug=r.slug, title=r.title, summary=r.summary, kind=r.kind, html=r.html,
        tables=[[list(row) for row in table] for table in r.tables],
    ) for r in content.resources)
    session.add_all(WorksheetVersion(
        course_version_id=version.id, module_id=module_ids[m.slug], key=w.key, title=w.title, definition=w.to_dict(),
    ) for m in content.modules for w in m.worksheets)
    course.current_version_id = version.id
    return version


def _identities(session: Session, model: type[Module] | type[Quiz], course_id: int, slugs: list[str]) -> dict[str, int]:
    """Ids of the course's modules (or quizzes) with these slugs, creating the new ones."""
    rows = session.execute(select(model.slug, model.id).where(model.course_id == course_id))
    found = {slug: id_ for slug, id_ in rows}
    new = [model(course_id=course_id, slug=slug) for slug in slugs if slug not in found]
    if new:
        session.add_all(new)
        session.flush()
        found.update((row.slug, row.id) for row in new)
    return found
