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
from accountability.sweep import BATCH_SQL, batch_params, sweep
from core.choices import Role, UnitKind, UnitLevel
from core.models import Unit, User
from core.selectors import calendar_version_current
from petitions.choices import HANDLING, ITEM_SUBJECT
from petitions.models import Category, Item

ROOT_CODE = "BM0000"
COUNTIES = 12
DEPARTMENTS_PER_COUNTY = 2
TOWNSHIPS_PER_COUNTY = 15
SPREAD_DAYS = 730  # items are spread evenly over two years up to today
CHUNK = 100_000

ITEMS_SQL = """
INSERT INTO petitions_item (
    number, query_code, channel, purpose, item_type, problem_address, complained_unit_name, received_on,
    registered_on, registered_at, summary, demand, head_count, markers, status, route, outcome, satisfaction,
    review_decision, recheck_decision, close_reason, repeat_count, refusal_reason, version, updated_at,
    category_id, registered_by_id, registered_unit_id, responsible_unit_id, assigned_on, accepted_on
)
SELECT
    'BM' || lpad(g::text, 9, '0'), 'BENCHMRK', (ARRAY['visit', 'letter'])[1 + g %% 2], 'demand', 'appeal_demand',
    '', '', %(today)s - (g %% %(spread)s), %(today)s - (g %% %(spread)s), now(),
    '基准测试事项第' || g || '件：拖欠工资纠纷', '请求处理', 1, '{}',
    CASE WHEN %(today)s - (g %% %(spread)s) + 60 < %(today)s - 90 THEN 'closed' ELSE 'accepted' END,
    '', '', '', '', '', '', 0, '', 1, now(),
    %(category)s, %(clerk)s, units.ids[1 + g %% array_length(units.ids, 1)],
    units.ids[1 + g %% array_length(units.ids, 1)],
    %(today)s - (g %% %(spread)s), %(today)s - (g %% %(spread)s)
FROM generate_series(%(first)s, %(last)s) AS g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM core_unit WHERE path LIKE %(prefix)s AND depth > 1) AS units
"""

DEADLINES_SQL = """
INSERT INTO accountability_deadline (
    subject_type, subject_id, kind, unit_id, responsible_id, starts_on, days, day_unit, roll_forward,
    extension_days, paused_days, nominal_on, due_on, calendar_version, provisional, fixed, status, met_on, opened_at,
    closed_at
)
SELECT
    %(subject)s, i.id, %(kind)s, i.responsible_unit_id, h.id, i.accepted_on, 60, 'calendar', false,
    0, 0, i.accepted_on + 60, i.accepted_on + 60, %(version)s, false, false,
    CASE WHEN i.status = 'closed' THEN (CASE WHEN i.id %% 10 = 0 THEN 'met_late' ELSE 'met_on_time' END)
         ELSE 'open' END,
    CASE WHEN i.status = 'closed' THEN i.accepted_on + (CASE WHEN i.id %% 10 = 0 THEN 70 ELSE 45 END) END,
    now(),
    CASE WHEN i.status = 'closed' THEN now() END
FROM petitions_item i
JOIN LATERAL (
    SELECT u.id FROM core_user u WHERE u.unit_id = i.responsible_unit_id AND 'handler' = ANY(u.roles) LIMIT 1
) h ON true
WHERE i.number LIKE 'BM%%' AND i.id BETWEEN %(first)s AND %(last)s
"""


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
            if Item.objects.exists() or Unit.objects.filter(code=ROOT_CODE).exists():
                raise CommandError(
                    "数据库中已有信访事项：请换一个空数据库，或用 --reuse 沿用上次的基准数据。"
                )
            self._seed(items, today)
        self._report_counts(today)
        self._run("首轮巡检（全部已超期）", today, batch)
        self._run("空转（同日再巡检）", today, batch)
        self._run("稳态（次日新到期）", today + timedelta(days=1), batch)
        self._run("空转（次日再巡检）", today + timedelta(days=1), batch)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"本进程内存峰值：{peak:.0f} MB（巡检在数据库中完成，Python 端不随数据量增长）")

    # --- seeding ---

    def _seed(self, items: int, today: date) -> None:
        started = time.perf_counter()
        clerk = self._units_and_people()
        category = Category.objects.filter(depth=2).order_by("pk").first()
        if category is None:
            raise CommandError("缺少内容分类参考数据：请先执行 migrate。")
        version = calendar_version_current()
        prefix = Unit.objects.get(code=ROOT_CODE).path + "%"
        for first in range(1, items + 1, CHUNK):
            last = min(first + CHUNK - 1, items)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    ITEMS_SQL,
                    {
                        "today": today,
                        "spread": SPREAD_DAYS,
                        "category": category.pk,
                        "clerk": clerk.pk,
                        "prefix": prefix,
                        "first": first,
                        "last": last,
                    },
                )
            self.stdout.write(f"  已造事项 {last:,}/{items:,}（{time.perf_counter() - started:.0f} 秒）")
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id), max(id) FROM petitions_item WHERE number LIKE 'BM%%'")
            low, high = cursor.fetchone()
        for first in range(low, high + 1, CHUNK):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    DEADLINES_SQL,
                    {
                        "subject": ITEM_SUBJECT,
                        "kind": HANDLING,
                        "version": version,
                        "first": first,
                        "last": first + CHUNK - 1,
                    },
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE petitions_item")
            cursor.execute("ANALYZE accountability_deadline")
        self.stdout.write(
            f"造数完成：{items:,} 件事项及其办理时限，用时 {time.perf_counter() - started:.1f} 秒"
        )

    def _units_and_people(self) -> User:
        root = Unit.add_root(code=ROOT_CODE, name="基准市", kind=UnitKind.AREA, level=UnitLevel.CITY)
        people: list[User] = []
        for county_number in range(1, COUNTIES + 1):
            county = root.add_child(
                code=f"BM{county_number:02d}00",
                name=f"基准{county_number}区",
                kind=UnitKind.AREA,
                level=UnitLevel.COUNTY,
            )
            below = [
                county.add_child(
                    code=f"BM{county_number:02d}D{n}",
                    name=f"基准{county_number}区部门{n}",
                    kind=UnitKind.DEPARTMENT,
                    level=UnitLevel.COUNTY,
                )
                for n in range(1, DEPARTMENTS_PER_COUNTY + 1)
            ] + [
                county.add_child(
                    code=f"BM{county_number:02d}{n:02d}",
                    name=f"基准{county_number}区{n}街道",
                    kind=UnitKind.AREA,
                    level=UnitLevel.TOWNSHIP,
                )
                for n in range(1, TOWNSHIPS_PER_COUNTY + 1)
            ]
            for unit in [county, *below]:
                for role in (Role.HANDLER, Role.SECTION_HEAD, Role.LEADER):
                    people.append(
                        User(username=f"bm_{unit.code}_{role}", full_name="基准用户", unit=unit, roles=[role])
                    )
        people += [
            User(username=f"bm_supervisor_{n}", full_name="基准督查", unit=root, roles=[Role.SUPERVISOR])
            for n in range(1, 4)
        ]
        clerk = User(username="bm_clerk", full_name="基准登记员", unit=root, roles=[Role.CLERK])
        for person in [*people, clerk]:
            person.set_unusable_password()
        User.objects.bulk_create([*people, clerk])
        units = Unit.objects.filter(path__startswith=root.path).count()
        self.stdout.write(f"基准单位 {units} 个，用户 {len(people) + 1} 个")
        return User.objects.get(username="bm_clerk")

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
