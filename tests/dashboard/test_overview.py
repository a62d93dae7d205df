"""The leader dashboard on hand-made data: numbers counted by hand, agreeing with the lists they link to, scoped."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from io import BytesIO, StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accountability.choices import DeadlineStatus
from accountability.measures import Period
from accountability.models import Deadline, DeadlineDayCount
from accountability.rollup import CLOCK_ROLLUP
from core.choices import Role
from core.models import User
from core.services.units import unit_move
from core.tasks import rollups_repair_task
from dashboard.situation import Situation, situation_for
from ledger.choices import ReportState
from ledger.models import DailyReport
from ledger.services.sensitive import sensitive_period_create
from petitions.choices import Channel, CloseReason, Marker, Purpose, Satisfaction, Status
from petitions.models import Category, Item, ItemDayCount, ItemMonthCount, ItemSubtreeMonthCount
from petitions.rollup import ITEM_MONTH_ROLLUP, ITEM_ROLLUP, REPLY_MONTH_ROLLUP, REPLY_ROLLUP
from petitions.subtree import months_changed, subtree_months_refresh
from tests.conftest import Personas, Tree
from tests.petitions.conftest import ItemFactory

pytestmark = pytest.mark.django_db

YEAR_2025 = Period(start=date(2025, 1, 1), end=date(2025, 12, 31), today=date(2026, 12, 2))
QUERY_2025 = "period=range&start=2025-01-01&end=2025-12-31"


@dataclass
class Hand:
    """Six items: four registered by county A, one by county B in 2025, one by county B in 2024."""

    county_leader: User
    items: list[Item]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def hand(item_factory: ItemFactory, tree: Tree, personas: Personas, make_user: Callable[..., User]) -> Hand:
    items = [
        # county A registers; the first, third and fourth go to its housing bureau (county_a_department)
        item_factory.make(Status.ACCEPTED, channel=Channel.VISIT, purpose=Purpose.DEMAND),
        item_factory.make(
            Status.REGISTERED,
            channel=Channel.ONLINE,
            purpose=Purpose.SUGGESTION,
            head_count=6,
            markers=[Marker.COLLECTIVE],
        ),
        item_factory.make(
            Status.ACCEPTED, channel=Channel.VISIT, purpose=Purpose.DEMAND, markers=[Marker.SKIP_LEVEL]
        ),
        item_factory.make(Status.REPLIED, channel=Channel.PHONE, purpose=Purpose.APPEAL),
    ]
    clerk_b_factory = ItemFactory(replace(item_factory.cast, clerk=personas.clerk_b))
    items.append(clerk_b_factory.make(Status.REGISTERED, channel=Channel.VISIT, purpose=Purpose.DEMAND))
    items.append(
        clerk_b_factory.make(
            Status.REGISTERED, channel=Channel.VISIT, purpose=Purpose.DEMAND, received_on=date(2024, 3, 5)
        )
    )
    county_leader = make_user(tree.county_a, [Role.LEADER], "county_leader")
    return Hand(county_leader, items)


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


def listed_count(client: Client, href: str) -> int:
    page = client.get(href).content.decode()
    match = re.search(r'data-testid="item-count">共 (\d+) 件', page)
    assert match, href
    return int(match.group(1))


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
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dashboard:overview") + "?" + QUERY_2025)
    assert response.status_code == 200


# --- the roll-up ---


def random_items(
    rng: random.Random,
    personas: Personas,
    tree: Tree,
    count: int,
    *,
    spread: int = 40,
    numbered_from: int = 900000,
) -> list[Item]:
    units = [tree.city_department, tree.county_a, tree.county_a_department, tree.township_a, tree.county_b]
    categories = list(Category.objects.filter(depth=2).values_list("pk", flat=True))
    made = []
    for n in range(count):
        received = date(2025, 1, 1) + timedelta(days=rng.randrange(spread))
        made.append(
            Item(
                number=f"XF2025-{numbered_from + n:06d}",
                query_code="ABCD1234",
                channel=rng.choice(Channel.values),
                purpose=rng.choice(Purpose.values),
                item_type="appeal_demand",
                category_id=rng.choice(categories),
                received_on=received,
                registered_on=received,
                summary="随机事项",
                demand="随机诉求",
                head_count=rng.choice([1, 1, 1, 5, 12]),
                markers=rng.sample(Marker.values, rng.choice([0, 0, 1, 2])),
                registered_unit=rng.choice(units),
                registered_by=personas.clerk_a,
                responsible_unit=rng.choice([None, *units]),
                status=rng.choice(Status.values),
            )
        )
    return Item.objects.bulk_create(made)


def direct_totals() -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(head_count), count(*) FILTER (WHERE original_id IS NOT NULL) FROM petitions_item"
        )
        return tuple(int(v or 0) for v in cursor.fetchone())


def rolled_up_totals() -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(items), sum(persons), sum(repeats) FROM petitions_itemdaycount")
        return tuple(int(v or 0) for v in cursor.fetchone())


def test_the_roll_up_agrees_with_a_direct_count_after_random_inserts_updates_and_deletes(
    personas: Personas, tree: Tree
):
    rng = random.Random(20261202)
    items = random_items(rng, personas, tree, 300)
    units = [tree.city_department, tree.county_a, tree.county_a_department, tree.county_b, None]
    for item in rng.sample(items, 150):
        item.status = rng.choice(Status.values)
        item.responsible_unit = rng.choice(units)
        item.channel = rng.choice(Channel.values)
        item.head_count = rng.choice([1, 3, 9])
        item.markers = rng.sample(Marker.values, rng.choice([0, 1]))
        item.received_on = item.received_on + timedelta(days=rng.choice([0, 1, -1]))
        item.registered_on = max(item.registered_on, item.received_on)
        if rng.random() < 0.3:
            item.original = rng.choice(items[:50]) if item.pk not in {i.pk for i in items[:50]} else None
        if rng.random() < 0.5:
            item.replied_on = item.received_on + timedelta(days=rng.randrange(30))
            item.evaluated_on = rng.choice([None, item.replied_on + timedelta(days=2)])
            item.satisfaction = rng.choice(["", *Satisfaction.values]) if item.evaluated_on else ""
            item.close_reason = rng.choice(["", CloseReason.REVIEW_WINDOW_LAPSED, CloseReason.ACCEPTED_REPLY])
        item.save()
    Item.objects.filter(pk__in=[item.pk for item in rng.sample(items[100:], 40)]).delete()

    assert ITEM_ROLLUP.mismatches(first=date(2024, 12, 1), last=date(2025, 3, 1)) == []
    assert REPLY_ROLLUP.mismatches(first=date(2024, 12, 1), last=date(2025, 5, 1)) == []
    assert ITEM_MONTH_ROLLUP.mismatches(first=date(2024, 12, 1), last=date(2025, 3, 1)) == []
    assert REPLY_MONTH_ROLLUP.mismatches(first=date(2024, 12, 1), last=date(2025, 5, 1)) == []
    assert rolled_up_totals() == direct_totals()


def test_a_drifted_day_is_found_and_rebuilt_by_the_nightly_repair(personas: Personas, tree: Tree):
    random_items(random.Random(7), personas, tree, 60)
    row = ItemDayCount.objects.filter(items__gt=0).order_by("day").first()
    assert row is not None
    ItemDayCount.objects.filter(pk=row.pk).update(items=row.items + 5)

    assert ITEM_ROLLUP.mismatches(first=date(2025, 1, 1), last=date(2025, 3, 1)) == [row.day]
    assert ITEM_ROLLUP.repair(days_back=800, today=date(2026, 12, 2)) == [row.day]
    assert ITEM_ROLLUP.mismatches(first=date(2025, 1, 1), last=date(2025, 3, 1)) == []


def test_a_drifted_month_is_found_and_rebuilt_from_the_items(personas: Personas, tree: Tree):
    random_items(random.Random(8), personas, tree, 60)
    row = ItemMonthCount.objects.filter(items__gt=0, facet="status").order_by("month").first()
    assert row is not None
    ItemMonthCount.objects.filter(pk=row.pk).update(items=row.items + 2)

    assert ITEM_MONTH_ROLLUP.mismatches(first=date(2025, 1, 1), last=date(2025, 3, 1)) == [row.month]
    assert ITEM_MONTH_ROLLUP.repair(days_back=800, today=date(2026, 12, 2)) == [row.month]
    assert ITEM_MONTH_ROLLUP.mismatches(first=date(2025, 1, 1), last=date(2025, 3, 1)) == []


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


# Items per unit subtree, month received and facet, counted from the items and the unit tree.
DIRECT_SUBTREE_COUNTS = """
SELECT a.id, date_trunc('month', i.received_on)::date, f.facet, f.value, count(*), sum(i.head_count)
FROM petitions_item i
LEFT JOIN petitions_item o ON o.id = i.original_id
JOIN core_unit u ON u.id = coalesce(i.responsible_unit_id, o.responsible_unit_id, i.registered_unit_id)
JOIN core_unit a ON u.path LIKE a.path || '%%'
JOIN petitions_category c ON c.id = i.category_id
JOIN petitions_category top ON top.path = substr(c.path, 1, 4)
CROSS JOIN LATERAL (VALUES ('channel', i.channel), ('purpose', i.purpose), ('category', top.id::text),
                           ('status', i.status)) AS f (facet, value)
GROUP BY 1, 2, 3, 4
"""


def subtree_counts() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(stored, direct) sums per unit subtree, month and facet, sorted."""
    stored = ItemSubtreeMonthCount.objects.filter(items__gt=0).values_list(
        "unit_id", "month", "facet", "value", "items", "persons"
    )
    with connection.cursor() as cursor:
        cursor.execute(DIRECT_SUBTREE_COUNTS)
        direct = cursor.fetchall()
    return sorted(stored), sorted(direct)


def test_the_sums_per_subtree_agree_with_a_direct_count_after_random_changes_and_a_unit_move(
    personas: Personas, tree: Tree
):
    rng = random.Random(17)
    items = random_items(rng, personas, tree, 150, spread=100)
    subtree_months_refresh()
    stored, direct = subtree_counts()
    assert len(stored) > 100
    assert stored == direct

    for item in rng.sample(items, 50):
        item.status = rng.choice(Status.values)
        item.responsible_unit = rng.choice([tree.county_a_department, tree.county_b, None])
        item.received_on += timedelta(days=rng.choice([-20, 0, 20]))
        item.registered_on = max(item.registered_on, item.received_on)
        item.save()
    changed = months_changed()
    assert changed  # named, not yet summed
    assert subtree_months_refresh() == changed
    assert subtree_counts()[0] == subtree_counts()[1]

    unit_move(actor=personas.system_admin, unit_id=tree.township_a.pk, new_parent_id=tree.county_b.pk)
    assert months_changed() != []  # a move changes every subtree above the unit, before and after
    subtree_months_refresh()
    stored, direct = subtree_counts()
    assert stored == direct


def test_a_full_rebuild_reproduces_the_rows_the_trigger_kept(personas: Personas, tree: Tree):
    random_items(random.Random(11), personas, tree, 80)
    kept = sorted(ItemDayCount.objects.filter(items__gt=0).values_list("unit_id", "day", "channel", "items"))

    result = ITEM_ROLLUP.rebuild()

    assert sorted(ItemDayCount.objects.values_list("unit_id", "day", "channel", "items")) == kept
    assert result.rows == len(kept)


def test_the_clock_roll_up_agrees_with_the_clocks_after_the_life_cycle_and_random_changes(
    hand: Hand, tree: Tree
):
    rng = random.Random(5)
    clocks = list(Deadline.objects.all())
    assert len(clocks) >= 6
    for clock in clocks:
        Deadline.objects.filter(pk=clock.pk).update(
            due_on=clock.due_on + timedelta(days=rng.choice([0, 3, -2])),
            unit=rng.choice([tree.county_a, tree.county_b, clock.unit]),
            status=rng.choice([clock.status, DeadlineStatus.MET_LATE]),
        )
    Deadline.objects.filter(pk=clocks[0].pk).delete()

    assert CLOCK_ROLLUP.mismatches(first=date(2024, 1, 1), last=date(2026, 12, 31)) == []
    assert ItemDayCount.objects.exists()
    stored = DeadlineDayCount.objects.aggregate(total=Sum("clocks"))["total"]
    assert stored == Deadline.objects.count()


def test_the_nightly_task_repairs_every_roll_up_and_the_command_reports_agreement(hand: Hand):
    DeadlineDayCount.objects.update(clocks=F("clocks") + 1)
    ItemDayCount.objects.filter(pk=ItemDayCount.objects.order_by("pk").first().pk).update(items=99)  # type: ignore[union-attr]

    repaired_days = rollups_repair_task.apply(kwargs={"days_back": 1000}).get()

    assert repaired_days >= 2
    out = StringIO()
    call_command("rollup_rebuild", "--check", stdout=out)
    assert out.getvalue().count("与直接计数一致") == 5  # clocks, items, replies, item months, reply months


def test_a_repeat_without_a_responsible_unit_counts_where_its_original_is_handled_and_follows_it(
    item_factory: ItemFactory, tree: Tree, personas: Personas, client_for: Callable[[User | None], Client]
):
    original = item_factory.make(Status.ACCEPTED)  # handled by county A's housing bureau
    repeat = item_factory.register(original_id=original.pk, channel=Channel.ONLINE)
    client = client_for(personas.leader)

    def counted_and_listed(unit_pk: int) -> tuple[int, int]:
        counted = ItemDayCount.objects.filter(unit_id=unit_pk).aggregate(n=Sum("repeats"))["n"] or 0
        listed = listed_count(client, reverse("petitions:item_list") + f"?area={unit_pk}&repeat=true")
        return counted, listed

    assert Item.objects.get(pk=repeat.pk).responsible_unit_id is None
    assert counted_and_listed(tree.county_a_department.pk) == (1, 1)
    Item.objects.filter(pk=original.pk).update(responsible_unit=tree.township_a)
    assert counted_and_listed(tree.county_a_department.pk) == (0, 0)
    assert counted_and_listed(tree.township_a.pk) == (1, 1)
    assert ITEM_ROLLUP.mismatches(first=date(2024, 1, 1), last=date(2026, 12, 31)) == []


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
