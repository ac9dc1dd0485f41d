"""Benchmark: reading published workbooks (the Home Office PRC tables as ODS/xlsx, the ONS .xls).

Workbooks measured:
- the real Home Office PRC table of ../shared/data (23,068 rows, FY2017/18), written as an ODS
  and an xlsx in the published layout (cover and notes sheets, one sheet per financial year with
  title rows above the header), the rows repeated ``--copies`` times over that many year sheets;
- the real ONS mid-year estimate workbooks (.xls, BIFF8) of ../shared/data, when present.

For each: the best of ``--repeat`` runs of ``assess.sources.spreadsheets.iter_sheets`` (every row
of every sheet) and of the reader that uses it (``read_recorded_crime``; for the ONS workbooks
``read_mid_year_estimates`` if it reads .xls). Prints one line per measurement; asserts nothing.
Figures taken while other work runs on the machine are noisy: say so when quoting them.

Usage: ``python benchmarks/bench_spreadsheets.py [--copies 4] [--repeat 3] [--workdir DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "data").resolve()
PRC = SHARED / "home_office_prc" / "prc-pfa-mar2013-onwards-tables201718.csv"
ONS_XLS = [SHARED / "population" / "ukmidyearestimates2016.xls", SHARED / "population" / "ukmidyearestimates2017finalversion.xls"]


def write_prc_workbook(path: Path, copies: int) -> int:
    """The PRC rows as published: a cover, notes, and ``copies`` financial-year sheets. Returns rows written."""
    with open(PRC, encoding="utf-8", newline="") as fh:
        records = list(csv.reader(fh))
    header, body = records[0], records[1:]
    sheets: dict[str, list[list[object]]] = {
        "Cover": [["Police recorded crime open data tables"]],
        "Notes": [["Note", "Description"], ["1", "Financial Quarter 1 is April to June"]],
    }
    for k in range(copies):
        start = 2017 - k
        label = f"{start}/{(start + 1) % 100:02d}"
        rows = [[label, int(r[1]), *r[2:7], int(r[7].strip().replace(",", "") or 0)] for r in body]
        sheets[f"{start}-{(start + 1) % 100:02d}"] = [["Police recorded crime by offence"], ["Source: Home Office"], [], header, *rows]
    engine = "odf" if path.suffix == ".ods" else "openpyxl"
    with pd.ExcelWriter(path, engine=engine) as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object).to_excel(
                writer, sheet_name=name, header=False, index=False
            )
    return len(body) * copies


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def all_rows(path: Path) -> int:
    from assess.sources.spreadsheets import iter_sheets

    return sum(1 for _name, rows in iter_sheets(path) for _ in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    from assess.sources.home_office import read_recorded_crime

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-spreadsheets-"))
    work.mkdir(parents=True, exist_ok=True)
    if PRC.exists():
        for suffix in (".ods", ".xlsx"):
            path = work / f"prc-pfa-mar2013-onwards-tables-bench{suffix}"
            if not path.exists():
                rows = write_prc_workbook(path, args.copies)
            else:
                rows = 23068 * args.copies
            n = all_rows(path)
            t_rows = best(lambda p=path: all_rows(p), args.repeat)
            t_read = best(lambda p=path: read_recorded_crime(p), args.repeat)
            print(f"PRC {suffix} ({rows:,} records, {n:,} non-blank rows, {path.stat().st_size / 1e6:.1f} MB): "
                  f"iter_sheets {t_rows:.2f} s, read_recorded_crime {t_read:.2f} s ({rows / t_read:,.0f} rows/s)")
    else:
        print(f"PRC table not present at {PRC}: skipped")
    for path in ONS_XLS:
        if not path.exists():
            print(f"{path.name}: not present, skipped")
            continue
        try:
            t_rows = best(lambda p=path: all_rows(p), args.repeat)
            print(f"{path.name} ({path.stat().st_size / 1e6:.1f} MB): iter_sheets {t_rows:.3f} s")
        except Exception as exc:  # the reader before python-calamine could not open .xls
            print(f"{path.name}: iter_sheets cannot read it ({type(exc).__name__}: {str(exc)[:120]})")
        try:
            from assess.sources.population import read_mid_year_estimates

            t = best(lambda p=path: read_mid_year_estimates(p), args.repeat)
            print(f"{path.name}: read_mid_year_estimates {t:.3f} s")
        except Exception as exc:
            print(f"{path.name}: read_mid_year_estimates cannot read it ({type(exc).__name__}: {str(exc)[:120]})")


if __name__ == "__main__":
    main()
