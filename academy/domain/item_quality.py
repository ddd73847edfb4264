"""Item-quality checks: the cues that let a learner answer without knowing the subject.

Every finding is a warning (:class:`~academy.domain.problems.Problem`) with the file, the line to
look at and the figure behind it. ``content check`` prints them, ``content check --strict`` fails on
them, the browser editor lists them beside the preview and the publish page shows them. The checks
and their thresholds are explained for authors in ``docs/authoring.md``; the constants below are
the single source of those numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from . import guessing
from . import item_text as text
from .problems import Problem
from .quiz_format import BranchingScenario, Question, QuizDef, Scenario, blueprint_bucket, unit_questions

#: A length rank (or any guessing strategy) may beat chance by at most this many percentage points:
#: on a final exam (a certificate rests on it) and on a practice quiz (fewer items, more noise).
MARGIN_FINAL = 15
MARGIN_PRACTICE = 25
#: Below this many single-answer questions a quiz-wide share is noise: the rank checks stay quiet.
MIN_QUESTIONS = 5
#: Absolute words: distractors may carry them at most this many points more often than keys.
ABSOLUTE_GAP = 10
#: Near-duplicate questions: Jaccard similarity of the word-pair shingles of prompt and options.
NEAR_DUPLICATE = 0.5
#: Two questions that are both asked about scenarios are different items when their scenarios
#: differ (the retold-scenario check compares narratives): only nearly identical text counts then.
NEAR_DUPLICATE_IN_SCENARIOS = 0.8
#: Two options are "the same option" when their word-pair shingles overlap this much (Jaccard); pairs,
#: not single words, so that "A, then B" and "B, then A" (a ranking question) stay different.
SAME_OPTION = 0.8
#: Two questions share their options when this share of the smaller option list has a match (and,
#: to count as the same item, their keys match too and at least one stands outside a scenario).
SHARED_OPTIONS = 0.75
#: A final-exam scenario retells a practice scenario when their narratives, without capitalised
#: words (names), share this much of their content words (Jaccard).
RETOLD_SCENARIO = 0.30

_ALL_NONE = re.compile(r"\b(all|none|both|neither) of the (above|options|answers|following|others)\b",
                       re.IGNORECASE)

QuizFile = tuple[str, QuizDef]


def check_course(quizzes: Sequence[QuizFile]) -> list[Problem]:
    """Every warning for a course's quizzes: each quiz alone, then across quizzes."""
    found: list[Problem] = []
    for path, quiz in quizzes:
        found += check_quiz(path, quiz)
    found += _across_quizzes(quizzes)
    return sorted(set(found))


def check_quiz(path: str, quiz: QuizDef) -> list[Problem]:
    """The warnings one quiz earns on its own."""
    found: list[Problem] = []
    views = guessing.items(quiz)
    margin = MARGIN_FINAL if quiz.final else MARGIN_PRACTICE
    found += _strategies(path, quiz, views, margin)
    found += _absolute_words(path, views)
    for question in quiz.questions():
        found += _question(path, question)
    found += _near_duplicates(_questions(path, quiz), within=True)
    for scenario in quiz.branching_scenarios():
        found += _simulation(path, quiz, scenario, margin)
    found += _unused_items(path, quiz)
    return found


def warn(path: str, line: int, message: str) -> Problem:
    return Problem(path, max(line, 1), f"warning: {message}")


# --- Quiz-wide guessing cues ---------------------------------------------------------------------

def _strategies(path: str, quiz: QuizDef, views: list[guessing.ItemView], margin: int) -> list[Problem]:
    """Any length rank or naive strategy beating chance by more than the margin."""
    if len(views) < MIN_QUESTIONS:
        return []
    base = guessing.chance(views)
    found = []
    for strategy in guessing.STRATEGIES:
        score = guessing.expected_score(views, strategy)
        if score - base > margin:
            hits = [v.line for v in views if strategy.choose(v)[v.key_index] == 1.0]
            found.append(warn(path, hits[0] if hits else 1,
                              f"'{strategy.name}' finds the key in {score:.0f}% of the {len(views)} single-answer "
                              f"questions (chance {base:.0f}%, allowed {base + margin:.0f}%); it picks the key "
                              f"outright at lines {_lines(hits)}"))
    return found


def _absolute_words(path: str, views: list[guessing.ItemView]) -> list[Problem]:
    """Absolute words (never, always, only...) more frequent in distractors than in keys."""
    keys = [v.options[v.key_index] for v in views]
    distractors = [(v, o) for v in views for i, o in enumerate(v.options) if i != v.key_index]
    if len(views) < MIN_QUESTIONS or not distractors:
        return []
    in_keys = 100 * sum(text.has_absolute(k) for k in keys) / len(keys)
    marked = [v.line for v, o in distractors if text.has_absolute(o)]
    in_distractors = 100 * len(marked) / len(distractors)
    if in_distractors - in_keys <= ABSOLUTE_GAP:
        return []
    return [warn(path, marked[0], f"absolute words (never, always, only, guarantee...) are in "
                                  f"{in_distractors:.0f}% of distractors but {in_keys:.0f}% of keys (allowed gap "
                                  f"{ABSOLUTE_GAP} points): learners rule those options out unread; see the "
                                  f"questions at lines {_lines(sorted(set(marked)))}")]


def _lines(lines: list[int], most: int = 8) -> str:
    shown = ", ".join(str(n) for n in lines[:most])
    return shown + (f" and {len(lines) - most} more" if len(lines) > most else "")


# --- One question ------------------------------------------------------------------------------------

def _question(path: str, question: Question) -> list[Problem]:
    found = []
    options = [(o, text.plain(o.text_html)) for o in question.options]
    for option, words in options:
        if match := _ALL_NONE.search(words):
            found.append(warn(path, option.line or question.line,
                              f"'{match.group(0)}' in question '{question.key}': it can be answered by "
                              "spotting two true (or one false) options; write a real option instead"))
    for (a, a_text), (b, b_text) in combinations(options, 2):
        a_words, b_words = text.shingles(a_text), text.shingles(b_text)
        if " ".join(text.words(a_text)) == " ".join(text.words(b_text)):
            found.append(warn(path, b.line or question.line,
                              f"question '{question.key}': options {a.key} and {b.key} say the same thing"))
        elif text.jaccard(a_words, b_words) >= SAME_OPTION:
            found.append(warn(path, b.line or question.line,
                              f"question '{question.key}': options {a.key} and {b.key} overlap "
                              f"({text.jaccard(a_words, b_words):.0%} of their word pairs shared): options should "
                              "be mutually exclusive"))
    view = guessing.item_view(question)
    if view is not None:
        stem = text.content_words(view.stem)
        shared = [len(stem & text.content_words(o)) for o in view.options]
        key_shared = shared.pop(view.key_index)
        if key_shared >= 2 and max(shared, default=0) == 0:
            found.append(warn(path, question.line,
                              f"question '{question.key}': the key repeats {key_shared} words of the question "
                              "and no distractor repeats any: the wording gives the answer away"))
    return found


# --- Similar questions ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Fingerprint:
    path: str
    question: Question
    shingles: frozenset
    options: tuple[frozenset, ...]
    keys: tuple[frozenset, ...]
    #: Asked about a scenario's narrative: the same options applied to a new case are a new item.
    in_scenario: bool


def _fingerprint(path: str, question: Question, in_scenario: bool) -> _Fingerprint:
    option_texts = [text.plain(o.text_html) for o in question.options]
    whole = " ".join([question.prompt, *option_texts])
    options = tuple(text.shingles(o) for o in option_texts)
    keys = tuple(sorted((o for o, opt in zip(options, question.options, strict=True) if opt.correct), key=sorted))
    return _Fingerprint(path, question, text.shingles(whole), options, keys, in_scenario)


def _same_keys(a: _Fingerprint, b: _Fingerprint) -> bool:
    return len(a.keys) == len(b.keys) and all(any(text.jaccard(k, j) >= SAME_OPTION for j in b.keys)
                                              for k in a.keys)


def _questions(path: str, quiz: QuizDef) -> list[tuple[str, Question, bool]]:
    """(path, question, asked in a scenario) for every ordinary question of ``quiz``."""
    in_scenarios = {q.key for u in quiz.units if isinstance(u, Scenario) for q in u.questions}
    return [(path, q, q.key in in_scenarios) for q in quiz.questions()]


def _shared_options(a: _Fingerprint, b: _Fingerprint) -> float:
    """Share of the shorter option list that has a near-identical option in the other list."""
    small, large = sorted((a.options, b.options), key=len)
    if len(small) < 3:
        return 0.0
    matched = sum(any(text.jaccard(o, p) >= SAME_OPTION for p in large) for o in small)
    return matched / len(small)


def _near_duplicates(questions: list[tuple[str, Question, bool]], *, within: bool,
                     others: list[tuple[str, Question, bool]] | None = None) -> list[Problem]:
    """Pairs of questions that read alike, or that share their options and their key.

    Similarity is the Jaccard index of word-pair shingles (stop words removed, crude stems) over
    the prompt and every option: 1.0 for the same text, about 0.5 when half of the word pairs match.
    Shared options alone count only with the same key and when at least one of the two questions
    stands alone: "which model fits?" with the same options about two different scenarios is two items.
    """
    mine = [_fingerprint(*q) for q in questions]
    theirs = mine if within else [_fingerprint(*q) for q in (others or [])]
    found = []
    for i, a in enumerate(mine):
        for b in (theirs[i + 1:] if within else theirs):
            similarity = text.jaccard(a.shingles, b.shingles)
            shared = _shared_options(a, b)
            both_in_scenarios = a.in_scenario and b.in_scenario
            same_item = shared >= SHARED_OPTIONS and _same_keys(a, b) and not both_in_scenarios
            if similarity < (NEAR_DUPLICATE_IN_SCENARIOS if both_in_scenarios else NEAR_DUPLICATE) and not same_item:
                continue
            # Within a quiz the later question is the copy; across quizzes, the one in this quiz.
            copy, original = (b, a) if within else (a, b)
            where = f"line {original.question.line}" if within else f"{original.path}:{original.question.line}"
            found.append(warn(copy.path, copy.question.line,
                              f"question '{copy.question.key}' is a near-duplicate of '{original.question.key}' "
                              f"({where}): {similarity:.0%} of word pairs alike, {shared:.0%} of options shared"))
    return found


def _across_quizzes(quizzes: Sequence[QuizFile]) -> list[Problem]:
    """Near-duplicates between quizzes, and a final exam retelling practice scenarios."""
    found = []
    for (path_a, quiz_a), (path_b, quiz_b) in combinations(quizzes, 2):
        if quiz_b.final and not quiz_a.final:
            (path_a, quiz_a), (path_b, quiz_b) = (path_b, quiz_b), (path_a, quiz_a)
        found += _near_duplicates(_questions(path_a, quiz_a), within=False, others=_questions(path_b, quiz_b))
        if quiz_a.final and not quiz_b.final:
            found += _retold_scenarios(path_a, quiz_a, path_b, quiz_b)
    return found


def _retold_scenarios(path: str, final: QuizDef, practice_path: str, practice: QuizDef) -> list[Problem]:
    found = []
    practice_scenarios = [u for u in practice.units if isinstance(u, Scenario | BranchingScenario)]
    for unit in final.units:
        if not isinstance(unit, Scenario | BranchingScenario):
            continue
        mine = text.content_words(text.plain(unit.narrative_html), drop_names=True)
        for other in practice_scenarios:
            theirs = text.content_words(text.plain(other.narrative_html), drop_names=True)
            similarity = text.jaccard(mine, theirs)
            if similarity >= RETOLD_SCENARIO:
                found.append(warn(path, unit.line,
                                  f"the exam's scenario '{unit.title}' retells '{other.title}' of "
                                  f"{practice_path}:{other.line} ({similarity:.0%} of its words, names aside): "
                                  "an exam scenario must be new, or it tests recall of a practice item"))
    return found


# --- Simulations and blueprints ---------------------------------------------------------------------------

def _simulation(path: str, quiz: QuizDef, scenario: BranchingScenario, margin: int) -> list[Problem]:
    found = []
    decisions = [s for s in scenario.steps if len(s.choices) >= 2]
    for rule in ("longest", "shortest"):
        pick = guessing.WALK_RULES[f"{rule} choice"]
        hits = [s for s in decisions if pick(s.choices).recommended]
        base = 100 * sum(1 / len(s.choices) for s in decisions) / len(decisions) if decisions else 0
        share = 100 * len(hits) / len(decisions) if decisions else 0
        if len(decisions) >= 3 and share - base > margin:
            found.append(warn(path, hits[0].line,
                              f"simulation '{scenario.id}': the recommended choice is the {rule} at "
                              f"{len(hits)} of {len(decisions)} steps ({share:.0f}%, chance {base:.0f}%)"))
    for walk in guessing.walks_of(scenario, quiz.pass_mark):
        if walk.passed and walk.rule != "first choice":
            found.append(warn(path, scenario.line,
                              f"simulation '{scenario.id}': always taking the {walk.rule} passes ({walk.points} "
                              f"of {walk.best} points, ending '{walk.ending}')"))
    reached = scenario.ending_scores()
    for step in scenario.steps:
        if step.is_ending and step.outcome is None and step.id in reached:
            scores = reached[step.id]
            both = any(scenario.passes(s, quiz.pass_mark) for s in scores) and \
                not all(scenario.passes(s, quiz.pass_mark) for s in scores)
            found.append(warn(path, step.line,
                              f"ending '{step.id}' declares no outcome" + (
                                  " and is reached with both passing and failing scores "
                                  f"({min(scores)}-{max(scores)} of {scenario.best_points})" if both else "")
                              + ": add {outcome: pass} or {outcome: fail} to its heading"))
    return found


def _unused_items(path: str, quiz: QuizDef) -> list[Problem]:
    if not quiz.blueprint:
        return []
    unused = [u for u in quiz.units if blueprint_bucket(u, quiz.blueprint) is None]
    if not unused:
        return []
    count = sum(unit_questions(u) for u in unused)
    return [warn(path, unused[0].line, f"{count} question{'s carry' if count != 1 else ' carries'} no tag of the "
                                       "draw and are never asked: tag them or remove them")]
