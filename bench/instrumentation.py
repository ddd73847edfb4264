"""Benchmark support, wired into the app that ``bench.wsgi`` serves (``make bench``).

- Every response carries ``X-Query-Count``: the SQL statements its request sent (transaction
  control such as BEGIN not included), so the benchmark can print queries per page.
- ``/_bench/baseline`` serves a constant ~15 KB HTML page with no template, session or database
  work: the in-app constant route (what the app's own request hooks cost).
- With ``ACADEMY_BENCH_PROFILE=<dir>``, every request runs under cProfile, one accumulated profile
  per path, written to ``<dir>/<pid>-<path>.prof`` every 20 requests (``python -m bench.profile``).

Neither exists in a normal deployment.
"""

from __future__ import annotations

import cProfile
import os
import re
from pathlib import Path

from flask import Blueprint, Flask, Response, g, has_app_context
from sqlalchemy import event

from academy.web.access import public

QUERY_COUNT_HEADER = "X-Query-Count"
BASELINE_BYTES = 15 * 1024
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

bp = Blueprint("bench", __name__, url_prefix="/_bench")


def _baseline_page() -> str:
    paragraph = ("<p>A major incident is declared, the bridge opens and the Major Incident Manager takes "
                 "the lead: who owns the fix, who talks to the business, when the next update is due.</p>\n")
    head = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Baseline</title></head><body>\n"
    tail = "</body></html>\n"
    count = (BASELINE_BYTES - len(head) - len(tail)) // len(paragraph)
    return head + paragraph * count + tail


BASELINE_HTML = _baseline_page()


@bp.route("/baseline")
@public
def baseline() -> Response:
    return Response(BASELINE_HTML, mimetype="text/html")


def _count_statement(_conn, _cursor, statement: str, *_args) -> None:
    if has_app_context() and not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
        g.bench_query_count = g.get("bench_query_count", 0) + 1


def _report_count(response: Response) -> Response:
    response.headers[QUERY_COUNT_HEADER] = str(g.get("bench_query_count", 0))
    return response


class Profiling:
    """WSGI middleware: cProfile around each request, one profile per path, dumped every 20 requests."""

    DUMP_EVERY = 20

    def __init__(self, wsgi_app, directory: Path):
        self.wsgi_app = wsgi_app
        self.directory = directory
        self.profiles: dict[str, cProfile.Profile] = {}
        self.counts: dict[str, int] = {}

    def __call__(self, environ, start_response):
        key = re.sub(r"[^A-Za-z0-9]+", "_", environ.get("PATH_INFO", "/")).strip("_") or "root"
        profile = self.profiles.setdefault(key, cProfile.Profile())
        profile.enable()
        try:
            # The body is joined inside the profile, so response building is counted too.
            body = b"".join(self.wsgi_app(environ, start_response))
        finally:
            profile.disable()
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.counts[key] % self.DUMP_EVERY == 0:
            profile.dump_stats(self.directory / f"{os.getpid()}-{key}.prof")
            (self.directory / f"{os.getpid()}-{key}.count").write_text(str(self.counts[key]))
        return [body]


def init_app(app: Flask) -> None:
    """Count queries on ``app``'s engine, report them per response, serve the baseline page."""
    profile_dir = os.environ.get("ACADEMY_BENCH_PROFILE")
    if profile_dir:
        app.wsgi_app = Profiling(app.wsgi_app, Path(profile_dir))
    event.listen(app.extensions["academy.engine"], "before_cursor_execute", _count_statement)
    app.after_request(_report_count)
    app.register_blueprint(bp)
