"""Moodle GIFT question files turned into questions in this site's quiz format.

GIFT (https://docs.moodle.org/en/GIFT_format) writes one question per paragraph::

    // a comment
    $CATEGORY: $course$/Major incidents
    ::Priority::[markdown] Priority is impact times... {
      =urgency#Right: how fast the harm grows.
      ~severity#Severity describes impact.
      ####Priority = impact x urgency.
    }

:func:`import_gift` maps what the quiz format can express (multiple choice, multiple answers,
true/false, missing-word multiple choice, feedback, general feedback) and reports every other
question with its line number and the reason, so nothing disappears silently. ``docs/gift-import.md``
is the table of what maps to what. The result is the body of a quiz file: ``#`` sections and
``##`` questions, ready to follow a quiz's front matter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import frontmatter
from .quiz_format import slugify

DEFAULT_SECTION = "Imported questions"
#: The blank in a missing-word question, escaped so Markdown shows underscores, not emphasis.
BLANK = r"\_\_\_\_\_"
_ESCAPES = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "\\": "\\", "n": "\n"}
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}
_FORMAT = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
_VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SCENARIO_HEADING = re.compile(r"^(branching )?scenario:", re.IGNORECASE)
#: Lines that the quiz format would read as structure if they appeared in a question's text.
_STRUCTURAL_LINE = re.compile(r"^(\s{0,3})(#|[-*+][ \t]+\[[ xX]\])")


@dataclass(frozen=True)
class Skipped:
    """A question that was not imported: where it starts in the GIFT file and why."""

    line: int
    title: str
    reason: str


@dataclass(frozen=True)
class Note:
    """A question that was imported with a change an author should know about."""

    line: int
    message: str


@dataclass(frozen=True)
class GiftImport:
    """The outcome of an import: the quiz body and the report."""

    #: ``#`` sections and ``##`` questions in the quiz format; empty when nothing was imported.
    markdown: str
    imported: int
    skipped: tuple[Skipped, ...]
    notes: tuple[Note, ...]


class _Skip(Exception):
    """Raised while reading a question to skip it; never leaves this module."""


@dataclass
class _Answer:
    marker: str
    text: str
    weight: float | None
    feedback: str


@dataclass
class _Option:
    text: str
    correct: bool
    feedback: str = ""


@dataclass
class _Question:
    line: int
    title: str
    text: str
    options: list[_Option]
    explanation: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class _Paragraph:
    line: int
    text: str


def import_gift(text: str, *, taken_keys: frozenset[str] = frozenset(),
                section: str = DEFAULT_SECTION) -> GiftImport:
    """Convert a GIFT file to quiz Markdown; ``taken_keys`` are question keys the quiz already uses.

    Questions before any ``$CATEGORY`` go under a ``# section`` heading, so they never join a
    scenario that ends the quiz they are appended to.
    """
    writer = _Writer(set(taken_keys))
    skipped: list[Skipped] = []
    notes: list[Note] = []
    heading = section
    for paragraph in _paragraphs(text):
        if paragraph.text.startswith("$CATEGORY:"):
            first, _, rest = paragraph.text.partition("\n")
            heading = _category_name(first) or section
            if not rest.strip():
                continue
            paragraph = _Paragraph(paragraph.line + 1, rest)
        title = _title_of(paragraph.text)
        try:
            question = _read_question(paragraph)
        except _Skip as reason:
            skipped.append(Skipped(paragraph.line, title, str(reason)))
            continue
        writer.add(heading, question)
        notes += (Note(question.line, message) for message in question.notes)
    return GiftImport(writer.markdown(), writer.count, tuple(skipped), tuple(notes))


def add_to_quiz(quiz_text: str, questions: str, *, replace: bool) -> str:
    """A quiz file with imported ``questions`` after its own, or instead of them (front matter kept)."""
    text = quiz_text.replace("\r\n", "\n")
    if replace:
        doc, _ = frontmatter.split(text, "")
        head = "\n".join(text.removeprefix("\ufeff").split("\n")[:doc.body_line - 1])
        return f"{head}\n{questions}" if head else questions
    return f"{text.rstrip()}\n\n{questions}"


# --- Reading the file ------------------------------------------------------------------------------

def _paragraphs(text: str) -> list[_Paragraph]:
    """Blocks of lines separated by blank lines, without ``//`` comment lines; with first-line numbers."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    paragraphs: list[_Paragraph] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                paragraphs.append(_Paragraph(start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        paragraphs.append(_Paragraph(start, "\n".join(current)))
    return paragraphs


def _category_name(line: str) -> str:
    """``$CATEGORY: $course$/top/Major incidents`` -> ``Major incidents``."""
    name = line.removeprefix("$CATEGORY:").strip().rstrip("/").rsplit("/", 1)[-1].strip()
    name = " ".join(name.split())
    return f"Category: {name}" if _SCENARIO_HEADING.match(name) else name


def _find(text: str, token: str, start: int = 0) -> int:
    """Index of the first ``token`` at or after ``start`` that is not backslash-escaped, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(token, i):
            return i
        else:
            i += 1
    return -1


def _split(text: str, token: str) -> list[str]:
    """``text`` cut at every unescaped ``token``."""
    parts, start = [], 0
    while (at := _find(text, token, start)) >= 0:
        parts.append(text[start:at])
        start = at + len(token)
    parts.append(text[start:])
    return parts


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _title_of(text: str) -> str:
    """The ``::title::`` of a question, or its first words, for the report."""
    if text.startswith("::") and (end := _find(text, "::", 2)) >= 0:
        return " ".join(_unescape(text[2:end]).split())
    words = " ".join(_unescape(text.split("{", 1)[0]).split())
    return words if len(words) <= 60 else words[:57] + "..."


def _read_question(paragraph: _Paragraph) -> _Question:
    """One GIFT question as options, or :class:`_Skip` with the reason it cannot be imported."""
    text, title = paragraph.text, ""
    if text.startswith("::"):
        end = _find(text, "::", 2)
        if end < 0:
            raise _Skip("the title is not closed: write ::Title:: before the question")
        title, text = " ".join(_unescape(text[2:end]).split()), text[end + 2:]
    opening = _find(text, "{")
    if opening < 0:
        raise _Skip("no answers in { }: Moodle calls this a description, and quizzes here have no such item")
    closing = _find(text, "}", opening + 1)
    if closing < 0:
        raise _Skip("the answers are not closed: add '}' after the last answer")
    before, answers, after = text[:opening], text[opening + 1:closing], text[closing + 1:]
    if _find(after, "{") >= 0:
        raise _Skip("several answer blocks in one question (cloze) are not supported")
    fmt, before = _text_format(before)
    convert = _CONVERTERS[fmt]
    notes = [f"{fmt.upper()} formatting became plain text"] if fmt == "html" and "<" in before + answers else []
    options, explanation = _options(answers, convert, notes)
    if after.strip():
        prompt = f"{convert(before).rstrip()} {BLANK} {convert(after).lstrip()}".strip()
    else:
        prompt = convert(before).strip()
    if not prompt:
        if not title:
            raise _Skip("the question has no text")
        prompt = _escape_markdown(title)
    return _Question(paragraph.line, title, prompt, options, explanation, notes)


def _text_format(text: str) -> tuple[str, str]:
    """Strip a leading ``[markdown]``, ``[html]``, ``[plain]`` or ``[moodle]``; Moodle's default is moodle."""
    match = _FORMAT.match(text)
    if match is None:
        return "moodle", text
    return match.group(1).lower(), text[match.end():]


def _options(block: str, convert: Callable[[str], str], notes: list[str]) -> tuple[list[_Option], str]:
    """The options and general feedback (``####``) of an answer block."""
    parts = _split(block, "####")
    answers_text, explanation = parts[0], convert("####".join(parts[1:])).strip()
    stripped = answers_text.strip()
    if not stripped:
        raise _Skip("essay question (empty { }): learners' own writing cannot be graded here")
    if stripped.startswith("#"):
        raise _Skip("numerical question ({#...}): only questions with options are supported")
    head, *feedback = _split(stripped, "#")
    value = _TRUE_FALSE.get(head.strip().lower())
    if value is not None:
        return _true_false(value, [convert(f).strip() for f in feedback]), explanation
    answers = _answers(stripped, convert)
    if any(_find(a.text, "->") >= 0 for a in answers):
        raise _Skip("matching question (->): only questions with options are supported")
    if all(a.marker == "=" for a in answers):
        raise _Skip("short-answer question (every answer starts with '='): learners type these, "
                    "and quizzes here only have options")
    right = [a for a in answers if a.marker == "="]
    if len(right) > 1:
        raise _Skip("several answers marked '=': Moodle accepts any one of them, which quizzes here "
                    "cannot express; keep one '=' or give weights with ~%50%")
    if right:
        correct = right
        if any(a.weight and a.weight > 0 for a in answers if a.marker == "~"):
            notes.append("partial credit for a wrong answer was dropped: only the '=' answer earns the point")
    else:
        correct = [a for a in answers if a.weight and a.weight > 0]
        if not correct:
            raise _Skip("no right answer: mark one with '=' or give weights with ~%50%")
        if len(correct) > 1 or any(a.weight != 100 for a in correct):
            notes.append("weights became all or nothing: the point needs exactly the answers with a positive weight")
    if len(answers) < 2:
        raise _Skip("a question needs at least two answers")
    options = [_Option(_one_line(a.text), any(a is c for c in correct), a.feedback) for a in answers]
    if any(not o.text for o in options):
        raise _Skip("an answer has no text")
    return options, explanation


def _true_false(value: bool, feedback: list[str]) -> list[_Option]:
    """``{T#shown when wrong#shown when right}`` as two options."""
    wrong = feedback[0] if feedback else ""
    right = feedback[1] if len(feedback) > 1 else ""
    return [_Option("True", value, right if value else wrong), _Option("False", not value, wrong if value else right)]


def _answers(block: str, convert: Callable[[str], str]) -> list[_Answer]:
    starts = sorted(i for token in "=~" for i in _positions(block, token))
    if not starts or block[:starts[0]].strip():
        raise _Skip("answers start with '=' (right) or '~' (wrong)")
    answers = []
    for start, end in zip(starts, [*starts[1:], len(block)], strict=True):
        body = block[start + 1:end]
        weight = None
        if body.startswith("%"):
            close = body.find("%", 1)
            try:
                weight = float(body[1:close]) if close > 0 else None
            except ValueError:
                weight = None
            if weight is None:
                raise _Skip(f"the weight in '{_unescape(body[:12]).strip()}' is not a percentage like %50%")
            body = body[close + 1:]
        text, *feedback = _split(body, "#")
        answers.append(_Answer(block[start], convert(text), weight, convert("#".join(feedback)).strip()))
    return answers


def _positions(text: str, token: str) -> list[int]:
    found, at = [], _find(text, token)
    while at >= 0:
        found.append(at)
        at = _find(text, token, at + 1)
    return found


# --- Text formats ----------------------------------------------------------------------------------

class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _from_html(text: str) -> str:
    parser = _TextOnly()
    parser.feed(_unescape(text))
    parser.close()
    return _escape_markdown(" ".join("".join(parser.parts).split()))


def _escape_markdown(text: str) -> str:
    """``text`` shown literally: Markdown's punctuation escaped, HTML's as entities."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return re.sub(r"([\\`*_\[\]>#|!])", r"\\\1", text)


_CONVERTERS: dict[str, Callable[[str], str]] = {
    "markdown": _unescape,
    "moodle": _unescape,
    "plain": lambda text: _escape_markdown(_unescape(text)),
    "html": _from_html,
}


def _one_line(text: str) -> str:
    """Option text: one line, braces as entities so the quiz format never reads them as attributes."""
    return " ".join(text.split()).replace("{", "&#123;").replace("}", "&#125;")


#: A line that starts a Markdown block of its own (list item, quote, fence, table, heading).
_BLOCK_START = re.compile(r"^\s*([-*+] |\d+[.)] |>|```|~~~|\||#)")


def _first_paragraph(text: str) -> tuple[str, str]:
    """(the prompt, the rest): the prompt is the first paragraph, whole even when GIFT wraps it over
    several lines; it ends at a blank line or at a line that starts a list, quote, code or table."""
    lines = text.split("\n")
    end = 1
    while end < len(lines) and lines[end].strip() and not _BLOCK_START.match(lines[end]):
        end += 1
    return "\n".join(lines[:end]), "\n".join(lines[end:])


# --- Writing the quiz format -----------------------------------------------------------------------

class _Writer:
    """Accumulates questions as quiz Markdown, giving each a key no other question has."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self.lines: list[str] = []
        self.section: str | None = None
        self.count = 0

    def add(self, section: str, question: _Question) -> None:
        if section != self.section:
            self.lines += [f"# {section}", ""]
            self.section = section
        first, rest = _first_paragraph(question.text.strip("\n"))
        prompt = _one_line(first)
        self.lines.append(f"## {prompt}{self._explicit_id(question.title, prompt)}")
        body = [_protect(line) for line in rest.strip("\n").split("\n")] if rest.strip() else []
        if body:
            self.lines += ["", *body]
        self.lines.append("")
        for option in question.options:
            self.lines.append(f"- [{'x' if option.correct else ' '}] {option.text}")
            self.lines += (f"  > {line}".rstrip() for line in option.feedback.split("\n") if option.feedback)
        if question.explanation:
            self.lines += ["", *(f"> {line}".rstrip() for line in question.explanation.split("\n"))]
        self.lines.append("")
        self.count += 1

    def _explicit_id(self, title: str, prompt: str) -> str:
        """`` {#id}`` from the GIFT title; or nothing when the prompt's own slug is a free key."""
        wanted = slugify(title) if title else ""
        if not _VALID_ID.match(wanted):
            natural = slugify(prompt)
            if natural and natural not in self.taken:
                self.taken.add(natural)
                return ""
            wanted = "question"
        key, n = wanted, 1
        while key in self.taken:
            n += 1
            key = f"{wanted}-{n}"
        self.taken.add(key)
        return f" {{#{key}}}"

    def markdown(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n" if self.lines else ""


def _protect(line: str) -> str:
    """Escape a question-text line that the quiz format would otherwise read as a heading or an option."""
    return _STRUCTURAL_LINE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", line, count=1)
