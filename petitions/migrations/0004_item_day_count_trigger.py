"""Keep the daily roll-up of items in step with the item table, from inside the database, and fill it once."""

from django.db import migrations

# An item leaves its old roll-up row (counts down) and joins its new one (upsert, counts up). Only the columns the
# roll-up keys or counts on fire the trigger, and only when one of them really changed.
TRIGGER = """
CREATE FUNCTION petitions_item_roll_up() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE petitions_itemdaycount SET
            items = items - 1,
            persons = persons - OLD.head_count,
            collective = collective - (OLD.markers @> ARRAY['collective']::varchar[])::int,
            skip_level = skip_level - (OLD.markers @> ARRAY['skip_level']::varchar[])::int,
            to_beijing = to_beijing - (OLD.markers @> ARRAY['to_beijing']::varchar[])::int,
            to_province = to_province - (OLD.markers @> ARRAY['to_province']::varchar[])::int,
            repeats = repeats - (OLD.original_id IS NOT NULL)::int
        WHERE unit_id = coalesce(OLD.responsible_unit_id, OLD.registered_unit_id) AND day = OLD.received_on
          AND channel = OLD.channel AND category_id = OLD.category_id AND purpose = OLD.purpose
          AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO petitions_itemdaycount AS t (
            unit_id, day, channel, category_id, purpose, status,
            items, persons, collective, skip_level, to_beijing, to_province, repeats
        ) VALUES (
            coalesce(NEW.responsible_unit_id, NEW.registered_unit_id), NEW.received_on, NEW.channel,
            NEW.category_id, NEW.purpose, NEW.status,
            1, NEW.head_count,
            (NEW.markers @> ARRAY['collective']::varchar[])::int,
            (NEW.markers @> ARRAY['skip_level']::varchar[])::int,
            (NEW.markers @> ARRAY['to_beijing']::varchar[])::int,
            (NEW.markers @> ARRAY['to_province']::varchar[])::int,
            (NEW.original_id IS NOT NULL)::int
        )
        ON CONFLICT (unit_id, day, channel, category_id, purpose, status) DO UPDATE SET
            items = t.items + EXCLUDED.items,
            persons = t.persons + EXCLUDED.persons,
            collective = t.collective + EXCLUDED.collective,
            skip_level = t.skip_level + EXCLUDED.skip_level,
            to_beijing = t.to_beijing + EXCLUDED.to_beijing,
            to_province = t.to_province + EXCLUDED.to_province,
            repeats = t.repeats + EXCLUDED.repeats;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_item_roll_up_insert_delete
AFTER INSERT OR DELETE ON petitions_item
FOR EACH ROW EXECUTE FUNCTION petitions_item_roll_up();

CREATE TRIGGER petitions_item_roll_up_update
AFTER UPDATE OF responsible_unit_id, registered_unit_id, received_on, channel, category_id, purpose, status,
    head_count, markers, original_id ON petitions_item
FOR EACH ROW
WHEN ((OLD.responsible_unit_id, OLD.registered_unit_id, OLD.received_on, OLD.channel, OLD.category_id,
       OLD.purpose, OLD.status, OLD.head_count, OLD.markers, OLD.original_id)
      IS DISTINCT FROM
      (NEW.responsible_unit_id, NEW.registered_unit_id, NEW.received_on, NEW.channel, NEW.category_id,
       NEW.purpose, NEW.status, NEW.head_count, NEW.markers, NEW.original_id))
EXECUTE FUNCTION petitions_item_roll_up();
"""

UNDO = """
DROP TRIGGER IF EXISTS petitions_item_roll_up_update ON petitions_item;
DROP TRIGGER IF EXISTS petitions_item_roll_up_insert_delete ON petitions_item;
DROP FUNCTION IF EXISTS petitions_item_roll_up();
"""

FILL = """
INSERT INTO petitions_itemdaycount (
    unit_id, day, channel, category_id, purpose, status,
    items, persons, collective, skip_level, to_beijing, to_province, repeats
)
SELECT coalesce(responsible_unit_id, registered_unit_id), received_on, channel, category_id, purpose, status,
    count(*), sum(head_count),
    count(*) FILTER (WHERE markers @> ARRAY['collective']::varchar[]),
    count(*) FILTER (WHERE markers @> ARRAY['skip_level']::varchar[]),
    count(*) FILTER (WHERE markers @> ARRAY['to_beijing']::varchar[]),
    count(*) FILTER (WHERE markers @> ARRAY['to_province']::varchar[]),
    count(*) FILTER (WHERE original_id IS NOT NULL)
FROM petitions_item GROUP BY 1, 2, 3, 4, 5, 6
"""


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_item_day_counts")]

    operations = [
        migrations.RunSQL(
            "LOCK TABLE petitions_item IN SHARE MODE; " + FILL, "DELETE FROM petitions_itemdaycount"
        ),
        migrations.RunSQL(TRIGGER, UNDO),
    ]
