"""Cost as data grows (issue 17, point 3): the same pages at 1,000, 10,000 and 100,000 learners.

    .venv/bin/python -m bench.scale                              # SQLite, 1k -> 10k -> 100k
    .venv/bin/python -m bench.scale --sizes 1000,10000           # a quick run
    .venv/bin/python -m bench.scale --backend postgresql --explain

One scratch database (as ``bench.exports`` makes it) is migrated, the repository's courses are synced,
and it is *grown*: the demo seeder (``services.demo.seed``, bulk Core inserts, the real grading rules)
adds learners with their enrolments, reading, attempts, answers and certificates until each size is
reached; every twentieth account belongs to one large organisation ("Scale Industries", 5,000 people
at the top size) that has a manager and two organisation-wide course assignments with due dates.

At each size every page is requested in-process through the WSGI app (Flask's test client: no
network, no gunicorn, so the figure is the app's own work: queries, Python and templates) by a
signed-in admin, learner or manager: one warm-up request, then the median of ``--repeat``. The
reminder scan and the CSV export of every certificate are timed the same way. The growth table
compares each size with the smallest.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

os.environ.setdefault("ACADEMY_SECRET_KEY", "bench-secret-key-not-for-production")

from sqlalchemy import case, func, insert, literal, select, text, update  # noqa: E402
from sqlalchemy.orm import aliased  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from academy import create_app  # noqa: E402
from academy.config import REPO_ROOT  # noqa: E402
from academy.db import session_scope  # noqa: E402
from academy.domain import certificate_codes, open_badges  # noqa: E402
from academy.models import (  # noqa: E402
    Attempt,
    AttemptAnswer,
    BranchingChoice,
    Certificate,
    Course,
    CourseAssignment,
    Enrolment,
    ModuleProgress,
    Organisation,
    OrganisationManager,
    QuizVersion,
    Role,
    User,
    utcnow,
)
from academy.services import analytics_summaries, demo, reminders  # noqa: E402
from bench.exports import database  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
#: Learners told one by one by the demo seeder; learners beyond are copies of them, made in the
#: database (the seeder runs Python for every answer: 100,000 stories take a quarter of an hour).
STORIES = 10_000
#: Share of each new batch of learners whose attempts keep every answer (about 1 million answers
#: at 100,000 learners; the others' attempts carry their score only, as in ``flask demo seed``).
DETAILED_SHARE = 0.2
#: Every BIG_EVERY-th account belongs to the large organisation.
BIG_EVERY = 20
BIG_ORGANISATION = "Scale Industries"
#: The bench accounts' password, new each run.
PASSWORD = secrets.token_urlsafe(16)
#: The same page number at every size: the last page at 1,000 learners, a middle one at 100,000.
DEEP_PAGE = 20
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Probe:
    """One thing measured at every size."""

    name: str
    #: Paged lists must stay within 1.5x of their smallest-size time; the others are told apart.
    paged: bool
    run: Callable[[], None]
    #: Whole-data work (seconds each at 100,000 learners) is timed twice, without a warm-up.
    heavy: bool = False


@dataclass
class Growth:
    sizes: list[int] = field(default_factory=list)
    #: probe name -> seconds per size
    times: dict[str, list[float]] = field(default_factory=dict)
    paged: dict[str, bool] = field(default_factory=dict)


# --- data ---------------------------------------------------------------------------------------

def sync_content(app) -> None:
    result = app.test_cli_runner().invoke(args=["content", "sync", str(REPO_ROOT)])
    if result.exit_code != 0:
        raise SystemExit(result.output)


def accounts(app) -> dict[str, str]:
    """The admin, the large organisation's manager and its assignments. Emails by role."""
    now = utcnow()
    password_hash = generate_password_hash(PASSWORD)
    with session_scope(app) as session:
        org_id = session.scalar(insert(Organisation).returning(Organisation.id),
                                [{"name": BIG_ORGANISATION, "join_code": "SCAL-EBIG", "created_at": now}])
        emails = {"admin": "admin@scale.example", "manager": "manager@scale.example"}
        session.execute(User.__table__.insert(), [
            {"email": emails["admin"], "name": "Ada Admin", "password_hash": password_hash, "role": Role.ADMIN.value,
             "organisation_id": None, "active": True, "created_at": now, "last_login_at": None},
            {"email": emails["manager"], "name": "Mina Manager", "password_hash": password_hash,
             "role": Role.LEARNER.value, "organisation_id": org_id, "active": True, "created_at": now,
             "last_login_at": None}])
        manager_id = session.scalar(select(User.id).where(User.email == emails["manager"]))
        session.execute(OrganisationManager.__table__.insert(),
                        [{"organisation_id": org_id, "user_id": manager_id, "appointed_at": now}])
        courses = list(session.scalars(select(Course.id).order_by(Course.id)))
        # Every member is assigned the first course (due in a month) and the second, if any (overdue).
        session.execute(CourseAssignment.__table__.insert(), [
            {"organisation_id": org_id, "course_id": course_id, "user_id": None,
             "due_on": (now + timedelta(days=-10 if n % 2 else 30)).date(), "due_days": None,
             "created_by_id": manager_id, "created_at": now - timedelta(days=60)}
            for n, course_id in enumerate(courses[:2])])
        session.commit()
    return emails


def _demo_learners(session) -> int:
    return session.scalar(select(func.count(User.id)).where(User.email.like("%.%-%@%"))) or 0


def grow(app, target: int, step: int, stories: int = STORIES) -> tuple[int, float]:
    """Add learners until there are ``target``; returns (learners added, seconds).

    The first ``stories`` are told by the demo seeder; the rest are copies of them (:func:`copy_learners`).
    """
    started = time.perf_counter()
    with session_scope(app) as session:
        before = _demo_learners(session)
        told = min(target, stories) - before
        if told > 0:
            demo.seed(session, learners=told, seed=1000 + step, now=utcnow(), detailed=round(told * DETAILED_SHARE))
        copy = 0
        while (have := _demo_learners(session)) < target:
            copy += 1
            copy_learners(session, f"copy{step}-{copy}.", target - have, random.Random(f"{step}:{copy}"))
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == BIG_ORGANISATION))
        session.execute(update(User).where(User.role == Role.LEARNER.value, User.id % BIG_EVERY == 0)
                        .values(organisation_id=org_id))
        session.commit()
        return _demo_learners(session) - before, time.perf_counter() - started


def copy_learners(session, prefix: str, count: int, rng: random.Random) -> None:
    """Copy up to ``count`` demo learners with everything they did, in the database (INSERT ... SELECT).

    A copy's email (and its attempts' tokens) start with ``prefix``; its certificates get new codes and
    identity hashes. Its story (organisation, dates, answers, scores) is the original's, except that a
    copy of a member of the large organisation belongs to none (membership is decided by :func:`grow`).
    """
    source = (select(User.id).where(User.email.like("%.%-%@%"), User.email.not_like("copy%"))
              .order_by(User.id).limit(count).scalar_subquery())
    old, new = aliased(User), aliased(User)
    user_columns = [c.name for c in User.__table__.c if c.name != "id"]
    # The large organisation's members are every BIG_EVERY-th account (``grow``), not copies of them.
    big = select(Organisation.id).where(Organisation.name == BIG_ORGANISATION).scalar_subquery()
    copied = {"email": literal(prefix) + User.email,
              "organisation_id": case((User.organisation_id == big, None), else_=User.organisation_id)}
    session.execute(insert(User).from_select(user_columns, select(
        *[copied.get(name, User.__table__.c[name]) for name in user_columns]).where(User.id.in_(source))))
    by_user = (new, new.email == literal(prefix) + old.email)
    for model in (Enrolment, ModuleProgress):
        columns = [c.name for c in model.__table__.c if c.name != "id"]
        session.execute(insert(model).from_select(columns, select(
            *[new.id if name == "user_id" else model.__table__.c[name] for name in columns])
            .join(old, old.id == model.user_id).join(*by_user).where(old.id.in_(source))))
    columns = [c.name for c in Attempt.__table__.c if c.name != "id"]
    session.execute(insert(Attempt).from_select(columns, select(
        *[new.id if name == "user_id" else literal(prefix) + Attempt.token if name == "token"
          else Attempt.__table__.c[name] for name in columns])
        .join(old, old.id == Attempt.user_id).join(*by_user).where(old.id.in_(source))))
    was, now_ = aliased(Attempt), aliased(Attempt)
    for model in (AttemptAnswer, BranchingChoice):
        columns = [c.name for c in model.__table__.c if c.name != "id"]
        session.execute(insert(model).from_select(columns, select(
            *[now_.id if name == "attempt_id" else model.__table__.c[name] for name in columns])
            .join(was, was.id == model.attempt_id).join(now_, now_.token == literal(prefix) + was.token)
            .where(was.user_id.in_(source))))
    # Copied attempts arrive finished, by Core: count them in the analytics summaries as the seeder does.
    analytics_summaries.add(session, Attempt.user_id.in_(select(User.id).where(User.email.startswith(prefix))))
    # Certificates need codes of their own and the copy's email in their identity hash.
    rows = session.execute(select(Certificate, new.id, new.email).join(old, old.id == Certificate.user_id)
                           .join(*by_user).where(old.id.in_(source))).all()
    columns = [c.name for c in Certificate.__table__.c if c.name not in ("id", "user_id", "code", "identity_hash")]
    copies = []
    for certificate, user_id, email in rows:
        row = {name: getattr(certificate, name) for name in columns}
        code = "".join(rng.choice(certificate_codes.ALPHABET) for _ in range(certificate_codes.SYMBOLS))
        copies.append(row | {"user_id": user_id, "code": certificate_codes.parse(code),
                             "identity_hash": open_badges.identity_hash(email, certificate.identity_salt)})
        session.expunge(certificate)
    for start in range(0, len(copies), 5000):
        session.execute(Certificate.__table__.insert(), copies[start:start + 5000])


def census(app) -> dict[str, int]:
    with session_scope(app) as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == BIG_ORGANISATION))
        return {
            "learners": session.scalar(select(func.count(User.id)).where(User.role == Role.LEARNER.value)) or 0,
            "organisations": session.scalar(select(func.count(Organisation.id))) or 0,
            "big organisation": session.scalar(select(func.count(User.id)).where(User.organisation_id == org_id)) or 0,
            "attempts": session.scalar(select(func.count(Attempt.id))) or 0,
            "answers": session.scalar(select(func.count(AttemptAnswer.id))) or 0,
            "certificates": session.scalar(select(func.count(Certificate.id))) or 0,
        }


# --- measuring ----------------------------------------------------------------------------------

def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {response.status_code}")
    return client


def _get(client, path: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(path)
        response.get_data()
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    return run


def probes(app, emails: dict[str, str]) -> list[Probe]:
    with session_scope(app) as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == BIG_ORGANISATION))
        course = session.execute(select(Course.id, Course.slug).order_by(Course.id)).first()
        # The item statistics of the quiz with the most answers (the first course's final exam).
        final = session.scalar(select(QuizVersion.quiz_id).where(QuizVersion.is_final.is_(True))
                               .order_by(QuizVersion.quiz_id))
        learner = session.scalar(select(User).where(User.email.like("%.1000-0@%")))
        learner.password_hash = generate_password_hash(PASSWORD)
        learner_email = learner.email
        session.commit()
    admin = signed_in(app, emails["admin"])
    manager = signed_in(app, emails["manager"])
    learner = signed_in(app, learner_email)

    def scan() -> None:
        with session_scope(app) as session:
            reminders.scan(session, utcnow())

    matrix = f"/manage/{org_id}"
    return [
        Probe("learner dashboard", True, _get(learner, "/dashboard")),
        Probe("users, page 1", True, _get(admin, "/admin/users")),
        Probe(f"users, page {DEEP_PAGE}", True, _get(admin, f"/admin/users?page={DEEP_PAGE}")),
        Probe("users, search", True, _get(admin, "/admin/users?q=smith")),
        Probe("certificates, page 1", True, _get(admin, "/admin/certificates")),
        Probe(f"certificates, page {DEEP_PAGE}", True, _get(admin, f"/admin/certificates?page={DEEP_PAGE}")),
        Probe("certificates, search", True, _get(admin, "/admin/certificates?q=smith")),
        Probe("matrix (big org), page 1", True, _get(manager, matrix)),
        Probe(f"matrix (big org), page {DEEP_PAGE}", True, _get(manager, f"{matrix}?page={DEEP_PAGE}")),
        Probe("matrix (big org), search", True, _get(manager, f"{matrix}?q=smith")),
        Probe("matrix (big org), status filter", True, _get(manager, f"{matrix}?status=not-started")),
        Probe(f"matrix (big org), status, page {DEEP_PAGE // 4}", True,
              _get(manager, f"{matrix}?status=overdue&page={DEEP_PAGE // 4}")),
        Probe("analytics overview", False, _get(admin, f"/analytics?course={course.slug}"), heavy=True),
        Probe("analytics item statistics", False, _get(admin, f"/analytics/quizzes/{final}"), heavy=True),
        Probe("reminder scan (repeat)", False, scan, heavy=True),
        Probe("CSV export, all certificates", False, _get(admin, "/admin/exports/certificates?format=csv"), heavy=True),
    ]


def median_seconds(probe: Probe, repeat: int) -> float:
    """The median of ``repeat`` runs after a warm-up (caches, templates); 2 runs and no warm-up if heavy."""
    run = probe.run
    if not probe.heavy:
        run()
    samples = []
    for _ in range(min(2, repeat) if probe.heavy else repeat):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def first_scan(app) -> tuple[float, int]:
    """The reminder scan right after growing: it queues the new people's reminders."""
    with session_scope(app) as session:
        started = time.perf_counter()
        queued = reminders.scan(session, utcnow())
        return time.perf_counter() - started, queued


# --- EXPLAIN ------------------------------------------------------------------------------------

def explain(app, backend: str) -> None:
    """Print the plans of the queries behind the measured pages, as the app sends them."""
    captured: list[tuple[str, object]] = []
    engine = app.extensions["academy.engine"]
    from sqlalchemy import event

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        for probe in probes(app, {"admin": "admin@scale.example", "manager": "manager@scale.example"}):
            if probe.name.startswith(("reminder", "CSV")):
                continue
            captured.clear()
            probe.run()
            print(f"\n### {probe.name}")
            seen = set()
            for statement, parameters in list(captured):
                if statement in seen:
                    continue
                seen.add(statement)
                prefix = "EXPLAIN " if backend == "postgresql" else "EXPLAIN QUERY PLAN "
                with engine.connect() as conn:
                    raw = conn.connection.driver_connection
                    cursor = raw.cursor()
                    cursor.execute(prefix + statement, parameters)
                    plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
                print("```\n" + " ".join(statement.split())[:400] + "\n" + plan + "\n```")
    finally:
        event.remove(engine, "before_cursor_execute", keep)


# --- main ---------------------------------------------------------------------------------------

def table(growth: Growth) -> str:
    first, last = growth.sizes[0], growth.sizes[-1]
    head = "| measured | " + " | ".join(f"{s:,} ms" for s in growth.sizes) + f" | {last:,}/{first:,} | verdict |"
    lines = [head, "|---|" + "---:|" * (len(growth.sizes) + 1) + "---|"]
    for name, times in growth.times.items():
        ratio = times[-1] / times[0] if times[0] else float("inf")
        if growth.paged[name]:
            verdict = "flat (≤ 1.5×)" if ratio <= 1.5 else "**grows (> 1.5×)**"
        else:
            verdict = "flat" if ratio <= 1.5 else f"grows (whole data set, ×{last // first} data)"
        cells = " | ".join(f"{t * 1000:,.1f}" for t in times)
        lines.append(f"| {name} | {cells} | {ratio:.2f}× | {verdict} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES),
                        help="learner counts to grow through, ascending (default 1000,10000,100000)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=5,
                        help="requests per page and size (median); the scan and the export run twice")
    parser.add_argument("--explain", action="store_true", help="print query plans at the largest size")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started_all = time.perf_counter()
    print(f"bench.scale on {args.backend}: sizes {', '.join(f'{s:,}' for s in sizes)}; "
          f"{platform.node()} {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    with database(args.backend) as url:
        app = create_app({"DATABASE_URL": url, "BASE_URL": "https://academy.example"})
        sync_content(app)
        emails = accounts(app)
        growth = Growth()
        measured: list[Probe] | None = None
        for step, size in enumerate(sizes):
            added, seconds = grow(app, size, step)
            counts = census(app)
            print(f"\n{size:,} learners: seeded {added:,} in {seconds:.1f} s; "
                  + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
            if args.backend == "postgresql":
                with session_scope(app) as session:
                    session.execute(text("ANALYZE"))
                    session.commit()
            scan_seconds, queued = first_scan(app)
            growth.times.setdefault("reminder scan (first, queues)", []).append(scan_seconds)
            growth.paged["reminder scan (first, queues)"] = False
            print(f"  reminder scan queued {queued:,} messages in {scan_seconds:.2f} s")
            measured = measured or probes(app, emails)
            growth.sizes.append(size)
            for probe in measured:
                seconds = median_seconds(probe, args.repeat)
                growth.times.setdefault(probe.name, []).append(seconds)
                growth.paged[probe.name] = probe.paged
                print(f"  {probe.name:<36}{seconds * 1000:>10.1f} ms")
        print(f"\nGrowth ({args.backend}, in-process WSGI, median of {args.repeat}; "
              f"load average {os.getloadavg()[0]:.2f}; {time.perf_counter() - started_all:.0f} s in all)\n")
        print(table(growth))
        if args.explain:
            explain(app, args.backend)
        app.extensions["academy.engine"].dispose()


if __name__ == "__main__":
    main()
