"""Each item carries the earliest due date of its open obligation clocks, kept by triggers on the clock table, so
the lists can filter and sort overdue and due-soon items through one covering index."""

from django.db import migrations, models

# A clock written (inserted, moved, closed, deleted) sets its item's date again; rows whose date did not change are
# left alone, so no item row is rewritten for nothing.
TRIGGER = """
CREATE FUNCTION petitions_item_obligation_due() RETURNS trigger AS $$
DECLARE
    items bigint[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.subject_type = 'petitions.item' THEN
        items := items || OLD.subject_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.subject_type = 'petitions.item' THEN
        items := items || NEW.subject_id;
    END IF;
    UPDATE petitions_item i SET obligation_due_on = due.on_date
    FROM (SELECT s.id, (SELECT min(d.due_on) FROM accountability_deadline d
                        JOIN accountability_deadlinerule r ON r.kind = d.kind AND r.is_obligation
                        WHERE d.subject_type = 'petitions.item' AND d.subject_id = s.id AND d.status = 'open'
                       ) AS on_date
          FROM unnest(items) AS s(id)) due
    WHERE i.id = due.id AND i.obligation_due_on IS DISTINCT FROM due.on_date;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_item_obligation_due_insert_delete
AFTER INSERT OR DELETE ON accountability_deadline
FOR EACH ROW EXECUTE FUNCTION petitions_item_obligation_due();

CREATE TRIGGER petitions_item_obligation_due_update
AFTER UPDATE OF subject_type, subject_id, kind, status, due_on ON accountability_deadline
FOR EACH ROW
WHEN ((OLD.subject_type, OLD.subject_id, OLD.kind, OLD.status, OLD.due_on)
      IS DISTINCT FROM (NEW.subject_type, NEW.subject_id, NEW.kind, NEW.status, NEW.due_on))
EXECUTE FUNCTION petitions_item_obligation_due();

-- A rule that starts or stops being an obligation changes the date of every item with an open clock of it.
CREATE FUNCTION petitions_item_obligation_rule() RETURNS trigger AS $$
BEGIN
    UPDATE petitions_item i SET obligation_due_on = (
        SELECT min(d.due_on) FROM accountability_deadline d
        JOIN accountability_deadlinerule r ON r.kind = d.kind AND r.is_obligation
        WHERE d.subject_type = 'petitions.item' AND d.subject_id = i.id AND d.status = 'open')
    WHERE i.id IN (SELECT subject_id FROM accountability_deadline
                   WHERE kind = NEW.kind AND subject_type = 'petitions.item' AND status = 'open');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER petitions_item_obligation_rule
AFTER UPDATE OF is_obligation ON accountability_deadlinerule
FOR EACH ROW WHEN (OLD.is_obligation IS DISTINCT FROM NEW.is_obligation)
EXECUTE FUNCTION petitions_item_obligation_rule();
"""

UNDO = """
DROP TRIGGER IF EXISTS petitions_item_obligation_rule ON accountability_deadlinerule;
DROP FUNCTION IF EXISTS petitions_item_obligation_rule();
DROP TRIGGER IF EXISTS petitions_item_obligation_due_update ON accountability_deadline;
DROP TRIGGER IF EXISTS petitions_item_obligation_due_insert_delete ON accountability_deadline;
DROP FUNCTION IF EXISTS petitions_item_obligation_due();
"""

FILL = """
LOCK TABLE accountability_deadline IN SHARE MODE;
UPDATE petitions_item i SET obligation_due_on = due.on_date
FROM (SELECT d.subject_id, min(d.due_on) AS on_date FROM accountability_deadline d
      JOIN accountability_deadlinerule r ON r.kind = d.kind AND r.is_obligation
      WHERE d.subject_type = 'petitions.item' AND d.status = 'open' GROUP BY d.subject_id) due
WHERE i.id = due.subject_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0007_record_versions"),
        ("petitions", "0007_personal_data_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="obligation_due_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="未完成的责任时限中最早的到期日",
                null=True,
                verbose_name="最近办理期限",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGER, UNDO),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                condition=models.Q(("obligation_due_on__isnull", False)),
                fields=["obligation_due_on"],
                include=(
                    "id",
                    "status",
                    "received_on",
                    "registered_unit",
                    "responsible_unit",
                    "review_unit",
                    "recheck_unit",
                ),
                name="item_obligation_due_idx",
            ),
        ),
    ]
