"""Pages of supervision: the inbox, escalation links, 督办单 issue and reply, 通报, 追责 and the sweep's health."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accountability.choices import SupervisionStatus
from accountability.forms import SupervisionIssueForm, SupervisionReplyForm
from accountability.notifications import notification_mark_read
from accountability.selectors import (
    escalation_get_for_user,
    notifications_for,
    supervision_order_get_for_user,
    supervision_orders_for_user,
    supervision_reply_clock,
    sweep_health,
    sweep_runs_recent,
)
from accountability.subjects import subject_url
from accountability.supervision import supervision_close, supervision_issue, supervision_reply
from core.choices import BUSINESS_ROLES, Role
from core.errors import DomainError
from core.http import AuthenticatedRequest
from core.permissions import role_required

PAGE_SIZE = 50


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The user's notifications, unread first in bold; opening the page does not mark them read."""
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accountability/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_mark_read(request: AuthenticatedRequest) -> HttpResponse:
    """Mark one notification (by id) or all of them as read."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("accountability:inbox")


@login_required
def escalation_open(request: AuthenticatedRequest, escalation_id: int) -> HttpResponse:
    """Follow a notification's link: mark it read and go to the page of what the deadline is about."""
    escalation = escalation_get_for_user(request.user, escalation_id)
    notification_mark_read(user=request.user, escalation_id=escalation.pk)
    supervision = getattr(escalation, "supervision_order", None)
    target = subject_url(escalation.deadline.subject_type, escalation.deadline.subject_id)
    if not target and supervision is not None:
        target = f"/accountability/supervision/{supervision.pk}/"
    if not target:
        raise Http404
    return redirect(target)


@role_required(*BUSINESS_ROLES)
def supervision_list(request: AuthenticatedRequest) -> HttpResponse:
    """督办单 received or issued in the user's subtree, open ones first."""
    orders = supervision_orders_for_user(request.user)
    status = request.GET.get("status", "")
    if status in SupervisionStatus.values:
        orders = orders.filter(status=status)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accountability/supervision_list.html",
        {
            "page": page,
            "status": status,
            "statuses": SupervisionStatus.choices,
            "may_issue": request.user.has_role(Role.SUPERVISOR),
        },
    )


@role_required(Role.SUPERVISOR)
def supervision_create(request: AuthenticatedRequest) -> HttpResponse:
    """A supervisor issues a 督办单."""
    form = SupervisionIssueForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            order = supervision_issue(
                actor=request.user,
                unit=data["unit"],
                ground=data["ground"],
                method=data["method"],
                requirement=data["requirement"],
                issued_on=timezone.localdate(),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("督办单 %(number)s 已发出。") % {"number": order.number})
            return redirect("accountability:supervision_detail", order_id=order.pk)
    return render(request, "accountability/supervision_form.html", {"form": form})


@role_required(*BUSINESS_ROLES)
def supervision_detail(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    """One 督办单: grounds, requirement, reply clock, the reply (form for the unit) and closing (for the issuer)."""
    user = request.user
    order = supervision_order_get_for_user(user, order_id)
    may_reply = (
        order.status == SupervisionStatus.ISSUED
        and order.unit.contains(user.unit)
        and user.has_role(Role.HANDLER, Role.SECTION_HEAD, Role.LEADER)
    )
    form = SupervisionReplyForm(request.POST if request.method == "POST" and may_reply else None)
    if form.is_bound and form.is_valid():
        try:
            supervision_reply(
                actor=user,
                order=order,
                reply=form.cleaned_data["reply"],
                replied_on=form.cleaned_data["replied_on"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("答复已提交。"))
            return redirect("accountability:supervision_detail", order_id=order.pk)
    return render(
        request,
        "accountability/supervision_detail.html",
        {
            "order": order,
            "clock": supervision_reply_clock(order),
            "form": form if may_reply else None,
            "may_close": order.status == SupervisionStatus.REPLIED
            and user.has_role(Role.SUPERVISOR)
            and user.unit.contains(order.issuing_unit),
            "subject_link": subject_url(order.deadline.subject_type, order.deadline.subject_id)
            if order.deadline
            else "",
        },
    )


@role_required(Role.SUPERVISOR)
@require_POST
def supervision_close_view(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    """The issuer accepts the reply."""
    order = supervision_order_get_for_user(request.user, order_id)
    try:
        supervision_close(actor=request.user, order=order)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("督办单已办结。"))
    return redirect("accountability:supervision_detail", order_id=order.pk)


@role_required(Role.SYSTEM_ADMIN, Role.SUPERVISOR)
def sweep_health_page(request: AuthenticatedRequest) -> HttpResponse:
    """The sweep's heartbeat: the last run, red when none finished lately; recent runs and the mail queue."""
    late_after = settings.XF_SWEEP_LATE_MINUTES
    return render(
        request,
        "accountability/health.html",
        {
            "health": sweep_health(late_after_minutes=late_after),
            "runs": sweep_runs_recent(),
            "late_after": late_after,
        },
    )
