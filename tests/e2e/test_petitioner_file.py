"""Browser: a clerk opens a person's file (信访人档案) from an item page and reads the person's history."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from petitions.choices import Marker
from petitions.models import Item
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import PASSWORD, Personas
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.items import DEFAULT_ID_NUMBER, intake_input

pytestmark = pytest.mark.e2e

PERSON = PetitionerInput(name="张三丰", id_number=DEFAULT_ID_NUMBER, phone="13911112222")


def _visit(personas: Personas, on: date, **overrides: object) -> Item:
    return item_register(
        actor=personas.clerk_a, data=intake_input(received_on=on, petitioners=[PERSON], **overrides)
    )


def test_a_clerk_opens_the_file_from_an_item_and_sees_the_history(
    page: Page, base_url: str, personas: Personas
):
    first = _visit(personas, date(2025, 3, 3))
    again = _visit(personas, date(2025, 4, 1), original_id=first.pk, markers=[Marker.SKIP_LEVEL])
    latest = _visit(personas, date(2025, 5, 6), original_id=first.pk)
    item_register(
        actor=personas.clerk_b, data=intake_input(received_on=date(2025, 4, 9), petitioners=[PERSON])
    )

    sign_in(page, base_url, "clerk_a", PASSWORD)
    page.goto(f"{base_url}/petitions/{again.pk}/")
    page.get_by_test_id("petitioners").get_by_test_id("petitioner-file-link").click()

    expect(page.get_by_test_id("file-name")).to_have_text("信访人档案：张**")
    expect(page.get_by_test_id("file-item-count")).to_have_text("3")
    expect(page.get_by_test_id("file-repeat-count")).to_have_text("2")
    expect(page.get_by_test_id("file-marked-count")).to_have_text("1")
    rows = page.get_by_test_id("file-items").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td").first).to_have_text(latest.number)
    expect(rows.nth(2).locator("td").first).to_have_text(first.number)
    expect(page.get_by_test_id("file-new-visit")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "petitioner-file-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "petitioner-file-390.png"), full_page=True)

    page.set_viewport_size({"width": 1440, "height": 900})
    rows.nth(0).get_by_role("link", name=latest.number).click()
    expect(page).to_have_url(f"{base_url}/petitions/{latest.pk}/")
