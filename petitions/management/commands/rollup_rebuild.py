"""Recompute the daily roll-up of items from the item table, after a bulk load or to repair it."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from petitions.rollup import rollup_mismatches, rollup_rebuild


class Command(BaseCommand):
    help = "按信访事项重算每日汇总表（单位 × 日 × 形式 × 分类 × 目的 × 状态），可只核对不重算。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--first", type=date.fromisoformat, help="起始日（默认最早的信访日期）")
        parser.add_argument("--last", type=date.fromisoformat, help="截止日（默认最晚的信访日期）")
        parser.add_argument("--check", action="store_true", help="只核对，列出与直接计数不一致的日期")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["check"]:
            first = options["first"] or date(1990, 1, 1)
            last = options["last"] or date(2999, 12, 31)
            drifted = rollup_mismatches(first=first, last=last)
            seconds = time.perf_counter() - started
            if drifted:
                listed = "、".join(f"{day:%Y-%m-%d}" for day in drifted[:20])
                self.stdout.write(f"不一致的日期 {len(drifted)} 个：{listed}（核对用时 {seconds:.1f} 秒）")
            else:
                self.stdout.write(f"汇总表与直接计数一致（核对用时 {seconds:.1f} 秒）")
            return
        result = rollup_rebuild(first=options["first"], last=options["last"])
        self.stdout.write(
            f"已重算 {result.days:,} 天，写入汇总行 {result.rows:,} 行，用时 {time.perf_counter() - started:.1f} 秒"
        )
