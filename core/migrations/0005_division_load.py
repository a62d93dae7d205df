"""Load the national administrative divisions from core/data/divisions.csv.gz (parents first, in batches)."""

from django.db import migrations

from core.division_data import LOAD_BATCH_SIZE, garbage_collector_paused, read_division_rows


def load(apps, schema_editor):
    Division = apps.get_model("core", "Division")
    AuditEvent = apps.get_model("core", "AuditEvent")
    if Division.objects.exists():
        return
    count = 0
    batch = []
    with garbage_collector_paused():
        for code, name, level, parent_code in read_division_rows():
            batch.append(Division(code=code, name=name, level=level, parent_id=parent_code))
            if len(batch) == LOAD_BATCH_SIZE:
                Division.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        if batch:
            Division.objects.bulk_create(batch)
            count += len(batch)
    AuditEvent.objects.create(
        action="core.divisions.loaded",
        object_type="core.division",
        object_repr="载入全国行政区划",
        detail={"rows": count},
    )


def unload(apps, schema_editor):
    Division = apps.get_model("core", "Division")
    # Detach every row first so the PROTECT foreign key does not refuse deleting parents with their children.
    Division.objects.update(parent=None)
    Division.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_division")]

    operations = [migrations.RunPython(load, unload)]
