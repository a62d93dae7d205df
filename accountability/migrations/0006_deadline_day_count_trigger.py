"""Keep the daily roll-up of clocks in step with the deadline table, from inside the database, and fill it once."""

from django.db import migrations

# A clock leaves its old roll-up row (counts down) and joins its new one (upsert, counts up); only a change of the
# columns the roll-up keys on fires the trigger.
TRIGGER = """
CREATE FUNCTION accountability_deadline_roll_up() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE accountability_deadlinedaycount SET clocks = clocks - 1
        WHERE unit_id = OLD.unit_id AND kind = OLD.kind AND subject_type = OLD.subject_type
          AND due_on = OLD.due_on AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO accountability_deadlinedaycount AS t (unit_id, kind, subject_type, due_on, status, clocks)
        VALUES (NEW.unit_id, NEW.kind, NEW.subject_type, NEW.due_on, NEW.status, 1)
        ON CONFLICT (unit_id, kind, subject_type, due_on, status) DO UPDATE SET clocks = t.clocks + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER accountability_deadline_roll_up_insert_delete
AFTER INSERT OR DELETE ON accountability_deadline
FOR EACH ROW EXECUTE FUNCTION accountability_deadline_roll_up();

CREATE TRIGGER accountability_deadline_roll_up_update
AFTER UPDATE OF unit_id, kind, subject_type, due_on, status ON accountability_deadline
FOR EACH ROW
WHEN ((OLD.unit_id, OLD.kind, OLD.subject_type, OLD.due_on, OLD.status)
      IS DISTINCT FROM (NEW.unit_id, NEW.kind, NEW.subject_type, NEW.due_on, NEW.status))
EXECUTE FUNCTION accountability_deadline_roll_up();
"""

UNDO = """
DROP TRIGGER IF EXISTS accountability_deadline_roll_up_update ON accountability_deadline;
DROP TRIGGER IF EXISTS accountability_deadline_roll_up_insert_delete ON accountability_deadline;
DROP FUNCTION IF EXISTS accountability_deadline_roll_up();
"""

FILL = """
LOCK TABLE accountability_deadline IN SHARE MODE;
INSERT INTO accountability_deadlinedaycount (unit_id, kind, subject_type, due_on, status, clocks)
SELECT unit_id, kind, subject_type, due_on, status, count(*) FROM accountability_deadline GROUP BY 1, 2, 3, 4, 5
"""


class Migration(migrations.Migration):
    dependencies = [("accountability", "0005_deadline_day_counts")]

    operations = [
        migrations.RunSQL(FILL, "DELETE FROM accountability_deadlinedaycount"),
        migrations.RunSQL(TRIGGER, UNDO),
    ]
