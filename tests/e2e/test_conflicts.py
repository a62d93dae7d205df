"""Browser: two people answer the same 督办单 from pages opened at the same time; the second sees the conflict
above the form with the reply they typed still in it."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accountability.models import SupervisionOrder
from accountability.services.supervision import supervision_issue
from core.choices import Role
from core.models import User
from tests.support.accounts import PASSWORD, Personas, Tree
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.supervision import finding_on


def test_a_reply_saved_after_a_colleagues_is_refused_above_the_form_and_keeps_the_text(
    page: Page,
    browser: Browser,
    base_url: str,
    personas: Personas,
    tree: Tree,
    make_user: Callable[..., User],
):
    make_user(tree.county_a_department, [Role.HANDLER], "handler_a2")
    order = supervision_issue(
        actor=personas.supervisor,
        unit=tree.county_a_department,
        subject=finding_on(tree.county_a_department),
        ground="evasion",
        method="written",
        requirement="请说明拖延原因。",
        issued_on=timezone.localdate(),
    )
    url = f"{base_url}/accountability/supervision/{order.pk}/"
    sign_in(page, base_url, "handler_a", PASSWORD)
    page.goto(url)

    other = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    sign_in(other, base_url, "handler_a2", PASSWORD)
    other.goto(url)
    other.locator("#id_reply").fill("同事先提交的答复。")
    other.get_by_role("button", name="提交答复").click()
    expect(other.get_by_test_id("order-reply")).to_have_text("同事先提交的答复。")
    other.context.close()

    page.locator("#id_reply").fill("我写了很久的答复。")
    page.get_by_role("button", name="提交答复").click()
    error = page.get_by_test_id("reply-form").locator(".form-error")
    expect(error).to_have_text("该督办单已被他人修改，请刷新页面后重试。")
    expect(page.locator("#id_reply")).to_have_value("我写了很久的答复。")
    expect(page.get_by_test_id("order-reply")).to_have_text("同事先提交的答复。")
    page.screenshot(path=str(ARTIFACTS / "supervision-reply-conflict.png"), full_page=True)
    assert SupervisionOrder.objects.get(pk=order.pk).reply == "同事先提交的答复。"
