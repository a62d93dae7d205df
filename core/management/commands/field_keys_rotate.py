"""Re-encrypt the personal-data columns under the active cipher and key (XF_FIELD_CIPHER, XF_FIELD_KEY_ID)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from core.services.fieldkeys import field_keys_rotate


class Command(BaseCommand):
    help = "把加密存储的身份证号、电话、住址改用当前密钥（XF_FIELD_KEY_ID）重新加密，分批进行，每批一条审计记录。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="每批（一个事务）的行数")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        total = field_keys_rotate(actor=None, size=max(1, options["batch"]), say=self.stdout.write)
        self.stdout.write(
            f"已改用 {settings.XF_FIELD_CIPHER} 密钥 {settings.XF_FIELD_KEY_ID} 重新加密 {total:,} 行，"
            f"用时 {time.perf_counter() - started:.1f} 秒"
        )
