"""One submit shows every error of the intake form with a linked summary; the menu offers every channel; the
registration receipt (登记回执) carries the number, the code for the registering unit only and the next step."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, User
from core.navigation import nav_entries_for
from petitions.models import Attachment, Item
from petitions.selectors import item_routing_due_on
from petitions.services.held_uploads import held_keep, held_list, held_purge_stale
from tests.petitions.test_intake import PDF, _typed, parse
from tests.support.accounts import Personas

pytestmark = pytest.mark.django_db

BAD_ID_NUMBER = "110105194912310021"  # wrong check character
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("来信.pdf", PDF, content_type="application/pdf")


def _summary_links(html: str) -> list[str]:
    block = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert block is not None, "no error summary"
    assert 'role="alert"' in block.group(0)
    return re.findall(r'<a href="#([^"]+)">', block.group(0))


def test_a_letter_with_three_mistakes_shows_all_three_at_their_fields_and_in_the_summary_in_one_submit(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    data = _typed(channel="letter", summary="", category="", **{"petitioners-0-id_number": BAD_ID_NUMBER})
    response = client_for(personas.clerk_a).post(
        reverse("petitions:intake_letter"), {**data, "letter_scan": _scan()}
    )
    assert response.status_code == 200
    assert not Item.objects.exists()
    page = parse(response.content)
    assert set(page.errors) == {"summary", "category", "petitioners-0-id_number"}
    assert "身份证号校验位不正确" in page.errors["petitioners-0-id_number"]
    html = response.content.decode()
    assert "有3处需要修改" in html
    # In page order: the person first, then the matter.
    assert _summary_links(html) == ["id_petitioners-0-id_number", "id_category", "id_summary"]
    for anchor in ("id_petitioners-0-id_number", "id_category", "id_summary"):
        assert f'id="{anchor}"' in html
    # What was typed is kept.
    assert page.values["petitioners-0-id_number"] == [BAD_ID_NUMBER]
    assert page.values["petitioners-0-name"] == [data["petitioners-0-name"]]
    assert page.values["demand"] == [data["demand"]]


def test_form_and_service_checks_of_every_kind_come_together(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = _typed(
        received_on=tomorrow,
        demand="",
        **{"petitioners-0-id_number": BAD_ID_NUMBER, "petitioners-0-phone": "12345"},
    )
    response = client_for(personas.clerk_a).post(reverse("petitions:intake_visit"), data)
    page = parse(response.content)
    assert set(page.errors) == {"received_on", "demand", "petitioners-0-id_number", "petitioners-0-phone"}
    assert page.errors["received_on"].strip() == "信访日期不能晚于今天。"
    assert _summary_links(response.content.decode()) == [
        "id_received_on",
        "id_petitioners-0-id_number",
        "id_petitioners-0-phone",
        "id_demand",
    ]


def test_a_letter_without_its_scan_shows_that_too_beside_the_field_errors(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    data = _typed(channel="letter", summary="")
    response = client_for(personas.clerk_a).post(reverse("petitions:intake_letter"), data)
    html = response.content.decode()
    assert set(parse(response.content).errors) == {"summary"}
    assert "来信登记请上传来信扫描件" in html
    assert _summary_links(html) == ["id_summary", "id_letter_scan"]


def test_the_three_mistakes_fixed_in_one_round_register_the_letter_with_its_scan(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    wrong = _typed(channel="letter", summary="", category="", **{"petitioners-0-id_number": BAD_ID_NUMBER})
    refused = parse(
        client.post(reverse("petitions:intake_letter"), {**wrong, "letter_scan": _scan()}).content
    )
    key = refused.values["submission_key"][0]
    fixed = _typed(channel="letter", submission_key=key)
    response = client.post(reverse("petitions:intake_letter"), {**fixed, "letter_scan": _scan()})
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:item_detail", kwargs={"item_id": item.pk})
    assert Attachment.objects.filter(item=item).count() == 1


def test_a_clean_form_shows_no_summary(personas: Personas, client_for: Callable[[User | None], Client]):
    html = client_for(personas.clerk_a).get(reverse("petitions:intake_visit")).content.decode()
    assert "intake-error-summary" not in html


def test_clerks_find_every_channel_in_the_menu_and_other_roles_do_not(personas: Personas):
    def links(user: User) -> dict[str, object]:
        menu: list[dict[str, Any]] = nav_entries_for(user)
        return {entry["url_name"]: entry["url"] for group in menu for entry in group["entries"]}

    clerk = links(personas.clerk_a)
    assert clerk["petitions:intake_phone"] == "/petitions/new/phone/"
    assert clerk["petitions:intake_online"] == "/petitions/new/online/"
    assert clerk["petitions:intake_mailbox"] == "/petitions/new/mailbox/"
    handler = links(personas.handler_a)
    assert not {"petitions:intake_phone", "petitions:intake_online", "petitions:intake_mailbox"} & set(
        handler
    )


@pytest.mark.parametrize(
    ("url_name", "title"), [("intake_phone", "电话登记"), ("intake_mailbox", "领导信箱登记")]
)
def test_the_channel_pages_register_their_channel(
    personas: Personas, client_for: Callable[[User | None], Client], url_name: str, title: str
):
    client = client_for(personas.clerk_a)
    assert title in client.get(reverse(f"petitions:{url_name}")).content.decode()
    channel = url_name.removeprefix("intake_")
    response = client.post(reverse(f"petitions:{url_name}"), _typed(channel=channel))
    assert response.status_code == 302
    assert Item.objects.get().channel == channel


@pytest.fixture
def registered(personas: Personas, client_for: Callable[[User | None], Client]) -> Item:
    response = client_for(personas.clerk_a).post(reverse("petitions:intake_visit"), _typed())
    assert response.status_code == 302
    return Item.objects.get()


def test_the_receipt_gives_number_code_next_step_and_where_to_query(
    registered: Item, personas: Personas, client_for: Callable[[User | None], Client]
):
    detail = client_for(personas.clerk_a).get(
        reverse("petitions:item_detail", kwargs={"item_id": registered.pk})
    )
    receipt_url = reverse("petitions:item_receipt", kwargs={"item_id": registered.pk})
    assert receipt_url == f"/petitions/{registered.pk}/receipt/"
    assert f'href="{receipt_url}"' in detail.content.decode()
    response = client_for(personas.clerk_a).get(receipt_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert registered.number in html
    assert registered.query_code in html
    due_on = item_routing_due_on(registered)
    assert due_on is not None
    assert (
        f"本机关将于{due_on.year}年{due_on.month}月{due_on.day}日前将您的信访事项转送、交办有关机关或告知您"
        in html
    )
    assert "http://testserver/query/" in html
    audit = AuditEvent.objects.get(action="petitions.item.receipt_printed")
    assert audit.actor_id == personas.clerk_a.pk
    assert audit.detail == {"number": registered.number, "query_code_shown": True}


def test_the_receipt_withholds_the_code_from_units_that_did_not_register_the_item(
    registered: Item, personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.leader).get(
        reverse("petitions:item_receipt", kwargs={"item_id": registered.pk})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert registered.number in html
    assert registered.query_code not in html
    assert 'data-testid="receipt-code-withheld"' in html
    assert AuditEvent.objects.get(action="petitions.item.receipt_printed").detail["query_code_shown"] is False


def test_the_receipt_of_another_countys_item_is_404_and_anonymous_is_sent_to_sign_in(
    registered: Item, personas: Personas, client_for: Callable[[User | None], Client]
):
    url = reverse("petitions:item_receipt", kwargs={"item_id": registered.pk})
    assert client_for(personas.clerk_b).get(url).status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    assert not AuditEvent.objects.filter(action="petitions.item.receipt_printed").exists()


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")


def _refused_letter(client: Client, **files: object) -> tuple[str, str]:
    """Post a letter missing its summary with the given files; returns the form's key and the re-shown page."""
    key = uuid.uuid4().hex  # the key the empty form carries
    data = _typed(channel="letter", summary="", submission_key=key)
    response = client.post(reverse("petitions:intake_letter"), {**data, **files})
    assert response.status_code == 200
    assert not Item.objects.exists()
    assert parse(response.content).values["submission_key"] == [key]
    return key, response.content.decode()


def test_files_chosen_with_a_refused_form_are_kept_listed_and_saved_with_the_item(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    key, html = _refused_letter(client, letter_scan=_scan(), others=[_photo()])
    assert 'data-testid="held-uploads"' in html
    assert "来信扫描件：来信.pdf" in html
    assert "现场照片.png" in html
    assert 'data-testid="reattach-hint"' not in html  # the scan is kept, nothing to choose again
    assert [held.name for held in held_list(personas.clerk_a.pk, key)] == ["来信.pdf", "现场照片.png"]

    response = client.post(reverse("petitions:intake_letter"), _typed(channel="letter", submission_key=key))
    item = Item.objects.get()
    assert response.status_code == 302
    stored = {(a.kind, a.original_name) for a in Attachment.objects.filter(item=item)}
    assert stored == {("letter_scan", "来信.pdf"), ("evidence", "现场照片.png")}
    assert held_list(personas.clerk_a.pk, key) == []


def test_a_held_file_ticked_for_removal_is_not_saved(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    key, _html = _refused_letter(client, letter_scan=_scan(), others=[_photo()])
    response = client.post(
        reverse("petitions:intake_letter"),
        {**_typed(channel="letter", submission_key=key), "held_remove": "evidence/现场照片.png"},
    )
    assert response.status_code == 302
    assert [a.original_name for a in Attachment.objects.filter(item=Item.objects.get())] == ["来信.pdf"]


def test_a_file_of_the_wrong_type_is_not_held_and_another_user_cannot_use_the_held_files(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    fake = SimpleUploadedFile("假.pdf", b"MZ not a pdf", content_type="application/pdf")
    key, html = _refused_letter(client, letter_scan=_scan(), others=[fake])
    assert "不是PDF、JPEG或PNG文件" in html
    assert [held.name for held in held_list(personas.clerk_a.pk, key)] == ["来信.pdf"]
    other = client_for(personas.clerk_b).post(
        reverse("petitions:intake_letter"), _typed(channel="letter", submission_key=key)
    )
    assert other.status_code == 200
    assert "来信登记请上传来信扫描件" in other.content.decode()
    assert not Item.objects.exists()


def test_held_files_older_than_a_day_are_purged_by_the_scheduled_task(
    personas: Personas, settings: Any, tmp_path: Path
):
    settings.MEDIA_ROOT = tmp_path  # only this test's held files: other tests of the worker hold theirs
    key = "a" * 32
    held_keep(personas.clerk_a.pk, key, [("letter_scan", _scan())])
    assert held_purge_stale() == 0
    assert held_purge_stale(now=time.time() + 2 * 86400) == 1
    assert held_list(personas.clerk_a.pk, key) == []
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "petitions.held_uploads_purge" in scheduled
