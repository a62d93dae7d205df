"""The audit hash chain: each row carries the previous row's hash, tampering is found, only old rows are purged."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from core.audit.chain import GENESIS_HASH, audit_chain_verify
from core.audit.purge import audit_purge, audit_purge_expired
from core.audit.record import audit_record
from core.errors import DomainError
from core.models import AuditChainMark, AuditEvent
from tests.core.test_audit import REFUSED


def _record(action: str, **fields) -> AuditEvent:
    with transaction.atomic():
        return audit_record(actor=None, action=action, object_type="test", **fields)


def _recorded_days_ago(days: int, action: str) -> AuditEvent:
    with transaction.atomic():
        return AuditEvent.objects.create(
            action=action, object_type="test", occurred_at=timezone.now() - timedelta(days=days)
        )


def _as_table_owner(sql: str, params: list[int]) -> None:
    """Change a row behind the application's back, as someone holding the table could."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # ALTER TABLE waits for no deferred foreign-key checks
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def empty_log(db: None) -> None:
    """An audit log with nothing in it yet, as on a new database (rolled back after the test)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent, core_auditchainmark")


@pytest.fixture
def three_events(db: None) -> list[AuditEvent]:
    return [_record(f"test.step.{n}", object_id=str(n), detail={"n": n, "名称": "临江"}) for n in (1, 2, 3)]


def test_each_row_carries_the_previous_rows_hash_and_its_own(three_events):
    first, second, third = three_events
    assert second.chain_seq == first.chain_seq + 1
    assert third.chain_seq == second.chain_seq + 1
    assert second.prev_hash == first.row_hash
    assert third.prev_hash == second.row_hash
    assert len({first.row_hash, second.row_hash, third.row_hash}) == 3
    assert all(len(event.row_hash) == 64 for event in three_events)


def test_at_commit_the_head_mark_moves_to_the_transactions_last_row(three_events):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the commit-time triggers now
    head = AuditChainMark.objects.get(kind="head")
    assert (head.seq, head.hash) == (three_events[-1].chain_seq, three_events[-1].row_hash)


def test_the_first_row_of_a_new_log_starts_from_the_genesis_hash(empty_log):
    event = _record("test.first")
    assert (event.chain_seq, event.prev_hash) == (1, GENESIS_HASH)


def test_an_untouched_chain_verifies_and_the_command_counts_every_row(three_events, capsys):
    report = audit_chain_verify(batch_size=2)
    assert report.intact
    assert report.checked == AuditEvent.objects.count()
    call_command("audit_verify")
    assert f"已核验 {AuditEvent.objects.count():,} 条" in capsys.readouterr().out


def test_a_changed_row_is_found_and_named(three_events):
    _first, second, _third = three_events
    _as_table_owner("UPDATE core_auditevent SET action = 'test.step.harmless' WHERE id = %s", [second.pk])
    report = audit_chain_verify(batch_size=2)
    assert report.broken is not None
    assert report.broken.event_id == second.pk
    assert report.broken.action == "test.step.harmless"
    assert "本条记录被改动" in report.broken.reason
    with pytest.raises(CommandError, match=rf"id={second.pk}，时间 .*，操作 test\.step\.harmless"):
        call_command("audit_verify")


def test_a_changed_row_whose_hash_was_recomputed_is_found_at_the_next_row(three_events):
    _first, second, third = three_events
    _as_table_owner(
        "UPDATE core_auditevent SET detail = '{\"n\": 0}' WHERE id = %s;"
        "UPDATE core_auditevent e SET row_hash = core_auditevent_hash(e) WHERE id = %s",
        [second.pk, second.pk],
    )
    report = audit_chain_verify()
    assert report.broken is not None
    assert report.broken.event_id == third.pk
    assert "前一条哈希" in report.broken.reason


def test_a_deleted_row_is_found_at_the_row_after_it(three_events):
    _first, second, third = three_events
    _as_table_owner("DELETE FROM core_auditevent WHERE id = %s", [second.pk])
    report = audit_chain_verify()
    assert report.broken is not None
    assert report.broken.event_id == third.pk
    assert "缺失" in report.broken.reason


def test_deleting_the_newest_rows_is_found_against_the_head(three_events):
    _first, second, third = three_events
    _as_table_owner("DELETE FROM core_auditevent WHERE id = %s", [third.pk])
    report = audit_chain_verify()
    assert report.broken is not None
    assert report.broken.event_id == second.pk
    assert f"链尾应至少到第 {third.chain_seq} 条" in report.broken.reason


def test_a_hash_chosen_by_the_application_is_overwritten_by_the_database(db):
    with transaction.atomic():
        event = AuditEvent.objects.create(
            action="test.forged", chain_seq=1, prev_hash="f" * 64, row_hash="f" * 64
        )
    assert event.prev_hash != "f" * 64
    assert audit_chain_verify().intact


def test_purge_refuses_rows_younger_than_184_days(three_events):
    too_recent = timezone.localdate() - timedelta(days=183)
    with pytest.raises(DomainError, match="至少保留 184 天") as refused:
        audit_purge(before=too_recent)
    assert refused.value.field == "before"
    with pytest.raises(CommandError, match="至少保留 184 天"):
        call_command("audit_purge", "--before", f"{too_recent:%Y-%m-%d}")
    assert AuditEvent.objects.filter(pk=three_events[0].pk).exists()


def test_the_database_refuses_a_purge_of_young_rows_whoever_calls_it(three_events):
    with (
        pytest.raises(REFUSED, match="at least 184 days"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT core_auditevent_purge(now())")
    assert AuditEvent.objects.filter(pk=three_events[0].pk).exists()


def test_an_old_row_cannot_be_deleted_outside_the_purge(empty_log):
    old = _recorded_days_ago(400, "test.old")
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).delete()
    assert AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_chain_marks_cannot_be_moved_back_or_deleted(three_events):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(REFUSED, match="only move forward"), transaction.atomic():
        AuditChainMark.objects.filter(kind="head").update(seq=0)
    with pytest.raises(REFUSED, match="only move forward"), transaction.atomic():
        AuditChainMark.objects.filter(kind="anchor").delete()


def test_purge_removes_the_old_start_of_the_chain_and_the_rest_still_verifies(empty_log, capsys):
    old = [_recorded_days_ago(400, f"test.old.{n}") for n in range(3)]
    kept = [_recorded_days_ago(100, "test.recent"), _record("test.today")]
    before = timezone.localdate() - timedelta(days=300)

    call_command("audit_purge", "--before", f"{before:%Y-%m-%d}")

    assert "审计记录 3 条" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(pk__in=[event.pk for event in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[event.pk for event in kept]).count() == 2
    anchor = AuditChainMark.objects.get(kind="anchor")
    assert (anchor.seq, anchor.hash) == (old[-1].chain_seq, old[-1].row_hash)
    purge_row = AuditEvent.objects.get(action="core.audit.purged")
    assert purge_row.detail == {"before": before.isoformat(), "deleted": 3}
    report = audit_chain_verify()
    assert report.intact
    assert report.checked == 3  # the two kept rows and the purge's own row
    call_command("audit_verify")


def test_purge_stops_at_the_first_row_young_enough_to_keep(empty_log):
    _recorded_days_ago(400, "test.old")
    young = _recorded_days_ago(10, "test.young")
    older_but_later = _recorded_days_ago(400, "test.old.later")
    removed = audit_purge(before=timezone.localdate() - timedelta(days=300))
    assert removed == 1
    assert AuditEvent.objects.filter(pk__in=[young.pk, older_but_later.pk]).count() == 2
    assert audit_chain_verify().intact


@override_settings(XF_AUDIT_RETENTION_DAYS=300)
def test_the_nightly_purge_keeps_the_configured_retention(empty_log):
    _recorded_days_ago(301, "test.expired")
    within = _recorded_days_ago(299, "test.within")
    assert audit_purge_expired() == 1
    assert AuditEvent.objects.filter(pk=within.pk).exists()
    assert audit_chain_verify().intact


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_build_one_unbroken_chain():
    writers, rows_each = 4, 25
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for n in range(rows_each):
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", object_id=f"{writer}-{n}")
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert AuditEvent.objects.filter(action="test.concurrent").count() == writers * rows_each
    seqs = list(AuditEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    report = audit_chain_verify()
    assert report.intact
    assert report.checked == len(seqs)


def test_the_application_role_may_append_audit_rows_but_not_change_or_delete_them(three_events):
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS xf_test_app")
        cursor.execute("CREATE ROLE xf_test_app NOLOGIN")
    call_command("db_grant_app_role", "xf_test_app")
    target = three_events[0].pk
    with connection.cursor() as cursor:
        cursor.execute("SET ROLE xf_test_app")
        try:
            _record("test.as_app_role")
            for statement in (
                "UPDATE core_auditevent SET action = 'x' WHERE id = %s",
                "DELETE FROM core_auditevent WHERE id = %s",
                "UPDATE core_auditchainmark SET seq = seq + %s",
            ):
                with pytest.raises(REFUSED, match="permission denied"), transaction.atomic():
                    cursor.execute(statement, [target])
            with pytest.raises(REFUSED, match="permission denied"), transaction.atomic():
                cursor.execute("TRUNCATE core_auditevent")
        finally:
            cursor.execute("RESET ROLE")
    assert audit_chain_verify().intact


def test_a_missing_application_role_is_created_only_with_a_password(db, monkeypatch):
    with pytest.raises(CommandError, match="未给出其密码"):
        call_command("db_grant_app_role", "xf_test_new_app")
    monkeypatch.setenv("XF_TEST_APP_PASSWORD", "Strong@Passw0rd")
    call_command("db_grant_app_role", "xf_test_new_app", "--password-env", "XF_TEST_APP_PASSWORD")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'xf_test_new_app'")
        assert cursor.fetchone() == (True, False)


def test_a_rewritten_newest_row_is_found_against_the_head(three_events):
    third = three_events[-1]
    _as_table_owner(
        "UPDATE core_auditevent SET action = 'test.rewritten' WHERE id = %s;"
        "UPDATE core_auditevent e SET row_hash = core_auditevent_hash(e) WHERE id = %s",
        [third.pk, third.pk],
    )
    report = audit_chain_verify()
    assert report.broken is not None
    assert report.broken.event_id == third.pk
    assert "链尾标记不符" in report.broken.reason


def test_after_a_purge_of_every_row_the_chain_continues_from_the_anchor(empty_log):
    old = _recorded_days_ago(400, "test.old")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT core_auditevent_purge(now() - interval '300 days')")
    assert not AuditEvent.objects.exists()
    follower = _record("test.after_purge")
    assert (follower.chain_seq, follower.prev_hash) == (old.chain_seq + 1, old.row_hash)
    assert audit_chain_verify().intact
