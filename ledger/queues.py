"""The ledger work queues of leaders (own key cases) and section heads (strike-offs to decide, screening reports
to file)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import User
from core.queues import QueuePage, QueueRow, counted_page, queue_page, queue_register
from ledger.choices import OPEN_CASE_STATUSES, ReportState
from ledger.selectors import cases_owned_by, screening_reports_of_unit, strike_offs_to_decide


def my_key_cases(user: User, limit: int) -> QueuePage:
    """The leader's own open key cases (包案), most urgent first, with their 化解时限."""
    cases = cases_owned_by(user).filter(status__in=sorted(OPEN_CASE_STATUSES))
    count, found = counted_page(cases, limit)
    rows = [
        QueueRow(
            url=reverse("ledger:case_detail", args=[case.pk]),
            number=case.number,
            summary=case.title,
            due_on=case.resolve_by,
        )
        for case in found
    ]
    return queue_page(_("我包案的重点问题"), count, rows)


def strike_offs_waiting(user: User, limit: int) -> QueuePage:
    """Strike-off (销号) requests waiting for the section head's decision, oldest first, each with its case."""
    requests = (
        strike_offs_to_decide(user)
        .select_related("case")
        .only("id", "requested_on", "reason", "case__id", "case__number", "case__title")
    )
    count, found = counted_page(requests, limit)
    rows = [
        QueueRow(
            url=reverse("ledger:case_detail", args=[request.case_id]),
            number=request.case.number,
            summary=str(
                _("%(title)s：%(on)s申请销号，%(reason)s")
                % {
                    "title": Truncator(request.case.title).chars(20),
                    "on": f"{request.requested_on:%m-%d}",
                    "reason": Truncator(request.reason).chars(30),
                }
            ),
        )
        for request in found
    ]
    return queue_page(_("待审批销号"), count, rows)


def screening_reports_to_file(user: User, limit: int) -> QueuePage:
    """The own unit's screening reports not yet filed, oldest round first, with their due date."""
    reports = (
        screening_reports_of_unit(user)
        .filter(state=ReportState.PENDING)
        .select_related(None)
        .select_related("round")
        .order_by("round__period_start", "id")
    )
    count, found = counted_page(reports, limit)
    rows = [
        QueueRow(
            url=reverse("ledger:report_file", args=[report.pk]),
            number=str(report.round),
            summary=str(
                _("%(start)s至%(end)s的排查报告")
                % {"start": report.round.period_start, "end": report.round.period_end}
            ),
            due_on=report.due_on,
        )
        for report in found
    ]
    return queue_page(_("待报送排查报告"), count, rows)


def register_queues() -> None:
    """The ledger queues, by role."""
    queue_register("ledger.strike_offs_waiting", {Role.SECTION_HEAD}, strike_offs_waiting, order=305)
    queue_register("ledger.screening_to_file", {Role.SECTION_HEAD}, screening_reports_to_file, order=320)
    queue_register("ledger.my_key_cases", {Role.LEADER}, my_key_cases, order=400)
