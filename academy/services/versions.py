"""The files of each published course version and where the version came from.

Both publishing paths call :func:`record`: ``content sync`` (source ``files``) and the browser
(source ``browser``). Keeping the exact files makes a version comparable, restorable and
exportable; keeping the source lets ``content sync`` refuse to overwrite browser work unasked
(:func:`edited_in_browser`).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.models import Course, CourseVersion, PublishedFile, Source, VersionOrigin


def record(session: Session, version: CourseVersion, files: Mapping[str, bytes], source: Source, *,
           author_id: int | None = None, restored_from: int | None = None) -> None:
    """Store ``files`` (content-root paths to bytes) as ``version``'s, with its origin. No commit."""
    session.add(VersionOrigin(course_version_id=version.id, source=source.value, author_id=author_id,
                              restored_from=restored_from))
    session.add_all(PublishedFile(course_version_id=version.id, path=path, data=data)
                    for path, data in sorted(files.items()))


def keep_files(session: Session, version: CourseVersion, files: Mapping[str, bytes]) -> None:
    """Record the files of a version synced before versions kept them (its origin is then files). No commit."""
    if origin(session, version) is None:
        record(session, version, files, Source.FILES)


def newest(session: Session, course: Course) -> CourseVersion | None:
    """The course's most recent version, published or withdrawn."""
    return session.scalar(select(CourseVersion).where(CourseVersion.course_id == course.id)
                          .order_by(CourseVersion.number.desc()).limit(1))


def origin(session: Session, version: CourseVersion) -> VersionOrigin | None:
    """Where ``version`` came from; None for versions published before origins were recorded."""
    return session.get(VersionOrigin, version.id)


def edited_in_browser(session: Session, course: Course) -> CourseVersion | None:
    """The course's newest version if it was published from the browser, else None."""
    version = newest(session, course)
    found = origin(session, version) if version is not None else None
    return version if found is not None and found.source == Source.BROWSER else None


def files_of(session: Session, version: CourseVersion) -> dict[str, bytes]:
    """The files of ``version`` (empty if they were not recorded)."""
    rows = session.execute(select(PublishedFile.path, PublishedFile.data)
                           .where(PublishedFile.course_version_id == version.id)).all()
    return dict(rows)
