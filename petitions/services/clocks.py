"""An item's clocks on the engine: open one for a unit, find the running one, restart a window on delivery."""

from __future__ import annotations

from datetime import date

from django.db import transaction
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


# The petitioner's window each decision opens (复查 after a 处理意见书, 复核 after a 复查意见书).
WINDOW_BY_DOCUMENT = {DocumentKind.REPLY: REVIEW_WINDOW, DocumentKind.REVIEW: RECHECK_WINDOW}


def window_open_presumed(item: Item, document: Document, unit: Unit, actor: User | None) -> None:
    """Open the document's window from its presumed delivery day: the window runs from receipt (第三十五条), and a
    decision whose delivery is never recorded must not lapse counted from the day it was issued."""
    item_clock_open(
        item, WINDOW_BY_DOCUMENT[DocumentKind(document.kind)], unit, document.presumed_delivery_on, actor
    )


def window_restart(*, item: Item, kind: str, on: date, actor: User | None, reason: str) -> None:
    """Run the item's open window of `kind` again, for the same unit, counted from `on`."""
    running = item_clock_running(item, kind)
    if running is None or running.starts_on == on:
        return
    deadline_cancel(subject=subject_of(item), kind=kind, actor=actor, reason=reason)
    item_clock_open(item, kind, running.unit, on, actor)


def window_start_by_request(*, item: Item, kind: str, on: date, actor: User) -> None:
    """A request made before the presumed delivery day proves receipt: the window then runs from the request."""
    running = item_clock_running(item, kind)
    if running is not None and on < running.starts_on:
        window_restart(item=item, kind=kind, on=on, actor=actor, reason=_("信访人已提出申请，视为已收到"))


def windows_restart_after_delivery(*, item: Item, document: Document, actor: User) -> None:
    """The review windows run from the day the petitioner received the decision: a recorded delivery replaces
    the presumed delivery day, earlier or later."""
    window = WINDOW_BY_DOCUMENT.get(DocumentKind(document.kind))
    if window is None or document.delivered_on is None:
        return
    window_restart(
        item=item, kind=window, on=document.delivered_on, actor=actor, reason=_("按送达日期重新起算")
    )


def window_presumption_restore(*, item_id: int, kind: str) -> bool:
    """A window still counted from before the presumed delivery day of an undelivered decision (opened before the
    presumption existed) restarts from that day instead of lapsing; True when it did."""
    document_kind = next(doc for doc, window in WINDOW_BY_DOCUMENT.items() if window == kind)
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item_id)
        running = item_clock_running(item, kind)
        document = (
            item.documents.filter(kind=document_kind, withdrawn_on__isnull=True)
            .order_by("-issued_on", "-id")
            .first()
        )
        if running is None or document is None or document.delivered_on is not None:
            return False
        if running.starts_on >= document.presumed_delivery_on:
            return False
        window_restart(
            item=item,
            kind=kind,
            on=document.presumed_delivery_on,
            actor=None,
            reason=_("未登记送达，按推定送达日起算"),
        )
        return True
