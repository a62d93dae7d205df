"""An item's clocks on the engine: open one for a unit, find the running one, restart a window on delivery."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from accountability.choices import DeadlineStatus
from accountability.models import Deadline
from accountability.services.deadlines import deadline_cancel, deadline_open
from core.models import Unit, User
from petitions.choices import RECHECK_WINDOW, REVIEW_WINDOW, DocumentKind
from petitions.models import Document, Item
from petitions.services.common import subject_of


def item_clock_open(
    item: Item, kind: str, unit: Unit, on: date, actor: User | None, responsible: User | None = None
) -> None:
    """Start the item's clock of this kind for the unit (and the person responsible), counted from `on`."""
    deadline_open(
        subject=subject_of(item),
        kind=kind,
        unit_id=unit.pk,
        starts_on=on,
        actor=actor,
        responsible_id=responsible.pk if responsible else None,
    )


def item_clock_running(item: Item, kind: str) -> Deadline | None:
    """The item's running clock of this kind, if any."""
    return Deadline.objects.filter(
        subject_type=subject_of(item).type, subject_id=item.pk, rule_id=kind, status=DeadlineStatus.OPEN
    ).first()


def windows_restart_after_delivery(*, item: Item, document: Document, actor: User) -> None:
    """The review windows run from the day the petitioner received the decision, not the day it was issued."""
    window_by_kind = {DocumentKind.REPLY: REVIEW_WINDOW, DocumentKind.REVIEW: RECHECK_WINDOW}
    window = window_by_kind.get(DocumentKind(document.kind))
    if window is None or document.delivered_on is None:
        return
    running = item_clock_running(item, window)
    if running is None or running.starts_on >= document.delivered_on:
        return
    deadline_cancel(subject=subject_of(item), kind=window, actor=actor, reason=_("按送达日期重新起算"))
    item_clock_open(item, window, running.unit, document.delivered_on, actor)
