"""The quiz file format: what authors write, what the parser makes of it, and every mistake it names."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.domain.quiz_format import (
    BranchingScenario,
    Question,
    QuizDef,
    Scenario,
    branching_summaries,
    parse_quiz,
)

REPO = Path(__file__).resolve().parents[2]
PATH = "quizzes/c/which-model.md"

FRONT = """\
---
title: Which model fits?
module: 04-in-house-models
---
"""

QUIZ = FRONT + """\
# Scenario: Northbank Financial
Northbank runs **many** suppliers.

## Which model does Northbank run today?
Think about who talks to users.

- [ ] Total ownership
  > Suppliers do have MI services here.
- [x] Mirrored
  > Why this is right.
- [ ] Fully outsourced

> The explanation, shown after submission.

# Questions
## Which are phases of the procedure? {#phases}
- [x] The first 15 minutes
- [x] Resolution and closure
- [ ] Procurement
"""

BRANCHING = FRONT + """\
# Branching scenario: Payments down {#payments}
Narrative shared by every step.

## 18:02, alerts flood in {#start}
What the learner sees.

- [x] Declare and open the bridge {next: bridge, points: 10}
  > The bridge opens.
- [ ] Wait {next: waited, points: 0, critical: true}
  > Nothing happens.

## 18:20, the bridge is open {#bridge}
- [x] Swarm {next: restored, points: 10}
- [ ] Ask each team separately {next: restored, points: 2}

## Ending: Service restored {#restored}
Well done.

## Ending: Waited too long {#waited}
Too late.
"""


def parse(text: str):
    return parse_quiz(text, PATH)


def messages(text: str) -> list[str]:
    quiz, problems = parse(text)
    assert quiz is None
    return [f"{p.line}: {p.message}" for p in problems]


def one_problem(text: str) -> str:
    found = messages(text)
    assert len(found) == 1, found
    return found[0]


# --- What a valid file becomes --------------------------------------------------------------------

def test_front_matter_sets_the_rules_and_the_file_name_sets_the_slug():
    quiz, problems = parse(QUIZ.replace("module: 04-in-house-models",
                                        "module: 04-in-house-models\npass_mark: 80\nattempts: 3\n"
                                        "draw: 2\ntime_limit: 30"))
    assert problems == []
    assert (quiz.slug, quiz.title, quiz.module, quiz.final) == ("which-model", "Which model fits?",
                                                                "04-in-house-models", False)
    assert (quiz.pass_mark, quiz.attempts, quiz.draw, quiz.time_limit) == (80, 3, 2, 30)


def test_defaults_are_pass_mark_70_and_no_limits():
    quiz, _ = parse(QUIZ)
    assert (quiz.pass_mark, quiz.attempts, quiz.draw, quiz.time_limit) == (70, None, None, None)


def test_a_final_exam_has_no_module():
    quiz, problems = parse(QUIZ.replace("module: 04-in-house-models", "final: true"))
    assert problems == [] and quiz.final and quiz.module is None


def test_scenario_owns_the_questions_under_it_until_the_next_top_heading():
    quiz, _ = parse(QUIZ)
    scenario, standalone = quiz.units
    assert isinstance(scenario, Scenario) and scenario.title == "Northbank Financial"
    assert "<strong>many</strong>" in scenario.narrative_html
    assert [q.key for q in scenario.questions] == ["which-model-does-northbank-run-today"]
    assert isinstance(standalone, Question) and standalone.key == "phases"


def test_question_parts_are_rendered_once_at_parse_time():
    quiz, _ = parse(QUIZ)
    question = quiz.question("which-model-does-northbank-run-today")
    assert question.prompt == "Which model does Northbank run today?"
    assert question.body_html == "<p>Think about who talks to users.</p>"
    assert [o.key for o in question.options] == ["a", "b", "c"]
    assert [o.correct for o in question.options] == [False, True, False]
    assert question.options[1].text_html == "Mirrored"
    assert question.options[1].feedback_html == "<p>Why this is right.</p>"
    assert question.options[2].feedback_html == ""
    assert question.explanation_html == "<p>The explanation, shown after submission.</p>"
    assert not question.multiple


def test_several_correct_options_make_a_multiple_answer_question():
    quiz, _ = parse(QUIZ)
    assert quiz.question("phases").multiple
    assert quiz.question("phases").correct_keys == {"a", "b"}


def test_counts_and_points_treat_each_question_as_one_point():
    quiz, _ = parse(QUIZ)
    assert quiz.question_count == 2
    assert quiz.max_points == 2


def test_long_options_and_feedback_may_wrap_onto_following_lines():
    quiz, problems = parse(FRONT + textwrap.dedent("""\
        ## Wrapped?
        - [x] An option that goes on
          and on
          > Feedback that goes on
          and on.
        - [ ] Short
        > An explanation
        that wraps.
        """))
    assert problems == []
    question = quiz.questions()[0]
    assert question.options[0].text_html == "An option that goes on\nand on"
    assert question.options[0].feedback_html == "<p>Feedback that goes on\nand on.</p>"
    assert question.explanation_html == "<p>An explanation\nthat wraps.</p>"


def test_headings_and_options_inside_fenced_code_are_body_text():
    quiz, problems = parse(FRONT + textwrap.dedent("""\
        ## What does this log say?
        ```
        # not a heading
        - [x] not an option
        ```
        - [x] Yes
        - [ ] No
        """))
    assert problems == []
    assert "# not a heading" in quiz.questions()[0].body_html
    assert len(quiz.questions()[0].options) == 2


def test_markdown_is_sanitised():
    quiz, _ = parse(FRONT + "## Safe? <script>alert(1)</script>\n- [x] <img src=x onerror=alert(1)>yes\n- [ ] no\n")
    question = quiz.questions()[0]
    assert "<script" not in question.prompt_html and "onerror" not in question.options[0].text_html


def test_branching_scenario_steps_choices_and_endings():
    quiz, problems = parse(BRANCHING)
    assert problems == []
    (scenario,) = quiz.units
    assert isinstance(scenario, BranchingScenario)
    assert (scenario.id, scenario.title, scenario.first_step.id) == ("payments", "Payments down", "start")
    declare, wait = scenario.first_step.choices
    assert (declare.key, declare.next, declare.points, declare.critical, declare.recommended) == (
        "a", "bridge", 10, False, True)
    assert (wait.next, wait.points, wait.critical, wait.recommended) == ("waited", 0, True, False)
    assert declare.text_html == "Declare and open the bridge"
    assert declare.consequence_html == "<p>The bridge opens.</p>"
    assert scenario.step("restored").is_ending and scenario.step("restored").body_html == "<p>Well done.</p>"


def test_a_branching_scenario_is_worth_its_best_path_and_counts_as_one_question():
    quiz, _ = parse(BRANCHING + "# Questions\n## Extra\n- [x] a\n- [ ] b\n")
    assert quiz.question_count == 2
    assert quiz.max_points == 20 + 1


def test_branching_summary_gives_paths_and_score_range():
    quiz, _ = parse(BRANCHING)
    (summary,) = branching_summaries(quiz)
    assert (summary.stats.paths, summary.stats.min_points, summary.stats.max_points) == (3, 0, 20)
    assert str(summary) == "branching scenario 'payments': 3 paths, score 0-20"


@pytest.mark.parametrize("text", [QUIZ, BRANCHING])
def test_to_dict_survives_a_json_round_trip(text):
    quiz, _ = parse(text)
    restored = QuizDef.from_dict(json.loads(json.dumps(quiz.to_dict())))
    assert restored == quiz
    assert restored.max_points == quiz.max_points


def test_the_course_quizzes_in_the_repository_parse():
    files = sorted((REPO / "quizzes").glob("*/*.md"))
    for file in files:
        quiz, problems = parse_quiz(file.read_text("utf-8"), str(file.relative_to(REPO)))
        assert problems == [], "\n".join(map(str, problems))
        assert QuizDef.from_dict(json.loads(json.dumps(quiz.to_dict()))) == quiz


# --- Front matter mistakes ------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "message"), [
    ("pass_mark: 101", "pass_mark must be a whole number from 0 to 100"),
    ("pass_mark: -1", "pass_mark must be a whole number from 0 to 100"),
    ("pass_mark: high", "pass_mark must be a whole number from 0 to 100"),
    ("attempts: 0", "attempts must be a whole number greater than 0"),
    ("attempts: 2.5", "attempts must be a whole number greater than 0"),
    ("time_limit: -5", "time_limit must be a whole number greater than 0 (minutes)"),
    ("draw: true", "draw must be a whole number greater than 0"),
    ("final: yes please", "final must be true or false"),
])
def test_rules_out_of_range_are_named_on_their_line(line, message):
    text = QUIZ.replace("module: 04-in-house-models", f"module: 04-in-house-models\n{line}")
    assert one_problem(text) == f"4: {message}"


def test_unknown_front_matter_key_suggests_the_right_one():
    text = QUIZ.replace("module: 04-in-house-models", "module: 04-in-house-models\npassmark: 80")
    assert one_problem(text) == "4: unknown front matter key 'passmark'; did you mean 'pass_mark'?"


def test_module_and_final_together_are_refused():
    text = QUIZ.replace("module: 04-in-house-models", "module: 04-in-house-models\nfinal: true")
    assert "either 'module' or 'final: true', not both" in one_problem(text)


def test_a_quiz_needs_a_module_or_final():
    assert "needs 'module'" in one_problem(QUIZ.replace("module: 04-in-house-models\n", ""))


def test_a_quiz_needs_a_title():
    assert one_problem(QUIZ.replace("title: Which model fits?\n", "")) == "1: front matter needs 'title'"


def test_draw_larger_than_the_bank():
    text = QUIZ.replace("module: 04-in-house-models", "module: 04-in-house-models\ndraw: 3")
    assert one_problem(text) == "4: draw is 3 but the quiz has only 2 questions"


def test_missing_front_matter():
    assert any("missing front matter" in m for m in messages("## Q\n- [x] a\n- [ ] b\n"))


# --- Question mistakes ----------------------------------------------------------------------------

def test_question_without_a_correct_option():
    assert one_problem(FRONT + "## Q?\n- [ ] a\n- [ ] b\n") == \
        "5: question 'q' has no correct option: mark one with '- [x]'"


def test_question_with_fewer_than_two_options():
    assert one_problem(FRONT + "## Q?\n- [x] a\n") == "5: question 'q' needs at least two options ('- [ ] ...' lines)"


def test_option_without_text():
    assert one_problem(FRONT + "## Q?\n- [x] a\n- [ ]\n") == "7: this option has no text"


def test_feedback_with_no_option():
    assert one_problem(FRONT + "## Q?\n  > stray feedback\n\n- [x] a\n- [ ] b\n") == \
        "6: feedback with no option: indent '> feedback' under an option line"


def test_feedback_after_the_explanation_belongs_to_no_option():
    found = one_problem(FRONT + "## Q?\n- [x] a\n- [ ] b\n\n> Explanation\n\n  > late feedback\n")
    assert found.startswith("11: feedback with no option")


def test_duplicate_question_keys():
    text = FRONT + "## Same {#k}\n- [x] a\n- [ ] b\n## Other {#k}\n- [x] a\n- [ ] b\n"
    assert one_problem(text) == "8: duplicate key 'k' (also used on line 5): give one of them a different {#id}"


def test_duplicate_headings_without_ids_collide_too():
    assert "duplicate key 'q'" in one_problem(FRONT + "## Q\n- [x] a\n- [ ] b\n## Q\n- [x] a\n- [ ] b\n")


def test_text_before_the_first_heading():
    assert one_problem(FRONT + "Welcome!\n## Q\n- [x] a\n- [ ] b\n").startswith("5: text before the first heading")


def test_text_under_a_plain_top_heading():
    found = one_problem(FRONT + "# Questions\nSome intro.\n## Q\n- [x] a\n- [ ] b\n")
    assert found.startswith("6: text under '# Questions' is not part of any question")


def test_text_after_the_options():
    found = one_problem(FRONT + "## Q\n- [x] a\n- [ ] b\n\nAn afterthought.\n")
    assert found.startswith("9: text after the options of 'Q'")


def test_a_plain_list_item_among_options():
    assert one_problem(FRONT + "## Q\n- [x] a\n- b\n- [ ] c\n") == \
        "7: a list item among the options needs '[ ]' or '[x]' after the dash"


def test_scenario_without_questions():
    found = messages(FRONT + "# Scenario: Empty\nStory.\n# Questions\n## Q\n- [x] a\n- [ ] b\n")
    assert found == ["5: scenario 'Empty' has no questions: add '## ...' headings under it"]


def test_a_file_without_questions():
    assert one_problem(FRONT) == "5: the quiz has no questions: add a '## question' heading"


def test_invalid_explicit_id():
    assert "is not a valid id" in one_problem(FRONT + "## Q {#no spaces}\n- [x] a\n- [ ] b\n")


def test_branching_attributes_in_an_ordinary_question():
    assert "belongs to choices in a '# Branching scenario:'" in one_problem(
        FRONT + "## Q\n- [x] a {next: x, points: 1}\n- [ ] b\n")


# --- Branching mistakes ---------------------------------------------------------------------------

def test_unreachable_step():
    text = BRANCHING + "\n## Orphan {#orphan}\n- [x] Go {next: restored, points: 1}\n"
    assert one_problem(text) == "26: step 'orphan' cannot be reached from the first step 'start'"


def test_a_cycle_is_refused():
    text = BRANCHING.replace("- [ ] Ask each team separately {next: restored, points: 2}",
                             "- [ ] Ask each team separately {next: start, points: 2}")
    assert one_problem(text) == "18: choice leads back to step 'start': every path must reach an ending"


def test_a_dangling_next():
    text = BRANCHING.replace("{next: restored, points: 10}", "{next: restord, points: 10}")
    assert one_problem(text) == \
        "17: choice leads to 'restord', which is not a step of branching scenario 'payments'"


def test_a_decision_step_needs_a_recommended_choice():
    text = BRANCHING.replace("- [x] Swarm", "- [ ] Swarm")
    assert one_problem(text) == "16: step 'bridge' needs a recommended choice: mark the best call with '- [x]'"


@pytest.mark.parametrize(("attributes", "message"), [
    ("{points: 10}", "a choice needs 'next: STEP-ID' saying which step it leads to"),
    ("{next: bridge, points: ten}", "points must be a whole number of 0 or more, not 'ten'"),
    ("{next: bridge, points: -3}", "points must be a whole number of 0 or more, not '-3'"),
    ("{next: bridge, points: 10, critical: maybe}", "critical must be true or false, not 'maybe'"),
    ("{next: bridge, score: 10}", "unknown choice attribute 'score': use next, points and critical"),
    ("{next bridge}", "'next bridge' should be 'name: value' in {next: STEP-ID, points: N}"),
])
def test_malformed_choice_attributes(attributes, message):
    text = BRANCHING.replace("{next: bridge, points: 10}", attributes)
    assert one_problem(text) == f"11: {message}"


def test_a_choice_without_attributes():
    text = BRANCHING.replace(" {next: bridge, points: 10}", "")
    assert one_problem(text) == "11: a choice ends with {next: STEP-ID, points: N}"


def test_an_ending_with_choices_is_flagged():
    text = BRANCHING.replace("## 18:20, the bridge is open {#bridge}", "## Ending: the bridge is open {#bridge}")
    assert one_problem(text) == "16: step 'bridge' is titled as an ending but has choices"


def test_duplicate_step_ids():
    text = BRANCHING.replace("{#waited}", "{#restored}").replace("next: waited", "next: restored")
    assert "duplicate step id 'restored'" in one_problem(text)


def test_a_scenario_with_no_points_anywhere():
    text = BRANCHING.replace("points: 10", "points: 0").replace("points: 2", "points: 0")
    assert one_problem(text) == "5: branching scenario 'payments' scores no points on any path: give its choices points"


def test_an_explanation_in_a_step_is_refused():
    text = BRANCHING.replace("## Ending: Service restored", "> Explanation\n\n## Ending: Service restored")
    assert one_problem(text).startswith("20: a step has no explanation")


# --- Robustness -----------------------------------------------------------------------------------

_pieces = st.sampled_from([
    "---", "title: T", "module: m", "final: true", "draw: 2", "pass_mark: 500", "# Scenario: S",
    "# Branching scenario: B {#b}", "# Questions", "## Q {#q}", "## Step {#s}", "## Ending: E {#e}", "- [x] yes",
    "- [ ] no", "- [x] go {next: s, points: 3}", "- [ ] loop {next: b, points: x}", "  > feedback", "> explain",
    "```", "", "text", "- item", "{#}", "## {#1}", "  more", "\t> tab", "\ufeff", "\r",
])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.one_of(_pieces, st.text(max_size=30)), max_size=40))
def test_the_parser_never_crashes(lines):
    quiz, problems = parse("\n".join(lines))
    assert (quiz is None) != (problems == [])
    for problem in problems:
        assert problem.path == PATH and problem.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_the_parser_never_crashes_on_arbitrary_text(text):
    quiz, problems = parse(text)
    assert (quiz is None) != (problems == [])
