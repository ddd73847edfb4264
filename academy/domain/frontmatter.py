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
    if (refusal := _refuse_costly_yaml(raw)) is not None:
        problems.append(Problem(path, refusal[0], refusal[1]))
        return Document({}, body, end + 2, {}), problems
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


#: Front matter is a handful of keys: bounds far above that, far below what costs.
MAX_CHARACTERS = 20_000
MAX_DEPTH = 10


def _refuse_costly_yaml(raw: str) -> tuple[int, str] | None:
    """(line, message) for front matter too large, with anchors/aliases, or nested too deep; else None.

    ``safe_load`` builds no objects, but aliases can still multiply what later code walks (the
    "billion laughs") and the composer recurses once per nesting level; the token scan is linear.
    """
    if len(raw) > MAX_CHARACTERS:
        return 2, f"front matter has {len(raw):,} characters; the limit is {MAX_CHARACTERS:,}"
    depth = 0
    try:
        for token in yaml.scan(raw, Loader=yaml.SafeLoader):
            line = 2 + token.start_mark.line
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                return line, "front matter must not use YAML anchors or aliases ('&name', '*name')"
            if isinstance(token, (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
                                  yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                depth += 1
                if depth > MAX_DEPTH:
                    return line, f"front matter nests more than {MAX_DEPTH} levels deep"
            elif isinstance(token, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
    except yaml.YAMLError:
        return None  # the loader below reports it with its line
    return None


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
