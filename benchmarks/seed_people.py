"""Petitioners for the benchmark items: one person on every item, 400,032 persons with a name, a resident ID number
and a mobile phone, so the searches by name, ID number and phone and the petitioner file find real rows.

Person `p` is the person on every item whose number is BM<g> with g % PERSONS == p: about two or three items each,
months apart, all in the same unit (PERSONS is a multiple of the number of units the items cycle through). Names,
ID numbers and phones are a function of `p` alone, so the load scenario knows valid ones without reading the
database. The particulars are encrypted and hashed as the product writes them, under the deployment's keys: the
load must run with the same DJANGO_SECRET_KEY (or XF_LOOKUP_KEY and XF_FIELD_KEYS) as the seed.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction

from benchmarks.seed import COUNTIES, DEPARTMENTS_PER_COUNTY, TOWNSHIPS_PER_COUNTY
from core.fieldcrypt import field_encrypt
from core.pii import lookup_hash
from petitions.models import ItemPetitioner

UNITS_PER_COUNTY = 1 + DEPARTMENTS_PER_COUNTY + TOWNSHIPS_PER_COUNTY
# 400,032 persons: a multiple of the units, so each person's items stay in one unit
PERSONS = COUNTIES * UNITS_PER_COUNTY * 1852
BIRTH_DAYS = 21_900  # birthdays spread over 60 years from 1940
FIRST_BIRTHDAY = date(1940, 1, 1)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Common family names, and given-name characters; one person in five has a one-character given name, so a
# two-character name (王芳) is shared by a few dozen persons in the city, as common names are.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玉兰霞平刚桂香红建国文辉鹏飞斌宇浩凯健俊帆帅旭宁龙林欣晨琳雪梅丹萍亮成峰志海波云凤春生荣德福祥贵"
PERSON_ROWS_SQL = """
INSERT INTO petitions_petitioner (id_number_hash, created_at)
SELECT id_hash, now() FROM bm_people ORDER BY p
"""
ITEM_ROWS_SQL = """
INSERT INTO petitions_itempetitioner (
    item_id, petitioner_id, name, id_number, phone, phone_hash, address_detail, is_representative, position,
    updated_at
)
SELECT i.id, pt.id, b.name, b.id_enc, b.phone_enc, b.phone_hash, '', i.head_count > 1, 0, now()
FROM petitions_item i
JOIN bm_people b ON b.p = substr(i.number, 3)::bigint %% %(persons)s
JOIN petitions_petitioner pt ON pt.id_number_hash = b.id_hash
WHERE i.number LIKE 'BM%%' AND i.id BETWEEN %(first)s AND %(last)s
"""
CHUNK = 200_000


@dataclass(frozen=True)
class Person:
    """A benchmark person's particulars as the clerk typed them."""

    name: str
    id_number: str
    phone: str


def person(p: int) -> Person:
    """Benchmark person number `p` (0 ≤ p < PERSONS): a fixed name, a unique valid ID number, a unique mobile."""
    mixed = (p * 2_654_435_761) % 2**32  # Knuth's multiplicative hash: neighbours get unrelated names
    surname = SURNAMES[mixed % len(SURNAMES)]
    given = GIVEN[(mixed >> 8) % len(GIVEN)]
    if mixed % 5:
        given += GIVEN[(mixed >> 16) % len(GIVEN)]
    county = (p % (COUNTIES * UNITS_PER_COUNTY)) // UNITS_PER_COUNTY + 1
    rest, turn = p % BIRTH_DAYS, p // BIRTH_DAYS
    born = FIRST_BIRTHDAY + timedelta(days=(rest * 7919) % BIRTH_DAYS)  # 7919 is prime to 21,900: one-to-one
    body = f"4101{county:02d}{born:%Y%m%d}{turn * 50 + rest % 50:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS, strict=True))
    return Person(
        name=surname + given,
        id_number=body + "10X98765432"[total % 11],
        phone=f"13{(p * 104_729 + 12_345_678) % 10**9:09d}",
    )


def person_of_item(number: str) -> int:
    """The benchmark person on the item numbered `number` (BM000000123)."""
    return int(number[2:]) % PERSONS


def benchmark_people_ensure(say: Callable[[str], None]) -> int:
    """Put a person on every benchmark item unless they have persons already; returns how many rows were added."""
    if ItemPetitioner.objects.filter(item__number__startswith="BM").exists():
        return 0
    started = time.perf_counter()
    id_column = f"{ItemPetitioner._meta.label_lower}.id_number"  # the columns the ciphertexts are bound to
    phone_column = f"{ItemPetitioner._meta.label_lower}.phone"
    lines = io.StringIO()
    for p in range(PERSONS):
        one = person(p)
        lines.write(
            f"{p}\t{lookup_hash('id', one.id_number)}\t{one.name}\t{field_encrypt(one.id_number, id_column)}\t"
            f"{field_encrypt(one.phone, phone_column)}\t{lookup_hash('phone', one.phone)}\n"
        )
    lines.seek(0)
    added = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bm_people (p integer PRIMARY KEY, id_hash text, name text, id_enc text, "
            "phone_enc text, phone_hash text) ON COMMIT DROP"
        )
        cursor.copy_expert("COPY bm_people FROM STDIN", lines)
        cursor.execute(PERSON_ROWS_SQL)
        cursor.execute("ANALYZE bm_people")
        cursor.execute("SELECT min(id), max(id) FROM petitions_item WHERE number LIKE 'BM%%'")
        low, high = cursor.fetchone()
        for first in range(low, high + 1, CHUNK):
            cursor.execute(ITEM_ROWS_SQL, {"persons": PERSONS, "first": first, "last": first + CHUNK - 1})
            added += cursor.rowcount
            say(f"  已登记信访人 {added:,} 人次（{time.perf_counter() - started:.0f} 秒）")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE petitions_petitioner")
        cursor.execute("VACUUM ANALYZE petitions_itempetitioner")
    say(f"信访人 {PERSONS:,} 人，事项上的信访人 {added:,} 人次，用时 {time.perf_counter() - started:.0f} 秒")
    return added
