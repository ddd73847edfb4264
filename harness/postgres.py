"""PostgreSQL for tests that must not touch the shared server: a private cluster, scratch databases.

``PrivateCluster`` runs its own ``postgres`` (initdb + pg_ctl from /usr/lib/postgresql/*/bin) in a
temporary directory on a free port, so a test may stop and start it at will. As root, the commands
run as the ``postgres`` OS user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from .live_server import free_port


def postgres_bin_dir() -> Path:
    """The newest installed server's bin directory (Debian's layout)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin "
                           "(apt-get install postgresql)")
    return found[-1].parent


class PrivateCluster:
    """A throwaway PostgreSQL server (trust auth, superuser ``postgres``) on 127.0.0.1:<port>."""

    def __init__(self, port: int | None = None):
        self.bin = postgres_bin_dir()
        self.port = port or free_port()
        # Not under pytest's tmp dir: that is private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="academy-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run([*self._as_postgres, *args], capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n"
                               f"{self.log.read_text(errors='replace')[-2000:] if self.log.exists() else ''}")

    def init(self) -> PrivateCluster:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        return self

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` disconnects clients and shuts down cleanly, ``immediate`` crashes it."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        result = subprocess.run([*self._as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "status"],
                                capture_output=True, text=True)
        return result.returncode == 0

    def destroy(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PrivateCluster:
        self.init()
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.destroy()


@contextmanager
def scratch_database(server_url: str, prefix: str = "academy_scratch") -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped (connections and all) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    # No pool: a connection kept from CREATE may be dead by DROP time (the server may have restarted).
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
