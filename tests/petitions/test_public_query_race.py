"""Wrong codes sent at once to the running server: exactly as many are checked as the public query's limits allow."""

from __future__ import annotations

import ipaddress
import re
import threading
from typing import Any

import pytest
import requests

from petitions.choices import Status
from tests.support.items import ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 40
NOT_FOUND = "编号或查询码不正确。"
PAUSED = "查询过于频繁，请10分钟后再试。"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def server(live_server: Any) -> Any:
    """The live server, its listening queue long enough for every request sent at once (Django's test server
    queues 10; connections beyond are dropped by the kernel instead of waiting)."""
    live_server.thread.httpd.socket.listen(PARALLEL * 2)
    return live_server


def send_at_once(url: str, forms: list[dict[str, str]], headers: list[dict[str, str]]) -> list[str]:
    """POST every form to the page in its own thread, all released together; the pages answered, in order."""
    opened = requests.get(url, timeout=30)
    token = TOKEN.search(opened.text)
    assert token is not None
    cookies = opened.cookies
    start = threading.Barrier(len(forms), timeout=60)
    pages = [""] * len(forms)
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            start.wait()
            response = requests.post(
                url,
                data={"csrfmiddlewaretoken": token[1], **forms[n]},
                cookies=cookies,
                headers=headers[n],
                timeout=120,
            )
            assert response.status_code == 200, response.status_code
            pages[n] = response.text
        except BaseException as error:  # handed to the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return pages


def tally(pages: list[str]) -> tuple[int, int]:
    """(checked, paused): pages that looked the code up and found it wrong, pages refused before any look-up."""
    return sum(NOT_FOUND in page for page in pages), sum(PAUSED in page for page in pages)


def test_forty_parallel_wrong_codes_from_one_address_get_exactly_the_allowed_checks(
    server: Any, item_factory: ItemFactory, settings
):
    settings.XF_PUBLIC_QUERY_NUMBER_LIMIT = 1000  # the address's limit is the one under test
    limit = settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT
    item = item_factory.make(Status.REGISTERED)
    url = f"{server.url}/query/"
    forms = [{"number": item.number, "code": f"WRONG{n:03d}"} for n in range(PARALLEL)]

    pages = send_at_once(url, forms, [{}] * PARALLEL)

    assert tally(pages) == (limit, PARALLEL - limit)
    [after] = send_at_once(url, [{"number": item.number, "code": item.query_code}], [{}])
    assert PAUSED in after


def test_forty_parallel_wrong_codes_for_one_number_from_forty_addresses_get_exactly_the_allowed_checks(
    server: Any, item_factory: ItemFactory, settings
):
    # The server is reached through 127.0.0.1, made a trusted proxy so each request brings its own address.
    settings.XF_TRUSTED_PROXIES = (ipaddress.ip_network("127.0.0.1/32"),)
    settings.XF_PUBLIC_QUERY_ADDRESS_LIMIT = 1000
    settings.XF_PUBLIC_QUERY_NUMBER_LIMIT = limit = 7
    item = item_factory.make(Status.REGISTERED)
    url = f"{server.url}/query/"
    forms = [{"number": item.number, "code": f"WRONG{n:03d}"} for n in range(PARALLEL)]
    addresses = [{"X-Forwarded-For": f"198.51.100.{n + 1}"} for n in range(PARALLEL)]

    pages = send_at_once(url, forms, addresses)

    assert tally(pages) == (limit, PARALLEL - limit)
    right = [{"number": item.number, "code": item.query_code}]
    [after] = send_at_once(url, right, [{"X-Forwarded-For": "203.0.113.9"}])
    assert "查询过于频繁" in after
