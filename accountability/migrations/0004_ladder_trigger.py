"""Keep deadline.next_step_on armed: set from the ladder whenever a deadline opens, moves its due date or pauses."""

from django.db import migrations

ARM = """
CREATE FUNCTION accountability_deadline_arm_ladder() RETURNS trigger AS $$
BEGIN
    IF NEW.status <> 'open' OR NEW.paused_since IS NOT NULL THEN
        NEW.next_step_on := NULL;
    ELSIF TG_OP = 'INSERT'
        OR NEW.due_on IS DISTINCT FROM OLD.due_on
        OR NEW.status IS DISTINCT FROM OLD.status
        OR NEW.paused_since IS DISTINCT FROM OLD.paused_since THEN
        NEW.next_step_on := NEW.due_on + (
            SELECT min(s.offset_days) FROM accountability_escalationstep s
            WHERE s.kind = NEW.kind AND s.is_active
        );
    ELSE
        NEW.next_step_on := OLD.next_step_on;  -- a save that moved nothing leaves the sweep's progress alone
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER accountability_deadline_arm_ladder
BEFORE INSERT OR UPDATE OF due_on, status, paused_since ON accountability_deadline
FOR EACH ROW EXECUTE FUNCTION accountability_deadline_arm_ladder();
"""

DISARM = """
DROP TRIGGER IF EXISTS accountability_deadline_arm_ladder ON accountability_deadline;
DROP FUNCTION IF EXISTS accountability_deadline_arm_ladder();
"""


class Migration(migrations.Migration):
    dependencies = [("accountability", "0003_ladder_supervision_outbox")]

    operations = [migrations.RunSQL(ARM, DISARM)]
