"""Key cases through the services: creation, the 化解时限 clock, assignment, status rules, progress, strike-off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from accountability.choices import DeadlineChangeCause, DeadlineStatus
from accountability.models import Deadline, DeadlineChange
from core.errors import DomainError
from core.models import AuditEvent
from ledger.choices import (
    KEYCASE_SUBJECT,
    OPEN_CASE_STATUSES,
    RESOLVE,
    STATUS_MOVES,
    CaseStatus,
    StrikeOffState,
)
from ledger.models import KeyCase, ProgressReport, StrikeOffRequest
from ledger.selectors import ledger_rows
from ledger.services.keycases import (
    keycase_assign,
    keycase_create,
    keycase_link_items,
    keycase_set_deadline,
    keycase_update,
    keycases_bulk,
    progress_add,
    strike_off_decide,
    strike_off_request,
)
from petitions.services.intake import item_register
from tests.support.helpers import CHINESE, travel_to
from tests.support.items import intake_input
from tests.support.keycases import LedgerCast, keycase_input

OPENED = date(2025, 6, 2)  # a Monday
DUE = date(2025, 8, 1)


def resolve_clocks(case: KeyCase) -> list[Deadline]:
    return list(
        Deadline.objects.filter(subject_type=KEYCASE_SUBJECT, subject_id=case.pk, rule_id=RESOLVE).order_by(
            "id"
        )
    )


def open_clock(case: KeyCase) -> Deadline:
    return Deadline.objects.get(
        subject_type=KEYCASE_SUBJECT, subject_id=case.pk, rule_id=RESOLVE, status=DeadlineStatus.OPEN
    )


@pytest.fixture
def opened_case(make_case: Callable[..., KeyCase]) -> KeyCase:
    """A case put on the ledger on Monday 2025-06-02, due 2025-08-01."""
    with travel_to(OPENED):
        return make_case(opened_on=OPENED, resolve_by=DUE)


def move_to(case: KeyCase, status: str, cast: LedgerCast, on: date = OPENED) -> KeyCase:
    """Walk a case to `status` through the real services (progress, strike-off request and approval)."""
    with travel_to(on):
        if status in (CaseStatus.RESOLVING, CaseStatus.STABILIZED, CaseStatus.RESOLVED):
            progress_add(
                actor=cast.handler, case_id=case.pk, reported_on=on, done="走访当事人。", status_after=status
            )
        if status == CaseStatus.STRUCK_OFF:
            move_to(case, CaseStatus.RESOLVED, cast, on)
            strike_off_request(
                actor=cast.handler, case_id=case.pk, on=on, reason="已全部落实养老待遇，群众签字息诉。"
            )
            strike_off_decide(actor=cast.head, case_id=case.pk, approve=True, on=on)
    case.refresh_from_db()
    assert case.status == status
    return case


# --- keycase_create -------------------------------------------------------------------------------------------


def test_a_case_put_on_the_ledger_is_kept_by_the_actors_unit_with_an_audit_row(make_case, ledger_cast):
    case = make_case()

    assert case.office == ledger_cast.tree.city
    assert case.owner == ledger_cast.leader
    assert case.responsible_unit == ledger_cast.tree.county_a_department
    assert case.status == CaseStatus.UNRESOLVED
    assert case.created_by == ledger_cast.head
    assert AuditEvent.objects.filter(action="ledger.keycase.created", object_id=str(case.pk)).exists()


BAD_INPUT: dict[str, tuple[str, Callable[[LedgerCast], dict[str, Any]]]] = {
    "blank_title": ("title", lambda c: {"title": "  "}),
    "long_title": ("title", lambda c: {"title": "问" * 101}),
    "blank_problem": ("problem", lambda c: {"problem": ""}),
    "blank_measures": ("measures", lambda c: {"measures": ""}),
    "long_group": ("group_concerned", lambda c: {"group_concerned": "群" * 51}),
    "long_source_note": ("source_note", lambda c: {"source_note": "注" * 201}),
    "unknown_source": ("source", lambda c: {"source": "rumour"}),
    "unknown_risk": ("risk_level", lambda c: {"risk_level": "extreme"}),
    "negative_head_count": ("head_count", lambda c: {"head_count": -1}),
    "opened_in_future": ("opened_on", lambda c: {"opened_on": OPENED + timedelta(days=1)}),
    "no_deadline": ("resolve_by", lambda c: {"resolve_by": None}),
    "deadline_on_opening_day": ("resolve_by", lambda c: {"resolve_by": OPENED}),
    "deadline_before_opening": ("resolve_by", lambda c: {"resolve_by": OPENED - timedelta(days=3)}),
    "no_unit": ("responsible_unit", lambda c: {"responsible_unit_id": None}),
    "no_owner": ("owner", lambda c: {"owner_id": None}),
    "owner_not_a_leader": ("owner", lambda c: {"owner_id": c.personas.supervisor.pk}),
    "person_outside_unit": ("responsible_person", lambda c: {"responsible_person_id": c.township_handler.pk}),
}


@pytest.mark.parametrize("case_name", BAD_INPUT)
def test_create_refuses_bad_input_in_chinese_at_the_field_and_writes_nothing(ledger_cast, case_name):
    field, overrides = BAD_INPUT[case_name]
    with travel_to(OPENED), pytest.raises(DomainError) as caught:
        keycase_create(
            actor=ledger_cast.head,
            data=keycase_input(ledger_cast, **{"opened_on": OPENED, **overrides(ledger_cast)}),
        )

    assert caught.value.field == field
    assert CHINESE.search(caught.value.message)
    assert not KeyCase.objects.exists()
    assert not Deadline.objects.filter(subject_type=KEYCASE_SUBJECT).exists()


def test_owner_must_be_a_leader_in_the_actors_line(ledger_cast):
    """County A's head may name a leader of county A or of the city above it, never one of county B."""
    data = {"responsible_unit_id": ledger_cast.tree.county_a_department.pk}
    with pytest.raises(DomainError) as caught:
        keycase_create(
            actor=ledger_cast.county_head,
            data=keycase_input(ledger_cast, owner_id=ledger_cast.county_b_leader.pk, **data),
        )
    assert caught.value.field == "owner"

    below = keycase_create(
        actor=ledger_cast.county_head,
        data=keycase_input(ledger_cast, owner_id=ledger_cast.county_leader.pk, **data),
    )
    above = keycase_create(
        actor=ledger_cast.county_head, data=keycase_input(ledger_cast, owner_id=ledger_cast.leader.pk, **data)
    )
    assert (below.owner, above.owner) == (ledger_cast.county_leader, ledger_cast.leader)
    assert below.office == ledger_cast.tree.county_a


def test_an_inactive_leader_cannot_own_a_case(ledger_cast):
    ledger_cast.county_leader.is_active = False
    ledger_cast.county_leader.save(update_fields=["is_active"])

    with pytest.raises(DomainError) as caught:
        keycase_create(
            actor=ledger_cast.head, data=keycase_input(ledger_cast, owner_id=ledger_cast.county_leader.pk)
        )

    assert caught.value.field == "owner"


@pytest.mark.parametrize("field", ["responsible_unit", "stabilizing_unit"])
def test_units_must_be_in_the_actors_subtree(ledger_cast, field):
    outside = {"responsible_unit": ledger_cast.tree.county_b, "stabilizing_unit": ledger_cast.tree.city}[
        field
    ]
    data = keycase_input(ledger_cast, owner_id=ledger_cast.county_leader.pk, **{f"{field}_id": outside.pk})

    with pytest.raises(DomainError) as caught:
        keycase_create(actor=ledger_cast.county_head, data=data)

    assert caught.value.field == field
    assert CHINESE.search(caught.value.message)
    assert not KeyCase.objects.exists()


def test_only_a_section_head_puts_a_case_on_the_ledger(ledger_cast):
    for actor in (ledger_cast.handler, ledger_cast.leader, ledger_cast.personas.system_admin):
        with pytest.raises(DomainError) as caught:
            keycase_create(actor=actor, data=keycase_input(ledger_cast))
        assert caught.value.code == "forbidden"
    assert not KeyCase.objects.exists()


def test_numbers_run_zd_year_0001_per_year_of_the_opening_date(ledger_cast):
    """2023 and 2024 are used by no other test, so their sequences start at 1 here."""
    with travel_to(date(2024, 1, 3)):
        first = keycase_create(
            actor=ledger_cast.head,
            data=keycase_input(ledger_cast, opened_on=date(2023, 12, 29), resolve_by=date(2024, 3, 1)),
        )
        second = keycase_create(
            actor=ledger_cast.head,
            data=keycase_input(ledger_cast, opened_on=date(2023, 12, 30), resolve_by=date(2024, 3, 1)),
        )
        new_year = keycase_create(
            actor=ledger_cast.head,
            data=keycase_input(ledger_cast, opened_on=date(2024, 1, 2), resolve_by=date(2024, 3, 1)),
        )

    assert [first.number, second.number, new_year.number] == ["ZD2023-0001", "ZD2023-0002", "ZD2024-0001"]


def test_items_the_actor_cannot_see_are_refused_at_items(ledger_cast):
    with pytest.raises(DomainError) as caught:
        keycase_create(actor=ledger_cast.head, data=keycase_input(ledger_cast, item_ids=[999_999]))

    assert caught.value.field == "items"
    assert not KeyCase.objects.exists()


# --- the 化解时限 clock -----------------------------------------------------------------------------------------


def test_the_resolve_clock_runs_to_the_fixed_date_in_calendar_days_without_roll_forward(
    make_case, ledger_cast
):
    """化解时限 on 国庆 (2025-10-01, a holiday) stays on that day: a person set it, the calendar does not move it."""
    with travel_to(OPENED):
        case = make_case(opened_on=OPENED, resolve_by=date(2025, 10, 1))

    clock = open_clock(case)
    assert clock.due_on == date(2025, 10, 1)
    assert clock.fixed is True
    assert clock.day_unit == "calendar"
    assert clock.roll_forward is False
    assert clock.starts_on == OPENED
    assert clock.days == (date(2025, 10, 1) - OPENED).days
    assert clock.unit == ledger_cast.tree.county_a_department
    assert clock.responsible == ledger_cast.handler


def test_set_deadline_moves_the_running_clock_and_records_a_rescheduled_change(opened_case, ledger_cast):
    with travel_to(date(2025, 7, 1)):
        keycase_set_deadline(
            actor=ledger_cast.head,
            case_id=opened_case.pk,
            resolve_by=date(2025, 10, 4),
            reason="涉及跨部门协调",
        )

    opened_case.refresh_from_db()
    clock = open_clock(opened_case)
    assert opened_case.resolve_by == clock.due_on == date(2025, 10, 4)  # a holiday Saturday: no roll-forward
    change = DeadlineChange.objects.get(deadline=clock, cause=DeadlineChangeCause.RESCHEDULED)
    assert (change.due_before, change.due_after) == (DUE, date(2025, 10, 4))
    assert change.detail == {"reason": "涉及跨部门协调"}
    event = AuditEvent.objects.get(action="ledger.keycase.rescheduled", object_id=str(opened_case.pk))
    assert event.detail["before"] == DUE.isoformat()


def test_set_deadline_refuses_a_date_not_after_today(opened_case, ledger_cast):
    with travel_to(date(2025, 7, 1)), pytest.raises(DomainError) as caught:
        keycase_set_deadline(actor=ledger_cast.head, case_id=opened_case.pk, resolve_by=date(2025, 7, 1))

    assert caught.value.field == "resolve_by"
    assert open_clock(opened_case).due_on == DUE


def test_only_the_ledger_offices_section_head_sets_the_deadline(opened_case, ledger_cast):
    """County A's head runs the responsible unit but not the city's ledger."""
    for actor in (ledger_cast.county_head, ledger_cast.leader, ledger_cast.handler):
        with travel_to(date(2025, 7, 1)), pytest.raises(DomainError) as caught:
            keycase_set_deadline(actor=actor, case_id=opened_case.pk, resolve_by=date(2025, 9, 1))
        assert caught.value.code == "forbidden"
    assert open_clock(opened_case).due_on == DUE


def test_reassigning_the_responsible_unit_moves_the_clock_and_drops_a_person_from_elsewhere(
    opened_case, ledger_cast
):
    township = ledger_cast.tree.township_a
    with travel_to(date(2025, 6, 10)):
        keycase_assign(actor=ledger_cast.head, case_id=opened_case.pk, responsible_unit_id=township.pk)

    opened_case.refresh_from_db()
    assert opened_case.responsible_unit == township
    assert opened_case.responsible_person is None  # the old handler works in county A's department
    clock = open_clock(opened_case)
    assert (clock.unit, clock.responsible, clock.due_on) == (township, None, DUE)
    change = DeadlineChange.objects.get(deadline=clock, cause=DeadlineChangeCause.REASSIGNED)
    # The owning leader (包案领导) stays on the clock: the ladder tells them when it runs late.
    assert change.detail["after"] == {
        "unit": township.pk,
        "responsible": None,
        "overseer": opened_case.owner_id,
    }
    assert clock.overseer_id == opened_case.owner_id
    assert AuditEvent.objects.filter(action="ledger.keycase.assigned", object_id=str(opened_case.pk)).exists()


def test_reassigning_owner_and_person_together(opened_case, ledger_cast):
    keycase_assign(
        actor=ledger_cast.head,
        case_id=opened_case.pk,
        owner_id=ledger_cast.county_leader.pk,
        responsible_unit_id=ledger_cast.tree.township_a.pk,
        responsible_person_id=ledger_cast.township_handler.pk,
    )

    opened_case.refresh_from_db()
    assert opened_case.owner == ledger_cast.county_leader
    assert open_clock(opened_case).responsible == ledger_cast.township_handler


def test_a_responsible_person_outside_the_unit_is_refused_on_assign(opened_case, ledger_cast):
    with pytest.raises(DomainError) as caught:
        keycase_assign(
            actor=ledger_cast.head,
            case_id=opened_case.pk,
            responsible_person_id=ledger_cast.township_handler.pk,
        )

    assert caught.value.field == "responsible_person"
    opened_case.refresh_from_db()
    assert opened_case.responsible_person == ledger_cast.handler


def test_a_stale_version_is_refused_as_a_conflict(opened_case, ledger_cast):
    keycase_update(actor=ledger_cast.head, case_id=opened_case.pk, changes={"head_count": 30})

    with pytest.raises(DomainError) as caught:
        keycase_update(
            actor=ledger_cast.head,
            case_id=opened_case.pk,
            changes={"head_count": 40},
            expected_version=opened_case.version,
        )

    assert caught.value.code == "conflict"
    opened_case.refresh_from_db()
    assert opened_case.head_count == 30


# --- status rules ---------------------------------------------------------------------------------------------

ALL_STATUSES = list(CaseStatus.values)
ALLOWED = [(a, b) for a in ALL_STATUSES for b in ALL_STATUSES if b in STATUS_MOVES[a]]
REFUSED = [(a, b) for a in ALL_STATUSES for b in ALL_STATUSES if a != b and b not in STATUS_MOVES[a]]


@pytest.mark.parametrize(("before", "after"), ALLOWED)
def test_every_move_in_the_table_is_allowed_by_a_progress_report(opened_case, ledger_cast, before, after):
    case = move_to(opened_case, before, ledger_cast)
    with travel_to(OPENED + timedelta(days=3)):
        report = progress_add(
            actor=ledger_cast.handler,
            case_id=case.pk,
            reported_on=OPENED + timedelta(days=3),
            done="召开协调会。",
            status_after=after,
        )

    case.refresh_from_db()
    assert case.status == after
    assert (report.status_before, report.status_after) == (before, after)


@pytest.mark.parametrize(("before", "after"), REFUSED)
def test_every_move_outside_the_table_is_refused_with_nothing_changed(
    opened_case, ledger_cast, before, after
):
    case = move_to(opened_case, before, ledger_cast)
    reports, version = ProgressReport.objects.count(), case.version
    clocks = [(clock.pk, clock.status) for clock in resolve_clocks(case)]

    with travel_to(OPENED + timedelta(days=3)), pytest.raises(DomainError) as caught:
        progress_add(
            actor=ledger_cast.handler,
            case_id=case.pk,
            reported_on=OPENED + timedelta(days=3),
            done="召开协调会。",
            status_after=after,
        )

    assert CHINESE.search(caught.value.message)
    if before in OPEN_CASE_STATUSES:
        assert caught.value.field == "status_after"
    else:
        assert caught.value.code == "illegal_transition"
    case.refresh_from_db()
    assert (case.status, case.version) == (before, version)
    assert ProgressReport.objects.count() == reports
    assert [(clock.pk, clock.status) for clock in resolve_clocks(case)] == clocks


def test_resolved_on_time_meets_the_clock_on_time(opened_case, ledger_cast):
    with travel_to(date(2025, 7, 15)):
        progress_add(
            actor=ledger_cast.handler,
            case_id=opened_case.pk,
            reported_on=date(2025, 7, 15),
            done="补缴到位。",
            status_after=CaseStatus.RESOLVED,
        )

    opened_case.refresh_from_db()
    (clock,) = resolve_clocks(opened_case)
    assert (clock.status, clock.met_on) == (DeadlineStatus.MET_ON_TIME, date(2025, 7, 15))
    assert opened_case.resolved_on == date(2025, 7, 15)


def test_resolved_after_the_deadline_meets_the_clock_late(opened_case, ledger_cast):
    with travel_to(DUE + timedelta(days=4)):
        progress_add(
            actor=ledger_cast.handler,
            case_id=opened_case.pk,
            reported_on=DUE + timedelta(days=4),
            done="补缴到位。",
            status_after=CaseStatus.RESOLVED,
        )

    (clock,) = resolve_clocks(opened_case)
    assert (clock.status, clock.met_on) == (DeadlineStatus.MET_LATE, DUE + timedelta(days=4))


def test_a_struck_off_case_is_final(opened_case, ledger_cast):
    case = move_to(opened_case, CaseStatus.STRUCK_OFF, ledger_cast)
    version = case.version
    attempts: list[Callable[[], object]] = [
        lambda: keycase_update(actor=ledger_cast.head, case_id=case.pk, changes={"title": "新标题"}),
        lambda: keycase_assign(
            actor=ledger_cast.head, case_id=case.pk, owner_id=ledger_cast.county_leader.pk
        ),
        lambda: keycase_set_deadline(actor=ledger_cast.head, case_id=case.pk, resolve_by=date(2025, 12, 1)),
        lambda: progress_add(
            actor=ledger_cast.handler,
            case_id=case.pk,
            reported_on=OPENED,
            done="再次走访。",
            status_after="resolving",
        ),
        lambda: strike_off_request(
            actor=ledger_cast.handler, case_id=case.pk, on=OPENED, reason="再次申请。"
        ),
    ]
    with travel_to(OPENED + timedelta(days=5)):
        for attempt in attempts:
            with pytest.raises(DomainError) as caught:
                attempt()
            assert caught.value.code == "illegal_transition"

    case.refresh_from_db()
    assert (case.status, case.version, case.title) == (CaseStatus.STRUCK_OFF, version, opened_case.title)


# --- progress reports -----------------------------------------------------------------------------------------


def test_progress_sets_the_last_progress_date_and_never_moves_it_back(opened_case, ledger_cast):
    with travel_to(date(2025, 6, 20)):
        progress_add(
            actor=ledger_cast.handler, case_id=opened_case.pk, reported_on=date(2025, 6, 16), done="面谈。"
        )
        progress_add(
            actor=ledger_cast.handler, case_id=opened_case.pk, reported_on=date(2025, 6, 9), done="补报。"
        )

    opened_case.refresh_from_db()
    assert opened_case.last_progress_on == date(2025, 6, 16)
    assert opened_case.progress_reports.count() == 2


def test_progress_dates_must_lie_between_the_opening_and_today(opened_case, ledger_cast):
    with travel_to(date(2025, 6, 20)):
        for day in (date(2025, 6, 21), OPENED - timedelta(days=1)):
            with pytest.raises(DomainError) as caught:
                progress_add(
                    actor=ledger_cast.handler, case_id=opened_case.pk, reported_on=day, done="面谈。"
                )
            assert caught.value.field == "reported_on"
    assert not opened_case.progress_reports.exists()


def test_progress_needs_what_was_done(opened_case, ledger_cast):
    with travel_to(OPENED), pytest.raises(DomainError) as caught:
        progress_add(actor=ledger_cast.handler, case_id=opened_case.pk, reported_on=OPENED, done=" ")

    assert caught.value.field == "done"


def test_units_outside_the_case_cannot_report_progress(opened_case, ledger_cast):
    for actor in (ledger_cast.county_b_head, ledger_cast.township_handler, ledger_cast.personas.clerk_a):
        with travel_to(OPENED), pytest.raises(DomainError) as caught:
            progress_add(actor=actor, case_id=opened_case.pk, reported_on=OPENED, done="面谈。")
        assert caught.value.code == "forbidden"


def test_the_owning_leader_and_the_ledger_office_report_progress(opened_case, ledger_cast):
    with travel_to(OPENED):
        progress_add(actor=ledger_cast.leader, case_id=opened_case.pk, reported_on=OPENED, done="领导接访。")
        progress_add(actor=ledger_cast.head, case_id=opened_case.pk, reported_on=OPENED, done="科室督办。")

    assert opened_case.progress_reports.count() == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_progressreport SET done = '改写' WHERE id = %s",
        "DELETE FROM ledger_progressreport WHERE id = %s",
    ],
)
def test_a_raw_update_or_delete_of_a_progress_report_is_refused_by_the_database(
    opened_case, ledger_cast, statement
):
    with travel_to(OPENED):
        report = progress_add(
            actor=ledger_cast.handler, case_id=opened_case.pk, reported_on=OPENED, done="面谈。"
        )

    with (
        pytest.raises(DatabaseError, match="cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [report.pk])

    report.refresh_from_db()
    assert report.done == "面谈。"


def test_a_correction_is_a_new_row_pointing_at_the_original(opened_case, ledger_cast):
    with travel_to(date(2025, 6, 5)):
        original = progress_add(
            actor=ledger_cast.handler, case_id=opened_case.pk, reported_on=date(2025, 6, 4), done="面谈5人。"
        )
        correction = progress_add(
            actor=ledger_cast.handler,
            case_id=opened_case.pk,
            reported_on=date(2025, 6, 4),
            done="更正：面谈15人。",
            corrects_id=original.pk,
        )

    original.refresh_from_db()
    assert original.done == "面谈5人。"
    assert correction.pk != original.pk
    assert correction.corrects == original
    assert list(original.corrections.all()) == [correction]
    assert AuditEvent.objects.filter(
        action="ledger.progress.corrected", object_id=str(correction.pk)
    ).exists()


def test_a_correction_must_point_at_a_report_of_the_same_case(opened_case, make_case, ledger_cast):
    with travel_to(OPENED):
        other = make_case(opened_on=OPENED, resolve_by=DUE)
        foreign = progress_add(actor=ledger_cast.handler, case_id=other.pk, reported_on=OPENED, done="面谈。")
        with pytest.raises(DomainError) as caught:
            progress_add(
                actor=ledger_cast.handler,
                case_id=opened_case.pk,
                reported_on=OPENED,
                done="更正。",
                corrects_id=foreign.pk,
            )

    assert caught.value.field == "corrects"
    assert not opened_case.progress_reports.exists()


# --- strike-off (销号) -----------------------------------------------------------------------------------------


@pytest.fixture
def resolved_case(opened_case: KeyCase, ledger_cast: LedgerCast) -> KeyCase:
    return move_to(opened_case, CaseStatus.RESOLVED, ledger_cast, on=date(2025, 7, 10))


def request_strike_off(case: KeyCase, cast: LedgerCast) -> StrikeOffRequest:
    with travel_to(date(2025, 7, 11)):
        return strike_off_request(
            actor=cast.handler, case_id=case.pk, on=date(2025, 7, 11), reason="待遇已落实，当事人签字息诉。"
        )


def test_strike_off_can_be_requested_only_once_the_case_is_resolved(opened_case, ledger_cast):
    with travel_to(date(2025, 7, 11)), pytest.raises(DomainError) as caught:
        strike_off_request(
            actor=ledger_cast.handler, case_id=opened_case.pk, on=date(2025, 7, 11), reason="申请。"
        )

    assert caught.value.code == "illegal_transition"
    assert not StrikeOffRequest.objects.exists()


def test_only_the_responsible_unit_requests_strike_off(resolved_case, ledger_cast):
    for actor in (ledger_cast.county_b_head, ledger_cast.township_handler, ledger_cast.leader):
        with travel_to(date(2025, 7, 11)), pytest.raises(DomainError) as caught:
            strike_off_request(actor=actor, case_id=resolved_case.pk, on=date(2025, 7, 11), reason="申请。")
        assert caught.value.code == "forbidden"
    assert not StrikeOffRequest.objects.exists()


def test_a_second_pending_request_is_refused(resolved_case, ledger_cast):
    request_strike_off(resolved_case, ledger_cast)

    with pytest.raises(DomainError) as caught:
        request_strike_off(resolved_case, ledger_cast)

    assert caught.value.code == "pending_request"
    assert resolved_case.strike_off_requests.count() == 1


def test_approval_strikes_the_case_off(resolved_case, ledger_cast):
    request = request_strike_off(resolved_case, ledger_cast)

    with travel_to(date(2025, 7, 14)):
        strike_off_decide(
            actor=ledger_cast.head, case_id=resolved_case.pk, approve=True, on=date(2025, 7, 14)
        )

    resolved_case.refresh_from_db()
    request.refresh_from_db()
    assert (resolved_case.status, resolved_case.struck_off_on) == (CaseStatus.STRUCK_OFF, date(2025, 7, 14))
    assert (request.state, request.decided_by, request.decided_on) == (
        StrikeOffState.APPROVED,
        ledger_cast.head,
        date(2025, 7, 14),
    )
    assert AuditEvent.objects.filter(
        action="ledger.strike_off.approved", object_id=str(resolved_case.pk)
    ).exists()


def test_nobody_approves_their_own_strike_off_request(resolved_case, ledger_cast):
    with travel_to(date(2025, 7, 11)):
        strike_off_request(
            actor=ledger_cast.head,
            case_id=resolved_case.pk,
            on=date(2025, 7, 11),
            reason="已化解，申请销号。",
        )

    with travel_to(date(2025, 7, 14)), pytest.raises(DomainError) as caught:
        strike_off_decide(
            actor=ledger_cast.head, case_id=resolved_case.pk, approve=True, on=date(2025, 7, 14)
        )

    assert caught.value.message == "不能审批本人提出的销号申请。"
    resolved_case.refresh_from_db()
    assert resolved_case.status == CaseStatus.RESOLVED
    assert resolved_case.strike_off_requests.get().state == StrikeOffState.PENDING


def test_only_the_ledger_offices_section_head_decides(resolved_case, ledger_cast):
    request_strike_off(resolved_case, ledger_cast)

    for actor in (ledger_cast.county_head, ledger_cast.leader, ledger_cast.handler):
        with travel_to(date(2025, 7, 14)), pytest.raises(DomainError) as caught:
            strike_off_decide(actor=actor, case_id=resolved_case.pk, approve=True, on=date(2025, 7, 14))
        assert caught.value.code == "forbidden"
    resolved_case.refresh_from_db()
    assert resolved_case.status == CaseStatus.RESOLVED


@pytest.mark.parametrize(
    ("note", "new_resolve_by", "field"),
    [
        ("", date(2025, 9, 30), "note"),
        ("补缴资金尚未到账。", None, "new_resolve_by"),
        ("补缴资金尚未到账。", date(2025, 7, 14), "new_resolve_by"),
    ],
)
def test_refusal_needs_a_note_and_a_new_deadline_and_changes_nothing_without(
    resolved_case, ledger_cast, note, new_resolve_by, field
):
    request = request_strike_off(resolved_case, ledger_cast)

    with travel_to(date(2025, 7, 14)), pytest.raises(DomainError) as caught:
        strike_off_decide(
            actor=ledger_cast.head,
            case_id=resolved_case.pk,
            approve=False,
            on=date(2025, 7, 14),
            note=note,
            new_resolve_by=new_resolve_by,
        )

    assert caught.value.field == field
    request.refresh_from_db()
    resolved_case.refresh_from_db()
    assert request.state == StrikeOffState.PENDING
    assert resolved_case.status == CaseStatus.RESOLVED
    assert [clock.status for clock in resolve_clocks(resolved_case)] == [DeadlineStatus.MET_ON_TIME]


def test_refusal_reopens_the_case_and_its_clock_with_the_new_deadline(resolved_case, ledger_cast):
    request = request_strike_off(resolved_case, ledger_cast)

    with travel_to(date(2025, 7, 14)):
        strike_off_decide(
            actor=ledger_cast.head,
            case_id=resolved_case.pk,
            approve=False,
            on=date(2025, 7, 14),
            note="补缴资金尚未到账。",
            new_resolve_by=date(2025, 9, 30),
        )

    resolved_case.refresh_from_db()
    request.refresh_from_db()
    assert (request.state, request.decision_note) == (StrikeOffState.REFUSED, "补缴资金尚未到账。")
    assert resolved_case.status == CaseStatus.RESOLVING
    assert resolved_case.resolved_on is None
    assert resolved_case.resolve_by == date(2025, 9, 30)
    old, new = resolve_clocks(resolved_case)
    assert old.status == DeadlineStatus.MET_ON_TIME
    assert (new.status, new.starts_on, new.due_on, new.fixed) == (
        DeadlineStatus.OPEN,
        date(2025, 7, 14),
        date(2025, 9, 30),
        True,
    )
    with travel_to(date(2025, 7, 20)):
        progress_add(
            actor=ledger_cast.handler, case_id=resolved_case.pk, reported_on=date(2025, 7, 20), done="催款。"
        )
    assert AuditEvent.objects.filter(
        action="ledger.strike_off.refused", object_id=str(resolved_case.pk)
    ).exists()


# --- bulk actions ---------------------------------------------------------------------------------------------


def test_bulk_set_deadline_moves_every_selected_case(make_case, ledger_cast):
    with travel_to(OPENED):
        cases = [make_case(opened_on=OPENED, resolve_by=DUE) for _ in range(3)]
        done = keycases_bulk(
            actor=ledger_cast.head, case_ids=[c.pk for c in cases], resolve_by=date(2025, 9, 1)
        )

    assert done == 3
    for case in cases:
        case.refresh_from_db()
        assert case.resolve_by == open_clock(case).due_on == date(2025, 9, 1)


def test_bulk_assign_changes_every_selected_case(make_case, ledger_cast):
    cases = [make_case(), make_case()]

    keycases_bulk(
        actor=ledger_cast.head,
        case_ids=[c.pk for c in cases],
        owner_id=ledger_cast.county_leader.pk,
        responsible_unit_id=ledger_cast.tree.township_a.pk,
    )

    for case in cases:
        case.refresh_from_db()
        assert (case.owner, case.responsible_unit) == (ledger_cast.county_leader, ledger_cast.tree.township_a)
        assert open_clock(case).unit == ledger_cast.tree.township_a


def test_bulk_is_all_or_nothing_when_one_case_refuses(make_case, ledger_cast):
    with travel_to(OPENED):
        good = make_case(opened_on=OPENED, resolve_by=DUE)
        final = move_to(make_case(opened_on=OPENED, resolve_by=DUE), CaseStatus.STRUCK_OFF, ledger_cast)
        with pytest.raises(DomainError) as caught:
            keycases_bulk(actor=ledger_cast.head, case_ids=[good.pk, final.pk], resolve_by=date(2025, 9, 1))

    assert caught.value.code == "illegal_transition"
    good.refresh_from_db()
    assert good.resolve_by == open_clock(good).due_on == DUE
    assert not DeadlineChange.objects.filter(cause=DeadlineChangeCause.RESCHEDULED).exists()
    assert not AuditEvent.objects.filter(action="ledger.keycase.rescheduled").exists()


def test_bulk_is_all_or_nothing_when_the_actor_may_not_run_one_case(make_case, ledger_cast):
    own = make_case(actor=ledger_cast.county_head, owner_id=ledger_cast.county_leader.pk)
    citys = make_case()

    with pytest.raises(DomainError) as caught:
        keycases_bulk(
            actor=ledger_cast.county_head,
            case_ids=[own.pk, citys.pk],
            responsible_unit_id=ledger_cast.tree.township_a.pk,
        )

    assert caught.value.code == "forbidden"
    own.refresh_from_db()
    assert own.responsible_unit == ledger_cast.tree.county_a_department


def test_bulk_needs_at_least_one_case(ledger_cast):
    with pytest.raises(DomainError) as caught:
        keycases_bulk(actor=ledger_cast.head, case_ids=[], resolve_by=date(2030, 1, 1))

    assert caught.value.field == "cases"


def test_after_a_refusal_progress_may_not_be_dated_before_the_case_was_reopened(resolved_case, ledger_cast):
    """The reopened clock starts on the refusal day; a report dated earlier is refused at its date field."""
    request_strike_off(resolved_case, ledger_cast)
    with travel_to(date(2025, 7, 14)):
        strike_off_decide(
            actor=ledger_cast.head,
            case_id=resolved_case.pk,
            approve=False,
            on=date(2025, 7, 14),
            note="补缴资金尚未到账。",
            new_resolve_by=date(2025, 9, 30),
        )

    with travel_to(date(2025, 7, 20)), pytest.raises(DomainError) as caught:
        progress_add(
            actor=ledger_cast.handler,
            case_id=resolved_case.pk,
            reported_on=date(2025, 7, 12),
            done="资金到账。",
            status_after=CaseStatus.RESOLVED,
        )

    assert caught.value.field == "reported_on"
    assert "2025-07-14" in caught.value.message
    resolved_case.refresh_from_db()
    assert resolved_case.status == CaseStatus.RESOLVING


# --- linked petition items ------------------------------------------------------------------------------------


def test_items_are_linked_once_and_counted_on_the_ledger(make_case, ledger_cast):
    item = item_register(actor=ledger_cast.personas.clerk_a, data=intake_input())
    case = make_case(item_ids=[item.pk])

    assert list(case.items.all()) == [item]
    assert AuditEvent.objects.get(action="ledger.keycase.created", object_id=str(case.pk)).detail[
        "items"
    ] == [item.pk]
    assert keycase_link_items(actor=ledger_cast.head, case_id=case.pk, item_ids=[item.pk]) == []
    row: Any = ledger_rows(ledger_cast.head).get(pk=case.pk)
    assert row.item_count == 1


def test_only_people_on_the_case_link_items_they_can_see(make_case, ledger_cast):
    item = item_register(actor=ledger_cast.personas.clerk_a, data=intake_input())
    case = make_case()

    with pytest.raises(DomainError) as caught:
        keycase_link_items(actor=ledger_cast.county_b_head, case_id=case.pk, item_ids=[item.pk])

    assert caught.value.code == "forbidden"
    with pytest.raises(DomainError) as caught:  # on the case, but the item is not assigned to its unit
        keycase_link_items(actor=ledger_cast.handler, case_id=case.pk, item_ids=[item.pk])
    assert caught.value.field == "items"
    assert keycase_link_items(actor=ledger_cast.leader, case_id=case.pk, item_ids=[item.pk]) == [item.pk]
