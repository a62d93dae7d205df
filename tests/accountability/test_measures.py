"""Assessment measures on hand-made data whose numbers were worked out by hand, scoped to each unit's subtree."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from accountability.measures import Basis, Measure, Period, measures_for
from accountability.selectors import assessment_rows
from accountability.services.deadlines import Subject, deadline_meet, deadline_open
from accountability.services.supervision import supervision_issue
from core.choices import Role
from core.models import User
from petitions.choices import ACCEPTANCE_CLOCK, Channel, Satisfaction, Status
from petitions.models import Item
from petitions.services import lifecycle
from petitions.services.windows import items_close_lapsed_windows
from tests.support.accounts import Personas, Tree
from tests.support.items import Cast, ItemFactory
from tests.support.supervision import finding_on

pytestmark = pytest.mark.django_db

PERIOD = Period(start=date(2026, 1, 1), end=date(2026, 5, 31), today=date(2026, 6, 1))


def by_code(measures: list[Measure]) -> dict[str, tuple[int, int]]:
    return {measure.code: (measure.numerator, measure.denominator) for measure in measures}


@pytest.fixture
def acceptance(tree: Tree, personas: Personas) -> Callable[..., None]:
    def clock(subject_id: int, unit_id: int, due_on: date, met_on: date | None = None) -> None:
        deadline_open(
            subject=Subject("petitions.item", subject_id),
            kind=ACCEPTANCE_CLOCK,
            unit_id=unit_id,
            starts_on=date(2026, 2, 20),
            due_on=due_on,
            actor=personas.clerk_a,
        )
        if met_on:
            deadline_meet(
                subject=Subject("petitions.item", subject_id),
                kind=ACCEPTANCE_CLOCK,
                met_on=met_on,
                actor=personas.clerk_a,
            )

    return clock


def test_timely_acceptance_counts_open_overdue_against_the_unit_and_ignores_what_is_not_yet_due(
    acceptance, tree: Tree, personas: Personas
):
    department = tree.county_a_department.pk
    acceptance(1, department, date(2026, 3, 10), met_on=date(2026, 3, 8))  # on time
    acceptance(2, department, date(2026, 3, 10), met_on=date(2026, 3, 15))  # late
    acceptance(3, department, date(2026, 4, 1))  # still open, past due on 06-01
    acceptance(4, department, date(2026, 7, 1))  # due after the period
    acceptance(5, tree.county_b.pk, date(2026, 3, 10), met_on=date(2026, 3, 9))  # on time, county B
    supervision_issue(
        actor=personas.supervisor,
        unit=tree.county_a_department,
        subject=finding_on(tree.county_a_department),
        ground="evasion",
        method="written",
        requirement="说明情况",
        issued_on=date(2026, 4, 2),
    )

    found = measures_for([tree.city, tree.county_a, tree.county_b, tree.township_a], PERIOD)
    county_a, county_b, city = (
        by_code(found[tree.county_a.pk]),
        by_code(found[tree.county_b.pk]),
        by_code(found[tree.city.pk]),
    )
    assert county_a["timely_acceptance"] == (1, 3)
    assert county_b["timely_acceptance"] == (1, 1)
    assert city["timely_acceptance"] == (2, 4)
    assert by_code(found[tree.township_a.pk])["timely_acceptance"] == (0, 0)
    # 超期件数 over every obligation clock due in the period: #2 late, #3 open past due; the 督办 reply clock
    # (10 working days from 04-02) is due 04-17 and still open, so it is overdue too.
    assert county_a["overdue"] == (3, 4)
    assert county_a["supervised"] == (1, 0)
    assert county_b["supervised"] == (0, 0)
    rate = next(m for m in found[tree.city.pk] if m.code == "timely_acceptance").rate
    assert rate == 50.0


def test_the_ranking_puts_the_best_on_time_rate_first_after_the_total(acceptance, tree: Tree):
    acceptance(1, tree.county_a_department.pk, date(2026, 3, 10), met_on=date(2026, 3, 15))  # late
    acceptance(2, tree.county_b.pk, date(2026, 3, 10), met_on=date(2026, 3, 9))  # on time
    rows = assessment_rows(tree.city, PERIOD, sort="timely_acceptance")
    assert rows[0].is_total
    assert rows[0].unit == tree.city
    ranked = [row.unit for row in rows[1:]]
    assert ranked.index(tree.county_b) < ranked.index(tree.county_a)
    overdue_first = assessment_rows(tree.city, PERIOD, sort="overdue")
    ranked = [row.unit for row in overdue_first[1:] if row.measure("overdue").denominator]  # type: ignore[union-attr]
    assert ranked == [tree.county_b, tree.county_a]  # fewer overdue is better


def test_participation_satisfaction_and_repeat_rates_of_replied_and_registered_items(
    item_factory: ItemFactory, tree: Tree, personas: Personas, make_user: Callable[..., User]
):
    handler = item_factory.cast.handler
    first, second, third = (item_factory.make(Status.REPLIED) for _ in range(3))
    lifecycle.item_evaluate(
        actor=handler, item_id=first.pk, on=date(2025, 4, 15), satisfaction=Satisfaction.SATISFIED
    )
    lifecycle.item_evaluate(
        actor=handler, item_id=second.pk, on=date(2025, 4, 16), satisfaction=Satisfaction.DISSATISFIED
    )
    items_close_lapsed_windows(today=date(2025, 6, 30))  # the third's window lapsed unevaluated
    item_factory.register(original_id=first.pk)  # a repeat, registered by county A
    period = Period(start=date(2025, 1, 1), end=date(2025, 12, 31), today=date(2025, 12, 31))

    county_a = by_code(measures_for([tree.county_a], period)[tree.county_a.pk])
    assert county_a["participation"] == (2, 3)
    assert county_a["satisfaction"] == (1, 2)
    assert county_a["repeat"] == (1, 4)
    county_b = by_code(measures_for([tree.county_b], period)[tree.county_b.pk])
    assert county_b["participation"] == (0, 0)
    assert county_b["repeat"] == (0, 0)
    assert third.pk  # evaluated by nobody, counted in the denominator only


def test_the_assessment_page_ranks_the_units_below_and_exports_the_same_numbers(
    acceptance, tree: Tree, personas: Personas, client_for
):
    from io import BytesIO

    from openpyxl import load_workbook

    acceptance(1, tree.county_a_department.pk, date(2026, 3, 10), met_on=date(2026, 3, 8))
    client = client_for(personas.leader)
    page = client.get("/accountability/assessment/?year=2026&sort=timely_acceptance")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-unit="城关区"' in html
    assert '100.0% <span class="muted">(1/1)</span>' in html
    export = client.get("/accountability/assessment/?year=2026&sort=timely_acceptance&format=xlsx")
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][:4] == ("单位", "及时受理率（%）", "及时受理率分子", "及时受理率分母")
    county_line = next(row for row in rows if row[0] == "城关区")
    assert county_line[1:4] == (100, 1, 1)
    assert client_for(personas.clerk_b).get("/accountability/assessment/").status_code == 403
    assert (
        client_for(personas.leader).get(f"/accountability/assessment/?unit={tree.county_a.pk}").status_code
        == 200
    )


# A year in which the registering office and the responsible unit differ, over several channels. Everything below
# happens in 2025 (received 03-03, assigned 03-05, accepted 03-07, replied 04-10 unless said otherwise):
#
#   item  channel  registered by    responsible       what happened
#   A1    visit    county A         county A dept.    accepted on time, replied, 满意
#   C1    mailbox  city             county A dept.    accepted on time, replied, 不满意
#   C4    phone    city             county A dept.    accepted on time, replied, review window lapsed unevaluated
#   C2    online   city             county B          assigned, never accepted (acceptance due 03-20, still open)
#   B1    visit    county B         county B          accepted late (04-30), never replied (handling open past due)
#   C3    visit    city             —                 registered, never assigned (routing clock open past due)
#   R1    visit    city             (C1's: A dept.)   a repeat of C1
#   R2    mailbox  county B         (B1's: county B)  a repeat of B1
#
# and a 督办单 issued to county B on 05-06 whose reply clock is still open.
SCOPED = Period(start=date(2025, 1, 1), end=date(2025, 12, 31), today=date(2025, 12, 31))
BY_OFFICE = Period(start=SCOPED.start, end=SCOPED.end, today=SCOPED.today, basis=Basis.REGISTERED)
VISITS_AND_MAILBOX = (Channel.VISIT, Channel.MAILBOX)


@dataclass
class TwoOffices:
    a1: Item
    c1: Item
    c4: Item
    c2: Item
    b1: Item
    c3: Item
    r1: Item
    r2: Item


@pytest.fixture
def two_offices(
    item_factory: ItemFactory, tree: Tree, personas: Personas, make_user: Callable[..., User]
) -> TwoOffices:
    city_clerk = make_user(tree.city, [Role.CLERK], "clerk_city")
    handler_b = make_user(tree.county_b, [Role.HANDLER], "handler_b")
    handler_a = item_factory.cast.handler
    by_city = ItemFactory(
        Cast(city_clerk, handler_a, personas.section_head, personas, tree, item_factory.cast.unit_head)
    )
    by_b = ItemFactory(
        Cast(personas.clerk_b, handler_b, personas.section_head, personas, tree, item_factory.cast.unit_head)
    )

    a1 = item_factory.make(Status.REPLIED, channel=Channel.VISIT)
    c1 = by_city.make(Status.REPLIED, channel=Channel.MAILBOX)
    c4 = by_city.make(Status.REPLIED, channel=Channel.PHONE)
    lifecycle.item_evaluate(
        actor=handler_a, item_id=a1.pk, on=date(2025, 4, 15), satisfaction=Satisfaction.SATISFIED
    )
    lifecycle.item_evaluate(
        actor=handler_a, item_id=c1.pk, on=date(2025, 4, 16), satisfaction=Satisfaction.DISSATISFIED
    )
    c2 = by_city.register(channel=Channel.ONLINE)
    lifecycle.item_assign(actor=city_clerk, item_id=c2.pk, unit_id=tree.county_b.pk, on=date(2025, 3, 5))
    b1 = by_b.register(channel=Channel.VISIT)
    lifecycle.item_assign(
        actor=personas.clerk_b, item_id=b1.pk, unit_id=tree.county_b.pk, on=date(2025, 3, 5)
    )
    lifecycle.item_accept(actor=handler_b, item_id=b1.pk, on=date(2025, 4, 30))
    c3 = by_city.register(channel=Channel.VISIT)
    r1 = by_city.register(channel=Channel.VISIT, original_id=c1.pk)
    r2 = by_b.register(channel=Channel.MAILBOX, original_id=b1.pk)
    supervision_issue(
        actor=personas.supervisor,
        unit=tree.county_b,
        subject=finding_on(tree.county_b),
        ground="evasion",
        method="written",
        requirement="说明C2、B1未按期受理、办理的原因",
        issued_on=date(2025, 5, 6),
    )
    items_close_lapsed_windows(today=date(2025, 6, 30))  # C4's review window lapses unevaluated
    return TwoOffices(a1, c1, c4, c2, b1, c3, r1, r2)


def scoped_measures(tree: Tree, period: Period) -> dict[str, dict[str, tuple[int, int]]]:
    found = measures_for([tree.city, tree.county_a, tree.county_b, tree.county_a_department], period)
    return {
        "city": by_code(found[tree.city.pk]),
        "county_a": by_code(found[tree.county_a.pk]),
        "county_b": by_code(found[tree.county_b.pk]),
        "a_dept": by_code(found[tree.county_a_department.pk]),
    }


def test_item_measures_by_responsible_unit_count_clocks_for_their_unit_and_repeats_against_the_original(
    two_offices: TwoOffices, tree: Tree
):
    found = scoped_measures(tree, SCOPED)
    # 及时受理率: acceptance clocks of A1, C1, C4 (county A dept., on time); C2 (B, open past due), B1 (B, late).
    assert found["county_a"]["timely_acceptance"] == (3, 3)
    assert found["a_dept"]["timely_acceptance"] == (3, 3)
    assert found["county_b"]["timely_acceptance"] == (0, 2)
    assert found["city"]["timely_acceptance"] == (3, 5)
    # 按期办结率: handling clocks of A1, C1, C4 met on time in A dept.; B1's, due 06-30, still open in county B.
    assert found["county_a"]["on_time_closing"] == (3, 3)
    assert found["county_b"]["on_time_closing"] == (0, 1)
    assert found["city"]["on_time_closing"] == (3, 4)
    # 参评率 / 满意率 over A1, C1, C4, all answered by A dept.: 2 evaluated of 3, 1 content of 2 evaluated.
    assert (found["county_a"]["participation"], found["county_a"]["satisfaction"]) == ((2, 3), (1, 2))
    assert (found["county_b"]["participation"], found["county_b"]["satisfaction"]) == ((0, 0), (0, 0))
    assert (found["city"]["participation"], found["city"]["satisfaction"]) == ((2, 3), (1, 2))
    # 重复信访率: A dept. answers A1, C1, C4 and (through C1) R1; county B answers C2, B1 and (through B1) R2;
    # C3, never assigned, stays with the city office that registered it.
    assert found["county_a"]["repeat"] == (1, 4)
    assert found["a_dept"]["repeat"] == (1, 4)
    assert found["county_b"]["repeat"] == (1, 3)
    assert found["city"]["repeat"] == (2, 8)


def test_item_measures_by_registering_office_count_each_item_for_the_office_that_registered_it(
    two_offices: TwoOffices, tree: Tree
):
    found = scoped_measures(tree, BY_OFFICE)
    # Registered: county A → A1; county B → B1, R2; the city office itself → C1, C4, C2, C3, R1.
    assert found["county_a"]["timely_acceptance"] == (1, 1)  # A1
    assert found["a_dept"]["timely_acceptance"] == (0, 0)  # registered nothing
    assert found["county_b"]["timely_acceptance"] == (0, 1)  # B1 late; C2 is the city's now
    assert found["city"]["timely_acceptance"] == (3, 5)  # the whole subtree does not move
    assert found["county_a"]["on_time_closing"] == (1, 1)
    assert found["county_b"]["on_time_closing"] == (0, 1)
    assert found["city"]["on_time_closing"] == (3, 4)
    assert (found["county_a"]["participation"], found["county_a"]["satisfaction"]) == ((1, 1), (1, 1))
    assert (found["city"]["participation"], found["city"]["satisfaction"]) == ((2, 3), (1, 2))
    assert found["county_a"]["repeat"] == (0, 1)  # A1
    assert found["county_b"]["repeat"] == (1, 2)  # B1, R2
    assert found["city"]["repeat"] == (2, 8)


def test_the_channel_filter_keeps_only_items_that_came_in_by_those_channels_under_either_basis(
    two_offices: TwoOffices, tree: Tree
):
    # Visits and the mailbox: A1, C1, B1, C3, R1, R2 (C4 by phone and C2 online drop out).
    responsible = scoped_measures(
        tree, Period(start=SCOPED.start, end=SCOPED.end, today=SCOPED.today, channels=VISITS_AND_MAILBOX)
    )
    assert responsible["county_a"]["timely_acceptance"] == (2, 2)  # A1, C1
    assert responsible["county_b"]["timely_acceptance"] == (0, 1)  # B1
    assert responsible["city"]["timely_acceptance"] == (2, 3)
    assert responsible["county_a"]["on_time_closing"] == (2, 2)
    assert responsible["city"]["on_time_closing"] == (2, 3)
    assert responsible["county_a"]["participation"] == (2, 2)  # A1, C1 evaluated; C4 was by phone
    assert responsible["county_a"]["satisfaction"] == (1, 2)
    assert responsible["county_a"]["repeat"] == (1, 3)  # A1, C1, R1
    assert responsible["county_b"]["repeat"] == (1, 2)  # B1, R2
    assert responsible["city"]["repeat"] == (2, 6)  # … and C3

    registered = scoped_measures(
        tree,
        Period(
            start=SCOPED.start,
            end=SCOPED.end,
            today=SCOPED.today,
            basis=Basis.REGISTERED,
            channels=VISITS_AND_MAILBOX,
        ),
    )
    assert registered["county_a"]["timely_acceptance"] == (1, 1)  # A1
    assert registered["county_b"]["timely_acceptance"] == (0, 1)  # B1
    assert registered["city"]["timely_acceptance"] == (2, 3)
    assert registered["county_a"]["on_time_closing"] == (1, 1)
    assert registered["county_a"]["participation"] == (1, 1)
    assert registered["county_a"]["satisfaction"] == (1, 1)
    assert registered["city"]["participation"] == (2, 2)
    assert registered["county_a"]["repeat"] == (0, 1)
    assert registered["county_b"]["repeat"] == (1, 2)
    assert registered["city"]["repeat"] == (2, 6)
    only_phone = scoped_measures(
        tree, Period(start=SCOPED.start, end=SCOPED.end, today=SCOPED.today, channels=(Channel.PHONE,))
    )
    assert only_phone["city"]["participation"] == (0, 1)  # C4, lapsed
    assert only_phone["city"]["repeat"] == (0, 1)


def test_overdue_and_supervised_count_by_the_clocks_and_orders_unit_whatever_the_basis_or_channel(
    two_offices: TwoOffices, tree: Tree
):
    # Obligation clocks due in 2025: routing of the six originals (registering office; C3's still open), the five
    # acceptance and four handling clocks above, and county B's 督办 reply clock (10 working days, still open).
    # County A: A1's routing + 3 acceptance + 3 handling, all on time → 0 of 7.
    # County B: B1's routing; C2, B1 acceptance; B1 handling; the reply → 4 of 5.
    # City: 6 + 5 + 4 + 1 = 16, of which C3 routing, C2 and B1 acceptance, B1 handling and the reply → 5.
    for period in (
        SCOPED,
        BY_OFFICE,
        Period(
            start=SCOPED.start,
            end=SCOPED.end,
            today=SCOPED.today,
            basis=Basis.REGISTERED,
            channels=(Channel.FAX,),
        ),
    ):
        found = scoped_measures(tree, period)
        assert found["county_a"]["overdue"] == (0, 7)
        assert found["county_b"]["overdue"] == (4, 5)
        assert found["city"]["overdue"] == (5, 16)
        assert found["county_b"]["supervised"] == (1, 0)
        assert found["city"]["supervised"] == (1, 0)


def test_every_measure_is_one_statement_for_all_the_units_under_either_basis(
    two_offices: TwoOffices, tree: Tree, django_assert_num_queries
):
    units = [tree.city, tree.city_department, tree.county_a, tree.county_b, tree.county_a_department]
    scoped = Period(
        start=SCOPED.start,
        end=SCOPED.end,
        today=SCOPED.today,
        basis=Basis.REGISTERED,
        channels=VISITS_AND_MAILBOX,
    )
    # 及时受理率, 按期办结率, 参评率 with 满意率, 重复信访率, 超期件数, 督办件数.
    for period in (SCOPED, scoped):
        with django_assert_num_queries(6):
            measures_for(units, period)


def test_a_period_refuses_an_unknown_basis_or_channel():
    with pytest.raises(ValueError, match="basis"):
        Period(start=SCOPED.start, end=SCOPED.end, today=SCOPED.today, basis="complained")
    with pytest.raises(ValueError, match="channels"):
        Period(start=SCOPED.start, end=SCOPED.end, today=SCOPED.today, channels=("pigeon",))


def page_cells(html: str, unit: str) -> dict[str, str]:
    """The measure cells of one unit's row on the assessment page, by measure code."""
    row = re.search(rf'data-unit="{unit}".*?</tr>', html, re.S)
    assert row, unit
    return dict(re.findall(r'data-code="(\w+)">(.*?)</td>', row.group(0), re.S))


def test_the_assessment_page_splits_by_registering_office_and_channel_and_keeps_them_in_its_links(
    two_offices: TwoOffices, tree: Tree, personas: Personas, client_for
):
    client = client_for(personas.leader)
    query = "year=2025&sort=timely_acceptance&basis=registered&channel=mailbox&channel=visit"
    page = client.get(f"/accountability/assessment/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2025年度信访工作考核（01月01日至12月31日，按登记单位，走访、领导信箱）" in html
    assert "超期件数、督办件数按时限、督办单所属单位统计" in html
    # County B registered B1 (accepted late) and R2; A1 is county A's; C1 and C3 belong to the city office only.
    assert page_cells(html, "青山县")["timely_acceptance"].startswith('0.0% <span class="muted">(0/1)</span>')
    assert page_cells(html, "城关区")["timely_acceptance"].startswith(
        '100.0% <span class="muted">(1/1)</span>'
    )
    assert page_cells(html, "青山县")["repeat"].startswith('50.0% <span class="muted">(1/2)</span>')
    assert page_cells(html, "临江市")["timely_acceptance"].startswith(
        '66.67% <span class="muted">(2/3)</span>'
    )
    kept = "year=2025&amp;sort=timely_acceptance&amp;basis=registered&amp;channel=visit&amp;channel=mailbox"
    assert f'href="?unit={tree.county_a.pk}&amp;{kept}"' in html
    assert f"{kept}&amp;format=xlsx" in html
    assert re.search(r'<option value="registered" selected>按登记单位</option>', html)
    assert re.search(r'value="mailbox"[^>]*checked', html)
    assert not re.search(r'value="phone"[^>]*checked', html)

    default = client.get("/accountability/assessment/?year=2025").content.decode()
    assert "2025年度信访工作考核（01月01日至12月31日，按责任单位，全部信访形式）" in default
    assert page_cells(default, "青山县")["timely_acceptance"].startswith(
        '0.0% <span class="muted">(0/2)</span>'
    )
    assert page_cells(default, "城关区")["timely_acceptance"].startswith(
        '100.0% <span class="muted">(3/3)</span>'
    )


def test_the_assessment_page_shows_a_bad_basis_or_channel_at_its_field_and_exports_nothing(
    tree: Tree, personas: Personas, client_for
):
    client = client_for(personas.leader)
    page = client.get("/accountability/assessment/?year=2025&basis=complained&channel=pigeon")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="error-basis">请选择“按责任单位”或“按登记单位”。<' in html
    assert 'data-testid="error-channel">没有“pigeon”这种信访形式，请在列出的信访形式中选择。<' in html
    assert 'data-testid="assessment-table"' not in html
    assert 'data-testid="assessment-export"' not in html
    bad_year = client.get("/accountability/assessment/?year=1999").content.decode()
    assert 'data-testid="error-year">请选择' in bad_year
    export = client.get("/accountability/assessment/?basis=complained&format=xlsx")
    assert export["Content-Type"].startswith("text/html")


def test_the_excel_export_has_the_scope_in_its_title_lines_and_the_numbers_of_the_page(
    two_offices: TwoOffices, tree: Tree, personas: Personas, client_for
):
    client = client_for(personas.leader)
    query = "year=2025&sort=repeat&basis=registered&channel=visit&channel=mailbox"
    html = client.get(f"/accountability/assessment/?{query}").content.decode()
    export = client.get(f"/accountability/assessment/?{query}&format=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(export.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][0] == "2025年度信访工作考核（01月01日至12月31日，按登记单位，走访、领导信箱）"
    assert lines[1][0].endswith("统计口径与信访形式：按登记单位，走访、领导信箱")
    assert lines[2][0].startswith("及时受理率、按期办结率、参评率、满意率、重复信访率按信访事项统计")
    header = lines[3]
    for line in lines[4:]:
        unit = line[0].removeprefix("合计：")
        for code, cell in page_cells(html, unit).items():
            label = next(
                m.label for m in measures_for([tree.city], BY_OFFICE)[tree.city.pk] if m.code == code
            )
            if cell.startswith("—") or "%" in cell:
                numerator, denominator = re.search(r"\((\d+)/(\d+)\)", cell).groups()  # type: ignore[union-attr]
                column = header.index(f"{label}分子")
                assert (line[column], line[column + 1]) == (int(numerator), int(denominator)), (unit, code)
            else:
                assert line[header.index(label)] == int(cell), (unit, code)
    county_b = next(line for line in lines if line[0] == "青山县")
    repeat = header.index("重复信访率（%）")
    assert county_b[repeat : repeat + 3] == (50, 1, 2)
