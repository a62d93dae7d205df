"""Make the audit table append-only: a trigger refuses UPDATE and DELETE; also enable pg_trgm."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

REFUSE = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on core_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();
"""

ALLOW = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(REFUSE, ALLOW),
    ]
