"""Every life-cycle step declared once: its form, API serializer, service and arguments, read by page and API.

Who may take a step, from which statuses and from which of the item's units is the step's `Transition` in
`petitions.choices`; the service checks it again under the item's lock. Adding a step: see
docs/development/adding-a-step.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import Model

from core.models import User
from petitions.api import serializers as s
from petitions.choices import TRANSITIONS, Action, Status
from petitions.forms import (
    AcceptForm,
    AssignForm,
    CloseForm,
    DecisionForm,
    EvaluateForm,
    ExtendForm,
    HearingForm,
    ObjectForm,
    RejectForm,
    ReplyForm,
    RequestExtensionForm,
    ReworkForm,
    StepForm,
)
from petitions.models import Item
from petitions.selectors import ItemSituation
from petitions.services import lifecycle
from petitions.services.common import has_standing


@dataclass(frozen=True)
class Argument:
    """A service keyword filled from a validated field of another name (a chosen unit travels as its id)."""

    keyword: str
    field: str


def _always(item: Item, situation: ItemSituation) -> bool:
    return True


def _no_initial(item: Item, situation: ItemSituation) -> dict[str, Any]:
    return {}


def _plain(value: Any) -> Any:
    """A form's chosen record as its id, the way the API names it; any other value unchanged."""
    return value.pk if isinstance(value, Model) else value


@dataclass(frozen=True)
class StepDeclaration:
    """One step: the page's form, the API's serializer, the service and the fields it takes, and when the page
    offers it beyond the status table (a hearing running, an extension pending, a reply not yet delivered)."""

    action: Action
    form: type[StepForm]
    serializer: type[s.StepSerializer]
    service: Callable[..., object]
    arguments: tuple[str | Argument, ...] = ()
    fixed: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    offered: Callable[[Item, ItemSituation], bool] = _always
    initial: Callable[[Item, ItemSituation], dict[str, Any]] = _no_initial
    form_needs_user: bool = False

    def form_for(
        self,
        user: User,
        data: Any = None,
        *,
        prefix: str | None = None,
        initial: dict[str, Any] | None = None,
    ) -> StepForm:
        """The step's form for the item page, bound to POST data or unbound for display."""
        kwargs: dict[str, Any] = {"prefix": prefix, "initial": initial}
        if self.form_needs_user:
            kwargs["user"] = user
        return self.form(data, **kwargs) if data is not None else self.form(**kwargs)

    def perform(self, actor: User, item: Item, data: Mapping[str, Any]) -> object:
        """Call the service with the step's validated data (the page's cleaned form or the API's body)."""
        keywords = {
            (name.keyword if isinstance(name, Argument) else name): _plain(
                data[name.field if isinstance(name, Argument) else name]
            )
            for name in self.arguments
        }
        return self.service(
            actor=actor,
            item_id=item.pk,
            on=data["on"],
            expected_version=data.get("version"),
            **keywords,
            **self.fixed,
        )


def _extension_initial(item: Item, situation: ItemSituation) -> dict[str, Any]:
    pending = situation.pending_extension
    return {"days": pending.days, "reason": pending.reason} if pending is not None else {}


def _evaluable(item: Item, situation: ItemSituation) -> bool:
    return not item.satisfaction and not (item.status == Status.CLOSED and not item.replied_on)


STEPS: dict[str, StepDeclaration] = {
    declaration.action: declaration
    for declaration in (
        StepDeclaration(
            Action.ASSIGN, AssignForm, s.AssignSerializer, lifecycle.item_assign,
            (Argument("unit_id", "unit"), "note"), form_needs_user=True,
        ),
        StepDeclaration(Action.ACCEPT, AcceptForm, s.NoteSerializer, lifecycle.item_accept, ("note",)),
        StepDeclaration(Action.REJECT, RejectForm, s.RejectSerializer, lifecycle.item_reject, ("route", "reason")),
        StepDeclaration(Action.OBJECT, ObjectForm, s.ObjectSerializer, lifecycle.item_object, ("reason",)),
        StepDeclaration(
            Action.REQUEST_EXTENSION, RequestExtensionForm, s.RequestExtensionSerializer,
            lifecycle.item_request_extension, ("days", "reason"),
            offered=lambda item, situation: situation.pending_extension is None,
        ),
        StepDeclaration(
            Action.EXTEND, ExtendForm, s.ExtendSerializer, lifecycle.item_extend, ("approve", "days", "reason"),
            offered=lambda item, situation: situation.pending_extension is not None,
            initial=_extension_initial,
        ),
        StepDeclaration(Action.REPLY, ReplyForm, s.ReplySerializer, lifecycle.item_reply, ("outcome", "opinion")),
        StepDeclaration(
            Action.REWORK, ReworkForm, s.ReworkSerializer, lifecycle.item_rework, ("reason",),
            offered=lambda item, situation: not situation.reply_delivered and not item.satisfaction,
        ),
        StepDeclaration(
            Action.EVALUATE, EvaluateForm, s.EvaluateSerializer, lifecycle.item_evaluate, ("satisfaction",),
            offered=_evaluable,
        ),
        StepDeclaration(Action.REQUEST_REVIEW, StepForm, s.StepSerializer, lifecycle.item_request_review),
        StepDeclaration(
            Action.REVIEW_DECISION, DecisionForm, s.DecisionSerializer, lifecycle.item_review_decision,
            ("decision", "opinion"),
        ),
        StepDeclaration(Action.REQUEST_RECHECK, StepForm, s.StepSerializer, lifecycle.item_request_recheck),
        StepDeclaration(
            Action.HEARING_START, HearingForm, s.NoteSerializer, lifecycle.item_hearing, ("note",),
            fixed=MappingProxyType({"starting": True}),
            offered=lambda item, situation: not situation.hearing_running,
        ),
        StepDeclaration(
            Action.HEARING_END, HearingForm, s.NoteSerializer, lifecycle.item_hearing, ("note",),
            fixed=MappingProxyType({"starting": False}),
            offered=lambda item, situation: situation.hearing_running,
        ),
        StepDeclaration(
            Action.RECHECK_DECISION, DecisionForm, s.DecisionSerializer, lifecycle.item_recheck_decision,
            ("decision", "opinion"),
            offered=lambda item, situation: not situation.hearing_running,
        ),
        StepDeclaration(Action.CLOSE, CloseForm, s.CloseSerializer, lifecycle.item_close, ("reason", "note")),
    )
}  # fmt: skip


def steps_for(user: User, item: Item, situation: ItemSituation) -> list[StepDeclaration]:
    """The steps this user may offer on this item now, in life-cycle order (the service checks again)."""
    offered = []
    for action, transition in TRANSITIONS.items():
        declaration = STEPS[action]
        if item.status not in transition.sources or not user.has_role(*transition.roles):
            continue
        if has_standing(user, item, action) and declaration.offered(item, situation):
            offered.append(declaration)
    return offered
