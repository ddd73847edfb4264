"""When the database goes away: 503 with Retry-After, then recovery without a restart."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from academy import create_app
from academy import migrate as migrations
from tests.conftest import PASSWORD, Client

from .tcp_proxy import TcpProxy

PG_SERVER = os.environ.get("ACADEMY_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def proxied_postgres():
    """A scratch PostgreSQL database reached through a proxy the test can cut."""
    name = f"academy_outage_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server = make_url(PG_SERVER)
    proxy = TcpProxy((server.host or "127.0.0.1", server.port or 5432))
    proxy.start()
    url = server.set(database=name, host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    engine = create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    yield proxy, url
    proxy.cut()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_database_outage_gives_503_then_recovers_without_restart(proxied_postgres, app_config):
    proxy, url = proxied_postgres
    app = create_app({**app_config, "DATABASE_URL": url})
    app.test_client_class = Client
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "ops@example.com", "--name", "Ops", "--password-stdin"],
                  input=PASSWORD + "\n")
    client = app.test_client()
    assert client.submit("/login", {"email": "ops@example.com", "password": PASSWORD}).status_code == 302
    assert client.get("/healthz").status_code == 200

    proxy.cut()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"]
    assert health.get_json()["status"] == "unavailable"
    page = client.get("/dashboard")
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "cannot reach its database" in page.get_data(as_text=True)

    proxy.start()  # the database is back on the same address
    assert client.get("/healthz").status_code == 200
    assert client.get("/dashboard").status_code == 200


def test_unreachable_database_at_start_still_answers_503(app_config):
    app = create_app({**app_config, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    response = app.test_client().get("/login")
    assert response.status_code == 200  # pages that need no database still work
