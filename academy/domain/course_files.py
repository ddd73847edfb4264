"""One course's files held in memory, keyed by their path in a content root.

Authors in the browser edit the very files that live under ``courses/<slug>/`` and
``quizzes/<slug>/``. A *tree* maps each path (``courses/mim/01-intro.md``) to its bytes; this module
names and classifies those paths and checks a tree with the content loader, so a tree edited in the
browser passes exactly the checks that ``content check`` applies to files.
"""

from __future__ import annotations

import enum
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import content, images
from .problems import Problem

#: A course's files: path in a content root -> bytes.
Tree = Mapping[str, bytes]

_ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*\.(svg|png|jpe?g)$")


class Kind(enum.StrEnum):
    COURSE = "course"
    MODULE = "module"
    QUIZ = "quiz"
    ASSET = "asset"
    RESOURCE = "resource"


@dataclass(frozen=True, order=True)
class FileRef:
    """A path of a course's tree and what kind of file it is."""

    path: str
    kind: Kind
    #: The file name: ``course.md``, ``01-intro.md``, ``final-exam.md``, ``diagram.svg``.
    name: str

    @property
    def is_text(self) -> bool:
        return self.kind is not Kind.ASSET


def course_file(course: str) -> str:
    return f"courses/{course}/{content.COURSE_FILE}"


def module_file(course: str, number: int, slug: str) -> str:
    return f"courses/{course}/{number:02d}-{slug}.md"


def quiz_file(course: str, slug: str) -> str:
    return f"quizzes/{course}/{slug}.md"


def resource_file(course: str, slug: str) -> str:
    return f"courses/{course}/{content.RESOURCES_DIR}/{slug}.md"


def asset_file(course: str, name: str) -> str:
    return f"courses/{course}/{content.ASSETS_DIR}/{name}"


def classify(course: str, path: str) -> FileRef | None:
    """What ``path`` is in ``course``'s tree, or None when it has no place there.

    Only names the content loader accepts are classified, so a path that passes here can be
    written to a content root and read back by ``content sync``.
    """
    parts = path.split("/")
    if len(parts) == 3 and parts[:2] == ["quizzes", course]:
        name = parts[2]
        if name.endswith(".md") and content.SLUG_RE.match(name[:-3]):
            return FileRef(path, Kind.QUIZ, name)
        return None
    if len(parts) < 3 or parts[:2] != ["courses", course]:
        return None
    if len(parts) >= 4 and parts[2] == content.ASSETS_DIR:
        name = "/".join(parts[3:])
        if all(part and not part.startswith(".") for part in parts[3:]) and _is_image(name):
            return FileRef(path, Kind.ASSET, name)
        return None
    if len(parts) == 4 and parts[2] == content.RESOURCES_DIR:
        name = parts[3]
        if name.endswith(".md") and content.SLUG_RE.match(name[:-3]):
            return FileRef(path, Kind.RESOURCE, name)
        return None
    if len(parts) != 3:
        return None
    name = parts[2]
    if name == content.COURSE_FILE:
        return FileRef(path, Kind.COURSE, name)
    match = content.MODULE_FILE_RE.match(name)
    if match and content.SLUG_RE.match(match.group(2)) and match.group(2) not in content.RESERVED_SLUGS:
        return FileRef(path, Kind.MODULE, name)
    return None


def asset_name(filename: str) -> str:
    """A safe file name for an uploaded image: lower case, no folders, spaces as hyphens."""
    base = PurePosixPath(filename.replace("\\", "/")).name.lower()
    stem, dot, suffix = base.rpartition(".")
    stem = re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-._")
    return f"{stem}.{suffix}" if dot and stem else base


def is_valid_asset_name(name: str) -> bool:
    """True for a flat, lower-case image name such as ``incident-phases.svg``."""
    return bool(_ASSET_NAME.match(name))


def _is_image(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in images.CONTENT_TYPES


def module_slugs(tree: Tree, course: str) -> list[str]:
    """The modules of a tree in file order, as the slugs quizzes refer to."""
    names = sorted(ref.name for path in tree if (ref := classify(course, path)) and ref.kind is Kind.MODULE)
    return [content.MODULE_FILE_RE.match(name).group(2) for name in names]


def next_module_number(tree: Tree, course: str) -> int:
    numbers = [int(content.MODULE_FILE_RE.match(ref.name).group(1))
               for path in tree if (ref := classify(course, path)) and ref.kind is Kind.MODULE]
    return max(numbers, default=0) + 1


def for_preview(tree: Tree, course: str, path: str) -> dict[str, bytes]:
    """The files needed to check and render ``path`` alone: the course, its modules and images.

    Other quizzes are left out (a quiz only refers to modules), which keeps a live preview fast;
    checks across quizzes (one final exam per course) run on the whole tree when publishing.
    """
    return {p: data for p, data in tree.items()
            if p == path or ((ref := classify(course, p)) is not None and ref.kind is not Kind.QUIZ)}


def check(tree: Tree, links: content.LinkTargets) -> tuple[content.Snapshot, list[Problem]]:
    """Load ``tree`` with the content loader: the rendered snapshot and every problem, as for files."""
    with tempfile.TemporaryDirectory(prefix="academy-tree-") as folder:
        root = Path(folder)
        (root / "courses").mkdir()
        for path, data in tree.items():
            target = root.joinpath(*_safe_parts(path))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return content.load(root, links)


def check_course(tree: Tree, course: str, links: content.LinkTargets) -> tuple[content.CourseContent | None,
                                                                               list[Problem]]:
    """:func:`check` for one course's tree: the course as loaded (None if it could not be) and every problem.

    The course may load while some of its files have problems (those files are left out of it):
    only an empty problem list makes it publishable.
    """
    snapshot, problems = check(tree, links)
    return next((c for c in snapshot.courses if c.slug == course), None), problems


def _safe_parts(path: str) -> list[str]:
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") or "\\" in part for part in parts):
        raise ValueError(f"not a relative content path: {path!r}")
    return parts
