"""The ledger's deadline rules, and progress reports made append-only by a trigger."""

from django.db import migrations

from ledger.seed_data import ledger_rules_load

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
    ledger_rules_load(apps.get_model("accountability", "DeadlineRule"))


def unseed(apps, schema_editor):
    apps.get_model("accountability", "DeadlineRule").objects.filter(kind__startswith="ledger.").delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("accountability", "0002_fixed_due_dates")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunSQL(REFUSE, ALLOW),
    ]
