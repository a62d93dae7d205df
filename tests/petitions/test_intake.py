"""Registering items (登记): field validation, numbering, one record per person, attachments and the web form."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accountability.models import Deadline
from core.errors import DomainError
from core.idcard import id_number_check_character
from core.models import AuditEvent, User
from petitions.choices import ROUTING, AttachmentKind, Channel, Marker, Purpose, Status
from petitions.forms import IntakeForm
from petitions.models import Attachment, Category, Item, ItemPetitioner, Petitioner
from petitions.selectors import units_for_assignment
from petitions.services import lifecycle
from petitions.services.attachments import attachments_add
from petitions.services.intake import (
    DEMAND_LIMIT,
    QUERY_CODE_ALPHABET,
    SUMMARY_LIMIT,
    PetitionerInput,
    item_number_sequence,
    item_register,
)
from tests.support.accounts import Personas, Tree
from tests.support.helpers import select_options
from tests.support.items import DEFAULT_ID_NUMBER, intake_input

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 40
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def valid_id(first17: str) -> str:
    """A resident ID with the correct GB 11643 check character."""
    return first17 + id_number_check_character(first17)


def person(**values: object) -> PetitionerInput:
    fields: dict[str, object] = {"name": "张三", "id_number": DEFAULT_ID_NUMBER, "phone": "13800138000"}
    fields.update(values)
    return PetitionerInput(**fields)  # type: ignore[arg-type]


def refusal(actor: User, **overrides: object) -> DomainError:
    """Register with the overrides and return the DomainError the service raised."""
    with pytest.raises(DomainError) as caught:
        item_register(actor=actor, data=intake_input(**overrides))
    return caught.value


# --- resident ID numbers (GB 11643) ---------------------------------------------------------------------


def test_the_default_fixture_id_number_has_x_as_its_computed_check_character():
    assert id_number_check_character(DEFAULT_ID_NUMBER[:17]) == "X"


def test_an_id_number_with_a_wrong_check_character_is_refused_at_that_petitioners_id_field(
    personas: Personas,
):
    error = refusal(personas.clerk_a, petitioners=[person(id_number="110105194912310021")])
    assert error.field == "petitioners-0-id_number"
    assert "校验位" in error.message
    assert not Item.objects.exists()


def test_a_digit_where_the_check_character_must_be_x_is_refused(personas: Personas):
    error = refusal(personas.clerk_a, petitioners=[person(id_number="110105194912310020")])
    assert error.field == "petitioners-0-id_number"


def test_the_error_names_the_row_of_the_second_petitioner(personas: Personas):
    people = [person(), person(name="李四", id_number="110105194912310021", phone="")]
    error = refusal(personas.clerk_a, petitioners=people, head_count=2)
    assert error.field == "petitioners-1-id_number"


def test_a_lower_case_x_is_accepted_and_stored_upper_case(personas: Personas):
    item = item_register(
        actor=personas.clerk_a, data=intake_input(petitioners=[person(id_number="11010519491231002x")])
    )
    assert item.item_petitioners.get().id_number == "11010519491231002X"


@pytest.mark.parametrize("first17", ["11022819800101123", "44030419951231004", "65010219000101001"])
def test_valid_id_numbers_are_accepted_including_a_retired_address_code(personas: Personas, first17: str):
    number = valid_id(first17)
    item = item_register(actor=personas.clerk_a, data=intake_input(petitioners=[person(id_number=number)]))
    assert item.item_petitioners.get().id_number == number


def test_a_fifteen_digit_old_style_id_number_is_refused_with_its_length(personas: Personas):
    error = refusal(personas.clerk_a, petitioners=[person(id_number="110105491231002")])
    assert error.field == "petitioners-0-id_number"
    assert "18位" in error.message
    assert "15位" in error.message


@pytest.mark.parametrize(
    ("first17", "reason"),
    [("11010519990230123", "不存在"), ("11010520991231123", "不合理")],
    ids=["30-february", "born-in-2099"],
)
def test_an_id_number_with_an_impossible_birth_date_is_refused(personas: Personas, first17: str, reason: str):
    error = refusal(personas.clerk_a, petitioners=[person(id_number=valid_id(first17))])
    assert error.field == "petitioners-0-id_number"
    assert reason in error.message


def test_letters_in_the_first_seventeen_characters_are_refused(personas: Personas):
    error = refusal(personas.clerk_a, petitioners=[person(id_number="11010519491231X02X")])
    assert error.field == "petitioners-0-id_number"


def test_a_petitioner_without_an_id_number_can_be_registered(personas: Personas):
    item = item_register(actor=personas.clerk_a, data=intake_input(petitioners=[person(id_number="")]))
    link = item.item_petitioners.get()
    assert link.id_number == ""
    assert link.petitioner.id_number_hash == ""


# --- phone numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("199 1234 5678", "19912345678"),
        ("0571-88001234", "0571-88001234"),
        ("010-12345678", "010-12345678"),
        ("057188001234", "057188001234"),
        ("0571-88001234-123", "0571-88001234-123"),
    ],
)
def test_mobile_and_landline_numbers_are_accepted(personas: Personas, typed: str, stored: str):
    item = item_register(actor=personas.clerk_a, data=intake_input(petitioners=[person(phone=typed)]))
    assert item.item_petitioners.get().phone == stored


@pytest.mark.parametrize(
    "typed", ["1381234567", "138123456789", "12812345678", "88001234", "571-88001234", "电话13812345678"]
)
def test_malformed_phone_numbers_are_refused_at_the_phone_field(personas: Personas, typed: str):
    error = refusal(personas.clerk_a, petitioners=[person(phone=typed)])
    assert error.field == "petitioners-0-phone"
    assert "手机号码" in error.message


# --- dates --------------------------------------------------------------------------------------------


def test_a_received_date_in_the_future_is_refused(personas: Personas):
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = refusal(personas.clerk_a, received_on=tomorrow, registered_on=tomorrow)
    assert error.field == "received_on"
    assert "不能晚于今天" in error.message


def test_a_registered_date_before_the_received_date_is_refused(personas: Personas):
    today = timezone.localdate()
    error = refusal(personas.clerk_a, received_on=today, registered_on=today - timedelta(days=1))
    assert error.field == "registered_on"


def test_a_registered_date_in_the_future_is_refused(personas: Personas):
    today = timezone.localdate()
    error = refusal(personas.clerk_a, received_on=today, registered_on=today + timedelta(days=1))
    assert error.field == "registered_on"


def test_the_registered_date_defaults_to_today_and_may_follow_the_received_date(personas: Personas):
    today = timezone.localdate()
    data = intake_input(received_on=today - timedelta(days=3))
    data.registered_on = None
    item = item_register(actor=personas.clerk_a, data=data)
    item.refresh_from_db()
    assert item.received_on == today - timedelta(days=3)
    assert item.registered_on == today


def test_the_database_refuses_an_item_received_after_it_was_registered(personas: Personas):
    item = item_register(actor=personas.clerk_a, data=intake_input())
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(received_on=item.registered_on + timedelta(days=1))


# --- collective visits, head count, text limits ----------------------------------------------------------


def _people(count: int, representatives: int) -> list[PetitionerInput]:
    return [
        PetitionerInput(name=f"代表{index}", is_representative=index < representatives)
        for index in range(count)
    ]


def test_six_representatives_of_a_collective_visit_are_refused_naming_article_20(personas: Personas):
    error = refusal(personas.clerk_a, petitioners=_people(6, 6), head_count=40, markers=[Marker.COLLECTIVE])
    assert error.field == "petitioners"
    assert "不得超过5人" in error.message
    assert "第二十条" in error.message
    assert "6人" in error.message


def test_five_representatives_of_a_collective_visit_are_accepted(personas: Personas):
    item = item_register(actor=personas.clerk_a, data=intake_input(petitioners=_people(7, 5), head_count=40))
    assert item.item_petitioners.filter(is_representative=True).count() == 5
    assert item.item_petitioners.count() == 7


def test_five_or_more_people_are_marked_as_a_collective_visit(personas: Personas):
    item = item_register(actor=personas.clerk_a, data=intake_input(petitioners=_people(2, 2), head_count=5))
    assert Marker.COLLECTIVE in item.markers


def test_fewer_people_than_petitioners_listed_is_refused_at_the_head_count(personas: Personas):
    error = refusal(personas.clerk_a, petitioners=_people(3, 0), head_count=2)
    assert error.field == "head_count"


def test_an_item_without_any_petitioner_is_refused(personas: Personas):
    assert refusal(personas.clerk_a, petitioners=[]).field == "petitioners"


def test_an_unknown_marker_is_refused(personas: Personas):
    assert refusal(personas.clerk_a, markers=["vip"]).field == "markers"


def test_a_summary_one_character_over_the_limit_is_refused_with_the_count(personas: Personas):
    error = refusal(personas.clerk_a, summary="字" * (SUMMARY_LIMIT + 1))
    assert error.field == "summary"
    assert f"{SUMMARY_LIMIT}字" in error.message
    assert f"{SUMMARY_LIMIT + 1}字" in error.message


def test_a_summary_at_the_limit_is_accepted(personas: Personas):
    item = item_register(actor=personas.clerk_a, data=intake_input(summary="字" * SUMMARY_LIMIT))
    assert len(item.summary) == SUMMARY_LIMIT


def test_a_demand_over_the_limit_is_refused(personas: Personas):
    assert refusal(personas.clerk_a, demand="求" * (DEMAND_LIMIT + 1)).field == "demand"


def test_an_empty_summary_is_refused(personas: Personas):
    assert refusal(personas.clerk_a, summary="   ").field == "summary"


def test_a_name_over_fifty_characters_is_refused_at_that_row(personas: Personas):
    assert refusal(personas.clerk_a, petitioners=[person(name="名" * 51)]).field == "petitioners-0-name"


def test_only_clerks_and_section_heads_may_register(personas: Personas):
    error = refusal(personas.handler_a)
    assert error.code == "forbidden"


# --- letters need their scan ----------------------------------------------------------------------------


def test_a_letter_without_a_scanned_letter_is_refused_at_the_attachments(personas: Personas):
    error = refusal(personas.clerk_a, channel=Channel.LETTER)
    assert error.field == "attachments"
    assert "来信扫描件" in error.message


def test_a_letter_with_only_a_photo_is_refused(personas: Personas):
    with pytest.raises(DomainError) as caught:
        item_register(
            actor=personas.clerk_a,
            data=intake_input(channel=Channel.LETTER),
            files=[(AttachmentKind.PHOTO, SimpleUploadedFile("photo.png", PNG))],
        )
    assert caught.value.field == "attachments"


def test_a_letter_with_its_scan_is_registered_with_the_scan_attached(personas: Personas):
    item = item_register(
        actor=personas.clerk_a,
        data=intake_input(channel=Channel.LETTER),
        files=[(AttachmentKind.LETTER_SCAN, SimpleUploadedFile("来信.pdf", PDF))],
    )
    attachment = item.attachments.get()
    assert attachment.kind == AttachmentKind.LETTER_SCAN
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "来信.pdf"


# --- numbering and the query code ------------------------------------------------------------------------


def _sequence_last_value(year: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sequence_last_value(%s::regclass)", [item_number_sequence(year)])
        return int(cursor.fetchone()[0])


def test_item_numbers_are_xf_year_and_six_digits_from_the_database_sequence(personas: Personas):
    first = item_register(actor=personas.clerk_a, data=intake_input())
    assert re.fullmatch(r"XF2025-\d{6}", first.number)
    assert int(first.number[-6:]) == _sequence_last_value(2025)
    second = item_register(actor=personas.clerk_b, data=intake_input())
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_the_number_carries_the_year_of_registration(personas: Personas):
    today = timezone.localdate()
    item = item_register(actor=personas.clerk_a, data=intake_input(received_on=today, registered_on=today))
    assert item.number.startswith(f"XF{today.year}-")


def test_each_year_is_numbered_from_its_own_sequence(personas: Personas):
    earlier = item_register(actor=personas.clerk_a, data=intake_input())
    today = timezone.localdate()
    later = item_register(actor=personas.clerk_a, data=intake_input(received_on=today, registered_on=today))
    assert earlier.number.startswith("XF2025-")
    assert int(later.number[-6:]) == _sequence_last_value(today.year)
    assert _sequence_last_value(2025) == int(earlier.number[-6:])


def test_two_items_cannot_share_a_number(personas: Personas):
    first = item_register(actor=personas.clerk_a, data=intake_input())
    second = item_register(actor=personas.clerk_a, data=intake_input())
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=second.pk).update(number=first.number)


def test_the_query_code_is_eight_unambiguous_characters_and_differs_per_item(personas: Personas):
    codes = {item_register(actor=personas.clerk_a, data=intake_input()).query_code for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(QUERY_CODE_ALPHABET)
        assert not set(code) & set("01IO")


def test_registration_opens_the_fifteen_day_routing_clock_from_receipt(personas: Personas):
    item = item_register(actor=personas.clerk_a, data=intake_input())
    deadline = Deadline.objects.get(subject_type="petitions.item", subject_id=item.pk)
    assert deadline.rule_id == ROUTING
    assert deadline.starts_on == item.received_on
    # 2025-03-03 + 15 日 = 2025-03-18 (a Tuesday, no roll-forward)
    assert deadline.due_on.isoformat() == "2025-03-18"
    assert item.status == Status.REGISTERED


# --- one person across items, particulars per item ----------------------------------------------------


def test_the_same_id_number_links_one_person_and_each_item_keeps_what_was_said_for_it(personas: Personas):
    first = item_register(actor=personas.clerk_a, data=intake_input())
    second = item_register(
        actor=personas.clerk_b,
        data=intake_input(petitioners=[person(id_number="11010519491231002x", phone="0571-88001234")]),
    )
    assert Petitioner.objects.count() == 1
    petitioner = Petitioner.objects.get()
    assert {link.item_id for link in ItemPetitioner.objects.all()} == {first.pk, second.pk}
    assert first.item_petitioners.get().phone == "13800138000"
    assert second.item_petitioners.get().phone == "0571-88001234"
    assert not AuditEvent.objects.filter(action="petitions.petitioner.updated").exists()
    assert (
        AuditEvent.objects.filter(action="petitions.petitioner.created", object_id=str(petitioner.pk)).count()
        == 1
    )


def test_people_without_id_numbers_get_a_record_each(personas: Personas):
    item_register(actor=personas.clerk_a, data=intake_input(petitioners=[person(id_number="")]))
    item_register(actor=personas.clerk_a, data=intake_input(petitioners=[person(id_number="")]))
    assert Petitioner.objects.count() == 2


def test_the_id_lookup_column_holds_a_keyed_hash_not_the_number_or_its_plain_digest(personas: Personas):
    item_register(actor=personas.clerk_a, data=intake_input())
    petitioner = Petitioner.objects.get()
    expected = hmac.new(
        settings.XF_LOOKUP_KEY.encode(), f"id:{DEFAULT_ID_NUMBER}".encode(), hashlib.sha256
    ).hexdigest()
    assert petitioner.id_number_hash == expected
    assert petitioner.id_number_hash != hashlib.sha256(DEFAULT_ID_NUMBER.encode()).hexdigest()
    assert DEFAULT_ID_NUMBER[6:14] not in petitioner.id_number_hash
    assert ItemPetitioner.objects.get().phone_hash != hashlib.sha256(b"13800138000").hexdigest()


def test_a_person_is_found_again_by_the_keyed_hash_not_by_the_plaintext(personas: Personas):
    item_register(actor=personas.clerk_a, data=intake_input())
    with override_settings(XF_LOOKUP_KEY="another-deployment-key"):
        item_register(actor=personas.clerk_a, data=intake_input())
    # Under another key the same plaintext is not found again: the look-up never reads the plaintext column.
    assert Petitioner.objects.count() == 2


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('character varying', 'text', 'jsonb', 'json')"
        )
        return [(table, column) for table, column in cursor.fetchall()]


def _columns_containing(value: str) -> set[str]:
    found = set()
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1',  # noqa: S608 (names from the catalogue)
                [f"%{value}%"],
            )
            if cursor.fetchone():
                found.add(f"{table}.{column}")
    return found


def test_the_id_number_phone_and_address_are_stored_in_no_column_in_plaintext(personas: Personas, tree: Tree):
    item = item_register(
        actor=personas.clerk_a,
        data=intake_input(petitioners=[person(address_detail="朝阳路18号院3号楼")]),
    )
    lifecycle.item_assign(
        actor=personas.clerk_a, item_id=item.pk, unit_id=tree.county_a_department.pk, on=item.received_on
    )
    item_register(
        actor=personas.clerk_a,
        data=intake_input(original_id=item.pk),
    )
    assert _columns_containing(DEFAULT_ID_NUMBER) == set()
    assert _columns_containing("13800138000") == set()
    assert _columns_containing("朝阳路18号院") == set()
    stored = item.item_petitioners.get()
    assert (stored.id_number, stored.phone, stored.address_detail) == (
        DEFAULT_ID_NUMBER,
        "13800138000",
        "朝阳路18号院3号楼",
    )


# --- attachments ----------------------------------------------------------------------------------------


def _register_with(actor: User, *files: tuple[str, SimpleUploadedFile]) -> Item:
    return item_register(actor=actor, data=intake_input(), files=list(files))


@override_settings(XF_ATTACHMENT_MAX_MB=1)
def test_an_attachment_over_the_size_limit_is_refused(personas: Personas):
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024 + 1 - len(PDF)))
    with pytest.raises(DomainError) as caught:
        _register_with(personas.clerk_a, (AttachmentKind.EVIDENCE, big))
    assert caught.value.field == "attachments"
    assert "超过1MB" in caught.value.message
    assert not Item.objects.exists()


@override_settings(XF_ATTACHMENT_MAX_MB=1)
def test_an_attachment_exactly_at_the_size_limit_is_accepted(personas: Personas):
    exact = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024 - len(PDF)))
    item = _register_with(personas.clerk_a, (AttachmentKind.EVIDENCE, exact))
    assert item.attachments.get().size == 1024 * 1024


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", PNG),
        ("photo.jpg", PDF),
        ("photo.png", JPEG),
        ("notes.pdf", "这是一封信的文字内容".encode()),
        ("notes.txt", b"plain text"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("scan", PDF),
    ],
    ids=[
        "png-named-pdf",
        "pdf-named-jpg",
        "jpeg-named-png",
        "text-named-pdf",
        "text",
        "html",
        "no-extension",
    ],
)
def test_an_attachment_whose_content_is_not_what_its_name_says_is_refused(
    personas: Personas, name: str, content: bytes
):
    with pytest.raises(DomainError) as caught:
        _register_with(personas.clerk_a, (AttachmentKind.EVIDENCE, SimpleUploadedFile(name, content)))
    assert caught.value.field == "attachments"
    assert name in caught.value.message
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("SCAN.PDF", PDF, "application/pdf"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("photo.png", PNG, "image/png"),
    ],
)
def test_pdf_jpeg_and_png_files_are_accepted_with_the_type_their_bytes_prove(
    personas: Personas, name: str, content: bytes, content_type: str
):
    upload = SimpleUploadedFile(name, content, content_type="text/html")
    item = _register_with(personas.clerk_a, (AttachmentKind.EVIDENCE, upload))
    assert item.attachments.get().content_type == content_type


def test_attachments_are_stored_under_random_names_with_their_digest(personas: Personas):
    item = _register_with(
        personas.clerk_a,
        (AttachmentKind.PHOTO, SimpleUploadedFile("张三家门口.png", PNG)),
        (AttachmentKind.PHOTO, SimpleUploadedFile("张三家门口.png", PNG)),
    )
    first, second = item.attachments.order_by("id")
    for attachment in (first, second):
        stored = str(attachment.file.name)
        assert re.fullmatch(r"attachments/[0-9a-f]{2}/[0-9a-f]{32}", stored)
        assert stored.split("/")[1] == attachment.stored_name[:2]
        assert "张三" not in stored
        assert ".png" not in stored
        assert Path(attachment.file.path).read_bytes() == PNG
        assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
        assert attachment.original_name == "张三家门口.png"
    assert first.stored_name != second.stored_name


def test_files_of_a_refused_registration_are_not_left_in_storage(personas: Personas):
    before = set(Path(settings.MEDIA_ROOT).rglob("*")) if Path(settings.MEDIA_ROOT).exists() else set()
    with pytest.raises(DomainError):
        item_register(
            actor=personas.clerk_a,
            data=intake_input(category_id=0),
            files=[(AttachmentKind.PHOTO, SimpleUploadedFile("a.png", PNG))],
        )
    after = set(Path(settings.MEDIA_ROOT).rglob("*")) if Path(settings.MEDIA_ROOT).exists() else set()
    assert {path for path in after - before if path.is_file()} == set()


@override_settings(XF_ATTACHMENT_MAX_FILES=2)
def test_a_registration_with_more_files_than_one_upload_may_carry_is_refused(personas: Personas):
    files = [(AttachmentKind.PHOTO, SimpleUploadedFile(f"{n}.png", PNG)) for n in range(3)]
    with pytest.raises(DomainError) as caught:
        _register_with(personas.clerk_a, *files)
    assert caught.value.field == "attachments"
    assert caught.value.message == "一次最多上传2个文件，本次选择了3个。"
    assert not Item.objects.exists()


@override_settings(XF_ATTACHMENT_MAX_PER_ITEM=3)
def test_an_item_holds_at_most_the_configured_number_of_attachments(personas: Personas):
    item = _register_with(
        personas.clerk_a, *[(AttachmentKind.PHOTO, SimpleUploadedFile(f"{n}.png", PNG)) for n in range(2)]
    )
    two_more = [(AttachmentKind.PHOTO, SimpleUploadedFile(f"补{n}.png", PNG)) for n in range(2)]
    with pytest.raises(DomainError) as caught:
        attachments_add(actor=personas.clerk_a, item_id=item.pk, files=two_more)
    assert caught.value.field == "attachments"
    assert caught.value.message == "每件信访事项最多3个附件，已有2个，本次最多还能上传1个。"
    assert item.attachments.count() == 2
    attachments_add(actor=personas.clerk_a, item_id=item.pk, files=two_more[:1])
    assert item.attachments.count() == 3


@override_settings(XF_ATTACHMENT_MAX_PER_ITEM=1)
def test_an_upload_over_the_limit_on_the_item_page_is_refused_at_the_upload_field(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    item = _register_with(personas.clerk_a, (AttachmentKind.PHOTO, SimpleUploadedFile("a.png", PNG)))
    response = client_for(personas.clerk_a).post(
        reverse("petitions:attachment_upload", args=[item.pk]), {"others": [SimpleUploadedFile("b.png", PNG)]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-attachments">每件信访事项最多1个附件，已有1个，本次最多还能上传0个。<' in page
    assert 'aria-describedby="error-attachments"' in page
    assert item.attachments.count() == 1


@pytest.fixture
def item_with_scan(personas: Personas) -> tuple[Item, Attachment]:
    item = _register_with(personas.clerk_a, (AttachmentKind.EVIDENCE, SimpleUploadedFile("合同.pdf", PDF)))
    return item, item.attachments.get()


def _download(client: Client, item: Item, attachment: Attachment) -> object:
    return client.get(reverse("petitions:attachment_download", args=[item.pk, attachment.pk]))


def test_an_attachment_downloads_with_its_bytes_inside_the_registering_unit(
    item_with_scan: tuple[Item, Attachment], personas: Personas, client_for: Callable[[User | None], Client]
):
    item, attachment = item_with_scan
    response = _download(client_for(personas.clerk_a), item, attachment)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"  # type: ignore[index]
    assert response["Content-Disposition"].startswith("attachment;")  # type: ignore[index]
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]


def test_an_attachment_downloads_for_the_unit_the_item_was_assigned_to(
    item_with_scan: tuple[Item, Attachment],
    personas: Personas,
    tree: Tree,
    client_for: Callable[[User | None], Client],
):
    item, attachment = item_with_scan
    assert _download(client_for(personas.handler_a), item, attachment).status_code == 404  # type: ignore[attr-defined]
    lifecycle.item_assign(
        actor=personas.clerk_a, item_id=item.pk, unit_id=tree.county_a_department.pk, on=item.received_on
    )
    response = _download(client_for(personas.handler_a), item, attachment)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


@pytest.mark.parametrize("who", ["clerk_b", "system_admin", "audit_admin"])
def test_an_attachment_is_404_outside_the_unit_and_for_admin_roles(
    item_with_scan: tuple[Item, Attachment],
    personas: Personas,
    client_for: Callable[[User | None], Client],
    who: str,
):
    item, attachment = item_with_scan
    assert _download(client_for(getattr(personas, who)), item, attachment).status_code == 404  # type: ignore[attr-defined]


def test_an_attachment_is_404_under_another_items_address(
    item_with_scan: tuple[Item, Attachment], personas: Personas, client_for: Callable[[User | None], Client]
):
    _item, attachment = item_with_scan
    other = item_register(actor=personas.clerk_a, data=intake_input())
    assert _download(client_for(personas.clerk_a), other, attachment).status_code == 404  # type: ignore[attr-defined]


def test_an_anonymous_visitor_cannot_download_and_storage_is_not_served_publicly(
    item_with_scan: tuple[Item, Attachment], client_for: Callable[[User | None], Client]
):
    item, attachment = item_with_scan
    response = _download(client_for(None), item, attachment)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert "/login" in response["Location"]  # type: ignore[index]
    assert client_for(None).get(f"/media/{attachment.file.name}").status_code == 404


# --- the web intake page ---------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The form controls of the page in document order, with their values, selections and errors."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []
        self.values: dict[str, list[str]] = {}
        self.tabindexes: list[str] = []
        self.errors: dict[str, str] = {}
        self._in_template = 0
        self._select: str | None = None
        self._textarea: str | None = None
        self._error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "template":
            self._in_template += 1
        if self._in_template:
            return
        if "tabindex" in attributes:
            self.tabindexes.append(attributes["tabindex"])
        name = attributes.get("name", "")
        testid = attributes.get("data-testid", "")
        if testid.startswith("error-"):
            self._error = testid.removeprefix("error-")
            self.errors[self._error] = ""
        if tag == "input" and name:
            self._add(name, attributes.get("type", "text"))
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.values.setdefault(name, []).append(attributes.get("value", "on"))
            elif kind != "file":
                self.values.setdefault(name, []).append(attributes.get("value", ""))
        elif tag == "select" and name:
            self._add(name, "select")
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.values.setdefault(self._select, []).append(attributes.get("value", ""))
        elif tag == "textarea" and name:
            self._add(name, "textarea")
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._in_template -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # HTML drops one newline right after <textarea>, as Django's widget writes it.
            self.values[self._textarea][-1] = self.values[self._textarea][-1].removeprefix("\n")
            self._textarea = None
        elif tag == "div":
            self._error = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data
        if self._error:
            self.errors[self._error] += data

    def _add(self, name: str, kind: str) -> None:
        if kind != "hidden" and name not in self.order:
            self.order.append(name)


def parse(html: bytes) -> FormFields:
    parser = FormFields()
    parser.feed(html.decode())
    return parser


# The paper registration form: the date, then each person (name, ID, phone, representative, address) and the
# head count (so a name typed at once lands in 姓名 and Tab runs through the person first), then the matter (where,
# whom, purpose, category, summary, demand, markers), then the files.
PAPER_ORDER = [
    "received_on",
    "petitioners-0-name",
    "petitioners-0-id_number",
    "petitioners-0-phone",
    "petitioners-0-is_representative",
    "petitioners-0-address_detail",
    "head_count",
    "problem_address",
    "complained_unit",
    "complained_unit_name",
    "purpose",
    "category",
    "summary",
    "demand",
    "markers",
]


def test_the_visit_page_renders_its_fields_in_the_paper_forms_tab_order(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.clerk_a).get(reverse("petitions:intake_visit"))
    assert response.status_code == 200
    page = parse(response.content)
    assert page.order == [*PAPER_ORDER, "others"]
    assert all(index in ("0", "-1") for index in page.tabindexes)
    assert page.values["channel"] == ["visit"]
    assert "来访登记" in response.content.decode()


def test_the_letter_page_asks_for_the_scan_before_other_files(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.clerk_a).get(reverse("petitions:intake_letter"))
    page = parse(response.content)
    assert page.order == [*PAPER_ORDER, "letter_scan", "others"]
    assert page.values["channel"] == ["letter"]
    assert "来信登记" in response.content.decode()


def test_other_channels_have_their_own_page_and_unknown_channels_are_404(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    response = client.get(reverse("petitions:intake", args=["phone"]))
    assert response.status_code == 200
    assert parse(response.content).values["channel"] == ["phone"]
    assert "电话登记" in response.content.decode()
    assert client.get(reverse("petitions:intake", args=["pigeon"])).status_code == 404


@pytest.mark.parametrize("who", ["handler_a", "leader", "system_admin"])
def test_the_intake_page_is_for_clerks_and_section_heads_only(
    personas: Personas, client_for: Callable[[User | None], Client], who: str
):
    assert client_for(getattr(personas, who)).get(reverse("petitions:intake_visit")).status_code == 403


def _typed(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    category = Category.objects.get(code="0301")
    data: dict[str, str | list[str]] = {
        "channel": "visit",
        "received_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "head_count": "3",
        "petitioners-TOTAL_FORMS": "1",
        "petitioners-INITIAL_FORMS": "0",
        "petitioners-MIN_NUM_FORMS": "1",
        "petitioners-MAX_NUM_FORMS": "30",
        "petitioners-0-name": "王五",
        "petitioners-0-id_number": DEFAULT_ID_NUMBER,
        "petitioners-0-phone": "13912345678",
        "petitioners-0-is_representative": "on",
        "petitioners-0-address_division": "110105001",
        "petitioners-0-address_detail": "建外大街1号",
        "problem_division": "110105002",
        "problem_address": "朝外大街工地",
        "complained_unit_name": "某建筑劳务公司",
        "purpose": Purpose.DEMAND,
        "category": str(category.pk),
        "summary": "在朝外大街工地务工，公司拖欠三个月工资共计三万元。",
        "demand": "要求公司支付拖欠工资。",
        "markers": [Marker.THREAT, Marker.SKIP_LEVEL],
    }
    data.update(overrides)
    return data


def test_posting_a_bad_id_number_shows_a_chinese_error_at_that_field_and_keeps_every_typed_value(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    data = _typed(**{"petitioners-0-id_number": "110105194912310021"})
    response = client_for(personas.clerk_a).post(reverse("petitions:intake_visit"), data)
    assert response.status_code == 200
    assert not Item.objects.exists()
    page = parse(response.content)
    assert "身份证号校验位不正确" in page.errors["petitioners-0-id_number"]
    assert set(page.errors) == {"petitioners-0-id_number"}
    for name, typed in data.items():
        if name.startswith("petitioners-") and name.endswith("_FORMS"):
            continue
        expected = typed if isinstance(typed, list) else [typed]
        if name == "petitioners-0-is_representative":
            expected = ["on"]
        assert sorted(page.values.get(name, [])) == sorted(expected), name


def test_posting_a_received_date_in_the_future_shows_the_error_at_the_date(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(personas.clerk_a).post(
        reverse("petitions:intake_visit"), _typed(received_on=tomorrow)
    )
    assert response.status_code == 200
    page = parse(response.content)
    assert page.errors == {"received_on": "信访日期不能晚于今天。"}
    assert page.values["received_on"] == [tomorrow]
    assert not Item.objects.exists()


def test_posting_a_malformed_phone_shows_the_error_in_that_petitioners_row(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    data = _typed(**{"petitioners-0-phone": "8800123"})
    page = parse(client_for(personas.clerk_a).post(reverse("petitions:intake_visit"), data).content)
    assert "11位手机号码" in page.errors["petitioners-0-phone"]
    assert page.values["petitioners-0-phone"] == ["8800123"]


def test_posting_a_letter_without_its_scan_keeps_the_typed_values_and_says_why(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    data = _typed(channel="letter")
    response = client_for(personas.clerk_a).post(reverse("petitions:intake_letter"), data)
    assert response.status_code == 200
    assert "来信登记请上传来信扫描件" in response.content.decode()
    page = parse(response.content)
    assert page.values["summary"] == [data["summary"]]
    assert page.values["petitioners-0-id_number"] == [DEFAULT_ID_NUMBER]


def test_posting_six_representatives_shows_the_refusal_at_the_sixth_row(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    data = _typed(**{"head_count": "30", "petitioners-TOTAL_FORMS": "6"})
    for index in range(1, 6):
        data[f"petitioners-{index}-name"] = f"代表{index}"
        data[f"petitioners-{index}-is_representative"] = "on"
    response = client_for(personas.clerk_a).post(reverse("petitions:intake_visit"), data)
    assert response.status_code == 200
    assert "集体访推选的代表不得超过5人" in parse(response.content).errors["petitioners-5-is_representative"]
    assert not Item.objects.exists()


def test_posting_a_valid_visit_registers_it_and_redirects_to_the_item(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    response = client.post(reverse("petitions:intake_visit"), _typed())
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:item_detail", args=[item.pk])
    assert item.channel == Channel.VISIT
    assert item.registered_unit == personas.clerk_a.unit
    assert item.registered_on == timezone.localdate()
    assert item.head_count == 3
    assert item.problem_division_id == "110105002"
    assert item.complained_unit_name == "某建筑劳务公司"
    assert sorted(item.markers) == sorted([Marker.THREAT, Marker.SKIP_LEVEL])
    link = item.item_petitioners.get()
    assert link.is_representative
    assert link.address_division_id == "110105001"
    assert link.address_detail == "建外大街1号"
    page = client.get(response["Location"]).content.decode()
    assert item.number in page
    assert item.query_code in page


def test_posting_a_letter_with_its_scan_registers_the_scan(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    data = _typed(channel="letter")
    data["letter_scan"] = SimpleUploadedFile("来信.pdf", PDF)  # type: ignore[assignment]
    response = client_for(personas.clerk_a).post(reverse("petitions:intake_letter"), data)
    assert response.status_code == 302
    attachment = Item.objects.get().attachments.get()
    assert attachment.kind == AttachmentKind.LETTER_SCAN
    assert Path(attachment.file.path).read_bytes() == PDF


def test_the_intake_form_offers_the_category_tree_and_the_offices_units_each_read_once(
    personas: Personas, django_assert_num_queries
):
    form = IntakeForm(user=personas.clerk_a)
    with django_assert_num_queries(2):
        category_box, unit_box = str(form["category"]), str(form["complained_unit"])
    categories = Category.objects.filter(is_active=True).order_by("path")
    assert [(value, label) for value, label, _ in select_options(category_box, "category")] == [
        ("", "---------"),
        *[(str(category.pk), "　" * (category.depth - 1) + category.name) for category in categories],
    ]
    offered_units = [(value, label) for value, label, _ in select_options(unit_box, "complained_unit")]
    assert offered_units == [
        ("", "---------"),
        *[(str(unit.pk), unit.name) for unit in units_for_assignment(personas.clerk_a)],
    ]
    assert personas.clerk_b.unit.name not in unit_box
