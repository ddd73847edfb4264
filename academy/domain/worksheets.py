"""Interactive worksheets: a decision aid written in a module as a fenced ``worksheet`` block.

A worksheet has *outcomes* (what it can recommend, each with its text and the trade-off it
accepts) and *criteria* (questions whose options carry weights per outcome). :func:`score` adds
up the weights of the chosen options; the outcome with the most points is recommended (ties go
to the outcome listed first), with the answers that drove it and the answers that pointed
elsewhere. :func:`parse` reads the block and reports every authoring mistake with its line,
including criteria that cannot change the result and outcomes that no answers can reach.

The format is described for authors in ``docs/authoring.md``.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import Problem

FENCE_RE = re.compile(r"^```worksheet[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A placeholder left in the module's HTML where the worksheet's form goes; it survives the sanitiser.
SLOT = '<div class="worksheet-slot" id="worksheet-slot-{key}"></div>'
SLOT_RE = re.compile(r'<div class="worksheet-slot" id="worksheet-slot-([a-z0-9-]+)"></div>')
#: Answer combinations tried exhaustively when checking that every outcome can be recommended.
EXHAUSTIVE_LIMIT = 200_000
MAX_WEIGHT = 100


class AnswerError(ValueError):
    """The answers cannot be scored; the message is a sentence for the learner."""


@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    text: str
    trade_off: str


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    #: Points this answer gives each outcome (outcomes not named get none).
    weights: Mapping[str, int]
    #: Why this answer matters, shown among the reasons for a recommendation.
    reason: str


@dataclass(frozen=True)
class Criterion:
    key: str
    question: str
    help: str
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Worksheet:
    key: str
    title: str
    intro: str
    outcomes: tuple[Outcome, ...]
    criteria: tuple[Criterion, ...]

    def outcome(self, key: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "intro": self.intro,
            "outcomes": [{"key": o.key, "title": o.title, "text": o.text, "trade_off": o.trade_off}
                         for o in self.outcomes],
            "criteria": [{"key": c.key, "question": c.question, "help": c.help, "options": [
                {"key": o.key, "label": o.label, "weights": dict(o.weights), "reason": o.reason}
                for o in c.options]} for c in self.criteria],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Worksheet:
        return cls(
            key=data["key"], title=data["title"], intro=data.get("intro", ""),
            outcomes=tuple(Outcome(o["key"], o["title"], o["text"], o["trade_off"]) for o in data["outcomes"]),
            criteria=tuple(Criterion(c["key"], c["question"], c.get("help", ""), tuple(
                Option(o["key"], o["label"], dict(o["weights"]), o["reason"]) for o in c["options"]))
                for c in data["criteria"]),
        )


@dataclass(frozen=True)
class Reason:
    """One answer as it bears on the recommendation."""

    question: str
    answer: str
    reason: str
    #: Points the answer gave the recommended outcome.
    points: int


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    #: Every outcome with its points, highest first.
    ranking: tuple[tuple[Outcome, int], ...]
    #: Answers that gave the recommended outcome points, strongest first.
    reasons: tuple[Reason, ...]
    #: Answers that favoured another outcome more than the recommended one: the price of the choice.
    against: tuple[Reason, ...]

    @property
    def runner_up(self) -> tuple[Outcome, int] | None:
        return self.ranking[1] if len(self.ranking) > 1 else None


def totals(worksheet: Worksheet, choice: Mapping[str, Option]) -> dict[str, int]:
    """Points per outcome for chosen options (criterion key -> option)."""
    points = {o.key: 0 for o in worksheet.outcomes}
    for option in choice.values():
        for outcome, weight in option.weights.items():
            points[outcome] += weight
    return points


def _winner(worksheet: Worksheet, points: Mapping[str, int]) -> str:
    best = max(points.values())
    return next(o.key for o in worksheet.outcomes if points[o.key] == best)


def score(worksheet: Worksheet, answers: Mapping[str, str]) -> Result:
    """The recommendation for ``answers`` (criterion key -> option key); every criterion must be answered."""
    choice: dict[str, Option] = {}
    missing = []
    for criterion in worksheet.criteria:
        option = criterion.option(answers.get(criterion.key, ""))
        if option is None:
            missing.append(criterion.question)
        else:
            choice[criterion.key] = option
    if missing:
        raise AnswerError(f"Answer every question to get a recommendation: {len(missing)} still "
                          f"unanswered, starting with \u201c{missing[0]}\u201d")
    points = totals(worksheet, choice)
    winner = _winner(worksheet, points)
    order = {o.key: i for i, o in enumerate(worksheet.outcomes)}
    ranking = tuple(sorted(((o, points[o.key]) for o in worksheet.outcomes),
                           key=lambda pair: (-pair[1], order[pair[0].key])))
    reasons, against = [], []
    for criterion in worksheet.criteria:
        option = choice[criterion.key]
        mine = option.weights.get(winner, 0)
        reason = Reason(criterion.question, option.label, option.reason, mine)
        if mine > 0:
            reasons.append(reason)
        if max(option.weights.values(), default=0) > mine:
            against.append(reason)
    reasons.sort(key=lambda r: -r.points)
    return Result(worksheet.outcome(winner), ranking, tuple(reasons), tuple(against))


def reachable(worksheet: Worksheet) -> set[str]:
    """The outcomes some combination of answers recommends.

    Exhaustive up to :data:`EXHAUSTIVE_LIMIT` combinations; beyond that, for each outcome the
    answers most in its favour are tried, which finds every outcome a sensible worksheet can reach.
    """
    sizes = 1
    for criterion in worksheet.criteria:
        sizes *= len(criterion.options)
    found: set[str] = set()
    if sizes <= EXHAUSTIVE_LIMIT:
        keys = [c.key for c in worksheet.criteria]
        for combo in itertools.product(*(c.options for c in worksheet.criteria)):
            found.add(_winner(worksheet, totals(worksheet, dict(zip(keys, combo, strict=True)))))
            if len(found) == len(worksheet.outcomes):
                break
        return found
    for outcome in worksheet.outcomes:
        choice = {c.key: max(c.options, key=lambda o, k=outcome.key: o.weights.get(k, 0) - max(
            (w for name, w in o.weights.items() if name != k), default=0)) for c in worksheet.criteria}
        if _winner(worksheet, totals(worksheet, choice)) == outcome.key:
            found.add(outcome.key)
    return found


def find_blocks(body: str) -> list[tuple[int, str]]:
    """The fenced ``worksheet`` blocks of a Markdown body: (0-based line of the fence, YAML text)."""
    return [(body[:m.start()].count("\n"), m.group(1)) for m in FENCE_RE.finditer(body)]


def replace_blocks(body: str, keys: list[str | None]) -> str:
    """``body`` with each worksheet block replaced by its slot (or removed, when it had problems)."""
    found = iter(keys)

    def slot(match: re.Match[str]) -> str:
        key = next(found, None)
        # Keep the line count so the rest of the body's line numbers stay true.
        padding = "\n" * match.group(0).count("\n")
        return (SLOT.format(key=key) if key else "") + padding

    return FENCE_RE.sub(slot, body)


def parse(text: str, path: str, first_line: int) -> tuple[Worksheet | None, list[Problem]]:
    """Read a worksheet block whose YAML starts at file line ``first_line``."""
    reader = _Reader(path, first_line)
    worksheet = reader.read(text)
    return (worksheet if not reader.problems else None), reader.problems


class _Reader:
    def __init__(self, path: str, first_line: int):
        self.path, self.first_line = path, first_line
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = self.first_line + (node.start_mark.line if node is not None else 0)
        self.problems.append(Problem(self.path, line, f"worksheet: {message}"))

    def read(self, text: str) -> Worksheet | None:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.problems.append(Problem(self.path, self.first_line + (mark.line if mark else 0),
                                         f"worksheet: not valid YAML: {reason}"))
            return None
        fields = self.mapping(root, "the worksheet", {"id", "title", "intro", "outcomes", "criteria"})
        if fields is None:
            return None
        key = self.key(fields, root, "id", "the worksheet")
        title = self.text(fields, root, "title", "the worksheet")
        intro = self.text(fields, root, "intro", "the worksheet", required=False)
        outcomes = [o for o in (self.outcome(n) for n in self.sequence(fields, root, "outcomes", 2)) if o]
        self.unique([o.key for o in outcomes], fields.get("outcomes"), "outcome")
        known = [o.key for o in outcomes]
        criteria = [c for c in (self.criterion(n, known) for n in self.sequence(fields, root, "criteria", 1)) if c]
        self.unique([c.key for c in criteria], fields.get("criteria"), "criterion")
        if self.problems:
            return None
        worksheet = Worksheet(key, title, intro, tuple(outcomes), tuple(criteria))
        missing = [o.key for o in outcomes if o.key not in reachable(worksheet)]
        for name in missing:
            node = next(n for n in fields["outcomes"].value if self.scalar_of(n, "id") == name)
            self.problem(node, f"outcome '{name}' is never recommended, whatever the answers: give it "
                               "more weight in some options")
        return worksheet

    # -- pieces ------------------------------------------------------------------------------

    def outcome(self, node: yaml.Node) -> Outcome | None:
        fields = self.mapping(node, "an outcome", {"id", "title", "text", "trade_off"})
        if fields is None:
            return None
        key = self.key(fields, node, "id", "an outcome")
        what = f"outcome '{key}'" if key else "an outcome"
        return Outcome(key, self.text(fields, node, "title", what), self.text(fields, node, "text", what),
                       self.text(fields, node, "trade_off", what))

    def criterion(self, node: yaml.Node, outcomes: list[str]) -> Criterion | None:
        fields = self.mapping(node, "a criterion", {"id", "question", "help", "options"})
        if fields is None:
            return None
        key = self.key(fields, node, "id", "a criterion")
        what = f"criterion '{key}'" if key else "a criterion"
        question = self.text(fields, node, "question", what)
        help_text = self.text(fields, node, "help", what, required=False)
        options = [o for o in (self.option(n, what, outcomes) for n in self.sequence(fields, node, "options", 2))
                   if o is not None]
        self.unique([o.key for o in options], fields.get("options"), f"option of {what}")
        if options and len({tuple(sorted(o.weights.items())) for o in options}) == 1:
            self.problem(node, f"{what} maps to no outcome: its options all carry the same weights, so the "
                               "answer cannot change the recommendation")
        return Criterion(key, question, help_text, tuple(options))

    def option(self, node: yaml.Node, owner: str, outcomes: list[str]) -> Option | None:
        fields = self.mapping(node, f"an option of {owner}", {"id", "label", "weights", "reason"})
        if fields is None:
            return None
        label = self.text(fields, node, "label", f"an option of {owner}")
        key = self.key(fields, node, "id", f"option '{label}'", required=False) or _slug(label)
        weights: dict[str, int] = {}
        weights_node = fields.get("weights")
        if weights_node is None:
            self.problem(node, f"option '{label}' of {owner} needs 'weights': points per outcome, "
                               "e.g. {shared: 2, dedicated: 0}")
        elif not isinstance(weights_node, yaml.MappingNode):
            self.problem(weights_node, f"'weights' of option '{label}' is a mapping of outcome id to points")
        else:
            for name_node, value_node in weights_node.value:
                name = str(name_node.value)
                value = _integer(value_node)
                if name not in outcomes:
                    guess = difflib.get_close_matches(name, outcomes, n=1)
                    self.problem(name_node, f"option '{label}' of {owner} weighs an unknown outcome '{name}'"
                                 + (f"; did you mean '{guess[0]}'?" if guess else
                                    f"; the outcomes are {', '.join(outcomes)}"))
                elif value is None or not 0 <= value <= MAX_WEIGHT:
                    self.problem(value_node, f"the weight of '{name}' in option '{label}' must be a whole "
                                             f"number from 0 to {MAX_WEIGHT}")
                else:
                    weights[name] = value
        reason = self.text(fields, node, "reason", f"option '{label}'", required=False) or label
        return Option(key, label, weights, reason)

    # -- YAML helpers --------------------------------------------------------------------------

    def mapping(self, node: yaml.Node | None, what: str, allowed: set[str]) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a set of 'key: value' lines")
            return None
        fields = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            if name not in allowed:
                guess = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f"; did you mean '{guess[0]}'?" if guess else f"; allowed: {', '.join(sorted(allowed))}"
                self.problem(key_node, f"unknown key '{name}' in {what}{hint}")
            fields[name] = value_node
        return fields

    def sequence(self, fields: dict[str, yaml.Node], owner: yaml.Node, name: str, minimum: int) -> list[yaml.Node]:
        node = fields.get(name)
        if not isinstance(node, yaml.SequenceNode) or len(node.value) < minimum:
            self.problem(node or owner, f"'{name}' must be a list of at least {minimum}, one per '- ' entry")
            return []
        return list(node.value)

    def text(self, fields: dict[str, yaml.Node], owner: yaml.Node, name: str, what: str, *,
             required: bool = True) -> str:
        node = fields.get(name)
        if node is None or (isinstance(node, yaml.ScalarNode) and not str(node.value).strip()):
            if required:
                self.problem(node or owner, f"{what} needs '{name}'")
            return ""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"'{name}' of {what} must be text")
            return ""
        return " ".join(str(node.value).split())

    def key(self, fields: dict[str, yaml.Node], owner: yaml.Node, name: str, what: str, *,
            required: bool = True) -> str:
        value = self.text(fields, owner, name, what, required=required)
        if value and not KEY_RE.match(value):
            self.problem(fields[name], f"the id '{value}' of {what} must use lower-case letters, digits and hyphens")
            return ""
        return value

    def unique(self, keys: list[str], node: yaml.Node | None, what: str) -> None:
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            self.problem(node, f"two of the {what}s share the id '{key}': ids must be unique")

    @staticmethod
    def scalar_of(node: yaml.Node, name: str) -> str | None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == name and isinstance(value_node, yaml.ScalarNode):
                    return str(value_node.value).strip()
        return None


def _integer(node: yaml.Node) -> int | None:
    if isinstance(node, yaml.ScalarNode) and re.fullmatch(r"\d+", str(node.value).strip()):
        return int(node.value)
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "option"


def split_html(html: str) -> list[tuple[str, str | None]]:
    """A module's HTML cut at its worksheet slots: (HTML before, worksheet id or None for the tail)."""
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for match in SLOT_RE.finditer(html):
        pieces.append((html[start:match.start()], match.group(1)))
        start = match.end()
    pieces.append((html[start:], None))
    return pieces
