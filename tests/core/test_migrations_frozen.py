"""Migrations carry their own data: none imports project code but the field classes its schema names."""

from __future__ import annotations

import ast
import datetime
import hashlib
import importlib
import json
from pathlib import Path

import pytest
from chinese_calendar import __version__

from core.calendar_seed import package_days

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted(
    path
    for path in ROOT.glob("*/migrations/*.py")
    if path.name != "__init__.py" and ".venv" not in path.parts
)
PROJECT_PACKAGES = {path.parent.name for path in ROOT.glob("*/__init__.py")} | {
    path.stem for path in ROOT.glob("*.py")
}

# What a migration may take from the project: the field classes (and field arguments) its schema operations name,
# which Django's autodetector writes as imports. Each module maps to the names a migration may use from it.
ALLOWED = {
    "core.models.encrypted": {"EncryptedCharField"},  # the field class of encrypted columns
    "petitions.models": {"attachment_path"},  # Attachment.file's upload_to callable
}

# Named exceptions. The two encryption migrations rewrite existing plaintext under the deployment's active key:
# they need the live key ring and cipher (core.services.fieldkeys over core.fieldcrypt), the same code the
# application decrypts with; a frozen copy could seal columns the running code cannot read. They load no
# reference data, so nothing in them can silently differ between a fresh database and a running one.
EXCEPTIONS = {
    "core/migrations/0010_user_phone_encrypted.py": {"core.services.fieldkeys"},
    "petitions/migrations/0007_personal_data_encrypted.py": {"core.services.fieldkeys"},
}


def project_imports(source: str, allowed_extra: frozenset[str] = frozenset()) -> list[str]:
    """Every use of project code in a migration's source that ALLOWED and `allowed_extra` do not cover."""
    tree = ast.parse(source)
    found: list[str] = []
    imported_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                found.append(f"line {node.lineno}: relative import from {'.' * node.level}{module}")
            elif module.split(".")[0] in PROJECT_PACKAGES and module not in allowed_extra:
                names = {alias.name for alias in node.names}
                if not names <= ALLOWED.get(module, set()):
                    found.append(f"line {node.lineno}: from {module} import {', '.join(sorted(names))}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT_PACKAGES and alias.name not in allowed_extra:
                    if alias.name not in ALLOWED or alias.asname:
                        found.append(f"line {node.lineno}: import {alias.name}")
                    else:
                        imported_modules.add(alias.name)
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in {"import_module", "__import__"} and node.args:
                target = node.args[0]
                if not (
                    isinstance(target, ast.Constant)
                    and str(target.value).split(".")[0] not in PROJECT_PACKAGES
                ):
                    found.append(f"line {node.lineno}: {name}(…)")
    # `import core.models.encrypted` is then used as core.models.encrypted.<name>: only the allowed names.
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = ast.unparse(node.value)
            if dotted in imported_modules and node.attr not in ALLOWED[dotted]:
                found.append(f"line {node.lineno}: {dotted}.{node.attr}")
    return sorted(found, key=lambda place: int(place.split(":")[0].removeprefix("line ")))


def test_the_checker_refuses_project_imports_and_accepts_field_classes():
    sample = (
        "import json\n"
        "from django.db import migrations\n"
        "import core.models.encrypted\n"
        "from petitions.seed_data import reference_data_load\n"
        "import ledger.choices\n"
        "from .helpers import x\n"
        "from core.models.encrypted import EncryptedCharField, field_encrypt\n"
        "f = core.models.encrypted.EncryptedCharField(max_length=5)\n"
        "g = core.models.encrypted.field_encrypt\n"
        "def seed(apps, editor):\n"
        "    from core.calendar_seed import package_days\n"
        "    importlib.import_module('core.division_data')\n"
    )
    assert project_imports(sample) == [
        "line 4: from petitions.seed_data import reference_data_load",
        "line 5: import ledger.choices",
        "line 6: relative import from .helpers",
        "line 7: from core.models.encrypted import EncryptedCharField, field_encrypt",
        "line 9: core.models.encrypted.field_encrypt",
        "line 11: from core.calendar_seed import package_days",
        "line 12: import_module(…)",
    ]


def test_the_scan_covers_every_app_and_the_exceptions_exist():
    names = {str(path.relative_to(ROOT)) for path in MIGRATIONS}
    assert {"petitions/migrations/0002_reference_data.py", "core/migrations/0005_division_load.py"} <= names
    assert set(EXCEPTIONS) <= names
    assert {"core", "accountability", "petitions", "ledger", "dashboard", "config"} <= PROJECT_PACKAGES


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_migration_imports_live_project_code(path: Path):
    allowed = frozenset(EXCEPTIONS.get(str(path.relative_to(ROOT)), set()))
    assert project_imports(path.read_text(encoding="utf-8"), allowed) == [], (
        f"{path.relative_to(ROOT)}: copy the data (and any small helper) into the migration, or into a data file "
        "next to it read by path"
    )


def test_the_frozen_calendar_is_what_the_pinned_package_had():
    """The copy in core/migrations/data is faithful to chinesecalendar 1.11.0, which migration 0003 loaded.

    A later package that changes one of these years does not change this file: such a correction reaches
    running systems as a calendar revision (the calendar page), not by editing the migration's data.
    """
    data = json.loads((ROOT / "core/migrations/data/0003_calendar_seed.json").read_text(encoding="utf-8"))
    frozen = [(datetime.date.fromisoformat(day), kind, name) for day, kind, name in data["days"]]
    assert data["years"] == list(range(2004, 2027))
    assert len(frozen) == 771
    if __version__ == "1.11.0":
        assert frozen == [(day, str(kind), name) for day, kind, name in package_days() if day.year <= 2026]


def test_the_division_migration_loads_the_shipped_file():
    migration = importlib.import_module("core.migrations.0005_division_load")
    digest = hashlib.sha256((ROOT / "core/data/divisions.csv.gz").read_bytes()).hexdigest()
    assert digest == migration.DIVISIONS_SHA256, (
        "core/data/divisions.csv.gz changed: migration 0005 would refuse it on a new database; ship new data under "
        "a new name with a migration of its own (core/data/README.md)"
    )
