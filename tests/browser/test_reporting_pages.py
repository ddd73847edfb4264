"""The admin and analytics pages in Chromium: no serious accessibility violation in either colour
scheme, charts that read as images with their numbers one click away, and an admin's journey
through people, organisations, tokens and exports."""

from __future__ import annotations

import json
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from academy.models import Organisation, Quiz, User

from .conftest import ARTIFACTS, SCREENSHOTS
from .ui import sign_in

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def seeded(site) -> dict[str, int]:
    """Demo learners on the live site (a seed of its own), and ids the pages need."""
    site.flask("demo", "seed", "--learners", "80", "--seed", "7301")
    with site.session() as session:
        return {"organisation": session.scalar(select(Organisation.id).order_by(Organisation.id)),
                "learner": session.scalar(select(User.id).where(User.role == "learner").order_by(User.id)),
                "quiz": session.scalar(select(Quiz.id).where(Quiz.slug == "final-exam"))}


PAGES = {
    "admin-users": lambda ids: "/admin/users",
    "admin-user": lambda ids: f"/admin/users/{ids['learner']}",
    "admin-organisation": lambda ids: f"/admin/organisations/{ids['organisation']}",
    "admin-audit": lambda ids: "/admin/audit",
    "admin-exports": lambda ids: "/admin/exports",
    "admin-exports-refused": lambda ids: "/admin/exports/certificates?format=csv&since=2026-02-30",
    "admin-api-tokens": lambda ids: "/admin/api-tokens",
    "analytics": lambda ids: "/analytics?course=mim-service-models",
    "analytics-quiz": lambda ids: f"/analytics/quizzes/{ids['quiz']}",
    "analytics-learners": lambda ids: "/analytics/courses/mim-service-models/learners",
    "analytics-learners-stuck": lambda ids: "/analytics/courses/mim-service-models/learners?stuck=1&sort=failed",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_reporting_pages_have_no_serious_accessibility_violations(name, scheme, seeded, new_context, create_user):
    page = new_context(color_scheme=scheme).new_page()
    sign_in(page, create_user("admin"))
    page.goto(PAGES[name](seeded))
    for details in page.locator("details.data-table").all():
        details.locator("summary").click()  # the numbers behind each chart are checked too
    violations = Axe().run(page).response["violations"]
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe" / f"{name}-{scheme}.json").write_text(json.dumps(violations, indent=2))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{scheme}.png"), full_page=True)
    blocking = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}" for v in violations
                if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(blocking)


def test_charts_are_images_with_a_name_and_their_numbers_in_a_table(page: Page, seeded, create_user):
    sign_in(page, create_user("admin"))
    page.goto("/analytics?course=mim-service-models")  # other journeys may have added courses
    chart = page.get_by_role("img", name="Enrolments, completions and certificates per day")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Activity by day")
    expect(table).to_be_hidden()
    page.locator("details.data-table summary").first.click()
    expect(table).to_be_visible()
    page.get_by_role("link", name="Certification exam: MIM Service Models").click()
    expect(page.get_by_role("img", name="Attempts by score")).to_be_visible()


def test_an_admin_finds_a_learner_changes_their_role_and_sees_it_in_the_audit_log(page: Page, seeded, create_user):
    admin = create_user("admin")
    sign_in(page, admin)
    page.goto("/admin/users")
    page.get_by_label("Role").select_option("learner")
    page.get_by_role("button", name="Filter").click()
    page.locator("table a").first.click()
    name = page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("Role").select_option("instructor")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("status")).to_contain_text(f"{name} is now an instructor.")
    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option("user.role_changed")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr").first).to_contain_text("Role changed")
    expect(page.locator("tbody tr").first).to_contain_text(admin.name)


def test_a_new_api_token_is_shown_once(page: Page, seeded, create_user):
    sign_in(page, create_user("admin"))
    page.goto("/admin/api-tokens")
    name = f"Auditors' spreadsheet {uuid.uuid4().hex[:6]}"
    page.get_by_label("Token name").fill(name)
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("mima_")
    page.goto("/admin/api-tokens")
    expect(page.get_by_text(token)).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Active")


def test_instructors_reach_analytics_from_the_header_but_not_the_admin_area(page: Page, create_user):
    sign_in(page, create_user("instructor"))
    expect(page.get_by_role("link", name="Analytics")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")).to_have_count(0)
