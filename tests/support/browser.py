"""Plain helpers of the browser tests: sign in and out, move focus with the keyboard, pick from select boxes."""

from __future__ import annotations

import time
from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from tests.support.accounts import otp_code

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Fill the sign-in form with the keyboard, as a clerk would; accounts with an authenticator (leaders and the
    admin roles) then type the code it shows on the second page."""
    page.goto(f"{base_url}/login/")
    account = page.locator("input[name=username]")
    expect(account).to_be_focused()  # autofocus: the clerk starts typing at once
    page.keyboard.type(username)
    expect(account).to_have_value(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if page.url.endswith("/login/verify/"):
        enter_code(page, username)


def enter_code(page: Page, username: str) -> None:
    """Type the code the user's authenticator shows now into the focused code field and submit it."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    # A code is accepted once: after a sign-in in the same 30-second step, wait for the next code.
    while device.last_t >= int(time.time() - device.t0) // device.step:
        time.sleep(1)
    expect(page.locator("input[name=code]")).to_be_focused()
    page.keyboard.press("Control+a")  # after a refused code the field still holds it
    page.keyboard.type(otp_code(device))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


def tab_to(page: Page, target: Locator, *, limit: int = 6) -> None:
    """Press Tab until `target` has focus; fails when it is not among the next `limit` stops (wrong tab order)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    focused = page.evaluate(
        "() => document.activeElement.id || document.activeElement.outerHTML.slice(0, 80)"
    )
    raise AssertionError(f"{target} not reached with {limit} Tabs; focus is on {focused}")


def choose_by_arrows(page: Page, select: Locator, value: str, *, limit: int = 40) -> None:
    """On a focused native select, press ArrowDown until `value` is chosen (each press fires change)."""
    expect(select).to_be_focused()
    for _ in range(limit):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    expect(select).to_have_value(value)


def box_state(page: Page, field: str) -> object:
    """What a Tom Select box holds and shows, for the message of a failed pick."""
    return page.evaluate(
        """id => { const box = document.getElementById(id).tomselect;
                   return {typed: box.inputValue(), lastQuery: box.lastQuery, focused: box.isFocused, open: box.isOpen,
                           locked: box.isLocked, shown: box.dropdown_content.innerText.slice(0, 200),
                           active: document.activeElement.id}; }""",
        f"id_{field}",
    )


def pick_searchable(page: Page, field: str, text: str, expected_label: str) -> None:
    """Type into a Tom Select box to filter it and press Enter to take the first match."""
    control = page.locator(f"#id_{field}-ts-control")
    expect(control).to_be_focused()
    page.keyboard.type(text)
    if control.input_value() != text:  # a dropped key press (see tab_to): type the filter again
        page.keyboard.press("Control+a")
        page.keyboard.type(text)
    expect(control).to_have_value(text)
    active = page.locator(f"#id_{field}-ts-dropdown .option.active")
    try:
        expect(active).to_contain_text(expected_label)
    except AssertionError as missed:
        raise AssertionError(
            f"{field}: the list did not filter to {expected_label}; box {box_state(page, field)}"
        ) from missed
    page.keyboard.press("Enter")
    expect(page.locator(f"#id_{field}").locator("xpath=..").locator(".ts-control .item")).to_have_text(
        expected_label
    )
