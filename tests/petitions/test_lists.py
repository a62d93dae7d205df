"""The item list (page and API): filters, text search in Chinese, sorting, all inside the user's unit subtree."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accountability.choices import DeadlineStatus
from accountability.models import Deadline, DeadlineRule
from core.choices import Role
from core.models import Unit, User
from petitions.choices import ITEM_SUBJECT, ROUTING, Channel, Marker, Purpose
from petitions.filters import ItemFilter
from petitions.models import Category, Item
from petitions.projections.obligation_dates import obligation_dates_rebuild
from petitions.selectors import item_list_for_user
from petitions.services import lifecycle
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas, Tree
from tests.support.helpers import SHANGHAI, select_options
from tests.support.items import intake_input

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)  # a Tuesday, two weeks after 春节 2026 (02-15..02-23)


@pytest.fixture
def frozen() -> Iterator[None]:
    """Every list test runs on 2026-03-10 at 10:00 Beijing time."""
    moment = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        yield


@dataclass
class Items:
    """A: wages, today; B: demolition, before 春节, collective, overdue; C: county B; D: assigned today;
    E: registered by county A's township."""

    a: Item
    b: Item
    c: Item
    d: Item
    e: Item
    township_clerk: User

    def numbers(self, *letters: str) -> set[str]:
        return {getattr(self, letter).number for letter in letters}


def _category(code: str) -> int:
    return Category.objects.get(code=code).pk


@pytest.fixture
def items(frozen: None, personas: Personas, tree: Tree, make_user: Callable[..., User]) -> Items:
    township_clerk = make_user(tree.township_a, [Role.CLERK], "clerk_township")

    def register(actor: User, received: str, **overrides: object) -> Item:
        return item_register(
            actor=actor,
            data=intake_input(received_on=date.fromisoformat(received), registered_on=TODAY, **overrides),
        )

    a = register(
        personas.clerk_a,
        "2026-03-10",
        category_id=_category("0301"),
        summary="某建筑公司拖欠农民工工资三个月未发放。",
        demand="请求督促该公司尽快支付。",
    )
    b = register(
        personas.clerk_a,
        "2026-02-01",
        channel=Channel.PHONE,
        category_id=_category("0101"),
        summary="旧城改造项目拆迁补偿标准过低。",
        demand="要求按市场价补偿。",
        head_count=5,
        markers=[Marker.SKIP_LEVEL],
    )
    c = register(
        personas.clerk_b,
        "2026-03-09",
        channel=Channel.ONLINE,
        category_id=_category("0302"),
        summary="工厂未签订劳动合同。",
        demand="要求补发工资差额。",
    )
    d = register(
        personas.clerk_a,
        "2026-03-06",
        category_id=_category("0901"),
        purpose=Purpose.APPEAL,
        summary="申请低保被拒。",
        demand="要求重新审核低保资格。",
        petitioners=[PetitionerInput(name="李四")],
    )
    lifecycle.item_assign(actor=personas.clerk_a, item_id=d.pk, unit_id=tree.county_a_department.pk, on=TODAY)
    e = register(
        township_clerk,
        "2026-03-10",
        category_id=_category("0301"),
        summary="小区噪声扰民，物业不作为。",
        demand="要求物业整改。",
        markers=[Marker.THREAT],
    )
    return Items(
        a=Item.objects.get(pk=a.pk),
        b=Item.objects.get(pk=b.pk),
        c=Item.objects.get(pk=c.pk),
        d=Item.objects.get(pk=d.pk),
        e=Item.objects.get(pk=e.pk),
        township_clerk=township_clerk,
    )


def api_numbers(client: APIClient, **params: Any) -> list[str]:
    response = client.get("/api/v1/petitions/", params)
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


@pytest.fixture
def head_api(personas: Personas, api_for: Callable[[User | None], APIClient]) -> APIClient:
    """The city section head sees every unit's items."""
    return api_for(personas.section_head)


def test_the_routing_clocks_the_filters_rely_on(items: Items):
    due = {
        item.number: Deadline.objects.get(
            subject_type=ITEM_SUBJECT, subject_id=item.pk, rule_id=ROUTING
        ).due_on
        for item in (items.a, items.b, items.c, items.e)
    }
    assert due[items.a.number] == date(2026, 3, 25)
    # 2026-02-01 + 15 日 = 02-16, inside 春节 (02-15..02-23): rolled forward to the first working day.
    assert due[items.b.number] == date(2026, 2, 24)
    assert due[items.c.number] == date(2026, 3, 24)


# --- scope ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "letters"),
    [
        ("clerk_a", "abde"),
        ("clerk_b", "c"),
        ("handler_a", "d"),
        ("section_head", "abcde"),
        ("leader", "abcde"),
        ("supervisor", "abcde"),
        ("system_admin", ""),
        ("audit_admin", ""),
    ],
)
def test_the_api_list_holds_only_the_users_unit_subtree(
    items: Items, personas: Personas, api_for: Callable[[User | None], APIClient], who: str, letters: str
):
    assert set(api_numbers(api_for(getattr(personas, who)))) == items.numbers(*letters)


def test_a_township_clerk_sees_only_the_townships_items(
    items: Items, api_for: Callable[[User | None], APIClient]
):
    assert set(api_numbers(api_for(items.township_clerk))) == items.numbers("e")


def test_an_item_outside_the_subtree_is_404_on_the_api_and_the_page(
    items: Items,
    personas: Personas,
    api_for: Callable[[User | None], APIClient],
    client_for: Callable[[User | None], Client],
):
    assert api_for(personas.clerk_a).get(f"/api/v1/petitions/{items.c.pk}/").status_code == 404
    assert (
        client_for(personas.clerk_a).get(reverse("petitions:item_detail", args=[items.c.pk])).status_code
        == 404
    )
    assert (
        client_for(items.township_clerk).get(reverse("petitions:item_detail", args=[items.a.pk])).status_code
        == 404
    )


def test_a_sibling_unit_cannot_be_chosen_as_the_unit_filter(
    items: Items, personas: Personas, api_for: Callable[[User | None], APIClient]
):
    response = api_for(personas.clerk_a).get("/api/v1/petitions/", {"unit": personas.clerk_b.unit_id})
    assert response.status_code == 400
    assert "unit" in response.json()


# --- filters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "letters"),
    [
        ({"status": "assigned"}, "d"),
        ({"status": ["registered", "assigned"]}, "abcde"),
        ({"status": "closed"}, ""),
        ({"channel": "phone"}, "b"),
        ({"channel": ["online", "phone"]}, "bc"),
        ({"purpose": "appeal"}, "d"),
    ],
)
def test_filters_by_status_channel_and_purpose(
    items: Items, head_api: APIClient, params: dict[str, Any], letters: str
):
    assert set(api_numbers(head_api, **params)) == items.numbers(*letters)


@pytest.mark.parametrize(
    ("code", "letters"), [("03", "ace"), ("0301", "ae"), ("0302", "c"), ("01", "b"), ("05", "")]
)
def test_the_category_filter_includes_the_categorys_children(
    items: Items, head_api: APIClient, code: str, letters: str
):
    assert set(api_numbers(head_api, category=_category(code))) == items.numbers(*letters)


@pytest.mark.parametrize(
    ("unit", "letters"),
    [
        ("county_a", "abde"),
        ("township_a", "e"),
        ("county_a_department", "d"),
        ("county_b", "c"),
        ("city", "abcde"),
    ],
)
def test_the_unit_filter_covers_the_units_subtree_as_registering_or_responsible_unit(
    items: Items, head_api: APIClient, tree: Tree, unit: str, letters: str
):
    assert set(api_numbers(head_api, unit=getattr(tree, unit).pk)) == items.numbers(*letters)


@pytest.mark.parametrize(
    ("params", "letters"),
    [
        ({"received_after": "2026-03-09"}, "ace"),
        ({"received_before": "2026-03-06"}, "bd"),
        ({"received_after": "2026-03-06", "received_before": "2026-03-09"}, "cd"),
        ({"received_after": "2026-03-11"}, ""),
    ],
)
def test_the_received_date_range_includes_both_ends(
    items: Items, head_api: APIClient, params: dict[str, Any], letters: str
):
    assert set(api_numbers(head_api, **params)) == items.numbers(*letters)


@pytest.mark.parametrize(
    ("markers", "letters"),
    [
        (["collective"], "b"),
        (["collective", "skip_level"], "b"),
        (["collective", "threat"], ""),
        (["threat"], "e"),
    ],
)
def test_the_markers_filter_requires_every_chosen_marker(
    items: Items, head_api: APIClient, markers: list[str], letters: str
):
    assert set(api_numbers(head_api, markers=markers)) == items.numbers(*letters)


def test_overdue_means_an_open_obligation_clock_past_its_due_date(items: Items, head_api: APIClient):
    assert set(api_numbers(head_api, overdue="true")) == items.numbers("b")
    assert set(api_numbers(head_api, overdue="false")) == items.numbers("a", "c", "d", "e")


@pytest.mark.parametrize(("days", "letters"), [(13, ""), (14, "c"), (15, "acde"), (0, "")])
def test_due_within_n_days_counts_obligation_clocks_from_today(
    items: Items, head_api: APIClient, days: int, letters: str
):
    # C is due 03-24 (+14); A, E (routing) and D (acceptance) 03-25 (+15); D's 5-working-day objection
    # period ends 03-17 but is a right of the unit, not an obligation, so it does not count.
    assert set(api_numbers(head_api, due_within=days)) == items.numbers(*letters)


def test_an_item_that_is_met_is_no_longer_overdue(items: Items, personas: Personas, head_api: APIClient):
    lifecycle.item_assign(
        actor=personas.clerk_a, item_id=items.b.pk, unit_id=personas.handler_a.unit_id, on=TODAY
    )
    assert api_numbers(head_api, overdue="true") == []


def _earliest_open_obligation(item: Item) -> date | None:
    """The date the item's `obligation_due_on` must hold, counted from its clocks directly."""
    dates = Deadline.objects.filter(
        subject_type=ITEM_SUBJECT, subject_id=item.pk, status=DeadlineStatus.OPEN, rule__is_obligation=True
    ).values_list("due_on", flat=True)
    return min(dates, default=None)


def _stored_due_dates(items: Items) -> dict[str, date | None]:
    rows = Item.objects.filter(pk__in=[getattr(items, letter).pk for letter in "abcde"])
    return dict(rows.values_list("number", "obligation_due_on"))


def _counted_due_dates(items: Items) -> dict[str, date | None]:
    return {
        getattr(items, letter).number: _earliest_open_obligation(getattr(items, letter)) for letter in "abcde"
    }


def test_each_item_carries_the_earliest_due_date_of_its_open_obligation_clocks(items: Items):
    stored = _stored_due_dates(items)
    assert stored == _counted_due_dates(items)
    # D's objection period (03-17) is the petitioner's window, not an obligation: its acceptance clock counts.
    assert stored[items.d.number] == date(2026, 3, 25)
    overdue_on = stored[items.b.number]
    assert overdue_on is not None
    assert overdue_on < TODAY


def test_the_due_date_follows_clocks_that_are_met_moved_and_deleted(items: Items, personas: Personas):
    lifecycle.item_assign(
        actor=personas.clerk_a, item_id=items.b.pk, unit_id=personas.handler_a.unit_id, on=TODAY
    )
    clock = Deadline.objects.get(subject_type=ITEM_SUBJECT, subject_id=items.c.pk, rule_id=ROUTING)
    Deadline.objects.filter(pk=clock.pk).update(due_on=date(2026, 4, 30))
    Deadline.objects.filter(subject_type=ITEM_SUBJECT, subject_id=items.e.pk).delete()
    stored = _stored_due_dates(items)
    assert stored == _counted_due_dates(items)
    assert stored[items.c.number] == date(2026, 4, 30)
    assert stored[items.e.number] is None
    next_due_on = stored[items.b.number]
    assert next_due_on is not None
    assert next_due_on >= TODAY  # met, a new clock runs


def test_a_rebuild_after_a_bulk_load_sets_every_date_from_the_clocks(items: Items):
    Item.objects.filter(pk=items.a.pk).update(obligation_due_on=date(2030, 1, 1))
    Item.objects.filter(pk=items.b.pk).update(obligation_due_on=None)
    assert obligation_dates_rebuild() == 2
    assert _stored_due_dates(items) == _counted_due_dates(items)
    assert obligation_dates_rebuild() == 0


def test_a_rule_that_stops_or_starts_being_an_obligation_changes_the_dates(items: Items):
    DeadlineRule.objects.filter(kind=ROUTING).update(is_obligation=False)
    stored = _stored_due_dates(items)
    assert stored == _counted_due_dates(items)
    assert stored[items.a.number] is None  # A has only its routing clock
    DeadlineRule.objects.filter(kind=ROUTING).update(is_obligation=True)
    assert _stored_due_dates(items) == _counted_due_dates(items)
    assert _stored_due_dates(items)[items.a.number] == date(2026, 3, 25)


def test_an_overdue_or_due_soon_list_opens_at_its_most_pressing_item(
    items: Items, personas: Personas, head_api: APIClient, client_for: Callable[[User | None], Client]
):
    older = item_register(
        actor=personas.clerk_a,
        data=intake_input(received_on=date(2026, 1, 5), registered_on=TODAY, summary="早前来信未转送。"),
    )
    # B (received 02-01) is newer than the January item, whose routing clock ran out first.
    assert api_numbers(head_api, overdue="true") == [older.number, items.b.number]
    assert page_numbers(_page(client_for(personas.section_head), {"overdue": "true"})) == [
        older.number,
        items.b.number,
    ]
    # C falls due 03-24, the others 03-25: C first, then by id.
    assert api_numbers(head_api, due_within=15)[0] == items.c.number
    # A chosen order still wins; without a filter the newest comes first.
    assert api_numbers(head_api, overdue="true", ordering="-received_on") == [items.b.number, older.number]
    assert api_numbers(head_api)[0] in items.numbers("a", "e")


# --- text search ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "letters"),
    [
        ("拖欠", "a"),
        ("工资", "ac"),  # A in the summary, C in the demand
        ("拖欠 工资", "a"),  # every word, in any order and place
        ("工资　拖欠", "a"),  # a full-width space separates words too
        ("低保", "d"),
        ("拆迁补偿", "b"),
        ("物业", "e"),
        ("养老金", ""),
    ],
)
def test_text_search_finds_chinese_words_in_the_summary_or_the_demand(
    items: Items, head_api: APIClient, q: str, letters: str
):
    assert set(api_numbers(head_api, q=q)) == items.numbers(*letters)


def test_text_search_by_item_number_finds_exactly_that_item(items: Items, head_api: APIClient):
    assert api_numbers(head_api, q=items.d.number) == [items.d.number]
    assert api_numbers(head_api, q=items.d.number.lower()) == [items.d.number]


def test_text_search_does_not_reach_outside_the_subtree(
    items: Items, personas: Personas, api_for: Callable[[User | None], APIClient]
):
    assert set(api_numbers(api_for(personas.clerk_a), q="工资")) == items.numbers("a")
    assert api_numbers(api_for(personas.clerk_a), q=items.c.number) == []


# --- sorting --------------------------------------------------------------------------------------------


def test_the_default_order_is_newest_received_first(items: Items, head_api: APIClient):
    listed = api_numbers(head_api)
    assert listed == [items.e.number, items.a.number, items.c.number, items.d.number, items.b.number]


def test_sorting_by_received_date_and_by_number(items: Items, head_api: APIClient):
    ascending = api_numbers(head_api, ordering="received_on")
    assert ascending[:3] == [items.b.number, items.d.number, items.c.number]
    assert set(ascending[3:]) == items.numbers("a", "e")
    by_number = api_numbers(head_api, ordering="-number")
    assert by_number == sorted(by_number, reverse=True)
    assert by_number[-1] == items.a.number


# --- the list page ----------------------------------------------------------------------------------------


def page_numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/petitions/\d+/">(XF\d{4}-\d{6})</a>', html)


def _page(client: Client, params: dict[str, Any] | None = None) -> str:
    response = client.get(reverse("petitions:item_list"), params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_page_is_scoped_and_counts_its_rows(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client]
):
    html = _page(client_for(personas.clerk_a))
    assert set(page_numbers(html)) == items.numbers("a", "b", "d", "e")
    assert "共 4 件" in html


def test_the_list_page_applies_the_filters(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.section_head)
    assert page_numbers(_page(client, {"status": "assigned"})) == [items.d.number]
    assert set(page_numbers(_page(client, {"q": "工资"}))) == items.numbers("a", "c")
    assert set(page_numbers(_page(client, {"markers": "threat"}))) == items.numbers("e")
    assert page_numbers(_page(client, {"ordering": "received_on"}))[0] == items.b.number


def test_the_list_page_marks_overdue_rows_with_the_days_over(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client]
):
    html = _page(client_for(personas.clerk_a), {"overdue": "true"})
    assert page_numbers(html) == [items.b.number]
    row = html[html.index(items.b.number) : html.index("</tr>", html.index(items.b.number))]
    assert "超期" in row
    assert "转送交办 02-24" in row
    assert "超14日" in row


def test_the_list_page_shows_a_bad_filter_value_as_an_error_and_stays_scoped(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client]
):
    html = _page(client_for(personas.clerk_a), {"due_within": "abc", "unit": personas.clerk_b.unit_id})
    assert "field-error" in html
    assert items.c.number not in html
    assert set(page_numbers(html)) == items.numbers("a", "b", "d", "e")


def test_the_unit_filter_offers_only_units_in_the_users_subtree(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client], tree: Tree
):
    html = _page(client_for(personas.clerk_a))
    assert tree.county_a.name in html
    assert tree.township_a.name in html
    assert tree.county_b.name not in html


def test_yes_no_filters_offer_any_yes_and_no(personas: Personas, client_for: Callable[[User | None], Client]):
    html = client_for(personas.clerk_a).get(reverse("petitions:item_list")).content.decode()
    overdue = re.search(r'<select name="overdue"[^>]*>(.*?)</select>', html, re.S)
    assert overdue is not None
    assert re.findall(r"<option[^>]*>([^<]*)</option>", overdue.group(1)) == ["不限", "是", "否"]


def test_any_on_a_yes_no_filter_leaves_the_list_unfiltered(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client]
):
    client = client_for(personas.clerk_a)
    everything = page_numbers(_page(client))
    assert page_numbers(_page(client, {"overdue": "unknown"})) == everything
    assert set(page_numbers(_page(client, {"overdue": "true"}))) < set(everything)


def test_each_row_of_the_list_page_and_the_api_says_whether_the_item_is_overdue(
    items: Items, personas: Personas, head_api: APIClient, client_for: Callable[[User | None], Client]
):
    rows = head_api.get("/api/v1/petitions/").json()["results"]
    assert {row["number"]: row["overdue"] for row in rows} == {
        number: number == items.b.number for number in items.numbers("a", "b", "c", "d", "e")
    }
    html = _page(client_for(personas.section_head))
    overdue_rows = re.findall(
        r'<tr class="overdue">.*?<a href="/petitions/\d+/">(XF\d{4}-\d{6})</a>', html, re.S
    )
    assert overdue_rows == [items.b.number]


def test_list_rows_name_status_and_channel_in_chinese(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client]
):
    html = _page(client_for(personas.section_head), {"q": items.b.number})
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert row is not None
    assert "电话" in row.group(1)  # B came by phone
    assert "已登记待转送" in row.group(1)
    assert "phone" not in row.group(1)


def test_the_order_choices_are_labelled_in_chinese(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client]
):
    html = _page(client_for(personas.section_head))
    ordering = re.search(r'<select name="ordering"[^>]*>(.*?)</select>', html, re.S)
    assert ordering is not None
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", ordering.group(1))
    assert "办理期限" in labels
    assert "办理期限（倒序）" in labels
    assert not [label for label in labels if "descending" in label]


def test_the_three_unit_boxes_offer_the_subtree_read_once_and_keep_the_choice(
    items: Items, personas: Personas, tree: Tree, django_assert_num_queries: Any
):
    request = RequestFactory().get("/petitions/", {"area": tree.township_a.pk})
    request.user = personas.clerk_a
    filters = ItemFilter(request.GET, queryset=item_list_for_user(personas.clerk_a), request=request)
    form = filters.form
    assert form.is_valid()
    with django_assert_num_queries(1):
        boxes = {name: str(form[name]) for name in ("unit", "area", "clock_unit")}
    subtree = [("", "---------")] + [
        (str(unit.pk), unit.name)
        for unit in Unit.objects.filter(path__startswith=tree.county_a.path).order_by("path")
    ]
    for name, html in boxes.items():
        assert [(value, label) for value, label, _ in select_options(html, name)] == subtree
    assert [value for value, _, selected in select_options(boxes["area"], "area") if selected] == [
        str(tree.township_a.pk)
    ]
    assert [value for value, _, selected in select_options(boxes["unit"], "unit") if selected] == [""]
    assert tree.county_b.name not in "".join(boxes.values())


def test_the_category_box_offers_the_active_categories_by_name(
    personas: Personas, client_for: Callable[[User | None], Client]
):
    retired = Category.objects.filter(is_active=True).order_by("path").last()
    assert retired is not None
    Category.objects.filter(pk=retired.pk).update(is_active=False)
    offered = [
        (value, label) for value, label, _ in select_options(_page(client_for(personas.clerk_a)), "category")
    ]
    assert offered == [("", "---------")] + [
        (str(category.pk), category.name)
        for category in Category.objects.filter(is_active=True).order_by("path")
    ]
    assert str(retired.pk) not in [value for value, _ in offered]


def test_a_bad_status_channel_or_marker_is_shown_at_its_box_and_the_good_ones_stay_chosen(
    items: Items, personas: Personas, client_for: Callable[[User | None], Client]
):
    html = _page(client_for(personas.section_head), {"status": ["assigned", "溜走"], "channel": "phone"})
    status_box = html[
        html.index('<select name="status"') : html.index(
            '<div class="field">', html.index('<select name="status"')
        )
    ]
    assert "field-error" in status_box
    assert "溜走" in status_box  # the message names the value that was refused
    assert ("assigned", "受理申请审查中", True) in select_options(html, "status")
    assert ("phone", "电话", True) in select_options(html, "channel")
    assert 'data-searchable="true"' in html[html.index('<select name="markers"') :].split(">")[0]
