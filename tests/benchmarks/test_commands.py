"""The measuring commands that roll back what they write: the audit chain and the ledger's Excel export."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from core.audit.record import audit_record
from core.models import AuditChainMark, AuditEvent
from ledger.models import KeyCase
from tests.support.helpers import travel_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events(db: None) -> list[AuditEvent]:
    """Three rows on the audit chain, so it has a head before the benchmark writes."""
    events = []
    for n in (1, 2, 3):
        with transaction.atomic():
            events.append(
                audit_record(
                    actor=None,
                    action=f"test.step.{n}",
                    object_type="test",
                    object_id=str(n),
                    detail={"n": n, "名称": "临江"},
                )
            )
    return events


def test_the_audit_benchmark_leaves_no_rows_behind(three_events, capsys):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    count, head = AuditEvent.objects.count(), AuditChainMark.objects.get(kind="head").seq
    call_command("audit_benchmark", "--rows", "20")
    assert "哈希链每条增加" in capsys.readouterr().out
    assert AuditEvent.objects.count() == count
    assert AuditChainMark.objects.get(kind="head").seq == head


def test_the_export_benchmark_prints_time_size_and_peak_memory_and_leaves_no_data():
    out = io.StringIO()
    with travel_to(date(2026, 11, 23)):  # a Monday
        call_command("ledger_export_benchmark", rows=30, stdout=out)
    printed = out.getvalue()
    assert "Python内存峰值(MB)" in printed
    assert re.search(r"^30\t[\d.]+\t\d+\t[\d.]+$", printed, re.MULTILINE)
    assert not KeyCase.objects.exists()
