"""Measure the overdue sweep at provincial scale: seed items with their handling clocks in SQL, then time sweeps.

Run it on a database of its own (it adds a benchmark city of 217 units and the items under it, and keeps them so
later runs can reuse them with --reuse):

    DATABASE_URL=postgres://…/xinfang_bench python manage.py sweep_benchmark --items 1000000
"""

from __future__ import annotations

import json
import resource
import time
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accountability.models import Deadline, SweepRun
from accountability.services.sweep import BATCH_SQL, batch_params, sweep
from benchmarks.seed import benchmark_data_exists, benchmark_seed
from petitions.models import Item


class Command(BaseCommand):
    help = "在独立数据库中造 100 万件信访事项及其办理时限，测量超期巡检的耗时（首轮、稳态、空转）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=1_000_000)
        parser.add_argument("--batch", type=int, default=settings.XF_SWEEP_BATCH)
        parser.add_argument(
            "--reuse", action="store_true", help="沿用上次造好的数据（会先清掉上次巡检的结果）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        items, batch = options["items"], options["batch"]
        today = timezone.localdate()
        if options["reuse"]:
            self._reset_sweeps()
        else:
            if Item.objects.exists() or benchmark_data_exists():
                raise CommandError(
                    "数据库中已有信访事项：请换一个空数据库，或用 --reuse 沿用上次的基准数据。"
                )
            benchmark_seed(items, today, self.stdout.write)
        self._report_counts(today)
        self._run("首轮巡检（全部已超期）", today, batch)
        self._run("空转（同日再巡检）", today, batch)
        self._run("稳态（次日新到期）", today + timedelta(days=1), batch)
        self._run("空转（次日再巡检）", today + timedelta(days=1), batch)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"本进程内存峰值：{peak:.0f} MB（巡检在数据库中完成，Python 端不随数据量增长）")

    def _reset_sweeps(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM accountability_notification")
            cursor.execute("DELETE FROM accountability_supervisionorder")
            cursor.execute("DELETE FROM accountability_escalation")
            cursor.execute(
                "INSERT INTO accountability_ladderposition (deadline_id, next_step_on) "
                "SELECT d.id, d.due_on + (SELECT min(s.offset_days) FROM accountability_escalationstep s "
                "WHERE s.kind = d.kind AND s.is_active) FROM accountability_deadline d WHERE d.status = 'open' "
                "ON CONFLICT (deadline_id) DO UPDATE SET next_step_on = EXCLUDED.next_step_on"
            )
            SweepRun.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE accountability_ladderposition")

    # --- measuring ---

    def _report_counts(self, today: date) -> None:
        open_clocks = Deadline.objects.filter(status="open")
        self.stdout.write(
            f"事项 {Item.objects.count():,} 件；进行中的时限 {open_clocks.count():,} 个，"
            f"其中已超期 {open_clocks.filter(due_on__lt=today).count():,} 个，"
            f"次日转为超期 {open_clocks.filter(due_on=today).count():,} 个"
        )

    def _server_time(self, today: date, batch: int) -> float:
        """Execution time PostgreSQL reports for the first batch statement, in a transaction rolled back after."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + BATCH_SQL, batch_params(today=today, limit=batch)
            )
            plan = cursor.fetchone()[0]
            transaction.set_rollback(True)
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return float(plan[0]["Execution Time"])

    def _run(self, title: str, today: date, batch: int) -> None:
        server_ms = self._server_time(today, batch)
        started = time.perf_counter()
        run = sweep(today=today, limit=batch)
        total_ms = (time.perf_counter() - started) * 1000
        if run is None:
            raise CommandError("另一个巡检正在运行（咨询锁被占用）。")
        self.stdout.write(
            f"{title}：检查时限 {run.deadlines_seen:,} 个，新增升级 {run.escalations_created:,} 条、"
            f"通知 {run.notifications_created:,} 条；共 {run.batches} 批，总耗时 {total_ms:,.0f} 毫秒，"
            f"最长一批 {run.longest_batch_ms:,} 毫秒；首批语句的数据库执行时间 {server_ms:,.1f} 毫秒"
        )
