"""The petitioner's public query page (/query/): number + query code show status and dates, nothing personal."""

from __future__ import annotations

import ipaddress
import re

import pytest
from django.test import Client

from petitions.choices import Status
from petitions.models import Item
from petitions.services.intake import PetitionerInput
from tests.support.items import DEFAULT_ID_NUMBER, ItemFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = "编号或查询码不正确。"
PAUSED = "查询过于频繁，请10分钟后再试。"
STATUS = 'data-testid="public-status"'
PERSONAL = [
    "张三",
    DEFAULT_ID_NUMBER,
    "110105********002X",
    "13800138000",
    "138****8000",
    "建外大街",
    "拖欠农民工工资",  # the summary
    "请求督促",  # the demand
    "测试用户",  # staff names
]


@pytest.fixture
def item(item_factory: ItemFactory) -> Item:
    return item_factory.make(
        Status.ACCEPTED,
        petitioners=[
            PetitionerInput(
                name="张三",
                id_number=DEFAULT_ID_NUMBER,
                phone="13800138000",
                division_code="110105001",
                address_detail="建外大街1号",
            )
        ],
    )


def query(number: str, code: str, client: Client | None = None) -> str:
    response = (client or Client()).post("/query/", {"number": number, "code": code})
    assert response.status_code == 200
    return response.content.decode()


def test_the_query_page_opens_without_signing_in():
    response = Client().get("/query/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="number"' in page
    assert 'name="code"' in page
    assert "no-cache" in response["Cache-Control"]


def test_number_and_code_show_the_status_and_the_dates(item: Item):
    page = query(item.number, item.query_code)
    assert f"{item.number}：受理（办理中）" in page
    assert "2025-03-03" in page  # received and registered
    assert "2025-03-07" in page  # accepted
    assert "城关区住房和城乡建设局" in page  # the unit handling it
    handling_due = "2025-05-06"  # 2025-03-07 + 60 日
    assert handling_due in page
    for step in ("登记", "转送交办", "受理"):
        assert step in page


def test_the_public_page_shows_nothing_personal(item: Item):
    page = query(item.number, item.query_code)
    for secret in PERSONAL:
        assert secret not in page, secret


def test_the_number_and_code_may_be_typed_in_lower_case_with_spaces(item: Item):
    page = query(f" {item.number.lower()} ", f" {item.query_code.lower()} ")
    assert 'data-testid="public-status"' in page


def _error_block(page: str) -> str:
    found = re.search(r'<div class="form-error"[^>]*>(.*?)</div>', page, re.S)
    assert found is not None
    return found.group(1)


def test_a_wrong_code_and_a_wrong_number_get_the_same_not_found_message(
    item: Item, item_factory: ItemFactory
):
    other = item_factory.make(Status.REGISTERED)
    wrong_code = query(item.number, other.query_code)
    wrong_number = query("XF2099-999999", item.query_code)
    assert _error_block(wrong_code) == _error_block(wrong_number) == NOT_FOUND
    for page in (wrong_code, wrong_number):
        assert 'data-testid="public-status"' not in page
        assert item.number not in page.replace('value="' + item.number + '"', "")


def test_the_code_of_one_item_does_not_open_another(item: Item, item_factory: ItemFactory):
    other = item_factory.make(Status.REGISTERED)
    assert NOT_FOUND in query(other.number, item.query_code)


def test_after_ten_wrong_tries_from_one_address_even_a_right_code_is_paused(
    item: Item, item_factory: ItemFactory, settings
):
    settings.XF_PUBLIC_QUERY_NUMBER_LIMIT = 100  # the address's limit is the one under test
    other = item_factory.make(Status.REGISTERED)
    client = Client()
    for n in range(settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT):
        assert NOT_FOUND in query(item.number if n % 2 else other.number, "WRONGCOD", client)
    for number, code in ((item.number, item.query_code), (other.number, other.query_code)):
        page = query(number, code, client)
        assert PAUSED in page
        assert STATUS not in page
    assert STATUS in query(item.number, item.query_code, Client(REMOTE_ADDR="10.0.0.9"))


def test_fewer_than_ten_wrong_tries_do_not_block_the_right_code(item: Item, settings):
    client = Client()
    for _ in range(settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT - 1):
        query(item.number, "WRONGCOD", client)
    assert STATUS in query(item.number, item.query_code, client)


def test_right_answers_use_up_no_allowance(item: Item, settings):
    client = Client()
    for _ in range(settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT * 2):
        assert STATUS in query(item.number, item.query_code, client)
    for _ in range(settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT - 1):
        assert NOT_FOUND in query(item.number, "WRONGCOD", client)
    assert STATUS in query(item.number, item.query_code, client)


def test_wrong_codes_for_one_number_from_many_addresses_pause_that_number_only(
    item: Item, item_factory: ItemFactory, settings
):
    assert settings.XF_PUBLIC_QUERY_NUMBER_LIMIT == 10  # the documented default
    other = item_factory.make(Status.REGISTERED)
    for n in range(settings.XF_PUBLIC_QUERY_NUMBER_LIMIT):
        assert NOT_FOUND in query(item.number, "WRONGCOD", Client(REMOTE_ADDR=f"198.51.100.{n + 1}"))
    fresh = Client(REMOTE_ADDR="203.0.113.7")
    page = query(f" {item.number.lower()} ", item.query_code, fresh)  # the same number, however typed
    assert PAUSED in page
    assert STATUS not in page
    assert STATUS in query(other.number, other.query_code, fresh)


def test_the_limits_and_the_window_come_from_the_settings(item: Item, item_factory: ItemFactory, settings):
    settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT = 3
    settings.XF_PUBLIC_QUERY_NUMBER_LIMIT = 2
    settings.XF_PUBLIC_QUERY_WINDOW_MINUTES = 5
    other = item_factory.make(Status.REGISTERED)
    for n in range(2):
        assert NOT_FOUND in query(item.number, "WRONGCOD", Client(REMOTE_ADDR=f"198.51.100.{n + 1}"))
    assert "查询过于频繁，请5分钟后再试。" in query(
        item.number, item.query_code, Client(REMOTE_ADDR="10.0.0.9")
    )
    client = Client(REMOTE_ADDR="198.51.100.1")  # one wrong try already
    assert NOT_FOUND in query(other.number, "WRONGCOD", client)
    assert NOT_FOUND in query("XF2099-999999", "WRONGCOD", client)
    assert "查询过于频繁，请5分钟后再试。" in query(other.number, other.query_code, client)


def test_behind_a_trusted_proxy_each_petitioner_has_an_allowance_of_their_own(item: Item, settings):
    settings.XF_TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/24"),)
    settings.XF_PUBLIC_QUERY_NUMBER_LIMIT = 100  # the address's limit is the one under test
    proxy = "10.0.0.2"
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    for _ in range(settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT):
        assert NOT_FOUND in query(item.number, "WRONGCOD", first)
    assert PAUSED in query(item.number, item.query_code, first)
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert STATUS in query(item.number, item.query_code, second)
    # The first petitioner cannot start afresh by writing another address in front of the proxy's.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.50, 198.51.100.1")
    assert PAUSED in query(item.number, item.query_code, forged)
    # A client reaching the server directly is counted by its own address, whatever the header says.
    direct = Client(REMOTE_ADDR="192.0.2.60", HTTP_X_FORWARDED_FOR="198.51.100.2")
    for _ in range(settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT):
        assert NOT_FOUND in query(item.number, "WRONGCOD", direct)
    direct = Client(REMOTE_ADDR="192.0.2.60", HTTP_X_FORWARDED_FOR="198.51.100.3")
    assert PAUSED in query(item.number, item.query_code, direct)
    assert STATUS in query(item.number, item.query_code, second)


def test_a_closed_item_shows_its_closing_date_and_status(item_factory: ItemFactory):
    closed = item_factory.make(Status.CLOSED)
    page = query(closed.number, closed.query_code)
    assert f"{closed.number}：办结" in page
    assert "2025-06-10" in page
    for secret in PERSONAL:
        assert secret not in page, secret
