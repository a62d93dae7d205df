"""The 重信重访 register: persons with several items in the reader's reach, page, Excel export and API."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import AuditEvent, User
from petitions.models import Item, ItemPetitioner
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas
from tests.support.items import intake_input

pytestmark = pytest.mark.django_db

PERIOD = "since=2025-01-01&until=2025-12-31"
PEOPLE = {
    "wang": PetitionerInput(name="王大明", id_number="110105198001010016"),
    "zhao": PetitionerInput(name="赵小红", id_number="110105198001010024"),
    "sun": PetitionerInput(name="孙立", id_number="110105198001010032"),
}


def _visits(actor: User, who: str, *days: date) -> list[Item]:
    return [
        item_register(actor=actor, data=intake_input(received_on=day, petitioners=[PEOPLE[who]]))
        for day in days
    ]


def _person(item: Item) -> int:
    return ItemPetitioner.objects.get(item=item).petitioner_id


@pytest.fixture
def people(personas: Personas) -> dict[str, int]:
    """王 four times at county A (and once more at county B), 赵 three times, 孙 twice within 30 days."""
    a = personas.clerk_a
    wang = _visits(a, "wang", date(2025, 2, 3), date(2025, 4, 7), date(2025, 6, 2), date(2025, 8, 4))
    _visits(personas.clerk_b, "wang", date(2025, 9, 1))
    zhao = _visits(a, "zhao", date(2025, 3, 3), date(2025, 7, 7), date(2025, 10, 13))
    sun = _visits(a, "sun", date(2025, 5, 5), date(2025, 5, 26))
    _visits(a, "wang", date(2024, 6, 3))  # before the period: not counted
    return {"wang": _person(wang[0]), "zhao": _person(zhao[0]), "sun": _person(sun[0])}


def _rows(client: Client, query: str) -> list[str]:
    response = client.get(f"/petitions/repeat-petitioners/?{query}")
    assert response.status_code == 200, response.content.decode()[:500]
    html = response.content.decode()
    table = html[html.index('data-testid="repeat-table"') :]
    return [part.split("/")[0] for part in table.split("/petitions/petitioners/")[1:]]


def test_persons_with_three_or_more_items_in_the_period_most_first(
    people: dict[str, int], personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.section_head)
    assert _rows(client, PERIOD) == [str(people["wang"]), str(people["zhao"])]
    html = client.get(f"/petitions/repeat-petitioners/?{PERIOD}").content.decode()
    assert "王**" in html
    assert "王大明" not in html
    assert "<td>5</td>" in html  # 王: four at county A and one at county B, all in the city's reach


def test_sorting_by_latest_date_and_by_fewest(
    people: dict[str, int], personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.section_head)
    assert _rows(client, f"{PERIOD}&order=-latest") == [str(people["zhao"]), str(people["wang"])]
    assert _rows(client, f"{PERIOD}&order=count") == [str(people["zhao"]), str(people["wang"])]
    assert _rows(client, f"{PERIOD}&min_items=2") == [str(people[k]) for k in ("wang", "zhao", "sun")]


def test_two_items_within_30_days_bring_a_person_in(
    people: dict[str, int], personas: Personas, client_for: Callable[[User | None], Client]
):
    rows = _rows(client_for(personas.clerk_a), f"{PERIOD}&close_pair=on&min_items=5")
    assert rows == [str(people["sun"])]


def test_only_items_in_reach_count(
    people: dict[str, int], personas: Personas, client_for: Callable[[User | None], Client]
):
    assert _rows(client_for(personas.clerk_b), f"{PERIOD}&min_items=2") == []  # 王 has one item at county B
    county_a = client_for(personas.clerk_a).get(f"/petitions/repeat-petitioners/?{PERIOD}").content.decode()
    assert "<td>4</td>" in county_a
    assert "<td>5</td>" not in county_a


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("min_items=abc", "min_items", "输入整数"),
        ("min_items=1", "min_items", "大于或等于2"),
        ("since=2025-13-01", "since", "有效的日期"),
        ("since=2025-12-01&until=2025-01-01", "since", "开始日期不能晚于结束日期"),
    ],
)
def test_bad_filters_are_refused_at_the_field_in_chinese(
    query: str, field: str, message: str, personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.clerk_a).get(f"/petitions/repeat-petitioners/?{query}")
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    export = client_for(personas.clerk_a).get(f"/petitions/repeat-petitioners/export/?{query}")
    assert export.status_code == 400


def test_admin_roles_and_anonymous_are_kept_out(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    assert client_for(personas.system_admin).get("/petitions/repeat-petitioners/").status_code == 403
    anonymous = client_for(None).get("/petitions/repeat-petitioners/")
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]


def test_the_export_holds_the_register_masked_and_is_audited(
    people: dict[str, int], personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.clerk_a).get(
        f"/petitions/repeat-petitioners/export/?{PERIOD}&close_pair=on"
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["信访人编号", "姓名", "件次", "首次信访日期", "最近信访日期", "30日内两次"]
    assert [row[:3] for row in rows[1:]] == [
        [people["wang"], "王**", 4],
        [people["zhao"], "赵**", 3],
        [people["sun"], "孙*", 2],
    ]
    assert rows[3][5] == "是"
    event = AuditEvent.objects.get(action="petitions.repeat_register.exported")
    assert event.actor_username == "clerk_a"
    assert event.detail["rows"] == 3
    assert event.detail["filters"]["close_pair"] is True


def test_the_register_is_one_grouped_query_whatever_the_number_of_persons(
    people: dict[str, int],
    personas: Personas,
    client_for: Callable[[User | None], Client],
    django_assert_max_num_queries: Callable[..., object],
):
    client = client_for(personas.section_head)
    _rows(client, PERIOD)
    with django_assert_max_num_queries(20) as few:  # type: ignore[attr-defined]
        _rows(client, f"{PERIOD}&min_items=2")
    _visits(personas.clerk_a, "sun", date(2025, 11, 3))
    _visits(personas.clerk_a, "zhao", date(2025, 11, 4))
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[attr-defined]
        _rows(client, f"{PERIOD}&min_items=2")


def test_the_menu_offers_the_register_to_clerks_heads_and_leaders(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    for user in (personas.clerk_a, personas.section_head, personas.leader):
        assert 'href="/petitions/repeat-petitioners/"' in client_for(user).get("/petitions/").content.decode()
    assert (
        'href="/petitions/repeat-petitioners/"'
        not in client_for(personas.handler_a).get("/petitions/").content.decode()
    )


def test_the_api_register_is_scoped_masked_and_checks_its_input(
    people: dict[str, int], personas: Personas, api_for: Callable[[User | None], APIClient]
):
    url = f"/api/v1/petitioners/repeat-register/?{PERIOD}"
    body = api_for(personas.section_head).get(url).json()
    assert [(row["id"], row["name"], row["item_count"]) for row in body["results"]] == [
        (people["wang"], "王**", 5),
        (people["zhao"], "赵**", 3),
    ]
    assert api_for(personas.clerk_b).get(url).json()["results"] == []
    bad = api_for(personas.clerk_a).get("/api/v1/petitioners/repeat-register/?min_items=x")
    assert bad.status_code == 400
    assert "min_items" in bad.json()
    reversed_period = api_for(personas.clerk_a).get(
        "/api/v1/petitioners/repeat-register/?since=2025-12-01&until=2025-01-01"
    )
    assert reversed_period.status_code == 400
    assert "开始日期不能晚于结束日期" in str(reversed_period.json())
    assert api_for(None).get(url).status_code in (401, 403)
