"""Readable differences between two versions of a course's files (``difflib``).

A :class:`FileDiff` is plain data for a page to show: hunks of lines with their old and new line
numbers. Text stays text: the page escapes it like any other value.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .course_files import Tree

CONTEXT_LINES = 3


@dataclass(frozen=True)
class Line:
    #: "same", "removed" or "added".
    kind: str
    old: int | None
    new: int | None
    text: str


@dataclass(frozen=True)
class Hunk:
    lines: tuple[Line, ...]

    @property
    def header(self) -> str:
        """``@@ -12,7 +12,8 @@`` as in a unified diff."""
        old = [line.old for line in self.lines if line.old is not None]
        new = [line.new for line in self.lines if line.new is not None]
        return f"@@ -{_range(old)} +{_range(new)} @@"


@dataclass(frozen=True)
class FileDiff:
    path: str
    #: "added", "removed" or "changed".
    status: str
    hunks: tuple[Hunk, ...]
    #: True when either side is not UTF-8 text (an image): only the sizes are compared.
    binary: bool
    old_size: int
    new_size: int

    @property
    def added(self) -> int:
        return sum(line.kind == "added" for hunk in self.hunks for line in hunk.lines)

    @property
    def removed(self) -> int:
        return sum(line.kind == "removed" for hunk in self.hunks for line in hunk.lines)


def diff_trees(old: Tree, new: Tree, context: int = CONTEXT_LINES) -> list[FileDiff]:
    """A diff for every file that differs between ``old`` and ``new``, in path order."""
    return [diff_file(path, old.get(path), new.get(path), context)
            for path in sorted(old.keys() | new.keys()) if old.get(path) != new.get(path)]


def diff_file(path: str, old: bytes | None, new: bytes | None, context: int = CONTEXT_LINES) -> FileDiff:
    """The difference between two versions of one file; None for a side where it does not exist."""
    status = "added" if old is None else "removed" if new is None else "changed"
    old_text, new_text = _text(old), _text(new)
    sizes = len(old or b""), len(new or b"")
    if old_text is None or new_text is None:
        return FileDiff(path, status, (), True, *sizes)
    return FileDiff(path, status, tuple(_hunks(old_text, new_text, context)), False, *sizes)


def diff_texts(path: str, old: str, new: str, context: int = CONTEXT_LINES) -> FileDiff:
    """:func:`diff_file` for two texts, e.g. a saved draft and an editor's unsaved text."""
    return diff_file(path, old.encode("utf-8"), new.encode("utf-8"), context)


def _text(data: bytes | None) -> str | None:
    if data is None:
        return ""
    try:
        return data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None


def _hunks(old: str, new: str, context: int) -> list[Hunk]:
    a, b = old.splitlines(), new.splitlines()
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        lines: list[Line] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += (Line("same", i + 1, j + 1, a[i]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
                continue
            lines += (Line("removed", i + 1, None, a[i]) for i in range(i1, i2))
            lines += (Line("added", None, j + 1, b[j]) for j in range(j1, j2))
        hunks.append(Hunk(tuple(lines)))
    return hunks


def _range(numbers: list[int]) -> str:
    if not numbers:
        return "0,0"
    return f"{numbers[0]},{numbers[-1] - numbers[0] + 1}"
