"""Writes to authenticators (TOTP devices): enrolment, confirmation, sign-in codes, removal and reset."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit.record import audit_record
from core.auth.twofactor import otp_devices_confirmed, second_factor_required
from core.choices import Role
from core.errors import DomainError
from core.models import User

DEVICE_NAME = "身份验证器"


def otp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the user is adding: the one already started, or a new random secret."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
        if device is not None:
            return device
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        audit_record(
            actor=user, action="core.otp.enrolment_started", target=user, detail={"device": device.pk}
        )
    return device


def otp_enrolment_confirm(*, user: User, code: str) -> TOTPDevice | None:
    """Confirm the authenticator being added with a code it shows; None when the code is wrong."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        )
        if device is None:
            raise DomainError(_("请先添加身份验证器。"), field="code")
        if not device.verify_token(code):
            return None
        device.confirmed = True
        number = otp_devices_confirmed(user).count() + 1
        device.name = DEVICE_NAME if number == 1 else f"{DEVICE_NAME}{number}"
        device.save(update_fields=["confirmed", "name"])
        # Secrets shown earlier and never confirmed are no longer wanted.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(
            actor=user, action="core.otp.device_confirmed", target=user, detail={"device": device.pk}
        )
    return device


def otp_code_verify(*, user: User, code: str) -> TOTPDevice | None:
    """Check a sign-in code against the user's confirmed authenticators; each code is accepted once."""
    with transaction.atomic():
        for device in otp_devices_confirmed(user).select_for_update():
            if device.verify_token(code):
                audit_record(
                    actor=user, action="core.otp.verified", target=user, detail={"device": device.pk}
                )
                return device
    return None


def otp_device_remove(*, actor: User, device_id: int) -> None:
    """Remove one of the user's own authenticators; a role that requires two factors keeps at least one."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        device = TOTPDevice.objects.filter(user=actor, pk=device_id).first()
        if device is None:
            raise DomainError(_("该身份验证器不存在。"), field="device")
        if device.confirmed and second_factor_required(actor) and otp_devices_confirmed(actor).count() == 1:
            raise DomainError(
                _("您的角色必须使用双因素认证，不能删除唯一的身份验证器；可先添加新的再删除旧的。"),
                field="device",
            )
        device.delete()
        audit_record(
            actor=actor, action="core.otp.device_removed", target=actor, detail={"device": device_id}
        )


def otp_devices_reset(*, actor: User, user_id: int) -> int:
    """Remove every authenticator of an account whose phone was lost (security admin); returns how many."""
    if not actor.has_role(Role.SECURITY_ADMIN):
        raise DomainError(_("您没有执行此操作的权限。"), code="forbidden")
    if actor.pk == user_id:
        raise DomainError(_("不能重置自己的双因素认证。"), field="user")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        removed, _ignored = TOTPDevice.objects.filter(user=user).delete()
        audit_record(actor=actor, action="core.otp.devices_reset", target=user, detail={"removed": removed})
    return int(removed)


def otp_device_bootstrap(*, user_id: int, key_hex: str) -> TOTPDevice:
    """Give an account a confirmed authenticator with a known secret: demo data only (audited as system)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)
        audit_record(
            actor=None, action="core.otp.device_bootstrapped", target=user, detail={"device": device.pk}
        )
    return device
