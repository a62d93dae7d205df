"""First installation: create the root unit and the three separate admin accounts (三员)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.choices import Role, UnitKind, UnitLevel
from core.errors import DomainError
from core.selectors import unit_root_by_code
from core.services.units import unit_create
from core.services.users import user_create, user_roles_bootstrap


class Command(BaseCommand):
    help = "首次安装：创建根单位和系统管理员、安全管理员、审计管理员三个账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit-code", required=True, help="根单位编码，如 LJ")
        parser.add_argument("--unit-name", required=True, help="根单位名称，如 临江市")
        parser.add_argument("--division-code", default="", help="行政区划代码")
        parser.add_argument("--password", required=True, help="三个账号的初始密码（首次登录后请修改）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                root = unit_root_by_code(options["unit_code"])
                if root is None:
                    root = unit_create(
                        actor=None,
                        parent_id=None,
                        code=options["unit_code"],
                        name=options["unit_name"],
                        kind=UnitKind.AREA,
                        level=UnitLevel.CITY,
                        division_code=options["division_code"],
                    )
                for username, full_name, role in (
                    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN),
                    ("secadmin", "安全管理员", Role.SECURITY_ADMIN),
                    ("auditor", "审计管理员", Role.AUDIT_ADMIN),
                ):
                    user = user_create(
                        actor=None,
                        username=username,
                        password=options["password"],
                        force_change=True,
                        full_name=full_name,
                        unit_id=root.pk,
                    )
                    user_roles_bootstrap(user_id=user.pk, roles=[role])
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write("已创建 sysadmin、secadmin、auditor 三个账号。")
