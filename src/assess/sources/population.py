"""Readers of population denominators: IoD2019 File 6, ONS mid-year estimates, household counts.

All return the ``population`` table of ``docs/data-model.md`` (long format, one row per area and
age band): area_code, area_name, geography, year (int64, the mid-year: 2015 = mid-2015),
age_band, value (int64 persons, or households for ``age_band == "households"``), source_file.

Sources (Open Government Licence v3.0):

- **IoD2019 File 6** (MHCLG, English Indices of Deprivation 2019, "File 6: population
  denominators"), ``File_6_-_IoD2019_Population_Denominators.xlsx``, sheet ``Population
  Denominators``: mid-2015 population excluding prisoners for each English LSOA (2011), total and
  aged 0-15, 16-59 and 60+. -> geography ``lsoa``, age bands ``all``, ``0-15``, ``16-59``, ``60+``.
- **ONS mid-year estimates** (e.g. ``SAPE20DT1-mid-2017-lsoa-syoa-estimates-unformatted.xlsx``
  or a CSV export), persons by area: a header row, possibly after title rows, holding a code
  column (``Area Codes``, ``Area Code``, ``LSOA Code``, ``Ward Code 1``, ``Code``, ``LAD Code``,
  ...) and ``All Ages``; a name column when present; single years of age ``0`` ... ``89``,
  ``90+`` when present. -> age band ``all``, and when all needed single years are present also
  ``0-15`` (sum of 0..15) and ``10-17`` (sum of 10..17, the youth justice age range).
- **Households**: a CSV or xlsx with a code column and a ``Households`` column (a count of
  households, e.g. from the Census or ONS household estimates). -> age band ``households``.

Geography is inferred from each code's GSS prefix: E01/W01 ``lsoa``, E05/W05 ``ward``,
E06/E07/E08/E09/W06 ``lad``, E12 ``region``, E92/W92 ``country``. Rows of other areas (counties
E10, metropolitan counties E11, England and Wales K04, ...), title, note and blank rows are left
out and listed in the ``report`` (never silently). The year is taken, in this order, from the
``year=`` argument, ``mid-YYYY`` / ``Mid-YYYY`` / ``mid2017`` in the sheet name, the file name or
the title rows above the header, or else the one four-digit year in the sheet and file names.

Rows are the worksheet's row numbers (xlsx) or line numbers (CSV), 1-based.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from assess.errors import InputError
from assess.sources.csv_files import UTF8_HINT, first_undecodable
from assess.sources.file_checks import check_text_file
from assess.sources.plausibility import check_population
from assess.sources.spreadsheets import (
    is_blank,
    normalise_label,
    open_workbook,
    worksheet,
)
from assess.sources.validation import STRING, ReadReport

POPULATION_COLUMNS = ["area_code", "area_name", "geography", "year", "age_band", "value", "source_file"]
AGE_BAND_ORDER = ["all", "0-15", "10-17", "16-59", "60+", "households"]

IOD_SHEET = "Population Denominators"
#: IoD File 6: output band -> how its header starts (normalised, lower-case).
IOD_HEADERS = {
    "code": "lsoa code",
    "name": "lsoa name",
    "all": "total population",
    "0-15": "dependent children aged 0-15",
    "16-59": "population aged 16-59",
    "60+": "older population aged 60 and over",
}

#: Header names (normalised) of the area code column, in order of preference.
CODE_HEADERS = (
    "area codes",
    "area code",
    "lsoa code",
    "lsoa11cd",
    "ward code 1",
    "ward code",
    "lad code",
    "la code",
    "geography code",
    "code",
)
NAME_HEADERS = (
    "area names",
    "area name",
    "lsoa name",
    "lsoa11nm",
    "ward name 1",
    "ward name",
    "lad name",
    "la name",
    "geography name",
    "name",
    "geography",
)
ALL_AGES = "all ages"
HOUSEHOLDS = "households"
SINGLE_YEARS = [str(a) for a in range(90)]
DERIVED_BANDS = {"0-15": range(0, 16), "10-17": range(10, 18)}

#: More people than live in any area (the world holds about 8e9): a count beyond it is an error.
MAX_PEOPLE = 1e11

GEOGRAPHY_BY_PREFIX = {
    "E01": "lsoa",
    "W01": "lsoa",
    "E05": "ward",
    "W05": "ward",
    "E06": "lad",
    "E07": "lad",
    "E08": "lad",
    "E09": "lad",
    "W06": "lad",
    "E12": "region",
    "E92": "country",
    "W92": "country",
}
_GSS = re.compile(r"^[A-Z]\d{8}$")
_CODE_LIKE = re.compile(r"^[A-Z]\d{5,10}$")
_MID_YEAR = re.compile(r"mid[-_ ]?((?:19|20)\d{2})(?!\d)", re.IGNORECASE)
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
HEADER_SEARCH_ROWS = 50


# ---------------------------------------------------------------------------------------------
# Reading rows of a CSV or a worksheet


def _csv_rows(path: Path, limit: int | None = None) -> list[list[str]]:
    """Rows of a CSV file as lists of text (UTF-8, BOM allowed); InputError naming an undecodable line.

    The file is checked first and read as a stream (:func:`assess.sources.csv_files.read_header`
    makes the same checks): sniffing the first rows of a large file reads only those.
    """
    check_text_file(path, what="CSV")
    rows: list[list[str]] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            for record in reader:
                # Keep line numbers exact: rows[i] is the record starting on line i + 1; the further
                # lines of a record holding a quoted line break are given as empty rows.
                rows.append(record)
                while len(rows) < reader.line_num:
                    rows.append([])
                if limit is not None and len(rows) >= limit:
                    break
    except UnicodeDecodeError:
        located = first_undecodable(path)
        raise located if located is not None else InputError(path, "the file is not UTF-8 text", hint=UTF8_HINT) from None
    except csv.Error as exc:
        raise InputError(path, f"a line cannot be read as CSV ({exc})", row=len(rows) + 1,
                         hint="fix the quoting of that line, or download the file again") from None
    if not any(any(c.strip() for c in r) for r in rows):
        raise InputError(path, "the file is empty", hint="download or export the file again")
    return rows


def _sheet_rows(ws, limit: int | None = None) -> list[tuple]:
    return list(ws.iter_rows(values_only=True, max_row=limit))


def _find_header(rows: Sequence[Sequence[object]], accept: Callable[[list[str]], bool]) -> int | None:
    """Index of the first of the first 50 rows whose normalised cells satisfy ``accept``."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        labels = [normalise_label(c) for c in row]
        if accept(labels):
            return i
    return None


def _code_column(labels: list[str]) -> int | None:
    for name in CODE_HEADERS:
        if name in labels:
            return labels.index(name)
    for i, label in enumerate(labels):
        if re.fullmatch(r"(lsoa|msoa|wd|ward|lad|la|ltla|utla)\d{2}cd", label):
            return i
    return None


def _name_column(labels: list[str]) -> int | None:
    for name in NAME_HEADERS:
        if name in labels:
            return labels.index(name)
    for i, label in enumerate(labels):
        if re.fullmatch(r"(lsoa|msoa|wd|ward|lad|la|ltla|utla)\d{2}nm", label):
            return i
    return None


def _is_mid_year_header(labels: list[str]) -> bool:
    return _code_column(labels) is not None and ALL_AGES in labels


def _is_households_header(labels: list[str]) -> bool:
    return _code_column(labels) is not None and HOUSEHOLDS in labels


def _is_iod_header(labels: list[str]) -> bool:
    return all(any(lab.startswith(h) for lab in labels) for h in IOD_HEADERS.values())


def _table(path: Path, sheet: str | None, accept: Callable[[list[str]], bool], what: str):
    """``(sheet name or None, rows, header index)`` of the first table whose header ``accept``s.

    For a workbook without ``sheet``, sheets whose name holds "person" are tried first, then the
    others in workbook order. InputError when no header row is found in the first 50 rows.
    """
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path)
        h = _find_header(rows, accept)
        if h is None:
            raise InputError(
                path,
                f"no header row found in the first {HEADER_SEARCH_ROWS} lines: expected {what}",
                hint="use the file as published (the header row may follow title rows)",
            )
        return None, rows, h
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(path, f"expected a .csv or .xlsx file, not '{path.suffix}'", hint="save it as CSV UTF-8 or xlsx")
    wb = open_workbook(path)
    try:
        if sheet is not None:
            candidates = [sheet]
            worksheet(path, wb, sheet)
        else:
            names = list(wb.sheetnames)
            candidates = [n for n in names if "person" in n.lower()] + [n for n in names if "person" not in n.lower()]
        for name in candidates:
            head = _sheet_rows(wb[name], HEADER_SEARCH_ROWS)
            h = _find_header(head, accept)
            if h is not None:
                if sheet is None and re.search(r"(?<![a-z])(fe)?males?(?![a-z])", name.lower()):
                    raise InputError(
                        path,
                        f"the first table found is on sheet '{name}', which holds one sex only",
                        hint="pass sheet= naming the persons (all sexes) sheet",
                    )
                return name, _sheet_rows(wb[name]), h
    finally:
        wb.close()
    where = f"sheet '{sheet}'" if sheet else f"any sheet ({', '.join(candidates)})"
    raise InputError(
        path,
        f"no header row found in the first {HEADER_SEARCH_ROWS} rows of {where}: expected {what}",
        hint="use the file as published, or pass the name of the sheet that holds the table",
    )


def _cell(row: Sequence[object], i: int | None) -> object:
    if i is None or i >= len(row):
        return None
    return row[i]


def _year(path: Path, sheet: str | None, titles: Sequence[Sequence[object]], year: int | None) -> int:
    """The mid-year of the estimates (see the module docstring for where it is looked for)."""
    if year is not None:
        return int(year)
    title_text = " ".join(str(c) for row in titles for c in row if not is_blank(c))
    for text in (sheet or "", path.name, title_text):
        m = _MID_YEAR.search(text)
        if m:
            return int(m.group(1))
    found = set(_ANY_YEAR.findall(f"{sheet or ''} {path.stem}"))
    if len(found) == 1:
        return int(found.pop())
    raise InputError(
        path,
        "cannot tell the year of the estimates: neither the sheet name, the file name nor the title says 'mid-YYYY'",
        hint="keep the publisher's file name (e.g. '...mid-2017...'), or pass year=",
    )


def _counts(values: list[object], rows: np.ndarray, path: Path, column: str) -> np.ndarray:
    """Whole, non-negative numbers from spreadsheet/CSV cells (``"1,234"`` accepted) as int64."""
    ser = pd.Series(values, dtype=object)
    num = pd.to_numeric(ser, errors="coerce")
    retry = num.isna() & ser.notna()
    if retry.any():
        text = ser[retry].astype(str).str.replace(",", "", regex=False).str.strip()
        num[retry] = pd.to_numeric(text, errors="coerce")
    num = num.astype("float64")
    bad = np.isnan(num.to_numpy()) | (num.to_numpy() % 1 != 0) | (num.to_numpy() < 0)
    if bad.any():
        i = int(bad.nonzero()[0][0])
        value = values[i]
        n = int(bad.sum())
        raise InputError(
            path,
            f"{value!r} is not a whole number of people or households (0 or more)"
            + (f" ({n} cells in all)" if n > 1 else ""),
            row=int(rows[i]),
            column=column,
            hint="the cell must hold a count such as 1234",
        )
    huge = num.to_numpy() > MAX_PEOPLE
    if huge.any():
        i = int(huge.nonzero()[0][0])
        raise InputError(path, f"{values[i]!r} is more people than live anywhere (more than {MAX_PEOPLE:,.0f})",
                         row=int(rows[i]), column=column, hint="check the cell: a typing or export error?")
    return num.to_numpy().astype("int64")


def _long(
    wide: pd.DataFrame, bands: Sequence[str], year: int, path: Path
) -> pd.DataFrame:
    """Wide frame (area_code, area_name, geography, one column per band) -> the population table.

    Every value must be plausible for its geography (:func:`assess.sources.plausibility.check_population`).
    """
    for band in bands:
        check_population(pd.DataFrame({"value": wide[band], "geography": wide["geography"], "age_band": band,
                                       "row": wide["row"]}), path, label=band)
    n = len(wide)
    parts = []
    for order, band in enumerate(bands):
        parts.append(
            pd.DataFrame(
                {
                    "area_code": wide["area_code"].to_numpy(),
                    "area_name": wide["area_name"].to_numpy(),
                    "geography": wide["geography"].to_numpy(),
                    "age_band": band,
                    "value": wide[band].to_numpy(dtype="int64"),
                    "_pos": np.arange(n),
                    "_band": order,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True).sort_values(["_pos", "_band"], kind="stable")
    out["year"] = np.int64(year)
    out["source_file"] = path.name
    out = out[POPULATION_COLUMNS].reset_index(drop=True)
    for c in ("area_code", "area_name", "geography", "age_band", "source_file"):
        out[c] = out[c].astype(STRING)
    out["value"] = out["value"].astype("int64")
    out["year"] = out["year"].astype("int64")
    return out


def _areas(
    rows: Sequence[Sequence[object]],
    h: int,
    code_i: int,
    name_i: int | None,
    path: Path,
    code_label: str,
    report: ReadReport | None,
    row_offset: int = 1,
) -> tuple[list[int], pd.DataFrame]:
    """Pick the data rows below header index ``h``: those with a GSS code of a known geography.

    Returns (indexes into ``rows``, frame of area_code, area_name, geography, row). Other rows are
    recorded in ``report.dropped``; a code-like value that is not a GSS code raises InputError.
    """
    keep: list[int] = []
    codes: list[str] = []
    names: list[object] = []
    for i in range(h + 1, len(rows)):
        row = rows[i]
        line = i + row_offset
        code = _cell(row, code_i)
        text = "" if is_blank(code) else str(code).strip()
        if not text:
            if report is not None:
                reason = "blank row" if all(is_blank(c) for c in row) else "no area code (title or note row)"
                report.dropped.append({"row": line, "reason": reason})
            continue
        if not _GSS.match(text):
            if _CODE_LIKE.match(text):
                raise InputError(
                    path,
                    f"'{text}' is not an ONS GSS code (a capital letter and 8 digits)",
                    row=line,
                    column=code_label,
                    hint="correct the code, or use the file as published",
                )
            if report is not None:
                report.dropped.append({"row": line, "reason": f"no area code (note row: {text[:40]!r})"})
            continue
        geography = GEOGRAPHY_BY_PREFIX.get(text[:3])
        if geography is None:
            if report is not None:
                report.dropped.append({"row": line, "reason": f"area {text} is of a geography not used ({text[:3]})"})
            continue
        keep.append(i)
        codes.append(text)
        name = _cell(row, name_i)
        names.append(None if is_blank(name) else str(name).strip())
    frame = pd.DataFrame(
        {
            "area_code": codes,
            "area_name": pd.array(names, dtype=STRING),
            "geography": [GEOGRAPHY_BY_PREFIX[c[:3]] for c in codes],
            "row": np.asarray([i + row_offset for i in keep], dtype="int64"),
        }
    )
    if frame.empty:
        raise InputError(
            path,
            "the table has a header but no rows with an ONS area code",
            column=code_label,
            hint="use the file as published",
        )
    dup = frame["area_code"].duplicated(keep=False)
    if dup.any():
        code = frame.loc[dup, "area_code"].iloc[0]
        lines = frame.loc[frame["area_code"] == code, "row"].tolist()
        raise InputError(
            path,
            f"area {code} appears more than once (rows {', '.join(map(str, lines))}); "
            "is the table split by sex or by year?",
            row=lines[1],
            column=code_label,
            hint="use the persons (all sexes) table of a single year",
        )
    return keep, frame


# ---------------------------------------------------------------------------------------------
# IoD2019 File 6


def read_iod_denominators(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """Read MHCLG IoD2019 File 6 (population denominators, mid-2015, England LSOAs, excluding prisoners).

    Sheet ``Population Denominators``; columns used: ``LSOA code (2011)``, ``LSOA name (2011)``,
    ``Total population: mid 2015 (excluding prisoners)``, ``Dependent Children aged 0-15: ...``,
    ``Population aged 16-59: ...``, ``Older population aged 60 and over: ...``. Returns the
    population table with geography ``lsoa``, year from the header ("mid 2015" -> 2015) and age
    bands ``all``, ``0-15``, ``16-59``, ``60+`` (persons), four rows per LSOA in file order.

    InputError when the sheet or a column is missing, a code is not an LSOA code, an LSOA is
    listed twice or a count is not a whole number >= 0. The three bands are checked to add up to
    the total; a difference is listed in ``report.warnings``. Reading takes ~5 s (openpyxl).
    """
    path = Path(path)
    wb = open_workbook(path)
    try:
        ws = worksheet(path, wb, IOD_SHEET)
        rows = _sheet_rows(ws)
    finally:
        wb.close()
    h = _find_header(rows, _is_iod_header)
    if h is None:
        raise InputError(
            path,
            f"no header row found in sheet '{IOD_SHEET}': expected columns starting "
            + ", ".join(f"'{v}'" for v in IOD_HEADERS.values()),
            hint="use the IoD2019 File 6 as published by MHCLG",
        )
    labels = [normalise_label(c) for c in rows[h]]
    index = {band: next(i for i, lab in enumerate(labels) if lab.startswith(start)) for band, start in IOD_HEADERS.items()}
    header_text = " ".join(labels)
    m = re.search(r"mid[- ]?((?:19|20)\d{2})", header_text)
    if not m:
        raise InputError(path, "the header does not say which mid-year the population is ('mid 2015')", row=h + 1,
                         column=str(rows[h][index["all"]]), hint="use the IoD2019 File 6 as published by MHCLG")
    year = int(m.group(1))
    code_label = str(rows[h][index["code"]])
    keep, wide = _areas(rows, h, index["code"], index["name"], path, code_label, report)
    not_lsoa = wide["geography"] != "lsoa"
    if not_lsoa.any():
        first = wide.loc[not_lsoa].iloc[0]
        raise InputError(path, f"'{first['area_code']}' is not an LSOA code (E01...)", row=int(first["row"]),
                         column=code_label, hint="use the IoD2019 File 6 as published by MHCLG")
    data = [rows[i] for i in keep]
    for band in ("all", "0-15", "16-59", "60+"):
        wide[band] = _counts([_cell(r, index[band]) for r in data], wide["row"].to_numpy(), path, str(rows[h][index[band]]))
    if report is not None:
        report.rows_read += len(wide)
        gap = wide["all"] != wide["0-15"] + wide["16-59"] + wide["60+"]
        if gap.any():
            report.warnings.append(
                f"{path.name}: in {int(gap.sum())} LSOAs the age bands do not add up to the total "
                f"(first at row {int(wide.loc[gap, 'row'].iloc[0])})"
            )
    return _long(wide, ["all", "0-15", "16-59", "60+"], year, path)


# ---------------------------------------------------------------------------------------------
# ONS mid-year estimates and households


def read_mid_year_estimates(
    path: str | Path,
    *,
    sheet: str | None = None,
    year: int | None = None,
    report: ReadReport | None = None,
) -> pd.DataFrame:
    """Read ONS mid-year population estimates (persons) from a CSV or xlsx.

    Finds the header row (within the first 50 rows; title rows may precede it) holding a code
    column and ``All Ages``. Returns the population table: one ``all`` row per area and, when the
    single years of age ``0`` to ``17`` are all present, ``0-15`` and ``10-17`` rows (sums of the
    single years). Geography comes from each code's prefix; areas of other geographies and
    non-data rows are listed in ``report.dropped``. See the module docstring for the year.

    InputError when no header row is found, the sheet is missing, a count is not a whole number
    >= 0, an area appears twice, or the year cannot be told.
    """
    return _read_area_table(
        Path(path), sheet, year, report, _is_mid_year_header, "a code column (e.g. 'Area Codes') and 'All Ages'", ALL_AGES
    )


def read_households(
    path: str | Path,
    *,
    sheet: str | None = None,
    year: int | None = None,
    report: ReadReport | None = None,
) -> pd.DataFrame:
    """Read a household count by area (CSV or xlsx with a code column and a ``Households`` column).

    Returns the population table with age_band ``households``: ``value`` is a number of
    households, not persons. Header, geography, year and checks as :func:`read_mid_year_estimates`.
    """
    return _read_area_table(
        Path(path), sheet, year, report, _is_households_header, "a code column (e.g. 'Area Code') and 'Households'", HOUSEHOLDS
    )


def _read_area_table(
    path: Path,
    sheet: str | None,
    year: int | None,
    report: ReadReport | None,
    accept: Callable[[list[str]], bool],
    what: str,
    value_label: str,
) -> pd.DataFrame:
    sheet_name, rows, h = _table(path, sheet, accept, what)
    labels = [normalise_label(c) for c in rows[h]]
    code_i = _code_column(labels)
    name_i = _name_column(labels)
    value_i = labels.index(value_label)
    the_year = _year(path, sheet_name, rows[:h], year)
    code_label = str(rows[h][code_i])
    keep, wide = _areas(rows, h, code_i, name_i, path, code_label, report)
    data = [rows[i] for i in keep]
    line = wide["row"].to_numpy()
    first_band = "households" if value_label == HOUSEHOLDS else "all"
    wide[first_band] = _counts([_cell(r, value_i) for r in data], line, path, str(rows[h][value_i]))
    bands = [first_band]
    if value_label == ALL_AGES:
        ages = {lab: i for i, lab in enumerate(labels) if lab in SINGLE_YEARS}
        for band, span in DERIVED_BANDS.items():
            if all(str(a) in ages for a in span):
                total = np.zeros(len(wide), dtype="int64")
                for a in span:
                    col = ages[str(a)]
                    total += _counts([_cell(r, col) for r in data], line, path, str(rows[h][col]))
                wide[band] = total
                bands.append(band)
            elif report is not None:
                report.warnings.append(f"{path.name}: no single years of age {span.start}-{span.stop - 1}; band {band} not derived")
    if report is not None:
        report.rows_read += len(wide)
    return _long(wide, bands, the_year, path)


def sniff(path: str | Path) -> str | None:
    """Which population table a CSV/xlsx holds, from its headers: ``"iod_population"``,
    ``"mid_year_population"``, ``"households"`` or None. Reads only the first 50 rows of each sheet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            sheets = {None: _csv_rows(path, HEADER_SEARCH_ROWS)}
        except InputError:
            return None
    elif suffix in (".xlsx", ".xlsm"):
        try:
            wb = open_workbook(path)
        except InputError:
            return None
        try:
            sheets = {n: _sheet_rows(wb[n], HEADER_SEARCH_ROWS) for n in wb.sheetnames}
        finally:
            wb.close()
    else:
        return None
    for name, head in sheets.items():
        if name == IOD_SHEET and _find_header(head, _is_iod_header) is not None:
            return "iod_population"
    for head in sheets.values():
        if _find_header(head, _is_mid_year_header) is not None:
            return "mid_year_population"
    for head in sheets.values():
        if _find_header(head, _is_households_header) is not None:
            return "households"
    return None
