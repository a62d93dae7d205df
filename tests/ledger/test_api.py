"""The ledger REST API: scoped reads, one POST per step, field errors in Chinese, 403/404/409, no petitioner data."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.choices import DeadlineStatus
from accountability.models import Deadline
from core.choices import Role, UnitKind, UnitLevel
from core.models import AuditEvent, Unit, User
from ledger.choices import (
    DAILY_SUBJECT,
    KEYCASE_SUBJECT,
    RESOLVE,
    CaseStatus,
    Frequency,
    ReportState,
    RiskLevel,
    Source,
    StrikeOffState,
)
from ledger.models import (
    DailyReport,
    Finding,
    KeyCase,
    ProgressReport,
    ScreeningReport,
    ScreeningRound,
    SensitivePeriod,
    StrikeOffRequest,
)
from ledger.services.keycases import progress_add, strike_off_request
from ledger.services.screening import FindingInput, ReportInput, screening_report_file, screening_rounds_open
from ledger.services.sensitive import sensitive_period_create
from petitions.models import Category, Item
from petitions.services.intake import IntakeInput, PetitionerInput, item_register
from tests.support.accounts import ADMIN_PERSONAS, API_PERSONAS, inside_and_outside
from tests.support.helpers import SHANGHAI, has_chinese
from tests.support.keycases import LedgerCast

TODAY = date(2026, 3, 10)  # a Tuesday
URL = "/api/v1/ledger/"
CASES = URL + "key-cases/"
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def fresh(case: KeyCase) -> KeyCase:
    return KeyCase.objects.get(pk=case.pk)


def snapshot(case: KeyCase) -> tuple[Any, ...]:
    """Everything a key-case step may change."""
    case = fresh(case)
    clocks = Deadline.objects.filter(subject_type=KEYCASE_SUBJECT, subject_id=case.pk)
    return (
        case.status,
        case.version,
        case.title,
        case.risk_level,
        case.owner_id,
        case.responsible_unit_id,
        case.responsible_person_id,
        case.resolve_by,
        case.last_progress_on,
        sorted(case.progress_reports.values_list("id", "done")),
        sorted(case.strike_off_requests.values_list("id", "state")),
        sorted(case.item_links.values_list("item_id", flat=True)),
        sorted(clocks.values_list("id", "status", "due_on")),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def case(make_case: Callable[..., KeyCase], today: date) -> KeyCase:
    """Put on the ledger by the city section head, owned by the city leader, run by county A's department."""
    return make_case()


def resolve(case: KeyCase, cast: LedgerCast) -> None:
    progress_add(
        actor=cast.handler,
        case_id=case.pk,
        reported_on=TODAY,
        done="养老待遇已按政策全部落实，群众签字认可。",
        status_after=CaseStatus.RESOLVED,
    )


def register_item(clerk: User) -> Item:
    data = IntakeInput(
        channel="visit",
        purpose="demand",
        category_id=Category.objects.get(code="0301").pk,
        received_on=TODAY - timedelta(days=5),
        registered_on=TODAY - timedelta(days=5),
        summary="原民办教师要求落实养老待遇",
        demand="请求按公办教师标准补缴养老保险",
        petitioners=[PetitionerInput(name="张建国", id_number=ID_NUMBER, phone=PHONE)],
    )
    return item_register(actor=clerk, data=data)


# --- key cases: reads -----------------------------------------------------------------------------------------


def test_detail_shows_deadline_progress_strike_offs_and_item_numbers_without_petitioner_data(
    ledger_cast, api_for, case, today
):
    item = register_item(ledger_cast.personas.clerk_a)
    api = api_for(ledger_cast.head)
    assert api.post(f"{CASES}{case.pk}/link-items/", {"items": [item.pk]}, format="json").status_code == 200
    progress_add(actor=ledger_cast.handler, case_id=case.pk, reported_on=TODAY, done="逐人核实教龄。")

    response = api.get(f"{CASES}{case.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["items"] == [item.number]
    assert body["owner_name"] == ledger_cast.leader.full_name
    assert body["responsible_person_name"] == ledger_cast.handler.full_name
    assert body["deadline"] == {
        "kind": RESOLVE,
        "label": "化解时限",
        "starts_on": "2026-03-10",
        "due_on": "2026-05-09",
        "status": DeadlineStatus.OPEN,
        "calendar_days_left": 60,
        "working_days_left": body["deadline"]["working_days_left"],
        "overdue": False,
    }
    assert body["days_left"] == 60
    (report,) = body["progress_reports"]
    assert (report["done"], report["author_name"], report["reported_on"]) == (
        "逐人核实教龄。",
        ledger_cast.handler.full_name,
        "2026-03-10",
    )
    assert body["strike_off_requests"] == []
    raw = response.content.decode()
    for secret in (ID_NUMBER, PHONE, "张建国"):
        assert secret not in raw


def test_the_list_puts_overdue_cases_first_and_flags_stale_ones(ledger_cast, api_for, make_case):
    with time_machine.travel(datetime(2026, 1, 5, 10, 0, tzinfo=SHANGHAI), tick=False):
        late = make_case(title="拆迁补偿问题", resolve_by=date(2026, 2, 1))
        later = make_case(title="企业改制职工安置", resolve_by=date(2026, 6, 1))
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        fresh_case = make_case(title="小区物业纠纷", resolve_by=date(2026, 4, 1))
        rows = api_for(ledger_cast.head).get(CASES).json()["results"]

    assert [row["id"] for row in rows] == [late.pk, fresh_case.pk, later.pk]
    by_id = {row["id"]: row for row in rows}
    assert (by_id[late.pk]["overdue"], by_id[late.pk]["days_left"]) == (True, -37)
    assert (by_id[later.pk]["overdue"], by_id[later.pk]["stale"]) == (False, True)
    assert (by_id[fresh_case.pk]["overdue"], by_id[fresh_case.pk]["stale"]) == (False, False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=unresolved", {"open", "county"}),
        ("status=resolving", {"moving"}),
        ("overdue=true", set()),
        ("overdue=false", {"open", "moving", "county"}),
        ("q=物业", {"moving"}),
    ],
)
def test_the_list_filters_with_the_ledger_filterset(ledger_cast, api_for, make_case, today, query, expected):
    cases = {
        "open": make_case(title="原民办教师养老待遇"),
        "moving": make_case(title="小区物业纠纷"),
        "county": make_case(
            actor=ledger_cast.county_head, owner_id=ledger_cast.county_leader.pk, title="征地补偿款"
        ),
    }
    progress_add(
        actor=ledger_cast.handler,
        case_id=cases["moving"].pk,
        reported_on=TODAY,
        done="召开协调会。",
        status_after=CaseStatus.RESOLVING,
    )

    rows = api_for(ledger_cast.head).get(f"{CASES}?{query}").json()["results"]

    numbers = {row["number"] for row in rows}
    assert {key for key, found in cases.items() if found.number in numbers} == expected


def test_the_list_filters_by_owner(ledger_cast, api_for, make_case, today):
    city = make_case()
    make_case(actor=ledger_cast.county_head, owner_id=ledger_cast.county_leader.pk)

    rows = api_for(ledger_cast.head).get(f"{CASES}?owner={ledger_cast.leader.pk}").json()["results"]

    assert [row["id"] for row in rows] == [city.pk]


def test_an_unknown_filter_value_is_a_400_naming_the_filter(ledger_cast, api_for, case):
    response = api_for(ledger_cast.head).get(f"{CASES}?status=lost")

    assert response.status_code == 400
    assert set(response.json()) == {"status"}
    assert has_chinese(response.json()["status"])


def test_the_list_costs_the_same_number_of_queries_for_two_rows_or_six(
    ledger_cast, api_for, make_case, today
):
    api = api_for(ledger_cast.head)
    for _n in range(2):
        make_case()
    with CaptureQueriesContext(connection) as two:
        assert len(api.get(CASES).json()["results"]) == 2
    for _n in range(4):
        make_case(stabilizing_unit_id=ledger_cast.tree.township_a.pk)
    with CaptureQueriesContext(connection) as six:
        assert len(api.get(CASES).json()["results"]) == 6
    assert len(six) == len(two)


def test_a_non_numeric_id_is_a_404(ledger_cast, api_for, case):
    assert api_for(ledger_cast.head).get(f"{CASES}abc/").status_code == 404


# --- key cases: create and edit -------------------------------------------------------------------------------


def create_body(cast: LedgerCast, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "退役运动员要求安置",
        "problem": "十余名退役运动员要求落实安置政策。",
        "source": Source.HIGHER_REFERRAL,
        "risk_level": RiskLevel.MEDIUM,
        "owner": cast.leader.pk,
        "responsible_unit": cast.tree.county_a_department.pk,
        "responsible_person": cast.handler.pk,
        "measures": "逐人建档，协调人社部门研究安置方案。",
        "resolve_by": "2026-06-30",
        "group_concerned": "退役运动员",
        "head_count": 12,
    }
    body.update(overrides)
    return body


def test_post_puts_a_case_on_the_ledger_with_its_clock(ledger_cast, api_for, today):
    response = api_for(ledger_cast.head).post(CASES, create_body(ledger_cast), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    case = KeyCase.objects.get(pk=body["id"])
    assert case.office == ledger_cast.head.unit
    assert (body["status"], body["opened_on"], body["resolve_by"]) == (
        "unresolved",
        "2026-03-10",
        "2026-06-30",
    )
    assert body["deadline"]["due_on"] == "2026-06-30"
    assert re.fullmatch(r"ZD2026-\d{4}", body["number"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"resolve_by": "2026-03-01"}, "resolve_by"),
        ({"owner": "leader"}, "owner"),
        ({"source": "rumour"}, "source"),
        ({"title": ""}, "title"),
        ({"head_count": -1}, "head_count"),
        ({"responsible_unit": None}, "responsible_unit"),
    ],
)
def test_a_bad_case_is_a_400_naming_the_field_in_chinese(ledger_cast, api_for, today, overrides, field):
    body = create_body(ledger_cast, **overrides)
    if field == "owner":
        body["owner"] = ledger_cast.handler.pk  # a handler is no leader
    if overrides.get("responsible_unit", 0) is None:
        del body["responsible_unit"]

    response = api_for(ledger_cast.head).post(CASES, body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert has_chinese(response.json()[field])
    assert not KeyCase.objects.exists()


def test_only_section_heads_put_cases_on_the_ledger(ledger_cast, api_for, today):
    response = api_for(ledger_cast.handler).post(CASES, create_body(ledger_cast), format="json")

    assert response.status_code == 403
    assert response.json() == {"non_field_errors": ["只有科室负责人可以将问题列入台账。"]}
    assert not KeyCase.objects.exists()


def test_patch_edits_the_description_and_bumps_the_version(ledger_cast, api_for, case):
    response = api_for(ledger_cast.head).patch(
        f"{CASES}{case.pk}/", {"title": "原民办教师养老待遇问题", "version": case.version}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "原民办教师养老待遇问题"
    assert response.json()["version"] == case.version + 1
    assert AuditEvent.objects.filter(action="ledger.keycase.updated").count() == 1


def test_patch_cannot_change_the_status(ledger_cast, api_for, case):
    before = snapshot(case)

    response = api_for(ledger_cast.head).patch(f"{CASES}{case.pk}/", {"status": "resolved"}, format="json")

    # Unknown fields are dropped by the body; nothing but the description may change through PATCH.
    assert response.status_code == 200
    assert snapshot(case) == before


def test_patch_with_a_blank_title_is_refused_at_the_field(ledger_cast, api_for, case):
    before = snapshot(case)

    response = api_for(ledger_cast.head).patch(f"{CASES}{case.pk}/", {"title": "  "}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"title"}
    assert has_chinese(response.json()["title"])
    assert snapshot(case) == before


def test_put_is_not_allowed(ledger_cast, api_for, case):
    response = api_for(ledger_cast.head).put(f"{CASES}{case.pk}/", create_body(ledger_cast), format="json")

    assert response.status_code == 405


# --- key cases: actions ---------------------------------------------------------------------------------------

# action: (actor, body, check of the case afterwards)
HAPPY: dict[
    str, tuple[str, Callable[[LedgerCast], dict[str, Any]], Callable[[KeyCase, LedgerCast], bool]]
] = {
    "assign": (
        "head",
        lambda c: {"responsible_unit": c.tree.township_a.pk, "responsible_person": c.township_handler.pk},
        lambda case, c: (
            case.responsible_unit == c.tree.township_a and case.responsible_person == c.township_handler
        ),
    ),
    "set-deadline": (
        "head",
        lambda c: {"resolve_by": "2026-08-31", "reason": "涉及政策调整"},
        lambda case, c: case.resolve_by == date(2026, 8, 31),
    ),
    "link-items": (
        "head",
        lambda c: {"items": [register_item(c.personas.clerk_a).pk]},
        lambda case, c: case.item_links.count() == 1,
    ),
    "progress": (
        "handler",
        lambda c: {"done": "召开座谈会听取诉求。", "next_step": "测算补缴金额", "status_after": "resolving"},
        lambda case, c: case.status == CaseStatus.RESOLVING and case.last_progress_on == TODAY,
    ),
    "request-strike-off": (
        "handler",
        lambda c: {"reason": "待遇已全部落实，群众息诉罢访。"},
        lambda case, c: case.strike_off_requests.get().state == StrikeOffState.PENDING,
    ),
    "decide-strike-off": (
        "head",
        lambda c: {"approve": True, "note": "同意销号"},
        lambda case, c: case.status == CaseStatus.STRUCK_OFF and case.struck_off_on == TODAY,
    ),
}

# action: (actor, body, field named by the 400)
REFUSED: dict[str, tuple[str, Callable[[LedgerCast], dict[str, Any]], str]] = {
    "assign": ("head", lambda c: {"owner": c.handler.pk}, "owner"),
    "set-deadline": ("head", lambda c: {"resolve_by": "2026-03-01"}, "resolve_by"),
    "progress": ("handler", lambda c: {"done": "已办结。", "status_after": "struck_off"}, "status_after"),
    "request-strike-off": ("handler", lambda c: {"reason": "  "}, "reason"),
    "decide-strike-off": ("head", lambda c: {"approve": False, "note": "材料不全"}, "new_resolve_by"),
}


def ready_for(action: str, case: KeyCase, cast: LedgerCast) -> KeyCase:
    """Resolve the case (and ask to strike it off) when the action needs it: service calls, set-up only."""
    if action in ("request-strike-off", "decide-strike-off"):
        resolve(case, cast)
    if action == "decide-strike-off":
        strike_off_request(actor=cast.handler, case_id=case.pk, on=TODAY, reason="待遇已全部落实。")
    return fresh(case)


@pytest.mark.parametrize("action", list(HAPPY))
def test_each_action_does_its_step_and_answers_the_detail(ledger_cast, api_for, case, action):
    actor, body, check = HAPPY[action]
    case = ready_for(action, case, ledger_cast)

    response = api_for(getattr(ledger_cast, actor)).post(
        f"{CASES}{case.pk}/{action}/", body(ledger_cast) | {"version": case.version}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == case.pk
    assert response.json()["version"] > case.version
    assert check(fresh(case), ledger_cast)


@pytest.mark.parametrize("action", list(REFUSED))
def test_each_action_refused_names_the_field_in_chinese_and_changes_nothing(
    ledger_cast, api_for, case, action
):
    actor, body, field = REFUSED[action]
    case = ready_for(action, case, ledger_cast)
    before = snapshot(case)

    response = api_for(getattr(ledger_cast, actor)).post(
        f"{CASES}{case.pk}/{action}/", body(ledger_cast), format="json"
    )

    assert response.status_code == 400, response.json()
    assert set(response.json()) == {field}
    assert has_chinese(response.json()[field])
    assert snapshot(case) == before


@pytest.mark.parametrize("action", list(HAPPY))
def test_each_action_on_a_stale_version_is_a_409_and_changes_nothing(ledger_cast, api_for, case, action):
    actor, body, _check = HAPPY[action]
    case = ready_for(action, case, ledger_cast)
    seen = case.version
    # Someone else edits the case first.
    api_for(ledger_cast.head).patch(f"{CASES}{case.pk}/", {"measures": "每周面谈两次。"}, format="json")
    typed = body(ledger_cast) | {"version": seen}
    before = snapshot(case)

    response = api_for(getattr(ledger_cast, actor)).post(f"{CASES}{case.pk}/{action}/", typed, format="json")

    assert response.status_code == 409
    assert response.json() == {"non_field_errors": ["该台账已被他人修改，请刷新后重试。"]}
    assert snapshot(case) == before


def test_patch_on_a_stale_version_is_a_409(ledger_cast, api_for, case):
    api = api_for(ledger_cast.head)
    api.patch(f"{CASES}{case.pk}/", {"title": "第一次修改"}, format="json")
    before = snapshot(case)

    response = api.patch(
        f"{CASES}{case.pk}/", {"title": "第二次修改", "version": case.version}, format="json"
    )

    assert response.status_code == 409
    assert snapshot(case) == before


def test_link_items_answers_numbers_only(ledger_cast, api_for, case):
    item = register_item(ledger_cast.personas.clerk_a)

    response = api_for(ledger_cast.head).post(
        f"{CASES}{case.pk}/link-items/", {"items": [item.pk], "version": case.version}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["items"] == [item.number]
    assert response.json()["item_count"] == 1
    for secret in (ID_NUMBER, PHONE, "张建国"):
        assert secret not in response.content.decode()


def test_link_items_refuses_an_item_the_caller_cannot_see(ledger_cast, api_for, case):
    other = register_item(ledger_cast.personas.clerk_b)
    before = snapshot(case)

    response = api_for(ledger_cast.handler).post(
        f"{CASES}{case.pk}/link-items/", {"items": [other.pk]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"items": ["只能关联本单位可见的信访事项。"]}
    assert snapshot(case) == before


def test_a_correction_follows_the_report_it_corrects_which_stays_as_it_was(ledger_cast, api_for, case):
    api = api_for(ledger_cast.handler)
    first = api.post(f"{CASES}{case.pk}/progress/", {"done": "召开座谈会。"}, format="json").json()
    (original,) = first["progress_reports"]

    response = api.post(
        f"{CASES}{case.pk}/progress/",
        {"done": "更正：召开座谈会两次。", "corrects": original["id"]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    newest, oldest = response.json()["progress_reports"]
    assert (newest["corrects"], newest["done"]) == (original["id"], "更正：召开座谈会两次。")
    assert oldest == original
    assert ProgressReport.objects.get(pk=original["id"]).done == "召开座谈会。"


def test_a_correction_of_another_cases_report_is_refused(ledger_cast, api_for, case, make_case):
    other = make_case()
    report = progress_add(actor=ledger_cast.handler, case_id=other.pk, reported_on=TODAY, done="走访。")
    before = snapshot(case)

    response = api_for(ledger_cast.handler).post(
        f"{CASES}{case.pk}/progress/", {"done": "更正。", "corrects": report.pk}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"corrects"}
    assert snapshot(case) == before


def test_progress_dated_in_the_future_is_refused_at_its_field(ledger_cast, api_for, case):
    before = snapshot(case)

    response = api_for(ledger_cast.handler).post(
        f"{CASES}{case.pk}/progress/", {"done": "走访。", "reported_on": "2026-03-11"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"reported_on": ["日期不能晚于今天。"]}
    assert snapshot(case) == before


def test_strike_off_asked_before_the_case_is_resolved_is_refused(ledger_cast, api_for, case):
    before = snapshot(case)

    response = api_for(ledger_cast.handler).post(
        f"{CASES}{case.pk}/request-strike-off/", {"reason": "已落实。"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["问题化解后才能申请销号。"]}
    assert snapshot(case) == before


def test_a_refused_strike_off_reopens_the_case_with_a_new_deadline(ledger_cast, api_for, case):
    case = ready_for("decide-strike-off", case, ledger_cast)

    response = api_for(ledger_cast.head).post(
        f"{CASES}{case.pk}/decide-strike-off/",
        {"approve": False, "note": "群众仍有异议", "new_resolve_by": "2026-05-31"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["resolve_by"]) == (CaseStatus.RESOLVING, "2026-05-31")
    assert body["deadline"]["due_on"] == "2026-05-31"
    assert body["deadline"]["status"] == DeadlineStatus.OPEN
    (request,) = body["strike_off_requests"]
    assert (request["state"], request["decision_note"]) == (StrikeOffState.REFUSED, "群众仍有异议")


@pytest.mark.parametrize(
    ("action", "actor", "message"),
    [
        ("assign", "handler", "只有台账管理单位的科室负责人可以执行此操作。"),
        ("set-deadline", "county_head", "只有台账管理单位的科室负责人可以执行此操作。"),
        ("request-strike-off", "leader", "只有责任单位可以申请销号。"),
        ("decide-strike-off", "handler", "只有台账管理单位的科室负责人可以执行此操作。"),
    ],
)
def test_a_role_refusal_is_a_403_and_changes_nothing(ledger_cast, api_for, case, action, actor, message):
    case = ready_for(action, case, ledger_cast)
    before = snapshot(case)
    body = HAPPY[action][1](ledger_cast)

    response = api_for(getattr(ledger_cast, actor)).post(f"{CASES}{case.pk}/{action}/", body, format="json")

    assert response.status_code == 403
    assert response.json() == {"non_field_errors": [message]}
    assert snapshot(case) == before


# --- key cases: permission matrix -----------------------------------------------------------------------------

PERSONAS = API_PERSONAS
ADMINS = ADMIN_PERSONAS
MAY_REPORT = {"handler_a", "section_head", "leader"}  # responsible unit, ledger office, owning leader


@pytest.fixture
def cases_by_place(ledger_cast, make_case, make_user, today) -> dict[str, KeyCase]:
    """A city case run by county A's department, one run by county B, and one in another city."""
    far_city = Unit.objects.add_root(
        {"code": "U", "name": "远山市", "kind": UnitKind.AREA, "level": UnitLevel.CITY}
    )
    far_head = make_user(far_city, [Role.SECTION_HEAD], "head_far")
    far_leader = make_user(far_city, [Role.LEADER], "leader_far")
    return {
        "a": make_case(),
        "b": make_case(responsible_unit_id=ledger_cast.tree.county_b.pk, responsible_person_id=None),
        "far": make_case(
            actor=far_head,
            owner_id=far_leader.pk,
            responsible_unit_id=far_city.pk,
            responsible_person_id=None,
        ),
    }


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("place", ["inside", "outside"])
def test_key_case_permission_matrix_for_list_retrieve_and_an_action(
    personas, api_for, cases_by_place, name, place
):
    inside, outside = inside_and_outside(name)
    case = cases_by_place[inside if place == "inside" else outside]
    visible = place == "inside" and name not in ADMINS
    api = api_for(getattr(personas, name))
    before = snapshot(case)

    listed = {row["id"] for row in api.get(CASES).json()["results"]}
    detail = api.get(f"{CASES}{case.pk}/")
    step = api.post(f"{CASES}{case.pk}/progress/", {"done": "走访当事人。"}, format="json")

    assert (case.pk in listed) is visible
    if name in ADMINS:
        assert listed == set()
    assert detail.status_code == (200 if visible else 404)
    if not visible:
        assert detail.json() == {"detail": "未找到。"}
        assert step.status_code == 404
    elif name in MAY_REPORT:
        assert step.status_code == 200, step.json()
        assert fresh(case).progress_reports.count() == 1
    else:
        assert step.status_code == 403
        assert has_chinese(step.json()["non_field_errors"])
    if step.status_code != 200:
        assert snapshot(case) == before


def test_the_owning_leader_reads_a_case_run_outside_their_unit(ledger_cast, api_for, make_case, today):
    # Kept by the city, run by county B, owned by county A's leader: county A sees it only through its leader.
    case = make_case(
        owner_id=ledger_cast.county_leader.pk,
        responsible_unit_id=ledger_cast.tree.county_b.pk,
        responsible_person_id=None,
    )

    assert api_for(ledger_cast.county_leader).get(f"{CASES}{case.pk}/").status_code == 200
    rows = api_for(ledger_cast.county_leader).get(CASES).json()["results"]
    assert [row["id"] for row in rows] == [case.pk]
    assert api_for(ledger_cast.county_head).get(f"{CASES}{case.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "key-cases/"),
        ("get", "key-cases/{id}/"),
        ("post", "key-cases/"),
        ("patch", "key-cases/{id}/"),
        ("post", "key-cases/{id}/progress/"),
        ("post", "key-cases/{id}/assign/"),
        ("get", "screening-rounds/"),
        ("get", "screening-reports/"),
        ("get", "findings/"),
        ("get", "sensitive-periods/"),
        ("post", "sensitive-periods/"),
        ("get", "daily-reports/"),
    ],
)
def test_unauthenticated_requests_are_401(api_for, case, method, path):
    before = snapshot(case)

    response = getattr(api_for(None), method)(URL + path.format(id=case.pk), {}, format="json")

    assert response.status_code == 401
    assert snapshot(case) == before


# --- screening ------------------------------------------------------------------------------------------------


@pytest.fixture
def rounds(ledger_cast, make_user, today) -> dict[str, ScreeningRound]:
    """This week's and this half-month's rounds, for the tree plus a unit of another city."""
    far_city = Unit.objects.add_root(
        {"code": "U", "name": "远山市", "kind": UnitKind.AREA, "level": UnitLevel.CITY}
    )
    make_user(far_city, [Role.CLERK], "clerk_far")
    opened = screening_rounds_open(today=TODAY)
    return {round_.frequency: round_ for round_ in opened}


def report_of(round_: ScreeningRound, unit: Unit) -> ScreeningReport:
    return ScreeningReport.objects.get(round=round_, unit=unit)


def test_round_detail_lists_who_filed_late_and_who_has_not_in_the_callers_subtree(
    ledger_cast, api_for, rounds
):
    weekly = rounds[Frequency.WEEKLY]
    tree = ledger_cast.tree
    screening_report_file(
        actor=ledger_cast.personas.clerk_a,
        report_id=report_of(weekly, tree.county_a).pk,
        data=ReportInput(True),
    )
    # The weekly report was due two working days after Monday 03-09: Wednesday 03-11.
    with time_machine.travel(datetime(2026, 3, 13, 10, 0, tzinfo=SHANGHAI), tick=False):
        screening_report_file(
            actor=ledger_cast.handler,
            report_id=report_of(weekly, tree.county_a_department).pk,
            data=ReportInput(False, findings=[FindingInput("小区业主与物业公司纠纷", "property", "medium")]),
        )
        response = api_for(ledger_cast.county_head).get(f"{URL}screening-rounds/{weekly.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["due_count"], body["filed_count"], body["late_count"], body["missing_count"]) == (2, 1, 1, 0)
    rows = {row["unit_name"]: row for row in body["reports"]}
    assert set(rows) == {tree.county_a.name, tree.county_a_department.name}
    assert rows[tree.county_a.name]["state"] == ReportState.FILED
    assert rows[tree.county_a.name]["is_zero"] is True
    assert rows[tree.county_a_department.name]["state"] == ReportState.FILED_LATE
    assert rows[tree.county_a_department.name]["finding_count"] == 1


def test_the_round_list_counts_the_reports_of_the_callers_subtree(ledger_cast, api_for, rounds):
    rows = api_for(ledger_cast.head).get(f"{URL}screening-rounds/").json()["results"]

    counts = {row["frequency"]: (row["due_count"], row["missing_count"]) for row in rows}
    # Weekly: the city, its department, both counties and county A's department; half-monthly: the township.
    assert counts == {Frequency.WEEKLY: (5, 5), Frequency.HALF_MONTHLY: (1, 1)}


def test_a_round_with_nothing_due_from_the_caller_is_a_404(ledger_cast, api_for, rounds):
    # County B has no township, so the half-monthly round is none of its business.
    response = api_for(ledger_cast.personas.clerk_b).get(
        f"{URL}screening-rounds/{rounds[Frequency.HALF_MONTHLY].pk}/"
    )

    assert response.status_code == 404


def test_admins_see_no_rounds_reports_or_findings(ledger_cast, api_for, rounds):
    api = api_for(ledger_cast.personas.system_admin)

    for path in ("screening-rounds/", "screening-reports/", "findings/"):
        assert api.get(URL + path).json()["results"] == []


def finding_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "description": "某村征地补偿款分配不均，二十余户村民多次聚集",
        "focus_area": "land",
        "risk_level": "high",
        "parties": "东门街道幸福村村民",
        "division": "",
        "location": "幸福村村委会",
        "head_count": 23,
        "measures": "街道包村干部逐户走访",
    }
    body.update(overrides)
    return body


def test_filing_a_report_with_findings_after_its_due_date_answers_it_late_with_them(
    ledger_cast, api_for, rounds
):
    # The half-month from 03-01 was due two working days later (03-03); today is 03-10.
    report = report_of(rounds[Frequency.HALF_MONTHLY], ledger_cast.tree.township_a)

    response = api_for(ledger_cast.township_clerk).post(
        f"{URL}screening-reports/{report.pk}/file/",
        {"summary": "本期排查发现一起", "findings": [finding_body()]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["is_zero"], body["filed_on"]) == (ReportState.FILED_LATE, False, "2026-03-10")
    assert body["due_on"] == "2026-03-03"
    (finding,) = body["findings"]
    assert (finding["focus_area"], finding["head_count"], finding["promoted_case"]) == ("land", 23, None)


def test_filing_a_zero_report(ledger_cast, api_for, rounds):
    report = report_of(rounds[Frequency.WEEKLY], ledger_cast.tree.county_a)

    response = api_for(ledger_cast.personas.clerk_a).post(
        f"{URL}screening-reports/{report.pk}/file/", {"is_zero": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["is_zero"]) == (ReportState.FILED, True)
    assert response.json()["findings"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"is_zero": True, "findings": [finding_body()]}, "findings"),
        ({"is_zero": False}, "findings"),
        ({"findings": [finding_body(focus_area="ufo")]}, "findings"),
        ({"findings": [finding_body(division="999999999999")]}, "findings-0-division"),
    ],
)
def test_a_bad_report_is_refused_at_the_field_and_stays_pending(ledger_cast, api_for, rounds, body, field):
    report = report_of(rounds[Frequency.WEEKLY], ledger_cast.tree.county_a)

    response = api_for(ledger_cast.personas.clerk_a).post(
        f"{URL}screening-reports/{report.pk}/file/", body, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert has_chinese(response.json()[field])
    report.refresh_from_db()
    assert report.state == ReportState.PENDING
    assert not Finding.objects.exists()


SCREENING_PERSONAS = {
    # name: (own unit's report, a report outside the subtree)
    "clerk_a": ("county_a", "county_b"),
    "clerk_b": ("county_b", "county_a"),
    "handler_a": ("county_a_department", "county_a"),
    "section_head": ("city", "far"),
    "leader": ("city", "far"),
    "supervisor": ("city", "far"),
    "system_admin": ("city", "far"),
    "audit_admin": ("city", "far"),
    "county_audit_admin": ("county_a", "county_b"),
}
MAY_FILE = {"clerk_a", "clerk_b", "handler_a", "section_head"}


@pytest.mark.parametrize("name", list(SCREENING_PERSONAS))
@pytest.mark.parametrize("place", ["inside", "outside"])
def test_screening_report_permission_matrix(ledger_cast, api_for, rounds, name, place):
    units = {
        "far": Unit.objects.get(code="U"),
        **{
            key: getattr(ledger_cast.tree, key)
            for key in ("city", "county_a", "county_b", "county_a_department")
        },
    }
    own, other = SCREENING_PERSONAS[name]
    report = report_of(rounds[Frequency.WEEKLY], units[own if place == "inside" else other])
    visible = place == "inside" and name not in ADMINS
    api = api_for(getattr(ledger_cast.personas, name))

    listed = {row["id"] for row in api.get(f"{URL}screening-reports/").json()["results"]}
    detail = api.get(f"{URL}screening-reports/{report.pk}/")
    step = api.post(f"{URL}screening-reports/{report.pk}/file/", {"is_zero": True}, format="json")

    assert (report.pk in listed) is visible
    assert detail.status_code == (200 if visible else 404)
    report.refresh_from_db()
    if not visible:
        assert step.status_code == 404
    elif name in MAY_FILE:
        assert step.status_code == 200
        assert report.state == ReportState.FILED
    else:
        assert step.status_code == 403
        assert has_chinese(step.json()["non_field_errors"])
    if step.status_code != 200:
        assert report.state == ReportState.PENDING


def test_a_superior_reads_a_subordinates_report_but_may_not_file_it(ledger_cast, api_for, rounds):
    report = report_of(rounds[Frequency.WEEKLY], ledger_cast.tree.county_a)
    api = api_for(ledger_cast.head)

    assert api.get(f"{URL}screening-reports/{report.pk}/").status_code == 200
    response = api.post(f"{URL}screening-reports/{report.pk}/file/", {"is_zero": True}, format="json")

    assert response.status_code == 403
    assert response.json() == {"non_field_errors": ["只能由本单位人员报送本单位的排查报告。"]}
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


@pytest.fixture
def finding(ledger_cast, rounds) -> Finding:
    report = report_of(rounds[Frequency.HALF_MONTHLY], ledger_cast.tree.township_a)
    screening_report_file(
        actor=ledger_cast.township_clerk,
        report_id=report.pk,
        data=ReportInput(
            False,
            findings=[
                FindingInput(
                    "幸福村征地补偿款分配不均",
                    "land",
                    "high",
                    head_count=23,
                    measures="逐户走访，公开分配方案",
                )
            ],
        ),
    )
    return Finding.objects.get()


def test_a_finding_is_promoted_to_a_key_case_in_one_step(ledger_cast, api_for, finding):
    body = {
        "title": "幸福村征地补偿款纠纷",
        "owner": ledger_cast.county_leader.pk,
        "responsible_unit": ledger_cast.tree.township_a.pk,
        "resolve_by": "2026-05-31",
    }

    response = api_for(ledger_cast.county_head).post(
        f"{URL}findings/{finding.pk}/promote/", body, format="json"
    )

    assert response.status_code == 201, response.json()
    case = KeyCase.objects.get(pk=response.json()["id"])
    assert (case.source, case.problem, case.risk_level, case.head_count) == (
        Source.SCREENING,
        "幸福村征地补偿款分配不均",
        RiskLevel.HIGH,
        23,
    )
    assert case.measures == "逐户走访，公开分配方案"
    finding.refresh_from_db()
    assert finding.promoted_case == case
    listed = api_for(ledger_cast.county_head).get(f"{URL}findings/").json()["results"]
    assert [row["promoted_case_number"] for row in listed] == [case.number]


def test_a_finding_promoted_twice_is_refused(ledger_cast, api_for, finding):
    body = {
        "title": "幸福村征地补偿款纠纷",
        "owner": ledger_cast.county_leader.pk,
        "responsible_unit": ledger_cast.tree.township_a.pk,
        "resolve_by": "2026-05-31",
    }
    api = api_for(ledger_cast.county_head)
    assert api.post(f"{URL}findings/{finding.pk}/promote/", body, format="json").status_code == 201

    response = api.post(f"{URL}findings/{finding.pk}/promote/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["该排查发现已列入台账。"]}
    assert KeyCase.objects.count() == 1


def test_promoting_is_for_section_heads_and_out_of_scope_is_404(ledger_cast, api_for, finding):
    body = {
        "title": "幸福村征地补偿款纠纷",
        "owner": ledger_cast.county_leader.pk,
        "responsible_unit": ledger_cast.tree.township_a.pk,
        "resolve_by": "2026-05-31",
    }

    by_clerk = api_for(ledger_cast.township_clerk).post(
        f"{URL}findings/{finding.pk}/promote/", body, format="json"
    )
    by_outsider = api_for(ledger_cast.county_b_head).post(
        f"{URL}findings/{finding.pk}/promote/", body, format="json"
    )

    assert by_clerk.status_code == 403
    assert has_chinese(by_clerk.json()["non_field_errors"])
    assert by_outsider.status_code == 404
    assert api_for(ledger_cast.county_b_head).get(f"{URL}findings/{finding.pk}/").status_code == 404
    assert not KeyCase.objects.exists()
    finding.refresh_from_db()
    assert finding.promoted_case is None


# --- sensitive periods and daily reports ----------------------------------------------------------------------


def period_body(cast: LedgerCast, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "全国两会",
        "starts_on": "2026-03-10",
        "ends_on": "2026-03-20",
        "units": [cast.tree.county_a.pk],
        "note": "每日17时前报送",
    }
    body.update(overrides)
    return body


def test_a_section_head_defines_a_period_and_its_daily_reports_open_at_once(ledger_cast, api_for, today):
    response = api_for(ledger_cast.head).post(
        f"{URL}sensitive-periods/", period_body(ledger_cast), format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["running"] is True
    assert [unit["name"] for unit in body["units"]] == [ledger_cast.tree.county_a.name]
    # County A, its department and its township each owe today's report.
    assert (body["due_count"], body["missing_count"]) == (3, 3)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_on": "2026-03-09"}, "starts_on"),
        ({"ends_on": "2026-03-01"}, "ends_on"),
        ({"units": []}, "units"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_period_is_refused_at_the_field(ledger_cast, api_for, today, overrides, field):
    response = api_for(ledger_cast.head).post(
        f"{URL}sensitive-periods/", period_body(ledger_cast, **overrides), format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert has_chinese(response.json()[field])
    assert not SensitivePeriod.objects.exists()


def test_handlers_may_not_define_periods(ledger_cast, api_for, today):
    response = api_for(ledger_cast.handler).post(
        f"{URL}sensitive-periods/", period_body(ledger_cast), format="json"
    )

    assert response.status_code == 403
    assert has_chinese(response.json()["non_field_errors"])
    assert not SensitivePeriod.objects.exists()


@pytest.fixture
def period(ledger_cast, today) -> SensitivePeriod:
    return sensitive_period_create(
        actor=ledger_cast.head,
        name="全国两会",
        starts_on=TODAY,
        ends_on=date(2026, 3, 20),
        unit_ids=[ledger_cast.tree.county_a.pk],
    )


def test_ending_a_period_early_withdraws_later_reports(ledger_cast, api_for, period):
    response = api_for(ledger_cast.head).post(
        f"{URL}sensitive-periods/{period.pk}/end/", {"on": "2026-03-15"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["ends_on"] == "2026-03-15"


def test_ending_a_period_outside_its_dates_is_refused_and_changes_nothing(ledger_cast, api_for, period):
    response = api_for(ledger_cast.head).post(
        f"{URL}sensitive-periods/{period.pk}/end/", {"on": "2026-03-25"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"on"}
    assert has_chinese(response.json()["on"])
    period.refresh_from_db()
    assert period.ends_on == date(2026, 3, 20)


PERIOD_VISIBLE = {"clerk_a", "handler_a", "section_head", "leader", "supervisor"}
MAY_END = {"section_head"}


@pytest.mark.parametrize("name", PERSONAS)
def test_sensitive_period_permission_matrix(personas, api_for, period, name):
    api = api_for(getattr(personas, name))
    visible = name in PERIOD_VISIBLE

    listed = {row["id"] for row in api.get(f"{URL}sensitive-periods/").json()["results"]}
    detail = api.get(f"{URL}sensitive-periods/{period.pk}/")
    step = api.post(f"{URL}sensitive-periods/{period.pk}/end/", {"on": "2026-03-15"}, format="json")

    assert (period.pk in listed) is visible
    assert detail.status_code == (200 if visible else 404)
    if not visible:
        assert step.status_code == 404
    elif name in MAY_END:
        assert step.status_code == 200
    else:
        assert step.status_code == 403
        assert has_chinese(step.json()["non_field_errors"])
    period.refresh_from_db()
    assert period.ends_on == (date(2026, 3, 15) if step.status_code == 200 else date(2026, 3, 20))


def test_an_admin_sees_the_periods_they_defined(ledger_cast, api_for, today):
    api = api_for(ledger_cast.personas.system_admin)

    created = api.post(f"{URL}sensitive-periods/", period_body(ledger_cast), format="json")

    assert created.status_code == 201, created.json()
    assert [row["id"] for row in api.get(f"{URL}sensitive-periods/").json()["results"]] == [
        created.json()["id"]
    ]
    assert api_for(ledger_cast.personas.audit_admin).get(f"{URL}sensitive-periods/").json()["results"] == []


DAILY_PERSONAS = {
    # name: own unit's report is inside; county B has none, so outsiders read county A's.
    "clerk_a": "county_a",
    "clerk_b": "county_a",
    "handler_a": "county_a_department",
    "section_head": "county_a",
    "leader": "county_a",
    "supervisor": "county_a",
    "system_admin": "county_a",
    "county_audit_admin": "county_a",
}
DAILY_MAY_READ = {"clerk_a", "handler_a", "section_head", "leader", "supervisor"}
DAILY_MAY_FILE = {"clerk_a", "handler_a"}


@pytest.mark.parametrize("name", list(DAILY_PERSONAS))
def test_daily_report_permission_matrix(ledger_cast, api_for, period, name):
    report = DailyReport.objects.get(period=period, unit=getattr(ledger_cast.tree, DAILY_PERSONAS[name]))
    api = api_for(getattr(ledger_cast.personas, name))

    listed = {row["id"] for row in api.get(f"{URL}daily-reports/").json()["results"]}
    detail = api.get(f"{URL}daily-reports/{report.pk}/")
    step = api.post(f"{URL}daily-reports/{report.pk}/file/", {"is_zero": True}, format="json")

    assert (report.pk in listed) is (name in DAILY_MAY_FILE)
    assert detail.status_code == (200 if name in DAILY_MAY_READ else 404)
    report.refresh_from_db()
    if name not in DAILY_MAY_READ:
        assert step.status_code == 404
    elif name in DAILY_MAY_FILE:
        assert step.status_code == 200
        assert (report.state, report.is_zero) == (ReportState.FILED, True)
    else:
        assert step.status_code == 403
        assert has_chinese(step.json()["non_field_errors"])
    if step.status_code != 200:
        assert report.state == ReportState.PENDING


def test_the_daily_list_shows_the_due_date_and_overdue_flag(ledger_cast, api_for, period):
    with time_machine.travel(datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI), tick=False):
        (row,) = (
            api_for(ledger_cast.personas.clerk_a).get(f"{URL}daily-reports/?state=pending").json()["results"]
        )

    assert (row["day"], row["due_on"], row["overdue"]) == ("2026-03-10", "2026-03-10", True)
    assert Deadline.objects.filter(subject_type=DAILY_SUBJECT, subject_id=row["id"]).exists()


def test_a_daily_report_with_neither_content_nor_zero_is_refused_at_the_content(ledger_cast, api_for, period):
    report = DailyReport.objects.get(period=period, unit=ledger_cast.tree.county_a)

    response = api_for(ledger_cast.personas.clerk_a).post(
        f"{URL}daily-reports/{report.pk}/file/", {"is_zero": False, "content": " "}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"content": ["此项为必填项。"]}
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


def test_a_daily_report_filed_twice_is_refused(ledger_cast, api_for, period):
    report = DailyReport.objects.get(period=period, unit=ledger_cast.tree.county_a)
    api = api_for(ledger_cast.personas.clerk_a)
    assert (
        api.post(f"{URL}daily-reports/{report.pk}/file/", {"content": "辖区平稳"}, format="json").status_code
        == 200
    )

    response = api.post(f"{URL}daily-reports/{report.pk}/file/", {"is_zero": True}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["当日报告已经报送。"]}
    report.refresh_from_db()
    assert (report.is_zero, report.content) == (False, "辖区平稳")


# --- the published schema -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "request_schema"),
    [
        ("key-cases/{id}/assign/", "CaseAssignRequest"),
        ("key-cases/{id}/progress/", "ProgressRequest"),
        ("key-cases/{id}/decide-strike-off/", "StrikeOffDecisionRequest"),
        ("screening-reports/{id}/file/", "ReportFileRequest"),
        ("findings/{id}/promote/", "PromoteRequest"),
    ],
)
def test_the_schema_documents_each_ledger_action(personas, api_for, path, request_schema):
    schema = api_for(personas.clerk_a).get("/api/v1/schema/?format=json").json()

    operation = schema["paths"][f"/api/v1/ledger/{path}"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": f"#/components/schemas/{request_schema}"}


def test_strike_off_requests_stay_pending_until_decided(ledger_cast, api_for, case):
    # The pending request shows on the detail the section head reads before deciding.
    case = ready_for("decide-strike-off", case, ledger_cast)

    body = api_for(ledger_cast.head).get(f"{CASES}{case.pk}/").json()

    (request,) = body["strike_off_requests"]
    assert (request["state"], request["requested_by_name"]) == (
        StrikeOffState.PENDING,
        ledger_cast.handler.full_name,
    )
    assert StrikeOffRequest.objects.get().state == StrikeOffState.PENDING


def test_the_period_and_finding_lists_cost_the_same_queries_for_more_rows(ledger_cast, api_for, rounds):
    api = api_for(ledger_cast.head)
    tree = ledger_cast.tree

    def add_period(name: str) -> None:
        sensitive_period_create(
            actor=ledger_cast.head,
            name=name,
            starts_on=TODAY,
            ends_on=date(2026, 3, 20),
            unit_ids=[tree.county_a.pk, tree.county_b.pk],
        )

    def add_findings(unit: Unit, clerk: User, count: int) -> None:
        screening_report_file(
            actor=clerk,
            report_id=report_of(rounds[Frequency.WEEKLY], unit).pk,
            data=ReportInput(False, findings=[FindingInput("劳资纠纷", "wages", "low")] * count),
        )

    add_period("全国两会")
    add_findings(tree.county_a, ledger_cast.personas.clerk_a, 1)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(f"{URL}sensitive-periods/").json()["results"]) == 1
        assert len(api.get(f"{URL}findings/").json()["results"]) == 1
    for name in ("清明节", "五一", "端午"):
        add_period(name)
    add_findings(tree.county_b, ledger_cast.personas.clerk_b, 3)
    with CaptureQueriesContext(connection) as four:
        assert len(api.get(f"{URL}sensitive-periods/").json()["results"]) == 4
        assert len(api.get(f"{URL}findings/").json()["results"]) == 4
    assert len(four) == len(one)
