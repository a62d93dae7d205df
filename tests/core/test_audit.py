"""The audit log is append-only in the database and every write adds its row in the same transaction."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from core.audit.record import audit_record, request_origin
from core.models import AuditEvent, Unit
from core.services.units import unit_create, unit_update

REFUSED = (InternalError, ProgrammingError, IntegrityError)


@pytest.fixture
def event(personas):
    with transaction.atomic():
        return audit_record(
            actor=personas.system_admin, action="test.something.done", object_type="x", object_id="1"
        )


def test_update_of_an_audit_row_is_refused_by_the_database(event):
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    event.refresh_from_db()
    assert event.action == "test.something.done"


def test_delete_of_an_audit_row_is_refused_by_the_database(event):
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_is_refused_too(event):
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET success = false WHERE id = %s", [event.pk])


def test_a_write_records_actor_role_unit_ip_object_and_changed_fields(personas, tree):
    with request_origin("10.1.2.3"):
        unit = unit_create(
            actor=personas.system_admin,
            parent_id=tree.county_b.pk,
            code="T-B-SQ",
            name="石桥乡",
            kind="area",
            level=3,
        )
    event = AuditEvent.objects.get(action="core.unit.created")
    assert event.actor == personas.system_admin
    assert event.actor_username == "sysadmin"
    assert event.actor_roles == ["system_admin"]
    assert event.actor_unit == tree.city
    assert event.ip_address == "10.1.2.3"
    assert event.object_type == "core.unit"
    assert event.object_id == str(unit.pk)
    assert "name" in event.changed_fields
    assert event.success


def test_an_update_lists_only_the_fields_that_changed(personas, tree):
    unit_update(actor=personas.system_admin, unit_id=tree.county_b.pk, name="青山县", short_name="青山")
    event = AuditEvent.objects.get(action="core.unit.updated")
    assert event.changed_fields == ["short_name"]


def test_a_write_that_fails_leaves_neither_its_change_nor_its_audit_row(personas, tree):
    count = AuditEvent.objects.count()
    with pytest.raises(Exception, match="已被使用"):
        unit_create(
            actor=personas.system_admin, parent_id=tree.city.pk, code="T-A", name="重复", kind="area", level=2
        )
    assert AuditEvent.objects.count() == count
    assert not Unit.objects.filter(name="重复").exists()


@pytest.mark.django_db(transaction=True)
def test_audit_record_for_a_write_refuses_to_run_outside_a_transaction(personas):
    with pytest.raises(RuntimeError, match="inside that write's transaction"):
        audit_record(actor=personas.system_admin, action="test.outside")
