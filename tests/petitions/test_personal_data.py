"""Personal data on items: masked by default on every page and API response, revealed one field at a time and
only for permitted roles, each reveal an audit row."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent, User
from core.pii import mask_address, mask_id_number, mask_phone
from petitions.choices import Status
from petitions.models import Item, Petitioner
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas
from tests.support.items import DEFAULT_ID_NUMBER, ItemFactory, intake_input

pytestmark = pytest.mark.django_db

PHONE = "13856785678"
LANDLINE = "0571-88001234"
ADDRESS = "建外大街1号院3号楼502室"
SECOND_ID = "110105198001010016"

MASKED_ID = "110105********002X"
MASKED_PHONE = "138****5678"
MASKED_LANDLINE = "0571-****1234"
MASKED_ADDRESS = "建外大****"

BUSINESS_ROLES = ["clerk_a", "handler_a", "section_head", "leader", "supervisor"]
REVEAL_ROLES = ["clerk_a", "handler_a", "section_head"]
NO_REVEAL_ROLES = ["leader", "supervisor"]
HIDDEN_ROLES = ["clerk_b", "system_admin", "security_admin", "audit_admin"]


def test_id_numbers_keep_the_address_code_and_the_last_four_characters():
    assert mask_id_number(DEFAULT_ID_NUMBER) == MASKED_ID
    assert mask_id_number("") == ""


def test_mobiles_keep_the_first_three_and_last_four_digits():
    assert mask_phone(PHONE) == MASKED_PHONE


def test_landlines_keep_the_area_code_and_the_last_four_digits():
    assert mask_phone(LANDLINE) == MASKED_LANDLINE
    assert mask_phone("010-12345678") == "010-****5678"


def test_addresses_keep_only_the_first_three_characters():
    assert mask_address(ADDRESS) == MASKED_ADDRESS
    assert mask_address("一号") == "**"


@pytest.fixture
def item(item_factory: ItemFactory) -> Item:
    """An item assigned to county A's department, so every business persona can see it."""
    return item_factory.make(
        Status.ASSIGNED,
        head_count=2,
        petitioners=[
            PetitionerInput(
                name="张三",
                id_number=DEFAULT_ID_NUMBER,
                phone=PHONE,
                division_code="110105001",
                address_detail=ADDRESS,
                is_representative=True,
            ),
            PetitionerInput(name="李四", id_number=SECOND_ID, phone=LANDLINE),
        ],
    )


@pytest.fixture
def zhang(item: Item) -> Petitioner:
    return Petitioner.objects.get(item_links__name="张三")


def _assert_nothing_in_full(text: str) -> None:
    for secret in (DEFAULT_ID_NUMBER, SECOND_ID, PHONE, "88001234", ADDRESS, "1号院"):
        assert secret not in text


# --- masked everywhere -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", BUSINESS_ROLES)
def test_the_item_page_masks_id_numbers_phones_and_addresses_for_every_role(
    item: Item, personas: Personas, client_for: Callable[[User | None], Client], who: str
):
    response = client_for(getattr(personas, who)).get(reverse("petitions:item_detail", args=[item.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert MASKED_ID in page
    assert MASKED_PHONE in page
    assert MASKED_ADDRESS in page
    assert "110105********0016" in page
    assert MASKED_LANDLINE in page
    _assert_nothing_in_full(page)


@pytest.mark.parametrize("who", BUSINESS_ROLES)
def test_the_item_list_page_shows_no_personal_data_in_full(
    item: Item, personas: Personas, client_for: Callable[[User | None], Client], who: str
):
    response = client_for(getattr(personas, who)).get(reverse("petitions:item_list"))
    assert item.number in response.content.decode()
    _assert_nothing_in_full(response.content.decode())


@pytest.mark.parametrize("who", BUSINESS_ROLES)
def test_the_api_detail_masks_every_petitioner_for_every_role(
    item: Item, personas: Personas, api_for: Callable[[User | None], APIClient], who: str
):
    response = api_for(getattr(personas, who)).get(f"/api/v1/petitions/{item.pk}/")
    assert response.status_code == 200
    people = {row["name"]: row for row in response.json()["petitioners"]}
    assert people["张三"]["id_number"] == MASKED_ID
    assert people["张三"]["phone"] == MASKED_PHONE
    assert people["张三"]["address_detail"] == MASKED_ADDRESS
    assert people["张三"]["address_division"] == "110105001"
    assert people["李四"]["phone"] == MASKED_LANDLINE
    _assert_nothing_in_full(response.content.decode())


@pytest.mark.parametrize("who", BUSINESS_ROLES)
def test_the_api_list_and_step_responses_show_no_personal_data_in_full(
    item: Item, personas: Personas, api_for: Callable[[User | None], APIClient], who: str
):
    response = api_for(getattr(personas, who)).get("/api/v1/petitions/")
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == [item.number]
    _assert_nothing_in_full(response.content.decode())


def test_the_api_registration_answers_with_masked_data(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    data = intake_input(petitioners=[PetitionerInput(name="王五", id_number=DEFAULT_ID_NUMBER, phone=PHONE)])
    body = {
        "channel": data.channel,
        "purpose": data.purpose,
        "category": data.category_id,
        "received_on": data.received_on.isoformat(),
        "summary": data.summary,
        "demand": data.demand,
        "petitioners": [{"name": "王五", "id_number": DEFAULT_ID_NUMBER, "phone": PHONE}],
    }
    response = api_for(personas.clerk_a).post("/api/v1/petitions/", body, format="json")
    assert response.status_code == 201
    assert response.json()["petitioners"][0]["id_number"] == MASKED_ID
    _assert_nothing_in_full(response.content.decode())


# --- revealing on the item page -----------------------------------------------------------------------


def _reveal(client: Client, item: Item, petitioner: Petitioner, field: str) -> object:
    return client.post(reverse("petitions:reveal", args=[item.pk, petitioner.pk, field]))


@pytest.mark.parametrize("who", REVEAL_ROLES)
@pytest.mark.parametrize(
    ("field", "value"), [("id_number", DEFAULT_ID_NUMBER), ("phone", PHONE), ("address_detail", ADDRESS)]
)
def test_a_permitted_role_reveals_one_field_and_the_reveal_is_audited(
    item: Item,
    zhang: Petitioner,
    personas: Personas,
    client_for: Callable[[User | None], Client],
    who: str,
    field: str,
    value: str,
):
    user = getattr(personas, who)
    response = _reveal(client_for(user), item, zhang, field)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert value in response.content.decode()  # type: ignore[attr-defined]
    audit = AuditEvent.objects.get(action="petitions.petitioner.revealed")
    assert audit.actor == user
    assert (audit.object_type, audit.object_id) == ("petitions.petitioner", str(zhang.pk))
    assert audit.detail == {"field": field, "item": item.number}
    assert value not in json.dumps(audit.detail, ensure_ascii=False) + audit.object_repr


def test_every_reveal_writes_its_own_audit_row(
    item: Item, zhang: Petitioner, personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    for _ in range(3):
        _reveal(client, item, zhang, "id_number")
    assert AuditEvent.objects.filter(action="petitions.petitioner.revealed").count() == 3


@pytest.mark.parametrize("who", NO_REVEAL_ROLES)
def test_roles_not_permitted_to_reveal_get_403_and_nothing_is_revealed(
    item: Item,
    zhang: Petitioner,
    personas: Personas,
    client_for: Callable[[User | None], Client],
    who: str,
):
    response = _reveal(client_for(getattr(personas, who)), item, zhang, "id_number")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert DEFAULT_ID_NUMBER not in response.content.decode()  # type: ignore[attr-defined]
    assert "不能查看完整的个人信息" in response.content.decode()  # type: ignore[attr-defined]
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


@pytest.mark.parametrize("who", HIDDEN_ROLES)
def test_users_who_cannot_see_the_item_get_404(
    item: Item,
    zhang: Petitioner,
    personas: Personas,
    client_for: Callable[[User | None], Client],
    who: str,
):
    assert _reveal(client_for(getattr(personas, who)), item, zhang, "id_number").status_code == 404  # type: ignore[attr-defined]
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


def test_a_petitioner_of_another_item_cannot_be_revealed_through_this_one(
    item: Item, personas: Personas, client_for: Callable[[User | None], Client]
):
    stranger = item_register(
        actor=personas.clerk_b,
        data=intake_input(petitioners=[PetitionerInput(name="赵六", id_number="110105198001010032")]),
    )
    petitioner = stranger.item_petitioners.get().petitioner
    assert _reveal(client_for(personas.clerk_a), item, petitioner, "id_number").status_code == 404  # type: ignore[attr-defined]


def test_only_the_three_masked_fields_can_be_revealed(
    item: Item, zhang: Petitioner, personas: Personas, client_for: Callable[[User | None], Client]
):
    response = _reveal(client_for(personas.clerk_a), item, zhang, "id_number_hash")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "该字段不能查看" in response.content.decode()  # type: ignore[attr-defined]
    assert zhang.id_number_hash not in response.content.decode()  # type: ignore[attr-defined]
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


def test_a_reveal_must_be_posted(
    item: Item, zhang: Petitioner, personas: Personas, client_for: Callable[[User | None], Client]
):
    url = reverse("petitions:reveal", args=[item.pk, zhang.pk, "id_number"])
    assert client_for(personas.clerk_a).get(url).status_code == 405


def test_the_roles_that_may_reveal_come_from_the_setting(
    item: Item,
    zhang: Petitioner,
    personas: Personas,
    client_for: Callable[[User | None], Client],
    settings,
):
    settings.XF_REVEAL_ROLES = ["leader"]
    assert _reveal(client_for(personas.leader), item, zhang, "phone").status_code == 200  # type: ignore[attr-defined]
    assert _reveal(client_for(personas.clerk_a), item, zhang, "phone").status_code == 403  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="petitions.petitioner.revealed").count() == 1


# --- revealing through the API ----------------------------------------------------------------------------


def _api_reveal(client: APIClient, item: Item, petitioner: Petitioner, field: str) -> object:
    return client.post(
        f"/api/v1/petitions/{item.pk}/reveal/", {"petitioner": petitioner.pk, "field": field}, format="json"
    )


@pytest.mark.parametrize("who", REVEAL_ROLES)
def test_the_api_reveal_returns_the_full_value_and_audits_it(
    item: Item,
    zhang: Petitioner,
    personas: Personas,
    api_for: Callable[[User | None], APIClient],
    who: str,
):
    response = _api_reveal(api_for(getattr(personas, who)), item, zhang, "id_number")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json() == {"value": DEFAULT_ID_NUMBER}  # type: ignore[attr-defined]
    audit = AuditEvent.objects.get(action="petitions.petitioner.revealed")
    assert audit.actor == getattr(personas, who)
    assert audit.detail == {"field": "id_number", "item": item.number}


@pytest.mark.parametrize("who", NO_REVEAL_ROLES)
def test_the_api_reveal_is_403_for_roles_not_permitted(
    item: Item,
    zhang: Petitioner,
    personas: Personas,
    api_for: Callable[[User | None], APIClient],
    who: str,
):
    response = _api_reveal(api_for(getattr(personas, who)), item, zhang, "phone")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert PHONE not in response.content.decode()  # type: ignore[attr-defined]
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


@pytest.mark.parametrize("who", HIDDEN_ROLES)
def test_the_api_reveal_is_404_for_users_who_cannot_see_the_item(
    item: Item,
    zhang: Petitioner,
    personas: Personas,
    api_for: Callable[[User | None], APIClient],
    who: str,
):
    response = _api_reveal(api_for(getattr(personas, who)), item, zhang, "phone")
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


def test_the_api_reveal_refuses_other_fields_naming_the_field(
    item: Item, zhang: Petitioner, personas: Personas, api_for: Callable[[User | None], APIClient]
):
    response = _api_reveal(api_for(personas.clerk_a), item, zhang, "name")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "field" in response.json()  # type: ignore[attr-defined]


def test_the_api_reveal_is_401_without_credentials(
    item: Item, zhang: Petitioner, api_for: Callable[[User | None], APIClient]
):
    assert _api_reveal(api_for(None), item, zhang, "phone").status_code == 401  # type: ignore[attr-defined]
