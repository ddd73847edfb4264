"""`make bench` (``python -m bench``): every page in bench/pages.py, on SQLite and on PostgreSQL.

For each backend: a scratch database (a SQLite file in a temporary directory, or a database
created on the local PostgreSQL server and dropped afterwards), migrated, content synced (when
``flask content sync`` exists) and seeded (``flask demo seed`` when it exists, else learners
inserted directly); gunicorn with 2 workers serving ``bench.wsgi:app`` (the app plus the
baseline route and the X-Query-Count header) and, beside it with the same settings, the bare
yardstick app (bench/bare.py); then each page under wrk (after a warm-up) and each
timing job. Prints a table and writes bench-results/latest.md and latest.json.

    make bench
    make bench BENCH_ARGS="--backends sqlite --duration 5"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("ACADEMY_SECRET_KEY", "bench-secret-key-not-for-production")

from sqlalchemy import create_engine, text  # noqa: E402

from academy.models import Role, User  # noqa: E402
from academy.services import accounts  # noqa: E402
from harness.http import HttpClient  # noqa: E402
from harness.live_server import REPO, Account, LiveServer, LiveSite, migrate, migrated_sqlite  # noqa: E402
from harness.postgres import scratch_database  # noqa: E402

from .pages import PAGES, TIMINGS, Page  # noqa: E402

LUA = Path(__file__).with_name("report.lua")
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class BenchSite:
    """What a page entry may need: the server, the signed-in learner and facts from the seed."""

    live: LiveSite
    backend: str
    #: The bare yardstick app (bench/bare.py), served beside the product with the same settings.
    bare_url: str
    learner: Account
    cookies: dict[str, str]
    facts: dict[str, Any] = field(default_factory=dict)

    def client(self, signed_in: bool = False) -> HttpClient:
        client = HttpClient(self.live.base_url, timeout=30)
        if signed_in:
            client.cookies.update(self.cookies)
        return client

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


@dataclass
class PageResult:
    backend: str
    page: str
    requests_per_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    queries: int | None = None
    errors: int = 0
    response_kb: float = 0.0
    problem: str = ""
    baseline: bool = False
    #: Throughput over the baseline's in the same round: median, lowest and highest of the rounds.
    ratio: float | None = None
    ratio_low: float | None = None
    ratio_high: float | None = None


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- databases ---------------------------------------------------------------------------------

@contextmanager
def database(backend: str, root: Path, postgres_url: str) -> Iterator[str]:
    """A migrated, empty database for ``backend``; removed afterwards."""
    if backend == "sqlite":
        yield migrated_sqlite(root / "bench.sqlite3")
        return
    with scratch_database(postgres_url, prefix="academy_bench") as url:
        migrate(url)
        yield url


def seed(live: LiveSite, learners: int) -> str:
    """Fill the database like a site in use; returns how it was done."""
    if live.has_command("demo", "seed"):
        started = time.perf_counter()
        live.flask("demo", "seed", "--learners", str(learners), timeout=1800)
        return f"`flask demo seed --learners {learners}` ({time.perf_counter() - started:.0f} s)"
    # No demo data yet: learners straight into the table, one password hash shared (hashing is slow by design).
    password_hash = accounts._hash_password("Seeded learners never sign in")
    with live.session() as db:
        db.add_all(User(email=f"seeded{n}@example.com", name=f"Seeded Learner {n}", password_hash=password_hash,
                        role=Role.LEARNER.value) for n in range(learners))
        db.commit()
    return f"{learners} learners inserted directly (no `flask demo seed` yet)"


def server_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                return "SQLite " + conn.execute(text("select sqlite_version()")).scalar_one()
            return conn.execute(text("show server_version")).scalar_one().split()[0].join(["PostgreSQL ", ""])
    finally:
        engine.dispose()


# --- measuring ---------------------------------------------------------------------------------

def run_wrk(url: str, *, seconds: int, connections: int, threads: int, env: dict[str, str]) -> dict:
    """One wrk run against ``url``; the JSON summary report.lua prints."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")


def drain(site: BenchSite) -> None:
    """Wait until the app's workers have answered what wrk left queued when it stopped.

    wrk closes its connections at the end of a run, but requests already accepted or waiting in the
    listen queue are still served, one after another. A slow page (the 5,000-person matrix) leaves
    seconds of such work behind, which the next page's run would otherwise pay for (0 req/s). One
    request to /healthz, queued behind that backlog, answers once the backlog is gone."""
    HttpClient(site.live.base_url, timeout=300).request("GET", "/healthz")


@dataclass
class Target:
    """A page ready for wrk: its URL and the environment report.lua reads."""

    page: Page
    url: str
    env: dict[str, str]
    runs: list[dict] = field(default_factory=list)


def prepare(site: BenchSite, page: Page, result: PageResult) -> Target | None:
    """Probe ``page`` once: its status (a broken page is reported, not timed) and its SQL count."""
    path = page.resolve(page.path, site)
    body = page.resolve(page.body, site)
    client = HttpClient(site.bare_url, timeout=30) if page.bare else site.client(page.signed_in)
    probe = client.request(page.method, path, body=body.encode() if body else None)
    if probe.status != page.status:
        result.problem = f"answered {probe.status}, expected {page.status}"
        log(f"{site.backend} {page.name}: {result.problem}; not measured")
        return None
    count = probe.header("X-Query-Count")
    result.queries = int(count) if count is not None else None
    result.response_kb = len(probe.text.encode()) / 1024
    if page.name.startswith("module page"):
        site.facts["module_page_bytes"] = len(probe.text.encode())
    env = {"BENCH_COOKIE": site.cookie_header() if page.signed_in else "",
           "BENCH_METHOD": page.method, "BENCH_BODY": body or "", "BENCH_SPREAD_IPS": "1" if page.spread_ips else ""}
    return Target(page, (site.bare_url + path) if page.bare else site.live.url(path), env)


def measure(site: BenchSite, pages: list[Page], args: argparse.Namespace) -> list[PageResult]:
    """Every page once per round, rounds one after the other, so each page's ratio to the baseline
    compares runs minutes apart at most: a machine whose background load drifts skews both alike."""
    results = {page.name: PageResult(site.backend, page.name, baseline=page.baseline) for page in pages}
    # The yardstick is probed last so it can be sized like the module page.
    prepared = {page.name: prepare(site, page, results[page.name])
                for page in sorted(pages, key=lambda p: p.baseline)}
    targets = [t for t in (prepared[page.name] for page in pages) if t is not None]
    wrk = {"connections": args.connections, "threads": args.threads}
    for target in targets:
        run_wrk(target.url, seconds=args.warmup, env=target.env, **wrk)
        drain(site)
    for n in range(args.rounds):
        log(f"{site.backend}: round {n + 1} of {args.rounds}")
        for target in targets:
            target.runs.append(run_wrk(target.url, seconds=args.duration, env=target.env, **wrk))
            drain(site)
    baseline = next((t for t in targets if t.page.baseline), None)
    for target in targets:
        result = results[target.page.name]
        rates = [run["requests"] / (run["duration_us"] / 1e6) for run in target.runs]
        result.requests_per_s = statistics.median(rates)
        result.p50_ms, result.p95_ms, result.p99_ms = (
            statistics.median(run[k] for run in target.runs) / 1000 for k in ("p50_us", "p95_us", "p99_us"))
        result.errors = sum(run[k] for run in target.runs for k in (
            "connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
        if baseline is not None:
            base_rates = [run["requests"] / (run["duration_us"] / 1e6) for run in baseline.runs]
            ratios = [rate / base for rate, base in zip(rates, base_rates, strict=True)]
            result.ratio, result.ratio_low, result.ratio_high = statistics.median(ratios), min(ratios), max(ratios)
        log(f"{site.backend} {target.page.name}: {result.requests_per_s:,.0f} req/s, "
            f"p99 {result.p99_ms:.1f} ms, {result.queries} queries")
    return [results[page.name] for page in pages]


def bench_backend(backend: str, args: argparse.Namespace, pages: list[Page]) -> tuple[list[PageResult], list, dict]:
    root = Path(tempfile.mkdtemp(prefix=f"academy-bench-{backend}-"))
    try:
        with database(backend, root, args.postgres_url) as url:
            # One proxy in front (ProxyFix trusts one X-Forwarded-For hop), as in production, so a
            # page with ``spread_ips`` can look like many visitors to the per-IP rate limits.
            env = {"ACADEMY_PROXY_COUNT": "1"}
            bare = LiveServer(url, root / "bare", workers=args.workers, env=env, target="bench.bare:app")
            with LiveSite.serve(url, root / "instance", workers=args.workers, env=env,
                                target="bench.wsgi:app") as live, bare:
                log(f"{backend}: seeding")
                how = seed(live, args.learners)
                learner = live.create_user("learner", email="bench.learner@example.com", name="Bench Learner")
                client = HttpClient(live.base_url)
                client.sign_in(learner.email, learner.password)
                site = BenchSite(live, backend, bare.base_url, learner, dict(client.cookies),
                                 {"postgres_url": args.postgres_url})
                results = measure(site, pages, args)
                timings = []
                for timing in TIMINGS:
                    log(f"{backend}: {timing.name}")
                    timings.append({"backend": backend, "name": timing.name, **asdict(timing.run(site))})
                facts = {"seed": how, "database": server_version(url)}
        return results, timings, facts
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- reporting ---------------------------------------------------------------------------------

def _ratio(result: PageResult) -> str:
    if result.problem or result.ratio is None:
        return "–"
    if result.baseline:
        return "1.00×"
    return f"{result.ratio:.2f}× ({result.ratio_low:.2f}–{result.ratio_high:.2f})"


def _cells(result: PageResult | None) -> list[str]:
    if result is None:
        return ["–"] * 6
    if result.problem:
        return [result.problem, "–", "–", "–", "–", "–"]
    queries = "–" if result.queries is None else str(result.queries)
    errors = f" ({result.errors} error{'s' if result.errors != 1 else ''})" if result.errors else ""
    return [f"{result.requests_per_s:,.0f}{errors}", _ratio(result), f"{result.p50_ms:.1f}",
            f"{result.p95_ms:.1f}", f"{result.p99_ms:.1f}", queries]


def table(results: list[PageResult], backends: list[str], pages: list[Page]) -> list[list[str]]:
    header = ["page"]
    for backend in backends:
        label = BACKENDS[backend]
        header += [f"{label} req/s", "vs baseline", "p50 ms", "p95 ms", "p99 ms", "SQL/req"]
    rows = [header]
    by_key = {(r.backend, r.page): r for r in results}
    for page in pages:
        row = [page.name]
        for backend in backends:
            row += _cells(by_key.get((backend, page.name)))
        rows.append(row)
    return rows


def as_text(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    def line(row: list[str]) -> str:
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
    lines = [line(row) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def as_markdown(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(["---"] + ["---:"] * (len(rows[0]) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def environment(args: argparse.Namespace, facts: dict[str, dict], load: tuple[float, float]) -> list[str]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    lines = [
        f"- When: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip() or '?'}"
        f"{' (with uncommitted changes)' if dirty else ''}",
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; wrk and gunicorn share these CPUs; 1-minute load average "
        f"{load[0]:.1f} before the run, {load[1]:.1f} after (other work on the machine skews absolute figures)",
        f"- Server: gunicorn, {args.workers} sync workers, access log off; load: {wrk}, {args.threads} threads, "
        f"{args.connections} connections; {args.rounds} rounds of {args.duration} s per page after a "
        f"{args.warmup} s warm-up (medians)",
    ]
    for backend, info in facts.items():
        lines.append(f"- {BACKENDS[backend]}: {info['database']}; data: {info['seed']}")
    return lines


NOTES = """\
- *vs baseline*: the page's throughput divided by that of the bare Flask app (bench/bare.py: a
  separate minimal Flask app, one route returning a constant body as large as the module page, no
  hooks, session or database) served by its own gunicorn with the same settings, in the same round;
  the median of the rounds, with the lowest and highest in brackets. 1.00× means "as fast as Flask
  answers at all here". The *in-app constant route* line is the product's `/_bench/baseline`: a
  constant body through every request hook of the app, so its gap to 1.00× is what the hooks cost.
- *SQL/req*: statements one request sends (BEGIN/COMMIT not counted), from the X-Query-Count
  header that bench mode adds; measured on one request, not averaged.
- Latencies are wrk's percentiles at the stated concurrency; compare runs on the same machine only."""


def write_report(out: Path, rows: list[list[str]], timings: list[dict], env_lines: list[str],
                 results: list[PageResult]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    parts = ["# MIM Academy benchmark", "", *env_lines, "", "## Pages", "", as_markdown(rows), "", NOTES, ""]
    if timings:
        parts += ["## Timings", "", "| job | backend | seconds | peak memory MB | detail |", "|---|---|---:|---:|---|"]
        parts += [f"| {t['name']} | {BACKENDS[t['backend']]} | {t['seconds']:.2f} | {t['peak_rss_mb']:.0f} | "
                  f"{t['detail']} |" for t in timings]
        parts.append("")
    path = out / "latest.md"
    path.write_text("\n".join(parts))
    (out / "latest.json").write_text(json.dumps({"environment": env_lines, "pages": [asdict(r) for r in results],
                                                 "timings": timings}, indent=2))
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default: both)")
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per page and round (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all pages (default 3; medians reported)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of unmeasured load per page first (default 1)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--learners", type=int, default=200, help="learners to seed (default 200)")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this (baseline kept)")
    parser.add_argument("--postgres-url", default=os.environ.get("ACADEMY_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="a PostgreSQL server to create the scratch database on")
    parser.add_argument("--output", type=Path, default=REPO / "bench-results")
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A SIGTERM (a timeout, a CI runner giving up) unwinds like Ctrl-C, so the servers and scratch
    # databases this run started are stopped and removed on the way out, not left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    pages = [p for p in PAGES if p.baseline or args.only.lower() in p.name.lower()]
    started, load_before = time.monotonic(), os.getloadavg()[0]
    results: list[PageResult] = []
    timings: list[dict] = []
    facts: dict[str, dict] = {}
    for backend in args.backends:
        log(f"{backend}: starting")
        backend_results, backend_timings, facts[backend] = bench_backend(backend, args, pages)
        results += backend_results
        timings += backend_timings
    rows = table(results, args.backends, pages)
    env_lines = environment(args, facts, (load_before, os.getloadavg()[0]))
    path = write_report(args.output, rows, timings, env_lines, results)
    print()
    print("\n".join(env_lines))
    print()
    print(as_text(rows))
    for t in timings:
        print(f"{t['name']} [{t['backend']}]: {t['seconds']:.2f} s, peak {t['peak_rss_mb']:.0f} MB {t['detail']}")
    print(f"\nWritten to {path.relative_to(REPO) if path.is_relative_to(REPO) else path} "
          f"in {time.monotonic() - started:.0f} s.")
    broken = [r for r in results if r.problem]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
