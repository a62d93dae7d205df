"""The content categories, and a loader of them and the petition deadline rules for databases flushed after migrate."""

from __future__ import annotations

from typing import Any

from accountability.rules import rules_load
from petitions.deadline_rules import RULES

# (code, name, children): the national first level with a sensible second level.
CATEGORY_TREE: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "01",
        "城乡建设",
        [
            ("0101", "征收拆迁"),
            ("0102", "住房保障"),
            ("0103", "物业管理"),
            ("0104", "城市管理"),
            ("0105", "建筑质量"),
            ("0106", "房地产市场"),
        ],
    ),
    (
        "02",
        "农村农业",
        [
            ("0201", "土地承包"),
            ("0202", "农村集体资产"),
            ("0203", "惠农补贴"),
            ("0204", "农村基础设施"),
            ("0205", "村务管理"),
        ],
    ),
    (
        "03",
        "劳动社保",
        [
            ("0301", "拖欠工资"),
            ("0302", "劳动关系"),
            ("0303", "社会保险"),
            ("0304", "养老待遇"),
            ("0305", "工伤认定"),
        ],
    ),
    (
        "04",
        "自然资源",
        [("0401", "土地征收"), ("0402", "土地权属"), ("0403", "矿产资源"), ("0404", "林权纠纷")],
    ),
    (
        "05",
        "生态环境",
        [("0501", "大气污染"), ("0502", "水污染"), ("0503", "噪声污染"), ("0504", "固废污染")],
    ),
    ("06", "政法", [("0601", "涉法涉诉"), ("0602", "治安管理"), ("0603", "司法行政")]),
    ("07", "纪检监察", [("0701", "违纪违法"), ("0702", "作风问题")]),
    (
        "08",
        "组织人事",
        [("0801", "干部人事"), ("0802", "工资待遇"), ("0803", "民办教师"), ("0804", "未分配大中专毕业生")],
    ),
    ("09", "民政", [("0901", "社会救助"), ("0902", "婚姻登记"), ("0903", "殡葬管理")]),
    ("10", "教育", [("1001", "招生入学"), ("1002", "教师待遇"), ("1003", "教育收费")]),
    ("11", "卫生健康", [("1101", "医疗纠纷"), ("1102", "医疗保障"), ("1103", "计划生育")]),
    ("12", "退役军人事务", [("1201", "安置就业"), ("1202", "优抚待遇"), ("1203", "军转干部")]),
    ("13", "文化体育", [("1301", "退役运动员"), ("1302", "文化市场")]),
    ("99", "其他", [("9901", "其他")]),
]

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def tree_step(position: int) -> str:
    """The 4-character materialised-path step of the `position`-th child (1-based), as django-treebeard writes it."""
    digits = ""
    while position:
        position, remainder = divmod(position, 36)
        digits = _ALPHABET[remainder] + digits
    return digits.rjust(4, "0")


def reference_data_load(DeadlineRule: Any, Category: Any) -> None:
    """Create or update the petition deadline rules; seed the category tree when it is empty (outside migrations)."""
    rules_load(DeadlineRule, RULES)
    if Category.objects.exists():
        return
    rows = []
    for index, (code, name, children) in enumerate(CATEGORY_TREE, start=1):
        root = tree_step(index)
        rows.append(Category(path=root, depth=1, numchild=len(children), code=code, name=name))
        for child_index, (child_code, child_name) in enumerate(children, start=1):
            rows.append(
                Category(
                    path=root + tree_step(child_index), depth=2, numchild=0, code=child_code, name=child_name
                )
            )
    Category.objects.bulk_create(rows)
