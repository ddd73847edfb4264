"""The quiz file format: Markdown with front matter, parsed into a :class:`QuizDef`.

``docs/authoring.md`` is the contract with instructors; this module implements it. Parsing renders
every piece of Markdown once, so a parsed quiz (stored as JSON per content version) is all a page
needs. Every authoring mistake is reported as a :class:`~academy.domain.problems.Problem` with the
line to fix; a file with any problem yields no quiz at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from markdown.extensions.toc import slugify_unicode

from . import frontmatter
from .problems import Problem
from .rendering import RenderRefused, render, render_inline

ALLOWED_KEYS = {"title", "module", "final", "pass_mark", "attempts", "draw", "time_limit", "review"}
DEFAULT_PASS_MARK = 70
CHOICE_ATTRIBUTES = {"next", "points", "critical"}
#: Attributes a heading's ``{...}`` block may hold besides ``#id``.
HEADING_ATTRIBUTES = {"tags", "outcome"}
#: ``review:``: ``full`` shows keys, feedback and explanations after an attempt; ``summary`` only the
#: score, the pass/fail and the per-objective results (see docs/authoring.md).
REVIEW_MODES = ("full", "summary")
OUTCOMES = ("pass", "fail")

_HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_HEADING_BLOCK = re.compile(r"^(.*?)[ \t]*\{[ \t]*(#[^{}]*|(?:tags|outcome)[ \t]*:[^{}]*)\}$")
_ATTRIBUTE_NAME = re.compile(r"([A-Za-z_]+)[ \t]*:")
_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_OPTION = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*?))?[ \t]*$")
_PLAIN_ITEM = re.compile(r"^ {0,3}[-*+][ \t]+\S")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_ATTRIBUTES = re.compile(r"^(.*?)[ \t]*\{([^{}]*)\}$", re.DOTALL)
_SCENARIO = re.compile(r"^scenario:[ \t]*(.*)$", re.IGNORECASE)
_BRANCHING = re.compile(r"^branching scenario:[ \t]*(.*)$", re.IGNORECASE)
_ENDING = re.compile(r"^ending:", re.IGNORECASE)


# --- The parsed quiz ------------------------------------------------------------------------------

@dataclass
class Option:
    """One answer option; ``key`` is its letter in the file ("a", "b", ...), stable per version."""

    key: str
    text_html: str
    correct: bool
    feedback_html: str = ""
    #: Line of the option in the file (0 in versions stored before lines were kept).
    line: int = 0


@dataclass
class Question:
    """An ordinary question, worth one point."""

    key: str
    prompt: str
    prompt_html: str
    body_html: str
    options: list[Option]
    explanation_html: str = ""
    #: More than one correct option: answered with checkboxes, full marks only for the exact set.
    multiple: bool = False
    #: Objectives or modules the question tests: its own tags, then its scenario's.
    tags: list[str] = field(default_factory=list)
    line: int = 0

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    @property
    def correct_keys(self) -> frozenset[str]:
        return frozenset(o.key for o in self.options if o.correct)


@dataclass
class Scenario:
    """A narrative shared by the questions under it; always drawn whole."""

    title: str
    narrative_html: str
    questions: list[Question]
    #: The scenario heading's own tags (each of its questions carries them too).
    tags: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Choice:
    """A choice in a branching step: where it leads, what it scores and what happens next."""

    key: str
    text_html: str
    next: str
    points: int
    critical: bool = False
    #: Marked ``[x]``: the call the author recommends (for analytics and the review page).
    recommended: bool = False
    consequence_html: str = ""
    line: int = 0


@dataclass
class Step:
    """A step of a branching scenario; one without choices is an ending."""

    id: str
    title: str
    body_html: str
    choices: list[Choice]
    #: An ending's verdict: "pass", "fail" (fails the attempt whatever the points) or None (points decide).
    outcome: str | None = None
    line: int = 0

    @property
    def is_ending(self) -> bool:
        return not self.choices

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.choices if c.key == key), None)


@dataclass(frozen=True)
class PathStats:
    """How many routes lead through a branching scenario, and their lowest and highest score."""

    paths: int
    min_points: int
    max_points: int


@dataclass
class BranchingScenario:
    """A scenario walked one step at a time, starting at its first step."""

    id: str
    title: str
    narrative_html: str
    steps: list[Step]
    tags: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def path_stats(self) -> PathStats:
        """Count the paths from the first step to an ending and their score range.

        Only meaningful for a scenario that parsed without problems (no cycles, no dangling ``next``).
        Kept once computed (per number of steps), since checks ask for it once per ending or score.
        """
        cached = self.__dict__.get("_path_stats")
        if cached is not None and cached[0] == len(self.steps):
            return cached[1]
        stats = self._compute_path_stats()
        self.__dict__["_path_stats"] = (len(self.steps), stats)
        return stats

    def _compute_path_stats(self) -> PathStats:
        memo: dict[str, PathStats] = {}
        for step in self._bottom_up():
            if step.is_ending:
                memo[step.id] = PathStats(1, 0, 0)
                continue
            below = [(c.points, memo[c.next]) for c in step.choices]
            memo[step.id] = PathStats(
                sum(s.paths for _, s in below),
                min(p + s.min_points for p, s in below),
                max(p + s.max_points for p, s in below),
            )
        return memo[self.first_step.id]

    def _bottom_up(self) -> list[Step]:
        """The steps reachable from the first, each after every step its choices lead to.

        A depth-first walk with an explicit stack, not recursion: a scenario may chain thousands of steps.
        """
        by_id = {s.id: s for s in self.steps}
        order: list[Step] = []
        done: set[str] = set()
        on_path = {self.first_step.id}
        stack = [(self.first_step.id, 0)]
        while stack:
            step_id, index = stack[-1]
            step = by_id[step_id]
            choices = [] if step.is_ending else step.choices
            if index < len(choices):
                stack[-1] = (step_id, index + 1)
                target = choices[index].next
                if target in on_path:
                    raise ValueError(f"branching scenario '{self.id}' has a cycle through step '{target}'")
                if target not in done:
                    on_path.add(target)
                    stack.append((target, 0))
                continue
            stack.pop()
            on_path.discard(step_id)
            done.add(step_id)
            order.append(step)
        return order

    @property
    def best_points(self) -> int:
        """The points on the best path: what the scenario is worth in a quiz."""
        return self.path_stats().max_points

    def ending_scores(self) -> dict[str, set[int]]:
        """Each reachable ending's id and the path scores that reach it.

        Only meaningful for a scenario that parsed without problems (no cycles, no dangling ``next``).
        """
        memo: dict[str, set[tuple[str, int]]] = {}
        for step in self._bottom_up():
            if step.is_ending:
                memo[step.id] = {(step.id, 0)}
            else:
                memo[step.id] = {(end, c.points + score) for c in step.choices for end, score in memo[c.next]}

        found: dict[str, set[int]] = {}
        for end, score in memo[self.first_step.id]:
            found.setdefault(end, set()).add(score)
        return found

    def passes(self, points: int, pass_mark: int) -> bool:
        """Whether ``points`` on this scenario alone reach ``pass_mark`` percent of its best path."""
        return points * 100 >= pass_mark * self.best_points


Unit = Question | Scenario | BranchingScenario


def unit_questions(unit: Unit) -> int:
    """How many questions a unit counts for in ``draw``: a branching scenario counts as one."""
    return len(unit.questions) if isinstance(unit, Scenario) else 1


def unit_tags(unit: Unit) -> list[str]:
    """A unit's tags in order: a scenario's own, then those its questions add."""
    if isinstance(unit, Scenario):
        return list(dict.fromkeys([*unit.tags, *(t for q in unit.questions for t in q.tags)]))
    return list(unit.tags)


def blueprint_bucket(unit: Unit, blueprint: dict[str, int]) -> str | None:
    """The draw bucket of a unit: its first tag that the blueprint names (None: never drawn)."""
    return next((t for t in unit_tags(unit) if t in blueprint), None)


def unit_points(unit: Unit) -> int:
    """The points a unit is worth: 1 per ordinary question, the best path for a branching scenario."""
    if isinstance(unit, BranchingScenario):
        return unit.best_points
    return unit_questions(unit)


@dataclass
class QuizDef:
    """A parsed quiz file: its rules and its units (questions, scenarios, branching scenarios)."""

    slug: str
    title: str
    module: str | None
    final: bool
    units: list[Unit]
    pass_mark: int = DEFAULT_PASS_MARK
    attempts: int | None = None
    draw: int | None = None
    time_limit: int | None = None
    #: ``draw:`` given as a mapping: tag -> questions drawn from the units in that tag's bucket
    #: (``draw`` is then their sum).
    blueprint: dict[str, int] | None = None
    #: One of :data:`REVIEW_MODES`.
    review: str = "full"

    @property
    def question_count(self) -> int:
        """Questions in the bank (a branching scenario counts as one)."""
        return sum(unit_questions(u) for u in self.units)

    @property
    def max_points(self) -> int:
        """Points possible if every unit is asked."""
        return sum(unit_points(u) for u in self.units)

    @property
    def drawn_count(self) -> int:
        """Questions asked per attempt, as promised on the start page."""
        return min(self.draw, self.question_count) if self.draw else self.question_count

    def questions(self) -> list[Question]:
        """Every ordinary question, standalone or in a scenario, in file order."""
        found: list[Question] = []
        for unit in self.units:
            if isinstance(unit, Question):
                found.append(unit)
            elif isinstance(unit, Scenario):
                found.extend(unit.questions)
        return found

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions() if q.key == key), None)

    def branching(self, scenario_id: str) -> BranchingScenario | None:
        return next((u for u in self.units if isinstance(u, BranchingScenario) and u.id == scenario_id), None)

    def branching_scenarios(self) -> list[BranchingScenario]:
        return [u for u in self.units if isinstance(u, BranchingScenario)]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; :meth:`from_dict` restores an equal quiz."""
        data = asdict(self)
        data["units"] = [{"kind": _KINDS[type(u)], **asdict(u)} for u in self.units]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuizDef:
        fields = {k: v for k, v in data.items() if k != "units"}
        return cls(units=[_unit_from_dict(u) for u in data["units"]], **fields)


_KINDS: dict[type, str] = {Question: "question", Scenario: "scenario", BranchingScenario: "branching"}


def _question_from_dict(data: dict[str, Any]) -> Question:
    data = {k: v for k, v in data.items() if k != "kind"}
    return Question(**{**data, "options": [Option(**o) for o in data["options"]]})


def _unit_from_dict(data: dict[str, Any]) -> Unit:
    kind = data["kind"]
    if kind == "question":
        return _question_from_dict(data)
    if kind == "scenario":
        return Scenario(**{**_plain(data), "questions": [_question_from_dict(q) for q in data["questions"]]})
    steps = [Step(**{**s, "choices": [Choice(**c) for c in s["choices"]]}) for s in data["steps"]]
    return BranchingScenario(**{**_plain(data), "steps": steps})


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "kind"}


@dataclass(frozen=True)
class BranchingSummary:
    """One line of ``content check`` output about a branching scenario."""

    id: str
    stats: PathStats

    def __str__(self) -> str:
        s = self.stats
        return (f"branching scenario '{self.id}': {s.paths} path{'s' if s.paths != 1 else ''}, "
                f"score {s.min_points}-{s.max_points}")


def branching_summaries(quiz: QuizDef) -> list[BranchingSummary]:
    """Each branching scenario's number of paths and lowest and highest possible score."""
    return [BranchingSummary(b.id, b.path_stats()) for b in quiz.branching_scenarios()]


def ending_summaries(quiz: QuizDef) -> list[str]:
    """One line per reachable ending: its outcome and the path scores that reach it, against the pass mark."""
    lines = []
    for scenario in quiz.branching_scenarios():
        needed = -(-quiz.pass_mark * scenario.best_points // 100)
        reached = scenario.ending_scores()
        for step in (s for s in scenario.steps if s.id in reached):
            step_id, scores = step.id, reached[step.id]
            outcome = step.outcome or "none (the points decide)"
            lines.append(f"branching scenario '{scenario.id}': ending '{step_id}', outcome {outcome}, "
                         f"reached with {_score_list(scores)} of {scenario.best_points} points "
                         f"(pass needs {needed})")
    return lines


def _score_list(scores: set[int]) -> str:
    ordered = sorted(scores)
    return ", ".join(str(s) for s in ordered) if len(ordered) <= 6 else f"{ordered[0]}-{ordered[-1]}"


# --- Parsing ------------------------------------------------------------------------------------

Line = tuple[int, str]


@dataclass
class _Section:
    """A ``#`` or ``##`` heading and the lines up to the next one."""

    level: int
    heading: str
    line: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class _RawOption:
    line: int
    marked: bool
    text: list[str]
    feedback: list[str] = field(default_factory=list)


@dataclass
class _StepSource:
    """Where a parsed step and its choices are in the file, for the graph check's messages."""

    step: Step
    line: int
    choice_lines: list[int]
    #: Every choice parsed (a broken ``{...}`` leaves the graph incomplete, so it is not checked).
    complete: bool


@dataclass
class _Block:
    """A question or step split into its parts, before rendering."""

    body: list[str] = field(default_factory=list)
    options: list[_RawOption] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    explanation_line: int = 0


@dataclass
class _BlockState:
    """Where the parser is in a question: the part being read, an open code fence."""

    block: _Block
    section: _Section
    what: str
    phase: str = "body"  # body, options, explanation
    fence: str | None = None
    previous_blank: bool = False
    previous_quote: bool = False


@dataclass(frozen=True)
class _Line:
    """One line of a question, with what the parser asks of it."""

    number: int
    raw: str
    text: str
    stripped: str
    indented: bool
    is_quote: bool

    @classmethod
    def read(cls, number: int, raw: str) -> _Line:
        text = raw.expandtabs(4)
        stripped = text.strip()
        return cls(number, raw, text, stripped, len(text) - len(text.lstrip(" ")) >= 2, stripped.startswith(">"))


def parse_quiz(text: str, path: str) -> tuple[QuizDef | None, list[Problem]]:
    """Parse a quiz file. Returns the quiz and no problems, or None and every problem found."""
    doc, problems = frontmatter.split(text, path)
    problems += frontmatter.check_keys(doc, path, ALLOWED_KEYS, {"title"})
    rules = _parse_rules(doc, path, problems)
    parser = _BodyParser(path, rules["pass_mark"])
    units = _parse_body(parser, doc, path, problems)
    problems += parser.problems
    if not units and not parser.problems:
        problems.append(Problem(path, doc.body_line, "the quiz has no questions: add a '## question' heading"))
    draw = rules["draw"]
    bank = sum(unit_questions(u) for u in units)
    if rules["blueprint"] and units:
        problems += [Problem(path, doc.key_lines.get("draw", 1), message)
                     for message in blueprint_problems(units, rules["blueprint"])]
    elif draw is not None and units and draw > bank:
        problems.append(Problem(path, doc.key_lines.get("draw", 1),
                                f"draw is {draw} but the quiz has only {bank} question{'s' if bank != 1 else ''}"))
    if problems:
        return None, sorted(set(problems))
    slug = path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")
    return QuizDef(slug=slug, units=units, **rules), []


#: A quiz file's body (the final exam of the flagship course is about 75,000 characters).
MAX_QUIZ_CHARACTERS = 1_000_000


def _parse_body(parser: _BodyParser, doc: frontmatter.Document, path: str, problems: list[Problem]) -> list:
    """The body's units; a text past the size limit, or a snippet over the time budget, refuses the file."""
    if len(doc.body) > MAX_QUIZ_CHARACTERS:
        problems.append(Problem(path, doc.body_line, f"this quiz has {len(doc.body):,} characters; the limit is "
                                                     f"{MAX_QUIZ_CHARACTERS:,}: split it into several quizzes"))
        return []
    try:
        return parser.parse(doc.body, doc.body_line)
    except RenderRefused as exc:  # over the time budget: the whole file is refused
        problems.append(Problem(path, doc.body_line, exc.message))
        return []


def _parse_rules(doc: frontmatter.Document, path: str, problems: list[Problem]) -> dict[str, Any]:
    meta = doc.meta

    def line(key: str) -> int:
        return doc.key_lines.get(key, 1)

    rules: dict[str, Any] = {"title": "", "module": None, "final": False, "pass_mark": DEFAULT_PASS_MARK,
                             "attempts": None, "draw": None, "time_limit": None, "blueprint": None,
                             "review": "full"}
    _parse_placement(meta, line, path, problems, rules)
    _parse_scoring(meta, line, path, problems, rules)
    return rules


def _parse_placement(meta: dict[str, Any], line: Callable[[str], int], path: str, problems: list[Problem],
                     rules: dict[str, Any]) -> None:
    """``title``, and where the quiz belongs: a ``module`` or ``final: true``, into ``rules``."""
    title = meta.get("title")
    if isinstance(title, str):
        rules["title"] = title.strip()
    elif title is not None:
        problems.append(Problem(path, line("title"), "title must be text"))

    module = meta.get("module")
    if isinstance(module, (str, int)) and not isinstance(module, bool) and str(module).strip():
        rules["module"] = str(module).strip()
    elif module is not None:
        problems.append(Problem(path, line("module"), "module must be a module's file name, e.g. 04-in-house-models"))
    final = meta.get("final", False)
    if isinstance(final, bool):
        rules["final"] = final
    else:
        problems.append(Problem(path, line("final"), "final must be true or false"))
    if rules["module"] and rules["final"]:
        problems.append(Problem(path, line("final"), "a quiz has either 'module' or 'final: true', not both"))
    elif module is None and not rules["final"]:
        problems.append(Problem(path, 1, "front matter needs 'module' (the module the quiz checks) "
                                         "or 'final: true' (the certification exam)"))


def _parse_scoring(meta: dict[str, Any], line: Callable[[str], int], path: str, problems: list[Problem],
                   rules: dict[str, Any]) -> None:
    """How the quiz is drawn, timed and marked (``pass_mark``, ``review``, ``draw``, ``attempts``,
    ``time_limit``), into ``rules``."""
    pass_mark = meta.get("pass_mark", DEFAULT_PASS_MARK)
    if _is_int(pass_mark) and 0 <= pass_mark <= 100:
        rules["pass_mark"] = pass_mark
    else:
        problems.append(Problem(path, line("pass_mark"), "pass_mark must be a whole number from 0 to 100"))
    review = meta.get("review", "full")
    if review in REVIEW_MODES:
        rules["review"] = review
    else:
        problems.append(Problem(path, line("review"), "review must be 'full' (keys, feedback and explanations "
                                                      "after an attempt) or 'summary' (score and objectives only)"))
    if isinstance(meta.get("draw"), dict):
        rules["blueprint"] = _parse_blueprint(meta["draw"], path, line("draw"), problems)
        rules["draw"] = sum(rules["blueprint"].values()) if rules["blueprint"] else None
    for key, unit in (("attempts", ""), ("draw", ""), ("time_limit", " (minutes)")):
        value = meta.get(key)
        if (value is None and key not in meta) or (key == "draw" and isinstance(value, dict)):
            continue
        if _is_int(value) and value > 0:
            rules[key] = value
        else:
            problems.append(Problem(path, line(key), f"{key} must be a whole number greater than 0{unit}"))


def _parse_blueprint(raw: dict[Any, Any], path: str, line: int, problems: list[Problem]) -> dict[str, int] | None:
    """``draw: {tag: n, ...}`` -> the mapping, or None after reporting what is wrong with it."""
    found: dict[str, int] = {}
    for tag, count in raw.items():
        if not isinstance(tag, str) or not _TAG.match(tag):
            problems.append(Problem(path, line, f"draw: '{tag}' is not a tag: use lower-case letters, digits "
                                                "and hyphens, as in the headings' {tags: ...}"))
        elif not _is_int(count) or count <= 0:
            problems.append(Problem(path, line, f"draw: the number for '{tag}' must be a whole number greater "
                                                "than 0 (questions drawn with that tag)"))
        else:
            found[tag] = count
    if not raw:
        problems.append(Problem(path, line, "draw: the mapping is empty: give 'tag: number' pairs, or a number"))
    return found if len(found) == len(raw) and found else None


def blueprint_problems(units: list[Unit], blueprint: dict[str, int]) -> list[str]:
    """Why a blueprinted draw cannot be met: each bucket must hold units of one size, enough of them."""
    messages = []
    for tag, count in blueprint.items():
        bucket = [u for u in units if blueprint_bucket(u, blueprint) == tag]
        sizes = sorted({unit_questions(u) for u in bucket})
        held = sum(unit_questions(u) for u in bucket)
        if not bucket:
            messages.append(f"draw asks {count} question{'s' if count != 1 else ''} tagged '{tag}', but no "
                            f"question or scenario is in that bucket: tag some with {{tags: {tag}}}")
        elif len(sizes) > 1:
            messages.append(f"draw bucket '{tag}' mixes items of {', '.join(map(str, sizes))} questions: a bucket "
                            "holds standalone questions or scenarios of one size, so every attempt gets exactly "
                            f"{count}")
        elif count % sizes[0]:
            messages.append(f"draw asks {count} from '{tag}', whose items are scenarios of {sizes[0]} questions: "
                            f"ask a multiple of {sizes[0]}")
        elif held < count:
            messages.append(f"draw asks {count} from '{tag}', but its bucket holds only {held} "
                            f"question{'s' if held != 1 else ''}")
    return messages


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class _HeadingParts:
    """A heading's text and its optional ``{#id tags: a, b outcome: pass}`` block."""

    text: str
    id: str | None = None
    tags: list[str] = field(default_factory=list)
    outcome: str | None = None
    #: Attribute names given, for refusing those that do not belong on this kind of heading.
    given: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def _split_heading(heading: str) -> _HeadingParts:
    """``"Title {#id tags: a, b}"`` -> its parts; a heading without such a block is all text.

    A trailing ``{...}`` is an attribute block only when it starts with ``#``, ``tags:`` or
    ``outcome:``, so headings that merely end in braces stay text as before.
    """
    match = _HEADING_BLOCK.match(heading)
    if not match:
        return _HeadingParts(heading.strip())
    parts = _HeadingParts(match.group(1).strip())
    block = match.group(2).strip()
    if block.startswith("#"):
        first, _, rest = block[1:].partition(" ")
        if rest.strip() and _ATTRIBUTE_NAME.match(rest.strip()):
            parts.id, block = first.strip(), rest.strip()
        else:
            parts.id, block = block[1:].strip(), ""
    names = list(_ATTRIBUTE_NAME.finditer(block))
    if block and (not names or names[0].start() != 0):
        parts.errors.append(f"'{{{match.group(2).strip()}}}' should be '{{#id tags: a, b}}' (or outcome: pass)")
        return parts
    for i, name_match in enumerate(names):
        name = name_match.group(1)
        value = block[name_match.end():names[i + 1].start() if i + 1 < len(names) else len(block)].strip()
        parts.given.add(name)
        if name == "tags":
            parts.tags = [t for t in re.split(r"[,\s]+", value) if t]
            bad = [t for t in parts.tags if not _TAG.match(t)]
            if bad or not parts.tags:
                parts.errors.append(f"'{', '.join(bad) or value}' is not a tag: tags use lower-case letters, "
                                    "digits and hyphens, separated by commas")
        elif name == "outcome":
            parts.outcome = value.lower()
            if parts.outcome not in OUTCOMES:
                parts.errors.append(f"outcome must be pass or fail, not '{value}'")
        else:
            parts.errors.append(f"unknown heading attribute '{name}': use #id, tags and outcome")
    return parts


def slugify(text: str) -> str:
    """The key a heading gets when it has no explicit ``{#id}``."""
    return slugify_unicode(text, "-").strip("-_")


def _markdown(lines: list[str]) -> str:
    text = "\n".join(lines).strip("\n")
    return render(text).html if text.strip() else ""


def _is_blank(lines: list[Line]) -> bool:
    return all(not text.strip() for _, text in lines)


class _BodyParser:
    """Turns the body of a quiz file into units, collecting problems as it goes."""

    def __init__(self, path: str, pass_mark: int = DEFAULT_PASS_MARK):
        self.path = path
        self.pass_mark = pass_mark
        self.problems: list[Problem] = []
        #: Question keys and branching scenario ids share one namespace (answers are stored by key).
        self.keys: dict[str, int] = {}
        #: The steps of the branching scenario being read.
        self.steps: list[_StepSource] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def _md(self, line: int, lines: list[str]) -> str:
        """``lines`` rendered, or "" after a problem at ``line`` when they are past the rendering limits."""
        try:
            return _markdown(lines)
        except RenderRefused as exc:
            self.problem(line, exc.message)
            return ""

    def _inline(self, line: int, text: str) -> str:
        try:
            return render_inline(text)
        except RenderRefused as exc:
            self.problem(line, exc.message)
            return ""

    # Structure: headings and the sections they open.

    def sections(self, body: str, first_line: int) -> tuple[list[Line], list[_Section]]:
        """Split the body at ``#`` and ``##`` headings outside fenced code."""
        preamble: list[Line] = []
        sections: list[_Section] = []
        fence: str | None = None
        for offset, text in enumerate(body.split("\n")):
            lineno = first_line + offset
            fence_match = _FENCE.match(text)
            if fence_match and (fence is None or fence_match.group(1) == fence):
                fence = fence_match.group(1) if fence is None else None
            elif fence is None and (heading := _HEADING.match(text)) and len(heading.group(1)) <= 2:
                sections.append(_Section(len(heading.group(1)), (heading.group(2) or "").strip(), lineno))
                continue
            (sections[-1].lines if sections else preamble).append((lineno, text))
        return preamble, sections

    def parse(self, body: str, first_line: int) -> list[Unit]:
        preamble, sections = self.sections(body, first_line)
        if not _is_blank(preamble):
            line = next(n for n, t in preamble if t.strip())
            self.problem(line, "text before the first heading is not shown: start a '# Scenario: ...' "
                               "for a narrative, or a '## ...' question")
        units: list[Unit] = []
        container: Scenario | BranchingScenario | None = None
        container_line = 0
        for section in sections:
            if section.level == 1:
                self._close(container, container_line)
                container, container_line = self._open(section), section.line
                if container is not None:
                    units.append(container)
            elif isinstance(container, BranchingScenario):
                source = self._step(section)
                container.steps.append(source.step)
                self.steps.append(source)
            else:
                question = self._question(section, container if isinstance(container, Scenario) else None)
                if question is None:
                    continue
                if isinstance(container, Scenario):
                    container.questions.append(question)
                else:
                    units.append(question)
        self._close(container, container_line)
        return units

    def _heading(self, section: _Section, allowed: set[str], where: str) -> _HeadingParts:
        """Split a heading, reporting a malformed block and attributes this kind of heading cannot take."""
        parts = _split_heading(section.heading)
        for error in parts.errors:
            self.problem(section.line, error)
        for name in sorted(parts.given - allowed):
            hint = ("'outcome' belongs on an ending ('## Ending: ...' step without choices)" if name == "outcome"
                    else "tags go on questions, scenarios and branching scenarios")
            if name in HEADING_ATTRIBUTES:
                self.problem(section.line, f"a {where} takes no '{name}': {hint}")
        return parts

    def _open(self, section: _Section) -> Scenario | BranchingScenario | None:
        """A ``#`` heading: start a scenario or a branching scenario, or end the current one."""
        parts = self._heading(section, {"tags"}, "scenario heading")
        heading, explicit = parts.text, parts.id
        narrative = [t for _, t in section.lines]
        if match := _BRANCHING.match(heading):
            title = match.group(1).strip()
            if not title:
                self.problem(section.line, "a branching scenario needs a name after 'Branching scenario:'")
            scenario_id = self._key(section.line, title, explicit, "branching scenario")
            return BranchingScenario(scenario_id, title, self._md(section.line, narrative), [], tags=parts.tags,
                                     line=section.line)
        if match := _SCENARIO.match(heading):
            title = match.group(1).strip()
            if not title:
                self.problem(section.line, "a scenario needs a name after 'Scenario:'")
            return Scenario(title, self._md(section.line, narrative), [], tags=parts.tags, line=section.line)
        if parts.tags:
            self.problem(section.line, "tags on a '#' heading only work on '# Scenario: ...' and "
                                       "'# Branching scenario: ...'")
        if not _is_blank(section.lines):
            line = next(n for n, t in section.lines if t.strip())
            self.problem(line, f"text under '# {heading}' is not part of any question; only a "
                               "'# Scenario: ...' heading has a narrative")
        return None

    def _close(self, container: Scenario | BranchingScenario | None, line: int) -> None:
        if isinstance(container, Scenario) and not container.questions:
            self.problem(line, f"scenario '{container.title}' has no questions: add '## ...' headings under it")
        if isinstance(container, BranchingScenario):
            if not container.steps:
                self.problem(line, f"branching scenario '{container.id}' has no steps: add '## ...' headings")
            elif all(source.complete for source in self.steps):
                _GraphCheck(self, container, line, self.steps).run()
        self.steps = []

    def _key(self, line: int, text: str, explicit: str | None, what: str) -> str:
        """A question key or scenario id: the explicit ``{#id}`` or the heading's slug; unique."""
        if explicit is not None and not _VALID_ID.match(explicit):
            self.problem(line, f"'{{#{explicit}}}' is not a valid id: use letters, digits, '-' and '_'")
        key = explicit if explicit is not None else slugify(text)
        if not key:
            self.problem(line, f"this {what} needs an explicit id: end the heading with {{#some-id}}")
        elif key in self.keys:
            self.problem(line, f"duplicate key '{key}' (also used on line {self.keys[key]}): "
                               "give one of them a different {#id}")
        else:
            self.keys[key] = line
        return key

    # Questions.

    def _question(self, section: _Section, scenario: Scenario | None) -> Question | None:
        parts = self._heading(section, {"tags"}, "question")
        prompt, explicit = parts.text, parts.id
        if not prompt:
            self.problem(section.line, "a question heading needs the question's text")
        key = self._key(section.line, prompt, explicit, "question")
        block = self._block(section, "question")
        if len(block.options) < 2:
            self.problem(section.line, f"question '{key}' needs at least two options ('- [ ] ...' lines)")
        elif not any(o.marked for o in block.options):
            self.problem(section.line, f"question '{key}' has no correct option: mark one with '- [x]'")
        options = []
        for letter, raw in zip(_letters(), block.options, strict=False):
            text = "\n".join(raw.text).strip()
            if not text:
                self.problem(raw.line, "this option has no text")
            attributes = _ATTRIBUTES.match(text)
            if attributes and "next" in attributes.group(2):
                self.problem(raw.line, "'{next: ...}' belongs to choices in a '# Branching scenario:'; "
                                       "this question is not in one")
            options.append(Option(letter, self._inline(raw.line, text), raw.marked,
                                  self._md(raw.line, raw.feedback), line=raw.line))
        return Question(
            key=key,
            prompt=prompt,
            prompt_html=self._inline(section.line, prompt),
            body_html=self._md(section.line, block.body),
            options=options,
            explanation_html=self._md(section.line, block.explanation),
            multiple=sum(o.correct for o in options) > 1,
            tags=list(dict.fromkeys([*parts.tags, *(scenario.tags if scenario else [])])),
            line=section.line,
        )

    # Branching steps.

    def _step(self, section: _Section) -> _StepSource:
        parts = self._heading(section, {"outcome"}, "step")
        title, explicit = parts.text, parts.id
        if not title:
            self.problem(section.line, "a step heading needs a title")
        if explicit is not None and not _VALID_ID.match(explicit):
            self.problem(section.line, f"'{{#{explicit}}}' is not a valid id: use letters, digits, '-' and '_'")
        step_id = explicit if explicit is not None else slugify(title)
        if not step_id:
            self.problem(section.line, "this step needs an explicit id: end the heading with {#some-id}")
        block = self._block(section, "step")
        if block.explanation:
            self.problem(block.explanation_line, "a step has no explanation: put this text before the "
                                                 "choices, or indent it under a choice as its consequence")
        if _ENDING.match(title) and block.options:
            self.problem(section.line, f"step '{step_id}' is titled as an ending but has choices")
        parsed = [(self._choice(letter, raw), raw.line) for letter, raw in zip(_letters(), block.options, strict=False)]
        choices = [(c, line) for c, line in parsed if c is not None]
        if parts.outcome and block.options:
            self.problem(section.line, f"step '{step_id}' has choices, so it is not an ending: only an ending "
                                       "takes an outcome")
        step = Step(step_id, title, self._md(section.line, block.body), [c for c, _ in choices],
                    outcome=parts.outcome if parts.outcome in OUTCOMES else None, line=section.line)
        return _StepSource(step, section.line, [line for _, line in choices], len(choices) == len(parsed))

    def _choice(self, key: str, raw: _RawOption) -> Choice | None:
        text = "\n".join(raw.text).strip()
        match = _ATTRIBUTES.match(text)
        if not match:
            self.problem(raw.line, "a choice ends with {next: STEP-ID, points: N}")
            return None
        text, attributes = match.group(1).strip(), self._attributes(raw.line, match.group(2))
        if not text:
            self.problem(raw.line, "this choice has no text")
        if attributes is None:
            return None
        return Choice(key, self._inline(raw.line, text), attributes["next"], attributes["points"],
                      attributes["critical"], raw.marked, self._md(raw.line, raw.feedback), line=raw.line)

    def _attributes(self, line: int, raw: str) -> dict[str, Any] | None:
        """``next: bridge, points: 10, critical: true`` -> a dict, or None after reporting problems."""
        found: dict[str, Any] = {"points": 0, "critical": False}
        ok = True
        for part in filter(None, (p.strip() for p in raw.split(","))):
            name, sep, value = (s.strip() for s in part.partition(":"))
            if not sep or not name or not value:
                self.problem(line, f"'{part}' should be 'name: value' in {{next: STEP-ID, points: N}}")
                ok = False
            elif name not in CHOICE_ATTRIBUTES:
                self.problem(line, f"unknown choice attribute '{name}': use next, points and critical")
                ok = False
            elif name == "points" and not re.fullmatch(r"\d+", value):
                self.problem(line, f"points must be a whole number of 0 or more, not '{value}'")
                ok = False
            elif name == "critical" and value.lower() not in ("true", "false"):
                self.problem(line, f"critical must be true or false, not '{value}'")
                ok = False
            else:
                found[name] = int(value) if name == "points" else value.lower() == "true" if name == "critical" \
                    else value
        if "next" not in found:
            if ok:
                self.problem(line, "a choice needs 'next: STEP-ID' saying which step it leads to")
            return None
        return found if ok else None

    # The inside of a question or step.

    def _block(self, section: _Section, what: str) -> _Block:
        """Split a question or step into body, options with feedback, and explanation."""
        state = _BlockState(_Block(), section, what)
        for lineno, raw_text in section.lines:
            line = _Line.read(lineno, raw_text)
            if self._in_fence(state, line):
                continue
            self._place(state, line)
            state.previous_blank = not line.stripped
            state.previous_quote = line.is_quote or (state.previous_quote and bool(line.stripped))
        return state.block

    def _in_fence(self, state: _BlockState, line: _Line) -> bool:
        """A fenced code block goes whole to the part it is in; True for its lines and its fences."""
        fence_match = _FENCE.match(line.text.lstrip() if line.indented else line.text)
        if state.fence is None and not fence_match:
            return False
        if fence_match and (state.fence is None or fence_match.group(1) == state.fence):
            state.fence = fence_match.group(1) if state.fence is None else None
        in_option = state.phase == "options" and line.indented
        self._target(state.block, state.phase).append(line.text[2:] if in_option else line.text)
        return True

    def _place(self, state: _BlockState, line: _Line) -> None:
        option = _OPTION.match(line.text)
        if option:
            self._option(state, line, option)
        elif not line.stripped:
            self._target(state.block, state.phase).append("")
        elif state.phase == "body":
            self._body_line(state, line)
        elif state.phase == "options":
            self._option_line(state, line)
        else:
            self._explanation_line(state, line)

    def _option(self, state: _BlockState, line: _Line, option: re.Match[str]) -> None:
        if state.phase == "explanation":
            self.problem(line.number, f"{'choice' if state.what == 'step' else 'option'} after the explanation: "
                                      "the explanation is a block quote after the last option")
            return
        state.block.options.append(_RawOption(line.number, option.group(1) != " ", [option.group(2) or ""]))
        state.phase = "options"

    def _body_line(self, state: _BlockState, line: _Line) -> None:
        if line.indented and line.is_quote:
            self.problem(line.number, "feedback with no option: indent '> feedback' under an option line")
        state.block.body.append(line.raw)

    def _option_line(self, state: _BlockState, line: _Line) -> None:
        """A line after an option: its feedback, more of its text, or the explanation starting."""
        current = state.block.options[-1]
        if line.indented and line.is_quote:
            current.feedback.append(_unquote(line.stripped))
        elif line.indented:
            (current.feedback if current.feedback else current.text).append(line.stripped)
        elif line.is_quote:
            state.phase = "explanation"
            state.block.explanation_line = line.number
            state.block.explanation.append(_unquote(line.stripped))
        elif not state.previous_blank and not _PLAIN_ITEM.match(line.text):
            (current.feedback if current.feedback else current.text).append(line.stripped)
        elif _PLAIN_ITEM.match(line.text):
            self.problem(line.number, "a list item among the options needs '[ ]' or '[x]' after the dash")
        else:
            self._stray(line.number, state.section, state.what)

    def _explanation_line(self, state: _BlockState, line: _Line) -> None:
        if line.is_quote and not line.indented:
            state.block.explanation.append(_unquote(line.stripped))
        elif line.is_quote:
            self.problem(line.number, "feedback with no option: feedback goes under its option, "
                                      "before the explanation")
        elif state.previous_quote:
            state.block.explanation.append(line.stripped)
        else:
            self._stray(line.number, state.section, state.what)

    @staticmethod
    def _target(block: _Block, phase: str) -> list[str]:
        if phase == "body":
            return block.body
        if phase == "explanation":
            return block.explanation
        current = block.options[-1]
        return current.feedback if current.feedback else current.text

    def _stray(self, lineno: int, section: _Section, what: str) -> None:
        self.problem(lineno, f"text after the options of '{section.heading}' is not part of the {what}: "
                             "move it above the options, or make it a '>' block quote")


def _unquote(stripped: str) -> str:
    """``"> text"`` -> ``"text"`` (one level of block quote)."""
    text = stripped[1:]
    return text[1:] if text.startswith(" ") else text


def _letters():
    """Option keys in file order: a, b, ..., z, aa, ab, ..."""
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    n = 0
    while True:
        key, i = "", n
        while True:
            key = alphabet[i % 26] + key
            i = i // 26 - 1
            if i < 0:
                break
        yield key
        n += 1


class _GraphCheck:
    """Checks that every learner can walk a branching scenario from its first step to an ending."""

    def __init__(self, parser: _BodyParser, scenario: BranchingScenario, line: int, sources: list[_StepSource]):
        self.parser = parser
        self.scenario = scenario
        self.line = line
        self.sources = sources

    def run(self) -> None:
        scenario, problem = self.scenario, self.parser.problem
        by_id: dict[str, _StepSource] = {}
        found = len(self.parser.problems)
        for source in self.sources:
            step = source.step
            if step.id in by_id:
                problem(source.line, f"duplicate step id '{step.id}' in branching scenario '{scenario.id}'")
            by_id.setdefault(step.id, source)
            if not step.is_ending and not any(c.recommended for c in step.choices):
                problem(source.line, f"step '{step.id}' needs a recommended choice: mark the best call with '- [x]'")
            for line, choice in zip(source.choice_lines, step.choices, strict=True):
                if choice.next not in {s.step.id for s in self.sources}:
                    problem(line, f"choice leads to '{choice.next}', which is not a step of "
                                  f"branching scenario '{scenario.id}'")
        if len(self.parser.problems) == found:
            self._walk(by_id)
        if len(self.parser.problems) == found and scenario.best_points <= 0:
            problem(self.line, f"branching scenario '{scenario.id}' scores no points on any path: "
                               "give its choices points")
        if len(self.parser.problems) == found:
            self._check_outcomes(by_id)

    def _check_outcomes(self, by_id: dict[str, _StepSource]) -> None:
        """An ending marked ``outcome: pass`` must be reachable with a passing score."""
        scenario, pass_mark = self.scenario, self.parser.pass_mark
        for step_id, scores in scenario.ending_scores().items():
            if by_id[step_id].step.outcome == "pass" and not any(scenario.passes(s, pass_mark) for s in scores):
                needed = -(-pass_mark * scenario.best_points // 100)
                self.parser.problem(by_id[step_id].line,
                                    f"ending '{step_id}' is marked 'outcome: pass' but every path to it scores "
                                    f"below the pass mark (best {max(scores)} of {scenario.best_points} points, "
                                    f"pass needs {needed}): mark it 'outcome: fail' or rescore its paths")

    def _walk(self, by_id: dict[str, _StepSource]) -> None:
        """Depth-first from the first step: report cycles and unreachable steps."""
        first = self.sources[0]
        on_path: dict[str, bool] = {first.step.id: True}  # True while on the current path
        stack: list[tuple[_StepSource, int]] = [(first, 0)]
        while stack:
            source, index = stack.pop()
            if index == len(source.step.choices):
                on_path[source.step.id] = False
                continue
            stack.append((source, index + 1))
            target = source.step.choices[index].next
            if on_path.get(target):
                self.parser.problem(source.choice_lines[index],
                                    f"choice leads back to step '{target}': every path must reach an ending")
            elif target not in on_path:
                on_path[target] = True
                stack.append((by_id[target], 0))
        for source in self.sources:
            if source.step.id not in on_path:
                self.parser.problem(source.line, f"step '{source.step.id}' cannot be reached from the first "
                                                 f"step '{first.step.id}'")
