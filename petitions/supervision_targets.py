"""How a 督办单 or a 追责 record finds the item it is about: by its number or id, only among items the user sees."""

from __future__ import annotations

from accountability.subjects import SupervisionTarget, TargetKind, supervision_target_register
from core.selectors import AnyUser
from core.text import first_line
from petitions.choices import ITEM_SUBJECT
from petitions.models import Item
from petitions.selectors import item_qs_visible_to


def _target(item: Item) -> SupervisionTarget:
    return SupervisionTarget(
        subject_type=ITEM_SUBJECT,
        subject_id=item.pk,
        unit_id=item.responsible_unit_id or item.registered_unit_id,
        reference=item.number,
        summary=first_line(item.summary),
    )


def item_target_find(user: AnyUser, reference: str) -> SupervisionTarget | None:
    """The visible item with this 信访件编号."""
    item = item_qs_visible_to(user).filter(number=reference).first()
    return None if item is None else _target(item)


def item_target_locate(user: AnyUser, item_id: int) -> SupervisionTarget | None:
    """The visible item with this id."""
    item = item_qs_visible_to(user).filter(pk=item_id).first()
    return None if item is None else _target(item)


def register_supervision_targets() -> None:
    """Let 督办单 be issued on items."""
    supervision_target_register(
        TargetKind(
            field="item",
            subject_type=ITEM_SUBJECT,
            label="信访事项",
            hint="信访件编号",
            find=item_target_find,
            locate=item_target_locate,
        )
    )
