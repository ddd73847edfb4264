"""The guessing audit: what a test-wise learner with no subject knowledge would score.

Each strategy looks only at the surface of a single-answer question (option lengths, wording, the
stem's words) and gives a probability of choosing each option; its expected score on a quiz is the
mean probability of choosing the key. Ties are broken at random, so a strategy that cannot decide
between two options earns half a question. Options are shuffled per attempt, so position strategies
(always the first, always the last) score chance whatever the file's order; they are listed to say so.

For branching simulations, a walk takes the longest, the shortest or the first choice at every step
(choices are shown in file order) and reports the ending, the points and whether the attempt passes.

The strategies come from the item-writing literature (Haladyna, Downing and Rodriguez 2002; Millman,
Bishop and Ebel 1965 on test-wiseness): length cues, absolute words, stem-option word repetition
("clang" associations), the odd one out, the most qualified (hedged) option and convergence (the key
shares most words with the other options, because distractors are written as variations of it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import item_text as text
from .quiz_format import BranchingScenario, Choice, Question, QuizDef

Distribution = list[float]


@dataclass(frozen=True)
class ItemView:
    """A single-answer question as plain text: what the strategies look at."""

    key: str
    line: int
    stem: str
    options: tuple[str, ...]
    key_index: int

    @property
    def lengths(self) -> list[int]:
        return [len(o) for o in self.options]


def items(quiz: QuizDef) -> list[ItemView]:
    """The quiz's single-answer questions (the only ones a one-option strategy can answer)."""
    return [view for q in quiz.questions() if (view := item_view(q)) is not None]


def item_view(question: Question) -> ItemView | None:
    if question.multiple or len(question.options) < 2:
        return None
    key_index = next(i for i, o in enumerate(question.options) if o.correct)
    stem = f"{question.prompt} {text.plain(question.body_html)}"
    return ItemView(question.key, question.line, stem, tuple(text.plain(o.text_html) for o in question.options),
                    key_index)


# --- Strategies ------------------------------------------------------------------------------------

def _uniform(n: int, among: list[int]) -> Distribution:
    among = among or list(range(n))
    return [1 / len(among) if i in among else 0.0 for i in range(n)]


def _best(scores: list[float], among: list[int] | None = None) -> list[int]:
    """Indexes with the highest score (within ``among``)."""
    among = among if among else list(range(len(scores)))
    top = max(scores[i] for i in among)
    return [i for i in among if scores[i] == top]


def length_rank(item: ItemView, rank: int) -> Distribution:
    """Pick the option at ``rank`` (1 = longest) when options are sorted by length, ties at random.

    A negative rank counts from the shortest (-1 = shortest); a rank past the end means the last.
    """
    n = len(item.options)
    position = min(rank, n) - 1 if rank > 0 else max(n + rank, 0)
    start, dist = 0, [0.0] * n
    for group in text.length_ranks(item.lengths):
        if start <= position < start + len(group):
            for i in group:
                dist[i] = 1 / len(group)
        start += len(group)
    return dist


def drop_absolute(item: ItemView) -> Distribution:
    """Rule out options with absolute words (never, always, only...), guess among the rest."""
    n = len(item.options)
    return _uniform(n, [i for i, o in enumerate(item.options) if not text.has_absolute(o)])


def longest_without_absolute(item: ItemView) -> Distribution:
    n = len(item.options)
    kept = [i for i, o in enumerate(item.options) if not text.has_absolute(o)] or list(range(n))
    return _uniform(n, _best([float(x) for x in item.lengths], kept))


def stem_overlap(item: ItemView) -> Distribution:
    """The option sharing most words with the stem."""
    stem = text.content_words(item.stem)
    return _uniform(len(item.options), _best([len(stem & text.content_words(o)) for o in item.options]))


def odd_one_out(item: ItemView) -> Distribution:
    """The option whose length stands furthest from the others' mean."""
    lengths = item.lengths
    n = len(lengths)
    if n < 3:
        return _uniform(n, [])
    gaps = [abs(x - (sum(lengths) - x) / (n - 1)) for x in lengths]
    return _uniform(n, _best(gaps))


def most_hedged(item: ItemView) -> Distribution:
    """The most qualified option (usually, may, unless, where...)."""
    return _uniform(len(item.options), _best([float(text.hedges(o)) for o in item.options]))


def convergence(item: ItemView) -> Distribution:
    """The option that shares most words with the other options."""
    bags = [text.content_words(o) for o in item.options]
    scores = [sum(len(b & other) for j, other in enumerate(bags) if j != i) for i, b in enumerate(bags)]
    return _uniform(len(item.options), _best([float(s) for s in scores]))


def position(item: ItemView) -> Distribution:
    """Always the first (or the last) option shown: options are shuffled, so this is chance."""
    return _uniform(len(item.options), [])


@dataclass(frozen=True)
class Strategy:
    name: str
    choose: Callable[[ItemView], Distribution]


STRATEGIES: tuple[Strategy, ...] = (
    Strategy("longest option", lambda i: length_rank(i, 1)),
    Strategy("second-longest option", lambda i: length_rank(i, 2)),
    Strategy("third-longest option", lambda i: length_rank(i, 3)),
    Strategy("shortest option", lambda i: length_rank(i, -1)),
    Strategy("drop options with absolute words, guess", drop_absolute),
    Strategy("longest option without absolute words", longest_without_absolute),
    Strategy("most words shared with the stem", stem_overlap),
    Strategy("odd one out (length)", odd_one_out),
    Strategy("most hedged option", most_hedged),
    Strategy("most words shared with other options", convergence),
    Strategy("always the first / last position", position),
)


@dataclass(frozen=True)
class StrategyScore:
    """A strategy's expected score on a quiz's single-answer questions, in percent."""

    name: str
    expected: float
    chance: float
    passes: bool

    @property
    def above_chance(self) -> float:
        return self.expected - self.chance


@dataclass(frozen=True)
class QuizAudit:
    path: str
    title: str
    pass_mark: int
    final: bool
    questions: int
    chance: float
    strategies: tuple[StrategyScore, ...]
    walks: tuple[Walk, ...]

    @property
    def best(self) -> StrategyScore | None:
        moving = [s for s in self.strategies if s.name != "always the first / last position"]
        return max(moving, key=lambda s: s.expected, default=None)


def expected_score(views: list[ItemView], strategy: Strategy) -> float:
    """Mean probability (percent) of choosing the key over ``views``."""
    if not views:
        return 0.0
    return 100 * sum(strategy.choose(v)[v.key_index] for v in views) / len(views)


def chance(views: list[ItemView]) -> float:
    return 100 * sum(1 / len(v.options) for v in views) / len(views) if views else 0.0


def audit(quiz: QuizDef, path: str) -> QuizAudit:
    """Every strategy's expected score on ``quiz`` and every simulation walk.

    A strategy *passes* when the whole quiz would pass with it: its expected points on the
    single-answer questions, chance on multiple-answer ones (one exact set among all non-empty
    sets) and, for each simulation, the best of the naive walks, over all the quiz's points.
    """
    views = items(quiz)
    base = chance(views)
    walks = tuple(w for b in quiz.branching_scenarios() for w in walks_of(b, quiz.pass_mark))
    others = sum(1 / (2 ** len(q.options) - 1) for q in quiz.questions() if q.multiple)
    others += sum(max((w.points for w in walks if w.scenario == b.id), default=0)
                  for b in quiz.branching_scenarios())
    possible = quiz.max_points or 1

    def passes(score: float) -> bool:
        return 100 * (score / 100 * len(views) + others) >= quiz.pass_mark * possible

    scores = tuple(StrategyScore(s.name, score, base, passes(score))
                   for s in STRATEGIES for score in [expected_score(views, s)])
    return QuizAudit(path, quiz.title, quiz.pass_mark, quiz.final, len(views), base,
                     scores if views else (), walks)


# --- Simulation walks ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Walk:
    """Taking the same kind of choice at every step of a branching scenario."""

    scenario: str
    rule: str
    ending: str
    outcome: str | None
    points: int
    best: int
    critical: bool
    passed: bool

    @property
    def percent(self) -> int:
        return self.points * 100 // self.best if self.best else 0


WALK_RULES: dict[str, Callable[[list[Choice]], Choice]] = {
    "longest choice": lambda cs: max(cs, key=lambda c: len(text.plain(c.text_html))),
    "shortest choice": lambda cs: min(cs, key=lambda c: len(text.plain(c.text_html))),
    "first choice": lambda cs: cs[0],
}


def walk(scenario: BranchingScenario, rule: str, pass_mark: int) -> Walk:
    """Follow ``rule`` from the first step to an ending (the scenario parsed without problems)."""
    step, points, critical = scenario.first_step, 0, False
    while not step.is_ending:
        choice = WALK_RULES[rule](step.choices)
        points += choice.points
        critical = critical or choice.critical
        step = scenario.step(choice.next)
    passed = not critical and step.outcome != "fail" and scenario.passes(points, pass_mark)
    return Walk(scenario.id, rule, step.id, step.outcome, points, scenario.best_points, critical, passed)


def walks_of(scenario: BranchingScenario, pass_mark: int) -> list[Walk]:
    return [walk(scenario, rule, pass_mark) for rule in WALK_RULES]


# --- Printing ---------------------------------------------------------------------------------------------

def table(report: QuizAudit) -> list[str]:
    """The audit as lines of text, for the CLI."""
    kind = "final exam" if report.final else "quiz"
    lines = [f"{report.path}: {report.title} ({kind}, pass mark {report.pass_mark}%)"]
    if report.strategies:
        lines.append(f"  {report.questions} single-answer question{'s' if report.questions != 1 else ''}, "
                     f"chance {report.chance:.1f}%")
        lines.append(f"  {'strategy':<44}{'expected':>9}{'vs chance':>11}  verdict")
        for s in report.strategies:
            verdict = "PASSES" if s.passes else ""
            lines.append(f"  {s.name:<44}{s.expected:>8.1f}%{s.above_chance:>+10.1f}  {verdict}".rstrip())
    for w in report.walks:
        outcome = f", outcome {w.outcome}" if w.outcome else ""
        verdict = "PASSES" if w.passed else "fails" + (" (critical error)" if w.critical else "")
        lines.append(f"  simulation '{w.scenario}', always the {w.rule}: ending '{w.ending}'{outcome}, "
                     f"{w.points} of {w.best} points ({w.percent}%), {verdict}")
    return lines
