"""Keep the daily roll-ups of items in step with the item table, from inside the database, and fill them once."""

from django.db import migrations

# petitions_item_area: the 属地单位 of an item (its responsible unit; for a repeat without one, its original's;
# otherwise the unit that registered it).
# petitions_item_count: add (sign 1) or take away (sign -1) one item's counts at a given unit, in the roll-up by
# day received and, once answered, in the roll-up by day answered.
# The trigger takes the old row away and adds the new one; when an item's responsible unit changes, its repeats
# that have no responsible unit of their own move with it.
FUNCTIONS = """
CREATE FUNCTION petitions_item_area(item petitions_item) RETURNS bigint AS $$
    SELECT coalesce(
        item.responsible_unit_id,
        (SELECT o.responsible_unit_id FROM petitions_item o WHERE o.id = item.original_id),
        item.registered_unit_id
    )
$$ LANGUAGE sql STABLE;

CREATE FUNCTION petitions_item_count(item petitions_item, area bigint, sign integer) RETURNS void AS $$
BEGIN
    INSERT INTO petitions_itemdaycount AS t (
        unit_id, registered_unit_id, day, channel, category_id, purpose, status,
        items, persons, collective, skip_level, to_beijing, to_province, repeats
    ) VALUES (
        area, item.registered_unit_id, item.received_on, item.channel, item.category_id, item.purpose, item.status,
        sign, sign * item.head_count,
        sign * (item.markers @> ARRAY['collective']::varchar[])::int,
        sign * (item.markers @> ARRAY['skip_level']::varchar[])::int,
        sign * (item.markers @> ARRAY['to_beijing']::varchar[])::int,
        sign * (item.markers @> ARRAY['to_province']::varchar[])::int,
        sign * (item.original_id IS NOT NULL)::int
    )
    ON CONFLICT (unit_id, day, registered_unit_id, channel, category_id, purpose, status) DO UPDATE SET
        items = t.items + EXCLUDED.items,
        persons = t.persons + EXCLUDED.persons,
        collective = t.collective + EXCLUDED.collective,
        skip_level = t.skip_level + EXCLUDED.skip_level,
        to_beijing = t.to_beijing + EXCLUDED.to_beijing,
        to_province = t.to_province + EXCLUDED.to_province,
        repeats = t.repeats + EXCLUDED.repeats;
    IF item.replied_on IS NOT NULL THEN
        INSERT INTO petitions_itemreplycount AS t (
            unit_id, registered_unit_id, day, channel, replied, evaluated, asked, content
        ) VALUES (
            area, item.registered_unit_id, item.replied_on, item.channel, sign,
            sign * (item.evaluated_on IS NOT NULL)::int,
            sign * (item.evaluated_on IS NOT NULL OR item.close_reason = 'review_window_lapsed')::int,
            sign * (item.satisfaction IN ('satisfied', 'basically'))::int
        )
        ON CONFLICT (unit_id, day, registered_unit_id, channel) DO UPDATE SET
            replied = t.replied + EXCLUDED.replied,
            evaluated = t.evaluated + EXCLUDED.evaluated,
            asked = t.asked + EXCLUDED.asked,
            content = t.content + EXCLUDED.content;
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION petitions_item_roll_up() RETURNS trigger AS $$
DECLARE
    repeat petitions_item;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM petitions_item_count(OLD, petitions_item_area(OLD), -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM petitions_item_count(NEW, petitions_item_area(NEW), 1);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.responsible_unit_id IS DISTINCT FROM OLD.responsible_unit_id THEN
        FOR repeat IN
            SELECT * FROM petitions_item WHERE original_id = NEW.id AND responsible_unit_id IS NULL
        LOOP
            PERFORM petitions_item_count(repeat, coalesce(OLD.responsible_unit_id, repeat.registered_unit_id), -1);
            PERFORM petitions_item_count(repeat, coalesce(NEW.responsible_unit_id, repeat.registered_unit_id), 1);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_item_roll_up_insert_delete
AFTER INSERT OR DELETE ON petitions_item
FOR EACH ROW EXECUTE FUNCTION petitions_item_roll_up();

CREATE TRIGGER petitions_item_roll_up_update
AFTER UPDATE OF responsible_unit_id, registered_unit_id, received_on, channel, category_id, purpose, status,
    head_count, markers, original_id, replied_on, evaluated_on, satisfaction, close_reason ON petitions_item
FOR EACH ROW
WHEN ((OLD.responsible_unit_id, OLD.registered_unit_id, OLD.received_on, OLD.channel, OLD.category_id,
       OLD.purpose, OLD.status, OLD.head_count, OLD.markers, OLD.original_id, OLD.replied_on, OLD.evaluated_on,
       OLD.satisfaction, OLD.close_reason)
      IS DISTINCT FROM
      (NEW.responsible_unit_id, NEW.registered_unit_id, NEW.received_on, NEW.channel, NEW.category_id,
       NEW.purpose, NEW.status, NEW.head_count, NEW.markers, NEW.original_id, NEW.replied_on, NEW.evaluated_on,
       NEW.satisfaction, NEW.close_reason))
EXECUTE FUNCTION petitions_item_roll_up();
"""

UNDO = """
DROP TRIGGER IF EXISTS petitions_item_roll_up_update ON petitions_item;
DROP TRIGGER IF EXISTS petitions_item_roll_up_insert_delete ON petitions_item;
DROP FUNCTION IF EXISTS petitions_item_roll_up();
DROP FUNCTION IF EXISTS petitions_item_count(petitions_item, bigint, integer);
DROP FUNCTION IF EXISTS petitions_item_area(petitions_item);
"""

# Existing items are counted once, under a lock that holds writers back until the trigger is in place.
FILL = """
LOCK TABLE petitions_item IN SHARE MODE;
SELECT petitions_item_count(i, petitions_item_area(i), 1) FROM petitions_item i;
"""


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_item_roll_ups")]

    operations = [
        migrations.RunSQL(FUNCTIONS, UNDO),
        migrations.RunSQL(FILL, "DELETE FROM petitions_itemdaycount; DELETE FROM petitions_itemreplycount"),
    ]
