"""The one guard every Excel export uses: text that a spreadsheet could run as a formula is stored as plain text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

BOLD = Font(bold=True)

# A cell starting with one of these may be run as a formula (=, +, -, @) or hides one (tab, NUL).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\x00")


def needs_text_guard(value: str) -> bool:
    """True when a spreadsheet program could take the text for a formula (also behind leading blanks)."""
    return value[:1] in FORMULA_TRIGGERS or value.lstrip()[:1] in FORMULA_TRIGGERS


def excel_safe(value: str) -> tuple[str, bool]:
    """The text as a cell may hold it (characters XML cannot carry dropped) and whether it needs the text guard."""
    return ILLEGAL_CHARACTERS_RE.sub("", value), needs_text_guard(value)


def guarded_text_cell(ws: Any, value: str, *, bold: bool = False) -> WriteOnlyCell:
    """A write-only cell that holds `value` as text whatever it starts with (in bold for headings).

    A dangerous value keeps its exact text but is stored as a string cell with Excel's quote prefix (what Excel
    itself does when someone types '=…), so it shows as text and stays text when edited. Characters XML cannot
    carry (NUL and other C0 controls except tab and newlines) are dropped.
    """
    text, guarded = excel_safe(value)
    cell = WriteOnlyCell(ws, value=text)
    if guarded:
        cell.data_type = "s"
        cell.quotePrefix = True
    if bold:
        cell.font = BOLD
    return cell


def guarded_row(ws: Any, values: Iterable[Any], *, bold: bool = False) -> list[Any]:
    """A row for `ws.append`: every text through `guarded_text_cell`, numbers, dates and blanks as they are."""
    return [guarded_text_cell(ws, value, bold=bold) if isinstance(value, str) else value for value in values]
