"""API views of core: units, the signed-in user, administrative divisions, the calendar and the audit log."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.serializers import (
    AuditEventSerializer,
    CalendarDayQuerySerializer,
    CalendarDaySerializer,
    CalendarYearSerializer,
    DivisionSerializer,
    DueDateQuerySerializer,
    DueDateSerializer,
    MeSerializer,
    QueueSerializer,
    UnitSerializer,
)
from core.auth.roles import has_any_role
from core.choices import Role
from core.filters import AuditEventFilter
from core.http import api_user
from core.models import AuditEvent, CalendarDay, Division, Unit
from core.queues import queues_for
from core.selectors import (
    audit_event_qs_visible_to,
    calendar_days_between,
    calendar_snapshot,
    calendar_year_qs,
    division_children,
    division_qs,
    division_search,
    unit_qs_visible_to,
    unit_qs_with_parent_id,
)
from core.workcalendar import compute_due_date


class UnitViewSet(viewsets.ReadOnlyModelViewSet[Unit]):
    """Units in the caller's subtree; any other unit is 404."""

    serializer_class = UnitSerializer
    filterset_fields = ["kind", "level", "is_active"]
    ordering_fields = ["path", "name", "code"]
    ordering = ["path"]

    def get_queryset(self) -> QuerySet[Unit]:
        return unit_qs_with_parent_id(unit_qs_visible_to(self.request.user))


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet[AuditEvent]):
    """The audit log, for the audit admin."""

    serializer_class = AuditEventSerializer
    permission_classes = [has_any_role(Role.AUDIT_ADMIN)]
    filterset_class = AuditEventFilter
    ordering_fields = ["occurred_at", "id"]

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return audit_event_qs_visible_to(self.request.user).order_by("-occurred_at", "-id")


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in user, their unit and roles."""
    return Response(MeSerializer(api_user(request)).data)


QUEUE_API_PAGE = 20


@extend_schema(responses=QueueSerializer(many=True))
@api_view(["GET"])
def my_queue(request: Request) -> Response:
    """The caller's work queues for their roles: each with its count and first rows (a card of the day's numbers:
    its figures)."""
    queues = [
        {
            "name": name,
            "title": str(page.title),
            "count": page.count,
            "items": page.rows,
            "figures": page.figures,
        }
        for name, page in queues_for(api_user(request), limit=QUEUE_API_PAGE)
    ]
    return Response(QueueSerializer(queues, many=True).data)


@extend_schema(parameters=[DueDateQuerySerializer], responses=DueDateSerializer)
@api_view(["GET"])
def calendar_due(request: Request) -> Response:
    """The due date the clock engine computes for a start date and a period."""
    query = DueDateQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    roll_forward = query.validated_data["roll_forward"]
    result = compute_due_date(
        start_on=query.validated_data["start"],
        days=query.validated_data["days"],
        unit=query.validated_data["unit"],
        roll_forward=settings.XF_DEADLINE_ROLL_FORWARD if roll_forward is None else roll_forward,
        calendar=calendar_snapshot(),
    )
    return Response(DueDateSerializer(instance=result).data)  # type: ignore[arg-type]


class CalendarYearViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Years whose holiday schedule is in the calendar."""

    serializer_class = CalendarYearSerializer
    pagination_class = None
    lookup_field = "year"

    def get_queryset(self) -> QuerySet:  # type: ignore[type-arg]
        return calendar_year_qs()


@extend_schema_view(list=extend_schema(parameters=[CalendarDayQuerySerializer]))
class CalendarDayViewSet(viewsets.ReadOnlyModelViewSet[CalendarDay]):
    """Holidays and make-up working days; `year` picks one year."""

    serializer_class = CalendarDaySerializer
    pagination_class = None
    lookup_field = "date"

    def get_queryset(self) -> QuerySet[CalendarDay]:
        query = CalendarDayQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year")
        if year is None:
            return calendar_days_between(first=date(2000, 1, 1), last=date(2100, 12, 31))
        return calendar_days_between(first=date(year, 1, 1), last=date(year, 12, 31))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("parent", str, description="上级区划代码；缺省时列出省级区划"),
            OpenApiParameter("q", str, description="按名称（包含）或代码（开头）查找；给出时忽略 parent"),
        ]
    ),
    retrieve=extend_schema(description="One active division by its code."),
)
class DivisionViewSet(viewsets.ReadOnlyModelViewSet[Division]):
    """Administrative divisions (public reference data): the children of `parent`, or those matching `q`."""

    serializer_class = DivisionSerializer
    lookup_field = "code"
    lookup_value_regex = "[0-9]{1,12}"
    filter_backends: list[type] = []  # the selectors define the order: by code, or by level then code

    def get_queryset(self) -> QuerySet[Division]:
        if self.action != "list":
            return division_qs()
        term = self.request.query_params.get("q", "").strip()[:50]
        if term:
            return division_search(term, limit=None)
        parent = self.request.query_params.get("parent", "").strip()
        return division_children(parent or None)
