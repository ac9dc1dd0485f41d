"""Reader of the rough sleeping snapshot tables of DCLG / MHCLG / DLUHC, as published.

Source: "Rough sleeping in England: autumn YYYY" (Open Government Licence v3.0), the annual
single-night snapshot of people sleeping rough in each local authority, counted or estimated on
one night between 1 October and 30 November. Editions seen:

- autumn 2016 (DCLG, ``Rough_Sleeping_Autumn_2016_Final_Tables.xls``): sheet ``Table 1``, title
  rows, header on row 4 ``ONS Code, Local Authority, 2010 ... 2016, (blank), Number of Households
  2016 ('000s)2, 2016 Rough Sleeping Rate (per 1,000 households)``; England on row 6 *without a
  code*; ``% change from previous year`` and ``% of England total`` rows (fractions); London and
  "Rest of England" without codes; 326 local authorities; notes below the table.
- autumn 2017 (MHCLG, published as ``Tables_1_and_2a_2b_2c_-_revised.xlsx``, also copied as
  ``Rough sleeping statistics England autumn 2017.xlsx``): sheet ``table 1``, header on row 4
  ``ONS code, Local authority / Region, (region name, unlabelled), 2010 ... 2017, Number of
  households 2017 ('000)2, 2017 rough sleeping rate (per 1,000 households)``; England with code
  E92000001; the nine regions with E12 codes; "% change" rows in percent units.

Later editions move the header and rename the sheet, so the table is found by its content: the
first sheet whose first 50 rows hold a header with a code column (``ONS code``, ``LA code``,
``Area code``, ...), an area name column (``Local authority``, ``Area name``, ...) and at least
two year columns (``2010`` ... ``2017``, also ``Autumn 2017``). The households column is the one
whose label says ``households`` and ``'000``; the rate column the one saying ``rate`` and
``1,000``; each label's year (else the latest year column) is the year they belong to.

:func:`read_rough_sleeping` returns one row per area and snapshot year (the ``rough_sleeping_snapshot``
table of docs/data-model.md). Rows left out are listed in the report, never dropped silently:
``% change`` and ``% of England total`` rows, aggregates without an ONS code ("Rest of England"),
title and note rows, and year cells left blank. England without a code is given E92000001, and a
region without a code its E12 code (by name). Whether a figure is a street count or an estimate
is shown in the workbooks only by cell colour, which is not read.

:func:`combine_editions` joins several editions: each area and year once, from the newest edition
holding it; where two editions give different counts for the same year the newer one wins and a
warning says so (with the rate published with the older count then left out).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from assess.errors import InputError
from assess.sources.spreadsheets import (
    Row,
    cell_text,
    in_sheet,
    is_blank,
    iter_sheets,
    normalise_label,
    sheet_heads,
)
from assess.sources.validation import GSS_CODE, STRING, ReadReport

#: The columns of the ``rough_sleeping_snapshot`` table, in order.
SNAPSHOT_COLUMNS = [
    "area_code", "area_name", "area_type", "region_name", "year", "rough_sleepers",
    "households_thousands", "rate_per_1000_households", "edition",
    "source_file", "source_sheet", "source_row", "rate_source_file", "rate_source_row",
]

HEADER_SEARCH_ROWS = 50
ENGLAND = ("E92000001", "England")
#: English regions (ONS codes), for editions that print a region without its code.
REGIONS = {
    "north east": "E12000001",
    "north west": "E12000002",
    "yorkshire and the humber": "E12000003",
    "east midlands": "E12000004",
    "west midlands": "E12000005",
    "east of england": "E12000006",
    "east": "E12000006",
    "london": "E12000007",
    "south east": "E12000008",
    "south west": "E12000009",
}
AREA_TYPE_BY_PREFIX = {"E92": "country", "E12": "region", "E06": "la", "E07": "la", "E08": "la", "E09": "la"}
CODE_HEADERS = ("ons code", "ons la code", "la code", "local authority code", "area code", "code", "gss code")
NAME_HEADERS = ("local authority / region", "local authority", "local authority name", "area name", "area",
                "la name", "name")
#: Cells that publishers use for "no figure": left blank, and listed in the report.
NOT_AVAILABLE = {"..", "-", ":", "x", "[x]", "[z]", "[c]", "n/a", "na"}
_YEAR = re.compile(r"^(?:autumn\s*)?((?:19|20)\d{2})$")
_YEAR_IN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_GSS = re.compile(f"^{GSS_CODE}$")
_CODE_LIKE = re.compile(r"^[A-Z]\d{5,10}$")


def _year_of(value: object) -> int | None:
    """The year a header cell names (``2016``, ``2016.0``, ``"Autumn 2016"``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1990 <= value <= 2100 else None
    m = _YEAR.match(normalise_label(value))
    return int(m.group(1)) if m else None


class _Header:
    """Where the columns of a snapshot table are, from its header row."""

    def __init__(self, number: int, values: tuple) -> None:
        self.row = number
        self.values = values
        labels = [normalise_label(v) for v in values]
        self.labels = labels
        self.code = next((labels.index(n) for n in CODE_HEADERS if n in labels), None)
        self.name = next((labels.index(n) for n in NAME_HEADERS if n in labels), None)
        self.years = {i: y for i, v in enumerate(values) if (y := _year_of(v)) is not None}
        self.households = next((i for i, lab in enumerate(labels) if "household" in lab and "000" in lab and "rate" not in lab), None)
        self.rate = next((i for i, lab in enumerate(labels) if "rate" in lab and ("1,000" in lab or "1000" in lab)), None)
        self.region = None
        if self.name is not None and self.years:
            first_year = min(self.years)
            blanks = [i for i in range(self.name + 1, first_year) if not labels[i]]
            self.region = blanks[0] if blanks else next(
                (i for i, lab in enumerate(labels) if lab in ("region", "region name")), None)

    @property
    def ok(self) -> bool:
        return self.code is not None and self.name is not None and len(self.years) >= 2

    @property
    def edition(self) -> int:
        return max(self.years.values())

    def year_of_column(self, i: int | None) -> int | None:
        if i is None:
            return None
        m = _YEAR_IN.search(self.labels[i])
        return int(m.group(1)) if m else self.edition

    def label(self, i: int) -> str:
        v = self.values[i]
        return str(int(v)) if isinstance(v, float) and v.is_integer() else " ".join(str(v).split())


def _find_header(rows: Sequence[Row]) -> _Header | None:
    for number, values in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        header = _Header(number, values)
        if header.ok:
            return header
    return None


def snapshot_sheet(path: str | Path, heads: Mapping[str, Sequence[Row]] | None = None) -> str | None:
    """The name of the first sheet holding a rough sleeping snapshot table, or None (also for a
    file that is not a readable workbook). Reads the first 50 rows of each sheet (``heads``: those
    rows, when the caller has read them already); used by discover."""
    if heads is None:
        heads = sheet_heads(path, HEADER_SEARCH_ROWS)
        if heads is None:
            return None
    for name, rows in heads.items():
        if _find_header(list(rows)) is not None:
            return name
    return None


def _number(value: object, path: Path, row: int, column: str, *, whole: bool) -> float | None:
    """A count or rate cell: a number, None for a blank or 'not available' marker, else InputError."""
    if value is None or (isinstance(value, str) and value.strip().lower() in NOT_AVAILABLE | {""}):
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            number = None
    if number is None or np.isnan(number):
        raise InputError(path, f"{cell_text(value)!r} is not a number", row=row, column=column,
                         hint="use the table as published (a figure, or blank where there is none)")
    if number < 0 or (whole and not number.is_integer()):
        what = "a whole number of people (0 or more)" if whole else "a number of 0 or more"
        raise InputError(path, f"{cell_text(value)!r} is not {what}", row=row, column=column,
                         hint="use the table as published")
    return number


def read_rough_sleeping(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """Read a rough sleeping snapshot workbook (.xls, .xlsx, .ods) as published.

    Returns the ``rough_sleeping_snapshot`` table (:data:`SNAPSHOT_COLUMNS`): one row per area
    (local authority ``la``, ``region``, ``country``) and autumn snapshot year with a figure;
    ``rough_sleepers`` (people, int64); ``households_thousands`` and ``rate_per_1000_households``
    as published, on the row of the year they are for (else null); ``edition`` the latest year the
    table holds; ``source_file``, ``source_sheet``, ``source_row`` (the sheet's own 1-based row)
    of the count; ``rate_source_file`` and ``rate_source_row`` of the households and rate.

    InputError naming the file, sheet, row and column when no sheet holds the table, a count is
    text or negative, an area appears twice, or a code is malformed.
    """
    path = Path(path)
    sheets: list[str] = []
    for name, rows_iter in iter_sheets(path):
        sheets.append(name)
        rows = list(rows_iter)
        header = _find_header(rows)
        if header is None:
            continue
        try:
            out = _read_table(path, name, rows, header, report)
        except InputError as exc:
            raise in_sheet(exc, name) from None
        skipped = [s for s in sheets if s != name]
        if report is not None and skipped:
            report.warnings.append(f"{path.name}: sheets before the snapshot table skipped: {', '.join(repr(s) for s in skipped)}")
        return out
    raise InputError(
        path,
        f"no sheet holds a rough sleeping snapshot table (its sheets: {', '.join(sheets) or 'none'})",
        hint=f"use the workbook as published: the table has, in its first {HEADER_SEARCH_ROWS} rows, a header "
        "with 'ONS code', 'Local authority' and one column per year (2010, 2011, ...)",
    )


def _read_table(path: Path, sheet: str, rows: Sequence[Row], header: _Header, report: ReadReport | None) -> pd.DataFrame:
    dropped: list[dict] = []
    blanks: list[str] = []
    records: list[dict] = []
    seen: dict[str, int] = {}
    households_year = header.year_of_column(header.households)
    rate_year = header.year_of_column(header.rate)
    below = [(n, v) for n, v in rows if n > header.row]
    for number, values in below:
        def cell(i: int | None, values: tuple = values) -> object:
            return values[i] if i is not None and i < len(values) else None

        code_cell, name_cell = cell(header.code), cell(header.name)
        name = None if is_blank(name_cell) else " ".join(str(name_cell).split())
        code = None if is_blank(code_cell) else str(code_cell).strip()
        label = (name or "").lower()
        has_numbers = any(isinstance(cell(i), (int, float)) and not isinstance(cell(i), bool) for i in header.years)
        if "%" in label or label.startswith(("percentage", "per cent")):
            dropped.append({"row": number, "reason": f"percentage row ({name!r}), not a count"})
            continue
        if code is not None and not _GSS.match(code):
            if _CODE_LIKE.match(code):
                raise InputError(path, f"'{code}' is not an ONS GSS code (a capital letter and 8 digits)", row=number,
                                 column=header.label(header.code), hint="correct the code, or use the table as published")
            code = None  # '-' and similar stand for "no code"
        if code is None:
            if label == "england":
                code = ENGLAND[0]
            elif label in REGIONS:
                code = REGIONS[label]
            elif has_numbers and name:
                dropped.append({"row": number, "reason": f"aggregate without an ONS code ({name!r})"})
                continue
            else:
                dropped.append({"row": number, "reason": "title or note row"})
                continue
        area_type = AREA_TYPE_BY_PREFIX.get(code[:3])
        if area_type is None:
            dropped.append({"row": number, "reason": f"area {code} is of a geography not used ({code[:3]})"})
            continue
        if code in seen:
            raise InputError(path, f"area {code} appears more than once (rows {seen[code]}, {number}), so its years are duplicated",
                             row=number, column=header.label(header.code),
                             hint="use the table as published: one row per area")
        seen[code] = number
        region = cell(header.region)
        region = None if is_blank(region) or not isinstance(region, str) else " ".join(region.split())
        households = _number(cell(header.households), path, number, header.label(header.households), whole=False) if header.households is not None else None
        rate = _number(cell(header.rate), path, number, header.label(header.rate), whole=False) if header.rate is not None else None
        for i, year in sorted(header.years.items(), key=lambda kv: kv[1]):
            count = _number(cell(i), path, number, header.label(i), whole=True)
            if count is None:
                blanks.append(f"{code} {year} (row {number})")
                continue
            records.append({
                "area_code": code,
                "area_name": name,
                "area_type": area_type,
                "region_name": region,
                "year": year,
                "rough_sleepers": int(count),
                "households_thousands": households if year == households_year else None,
                "rate_per_1000_households": rate if year == rate_year else None,
                "source_row": number,
                "has_rate": (year == rate_year and rate is not None) or (year == households_year and households is not None),
            })
    if not records:
        raise InputError(path, "the snapshot table has a header but no rows with an area's figures", row=header.row,
                         hint="use the workbook as published")
    df = pd.DataFrame.from_records(records)
    df["edition"] = np.int64(header.edition)
    df["source_file"] = path.name
    df["source_sheet"] = sheet
    df["rate_source_file"] = np.where(df["has_rate"], path.name, None)
    df["rate_source_row"] = df["source_row"].astype("Int64").where(df["has_rate"].astype(bool))
    df = _typed(df.drop(columns="has_rate"))
    if report is not None:
        report.rows_read += len(seen)
        report.dropped += dropped
        if blanks:
            report.warnings.append(
                f"{path.name}: sheet '{sheet}': {len(blanks)} year cells without a figure left out: {', '.join(blanks[:10])}"
                + (" ..." if len(blanks) > 10 else "")
            )
        _check_england_total(df, path, sheet, report)
    return df


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    out = df[SNAPSHOT_COLUMNS].copy()
    for c in ("area_code", "area_name", "area_type", "region_name", "source_file", "source_sheet", "rate_source_file"):
        out[c] = out[c].astype(STRING)
    for c in ("year", "rough_sleepers", "edition", "source_row"):
        out[c] = out[c].astype("int64")
    for c in ("households_thousands", "rate_per_1000_households"):
        out[c] = pd.to_numeric(out[c]).astype("float64")
    out["rate_source_row"] = out["rate_source_row"].astype("Int64")
    return out.reset_index(drop=True)


def _check_england_total(df: pd.DataFrame, path: Path, sheet: str, report: ReadReport) -> None:
    """The published England figure is the sum of the local authorities' (a note in every edition)."""
    england = df[df["area_code"] == ENGLAND[0]].set_index("year")["rough_sleepers"]
    la = df[df["area_type"] == "la"].groupby("year")["rough_sleepers"].sum()
    for year, total in england.items():
        if year in la.index and int(la[year]) != int(total):
            report.warnings.append(
                f"{path.name}: sheet '{sheet}': England's {year} figure ({int(total):,}) is not the sum of the "
                f"local authorities' ({int(la[year]):,})"
            )


def combine_editions(frames: Sequence[pd.DataFrame], warnings: list[str] | None = None) -> pd.DataFrame:
    """Several editions of the snapshot tables as one table: each area and year once.

    The count is taken from the newest edition holding that year (``edition``, then file name);
    when an older edition gives another count for it, the newer wins and a warning names both.
    Households and rate (published only for an edition's own year) are kept from the edition that
    published them, unless the count they were published with was revised: then the rate is left
    out (null) and the warning says so. Rows are ordered by area code and year.
    """
    frames = [f for f in frames if len(f)]
    if not frames:
        return _typed(pd.DataFrame({c: pd.Series(dtype="object") for c in SNAPSHOT_COLUMNS}))
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["area_code", "year", "edition", "source_file"], kind="stable")
    newest = table.drop_duplicates(["area_code", "year"], keep="last").set_index(["area_code", "year"])
    rated = table[table["rate_source_file"].notna()].drop_duplicates(["area_code", "year"], keep="last").set_index(["area_code", "year"])
    out = newest.copy()
    revised: list[str] = []
    spread = table.groupby(["area_code", "year"], sort=False)["rough_sleepers"].nunique()
    for key in spread.index[spread.to_numpy() > 1]:  # rare: only these are looked at one by one
        group = table[(table["area_code"] == key[0]) & (table["year"] == key[1])]
        new = newest.loc[key]
        older = group[group["rough_sleepers"] != new["rough_sleepers"]].drop_duplicates(["rough_sleepers", "source_file"])
        revised.append(
            f"{key[0]} autumn {key[1]}: {int(new['rough_sleepers'])} in {new['source_file']} "
            f"(edition {int(new['edition'])}) replaces "
            + ", ".join(f"{int(r.rough_sleepers)} in {r.source_file}" for r in older.itertuples())
        )
    need = rated.index.difference(out.index[out["rate_source_file"].notna()])  # newest edition has no rate for it
    if len(need):
        r = rated.loc[need]
        same_count = (r["rough_sleepers"].to_numpy() == out.loc[need, "rough_sleepers"].to_numpy())
        out.loc[need, "households_thousands"] = r["households_thousands"].to_numpy()
        out.loc[need, "rate_per_1000_households"] = np.where(same_count, r["rate_per_1000_households"].to_numpy(), np.nan)
        out.loc[need, "rate_source_file"] = r["rate_source_file"].to_numpy()
        out.loc[need, "rate_source_row"] = r["rate_source_row"].to_numpy()
    if warnings is not None and revised:
        warnings.append(
            f"rough sleeping snapshot: {len(revised)} count(s) differ between editions; the newer edition wins "
            f"(a rate published with the older count is left out): " + "; ".join(revised[:10])
            + (" ..." if len(revised) > 10 else "")
        )
    return _typed(out.reset_index())


__all__ = ["SNAPSHOT_COLUMNS", "combine_editions", "read_rough_sleeping", "snapshot_sheet"]
