"""Authoring in a real browser: the live preview and checks while typing, jump-to-line, Ctrl+S, publishing.

The journey works on a course of its own, so the flagship course other journeys read stays as it is.
"""

from __future__ import annotations

import re
import secrets

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .ui import sign_in

pytestmark = pytest.mark.browser

MODULE_TEXT = """\
---
title: Opening the bridge
---
The first minutes decide the rest.

See [the missing module](09-missing.md).
"""


def blocking_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def create_course(page: Page) -> str:
    slug = f"bridge-basics-{secrets.token_hex(3)}"
    page.goto("/author/")
    form = page.locator("main form[action='/author/courses']")
    form.get_by_label("Title").fill("Bridge basics")
    form.get_by_label("Name in addresses").fill(slug)
    form.get_by_label("Summary").fill("How to run the first minutes of a bridge call.")
    form.get_by_role("button", name="Create the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bridge basics")
    return slug


def test_an_instructor_writes_checks_and_publishes_a_module(page, sign_in_as, shoot, new_context, create_user):
    sign_in_as("instructor")
    slug = create_course(page)
    module_form = page.locator(f"form[action='/author/courses/{slug}/modules']")
    module_form.get_by_label("Title").fill("Opening the bridge")
    module_form.get_by_role("button", name="Add module").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Editing 01-opening-the-bridge.md")

    text = page.get_by_role("textbox", name="Markdown")
    text.fill(MODULE_TEXT)
    problems = page.locator("#editor-problems")
    expect(problems).to_contain_text("broken link '09-missing.md'")
    expect(page.locator("#editor-preview")).to_contain_text("The first minutes decide the rest.")
    expect(page.locator("#editor-checks")).to_have_attribute("data-state", "bad")

    problems.get_by_role("button", name="Line 6").click()
    expect(page.locator("#editor-cursor")).to_have_text("Line 6, column 1")
    assert page.evaluate("() => document.activeElement.id") == "text"
    assert blocking_violations(page) == []
    shoot(page, "author-editor-problems")

    text.fill(MODULE_TEXT.replace("(09-missing.md)", "(course.md)"))
    expect(problems).to_contain_text("No problems in this file.")
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status")).to_contain_text("Draft saved")

    page.goto(f"/author/courses/{slug}/publish")
    expect(page.get_by_role("heading", name="No problems found")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Publish 2 changes$")).click()
    expect(page.get_by_role("status")).to_contain_text("Published version 1")

    page.goto(f"/courses/{slug}/opening-the-bridge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Opening the bridge")

    learner = new_context().new_page()
    sign_in(learner, create_user("learner"))
    learner.goto(f"/courses/{slug}/opening-the-bridge")
    expect(learner).to_have_url(re.compile(rf"/courses/{slug}/opening-the-bridge$"))
    expect(learner.get_by_role("heading", level=1)).to_have_text("Opening the bridge")
    expect(learner.locator("main")).to_contain_text("The first minutes decide the rest.")


def test_the_editor_works_without_javascript(new_context, create_user):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, create_user("admin"))
    url = "/author/courses/mim-service-models/edit/courses/mim-service-models/07-glossary.md"
    page.goto(url)
    text = "---\ntitle: Glossary\n---\nA new **glossary** with [a gap](08-gone.md).\n"
    page.get_by_role("textbox", name="Markdown").fill(text)
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.locator("#editor-preview strong")).to_have_text("glossary")
    expect(page.locator("#editor-problems")).to_contain_text("Line 4")
