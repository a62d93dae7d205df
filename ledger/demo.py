"""Demo ledger: key cases like the ones section heads keep, with owners and progress, and past screening rounds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accountability.choices import SupervisionGround, SupervisionMethod
from accountability.services.deadlines import Subject
from accountability.services.supervision import circular_issue, supervision_issue
from core.models import Unit, User
from ledger.choices import KEYCASE_SUBJECT, CaseStatus, FocusArea, ReportState, RiskLevel, Source
from ledger.models import KeyCase, ScreeningReport
from ledger.services.keycases import (
    KeyCaseInput,
    keycase_create,
    progress_add,
    strike_off_decide,
    strike_off_request,
)
from ledger.services.screening import FindingInput, ReportInput, screening_report_file, screening_rounds_open
from ledger.services.sensitive import sensitive_period_create
from petitions.choices import ITEM_SUBJECT, OPEN_STATUSES
from petitions.models import Item

SEED = 20261123
PAST_WEEKS = 6


@dataclass(frozen=True)
class CaseSeed:
    """One demo key case: what it is, who owns it, where it stands."""

    title: str
    group: str
    problem: str
    measures: str
    source: str
    risk: str
    head_count: int
    owner: str
    office: str
    unit: str
    person: str | None
    stabilizing: str | None
    opened_days_ago: int
    resolve_in_days: int
    path: tuple[str, ...]
    item_words: str


CASES = [
    CaseSeed(
        "原民办教师要求落实教龄补贴",
        "民办教师",
        "全市约180名原民办教师反映退出教师岗位后教龄补贴未按政策落实，多次集体到市信访局反映。",
        "市教育局牵头逐人核实教龄，按省定标准分类测算补贴；对已享受待遇人员做好政策解释。",
        Source.PROVINCIAL_LEADER,
        RiskLevel.HIGH,
        180,
        "leader",
        "head",
        "LJ-JY",
        None,
        "CG",
        120,
        -12,
        ("resolving", "stabilized", "stabilized"),
        "民办教师",
    ),
    CaseSeed(
        "退役运动员要求安置待遇",
        "退役运动员",
        "二十世纪八九十年代退役的一批运动员要求按现行政策落实安置和社保待遇。",
        "市人社局、体育部门联合梳理历史档案，按政策接续社保；对生活困难人员落实临时救助。",
        Source.CITY_LEADER,
        RiskLevel.MEDIUM,
        36,
        "leader",
        "head",
        "LJ-RS",
        "handler_rs",
        None,
        90,
        25,
        ("resolving", "resolving"),
        "退役运动员",
    ),
    CaseSeed(
        "未分配大中专毕业生要求安排工作",
        "未分配大中专毕业生",
        "上世纪九十年代未分配的大中专毕业生要求安排工作或给予补偿。",
        "按省里统一政策口径做好解释，对符合条件的人员纳入公益性岗位和就业援助。",
        Source.HIGHER_REFERRAL,
        RiskLevel.MEDIUM,
        64,
        "leader",
        "head",
        "LJ-RS",
        None,
        None,
        75,
        40,
        ("resolving",),
        "未分配大中专毕业生",
    ),
    CaseSeed(
        "白沙镇征地补偿款发放争议",
        "被征地农民",
        "白沙镇一村组被征地农民反映征地补偿款分配方案不公、部分款项未发放到户。",
        "县自然资源局核查补偿标准和分配方案，镇政府公开账目，对未发放部分限期发放到户。",
        Source.SCREENING,
        RiskLevel.HIGH,
        42,
        "leader_qs",
        "head",
        "QS-ZR",
        None,
        "QS-BS",
        60,
        -5,
        ("resolving",),
        "征地",
    ),
    CaseSeed(
        "城南建筑工地拖欠农民工工资",
        "农民工",
        "城关区一建筑工地约60名农民工反映被拖欠工资共计210万元。",
        "区人社局约谈总包单位，启动工资保证金，属地街道做好稳控；春节前全部兑付。",
        Source.ESCALATED_ITEM,
        RiskLevel.HIGH,
        60,
        "leader",
        "head_cg",
        "CG-RS",
        None,
        "CG-NH",
        50,
        20,
        ("resolving", "resolved", "struck_off"),
        "拖欠",
    ),
    CaseSeed(
        "老旧小区加装电梯费用分摊纠纷",
        "小区业主",
        "东门街道一老旧小区加装电梯，低层住户与高层住户就费用分摊和采光影响争执不下。",
        "街道牵头组织业主协商，住建部门出具技术意见，必要时引入人民调解。",
        Source.OTHER,
        RiskLevel.LOW,
        24,
        "leader",
        "head_cg",
        "CG-ZJ",
        "handler",
        "CG-DM",
        30,
        45,
        ("resolving", "resolved"),
        "电梯",
    ),
]

DONE = {
    "resolving": ("召开专题协调会，明确责任分工和化解方案。", "逐人摸底核实，形成分类处置清单。"),
    "stabilized": ("主要诉求已答复，群体情绪平稳，落实包保稳控措施。", "继续跟踪，防止反复。"),
    "resolved": ("诉求已依法依规解决，当事人签字确认。", "按程序申请销号。"),
}

FINDINGS = [
    ("村民反映土地流转租金未按期支付", FocusArea.LAND, RiskLevel.MEDIUM, "部分村民与流转大户"),
    ("某小区物业服务纠纷，业主拒交物业费", FocusArea.PROPERTY, RiskLevel.LOW, "小区业主与物业公司"),
    ("企业停产后职工工资和社保欠缴", FocusArea.WAGES, RiskLevel.HIGH, "企业职工约40人"),
    ("河道采砂引发邻村纠纷", FocusArea.ENVIRONMENT, RiskLevel.MEDIUM, "两村村民"),
]


def _seed_case(seed: CaseSeed, people: dict[str, User], units: dict[str, Unit], today: date) -> KeyCase:
    opened_on = today - timedelta(days=seed.opened_days_ago)
    office_head = people[seed.office]
    items = (
        Item.objects.filter(summary__contains=seed.item_words).order_by("id").values_list("id", flat=True)[:3]
    )
    case = keycase_create(
        actor=office_head,
        data=KeyCaseInput(
            title=seed.title,
            problem=seed.problem,
            source=seed.source,
            risk_level=seed.risk,
            owner_id=people[seed.owner].pk,
            responsible_unit_id=units[seed.unit].pk,
            responsible_person_id=people[seed.person].pk if seed.person else None,
            stabilizing_unit_id=units[seed.stabilizing].pk if seed.stabilizing else None,
            measures=seed.measures,
            resolve_by=today + timedelta(days=seed.resolve_in_days),
            opened_on=opened_on,
            group_concerned=seed.group,
            head_count=seed.head_count,
            item_ids=[item for item in items if office_head.unit.contains(_unit_of(item))],
        ),
    )
    step = max(1, seed.opened_days_ago // (len(seed.path) + 1))
    reported_on = opened_on
    for status in seed.path:
        reported_on = min(today, reported_on + timedelta(days=step))
        if status == "struck_off":
            strike_off_request(
                actor=office_head, case_id=case.pk, on=reported_on, reason="工资已全部兑付，农民工签字确认。"
            )
            # Someone other than the requester decides: the section head of the office above.
            strike_off_decide(
                actor=people["head"], case_id=case.pk, approve=True, on=reported_on, note="同意销号。"
            )
            continue
        done, next_step = DONE[status]
        progress_add(
            actor=office_head,
            case_id=case.pk,
            reported_on=reported_on,
            done=done,
            next_step=next_step,
            status_after=status,
        )
    return case


def _unit_of(item_id: int) -> Unit:
    return Item.objects.select_related("registered_unit").get(pk=item_id).registered_unit


def _seed_rounds(people: dict[str, User], today: date, rng: random.Random) -> int:
    """Past weekly and half-monthly rounds; most units filed on time (entered as received), a few late or missing."""
    head = people["head"]
    filed = 0
    for weeks_back in range(PAST_WEEKS, 0, -1):
        for round_ in screening_rounds_open(today=today - timedelta(weeks=weeks_back)):
            for report in ScreeningReport.objects.filter(
                round=round_, state=ReportState.PENDING
            ).select_related("unit"):
                chance = rng.random()
                if report.unit_id == head.unit_id:
                    # The city office's own report: filed by its own staff, so as of today (late).
                    screening_report_file(actor=head, report_id=report.pk, data=ReportInput(is_zero=True))
                    filed += 1
                    continue
                if chance < 0.08 or not head.unit.is_above(report.unit):
                    continue  # never filed: shows as missing and overdue
                received_on = round_.period_start + timedelta(days=1 if chance < 0.9 else 5)
                finding = rng.random() < 0.2
                text, area, risk, parties = rng.choice(FINDINGS)
                screening_report_file(
                    actor=head,
                    report_id=report.pk,
                    received_on=min(received_on, today),
                    data=ReportInput(
                        is_zero=not finding,
                        summary="本轮已完成辖区矛盾纠纷排查。",
                        findings=[
                            FindingInput(
                                description=text,
                                focus_area=area,
                                risk_level=risk,
                                parties=parties,
                                location=report.unit.name,
                                head_count=rng.randint(3, 40),
                                measures="属地包保，定期回访。",
                            )
                        ]
                        if finding
                        else [],
                    ),
                )
                filed += 1
    screening_rounds_open(today=today)  # the current round, still open for filing
    return filed


def _seed_supervision(people: dict[str, User], cases: list[KeyCase], today: date) -> int:
    """The supervisor's work in hand: a 督办单 on the oldest overdue item of 城关区住建局 and one on an open key case,
    a strike-off waiting for the city office's decision, and a 通报 of the last 30 days."""
    supervisor = people["supervisor"]
    issued = 0
    overdue = (
        Item.objects.filter(
            responsible_unit__code="CG-ZJ", status__in=OPEN_STATUSES, obligation_due_on__lt=today
        )
        .order_by("obligation_due_on", "id")
        .first()
    )
    if overdue is not None:
        supervision_issue(
            actor=supervisor,
            unit=overdue.responsible_unit,  # type: ignore[arg-type]
            ground=SupervisionGround.NOT_CLOSED_ON_TIME,
            method=SupervisionMethod.WRITTEN,
            requirement="该件已超期，请于5个工作日内办结并书面报告办理结果。",
            issued_on=today,
            subject=Subject(ITEM_SUBJECT, overdue.pk),
        )
        issued += 1
    seeded = KeyCase.objects.filter(pk__in=[case.pk for case in cases]).order_by("id")
    open_cases = list(seeded.exclude(status__in=[CaseStatus.STRUCK_OFF, CaseStatus.RESOLVED]))
    if open_cases:
        case = open_cases[0]
        supervision_issue(
            actor=supervisor,
            unit=case.responsible_unit,
            ground=SupervisionGround.EVASION,
            method=SupervisionMethod.TALK,
            requirement="化解措施推进缓慢，请包案领导牵头会商，本周内报送化解计划。",
            issued_on=today,
            subject=Subject(KEYCASE_SUBJECT, case.pk),
        )
        issued += 1
    for waiting in seeded.filter(status=CaseStatus.RESOLVED)[:1]:
        strike_off_request(
            actor=min(
                (user for user in people.values() if user.unit_id == waiting.responsible_unit_id),
                key=lambda user: user.username,
            ),
            case_id=waiting.pk,
            on=today,
            reason="问题已按政策解决，当事人书面承诺息诉罢访。",
        )
    circular_issue(actor=supervisor, start=today - timedelta(days=30), end=today, title="近30日信访工作通报")
    return issued


def seed_demo(stdout: Any) -> None:
    """Key cases, past screening rounds and an upcoming sensitive period; skipped when cases exist."""
    if KeyCase.objects.exists():
        stdout.write("ledger: 演示台账已存在，跳过。")
        return
    rng = random.Random(SEED)  # noqa: S311 (repeatable demo data, not security)  # nosec B311
    today = timezone.localdate()
    people = {user.username: user for user in User.objects.select_related("unit")}
    units = {unit.code: unit for unit in Unit.objects.all()}
    with transaction.atomic():
        cases = [_seed_case(seed, people, units, today) for seed in CASES]
        filed = _seed_rounds(people, today, rng)
        new_year = date(today.year + 1, 1, 1)
        if new_year - timedelta(days=2) > today:
            sensitive_period_create(
                actor=people["head"],
                name=f"{new_year.year}年元旦",
                starts_on=new_year - timedelta(days=2),
                ends_on=new_year + timedelta(days=2),
                unit_ids=[units["LJ"].pk],
                note="节日期间各单位每日17时前报送日报，无情况的报零报告。",
            )
        orders = _seed_supervision(people, cases, today)
    open_cases = KeyCase.objects.exclude(status=CaseStatus.STRUCK_OFF).count()
    stdout.write(
        f"ledger: 已创建 {len(cases)} 件重点信访问题（{open_cases} 件在办）、{filed} 份排查报告、"
        f"{orders} 份人工督办单、1 份通报。"
    )
