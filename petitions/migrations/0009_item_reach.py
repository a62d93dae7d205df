"""Which units see each item, one row per unit with the item's date, status, channel and earliest due date, kept by
triggers on the item and unit tables, so a user's list narrowed only by those (or whole) and its count read one index
range instead of four unit columns over every item."""

import django.db.models.deletion
from django.db import migrations, models

# The reach of every item: each of its four units and every unit above them (treebeard's paths: a unit's ancestors
# are the units whose path is a prefix of its own, in steps of four characters). A query on one item's rows of the
# view reads that item alone: the condition on item_id is pushed into it.
FUNCTIONS = """
CREATE VIEW petitions_itemreach_rows AS
SELECT DISTINCT above.id AS unit_id, i.id AS item_id, i.received_on, i.status, i.channel,
       i.obligation_due_on
FROM petitions_item i
CROSS JOIN LATERAL unnest(ARRAY[i.registered_unit_id, i.responsible_unit_id,
                                i.review_unit_id, i.recheck_unit_id]) AS own_unit(id)
JOIN core_unit own ON own.id = own_unit.id
CROSS JOIN LATERAL generate_series(4, length(own.path), 4) AS prefix(length)
JOIN core_unit above ON above.path = substr(own.path, 1, prefix.length);

CREATE FUNCTION petitions_item_reach_refresh(items bigint[]) RETURNS void AS $$
BEGIN
    DELETE FROM petitions_itemreach WHERE item_id = ANY(items);
    INSERT INTO petitions_itemreach (unit_id, item_id, received_on, status, channel, obligation_due_on)
    SELECT unit_id, item_id, received_on, status, channel, obligation_due_on
    FROM petitions_itemreach_rows WHERE item_id = ANY(items);
END
$$ LANGUAGE plpgsql;

-- Every item's reach from scratch: after a bulk load with the triggers off, or to mend it.
CREATE FUNCTION petitions_item_reach_rebuild() RETURNS bigint AS $$
DECLARE
    written bigint;
BEGIN
    DELETE FROM petitions_itemreach;
    INSERT INTO petitions_itemreach (unit_id, item_id, received_on, status, channel, obligation_due_on)
    SELECT unit_id, item_id, received_on, status, channel, obligation_due_on
    FROM petitions_itemreach_rows;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION petitions_item_reach() RETURNS trigger AS $$
BEGIN
    PERFORM petitions_item_reach_refresh(ARRAY[NEW.id]);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_item_reach_insert
AFTER INSERT ON petitions_item
FOR EACH ROW EXECUTE FUNCTION petitions_item_reach();

CREATE TRIGGER petitions_item_reach_update
AFTER UPDATE OF registered_unit_id, responsible_unit_id, review_unit_id, recheck_unit_id,
                received_on, status, channel, obligation_due_on
ON petitions_item
FOR EACH ROW
WHEN ((OLD.registered_unit_id, OLD.responsible_unit_id, OLD.review_unit_id, OLD.recheck_unit_id,
       OLD.received_on, OLD.status, OLD.channel, OLD.obligation_due_on)
      IS DISTINCT FROM
      (NEW.registered_unit_id, NEW.responsible_unit_id, NEW.review_unit_id, NEW.recheck_unit_id,
       NEW.received_on, NEW.status, NEW.channel, NEW.obligation_due_on))
EXECUTE FUNCTION petitions_item_reach();

-- A unit moved in the tree (its path and its subtree's paths rewritten) changes the reach of every item of those
-- units. One statement moves a whole subtree, so the trigger runs once per statement and looks at what it changed.
CREATE FUNCTION petitions_item_reach_units() RETURNS trigger AS $$
DECLARE
    moved bigint[];
BEGIN
    moved := ARRAY(SELECT after.id FROM units_after after JOIN units_before before ON before.id = after.id
                   WHERE after.path IS DISTINCT FROM before.path);
    IF cardinality(moved) > 0 THEN
        PERFORM petitions_item_reach_refresh(ARRAY(
            SELECT i.id FROM petitions_item i
            WHERE i.registered_unit_id = ANY(moved) OR i.responsible_unit_id = ANY(moved)
               OR i.review_unit_id = ANY(moved) OR i.recheck_unit_id = ANY(moved)));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_item_reach_units
AFTER UPDATE ON core_unit
REFERENCING OLD TABLE AS units_before NEW TABLE AS units_after
FOR EACH STATEMENT EXECUTE FUNCTION petitions_item_reach_units();
"""

UNDO = """
DROP TRIGGER IF EXISTS petitions_item_reach_units ON core_unit;
DROP FUNCTION IF EXISTS petitions_item_reach_units();
DROP TRIGGER IF EXISTS petitions_item_reach_update ON petitions_item;
DROP TRIGGER IF EXISTS petitions_item_reach_insert ON petitions_item;
DROP FUNCTION IF EXISTS petitions_item_reach();
DROP FUNCTION IF EXISTS petitions_item_reach_rebuild();
DROP FUNCTION IF EXISTS petitions_item_reach_refresh(bigint[]);
DROP VIEW IF EXISTS petitions_itemreach_rows;
"""

FILL = "LOCK TABLE petitions_item IN SHARE MODE; SELECT petitions_item_reach_rebuild();"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_audit_hash_chain"),
        ("petitions", "0008_item_obligation_due"),
    ]

    operations = [
        migrations.CreateModel(
            name="ItemReach",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("received_on", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("registered", "已登记待转送"),
                            ("assigned", "受理申请审查中"),
                            ("not_accepted", "不予受理"),
                            ("accepted", "受理（办理中）"),
                            ("replied", "已作出处理意见"),
                            ("review", "复查"),
                            ("reviewed", "提出复查意见"),
                            ("recheck", "复核"),
                            ("closed", "办结"),
                            ("no_further", "不再受理"),
                            ("repeat", "重复件（并入原件）"),
                        ],
                        max_length=15,
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("visit", "走访"),
                            ("letter", "来信"),
                            ("phone", "电话"),
                            ("fax", "传真"),
                            ("online", "网上信访"),
                            ("mailbox", "领导信箱"),
                            ("mobile", "手机/微信"),
                        ],
                        max_length=10,
                    ),
                ),
                ("obligation_due_on", models.DateField(null=True)),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="reach", to="petitions.item"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.unit",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["unit", "-received_on", "-item"],
                        include=("status", "channel", "obligation_due_on"),
                        name="itemreach_newest_idx",
                    )
                ],
            },
        ),
        migrations.RunSQL(FUNCTIONS, UNDO),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
