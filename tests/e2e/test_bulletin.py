"""Browser: a leader opens the weekly bulletin list, reads one bulletin and follows a count to the item list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from dashboard.bulletin import bulletins_generate
from tests.support.accounts import PASSWORD
from tests.support.browser import sign_in
from tests.support.items import Cast, ItemFactory

WEEK_START = date(2026, 3, 2)


def test_a_leader_reads_the_weekly_bulletin_and_follows_a_count_to_the_items(
    page: Page, base_url: str, cast: Cast, tmp_path: Path
):
    factory = ItemFactory(cast)
    factory.register(received_on=date(2026, 3, 3), head_count=3)
    factory.register(received_on=date(2026, 3, 5))
    factory.register(received_on=date(2026, 3, 10))  # the next week
    created = bulletins_generate(actor=None, week_start=WEEK_START, today=date(2026, 3, 9))
    assert sorted(bulletin.number for bulletin in created) == ["ZB2026-W10-T", "ZB2026-W10-T-A"]

    sign_in(page, base_url, "leader", PASSWORD)
    page.get_by_test_id("main-nav").get_by_role("link", name="每周通报").click()
    rows = page.get_by_test_id("bulletin-row")
    expect(rows).to_have_count(2)
    page.get_by_role("link", name="ZB2026-W10-T", exact=True).click()

    bulletin = page.get_by_test_id("bulletin")
    expect(bulletin.locator("h1")).to_contain_text("临江市信访工作每周通报（2026年03月02日至2026年03月08日）")
    expect(page.get_by_test_id("bulletin-summary")).to_contain_text("本周新收信访事项2件次、4人次")
    items = page.get_by_test_id("table-items")
    county_a = items.locator("tr", has_text="城关区")
    expect(county_a.locator("td")).to_have_text(["城关区", "2", "4", "0", "0"])
    expect(items.get_by_test_id("row-total").locator("td")).to_have_text(["合计", "2", "4", "0", "0"])
    page.screenshot(path=str(tmp_path / "weekly-bulletin.png"), full_page=True)

    county_a.get_by_test_id("count-link").first.click()
    expect(page).to_have_url(
        f"{base_url}/petitions/?area={cast.tree.county_a.pk}&received_after=2026-03-02&received_before=2026-03-08"
    )
    expect(page.get_by_test_id("item-count")).to_have_text("共 2 件")
