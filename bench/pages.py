"""What `make bench` measures. Adding a page or a timing is one entry in ``PAGES`` or ``TIMINGS``.

A ``Page`` is hammered by wrk (throughput, latency percentiles) and probed once for its SQL query
count; its throughput is reported as a ratio of the bare baseline route on the same server.
A ``Timing`` is a one-off job (an export of 100,000 records, say) measured for wall time and peak
memory; its ``run`` receives the ``BenchSite`` and returns a ``TimingResult``, usually through
``time_download`` (a request served by a worker) or ``time_command`` (a ``flask`` CLI command).

Examples of entries to add as the features land::

    Page("module page (signed in)", lambda s: f"/learn/{s.course}/01-introduction", signed_in=True),
    Page("verification page", lambda s: f"/verify/{s.certificate_code}"),
    Page("quiz submission", "/quiz/.../submit", method="POST", body=lambda s: s.quiz_form, signed_in=True),
    Timing("export 100,000 records (CSV)", lambda s: time_download(s, "/admin/exports/certificates.csv")),
    Timing("export 100,000 records (CLI, XLSX)",
           lambda s: time_command(s, "certificates", "export", "--format", "xlsx", "-o", "/dev/null")),

``BenchSite`` (bench/__main__.py) holds what a path may need: the signed-in cookie, the seeded data.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from sqlalchemy import func, insert, select

from academy.models import Attempt, Certificate, Course, OrganisationManager, Role, User, utcnow
from academy.services import accounts, assignments, progress
from academy.services.actors import Actor
from harness.attempts import StartedAttempt, start_attempt
from harness.http import HttpClient

if TYPE_CHECKING:
    from .__main__ import BenchSite

PathSpec = str | Callable[["BenchSite"], str]


@dataclass(frozen=True)
class Page:
    name: str
    #: The path, or a function of the site returning it (for ids, codes and slugs from the seed).
    path: PathSpec
    signed_in: bool = False
    method: str = "GET"
    #: A form body for POSTs (or a function of the site returning one).
    body: PathSpec | None = None
    #: The status a correct response has; anything else means the page is broken, not slow.
    status: int = 200
    #: The yardstick the others are divided by (exactly one page has it).
    baseline: bool = False
    #: Served by the separate minimal Flask app (bench/bare.py), not by the product.
    bare: bool = False
    #: Send each request from a different (forwarded) address, for pages rate-limited per IP that
    #: wrk, from one address, would otherwise measure as a stream of 429s.
    spread_ips: bool = False

    def resolve(self, value: PathSpec | None, site: BenchSite) -> str | None:
        return value(site) if callable(value) else value


@dataclass(frozen=True)
class TimingResult:
    seconds: float
    peak_rss_mb: float
    detail: str = ""


@dataclass(frozen=True)
class Timing:
    name: str
    run: Callable[[BenchSite], TimingResult]


FLAGSHIP = "/courses/mim-service-models"
SUBMIT_PASSWORD = "Bench learners submit quizzes"  # noqa: S105 (scratch accounts on a scratch database)


def _module_page(site: BenchSite) -> str:
    """The flagship course's first module; opening it once enrols the bench learner (a redirect)."""
    path = f"{FLAGSHIP}/what-is-a-major-incident"
    site.client(signed_in=True).get(path)
    return path


def _verification_page(site: BenchSite) -> str:
    """A live certificate from the seed (``flask demo seed`` issues some)."""
    with site.live.session() as db:
        code = db.scalar(select(Certificate.code).where(Certificate.revoked_at.is_(None))
                         .order_by(Certificate.expires_at.desc()).limit(1))
    if code is None:
        raise RuntimeError("the seed issued no certificate to verify")
    return f"/verify/{code}"


MANAGED_PEOPLE = 5000


def _managed_organisation(site: BenchSite) -> int:
    """A 5,000-person organisation managed by the bench learner, with the flagship course assigned to all."""
    if "managed_organisation" not in site.facts:
        with site.live.session() as db:
            org = accounts.create_organisation(db, f"Bench Co {site.backend}")
            now = utcnow()
            db.execute(insert(User), [{"email": f"bench.member{n}@example.com", "name": f"Member {n:05d}",
                                       "password_hash": "!", "role": Role.LEARNER.value, "active": True,
                                       "organisation_id": org.id, "created_at": now}
                                      for n in range(MANAGED_PEOPLE)])
            db.add(OrganisationManager(organisation_id=org.id, user_id=site.learner.id))
            db.commit()
            assignments.assign(db, org.id, FLAGSHIP.rsplit("/", 1)[1], due_days=30, actor=Actor(site.learner.id))
            site.facts["managed_organisation"] = org.id
    return site.facts["managed_organisation"]


PAGES: list[Page] = [
    # The yardstick: a separate minimal Flask app under the same gunicorn settings, answering a
    # constant body as large as the module page (bench/bare.py).
    Page("bare Flask app (separate process)", lambda s: f"/{s.facts.get('module_page_bytes', 15 * 1024)}",
         baseline=True, bare=True),
    # The product's own constant route: what the app's request hooks alone cost, against the line above.
    Page("in-app constant route (app hooks only)", "/_bench/baseline"),
    Page("/healthz", "/healthz"),
    Page("sign-in page", "/login"),
    Page("dashboard (signed in)", "/dashboard", signed_in=True),
    Page("catalogue", "/courses"),
    Page("course page", FLAGSHIP),
    Page("module page (signed in)", _module_page, signed_in=True),
    Page("verification page", _verification_page, spread_ips=True),
    Page("manager matrix, 5,000 people (page 1)", lambda s: f"/manage/{_managed_organisation(s)}", signed_in=True),
    Page("manager matrix, 5,000 people (status filter)",
         lambda s: f"/manage/{_managed_organisation(s)}?status=not-started", signed_in=True),
]


# --- quiz submissions -----------------------------------------------------------------------------

#: The flagship course's quizzes a learner can start and submit in one form (no branching
#: simulation to walk first, no final exam with its attempt limit).
SUBMIT_QUIZZES = ("what-is-a-major-incident", "procedure-and-roles", "choosing-a-model", "in-house-models",
                  "msp-models", "suppliers-and-siam")
SUBMIT_LEARNERS = 100
SUBMIT_CONCURRENCY = 16
SUBMIT_LUA = Path(__file__).with_name("submit.lua")


def _visitor_ip(n: int) -> str:
    return f"127.0.{2 + n // 250}.{1 + n % 250}"


def time_quiz_submissions(site: BenchSite, *, learners: int = SUBMIT_LEARNERS,
                          concurrency: int = SUBMIT_CONCURRENCY) -> TimingResult:
    """Quiz submissions per second through HTTP: ``learners`` signed-in learners each start every
    quiz in ``SUBMIT_QUIZZES`` first (not timed); then all those attempts are submitted, complete,
    ``concurrency`` at a time, and the wall time of that burst is the figure. Each submission grades
    the attempt and stores its answers (and, on a pass, progress and certification)."""
    course = FLAGSHIP.rsplit("/", 1)[1]
    password_hash = accounts._hash_password(SUBMIT_PASSWORD)
    with site.live.session() as db:
        course_id = db.scalar(select(Course.id).where(Course.slug == course))
        users = [User(email=f"bench.quiz{n}@example.com", name=f"Quiz Learner {n}", password_hash=password_hash,
                      role=Role.LEARNER.value) for n in range(learners)]
        db.add_all(users)
        db.commit()
        for user in users:
            progress.enrol(db, user.id, course_id)
        db.commit()
        emails = [u.email for u in users]

    def prepare(n: int) -> list[StartedAttempt]:
        client = HttpClient(site.live.base_url, source_ip=_visitor_ip(n), timeout=60)
        client.sign_in(emails[n], SUBMIT_PASSWORD)
        return [start_attempt(client, course, quiz, answers={}) for quiz in SUBMIT_QUIZZES]

    with ThreadPoolExecutor(max_workers=8) as pool:
        attempts = [a for started in pool.map(prepare, range(learners)) for a in started]

    # The load generator is wrk (C, with bench/submit.lua), not Python: each attempt is one line of
    # a file (path, cookie, body) and wrk posts each once, so the client is not the bottleneck; its
    # CPU time is measured and reported beside the rate.
    lines = []
    for attempt in attempts:
        cookie = "; ".join(f"{k}={v}" for k, v in attempt.client.cookies.items())
        lines.append(f"{attempt.path}\t{cookie}\t{urlencode(attempt.form, doseq=True)}")
    spool = Path(tempfile.mkstemp(prefix="academy-attempts-", suffix=".tsv")[1])
    spool.write_text("\n".join(lines) + "\n")
    threads = 1  # one wrk thread: see the note at the top of bench/submit.lua
    for pid in _worker_pids(site):
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    tokens = [a.token for a in attempts]

    def submitted() -> tuple[int, datetime | None]:
        with site.live.session() as db:
            return db.execute(select(func.count(), func.max(Attempt.submitted_at))
                              .where(Attempt.token.in_(tokens), Attempt.submitted_at.is_not(None))).one()

    # wrk runs for its whole -d even when every thread has stopped, so the burst is timed from the
    # moment wrk starts to the last submission the database recorded; wrk is stopped (SIGINT) once
    # all are in, after which it prints its summary.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = datetime.now(UTC)
    wrk = subprocess.Popen(["wrk", f"-t{threads}", f"-c{concurrency}", "-d300s", "--timeout", "30s",
                            "-s", str(SUBMIT_LUA), site.live.url("/")],
                           env={**os.environ, "BENCH_ATTEMPTS": str(spool), "BENCH_THREADS": str(threads)},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 280
    try:
        while time.monotonic() < deadline and wrk.poll() is None:
            time.sleep(0.2)
            if submitted()[0] == len(attempts):
                break
    finally:
        wrk.send_signal(signal.SIGINT)
        out, err = wrk.communicate(timeout=60)
        spool.unlink()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH_SUBMIT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out}\n{err}")
    count, last = submitted()
    seconds = max((last - started).total_seconds(), 0.001) if last is not None else float("nan")
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = max(_peak_rss_kb(pid) for pid in _worker_pids(site))
    failed = len(attempts) - count
    posted = json.loads(line.split(" ", 1)[1])
    if "WORKER TIMEOUT" in site.live.server.output():
        log_tail = site.live.server.output()[-2000:]
        print(f"[bench] gunicorn timed a worker out during the submissions:\n{log_tail}", file=sys.stderr)
    detail = (f"{len(attempts) / seconds:,.0f} submissions/s: {len(attempts)} attempts ({learners} learners × "
              f"{len(SUBMIT_QUIZZES)} quizzes) posted by wrk (bench/submit.lua), {concurrency} connections; "
              f"{posted['requests']} requests, {posted['failed_answers']} answered other than with a result page; "
              f"client (wrk) CPU {client_cpu:.2f} s = {100 * client_cpu / seconds:.0f}% of one core"
              + (f"; **{failed} not submitted**" if failed else ""))
    return TimingResult(seconds, peak / 1024, detail)


EXPORT_FORMATS = ("csv", "json", "xlsx")


def time_export_script(site: BenchSite, fmt: str = "csv", records: int = 100_000) -> TimingResult:
    """``python -m bench.exports`` on this backend (its own scratch database, filled with ``records``
    certificates first, not timed), run once for every format in :data:`EXPORT_FORMATS`: the format's
    wall time and its peak of Python allocations (tracemalloc, a separate run), as docs/exports.md reports them."""
    key = f"exports-{records}"
    if key not in site.facts:
        env = {**os.environ, "ACADEMY_BENCH_POSTGRES": site.facts.get("postgres_url", "")}
        if not env["ACADEMY_BENCH_POSTGRES"]:
            env.pop("ACADEMY_BENCH_POSTGRES")
        done = subprocess.run([sys.executable, "-m", "bench.exports", "--records", str(records), "--formats",
                               ",".join(EXPORT_FORMATS), "--backend", site.backend], env=env, capture_output=True,
                              text=True, check=True, timeout=900)
        site.facts[key] = {line.split()[0]: line for line in done.stdout.splitlines()
                           if line.split() and line.split()[0] in EXPORT_FORMATS}
    seconds, size, peak = (float(v.rstrip("sMB")) for v in site.facts[key][fmt].split()[1:4])
    return TimingResult(seconds, peak, f"{size:.1f} MB; memory is the Python allocation peak (tracemalloc)")


TIMINGS: list[Timing] = [
    Timing("quiz submission (HTTP, signed in, distinct attempts)", time_quiz_submissions),
    Timing("export 100,000 records (CSV, `python -m bench.exports`)", time_export_script),
    Timing("export 100,000 records (JSON Lines)", lambda s: time_export_script(s, "json")),
    Timing("export 100,000 records (XLSX)", lambda s: time_export_script(s, "xlsx")),
]


# --- helpers for timings -----------------------------------------------------------------------

def _worker_pids(site: BenchSite) -> list[int]:
    return site.live.server.worker_pids()


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def time_download(site: BenchSite, path: str, *, signed_in: bool = True) -> TimingResult:
    """Fetch ``path`` once, reading the body as it streams; wall time and the serving worker's peak RSS.

    Each worker's peak (VmHWM) is reset first (``/proc/<pid>/clear_refs``), so the figure is the
    peak during this request, not since the worker started.
    """
    for pid in _worker_pids(site):
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    client = site.client(signed_in=signed_in)
    started = time.perf_counter()
    response = client.get(path, timeout=600)
    seconds = time.perf_counter() - started
    peak = max(_peak_rss_kb(pid) for pid in _worker_pids(site))
    return TimingResult(seconds, peak / 1024, f"status {response.status}, {len(response.text.encode()) / 1e6:.1f} MB")


def time_command(site: BenchSite, *flask_args: str) -> TimingResult:
    """Run ``flask --app app ARGS`` against the benchmark database; wall time and the process's peak RSS."""
    # A wrapper process, so RUSAGE_CHILDREN's maximum is this one command's and nothing else's.
    wrapper = ("import resource, subprocess, sys, json\n"
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "print(json.dumps({'rc': r.returncode, 'err': r.stderr[-500:], "
               "'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
    flask = str(Path(sys.executable).parent / "flask")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, flask, "--app", "app", *flask_args],
                          env={**os.environ, **site.live.server.env}, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise RuntimeError(f"flask {' '.join(flask_args)} failed: {result['err']}")
    return TimingResult(seconds, result["rss"] / 1024)
