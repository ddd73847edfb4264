"""A revoked or expired certificate says so everywhere it can be read, and caches are told to ask again;
API tokens answer only while their creator holds the rights; signed files with repeated keys are refused."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import update

from academy.db import session_scope
from academy.models import Role, User, utcnow
from academy.services import api_tokens, certificates
from academy.services.actors import OPERATOR, Actor
from tests.web.test_api import assert_problem, get, seeded  # noqa: F401 (fixtures)
from tests.web.test_certificate_pages import course, earn, holder  # noqa: F401 (fixtures)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def revoked(holder, db):  # noqa: F811
    code = holder.certificate.code
    certificates.revoke(db, code, "Exam misconduct", actor=OPERATOR)
    return holder


def test_a_revoked_certificates_verify_page_never_says_valid_until(revoked, client):
    html = client.get(f"/verify/{revoked.certificate.code}").get_data(as_text=True)
    assert "Revoked certificate" in html and "Exam misconduct" in html
    assert "Valid until" not in html and "<dt>Revoked</dt>" in html


def test_a_revoked_certificates_pdf_is_stamped_revoked(revoked, client, tmp_path):
    response = client.get(f"/certificates/{revoked.certificate.code}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "REVOKED" in text and "not valid" in text
    assert "VALID UNTIL" not in text


def test_an_expired_certificates_pdf_is_stamped_expired(earn, client, tmp_path):  # noqa: F811
    certificate = earn(at=utcnow() - timedelta(days=800))
    text = pdf_text(client.get(f"/certificates/{certificate.code}.pdf").data, tmp_path)
    assert "EXPIRED" in text and "VALID UNTIL" not in text


def test_a_valid_certificates_pdf_has_no_stamp(holder, client, tmp_path):  # noqa: F811
    text = pdf_text(client.get(f"/certificates/{holder.certificate.code}.pdf").data, tmp_path)
    assert "VALID UNTIL" in text and "REVOKED" not in text and "EXPIRED" not in text


def test_the_pdf_made_before_a_revocation_is_not_served_after_it(holder, client, db, tmp_path):  # noqa: F811
    url = f"/certificates/{holder.certificate.code}.pdf"
    assert "REVOKED" not in pdf_text(client.get(url).data, tmp_path)
    certificates.revoke(db, holder.certificate.code, "Exam misconduct", actor=OPERATOR)
    assert "REVOKED" in pdf_text(client.get(url).data, tmp_path)


@pytest.mark.parametrize("suffix", ["", ".pdf", ".json", "/status"])
def test_status_bearing_documents_tell_caches_to_ask_again(revoked, client, suffix):
    code = revoked.certificate.code
    url = f"/verify/{code}" if suffix == "" else f"/certificates/{code}{suffix}"
    response = client.get(url)
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]


def test_the_status_document_says_revoked(revoked, client):
    status = client.get(f"/certificates/{revoked.certificate.code}/status").get_json()
    assert status["revokedCredentials"][0]["revocationReason"] == "Exam misconduct"


def test_the_holder_is_not_offered_linkedin_for_a_revoked_certificate(revoked):
    html = revoked.get(f"/certificates/{revoked.certificate.code}").get_data(as_text=True)
    assert "linkedin.com" not in html and "Only a current certificate can be added to LinkedIn" in html


def test_reissuing_a_revoked_certificate_shows_when_and_why_it_was_revoked(revoked, admin_client):
    html = admin_client.get(f"/admin/certificates/{revoked.certificate.code}").get_data(as_text=True)
    assert "Reissue certificate" in html
    assert "This certificate was revoked on" in html and "Reason: Exam misconduct" in html


def test_the_verify_command_refuses_a_credential_with_a_repeated_key(runner, holder, client, tmp_path):  # noqa: F811
    text = client.get(f"/certificates/{holder.certificate.code}.json").get_data(as_text=True)
    document = json.loads(text)
    real = json.dumps(document["credentialSubject"]["achievement"]["name"])
    forged = text.replace('"name": ' + real, '"name": "Chief Executive", "name": ' + real, 1)
    assert forged != text
    path = tmp_path / "forged.json"
    path.write_text(forged, encoding="utf-8")
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1
    assert "appears twice" in result.output


# --- API tokens act with their creator's current rights --------------------------------------------------

@pytest.fixture
def admin_token(app, make_user):
    admin = make_user(Role.ADMIN)
    with session_scope(app) as session:
        _, secret = api_tokens.create(session, "HR import", actor=Actor(admin.id))
    return admin, secret


def set_user(app, user_id, **values):
    with session_scope(app) as session:
        session.execute(update(User).where(User.id == user_id).values(**values))
        session.commit()


def test_a_token_stops_answering_when_its_creator_is_demoted(app, client, admin_token):
    admin, secret = admin_token
    assert get(client, "/api/v1/certificates", secret).status_code == 200
    set_user(app, admin.id, role=Role.INSTRUCTOR.value)
    assert_problem(get(client, "/api/v1/certificates", secret), 401, "no longer has the rights")
    set_user(app, admin.id, role=Role.ADMIN.value)
    assert get(client, "/api/v1/certificates", secret).status_code == 200


def test_a_token_stops_answering_when_its_creator_is_deactivated(app, client, admin_token):
    admin, secret = admin_token
    set_user(app, admin.id, active=False)
    assert_problem(get(client, "/api/v1/certificates", secret), 401, "no longer has the rights")


def test_a_demotion_through_the_admin_page_stops_the_token(app, client, admin_token, admin_client):
    admin, secret = admin_token
    page = f"/admin/users/{admin.id}"
    response = admin_client.submit(f"/admin/users/{admin.id}/role", {"role": "learner"}, page=page)
    assert response.status_code in (200, 302)
    assert get(client, "/api/v1/certificates", secret).status_code == 401


def test_next_links_and_the_openapi_server_come_from_the_base_url_not_the_host_header(
        app, client, admin_token, seeded):  # noqa: F811
    _, secret = admin_token
    forged = {"Host": "evil.example"}
    body = get(client, "/api/v1/certificates?limit=2", secret, **forged).get_json()
    assert body["next"].startswith(app.config["BASE_URL"] + "/api/v1/certificates?")
    document = client.get("/api/v1/openapi.json", headers=forged).get_json()
    assert document["servers"] == [{"url": app.config["BASE_URL"] + "/api/v1"}]
