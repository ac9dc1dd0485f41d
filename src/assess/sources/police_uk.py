"""Readers of the data.police.uk monthly archive files: street-level crime, outcomes, stop and search.

Source: https://data.police.uk/data/ (Open Government Licence v3.0). Each archive holds, per month
and force, ``YYYY-MM/YYYY-MM-<force>-street.csv``, ``...-outcomes.csv`` and
``...-stop-and-search.csv``. Readers return the published columns in snake_case plus
``source_file`` (the file name) and ``source_row`` (1-based line number, header = line 1), as
``docs/data-model.md`` specifies. They do not harmonise categories nor place rows in wards or
CSPs: that is :mod:`assess.store` (which reads these files with the same specs, streaming).

Headers must be exactly as police.uk publishes them (case included): a header edited by hand
(``Crime Type`` for ``Crime type``) is refused with a hint naming the near match.

What each value must be is written once, as SQL, in the :class:`~assess.sources.csv_sql.TableSpec`
of each kind (:func:`street_spec`, :func:`outcomes_spec`, :func:`stop_search_spec`): DuckDB reads
and checks a file in one streaming pass (:mod:`assess.sources.csv_sql`), and the first bad cell is
named with its file, line, published column and what it must hold.

Plausibility of a whole file (months in the future, a file named for one force holding another
force's rows) is checked by the functions in :data:`PLAUSIBILITY_CHECKS`, which every reader and
the ingest call with a :class:`PoliceFile` summary once a file's rows are valid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from assess.errors import InputError
from assess.sources.csv_sql import (
    Check,
    CheckedCsv,
    TableSpec,
    connect,
    fetch_arrow,
    run_checked,
    sql_name,
    sql_string,
)
from assess.sources.plausibility import check_force_of_file, force_matches_slug, month_after
from assess.sources.validation import GSS_CODE, STRING, ReadReport

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


def _text_names(columns: dict[str, str], typed: tuple[str, ...]) -> dict[str, str]:
    """Published header -> name of its cleaned text in SQL (``<column>_text`` where the value is typed)."""
    return {h: f"{c}_text" if c in typed else c for h, c in columns.items()}


def _number(column: str, what: str) -> tuple[str, Check]:
    """A decimal column: its SQL and the check that its text is a number (NaN is not, nor DuckDB's
    ``1_000`` digit grouping, which pandas never read as a number). The check reads the typed
    column (its SQL given as ``typed[column]`` of the spec) rather than casting the text again."""
    text = sql_name(f"{column}_text")
    sql = f"TRY_CAST({text} AS DOUBLE)"
    check = Check(
        column,
        f"{text} IS NOT NULL AND ({sql_name(column)} IS NULL OR isnan({sql_name(column)}) OR contains({text}, '_'))",
        f"{{value}} is not a number ({what})",
        kind="parse",
        hint="the value must be a decimal number such as -1.4047 or left blank",
        value=text,
    )
    return sql, check


def _blank(column: str) -> Check:
    return Check(column, f"{sql_name(column)} IS NULL", "the value is blank, but this column must always be given")


def _matches(column: str, pattern: str, what: str, *, unless: str | None = None) -> Check:
    """The value, when given, fully matches ``pattern`` (RE2); ``unless``: SQL of values known to match."""
    c = sql_name(column)
    fails = f"{c} IS NOT NULL AND NOT regexp_full_match({c}, {sql_string(pattern)})"
    if unless:
        fails = f"{c} IS NOT NULL AND NOT ({unless}) AND NOT regexp_full_match({c}, {sql_string(pattern)})"
    return Check(column, fails, f"value {{value}} fails the check: {what}")


def _in_range(column: str, bounds: tuple[float, float], what: str) -> Check:
    lo, hi = bounds
    return Check(column, f"{sql_name(column)} NOT BETWEEN {lo!r} AND {hi!r}",
                 f"value {{value}} fails the check: {what} within the UK ({lo} to {hi})")


def _both_or_neither() -> list[Check]:
    """Longitude and latitude both given or both blank, named on the blank one and counted once a row
    (pandera counted this whole-row check once per column, and named the first column). A row's
    other failures come after it, as pandera took them."""
    return [
        Check(blank, f"{sql_name(blank)} IS NULL AND {sql_name(given)} IS NOT NULL",
              f"the value is blank, but {given.capitalize()} is given: longitude and latitude must be both given or both blank",
              cell="coordinates")
        for blank, given in (("longitude", "latitude"), ("latitude", "longitude"))
    ]


def _located_record_checks(month: str, *, crime_id_required: bool) -> list[Check]:
    """Schema checks of the columns street and outcomes files share, in their published order."""
    m = sql_string(month)
    crime_id = [
        *([_blank("crime_id")] if crime_id_required else []),
        _matches("crime_id", CRIME_ID, "a police.uk Crime ID: 64 hexadecimal characters (blank for anti-social behaviour)"),
    ]
    return [
        *crime_id,
        _blank("month"),
        _matches("month", MONTH, "a month written YYYY-MM with month 01-12", unless=f'"month" = {m}'),
        Check("month", f'"month" IS NOT NULL AND "month" <> {m}', f"value {{value}} fails the check: the month in the file name ({month})",
              hint="a police.uk file holds one month: check the file was not renamed or edited"),
        _blank("reported_by"),
        _blank("falls_within"),
        _in_range("longitude", LONGITUDE_RANGE, "longitude"),
        _in_range("latitude", LATITUDE_RANGE, "latitude"),
        _matches("lsoa_code", GSS_CODE, "an ONS LSOA code like E01022553, or blank"),
    ]


def _coordinates() -> tuple[dict[str, str], list[Check]]:
    lon, lon_check = _number("longitude", "longitude in decimal degrees")
    lat, lat_check = _number("latitude", "latitude in decimal degrees")
    return {"longitude": lon, "latitude": lat}, [lon_check, lat_check]


def street_spec(month: str) -> TableSpec:
    """What a street file of ``month`` must hold: the :class:`TableSpec` of ``read_street`` and the ingest."""
    typed, parse = _coordinates()
    checks = [*parse, *_both_or_neither(), *_located_record_checks(month, crime_id_required=False), _blank("crime_type")]
    return TableSpec(_text_names(STREET_COLUMNS, ("longitude", "latitude")), typed, checks, _labels(STREET_COLUMNS))


def outcomes_spec(month: str) -> TableSpec:
    """What an outcomes file of ``month`` must hold (every outcome belongs to a crime: a Crime ID is required)."""
    typed, parse = _coordinates()
    checks = [*parse, *_both_or_neither(), *_located_record_checks(month, crime_id_required=True), _blank("outcome_type")]
    return TableSpec(_text_names(OUTCOMES_COLUMNS, ("longitude", "latitude")), typed, checks, _labels(OUTCOMES_COLUMNS))


_ISO_DATE = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"


def stop_search_spec() -> TableSpec:
    """What a stop-and-search file must hold. The True/False columns are read as booleans (any case)."""
    published = _labels(STOP_SEARCH_COLUMNS)
    typed, checks = _coordinates()
    for flag in STOP_SEARCH_FLAGS:
        text = sql_name(f"{flag}_text")
        typed[flag] = f"CASE lower({text}) WHEN 'true' THEN true WHEN 'false' THEN false END"
        checks.append(Check(flag, f"{text} IS NOT NULL AND lower({text}) NOT IN ('true', 'false')",
                            "{value} is not True or False", kind="parse",
                            hint="the column must hold True, False or be blank", value=text))
    checks += [
        *_both_or_neither(),
        _blank("type"),
        _blank("date"),
        _matches("date", _ISO_DATE, "an ISO 8601 date-time such as 2017-02-01T10:30:00+00:00"),
        _in_range("latitude", LATITUDE_RANGE, "latitude"),
        _in_range("longitude", LONGITUDE_RANGE, "longitude"),
    ]
    return TableSpec(_text_names(STOP_SEARCH_COLUMNS, ("longitude", "latitude", *STOP_SEARCH_FLAGS)), typed, checks, published)


def _labels(columns: dict[str, str]) -> dict[str, str]:
    """Output column -> published header name, for error messages."""
    return {v: k for k, v in columns.items()}


# --- plausibility of a whole file ------------------------------------------------------------


@dataclass(frozen=True)
class PoliceFile:
    """A valid police.uk file, summarised for the plausibility checks.

    ``month`` and ``force`` are what the file's name says; ``months``, ``falls_within`` and
    ``reported_by`` are the distinct values its rows hold (empty for a kind without the column).
    """

    path: Path
    kind: str
    month: str
    force: str
    rows: int
    months: tuple[str, ...] = ()
    falls_within: tuple[str, ...] = ()
    reported_by: tuple[str, ...] = ()


#: Checks of a whole valid file, each given its :class:`PoliceFile`: raise InputError for a file
#: that must not be used, or return warnings to report. Append a function to add a check.
PLAUSIBILITY_CHECKS: list[Callable[[PoliceFile], list[str]]] = []


def reported_by_the_force_of_its_name(summary: PoliceFile) -> list[str]:
    """A file named for one force must hold that force's rows: InputError naming the first other
    force in its ``Reported by`` column (:func:`assess.sources.plausibility.force_matches_slug`)."""
    others = [name for name in summary.reported_by if not force_matches_slug(name, summary.force)]
    if others:
        raise InputError(
            summary.path,
            f"the file is named for the force '{summary.force}' but its rows were reported by "
            + ", ".join(f"'{o}'" for o in others),
            column="Reported by",
            hint="rename the file after the force whose records it holds, or download that force's file",
        )
    return []


PLAUSIBILITY_CHECKS.append(reported_by_the_force_of_its_name)


def plausibility_warnings(summary: PoliceFile) -> list[str]:
    """Run :data:`PLAUSIBILITY_CHECKS` on a file's summary; their warnings (an InputError propagates)."""
    return [w for check in PLAUSIBILITY_CHECKS for w in check(summary)]


def _distinct(df: pd.DataFrame, column: str) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in df[column].dropna().unique())) if column in df.columns else ()


# --- the readers -----------------------------------------------------------------------------


def _types(t: pa.DataType):
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return STRING
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None


def _read(path: Path, kind: str, spec: TableSpec, columns: dict[str, str], report: ReadReport | None) -> pd.DataFrame:
    """Read and check one file with ``spec``; the published columns in snake_case, source_file, source_row."""
    month, force = _file_month(path, kind)
    source = CheckedCsv(path, spec)
    outputs = ", ".join(sql_name(c) for c in columns.values())
    got: list[pa.Table] = []

    def run(sql: str) -> int:
        got[:] = [fetch_arrow(con, sql)]
        return got[0].num_rows

    with connect() as con:
        run_checked(
            con, source,
            lambda checked, _mapped: f"SELECT {outputs}, {sql_string(path.name)} AS source_file, source_row FROM ({checked}) ORDER BY source_row",
            run,
        )
    df = got[0].to_pandas(types_mapper=_types)
    if "reported_by" in df.columns:  # with its first row and how many (the store's path checks the names alone)
        check_force_of_file(df, "reported_by", force, path, label="Reported by")
    extra = source.extra_columns
    summary = PoliceFile(path, kind, month, force, len(df), _distinct(df, "month"), _distinct(df, "falls_within"),
                         _distinct(df, "reported_by"))
    warnings = plausibility_warnings(summary)
    if report is not None:
        if extra:
            report.warnings.append(f"{path.name}: columns not used: {', '.join(extra)}")
        report.warnings.extend(warnings)
        report.rows_read += len(df)
    return df


def read_street(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
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
    number in the UK, a Crime ID is not 64 hex characters, or the crime type is blank.
    """
    path = Path(path)
    month, _ = _file_month(path, "street")
    return _read(path, "street", street_spec(month), STREET_COLUMNS, report)


def read_outcomes(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """Read one police.uk outcomes file: outcomes recorded that month for crimes of any month.

    Source: data.police.uk ``YYYY-MM-<force>-outcomes.csv``. Columns: crime_id, month,
    reported_by, falls_within, longitude, latitude (float64), location, lsoa_code, lsoa_name,
    outcome_type, source_file, source_row. Checks as :func:`read_street`; the Crime ID is
    required (every outcome belongs to a crime).
    """
    path = Path(path)
    month, _ = _file_month(path, "outcomes")
    return _read(path, "outcomes", outcomes_spec(month), OUTCOMES_COLUMNS, report)


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
    return _read(path, "stop_search", stop_search_spec(), STOP_SEARCH_COLUMNS, report)


#: The spec of each kind of police.uk file, given the month its name says.
SPECS: dict[str, Callable[[str], TableSpec]] = {
    "street": street_spec,
    "outcomes": outcomes_spec,
    "stop_search": lambda month: stop_search_spec(),
}

#: The published columns of each kind, in order (snake_case).
COLUMNS: dict[str, dict[str, str]] = {"street": STREET_COLUMNS, "outcomes": OUTCOMES_COLUMNS, "stop_search": STOP_SEARCH_COLUMNS}


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
