"""Load figures: gunicorn on loopback serving the benchmark database, driven by the locust scenario in
tests/load/locustfile.py (clerks registering, desk clerks searching for persons, handlers, section heads, leaders),
with requests/s, p50/p95/p99 and errors.

    DATABASE_URL=postgres://…/xinfang_loadbench python manage.py load_benchmark --users 20 --minutes 2
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import subprocess  # nosec B404  # starts locust with a fixed argument list, no shell
import time
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from benchmarks import processes
from benchmarks.seed import benchmark_county_clerks_ensure, benchmark_data_exists, benchmark_seed
from benchmarks.seed_keycases import benchmark_keycases_ensure
from benchmarks.seed_people import benchmark_people_ensure, person, person_of_item
from config.env import database_url
from core.auth.twofactor import otp_devices_confirmed, second_factor_required
from core.models import User
from core.runtime.embedded import ROOT, RUN_DIR, free_port
from core.services.twofactor import otp_device_bootstrap
from petitions.models import Item
from petitions.projections.subtree_sums import subtree_months_refresh

LOCUSTFILE = ROOT / "tests" / "load" / "locustfile.py"
LIST_PAGE_P95_MS = 150
PEOPLE_PER_CLERK = 60  # persons of the clerk's county the desk clerks of the scenario search for
# The desk's requests (search, the person's file, the home page's queues) have the same 150 ms p95 target.
DESK_REQUESTS = ("搜索·", "搜索API·", "信访人档案", "首页待办", "待办API")
SIGN_IN_ALLOWANCE_SECONDS = 300  # longest the users' sign-ins may take before the measured window
LOGS = RUN_DIR / "load-benchmark"  # gunicorn's log and locust's CSV files of the last run


class Command(BaseCommand):
    help = "在基准数据库上用 gunicorn 提供服务，以 locust 模拟登记员、承办人、科室负责人和领导并发操作，输出吞吐、延迟和错误数。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=20, help="并发用户数")
        parser.add_argument("--minutes", type=float, default=2.0, help="持续分钟数")
        parser.add_argument("--items", type=int, default=1_000_000, help="数据库为空时先造这么多件事项")
        # Rendering a page is CPU-bound Python under one lock per process: four threads in one process take turns
        # on one core. Four processes of two threads each kept both cores busy and gave lower latencies on the
        # 2-core machine than two of four (p50 of the lists about 100 ms instead of 160; eight of one was no better).
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--threads", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if not benchmark_data_exists():
            if Item.objects.exists():
                raise CommandError("数据库中已有非基准数据：请换一个空数据库。")
            benchmark_seed(options["items"], today, self.stdout.write)
        benchmark_county_clerks_ensure()
        cases = benchmark_keycases_ensure(today=today)
        if cases:
            self.stdout.write(f"已列入基准台账 {cases} 件")
        benchmark_people_ensure(self.stdout.write)
        subtree_months_refresh()
        accounts = self._accounts()
        password = secrets.token_urlsafe(16)
        self._set_password(accounts, password)
        shutil.rmtree(LOGS, ignore_errors=True)
        LOGS.mkdir(parents=True)
        self._database_memory()
        self._run(LOGS, accounts, password, options)
        self.stdout.write(f"日志与 locust 原始结果：{LOGS}")

    def _database_memory(self) -> None:
        """Say whether the database fits in PostgreSQL's buffer cache, and read it in when pg_prewarm is at hand.

        A server that has been running holds its working set in memory; a freshly started one reads it from disk
        at the first requests, which would measure the disk instead of the site.
        """
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_database_size(current_database()), "
                "(SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers')"
            )
            size, buffers = cursor.fetchone()
            self.stdout.write(f"数据库 {size / 2**30:.1f} GB，shared_buffers {buffers / 2**30:.1f} GB")
            if buffers < size:
                self.stdout.write("注意：shared_buffers 小于数据库，结果会包含磁盘读取的时间。")
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_prewarm'")
            if cursor.fetchone() is None:
                self.stdout.write("此 PostgreSQL 没有 pg_prewarm：数据未预读。")
                return
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            except DatabaseError as refused:
                self.stdout.write(f"无法启用 pg_prewarm（{refused}）：数据未预读。")
                return
            cursor.execute(
                "SELECT coalesce(sum(pg_prewarm(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 'm', 't')"
            )
            (blocks,) = cursor.fetchone()
            self.stdout.write(
                f"已预读 {blocks * 8192 / 2**30:.1f} GB 数据与索引（{time.perf_counter() - started:.0f} 秒）"
            )

    def _accounts(self) -> dict[str, list[str]]:
        """Who the scenario signs in as: county clerks, township and county handlers, county section heads,
        the city's and the counties' leaders."""

        def names(role: str, depth: int, limit: int) -> list[str]:
            people = User.objects.filter(
                username__startswith="bm_", roles__contains=[role], unit__depth=depth
            )
            return list(people.order_by("username").values_list("username", flat=True)[:limit])

        return {
            "clerk": names("clerk", 2, 12),
            "handler": names("handler", 3, 20) + names("handler", 2, 4),
            "section_head": names("section_head", 2, 12),
            "leader": ["bm_leader", *names("leader", 2, 12)],
        }

    def _people(self, clerks: list[str]) -> dict[str, list[dict[str, str]]]:
        """For each clerk, persons on items of the clerk's county, as the person search knows them (the seed's
        particulars are a function of the item number: see benchmarks/seed_people.py)."""
        people = {}
        for clerk in User.objects.filter(username__in=clerks).select_related("unit"):
            numbers = (
                Item.objects.filter(registered_unit=clerk.unit, number__startswith="BM")
                .order_by("?")
                .values_list("number", flat=True)[:PEOPLE_PER_CLERK]
            )
            people[clerk.username] = [asdict(person(person_of_item(number))) for number in numbers]
        return people

    def _authenticators(self, accounts: dict[str, list[str]]) -> dict[str, str]:
        """The authenticator key of every account that signs in with a second factor (leaders), binding one with a
        random key where there is none, as the account's owner would at the first sign-in."""
        keys = {}
        for user in User.objects.filter(username__in=[name for group in accounts.values() for name in group]):
            if second_factor_required(user):
                device = otp_devices_confirmed(user).first() or otp_device_bootstrap(
                    user_id=user.pk, key_hex=secrets.token_hex(20)
                )
                keys[user.username] = device.key
        return keys

    def _set_password(self, accounts: dict[str, list[str]], password: str) -> None:
        """One PBKDF2 hash (the production hasher) for every account of the run: the sign-in costs what it costs."""
        usernames = [name for group in accounts.values() for name in group]
        encoded = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
        User.objects.filter(username__in=usernames).update(password=encoded)

    def _run(
        self, folder: Path, accounts: dict[str, list[str]], password: str, options: dict[str, Any]
    ) -> None:
        env = processes.site_environment(
            database_url=database_url(settings.DATABASES["default"]),
            redis_url=settings.REDIS_URL,
            secret_key=settings.SECRET_KEY,
            lookup_key=settings.XF_LOOKUP_KEY,
            folder=folder,
        )
        processes.collect_static(env)
        port = free_port()
        web = processes.gunicorn(
            port=port, workers=options["workers"], threads=options["threads"], env=env, logs=folder
        ).start()
        try:
            processes.wait_for_http(f"http://127.0.0.1:{port}/healthz")
            self.stdout.write(
                f"gunicorn：{options['workers']} 个进程 × {options['threads']} 个线程；"
                f"{options['users']} 个并发用户，{options['minutes']:g} 分钟"
            )
            started = time.perf_counter()
            self._locust(port, folder, accounts, password, options)
            self.stdout.write(f"压测用时 {time.perf_counter() - started:.0f} 秒（含全部用户登录）")
        finally:
            web.stop()
        sign_in_errors = self._report_sign_in(folder / "sign_in.json")
        self._report(folder / "load_stats.csv", folder / "load_failures.csv", sign_in_errors)

    def _locust(
        self, port: int, folder: Path, accounts: dict[str, list[str]], password: str, options: dict[str, Any]
    ) -> None:
        measured = round(options["minutes"] * 60)
        env = {
            **os.environ,
            "XF_LOAD_ACCOUNTS": json.dumps(accounts),
            "XF_LOAD_PASSWORD": password,
            "XF_LOAD_OTP_KEYS": json.dumps(self._authenticators(accounts)),
            "XF_LOAD_PEOPLE": json.dumps(self._people(accounts["clerk"]), ensure_ascii=False),
            "XF_LOAD_MEASURE_SECONDS": str(measured),
            "XF_LOAD_SIGN_IN_FILE": str(folder / "sign_in.json"),
        }
        users = options["users"]
        log = (folder / "locust.log").open("wb")
        finished = subprocess.run(  # nosec B603  # fixed argument list, no shell
            [
                str(processes.BIN / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, users // 5)),
                # The scenario ends the run when the measured window is over; this only caps a run whose
                # sign-ins never finish.
                "--run-time",
                f"{measured + SIGN_IN_ALLOWANCE_SECONDS}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(folder / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            stdout=log,
            stderr=log,
        )
        log.close()
        if finished.returncode != 0:
            raise CommandError(
                "locust 运行失败：\n" + (folder / "locust.log").read_text(errors="replace")[-3000:]
            )

    def _report_sign_in(self, sign_in_file: Path) -> int:
        """The sign-ins, all at the start of the run: each user once, before the measured window. Returns how many
        of them failed."""
        sign_ins = json.loads(sign_in_file.read_text(encoding="utf-8")) if sign_in_file.exists() else {}
        self.stdout.write("登录阶段（每个用户登录一次，不计入下表）：")
        for name, entry in sign_ins.items():
            self.stdout.write(
                f"  {name}：{entry['requests']} 次，失败 {entry['failures']}，"
                f"p50 {entry['p50']:.0f}、p95 {entry['p95']:.0f}、最长 {entry['max']:.0f} 毫秒"
            )
        self.stdout.write("全部用户登录之后的计量时段：")
        return sum(int(entry["failures"]) for entry in sign_ins.values())

    def _report(self, stats_file: Path, failures_file: Path, sign_in_errors: int) -> None:
        with stats_file.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        self.stdout.write(
            _pad("请求类型", 16) + f"{'次数':>6}{'失败':>6}{'每秒':>6}{'p50':>8}{'p95':>8}{'p99':>8}（毫秒）"
        )
        slow_lists = []
        slow_desk = []
        for row in rows:
            name = "合计" if row["Name"] == "Aggregated" else row["Name"]
            self.stdout.write(
                _pad(name, 16) + f"{int(row['Request Count']):>8}{int(row['Failure Count']):>6}"
                f"{float(row['Requests/s']):>8.1f}{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
            )
            if "列表" in name and _number(row["95%"]) > LIST_PAGE_P95_MS:
                slow_lists.append(name)
            if name.startswith(DESK_REQUESTS) and _number(row["95%"]) > LIST_PAGE_P95_MS:
                slow_desk.append(name)
        total = next(row for row in rows if row["Name"] == "Aggregated")
        errors = int(total["Failure Count"]) + sign_in_errors
        with failures_file.open(encoding="utf-8") as handle:
            for failure in csv.DictReader(handle):
                self.stdout.write(f"  失败：{failure['Name']} × {failure['Occurrences']}：{failure['Error']}")
        self.stdout.write(
            f"错误 {errors} 个（目标 0）；列表页 p95 "
            + (f"超过 {LIST_PAGE_P95_MS} 毫秒：{'、'.join(slow_lists)}" if slow_lists else "均 ≤ 150 毫秒")
            + "；搜索、信访人档案与待办 p95 "
            + (f"超过 {LIST_PAGE_P95_MS} 毫秒：{'、'.join(slow_desk)}" if slow_desk else "均 ≤ 150 毫秒")
        )


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
