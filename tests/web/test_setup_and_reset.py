"""First-admin setup link, admin-issued reset links, and the accounts CLI."""

from __future__ import annotations

import re

from sqlalchemy import select

from academy.models import AuditEvent, Role, User
from tests.conftest import PASSWORD

GOOD = "Bridge opened at 09:42, all hands"
LINK_RE = re.compile(r"http://localhost(/setup/[A-Za-z0-9_-]+)")


def setup_path(runner) -> str:
    result = runner.invoke(args=["setup-link"])
    assert result.exit_code == 0, result.output
    return LINK_RE.search(result.output).group(1)


def admin_form(**extra):
    return {"name": "Grace Hopper", "email": "grace@example.com", "password": GOOD, "confirm": GOOD, **extra}


def test_setup_link_creates_the_first_admin_once(client, runner, db, app):
    path = setup_path(runner)
    response = client.submit(path, admin_form())
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"  # lands on the admin area
    admin = db.scalar(select(User).where(User.email == "grace@example.com"))
    assert admin.role == Role.ADMIN
    assert client.get("/admin/users").status_code == 200
    # The link dies after use, even for a different browser.
    again = app.test_client().get(path)
    assert again.status_code == 404 and "cannot be used" in again.get_data(as_text=True)
    assert "no setup link is needed" in runner.invoke(args=["setup-link"]).output


def test_a_new_setup_link_replaces_the_old_one(client, runner):
    first, second = setup_path(runner), setup_path(runner)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_made_up_setup_links_are_refused(client, runner):
    setup_path(runner)
    assert client.get("/setup/not-a-real-token").status_code == 404


def test_cli_creates_users_with_password_from_stdin(runner, db):
    result = runner.invoke(args=["users", "create", "ops@example.com", "--name", "Ops Lead", "--role",
                                 "instructor", "--password-stdin"], input=GOOD + "\n")
    assert result.exit_code == 0, result.output
    user = db.scalar(select(User).where(User.email == "ops@example.com"))
    assert user.role == "instructor" and user.name == "Ops Lead"


def test_cli_prompts_for_a_hidden_password(runner, db):
    result = runner.invoke(args=["users", "create", "p@example.com", "--name", "P"], input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output


def test_cli_refuses_weak_passwords_and_duplicates(runner, make_user):
    weak = runner.invoke(args=["users", "create", "w@example.com", "--name", "W", "--password-stdin"],
                         input="password1234\n")
    assert weak.exit_code == 1 and "too common" in weak.output
    make_user(email="dup@example.com")
    dup = runner.invoke(args=["users", "create", "dup@example.com", "--name", "D", "--password-stdin"],
                        input=GOOD + "\n")
    assert dup.exit_code == 1 and "already exists" in dup.output


def test_admin_issues_a_one_time_reset_link(admin_client, make_user, sign_in, app, db):
    learner = make_user()
    old_device = sign_in(learner)
    response = admin_client.submit(f"/admin/users/{learner.id}/reset-link", {}, page="/admin/users")
    assert response.status_code == 200
    link = re.search(r'value="http://localhost(/reset/[^"]+)"', response.get_data(as_text=True)).group(1)

    visitor = app.test_client()
    new = "Freshly chosen passphrase 77"
    assert visitor.submit(link, {"password": new, "confirm": new}).status_code == 302
    assert old_device.get("/dashboard").status_code == 302  # reset signs out every device
    assert sign_in(learner, new).get("/dashboard").status_code == 200
    assert app.test_client().get(link).status_code == 404  # used once
    actions = set(db.scalars(select(AuditEvent.action)).all())
    assert {"user.reset_link_issued", "auth.password_reset"} <= actions


def test_reset_links_still_enforce_the_password_policy(admin_client, make_user, app):
    learner = make_user()
    page = admin_client.submit(f"/admin/users/{learner.id}/reset-link", {}, page="/admin/users")
    link = re.search(r'value="http://localhost(/reset/[^"]+)"', page.get_data(as_text=True)).group(1)
    response = app.test_client().submit(link, {"password": "password1234", "confirm": "password1234"})
    assert "too common" in response.get_data(as_text=True)
    # The link was not used up by the failed attempt.
    assert app.test_client().get(link).status_code == 200


def test_only_admins_issue_reset_links(instructor_client, make_user):
    learner = make_user()
    token = instructor_client.csrf_token("/dashboard")
    response = instructor_client.post(f"/admin/users/{learner.id}/reset-link", data={"csrf_token": token})
    assert response.status_code == 403


def test_admin_creates_an_organisation_and_sees_its_join_code(admin_client):
    response = admin_client.submit("/admin/organisations", {"name": "Northbank Financial"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Northbank Financial" in page
    assert re.search(r"<code>[A-Z2-9]{4}-[A-Z2-9]{4}</code>", page)


def test_signed_in_user_sees_password_in_no_page(learner_client):
    assert PASSWORD not in learner_client.get("/dashboard").get_data(as_text=True)
