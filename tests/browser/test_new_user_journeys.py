"""The journeys a new user walks (issue 14), in a real browser: the exam on a phone with the timer
in view, signing up from a course page, a simulation from its one Start to a completed module, the
course page leading to the exam, and the account page."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from .conftest import SCREENSHOTS
from .test_certification_journey import take_quiz
from .ui import complete_modules, enrol, path_is, sign_in, sign_up

pytestmark = pytest.mark.browser

COURSE = "mim-service-models"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "A long evening on the bridge, 2026"


def in_view(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the visible viewport."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_exam_timer_stays_in_view_to_the_last_question(new_context, create_user, site, shoot, viewport):
    page = new_context(viewport=viewport).new_page()
    learner = create_user("learner")
    sign_in(page, learner)
    enrol(page, COURSE)
    # The exam is locked until the modules are done, and says what remains.
    page.goto(f"/courses/{COURSE}/quizzes/final-exam")
    expect(page.get_by_text("The exam opens once you have completed every module.")).to_be_visible()
    expect(page.get_by_role("button", name="Start", exact=True)).to_have_count(0)
    shoot(page, f"exam-locked-{viewport['width']}")

    complete_modules(site, learner.id)
    page.goto(f"/courses/{COURSE}")
    next_step = page.get_by_role("link", name="Next: Final exam")
    expect(next_step).to_be_visible()
    expect(page.locator(".course-hero-card")).not_to_contain_text("100%")
    shoot(page, f"course-exam-next-{viewport['width']}")
    next_step.click()
    expect(page.get_by_text("3 attempts remaining.")).to_be_visible()
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("timer")).to_be_visible()

    header = page.locator(".site-header").bounding_box()
    if viewport is PHONE:
        assert header["height"] <= 120, header  # a compact header: brand, account, one row of links
    questions = page.locator("fieldset.quiz-question")
    questions.last.scroll_into_view_if_needed()
    expect(questions.last).to_be_in_viewport()
    assert in_view(page, ".quiz-countdown"), "the timer scrolled out of view"
    background = page.locator(".quiz-bar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background.startswith("rgb(") and "rgba" not in background, background  # opaque, not see-through
    # What the learner sees at that moment (not the whole page): the bar and its timer on top.
    page.screenshot(path=str(SCREENSHOTS / f"exam-timer-in-view-{viewport['width']}.png"))

    # Finishing asks for confirmation, with what is unanswered and the attempts left.
    page.get_by_role("button", name="Finish attempt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of your attempt")
    expect(page.locator(".quiz-summary")).to_contain_text("still to answer")
    expect(page.locator(".quiz-summary")).to_contain_text("2 attempts remaining after this one")
    assert in_view(page, ".quiz-countdown"), page.locator(".quiz-countdown").bounding_box()
    shoot(page, f"exam-summary-{viewport['width']}")
    page.get_by_role("button", name="Submit all and finish").click()
    # Refused: the page points at the first unanswered question.
    error = page.get_by_role("alert")
    expect(error).to_contain_text("Not answered yet: question 1")
    error.get_by_role("link", name="question 1", exact=True).click()
    expect(page).to_have_url(re.compile(r"#question-1$"))
    expect(page.locator("#question-1")).to_contain_text("Not answered yet")
    shoot(page, f"exam-refused-{viewport['width']}")


def test_signing_up_from_a_course_page_ends_on_that_course(new_context, site, shoot):
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"/courses/{COURSE}")
    page.get_by_role("link", name="Create an account").click()
    # The emailed link, followed in this browser, ends on the course signed up from.
    sign_up(page, site, name="Zoë Ōtsuka", email=f"zoe-{secrets.token_hex(4)}@example.com", password=PASSWORD,
            lands_on=f"/courses/{COURSE}")
    # The message lines up with the page's content, not with the screen's edge.
    message, content = page.locator(".flashes").bounding_box(), page.locator(".course-hero-inner").bounding_box()
    assert abs(message["x"] - content["x"]) <= 1 and abs(message["width"] - content["width"]) <= 1
    shoot(page, "signup-from-course-390")
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page).to_have_url(path_is(f"/courses/{COURSE}/what-is-a-major-incident"))
    expect(page.get_by_role("status")).to_contain_text("You are enrolled")


def test_a_simulation_runs_from_its_start_to_a_completed_module(site, page, sign_in_as, shoot):
    sign_in_as("learner")
    enrol(page, COURSE)
    page.goto(f"/courses/{COURSE}/procedure-and-roles")  # reads the module
    take_quiz(site, page, "procedure-and-roles")
    page.goto(f"/courses/{COURSE}")
    module = page.locator(".module-item", has_text="procedure")
    expect(module).not_to_contain_text("Done")  # its simulation is still to pass
    take_quiz(site, page, "bridge-call-simulation")  # Start, decisions, See your result: Passed
    shoot(page, "simulation-result")
    page.goto(f"/courses/{COURSE}")
    expect(page.locator(".module-item", has_text="procedure")).to_contain_text("Done")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_account_page_corrects_the_name(new_context, create_user, shoot, viewport):
    page = new_context(viewport=viewport).new_page()
    sign_in(page, create_user("learner"))
    page.locator("details.account-menu summary").click()
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    page.get_by_role("textbox", name="Name").fill("김민준")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_role("status")).to_contain_text("Your name is updated")
    expect(page.get_by_role("textbox", name="Name")).to_have_value("김민준")
    shoot(page, f"account-{viewport['width']}")
