"""Pages of supervision: the inbox, escalation links, 督办单 issue and reply, 通报, 追责 and the sweep's health."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accountability.assessment import CONTENT_TYPE as XLSX
from accountability.assessment import assessment_workbook, scope_note
from accountability.choices import NotificationKind, SupervisionStatus
from accountability.forms import (
    AccountabilityRecordForm,
    AssessmentForm,
    CircularForm,
    EscalationStepForm,
    SupervisionIssueForm,
    SupervisionReplyForm,
)
from accountability.measures import Period
from accountability.models import AccountabilityRecord
from accountability.selectors import (
    accountability_records_for_user,
    assessment_rows,
    assessment_unit_for_user,
    circular_get_for_user,
    circulars_for_user,
    escalation_get_for_user,
    escalation_step_get,
    ladder_rules,
    notice_rows,
    notifications_for,
    supervision_order_get_for_user,
    supervision_order_rows,
    supervision_orders_for_user,
    sweep_health,
    sweep_runs_recent,
    unread_counts_by_kind,
)
from accountability.services.ladder import escalation_step_update
from accountability.services.notifications import notification_mark_read
from accountability.services.supervision import (
    accountability_record_create,
    circular_issue,
    supervision_close,
    supervision_issue,
    supervision_may_close,
    supervision_may_reply,
    supervision_reply,
)
from accountability.subjects import (
    SubjectSummary,
    subject_url,
    subjects_describe,
    supervision_target_kinds,
    supervision_target_locate,
)
from core.auth.roles import role_required
from core.choices import BUSINESS_ROLES, Role
from core.errors import DomainError
from core.forms import place_error
from core.http import AuthenticatedRequest, big_id, posted_version
from core.models import User

PAGE_SIZE = 50


def _inbox_kind(value: str) -> str:
    """The kind the inbox is filtered by ("" for all); an unknown one is refused with a 400."""
    if value and value not in NotificationKind.values:
        raise BadRequest(_("未知的消息类别。"))
    return value


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The user's notifications (a digest per day for 预警与超期), unread in bold, filtered by kind; each names the
    item or case number, a one-line summary and the deadline. Opening the page does not mark them read."""
    kind = _inbox_kind(request.GET.get("kind", ""))
    page = Paginator(notifications_for(request.user, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    unread = unread_counts_by_kind(request.user)
    kinds = [
        {"value": "", "label": _("全部"), "unread": sum(unread.values()), "current": not kind},
        *(
            {"value": value, "label": label, "unread": unread.get(value, 0), "current": value == kind}
            for value, label in NotificationKind.choices
        ),
    ]
    return render(
        request,
        "accountability/inbox.html",
        {
            "page": page,
            "rows": notice_rows(page.object_list),
            "kinds": kinds,
            "kind": kind,
            "query": urlencode({"kind": kind}) if kind else "",
        },
    )


@login_required
@require_POST
def inbox_mark_read(request: AuthenticatedRequest) -> HttpResponse:
    """Mark one notification (by id), or all of them (of the kind shown), as read."""
    chosen = big_id(request.POST.get("id", ""))
    kind = _inbox_kind(request.POST.get("kind", ""))
    ids = [chosen] if chosen is not None else None
    notification_mark_read(user=request.user, notification_ids=ids, kind=kind)
    target = reverse("accountability:inbox")
    return redirect(f"{target}?{urlencode({'kind': kind})}" if kind else target)


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
            "rows": supervision_order_rows(page.object_list),
            "status": status,
            "statuses": SupervisionStatus.choices,
            "may_issue": request.user.has_role(Role.SUPERVISOR),
        },
    )


@role_required(Role.SUPERVISOR)
def supervision_create(request: AuthenticatedRequest) -> HttpResponse:
    """A supervisor issues a 督办单 on an item, a key case or a finding (a subject's page links here with its number
    filled in: ?item=…, ?key_case=…, ?finding=…)."""
    prefill = {kind.field: request.GET.get(kind.field, "")[:40] for kind in supervision_target_kinds()}
    form = SupervisionIssueForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=prefill
    )
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
                subject=data["subject"],
            )
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("督办单 %(number)s 已发出。") % {"number": order.number})
            return redirect("accountability:supervision_detail", order_id=order.pk)
    return render(request, "accountability/supervision_form.html", {"form": form})


@role_required(*BUSINESS_ROLES)
def supervision_detail(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    """One 督办单: grounds, requirement, reply clock, the reply (form for the unit) and closing (for the issuer)."""
    user = request.user
    order = supervision_order_get_for_user(user, order_id)
    notification_mark_read(user=user, url=request.path)  # the 督办 and reply notices that point here
    unit_staff = supervision_may_reply(user, order)
    may_reply = order.status == SupervisionStatus.ISSUED and unit_staff
    # A reply posted from a page loaded before a colleague replied still reaches the service, which refuses it
    # as stale; the form then comes back with the typed reply and the refusal.
    form = SupervisionReplyForm(
        request.POST if request.method == "POST" and unit_staff else None, initial={"version": order.version}
    )
    if form.is_bound and form.is_valid():
        try:
            supervision_reply(
                actor=user,
                order=order,
                reply=form.cleaned_data["reply"],
                replied_on=form.cleaned_data["replied_on"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("答复已提交。"))
            return redirect("accountability:supervision_detail", order_id=order.pk)
    (row,) = supervision_order_rows([order])
    return render(
        request,
        "accountability/supervision_detail.html",
        {
            "order": order,
            "row": row,
            "clock": row.reply_clock,
            "form": form if may_reply or form.errors else None,
            "may_close": order.status == SupervisionStatus.REPLIED and supervision_may_close(user, order),
            "may_record": user.has_role(Role.SUPERVISOR),
            "subject_link": row.subject_link
            or (
                subject_url(order.deadline.subject_type, order.deadline.subject_id) if order.deadline else ""
            ),
        },
    )


@role_required(*BUSINESS_ROLES)
def supervision_print(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    """The 督办单 laid out for A4 like the other documents: number, subject, requirement and reply due date."""
    order = supervision_order_get_for_user(request.user, order_id)
    (row,) = supervision_order_rows([order])
    return render(request, "accountability/supervision_print.html", {"order": order, "row": row})


@role_required(Role.SUPERVISOR)
@require_POST
def supervision_close_view(request: AuthenticatedRequest, order_id: int) -> HttpResponse:
    """The issuer accepts the reply."""
    order = supervision_order_get_for_user(request.user, order_id)
    try:
        supervision_close(actor=request.user, order=order, expected_version=posted_version(request))
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


@role_required(*BUSINESS_ROLES)
def circular_list(request: AuthenticatedRequest) -> HttpResponse:
    """Archived 通报 of the user's subtree; supervisors issue a new one for a period."""
    form = CircularForm(request.POST if request.method == "POST" else None)
    may_issue = request.user.has_role(Role.SUPERVISOR)
    if may_issue and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            circular = circular_issue(
                actor=request.user, start=data["start"], end=data["end"], title=data["title"]
            )
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("通报 %(number)s 已生成并存档。") % {"number": circular.number})
            return redirect("accountability:circular_detail", circular_id=circular.pk)
    page = Paginator(circulars_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "accountability/circular_list.html", {"page": page, "form": form if may_issue else None}
    )


@role_required(*BUSINESS_ROLES)
def circular_detail(request: AuthenticatedRequest, circular_id: int) -> HttpResponse:
    """One archived 通报, laid out to print on A4."""
    circular = circular_get_for_user(request.user, circular_id)
    may_record = request.user.has_role(Role.SUPERVISOR)
    return render(
        request, "accountability/circular_detail.html", {"circular": circular, "may_record": may_record}
    )


@role_required(*BUSINESS_ROLES)
def record_list(request: AuthenticatedRequest) -> HttpResponse:
    """追责 records of the user's subtree; supervisors record a new decision, started from an overdue item
    (?item=id), a 督办单 (?order=id) or a 通报 (?circular=id), which the form carries and names."""
    user = request.user
    may_record = user.has_role(Role.SUPERVISOR)
    source = _record_source(user, request.GET) if may_record and request.method != "POST" else {}
    form = AccountabilityRecordForm(
        request.POST if request.method == "POST" else None, user=user, initial=source
    )
    if may_record and form.is_bound and form.is_valid():
        try:
            accountability_record_create(actor=user, **form.service_arguments())
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("追责记录已登记。"))
            return redirect("accountability:record_list")
    page = Paginator(accountability_records_for_user(user), PAGE_SIZE).get_page(request.GET.get("page"))
    linked = form["supervision_order"].value() or form["circular"].value() if may_record else None
    return render(
        request,
        "accountability/record_list.html",
        {
            "page": page,
            "form": form if may_record else None,
            "source": _record_source_label(form) if linked else "",
            "subjects": _record_subjects(page.object_list),
        },
    )


def _record_source(user: User, query: QueryDict) -> dict[str, object]:
    """The form's starting values for a record started from an overdue item, a 督办单 or a 通报 (each read through
    the user's scope: one out of reach is a 404)."""
    initial: dict[str, object] = {}
    order_id, circular_id, item_id = (big_id(query.get(name, "")) for name in ("order", "circular", "item"))
    if order_id is not None:
        order = supervision_order_get_for_user(user, order_id)
        initial |= {"supervision_order": order.pk, "unit": order.unit_id}
        if order.subject_id is not None:
            initial |= _subject_initial(user, order.subject_type, order.subject_id)
    if circular_id is not None:
        initial["circular"] = circular_get_for_user(user, circular_id).pk
    if item_id is not None:
        item_kind = next((kind for kind in supervision_target_kinds() if kind.field == "item"), None)
        found = _subject_initial(user, item_kind.subject_type, item_id) if item_kind else {}
        if not found:
            raise Http404
        initial |= found
    return initial


def _subject_initial(user: User, subject_type: str, subject_id: int) -> dict[str, object]:
    """The subject's number in its field and its unit as the record's unit; {} when the user may not see it."""
    target = supervision_target_locate(user, subject_type, subject_id)
    field = next((k.field for k in supervision_target_kinds() if k.subject_type == subject_type), None)
    if target is None or field is None:
        return {}
    return {field: target.reference, "unit": target.unit_id}


def _record_source_label(form: AccountabilityRecordForm) -> str:
    """What the record being written was started from, as the form's heading names it."""
    parts = []
    order_id, circular_id = (
        big_id(str(form[name].value() or "")) for name in ("supervision_order", "circular")
    )
    orders, circulars = (form.fields[name].queryset for name in ("supervision_order", "circular"))  # type: ignore[attr-defined]
    order = orders.filter(pk=order_id).first() if order_id is not None else None
    circular = circulars.filter(pk=circular_id).first() if circular_id is not None else None
    if order is not None:
        parts.append(_("督办单 %(number)s") % {"number": order.number})
    if circular is not None:
        parts.append(_("通报 %(number)s") % {"number": circular.number})
    return "、".join(parts)


def _record_subjects(records: Iterable[AccountabilityRecord]) -> dict[int, SubjectSummary]:
    """The number and summary of what each record is about, by record id."""
    records = list(records)
    described = subjects_describe((r.subject_type, r.subject_id) for r in records if r.subject_id is not None)
    return {r.pk: described[(r.subject_type, r.subject_id)] for r in records if r.subject_id is not None}


def _assessment_period(form: AssessmentForm, today: date) -> tuple[Period, str]:
    """The chosen year up to today, split as the form says, and the title naming all of it."""
    year = form.cleaned_data["year"]
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    period = Period(
        start=start,
        end=end,
        today=today,
        basis=form.cleaned_data["basis"],
        channels=form.cleaned_data["channel"],
    )
    title = _("%(year)s年度信访工作考核（%(start)s至%(end)s，%(scope)s）") % {
        "year": year,
        "start": f"{start:%m月%d日}",
        "end": f"{end:%m月%d日}",
        "scope": period.scope_label,
    }
    return period, title


@role_required(Role.LEADER, Role.SECTION_HEAD, Role.SUPERVISOR)
def assessment_page(request: AuthenticatedRequest) -> HttpResponse:
    """The year's measures of the user's unit and of each unit one level down, ranked; Excel with ?format=xlsx.

    The query string chooses the year, the ranking measure, the basis (the unit an item counts under) and the
    channels; every link on the page keeps them.
    """
    root = assessment_unit_for_user(request.user, request.GET.get("unit"))
    today = timezone.localdate()
    form = AssessmentForm(request.GET, today=today)
    context: dict[str, object] = {"root": root, "form": form, "rows": [], "codes": []}
    if not form.is_valid():
        context["title"] = _("年度信访工作考核")
        context["sort"] = request.GET.get("sort", "")
        return render(request, "accountability/assessment.html", context)
    period, title = _assessment_period(form, today)
    sort = form.cleaned_data["sort"]
    rows = assessment_rows(root, period, sort=sort)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(assessment_workbook(rows, period, title), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
        return response
    measures = rows[0].measures
    query = urlencode(
        [
            ("year", period.start.year),
            ("sort", sort),
            ("basis", period.basis),
            *(("channel", code) for code in period.channels),
        ]
    )
    context.update(
        {
            "rows": rows,
            "period": period,
            "title": title,
            "sort": sort,
            "query": query,
            "codes": [(measure.code, measure.label) for measure in measures],
            "scope_note": scope_note(measures),
        }
    )
    return render(request, "accountability/assessment.html", context)


@role_required(Role.SYSTEM_ADMIN, Role.SUPERVISOR)
def ladder_settings(request: AuthenticatedRequest) -> HttpResponse:
    """Every obligation kind with its rungs; the admin edits each rung on its own form, supervisors only read."""
    may_edit = request.user.has_role(Role.SYSTEM_ADMIN)
    return render(request, "accountability/ladder.html", {"rules": ladder_rules(), "may_edit": may_edit})


@role_required(Role.SYSTEM_ADMIN)
def ladder_step_edit(request: AuthenticatedRequest, step_id: int) -> HttpResponse:
    """Change one rung; open deadlines of the kind are re-armed."""
    step = escalation_step_get(step_id)
    initial = {
        "version": step.version,
        "offset_days": step.offset_days,
        "notify": step.notify,
        "opens_supervision": step.opens_supervision,
        "is_active": step.is_active,
    }
    form = EscalationStepForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            fields = dict(form.cleaned_data)
            expected_version = fields.pop("version")
            escalation_step_update(
                actor=request.user, step_id=step.pk, expected_version=expected_version, **fields
            )
        except DomainError as error:
            place_error(form, error)
        else:
            messages.success(request, _("预警升级规则已保存，进行中的时限将按新规则巡检。"))
            return redirect("accountability:ladder")
    return render(request, "accountability/ladder_step.html", {"step": step, "form": form})
