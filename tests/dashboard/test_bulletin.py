"""The weekly bulletin (每周通报): hand-counted numbers of one week, frozen once, scoped, the same on page and Excel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accountability.choices import LadderStep, SupervisionGround, SupervisionMethod
from accountability.models import Deadline, DeadlineRule, Escalation, EscalationStep
from accountability.services.deadlines import Subject, deadline_open
from accountability.services.supervision import supervision_issue
from core.choices import DayUnit
from core.models import AuditEvent, User
from dashboard.bulletin import bulletin_tables, bulletin_week_before, bulletins_generate
from dashboard.models import WeeklyBulletin
from dashboard.selectors import bulletin_compute
from dashboard.tasks import weekly_bulletins_task
from ledger.choices import SCREENING_SUBJECT, CaseStatus
from ledger.models import KeyCase, ScreeningReport
from ledger.services.keycases import progress_add
from ledger.services.screening import ReportInput, screening_report_file, screening_rounds_open
from petitions.choices import CloseReason
from petitions.models import Item
from petitions.services import lifecycle
from tests.support.accounts import Personas, Tree
from tests.support.helpers import travel_to
from tests.support.items import Cast, ItemFactory
from tests.support.keycases import LedgerCast
from tests.support.ladder import DUTY
from tests.support.supervision import finding_on

WEEK_START = date(2026, 3, 2)  # Monday
WEEK_END = date(2026, 3, 8)  # Sunday
MONDAY = date(2026, 3, 9)  # the bulletin is generated

# Row names of the city's bulletin (its sub-units in tree order, then itself) and of county A's.
RS, A, B, CITY_OWN = "临江市人力资源和社会保障局", "城关区", "青山县", "本级（临江市）"
ZJ, DM, A_OWN = "城关区住房和城乡建设局", "东门街道", "本级（城关区）"
TOTAL = "合计"

# Every number counted by hand from the data set built by `week` below.
CITY_EXPECTED: dict[str, dict[str, list[int]]] = {
    # 新收件次, 新收人次, 办结件次, 办结人次 (by 属地: responsible unit, else registering unit)
    "items": {
        RS: [0, 0, 0, 0],
        A: [
            3,
            6,
            2,
            6,
        ],  # new: i1 (3 people), i2 (1), i_new_closed (2); closed: i_closed (4), i_new_closed (2)
        B: [1, 2, 0, 0],  # i3 (2 people)
        CITY_OWN: [0, 0, 0, 0],
        TOTAL: [4, 8, 2, 6],
    },
    # 超期事项（件）, 超期未完成时限（个）, 其中本周新超期（个）
    "overdue": {
        RS: [0, 0, 0],  # its screening report was filed on time
        # routing clocks of i_old1 (due 02-25) and i_old2 (due 03-05, new); the township's test clock (due 03-02,
        # new) and its half-monthly screening report (due 03-03, new). The department's late report is met.
        A: [2, 4, 3],
        B: [0, 2, 2],  # the unfiled weekly screening report (due 03-04) and the test clock (due 03-07)
        CITY_OWN: [0, 1, 1],  # the city's own unfiled weekly screening report (due 03-04)
        TOTAL: [2, 7, 6],
    },
    # 新列入台账, 报送进展, 化解状态变化 (by the case's responsible unit)
    "key_cases": {RS: [0, 0, 0], A: [1, 1, 1], B: [0, 0, 0], CITY_OWN: [0, 0, 0], TOTAL: [1, 1, 1]},
    # 应报, 按时报送, 逾期报送, 未报送 (the weekly round from 03-02)
    "screening": {
        RS: [1, 1, 0, 0],
        A: [2, 1, 1, 0],
        B: [1, 0, 0, 1],
        CITY_OWN: [1, 0, 0, 1],
        TOTAL: [5, 2, 1, 2],
    },
    # 预警, 超期, 督办, 通报, 约谈, 督办单
    "escalations": {
        RS: [0, 0, 0, 0, 0, 0],
        A: [0, 1, 1, 0, 0, 1],
        B: [1, 1, 0, 0, 0, 1],
        CITY_OWN: [0, 0, 0, 0, 0, 0],
        TOTAL: [1, 2, 1, 0, 0, 2],
    },
}

COUNTY_A_EXPECTED: dict[str, dict[str, list[int]]] = {
    "items": {ZJ: [1, 1, 0, 0], DM: [0, 0, 0, 0], A_OWN: [2, 5, 2, 6], TOTAL: [3, 6, 2, 6]},
    "overdue": {ZJ: [0, 0, 0], DM: [0, 2, 2], A_OWN: [2, 2, 1], TOTAL: [2, 4, 3]},
    "key_cases": {ZJ: [1, 0, 0], DM: [0, 1, 1], A_OWN: [0, 0, 0], TOTAL: [1, 1, 1]},
    "screening": {ZJ: [1, 0, 1, 0], DM: [0, 0, 0, 0], A_OWN: [1, 1, 0, 0], TOTAL: [2, 1, 1, 0]},
    "escalations": {
        ZJ: [0, 0, 0, 0, 0, 1],
        DM: [0, 1, 1, 0, 0, 0],
        A_OWN: [0, 0, 0, 0, 0, 0],
        TOTAL: [0, 1, 1, 0, 0, 1],
    },
}


@dataclass
class Week:
    """The hand-made week: who is who, and the items whose counts link to the item list."""

    tree: Tree
    personas: Personas
    ledger_cast: LedgerCast
    items: dict[str, Item]
    cases: dict[str, KeyCase]


def _escalate(deadline: Deadline, step: str, reached_on: date) -> None:
    Escalation.objects.create(
        deadline=deadline,
        step=EscalationStep.objects.get(rule_id=DUTY, step=step),
        due_on=deadline.due_on,
        reached_on=reached_on,
        unit_id=deadline.unit_id,
    )


def _file_screening(user: User, on: date) -> None:
    report = ScreeningReport.objects.get(unit=user.unit, round__period_start=WEEK_START)
    with travel_to(on):
        screening_report_file(actor=user, report_id=report.pk, data=ReportInput(is_zero=True))


@pytest.fixture
def week(
    tree: Tree,
    personas: Personas,
    ledger_cast: LedgerCast,
    cast: Cast,
    item_factory: ItemFactory,
    make_case: Callable[..., KeyCase],
    ladder: DeadlineRule,
) -> Week:
    # Screening: the weekly round from 03-02 (city, its department, both counties, county A's department; reports
    # due 03-04) and the half-monthly round from 03-01 (the township; due 03-03, not a round of this week).
    with travel_to(WEEK_START):
        screening_rounds_open(today=WEEK_START)
    _file_screening(ledger_cast.city_dept_handler, WEEK_START)  # on time
    _file_screening(personas.clerk_a, date(2026, 3, 3))  # county A, on time
    _file_screening(personas.handler_a, date(2026, 3, 6))  # county A's department, late

    with travel_to(MONDAY):
        county_b_factory = ItemFactory(
            Cast(
                clerk=personas.clerk_b,
                handler=personas.handler_a,
                head=personas.section_head,
                personas=personas,
                tree=tree,
            )
        )
        items = {
            "i1": item_factory.register(received_on=date(2026, 3, 3), head_count=3),
            "i2": item_factory.register(received_on=date(2026, 3, 4)),
            "i3": county_b_factory.register(received_on=date(2026, 3, 6), head_count=2),
            "i_new_closed": item_factory.register(received_on=WEEK_START, head_count=2),
            "i_closed": item_factory.register(received_on=date(2026, 2, 24), head_count=4),
            "i_old1": item_factory.register(received_on=date(2026, 2, 10)),  # routing due 02-25
            "i_old2": item_factory.register(received_on=date(2026, 2, 18)),  # routing due 03-05
            "i_before": item_factory.register(received_on=date(2026, 2, 27)),  # nothing this week
            "i_after": item_factory.register(received_on=MONDAY),  # the next week
        }
        lifecycle.item_assign(
            actor=personas.clerk_a,
            item_id=items["i2"].pk,
            unit_id=tree.county_a_department.pk,
            on=date(2026, 3, 5),
        )
        lifecycle.item_close(
            actor=personas.clerk_a,
            item_id=items["i_closed"].pk,
            on=date(2026, 3, 6),
            reason=CloseReason.ANSWERED_ON_SITE,
        )
        lifecycle.item_close(
            actor=personas.clerk_a,
            item_id=items["i_new_closed"].pk,
            on=date(2026, 3, 4),
            reason=CloseReason.WITHDRAWN,
        )

        # Clocks that are not about items: the test kind runs 10 calendar days without roll-forward.
        township_clock = deadline_open(
            subject=Subject("test.thing", 1),
            kind=DUTY,
            unit_id=tree.township_a.pk,
            starts_on=date(2026, 2, 20),
            actor=None,
        )
        county_b_clock = deadline_open(
            subject=Subject("test.thing", 2),
            kind=DUTY,
            unit_id=tree.county_b.pk,
            starts_on=date(2026, 2, 25),
            actor=None,
        )
        # A petitioner's window that ran out is nobody's overdue work.
        DeadlineRule.objects.create(
            kind="test.window", label="测试申请期", days=3, day_unit=DayUnit.CALENDAR, is_obligation=False
        )
        deadline_open(
            subject=Subject("test.thing", 3),
            kind="test.window",
            unit_id=tree.county_a.pk,
            starts_on=date(2026, 2, 26),
            actor=None,
        )
        _escalate(township_clock, LadderStep.WARNING, date(2026, 2, 27))  # the week before
        _escalate(township_clock, LadderStep.OVERDUE, date(2026, 3, 3))
        _escalate(township_clock, LadderStep.SUPERVISION, date(2026, 3, 7))
        _escalate(county_b_clock, LadderStep.WARNING, date(2026, 3, 4))
        _escalate(county_b_clock, LadderStep.OVERDUE, WEEK_END)
        _escalate(county_b_clock, LadderStep.SUPERVISION, MONDAY)  # the next week

        for unit, issued_on in [
            (tree.county_b, date(2026, 3, 4)),
            (tree.county_a_department, date(2026, 3, 6)),
            (tree.county_b, MONDAY),  # the next week
        ]:
            supervision_issue(
                actor=personas.supervisor,
                unit=unit,
                subject=finding_on(unit),
                ground=SupervisionGround.NOT_CLOSED_ON_TIME,
                method=SupervisionMethod.WRITTEN,
                requirement="请于十个工作日内书面说明办理进度。",
                issued_on=issued_on,
            )

        cases = {
            "k_new": make_case(opened_on=date(2026, 3, 3), resolve_by=date(2026, 5, 1)),
            "k_moved": make_case(
                title="东门街道老旧小区加装电梯纠纷",
                opened_on=date(2026, 2, 2),
                resolve_by=date(2026, 5, 29),
                responsible_unit_id=tree.township_a.pk,
                responsible_person_id=ledger_cast.township_handler.pk,
            ),
            "k_quiet": make_case(
                title="城关区拆迁安置补偿",
                opened_on=date(2026, 2, 2),
                resolve_by=date(2026, 5, 29),
            ),
        }
        head = ledger_cast.head
        progress_add(
            actor=head,
            case_id=cases["k_moved"].pk,
            reported_on=date(2026, 3, 4),
            done="召开业主协调会，达成初步方案。",
            status_after=CaseStatus.RESOLVING,
        )
        progress_add(actor=head, case_id=cases["k_moved"].pk, reported_on=date(2026, 3, 6), done="公示方案。")
        progress_add(
            actor=head, case_id=cases["k_quiet"].pk, reported_on=date(2026, 2, 27), done="逐户走访。"
        )
    return Week(tree, personas, ledger_cast, items, cases)


def _numbers(bulletin: WeeklyBulletin) -> dict[str, dict[str, list[int]]]:
    """The per-unit tables of the bulletin as {table: {row name: numbers}}."""
    return {
        table.key: {
            str(row.cells[0].value): [int(cell.value) for cell in row.cells[1:]] for row in table.rows
        }
        for table in bulletin_tables(bulletin)
        if table.key != "key_case_list"
    }


def _generate() -> list[WeeklyBulletin]:
    with travel_to(MONDAY, hour=6):
        return bulletins_generate(actor=None)


def test_the_week_is_the_monday_to_sunday_before_today():
    assert bulletin_week_before(MONDAY) == (WEEK_START, WEEK_END)
    assert bulletin_week_before(WEEK_END) == (date(2026, 2, 23), date(2026, 3, 1))


def test_the_hand_made_week_has_the_due_dates_the_counts_assume(week: Week):
    routing = {
        name: Deadline.objects.get(subject_id=week.items[name].pk, rule_id="petition.routing").due_on
        for name in ("i_old1", "i_old2")
    }
    assert routing == {"i_old1": date(2026, 2, 25), "i_old2": date(2026, 3, 5)}
    due = dict(
        Deadline.objects.filter(subject_type=SCREENING_SUBJECT, status="open").values_list(
            "unit__code", "due_on"
        )
    )
    assert due == {"T": date(2026, 3, 4), "T-B": date(2026, 3, 4), "T-A-DM": date(2026, 3, 3)}


def test_a_bulletin_is_generated_for_each_unit_with_sub_units_with_the_hand_counted_numbers(week: Week):
    created = _generate()

    assert sorted(bulletin.number for bulletin in created) == ["ZB2026-W10-T", "ZB2026-W10-T-A"]
    city = WeeklyBulletin.objects.get(unit=week.tree.city)
    county_a = WeeklyBulletin.objects.get(unit=week.tree.county_a)
    assert (city.week_start, city.week_end) == (WEEK_START, WEEK_END)
    assert _numbers(city) == CITY_EXPECTED
    assert _numbers(county_a) == COUNTY_A_EXPECTED


def test_the_key_cases_changed_in_the_week_are_listed_with_what_changed(week: Week):
    _generate()
    city = WeeklyBulletin.objects.get(unit=week.tree.city)
    listed = next(table for table in bulletin_tables(city) if table.key == "key_case_list")
    rows = [[cell.value for cell in row.cells] for row in listed.rows]
    assert [(row[0], row[2], row[4], row[6]) for row in rows] == [
        (week.cases["k_new"].number, ZJ, "未化解", "新列入台账"),
        (week.cases["k_moved"].number, DM, "化解中", "报送进展2次、状态变化1次"),
    ]


def test_rerunning_generation_adds_no_bulletin_and_no_audit_row(week: Week):
    first = _generate()
    with travel_to(MONDAY, hour=7):
        assert weekly_bulletins_task() == 0
    assert _generate() == []

    assert WeeklyBulletin.objects.count() == len(first) == 2
    audits = AuditEvent.objects.filter(action="dashboard.bulletin.generated")
    assert sorted(audits.values_list("object_id", flat=True)) == sorted(str(b.pk) for b in first)


def test_the_monday_task_generates_last_weeks_bulletins(week: Week):
    with travel_to(MONDAY, hour=6):
        assert weekly_bulletins_task() == 2
    assert set(WeeklyBulletin.objects.values_list("week_start", flat=True)) == {WEEK_START}


def test_a_bulletin_is_frozen_when_generated(week: Week, item_factory: ItemFactory):
    _generate()
    with travel_to(MONDAY):
        item_factory.register(received_on=date(2026, 3, 5), head_count=4)  # typed in late
    city = WeeklyBulletin.objects.get(unit=week.tree.city)
    assert _numbers(city)["items"][TOTAL] == [4, 8, 2, 6]


def test_a_week_that_has_not_ended_is_refused(week: Week):
    from core.errors import DomainError

    with pytest.raises(DomainError):
        bulletins_generate(actor=None, week_start=MONDAY, today=date(2026, 3, 15))


def test_the_numbers_take_one_statement_per_table_whatever_the_data(
    week: Week, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        bulletin_compute(unit=week.tree.city, start=WEEK_START, end=WEEK_END)


# Pages -------------------------------------------------------------------------------------------------------


class _TableReader(HTMLParser):
    """Collects the text of each row's cells per table section (data-testid="table-<key>")."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.section = ""
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        test_id = dict(attrs).get("data-testid") or ""
        if tag == "section" and test_id.startswith("table-"):
            self.section = test_id.removeprefix("table-")
            self.tables[self.section] = []
        elif tag == "tr" and self.section and test_id.startswith("row-"):
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.section].append(self.row)
            self.row = None
        elif tag == "section":
            self.section = ""

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _page_numbers(html: str) -> dict[str, dict[str, list[int]]]:
    reader = _TableReader()
    reader.feed(html)
    return {
        key: {row[0]: [int(value) for value in row[1:]] for row in rows}
        for key, rows in reader.tables.items()
        if key != "key_case_list"
    }


def _excel_numbers(content: bytes) -> dict[str, dict[str, list[int]]]:
    """Rows of the workbook under each table title, keyed like the page."""
    sheet = load_workbook(BytesIO(content), read_only=True)["每周通报"]
    titles = {
        "一、信访事项收办情况": "items",
        "二、超期情况（截至周末）": "overdue",
        "三、重点信访问题台账变化": "key_cases",
        "四、矛盾纠纷排查报送情况": "screening",
        "五、预警升级与督办": "escalations",
    }
    found: dict[str, dict[str, list[int]]] = {}
    current = ""
    for values in sheet.iter_rows(values_only=True):
        first = values[0] if values else None
        if isinstance(first, str) and first in titles:
            current = titles[first]
            found[current] = {}
        elif current and isinstance(first, str) and len(values) > 1 and isinstance(values[1], int):
            found[current][first] = [value for value in values[1:] if value is not None]
    return found


def test_the_page_and_the_excel_show_the_same_numbers(
    week: Week, client_for: Callable[[User | None], Client]
):
    _generate()
    city = WeeklyBulletin.objects.get(unit=week.tree.city)
    client = client_for(week.personas.leader)

    page = client.get(reverse("dashboard:bulletin_detail", args=[city.pk]))
    excel = client.get(reverse("dashboard:bulletin_excel", args=[city.pk]))

    assert page.status_code == excel.status_code == 200
    assert _page_numbers(page.content.decode()) == CITY_EXPECTED
    assert _excel_numbers(excel.content) == CITY_EXPECTED
    assert "本周新收信访事项4件次、8人次，办结2件次、6人次" in page.content.decode()


def test_each_linked_count_of_items_is_what_the_item_list_shows(
    week: Week, client_for: Callable[[User | None], Client]
):
    _generate()
    city = WeeklyBulletin.objects.get(unit=week.tree.city)
    client = client_for(week.personas.leader)
    checked = 0
    with travel_to(MONDAY):
        for table in bulletin_tables(city):
            if table.key not in ("items", "overdue"):
                continue
            for row in table.rows:
                # 新收件次, 办结件次 and 超期事项 select exactly the counted items.
                for cell in row.cells[1:]:
                    if not cell.url:
                        continue
                    listed = client.get(cell.url).context["page"].paginator.count
                    assert listed == cell.value, (table.key, row.cells[0].value, cell.url)
                    checked += 1
    assert checked == 12  # three sub-units and the total: new and closed items, and overdue items


def test_the_list_shows_the_bulletins_of_the_viewers_subtree(
    week: Week, client_for: Callable[[User | None], Client], django_assert_max_num_queries
):
    _generate()
    county_leader = week.ledger_cast.county_leader

    city_leader = client_for(week.personas.leader)
    # 12, and the menu's work-queue counts: 4 queues of a leader and the subtree ids they share
    with django_assert_max_num_queries(17):
        city_list = city_leader.get(reverse("dashboard:bulletin_list"))
    county_list = client_for(county_leader).get(reverse("dashboard:bulletin_list"))
    county_b_list = client_for(week.ledger_cast.county_b_leader).get(reverse("dashboard:bulletin_list"))

    assert [b.number for b in city_list.context["page"]] == ["ZB2026-W10-T", "ZB2026-W10-T-A"]
    assert [b.number for b in county_list.context["page"]] == ["ZB2026-W10-T-A"]
    assert list(county_b_list.context["page"]) == []


@pytest.mark.parametrize("name", ["bulletin_detail", "bulletin_excel"])
def test_a_bulletin_outside_the_viewers_subtree_is_not_found(
    week: Week, client_for: Callable[[User | None], Client], name: str
):
    _generate()
    city = WeeklyBulletin.objects.get(unit=week.tree.city)
    county_a = WeeklyBulletin.objects.get(unit=week.tree.county_a)
    county_leader = client_for(week.ledger_cast.county_leader)
    county_b_leader = client_for(week.ledger_cast.county_b_leader)

    assert county_leader.get(reverse(f"dashboard:{name}", args=[county_a.pk])).status_code == 200
    assert county_leader.get(reverse(f"dashboard:{name}", args=[city.pk])).status_code == 404
    assert county_b_leader.get(reverse(f"dashboard:{name}", args=[county_a.pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("leader", 200),
        ("section_head", 200),
        ("supervisor", 200),
        ("clerk_a", 403),
        ("handler_a", 403),
        ("system_admin", 403),
        ("audit_admin", 403),
        (None, 302),
    ],
)
@pytest.mark.parametrize("name", ["bulletin_list", "bulletin_detail", "bulletin_excel"])
def test_only_leaders_section_heads_and_supervisors_read_bulletins(
    week: Week, client_for: Callable[[User | None], Client], persona: str | None, expected: int, name: str
):
    _generate()
    city = WeeklyBulletin.objects.get(unit=week.tree.city)
    args: Any = [] if name == "bulletin_list" else [city.pk]
    user = getattr(week.personas, persona) if persona else None
    assert client_for(user).get(reverse(f"dashboard:{name}", args=args)).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("leader", 302), ("supervisor", 302), ("section_head", 403), ("clerk_a", 403), (None, 302)],
)
def test_leaders_and_supervisors_may_generate_last_weeks_bulletins_now(
    week: Week, client_for: Callable[[User | None], Client], persona: str | None, expected: int
):
    user = getattr(week.personas, persona) if persona else None
    with travel_to(MONDAY):
        response = client_for(user).post(reverse("dashboard:bulletin_generate"))
    assert response.status_code == expected
    made = 2 if persona in ("leader", "supervisor") else 0
    assert WeeklyBulletin.objects.count() == made
    if made:
        assert response["Location"] == reverse("dashboard:bulletin_list")
        assert set(WeeklyBulletin.objects.values_list("generated_by", flat=True)) == {user.pk}  # type: ignore[union-attr]


def test_generating_now_covers_only_the_actors_subtree_and_twice_adds_nothing(
    week: Week, client_for: Callable[[User | None], Client]
):
    county_leader = client_for(week.ledger_cast.county_leader)
    with travel_to(MONDAY):
        county_leader.post(reverse("dashboard:bulletin_generate"))
        county_leader.post(reverse("dashboard:bulletin_generate"))
    assert list(WeeklyBulletin.objects.values_list("number", flat=True)) == ["ZB2026-W10-T-A"]
    assert AuditEvent.objects.filter(action="dashboard.bulletin.generated").count() == 1
