"""Demo items for 临江市: a few hundred visits and letters in every status, some overdue, made by the services."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.idcard import id_number_check_character
from core.models import Unit, User
from petitions.choices import (
    Channel,
    CloseReason,
    Marker,
    Outcome,
    Purpose,
    ReviewDecision,
    Route,
    Satisfaction,
    Status,
)
from petitions.models import Category, Item, ItemPetitioner
from petitions.services import lifecycle
from petitions.services.intake import IntakeInput, PetitionerInput, item_register
from petitions.services.particulars import Correction, item_petitioner_correct
from petitions.services.windows import items_close_lapsed_windows

ITEM_COUNT = 320
SEED = 20261122

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞建国志强海燕晓东建华春梅"
STREETS = [
    "解放路",
    "人民路",
    "建设路",
    "新华街",
    "青山大道",
    "滨江路",
    "北岸路",
    "东门街",
    "杨柳巷",
    "石桥村",
]

# (category code, purpose, summary, demand, markers)
MATTERS: list[tuple[str, str, str, str, list[str]]] = [
    (
        "0301",
        Purpose.DEMAND,
        "反映{place}某建筑工地拖欠农民工工资共计{money}万元，多次讨要未果。",
        "要求责令施工单位尽快支付拖欠的工资。",
        [],
    ),
    (
        "0101",
        Purpose.DEMAND,
        "反映{place}旧城改造项目征收补偿标准偏低，安置房迟迟未交付。",
        "要求提高补偿标准并按期交付安置房。",
        [Marker.LONG_STANDING],
    ),
    (
        "0103",
        Purpose.SUGGESTION,
        "反映{place}小区物业服务质量差，电梯经常停运，维修基金使用不透明。",
        "建议主管部门加强监管，公开维修基金使用情况。",
        [],
    ),
    (
        "0502",
        Purpose.DEMAND,
        "反映{place}附近一家企业夜间向河道排放污水，气味刺鼻。",
        "要求环保部门调查处理并恢复水质。",
        [],
    ),
    ("0503", Purpose.DEMAND, "反映{place}商铺夜间噪声扰民，影响休息。", "要求依法整治噪声污染。", []),
    (
        "0201",
        Purpose.DEMAND,
        "反映{place}村组调整土地承包经营权时未经村民会议讨论。",
        "要求依法纠正土地调整方案。",
        [],
    ),
    (
        "0803",
        Purpose.DEMAND,
        "原民办教师反映教龄补贴未按政策落实。",
        "要求按政策落实民办教师待遇。",
        [Marker.COLLECTIVE],
    ),
    (
        "0804",
        Purpose.DEMAND,
        "上世纪九十年代未分配大中专毕业生反映就业安置问题。",
        "要求落实相关安置政策。",
        [Marker.COLLECTIVE, Marker.LONG_STANDING],
    ),
    (
        "1301",
        Purpose.DEMAND,
        "退役运动员反映退役后安置待遇未落实。",
        "要求按政策解决安置待遇。",
        [Marker.SKIP_LEVEL],
    ),
    (
        "0401",
        Purpose.APPEAL,
        "反映{place}土地征收程序不规范，补偿款未足额发放。",
        "要求依法足额发放征地补偿款。",
        [],
    ),
    (
        "0601",
        Purpose.APPEAL,
        "对{place}一起民事案件判决不服，认为判决不公。",
        "要求重新审理。",
        [Marker.LITIGATION],
    ),
    ("0303", Purpose.INQUIRY, "咨询灵活就业人员养老保险补缴政策。", "请告知补缴条件和办理流程。", []),
    ("0702", Purpose.ACCUSATION, "举报{place}某村干部在低保评定中优亲厚友。", "要求调查处理。", []),
    (
        "1101",
        Purpose.DEMAND,
        "反映家属在{place}医院治疗期间发生医疗纠纷，协商未果。",
        "要求依法调处医疗纠纷。",
        [Marker.THREAT],
    ),
    ("1001", Purpose.SUGGESTION, "反映{place}学区划分不合理，孩子上学距离过远。", "建议调整学区划分。", []),
    (
        "0302",
        Purpose.DEMAND,
        "反映在{place}某公司工作五年未签劳动合同，被无故辞退。",
        "要求支付经济补偿金。",
        [],
    ),
]


def _fake_id(rng: random.Random, division: str) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))
    first17 = f"{division[:6]}{born:%Y%m%d}{rng.randrange(0, 999):03d}"
    return first17 + id_number_check_character(first17)


def _person(rng: random.Random, townships: list[Unit]) -> PetitionerInput:
    place = rng.choice(townships)
    return PetitionerInput(
        name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        id_number=_fake_id(rng, place.division_code),
        phone=f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
        division_code=place.division_code,
        address_detail=f"{rng.choice(STREETS)}{rng.randrange(1, 200)}号",
    )


def _on(start: date, rng: random.Random, low: int, high: int, today: date) -> date | None:
    """A step date some days after `start`, or None when it would be in the future (the item stops there)."""
    day = start + timedelta(days=rng.randint(low, high))
    return day if day <= today else None


def _advance(
    item: Item, rng: random.Random, people: dict[str, User], units: dict[str, Unit], today: date
) -> None:
    """Take the item as far along the life cycle as its dates and a dice roll allow."""
    clerk = people["clerk_cg"] if item.registered_unit.code == "CG" else people["clerk"]
    stop = rng.random()
    on = _on(item.received_on, rng, 1, 12, today)
    if on is None or stop < 0.06:
        return
    target = (
        units["CG-ZJ"]
        if clerk.unit.code == "CG"
        else rng.choice([units["CG-ZJ"], units["LJ-RS"], units["CG"]])
    )
    lifecycle.item_assign(actor=clerk, item_id=item.pk, unit_id=target.pk, on=on)
    handler, unit_head = {
        "CG-ZJ": (people["handler"], people["head_zj"]),
        "LJ-RS": (people["handler_rs"], people["head_rs"]),
        "CG": (people["head_cg"], people["head_cg"]),
    }[target.code]
    on2 = _on(on, rng, 1, 13, today)
    if on2 is None or stop < 0.12:
        return
    if Marker.LITIGATION in item.markers:
        lifecycle.item_reject(actor=handler, item_id=item.pk, on=on2, route=Route.LITIGATION)
        return
    lifecycle.item_accept(actor=handler, item_id=item.pk, on=on2)
    extended = rng.random() < 0.15
    ext_on = _on(on2, rng, 30, 50, today) if extended else None
    if extended and ext_on is not None:
        lifecycle.item_request_extension(
            actor=handler, item_id=item.pk, on=ext_on, days=30, reason="涉及多个部门，需联合调查核实"
        )
        lifecycle.item_extend(actor=unit_head, item_id=item.pk, on=ext_on)  # the unit's own head approves
    on3 = _on(ext_on, rng, 1, 45, today) if ext_on else _on(on2, rng, 20, 75, today)
    if on3 is None or stop < 0.35:
        return
    lifecycle.item_reply(
        actor=handler,
        item_id=item.pk,
        on=on3,
        outcome=rng.choice([Outcome.SUPPORTED, Outcome.SUPPORTED, Outcome.EXPLAINED, Outcome.NOT_SUPPORTED]),
        opinion="经调查核实，已责成相关单位依法依规处理，并将处理情况向信访人作了说明。",
    )
    evaluate_on = _on(on3, rng, 1, 10, today)
    evaluated_on = evaluate_on if evaluate_on is not None and rng.random() < 0.8 else None
    if evaluated_on is not None:
        lifecycle.item_evaluate(
            actor=clerk,
            item_id=item.pk,
            on=evaluated_on,
            satisfaction=rng.choice(
                [
                    Satisfaction.SATISFIED,
                    Satisfaction.SATISFIED,
                    Satisfaction.BASICALLY,
                    Satisfaction.DISSATISFIED,
                ]
            ),
        )
    on4 = _on(evaluated_on or on3, rng, 3, 18, today)  # inside the 30-day review window
    if on4 is None or stop < 0.6:
        return
    if stop < 0.85 or target.code != "CG-ZJ":
        lifecycle.item_close(actor=clerk, item_id=item.pk, on=on4, reason=CloseReason.ACCEPTED_REPLY)
        return
    lifecycle.item_request_review(actor=people["head_cg"], item_id=item.pk, on=on4)
    on5 = _on(on4, rng, 10, 28, today)
    if on5 is None:
        return
    lifecycle.item_review_decision(
        actor=people["head_cg"],
        item_id=item.pk,
        on=on5,
        decision=ReviewDecision.UPHELD,
        opinion="经复查，原处理意见认定事实清楚，予以维持。",
    )
    on6 = _on(on5, rng, 5, 25, today)
    if on6 is None or stop < 0.93:
        return
    lifecycle.item_request_recheck(actor=people["head"], item_id=item.pk, on=on6)
    on7 = _on(on6, rng, 10, 28, today)
    if on7 is None:
        return
    lifecycle.item_recheck_decision(
        actor=people["head"],
        item_id=item.pk,
        on=on7,
        decision=ReviewDecision.UPHELD,
        opinion="经复核，维持复查意见。",
    )


def _come_back_again(clerk: User, original: Item, returning: ItemPetitioner, on: date) -> None:
    """The same person about the same matter once more, as a repeat of the original (draws nothing from the rng)."""
    item_register(
        actor=clerk,
        data=IntakeInput(
            channel=Channel.VISIT,
            purpose=original.purpose,
            category_id=original.category_id,
            received_on=on,
            registered_on=on,
            summary=original.summary,
            demand=original.demand,
            petitioners=[
                PetitionerInput(
                    name=returning.name,
                    id_number=returning.id_number,
                    phone=returning.phone,
                    division_code=returning.address_division_id or "",
                    address_detail=returning.address_detail,
                )
            ],
            problem_division_code=original.problem_division_id or "",
            problem_address=original.problem_address,
            complained_unit_id=original.complained_unit_id,
            original_id=original.pk,
        ),
    )


def _same_person_at_two_counties(rng: random.Random, people: dict[str, User], today: date) -> None:
    """A 城关区 petitioner who also went to 青山县's window with a new phone, and a typo corrected there: each item
    keeps what was said at its own window, and 城关区 never sees 青山县's record (nor the other way round)."""
    first = (
        Item.objects.filter(registered_unit__code="CG", original__isnull=True)
        .exclude(item_petitioners__id_number="")
        .order_by("id")
        .first()
    )
    known = first.item_petitioners.order_by("position").first() if first is not None else None
    if first is None or known is None or "clerk_qs" not in people:
        return
    item = item_register(
        actor=people["clerk_qs"],
        data=IntakeInput(
            channel=Channel.VISIT,
            purpose=first.purpose,
            category_id=first.category_id,
            received_on=today,
            registered_on=today,
            summary="来青山县反映在城关区务工期间的工资纠纷，称当地迟迟未解决。",
            demand="请求协调城关区有关部门尽快处理。",
            petitioners=[
                PetitionerInput(name=known.name, id_number=known.id_number, phone="1390000" + "1234")
            ],
        ),
    )
    item_petitioner_correct(
        actor=people["clerk_qs"],
        item_id=item.pk,
        person_id=known.petitioner_id,
        change=Correction(phone=f"1390000{rng.randrange(1000, 9999)}"),
        expected_version=None,
    )


def _sent_back_for_rework(people: dict[str, User], today: date) -> None:
    """A 城关区住建局 reply its own head (head_zj) sent back for rework before delivery: the withdrawn 处理意见书
    keeps its number, and the item is back with the handler with its handling clock running as before."""
    item = (
        Item.objects.filter(
            responsible_unit__code="CG-ZJ",
            status=Status.ACCEPTED,
            accepted_on__lte=today - timedelta(days=10),
            extension_requests__isnull=True,
        )
        .order_by("accepted_on", "id")
        .first()
    )
    if item is None or item.accepted_on is None or "head_zj" not in people:
        return
    replied_on = min(today - timedelta(days=2), item.accepted_on + timedelta(days=8))
    lifecycle.item_reply(
        actor=people["handler"],
        item_id=item.pk,
        on=replied_on,
        outcome=Outcome.NOT_SUPPORTED,
        opinion="经核查，信访人反映的问题不属实，不予支持。",
    )
    lifecycle.item_rework(
        actor=people["head_zj"],
        item_id=item.pk,
        on=replied_on + timedelta(days=1),
        reason="处理意见未附现场核查记录，对信访人提出的第二项诉求未作回应，请补充调查后重新答复。",
    )


def _extension_waiting(people: dict[str, User], today: date) -> None:
    """A 城关区住建局 handler's extension request waiting for its own head (head_zj) on the 工作台."""
    item = (
        Item.objects.filter(
            responsible_unit__code="CG-ZJ",
            status=Status.ACCEPTED,
            accepted_on__lte=today - timedelta(days=20),
            obligation_due_on__gte=today,
            extension_requests__isnull=True,
        )
        .order_by("obligation_due_on", "id")
        .first()
    )
    if item is None:
        return
    lifecycle.item_request_extension(
        actor=people["handler"],
        item_id=item.pk,
        on=today,
        days=30,
        reason="涉及多个产权单位，需会同街道和物业公司联合调查核实。",
    )


def seed_demo(stdout: Any) -> None:
    """Register and advance ITEM_COUNT items over the last five months; skipped when items exist."""
    if Item.objects.exists():
        stdout.write("petitions: 演示信访事项已存在，跳过。")
        return
    rng = random.Random(SEED)  # noqa: S311 (repeatable demo data, not security)  # nosec B311
    today = timezone.localdate()
    people = {user.username: user for user in User.objects.select_related("unit")}
    units = {unit.code: unit for unit in Unit.objects.all()}
    townships = [
        unit for unit in units.values() if unit.level == 3 and unit.kind == "area" and unit.division_code
    ]
    categories = {category.code: category for category in Category.objects.all()}
    created: list[Item] = []
    for index in range(ITEM_COUNT):
        category_code, purpose, summary, demand, markers = rng.choice(MATTERS)
        place = rng.choice(townships)
        collective = Marker.COLLECTIVE in markers
        head_count = rng.randint(5, 30) if collective else rng.choice([1, 1, 1, 2, 3])
        petitioners = [_person(rng, townships) for _ in range(min(head_count, 3))]
        if collective:
            for person in petitioners:
                person.is_representative = True
        received = today - timedelta(days=int(150 * (1 - index / ITEM_COUNT)) + rng.randint(0, 3))
        clerk = people["clerk_cg"] if rng.random() < 0.5 else people["clerk"]
        channel = (
            Channel.VISIT
            if rng.random() < 0.7
            else rng.choice([Channel.PHONE, Channel.ONLINE, Channel.MAILBOX])
        )
        data = IntakeInput(
            channel=channel,
            purpose=purpose,
            category_id=categories[category_code].pk,
            received_on=received,
            registered_on=received,
            summary=summary.format(place=place.name, money=rng.randint(3, 80)),
            demand=demand,
            petitioners=petitioners,
            head_count=head_count,
            markers=list(markers),
            problem_division_code=place.division_code,
            problem_address=f"{rng.choice(STREETS)}{rng.randrange(1, 200)}号",
            complained_unit_id=units["CG-ZJ"].pk if category_code.startswith("01") else None,
        )
        with transaction.atomic():
            item = item_register(actor=clerk, data=data)
            _advance(item, rng, people, units, today)
        created.append(item)
    # A few repeats: the same people coming back about the same matter (the first few a third time, so the
    # 重信重访 register has rows with its default of 3 items).
    third_visits = 0
    for original in rng.sample(created, 12):
        original.refresh_from_db()
        returning = original.item_petitioners.first()
        if returning is None:
            continue
        again = min(today, original.received_on + timedelta(days=rng.randint(10, 40)))
        clerk = people["clerk_cg"] if original.registered_unit.code == "CG" else people["clerk"]
        _come_back_again(clerk, original, returning, again)
        if third_visits < 4:
            third_visits += 1
            _come_back_again(clerk, original, returning, min(today, again + timedelta(days=20)))
    _same_person_at_two_counties(rng, people, today)
    _sent_back_for_rework(people, today)
    closed = items_close_lapsed_windows(today=today)
    _extension_waiting(people, today)
    stdout.write(
        f"petitions: 已创建 {Item.objects.count()} 件演示信访事项（{closed} 件复查/复核期届满办结）。"
    )
