"""The column-spec language of the partner files: each column's kind of value, as a pandera schema.

A partner file is described by a tuple of :class:`PartnerColumn`; :func:`read_columns` reads a
CSV as text (:func:`assess.sources.csv_files.read_csv_checked`), normalises the spelling of coded
answers (case, surrounding space, curly apostrophes), validates it with the schema the columns
imply (:func:`partner_schema`) and converts it to typed columns: text as pandas ``string``, counts
as ``int64`` (``Int64`` where a cell may be blank), measures as ``float64``, yes/no answers as
``boolean`` (``<NA>`` = blank / not asked). No row is dropped; each output keeps ``source_row``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from assess.errors import InputError
from assess.periods import financial_year_series
from assess.sources.csv_files import read_csv_checked
from assess.sources.plausibility import (
    check_financial_years_not_future,
    check_months_not_future,
    check_years_not_future,
)
from assess.sources.validation import MAX_COUNT_DIGITS, validate

PARTNER_DIR = "partner"

README_HINT = "see data/raw/README.md (partner data dictionary)"



_TRUE = frozenset({"yes", "y", "true", "t", "1"})
_FALSE = frozenset({"no", "n", "false", "f", "0"})



Kind = Literal["text", "id", "month", "fy", "year", "int", "posint", "number", "float", "bool", "choice", "period"]

_PATTERNS: dict[str, tuple[str, str]] = {
    # kind: (regular expression on the text, what the check is called in error messages)
    "month": (r"^\d{4}-(0[1-9]|1[0-2])$", "a month written YYYY-MM, e.g. 2024-04"),
    "fy": (r"^\d{4}/\d{2}$", "a financial year written YYYY/YY, e.g. 2024/25"),
    "year": (r"^(19|20)\d{2}$", "a four-digit year, e.g. 2024"),
    "int": (r"^(\d+|\d{1,3}(,\d{3})+)$", "a whole number of 0 or more"),
    "posint": (r"^(0*[1-9]\d*|[1-9]\d{0,2}(,\d{3})+)$", "a whole number of 1 or more"),
    "number": (r"^(\d+(\.\d+)?|\.\d+)$", "a number of 0 or more"),
    "float": (r"^-?(\d+(\.\d+)?|\.\d+)$", "a number"),
    "id": (r"^[a-z][a-z0-9_]*$", "a snake_case id, e.g. feel_safe_after_dark"),
    "period": (
        r"^\d{4}(/\d{2}|-\d{4})?$",
        "a period written YYYY/YY (financial year), YYYY-YYYY (years) or YYYY",
    ),
}


@dataclass(frozen=True)
class PartnerColumn:
    """One column of a partner file: its name, kind of value and whether it may be absent/blank.

    ``optional``: the column may be left out of the file; ``blank``: its cells may be empty.
    """

    name: str
    kind: Kind
    optional: bool = False
    blank: bool = False
    choices: tuple[str, ...] = ()
    description: str = ""


def _consecutive_years(s: pd.Series) -> pd.Series:
    """True where a ``YYYY/YY`` label names consecutive years (2016/17, not 2016/18)."""
    ok = s.str.fullmatch(r"\d{4}/\d{2}").fillna(False).astype(bool)
    start = pd.to_numeric(s.str.slice(0, 4).where(ok), errors="coerce")
    end = pd.to_numeric(s.str.slice(5, 7).where(ok), errors="coerce")
    return ((start + 1) % 100 == end).fillna(False).astype(bool) | s.isna()


def _checks(col: PartnerColumn) -> list[pa.Check]:
    if col.kind == "choice":
        return [pa.Check.isin(list(col.choices), error=f"one of: {', '.join(col.choices)}")]
    if col.kind == "bool":
        return [pa.Check.isin(["true", "false"], error="yes/no, true/false or 1/0")]
    if col.kind == "text":
        return [pa.Check.str_length(min_value=1, error="not empty")]
    pattern, what = _PATTERNS[col.kind]
    checks = [pa.Check.str_matches(pattern, error=what)]
    if col.kind in ("int", "posint"):  # more digits than an int64 holds: an error, not an OverflowError
        checks.append(pa.Check(
            lambda s: s.str.replace(",", "", regex=False).str.lstrip("0").str.len() <= MAX_COUNT_DIGITS,
            error=f"a whole number of at most {MAX_COUNT_DIGITS} digits (this one is too large to be a count)",
        ))
    if col.kind in ("number", "float"):  # beyond 1e308: a float would be infinite
        checks.append(pa.Check(
            lambda s: ~pd.to_numeric(s, errors="coerce").abs().eq(float("inf")),
            error="a number no larger than 1e308 (this one is too large)",
        ))
    if col.kind == "fy":
        checks.append(pa.Check(_consecutive_years, error="a financial year of consecutive years, e.g. 2024/25"))
    if col.kind == "period":
        fy_like = r"^\d{4}/\d{2}$"
        checks.append(
            pa.Check(
                lambda s: ~s.str.match(fy_like).fillna(False).astype(bool) | _consecutive_years(s),
                error="a financial year of consecutive years, e.g. 2024/25",
            )
        )
    return checks


def partner_schema(columns: Sequence[PartnerColumn], name: str) -> pa.DataFrameSchema:
    """The pandera schema a partner file's text must satisfy (after spelling normalisation)."""
    return pa.DataFrameSchema(
        {
            c.name: pa.Column("string", _checks(c), nullable=c.blank, required=not c.optional)
            for c in columns
        }
        | {"source_row": pa.Column("int64")},
        name=name,
        strict=False,
    )


def _canonical(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("\u2019", "'").replace("\u2018", "'")).strip().casefold()


def _normalise(df: pd.DataFrame, columns: Sequence[PartnerColumn]) -> pd.DataFrame:
    """Spell coded answers canonically so that 'VERY SAFE', 'very  safe' and 'Very safe' agree.

    Unrecognised values are left as written, so that the schema reports them.
    """
    out = df.copy()
    for c in columns:
        if c.name not in out.columns:
            continue
        s = out[c.name]
        if c.kind == "choice":
            mapping = {_canonical(v): v for v in c.choices}
            spelled = {v: mapping.get(_canonical(v), v) for v in s.dropna().unique()}
            out[c.name] = s.map(spelled).astype("string")
        elif c.kind == "bool":
            low = s.str.lower()
            out[c.name] = low.where(~low.isin(_TRUE), "true").where(~low.isin(_FALSE), "false").where(
                low.isin(_TRUE | _FALSE), s
            )
        elif c.kind == "id":
            out[c.name] = s.str.lower()
    return out


def _convert(df: pd.DataFrame, columns: Sequence[PartnerColumn]) -> pd.DataFrame:
    """Typed columns (see the module docstring), in the order of ``columns``, then ``source_row``."""
    out = pd.DataFrame(index=df.index)
    for c in columns:
        if c.name not in df.columns:
            continue
        s = df[c.name]
        if c.kind in ("int", "posint", "year"):
            n = pd.to_numeric(s.str.replace(",", "", regex=False), errors="raise")
            out[c.name] = n.astype("Int64") if c.blank else n.astype("int64")
        elif c.kind in ("number", "float"):
            out[c.name] = pd.to_numeric(s, errors="raise").astype("float64")
        elif c.kind == "bool":
            out[c.name] = s.map({"true": True, "false": False}).astype("boolean")
        else:
            out[c.name] = s.astype("string")
    out["source_row"] = df["source_row"].astype("int64")
    return out.reset_index(drop=True)


def read_columns(path: str | Path, columns: Sequence[PartnerColumn], name: str, extra: Sequence[PartnerColumn] = ()) -> pd.DataFrame:
    """Read, normalise, validate and convert one partner CSV."""
    path = Path(path)
    required = [c.name for c in columns if not c.optional]
    optional = [c.name for c in columns if c.optional] + [c.name for c in extra]
    raw = read_csv_checked(path, required, optional)
    cols = list(columns) + list(extra)
    text = _normalise(raw, cols)
    validate(text, partner_schema(cols, name), path)
    check_dates_not_future(text, cols, path, dt.date.today())
    return _convert(text, cols)


def check_dates_not_future(text: pd.DataFrame, columns: Sequence[PartnerColumn], path: Path, today: dt.date) -> None:
    """Refuse a month, or a financial year (a survey year, a period), after ``today``
    (:mod:`assess.sources.plausibility`): a partner's figures can only be for time that has begun."""
    for c in columns:
        if c.name not in text.columns:
            continue
        if c.kind == "month":
            check_months_not_future(text, c.name, path, today)
        elif c.kind in ("fy", "period"):
            check_financial_years_not_future(text, c.name, path, today)
            if c.kind == "period":
                check_years_not_future(text, c.name, path, today)
        elif c.kind == "year":
            check_years_not_future(text, c.name, path, today)


def check_unique(df: pd.DataFrame, keys: Sequence[str], path: Path, what: str) -> None:
    """Raise InputError at the second row that repeats ``keys``."""
    dup = df.duplicated(list(keys), keep="first")
    if dup.any():
        first = df[dup].iloc[0]
        given = [k for k in keys if not pd.isna(first[k])]
        key = ", ".join(f"{k}={first[k]}" for k in given)
        raise InputError(
            path,
            f"{what} appears twice ({key})",
            row=int(first["source_row"]),
            column=given[-1] if given else keys[-1],
            hint="keep one row per key: add the two rows together or delete the repeat",
        )


def with_financial_year(df: pd.DataFrame, month_column: str = "month") -> pd.DataFrame:
    """Insert ``financial_year`` (April-March label) after the month column."""
    out = df.copy()
    out.insert(out.columns.get_loc(month_column) + 1, "financial_year", financial_year_series(out[month_column]))
    return out


