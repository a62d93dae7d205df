"""Every Excel the system hands out keeps formula-like text as text: ledger, its import template, the dashboard,
the weekly bulletin and the assessment, each downloaded as its users download it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from core.models import Unit, User
from dashboard.bulletin import bulletins_generate
from dashboard.models import WeeklyBulletin
from ledger.models import KeyCase
from tests.support.accounts import Tree
from tests.support.helpers import travel_to
from tests.support.keycases import LedgerCast

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)  # a Monday: last week's bulletin can be generated
CRAFTED = '=HYPERLINK("http://evil.example","点击")'
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with travel_to(TODAY):
        yield


@pytest.fixture
def crafted_units(tree: Tree) -> None:
    """County A and its department carry a name a spreadsheet would run as a formula."""
    Unit.objects.filter(pk__in=[tree.county_a.pk, tree.county_a_department.pk]).update(name=CRAFTED)


def _workbook(response: Any) -> openpyxl.Workbook:
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(body))


def _assert_guarded(workbook: openpyxl.Workbook) -> None:
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    crafted = [cell for cell in cells if cell.value == CRAFTED]
    assert crafted, "the crafted name reaches the export"
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in crafted)


def _exports(ledger_cast: LedgerCast, make_case: Callable[..., KeyCase]) -> dict[str, tuple[User, str]]:
    make_case()
    bulletins_generate(actor=None)
    bulletin = WeeklyBulletin.objects.get(unit=ledger_cast.tree.city)
    return {
        "ledger": (ledger_cast.head, reverse("ledger:export")),
        "ledger import template": (ledger_cast.head, reverse("ledger:import_template")),
        "dashboard": (ledger_cast.leader, reverse("dashboard:overview") + "?format=xlsx"),
        "weekly bulletin": (ledger_cast.leader, reverse("dashboard:bulletin_excel", args=[bulletin.pk])),
        "assessment": (ledger_cast.leader, "/accountability/assessment/?format=xlsx"),
    }


def test_every_export_writes_a_formula_like_unit_name_as_quoted_text(
    crafted_units: None,
    ledger_cast: LedgerCast,
    make_case: Callable[..., KeyCase],
    client_for: Callable[[User | None], Client],
):
    for name, (user, url) in _exports(ledger_cast, make_case).items():
        response = client_for(user).get(url)
        assert response["Content-Disposition"].startswith("attachment;"), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        _assert_guarded(_workbook(response))


def test_every_module_that_builds_a_workbook_or_a_csv_writes_text_through_the_one_guard():
    apps = [
        ROOT / name for name in ("core", "accountability", "petitions", "ledger", "dashboard", "benchmarks")
    ]
    builders = [
        path
        for app in apps
        for path in app.rglob("*.py")
        if "Workbook(" in (text := path.read_text()) or "csv.writer" in text or "DictWriter" in text
    ]
    assert {path.relative_to(ROOT).as_posix() for path in builders} >= {
        "ledger/excel.py",
        "dashboard/excel.py",
        "dashboard/bulletin_excel.py",
        "accountability/assessment.py",
    }
    for path in builders:
        assert re.search(r"from core\.excel import .*guarded", path.read_text()), path
