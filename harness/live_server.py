"""The real app, served by gunicorn on a fresh database, for browser, fault and load tests.

``LiveServer`` owns the gunicorn process (start, wait for /healthz, stop, find and kill workers).
``LiveSite`` adds what a test needs around it: an in-process app on the same database to arrange
state directly (users, setup tokens), and the ``flask --app app`` CLI with the server's environment.

Typical use (the browser and fault fixtures do this)::

    url = migrated_sqlite(tmp_dir / "academy.sqlite3")
    with LiveSite.serve(url, tmp_dir) as site:
        site.create_user("learner")
        ...
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, select

from academy import create_app
from academy import migrate as migrations
from academy.db import session_scope
from academy.models import OneTimeToken, Role, User, utcnow
from academy.services import accounts

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: The password of every user the helpers create, unless a test says otherwise.
PASSWORD = "Bridge opened at 09:42, all hands"
SETUP_LINK_RE = re.compile(r"https?://\S+?/setup/([A-Za-z0-9_\-]+)")
#: Environment variables of the test process that must not leak into a server under test.
_SCRUBBED = ("ACADEMY_", "WEB_CONCURRENCY", "PORT", "HOST")


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migrated_sqlite(path: Path) -> str:
    """Create a SQLite database at ``path`` with the full schema; returns its URL."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    try:
        migrations.upgrade(engine)
    finally:
        engine.dispose()
    return url


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema."""
    engine = create_engine(url)
    try:
        migrations.upgrade(engine)
    finally:
        engine.dispose()


def has_command(app: Flask, *path: str) -> bool:
    """True when ``flask --app app <path...>`` exists (features add their commands as they land)."""
    command = app.cli
    for name in path:
        command = getattr(command, "commands", {}).get(name)
        if command is None:
            return False
    return True


class LiveServer:
    """gunicorn serving ``app:app`` (or another WSGI ``target``) on a free port, with its output in a log file."""

    def __init__(self, database_url: str, instance_dir: Path, *, workers: int = 2,
                 env: dict[str, str] | None = None, port: int | None = None, target: str = "app:app"):
        self.target = target
        self.port = port or free_port()
        self.workers = workers
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.instance_dir = Path(instance_dir)
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.instance_dir / f"gunicorn-{self.port}.log"
        self.env = {key: value for key, value in os.environ.items() if not key.startswith(_SCRUBBED)}
        self.env.update({
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": str(workers),
            "ACADEMY_DATABASE_URL": database_url,
            "ACADEMY_INSTANCE_DIR": str(self.instance_dir),
            "ACADEMY_SECRET_KEY": "live-server-secret-key-for-tests-only",
            "ACADEMY_BASE_URL": self.base_url,
            "ACADEMY_ACCESS_LOG": "0",
            # Tests deliver mail themselves (flask mail send); no worker beside gunicorn.
            "ACADEMY_MAIL_WORKER": "0",
            "ACADEMY_CONTENT_DIR": str(REPO),
            "PYTHONUNBUFFERED": "1",
        })
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self, timeout: float = 30) -> LiveServer:
        """Start gunicorn and return once /healthz answers 200 (or raise with the log's tail)."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:academy.gunicorn_conf", self.target],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        self.wait_healthy(timeout)
        self.wait_for_workers(self.workers, timeout=timeout)
        return self

    def wait_healthy(self, timeout: float = 30) -> None:
        """Poll /healthz until it answers 200; raise if gunicorn dies or time runs out."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
                    last = f"status {response.status}"
            except urllib.error.HTTPError as exc:
                last = f"status {exc.code}"
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.1)
        raise TimeoutError(f"{self.base_url}/healthz not healthy after {timeout}s ({last}):\n"
                           f"{self.output()[-3000:]}")

    def stop(self, timeout: float = 15) -> None:
        """Stop gunicorn gracefully (SIGTERM), then for good (SIGKILL to its process group)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # --- what it printed --------------------------------------------------------------------

    def output(self) -> str:
        """Everything gunicorn and the app printed so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def setup_links(self) -> list[str]:
        """Every first-admin setup link gunicorn printed, oldest first (deduplicated)."""
        links: list[str] = []
        for match in SETUP_LINK_RE.finditer(self.output()):
            if match.group(0) not in links:
                links.append(match.group(0))
        return links

    # --- processes --------------------------------------------------------------------------

    @property
    def master_pid(self) -> int:
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """The pids of gunicorn's current workers (children of the master)."""
        children = Path(f"/proc/{self.master_pid}/task/{self.master_pid}/children")
        try:
            return sorted(int(pid) for pid in children.read_text().split())
        except FileNotFoundError:  # kernels without CONFIG_PROC_CHILDREN: scan /proc
            found = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                if int(fields[1]) == self.master_pid:
                    found.append(int(stat.parent.name))
            return sorted(found)

    def wait_for_workers(self, count: int, *, timeout: float = 30, exclude: frozenset[int] = frozenset()) -> list[int]:
        """Wait until ``count`` workers run (none of them in ``exclude``); returns their pids."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == count and not exclude.intersection(pids):
                return pids
            time.sleep(0.05)
        raise TimeoutError(f"expected {count} workers (not {sorted(exclude)}), found {self.worker_pids()}")

    def busy_worker(self, timeout: float = 2) -> int:
        """A worker that is on the CPU right now (so most likely inside a request), else the first one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pid in self.worker_pids():
                try:
                    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                except (OSError, IndexError):
                    continue
                if state == "R":
                    return pid
        return self.worker_pids()[0]

    def kill_worker(self, pid: int | None = None) -> int:
        """SIGKILL one worker (the first, unless ``pid`` says which), as a crash or OOM kill would."""
        pid = pid or self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid


@dataclass(frozen=True)
class Account:
    """A user the helpers created, with the password to sign in as them."""

    id: int
    email: str
    name: str
    role: str
    password: str


class LiveSite:
    """A running server plus the means to arrange its state: the CLI and the database directly."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.base_url = server.base_url
        # Signs with the server's key, so what it makes (e.g. a preferences link) works on the server.
        self.app = create_app({"TESTING": True, "DATABASE_URL": server.database_url, "BASE_URL": server.base_url,
                               "RATELIMIT_STORAGE_URI": "memory://", "SECRET_KEY": server.env["ACADEMY_SECRET_KEY"]})
        self._counter = 0

    @classmethod
    @contextmanager
    def serve(cls, database_url: str, instance_dir: Path, *, sync_content: bool = True,
              **server_options) -> Iterator[LiveSite]:
        """Start gunicorn on ``database_url`` (already migrated), yield the site, stop it."""
        server = LiveServer(database_url, instance_dir, **server_options)
        site = cls(server)
        try:
            if sync_content:
                site.sync_content()
            server.start()
            yield site
        finally:
            server.stop()
            site.app.extensions["academy.engine"].dispose()

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    # --- the CLI ----------------------------------------------------------------------------

    def flask(self, *args: str, input: str | None = None, check: bool = True,
              timeout: float = 120) -> subprocess.CompletedProcess:
        """Run ``flask --app app ARGS`` with the server's environment; raise on failure if ``check``."""
        result = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=REPO, env=self.server.env,
                                input=input, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} exited {result.returncode}:\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def has_command(self, *path: str) -> bool:
        return has_command(self.app, *path)

    def sync_content(self) -> bool:
        """``flask content sync`` when that command exists; True if it ran."""
        if not self.has_command("content", "sync"):
            return False
        self.flask("content", "sync")
        return True

    # --- arranging state directly -----------------------------------------------------------

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def create_user(self, role: str = Role.LEARNER, *, email: str | None = None, name: str | None = None,
                    password: str = PASSWORD, via: str = "db") -> Account:
        """A new account of ``role``: straight into the database (``via="db"``) or with the CLI."""
        n = self._next()
        email = email or f"{role}-{n}-{os.getpid()}@example.com"
        name = name or f"Test {str(role).title()} {n}"
        if via == "cli":
            self.flask("users", "create", email, "--name", name, "--role", str(role), "--password-stdin",
                       input=password + "\n")
        else:
            with session_scope(self.app) as session:
                accounts.create_user(session, email=email, name=name, password=password, role=role)
        with session_scope(self.app) as session:
            user = session.scalars(select(User).where(User.email == email)).one()
            return Account(user.id, user.email, user.name, user.role, password)

    def new_setup_token(self) -> str:
        """A live first-admin setup token, whether or not an admin exists (to render the page)."""
        token = f"test-setup-{self._next()}-{os.urandom(12).hex()}"
        with session_scope(self.app) as session:
            session.add(OneTimeToken(purpose="setup", token_hash=accounts.hash_token(token),
                                     expires_at=utcnow() + accounts.TOKEN_TTL))
            session.commit()
        return token

    def session(self):
        """A database session on the site's database (commit what you mean to keep)."""
        return session_scope(self.app)
