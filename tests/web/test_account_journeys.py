"""Account dead ends, fixed: correcting one's name, joining an organisation later, an admin moving
someone, signing up from a course page, the first admin's landing and the admin area's front door."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from academy.models import AuditEvent, Certificate, User
from academy.services import accounts, certificates
from tests.support import certification as course_support
from tests.support.signups import signup_link


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def course(app, runner, content_dir, db):
    course_support.publish(runner, content_dir)
    return course_support.ids(db)


def earn(db, course, user):
    course_support.enrol(db, user.id, course.course_id)
    course_support.complete_course(db, user.id, course)
    course_support.begin(db)
    certificate = certificates.issue_if_due(db, user.id, course.course_id)
    db.commit()
    return certificate


# --- the learner's own account -------------------------------------------------------------------

def test_the_account_page_is_linked_from_the_menu_and_shows_the_name_form(learner_client):
    assert 'href="/account">Your account</a>' in text(learner_client.get("/dashboard"))
    html = text(learner_client.get("/account"))
    assert re.search(r'<label[^>]*for="name-name"[^>]*>Name</label>', html)
    assert re.search(r'<label[^>]*for="join-join_code"[^>]*>Organisation code</label>', html)


def test_correcting_ones_name_reissues_the_certificate_under_it_with_an_audit_entry(
        course, db, make_user, sign_in):
    user = make_user(name="Priya Sharma")
    old = earn(db, course, user)
    client = sign_in(user)
    response = client.submit("/account/name", {"name-name": "  प्रिया   शर्मा "}, page="/account")
    assert response.status_code == 302
    flashed = text(client.get(response.headers["Location"]))
    db.expire_all()
    new = db.scalar(select(Certificate).where(Certificate.user_id == user.id, Certificate.superseded_at.is_(None)))
    assert new.code != old.code and new.holder_name == "प्रिया शर्मा"
    assert "Your name is updated" in flashed and new.code in flashed
    assert db.get(User, user.id).name == "प्रिया शर्मा"
    replaced = db.scalar(select(Certificate).where(Certificate.code == old.code))
    assert replaced.revoked_reason.startswith("Reissued: Name corrected by the holder")
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)))
    assert {"user.name_changed", "certificate.reissued"} <= actions


def test_an_empty_name_is_refused_beside_the_field(learner_client, db):
    response = learner_client.submit("/account/name", {"name-name": "   "}, page="/account")
    assert response.status_code == 400 and "This field is required" in text(response)
    assert db.get(User, learner_client.user.id).name.strip()


def test_a_learner_enters_an_organisation_code_after_sign_up(learner_client, db):
    org = accounts.create_organisation(db, "Northbank Financial")
    wrong = learner_client.submit("/account/organisation", {"join-join_code": "ZZZZ-ZZZZ"}, page="/account")
    assert wrong.status_code == 400 and "not recognised" in text(wrong)
    response = learner_client.submit("/account/organisation", {"join-join_code": org.join_code.lower()},
                                     page="/account")
    assert response.status_code == 302
    html = text(learner_client.get("/account"))
    assert "You have joined Northbank Financial." in html and "You belong to <strong>Northbank Financial" in html
    db.expire_all()
    assert db.get(User, learner_client.user.id).organisation_id == org.id


def test_a_member_cannot_switch_organisation_by_code(learner_client, db):
    first = accounts.create_organisation(db, "Northbank Financial")
    second = accounts.create_organisation(db, "Kestrel Health")
    learner_client.submit("/account/organisation", {"join-join_code": first.join_code}, page="/account")
    refused = learner_client.submit("/account/organisation", {"join-join_code": second.join_code}, page="/account")
    assert refused.status_code == 400 and "Ask an administrator" in text(refused)


def test_account_forms_need_csrf_and_a_session(client, learner_client):
    assert client.get("/account").status_code in (302, 401)
    assert learner_client.post("/account/name", data={"name-name": "X"}).status_code == 400


# --- admins ----------------------------------------------------------------------------------------

def test_an_admin_moves_a_user_to_another_organisation(admin_client, make_user, db):
    first = accounts.create_organisation(db, "Northbank Financial")
    second = accounts.create_organisation(db, "Kestrel Health")
    person = make_user(name="Dara Quinn", organisation_id=first.id)
    page = f"/admin/users/{person.id}"
    html = text(admin_client.get(page))
    assert re.search(r'<label[^>]*for="organisation"[^>]*>Organisation</label>', html)
    response = admin_client.submit(f"/admin/users/{person.id}/organisation", {"organisation": str(second.id)},
                                   page=page)
    assert response.status_code == 302
    html = text(admin_client.get(page))
    assert "Dara Quinn now belongs to Kestrel Health." in html
    db.expire_all()
    assert db.get(User, person.id).organisation_id == second.id
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.organisation_changed"))
    assert json.loads(event.detail) == {"from": "Northbank Financial", "to": "Kestrel Health"}
    forged = admin_client.submit(f"/admin/users/{person.id}/organisation", {"organisation": "99999"}, page=page)
    assert forged.status_code == 400


def test_only_admins_move_people(learner_client, make_user):
    person = make_user()
    response = learner_client.submit(f"/admin/users/{person.id}/organisation", {"organisation": ""},
                                     page="/dashboard")
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("path", ["/admin", "/admin/"])
def test_the_admin_area_answers_at_its_own_address(admin_client, learner_client, path):
    response = admin_client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert learner_client.get(path).status_code == 403


# --- signing up from a course ----------------------------------------------------------------------

def test_signing_up_from_a_course_page_returns_to_that_course(course, client, db):
    course_page = f"/courses/{course_support.SLUG}"
    html = text(client.get(course_page))
    register = re.search(r'href="(/register\?next=[^"]+)"', html).group(1)
    assert "Sign in" in text(client.get(register))
    data = {"name": "Zoë Ōtsuka", "email": "zoe@example.com", "password": "A long evening on the bridge",
            "confirm": "A long evening on the bridge"}
    response = client.submit(register.replace("&amp;", "&"), data, page=register)
    assert response.status_code == 200 and "Check your inbox" in text(response)
    # The emailed link, from the browser that signed up, ends on the course signed up from.
    response = client.submit(signup_link(db, "zoe@example.com"))
    assert response.status_code == 302 and response.headers["Location"] == course_page


def test_an_offsite_next_after_sign_up_goes_to_the_dashboard(client, db):
    data = {"name": "Eve", "email": "eve@example.com", "password": "A long evening on the bridge",
            "confirm": "A long evening on the bridge"}
    assert client.submit("/register?next=https://evil.example/", data, page="/register").status_code == 200
    response = client.submit(signup_link(db, "eve@example.com"))
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
