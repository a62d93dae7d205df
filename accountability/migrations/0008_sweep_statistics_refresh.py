"""A function the sweep calls to refresh the statistics of the tables it writes once they have doubled in size."""

from django.db import migrations

# ANALYZE needs the table's owner (or, from PostgreSQL 17, the MAINTAIN privilege), and the application runs as a
# role that owns nothing (see db_grant_app_role): the function runs with its owner's rights, the one thing it can do
# is sample two fixed tables, and only those that have grown to twice the pages (and at least `min_pages`) they had
# when their statistics were last taken. SKIP_LOCKED: a table being vacuumed or analyzed right now gets fresh
# statistics from that, and the sweep does not wait for it.
REFRESH = """
CREATE FUNCTION accountability_sweep_statistics_refresh(min_pages integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    grown regclass;
    refreshed integer := 0;
BEGIN
    FOR grown IN
        SELECT c.oid::regclass FROM pg_class c
        WHERE c.oid IN ('accountability_escalation'::regclass, 'accountability_notification'::regclass)
          AND pg_relation_size(c.oid) / current_setting('block_size')::integer
              >= greatest(min_pages, 1, 2 * c.relpages)
        ORDER BY c.relname
    LOOP
        EXECUTE format('ANALYZE (SKIP_LOCKED) %s', grown);
        refreshed := refreshed + 1;
    END LOOP;
    RETURN refreshed;
END;
$$;
"""

UNDO = "DROP FUNCTION IF EXISTS accountability_sweep_statistics_refresh(integer);"


class Migration(migrations.Migration):
    dependencies = [("accountability", "0007_record_versions")]

    operations = [migrations.RunSQL(REFRESH, UNDO)]
