"""Comparing an area with a benchmark (England, the force) and with a group of similar areas.

Sources:

- Benchmarking by confidence interval, as PHE's Fingertips does: a value is "significantly higher"
  when its whole confidence interval lies above the benchmark, "significantly lower" when it lies
  below, else "similar" (PHE / OHID *Technical Guide: Confidence Intervals*; Fingertips
  "Compared with benchmark"). The benchmark is taken as fixed (its own uncertainty ignored).
- Funnel plot control limits: Spiegelhalter DJ (2005) "Funnel plots for comparing institutional
  performance", Stat Med 24:1185-1202 -- exact Poisson quantiles around the benchmark, with the
  interpolation of his Appendix for discrete data so the limits are smooth in the denominator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats._checks import check_confidence, check_finite, check_per
from assess.stats.intervals import Proportion, Rate, rate_per

ComparisonVerdict = Literal["significantly higher", "significantly lower", "similar"]

BENCHMARK_METHOD = "benchmark outside the confidence interval (PHE Technical Guide: Confidence Intervals)"


@dataclass(frozen=True)
class Comparison:
    """A value against a benchmark in the same unit (a rate per ``per``, or a fraction 0..1).

    ``lower``/``upper`` are the value's confidence limits at ``confidence``.
    """

    value: float
    benchmark: float
    verdict: ComparisonVerdict
    lower: float
    upper: float
    confidence: float
    method: str = BENCHMARK_METHOD


def compare_with_benchmark(rate: Rate | Proportion, benchmark: float) -> Comparison:
    """Compare a rate (per ``rate.per``) or proportion (fraction 0..1) with a benchmark value.

    "significantly higher" if ``rate.lower > benchmark``, "significantly lower" if
    ``rate.upper < benchmark``, otherwise "similar" (PHE).
    """
    level = check_finite(benchmark, "benchmark")
    if level < 0:
        raise StatisticsError(f"benchmark is negative ({benchmark!r}); a rate or proportion cannot be")
    if isinstance(rate, Proportion) and level > 1:
        raise StatisticsError(
            f"benchmark {benchmark!r} exceeds 1; give a proportion's benchmark as a fraction (0.25 for 25%)"
        )
    if not isinstance(rate, (Rate, Proportion)):
        raise StatisticsError(f"compare_with_benchmark needs a Rate or Proportion, not {type(rate).__name__}")
    if rate.lower > level:
        verdict: ComparisonVerdict = "significantly higher"
    elif rate.upper < level:
        verdict = "significantly lower"
    else:
        verdict = "similar"
    return Comparison(
        value=rate.value,
        benchmark=level,
        verdict=verdict,
        lower=rate.lower,
        upper=rate.upper,
        confidence=rate.confidence,
    )


@dataclass
class GroupComparison:
    """Where ``focus`` stands in a group of areas (e.g. its most similar group of CSPs).

    ``rank`` counts from 1 = highest rate (or lowest, if ``highest_is_rank_1`` is False; ties
    share the best rank); ``group_mean`` is the unweighted mean of the areas' rates and
    ``group_rate`` the pooled rate (sum of counts / sum of denominators * ``per``), both including
    the focus area. ``verdict`` compares the focus rate with ``group_rate`` (PHE benchmarking).
    ``table`` has one row per area: area, count, denominator, rate, lower, upper, rank, is_focus,
    sorted by rank then area.
    """

    focus: str
    rank: int
    n: int
    group_mean: float
    group_rate: float
    verdict: ComparisonVerdict
    table: pd.DataFrame
    rate: Rate
    comparison: Comparison
    per: int
    highest_is_rank_1: bool


def compare_with_group(
    counts: Mapping[str, int],
    denominators: Mapping[str, float],
    focus: str,
    per: int = 1000,
    highest_is_rank_1: bool = True,
    confidence: float = 0.95,
) -> GroupComparison:
    """Rank ``focus`` among the areas of ``counts`` by rate per ``per`` and compare it with the group.

    Every area needs a count and a denominator (raises StatisticsError naming the areas that
    lack one); the group must hold at least two areas including ``focus``. Rates and limits come
    from :func:`assess.stats.intervals.rate_per` (PHE rule: exact below 10, Byar's from 10).
    """
    multiplier = check_per(per)
    level = check_confidence(confidence)
    keys = list(counts)
    names = {key: str(key) for key in keys}
    if len(set(names.values())) != len(keys):
        raise StatisticsError("two areas in counts have the same name")
    missing = sorted(names[key] for key in keys if key not in denominators)
    extra = sorted(str(key) for key in denominators if key not in counts)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"no denominator for {', '.join(missing)}")
        if extra:
            parts.append(f"no count for {', '.join(extra)}")
        raise StatisticsError("counts and denominators must name the same areas: " + "; ".join(parts))
    focus_key = next((key for key in keys if key == focus or names[key] == str(focus)), None)
    if focus_key is None:
        raise StatisticsError(
            f"focus area '{focus}' is not among the areas compared ({', '.join(sorted(names.values()))})"
        )
    if len(keys) < 2:
        raise StatisticsError("a group comparison needs at least two areas")

    rates: dict[str, Rate] = {}
    for key in keys:
        try:
            rates[names[key]] = rate_per(counts[key], denominators[key], multiplier, level)
        except StatisticsError as exc:
            raise StatisticsError(f"area '{names[key]}': {exc}") from exc
    areas = [names[key] for key in keys]
    focus = names[focus_key]

    table = pd.DataFrame(
        {
            "area": pd.array(areas, dtype="string"),
            "count": np.array([rates[a].count for a in areas], dtype="int64"),
            "denominator": np.array([rates[a].denominator for a in areas], dtype="float64"),
            "rate": np.array([rates[a].value for a in areas], dtype="float64"),
            "lower": np.array([rates[a].lower for a in areas], dtype="float64"),
            "upper": np.array([rates[a].upper for a in areas], dtype="float64"),
        }
    )
    table["rank"] = table["rate"].rank(method="min", ascending=not highest_is_rank_1).astype("int64")
    table["is_focus"] = table["area"] == focus
    table["is_focus"] = table["is_focus"].astype("bool")
    table = table.sort_values(["rank", "area"], kind="stable").reset_index(drop=True)

    group_rate = float(table["count"].sum() / table["denominator"].sum() * multiplier)
    focus_rate = rates[focus]
    comparison = compare_with_benchmark(focus_rate, group_rate)
    return GroupComparison(
        focus=focus,
        rank=int(table.loc[table["is_focus"], "rank"].iloc[0]),
        n=len(areas),
        group_mean=float(table["rate"].mean()),
        group_rate=group_rate,
        verdict=comparison.verdict,
        table=table,
        rate=focus_rate,
        comparison=comparison,
        per=multiplier,
        highest_is_rank_1=highest_is_rank_1,
    )


def level_label(level: float) -> str:
    """Column suffix of a confidence level: 0.95 -> ``"95"``, 0.998 -> ``"998"``."""
    return f"{round(level * 100, 6):g}".replace(".", "")


def poisson_control_limit(expected: np.ndarray, p: float) -> np.ndarray:
    """The ``p`` quantile of Poisson(``expected``), interpolated to a continuous count.

    Spiegelhalter (2005), Appendix: with r the smallest integer such that P(Y <= r) >= p,
    alpha = (P(Y <= r) - p) / (P(Y <= r) - P(Y <= r - 1)) and the limit is r - alpha (floored
    at 0). Units: events. An expected count of 0 gives 0.
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it
    mu = np.asarray(expected, dtype="float64")
    out = np.zeros_like(mu)
    positive = mu > 0
    m = mu[positive]
    r = _st.poisson.ppf(p, m)
    upper_cdf = _st.poisson.cdf(r, m)
    lower_cdf = _st.poisson.cdf(r - 1, m)
    alpha = (upper_cdf - p) / (upper_cdf - lower_cdf)
    out[positive] = np.maximum(r - alpha, 0.0)
    return out


def funnel_limits(
    denominators: Sequence[float] | np.ndarray,
    benchmark_rate: float,
    per: int = 1000,
    levels: Sequence[float] = (0.95, 0.998),
) -> pd.DataFrame:
    """Funnel plot control limits around ``benchmark_rate`` (per ``per``) for each denominator.

    For denominator N the expected count is ``benchmark_rate / per * N``; the limits are the
    (1 -/+ level)/2 quantiles of a Poisson with that mean (Spiegelhalter 2005, exact with
    interpolation), divided by N and scaled by ``per``. Columns: ``denominator`` then
    ``lower_<level>``, ``upper_<level>`` for each level (``lower_95``, ``upper_95``,
    ``lower_998``, ``upper_998`` by default), in the order of ``denominators``.
    """
    multiplier = check_per(per)
    benchmark = check_finite(benchmark_rate, "benchmark_rate")
    if benchmark < 0:
        raise StatisticsError(f"benchmark_rate is negative ({benchmark_rate!r})")
    try:
        sizes = np.asarray(denominators, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise StatisticsError(f"denominators must be numbers: {exc}") from exc
    if sizes.ndim != 1:
        raise StatisticsError("denominators must be a flat list of numbers")
    if np.isnan(sizes).any() or np.isinf(sizes).any() or (sizes <= 0).any():
        raise StatisticsError("every denominator must be a finite number greater than zero (no NaN, no zeros)")
    labels = [level_label(check_confidence(level)) for level in levels]
    if len(set(labels)) != len(labels):
        raise StatisticsError(f"levels repeat a confidence level: {list(levels)}")
    expected = benchmark / multiplier * sizes
    columns: dict[str, np.ndarray] = {"denominator": sizes}
    for level, label in zip(levels, labels, strict=True):
        tail = (1.0 - float(level)) / 2.0
        columns[f"lower_{label}"] = poisson_control_limit(expected, tail) / sizes * multiplier
        columns[f"upper_{label}"] = poisson_control_limit(expected, 1.0 - tail) / sizes * multiplier
    return pd.DataFrame(columns)


def funnel_position(
    count: int, denominator: float, benchmark_rate: float, per: int = 1000, level: float = 0.998
) -> Literal["above", "below", "within"]:
    """Whether an area's rate lies above, below or within the funnel limits at ``level``."""
    observed = rate_per(count, denominator, per).value
    limits = funnel_limits([denominator], benchmark_rate, per, (level,)).iloc[0]
    label = level_label(level)
    if observed > limits[f"upper_{label}"]:
        return "above"
    if observed < limits[f"lower_{label}"]:
        return "below"
    return "within"

