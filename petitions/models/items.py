"""Petition items (信访事项), their petitioners, categories, timeline, documents and attachments."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from core.models import Unit
from core.models.encrypted import EncryptedCharField
from core.pii import person_audit_repr
from petitions.choices import (
    Action,
    AttachmentKind,
    Channel,
    CloseReason,
    DeliveryMethod,
    DocumentKind,
    ItemType,
    Marker,
    Outcome,
    Purpose,
    ReviewDecision,
    Route,
    Satisfaction,
    Status,
)


def bigrams(field: str) -> models.Func:
    """`petitions_bigrams(field)`: the distinct two-character pieces of the upper-cased text, which the bigram
    indexes hold; a two-character term (王芳, 工资) has no trigram, and is found through them (petitions/search.py)."""
    return models.Func(
        models.F(field), function="petitions_bigrams", output_field=ArrayField(models.TextField())
    )


class Category(MP_Node):
    """内容分类: a configurable tree, seeded with the national first level and a second level."""

    path = models.CharField(max_length=255, unique=True, db_collation="C")
    code = models.CharField(_("分类代码"), max_length=20, unique=True)
    name = models.CharField(_("分类名称"), max_length=50)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("内容分类")
        verbose_name_plural = _("内容分类")

    def __str__(self) -> str:
        return self.name


class Petitioner(models.Model):
    """A person across items, holding no personal data: what a person said lives on each item (ItemPetitioner).

    Items of the same person share this row through the keyed hash of the resident ID number, or, where no ID was
    given, through a link a clerk made on purpose. Whatever a user sees of the person comes from the items in that
    user's reach, never from here.
    """

    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="petitioner_one_per_id_number",
            ),
        ]

    def __str__(self) -> str:
        return str(_("信访人%(id)s") % {"id": self.pk})

    @property
    def audit_repr(self) -> str:
        """How audit rows name the person: by number only, since the person row holds no personal data."""
        return _("信访人（编号%(id)s）") % {"id": self.pk}


# Writes fire database triggers: see docs/development/database.md (petitions_item_roll_up_insert_delete, petitions_item_roll_up_update, petitions_item_reach_insert, petitions_item_reach_update).
class Item(models.Model):
    """One petition item from any channel, moving through the statutory life cycle."""

    number = models.CharField(_("信访件编号"), max_length=20, unique=True)
    query_code = models.CharField(_("查询码"), max_length=8)
    channel = models.CharField(_("信访形式"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("信访目的"), max_length=12, choices=Purpose.choices)
    item_type = models.CharField(_("事项类别"), max_length=15, choices=ItemType.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("内容分类")
    )
    problem_division = models.ForeignKey(
        "core.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("问题属地"),
    )
    problem_address = EncryptedCharField(_("问题发生地详址"), max_length=200, blank=True)
    complained_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("被反映单位"),
    )
    complained_unit_name = models.CharField(_("被反映单位（名称）"), max_length=100, blank=True)
    received_on = models.DateField(_("信访日期"))
    registered_on = models.DateField(_("登记日期"))
    registered_at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField(_("概况"))
    demand = models.TextField(_("诉求"))
    head_count = models.PositiveSmallIntegerField(_("信访人数"), default=1)
    markers = ArrayField(
        models.CharField(max_length=15, choices=Marker.choices),
        default=list,
        blank=True,
        verbose_name=_("标记"),
    )
    registered_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="registered_items", verbose_name=_("登记单位")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_items",
        verbose_name=_("责任单位"),
    )
    assigned_on = models.DateField(_("转送交办日期"), null=True, blank=True)
    review_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_items",
        verbose_name=_("复查机关"),
    )
    recheck_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rechecked_items",
        verbose_name=_("复核机关"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办人"),
    )
    status = models.CharField(_("状态"), max_length=15, choices=Status.choices, default=Status.REGISTERED)
    route = models.CharField(_("处理途径"), max_length=15, choices=Route.choices, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    outcome = models.CharField(_("处理意见"), max_length=15, choices=Outcome.choices, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=15, choices=Satisfaction.choices, blank=True)
    evaluated_on = models.DateField(_("评价日期"), null=True, blank=True)
    review_decision = models.CharField(
        _("复查决定"), max_length=10, choices=ReviewDecision.choices, blank=True
    )
    recheck_decision = models.CharField(
        _("复核决定"), max_length=10, choices=ReviewDecision.choices, blank=True
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    close_reason = models.CharField(_("办结方式"), max_length=25, choices=CloseReason.choices, blank=True)
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("原件"),
    )
    repeat_count = models.PositiveIntegerField(_("重复次数"), default=0)
    # Kept by a trigger on the deadline table: the lists filter and sort on it through one covering index.
    obligation_due_on = models.DateField(
        _("最近办理期限"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("未完成的责任时限中最早的到期日"),
    )
    refusal_reason = models.TextField(_("不予受理/不再受理理由"), blank=True)
    # The key the registering form or API call carried: a second post with the same key returns this item.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("信访事项")
        verbose_name_plural = _("信访事项")
        indexes = [
            models.Index(fields=["registered_unit", "received_on"], name="item_registered_unit_idx"),
            models.Index(fields=["responsible_unit", "status"], name="item_responsible_unit_idx"),
            models.Index(fields=["status", "received_on"], name="item_status_received_idx"),
            models.Index(fields=["received_on"], name="item_received_idx"),
            models.Index(fields=["closed_on"], condition=Q(closed_on__isnull=False), name="item_closed_idx"),
            models.Index(
                fields=["replied_on"], condition=Q(replied_on__isnull=False), name="item_replied_idx"
            ),
            models.Index(
                fields=["obligation_due_on"],
                include=[
                    "id",
                    "status",
                    "received_on",
                    "registered_unit",
                    "responsible_unit",
                    "review_unit",
                    "recheck_unit",
                ],
                condition=Q(obligation_due_on__isnull=False),
                name="item_obligation_due_idx",
            ),
            GinIndex(fields=["markers"], name="item_markers_idx"),
            GinIndex(fields=["summary"], opclasses=["gin_trgm_ops"], name="item_summary_trgm_idx"),
            GinIndex(fields=["demand"], opclasses=["gin_trgm_ops"], name="item_demand_trgm_idx"),
            GinIndex(bigrams("summary"), name="item_summary_bigram_idx"),
            GinIndex(bigrams("demand"), name="item_demand_bigram_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(head_count__gte=1), name="item_head_count_positive"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="item_status_known"),
            models.CheckConstraint(
                condition=Q(received_on__lte=models.F("registered_on")),
                name="item_received_before_registered",
            ),
            models.CheckConstraint(
                condition=Q(original__isnull=True) | ~Q(original=models.F("pk")),
                name="item_not_its_own_original",
            ),
            models.UniqueConstraint(
                fields=["registered_by", "submission_key"],
                condition=~Q(submission_key=""),
                name="item_one_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_repeat(self) -> bool:
        return self.original_id is not None

    @property
    def is_overdue(self) -> bool:
        """An open obligation clock of the item is past its due date."""
        return self.obligation_due_on is not None and self.obligation_due_on < timezone.localdate()


class ItemPetitioner(models.Model):
    """A person on an item with the particulars as given for this item; up to five are a collective's representatives.

    The particulars belong to the item that received them: nothing typed for one item changes another item's row,
    and a correction is an audited edit of this row only.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="item_petitioners")
    petitioner = models.ForeignKey(Petitioner, on_delete=models.PROTECT, related_name="item_links")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    address_division = models.ForeignKey(
        "core.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("住址（行政区划）"),
    )
    address_detail = EncryptedCharField(_("详细住址"), max_length=200, blank=True)
    is_representative = models.BooleanField(_("代表"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "petitioner"], name="itempetitioner_once_per_item"),
        ]
        indexes = [
            models.Index(fields=["name"], name="itempetitioner_name_idx"),
            # A partial name (张三 in 张三丰) is searched by ILIKE (petitions/search.py), a two-character one by its bigram.
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="itempetitioner_name_trgm_idx"),
            GinIndex(bigrams("name"), name="itempetitioner_name_bigram_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.petitioner_id}"

    @property
    def audit_repr(self) -> str:
        """How audit rows name the row: the masked name and the person's number, never the particulars."""
        return person_audit_repr(self.name, self.petitioner_id)


EXTRA_EVENT_LABELS = {
    "repeat": _("收到重复件"),
    "correct": _("更正信访人信息"),
    "deliver": _("文书送达"),
    "attach": _("上传附件"),
}


class ItemEvent(models.Model):
    """One step on the item's timeline: who did what, when, and the status before and after."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(auto_now_add=True)
    effective_on = models.DateField(_("办理日期"))
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["item", "occurred_at"], name="itemevent_item_time_idx")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.action}"

    @property
    def action_label(self) -> str:
        """The step's name in Chinese."""
        try:
            return str(Action(self.action).label)
        except ValueError:
            return str(EXTRA_EVENT_LABELS.get(self.action, self.action))


class ExtensionRequest(models.Model):
    """A handler's request to extend handling, decided by a section head."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="extension_requests")
    days = models.PositiveSmallIntegerField(_("申请延长天数"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField(_("申请日期"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(state="pending"), name="extensionrequest_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}+{self.days}"


class Document(models.Model):
    """A numbered document issued on an item (告知书, 意见书), with its delivery record."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("文书类型"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("文号"), max_length=60, unique=True)
    issued_on = models.DateField(_("出具日期"))
    issuing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("出具单位")
    )
    body = models.JSONField(_("正文要素"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    delivery_method = models.CharField(
        _("送达方式"), max_length=12, choices=DeliveryMethod.choices, blank=True
    )
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery_receiver = models.CharField(_("送达对象（签收人）"), max_length=100, blank=True)
    tracking_number = models.CharField(_("邮件单号"), max_length=40, blank=True)
    # A reply sent back for rework (退回重办) before it reached the petitioner keeps its number, marked withdrawn.
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True) | Q(delivered_on__gte=models.F("issued_on")),
                name="document_delivered_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def presumed_delivery_on(self) -> date:
        """The day the petitioner is presumed to have received the document when no delivery is recorded."""
        return self.issued_on + timedelta(days=settings.XF_PRESUMED_DELIVERY_DAYS)

    @property
    def window_runs_from_presumption(self) -> bool:
        """A 处理意见书 or 复查意见书 not yet delivered (nor withdrawn): its window counts from the presumed day."""
        return (
            self.kind in (DocumentKind.REPLY, DocumentKind.REVIEW)
            and self.delivered_on is None
            and self.withdrawn_on is None
        )


class DocumentCounter(models.Model):
    """The last number used per issuing unit, document kind and year (locked while numbering)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year"], name="documentcounter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.kind}/{self.year}: {self.last}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """Files are stored under a random name; the original name is kept only in the database."""
    return f"attachments/{instance.stored_name[:2]}/{instance.stored_name}"


class Attachment(models.Model):
    """A scanned letter, photo or document on an item, downloaded only through a scoped view."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=15, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    stored_name = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
