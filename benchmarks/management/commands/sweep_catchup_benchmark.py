"""Measure the first catch-up sweep into tables known to be empty against a clean run of the same sweep.

Run it on a database of its own: it seeds the sweep benchmark's city when the database is empty (or reuses it), and
empties the sweep's tables before every run. With --without-refresh the sweep runs as it did before it refreshed the
statistics of the tables it writes (the from-empty run then turns quadratic; --give-up-after bounds it):

    DATABASE_URL=postgres://…/xinfang_bench python manage.py sweep_catchup_benchmark --batch 100 --runs 3
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from accountability.models import Deadline, Escalation, SweepRun
from accountability.services.sweep import sweep
from benchmarks.seed import benchmark_data_exists, benchmark_seed
from petitions.models import Item

# The tables the sweep writes. Autovacuum is off for them during the benchmark, so nothing but the sweep itself
# refreshes their statistics while they grow (as when autovacuum is busy with a bulk load's tables, or off).
SWEPT = ("accountability_escalation", "accountability_notification", "accountability_ladderposition")

# Every open clock back at its first rung, as a bulk load leaves them.
REARM = """
INSERT INTO accountability_ladderposition (deadline_id, next_step_on)
SELECT d.id, d.due_on + (SELECT min(s.offset_days) FROM accountability_escalationstep s
                         WHERE s.kind = d.kind AND s.is_active)
FROM accountability_deadline d WHERE d.status = 'open'
ON CONFLICT (deadline_id) DO UPDATE SET next_step_on = EXCLUDED.next_step_on
"""

# A clean run starts from new, empty files whose statistics are unknown (as migrate leaves a table); the planner then
# assumes a table of some size and makes the foreign-key check an index scan.
CLEAN = """
TRUNCATE accountability_notification, accountability_escalation, accountability_supervisionorder,
         accountability_accountabilityrecord
"""

# The from-empty run starts from tables emptied and vacuumed, so their statistics say they are empty (as after
# go-live, a data import or a restore that VACUUM ANALYZE followed) while their indexes keep the size the deleted rows
# gave them: against the few hundred rungs of a first batch of 100, an index scan then looks dearer than reading the
# table, and the first foreign-key check of the sweep's session is planned, and cached, as a sequential scan.
EMPTIED = ("DELETE FROM accountability_notification", "DELETE FROM accountability_escalation")
VACUUMED = ("VACUUM ANALYZE accountability_escalation", "VACUUM ANALYZE accountability_notification")

COUNTERS = """
SELECT
    coalesce(sum(seq_scan) FILTER (WHERE relname = 'accountability_escalation'), 0),
    coalesce(sum(seq_tup_read) FILTER (WHERE relname = 'accountability_escalation'), 0),
    coalesce(sum(analyze_count) FILTER (WHERE relname <> 'accountability_ladderposition'), 0)
FROM pg_stat_user_tables WHERE relname = ANY(%s)
"""


@dataclass(frozen=True)
class Counters:
    """Sequential scans of the escalation table, the rows they read, and ANALYZEs of the escalation and
    notification tables."""

    seq_scans: int
    seq_rows: int
    analyzes: int

    def __sub__(self, other: Counters) -> Counters:
        return Counters(
            self.seq_scans - other.seq_scans, self.seq_rows - other.seq_rows, self.analyzes - other.analyzes
        )


@dataclass(frozen=True)
class Outcome:
    """One sweep: its duration, and None as its run when it was given up."""

    seconds: float
    run: SweepRun | None
    counters: Counters
    rungs: int


class Command(BaseCommand):
    help = "测量批量导入后首轮补巡检（升级、通知表为空且刚 VACUUM，表的自动清理关闭）相对于正常一轮的耗时。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--items", type=int, default=820_000, help="空库时造的事项数（82 万件约有 10 万个超期时限）"
        )
        # 100 by default, not the sweep's batch: whether the first commit's foreign-key check is planned as a
        # sequential scan depends on how many rungs that batch wrote against the index's size, and on these data
        # it is at 100 and is not always at 400.
        parser.add_argument(
            "--batch", type=int, default=100, help=f"每批时限数（巡检默认 {settings.XF_SWEEP_BATCH}）"
        )
        parser.add_argument("--runs", type=int, default=1, help="正常一轮与从空表一轮各测几次（取中位数）")
        parser.add_argument(
            "--without-refresh",
            action="store_true",
            help="按修复前的方式巡检：不在表增长时重新收集统计信息",
        )
        parser.add_argument(
            "--give-up-after", type=float, default=1800, help="一轮巡检超过此秒数即取消并记为未完成"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch, refresh = options["batch"], not options["without_refresh"]
        today = timezone.localdate()
        if not benchmark_data_exists():
            if Item.objects.exists():
                raise CommandError("数据库中已有信访事项而没有基准数据：请换一个空数据库。")
            benchmark_seed(options["items"], today, self.stdout.write)
        overdue = Deadline.objects.filter(status="open", due_on__lt=today).count()
        self.stdout.write(
            f"超期时限 {overdue:,} 个；每批 {batch} 个时限；"
            f"{'按修复前的方式（不刷新统计信息）' if not refresh else '刷新统计信息（当前代码）'}"
        )
        saved = self._autovacuum_off()
        clean: list[float] = []
        from_empty: list[float] = []
        try:
            for _ in range(options["runs"]):
                self._prepare(CLEAN)
                clean.append(self._run("正常一轮（新建的空表，统计信息未知）", batch, refresh, options))
                self._prepare(*EMPTIED, vacuum=True)
                from_empty.append(self._run("从空表一轮（清空并 VACUUM 后）", batch, refresh, options))
        finally:
            self._autovacuum_restore(saved)
        ratio = statistics.median(from_empty) / statistics.median(clean)
        met = ratio <= 2
        shown = f"{ratio:.2f} 倍" if math.isfinite(ratio) else f"未在 {options['give_up_after']:.0f} 秒内完成"
        self.stdout.write(
            f"从空表一轮 ÷ 正常一轮（中位数）：{shown}；目标 ≤ 2 倍：{'达到' if met else '未达到'}"
        )
        if not met:
            raise CommandError(f"从空表的一轮超过正常一轮的 2 倍（{shown}）。")

    # --- the tables' state before a run ---

    def _autovacuum_off(self) -> dict[str, list[str] | None]:
        """Turn autovacuum off for the sweep's tables; returns their storage options to put back."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [list(SWEPT)])
            saved = dict(cursor.fetchall())
            for table in SWEPT:
                cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        return saved

    def _autovacuum_restore(self, saved: dict[str, list[str] | None]) -> None:
        with connection.cursor() as cursor:
            for table in SWEPT:
                previous = [
                    option for option in saved.get(table) or [] if option.startswith("autovacuum_enabled=")
                ]
                if previous:
                    cursor.execute(f"ALTER TABLE {table} SET ({previous[0]})")
                else:
                    cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")

    def _prepare(self, *statements: str, vacuum: bool = False) -> None:
        """Empty the sweep's tables, put every open clock back at its first rung, and vacuum as asked."""
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            cursor.execute(REARM)
            SweepRun.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE accountability_ladderposition")
            for statement in VACUUMED if vacuum else ():
                cursor.execute(statement)

    # --- measuring ---

    def _counters(self) -> Counters:
        with connection.cursor() as cursor:
            cursor.execute(COUNTERS, [list(SWEPT)])
            return Counters(*(int(value) for value in cursor.fetchone()))

    def _run(self, title: str, batch: int, refresh: bool, options: dict[str, Any]) -> float:
        """One sweep in a session of its own (a new session caches its plans anew), cancelled after
        --give-up-after seconds."""
        before = self._counters()
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        timer = threading.Timer(options["give_up_after"], _cancel, [pid])
        timer.start()
        started = time.perf_counter()
        try:
            run = sweep(today=timezone.localdate(), limit=batch, refresh_statistics=refresh)
            if run is None:
                raise CommandError("另一个巡检正在运行（咨询锁被占用）。")
        except OperationalError:  # cancelled by the timer
            run = None
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_force_next_flush()"
            )  # this session's counters, before they are read
        outcome = Outcome(seconds, run, self._counters() - before, Escalation.objects.count())
        self._report(title, outcome)
        return seconds if run is not None else float("inf")

    def _report(self, title: str, outcome: Outcome) -> None:
        counters = outcome.counters
        scans = (
            f"升级表顺序扫描 {counters.seq_scans:,} 次、读 {counters.seq_rows:,} 行；"
            f"升级、通知表 ANALYZE {counters.analyzes} 次"
        )
        run = outcome.run
        if run is None:
            self.stdout.write(
                f"{title}：{outcome.seconds:,.0f} 秒内未完成，已取消（已写升级 {outcome.rungs:,} 条）；{scans}"
            )
            return
        self.stdout.write(
            f"{title}：{outcome.seconds:,.1f} 秒，{run.batches} 批，升级 {run.escalations_created:,} 条、"
            f"通知 {run.notifications_created:,} 条，最长一批 {run.longest_batch_ms:,} 毫秒；{scans}"
        )


def _cancel(pid: int) -> None:
    """Cancel the sweep's current statement from another session (this thread's own connection)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_cancel_backend(%s)", [pid])
    finally:
        connection.close()
