"""Publishing a course from the browser, and its history: check, publish, compare, restore.

Publishing checks the whole working tree (published files and drafts) with the content checker,
the checks ``content check`` runs on files, and only if nothing is wrong adds a course version, in
one transaction: learners see all of the change or none of it. Every version keeps its files and
origin (:mod:`academy.services.versions`), so two versions can be compared and an old one restored
as a new version; learners' attempts keep pointing at the version they took.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.domain import course_files, diffs
from academy.domain.content import LinkTargets
from academy.domain.diffs import FileDiff
from academy.domain.problems import Problem
from academy.models import Course, CourseVersion, PublishedFile, Source, VersionOrigin

from . import audit, authoring, publishing, versions
from .actors import Actor
from .errors import InvalidInput, NotFound


class ContentProblems(InvalidInput):
    """The course's files have problems; ``problems`` says where (path and line) and what."""

    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message)
        self.problems = problems


def changes(session: Session, course: Course) -> list[FileDiff]:
    """What publishing would change: the drafts against the published files."""
    return diffs.diff_trees(authoring.published_tree(session, course), authoring.working_tree(session, course))


def publish(session: Session, slug: str, actor: Actor, links: LinkTargets) -> CourseVersion:
    """Check the working tree and make it the course's new version, all or nothing.

    Raises :class:`ContentProblems` (nothing published) when any file of the course has a problem.
    """
    course = authoring.writing(session, slug, actor)
    if not authoring.drafts(session, course):
        raise InvalidInput("There are no drafts to publish.")
    version = _publish(session, course, authoring.working_tree(session, course), actor, links)
    session.commit()
    return version


def _publish(session: Session, course: Course, tree: dict[str, bytes], actor: Actor, links: LinkTargets, *,
             restored_from: int | None = None) -> CourseVersion:
    content, problems = course_files.check_course(tree, course.slug, links)
    if problems or content is None:
        raise ContentProblems("Nothing was published: fix these problems first.", problems)
    previous = versions.newest(session, course)
    version = publishing.add_version(session, course, content)
    versions.record(session, version, tree, Source.BROWSER, author_id=actor.user_id, restored_from=restored_from)
    for draft in authoring.drafts(session, course).values():
        session.delete(draft)
    audit.record(session, "content.published", actor=actor, target=f"course:{course.slug}", detail={
        "version": version.number, "previous_version": previous.number if previous else None,
        "content_hash": content.content_hash, "restored_from": restored_from})
    return version


# --- History ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VersionInfo:
    number: int
    title: str
    created_at: datetime
    #: "files" or "browser".
    source: str
    author: str | None
    restored_from: int | None
    current: bool
    #: False for versions published before their files were kept: they cannot be compared or restored.
    has_files: bool


def history(session: Session, course: Course) -> list[VersionInfo]:
    """Every version of the course, newest first."""
    rows = session.execute(
        select(CourseVersion, VersionOrigin)
        .outerjoin(VersionOrigin, VersionOrigin.course_version_id == CourseVersion.id)
        .where(CourseVersion.course_id == course.id).order_by(CourseVersion.number.desc())).all()
    with_files = set(session.scalars(select(PublishedFile.course_version_id).distinct()
                                     .join(CourseVersion, CourseVersion.id == PublishedFile.course_version_id)
                                     .where(CourseVersion.course_id == course.id)))
    return [VersionInfo(v.number, v.title, v.created_at, o.source if o else Source.FILES.value,
                        o.author.name if o and o.author else None, o.restored_from if o else None,
                        v.id == course.current_version_id, v.id in with_files) for v, o in rows]


def version_tree(session: Session, course: Course, number: int) -> dict[str, bytes]:
    """The files of version ``number``; :class:`NotFound` if there is no such version or no files kept."""
    version = session.scalar(select(CourseVersion).where(CourseVersion.course_id == course.id,
                                                         CourseVersion.number == number))
    files = versions.files_of(session, version) if version is not None else {}
    if not files:
        raise NotFound(f"Version {number} of {course.slug} has no files kept to show.")
    return files


def compare(session: Session, course: Course, old: int, new: int) -> list[FileDiff]:
    """The differences between two versions, file by file."""
    return diffs.diff_trees(version_tree(session, course, old), version_tree(session, course, new))


def restore(session: Session, slug: str, number: int, actor: Actor, links: LinkTargets) -> CourseVersion:
    """Publish version ``number``'s files again, checked, as the course's new version.

    Refused while the course has drafts, so nobody's unpublished work is replaced unasked.
    """
    course = authoring.writing(session, slug, actor)
    if authoring.drafts(session, course):
        raise InvalidInput("The course has unpublished drafts: publish or discard them before restoring a version.")
    tree = version_tree(session, course, number)
    if tree == authoring.published_tree(session, course):
        raise InvalidInput(f"The course already reads as version {number}: there is nothing to restore.")
    version = _publish(session, course, tree, actor, links, restored_from=number)
    audit.record(session, "content.restored", actor=actor, target=f"course:{slug}",
                 detail={"restored": number, "version": version.number})
    session.commit()
    return version
