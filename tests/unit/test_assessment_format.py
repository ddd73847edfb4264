"""Format extensions for assessments: heading tags, blueprinted draws, ending outcomes and ``review:``."""

from __future__ import annotations

import pytest

from academy.domain import grading
from academy.domain.grading import PathStep
from academy.domain.quiz_format import QuizDef, ending_summaries, parse_quiz

PATH = "quizzes/c/exam.md"


def front(rules: str = "") -> str:
    return f"---\ntitle: Exam\nfinal: true\n{rules}\n---\n"


def question(key: str, tags: str = "", correct: int = 0) -> str:
    block = f" {{#{key} tags: {tags}}}" if tags else f" {{#{key}}}"
    options = "".join(f"- [{'x' if i == correct else ' '}] Option {key} {i}\n" for i in range(3))
    return f"## Question {key}?{block}\n{options}\n"


def scenario(name: str, tags: str, keys: list[str]) -> str:
    return f"# Scenario: {name} {{tags: {tags}}}\nThe story.\n\n" + "".join(question(k) for k in keys)


def parsed(text: str) -> QuizDef:
    quiz, problems = parse_quiz(text, PATH)
    assert problems == []
    return quiz


def problems_of(text: str) -> list[str]:
    return [str(p) for p in parse_quiz(text, PATH)[1]]


# --- Tags ------------------------------------------------------------------------------------------

def test_a_heading_carries_an_id_and_tags_and_a_scenario_passes_its_tags_to_its_questions():
    quiz = parsed(front() + question("q1", "01-basics, shared-pool") + scenario("North", "04-models", ["s1"]))
    assert quiz.question("q1").tags == ["01-basics", "shared-pool"]
    assert quiz.question("s1").tags == ["04-models"]
    assert quiz.units[1].tags == ["04-models"]


def test_tags_without_an_id_keep_the_slug_key_and_old_ids_stay_valid():
    quiz = parsed(front() + "## Which model fits? {tags: 03-msp}\n- [x] A\n- [ ] B\n\n"
                  "## Old one {#old}\n- [x] A\n- [ ] B\n")
    assert [q.key for q in quiz.questions()] == ["which-model-fits", "old"]
    assert quiz.question("which-model-fits").tags == ["03-msp"]


def test_a_heading_ending_in_ordinary_braces_is_still_text():
    quiz = parsed(front() + "## What does {x} mean?\n- [x] A\n- [ ] B\n")
    assert quiz.questions()[0].prompt == "What does {x} mean?"


@pytest.mark.parametrize("heading, message", [
    ("## Q {tags: Not_A_Slug}", "'Not_A_Slug' is not a tag"),
    ("## Q {#q colour: red}", "unknown heading attribute 'colour': use #id, tags and outcome"),
    ("## Q {#q outcome: pass}", "a question takes no 'outcome'"),
])
def test_bad_heading_attributes_are_named_on_their_line(heading, message):
    found = problems_of(front() + heading + "\n- [x] A\n- [ ] B\n")
    assert any(p.startswith(f"{PATH}:6: ") and message in p for p in found), found


# --- Blueprinted draws -------------------------------------------------------------------------------

BANK = (question("a1", "mod-a") + question("a2", "mod-a") + question("a3", "mod-a")
        + question("b1", "mod-b, mod-a") + question("b2", "mod-b")
        + scenario("Big", "mod-c", ["c1", "c2"]) + scenario("Other", "mod-c", ["c3", "c4"]))


def test_a_blueprint_draws_its_count_from_each_bucket_every_time():
    quiz = parsed(front("draw: {mod-a: 2, mod-b: 2, mod-c: 2}") + BANK)
    assert quiz.draw == 6 and quiz.blueprint == {"mod-a": 2, "mod-b": 2, "mod-c": 2}
    for seed in range(30):
        keys = grading.draw_layout(quiz, seed).question_keys
        assert len([k for k in keys if k.startswith("a")]) == 2
        assert len([k for k in keys if k.startswith("b")]) == 2  # b1 is in mod-b: its first tag in the draw
        assert sorted(k for k in keys if k.startswith("c")) in (["c1", "c2"], ["c3", "c4"])


def test_an_item_whose_first_tag_is_not_drawn_falls_in_its_next_bucket():
    quiz = parsed(front("draw: {mod-a: 4}") + BANK)
    assert sorted(grading.draw_layout(quiz, 1).question_keys) == ["a1", "a2", "a3", "b1"]


@pytest.mark.parametrize("draw, message", [
    ("{mod-a: 5}", "draw asks 5 from 'mod-a', but its bucket holds only 4 questions"),
    ("{mod-c: 3}", "draw asks 3 from 'mod-c', whose items are scenarios of 2 questions: ask a multiple of 2"),
    ("{mod-z: 1}", "draw asks 1 question tagged 'mod-z', but no question or scenario is in that bucket"),
    ("{mod-a: 0}", "the number for 'mod-a' must be a whole number greater than 0"),
])
def test_content_check_proves_each_bucket_can_be_drawn(draw, message):
    found = problems_of(front(f"draw: {draw}") + BANK)
    assert any(p.startswith(f"{PATH}:4: ") and message in p for p in found), found


def test_a_bucket_mixing_sizes_is_refused():
    text = front("draw: {mixed: 2}") + question("q1", "mixed") + scenario("S", "mixed", ["s1", "s2"])
    assert any("draw bucket 'mixed' mixes items of 1, 2 questions" in p for p in problems_of(text))


def test_an_integer_draw_keeps_its_meaning():
    quiz = parsed(front("draw: 3") + BANK)
    assert quiz.blueprint is None and quiz.drawn_count == 3


# --- Endings with outcomes -----------------------------------------------------------------------------

SIMULATION = """\
# Branching scenario: Outage {#outage}
The story.

## Start {#start}
- [x] Open a bridge {next: good, points: 10}
- [ ] Wait {next: bad, points: 2}
- [ ] Blame {next: blame, points: 8}

## Ending: restored {#good outcome: pass}
Restored.

## Ending: lost {#bad outcome: fail}
Lost.

## Ending: blamed {#blame}
Blamed.
"""


def test_an_ending_marked_fail_fails_the_attempt_whatever_the_points():
    quiz = parsed(front("pass_mark: 70") + SIMULATION)
    layout = grading.draw_layout(quiz, 1)
    layout.paths["outage"] = [PathStep("start", "c")]
    assert grading.grade(quiz, layout, {}).passed  # 8 of 10, ending without outcome: the points decide
    quiz.branching("outage").step("blame").outcome = "fail"
    result = grading.grade(quiz, layout, {})
    assert result.percent == 80 and not result.passed and result.failed_ending


def test_an_ending_marked_pass_that_only_failing_paths_reach_is_refused():
    text = front("pass_mark: 70") + SIMULATION.replace("{#bad outcome: fail}", "{#bad outcome: pass}")
    assert f"{PATH}:17: ending 'bad' is marked 'outcome: pass' but every path to it scores below the pass mark " \
           "(best 2 of 10 points, pass needs 7): mark it 'outcome: fail' or rescore its paths" in problems_of(text)


def test_only_an_ending_takes_an_outcome():
    text = front() + SIMULATION.replace("## Start {#start}", "## Start {#start outcome: pass}")
    assert any("step 'start' has choices, so it is not an ending" in p for p in problems_of(text))


def test_content_check_lists_each_ending_with_its_outcome_and_path_scores():
    assert ending_summaries(parsed(front("pass_mark: 70") + SIMULATION)) == [
        "branching scenario 'outage': ending 'good', outcome pass, reached with 10 of 10 points (pass needs 7)",
        "branching scenario 'outage': ending 'bad', outcome fail, reached with 2 of 10 points (pass needs 7)",
        "branching scenario 'outage': ending 'blame', outcome none (the points decide), reached with 8 of 10 "
        "points (pass needs 7)",
    ]


# --- review: ------------------------------------------------------------------------------------------

def test_review_defaults_to_full_and_accepts_summary():
    assert parsed(front() + question("q")).review == "full"
    assert parsed(front("review: summary") + question("q")).review == "summary"
    assert any("review must be 'full'" in p for p in problems_of(front("review: keys") + question("q")))


def test_a_definition_stored_before_the_extensions_still_loads():
    quiz = parsed(front("draw: {mod-a: 2}\nreview: summary") + BANK + SIMULATION)
    data = quiz.to_dict()
    assert QuizDef.from_dict(data) == quiz
    for unit in data["units"]:
        unit.pop("tags", None), unit.pop("line", None)
    old = QuizDef.from_dict({k: v for k, v in data.items() if k not in ("blueprint", "review")})
    assert old.review == "full" and old.blueprint is None
