"""Shared fixtures: a fresh migrated database per test, on SQLite or (when
ACADEMY_TEST_DATABASE_URL is set) on PostgreSQL, and factories for people and signed-in clients.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

os.environ.setdefault("ACADEMY_SECRET_KEY", "test-secret-key-not-for-production")

from academy import create_app  # noqa: E402
from academy import migrate as migrations  # noqa: E402
from academy.db import session_scope  # noqa: E402
from academy.models import Role, User  # noqa: E402
from academy.services import accounts  # noqa: E402
from tests.support.content_tree import ContentTree  # noqa: E402

# Property tests check behaviour, never speed: a per-example deadline fails on a busy machine (CI shares
# two cores with Chromium and gunicorn), so no example has one; derandomised under CI for repeatable runs.
settings.register_profile("academy", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=os.environ.get("CI") == "true")
settings.load_profile("academy")

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "Bridge opened at 09:42, all hands"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database for this test worker: a SQLite file to copy, or a PostgreSQL URL."""
    pg_url = os.environ.get("ACADEMY_TEST_DATABASE_URL")
    if pg_url:
        name = f"academy_test_{_worker()}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        engine = create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        yield ("postgresql", url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        engine = create_engine(f"sqlite:///{path}")
        migrations.upgrade(engine)
        engine.dispose()
        yield ("sqlite", path)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path) -> str:
    """A URL to a database with the full schema and no rows."""
    kind, value = database_template
    if kind == "postgresql":
        _truncate_all(value)
        return value
    path = tmp_path / "academy.sqlite3"
    shutil.copyfile(value, path)
    return f"sqlite:///{path}"


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """An empty content root (courses/ and quizzes/) for tests that write their own content."""
    root = tmp_path / "content"
    (root / "courses").mkdir(parents=True)
    (root / "quizzes").mkdir()
    return root


@pytest.fixture
def app_config(database_url, content_dir, tmp_path) -> dict:
    """Test settings; a test may change them before asking for ``app``."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "CONTENT_DIR": content_dir,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SIGNING_KEY_DIR": tmp_path / "keys",
        "BASE_URL": "http://localhost",
        "PROXY_COUNT": 0,
    }


class Client(FlaskClient):
    """A test client that can submit forms the way a browser does: CSRF token included."""

    def csrf_token(self, page: str) -> str:
        response = self.get(page)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page} (status {response.status_code})"
        return match.group(1)

    def submit(self, path: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        """POST ``data`` to ``path`` with the CSRF token from ``page`` (default: ``path``)."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(page or path))
        return self.post(path, data=payload, **kwargs)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = Client
    yield app
    app.extensions["academy.engine"].dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A database session outside any request, for arranging and checking state.

    No app context is pushed: requests made meanwhile must get their own ``g``, as in production.
    """
    with session_scope(app) as session:
        yield session


@pytest.fixture
def make_user(app):
    """Factory: ``make_user(role="learner", email=None, name=None, password=PASSWORD)``."""
    counter = iter(range(1, 10_000))

    def _make(role: str = Role.LEARNER, *, email: str | None = None, name: str | None = None,
              password: str = PASSWORD, organisation_id: int | None = None) -> User:
        n = next(counter)
        with session_scope(app) as session:
            return accounts.create_user(session, email=email or f"{role}{n}@example.com",
                                        name=name or f"Test {role.title()} {n}", password=password,
                                        role=role, organisation_id=organisation_id)
    return _make


@pytest.fixture
def sign_in(app):
    """Factory: a new client signed in as ``user`` through the real sign-in form."""
    def _sign_in(user: User, password: str = PASSWORD) -> Client:
        c = app.test_client()
        response = c.submit("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c
    return _sign_in


@pytest.fixture
def client_as(make_user, sign_in):
    """Factory: a client signed in as a new user of ``role``; the user is ``client.user``."""
    def _client_as(role: str = Role.LEARNER, **kwargs) -> Client:
        user = make_user(role, **kwargs)
        c = sign_in(user)
        c.user = user
        return c
    return _client_as


@pytest.fixture
def learner_client(client_as):
    return client_as(Role.LEARNER)


@pytest.fixture
def instructor_client(client_as):
    return client_as(Role.INSTRUCTOR)


@pytest.fixture
def admin_client(client_as):
    return client_as(Role.ADMIN)


@pytest.fixture
def course_tree(content_dir):
    """The content root as a :class:`tests.support.content_tree.ContentTree` (empty until written)."""
    return ContentTree(content_dir)
