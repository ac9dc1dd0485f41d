"""Reader of the Home Office police recorded crime (PRC) open data tables.

Source: Home Office, "Police recorded crime and outcomes open data tables"
(https://www.gov.uk/government/statistics/police-recorded-crime-open-data-tables, Open
Government Licence v3.0): ``prc-pfa-mar2013-onwards-tables*.csv`` (police force area level) and
``prc-csp-mar2013-onwards-tables*.csv`` (Community Safety Partnership level). Counts are offences
recorded in a financial quarter (1 = April-June).

The tables are published as ODS spreadsheets (``prc-pfa-mar2013-onwards-tables-<date>.ods``), one
sheet per financial year (``2019-20`` or ``2019_20``, title rows above the header) beside cover and
notes sheets. They are read as published (also as ``.xlsx`` or ``.xls``, with python-calamine),
into the same frame as a CSV of the same rows: see :func:`read_recorded_crime_workbook`.

Both variants share the header ``Financial Year, Financial Quarter, Force Name, Offence
Description, Offence Group, Offence Subgroup, Offence Code, Number of Offences``; the CSP variant
adds ``CSP Name`` (also published as ``Community Safety Partnership``) after ``Force Name``.

Counts as published: surrounding blanks (``" 66776 "``), thousands separators and ``-00`` (the
tables' way of writing zero) are accepted. The published tables also hold a few **negative**
counts: offences cancelled or reclassified after an earlier quarter closed, netted off in the
quarter in which they were taken off. Summed over a force, quarter or year they make the
published totals (e.g. Hampshire 2017/18 Q2 = 41,137 includes two -1s), so they are kept by
default; :func:`negative_adjustments` lists them, and ``allow_negative=False`` refuses them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from contextlib import closing
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from assess.errors import InputError
from assess.sources.csv_files import check_columns, read_csv_checked, read_header
from assess.sources.plausibility import check_financial_years_not_future
from assess.sources.spreadsheets import (
    WORKBOOK_SUFFIXES,
    cell_text,
    in_sheet,
    is_blank,
    iter_sheets,
    sheet_heads,
    text_frame,
)
from assess.sources.validation import (
    STRING,
    ReadReport,
    matches,
    parse_integers,
    raise_first,
    string_column,
    validate,
)

#: The force-area variant's header, in order.
PRC_COLUMNS = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
]
#: Headers the CSP variant uses for the partnership's name.
CSP_NAME_HEADERS = ("CSP Name", "Community Safety Partnership")

OUTPUT_COLUMNS = [
    "financial_year",
    "quarter",
    "force_name",
    "csp_name",
    "offence_description",
    "offence_group",
    "offence_subgroup",
    "offence_code",
    "offences",
    "source_file",
]

_RENAME = {
    "Financial Year": "financial_year",
    "Force Name": "force_name",
    "Offence Description": "offence_description",
    "Offence Group": "offence_group",
    "Offence Subgroup": "offence_subgroup",
    "Offence Code": "offence_code",
}


def is_prc_header(header: list[str]) -> bool:
    """True if ``header`` (stripped names) is that of a PRC table, either variant."""
    return set(PRC_COLUMNS) <= set(header)


def csp_name_column(header: list[str]) -> str | None:
    """The header's name for the CSP column, or None for the force-area variant."""
    present = [c for c in CSP_NAME_HEADERS if c in header]
    return present[0] if present else None


def _consecutive_years(s: pd.Series) -> pd.Series:
    """``"2017/18"`` -> True; ``"2017/19"`` -> False (vectorised; non-matching text -> True, left to the pattern check)."""
    ok = s.str.fullmatch(r"\d{4}/\d{2}").fillna(False).astype(bool)
    start = pd.to_numeric(s.str.slice(0, 4).where(ok), errors="coerce")
    end = pd.to_numeric(s.str.slice(5, 7).where(ok), errors="coerce")
    return (~ok) | ((start + 1) % 100 == end).fillna(False).astype(bool)


def recorded_crime_schema(variant: str) -> pa.DataFrameSchema:
    """Pandera schema of the ``recorded_crime`` table; ``variant`` is ``"force"`` or ``"csp"``."""
    return pa.DataFrameSchema(
        {
            "financial_year": string_column(
                matches(r"\d{4}/\d{2}", "a financial year written YYYY/YY, e.g. 2017/18"),
                pa.Check(_consecutive_years, error="a financial year of consecutive years, e.g. 2017/18"),
                nullable=False,
            ),
            "quarter": pa.Column("int64", pa.Check.isin([1, 2, 3, 4], error="a financial quarter 1-4")),
            "force_name": string_column(nullable=False),
            "csp_name": string_column(nullable=variant == "force"),
            "offence_description": string_column(nullable=False),
            "offence_group": string_column(),
            "offence_subgroup": string_column(),
            "offence_code": string_column(nullable=False),
            "offences": pa.Column("int64"),
            "source_file": string_column(nullable=False),
            "source_row": pa.Column("int64"),
        },
        strict=True,
        ordered=True,
    )


def read_recorded_crime(
    path: str | Path, *, allow_negative: bool = True, report: ReadReport | None = None
) -> pd.DataFrame:
    """Read a Home Office PRC open data table (force-area or CSP variant), CSV, ODS or xlsx.

    Returns the ``recorded_crime`` table of ``docs/data-model.md``: financial_year (``2017/18``),
    quarter (int64 1-4, 1 = April-June), force_name, csp_name (null in the force-area variant),
    offence_description, offence_group, offence_subgroup, offence_code, offences (int64,
    offences recorded in the quarter) and source_file (file name).

    A workbook (``.ods`` as published, or ``.xlsx``) is read sheet by sheet (see
    :func:`read_recorded_crime_workbook`): every sheet holding the table is read and the sheets
    concatenated in workbook order, into the same frame the CSV gives for the same rows.

    Raises InputError naming the row and column (and the sheet, for a workbook) for a missing
    column, a count that is not a whole number (or negative, with ``allow_negative=False``), a
    financial year not ``YYYY/YY`` or a quarter outside 1-4. Negative counts kept are listed in
    ``report.warnings``.
    """
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_recorded_crime_workbook(path, allow_negative=allow_negative, report=report)
    header = read_header(path)
    csp_col = csp_name_column(header)
    check_columns(path, header, PRC_COLUMNS, optional=CSP_NAME_HEADERS)
    df = read_csv_checked(path, _expected(csp_col))
    out = _recorded_crime(path, df, csp_col, allow_negative=allow_negative, header_row=1)
    if report is not None:
        report.rows_read += len(out)
        negative = out["offences"] < 0
        if negative.any():
            rows = ", ".join(str(r) for r in out.loc[negative, "source_row"].head(10))
            report.warnings.append(_negative_warning(path, int(negative.sum()), f"rows {rows}"))
    return out.drop(columns="source_row").reset_index(drop=True)


def _expected(csp_col: str | None) -> list[str]:
    """The header in order: the CSP column, when present, follows 'Force Name'."""
    return PRC_COLUMNS[:3] + ([csp_col] if csp_col else []) + PRC_COLUMNS[3:]


def _negative_warning(path: Path, n: int, where: str) -> str:
    return (
        f"{path.name}: {n} negative counts kept (Home Office adjustments for offences cancelled or "
        f"reclassified after an earlier quarter), {where}" + (" ..." if n > 10 else "")
    )


def _recorded_crime(
    path: Path, df: pd.DataFrame, csp_col: str | None, *, allow_negative: bool, header_row: int
) -> pd.DataFrame:
    """The ``recorded_crime`` columns (plus ``source_row``) from the table's text columns, validated."""
    expected = _expected(csp_col)
    extra = [c for c in df.columns if c not in expected and c != "source_row"]
    if extra:
        raise InputError(
            path,
            f"unexpected column '{extra[0]}' in a Home Office recorded crime table",
            row=header_row,
            column=extra[0],
            hint=f"the header must be {', '.join(PRC_COLUMNS)} (with 'CSP Name' after 'Force Name' in the CSP tables)",
        )
    quarter_text = df["Financial Quarter"].str.strip()
    raise_first(
        path,
        ~quarter_text.str.fullmatch(r"[1-4]").fillna(False).astype(bool),
        df,
        "Financial Quarter",
        "{value} is not a financial quarter 1-4",
        "write the quarter as 1, 2, 3 or 4 (1 = April-June)",
    )
    offences = parse_integers(df, "Number of Offences", path, allow_negative=allow_negative, what="number of offences")
    out = df.rename(columns=_RENAME)
    out["quarter"] = quarter_text.astype("int64")
    out["csp_name"] = df[csp_col] if csp_col else pd.array([pd.NA] * len(df), dtype=STRING)
    out["offences"] = offences
    out["source_file"] = pd.array([path.name] * len(df), dtype=STRING)
    out = out[[*OUTPUT_COLUMNS, "source_row"]]
    labels = {v: k for k, v in _RENAME.items()} | {
        "quarter": "Financial Quarter",
        "offences": "Number of Offences",
        "csp_name": csp_col or "CSP Name",
    }
    out = validate(out, recorded_crime_schema("csp" if csp_col else "force"), path, labels)
    check_financial_years_not_future(out, "financial_year", path, dt.date.today(), label="Financial Year")
    return out


# ---------------------------------------------------------------------------------------------
# Workbooks: the tables as published in ODS (or xlsx), one sheet per financial year

#: The header is looked for in the first rows of each sheet (title rows may come before it).
HEADER_SEARCH_ROWS = 50
#: A sheet named after a financial year ("2019-20", "2019_20", "2019/20", "FY 2019-20") must hold the table.
_YEAR_SHEET = re.compile(r"(fy\s*)?(19|20)\d{2}\s*[-_/ ]\s*(\d{2}|(19|20)\d{2})", re.IGNORECASE)
#: A row holding this many of the header's names is a (damaged) header, not a title.
_NEAR_HEADER = 3
#: A note marker the accessible spreadsheets put after a column name: "Number of Offences [note 2]".
_NOTE_MARKER = re.compile(r"\s*\[notes?\s[^\]]*\]\s*$", re.IGNORECASE)


def _labels(values: tuple) -> list[str]:
    """A row's cells as header names: blanks (line breaks included) as one space, a trailing
    ``[note N]`` marker removed, trailing empty cells dropped. Case is kept (names must match)."""
    labels = [_NOTE_MARKER.sub("", " ".join((cell_text(v) or "").replace("\ufeff", "").split())) for v in values]
    while labels and not labels[-1]:
        labels.pop()
    return labels


def _find_prc_header(rows) -> tuple[int, list[str]] | tuple[None, tuple[int, list[str]] | None]:
    """Scan a sheet's first rows: ``(row number, header)`` of the PRC header, or ``(None, best)``
    where ``best`` is the row holding most of the header's names (or None)."""
    known = set(PRC_COLUMNS) | set(CSP_NAME_HEADERS)
    best: tuple[int, list[str]] | None = None
    best_score = 0
    for number, values in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        labels = _labels(values)
        if is_prc_header(labels):
            return number, labels
        score = len(known & set(labels))
        if score > best_score:
            best, best_score = (number, labels), score
    return None, best


def prc_sheet(path: str | Path, heads: Mapping[str, Sequence] | None = None) -> str | None:
    """The name of the first sheet of a workbook whose first rows hold the PRC header, or None
    (also for a file that cannot be read as a workbook). ``heads``: the first rows of each sheet
    when the caller has read them already. Used by ``discover``."""
    if heads is None:
        heads = sheet_heads(path, HEADER_SEARCH_ROWS)
        if heads is None:
            return None
    for name, rows in heads.items():
        number, _ = _find_prc_header(rows)
        if number is not None:
            return name
    return None


def read_recorded_crime_workbook(
    path: str | Path, *, allow_negative: bool = True, report: ReadReport | None = None
) -> pd.DataFrame:
    """Read the PRC tables of an ODS (as published) or xlsx workbook; see :func:`read_recorded_crime`.

    Each sheet whose first 50 rows hold the header (title rows above it are passed over) is read
    from the row below the header; blank rows are not records. Sheets without the header (cover,
    notes, contents) are skipped and named in ``report.warnings``; but a sheet named after a
    financial year, or with a row holding most of the header, must hold the table: its missing or
    renamed column raises InputError. Header names may carry a ``[note N]`` marker or a line
    break. Rows are the sheet's own row numbers and errors name the sheet. Numbers stored as numbers are read as their CSV text (``56`` not ``56.0``). All data
    sheets must be of the same variant (force-area or CSP).
    """
    path = Path(path)
    frames: list[pd.DataFrame] = []
    skipped: list[str] = []
    names: list[str] = []
    variant: tuple[str, str | None] | None = None  # (first data sheet, its CSP column)
    with closing(iter_sheets(path)) as sheets:
        for name, rows in sheets:
            names.append(name)
            try:
                number, found = _find_prc_header(rows)
                if number is None:
                    _check_not_a_damaged_table(path, name, found)
                    skipped.append(name)
                    continue
                header = found
                csp_col = csp_name_column(header)
                if variant is None:
                    variant = (name, csp_col)
                elif (variant[1] is None) != (csp_col is None):
                    this, other = ("CSP", "force-area") if csp_col else ("force-area", "CSP")
                    raise InputError(
                        path,
                        f"this sheet holds the {this} table but sheet '{variant[0]}' holds the {other} table",
                        row=number,
                        hint="use the workbook as published: one variant per file (prc-pfa-... or prc-csp-...)",
                    )
                df = _sheet_table(path, header, number, rows)
                out = _recorded_crime(path, df, csp_col, allow_negative=allow_negative, header_row=number)
            except InputError as exc:
                raise in_sheet(exc, name) from None
            out["source_sheet"] = name
            frames.append(out)
    if not frames:
        raise InputError(
            path,
            f"no sheet holds a Home Office recorded crime table (its sheets: {', '.join(names) or 'none'})",
            hint=f"use the workbook as published: a data sheet has, in its first {HEADER_SEARCH_ROWS} rows, the header {', '.join(PRC_COLUMNS)}",
        )
    out = pd.concat(frames, ignore_index=True)
    if report is not None:
        report.rows_read += len(out)
        if skipped:
            report.warnings.append(
                f"{path.name}: sheets skipped, holding no recorded crime table: {', '.join(repr(s) for s in skipped)}"
            )
        negative = out.loc[out["offences"] < 0]
        if len(negative):
            first = negative.head(10)
            where = "; ".join(
                f"sheet '{sheet}' rows {', '.join(str(r) for r in part['source_row'])}"
                for sheet, part in first.groupby("source_sheet", sort=False)
            )
            report.warnings.append(_negative_warning(path, len(negative), where))
    return out.drop(columns=["source_row", "source_sheet"]).reset_index(drop=True)


def _check_not_a_damaged_table(path: Path, sheet: str, best: tuple[int, list[str]] | None) -> None:
    """A sheet without the header is skipped, unless its name or a row says it should hold the table."""
    near = best is not None and len((set(PRC_COLUMNS) | set(CSP_NAME_HEADERS)) & set(best[1])) >= _NEAR_HEADER
    if not near and not _YEAR_SHEET.fullmatch(sheet.strip()):
        return
    if best is None:
        raise InputError(
            path,
            f"no header row in the first {HEADER_SEARCH_ROWS} rows of a sheet named after a financial year",
            hint=f"use the workbook as published: the header is {', '.join(PRC_COLUMNS)}",
        )
    number, labels = best
    try:
        check_columns(path, labels, PRC_COLUMNS, optional=CSP_NAME_HEADERS)
    except InputError as exc:
        raise InputError(path, exc.problem, row=number, column=exc.column, hint=exc.hint) from None


def _sheet_table(path: Path, header: list[str], header_row: int, rows) -> pd.DataFrame:
    """The rows below the header as text columns (as :func:`read_csv_checked` gives a CSV's)."""
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise InputError(path, f"the header names column '{dup}' twice", row=header_row, column=dup,
                         hint="remove or rename the repeated column")
    width = len(header)
    data: list[tuple] = []
    numbers: list[int] = []
    for number, values in rows:
        if len(values) > width and any(not is_blank(v) for v in values[width:]):
            at = next(i for i in range(width, len(values)) if not is_blank(values[i]))
            raise InputError(
                path,
                f"a value ({values[at]!r}) in column {_column_letter(at)}, right of the table's last column '{header[-1]}'",
                row=number,
                hint="use the workbook as published (remove notes typed beside the table)",
            )
        data.append(values)
        numbers.append(number)
    if not data:
        raise InputError(path, "the sheet has a header but no data rows", row=header_row,
                         hint="download the workbook again")
    return text_frame(header, data, numbers)


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def negative_adjustments(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ``recorded_crime`` frame whose count is negative (published adjustments)."""
    return df.loc[df["offences"] < 0].reset_index(drop=True)
