"""Browser: signing in, the lockout after five failures, and the menu each role gets."""

from __future__ import annotations

import re
from base64 import b32encode

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.support.accounts import PASSWORD, authenticator_for, otp_code
from tests.support.browser import enter_code, sign_in


def test_a_clerk_signs_in_with_the_keyboard_and_sees_the_home_page(page: Page, base_url: str, personas):
    sign_in(page, base_url, "clerk_a", PASSWORD)
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.get_by_test_id("role-labels")).to_have_text("登记员")
    expect(page.locator(".user-unit")).to_have_text("城关区")


def test_five_wrong_passwords_lock_the_account_and_say_so(page: Page, base_url: str, personas):
    for attempt in range(1, 5):
        sign_in(page, base_url, "clerk_a", f"wrong-{attempt}")
        expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码不正确。")
    sign_in(page, base_url, "clerk_a", "wrong-5")
    expect(page.get_by_test_id("login-error")).to_contain_text("已被锁定")
    sign_in(page, base_url, "clerk_a", PASSWORD)
    expect(page.get_by_test_id("login-error")).to_contain_text("15分钟")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_an_unknown_account_gets_exactly_the_same_answers(page: Page, base_url: str, personas):
    for attempt in range(1, 5):
        sign_in(page, base_url, "no_such_person", f"wrong-{attempt}")
        expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码不正确。")
    sign_in(page, base_url, "no_such_person", "wrong-5")
    expect(page.get_by_test_id("login-error")).to_contain_text("已被锁定")


def nav_labels(page: Page) -> list[str]:
    return [text.strip() for text in page.get_by_test_id("main-nav").locator("a").all_inner_texts()]


def test_each_role_gets_its_own_menu(page: Page, base_url: str, personas):
    expected = {
        "clerk_a": (["工作台", "单位", "工作日历", "期限计算"], ["审计日志", "节假日录入", "账号与角色"]),
        "auditor": (["工作台", "工作日历", "审计日志"], ["单位", "期限计算", "节假日录入", "账号与角色"]),
        "sysadmin": (["工作台", "单位", "节假日录入", "账号与角色"], ["审计日志", "期限计算"]),
        "secadmin": (["工作台", "账号与角色"], ["审计日志", "节假日录入", "期限计算"]),
    }
    for username, (present, absent) in expected.items():
        page.context.clear_cookies()
        sign_in(page, base_url, username, PASSWORD)
        expect(page.get_by_role("heading", name="工作台")).to_be_visible()
        labels = nav_labels(page)
        assert set(present) <= set(labels), (username, labels)
        assert not set(absent) & set(labels), (username, labels)


def test_the_audit_admin_finds_a_failed_sign_in_in_the_audit_log(page: Page, base_url: str, personas):
    sign_in(page, base_url, "clerk_b", "wrong-password")
    page.context.clear_cookies()
    sign_in(page, base_url, "auditor", PASSWORD)
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("账号").fill("clerk_b")
    page.get_by_role("button", name="筛选").click()
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("core.auth.login_failed")
    expect(table).to_contain_text("失败")


def test_a_system_admin_sees_the_missing_calendar_warning_and_enters_the_notice(
    page: Page, base_url: str, personas
):
    sign_in(page, base_url, "sysadmin", PASSWORD)
    expect(page.get_by_test_id("calendar-warning")).to_contain_text("2027年")
    page.get_by_test_id("calendar-warning").get_by_role("link", name="去录入").click()
    page.get_by_test_id("enter-year-2027").click()
    page.get_by_label("通知标题").fill("国务院办公厅关于2027年部分节假日安排的通知")
    row = page.locator("#arrangements tbody tr").first
    row.locator("input").nth(0).fill("元旦")
    row.locator("input").nth(1).fill("2027-01-01")
    row.locator("input").nth(2).fill("2027-01-03")
    page.get_by_role("button", name="增加一行").click()
    second = page.locator("#arrangements tbody tr").nth(1)
    second.locator("input").nth(0).fill("春节")
    second.locator("input").nth(1).fill("2027-02-06")
    second.locator("input").nth(2).fill("2027-02-13")
    second.locator("input").nth(3).fill("2027-01-31, 2027-02-20")
    page.get_by_role("button", name="保存并生成新日历版本").click()
    expect(page.get_by_role("heading", name="2027年工作日历")).to_be_visible()
    expect(page.get_by_test_id("calendar-source")).to_contain_text(
        "国务院办公厅关于2027年部分节假日安排的通知"
    )
    expect(page.get_by_test_id("calendar-exceptions")).to_contain_text("2027-01-31")
    expect(page.get_by_test_id("calendar-warning")).to_have_count(0)


def test_a_leader_types_the_authenticator_code_on_the_second_page(page: Page, base_url: str, personas):
    page.goto(f"{base_url}/login/")
    page.get_by_label("账号").fill("leader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/login/verify/")
    expect(page.get_by_role("heading", name="输入验证码")).to_be_visible()
    shown = otp_code(authenticator_for(personas.leader))
    page.get_by_label("验证码", exact=True).fill("000000" if shown != "000000" else "111111")
    page.get_by_role("button", name="验证并登录").click()
    expect(page.get_by_test_id("code-error")).to_contain_text("验证码不正确")
    enter_code(page, "leader")
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_test_id("role-labels")).to_have_text("领导")


def test_an_auditor_without_an_authenticator_binds_one_before_anything_else(
    page: Page, base_url: str, personas
):
    TOTPDevice.objects.filter(user=personas.audit_admin).delete()
    sign_in(page, base_url, "auditor", PASSWORD)
    expect(page).to_have_url(f"{base_url}/login/enrol/")
    expect(page.locator(".otp-qr svg")).to_be_visible()
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=personas.audit_admin, confirmed=False)
    assert b32encode(device.bin_key).decode() == secret
    page.goto(f"{base_url}/audit/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto(f"{base_url}/login/enrol/")
    page.get_by_label("验证码", exact=True).fill(otp_code(device))
    page.get_by_role("button", name="确认绑定并登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    page.get_by_role("link", name="审计日志").click()
    expect(page.get_by_test_id("audit-table")).to_contain_text("core.otp.device_confirmed")
