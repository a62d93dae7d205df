"""Browser fixtures: Debian's Chromium driven by Playwright against the live test server."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.conftest import otp_code

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError(
            "Debian's chromium package is required for browser tests: apt-get install chromium"
        )
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


# Assertions wait up to 15 s (Playwright's default is 5 s): CI machines have two cores shared with the server.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: object, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    # Chromium reports each Content-Security-Policy refusal on the console; any one fails the test.
    violations: list[str] = []
    opened.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert violations == [], "the page broke the Content-Security-Policy"


@pytest.fixture
def base_url(live_server: object) -> str:
    return str(live_server.url)  # type: ignore[attr-defined]


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
