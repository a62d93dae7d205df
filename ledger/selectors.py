"""Every read of the ledger, starting from what the user's unit subtree (or ownership) allows."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.models import Deadline
from accountability.subjects import SubjectSummary
from core.models import Unit, User
from core.selectors import AnyUser
from ledger.choices import (
    DAILY_SUBJECT,
    OPEN_CASE_STATUSES,
    SCREENING_SUBJECT,
    STALE_PROGRESS_DAYS,
    ReportState,
    StrikeOffState,
)
from ledger.models import (
    DailyReport,
    Finding,
    KeyCase,
    KeyCaseItem,
    ProgressReport,
    ScreeningReport,
    ScreeningRound,
    SensitivePeriod,
    StrikeOffRequest,
)


def keycase_qs_visible_to(user: AnyUser) -> QuerySet[KeyCase]:
    """Cases kept, handled or stabilized by a unit in the user's subtree, and cases the user owns.

    The three admin roles never read case content.
    """
    if not user.is_authenticated or user.is_admin_role:
        return KeyCase.objects.none()
    unit = user.unit
    return KeyCase.objects.filter(
        unit.subtree_q("office__")
        | unit.subtree_q("responsible_unit__")
        | unit.subtree_q("stabilizing_unit__")
        | Q(owner=user)
    )


def ledger_rows(user: AnyUser, *, today: date | None = None) -> QuerySet[KeyCase]:
    """The ledger as a section head reads it: overdue first, then by 化解时限, with stale-progress flags."""
    today = today or timezone.localdate()
    open_case = Q(status__in=OPEN_CASE_STATUSES)
    last_activity = Coalesce("last_progress_on", "opened_on", output_field=DateField())
    return (
        keycase_qs_visible_to(user)
        .select_related("owner", "responsible_unit", "responsible_person", "stabilizing_unit", "office")
        .alias(last_activity=last_activity)
        .annotate(
            is_overdue=Case(
                When(open_case & Q(resolve_by__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            is_stale=Case(
                When(
                    open_case & Q(last_activity__lt=today - timedelta(days=STALE_PROGRESS_DAYS)),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            item_count=_linked_item_count(),
        )
        .order_by("-is_overdue", "resolve_by", "id")
    )


def _linked_item_count() -> Coalesce:
    """How many items are linked to the case, counted in a subquery: a join and GROUP BY over every selected
    column made PostgreSQL spend several times longer planning the ledger's query than running it."""
    links = (
        KeyCaseItem.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(links, output_field=IntegerField()), 0)


def keycase_get_for_user(user: AnyUser, case_id: int) -> KeyCase:
    """One visible case with its people and units, or 404."""
    case = ledger_rows(user).select_related("created_by").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def cases_owned_by(user: User) -> QuerySet[KeyCase]:
    """The leader's own cases (包案), most urgent first."""
    return ledger_rows(user).filter(owner=user)


EXPORT_FIELDS = (
    "number",
    "title",
    "problem",
    "group_concerned",
    "head_count",
    "source",
    "risk_level",
    "measures",
    "resolve_by",
    "status",
    "item_count",
    "latest_progress_on",
    "latest_progress_done",
    "owner__full_name",
    "responsible_unit__name",
    "responsible_person__full_name",
    "stabilizing_unit__name",
)


def keycase_export_values(cases: QuerySet[KeyCase]) -> QuerySet[KeyCase, dict]:
    """Flat values of cases already read through `ledger_rows` (scoped, filtered) for the Excel export: names of
    people and units, and the latest progress report; iterate with .iterator() to keep memory flat."""
    latest = ProgressReport.objects.filter(case=OuterRef("pk")).order_by("-reported_on", "-id")
    return cases.annotate(
        latest_progress_on=Subquery(latest.values("reported_on")[:1]),
        latest_progress_done=Subquery(latest.values("done")[:1]),
    ).values(*EXPORT_FIELDS)


def progress_of_case(case: KeyCase) -> QuerySet[ProgressReport]:
    """Progress reports of a case the caller already got through a scoped selector, newest first."""
    return case.progress_reports.select_related("author", "unit", "corrects").order_by("-reported_on", "-id")


def strike_off_requests_of_case(case: KeyCase) -> QuerySet:
    """Strike-off requests of a visible case, oldest first."""
    return case.strike_off_requests.select_related("requested_by", "decided_by").order_by(
        "requested_on", "id"
    )


def strike_offs_to_decide(user: AnyUser) -> QuerySet[StrikeOffRequest]:
    """Pending strike-off (销号) requests a section head may decide: of cases their unit or a unit below it keeps
    (台账管理单位), not asked for by themselves — the two checks of strike_off_decide —, oldest first. Read
    through the partial index of pending requests (strikeoff_one_pending_per_case)."""
    if not user.is_authenticated or not user.has_role("section_head"):
        return StrikeOffRequest.objects.none()
    return (
        StrikeOffRequest.objects.filter(user.unit.subtree_q("case__office__"), state=StrikeOffState.PENDING)
        .exclude(requested_by=user)
        .order_by("requested_on", "id")
    )


def rounds_for_user(user: AnyUser) -> QuerySet[ScreeningRound]:
    """Rounds with counts of the reports due from the user's subtree (filed, late, missing)."""
    if not user.is_authenticated or user.is_admin_role:
        return ScreeningRound.objects.none()
    mine = user.unit.subtree_q("reports__unit__")
    return (
        ScreeningRound.objects.annotate(
            due_count=Count("reports", filter=mine),
            filed_count=Count("reports", filter=mine & Q(reports__state=ReportState.FILED)),
            late_count=Count("reports", filter=mine & Q(reports__state=ReportState.FILED_LATE)),
            missing_count=Count("reports", filter=mine & Q(reports__state=ReportState.PENDING)),
        )
        .filter(due_count__gt=0)
        .order_by("-period_start", "frequency")
    )


def round_get_for_user(user: AnyUser, round_id: int) -> ScreeningRound:
    round_ = rounds_for_user(user).filter(pk=round_id).first()
    if round_ is None:
        raise Http404
    return round_


def _overdue_deadline(subject_type: str) -> Exists:
    return Exists(
        Deadline.objects.filter(
            subject_type=subject_type,
            subject_id=OuterRef("pk"),
            status=DeadlineStatus.OPEN,
            due_on__lt=timezone.localdate(),
        )
    )


def round_reports_for_user(user: User, round_: ScreeningRound) -> QuerySet[ScreeningReport]:
    """Reports of the round from the user's subtree, with an overdue flag for missing ones."""
    return (
        round_.reports.filter(user.unit.subtree_q("unit__"))
        .select_related("unit", "filed_by")
        .annotate(is_overdue=_overdue_deadline(SCREENING_SUBJECT), finding_count=Count("findings"))
        .order_by("unit__path")
    )


def screening_report_get_for_user(user: AnyUser, report_id: int) -> ScreeningReport:
    """A report of a unit in the user's subtree, or 404."""
    if not user.is_authenticated or user.is_admin_role:
        raise Http404
    report = (
        ScreeningReport.objects.filter(user.unit.subtree_q("unit__"), pk=report_id)
        .select_related("round", "unit", "filed_by")
        .annotate(is_overdue=_overdue_deadline(SCREENING_SUBJECT), due_on=_due_on(SCREENING_SUBJECT))
        .first()
    )
    if report is None:
        raise Http404
    return report


def findings_for_user(user: AnyUser) -> QuerySet[Finding]:
    """Findings of reports from the user's subtree, newest round first."""
    if not user.is_authenticated or user.is_admin_role:
        return Finding.objects.none()
    return (
        Finding.objects.filter(user.unit.subtree_q("report__unit__"))
        .select_related("report__round", "report__unit", "division", "promoted_case")
        .order_by("-report__round__period_start", "id")
    )


def finding_get_for_user(user: AnyUser, finding_id: int) -> Finding:
    finding = findings_for_user(user).filter(pk=finding_id).first()
    if finding is None:
        raise Http404
    return finding


def reports_to_file(user: AnyUser) -> dict[str, list]:
    """What the user's own unit still has to file: screening reports and sensitive-period daily reports."""
    if not user.is_authenticated or user.is_admin_role:
        return {"screening": [], "daily": []}
    screening = (
        ScreeningReport.objects.filter(unit=user.unit, state=ReportState.PENDING)
        .select_related("round")
        .annotate(is_overdue=_overdue_deadline(SCREENING_SUBJECT))
        .order_by("round__period_start")
    )
    daily = (
        DailyReport.objects.filter(unit=user.unit, state=ReportState.PENDING)
        .select_related("period")
        .annotate(is_overdue=_overdue_deadline(DAILY_SUBJECT))
        .order_by("day")
    )
    return {"screening": list(screening), "daily": list(daily)}


def periods_running(today: date | None = None) -> QuerySet[SensitivePeriod]:
    """Sensitive periods in force today (the banner shows them to every user)."""
    today = today or timezone.localdate()
    return SensitivePeriod.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("starts_on")


def periods_for_user(user: AnyUser) -> QuerySet[SensitivePeriod]:
    """Periods covering a unit in the user's subtree or above it; admins who define them see all they made."""
    if not user.is_authenticated:
        return SensitivePeriod.objects.none()
    if user.is_admin_role:
        return SensitivePeriod.objects.filter(created_by=user).order_by("-starts_on")
    path = user.unit.path
    ancestors_and_self = [path[:length] for length in range(Unit.steplen, len(path) + 1, Unit.steplen)]
    return (
        SensitivePeriod.objects.filter(Q(units__path__in=ancestors_and_self) | user.unit.subtree_q("units__"))
        .distinct()
        .order_by("-starts_on")
    )


def period_get_for_user(user: AnyUser, period_id: int) -> SensitivePeriod:
    period = periods_for_user(user).filter(pk=period_id).first()
    if period is None:
        raise Http404
    return period


def daily_reports_for_user(user: User, period: SensitivePeriod) -> QuerySet[DailyReport]:
    """Daily reports of the period from the user's subtree, newest day first, with overdue flags."""
    return (
        period.daily_reports.filter(user.unit.subtree_q("unit__"))
        .select_related("unit", "filed_by")
        .annotate(is_overdue=_overdue_deadline(DAILY_SUBJECT))
        .order_by("-day", "unit__path")
    )


def daily_report_get_for_user(user: AnyUser, report_id: int) -> DailyReport:
    if not user.is_authenticated or user.is_admin_role:
        raise Http404
    report = (
        DailyReport.objects.filter(user.unit.subtree_q("unit__"), pk=report_id)
        .select_related("period", "unit")
        .annotate(is_overdue=_overdue_deadline(DAILY_SUBJECT), due_on=_due_on(DAILY_SUBJECT))
        .first()
    )
    if report is None:
        raise Http404
    return report


def leaders_for_case_owner(user: AnyUser) -> QuerySet[User]:
    """Active leaders a section head may name as 包案领导: in the user's unit, above it, or below it."""
    if not isinstance(user, User) or not user.is_active:
        return User.objects.none()
    path = user.unit.path
    line = [path[:length] for length in range(Unit.steplen, len(path) + 1, Unit.steplen)]
    return (
        User.objects.filter(Q(unit__path__in=line) | user.unit.subtree_q("unit__"), is_active=True)
        .filter(roles__contains=["leader"])
        .select_related("unit")
        .order_by("unit__path", "full_name", "pk")
    )


def people_for_cases(user: AnyUser) -> QuerySet[User]:
    """Active business accounts in the user's subtree, to name as 责任人."""
    if not isinstance(user, User) or not user.is_active:
        return User.objects.none()
    return (
        User.objects.filter(user.unit.subtree_q("unit__"), is_active=True)
        .exclude(roles__overlap=["system_admin", "security_admin", "audit_admin"])
        .select_related("unit")
        .order_by("unit__path", "full_name", "pk")
    )


def case_item_numbers(case: KeyCase) -> list[str]:
    """Numbers of the items linked to a case the caller already got through a scoped selector (numbers only:
    no petitioner data travels with a key case)."""
    return list(case.item_links.order_by("item__number").values_list("item__number", flat=True))


def _due_on(subject_type: str) -> Subquery:
    return Subquery(
        Deadline.objects.filter(subject_type=subject_type, subject_id=OuterRef("pk"))
        .order_by("-id")
        .values("due_on")[:1],
        output_field=DateField(),
    )


def screening_reports_of_unit(user: AnyUser) -> QuerySet[ScreeningReport]:
    """The user's own unit's screening reports, pending and filed, newest round first, with due date."""
    if not user.is_authenticated or user.is_admin_role:
        return ScreeningReport.objects.none()
    return (
        ScreeningReport.objects.filter(unit=user.unit)
        .select_related("round", "unit", "filed_by")
        .annotate(
            is_overdue=_overdue_deadline(SCREENING_SUBJECT),
            due_on=_due_on(SCREENING_SUBJECT),
            finding_count=Count("findings"),
        )
        .order_by("-round__period_start", "round__frequency", "id")
    )


def daily_reports_of_unit(user: AnyUser) -> QuerySet[DailyReport]:
    """The user's own unit's sensitive-period daily reports, pending and filed, newest day first."""
    if not user.is_authenticated or user.is_admin_role:
        return DailyReport.objects.none()
    return (
        DailyReport.objects.filter(unit=user.unit)
        .select_related("period", "unit", "filed_by")
        .annotate(is_overdue=_overdue_deadline(DAILY_SUBJECT), due_on=_due_on(DAILY_SUBJECT))
        .order_by("-day", "id")
    )


def keycases_describe(case_ids: list[int]) -> dict[int, SubjectSummary]:
    """The ledger number and title of each key case (what a notification names), in one query; unscoped: the
    caller names only cases the notified person was told of."""
    return {
        pk: SubjectSummary(number, title)
        for pk, number, title in KeyCase.objects.filter(pk__in=case_ids).values_list("pk", "number", "title")
    }
