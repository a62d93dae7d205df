"""Browser: a leader reads the dashboard, drills down two levels and opens the items behind a number."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from petitions.choices import Channel, Status
from tests.support.accounts import PASSWORD
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.items import Cast as PetitionCast
from tests.support.items import ItemFactory


def test_a_leader_drills_down_two_levels_and_the_list_behind_a_number_has_that_many_items(
    page: Page, base_url: str, cast: PetitionCast
):
    factory = ItemFactory(cast)
    for channel in (Channel.VISIT, Channel.VISIT, Channel.PHONE):
        factory.make(Status.ACCEPTED, channel=channel)
    factory.make(Status.REGISTERED, channel=Channel.ONLINE)  # not yet routed: stays with county A itself

    sign_in(page, base_url, "leader", PASSWORD)
    page.get_by_role("link", name="态势总览").click()
    page.locator("#id_period").select_option("range")
    page.locator("#id_start").fill("2025-01-01")
    page.locator("#id_end").fill("2025-12-31")
    page.get_by_role("button", name="查看").click()

    expect(page.get_by_test_id("dashboard-title")).to_have_text("临江市 信访态势 · 2025-01-01 至 2025-12-31")
    expect(page.locator("[data-testid=kpi][data-label=件次] .big-number")).to_have_text("4")
    expect(page.locator("[data-chart][data-ready=true]")).to_have_count(5)
    expect(page.locator("[data-chart=channel] svg")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "dashboard-city.png"), full_page=True)

    page.locator("[data-testid=child-row][data-unit=城关区] [data-testid=drill-down]").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("城关区 信访态势 · 2025-01-01 至 2025-12-31")
    expect(page.locator("[data-testid=kpi][data-label=件次] .big-number")).to_have_text("4")
    page.locator("[data-testid=child-row][data-unit=城关区住房和城乡建设局] [data-testid=drill-down]").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text(
        "城关区住房和城乡建设局 信访态势 · 2025-01-01 至 2025-12-31"
    )
    expect(page.get_by_test_id("dashboard-trail")).to_contain_text("临江市 › 城关区 › 城关区住房和城乡建设局")
    visits = page.locator("[data-testid=row-channel][data-label=走访] [data-testid=figure-link]")
    expect(visits).to_have_text("2")
    page.screenshot(path=str(ARTIFACTS / "dashboard-department.png"), full_page=True)

    visits.click()
    expect(page.get_by_test_id("item-count")).to_have_text("共 2 件")
