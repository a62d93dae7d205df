"""Hostile input (NUL bytes, huge integers, dates at the edge of the calendar) is a 400 with a Chinese message, never a 500.

The first tests pin the inputs that once reached the database or date arithmetic unchecked. The property tests then
send such values to every GET query parameter of the committed OpenAPI schema (docs/openapi.yaml) and to every field
of the intake forms, the due-date calculator, the repeat suggestions and the list filters. Generation is derandomised
and bounded, so every run makes the same few hundred requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.forms import DueDateForm
from core.models import User
from ledger.filters import KeyCaseFilter
from petitions.choices import Channel, Purpose
from petitions.filters import ItemFilter
from petitions.forms import IntakeForm, PetitionerForm
from petitions.models import Category, Item
from tests.support.accounts import Personas

NUL_MESSAGE = "空字符"
OUT_OF_RANGE = "日期超出可计算范围"


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


# --- The inputs that were server errors -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/divisions/?q=a%00",
        "/api/v1/divisions/?parent=%00",
        "/api/v1/petitions/?q=%00",
        "/api/v1/petitions/%00/",
        "/api/v1/calendar/due/?start=2026-01-05%00&days=5",
    ],
)
def test_a_nul_byte_in_an_api_query_is_a_400_with_a_chinese_detail(personas: Personas, api_for, url):
    response = api_for(personas.clerk_a).get(url)

    assert response.status_code == 400
    assert NUL_MESSAGE in response.json()["detail"]


@pytest.mark.django_db
def test_a_nul_byte_in_a_json_body_is_a_400(personas: Personas, api_for):
    response = api_for(personas.clerk_a).post(
        "/api/v1/petitions/", {"summary": "拖欠\x00工资", "demand": "x"}, format="json"
    )

    assert response.status_code == 400
    assert NUL_MESSAGE in response.json()["detail"]


@pytest.mark.django_db
def test_an_escaped_backslash_before_u0000_in_json_is_no_nul(personas: Personas, api_for):
    response = api_for(personas.clerk_a).post(
        "/api/v1/petitions/", {"summary": "路径 C:\\u0000", "demand": "x"}, format="json"
    )

    assert response.status_code == 400
    assert "detail" not in response.json()  # refused by the serializer's own rules, not as a NUL


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/divisions/options/?parent=%00",
        "/divisions/?q=%00",
        "/divisions/?code=11%00",
        "/petitions/new-suggestions/?summary=%00%E6%8B%96%E6%AC%A0%E5%B7%A5%E8%B5%84%E9%97%AE%E9%A2%98",
        "/calendar/due/?start=%00",
    ],
)
def test_a_nul_byte_in_a_page_query_is_a_400_page_in_chinese(personas: Personas, client_for, url):
    response = client_for(personas.clerk_a).get(url)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert NUL_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_a_nul_byte_in_the_session_cookie_is_a_400_before_the_session_is_read(personas, client_for):
    client = client_for(None)
    client.cookies["sessionid"] = "abcdefghijklmnop\x00q"

    response = client.get("/login/")

    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


@dataclass
class IntakePost:
    """A visit intake a clerk may submit: every field of the form and one petitioner row, all valid."""

    data: dict[str, Any]


@pytest.fixture
def intake_post(personas: Personas) -> IntakePost:
    category = Category.objects.filter(is_active=True).order_by("path").last()
    assert category is not None
    data: dict[str, Any] = {
        "received_on": timezone.localdate().isoformat(),
        "channel": Channel.VISIT,
        "head_count": "1",
        "problem_division": "",
        "problem_address": "城关区东门街道",
        "complained_unit": "",
        "complained_unit_name": "",
        "purpose": Purpose.DEMAND,
        "category": str(category.pk),
        "summary": "反映某公司拖欠工资三个月",
        "demand": "要求支付拖欠工资",
        "original": "",
        "petitioners-TOTAL_FORMS": "1",
        "petitioners-INITIAL_FORMS": "0",
        "petitioners-MIN_NUM_FORMS": "1",
        "petitioners-MAX_NUM_FORMS": "30",
        "petitioners-0-name": "张三",
        "petitioners-0-id_number": "",
        "petitioners-0-phone": "13800138000",
        "petitioners-0-address_division": "",
        "petitioners-0-address_detail": "",
    }
    # A field the form gains later is posted with its initial value, so the fuzzer reaches it too.
    empty = IntakeForm(user=personas.clerk_a)
    for name in empty.fields:
        if name not in data and empty[name].value() is not None:
            data[name] = str(empty[name].value())
    return IntakePost(data)


@pytest.mark.django_db
def test_the_intake_post_the_fuzzer_starts_from_registers_an_item(personas, client_for, intake_post):
    response = client_for(personas.clerk_a).post("/petitions/new/visit/", intake_post.data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Item.objects.filter(summary=intake_post.data["summary"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["problem_division", "petitioners-0-address_division", "summary"])
def test_a_nul_byte_in_an_intake_field_is_a_400_and_registers_nothing(
    personas, client_for, intake_post, field
):
    data = {**intake_post.data, field: "11\x00"}

    response = client_for(personas.clerk_a).post("/petitions/new/visit/", data)

    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()
    assert not Item.objects.exists()


# "²" and "٣" pass str.isdigit(); int() refuses the first and reads the second; 20 digits overflow a database key.
NOT_IDS = ["²", "٣", "99999999999999999999"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_IDS)
def test_an_id_that_is_not_ascii_digits_or_too_long_is_never_a_server_error(
    personas, client_for, intake_post, value
):
    leader = client_for(personas.leader)
    clerk = client_for(personas.clerk_a)
    head = client_for(personas.section_head)
    answers = [
        leader.get("/dashboard/", {"unit": value}).status_code,
        clerk.post(
            "/petitions/new/visit/", {**intake_post.data, "original": value, "summary": ""}
        ).status_code,
        clerk.post("/accountability/inbox/read/", {"id": value}).status_code,
        head.post("/ledger/bulk/", {"cases": [value], "action": "assign"}).status_code,
    ]
    assert all(code < 500 for code in answers), answers
    assert not Item.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/petitions/", "/api/v1/ledger/key-cases/"])
@pytest.mark.parametrize("value", ["99999999999999999999", "-99999999999999999999", "3651"])
def test_a_due_within_beyond_ten_years_is_refused_at_the_field(personas, api_for, url, value):
    response = api_for(personas.section_head).get(url, {"due_within": value})

    assert response.status_code == 400
    assert is_chinese(response.json()["due_within"][0])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/petitions/", "/ledger/"])
def test_a_huge_due_within_on_a_list_page_is_shown_as_a_field_error(personas, client_for, url):
    response = client_for(personas.section_head).get(url, {"due_within": "99999999999999999999"})

    assert response.status_code == 200
    assert response.context["filter"].form.errors["due_within"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "start=9999-12-31&days=5",
        "start=9999-12-31&days=5&unit=working",
        "start=9999-12-31&days=1&unit=working",
        "start=9999-12-30&days=3650&unit=working",
    ],
)
def test_a_due_date_past_the_last_computable_day_is_a_400_at_start(personas, api_for, query):
    response = api_for(personas.clerk_a).get(f"/api/v1/calendar/due/?{query}")

    assert response.status_code == 400
    assert OUT_OF_RANGE in response.json()["start"][0]


@pytest.mark.django_db
def test_the_calculator_page_shows_an_out_of_range_date_at_the_start_field(personas, client_for):
    response = client_for(personas.clerk_a).get(
        "/calendar/due/", {"start": "9999-12-31", "days": "5", "unit": "working"}
    )

    assert response.status_code == 200
    assert OUT_OF_RANGE in response.context["form"].errors["start"][0]
    assert response.context["result"] is None


@pytest.mark.django_db
def test_the_last_computable_due_date_is_still_computed(personas, api_for):
    response = api_for(personas.clerk_a).get(
        "/api/v1/calendar/due/?start=9999-12-01&days=30&roll_forward=false"
    )

    assert response.status_code == 200
    assert response.json()["due_on"] == "9999-12-31"


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["-1", "0", "10000", "99999999999999999999", "abc"])
def test_a_calendar_year_outside_the_calendar_is_a_400(personas, api_for, year):
    response = api_for(personas.clerk_a).get("/api/v1/calendar/days/", {"year": year})

    assert response.status_code == 400
    assert is_chinese(response.json()["year"][0])


@pytest.mark.django_db
def test_the_first_and_last_calendar_years_are_answered(personas, api_for):
    api = api_for(personas.clerk_a)

    assert api.get("/api/v1/calendar/days/", {"year": "1"}).json() == []
    assert api.get("/api/v1/calendar/days/", {"year": "9999"}).json() == []


# --- Property tests -------------------------------------------------------------------------------------------------

FUZZ = hypothesis_settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)

NUL_TEXT = st.builds(
    lambda head, tail: f"{head}\x00{tail}",
    st.sampled_from(["", "a", "11", "2026-01-01", "拖欠工资"]),
    st.sampled_from(["", "1", "x", "0101"]),
)
HUGE_INTEGERS = st.one_of(
    st.integers(min_value=2**31, max_value=10**40),
    st.integers(min_value=-(10**40), max_value=-(2**31)),
    st.sampled_from([10**19, 2**63, 10**400]),
).map(str)
EXTREME_DATES = st.one_of(
    st.dates(min_value=date(9999, 1, 1)).map(date.isoformat),
    st.dates(max_value=date(1, 1, 31)).map(date.isoformat),
    st.sampled_from(
        [
            "9999-12-31",
            "0001-01-01",
            "10000-01-01",
            "9999-12-31T23:59:59-12:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31 23:59:59",
        ]
    ),
)
HOSTILE = st.one_of(NUL_TEXT, HUGE_INTEGERS, EXTREME_DATES)
# Before the random combinations, every parameter and field gets each of these alone (the others valid), so no
# parameter is missed by chance. The pages' forms have no date-time fields, so they skip the two date-time edges.
FORM_SWEEP = ("拖欠工资问题\x00a", "99999999999999999999", "9999-12-31")
SWEEP = (*FORM_SWEEP, "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00")


@dataclass(frozen=True)
class Parameter:
    """A GET parameter the schema names: where it goes, whether it must be given, and a valid value of its type."""

    name: str
    location: str
    required: bool
    ordinary: str


def _ordinary(schema: dict[str, Any]) -> str:
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    if schema.get("enum"):
        return str(schema["enum"][0])
    if schema.get("format") == "date":
        return "2026-01-05"
    if schema.get("format") == "date-time":
        return "2026-01-05T08:00:00+08:00"
    return {"integer": "5", "number": "5", "boolean": "true"}.get(str(schema.get("type")), "1")


def _get_operations() -> list[tuple[str, tuple[Parameter, ...]]]:
    schema = yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "openapi.yaml").read_text())
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        parameters = tuple(
            Parameter(
                raw["name"],
                raw["in"],
                raw["in"] == "path" or bool(raw.get("required")),
                _ordinary(raw.get("schema", {})),
            )
            for raw in [*operations.get("parameters", []), *get.get("parameters", [])]
            if raw["in"] in ("query", "path")
        )
        if parameters:
            found.append((path, parameters))
    return found


GET_OPERATIONS = _get_operations()
# The sweep runs as the first of these the operation does not refuse; each random example as any of them.
API_ROLES = ["clerk_a", "section_head", "leader", "supervisor", "audit_admin", "system_admin"]


def test_the_fuzzer_reads_the_parameters_of_the_schema():
    names = {(path, parameter.name) for path, parameters in GET_OPERATIONS for parameter in parameters}
    assert ("/api/v1/petitions/", "due_within") in names
    assert ("/api/v1/calendar/due/", "start") in names
    assert ("/api/v1/calendar/days/", "year") in names
    assert ("/api/v1/divisions/", "parent") in names


def _url(path: str, parameters: tuple[Parameter, ...], values: dict[str, str]) -> str:
    """The operation's URL with `values` in its path and query string."""
    query = {}
    for parameter in parameters:
        if parameter.name not in values:
            continue
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", quote(values[parameter.name], safe=""))
        else:
            query[parameter.name] = values[parameter.name]
    return f"{path}?{urlencode(query)}"


@st.composite
def hostile_values(draw: st.DrawFn, parameters: tuple[Parameter, ...]) -> dict[str, str]:
    """One parameter hostile, up to two others valid or hostile too, the required ones valid unless chosen, the rest
    left out (so the hostile value is not hidden behind another parameter's refusal)."""
    target = draw(st.sampled_from(parameters))
    rest = [p for p in parameters if p is not target]
    others = draw(st.lists(st.sampled_from(rest), max_size=2, unique=True)) if rest else []
    values = {p.name: p.ordinary for p in parameters if p.required}
    for parameter in others:
        values[parameter.name] = draw(st.one_of(st.just(parameter.ordinary), HOSTILE))
    values[target.name] = draw(HOSTILE)
    return values


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "parameters"), GET_OPERATIONS, ids=[path for path, _p in GET_OPERATIONS])
def test_no_get_parameter_of_the_api_makes_a_server_error(
    personas: Personas, api_for: Callable[[User | None], APIClient], path, parameters
):
    clients = {role: api_for(getattr(personas, role)) for role in API_ROLES}
    for client in clients.values():
        client.raise_request_exception = False
    required = {p.name: p.ordinary for p in parameters if p.required}
    role = next(
        (
            r
            for r in API_ROLES
            if clients[r].get(_url(path, parameters, required)).status_code not in (401, 403)
        ),
        API_ROLES[0],
    )

    server_errors = [
        (parameter.name, value)
        for parameter in parameters
        for value in SWEEP
        if clients[role].get(_url(path, parameters, {**required, parameter.name: value})).status_code >= 500
    ]
    assert not server_errors, (role, server_errors)

    @FUZZ
    @given(values=hostile_values(parameters), role=st.sampled_from(API_ROLES))
    def no_server_error(values: dict[str, str], role: str) -> None:
        url = _url(path, parameters, values)
        assert clients[role].get(url).status_code < 500, (role, url)

    no_server_error()


def _html_client(personas: Personas, client_for: Callable[[User | None], Client], role: str) -> Client:
    client = client_for(getattr(personas, role))
    client.raise_request_exception = False
    return client


def _swept(
    send: Callable[[dict[str, Any]], int], base: dict[str, Any], names: set[str]
) -> list[tuple[str, str]]:
    """The (field, value) pairs of the sweep that made a server error."""
    return [
        (name, value) for name in sorted(names) for value in FORM_SWEEP if send({**base, name: value}) >= 500
    ]


@st.composite
def hostile_form(draw: st.DrawFn, base: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """The base data with one to three of the fields `names` set to hostile values."""
    fields = draw(st.lists(st.sampled_from(sorted(names)), min_size=1, max_size=3, unique=True))
    return {**base, **{name: draw(HOSTILE) for name in fields}}


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["visit", "letter"])
def test_no_intake_field_makes_a_server_error(personas, client_for, intake_post, channel):
    client = _html_client(personas, client_for, "clerk_a")
    # Every field of the form and of a petitioner row, and the row count of the formset.
    names = (
        set(IntakeForm(user=personas.clerk_a).fields)
        | {f"petitioners-0-{name}" for name in PetitionerForm.base_fields}
        | {"petitioners-TOTAL_FORMS"}
    )
    base = {**intake_post.data, "channel": channel}

    def send(data: dict[str, Any]) -> int:
        return client.post(f"/petitions/new/{channel}/", data).status_code

    if channel == "visit":  # both pages post the same form, so one sweep covers its fields
        assert not _swept(send, base, names)

    @FUZZ
    @given(data=hostile_form(base, names))
    def no_server_error(data: dict[str, Any]) -> None:
        assert send(data) < 500, data

    no_server_error()


HTML_GET_FORMS = {
    "calculator": (
        "/calendar/due/",
        "clerk_a",
        {"start": "2026-01-05", "days": "5", "unit": "calendar", "roll_forward": "on"},
        set(DueDateForm.base_fields),
    ),
    "suggestions": (
        "/petitions/new-suggestions/",
        "clerk_a",
        {
            "summary": "反映某公司拖欠工资三个月",
            "petitioners-0-id_number": "",
            "petitioners-0-phone": "13800138000",
            "petitioners-0-name": "张三",
            "petitioners-0-address_division": "",
        },
        {"summary"}
        | {f"petitioners-0-{name}" for name in ("id_number", "phone", "name", "address_division")},
    ),
    "item list": (
        "/petitions/",
        "section_head",
        dict.fromkeys(ItemFilter.base_filters, "") | {"page": "1"},
        {*ItemFilter.base_filters, "page"},
    ),
    "ledger list": (
        "/ledger/",
        "section_head",
        dict.fromkeys(KeyCaseFilter.base_filters, "") | {"page": "1"},
        {*KeyCaseFilter.base_filters, "page"},
    ),
    "division options": ("/divisions/options/", "clerk_a", {"parent": "", "level": "1"}, {"parent", "level"}),
    "division browser": ("/divisions/", "clerk_a", {"code": "", "q": ""}, {"code", "q"}),
    "calendar": ("/calendar/", "clerk_a", {"year": "2026"}, {"year"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("form", HTML_GET_FORMS)
def test_no_field_of_a_page_query_makes_a_server_error(personas, client_for, form):
    url, role, base, names = HTML_GET_FORMS[form]
    client = _html_client(personas, client_for, role)

    def send(data: dict[str, Any]) -> int:
        return client.get(url, data).status_code

    assert not _swept(send, base, names)

    @FUZZ
    @given(data=hostile_form(base, names))
    def no_server_error(data: dict[str, Any]) -> None:
        assert send(data) < 500, data

    no_server_error()
