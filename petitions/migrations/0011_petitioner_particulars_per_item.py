"""Each item keeps its petitioners' particulars as given for it; the person row keeps only the ID number's hash.

Forward, every item gets the particulars its petitioner row holds now (encrypted again under the item row's
column names); backward, a person gets the particulars of their most recent item. Person ids do not change, so the
audit log's rows about them keep pointing at the same person.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

import core.models.encrypted

BATCH = 2000
ENCRYPTED = ("id_number", "phone", "address_detail")
PLAIN_FORWARD = """
    UPDATE petitions_itempetitioner AS link
       SET name = person.name,
           phone_hash = person.phone_hash,
           address_division_id = person.address_division_id,
           updated_at = person.updated_at
      FROM petitions_petitioner AS person
     WHERE person.id = link.petitioner_id
"""
PLAIN_BACKWARD = """
    UPDATE petitions_petitioner AS person
       SET name = link.name,
           phone_hash = link.phone_hash,
           address_division_id = link.address_division_id,
           updated_at = link.updated_at
      FROM (SELECT DISTINCT ON (petitioner_id) *
              FROM petitions_itempetitioner
             ORDER BY petitioner_id, item_id DESC, id DESC) AS link
     WHERE person.id = link.petitioner_id
"""


def _batches(queryset):
    """Rows in primary-key order, a batch at a time, so a large table is never held in memory whole."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _checks_now(schema_editor):
    """Run the deferred foreign-key checks of the rows just written, so the same transaction may alter the table."""
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def particulars_to_items(apps, schema_editor):
    person_model = apps.get_model("petitions", "Petitioner")
    link_model = apps.get_model("petitions", "ItemPetitioner")
    schema_editor.execute(PLAIN_FORWARD)
    # Ciphertexts are bound to their column, so the values are opened and sealed again, never copied as text.
    people = person_model.objects.exclude(id_number="", phone="", address_detail="").only("pk", *ENCRYPTED)
    for batch in _batches(people):
        values = {person.pk: person for person in batch}
        links = list(link_model.objects.filter(petitioner_id__in=values).only("pk", "petitioner_id"))
        for link in links:
            person = values[link.petitioner_id]
            for name in ENCRYPTED:
                setattr(link, name, getattr(person, name))
        link_model.objects.bulk_update(links, ENCRYPTED, batch_size=BATCH)
    _checks_now(schema_editor)


def particulars_to_people(apps, schema_editor):
    person_model = apps.get_model("petitions", "Petitioner")
    link_model = apps.get_model("petitions", "ItemPetitioner")
    schema_editor.execute(PLAIN_BACKWARD)
    for batch in _batches(person_model.objects.only("pk")):
        latest = {}
        for link in link_model.objects.filter(petitioner_id__in=[p.pk for p in batch]).order_by(
            "item_id", "pk"
        ):
            latest[link.petitioner_id] = link
        for person in batch:
            link = latest.get(person.pk)
            for name in ENCRYPTED:
                setattr(person, name, getattr(link, name) if link else "")
        person_model.objects.bulk_update(batch, ENCRYPTED, batch_size=BATCH)
    _checks_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_audit_hash_chain"),
        ("petitions", "0010_item_reach_due_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="itempetitioner",
            name="name",
            field=models.CharField(default="", max_length=50, verbose_name="姓名"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="itempetitioner",
            name="id_number",
            field=core.models.encrypted.EncryptedCharField(
                blank=True, max_length=18, verbose_name="身份证号"
            ),
        ),
        migrations.AddField(
            model_name="itempetitioner",
            name="phone",
            field=core.models.encrypted.EncryptedCharField(
                blank=True, max_length=20, verbose_name="联系电话"
            ),
        ),
        migrations.AddField(
            model_name="itempetitioner",
            name="phone_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name="itempetitioner",
            name="address_division",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.division",
                verbose_name="住址（行政区划）",
            ),
        ),
        migrations.AddField(
            model_name="itempetitioner",
            name="address_detail",
            field=core.models.encrypted.EncryptedCharField(
                blank=True, max_length=200, verbose_name="详细住址"
            ),
        ),
        migrations.AddField(
            model_name="itempetitioner",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(particulars_to_items, particulars_to_people),
        migrations.AddIndex(
            model_name="itempetitioner",
            index=models.Index(fields=["name"], name="itempetitioner_name_idx"),
        ),
        migrations.RemoveIndex(model_name="petitioner", name="petitioner_name_idx"),
        # A default only so that going back can add the column to existing rows before filling it.
        migrations.AlterField(
            model_name="petitioner",
            name="name",
            field=models.CharField(default="", max_length=50, verbose_name="姓名"),
        ),
        migrations.RemoveField(model_name="petitioner", name="address_detail"),
        migrations.RemoveField(model_name="petitioner", name="address_division"),
        migrations.RemoveField(model_name="petitioner", name="id_number"),
        migrations.RemoveField(model_name="petitioner", name="name"),
        migrations.RemoveField(model_name="petitioner", name="phone"),
        migrations.RemoveField(model_name="petitioner", name="phone_hash"),
        migrations.RemoveField(model_name="petitioner", name="updated_at"),
    ]
