"""Attachments: size and count limits, type checked by content (PDF, JPEG, PNG), stored under random names."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.errors import DomainError
from core.models import User
from petitions.choices import FILING_ROLES, AttachmentKind
from petitions.models import Attachment, Item
from petitions.services.common import in_subtree, record_event

# Leading bytes of the accepted types; the file name and the browser's claim are never trusted.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
# The file name's extension must agree with what the bytes prove (a PNG named .pdf is refused).
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


@dataclass(frozen=True)
class StoredFile:
    """A file written to storage, so a failed transaction can remove it again."""

    attachment: Attachment


def sniff_content_type(head: bytes) -> str | None:
    """The content type the first bytes prove, or None."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def attachment_validate(upload: UploadedFile) -> str:
    """Refuse files over the size limit or of another type; returns the proven content type."""
    limit = settings.XF_ATTACHMENT_MAX_MB * 1024 * 1024
    if upload.size is None or upload.size > limit:
        raise DomainError(
            _("附件“%(name)s”超过%(max)sMB。") % {"name": upload.name, "max": settings.XF_ATTACHMENT_MAX_MB},
            field="attachments",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise DomainError(
            _("附件“%(name)s”不是PDF、JPEG或PNG文件。") % {"name": upload.name}, field="attachments"
        )
    if not (upload.name or "").lower().endswith(EXTENSIONS[content_type]):
        raise DomainError(
            _("附件“%(name)s”的扩展名与文件内容不符（内容为%(kind)s）。")
            % {"name": upload.name, "kind": content_type.split("/")[1].upper()},
            field="attachments",
        )
    return content_type


def attachments_check_count(files: Sequence[object], *, already: int = 0) -> None:
    """Refuse more files than one upload may carry, or than the item may hold with those it already has."""
    if len(files) > settings.XF_ATTACHMENT_MAX_FILES:
        raise DomainError(
            _("一次最多上传%(max)s个文件，本次选择了%(count)s个。")
            % {"max": settings.XF_ATTACHMENT_MAX_FILES, "count": len(files)},
            field="attachments",
        )
    if already + len(files) > settings.XF_ATTACHMENT_MAX_PER_ITEM:
        raise DomainError(
            _("每件信访事项最多%(max)s个附件，已有%(already)s个，本次最多还能上传%(left)s个。")
            % {
                "max": settings.XF_ATTACHMENT_MAX_PER_ITEM,
                "already": already,
                "left": max(settings.XF_ATTACHMENT_MAX_PER_ITEM - already, 0),
            },
            field="attachments",
        )


def attachment_store(*, item: Item, kind: str, upload: UploadedFile, actor: User) -> StoredFile:
    """Write the file under a random name and record it (inside the caller's transaction)."""
    if kind not in AttachmentKind.values:
        raise DomainError(_("请选择附件类型。"), field="attachments")
    content_type = attachment_validate(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        item=item,
        kind=kind,
        stored_name=secrets.token_hex(16),
        original_name=(upload.name or "attachment")[-200:],
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(attachment.stored_name, upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="petitions.attachment.added",
        target=attachment,
        detail={"item": item.number, "content_type": content_type, "size": attachment.size},
    )
    return StoredFile(attachment)


def attachments_discard(stored: list[StoredFile]) -> None:
    """Remove files whose database rows were rolled back."""
    for entry in stored:
        if entry.attachment.file.name:
            entry.attachment.file.storage.delete(entry.attachment.file.name)


def attachments_add(
    *, actor: User, item_id: int, files: Sequence[tuple[str, UploadedFile]]
) -> list[Attachment]:
    """Add files to an existing item (the people of any unit handling it may add material)."""
    if not actor.has_role(*FILING_ROLES):
        raise DomainError(_("您的角色不能上传附件。"), code="forbidden")
    if not files:
        raise DomainError(_("请选择要上传的文件。"), field="attachments")
    attachments_check_count(files)
    for _kind, upload in files:
        attachment_validate(upload)
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            item = (
                Item.objects.select_for_update(of=("self",))
                .select_related("registered_unit", "responsible_unit")
                .get(pk=item_id)
            )
            if not (
                in_subtree(item.registered_unit, actor.unit) or in_subtree(item.responsible_unit, actor.unit)
            ):
                raise DomainError(_("该事项不在您单位的办理范围内。"), code="forbidden")
            attachments_check_count(files, already=item.attachments.count())
            for kind, upload in files:
                stored.append(attachment_store(item=item, kind=kind, upload=upload, actor=actor))
            record_event(
                item,
                "attach",
                actor=actor,
                on=item.registered_on,
                from_status=item.status,
                note=_("上传附件%(count)s个") % {"count": len(files)},
            )
    except Exception:
        attachments_discard(stored)
        raise
    return [entry.attachment for entry in stored]
