"""Chain the audit rows by SHA-256 in a BEFORE INSERT trigger, backfill existing rows, allow only the old-row purge."""

import django.db.models.functions.datetime
from django.db import migrations, models

# The canonical form of a row is the text of a jsonb array of its fields in a fixed order (times in UTC with
# microseconds), ending with the previous row's hash; the row's hash is SHA-256 over its UTF-8 bytes, in hex.
# Every insert takes a transaction-level advisory lock held until commit, so rows join the chain in the order their
# transactions take the lock and each reads the last committed (or its own) row; the unique chain_seq turns any
# fork (say, a writer under REPEATABLE READ with an older snapshot) into an error instead of a silent branch.
CHAIN = """
CREATE FUNCTION core_auditevent_hash(e core_auditevent) RETURNS varchar(64)
LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(jsonb_build_array(
        e.id, e.chain_seq, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.actor_id, e.actor_username, e.actor_roles, e.actor_unit_id, host(e.ip_address), e.action,
        e.object_type, e.object_id, e.object_repr, e.changed_fields, e.success, e.detail, e.prev_hash
    )::text, 'UTF8')), 'hex')
$$;

-- The plan of the look-up of the last row is cached on first use, often while the table is tiny; with sequential
-- scans off it is always the backward scan of the chain_seq index, whatever the table's size was then.
CREATE FUNCTION core_auditevent_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET enable_seqscan = off AS $$
DECLARE
    previous_seq bigint;
    previous_hash varchar(64);
BEGIN
    PERFORM pg_advisory_xact_lock(1480999235);  -- 0x58464143, "XFAC": one chain writer at a time until commit
    SELECT chain_seq, row_hash INTO previous_seq, previous_hash
        FROM core_auditevent ORDER BY chain_seq DESC LIMIT 1;
    IF NOT FOUND THEN  -- an empty table: continue from the anchor the last purge left, or start the chain
        SELECT seq, hash INTO previous_seq, previous_hash FROM core_auditchainmark WHERE kind = 'anchor';
        IF NOT FOUND THEN
            previous_seq := 0;
            previous_hash := repeat('0', 64);
        END IF;
    END IF;
    NEW.chain_seq := previous_seq + 1;
    NEW.prev_hash := previous_hash;
    NEW.row_hash := core_auditevent_hash(NEW);
    RETURN NEW;
END;
$$;

-- At commit the head mark moves to the transaction's last row, once per transaction rather than once per row, so
-- removing the newest rows is found even though nothing follows them.
CREATE FUNCTION core_auditevent_move_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET enable_seqscan = off AS $$
BEGIN
    IF NEW.chain_seq = (SELECT max(chain_seq) FROM core_auditevent) THEN
        INSERT INTO core_auditchainmark AS mark (kind, seq, hash, moved_at)
            VALUES ('head', NEW.chain_seq, NEW.row_hash, now())
            ON CONFLICT (kind) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, moved_at = EXCLUDED.moved_at
            WHERE mark.seq < EXCLUDED.seq;
    END IF;
    RETURN NULL;
END;
$$;

-- UPDATE is refused for every role; DELETE only for a row the purge has moved the anchor past and that is older
-- than 184 days (the legal minimum retention; settings cannot go below it either).
CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
        AND OLD.occurred_at < now() - interval '184 days'
        AND OLD.chain_seq <= (SELECT seq FROM core_auditchainmark WHERE kind = 'anchor') THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused on core_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- The only way to delete audit rows: the longest start of the chain that is wholly older than `cutoff`. The anchor
-- keeps the hash of the last row removed, so the rows left still verify.
CREATE FUNCTION core_auditevent_purge(cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    last_kept core_auditevent%ROWTYPE;
    removed bigint;
BEGIN
    IF cutoff > now() - interval '184 days' THEN
        RAISE EXCEPTION 'audit events are kept at least 184 days: purge before % refused', cutoff
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM 1 FROM core_auditchainmark WHERE kind = 'anchor' FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO core_auditchainmark (kind, seq, hash, moved_at) VALUES ('anchor', 0, repeat('0', 64), now());
    END IF;
    SELECT * INTO last_kept FROM core_auditevent
        WHERE chain_seq < coalesce(
            (SELECT min(chain_seq) FROM core_auditevent WHERE occurred_at >= cutoff),
            (SELECT max(chain_seq) + 1 FROM core_auditevent))
        ORDER BY chain_seq DESC LIMIT 1;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    UPDATE core_auditchainmark SET seq = last_kept.chain_seq, hash = last_kept.row_hash, moved_at = now()
        WHERE kind = 'anchor';
    DELETE FROM core_auditevent WHERE chain_seq <= last_kept.chain_seq;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;

-- The marks only move forward and are never deleted.
CREATE FUNCTION core_auditchainmark_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.kind <> OLD.kind OR NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'audit chain marks only move forward: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER core_auditchainmark_forward_only
    BEFORE UPDATE OR DELETE ON core_auditchainmark
    FOR EACH ROW EXECUTE FUNCTION core_auditchainmark_forward_only();

-- Rows written before the chain existed join it in id order.
ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only;
DO $$
DECLARE
    r core_auditevent%ROWTYPE;
    n bigint := 0;
    previous varchar(64) := repeat('0', 64);
BEGIN
    FOR r IN SELECT * FROM core_auditevent ORDER BY id LOOP
        n := n + 1;
        r.chain_seq := n;
        r.prev_hash := previous;
        previous := core_auditevent_hash(r);
        UPDATE core_auditevent SET chain_seq = n, prev_hash = r.prev_hash, row_hash = previous WHERE id = r.id;
    END LOOP;
    INSERT INTO core_auditchainmark (kind, seq, hash, moved_at)
        VALUES ('head', n, previous, now()), ('anchor', 0, repeat('0', 64), now());
END;
$$;
ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only;

CREATE TRIGGER core_auditevent_chain
    BEFORE INSERT ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_chain();
CREATE CONSTRAINT TRIGGER core_auditevent_move_head
    AFTER INSERT ON core_auditevent DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_move_head();
"""

UNCHAIN = """
DROP TRIGGER IF EXISTS core_auditevent_chain ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_move_head ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_move_head();
DROP TRIGGER IF EXISTS core_auditchainmark_forward_only ON core_auditchainmark;
DROP FUNCTION IF EXISTS core_auditevent_chain();
DROP FUNCTION IF EXISTS core_auditevent_purge(timestamptz);
DROP FUNCTION IF EXISTS core_auditchainmark_forward_only();
DROP FUNCTION IF EXISTS core_auditevent_hash(core_auditevent);
CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on core_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_user_phone_encrypted"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainMark",
            fields=[
                (
                    "kind",
                    models.CharField(
                        choices=[("head", "链尾"), ("anchor", "锚点")],
                        max_length=6,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("seq", models.BigIntegerField(verbose_name="链序号")),
                ("hash", models.CharField(max_length=64, verbose_name="哈希")),
                (
                    "moved_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(), verbose_name="更新时间"
                    ),
                ),
            ],
            options={
                "verbose_name": "审计哈希链端点",
                "verbose_name_plural": "审计哈希链端点",
            },
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_seq",
            field=models.BigIntegerField(db_default=0, editable=False, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(db_default="", editable=False, max_length=64, verbose_name="前一条哈希"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(db_default="", editable=False, max_length=64, verbose_name="本条哈希"),
        ),
        migrations.RunSQL(CHAIN, UNCHAIN),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain_seq",), name="audit_chain_seq_unique"),
        ),
    ]
