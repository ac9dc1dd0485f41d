"""Headline figures (metrics) and ``metrics.json``, the machine-readable record of the assessment.

A :class:`Metric` is one figure with its period, change from the previous period, confidence
interval and comparisons; chapters build them (usually with :func:`metric_from_count`,
:func:`metric_from_rate` or :func:`metric_from_proportion`, so every number is computed by
:mod:`assess.stats`) and the bundle writes them all with :func:`write_metrics_json`, which
validates the document against ``metrics.schema.json`` (JSON Schema draft 2020-12, shipped in the
package) before writing it atomically. The file is deterministic: metrics sorted by id, keys
sorted, two-space indent, floats written to 10 significant figures, no timestamps.

Each verdict records the test that gave it: ``method_id`` (the quasi-Poisson test of the monthly
series, :func:`assess.stats.change_in_monthly_counts`, wherever one exists; the exact test of two
totals otherwise, with ``fallback_reason``), the ``dispersion`` it allowed for and its degrees of
freedom; comparisons record ``comparison_methods`` (Spiegelhalter's overdispersed funnel where
other areas are known). A change in a percentage is in percentage points
(``change_percentage_points``; ``change_percent`` is for counts and rates only). ``display`` holds
each figure as every surface shows it, rounded once from full precision
(:mod:`assess.measure.narrative`).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL
from assess.atomic import write_text
from assess.errors import AssessError, StatisticsError
from assess.measure import narrative
from assess.periods import month_range, parse_financial_year
from assess.stats.change import (
    Change,
    change_in_proportions,
    change_in_rates,
)
from assess.stats.compare import compare_with_benchmark
from assess.stats.intervals import Proportion, Rate, rate_per
from assess.stats.monthly_change import (
    CountChange,
    change_in_monthly_counts,
    change_in_totals,
)

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = "1.4"
#: Versions of metrics.json this code reads (1.2 adds numerator and denominator; 1.3 requires each
#: denominator's source and period; 1.4 adds the previous period's numerator and denominator;
#: earlier documents stay valid).
READABLE_VERSIONS = ("1.1", "1.2", "1.3", "1.4")

#: How the comparison verdicts are made when no other areas are known: PHE's rule (the benchmark
#: outside the value's confidence interval), with no allowance for variation between areas.
BENCHMARK_METHOD_ID = "benchmark-outside-confidence-interval"

#: Why a change is tested on two totals when the caller gives no monthly series.
NO_SERIES = "only the two totals are available, not the monthly series behind them"

_PERCENT_UNITS = {"%", "percent", "per cent", "percentage"}


def is_percent_unit(unit: str) -> bool:
    """True for a percentage unit ("%", "percent", "per cent", "percentage")."""
    return unit.strip().lower() in _PERCENT_UNITS
SCHEMA_FILE = "metrics.schema.json"

_SINGLE_PERIOD = r"(?:\d{4}/\d{2}(?: Q[1-4])?|\d{4}-(?:0[1-9]|1[0-2])|\d{4}|mid-\d{4})"
PERIOD_PATTERN = rf"^{_SINGLE_PERIOD}(?: to {_SINGLE_PERIOD})?$"
_FY_IN_PERIOD = re.compile(r"\d{4}/\d{2}")

MetricVerdict = Literal["increase", "decrease", "no significant change", "rising", "falling", "no significant trend"]
ComparisonVerdictName = Literal["significantly higher", "significantly lower", "similar"]


class MetricsError(AssessError, ValueError):
    """A metric or a metrics document is invalid (bad id, duplicate id, fails the schema ...)."""


class MetricDisplay(BaseModel):
    """A metric's figures as the report shows them, each rounded once from full precision.

    ``value`` ("31,019", "94.5%", "[c]"), ``rate`` ("128.3 per 1,000", with "(part year: 6
    months)" when the period is shorter than a year), ``change`` ("+3.3%" for a count or rate,
    "+0.5 percentage points" for a percentage). None where the metric has no such figure.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str | None = None
    rate: str | None = None
    change: str | None = None


class Denominator(BaseModel):
    """The denominator of a rate, so the rate can be recomputed from what is printed: ``value``
    (persons, households...) described by ``unit`` ("residents aged 10-17"), the ``source`` it
    comes from (publisher, estimate and file) and its ``period`` ("mid-2017", "2016"). A
    metrics.json of schema 1.3 requires both: :func:`metrics_document` refuses a bare one."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    value: float = Field(gt=0)
    unit: str | None = None
    source: str | None = None
    period: str | None = None


class Metric(BaseModel):
    """One headline figure.

    ``value`` is in ``unit`` (a count of crimes, a rate, a percentage 0-100). ``interval`` is the
    confidence interval of ``value``; for a count, ``rate``/``rate_interval`` give the crude rate
    per ``rate_per`` population with its interval. ``comparators`` are benchmark values by name,
    in the unit of ``rate`` when it is set, else of ``value``; ``comparison_verdicts`` the verdicts
    against them, each made by the method ``comparison_methods`` names (an overdispersed funnel
    where other areas are known; ``comparison_dispersion``: the between-area overdispersion phi it
    estimated). ``verdict`` is the verdict of the change (or
    trend) test, ``p_value`` its p-value, ``method_id`` the test, ``dispersion`` the variance
    inflation it applied (1 = Poisson) on ``dispersion_df`` degrees of freedom, ``fallback_reason``
    why the exact test of two totals gave it (None when the overdispersion-aware test did), and
    ``rate_ratio_interval`` the confidence interval of current / previous. A change in a percentage
    is ``change_percentage_points`` (``change_percent`` is then None: relative change is for counts
    and rates). ``period_months`` counts the months of ``period`` (a rate over fewer than 12 is a
    part-year rate, not annualised); ``decimals`` the places ``value`` is shown to (default: whole
    numbers as counts, else one); ``display`` the figures as shown (filled in when not given). A
    suppressed metric (disclosure control) carries no figures, only its ``note``. For a rate,
    ``numerator`` and ``denominator`` (:class:`Denominator`: value, unit, source and period) are
    the figures it was computed from (schema 1.2): ``numerator / denominator.value x rate_per``
    gives ``rate`` for a count, and ``value`` for a crude rate (an age-standardised rate's note
    says it is one).
    ``previous_numerator`` and ``previous_denominator`` (schema 1.4) do the same for the previous
    period: they give ``previous_rate`` for a count and ``previous_value`` for a crude rate, so
    last year's rate names its own population estimate.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    chapter: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    value: float | None
    unit: str = Field(min_length=1)
    period: str = Field(pattern=PERIOD_PATTERN)
    previous_value: float | None = None
    previous_period: str | None = Field(default=None, pattern=PERIOD_PATTERN)
    change_absolute: float | None = None
    change_percent: float | None = None
    change_percentage_points: float | None = None
    verdict: MetricVerdict | None = None
    p_value: float | None = Field(default=None, ge=0.0, le=1.0)
    method_id: str | None = None
    dispersion: float | None = Field(default=None, ge=1.0)
    dispersion_df: int | None = Field(default=None, ge=1)
    fallback_reason: str | None = None
    rate_ratio_interval: tuple[float, float] | None = None
    interval: tuple[float, float] | None = None
    rate: float | None = None
    rate_per: int | None = Field(default=None, ge=1)
    rate_interval: tuple[float, float] | None = None
    previous_rate: float | None = None
    comparators: dict[str, float | None] = Field(default_factory=dict)
    comparison_verdicts: dict[str, ComparisonVerdictName] = Field(default_factory=dict)
    comparison_methods: dict[str, str] = Field(default_factory=dict)
    comparison_dispersion: dict[str, float] = Field(default_factory=dict)
    period_months: int | None = Field(default=None, ge=1)
    decimals: int | None = Field(default=None, ge=0, le=6)
    display: MetricDisplay | None = None
    source: str = Field(min_length=1)
    note: str | None = None
    suppressed: bool = False
    numerator: float | None = None
    denominator: Denominator | None = None
    previous_numerator: float | None = None
    previous_denominator: Denominator | None = None

    @field_validator("period", "previous_period")
    @classmethod
    def _financial_years_consecutive(cls, value: str | None) -> str | None:
        if value is not None:
            for label in _FY_IN_PERIOD.findall(value):
                try:
                    parse_financial_year(label)
                except AssessError as exc:
                    raise ValueError(str(exc)) from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Metric:
        def within(point: float | None, interval: tuple[float, float] | None, name: str) -> None:
            if interval is None:
                return
            low, high = interval
            if low > high:
                raise ValueError(f"{name} has its lower limit {low} above its upper limit {high}")
            if point is not None:
                slack = 1e-9 * max(1.0, abs(point))
                if not low - slack <= point <= high + slack:
                    raise ValueError(f"{name} ({low}, {high}) does not contain its estimate {point}")

        within(self.value, self.interval, "interval")
        within(self.rate, self.rate_interval, "rate_interval")
        if self.previous_value is not None and self.previous_period is None:
            raise ValueError("previous_value is given without previous_period")
        unknown = sorted(set(self.comparison_verdicts) - set(self.comparators))
        if unknown:
            raise ValueError(f"comparison_verdicts name comparators that are not given: {', '.join(unknown)}")
        untested = sorted((set(self.comparison_methods) | set(self.comparison_dispersion)) - set(self.comparison_verdicts))
        if untested:
            raise ValueError(f"comparison methods are given for comparators without a verdict: {', '.join(untested)}")
        unexplained = sorted(set(self.comparison_verdicts) - set(self.comparison_methods))
        if unexplained:
            raise ValueError(f"comparison_verdicts without the method that made them: {', '.join(unexplained)}")
        if self.rate is not None and self.rate_per is None:
            raise ValueError("rate is given without rate_per")
        if (self.numerator is None) != (self.denominator is None):
            raise ValueError("numerator and denominator are given together or not at all")
        if (self.previous_numerator is None) != (self.previous_denominator is None):
            raise ValueError("previous_numerator and previous_denominator are given together or not at all")
        if self.previous_rate is not None and self.previous_denominator is not None:
            recomputed = (self.previous_numerator or 0.0) / self.previous_denominator.value * float(self.rate_per or 1)
            if abs(recomputed - self.previous_rate) > 1e-9 * max(1.0, abs(self.previous_rate)):
                raise ValueError(f"previous_rate {self.previous_rate} is not previous_numerator / previous_denominator "
                                 f"x rate_per ({recomputed})")
        if self.rate is not None and self.numerator is not None and self.denominator is not None:
            recomputed = self.numerator / self.denominator.value * float(self.rate_per or 1)
            if abs(recomputed - self.rate) > 1e-9 * max(1.0, abs(self.rate)):
                raise ValueError(f"rate {self.rate} is not numerator / denominator x rate_per ({recomputed})")
        if is_percent_unit(self.unit):
            if self.change_percent is not None:
                raise ValueError("a change in a percentage is in percentage points (change_percentage_points), "
                                 "not a relative change_percent")
        elif self.change_percentage_points is not None:
            raise ValueError(f"change_percentage_points is for percentages, but the unit is {self.unit!r}")
        if self.suppressed:
            figures = {
                "value": self.value,
                "previous_value": self.previous_value,
                "change_absolute": self.change_absolute,
                "change_percent": self.change_percent,
                "change_percentage_points": self.change_percentage_points,
                "interval": self.interval,
                "rate": self.rate,
                "rate_interval": self.rate_interval,
                "previous_rate": self.previous_rate,
                "rate_ratio_interval": self.rate_ratio_interval,
                "numerator": self.numerator,
                "previous_numerator": self.previous_numerator,
            }
            shown = [name for name, figure in figures.items() if figure is not None]
            if shown:
                raise ValueError(f"a suppressed metric must not carry figures, but has {', '.join(shown)}")
        if self.value is None and not self.note:
            raise ValueError("a metric without a value needs a note saying why")
        if self.display is None:  # frozen: set once, here, from the full-precision figures
            object.__setattr__(self, "display", display_of(self))
        return self


def value_decimals(value: float, unit: str, decimals: int | None = None) -> int:
    """The places a metric's value is shown to: ``decimals`` when given; 0 for a whole-number count;
    1 for a rate ("... per ..."), a percentage or any other figure. The one rule every surface
    (index card, headline table, metrics.json's display) follows."""
    if decimals is not None:
        return decimals
    if float(value).is_integer() and not is_percent_unit(unit) and " per " not in f" {unit.lower()} ":
        return 0
    return 1


def display_of(metric: Metric) -> MetricDisplay:
    """The figures of ``metric`` as shown on every surface, each rounded once (:mod:`assess.measure.narrative`)."""
    if metric.suppressed:
        return MetricDisplay(value="[c]")
    value = None
    if metric.value is not None:
        places = value_decimals(metric.value, metric.unit, metric.decimals)
        if is_percent_unit(metric.unit):
            value = narrative.format_percent(metric.value, places)
        else:
            value = narrative.format_number(metric.value, places)
    rate = None
    if metric.rate is not None and metric.rate_per is not None:
        rate = f"{narrative.format_rate(metric.rate)} {narrative.per_label(metric.rate_per)}"
        if metric.period_months is not None and metric.period_months < 12:
            rate += f" (part year: {metric.period_months} months)"
    change = None
    if metric.previous_period is not None:
        if metric.change_percentage_points is not None:
            change = narrative.format_points(metric.change_percentage_points)
        elif metric.change_percent is not None:
            change = narrative.format_percent(metric.change_percent, signed=True)
    return MetricDisplay(value=value, rate=rate, change=change)


def months_in_period(period: str) -> int | None:
    """The number of months a metric period covers: 12 for a financial or calendar year, 3 for a
    quarter, the months of "2024-04 to 2024-09" (6), 1 for a month; None for a mid-year snapshot
    or a span of years (a pooled rate is a rate a year)."""
    single = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
    if " to " in period:
        first, last = period.split(" to ", 1)
        if single.match(first) and single.match(last):
            return len(month_range(first, last)) or None
        return None
    if single.match(period):
        return 1
    if re.fullmatch(r"\d{4}/\d{2} Q[1-4]", period):
        return 3
    if re.fullmatch(r"\d{4}/\d{2}|\d{4}", period):
        return 12
    return None


# --- building metrics from statistics -----------------------------------------------------------


def count_change(
    previous: int,
    current: int,
    *,
    monthly: pd.Series | None = None,
    months: Sequence[str] | None = None,
    previous_months: Sequence[str] | None = None,
    no_series: str | None = None,
) -> CountChange:
    """The test of a change between two counts, by the one rule of the assessment.

    Where the monthly series behind the counts exists (``monthly``, counts indexed ``YYYY-MM``,
    with the ``months`` and ``previous_months`` compared), the quasi-Poisson test that allows for
    month-to-month variation beyond chance (:func:`assess.stats.change_in_monthly_counts`, which
    falls back to the exact test when the series is too short and says why). Where none exists,
    the exact test of the two totals (:func:`assess.stats.change_in_totals`) with ``no_series``
    (or :data:`NO_SERIES`) as the reason. Raises MetricsError when the series does not add up to
    the counts (it is not the series behind them).
    """
    if monthly is None:
        return change_in_totals(int(previous), int(current), reason=no_series or NO_SERIES)
    if months is None or previous_months is None:
        raise MetricsError("a monthly series needs the months of both periods (months, previous_months)")
    try:
        change = change_in_monthly_counts(monthly, list(months), list(previous_months))
    except StatisticsError as exc:
        raise MetricsError(f"cannot test the change from the monthly series: {exc}") from exc
    if (int(change.previous), int(change.current)) != (int(previous), int(current)):
        raise MetricsError(
            f"the monthly series adds up to {int(change.previous):,} and {int(change.current):,} over the two periods, "
            f"not the counts given ({int(previous):,} and {int(current):,}): it is not the series behind them"
        )
    return change


def _change_fields(change: Change | None, scale: float = 1.0) -> dict[str, Any]:
    """A change's fields of a metric: absolute change (times ``scale``), relative change or, for a
    proportion, the change in percentage points; the verdict and the test that gave it."""
    if change is None:
        return {}
    fields: dict[str, Any] = {
        "change_absolute": change.absolute * scale,
        "verdict": change.verdict,
        "p_value": change.p_value,
        "method_id": change.method_id,
    }
    if change.measure == "proportion":
        fields["change_percentage_points"] = 100.0 * change.absolute
    else:
        fields["change_percent"] = change.percent
    if isinstance(change, CountChange):
        fields.update(
            dispersion=change.dispersion,
            dispersion_df=change.dispersion_df if change.fallback_reason is None else None,
            fallback_reason=change.fallback_reason,
            rate_ratio_interval=None if change.rate_ratio_interval is None or not all(
                math.isfinite(v) for v in change.rate_ratio_interval) else change.rate_ratio_interval,
        )
    return fields


def _comparisons(
    estimate: Rate | Proportion, comparators: Mapping[str, float | None] | None, scale: float = 1.0
) -> tuple[dict[str, float | None], dict[str, str]]:
    """Comparator values (in the metric's unit) and PHE verdicts; ``scale`` converts to the estimate's unit."""
    values: dict[str, float | None] = {}
    verdicts: dict[str, str] = {}
    for name, benchmark in (comparators or {}).items():
        values[str(name)] = None if benchmark is None else float(benchmark)
        if benchmark is not None:
            verdicts[str(name)] = compare_with_benchmark(estimate, float(benchmark) / scale).verdict
    return values, verdicts


def _comparison_fields(
    estimate: Rate | Proportion,
    comparators: Mapping[str, float | None] | None,
    scale: float,
    verdicts: Mapping[str, str] | None,
    methods: Mapping[str, str] | None,
    dispersion: Mapping[str, float] | None,
) -> dict[str, Any]:
    """The comparison fields of a metric: PHE verdicts (:data:`BENCHMARK_METHOD_ID`) unless the
    caller made them by another method (``verdicts`` with ``methods``, e.g. an overdispersed
    funnel, and the between-area ``dispersion`` it allowed for), by comparator."""
    values, computed = _comparisons(estimate, comparators, scale)
    if verdicts is not None:
        computed = {str(k): str(v) for k, v in verdicts.items()}
    used = {str(k): str(v) for k, v in (methods or {}).items() if str(k) in computed}
    return {
        "comparators": values,
        "comparison_verdicts": computed,
        "comparison_methods": {name: used.get(name, BENCHMARK_METHOD_ID) for name in computed},
        "comparison_dispersion": {str(k): float(v) for k, v in (dispersion or {}).items() if str(k) in computed},
    }


def metric_from_count(
    id: str,
    label: str,
    chapter: str,
    current: int,
    previous: int | None,
    period: str,
    previous_period: str | None,
    population: float | Denominator | None,
    source: str,
    unit: str = "crimes",
    per: int = 1000,
    comparators: Mapping[str, float | None] | None = None,
    *,
    previous_population: float | Denominator | None = None,
    note: str | None = None,
    disclosure_threshold: int | None = None,
    monthly: pd.Series | None = None,
    months: Sequence[str] | None = None,
    previous_months: Sequence[str] | None = None,
    change: Change | None = None,
    no_series: str | None = None,
    comparison_verdicts: Mapping[str, str] | None = None,
    comparison_methods: Mapping[str, str] | None = None,
    comparison_dispersion: Mapping[str, float] | None = None,
    denominator: Denominator | None = None,
) -> Metric:
    """A metric for a count of events in ``period``, with its change and (given the population) rate.

    - change: ``change`` when the caller tested it already, else :func:`count_change` (the
      quasi-Poisson test of ``monthly`` over ``months`` against ``previous_months`` where the
      series exists; the exact test of the two totals, with ``no_series`` as the reason, where it
      does not) gives ``change_absolute``/``change_percent`` (of the counts), ``verdict``,
      ``p_value``, ``method_id``, ``dispersion``, ``fallback_reason`` and ``rate_ratio_interval``;
    - rate: with ``population``, the crude rate per ``per`` with PHE limits (``rate``,
      ``rate_interval``); ``previous_population`` gives ``previous_rate`` (recording the count and
      that population as ``previous_numerator`` and ``previous_denominator``). A period of fewer than
      twelve months (``period_months``) gives a part-year rate, shown as such;
    - ``comparators``: benchmark rates per ``per`` (e.g. ``{"England": 73.0}``), judged PHE-style
      against the rate's interval unless ``comparison_verdicts`` (made by the methods
      ``comparison_methods`` names, allowing for ``comparison_dispersion``) are given; they need
      ``population``.
    - ``disclosure_threshold``: counts from 1 to threshold - 1 are suppressed (the metric keeps its
      label and a note); leave it None for figures already published (police recorded crime).
    - ``denominator``: the population's record (its estimate and source); with ``population`` the
      metric records ``numerator`` (the count) and ``denominator`` (this record, or the bare
      population when not given). Its value must be ``population``. ``population`` (and
      ``previous_population``) may be that record itself (:class:`Denominator`).
    """
    if isinstance(population, Denominator):
        population, denominator = _checked(id, population, denominator)
    previous_denominator = previous_population if isinstance(previous_population, Denominator) else None
    if isinstance(previous_population, Denominator):
        previous_population = previous_population.value
    if previous is not None and previous_period is None:
        raise MetricsError(f"metric {id!r}: a previous count needs previous_period")
    if previous is None:
        previous_period = None  # the period compared with is recorded only with its value
    if comparators and population is None:
        raise MetricsError(f"metric {id!r}: comparators are rates per {per:,}; give the population to compare with them")

    def disclosive(count: int | None) -> bool:
        return disclosure_threshold is not None and count is not None and 1 <= count < disclosure_threshold

    if disclosive(current):
        return Metric(
            id=id,
            label=label,
            chapter=chapter,
            value=None,
            unit=unit,
            period=period,
            previous_period=previous_period,
            source=source,
            suppressed=True,
            note=(note + " " if note else "") + f"Suppressed: fewer than {disclosure_threshold:,} {unit}.",
        )

    if previous is None or disclosive(previous):
        change = None
    elif change is None:
        try:
            change = count_change(previous, current, monthly=monthly, months=months, previous_months=previous_months,
                                  no_series=no_series)
        except MetricsError as exc:
            raise MetricsError(f"metric {id!r}: {exc}") from exc
    elif (change.previous, change.current) != (float(previous), float(current)):
        raise MetricsError(f"metric {id!r}: the change given compares {change.previous:,.0f} with {change.current:,.0f}, "
                           f"not {previous:,} with {current:,}")
    fields: dict[str, Any] = {}
    if population is not None:
        rate = rate_per(current, population, per)
        fields.update(numerator=float(current), denominator=_denominator(id, population, denominator))
        fields.update(
            rate=rate.value,
            rate_per=per,
            rate_interval=(rate.lower, rate.upper),
            **_comparison_fields(rate, comparators, 1.0, comparison_verdicts, comparison_methods,
                                 comparison_dispersion),
        )
        if previous_population is not None and previous is not None and not disclosive(previous):
            fields["previous_rate"] = rate_per(previous, previous_population, per).value
            fields.update(previous_numerator=float(previous),
                          previous_denominator=_denominator(id, previous_population, previous_denominator))
    if disclosive(previous):
        note = (note + " " if note else "") + (
            f"The {previous_period} count is suppressed (fewer than {disclosure_threshold:,} {unit})."
        )
    return Metric(
        id=id,
        label=label,
        chapter=chapter,
        value=float(current),
        unit=unit,
        period=period,
        period_months=months_in_period(period),
        previous_value=None if previous is None or disclosive(previous) else float(previous),
        previous_period=previous_period,
        source=source,
        note=note,
        **_change_fields(change),
        **fields,
    )


def _checked(id: str, record: Denominator, given: Denominator | None) -> tuple[float, Denominator]:
    """The population of a ``record`` passed as the population, refusing another ``given`` record."""
    if given is not None and given != record:
        raise MetricsError(f"metric {id!r}: two denominators are given ({record.source}; {given.source})")
    return record.value, record


def _denominator(id: str, population: float, given: Denominator | None) -> Denominator:
    """``given`` when it is the population used (else MetricsError), or the bare population."""
    if given is None:
        return Denominator(value=float(population))
    if abs(given.value - float(population)) > 1e-9 * max(1.0, abs(float(population))):
        raise MetricsError(f"metric {id!r}: the denominator given ({given.value:,}) is not the population used ({population:,})")
    return given


def metric_from_rate(
    id: str,
    label: str,
    chapter: str,
    rate: Rate,
    period: str,
    source: str,
    *,
    previous: Rate | None = None,
    previous_period: str | None = None,
    comparators: Mapping[str, float | None] | None = None,
    unit: str | None = None,
    note: str | None = None,
    no_series: str | None = None,
    comparison_verdicts: Mapping[str, str] | None = None,
    comparison_methods: Mapping[str, str] | None = None,
    comparison_dispersion: Mapping[str, float] | None = None,
    decimals: int | None = None,
    denominator: Denominator | None = None,
    previous_denominator: Denominator | None = None,
) -> Metric:
    """A metric whose value is a crude rate (per ``rate.per``) with its confidence interval.

    The change uses :func:`assess.stats.change_in_rates` (the exact test of the two counts with
    the denominators as exposures: a rate's counts come with no monthly series here, and
    ``no_series`` says why, :data:`NO_SERIES` by default); ``comparators`` are rates per
    ``rate.per``, judged PHE-style unless ``comparison_verdicts`` are given. ``unit`` defaults to
    "per <per> population"; ``decimals`` the places the value is shown to (default one). The
    metric records ``numerator`` (``rate.count``) and ``denominator`` (``denominator``, whose
    value must be ``rate.denominator``, or the bare denominator when not given), and likewise
    ``previous_numerator`` and ``previous_denominator`` for ``previous``.
    """
    if previous is not None and previous_period is None:
        raise MetricsError(f"metric {id!r}: a previous rate needs previous_period")
    if previous is None:
        previous_period = None  # the period compared with is recorded only with its value
    change = None if previous is None else change_in_rates(previous, rate)
    fields = _change_fields(change)
    if change is not None:
        fields.update(dispersion=1.0, fallback_reason=no_series or NO_SERIES)
    return Metric(
        id=id,
        label=label,
        chapter=chapter,
        value=rate.value,
        unit=unit or f"per {rate.per:,} population",
        period=period,
        period_months=months_in_period(period),
        previous_value=None if previous is None else previous.value,
        previous_period=previous_period,
        interval=(rate.lower, rate.upper),
        source=source,
        note=note,
        decimals=decimals,
        numerator=float(rate.count),
        denominator=_denominator(id, rate.denominator, denominator),
        previous_numerator=None if previous is None else float(previous.count),
        previous_denominator=None if previous is None else _denominator(id, previous.denominator, previous_denominator),
        **_comparison_fields(rate, comparators, 1.0, comparison_verdicts, comparison_methods, comparison_dispersion),
        **fields,
    )


def metric_from_proportion(
    id: str,
    label: str,
    chapter: str,
    proportion: Proportion,
    period: str,
    source: str,
    *,
    previous: Proportion | None = None,
    previous_period: str | None = None,
    comparators: Mapping[str, float | None] | None = None,
    note: str | None = None,
) -> Metric:
    """A metric whose value is a percentage (0-100) with its Wilson interval (in percent).

    The change is in percentage points, ``change_absolute`` and ``change_percentage_points``
    (:func:`assess.stats.change_in_proportions`; ``change_percent`` stays None: a relative change
    of a percentage misleads); ``comparators`` are percentages too (e.g. ``{"England": 25.0}``).
    """
    if previous is not None and previous_period is None:
        raise MetricsError(f"metric {id!r}: a previous proportion needs previous_period")
    if previous is None:
        previous_period = None  # the period compared with is recorded only with its value
    change = None if previous is None else change_in_proportions(previous, proportion)
    return Metric(
        id=id,
        label=label,
        chapter=chapter,
        value=100.0 * proportion.value,
        unit="%",
        period=period,
        period_months=months_in_period(period),
        previous_value=None if previous is None else 100.0 * previous.value,
        previous_period=previous_period,
        interval=(100.0 * proportion.lower, 100.0 * proportion.upper),
        source=source,
        note=note,
        **_comparison_fields(proportion, comparators, 100.0, None, None, None),
        **_change_fields(change, scale=100.0),
    )


# --- the document -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _schema_text() -> str:
    return importlib.resources.files("assess.measure").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def load_metrics_schema() -> dict:
    """The JSON Schema (draft 2020-12) of ``metrics.json``, as shipped in the package."""
    return json.loads(_schema_text())


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    """The schema's Draft202012Validator (jsonschema is imported here: it is slow to import, and
    chapters that only build metrics never need it)."""
    import jsonschema

    schema = load_metrics_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _where(path: Sequence[Any]) -> str:
    text = "document"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def validate_metrics_document(doc: dict) -> None:
    """Raise MetricsError unless ``doc`` is a valid metrics document.

    Checks the JSON Schema, then what a schema cannot say: ids unique, and each metric's own
    consistency (interval contains the value, verdicts name given comparators, ...) via
    :class:`Metric`. The message lists every problem found (up to 20) with its location.
    """
    problems = [
        f"{_where(error.absolute_path)}: {error.message}"
        for error in sorted(_validator().iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    ]
    metrics = doc.get("metrics") if isinstance(doc, dict) else None
    if not problems and isinstance(metrics, list):
        seen: set[str] = set()
        for position, item in enumerate(metrics):
            if item["id"] in seen:
                problems.append(f"document.metrics[{position}].id: {item['id']!r} is used by another metric")
            seen.add(item["id"])
            try:
                Metric.model_validate(item)
            except ValidationError as exc:
                for error in exc.errors():
                    problems.append(f"document.metrics[{position}] ({item['id']}): {error['msg']}")
    if problems:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise MetricsError("metrics.json is not valid: " + "; ".join(shown) + more)


def _rounded(value: Any) -> Any:
    """Floats to 10 significant figures (monotonic), recursively, so the file does not depend on
    the last bits of a platform's floating point."""
    if isinstance(value, float):
        return float(f"{value:.10g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def metrics_document(
    metrics: Sequence[Metric],
    *,
    csp: str,
    csp_code: str,
    year: str,
    synthetic: bool,
    generated_by: str,
    inputs_sha256: str | None = None,
) -> dict:
    """The metrics document (meta + metrics sorted by id) as a JSON-ready dict, validated."""
    ids = [metric.id for metric in metrics]
    duplicates = sorted({metric_id for metric_id in ids if ids.count(metric_id) > 1})
    if duplicates:
        raise MetricsError(f"metric ids must be unique; repeated: {', '.join(duplicates)}")
    bare = [f"{m.id}{label} ({d.value:,.0f})" for m in metrics
            for label, d in (("", m.denominator), (", previous period", m.previous_denominator))
            if d is not None and not (d.source and d.period)]
    if bare:
        raise MetricsError(f"every rate names the estimate its denominator comes from (schema {SCHEMA_VERSION}), but these "
                           f"give a bare denominator, without its source or period: {', '.join(bare)}")
    doc = {
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "csp": csp,
            "csp_code": csp_code,
            "year": year,
            "synthetic": bool(synthetic),
            "generated_by": generated_by,
            "inputs_sha256": inputs_sha256,
            "notice": SYNTHETIC_LABEL if synthetic else OGL_ATTRIBUTION,
        },
        "metrics": [_rounded(m.model_dump(mode="json")) for m in sorted(metrics, key=lambda m: m.id)],
    }
    validate_metrics_document(doc)
    return doc


def dumps_metrics_document(doc: dict) -> str:
    """The deterministic JSON text of a document: sorted keys, two-space indent, final newline."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_metrics_json(
    metrics: Sequence[Metric],
    path: str | Path,
    *,
    csp: str,
    csp_code: str,
    year: str,
    synthetic: bool,
    generated_by: str,
    inputs_sha256: str | None = None,
) -> Path:
    """Validate the metrics against ``metrics.schema.json`` and write ``metrics.json`` atomically.

    Raises MetricsError (nothing written) for duplicate ids or a document that fails validation.
    """
    doc = metrics_document(
        metrics,
        csp=csp,
        csp_code=csp_code,
        year=year,
        synthetic=synthetic,
        generated_by=generated_by,
        inputs_sha256=inputs_sha256,
    )
    return write_text(path, dumps_metrics_document(doc))


def read_metrics_json(path: str | Path) -> tuple[dict, list[Metric]]:
    """Read and validate a ``metrics.json``: its meta block and its metrics."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MetricsError(f"{path}: cannot read metrics.json: {exc}") from exc
    validate_metrics_document(doc)
    return doc["meta"], [Metric.model_validate(item) for item in doc["metrics"]]
