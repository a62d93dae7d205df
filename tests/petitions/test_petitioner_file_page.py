"""The person's file page (信访人档案): counts, items newest first, key cases and links, all within reach; audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.models import AuditEvent, User
from ledger.models import KeyCase
from petitions.choices import Marker
from petitions.models import Item, ItemPetitioner
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas
from tests.support.items import DEFAULT_ID_NUMBER, intake_input

pytestmark = pytest.mark.django_db

ZHANG = PetitionerInput(name="张三丰", id_number=DEFAULT_ID_NUMBER, phone="13911112222")


def _visit(actor: User, on: date, **overrides: object) -> Item:
    return item_register(actor=actor, data=intake_input(received_on=on, petitioners=[ZHANG], **overrides))


@pytest.fixture
def history(personas: Personas) -> dict[str, Item]:
    """张三丰 three times at county A (a repeat, one marked 越级访) and once at county B."""
    first = _visit(personas.clerk_a, date(2025, 3, 3))
    again = _visit(personas.clerk_a, date(2025, 4, 1), original_id=first.pk, markers=[Marker.SKIP_LEVEL])
    latest = _visit(personas.clerk_a, date(2025, 5, 6))
    elsewhere = _visit(personas.clerk_b, date(2025, 4, 15))
    return {"first": first, "again": again, "latest": latest, "elsewhere": elsewhere}


def _person(items: dict[str, Item]) -> int:
    return ItemPetitioner.objects.get(item=items["first"]).petitioner_id


def _page(client: Client, person: int) -> str:
    response = client.get(f"/petitions/petitioners/{person}/")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_file_lists_the_items_in_reach_newest_first_with_the_counts(
    history: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    html = _page(client_for(personas.clerk_a), _person(history))
    numbers = [history[key].number for key in ("latest", "again", "first")]
    positions = [html.index(number) for number in numbers]
    assert positions == sorted(positions)
    assert history["elsewhere"].number not in html
    assert 'data-testid="file-item-count">3<' in html
    assert 'data-testid="file-repeat-count">1<' in html
    assert 'data-testid="file-marked-count">1<' in html
    assert "2025-03-03" in html
    assert "2025-05-06" in html
    assert "张**" in html
    assert "张三丰" not in html
    assert "13911112222" not in html
    assert DEFAULT_ID_NUMBER not in html


def test_county_b_sees_only_its_own_item_of_the_shared_person(
    history: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    html = _page(client_for(personas.clerk_b), _person(history))
    assert history["elsewhere"].number in html
    assert not any(history[key].number in html for key in ("first", "again", "latest"))
    assert 'data-testid="file-item-count">1<' in html


def test_a_person_with_nothing_in_reach_is_404_and_anonymous_goes_to_sign_in(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    only_b = item_register(
        actor=personas.clerk_b,
        data=intake_input(petitioners=[PetitionerInput(name="李四", id_number="110105198001010016")]),
    )
    person = ItemPetitioner.objects.get(item=only_b).petitioner_id
    assert client_for(personas.clerk_a).get(f"/petitions/petitioners/{person}/").status_code == 404
    assert client_for(personas.clerk_a).get("/petitions/petitioners/999999/").status_code == 404
    assert client_for(personas.audit_admin).get(f"/petitions/petitioners/{person}/").status_code == 404
    anonymous = client_for(None).get(f"/petitions/petitioners/{person}/")
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]
    assert not AuditEvent.objects.filter(action="petitions.petitioner.viewed").exists()


def test_opening_the_file_is_audited_without_particulars(
    history: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    person = _person(history)
    _page(client_for(personas.clerk_a), person)
    row = AuditEvent.objects.get(action="petitions.petitioner.viewed")
    assert (row.actor_username, row.object_id, row.detail) == ("clerk_a", str(person), {"what": "page"})
    assert "张三丰" not in str(row.object_repr)
    assert DEFAULT_ID_NUMBER not in str(row.detail)


def test_the_file_links_to_intake_with_the_person_and_each_row_to_a_repeat_registration(
    history: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    person = _person(history)
    html = _page(client_for(personas.clerk_a), person)
    latest = history["latest"].pk
    assert f"/petitions/new/visit/?person={person}&amp;from={latest}" in html
    assert f"/petitions/new/letter/?person={person}&amp;from={latest}" in html
    for key in ("first", "again", "latest"):
        assert f"/petitions/new/visit/?from={history[key].pk}&amp;repeat=1" in html
    assert "为此人登记来访" not in _page(client_for(personas.leader), person)  # leaders do not register


def test_the_item_page_links_each_petitioner_to_the_file(
    history: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.clerk_a).get(f"/petitions/{history['first'].pk}/")
    assert f'href="/petitions/petitioners/{_person(history)}/"' in response.content.decode()


def test_the_key_cases_linked_to_the_items_show_only_within_reach(
    history: dict[str, Item],
    personas: Personas,
    client_for: Callable[[User | None], Client],
    make_case: Callable[..., KeyCase],
):
    case = make_case(item_ids=[history["again"].pk], title="张某工资纠纷")
    person = _person(history)
    assert case.number in _page(client_for(personas.clerk_a), person)
    assert case.number not in _page(client_for(personas.clerk_b), person)


def test_the_page_reads_in_a_bounded_number_of_queries(
    history: dict[str, Item],
    personas: Personas,
    client_for: Callable[[User | None], Client],
    django_assert_max_num_queries: Callable[..., object],
):
    client = client_for(personas.clerk_a)
    person = _person(history)
    _page(client, person)
    with django_assert_max_num_queries(30) as few:  # type: ignore[attr-defined]
        _page(client, person)
    for day in (7, 8, 9, 10, 11, 12):
        _visit(personas.clerk_a, date(2025, 6, day))
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[attr-defined]
        _page(client, person)


def test_the_api_file_carries_the_repeat_marks_and_units_counts(
    history: dict[str, Item], personas: Personas, api_for: Callable[[User | None], APIClient]
):
    body = api_for(personas.section_head).get(f"/api/v1/petitioners/{_person(history)}/").json()
    assert (body["item_count"], body["repeat_items"], body["marked_items"]) == (4, 1, 1)
    assert body["units_involved"] == 2  # county A and county B registered; none assigned yet
    county_b = api_for(personas.clerk_b).get(f"/api/v1/petitioners/{_person(history)}/").json()
    assert (county_b["item_count"], county_b["repeat_items"], county_b["units_involved"]) == (1, 0, 1)
