"""Measure the Excel export on synthetic cases: time, file size and peak Python memory (tracemalloc).

The cases are made inside a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import secrets
import tempfile
import time
import tracemalloc
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from core.choices import Role, UnitKind, UnitLevel
from core.models import Unit, User
from ledger import excel
from ledger.choices import CaseStatus, RiskLevel, Source
from ledger.models import KeyCase, ProgressReport
from ledger.selectors import keycase_export_values, ledger_rows

BATCH = 2000


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "测量台账导出Excel的耗时、文件大小和内存峰值（合成数据，结束后回滚）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=20_000, help="合成的台账条数（默认20000）")

    def handle(self, *args: Any, **options: Any) -> None:
        rows: int = options["rows"]
        try:
            with transaction.atomic():
                viewer = self._synthetic_ledger(rows)
                self.stdout.write(f"合成台账 {rows} 条（每条一条进展），导出 {excel.SHEET_TITLE}：")
                self.stdout.write("条数\t耗时(秒，含tracemalloc开销)\t文件(KB)\tPython内存峰值(MB)")
                for count in sorted({max(1, rows // 10), max(1, rows // 4), rows}):
                    seconds, size, peak = self._measure(viewer, count)
                    self.stdout.write(f"{count}\t{seconds:.2f}\t{size / 1024:.0f}\t{peak / 1024 / 1024:.1f}")
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(f"合成数据已回滚。超过一批（{BATCH}条）后峰值不再随条数增长，说明导出为流式写出。")

    def _measure(self, viewer: User, count: int) -> tuple[float, int, int]:
        cases = keycase_export_values(ledger_rows(viewer)[:count])
        with tempfile.TemporaryFile(suffix=".xlsx") as target:
            tracemalloc.start()
            tracemalloc.reset_peak()
            started = time.perf_counter()
            try:
                excel.write_ledger(cases.iterator(chunk_size=BATCH), target)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            seconds = time.perf_counter() - started
            size = target.tell()
        return seconds, size, peak

    def _synthetic_ledger(self, rows: int) -> User:
        tag = secrets.token_hex(3).upper()
        unit = Unit.objects.add_root(
            {"code": f"BENCH-{tag}", "name": "导出测试市", "kind": UnitKind.AREA, "level": UnitLevel.CITY}
        )
        head = User.objects.create(
            username=f"bench_head_{tag}", full_name="测试科长", unit=unit, roles=[Role.SECTION_HEAD]
        )
        leader = User.objects.create(
            username=f"bench_leader_{tag}", full_name="测试领导", unit=unit, roles=[Role.LEADER]
        )
        today = timezone.localdate()
        text = "按照一个问题、一名领导、一套方案、一个时限的要求，逐户走访、逐项核实、分类化解。" * 4
        for start in range(0, rows, BATCH):
            batch = [
                KeyCase(
                    number=f"BM{tag}-{i:06d}",
                    title=('=HYPERLINK("http://x")' if i % 50 == 0 else f"第{i}号重点信访问题"),
                    problem=text,
                    group_concerned="民办教师",
                    source=Source.SCREENING,
                    head_count=i % 300,
                    risk_level=RiskLevel.MEDIUM,
                    office=unit,
                    owner=leader,
                    responsible_unit=unit,
                    responsible_person=head,
                    stabilizing_unit=unit,
                    measures=text,
                    opened_on=today - timedelta(days=30),
                    resolve_by=today + timedelta(days=i % 90 + 1),
                    status=CaseStatus.RESOLVING,
                    last_progress_on=today,
                    created_by=head,
                )
                for i in range(start, min(start + BATCH, rows))
            ]
            KeyCase.objects.bulk_create(batch)
            ProgressReport.objects.bulk_create(
                ProgressReport(
                    case=case,
                    reported_on=today,
                    unit=unit,
                    author=head,
                    done=text,
                    status_before=CaseStatus.UNRESOLVED,
                    status_after=CaseStatus.RESOLVING,
                )
                for case in batch
            )
        return head
