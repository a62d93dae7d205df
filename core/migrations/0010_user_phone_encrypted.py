"""Office phone numbers stored encrypted; existing plaintext is encrypted under the active key."""

from django.db import migrations

import core.models.encrypted
from core.services.fieldkeys import EncryptedTable, migration_rewrite, table_decrypt_batch, table_reseal_batch

TABLES = [EncryptedTable("core.user", "core_user", "id", ("phone",))]


def encrypt(apps, schema_editor):
    migration_rewrite(TABLES, table_reseal_batch)


def decrypt(apps, schema_editor):
    migration_rewrite(TABLES, table_decrypt_batch)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_inactive_accounts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=core.models.encrypted.EncryptedCharField(
                blank=True, max_length=20, verbose_name="办公电话"
            ),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
