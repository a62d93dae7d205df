"""Personal data: keyed hashes for look-up (never a plaintext LIKE) and the masks shown by default."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.utils.translation import gettext as _

MASK = "*"


def lookup_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised value under the deployment's look-up key; "" for an empty value."""
    normalised = re.sub(r"[\s-]", "", value).upper()
    if not normalised:
        return ""
    key = settings.XF_LOOKUP_KEY.encode()
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def mask_name(value: str) -> str:
    """张**: the family name stays, the given name is hidden."""
    if not value:
        return ""
    return value[0] + MASK * max(len(value) - 1, 1)


def person_audit_repr(name: str, person_id: int) -> str:
    """How audit rows name a petitioner: the masked name and the person's number, never the particulars."""
    return _("信访人%(name)s（编号%(id)s）") % {"name": mask_name(name), "id": person_id}


def mask_id_number(value: str) -> str:
    """110105********002X: the address code and the last four characters stay visible."""
    if not value:
        return ""
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep the area code and the last four digits."""
    if not value:
        return ""
    digits = value.replace(" ", "")
    if len(digits) <= 7:
        return MASK * len(digits)
    head = 3 if digits.startswith("1") else digits.find("-") + 1 if "-" in digits else 4
    return digits[:head] + MASK * (len(digits) - head - 4) + digits[-4:]


def mask_address(value: str) -> str:
    """Keep the first three characters of the street address and hide the rest."""
    if not value:
        return ""
    if len(value) <= 3:
        return MASK * len(value)
    return value[:3] + MASK * 4
