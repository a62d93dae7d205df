"""The audit log: one append-only row per write, sign-in and sensitive read, protected by a trigger."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from core.models.units import Unit


# Writes fire database triggers: see docs/development/database.md (core_auditevent_append_only, core_auditevent_chain, core_auditevent_move_head).
class AuditEvent(models.Model):
    """Who did what to which object, from where, and whether it succeeded."""

    occurred_at = models.DateTimeField(_("时间"), db_default=Now(), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_username = models.CharField(_("账号"), max_length=150, blank=True)
    actor_roles = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    actor_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人单位"),
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=100, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changed_fields = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name=_("变更字段")
    )
    success = models.BooleanField(_("成功"), default=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    # Set by the database trigger core_auditevent_chain (migration 0006), never by the application: the row's place
    # in the hash chain, the previous row's hash and SHA-256 over this row's canonical form plus that hash.
    chain_seq = models.BigIntegerField(_("链序号"), db_default=0, editable=False)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, db_default="", editable=False)
    row_hash = models.CharField(_("本条哈希"), max_length=64, db_default="", editable=False)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["chain_seq"], name="audit_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"


# Writes fire database triggers: see docs/development/database.md (core_auditchainmark_forward_only).
class AuditChainMark(models.Model):
    """The two ends of the audit hash chain: the head (last row written) and the anchor (last row purged)."""

    class Kind(models.TextChoices):
        HEAD = "head", _("链尾")
        ANCHOR = "anchor", _("锚点")

    kind = models.CharField(max_length=6, primary_key=True, choices=Kind.choices)
    seq = models.BigIntegerField(_("链序号"))
    hash = models.CharField(_("哈希"), max_length=64)
    moved_at = models.DateTimeField(_("更新时间"), db_default=Now())

    class Meta:
        verbose_name = _("审计哈希链端点")
        verbose_name_plural = _("审计哈希链端点")

    def __str__(self) -> str:
        return f"{self.kind} {self.seq}"
