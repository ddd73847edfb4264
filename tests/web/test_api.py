"""The token API: bearer tokens only, RFC 9457 problems, filters and cursor pages like the export."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from academy.db import session_scope
from academy.domain.exports import COLUMNS
from academy.models import ApiToken, Certificate, Role, User
from academy.services import api_tokens
from academy.services.actors import Actor
from tests.support import reporting


@pytest.fixture
def token(app, make_user):
    admin = make_user(Role.ADMIN)
    with session_scope(app) as session:
        _, secret = api_tokens.create(session, "HR nightly import", actor=Actor(admin.id))
    return secret


@pytest.fixture
def seeded(app, runner, content_dir, db):
    reporting.seed(app, runner, content_dir, learners=40)
    return db.scalars(select(Certificate).order_by(Certificate.id)).all()


def get(client, url, secret=None, **headers):
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return client.get(url, headers=headers)


def assert_problem(response, status, fragment):
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and fragment in body["detail"]
    return body


def test_without_a_token_the_api_asks_for_one(client):
    response = get(client, "/api/v1/certificates")
    assert_problem(response, 401, "Authorization: Bearer")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer " + "x" * 500, "Basic dXNlcjpwYXNz", "Bearer"])
def test_unknown_or_malformed_tokens_are_refused(client, header):
    response = client.get("/api/v1/certificates", headers={"Authorization": header})
    assert response.status_code == 401 and response.headers["Content-Type"] == "application/problem+json"


def test_a_revoked_token_stops_working_at_once(app, client, token, db):
    assert get(client, "/api/v1/certificates", token).status_code == 200
    with session_scope(app) as session:
        row = session.scalar(select(ApiToken))
        api_tokens.revoke(session, row.id, actor=Actor(row.created_by_id))
    assert_problem(get(client, "/api/v1/certificates", token), 401, "revoked")


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR, Role.ADMIN])
def test_a_browser_sign_in_is_not_an_api_credential(client_as, role):
    response = client_as(role).get("/api/v1/certificates")
    assert_problem(response, 403, "does not accept a browser sign-in")


def test_use_is_stamped_on_the_token(client, token, db):
    get(client, "/api/v1/certificates", token)
    assert db.scalar(select(ApiToken.last_used_at)) is not None


def test_certificates_are_listed_in_pages_that_link_to_the_next(client, token, seeded):
    codes, url, pages = [], "/api/v1/certificates?limit=7", 0
    while url:
        response = get(client, url, token)
        assert response.status_code == 200
        body = response.get_json()
        assert all(set(row) == set(COLUMNS) for row in body["data"])
        codes += [row["code"] for row in body["data"]]
        url = body["next"]
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"'
            url = url.removeprefix("http://localhost")
        pages += 1
    assert codes == [c.code for c in seeded] and pages == -(-len(seeded) // 7)


def test_filters_are_those_of_the_export(client, token, seeded, db):
    db.execute(update(Certificate).values(revoked_at=None, revoked_reason=None))
    db.execute(update(Certificate).where(Certificate.id == seeded[0].id)
               .values(revoked_at=seeded[0].issued_at, revoked_reason="Issued in error"))
    db.commit()
    body = get(client, "/api/v1/certificates?status=revoked", token).get_json()
    assert [r["code"] for r in body["data"]] == [seeded[0].code] and body["next"] is None
    assert get(client, "/api/v1/certificates?course=demo&limit=500", token).get_json()["data"]


@pytest.mark.parametrize(("query", "fragment"), [
    ("limit=501", "from 1 to 500"), ("limit=0", "from 1 to 500"), ("limit=ten", "from 1 to 500"),
    ("since=2026-02-30", "YYYY-MM-DD"), ("since=2026-05-01&until=2026-04-01", "before the start"),
    ("status=lapsed", "one of valid, expired, revoked"), ("course=nope", "no course"),
    ("organisation=Nobody", "no organisation"), ("cursor=%%%", "cursor is not valid"),
    ("cursor=djE6LTE", "cursor is not valid"), ("stauts=valid", "Unknown query parameter 'stauts'"),
    ("status=VALID", "Status must be one of"), ("since=", "is empty"), ("course=%20demo", "spaces around it"),
])
def test_malformed_filters_get_a_400_problem(client, token, query, fragment):
    assert_problem(get(client, f"/api/v1/certificates?{query}", token), 400, fragment)


def test_one_certificate_by_its_code_typed_loosely(client, token, seeded):
    code = seeded[0].code
    body = get(client, f"/api/v1/certificates/{code.lower().replace('-', ' ')}", token).get_json()
    assert body["code"] == code and body["verification_url"].endswith(f"/verify/{code}")
    assert_problem(get(client, "/api/v1/certificates/0000-0000-0000-0000-0000", token), 404, "no certificate")
    assert_problem(get(client, "/api/v1/certificates/not-a-code", token), 404, "no certificate")


def test_a_learners_progress_and_certificates(client, token, seeded, db):
    holder = db.get(User, seeded[0].user_id)
    body = get(client, f"/api/v1/learners/{holder.id}/progress", token).get_json()
    assert body["learner"]["email"] == holder.email
    [course] = body["courses"]
    assert course["course"] == "demo" and course["modules_total"] == 3
    assert course["modules_completed"] == 3 and course["status"] == "done" and course["percent"] == 100
    assert [c["code"] for c in body["certificates"]] == [seeded[0].code]
    assert_problem(get(client, "/api/v1/learners/999999/progress", token), 404, "no learner")
    assert get(client, "/api/v1/learners/99999999999/progress", token).status_code == 404


def test_the_openapi_document_is_public_and_describes_the_bearer_scheme(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "An API token from Admin, API tokens."}
    assert set(document["paths"]) == {"/certificates", "/certificates/{code}", "/learners/{learner_id}/progress"}
    certificate = document["components"]["schemas"]["Certificate"]
    assert certificate["required"] == list(COLUMNS) and set(certificate["properties"]) == set(COLUMNS)
