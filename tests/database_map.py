"""The database map (docs/development/database.md) read as data, and what the database and the code hold."""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "development" / "database.md"

# Folders whose Python is not application code: tests, migrations (their SQL is on the map's own tables), tooling.
NOT_SCANNED = {"tests", "migrations", "static", "staticfiles", "media", "node_modules"}
# A string that starts like a statement, and the calls that hand SQL to the database.
SQL_START = re.compile(
    r"^\s*(SELECT|INSERT INTO|UPDATE \w+|DELETE FROM|WITH (RECURSIVE )?\w+ AS|LOCK TABLE|CREATE|ALTER|DROP|TRUNCATE|"
    r"VACUUM|GRANT|REVOKE|SET TRANSACTION|EXPLAIN)\s"
)
SQL_CALLS = {"execute", "executemany", "raw", "extra"}


@dataclass(frozen=True)
class MapTrigger:
    """One row of the map's trigger table."""

    name: str
    table: str
    fires: str
    app: str
    migration: str
    function: str
    tests: tuple[str, ...]


@dataclass(frozen=True)
class MapFunction:
    """One row of the map's function table."""

    name: str
    app: str
    migration: str
    security_definer: bool
    tests: tuple[str, ...]


@dataclass(frozen=True)
class MapView:
    """One row of the map's view table."""

    name: str
    app: str
    migration: str
    tests: tuple[str, ...]


@dataclass(frozen=True)
class InstalledTrigger:
    """A trigger as pg_trigger has it."""

    name: str
    table: str
    function: str
    fires: str


# --- the map ---


def _cell(text: str) -> str:
    return text.replace("`", "").strip()


def doc_tables(text: str) -> dict[str, list[dict[str, str]]]:
    """Every markdown table of `text` by the title of its first column: a list of rows, each cell by its title."""
    tables: dict[str, list[dict[str, str]]] = {}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        starts = line.startswith("|") and (index == 0 or not lines[index - 1].startswith("|"))
        if not starts or index + 1 >= len(lines) or not lines[index + 1].startswith("|-"):
            continue
        header = [_cell(cell) for cell in line.strip().strip("|").split("|")]
        rows = tables.setdefault(header[0], [])
        for row in lines[index + 2 :]:
            if not row.startswith("|"):
                break
            cells = [_cell(cell) for cell in row.strip().strip("|").split("|")]
            rows.append(dict(zip(header, cells, strict=True)))
    return tables


def _tests(cell: str) -> tuple[str, ...]:
    return tuple(path.strip() for path in cell.split(",") if path.strip())


def _installed_by(cell: str) -> tuple[str, str]:
    app, migration = cell.split()
    return app, migration


def map_triggers(text: str | None = None) -> list[MapTrigger]:
    """The triggers on the map."""
    rows = doc_tables(DOC.read_text() if text is None else text).get("Trigger", [])
    return [
        MapTrigger(
            row["Trigger"],
            row["Table"],
            row["Fires"],
            *_installed_by(row["Installed by"]),
            row["Function"],
            _tests(row["Tests"]),
        )
        for row in rows
    ]


def map_functions(text: str | None = None) -> list[MapFunction]:
    """The functions on the map (the name without its arguments)."""
    rows = doc_tables(DOC.read_text() if text is None else text).get("Function", [])
    return [
        MapFunction(
            row["Function"].split("(")[0],
            *_installed_by(row["Installed by"]),
            row["Security definer"] == "yes",
            _tests(row["Tests"]),
        )
        for row in rows
    ]


def map_views(text: str | None = None) -> list[MapView]:
    """The views on the map."""
    rows = doc_tables(DOC.read_text() if text is None else text).get("View", [])
    return [MapView(row["View"], *_installed_by(row["Installed by"]), _tests(row["Tests"])) for row in rows]


def map_sql_modules(text: str | None = None) -> list[str]:
    """The Python modules the map lists as holding raw SQL."""
    return [row["Module"] for row in doc_tables(DOC.read_text() if text is None else text).get("Module", [])]


# --- the database ---


def trigger_fires(definition: str) -> str:
    """When a trigger fires, in the map's words, from its pg_get_triggerdef():
    "AFTER UPDATE OF path; statement", with "; WHEN", "; transition tables", "; deferred constraint" as they apply.
    """
    found = re.match(r"CREATE (?:CONSTRAINT )?TRIGGER \S+ (.+?) ON \S+ (.*) EXECUTE FUNCTION ", definition)
    if found is None:
        raise ValueError(f"unexpected trigger definition: {definition}")
    events, rest = found.groups()
    parts = [events, "statement" if "FOR EACH STATEMENT" in rest else "row"]
    if re.search(r"FOR EACH (ROW|STATEMENT) WHEN ", rest):
        parts.append("WHEN")
    if "REFERENCING " in rest:
        parts.append("transition tables")
    if "INITIALLY DEFERRED" in rest:
        parts.append("deferred constraint")
    return "; ".join(parts)


def installed_triggers() -> list[InstalledTrigger]:
    """The triggers the database holds on the tables of the current schema (not those it makes for constraints)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.tgname, c.relname, p.proname, pg_get_triggerdef(t.oid)
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND n.nspname = current_schema()
            ORDER BY 1, 2
            """
        )
        return [
            InstalledTrigger(name, table, function, trigger_fires(definition))
            for name, table, function, definition in cursor.fetchall()
        ]


def installed_functions() -> dict[str, bool]:
    """The functions of the current schema that no extension owns, each with whether it is SECURITY DEFINER."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.proname, p.prosecdef
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
            """
        )
        return dict(cursor.fetchall())


def installed_views() -> set[str]:
    """The views of the current schema that no extension owns."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('v', 'm')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e')
            """
        )
        return {row[0] for row in cursor.fetchall()}


def definitions() -> dict[str, str]:
    """The body of every function, and the query of every view, of the current schema that no extension owns."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.proname, p.prosrc
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
            UNION ALL
            SELECT c.relname, pg_get_viewdef(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('v', 'm')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e')
            """
        )
        return dict(cursor.fetchall())


def relation_names() -> set[str]:
    """The tables and views of the current schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')"
        )
        return {row[0] for row in cursor.fetchall()}


# --- the code ---


def sql_reasons(source: str) -> set[str]:
    """Why a module counts as holding raw SQL: the calls that run it, and string constants that read as SQL."""
    reasons: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
                reasons.add(f".{node.func.attr}()")
            if isinstance(node.func, ast.Name) and node.func.id == "RawSQL":
                reasons.add("RawSQL()")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_START.match(node.value):
            reasons.add("SQL string")
    return reasons


def python_modules() -> list[Path]:
    """The project's own Python outside tests, migrations and hidden folders (the virtualenv among them)."""
    found: list[Path] = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if not name.startswith(".") and name not in NOT_SCANNED]
        found += [Path(folder) / name for name in files if name.endswith(".py")]
    return sorted(found)


def sql_modules() -> set[str]:
    """The modules, relative to the project root, that hold raw SQL."""
    return {str(path.relative_to(ROOT)) for path in python_modules() if sql_reasons(path.read_text())}
