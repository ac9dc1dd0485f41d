"""Funnel plots and benchmark comparisons between areas when rates vary more than chance allows.

Crime rates of CSPs differ for reasons no Poisson model holds (urban centres, night-time economy,
recording practice), so most CSPs lie outside Poisson funnel limits. Spiegelhalter's methods:

- Spiegelhalter DJ (2005a) "Handling over-dispersion of performance indicators", Qual Saf Health
  Care 14:347-351 (and its web appendix), and
- Spiegelhalter DJ (2005b) "Funnel plots for comparing institutional performance", Stat Med
  24:1185-1202 (section 6, over-dispersion), as used by PHE / APHO (APHO Technical Briefing 2,
  *Statistical process control methods in public health intelligence*, 2008; PHE Technical Guide:
  Funnel Plots, 2017) and the NHS-R FunnelPlotR package.

Steps, on the square-root scale that stabilises the Poisson variance (the transformation the
paper's appendix uses for counts): y_i = sqrt(r_i), r_i the rate per ``per``, target
sqrt(theta_0), within-area standard error s_i = sqrt(per / N_i) / 2, so the z-score
z_i = (y_i - sqrt(theta_0)) / s_i = 2 (sqrt(O_i) - sqrt(E_i)), E_i = theta_0 N_i / per.

1. Winsorise the z-scores: those below the ``winsor`` quantile are set to it, those above the
   1 - ``winsor`` quantile to that (10% each tail by default; 2005a appendix).
2. Overdispersion factor phi = (1/I) sum z_i^2 of the winsorised z-scores (I areas).
3. Test: I phi against chi-square on I - 1 df (the target being the national rate, estimated
   from the same areas; the I - 1 is also the expectation the paper's tau^2 estimator
   subtracts). Overdispersion is "detected" when P(chi-square(I - 1) >= I phi) < ``alpha``.
4. Adjustment, when detected (else the exact Poisson limits of :func:`assess.stats.funnel_limits`):
   - multiplicative: limits sqrt(theta_0) +/- z_p sqrt(phi) s_i, squared back;
   - additive random effects (the paper's preferred one, adopted by the Healthcare Commission):
     tau^2 = (I phi - (I - 1)) / (sum w_i - sum w_i^2 / sum w_i), w_i = 1 / s_i^2, floored at 0
     (the DerSimonian-Laird moment estimator, DerSimonian R, Laird N (1986) Control Clin Trials
     7:177-188), limits sqrt(theta_0) +/- z_p sqrt(s_i^2 + tau^2), squared back.

Units: rates per ``per`` residents; tau^2 in units of (rate per ``per``) on the square-root scale,
i.e. the between-area variance of sqrt(rate per ``per``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats._checks import (
    check_alpha,
    check_confidence,
    check_counts_array,
    check_finite,
    check_per,
    check_whole_array,
)

Adjustment = Literal["none", "multiplicative", "additive"]
ADJUSTMENTS: tuple[str, ...] = ("none", "multiplicative", "additive")

OVERDISPERSION_METHOD = (
    "Spiegelhalter (2005) over-dispersion: winsorised z-scores on the square-root scale, "
    "phi = mean z^2, chi-square test on I - 1 df, DerSimonian-Laird tau^2"
)


@dataclass(frozen=True)
class Overdispersion:
    """The between-area overdispersion of rates around a benchmark (Spiegelhalter 2005a).

    ``phi`` = (1/I) sum of squared winsorised z-scores (a ratio; 1 = Poisson); ``tau2`` the
    additive random-effects variance of sqrt(rate per ``per``) (0 when I phi <= I - 1);
    ``chi2`` = I phi, referred to chi-square on ``df`` = I - 1 (``p_value``); ``detected`` when
    ``p_value`` < ``alpha``. ``benchmark_rate`` and ``per`` are those of the estimate;
    ``winsor`` the fraction winsorised in each tail; ``n_areas`` = I.
    """

    phi: float
    tau2: float
    chi2: float
    df: int
    p_value: float
    detected: bool
    n_areas: int
    benchmark_rate: float
    per: int
    winsor: float
    alpha: float
    method: str = OVERDISPERSION_METHOD


def check_adjustment(adjustment: object) -> str:
    """``adjustment`` as one of "none", "multiplicative", "additive"."""
    if adjustment not in ADJUSTMENTS:
        raise StatisticsError(f"adjustment must be one of {', '.join(ADJUSTMENTS)}, not {adjustment!r}")
    return str(adjustment)


def _denominators(values: Sequence[float] | np.ndarray, name: str = "denominators") -> np.ndarray:
    sizes = check_counts_array(values, name)
    if (sizes <= 0).any():
        raise StatisticsError(f"every one of the {name} must be greater than zero (no zero populations)")
    return sizes


def _benchmark(benchmark_rate: object) -> float:
    value = check_finite(benchmark_rate, "benchmark_rate")
    if value <= 0:
        raise StatisticsError(f"benchmark_rate must be greater than zero, not {benchmark_rate!r}")
    return value


def sqrt_z_scores(counts: np.ndarray, denominators: np.ndarray, benchmark_rate: float, per: int) -> np.ndarray:
    """z_i = 2 (sqrt(O_i) - sqrt(E_i)), E_i = benchmark_rate * N_i / per: the standardised
    difference of sqrt(rate) from sqrt(benchmark) (Spiegelhalter 2005a, appendix). Unitless."""
    expected = benchmark_rate * denominators / per
    return 2.0 * (np.sqrt(counts) - np.sqrt(expected))


def winsorise(z: np.ndarray, fraction: float) -> np.ndarray:
    """Set z-scores below the ``fraction`` quantile to it and above the 1 - ``fraction`` quantile
    to that (Spiegelhalter 2005a appendix: the number of z-scores is kept; quantiles by linear
    interpolation, R's type 7)."""
    if fraction == 0.0:
        return z.copy()
    low, high = np.quantile(z, [fraction, 1.0 - fraction])
    return np.clip(z, low, high)


def estimate_overdispersion(
    counts: Sequence[int] | np.ndarray,
    denominators: Sequence[float] | np.ndarray,
    benchmark_rate: float,
    per: int = 1000,
    *,
    winsor: float = 0.1,
    alpha: float = 0.05,
) -> Overdispersion:
    """Estimate how much areas' rates vary around ``benchmark_rate`` beyond Poisson chance.

    ``counts`` (events) and ``denominators`` (residents) of each area, ``benchmark_rate`` per
    ``per`` (e.g. England's crimes per 1,000). Spiegelhalter (2005a): z-scores on the square-root
    scale, winsorised (``winsor`` in each tail, 0.1 by default), phi = mean z^2, test I phi against
    chi-square(I - 1) at ``alpha``, tau^2 by the DerSimonian-Laird moment estimator (module
    docstring). Raises StatisticsError for fewer than three areas, counts and denominators of
    different lengths, bad values, or ``winsor`` outside [0, 0.5).
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it

    observed = check_whole_array(counts, "counts").astype("float64")
    sizes = _denominators(denominators)
    if observed.size != sizes.size:
        raise StatisticsError(f"{observed.size} counts for {sizes.size} denominators; give one of each per area")
    if observed.size < 3:
        raise StatisticsError(f"an overdispersion estimate needs at least 3 areas; {observed.size} given")
    multiplier = check_per(per)
    target = _benchmark(benchmark_rate)
    level = check_alpha(alpha)
    fraction = check_finite(winsor, "winsor")
    if not 0.0 <= fraction < 0.5:
        raise StatisticsError(f"winsor is the fraction set back in each tail, from 0 to below 0.5, not {winsor!r}")
    n = observed.size
    z = winsorise(sqrt_z_scores(observed, sizes, target, multiplier), fraction)
    phi = float(np.mean(z**2))
    weights = 4.0 * sizes / multiplier  # 1 / s_i^2
    spread = float(weights.sum() - (weights**2).sum() / weights.sum())
    tau2 = max(0.0, (n * phi - (n - 1)) / spread) if spread > 0 else 0.0
    p_value = float(_st.chi2.sf(n * phi, n - 1))
    return Overdispersion(
        phi=phi, tau2=tau2, chi2=n * phi, df=n - 1, p_value=p_value, detected=bool(p_value < level),
        n_areas=n, benchmark_rate=target, per=multiplier, winsor=fraction, alpha=level,
    )


def applied_adjustment(overdispersion: Overdispersion, adjustment: str) -> str:
    """The adjustment actually applied: the one asked for if overdispersion was detected, else
    "none" (Spiegelhalter 2005a: without evidence of over-dispersion the Poisson limits stand)."""
    asked = check_adjustment(adjustment)
    if asked == "none" or not overdispersion.detected:
        return "none"
    if asked == "additive" and overdispersion.tau2 <= 0.0:
        return "none"
    return asked


def sqrt_scale_sd(denominators: np.ndarray, overdispersion: Overdispersion, applied: str, per: int) -> np.ndarray:
    """Standard deviation of sqrt(rate per ``per``) for each denominator under the adjustment."""
    within = per / (4.0 * denominators)  # s_i^2
    if applied == "multiplicative":
        return np.sqrt(overdispersion.phi * within)
    if applied == "additive":
        return np.sqrt(within + overdispersion.tau2 * per / overdispersion.per)
    return np.sqrt(within)


def overdispersed_funnel_limits(
    denominators: Sequence[float] | np.ndarray,
    benchmark_rate: float,
    overdispersion: Overdispersion,
    per: int = 1000,
    *,
    adjustment: Adjustment = "additive",
    levels: Sequence[float] = (0.95, 0.998),
) -> pd.DataFrame:
    """Funnel limits around ``benchmark_rate`` (per ``per``), widened for overdispersion.

    When ``overdispersion.detected`` and ``adjustment`` is "multiplicative" or "additive": the
    limits (sqrt(theta_0) -/+ z_p sd_i)^2, sd_i = sqrt(phi) s_i or sqrt(s_i^2 + tau^2), the lower
    clipped at 0 before squaring (Spiegelhalter 2005a). Otherwise the exact Poisson limits of
    :func:`assess.stats.funnel_limits` (Spiegelhalter 2005b). Same columns as ``funnel_limits``
    (``denominator``, ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998``); the adjustment
    applied is in ``DataFrame.attrs["adjustment"]``.
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it

    from assess.stats.compare import funnel_limits, level_label

    sizes = _denominators(denominators)
    multiplier = check_per(per)
    target = _benchmark(benchmark_rate)
    if not isinstance(overdispersion, Overdispersion):
        raise StatisticsError(f"overdispersion must be an Overdispersion (estimate_overdispersion), not {overdispersion!r}")
    labels = [level_label(check_confidence(level)) for level in levels]
    if len(set(labels)) != len(labels):
        raise StatisticsError(f"levels repeat a confidence level: {list(levels)}")
    applied = applied_adjustment(overdispersion, adjustment)
    if applied == "none":
        table = funnel_limits(sizes, target, multiplier, levels)
    else:
        sd = sqrt_scale_sd(sizes, overdispersion, applied, multiplier)
        columns: dict[str, np.ndarray] = {"denominator": sizes}
        for level, label in zip(levels, labels, strict=True):
            z = float(_st.norm.ppf(1.0 - (1.0 - float(level)) / 2.0))
            columns[f"lower_{label}"] = np.maximum(math.sqrt(target) - z * sd, 0.0) ** 2
            columns[f"upper_{label}"] = (math.sqrt(target) + z * sd) ** 2
        table = pd.DataFrame(columns)
    table.attrs["adjustment"] = applied
    return table
