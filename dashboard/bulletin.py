"""The weekly bulletin (每周通报): which week it covers, generating and freezing it, and its tables as read.

Generated every Monday for the week just ended, for every unit that has sub-units. The numbers are computed once
(dashboard.selectors.bulletin_compute) and stored; the page and the Excel download both lay them out through
`bulletin_tables`, so they always show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import LadderStep
from core.audit.record import audit_record
from core.errors import DomainError
from core.models import Unit, User
from dashboard.models import WeeklyBulletin
from dashboard.selectors import bulletin_compute, bulletin_units_missing, bulletin_user_may_generate
from ledger.choices import CaseStatus, RiskLevel


def bulletin_week_before(today: date) -> tuple[date, date]:
    """The Monday and Sunday of the last full week before `today`."""
    start = today - timedelta(days=today.weekday() + 7)
    return start, start + timedelta(days=6)


def bulletin_number(unit: Unit, week_start: date) -> str:
    """ZB<ISO year>-W<ISO week>-<unit code>, e.g. ZB2026-W10-LJ."""
    iso_year, iso_week, _weekday = week_start.isocalendar()
    return f"ZB{iso_year}-W{iso_week:02d}-{unit.code}"


def bulletins_generate(
    *,
    actor: User | None,
    week_start: date | None = None,
    root: Unit | None = None,
    today: date | None = None,
) -> list[WeeklyBulletin]:
    """Freeze the bulletins of a finished week that do not exist yet; returns those created.

    `actor=None` is the Monday task (every unit with sub-units, or those under `root`); a leader or supervisor
    generates those of their own subtree. Idempotent: one bulletin per (unit, week) by a unique key, so a rerun,
    a second worker or a click after the task adds nothing.
    """
    today = today or timezone.localdate()
    if actor is not None:
        if not bulletin_user_may_generate(actor):
            raise DomainError(_("只有领导和督查人员可以生成每周通报。"), code="forbidden")
        root = actor.unit
    if week_start is None:
        start, end = bulletin_week_before(today)
    else:
        if week_start.weekday() != 0:
            raise DomainError(_("通报周应从星期一开始。"), field="week_start")
        start, end = week_start, week_start + timedelta(days=6)
    if end >= today:
        raise DomainError(_("该周尚未结束，不能生成通报。"), field="week_start")
    created = []
    for unit in bulletin_units_missing(week_start=start, root=root):
        data = bulletin_compute(unit=unit, start=start, end=end)
        with transaction.atomic():
            bulletin, made = WeeklyBulletin.objects.get_or_create(
                unit=unit,
                week_start=start,
                defaults={
                    "week_end": end,
                    "number": bulletin_number(unit, start),
                    "generated_by": actor,
                    "data": data,
                },
            )
            if made:
                audit_record(
                    actor=actor,
                    action="dashboard.bulletin.generated",
                    target=bulletin,
                    detail={"unit": unit.pk, "week": [start.isoformat(), end.isoformat()]},
                )
                created.append(bulletin)
    return created


@dataclass(frozen=True)
class Cell:
    """One number or text of a table; a count of items links to the item list that shows them."""

    value: int | str
    url: str = ""


@dataclass(frozen=True)
class Row:
    """A table line: a sub-unit, the unit itself (本级) or the total (合计)."""

    cells: list[Cell]
    kind: str = "unit"


@dataclass(frozen=True)
class Table:
    """One table of the bulletin, as the page and the Excel sheet show it."""

    key: str
    title: str
    header: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)


def _item_list_url(area_id: int, **filters: str) -> str:
    return reverse("petitions:item_list") + "?" + urlencode({"area": area_id, **filters})


def _unit_rows(
    section: dict[str, Any],
    groups: list[dict[str, Any]],
    root_id: int,
    columns: Sequence[tuple[str, dict[str, str] | None]],
) -> list[Row]:
    """One row per group plus the total; a column with filters links each count to the item list.

    The unit's own row (本级) has no link: the item list's 属地 filter always takes the whole subtree.
    """
    names = {group["id"]: group for group in groups}
    rows = []
    for entry in section["rows"]:
        group = names[entry["unit_id"]]
        own = group["own"]
        cells = [Cell(_("本级（%(name)s）") % {"name": group["name"]} if own else group["name"])]
        for column, filters in columns:
            url = "" if own or filters is None else _item_list_url(group["id"], **filters)
            cells.append(Cell(entry[column], url))
        rows.append(Row(cells, "own" if own else "unit"))
    total = [Cell(_("合计"))]
    for column, filters in columns:
        total.append(
            Cell(section["total"][column], "" if filters is None else _item_list_url(root_id, **filters))
        )
    rows.append(Row(total, "total"))
    return rows


def bulletin_summary(bulletin: WeeklyBulletin) -> str:
    """The opening paragraph: the week's totals in one sentence."""
    data = bulletin.data
    items, overdue = data["items"]["total"], data["overdue"]["total"]
    ladder, cases = data["escalations"]["total"], data["key_cases"]["total"]
    return _(
        "本周新收信访事项%(new)s件次、%(new_people)s人次，办结%(closed)s件次、%(closed_people)s人次；"
        "周末超期事项%(overdue_items)s件，超期未完成时限%(clocks)s个（本周新超期%(clocks_new)s个）；"
        "重点信访问题台账新列入%(cases_new)s件、报送进展%(cases_reported)s件；"
        "发出督办单%(orders)s份。"
    ) % {
        "new": items["new_count"],
        "new_people": items["new_people"],
        "closed": items["closed_count"],
        "closed_people": items["closed_people"],
        "overdue_items": overdue["items_overdue"],
        "clocks": overdue["clocks_overdue"],
        "clocks_new": overdue["clocks_new"],
        "cases_new": cases["cases_new"],
        "cases_reported": cases["cases_reported"],
        "orders": ladder["orders_issued"],
    }


def _case_changes(case: dict[str, Any]) -> str:
    parts = []
    if case["is_new"]:
        parts.append(_("新列入台账"))
    if case["reports"]:
        parts.append(_("报送进展%(count)s次") % {"count": case["reports"]})
    if case["moves"]:
        parts.append(_("状态变化%(count)s次") % {"count": case["moves"]})
    return "、".join(parts)


def bulletin_tables(bulletin: WeeklyBulletin) -> list[Table]:
    """The bulletin's tables in reading order, with the item-list link of every count of items."""
    data = bulletin.data
    groups, root_id = data["groups"], data["unit"]["id"]
    start, end = data["week"]["start"], data["week"]["end"]
    received = {"received_after": start, "received_before": end}
    closed = {"closed_after": start, "closed_before": end}
    rounds = "；".join(
        _("%(label)s %(start)s 至 %(end)s")
        % {"label": entry["label"], "start": entry["period_start"], "end": entry["period_end"]}
        for entry in data["screening"]["rounds"]
    )
    cases = data["key_cases"]
    case_rows = [
        Row(
            [
                Cell(case["number"]),
                Cell(case["title"]),
                Cell(case["responsible_unit"]),
                Cell(case["owner"]),
                Cell(str(CaseStatus(case["status"]).label)),
                Cell(str(RiskLevel(case["risk_level"]).label)),
                Cell(_case_changes(case)),
            ],
            "case",
        )
        for case in cases["cases"]
    ]
    case_notes = []
    if len(cases["cases"]) >= cases["limit"]:
        case_notes.append(_("仅列出前%(limit)s件。") % {"limit": cases["limit"]})
    return [
        Table(
            "items",
            _("一、信访事项收办情况"),
            [_("单位"), _("新收件次"), _("新收人次"), _("办结件次"), _("办结人次")],
            _unit_rows(
                data["items"],
                groups,
                root_id,
                [
                    ("new_count", received),
                    ("new_people", None),
                    ("closed_count", closed),
                    ("closed_people", None),
                ],
            ),
            [
                _("按属地统计：已确定责任单位的计入责任单位，尚未转送交办的计入登记单位。"),
            ],
        ),
        Table(
            "overdue",
            _("二、超期情况（截至周末）"),
            [_("单位"), _("超期事项（件）"), _("超期未完成时限（个）"), _("其中本周新超期（个）")],
            _unit_rows(
                data["overdue"],
                groups,
                root_id,
                [("items_overdue", {"overdue": "true"}), ("clocks_overdue", None), ("clocks_new", None)],
            ),
            [
                _("时限按责任单位统计，含信访事项、台账化解、排查报告、日报和督办答复等全部责任时限。"),
                _("超期事项的链接按当天情况列出，与生成当日一致。"),
            ],
        ),
        Table(
            "key_cases",
            _("三、重点信访问题台账变化"),
            [_("单位"), _("新列入台账"), _("报送进展"), _("化解状态变化")],
            _unit_rows(
                cases,
                groups,
                root_id,
                [("cases_new", None), ("cases_reported", None), ("cases_moved", None)],
            ),
            [_("按台账责任单位统计。")],
        ),
        Table(
            "key_case_list",
            _("本周有变化的重点信访问题"),
            [
                _("台账编号"),
                _("问题名称"),
                _("责任单位"),
                _("包案领导"),
                _("化解状态"),
                _("风险等级"),
                _("本周变化"),
            ],
            case_rows,
            case_notes,
        ),
        Table(
            "screening",
            _("四、矛盾纠纷排查报送情况"),
            [_("单位"), _("应报"), _("按时报送"), _("逾期报送"), _("未报送")],
            _unit_rows(
                data["screening"],
                groups,
                root_id,
                [
                    ("reports_due", None),
                    ("reports_on_time", None),
                    ("reports_late", None),
                    ("reports_missing", None),
                ],
            ),
            [_("本周开始的排查轮次：%(rounds)s。") % {"rounds": rounds or _("无")}],
        ),
        Table(
            "escalations",
            _("五、预警升级与督办"),
            [_("单位"), *[str(label) for label in LadderStep.labels], _("督办单")],
            _unit_rows(
                data["escalations"],
                groups,
                root_id,
                [(step, None) for step in LadderStep.values] + [("orders_issued", None)],
            ),
            [_("预警升级按触发日期、督办单按督办日期计入本周。")],
        ),
    ]
