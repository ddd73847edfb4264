"""Organisation managers' pages: their own people only, invitations, assignments, downloads, the invitation link."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from academy.models import CourseAssignment, Invitation, OrganisationManager, Role, utcnow
from academy.services import assignments, invitations
from academy.services.actors import Actor
from tests.conftest import PASSWORD
from tests.support import certification as course_support
from tests.support.organisations import appoint, invitation_link, make_organisation, outbox


@pytest.fixture
def course(runner, content_dir, db):
    course_support.publish(runner, content_dir)
    return course_support.ids(db)


@pytest.fixture
def orgs(db):
    return make_organisation(db, "Northbank Financial"), make_organisation(db, "Elsewhere Ltd")


@pytest.fixture
def manager_client(client_as, db, orgs):
    client = client_as(Role.LEARNER, name="Maria Manager", email="maria@northbank.example",
                       organisation_id=orgs[0])
    appoint(db, orgs[0], client.user.id)
    return client


@pytest.fixture
def other_side(db, orgs, make_user, course):
    """Everything a URL can name in the other organisation: a member, an invitation, an assignment."""
    other = orgs[1]
    olga = make_user(name="Olga Other", email="olga@elsewhere.example", organisation_id=other)
    admin = make_user(Role.ADMIN)
    invitations.invite_one(db, other, name="Ivan", email="ivan@elsewhere.example", actor=Actor(admin.id))
    assignments.assign(db, other, course_support.SLUG, due_days=30, actor=Actor(admin.id))
    return {"organisation_id": other, "user_id": olga.id,
            "invitation_id": db.scalar(select(Invitation.id).where(Invitation.organisation_id == other)),
            "assignment_id": db.scalar(select(CourseAssignment.id).where(CourseAssignment.organisation_id == other)),
            "kind": "certificates"}


def test_a_manager_gets_404_for_every_page_of_another_organisation(app, manager_client, orgs, other_side):
    token = manager_client.csrf_token(f"/manage/{orgs[0]}/invitations")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "organisation_id" not in rule.arguments:
            continue
        url = rule.build({name: other_side[name] for name in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = manager_client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            expected = 404 if rule.endpoint.startswith("manage.") else 403  # admin pages refuse the role itself
            assert response.status_code == expected, f"{method} {url} ({rule.endpoint})"
            checked += 1
    assert checked >= 10


def test_a_learner_who_manages_nothing_gets_404_and_sees_no_menu_entry(learner_client, orgs):
    assert learner_client.get(f"/manage/{orgs[0]}").status_code == 404
    assert "My organisation" not in learner_client.get("/dashboard").get_data(as_text=True)


def test_the_manager_sees_their_people_in_the_matrix_with_words_and_colours(manager_client, make_user, orgs, db,
                                                                           course):
    ana = make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=orgs[0])
    make_user(name="Olga Other", email="olga@elsewhere.example", organisation_id=orgs[1])
    assignments.assign(db, orgs[0], course_support.SLUG, user_ids=[ana.id], due_days=30, actor=Actor(ana.id))
    page = manager_client.get("/dashboard").get_data(as_text=True)
    assert "My organisation" in page and "Organisations you manage" in page
    response = manager_client.get(f"/manage/{orgs[0]}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ana Lima" in html and "Olga Other" not in html
    assert 'class="cell cell-not-started">Not started' in html
    filtered = manager_client.get(f"/manage/{orgs[0]}?status=overdue").get_data(as_text=True)
    assert "No one matches these filters." in filtered


@pytest.mark.parametrize("query", ['"', 'ana" OR "', "NEAR(ana lima)", "an*", "%", "_", "\\", "' OR 1=1 --",
                                   "A" * 5000, "\x00", "lim"])
def test_the_matrix_search_takes_any_text_as_text_to_find(manager_client, make_user, orgs, query):
    make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=orgs[0])
    make_user(name="Bo 100% Berg", email="bo@northbank.example", organisation_id=orgs[0])
    response = manager_client.get(f"/manage/{orgs[0]}", query_string={"q": query})
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    if response.status_code == 200:
        assert ("Ana Lima" in html) == (query == "lim")
        assert ("Bo 100% Berg" in html) == (query == "%")


def test_a_malformed_filter_gets_a_400_with_the_reason(manager_client, orgs):
    response = manager_client.get(f"/manage/{orgs[0]}?status=bogus")
    assert response.status_code == 400
    assert "status" in response.get_data(as_text=True).lower()


def test_a_person_page_shows_progress_attempts_certificates_and_assignments(manager_client, make_user, orgs, db,
                                                                           course):
    ana = make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=orgs[0])
    course_support.enrol(db, ana.id, course.course_id)
    course_support.complete_course(db, ana.id, course)
    course_support.begin(db)
    from academy.services import certificates
    certificates.issue_if_due(db, ana.id, course.course_id)
    db.commit()
    assignments.assign(db, orgs[0], course_support.SLUG, due_days=30, actor=Actor(ana.id))
    html = manager_client.get(f"/manage/{orgs[0]}/people/{ana.id}").get_data(as_text=True)
    assert "Final exam" in html and "92%" in html
    assert "Expiring within 90 days" not in html and ">Valid<" in html
    assert ">Completed<" in html


def test_inviting_one_person_queues_the_email_and_lists_the_invitation(manager_client, orgs, db):
    response = manager_client.submit(f"/manage/{orgs[0]}/invitations",
                                     {"invite-name": "Ana Lima", "invite-email": "ana@northbank.example",
                                      "invite-due_days": "30"})
    assert response.status_code == 302
    assert [m.recipient for m in outbox(db, kind="invitation")] == ["ana@northbank.example"]
    assert "ana@northbank.example" in manager_client.get(f"/manage/{orgs[0]}/invitations").get_data(as_text=True)


def test_uploading_a_spreadsheet_shows_the_report_per_row(manager_client, orgs, db):
    data = b"name,email\nAna Lima,ana@northbank.example\nBad,nope\n"
    page = f"/manage/{orgs[0]}/invitations"
    first = manager_client.submit(f"/manage/{orgs[0]}/invitations/upload",
                                  {"upload-file": (io.BytesIO(data), "team.csv"), "upload-due_days": "30"},
                                  page=page, content_type="multipart/form-data")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert re.search(r"ana@northbank.example</td>\s*<td><span class=\"badge badge-ok\">created", html)
    assert "invalid address" in html
    second = manager_client.submit(f"/manage/{orgs[0]}/invitations/upload",
                                   {"upload-file": (io.BytesIO(data), "team.csv"), "upload-due_days": "30"},
                                   page=page, content_type="multipart/form-data")
    assert "already invited" in second.get_data(as_text=True)
    assert len(outbox(db, kind="invitation")) == 1


def test_a_malformed_upload_is_refused_with_a_sentence(manager_client, orgs):
    response = manager_client.submit(f"/manage/{orgs[0]}/invitations/upload",
                                     {"upload-file": (io.BytesIO(b"\x00\x01garbage"), "team.xlsx")},
                                     page=f"/manage/{orgs[0]}/invitations", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not a readable XLSX workbook" in response.get_data(as_text=True)


def test_the_invitation_link_creates_the_account_and_signs_in_once(app, manager_client, orgs, db, course):
    invitations.invite_one(db, orgs[0], name="Ana Lima", email="ana@northbank.example",
                           courses=(course_support.SLUG,), actor=Actor(manager_client.user.id))
    path = "/invitations/" + invitation_link(db, "ana@northbank.example").rsplit("/", 1)[1]
    visitor = app.test_client()
    assert "ana@northbank.example" in visitor.get(path).get_data(as_text=True)
    weak = visitor.submit(path, {"name": "Ana Lima", "password": "short", "confirm": "short"})
    assert weak.status_code == 400
    response = visitor.submit(path, {"name": "Ana Lima", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    dashboard = visitor.get("/dashboard").get_data(as_text=True)
    assert "Assigned to you" in dashboard and "Incident Basics" in dashboard
    assert app.test_client().get(path).status_code == 404


def test_assigning_a_course_from_the_page(manager_client, make_user, orgs, db, course):
    make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=orgs[0])
    page = f"/manage/{orgs[0]}/assignments"
    refused = manager_client.submit(page, {"course": course_support.SLUG, "people": "olga@elsewhere.example",
                                           "due_days": "10"})
    assert refused.status_code == 400 and "Not members of this organisation" in refused.get_data(as_text=True)
    due = (utcnow().date() + timedelta(days=20)).isoformat()
    response = manager_client.submit(page, {"course": course_support.SLUG, "people": "", "due_on": due})
    assert response.status_code == 302
    assert "Everyone, including people who join later" in manager_client.get(page).get_data(as_text=True)
    assert sorted(m.recipient for m in outbox(db, kind="course-assigned")) == ["ana@northbank.example",
                                                                             "maria@northbank.example"]


def test_downloads_hold_only_the_managers_organisation(manager_client, make_user, orgs, db, course):
    make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=orgs[0])
    make_user(name="Olga Other", email="olga@elsewhere.example", organisation_id=orgs[1])
    assignments.assign(db, orgs[0], course_support.SLUG, due_days=30, actor=Actor(manager_client.user.id))
    assignments.assign(db, orgs[1], course_support.SLUG, due_days=30, actor=Actor(manager_client.user.id))
    csv_text = manager_client.get(f"/manage/{orgs[0]}/export/assignments?format=csv").get_data(as_text=True)
    assert "ana@northbank.example" in csv_text and "olga@" not in csv_text
    xlsx = manager_client.get(f"/manage/{orgs[0]}/export/certificates?format=xlsx")
    assert xlsx.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(xlsx.data)).active[1]][0] == "code"
    assert manager_client.get(f"/manage/{orgs[0]}/export/people?format=csv").status_code == 404


def test_admins_appoint_and_remove_managers(admin_client, make_user, orgs, db):
    person = make_user(name="Maria Manager", email="maria@northbank.example")
    page = f"/admin/organisations/{orgs[0]}"
    response = admin_client.submit(f"{page}/managers", {"email": "maria@northbank.example"}, page=page)
    assert response.status_code == 302
    assert "Maria Manager" in admin_client.get(page).get_data(as_text=True)
    assert db.scalar(select(OrganisationManager.user_id)) == person.id
    unknown = admin_client.submit(f"{page}/managers", {"email": "nobody@example.com"}, page=page,
                                  follow_redirects=True)
    assert "There is no account with that email address" in unknown.get_data(as_text=True)
    admin_client.submit(f"{page}/managers/{person.id}/remove", {}, page=page)
    db.rollback()
    assert db.scalar(select(OrganisationManager.user_id)) is None


def test_manager_forms_need_their_csrf_token(manager_client, orgs):
    response = manager_client.post(f"/manage/{orgs[0]}/invitations",
                                   data={"invite-name": "A", "invite-email": "a@example.com"})
    assert response.status_code == 400
