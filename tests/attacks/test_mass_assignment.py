"""Mass assignment: every writable API endpoint gets every field of its model forged; server-owned fields hold.

Each write is sent twice, each time rolled back: once with an honest body, once with the same body plus a forged
value for every column of the model it writes (ids, units, status, authors, numbers, dates, timestamps, version,
deadlines …). The row the write leaves must be the same both times, field by field, read back from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.postgres.fields import ArrayField
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from accountability.models import AccountabilityRecord, Circular, SupervisionOrder
from core.models import Unit, User
from ledger.models import DailyReport, KeyCase, SensitivePeriod
from petitions.models import Category, Document, Item, ItemPetitioner
from tests.attacks.world import NOW, PLACE_PEOPLE, World, world_build
from tests.support.accounts import Personas, Tree
from tests.support.items import DEFAULT_ID_NUMBER

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@dataclass(frozen=True)
class Write:
    """One writable endpoint: who sends it, where, an honest body, and which row it leaves."""

    method: str
    url: Callable[[World], str]
    actor: Callable[[World], User]
    body: Callable[[World], dict[str, Any]]
    model: type[models.Model]
    row: Callable[[World, dict[str, Any]], int]  # the pk of the row written, from the world or the answer


def created(world: World, answer: dict[str, Any]) -> int:
    return int(answer["id"])


def of(pick: Callable[[World], models.Model]) -> Callable[[World, dict[str, Any]], int]:
    return lambda world, answer: int(pick(world).pk)  # type: ignore[arg-type]


WRITES: dict[str, Write] = {
    "register an item": Write(
        "post",
        lambda w: f"{API}petitions/",
        lambda w: w.personas.clerk_a,
        lambda w: {
            "channel": "visit",
            "purpose": "demand",
            "category": Category.objects.get(code="0301").pk,
            "received_on": "2026-03-09",
            "summary": "某建筑公司拖欠农民工工资三个月",
            "demand": "请求督促公司支付工资",
            "petitioners": [{"name": "张建国", "id_number": DEFAULT_ID_NUMBER, "phone": "13800138000"}],
            "original": None,
            "head_count": 1,
            "problem_division": "",
            "problem_address": "",
            "complained_unit": None,
            "complained_unit_name": "",
            "markers": [],
            "submission_key": "",
        },
        Item,
        created,
    ),
    "correct a petitioner on an item": Write(
        "post",
        lambda w: f"{API}petitions/{w.objects['a'].item.pk}/correct-petitioner/",
        lambda w: w.personas.clerk_a,
        lambda w: {
            "petitioner": w.objects["a"].petitioner.pk,
            "name": "张三丰",
            "id_number": PLACE_PEOPLE["a"],
            "phone": "13900001111",
            "address_division": "",
            "address_detail": "幸福路8号",
            "version": w.objects["a"].item.version,
        },
        ItemPetitioner,
        lambda w, answer: ItemPetitioner.objects.get(item=w.objects["a"].item).pk,
    ),
    "reply to an item": Write(
        "post",
        lambda w: f"{API}petitions/{w.objects['a'].item.pk}/reply/",
        lambda w: w.personas.handler_a,
        lambda w: {
            "outcome": "supported",
            "opinion": "经调查，支持信访人的诉求。",
            "on": "2026-03-10",
            "version": w.objects["a"].item.version,
        },
        Item,
        of(lambda w: w.objects["a"].item),
    ),
    "record a document's delivery": Write(
        "post",
        lambda w: f"{API}petitions/{w.objects['a'].item.pk}/documents/{w.objects['a'].document.pk}/deliver/",
        lambda w: w.personas.handler_a,
        lambda w: {"on": "2026-03-10", "method": "in_person", "receiver": "张建国", "tracking_number": ""},
        Document,
        of(lambda w: w.objects["a"].document),
    ),
    "put a case on the ledger": Write(
        "post",
        lambda w: f"{API}ledger/key-cases/",
        lambda w: w.staff["a"].head,
        lambda w: {
            "title": "退役运动员要求安置",
            "problem": "十余名退役运动员要求落实安置政策。",
            "source": "higher_referral",
            "risk_level": "medium",
            "owner": w.staff["a"].leader.pk,
            "responsible_unit": w.staff["a"].office.pk,
            "responsible_person": w.staff["a"].handler.pk,
            "measures": "逐人建档，协调人社部门研究安置方案。",
            "resolve_by": "2026-06-30",
            "group_concerned": "退役运动员",
            "head_count": 12,
            "stabilizing_unit": w.staff["a"].area.pk,
            "source_note": "",
            "opened_on": "2026-03-10",
        },
        KeyCase,
        created,
    ),
    "edit a case": Write(
        "patch",
        lambda w: f"{API}ledger/key-cases/{w.objects['a'].case.pk}/",
        lambda w: w.staff["a"].head,
        lambda w: {
            "title": "原民办教师要求落实养老待遇（续）",
            "problem": "问题概况已核实更新。",
            "group_concerned": "原民办教师",
            "source": "city_leader",
            "source_note": "",
            "head_count": 25,
            "risk_level": "medium",
            "measures": "逐人核实教龄。",
            "version": w.objects["a"].case.version,
        },
        KeyCase,
        of(lambda w: w.objects["a"].case),
    ),
    "report progress on a case": Write(
        "post",
        lambda w: f"{API}ledger/key-cases/{w.objects['a'].case.pk}/progress/",
        lambda w: w.personas.handler_a,
        lambda w: {"done": "走访当事人。", "version": w.objects["a"].case.version},
        KeyCase,
        of(lambda w: w.objects["a"].case),
    ),
    "define a sensitive period": Write(
        "post",
        lambda w: f"{API}ledger/sensitive-periods/",
        lambda w: w.staff["a"].head,
        lambda w: {
            "name": "全国两会",
            "starts_on": "2026-03-10",
            "ends_on": "2026-03-20",
            "units": [w.tree.county_a.pk],
            "note": "",
        },
        SensitivePeriod,
        created,
    ),
    "file a daily report": Write(
        "post",
        lambda w: f"{API}ledger/daily-reports/{w.objects['a'].daily.pk}/file/",
        lambda w: w.personas.clerk_a,
        lambda w: {"is_zero": True, "content": "", "version": w.objects["a"].daily.version},
        DailyReport,
        of(lambda w: w.objects["a"].daily),
    ),
    "issue a supervision order": Write(
        "post",
        lambda w: f"{API}accountability/supervision-orders/",
        lambda w: w.personas.supervisor,
        lambda w: {
            "item": w.objects["a"].item.number,  # the subject is found by its number, never set by id
            "unit": w.tree.county_a.pk,
            "ground": "not_closed",
            "method": "written",
            "requirement": "请于十个工作日内书面说明拖延原因。",
        },
        SupervisionOrder,
        created,
    ),
    "reply to a supervision order": Write(
        "post",
        lambda w: f"{API}accountability/supervision-orders/{w.objects['a'].order.pk}/reply/",
        lambda w: w.personas.handler_a,
        lambda w: {
            "reply": "已于三月九日办结并答复信访人。",
            "replied_on": "2026-03-10",
            "version": w.objects["a"].order.version,
        },
        SupervisionOrder,
        of(lambda w: w.objects["a"].order),
    ),
    "issue a circular": Write(
        "post",
        lambda w: f"{API}accountability/circulars/",
        lambda w: w.personas.supervisor,
        lambda w: {"start": "2026-03-01", "end": "2026-03-09", "title": ""},
        Circular,
        created,
    ),
    "record an accountability decision": Write(
        "post",
        lambda w: f"{API}accountability/records/",
        lambda w: w.personas.supervisor,
        lambda w: {
            "unit": w.tree.county_a_department.pk,
            "person_name": "王建华",
            "person_title": "副局长",
            "liability": "in_charge",
            "measure": "admonition",
            "reason": "分管的信访事项多次超期未办结。",
            "decided_by": "中共临江市纪律检查委员会",
            "decided_on": "2026-03-09",
            # The links a record may carry, read through the caller's reach; its subject comes from the order.
            "supervision_order": w.objects["a"].order.pk,
            "circular": w.objects["a"].circular.pk,
        },
        AccountabilityRecord,
        created,
    ),
}


def forged_value(field: models.Field[Any, Any], world: World) -> Any:
    """A value a forger would send for the column: another unit, another user, an old date, a foreign status …"""
    if isinstance(field, models.ForeignKey):
        if field.related_model is Unit:
            return world.staff["far"].area.pk
        if field.related_model is User:
            return world.staff["far"].supervisor.pk
        related: type[models.Model] = field.related_model  # type: ignore[assignment]
        last = related._default_manager.order_by("-pk").first()
        return last.pk if last else 999_999
    if field.choices:
        return list(dict(field.flatchoices))[-1]
    if isinstance(field, ArrayField):
        return [forged_value(field.base_field, world)]
    if isinstance(field, models.BooleanField):
        return not field.default if isinstance(field.default, bool) else True
    if isinstance(field, (models.AutoField, models.BigAutoField)):
        return 999_999
    if isinstance(field, models.IntegerField):
        return 77
    if isinstance(field, models.DateTimeField):
        return "2020-01-01T00:00:00+08:00"
    if isinstance(field, models.DateField):
        return "2020-01-01"
    if isinstance(field, models.JSONField):
        return {"forged": True}
    return "伪造-1999"


def took(stored: Any, forged: Any) -> bool:
    """Whether the stored value is the forged one (a number drawn from a sequence differs between runs anyway)."""
    if isinstance(stored, datetime):
        return isinstance(forged, str) and stored == parse_datetime(forged)
    if isinstance(stored, date):
        return stored.isoformat() == forged
    if isinstance(stored, models.Model):
        return stored.pk == forged
    return bool(stored == forged)


def forged_body(write: Write, world: World) -> dict[str, Any]:
    """Every column of the model, under its name and its column name, then the honest body on top."""
    forged: dict[str, Any] = {}
    for field in write.model._meta.concrete_fields:
        value = forged_value(field, world)  # type: ignore[arg-type]
        forged[field.name] = value
        forged[field.attname] = value
    return {**forged, **write.body(world)}


def row_after(write: Write, world: World, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Send the write, read its row back from the database, and roll everything back."""
    client = APIClient()
    client.force_authenticate(write.actor(world))
    with transaction.atomic():
        response = getattr(client, write.method)(write.url(world), body, format="json")
        answer = response.json() if response.status_code < 300 else {}
        fields = {}
        if response.status_code < 300:
            row = write.model._default_manager.get(pk=write.row(world, answer))
            fields = model_to_dict(row, fields=[field.name for field in write.model._meta.concrete_fields])
        transaction.set_rollback(True)
    return response.status_code, fields


@pytest.fixture
def world(personas: Personas, tree: Tree, make_user: Callable[..., User], ladder: Any) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        yield world_build(personas=personas, tree=tree, make_user=make_user, ladder=ladder)


def test_forged_fields_change_nothing_the_honest_request_would_not(world):
    changed: dict[str, list[str]] = {}
    refused: dict[str, tuple[int, int]] = {}
    forged_fields = 0
    for name, write in WRITES.items():
        honest_status, honest = row_after(write, world, write.body(world))
        forged = forged_body(write, world)
        forged_status, tampered = row_after(write, world, forged)
        forged_fields += len(write.model._meta.concrete_fields)
        if not (honest_status < 300 and forged_status < 300):
            refused[name] = (honest_status, forged_status)
            continue
        changed[name] = [
            f"{field}: {honest[field]!r} → {tampered[field]!r}"
            for field in honest
            if tampered[field] != honest[field] and took(tampered[field], forged[field])
        ]
    print(
        f"\nmass assignment: {len(WRITES)} writes, {forged_fields} model fields forged, "
        f"{sum(map(len, changed.values()))} changed"
    )
    for name, fields in changed.items():
        for field in fields:
            print(f"   {name}: {field}")
    assert refused == {}
    assert {name: fields for name, fields in changed.items() if fields} == {}
