"""Petitioners' ID numbers, phones and addresses and items' problem addresses stored encrypted, existing rows included."""

from django.db import migrations

import core.models.encrypted
from core.services.fieldkeys import EncryptedTable, migration_rewrite, table_decrypt_batch, table_reseal_batch

TABLES = [
    EncryptedTable("petitions.item", "petitions_item", "id", ("problem_address",)),
    EncryptedTable(
        "petitions.petitioner", "petitions_petitioner", "id", ("id_number", "phone", "address_detail")
    ),
]


def encrypt(apps, schema_editor):
    migration_rewrite(TABLES, table_reseal_batch)


def decrypt(apps, schema_editor):
    migration_rewrite(TABLES, table_decrypt_batch)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0006_month_roll_up_trigger"),
    ]

    operations = [
        migrations.AlterField(
            model_name="item",
            name="problem_address",
            field=core.models.encrypted.EncryptedCharField(
                blank=True, max_length=200, verbose_name="问题发生地详址"
            ),
        ),
        migrations.AlterField(
            model_name="petitioner",
            name="address_detail",
            field=core.models.encrypted.EncryptedCharField(
                blank=True, max_length=200, verbose_name="详细住址"
            ),
        ),
        migrations.AlterField(
            model_name="petitioner",
            name="id_number",
            field=core.models.encrypted.EncryptedCharField(
                blank=True, max_length=18, verbose_name="身份证号"
            ),
        ),
        migrations.AlterField(
            model_name="petitioner",
            name="phone",
            field=core.models.encrypted.EncryptedCharField(
                blank=True, max_length=20, verbose_name="联系电话"
            ),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
