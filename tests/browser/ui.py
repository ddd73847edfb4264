"""What a person does in the browser, as functions journeys share: sign in, sign out, menus."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from harness.live_server import Account


def path_is(path: str) -> re.Pattern:
    """For ``expect(page).to_have_url(...)``: the page is at ``path`` (any origin, no query)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}$")


def sign_in(page: Page, account: Account, password: str | None = None, *, lands_on: str = "/dashboard") -> None:
    """Sign in through the sign-in form, as a person would, and wait for the page it leads to."""
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("Email").fill(account.email)
    form.get_by_label("Password", exact=True).fill(password or account.password)
    form.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(path_is(lands_on))


def sign_up(page: Page, site, *, name: str, email: str, password: str, lands_on: str = "/dashboard") -> None:
    """Fill in the open sign-up form, read the emailed link from the site's outbox, follow it in the same
    browser and press its button, as a person reading their mail would; wait for the page it leads to."""
    from tests.support.signups import signup_link

    form = page.locator("main form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_label("Confirm password").fill(password)
    form.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    expect(page.locator("main")).to_contain_text(f"we sent a link to {email.lower()} to finish creating your account")
    with site.session() as session:
        link = signup_link(session, email)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish creating your account")
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(path_is(lands_on))
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")


def enrol(page: Page, course_slug: str = "mim-service-models", *,
          first_module: str = "what-is-a-major-incident") -> None:
    """Enrol from the course page's button (a POST): it lands on the first module to read."""
    page.goto(f"/courses/{course_slug}")
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page).to_have_url(path_is(f"/courses/{course_slug}/{first_module}"))
    expect(page.get_by_role("status")).to_contain_text("You are enrolled")


def open_account_menu(page: Page) -> None:
    """Open the header's account menu (a <details> disclosure)."""
    menu = page.locator("details.account-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")


def sign_out(page: Page) -> None:
    """Sign out from the account menu and wait for the confirmation."""
    open_account_menu(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")


def complete_modules(site, user_id: int, course_slug: str = "mim-service-models") -> None:
    """Arrange, without the UI, that the learner has completed every module of the course (the
    certification exam opens only then)."""
    from sqlalchemy import select

    from academy.models import Course
    from academy.services import progress

    with site.session() as session:
        course_id = session.scalar(select(Course.id).where(Course.slug == course_slug))
        for module_id in progress.current_module_ids(session, course_id):
            progress.complete_module(session, user_id, module_id)
        session.commit()
