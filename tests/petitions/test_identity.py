"""One person across items without shared personal data: particulars stay with the item that received them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from core.errors import DomainError
from core.models import AuditEvent, User
from petitions.models import Item, ItemPetitioner, Petitioner
from petitions.petitioner_file import person_file, person_latest_particulars
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas, Tree
from tests.support.items import DEFAULT_ID_NUMBER, intake_input

pytestmark = pytest.mark.django_db

PHONE = "13911112222"
ADDRESS = "东门街道幸福路8号"


def _first_visit(personas: Personas) -> Item:
    """County A's window receives 张三 with his phone and address."""
    return item_register(
        actor=personas.clerk_a,
        data=intake_input(
            petitioners=[
                PetitionerInput(
                    name="张三",
                    id_number=DEFAULT_ID_NUMBER,
                    phone=PHONE,
                    division_code="110105001",
                    address_detail=ADDRESS,
                )
            ]
        ),
    )


def _probe(personas: Personas) -> Item:
    """County B's clerk types 张三's ID number with a throwaway name and nothing else."""
    return item_register(
        actor=personas.clerk_b,
        data=intake_input(petitioners=[PetitionerInput(name="无名氏", id_number=DEFAULT_ID_NUMBER)]),
    )


def _particulars(item: Item) -> tuple[str, str, str, str | None, str]:
    row = ItemPetitioner.objects.get(item=item)
    return (row.name, row.id_number, row.phone, row.address_division_id, row.address_detail)


def _reveal(client: APIClient, item: Item, field: str) -> str:
    person = ItemPetitioner.objects.get(item=item).petitioner_id
    response = client.post(
        f"/api/v1/petitions/{item.pk}/reveal/", {"petitioner": person, "field": field}, format="json"
    )
    assert response.status_code == 200, response.content
    return str(response.json()["value"])


def test_another_countys_clerk_typing_a_known_id_number_reveals_nothing_of_the_first_countys_record(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    original = _first_visit(personas)
    before = _particulars(original)
    probe = _probe(personas)
    client = api_for(personas.clerk_b)
    assert _reveal(client, probe, "phone") == ""
    assert _reveal(client, probe, "address_detail") == ""
    assert PHONE not in str(client.get(f"/api/v1/petitions/{probe.pk}/").content)
    assert _particulars(original) == before
    assert _particulars(original)[0] == "张三"
    # Both items are the same person, linked by the ID number's keyed hash alone.
    assert (
        ItemPetitioner.objects.get(item=original).petitioner_id
        == ItemPetitioner.objects.get(item=probe).petitioner_id
    )


def test_a_repeat_visit_with_the_address_picker_left_at_its_default_does_not_change_the_first_visit(
    personas: Personas,
):
    original = _first_visit(personas)
    before = _particulars(original)
    repeat = item_register(
        actor=personas.clerk_a,
        data=intake_input(
            petitioners=[PetitionerInput(name="张三", id_number=DEFAULT_ID_NUMBER, division_code="110000")],
            original_id=original.pk,
        ),
    )
    assert _particulars(original) == before
    assert _particulars(repeat)[3:] == ("110000", "")


def test_the_person_row_holds_no_personal_data():
    columns = {field.name for field in Petitioner._meta.concrete_fields}
    assert columns == {"id", "id_number_hash", "created_at"}


def test_the_file_counts_only_the_items_in_the_readers_reach(personas: Personas, tree: Tree):
    original = _first_visit(personas)
    _probe(personas)
    person = ItemPetitioner.objects.get(item=original).petitioner_id
    county_a = person_file(personas.clerk_a, person)
    county_b = person_file(personas.clerk_b, person)
    city = person_file(personas.section_head, person)
    assert county_a is not None
    assert county_b is not None
    assert city is not None
    assert (county_a.item_count, county_b.item_count, city.item_count) == (1, 1, 2)
    assert [(row.unit_id, row.items) for row in county_b.per_unit] == [(tree.county_b.pk, 1)]
    assert {row.unit_id for row in city.per_unit} == {tree.county_a.pk, tree.county_b.pk}
    assert person_file(personas.audit_admin, person) is None


def test_particulars_offered_for_prefill_come_only_from_items_in_reach(personas: Personas):
    original = _first_visit(personas)
    _probe(personas)
    person = ItemPetitioner.objects.get(item=original).petitioner_id
    latest_b = person_latest_particulars(personas.clerk_b, person)
    latest_a = person_latest_particulars(personas.clerk_a, person)
    assert latest_b is not None
    assert latest_a is not None
    assert (latest_b.name, latest_b.phone, latest_b.address_detail) == ("无名氏", "", "")
    assert (latest_a.name, latest_a.phone) == ("张三", PHONE)


def test_a_clerk_may_link_a_person_without_id_number_only_within_reach(personas: Personas):
    first = item_register(
        actor=personas.clerk_a, data=intake_input(petitioners=[PetitionerInput(name="李四")])
    )
    person = ItemPetitioner.objects.get(item=first).petitioner_id
    again = item_register(
        actor=personas.clerk_a,
        data=intake_input(petitioners=[PetitionerInput(name="李四", person_id=person)]),
    )
    assert ItemPetitioner.objects.get(item=again).petitioner_id == person
    with pytest.raises(DomainError, match="本单位可见的信访人") as refused:
        item_register(
            actor=personas.clerk_b,
            data=intake_input(petitioners=[PetitionerInput(name="李四", person_id=person)]),
        )
    assert refused.value.field == "petitioners-0-id_number"
    assert Item.objects.count() == 2


# --- API: search by ID number, the person's items ----------------------------------------------------------


def test_the_id_number_search_answers_only_with_items_in_the_callers_reach(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    original = _first_visit(personas)
    probe = _probe(personas)
    found = api_for(personas.clerk_b).post(
        "/api/v1/petitioners/search/", {"id_number": DEFAULT_ID_NUMBER.lower()}, format="json"
    )
    assert found.status_code == 200
    [person] = found.json()
    assert [row["number"] for row in person["items"]] == [probe.number]
    assert person["name"] == "无名氏"
    assert person["item_count"] == 1
    assert original.number not in found.content.decode()
    assert DEFAULT_ID_NUMBER not in found.content.decode()
    city = api_for(personas.section_head).post(
        "/api/v1/petitioners/search/", {"id_number": DEFAULT_ID_NUMBER}, format="json"
    )
    assert city.json()[0]["item_count"] == 2


def test_a_number_known_only_outside_reach_gets_the_same_answer_as_an_unknown_one(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    _first_visit(personas)
    client = api_for(personas.clerk_b)
    known = client.post("/api/v1/petitioners/search/", {"id_number": DEFAULT_ID_NUMBER}, format="json")
    unknown = client.post("/api/v1/petitioners/search/", {"id_number": "110105198001010032"}, format="json")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (200, [])


def test_every_search_by_id_number_is_audited_without_the_number(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    _first_visit(personas)
    api_for(personas.clerk_b).post(
        "/api/v1/petitioners/search/", {"id_number": DEFAULT_ID_NUMBER}, format="json"
    )
    api_for(personas.clerk_a).post(
        "/api/v1/petitioners/search/", {"id_number": DEFAULT_ID_NUMBER}, format="json"
    )
    rows = AuditEvent.objects.filter(action="petitions.petitioner.searched").order_by("id")
    assert [(row.actor_username, row.detail["found"]) for row in rows] == [("clerk_b", 0), ("clerk_a", 1)]
    assert not AuditEvent.objects.filter(detail__icontains=DEFAULT_ID_NUMBER).exists()


def test_an_invalid_id_number_is_refused_at_the_field_in_chinese(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    response = api_for(personas.clerk_a).post(
        "/api/v1/petitioners/search/", {"id_number": "110105194912310021"}, format="json"
    )
    assert response.status_code == 400
    assert "校验位" in response.json()["id_number"][0]


def test_the_search_takes_the_number_only_in_the_body(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    client = api_for(personas.clerk_a)
    assert client.get(f"/api/v1/petitioners/search/?id_number={DEFAULT_ID_NUMBER}").status_code == 405


def test_the_persons_items_list_only_the_callers_reach_and_404_outside_it(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    original = _first_visit(personas)
    probe = _probe(personas)
    person = ItemPetitioner.objects.get(item=original).petitioner_id
    county_b = api_for(personas.clerk_b).get(f"/api/v1/petitioners/{person}/items/")
    assert [row["number"] for row in county_b.json()["results"]] == [probe.number]
    city = api_for(personas.section_head).get(f"/api/v1/petitioners/{person}/items/")
    assert city.json()["count"] == 2
    file = api_for(personas.clerk_b).get(f"/api/v1/petitioners/{person}/")
    assert (file.json()["item_count"], file.json()["phone"]) == (1, "")
    other = item_register(
        actor=personas.clerk_a, data=intake_input(petitioners=[PetitionerInput(name="王五")])
    )
    stranger = ItemPetitioner.objects.get(item=other).petitioner_id
    for path in (f"/api/v1/petitioners/{stranger}/items/", f"/api/v1/petitioners/{stranger}/"):
        assert api_for(personas.clerk_b).get(path).status_code == 404
        assert api_for(personas.audit_admin).get(path).status_code == 404
        assert api_for(None).get(path).status_code in {401, 403}
    assert api_for(None).post(
        "/api/v1/petitioners/search/", {"id_number": DEFAULT_ID_NUMBER}, format="json"
    ).status_code in {401, 403}


# --- correcting a typo: an audited edit of that item only ---------------------------------------------------


def test_a_correction_changes_only_that_items_record_and_is_audited_and_on_the_timeline(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    original = _first_visit(personas)
    repeat = item_register(
        actor=personas.clerk_a,
        data=intake_input(
            petitioners=[PetitionerInput(name="张三", id_number=DEFAULT_ID_NUMBER, phone=PHONE)],
            original_id=original.pk,
        ),
    )
    before = _particulars(original)
    person = ItemPetitioner.objects.get(item=repeat).petitioner_id
    response = api_for(personas.clerk_a).post(
        f"/api/v1/petitions/{repeat.pk}/correct-petitioner/",
        {"petitioner": person, "phone": "13900001111", "version": repeat.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert ItemPetitioner.objects.get(item=repeat).phone == "13900001111"
    assert _particulars(original) == before
    audit = AuditEvent.objects.get(action="petitions.item.petitioner_corrected")
    assert audit.changed_fields == ["phone"]
    assert "13900001111" not in str(audit.detail) + audit.object_repr
    assert repeat.events.filter(action="correct").exists()


def test_a_corrected_id_number_moves_the_row_to_the_person_it_belongs_to(personas: Personas):
    from petitions.services.particulars import Correction, item_petitioner_correct

    original = _first_visit(personas)
    typo = item_register(
        actor=personas.clerk_a,
        data=intake_input(petitioners=[PetitionerInput(name="张三", id_number="110105198001010032")]),
    )
    wrong = ItemPetitioner.objects.get(item=typo).petitioner_id
    item_petitioner_correct(
        actor=personas.clerk_a,
        item_id=typo.pk,
        person_id=wrong,
        change=Correction(id_number=DEFAULT_ID_NUMBER),
        expected_version=None,
    )
    assert (
        ItemPetitioner.objects.get(item=typo).petitioner_id
        == ItemPetitioner.objects.get(item=original).petitioner_id
    )


def test_only_the_registering_unit_corrects_and_others_change_nothing(
    personas: Personas, api_for: Callable[[User | None], APIClient], tree: Tree
):
    from petitions.services import lifecycle

    original = _first_visit(personas)
    lifecycle.item_assign(
        actor=personas.clerk_a,
        item_id=original.pk,
        unit_id=tree.county_a_department.pk,
        on=original.received_on,
    )
    before = _particulars(original)
    person = ItemPetitioner.objects.get(item=original).petitioner_id
    body = {"petitioner": person, "name": "改名"}
    path = f"/api/v1/petitions/{original.pk}/correct-petitioner/"
    assert api_for(personas.clerk_b).post(path, body, format="json").status_code == 404
    assert api_for(personas.handler_a).post(path, body, format="json").status_code == 403
    assert api_for(None).post(path, body, format="json").status_code in {401, 403}
    assert _particulars(original) == before


def test_the_correction_page_shows_masked_values_and_keeps_the_typed_ones_on_error(
    personas: Personas, client_for
):
    original = _first_visit(personas)
    person = ItemPetitioner.objects.get(item=original).petitioner_id
    client = client_for(personas.clerk_a)
    page = client.get(f"/petitions/{original.pk}/petitioners/{person}/correct/")
    assert page.status_code == 200
    html = page.content.decode()
    assert PHONE not in html
    assert ADDRESS not in html
    assert DEFAULT_ID_NUMBER not in html
    assert "139****2222" in html
    refused = client.post(
        f"/petitions/{original.pk}/petitioners/{person}/correct/",
        {"version": original.version, "name": "张三", "phone": "12345", "address_detail": "新址1号"},
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "11位手机号码" in text
    assert 'value="新址1号"' in text
    assert _particulars(original)[2] == PHONE
    assert (
        client_for(personas.clerk_b)
        .get(f"/petitions/{original.pk}/petitioners/{person}/correct/")
        .status_code
        == 404
    )


def test_the_api_links_a_person_without_id_number_by_their_number_within_reach(
    personas: Personas, api_for: Callable[[User | None], APIClient]
):
    first = item_register(
        actor=personas.clerk_a, data=intake_input(petitioners=[PetitionerInput(name="李四")])
    )
    person = ItemPetitioner.objects.get(item=first).petitioner_id
    body = {
        "channel": "visit",
        "purpose": "demand",
        "category": first.category_id,
        "received_on": first.received_on.isoformat(),
        "summary": "再次反映拖欠工资。",
        "demand": "请求尽快支付。",
        "petitioners": [{"name": "李四", "person": person}],
    }
    linked = api_for(personas.clerk_a).post("/api/v1/petitions/", body, format="json")
    assert linked.status_code == 201
    assert linked.json()["petitioners"][0]["id"] == person
    refused = api_for(personas.clerk_b).post("/api/v1/petitions/", body, format="json")
    assert refused.status_code == 400
    assert "petitioners-0-id_number" in refused.json()
