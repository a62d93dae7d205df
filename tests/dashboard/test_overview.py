"""The leader dashboard on hand-made data: numbers counted by hand, agreeing with the lists they link to, scoped."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accountability.measures import Period
from core.models import User
from dashboard.situation import Situation, situation_for
from ledger.choices import ReportState
from ledger.models import DailyReport
from ledger.services.sensitive import sensitive_period_create
from petitions.choices import Satisfaction
from petitions.models import Item
from petitions.projections.subtree_sums import months_changed, subtree_months_refresh
from tests.support.accounts import Personas, Tree
from tests.support.helpers import listed_count
from tests.support.items import Hand, ItemFactory, random_items

pytestmark = pytest.mark.django_db

YEAR_2025 = Period(start=date(2025, 1, 1), end=date(2025, 12, 31), today=date(2026, 12, 2))
QUERY_2025 = "period=range&start=2025-01-01&end=2025-12-31"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def figure_values(figures) -> dict[str, tuple[int, int | None]]:
    return {figure.label: (figure.value, figure.previous) for figure in figures}


def test_the_city_sees_the_hand_counted_totals_breakdowns_and_counties(hand: Hand, tree: Tree):
    found = situation_for(tree.city, YEAR_2025, trend_unit="month")

    # 2025: five items (1 + 6 + 1 + 1 + 1 = 10 persons); 2024: one item
    assert figure_values(found.totals) == {
        "件次": (5, 1),
        "人次": (10, 1),
        "集体访": (1, 0),
        "越级访": (1, 0),
        "进京访": (0, 0),
        "赴省访": (0, 0),
        "重复件": (0, 0),
    }
    assert figure_values(found.by_channel) == {"走访": (3, 1), "网上信访": (1, 0), "电话": (1, 0)}
    assert figure_values(found.by_purpose) == {"求决": (3, 1), "意见建议": (1, 0), "申诉": (1, 0)}
    assert sum(figure.value for figure in found.by_category) == 5
    assert ("2025-03", 5, 1) in found.trend  # March 2025 against March 2024
    # nothing of 2025 is closed: accepted, registered, accepted, replied, registered are all still in progress
    workload = figure_values(found.workload)
    assert workload["期内登记仍在办"] == (5, None)
    assert workload["期内登记已办结"] == (0, None)
    received = {row.unit.name: row.received.value for row in found.children}
    # county A: three at its housing bureau plus the unrouted letter at county A itself; county B: one
    assert received == {"临江市人力资源和社会保障局": 0, "城关区": 4, "青山县": 1}
    previous = {row.unit.name: row.received.previous for row in found.children}
    assert previous == {"临江市人力资源和社会保障局": 0, "城关区": 0, "青山县": 1}  # 2024: county B's office
    # every item belongs to a county, none to the city itself, so the city's own row (本级) is empty
    assert found.own is not None
    assert (found.own.received.value, found.own.received.previous, found.own.overdue.value) == (0, 0, 0)


def test_a_county_counts_only_its_own_subtree_and_unrouted_items_at_the_county_itself(hand: Hand, tree: Tree):
    found = situation_for(tree.county_a, YEAR_2025, trend_unit="month")

    assert figure_values(found.totals)["件次"] == (4, 0)
    received = {row.unit.name: row.received.value for row in found.children}
    assert received == {"城关区住房和城乡建设局": 3, "东门街道": 0}
    assert found.own is not None
    assert found.own.received.value == 1  # the unrouted online item stays with county A, which registered it


def links_on(page: str) -> list[tuple[str, int]]:
    """(href, number) of every number on the page that opens the item list."""
    return [
        (href.replace("&amp;", "&"), int(value))
        for href, value in re.findall(r'<a href="([^"]+)" data-testid="figure-link">(\d+)</a>', page)
    ]


@pytest.mark.parametrize("viewer", ["leader", "county_leader"])
def test_every_linked_number_is_what_the_item_list_behind_it_shows(
    hand: Hand, personas: Personas, viewer: str, client_for: Callable[[User | None], Client]
):
    user = personas.leader if viewer == "leader" else hand.county_leader
    client = client_for(user)
    page = client.get(reverse("dashboard:overview") + "?" + QUERY_2025).content.decode()
    links = links_on(page)

    assert len(links) >= 10
    assert any(value > 0 for _href, value in links)
    for href, value in links:
        assert listed_count(client, href) == value, href


def test_clicking_a_unit_drills_down_one_level_with_the_same_period(
    hand: Hand, personas: Personas, tree: Tree, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.leader)
    page = client.get(reverse("dashboard:overview") + "?" + QUERY_2025).content.decode()
    drill = re.search(rf'<a href="(\?unit={tree.county_a.pk}[^"]*)" data-testid="drill-down">', page)
    assert drill
    county_page = client.get(reverse("dashboard:overview") + drill.group(1).replace("&amp;", "&"))

    assert county_page.status_code == 200
    assert "城关区 信访态势 · 2025-01-01 至 2025-12-31" in county_page.content.decode()


def test_a_unit_outside_the_viewers_subtree_is_not_found(
    hand: Hand, tree: Tree, client_for: Callable[[User | None], Client]
):
    client = client_for(hand.county_leader)
    assert client.get(reverse("dashboard:overview") + f"?unit={tree.county_b.pk}").status_code == 404
    assert client.get(reverse("dashboard:overview") + f"?unit={tree.city.pk}").status_code == 404
    assert client.get(reverse("dashboard:overview") + "?unit=abc").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("leader", 200), ("section_head", 200), ("supervisor", 200), ("clerk_a", 403), ("system_admin", 403)],
)
def test_only_leaders_section_heads_and_supervisors_open_the_dashboard(
    db: None, personas: Personas, persona: str, status: int, client_for: Callable[[User | None], Client]
):
    assert client_for(getattr(personas, persona)).get(reverse("dashboard:overview")).status_code == status


def test_a_bad_range_is_refused_at_the_field_in_chinese_and_keeps_what_was_typed(
    db: None, personas: Personas, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.leader).get(
        reverse("dashboard:overview") + "?period=range&start=2025-08-31&end=2025-01-01"
    )
    page = response.content.decode()

    assert response.status_code == 400
    assert 'data-testid="error-end">截止日期不能早于起始日期。' in page
    assert 'value="2025-08-31"' in page


def test_the_excel_copy_has_the_numbers_of_the_page(
    hand: Hand, personas: Personas, tree: Tree, client_for: Callable[[User | None], Client]
):
    response = client_for(personas.leader).get(
        reverse("dashboard:overview") + "?" + QUERY_2025 + "&format=xlsx"
    )
    workbook = load_workbook(BytesIO(response.content))
    found = situation_for(tree.city, YEAR_2025, trend_unit="month")

    totals = {row[0]: (row[1], row[2]) for row in workbook["总体"].iter_rows(min_row=3, values_only=True)}
    assert totals == {f.label: (f.value, f.previous) for f in found.totals}
    counties = {row[0]: row[1] for row in workbook["下级单位"].iter_rows(min_row=3, values_only=True)}
    assert counties == {"临江市人力资源和社会保障局": 0, "城关区": 4, "青山县": 1, "本级（临江市）": 0}


def test_the_page_reads_in_a_fixed_number_of_queries(
    hand: Hand, personas: Personas, client_for: Callable[[User | None], Client], django_assert_max_num_queries
):
    client = client_for(personas.leader)
    with django_assert_max_num_queries(40):
        client.get(reverse("dashboard:overview") + "?" + QUERY_2025)


def test_a_second_view_within_the_minute_is_served_from_the_cache(
    hand: Hand, personas: Personas, client_for: Callable[[User | None], Client], django_assert_max_num_queries
):
    client = client_for(personas.leader)
    client.get(reverse("dashboard:overview") + "?" + QUERY_2025)
    # the page's own queries, and the menu's work-queue counts: one COUNT per counted queue of a leader (4) and the
    # subtree ids they share
    with django_assert_max_num_queries(17):
        response = client.get(reverse("dashboard:overview") + "?" + QUERY_2025)
    assert response.status_code == 200


def comparable(found: Situation) -> dict[str, object]:
    """Every number of a dashboard, for comparing two ways of counting the same period."""
    return {
        **{part: figure_values(getattr(found, part)) for part in ("totals", "by_channel", "by_purpose")},
        "by_category": figure_values(found.by_category),
        "workload": figure_values(found.workload),
        "children": [(row.unit.pk, row.received.value, row.received.previous) for row in found.children],
        "measures": {m.code: (m.numerator, m.denominator) for m in found.measures},
    }


def test_whole_months_and_the_days_around_them_count_what_the_days_alone_count(
    personas: Personas, tree: Tree, hand: Hand
):
    items = random_items(random.Random(13), personas, tree, 200, spread=130)
    for item in items[:60]:
        item.original = items[60]
        item.replied_on = item.received_on + timedelta(days=9)
        item.evaluated_on = item.replied_on + timedelta(days=1)
        item.satisfaction = Satisfaction.SATISFIED
        item.save()
    # 20 January to 10 April: the whole months February and March with days on either side, against last year's
    period = Period(start=date(2025, 1, 20), end=date(2025, 4, 10), today=date(2026, 12, 2))
    by_day = situation_for(tree.city, period, trend_unit="week")  # weeks cannot come from months: days only

    assert months_changed()  # not summed per subtree yet: the months come from every unit's monthly rows
    before_refresh = situation_for(tree.city, period, trend_unit="month")
    subtree_months_refresh()
    assert months_changed() == []
    after_refresh = situation_for(tree.city, period, trend_unit="month")

    received = sum(1 for item in items if period.start <= item.received_on <= period.end)
    # and the five hand-made items of March 2025; last year, county B's item of 5 March 2024
    assert figure_values(after_refresh.totals)["件次"] == (received + 5, 1)
    assert comparable(before_refresh) == comparable(by_day)
    assert comparable(after_refresh) == comparable(by_day)
    repeat = next(m for m in after_refresh.measures if m.code == "repeat")
    in_period = [item for item in items if period.start <= item.received_on <= period.end]
    assert (repeat.numerator, repeat.denominator) == (
        sum(1 for item in in_period if item.original_id),
        len(in_period) + 5,
    )


def test_in_a_sensitive_period_the_dashboard_shows_todays_daily_reports_and_the_items_since_it_began(
    item_factory: ItemFactory, tree: Tree, personas: Personas, client_for: Callable[[User | None], Client]
):
    today = timezone.localdate()
    sensitive_period_create(
        actor=personas.system_admin,
        name="全国两会",
        starts_on=today,
        ends_on=today + timedelta(days=10),
        unit_ids=[tree.county_a.pk, tree.county_a_department.pk],
    )
    item_factory.register(received_on=today)  # one item since the period began
    client = client_for(personas.leader)

    page = client.get(reverse("dashboard:overview")).content.decode()

    assert "敏感时期：全国两会" in page
    assert 'data-testid="daily-filed">0<' in page
    pending = DailyReport.objects.filter(day=today, state=ReportState.PENDING).count()
    assert pending == 3  # county A and the two units below it are covered; none has filed today
    assert f'data-testid="daily-missing">{pending}<' in page
    since = re.search(r'敏感时期以来收到信访 <a href="([^"]+)" data-testid="figure-link">(\d+)</a>', page)
    assert since
    assert since.group(2) == "1"
    assert listed_count(client, since.group(1).replace("&amp;", "&")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_refresh_while_a_write_is_uncommitted_leaves_the_month_named_and_the_count_exact(
    personas: Personas, tree: Tree
):
    items = random_items(random.Random(19), personas, tree, 30)  # January and February 2025
    subtree_months_refresh()
    for month in (1, 2):  # a committed change in each month, so the refresh below sums both again
        changed = next(item for item in items if item.received_on.month == month)
        Item.objects.filter(pk=changed.pk).update(head_count=changed.head_count + 1)
    january = Period(start=date(2025, 1, 1), end=date(2025, 3, 31), today=date(2026, 12, 2))
    before = figure_values(situation_for(tree.city, january, trend_unit="month").totals)["件次"][0]
    written, summed = threading.Event(), threading.Event()

    def register_and_wait() -> None:
        try:
            with transaction.atomic():
                random_items(
                    random.Random(23), personas, tree, 1, numbered_from=990000
                )  # January or February
                written.set()
                assert summed.wait(30)
        finally:
            connection.close()

    writer = threading.Thread(target=register_and_wait)
    writer.start()
    assert written.wait(30)
    refreshed = (
        subtree_months_refresh()
    )  # sums what is committed; the writer's item is not, nor its month's name
    summed.set()
    writer.join()

    assert refreshed == [date(2025, 1, 1), date(2025, 2, 1)]
    assert len(months_changed()) == 1  # the writer's month, named again once it committed
    after = situation_for(tree.city, january, trend_unit="month")
    assert figure_values(after.totals)["件次"][0] == before + 1
    subtree_months_refresh()
    assert months_changed() == []
    assert (
        figure_values(situation_for(tree.city, january, trend_unit="month").totals)["件次"][0] == before + 1
    )
