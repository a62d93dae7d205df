"""Leaders and supervisors read items; only the people who handle them file material and record delivery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.choices import Role
from core.errors import DomainError
from core.models import User
from petitions.choices import AttachmentKind, DeliveryMethod, DocumentKind, Status
from petitions.models import Attachment, Document
from petitions.services.attachments import attachments_add
from petitions.services.documents import document_deliver
from tests.support.items import Cast, ItemFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("补充材料.pdf", PDF, content_type="application/pdf")


@pytest.mark.parametrize("role", [Role.LEADER, Role.SUPERVISOR])
def test_a_reader_of_the_handling_unit_can_neither_upload_nor_record_delivery(
    item_factory: ItemFactory, cast: Cast, make_user: Callable[..., User], role: str
):
    item = item_factory.make(Status.ACCEPTED)
    reader = make_user(cast.tree.county_a_department, [role])
    acceptance = Document.objects.get(item=item, kind=DocumentKind.ACCEPTANCE)

    with pytest.raises(DomainError) as upload:
        attachments_add(actor=reader, item_id=item.pk, files=[(AttachmentKind.EVIDENCE, pdf())])
    with pytest.raises(DomainError) as delivery:
        document_deliver(
            actor=reader,
            document_id=acceptance.pk,
            on=date(2025, 4, 2),
            method=DeliveryMethod.POST,
            tracking_number="EMS1001",
        )

    assert (upload.value.code, delivery.value.code) == ("forbidden", "forbidden")
    assert not Attachment.objects.filter(item=item).exists()
    assert Document.objects.get(pk=acceptance.pk).delivered_on is None


def test_the_handler_still_uploads_and_records_delivery(item_factory: ItemFactory, cast: Cast):
    item = item_factory.make(Status.ACCEPTED)
    acceptance = Document.objects.get(item=item, kind=DocumentKind.ACCEPTANCE)

    attachments_add(actor=cast.handler, item_id=item.pk, files=[(AttachmentKind.EVIDENCE, pdf())])
    document_deliver(
        actor=cast.handler,
        document_id=acceptance.pk,
        on=date(2025, 4, 2),
        method=DeliveryMethod.POST,
        tracking_number="EMS1001",
    )

    assert Attachment.objects.filter(item=item).count() == 1
    assert Document.objects.get(pk=acceptance.pk).delivered_on == date(2025, 4, 2)


def test_the_item_page_offers_the_upload_and_delivery_forms_to_handlers_only(
    item_factory: ItemFactory,
    cast: Cast,
    make_user: Callable[..., User],
    client_for: Callable[[User | None], Client],
):
    item = item_factory.make(Status.ACCEPTED)
    leader = make_user(cast.tree.county_a_department, [Role.LEADER])
    page = f"/petitions/{item.pk}/"

    handler_page = client_for(cast.handler).get(page).content.decode()
    leader_page = client_for(leader).get(page).content.decode()

    assert "登记送达" in handler_page
    assert 'name="others"' in handler_page
    assert "登记送达" not in leader_page
    assert 'name="others"' not in leader_page
    assert "未送达" in leader_page
