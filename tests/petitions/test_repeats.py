"""Repeat items (重复件): suggestions while the clerk types, linking to the original, and 不再受理 after 复核."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.models import Deadline
from core.errors import DomainError
from core.models import User
from petitions.choices import ITEM_SUBJECT, CloseReason, Status
from petitions.models import Category, Item, ItemEvent
from petitions.services import lifecycle
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas
from tests.support.items import DEFAULT_ID_NUMBER, ItemFactory, intake_input

pytestmark = pytest.mark.django_db

OTHER_ID_NUMBER = "110105198001010016"  # valid check character, another person
WAGES = "某建筑公司拖欠农民工工资三个月未发放。"


@pytest.fixture
def earlier(personas: Personas) -> Item:
    """An item registered by county A: 张三, his ID and mobile, an address in 朝阳区建外街道."""
    return item_register(
        actor=personas.clerk_a,
        data=intake_input(
            received_on=timezone.localdate() - timedelta(days=20),
            summary=WAGES,
            petitioners=[
                PetitionerInput(
                    name="张三",
                    id_number=DEFAULT_ID_NUMBER,
                    phone="13800138000",
                    division_code="110105001",
                    address_detail="建外大街1号",
                )
            ],
        ),
    )


def suggest(client: Client, **params: str) -> str:
    response = client.get(reverse("petitions:intake_suggestions"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def clerk_a(personas: Personas, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(personas.clerk_a)


# --- suggestions -----------------------------------------------------------------------------------------


def test_the_same_id_number_suggests_the_earlier_item(earlier: Item, clerk_a: Client):
    page = suggest(clerk_a, **{"petitioners-0-id_number": DEFAULT_ID_NUMBER})
    assert earlier.number in page
    assert "同一身份证号" in page


def test_an_id_number_typed_with_a_lower_case_x_still_finds_the_person(earlier: Item, clerk_a: Client):
    page = suggest(clerk_a, **{"petitioners-0-id_number": DEFAULT_ID_NUMBER.lower()})
    assert earlier.number in page


def test_without_an_id_number_the_same_phone_suggests_the_earlier_item(earlier: Item, clerk_a: Client):
    page = suggest(clerk_a, **{"petitioners-0-phone": "138 0013 8000", "petitioners-0-name": "张三丰"})
    assert earlier.number in page
    assert "同一联系电话" in page
    assert "同一身份证号" not in page


def test_a_known_id_number_of_someone_else_is_not_matched_by_the_shared_phone(earlier: Item, clerk_a: Client):
    page = suggest(
        clerk_a, **{"petitioners-0-id_number": OTHER_ID_NUMBER, "petitioners-0-phone": "13800138000"}
    )
    assert earlier.number not in page
    assert "未发现可能的重复件" in page


def test_without_id_or_phone_the_same_name_and_address_suggests_the_earlier_item(
    earlier: Item, clerk_a: Client
):
    page = suggest(clerk_a, **{"petitioners-0-name": "张三", "petitioners-0-address_division": "110105001"})
    assert earlier.number in page
    assert "同名同址" in page


def test_the_same_name_at_another_address_is_not_suggested(earlier: Item, clerk_a: Client):
    page = suggest(clerk_a, **{"petitioners-0-name": "张三", "petitioners-0-address_division": "110105002"})
    assert earlier.number not in page


def test_similar_chinese_content_is_suggested_with_its_similarity(earlier: Item, clerk_a: Client):
    page = suggest(clerk_a, summary="建筑公司拖欠农民工工资已经三个月了")
    assert earlier.number in page
    assert "内容相似 37%" in page


def test_unrelated_content_suggests_nothing(earlier: Item, clerk_a: Client):
    page = suggest(clerk_a, summary="小区噪声扰民严重，夜间施工不停")
    assert earlier.number not in page
    assert "未发现可能的重复件" in page


def test_a_match_on_both_person_and_content_is_listed_first_with_both_reasons(
    earlier: Item, personas: Personas, clerk_a: Client
):
    content_only = item_register(
        actor=personas.clerk_a,
        data=intake_input(
            summary="某建筑公司拖欠农民工工资三个月未发放，多次讨要无果。",
            petitioners=[PetitionerInput(name="李四", id_number=OTHER_ID_NUMBER)],
        ),
    )
    page = suggest(clerk_a, **{"petitioners-0-id_number": DEFAULT_ID_NUMBER}, summary=WAGES)
    assert page.index(earlier.number) < page.index(content_only.number)
    first = page[: page.index(content_only.number)]
    assert "同一身份证号" in first
    assert "内容相似 100%" in first


def test_suggestions_never_reach_outside_the_clerks_unit(
    earlier: Item, personas: Personas, client_for: Callable[[User | None], Client]
):
    page = suggest(
        client_for(personas.clerk_b), **{"petitioners-0-id_number": DEFAULT_ID_NUMBER}, summary=WAGES
    )
    assert earlier.number not in page


def test_repeats_themselves_are_not_suggested_only_their_original(
    earlier: Item, personas: Personas, clerk_a: Client
):
    repeat = item_register(actor=personas.clerk_a, data=intake_input(summary=WAGES, original_id=earlier.pk))
    page = suggest(clerk_a, **{"petitioners-0-id_number": DEFAULT_ID_NUMBER})
    assert earlier.number in page
    assert repeat.number not in page


def test_items_older_than_the_look_back_are_not_suggested(personas: Personas, clerk_a: Client, settings):
    old = item_register(
        actor=personas.clerk_a,
        data=intake_input(
            received_on=timezone.localdate() - timedelta(days=settings.XF_REPEAT_LOOKBACK_DAYS + 1)
        ),
    )
    page = suggest(clerk_a, **{"petitioners-0-id_number": DEFAULT_ID_NUMBER})
    assert old.number not in page


@pytest.mark.parametrize("who", ["handler_a", "leader"])
def test_suggestions_are_for_intake_roles_only(
    earlier: Item, personas: Personas, client_for: Callable[[User | None], Client], who: str
):
    response = client_for(getattr(personas, who)).get(
        reverse("petitions:intake_suggestions"), {"petitioners-0-id_number": DEFAULT_ID_NUMBER}
    )
    assert response.status_code == 403


def test_the_suggestion_warns_when_the_earlier_item_ended_in_recheck(
    item_factory: ItemFactory, clerk_a: Client
):
    finished = item_factory.make(Status.CLOSED)
    page = suggest(clerk_a, **{"petitioners-0-id_number": DEFAULT_ID_NUMBER})
    assert finished.number in page
    assert "已复核终结：同一事实和理由将不再受理" in page


# --- linking a repeat ------------------------------------------------------------------------------------


def _clocks(item: Item) -> list[tuple[str, str, str]]:
    return [
        (d.rule_id, d.status, d.due_on.isoformat())
        for d in Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=item.pk).order_by("id")
    ]


def test_a_linked_repeat_is_counted_on_the_original_without_a_new_deadline(earlier: Item, personas: Personas):
    before = _clocks(earlier)
    repeat = item_register(actor=personas.clerk_a, data=intake_input(original_id=earlier.pk))
    assert repeat.status == Status.REPEAT
    assert repeat.original_id == earlier.pk
    assert _clocks(repeat) == []
    assert _clocks(earlier) == before
    earlier.refresh_from_db()
    assert earlier.repeat_count == 1
    assert earlier.status == Status.REGISTERED
    event = ItemEvent.objects.get(item=earlier, action="repeat")
    assert repeat.number in event.note
    assert "第1次" in event.note
    assert "不另起算期限" in repeat.events.get(action="register").note


def test_each_further_repeat_adds_to_the_count(earlier: Item, personas: Personas):
    for _ in range(3):
        item_register(actor=personas.clerk_a, data=intake_input(original_id=earlier.pk))
    earlier.refresh_from_db()
    assert earlier.repeat_count == 3
    assert earlier.repeats.count() == 3


def test_a_repeat_linked_to_a_repeat_is_counted_on_the_first_original(earlier: Item, personas: Personas):
    first = item_register(actor=personas.clerk_a, data=intake_input(original_id=earlier.pk))
    second = item_register(actor=personas.clerk_a, data=intake_input(original_id=first.pk))
    assert second.original_id == earlier.pk
    earlier.refresh_from_db()
    first.refresh_from_db()
    assert (earlier.repeat_count, first.repeat_count) == (2, 0)


def test_a_repeat_of_an_item_in_handling_keeps_the_originals_handling_clock(
    item_factory: ItemFactory, personas: Personas
):
    original = item_factory.make(Status.ACCEPTED)
    before = _clocks(original)
    item_register(actor=personas.clerk_a, data=intake_input(original_id=original.pk))
    assert _clocks(original) == before
    original.refresh_from_db()
    assert (original.status, original.repeat_count) == (Status.ACCEPTED, 1)


def test_an_original_outside_the_clerks_unit_cannot_be_linked(earlier: Item, personas: Personas):
    with pytest.raises(DomainError) as caught:
        item_register(actor=personas.clerk_b, data=intake_input(original_id=earlier.pk))
    assert caught.value.field == "original"
    earlier.refresh_from_db()
    assert earlier.repeat_count == 0


def _form(original: Item) -> dict[str, str]:
    return {
        "channel": "visit",
        "received_on": timezone.localdate().isoformat(),
        "head_count": "1",
        "petitioners-TOTAL_FORMS": "1",
        "petitioners-INITIAL_FORMS": "0",
        "petitioners-0-name": "张三",
        "petitioners-0-id_number": DEFAULT_ID_NUMBER,
        "purpose": "demand",
        "category": str(Category.objects.get(code="0301").pk),
        "summary": WAGES,
        "demand": "要求支付工资。",
        "original": str(original.pk),
    }


def test_the_intake_form_links_a_chosen_suggestion_as_a_repeat(earlier: Item, clerk_a: Client):
    response = clerk_a.post(reverse("petitions:intake_visit"), _form(earlier))
    assert response.status_code == 302
    repeat = Item.objects.exclude(pk=earlier.pk).get()
    assert repeat.original_id == earlier.pk
    assert repeat.status == Status.REPEAT
    page = clerk_a.get(reverse("petitions:item_detail", args=[earlier.pk])).content.decode()
    assert repeat.number in page
    assert "1 次" in page


# --- 不再受理 after 复核 ---------------------------------------------------------------------------------


def test_a_new_item_on_a_matter_that_finished_recheck_is_not_accepted_again_with_the_reason(
    item_factory: ItemFactory, personas: Personas, client_for: Callable[[User | None], Client]
):
    finished = item_factory.make(Status.CLOSED)
    assert (finished.close_reason, str(finished.closed_on)) == (CloseReason.RECHECKED, "2025-06-10")
    again = item_register(actor=personas.clerk_a, data=intake_input(original_id=finished.pk))
    assert again.status == Status.NO_FURTHER
    assert "不再受理" in again.refusal_reason
    assert "第三十六条" in again.refusal_reason
    assert finished.number in again.refusal_reason
    assert "2025-06-10" in again.refusal_reason
    assert _clocks(again) == []
    finished.refresh_from_db()
    assert finished.status == Status.CLOSED
    assert finished.repeat_count == 1
    page = (
        client_for(personas.clerk_a).get(reverse("petitions:item_detail", args=[again.pk])).content.decode()
    )
    assert again.refusal_reason in page
    assert "不再受理" in page


def test_a_repeat_of_an_item_closed_without_recheck_is_an_ordinary_repeat(
    item_factory: ItemFactory, personas: Personas
):
    original = item_factory.make(Status.REGISTERED)
    lifecycle.item_close(
        actor=personas.clerk_a,
        item_id=original.pk,
        on=original.received_on,
        reason=CloseReason.ANSWERED_ON_SITE,
    )
    again = item_register(actor=personas.clerk_a, data=intake_input(original_id=original.pk))
    assert again.status == Status.REPEAT
    assert again.refusal_reason == ""


def test_the_intake_form_shows_why_an_original_outside_the_unit_cannot_be_linked(
    earlier: Item, personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.clerk_b).post(reverse("petitions:intake_visit"), _form(earlier))
    assert response.status_code == 200
    assert "请选择本单位可见的原信访件" in response.content.decode()
    assert Item.objects.count() == 1
