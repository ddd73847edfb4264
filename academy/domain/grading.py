"""Drawing, walking and grading quiz attempts: pure rules on a parsed :class:`QuizDef`.

* **Draw.** An attempt asks ``draw`` questions picked at random (all of them without ``draw``); a
  scenario is drawn whole and a branching scenario counts as one question, so the draw hits the
  exact number whenever some combination of units adds up to it, and otherwise the nearest number
  below it. A blueprinted draw (``draw: {tag: n}``) draws ``n`` questions from each tag's bucket
  (``content check`` has proved each bucket can give exactly that). Drawn units keep the file's
  order (scenarios often build on one another); the options of each question are shuffled per
  attempt. The same seed always gives the same layout.
* **Grade.** An ordinary question earns 1 point when the chosen options are exactly the correct
  set. A branching scenario earns the points on the path taken, out of its best path's points. The
  percentage is points earned over points possible; a critical choice, or reaching an ending marked
  ``outcome: fail``, fails the attempt whatever the percentage.
* **Time.** See :func:`counts_at`: a server-side deadline plus a short network grace.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from .quiz_format import (
    BranchingScenario,
    Choice,
    Option,
    Question,
    QuizDef,
    Scenario,
    Step,
    blueprint_bucket,
    unit_points,
    unit_questions,
)

#: A submission or save that reaches the server this long after the deadline still counts in full:
#: it was most likely sent in time and delayed by the network.
GRACE = timedelta(seconds=30)


class AnswerError(ValueError):
    """An answer that does not fit the attempt: ``str(error)`` is a sentence for the learner."""


# --- Layout: what one attempt asks, in which order ------------------------------------------------

@dataclass(frozen=True)
class Item:
    """A drawn question (with its options in the order shown) or a drawn branching scenario."""

    key: str
    #: Option keys in display order; empty for a branching scenario.
    options: tuple[str, ...] = ()
    branching: bool = False


@dataclass(frozen=True)
class PathStep:
    """One choice made in a branching scenario."""

    step_id: str
    choice_key: str


@dataclass
class Layout:
    """The drawn items of an attempt and, for each branching scenario, the path walked so far."""

    items: list[Item]
    paths: dict[str, list[PathStep]] = field(default_factory=dict)

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)

    @property
    def question_keys(self) -> list[str]:
        return [i.key for i in self.items if not i.branching]

    @property
    def branching_ids(self) -> list[str]:
        return [i.key for i in self.items if i.branching]

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [{"key": i.key, "options": list(i.options), "branching": i.branching} for i in self.items],
            "paths": {sid: [[p.step_id, p.choice_key] for p in path] for sid, path in self.paths.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Layout:
        items = [Item(i["key"], tuple(i["options"]), i["branching"]) for i in data["items"]]
        paths = {sid: [PathStep(s, c) for s, c in path] for sid, path in data.get("paths", {}).items()}
        return cls(items, paths)


def draw_layout(quiz: QuizDef, seed: int | str) -> Layout:
    """Pick the units an attempt asks and shuffle each question's options, reproducibly from ``seed``."""
    rng = random.Random(seed)
    chosen = _draw_units(quiz, rng)
    items: list[Item] = []
    for unit in quiz.units:
        if id(unit) not in chosen:
            continue
        if isinstance(unit, BranchingScenario):
            items.append(Item(unit.id, branching=True))
            continue
        for question in unit.questions if isinstance(unit, Scenario) else [unit]:
            keys = [o.key for o in question.options]
            rng.shuffle(keys)
            items.append(Item(question.key, tuple(keys)))
    return Layout(items)


def _draw_units(quiz: QuizDef, rng: random.Random) -> set[int]:
    """``id()`` of the drawn units: a random subset whose question count is as close to ``draw`` as allowed."""
    units = list(quiz.units)
    if quiz.blueprint:
        return _draw_blueprint(quiz.units, quiz.blueprint, rng)
    if quiz.draw is None or quiz.draw >= quiz.question_count:
        return {id(u) for u in units}
    rng.shuffle(units)
    sizes = [unit_questions(u) for u in units]
    # reachable[i]: the question counts some subset of units[i:] adds up to.
    reachable: list[set[int]] = [set() for _ in range(len(units) + 1)]
    reachable[-1] = {0}
    for i in range(len(units) - 1, -1, -1):
        reachable[i] = reachable[i + 1] | {s + sizes[i] for s in reachable[i + 1] if s + sizes[i] <= quiz.draw}
    below = [s for s in reachable[0] if s > 0]
    # Every unit larger than draw (a big scenario): ask the smallest one whole.
    remaining = max(below) if below else min(sizes)
    chosen: set[int] = set()
    for i, unit in enumerate(units):
        # Take the unit when the rest can still make up the remainder; a greedy pass in random order.
        if sizes[i] <= remaining and remaining - sizes[i] in reachable[i + 1]:
            chosen.add(id(unit))
            remaining -= sizes[i]
    return chosen


def _draw_blueprint(units: list, blueprint: dict[str, int], rng: random.Random) -> set[int]:
    """Per tag, enough units of its bucket (all one size, checked when parsing) to make its count."""
    chosen: set[int] = set()
    for tag, count in blueprint.items():
        bucket = [u for u in units if blueprint_bucket(u, blueprint) == tag]
        if not bucket:
            continue
        wanted = max(1, count // unit_questions(bucket[0]))
        chosen |= {id(u) for u in rng.sample(bucket, min(wanted, len(bucket)))}
    return chosen


def max_points(quiz: QuizDef, layout: Layout) -> int:
    """Points possible in this attempt: 1 per drawn question, the best path per branching scenario."""
    total = len(layout.question_keys)
    for scenario_id in layout.branching_ids:
        total += unit_points(_branching(quiz, scenario_id))
    return total


# --- Answers --------------------------------------------------------------------------------------

Answers = Mapping[str, Collection[str]]


def check_answers(quiz: QuizDef, layout: Layout, answers: Answers, *, complete: bool) -> dict[str, frozenset[str]]:
    """Validate chosen option keys against the attempt; return them as sets.

    Raises :class:`AnswerError` for a question not in the attempt, an option that is not one of
    that question's, several options on a single-answer question, or (when ``complete``) any
    drawn question left unanswered.
    """
    checked: dict[str, frozenset[str]] = {}
    for key, chosen in answers.items():
        item = layout.item(key)
        if item is None or item.branching:
            raise AnswerError("The answers do not match this attempt; reload the page and try again.")
        keys = frozenset(chosen)
        question = _question(quiz, key)
        if not keys <= set(item.options):
            raise AnswerError(f"“{question.prompt}” has no such option; reload the page and try again.")
        if len(keys) > 1 and not question.multiple:
            raise AnswerError(f"Choose one option for “{question.prompt}”.")
        if keys:
            checked[key] = keys
    if complete:
        missing = [n for n, key in enumerate(layout.question_keys, 1) if key not in checked]
        if missing:
            numbers = ", ".join(str(n) for n in missing)
            raise AnswerError(f"Answer every question before submitting (unanswered: {numbers}).")
    return checked


# --- Branching walk -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Position:
    """Where a learner stands in a branching scenario."""

    step: Step
    points: int
    critical: bool

    @property
    def finished(self) -> bool:
        return self.step.is_ending


def position(scenario: BranchingScenario, path: list[PathStep]) -> Position:
    """Follow ``path`` from the first step: the current step and the points and critical errors so far."""
    step, points, critical = scenario.first_step, 0, False
    for taken in path:
        choice = step.choice(taken.choice_key)
        if taken.step_id != step.id or choice is None:
            raise AnswerError("This scenario's path no longer matches the quiz.")
        points += choice.points
        critical = critical or choice.critical
        step = scenario.step(choice.next)
    return Position(step, points, critical)


def choose(scenario: BranchingScenario, path: list[PathStep], step_id: str, choice_key: str) -> Choice:
    """Take ``choice_key`` at ``step_id``, which must be the current step; returns the choice."""
    here = position(scenario, path)
    if here.finished:
        raise AnswerError("This scenario is already finished.")
    if step_id != here.step.id:
        raise AnswerError("That is not the step you are at; continue from where you are.")
    choice = here.step.choice(choice_key)
    if choice is None:
        raise AnswerError("Choose one of the options shown.")
    path.append(PathStep(step_id, choice_key))
    return choice


def unfinished_scenarios(quiz: QuizDef, layout: Layout) -> list[BranchingScenario]:
    """Drawn branching scenarios whose path has not reached an ending."""
    scenarios = [_branching(quiz, sid) for sid in layout.branching_ids]
    return [s for s in scenarios if not position(s, layout.paths.get(s.id, [])).finished]


def decisions(scenario: BranchingScenario, path: list[PathStep]) -> list[tuple[Step, Choice]]:
    """The steps decided along ``path`` and the choice made at each, in order."""
    taken = []
    for step_taken in path:
        step = scenario.step(step_taken.step_id)
        choice = step.choice(step_taken.choice_key) if step else None
        if choice is None:
            raise AnswerError("This scenario's path no longer matches the quiz.")
        taken.append((step, choice))
    return taken


# --- Shaping an attempt for a page ----------------------------------------------------------------

@dataclass(frozen=True)
class AskedQuestion:
    """A drawn question with its number in the attempt and its options in the attempt's order."""

    number: int
    question: Question
    options: tuple[Option, ...]


@dataclass(frozen=True)
class QuestionGroup:
    """Consecutive drawn questions of one scenario, or standalone questions (``scenario`` None)."""

    scenario: Scenario | None
    questions: tuple[AskedQuestion, ...]
    kind: ClassVar[str] = "questions"


@dataclass(frozen=True)
class BranchingItem:
    """A drawn branching scenario: where the learner stands and the decisions made so far."""

    number: int
    scenario: BranchingScenario
    decisions: tuple[tuple[Step, Choice], ...]
    position: Position
    kind: ClassVar[str] = "branching"


def sections(quiz: QuizDef, layout: Layout) -> list[QuestionGroup | BranchingItem]:
    """The attempt as a page lists it: numbered questions grouped under their scenarios."""
    owner = {q.key: u for u in quiz.units if isinstance(u, Scenario) for q in u.questions}
    found: list[QuestionGroup | BranchingItem] = []
    group: list[AskedQuestion] = []
    group_owner: Scenario | None = None
    for number, item in enumerate(layout.items, 1):
        if item.branching:
            scenario = _branching(quiz, item.key)
            path = layout.paths.get(item.key, [])
            if group:
                found.append(QuestionGroup(group_owner, tuple(group)))
                group = []
            found.append(BranchingItem(number, scenario, tuple(decisions(scenario, path)), position(scenario, path)))
            continue
        question = _question(quiz, item.key)
        if group and owner.get(item.key) is not group_owner:
            found.append(QuestionGroup(group_owner, tuple(group)))
            group = []
        group_owner = owner.get(item.key)
        options = tuple(question.option(k) for k in item.options)
        if None in options:
            raise AnswerError("This attempt no longer matches the quiz.")
        group.append(AskedQuestion(number, question, options))
    if group:
        found.append(QuestionGroup(group_owner, tuple(group)))
    return found


# --- Grading --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionResult:
    key: str
    chosen: frozenset[str]
    correct: bool

    @property
    def points(self) -> int:
        return 1 if self.correct else 0


@dataclass(frozen=True)
class BranchingResult:
    key: str
    path: tuple[PathStep, ...]
    points: int
    max_points: int
    critical: bool
    finished: bool
    #: The ending reached says ``outcome: fail``.
    failed_ending: bool = False


@dataclass(frozen=True)
class Grade:
    """The outcome of an attempt."""

    points: int
    max_points: int
    #: Whole percent, rounded down so that a shown 70 % never fails a 70 % pass mark.
    percent: int
    passed: bool
    critical_error: bool
    questions: tuple[QuestionResult, ...]
    branching: tuple[BranchingResult, ...]
    #: A branching scenario ended at an ending marked ``outcome: fail``.
    failed_ending: bool = False


def grade(quiz: QuizDef, layout: Layout, answers: Mapping[str, frozenset[str]]) -> Grade:
    """Grade checked ``answers`` (see :func:`check_answers`) and the layout's branching paths."""
    questions = tuple(
        QuestionResult(key, answers.get(key, frozenset()), answers.get(key) == _question(quiz, key).correct_keys)
        for key in layout.question_keys
    )
    branching = []
    for scenario_id in layout.branching_ids:
        scenario = _branching(quiz, scenario_id)
        path = layout.paths.get(scenario_id, [])
        here = position(scenario, path)
        branching.append(BranchingResult(scenario_id, tuple(path), here.points, scenario.best_points,
                                         here.critical, here.finished,
                                         here.finished and here.step.outcome == "fail"))
    points = sum(q.points for q in questions) + sum(b.points for b in branching)
    possible = len(questions) + sum(b.max_points for b in branching)
    critical = any(b.critical for b in branching)
    failed_ending = any(b.failed_ending for b in branching)
    return Grade(
        points=points,
        max_points=possible,
        percent=points * 100 // possible if possible else 0,
        passed=not critical and not failed_ending and points * 100 >= quiz.pass_mark * possible,
        critical_error=critical,
        questions=questions,
        branching=tuple(branching),
        failed_ending=failed_ending,
    )


# --- Results per objective -------------------------------------------------------------------------

@dataclass(frozen=True)
class ObjectiveResult:
    """Points earned and possible on the asked items carrying one tag (an objective or a module)."""

    tag: str
    points: int
    max_points: int
    items: int

    @property
    def percent(self) -> int:
        return self.points * 100 // self.max_points if self.max_points else 0


def objective_results(quiz: QuizDef, layout: Layout, points: Mapping[str, int]) -> list[ObjectiveResult]:
    """Per tag, the points of the asked items that carry it (``points``: item key -> points earned).

    An item with several tags counts under each; items without tags are left out. Tags appear in
    the blueprint's order, then in the order the attempt first meets them.
    """
    totals: dict[str, list[int]] = {tag: [0, 0, 0] for tag in quiz.blueprint or {}}
    for item in layout.items:
        if item.branching:
            scenario = _branching(quiz, item.key)
            tags, possible = scenario.tags, scenario.best_points
        else:
            tags, possible = _question(quiz, item.key).tags, 1
        for tag in tags:
            row = totals.setdefault(tag, [0, 0, 0])
            row[0] += points.get(item.key, 0)
            row[1] += possible
            row[2] += 1
    return [ObjectiveResult(tag, *row) for tag, row in totals.items() if row[2]]


# --- Time -----------------------------------------------------------------------------------------

def deadline(started_at: datetime, time_limit: int | None) -> datetime | None:
    """When a timed attempt's time is up; None for an untimed quiz."""
    return started_at + timedelta(minutes=time_limit) if time_limit else None


def counts_at(deadline_at: datetime | None, now: datetime) -> bool:
    """Whether answers reaching the server at ``now`` still count.

    The late-submission rule: the server fixes the deadline when the attempt starts. Anything that
    arrives up to :data:`GRACE` after it (a submission, an autosave, a branching choice) counts in
    full. After that the attempt is closed: it is graded on the answers the server already holds
    (autosaved or chosen in time) and everything else counts as unanswered.
    """
    return deadline_at is None or now <= deadline_at + GRACE


def _question(quiz: QuizDef, key: str) -> Question:
    question = quiz.question(key)
    if question is None:
        raise AnswerError("This attempt no longer matches the quiz.")
    return question


def _branching(quiz: QuizDef, scenario_id: str) -> BranchingScenario:
    scenario = quiz.branching(scenario_id)
    if scenario is None:
        raise AnswerError("This attempt no longer matches the quiz.")
    return scenario
