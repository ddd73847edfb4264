"""YAML front matter between ``---`` lines, with line numbers for error messages."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import Problem


@dataclass
class Document:
    """A Markdown file split into its front matter and its body."""

    meta: dict[str, Any]
    body: str
    #: 1-based line number in the file of the body's first line.
    body_line: int
    #: 1-based line of each top-level front-matter key, for messages.
    key_lines: dict[str, int]


def split(text: str, path: str) -> tuple[Document, list[Problem]]:
    """Split ``text`` into front matter and body; problems carry ``path`` and a line."""
    problems: list[Problem] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(path, 1, "missing front matter: the file must start with a '---' line"))
        return Document({}, text, 1, {}), problems
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(Problem(path, 1, "front matter is not closed: add a '---' line after it"))
        return Document({}, "", len(lines) + 1, {}), problems
    raw = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1:])
    meta: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
        loaded = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(path, line, f"front matter is not valid YAML: {reason}"))
        return Document({}, body, end + 2, {}), problems
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        problems.append(Problem(path, 2, "front matter must be a mapping of 'key: value' lines"))
        return Document({}, body, end + 2, {}), problems
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    meta = {str(k): v for k, v in loaded.items()}
    return Document(meta, body, end + 2, key_lines), problems


def check_keys(doc: Document, path: str, allowed: set[str], required: set[str]) -> list[Problem]:
    """Unknown keys (with a 'did you mean') and missing required ones."""
    problems = []
    for key in doc.meta:
        if key not in allowed:
            guess = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else f"; allowed: {', '.join(sorted(allowed))}"
            problems.append(Problem(path, doc.key_lines.get(key, 1), f"unknown front matter key '{key}'{hint}"))
    for key in sorted(required):
        value = doc.meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(path, 1, f"front matter needs '{key}'"))
    return problems
