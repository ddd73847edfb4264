"""Drawing, branching walks, grading and the time-limit rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from academy.domain import grading
from academy.domain.grading import AnswerError, Layout, PathStep
from academy.domain.quiz_format import parse_quiz

FRONT = "---\ntitle: T\nmodule: m\n{rules}\n---\n"


def question(key: str, correct: str = "x", options: int = 3) -> str:
    marks = "".join(f"- [{'x' if str(i) in correct or correct == 'x' and i == 0 else ' '}] option {i}\n"
                    for i in range(options))
    return f"## Question {key} {{#{key}}}\n{marks}\n"


def scenario(name: str, keys: list[str]) -> str:
    return f"# Scenario: {name}\nStory.\n\n" + "".join(question(k) for k in keys) + "# Questions\n"


BRANCHING = """\
# Branching scenario: Outage {#outage}
## Start {#start}
- [x] Declare {next: bridge, points: 10}
- [ ] Wait {next: lost, points: 0, critical: true}
## Bridge {#bridge}
- [x] Swarm {next: end, points: 10}
- [ ] Separately {next: end, points: 4}
## Ending: restored {#end}
Good.
## Ending: lost {#lost}
Bad.
# Questions
"""


def quiz_of(body: str, rules: str = ""):
    quiz, problems = parse_quiz(FRONT.format(rules=rules) + body, "quizzes/c/q.md")
    assert problems == [], problems
    return quiz


# --- Draw -----------------------------------------------------------------------------------------

def test_without_draw_every_question_is_asked_in_file_order():
    quiz = quiz_of(question("a") + question("b") + question("c"))
    assert grading.draw_layout(quiz, 1).question_keys == ["a", "b", "c"]


def test_the_same_seed_gives_the_same_layout_and_seeds_differ():
    quiz = quiz_of("".join(question(f"q{i}") for i in range(12)), "draw: 5")
    layouts = {tuple(grading.draw_layout(quiz, seed).items) for seed in range(20)}
    assert grading.draw_layout(quiz, 7) == grading.draw_layout(quiz, 7)
    assert len(layouts) > 1


def test_options_are_shuffled_per_attempt_but_never_lost():
    quiz = quiz_of(question("a", options=5))
    orders = {grading.draw_layout(quiz, seed).items[0].options for seed in range(30)}
    assert len(orders) > 1
    assert all(sorted(order) == ["a", "b", "c", "d", "e"] for order in orders)


def test_a_scenario_is_drawn_whole_and_the_draw_is_exact():
    quiz = quiz_of(scenario("S", ["s1", "s2", "s3"]) + "".join(question(f"q{i}") for i in range(3)), "draw: 4")
    for seed in range(40):
        keys = grading.draw_layout(quiz, seed).question_keys
        assert len(keys) == 4
        assert {"s1", "s2", "s3"} <= set(keys) or not {"s1", "s2", "s3"} & set(keys)


def test_when_no_combination_adds_up_the_draw_falls_just_short():
    quiz = quiz_of(scenario("A", ["a1", "a2", "a3"]) + scenario("B", ["b1", "b2", "b3"]), "draw: 4")
    assert len(grading.draw_layout(quiz, 3).question_keys) == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=8), st.integers(1, 20), st.integers())
def test_draw_never_exceeds_the_target_when_any_unit_fits(sizes, draw, seed):
    body = "".join(scenario(f"S{i}", [f"s{i}-{j}" for j in range(n)]) for i, n in enumerate(sizes))
    quiz = quiz_of(body, f"draw: {min(draw, sum(sizes))}")
    keys = grading.draw_layout(quiz, seed).question_keys
    assert len(keys) == len(set(keys))
    if min(sizes) <= quiz.draw:
        assert len(keys) <= quiz.draw
    if quiz.draw == sum(sizes):
        assert len(keys) == sum(sizes)


def test_a_branching_scenario_counts_as_one_question_and_its_best_path_in_points():
    quiz = quiz_of(BRANCHING + question("a"))
    layout = grading.draw_layout(quiz, 1)
    assert layout.branching_ids == ["outage"] and layout.question_keys == ["a"]
    assert grading.max_points(quiz, layout) == 21


def test_layout_survives_a_json_round_trip():
    quiz = quiz_of(BRANCHING + question("a"))
    layout = grading.draw_layout(quiz, 1)
    layout.paths["outage"] = [PathStep("start", "a")]
    assert Layout.from_dict(layout.to_dict()) == layout


# --- Answers --------------------------------------------------------------------------------------

@pytest.fixture
def quiz():
    return quiz_of(question("single", correct="1") + question("multi", correct="02", options=4), "pass_mark: 50")


@pytest.fixture
def layout(quiz):
    return grading.draw_layout(quiz, 0)


def test_only_the_exact_correct_set_earns_the_point(quiz, layout):
    answers = grading.check_answers(quiz, layout, {"single": ["b"], "multi": ["a"]}, complete=True)
    result = grading.grade(quiz, layout, answers)
    assert [(q.key, q.correct) for q in result.questions] == [("single", True), ("multi", False)]
    answers = grading.check_answers(quiz, layout, {"single": ["a"], "multi": ["a", "c"]}, complete=True)
    assert [q.correct for q in grading.grade(quiz, layout, answers).questions] == [False, True]
    answers = grading.check_answers(quiz, layout, {"single": ["a"], "multi": ["a", "b", "c"]}, complete=True)
    assert [q.correct for q in grading.grade(quiz, layout, answers).questions] == [False, False]


def test_percentage_and_pass_mark(quiz, layout):
    half = grading.grade(quiz, layout, {"single": frozenset("b")})
    assert (half.points, half.max_points, half.percent, half.passed) == (1, 2, 50, True)
    none = grading.grade(quiz, layout, {})
    assert (none.points, none.percent, none.passed) == (0, 0, False)


def test_percent_is_rounded_down_so_it_never_contradicts_the_pass_mark():
    quiz = quiz_of("".join(question(f"q{i}") for i in range(3)), "pass_mark: 67")
    layout = grading.draw_layout(quiz, 0)
    result = grading.grade(quiz, layout, {"q0": frozenset("a"), "q1": frozenset("a")})
    assert (result.percent, result.passed) == (66, False)


@pytest.mark.parametrize(("answers", "message"), [
    ({"nope": ["a"]}, "The answers do not match this attempt"),
    ({"single": ["z"]}, "has no such option"),
    ({"single": ["a", "b"]}, "Choose one option for"),
    ({"single": ["b"]}, "Answer every question before submitting (unanswered: 2)"),
])
def test_answers_that_do_not_fit_the_attempt_are_refused(quiz, layout, answers, message):
    with pytest.raises(AnswerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        grading.check_answers(quiz, layout, answers, complete=True)


def test_an_option_of_another_question_is_refused():
    quiz = quiz_of(question("a", options=2) + question("b", options=4))
    layout = grading.draw_layout(quiz, 0)
    with pytest.raises(AnswerError, match="no such option"):
        grading.check_answers(quiz, layout, {"a": ["d"]}, complete=False)


def test_a_partial_save_is_fine_when_not_submitting(quiz, layout):
    assert grading.check_answers(quiz, layout, {"single": ["b"], "multi": []}, complete=False) == {
        "single": frozenset("b")}


# --- Branching ------------------------------------------------------------------------------------

@pytest.fixture
def branching_quiz():
    return quiz_of(BRANCHING + question("a"))


def walk(quiz, *choices):
    scenario = quiz.branching("outage")
    layout = grading.draw_layout(quiz, 0)
    path = layout.paths.setdefault("outage", [])
    for step_id, key in choices:
        grading.choose(scenario, path, step_id, key)
    return layout


def test_walking_follows_choices_to_an_ending(branching_quiz):
    layout = walk(branching_quiz, ("start", "a"), ("bridge", "b"))
    here = grading.position(branching_quiz.branching("outage"), layout.paths["outage"])
    assert (here.step.id, here.points, here.finished) == ("end", 14, True)
    assert grading.unfinished_scenarios(branching_quiz, layout) == []


def test_branching_scores_path_points_over_best_path(branching_quiz):
    layout = walk(branching_quiz, ("start", "a"), ("bridge", "b"))
    result = grading.grade(branching_quiz, layout, {"a": frozenset("a")})
    (outage,) = result.branching
    assert (outage.points, outage.max_points, outage.critical) == (14, 20, False)
    assert (result.points, result.max_points, result.percent, result.passed) == (15, 21, 71, True)


def test_a_critical_choice_fails_the_attempt_whatever_the_score():
    quiz = quiz_of(BRANCHING + question("a"), "pass_mark: 0")
    layout = walk(quiz, ("start", "b"))
    result = grading.grade(quiz, layout, {"a": frozenset("a")})
    assert result.critical_error and not result.passed


@pytest.mark.parametrize(("choices", "message"), [
    ([("bridge", "a")], "not the step you are at"),
    ([("start", "z")], "Choose one of the options shown"),
    ([("start", "b"), ("lost", "a")], "already finished"),
])
def test_choices_out_of_turn_are_refused(branching_quiz, choices, message):
    with pytest.raises(AnswerError, match=message):
        walk(branching_quiz, *choices)


def test_an_unfinished_scenario_is_reported_and_scores_its_path_so_far(branching_quiz):
    layout = walk(branching_quiz, ("start", "a"))
    assert [s.id for s in grading.unfinished_scenarios(branching_quiz, layout)] == ["outage"]
    (outage,) = grading.grade(branching_quiz, layout, {}).branching
    assert (outage.points, outage.finished) == (10, False)


# --- Time -----------------------------------------------------------------------------------------

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_untimed_attempts_have_no_deadline():
    assert grading.deadline(START, None) is None
    assert grading.counts_at(None, START + timedelta(days=30))


def test_answers_count_until_thirty_seconds_after_the_deadline():
    due = grading.deadline(START, 45)
    assert due == START + timedelta(minutes=45)
    assert grading.counts_at(due, due)
    assert grading.counts_at(due, due + timedelta(seconds=30))
    assert not grading.counts_at(due, due + timedelta(seconds=31))


# --- Shaping an attempt for a page ----------------------------------------------------------------

def test_sections_group_questions_under_their_scenario_and_number_them():
    quiz = quiz_of(question("a") + scenario("S", ["s1", "s2"]) + question("b") + BRANCHING)
    layout = grading.draw_layout(quiz, 5)
    shaped = grading.sections(quiz, layout)
    assert [(s.kind, getattr(s.scenario, "title", None)) for s in shaped] == [
        ("questions", None), ("questions", "S"), ("questions", None), ("branching", "Outage")]
    assert [q.number for q in shaped[1].questions] == [2, 3]
    assert shaped[3].number == 5 and shaped[3].position.step.id == "start"


def test_sections_show_options_in_the_attempts_order():
    quiz = quiz_of(question("a", options=4))
    layout = grading.draw_layout(quiz, 11)
    (group,) = grading.sections(quiz, layout)
    assert tuple(o.key for o in group.questions[0].options) == layout.items[0].options


def test_decisions_pair_each_step_with_the_choice_made(branching_quiz):
    layout = walk(branching_quiz, ("start", "a"), ("bridge", "b"))
    taken = grading.decisions(branching_quiz.branching("outage"), layout.paths["outage"])
    assert [(step.id, choice.key, choice.points) for step, choice in taken] == [("start", "a", 10), ("bridge", "b", 4)]
