"""Moving encrypted columns to the active cipher and key (and plaintext into them), in audited batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from core.audit.record import audit_record
from core.fieldcrypt import active_tag, field_decrypt, field_encrypt, is_encrypted
from core.models import User
from core.models.encrypted import EncryptedCharField


@dataclass(frozen=True)
class EncryptedTable:
    """A table with encrypted columns; `label` is the model label the ciphertexts are bound to."""

    label: str
    table: str
    pk: str
    columns: tuple[str, ...]


def encrypted_tables() -> list[EncryptedTable]:
    """Every model with an encrypted field, from the app registry."""
    found = []
    for model in apps.get_models():
        columns = tuple(
            str(field.column)
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedCharField)
        )
        if columns:
            pk = str(model._meta.pk.column)
            found.append(EncryptedTable(model._meta.label_lower, model._meta.db_table, pk, columns))
    return sorted(found, key=lambda table: table.table)


def _reseal(value: str, associated: str) -> str:
    """Re-encrypt under the active key; plaintext left over from before encryption is encrypted as it is."""
    if not value or value.startswith(active_tag()):
        return value
    plaintext = field_decrypt(value, associated) if is_encrypted(value) else value
    return field_encrypt(plaintext, associated)


def _open(value: str, associated: str) -> str:
    return field_decrypt(value, associated) if value and is_encrypted(value) else value


def _rewrite_batch(
    target: EncryptedTable,
    *,
    after: int,
    size: int,
    transform: Callable[[str, str], str],
    pending_sql: str,
) -> tuple[int, int | None]:
    """Rewrite up to `size` rows past `after` that match `pending_sql`; return (rows rewritten, last key seen)."""
    quoted = [connection.ops.quote_name(column) for column in target.columns]
    table, pk = connection.ops.quote_name(target.table), connection.ops.quote_name(target.pk)
    pending = " OR ".join(pending_sql.format(column=column) for column in quoted)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {', '.join(quoted)} FROM {table} "  # noqa: S608  # nosec B608  # names from the model registry
            f"WHERE {pk} > %(after)s AND ({pending}) ORDER BY {pk} LIMIT %(size)s FOR UPDATE",
            {"after": after, "size": size, "tag": active_tag()},
        )
        rows = cursor.fetchall()
        if not rows:
            return 0, None
        columns = list(zip(*rows, strict=True))
        new_values = [
            [transform(value, f"{target.label}.{name}") for value in values]
            for name, values in zip(target.columns, columns[1:], strict=True)
        ]
        assignments = ", ".join(f"{column} = v.c{index}" for index, column in enumerate(quoted))
        unnested = ", ".join(f"%(c{index})s::text[]" for index in range(len(quoted)))
        names = ", ".join(f"c{index}" for index in range(len(quoted)))
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} "  # noqa: S608  # nosec B608  # names from the model registry
            f"FROM unnest(%(keys)s, {unnested}) AS v(k, {names}) WHERE t.{pk} = v.k",
            {"keys": list(columns[0]), **{f"c{index}": values for index, values in enumerate(new_values)}},
        )
    return len(rows), rows[-1][0]


RESEAL_PENDING = "({column} <> '' AND left({column}, length(%(tag)s)) <> %(tag)s)"
OPEN_PENDING = "{column} <> ''"


def table_reseal_batch(target: EncryptedTable, *, after: int, size: int) -> tuple[int, int | None]:
    """One batch of rows not yet wholly under the active key, re-encrypted; call inside a transaction."""
    return _rewrite_batch(target, after=after, size=size, transform=_reseal, pending_sql=RESEAL_PENDING)


def table_decrypt_batch(target: EncryptedTable, *, after: int, size: int) -> tuple[int, int | None]:
    """One batch written back as plaintext: only for undoing the encryption migrations."""
    return _rewrite_batch(target, after=after, size=size, transform=_open, pending_sql=OPEN_PENDING)


def field_keys_rotate(*, actor: User | None, size: int, say: Callable[[str], None] = lambda _: None) -> int:
    """Re-encrypt every encrypted column under the active cipher and key, one transaction and audit row per batch."""
    total = 0
    for target in encrypted_tables():
        after, done = 0, 0
        while True:
            with transaction.atomic():
                changed, last = table_reseal_batch(target, after=after, size=size)
                if not changed or last is None:
                    break
                audit_record(
                    actor=actor,
                    action="core.field_keys.rotated",
                    object_type=target.label,
                    object_repr=target.table,
                    changed_fields=target.columns,
                    detail={
                        "rows": changed,
                        "after_id": str(after),
                        "to_id": str(last),
                        "cipher": settings.XF_FIELD_CIPHER,
                        "key_id": settings.XF_FIELD_KEY_ID,
                    },
                )
            done += changed
            after = last
            say(f"{target.table}：已换用当前密钥 {done:,} 行")
        total += done
    return total


def migration_rewrite(
    targets: list[EncryptedTable], batch: Callable[..., tuple[int, int | None]], size: int = 2000
) -> None:
    """Run `batch` over whole tables inside a migration's own transaction (migrations leave no audit rows)."""
    for target in targets:
        after: int = 0
        while True:
            changed, last = batch(target, after=after, size=size)
            if not changed or last is None:
                break
            after = last
