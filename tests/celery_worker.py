"""A real Celery worker process for tests: same Redis broker, bound to the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.env import database_url

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_tests() -> str:
    """A DATABASE_URL naming the test database pytest-django created (socket folders percent-encoded)."""
    return database_url(connection.settings_dict)


class WorkerProcess:
    """Start, check and stop one `celery worker` subprocess consuming this test process's queue."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.node = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
        self.log = ROOT / ".run" / f"{self.node}.log"

    def start(self, timeout: float = 60) -> None:
        from config.celery import app

        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_tests(),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--queues",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--hostname",
                f"{self.node}@%h",
                "--loglevel",
                "INFO",
                "--logfile",
                str(self.log),
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited; see {self.log}")
            replies = app.control.ping(timeout=0.5) or []
            if any(self.node in name for reply in replies for name in reply):
                return
        raise RuntimeError(f"Celery worker did not answer within {timeout:.0f}s; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
