"""Reader of the Home Office police recorded crime (PRC) open data tables.

Source: Home Office, "Police recorded crime and outcomes open data tables"
(https://www.gov.uk/government/statistics/police-recorded-crime-open-data-tables, Open
Government Licence v3.0): ``prc-pfa-mar2013-onwards-tables*.csv`` (police force area level) and
``prc-csp-mar2013-onwards-tables*.csv`` (Community Safety Partnership level). Counts are offences
recorded in a financial quarter (1 = April-June).

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

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from assess.errors import InputError
from assess.sources.base import (
    STRING,
    ReadReport,
    check_columns,
    matches,
    parse_integers,
    raise_first,
    read_csv_checked,
    read_header,
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
    """Read a Home Office PRC open data table (force-area or CSP variant).

    Returns the ``recorded_crime`` table of ``docs/data-model.md``: financial_year (``2017/18``),
    quarter (int64 1-4, 1 = April-June), force_name, csp_name (null in the force-area variant),
    offence_description, offence_group, offence_subgroup, offence_code, offences (int64,
    offences recorded in the quarter) and source_file (file name).

    Raises InputError naming the row and column for a missing column, a count that is not a
    whole number (or negative, with ``allow_negative=False``), a financial year not ``YYYY/YY``
    or a quarter outside 1-4. Negative counts kept are listed in ``report.warnings``.
    """
    path = Path(path)
    header = read_header(path)
    csp_col = csp_name_column(header)
    check_columns(path, header, PRC_COLUMNS, optional=CSP_NAME_HEADERS)
    expected = PRC_COLUMNS[:3] + ([csp_col] if csp_col else []) + PRC_COLUMNS[3:]
    df = read_csv_checked(path, expected)
    extra = [c for c in df.columns if c not in expected and c != "source_row"]
    if extra:
        raise InputError(
            path,
            f"unexpected column '{extra[0]}' in a Home Office recorded crime table",
            row=1,
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
    if report is not None:
        report.rows_read += len(out)
        negative = out["offences"] < 0
        if negative.any():
            rows = ", ".join(str(r) for r in out.loc[negative, "source_row"].head(10))
            report.warnings.append(
                f"{path.name}: {int(negative.sum())} negative counts kept (Home Office adjustments "
                f"for offences cancelled or reclassified after an earlier quarter), rows {rows}"
                + (" ..." if negative.sum() > 10 else "")
            )
    return out.drop(columns="source_row").reset_index(drop=True)


def negative_adjustments(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ``recorded_crime`` frame whose count is negative (published adjustments)."""
    return df.loc[df["offences"] < 0].reset_index(drop=True)
