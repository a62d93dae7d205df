"""Measure the leader dashboard at provincial scale: server time of the page, cold and warm, beside its SQL time.

Runs on the benchmark database of `sweep_benchmark` (seeding it first when empty):

    DATABASE_URL=postgres://…/xinfang_bench python manage.py dashboard_benchmark --items 1000000
"""

from __future__ import annotations

import json
import secrets
import statistics
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from benchmarks.seed import benchmark_data_exists, benchmark_root, benchmark_seed
from core.auth.twofactor import otp_devices_confirmed
from core.models import Unit, User
from core.services.twofactor import otp_device_bootstrap
from dashboard.forms import DashboardPeriodForm
from dashboard.situation import (
    MONTHLY_SQL,
    ROLLUP_SQL,
    SUBTREE_SQL,
    WORKLOAD_SQL,
    has_whole_months,
    situation_sql_params,
)
from petitions.models import Item
from petitions.projections.subtree_sums import subtree_months_refresh

ROUNDS = 5


class Command(BaseCommand):
    help = "在基准数据库上测量领导驾驶舱的服务端耗时（冷、热），并列出底层 SQL 的执行时间。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=1_000_000, help="数据库为空时先造这么多件事项")

    def handle(self, *args: Any, **options: Any) -> None:
        if not benchmark_data_exists():
            if Item.objects.exists():
                raise CommandError("数据库中已有非基准数据：请换一个空数据库。")
            benchmark_seed(options["items"], timezone.localdate(), self.stdout.write)
        started = time.perf_counter()
        summed = subtree_months_refresh()  # what the periodic task does; months it has not summed read slower
        self.stdout.write(
            f"按子树汇总 {len(summed)} 个月（{(time.perf_counter() - started) * 1000:.0f} 毫秒）"
        )
        root = benchmark_root()
        county = Unit.objects.filter(path__startswith=root.path, depth=2).order_by("path").first()
        assert county is not None  # nosec B101  # narrows the type: the checks above guarantee it
        self.stdout.write(
            f"事项 {Item.objects.count():,} 件，单位 {Unit.objects.filter(path__startswith=root.path).count()} 个"
        )
        for unit, who in ((root, "bm_leader"), (county, f"bm_{county.code}_leader")):
            for period in ("year", "month"):
                self._measure(unit, User.objects.get(username=who), period)

    def _measure(self, unit: Unit, user: User, period: str) -> None:
        hosts = [host for host in settings.ALLOWED_HOSTS if host and not host.startswith(".") and host != "*"]
        client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
        client.force_login(user)
        # A leader's session counts only once a second factor verified it, as after the code step of sign-in.
        device = otp_devices_confirmed(user).first() or otp_device_bootstrap(
            user_id=user.pk, key_hex=secrets.token_hex(20)
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        url = reverse("dashboard:overview") + f"?unit={unit.pk}&period={period}"
        cold, warm, queries = [], [], 0
        for _round in range(ROUNDS):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                cold.append((time.perf_counter() - started) * 1000)
            queries = len(captured.captured_queries)
            if response.status_code != 200:
                raise CommandError(f"驾驶舱返回 {response.status_code}")
            started = time.perf_counter()
            client.get(url)
            warm.append((time.perf_counter() - started) * 1000)
        form = DashboardPeriodForm({"period": period})
        form.is_valid()
        chosen, _label, trend = form.chosen()
        params = situation_sql_params(unit, chosen, trend_unit=trend)
        sql = {
            name: self._server_ms(statement, params)
            for name, statement, needed in (
                ("日汇总", ROLLUP_SQL, True),
                ("子树月汇总", SUBTREE_SQL, has_whole_months(params)),
                ("月汇总", MONTHLY_SQL, bool(params["changed_months"])),
                ("在办", WORKLOAD_SQL, True),
            )
            if needed
        }
        self.stdout.write(
            f"{unit.name}（{'本年' if period == 'year' else '本月'}，{chosen.start}—{chosen.end}）："
            f"冷 中位 {statistics.median(cold):.0f} 毫秒（最慢 {max(cold):.0f}），"
            f"热 中位 {statistics.median(warm):.1f} 毫秒；查询 {queries} 条；"
            + "，".join(f"{name}语句数据库执行 {ms:.0f} 毫秒" for name, ms in sql.items())
        )

    def _server_ms(self, statement: str, params: dict[str, Any]) -> float:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return float(plan[0]["Execution Time"])
