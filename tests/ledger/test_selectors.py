"""Ledger reads: who sees which case, round, finding and period; ledger ordering and stale flags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.http import Http404

from core.models import User
from ledger.choices import CaseStatus, FocusArea, ReportState, RiskLevel
from ledger.models import KeyCase, ScreeningReport
from ledger.selectors import (
    cases_owned_by,
    daily_report_get_for_user,
    finding_get_for_user,
    findings_for_user,
    keycase_get_for_user,
    keycase_qs_visible_to,
    ledger_rows,
    period_get_for_user,
    periods_for_user,
    reports_to_file,
    round_get_for_user,
    round_reports_for_user,
    rounds_for_user,
    screening_report_get_for_user,
)
from ledger.services.keycases import progress_add
from ledger.services.screening import FindingInput, ReportInput, screening_report_file, screening_rounds_open
from ledger.services.sensitive import sensitive_period_create
from petitions.services.intake import item_register
from tests.support.helpers import travel_to
from tests.support.items import intake_input
from tests.support.keycases import LedgerCast


@pytest.fixture
def cases(make_case: Callable[..., KeyCase], ledger_cast: LedgerCast) -> dict[str, KeyCase]:
    """Four cases whose office, responsible unit, stabilizing unit and owner differ.

    city: kept by the city, run by county A's department, owned by the city leader.
    stabilized_by_b: as city, but county B keeps it stable.
    owned_by_b: as city, but owned by county B's leader (county B is not otherwise involved).
    county: kept by county A, run by county A's township, owned by county A's leader.
    """
    cast = ledger_cast
    return {
        "city": make_case(title="城市台账"),
        "stabilized_by_b": make_case(title="青山县稳控", stabilizing_unit_id=cast.tree.county_b.pk),
        "owned_by_b": make_case(title="青山县领导包案", owner_id=cast.county_b_leader.pk),
        "county": make_case(
            actor=cast.county_head,
            title="城关区台账",
            owner_id=cast.county_leader.pk,
            responsible_unit_id=cast.tree.township_a.pk,
            responsible_person_id=cast.township_handler.pk,
        ),
    }


VISIBLE = {
    "head": {"city", "stabilized_by_b", "owned_by_b", "county"},
    "leader": {"city", "stabilized_by_b", "owned_by_b", "county"},
    "county_head": {"city", "stabilized_by_b", "owned_by_b", "county"},
    "handler": {"city", "stabilized_by_b", "owned_by_b"},
    "township_handler": {"county"},
    "county_b_head": {"stabilized_by_b"},
    "county_b_leader": {"stabilized_by_b", "owned_by_b"},
    "city_dept_handler": set(),
}


@pytest.mark.parametrize("who", VISIBLE)
def test_cases_visible_through_office_responsible_or_stabilizing_subtree_or_ownership(
    cases, ledger_cast, who
):
    user: User = getattr(ledger_cast, who)
    names = {pk: name for name, case in cases.items() for pk in [case.pk]}

    seen = {names[pk] for pk in keycase_qs_visible_to(user).values_list("pk", flat=True)}

    assert seen == VISIBLE[who]


@pytest.mark.parametrize("admin", ["system_admin", "security_admin", "audit_admin"])
def test_admins_see_no_case(cases, ledger_cast, admin):
    user = getattr(ledger_cast.personas, admin)

    assert not keycase_qs_visible_to(user).exists()
    with pytest.raises(Http404):
        keycase_get_for_user(user, cases["city"].pk)


def test_a_case_outside_scope_is_a_404(cases, ledger_cast):
    with pytest.raises(Http404):
        keycase_get_for_user(ledger_cast.county_b_head, cases["city"].pk)
    assert keycase_get_for_user(ledger_cast.county_b_head, cases["stabilized_by_b"].pk).title == "青山县稳控"


def test_a_leaders_own_cases_are_those_they_own(cases, ledger_cast):
    assert {c.title for c in cases_owned_by(ledger_cast.county_b_leader)} == {"青山县领导包案"}
    assert {c.title for c in cases_owned_by(ledger_cast.leader)} == {"城市台账", "青山县稳控"}


def test_ledger_rows_put_overdue_first_then_by_deadline_and_flag_cases_without_progress_for_over_7_days(
    make_case, ledger_cast
):
    opened = date(2025, 6, 2)
    with travel_to(opened):
        late_a = make_case(title="逾期A", opened_on=opened, resolve_by=date(2025, 6, 20))
        late_b = make_case(title="逾期B", opened_on=opened, resolve_by=date(2025, 6, 10))
        later = make_case(title="最晚", opened_on=opened, resolve_by=date(2025, 7, 5))
        soon = make_case(title="将到期", opened_on=opened, resolve_by=date(2025, 7, 3))
        resolved = make_case(title="已化解", opened_on=opened, resolve_by=date(2025, 6, 15))
    with travel_to(date(2025, 6, 28)):
        fresh = make_case(title="新列入", opened_on=date(2025, 6, 28), resolve_by=date(2025, 7, 4))
        progress_add(
            actor=ledger_cast.handler,
            case_id=resolved.pk,
            reported_on=date(2025, 6, 12),
            done="已落实。",
            status_after=CaseStatus.RESOLVED,
        )
        progress_add(
            actor=ledger_cast.handler, case_id=later.pk, reported_on=date(2025, 6, 24), done="面谈。"
        )
        progress_add(actor=ledger_cast.handler, case_id=soon.pk, reported_on=date(2025, 6, 23), done="面谈。")

    with travel_to(date(2025, 7, 1)):
        rows: list[Any] = list(ledger_rows(ledger_cast.head))

    assert [row.title for row in rows] == ["逾期B", "逾期A", "已化解", "将到期", "新列入", "最晚"]
    flags = {row.title: (row.is_overdue, row.is_stale) for row in rows}
    assert flags == {
        "逾期B": (True, True),
        "逾期A": (True, True),
        "已化解": (False, False),  # closed cases are neither overdue nor stale
        "将到期": (False, True),  # last progress 8 days ago
        "新列入": (False, False),  # opened 3 days ago
        "最晚": (False, False),  # last progress exactly 7 days ago
    }
    assert {late_a.pk, late_b.pk, fresh.pk} <= {row.pk for row in rows}


def test_ledger_rows_read_in_one_query(make_case, ledger_cast, django_assert_num_queries):
    for _ in range(4):
        make_case()
    head = User.objects.select_related("unit").get(pk=ledger_cast.head.pk)

    with django_assert_num_queries(1):
        rows: list[Any] = list(ledger_rows(head))
        labels = [(r.owner.full_name, r.responsible_unit.name, r.office.name, r.item_count) for r in rows]

    assert len(labels) == 4


def test_ledger_rows_count_each_cases_own_linked_items_and_count_the_cases_once(make_case, ledger_cast):
    items = [item_register(actor=ledger_cast.personas.clerk_a, data=intake_input()) for _ in range(3)]
    two = make_case(item_ids=[items[0].pk, items[1].pk])
    one = make_case(item_ids=[items[2].pk])
    none = make_case()

    rows = ledger_rows(ledger_cast.head)
    counted: list[Any] = list(rows)

    assert {row.pk: row.item_count for row in counted} == {two.pk: 2, one.pk: 1, none.pk: 0}
    assert rows.count() == 3


# --- screening ------------------------------------------------------------------------------------------------


@pytest.fixture
def rounds(ledger_cast: LedgerCast) -> dict[str, int]:
    """Rounds of Monday 2025-09-15: county A's department files on time, county A late, the rest not at all."""
    with travel_to(date(2025, 9, 15)):
        weekly, half = screening_rounds_open()
    dept_report = ScreeningReport.objects.get(round=weekly, unit=ledger_cast.tree.county_a_department)
    county_report = ScreeningReport.objects.get(round=weekly, unit=ledger_cast.tree.county_a)
    with travel_to(date(2025, 9, 16)):
        screening_report_file(
            actor=ledger_cast.handler, report_id=dept_report.pk, data=ReportInput(is_zero=True)
        )
    with travel_to(date(2025, 9, 18)):
        screening_report_file(
            actor=ledger_cast.personas.clerk_a, report_id=county_report.pk, data=ReportInput(is_zero=True)
        )
    return {"weekly": weekly.pk, "half": half.pk}


def counts(user: User) -> dict[int, tuple[int, int, int, int]]:
    found: list[Any] = list(rounds_for_user(user))
    return {r.pk: (r.due_count, r.filed_count, r.late_count, r.missing_count) for r in found}


def test_round_counts_cover_the_users_subtree(rounds, ledger_cast):
    assert counts(ledger_cast.county_head) == {rounds["weekly"]: (2, 1, 1, 0), rounds["half"]: (1, 0, 0, 1)}
    assert counts(ledger_cast.head) == {rounds["weekly"]: (5, 1, 1, 3), rounds["half"]: (1, 0, 0, 1)}
    assert counts(ledger_cast.county_b_head) == {rounds["weekly"]: (1, 0, 0, 1)}
    assert counts(ledger_cast.township_clerk) == {rounds["half"]: (1, 0, 0, 1)}
    assert counts(ledger_cast.personas.system_admin) == {}


def test_a_round_with_nothing_due_from_the_user_is_a_404(rounds, ledger_cast):
    with pytest.raises(Http404):
        round_get_for_user(ledger_cast.county_b_head, rounds["half"])
    assert round_get_for_user(ledger_cast.county_head, rounds["half"]).pk == rounds["half"]


def test_round_reports_show_the_subtree_with_overdue_flags(rounds, ledger_cast):
    weekly = round_get_for_user(ledger_cast.head, rounds["weekly"])
    with travel_to(date(2025, 9, 18)):
        reports = {
            r.unit.name: (r.state, r.is_overdue)
            for r in list[Any](round_reports_for_user(ledger_cast.head, weekly))
        }

    assert reports == {
        "临江市": (ReportState.PENDING, True),
        "临江市人力资源和社会保障局": (ReportState.PENDING, True),
        "城关区": (ReportState.FILED_LATE, False),
        "城关区住房和城乡建设局": (ReportState.FILED, False),
        "青山县": (ReportState.PENDING, True),
    }
    assert {r.unit.name for r in round_reports_for_user(ledger_cast.county_b_head, weekly)} == {"青山县"}


def test_screening_reports_outside_the_subtree_are_a_404(rounds, ledger_cast):
    report = ScreeningReport.objects.get(round_id=rounds["weekly"], unit=ledger_cast.tree.county_b)

    for user in (ledger_cast.county_head, ledger_cast.personas.system_admin):
        with pytest.raises(Http404):
            screening_report_get_for_user(user, report.pk)
    assert screening_report_get_for_user(ledger_cast.head, report.pk).pk == report.pk


def test_reports_to_file_lists_only_the_users_own_units_pending_reports(rounds, ledger_cast):
    assert [r.unit for r in reports_to_file(ledger_cast.township_clerk)["screening"]] == [
        ledger_cast.tree.township_a
    ]
    assert (
        reports_to_file(ledger_cast.county_head)["screening"] == []
    )  # county A filed; the township is not its own
    assert reports_to_file(ledger_cast.personas.system_admin) == {"screening": [], "daily": []}


def test_findings_are_scoped_to_the_reporting_units_subtree(ledger_cast):
    with travel_to(date(2025, 9, 1)):
        (half,) = [r for r in screening_rounds_open() if r.frequency == "half_monthly"]
        report = ScreeningReport.objects.get(round=half, unit=ledger_cast.tree.township_a)
        screening_report_file(
            actor=ledger_cast.township_clerk,
            report_id=report.pk,
            data=ReportInput(
                is_zero=False,
                findings=[
                    FindingInput(
                        description="征地补偿纠纷", focus_area=FocusArea.LAND, risk_level=RiskLevel.MEDIUM
                    )
                ],
            ),
        )
    (finding,) = report.findings.all()

    for user in (ledger_cast.head, ledger_cast.county_head, ledger_cast.township_clerk):
        assert list(findings_for_user(user)) == [finding]
        assert finding_get_for_user(user, finding.pk) == finding
    for user in (ledger_cast.county_b_head, ledger_cast.handler, ledger_cast.personas.audit_admin):
        assert not findings_for_user(user).exists()
        with pytest.raises(Http404):
            finding_get_for_user(user, finding.pk)


# --- sensitive periods ----------------------------------------------------------------------------------------


def test_periods_are_seen_from_covered_units_above_and_below_and_by_their_admin(ledger_cast):
    with travel_to(date(2025, 9, 28)):
        period = sensitive_period_create(
            actor=ledger_cast.personas.system_admin,
            name="国庆",
            starts_on=date(2025, 10, 1),
            ends_on=date(2025, 10, 8),
            unit_ids=[ledger_cast.tree.county_a.pk],
        )

    seeing = [
        ledger_cast.head,  # the city is above county A
        ledger_cast.county_head,
        ledger_cast.handler,  # county A's department is below it
        ledger_cast.township_clerk,
        ledger_cast.personas.system_admin,  # made it
    ]
    not_seeing = [ledger_cast.county_b_head, ledger_cast.personas.security_admin]
    for user in seeing:
        assert list(periods_for_user(user)) == [period]
        assert period_get_for_user(user, period.pk) == period
    for user in not_seeing:
        assert not periods_for_user(user).exists()
        with pytest.raises(Http404):
            period_get_for_user(user, period.pk)


def test_daily_reports_outside_the_subtree_are_a_404(ledger_cast):
    with travel_to(date(2025, 10, 1)):
        period = sensitive_period_create(
            actor=ledger_cast.head,
            name="国庆",
            starts_on=date(2025, 10, 1),
            ends_on=date(2025, 10, 8),
            unit_ids=[ledger_cast.tree.county_a.pk, ledger_cast.tree.county_b.pk],
        )
    report_b = period.daily_reports.get(unit=ledger_cast.tree.county_b)

    with pytest.raises(Http404):
        daily_report_get_for_user(ledger_cast.county_head, report_b.pk)
    with pytest.raises(Http404):
        daily_report_get_for_user(ledger_cast.personas.system_admin, report_b.pk)
    assert daily_report_get_for_user(ledger_cast.county_b_head, report_b.pk) == report_b
