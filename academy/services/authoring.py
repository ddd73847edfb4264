"""Authoring in the browser: who may edit a course, its working tree, drafts and new files.

A course's *working tree* is the files of its newest version with the drafts laid over them. The
editor edits those files' text, exactly the format of the files in ``courses/`` and ``quizzes/``,
so what an instructor writes here and what an author commits to the repository are interchangeable.
Saving stores a :class:`~academy.models.Draft` of the file, which learners never see. Each save
carries the revision the editor started from, and a save based on a stale revision is refused
with who changed the file and when (:class:`EditConflict`), so no edit is lost.

Publishing drafts, history and restore are in :mod:`academy.services.releases`; previews in
:mod:`academy.services.previews`; zips and GIFT in :mod:`academy.services.course_transfer`.
Mutating functions start with :func:`begin` and lock the course row, so edits of one course are
applied one after the other whatever worker receives them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.domain import course_files, frontmatter, images
from academy.domain.content import SLUG_RE
from academy.domain.course_files import FileRef, Kind
from academy.domain.quiz_format import slugify
from academy.models import Course, CourseEditor, Draft, Role, Source, User, utcnow

from . import audit, versions
from .actors import OPERATOR, Actor
from .errors import Conflict, Forbidden, InvalidInput, NotFound

#: The revision of a file that does not exist (yet).
ABSENT = "absent"
_NO_COURSE = "There is no course with that name."


class EditConflict(Conflict):
    """The file changed since the editor opened it; nothing was saved.

    ``current`` is the file's text now and ``revision`` its revision: an editor that has shown the
    difference may save again based on it, deliberately replacing the other person's text.
    """

    def __init__(self, path: str, changed_by: str, changed_at: datetime, current: str, revision: str):
        super().__init__(f"{path} was changed by {changed_by} at {changed_at:%d %b %Y %H:%M} UTC after you "
                         "opened it. Your text has not been saved: compare it with theirs below, then save "
                         "again to replace theirs, or reload to start from theirs.")
        self.path, self.changed_by, self.changed_at = path, changed_by, changed_at
        self.current, self.revision = current, revision


# --- Who may edit ---------------------------------------------------------------------------------

def _course(session: Session, slug: str, *, lock: bool = False) -> Course:
    query = select(Course).where(Course.slug == slug)
    course = session.scalar(query.with_for_update() if lock else query)
    if course is None:
        raise NotFound(_NO_COURSE)
    return course


def may_edit(session: Session, course: Course, user_id: int | None, role: str | None) -> bool:
    """Admins edit every course; instructors the courses they are assigned to."""
    if role == Role.ADMIN:
        return True
    return role == Role.INSTRUCTOR and session.scalar(
        select(CourseEditor.id).where(CourseEditor.course_id == course.id, CourseEditor.user_id == user_id)) is not None


def editable_course(session: Session, slug: str, actor: Actor, *, lock: bool = False) -> Course:
    """The course ``slug`` if ``actor`` may edit it; :class:`NotFound` or :class:`Forbidden` otherwise."""
    course = _course(session, slug, lock=lock)
    if not may_edit(session, course, actor.user_id, actor.role):
        raise Forbidden("You are not an editor of this course. An administrator can add you on its authoring page.")
    return course


def writing(session: Session, slug: str, actor: Actor) -> Course:
    """Start a write transaction on ``slug``: its row locked, the actor's right to edit checked."""
    begin_write(session)
    return editable_course(session, slug, actor, lock=True)


@dataclass(frozen=True)
class CourseCard:
    """A course on the authoring index."""

    slug: str
    title: str
    #: The newest version's number; None if never published.
    version: int | None
    #: Learners can see it (it has a current version).
    live: bool
    drafts: int
    source: str | None


def editable_courses(session: Session, actor: Actor) -> list[CourseCard]:
    """The courses ``actor`` may edit, by title."""
    query = select(Course)
    if actor.role != Role.ADMIN:
        query = (query.join(CourseEditor, CourseEditor.course_id == Course.id)
                 .where(CourseEditor.user_id == actor.user_id))
    drafts = dict(session.execute(select(Draft.course_id, func.count()).group_by(Draft.course_id)).all())
    cards = []
    for course in session.scalars(query):
        newest = versions.newest(session, course)
        origin = versions.origin(session, newest) if newest else None
        title = newest.title if newest else _draft_title(session, course)
        cards.append(CourseCard(course.slug, title, newest.number if newest else None,
                                course.current_version_id is not None, drafts.get(course.id, 0),
                                origin.source if origin else (Source.FILES.value if newest else None)))
    return sorted(cards, key=lambda c: (c.title.lower(), c.slug))


def _draft_title(session: Session, course: Course) -> str:
    draft = session.scalar(select(Draft).where(Draft.course_id == course.id,
                                               Draft.path == course_files.course_file(course.slug)))
    return (_title(draft.data) if draft is not None and draft.data else "") or course.slug


def editors(session: Session, course: Course) -> list[User]:
    """The instructors assigned to ``course``, by name."""
    return list(session.scalars(select(User).join(CourseEditor, CourseEditor.user_id == User.id)
                                .where(CourseEditor.course_id == course.id).order_by(User.name)))


def assign_editor(session: Session, slug: str, email: str, actor: Actor) -> User:
    """Let the instructor with ``email`` edit ``slug`` (admins only, and the operator at the command line,
    who has the machine already)."""
    begin_write(session)
    if actor != OPERATOR:
        _require_admin(actor)
    course = _course(session, slug, lock=True)
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise InvalidInput(f"No account has the email {email}.")
    if user.role != Role.INSTRUCTOR:
        raise InvalidInput(f"{user.name} is {'an' if user.role == Role.ADMIN else 'a'} {user.role}: "
                           + ("administrators edit every course already." if user.role == Role.ADMIN
                              else "give them the instructor role first (Admin, Users)."))
    if not may_edit(session, course, user.id, user.role):
        session.add(CourseEditor(course_id=course.id, user_id=user.id, assigned_by_id=actor.user_id))
        audit.record(session, "content.editor_assigned", actor=actor, target=f"course:{slug}",
                     detail={"user_id": user.id})
    session.commit()
    return user


def remove_editor(session: Session, slug: str, user_id: int, actor: Actor) -> None:
    """Withdraw an instructor's right to edit ``slug`` (admins only)."""
    begin_write(session)
    _require_admin(actor)
    course = _course(session, slug, lock=True)
    assignment = session.scalar(select(CourseEditor).where(CourseEditor.course_id == course.id,
                                                           CourseEditor.user_id == user_id))
    if assignment is not None:
        session.delete(assignment)
        audit.record(session, "content.editor_removed", actor=actor, target=f"course:{slug}",
                     detail={"user_id": user_id})
    session.commit()


def _require_admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only administrators assign instructors to courses.")


# --- Files and drafts -----------------------------------------------------------------------------

def revision(data: bytes | None) -> str:
    """A file's revision as the editor carries it: a digest of its bytes."""
    return ABSENT if data is None else hashlib.sha256(data).hexdigest()[:20]


def published_tree(session: Session, course: Course) -> dict[str, bytes]:
    """The files of the course's newest version (empty before its first publication)."""
    newest = versions.newest(session, course)
    return versions.files_of(session, newest) if newest is not None else {}


def drafts(session: Session, course: Course) -> dict[str, Draft]:
    """The course's drafts by path."""
    return {d.path: d for d in session.scalars(select(Draft).where(Draft.course_id == course.id))}


@dataclass
class Workspace:
    """A course's published files and drafts, read once for one page or one change."""

    course: Course
    published: dict[str, bytes]
    drafts: dict[str, Draft]

    @property
    def tree(self) -> dict[str, bytes]:
        """The published files with the drafts laid over them: what publishing would make live."""
        tree = dict(self.published)
        for path, draft in self.drafts.items():
            if draft.data is None:
                tree.pop(path, None)
            else:
                tree[path] = draft.data
        return tree

    def put(self, session: Session, path: str, data: bytes | None, actor: Actor) -> Draft | None:
        """Make ``path`` hold ``data`` (None: removed), as a draft unless that is the published file."""
        draft = self.drafts.get(path)
        if data == self.published.get(path):
            if draft is not None:
                session.delete(self.drafts.pop(path))
            return None
        if draft is None:
            draft = self.drafts[path] = Draft(course_id=self.course.id, path=path)
            session.add(draft)
        draft.data, draft.author_id, draft.updated_at = data, actor.user_id, utcnow()
        return draft

    def replace_all(self, session: Session, tree: Mapping[str, bytes], actor: Actor) -> list[str]:
        """Draft whatever makes the working tree equal ``tree``; returns the paths that change."""
        current = self.tree
        changed = [path for path in sorted(current.keys() | tree.keys()) if current.get(path) != tree.get(path)]
        for path in changed:
            self.put(session, path, tree.get(path), actor)
        return changed


def workspace(session: Session, course: Course) -> Workspace:
    """The course's published files and drafts, read now."""
    return Workspace(course, published_tree(session, course), drafts(session, course))


def working_tree(session: Session, course: Course) -> dict[str, bytes]:
    """The course's files as publishing would make them live."""
    return workspace(session, course).tree


@dataclass(frozen=True)
class FileState:
    """A file of the working tree, or one a draft removes, as the course page lists it."""

    ref: FileRef
    #: "published", "new", "changed" or "removed".
    state: str
    title: str
    draft: Draft | None


def file_states(session: Session, course: Course) -> list[FileState]:
    """Every file of the course with its draft state: course.md, modules, quizzes, then images."""
    space = workspace(session, course)
    states = []
    for path in sorted(space.published.keys() | space.drafts.keys()):
        ref = course_files.classify(course.slug, path)
        if ref is None:
            continue
        draft = space.drafts.get(path)
        data = draft.data if draft is not None else space.published[path]
        state = ("published" if draft is None else "removed" if data is None
                 else "new" if path not in space.published else "changed")
        title = _title(data if data is not None else space.published[path]) if ref.is_text else ""
        states.append(FileState(ref, state, title, draft))
    order = {Kind.COURSE: 0, Kind.MODULE: 1, Kind.RESOURCE: 2, Kind.QUIZ: 3, Kind.ASSET: 4}
    return sorted(states, key=lambda s: (order[s.ref.kind], s.ref.name))


def _title(data: bytes) -> str:
    try:
        doc, _ = frontmatter.split(data.decode("utf-8"), "")
    except UnicodeDecodeError:
        return ""
    title = doc.meta.get("title")
    return str(title).strip() if isinstance(title, str | int | float) else ""


@dataclass(frozen=True)
class OpenFile:
    """A text file as the editor opens it."""

    ref: FileRef
    text: str
    revision: str
    draft: Draft | None
    #: The text as published (None for a file not published yet).
    published: str | None


def open_file(session: Session, course: Course, path: str) -> OpenFile:
    """The text of ``path`` in the working tree, for the editor; :class:`NotFound` if it has none."""
    ref = course_files.classify(course.slug, path)
    space = workspace(session, course)
    data = space.tree.get(path)
    if ref is None or not ref.is_text or data is None:
        raise NotFound(f"{course.slug} has no text file {path}.")
    published = space.published.get(path)
    return OpenFile(ref, decode(data), revision(data), space.drafts.get(path),
                    decode(published) if published is not None else None)


def decode(data: bytes) -> str:
    """A text file's bytes as the editor shows them: with LF line endings (:func:`encode_like` restores them).

    Files were checked as UTF-8 when published, and drafts are saved as UTF-8.
    """
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


def encode_like(text: str, original: bytes | None) -> bytes:
    """The editor's ``text`` as file bytes, in the original's line endings and byte-order mark.

    Browsers send a textarea with CRLF line endings; the file keeps the ones it had (LF by default),
    so opening and saving a file unchanged gives the same bytes.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if original is not None and b"\r\n" in original:
        text = text.replace("\n", "\r\n")
    if original is not None and original.startswith(b"\xef\xbb\xbf") and not text.startswith("\ufeff"):
        text = "\ufeff" + text
    return text.encode("utf-8")


def save_draft(session: Session, slug: str, path: str, text: str, base: str, actor: Actor) -> Draft | None:
    """Save ``text`` as the draft of ``path``, if the file is still at revision ``base``.

    Returns the draft, or None when the text equals the published file (nothing left to publish).
    Raises :class:`EditConflict` when someone changed the file since ``base``. A file that does not
    exist is at revision :data:`ABSENT`, so saving on it re-creates a file removed meanwhile.
    """
    course = writing(session, slug, actor)
    ref = course_files.classify(slug, path)
    if ref is None or not ref.is_text:
        raise InvalidInput(f"{path} is not a course, module or quiz file of {slug}.")
    space = workspace(session, course)
    current = space.tree.get(path)
    if base != revision(current):
        raise _conflict(session, space, path, current)
    data = encode_like(text, current)
    draft = space.put(session, path, data, actor)
    audit.record(session, "content.draft_saved", actor=actor, target=f"course:{slug}",
                 detail={"path": path, "revision": revision(data)})
    session.commit()
    return draft


def _conflict(session: Session, space: Workspace, path: str, current: bytes | None) -> EditConflict:
    """Who last changed ``path`` and when: its draft's author, or the newest version's publisher."""
    draft = space.drafts.get(path)
    if draft is not None:
        who, when = (draft.author.name if draft.author else "a former user"), draft.updated_at
    else:
        newest = versions.newest(session, space.course)
        origin = versions.origin(session, newest) if newest else None
        who = origin.author.name if origin and origin.author else "content sync"
        when = newest.created_at if newest else utcnow()
    return EditConflict(path, who, when, decode(current) if current is not None else "", revision(current))


def discard_draft(session: Session, slug: str, path: str, actor: Actor) -> None:
    """Drop the draft of ``path``: the file goes back to its published text (or away, if new)."""
    course = writing(session, slug, actor)
    draft = drafts(session, course).get(path)
    if draft is None:
        raise NotFound(f"{path} has no draft to discard.")
    session.delete(draft)
    audit.record(session, "content.draft_discarded", actor=actor, target=f"course:{slug}",
                 detail={"path": path})
    session.commit()


def remove_file(session: Session, slug: str, path: str, actor: Actor) -> None:
    """Draft the removal of a module, quiz or image (course.md stays: a course needs it)."""
    course = writing(session, slug, actor)
    ref = course_files.classify(slug, path)
    space = workspace(session, course)
    if ref is None or path not in space.tree:
        raise NotFound(f"{slug} has no file {path}.")
    if ref.kind is Kind.COURSE:
        raise InvalidInput("course.md cannot be removed: every course needs one.")
    space.put(session, path, None, actor)
    audit.record(session, "content.draft_saved", actor=actor, target=f"course:{slug}",
                 detail={"path": path, "removed": True})
    session.commit()


def _front_matter(meta: Mapping[str, object]) -> str:
    return "---\n" + yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def new_course(session: Session, slug: str, actor: Actor) -> Course:
    """Add a course with no files yet; an instructor who adds it becomes its editor. No commit."""
    if actor.role not in (Role.INSTRUCTOR, Role.ADMIN):
        raise Forbidden("Only instructors and administrators create courses.")
    if not SLUG_RE.match(slug):
        raise InvalidInput("Use lower-case letters, digits and hyphens for the course's name in addresses.",
                           {"slug": ["Lower-case letters, digits and hyphens, like incident-basics."]})
    taken = InvalidInput(f"A course called {slug} exists already.", {"slug": ["This name is taken."]})
    if session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise taken
    course = Course(slug=slug)
    try:
        with session.begin_nested():
            session.add(course)
    except IntegrityError:
        raise taken from None
    if actor.role == Role.INSTRUCTOR:
        session.add(CourseEditor(course_id=course.id, user_id=actor.user_id, assigned_by_id=actor.user_id))
    audit.record(session, "content.course_created", actor=actor, target=f"course:{slug}")
    return course


def create_course(session: Session, slug: str, title: str, summary: str, actor: Actor) -> Course:
    """A new course with a draft course.md; an instructor who creates it becomes its editor."""
    begin_write(session)
    course = new_course(session, slug, actor)
    text = _front_matter({"title": title, "summary": summary}) + ("Introduce the course here: who it is for "
                                                                  "and what they will be able to do.\n")
    path = course_files.course_file(slug)
    workspace(session, course).put(session, path, text.encode(), actor)
    audit.record(session, "content.draft_saved", actor=actor, target=f"course:{slug}",
                 detail={"path": path, "created": True})
    session.commit()
    return course


def add_module(session: Session, slug: str, title: str, actor: Actor) -> str:
    """Draft a new module after the last one; returns its path."""
    course = writing(session, slug, actor)
    space = workspace(session, course)
    tree = space.tree
    name = slugify(title).lower()
    path = course_files.module_file(slug, course_files.next_module_number(tree, slug), name)
    if not SLUG_RE.match(name) or course_files.classify(slug, path) is None:
        raise InvalidInput("Give the module a title with letters or digits (and not a reserved word such as "
                           "'assets').", {"title": ["Choose another title."]})
    if name in course_files.module_slugs(tree, slug):
        raise InvalidInput(f"The course has a module called {name} already.", {"title": ["Choose another title."]})
    _create(session, space, path, _front_matter({"title": title}) + "Write the module here.\n", actor)
    return path


def add_resource(session: Session, slug: str, title: str, actor: Actor) -> str:
    """Draft a new resource (job aid) under ``resources/``; returns its path."""
    course = writing(session, slug, actor)
    space = workspace(session, course)
    name = slugify(title).lower()
    path = course_files.resource_file(slug, name)
    if not SLUG_RE.match(name) or course_files.classify(slug, path) is None:
        raise InvalidInput("Give the resource a title with letters or digits.", {"title": ["Choose another title."]})
    if path in space.tree:
        raise InvalidInput(f"The course has a resource called {name} already.", {"title": ["Choose another title."]})
    text = _front_matter({"title": title, "summary": "One sentence on what it is for.", "kind": "template"})
    _create(session, space, path, text + "Write the job aid here: short, one page, with blanks to fill in.\n",
            actor)
    return path


def add_quiz(session: Session, slug: str, title: str, module: str | None, actor: Actor) -> str:
    """Draft a new quiz checking ``module`` (a module slug), or the final exam when it is None."""
    course = writing(session, slug, actor)
    space = workspace(session, course)
    tree = space.tree
    name = slugify(title).lower()
    path = course_files.quiz_file(slug, name)
    if not SLUG_RE.match(name) or course_files.classify(slug, path) is None:
        raise InvalidInput("Give the quiz a title with letters or digits.", {"title": ["Choose another title."]})
    if path in tree:
        raise InvalidInput(f"The course has a quiz called {name} already.", {"title": ["Choose another title."]})
    if module is not None and module not in course_files.module_slugs(tree, slug):
        raise InvalidInput("Choose one of the course's modules.", {"module": ["Not a module of this course."]})
    rules: dict[str, object] = {"title": title, **({"module": module} if module else {"final": True}), "pass_mark": 70}
    body = ("## Replace this with your first question\n\n- [x] The right answer\n  > Why it is right.\n"
            "- [ ] A wrong answer\n  > Why it is wrong.\n")
    _create(session, space, path, _front_matter(rules) + body, actor)
    return path


def _create(session: Session, space: Workspace, path: str, text: str, actor: Actor) -> None:
    space.put(session, path, text.encode(), actor)
    audit.record(session, "content.draft_saved", actor=actor, target=f"course:{space.course.slug}",
                 detail={"path": path, "created": True})
    session.commit()


def upload_asset(session: Session, slug: str, filename: str, data: bytes, actor: Actor, *, max_bytes: int) -> str:
    """Draft an image for ``assets/``: type checked from its bytes, SVG cleaned; returns its path."""
    name = course_files.asset_name(filename)
    if not course_files.is_valid_asset_name(name):
        raise InvalidInput(f"{filename or 'The file'} is not a PNG, JPEG or SVG image: name it like diagram.svg.")
    if len(data) > max_bytes:
        raise InvalidInput(f"{name} is {len(data) / 1024 / 1024:.1f} MB; images may be at most "
                           f"{max_bytes / 1024 / 1024:.1f} MB.")
    try:
        image = images.prepare(name, data)
    except images.ImageError as exc:
        raise InvalidInput(f"{name}: {exc}.") from None
    course = writing(session, slug, actor)
    path = course_files.asset_file(slug, name)
    workspace(session, course).put(session, path, image.data, actor)
    audit.record(session, "content.draft_saved", actor=actor, target=f"course:{slug}",
                 detail={"path": path, "bytes": len(image.data)})
    session.commit()
    return path


def asset(session: Session, course: Course, name: str) -> images.Image:
    """An image of the working tree, cleaned as it will be served."""
    data = working_tree(session, course).get(course_files.asset_file(course.slug, name))
    if data is None:
        raise NotFound("There is no such image in this course.")
    try:
        return images.prepare(name, data)
    except images.ImageError:
        raise NotFound("This image cannot be shown.") from None
