"""Mail end to end in Chromium: a forgotten password reset by email, the admin outbox, the preferences page.

The site runs without a mail server (as `make run` does by default); the test delivers the outbox to a
real SMTP server in this process with `flask mail send`, as an operator would after setting one.
"""

from __future__ import annotations

import re
import subprocess
import urllib.parse

import pytest
from playwright.sync_api import expect

from academy.models import utcnow
from academy.services import mail
from harness.live_server import BIN, REPO
from tests.support.smtp import MailServer

from .ui import path_is, sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Bridge stood down at 11:20 after the fix"


def deliver(site, smtp: MailServer) -> None:
    env = site.server.env | {"ACADEMY_SMTP_URL": smtp.url}
    result = subprocess.run([str(BIN / "flask"), "--app", "app", "mail", "send"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def link(text: str, site, path: str) -> str:
    return re.search(rf"{re.escape(site.base_url)}{path}[^\s\"<]+", text).group(0)


def test_learner_resets_a_forgotten_password_with_the_emailed_link(page, site, create_user, shoot):
    learner = create_user("learner")
    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten password")
    shoot(page, "forgot-password")
    page.get_by_label("Email").fill(learner.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    shoot(page, "forgot-password-sent")

    with MailServer() as smtp:
        deliver(site, smtp)
        [received] = [r for r in smtp.received if r.recipients == [learner.email]]
    assert received.message["Subject"] == "Reset your MIM Academy password"
    page.goto(link(received.part("plain"), site, "/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url(path_is("/login"))
    sign_in(page, learner, NEW_PASSWORD)


def test_admin_reads_a_queued_message_in_the_outbox(page, site, create_user, shoot):
    learner = create_user("learner")
    with site.session() as db:
        mail.enqueue(db, to_email=learner.email, to_name=learner.name, kind="certificate-issued",
                     key=f"browser:{learner.id}", template="certificate_issued",
                     subject="Your certificate: Certified Incident Responder",
                     context={"title": "Certified Incident Responder", "course_title": "Incident Basics",
                              "code": "7KQ2-M9XD-4HWT-B8NC-R3VJ", "issued_at": utcnow(), "expires_at": None})
        db.commit()
    sign_in(page, create_user("admin"))
    page.goto("/admin/outbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    shoot(page, "admin-outbox")
    page.get_by_role("link", name="Your certificate: Certified Incident Responder").first.click()
    expect(page.locator(".mail-text")).to_contain_text("/verify/7KQ2-M9XD-4HWT-B8NC-R3VJ")
    frame = page.frame_locator("iframe.mail-html")
    expect(frame.get_by_text("Congratulations")).to_be_visible()
    shoot(page, "admin-outbox-message")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "admin-outbox-message-narrow")


def test_a_reminder_recipient_turns_reminders_off(page, site, create_user, shoot):
    learner = create_user("learner")
    path = urllib.parse.urlsplit(mail.preferences_url(site.app, learner.id)).path
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Email preferences")
    shoot(page, "mail-preferences")
    page.get_by_label("No reminders, please").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Reminder emails are off")
    expect(page.get_by_label("No reminders, please")).to_be_checked()
    with site.session() as db:
        assert mail.reminders_wanted(db, learner.id) is False
