"""The security baseline every page keeps: CSRF, headers, throttling, size limits, error pages."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint
from sqlalchemy import select

from academy import create_app
from academy.models import User
from academy.web.access import public
from tests.conftest import PASSWORD, Client

GOOD = "Bridge opened at 09:42, all hands"


def registration(**extra):
    return {"name": "Ada", "email": "ada@example.com", "password": GOOD, "confirm": GOOD, **extra}


def test_a_form_without_its_csrf_token_gets_a_400_page_and_changes_nothing(client, db):
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "expired or was not sent from this site" in page and "Reference" in page
    assert db.scalar(select(User)) is None


def test_a_token_from_another_browser_is_refused(app, client, db):
    other = app.test_client()
    foreign = other.csrf_token("/register")
    response = client.post("/register", data=registration(csrf_token=foreign))
    assert response.status_code == 400
    assert db.scalar(select(User)) is None


def test_a_forged_token_is_refused(client):
    client.get("/register")
    assert client.post("/register", data=registration(csrf_token="forged.token.value")).status_code == 400


def test_a_token_signed_with_an_old_secret_key_is_refused(app_config, client):
    old_app = create_app({**app_config, "SECRET_KEY": "a different key"})
    old_app.test_client_class = Client
    old_token = old_app.test_client().csrf_token("/register")
    client.get("/register")
    assert client.post("/register", data=registration(csrf_token=old_token)).status_code == 400


def test_security_headers_on_every_response(client):
    for path in ("/", "/login", "/no-such-page", "/healthz"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_pages_carry_no_inline_script(client, learner_client):
    for c, path in ((client, "/"), (client, "/login"), (client, "/register"), (learner_client, "/dashboard")):
        html = c.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " onclick=" not in html and " style=" not in html


def test_signed_in_pages_are_not_cached(learner_client, client):
    assert learner_client.get("/dashboard").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("academy_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on a laptop


def test_session_cookie_is_secure_when_the_site_is_https(app_config, make_user, monkeypatch):
    monkeypatch.setenv("ACADEMY_BASE_URL", "https://academy.example.com")
    app = create_app({k: v for k, v in app_config.items() if k != "BASE_URL"})
    app.test_client_class = Client
    client = app.test_client()
    user = make_user()
    https = "https://academy.example.com"
    page = client.get("/login", base_url=https).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                           base_url=https, headers={"Referer": f"{https}/login"})
    assert response.status_code == 302
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("academy_session="))
    assert "Secure" in cookie


def test_repeated_failed_sign_ins_to_one_account_are_throttled(client, make_user):
    user = make_user()
    statuses = [client.submit("/login", {"email": user.email, "password": f"wrong guess {i}"}).status_code
                for i in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "wait a minute" in response.get_data(as_text=True)


def test_successful_sign_ins_do_not_use_up_the_account_limit(app, make_user):
    user = make_user()
    for _ in range(7):
        c = app.test_client()
        assert c.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(client):
    statuses = [client.submit("/login", {"email": f"user{i}@example.com", "password": "wrong guess!!"}).status_code
                for i in range(31)]
    assert 429 in statuses and statuses[0] == 200


def test_throttling_is_shared_through_redis_across_app_instances(app_config, make_user):
    """Two workers (here two app instances) share the limit when the storage is Redis."""
    import redis
    redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()
    config = {**app_config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"}
    workers = []
    for _ in range(2):
        worker = create_app(config)
        worker.test_client_class = Client
        workers.append(worker.test_client())
    user = make_user()
    statuses = [workers[i % 2].submit("/login", {"email": user.email, "password": f"wrong {i} guess"}).status_code
                for i in range(6)]
    assert statuses[-1] == 429


def test_oversized_requests_get_a_413_page(client):
    response = client.post("/login", data={"email": "a" * (9 * 1024 * 1024)})
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)


@pytest.fixture
def exploding_app(app_config):
    bp = Blueprint("explode", __name__)

    @bp.route("/explode")
    @public
    def explode():
        raise RuntimeError("secret internal detail")

    app = create_app(app_config)
    app.register_blueprint(bp)
    return app


def test_unexpected_errors_show_a_reference_not_a_stack_trace(exploding_app, caplog):
    response = exploding_app.test_client().get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    reference = re.search(r"<code>([0-9A-F]{8})</code>", page).group(1)
    assert "secret internal detail" not in page and "Traceback" not in page
    assert reference in caplog.text and "secret internal detail" in caplog.text


@pytest.mark.parametrize(("path", "code", "title"), [
    ("/no-such-page", 404, "Page not found"),
])
def test_error_pages_use_the_site_layout(client, path, code, title):
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert title in page and 'class="site-header"' in page and "Reference" in page


def test_learners_get_a_403_page_for_admin_pages(learner_client):
    response = learner_client.get("/admin/users")
    assert response.status_code == 403
    assert "does not have access" in response.get_data(as_text=True)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(app_config, make_user):
    from academy.db import session_scope
    from academy.models import AuditEvent

    app = create_app({**app_config, "PROXY_COUNT": 1})
    app.test_client_class = Client
    client = app.test_client()
    token = client.csrf_token("/login")
    client.post("/login", data={"email": "x@example.com", "password": "wrong guess here", "csrf_token": token},
                headers={"X-Forwarded-For": "203.0.113.9"})
    with session_scope(app) as session:
        assert session.scalar(select(AuditEvent.ip).where(AuditEvent.action == "auth.sign_in_failed")) == "203.0.113.9"
