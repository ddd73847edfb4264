"""Quizzes in a real browser: autosave and keyboard answering, the countdown, a branching walk, axe checks."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS
from .ui import complete_modules, enrol, sign_in

pytestmark = pytest.mark.browser

COURSE = "/courses/mim-service-models"
ATTEMPT_URL = re.compile(r"/attempts/[^/?]+$")


def start(page: Page, quiz: str) -> None:
    page.goto(f"{COURSE}/quizzes/{quiz}")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page).to_have_url(ATTEMPT_URL)


def submit_all(page: Page) -> None:
    """Finish the attempt, then confirm on its summary page."""
    page.get_by_role("button", name="Finish attempt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of your attempt")
    page.get_by_role("button", name="Submit all and finish").click()


def answer_inputs(page: Page):
    return page.locator("fieldset.quiz-question input:not([type=hidden])")


def test_answers_are_autosaved_and_the_quiz_can_be_taken_with_the_keyboard(page, sign_in_as, shoot):
    sign_in_as("learner")
    enrol(page)
    start(page, "what-is-a-major-incident")
    questions = page.locator("fieldset.quiz-question")
    count = questions.count()
    first = questions.first.locator("input:not([type=hidden])").first
    first.check()
    expect(page.locator(".quiz-saved")).to_contain_text("Saved")
    expect(page.locator(".quiz-answered")).to_have_text(f"1 of {count} answered")
    page.reload()
    expect(first).to_be_checked()
    for n in range(1, count):
        questions.nth(n).locator("input:not([type=hidden])").first.focus()
        page.keyboard.press("Space")
    expect(page.locator(".quiz-answered")).to_have_text(f"{count} of {count} answered")
    submit_all(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(Passed|Not passed)$"))
    expect(page.get_by_text("Explanation").first).to_be_visible()
    shoot(page, "quiz-result")


def test_a_timed_exam_shows_a_running_countdown(page, sign_in_as, site):
    learner = sign_in_as("learner")
    enrol(page)
    complete_modules(site, learner.id)
    start(page, "final-exam")
    timer = page.get_by_role("timer")
    expect(timer).to_contain_text(re.compile(r"4[45]:\d\d"))
    shown = timer.inner_text()
    expect(timer).not_to_have_text(shown)


def test_a_simulation_runs_from_one_start_to_a_completed_module_in_one_flow(page, sign_in_as, shoot):
    sign_in_as("learner")
    enrol(page)
    page.goto(f"{COURSE}/quizzes/bridge-call-simulation")
    expect(page.get_by_role("button", name=re.compile("Start"))).to_have_count(1)
    page.get_by_role("button", name="Start", exact=True).click()
    # Straight into the first decision: no second Start, no Submit before the simulation begins.
    expect(page.get_by_text("Decision 1")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Submit|Finish"))).to_have_count(0)
    shoot(page, "quiz-step")
    while True:
        page.locator("input[name=choice]").first.check()
        page.get_by_role("button", name="Decide").click()
        expect(page.get_by_text("What happened")).to_be_visible()
        finished = page.get_by_role("link", name="See your result")
        if finished.count():
            break
        page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text("The end of the simulation")).to_be_visible()
    shoot(page, "quiz-simulation-ending")
    finished.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(Passed|Not passed)$"))
    expect(page.get_by_text("Recommended").first).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_quiz_pages_have_no_serious_accessibility_violations(scheme, new_context, create_user):
    page = new_context(color_scheme=scheme).new_page()
    sign_in(page, create_user("learner"))
    enrol(page)
    axe = Axe()
    found = {}

    def check(name: str) -> None:
        results = axe.run(page)
        (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "axe" / f"quiz-{name}-{scheme}.json").write_text(json.dumps(results.response, indent=1))
        found[name] = [f"{v['id']}: {v['help']}" for v in results.response["violations"]
                       if v["impact"] in ("serious", "critical")]

    page.goto(f"{COURSE}/quizzes/bridge-call-simulation")
    check("start")
    page.get_by_role("button", name="Start", exact=True).click()
    check("step")
    page.locator("input[name=choice]").first.check()
    page.get_by_role("button", name="Decide").click()
    check("consequence")
    start(page, "what-is-a-major-incident")
    check("attempt")
    for question in page.locator("fieldset.quiz-question").all()[1:]:
        question.locator("input:not([type=hidden])").first.check()
    page.get_by_role("button", name="Finish attempt").click()
    check("summary")
    page.get_by_role("button", name="Submit all and finish").click()
    check("refused")
    page.locator("fieldset.quiz-question").first.locator("input:not([type=hidden])").first.check()
    submit_all(page)
    check("result")
    assert all(not v for v in found.values()), found
