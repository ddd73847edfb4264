"""Browser tests: the system Chromium (headless) driving the real app under gunicorn.

One gunicorn serves the whole test session (``site``: a migrated SQLite database in a tmp dir,
content synced when ``flask content sync`` exists); each test gets a fresh browser context, so
cookies never leak between tests. Every test here runs on one xdist worker (group "browser").

Adding a journey::

    pytestmark = pytest.mark.browser

    def test_learner_reads_the_first_module(page, sign_in_as, shoot):
        sign_in_as("learner")                   # a new learner, signed in through the sign-in form
        page.goto("/courses/mim-service-models")
        page.get_by_role("link", name="Start").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("...")
        shoot(page, "module")                   # test-artifacts/screenshots/module.png

Arrange state directly rather than through the UI when the UI is not what the test is about:
``site.create_user(role)`` (database) or ``site.create_user(role, via="cli")``, ``site.flask(...)``,
``site.session()``. Use Playwright's auto-waiting ``expect``; never sleep.

Each browser context is a visitor of its own: the site trusts one proxy (ACADEMY_PROXY_COUNT=1)
and every context sends its own X-Forwarded-For address, so the per-address limits on sign-in and
registration count per test, as they count per person in production, not for the whole suite.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from harness.live_server import REPO, Account, LiveSite, migrated_sqlite

from .ui import sign_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOGS = ARTIFACTS / "logs"
#: Generous for a 2-core CI machine running gunicorn, Chromium and another test worker at once.
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Browser tests share one gunicorn and one Chromium: keep them on one xdist worker."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _serve(root: Path, name: str, *, sync_content: bool = True) -> Iterator[LiveSite]:
    url = migrated_sqlite(root / "academy.sqlite3")
    with LiveSite.serve(url, root / "instance", env={"ACADEMY_PROXY_COUNT": "1"},
                        sync_content=sync_content) as site:
        try:
            yield site
        finally:  # what the server logged (warnings, tracebacks) stays with the screenshots
            LOGS.mkdir(parents=True, exist_ok=True)
            (LOGS / f"{name}.log").write_text(site.server.output())


_visitors = itertools.count(1)


def _visitor_address() -> str:
    n = next(_visitors)
    return f"10.{os.getpid() % 250}.{n // 250 % 250}.{n % 250 + 1}"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[LiveSite]:
    """The app under gunicorn (2 workers) on a fresh SQLite database, for the whole session."""
    yield from _serve(tmp_path_factory.mktemp("site"), "gunicorn-browser-site")


@pytest.fixture
def fresh_site(tmp_path, request) -> Iterator[LiveSite]:
    """A second, brand-new installation (empty database, no admin, no content synced yet), for
    first-run journeys only: ``fresh_site.sync_content()`` loads the courses if the journey needs them."""
    yield from _serve(tmp_path, f"gunicorn-{request.node.name}", sync_content=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, site, request) -> Iterator[Callable[..., BrowserContext]]:
    """Factory: a fresh browser context (``site`` is the default base URL; options as Playwright's).

    When the test fails, every open page is saved to test-artifacts/screenshots/failures/.
    """
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        options.setdefault("base_url", site.base_url)
        options.setdefault("locale", "en-GB")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("extra_http_headers", {"X-Forwarded-For": _visitor_address()})
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "report_call", None)
    for n, context in enumerate(contexts):
        if report is not None and report.failed:
            for m, page in enumerate(context.pages):
                _save(page, SCREENSHOTS / "failures" / f"{request.node.name}-{n}-{m}.png")
        context.close()


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


def _save(page: Page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # a closed or crashed page must not hide the test's own failure
        print(f"screenshot {path.name} failed: {exc}")


@pytest.fixture
def shoot() -> Callable[[Page, str], Path]:
    """``shoot(page, "dashboard")`` saves a full-page screenshot as test-artifacts/screenshots/dashboard.png."""
    def save(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        _save(page, path)
        return path
    return save


@pytest.fixture
def create_user(site) -> Callable[..., Account]:
    """Factory: ``create_user(role="learner", via="db"|"cli", email=..., name=..., password=...)``."""
    return site.create_user


@pytest.fixture
def sign_in_as(page, create_user) -> Callable[..., Account]:
    """Factory: create a user of ``role`` and sign ``page`` in as them through the UI; returns the account."""
    def _sign_in_as(role: str = "learner", **kwargs) -> Account:
        account = create_user(role, **kwargs)
        sign_in(page, account)
        return account
    return _sign_in_as
