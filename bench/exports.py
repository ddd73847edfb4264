"""Export benchmark: time and memory to export N certification records in each format.

    .venv/bin/python -m bench.exports                          # 100,000 records on SQLite
    .venv/bin/python -m bench.exports --records 20000 --backend postgresql

A scratch database (SQLite file in a temporary directory, or a database created on the local
PostgreSQL server and dropped afterwards) is migrated, the repository's courses are synced, and N
learners with one certificate each are bulk-inserted. Each format is then exported twice through
the same service and writers the CLI and the admin download use (``services.exports.rows`` into
``domain.exports``' writers): once for the time, once under ``tracemalloc`` for the peak of Python
memory allocated during the export (tracing slows Python down, so the two are separate runs).
See docs/exports.md for figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("ACADEMY_SECRET_KEY", "bench-secret-key-not-for-production")

from sqlalchemy import create_engine, insert, select  # noqa: E402

from academy import create_app  # noqa: E402
from academy import migrate as migrations  # noqa: E402
from academy.config import REPO_ROOT  # noqa: E402
from academy.db import session_scope  # noqa: E402
from academy.domain import demo  # noqa: E402
from academy.domain.exports import TEXT_WRITERS, CertificateFilter, write_xlsx  # noqa: E402
from academy.domain.filters import DateRange  # noqa: E402
from academy.models import Certificate, Course, Organisation, User, utcnow  # noqa: E402
from academy.services import exports  # noqa: E402
from harness.postgres import scratch_database  # noqa: E402

BATCH = 10_000
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A migrated scratch database URL, removed afterwards."""
    if backend == "postgresql":
        with scratch_database(os.environ.get("ACADEMY_BENCH_POSTGRES", DEFAULT_POSTGRES)) as url:
            migrations.upgrade(create_engine(url))
            yield url
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        engine = create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        yield url


def fill(app, records: int) -> None:
    """Sync the real content, then insert ``records`` learners with one certificate each."""
    result = app.test_cli_runner().invoke(args=["content", "sync", str(REPO_ROOT)])
    assert result.exit_code == 0, result.output
    rng = random.Random(1)
    now = utcnow()
    with session_scope(app) as session:
        course = session.scalar(select(Course))
        version = course.current_version
        names = demo.company_names(rng, 40)
        organisations = list(session.scalars(insert(Organisation).returning(Organisation.id),
                                             [{"name": n, "join_code": f"B{i:03d}-BNCH", "created_at": now}
                                              for i, n in enumerate(names)]))
        for start in range(0, records, BATCH):
            people = [demo.person(rng) for _ in range(start, min(records, start + BATCH))]
            emails = [f"{p.handle}.{start + i}@bench.example" for i, p in enumerate(people)]
            session.execute(User.__table__.insert(), [
                {"email": email, "name": p.name, "password_hash": "!", "role": "learner",
                 "organisation_id": rng.choice(organisations), "active": True, "created_at": now,
                 "last_login_at": None} for email, p in zip(emails, people, strict=True)])
            ids = dict(session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
            session.execute(Certificate.__table__.insert(), [
                {"code": f"B{n:07d}-BNCH-MARK-0000", "user_id": ids[email], "course_id": course.id,
                 "course_version_id": version.id, "origin": "earned", "holder_name": p.name,
                 "identity_hash": "sha256$" + "0" * 64, "identity_salt": "0" * 32,
                 "title": version.certificate_title, "course_title": version.title,
                 "score_percent": rng.randint(70, 100), "awarded_at": now - timedelta(days=n % 900),
                 "issued_at": now - timedelta(days=n % 900), "expires_at": now + timedelta(days=730 - n % 900),
                 "superseded_at": None, "revoked_at": now if n % 50 == 0 else None,
                 "revoked_reason": "Issued in error" if n % 50 == 0 else None, "credential": None}
                for n, (email, p) in enumerate(zip(emails, people, strict=True), start=start)])
        session.commit()


class Sink:
    """A file-like object that counts what is written and keeps none of it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def export(app, fmt: str) -> int:
    """Export every certificate in ``fmt``; returns the size written."""
    with app.app_context(), session_scope(app) as session:
        now = utcnow()
        resolved = exports.ResolvedFilter(CertificateFilter(dates=DateRange()))
        rows = exports.rows(session, resolved, now, app.config["BASE_URL"])
        if fmt == "xlsx":
            with tempfile.TemporaryFile() as spool:
                write_xlsx(rows, spool)
                return spool.tell()
        sink = Sink()
        for chunk in TEXT_WRITERS[fmt](rows):
            sink.write(chunk)
        return sink.size


def measure(run: Callable[[], int]) -> tuple[float, int, float]:
    """(seconds, bytes written, peak MB of memory allocated while exporting) of ``run``."""
    gc.collect()
    started = time.perf_counter()
    size = run()
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, size, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--formats", default="csv,json,xlsx")
    args = parser.parse_args()
    with database(args.backend) as url:
        app = create_app({"DATABASE_URL": url, "BASE_URL": "https://academy.example"})
        started = time.perf_counter()
        fill(app, args.records)
        print(f"{args.records:,} certificates on {args.backend} inserted in {time.perf_counter() - started:.1f} s")
        print(f"{'format':<8}{'time':>9}{'size':>11}{'memory peak':>14}")
        for fmt in args.formats.split(","):
            seconds, size, peak = measure(lambda fmt=fmt: export(app, fmt))
            print(f"{fmt:<8}{seconds:>8.2f}s{size / 2**20:>9.1f}MB{peak:>12.1f}MB")
        app.extensions["academy.engine"].dispose()


if __name__ == "__main__":
    main()
