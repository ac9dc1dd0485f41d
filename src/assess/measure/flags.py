"""Counting the police force's crime and case flags (partner file ``force_flags.csv``).

Pure functions over the frame :func:`assess.sources.partner.read_force_flags` returns (columns
month, financial_year, flag, strand, ward_code, count), shared by the chapters that count flags
(2 offence types, 8 hate crime, 10 drugs and alcohol, 11 vulnerable people).

Counting rules:

- Ward rows are added up. Only ``hate_crime`` has strands: a hate crime may be motivated by
  hostility on more than one strand and is then counted in each. A hate crime row with a blank
  strand is the force's count (each crime once); where a month has no such row, the count is the
  sum of the strands, which may count a crime more than once.
- Years are financial years (April to March). When the latest year in the file is incomplete,
  every year is cut to the same months (:class:`LikeForLike`), so that changes and trends compare
  like with like. A year the file does not cover in all those months has no count, which is not a
  zero: it is left out of the years (never shown or plotted as 0, never compared).
- Changes and trends allow for counts that vary more than chance: the change on last year is the
  quasi-Poisson test of the flag's monthly series (:func:`assess.measure.metrics.count_change`),
  the trend the quasi-Poisson trend of the yearly totals with the dispersion of the months behind
  them (:func:`year_trend`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from assess.errors import StatisticsError
from assess.measure.metrics import Denominator, Metric, count_change, metric_from_count
from assess.periods import LikeForLike, like_for_like, month_range
from assess.stats import (
    CountChange,
    DispersedTrend,
    monthly_dispersion,
    trend_in_counts,
)

POPULATION_SOURCE = "ONS mid-year population estimates"

#: Fewest years a trend test needs (assess.stats.trend_in_counts).
MIN_TREND_YEARS = 3


def flags_with(flags: pd.DataFrame | None, flag: str, year: str) -> pd.DataFrame | None:
    """The flags file when it holds ``flag`` in financial year ``year``, else None."""
    if flags is None:
        return None
    rows = flags[(flags["flag"] == flag) & (flags["financial_year"] == year)]
    return None if rows.empty else flags


def flag_monthly(flags: pd.DataFrame, flag: str, strand: str | None = None) -> pd.Series:
    """Monthly count of one flag for the whole CSP (index ``month`` ``YYYY-MM``, int64).

    Ward rows are added up. With ``strand`` only that hate crime strand is counted. Without it,
    a month's rows with a blank strand are the count; a month with only strand rows counts their
    sum (a crime on two strands counts twice). Months without the flag are absent from the index.
    """
    columns = [c for c in ("month", "strand", "count") if c in flags.columns]
    rows = flags[columns][flags["flag"] == flag]
    if "strand" in rows.columns:
        if strand is not None:
            rows = rows[rows["strand"] == strand]
        else:
            blank = rows["strand"].isna()
            months_with_total = set(rows.loc[blank, "month"])
            rows = rows[blank | ~rows["month"].isin(months_with_total)]
    elif strand is not None:
        rows = rows.iloc[0:0]
    out = rows.groupby("month")["count"].sum().astype("int64")
    out.index = out.index.astype("object")
    return out.sort_index().rename("count").rename_axis("month")


def covered_months(flags: pd.DataFrame) -> list[str]:
    """The months the flags file holds a row for (any flag), in order: the months it covers."""
    return sorted(flags["month"].dropna().astype(str).unique())  # unique first: no Python loop over every row


def flag_series(flags: pd.DataFrame, flag: str, strand: str | None = None) -> pd.Series:
    """The monthly series of one flag (or hate crime ``strand``) over the span the file covers.

    Index ``month`` (``YYYY-MM``, every month from the first to the last the file covers), float64
    counts (:func:`flag_monthly`'s rules): 0 in a month the file covers without a row of this flag,
    NaN in a month it does not cover at all (not published, which is not a zero). This is the
    series the overdispersion-aware tests read (:func:`assess.measure.metrics.count_change`).
    """
    covered = covered_months(flags)
    if not covered:
        return pd.Series(dtype="float64", name="count").rename_axis("month")
    counts = flag_monthly(flags, flag, strand).reindex(covered, fill_value=0).astype("float64")
    return counts.reindex(month_range(covered[0], covered[-1])).rename("count").rename_axis("month")


def months_total(monthly: pd.Series, months: Sequence[str]) -> int:
    """A monthly count (:func:`flag_monthly`) summed over ``months`` (0 where a month has none)."""
    return int(monthly.reindex(list(months)).fillna(0).sum())


def flag_count(flags: pd.DataFrame, flag: str, months: Sequence[str]) -> int:
    """The count of ``flag`` over ``months`` (:func:`flag_monthly`'s rules; 0 where a month has none)."""
    return months_total(flag_monthly(flags, flag), months)


def total_counts_strands_twice(flags: pd.DataFrame, months: Sequence[str] | None = None) -> bool:
    """True when some month (of ``months``, if given) has hate crime strand rows but no blank-strand total."""
    rows = flags[flags["flag"] == "hate_crime"]
    if months is not None:
        rows = rows[rows["month"].isin(list(months))]
    if rows.empty or "strand" not in rows.columns:
        return False
    with_total = set(rows.loc[rows["strand"].isna(), "month"])
    return bool((~rows["month"].isin(with_total)).any())


def flag_years(flags: pd.DataFrame, up_to: str | None = None) -> list[str]:
    """Financial years the flags file holds any row in (any flag), oldest first, none after ``up_to``."""
    years = sorted(set(flags["financial_year"].dropna().drop_duplicates().astype(str)))
    return [y for y in years if up_to is None or y <= up_to]


def comparable_years(flags: pd.DataFrame, lfl: LikeForLike) -> list[str]:
    """The years up to ``lfl.year`` the file covers in every like-for-like month, oldest first.

    A year the file covers only in part (it starts in October, say) is not comparable with one
    it covers in full, and a year it does not cover has no count: both are left out.
    """
    have = set(covered_months(flags))
    return [y for y in flag_years(flags, lfl.year) if all(m in have for m in lfl.months(y))]


def flags_like_for_like(flags: pd.DataFrame, year: str) -> LikeForLike:
    """The months of ``year`` the flags file holds (any flag), as positions to compare every year on."""
    return like_for_like(year, flags.loc[flags["financial_year"] == year, "month"].drop_duplicates().astype(str))


def monthly_by_year(monthly: pd.Series, years: Sequence[str], lfl: LikeForLike) -> pd.Series:
    """A monthly count summed by financial year over the like-for-like months (index financial_year, int64)."""
    values = [int(monthly.reindex(lfl.months(y)).fillna(0).sum()) for y in years]
    return pd.Series(values, index=pd.Index(list(years), name="financial_year"), dtype="int64", name="count")


def flag_by_year(flags: pd.DataFrame, flag: str, year: str, strand: str | None = None) -> tuple[pd.Series, LikeForLike]:
    """Like-for-like counts of ``flag`` (or one hate crime ``strand``) by financial year up to ``year``:
    the years the file covers in all the compared months (:func:`comparable_years`)."""
    lfl = flags_like_for_like(flags, year)
    return monthly_by_year(flag_monthly(flags, flag, strand), comparable_years(flags, lfl), lfl), lfl


def is_disclosive(counts: pd.Series, threshold: int) -> bool:
    """True when any count is from 1 to ``threshold - 1`` (small counts are suppressed)."""
    return bool(((counts >= 1) & (counts < threshold)).any())


def year_change(
    by_year: pd.Series, year: str, previous_year: str, *, monthly: pd.Series | None = None,
    lfl: LikeForLike | None = None,
) -> CountChange | None:
    """The change from ``previous_year`` to ``year``, None without both years.

    With the flag's monthly series (``monthly``, :func:`flag_series`) and the months compared
    (``lfl``), the quasi-Poisson test of the series over those months
    (:func:`assess.measure.metrics.count_change`); without them the exact test of the two totals,
    which says it had no series.
    """
    if year not in by_year.index or previous_year not in by_year.index:
        return None
    if monthly is not None and lfl is not None:
        return count_change(int(by_year[previous_year]), int(by_year[year]), monthly=monthly,
                            months=lfl.months(year), previous_months=lfl.months(previous_year))
    return count_change(int(by_year[previous_year]), int(by_year[year]))


def year_trend(
    by_year: pd.Series, *, monthly: pd.Series | None = None, lfl: LikeForLike | None = None
) -> DispersedTrend | None:
    """The trend over the years (equal exposures), None with fewer than three years.

    Quasi-Poisson log-linear trend of the yearly totals (:func:`assess.stats.trend_in_counts`),
    with the dispersion of the monthly series behind them (``monthly`` over the ``lfl`` months of
    those years, :func:`assess.stats.monthly_dispersion`) when it can be estimated; otherwise the
    dispersion of the yearly points themselves (on few degrees of freedom, so a cautious test).
    """
    if len(by_year) < MIN_TREND_YEARS:
        return None
    dispersion = None
    if monthly is not None and lfl is not None:
        months = [m for y in by_year.index for m in lfl.months(str(y))]
        try:
            dispersion = monthly_dispersion(monthly.reindex(months))
        except StatisticsError:
            dispersion = None
    return trend_in_counts([int(v) for v in by_year.to_numpy()], dispersion=dispersion)


def two_year_row(
    flags: pd.DataFrame, monthly: pd.Series, year: str, previous_year: str, threshold: int = 1
) -> dict[str, object]:
    """A flag's count in two years (like for like) with the change on last year and its verdict.

    ``monthly`` is the flag's series over the file's span (:func:`flag_series`). Keys:
    ``previous_year`` (None when the flags file does not cover all its compared months: no count
    is not a zero), ``year``, change_percent (NaN when not computable) and verdict ("" when not
    tested; the quasi-Poisson test of the monthly series, :func:`year_change`). Where a count is
    from 1 to ``threshold - 1`` (it will be suppressed) the change and verdict are left blank,
    since they would reveal it.
    """
    lfl = flags_like_for_like(flags, year)
    has_previous = previous_year in comparable_years(flags, lfl)
    by_year = monthly_by_year(monthly, [previous_year, year] if has_previous else [year], lfl)
    change = year_change(by_year, year, previous_year, monthly=monthly, lfl=lfl)
    hidden = change is None or is_disclosive(by_year, threshold)
    return {
        previous_year: int(by_year[previous_year]) if has_previous else None,
        year: int(by_year[year]),
        "change_percent": float("nan") if hidden or change.percent is None else change.percent,  # type: ignore[union-attr]
        "verdict": "" if hidden else change.verdict,  # type: ignore[union-attr]
    }


def flag_count_metric(
    id: str,
    label: str,
    chapter: str,
    by_year: pd.Series,
    year: str,
    previous_year: str,
    lfl: LikeForLike,
    population: float | Denominator | None,
    threshold: int,
    source: str,
    *,
    unit: str = "crimes",
    per: int = 1000,
    comparators: dict[str, float] | None = None,
    note: str | None = None,
    monthly: pd.Series | None = None,
) -> Metric:
    """The metric of a flagged count (value: the count; its rate per ``per`` of ``population`` when known).

    ``by_year`` is a like-for-like count by financial year (:func:`monthly_by_year`); ``monthly``
    the flag's series (:func:`flag_series`), from which the change is tested (quasi-Poisson;
    without it the exact test of the two totals, saying so). Counts from 1 to ``threshold - 1``
    are suppressed (partner data are not published elsewhere).
    """
    has_previous = previous_year in by_year.index
    return metric_from_count(
        id,
        label,
        chapter,
        int(by_year[year]),
        int(by_year[previous_year]) if has_previous else None,
        lfl.period(year),
        lfl.period(previous_year) if has_previous else None,
        population,
        source + (f"; {population.source if isinstance(population, Denominator) else POPULATION_SOURCE}" if population else ""),
        unit=unit,
        per=per,
        comparators=comparators if population else None,
        note=note,
        disclosure_threshold=threshold,
        monthly=monthly,
        months=lfl.months(year) if monthly is not None else None,
        previous_months=lfl.months(previous_year) if monthly is not None and has_previous else None,
    )
