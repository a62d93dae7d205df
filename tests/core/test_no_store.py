"""Responses to a signed-in user are kept by no cache; static files and anonymous public pages keep their own.

A shared office browser must keep nothing of a signed-in user's pages, API answers, documents or exports.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import User
from petitions.choices import DocumentKind, Status
from petitions.models import Document, Item
from tests.support.accounts import Personas, Tree
from tests.support.items import Cast, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(personas: Personas, tree: Tree) -> Item:
    cast = Cast(
        clerk=personas.clerk_a,
        handler=personas.handler_a,
        head=personas.section_head,
        personas=personas,
        tree=tree,
    )
    return ItemFactory(cast).make(Status.ACCEPTED)


def assert_not_stored(response) -> None:
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def test_a_signed_in_item_page_is_not_stored(item: Item, personas: Personas, client_for):
    response = client_for(personas.clerk_a).get(reverse("petitions:item_detail", args=[item.pk]))
    assert "张三" in response.content.decode()
    assert_not_stored(response)


def test_an_item_api_response_is_not_stored_with_a_token_or_a_session(
    item: Item, personas: Personas, client_for: Callable[[User | None], Client]
):
    url = f"/api/v1/petitions/{item.pk}/"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas.clerk_a).key}")
    by_token = api.get(url)
    assert by_token.json()["number"] == item.number
    assert_not_stored(by_token)
    assert_not_stored(client_for(personas.clerk_a).get(url))


def test_a_printable_document_is_not_stored(item: Item, personas: Personas, client_for):
    document = Document.objects.get(item=item, kind=DocumentKind.ACCEPTANCE)
    response = client_for(personas.clerk_a).get(
        reverse("petitions:document_print", args=[item.pk, document.pk])
    )
    assert document.number in response.content.decode()
    assert_not_stored(response)


def test_an_export_is_not_stored(personas: Personas, client_for):
    response = client_for(personas.clerk_a).get(reverse("ledger:export"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert_not_stored(response)


def test_the_rule_holds_while_signed_in_and_ends_with_sign_out(personas: Personas, client_for):
    client = client_for(personas.clerk_a)
    assert_not_stored(client.get("/"))
    client.post("/logout/")
    to_sign_in = client.get(reverse("petitions:item_list"))
    assert to_sign_in.status_code == 302
    assert not to_sign_in.has_header("Cache-Control")
    assert not to_sign_in.has_header("Pragma")


def test_anonymous_public_pages_keep_their_own_caching(db):
    anonymous = Client()
    query = anonymous.get("/query/")
    # The query page is never cached by design (its own never_cache header, unchanged).
    assert query["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert not query.has_header("Pragma")
    sign_in = anonymous.get(reverse("core:login"))
    assert sign_in.status_code == 200
    assert not sign_in.has_header("Pragma")


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_static_files_keep_their_caching_for_a_signed_in_user(personas: Personas, client_for):
    response = client_for(personas.clerk_a).get("/static/js/division_picker.js")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
    assert not response.has_header("Pragma")
