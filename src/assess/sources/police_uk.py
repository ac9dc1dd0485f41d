"""Readers of the data.police.uk monthly archive files: street-level crime, outcomes, stop and search.

Source: https://data.police.uk/data/ (Open Government Licence v3.0). Each archive holds, per month
and force, ``YYYY-MM/YYYY-MM-<force>-street.csv``, ``...-outcomes.csv`` and
``...-stop-and-search.csv``. Readers return the published columns in snake_case plus
``source_file`` (the file name) and ``source_row`` (1-based line number, header = line 1), as
``docs/data-model.md`` specifies. They do not harmonise categories nor place rows in wards or
CSPs: that is :mod:`assess.store.harmonise`.

Headers must be exactly as police.uk publishes them (case included): a header edited by hand
(``Crime Type`` for ``Crime type``) is refused with a hint naming the near match.

Speed: the fast path is pyarrow's CSV reader plus vectorised pandas/pyarrow checks, with no
per-row Python, so that a national year (~6 million rows) reads in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from assess.errors import InputError
from assess.sources.csv_files import read_csv_checked
from assess.sources.plausibility import check_force_of_file, month_after
from assess.sources.validation import (
    GSS_CODE,
    STRING,
    ReadReport,
    matches,
    parse_floats,
    raise_first,
    string_column,
    validate,
)

#: The columns that police.uk street and outcomes files share, in their published order.
_LOCATED_RECORD: dict[str, str] = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "reported_by",
    "Falls within": "falls_within",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
}

#: Published header of ``YYYY-MM-<force>-street.csv`` -> output column.
STREET_COLUMNS: dict[str, str] = {
    **_LOCATED_RECORD,
    "Crime type": "crime_type",
    "Last outcome category": "last_outcome_category",
    "Context": "context",
}

#: Published header of ``YYYY-MM-<force>-outcomes.csv`` -> output column.
OUTCOMES_COLUMNS: dict[str, str] = {**_LOCATED_RECORD, "Outcome type": "outcome_type"}

#: Published header of ``YYYY-MM-<force>-stop-and-search.csv`` -> output column.
STOP_SEARCH_COLUMNS: dict[str, str] = {
    "Type": "type",
    "Date": "date",
    "Part of a policing operation": "part_of_a_policing_operation",
    "Policing operation": "policing_operation",
    "Latitude": "latitude",
    "Longitude": "longitude",
    "Gender": "gender",
    "Age range": "age_range",
    "Self-defined ethnicity": "self_defined_ethnicity",
    "Officer-defined ethnicity": "officer_defined_ethnicity",
    "Legislation": "legislation",
    "Object of search": "object_of_search",
    "Outcome": "outcome",
    "Outcome linked to object of search": "outcome_linked_to_object_of_search",
    "Removal of more than just outer clothing": "removal_of_more_than_just_outer_clothing",
}

#: Stop-and-search columns published as True/False (blank when not recorded): read as ``boolean``.
STOP_SEARCH_FLAGS = (
    "part_of_a_policing_operation",
    "outcome_linked_to_object_of_search",
    "removal_of_more_than_just_outer_clothing",
)

#: The kinds of police.uk file, by the suffix of their name.
FILE_KINDS = {"street": "street", "outcomes": "outcomes", "stop-and-search": "stop_search"}

_FILE_NAME = re.compile(r"^(\d{4})-(\d{2})-(.+)-(street|outcomes|stop-and-search)\.csv$", re.IGNORECASE)
MONTH = r"\d{4}-(?:0[1-9]|1[0-2])"
CRIME_ID = r"[0-9a-f]{64}"
#: Generous bounds of the UK (incl. Northern Ireland and Shetland) for police.uk map points.
LONGITUDE_RANGE = (-9.0, 2.5)
LATITUDE_RANGE = (49.0, 61.5)
NAME_HINT = "keep the name police.uk gives the file: YYYY-MM-<force>-street.csv (or -outcomes / -stop-and-search)"


def police_file_name(path: str | Path) -> tuple[str, str, str] | None:
    """``(month "YYYY-MM", force slug, kind)`` of a police.uk file name, or None if it is not one.

    ``kind`` is ``"street"``, ``"outcomes"`` or ``"stop_search"``. The month is not checked here.
    """
    m = _FILE_NAME.match(Path(path).name)
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}", m.group(3).lower(), FILE_KINDS[m.group(4).lower()]


def _file_month(path: Path, kind: str) -> tuple[str, str]:
    parsed = police_file_name(path)
    suffix = {"street": "street", "outcomes": "outcomes", "stop_search": "stop-and-search"}[kind]
    if parsed is None or parsed[2] != kind:
        raise InputError(
            path,
            f"the file name is not of the form YYYY-MM-<force>-{suffix}.csv, so its month cannot be checked",
            hint=NAME_HINT,
        )
    month, force, _ = parsed
    if not re.fullmatch(MONTH, month):
        raise InputError(path, f"the file name holds '{month}', which is not a month (YYYY-MM, 01-12)", hint=NAME_HINT)
    today = dt.date.today()
    if month_after(month, today):  # its rows must be of that month: records dated in the future
        raise InputError(path, f"the file is for {month}, a month after today ({today:%Y-%m})",
                         hint="check the file's name and its Month column: police.uk publishes months that have ended")
    return month, force


def street_file_month(path: str | Path) -> tuple[str, str]:
    """``(month, force_slug)`` from a name ``YYYY-MM-<force>-street.csv``: ``("2017-02", "hampshire")``.

    Raises InputError if the name is not of that form or the month is not 01-12.
    """
    return _file_month(Path(path), "street")


def _labels(columns: dict[str, str]) -> dict[str, str]:
    """Output column -> published header name, for error messages."""
    return {v: k for k, v in columns.items()}


def _coordinates(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Replace the Longitude/Latitude text columns by float64 (NaN where blank)."""
    df["Longitude"] = parse_floats(df, "Longitude", path, what="longitude in decimal degrees")
    df["Latitude"] = parse_floats(df, "Latitude", path, what="latitude in decimal degrees")
    return df


def _finish(
    df: pd.DataFrame, columns: dict[str, str], path: Path, report: ReadReport | None
) -> pd.DataFrame:
    """Rename to snake_case, keep the published columns in order, add source_file."""
    extra = [c for c in df.columns if c not in columns and c != "source_row"]
    if extra and report is not None:
        report.warnings.append(f"{path.name}: columns not used: {', '.join(extra)}")
    out = df[[*columns, "source_row"]].rename(columns=columns)
    out.insert(len(columns), "source_file", pd.array([path.name] * len(out), dtype=STRING))
    out["source_row"] = out["source_row"].astype("int64")
    if report is not None:
        report.rows_read += len(out)
    return out.reset_index(drop=True)


def _coordinate_columns() -> dict[str, pa.Column]:
    lo, hi = LONGITUDE_RANGE
    la, lb = LATITUDE_RANGE
    return {
        "longitude": pa.Column(
            "float64", pa.Check.in_range(lo, hi, error=f"longitude within the UK ({lo} to {hi})"), nullable=True
        ),
        "latitude": pa.Column(
            "float64", pa.Check.in_range(la, lb, error=f"latitude within the UK ({la} to {lb})"), nullable=True
        ),
    }


def _both_or_neither(df: pd.DataFrame) -> pd.Series:
    return df["longitude"].isna() == df["latitude"].isna()


def _month_schema(month: str | None, crime_id_nullable: bool) -> dict[str, pa.Column]:
    """Columns common to street and outcomes files; ``month`` None: any valid month (several files)."""
    same_month = [] if month is None else [pa.Check.eq(month, error=f"the month in the file name ({month})")]
    return {
        "crime_id": string_column(
            matches(CRIME_ID, "a police.uk Crime ID: 64 hexadecimal characters (blank for anti-social behaviour)"),
            nullable=crime_id_nullable,
        ),
        "month": string_column(
            matches(MONTH, "a month written YYYY-MM with month 01-12"),
            *same_month,
            nullable=False,
        ),
        "reported_by": string_column(nullable=False),
        "falls_within": string_column(nullable=False),
        **_coordinate_columns(),
        "location": string_column(),
        "lsoa_code": string_column(matches(GSS_CODE, "an ONS LSOA code like E01022553, or blank")),
        "lsoa_name": string_column(),
    }


def street_schema(month: str | None) -> pa.DataFrameSchema:
    """Pandera schema of a street file's rows for ``month`` (cheap vectorised checks only).

    With ``month`` None it checks rows of several files at once (each file's month is checked
    against its name by :func:`read_street`)."""
    return pa.DataFrameSchema(
        {
            **_month_schema(month, crime_id_nullable=True),
            "crime_type": string_column(nullable=False),
            "last_outcome_category": string_column(),
            "context": string_column(),
            "source_file": string_column(nullable=False),
            "source_row": pa.Column("int64"),
        },
        checks=pa.Check(_both_or_neither, error="longitude and latitude both given or both blank"),
        strict=True,
        ordered=True,
    )


def outcomes_schema(month: str) -> pa.DataFrameSchema:
    """Pandera schema of an outcomes file's rows for ``month``."""
    return pa.DataFrameSchema(
        {
            **_month_schema(month, crime_id_nullable=False),
            "outcome_type": string_column(nullable=False),
            "source_file": string_column(nullable=False),
            "source_row": pa.Column("int64"),
        },
        checks=pa.Check(_both_or_neither, error="longitude and latitude both given or both blank"),
        strict=True,
        ordered=True,
    )


def read_street(path: str | Path, *, report: ReadReport | None = None, validate_rows: bool = True) -> pd.DataFrame:
    """Read one police.uk street-level crime file (crime and anti-social behaviour).

    Source: data.police.uk ``YYYY-MM-<force>-street.csv`` (one month, one force). Returns the
    ``street`` columns of ``docs/data-model.md`` that come from the file: crime_id (null for
    anti-social behaviour), month (``YYYY-MM``), reported_by, falls_within, longitude and
    latitude (float64 decimal degrees, NaN when not given), location, lsoa_code, lsoa_name,
    crime_type, last_outcome_category, context, source_file (file name), source_row (line
    number). Every row of the file is returned; duplicate Crime IDs are kept (see
    :func:`duplicate_crime_ids`).

    Raises InputError when the name is not ``YYYY-MM-<force>-street.csv`` or its month is after
    today, a row was reported by another force than the name's
    (:func:`assess.sources.plausibility.check_force_of_file`), a column is missing or
    renamed, a month is not ``YYYY-MM`` or differs from the file name's, a coordinate is not a
    number in the UK, a Crime ID is not 64 hex characters, or the crime type is blank. With
    ``validate_rows`` False only the month is checked here: the caller validates many files at
    once with :func:`validate_street`.
    """
    path = Path(path)
    month, force = _file_month(path, "street")
    df = read_csv_checked(path, list(STREET_COLUMNS))
    df = _finish(_coordinates(df, path), STREET_COLUMNS, path, report)
    check_force_of_file(df, "reported_by", force, path, label="Reported by")
    if validate_rows:
        return validate(df, street_schema(month), path, _labels(STREET_COLUMNS))
    other = df["month"].ne(month).fillna(True).to_numpy()
    if other.any():
        i = int(other.argmax())
        raise InputError(
            path,
            f"value {df['month'].iat[i]!r} fails the check: the month in the file name ({month})",
            row=int(df["source_row"].iat[i]),
            column="Month",
            hint="a police.uk file holds one month: check the file was not renamed or edited",
        )
    return df


def validate_street(street: pd.DataFrame, paths: Mapping[str, Path]) -> pd.DataFrame:
    """Validate the rows of many street files at once (read with ``validate_rows=False``).

    One pandera pass over the whole table instead of one per file: pandera's fixed cost per file
    and column was most of the time of a national ingest. ``paths`` maps each ``source_file`` to
    its path, so that an error names the file, its row and its column as a per-file check would.
    """
    return validate(street, street_schema(None), next(iter(paths.values()), "street files"), _labels(STREET_COLUMNS), paths=paths)


def read_outcomes(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """Read one police.uk outcomes file: outcomes recorded that month for crimes of any month.

    Source: data.police.uk ``YYYY-MM-<force>-outcomes.csv``. Columns: crime_id, month,
    reported_by, falls_within, longitude, latitude (float64), location, lsoa_code, lsoa_name,
    outcome_type, source_file, source_row. Checks as :func:`read_street`; the Crime ID is
    required (every outcome belongs to a crime).
    """
    path = Path(path)
    month, force = _file_month(path, "outcomes")
    df = read_csv_checked(path, list(OUTCOMES_COLUMNS))
    df = _finish(_coordinates(df, path), OUTCOMES_COLUMNS, path, report)
    check_force_of_file(df, "reported_by", force, path, label="Reported by")
    return validate(df, outcomes_schema(month), path, _labels(OUTCOMES_COLUMNS))


_ISO_DATE = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"


def stop_search_schema() -> pa.DataFrameSchema:
    """Pandera schema of a stop-and-search file's rows."""
    flags = {c: pa.Column("boolean", nullable=True) for c in STOP_SEARCH_FLAGS}
    columns: dict[str, pa.Column] = {}
    for col in STOP_SEARCH_COLUMNS.values():
        if col in flags:
            columns[col] = flags[col]
        elif col in ("latitude", "longitude"):
            columns[col] = _coordinate_columns()[col]
        elif col == "date":
            columns[col] = string_column(
                matches(_ISO_DATE, "an ISO 8601 date-time such as 2017-02-01T10:30:00+00:00"), nullable=False
            )
        elif col == "type":
            columns[col] = string_column(nullable=False)
        else:
            columns[col] = string_column()
    columns["source_file"] = string_column(nullable=False)
    columns["source_row"] = pa.Column("int64")
    return pa.DataFrameSchema(
        columns,
        checks=pa.Check(_both_or_neither, error="longitude and latitude both given or both blank"),
        strict=True,
        ordered=True,
    )


def _flags(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Read the published True/False columns as pandas ``boolean`` (blank -> NA; any case)."""
    published = {v: k for k, v in STOP_SEARCH_COLUMNS.items()}
    for col in (published[c] for c in STOP_SEARCH_FLAGS):
        text = df[col].str.lower()
        known = text.isna() | text.isin(["true", "false"])
        raise_first(
            path,
            ~known,
            df,
            col,
            "{value} is not True or False",
            "the column must hold True, False or be blank",
        )
        df[col] = (text == "true").astype("boolean").mask(text.isna())
    return df


def read_stop_search(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """Read one police.uk stop-and-search file.

    Source: data.police.uk ``YYYY-MM-<force>-stop-and-search.csv``. Columns, snake_case of the
    published ones: type, date (ISO 8601 text as published), part_of_a_policing_operation
    (boolean), policing_operation, latitude, longitude (float64), gender, age_range,
    self_defined_ethnicity, officer_defined_ethnicity, legislation, object_of_search, outcome,
    outcome_linked_to_object_of_search (boolean), removal_of_more_than_just_outer_clothing
    (boolean), source_file, source_row. The date is not required to fall in the file's month
    (police.uk publishes UTC times, so a search late on the last evening can fall a day over).
    """
    path = Path(path)
    _file_month(path, "stop_search")
    df = read_csv_checked(path, list(STOP_SEARCH_COLUMNS))
    df = _flags(_coordinates(df, path), path)
    df = _finish(df, STOP_SEARCH_COLUMNS, path, report)
    return validate(df, stop_search_schema(), path, _labels(STOP_SEARCH_COLUMNS))


def duplicate_crime_ids(df: pd.DataFrame) -> pd.DataFrame:
    """The rows whose (non-null) Crime ID appears more than once in ``df``.

    Takes a frame of :func:`read_street` rows (one or many files concatenated) and returns
    crime_id, month, source_file, source_row and ``occurrences`` (how many rows carry the ID),
    sorted by crime_id, source_file, source_row. Empty when every ID is unique. Anti-social
    behaviour rows (null Crime ID) are never duplicates. Reading does not fail on duplicates:
    the ingest step reports them.
    """
    ids = df["crime_id"]
    dup = ids.notna() & ids.duplicated(keep=False)
    cols = [c for c in ("crime_id", "month", "source_file", "source_row") if c in df.columns]
    out = df.loc[dup, cols].copy()
    out["occurrences"] = out.groupby("crime_id")["crime_id"].transform("size").astype("int64")
    return out.sort_values(["crime_id", "source_file", "source_row"], kind="stable").reset_index(drop=True)
