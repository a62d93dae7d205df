"""API views of petition items: scoped reads, registration, one POST per step (never a PATCH of status)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.steps import StepEndpoints
from core.http import api_user
from petitions.api import serializers as s
from petitions.choices import AttachmentKind
from petitions.filters import ItemFilter
from petitions.item_list.reach_ids import item_reach_ids, items_in_order, order_with_tie_break
from petitions.models import Item
from petitions.selectors import (
    item_deadlines,
    item_get_for_user,
    item_list_for_user,
    item_petitioners,
    item_qs_visible_to,
)
from petitions.services.documents import document_deliver
from petitions.services.intake import item_register
from petitions.services.particulars import item_petitioner_correct
from petitions.services.reveal import petitioner_reveal
from petitions.steps import STEPS


class ItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):  # type: ignore[type-arg]
    """信访事项: GET list/detail (scoped to the caller's unit subtree, personal data masked), POST to register."""

    filterset_class = ItemFilter
    lookup_value_regex = r"\d+"  # anything else is a 404, never a server error
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["received_on", "number", "registered_at", "obligation_due_on"]

    @cached_property
    def _filters(self) -> ItemFilter:
        """The request's item filters, built once per request: the default order and the reach both read them."""
        request = getattr(self, "request", None)
        return ItemFilter((request.query_params or None) if request else None, request=request)

    @property
    def ordering(self) -> tuple[str, ...]:
        """The list page's default order for the same filters (most pressing first for overdue and due-soon)."""
        return self._filters.default_ordering()

    def get_queryset(self) -> QuerySet[Item]:
        return item_list_for_user(self.request.user).select_related("registered_unit")  # the API row names it

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Read through the items' reach where the filters and order allow (petitions.item_list.reach_ids), with the
        # same page rules, count and links as the list read from the items; any other list reads the items. (No
        # docstring: the API documentation keeps the class's description for this operation.)
        items = self.get_queryset()
        chosen = OrderingFilter().get_ordering(request, items, self)
        reach_ids = item_reach_ids(api_user(request), self._filters, order_with_tie_break(chosen or ()))
        if reach_ids is None:
            return super().list(request, *args, **kwargs)
        page_ids = self.paginate_queryset(reach_ids) or []
        rows = self.get_serializer(items_in_order(items, page_ids), many=True)
        return self.get_paginated_response(rows.data)

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return s.ItemCreateSerializer
        if self.action == "retrieve":
            return s.ItemDetailSerializer
        return s.ItemListSerializer

    def _detail(self, user: Any, item_id: int, code: int = status.HTTP_200_OK) -> Response:
        item = item_get_for_user(user, item_id)
        context = {"petitioners": item_petitioners(item), "deadlines": item_deadlines(item)}
        return Response(s.ItemDetailSerializer(item, context=context).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(api_user(request), int(kwargs["pk"]))

    @extend_schema(request=s.ItemCreateSerializer, responses={201: s.ItemDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = api_user(request)
        body = s.ItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        intake = body.to_intake()
        intake.submission_key = intake.submission_key or request.headers.get("Idempotency-Key", "")
        files = [(AttachmentKind.LETTER_SCAN, f) for f in request.FILES.getlist("letter_scan")]
        files += [(AttachmentKind.EVIDENCE, f) for f in request.FILES.getlist("evidence")]
        item = item_register(actor=user, data=intake, files=files)
        return self._detail(user, item.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.PetitionerCorrectionSerializer, responses=s.ItemDetailSerializer)
    @action(detail=True, methods=["post"], url_path="correct-petitioner")
    def correct_petitioner(self, request: Request, pk: str | None = None) -> Response:
        """Correct one person's particulars as recorded on this item (the registering unit only); other items
        keep theirs. 400 names the field, 403 the role or unit, 409 a stale version."""
        user = api_user(request)
        item = item_get_for_user(user, int(pk or 0))
        body = s.PetitionerCorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not item.item_petitioners.filter(petitioner_id=body.validated_data["petitioner"]).exists():
            return Response({"detail": "未找到。"}, status=status.HTTP_404_NOT_FOUND)
        item_petitioner_correct(
            actor=user,
            item_id=item.pk,
            person_id=body.validated_data["petitioner"],
            change=body.correction(),
            expected_version=body.validated_data["version"],
        )
        return self._detail(user, item.pk)

    @extend_schema(request=s.DeliverSerializer, responses=s.DocumentDeliverySerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"documents/(?P<document_id>[0-9]{1,18})/deliver",
        url_name="document-deliver",
    )
    def deliver_document(self, request: Request, pk: str | None = None, document_id: str = "0") -> Response:
        """Record a document's delivery (送达): date, method, receiver and, for 邮寄, the tracking number; a 处理意见书's
        复查 window (a 复查意见书's 复核 window) then runs from that date. 400 names the field, 403 the role or unit;
        404 for an item outside the caller's units or a document of another item."""
        user = api_user(request)
        item = item_get_for_user(user, int(pk or 0))
        document = item.documents.filter(pk=int(document_id)).first()
        if document is None:
            return Response({"detail": "未找到。"}, status=status.HTTP_404_NOT_FOUND)
        body = s.DeliverSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        delivered = document_deliver(actor=user, document_id=document.pk, **body.validated_data)
        return Response(s.DocumentDeliverySerializer(delivered).data)

    @extend_schema(request=s.RevealSerializer, responses=s.RevealedSerializer)
    @action(detail=True, methods=["post"], url_path="reveal")
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full value of one masked field of a petitioner on this item; recorded in the audit log."""
        user = api_user(request)
        item = item_get_for_user(user, int(pk or 0))
        body = s.RevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link = item.item_petitioners.filter(petitioner_id=body.validated_data["petitioner"]).first()
        if link is None:
            return Response({"detail": "未找到。"}, status=status.HTTP_404_NOT_FOUND)
        value = petitioner_reveal(
            actor=user,
            link=link,
            field=body.validated_data["field"],
            item_number=item.number,
        )
        return Response({"value": value})


ITEM_STEPS = StepEndpoints(
    detail_serializer=s.ItemDetailSerializer,
    load=item_get_for_user,
    # 退回异议 hands the item back to the office: done, but no longer the caller's to read.
    still_visible=lambda user, item: item_qs_visible_to(user).filter(pk=item.pk).exists(),
    respond=lambda viewset, user, item: viewset._detail(user, item.pk),
    doc=(
        "POST {url_path}: one life-cycle step; 400 names the field, 403 the role, 409 a stale version; "
        "204 when the step left the item outside the caller's units."
    ),
)

# One POST action per declared step (petitions.steps), under the step's own name: /items/{id}/accept/ …
for _declaration in STEPS.values():
    setattr(
        ItemViewSet,
        StepEndpoints.attribute(_declaration.action),
        ITEM_STEPS.action(_declaration.action, _declaration.serializer, _declaration.perform),
    )
