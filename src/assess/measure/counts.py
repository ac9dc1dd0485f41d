"""Counts of police.uk street records: by financial year, quarter, month, area and category.

Every function takes the processed ``street`` table (docs/data-model.md; one row per crime or
ASB incident published by data.police.uk) or an :class:`~assess.measure.context.AssessmentContext`, and
returns counts as ``int64`` pandas objects, zero-filled over the categories, areas or months it is
asked about, so that an absent category counts 0 rather than disappearing.

Incomplete years: police.uk publishes month by month, so the latest year is often incomplete.
:func:`year_to_date` compares the months the year holds with the same months of the year before;
:func:`rolling_12_months` compares the latest twelve months with the twelve before them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess.measure.context import AssessmentContext
from assess.periods import (
    financial_quarter_of_month,
    month_name,
    month_range,
    months_of_financial_year,
    period_code,
    period_label,
    shift_month,
)
from assess.store.harmonise import ASB, POLICE_UK_CATEGORIES, category_id

#: The police.uk crime categories: every harmonised category except anti-social behaviour.
CRIME_CATEGORIES: tuple[str, ...] = tuple(c for c in POLICE_UK_CATEGORIES if c != ASB)

#: Area levels and the ``street`` column that holds each one's ONS code.
AREA_COLUMNS = {"lsoa": "lsoa_code", "ward": "ward_code", "lad": "lad_code", "csp": "csp_code"}

_ID_TO_CATEGORY = {category_id(c): c for c in POLICE_UK_CATEGORIES}


def category_label(category: str) -> str:
    """The police.uk category of a label or a category id ("burglary" -> "Burglary")."""
    if category in POLICE_UK_CATEGORIES:
        return category
    if category in _ID_TO_CATEGORY:
        return _ID_TO_CATEGORY[category]
    raise KeyError(f"'{category}' is not a police.uk category or category id; known: {', '.join(POLICE_UK_CATEGORIES)}")


def _kept(street: pd.DataFrame, *, asb: bool | None = None, category: str | None = None) -> pd.Series | None:
    """Which rows :func:`select` keeps (a nullable boolean mask; NA = not kept), None for every row."""
    keep = None
    if asb is not None:
        keep = street["is_asb"].astype("boolean").fillna(False) == asb
    if category is not None:
        is_category = street["category"] == category_label(category)
        keep = is_category if keep is None else keep & is_category
    return keep


def select(street: pd.DataFrame, *, asb: bool | None = None, category: str | None = None) -> pd.DataFrame:
    """The rows of ``street`` that are ASB (``asb=True``), crime (``asb=False``) or of one category.

    ``category`` is a police.uk category or its id (``"vehicle_crime"``).
    """
    keep = _kept(street, asb=asb, category=category)
    return street if keep is None else street[keep]


def count_selected(street: pd.DataFrame, *, asb: bool | None = None, category: str | None = None) -> int:
    """The number of rows :func:`select` keeps (without building them)."""
    keep = _kept(street, asb=asb, category=category)
    return len(street) if keep is None else int(keep.sum())


def _selected_months(street: pd.DataFrame, *, asb: bool | None, category: str | None) -> pd.Series:
    """The ``month`` of each row :func:`select` keeps (without building the other columns)."""
    keep = _kept(street, asb=asb, category=category)
    return street["month"] if keep is None else street["month"][keep]


def _counts(values: pd.Series, index: Iterable[str] | None, name: str) -> pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype):  # counted on the codes, without a string per row
        counts = values.value_counts(sort=False, dropna=True)
        counts = counts[counts > 0]  # a categorical counts every category, present or not
        counts.index = counts.index.astype("string")
    else:
        counts = values.dropna().astype("string").value_counts(sort=False)
    counts.index = counts.index.astype("object")
    if index is not None:
        counts = counts.reindex(list(index), fill_value=0)
    else:
        counts = counts.sort_index()
    counts.index.name = name
    return counts.astype("int64").rename("count")


def counts_by_year(street: pd.DataFrame, years: Sequence[str] | None = None) -> pd.Series:
    """Records per financial year (index ``financial_year``, e.g. "2016/17"); zero for a listed year without records."""
    return _counts(street["financial_year"], years, "financial_year")


def counts_by_month(street: pd.DataFrame, months: Sequence[str] | None = None) -> pd.Series:
    """Records per month (index ``month``, ``YYYY-MM``); zero for a listed month without records."""
    return _counts(street["month"], months, "month")


def counts_by_quarter(street: pd.DataFrame) -> pd.DataFrame:
    """Records per financial year and financial quarter (1 = April-June), with the months each quarter holds.

    Columns: financial_year, quarter (int64), months (number of distinct months with records), count.
    """
    if street.empty:
        return pd.DataFrame({"financial_year": pd.Series(dtype="string"), "quarter": pd.Series(dtype="int64"),
                             "months": pd.Series(dtype="int64"), "count": pd.Series(dtype="int64")})
    quarter_of = {m: financial_quarter_of_month(m) for m in street["month"].dropna().unique()}
    df = pd.DataFrame({"financial_year": street["financial_year"], "month": street["month"]})
    df["quarter"] = df["month"].map(quarter_of).astype("int64")
    out = (
        df.groupby(["financial_year", "quarter"], observed=True)
        .agg(months=("month", "nunique"), count=("month", "size"))
        .reset_index()
    )
    if isinstance(out["financial_year"].dtype, pd.CategoricalDtype):  # the years as strings, as the store holds them
        out["financial_year"] = out["financial_year"].astype("string")
    return out.astype({"months": "int64", "count": "int64"}).sort_values(["financial_year", "quarter"], ignore_index=True)


def counts_by_area(street: pd.DataFrame, level: str = "ward", areas: Sequence[str] | None = None) -> pd.Series:
    """Records per area at ``level`` (``lsoa``, ``ward``, ``lad`` or ``csp``), indexed by ONS code.

    Rows not placed in an area (blank or unknown LSOA) are not counted; ``areas`` lists the codes
    to report, zero-filled.
    """
    if level not in AREA_COLUMNS:
        raise ValueError(f"level must be one of {', '.join(AREA_COLUMNS)}, not '{level}'")
    return _counts(street[AREA_COLUMNS[level]], areas, AREA_COLUMNS[level])


def counts_by_category(street: pd.DataFrame, categories: Sequence[str] = CRIME_CATEGORIES) -> pd.Series:
    """Records per harmonised police.uk category (index ``category``), zero-filled over ``categories``."""
    return _counts(street["category"], categories, "category")


def area_by_category(
    street: pd.DataFrame,
    level: str = "ward",
    areas: Sequence[str] | None = None,
    categories: Sequence[str] = CRIME_CATEGORIES,
) -> pd.DataFrame:
    """Records per area (rows, ONS code) and category (columns), zero-filled; int64 counts."""
    col = AREA_COLUMNS[level]
    df = street[street[col].notna() & street["category"].isin(categories)]
    table = pd.crosstab(df[col].astype("object"), df["category"].astype("object"))
    table = table.reindex(index=list(areas) if areas is not None else sorted(table.index), columns=list(categories), fill_value=0)
    table.index.name = col
    table.columns.name = "category"
    return table.fillna(0).astype("int64")


def monthly_series(
    street: pd.DataFrame,
    *,
    asb: bool | None = False,
    category: str | None = None,
    covered_months: Iterable[str] | None = None,
) -> pd.Series:
    """Records per month over the whole span of the data (index ``month``, ``YYYY-MM``; float64).

    Months inside the span for which police.uk published nothing at all (``covered_months``,
    by default the months with any record in ``street``) are NaN, not zero, so that a rolling sum
    over a gap is missing rather than too low. Months covered but without records of the
    category count 0.
    """
    covered = sorted(set(covered_months) if covered_months is not None else set(street["month"].dropna().unique()))
    if not covered:
        return pd.Series(dtype="float64", name="count").rename_axis("month")
    span = month_range(covered[0], covered[-1])
    counts = _counts(_selected_months(street, asb=asb, category=category), covered, "month").astype("float64")
    return counts.reindex(span).rename("count").rename_axis("month")


# --- like-for-like comparisons of periods ----------------------------------------------------

@dataclass(frozen=True)
class PeriodCounts:
    """Counts of two like-for-like periods: ``current`` records in ``months`` against ``previous`` in ``previous_months``.

    ``label``/``previous_label`` name the periods in text ("2017/18 (April to September)").
    ``complete`` is False when either period lacks published months (``missing_months``).
    """

    label: str
    previous_label: str
    months: tuple[str, ...]
    previous_months: tuple[str, ...]
    current: int
    previous: int
    missing_months: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing_months

    @property
    def period(self) -> str:
        """The current period as a metric period: "2024/25" for a whole financial year, else "2017-04 to 2017-09"."""
        return period_code(self.months)

    @property
    def previous_period(self) -> str:
        return period_code(self.previous_months)


def year_to_date(ctx: AssessmentContext, *, asb: bool | None = False, category: str | None = None) -> PeriodCounts:
    """This year's records against the same months of last year (the whole years when this one is complete).

    Source: police.uk street records of the CSP (``ctx.street``, already cut to matching months).
    """
    if ctx.complete:
        months, prev_months = tuple(ctx.months), tuple(months_of_financial_year(ctx.previous_year))
    else:
        months, prev_months = tuple(ctx.months_present), tuple(ctx.matching_months(ctx.previous_year))
    current = count_selected(ctx.street(ctx.year), asb=asb, category=category)
    previous = count_selected(ctx.street(ctx.previous_year), asb=asb, category=category)
    have_prev = set(ctx.street_all["month"].dropna().unique())
    missing = tuple(m for m in prev_months if m not in have_prev)
    if ctx.complete:
        label, prev_label = ctx.year, ctx.previous_year
    else:
        label = f"{ctx.year} ({period_label(months)})"
        prev_label = f"{ctx.previous_year} ({period_label(prev_months)})"
    return PeriodCounts(label, prev_label, months, prev_months, current, previous, missing)


def rolling_12_months(
    street: pd.DataFrame,
    end_month: str,
    *,
    asb: bool | None = False,
    category: str | None = None,
    covered_months: Iterable[str] | None = None,
) -> PeriodCounts:
    """The twelve months ending ``end_month`` against the twelve months before them.

    ``missing_months`` lists months of either period without any published record (by default,
    months absent from ``street``); such a comparison is not like for like and is flagged.
    """
    months = month_range(shift_month(end_month, -11), end_month)
    prev_months = month_range(shift_month(end_month, -23), shift_month(end_month, -12))
    covered = set(covered_months) if covered_months is not None else set(street["month"].dropna().unique())
    by_month = _counts(_selected_months(street, asb=asb, category=category), months + prev_months, "month")
    missing = tuple(m for m in prev_months + months if m not in covered)
    return PeriodCounts(
        label=f"the 12 months to {month_name(end_month)}",
        previous_label=f"the 12 months to {month_name(prev_months[-1])}",
        months=tuple(months),
        previous_months=tuple(prev_months),
        current=int(by_month[months].sum()),
        previous=int(by_month[prev_months].sum()),
        missing_months=missing,
    )


def years_with_data(ctx: AssessmentContext) -> list[str]:
    """Financial years, oldest first, for which the CSP has police.uk records (up to this year)."""
    years = sorted(set(ctx.street_all["financial_year"].dropna().drop_duplicates().astype(str)))
    return [y for y in years if y <= ctx.year]


def counts_by_year_like_for_like(ctx: AssessmentContext, *, asb: bool | None = False, category: str | None = None) -> pd.Series:
    """Records per financial year up to this one, each cut to the months this year holds (index financial_year).

    Where this year is complete, every year counts its twelve months; earlier years that lack
    some of those months still count what they have (see :func:`year_months_present`).
    """
    years = years_with_data(ctx)
    values = [count_selected(ctx.street(y), asb=asb, category=category) for y in years]
    return pd.Series(np.asarray(values, dtype="int64"), index=pd.Index(years, name="financial_year"), name="count")


def year_months_present(ctx: AssessmentContext) -> pd.Series:
    """For each financial year with data, the number of months (of those compared) it has records for."""
    have = set(ctx.street_all["month"].dropna().unique())
    out = {}
    for y in years_with_data(ctx):
        wanted = ctx.matching_months(y) if not ctx.complete else months_of_financial_year(y)
        out[y] = sum(m in have for m in wanted)
    return pd.Series(out, dtype="int64", name="months").rename_axis("financial_year")


def rolling_12_month_totals(monthly: pd.Series) -> pd.Series:
    """Rolling 12-month totals of a monthly series from :func:`monthly_series` (index ``YYYY-MM``).

    Each run of consecutive published months is summed with :func:`assess.stats.rolling_12_month`;
    a total is NaN until twelve published months precede it, and across any gap in publication.
    """
    from assess.stats import rolling_12_month

    out = pd.Series(np.nan, index=monthly.index, dtype="float64", name="rolling_12_month")
    present = monthly.notna().to_numpy()
    start = None
    for i, ok in enumerate(list(present) + [False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            run = monthly.iloc[start:i]
            out.iloc[start:i] = rolling_12_month(run).to_numpy()
            start = None
    return out
