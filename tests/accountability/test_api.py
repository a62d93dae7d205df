"""The accountability REST API: 督办单 issue / reply / close, 通报 and 追责 records, scoped like the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accountability.choices import DeadlineStatus, SupervisionStatus
from accountability.models import AccountabilityRecord, Circular, Deadline, SupervisionOrder
from accountability.services.deadlines import Subject, deadline_open
from accountability.services.ladder import SUPERVISION_REPLY
from accountability.services.supervision import (
    ORDER_SUBJECT,
    accountability_record_create,
    circular_issue,
    supervision_issue,
    supervision_reply,
)
from core.choices import Role, UnitKind, UnitLevel
from core.models import AuditEvent, Unit, User
from tests.support.accounts import ADMIN_PERSONAS, API_PERSONAS, Personas, Tree, inside_and_outside
from tests.support.helpers import has_chinese
from tests.support.ladder import DUTY
from tests.support.supervision import finding_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]  # every test at TODAY

TODAY = date(2026, 3, 10)  # a Tuesday; ten working days later is Tuesday 24 March
URL = "/api/v1/accountability/"
ORDERS = URL + "supervision-orders/"
CIRCULARS = URL + "circulars/"
RECORDS = URL + "records/"

PERSONAS = API_PERSONAS
ADMINS = ADMIN_PERSONAS


def session_queries(api: APIClient) -> int:
    """Queries every request costs before the view runs (the idle-session middleware keeps the session fresh)."""
    api.get("/api/v1/me/")  # the first request creates the session
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/me/").status_code == 200
    return len(queries)


def audit_actions(obj: Any) -> list[str]:
    rows = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(rows.order_by("id").values_list("action", flat=True))


def order_state(order: SupervisionOrder) -> tuple[Any, ...]:
    """Everything a reply or a close may change, and how many audit rows exist."""
    fresh = SupervisionOrder.objects.get(pk=order.pk)
    clocks = Deadline.objects.filter(subject_type=ORDER_SUBJECT, subject_id=order.pk)
    return (
        fresh.status,
        fresh.reply,
        fresh.replied_by_id,
        fresh.replied_on,
        sorted(clocks.values_list("id", "status", "met_on")),
        AuditEvent.objects.count(),
    )


def issue(
    actor: User, unit: Unit, requirement: str = "请于十个工作日内书面说明拖延原因。"
) -> SupervisionOrder:
    return supervision_issue(
        actor=actor,
        unit=unit,
        subject=finding_on(unit),
        ground="evasion",
        method="written",
        requirement=requirement,
        issued_on=TODAY,
    )


@dataclass
class Far:
    """A second city, outside every persona's subtree, with a supervisor of its own."""

    city: Unit
    supervisor: User


@pytest.fixture
def far(tree: Tree, make_user: Callable[..., User]) -> Far:
    city = Unit.objects.add_root(
        {"code": "U", "name": "远山市", "kind": UnitKind.AREA, "level": UnitLevel.CITY}
    )
    return Far(city=city, supervisor=make_user(city, [Role.SUPERVISOR], "supervisor_far"))


@pytest.fixture
def county_b_supervisor(tree: Tree, make_user: Callable[..., User]) -> User:
    return make_user(tree.county_b, [Role.SUPERVISOR], "supervisor_b")


@pytest.fixture
def orders(personas: Personas, tree: Tree, far: Far) -> dict[str, SupervisionOrder]:
    """From the city to county A's department, from the city to county B, and one inside the far city."""
    return {
        "a": issue(personas.supervisor, tree.county_a_department, "请说明农民工工资拖欠问题的办理进度。"),
        "b": issue(personas.supervisor, tree.county_b, "请说明征地补偿信访事项超期原因。"),
        "far": issue(far.supervisor, far.city, "请说明物业纠纷信访事项超期原因。"),
    }


# --- 督办单: the permission matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("place", ["inside", "outside"])
def test_supervision_order_permission_matrix_for_list_detail_and_reply(
    personas, api_for, orders, name, place
):
    inside, outside = inside_and_outside(name)
    order = orders[inside if place == "inside" else outside]
    visible = place == "inside" and name not in ADMINS
    api = api_for(getattr(personas, name))
    before = order_state(order)

    listed = api.get(ORDERS)
    detail = api.get(f"{ORDERS}{order.pk}/")
    reply = api.post(f"{ORDERS}{order.pk}/reply/", {"reply": "已督促施工方，工资本周发放。"}, format="json")

    if name in ADMINS:
        # The admin roles have no supervision pages: refused before anything is looked up.
        assert (listed.status_code, detail.status_code, reply.status_code) == (403, 403, 403)
        assert has_chinese(listed.json()["detail"])
    else:
        assert listed.status_code == 200
        assert (order.pk in {row["id"] for row in listed.json()["results"]}) is visible
        assert detail.status_code == (200 if visible else 404)
    if name not in ADMINS and not visible:
        assert detail.json() == {"detail": "未找到。"}
        assert reply.status_code == 404
    elif visible and name == "handler_a":  # staff of the supervised unit
        assert reply.status_code == 200, reply.json()
        assert reply.json()["status"] == SupervisionStatus.REPLIED
    elif visible:
        assert reply.status_code == 403
        assert reply.json() == {"non_field_errors": ["只有被督办单位的人员可以答复督办单。"]}
    if reply.status_code != 200:
        assert order_state(order) == before


@pytest.mark.parametrize("name", PERSONAS)
def test_only_supervisors_issue_a_supervision_order(personas, api_for, tree, name):
    body = {
        "finding": str(finding_on(tree.county_a).id),
        "unit": tree.county_a.pk,
        "ground": "not_closed",
        "method": "talk",
        "requirement": "请说明原因。",
    }
    audit_rows = AuditEvent.objects.count()

    response = api_for(getattr(personas, name)).post(ORDERS, body, format="json")

    if name == "supervisor":
        assert response.status_code == 201, response.json()
        assert SupervisionOrder.objects.count() == 1
    else:
        assert response.status_code == 403
        if name not in ADMINS:
            assert response.json() == {"non_field_errors": ["只有督查人员可以发出督办单。"]}
        assert not SupervisionOrder.objects.exists()
        assert AuditEvent.objects.count() == audit_rows


def test_only_the_issuing_sides_supervisor_closes_and_outsiders_get_404(
    personas, api_for, orders, tree, county_b_supervisor, far, make_user
):
    order = orders["b"]
    supervision_reply(
        actor=make_user(tree.county_b, [Role.HANDLER], "handler_b"),
        order=order,
        reply="已落实征地补偿款发放。",
        replied_on=TODAY,
    )
    before = order_state(order)

    # County B's own supervisor reads the order its county received, but the city issued it.
    by_receiving_side = api_for(county_b_supervisor).post(f"{ORDERS}{order.pk}/close/")
    by_clerk = api_for(personas.clerk_b).post(f"{ORDERS}{order.pk}/close/")
    by_outsider = api_for(far.supervisor).post(f"{ORDERS}{order.pk}/close/")

    assert by_receiving_side.status_code == 403
    assert by_receiving_side.json() == {"non_field_errors": ["只有督办单位的督查人员可以办结督办单。"]}
    assert by_clerk.status_code == 403
    assert by_outsider.status_code == 404
    assert order_state(order) == before

    assert api_for(personas.supervisor).post(f"{ORDERS}{order.pk}/close/").status_code == 200
    assert SupervisionOrder.objects.get(pk=order.pk).status == SupervisionStatus.CLOSED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "supervision-orders/"),
        ("get", "supervision-orders/{id}/"),
        ("post", "supervision-orders/"),
        ("post", "supervision-orders/{id}/reply/"),
        ("post", "supervision-orders/{id}/close/"),
        ("get", "circulars/"),
        ("post", "circulars/"),
        ("get", "records/"),
        ("post", "records/"),
    ],
)
def test_unauthenticated_requests_are_401(api_for, orders, method, path):
    order = orders["a"]
    before = order_state(order)

    response = getattr(api_for(None), method)(URL + path.format(id=order.pk), {}, format="json")

    assert response.status_code == 401
    assert order_state(order) == before


def test_status_is_never_patched_or_put(personas, api_for, orders):
    order = orders["a"]
    before = order_state(order)
    api = api_for(personas.supervisor)

    patched = api.patch(f"{ORDERS}{order.pk}/", {"status": "closed"}, format="json")
    put = api.put(f"{ORDERS}{order.pk}/", {"status": "closed"}, format="json")
    deleted = api.delete(f"{ORDERS}{order.pk}/")

    assert (patched.status_code, put.status_code, deleted.status_code) == (405, 405, 405)
    assert order_state(order) == before


def test_a_non_numeric_id_is_a_404(personas, api_for, orders):
    assert api_for(personas.supervisor).get(f"{ORDERS}abc/").status_code == 404


# --- 督办单: issue, reply, close ------------------------------------------------------------------------------


def test_a_supervisor_issues_the_unit_replies_and_the_issuer_closes_each_step_audited(
    personas, api_for, tree
):
    supervisor, handler = api_for(personas.supervisor), api_for(personas.handler_a)

    created = supervisor.post(
        ORDERS,
        {
            "finding": str(finding_on(tree.county_a_department).id),
            "unit": tree.county_a_department.pk,
            "ground": "not_reported",
            "method": "site",
            "requirement": "请于答复期限内书面报告办理结果。",
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    order = SupervisionOrder.objects.get(pk=body["id"])
    assert re.fullmatch(r"DB2026-\d{5}", body["number"])
    assert (order.unit, order.issuing_unit, order.issued_by, order.issued_on) == (
        tree.county_a_department,
        tree.city,
        personas.supervisor,
        TODAY,
    )
    assert body["status"] == SupervisionStatus.ISSUED
    assert body["status_label"] == "待答复"
    assert (body["ground_label"], body["method_label"]) == ("未按规定反馈办理结果", "实地督办")
    assert (body["unit_name"], body["issuing_unit_name"]) == ("城关区住房和城乡建设局", "临江市")
    assert (body["reply_due_on"], body["reply_overdue"]) == ("2026-03-24", False)
    assert (body["may_reply"], body["may_close"]) == (False, False)
    assert audit_actions(order) == ["accountability.supervision.issued"]
    clock = Deadline.objects.get(subject_type=ORDER_SUBJECT, subject_id=order.pk)
    assert (clock.rule_id, clock.status, clock.unit) == (SUPERVISION_REPLY, DeadlineStatus.OPEN, order.unit)

    assert handler.get(f"{ORDERS}{order.pk}/").json()["may_reply"] is True
    replied = handler.post(
        f"{ORDERS}{order.pk}/reply/",
        {"reply": "  已约谈施工方，拖欠工资于3月9日全部发放。  ", "replied_on": "2026-03-10"},
        format="json",
    )

    assert replied.status_code == 200, replied.json()
    body = replied.json()
    assert (body["status"], body["reply"], body["replied_on"], body["replied_by_name"]) == (
        SupervisionStatus.REPLIED,
        "已约谈施工方，拖欠工资于3月9日全部发放。",
        "2026-03-10",
        personas.handler_a.full_name,
    )
    assert audit_actions(order) == ["accountability.supervision.issued", "accountability.supervision.replied"]
    clock.refresh_from_db()
    assert (clock.status, clock.met_on) == (DeadlineStatus.MET_ON_TIME, TODAY)
    assert supervisor.get(f"{ORDERS}{order.pk}/").json()["may_close"] is True

    closed = supervisor.post(f"{ORDERS}{order.pk}/close/")

    assert closed.status_code == 200, closed.json()
    assert (closed.json()["status"], closed.json()["may_close"]) == (SupervisionStatus.CLOSED, False)
    assert SupervisionOrder.objects.get(pk=order.pk).status == SupervisionStatus.CLOSED
    assert audit_actions(order) == [
        "accountability.supervision.issued",
        "accountability.supervision.replied",
        "accountability.supervision.closed",
    ]
    closing = AuditEvent.objects.get(action="accountability.supervision.closed")
    assert (closing.actor, closing.actor_unit) == (personas.supervisor, tree.city)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"requirement": ""}, "requirement"),
        ({"requirement": "请" * 2001}, "requirement"),
        ({"ground": "rumour"}, "ground"),
        ({"method": "phone"}, "method"),
        ({"unit": None}, "unit"),
        ({"unit": "county"}, "unit"),
        ({"unit": 999_999}, "unit"),
    ],
)
def test_a_bad_supervision_order_is_a_400_naming_the_field_in_chinese_and_writes_nothing(
    personas, api_for, tree, body, field
):
    data = {"unit": tree.county_a.pk, "ground": "evasion", "method": "written", "requirement": "请说明原因。"}
    data.update(body)
    audit_rows = AuditEvent.objects.count()

    response = api_for(personas.supervisor).post(ORDERS, data, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert has_chinese(response.json()[field])
    assert not SupervisionOrder.objects.exists()
    assert not Deadline.objects.filter(subject_type=ORDER_SUBJECT).exists()
    assert AuditEvent.objects.count() == audit_rows


def test_a_unit_outside_the_supervisors_subtree_is_refused_at_the_unit_field(
    api_for, county_b_supervisor, tree
):
    data = {"unit": tree.county_a.pk, "ground": "evasion", "method": "written", "requirement": "请说明原因。"}

    response = api_for(county_b_supervisor).post(ORDERS, data, format="json")

    assert response.status_code == 400
    assert response.json() == {"unit": ["请选择本单位或下级单位。"]}
    assert not SupervisionOrder.objects.exists()


def test_server_owned_fields_sent_when_issuing_are_ignored(personas, api_for, tree, orders):
    subject = finding_on(tree.county_a)
    forged = {
        "finding": str(subject.id),
        "subject_type": "petitions.item",
        "subject_id": 4242,
        "unit": tree.county_a.pk,
        "ground": "procedure",
        "method": "joint",
        "requirement": "请按规定程序重新办理。",
        "number": "DB1999-99999",
        "status": SupervisionStatus.CLOSED,
        "issuing_unit": tree.county_b.pk,
        "issued_by": personas.leader.pk,
        "issued_on": "2020-01-01",
        "created_at": "2020-01-01T00:00:00+08:00",
        "reply": "早已办结。",
        "replied_by": personas.handler_a.pk,
        "replied_on": "2020-01-02",
        "deadline": Deadline.objects.filter(subject_type=ORDER_SUBJECT).first().pk,  # type: ignore[union-attr]
    }

    response = api_for(personas.supervisor).post(ORDERS, forged, format="json")

    assert response.status_code == 201, response.json()
    order = SupervisionOrder.objects.get(pk=response.json()["id"])
    assert order.number != "DB1999-99999"
    assert order.number.startswith("DB2026-")
    assert (order.status, order.issuing_unit, order.issued_by, order.issued_on) == (
        SupervisionStatus.ISSUED,
        tree.city,
        personas.supervisor,
        TODAY,
    )
    assert (order.reply, order.replied_by, order.replied_on, order.deadline) == ("", None, None, None)
    assert (order.subject_type, order.subject_id) == (subject.type, subject.id)
    assert order.created_at.date() == TODAY


def test_server_owned_fields_sent_with_a_reply_are_ignored(personas, api_for, orders):
    order = orders["a"]

    response = api_for(personas.handler_a).post(
        f"{ORDERS}{order.pk}/reply/",
        {"reply": "已答复。", "status": SupervisionStatus.CLOSED, "replied_by": personas.leader.pk},
        format="json",
    )

    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.replied_by, order.replied_on) == (
        SupervisionStatus.REPLIED,
        personas.handler_a,
        TODAY,
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"reply": "   "}, "reply", "请填写答复内容。"),
        ({}, "reply", "请填写答复内容。"),
        (
            {"reply": "已答复。", "replied_on": "2026-03-11"},
            "replied_on",
            "答复日期应在督办日期之后且不晚于今天。",
        ),
        (
            {"reply": "已答复。", "replied_on": "2026-03-09"},
            "replied_on",
            "答复日期应在督办日期之后且不晚于今天。",
        ),
    ],
)
def test_a_bad_reply_is_refused_at_the_field_and_changes_nothing(
    personas, api_for, orders, body, field, message
):
    order = orders["a"]
    before = order_state(order)

    response = api_for(personas.handler_a).post(f"{ORDERS}{order.pk}/reply/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert order_state(order) == before


def test_a_second_reply_and_closing_before_a_reply_are_refused(personas, api_for, orders):
    order = orders["a"]
    early_close = api_for(personas.supervisor).post(f"{ORDERS}{order.pk}/close/")
    assert early_close.status_code == 400
    assert early_close.json() == {"non_field_errors": ["督办单答复后才能办结。"]}

    handler = api_for(personas.handler_a)
    assert handler.post(f"{ORDERS}{order.pk}/reply/", {"reply": "已答复。"}, format="json").status_code == 200
    before = order_state(order)
    again = handler.post(f"{ORDERS}{order.pk}/reply/", {"reply": "再次答复。"}, format="json")

    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["该督办单已答复，不能重复答复。"]}
    assert order_state(order) == before


# --- 督办单: the list -----------------------------------------------------------------------------------------


def test_the_list_orders_by_status_and_filters_by_status_like_the_page(personas, api_for, orders, tree):
    supervision_reply(actor=personas.handler_a, order=orders["a"], reply="已答复。", replied_on=TODAY)
    api = api_for(personas.section_head)

    everything = [row["id"] for row in api.get(ORDERS).json()["results"]]
    issued = [row["id"] for row in api.get(f"{ORDERS}?status=issued").json()["results"]]
    replied = [row["id"] for row in api.get(f"{ORDERS}?status=replied").json()["results"]]
    unknown = api.get(f"{ORDERS}?status=lost")

    assert everything == [orders["b"].pk, orders["a"].pk]
    assert (issued, replied) == ([orders["b"].pk], [orders["a"].pk])
    assert unknown.status_code == 400
    assert set(unknown.json()) == {"status"}
    assert has_chinese(unknown.json()["status"])


def test_a_ladder_order_shows_no_issuer_and_its_overdue_reply_clock(personas, api_for, ladder, tree):
    deadline = deadline_open(
        subject=Subject("petitions.item", 4242),
        kind=DUTY,
        unit_id=tree.county_a_department.pk,
        starts_on=date(2026, 2, 1),
        actor=personas.clerk_a,
    )
    order = supervision_issue(
        actor=None,
        unit=tree.county_a_department,
        issuing_unit=tree.county_a,
        ground="not_closed",
        method="written",
        requirement="测试办理已超期，请书面说明原因。",
        issued_on=date(2026, 2, 16),
        deadline=deadline,
    )

    (row,) = api_for(personas.clerk_a).get(ORDERS).json()["results"]

    clock = Deadline.objects.get(subject_type=ORDER_SUBJECT, subject_id=order.pk)
    assert clock.due_on < TODAY
    assert row["id"] == order.pk
    assert (row["issued_by"], row["issued_by_name"], row["deadline"]) == (None, None, deadline.pk)
    assert (row["reply_due_on"], row["reply_overdue"]) == (clock.due_on.isoformat(), True)


def test_the_order_list_costs_the_same_few_queries_for_two_rows_or_six(
    personas, api_for, tree, django_assert_max_num_queries
):
    api = api_for(personas.leader)
    budget = session_queries(api) + 4  # count, rows with units and people, reply clocks, subjects' numbers
    for unit in (tree.county_a, tree.county_b):
        issue(personas.supervisor, unit)
    with django_assert_max_num_queries(budget):
        assert len(api.get(ORDERS).json()["results"]) == 2
    for unit in (tree.city_department, tree.county_a_department, tree.township_a, tree.county_b):
        issue(personas.supervisor, unit)
    with django_assert_max_num_queries(budget):
        rows = api.get(ORDERS).json()["results"]
    assert len(rows) == 6
    assert all(row["reply_due_on"] == "2026-03-24" for row in rows)


# --- 通报 ------------------------------------------------------------------------------------------------------


@pytest.fixture
def overdue_in_county_a(ladder, personas: Personas, tree: Tree) -> Deadline:
    """A handling clock of county A's department that fell due on 2 March and is still running."""
    return deadline_open(
        subject=Subject("petitions.item", 4343),
        kind=DUTY,
        unit_id=tree.county_a_department.pk,
        starts_on=date(2026, 2, 20),
        actor=personas.clerk_a,
    )


def test_a_supervisor_issues_a_circular_with_its_frozen_rows_audited(
    personas, api_for, tree, overdue_in_county_a
):
    response = api_for(personas.supervisor).post(
        CIRCULARS, {"start": "2026-03-01", "end": "2026-03-09"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    circular = Circular.objects.get(pk=body["id"])
    assert (body["number"], circular.issuing_unit, circular.issued_by) == (
        "TB2026-001",
        tree.city,
        personas.supervisor,
    )
    assert body["title"] == "关于2026年03月01日至2026年03月09日信访工作超期情况的通报"
    assert body["rows"] == [
        {
            "unit_id": tree.county_a_department.pk,
            "unit_name": "城关区住房和城乡建设局",
            "overdue": 1,
            "missed_reports": 0,
            "unanswered_supervision": 0,
        }
    ]
    assert body["unit_count"] == 1
    assert audit_actions(circular) == ["accountability.circular.issued"]

    # Frozen: the clock met afterwards does not change the archived rows.
    overdue_in_county_a.status = DeadlineStatus.MET_LATE
    overdue_in_county_a.met_on = TODAY
    overdue_in_county_a.save()
    assert api_for(personas.leader).get(f"{CIRCULARS}{circular.pk}/").json()["rows"] == body["rows"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2026-03-09", "end": "2026-03-01"}, "end"),
        ({"start": "2026-03-01", "end": "2026-03-11"}, "end"),
        ({"end": "2026-03-09"}, "start"),
        ({"start": "last week"}, "start"),
        ({"start": "2026-03-01", "title": "通" * 201}, "title"),
    ],
)
def test_a_bad_circular_period_is_refused_at_the_field_and_archives_nothing(personas, api_for, body, field):
    audit_rows = AuditEvent.objects.count()

    response = api_for(personas.supervisor).post(CIRCULARS, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert has_chinese(response.json()[field])
    assert not Circular.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


def test_server_owned_circular_fields_are_ignored(personas, api_for, tree, overdue_in_county_a):
    forged_rows = [{"unit_id": tree.county_b.pk, "unit_name": "青山县", "overdue": 99}]

    response = api_for(personas.supervisor).post(
        CIRCULARS,
        {
            "start": "2026-03-01",
            "end": "2026-03-09",
            "number": "TB1999-999",
            "issuing_unit": tree.county_b.pk,
            "issued_by": personas.leader.pk,
            "issued_at": "2020-01-01T00:00:00+08:00",
            "rows": forged_rows,
        },
        format="json",
    )

    assert response.status_code == 201
    circular = Circular.objects.get()
    assert (circular.number, circular.issuing_unit, circular.issued_by) == (
        "TB2026-001",
        tree.city,
        personas.supervisor,
    )
    assert circular.issued_at.date() == TODAY
    assert [row["unit_id"] for row in circular.rows] == [tree.county_a_department.pk]


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("place", ["inside", "outside"])
def test_circular_permission_matrix(personas, api_for, tree, far, make_user, name, place):
    supervisor_b = make_user(tree.county_b, [Role.SUPERVISOR], "supervisor_b")
    circulars = {
        "a": circular_issue(actor=personas.supervisor, start=date(2026, 3, 1), end=TODAY),  # the city's
        "b": circular_issue(actor=supervisor_b, start=date(2026, 3, 1), end=TODAY),  # county B's
        "far": circular_issue(actor=far.supervisor, start=date(2026, 3, 1), end=TODAY),
    }
    inside, outside = inside_and_outside(name)
    # A circular is read where it was issued and above: county A reads none of the city's.
    if name in {"clerk_a", "handler_a"}:
        inside, outside = "none", "a"
    circular = circulars.get(inside if place == "inside" else outside)
    api = api_for(getattr(personas, name))

    listed = api.get(CIRCULARS)
    issued = api.post(CIRCULARS, {"start": "2026-03-01", "end": "2026-03-09"}, format="json")

    if name in ADMINS:
        assert (listed.status_code, issued.status_code) == (403, 403)
        assert api.get(f"{CIRCULARS}{circulars['a'].pk}/").status_code == 403
        return
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    if circular is not None:
        visible = place == "inside"
        assert (circular.pk in ids) is visible
        assert api.get(f"{CIRCULARS}{circular.pk}/").status_code == (200 if visible else 404)
    if name == "supervisor":
        assert issued.status_code == 201
    else:
        assert issued.status_code == 403
        assert issued.json() == {"non_field_errors": ["只有督查人员可以发出通报。"]}
        assert Circular.objects.count() == 3


def test_the_circular_list_costs_the_same_few_queries_for_one_row_or_four(
    personas, api_for, django_assert_max_num_queries
):
    api = api_for(personas.leader)
    budget = session_queries(api) + 2  # count, rows with the issuing unit and person
    circular_issue(actor=personas.supervisor, start=date(2026, 1, 1), end=date(2026, 1, 31))
    with django_assert_max_num_queries(budget):
        assert len(api.get(CIRCULARS).json()["results"]) == 1
    for month in (2, 3):
        circular_issue(actor=personas.supervisor, start=date(2026, month, 1), end=date(2026, month, 9))
    circular_issue(actor=personas.supervisor, start=date(2025, 12, 1), end=date(2025, 12, 31))
    with django_assert_max_num_queries(budget):
        rows = api.get(CIRCULARS).json()["results"]
    assert {row["number"] for row in rows} == {"TB2025-001", "TB2026-001", "TB2026-002", "TB2026-003"}


# --- 追责 ------------------------------------------------------------------------------------------------------


def record_body(tree: Tree, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "unit": tree.county_a_department.pk,
        "person_name": "王建华",
        "person_title": "副局长",
        "liability": "in_charge",
        "measure": "admonition",
        "reason": "分管的信访事项多次超期未办结，督办后仍未按期答复。",
        "decided_by": "中共临江市纪律检查委员会",
        "decided_on": "2026-03-09",
    }
    body.update(overrides)
    return body


def test_a_supervisor_records_an_accountability_decision_audited(personas, api_for, tree):
    response = api_for(personas.supervisor).post(RECORDS, record_body(tree), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    record = AccountabilityRecord.objects.get(pk=body["id"])
    assert (record.unit, record.recorded_by, record.person_name, record.decided_on) == (
        tree.county_a_department,
        personas.supervisor,
        "王建华",
        date(2026, 3, 9),
    )
    assert (body["liability_label"], body["measure_label"], body["unit_name"]) == (
        "分管负责人",
        "诫勉",
        "城关区住房和城乡建设局",
    )
    assert body["recorded_by_name"] == personas.supervisor.full_name
    assert audit_actions(record) == ["accountability.record.created"]
    assert api_for(personas.handler_a).get(f"{RECORDS}{record.pk}/").json()["person_name"] == "王建华"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decided_on": "2026-03-11"}, "decided_on"),
        ({"measure": "fine"}, "measure"),
        ({"liability": "bystander"}, "liability"),
        ({"person_name": ""}, "person_name"),
        ({"reason": "事" * 2001}, "reason"),
        ({"unit": 999_999}, "unit"),
    ],
)
def test_a_bad_record_is_refused_at_the_field_in_chinese_and_writes_nothing(
    personas, api_for, tree, overrides, field
):
    audit_rows = AuditEvent.objects.count()

    response = api_for(personas.supervisor).post(RECORDS, record_body(tree, **overrides), format="json")

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert has_chinese(response.json()[field])
    assert not AccountabilityRecord.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


def test_server_owned_record_fields_are_ignored(personas, api_for, tree, orders):
    forged = record_body(
        tree,
        recorded_by=personas.leader.pk,
        created_at="2020-01-01T00:00:00+08:00",
        subject_type="petitions.item",
        subject_id=4242,
        id=424242,
    )

    response = api_for(personas.supervisor).post(RECORDS, forged, format="json")

    assert response.status_code == 201
    record = AccountabilityRecord.objects.get()
    assert record.pk != 424242
    assert (record.recorded_by, record.supervision_order, record.created_at.date()) == (
        personas.supervisor,
        None,
        TODAY,
    )
    assert (record.subject_type, record.subject_id) == ("", None)


def test_a_record_cannot_cite_an_order_or_a_circular_outside_the_callers_reach(
    personas, api_for, tree, orders
):
    api = api_for(personas.supervisor)
    far_order = api.post(RECORDS, record_body(tree, supervision_order=orders["far"].pk), format="json")
    unknown_circular = api.post(RECORDS, record_body(tree, circular=987654), format="json")

    assert far_order.status_code == 400
    assert far_order.json() == {"supervision_order": ["没有找到该督办单，或不在本单位范围内。"]}
    assert unknown_circular.json() == {"circular": ["没有找到该通报，或不在本单位范围内。"]}
    assert not AccountabilityRecord.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("place", ["inside", "outside"])
def test_record_permission_matrix(personas, api_for, tree, far, name, place):
    def record(unit: Unit, actor: User) -> AccountabilityRecord:
        return accountability_record_create(
            actor=actor,
            unit=unit,
            person_name="李明",
            person_title="局长",
            liability="principal",
            measure="reminder_talk",
            reason="督办答复超期。",
            decided_by="临江市信访工作联席会议",
            decided_on=TODAY,
        )

    records = {
        "a": record(tree.county_a_department, personas.supervisor),
        "b": record(tree.county_b, personas.supervisor),
        "far": record(far.city, far.supervisor),
    }
    inside, outside = inside_and_outside(name)
    target = records[inside if place == "inside" else outside]
    visible = place == "inside" and name not in ADMINS
    api = api_for(getattr(personas, name))

    listed = api.get(RECORDS)
    detail = api.get(f"{RECORDS}{target.pk}/")
    created = api.post(RECORDS, record_body(tree), format="json")

    if name in ADMINS:
        assert (listed.status_code, detail.status_code, created.status_code) == (403, 403, 403)
        assert AccountabilityRecord.objects.count() == 3
        return
    assert (target.pk in {row["id"] for row in listed.json()["results"]}) is visible
    assert detail.status_code == (200 if visible else 404)
    if name == "supervisor":
        assert created.status_code == 201
    else:
        assert created.status_code == 403
        assert created.json() == {"non_field_errors": ["只有督查人员可以登记追责。"]}
        assert AccountabilityRecord.objects.count() == 3


def test_the_record_list_costs_the_same_few_queries_and_filters_by_measure(
    personas, api_for, tree, orders, django_assert_max_num_queries
):
    api = api_for(personas.section_head)
    budget = session_queries(api) + 2  # count, rows with their unit, recorder and 督办单
    api_for(personas.supervisor).post(RECORDS, record_body(tree), format="json")
    with django_assert_max_num_queries(budget):
        assert len(api.get(RECORDS).json()["results"]) == 1
    for measure in ("criticism", "disciplinary", "criticism"):
        accountability_record_create(
            actor=personas.supervisor,
            unit=tree.county_b,
            person_name="赵强",
            person_title="县信访局局长",
            liability="principal",
            measure=measure,
            reason="督办后仍未按期答复。",
            decided_by="青山县纪委监委",
            decided_on=TODAY,
            supervision_order=orders["b"],
        )
    with django_assert_max_num_queries(budget):
        rows = api.get(RECORDS).json()["results"]
    assert len(rows) == 4
    assert {row["supervision_order_number"] for row in rows} == {None, orders["b"].number}
    assert len(api.get(f"{RECORDS}?measure=criticism").json()["results"]) == 2


# --- the published schema -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method", "request_schema"),
    [
        ("supervision-orders/", "post", "SupervisionIssueRequest"),
        ("supervision-orders/{id}/reply/", "post", "SupervisionReplyRequest"),
        ("circulars/", "post", "CircularIssueRequest"),
        ("records/", "post", "AccountabilityRecordCreateRequest"),
    ],
)
def test_the_schema_documents_each_write(personas, api_for, path, method, request_schema):
    schema = api_for(personas.clerk_a).get("/api/v1/schema/?format=json").json()

    operation = schema["paths"][f"{URL}{path}"][method]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": f"#/components/schemas/{request_schema}"}
    assert "patch" not in schema["paths"][f"{ORDERS}{{id}}/"]
