"""Accounts, end to end in Chromium: first-admin setup, registration, sign in/out, password change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .ui import open_account_menu, path_is, sign_in, sign_out, sign_up

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Severity one declared at 10:05 sharp"


def test_newcomer_creates_the_admin_with_the_link_gunicorn_printed_and_the_link_then_dies(
        fresh_site, new_context, shoot):
    links = fresh_site.server.setup_links()
    assert len(links) == 1, f"expected one setup link in gunicorn's output:\n{fresh_site.server.output()}"
    page = new_context(base_url=fresh_site.base_url).new_page()

    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Create the administrator account")
    shoot(page, "setup")
    page.get_by_label("Name").fill("Ada Admin")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create administrator").click()

    expect(page).to_have_url(path_is("/admin/users"))  # the first admin lands on the admin area
    expect(page.get_by_role("status")).to_contain_text("Your administrator account is ready")
    expect(page.locator(".role-badge")).to_have_text("admin")
    shoot(page, "dashboard-admin")

    stranger = new_context(base_url=fresh_site.base_url).new_page()
    response = stranger.goto(links[0])
    assert response.status == 404
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    shoot(stranger, "setup-link-used")
    assert "no setup link is needed" in fresh_site.flask("setup-link").stdout


def test_learner_registers_signs_out_signs_in_again_and_changes_password(page, site, shoot):
    email = "grace.learner@example.com"
    page.goto("/")
    shoot(page, "home")
    page.get_by_role("link", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    shoot(page, "register")
    sign_up(page, site, name="Grace Learner", email=email, password=NEW_PASSWORD)  # through the emailed link
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Grace Learner")
    shoot(page, "dashboard")

    sign_out(page)
    expect(page).to_have_url(path_is("/"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)dashboard$"))

    page.locator("main form").get_by_label("Email").fill(email)
    page.locator("main form").get_by_label("Password").fill(NEW_PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(path_is("/dashboard"))
    expect(page.get_by_role("status")).to_contain_text("Welcome back, Grace Learner.")

    open_account_menu(page)
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    shoot(page, "change-password")
    changed = "Bridge call closed, service restored"
    page.get_by_label("Current password").fill(NEW_PASSWORD)
    page.get_by_label("New password", exact=True).fill(changed)
    page.get_by_label("Confirm new password").fill(changed)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(path_is("/dashboard"))
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")

    sign_out(page)
    page.goto("/login")
    page.locator("main form").get_by_label("Email").fill(email)
    page.locator("main form").get_by_label("Password").fill(NEW_PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    expect(page.locator("#password-error")).to_have_text("The email address or password is not correct.")
    page.locator("main form").get_by_label("Password").fill(changed)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(path_is("/dashboard"))


def test_wrong_password_shows_an_error_next_to_the_password_field(page, create_user, shoot):
    learner = create_user("learner")
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("Email").fill(learner.email)
    form.get_by_label("Password").fill("not the password at all")
    form.get_by_role("button", name="Sign in").click()

    password = form.get_by_label("Password")
    message = "The email address or password is not correct."
    error = form.locator(".field").filter(has=page.get_by_label("Password")).locator(".error")
    expect(error).to_have_text(message)
    expect(error).to_be_visible()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(message)
    expect(form.get_by_label("Email")).to_have_value(learner.email)
    expect(password).to_have_value("")
    expect(page).to_have_url(path_is("/login"))
    field_box, error_box = password.bounding_box(), error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40, "the error is not beside the field"
    shoot(page, "sign-in-error")


def test_keyboard_only_visitor_tabs_through_the_sign_in_form_and_submits_with_enter(page, create_user):
    learner = create_user("learner")
    page.goto("/login")
    form = page.locator("main form")
    email, password = form.get_by_label("Email"), form.get_by_label("Password")
    submit = form.get_by_role("button", name="Sign in")

    expect(email).to_be_focused()  # autofocus: the form is ready to type into
    page.keyboard.type(learner.email)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(learner.password)
    page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    assert submit.evaluate("el => getComputedStyle(el).outlineStyle") != "none", "focus is not visible"
    page.keyboard.press("Shift+Tab")
    expect(password).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(path_is("/dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {learner.name}")


def test_keyboard_visitor_reaches_the_content_first_through_the_skip_link(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_signed_in_pages_need_a_session_and_come_back_after_sign_in(page, create_user):
    learner = create_user("learner")
    page.goto("/account/password")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)account(/|%2F)password$"))
    sign_in_here = page.locator("main form")
    sign_in_here.get_by_label("Email").fill(learner.email)
    sign_in_here.get_by_label("Password").fill(learner.password)
    sign_in_here.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(path_is("/account/password"))


def test_sign_in_helper_lands_on_the_dashboard(page, create_user):
    sign_in(page, create_user("instructor", via="cli"))
    expect(page.locator(".role-badge")).to_have_text("instructor")
