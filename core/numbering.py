"""Readable numbers from per-year database sequences (XF2026-000123, ZD2026-0012): gap-tolerant, never reused."""

from __future__ import annotations

from django.db import connection


def yearly_sequence_name(series: str, year: int) -> str:
    """The sequence that numbers one series in one year, so each year starts again at 1."""
    if not series.isidentifier():
        raise ValueError(f"bad series name {series!r}")
    return f"{series}_{int(year)}_seq"


def next_in_year(series: str, year: int) -> int:
    """The next number of `series` in `year`; the first call of a year creates that year's sequence."""
    sequence = yearly_sequence_name(series, year)
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS " + connection.ops.quote_name(sequence))
        cursor.execute("SELECT nextval(%s)", [sequence])
        (value,) = cursor.fetchone()
    return int(value)
