"""The 督办单 and 追责 block an item's or a key case's page includes, and a lookup the record list uses."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone

from accountability.selectors import (
    accountability_records_of_subject,
    subject_overdue,
    supervision_order_rows,
    supervision_orders_of_subject,
)
from accountability.subjects import SubjectSummary, supervision_target_kinds, supervision_target_locate
from core.choices import Role
from core.models import User

register = template.Library()


@register.filter
def record_subject(subjects: dict[int, SubjectSummary], record_id: int) -> SubjectSummary | None:
    """What one record is about, from the list's lookup by record id."""
    return subjects.get(record_id) if isinstance(subjects, dict) else None


@register.inclusion_tag("accountability/_subject_supervision.html", takes_context=True)
def supervision_block(context: dict[str, Any], subject_type: str, subject_id: int) -> dict[str, Any]:
    """The 督办单 on one subject and its 追责 records, as the user may see them, with the supervisor's links to issue
    a 督办单 on it and (when it is overdue) to start a 追责 record from it."""
    user = context["request"].user
    if not isinstance(user, User) or not user.is_authenticated or user.is_admin_role:
        return {"shown": False}
    orders = supervision_order_rows(supervision_orders_of_subject(user, subject_type, subject_id)[:20])
    records = list(accountability_records_of_subject(user, subject_type, subject_id)[:20])
    issue_link = record_link = ""
    if user.has_role(Role.SUPERVISOR):
        kind = next((k for k in supervision_target_kinds() if k.subject_type == subject_type), None)
        target = supervision_target_locate(user, subject_type, subject_id) if kind else None
        if kind and target:
            query = urlencode({kind.field: target.reference})
            issue_link = f"{reverse('accountability:supervision_create')}?{query}"
            if kind.field == "item" and subject_overdue(subject_type, subject_id, timezone.localdate()):
                record_link = f"{reverse('accountability:record_list')}?item={subject_id}"
    return {
        "shown": True,
        "orders": orders,
        "records": records,
        "issue_link": issue_link,
        "record_link": record_link,
    }
