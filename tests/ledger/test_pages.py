"""The ledger's web pages: who sees each page, scoping (404), forms that call the services and keep typed input
on a Chinese error, bulk actions that change all ticked cases or none."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from core.choices import Role
from core.models import Unit, User
from ledger.choices import CaseStatus, ReportState, RiskLevel, Source, StrikeOffState
from ledger.filters import KeyCaseFilter
from ledger.forms import BulkForm
from ledger.models import DailyReport, Finding, KeyCase, ScreeningReport, SensitivePeriod
from ledger.selectors import leaders_for_case_owner, ledger_rows, people_for_cases
from ledger.services.keycases import KeyCaseInput, keycase_create, progress_add
from ledger.services.screening import FindingInput, ReportInput, screening_report_file, screening_rounds_open
from ledger.services.sensitive import sensitive_period_create
from petitions.services.intake import item_register
from tests.support.accounts import Personas, Tree
from tests.support.helpers import SHANGHAI, select_options
from tests.support.items import intake_input

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)  # a Tuesday


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def case_input(tree: Tree, personas: Personas, **overrides: object) -> KeyCaseInput:
    values: dict[str, object] = {
        "title": "民办教师待遇问题",
        "problem": "原民办教师要求落实养老保险待遇，多次集体上访。",
        "source": Source.CITY_LEADER,
        "risk_level": RiskLevel.HIGH,
        "owner_id": personas.leader.pk,
        "responsible_unit_id": tree.county_a_department.pk,
        "measures": "逐人核实教龄，协调人社部门测算补缴方案。",
        "resolve_by": date(2026, 6, 30),
        "group_concerned": "民办教师",
        "head_count": 120,
        "opened_on": date(2026, 3, 9),
    }
    values.update(overrides)
    return KeyCaseInput(**values)  # type: ignore[arg-type]


@dataclass
class Ledger:
    """overdue: opened in January, due 03-01, no progress (overdue and stale); fresh: opened yesterday;
    other: county B's case, outside county A's scope."""

    overdue: KeyCase
    fresh: KeyCase
    other: KeyCase
    head_b: User


@pytest.fixture
def ledger(frozen: None, tree: Tree, personas: Personas, make_user: Callable[..., User]) -> Ledger:
    head = personas.section_head
    overdue = keycase_create(
        actor=head,
        data=case_input(
            tree,
            personas,
            title="退役运动员安置问题",
            group_concerned="退役运动员",
            opened_on=date(2026, 1, 5),
            resolve_by=date(2026, 3, 1),
            risk_level=RiskLevel.MEDIUM,
        ),
    )
    fresh = keycase_create(actor=head, data=case_input(tree, personas))
    head_b = make_user(tree.county_b, [Role.SECTION_HEAD], "head_b")
    other = keycase_create(
        actor=head_b,
        data=case_input(tree, personas, title="青山县征地补偿问题", responsible_unit_id=tree.county_b.pk),
    )
    return Ledger(overdue=overdue, fresh=fresh, other=other, head_b=head_b)


def numbers_in(html: str) -> list[str]:
    return re.findall(r'data-number="(ZD\d{4}-\d{4})"', html)


# --- the ledger list --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["section_head", "leader", "supervisor", "handler_a"])
def test_the_ledger_list_renders_for_the_roles_that_keep_or_handle_cases(ledger, personas, client_for, role):
    response = client_for(getattr(personas, role)).get(reverse("ledger:case_list"))
    assert response.status_code == 200
    assert "重点信访问题台账" in response.content.decode()


def test_the_ledger_list_refuses_a_clerk_and_an_admin_and_sends_anonymous_to_sign_in(
    ledger, personas, client_for
):
    assert client_for(personas.clerk_a).get(reverse("ledger:case_list")).status_code == 403
    assert client_for(personas.system_admin).get(reverse("ledger:case_list")).status_code == 403
    assert client_for(None).get(reverse("ledger:case_list")).status_code == 302


def test_the_ledger_list_shows_overdue_first_with_days_left_last_progress_and_stale_flag(
    ledger, personas, client_for
):
    progress_add(actor=personas.handler_a, case_id=ledger.fresh.pk, reported_on=TODAY, done="已入户走访。")
    html = client_for(personas.section_head).get(reverse("ledger:case_list")).content.decode()
    assert numbers_in(html) == [ledger.overdue.number, ledger.fresh.number, ledger.other.number]
    overdue_row = html[html.index(f'data-number="{ledger.overdue.number}"') :].split("</tr>")[0]
    assert "超期9日" in overdue_row
    assert "超7日无进展" in overdue_row
    fresh_row = html[html.index(f'data-number="{ledger.fresh.number}"') :].split("</tr>")[0]
    assert "剩112日" in fresh_row
    assert "2026-03-10" in fresh_row
    assert "超7日无进展" not in fresh_row


def test_the_ledger_list_filters_by_overdue_stale_text_unit_and_status(ledger, personas, client_for):
    client = client_for(personas.section_head)

    def numbers(query: str) -> set[str]:
        return set(numbers_in(client.get(reverse("ledger:case_list") + "?" + query).content.decode()))

    assert numbers("overdue=true") == {ledger.overdue.number}
    assert numbers("stale=true") == {ledger.overdue.number}
    assert numbers("q=运动员") == {ledger.overdue.number}
    assert numbers(f"unit={personas.clerk_b.unit_id}") == {ledger.other.number}
    assert numbers("due_within=120") == {ledger.fresh.number, ledger.other.number}
    assert numbers("status=resolved") == set()


def test_the_ledger_list_sorts_by_a_clicked_column(ledger, personas, client_for):
    html = (
        client_for(personas.section_head)
        .get(reverse("ledger:case_list") + "?ordering=number")
        .content.decode()
    )
    assert numbers_in(html) == sorted([ledger.overdue.number, ledger.fresh.number, ledger.other.number])
    assert "?ordering=-number" in html


def test_the_ledger_list_links_to_the_excel_export_with_the_current_filters(ledger, personas, client_for):
    html = (
        client_for(personas.section_head).get(reverse("ledger:case_list") + "?overdue=true").content.decode()
    )
    assert 'href="/ledger/export/?overdue=true"' in html


def test_a_handler_sees_only_the_cases_of_their_units(ledger, personas, client_for):
    html = client_for(personas.handler_a).get(reverse("ledger:case_list")).content.decode()
    assert set(numbers_in(html)) == {ledger.overdue.number, ledger.fresh.number}
    assert 'id="bulk-form"' not in html


def test_the_ledger_list_takes_a_fixed_number_of_queries(
    ledger, personas, client_for, django_assert_max_num_queries
):
    client = client_for(personas.section_head)
    # 16 for the page, and the menu's work-queue counts: one COUNT per queue of a section head (4) and the subtree
    # ids they share
    with django_assert_max_num_queries(21):
        client.get(reverse("ledger:case_list"))


def test_the_ledger_page_with_its_filters_and_bulk_form_gives_every_element_its_own_id(
    ledger, personas, client_for
):
    html = client_for(personas.section_head).get(reverse("ledger:case_list")).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', html)

    assert sorted(name for name in set(ids) if ids.count(name) > 1) == []
    assert {"bulk-form", "id_owner", "id_bulk_owner"} <= set(ids)
    assert 'for="id_bulk_owner"' in html


def test_the_ledger_offers_leaders_by_name_and_unit_in_one_query_and_refuses_one_out_of_line(
    ledger, tree, personas, make_user, client_for, django_assert_num_queries
):
    head_a = make_user(tree.county_a, [Role.SECTION_HEAD], "head_a")
    own_leader = make_user(tree.county_a, [Role.LEADER], "leader_a", full_name="王区长")
    far_leader = make_user(tree.county_b, [Role.LEADER], "leader_b", full_name="陈县长")
    request = RequestFactory().get(reverse("ledger:case_list"))
    request.user = User.objects.select_related("unit").get(pk=head_a.pk)
    filters = KeyCaseFilter(data={}, queryset=ledger_rows(request.user), request=request)

    with django_assert_num_queries(1):
        box = str(filters.form["owner"])

    leaders = [(str(p.pk), f"{p.full_name}（{p.unit.name}）") for p in leaders_for_case_owner(head_a)]
    assert [(value, label) for value, label, _ in select_options(box, "owner")] == [
        ("", "---------"),
        *leaders,
    ]
    assert (str(own_leader.pk), "王区长（城关区）") in leaders
    assert str(far_leader.pk) not in dict(leaders)

    page = client_for(head_a).get(reverse("ledger:case_list"), {"owner": far_leader.pk}).content.decode()
    owner_field = page[page.index('<label for="id_owner">') :].split("</div></div>")[0]
    assert 'aria-invalid="true"' in owner_field
    assert "选择一个有效的选项" in owner_field


# --- bulk actions -----------------------------------------------------------------------------------------


def test_bulk_assign_changes_the_responsible_unit_of_every_ticked_case(ledger, tree, personas, client_for):
    response = client_for(personas.section_head).post(
        reverse("ledger:case_bulk"),
        {
            "action": "assign",
            "cases": [ledger.overdue.pk, ledger.fresh.pk],
            "responsible_unit": tree.township_a.pk,
        },
    )
    assert response.status_code == 302
    units = set(
        KeyCase.objects.filter(pk__in=[ledger.overdue.pk, ledger.fresh.pk]).values_list(
            "responsible_unit", flat=True
        )
    )
    assert units == {tree.township_a.pk}


def test_bulk_set_deadline_changes_nothing_when_one_case_is_refused(ledger, personas, client_for):
    progress_add(
        actor=personas.handler_a,
        case_id=ledger.fresh.pk,
        reported_on=TODAY,
        done="补缴方案已落实。",
        status_after=CaseStatus.RESOLVED,
    )
    response = client_for(personas.section_head).post(
        reverse("ledger:case_bulk"),
        {"action": "deadline", "cases": [ledger.overdue.pk, ledger.fresh.pk], "resolve_by": "2026-09-30"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "“已化解”的台账不能调整化解时限" in html
    assert "所选台账均未修改" in html
    ledger.overdue.refresh_from_db()
    assert ledger.overdue.resolve_by == date(2026, 3, 1)
    assert 'value="2026-09-30"' in html  # typed input kept


def test_bulk_refuses_a_case_outside_the_users_scope(ledger, personas, client_for, tree):
    head_a = User.objects.create(
        username="head_a", full_name="区科长", unit=tree.county_a, roles=[Role.SECTION_HEAD]
    )
    response = client_for(head_a).post(
        reverse("ledger:case_bulk"),
        {"action": "deadline", "cases": [ledger.other.pk], "resolve_by": "2026-09-30"},
    )
    assert response.status_code == 400
    assert "所选台账不在您的范围内" in response.content.decode()
    ledger.other.refresh_from_db()
    assert ledger.other.resolve_by == date(2026, 6, 30)


def test_bulk_deadline_without_a_date_is_refused_at_the_field(ledger, personas, client_for):
    response = client_for(personas.section_head).post(
        reverse("ledger:case_bulk"), {"action": "deadline", "cases": [ledger.fresh.pk]}
    )
    assert response.status_code == 400
    assert "请填写新的化解时限" in response.content.decode()


# --- new case ---------------------------------------------------------------------------------------------


def _case_post(tree: Tree, personas: Personas, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "企业改制职工安置问题",
        "group_concerned": "改制企业职工",
        "source": Source.HIGHER_REFERRAL,
        "head_count": "35",
        "risk_level": RiskLevel.MEDIUM,
        "problem": "改制企业职工要求补发经济补偿金。",
        "owner": personas.leader.pk,
        "responsible_unit": tree.county_a_department.pk,
        "measures": "核查改制档案，分类提出处理意见。",
        "opened_on": "2026-03-10",
        "resolve_by": "2026-05-31",
        "items": "",
    }
    data.update(overrides)
    return data


def test_the_new_case_form_renders_for_a_section_head_only(ledger, personas, client_for):
    response = client_for(personas.section_head).get(reverse("ledger:case_create"))
    assert response.status_code == 200
    assert 'data-searchable="true"' in response.content.decode()
    assert client_for(personas.leader).get(reverse("ledger:case_create")).status_code == 403


def test_the_new_case_form_puts_the_case_on_the_ledger_with_linked_items(frozen, tree, personas, client_for):
    item = item_register(actor=personas.clerk_a, data=intake_input(received_on=TODAY, registered_on=TODAY))
    response = client_for(personas.section_head).post(
        reverse("ledger:case_create"), _case_post(tree, personas, items=item.number)
    )
    assert response.status_code == 302
    case = KeyCase.objects.get(title="企业改制职工安置问题")
    assert list(case.items.all()) == [item]
    assert case.owner == personas.leader
    assert case.resolve_by == date(2026, 5, 31)
    detail = client_for(personas.section_head).get(response["Location"]).content.decode()
    assert reverse("petitions:item_detail", args=[item.pk]) in detail


def test_the_new_case_form_shows_a_chinese_error_at_the_deadline_and_keeps_the_typed_input(
    frozen, tree, personas, client_for
):
    response = client_for(personas.section_head).post(
        reverse("ledger:case_create"), _case_post(tree, personas, resolve_by="2026-03-01")
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('data-testid="error-resolve_by"') :][:200]
    assert "化解时限应晚于列入台账日期" in error
    assert 'value="企业改制职工安置问题"' in html
    assert "改制企业职工要求补发经济补偿金。" in html
    assert not KeyCase.objects.exists()


def test_the_new_case_form_refuses_an_unknown_item_number_at_the_field(frozen, tree, personas, client_for):
    response = client_for(personas.section_head).post(
        reverse("ledger:case_create"), _case_post(tree, personas, items="XF2026-999999")
    )
    assert response.status_code == 400
    assert "未找到以下信访事项" in response.content.decode()
    assert not KeyCase.objects.exists()


# --- case page --------------------------------------------------------------------------------------------


def test_a_case_outside_the_users_units_is_404(ledger, personas, client_for):
    assert (
        client_for(personas.handler_a).get(reverse("ledger:case_detail", args=[ledger.other.pk])).status_code
        == 404
    )
    response = client_for(personas.handler_a).post(
        reverse("ledger:case_action", args=[ledger.other.pk, "progress"]), {"progress-done": "x"}
    )
    assert response.status_code == 404


def test_the_case_page_shows_all_fields_and_the_days_left(ledger, personas, client_for):
    html = (
        client_for(personas.leader)
        .get(reverse("ledger:case_detail", args=[ledger.fresh.pk]))
        .content.decode()
    )
    for text in (
        "民办教师待遇问题",
        "民办教师",
        "120",
        "城关区住房和城乡建设局",
        "2026-06-30",
        "剩112日",
        "逐人核实教龄",
    ):
        assert text in html


def test_reporting_progress_moves_the_status_and_the_timeline_lists_newest_first(
    ledger, personas, client_for
):
    client = client_for(personas.handler_a)
    url = reverse("ledger:case_action", args=[ledger.fresh.pk, "progress"])
    client.post(
        url,
        {
            "progress-reported_on": "2026-03-09",
            "progress-done": "第一次走访。",
            "progress-status_after": "unresolved",
            "progress-version": ledger.fresh.version,
        },
    )
    ledger.fresh.refresh_from_db()
    response = client.post(
        url,
        {
            "progress-reported_on": "2026-03-10",
            "progress-done": "召开协调会。",
            "progress-next_step": "测算补缴金额。",
            "progress-status_after": "resolving",
            "progress-version": ledger.fresh.version,
        },
    )
    assert response.status_code == 302
    ledger.fresh.refresh_from_db()
    assert ledger.fresh.status == CaseStatus.RESOLVING
    assert ledger.fresh.last_progress_on == TODAY
    html = client.get(reverse("ledger:case_detail", args=[ledger.fresh.pk])).content.decode()
    assert html.index("召开协调会。") < html.index("第一次走访。")


def test_a_progress_report_without_content_is_refused_in_chinese_and_keeps_the_next_step(
    ledger, personas, client_for
):
    response = client_for(personas.handler_a).post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "progress"]),
        {
            "progress-reported_on": "2026-03-10",
            "progress-done": "",
            "progress-next_step": "下周再访。",
            "progress-status_after": "unresolved",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "该字段是必填项" in html[html.index('data-testid="error-progress-done"') :][:120]
    assert "下周再访。" in html


def test_a_correction_is_shown_against_the_report_it_corrects(ledger, personas, client_for):
    report = progress_add(
        actor=personas.handler_a, case_id=ledger.fresh.pk, reported_on=TODAY, done="走访12人。"
    )
    client = client_for(personas.handler_a)
    page = client.get(
        reverse("ledger:case_detail", args=[ledger.fresh.pk]) + f"?correct={report.pk}"
    ).content.decode()
    assert 'data-testid="correct-form"' in page
    assert f'value="{report.pk}"' in page
    response = client.post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "correct"]),
        {
            "correct-corrects": report.pk,
            "correct-reported_on": "2026-03-10",
            "correct-done": "走访21人（更正人数）。",
            "correct-status_after": "unresolved",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.done == "走访12人。"  # never edited
    html = client.get(reverse("ledger:case_detail", args=[ledger.fresh.pk])).content.decode()
    assert "更正 2026-03-10 的进展" in html
    assert "已更正" in html


def test_the_responsible_unit_requests_strike_off_and_the_section_head_approves(ledger, personas, client_for):
    progress_add(
        actor=personas.handler_a,
        case_id=ledger.fresh.pk,
        reported_on=TODAY,
        done="已落实。",
        status_after=CaseStatus.RESOLVED,
    )
    handler = client_for(personas.handler_a)
    page = handler.get(reverse("ledger:case_detail", args=[ledger.fresh.pk])).content.decode()
    assert 'data-action="strike_off_request"' in page
    response = handler.post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "strike_off_request"]),
        {"strike_off_request-on": "2026-03-10", "strike_off_request-reason": "群众签字确认息诉罢访。"},
    )
    assert response.status_code == 302
    head = client_for(personas.section_head)
    page = head.get(reverse("ledger:case_detail", args=[ledger.fresh.pk])).content.decode()
    assert 'data-action="strike_off_decide"' in page
    assert "群众签字确认息诉罢访。" in page
    response = head.post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "strike_off_decide"]),
        {"strike_off_decide-approve": "yes", "strike_off_decide-on": "2026-03-10"},
    )
    assert response.status_code == 302
    ledger.fresh.refresh_from_db()
    assert ledger.fresh.status == CaseStatus.STRUCK_OFF


def test_refusing_a_strike_off_needs_a_note_and_a_new_deadline(ledger, personas, client_for):
    progress_add(
        actor=personas.handler_a,
        case_id=ledger.fresh.pk,
        reported_on=TODAY,
        done="已落实。",
        status_after=CaseStatus.RESOLVED,
    )
    client_for(personas.handler_a).post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "strike_off_request"]),
        {"strike_off_request-on": "2026-03-10", "strike_off_request-reason": "已化解。"},
    )
    head = client_for(personas.section_head)
    url = reverse("ledger:case_action", args=[ledger.fresh.pk, "strike_off_decide"])
    response = head.post(
        url,
        {
            "strike_off_decide-approve": "no",
            "strike_off_decide-on": "2026-03-10",
            "strike_off_decide-new_resolve_by": "2026-04-30",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "此项为必填项" in html[html.index('data-testid="error-strike_off_decide-note"') :][:200]
    assert 'value="2026-04-30"' in html
    response = head.post(
        url,
        {
            "strike_off_decide-approve": "no",
            "strike_off_decide-on": "2026-03-10",
            "strike_off_decide-note": "仍有3人未签字。",
        },
    )
    assert response.status_code == 400
    assert "退回时请指定晚于今天的新化解时限" in response.content.decode()
    response = head.post(
        url,
        {
            "strike_off_decide-approve": "no",
            "strike_off_decide-on": "2026-03-10",
            "strike_off_decide-note": "仍有3人未签字。",
            "strike_off_decide-new_resolve_by": "2026-04-30",
        },
    )
    assert response.status_code == 302
    ledger.fresh.refresh_from_db()
    assert ledger.fresh.status == CaseStatus.RESOLVING
    assert ledger.fresh.resolve_by == date(2026, 4, 30)
    assert ledger.fresh.strike_off_requests.get().state == StrikeOffState.REFUSED


def test_only_the_section_head_gets_edit_reassign_and_deadline_actions(ledger, personas, client_for):
    head_page = (
        client_for(personas.section_head)
        .get(reverse("ledger:case_detail", args=[ledger.fresh.pk]))
        .content.decode()
    )
    handler_page = (
        client_for(personas.handler_a)
        .get(reverse("ledger:case_detail", args=[ledger.fresh.pk]))
        .content.decode()
    )
    for action in ("edit", "assign", "deadline"):
        assert f'data-action="{action}"' in head_page
        assert f'data-action="{action}"' not in handler_page
    response = client_for(personas.handler_a).post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "deadline"]),
        {"deadline-resolve_by": "2026-09-30"},
    )
    assert response.status_code == 400
    assert "只有台账管理单位的科室负责人" in response.content.decode()


def test_the_section_head_reassigns_and_reschedules_from_the_case_page(ledger, tree, personas, client_for):
    head = client_for(personas.section_head)
    response = head.post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "assign"]),
        {
            "assign-owner": personas.leader.pk,
            "assign-responsible_unit": tree.township_a.pk,
            "assign-version": ledger.fresh.version,
        },
    )
    assert response.status_code == 302
    ledger.fresh.refresh_from_db()
    response = head.post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "deadline"]),
        {
            "deadline-resolve_by": "2026-08-31",
            "deadline-reason": "方案调整",
            "deadline-version": ledger.fresh.version,
        },
    )
    assert response.status_code == 302
    ledger.fresh.refresh_from_db()
    assert ledger.fresh.responsible_unit == tree.township_a
    assert ledger.fresh.resolve_by == date(2026, 8, 31)


def test_a_stale_edit_is_refused_with_a_chinese_conflict_message(ledger, personas, client_for):
    response = client_for(personas.section_head).post(
        reverse("ledger:case_action", args=[ledger.fresh.pk, "edit"]),
        {
            "edit-version": ledger.fresh.version - 1 if ledger.fresh.version > 1 else 99,
            "edit-title": "新标题",
            "edit-source": Source.OTHER,
            "edit-head_count": "1",
            "edit-risk_level": RiskLevel.LOW,
            "edit-problem": "概况",
            "edit-measures": "措施",
        },
    )
    assert response.status_code == 400
    assert "该台账已被他人修改" in response.content.decode()


def test_linking_items_by_number_from_the_case_page_only_finds_items_the_user_can_see(
    ledger, personas, client_for
):
    item = item_register(actor=personas.clerk_a, data=intake_input(received_on=TODAY, registered_on=TODAY))
    url = reverse("ledger:case_action", args=[ledger.fresh.pk, "link"])
    refused = client_for(personas.handler_a).post(url, {"link-numbers": item.number})
    assert refused.status_code == 400
    assert "未找到以下信访事项（或不在本单位范围）" in refused.content.decode()
    response = client_for(personas.section_head).post(url, {"link-numbers": item.number.lower()})
    assert response.status_code == 302
    assert list(ledger.fresh.items.all()) == [item]


# --- leader's page ----------------------------------------------------------------------------------------


def test_the_leader_page_lists_owned_cases_overdue_due_soon_and_stuck(ledger, tree, personas, client_for):
    keycase_create(
        actor=personas.section_head,
        data=case_input(tree, personas, title="三十日内到期", resolve_by=date(2026, 3, 25)),
    )
    html = client_for(personas.leader).get(reverse("ledger:my_cases")).content.decode()

    def section(testid: str) -> str:
        return html[html.index(f'data-testid="{testid}"') :].split("</table>")[0]

    assert ledger.overdue.number in section("overdue-cases")
    assert ledger.fresh.number not in section("overdue-cases")
    assert "三十日内到期" in section("due-soon-cases")
    assert ledger.overdue.number not in section("due-soon-cases")
    assert ledger.overdue.number in section("stuck-cases")
    assert ledger.fresh.number not in section("stuck-cases")


def test_the_leader_page_is_for_leaders_only(ledger, personas, client_for):
    assert client_for(personas.section_head).get(reverse("ledger:my_cases")).status_code == 403


# --- screening --------------------------------------------------------------------------------------------


@pytest.fixture
def round_(frozen: None, tree: Tree) -> object:
    [weekly] = [r for r in screening_rounds_open(today=TODAY) if r.frequency == "weekly"]
    return weekly


def test_the_round_list_shows_counts_and_the_units_pending_reports(round_, tree, personas, client_for):
    html = client_for(personas.clerk_a).get(reverse("ledger:round_list")).content.decode()
    assert 'data-testid="pending-panel"' in html
    assert "排查报告 · 每周" in html
    assert client_for(personas.system_admin).get(reverse("ledger:round_list")).status_code == 403


def test_a_unit_files_a_zero_report_and_the_round_page_lists_it_as_filed(round_, tree, personas, client_for):
    report = ScreeningReport.objects.get(round=round_, unit=tree.county_a)
    client = client_for(personas.clerk_a)
    page = client.get(reverse("ledger:report_file", args=[report.pk]))
    assert page.status_code == 200
    assert 'data-testid="report-form"' in page.content.decode()
    response = client.post(
        reverse("ledger:report_file", args=[report.pk]),
        {
            "is_zero": "on",
            "summary": "本周未发现矛盾纠纷。",
            "findings-TOTAL_FORMS": "0",
            "findings-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.FILED
    assert report.is_zero
    html = (
        client_for(personas.section_head)
        .get(reverse("ledger:round_detail", args=[round_.pk]))
        .content.decode()
    )
    filed = html[html.index('data-testid="filed-units"') :].split("</section>")[0]
    missing = html[html.index('data-testid="missing-units"') :].split("</section>")[0]
    assert "城关区" in filed
    assert "零报告" in filed
    assert "青山县" in missing
    assert "城关区</a>" not in missing


def test_a_report_with_findings_rows_is_filed_from_the_page(round_, tree, personas, client_for):
    report = ScreeningReport.objects.get(round=round_, unit=tree.county_a)
    response = client_for(personas.clerk_a).post(
        reverse("ledger:report_file", args=[report.pk]),
        {
            "summary": "",
            "findings-TOTAL_FORMS": "2",
            "findings-INITIAL_FORMS": "0",
            "findings-0-description": "某小区业主与物业公司因维修基金发生纠纷。",
            "findings-0-focus_area": "property",
            "findings-0-risk_level": "medium",
            "findings-0-head_count": "40",
            "findings-1-description": "删除的行",
            "findings-1-DELETE": "on",
        },
    )
    assert response.status_code == 302
    assert list(Finding.objects.values_list("description", flat=True)) == [
        "某小区业主与物业公司因维修基金发生纠纷。"
    ]


def test_a_report_with_neither_zero_nor_findings_is_refused_in_chinese_keeping_the_summary(
    round_, tree, personas, client_for
):
    report = ScreeningReport.objects.get(round=round_, unit=tree.county_a)
    response = client_for(personas.clerk_a).post(
        reverse("ledger:report_file", args=[report.pk]),
        {"summary": "排查了三个社区。", "findings-TOTAL_FORMS": "0", "findings-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写排查发现，或选择零报告" in html
    assert "排查了三个社区。" in html
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


def test_a_finding_row_error_is_shown_in_its_row(round_, tree, personas, client_for):
    report = ScreeningReport.objects.get(round=round_, unit=tree.county_a)
    response = client_for(personas.clerk_a).post(
        reverse("ledger:report_file", args=[report.pk]),
        {
            "findings-TOTAL_FORMS": "1",
            "findings-INITIAL_FORMS": "0",
            "findings-0-description": "拖欠工资",
            "findings-0-focus_area": "wages",
            "findings-0-risk_level": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-findings-0-risk_level"' in html
    assert 'value="拖欠工资"' not in html
    assert "拖欠工资" in html


def test_a_report_of_another_units_subtree_is_404(round_, tree, personas, client_for):
    report = ScreeningReport.objects.get(round=round_, unit=tree.county_a)
    assert (
        client_for(personas.clerk_b).get(reverse("ledger:report_file", args=[report.pk])).status_code == 404
    )


def test_a_finding_is_promoted_to_a_key_case_from_a_prefilled_form(round_, tree, personas, client_for):
    report = ScreeningReport.objects.get(round=round_, unit=tree.county_a)
    screening_report_file(
        actor=personas.clerk_a,
        report_id=report.pk,
        data=ReportInput(
            is_zero=False,
            findings=[
                FindingInput(
                    description="征地补偿款分配不均引发群体纠纷。",
                    focus_area="land",
                    risk_level="high",
                    head_count=60,
                    measures="逐户核对补偿清单。",
                )
            ],
        ),
    )
    finding = Finding.objects.get()
    head = client_for(personas.section_head)
    listing = head.get(reverse("ledger:finding_list")).content.decode()
    assert reverse("ledger:finding_promote", args=[finding.pk]) in listing
    form = head.get(reverse("ledger:finding_promote", args=[finding.pk])).content.decode()
    assert "征地补偿款分配不均引发群体纠纷。" in form
    assert 'value="60"' in form
    assert "逐户核对补偿清单。" in form
    response = head.post(
        reverse("ledger:finding_promote", args=[finding.pk]),
        _case_post(tree, personas, problem=finding.description, title="征地补偿纠纷", source=""),
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.promoted_case is not None
    assert finding.promoted_case.source == Source.SCREENING
    assert (
        client_for(personas.clerk_a).get(reverse("ledger:finding_promote", args=[finding.pk])).status_code
        == 403
    )


# --- sensitive periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["system_admin", "clerk_a", "leader"])
def test_the_period_list_renders_for_business_roles_and_the_system_admin(frozen, personas, client_for, role):
    assert client_for(getattr(personas, role)).get(reverse("ledger:period_list")).status_code == 200


def test_a_section_head_defines_a_period_covering_chosen_units(frozen, tree, personas, client_for):
    client = client_for(personas.section_head)
    assert client.get(reverse("ledger:period_create")).status_code == 200
    response = client.post(
        reverse("ledger:period_create"),
        {
            "name": "全国两会",
            "starts_on": "2026-03-10",
            "ends_on": "2026-03-15",
            "units": [tree.county_a.pk],
            "note": "每日17时前报送。",
        },
    )
    assert response.status_code == 302
    period = SensitivePeriod.objects.get()
    assert list(period.units.all()) == [tree.county_a]
    assert DailyReport.objects.filter(period=period, unit=tree.township_a, day=TODAY).exists()
    assert client_for(personas.clerk_a).get(reverse("ledger:period_create")).status_code == 403


def test_a_period_ending_before_it_starts_is_refused_at_the_field_keeping_the_name(
    frozen, tree, personas, client_for
):
    response = client_for(personas.section_head).post(
        reverse("ledger:period_create"),
        {"name": "国庆", "starts_on": "2026-03-12", "ends_on": "2026-03-11", "units": [tree.county_a.pk]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "结束日期不能早于开始日期" in html[html.index('data-testid="error-ends_on"') :][:120]
    assert 'value="国庆"' in html


def test_a_period_is_ended_early_from_its_page(frozen, tree, personas, client_for):
    period = sensitive_period_create(
        actor=personas.section_head,
        name="清明",
        starts_on=TODAY,
        ends_on=date(2026, 3, 20),
        unit_ids=[tree.county_a.pk],
    )
    client = client_for(personas.section_head)
    assert (
        'data-testid="end-early"'
        in client.get(reverse("ledger:period_detail", args=[period.pk])).content.decode()
    )
    response = client.post(reverse("ledger:period_end", args=[period.pk]), {"on": "2026-03-12"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.ends_on == date(2026, 3, 12)


def test_a_unit_files_its_daily_report_from_the_pending_panel(frozen, tree, personas, client_for):
    period = sensitive_period_create(
        actor=personas.section_head,
        name="两会",
        starts_on=TODAY,
        ends_on=date(2026, 3, 15),
        unit_ids=[tree.county_a.pk],
    )
    report = DailyReport.objects.get(period=period, unit=tree.county_a, day=TODAY)
    client = client_for(personas.clerk_a)
    listing = client.get(reverse("ledger:period_list")).content.decode()
    assert reverse("ledger:daily_file", args=[report.pk]) in listing
    refused = client.post(reverse("ledger:daily_file", args=[report.pk]), {"content": ""})
    assert refused.status_code == 400
    assert "此项为必填项" in refused.content.decode()
    response = client.post(reverse("ledger:daily_file", args=[report.pk]), {"is_zero": "on"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.FILED
    assert report.is_zero
    assert client_for(personas.clerk_b).get(reverse("ledger:daily_file", args=[report.pk])).status_code == 404


# --- menu -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("section_head", {"重点台账", "矛盾排查", "敏感时期"}, {"我包案的"}),
        ("leader", {"重点台账", "我包案的", "矛盾排查", "敏感时期"}, set()),
        ("clerk_a", {"矛盾排查", "敏感时期"}, {"重点台账", "我包案的"}),
        ("system_admin", {"敏感时期"}, {"重点台账", "我包案的", "矛盾排查"}),
    ],
)
def test_the_menu_shows_the_ledger_entries_by_role(frozen, personas, client_for, role, shown, hidden):
    client: Client = client_for(getattr(personas, role))
    nav = client.get(reverse("core:home")).content.decode()
    nav = nav[nav.index('data-testid="main-nav"') :].split("</nav>")[0]
    assert all(label in nav for label in shown)
    assert not any(label in nav for label in hidden)


def test_the_bulk_forms_boxes_read_each_list_once_and_label_units_and_people(
    ledger, personas, django_assert_num_queries
):
    head = personas.section_head
    form = BulkForm(user=head, case_ids=[ledger.overdue.pk])
    with django_assert_num_queries(1):
        unit_boxes = {name: str(form[name]) for name in ("responsible_unit", "stabilizing_unit")}
    units = Unit.objects.filter(path__startswith=head.unit.path, is_active=True).order_by("path")
    indented = [("", "---------")] + [(str(unit.pk), "　" * (unit.depth - 1) + unit.name) for unit in units]
    for name, html in unit_boxes.items():
        assert [(value, label) for value, label, _ in select_options(html, name)] == indented
    people = [
        (str(person.pk), f"{person.full_name}（{person.unit.name}）") for person in people_for_cases(head)
    ]
    offered = select_options(str(form["responsible_person"]), "responsible_person")
    assert [(value, label) for value, label, _ in offered] == [("", "---------"), *people]
    assert str(personas.system_admin.pk) not in [value for value, _, _ in offered]
