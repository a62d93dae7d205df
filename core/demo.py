"""Demo data for core: the fictional city of 临江市 with its counties, townships, departments and accounts."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.auth.twofactor import second_factor_required
from core.choices import DivisionLevel, Role, UnitKind, UnitLevel
from core.models import Division, Unit, User
from core.runtime.devrun import DEMO_OTP_SECRET, DEMO_PASSWORD
from core.services.divisions import division_add
from core.services.twofactor import otp_device_bootstrap
from core.services.units import unit_create
from core.services.users import user_create, user_roles_bootstrap

ROOT_CODE = "LJ"

# (code, name, kind, level, division code, children)
UnitSpec = tuple[str, str, str, int, str, list[Any]]

A, D = UnitKind.AREA, UnitKind.DEPARTMENT
CITY, COUNTY, TOWN, VILLAGE = UnitLevel.CITY, UnitLevel.COUNTY, UnitLevel.TOWNSHIP, UnitLevel.VILLAGE

CITY_TREE: UnitSpec = (
    "LJ",
    "临江市",
    A,
    CITY,
    "990000",
    [
        ("LJ-RS", "临江市人力资源和社会保障局", D, CITY, "", []),
        ("LJ-ZJ", "临江市住房和城乡建设局", D, CITY, "", []),
        ("LJ-ZR", "临江市自然资源和规划局", D, CITY, "", []),
        ("LJ-JY", "临江市教育局", D, CITY, "", []),
        ("LJ-GA", "临江市公安局", D, CITY, "", []),
        ("LJ-ST", "临江市生态环境局", D, CITY, "", []),
        ("LJ-MZ", "临江市民政局", D, CITY, "", []),
        ("LJ-WJ", "临江市卫生健康委员会", D, CITY, "", []),
        ("LJ-TY", "临江市退役军人事务局", D, CITY, "", []),
        ("LJ-NY", "临江市农业农村局", D, CITY, "", []),
        (
            "CG",
            "城关区",
            A,
            COUNTY,
            "990102",
            [
                ("CG-ZJ", "城关区住房和城乡建设局", D, COUNTY, "", []),
                ("CG-RS", "城关区人力资源和社会保障局", D, COUNTY, "", []),
                ("CG-ZF", "城关区征收与补偿办公室", D, COUNTY, "", []),
                (
                    "CG-DM",
                    "东门街道",
                    A,
                    TOWN,
                    "990102001",
                    [
                        ("CG-DM-JF", "解放路社区", A, VILLAGE, "990102001001", []),
                        ("CG-DM-XH", "新华社区", A, VILLAGE, "990102001002", []),
                    ],
                ),
                (
                    "CG-XM",
                    "西门街道",
                    A,
                    TOWN,
                    "990102002",
                    [
                        ("CG-XM-GL", "鼓楼社区", A, VILLAGE, "990102002001", []),
                    ],
                ),
                ("CG-NH", "南湖街道", A, TOWN, "990102003", []),
            ],
        ),
        (
            "JB",
            "江北区",
            A,
            COUNTY,
            "990105",
            [
                ("JB-ZJ", "江北区住房和城乡建设局", D, COUNTY, "", []),
                ("JB-BA", "北岸街道", A, TOWN, "990105001", []),
                (
                    "JB-XG",
                    "新港镇",
                    A,
                    TOWN,
                    "990105101",
                    [
                        ("JB-XG-HK", "海口村", A, VILLAGE, "990105101201", []),
                    ],
                ),
            ],
        ),
        (
            "QS",
            "青山县",
            A,
            COUNTY,
            "990121",
            [
                ("QS-RS", "青山县人力资源和社会保障局", D, COUNTY, "", []),
                ("QS-ZR", "青山县自然资源局", D, COUNTY, "", []),
                ("QS-JY", "青山县教育局", D, COUNTY, "", []),
                (
                    "QS-QS",
                    "青山镇",
                    A,
                    TOWN,
                    "990121100",
                    [
                        ("QS-QS-YL", "杨柳村", A, VILLAGE, "990121100201", []),
                        ("QS-QS-QS", "青山村", A, VILLAGE, "990121100202", []),
                    ],
                ),
                (
                    "QS-SQ",
                    "石桥乡",
                    A,
                    TOWN,
                    "990121200",
                    [
                        ("QS-SQ-SQ", "石桥村", A, VILLAGE, "990121200201", []),
                    ],
                ),
                ("QS-BS", "白沙镇", A, TOWN, "990121101", []),
            ],
        ),
        (
            "YX",
            "云溪县",
            A,
            COUNTY,
            "990122",
            [
                ("YX-NY", "云溪县农业农村局", D, COUNTY, "", []),
                ("YX-YX", "云溪镇", A, TOWN, "990122100", []),
                ("YX-LT", "龙潭乡", A, TOWN, "990122200", []),
            ],
        ),
    ],
)

# (username, full name, unit code, title, roles)
ACCOUNTS = [
    ("clerk", "王芳", "LJ", "临江市信访局接访科科员", [Role.CLERK]),
    ("clerk_cg", "李娜", "CG", "城关区信访局接访股科员", [Role.CLERK]),
    ("clerk_qs", "赵磊", "QS", "青山县信访局接访股科员", [Role.CLERK]),
    ("handler", "陈静", "CG-ZJ", "城关区住建局信访办科员", [Role.HANDLER]),
    ("handler_rs", "刘洋", "LJ-RS", "临江市人社局信访科科员", [Role.HANDLER]),
    ("handler_qs", "孙强", "QS-RS", "青山县人社局科员", [Role.HANDLER]),
    ("head", "张伟", "LJ", "临江市信访局办信科科长", [Role.SECTION_HEAD]),
    ("head_cg", "周敏", "CG", "城关区信访局办信股股长", [Role.SECTION_HEAD]),
    ("head_zj", "钱慧", "CG-ZJ", "城关区住建局信访办主任", [Role.SECTION_HEAD]),
    ("head_rs", "徐斌", "LJ-RS", "临江市人社局信访科科长", [Role.SECTION_HEAD]),
    ("leader", "黄建国", "LJ", "临江市副市长", [Role.LEADER]),
    ("leader_qs", "吴志强", "QS", "青山县副县长", [Role.LEADER]),
    ("supervisor", "郑丽", "LJ", "临江市信访局督查室主任", [Role.SUPERVISOR]),
    ("sysadmin", "何军", "LJ", "临江市信访局信息科", [Role.SYSTEM_ADMIN]),
    ("secadmin", "马超", "LJ", "临江市信访局信息科", [Role.SECURITY_ADMIN]),
    ("auditor", "林雪", "LJ", "临江市信访局办公室", [Role.AUDIT_ADMIN]),
]


def _create_tree(spec: UnitSpec, parent_id: int | None) -> None:
    code, name, kind, level, division_code, children = spec
    unit = unit_create(
        actor=None,
        parent_id=parent_id,
        code=code,
        name=name,
        kind=kind,
        level=level,
        division_code=division_code,
    )
    for child in children:
        _create_tree(child, unit.pk)


# The demo city acts like a 直辖市: its counties hang directly under it, without a 地级 level.
DIVISION_LEVELS: dict[int, int] = {
    CITY: DivisionLevel.PROVINCE,
    COUNTY: DivisionLevel.COUNTY,
    TOWN: DivisionLevel.TOWNSHIP,
}


def _demo_divisions(spec: UnitSpec, parent_code: str | None) -> list[tuple[str, str, int, str | None]]:
    """(code, name, level, parent code) of the areas in CITY_TREE down to townships, parents first."""
    _code, name, kind, level, division_code, children = spec
    if kind != A or level not in DIVISION_LEVELS:
        return []
    rows: list[tuple[str, str, int, str | None]] = [
        (division_code, name, DIVISION_LEVELS[level], parent_code)
    ]
    for child in children:
        rows += _demo_divisions(child, division_code)
    return rows


def seed_demo_divisions(stdout: Any) -> None:
    """Add the fictional divisions of 临江市 (codes starting with 99) that are missing, so the picker offers them."""
    rows = _demo_divisions(CITY_TREE, None)
    existing = set(Division.objects.filter(code__in=[row[0] for row in rows]).values_list("code", flat=True))
    missing = [row for row in rows if row[0] not in existing]
    for code, name, level, parent_code in missing:
        division_add(actor=None, code=code, name=name, level=level, parent_code=parent_code)
    if missing:
        stdout.write(f"core: 已添加 {len(missing)} 个演示行政区划。")


def seed_demo_authenticators(stdout: Any) -> None:
    """Give the demo accounts whose role requires two factors the published demo authenticator, once each."""
    key_hex = b32decode(DEMO_OTP_SECRET).hex()
    usernames = [username for username, *_rest in ACCOUNTS]
    accounts = User.objects.filter(username__in=usernames).exclude(
        pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id")
    )
    added: list[str] = []
    for user in accounts:
        if second_factor_required(user):
            otp_device_bootstrap(user_id=user.pk, key_hex=key_hex)
            added.append(user.username)
    if added:
        stdout.write(f"core: 已为 {'、'.join(added)} 绑定演示身份验证器（密钥 {DEMO_OTP_SECRET}）。")


def seed_demo(stdout: Any) -> None:
    """Create the demo city and accounts once; later runs leave existing data alone."""
    seed_demo_divisions(stdout)
    if Unit.objects.filter(code=ROOT_CODE).exists():
        stdout.write("core: 演示单位与账号已存在，跳过。")
        seed_demo_authenticators(stdout)
        return
    with transaction.atomic():
        _create_tree(CITY_TREE, None)
        units = dict(Unit.objects.values_list("code", "id"))
        for username, full_name, unit_code, title, roles in ACCOUNTS:
            user = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                full_name=full_name,
                unit_id=units[unit_code],
                title=title,
            )
            user_roles_bootstrap(user_id=user.pk, roles=list(roles))
    stdout.write(f"core: 已创建 {len(units)} 个单位、{len(ACCOUNTS)} 个演示账号。")
    seed_demo_authenticators(stdout)
