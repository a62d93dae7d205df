"""A partial index of the reach by earliest due date, for overdue and due-soon lists most pressing first: only
items with an open obligation carry a date."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_audit_hash_chain"),
        ("petitions", "0009_item_reach"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="itemreach",
            index=models.Index(
                condition=models.Q(("obligation_due_on__isnull", False)),
                fields=["unit", "obligation_due_on", "item"],
                include=("status", "channel"),
                name="itemreach_due_idx",
            ),
        ),
    ]
