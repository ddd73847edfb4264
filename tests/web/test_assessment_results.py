"""Result pages of blueprinted exams: per-objective results, ``review: summary`` and failing endings."""

from __future__ import annotations

import pytest

from tests.support.quizzes import BASICS, complete_modules, enrol, publish
from tests.web.test_quiz_pages import start, submit

EXAM = """\
---
title: Blueprint exam
final: true
pass_mark: 50
draw: {01-basics: 2, shared-pool: 1}
review: summary
---
## Exam one {#e1 tags: 01-basics}
- [x] Right
  > Feedback-e1-right
- [ ] Wrong

> Explanation-e1

## Exam two {#e2 tags: 01-basics}
- [x] Right
- [ ] Wrong

## Exam three {#e3 tags: shared-pool, 01-basics}
- [x] Right
- [ ] Wrong
"""

SIMULATION = """\
---
title: Bridge simulation
module: 02-bridge
pass_mark: 50
---
# Branching scenario: Checkout fails {#checkout}
Narrative.

## First signals {#start}
- [x] Validate then declare {next: restored, points: 10}
- [ ] Blame the vendor {next: blamed, points: 8}

## Ending: Restored {#restored outcome: pass}
Ending-restored text.

## Ending: Blamed {#blamed outcome: fail}
Ending-blamed text.
"""


@pytest.fixture
def learner(app, runner, content_dir, learner_client):
    publish(runner, content_dir, {"basics": BASICS, "exam": EXAM, "bridge": SIMULATION})
    enrol(app, learner_client.user.id)
    complete_modules(app, learner_client.user.id)  # the certification exam opens once every module is done
    return learner_client


def test_a_summary_exam_shows_score_and_objectives_but_no_keys(learner, db):
    path = start(learner, "exam")
    submit(learner, db, path)
    html = learner.get(f"{path}/result").get_data(as_text=True)
    assert "Passed" in html and "3 of 3 points" in html
    assert "Results by objective" in html
    assert "<th scope=\"row\">Basics</th><td>3 of 3</td>" in html  # a module tag shows its title
    assert "<th scope=\"row\">Shared pool</th><td>1 of 1</td>" in html
    assert "Answers are not shown for this exam" in html
    for secret in ("Feedback-e1-right", "Explanation-e1", "Correct answer", "Your answer", "Incorrect"):
        assert secret not in html


def test_a_failed_summary_exam_still_hides_which_answers_were_wrong(learner, db):
    path = start(learner, "exam")
    submit(learner, db, path, right=False)
    html = learner.get(f"{path}/result").get_data(as_text=True)
    assert "Not passed" in html and "0 of 3" in html
    assert "Correct answer" not in html and "Incorrect" not in html and "✓" not in html


def test_a_practice_quiz_keeps_full_feedback(learner, db):
    path = start(learner, "basics")
    submit(learner, db, path)
    html = learner.get(f"{path}/result").get_data(as_text=True)
    assert "Feedback-yes" in html and "Correct answer" in html
    assert "Answers are not shown" not in html and "Results by objective" not in html  # no tags, no table


def walk(learner, path: str, choice: str) -> str:
    """Take ``choice`` at the first step; returns the attempt's path (a simulation-only quiz starts on
    its first decision, so the start may already be the scenario page)."""
    attempt = path.split("/scenarios/", 1)[0]
    scenario = f"{attempt}/scenarios/checkout"
    learner.submit(scenario, {"step": "start", "choice": choice}, page=scenario)
    return attempt


def test_an_ending_marked_fail_fails_the_attempt_despite_the_points(learner, db):
    path = walk(learner, start(learner, "bridge"), "b")  # the decision that reaches an ending submits it
    html = learner.get(f"{path}/result").get_data(as_text=True)
    assert "8 of 10 points" in html and "Not passed" in html
    assert "reached an ending that counts as a failure (Ending: Blamed)" in html
