"""The petitions REST API: registration, masked reads, one POST per life-cycle step, scoping, filters, due dates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accountability.choices import DeadlineStatus
from accountability.models import Deadline, DeadlineExtension, DeadlinePause
from core.choices import Role, UnitKind, UnitLevel
from core.models import Unit, User
from core.selectors import calendar_snapshot
from core.workcalendar import compute_due_date
from petitions.choices import (
    ACCEPTANCE_CLOCK,
    ITEM_SUBJECT,
    OBJECTION,
    RECHECK_CLOCK,
    REVIEW_CLOCK,
    ROUTING,
    AttachmentKind,
    DocumentKind,
    Status,
)
from petitions.models import Attachment, Category, ExtensionRequest, Item
from petitions.services import lifecycle
from petitions.services.intake import IntakeInput, PetitionerInput, item_register
from tests.support.accounts import ADMIN_PERSONAS, API_PERSONAS
from tests.support.helpers import has_chinese

TODAY = date(2026, 2, 10)  # a Tuesday before 春节 2026 (02-15..02-23)
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
ADDRESS = "东门街道幸福路12号3单元501室"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
URL = "/api/v1/petitions/"


@pytest.fixture
def category(db: None) -> Category:
    return Category.objects.get(code="0301")


def register(
    actor: User, category: Category, received_on: date, *, summary: str = "拖欠工资三个月未发放", **extra: Any
) -> Item:
    """Register a visit through the service (set-up, not the behaviour under test)."""
    data = IntakeInput(
        channel=extra.pop("channel", "visit"),
        purpose="demand",
        category_id=category.pk,
        received_on=received_on,
        summary=summary,
        demand="请求责令公司支付拖欠的工资",
        petitioners=[
            PetitionerInput(name="张建国", id_number=ID_NUMBER, phone=PHONE, address_detail=ADDRESS)
        ],
        **extra,
    )
    return item_register(actor=actor, data=data)


def fresh(item: Item) -> Item:
    return Item.objects.get(pk=item.pk)


def deadline(item: Item, kind: str, *, status: str | None = DeadlineStatus.OPEN) -> Deadline:
    rows = Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item.pk, rule_id=kind)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-id").first()  # type: ignore[return-value]


# --- registration -------------------------------------------------------------------------------------------


def visit_body(chosen: Category, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "visit",
        "purpose": "demand",
        "category": chosen.pk,
        "received_on": "2025-09-20",
        "summary": "某建筑公司拖欠农民工工资三个月",
        "demand": "请求督促公司支付工资",
        "petitioners": [
            {"name": "张建国", "id_number": ID_NUMBER, "phone": PHONE, "address_detail": ADDRESS}
        ],
    }
    body.update(overrides)
    return body


def test_post_registers_a_visit_and_starts_the_routing_clock_across_national_day(
    personas, api_for, category, today
):
    response = api_for(personas.clerk_a).post(URL, visit_body(category), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    item = Item.objects.get(pk=body["id"])
    assert item.registered_unit == personas.clerk_a.unit
    assert body["status"] == Status.REGISTERED
    assert re.fullmatch(r"XF2026-\d{6}", body["number"])
    # 2025-09-20 + 15 日 = 2025-10-05, inside 国庆 (10-01..10-08): rolled forward to 2025-10-09.
    (routing,) = body["deadlines"]
    assert routing["kind"] == ROUTING
    assert routing["starts_on"] == "2025-09-20"
    assert routing["due_on"] == "2025-10-09"
    assert routing["status"] == DeadlineStatus.OPEN
    assert routing["provisional"] is False


def test_post_registers_a_letter_sent_as_multipart_with_its_scan(personas, api_for, category, today):
    body = visit_body(category, channel="letter", markers=json.dumps(["skip_level"]))
    body["petitioners"] = json.dumps(body["petitioners"], ensure_ascii=False)
    body["letter_scan"] = SimpleUploadedFile("来信.pdf", PDF, content_type="application/pdf")

    response = api_for(personas.clerk_a).post(URL, body, format="multipart")

    assert response.status_code == 201, response.json()
    item = Item.objects.get(pk=response.json()["id"])
    assert item.channel == "letter"
    assert item.markers == ["skip_level"]
    (scan,) = Attachment.objects.filter(item=item)
    assert scan.kind == AttachmentKind.LETTER_SCAN
    assert scan.content_type == "application/pdf"
    assert response.json()["petitioners"][0]["name"] == "张建国"


def test_multipart_markers_may_also_come_as_repeated_form_fields(personas, api_for, category, today):
    body = visit_body(category, channel="letter", markers=["threat", "skip_level"])
    body["petitioners"] = json.dumps(body["petitioners"], ensure_ascii=False)
    body["letter_scan"] = SimpleUploadedFile("来信.pdf", PDF, content_type="application/pdf")

    response = api_for(personas.clerk_a).post(URL, body, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["markers"] == ["skip_level", "threat"]


def test_a_letter_without_its_scan_is_refused_naming_the_attachments_field(
    personas, api_for, category, today
):
    body = visit_body(category, channel="letter")
    body["petitioners"] = json.dumps(body["petitioners"], ensure_ascii=False)

    response = api_for(personas.clerk_a).post(URL, body, format="multipart")

    assert response.status_code == 400
    assert set(response.json()) == {"attachments"}
    assert "来信扫描件" in response.json()["attachments"][0]
    assert not Item.objects.exists()


@override_settings(XF_ATTACHMENT_MAX_FILES=2)
def test_more_files_than_one_upload_may_carry_are_refused_naming_the_attachments_field(
    personas, api_for, category, today
):
    body = visit_body(category)
    body["petitioners"] = json.dumps(body["petitioners"], ensure_ascii=False)
    body["evidence"] = [
        SimpleUploadedFile(f"证据{n}.pdf", PDF, content_type="application/pdf") for n in range(3)
    ]

    response = api_for(personas.clerk_a).post(URL, body, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"attachments": ["一次最多上传2个文件，本次选择了3个。"]}
    assert not Item.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": None}, "summary"),
        ({"channel": "pigeon"}, "channel"),
        ({"received_on": "2026-02-11"}, "received_on"),
        ({"category": 999999}, "category"),
        ({"petitioners": []}, "petitioners"),
        (
            {"petitioners": [{"name": "张建国", "id_number": "110105194912310021"}]},
            "petitioners-0-id_number",
        ),
        ({"petitioners": [{"name": "张建国", "phone": "12345"}]}, "petitioners-0-phone"),
        (
            {
                "head_count": 30,
                "petitioners": [{"name": f"代表{n}", "is_representative": True} for n in range(6)],
            },
            "petitioners",
        ),
    ],
)
def test_a_bad_registration_is_a_400_naming_the_field_in_chinese(
    personas, api_for, category, today, overrides, field
):
    body = {key: value for key, value in visit_body(category, **overrides).items() if value is not None}

    response = api_for(personas.clerk_a).post(URL, body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert has_chinese(errors[field] if isinstance(errors[field], list) else [str(errors[field])])
    assert not Item.objects.exists()


def test_only_clerks_and_section_heads_may_register(personas, api_for, category, today):
    response = api_for(personas.handler_a).post(URL, visit_body(category), format="json")

    assert response.status_code == 403
    assert has_chinese(response.json()["non_field_errors"])
    assert not Item.objects.exists()


# --- reads ----------------------------------------------------------------------------------------------------


def test_detail_masks_personal_data_and_lists_the_clocks(personas, api_for, category, today):
    item = register(personas.clerk_a, category, date(2025, 9, 20))
    api = api_for(personas.clerk_a)
    api.post(f"{URL}{item.pk}/assign/", {"unit": personas.handler_a.unit_id, "on": "2025-09-26"})

    response = api.get(f"{URL}{item.pk}/")

    assert response.status_code == 200
    body = response.json()
    (person,) = body["petitioners"]
    assert person["id_number"] == "110105********002X"
    assert person["phone"] == "138****5678"
    assert person["address_detail"] == "东门街****"
    raw = response.content.decode()
    for secret in (ID_NUMBER, PHONE, ADDRESS):
        assert secret not in raw
    clocks = {row["kind"]: row for row in body["deadlines"]}
    assert set(clocks) == {ROUTING, ACCEPTANCE_CLOCK, OBJECTION}
    for row in clocks.values():
        assert {"kind", "starts_on", "due_on", "status", "provisional"} <= set(row)
    assert clocks[ROUTING]["status"] == DeadlineStatus.MET_ON_TIME
    # 15 日 from 2025-09-26 ends on Saturday 2025-10-11, a 调休 working day: no roll-forward.
    acceptance = clocks[ACCEPTANCE_CLOCK]
    assert (acceptance["starts_on"], acceptance["due_on"]) == ("2025-09-26", "2025-10-11")
    assert (acceptance["status"], acceptance["provisional"]) == (DeadlineStatus.OPEN, False)
    # 5 工作日 from 2025-09-26: 09-28 (调休 Sunday), 09-29, 09-30, 10-09, 10-10.
    assert clocks[OBJECTION]["due_on"] == "2025-10-10"


def test_the_list_shows_rows_without_personal_data(personas, api_for, category, today):
    register(personas.clerk_a, category, date(2026, 2, 2))

    response = api_for(personas.clerk_a).get(URL)

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["status"] == Status.REGISTERED
    assert row["status_label"] == "已登记待转送"
    raw = response.content.decode()
    for secret in (ID_NUMBER, PHONE, ADDRESS):
        assert secret not in raw


def test_the_list_costs_the_same_number_of_queries_for_two_rows_or_eight(personas, api_for, category, today):
    api = api_for(personas.clerk_a)
    for _n in range(2):
        register(personas.clerk_a, category, date(2026, 2, 2))
    with CaptureQueriesContext(connection) as two:
        assert len(api.get(URL).json()["results"]) == 2
    for _n in range(6):
        register(personas.clerk_a, category, date(2026, 2, 2))
    with CaptureQueriesContext(connection) as eight:
        assert len(api.get(URL).json()["results"]) == 8
    assert len(eight) == len(two)


# --- life-cycle steps -----------------------------------------------------------------------------------------

# Steps that bring an item to where each action can start (service calls: set-up, not under test).
PREREQUISITES: dict[str, list[str]] = {
    "assign": [],
    "accept": ["assign"],
    "reject": ["assign"],
    "object": ["assign"],
    "request-extension": ["assign", "accept"],
    "extend": ["assign", "accept", "request-extension"],
    "reply": ["assign", "accept"],
    "evaluate": ["assign", "accept", "reply"],
    "request-review": ["assign", "accept", "reply"],
    "review-decision": ["assign", "accept", "reply", "request-review"],
    "request-recheck": ["assign", "accept", "reply", "request-review", "review-decision"],
    "hearing-start": ["assign", "accept", "reply", "request-review", "review-decision", "request-recheck"],
    "hearing-end": [
        "assign",
        "accept",
        "reply",
        "request-review",
        "review-decision",
        "request-recheck",
        "hearing-start",
    ],
    "recheck-decision": [
        "assign",
        "accept",
        "reply",
        "request-review",
        "review-decision",
        "request-recheck",
    ],
    "close": [],
}

# Who takes each step: the office (clerk_a, county A) registers and assigns to county A's department
# (handler_a), whose own head (handler_head_a) approves an extension; county A reviews (复查) and the city
# (section_head) rechecks (复核).
ACTOR = {
    "assign": "clerk_a",
    "accept": "handler_a",
    "reject": "handler_a",
    "object": "handler_a",
    "request-extension": "handler_a",
    "extend": "handler_head_a",  # the handling unit's own head (第三十四条)
    "reply": "handler_a",
    "evaluate": "clerk_a",
    "request-review": "clerk_a",
    "review-decision": "clerk_a",
    "request-recheck": "section_head",
    "hearing-start": "section_head",
    "hearing-end": "section_head",
    "recheck-decision": "section_head",
    "close": "clerk_a",
}


def step_body(action: str, personas: Any) -> dict[str, Any]:
    return {
        "assign": {"unit": personas.handler_a.unit_id},
        "accept": {"note": "按普通程序办理"},
        "reject": {"route": "arbitration"},
        "object": {"reason": "不属于本单位职责"},
        "request-extension": {"days": 30, "reason": "情况复杂，需现场核查"},
        "extend": {"approve": True},
        "reply": {"outcome": "supported", "opinion": "责令公司限期支付工资"},
        "evaluate": {"satisfaction": "satisfied"},
        "request-review": {},
        "review-decision": {"decision": "upheld", "opinion": "维持原处理意见"},
        "request-recheck": {},
        "hearing-start": {"note": "听证"},
        "hearing-end": {"note": "听证结束"},
        "recheck-decision": {"decision": "upheld", "opinion": "维持复查意见"},
        "close": {"reason": "withdrawn"},
    }[action]


def run_service(action: str, item: Item, personas: Any, on: date) -> None:
    actor = getattr(personas, ACTOR[action])
    body = step_body(action, personas)
    calls: dict[str, Callable[[], Any]] = {
        "assign": lambda: lifecycle.item_assign(actor=actor, item_id=item.pk, unit_id=body["unit"], on=on),
        "accept": lambda: lifecycle.item_accept(actor=actor, item_id=item.pk, on=on),
        "request-extension": lambda: lifecycle.item_request_extension(
            actor=actor, item_id=item.pk, on=on, days=body["days"], reason=body["reason"]
        ),
        "reply": lambda: lifecycle.item_reply(
            actor=actor, item_id=item.pk, on=on, outcome=body["outcome"], opinion=body["opinion"]
        ),
        "request-review": lambda: lifecycle.item_request_review(actor=actor, item_id=item.pk, on=on),
        "review-decision": lambda: lifecycle.item_review_decision(
            actor=actor, item_id=item.pk, on=on, decision=body["decision"], opinion=body["opinion"]
        ),
        "request-recheck": lambda: lifecycle.item_request_recheck(actor=actor, item_id=item.pk, on=on),
        "hearing-start": lambda: lifecycle.item_hearing(actor=actor, item_id=item.pk, on=on, starting=True),
    }
    calls[action]()


def item_ready_for(action: str, personas: Any, category: Category, on: date) -> Item:
    item = register(personas.clerk_a, category, on)
    for step in PREREQUISITES[action]:
        run_service(step, item, personas, on)
    return fresh(item)


# The date each step records, read back from where the step keeps it.
RECORDED_DATE: dict[str, Callable[[Item], date | None]] = {
    "assign": lambda item: item.assigned_on,
    "accept": lambda item: item.accepted_on,
    "reject": lambda item: deadline(item, ACCEPTANCE_CLOCK, status=None).met_on,
    "object": lambda item: deadline(item, ROUTING).starts_on,
    "request-extension": lambda item: item.extension_requests.get().requested_on,
    "extend": lambda item: DeadlineExtension.objects.get(deadline__subject_id=item.pk).approved_on,
    "reply": lambda item: item.replied_on,
    "evaluate": lambda item: item.evaluated_on,
    "request-review": lambda item: deadline(item, REVIEW_CLOCK).starts_on,
    "review-decision": lambda item: item.documents.get(kind=DocumentKind.REVIEW).issued_on,
    "request-recheck": lambda item: deadline(item, RECHECK_CLOCK).starts_on,
    "hearing-start": lambda item: DeadlinePause.objects.get(deadline__subject_id=item.pk).started_on,
    "hearing-end": lambda item: DeadlinePause.objects.get(deadline__subject_id=item.pk).ended_on,
    "recheck-decision": lambda item: item.closed_on,
    "close": lambda item: item.closed_on,
}

STATUS_AFTER = {
    "assign": Status.ASSIGNED,
    "accept": Status.ACCEPTED,
    "reject": Status.NOT_ACCEPTED,
    "object": Status.REGISTERED,
    "request-extension": Status.ACCEPTED,
    "extend": Status.ACCEPTED,
    "reply": Status.REPLIED,
    "evaluate": Status.REPLIED,
    "request-review": Status.REVIEW,
    "review-decision": Status.REVIEWED,
    "request-recheck": Status.RECHECK,
    "hearing-start": Status.RECHECK,
    "hearing-end": Status.RECHECK,
    "recheck-decision": Status.CLOSED,
    "close": Status.CLOSED,
}


@pytest.mark.parametrize("action", list(PREREQUISITES))
def test_each_step_accepts_a_date_entered_after_the_fact(personas, api_for, category, today, action):
    # Everything before happened on Monday 2026-01-05; the step itself on Wednesday 01-07, typed in on 02-10.
    item = item_ready_for(action, personas, category, date(2026, 1, 5))
    body = step_body(action, personas) | {"on": "2026-01-07"}

    response = api_for(getattr(personas, ACTOR[action])).post(
        f"{URL}{item.pk}/{action}/", body, format="json"
    )

    # 退回异议 hands the item back to the office, out of the department's sight: 204, no body.
    assert response.status_code == (204 if action == "object" else 200), response.content
    item = fresh(item)
    assert item.status == STATUS_AFTER[action]
    assert RECORDED_DATE[action](item) == date(2026, 1, 7)
    event = item.events.filter(action=action).latest("id")
    assert event.effective_on == date(2026, 1, 7)
    assert event.actor == getattr(personas, ACTOR[action])


@pytest.mark.parametrize("action", list(PREREQUISITES))
def test_each_step_without_a_date_happens_today(personas, api_for, category, today, action):
    item = item_ready_for(action, personas, category, today - timedelta(days=1))

    response = api_for(getattr(personas, ACTOR[action])).post(
        f"{URL}{item.pk}/{action}/", step_body(action, personas), format="json"
    )

    assert response.status_code == (204 if action == "object" else 200), response.content
    item = fresh(item)
    assert item.status == STATUS_AFTER[action]
    assert RECORDED_DATE[action](item) == today
    assert item.events.filter(action=action).latest("id").effective_on == today


@pytest.mark.parametrize("action", list(PREREQUISITES))
def test_each_step_dated_before_the_step_it_follows_is_refused_and_changes_nothing(
    personas, api_for, category, today, action
):
    # Received and every earlier step on 2026-01-05; this step claims to have happened the day before.
    item = item_ready_for(action, personas, category, date(2026, 1, 5))
    before = snapshot(item)
    body = step_body(action, personas) | {"on": "2026-01-04"}

    response = api_for(getattr(personas, ACTOR[action])).post(
        f"{URL}{item.pk}/{action}/", body, format="json"
    )

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"on"}
    assert has_chinese(response.json()["on"])
    assert snapshot(item) == before


def test_a_step_dated_in_the_future_is_refused_on_the_on_field(personas, api_for, category, today):
    item = register(personas.clerk_a, category, date(2026, 2, 2))

    response = api_for(personas.clerk_a).post(
        f"{URL}{item.pk}/assign/", {"unit": personas.handler_a.unit_id, "on": "2026-02-11"}
    )

    assert response.status_code == 400
    assert response.json() == {"on": ["日期不能晚于今天。"]}
    assert fresh(item).status == Status.REGISTERED


def test_a_step_body_error_names_the_field_in_chinese(personas, api_for, category, today):
    item = item_ready_for("reply", personas, category, date(2026, 2, 2))

    response = api_for(personas.handler_a).post(f"{URL}{item.pk}/reply/", {"outcome": "partly"})

    assert response.status_code == 400
    assert set(response.json()) == {"outcome", "opinion"}
    assert has_chinese(response.json()["outcome"])
    assert has_chinese(response.json()["opinion"])
    assert fresh(item).status == Status.ACCEPTED


def snapshot(item: Item) -> tuple[Any, ...]:
    item = fresh(item)
    clocks = Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item.pk)
    return (
        item.status,
        item.version,
        item.events.count(),
        sorted(clocks.values_list("rule_id", "status", "due_on")),
        item.documents.count(),
    )


@pytest.mark.parametrize(
    ("ready_for", "action", "message"),
    [
        ("assign", "reply", "当前状态为“已登记待转送”，不能执行“出具处理意见”。"),
        ("assign", "accept", "当前状态为“已登记待转送”，不能执行“受理”。"),
        ("reply", "assign", "当前状态为“受理（办理中）”，不能执行“转送交办”。"),
        ("review-decision", "close", "当前状态为“复查”，不能执行“办结”。"),
        ("request-recheck", "request-review", "当前状态为“提出复查意见”，不能执行“申请复查”。"),
    ],
)
def test_an_illegal_transition_is_refused_clearly_and_changes_nothing(
    personas, api_for, category, today, ready_for, action, message
):
    # The section head holds every role the steps need, so only the status table can refuse.
    item = item_ready_for(ready_for, personas, category, date(2026, 2, 2))
    before = snapshot(item)

    response = api_for(personas.section_head).post(
        f"{URL}{item.pk}/{action}/", step_body(action, personas), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [message]}
    assert snapshot(item) == before


def test_a_stale_version_is_a_409_and_changes_nothing(personas, api_for, category, today):
    item = item_ready_for("accept", personas, category, date(2026, 2, 2))
    handler = api_for(personas.handler_a)
    seen = handler.get(f"{URL}{item.pk}/").json()["version"]
    # The section head, looking at the same version, accepts first.
    first = api_for(personas.section_head).post(f"{URL}{item.pk}/accept/", {"version": seen}, format="json")
    assert first.status_code == 200
    before = snapshot(item)

    response = handler.post(f"{URL}{item.pk}/accept/", {"version": seen, "note": "我来办"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"non_field_errors": ["该信访件已被他人修改，请刷新页面后重试。"]}
    assert snapshot(item) == before
    assert fresh(item).handler is None


def test_the_current_version_is_accepted(personas, api_for, category, today):
    item = item_ready_for("accept", personas, category, date(2026, 2, 2))
    api = api_for(personas.handler_a)
    seen = api.get(f"{URL}{item.pk}/").json()["version"]

    response = api.post(f"{URL}{item.pk}/accept/", {"version": seen}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == seen + 1


def test_extension_lengthens_handling_from_the_same_start(personas, api_for, category, today):
    item = item_ready_for("extend", personas, category, date(2025, 10, 9))

    response = api_for(personas.handler_head_a).post(
        f"{URL}{item.pk}/extend/", {"on": "2025-11-20"}, format="json"
    )

    assert response.status_code == 200, response.json()
    handling = next(row for row in response.json()["deadlines"] if row["kind"] == "petition.handling")
    # 60 + 30 = 90 日 from 2025-10-09.
    assert handling["starts_on"] == "2025-10-09"
    assert handling["due_on"] == "2026-01-07"
    assert fresh(item).extension_requests.get().state == ExtensionRequest.State.APPROVED


# --- permission matrix ----------------------------------------------------------------------------------------

PERSONAS = API_PERSONAS
ADMINS = ADMIN_PERSONAS
MAY_ACCEPT = {"handler_a", "section_head"}


@pytest.fixture
def items_by_place(personas, make_user, category, today) -> dict[str, Item]:
    """An assigned item in county A (to its department), one in county B, and one in another city."""
    other_city = Unit.objects.add_root(
        {"code": "U", "name": "远山市", "kind": UnitKind.AREA, "level": UnitLevel.CITY}
    )
    outsider = make_user(other_city, [Role.CLERK], "clerk_far")
    placed = {}
    for key, clerk, unit in [
        ("a", personas.clerk_a, personas.handler_a.unit),
        ("b", personas.clerk_b, personas.clerk_b.unit),
        ("far", outsider, other_city),
    ]:
        item = register(clerk, category, date(2026, 2, 2))
        lifecycle.item_assign(actor=clerk, item_id=item.pk, unit_id=unit.pk, on=date(2026, 2, 3))
        placed[key] = fresh(item)
    return placed


def inside_and_outside(name: str) -> tuple[str, str]:
    """The item in the persona's unit subtree and one outside it."""
    if name == "clerk_b":
        return "b", "a"
    if name in {"clerk_a", "handler_a"}:
        return "a", "b"
    return "a", "far"


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("place", ["inside", "outside"])
def test_permission_matrix_for_list_retrieve_and_a_step(personas, api_for, items_by_place, name, place):
    inside, outside = inside_and_outside(name)
    item = items_by_place[inside if place == "inside" else outside]
    visible = place == "inside" and name not in ADMINS
    api = api_for(getattr(personas, name))
    before = snapshot(item)

    listed = {row["id"] for row in api.get(URL).json()["results"]}
    detail = api.get(f"{URL}{item.pk}/")
    step = api.post(f"{URL}{item.pk}/accept/", {}, format="json")

    assert (item.pk in listed) is visible
    if name in ADMINS:
        assert listed == set()
    assert detail.status_code == (200 if visible else 404)
    if not visible:
        assert detail.json() == {"detail": "未找到。"}
        assert step.status_code == 404
    elif name in MAY_ACCEPT:
        assert step.status_code == 200
        assert fresh(item).status == Status.ACCEPTED
    else:
        assert step.status_code == 403
        assert has_chinese(step.json()["non_field_errors"])
    if step.status_code != 200:
        assert snapshot(item) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "{id}/"),
        ("post", ""),
        ("post", "{id}/accept/"),
        ("post", "{id}/reveal/"),
    ],
)
def test_unauthenticated_requests_are_401(api_for, items_by_place, method, path):
    item = items_by_place["a"]
    before = snapshot(item)

    response = getattr(api_for(None), method)(URL + path.format(id=item.pk), {}, format="json")

    assert response.status_code == 401
    assert snapshot(item) == before


# --- filters --------------------------------------------------------------------------------------------------


@pytest.fixture
def filterable(personas, category, today) -> dict[str, Item]:
    """Three county A items: an overdue visit, a fresh letter-less phone call, and an assigned fresh visit."""
    late = register(personas.clerk_a, category, date(2025, 12, 1), summary="物业公司违规收取停车费")
    phone = register(personas.clerk_a, category, date(2026, 2, 9), channel="phone", summary="小区噪声扰民")
    assigned = register(personas.clerk_a, category, date(2026, 2, 9), summary="拖欠工资三个月未发放")
    lifecycle.item_assign(
        actor=personas.clerk_a, item_id=assigned.pk, unit_id=personas.handler_a.unit_id, on=TODAY
    )
    return {"late": fresh(late), "phone": fresh(phone), "assigned": fresh(assigned)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=assigned", {"assigned"}),
        ("status=registered", {"late", "phone"}),
        ("channel=phone", {"phone"}),
        ("channel=visit", {"late", "assigned"}),
        ("overdue=true", {"late"}),
        ("overdue=false", {"phone", "assigned"}),
        ("q=停车费", {"late"}),
        ("q=拖欠工资", {"assigned"}),
        ("status=registered&channel=visit", {"late"}),
    ],
)
def test_list_filters_match_the_web_list(personas, api_for, client_for, filterable, query, expected):
    numbers = {key: item.number for key, item in filterable.items()}
    api_rows = api_for(personas.clerk_a).get(f"{URL}?{query}").json()["results"]
    page = client_for(personas.clerk_a).get(f"/petitions/?{query}")

    assert {row["number"] for row in api_rows} == {numbers[key] for key in expected}
    assert {row.number for row, _due in page.context["rows"]} == {numbers[key] for key in expected}


def test_search_by_item_number_finds_exactly_that_item(personas, api_for, filterable):
    number = filterable["phone"].number

    rows = api_for(personas.clerk_a).get(f"{URL}?q={number.lower()}").json()["results"]

    assert [row["number"] for row in rows] == [number]


def test_an_unknown_filter_value_is_a_400_naming_the_filter(personas, api_for, filterable):
    response = api_for(personas.clerk_a).get(f"{URL}?status=lost")

    assert response.status_code == 400
    assert set(response.json()) == {"status"}
    assert has_chinese(response.json()["status"])


# --- the due-date calculator ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "nominal_on", "due_on"),
    [
        # 15 日 from 2025-09-16 ends on 10-01 (国庆): rolled forward to the first working day, 10-09.
        ("start=2025-09-16&days=15&unit=calendar", "2025-10-01", "2025-10-09"),
        # 5 工作日 from Friday 2025-09-26: 09-28 (调休 Sunday), 09-29, 09-30, 10-09, 10-10.
        ("start=2025-09-26&days=5&unit=working", "2025-10-10", "2025-10-10"),
        # 5 工作日 from 2025-09-30: 10-09, 10-10, 10-11 (调休 Saturday), 10-13, 10-14.
        ("start=2025-09-30&days=5&unit=working", "2025-10-14", "2025-10-14"),
        # 15 日 from 2025-09-26 ends on 调休 Saturday 10-11, a working day: not moved.
        ("start=2025-09-26&days=15&unit=calendar", "2025-10-11", "2025-10-11"),
    ],
)
def test_calendar_due_gives_the_engines_date_around_national_day_2025(
    personas, api_for, query, nominal_on, due_on
):
    response = api_for(personas.handler_a).get(f"/api/v1/calendar/due/?{query}")

    assert response.status_code == 200
    body = response.json()
    assert (body["nominal_on"], body["due_on"]) == (nominal_on, due_on)
    params = dict(part.split("=") for part in query.split("&"))
    engine = compute_due_date(
        start_on=date.fromisoformat(params["start"]),
        days=int(params["days"]),
        unit=params["unit"],
        roll_forward=True,
        calendar=calendar_snapshot(),
    )
    assert body["due_on"] == engine.due_on.isoformat()


def test_calendar_due_needs_a_signed_in_user(api_for, db):
    assert api_for(None).get("/api/v1/calendar/due/?start=2025-09-16&days=15").status_code == 401


# --- the published schema -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "request_schema", "required"),
    [
        ("reply", "ReplyRequest", {"outcome", "opinion"}),
        ("assign", "AssignRequest", {"unit"}),
        ("object", "ObjectRequest", {"reason"}),
        ("request-review", "StepRequest", set()),
    ],
)
def test_the_schema_documents_each_steps_body_and_answer(personas, api_for, action, request_schema, required):
    schema = api_for(personas.clerk_a).get("/api/v1/schema/?format=json").json()

    operation = schema["paths"][f"/api/v1/petitions/{{id}}/{action}/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": f"#/components/schemas/{request_schema}"}
    component = schema["components"]["schemas"][request_schema]
    assert set(component.get("required", [])) == required
    assert {"on", "version"} <= set(component["properties"])
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/ItemDetail"}
    assert "204" in operation["responses"]
