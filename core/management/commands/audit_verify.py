"""Walk the audit hash chain and report the first broken row; exits non-zero when the chain does not hold."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.audit.chain import audit_chain_verify


class Command(BaseCommand):
    help = "核验审计记录哈希链：逐条重算哈希，报告核验条数与第一条断链记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = audit_chain_verify()
        seconds = time.perf_counter() - started
        span = f"链序号 {report.anchor_seq + 1}–{report.head_seq}"
        if report.broken is None:
            self.stdout.write(
                f"审计哈希链完整：已核验 {report.checked:,} 条（{span}，用时 {seconds:.1f} 秒）"
            )
            return
        broken = report.broken
        when = f"{timezone.localtime(broken.occurred_at):%Y-%m-%d %H:%M:%S}" if broken.occurred_at else "—"
        self.stdout.write(f"已核验 {report.checked:,} 条（{span}）后发现断链。")
        raise CommandError(
            f"审计哈希链断裂：记录 id={broken.event_id}，时间 {when}，操作 {broken.action or '—'}：{broken.reason}"
        )
