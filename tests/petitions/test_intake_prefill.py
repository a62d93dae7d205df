"""Registering a repeat or a known person copies the earlier particulars; collective visits and their leaders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.choices import NotificationKind
from accountability.models import Notification
from core.choices import Role
from core.errors import DomainError
from core.idcard import id_number_check_character
from core.models import AuditEvent, User
from petitions.choices import Marker, Purpose, Status
from petitions.models import Category, Item
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas, Tree
from tests.support.items import DEFAULT_ID_NUMBER, ItemFactory, intake_input

pytestmark = pytest.mark.django_db

VISIT = "petitions:intake_visit"
TOWNSHIP = "110105002"  # a township (街道) of 朝阳区
OTHER_ID = "11010519800101002" + id_number_check_character("11010519800101002")


def _earlier(item_factory: ItemFactory, **overrides: object) -> Item:
    """An item of county A with two people, a problem township and a named unit complained about."""
    values: dict[str, object] = {
        "purpose": Purpose.APPEAL,
        "problem_division_code": TOWNSHIP,
        "problem_address": "朝外大街工地",
        "complained_unit_name": "某建筑劳务公司",
        "petitioners": [
            PetitionerInput(
                name="张三",
                id_number=DEFAULT_ID_NUMBER,
                phone="13800138000",
                division_code="110105001",
                address_detail="建外大街1号",
                is_representative=True,
            ),
            PetitionerInput(name="李四", phone="13900139000"),
        ],
        "head_count": 2,
    }
    values.update(overrides)
    return item_factory.register(**values)


def _open(client: Client, **params: object) -> Any:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.get(f"{reverse(VISIT)}?{query}")


def test_opening_the_visit_form_from_an_item_copies_its_people_and_matter_but_not_its_text(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    response = _open(client_for(personas.clerk_a), **{"from": earlier.pk})
    assert response.status_code == 200
    form, people = response.context["form"], response.context["people"]
    assert form["problem_division"].value() == TOWNSHIP
    assert form["problem_address"].value() == "朝外大街工地"
    assert form["complained_unit_name"].value() == "某建筑劳务公司"
    assert form["category"].value() == earlier.category_id
    assert form["purpose"].value() == Purpose.APPEAL
    assert form["summary"].value() in (None, "")
    assert form["demand"].value() in (None, "")
    assert form["original"].value() in (None, "")  # not a repeat unless asked
    assert form["head_count"].value() == 2
    rows = [row.initial for row in people.forms]
    assert [row["name"] for row in rows] == ["张三", "李四"]
    first = rows[0]
    assert first["id_number"] == DEFAULT_ID_NUMBER
    assert first["phone"] == "13800138000"
    assert first["address_division"] == "110105001"
    assert first["address_detail"] == "建外大街1号"
    assert first["is_representative"] is True
    assert first["person"] == earlier.item_petitioners.get(position=0).petitioner_id
    page = response.content.decode()
    assert f'value="{DEFAULT_ID_NUMBER}"' in page  # decrypted on the server into the form
    assert 'name="petitioners-0-person"' in page


def test_opening_a_prefilled_form_is_one_audited_reveal_naming_the_item(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    before = AuditEvent.objects.filter(action="petitions.petitioner.revealed").count()
    _open(client_for(personas.clerk_a), **{"from": earlier.pk})
    rows = AuditEvent.objects.filter(action="petitions.petitioner.revealed").order_by("-id")
    assert rows.count() == before + 1
    row = rows.first()
    assert row is not None
    assert row.actor == personas.clerk_a
    assert row.detail["item"] == earlier.number
    assert row.detail["field"] == "intake_prefill"


def test_the_empty_form_reveals_nothing(personas: Personas, client_for: Callable[[User | None], Client]):
    response = client_for(personas.clerk_a).get(reverse(VISIT))
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


def test_repeat_1_links_the_new_item_to_the_earlier_one(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    response = _open(client_for(personas.clerk_a), **{"from": earlier.pk, "repeat": 1})
    assert response.context["form"]["original"].value() == earlier.pk
    assert response.context["original_number"] == earlier.number


def test_repeat_of_a_repeat_links_to_the_first_item(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    repeat = _earlier(item_factory, original_id=earlier.pk)
    response = _open(client_for(personas.clerk_a), **{"from": repeat.pk, "repeat": 1})
    assert response.context["form"]["original"].value() == earlier.pk


def test_an_item_of_another_county_is_a_404_and_reveals_nothing(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    assert _open(client_for(personas.clerk_b), **{"from": earlier.pk}).status_code == 404
    assert (
        _open(
            client_for(personas.clerk_b), person=earlier.item_petitioners.get(position=0).petitioner_id
        ).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


def test_a_malformed_id_is_ignored(personas: Personas, client_for: Callable[[User | None], Client]):
    response = _open(client_for(personas.clerk_a), **{"from": "abc", "person": "x"})
    assert response.status_code == 200
    assert response.context["people"].forms[0].initial == {}


def test_anonymous_and_handlers_cannot_open_a_prefilled_form(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    anonymous = _open(client_for(None), **{"from": earlier.pk})
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    assert _open(client_for(personas.handler_a), **{"from": earlier.pk}).status_code == 403
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


def test_opening_from_a_person_copies_their_latest_particulars_in_reach_and_links_the_person(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    old = _earlier(item_factory)
    newer = _earlier(
        item_factory,
        received_on=old.received_on + timedelta(days=1),
        petitioners=[PetitionerInput(name="张三", id_number=DEFAULT_ID_NUMBER, phone="13700137000")],
        head_count=1,
    )
    person_id = newer.item_petitioners.get().petitioner_id
    response = _open(client_for(personas.clerk_a), person=person_id)
    assert response.status_code == 200
    people, form = response.context["people"], response.context["form"]
    assert len(people.forms) == 1
    assert people.forms[0].initial["phone"] == "13700137000"  # the newest item's, not the older one's
    assert people.forms[0].initial["person"] == person_id
    assert form["problem_address"].value() in (None, "")  # a person alone brings no matter
    audit = AuditEvent.objects.get(action="petitions.petitioner.revealed")
    assert audit.detail["item"] == newer.number


def test_registering_from_a_prefilled_form_typing_only_the_summary_makes_a_linked_repeat(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    client = client_for(personas.clerk_a)
    data = _as_posted(_open(client, **{"from": earlier.pk, "repeat": 1}))
    data["summary"] = "工资仍未发放，再次来访。"
    data["demand"] = "要求尽快支付。"
    response = client.post(reverse(VISIT), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    item = Item.objects.exclude(pk=earlier.pk).get()
    assert item.original_id == earlier.pk
    assert item.status == Status.REPEAT
    assert item.problem_division_id == TOWNSHIP
    assert [link.petitioner_id for link in item.item_petitioners.order_by("position")] == [
        link.petitioner_id for link in earlier.item_petitioners.order_by("position")
    ]


def test_a_refused_post_keeps_what_was_typed_and_the_township_instead_of_any_prefill(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    client = client_for(personas.clerk_a)
    data = _as_posted(_open(client, **{"from": earlier.pk, "repeat": 1}))
    data["petitioners-0-name"] = "张叁"
    data["problem_address"] = "另一处工地"
    data["summary"] = "新的情况。"
    data["demand"] = ""  # refused: the demand is required
    response = client.post(f"{reverse(VISIT)}?from={earlier.pk}&repeat=1", data)
    assert response.status_code == 200
    assert not Item.objects.exclude(pk=earlier.pk).exists()
    form, people = response.context["form"], response.context["people"]
    assert people.forms[0]["name"].value() == "张叁"
    assert form["problem_address"].value() == "另一处工地"
    assert form["summary"].value() == "新的情况。"
    page = response.content.decode()
    assert f'<option value="{TOWNSHIP}" selected>' in page  # the township stays chosen
    assert f'name="problem_division" id="id_problem_division" value="{TOWNSHIP}"' in page


def test_a_prefilled_township_is_shown_selected_in_the_picker(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    page = _open(client_for(personas.clerk_a), **{"from": earlier.pk}).content.decode()
    assert f'<option value="{TOWNSHIP}" selected>' in page
    assert '<option value="110105001" selected>' in page  # the first person's address township
    assert f'name="problem_division" id="id_problem_division" value="{TOWNSHIP}"' in page


def _as_posted(response: Any) -> dict[str, str]:
    """What the browser would post from the rendered form without the clerk changing anything."""
    form, people = response.context["form"], response.context["people"]
    data: dict[str, str] = {}
    for bound in form:
        value = bound.value()
        if value is None or value == [] or value is False:
            continue
        data[bound.html_name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    data["channel"] = "visit"
    for key, value in people.management_form.initial.items():
        data[f"petitioners-{key}"] = str(value)
    for row in people.forms:
        for bound in row:
            value = bound.value()
            if value in (None, "", False):
                continue
            data[bound.html_name] = "on" if value is True else str(value)
    return data


# --- collective visits: at most five representatives, each one checked for repeats, leaders told --------------


def _six_representatives() -> dict[str, str]:
    category = Category.objects.get(code="0301")
    data = {
        "channel": "visit",
        "received_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "head_count": "40",
        "petitioners-TOTAL_FORMS": "6",
        "petitioners-INITIAL_FORMS": "0",
        "petitioners-MIN_NUM_FORMS": "1",
        "petitioners-MAX_NUM_FORMS": "30",
        "purpose": Purpose.DEMAND,
        "category": str(category.pk),
        "summary": "四十名务工人员集体反映拖欠工资。",
        "demand": "要求支付工资。",
        "markers": Marker.COLLECTIVE,
    }
    for index in range(6):
        data[f"petitioners-{index}-name"] = f"代表{index}"
        data[f"petitioners-{index}-is_representative"] = "on"
    return data


def test_a_sixth_representative_is_refused_at_its_row_in_chinese(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.clerk_a).post(reverse(VISIT), _six_representatives())
    assert response.status_code == 200
    people = response.context["people"]
    assert "代表不得超过5人" in people.forms[5].errors["is_representative"][0]
    assert all("is_representative" not in row.errors for row in people.forms[:5])
    assert not Item.objects.exists()


def test_five_representatives_are_accepted_by_the_form(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    data = _six_representatives()
    del data["petitioners-5-is_representative"]
    response = client_for(personas.clerk_a).post(reverse(VISIT), data)
    assert response.status_code == 302
    assert Item.objects.get().item_petitioners.filter(is_representative=True).count() == 5


def test_the_service_refuses_a_sixth_representative_with_a_field_error(personas: Personas):
    people = [PetitionerInput(name=f"代表{n}", is_representative=True) for n in range(6)]
    with pytest.raises(DomainError) as caught:
        item_register(actor=personas.clerk_a, data=intake_input(petitioners=people, head_count=30))
    assert caught.value.field == "petitioners"
    assert "不得超过5人" in caught.value.message
    assert not Item.objects.exists()


def test_repeat_hints_look_at_every_representative_not_only_the_first(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = item_factory.register(
        received_on=timezone.localdate() - timedelta(days=5),
        petitioners=[PetitionerInput(name="王五", id_number=OTHER_ID)],
    )
    client = client_for(personas.clerk_a)
    url = reverse("petitions:intake_suggestions")
    first_only = client.get(url, {"petitioners-0-name": "赵六", "petitioners-0-phone": "13611112222"})
    assert earlier.number not in first_only.content.decode()
    second = client.get(
        url,
        {
            "petitioners-0-name": "赵六",
            "petitioners-0-phone": "13611112222",
            "petitioners-1-name": "王五",
            "petitioners-1-id_number": OTHER_ID,
        },
    )
    page = second.content.decode()
    assert earlier.number in page
    assert "王五：同一身份证号" in page
    outside = client_for(personas.clerk_b).get(
        url, {"petitioners-0-name": "赵六", "petitioners-1-id_number": OTHER_ID}
    )
    assert earlier.number not in outside.content.decode()  # another county's item is never hinted


@pytest.fixture
def county_a_leaders(tree: Tree, make_user: Callable[..., User]) -> list[User]:
    return [
        make_user(tree.county_a, [Role.LEADER], "leader_county_a"),
        make_user(tree.county_a, [Role.SECTION_HEAD], "head_county_a"),
    ]


def _collective(personas: Personas, head_count: int) -> Item:
    people = [PetitionerInput(name=f"代表{n}", is_representative=True) for n in range(min(head_count, 3))]
    return item_register(actor=personas.clerk_a, data=intake_input(petitioners=people, head_count=head_count))


def test_a_collective_visit_of_five_tells_the_registering_units_leaders_and_section_heads_on_commit(
    personas: Personas,
    county_a_leaders: list[User],
    tree: Tree,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks,
):
    make_user(tree.county_a, [Role.HANDLER], "handler_county_a")  # not a leader: not told
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = _collective(personas, 5)
        assert not Notification.objects.exists()  # nothing before the registration commits
    for callback in callbacks:
        callback()
    told = Notification.objects.filter(kind=NotificationKind.COLLECTIVE, reference=item.number)
    assert {n.recipient for n in told} == set(county_a_leaders)  # not the city's leader, not the handler
    note = told.first()
    assert note is not None
    assert item.number in note.title
    assert "5人" in note.title
    assert item.summary[:20] in note.body
    assert note.url == reverse("petitions:item_detail", args=[item.pk])
    assert Marker.COLLECTIVE in item.markers


def test_four_people_tell_no_one(
    personas: Personas, county_a_leaders: list[User], django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _collective(personas, 4)
    assert not Notification.objects.exists()


def test_a_posted_person_link_outside_the_clerks_reach_is_refused_and_nothing_is_written(
    personas: Personas, client_for: Callable[[User | None], Client], item_factory: ItemFactory
):
    earlier = _earlier(item_factory)
    client = client_for(personas.clerk_a)
    data = _as_posted(_open(client, **{"from": earlier.pk}))
    data["summary"], data["demand"] = "新的情况。", "新的诉求。"
    assert data["petitioners-0-person"] == str(earlier.item_petitioners.get(position=0).petitioner_id)
    response = client_for(personas.clerk_b).post(reverse(VISIT), data)
    assert response.status_code == 200
    assert not Item.objects.exclude(pk=earlier.pk).exists()
    assert "请选择本单位可见的信访人。" in response.context["people"].forms[0].errors["id_number"]
