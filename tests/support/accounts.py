"""Fixture plugin for people: a small unit tree, one persona per role, clients signed in as any of them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from core.auth.twofactor import second_factor_required
from core.choices import Role, UnitKind, UnitLevel
from core.models import Unit, User

PASSWORD = "Test@Xinfang2026"

# The personas every API permission matrix runs through, and the three admin roles (plus a county's auditor) that
# read no business records.
API_PERSONAS = [
    "clerk_a",
    "clerk_b",
    "handler_a",
    "section_head",
    "leader",
    "supervisor",
    "system_admin",
    "security_admin",
    "audit_admin",
    "county_audit_admin",
]
ADMIN_PERSONAS = {"system_admin", "security_admin", "audit_admin", "county_audit_admin"}


def inside_and_outside(name: str) -> tuple[str, str]:
    """Which fixture record lies inside the persona's subtree and which outside: "a" (county A), "b" (county B)
    or "far" (another city)."""
    if name == "clerk_b":
        return "b", "a"
    if name in {"clerk_a", "handler_a"}:
        return "a", "b"
    return "a", "far"


@dataclass
class Tree:
    """The units personas sit in: a city with two sibling counties (A and B) and units below A."""

    city: Unit
    city_department: Unit
    county_a: Unit
    county_a_department: Unit
    township_a: Unit
    county_b: Unit


def _unit(parent: Unit | None, code: str, name: str, kind: str, level: int) -> Unit:
    fields = {"code": code, "name": name, "kind": kind, "level": level}
    return Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)


@pytest.fixture
def tree(db: None) -> Tree:
    city = _unit(None, "T", "临江市", UnitKind.AREA, UnitLevel.CITY)
    city_department = _unit(city, "T-RS", "临江市人力资源和社会保障局", UnitKind.DEPARTMENT, UnitLevel.CITY)
    county_a = _unit(city, "T-A", "城关区", UnitKind.AREA, UnitLevel.COUNTY)
    county_b = _unit(city, "T-B", "青山县", UnitKind.AREA, UnitLevel.COUNTY)
    county_a_department = _unit(
        county_a, "T-A-ZJ", "城关区住房和城乡建设局", UnitKind.DEPARTMENT, UnitLevel.COUNTY
    )
    township_a = _unit(county_a, "T-A-DM", "东门街道", UnitKind.AREA, UnitLevel.TOWNSHIP)
    return Tree(
        city=Unit.objects.get(pk=city.pk),
        city_department=city_department,
        county_a=Unit.objects.get(pk=county_a.pk),
        county_a_department=county_a_department,
        township_a=township_a,
        county_b=county_b,
    )


def authenticator_for(user: User) -> TOTPDevice:
    """The user's confirmed authenticator, added directly when there is none (test set-up)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def otp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def signed_in_verified(client: Client, user: User) -> None:
    """Sign the client in as the user, its session verified by the user's authenticator when the role requires two
    factors, as after the code step of sign-in."""
    client.force_login(user)
    if second_factor_required(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
        session.save()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """Create an account directly (test set-up, not the behaviour under test); a role that requires two-factor
    sign-in gets a confirmed authenticator, as it would have after enrolling."""
    counter = iter(range(1, 10_000))

    def make(unit: Unit, roles: list[str], username: str | None = None, **extra: object) -> User:
        user = User(
            username=username or f"user{next(counter)}",
            full_name=str(extra.pop("full_name", "测试用户")),
            unit=unit,
            roles=roles,
            **extra,
        )
        user.set_password(PASSWORD)
        user.save()
        if second_factor_required(user):
            authenticator_for(user)
        return user

    return make


@dataclass
class Personas:
    """One account per role, placed where the permission tests need them."""

    clerk_a: User
    clerk_b: User
    handler_a: User
    handler_head_a: User
    section_head: User
    leader: User
    supervisor: User
    system_admin: User
    security_admin: User
    audit_admin: User
    county_audit_admin: User


@pytest.fixture
def personas(tree: Tree, make_user: Callable[..., User]) -> Personas:
    return Personas(
        clerk_a=make_user(tree.county_a, [Role.CLERK], "clerk_a"),
        clerk_b=make_user(tree.county_b, [Role.CLERK], "clerk_b"),
        handler_a=make_user(tree.county_a_department, [Role.HANDLER], "handler_a"),
        handler_head_a=make_user(
            tree.county_a_department, [Role.SECTION_HEAD], "handler_head_a", full_name="测试科长"
        ),
        section_head=make_user(tree.city, [Role.SECTION_HEAD], "head"),
        leader=make_user(tree.city, [Role.LEADER], "leader"),
        supervisor=make_user(tree.city, [Role.SUPERVISOR], "supervisor"),
        system_admin=make_user(tree.city, [Role.SYSTEM_ADMIN], "sysadmin"),
        security_admin=make_user(tree.city, [Role.SECURITY_ADMIN], "secadmin"),
        audit_admin=make_user(tree.city, [Role.AUDIT_ADMIN], "auditor"),
        county_audit_admin=make_user(tree.county_a, [Role.AUDIT_ADMIN], "auditor_a"),
    )


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A browser-like client signed in as the user (or anonymous for None), its session verified by the user's
    authenticator when the role requires two factors, as after the code step of sign-in."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            signed_in_verified(client, user)
        return client

    return make


@pytest.fixture
def api_for() -> Callable[[User | None], APIClient]:
    """An API client authenticated as the user (or anonymous for None)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
