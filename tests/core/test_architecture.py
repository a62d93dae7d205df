"""Structure rules that keep reads scoped: views and API code never query a model manager directly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "accountability", "petitions", "ledger", "dashboard"]
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def read_paths() -> list[Path]:
    """Every module that answers a request: views, API views and serializers, filters, page forms."""
    paths: list[Path] = []
    for app in APPS:
        base = ROOT / app
        paths += [p for p in (base / "views.py", base / "filters.py") if p.exists()]
        for folder in ("views", "api"):
            paths += sorted((base / folder).glob("*.py"))
    return paths


def direct_queries(source: str) -> list[str]:
    """Places in `source` that reach a model manager, or pass a model class to a 404 shortcut."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGER_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SHORTCUTS
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id[:1].isupper()
        ):
            found.append(f"line {node.lineno}: {node.func.id}({node.args[0].id}, …)")
    return found


def test_the_checker_finds_a_direct_query_and_a_model_passed_to_get_object_or_404():
    sample = "def v(r, pk):\n    a = Unit.objects.all()\n    return get_object_or_404(Unit, pk=pk)\n"
    assert sorted(direct_queries(sample)) == ["line 2: .objects", "line 3: get_object_or_404(Unit, …)"]


def test_the_checker_accepts_a_scoped_selector():
    sample = "def v(r, pk):\n    return get_object_or_404(unit_qs_visible_to(r.user), pk=pk)\n"
    assert direct_queries(sample) == []


def test_the_scan_covers_the_request_modules():
    names = {str(path.relative_to(ROOT)) for path in read_paths()}
    assert {"core/views/units.py", "core/api/views.py", "core/filters.py"} <= names


@pytest.mark.parametrize("path", read_paths(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_or_api_module_queries_a_model_directly(path):
    assert direct_queries(path.read_text()) == [], f"{path}: read through a selector scoped to the user"


# Which first-party apps each app may import: core ← accountability ← petitions ← ledger ← dashboard.
# (ledger links key cases to petition items, so it may read petitions; petitions never reads the ledger.)
MAY_IMPORT = {
    "core": {"core", "config"},
    "accountability": {"core", "accountability", "config"},
    "petitions": {"core", "accountability", "petitions", "config"},
    "ledger": {"core", "accountability", "petitions", "ledger", "config"},
    "dashboard": {"core", "accountability", "petitions", "ledger", "dashboard", "config"},
}


def first_party_imports(source: str) -> set[str]:
    """The first-party top-level packages a module imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found |= {name.split(".")[0] for name in names if name.split(".")[0] in MAY_IMPORT}
    return found


def test_the_import_checker_sees_both_import_forms():
    assert first_party_imports("import petitions.models\nfrom ledger.services import x\nimport os\n") == {
        "petitions",
        "ledger",
    }


@pytest.mark.parametrize("app", APPS)
def test_dependencies_point_one_way(app):
    wrong = {
        f"{path.relative_to(ROOT)}: {sorted(first_party_imports(path.read_text()) - MAY_IMPORT[app])}"
        for path in (ROOT / app).rglob("*.py")
        if first_party_imports(path.read_text()) - MAY_IMPORT[app]
    }
    assert not wrong, sorted(wrong)
