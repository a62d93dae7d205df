"""Load the holiday schedules of the chinesecalendar package (2004–2026) as calendar version 1.

The schedules are frozen in data/0003_calendar_seed.json (chinesecalendar 1.11.0, as this migration first loaded
them), read by path: upgrading the package or editing core/calendar_seed.py never changes what this migration
writes. Later years come from core.services.calendar (the package, or a State Council notice entered by hand).
"""

import datetime
import json
from pathlib import Path

from django.db import migrations

FROZEN = Path(__file__).resolve().parent / "data" / "0003_calendar_seed.json"


def frozen_calendar():
    """(years, [(date, kind, name), …]) as the package had them when this migration was written."""
    data = json.loads(FROZEN.read_text(encoding="utf-8"))
    days = [(datetime.date.fromisoformat(day), kind, name) for day, kind, name in data["days"]]
    return data["years"], days


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarRevision = apps.get_model("core", "CalendarRevision")
    AuditEvent = apps.get_model("core", "AuditEvent")
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    frozen_years, frozen_days = frozen_calendar()
    years = [year for year in frozen_years if year not in existing]
    if not years:
        return
    CalendarYear.objects.bulk_create([CalendarYear(year=year, source="package") for year in years])
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, kind=kind, name=name, notice_year_id=day.year)
            for day, kind, name in frozen_days
            if day.year in years
        ]
    )
    revision = CalendarRevision.objects.create(years=years, note="载入内置节假日数据")
    AuditEvent.objects.create(
        action="core.calendar.seeded",
        object_type="core.calendarrevision",
        object_id=str(revision.pk),
        object_repr=revision.note,
        detail={"years": years},
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
