"""The life-cycle steps a user can take on the item page: one form and one service call per action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from core.models import User
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
    StepForm,
)
from petitions.models import Item
from petitions.services import lifecycle
from petitions.services.common import in_subtree, strictly_above


@dataclass(frozen=True)
class Step:
    """An action with its form and the call that performs it with the form's cleaned data."""

    action: str
    form: type[StepForm]
    perform: Callable[..., Any]
    needs_user_for_form: bool = False


def _common(data: dict[str, Any]) -> dict[str, Any]:
    return {"on": data["on"], "expected_version": data.get("version")}


STEPS: dict[str, Step] = {
    Action.ASSIGN: Step(
        Action.ASSIGN,
        AssignForm,
        lambda actor, item, d: lifecycle.item_assign(
            actor=actor, item_id=item.pk, unit_id=d["unit"].pk, note=d["note"], **_common(d)
        ),
        needs_user_for_form=True,
    ),
    Action.ACCEPT: Step(
        Action.ACCEPT,
        AcceptForm,
        lambda actor, item, d: lifecycle.item_accept(
            actor=actor, item_id=item.pk, note=d["note"], **_common(d)
        ),
    ),
    Action.REJECT: Step(
        Action.REJECT,
        RejectForm,
        lambda actor, item, d: lifecycle.item_reject(
            actor=actor, item_id=item.pk, route=d["route"], reason=d["reason"], **_common(d)
        ),
    ),
    Action.OBJECT: Step(
        Action.OBJECT,
        ObjectForm,
        lambda actor, item, d: lifecycle.item_object(
            actor=actor, item_id=item.pk, reason=d["reason"], **_common(d)
        ),
    ),
    Action.REQUEST_EXTENSION: Step(
        Action.REQUEST_EXTENSION,
        RequestExtensionForm,
        lambda actor, item, d: lifecycle.item_request_extension(
            actor=actor, item_id=item.pk, days=d["days"], reason=d["reason"], **_common(d)
        ),
    ),
    Action.EXTEND: Step(
        Action.EXTEND,
        ExtendForm,
        lambda actor, item, d: lifecycle.item_extend(
            actor=actor,
            item_id=item.pk,
            approve=d["approve"],
            days=d["days"],
            reason=d["reason"],
            **_common(d),
        ),
    ),
    Action.REPLY: Step(
        Action.REPLY,
        ReplyForm,
        lambda actor, item, d: lifecycle.item_reply(
            actor=actor, item_id=item.pk, outcome=d["outcome"], opinion=d["opinion"], **_common(d)
        ),
    ),
    Action.EVALUATE: Step(
        Action.EVALUATE,
        EvaluateForm,
        lambda actor, item, d: lifecycle.item_evaluate(
            actor=actor, item_id=item.pk, satisfaction=d["satisfaction"], **_common(d)
        ),
    ),
    Action.REQUEST_REVIEW: Step(
        Action.REQUEST_REVIEW,
        StepForm,
        lambda actor, item, d: lifecycle.item_request_review(actor=actor, item_id=item.pk, **_common(d)),
    ),
    Action.REVIEW_DECISION: Step(
        Action.REVIEW_DECISION,
        DecisionForm,
        lambda actor, item, d: lifecycle.item_review_decision(
            actor=actor, item_id=item.pk, decision=d["decision"], opinion=d["opinion"], **_common(d)
        ),
    ),
    Action.REQUEST_RECHECK: Step(
        Action.REQUEST_RECHECK,
        StepForm,
        lambda actor, item, d: lifecycle.item_request_recheck(actor=actor, item_id=item.pk, **_common(d)),
    ),
    Action.HEARING_START: Step(
        Action.HEARING_START,
        HearingForm,
        lambda actor, item, d: lifecycle.item_hearing(
            actor=actor, item_id=item.pk, starting=True, note=d["note"], **_common(d)
        ),
    ),
    Action.HEARING_END: Step(
        Action.HEARING_END,
        HearingForm,
        lambda actor, item, d: lifecycle.item_hearing(
            actor=actor, item_id=item.pk, starting=False, note=d["note"], **_common(d)
        ),
    ),
    Action.RECHECK_DECISION: Step(
        Action.RECHECK_DECISION,
        DecisionForm,
        lambda actor, item, d: lifecycle.item_recheck_decision(
            actor=actor, item_id=item.pk, decision=d["decision"], opinion=d["opinion"], **_common(d)
        ),
    ),
    Action.CLOSE: Step(
        Action.CLOSE,
        CloseForm,
        lambda actor, item, d: lifecycle.item_close(
            actor=actor, item_id=item.pk, reason=d["reason"], note=d["note"], **_common(d)
        ),
    ),
}


def _standing(user: User, item: Item, action: str) -> bool:
    """Whether the user's unit is the one that takes this step (the service checks again, under lock)."""
    if action in (Action.ASSIGN,):
        return in_subtree(item.registered_unit, user.unit)
    if action in (Action.REQUEST_REVIEW,):
        return strictly_above(user.unit, item.responsible_unit)
    if action in (Action.REQUEST_RECHECK,):
        return strictly_above(user.unit, item.review_unit)
    if action in (Action.REVIEW_DECISION,):
        return in_subtree(item.review_unit, user.unit)
    if action in (Action.HEARING_START, Action.HEARING_END, Action.RECHECK_DECISION):
        return in_subtree(item.recheck_unit, user.unit)
    if action in (Action.CLOSE, Action.EVALUATE):
        return in_subtree(item.registered_unit, user.unit) or in_subtree(item.responsible_unit, user.unit)
    return in_subtree(item.responsible_unit, user.unit)


def steps_for(
    user: User, item: Item, *, hearing_running: bool = False, pending_extension: bool = False
) -> list[str]:
    """The actions this user may offer on this item now, in life-cycle order."""
    available = []
    for action, transition in TRANSITIONS.items():
        if item.status not in transition.sources or not user.has_role(*transition.roles):
            continue
        if not _standing(user, item, action):
            continue
        if action == Action.HEARING_START and hearing_running:
            continue
        if action == Action.HEARING_END and not hearing_running:
            continue
        if action == Action.RECHECK_DECISION and hearing_running:
            continue
        if action == Action.REQUEST_EXTENSION and pending_extension:
            continue
        if action == Action.EXTEND and not pending_extension:
            continue
        if action == Action.EVALUATE and (
            item.satisfaction or (item.status == Status.CLOSED and not item.replied_on)
        ):
            continue
        available.append(action)
    return available


def step_form(
    step: Step,
    user: User,
    data: Any = None,
    *,
    prefix: str | None = None,
    initial: dict[str, Any] | None = None,
) -> forms.Form:
    """The step's form, bound to POST data or unbound for display."""
    kwargs: dict[str, Any] = {"prefix": prefix, "initial": initial}
    if step.needs_user_for_form:
        kwargs["user"] = user
    return step.form(data, **kwargs) if data is not None else step.form(**kwargs)
