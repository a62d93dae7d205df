"""Structure rules: scoped reads in views and API code, one-way imports between apps, benchmarks apart."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.database_map import (
    DOC,
    definitions,
    installed_triggers,
    map_functions,
    map_views,
    relation_names,
)

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_APPS = ["core", "accountability", "petitions", "ledger", "dashboard"]
APPS = [*PRODUCT_APPS, "benchmarks"]
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
# benchmarks measures them all and may import any of them; no product app imports benchmarks.
MAY_IMPORT = {
    "core": {"core", "config"},
    "accountability": {"core", "accountability", "config"},
    "petitions": {"core", "accountability", "petitions", "config"},
    "ledger": {"core", "accountability", "petitions", "ledger", "config"},
    "dashboard": {"core", "accountability", "petitions", "ledger", "dashboard", "config"},
    "benchmarks": {*APPS, "config"},
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


def benchmark_code(path: Path) -> bool:
    """Whether a module is part of the benchmark harness, imports it, or names its seeding or process modules."""
    source = path.read_text()
    return (
        "benchmark" in path.name
        or "benchmarks" in first_party_imports(source)
        or any(name in source for name in ("benchmark_seed", "benchmark_processes"))
    )


def test_the_benchmark_checker_sees_a_command_an_import_and_a_seeding_call(tmp_path: Path):
    command = tmp_path / "sweep_benchmark.py"
    importer = tmp_path / "views.py"
    caller = tmp_path / "tasks.py"
    plain = tmp_path / "sweep.py"
    command.write_text("")
    importer.write_text("from benchmarks import processes\n")
    caller.write_text("call_command('benchmark_seed', items=10)\n")
    plain.write_text("# figures in docs/benchmarks.md\n")
    assert [benchmark_code(path) for path in (command, importer, caller, plain)] == [True, True, True, False]


@pytest.mark.parametrize("app", PRODUCT_APPS)
def test_no_product_app_holds_imports_or_seeds_benchmark_code(app):
    found = sorted(str(path.relative_to(ROOT)) for path in (ROOT / app).rglob("*.py") if benchmark_code(path))
    assert found == [], "benchmark code belongs in benchmarks/"


# --- the database follows the arrow too ---

# Triggers that run a higher app's function on a lower app's table: a write made by the lower app runs code it may
# not import, the database crossing the arrow the other way. Each is explained in docs/development/database.md
# ("Triggers that cross app lines"); a new one needs its reason here and there.
DATABASE_CROSSINGS = {
    "petitions_unit_moved": "a unit moved in the tree changes the subtree sums of every month (core_unit)",
    "petitions_item_reach_units": "a unit moved in the tree changes which units see its items (core_unit)",
    "petitions_item_obligation_due_insert_delete": "an item's obligation date follows its clocks (accountability_deadline)",
    "petitions_item_obligation_due_update": "an item's obligation date follows its clocks (accountability_deadline)",
    "petitions_item_obligation_rule": "a rule that starts or stops being an obligation moves the dates of the items "
    "with its open clocks (accountability_deadlinerule)",
}


def table_app(table: str) -> str | None:
    """The product app whose label starts the table's name; None for Django's own and third parties' tables."""
    return next((app for app in PRODUCT_APPS if table.startswith(f"{app}_")), None)


def may_fire_on(owner: str, table: str) -> bool:
    """Whether `owner`'s trigger function may sit on `table`: the table's app could call it itself."""
    app = table_app(table)
    return app is not None and owner in MAY_IMPORT[app]


def may_read(owner: str, table: str) -> bool:
    """Whether `owner`'s function or view may read `table`: the owner may import the table's app."""
    app = table_app(table)
    return app is not None and app in MAY_IMPORT.get(owner, set())


def test_the_database_checkers_follow_the_import_arrow():
    assert may_fire_on("petitions", "petitions_item")
    assert may_fire_on("core", "petitions_item")
    assert not may_fire_on("petitions", "core_unit")
    assert not may_fire_on("core", "auth_user")
    assert may_read("petitions", "core_unit")
    assert not may_read("core", "petitions_item")


@pytest.mark.django_db
def test_triggers_cross_the_arrow_only_where_documented():
    owners = {function.name: function.app for function in map_functions()}
    crossing = {
        trigger.name
        for trigger in installed_triggers()
        if not may_fire_on(owners.get(trigger.function, "?"), trigger.table)
    }
    new = sorted(crossing - DATABASE_CROSSINGS.keys())
    assert not new, (
        f"triggers running a higher app's function on a lower app's table, not in DATABASE_CROSSINGS: {new}"
    )
    stale = sorted(DATABASE_CROSSINGS.keys() - crossing)
    assert not stale, f"DATABASE_CROSSINGS lists triggers that no longer cross the arrow: {stale}"


def test_every_crossing_is_explained_on_the_database_map():
    section = DOC.read_text().partition("## Triggers that cross app lines")[2].partition("\n## ")[0]
    missing = sorted(name for name in DATABASE_CROSSINGS if f"`{name}`" not in section)
    assert not missing, (
        f"not explained under 'Triggers that cross app lines' in {DOC.relative_to(ROOT)}: {missing}"
    )


@pytest.mark.django_db
def test_database_functions_and_views_read_only_tables_of_apps_their_app_may_import():
    owners = {function.name: function.app for function in map_functions()}
    owners |= {view.name: view.app for view in map_views()}
    relations = relation_names()
    wrong = sorted(
        f"{name} ({owners.get(name, '?')}) reads {table}"
        for name, body in definitions().items()
        for table in set(re.findall(r"\b[a-z_][a-z0-9_]*\b", body)) & relations
        if not may_read(owners.get(name, "?"), table)
    )
    assert not wrong, wrong
