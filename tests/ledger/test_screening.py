"""Screening (排查): the round schedule by unit level, due dates on the working-day calendar, filing, promotion."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accountability.choices import DeadlineStatus
from accountability.models import Deadline
from core.choices import UnitKind, UnitLevel
from core.errors import DomainError
from core.models import AuditEvent, Division, Unit, User
from core.services.calendar import HolidayArrangement, calendar_year_publish
from ledger.choices import (
    SCREENING_REPORT,
    SCREENING_SUBJECT,
    CaseStatus,
    FocusArea,
    Frequency,
    ReportState,
    RiskLevel,
    Source,
)
from ledger.models import Finding, KeyCase, ScreeningReport, ScreeningRound
from ledger.services.screening import (
    FindingInput,
    ReportInput,
    finding_promote,
    period_containing,
    screening_report_file,
    screening_rounds_open,
)
from ledger.tasks import screening_rounds_open_task
from tests.support.accounts import Tree
from tests.support.helpers import CHINESE, travel_to
from tests.support.keycases import LedgerCast, keycase_input

WEEKLY_UNITS = {"临江市", "临江市人力资源和社会保障局", "城关区", "城关区住房和城乡建设局", "青山县"}


def open_on(day: date) -> dict[str, ScreeningRound]:
    with travel_to(day):
        return {round_.frequency: round_ for round_ in screening_rounds_open()}


def unit_names(round_: ScreeningRound) -> set[str]:
    return set(round_.reports.values_list("unit__name", flat=True))


def clock(report: ScreeningReport) -> Deadline:
    return Deadline.objects.get(
        subject_type=SCREENING_SUBJECT, subject_id=report.pk, rule_id=SCREENING_REPORT
    )


def report_of(round_: ScreeningRound, unit: Unit) -> ScreeningReport:
    return ScreeningReport.objects.get(round=round_, unit=unit)


@pytest.fixture
def village(tree: Tree) -> Unit:
    return Unit.objects.add_child(
        Unit.objects.get(pk=tree.township_a.pk),
        {"code": "T-A-DM-01", "name": "东门社区", "kind": UnitKind.AREA, "level": UnitLevel.VILLAGE},
    )


# --- the schedule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "day", "period"),
    [
        (Frequency.WEEKLY, date(2025, 9, 15), (date(2025, 9, 15), date(2025, 9, 21))),
        (Frequency.WEEKLY, date(2025, 9, 17), (date(2025, 9, 15), date(2025, 9, 21))),
        (Frequency.WEEKLY, date(2025, 9, 21), (date(2025, 9, 15), date(2025, 9, 21))),
        (Frequency.HALF_MONTHLY, date(2025, 9, 1), (date(2025, 9, 1), date(2025, 9, 15))),
        (Frequency.HALF_MONTHLY, date(2025, 9, 15), (date(2025, 9, 1), date(2025, 9, 15))),
        (Frequency.HALF_MONTHLY, date(2025, 9, 16), (date(2025, 9, 16), date(2025, 9, 30))),
        (Frequency.HALF_MONTHLY, date(2025, 2, 20), (date(2025, 2, 16), date(2025, 2, 28))),
        (Frequency.HALF_MONTHLY, date(2024, 2, 20), (date(2024, 2, 16), date(2024, 2, 29))),
        (Frequency.HALF_MONTHLY, date(2025, 12, 31), (date(2025, 12, 16), date(2025, 12, 31))),
    ],
)
def test_periods_run_monday_to_sunday_or_by_half_month(frequency, day, period):
    assert period_containing(frequency, day) == period


def test_weekly_for_city_and_county_units_and_departments_half_monthly_for_townships_none_for_villages(
    ledger_cast, village
):
    rounds = open_on(date(2025, 9, 15))

    assert set(rounds) == {Frequency.WEEKLY, Frequency.HALF_MONTHLY}
    weekly, half = rounds[Frequency.WEEKLY], rounds[Frequency.HALF_MONTHLY]
    assert (weekly.period_start, weekly.period_end) == (date(2025, 9, 15), date(2025, 9, 21))
    assert (half.period_start, half.period_end) == (date(2025, 9, 1), date(2025, 9, 15))
    assert unit_names(weekly) == WEEKLY_UNITS
    assert unit_names(half) == {"东门街道"}
    assert not ScreeningReport.objects.filter(unit=village).exists()
    assert all(report.state == ReportState.PENDING for report in ScreeningReport.objects.all())


def test_opening_midweek_finds_the_mondays_round_and_adds_nothing(ledger_cast):
    """Monday 8 and Wednesday 10 Sep 2025 lie in the same week and the same half month."""
    monday = open_on(date(2025, 9, 8))
    reports, clocks = (
        ScreeningReport.objects.count(),
        Deadline.objects.filter(rule_id=SCREENING_REPORT).count(),
    )

    wednesday = open_on(date(2025, 9, 10))
    again = open_on(date(2025, 9, 10))

    assert {f: r.pk for f, r in wednesday.items()} == {f: r.pk for f, r in monday.items()}
    assert {f: r.pk for f, r in again.items()} == {f: r.pk for f, r in monday.items()}
    assert ScreeningRound.objects.count() == 2
    assert ScreeningReport.objects.count() == reports == 6
    assert Deadline.objects.filter(rule_id=SCREENING_REPORT).count() == clocks == 6
    assert AuditEvent.objects.filter(action="ledger.screening_round.opened").count() == 2


def test_a_unit_created_mid_period_joins_the_open_round_with_the_rounds_due_date(ledger_cast, tree):
    weekly = open_on(date(2025, 9, 15))[Frequency.WEEKLY]
    new = Unit.objects.add_child(
        Unit.objects.get(pk=tree.city.pk),
        {"code": "T-C", "name": "白石县", "kind": UnitKind.AREA, "level": UnitLevel.COUNTY},
    )

    open_on(date(2025, 9, 17))

    report = report_of(weekly, new)
    assert clock(report).due_on == clock(report_of(weekly, tree.county_a)).due_on == date(2025, 9, 17)


def test_an_inactive_unit_gets_no_report(ledger_cast, tree):
    Unit.objects.filter(pk=tree.county_b.pk).update(is_active=False)

    weekly = open_on(date(2025, 9, 15))[Frequency.WEEKLY]

    assert unit_names(weekly) == WEEKLY_UNITS - {"青山县"}


def test_the_level_frequency_setting_overrides_the_defaults(ledger_cast, village):
    frequencies = {UnitLevel.COUNTY: Frequency.HALF_MONTHLY, UnitLevel.TOWNSHIP: Frequency.WEEKLY}
    with override_settings(XF_SCREENING_FREQUENCY=frequencies):
        rounds = open_on(date(2025, 9, 15))

    assert unit_names(rounds[Frequency.WEEKLY]) == {"临江市", "临江市人力资源和社会保障局", "东门街道"}
    assert unit_names(rounds[Frequency.HALF_MONTHLY]) == {"城关区", "城关区住房和城乡建设局", "青山县"}


def test_a_frequency_no_level_uses_opens_no_round(ledger_cast, village):
    frequencies = {UnitLevel.TOWNSHIP: Frequency.WEEKLY, UnitLevel.VILLAGE: Frequency.WEEKLY}
    with override_settings(XF_SCREENING_FREQUENCY=frequencies):
        rounds = open_on(date(2025, 9, 16))

    assert set(rounds) == {Frequency.WEEKLY}
    assert unit_names(rounds[Frequency.WEEKLY]) == WEEKLY_UNITS | {"东门街道", "东门社区"}
    assert not ScreeningRound.objects.filter(frequency=Frequency.HALF_MONTHLY).exists()


# --- due dates: 2 working days after the period start (the start day not counted) ----------------------------


@pytest.mark.parametrize(
    ("opened_on", "frequency", "unit_attr", "due_on"),
    [
        # An ordinary week: Tue 16, Wed 17.
        (date(2025, 9, 15), Frequency.WEEKLY, "county_a", date(2025, 9, 17)),
        # Week of Mon 2025-09-29: Tue 30 counts, 1–8 Oct are 国庆/中秋 holidays, Thu 9 Oct is the second day.
        # (The 调休 Sunday 28 Sep lies before the start and does not count.)
        (date(2025, 9, 29), Frequency.WEEKLY, "county_a", date(2025, 10, 9)),
        # Week of Mon 2025-10-06 (itself a holiday): 7 and 8 Oct are off, Thu 9 and Fri 10 Oct count.
        (date(2025, 10, 6), Frequency.WEEKLY, "city_department", date(2025, 10, 10)),
        (date(2025, 10, 8), Frequency.WEEKLY, "county_b", date(2025, 10, 10)),
        # Townships' half month from Wed 2025-10-01: 2–8 Oct off, Thu 9 and Fri 10 Oct count.
        (date(2025, 10, 1), Frequency.HALF_MONTHLY, "township_a", date(2025, 10, 10)),
        # Half month from Tue 2025-09-16: Wed 17, Thu 18.
        (date(2025, 9, 20), Frequency.HALF_MONTHLY, "township_a", date(2025, 9, 18)),
        # Half month from Sat 2025-02-01 (春节 28 Jan–4 Feb): Wed 5, Thu 6 Feb.
        (date(2025, 2, 1), Frequency.HALF_MONTHLY, "township_a", date(2025, 2, 6)),
    ],
)
def test_report_due_two_working_days_after_the_period_start(
    ledger_cast, tree, opened_on, frequency, unit_attr, due_on
):
    round_ = open_on(opened_on)[frequency]

    deadline = clock(report_of(round_, getattr(tree, unit_attr)))

    assert deadline.starts_on == round_.period_start
    assert deadline.due_on == due_on
    assert deadline.unit == getattr(tree, unit_attr)
    assert deadline.status == DeadlineStatus.OPEN


def test_a_tiaoxiu_saturday_counts_as_a_working_day(ledger_cast, tree):
    """A 2027 notice (not in the package) gives 15–17 Sep off and has Saturday 18 Sep worked in exchange:
    the week of Monday 13 Sep is due on Tue 14 (1st) and Sat 18 (2nd), not Monday 20."""
    calendar_year_publish(
        actor=ledger_cast.personas.system_admin,
        year=2027,
        arrangements=[
            HolidayArrangement("中秋节", date(2027, 9, 15), date(2027, 9, 17), (date(2027, 9, 18),)),
        ],
        notice_title="国务院办公厅关于2027年部分节假日安排的通知",
    )

    round_ = open_on(date(2027, 9, 13))[Frequency.WEEKLY]

    assert clock(report_of(round_, tree.county_a)).due_on == date(2027, 9, 18)


# --- filing ---------------------------------------------------------------------------------------------------


@pytest.fixture
def national_day_week(ledger_cast: LedgerCast) -> ScreeningRound:
    """The weekly round of Monday 2025-09-29, due Thursday 2025-10-09."""
    return open_on(date(2025, 9, 29))[Frequency.WEEKLY]


def file(actor: User, report: ScreeningReport, on: date, data: ReportInput | None = None) -> ScreeningReport:
    with travel_to(on):
        return screening_report_file(actor=actor, report_id=report.pk, data=data or ReportInput(is_zero=True))


def test_a_report_filed_by_the_due_date_is_filed_on_time(national_day_week, ledger_cast):
    report = file(
        ledger_cast.personas.clerk_a,
        report_of(national_day_week, ledger_cast.tree.county_a),
        date(2025, 10, 9),
    )

    assert (report.state, report.filed_on, report.filed_by) == (
        ReportState.FILED,
        date(2025, 10, 9),
        ledger_cast.personas.clerk_a,
    )
    assert report.is_zero
    assert clock(report).status == DeadlineStatus.MET_ON_TIME
    assert AuditEvent.objects.filter(action="ledger.screening_report.filed", detail__late=False).exists()


def test_a_report_filed_after_the_due_date_is_filed_late(national_day_week, ledger_cast):
    report = file(
        ledger_cast.personas.clerk_a,
        report_of(national_day_week, ledger_cast.tree.county_a),
        date(2025, 10, 10),
    )

    assert report.state == ReportState.FILED_LATE
    assert clock(report).status == DeadlineStatus.MET_LATE
    assert AuditEvent.objects.filter(action="ledger.screening_report.filed", detail__late=True).exists()


def test_a_report_is_filed_once(national_day_week, ledger_cast):
    report = report_of(national_day_week, ledger_cast.tree.county_a)
    file(ledger_cast.personas.clerk_a, report, date(2025, 9, 30))

    with pytest.raises(DomainError) as caught:
        file(ledger_cast.personas.clerk_a, report, date(2025, 9, 30))

    assert caught.value.code == "filed_already"


def finding(**overrides: object) -> FindingInput:
    values: dict = {
        "description": "某楼盘延期交房，业主聚集维权",
        "focus_area": FocusArea.PROPERTY,
        "risk_level": RiskLevel.HIGH,
        "parties": "业主约120户；某置业公司",
        "location": "东门街道滨江路",
        "head_count": 120,
        "measures": "住建局牵头约谈开发商，街道做好解释。",
    }
    values.update(overrides)
    return FindingInput(**values)


def test_findings_are_stored_with_the_report(national_day_week, ledger_cast):
    division = Division.objects.order_by("code").first()
    assert division is not None
    report = file(
        ledger_cast.handler,
        report_of(national_day_week, ledger_cast.tree.county_a_department),
        date(2025, 9, 30),
        ReportInput(
            is_zero=False, summary="排查发现2起", findings=[finding(), finding(division_code=division.pk)]
        ),
    )

    stored = list(report.findings.order_by("id"))
    assert [f.description for f in stored] == ["某楼盘延期交房，业主聚集维权"] * 2
    assert (stored[0].division, stored[1].division) == (None, division)
    assert (report.is_zero, report.summary) == (False, "排查发现2起")


def test_a_zero_report_with_findings_is_refused(national_day_week, ledger_cast):
    report = report_of(national_day_week, ledger_cast.tree.county_a)

    with pytest.raises(DomainError) as caught:
        file(
            ledger_cast.personas.clerk_a,
            report,
            date(2025, 9, 30),
            ReportInput(is_zero=True, findings=[finding()]),
        )

    assert caught.value.field == "findings"
    assert CHINESE.search(caught.value.message)
    report.refresh_from_db()
    assert report.state == ReportState.PENDING
    assert not Finding.objects.exists()


def test_a_report_with_neither_findings_nor_zero_is_refused(national_day_week, ledger_cast):
    with pytest.raises(DomainError) as caught:
        file(
            ledger_cast.personas.clerk_a,
            report_of(national_day_week, ledger_cast.tree.county_a),
            date(2025, 9, 30),
            ReportInput(is_zero=False),
        )

    assert caught.value.field == "findings"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": " "}, "description"),
        ({"focus_area": "gossip"}, "focus_area"),
        ({"risk_level": ""}, "risk_level"),
        ({"head_count": -3}, "head_count"),
        ({"division_code": "999999999999"}, "division"),
        ({"parties": "甲" * 201}, "parties"),
        ({"location": "路" * 201}, "location"),
        ({"measures": "措" * 2001}, "measures"),
    ],
)
def test_a_bad_finding_is_refused_at_its_row_and_field_and_nothing_is_filed(
    national_day_week, ledger_cast, overrides, field
):
    report = report_of(national_day_week, ledger_cast.tree.county_a)

    with pytest.raises(DomainError) as caught:
        file(
            ledger_cast.personas.clerk_a,
            report,
            date(2025, 9, 30),
            ReportInput(is_zero=False, findings=[finding(), finding(**overrides)]),
        )

    assert caught.value.field == f"findings-1-{field}"
    assert CHINESE.search(caught.value.message)
    report.refresh_from_db()
    assert report.state == ReportState.PENDING
    assert not Finding.objects.exists()
    assert clock(report).status == DeadlineStatus.OPEN


def test_only_the_units_own_staff_file_its_report(national_day_week, ledger_cast):
    """A superior unit's head, a leader of the unit, and a clerk elsewhere may not file county A's report."""
    report = report_of(national_day_week, ledger_cast.tree.county_a)

    for actor in (
        ledger_cast.head,
        ledger_cast.county_leader,
        ledger_cast.personas.clerk_b,
        ledger_cast.handler,
    ):
        with pytest.raises(DomainError) as caught:
            file(actor, report, date(2025, 9, 30))
        assert caught.value.code == "forbidden"
    report.refresh_from_db()
    assert report.state == ReportState.PENDING
    assert file(ledger_cast.county_head, report, date(2025, 9, 30)).state == ReportState.FILED


def enter_paper(actor: User, report: ScreeningReport, today: date, received_on: date) -> ScreeningReport:
    with travel_to(today):
        return screening_report_file(
            actor=actor, report_id=report.pk, data=ReportInput(is_zero=True), received_on=received_on
        )


def test_a_section_head_above_enters_a_paper_report_as_filed_on_the_day_received(
    national_day_week, ledger_cast
):
    """County A's department handed in paper on 9 Oct (the due day); the city enters it on 13 Oct: on time."""
    report = report_of(national_day_week, ledger_cast.tree.county_a_department)

    filed = enter_paper(ledger_cast.head, report, date(2025, 10, 13), date(2025, 10, 9))

    assert (filed.state, filed.filed_on, filed.filed_by) == (
        ReportState.FILED,
        date(2025, 10, 9),
        ledger_cast.head,
    )
    assert (clock(filed).status, clock(filed).met_on) == (DeadlineStatus.MET_ON_TIME, date(2025, 10, 9))


def test_a_paper_report_received_after_the_due_date_is_late(national_day_week, ledger_cast):
    report = report_of(national_day_week, ledger_cast.tree.county_a)

    filed = enter_paper(ledger_cast.head, report, date(2025, 10, 13), date(2025, 10, 10))

    assert filed.state == ReportState.FILED_LATE


@pytest.mark.parametrize("received_on", [date(2025, 9, 28), date(2025, 10, 14)])
def test_a_paper_report_must_be_received_between_the_round_start_and_today(
    national_day_week, ledger_cast, received_on
):
    report = report_of(national_day_week, ledger_cast.tree.county_a)

    with pytest.raises(DomainError) as caught:
        enter_paper(ledger_cast.head, report, date(2025, 10, 13), received_on)

    assert caught.value.field == "received_on"
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


def test_only_a_section_head_of_a_unit_above_enters_paper_reports(national_day_week, ledger_cast):
    """The unit's own head, a head elsewhere, and a clerk above may not; the head of a unit above may."""
    report = report_of(national_day_week, ledger_cast.tree.county_a)

    for actor in (ledger_cast.county_head, ledger_cast.county_b_head, ledger_cast.leader):
        with pytest.raises(DomainError) as caught:
            enter_paper(actor, report, date(2025, 10, 13), date(2025, 10, 9))
        assert caught.value.code == "forbidden"
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


# --- promotion ------------------------------------------------------------------------------------------------


@pytest.fixture
def township_finding(ledger_cast: LedgerCast) -> Finding:
    half = open_on(date(2025, 10, 1))[Frequency.HALF_MONTHLY]
    report = file(
        ledger_cast.township_clerk,
        report_of(half, ledger_cast.tree.township_a),
        date(2025, 10, 9),
        ReportInput(is_zero=False, findings=[finding()]),
    )
    return report.findings.get()


def promote(cast: LedgerCast, found: Finding, actor: User | None = None) -> KeyCase:
    with travel_to(date(2025, 10, 10)):
        data = keycase_input(
            cast,
            title="滨江路楼盘延期交房",
            source=Source.OTHER,
            owner_id=cast.county_leader.pk,
            responsible_unit_id=cast.tree.township_a.pk,
            responsible_person_id=cast.township_handler.pk,
        )
        return finding_promote(actor=actor or cast.county_head, finding_id=found.pk, data=data)


def test_a_finding_is_promoted_to_a_screening_case_in_one_step(township_finding, ledger_cast):
    case = promote(ledger_cast, township_finding)

    township_finding.refresh_from_db()
    assert township_finding.promoted_case == case
    assert case.source == Source.SCREENING
    assert (case.status, case.office, case.opened_on) == (
        CaseStatus.UNRESOLVED,
        ledger_cast.tree.county_a,
        date(2025, 10, 10),
    )
    assert case.number.startswith("ZD2025-")
    assert AuditEvent.objects.filter(
        action="ledger.finding.promoted", object_id=str(township_finding.pk)
    ).exists()


def test_a_finding_is_promoted_only_once(township_finding, ledger_cast):
    first = promote(ledger_cast, township_finding)

    with pytest.raises(DomainError) as caught:
        promote(ledger_cast, township_finding)

    assert caught.value.code == "promoted_already"
    assert list(KeyCase.objects.all()) == [first]


def test_a_finding_outside_the_actors_subtree_cannot_be_promoted(township_finding, ledger_cast):
    with pytest.raises(DomainError) as caught:
        promote(ledger_cast, township_finding, actor=ledger_cast.county_b_head)

    assert caught.value.code == "forbidden"
    assert not KeyCase.objects.exists()


def test_a_promotion_with_a_bad_case_field_leaves_the_finding_unpromoted(township_finding, ledger_cast):
    with travel_to(date(2025, 10, 10)), pytest.raises(DomainError) as caught:
        finding_promote(
            actor=ledger_cast.county_head,
            finding_id=township_finding.pk,
            data=keycase_input(ledger_cast, owner_id=ledger_cast.county_b_leader.pk),
        )

    assert caught.value.field == "owner"
    township_finding.refresh_from_db()
    assert township_finding.promoted_case is None


# --- the beat task, through a real worker ---------------------------------------------------------------------


def test_beat_schedules_the_ledger_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"ledger.screening_rounds_open", "ledger.daily_reports_open"} <= scheduled


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_opens_this_periods_rounds_once(celery_worker, transactional_db, tree: Tree):
    today = timezone.localdate()

    first = screening_rounds_open_task.delay().get(timeout=60)
    second = screening_rounds_open_task.delay().get(timeout=60)

    assert first == second
    rounds = {r.frequency: r for r in ScreeningRound.objects.filter(pk__in=first)}
    assert set(rounds) == {Frequency.WEEKLY, Frequency.HALF_MONTHLY}
    for frequency, round_ in rounds.items():
        assert (round_.period_start, round_.period_end) == period_containing(frequency, today)
    assert unit_names(rounds[Frequency.WEEKLY]) == WEEKLY_UNITS
    assert unit_names(rounds[Frequency.HALF_MONTHLY]) == {"东门街道"}
    assert ScreeningReport.objects.count() == 6
    assert Deadline.objects.filter(rule_id=SCREENING_REPORT, status=DeadlineStatus.OPEN).count() == 6
