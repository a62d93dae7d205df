"""Delete audit rows recorded before a date at least 184 days ago; younger rows are refused."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.audit.purge import audit_purge
from core.errors import DomainError


class Command(BaseCommand):
    help = "清理某日以前的审计记录（至少保留 184 天），哈希链锚点随之前移，其余记录仍可核验。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before", type=date.fromisoformat, required=True, help="清理此日（不含）以前的记录"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            removed = audit_purge(before=options["before"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已清理 {options['before']:%Y-%m-%d} 以前的审计记录 {removed:,} 条")
