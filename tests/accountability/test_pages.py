"""Supervision pages: the inbox and its header count, escalation links, 督办单 issue and reply, the sweep's health."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accountability.choices import SupervisionStatus
from accountability.models import AccountabilityRecord, Circular, Notification, SupervisionOrder
from accountability.services.deadlines import Subject, deadline_open
from accountability.services.sweep import sweep
from core.choices import Role
from core.models import AuditEvent, User
from tests.support.accounts import Personas, Tree
from tests.support.ladder import DUE, DUTY
from tests.support.supervision import finding_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(tree: Tree, make_user: Callable[..., User]) -> User:
    return make_user(tree.county_a_department, [Role.HANDLER], "page_handler")


@pytest.fixture
def overdue_item(ladder, tree: Tree, handler: User, personas: Personas) -> int:
    deadline = deadline_open(
        subject=Subject("petitions.item", 4242),
        kind=DUTY,
        unit_id=tree.county_a_department.pk,
        responsible_id=handler.pk,
        starts_on=DUE - timedelta(days=10),
        actor=personas.clerk_a,
    )
    sweep(today=DUE + timedelta(days=1))
    return deadline.pk


def test_the_header_counts_unread_messages_and_the_inbox_lists_only_the_users_own(
    overdue_item, handler, client_for: Callable[[User | None], Client], personas
):
    client = client_for(handler)
    page = client.get("/accountability/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="inbox-link"' in html
    assert '消息 <span class="badge">1</span>' in html  # the day's digest, not its entries
    assert "【超期】测试办理" in html
    assert "信访事项#4242" in html
    assert "2026-03-12" in html
    other = client_for(personas.clerk_b).get("/accountability/inbox/").content.decode()
    assert "测试办理" not in other

    client.post("/accountability/inbox/read/")
    assert not Notification.objects.filter(recipient=handler, read_at__isnull=True).exists()
    assert '<span class="badge">' not in client.get("/accountability/inbox/").content.decode()


def test_an_escalation_link_marks_it_read_and_opens_the_subject_page_in_scope_only(
    overdue_item, handler, client_for, personas
):
    note = Notification.objects.get(recipient=handler, escalation__isnull=False)
    response = client_for(handler).get(note.url)
    assert response.status_code == 302
    assert response["Location"] == "/petitions/4242/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client_for(personas.clerk_b).get(note.url).status_code == 404  # another county


def test_a_supervisor_issues_a_order_and_the_unit_replies_in_writing(
    tree: Tree, personas: Personas, handler: User, client_for
):
    supervisor = client_for(personas.supervisor)
    response = supervisor.post(
        "/accountability/supervision/new/",
        {
            "finding": str(finding_on(tree.county_a_department).id),
            "unit": tree.county_a_department.pk,
            "ground": "evasion",
            "method": "written",
            "requirement": "请说明拖延原因。",
        },
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/accountability/supervision/{order.pk}/"
    assert (order.unit, order.issuing_unit, order.issued_by) == (
        tree.county_a_department,
        tree.city,
        personas.supervisor,
    )
    assert Notification.objects.filter(recipient=handler, title__startswith="【督办】").exists()
    assert AuditEvent.objects.filter(action="accountability.supervision.issued").count() == 1

    unit_side = client_for(handler)
    empty = unit_side.post(
        f"/accountability/supervision/{order.pk}/",
        {"reply": "  ", "replied_on": timezone.localdate().isoformat()},
    )
    assert (
        '<div class="field-error" data-testid="error-reply">请填写答复内容。</div>' in empty.content.decode()
    )
    unit_side.post(
        f"/accountability/supervision/{order.pk}/",
        {"reply": "已约谈施工方，工资本周发放。", "replied_on": timezone.localdate().isoformat()},
    )
    order.refresh_from_db()
    assert (order.status, order.reply, order.replied_by) == (
        SupervisionStatus.REPLIED,
        "已约谈施工方，工资本周发放。",
        handler,
    )
    assert Notification.objects.filter(
        recipient=personas.supervisor, title__startswith="【督办答复】"
    ).exists()
    supervisor.post(f"/accountability/supervision/{order.pk}/close/")
    order.refresh_from_db()
    assert order.status == SupervisionStatus.CLOSED


def test_a_order_to_another_county_is_not_found_and_only_supervisors_issue(
    tree: Tree, personas: Personas, handler: User, client_for
):
    client_for(personas.supervisor).post(
        "/accountability/supervision/new/",
        {
            "finding": str(finding_on(tree.county_a_department).id),
            "unit": tree.county_a_department.pk,
            "ground": "procedure",
            "method": "site",
            "requirement": "现场核查。",
        },
    )
    order = SupervisionOrder.objects.get()
    assert client_for(personas.clerk_b).get(f"/accountability/supervision/{order.pk}/").status_code == 404
    assert client_for(handler).get("/accountability/supervision/new/").status_code == 403


def test_the_health_page_shows_the_last_sweep_and_turns_red_without_one(personas, client_for, ladder):
    admin = client_for(personas.system_admin)
    before = admin.get("/accountability/health/").content.decode()
    assert "health-late" in before
    assert "尚无巡检记录" in before
    sweep(today=DUE)
    after = admin.get("/accountability/health/").content.decode()
    assert "health-ok" in after
    assert 'data-testid="last-sweep"' in after
    assert client_for(personas.clerk_a).get("/accountability/health/").status_code == 403


def test_a_circular_lists_the_units_with_overdue_work_and_stays_as_issued(
    overdue_item, tree: Tree, personas: Personas, client_for
):
    supervisor = client_for(personas.supervisor)
    response = supervisor.post(
        "/accountability/circulars/", {"start": "2026-03-01", "end": "2026-03-31", "title": ""}
    )
    circular = Circular.objects.get()
    assert response["Location"] == f"/accountability/circulars/{circular.pk}/"
    assert circular.title == "关于2026年03月01日至2026年03月31日信访工作超期情况的通报"
    assert circular.rows == [
        {
            "unit_id": tree.county_a_department.pk,
            "unit_name": tree.county_a_department.name,
            "overdue": 1,
            "missed_reports": 0,
            "unanswered_supervision": 0,
        }
    ]
    page = client_for(personas.leader).get(f"/accountability/circulars/{circular.pk}/").content.decode()
    assert tree.county_a_department.name in page
    assert client_for(personas.clerk_b).get(f"/accountability/circulars/{circular.pk}/").status_code == 404
    refused = supervisor.post("/accountability/circulars/", {"start": "2026-03-31", "end": "2026-03-01"})
    assert (
        '<div class="field-error" data-testid="error-end">截止日不能早于起始日。</div>'
        in refused.content.decode()
    )
    assert Circular.objects.count() == 1


def test_an_accountability_record_names_the_person_and_the_measure_and_refuses_a_future_date(
    tree: Tree, personas: Personas, client_for
):
    supervisor = client_for(personas.supervisor)
    fields = {
        "unit": tree.county_a_department.pk,
        "person_name": "李四",
        "person_title": "局长",
        "liability": "principal",
        "measure": "reminder_talk",
        "reason": "多件信访事项超期未办结。",
        "decided_by": "市纪委监委",
        "decided_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    refused = supervisor.post("/accountability/records/", fields).content.decode()
    assert '<div class="field-error" data-testid="error-decided_on">决定日期不能晚于今天。</div>' in refused
    assert 'value="李四"' in refused  # nothing typed is lost
    fields["decided_on"] = timezone.localdate().isoformat()
    assert supervisor.post("/accountability/records/", fields).status_code == 302
    record = AccountabilityRecord.objects.get()
    assert (record.person_name, record.liability, record.measure, record.recorded_by) == (
        "李四",
        "principal",
        "reminder_talk",
        personas.supervisor,
    )
    assert AuditEvent.objects.filter(action="accountability.record.created").count() == 1
    assert "李四" in client_for(personas.leader).get("/accountability/records/").content.decode()
    assert "李四" not in client_for(personas.clerk_b).get("/accountability/records/").content.decode()


def test_the_system_admin_changes_a_rung_and_open_deadlines_are_looked_at_again(
    ladder,
    tree: Tree,
    personas: Personas,
    handler: User,
    client_for,
):
    from accountability.models import EscalationStep, LadderPosition

    deadline = deadline_open(
        subject=Subject("tests.thing", 7),
        kind=DUTY,
        unit_id=tree.county_a_department.pk,
        responsible_id=handler.pk,
        starts_on=DUE - timedelta(days=10),
        actor=personas.clerk_a,
    )
    sweep(today=DUE - timedelta(days=3))  # the warning; next is the overdue rung on DUE + 1
    warning = EscalationStep.objects.get(rule_id=DUTY, step="warning")
    admin = client_for(personas.system_admin)
    assert "测试办理" in admin.get("/accountability/ladder/").content.decode()
    refused = admin.post(f"/accountability/ladder/{warning.pk}/", {"offset_days": "2", "notify": ["handler"]})
    assert "预警应在到期日当天或之前。" in refused.content.decode()
    response = admin.post(
        f"/accountability/ladder/{warning.pk}/",
        {"offset_days": "-5", "notify": ["handler", "section_head"], "is_active": "on"},
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert (warning.offset_days, warning.notify) == (-5, ["handler", "section_head"])
    assert LadderPosition.objects.get(deadline=deadline).next_step_on == DUE - timedelta(days=5)
    assert AuditEvent.objects.filter(action="accountability.services.ladder.step_updated").count() == 1
    assert AuditEvent.objects.filter(action="accountability.services.ladder.rearmed").count() == 1
    supervisor = client_for(personas.supervisor)
    read = supervisor.get("/accountability/ladder/")
    assert read.status_code == 200
    assert "测试办理" in read.content.decode()
    assert 'data-testid="ladder-edit"' not in read.content.decode()
