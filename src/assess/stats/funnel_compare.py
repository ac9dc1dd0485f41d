"""Where each area lies in an overdispersion-aware funnel plot, and one area against a benchmark.

Method: Spiegelhalter DJ (2005) "Handling over-dispersion of performance indicators", Qual Saf
Health Care 14:347-351, and Spiegelhalter DJ (2005) "Funnel plots for comparing institutional
performance", Stat Med 24:1185-1202; the estimate and the limits are those of
:mod:`assess.stats.overdispersed_funnel`. An area is "above" a limit when its rate exceeds the
limit at its own population (on the limit counts as inside, as :func:`assess.stats.funnel_position`
has it), so the positions always agree with the plotted funnel.

With the additive (random-effects) adjustment the question answered is "is this area unusual
among areas like these?", not "does its underlying rate differ from the benchmark?": an area a
typical between-area distance above England is "similar".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats._checks import check_confidence, check_count, check_per, check_positive
from assess.stats.compare import Comparison, ComparisonVerdict, compare_with_benchmark, level_label
from assess.stats.intervals import rate_per
from assess.stats.overdispersed_funnel import (
    Adjustment,
    Overdispersion,
    _benchmark,
    applied_adjustment,
    estimate_overdispersion,
    overdispersed_funnel_limits,
    sqrt_scale_sd,
    sqrt_z_scores,
)

FUNNEL_METHOD_ID = {
    "none": "funnel-exact-poisson",
    "multiplicative": "funnel-overdispersed-multiplicative",
    "additive": "funnel-overdispersed-additive-random-effects",
}
FUNNEL_METHOD = {
    "none": "exact Poisson funnel limits (Spiegelhalter 2005, Stat Med 24:1185-1202)",
    "multiplicative": "funnel limits widened by sqrt(phi), winsorised phi (Spiegelhalter 2005, QSHC 14:347-351)",
    "additive": "funnel limits with a DerSimonian-Laird random effect, tau^2 from winsorised phi "
    "(Spiegelhalter 2005, QSHC 14:347-351)",
}


def percent_label(level: float) -> str:
    """0.998 -> ``"99.8%"``, 0.95 -> ``"95%"``."""
    return f"{round(level * 100, 6):g}%"


@dataclass
class FunnelAssessment:
    """Every area's place in the funnel around ``benchmark_rate`` (per ``per``).

    ``table``: one row per area (in the order given) with area, count, denominator, rate (per
    ``per``), z (Poisson z-score on the square-root scale), z_adjusted (under the adjustment
    applied), the limits at the area's denominator (``lower_95``, ``upper_95``, ``lower_998``,
    ``upper_998``) and ``position``: "above 99.8%", "above 95%", "within", "below 95%" or
    "below 99.8%" (the widest limit crossed). ``outside`` lists the areas beyond each limit,
    keyed ``above_95``, ``above_998``, ``below_95``, ``below_998`` (an area above 99.8% is also
    above 95%). ``adjustment_applied`` is "none" unless overdispersion was detected.
    """

    table: pd.DataFrame
    outside: dict[str, list[str]]
    overdispersion: Overdispersion
    adjustment_requested: str
    adjustment_applied: str
    benchmark_rate: float
    per: int
    levels: tuple[float, ...]
    method: str = ""
    method_id: str = ""

    def limits(self, denominators: Sequence[float] | np.ndarray) -> pd.DataFrame:
        """Limits over any denominators (e.g. a grid to draw the funnel), by the same rule."""
        return overdispersed_funnel_limits(denominators, self.benchmark_rate, self.overdispersion, self.per,
                                           adjustment=self.adjustment_requested, levels=self.levels)  # type: ignore[arg-type]

    def plot_data(self, *, stretch: float = 1.2, steps: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
        """What a funnel plot draws: the areas (area, denominator, rate, count, position) and the
        limits over a geometric grid of denominators from 0.8 x the smallest area's (at least 1)
        to ``stretch`` x the largest's."""
        t = self.table
        points = pd.DataFrame(
            {
                "area": t["area"].astype(str).to_numpy(),
                "denominator": t["denominator"].to_numpy(dtype="float64"),
                "rate": t["rate"].to_numpy(dtype="float64"),
                "count": t["count"].to_numpy(dtype="int64"),
                "position": t["position"].astype(str).to_numpy(),
            }
        )
        lo, hi = float(points["denominator"].min()), float(points["denominator"].max())
        return points, self.limits(np.geomspace(max(lo * 0.8, 1.0), hi * stretch, steps))


def funnel_assessment(
    counts: Mapping[str, int],
    denominators: Mapping[str, float],
    benchmark_rate: float,
    per: int = 1000,
    *,
    adjustment: Adjustment = "additive",
    levels: Sequence[float] = (0.95, 0.998),
    winsor: float = 0.1,
    alpha: float = 0.05,
    overdispersion: Overdispersion | None = None,
) -> FunnelAssessment:
    """Place every area of ``counts`` in the funnel around ``benchmark_rate``, allowing for overdispersion.

    ``counts`` (events) and ``denominators`` (residents) by area name; ``benchmark_rate`` per
    ``per``. The overdispersion is estimated from these areas (winsorised ``winsor`` each tail,
    tested at ``alpha``) unless ``overdispersion`` is given; ``adjustment`` ("additive", the
    paper's preference, "multiplicative" or "none") is applied only when it is detected. Raises
    StatisticsError when the areas of counts and denominators differ or a value is impossible.
    """
    multiplier = check_per(per)
    target = _benchmark(benchmark_rate)
    names = [str(key) for key in counts]
    if len(set(names)) != len(names):
        raise StatisticsError("two areas in counts have the same name")
    missing = sorted(set(names) - {str(k) for k in denominators})
    extra = sorted({str(k) for k in denominators} - set(names))
    if missing or extra:
        raise StatisticsError(
            "counts and denominators must name the same areas: "
            + "; ".join([*([f"no denominator for {', '.join(missing)}"] if missing else []),
                         *([f"no count for {', '.join(extra)}"] if extra else [])])
        )
    by_name = {str(k): v for k, v in denominators.items()}
    observed = np.array([check_count(counts[k], f"count of {k}") for k in counts], dtype="float64")
    sizes = np.array([check_positive(by_name[n], f"denominator of {n}") for n in names], dtype="float64")
    level_list = tuple(check_confidence(level) for level in levels)
    od = overdispersion or estimate_overdispersion(observed, sizes, target, multiplier, winsor=winsor, alpha=alpha)
    applied = applied_adjustment(od, adjustment)
    limits = overdispersed_funnel_limits(sizes, target, od, multiplier, adjustment=adjustment, levels=level_list)
    rate = observed / sizes * multiplier
    z = sqrt_z_scores(observed, sizes, target, multiplier)
    sd = sqrt_scale_sd(sizes, od, applied, multiplier)
    table = pd.DataFrame({
        "area": pd.array(names, dtype="string"), "count": observed.astype("int64"), "denominator": sizes,
        "rate": rate, "z": z, "z_adjusted": (np.sqrt(rate) - math.sqrt(target)) / sd,
    })
    for column in limits.columns[1:]:
        table[column] = limits[column].to_numpy()
    position = np.full(len(names), "within", dtype=object)
    outside: dict[str, list[str]] = {}
    for level in sorted(level_list, reverse=True):  # widest first: an area takes the widest limit it crosses
        label = level_label(level)
        above, below = rate > table[f"upper_{label}"].to_numpy(), rate < table[f"lower_{label}"].to_numpy()
        position[above & (position == "within")] = f"above {percent_label(level)}"
        position[below & (position == "within")] = f"below {percent_label(level)}"
        outside[f"above_{label}"] = [n for n, hit in zip(names, above, strict=True) if hit]
        outside[f"below_{label}"] = [n for n, hit in zip(names, below, strict=True) if hit]
    table["position"] = pd.array(position.tolist(), dtype="string")
    return FunnelAssessment(
        table=table, outside=outside, overdispersion=od, adjustment_requested=str(adjustment),
        adjustment_applied=applied, benchmark_rate=target, per=multiplier, levels=level_list,
        method=FUNNEL_METHOD[applied], method_id=FUNNEL_METHOD_ID[applied],
    )


@dataclass(frozen=True)
class DispersedComparison(Comparison):
    """A :class:`Comparison` with the between-area overdispersion allowed for.

    ``lower``/``upper`` are the value's limits at ``confidence`` widened by the adjustment
    applied (``adjustment``: "none" when overdispersion was not detected, and then they are the
    exact Poisson limits); ``z``/``z_adjusted`` the square-root-scale z-scores against the
    benchmark before and after; ``phi``, ``tau2`` those of the estimate used.
    """

    adjustment: str = "none"
    z: float = 0.0
    z_adjusted: float = 0.0
    phi: float = 1.0
    tau2: float = 0.0
    method_id: str = ""


def compare_with_benchmark_overdispersed(
    count: int,
    denominator: float,
    benchmark_rate: float,
    overdispersion: Overdispersion,
    per: int = 1000,
    *,
    adjustment: Adjustment = "additive",
    confidence: float = 0.95,
) -> DispersedComparison:
    """Compare an area's rate with a benchmark (England) given the spread of areas around it.

    ``overdispersion``: the between-area estimate (:func:`estimate_overdispersion` over the CSPs of
    England, or :attr:`FunnelAssessment.overdispersion`). When it was detected the value's
    interval on the square-root scale, sqrt(r) -/+ z sd with sd = sqrt(phi) s (multiplicative) or
    sqrt(s^2 + tau^2) (additive), is squared back, and the verdict is PHE's: "significantly
    higher" when the whole interval lies above the benchmark (equivalently: outside the
    overdispersed funnel at ``confidence``; Spiegelhalter 2005, QSHC 14:347-351). Otherwise the
    exact Poisson comparison of :func:`assess.stats.compare_with_benchmark`. Units: per ``per``.
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it

    observed = check_count(count, "count")
    size = check_positive(denominator, "denominator")
    target = _benchmark(benchmark_rate)
    multiplier = check_per(per)
    level = check_confidence(confidence)
    if not isinstance(overdispersion, Overdispersion):
        raise StatisticsError(f"overdispersion must be an Overdispersion (estimate_overdispersion), not {overdispersion!r}")
    applied = applied_adjustment(overdispersion, adjustment)
    sizes = np.array([size])
    z = float(sqrt_z_scores(np.array([float(observed)]), sizes, target, multiplier)[0])
    sd = float(sqrt_scale_sd(sizes, overdispersion, applied, multiplier)[0])
    rate = observed / size * multiplier
    common = {"adjustment": applied, "z": z, "z_adjusted": (math.sqrt(rate) - math.sqrt(target)) / sd,
              "phi": overdispersion.phi, "tau2": overdispersion.tau2, "method_id": FUNNEL_METHOD_ID[applied]}
    if applied == "none":
        plain = compare_with_benchmark(rate_per(observed, size, multiplier, level), target)
        return DispersedComparison(plain.value, plain.benchmark, plain.verdict, plain.lower, plain.upper,
                                   plain.confidence, plain.method, **common)  # type: ignore[arg-type]
    half = float(_st.norm.ppf(1.0 - (1.0 - level) / 2.0)) * sd
    lower, upper = max(math.sqrt(rate) - half, 0.0) ** 2, (math.sqrt(rate) + half) ** 2
    verdict: ComparisonVerdict = "similar"
    if lower > target:
        verdict = "significantly higher"
    elif upper < target:
        verdict = "significantly lower"
    return DispersedComparison(rate, target, verdict, lower, upper, level, FUNNEL_METHOD[applied], **common)  # type: ignore[arg-type]
