"""A blueprinted certification exam with ``review: summary``, taken in a real browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .ui import complete_modules, enrol

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
COURSE = "blueprint-demo"
EXAM = """\
---
title: Blueprint exam
final: true
pass_mark: 50
draw: {01-basics: 2, 02-pools: 2}
review: summary
---
""" + "".join(f"""\
## Which call fits situation {n}? {{#q{n} tags: {'01-basics' if n < 3 else '02-pools'}}}
- [x] Answer {n} that is right
  > Feedback-secret-{n}
- [ ] Answer {n} that is wrong
- [ ] Another answer {n}

> Explanation-secret-{n}

""" for n in range(5))


@pytest.fixture(scope="module")
def blueprint_course(site, tmp_path_factory):
    """The project's content plus a small course whose exam draws by blueprint and reviews in summary."""
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(REPO / "courses", root / "courses")
    shutil.copytree(REPO / "quizzes", root / "quizzes")
    course = root / "courses" / COURSE
    course.mkdir()
    (course / "course.md").write_text("---\ntitle: Blueprint demo\nsummary: A course for the exam journey.\n---\nHi.\n")
    (course / "01-basics.md").write_text("---\ntitle: Basics of the bridge\n---\nThe basics.\n")
    (course / "02-pools.md").write_text("---\ntitle: Shared pools\n---\nPools.\n")
    (root / "quizzes" / COURSE).mkdir()
    (root / "quizzes" / COURSE / "exam.md").write_text(EXAM)
    site.flask("content", "sync", str(root))
    return COURSE


def test_a_summary_exam_shows_results_by_objective_and_no_keys(page, site, sign_in_as, shoot, blueprint_course):
    learner = sign_in_as("learner")
    enrol(page, blueprint_course, first_module="basics")
    complete_modules(site, learner.id, blueprint_course)  # the certification exam opens once modules are done
    page.goto(f"/courses/{blueprint_course}/quizzes/exam")
    page.get_by_role("button", name="Start", exact=True).click()
    questions = page.locator("fieldset.quiz-question")
    expect(questions).to_have_count(4)  # two from each module's bucket
    for n in range(4):
        questions.nth(n).locator("input:not([type=hidden])").first.check()
    page.get_by_role("button", name="Finish attempt").click()
    page.get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(Passed|Not passed)$"))
    objectives = page.get_by_role("table")
    expect(objectives.get_by_role("rowheader", name="Basics of the bridge")).to_be_visible()
    expect(objectives.get_by_role("rowheader", name="Shared pools")).to_be_visible()
    expect(page.get_by_text("Answers are not shown for this exam")).to_be_visible()
    body = page.content()
    assert "secret" not in body and "Correct answer" not in body
    shoot(page, "exam-summary-result")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "exam-summary-result-390")
