"""Values that parse but cannot be true: dates after today, populations no area of that kind has,
a file whose rows are another force's than its name says.

Each check raises :class:`~assess.errors.InputError` naming the file, the first row and the
column, and what to do; none drops a row. They are pure: today's date is passed in, so a test
(or a rerun of an old assessment) is reproducible.

- :func:`check_months_not_future` and :func:`check_financial_years_not_future`: a record dated
  after ``today`` (``2031-04``; a survey year ``2030/31``) is a typing error or a wrong file;
- :func:`check_population`: a population outside :data:`POPULATION_BOUNDS` for its geography
  (an LSOA of 10^18 people, a ward of 0) would publish a rate of 0.0, or none;
- :func:`check_force_of_file`: a police.uk file named for one force (``2024-04-hampshire-street.csv``)
  whose ``Reported by`` column names another.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from assess.errors import InputError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FY = re.compile(r"^(\d{4})/(\d{2})$")

#: The fewest and most people an area of each geography may hold (all ages). The upper bounds
#: leave room well beyond the largest areas of England and Wales (about 10,000 per LSOA, 40,000
#: per ward, 1.2 million per local authority, 9 million per police force area or region) and of
#: the demonstration data's fictional nation, whose largest authority has 3.75 million: they
#: catch the impossible (10^18), not the unusual. Below, an area must have someone living in it:
#: a total of 0 makes every rate per resident impossible. Households are fewer than people: the
#: same bounds hold them.
POPULATION_BOUNDS: dict[str, tuple[int, int]] = {
    "oa": (1, 20_000),
    "lsoa": (1, 100_000),
    "msoa": (1, 200_000),
    "ward": (1, 500_000),
    "lad": (1, 10_000_000),
    "csp": (1, 10_000_000),
    "pfa": (1, 20_000_000),
    "region": (1, 20_000_000),
    "country": (1, 100_000_000),
}

#: Population bands that count everyone (or every household) in an area: they must be above 0.
TOTAL_BANDS = ("all", "households")


def _first(bad: pd.Series) -> int | None:
    bad = bad.fillna(False).astype(bool)
    return int(bad.to_numpy().nonzero()[0][0]) if bad.any() else None


def _row(df: pd.DataFrame, at: int, row_column: str) -> int | None:
    return int(df[row_column].iloc[at]) if row_column in df.columns else None


def month_after(month: str, today: dt.date) -> bool:
    """True when ``month`` (``YYYY-MM``) begins after ``today``."""
    m = _MONTH.match(str(month).strip())
    return bool(m) and (int(m.group(1)), int(m.group(2))) > (today.year, today.month)


def financial_year_after(year: str, today: dt.date) -> bool:
    """True when financial year ``year`` (``YYYY/YY``) begins (1 April) after ``today``."""
    m = _FY.match(str(year).strip())
    return bool(m) and dt.date(int(m.group(1)), 4, 1) > today


def _refuse_future(
    df: pd.DataFrame, column: str, path: Path, after: Callable[[str], bool], says: Callable[[str], str], hint: str,
    row_column: str, label: str | None,
) -> None:
    """Raise InputError at the first row whose ``column`` is a date ``after`` today, saying
    ``says(value)`` and how many rows in all are alike."""
    values = df[column].astype("string")
    future = values.map(lambda v: after(v) if isinstance(v, str) else False, na_action="ignore")
    at = _first(future)
    if at is None:
        return
    n = int(future.fillna(False).astype(bool).sum())
    raise InputError(
        path,
        says(str(values.iloc[at])) + (f" ({n} rows in all)" if n > 1 else ""),
        row=_row(df, at, row_column),
        column=label or column,
        hint=hint,
    )


_YEAR_HINT = "correct the year (a typing error?); a year's figures can only be given once it has begun"


def check_months_not_future(
    df: pd.DataFrame, column: str, path: Path, today: dt.date, *, row_column: str = "source_row", label: str | None = None
) -> None:
    """Raise InputError at the first row whose ``column`` (``YYYY-MM``) is after ``today``'s month."""
    _refuse_future(df, column, path, lambda v: month_after(v, today),
                   lambda v: f"the month '{v}' is after today ({today:%Y-%m})",
                   "correct the date (a typing error?), or check the file is the one published", row_column, label)


def check_financial_years_not_future(
    df: pd.DataFrame, column: str, path: Path, today: dt.date, *, row_column: str = "source_row", label: str | None = None
) -> None:
    """Raise InputError at the first row whose financial year (``YYYY/YY``) starts after ``today``."""
    _refuse_future(df, column, path, lambda v: financial_year_after(v, today),
                   lambda v: f"the financial year '{v}' has not begun yet (today is {today:%Y-%m-%d})",
                   _YEAR_HINT, row_column, label)


def year_after(value: str, today: dt.date) -> bool:
    """True when a calendar year ``YYYY`` (or the first year of ``YYYY-YYYY``) is after ``today``'s."""
    m = re.match(r"^(\d{4})(?:-\d{4})?$", str(value).strip())
    return bool(m) and int(m.group(1)) > today.year


def check_years_not_future(
    df: pd.DataFrame, column: str, path: Path, today: dt.date, *, row_column: str = "source_row", label: str | None = None
) -> None:
    """Raise InputError at the first row whose calendar year (``2031``, ``2030-2032``) is after ``today``'s."""
    _refuse_future(df, column, path, lambda v: year_after(v, today),
                   lambda v: f"the year '{v}' is after this one ({today.year})", _YEAR_HINT, row_column, label)


def population_problem(value: float, geography: str, band: str, bounds: Mapping[str, tuple[int, int]] = POPULATION_BOUNDS) -> str | None:
    """Why ``value`` people (or households) cannot be the ``band`` population of one area of
    ``geography`` (None when it can): above the geography's maximum, or, for a total band, below
    its minimum (0 included)."""
    low, high = bounds.get(geography, (1, 70_000_000))
    if pd.isna(value):
        return None
    if value > high:
        return f"{value:,.0f} is more people than any {geography.upper()} holds (at most {high:,})"
    if band in TOTAL_BANDS and value < low:
        if value <= 0:
            return (f"a total of {value:,.0f} for a {geography.upper()}: every area has residents, and a rate "
                    "per resident cannot be computed from 0")
        return f"{value:,.0f} is fewer people than any {geography.upper()} holds (at least {low:,})"
    return None


def check_population(
    df: pd.DataFrame, path: Path, *, value: str = "value", geography: str = "geography", band: str = "age_band",
    row_column: str = "row", label: str | None = None,
) -> None:
    """Raise InputError at the first row whose population is implausible (:func:`population_problem`)."""
    problems = [
        population_problem(float(v), str(g), str(b)) if pd.notna(v) else None
        for v, g, b in zip(df[value], df[geography], df[band], strict=True)
    ]
    bad = [i for i, p in enumerate(problems) if p]
    if not bad:
        return
    at = bad[0]
    raise InputError(
        path,
        str(problems[at]) + (f" ({len(bad)} values in all)" if len(bad) > 1 else ""),
        row=_row(df, at, row_column),
        column=label or (str(df[band].iloc[at]) if band in df.columns else value),
        hint="check the cell (a typing or export error?) and that the file is the ONS estimate it is named as",
    )


def _slug_words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower().replace("&", " and ")) if w]


#: data.police.uk slugs whose force name does not contain the slug's words.
FORCE_SLUG_ALIASES = {"btp": "british transport police", "metropolitan": "metropolitan police"}


def force_matches_slug(force_name: str, slug: str) -> bool:
    """True when a ``Reported by`` name is the force of a data.police.uk file-name slug:
    ``("Hampshire Constabulary", "hampshire")``, ``("Devon & Cornwall Police", "devon-and-cornwall")``
    and ``("Hampshire and Isle of Wight Constabulary", "hampshire")`` match; ``("West Mercia Police",
    "west-midlands")`` does not. The slug's words must appear, in order and together, in the name."""
    want = _slug_words(FORCE_SLUG_ALIASES.get(slug, slug))
    words = _slug_words(force_name)
    return any(words[i : i + len(want)] == want for i in range(len(words) - len(want) + 1)) if want else False


def check_force_of_file(
    df: pd.DataFrame, column: str, slug: str, path: Path, *, row_column: str = "source_row", label: str | None = None
) -> None:
    """Raise InputError at the first row whose force (``column``, e.g. ``Reported by``) is not the
    force ``slug`` of the file's name: a file named for one force must hold that force's rows."""
    names = df[column].astype("string")
    distinct = {n: force_matches_slug(n, slug) for n in names.dropna().unique()}
    wrong = names.map(lambda n: not distinct.get(n, True), na_action="ignore")
    at = _first(wrong)
    if at is None:
        return
    n = int(wrong.fillna(False).astype(bool).sum())
    raise InputError(
        path,
        f"the file is named for the force '{slug}' but this row was reported by '{names.iloc[at]}'"
        + (f" ({n} rows in all)" if n > 1 else ""),
        row=_row(df, at, row_column),
        column=label or column,
        hint="rename the file after the force whose records it holds, or download that force's file",
    )
