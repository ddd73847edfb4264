"""Certificate pages, public verification, signed documents and the admin tools, through HTTP."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from sqlalchemy import select

from academy.models import AuditEvent, Certificate, utcnow
from academy.services import certificates
from academy.services.actors import OPERATOR
from tests.support import certification as course_support

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "ob_v3p0_achievementcredential.schema.json").read_text())


@pytest.fixture
def course(app, runner, content_dir, db):
    course_support.publish(runner, content_dir)
    return course_support.ids(db)


@pytest.fixture
def earn(db, course, make_user):
    """Factory: a learner who has earned the certificate (``at`` moves it into the past)."""
    def _earn(name="Ελένη Παπαδοπούλου", *, at=None, user=None):
        user = user or make_user(name=name)
        course_support.enrol(db, user.id, course.course_id)
        course_support.complete_course(db, user.id, course, at=at)
        course_support.begin(db)
        certificate = certificates.issue_if_due(db, user.id, course.course_id, now=at)
        db.commit()
        certificate.user = user
        return certificate
    return _earn


@pytest.fixture
def holder(earn, sign_in):
    """A signed-in learner with a certificate: ``holder.certificate``."""
    certificate = earn()
    client = sign_in(certificate.user)
    client.certificate = certificate
    return client


def page(response) -> str:
    return response.get_data(as_text=True)


# --- the holder's pages ----------------------------------------------------------------------------

def test_the_holder_sees_the_certificate_with_sharing_tools(holder):
    c = holder.certificate
    html = page(holder.get(f"/certificates/{c.code}"))
    assert c.holder_name in html and c.code in html and course_support.CERTIFICATE_TITLE in html
    assert f'value="http://localhost/verify/{c.code}"' in html and 'data-copy="#verify-link"' in html
    assert "92%" in html and "Valid" in html
    assert 'src="data:image/svg+xml' in html  # the QR code
    assert f"/certificates/{c.code}.pdf" in html and f"/certificates/{c.code}.json" in html


def test_the_linkedin_link_fills_in_the_certification(holder):
    c = holder.certificate
    html = page(holder.get(f"/certificates/{c.code}"))
    link = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html)
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"] and query["organizationName"] == ["MIM Academy"]
    assert query["name"] == [course_support.CERTIFICATE_TITLE] and query["certId"] == [c.code]
    assert query["certUrl"] == [f"http://localhost/verify/{c.code}"]
    assert query["issueYear"] == [str(c.issued_at.year)] and query["issueMonth"] == [str(c.issued_at.month)]
    assert query["expirationYear"] == [str(c.expires_at.year)]


def test_someone_elses_certificate_page_is_not_found_and_anonymous_visitors_are_asked_to_sign_in(holder, client_as,
                                                                                                    client):
    code = holder.certificate.code
    other = client_as("learner")
    response = other.get(f"/certificates/{code}")
    assert response.status_code == 404
    assert holder.certificate.holder_name not in page(response)
    assert client.get(f"/certificates/{code}").status_code == 302
    assert other.get("/certificates/AAAA-BBBB-CCCC-DDDD-EEEE").status_code == 404


def test_my_certificates_lists_them_and_is_in_the_navigation(holder):
    html = page(holder.get("/certificates"))
    assert holder.certificate.code in html and 'href="/certificates"' in html
    assert ">Certificates<" in page(holder.get("/dashboard"))


def test_a_learner_without_certificates_is_told_how_to_earn_one(learner_client):
    assert "No certificates yet" in page(learner_client.get("/certificates"))


def test_the_dashboard_reminds_the_holder_within_sixty_days_of_expiry(earn, sign_in):
    certificate = earn(at=utcnow() - timedelta(days=330))
    html = page(sign_in(certificate.user).get("/dashboard"))
    assert "Your certificates" in html
    assert re.search(r"Expires in \d+ days?: recertify now", html)


def test_an_expired_certificate_shows_as_expired_to_its_holder_and_can_still_be_downloaded(earn, sign_in):
    certificate = earn(at=utcnow() - timedelta(days=800))
    client = sign_in(certificate.user)
    html = page(client.get(f"/certificates/{certificate.code}"))
    assert "This certificate expired on" in html and 'data-stamp="Expired"' in html
    assert client.get(f"/certificates/{certificate.code}.pdf").status_code == 200


# --- public verification ---------------------------------------------------------------------------

def test_verification_shows_status_holder_course_and_dates_and_nothing_else_personal(holder, client):
    c = holder.certificate
    response = client.get(f"/verify/{c.code}")
    html = page(response)
    assert response.status_code == 200
    assert "Valid certificate" in html and c.holder_name in html and course_support.TITLE in html
    assert c.user.email not in html and "92%" not in html
    assert "noindex" in html


def test_typed_codes_are_forgiven_and_redirected_to_the_canonical_page(holder, client):
    code = holder.certificate.code
    response = client.get(f"/verify/{code.lower().replace('-', '')}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/verify/{code}")
    response = client.get("/verify", query_string={"code": " " + code.lower().replace("-", " ")})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{code}")


def test_the_verify_form_is_public_and_linked_from_every_page(client):
    html = page(client.get("/verify"))
    assert '<label class="label" for="code">Certificate code</label>' in html
    assert 'href="/verify"' in page(client.get("/"))
    assert "Enter the code printed on the certificate." in page(client.get("/verify?code=+"))


def test_unknown_and_malformed_codes_get_the_same_plain_not_found(client):
    def shape(response):
        # The form keeps what was typed (so a typo is corrected, not retyped); the rest is identical.
        main = page(response).split('<main', 1)[1].split("</main>")[0]
        return response.status_code, re.sub(r"\s+", " ", re.sub(r' value="[^"]*"', "", main))

    unknown = shape(client.get("/verify/AAAA-BBBB-CCCC-DDDD-EEEE"))
    assert unknown[0] == 404 and "No certificate found" in unknown[1]
    for bad in ["/verify/not-a-code", "/verify/UUUU-BBBB-CCCC-DDDD-EEEE", "/verify?code=%3Cscript%3E"]:
        assert shape(client.get(bad)) == unknown, bad
    assert 'value="&lt;script&gt;"' in page(client.get("/verify?code=%3Cscript%3E"))  # kept, escaped


def test_verification_of_revoked_and_replaced_certificates(holder, client, db):
    old = holder.certificate
    new = certificates.reissue(db, old.code, holder_name="Eleni Nikolaou", reason="Name changed", actor=OPERATOR)
    html = page(client.get(f"/verify/{old.code}"))
    assert "Revoked certificate" in html and "Reissued: Name changed" in html
    assert f'href="/verify/{new.code}"' in html
    assert "Valid certificate" in page(client.get(f"/verify/{new.code}"))


def test_verification_of_an_expired_certificate(earn, client):
    certificate = earn(at=utcnow() - timedelta(days=800))
    html = page(client.get(f"/verify/{certificate.code}"))
    assert "Expired certificate" in html and "expired on" in html


def test_look_ups_are_rate_limited_per_address(client):
    statuses = [client.get("/verify/AAAA-BBBB-CCCC-DDDD-EEEE").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert "Too many attempts" in page(client.get("/verify/AAAA-BBBB-CCCC-DDDD-EEEE"))
    other = client.get("/verify/AAAA-BBBB-CCCC-DDDD-EEEE", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 404


# --- documents -------------------------------------------------------------------------------------

def test_the_pdf_is_public_by_code(holder, client):
    response = client.get(f"/certificates/{holder.certificate.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert client.get("/certificates/AAAA-BBBB-CCCC-DDDD-EEEE.pdf").status_code == 404


def test_the_credential_is_a_signed_open_badge_that_validates_and_never_changes(holder, client):
    code = holder.certificate.code
    response = client.get(f"/certificates/{code}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    credential = response.get_json()
    jsonschema.Draft201909Validator(SCHEMA).validate(credential)
    assert credential["proof"][0]["verificationMethod"].startswith("http://localhost/issuer#z6Mk")
    assert client.get(f"/certificates/{code}.json").data == response.data
    download = client.get(f"/certificates/{code}.json?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_the_status_document_and_published_keys(holder, client, db):
    code = holder.certificate.code
    credential = client.get(f"/certificates/{code}.json").get_json()
    status = client.get(f"/certificates/{code}/status").get_json()
    assert status["id"] == credential["credentialStatus"]["id"] and status["certificate"]["status"] == "valid"
    certificates.revoke(db, code, "Exam misconduct", actor=OPERATOR)
    status = client.get(f"/certificates/{code}/status").get_json()
    assert status["revokedCredentials"] == [{"id": credential["id"], "revocationReason": "Exam misconduct"}]
    jwks = client.get("/.well-known/jwks.json").get_json()
    kid = credential["proof"][0]["verificationMethod"].split("#")[1]
    assert [k["kid"] for k in jwks["keys"]] == [kid]
    issuer = client.get("/issuer").get_json()
    assert issuer["verificationMethod"][0]["publicKeyMultibase"] == kid


# --- command line ----------------------------------------------------------------------------------

@pytest.fixture
def credential_file(holder, client, tmp_path):
    path = tmp_path / "credential.json"
    path.write_bytes(client.get(f"/certificates/{holder.certificate.code}.json").data)
    return path


def test_verify_command_accepts_a_genuine_credential(runner, credential_file):
    result = runner.invoke(args=["certificates", "verify", str(credential_file)])
    assert result.exit_code == 0, result.output
    assert "ok   signature" in result.output and "VALID" in result.output


def test_verify_command_detects_a_single_changed_character(runner, credential_file):
    text = credential_file.read_text()
    credential_file.write_text(text.replace("Ελένη", "Ελενη", 1))
    result = runner.invoke(args=["certificates", "verify", str(credential_file)])
    assert result.exit_code == 1 and "FAIL signature" in result.output


def test_verify_command_reports_revocation_from_the_database_or_a_downloaded_status(runner, credential_file,
                                                                                   holder, client, db, tmp_path):
    code = holder.certificate.code
    fresh_status = tmp_path / "status.json"
    fresh_status.write_bytes(client.get(f"/certificates/{code}/status").data)
    certificates.revoke(db, code, "Exam misconduct", actor=OPERATOR)
    result = runner.invoke(args=["certificates", "verify", str(credential_file)])
    assert result.exit_code == 1 and "Revoked (Exam misconduct)" in result.output
    # A status downloaded before the revocation is honoured (and says when it was checked).
    result = runner.invoke(args=["certificates", "verify", str(credential_file), "--status", str(fresh_status)])
    assert result.exit_code == 0 and "Not revoked, as of" in result.output


def test_verify_command_works_from_a_downloaded_key_set(runner, credential_file, client, tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(client.get("/.well-known/jwks.json").data)
    result = runner.invoke(args=["certificates", "verify", str(credential_file), "--jwks", str(jwks)])
    assert result.exit_code == 0, result.output


def test_verify_command_explains_unreadable_files(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(args=["certificates", "verify", str(bad)])
    assert result.exit_code == 1 and "cannot read the credential" in result.output


def test_old_credentials_still_verify_after_a_key_rotation(runner, credential_file, holder, earn, client, tmp_path):
    result = runner.invoke(args=["certificates", "rotate-key", "--yes"])
    assert result.exit_code == 0 and "Retired z6Mk" in result.output
    assert runner.invoke(args=["certificates", "verify", str(credential_file)]).exit_code == 0
    assert len(client.get("/.well-known/jwks.json").get_json()["keys"]) == 2
    newer = earn("Дмитрий Иванов")
    fresh = client.get(f"/certificates/{newer.code}.json").get_json()
    old = json.loads(credential_file.read_text())
    assert fresh["proof"][0]["verificationMethod"] != old["proof"][0]["verificationMethod"]


# --- admin -----------------------------------------------------------------------------------------

def test_admins_search_revoke_and_reissue(holder, admin_client, client, db):
    code = holder.certificate.code
    listing = page(admin_client.get("/admin/certificates", query_string={"q": "Παπαδοπούλου"}))
    assert code in listing and "1 certificate" in listing
    detail = f"/admin/certificates/{code}"
    response = admin_client.submit(f"{detail}/revoke", {"revoke-reason": ""}, page=detail)
    assert response.status_code == 400 and "This field is required" in page(response)
    form = {"revoke-reason": "Exam misconduct", "revoke-note": "HR case 4411"}
    confirm = admin_client.submit(f"{detail}/revoke", form, page=detail)
    # The first press only asks: nothing is revoked until the admin confirms.
    assert confirm.status_code == 200 and "Yes, revoke the certificate" in page(confirm)
    assert "Exam misconduct" in page(confirm) and "HR case 4411" in page(confirm)
    assert db.scalar(select(Certificate.revoked_at).where(Certificate.code == code)) is None
    db.rollback()  # end the read, so what follows is seen
    response = admin_client.submit(f"{detail}/revoke", {**form, "revoke-confirmed": "yes"}, page=detail)
    assert response.status_code == 302
    verify = page(client.get(f"/verify/{code}"))
    assert "Exam misconduct" in verify and "4411" not in verify  # the private note stays private
    assert "HR case 4411" in page(admin_client.get(detail))

    response = admin_client.submit(f"{detail}/reissue", {"reissue-holder_name": "Eleni Nikolaou",
                                                          "reissue-reason": "Name changed"}, page=detail)
    assert response.status_code == 302
    new_code = response.headers["Location"].rsplit("/", 1)[1]
    assert "Eleni Nikolaou" in page(client.get(f"/verify/{new_code}"))
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("certificate.%"))))
    assert {"certificate.revoked", "certificate.reissued"} <= actions
    assert db.scalar(select(Certificate.revoked_reason).where(Certificate.code == code)) == "Exam misconduct"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoked"))
    assert "HR case 4411" in event.detail


def test_only_admins_reach_the_certificate_admin(holder, learner_client, instructor_client, db):
    code = holder.certificate.code
    for c in (learner_client, instructor_client, holder):
        assert c.get("/admin/certificates").status_code == 403
        assert c.get(f"/admin/certificates/{code}").status_code == 403
        response = c.submit(f"/admin/certificates/{code}/revoke", {"revoke-reason": "x"}, page="/dashboard")
        assert response.status_code == 403
    assert db.scalar(select(Certificate.revoked_at).where(Certificate.code == code)) is None
