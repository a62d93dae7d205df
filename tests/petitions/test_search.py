"""One search term for items and persons: number, partial name, ID number (whole, or its tail with a name), phone
and content; only in the user's reach, audited when personal, and never carried in an address."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent, User
from petitions.models import Item
from petitions.search import TAIL_ROWS_MAX, term_kinds
from petitions.services.intake import PetitionerInput
from tests.support.accounts import Personas
from tests.support.items import DEFAULT_ID_NUMBER, ItemFactory

pytestmark = pytest.mark.django_db

SECOND_ID = "110105198001010016"
THIRD_ID = "110105198001010032"
OTHER_PHONE = "13912345678"
SEARCH = "/petitions/search/"
PERSONS = "/api/v1/petitioners/search/"


@pytest.fixture
def items(item_factory: ItemFactory) -> dict[str, Item]:
    """Four items of county A: 张三 (default ID and phone, wages), 张三 with another ID, 欧阳娜娜 (other phone,
    demolition), and 李四 without ID."""
    return {
        "zhang": item_factory.register(),
        "zhang_other": item_factory.register(
            petitioners=[PetitionerInput(name="张三", id_number=SECOND_ID)],
            summary="小区物业乱收费。",
            demand="请求规范收费。",
        ),
        "ouyang": item_factory.register(
            petitioners=[PetitionerInput(name="欧阳娜娜", id_number=THIRD_ID, phone=OTHER_PHONE)],
            summary="房屋拆迁补偿标准过低。",
            demand="请求提高拆迁补偿。",
        ),
        "li": item_factory.register(
            petitioners=[PetitionerInput(name="李四")], summary="道路破损。", demand="请求修路。"
        ),
    }


def _page_search(client: Client, term: str, keep: str = "") -> tuple[str, str]:
    """POST the list's search box; the redirect's address and the page it opens."""
    response = client.post(SEARCH, {"q": term, "keep": keep})
    assert response.status_code == 302
    location = response["Location"]
    return location, client.get(location).content.decode()


def _numbers(page: str) -> set[str]:
    """The item numbers in the list's table."""
    table = page[page.index('data-testid="item-table"') :]
    return set(re.findall(r"XF\d{4}-\d{6}", table[: table.index("</table>")]))


def _links(page: str) -> list[str]:
    return [unquote(link) for link in re.findall(r'(?:href|action)="([^"]*)"', page)]


def test_terms_are_read_by_their_shape():
    assert term_kinds("xf2026-000123") == ("number",)
    assert term_kinds(DEFAULT_ID_NUMBER.lower()) == ("id_number",)
    assert term_kinds("138 0013 8000") == ("phone",)
    assert term_kinds("张三 002X") == ("name_and_id_tail",)
    assert term_kinds("张三") == ("name", "text")
    assert term_kinds("拖欠 工资") == ("text",)
    assert term_kinds("   ") == ()


def test_an_item_number_finds_that_item_and_stays_in_the_address(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    number = items["ouyang"].number
    location, page = _page_search(client_for(personas.clerk_a), number.lower())
    assert location == f"/petitions/?q={number.lower()}"
    assert _numbers(page) == {number}
    assert not AuditEvent.objects.filter(action="petitions.item.searched_by_person").exists()


def test_a_partial_name_finds_the_items_of_that_person(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    _, page = _page_search(client_for(personas.clerk_a), "欧阳")
    assert _numbers(page) == {items["ouyang"].number}
    _, page = _page_search(client_for(personas.clerk_a), "张三")
    assert _numbers(page) == {items["zhang"].number, items["zhang_other"].number}


def test_any_two_or_more_characters_of_a_name_find_it_in_any_case(
    items: dict[str, Item],
    item_factory: ItemFactory,
    personas: Personas,
    client_for: Callable[[User | None], Client],
):
    latin = item_factory.register(petitioners=[PetitionerInput(name="AnnaLee")])
    client = client_for(personas.clerk_a)
    # Two characters go through the bigram index, three and more through the trigram index (ILIKE).
    assert _numbers(_page_search(client, "阳娜")[1]) == {items["ouyang"].number}
    assert _numbers(_page_search(client, "阳娜娜")[1]) == {items["ouyang"].number}
    assert _numbers(_page_search(client, "al")[1]) == {latin.number}
    assert _numbers(_page_search(client, "nalee")[1]) == {latin.number}
    # A two-character content word, through the bigram indexes of the summary and demand.
    assert _numbers(_page_search(client, "补偿")[1]) == {items["ouyang"].number}


def test_a_whole_id_number_finds_the_items_of_that_person_only(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    _, page = _page_search(client_for(personas.clerk_a), SECOND_ID)
    assert _numbers(page) == {items["zhang_other"].number}


def test_a_name_with_the_last_characters_of_the_id_number_tells_namesakes_apart(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    assert _numbers(_page_search(client, "张三 0016")[1]) == {items["zhang_other"].number}
    assert _numbers(_page_search(client, "张三 002x")[1]) == {items["zhang"].number}
    assert _numbers(_page_search(client, "张三 010016")[1]) == {items["zhang_other"].number}
    assert _numbers(_page_search(client, "李四 0016")[1]) == set()
    assert TAIL_ROWS_MAX >= 20  # the name narrows first; only those rows are decrypted


def test_a_phone_finds_the_items_given_with_it(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    _, page = _page_search(client_for(personas.clerk_a), OTHER_PHONE)
    assert _numbers(page) == {items["ouyang"].number}


def test_content_words_search_the_summary_and_demand_and_stay_in_the_address(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    location, page = _page_search(client_for(personas.clerk_a), "拆迁 补偿")
    assert "q=" in location
    assert _numbers(page) == {items["ouyang"].number}


def test_a_name_shaped_word_matches_names_and_content_together(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    _, page = _page_search(client_for(personas.clerk_a), "拆迁")
    assert _numbers(page) == {items["ouyang"].number}


def test_the_other_filters_are_kept_and_the_old_search_replaced(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    location, _ = _page_search(client_for(personas.clerk_a), "欧阳", keep="status=registered&q=old&page=3")
    assert location.startswith("/petitions/?status=registered&s=")
    assert "old" not in location
    assert "page" not in location


def test_personal_terms_never_reach_an_address_or_a_link(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    for term in ["张三", SECOND_ID, OTHER_PHONE, "张三 0016"]:
        location, page = _page_search(client, term, keep="status=registered")
        assert term not in unquote(location)
        assert re.fullmatch(r"/petitions/\?status=registered&s=[\w-]+", location)
        assert all(term not in link for link in _links(page)), term
        assert term.split()[0] not in "".join(_links(page))


def test_another_county_finds_nothing_and_the_page_is_alike_for_unknown_and_out_of_reach(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_b)
    for term in ["欧阳娜娜", SECOND_ID, OTHER_PHONE, "张三 0016", items["zhang"].number]:
        _, page = _page_search(client, term)
        assert _numbers(page) == set(), term
        assert 'data-testid="item-count">共 0 件' in page


def test_an_unknown_session_key_finds_nothing(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    page = client_for(personas.clerk_a).get("/petitions/?s=not-a-key").content.decode()
    assert _numbers(page) == set()


def test_a_key_from_another_session_finds_nothing(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    location, _ = _page_search(client_for(personas.clerk_a), "欧阳")
    page = client_for(personas.section_head).get(location).content.decode()
    assert _numbers(page) == set()


def test_a_search_by_personal_data_is_audited_with_its_kind_only(
    items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    for term in ["欧阳", SECOND_ID, OTHER_PHONE, "张三 0016", "拆迁 补偿", items["li"].number]:
        _page_search(client, term)
    rows = AuditEvent.objects.filter(action="petitions.item.searched_by_person").order_by("id")
    assert [(row.actor_username, row.detail["by"]) for row in rows] == [
        ("clerk_a", ["name"]),
        ("clerk_a", ["id_number"]),
        ("clerk_a", ["phone"]),
        ("clerk_a", ["name_and_id_tail"]),
    ]
    for secret in ["欧阳", SECOND_ID, OTHER_PHONE, "0016"]:
        assert not AuditEvent.objects.filter(detail__icontains=secret).exists()


@pytest.mark.parametrize("term", ["张\x00三", "张" * 10_000, "\x00"])
def test_hostile_terms_are_refused_without_a_server_error(
    term: str, items: dict[str, Item], personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    response = client.post(SEARCH, {"q": term})
    assert response.status_code in (302, 400)  # NUL in a form body is refused before the view
    if response.status_code == 302:
        assert response["Location"] == "/petitions/"
        assert client.get(response["Location"]).status_code == 200
    assert client.get(reverse("petitions:item_list"), {"q": term}).status_code in (200, 400)


def test_the_search_box_is_for_signed_in_users_and_posts_only(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    assert client_for(None).post(SEARCH, {"q": "张三"})["Location"].startswith("/login/")
    assert client_for(personas.clerk_a).get(SEARCH, {"q": "张三"}).status_code == 405


def test_the_page_posts_its_search_box(personas: Personas, client_for: Callable[[User | None], Client]):
    page = client_for(personas.clerk_a).get("/petitions/").content.decode()
    assert re.search(r'<form method="post" action="/petitions/search/"[^>]*data-testid="item-search"', page)


# --- API ---


def test_the_persons_search_accepts_one_term_with_the_same_rules(
    items: dict[str, Item], personas: Personas, api_for: Callable[[User | None], APIClient]
):
    client = api_for(personas.clerk_a)

    def found(term: str) -> list[tuple[str, list[str]]]:
        response = client.post(PERSONS, {"q": term}, format="json")
        assert response.status_code == 200
        return [(row["id_number"], [item["number"] for item in row["items"]]) for row in response.json()]

    assert found("欧阳") == [("110105********0032", [items["ouyang"].number])]
    assert found(OTHER_PHONE) == [("110105********0032", [items["ouyang"].number])]
    assert found(SECOND_ID) == [("110105********0016", [items["zhang_other"].number])]
    assert found("张三 002X") == [("110105********002X", [items["zhang"].number])]
    assert sorted(found("张三")) == sorted(
        [
            ("110105********002X", [items["zhang"].number]),
            ("110105********0016", [items["zhang_other"].number]),
        ]
    )
    assert found(items["li"].number) == [("", [items["li"].number])]
    assert found("修路") == [("", [items["li"].number])]
    assert SECOND_ID not in client.post(PERSONS, {"q": SECOND_ID}, format="json").content.decode()


def test_the_persons_search_still_takes_an_id_number(
    items: dict[str, Item], personas: Personas, api_for: Callable[[User | None], APIClient]
):
    response = api_for(personas.clerk_a).post(PERSONS, {"id_number": THIRD_ID}, format="json")
    assert [row["items"][0]["number"] for row in response.json()] == [items["ouyang"].number]


def test_the_persons_search_answers_unknown_and_out_of_reach_alike(
    items: dict[str, Item], personas: Personas, api_for: Callable[[User | None], APIClient]
):
    client = api_for(personas.clerk_b)
    answers = {
        term: client.post(PERSONS, {"q": term}, format="json").content
        for term in [
            "欧阳娜娜",
            "王五",
            SECOND_ID,
            "110105198001010059",
            OTHER_PHONE,
            "13000000000",
            "张三 0016",
        ]
    }
    assert set(answers.values()) == {b"[]"}


def test_the_persons_search_is_audited_with_the_kind_only(
    items: dict[str, Item], personas: Personas, api_for: Callable[[User | None], APIClient]
):
    api_for(personas.clerk_a).post(PERSONS, {"q": "张三 0016"}, format="json")
    api_for(personas.clerk_b).post(PERSONS, {"q": OTHER_PHONE}, format="json")
    rows = AuditEvent.objects.filter(action="petitions.petitioner.searched").order_by("id")
    assert [(row.actor_username, row.detail) for row in rows] == [
        ("clerk_a", {"by": ["name_and_id_tail"], "found": 1}),
        ("clerk_b", {"by": ["phone"], "found": 0}),
    ]


@pytest.mark.parametrize("body", [{"q": "张\x00三"}, {"q": "张" * 10_000}, {"q": "  "}, {}])
def test_hostile_or_empty_person_searches_are_400_in_chinese(
    body: dict[str, str], personas: Personas, api_for: Callable[[User | None], APIClient]
):
    response = api_for(personas.clerk_a).post(PERSONS, body, format="json")
    assert response.status_code == 400
    assert re.search(r"[\u4e00-\u9fff]", json.dumps(response.json(), ensure_ascii=False))


def test_the_item_list_api_takes_numbers_and_words_but_refuses_personal_data_in_the_address(
    items: dict[str, Item], personas: Personas, api_for: Callable[[User | None], APIClient]
):
    client = api_for(personas.clerk_a)
    words = client.get("/api/v1/petitions/", {"q": "拆迁"})
    assert [row["number"] for row in words.json()["results"]] == [items["ouyang"].number]
    number = client.get("/api/v1/petitions/", {"q": items["li"].number})
    assert [row["number"] for row in number.json()["results"]] == [items["li"].number]
    for term in [SECOND_ID, OTHER_PHONE, "张三 0016"]:
        refused = client.get("/api/v1/petitions/", {"q": term})
        assert refused.status_code == 400
        assert "q" in refused.json()
    assert client.get("/api/v1/petitions/", {"q": "张\x00三"}).status_code == 400
    assert client.get("/api/v1/petitions/", {"q": "张" * 10_000}).status_code == 400
