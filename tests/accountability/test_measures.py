"""Assessment measures on hand-made data whose numbers were worked out by hand, scoped to each unit's subtree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from accountability.measures import Measure, Period, measures_for
from accountability.selectors import assessment_rows
from accountability.services import Subject, deadline_meet, deadline_open
from accountability.supervision import supervision_issue
from core.models import User
from petitions.choices import ACCEPTANCE, Satisfaction, Status
from petitions.services import lifecycle
from petitions.services.windows import items_close_lapsed_windows
from tests.conftest import Personas, Tree
from tests.petitions.conftest import ItemFactory

pytestmark = pytest.mark.django_db

PERIOD = Period(start=date(2026, 1, 1), end=date(2026, 5, 31), today=date(2026, 6, 1))


def by_code(measures: list[Measure]) -> dict[str, tuple[int, int]]:
    return {measure.code: (measure.numerator, measure.denominator) for measure in measures}


@pytest.fixture
def acceptance(tree: Tree, personas: Personas) -> Callable[..., None]:
    def clock(subject_id: int, unit_id: int, due_on: date, met_on: date | None = None) -> None:
        deadline_open(
            subject=Subject("petitions.item", subject_id),
            kind=ACCEPTANCE,
            unit_id=unit_id,
            starts_on=date(2026, 2, 20),
            due_on=due_on,
            actor=personas.clerk_a,
        )
        if met_on:
            deadline_meet(
                subject=Subject("petitions.item", subject_id),
                kind=ACCEPTANCE,
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
    assert rows[2][:4] == ("单位", "及时受理率（%）", "及时受理率分子", "及时受理率分母")
    county_line = next(row for row in rows if row[0] == "城关区")
    assert county_line[1:4] == (100, 1, 1)
    assert client_for(personas.clerk_b).get("/accountability/assessment/").status_code == 403
    assert (
        client_for(personas.leader).get(f"/accountability/assessment/?unit={tree.county_a.pk}").status_code
        == 200
    )
