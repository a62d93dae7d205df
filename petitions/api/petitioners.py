"""API of persons across items: find by one search term or by resident ID number, read a file; only through the
caller's reach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.audit.record import audit_record
from core.http import api_user
from core.idcard import id_number_validate
from core.models import User
from core.pii import mask_id_number, mask_name, mask_phone
from petitions.api.serializers import ItemListSerializer
from petitions.models import Petitioner
from petitions.petitioner_file import (
    person_file,
    person_items_visible,
    person_latest_particulars,
    persons_by_id_number,
    persons_in_reach,
    repeat_register,
)
from petitions.search import PERSONAL_KINDS, TERM_MAX, persons_matching

SEARCH_ITEMS = 20  # items listed with each person found; the whole list is at /petitioners/{id}/items/


class PetitionerSearchSerializer(serializers.Serializer[dict[str, Any]]):
    """The search, in the body, never in the address: one term `q` (item number, name, name with the last 4–6
    characters of the ID number, ID number, phone, content words) or, as before, a resident ID number."""

    q = serializers.CharField(max_length=TERM_MAX, required=False, allow_blank=False)
    id_number = serializers.CharField(max_length=20, required=False)

    def validate_id_number(self, value: str) -> str:
        return id_number_validate(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("q", "").strip() and not attrs.get("id_number"):
            raise serializers.ValidationError({"q": [_("请输入搜索内容。")]})
        return attrs


class UnitCountSerializer(serializers.Serializer[Any]):
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    items = serializers.IntegerField()


class PersonSerializer(serializers.Serializer[Any]):
    """A person as the caller may see them: the latest particulars from an item in reach, masked."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="脱敏")
    phone = serializers.CharField(help_text="脱敏")
    item_count = serializers.IntegerField()
    first_received_on = serializers.DateField(allow_null=True)
    latest_received_on = serializers.DateField(allow_null=True)
    per_unit = UnitCountSerializer(many=True, help_text="按登记单位统计的可见件次")
    repeat_items = serializers.IntegerField(help_text="重复件件次")
    marked_items = serializers.IntegerField(help_text="标记为越级访、进京访或赴省访的件次")
    units_involved = serializers.IntegerField(help_text="涉及单位数（登记单位与责任单位）")


class RepeatRegisterQuerySerializer(serializers.Serializer[dict[str, Any]]):
    """The register's filters: at least `min_items` items (default 3) received from `since` to `until`
    (default the last 12 months)."""

    min_items = serializers.IntegerField(min_value=2, max_value=100, required=False, default=3)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["until"] = attrs.get("until") or timezone.localdate()
        attrs["since"] = attrs.get("since") or attrs["until"] - timedelta(days=365)
        if attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"since": _("开始日期不能晚于结束日期。")})
        return attrs


class RepeatRegisterRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="petitioner_id")
    name = serializers.SerializerMethodField(help_text="脱敏")
    item_count = serializers.IntegerField(source="items")
    first_received_on = serializers.DateField(source="first")
    latest_received_on = serializers.DateField(source="latest")

    def get_name(self, row: dict[str, Any]) -> str:
        return mask_name(row["name"] or "")


class PersonFoundSerializer(PersonSerializer):
    items = ItemListSerializer(many=True, help_text="最近的可见信访件（至多20件）")


def _person(user: User, person_id: int) -> dict[str, Any]:
    """The person's file as the caller may see it; Http404 when no item of theirs is in reach."""
    found = person_file(user, person_id)
    latest = person_latest_particulars(user, person_id)
    if found is None or latest is None:
        raise Http404
    return {
        "id": found.person.pk,
        "name": latest.name,
        "id_number": mask_id_number(latest.id_number),
        "phone": mask_phone(latest.phone),
        "item_count": found.item_count,
        "first_received_on": found.first_received_on,
        "latest_received_on": found.latest_received_on,
        "per_unit": found.per_unit,
        "repeat_items": found.repeat_items,
        "marked_items": found.marked_items,
        "units_involved": found.units_involved,
    }


def _audited(user: User, action_name: str, person: Petitioner | None, detail: dict[str, Any]) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action=action_name,
            target=person,
            object_type="petitions.petitioner",
            changed_fields=[],
            detail=detail,
        )


class PetitionerViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """信访人: found by a search term or resident ID number and read as a file, only through items in the caller's reach.

    A person none of whose items the caller may see is answered exactly like an unknown one: an empty list, or 404.
    Searches and reads are recorded in the audit log; ID numbers and phones are masked.
    """

    lookup_value_regex = r"\d+"
    serializer_class = PersonSerializer
    filter_backends: list[type] = []  # the items come newest first; no caller-chosen order or filter

    def get_queryset(self) -> QuerySet[Petitioner]:
        """The persons in the caller's reach (the schema reads the model from here; the actions read through
        petitions.petitioner_file)."""
        return persons_in_reach(self.request.user)

    @extend_schema(request=PetitionerSearchSerializer, responses=PersonFoundSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="search", pagination_class=None)
    def search(self, request: Request) -> Response:
        """Persons found by the term (or the resident ID number) with at least one item in the caller's reach, each
        with their latest items in reach; an unknown person and one out of reach are the same empty list."""
        user = api_user(request)
        body = PetitionerSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        term = body.validated_data.get("q", "").strip()
        if term:
            matched = persons_matching(user, term)
            people = [Petitioner(pk=person_id) for person_id in matched.person_ids]
            by: object = [kind for kind in matched.kinds if kind in PERSONAL_KINDS] or list(matched.kinds)
        else:
            people = persons_by_id_number(user, body.validated_data["id_number"])
            by = "id_number"
        _audited(
            user,
            "petitions.petitioner.searched",
            people[0] if len(people) == 1 else None,
            {"by": by, "found": len(people)},
        )
        found = []
        for person in people:
            row = _person(user, person.pk)
            items = person_items_visible(user, person.pk).select_related(
                "category", "registered_unit", "responsible_unit", "original"
            )
            found.append({**row, "items": items[:SEARCH_ITEMS]})
        return Response(PersonFoundSerializer(found, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """The person's file: counts of their items in the caller's reach, per registering unit."""
        user = api_user(request)
        row = _person(user, int(pk or 0))
        _audited(user, "petitions.petitioner.viewed", Petitioner(pk=row["id"]), {"what": "file"})
        return Response(PersonSerializer(row).data)

    @extend_schema(
        parameters=[RepeatRegisterQuerySerializer], responses=RepeatRegisterRowSerializer(many=True)
    )
    @action(detail=False, methods=["get"], url_path="repeat-register")
    def repeat_register(self, request: Request) -> Response:
        """重信重访: persons with at least `min_items` items in the caller's reach received in the period, most
        items first (names masked; paginated)."""
        user = api_user(request)
        if user.is_admin_role:
            raise PermissionDenied
        query = RepeatRegisterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = repeat_register(
            user,
            min_items=query.validated_data["min_items"],
            since=query.validated_data["since"],
            until=query.validated_data["until"],
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RepeatRegisterRowSerializer(page, many=True).data)

    @extend_schema(responses=ItemListSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="items")
    def items(self, request: Request, pk: str | None = None) -> Response:
        """The person's items in the caller's reach, newest first (paginated like the item list)."""
        user = api_user(request)
        person_id = int(pk or 0)
        items = person_items_visible(user, person_id).select_related(
            "category", "registered_unit", "responsible_unit", "original"
        )
        if not items.exists():
            raise Http404
        _audited(user, "petitions.petitioner.viewed", Petitioner(pk=person_id), {"what": "items"})
        page = self.paginate_queryset(items)
        return self.get_paginated_response(ItemListSerializer(page, many=True).data)
