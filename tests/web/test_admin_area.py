"""The admin area in the browser's terms: find people, change their role or status, manage
organisations, read the audit log and manage API tokens; each change audit-logged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from academy.db import session_scope
from academy.models import ApiToken, AuditEvent, Organisation, Role, User
from academy.services import accounts

ADMIN_PAGES = ["/admin/users", "/admin/users/1", "/admin/organisations", "/admin/organisations/1", "/admin/audit",
               "/admin/api-tokens", "/admin/exports", "/analytics"]


def actions(db) -> list[str]:
    db.rollback()  # a fresh read: see what the requests committed meanwhile
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def organisation(app):
    with session_scope(app) as session:
        return accounts.create_organisation(session, "Northbank Financial")


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_learners_are_refused_every_admin_page(learner_client, page):
    assert learner_client.get(page).status_code == 403


@pytest.mark.parametrize("page", ADMIN_PAGES[:-1])
def test_instructors_are_refused_every_admin_page(instructor_client, page):
    assert instructor_client.get(page).status_code == 403


def test_users_are_filtered_by_role_organisation_and_status(admin_client, make_user, organisation):
    make_user(name="Ada Learner", organisation_id=organisation.id)
    make_user(Role.INSTRUCTOR, name="Ian Instructor")
    page = admin_client.get(f"/admin/users?role=learner&organisation={organisation.id}&status=active").text
    assert "Ada Learner" in page and "Ian Instructor" not in page and "1 user" in page
    page = admin_client.get("/admin/users?status=deactivated").text
    assert "No users match." in page


def test_the_organisations_page_counts_each_organisations_members(admin_client, make_user, organisation, app):
    with session_scope(app) as session:
        empty = accounts.create_organisation(session, "Quiet Ventures")
    for name in ("Ada Learner", "Bea Learner"):
        make_user(name=name, organisation_id=organisation.id)
    make_user(name="Cy Nobody")
    page = admin_client.get("/admin/organisations").text
    assert re.search(r">2<span class=\"visually-hidden\"> members of Northbank Financial<", page)
    assert re.search(r">0<span class=\"visually-hidden\"> members of Quiet Ventures<", page)
    # The users list's filter offers every organisation (it counts nobody).
    users = admin_client.get("/admin/users").text
    assert f'<option value="{organisation.id}">Northbank Financial</option>' in users
    assert f'<option value="{empty.id}">Quiet Ventures</option>' in users


@pytest.mark.parametrize("query", ["role=overlord", "status=sleeping", "page=0", "organisation=abc"])
def test_malformed_user_filters_get_a_400_with_the_reason(admin_client, query):
    response = admin_client.get(f"/admin/users?{query}")
    assert response.status_code == 400
    assert "must be" in response.text


def test_an_admin_changes_a_role_from_the_user_page(admin_client, make_user, db):
    learner = make_user(name="Ada Learner")
    page = f"/admin/users/{learner.id}"
    response = admin_client.submit(f"{page}/role", {"role": "instructor"}, page=page, follow_redirects=True)
    assert "Ada Learner is now an instructor." in response.text
    assert db.get(User, learner.id).role == Role.INSTRUCTOR
    assert "user.role_changed" in actions(db)


def test_the_last_admin_is_told_why_they_cannot_step_down(admin_client, db):
    me = admin_client.user
    page = f"/admin/users/{me.id}"
    response = admin_client.submit(f"{page}/role", {"role": "learner"}, page=page, follow_redirects=True)
    assert "is the last active admin, so you cannot demote them" in response.text
    assert db.get(User, me.id).role == Role.ADMIN


def test_deactivating_signs_the_person_out_and_reactivating_lets_them_back(admin_client, client_as, db):
    learner_client = client_as(Role.LEARNER)
    learner = learner_client.user
    assert learner_client.get("/dashboard").status_code == 200
    page = f"/admin/users/{learner.id}"
    response = admin_client.submit(f"{page}/deactivate", {}, page=page, follow_redirects=True)
    assert "signed out everywhere" in response.text and "Deactivated" in response.text
    assert learner_client.get("/dashboard").status_code == 302  # back to the sign-in page
    admin_client.submit(f"{page}/reactivate", {}, page=page)
    assert db.get(User, learner.id).active
    assert actions(db)[-2:] == ["user.deactivated", "user.reactivated"]


def test_admins_see_that_they_cannot_deactivate_themselves(admin_client):
    page = admin_client.get(f"/admin/users/{admin_client.user.id}").text
    assert "You cannot deactivate your own account." in page
    response = admin_client.submit(f"/admin/users/{admin_client.user.id}/deactivate", {},
                                   page=f"/admin/users/{admin_client.user.id}", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.text


def test_unknown_people_and_organisations_are_404_with_a_sentence(admin_client):
    user = admin_client.get("/admin/users/999999")
    assert user.status_code == 404 and "There is no user with that id." in user.get_data(as_text=True)
    organisation = admin_client.get("/admin/organisations/999999")
    assert organisation.status_code == 404
    assert "There is no organisation with that id." in organisation.get_data(as_text=True)


def test_an_organisation_is_renamed_and_given_a_new_join_code(admin_client, organisation, db):
    page = f"/admin/organisations/{organisation.id}"
    old_code = organisation.join_code
    response = admin_client.submit(page, {"name": "Northbank Bank"}, follow_redirects=True)
    assert "Renamed to Northbank Bank." in response.text
    response = admin_client.submit(f"{page}/join-code", {}, page=page, follow_redirects=True)
    new_code = db.get(Organisation, organisation.id).join_code
    assert new_code != old_code and new_code in response.text and old_code not in response.text
    assert actions(db)[-2:] == ["organisation.renamed", "organisation.join_code_regenerated"]


def test_renaming_to_a_taken_name_explains_itself(admin_client, organisation, app):
    with session_scope(app) as session:
        accounts.create_organisation(session, "Kestrel Health")
    response = admin_client.submit(f"/admin/organisations/{organisation.id}", {"name": "kestrel health"})
    assert response.status_code == 200 and "already exists" in response.text


def test_the_organisation_page_lists_members_progress(admin_client, app, runner, content_dir, db):
    from tests.support import reporting
    reporting.seed(app, runner, content_dir, learners=20)
    organisation = db.scalars(select(Organisation).order_by(Organisation.id)).first()
    member = db.scalars(select(User).where(User.organisation_id == organisation.id)).first()
    page = admin_client.get(f"/admin/organisations/{organisation.id}").text
    assert organisation.join_code in page and "Learners and progress" in page and member.name in page
    assert "<progress" in page


def test_the_audit_log_is_filtered_and_malformed_dates_are_explained(admin_client, db):
    page = admin_client.get("/admin/audit?action=auth.sign_in").text
    assert "Signed in" in page and admin_client.user.name in page
    response = admin_client.get("/admin/audit?since=2026-13-45")
    assert response.status_code == 400 and "YYYY-MM-DD" in response.text
    response = admin_client.get("/admin/audit?since=2026-05-02&until=2026-05-01")
    assert response.status_code == 400 and "before the start date" in response.text
    assert admin_client.post("/admin/audit").status_code == 405


def test_the_audit_log_pages_keep_the_filter(admin_client, db):
    from academy.services import audit
    from academy.services.pagination import PAGE_SIZE

    for n in range(PAGE_SIZE + 3):
        audit.record(db, "user.created", target=f"user:{n}")
    db.commit()
    first = admin_client.get("/admin/audit?action=user.created").text
    assert "Page 1 of 2" in first and "Newer" not in first
    older = re.search(r'href="([^"]+)">Older</a>', first).group(1).replace("&amp;", "&")
    assert "action=user.created" in older and "page=2" in older
    second = admin_client.get(older).text
    assert "Page 2 of 2" in second and "Newer" in second and "Older" not in second


def test_an_api_token_is_shown_once_and_only_its_prefix_afterwards(admin_client, db):
    response = admin_client.submit("/admin/api-tokens", {"name": "HR nightly import"})
    secret = re.search(r'value="(mima_[A-Za-z0-9_-]+)"', response.text).group(1)
    row = db.scalar(select(ApiToken))
    assert row.token_hash != secret and secret not in row.token_hash and row.scope == "read"
    listing = admin_client.get("/admin/api-tokens").text
    assert secret not in listing and row.prefix in listing and "HR nightly import" in listing
    response = admin_client.submit(f"/admin/api-tokens/{row.id}/revoke", {}, page="/admin/api-tokens",
                                   follow_redirects=True)
    assert "Revoked the token" in response.text
    assert actions(db)[-2:] == ["api_token.created", "api_token.revoked"]


def test_a_token_needs_a_name(admin_client, db):
    response = admin_client.submit("/admin/api-tokens", {"name": "  "})
    assert response.status_code == 400 and db.scalar(select(ApiToken)) is None


HOSTILE = ["\x00", "a\x00b", "\ud800", "\r\nSet-Cookie: evil=1", "\u202egnp.exe", "=cmd|' /C calc'!A0",
           "<script>alert(1)</script>", "' OR 1=1 --", "A" * 5000, "😀" * 300, "%00", "../../etc/passwd"]


def _browser_safe(value: str) -> str:
    # Lone surrogates cannot be encoded as UTF-8; a browser would send replacement characters.
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_to_admin_forms_gets_an_answer_never_a_500(admin_client, organisation, value):
    value = _browser_safe(value)
    assert admin_client.submit("/admin/api-tokens", {"name": value}).status_code in (200, 400)
    assert admin_client.submit(f"/admin/organisations/{organisation.id}", {"name": value}).status_code in (200, 302)
    page = f"/admin/users/{admin_client.user.id}"
    assert admin_client.submit(f"{page}/role", {"role": value}, page=page).status_code == 400
    for url in ("/admin/users?q=", "/admin/certificates?q=", "/admin/audit?actor=", "/admin/audit?action=",
                "/admin/audit?since=",
                "/admin/exports/certificates?format=csv&organisation=", "/admin/exports/xapi?course=",
                "/analytics?course="):
        assert admin_client.get(url + value).status_code in (200, 400, 403, 404)
