"""A trigram index on the petitioner's name as given per item, for the list's search by partial name."""

import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0014_item_counting_unit"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="itempetitioner",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["name"], name="itempetitioner_name_trgm_idx", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
