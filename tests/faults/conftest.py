"""Fault tests: the real app under gunicorn while its database locks up, vanishes or a worker dies.

Each test starts its own server (``serve``), because breaking things is the point. They are all
marked ``slow`` and run on one xdist worker (group "faults") so two of them never fight over the
two CPUs while one of them is timing a burst.

The hooks for the quiz engine: ``Submission`` (one prepared form post, CSRF token included),
``tests.support.load.burst_with_worker_kill`` and ``all_at_once``. The registration tests in
test_worker_kill.py show the pattern; a quiz version prepares learners with an attempt each and
checks the attempts table instead of the users table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.http import HttpClient, Response
from harness.live_server import REPO, LiveSite, migrated_sqlite
from harness.postgres import PrivateCluster

LOGS = REPO / "test-artifacts" / "logs"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.xdist_group("faults"))


def visitor_ip(n: int) -> str:
    """A distinct loopback address per visitor (127.0.1.1, 127.0.1.2, ...), so per-IP rate limits
    treat a burst as many people, as they would be in production."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


@pytest.fixture
def serve(tmp_path, request) -> Iterator[Callable[..., LiveSite]]:
    """Factory: ``serve(database_url=None, workers=2, sync_content=False)`` starts gunicorn (a fresh
    SQLite database unless a URL is given) and returns the site; every server is stopped after the
    test. Pass ``sync_content=True`` when the test needs the courses and quizzes loaded."""
    with ExitStack() as stack:
        count = 0

        def start(database_url: str | None = None, *, workers: int = 2, sync_content: bool = False,
                  **options) -> LiveSite:
            nonlocal count
            count += 1
            root = tmp_path / f"site{count}"
            root.mkdir()
            url = database_url or migrated_sqlite(root / "academy.sqlite3")
            site = stack.enter_context(LiveSite.serve(url, root / "instance", workers=workers,
                                                      sync_content=sync_content, **options))
            stack.callback(_keep_log, site, LOGS / f"{request.node.name}-site{count}.log")
            return site

        yield start


def _keep_log(site: LiveSite, path: Path) -> None:
    """Keep what the server logged with the test artefacts (CI uploads them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(site.server.output())


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    """A PostgreSQL server of this test's own, which it may stop and start (never the shared one)."""
    with PrivateCluster() as cluster:
        yield cluster


@dataclass
class Submission:
    """One form ready to post from its own visitor: the client already holds the page's CSRF token."""

    client: HttpClient
    path: str
    form: dict

    def send(self) -> Response:
        return self.client.post(self.path, self.form)


def prepare_submission(site: LiveSite, path: str, form: dict, *, visitor: int, page: str | None = None,
                       timeout: float = 30) -> Submission:
    client = HttpClient(site.base_url, source_ip=visitor_ip(visitor), timeout=timeout)
    token = client.csrf_token(page or path)
    return Submission(client, path, {**form, "csrf_token": token})


REGISTRATION_PASSWORD = "Escalated to the supplier at 11:20"


def registration(site: LiveSite, n: int, *, email: str | None = None) -> Submission:
    """A prepared registration form for visitor ``n`` (answered "check your inbox" when it worked)."""
    return prepare_submission(site, "/register", {
        "name": f"Burst Learner {n}", "email": email or f"burst{n}@example.com",
        "password": REGISTRATION_PASSWORD, "confirm": REGISTRATION_PASSWORD, "join_code": "",
    }, visitor=n)


def finishing(site: LiveSite, n: int, link: str) -> Submission:
    """The emailed sign-up link's button, pressed by visitor ``n`` (another browser: it types the password)."""
    return prepare_submission(site, link, {"password": REGISTRATION_PASSWORD}, visitor=n)
