"""Seed the benchmark city and its items into an empty database (what the benchmark commands do first).

DATABASE_URL=postgres://…/xinfang_bench python manage.py benchmark_seed --items 1000000
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from benchmarks.seed import benchmark_data_exists, benchmark_seed
from petitions.models import Item


class Command(BaseCommand):
    help = "在空数据库中造基准市（217 个单位及其人员）和指定数量的信访事项及办理时限。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=1_000_000)

    def handle(self, *args: Any, **options: Any) -> None:
        if benchmark_data_exists() or Item.objects.exists():
            raise CommandError("数据库中已有信访事项：请换一个空数据库。")
        benchmark_seed(options["items"], timezone.localdate(), self.stdout.write)
