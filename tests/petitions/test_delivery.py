"""送达: the delivery record (method, date, receiver, 邮寄 tracking number), the presumed delivery day a decision's
window counts from until a delivery is recorded, and POST /api/v1/petitions/{id}/documents/{doc}/deliver/."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from accountability.choices import DeadlineStatus
from accountability.models import Deadline
from accountability.services.deadlines import deadline_cancel
from core.errors import DomainError
from petitions.choices import (
    ITEM_SUBJECT,
    RECHECK_WINDOW,
    REVIEW_WINDOW,
    CloseReason,
    DeliveryMethod,
    DocumentKind,
    Status,
)
from petitions.models import Document, Item, ItemEvent
from petitions.services.clocks import item_clock_open
from petitions.services.common import subject_of
from petitions.services.documents import document_deliver
from petitions.services.windows import items_close_lapsed_windows
from tests.support.helpers import has_chinese
from tests.support.items import Cast, ItemFactory, Schedule

pytestmark = pytest.mark.django_db

REPLIED_ON = date(2025, 4, 10)  # the default walk's reply: presumed received 04-17 (issue + 7)


def reply_of(item: Item) -> Document:
    return Document.objects.get(item=item, kind=DocumentKind.REPLY)


def window(item: Item, kind: str = REVIEW_WINDOW, status: str = DeadlineStatus.OPEN) -> Deadline:
    return Deadline.objects.filter(
        subject_type=ITEM_SUBJECT, subject_id=item.pk, rule_id=kind, status=status
    ).latest("id")


def url(item: Item, document: Document) -> str:
    return f"/api/v1/petitions/{item.pk}/documents/{document.pk}/deliver/"


# --- the record ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "tracking_number", "receiver", "field", "message"),
    [
        (DeliveryMethod.POST, "", "张建国", "tracking_number", "邮寄送达须填写邮件单号。"),
        (
            DeliveryMethod.POST,
            "EMS 12;",
            "",
            "tracking_number",
            "邮件单号由字母、数字和连字符组成，不超过40位。",
        ),
        (
            DeliveryMethod.POST,
            "E" * 41,
            "",
            "tracking_number",
            "邮件单号由字母、数字和连字符组成，不超过40位。",
        ),
        (DeliveryMethod.IN_PERSON, "EMS1001", "", "tracking_number", "只有邮寄送达填写邮件单号。"),
        (DeliveryMethod.IN_PERSON, "", "张" * 101, "receiver", "不能超过100字。"),
    ],
)
def test_a_delivery_with_bad_particulars_is_refused_at_the_field_and_writes_nothing(
    item_factory: ItemFactory,
    cast: Cast,
    method: str,
    tracking_number: str,
    receiver: str,
    field: str,
    message: str,
):
    item = item_factory.make(Status.REPLIED)
    with pytest.raises(DomainError) as refused:
        document_deliver(
            actor=cast.handler,
            document_id=reply_of(item).pk,
            on=date(2025, 4, 14),
            method=method,
            receiver=receiver,
            tracking_number=tracking_number,
        )
    assert (refused.value.field, refused.value.message) == (field, message)
    assert reply_of(item).delivered_on is None
    assert window(item).starts_on == date(2025, 4, 17)


def test_a_posted_delivery_keeps_its_receiver_and_tracking_number(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.REPLIED)
    document_deliver(
        actor=cast.handler,
        document_id=reply_of(item).pk,
        on=date(2025, 4, 14),
        method=DeliveryMethod.POST,
        receiver=" 张建国 ",
        tracking_number="EMS1234567890CN",
    )
    reply = reply_of(item)
    assert (reply.delivered_on, reply.delivery_method, reply.delivery_receiver, reply.tracking_number) == (
        date(2025, 4, 14),
        DeliveryMethod.POST,
        "张建国",
        "EMS1234567890CN",
    )
    note = ItemEvent.objects.filter(item=item, action="deliver").get().note
    assert "签收人张建国" in note
    assert "邮件单号EMS1234567890CN" in note


# --- the presumed delivery day ------------------------------------------------------------------------------


def test_an_undelivered_reply_opens_the_review_window_from_the_presumed_delivery_day(
    item_factory: ItemFactory,
):
    item = item_factory.make(Status.REPLIED)
    reply = reply_of(item)
    assert reply.presumed_delivery_on == date(2025, 4, 17)
    opened = window(item)
    # 04-17 + 30 日 = Saturday 05-17, rolled to Monday 05-19.
    assert (opened.starts_on, opened.nominal_on, opened.due_on) == (
        date(2025, 4, 17),
        date(2025, 5, 17),
        date(2025, 5, 19),
    )


@override_settings(XF_PRESUMED_DELIVERY_DAYS=10)
def test_the_number_of_presumed_days_is_a_setting(item_factory: ItemFactory):
    item = item_factory.make(Status.REVIEWED)  # decision 2025-05-12
    decision = Document.objects.get(item=item, kind=DocumentKind.REVIEW)
    assert decision.presumed_delivery_on == date(2025, 5, 22)
    # 05-22 + 30 日 = Saturday 06-21 → Monday 06-23.
    assert (window(item, RECHECK_WINDOW).starts_on, window(item, RECHECK_WINDOW).due_on) == (
        date(2025, 5, 22),
        date(2025, 6, 23),
    )


def test_a_recorded_delivery_after_the_presumed_day_restarts_the_window_from_it(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.REPLIED)
    presumed = window(item)
    document_deliver(
        actor=cast.clerk, document_id=reply_of(item).pk, on=date(2025, 4, 25), method=DeliveryMethod.IN_PERSON
    )
    presumed.refresh_from_db()
    assert presumed.status == DeadlineStatus.CANCELLED
    restarted = window(item)
    # 04-25 + 30 日 = Sunday 05-25 → Monday 05-26.
    assert (restarted.starts_on, restarted.due_on) == (date(2025, 4, 25), date(2025, 5, 26))


def test_a_review_requested_before_the_presumed_day_counts_as_received(cast: Cast):
    item = ItemFactory(cast, Schedule(review_on=date(2025, 4, 12))).make(Status.REVIEW)
    met = window(item, status=DeadlineStatus.MET_ON_TIME)
    assert (met.starts_on, met.met_on) == (date(2025, 4, 12), date(2025, 4, 12))


def test_the_nightly_close_counts_an_undelivered_reply_from_the_presumed_day(cast: Cast):
    today = date(2025, 5, 15)
    replied_35_days_ago = ItemFactory(cast, Schedule(reply_on=REPLIED_ON)).make(Status.REPLIED)  # due 05-19
    replied_44_days_ago = ItemFactory(cast, Schedule(reply_on=date(2025, 4, 1))).make(
        Status.REPLIED
    )  # due 05-08

    assert items_close_lapsed_windows(today=today) == 1

    assert Item.objects.get(pk=replied_35_days_ago.pk).status == Status.REPLIED
    closed = Item.objects.get(pk=replied_44_days_ago.pk)
    assert (closed.status, closed.close_reason) == (Status.CLOSED, CloseReason.REVIEW_WINDOW_LAPSED)


def test_a_window_still_counted_from_the_issue_date_restarts_from_the_presumed_day_instead_of_closing(
    item_factory: ItemFactory, cast: Cast
):
    item = item_factory.make(Status.REPLIED)
    # A window opened before the presumption existed: from the issue date, due 05-12.
    deadline_cancel(subject=subject_of(item), kind=REVIEW_WINDOW, actor=None, reason="旧规则")
    item_clock_open(item, REVIEW_WINDOW, item.responsible_unit, REPLIED_ON, None)  # type: ignore[arg-type]
    assert window(item).due_on == date(2025, 5, 12)

    assert items_close_lapsed_windows(today=date(2025, 5, 13)) == 0

    assert Item.objects.get(pk=item.pk).status == Status.REPLIED
    assert (window(item).starts_on, window(item).due_on) == (date(2025, 4, 17), date(2025, 5, 19))
    assert items_close_lapsed_windows(today=date(2025, 5, 20)) == 1


# --- the item page ------------------------------------------------------------------------------------------


def test_the_item_page_says_the_window_counts_from_the_presumed_day_until_delivery_is_recorded(
    item_factory: ItemFactory, cast: Cast, client_for
):
    item = item_factory.make(Status.REPLIED)
    client = client_for(cast.handler)
    page = client.get(reverse("petitions:item_detail", args=[item.pk])).content.decode()
    assert "未登记送达，按推定送达日 2025-04-17 起算复查期限" in page
    assert 'name="tracking_number"' in page

    document_url = reverse("petitions:document_delivery", args=[item.pk, reply_of(item).pk])
    refused = client.post(
        document_url, {"on": "2025-04-14", "method": DeliveryMethod.POST, "receiver": "张建国"}
    )
    assert refused.status_code == 400
    shown = refused.content.decode()
    assert "邮件单号：邮寄送达须填写邮件单号。" in shown
    # what was chosen and typed is still in the row: only the missing number needs typing
    assert 'value="2025-04-14"' in shown
    assert f'<option value="{DeliveryMethod.POST}" selected>' in shown
    assert 'value="张建国"' in shown
    assert reply_of(item).delivered_on is None

    done = client.post(
        document_url,
        {
            "on": "2025-04-14",
            "method": DeliveryMethod.POST,
            "receiver": "张建国",
            "tracking_number": "SF100200",
        },
        follow=True,
    ).content.decode()
    assert "未登记送达" not in done
    assert "签收人 张建国" in done
    assert "SF100200" in done


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_records_a_delivery_and_answers_with_it(item_factory: ItemFactory, cast: Cast, api_for):
    item = item_factory.make(Status.REPLIED)
    reply = reply_of(item)
    response = api_for(cast.handler).post(
        url(item, reply),
        {"on": "2025-04-14", "method": "post", "receiver": "张建国", "tracking_number": "EMS1234567890CN"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "id": reply.pk,
        "kind": "reply",
        "number": reply.number,
        "issued_on": "2025-04-10",
        "on": "2025-04-14",
        "method": "post",
        "receiver": "张建国",
        "tracking_number": "EMS1234567890CN",
    }
    assert window(item).starts_on == date(2025, 4, 14)


def test_the_api_date_defaults_to_today(item_factory: ItemFactory, cast: Cast, api_for):
    item = item_factory.make(Status.ACCEPTED)
    notice = Document.objects.get(item=item, kind=DocumentKind.ACCEPTANCE)
    response = api_for(cast.handler).post(url(item, notice), {"method": "in_person"}, format="json")
    assert response.status_code == 200
    assert Document.objects.get(pk=notice.pk).delivered_on is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "pigeon"}, "method"),
        ({}, "method"),
        ({"method": "post"}, "tracking_number"),
        ({"method": "post", "tracking_number": "EMS\u00001"}, None),
        ({"method": "in_person", "receiver": "张" * 5000}, "receiver"),
        ({"method": "post", "tracking_number": "E" * 100000}, "tracking_number"),
        ({"method": "in_person", "on": "9999-12-31"}, "on"),
        ({"method": "in_person", "on": "0001-01-01"}, "on"),
        ({"method": "in_person", "on": "2025-13-01"}, "on"),
        ({"method": "in_person", "on": "1" * 500}, "on"),
        ({"method": ["post"], "receiver": {"a": 1}}, None),
    ],
)
def test_the_api_refuses_bad_input_with_400_at_the_field(
    item_factory: ItemFactory, cast: Cast, api_for, body: dict[str, Any], field: str | None
):
    item = item_factory.make(Status.REPLIED)
    response = api_for(cast.handler).post(
        url(item, reply_of(item)), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    answer = response.json()
    assert has_chinese(answer)
    if field is not None:
        assert field in answer
    assert reply_of(item).delivered_on is None


def test_the_api_hides_other_units_items_and_other_items_documents(
    item_factory: ItemFactory, cast: Cast, api_for
):
    item = item_factory.make(Status.REPLIED)
    other = item_factory.make(Status.REPLIED)
    body = {"on": "2025-04-14", "method": "in_person"}
    assert (
        api_for(cast.personas.clerk_b).post(url(item, reply_of(item)), body, format="json").status_code == 404
    )
    assert api_for(cast.handler).post(url(item, reply_of(other)), body, format="json").status_code == 404
    missing = f"/api/v1/petitions/{item.pk}/documents/999999999999999999/deliver/"
    assert api_for(cast.handler).post(missing, body, format="json").status_code == 404
    assert api_for(None).post(url(item, reply_of(item)), body, format="json").status_code == 401
    # A leader reads the item but does not record deliveries.
    assert (
        api_for(cast.personas.leader).post(url(item, reply_of(item)), body, format="json").status_code == 403
    )
    assert reply_of(item).delivered_on is None
    assert reply_of(other).delivered_on is None
