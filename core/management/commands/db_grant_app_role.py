"""Give the role the application runs as everything it needs, except changing or deleting audit rows."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from psycopg2 import sql

# The application reads and writes every table, but may only append to the audit log: the chain trigger and the
# purge function run with their owner's rights, so the role needs no write access to the chain marks at all.
GRANTS = [
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
    "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON core_auditevent FROM {role}",
    "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON core_auditchainmark FROM {role}",
]


class Command(BaseCommand):
    help = "为应用运行所用的数据库角色授权：可读写业务表，审计记录只能追加、不能修改或删除（迁移后运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="应用连接数据库所用的角色名")
        parser.add_argument(
            "--password-env", help="若角色不存在，用此环境变量中的密码创建它（可登录、非超级用户）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        role = sql.Identifier(options["role"])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [options["role"]])
            if cursor.fetchone() is None:
                password = os.environ.get(options["password_env"] or "", "")
                if not password:
                    raise CommandError(
                        f"数据库角色 {options['role']} 不存在，且未给出其密码（--password-env）"
                    )
                cursor.execute(
                    sql.SQL(
                        "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {pw}"
                    ).format(role=role, pw=sql.Literal(password))
                )
            cursor.execute("SELECT current_schema()")
            (schema_name,) = cursor.fetchone() or ("public",)
            schema = sql.Identifier(schema_name)
            for statement in GRANTS:
                cursor.execute(sql.SQL(statement).format(schema=schema, role=role))
        self.stdout.write(f"已为数据库角色 {options['role']} 授权（审计记录只能追加）")
