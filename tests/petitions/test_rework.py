"""退回重办: the handling unit's own head sends an undelivered reply back; the handling clock runs on as it stood."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accountability.choices import DeadlineChangeCause, DeadlineStatus
from accountability.models import Deadline, DeadlineChange
from core.choices import Role
from core.errors import DomainError
from core.models import AuditEvent, User
from petitions.choices import HANDLING, REVIEW_WINDOW, Action, DeliveryMethod, DocumentKind, Outcome, Status
from petitions.models import Document, Item, ItemEvent
from petitions.services import lifecycle
from petitions.services.documents import document_deliver
from tests.support.items import Cast, ItemFactory

REASON = "处理意见未回应信访人的第二项诉求，请补充调查后重新答复。"
REWORK_ON = date(2025, 4, 22)


def handling(item: Item) -> Deadline:
    return Deadline.objects.get(subject_type="petitions.item", subject_id=item.pk, rule_id=HANDLING)


def reply_of(item: Item) -> Document:
    return Document.objects.filter(item=item, kind=DocumentKind.REPLY).latest("id")


def test_rework_withdraws_the_reply_and_runs_the_handling_clock_on_with_its_old_due_date(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.REPLIED)
    clock = handling(item)
    due_before, starts_before = clock.due_on, clock.starts_on
    assert clock.status == DeadlineStatus.MET_ON_TIME

    lifecycle.item_rework(actor=cast.handling_head(), item_id=item.pk, on=REWORK_ON, reason=REASON)

    item.refresh_from_db()
    assert (item.status, item.replied_on, item.outcome) == (Status.ACCEPTED, None, "")
    assert item.obligation_due_on == due_before  # the list's "nearest deadline" follows the running clock
    clock.refresh_from_db()
    assert (clock.status, clock.met_on, clock.starts_on, clock.due_on) == (
        DeadlineStatus.OPEN,
        None,
        starts_before,
        due_before,
    )
    assert DeadlineChange.objects.filter(deadline=clock, cause=DeadlineChangeCause.REOPENED).count() == 1
    window = Deadline.objects.get(subject_type="petitions.item", subject_id=item.pk, rule_id=REVIEW_WINDOW)
    assert window.status == DeadlineStatus.CANCELLED
    withdrawn = reply_of(item)
    assert (withdrawn.withdrawn_on, withdrawn.withdrawn_reason) == (REWORK_ON, REASON)
    event = ItemEvent.objects.filter(item=item).latest("id")
    assert (event.action, event.from_status, event.to_status) == (
        Action.REWORK,
        Status.REPLIED,
        Status.ACCEPTED,
    )
    assert REASON in event.note
    assert AuditEvent.objects.filter(
        action="petitions.item.sent_back_for_rework", object_id=str(item.pk)
    ).exists()


def test_the_new_reply_after_rework_gets_its_own_number_and_meets_the_clock_again(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.REPLIED)
    first = reply_of(item)
    lifecycle.item_rework(actor=cast.handling_head(), item_id=item.pk, on=REWORK_ON, reason=REASON)

    lifecycle.item_reply(
        actor=cast.handler,
        item_id=item.pk,
        on=date(2025, 4, 25),
        outcome=Outcome.EXPLAINED,
        opinion="经补充调查，对两项诉求逐一说明如下。",
    )

    second = reply_of(item)
    assert second.pk != first.pk
    assert second.number != first.number
    assert second.withdrawn_on is None
    clock = handling(item)
    assert (clock.status, clock.met_on) == (DeadlineStatus.MET_ON_TIME, date(2025, 4, 25))
    assert Item.objects.get(pk=item.pk).status == Status.REPLIED


def test_a_reply_already_delivered_cannot_be_sent_back(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REPLIED)
    document_deliver(
        actor=cast.handler,
        document_id=reply_of(item).pk,
        on=REWORK_ON,
        method=DeliveryMethod.POST,
        tracking_number="EMS1001",
    )

    with pytest.raises(DomainError) as refused:
        lifecycle.item_rework(actor=cast.handling_head(), item_id=item.pk, on=REWORK_ON, reason=REASON)

    assert refused.value.code == "reply_delivered"
    assert Item.objects.get(pk=item.pk).status == Status.REPLIED
    assert handling(item).status == DeadlineStatus.MET_ON_TIME


def test_a_withdrawn_reply_cannot_be_delivered(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REPLIED)
    lifecycle.item_rework(actor=cast.handling_head(), item_id=item.pk, on=REWORK_ON, reason=REASON)

    with pytest.raises(DomainError) as refused:
        document_deliver(
            actor=cast.handler,
            document_id=reply_of(item).pk,
            on=REWORK_ON,
            method=DeliveryMethod.POST,
            tracking_number="EMS1001",
        )

    assert refused.value.code == "withdrawn"


def test_only_the_handling_units_own_head_sends_a_reply_back(
    item_factory: ItemFactory, cast: Cast, make_user: Callable[..., User]
):
    item = item_factory.make(Status.REPLIED)
    city_head = cast.head  # a section head of the city above the handling unit
    handler = cast.handler  # the handling unit, but not its head
    for actor, code in ((city_head, "forbidden"), (handler, "forbidden")):
        with pytest.raises(DomainError) as refused:
            lifecycle.item_rework(actor=actor, item_id=item.pk, on=REWORK_ON, reason=REASON)
        assert refused.value.code == code
    assert Item.objects.get(pk=item.pk).status == Status.REPLIED


def test_rework_needs_a_reason(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REPLIED)
    with pytest.raises(DomainError) as refused:
        lifecycle.item_rework(actor=cast.handling_head(), item_id=item.pk, on=REWORK_ON, reason="  ")
    assert refused.value.field == "reason"


def test_the_item_page_offers_rework_to_the_units_head_only_and_keeps_a_refused_reason(
    item_factory: ItemFactory, cast: Cast, client_for: Callable[[User | None], Client]
):
    item = item_factory.make(Status.REPLIED)
    page = f"/petitions/{item.pk}/"
    assert 'data-step="rework"' in client_for(cast.handling_head()).get(page).content.decode()
    assert 'data-step="rework"' not in client_for(cast.handler).get(page).content.decode()

    head = client_for(cast.handling_head())
    refused = head.post(f"{page}steps/rework/", {"rework-on": "2025-04-22", "rework-reason": ""})
    assert refused.status_code == 400
    assert "此字段是必填项" in refused.content.decode() or "必填" in refused.content.decode()

    done = head.post(
        f"{page}steps/rework/",
        {"rework-on": "2025-04-22", "rework-reason": REASON, "rework-version": item.version},
    )
    assert done.status_code == 302
    after = head.get(page).content.decode()
    assert "已撤回重办" in after
    assert Item.objects.get(pk=item.pk).status == Status.ACCEPTED


def test_the_api_step_sends_back_and_is_404_to_another_county(
    item_factory: ItemFactory, cast: Cast, make_user: Callable[..., User], api_for: Callable[..., APIClient]
):
    item = item_factory.make(Status.REPLIED)
    url = f"/api/v1/petitions/{item.pk}/rework/"
    other = make_user(cast.tree.county_b, [Role.SECTION_HEAD], "head_b")

    assert api_for(None).post(url, {"reason": REASON}, format="json").status_code in (401, 403)
    assert api_for(other).post(url, {"reason": REASON}, format="json").status_code == 404
    assert api_for(cast.handling_head()).post(url, {}, format="json").status_code == 400

    answer = api_for(cast.handling_head()).post(url, {"on": "2025-04-22", "reason": REASON}, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == Status.ACCEPTED
