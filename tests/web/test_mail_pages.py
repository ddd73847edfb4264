"""Forgot password by email, the reminder preferences page, and the admin outbox."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from sqlalchemy import select

from academy.domain.mail import parse_smtp_url
from academy.models import AuditEvent, OutboxMessage, utcnow
from academy.services import mail, outbox
from academy.smtp import SmtpTransport
from tests.conftest import PASSWORD
from tests.support.smtp import MailServer

NEW_PASSWORD = "Bridge closed at 11:05, service restored"
SAME_ANSWER = "If an account uses"


def rows(db) -> list[OutboxMessage]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def deliver(db):
    with MailServer() as server:
        outbox.Sender(session=db, transport=SmtpTransport(parse_smtp_url(server.url)),
                      mail_from="no-reply@academy.example").deliver()
        return server.received


def link_in(text: str, path: str) -> str:
    return urllib.parse.urlsplit(re.search(rf"http://localhost{path}[^\s\"<]+", text).group(0)).path


# --- forgot password -------------------------------------------------------------------------------

def test_the_sign_in_page_offers_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in page and "Forgot password?" in page


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, db, make_user, sign_in):
    user = make_user(email="eleni@example.com")
    response = client.submit("/forgot-password", {"email": "Eleni@Example.com "})
    assert response.status_code == 200 and SAME_ANSWER in response.get_data(as_text=True)
    [received] = deliver(db)
    assert received.message["Subject"] == "Reset your MIM Academy password"
    assert received.message["List-Unsubscribe"] is None  # security mail: never unsubscribable
    path = link_in(received.part("plain"), "/reset/")
    assert link_in(received.part("html"), "/reset/") == path
    assert client.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    sign_in(user, NEW_PASSWORD)
    # Single use: the same link is dead now.
    assert client.get(path).status_code == 404
    # Once delivered, the outbox no longer holds the link.
    [stored] = rows(db)
    assert stored.status == "sent" and "/reset/" not in stored.text_body + stored.html_body


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(client, db, make_user):
    make_user(email="eleni@example.com")
    known = client.submit("/forgot-password", {"email": "eleni@example.com"}).get_data(as_text=True)
    unknown = client.submit("/forgot-password", {"email": "nobody@example.com"}).get_data(as_text=True)
    strip = lambda page: page.replace("eleni@example.com", "X").replace("nobody@example.com", "X")  # noqa: E731
    assert re.sub(r'value="[^"]+"', "", strip(known)) == re.sub(r'value="[^"]+"', "", strip(unknown))
    assert [m.recipient for m in rows(db)] == ["eleni@example.com"]


def test_asking_again_at_once_sends_no_second_email(client, db, make_user):
    make_user(email="eleni@example.com")
    client.submit("/forgot-password", {"email": "eleni@example.com"})
    client.submit("/forgot-password", {"email": "eleni@example.com"})
    assert len(rows(db)) == 1


def test_an_emailed_link_expires(app, client, db, make_user, monkeypatch):
    from academy.services import accounts
    make_user(email="eleni@example.com")
    monkeypatch.setattr(accounts, "EMAILED_RESET_TTL", -accounts.EMAILED_RESET_TTL)  # born expired
    client.submit("/forgot-password", {"email": "eleni@example.com"})
    path = link_in(rows(db)[0].text_body, "/reset/")
    assert client.get(path).status_code == 404


def test_forgot_password_needs_a_csrf_token(client, make_user):
    make_user(email="eleni@example.com")
    response = client.post("/forgot-password", data={"email": "eleni@example.com"})
    assert SAME_ANSWER not in response.get_data(as_text=True)


# --- preferences -----------------------------------------------------------------------------------

@pytest.fixture
def preferences_path(app, make_user):
    user = make_user(email="eleni@example.com")
    return user, urllib.parse.urlsplit(mail.preferences_url(app, user.id)).path


def test_reminders_can_be_turned_off_and_on_from_the_preferences_page(client, db, preferences_path):
    user, path = preferences_path
    page = client.get(path).get_data(as_text=True)
    assert "eleni@example.com" in page and '<input checked id="reminders-0"' in page  # "on"
    assert client.submit(path, {"reminders": "off"}).status_code == 302
    assert mail.reminders_wanted(db, user.id) is False
    page = client.get(path).get_data(as_text=True)
    assert "Reminder emails are off" in page and '<input checked id="reminders-1"' in page
    client.submit(path, {"reminders": "on"})
    db.rollback()
    assert mail.reminders_wanted(db, user.id) is True


def test_the_preferences_form_needs_its_csrf_token(client, db, preferences_path):
    user, path = preferences_path
    client.post(path, data={"reminders": "off"})
    assert mail.reminders_wanted(db, user.id) is True


def test_a_tampered_preferences_link_is_refused(client, preferences_path):
    _user, path = preferences_path
    assert client.get(path[:-2] + "xx").status_code == 404
    assert client.post(path[:-2] + "xx", data={"List-Unsubscribe": "One-Click"}).status_code == 404


# --- the admin outbox ------------------------------------------------------------------------------

def queue(db, *, to="eleni@example.com", title="Certified Incident Responder") -> None:
    mail.enqueue(db, to_email=to, to_name="Eleni Papadopoulou", kind="certificate-issued", key=f"c:{to}",
                 template="certificate_issued", subject="Your certificate",
                 context={"title": title, "course_title": "Incident Basics", "code": "CODE-1",
                          "issued_at": utcnow(), "expires_at": None})
    db.commit()


def test_admins_see_the_outbox_and_read_a_message(admin_client, db):
    queue(db)
    listing = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "eleni@example.com" in listing and "Your certificate" in listing and "queued" in listing
    message = rows(db)[0]
    page = admin_client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert message.message_id.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "http://localhost/verify/CODE-1" in page  # the plain text part
    assert f'src="/admin/outbox/{message.id}/html"' in page and "sandbox" in page


def test_the_html_part_is_served_sandboxed(admin_client, db):
    queue(db, title="<img src=x onerror=alert(1)>")
    message = rows(db)[0]
    response = admin_client.get(f"/admin/outbox/{message.id}/html")
    assert response.status_code == 200
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none' covers it
    assert "<img src=x" not in response.get_data(as_text=True)  # escaped when rendered
    page = admin_client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "<img src=x" not in page


def test_a_failed_message_shows_its_error_and_can_be_retried(admin_client, db):
    queue(db, to="gone@example.com")
    with MailServer() as server:
        server.handler.refuse["gone@example.com"] = "550 No such user here"
        outbox.Sender(session=db, transport=SmtpTransport(parse_smtp_url(server.url)),
                      mail_from="no-reply@academy.example").deliver()
    message = rows(db)[0]
    listing = admin_client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "gone@example.com" in listing and "550 No such user here" in listing
    page = f"/admin/outbox/{message.id}"
    response = admin_client.submit(f"/admin/outbox/{message.id}/retry", {}, page=page)
    assert response.status_code == 302
    again = rows(db)[0]
    assert again.status == "queued"
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.target == f"mail:{message.id}")) == "mail.retried"


def test_only_a_failed_message_can_be_retried(admin_client, db):
    queue(db)
    message = rows(db)[0]
    response = admin_client.submit(f"/admin/outbox/{message.id}/retry", {}, page=f"/admin/outbox/{message.id}",
                                   follow_redirects=True)
    assert "Only a failed message can be retried" in response.get_data(as_text=True)
    assert rows(db)[0].status == "queued"


def test_learners_cannot_see_the_outbox(learner_client, db):
    queue(db)
    assert learner_client.get("/admin/outbox").status_code == 403
    assert learner_client.get(f"/admin/outbox/{rows(db)[0].id}/html").status_code == 403


def test_the_sign_in_password_still_works_after_a_reset_request_that_is_not_followed(client, make_user, sign_in):
    user = make_user(email="eleni@example.com")
    client.submit("/forgot-password", {"email": "eleni@example.com"})
    sign_in(user, PASSWORD)


def test_a_signed_in_learner_reaches_their_own_preferences_from_the_account_menu(learner_client, db):
    dashboard = learner_client.get("/dashboard").get_data(as_text=True)
    assert 'href="/account/email"' in dashboard
    page = learner_client.get("/account/email", follow_redirects=True).get_data(as_text=True)
    assert "Email preferences" in page and learner_client.user.email in page
