"""The database map (docs/development/database.md) lists exactly the triggers, functions and views the migrations
install, and every Python module that holds raw SQL; the models whose writes fire triggers point to it."""

from __future__ import annotations

import inspect
import re
from collections import Counter
from collections.abc import Iterable

import pytest
from django.apps import apps

from tests.database_map import (
    DOC,
    ROOT,
    doc_tables,
    installed_functions,
    installed_triggers,
    installed_views,
    map_functions,
    map_sql_modules,
    map_triggers,
    map_views,
    sql_modules,
    sql_reasons,
    trigger_fires,
)

MAP = DOC.relative_to(ROOT)


def mismatch(installed: Iterable[object], mapped: Iterable[object]) -> str:
    """What is installed but not on the map, and what is on the map but not installed; "" when they agree."""
    installed, mapped = set(installed), set(mapped)
    lines = []
    if installed - mapped:
        lines.append(f"installed but not on the map ({MAP}): {sorted(map(str, installed - mapped))}")
    if mapped - installed:
        lines.append(f"on the map ({MAP}) but not installed: {sorted(map(str, mapped - installed))}")
    return "\n".join(lines)


# --- the readers themselves ---

SAMPLE = """
Some text.

| Trigger | Table | Tests |
|---|---|---|
| `a_one` | `a_table` | `tests/x.py`, `tests/y.py` |
| `a_two` | `a_table` | |

| Module | What |
|---|---|
| `core/x.py` | reads |
"""


def test_the_reader_takes_each_table_by_its_first_column_and_strips_code_marks():
    tables = doc_tables(SAMPLE)
    assert tables["Trigger"] == [
        {"Trigger": "a_one", "Table": "a_table", "Tests": "tests/x.py, tests/y.py"},
        {"Trigger": "a_two", "Table": "a_table", "Tests": ""},
    ]
    assert tables["Module"] == [{"Module": "core/x.py", "What": "reads"}]


def test_a_trigger_definition_reads_as_timing_events_level_and_its_particulars():
    assert (
        trigger_fires(
            "CREATE TRIGGER t AFTER UPDATE OF a, b ON x FOR EACH ROW WHEN ((old.a IS DISTINCT FROM new.a)) "
            "EXECUTE FUNCTION f()"
        )
        == "AFTER UPDATE OF a, b; row; WHEN"
    )
    assert (
        trigger_fires(
            "CREATE TRIGGER t AFTER UPDATE ON x REFERENCING OLD TABLE AS o NEW TABLE AS n "
            "FOR EACH STATEMENT EXECUTE FUNCTION f()"
        )
        == "AFTER UPDATE; statement; transition tables"
    )
    assert (
        trigger_fires(
            "CREATE CONSTRAINT TRIGGER t AFTER INSERT ON x DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION f()"
        )
        == "AFTER INSERT; row; deferred constraint"
    )


def test_the_comparison_names_both_sides():
    message = mismatch({"a", "b"}, {"b", "c"})
    assert "installed but not on the map" in message
    assert "['a']" in message
    assert "on the map (docs/development/database.md) but not installed: ['c']" in message
    assert mismatch({"a"}, {"a"}) == ""


def test_the_sql_scanner_sees_cursor_calls_raw_querysets_and_sql_constants():
    assert sql_reasons("def f(c):\n    c.execute(q)\n") == {".execute()"}
    assert sql_reasons("def f():\n    return Unit.objects.raw(q)\n") == {".raw()"}
    assert sql_reasons('Q = """\n    SELECT 1 FROM core_unit\n"""\n') == {"SQL string"}
    assert sql_reasons('"""Selects the units."""\nNAME = "SELECT"\n') == set()


# --- the map against the database ---


@pytest.mark.django_db
def test_every_installed_trigger_is_on_the_map_and_every_trigger_on_the_map_is_installed():
    installed = {(trigger.name, trigger.table) for trigger in installed_triggers()}
    mapped = {(trigger.name, trigger.table) for trigger in map_triggers()}
    message = mismatch(installed, mapped)
    assert not message, message


@pytest.mark.django_db
def test_each_trigger_runs_the_function_and_fires_as_the_map_says():
    installed = {(t.name, t.table): (t.function, t.fires) for t in installed_triggers()}
    mapped = {(t.name, t.table): (t.function, t.fires) for t in map_triggers()}
    wrong = {
        f"{name} on {table}: installed {installed[name, table]}, map says {described}"
        for (name, table), described in mapped.items()
        if (name, table) in installed and installed[name, table] != described
    }
    assert not wrong, sorted(wrong)


@pytest.mark.django_db
def test_every_installed_function_is_on_the_map_and_every_function_on_the_map_is_installed():
    message = mismatch(installed_functions(), {function.name for function in map_functions()})
    assert not message, message


@pytest.mark.django_db
def test_security_definer_functions_are_exactly_those_the_map_marks():
    installed = {name for name, definer in installed_functions().items() if definer}
    mapped = {function.name for function in map_functions() if function.security_definer}
    message = mismatch(installed, mapped)
    assert not message, f"SECURITY DEFINER:\n{message}"


@pytest.mark.django_db
def test_every_installed_view_is_on_the_map_and_every_view_on_the_map_is_installed():
    message = mismatch(installed_views(), {view.name for view in map_views()})
    assert not message, message


# --- the map against the code ---


def mapped_objects() -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(kind, name, app, migration, tests) of every trigger, function and view on the map."""
    return [
        *(("TRIGGER", t.name, t.app, t.migration, t.tests) for t in map_triggers()),
        *(("FUNCTION", f.name, f.app, f.migration, f.tests) for f in map_functions()),
        *(("VIEW", v.name, v.app, v.migration, v.tests) for v in map_views()),
    ]


def test_the_map_has_its_tables_and_names_each_object_once():
    kinds = Counter(kind for kind, *_rest in mapped_objects())
    assert kinds["TRIGGER"], f"{MAP} lost its trigger table"
    assert kinds["FUNCTION"], f"{MAP} lost its function table"
    assert map_sql_modules(), f"{MAP} lost its table of modules"
    twice = [
        key
        for key, count in Counter((kind, name) for kind, name, *_ in mapped_objects()).items()
        if count > 1
    ]
    assert not twice, twice


def test_every_test_file_named_on_the_map_exists():
    named = {path for *_rest, tests in mapped_objects() for path in tests}
    missing = sorted(path for path in named if not (ROOT / path).is_file())
    assert not missing, f"{MAP} names test files that do not exist: {missing}"


def test_every_object_names_a_test_file():
    untested = sorted(f"{kind} {name}" for kind, name, *_rest, tests in mapped_objects() if not tests)
    assert not untested, untested


def test_each_object_is_created_by_the_migration_the_map_names():
    wrong = []
    for kind, name, app, migration, _tests in mapped_objects():
        path = ROOT / app / "migrations" / f"{migration}.py"
        created = rf"CREATE (OR REPLACE )?(CONSTRAINT )?{kind} {re.escape(name)}\b"
        if not path.is_file() or not re.search(created, path.read_text()):
            wrong.append(f"{kind} {name}: not created in {path.relative_to(ROOT)}")
    assert not wrong, wrong


def test_each_name_starts_with_the_label_of_the_app_that_owns_it():
    wrong = sorted(
        f"{kind} {name} ({app})" for kind, name, app, *_ in mapped_objects() if not name.startswith(f"{app}_")
    )
    assert not wrong, wrong


def test_the_map_lists_every_module_that_holds_raw_sql():
    message = mismatch(sql_modules(), map_sql_modules()).replace("installed", "holding raw SQL")
    assert not message, message


# --- the models point to the map ---


def comment_above(model: type) -> str:
    """The line directly above the model's class statement."""
    _lines, first = inspect.getsourcelines(model)
    source = inspect.getsourcefile(model)
    assert source is not None
    with open(source) as handle:
        return handle.read().splitlines()[first - 2].strip()


def test_each_model_whose_writes_fire_triggers_names_them_above_its_class():
    models = {model._meta.db_table: model for model in apps.get_models()}
    tables: dict[str, set[str]] = {}
    for trigger in map_triggers():
        tables.setdefault(trigger.table, set()).add(trigger.name)
    wrong = []
    for table, names in sorted(tables.items()):
        comment = comment_above(models[table])
        named = set(re.findall(r"\w+", comment.partition("(")[2]))
        if not comment.startswith(f"# Writes fire database triggers: see {MAP} (") or named != names:
            wrong.append(
                f"{models[table].__name__}: expected a comment naming {sorted(names)}, found {comment!r}"
            )
    assert not wrong, "\n".join(wrong)
