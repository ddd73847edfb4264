"""Item-quality checks: each flaw an item writer can make is named with its file, line and figure."""

from __future__ import annotations

import pytest

from academy.domain import guessing, item_quality
from academy.domain.quiz_format import QuizDef, parse_quiz

PATH = "quizzes/c/practice.md"
EXAM = "quizzes/c/exam.md"
FILLER = ["Call the vendor", "Page the duty manager now", "Close the ticket",
          "Email the service desk team", "Open a bridge", "Restart the failing server"]


def quiz(body: str, rules: str = "module: m", path: str = PATH) -> QuizDef:
    parsed, problems = parse_quiz(f"---\ntitle: Q\n{rules}\n---\n{body}", path)
    assert problems == []
    return parsed


def question(n: int, key: str, distractors: list[str], prompt: str | None = None) -> str:
    """A question whose key is listed first (options are shuffled for learners anyway)."""
    options = [f"- [x] {key}", *(f"- [ ] {d}" for d in distractors)]
    return f"## {prompt or f'Question number {n}?'} {{#q{n}}}\n" + "\n".join(options) + "\n\n"


def warnings(parsed: QuizDef, path: str = PATH) -> list[str]:
    return [str(w) for w in item_quality.check_quiz(path, parsed)]


def line_of(parsed: QuizDef, key: str) -> int:
    return parsed.question(key).line


def test_a_key_that_is_always_the_second_longest_option_is_flagged_at_the_first_such_question():
    body = "".join(question(n, "Declare a major incident and open the bridge",
                            ["Declare a major incident, open the bridge and call everyone in the company",
                             "Wait and see", "Do nothing"]) for n in range(6))
    parsed = quiz(body)
    found = warnings(parsed)
    assert f"{PATH}:{line_of(parsed, 'q0')}: warning: 'second-longest option' finds the key in 100% of the 6 " \
           "single-answer questions (chance 25%, allowed 50%); it picks the key outright at lines 5, 11, 17, 23, " \
           "29, 35" in found


def test_a_final_exam_gets_the_tighter_margin():
    # The key is the longest of three options in 3 of 6 questions: 50% against 33% chance, +17 points.
    long, middle, short = "Open a bridge and log it", "Call the vendor", "Page the desk"
    body = "".join(question(n, long, [middle, short]) if n < 3 else question(n, short, [middle, long])
                   for n in range(6))
    practice = [w for w in warnings(quiz(body)) if "'longest option'" in w]
    exam = [w for w in warnings(quiz(body, "final: true", EXAM), EXAM) if "'longest option'" in w]
    assert practice == [] and len(exam) == 1


def test_absolute_words_concentrated_in_distractors():
    body = "".join(question(n, f"Usually the duty manager decides case {n}",
                            [f"The vendor always decides case {n}", f"Nobody decides case {n}",
                             f"The service desk decides case {n} sometimes"]) for n in range(5))
    parsed = quiz(body)
    found = [w for w in warnings(parsed) if "absolute words" in w]
    assert found == [f"{PATH}:{line_of(parsed, 'q0')}: warning: absolute words (never, always, only, guarantee...) "
                     "are in 67% of distractors but 0% of keys (allowed gap 10 points): learners rule those "
                     "options out unread; see the questions at lines 5, 11, 17, 23, 29"]


def test_a_key_repeating_the_stem_when_no_distractor_does():
    parsed = quiz(question(1, "The incident bridge coordinator", ["A vendor", "The desk"],
                           prompt="Who runs the incident bridge?"))
    assert f"{PATH}:5: warning: question 'q1': the key repeats 2 words of the question and no distractor " \
           "repeats any: the wording gives the answer away" in warnings(parsed)


def test_all_of_the_above_is_flagged_on_its_option_line():
    parsed = quiz(question(1, "All of the above", ["Open a bridge", "Call the vendor"]))
    assert f"{PATH}:6: warning: 'All of the above' in question 'q1': it can be answered by spotting two true " \
           "(or one false) options; write a real option instead" in warnings(parsed)


def test_duplicate_and_overlapping_options():
    call = "Call the vendor's duty manager and the service desk lead"
    parsed = quiz(question(1, "Open a bridge", ["Open a bridge.", call, call + " now"]))
    found = warnings(parsed)
    assert f"{PATH}:7: warning: question 'q1': options a and b say the same thing" in found
    assert any(w.startswith(f"{PATH}:9: warning: question 'q1': options c and d overlap") for w in found)


def test_options_in_a_different_order_are_not_overlapping():
    parsed = quiz(question(1, "Desk, then bridge, then vendor", ["Bridge, then vendor, then desk",
                                                                 "Vendor, then desk, then bridge"]))
    assert not any("overlap" in w for w in warnings(parsed))


def test_near_duplicate_questions_within_a_quiz():
    prompt = "Which supplier should lead the bridge when the network fails at night?"
    parsed = quiz(question(1, "The network supplier", ["The hosting supplier", "The desk"], prompt=prompt)
                  + question(2, "The network supplier", ["The hosting supplier", "The desk"], prompt=prompt))
    assert f"{PATH}:10: warning: question 'q2' is a near-duplicate of 'q1' (line 5): 100% of word pairs alike, " \
           "100% of options shared" in warnings(parsed)


def test_an_exam_question_repeating_a_practice_question_across_quizzes():
    practice = quiz(question(1, "Service integration and management", ["Lead supplier", "Hybrid", "Mirrored"],
                             prompt="Which structure does the bank use?"))
    exam = quiz(question(7, "Service integration and management", ["Lead supplier", "Hybrid", "Mirrored"],
                         prompt="What is the structure called?"), "final: true", EXAM)
    found = [str(w) for w in item_quality.check_course([(PATH, practice), (EXAM, exam)])]
    assert any(w.startswith(f"{EXAM}:5: warning: question 'q7' is a near-duplicate of 'q1' ({PATH}:5)")
               for w in found), found


STORY = ("{name} is a retail bank whose card payments run around the clock. It has outsourced its IT "
         "operations to a managed service provider, which also runs major incident management. The regulator "
         "expects the bank to show after any serious disruption who was in charge and how customers were told.")


def test_an_exam_scenario_retelling_a_practice_scenario_with_new_names():
    practice = quiz(f"# Scenario: Thornbury\n{STORY.format(name='Thornbury Bank')}\n\n"
                    + question(1, "Dedicated", ["Shared", "None"]))
    exam = quiz(f"# Scenario: Penrose\n{STORY.format(name='Penrose Bank')}\n\n"
                + question(2, "A dedicated team", ["A pooled team", "No team"]), "final: true", EXAM)
    found = [str(w) for w in item_quality.check_course([(PATH, practice), (EXAM, exam)])]
    assert any(w.startswith(f"{EXAM}:5: warning: the exam's scenario 'Penrose' retells 'Thornbury' of {PATH}:5 "
                            "(100% of its words, names aside)") for w in found), found


SIMULATION = """\
# Branching scenario: Outage {#outage}
Down.

## One {#one}
- [x] Open the bridge and call every supplier in {next: two, points: 5}
- [ ] Wait {next: two, points: 0}
- [ ] Ask {next: two, points: 1}

## Two {#two}
- [x] Brief the executives on the business impact now {next: three, points: 5}
- [ ] Hide {next: three, points: 0}
- [ ] Email {next: three, points: 1}

## Three {#three}
- [x] Keep one timeline shared by everyone on the bridge {next: good, points: 5}
- [ ] Guess {next: bad, points: 0}
- [ ] Blame {next: bad, points: 0}

## Ending: restored {#good}
Fine.

## Ending: lost {#bad outcome: fail}
Lost.
"""


def test_a_simulation_whose_recommended_path_is_the_longest_choice():
    found = warnings(quiz(SIMULATION))
    assert f"{PATH}:8: warning: simulation 'outage': the recommended choice is the longest at 3 of 3 steps " \
           "(100%, chance 33%)" in found
    assert f"{PATH}:5: warning: simulation 'outage': always taking the longest choice passes (15 of 15 points, " \
           "ending 'good')" in found
    assert f"{PATH}:23: warning: ending 'good' declares no outcome and is reached with both passing and failing " \
           "scores (5-15 of 15): add {outcome: pass} or {outcome: fail} to its heading" in found


def test_a_blueprint_leaving_items_out_is_flagged():
    parsed = quiz(question(1, "A", ["B", "C"]).replace("{#q1}", "{#q1 tags: t}") + question(2, "A", ["B", "C"]),
                  "final: true\ndraw: {t: 1}", EXAM)
    assert f"{EXAM}:11: warning: 1 question carries no tag of the draw and are never asked: tag them or remove them" \
        in warnings(parsed, EXAM)


# --- The guessing audit ----------------------------------------------------------------------------------

def test_length_ranks_split_ties_at_random():
    view = guessing.ItemView("q", 1, "stem", ("aaaa", "bbbb", "cc", "d"), key_index=0)
    assert guessing.length_rank(view, 1) == [0.5, 0.5, 0.0, 0.0]
    assert guessing.length_rank(view, 2) == [0.5, 0.5, 0.0, 0.0]
    assert guessing.length_rank(view, -1) == [0.0, 0.0, 0.0, 1.0]


def test_the_audit_scores_each_strategy_against_chance_and_the_pass_mark():
    body = "".join(question(n, "Declare a major incident and open the bridge",
                            ["Declare a major incident, open the bridge and never stop calling people",
                             "Wait and see", "Always do nothing"]) for n in range(4))
    report = guessing.audit(quiz(body, "module: m\npass_mark: 70"), PATH)
    scores = {s.name: s for s in report.strategies}
    assert report.chance == 25.0
    assert scores["second-longest option"].expected == 100.0 and scores["second-longest option"].passes
    assert scores["longest option"].expected == 0.0
    assert scores["drop options with absolute words, guess"].expected == 50.0
    assert scores["always the first / last position"].expected == 25.0


@pytest.mark.parametrize("rule, ending, points, passed", [
    ("longest choice", "good", 15, True),
    ("shortest choice", "bad", 1, False),
    ("first choice", "good", 15, True),
])
def test_simulation_walks(rule, ending, points, passed):
    walk = guessing.walk(quiz(SIMULATION).branching("outage"), rule, 70)
    assert (walk.ending, walk.points, walk.passed) == (ending, points, passed)


MODELS = ["Total ownership of the procedure", "Mirrored services on both sides", "Fully outsourced to the MSP"]


def test_the_same_options_about_two_different_scenarios_are_two_items():
    parsed = quiz(f"# Scenario: North\n{STORY.format(name='North')}\n\n"
                  + question(1, "Hybrid with a lead supplier", MODELS, prompt="Which model fits North?")
                  + "# Scenario: South\nA small charity with two staff and no suppliers at all.\n\n"
                  + question(2, "Hybrid with a lead supplier", MODELS, prompt="Which model fits South?"))
    assert not any("near-duplicate" in w for w in warnings(parsed))


def test_standalone_questions_with_the_same_options_and_key_are_the_same_item():
    parsed = quiz(question(1, "Hybrid with a lead supplier", MODELS, prompt="What do banks usually pick?")
                  + question(2, "Hybrid with a lead supplier", MODELS, prompt="Name the arrangement of choice."))
    assert any(w.startswith(f"{PATH}:11: warning: question 'q2' is a near-duplicate of 'q1' (line 5)")
               for w in warnings(parsed))


def test_a_strategy_passes_only_if_the_whole_quiz_would_pass_with_it():
    body = question(1, "Declare a major incident and open the bridge", ["Wait", "Do nothing"]) + """\
# Branching scenario: Outage {#outage}
Down.

## One {#one}
- [ ] Wait {next: bad, points: 0}
- [x] Declare a major incident {next: good, points: 10}
- [ ] Watch the dashboards for another hour first {next: bad, points: 0}

## Ending: restored {#good outcome: pass}
Fine.

## Ending: lost {#bad outcome: fail}
Lost.
"""
    report = guessing.audit(quiz(body), PATH)
    longest = next(s for s in report.strategies if s.name == "longest option")
    assert longest.expected == 100.0 and not longest.passes  # 1 of 11 points: the simulation is not guessed
    assert [w.passed for w in report.walks] == [False, False, False]
