"""Courses in and out of the site as files: zip export and import, and Moodle GIFT questions.

An exported zip holds a published version's ``courses/<slug>/`` and ``quizzes/<slug>/`` files byte
for byte, so it can be committed to the repository (resolving a ``content sync`` conflict) or
imported elsewhere. Importing a zip is all or nothing: the zip is read defensively
(:mod:`academy.domain.course_zip`), its files are checked as a whole course, and only then become
the course's drafts, ready to review and publish.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.domain import course_files, course_zip, gift
from academy.domain.content import LinkTargets
from academy.domain.course_files import Kind
from academy.domain.problems import Problem
from academy.domain.quiz_format import parse_quiz
from academy.models import Course, CourseVersion

from . import audit, authoring, versions
from .actors import Actor
from .errors import InvalidInput, NotFound
from .releases import ContentProblems


def export_zip(session: Session, slug: str, actor: Actor, number: int | None = None) -> tuple[str, bytes]:
    """A zip of version ``number`` (default: the newest) and its file name, e.g. ``mim-v3.zip``."""
    course = authoring.editable_course(session, slug, actor)
    query = select(CourseVersion).where(CourseVersion.course_id == course.id)
    version = session.scalar(query.where(CourseVersion.number == number) if number is not None
                             else query.order_by(CourseVersion.number.desc()).limit(1))
    files = versions.files_of(session, version) if version is not None else {}
    if not files:
        raise NotFound("There is no published version with its files to export: publish the course first.")
    return f"{slug}-v{version.number}.zip", course_zip.write(files)


@dataclass(frozen=True)
class ImportReport:
    slug: str
    created: bool
    #: Paths whose drafts the import made (new, changed or removed files).
    changed: list[str]


def import_zip(session: Session, data: bytes, actor: Actor, links: LinkTargets, *,
               limits: course_zip.Limits = course_zip.Limits()) -> ImportReport:
    """Make a course's drafts equal a zip's files, once they pass every check; the course is created if new.

    Raises :class:`ContentProblems` (nothing changed) for a refused zip or any problem in its files,
    and :class:`InvalidInput` while the course has drafts of its own.
    """
    try:
        slug, files = course_zip.read(data, limits)
    except course_zip.ZipRefused as exc:
        raise ContentProblems("The zip was refused; nothing was imported.", exc.problems) from None
    _, problems = course_files.check_course(files, slug, links)
    if problems:
        raise ContentProblems("The zip's files have problems; nothing was imported.", problems)
    begin_write(session)
    exists = session.scalar(select(Course.id).where(Course.slug == slug)) is not None
    if exists:
        course = authoring.editable_course(session, slug, actor, lock=True)
    else:
        course = authoring.new_course(session, slug, actor)
    space = authoring.workspace(session, course)
    if space.drafts:
        raise InvalidInput(f"{slug} has unpublished drafts: publish or discard them before importing over them.")
    changed = space.replace_all(session, files, actor)
    audit.record(session, "content.imported", actor=actor, target=f"course:{slug}",
                 detail={"files": len(files), "changed": changed})
    session.commit()
    return ImportReport(slug, not exists, changed)


@dataclass(frozen=True)
class GiftPreview:
    """A quiz file with GIFT questions added, before it is saved as a draft."""

    path: str
    #: The whole quiz file as it would be saved.
    text: str
    #: The quiz's revision now: saving the preview is refused if the quiz changes meanwhile.
    revision: str
    result: gift.GiftImport
    #: Problems the content checker finds in ``text`` (for instance a key clash with a question).
    problems: list[Problem]


def gift_preview(session: Session, slug: str, path: str, upload: bytes, actor: Actor, *, replace: bool) -> GiftPreview:
    """Convert a GIFT file into the quiz at ``path``: after its questions, or instead of them."""
    course = authoring.editable_course(session, slug, actor)
    ref = course_files.classify(slug, path)
    current = authoring.working_tree(session, course).get(path)
    if ref is None or ref.kind is not Kind.QUIZ or current is None:
        raise NotFound(f"{slug} has no quiz {path}.")
    try:
        source = upload.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The GIFT file is not UTF-8 text: export it from Moodle again, or save it as "
                           "UTF-8 in your editor.") from None
    text = authoring.decode(current)
    quiz, _ = parse_quiz(text, path)
    taken = frozenset() if quiz is None or replace else frozenset(
        [q.key for q in quiz.questions()] + [b.id for b in quiz.branching_scenarios()])
    result = gift.import_gift(source, taken_keys=taken)
    new_text = gift.add_to_quiz(text, result.markdown, replace=replace) if result.imported else text
    _, problems = parse_quiz(new_text, path)
    return GiftPreview(path, new_text, authoring.revision(current), result, problems)
