"""Fingertips indicators as chapters show them: the CSP's published figure for the year, with England's
and the region's beside it, compared like with like.

Source: OHID's Fingertips exports (``indicators`` table, :mod:`assess.sources.fingertips`), one per
indicator listed in ``src/assess/sources.yaml`` with the chapter and metric it feeds. Each
indicator's kind (crude or directly age-standardised, per how many, of whom) is in
:data:`INDICATOR_KINDS`, as OHID defines it in the indicator's metadata.

Rules:

- the figure of a financial year is that of the latest period published that ends by the end of
  the year (31 March): Fingertips periods are calendar years, financial years or pooled spans;
- values and 95% limits are the published ones (never recomputed): an age-standardised rate cannot
  be recomputed from the count and population Fingertips prints beside it;
- the CSP is compared with England's (and the region's) figure of the same indicator and period,
  which OHID computes by the same method: like with like. The verdict is PHE's (is the
  comparator's value outside the CSP's published 95% interval?), the rule behind Fingertips'
  own "compared with England" column, which is quoted beside it;
- a change between two periods is tested only for a crude rate (the exact test of the two counts
  with the populations as exposures; no monthly series exists); an age-standardised rate's
  previous value is shown, untested. A trend over three or more periods of a crude rate is the
  quasi-Poisson log-linear test (:func:`assess.stats.trend_in_counts`);
- Fingertips publishes local authorities, not CSPs: for a CSP of several, an additive indicator
  (a crude rate or a proportion) is their published counts and denominators summed and the
  figure recomputed, with limits by Byar's method (rates) or Wilson's (proportions), as
  Fingertips computes them (:func:`combined_indicator`); an age-standardised rate is not
  combined (it needs counts and populations by age), and :class:`NotCombined` says so.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import pandas as pd

from assess.measure.metrics import (
    BENCHMARK_METHOD_ID,
    Denominator,
    Metric,
    metric_from_rate,
)
from assess.periods import parse_financial_year
from assess.stats import Rate, compare_with_benchmark, proportion, rate_per

SOURCE = "OHID, Fingertips (public health profiles)"


@dataclass(frozen=True)
class IndicatorKind:
    """How OHID computes an indicator: a rate per ``per`` of ``of`` (persons, aged ...), ``crude`` or
    directly age-standardised, over ``span`` (e.g. "three calendar years pooled")."""

    per: int
    of: str
    crude: bool
    span: str = "one year"
    #: A proportion (a percentage when ``per`` is 100) rather than a rate of events.
    proportion: bool = False

    @property
    def method(self) -> str:
        if self.proportion:
            return "proportion"
        return "crude rate" if self.crude else "directly age-standardised rate (European Standard Population 2013)"

    @property
    def additive(self) -> bool:
        """True when the figure of several areas is their summed counts over their summed
        denominators (a crude rate or a proportion); an age-standardised rate is not."""
        return self.crude or self.proportion

    def combined(self, count: float, denominator: float) -> Rate:
        """The figure of summed ``count`` and ``denominator`` with its 95% limits as Fingertips
        computes them: Byar's method for a rate (exact limits below 10 events), Wilson's score
        interval for a proportion."""
        if self.proportion:
            p = proportion(count, denominator)
            return Rate(count=round(count), denominator=float(denominator), per=self.per, value=p.value * self.per,
                        lower=p.lower * self.per, upper=p.upper * self.per, method=p.method)
        return rate_per(round(count), float(denominator), self.per)

    @property
    def interval_method(self) -> str:
        """The name of the method :meth:`combined` gives the limits by, as the text cites it."""
        return ("Wilson's score method" if self.proportion
                else "Byar's method (the exact Poisson limits below 10 events), as Fingertips computes them")

    @property
    def unit(self) -> str:
        return f"per {self.per:,} {self.of}"


    def disagreement(self, value_type: str, unit: str) -> str | None:
        """How the indicator's metadata (its "Value type", e.g. "Crude rate", "Directly standardised
        rate", "Proportion", and its "Unit", e.g. "per 100,000", "%") contradicts this kind; None
        when it agrees. The chapters describe, compare and test the figure by its kind, so a
        contradiction means the table below or the indicator id is wrong."""
        value = " ".join(value_type.lower().replace("-", " ").split())
        if "standardised" in value or "standardized" in value:
            found: tuple[bool, bool] | None = (False, False)  # (crude, proportion)
        elif "crude" in value:
            found = (True, False)
        elif "proportion" in value or "percentage" in value:
            found = (True, True)
        else:
            found = None
        text = unit.replace(",", "").lower()
        per = 100 if "%" in text or "percent" in text else None
        if (match := re.search(r"per\s*(\d+)", text)) is not None:
            per = int(match.group(1))
        problems = []
        if found != (self.crude, self.proportion):
            problems.append(f"its value type is '{value_type}', not a {self.method}")
        if per != self.per:
            problems.append(f"its unit is '{unit}', not per {self.per:,}")
        return "; ".join(problems) or None


#: The kinds of the indicators of sources.yaml, by the metric each feeds (OHID indicator metadata).
INDICATOR_KINDS: dict[str, IndicatorKind] = {
    "first_time_entrants_rate": IndicatorKind(100_000, "aged 10-17", crude=True),
    "drug_misuse_deaths_rate": IndicatorKind(100_000, "population", crude=False, span="three calendar years pooled"),
    "alcohol_admissions_rate": IndicatorKind(100_000, "population", crude=False),
    "violence_admissions_rate": IndicatorKind(100_000, "population", crude=False,
                                              span="three financial years pooled"),
    "domestic_abuse_rate": IndicatorKind(1_000, "aged 16 and over", crude=True),
}


@functools.lru_cache(maxsize=1)
def _listed() -> dict[str, tuple[int, str]]:
    from assess.fetch.addresses import load_sources

    sources = load_sources()
    entry = next((s for s in sources.sources.values() if s.role == "fingertips"), None)
    return {} if entry is None else {i.metric: (i.id, i.name) for i in entry.indicators}


def listed_indicator(metric: str) -> tuple[int, str]:
    """The Fingertips indicator id and name that sources.yaml lists for ``metric``."""
    listed = _listed()
    if metric not in listed:
        raise KeyError(f"sources.yaml lists no Fingertips indicator for the metric {metric!r}")
    return listed[metric]


def metric_period(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """A Fingertips period as a metric period: "2016", "2016/17", "2014 to 2016", "2019/20 to 2021/22"."""
    financial = start.month == 4
    first = f"{start.year}/{(start.year + 1) % 100:02d}" if financial else str(start.year)
    last_year = end.year - 1 if financial else end.year
    last = f"{last_year}/{(last_year + 1) % 100:02d}" if financial else str(last_year)
    return first if first == last else f"{first} to {last}"


def headline_series(indicators: pd.DataFrame, indicator_id: int, area_code: str) -> pd.DataFrame:
    """The headline rows (persons, no breakdown) of one indicator and area, oldest period first."""
    if indicators.empty:
        return indicators
    rows = indicators[(indicators["indicator_id"] == indicator_id) & (indicators["area_code"] == area_code)
                      & indicators["is_headline"].fillna(False).astype(bool)]
    return rows.sort_values("period_end").drop_duplicates("time_period", keep="last").reset_index(drop=True)


def period_of_year(series: pd.DataFrame, financial_year: str) -> pd.Series | None:
    """The row of the latest period that ends by the end of ``financial_year`` (31 March), or None."""
    end = pd.Timestamp(parse_financial_year(financial_year) + 1, 3, 31)
    rows = series[series["period_end"] <= end]
    return None if rows.empty else rows.iloc[-1]


def region_of(indicators: pd.DataFrame, indicator_id: int, local: pd.Series) -> str | None:
    """The code of the local area's region in the export: its parent, else the one region held."""
    rows = indicators[(indicators["indicator_id"] == indicator_id) & (indicators["area_type"].str.lower() == "region")]
    parent = local.get("parent_code")
    if isinstance(parent, str) and (rows["area_code"] == parent).any():
        return parent
    codes = rows["area_code"].dropna().unique()
    return str(codes[0]) if len(codes) == 1 else None


def published_rate(row: pd.Series, kind: IndicatorKind) -> Rate | None:
    """The published value and 95% limits of ``row`` as a :class:`assess.stats.Rate` (count and
    denominator as published); None when the value or its limits are not published."""
    figures = [row.get(c) for c in ("value", "lower_ci_95", "upper_ci_95")]
    if any(v is None or pd.isna(v) for v in figures):
        return None
    count = row.get("count")
    denominator = row.get("denominator")
    return Rate(
        count=0 if count is None or pd.isna(count) else int(round(float(count))),
        denominator=math.nan if denominator is None or pd.isna(denominator) else float(denominator),
        per=kind.per, value=float(figures[0]), lower=float(figures[1]), upper=float(figures[2]),
        method=f"95% limits as published by OHID ({kind.method})",
    )


@dataclass(frozen=True)
class PublishedIndicator:
    """One indicator for the CSP in the year: the local figure and its comparators, same period."""

    metric: str
    indicator_id: int
    name: str
    kind: IndicatorKind
    area_name: str
    period: str
    local: Rate
    previous: Rate | None
    previous_period: str | None
    comparators: dict[str, float]
    published_verdicts: dict[str, str]
    table: pd.DataFrame
    source_file: str
    bounds: tuple[pd.Timestamp, pd.Timestamp]
    previous_bounds: tuple[pd.Timestamp, pd.Timestamp] | None
    #: The local authorities whose counts and denominators were summed into ``local`` (a CSP of
    #: several); empty when ``local`` is a figure Fingertips published.
    combined_from: tuple[str, ...] = ()

    def verdict(self, comparator: str) -> str:
        """PHE's verdict: is the comparator's value outside the local published 95% interval?"""
        return compare_with_benchmark(self.local, self.comparators[comparator]).verdict


def published_indicator(indicators: pd.DataFrame, metric: str, area_code: str, financial_year: str,
                        national_name: str = "England") -> PublishedIndicator | None:
    """The indicator ``metric`` feeds, for ``area_code`` in ``financial_year``; None when it is not held."""
    indicator_id, listed_name = listed_indicator(metric)
    kind = INDICATOR_KINDS[metric]
    local_series = headline_series(indicators, indicator_id, area_code)
    row = period_of_year(local_series, financial_year) if not local_series.empty else None
    if row is None:
        return None
    local = published_rate(row, kind)
    if local is None:
        return None
    at = local_series.index[local_series["time_period"] == row["time_period"]][0]
    prev_row = local_series.iloc[at - 1] if at > 0 else None
    previous = None if prev_row is None else published_rate(prev_row, kind)
    region = region_of(indicators, indicator_id, row)
    table = local_series[local_series["period_end"] <= row["period_end"]][
        ["time_period", "value", "lower_ci_95", "upper_ci_95", "count", "denominator", "compared_to_england"]]
    comparators, table = _with_comparators(indicators, indicator_id, table, row["time_period"], national_name, region)
    table["count"] = table["count"].round().astype("Int64")
    published = {national_name: str(row.get("compared_to_england"))}
    region_name = next((c.removesuffix(" value") for c in table.columns
                        if c.endswith(" value") and c != f"{national_name} value"), None)
    if region_name is not None and isinstance(row.get("compared_to_region"), str):
        published[region_name] = str(row["compared_to_region"])
    return PublishedIndicator(
        metric=metric, indicator_id=indicator_id, name=str(row.get("indicator_name") or listed_name), kind=kind,
        area_name=str(row["area_name"]), period=str(row["time_period"]), local=local, previous=previous,
        previous_period=None if prev_row is None else str(prev_row["time_period"]),
        comparators=comparators, published_verdicts=published, table=table.reset_index(drop=True),
        source_file=str(row.get("source_file")),
        bounds=(row["period_start"], row["period_end"]),
        previous_bounds=None if prev_row is None else (prev_row["period_start"], prev_row["period_end"]),
    )


@dataclass(frozen=True)
class NotCombined:
    """Why a CSP of several local authorities has no figure of an indicator that Fingertips
    publishes for each of them, with each authority's own published figure (``figures``: name,
    value, period) where it has one."""

    indicator_id: int
    name: str
    reason: str
    figures: tuple[tuple[str, float, str], ...]


def combined_indicator(indicators: pd.DataFrame, metric: str, area_codes: list[str], financial_year: str,
                       national_name: str = "England") -> PublishedIndicator | NotCombined | None:
    """The indicator ``metric`` feeds for a CSP of several local authorities (``area_codes``) in
    ``financial_year``: their counts and their denominators summed and the figure recomputed
    (:meth:`IndicatorKind.combined`) for every period in which each authority has both, the
    latest ending by the end of the year being the year's. NotCombined, saying why, where the
    indicator is not additive (an age-standardised rate) or an authority lacks its count or
    denominator; None when the export holds none of them."""
    indicator_id, listed_name = listed_indicator(metric)
    kind = INDICATOR_KINDS[metric]
    series = {code: headline_series(indicators, indicator_id, code) for code in area_codes}
    held = {code: s for code, s in series.items() if not s.empty}
    if not held:
        return None
    first = next(iter(held.values()))
    name = str(first["indicator_name"].iloc[0] or listed_name)
    end = pd.Timestamp(parse_financial_year(financial_year) + 1, 3, 31)
    figures = []
    for s in held.values():
        row = period_of_year(s, financial_year)
        if row is not None and pd.notna(row["value"]):
            figures.append((str(row["area_name"]), float(row["value"]), str(row["time_period"])))

    def refused(reason: str) -> NotCombined:
        return NotCombined(indicator_id, name, reason, tuple(figures))

    absent = [code for code in area_codes if code not in held]
    if absent:
        return refused(f"the export holds no figure for {', '.join(absent)}")
    if not kind.additive:
        return refused(f"it is a {kind.method}, which cannot be recomputed for several authorities from their "
                       "published figures (it needs each one's counts and populations by age)")
    frames = [s.set_index("time_period") for s in held.values()]
    common_periods = [p for p in frames[0].index if all(p in f.index for f in frames[1:])]
    complete = [p for p in common_periods
                if all(pd.notna(f.at[p, "count"]) and pd.notna(f.at[p, "denominator"]) and f.at[p, "denominator"] > 0
                       for f in frames) and frames[0].at[p, "period_end"] <= end]
    if not complete:
        return refused("Fingertips does not publish the count and denominator of every one of them for a period "
                       f"ending by March {end.year}, so they cannot be summed")
    rows = []
    for p in complete:
        count = sum(float(f.at[p, "count"]) for f in frames)
        denominator = sum(float(f.at[p, "denominator"]) for f in frames)
        figure = kind.combined(count, denominator)
        rows.append({"time_period": p, "value": figure.value, "lower_ci_95": figure.lower, "upper_ci_95": figure.upper,
                     "count": count, "denominator": denominator, "compared_to_england": pd.NA,
                     "period_start": frames[0].at[p, "period_start"], "period_end": frames[0].at[p, "period_end"]})
    combined = pd.DataFrame(rows)
    latest = combined.iloc[-1]
    local = kind.combined(latest["count"], latest["denominator"])
    prev_row = combined.iloc[-2] if len(combined) > 1 else None
    previous = None if prev_row is None else kind.combined(prev_row["count"], prev_row["denominator"])
    parents = {str(f["parent_code"].iloc[0]) if "parent_code" in f and pd.notna(f["parent_code"].iloc[0]) else None
               for f in frames}
    first_row = first[first["time_period"] == latest["time_period"]].iloc[0]
    region = region_of(indicators, indicator_id, first_row) if len(parents) == 1 else None
    comparators, table = _with_comparators(indicators, indicator_id, combined, latest["time_period"], national_name,
                                           region)
    names = tuple(str(s["area_name"].iloc[0]) for s in held.values())
    table = table.drop(columns=["period_start", "period_end"])
    table["count"] = table["count"].round().astype("Int64")
    return PublishedIndicator(
        metric=metric, indicator_id=indicator_id, name=name, kind=kind, area_name=" and ".join(names),
        period=str(latest["time_period"]), local=local, previous=previous,
        previous_period=None if prev_row is None else str(prev_row["time_period"]),
        comparators=comparators, published_verdicts={}, table=table.reset_index(drop=True),
        source_file=", ".join(sorted({str(s["source_file"].iloc[-1]) for s in held.values()})),
        bounds=(latest["period_start"], latest["period_end"]),
        previous_bounds=None if prev_row is None else (prev_row["period_start"], prev_row["period_end"]),
        combined_from=names,
    )


def _with_comparators(indicators: pd.DataFrame, indicator_id: int, table: pd.DataFrame, period: str,
                      national_name: str, region: str | None) -> tuple[dict[str, float], pd.DataFrame]:
    """England's (and the region's) published values: in ``period`` as comparators, and by period
    as columns "<name> value" of ``table``."""
    areas = {national_name: "E92000001"}
    region_series = headline_series(indicators, indicator_id, region) if region else pd.DataFrame()
    if region and not region_series.empty:
        areas[str(region_series["area_name"].iloc[0])] = region
    comparators: dict[str, float] = {}
    table = table.copy()
    for name, code in areas.items():
        series = headline_series(indicators, indicator_id, code)
        same = series[series["time_period"] == period]
        if not same.empty and pd.notna(same["value"].iloc[0]):
            comparators[name] = float(same["value"].iloc[0])  # a comparator's own limits are not needed
        table[f"{name} value"] = table["time_period"].map(series.set_index("time_period")["value"]) if not series.empty else math.nan
    return comparators, table


def indicator_metric(figure: PublishedIndicator, chapter: str, label: str) -> Metric:
    """The metric of a published indicator: value and limits as published, the comparators' values
    with PHE's verdicts, the change (tested for a crude rate only) and the count and denominator."""
    kind = figure.kind
    comparators = dict(figure.comparators)
    verdicts = {name: figure.verdict(name) for name in figure.comparators}
    source = f"{SOURCE}, indicator {figure.indicator_id} ({figure.name}), {figure.source_file}"
    if figure.combined_from:
        note = (f"{kind.method[0].upper()}{kind.method[1:]} {kind.unit} ({kind.span}) of {figure.area_name} combined: "
                f"their published counts and denominators summed, the figure recomputed with 95% limits by "
                f"{kind.interval_method}; the comparators are the same indicator and period as published.")
    else:
        note = (f"{kind.method[0].upper()}{kind.method[1:]} {kind.unit} ({kind.span}), as published with its 95% limits; "
                f"the comparators are the same indicator, period and method. Fingertips compares it with England as "
                f"'{figure.published_verdicts.get(next(iter(figure.comparators), ''), 'not compared')}'.")
    period = metric_period(*figure.bounds)
    previous_bounds = figure.previous_bounds
    has_denominator = math.isfinite(figure.local.denominator) and figure.local.denominator > 0
    published = (f"the denominators of {figure.area_name} as published, summed" if figure.combined_from
                 else "denominator as published")
    denominator = Denominator(value=figure.local.denominator, unit=kind.of, source=f"{source} ({published})",
                              period=period) if has_denominator else None
    prev = figure.previous
    prev_period = None if prev is None or previous_bounds is None else metric_period(*previous_bounds)
    previous_denominator = Denominator(value=prev.denominator, unit=kind.of, source=f"{source} ({published})",
                                       period=prev_period) if (
        has_denominator and prev is not None and prev_period is not None
        and math.isfinite(prev.denominator) and prev.denominator > 0 and math.isfinite(prev.count)) else None
    if kind.crude and has_denominator:
        previous = figure.previous if figure.previous is not None and math.isfinite(figure.previous.denominator) else None
        previous_period = None if previous is None or previous_bounds is None else metric_period(*previous_bounds)
        return metric_from_rate(
            figure.metric, label, chapter, figure.local, period, source,
            previous=previous, previous_period=previous_period,
            comparators=comparators, unit=kind.unit, note=note, comparison_verdicts=verdicts,
            comparison_methods={n: BENCHMARK_METHOD_ID for n in verdicts}, denominator=denominator,
            previous_denominator=None if previous is None else previous_denominator,
            no_series="Fingertips publishes one figure a period: there is no monthly series",
        )
    previous_value = None if figure.previous is None or previous_bounds is None else figure.previous.value
    if not kind.crude:
        note += (" An age-standardised rate cannot be recomputed from the published count and population, which are "
                 "recorded as published; its change is shown, not tested.")
    return Metric(
        id=figure.metric, label=label, chapter=chapter, value=figure.local.value, unit=kind.unit, period=period,
        previous_value=previous_value,
        previous_period=None if previous_value is None or previous_bounds is None else metric_period(*previous_bounds),
        change_absolute=None if previous_value is None else figure.local.value - previous_value,
        change_percent=None if not previous_value else 100.0 * (figure.local.value - previous_value) / previous_value,
        interval=(figure.local.lower, figure.local.upper), comparators=comparators, comparison_verdicts=verdicts,
        comparison_methods={n: BENCHMARK_METHOD_ID for n in verdicts}, source=source, note=note,
        numerator=float(figure.local.count) if denominator is not None else None, denominator=denominator,
        previous_numerator=None if previous_denominator is None or previous_value is None else float(prev.count),
        previous_denominator=None if previous_value is None else previous_denominator,
    )
