"""Authoring problems, reported as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in a content file, where an author can find and fix it."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        # Line 0: the problem concerns the file (or zip entry) as a whole.
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class ContentError(Exception):
    """Raised with every problem found when content cannot be loaded."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
