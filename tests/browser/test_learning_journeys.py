"""Reading a course in a real browser: catalogue, enrolment, modules, resuming, and axe on each page."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS
from .ui import enrol, path_is, sign_in

pytestmark = pytest.mark.browser

COURSE = "/courses/mim-service-models"
BLOCKING = {"serious", "critical"}


def assert_accessible(page: Page, name: str) -> None:
    violations = Axe().run(page).response["violations"]
    report = ARTIFACTS / "axe" / f"{name}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(violations, indent=2))
    blocking = [f"[{v['impact']}] {v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations
                if v["impact"] in BLOCKING]
    assert not blocking, f"{name}: " + "\n".join(blocking)


def test_a_learner_enrols_reads_and_resumes(page, sign_in_as, shoot):
    sign_in_as("learner")
    page.get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name="Major Incident Management Service Models", exact=True).click()
    page.get_by_role("button", name="Enrol in this course").click()  # a POST: it lands on the first module
    expect(page.get_by_role("status")).to_contain_text("You are enrolled in Major Incident Management Service Models")
    expect(page).to_have_url(path_is(f"{COURSE}/what-is-a-major-incident"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What a major incident is")
    contents = page.get_by_role("navigation", name="On this page")
    expect(contents.get_by_role("link").first).to_be_visible()
    for image in page.locator(".prose img").all():
        expect(image).to_have_attribute("alt", re.compile(r"\w"))
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), image.get_attribute("src")
    shoot(page, "module-page")
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Next").click()
    expect(page).to_have_url(path_is(f"{COURSE}/procedure-and-roles"))
    page.goto("/dashboard")
    panel = page.get_by_role("region", name="Your courses")
    expect(panel).to_contain_text("Major Incident Management Service Models")
    expect(panel).to_contain_text("Next: The major incident procedure and its roles")
    shoot(page, "dashboard-courses")
    panel.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(path_is(f"{COURSE}/procedure-and-roles"))


def test_the_glossary_is_done_once_read(page, sign_in_as):
    sign_in_as("learner")
    page.goto(f"{COURSE}/glossary")  # a GET: the page to read, and the form that enrols
    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary")
    notice = page.get_by_role("region", name="Enrol to track your progress")
    page.goto(COURSE)
    expect(page.locator(".module-item", has_text="Glossary").locator(".status")).to_have_count(0)  # not enrolled
    page.goto(f"{COURSE}/glossary")
    notice.get_by_role("button", name="Enrol in this course").click()
    expect(page).to_have_url(path_is(f"{COURSE}/glossary"))
    expect(page.get_by_role("status")).to_contain_text("You are enrolled")
    expect(notice).to_have_count(0)
    page.goto(COURSE)
    glossary = page.locator(".module-item", has_text="Glossary")
    expect(glossary.locator(".status")).to_have_text("Done")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_course_pages_have_no_serious_accessibility_violations(scheme, new_context, create_user):
    page = new_context(color_scheme=scheme).new_page()
    for name, path in [("catalogue", "/courses"), ("course-visitor", COURSE)]:
        page.goto(path)
        assert_accessible(page, f"{name}-{scheme}")
    sign_in(page, create_user("learner"))
    page.goto(f"{COURSE}/msp-models")
    assert_accessible(page, f"module-not-enrolled-{scheme}")
    enrol(page)
    page.goto(f"{COURSE}/msp-models")
    for name, path in [("module", f"{COURSE}/msp-models"), ("course-enrolled", COURSE),
                       ("catalogue-enrolled", "/courses"), ("dashboard-courses", "/dashboard")]:
        page.goto(path)
        assert_accessible(page, f"{name}-{scheme}")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_module_page_never_scrolls_sideways(width, new_context, create_user):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, create_user("learner"))
    page.goto(f"{COURSE}/in-house-models")
    page.goto(f"{COURSE}/in-house-models")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a {width}px screen"
