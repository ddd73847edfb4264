"""The per-worker cache of login sessions (services/login_cache.py): no query per request, and
sign-out, password change, deactivation and role changes effective at once on the host that made
them and within ACADEMY_SESSION_RECHECK_SECONDS on every other host.

"Another host" is a second app on the same database: its own cache, told nothing by the first.
Time is moved on by replacing the cache's clock; nothing sleeps.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event

from academy import create_app
from academy.models import Role
from tests.conftest import PASSWORD, Client

COOKIE = "academy_session"
NEW_PASSWORD = "A brand new passphrase for 2026"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocks(app):
    """The clock of ``app``'s login cache (host A), under the test's control."""
    clock = Clock()
    app.extensions["academy.login_cache"].clock = clock
    return clock


@pytest.fixture
def other_host(app_config):
    """Host B: another app (another worker, another server) on the same database, with its own clock."""
    other = create_app(app_config)
    other.test_client_class = Client
    clock = Clock()
    other.extensions["academy.login_cache"].clock = clock
    other.clock = clock
    yield other
    other.extensions["academy.engine"].dispose()


def on_host(host, client) -> Client:
    """A client of ``host`` carrying ``client``'s session cookie (the same browser, load-balanced there)."""
    moved = host.test_client()
    moved.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return moved


def login_session_reads(app) -> list[str]:
    """Statements ``app`` sends to the login_sessions table from now on."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if "FROM login_sessions" in statement:
            seen.append(statement)
    event.listen(app.extensions["academy.engine"], "before_cursor_execute", note)
    return seen


def test_a_signed_in_page_reads_the_login_session_once_per_recheck_interval(app, clocks, learner_client):
    reads = login_session_reads(app)
    for _ in range(3):
        assert learner_client.get("/dashboard").status_code == 200
    assert len(reads) == 1
    clocks.now += 30
    assert learner_client.get("/dashboard").status_code == 200
    assert len(reads) == 2


def test_sign_out_applies_at_once_on_this_host(app, clocks, learner_client):
    assert learner_client.get("/dashboard").status_code == 200  # cached now
    stolen = learner_client.get_cookie(COOKIE).value
    learner_client.submit("/logout", {}, page="/dashboard")
    learner_client.set_cookie(COOKIE, stolen)  # the cookie replayed, on the same host, at once
    response = learner_client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_on_one_host_applies_on_another_within_the_bound(app, clocks, other_host, learner_client):
    elsewhere = on_host(other_host, learner_client)
    assert elsewhere.get("/dashboard").status_code == 200  # host B has it cached
    learner_client.submit("/logout", {}, page="/dashboard")  # signed out on host A
    other_host.clock.now += 29  # within the bound, host B has not asked again yet
    assert elsewhere.get("/dashboard").status_code == 200
    other_host.clock.now += 1  # the bound: host B asks the database and learns of the sign-out
    response = elsewhere.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_signs_out_other_hosts_within_the_bound(app, clocks, other_host, make_user, sign_in):
    user = make_user()
    laptop, phone = sign_in(user), sign_in(user)
    phone_elsewhere = on_host(other_host, phone)
    assert phone_elsewhere.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 200  # cached on host A too
    response = laptop.submit("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert phone.get("/dashboard").status_code == 302  # host A: at once
    other_host.clock.now += 30
    assert phone_elsewhere.get("/dashboard").status_code == 302  # host B: within the bound
    assert laptop.get("/dashboard").status_code == 200  # the device that changed it carries on


def test_deactivation_and_role_change_apply_at_once_here_and_within_the_bound_elsewhere(
        app, clocks, other_host, admin_client, client_as):
    instructor = client_as(Role.INSTRUCTOR)
    elsewhere = on_host(other_host, instructor)
    assert instructor.get("/author/").status_code == 200
    assert elsewhere.get("/author/").status_code == 200
    page = f"/admin/users/{instructor.user.id}"
    admin_client.submit(f"{page}/role", {"role": "learner"}, page=page)
    assert instructor.get("/author/").status_code == 403  # this host: at once
    assert elsewhere.get("/author/").status_code == 200  # host B, within the bound: not yet
    other_host.clock.now += 30
    assert elsewhere.get("/author/").status_code == 403
    admin_client.submit(f"{page}/deactivate", {}, page=page)
    assert instructor.get("/dashboard").status_code == 302
    other_host.clock.now += 30
    assert elsewhere.get("/dashboard").status_code == 302


def test_a_recheck_interval_of_zero_asks_the_database_every_time(app_config, make_user):
    app_config["SESSION_RECHECK_SECONDS"] = 0
    host_a, host_b = create_app(app_config), create_app(app_config)
    try:
        for host in (host_a, host_b):
            host.test_client_class = Client
        user = make_user()
        here = host_a.test_client()
        assert here.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
        elsewhere = on_host(host_b, here)
        assert elsewhere.get("/dashboard").status_code == 200
        reads = login_session_reads(host_b)
        elsewhere.get("/dashboard")
        elsewhere.get("/dashboard")
        assert len(reads) == 2
        here.submit("/logout", {}, page="/dashboard")
        assert elsewhere.get("/dashboard").status_code == 302  # no clock moved: at once
        assert len(host_b.extensions["academy.login_cache"]) == 0
    finally:
        for host in (host_a, host_b):
            host.extensions["academy.engine"].dispose()


def test_a_cached_entry_never_outlives_the_absolute_session_limit(app, clocks, learner_client):
    assert learner_client.get("/dashboard").status_code == 200  # cached
    cache = app.extensions["academy.login_cache"]
    (token_hash, entry), = cache._items.items()
    # As if the session had begun longer ago than SESSION_MAX_HOURS (12): refused from the cache.
    cache._items[token_hash] = replace(entry, created_at=entry.created_at - timedelta(hours=13))
    response = learner_client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_change_to_your_own_account_shows_at_once_on_every_host(app, clocks, other_host, learner_client):
    """Each gunicorn worker has its own cache: a learner who corrects their name on one worker must not
    see the old name on the next page because another worker answers it (the cookie's account
    revision changes, so the other host's entry no longer counts)."""
    on_b = on_host(other_host, learner_client)
    assert on_b.get("/account").status_code == 200  # host B caches the session and the old name
    learner_client.submit("/account/name", {"name-name": "Zoë Renamed"}, page="/account")
    assert "Zoë Renamed" in on_host(other_host, learner_client).get("/account").get_data(as_text=True)
