"""Readers of the ONS Open Geography Portal lookups: LSOA -> ward -> LAD, LAD -> CSP -> PFA, LAD -> region.

Source: ONS Open Geography Portal (https://geoportal.statistics.gov.uk/, Open Government Licence
v3.0), CSV downloads such as
``Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv``.

Column names carry the year of the geography (``LSOA11CD``, ``WD17CD``, ``LAD16CD``,
``CSP16CD``, ``PFA16CD``, ``RGN18CD``): the readers accept any two-digit year, in upper or lower
case, and a UTF-8 byte-order mark. Other columns (``FID``, Welsh names ``WD17NMW``) are not used.
Outputs hold exactly the columns of ``docs/data-model.md`` (all pandas ``string``).

Checks: every code is a GSS code (a capital letter and 8 digits) of the right entity (LSOA
E01/W01, ward E05/W05, LAD E06-E09/W06, CSP E22/W14, PFA E23/W15, region E12 or a country
E92/W92); names are given; the key (LSOA in ``lsoa_ward``, LAD in ``lad_csp`` and ``lad_region``)
appears once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from assess.errors import InputError
from assess.sources.csv_files import read_csv_checked, read_header, resolve_columns
from assess.sources.validation import (
    GSS_CODE,
    ReadReport,
    matches,
    string_column,
    validate,
)

#: Role -> header pattern (full match, case-insensitive) of each lookup.
LSOA_WARD_ROLES = {
    "lsoa_code": r"lsoa\d{2}cd",
    "lsoa_name": r"lsoa\d{2}nm",
    "ward_code": r"wd\d{2}cd",
    "ward_name": r"wd\d{2}nm",
    "lad_code": r"lad\d{2}cd",
    "lad_name": r"lad\d{2}nm",
}
LAD_CSP_ROLES = {
    "lad_code": r"lad\d{2}cd",
    "lad_name": r"lad\d{2}nm",
    "csp_code": r"csp\d{2}cd",
    "csp_name": r"csp\d{2}nm",
    "pfa_code": r"pfa\d{2}cd",
    "pfa_name": r"pfa\d{2}nm",
}
LAD_REGION_ROLES = {
    "lad_code": r"lad\d{2}cd",
    "lad_name": r"lad\d{2}nm",
    "region_code": r"rgn\d{2}cd",
    "region_name": r"rgn\d{2}nm",
}

#: GSS entity prefixes accepted for each kind of code.
CODE_PREFIXES = {
    "lsoa_code": ("E01", "W01"),
    "ward_code": ("E05", "W05"),
    "lad_code": ("E06", "E07", "E08", "E09", "W06"),
    "csp_code": ("E22", "W14", "W22"),  # Welsh CSPs are W14 in the ONS lookups
    "pfa_code": ("E23", "W15"),
    "region_code": ("E12", "E92", "W92"),
}

#: Lookup kind -> (roles, key column).
LOOKUPS = {
    "lsoa_ward_lookup": (LSOA_WARD_ROLES, "lsoa_code"),
    "lad_csp_lookup": (LAD_CSP_ROLES, "lad_code"),
    "lad_region_lookup": (LAD_REGION_ROLES, "lad_code"),
}


def lookup_kind(header: list[str]) -> str | None:
    """Which ONS lookup a CSV header belongs to (``"lsoa_ward_lookup"``, ...), or None.

    A header matches a kind when every role's pattern matches at least one column.
    """

    def has(pattern: str) -> bool:
        return any(re.fullmatch(pattern, h.strip().lstrip("\ufeff"), re.IGNORECASE) for h in header)

    for kind, (roles, _) in LOOKUPS.items():
        if all(has(p) for p in roles.values()):
            return kind
    return None


def _schema(roles: dict[str, str], key: str) -> pa.DataFrameSchema:
    columns = {}
    for role in roles:
        if role.endswith("_code"):
            prefixes = "|".join(CODE_PREFIXES[role])
            entity = role.removesuffix("_code").upper()
            columns[role] = string_column(
                matches(GSS_CODE, "an ONS GSS code: a capital letter and 8 digits, e.g. E06000045"),
                matches(rf"(?:{prefixes})\d{{6}}", f"a code of the right kind ({entity} codes start {'/'.join(CODE_PREFIXES[role])})"),
                nullable=False,
            )
        else:
            columns[role] = string_column(nullable=False)
    columns["source_row"] = pa.Column("int64")
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


def _check_unique(df: pd.DataFrame, key: str, column: str, path: Path) -> None:
    dup = df[key].duplicated(keep=False)
    if not dup.any():
        return
    first_code = df.loc[dup, key].iloc[0]
    rows = df.loc[df[key] == first_code, "source_row"].tolist()
    n_codes = df.loc[dup, key].nunique()
    more = f"; {n_codes} codes are repeated in all" if n_codes > 1 else ""
    raise InputError(
        path,
        f"{key.replace('_', ' ')} {first_code} appears more than once (rows {', '.join(map(str, rows))}){more}",
        row=rows[1],
        column=column,
        hint=f"a lookup must give one row per {key.removesuffix('_code').upper()}; use the ONS file as published",
    )


def _read_lookup(path: str | Path, roles: dict[str, str], key: str, report: ReadReport | None) -> pd.DataFrame:
    path = Path(path)
    header = read_header(path)
    found = resolve_columns(path, header, roles)
    df = read_csv_checked(path, list(found.values()), optional=header)
    out = df[[*found.values(), "source_row"]].rename(columns={v: k for k, v in found.items()})
    out = validate(out, _schema(roles, key), path, labels=found)
    _check_unique(out, key, found[key], path)
    if report is not None:
        report.rows_read += len(out)
    return out.drop(columns="source_row").reset_index(drop=True)


def read_lsoa_ward_lookup(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """LSOA -> ward -> local authority lookup (ONS ``LSOA11CD, LSOA11NM, WD17CD, WD17NM, LAD17CD, LAD17NM``).

    Returns ``lsoa_ward``: lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name, one row
    per LSOA. InputError for a missing column, a bad GSS code or an LSOA listed twice.
    """
    return _read_lookup(path, LSOA_WARD_ROLES, "lsoa_code", report)


def read_lad_csp_lookup(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """Local authority -> Community Safety Partnership -> police force area lookup (ONS ``LAD16CD ... PFA16NM``).

    Returns ``lad_csp``: lad_code, lad_name, csp_code, csp_name, pfa_code, pfa_name, one row per
    local authority district. InputError for a missing column, a bad code or a LAD listed twice.
    """
    return _read_lookup(path, LAD_CSP_ROLES, "lad_code", report)


def read_lad_region_lookup(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """Local authority -> region lookup (ONS ``LAD18CD, LAD18NM, RGN18CD, RGN18NM``).

    Returns ``lad_region``: lad_code, lad_name, region_code, region_name, one row per local
    authority district.
    """
    return _read_lookup(path, LAD_REGION_ROLES, "lad_code", report)
