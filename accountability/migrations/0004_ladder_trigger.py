"""Keep the sweep's work list (ladder positions) in step with the deadlines, from inside the database."""

from django.db import migrations

ARM = """
CREATE FUNCTION accountability_deadline_arm_ladder() RETURNS trigger AS $$
DECLARE
    first_rung date;
BEGIN
    IF NEW.status <> 'open' OR NEW.paused_since IS NOT NULL THEN
        DELETE FROM accountability_ladderposition WHERE deadline_id = NEW.id;
    ELSIF TG_OP = 'INSERT'
        OR NEW.due_on IS DISTINCT FROM OLD.due_on
        OR NEW.status IS DISTINCT FROM OLD.status
        OR NEW.paused_since IS DISTINCT FROM OLD.paused_since THEN
        first_rung := NEW.due_on + (
            SELECT min(s.offset_days) FROM accountability_escalationstep s
            WHERE s.kind = NEW.kind AND s.is_active
        );
        IF first_rung IS NULL THEN
            DELETE FROM accountability_ladderposition WHERE deadline_id = NEW.id;
        ELSE
            INSERT INTO accountability_ladderposition (deadline_id, next_step_on) VALUES (NEW.id, first_rung)
            ON CONFLICT (deadline_id) DO UPDATE SET next_step_on = EXCLUDED.next_step_on;
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER accountability_deadline_arm_ladder
AFTER INSERT OR UPDATE OF due_on, status, paused_since ON accountability_deadline
FOR EACH ROW EXECUTE FUNCTION accountability_deadline_arm_ladder();
"""

DISARM = """
DROP TRIGGER IF EXISTS accountability_deadline_arm_ladder ON accountability_deadline;
DROP FUNCTION IF EXISTS accountability_deadline_arm_ladder();
"""


class Migration(migrations.Migration):
    dependencies = [("accountability", "0003_ladder_supervision_outbox")]

    operations = [migrations.RunSQL(ARM, DISARM)]
