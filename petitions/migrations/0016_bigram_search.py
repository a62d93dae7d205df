"""Bigram indexes for two-character search terms (a name such as 王芳, a word such as 工资), which have no trigram:
the function `petitions_bigrams` and GIN indexes of it on the item's summary and demand and the petitioner's name."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

BIGRAMS = """
CREATE FUNCTION petitions_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(folded.text, i, 2)), '{}')
    FROM (SELECT upper(value) AS text) AS folded, generate_series(1, char_length(folded.text) - 1) AS i
$$;
"""


def bigram_index(field: str, name: str) -> django.contrib.postgres.indexes.GinIndex:
    return django.contrib.postgres.indexes.GinIndex(
        models.Func(
            models.F(field),
            function="petitions_bigrams",
            output_field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), size=None),
        ),
        name=name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0015_itempetitioner_name_trgm"),
    ]

    operations = [
        migrations.RunSQL(BIGRAMS, reverse_sql="DROP FUNCTION petitions_bigrams(text);"),
        migrations.AddIndex(model_name="item", index=bigram_index("summary", "item_summary_bigram_idx")),
        migrations.AddIndex(model_name="item", index=bigram_index("demand", "item_demand_bigram_idx")),
        migrations.AddIndex(
            model_name="itempetitioner", index=bigram_index("name", "itempetitioner_name_bigram_idx")
        ),
    ]
