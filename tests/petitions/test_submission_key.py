"""A double submit never makes two items: the registering post carries a key, and a repeat returns the first."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.db import transaction
from rest_framework.test import APIClient

from core.models import User
from petitions.models import Item
from tests.support.accounts import Personas
from tests.support.items import DEFAULT_ID_NUMBER, SCHEDULE

BODY = {
    "channel": "visit",
    "purpose": "demand",
    "received_on": SCHEDULE.received_on.isoformat(),
    "summary": "某建筑公司拖欠农民工工资三个月未发放。",
    "demand": "请求督促该公司尽快支付拖欠的工资。",
    "petitioners": [{"name": "张三", "id_number": DEFAULT_ID_NUMBER}],
}


def _body(category: int, **extra: Any) -> dict[str, Any]:
    return {**BODY, "category": category, **extra}


@pytest.fixture
def category() -> int:
    from petitions.models import Category

    return Category.objects.get(code="0301").pk


@pytest.mark.django_db
def test_the_same_key_posted_twice_returns_the_first_item(
    personas: Personas, api_for: Callable[[User | None], APIClient], category: int
):
    client = api_for(personas.clerk_a)
    first = client.post("/api/v1/petitions/", _body(category, submission_key="k-0001-abcdef"), format="json")
    second = client.post("/api/v1/petitions/", _body(category, submission_key="k-0001-abcdef"), format="json")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Item.objects.count() == 1
    other = client.post(
        "/api/v1/petitions/", _body(category), format="json", headers={"Idempotency-Key": "k-0002-abcdef"}
    )
    again = client.post(
        "/api/v1/petitions/", _body(category), format="json", headers={"Idempotency-Key": "k-0002-abcdef"}
    )
    assert other.json()["id"] == again.json()["id"] != first.json()["id"]
    assert Item.objects.count() == 2


@pytest.mark.django_db
def test_another_user_with_the_same_key_registers_their_own_item(
    personas: Personas, api_for: Callable[[User | None], APIClient], category: int
):
    body = _body(category, submission_key="shared-key-123")
    a = api_for(personas.clerk_a).post("/api/v1/petitions/", body, format="json")
    b = api_for(personas.clerk_b).post("/api/v1/petitions/", body, format="json")
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.django_db
def test_a_malformed_key_is_refused_in_chinese(
    personas: Personas, api_for: Callable[[User | None], APIClient], category: int
):
    response = api_for(personas.clerk_a).post(
        "/api/v1/petitions/", _body(category, submission_key="bad key!"), format="json"
    )
    assert response.status_code == 400
    assert "提交标识" in response.json()["submission_key"][0]
    assert Item.objects.count() == 0


@pytest.mark.django_db
def test_the_intake_form_carries_a_fresh_key_and_a_resubmitted_page_registers_once(
    personas: Personas, client_for, category: int
):
    client = client_for(personas.clerk_a)
    page = client.get("/petitions/new/visit/").content.decode()
    assert 'name="submission_key"' in page
    key = page.split('name="submission_key"')[1].split('value="')[1].split('"')[0]
    assert len(key) == 32
    assert key not in client.get("/petitions/new/visit/").content.decode()
    form = {
        "submission_key": key,
        "channel": "visit",
        "received_on": SCHEDULE.received_on.isoformat(),
        "head_count": "1",
        "purpose": "demand",
        "category": str(category),
        "summary": BODY["summary"],
        "demand": BODY["demand"],
        "petitioners-TOTAL_FORMS": "1",
        "petitioners-INITIAL_FORMS": "0",
        "petitioners-MIN_NUM_FORMS": "1",
        "petitioners-MAX_NUM_FORMS": "30",
        "petitioners-0-name": "张三",
    }
    first = client.post("/petitions/new/visit/", form)
    second = client.post("/petitions/new/visit/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Item.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_posts_at_once_against_the_real_server_make_one_item(
    personas: Personas, live_server, category: int
):
    from core.services.users import user_api_token_issue

    with transaction.atomic():
        token = user_api_token_issue(actor=personas.clerk_a)
    body = _body(category, submission_key="double-click-0001")
    barrier = threading.Barrier(2)
    answers: list[requests.Response] = []

    def post() -> None:
        barrier.wait()
        answers.append(
            requests.post(
                f"{live_server.url}/api/v1/petitions/",
                json=body,
                headers={"Authorization": f"Token {token.key}"},
                timeout=60,
            )
        )

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [201, 201]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert Item.objects.count() == 1
