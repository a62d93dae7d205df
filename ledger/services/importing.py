"""Importing a ledger spreadsheet: keep the upload between preview and confirmation, check every row, and put
the rows on the ledger through keycase_create in one audited transaction."""

from __future__ import annotations

import re
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.record import audit_record
from core.errors import DomainError
from core.models import Unit, User
from core.selectors import unit_qs_visible_to
from ledger import excel
from ledger.choices import RiskLevel, Source
from ledger.models import KeyCase
from ledger.selectors import leaders_for_case_owner, people_for_cases
from ledger.services.keycases import KeyCaseInput, keycase_create
from ledger.services.keycases import _validate as keycase_validate

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
UPLOAD_DIR = "ledger_imports"
UPLOAD_TTL_SECONDS = 24 * 3600  # an upload nobody confirmed is removed on the next upload after a day
TOKEN = re.compile(r"^[0-9a-f]{32}$")
TEXT_LIMITS = {"title": 100, "problem": 2000, "measures": 2000, "group_concerned": 50}
HEADER_OF = {column.key: column.header for column in excel.IMPORT_COLUMNS}
_NAME_WITH_USERNAME = re.compile(r"^(?P<name>.+?)\s*[（(]\s*(?P<username>[^（）()]+?)\s*[）)]$")


@dataclass
class CellError:
    """One problem of one row, at the column (header) that caused it."""

    row: int
    column: str
    message: str
    value: str = ""


@dataclass
class RowCheck:
    """One data row: what it would put on the ledger, or why it cannot."""

    row: int
    data: KeyCaseInput | None
    errors: list[CellError]
    shown: dict[str, str]  # the row's cells as text, for the preview

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def cells(self) -> list[str]:
        """The importable cells in template order."""
        return [self.shown.get(column.header, "") for column in excel.IMPORT_COLUMNS]


@dataclass
class ImportCheck:
    """The whole file checked: problems of the file itself (missing columns…), then every row."""

    file_errors: list[str] = field(default_factory=list)
    rows: list[RowCheck] = field(default_factory=list)
    example_rows: list[int] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def valid(self) -> list[RowCheck]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid(self) -> list[RowCheck]:
        return [row for row in self.rows if not row.ok]

    @property
    def errors(self) -> list[CellError]:
        return [error for row in self.rows for error in row.errors]


@dataclass
class ImportResult:
    cases: list[KeyCase]
    check: ImportCheck


def _require_section_head(actor: User) -> None:
    if not actor.has_role("section_head"):
        raise DomainError(_("只有科室负责人可以导入台账。"), code="forbidden")


# --- keeping the upload between preview and confirmation ---


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def import_upload_path(*, actor: User, token: str) -> Path | None:
    """The stored upload of `actor` named by `token`, or None when there is none (or the token is malformed)."""
    if not TOKEN.match(token or ""):
        return None
    path = _upload_dir() / f"{actor.pk}-{token}.xlsx"
    return path if path.is_file() else None


def import_upload_discard(*, actor: User, token: str) -> None:
    path = import_upload_path(actor=actor, token=token)
    if path is not None:
        path.unlink(missing_ok=True)


def _sweep(directory: Path) -> None:
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for old in directory.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except OSError:
            continue  # another request removed it first


def import_upload_store(*, actor: User, upload: UploadedFile) -> str:
    """Keep an uploaded .xlsx under MEDIA_ROOT with a random name tied to the actor; returns the token."""
    _require_section_head(actor)
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise DomainError(_("只能上传 Excel（.xlsx）文件。"), field="file")
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("文件不能超过%(mb)sMB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}, field="file"
        )
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":
        raise DomainError(_("文件不是有效的 Excel（.xlsx）文件。"), field="file")
    upload.seek(0)
    directory = _upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _sweep(directory)
    token = secrets.token_hex(16)
    path = directory / f"{actor.pk}-{token}.xlsx"
    with path.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        excel.check_package(path)
    except DomainError:
        path.unlink(missing_ok=True)
        raise
    return token


# --- checking ---


class _Directory:
    """Units, leaders and people the actor may name, loaded once per file."""

    def __init__(self, actor: User) -> None:
        units = list(unit_qs_visible_to(actor).filter(is_active=True).order_by("path"))
        self.units_by: dict[str, dict[str, list[Unit]]] = {"code": {}, "name": {}, "short_name": {}}
        for unit in units:
            self.units_by["code"].setdefault(unit.code.upper(), []).append(unit)
            self.units_by["name"].setdefault(unit.name, []).append(unit)
            if unit.short_name:
                self.units_by["short_name"].setdefault(unit.short_name, []).append(unit)
        self.leaders = list(leaders_for_case_owner(actor))
        self.people = list(people_for_cases(actor))

    def unit(self, value: str) -> Unit | str:
        """The unit named by name, short name or code, or the message saying why not."""
        for key, wanted in (("code", value.upper()), ("name", value), ("short_name", value)):
            found = self.units_by[key].get(wanted, [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return _("有%(count)s个单位名为“%(value)s”，请改填单位编码（%(codes)s）。") % {
                    "count": len(found),
                    "value": value,
                    "codes": "、".join(unit.code for unit in found),
                }
        return _("“%(value)s”不是本单位或下级单位（可填单位名称、简称或单位编码）。") % {"value": value}

    @staticmethod
    def person_in(people: list[User], value: str) -> User | list[User] | None:
        """The one person named (username, name, or 姓名（用户名）); None when nobody, a list when ambiguous."""
        match = _NAME_WITH_USERNAME.match(value)
        if match:
            for person in people:
                if person.username == match["username"] and person.full_name == match["name"]:
                    return person
            return None
        for person in people:
            if person.username == value:
                return person
        named = [person for person in people if person.full_name == value]
        if len(named) == 1:
            return named[0]
        return named or None

    def leader(self, value: str) -> User | str:
        found = self.person_in(self.leaders, value)
        if isinstance(found, User):
            return found
        if found:
            return _("有%(count)s名领导名为“%(value)s”，请改填用户名（%(usernames)s）。") % {
                "count": len(found),
                "value": value,
                "usernames": "、".join(person.username for person in found),
            }
        return _(
            "未找到包案领导“%(value)s”：应为本级或上级、下级单位具有领导角色的在职人员（填姓名或用户名）。"
        ) % {"value": value}

    def person(self, unit: Unit, value: str) -> User | str:
        in_unit = [person for person in self.people if unit.contains(person.unit)]
        found = self.person_in(in_unit, value)
        if isinstance(found, User):
            return found
        if found:
            return _("“%(unit)s”有%(count)s人名为“%(value)s”，请改填用户名（%(usernames)s）。") % {
                "unit": unit.name,
                "count": len(found),
                "value": value,
                "usernames": "、".join(person.username for person in found),
            }
        return _("责任单位“%(unit)s”（含下级）中没有“%(value)s”这名人员。") % {
            "unit": unit.name,
            "value": value,
        }


def _choice(value: str, choices: type[Source] | type[RiskLevel], *, suffix: str = "") -> str | None:
    wanted = value.strip()
    if suffix and wanted.endswith(suffix) and len(wanted) > len(suffix):
        wanted = wanted[: -len(suffix)]
    for choice in choices:
        if wanted in (str(choice.label), choice.value):
            return choice.value
    return None


def _head_count(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    match = re.fullmatch(r"\s*(-?\d+)\s*人?\s*", str(value))
    return int(match.group(1)) if match else None


def _check_row(
    number: int, cells: dict[str, Any], directory: _Directory, actor: User, today: date
) -> RowCheck:
    shown = {header: excel.cell_text(value) for header, value in cells.items()}
    errors: list[CellError] = []

    def fail(key: str, message: str) -> None:
        header = HEADER_OF.get(key, "—")
        errors.append(CellError(number, header, message, shown.get(header, "")))

    def text(key: str) -> str:
        return shown.get(HEADER_OF[key], "")

    required = {column.key for column in excel.IMPORT_COLUMNS if column.required}
    for column in excel.IMPORT_COLUMNS:
        if column.key in required and not text(column.key):
            fail(column.key, _("此项为必填项。"))
    for key, limit in TEXT_LIMITS.items():
        if len(text(key)) > limit:
            fail(
                key,
                _("不能超过%(limit)s个字（现有%(count)s个）。") % {"limit": limit, "count": len(text(key))},
            )

    source = _choice(text("source"), Source) if text("source") else None
    if text("source") and source is None:
        fail(
            "source",
            _("“%(value)s”不是可选的来源，应为：%(choices)s。")
            % {"value": text("source"), "choices": "、".join(str(label) for label in Source.labels)},
        )
    risk = _choice(text("risk_level"), RiskLevel, suffix="风险") if text("risk_level") else None
    if text("risk_level") and risk is None:
        fail(
            "risk_level",
            _("“%(value)s”不是可选的风险等级，应为：%(choices)s。")
            % {"value": text("risk_level"), "choices": "、".join(str(label) for label in RiskLevel.labels)},
        )

    head_count = _head_count(cells.get(HEADER_OF["head_count"]))
    if head_count is None or head_count < 0:
        fail("head_count", _("涉及人数应为不小于0的整数。"))

    resolve_by = excel.cell_date(cells.get(HEADER_OF["resolve_by"]))
    if text("resolve_by") and resolve_by is None:
        fail(
            "resolve_by",
            _("“%(value)s”不是有效日期，请写成 2026-12-31 这样的格式。") % {"value": text("resolve_by")},
        )
    elif resolve_by is not None and resolve_by <= today:
        fail(
            "resolve_by",
            _("化解时限（%(day)s）应晚于今天（%(today)s）。")
            % {"day": resolve_by.isoformat(), "today": today.isoformat()},
        )

    owner = directory.leader(text("owner")) if text("owner") else None
    if isinstance(owner, str):
        fail("owner", owner)
    unit = directory.unit(text("responsible_unit")) if text("responsible_unit") else None
    if isinstance(unit, str):
        fail("responsible_unit", unit)
    person: User | str | None = None
    if text("responsible_person") and isinstance(unit, Unit):
        person = directory.person(unit, text("responsible_person"))
        if isinstance(person, str):
            fail("responsible_person", person)
    stabilizing = directory.unit(text("stabilizing_unit")) if text("stabilizing_unit") else None
    if isinstance(stabilizing, str):
        fail("stabilizing_unit", stabilizing)

    if errors:
        return RowCheck(number, None, errors, shown)
    assert isinstance(owner, User)  # nosec B101  # narrows the type: the checks above guarantee it
    assert isinstance(unit, Unit)  # nosec B101  # narrows the type: the checks above guarantee it
    assert source is not None  # nosec B101  # narrows the type: the checks above guarantee it
    assert risk is not None  # nosec B101  # narrows the type: the checks above guarantee it
    assert head_count is not None  # nosec B101  # narrows the type: the checks above guarantee it
    data = KeyCaseInput(
        title=text("title"),
        problem=text("problem"),
        source=source,
        risk_level=risk,
        owner_id=owner.pk,
        responsible_unit_id=unit.pk,
        measures=text("measures"),
        resolve_by=resolve_by,
        group_concerned=text("group_concerned"),
        head_count=head_count,
        responsible_person_id=person.pk if isinstance(person, User) else None,
        stabilizing_unit_id=stabilizing.pk if isinstance(stabilizing, Unit) else None,
        opened_on=today,
    )
    try:
        keycase_validate(data, actor, today)  # the service's own rules, so the preview never promises more
    except DomainError as error:
        fail(error.field or "", error.message)
        return RowCheck(number, None, errors, shown)
    return RowCheck(number, data, [], shown)


def import_check(*, actor: User, path: Path) -> ImportCheck:
    """Read the stored upload and check the header and every row; writes nothing."""
    _require_section_head(actor)
    check = ImportCheck()
    try:
        sheet = excel.read_sheet(path, max_rows=MAX_ROWS)
    except DomainError as error:
        check.file_errors.append(error.message)
        return check
    counts: dict[str, int] = defaultdict(int)
    for header in sheet.headers.values():
        counts[header] += 1
    for header, count in counts.items():
        if count > 1 and header in excel.IMPORT_HEADERS:
            check.file_errors.append(
                _("表头“%(column)s”出现了%(count)s次。") % {"column": header, "count": count}
            )
    for column in excel.IMPORT_COLUMNS:
        if column.required and column.header not in counts:
            check.file_errors.append(
                _("缺少必填列“%(column)s”（表头在第%(row)s行）。")
                % {"column": column.header, "row": sheet.header_row}
            )
    check.ignored_headers = [h for h in counts if h and h not in excel.IMPORT_HEADERS]
    if check.file_errors:
        return check
    directory = _Directory(actor)
    today = timezone.localdate()
    for number, cells in excel.rows_as_dicts(sheet):
        if not any(excel.cell_text(cells.get(column.header)) for column in excel.IMPORT_COLUMNS):
            continue  # only ignored columns filled in
        if excel.cell_text(cells.get(HEADER_OF["title"])).startswith(excel.EXAMPLE_MARK):
            check.example_rows.append(number)
            continue
        check.rows.append(_check_row(number, cells, directory, actor, today))
    if not check.rows:
        check.file_errors.append(_("表格中没有可导入的数据行。"))
    return check


def import_run(*, actor: User, path: Path, file_name: str, only_valid: bool) -> ImportResult:
    """Check the file again and put its rows on the ledger in one transaction, audited as one import event.

    Nothing is imported while a row has an error, unless the user chose to import only the valid rows.
    """
    _require_section_head(actor)
    check = import_check(actor=actor, path=path)
    if check.file_errors:
        raise DomainError(check.file_errors[0], field="file")
    if check.invalid and not only_valid:
        raise DomainError(
            _("有%(count)s行存在错误，未导入任何数据。请修改后重新上传，或勾选“只导入无误的行”。")
            % {"count": len(check.invalid)},
            code="invalid_rows",
        )
    if not check.valid:
        raise DomainError(_("没有无误的行可以导入。"), code="invalid_rows")
    with transaction.atomic():
        cases = []
        for row in check.valid:
            assert row.data is not None  # nosec B101  # narrows the type: the checks above guarantee it
            try:
                cases.append(keycase_create(actor=actor, data=row.data))
            except DomainError as error:
                raise DomainError(
                    _("第%(row)s行未能导入：%(message)s 未导入任何数据。")
                    % {"row": row.row, "message": error.message},
                    code="invalid_rows",
                ) from error
        audit_record(
            actor=actor,
            action="ledger.import.completed",
            object_type="ledger.keycase",
            object_repr=file_name[:200],
            detail={
                "file": file_name[:200],
                "rows": len(check.rows),
                "imported": len(cases),
                "skipped": len(check.invalid),
                "skipped_rows": [row.row for row in check.invalid],
                "only_valid": only_valid,
                "cases": [case.number for case in cases],
            },
        )
    return ImportResult(cases=cases, check=check)


def import_example(actor: User) -> dict[str, Any]:
    """The template's example row, naming a unit and a leader the actor may really use."""
    leader = leaders_for_case_owner(actor).first()
    return {
        "title": excel.EXAMPLE_MARK + "某小区业主要求办理不动产权证",
        "problem": "某小区三百余户业主因开发商欠缴土地出让金无法办理不动产权证，多次到区信访局集体上访。",
        "group_concerned": "小区业主",
        "head_count": 320,
        "source": str(Source.SCREENING.label),
        "risk_level": str(RiskLevel.MEDIUM.label),
        "owner": leader.full_name if leader else "张三",
        "responsible_unit": actor.unit.name,
        "responsible_person": "",
        "stabilizing_unit": actor.unit.name,
        "measures": "一、督促开发商补缴土地出让金；二、分批办理不动产权证；三、每周向业主代表通报进度。",
        "resolve_by": date(timezone.localdate().year + 1, 6, 30),
    }


def import_template_write(*, actor: User, target: Any) -> None:
    """Write the import template for `actor`: their units and leaders listed on the 说明 sheet."""
    _require_section_head(actor)
    units = unit_qs_visible_to(actor).filter(is_active=True).order_by("path").values_list("name", "code")
    leaders = [(user.full_name, user.username, user.unit.name) for user in leaders_for_case_owner(actor)]
    excel.write_template(target, example=import_example(actor), units=list(units), leaders=leaders)
