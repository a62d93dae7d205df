"""Shared steps of every item write: lock, check the transition and the actor's standing, record the event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.services.deadlines import Subject
from core.errors import DomainError
from core.models import Unit, User
from core.versioning import bump_version, check_version
from petitions.choices import ITEM_SUBJECT, TRANSITIONS, Action, Reach, Status
from petitions.models import Item, ItemEvent


def subject_of(item: Item) -> Subject:
    """The item as the clock engine names it."""
    return Subject(type=ITEM_SUBJECT, id=item.pk)


def in_subtree(unit: Unit | None, of: Unit) -> bool:
    """True when `unit` is `of` or below it."""
    return of.contains(unit)


def strictly_above(upper: Unit, lower: Unit | None) -> bool:
    """True when `upper` is an ancestor of `lower` (not the same unit)."""
    return upper.is_above(lower)


def check_date(on: date, *, field: str = "on", not_before: date | None = None) -> date:
    """A step's date may be entered after the fact but never in the future."""
    if on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天。"), field=field)
    if not_before is not None and on < not_before:
        raise DomainError(_("日期不能早于%(day)s。") % {"day": not_before.isoformat()}, field=field)
    return on


def check_step_date(item: Item, on: date) -> None:
    """A step cannot be dated before the step it follows (dates may be entered after the fact, in order)."""
    # Registration may be typed long after receipt, so the floor is the receipt date, then each later step;
    # deliveries, attachments and repeats are not steps.
    steps = item.events.filter(action__in=Action.values).exclude(action=Action.REGISTER)
    last = steps.order_by("-effective_on").values_list("effective_on", flat=True).first()
    last = max(last, item.received_on) if last else item.received_on
    if on < last:
        raise DomainError(_("日期不能早于%(day)s。") % {"day": last.isoformat()}, field="on")


def lock_item(item_id: int, expected_version: int | None = None) -> Item:
    """Lock the item row; refuse when the caller edited a version that has since changed."""
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("registered_unit", "responsible_unit", "review_unit", "recheck_unit")
        .get(pk=item_id)
    )
    check_version(item, expected_version, _("该信访件已被他人修改，请刷新页面后重试。"))
    return item


def check_transition(item: Item, action: str, actor: User) -> str | None:
    """Refuse an action the status table does not allow from here, or an actor without the role."""
    transition = TRANSITIONS[action]
    if item.status not in transition.sources:
        raise DomainError(
            _("当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": Status(item.status).label, "action": Action(action).label},
            code="illegal_transition",
        )
    if not actor.has_role(*transition.roles):
        raise DomainError(
            _("您的角色不能执行“%(action)s”。") % {"action": Action(action).label}, code="forbidden"
        )
    return transition.target


def has_standing(actor: User, item: Item, action: str) -> bool:
    """Whether the actor's unit stands to one of the item's units that take this step as its transition says:
    at or above it, strictly above it (the body asked for 复查/复核), or the very unit (its own head)."""
    transition = TRANSITIONS[action]
    units = [getattr(item, name) for name in transition.standing]
    if transition.reach == Reach.ABOVE:
        return any(strictly_above(actor.unit, unit) for unit in units)
    if transition.reach == Reach.OWN:
        return any(unit is not None and unit.pk == actor.unit_id for unit in units)
    return any(in_subtree(unit, actor.unit) for unit in units)


def require_standing(actor: User, item: Item, action: str) -> None:
    """Refuse an actor whose unit does not take this step on this item."""
    if not has_standing(actor, item, action):
        raise DomainError(_("该事项不在您单位的办理范围内。"), code="forbidden")


@dataclass(frozen=True)
class StepStart:
    """A locked item at the start of a step: where the step leads and the status it leaves."""

    item: Item
    action: str
    target: str | None
    from_status: str

    @property
    def moves_to(self) -> str:
        """The status a moving step leads to (a step that keeps the status has none)."""
        if self.target is None:
            raise ValueError("this step does not change the status")
        return self.target


def step_begin(actor: User, item_id: int, action: str, on: date, expected_version: int | None) -> StepStart:
    """Every step's opening checks, in one order: lock the item (refusing a stale version), the step's date, the
    status table and the role, then the unit's standing. Call inside the step's transaction."""
    item = lock_item(item_id, expected_version)
    check_step_date(item, on)
    target = check_transition(item, action, actor)
    require_standing(actor, item, action)
    return StepStart(item, action, target, item.status)


def record_event(
    item: Item,
    action: str,
    *,
    actor: User | None,
    on: date,
    from_status: str = "",
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> ItemEvent:
    """Append a step to the item's timeline."""
    return ItemEvent.objects.create(
        item=item,
        action=action,
        effective_on=on,
        from_status=from_status,
        to_status=item.status,
        actor=actor,
        actor_unit=actor.unit if actor is not None else None,
        note=note,
        detail=detail or {},
    )


def save_item(item: Item, fields: list[str]) -> None:
    """Save the changed fields and bump the version used to detect concurrent edits."""
    item.save(update_fields=bump_version(item, [*fields, "updated_at"]))
