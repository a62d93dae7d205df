"""Stale edits of screening reports, findings, sensitive periods, daily reports and key-case steps: refused
above the form with what was typed kept (409 in the API), and nothing written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from core.choices import Role
from core.models import User
from ledger.models import DailyReport, Finding, KeyCase, ScreeningReport, SensitivePeriod
from ledger.services.keycases import keycase_create, keycase_update
from ledger.services.screening import (
    FindingInput,
    ReportInput,
    finding_promote,
    screening_report_file,
    screening_rounds_open,
)
from ledger.services.sensitive import daily_report_file, sensitive_period_create, sensitive_period_end
from petitions.services.intake import item_register
from tests.ledger.test_pages import _case_post, case_input
from tests.support.accounts import Personas, Tree
from tests.support.helpers import SHANGHAI
from tests.support.items import intake_input
from tests.versioning import bumped, in_form_error, nothing_written

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)  # a Tuesday
URL = "/api/v1/ledger/"
STALE_REPORT = "该排查报告已被他人修改，请刷新页面后重试。"
STALE_FINDING = "该排查发现已被他人修改，请刷新页面后重试。"
STALE_PERIOD = "该敏感时期已被他人修改，请刷新页面后重试。"
STALE_DAILY = "该日报已被他人修改，请刷新页面后重试。"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def colleague(tree: Tree, make_user: Callable[..., User]) -> User:
    """A second clerk of county A, who files the unit's reports too."""
    return make_user(tree.county_a, [Role.CLERK], "clerk_a2")


@pytest.fixture
def report(tree: Tree) -> ScreeningReport:
    [weekly] = [r for r in screening_rounds_open(today=TODAY) if r.frequency == "weekly"]
    return ScreeningReport.objects.get(round=weekly, unit=tree.county_a)


@pytest.fixture
def finding(report: ScreeningReport, personas: Personas) -> Finding:
    finding = FindingInput(
        description="征地补偿款分配不均引发群体纠纷。", focus_area="land", risk_level="high", head_count=60
    )
    screening_report_file(
        actor=personas.clerk_a, report_id=report.pk, data=ReportInput(is_zero=False, findings=[finding])
    )
    return Finding.objects.get()


@pytest.fixture
def period(tree: Tree, personas: Personas) -> SensitivePeriod:
    return sensitive_period_create(
        actor=personas.section_head,
        name="两会",
        starts_on=TODAY,
        ends_on=date(2026, 3, 15),
        unit_ids=[tree.county_a.pk],
    )


@pytest.fixture
def daily(period: SensitivePeriod, tree: Tree) -> DailyReport:
    return DailyReport.objects.get(period=period, unit=tree.county_a, day=TODAY)


def zero_report_post(summary: str, version: int) -> dict[str, str]:
    return {
        "is_zero": "on",
        "summary": summary,
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
        "version": str(version),
    }


def test_a_report_filed_by_a_colleague_meanwhile_refuses_the_page_and_keeps_the_summary(
    report, personas, colleague, client_for
):
    client = client_for(personas.clerk_a)
    assert (
        'name="version" value="1"'
        in client.get(reverse("ledger:report_file", args=[report.pk])).content.decode()
    )
    screening_report_file(actor=colleague, report_id=report.pk, data=ReportInput(is_zero=True))
    with nothing_written(report):
        response = client.post(
            reverse("ledger:report_file", args=[report.pk]), zero_report_post("本周平稳。", 1)
        )
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert in_form_error(html, STALE_REPORT)
    assert "本周平稳。" in html


def test_a_stale_report_filing_is_a_409_in_the_api(report, personas, colleague, api_for):
    api = api_for(personas.clerk_a)
    assert api.get(f"{URL}screening-reports/{report.pk}/").json()["version"] == 1
    screening_report_file(actor=colleague, report_id=report.pk, data=ReportInput(is_zero=True))
    with nothing_written(report):
        response = api.post(
            f"{URL}screening-reports/{report.pk}/file/", {"is_zero": True, "version": 1}, format="json"
        )
    assert response.status_code == 409
    assert response.json() == {"non_field_errors": [STALE_REPORT]}


def promote_by(actor: User, finding: Finding, tree: Tree, personas: Personas) -> KeyCase:
    data = case_input(tree, personas, title="征地补偿纠纷", problem=finding.description)
    return finding_promote(actor=actor, finding_id=finding.pk, data=data)


def test_a_finding_promoted_by_someone_else_meanwhile_refuses_the_page_and_keeps_the_form(
    finding, tree, personas, make_user, client_for
):
    client = client_for(personas.section_head)
    form = client.get(reverse("ledger:finding_promote", args=[finding.pk])).content.decode()
    assert 'name="version" value="1"' in form
    promote_by(make_user(tree.city, [Role.SECTION_HEAD], "head2"), finding, tree, personas)
    cases = KeyCase.objects.count()
    with nothing_written(finding):
        response = client.post(
            reverse("ledger:finding_promote", args=[finding.pk]),
            {**_case_post(tree, personas, title="我起的标题", source=""), "version": "1"},
        )
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert in_form_error(html, STALE_FINDING)
    assert 'value="我起的标题"' in html
    assert KeyCase.objects.count() == cases


def test_a_stale_promotion_is_a_409_in_the_api(finding, tree, personas, make_user, api_for):
    promote_by(make_user(tree.city, [Role.SECTION_HEAD], "head2"), finding, tree, personas)
    body = {
        "title": "征地补偿纠纷",
        "owner": personas.leader.pk,
        "responsible_unit": tree.county_a.pk,
        "resolve_by": "2026-05-31",
        "version": 1,
    }
    with nothing_written(finding):
        response = api_for(personas.section_head).post(
            f"{URL}findings/{finding.pk}/promote/", body, format="json"
        )
    assert response.status_code == 409
    assert response.json() == {"non_field_errors": [STALE_FINDING]}
    assert KeyCase.objects.count() == 1


def test_a_period_ended_by_someone_else_meanwhile_refuses_the_page_and_keeps_the_date(
    period, personas, make_user, tree, client_for
):
    client = client_for(personas.section_head)
    page = client.get(reverse("ledger:period_detail", args=[period.pk])).content.decode()
    assert 'name="version" value="1"' in page
    other = make_user(tree.city, [Role.SECTION_HEAD], "head2")
    sensitive_period_end(actor=other, period_id=period.pk, on=date(2026, 3, 13))
    with nothing_written(period):
        response = client.post(
            reverse("ledger:period_end", args=[period.pk]), {"on": "2026-03-11", "version": "1"}
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert in_form_error(html, STALE_PERIOD)
    assert 'value="2026-03-11"' in html


def test_a_stale_early_end_is_a_409_in_the_api(period, personas, api_for):
    sensitive_period_end(actor=personas.system_admin, period_id=period.pk, on=date(2026, 3, 13))
    with nothing_written(period):
        response = api_for(personas.section_head).post(
            f"{URL}sensitive-periods/{period.pk}/end/", {"on": "2026-03-11", "version": 1}, format="json"
        )
    assert response.status_code == 409
    assert response.json() == {"non_field_errors": [STALE_PERIOD]}


def test_a_daily_report_filed_by_a_colleague_meanwhile_refuses_the_page_and_keeps_the_text(
    daily, personas, colleague, client_for
):
    client = client_for(personas.clerk_a)
    assert (
        'name="version" value="1"'
        in client.get(reverse("ledger:daily_file", args=[daily.pk])).content.decode()
    )
    daily_report_file(actor=colleague, report_id=daily.pk, is_zero=True)
    with nothing_written(daily):
        response = client.post(
            reverse("ledger:daily_file", args=[daily.pk]),
            {"content": "辖区内一处工地欠薪聚集。", "version": "1"},
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert in_form_error(html, STALE_DAILY)
    assert "辖区内一处工地欠薪聚集。" in html


def test_a_stale_daily_report_is_a_409_in_the_api(daily, personas, colleague, api_for):
    daily_report_file(actor=colleague, report_id=daily.pk, is_zero=True)
    assert bumped(daily) == 2
    with nothing_written(daily):
        response = api_for(personas.clerk_a).post(
            f"{URL}daily-reports/{daily.pk}/file/", {"is_zero": True, "version": 1}, format="json"
        )
    assert response.status_code == 409
    assert response.json() == {"non_field_errors": [STALE_DAILY]}


def test_linking_items_from_a_stale_case_page_is_refused_and_keeps_the_numbers(tree, personas, client_for):
    case = keycase_create(actor=personas.section_head, data=case_input(tree, personas))
    item = item_register(actor=personas.clerk_a, data=intake_input(received_on=TODAY, registered_on=TODAY))
    client = client_for(personas.section_head)
    keycase_update(actor=personas.section_head, case_id=case.pk, changes={"measures": "每周面谈两次。"})
    with nothing_written(case):
        response = client.post(
            reverse("ledger:case_action", args=[case.pk, "link"]),
            {"link-numbers": item.number, "link-version": "1"},
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert in_form_error(html, "该台账已被他人修改，请刷新后重试。")
    assert f'value="{item.number}"' in html
    assert not case.items.exists()
