"""Measure what the hash chain adds to one audit write, in a transaction that is rolled back afterwards."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from core.models import AuditEvent

# The chain columns are given for the plain table; on the audit table the trigger overwrites them.
INSERT = (
    "INSERT INTO {table} (occurred_at, actor_username, actor_roles, action, object_type, object_id, object_repr,"
    " changed_fields, success, detail, chain_seq, prev_hash, row_hash) VALUES (now(), 'benchmark',"
    " ARRAY['clerk'], 'core.audit.benchmark', 'petitions.item', %s, '信访事项 XF2026-000123',"
    " ARRAY['status', 'due_on'], true, %s::jsonb, -%s, repeat('0', 64), repeat('0', 64))"
)
DETAIL = '{"from": "registered", "to": "assigned", "unit": "临江市城关区住房和城乡建设局"}'


class _RolledBack(Exception):
    """Raised to undo everything the benchmark wrote."""


class Command(BaseCommand):
    help = "测量审计哈希链给每次审计写入增加的耗时（在回滚的事务中进行，不留下任何记录）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=5000, help="每种写法写入的条数")

    def _timed_inserts(self, table: str, rows: int) -> list[float]:
        timings = []
        with connection.cursor() as cursor:
            for n in range(rows):
                started = time.perf_counter()
                cursor.execute(INSERT.format(table=table), [str(n), DETAIL, n + 1])
                timings.append((time.perf_counter() - started) * 1000)
        return timings

    def handle(self, *args: Any, **options: Any) -> None:
        rows = options["rows"]
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # The same table with the same indexes and defaults, but no chain trigger.
                    cursor.execute("CREATE TABLE audit_benchmark_plain (LIKE core_auditevent INCLUDING ALL)")
                results = {
                    "plain": self._timed_inserts("audit_benchmark_plain", rows),
                    "chained": self._timed_inserts(AuditEvent._meta.db_table, rows),
                }
                raise _RolledBack
        except _RolledBack:
            pass
        for name, label in (("plain", "无哈希链"), ("chained", "哈希链")):
            timings = sorted(results[name])
            self.stdout.write(
                f"{label}：{rows:,} 条，中位数 {statistics.median(timings):.3f} ms，"
                f"p95 {timings[int(len(timings) * 0.95)]:.3f} ms，平均 {statistics.fmean(timings):.3f} ms"
            )
        added = statistics.median(results["chained"]) - statistics.median(results["plain"])
        self.stdout.write(f"哈希链每条增加（中位数之差）：{added:.3f} ms")
