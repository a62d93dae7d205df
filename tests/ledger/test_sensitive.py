"""Sensitive periods (敏感时期): definition, the units covered, daily reports and their clocks, the page banner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.models import Deadline
from core.choices import UnitKind, UnitLevel
from core.errors import DomainError
from core.models import AuditEvent, Unit, User
from ledger.choices import DAILY_REPORT, DAILY_SUBJECT, ReportState
from ledger.models import DailyReport, SensitivePeriod
from ledger.selectors import daily_reports_for_user
from ledger.services.sensitive import (
    covered_units,
    daily_report_file,
    daily_reports_open,
    sensitive_period_create,
    sensitive_period_end,
)
from ledger.tasks import daily_reports_open_task
from tests.support.accounts import Tree
from tests.support.helpers import CHINESE, travel_to
from tests.support.keycases import LedgerCast

BEFORE = date(2025, 9, 28)
START, END = date(2025, 10, 1), date(2025, 10, 7)
COUNTY_A_UNITS = {"城关区", "城关区住房和城乡建设局", "东门街道"}


@pytest.fixture
def village(tree: Tree) -> Unit:
    return Unit.objects.add_child(
        Unit.objects.get(pk=tree.township_a.pk),
        {"code": "T-A-DM-01", "name": "东门社区", "kind": UnitKind.AREA, "level": UnitLevel.VILLAGE},
    )


def create(cast: LedgerCast, on: date = BEFORE, **overrides: object) -> SensitivePeriod:
    values: dict = {
        "actor": cast.personas.system_admin,
        "name": "国庆节",
        "starts_on": START,
        "ends_on": END,
        "unit_ids": [cast.tree.county_a.pk],
        "note": "每日17时前报送，无情况报零。",
    }
    values.update(overrides)
    with travel_to(on):
        return sensitive_period_create(**values)


def clock(report: DailyReport) -> Deadline:
    return Deadline.objects.get(subject_type=DAILY_SUBJECT, subject_id=report.pk, rule_id=DAILY_REPORT)


def open_days(*days: date) -> list[int]:
    added = []
    for day in days:
        with travel_to(day):
            added.append(daily_reports_open())
    return added


# --- definition -----------------------------------------------------------------------------------------------


def test_a_period_is_created_with_its_units_and_an_audit_row(ledger_cast):
    period = create(ledger_cast)

    assert (period.name, period.starts_on, period.ends_on) == ("国庆节", START, END)
    assert list(period.units.all()) == [ledger_cast.tree.county_a]
    assert AuditEvent.objects.filter(
        action="ledger.sensitive_period.created", object_id=str(period.pk)
    ).exists()
    assert not DailyReport.objects.exists()  # it has not begun


BAD_PERIODS: dict[str, tuple[str, Callable[[LedgerCast], dict]]] = {
    "blank_name": ("name", lambda c: {"name": " "}),
    "long_name": ("name", lambda c: {"name": "敏" * 51}),
    "starts_in_the_past": ("starts_on", lambda c: {"starts_on": BEFORE - timedelta(days=1)}),
    "ends_before_start": ("ends_on", lambda c: {"ends_on": START - timedelta(days=1)}),
    "longer_than_92_days": ("ends_on", lambda c: {"ends_on": START + timedelta(days=92)}),
    "no_units": ("units", lambda c: {"unit_ids": []}),
    "unknown_unit": ("units", lambda c: {"unit_ids": [c.tree.county_a.pk, 999_999]}),
    "unit_outside_subtree": ("units", lambda c: {"actor": c.county_head, "unit_ids": [c.tree.county_b.pk]}),
    "long_note": ("note", lambda c: {"note": "要" * 2001}),
}


@pytest.mark.parametrize("case_name", BAD_PERIODS)
def test_create_refuses_bad_input_in_chinese_at_the_field(ledger_cast, case_name):
    field, overrides = BAD_PERIODS[case_name]

    with pytest.raises(DomainError) as caught:
        create(ledger_cast, **overrides(ledger_cast))

    assert caught.value.field == field
    assert CHINESE.search(caught.value.message)
    assert not SensitivePeriod.objects.exists()


def test_a_period_of_92_days_is_the_longest_allowed(ledger_cast):
    period = create(ledger_cast, ends_on=START + timedelta(days=91))

    assert (period.ends_on - period.starts_on).days + 1 == 92


def test_only_admins_and_section_heads_define_periods(ledger_cast):
    for actor in (ledger_cast.personas.clerk_a, ledger_cast.leader, ledger_cast.handler):
        with pytest.raises(DomainError) as caught:
            create(ledger_cast, actor=actor)
        assert caught.value.code == "forbidden"
    assert create(ledger_cast, actor=ledger_cast.county_head).created_by == ledger_cast.county_head


# --- covered units --------------------------------------------------------------------------------------------


def test_covered_units_are_the_subtree_down_to_townships_without_villages(ledger_cast, village):
    period = create(ledger_cast)

    assert {unit.name for unit in covered_units(period)} == COUNTY_A_UNITS


def test_covering_the_city_covers_every_unit_above_village_level(ledger_cast, village):
    period = create(ledger_cast, unit_ids=[ledger_cast.tree.city.pk])

    names = {unit.name for unit in covered_units(period)}
    assert names == COUNTY_A_UNITS | {"临江市", "临江市人力资源和社会保障局", "青山县"}


def test_overlapping_chosen_units_cover_each_unit_once(ledger_cast):
    period = create(ledger_cast, unit_ids=[ledger_cast.tree.county_a.pk, ledger_cast.tree.township_a.pk])

    assert sorted(unit.name for unit in covered_units(period)) == sorted(COUNTY_A_UNITS)


def test_inactive_units_are_not_covered(ledger_cast, tree):
    Unit.objects.filter(pk=tree.township_a.pk).update(is_active=False)

    period = create(ledger_cast)

    assert {unit.name for unit in covered_units(period)} == COUNTY_A_UNITS - {"东门街道"}


# --- daily reports --------------------------------------------------------------------------------------------


def test_a_period_starting_today_opens_todays_reports_at_once(ledger_cast, village):
    period = create(ledger_cast, on=START)

    reports = DailyReport.objects.filter(period=period)
    assert {report.unit.name for report in reports} == COUNTY_A_UNITS
    assert {report.day for report in reports} == {START}
    assert all(report.state == ReportState.PENDING for report in reports)
    assert all(clock(report).due_on == START for report in reports)


def test_opening_daily_reports_is_idempotent(ledger_cast):
    period = create(ledger_cast)

    assert open_days(START, START, START + timedelta(days=1), START + timedelta(days=1)) == [3, 0, 3, 0]
    assert DailyReport.objects.filter(period=period).count() == 6
    assert Deadline.objects.filter(rule_id=DAILY_REPORT).count() == 6
    assert AuditEvent.objects.filter(action="ledger.daily_reports.opened").count() == 2


def test_no_reports_open_before_or_after_the_period(ledger_cast):
    create(ledger_cast)

    assert open_days(START - timedelta(days=1), END + timedelta(days=1)) == [0, 0]
    assert not DailyReport.objects.exists()


def test_a_daily_report_is_due_the_same_day(ledger_cast):
    period = create(ledger_cast, on=START)
    report = period.daily_reports.get(unit=ledger_cast.tree.county_a)

    with travel_to(START, hour=22):
        filed = daily_report_file(actor=ledger_cast.personas.clerk_a, report_id=report.pk, is_zero=True)

    assert (filed.state, filed.filed_on, filed.is_zero) == (ReportState.FILED, START, True)
    deadline = clock(report)
    assert (deadline.starts_on, deadline.due_on, deadline.status) == (
        START - timedelta(days=1),
        START,
        DeadlineStatus.MET_ON_TIME,
    )


def test_a_daily_report_filed_the_next_day_is_late_and_overdue_until_then(ledger_cast):
    period = create(ledger_cast, on=START)
    report = period.daily_reports.get(unit=ledger_cast.tree.township_a)
    next_day = START + timedelta(days=1)

    with travel_to(next_day):
        overdue = {
            r.unit.name: r.is_overdue for r in list[Any](daily_reports_for_user(ledger_cast.head, period))
        }
        filed = daily_report_file(
            actor=ledger_cast.township_clerk,
            report_id=report.pk,
            is_zero=False,
            content="无异常情况，1名重点人员在家。",
        )

    assert overdue == dict.fromkeys(COUNTY_A_UNITS, True)
    assert (filed.state, filed.filed_on) == (ReportState.FILED_LATE, next_day)
    assert clock(report).status == DeadlineStatus.MET_LATE
    assert AuditEvent.objects.filter(action="ledger.daily_report.filed", detail__late=True).exists()


def test_a_non_zero_daily_report_needs_content(ledger_cast):
    period = create(ledger_cast, on=START)
    report = period.daily_reports.get(unit=ledger_cast.tree.county_a)

    with travel_to(START), pytest.raises(DomainError) as caught:
        daily_report_file(actor=ledger_cast.personas.clerk_a, report_id=report.pk, is_zero=False, content="")

    assert caught.value.field == "content"
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


def test_only_the_units_own_staff_file_its_daily_report_and_only_once(ledger_cast):
    period = create(ledger_cast, on=START)
    report = period.daily_reports.get(unit=ledger_cast.tree.county_a)

    with travel_to(START):
        for actor in (ledger_cast.head, ledger_cast.township_clerk, ledger_cast.county_leader):
            with pytest.raises(DomainError) as caught:
                daily_report_file(actor=actor, report_id=report.pk, is_zero=True)
            assert caught.value.code == "forbidden"
        daily_report_file(actor=ledger_cast.county_head, report_id=report.pk, is_zero=True)
        with pytest.raises(DomainError) as caught:
            daily_report_file(actor=ledger_cast.personas.clerk_a, report_id=report.pk, is_zero=True)

    assert caught.value.code == "filed_already"


# --- ending early ---------------------------------------------------------------------------------------------


def test_ending_early_cancels_later_pending_reports_and_keeps_the_rest(ledger_cast):
    period = create(ledger_cast)
    third = START + timedelta(days=2)
    open_days(START, START + timedelta(days=1), third)
    kept_filed = period.daily_reports.get(unit=ledger_cast.tree.county_a, day=third)
    with travel_to(third):
        daily_report_file(actor=ledger_cast.personas.clerk_a, report_id=kept_filed.pk, is_zero=True)
    withdrawn = list(period.daily_reports.filter(day=third, state=ReportState.PENDING))
    assert len(withdrawn) == 2

    with travel_to(third, hour=15):
        sensitive_period_end(
            actor=ledger_cast.personas.system_admin, period_id=period.pk, on=START + timedelta(days=1)
        )

    period.refresh_from_db()
    assert period.ends_on == START + timedelta(days=1)
    assert not DailyReport.objects.filter(pk__in=[r.pk for r in withdrawn]).exists()
    for report in withdrawn:
        deadline = Deadline.objects.get(subject_type=DAILY_SUBJECT, subject_id=report.pk)
        assert deadline.status == DeadlineStatus.CANCELLED
    assert period.daily_reports.filter(day__lte=START + timedelta(days=1)).count() == 6
    assert period.daily_reports.filter(day=third).get() == kept_filed
    assert open_days(third, third + timedelta(days=1)) == [0, 0]
    assert AuditEvent.objects.filter(
        action="ledger.sensitive_period.ended", object_id=str(period.pk)
    ).exists()


@pytest.mark.parametrize("on", [START - timedelta(days=1), END, END + timedelta(days=1)])
def test_the_early_end_must_fall_inside_the_period_before_its_end(ledger_cast, on):
    period = create(ledger_cast)

    with travel_to(START + timedelta(days=2)), pytest.raises(DomainError) as caught:
        sensitive_period_end(actor=ledger_cast.personas.system_admin, period_id=period.pk, on=on)

    assert caught.value.field == "on"
    period.refresh_from_db()
    assert period.ends_on == END


def test_only_a_unit_at_or_above_a_covered_unit_ends_a_period(ledger_cast):
    period = create(ledger_cast)

    for actor in (ledger_cast.county_b_head, ledger_cast.personas.clerk_a):
        with travel_to(START), pytest.raises(DomainError) as caught:
            sensitive_period_end(actor=actor, period_id=period.pk, on=START)
        assert caught.value.code == "forbidden"
    with travel_to(START):
        sensitive_period_end(actor=ledger_cast.county_head, period_id=period.pk, on=START)
    period.refresh_from_db()
    assert period.ends_on == START


# --- the banner -----------------------------------------------------------------------------------------------


def home_page(client_for: Callable[[User | None], Client], user: User, day: date) -> str:
    with travel_to(day):
        response = client_for(user).get("/")
        assert response.status_code == 200
        return response.content.decode()


@pytest.mark.parametrize("who", ["clerk_b", "leader", "system_admin", "audit_admin"])
def test_the_banner_shows_on_every_users_page_while_the_period_runs(ledger_cast, client_for, who):
    """County B is not covered; the banner still shows to everyone signed in."""
    create(ledger_cast, name="国庆节安保")
    user = getattr(ledger_cast.personas, who)

    for day in (START, END):
        page = home_page(client_for, user, day)
        assert "敏感时期：国庆节安保（2025-10-01至2025-10-07）" in page
        assert 'data-testid="page-banner"' in page
    for day in (START - timedelta(days=1), END + timedelta(days=1)):
        assert "国庆节安保" not in home_page(client_for, user, day)


def test_the_banner_goes_once_the_period_is_ended_early(ledger_cast, client_for):
    period = create(ledger_cast, name="国庆节安保")
    with travel_to(START):
        sensitive_period_end(actor=ledger_cast.personas.system_admin, period_id=period.pk, on=START)

    assert "国庆节安保" in home_page(client_for, ledger_cast.personas.clerk_a, START)
    assert "国庆节安保" not in home_page(client_for, ledger_cast.personas.clerk_a, START + timedelta(days=1))


def test_anonymous_visitors_get_no_banner(ledger_cast, client_for):
    create(ledger_cast, name="国庆节安保")

    with travel_to(START):
        response = client_for(None).get("/", follow=True)

    assert "国庆节安保" not in response.content.decode()


# --- the beat task, through a real worker ---------------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_opens_todays_daily_reports_once(celery_worker, transactional_db, personas, tree: Tree):
    today = timezone.localdate()
    with travel_to(today - timedelta(days=1)):
        period = sensitive_period_create(
            actor=personas.system_admin,
            name="全国两会",
            starts_on=today,
            ends_on=today + timedelta(days=6),
            unit_ids=[tree.county_a.pk],
        )
    assert not DailyReport.objects.exists()

    first = daily_reports_open_task.delay().get(timeout=60)
    second = daily_reports_open_task.delay().get(timeout=60)

    assert (first, second) == (3, 0)
    reports = DailyReport.objects.filter(period=period)
    assert {r.unit.name for r in reports} == COUNTY_A_UNITS
    assert {r.day for r in reports} == {today}
    assert {clock(r).due_on for r in reports} == {today}
