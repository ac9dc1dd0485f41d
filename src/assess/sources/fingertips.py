"""Reader of Fingertips (OHID, formerly PHE) indicator exports: one reader for every indicator.

Source: Office for Health Improvement and Disparities, Fingertips public health profiles
(https://fingertips.phe.org.uk, Open Government Licence v3.0): the "Download" tab's CSV
(``indicators-CountyUA.data.csv``, ``indicators-DistrictUA.data.csv``, ...) and the API's
``all_data/csv/by_indicator_id?indicator_ids=...`` give the same long format, one row per
indicator, area, sex, age, category and time period:

    Indicator ID, Indicator Name, Parent Code, Parent Name, Area Code, Area Name, Area Type, Sex,
    Age, Category Type, Category, Time period, Value, Lower CI 95.0 limit, Upper CI 95.0 limit,
    Lower CI 99.8 limit, Upper CI 99.8 limit, Count, Denominator, Value note, Recent Trend,
    Compared to England value or percentiles, Compared to Region value or percentiles,
    Time period Sortable, New data, Compared to goal[, Time period range]

Columns are found by name (in any order, case and spacing aside); the region comparison is also
published as "Compared to parent value or percentiles". What the files hold, and how each is read:

- records end in CRLF but a quoted Indicator Name may hold a bare line break: a record is read
  whole (the csv module), its ``source_row`` is the line it starts on, and names have their runs
  of whitespace made one space;
- data records may have fewer fields than the header (the real downloads omit the trailing
  "Compared to goal"): missing trailing optional fields are blank, and the report says so;
- breakdown rows (deprivation deciles, age bands, sex) are interleaved with the headline rows and
  carry the same area codes (England E92000001 too). A row is a **headline** row when it has no
  Category Type and its Sex and Age are the indicator's headline pair: the pair most local areas
  are published for (ties: "Persons" / "Not applicable" sex, then "All ages", then alphabetical).
  ``is_headline`` says which, for every row; nothing is dropped;
- ``Time period`` is kept as published and parsed into ``period_start`` and ``period_end``
  (dates) by :func:`parse_time_period`, which knows every format Fingertips prints (its
  ``TimePeriodFormatter``): ``2016``, ``2014 - 16``, ``2016 Q1``, ``2016/17`` (financial year,
  April to March), ``2014/15 - 16/17``, ``2016/17 Q1``, ``2016/17 Q1-Q3``,
  ``2016/17 Q2 - 2017/18 Q1``, ``2016 Q2 - 2017 Q1``, ``Jan 2016``, ``Aug 2016 - Jul 2017``. A
  period in another form keeps null dates and is listed in the report's warnings;
- blank values (suppressed or not published) are null (NaN), with their Value note kept;
- an exact repeat of a record is left out and listed in ``report.dropped``; two records for the
  same indicator, area, sex, age, category and period with different figures are an InputError.

:func:`combine_exports` joins several files the same way (a repeat kept once, a disagreement an
error naming both files).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from assess.errors import InputError
from assess.sources.csv_files import UTF8_HINT
from assess.sources.validation import STRING, ReadReport

#: The ``indicators`` table's columns, in order.
INDICATOR_COLUMNS = [
    "indicator_id", "indicator_name", "area_code", "area_name", "area_type", "geography",
    "parent_code", "parent_name", "sex", "age", "category_type", "category", "is_headline",
    "time_period", "period_start", "period_end", "period_type", "time_period_sortable",
    "value", "lower_ci_95", "upper_ci_95", "count", "denominator", "value_note", "recent_trend",
    "compared_to_england", "compared_to_region", "source_file", "source_row",
]

#: Output column -> the header names (normalised: lower case, single spaces) it is read from.
COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator_id": ("indicator id",),
    "indicator_name": ("indicator name",),
    "parent_code": ("parent code",),
    "parent_name": ("parent name",),
    "area_code": ("area code",),
    "area_name": ("area name",),
    "area_type": ("area type",),
    "sex": ("sex",),
    "age": ("age",),
    "category_type": ("category type",),
    "category": ("category",),
    "time_period": ("time period",),
    "value": ("value",),
    "lower_ci_95": ("lower ci 95.0 limit", "lower ci 95 limit"),
    "upper_ci_95": ("upper ci 95.0 limit", "upper ci 95 limit"),
    "count": ("count",),
    "denominator": ("denominator",),
    "value_note": ("value note",),
    "recent_trend": ("recent trend",),
    "compared_to_england": ("compared to england value or percentiles",),
    "compared_to_region": ("compared to region value or percentiles", "compared to parent value or percentiles"),
    "time_period_sortable": ("time period sortable",),
}
REQUIRED = ("indicator_id", "indicator_name", "area_code", "area_name", "time_period", "value")
#: How the header is told from other CSVs (discover): these names must all be present.
SIGNATURE = ("indicator id", "indicator name", "area code", "area name", "time period", "value")
HEADER_SEARCH_ROWS = 10

GEOGRAPHY_BY_PREFIX = {
    "E92": "country", "W92": "country", "E12": "region", "E10": "county", "E11": "county",
    "E06": "lad", "E07": "lad", "E08": "lad", "E09": "lad", "W06": "lad", "E47": "combined_authority",
    "E38": "icb_sub_location", "E54": "icb", "E23": "pfa", "E22": "csp",
}
_HEADLINE_SEX = ("persons", "not applicable")

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_Y = r"((?:19|20)\d{2})"
_FY = r"((?:19|20)\d{2})/(\d{2})"
_MON = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_PERIODS = [
    ("calendar year", re.compile(rf"^{_Y}$")),
    # " - " with its spaces, as Fingertips prints it: "2016-17" (a financial year written loosely) is not read
    ("calendar years", re.compile(rf"^{_Y}\s+-\s+(\d{{2}}|(?:19|20)\d{{2}})$")),
    ("calendar quarter", re.compile(rf"^{_Y}\s*Q([1-4])$")),
    ("calendar quarters", re.compile(rf"^{_Y}\s*Q([1-4])\s*-\s*{_Y}\s*Q([1-4])$")),
    ("financial year", re.compile(rf"^{_FY}$")),
    ("financial years", re.compile(rf"^{_FY}\s*-\s*(\d{{2}})/(\d{{2}})$")),
    ("financial quarter", re.compile(rf"^{_FY}\s*Q([1-4])$")),
    ("financial quarters", re.compile(rf"^{_FY}\s*Q([1-4])\s*-\s*Q([1-4])$")),
    ("financial quarters", re.compile(rf"^{_FY}\s*Q([1-4])\s*-\s*{_FY}\s*Q([1-4])$")),
    ("month", re.compile(rf"^{_MON}\s+{_Y}$", re.IGNORECASE)),
    ("months", re.compile(rf"^{_MON}\s+{_Y}\s*-\s*{_MON}\s+{_Y}$", re.IGNORECASE)),
]


def _month_end(year: int, month: int) -> date:
    """The last day of ``month`` (1-12) of ``year``."""
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def _century(start: int, yy: str) -> int:
    """The full year of a two-digit end year after ``start`` (``2016``, ``"18"`` -> 2018)."""
    if len(yy) == 4:
        return int(yy)
    year = start // 100 * 100 + int(yy)
    return year + 100 if year < start else year


def _fy_quarter(fy: int, q: int) -> tuple[date, date]:
    """Financial quarter ``q`` (1 = April-June, 4 = January-March) of the year starting April ``fy``."""
    month = 4 + 3 * (q - 1)
    year = fy + (month > 12)
    month = (month - 1) % 12 + 1
    return date(year, month, 1), _month_end(year, month + 2)


def parse_time_period(text: str) -> tuple[date, date, str] | None:
    """``(start, end, kind)`` of a Fingertips time period, or None for a form it does not know.

    ``"2016"`` -> 2016-01-01..2016-12-31 (calendar year); ``"2014 - 16"`` -> 2014-01-01..2016-12-31;
    ``"2016 Q2"`` -> 2016-04-01..2016-06-30; ``"2016/17"`` -> 2016-04-01..2017-03-31 (financial year;
    Fingertips prints academic years, September to August, the same way, which the file does not
    tell apart); ``"2014/15 - 16/17"`` -> 2014-04-01..2017-03-31; ``"2016/17 Q1"`` -> 2016-04-01..
    2016-06-30; ``"2016/17 Q1-Q3"`` -> 2016-04-01..2016-12-31; ``"2016/17 Q2 - 2017/18 Q1"``;
    ``"Jan 2016"``; ``"Aug 2016 - Jul 2017"``.
    """
    t = " ".join(str(text).split())
    for kind, rx in _PERIODS:
        m = rx.match(t)
        if not m:
            continue
        g = m.groups()
        if kind == "calendar year":
            y = int(g[0])
            return date(y, 1, 1), date(y, 12, 31), kind
        if kind == "calendar years":
            y = int(g[0])
            return date(y, 1, 1), date(_century(y, g[1]), 12, 31), kind
        if kind == "calendar quarter":
            y, q = int(g[0]), int(g[1])
            return date(y, 3 * q - 2, 1), _month_end(y, 3 * q), kind
        if kind == "calendar quarters":
            y1, q1, y2, q2 = int(g[0]), int(g[1]), int(g[2]), int(g[3])
            return date(y1, 3 * q1 - 2, 1), _month_end(y2, 3 * q2), kind
        if kind == "month":
            y, mo = int(g[1]), _MONTHS[g[0].lower()]
            return date(y, mo, 1), _month_end(y, mo), kind
        if kind == "months":
            return (date(int(g[1]), _MONTHS[g[0].lower()], 1), _month_end(int(g[3]), _MONTHS[g[2].lower()]), kind)
        # financial forms: the first year and its two-digit end must be consecutive
        fy = int(g[0])
        if _century(fy, g[1]) != fy + 1:
            return None
        if kind == "financial year":
            return date(fy, 4, 1), date(fy + 1, 3, 31), kind
        if kind == "financial years":
            end_start, end_end = _century(fy, g[2]), _century(fy, g[3])
            if end_end != end_start + 1 or end_start < fy:
                return None
            return date(fy, 4, 1), date(end_end, 3, 31), kind
        if kind == "financial quarter":
            start, end = _fy_quarter(fy, int(g[2]))
            return start, end, kind
        if len(g) == 4:  # "2016/17 Q1-Q3": cumulative quarters of one year
            q1, q2 = int(g[2]), int(g[3])
            if q2 < q1:
                return None
            return _fy_quarter(fy, q1)[0], _fy_quarter(fy, q2)[1], kind
        fy2 = int(g[3])
        if _century(fy2, g[4]) != fy2 + 1:
            return None
        return _fy_quarter(fy, int(g[2]))[0], _fy_quarter(fy2, int(g[5]))[1], kind
    return None


def _label(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


def is_fingertips_header(header: Sequence[str]) -> bool:
    """True when a CSV header is that of a Fingertips export (used by discover)."""
    labels = {_label(h) for h in header}
    return all(s in labels for s in SIGNATURE)


def _records(path: Path) -> list[tuple[int, list[str]]]:
    """Every record of the CSV as ``(line it starts on, fields)``; blank lines are not records."""
    if not path.exists():
        raise InputError(path, "the file does not exist", hint="check the path, or run `assess fetch`")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, "the file is empty", hint="download the file again from Fingertips")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)",
                         row=raw[: exc.start].count(b"\n") + 1, hint=UTF8_HINT) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if any(f.strip() for f in record):
                out.append((line, record))
    except csv.Error as exc:
        raise InputError(path, f"the file cannot be read as CSV ({exc})", row=start,
                         hint="download the file again (a quoted field may be cut off)") from None
    return out


def _find_header(path: Path, records: Sequence[tuple[int, list[str]]]) -> tuple[int, dict[str, int], list[str]]:
    """``(index of the header record, {output column: field index}, header names)``."""
    for k, (line, fields) in enumerate(records[:HEADER_SEARCH_ROWS]):
        if is_fingertips_header(fields):
            labels = [_label(f) for f in fields]
            where: dict[str, int] = {}
            for col, names in COLUMNS.items():
                hits = [i for i, lab in enumerate(labels) if lab in names]
                if col == "compared_to_region" and not hits:
                    hits = [i for i, lab in enumerate(labels)
                            if re.fullmatch(r"compared to (?!england\b|goal\b).+ value or percentiles", lab)]
                if len(hits) > 1:
                    raise InputError(path, f"the header names column '{fields[hits[1]].strip()}' twice", row=line,
                                     column=fields[hits[1]].strip(), hint="use the file as downloaded from Fingertips")
                if hits:
                    where[col] = hits[0]
            return k, where, [f.strip() for f in fields]
    first = records[0][1] if records else []
    missing = [s for s in SIGNATURE if s not in {_label(h) for h in first}]
    raise InputError(
        path,
        f"no Fingertips header found in the first {HEADER_SEARCH_ROWS} lines (the first lacks "
        + ", ".join(f"'{m.title()}'" for m in missing) + ")",
        row=records[0][0] if records else None,
        hint="use the CSV as downloaded from Fingertips ('Download' tab or the API); its header starts "
        "'Indicator ID,Indicator Name,Parent Code,...'",
    )


def _floats(values: list[str], lines: np.ndarray, path: Path, column: str) -> np.ndarray:
    """Text to float64; blank -> NaN; anything else that is not a number raises InputError."""
    ser = pd.Series(values, dtype=object)
    blank = ser.isna() | (ser.astype(str).str.strip() == "")
    num = pd.to_numeric(ser.where(~blank), errors="coerce")
    bad = num.isna() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"{values[i]!r} is not a number" + (f" ({int(bad.sum())} cells in all)" if bad.sum() > 1 else ""),
                         row=int(lines[i]), column=column,
                         hint="use the file as downloaded from Fingertips (a number, or blank where there is none)")
    return num.to_numpy(dtype="float64")


def _headline_pairs(df: pd.DataFrame) -> dict[int, tuple[str, str]]:
    """Each indicator's headline (sex, age): the pair most local areas are published for."""
    out: dict[int, tuple[str, str]] = {}
    plain = df[df["category_type"].isna()]
    for ind, rows in plain.groupby("indicator_id", sort=False):
        local = rows[rows["geography"].isin(["lad", "county"])]
        pool = local if len(local) else rows
        counts = pool.groupby(["sex", "age"], dropna=False)["area_code"].nunique()
        ranked = sorted(
            counts.items(),
            key=lambda kv: (-kv[1], _rank(kv[0][0], _HEADLINE_SEX), _rank(kv[0][1], ("all ages",)), str(kv[0])),
        )
        out[int(ind)] = ranked[0][0]
    return out


def _rank(value: object, preferred: tuple[str, ...]) -> int:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value).lower()
    return preferred.index(text) if text in preferred else len(preferred)


def read_fingertips(path: str | Path, *, report: ReadReport | None = None) -> pd.DataFrame:
    """Read a Fingertips CSV export (any indicator, any area type) into the ``indicators`` table.

    Returns :data:`INDICATOR_COLUMNS` (see docs/data-model.md): strings as ``string``, ``indicator_id``
    int64, figures float64 (NaN when blank), ``period_start``/``period_end`` datetime64, ``is_headline``
    bool, ``source_row`` the 1-based line the record starts on. See the module docstring for how
    headline rows, periods, short records and repeats are read.

    InputError naming the file, line and column for a missing header or column, a record with
    more fields than the header (or too few to reach a required column), an indicator id that is
    not a whole number, text where a number belongs, a blank area code, or two different records
    for the same indicator, area, sex, age, category and period.
    """
    path = Path(path)
    records = _records(path)
    h, where, header = _find_header(path, records)
    missing = [c for c in REQUIRED if c not in where]
    if missing:
        col = COLUMNS[missing[0]][0]
        raise InputError(path, f"required column '{col.title()}' is missing from the Fingertips header",
                         row=records[h][0], column=col.title(), hint="use the file as downloaded from Fingertips")
    width = len(header)
    need = max(where[c] for c in REQUIRED) + 1
    body = records[h + 1:]
    if not body:
        raise InputError(path, "the file has a header but no data rows", hint="download the file again from Fingertips")
    short: dict[int, int] = {}
    lines = np.empty(len(body), dtype="int64")
    for k, (line, fields) in enumerate(body):
        lines[k] = line
        n = len(fields)
        if n > width and any(f.strip() for f in fields[width:]):
            raise InputError(path, f"a record has {n} fields but the header {width}", row=line,
                             hint="download the file again (is a quote missing around a name holding a comma?)")
        if n < need:
            raise InputError(path, f"a record has {n} fields but the header {width} (cut off before column '{header[need - 1]}')",
                             row=line, hint="download the file again: the file is cut off or damaged")
        if n < width:
            short[n] = short.get(n, 0) + 1

    def column(col: str) -> list[str | None]:
        i = where.get(col)
        if i is None:
            return [None] * len(body)
        return [(f[i] if i < len(f) else None) for _, f in body]

    def text(col: str, *, squash: bool = False) -> pd.Series:
        values = [None if v is None or not v.strip() else (" ".join(v.split()) if squash else v.strip()) for v in column(col)]
        return pd.Series(pd.array(values, dtype=STRING))

    df = pd.DataFrame({"source_row": lines})
    ids = text("indicator_id")
    ok = ids.str.fullmatch(r"\d+").fillna(False).astype(bool)
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise InputError(path, f"{ids.iloc[i]!r} is not an indicator id (a whole number)", row=int(lines[i]),
                         column=header[where["indicator_id"]], hint="use the file as downloaded from Fingertips")
    df["indicator_id"] = ids.astype("int64").to_numpy()
    df["indicator_name"] = text("indicator_name", squash=True)
    for col in ("area_code", "area_name", "area_type", "parent_code", "parent_name", "sex", "age", "category_type",
                "category", "time_period", "value_note", "recent_trend", "compared_to_england", "compared_to_region"):
        df[col] = text(col, squash=col in ("area_name", "parent_name", "category_type", "category"))
    blank_code = df["area_code"].isna()
    if blank_code.any():
        i = int(np.flatnonzero(blank_code.to_numpy())[0])
        raise InputError(path, "the area code is blank", row=int(lines[i]), column=header[where["area_code"]],
                         hint="use the file as downloaded from Fingertips")
    blank_period = df["time_period"].isna()
    if blank_period.any():
        i = int(np.flatnonzero(blank_period.to_numpy())[0])
        raise InputError(path, "the time period is blank", row=int(lines[i]), column=header[where["time_period"]],
                         hint="use the file as downloaded from Fingertips")
    for col in ("value", "lower_ci_95", "upper_ci_95", "count", "denominator"):
        label = header[where[col]] if col in where else col
        df[col] = _floats(column(col), lines, path, label) if col in where else np.full(len(df), np.nan)
    sortable = _floats(column("time_period_sortable"), lines, path, header[where["time_period_sortable"]]) \
        if "time_period_sortable" in where else np.full(len(df), np.nan)
    df["time_period_sortable"] = pd.array([None if np.isnan(v) else int(v) for v in sortable], dtype="Int64")
    df["geography"] = pd.array([GEOGRAPHY_BY_PREFIX.get(c[:3], "other") for c in df["area_code"]], dtype=STRING)

    parsed = {p: parse_time_period(p) for p in df["time_period"].unique()}
    df["period_start"] = pd.to_datetime([parsed[p][0] if parsed[p] else None for p in df["time_period"]]).astype("datetime64[ns]")
    df["period_end"] = pd.to_datetime([parsed[p][1] if parsed[p] else None for p in df["time_period"]]).astype("datetime64[ns]")
    df["period_type"] = pd.array([parsed[p][2] if parsed[p] else None for p in df["time_period"]], dtype=STRING)

    pairs = _headline_pairs(df)
    sex = df["sex"].fillna("").to_numpy(dtype=object)
    age = df["age"].fillna("").to_numpy(dtype=object)
    head = np.array([pairs.get(int(i), (None, None)) for i in df["indicator_id"]], dtype=object).reshape(-1, 2)
    head_sex = np.array(["" if v is None or v is pd.NA else v for v in head[:, 0]], dtype=object)
    head_age = np.array(["" if v is None or v is pd.NA else v for v in head[:, 1]], dtype=object)
    df["is_headline"] = (df["category_type"].isna().to_numpy() & (sex == head_sex) & (age == head_age)).astype(bool)
    df["source_file"] = pd.array([path.name] * len(df), dtype=STRING)

    df, repeats = _drop_repeats(df, path)
    out = df[INDICATOR_COLUMNS].reset_index(drop=True)
    if report is not None:
        report.rows_read += len(out)
        report.dropped += repeats
        for n, k in sorted(short.items()):
            report.warnings.append(
                f"{path.name}: {k:,} records have {n} fields for the {width}-column header: "
                + ", ".join(f"'{c}'" for c in header[n:]) + " read as blank"
            )
        unknown = sorted(p for p, v in parsed.items() if v is None)
        if unknown:
            report.warnings.append(
                f"{path.name}: time periods of a form not recognised, kept with no start and end dates: "
                + ", ".join(repr(p) for p in unknown[:10])
            )
        for ind, (s, a) in sorted(pairs.items()):
            others = (out[(out["indicator_id"] == ind) & ~out["is_headline"]][["sex", "age", "category_type"]]
                      .drop_duplicates())
            if len(others):
                report.warnings.append(
                    f"{path.name}: indicator {ind}: headline rows are {s}, {a} with no category; "
                    f"{int((~out['is_headline'] & (out['indicator_id'] == ind)).sum()):,} breakdown rows kept apart (is_headline false)"
                )
    return out


KEY = ["indicator_id", "area_code", "sex", "age", "category_type", "category", "time_period"]
_FIGURES = ["value", "lower_ci_95", "upper_ci_95", "count", "denominator"]


def _drop_repeats(df: pd.DataFrame, path: Path | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Leave out exact repeats of a record (listed); raise InputError for two different figures."""
    keyed = df[KEY].astype(object).where(df[KEY].notna(), "")
    dup = keyed.duplicated(keep=False)
    if not dup.any():
        return df, []
    groups = keyed[dup].groupby(KEY, sort=False).groups
    drop: list[int] = []
    dropped: list[dict] = []
    for idx in groups.values():
        rows = df.loc[list(idx)]
        figures = rows[_FIGURES].to_numpy(dtype="float64")
        same = np.all((figures == figures[0]) | (np.isnan(figures) & np.isnan(figures[0])))
        if not same:
            a, b = rows.iloc[0], rows.iloc[1]
            where = (f"rows {int(a['source_row'])} and {int(b['source_row'])}" if a["source_file"] == b["source_file"]
                     else f"row {int(a['source_row'])} of {a['source_file']} and row {int(b['source_row'])} of {b['source_file']}")
            raise InputError(
                path or Path(str(b["source_file"])),
                f"indicator {int(a['indicator_id'])}, area {a['area_code']}, {a['sex']}, {a['age']}, "
                f"{a['time_period']}: {where} give different figures ({a['value']} and {b['value']})",
                row=int(b["source_row"]) if a["source_file"] == b["source_file"] else None,
                hint="keep one download of each indicator in data/raw/ (a newer download replaces an older one)",
            )
        for j in list(idx)[1:]:
            drop.append(j)
            first = rows.iloc[0]
            dropped.append({"row": int(df.loc[j, "source_row"]),
                            "reason": f"repeat of the record on row {int(first['source_row'])}"
                            + ("" if first["source_file"] == df.loc[j, "source_file"] else f" of {first['source_file']}")})
    return df.drop(index=drop), dropped


def combine_exports(frames: Sequence[pd.DataFrame], warnings: list[str] | None = None) -> pd.DataFrame:
    """The ``indicators`` tables of several Fingertips files as one: a record repeated in two files
    is kept once (a warning counts them), two files with different figures for it raise InputError."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in INDICATOR_COLUMNS})
    table = pd.concat(frames, ignore_index=True)
    out, dropped = _drop_repeats(table)
    if warnings is not None and dropped:
        warnings.append(f"Fingertips: {len(dropped):,} records repeated in more than one file kept once")
    return out.reset_index(drop=True)


__all__ = ["INDICATOR_COLUMNS", "combine_exports", "is_fingertips_header", "parse_time_period", "read_fingertips"]
