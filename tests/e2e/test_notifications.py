"""Browser: a handler opens the inbox — one digest for the day's overdue items, an approval at once — filters by
kind and marks all read; the header count follows."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from accountability.choices import NotificationKind
from accountability.services.notifications import notification_send
from accountability.services.sweep import sweep
from petitions.choices import Status
from tests.support.accounts import PASSWORD, Personas, Tree
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.items import Cast as PetitionCast
from tests.support.items import ItemFactory


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_a_handler_filters_the_inbox_by_kind_and_marks_all_read(
    page: Page, base_url: str, personas: Personas, tree: Tree, width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    cast = PetitionCast(
        clerk=personas.clerk_a,
        handler=personas.handler_a,
        head=personas.section_head,
        personas=personas,
        tree=tree,
    )
    factory = ItemFactory(cast)
    items = [factory.make(Status.ACCEPTED) for _ in range(3)]  # the same walk: all due 2025-05-06
    run = sweep(today=date(2025, 5, 7))
    assert run is not None
    assert run.escalations_created == 3
    notification_send(
        recipients=[personas.handler_a],
        kind=NotificationKind.SYSTEM,
        subject="系统维护通知：今晚22时暂停服务一小时",
    )

    sign_in(page, base_url, "handler_a", PASSWORD)
    inbox_link = page.get_by_test_id("inbox-link")
    expect(inbox_link).to_have_text("消息 2")  # one digest for three overdue items, one notice: not four rows
    inbox_link.click()
    rows = page.get_by_test_id("inbox-row")
    expect(rows).to_have_count(2)
    expect(page.locator("tr.unread[data-testid=inbox-row]")).to_have_count(2)

    page.get_by_test_id("inbox-kind-deadline").click()
    expect(page).to_have_url(f"{base_url}/accountability/inbox/?kind=deadline")
    expect(rows).to_have_count(1)
    digest = rows.first
    expect(digest).to_contain_text("共 3 件")
    lines = digest.get_by_test_id("inbox-line")
    expect(lines).to_have_count(3)
    for item in items:
        expect(digest.get_by_role("link", name=item.number)).to_be_visible()
    expect(lines.first).to_contain_text("期限 2025-05-06")
    page.screenshot(path=str(ARTIFACTS / f"inbox-digest-{width}.png"), full_page=True)

    page.get_by_test_id("mark-all-read").click()
    expect(page).to_have_url(f"{base_url}/accountability/inbox/?kind=deadline")
    expect(page.locator("tr.unread[data-testid=inbox-row]")).to_have_count(0)
    expect(page.get_by_test_id("inbox-link")).to_have_text("消息 1")  # the system notice is another kind

    page.get_by_test_id("inbox-kind-all").click()
    expect(page.locator("tr.unread[data-testid=inbox-row]")).to_have_count(1)
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("inbox-link")).to_have_text("消息")
    expect(page.locator("tr.unread[data-testid=inbox-row]")).to_have_count(0)
