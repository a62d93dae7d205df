"""One definition in the database of which unit an item counts for (属地单位) and of what one item adds to the roll-ups.

`petitions_item_counting_unit` is the rule. The roll-up trigger calls it, and so do the rebuilds and checks of the
roll-ups (petitions/projections/rollups.py), the weekly bulletin (dashboard/selectors.py) and the item list's 属地
filter (petitions/filters.py, through `petitions_item_counts_for`), all by way of
petitions/projections/counting_unit.py.

`petitions_item_day_row` and `petitions_item_reply_row` are the rows one item adds to the daily roll-ups by day
received and by day answered; `petitions_item_month_facets` the monthly rows a daily row counts in. The triggers add
them up one item at a time, the rebuilds sum them over the items, so both count the same things.

All are plain SQL functions of one SELECT, so PostgreSQL inlines them where they are called: a statement that calls
them is planned as if the expressions were written out in it.
"""

from django.db import migrations

FUNCTIONS = """
-- 属地单位: the item's responsible unit; for a repeat without one, its original's; otherwise the unit that
-- registered it.
CREATE FUNCTION petitions_item_counting_unit(responsible bigint, original_responsible bigint, registered bigint)
RETURNS bigint AS $$
    SELECT coalesce(responsible, original_responsible, registered)
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- Whether the item counts for one of `units`. The first condition follows from the rule (an item with a
-- responsible unit counts there) and is there for the planner: it reads the item table's own columns only, so a
-- list narrowed by 属地 reads the index on responsible_unit_id instead of every item.
CREATE FUNCTION petitions_item_counts_for(
    responsible bigint, original_responsible bigint, registered bigint, units bigint[]
) RETURNS boolean AS $$
    SELECT (responsible = ANY(units) OR responsible IS NULL)
       AND petitions_item_counting_unit(responsible, original_responsible, registered) = ANY(units)
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- The row one item adds to the roll-up by day received (petitions_itemdaycount) when it counts for `area`.
CREATE FUNCTION petitions_item_day_row(item petitions_item, area bigint)
RETURNS TABLE (
    unit_id bigint, day date, registered_unit_id bigint, channel varchar, category_id bigint, purpose varchar,
    status varchar, items integer, persons integer, collective integer, skip_level integer, to_beijing integer,
    to_province integer, repeats integer
) AS $$
    SELECT area, item.received_on, item.registered_unit_id, item.channel, item.category_id, item.purpose,
           item.status,
           1,
           item.head_count::integer,
           (item.markers @> ARRAY['collective']::varchar[])::integer,
           (item.markers @> ARRAY['skip_level']::varchar[])::integer,
           (item.markers @> ARRAY['to_beijing']::varchar[])::integer,
           (item.markers @> ARRAY['to_province']::varchar[])::integer,
           (item.original_id IS NOT NULL)::integer
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- The row one answered item adds to the roll-up by day answered (petitions_itemreplycount); none before it is
-- answered.
CREATE FUNCTION petitions_item_reply_row(item petitions_item, area bigint)
RETURNS TABLE (
    unit_id bigint, day date, registered_unit_id bigint, channel varchar,
    replied integer, evaluated integer, asked integer, content integer
) AS $$
    SELECT area, item.replied_on, item.registered_unit_id, item.channel,
           1,
           (item.evaluated_on IS NOT NULL)::integer,
           (item.evaluated_on IS NOT NULL OR item.close_reason = 'review_window_lapsed')::integer,
           (item.satisfaction IN ('satisfied', 'basically'))::integer
    WHERE item.replied_on IS NOT NULL
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- The rows of the monthly roll-up (petitions_itemmonthcount) a daily row counts in, one per facet: channel,
-- purpose, first-level category and status at the 属地单位, channel at the registering office. A first-level
-- category is the first 4 characters of a category's path (treebeard's step length).
CREATE FUNCTION petitions_item_month_facets(
    area bigint, registered bigint, day date, channel varchar, category bigint, purpose varchar, status varchar
) RETURNS TABLE (unit_id bigint, month date, facet varchar, value varchar) AS $$
    SELECT CASE f.facet WHEN 'registered' THEN registered ELSE area END,
           date_trunc('month', day)::date, f.facet::varchar, f.value::varchar
    FROM petitions_category c
    JOIN petitions_category top ON top.path = substr(c.path, 1, 4)
    CROSS JOIN LATERAL (VALUES
        ('channel', channel),
        ('purpose', purpose),
        ('category', top.id::text),
        ('status', status),
        ('registered', channel)
    ) AS f (facet, value)
    WHERE c.id = category
$$ LANGUAGE sql STABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION petitions_item_area(item petitions_item) RETURNS bigint AS $$
    SELECT petitions_item_counting_unit(
        item.responsible_unit_id,
        (SELECT o.responsible_unit_id FROM petitions_item o WHERE o.id = item.original_id),
        item.registered_unit_id
    )
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION petitions_item_count(item petitions_item, area bigint, sign integer) RETURNS void AS $$
BEGIN
    INSERT INTO petitions_itemdaycount AS t (
        unit_id, day, registered_unit_id, channel, category_id, purpose, status,
        items, persons, collective, skip_level, to_beijing, to_province, repeats
    )
    SELECT r.unit_id, r.day, r.registered_unit_id, r.channel, r.category_id, r.purpose, r.status,
           sign * r.items, sign * r.persons, sign * r.collective, sign * r.skip_level, sign * r.to_beijing,
           sign * r.to_province, sign * r.repeats
    FROM petitions_item_day_row(item, area) r
    ON CONFLICT (unit_id, day, registered_unit_id, channel, category_id, purpose, status) DO UPDATE SET
        items = t.items + EXCLUDED.items,
        persons = t.persons + EXCLUDED.persons,
        collective = t.collective + EXCLUDED.collective,
        skip_level = t.skip_level + EXCLUDED.skip_level,
        to_beijing = t.to_beijing + EXCLUDED.to_beijing,
        to_province = t.to_province + EXCLUDED.to_province,
        repeats = t.repeats + EXCLUDED.repeats;
    INSERT INTO petitions_itemreplycount AS t (
        unit_id, day, registered_unit_id, channel, replied, evaluated, asked, content
    )
    SELECT r.unit_id, r.day, r.registered_unit_id, r.channel,
           sign * r.replied, sign * r.evaluated, sign * r.asked, sign * r.content
    FROM petitions_item_reply_row(item, area) r
    ON CONFLICT (unit_id, day, registered_unit_id, channel) DO UPDATE SET
        replied = t.replied + EXCLUDED.replied,
        evaluated = t.evaluated + EXCLUDED.evaluated,
        asked = t.asked + EXCLUDED.asked,
        content = t.content + EXCLUDED.content;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION petitions_item_roll_up() RETURNS trigger AS $$
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
            PERFORM petitions_item_count(repeat, petitions_item_counting_unit(
                repeat.responsible_unit_id, OLD.responsible_unit_id, repeat.registered_unit_id), -1);
            PERFORM petitions_item_count(repeat, petitions_item_counting_unit(
                repeat.responsible_unit_id, NEW.responsible_unit_id, repeat.registered_unit_id), 1);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION petitions_itemdaycount_facets(r petitions_itemdaycount)
RETURNS TABLE (unit_id bigint, month date, facet varchar, value varchar) AS $$
    SELECT * FROM petitions_item_month_facets(
        r.unit_id, r.registered_unit_id, r.day, r.channel, r.category_id, r.purpose, r.status)
$$ LANGUAGE sql STABLE;
"""

# The bodies of migrations 0004 and 0006, put back before the new functions go.
UNDO = """
CREATE OR REPLACE FUNCTION petitions_item_area(item petitions_item) RETURNS bigint AS $$
    SELECT coalesce(
        item.responsible_unit_id,
        (SELECT o.responsible_unit_id FROM petitions_item o WHERE o.id = item.original_id),
        item.registered_unit_id
    )
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION petitions_item_count(item petitions_item, area bigint, sign integer) RETURNS void AS $$
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

CREATE OR REPLACE FUNCTION petitions_item_roll_up() RETURNS trigger AS $$
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

CREATE OR REPLACE FUNCTION petitions_itemdaycount_facets(r petitions_itemdaycount)
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

DROP FUNCTION IF EXISTS petitions_item_month_facets(bigint, bigint, date, varchar, bigint, varchar, varchar);
DROP FUNCTION IF EXISTS petitions_item_reply_row(petitions_item, bigint);
DROP FUNCTION IF EXISTS petitions_item_day_row(petitions_item, bigint);
DROP FUNCTION IF EXISTS petitions_item_counts_for(bigint, bigint, bigint, bigint[]);
DROP FUNCTION IF EXISTS petitions_item_counting_unit(bigint, bigint, bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("petitions", "0013_document_withdrawn")]

    operations = [migrations.RunSQL(FUNCTIONS, UNDO)]
