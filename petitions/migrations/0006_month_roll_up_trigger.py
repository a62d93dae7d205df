"""Keep the monthly roll-ups of items in step with the daily ones, from inside the database, and fill them once.

Every change to a row of a daily roll-up adds the change of its counts to the rows of its month: the daily
trigger of migration 0004 moves items between daily rows, and this one follows each move into the months.
First-level categories are the first 4 characters of a category's path (treebeard's step length).

Every change to the monthly roll-up of items, and every move of a unit in the tree, names the months whose sums
per subtree are due again (petitions_itemmonthchange).
"""

from django.db import migrations

FUNCTIONS = """
-- The rows of the monthly roll-up a daily row counts in: one per facet.
CREATE FUNCTION petitions_itemdaycount_facets(r petitions_itemdaycount)
RETURNS TABLE (unit_id bigint, month date, facet varchar, value varchar) AS $$
    SELECT CASE f.facet WHEN 'registered' THEN r.registered_unit_id ELSE r.unit_id END,
           date_trunc('month', r.day)::date, f.facet, f.value
    FROM (VALUES
        ('channel', r.channel),
        ('purpose', r.purpose),
        ('category', (SELECT top.id::text FROM petitions_category c
                      JOIN petitions_category top ON top.path = substr(c.path, 1, 4)
                      WHERE c.id = r.category_id)),
        ('status', r.status),
        ('registered', r.channel)
    ) AS f (facet, value)
$$ LANGUAGE sql STABLE;

CREATE FUNCTION petitions_itemdaycount_month_add(r petitions_itemdaycount) RETURNS void AS $$
    INSERT INTO petitions_itemmonthcount AS t (
        unit_id, month, facet, value, items, persons, collective, skip_level, to_beijing, to_province, repeats
    )
    SELECT f.unit_id, f.month, f.facet, f.value,
           r.items, r.persons, r.collective, r.skip_level, r.to_beijing, r.to_province, r.repeats
    FROM petitions_itemdaycount_facets(r) f
    ON CONFLICT (unit_id, month, facet, value) DO UPDATE SET
        items = t.items + EXCLUDED.items,
        persons = t.persons + EXCLUDED.persons,
        collective = t.collective + EXCLUDED.collective,
        skip_level = t.skip_level + EXCLUDED.skip_level,
        to_beijing = t.to_beijing + EXCLUDED.to_beijing,
        to_province = t.to_province + EXCLUDED.to_province,
        repeats = t.repeats + EXCLUDED.repeats
$$ LANGUAGE sql;

CREATE FUNCTION petitions_itemreplycount_month_add(r petitions_itemreplycount) RETURNS void AS $$
    INSERT INTO petitions_itemreplymonthcount AS t (
        unit_id, registered_unit_id, month, channel, replied, evaluated, asked, content
    ) VALUES (
        r.unit_id, r.registered_unit_id, date_trunc('month', r.day)::date, r.channel,
        r.replied, r.evaluated, r.asked, r.content
    )
    ON CONFLICT (unit_id, month, registered_unit_id, channel) DO UPDATE SET
        replied = t.replied + EXCLUDED.replied,
        evaluated = t.evaluated + EXCLUDED.evaluated,
        asked = t.asked + EXCLUDED.asked,
        content = t.content + EXCLUDED.content
$$ LANGUAGE sql;

-- The daily rows' keys never change: an insert adds its counts, a delete takes them away, an update adds the
-- difference.
CREATE FUNCTION petitions_itemdaycount_to_month() RETURNS trigger AS $$
DECLARE
    change petitions_itemdaycount;
BEGIN
    IF TG_OP = 'INSERT' THEN
        change := NEW;
    ELSE
        change := OLD;
        change.items := coalesce(NEW.items, 0) - OLD.items;
        change.persons := coalesce(NEW.persons, 0) - OLD.persons;
        change.collective := coalesce(NEW.collective, 0) - OLD.collective;
        change.skip_level := coalesce(NEW.skip_level, 0) - OLD.skip_level;
        change.to_beijing := coalesce(NEW.to_beijing, 0) - OLD.to_beijing;
        change.to_province := coalesce(NEW.to_province, 0) - OLD.to_province;
        change.repeats := coalesce(NEW.repeats, 0) - OLD.repeats;
    END IF;
    PERFORM petitions_itemdaycount_month_add(change);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION petitions_itemreplycount_to_month() RETURNS trigger AS $$
DECLARE
    change petitions_itemreplycount;
BEGIN
    IF TG_OP = 'INSERT' THEN
        change := NEW;
    ELSE
        change := OLD;
        change.replied := coalesce(NEW.replied, 0) - OLD.replied;
        change.evaluated := coalesce(NEW.evaluated, 0) - OLD.evaluated;
        change.asked := coalesce(NEW.asked, 0) - OLD.asked;
        change.content := coalesce(NEW.content, 0) - OLD.content;
    END IF;
    PERFORM petitions_itemreplycount_month_add(change);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_itemdaycount_to_month
AFTER INSERT OR UPDATE OR DELETE ON petitions_itemdaycount
FOR EACH ROW EXECUTE FUNCTION petitions_itemdaycount_to_month();

CREATE TRIGGER petitions_itemreplycount_to_month
AFTER INSERT OR UPDATE OR DELETE ON petitions_itemreplycount
FOR EACH ROW EXECUTE FUNCTION petitions_itemreplycount_to_month();
"""

UNDO = """
DROP TRIGGER IF EXISTS petitions_itemreplycount_to_month ON petitions_itemreplycount;
DROP TRIGGER IF EXISTS petitions_itemdaycount_to_month ON petitions_itemdaycount;
DROP FUNCTION IF EXISTS petitions_itemreplycount_to_month();
DROP FUNCTION IF EXISTS petitions_itemdaycount_to_month();
DROP FUNCTION IF EXISTS petitions_itemreplycount_month_add(petitions_itemreplycount);
DROP FUNCTION IF EXISTS petitions_itemdaycount_month_add(petitions_itemdaycount);
DROP FUNCTION IF EXISTS petitions_itemdaycount_facets(petitions_itemdaycount);
"""

# The daily rows there are now are summed into months once, under a lock that holds writers back until the
# triggers are in place.
FILL = """
LOCK TABLE petitions_itemdaycount, petitions_itemreplycount IN SHARE MODE;
INSERT INTO petitions_itemmonthcount (
    unit_id, month, facet, value, items, persons, collective, skip_level, to_beijing, to_province, repeats
)
SELECT f.unit_id, f.month, f.facet, f.value, sum(r.items), sum(r.persons), sum(r.collective), sum(r.skip_level),
       sum(r.to_beijing), sum(r.to_province), sum(r.repeats)
FROM petitions_itemdaycount r CROSS JOIN LATERAL petitions_itemdaycount_facets(r) f
GROUP BY 1, 2, 3, 4;
INSERT INTO petitions_itemreplymonthcount (
    unit_id, registered_unit_id, month, channel, replied, evaluated, asked, content
)
SELECT unit_id, registered_unit_id, date_trunc('month', day)::date, channel,
       sum(replied), sum(evaluated), sum(asked), sum(content)
FROM petitions_itemreplycount
GROUP BY 1, 2, 3, 4;
INSERT INTO petitions_itemmonthchange (month) SELECT DISTINCT month FROM petitions_itemmonthcount;
"""

CHANGES = """
CREATE FUNCTION petitions_itemmonthcount_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO petitions_itemmonthchange (month) VALUES (coalesce(NEW.month, OLD.month));
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION petitions_unit_moved() RETURNS trigger AS $$
BEGIN
    INSERT INTO petitions_itemmonthchange (month) SELECT DISTINCT month FROM petitions_itemsubtreemonthcount;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_itemmonthcount_changed
AFTER INSERT OR UPDATE OR DELETE ON petitions_itemmonthcount
FOR EACH ROW EXECUTE FUNCTION petitions_itemmonthcount_changed();

CREATE TRIGGER petitions_unit_moved
AFTER UPDATE OF path ON core_unit
FOR EACH STATEMENT EXECUTE FUNCTION petitions_unit_moved();
"""

UNDO_CHANGES = """
DROP TRIGGER IF EXISTS petitions_unit_moved ON core_unit;
DROP TRIGGER IF EXISTS petitions_itemmonthcount_changed ON petitions_itemmonthcount;
DROP FUNCTION IF EXISTS petitions_unit_moved();
DROP FUNCTION IF EXISTS petitions_itemmonthcount_changed();
"""


class Migration(migrations.Migration):
    dependencies = [("petitions", "0005_month_roll_ups")]

    operations = [
        migrations.RunSQL(FUNCTIONS, UNDO),
        migrations.RunSQL(
            FILL,
            "DELETE FROM petitions_itemmonthcount; DELETE FROM petitions_itemreplymonthcount;"
            " DELETE FROM petitions_itemmonthchange",
        ),
        migrations.RunSQL(CHANGES, UNDO_CHANGES),
    ]
