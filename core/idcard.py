"""Resident ID numbers (GB 11643): format, check character and birth date; the address code is not judged."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

from core.errors import DomainError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_number_normalise(raw: str) -> str:
    """Strip spaces and upper-case a trailing x."""
    return raw.strip().replace(" ", "").upper()


def id_number_check_character(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def id_number_validate(raw: str, *, today: date | None = None) -> str:
    """Return the normalised number or raise DomainError(field="id_number") with a Chinese reason.

    The 6-digit address code is deliberately not checked: numbers keep the code valid when issued
    (e.g. the retired 110228), so rejecting unknown codes would refuse real people.
    """
    number = id_number_normalise(raw)
    if len(number) != 18:
        raise DomainError(
            _("身份证号应为18位，当前为%(count)s位。") % {"count": len(number)}, field="id_number"
        )
    if not _SHAPE.match(number):
        raise DomainError(_("身份证号前17位应为数字，最后一位为数字或X。"), field="id_number")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise DomainError(
            _("身份证号中的出生日期%(value)s不存在。") % {"value": number[6:14]}, field="id_number"
        ) from exc
    today = today or date.today()  # noqa: DTZ011 (a calendar date, compared with a birth date)
    if birth > today or birth.year < 1900:
        raise DomainError(_("身份证号中的出生日期不合理。"), field="id_number")
    expected = id_number_check_character(number[:17])
    if number[17] != expected:
        raise DomainError(_("身份证号校验位不正确，请核对号码。"), field="id_number")
    return number
