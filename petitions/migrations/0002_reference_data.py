"""The petition deadline rules and the seeded category tree, as they were when this migration was written.

The data is frozen here on purpose: this migration imports nothing from the project, so editing
petitions/deadline_rules.py or petitions/seed_data.py later never changes what it writes. A later change to a
rule is a new migration (docs/development/changing-a-rule.md).
"""

from django.db import migrations

# The DeadlineRule rows (accountability_deadlinerule), one dict per kind.
RULES = [
    {
        "kind": "petition.routing",
        "label": "转送交办",
        "days": 15,
        "day_unit": "calendar",
        "roll_forward": True,
        "is_obligation": True,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 3,
        "article": "《信访工作条例》第二十二条",
    },
    {
        "kind": "petition.acceptance",
        "label": "受理告知",
        "days": 15,
        "day_unit": "calendar",
        "roll_forward": True,
        "is_obligation": True,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 3,
        "article": "《信访工作条例》第二十三条",
    },
    {
        "kind": "petition.objection",
        "label": "退回异议期",
        "days": 5,
        "day_unit": "working",
        "roll_forward": True,
        "is_obligation": False,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 1,
        "article": "《信访工作条例》第二十三条",
    },
    {
        "kind": "petition.handling",
        "label": "办理答复",
        "days": 60,
        "day_unit": "calendar",
        "roll_forward": True,
        "is_obligation": True,
        "max_extensions": 1,
        "max_extension_days": 30,
        "warn_days_before": 10,
        "article": "《信访工作条例》第三十四条",
    },
    {
        "kind": "petition.review_window",
        "label": "申请复查期",
        "days": 30,
        "day_unit": "calendar",
        "roll_forward": True,
        "is_obligation": False,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 0,
        "article": "《信访工作条例》第三十五条",
    },
    {
        "kind": "petition.review",
        "label": "复查",
        "days": 30,
        "day_unit": "calendar",
        "roll_forward": True,
        "is_obligation": True,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 5,
        "article": "《信访工作条例》第三十五条",
    },
    {
        "kind": "petition.recheck_window",
        "label": "申请复核期",
        "days": 30,
        "day_unit": "calendar",
        "roll_forward": True,
        "is_obligation": False,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 0,
        "article": "《信访工作条例》第三十六条",
    },
    {
        "kind": "petition.recheck",
        "label": "复核",
        "days": 30,
        "day_unit": "calendar",
        "roll_forward": True,
        "is_obligation": True,
        "max_extensions": 0,
        "max_extension_days": 0,
        "warn_days_before": 5,
        "article": "《信访工作条例》第三十六条",
    },
]

# (code, name, children): the national first level with a sensible second level.
CATEGORY_TREE = [
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
        [
            ("0401", "土地征收"),
            ("0402", "土地权属"),
            ("0403", "矿产资源"),
            ("0404", "林权纠纷"),
        ],
    ),
    (
        "05",
        "生态环境",
        [
            ("0501", "大气污染"),
            ("0502", "水污染"),
            ("0503", "噪声污染"),
            ("0504", "固废污染"),
        ],
    ),
    (
        "06",
        "政法",
        [
            ("0601", "涉法涉诉"),
            ("0602", "治安管理"),
            ("0603", "司法行政"),
        ],
    ),
    (
        "07",
        "纪检监察",
        [
            ("0701", "违纪违法"),
            ("0702", "作风问题"),
        ],
    ),
    (
        "08",
        "组织人事",
        [
            ("0801", "干部人事"),
            ("0802", "工资待遇"),
            ("0803", "民办教师"),
            ("0804", "未分配大中专毕业生"),
        ],
    ),
    (
        "09",
        "民政",
        [
            ("0901", "社会救助"),
            ("0902", "婚姻登记"),
            ("0903", "殡葬管理"),
        ],
    ),
    (
        "10",
        "教育",
        [
            ("1001", "招生入学"),
            ("1002", "教师待遇"),
            ("1003", "教育收费"),
        ],
    ),
    (
        "11",
        "卫生健康",
        [
            ("1101", "医疗纠纷"),
            ("1102", "医疗保障"),
            ("1103", "计划生育"),
        ],
    ),
    (
        "12",
        "退役军人事务",
        [
            ("1201", "安置就业"),
            ("1202", "优抚待遇"),
            ("1203", "军转干部"),
        ],
    ),
    (
        "13",
        "文化体育",
        [
            ("1301", "退役运动员"),
            ("1302", "文化市场"),
        ],
    ),
    (
        "99",
        "其他",
        [
            ("9901", "其他"),
        ],
    ),
]

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def tree_step(position):
    """The 4-character materialised-path step of the `position`-th child (1-based), as django-treebeard writes it."""
    digits = ""
    while position:
        position, remainder = divmod(position, 36)
        digits = _ALPHABET[remainder] + digits
    return digits.rjust(4, "0")


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("accountability", "DeadlineRule")
    Category = apps.get_model("petitions", "Category")
    for rule in RULES:
        values = dict(rule)
        DeadlineRule.objects.update_or_create(kind=values.pop("kind"), defaults=values)
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


def unseed(apps, schema_editor):
    apps.get_model("petitions", "Category").objects.all().delete()
    apps.get_model("accountability", "DeadlineRule").objects.filter(kind__startswith="petition.").delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial"), ("accountability", "0001_initial")]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
