"""Where a quiz submission's time goes, in process: ``python -m bench.submit_profile [--backend sqlite]``.

Migrates a scratch database, syncs the repository's content, signs in ``--learners`` learners
through Flask's test client and has each start every quiz ``make bench`` submits (bench/pages.py
``SUBMIT_QUIZZES``), answering the first option of each question (so some pass and some fail).
Then it posts every prepared submission once, in one thread, and prints per submission:

- the SQL statements (all, and those inside the write transaction), by kind;
- how long the write transaction is open (on SQLite: BEGIN IMMEDIATE to COMMIT, i.e. how long the
  database's one write lock is held; every other writer waits that long);
- the wall time per submission without a profiler, then a cProfile split (grading, SQL, the
  submit service, response building) and the top functions by own time with ``--top``.

Run it before and after a change on the same moment of a shared machine and compare: statement counts
and lock time do not depend on load, the milliseconds do.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("ACADEMY_SECRET_KEY", "bench-secret-key-not-for-production")

from sqlalchemy import event, select  # noqa: E402

from academy import create_app  # noqa: E402
from academy.db import session_scope  # noqa: E402
from academy.domain.quiz_format import QuizDef  # noqa: E402
from academy.models import Attempt, Course, Role, User  # noqa: E402
from academy.services import accounts, progress  # noqa: E402
from harness.http import CSRF_RE  # noqa: E402
from harness.live_server import REPO  # noqa: E402

from .__main__ import DEFAULT_POSTGRES, database  # noqa: E402
from .pages import FLAGSHIP, SUBMIT_PASSWORD, SUBMIT_QUIZZES  # noqa: E402

_ANSWER_INPUT = re.compile(r'name="q-([^"]+)" value="([^"]*)"')
_SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')

#: Parts of a submission, each the cumulative time of the functions named (file fragment, function).
PARTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("whole request (WSGI)", (("flask/app.py", "wsgi_app"),)),
    ("submit view", (("academy/web/quiz.py", "submit"),)),
    ("  quizzes.submit (service)", (("academy/services/quizzes.py", "submit"),)),
    ("    grading (domain)", (("academy/domain/grading.py", "grade"), ("academy/domain/grading.py", "check_answers"))),
    ("    progress + certification on a pass", (("academy/services/quizzes.py", "_after_pass"),)),
    ("    commit", (("sqlalchemy/orm/session.py", "commit"),)),
    ("SQL (all statements)", (("sqlalchemy/engine/base.py", "_execute_context"),)),
    ("login-session lookup", (("academy/web/auth.py", "load_user_from_session"),)),
    ("CSRF check", (("flask_wtf/csrf.py", "protect"),)),
    ("session cookie (open + save)", (("flask/sessions.py", "open_session"), ("flask/sessions.py", "save_session"))),
)


class StatementLog:
    """Counts statements and times the write transaction (BEGIN IMMEDIATE or first write to COMMIT)."""

    def __init__(self, engine):
        self.kinds: Counter[str] = Counter()
        self.in_write = 0
        self.write_seconds = 0.0
        self.writes = 0
        self._write_started: float | None = None
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._end)

    def _statement(self, _conn, _cursor, statement: str, _params, _context, executemany: bool) -> None:
        words = statement.split(None, 2)
        kind = " ".join(words[:2]).upper() if words[:1] == ["BEGIN"] else words[0].upper()
        if kind in ("INSERT", "UPDATE", "DELETE") and executemany:
            kind += " (executemany)"
        self.kinds[kind] += 1
        writer = kind.startswith(("INSERT", "UPDATE", "DELETE")) or kind == "BEGIN IMMEDIATE" or (
            kind == "SELECT" and " FOR UPDATE" in statement)
        if self._write_started is None and writer:
            self._write_started = time.perf_counter()
        if self._write_started is not None:
            self.in_write += 1

    def _commit(self, _conn) -> None:
        if self._write_started is not None:
            self.kinds["COMMIT"] += 1
            self.write_seconds += time.perf_counter() - self._write_started
            self.writes += 1
        self._write_started = None

    def _end(self, _conn) -> None:
        self._write_started = None

    def reset(self) -> None:
        self.kinds.clear()
        self.in_write, self.write_seconds, self.writes = 0, 0.0, 0


def prepare(app, learners: int, first: int = 0) -> list[tuple]:
    """Sign in the learners and start their attempts; returns (client, path, form) per attempt."""
    course = FLAGSHIP.rsplit("/", 1)[1]
    password_hash = accounts._hash_password(SUBMIT_PASSWORD)
    with session_scope(app) as db:
        users = [User(email=f"profile.quiz{n}@example.com", name=f"Quiz Learner {n}",
                      password_hash=password_hash, role=Role.LEARNER.value) for n in range(first, first + learners)]
        db.add_all(users)
        db.commit()
        course_id = db.scalar(select(Course.id).where(Course.slug == course))
        for user in users:
            progress.enrol(db, user.id, course_id)
        db.commit()
        emails = [u.email for u in users]
    prepared = []
    for n, email in enumerate(emails, start=first):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.1.{n // 250}.{n % 250 + 1}"
        page = client.get("/login").get_data(as_text=True)
        signed = client.post("/login", data={"csrf_token": CSRF_RE.search(page).group(1), "email": email,
                                             "password": SUBMIT_PASSWORD})
        assert signed.status_code == 302, signed.status_code
        for quiz in SUBMIT_QUIZZES:
            start_page = client.get(f"/courses/{course}/quizzes/{quiz}").get_data(as_text=True)
            started = client.post(f"/courses/{course}/quizzes/{quiz}/start",
                                  data={"csrf_token": CSRF_RE.search(start_page).group(1)})
            assert started.status_code == 302, (quiz, started.status_code)
            token = re.search(r"/attempts/([^/?]+)", started.location).group(1)
            text = client.get(f"/attempts/{token}").get_data(as_text=True)
            options: dict[str, list[str]] = {}
            for key, value in _ANSWER_INPUT.findall(text):
                options.setdefault(key, [])
                if value:
                    options[key].append(value)
            form = {"csrf_token": CSRF_RE.search(text).group(1),
                    "submission_key": _SUBMISSION_KEY.search(text).group(1)}
            if n % 2:  # every other learner answers right, so passes (progress, certification) are profiled
                with session_scope(app) as db:
                    attempt = db.scalar(select(Attempt).where(Attempt.token == token))
                    definition = QuizDef.from_dict(attempt.quiz_version.definition)
                form.update({f"q-{key}": sorted(definition.question(key).correct_keys) for key in options})
            else:
                form.update({f"q-{key}": offered[:1] for key, offered in options.items()})
            prepared.append((client, f"/attempts/{token}/submit", form))
    return prepared


def post_all(prepared: list[tuple]) -> int:
    ok = 0
    for client, path, form in prepared:
        response = client.post(path, data=form)
        ok += response.status_code == 302 and response.location.endswith("/result")
    return ok


def passes(app, prepared: list[tuple]) -> int:
    tokens = [path.split("/")[2] for _client, path, _form in prepared]
    with session_scope(app) as db:
        return len(db.scalars(select(Attempt.id).where(Attempt.token.in_(tokens), Attempt.passed.is_(True))).all())


def split(stats: pstats.Stats, count: int) -> list[tuple[str, float]]:
    rows = []
    for label, wanted in PARTS:
        total = 0.0
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            if any(filename.endswith(fragment) and name == function for fragment, function in wanted):
                total += ct
        rows.append((label, total * 1000 / count))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--top", type=int, default=0, help="also print the N functions with most own time")
    parser.add_argument("--postgres-url", default=os.environ.get("ACADEMY_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="academy-submit-profile-"))
    try:
        with database(args.backend, root, args.postgres_url) as url:
            app = create_app({"DATABASE_URL": url, "CONTENT_DIR": REPO, "RATELIMIT_STORAGE_URI": "memory://",
                              "SIGNING_KEY_DIR": root / "keys", "BASE_URL": "http://localhost", "PROXY_COUNT": 0})
            result = app.test_cli_runner().invoke(args=["content", "sync"])
            assert result.exit_code == 0, result.output
            log = StatementLog(app.extensions["academy.engine"])
            # Two rounds of the same size: one timed plainly, one under cProfile.
            plain, profiled = prepare(app, args.learners), prepare(app, args.learners, args.learners)
            log.reset()
            started = time.perf_counter()
            ok = post_all(plain)
            seconds = time.perf_counter() - started
            count = len(plain)
            print(f"{args.backend}: {count} submissions ({ok} answered with their result, {passes(app, plain)} "
                  "passed), one at a time")
            print(f"  wall time per submission     {seconds * 1000 / count:7.2f} ms (no profiler)")
            print(f"  statements per submission    {sum(log.kinds.values()) / count:7.2f}"
                  f"   in the write transaction {log.in_write / count:5.2f}")
            for kind, n in sorted(log.kinds.items(), key=lambda kv: -kv[1]):
                print(f"    {kind:<28}{n / count:7.2f}")
            print(f"  write transaction open       {log.write_seconds * 1000 / max(log.writes, 1):7.2f} ms"
                  f" (over {log.writes} write commits)")
            profile = cProfile.Profile()
            profile.enable()
            post_all(profiled)
            profile.disable()
            stats = pstats.Stats(profile)
            print("  cProfile split (ms per submission, inflated by the profiler; compare the shares):")
            rows = split(stats, len(profiled))
            whole = rows[0][1] or 1
            for label, ms in rows:
                print(f"    {label:<40}{ms:7.2f} ms {100 * ms / whole:5.1f}%")
            if args.top:
                stats.sort_stats("tottime").print_stats(args.top)
            app.extensions["academy.engine"].dispose()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
