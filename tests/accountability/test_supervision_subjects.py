"""督办单 attached to their case: one subject each (item, key case or finding), shown on the item's and the case's
page, named on the list and in print; 追责 started from an overdue item, a 督办单 or a 通报; the ladder read by
supervisors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accountability.choices import SupervisionStatus
from accountability.models import AccountabilityRecord, EscalationStep, SupervisionOrder
from accountability.services.deadlines import Subject, deadline_open
from accountability.services.supervision import (
    accountability_record_create,
    circular_issue,
    supervision_issue,
    supervision_orders_from_ladder,
)
from accountability.services.sweep import sweep
from core.errors import DomainError
from ledger.choices import FINDING_SUBJECT, KEYCASE_SUBJECT
from petitions.choices import ITEM_SUBJECT, Status
from tests.support.ladder import DUE, DUTY, OPENED
from tests.support.supervision import finding_on

pytestmark = pytest.mark.django_db

NEW = "/accountability/supervision/new/"
RECORDS = "/accountability/records/"
ORDERS_API = "/api/v1/accountability/supervision-orders/"
REQUIREMENT = "该信访事项办理已超期，请于十个工作日内书面说明原因和办理进度。"


def form_body(**subject: str) -> dict[str, Any]:
    return {"ground": "not_closed", "method": "written", "requirement": REQUIREMENT, **subject}


def record_body(**extra: Any) -> dict[str, Any]:
    return {
        "person_name": "王建华",
        "person_title": "副局长",
        "liability": "in_charge",
        "measure": "admonition",
        "reason": "分管的信访事项超期未办结。",
        "decided_by": "中共临江市纪律检查委员会",
        "decided_on": "2026-03-09",
        **extra,
    }


@pytest.fixture
def item(item_factory):
    """An accepted item of county A's department, registered in March 2025: its handling clock is long overdue."""
    return item_factory.make(Status.ACCEPTED)


def issue_on(personas, subject: Subject, unit) -> SupervisionOrder:
    return supervision_issue(
        actor=personas.supervisor,
        unit=unit,
        ground="not_closed",
        method="written",
        requirement=REQUIREMENT,
        issued_on=timezone.localdate(),
        subject=subject,
    )


# --- one subject, at the field and in the database ---------------------------------------------------------------


def test_a_form_naming_no_subject_is_refused_at_the_item_field(personas, client_for, tree):
    page = client_for(personas.supervisor).post(NEW, form_body(unit=str(tree.county_a.pk)))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="error-item">请填写督办对象：信访事项、重点信访问题或排查发现，三者选其一。' in html
    assert not SupervisionOrder.objects.exists()


def test_a_form_naming_two_subjects_is_refused_at_each_of_them(personas, client_for, item, tree):
    finding = finding_on(tree.county_a)
    page = client_for(personas.supervisor).post(NEW, form_body(item=item.number, finding=str(finding.id)))
    html = page.content.decode()
    assert 'data-testid="error-item">督办对象只能填写一个' in html
    assert 'data-testid="error-finding">督办对象只能填写一个' in html
    assert not SupervisionOrder.objects.exists()


def test_an_item_of_another_county_is_not_found_at_its_field(personas, client_for, make_user, tree, item):
    county_b_supervisor = make_user(tree.county_b, ["supervisor"], "supervisor_b2")
    page = client_for(county_b_supervisor).post(NEW, form_body(item=item.number))
    assert f"没有找到信访件编号为“{item.number}”的信访事项，或不在本单位范围内。" in page.content.decode()
    assert not SupervisionOrder.objects.exists()


def test_the_unit_defaults_to_the_subjects_responsible_unit(personas, client_for, item, tree):
    response = client_for(personas.supervisor).post(NEW, form_body(item=item.number))
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302
    assert (order.subject_type, order.subject_id, order.unit) == (
        ITEM_SUBJECT,
        item.pk,
        tree.county_a_department,
    )


def test_the_service_refuses_a_hand_issued_order_without_a_subject(personas, tree):
    with pytest.raises(DomainError) as refused:
        supervision_issue(
            actor=personas.supervisor,
            unit=tree.county_a,
            ground="not_closed",
            method="written",
            requirement=REQUIREMENT,
            issued_on=timezone.localdate(),
        )
    assert refused.value.field == "subject"


def test_the_database_refuses_a_hand_issued_order_without_a_subject_or_with_half_of_one(personas, tree):
    base = {
        "unit": tree.county_a,
        "issuing_unit": tree.city,
        "ground": "not_closed",
        "method": "written",
        "requirement": REQUIREMENT,
        "issued_on": timezone.localdate(),
        "issued_by": personas.supervisor,
    }
    for number, subject in (("DB-T-1", {}), ("DB-T-2", {"subject_type": ITEM_SUBJECT})):
        with pytest.raises(IntegrityError), transaction.atomic():
            SupervisionOrder.objects.create(number=number, **base, **subject)
    SupervisionOrder.objects.create(
        number="DB-T-3", **{**base, "issued_by": None}
    )  # the ladder's may lack one


def test_a_ladder_order_takes_its_deadlines_subject_and_shows_on_the_item(
    ladder, item, personas, tree, client_for
):
    deadline_open(
        subject=Subject(ITEM_SUBJECT, item.pk),
        kind=DUTY,
        unit_id=tree.county_a_department.pk,
        starts_on=OPENED,
        actor=personas.clerk_a,
    )
    sweep(today=DUE + timedelta(days=5))  # the 督办 rung
    supervision_orders_from_ladder(today=DUE + timedelta(days=5))
    order = SupervisionOrder.objects.get(issued_by__isnull=True, deadline__rule_id=DUTY)
    assert (order.subject_type, order.subject_id) == (ITEM_SUBJECT, item.pk)
    assert order.number in client_for(personas.handler_a).get(f"/petitions/{item.pk}/").content.decode()


# --- shown on the item's and the case's page, the list and in print ------------------------------------------------


def test_the_item_page_shows_its_orders_and_the_list_names_the_item(personas, client_for, item, tree):
    order = issue_on(personas, Subject(ITEM_SUBJECT, item.pk), tree.county_a_department)
    handler_page = client_for(personas.handler_a).get(f"/petitions/{item.pk}/").content.decode()
    assert 'data-testid="subject-supervision"' in handler_page
    assert order.number in handler_page
    assert "待答复" in handler_page
    assert "issue-on-subject" not in handler_page  # only supervisors issue

    supervisor_page = client_for(personas.supervisor).get(f"/petitions/{item.pk}/").content.decode()
    assert f"/accountability/supervision/new/?item={item.number}" in supervisor_page

    listed = client_for(personas.supervisor).get("/accountability/supervision/").content.decode()
    assert item.number in listed
    assert "某建筑公司拖欠农民工工资" in listed


def test_the_key_case_page_shows_its_orders(personas, client_for, make_case, tree):
    case = make_case()
    order = issue_on(personas, Subject(KEYCASE_SUBJECT, case.pk), tree.county_a_department)
    page = client_for(personas.supervisor).get(f"/ledger/{case.pk}/").content.decode()
    assert 'data-testid="subject-order"' in page
    assert order.number in page
    assert f"?key_case={case.number}" in page


def test_an_order_on_a_finding_names_it_on_the_list(personas, client_for, tree):
    finding = finding_on(tree.county_a, "城北村两户村民因宅基地边界发生纠纷。")
    issue_on(personas, finding, tree.county_a)
    listed = client_for(personas.supervisor).get("/accountability/supervision/").content.decode()
    assert f"排查发现{finding.id}" in listed
    assert "城北村两户村民因宅基地边界发生纠纷。" in listed


def test_the_print_page_has_number_subject_requirement_and_reply_date(personas, client_for, item, tree):
    order = issue_on(personas, Subject(ITEM_SUBJECT, item.pk), tree.county_a_department)
    url = f"/accountability/supervision/{order.pk}/print/"
    page = client_for(personas.handler_a).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert order.number in html
    assert item.number in html
    assert REQUIREMENT in html
    assert "前将办理情况书面答复" in html
    assert client_for(personas.clerk_b).get(url).status_code == 404  # another county's
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]


# --- 追责 from an overdue item, a 督办单 or a 通报 ---------------------------------------------------------------------


def test_a_record_started_from_an_overdue_item_carries_it_and_the_item_shows_it(
    personas, client_for, item, tree
):
    supervisor = client_for(personas.supervisor)
    item_page = supervisor.get(f"/petitions/{item.pk}/").content.decode()
    assert f"/accountability/records/?item={item.pk}" in item_page  # overdue: the record link is offered
    form = supervisor.get(f"{RECORDS}?item={item.pk}").content.decode()
    assert f'value="{item.number}"' in form

    response = supervisor.post(RECORDS, record_body(unit=tree.county_a_department.pk, item=item.number))

    assert response.status_code == 302
    record = AccountabilityRecord.objects.get()
    assert (record.subject_type, record.subject_id) == (ITEM_SUBJECT, item.pk)
    shown = client_for(personas.handler_a).get(f"/petitions/{item.pk}/").content.decode()
    assert 'data-testid="subject-record"' in shown
    assert "王建华" in shown


def test_a_record_started_from_an_order_cites_it_and_takes_its_subject(personas, client_for, item, tree):
    order = issue_on(personas, Subject(ITEM_SUBJECT, item.pk), tree.county_a_department)
    supervisor = client_for(personas.supervisor)
    form = supervisor.get(f"{RECORDS}?order={order.pk}").content.decode()
    assert f"依据：督办单 {order.number}" in form
    assert f'value="{item.number}"' in form

    supervisor.post(
        RECORDS,
        record_body(unit=tree.county_a_department.pk, supervision_order=order.pk, item=item.number),
    )

    record = AccountabilityRecord.objects.get()
    assert (record.supervision_order, record.subject_id) == (order, item.pk)


def test_a_record_started_from_a_circular_cites_it(personas, client_for, tree):
    circular = circular_issue(actor=personas.supervisor, start=date(2026, 1, 1), end=timezone.localdate())
    supervisor = client_for(personas.supervisor)
    assert (
        f"依据：通报 {circular.number}"
        in supervisor.get(f"{RECORDS}?circular={circular.pk}").content.decode()
    )

    supervisor.post(RECORDS, record_body(unit=tree.county_a.pk, circular=circular.pk))

    record = AccountabilityRecord.objects.get()
    assert (record.circular, record.subject_type) == (circular, "")
    listed = supervisor.get(RECORDS).content.decode()
    assert circular.number in listed


def test_sources_outside_the_supervisors_reach_are_not_found(personas, client_for, make_user, item, tree):
    order = issue_on(personas, Subject(ITEM_SUBJECT, item.pk), tree.county_a_department)
    county_b_supervisor = client_for(make_user(tree.county_b, ["supervisor"], "supervisor_b3"))
    assert county_b_supervisor.get(f"{RECORDS}?order={order.pk}").status_code == 404
    assert county_b_supervisor.get(f"{RECORDS}?item={item.pk}").status_code == 404
    posted = county_b_supervisor.post(RECORDS, record_body(unit=tree.county_b.pk, supervision_order=order.pk))
    assert posted.status_code == 200
    assert not AccountabilityRecord.objects.exists()


def test_the_service_refuses_a_record_about_an_item_out_of_reach(personas, make_user, item, tree):
    county_b_supervisor = make_user(tree.county_b, ["supervisor"], "supervisor_b4")
    with pytest.raises(DomainError):
        accountability_record_create(
            actor=county_b_supervisor,
            unit=tree.county_b,
            person_name="王建华",
            person_title="副局长",
            liability="in_charge",
            measure="admonition",
            reason="超期",
            decided_by="纪委",
            decided_on=date(2026, 3, 9),
            subject=Subject(ITEM_SUBJECT, item.pk),
        )


# --- the API ------------------------------------------------------------------------------------------------------


def test_the_api_issues_on_an_item_by_its_number_and_names_it(personas, api_for, item):
    api = api_for(personas.supervisor)
    created = api.post(ORDERS_API, form_body(item=item.number), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["subject_type"], body["subject_id"], body["subject_reference"]) == (
        ITEM_SUBJECT,
        item.pk,
        item.number,
    )
    assert body["status"] == SupervisionStatus.ISSUED


def test_the_api_refuses_no_subject_or_two_at_the_fields(personas, api_for, item, tree):
    api = api_for(personas.supervisor)
    none = api.post(ORDERS_API, form_body(unit=tree.county_a.pk), format="json")
    two = api.post(ORDERS_API, form_body(item=item.number, key_case="TZ-000"), format="json")
    assert none.status_code == 400
    assert list(none.json()) == ["item"]
    assert two.status_code == 400
    assert set(two.json()) == {"item", "key_case"}
    assert not SupervisionOrder.objects.exists()


def test_the_api_does_not_find_a_finding_of_another_county(personas, api_for, make_user, tree):
    finding = finding_on(tree.county_a)
    county_b_supervisor = make_user(tree.county_b, ["supervisor"], "supervisor_b5")
    refused = api_for(county_b_supervisor).post(ORDERS_API, form_body(finding=str(finding.id)), format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["finding"]
    assert finding.type == FINDING_SUBJECT


# --- the escalation rules: supervisors read, never edit ------------------------------------------------------------


def test_supervisors_read_the_ladder_without_edit_links_and_cannot_change_a_rung(personas, client_for):
    step = EscalationStep.objects.first()
    assert step is not None
    supervisor = client_for(personas.supervisor)
    page = supervisor.get("/accountability/ladder/")
    assert page.status_code == 200
    assert step.rule.label in page.content.decode()
    assert "ladder-edit" not in page.content.decode()
    assert supervisor.get(f"/accountability/ladder/{step.pk}/").status_code == 403
    refused = supervisor.post(
        f"/accountability/ladder/{step.pk}/", {"offset_days": "-9", "notify": ["handler"]}
    )
    assert refused.status_code == 403
    step.refresh_from_db()
    assert step.offset_days != -9
    assert client_for(personas.handler_a).get("/accountability/ladder/").status_code == 403
    admin_page = client_for(personas.system_admin).get("/accountability/ladder/").content.decode()
    assert "ladder-edit" in admin_page


def test_hostile_links_in_the_record_form_are_refused_not_crashed(personas, client_for, tree):
    supervisor = client_for(personas.supervisor)
    assert supervisor.get(f"{RECORDS}?order=abc&circular=99999999999999999999&item=-1").status_code == 200
    posted = supervisor.post(
        RECORDS, record_body(unit=tree.county_a.pk, supervision_order="abc", circular="1e9", item="x" * 500)
    )
    assert posted.status_code == 200
    assert not AccountabilityRecord.objects.exists()
    too_long = supervisor.post(NEW, form_body(finding="9" * 40))
    assert too_long.status_code == 200
    assert supervisor.post(NEW, form_body(item="\x00")).status_code == 400  # refused on the way in
    assert not SupervisionOrder.objects.exists()
