"""Stale edits of 督办单, ladder rungs and deadline rules: refused with the conflict message (409 in the API),
nothing written."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape

import pytest
from django.utils import timezone

from accountability.choices import SupervisionStatus
from accountability.models import DeadlineRule, EscalationStep, SupervisionOrder
from accountability.services.deadlines import deadline_rule_update
from accountability.services.ladder import escalation_step_update
from accountability.services.supervision import supervision_close, supervision_issue, supervision_reply
from core.choices import Role
from core.errors import ConflictError
from core.models import User
from tests.support.accounts import Personas, Tree
from tests.support.ladder import DUTY
from tests.support.supervision import finding_on
from tests.versioning import bumped, in_form_error, nothing_written

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/accountability/supervision-orders/"
STALE_ORDER = "该督办单已被他人修改，请刷新页面后重试。"


@pytest.fixture
def colleague(tree: Tree, make_user: Callable[..., User]) -> User:
    """A second handler of the supervised unit, who may reply as well."""
    return make_user(tree.county_a_department, [Role.HANDLER], "handler_a2")


@pytest.fixture
def order(tree: Tree, personas: Personas) -> SupervisionOrder:
    return supervision_issue(
        actor=personas.supervisor,
        unit=tree.county_a_department,
        subject=finding_on(tree.county_a_department),
        ground="evasion",
        method="written",
        requirement="请说明拖延原因。",
        issued_on=timezone.localdate(),
    )


def reply_by(user: User, order: SupervisionOrder, text: str = "已约谈施工方。") -> None:
    supervision_reply(actor=user, order=order, reply=text, replied_on=timezone.localdate())


def test_a_reply_typed_while_a_colleague_replied_is_refused_above_the_form_and_kept(
    order, personas, colleague, client_for
):
    page = client_for(personas.handler_a).get(f"/accountability/supervision/{order.pk}/")
    assert 'name="version" value="1"' in page.content.decode()
    reply_by(colleague, order, "同事的答复。")
    client = client_for(personas.handler_a)
    with nothing_written(order):
        response = client.post(
            f"/accountability/supervision/{order.pk}/",
            {"reply": "我的答复。", "replied_on": timezone.localdate().isoformat(), "version": "1"},
        )
    html = unescape(response.content.decode())
    assert in_form_error(html, STALE_ORDER)
    assert "同事的答复。" in html
    assert "我的答复。" in html
    assert SupervisionOrder.objects.get(pk=order.pk).reply == "同事的答复。"


def test_a_reply_on_a_stale_version_is_refused_by_the_service_before_any_other_check(
    order, personas, colleague
):
    reply_by(colleague, order)
    with nothing_written(order), pytest.raises(ConflictError) as refused:
        supervision_reply(
            actor=personas.handler_a,
            order=order,
            reply="我的答复。",
            replied_on=timezone.localdate(),
            expected_version=1,
        )
    assert refused.value.message == STALE_ORDER


def test_a_reply_form_refused_as_stale_keeps_the_typed_reply_at_the_top_of_the_form(
    order, personas, client_for
):
    # A stale version while the order is still open: someone reloaded an old copy of the page.
    SupervisionOrder.objects.filter(pk=order.pk).update(version=2)
    client = client_for(personas.handler_a)
    with nothing_written(order):
        response = client.post(
            f"/accountability/supervision/{order.pk}/",
            {"reply": "我的答复，写了很久。", "replied_on": timezone.localdate().isoformat(), "version": "1"},
        )
    html = unescape(response.content.decode())
    assert in_form_error(html, STALE_ORDER)
    assert "我的答复，写了很久。" in html


def test_closing_from_a_stale_page_is_refused_with_the_conflict_message(order, personas, client_for):
    reply_by(personas.handler_a, order)
    version = bumped(order)
    supervision_close(actor=personas.supervisor, order=order, expected_version=version)
    client = client_for(personas.supervisor)
    with nothing_written(order):
        response = client.post(f"/accountability/supervision/{order.pk}/close/", {"version": str(version)})
    assert response.status_code == 302
    assert STALE_ORDER in client.get(response["Location"]).content.decode()


def test_the_api_answers_a_stale_reply_and_a_stale_close_with_409(order, personas, colleague, api_for):
    assert api_for(personas.handler_a).get(f"{ORDERS}{order.pk}/").json()["version"] == 1
    reply_by(colleague, order)
    with nothing_written(order):
        stale_reply = api_for(personas.handler_a).post(
            f"{ORDERS}{order.pk}/reply/", {"reply": "我的答复。", "version": 1}, format="json"
        )
    assert stale_reply.status_code == 409
    assert stale_reply.json() == {"non_field_errors": [STALE_ORDER]}
    with nothing_written(order):
        stale_close = api_for(personas.supervisor).post(
            f"{ORDERS}{order.pk}/close/", {"version": 1}, format="json"
        )
    assert stale_close.status_code == 409
    closed = api_for(personas.supervisor).post(f"{ORDERS}{order.pk}/close/", {"version": 2}, format="json")
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["version"]) == (SupervisionStatus.CLOSED, 3)


def test_a_rung_edited_from_a_stale_page_is_refused_at_the_top_and_keeps_the_input(
    ladder, personas, client_for
):
    warning = EscalationStep.objects.get(rule_id=DUTY, step="warning")
    admin = client_for(personas.system_admin)
    assert 'name="version" value="1"' in admin.get(f"/accountability/ladder/{warning.pk}/").content.decode()
    escalation_step_update(
        actor=personas.system_admin,
        step_id=warning.pk,
        offset_days=-2,
        notify=["handler"],
        opens_supervision=False,
        is_active=True,
    )
    with nothing_written(warning):
        response = admin.post(
            f"/accountability/ladder/{warning.pk}/",
            {"offset_days": "-7", "notify": ["handler", "section_head"], "is_active": "on", "version": "1"},
        )
    html = response.content.decode()
    assert in_form_error(html, "该预警升级规则已被他人修改，请刷新页面后重试。")
    assert 'value="-7"' in html


def test_a_deadline_rule_changed_from_a_stale_version_is_refused(ladder, personas):
    rule = DeadlineRule.objects.get(pk=DUTY)
    deadline_rule_update(
        actor=personas.system_admin,
        kind=DUTY,
        days=12,
        day_unit=rule.day_unit,
        roll_forward=False,
        warn_days_before=3,
        expected_version=rule.version,
    )
    with nothing_written(rule), pytest.raises(ConflictError) as refused:
        deadline_rule_update(
            actor=personas.system_admin,
            kind=DUTY,
            days=15,
            day_unit=rule.day_unit,
            roll_forward=False,
            warn_days_before=3,
            expected_version=rule.version,
        )
    assert refused.value.message == "该时限规则已被他人修改，请刷新页面后重试。"
