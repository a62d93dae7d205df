"""Benchmark data at provincial scale: a city of 217 units with its people, and items with their handling clocks,
written by set-based SQL (about four minutes for a million items on two cores).

Used by the sweep and dashboard benchmark commands, on a database of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from django.db import connection, transaction

from accountability.rollup import CLOCK_ROLLUP
from core.choices import Role, UnitKind, UnitLevel
from core.models import Unit, User
from core.selectors import calendar_version_current
from petitions.choices import HANDLING, ITEM_SUBJECT
from petitions.projections.obligation_dates import OBLIGATION_TRIGGERS, obligation_dates_rebuild
from petitions.projections.reach import REACH_TRIGGERS, item_reach_rebuild
from petitions.projections.rollups import ITEM_MONTH_ROLLUP, ITEM_ROLLUP, REPLY_MONTH_ROLLUP, REPLY_ROLLUP
from petitions.projections.subtree_sums import subtree_months_refresh

ROOT_CODE = "BM0000"
COUNTIES = 12
DEPARTMENTS_PER_COUNTY = 2
TOWNSHIPS_PER_COUNTY = 15
SPREAD_DAYS = 730  # items are spread evenly over two years up to today
CHUNK = 100_000

# Items vary the way a city's do: channels, purposes and categories mixed (by a hash of the item number, so
# they do not move in step with the unit or the day), one in 40 a collective visit of eight,
# skip-level and 进京/赴省 markers now and then, the last few days' items partly not yet routed (registered at the
# county office, no responsible unit). Every item is registered by its county's office.
ITEMS_SQL = """
INSERT INTO petitions_item (
    number, query_code, channel, purpose, item_type, problem_address, complained_unit_name, received_on,
    registered_on, registered_at, summary, demand, head_count, markers, status, route, outcome, satisfaction,
    review_decision, recheck_decision, close_reason, repeat_count, refusal_reason, version, updated_at,
    category_id, registered_by_id, registered_unit_id, responsible_unit_id, assigned_on, accepted_on, submission_key
)
SELECT
    'BM' || lpad(g::text, 9, '0'), 'BENCHMRK',
    (ARRAY['visit', 'letter', 'online', 'phone', 'online', 'mailbox', 'visit', 'online', 'mobile', 'letter'])
        [1 + (hashint4(g) & 1023) %% 10],
    (ARRAY['demand', 'demand', 'suggestion', 'demand', 'appeal', 'accusation', 'inquiry', 'demand'])
        [1 + ((hashint4(g) >> 10) & 1023) %% 8],
    'appeal_demand', '', '', day, day, now(),
    '基准测试事项第' || g || '件：拖欠工资纠纷', '请求处理',
    CASE WHEN g %% 40 = 0 THEN 8 ELSE 1 END,
    CASE WHEN g %% 40 = 0 THEN '{collective}'::varchar[] WHEN g %% 25 = 0 THEN '{skip_level}'::varchar[]
         WHEN g %% 499 = 0 THEN '{to_beijing}'::varchar[] WHEN g %% 199 = 0 THEN '{to_province}'::varchar[]
         ELSE '{}'::varchar[] END,
    CASE WHEN unrouted THEN 'registered' WHEN day + 60 < %(today)s - 90 THEN 'closed' ELSE 'accepted' END,
    '', '', '', '', '', '', 0, '', 1, now(),
    cats.ids[1 + ((hashint4(g) >> 20) & 1023) %% array_length(cats.ids, 1)], %(clerk)s,
    units.counties[1 + g %% array_length(units.ids, 1)],
    CASE WHEN unrouted THEN NULL ELSE units.ids[1 + g %% array_length(units.ids, 1)] END,
    CASE WHEN unrouted THEN NULL ELSE day END,
    CASE WHEN unrouted THEN NULL ELSE day END,
    ''
FROM generate_series(%(first)s, %(last)s) AS g
CROSS JOIN LATERAL (SELECT %(today)s - (g %% %(spread)s) AS day) AS received
CROSS JOIN LATERAL (SELECT received.day > %(today)s - 5 AND g %% 3 = 0 AS unrouted) AS routing,
     (SELECT array_agg(u.id ORDER BY u.id) AS ids, array_agg(c.id ORDER BY u.id) AS counties
      FROM core_unit u JOIN core_unit c ON c.path = substr(u.path, 1, 2 * %(steplen)s)
      WHERE u.path LIKE %(prefix)s AND u.depth > 1) AS units,
     (SELECT array_agg(id ORDER BY id) AS ids FROM petitions_category WHERE depth = 2) AS cats
"""

# Closed items were answered 40 days after they came in, seven in ten evaluated by the petitioner three days later
# (satisfied, basically satisfied or not), the rest closed when the 复查 window lapsed.
REPLIES_SQL = """
UPDATE petitions_item i SET
    replied_on = i.received_on + 40,
    closed_on = i.received_on + 75,
    evaluated_on = CASE WHEN i.id %% 10 < 7 THEN i.received_on + 43 END,
    satisfaction = CASE WHEN i.id %% 10 < 7
                        THEN (ARRAY['satisfied', 'satisfied', 'basically', 'dissatisfied'])[1 + i.id %% 4]
                        ELSE '' END,
    close_reason = CASE WHEN i.id %% 10 < 7 THEN 'accepted_reply' ELSE 'review_window_lapsed' END
WHERE i.number LIKE 'BM%%' AND i.status = 'closed' AND i.id BETWEEN %(first)s AND %(last)s
"""

# One in twelve items repeats the item registered just before it.
REPEATS_SQL = """
UPDATE petitions_item i SET original_id = i.id - 1
WHERE i.number LIKE 'BM%%' AND i.id %% 12 = 0 AND i.id BETWEEN %(first)s AND %(last)s
  AND EXISTS (SELECT 1 FROM petitions_item o WHERE o.id = i.id - 1)
"""

DEADLINES_SQL = """
INSERT INTO accountability_deadline (
    subject_type, subject_id, kind, unit_id, responsible_id, starts_on, days, day_unit, roll_forward,
    extension_days, paused_days, nominal_on, due_on, calendar_version, provisional, fixed, status, met_on, opened_at,
    closed_at
)
SELECT
    %(subject)s, i.id, %(kind)s, i.responsible_unit_id, h.id, i.accepted_on, 60, 'calendar', false,
    0, 0, i.accepted_on + 60, i.accepted_on + 60, %(version)s, false, false,
    CASE WHEN i.status = 'closed' THEN (CASE WHEN i.id %% 10 = 0 THEN 'met_late' ELSE 'met_on_time' END)
         ELSE 'open' END,
    CASE WHEN i.status = 'closed' THEN i.accepted_on + (CASE WHEN i.id %% 10 = 0 THEN 70 ELSE 45 END) END,
    now(),
    CASE WHEN i.status = 'closed' THEN now() END
FROM petitions_item i
JOIN LATERAL (
    SELECT u.id FROM core_user u WHERE u.unit_id = i.responsible_unit_id AND 'handler' = ANY(u.roles) LIMIT 1
) h ON true
WHERE i.number LIKE 'BM%%' AND i.accepted_on IS NOT NULL AND i.id BETWEEN %(first)s AND %(last)s
"""

ROLL_UP_TRIGGERS = (
    ("petitions_item", "petitions_item_roll_up_insert_delete"),
    ("petitions_item", "petitions_item_roll_up_update"),
    ("accountability_deadline", "accountability_deadline_roll_up_insert_delete"),
    ("accountability_deadline", "accountability_deadline_roll_up_update"),
    ("petitions_itemdaycount", "petitions_itemdaycount_to_month"),
    ("petitions_itemreplycount", "petitions_itemreplycount_to_month"),
    *OBLIGATION_TRIGGERS,
    *REACH_TRIGGERS,
)


def benchmark_data_exists() -> bool:
    """Whether the benchmark city is already in the database."""
    return Unit.objects.filter(code=ROOT_CODE).exists()


def benchmark_root() -> Unit:
    """The benchmark city."""
    return Unit.objects.get(code=ROOT_CODE)


def benchmark_seed(items: int, today: date, say: Callable[[str], None]) -> None:
    """Write the units, people, `items` items and their clocks, then the roll-up of the items, reporting progress."""
    started = time.perf_counter()
    clerk = benchmark_city_seed(say)
    version = calendar_version_current()
    prefix = benchmark_root().path + "%"
    with connection.cursor() as cursor:
        for table, trigger in ROLL_UP_TRIGGERS:  # one rebuild at the end is far cheaper than a call per row
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        for first in range(1, items + 1, CHUNK):
            last = min(first + CHUNK - 1, items)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    ITEMS_SQL,
                    {
                        "today": today,
                        "spread": SPREAD_DAYS,
                        "clerk": clerk.pk,
                        "prefix": prefix,
                        "steplen": Unit.steplen,
                        "first": first,
                        "last": last,
                    },
                )
            say(f"  已造事项 {last:,}/{items:,}（{time.perf_counter() - started:.0f} 秒）")
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id), max(id) FROM petitions_item WHERE number LIKE 'BM%%'")
            low, high = cursor.fetchone()
        for first in range(low, high + 1, CHUNK):
            bounds = {"first": first, "last": first + CHUNK - 1}
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(REPEATS_SQL, bounds)
                cursor.execute(REPLIES_SQL, bounds)
                cursor.execute(
                    DEADLINES_SQL, {"subject": ITEM_SUBJECT, "kind": HANDLING, "version": version, **bounds}
                )
        obligation_dates_rebuild()
        item_reach_rebuild()
        rebuilt = ITEM_ROLLUP.rebuild()
        REPLY_ROLLUP.rebuild()
        ITEM_MONTH_ROLLUP.rebuild()  # from the items, as the daily rebuilds above did not pass through the months
        REPLY_MONTH_ROLLUP.rebuild()
        CLOCK_ROLLUP.rebuild()
        subtree_months_refresh()
    finally:
        with connection.cursor() as cursor:
            for table, trigger in ROLL_UP_TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    with connection.cursor() as cursor:
        for table in (
            "petitions_item",
            "petitions_itemreach",
            "accountability_deadline",
            "petitions_itemdaycount",
            "petitions_itemreplycount",
            "petitions_itemmonthcount",
            "petitions_itemreplymonthcount",
            "petitions_itemsubtreemonthcount",
            "accountability_deadlinedaycount",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    say(
        f"造数完成：{items:,} 件事项及其办理时限，汇总表 {rebuilt.rows:,} 行，"
        f"用时 {time.perf_counter() - started:.1f} 秒"
    )


def benchmark_city_seed(say: Callable[[str], None]) -> User:
    """The benchmark city: its units, and a handler, section head and leader in each unit of every county,
    a clerk in each county office, supervisors and the city leader; returns the city office's clerk."""
    root = Unit.objects.add_root(
        {"code": ROOT_CODE, "name": "基准市", "kind": UnitKind.AREA, "level": UnitLevel.CITY}
    )
    people: list[User] = []
    for county_number in range(1, COUNTIES + 1):
        county = Unit.objects.add_child(
            root,
            {
                "code": f"BM{county_number:02d}00",
                "name": f"基准{county_number}区",
                "kind": UnitKind.AREA,
                "level": UnitLevel.COUNTY,
            },
        )
        below = [
            Unit.objects.add_child(
                county,
                {
                    "code": f"BM{county_number:02d}D{n}",
                    "name": f"基准{county_number}区部门{n}",
                    "kind": UnitKind.DEPARTMENT,
                    "level": UnitLevel.COUNTY,
                },
            )
            for n in range(1, DEPARTMENTS_PER_COUNTY + 1)
        ] + [
            Unit.objects.add_child(
                county,
                {
                    "code": f"BM{county_number:02d}{n:02d}",
                    "name": f"基准{county_number}区{n}街道",
                    "kind": UnitKind.AREA,
                    "level": UnitLevel.TOWNSHIP,
                },
            )
            for n in range(1, TOWNSHIPS_PER_COUNTY + 1)
        ]
        for unit in [county, *below]:
            for role in (Role.HANDLER, Role.SECTION_HEAD, Role.LEADER):
                people.append(
                    User(username=f"bm_{unit.code}_{role}", full_name="基准用户", unit=unit, roles=[role])
                )
    people += [
        User(username=f"bm_supervisor_{n}", full_name="基准督查", unit=root, roles=[Role.SUPERVISOR])
        for n in range(1, 4)
    ]
    people.append(User(username="bm_leader", full_name="基准市领导", unit=root, roles=[Role.LEADER]))
    clerk = User(username="bm_clerk", full_name="基准登记员", unit=root, roles=[Role.CLERK])
    for person in [*people, clerk]:
        person.set_unusable_password()
    User.objects.bulk_create([*people, clerk])
    clerks = benchmark_county_clerks_ensure()
    units = Unit.objects.filter(path__startswith=root.path).count()
    say(f"基准单位 {units} 个，用户 {len(people) + 1 + clerks} 个")
    return User.objects.get(username="bm_clerk")


def benchmark_county_clerks_ensure() -> int:
    """Give each county's office a clerk (`bm_<county code>_clerk`) where it has none; returns how many were added.

    Databases seeded before the clerks were part of the seed get them here too.
    """
    counties = Unit.objects.filter(path__startswith=benchmark_root().path, depth=2, kind=UnitKind.AREA)
    missing = [
        User(username=f"bm_{county.code}_clerk", full_name="基准区登记员", unit=county, roles=[Role.CLERK])
        for county in counties
        if not User.objects.filter(username=f"bm_{county.code}_clerk").exists()
    ]
    for person in missing:
        person.set_unusable_password()
    User.objects.bulk_create(missing)
    return len(missing)
