"""Load the holiday schedules shipped in the chinesecalendar package (2004–2026) as calendar version 1."""

from django.db import migrations

from core.calendar_seed import package_days, package_years


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarRevision = apps.get_model("core", "CalendarRevision")
    AuditEvent = apps.get_model("core", "AuditEvent")
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    years = [year for year in package_years() if year not in existing]
    if not years:
        return
    CalendarYear.objects.bulk_create([CalendarYear(year=year, source="package") for year in years])
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, kind=kind, name=name, notice_year_id=day.year)
            for day, kind, name in package_days()
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
