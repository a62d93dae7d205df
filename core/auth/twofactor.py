"""Two-factor sign-in: who must use it, the user's authenticators, and how a new one is shown for scanning."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import User


def second_factor_required(user: User) -> bool:
    """True when one of the user's roles must sign in with a one-time code (XF_OTP_REQUIRED_ROLES)."""
    return bool(set(user.roles) & set(settings.XF_OTP_REQUIRED_ROLES))


def otp_devices_confirmed(user: User) -> QuerySet[TOTPDevice]:
    """The user's authenticators that have been confirmed with a valid code, oldest first."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def otp_device_pending(user: User) -> TOTPDevice | None:
    """The authenticator the user is adding and has not yet confirmed, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def second_factor_expected(user: User) -> bool:
    """True when signing in asks for a code: the role requires it or the user has enrolled an authenticator."""
    return second_factor_required(user) or otp_devices_confirmed(user).exists()


@dataclass(frozen=True)
class Provisioning:
    """What a user types or scans into an authenticator app to add an account."""

    secret: str
    uri: str
    qr_svg: str


def otp_provisioning(device: TOTPDevice) -> Provisioning:
    """The base32 secret, the otpauth:// URI and a QR code of the URI as inline SVG."""
    uri = device.config_url
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, dark="#1f2937", light="#ffffff", title="身份验证器二维码")
    secret = b32encode(device.bin_key).decode()
    grouped = " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
    return Provisioning(secret=grouped, uri=uri, qr_svg=svg)
