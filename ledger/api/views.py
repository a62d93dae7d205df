"""API views of the ledger: key cases, screening rounds, reports and findings, sensitive periods and daily reports.

Reads start from the scoped selectors (out of scope is 404); every state change is one POST action calling one
service, whose DomainError becomes 400 at the field, 403 for a role refusal and 409 for a stale version.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accountability.selectors import deadline_views, deadlines_of_subject
from core.api.steps import StepEndpoints
from core.http import api_user
from core.models import User
from ledger.api import serializers as s
from ledger.choices import KEYCASE_SUBJECT, RESOLVE, ReportState
from ledger.filters import KeyCaseFilter
from ledger.models import DailyReport, Finding, KeyCase, ScreeningReport, ScreeningRound, SensitivePeriod
from ledger.selectors import (
    case_item_numbers,
    daily_report_get_for_user,
    daily_reports_for_user,
    daily_reports_of_unit,
    finding_get_for_user,
    findings_for_user,
    keycase_get_for_user,
    keycase_qs_visible_to,
    ledger_rows,
    period_get_for_user,
    periods_for_user,
    progress_of_case,
    round_get_for_user,
    round_reports_for_user,
    rounds_for_user,
    screening_report_get_for_user,
    screening_reports_of_unit,
    strike_off_requests_of_case,
)
from ledger.services import keycases, screening, sensitive

ID = r"\d+"


def _case_detail(user: User, case_id: int, code: int = status.HTTP_200_OK) -> Response:
    case = keycase_get_for_user(user, case_id)
    clocks = [
        view
        for view in deadline_views(deadlines_of_subject(KEYCASE_SUBJECT, case.pk))
        if view.deadline.rule_id == RESOLVE
    ]
    context = {
        "items": case_item_numbers(case),
        "deadline": clocks[-1] if clocks else None,
        "progress": progress_of_case(case),
        "strike_offs": strike_off_requests_of_case(case),
    }
    return Response(s.KeyCaseDetailSerializer(case, context=context).data, status=code)


KEY_CASE_STEPS = StepEndpoints(
    detail_serializer=s.KeyCaseDetailSerializer,
    load=keycase_get_for_user,
    # Moving the case to units outside the caller's subtree: done, but no longer the caller's to read.
    still_visible=lambda user, case: keycase_qs_visible_to(user).filter(pk=case.pk).exists(),
    respond=lambda viewset, user, case: _case_detail(user, case.pk),
    doc="POST {url_path}: one step on the key case; 400 names the field, 403 the role, 409 a stale version.",
)


class KeyCaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):  # type: ignore[type-arg]
    """重点信访问题台账: the caller's units' cases (and the cases they own), overdue first; PATCH edits the
    description, every other change is its own action."""

    filterset_class = KeyCaseFilter
    lookup_value_regex = ID
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[KeyCase]:
        return ledger_rows(self.request.user)

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return s.KeyCaseCreateSerializer
        if self.action == "partial_update":
            return s.KeyCaseUpdateSerializer
        if self.action == "retrieve":
            return s.KeyCaseDetailSerializer
        return s.KeyCaseListSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _case_detail(api_user(request), int(kwargs["pk"]))

    @extend_schema(request=s.KeyCaseCreateSerializer, responses={201: s.KeyCaseDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = api_user(request)
        body = s.KeyCaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = keycases.keycase_create(actor=user, data=body.to_input(body.validated_data["source"]))
        return _case_detail(user, case.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.KeyCaseUpdateSerializer, responses={200: s.KeyCaseDetailSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Edit title, problem, group, source, head count, risk level or measures (audited, versioned)."""
        user = api_user(request)
        case = keycase_get_for_user(user, int(kwargs["pk"]))
        body = s.KeyCaseUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        version = changes.pop("version", None)
        keycases.keycase_update(actor=user, case_id=case.pk, changes=changes, expected_version=version)
        return _case_detail(user, case.pk)

    assign = KEY_CASE_STEPS.action(
        "assign",
        s.CaseAssignSerializer,
        lambda user, case, data: keycases.keycase_assign(
            actor=user,
            case_id=case.pk,
            owner_id=data["owner"],
            responsible_unit_id=data["responsible_unit"],
            responsible_person_id=data["responsible_person"],
            stabilizing_unit_id=data["stabilizing_unit"],
            expected_version=data["version"],
        ),
    )
    set_deadline = KEY_CASE_STEPS.action(
        "set-deadline",
        s.SetDeadlineSerializer,
        lambda user, case, data: keycases.keycase_set_deadline(
            actor=user,
            case_id=case.pk,
            resolve_by=data["resolve_by"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
    )
    link_items = KEY_CASE_STEPS.action(
        "link-items",
        s.LinkItemsSerializer,
        lambda user, case, data: keycases.keycase_link_items(
            actor=user, case_id=case.pk, item_ids=data["items"], expected_version=data["version"]
        ),
    )
    progress = KEY_CASE_STEPS.action(
        "progress",
        s.ProgressSerializer,
        lambda user, case, data: keycases.progress_add(
            actor=user,
            case_id=case.pk,
            reported_on=data["reported_on"],
            done=data["done"],
            next_step=data["next_step"],
            status_after=data["status_after"],
            corrects_id=data["corrects"],
            expected_version=data["version"],
        ),
    )
    request_strike_off = KEY_CASE_STEPS.action(
        "request-strike-off",
        s.StrikeOffAskSerializer,
        lambda user, case, data: keycases.strike_off_request(
            actor=user,
            case_id=case.pk,
            on=data["on"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
    )
    decide_strike_off = KEY_CASE_STEPS.action(
        "decide-strike-off",
        s.StrikeOffDecisionSerializer,
        lambda user, case, data: keycases.strike_off_decide(
            actor=user,
            case_id=case.pk,
            approve=data["approve"],
            on=data["on"],
            note=data["note"],
            new_resolve_by=data["new_resolve_by"],
            expected_version=data["version"],
        ),
    )


class ScreeningRoundViewSet(viewsets.ReadOnlyModelViewSet[ScreeningRound]):
    """排查轮次 with the reports due from the caller's subtree: who filed, who filed late, who has not filed."""

    lookup_value_regex = ID
    filterset_fields = ["frequency"]

    def get_queryset(self) -> QuerySet[ScreeningRound]:
        return rounds_for_user(self.request.user)

    def get_serializer_class(self) -> type[Any]:
        return s.ScreeningRoundDetailSerializer if self.action == "retrieve" else s.ScreeningRoundSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = api_user(request)
        round_ = round_get_for_user(user, int(kwargs["pk"]))
        context = {"reports": round_reports_for_user(user, round_)}
        return Response(s.ScreeningRoundDetailSerializer(round_, context=context).data)


def _report_detail(user: User, report_id: int) -> Response:
    report = screening_report_get_for_user(user, report_id)
    context = {"findings": findings_for_user(user).filter(report=report)}
    return Response(s.ScreeningReportDetailSerializer(report, context=context).data)


class ScreeningReportViewSet(viewsets.ReadOnlyModelViewSet[ScreeningReport]):
    """The caller's unit's screening reports (pending and filed); any report of the subtree may be read."""

    lookup_value_regex = ID
    filterset_fields = ["state"]

    def get_queryset(self) -> QuerySet[ScreeningReport]:
        return screening_reports_of_unit(self.request.user)

    def get_serializer_class(self) -> type[Any]:
        return s.ScreeningReportDetailSerializer if self.action == "retrieve" else s.ScreeningReportSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _report_detail(api_user(request), int(kwargs["pk"]))

    @extend_schema(request=s.ReportFileSerializer, responses=s.ScreeningReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="file")
    def file(self, request: Request, pk: str | None = None) -> Response:
        """File the report with its findings, or as a zero report (零报告); after the due date it is late."""
        user = api_user(request)
        report = screening_report_get_for_user(user, int(pk or 0))
        body = s.ReportFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        screening.screening_report_file(
            actor=user,
            report_id=report.pk,
            data=body.to_input(),
            expected_version=body.validated_data["version"],
        )
        return _report_detail(user, report.pk)


class FindingViewSet(viewsets.ReadOnlyModelViewSet[Finding]):
    """Findings of the screening reports of the caller's subtree; promote one to a key case in one step."""

    serializer_class = s.FindingSerializer
    lookup_value_regex = ID
    filterset_fields = ["risk_level", "focus_area"]

    def get_queryset(self) -> QuerySet[Finding]:
        return findings_for_user(self.request.user)

    @extend_schema(request=s.PromoteSerializer, responses={201: s.KeyCaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="promote")
    def promote(self, request: Request, pk: str | None = None) -> Response:
        """列入台账: a key case from the finding (source 矛盾纠纷排查); the finding links to it."""
        user = api_user(request)
        finding = finding_get_for_user(user, int(pk or 0))
        body = s.PromoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = screening.finding_promote(
            actor=user,
            finding_id=finding.pk,
            data=body.to_promotion(finding),
            expected_version=body.validated_data["version"],
        )
        return _case_detail(user, case.pk, status.HTTP_201_CREATED)


def _period_detail(user: User, period_id: int, code: int = status.HTTP_200_OK) -> Response:
    period = period_get_for_user(user, period_id)
    counts = daily_reports_for_user(user, period).aggregate(
        due=Count("id"),
        filed=Count("id", filter=Q(state=ReportState.FILED)),
        late=Count("id", filter=Q(state=ReportState.FILED_LATE)),
        missing=Count("id", filter=Q(state=ReportState.PENDING)),
    )
    return Response(s.SensitivePeriodDetailSerializer(period, context={"counts": counts}).data, status=code)


class SensitivePeriodViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):  # type: ignore[type-arg]
    """敏感时期 covering the caller's units (administrators: the ones they defined); define one; end one early."""

    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[SensitivePeriod]:
        return periods_for_user(self.request.user).prefetch_related("units")

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return s.SensitivePeriodCreateSerializer
        if self.action == "retrieve":
            return s.SensitivePeriodDetailSerializer
        return s.SensitivePeriodSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _period_detail(api_user(request), int(kwargs["pk"]))

    @extend_schema(
        request=s.SensitivePeriodCreateSerializer, responses={201: s.SensitivePeriodDetailSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = api_user(request)
        body = s.SensitivePeriodCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        period = sensitive.sensitive_period_create(
            actor=user,
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            unit_ids=list(data["units"]),
            note=data["note"],
        )
        return _period_detail(user, period.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.PeriodEndSerializer, responses=s.SensitivePeriodDetailSerializer)
    @action(detail=True, methods=["post"], url_path="end")
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the period early: `on` is its last reporting day; pending reports of later days are withdrawn."""
        user = api_user(request)
        period = period_get_for_user(user, int(pk or 0))
        body = s.PeriodEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sensitive.sensitive_period_end(
            actor=user,
            period_id=period.pk,
            on=body.validated_data["on"],
            expected_version=body.validated_data["version"],
        )
        return _period_detail(user, period.pk)


class DailyReportViewSet(viewsets.ReadOnlyModelViewSet[DailyReport]):
    """The caller's unit's daily reports of sensitive periods (pending and filed); file one."""

    serializer_class = s.DailyReportSerializer
    lookup_value_regex = ID
    filterset_fields = ["state"]

    def get_queryset(self) -> QuerySet[DailyReport]:
        return daily_reports_of_unit(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = daily_report_get_for_user(api_user(request), int(kwargs["pk"]))
        return Response(s.DailyReportSerializer(report).data)

    @extend_schema(request=s.DailyFileSerializer, responses=s.DailyReportSerializer)
    @action(detail=True, methods=["post"], url_path="file")
    def file(self, request: Request, pk: str | None = None) -> Response:
        """File the day's report; a zero report (零报告) needs no content."""
        user = api_user(request)
        report = daily_report_get_for_user(user, int(pk or 0))
        body = s.DailyFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sensitive.daily_report_file(
            actor=user,
            report_id=report.pk,
            is_zero=body.validated_data["is_zero"],
            content=body.validated_data["content"],
            expected_version=body.validated_data["version"],
        )
        return Response(s.DailyReportSerializer(daily_report_get_for_user(user, report.pk)).data)
