"""Notifications people can act on: number, summary and deadline on every row; identical ones merged with a count;
one digest per person per day for 预警/超期; 督办, collective visits and approvals at once; mark all read; filter by
kind; the header count equals the unread rows the list shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from accountability.choices import EmailState, NotificationKind, SupervisionGround, SupervisionMethod
from accountability.models import Deadline, Notification
from accountability.services.deadlines import Subject, deadline_open
from accountability.services.notifications import (
    notification_mark_read,
    notification_send,
    notifications_mail,
)
from accountability.services.supervision import supervision_issue
from accountability.services.sweep import sweep
from core.choices import Role
from core.models import User
from petitions.models import Item
from tests.support.accounts import Personas, Tree
from tests.support.items import ItemFactory
from tests.support.ladder import DUE, DUTY

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(tree: Tree, make_user: Callable[..., User]) -> User:
    return make_user(tree.county_a_department, [Role.HANDLER], "notice_handler", email="notice@example.cn")


def duty_on(item: Item, handler: User, personas: Personas, *, due_shift: int = 0) -> Deadline:
    """A ten-day duty on a real item, the handler responsible, due `due_shift` days after DUE."""
    return deadline_open(
        subject=Subject("petitions.item", item.pk),
        kind=DUTY,
        unit_id=handler.unit_id,
        responsible_id=handler.pk,
        starts_on=DUE - timedelta(days=10) + timedelta(days=due_shift),
        actor=personas.clerk_a,
    )


def inbox_rows(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, digest__isnull=True))


def badge(html: str) -> int:
    found = re.search(r'data-testid="inbox-link"[^>]*>消息 <span class="badge">(\d+)</span>', html)
    return int(found.group(1)) if found else 0


def test_the_same_message_the_same_day_is_one_row_with_a_count_and_one_email(handler: User):
    for _ in range(3):
        notification_send(
            recipients=[handler],
            kind=NotificationKind.APPROVAL,
            subject="延期申请待审批：XF2026-000001",
            link="/petitions/1/",
            reference="XF2026-000001",
            summary="反映小区噪音扰民",
            due_on=date(2026, 3, 12),
        )
    row = Notification.objects.get(recipient=handler)
    assert (row.count, row.kind, row.reference, row.summary, row.due_on) == (
        3,
        NotificationKind.APPROVAL,
        "XF2026-000001",
        "反映小区噪音扰民",
        date(2026, 3, 12),
    )
    assert notifications_mail() == 1
    notification_send(
        recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：XF2026-000001"
    )
    assert notifications_mail() == 0  # merged into the row already e-mailed: at most one e-mail per row
    assert len(mail.outbox) == 1
    assert "XF2026-000001 · 反映小区噪音扰民 · 期限 2026-03-12" in mail.outbox[0].body


def test_another_subject_kind_or_day_is_another_row(handler: User):
    send = notification_send
    send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：A")
    send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：B")
    send(recipients=[handler], kind=NotificationKind.SYSTEM, subject="延期申请待审批：A")
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：A")
    assert sorted(Notification.objects.values_list("count", flat=True)) == [1, 1, 1, 1]


def test_a_merged_message_read_yesterday_shows_unread_again_when_it_comes_back(handler: User):
    notification_send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：A")
    notification_mark_read(user=handler)
    notification_send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：A")
    row = Notification.objects.get()
    assert (row.count, row.read_at) == (2, None)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="spam"):
        notification_send(recipients=[], kind="spam", subject="x")


def test_the_days_warnings_and_overdue_items_are_one_digest_per_person_naming_each(
    ladder, handler: User, personas: Personas, item_factory: ItemFactory, client_for
):
    items = [item_factory.register(summary=f"反映第{n}号楼噪音扰民\n详情略") for n in (1, 2, 3)]
    duty_on(items[0], handler, personas)  # overdue on DUE + 1
    duty_on(items[1], handler, personas)  # overdue on DUE + 1
    duty_on(items[2], handler, personas, due_shift=4)  # warning on DUE + 1 (3 days before DUE + 4)
    run = sweep(today=DUE + timedelta(days=1))
    assert run is not None

    digests = inbox_rows(handler)
    assert len(digests) == 1  # not one row per rung
    digest = digests[0]
    assert digest.is_digest
    assert digest.kind == NotificationKind.DEADLINE
    assert digest.key == f"digest:{DUE + timedelta(days=1):%Y-%m-%d}:{handler.pk}"
    assert digest.count == 3 == digest.entries.count()
    assert digest.email_state == EmailState.PENDING
    assert set(digest.entries.values_list("email_state", flat=True)) == {EmailState.NONE}

    html = client_for(handler).get("/accountability/inbox/").content.decode()
    assert badge(html) == 1
    for item in items:
        assert item.number in html
        assert f"反映第{items.index(item) + 1}号楼噪音扰民" in html
    assert '期限 <span class="mono">2026-03-12</span>' in html
    assert '期限 <span class="mono">2026-03-16</span>' in html
    assert "共 3 件" in html

    assert notifications_mail() == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "【预警与超期】每日汇总 2026-03-13（3件）"
    assert all(item.number in body for item in items)
    assert f"【超期】测试办理 · {items[0].number} · 反映第1号楼噪音扰民 · 期限 2026-03-12" in body


def test_a_later_sweep_the_same_day_grows_the_digest_and_the_next_day_starts_a_new_one(
    ladder, handler: User, personas: Personas, item_factory: ItemFactory
):
    first, second = item_factory.register(), item_factory.register()
    duty_on(first, handler, personas)
    sweep(today=DUE + timedelta(days=1))
    notification_mark_read(user=handler)
    duty_on(second, handler, personas)  # opened later the same day, already overdue
    sweep(today=DUE + timedelta(days=1))
    digest = Notification.objects.get(recipient=handler, digest__isnull=True)
    assert digest.count == 2 == digest.entries.count()
    assert digest.read_at is None  # something new in it: unread again
    assert (
        not Notification.objects.filter(digest=digest, read_at__isnull=True)
        .exclude(escalation__deadline__subject_id=second.pk)
        .exists()
    )

    sweep(today=DUE + timedelta(days=20))  # 督办 and 通报 rungs only: immediate, no digest
    assert Notification.objects.filter(recipient=handler, digest__isnull=True).count() == 1


def test_supervision_is_told_at_once_with_the_order_number_and_reply_deadline(
    handler: User, tree: Tree, personas: Personas, client_for
):
    order = supervision_issue(
        actor=None,  # as the ladder issues it, from the unit above
        issuing_unit=tree.county_a,
        unit=tree.county_a_department,
        ground=SupervisionGround.NOT_CLOSED_ON_TIME,
        method=SupervisionMethod.WRITTEN,
        requirement="请于五个工作日内书面报告办理情况。\n附件略",
        issued_on=timezone.localdate(),
    )
    row = Notification.objects.get(recipient=handler)
    assert (row.kind, row.reference, row.digest_id, row.email_state) == (
        NotificationKind.SUPERVISION,
        order.number,
        None,
        EmailState.PENDING,
    )
    assert row.summary == "请于五个工作日内书面报告办理情况。"
    assert row.due_on is not None
    assert row.due_on > timezone.localdate()
    html = client_for(handler).get("/accountability/inbox/").content.decode()
    assert badge(html) == 1
    assert f"{order.number}</a> · 请于五个工作日内书面报告办理情况。 · 期限" in html


def test_mark_all_read_is_a_post_with_csrf_and_reads_digests_with_their_entries(
    ladder, handler: User, personas: Personas, item_factory: ItemFactory, client_for
):
    duty_on(item_factory.register(), handler, personas)
    sweep(today=DUE + timedelta(days=1))
    notification_send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：A")
    client = client_for(handler)
    assert client.get("/accountability/inbox/read/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post("/accountability/inbox/read/").status_code == 403
    assert Notification.objects.filter(recipient=handler, read_at__isnull=True).count() == 3

    response = client.post("/accountability/inbox/read/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=handler, read_at__isnull=True).exists()
    assert badge(client.get("/accountability/inbox/").content.decode()) == 0


def test_the_inbox_filters_by_kind_and_marks_read_only_that_kind(handler: User, client_for):
    notification_send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：甲")
    notification_send(recipients=[handler], kind=NotificationKind.COLLECTIVE, subject="集体访乙（6人）")
    client = client_for(handler)
    html = client.get("/accountability/inbox/?kind=approval").content.decode()
    assert "延期申请待审批：甲" in html
    assert "集体访乙" not in html
    assert 'data-testid="inbox-kind-approval"' in html
    assert '>审批 <span class="badge">1</span>' in html
    assert client.get("/accountability/inbox/?kind=nonsense").status_code == 400
    assert client.post("/accountability/inbox/read/", {"kind": "nonsense"}).status_code == 400

    response = client.post("/accountability/inbox/read/", {"kind": "approval"})
    assert response["Location"] == "/accountability/inbox/?kind=approval"
    unread = Notification.objects.filter(recipient=handler, read_at__isnull=True)
    assert list(unread.values_list("kind", flat=True)) == [NotificationKind.COLLECTIVE]


def test_the_header_count_equals_the_unread_rows_the_inbox_shows(
    ladder,
    handler: User,
    personas: Personas,
    item_factory: ItemFactory,
    client_for,
    django_assert_max_num_queries,
):
    for _ in range(4):
        duty_on(item_factory.register(), handler, personas)
    sweep(today=DUE + timedelta(days=1))
    notification_send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：甲")
    notification_send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：甲")
    notification_send(recipients=[handler], kind=NotificationKind.COLLECTIVE, subject="集体访乙（6人）")
    client = client_for(handler)
    with django_assert_max_num_queries(25):
        html = client.get("/accountability/inbox/").content.decode()
    shown_unread = html.count('<tr class="unread" data-testid="inbox-row"')
    assert shown_unread == badge(html) == 3  # the digest of four rungs, the approval (twice), the visit
    assert "（2 次）" in html


def test_another_persons_inbox_shows_none_of_mine(handler: User, personas: Personas, client_for):
    notification_send(recipients=[handler], kind=NotificationKind.APPROVAL, subject="延期申请待审批：甲")
    html = client_for(personas.clerk_b).get("/accountability/inbox/").content.decode()
    assert "延期申请待审批" not in html
    assert badge(html) == 0


def test_opening_every_item_of_a_digest_reads_the_digest(
    ladder, handler: User, personas: Personas, item_factory: ItemFactory, client_for
):
    first, second = item_factory.register(), item_factory.register()
    duty_on(first, handler, personas)
    duty_on(second, handler, personas)
    sweep(today=DUE + timedelta(days=1))
    client = client_for(handler)
    digest = Notification.objects.get(recipient=handler, digest__isnull=True)
    entries = list(digest.entries.order_by("id"))
    assert client.get(entries[0].url).status_code == 302
    digest.refresh_from_db()
    assert digest.read_at is None  # one item still unopened
    client.get(entries[1].url)
    digest.refresh_from_db()
    assert digest.read_at is not None
