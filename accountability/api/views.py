"""API views of 督办单, 通报 and 追责 records: the pages' selectors and services behind REST endpoints.

Reads start from the selectors scoped to the caller's unit subtree (anything else is 404); the admin roles, who have
no supervision pages, get 403. Issuing, replying, closing, circulating and recording each call the one service the
page calls, inside its own audited transaction; a refusal is 400 at the field, or 403 when the caller's role or side
may not do it at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accountability.api import serializers as s
from accountability.models import AccountabilityRecord, Circular, SupervisionOrder
from accountability.selectors import (
    accountability_records_for_user,
    circular_get_for_user,
    circulars_for_user,
    supervision_order_get_for_user,
    supervision_orders_for_user,
    supervision_reply_clocks,
)
from accountability.services.supervision import (
    accountability_record_create,
    circular_issue,
    supervision_close,
    supervision_issue,
    supervision_may_close,
    supervision_may_reply,
    supervision_reply,
)
from accountability.subjects import subjects_describe
from core.api.serializers import VersionSerializer
from core.auth.roles import has_any_role
from core.choices import BUSINESS_ROLES, Role
from core.errors import DomainError
from core.http import api_user
from core.models import User

ID = r"\d+"
BusinessRoles = has_any_role(*BUSINESS_ROLES)


def _caller(request: Request) -> User:
    """The caller for a scoped queryset; the schema generator's anonymous request is scoped to no unit at all."""
    return cast(User, request.user)


def _refuse_unless(allowed: bool, message: str) -> None:
    """A role or side that may not take this step at all is a 403, before the body is looked at."""
    if not allowed:
        raise DomainError(message, code="forbidden")


def _orders_data(user: User, orders: Iterable[SupervisionOrder]) -> Any:
    rows = list(orders)
    context = {
        "user": user,
        "clocks": supervision_reply_clocks(order.pk for order in rows),
        "subjects": subjects_describe(
            (order.subject_type, order.subject_id) for order in rows if order.subject_id is not None
        ),
    }
    return s.SupervisionOrderSerializer(rows, many=True, context=context).data


def _order_detail(user: User, order_id: int, code: int = status.HTTP_200_OK) -> Response:
    order = supervision_order_get_for_user(user, order_id)
    return Response(_orders_data(user, [order])[0], status=code)


class SupervisionOrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):  # type: ignore[type-arg]
    """督办单 the caller's units received or issued; `status` filters like the page's tabs. Supervisors issue one,
    the supervised unit replies (`reply`), the issuing side closes it (`close`)."""

    permission_classes = [BusinessRoles]
    lookup_value_regex = ID
    filterset_fields = ["status"]
    ordering_fields = ["issued_on", "number"]

    def get_queryset(self) -> QuerySet[SupervisionOrder]:
        return supervision_orders_for_user(_caller(self.request))

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return s.SupervisionIssueSerializer
        return s.SupervisionOrderSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(_orders_data(api_user(request), page or []))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _order_detail(api_user(request), int(kwargs["pk"]))

    @extend_schema(request=s.SupervisionIssueSerializer, responses={201: s.SupervisionOrderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Issue a 督办单 dated today to a unit of the caller's subtree; the unit's reply clock starts."""
        user = api_user(request)
        _refuse_unless(user.has_role(Role.SUPERVISOR), _("只有督查人员可以发出督办单。"))
        body = s.SupervisionIssueSerializer(data=request.data, context={"user": user})
        body.is_valid(raise_exception=True)
        order = supervision_issue(actor=user, issued_on=timezone.localdate(), **body.validated_data)
        return _order_detail(user, order.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.SupervisionReplySerializer, responses=s.SupervisionOrderSerializer)
    @action(detail=True, methods=["post"], url_path="reply")
    def reply(self, request: Request, pk: str | None = None) -> Response:
        """The supervised unit answers in writing; the reply clock stops, on time or late."""
        user = api_user(request)
        order = supervision_order_get_for_user(user, int(pk or 0))
        _refuse_unless(supervision_may_reply(user, order), _("只有被督办单位的人员可以答复督办单。"))
        body = s.SupervisionReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        supervision_reply(actor=user, order=order, expected_version=data.pop("version"), **data)
        return _order_detail(user, order.pk)

    @extend_schema(request=VersionSerializer, responses=s.SupervisionOrderSerializer)
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request: Request, pk: str | None = None) -> Response:
        """The issuing side accepts the reply and closes the 督办单."""
        user = api_user(request)
        order = supervision_order_get_for_user(user, int(pk or 0))
        _refuse_unless(supervision_may_close(user, order), _("只有督办单位的督查人员可以办结督办单。"))
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        supervision_close(actor=user, order=order, expected_version=body.validated_data["version"])
        return _order_detail(user, order.pk)


class CircularViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):  # type: ignore[type-arg]
    """通报 issued by the caller's units or naming the caller's unit from above, newest first, each with the rows
    frozen when it was issued; supervisors issue one for a period."""

    permission_classes = [BusinessRoles]
    lookup_value_regex = ID
    ordering_fields = ["issued_at", "period_end"]

    def get_queryset(self) -> QuerySet[Circular]:
        return circulars_for_user(_caller(self.request))

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return s.CircularIssueSerializer
        if self.action == "retrieve":
            return s.CircularDetailSerializer
        return s.CircularSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        circular = circular_get_for_user(api_user(request), int(kwargs["pk"]))
        return Response(s.CircularDetailSerializer(circular).data)

    @extend_schema(request=s.CircularIssueSerializer, responses={201: s.CircularDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Freeze the period's 通报 for the caller's unit subtree and archive it."""
        user = api_user(request)
        _refuse_unless(user.has_role(Role.SUPERVISOR), _("只有督查人员可以发出通报。"))
        body = s.CircularIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        circular = circular_issue(actor=user, **body.validated_data)
        fresh = circular_get_for_user(user, circular.pk)
        return Response(s.CircularDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)


class AccountabilityRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):  # type: ignore[type-arg]
    """追责 records of units in the caller's subtree, latest decision first; supervisors record one."""

    permission_classes = [BusinessRoles]
    lookup_value_regex = ID
    filterset_fields = ["liability", "measure"]
    ordering_fields = ["decided_on", "created_at"]

    def get_queryset(self) -> QuerySet[AccountabilityRecord]:
        return accountability_records_for_user(_caller(self.request))

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return s.AccountabilityRecordCreateSerializer
        return s.AccountabilityRecordSerializer

    @extend_schema(
        request=s.AccountabilityRecordCreateSerializer, responses={201: s.AccountabilityRecordSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a 追责 decision against one person of a unit in the caller's subtree."""
        user = api_user(request)
        _refuse_unless(user.has_role(Role.SUPERVISOR), _("只有督查人员可以登记追责。"))
        body = s.AccountabilityRecordCreateSerializer(data=request.data, context={"user": user})
        body.is_valid(raise_exception=True)
        record = accountability_record_create(actor=user, **body.validated_data)
        fresh = accountability_records_for_user(user).get(pk=record.pk)
        return Response(s.AccountabilityRecordSerializer(fresh).data, status=status.HTTP_201_CREATED)
