"""Nightly: items whose 复查 or 复核 window ran out unused are closed (超期未申请复查/复核)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.models import Deadline
from core.errors import DomainError
from petitions.choices import ITEM_SUBJECT, RECHECK_WINDOW, REVIEW_WINDOW, CloseReason
from petitions.services.clocks import window_presumption_restore
from petitions.services.lifecycle import item_close

BATCH = 200


def items_close_lapsed_windows(*, today: date | None = None) -> int:
    """Close, one transaction per item, every item whose window deadline ended before today; a window still counted
    from before an undelivered decision's presumed delivery day restarts from that day instead."""
    today = today or timezone.localdate()
    closed = 0
    for kind, reason in (
        (REVIEW_WINDOW, CloseReason.REVIEW_WINDOW_LAPSED),
        (RECHECK_WINDOW, CloseReason.RECHECK_WINDOW_LAPSED),
    ):
        after_id = 0
        while True:
            batch = list(
                Deadline.objects.filter(
                    subject_type=ITEM_SUBJECT,
                    rule_id=kind,
                    status=DeadlineStatus.OPEN,
                    due_on__lt=today,
                    subject_id__gt=after_id,
                )
                .order_by("subject_id")
                .values_list("subject_id", flat=True)[:BATCH]
            )
            if not batch:
                break
            for item_id in batch:
                if window_presumption_restore(item_id=item_id, kind=kind):
                    continue
                try:
                    item_close(actor=None, item_id=item_id, on=today, reason=reason)
                except DomainError:
                    continue
                closed += 1
            after_id = batch[-1]
    return closed
