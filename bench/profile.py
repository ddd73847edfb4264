"""Where a page's time goes, under load: ``python -m bench.profile [--backend sqlite] [--seconds 6]``.

Serves ``bench.wsgi:app`` with gunicorn (2 workers, as ``make bench``) and ``ACADEMY_BENCH_PROFILE``
set, so every request runs under cProfile (bench/instrumentation.py); seeds like ``make bench``;
drives the signed-in module page, the dashboard and the sign-in page with wrk (16 connections);
then sums the workers' profiles per page and prints the time per request split into the parts
docs/benchmarks.md reports: template rendering, session and CSRF, login-session lookup, SQL,
and the rest (routing, hooks, response building). cProfile slows Python down, so the absolute
milliseconds are inflated; the split is what this is for.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ACADEMY_SECRET_KEY", "bench-secret-key-not-for-production")

from harness.http import HttpClient  # noqa: E402
from harness.live_server import LiveSite  # noqa: E402

from .__main__ import DEFAULT_POSTGRES, LUA, database, seed  # noqa: E402
from .pages import FLAGSHIP  # noqa: E402

#: Parts of a request, each the cumulative time of the functions named (file fragment, function).
PARTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("whole request (WSGI)", (("flask/app.py", "wsgi_app"),)),
    ("login-session lookup", (("academy/web/auth.py", "load_user_from_session"),)),
    ("  of which SQL", ()),  # filled in below: SQL under the lookup
    ("session cookie (open + save)", (("flask/sessions.py", "open_session"), ("flask/sessions.py", "save_session"))),
    ("CSRF (check + token)", (("flask_wtf/csrf.py", "protect"), ("flask_wtf/csrf.py", "generate_csrf"))),
    ("template rendering", (("flask/templating.py", "render_template"),)),
    ("SQL (all statements)", (("sqlalchemy/engine/base.py", "_execute_context"),)),
    ("view function", (("flask/app.py", "dispatch_request"),)),
    ("after-request hooks + response", (("flask/app.py", "process_response"),
                                        ("werkzeug/wrappers/response.py", "__call__"))),
)
PAGES = (("module page (signed in)", f"{FLAGSHIP}/what-is-a-major-incident", True),
         ("dashboard (signed in)", "/dashboard", True),
         ("sign-in page", "/login", False))


def _cumulative(stats: pstats.Stats, wanted: tuple[tuple[str, str], ...]) -> float:
    total = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if any(filename.endswith(fragment) and name == function for fragment, function in wanted):
            total += ct
    return total


def report(directory: Path, key: str) -> tuple[int, list[tuple[str, float]]]:
    files = sorted(directory.glob(f"*-{key}.prof"))
    if not files:
        return 0, []
    count = sum(int(p.with_suffix(".count").read_text()) for p in files)
    stats = pstats.Stats(*[str(p) for p in files])
    rows = []
    for label, wanted in PARTS:
        if label.strip() == "of which SQL":
            rows.append((label, _lookup_sql(stats)))
            continue
        rows.append((label, _cumulative(stats, wanted)))
    return count, [(label, seconds * 1000 / count) for label, seconds in rows]


def _lookup_sql(stats: pstats.Stats) -> float:
    """SQL run by the login-session service (its query and, once a minute, its refresh)."""
    total = 0.0
    for func, (_cc, _nc, _tt, _ct, callers) in stats.stats.items():
        if func[2] == "execute" and func[0].endswith("sqlalchemy/orm/session.py") or func[2] == "scalar" and \
                func[0].endswith("sqlalchemy/orm/session.py"):
            for caller, timing in callers.items():
                if caller[0].endswith("academy/services/accounts.py") and caller[2] == "load_login_session":
                    total += timing[3]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--postgres-url", default=os.environ.get("ACADEMY_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="academy-profile-"))
    profiles = root / "profiles"
    profiles.mkdir()
    try:
        with database(args.backend, root, args.postgres_url) as url, \
                LiveSite.serve(url, root / "instance", workers=2, target="bench.wsgi:app",
                               env={"ACADEMY_BENCH_PROFILE": str(profiles), "ACADEMY_PROXY_COUNT": "1"}) as live:
            seed(live, 200)
            learner = live.create_user("learner", email="bench.learner@example.com", name="Bench Learner")
            client = HttpClient(live.base_url)
            client.sign_in(learner.email, learner.password)
            client.get(PAGES[0][1])  # enrols
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            for _label, path, signed_in in PAGES:
                env = {**os.environ, "BENCH_COOKIE": cookie if signed_in else ""}
                subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(LUA),
                                live.url(path)], env=env, capture_output=True, check=True)
            time.sleep(0.5)
        print(f"Profile under load ({args.backend}, wrk {args.connections} connections, cProfile on: "
              "ms are inflated, compare the split)")
        for label, path, _signed_in in PAGES:
            key = "_".join(filter(None, "".join(c if c.isalnum() else " " for c in path).split()))
            count, rows = report(profiles, key)
            print(f"\n{label}: {count} requests profiled")
            whole = rows[0][1] if rows else 0
            for part, ms in rows:
                print(f"  {part:<34}{ms:8.2f} ms  {100 * ms / whole if whole else 0:5.1f}%")
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(root)


if __name__ == "__main__":
    main()
