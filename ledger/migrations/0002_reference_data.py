"""The ledger's deadline rules as they were when this migration was written, and append-only progress reports.

The rules are frozen here on purpose: this migration imports nothing from the project, so editing
ledger/deadline_rules.py later never changes what it writes. A later change to a rule is a new migration
(docs/development/changing-a-rule.md).
"""

from django.db import migrations

# The DeadlineRule rows (accountability_deadlinerule), one dict per kind.
RULES = [
    {
        "kind": "ledger.resolve",
        "label": "化解时限",
        "days": 90,
        "day_unit": "calendar",
        "roll_forward": False,
        "is_obligation": True,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 7,
        "article": "包案领导确定的化解时限（默认90日）",
    },
    {
        "kind": "ledger.screening",
        "label": "排查报告",
        "days": 2,
        "day_unit": "working",
        "roll_forward": True,
        "is_obligation": True,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 1,
        "article": "每周一排查、每周一通报、每周一反馈",
    },
    {
        "kind": "ledger.daily",
        "label": "敏感时期日报",
        "days": 1,
        "day_unit": "calendar",
        "roll_forward": False,
        "is_obligation": True,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 0,
        "article": "敏感时期每日报告（含零报告）",
    },
]

REFUSE = """
CREATE OR REPLACE FUNCTION ledger_progressreport_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'progress reports cannot be changed after submission (% refused); add a correction', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER ledger_progressreport_append_only
    BEFORE UPDATE OR DELETE ON ledger_progressreport
    FOR EACH ROW EXECUTE FUNCTION ledger_progressreport_refuse_change();
"""

ALLOW = """
DROP TRIGGER IF EXISTS ledger_progressreport_append_only ON ledger_progressreport;
DROP FUNCTION IF EXISTS ledger_progressreport_refuse_change();
"""


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("accountability", "DeadlineRule")
    for rule in RULES:
        values = dict(rule)
        DeadlineRule.objects.update_or_create(kind=values.pop("kind"), defaults=values)


def unseed(apps, schema_editor):
    apps.get_model("accountability", "DeadlineRule").objects.filter(kind__startswith="ledger.").delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("accountability", "0002_fixed_due_dates")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunSQL(REFUSE, ALLOW),
    ]
