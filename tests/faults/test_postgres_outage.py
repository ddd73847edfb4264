"""PostgreSQL goes away under load and comes back: 503 with Retry-After meanwhile, recovery without a restart.

The test runs its own PostgreSQL cluster (``private_postgres``) so it can stop it; the shared
server on 5432 is never touched.
"""

from __future__ import annotations

import time
from collections import Counter

from harness.http import HttpClient
from harness.live_server import migrate
from harness.postgres import scratch_database
from tests.support.load import Outcome, burst

from .conftest import visitor_ip

DOWN_FOR = 3.0  # seconds of outage, under a steady stream of requests
#: A request slower than this hung: psycopg's connect timeout is 3 s and the pool's wait 5 s.
HANG = 10.0


def test_pages_answer_503_while_postgresql_is_down_and_recover_without_restarting_gunicorn(serve, private_postgres):
    with scratch_database(private_postgres.url()) as url:
        migrate(url)
        site = serve(url)
        learner = site.create_user("learner")
        signed_in = HttpClient(site.base_url, timeout=HANG)
        signed_in.sign_in(learner.email, learner.password)
        anonymous = HttpClient(site.base_url, timeout=HANG)
        # Sign-in attempts come from many visitors and addresses, so the per-IP and per-account limits
        # (which count failures, 503s included) stay out of the way.
        sign_in_forms = []
        for n in range(60):
            client = HttpClient(site.base_url, source_ip=visitor_ip(n), timeout=HANG)
            sign_in_forms.append((client, {"password": "wrong password!", "csrf_token": client.csrf_token("/login")}))
        master, workers = site.server.master_pid, site.server.worker_pids()

        def round_of_requests(n: int):
            client, form = sign_in_forms[n % len(sign_in_forms)]
            form = {**form, "email": f"visitor{n}@example.com"}
            return [
                lambda: ("healthz", anonymous.get("/healthz")),
                lambda: ("dashboard", signed_in.get("/dashboard")),
                lambda: ("sign-in", client.post("/login", form)),
            ]

        before = burst([call for n in range(10) for call in round_of_requests(n)], concurrency=6)
        assert _statuses(before) == {("healthz", 200), ("dashboard", 200), ("sign-in", 200)}

        private_postgres.stop()
        during: list[Outcome] = []
        stopped, n = time.monotonic(), 10
        while time.monotonic() - stopped < DOWN_FOR:
            during += burst(round_of_requests(n), concurrency=3)
            n += 1
        private_postgres.start()

        failures = [o for o in during if not o.ok]
        assert not failures, f"requests failed instead of answering: {[repr(o.error) for o in failures[:5]]}"
        slowest = max(o.elapsed for o in during)
        assert slowest < HANG, f"a request took {slowest:.1f}s while the database was down"
        statuses = _statuses(during)
        assert statuses == {("healthz", 503), ("dashboard", 503), ("sign-in", 503)}, Counter(
            (name, r.status) for name, r in (o.result for o in during))
        assert all(r.header("Retry-After") for _, r in (o.result for o in during))
        assert all("Temporarily unavailable" in r.text for name, r in (o.result for o in during)
                   if name != "healthz")

        _wait_until_healthy(anonymous, timeout=20)
        after = burst([call for n in range(10) for call in round_of_requests(n)], concurrency=6)
        assert _statuses(after) == {("healthz", 200), ("dashboard", 200), ("sign-in", 200)}
        assert signed_in.get("/dashboard").status == 200, "the session survived the outage"
        assert site.server.master_pid == master and site.server.worker_pids() == workers, \
            "gunicorn or a worker was restarted"
        site.server.stop()


def _statuses(outcomes: list[Outcome]) -> set[tuple[str, int]]:
    assert all(o.ok for o in outcomes), [repr(o.error) for o in outcomes if not o.ok][:5]
    return {(name, response.status) for name, response in (o.result for o in outcomes)}


def _wait_until_healthy(client: HttpClient, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = client.get("/healthz").status
        if status == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"/healthz still {status} {timeout}s after PostgreSQL came back")
