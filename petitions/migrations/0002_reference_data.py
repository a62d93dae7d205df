"""The petition deadline rules and the seeded category tree."""

from django.db import migrations

from petitions.seed_data import reference_data_load


def seed(apps, schema_editor):
    reference_data_load(
        apps.get_model("accountability", "DeadlineRule"), apps.get_model("petitions", "Category")
    )


def unseed(apps, schema_editor):
    apps.get_model("petitions", "Category").objects.all().delete()
    apps.get_model("accountability", "DeadlineRule").objects.filter(kind__startswith="petition.").delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial"), ("accountability", "0001_initial")]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
