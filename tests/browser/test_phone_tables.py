"""Tables on a phone (390 px): the page never pans sideways, and a table wider than the screen
scrolls inside its own box with a shadow at the edge that says there is more."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import SCREENSHOTS
from .ui import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(("role", "path", "name"), [
    ("admin", "/admin/users", "admin-users"),
    ("admin", "/admin/audit", "admin-audit"),
    ("learner", "/courses/mim-service-models/msp-models", "module-table"),
])
def test_a_phone_page_never_pans_and_wide_tables_scroll_in_their_box(new_context, create_user, role, path, name):
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, create_user(role))
    page.goto(path)
    assert page_width(page) <= PHONE["width"], f"{path} pans to {page_width(page)} px"
    boxes = page.locator(".table-wrap, .prose table")
    assert boxes.count(), f"{path} has no table"
    for box in boxes.all():
        sizes = box.evaluate("el => [el.scrollWidth, el.clientWidth, getComputedStyle(el).overflowX]")
        assert sizes[2] == "auto", sizes  # scrolls when wider than the screen, never clipped
        assert box.bounding_box()["width"] <= PHONE["width"]
    if role == "admin":
        background = boxes.first.evaluate("el => getComputedStyle(el).backgroundImage")
        assert "radial-gradient" in background  # the edge shadow that cues scrolling
    page.screenshot(path=str(SCREENSHOTS / f"phone-{name}-390.png"))
