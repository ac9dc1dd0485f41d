"""Confidence intervals for counts, rates and proportions, as Public Health England publishes them.

Sources:

- PHE / OHID, *Technical Guide: Confidence Intervals* (Fingertips guidance, 2018), and its
  reference implementation, the R package PHEindicatormethods (``phe_rate``, ``byars_lower``,
  ``byars_upper``, ``phe_proportion``).
- Byar's approximation to the exact Poisson limits: Breslow NE, Day NE, *Statistical Methods in
  Cancer Research, vol. II* (IARC, 1987), p. 69.
- Exact Poisson limits from the chi-square distribution: Armitage P, Berry G, Matthews JNS,
  *Statistical Methods in Medical Research*, 4th edn (Blackwell, 2002).
- Wilson EB (1927) "Probable inference, the law of succession, and statistical inference",
  JASA 22:209-212; Newcombe RG (1998) "Two-sided confidence intervals for the single proportion",
  Stat Med 17:857-872.

Method choice for counts (``poisson_interval(..., method="byar")``, the default everywhere):
PHE's rule as ``phe_rate`` implements it -- the exact limits for counts below 10, where Byar's
approximation is poor (for a count of 1 it gives 0.013 against the exact 0.025), and Byar's
method for counts of 10 or more, where it agrees with the exact limits to better than 1%.
``method="exact"`` gives the exact (chi-square / gamma) limits for every count.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

from assess.errors import StatisticsError
from assess.stats._checks import (
    check_confidence,
    check_count,
    check_non_negative,
    check_per,
    check_positive,
)

#: Below this count ``method="byar"`` uses the exact limits, as PHE's ``phe_rate`` does.
BYAR_MINIMUM_COUNT = 10

PoissonMethod = Literal["byar", "exact"]


@dataclass(frozen=True)
class Rate:
    """A crude rate: ``count`` events per ``per`` of ``denominator`` (population, households...).

    ``value``, ``lower`` and ``upper`` are in the same unit, e.g. crimes per 1,000 residents;
    ``lower``/``upper`` are the ``confidence`` limits from :func:`poisson_interval`.
    """

    count: int
    denominator: float
    per: int
    value: float
    lower: float
    upper: float
    method: str
    confidence: float = 0.95


@dataclass(frozen=True)
class Proportion:
    """``successes`` out of ``n``; ``value``, ``lower`` and ``upper`` are fractions from 0 to 1.

    ``lower``/``upper`` are the Wilson score limits at ``confidence``.
    """

    successes: float
    n: float
    value: float
    lower: float
    upper: float
    confidence: float = 0.95
    method: str = "Wilson score interval (Wilson 1927; PHE Technical Guide: Confidence Intervals)"


@functools.lru_cache(maxsize=64)
def _z(confidence: float) -> float:
    """The standard normal quantile for a two-sided interval (1.959964 for 95%); cached, as every
    interval asks for the same one."""
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it
    return float(_st.norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def exact_poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) limits on a Poisson count from the chi-square distribution.

    lower = chi2(alpha/2; 2O) / 2, upper = chi2(1 - alpha/2; 2(O + 1)) / 2 (Armitage & Berry),
    the lower limit being 0 when O = 0. Units: events.
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it
    observed = check_count(count, "count")
    level = check_confidence(confidence)
    alpha = 1.0 - level
    lower = 0.0 if observed == 0 else float(_st.chi2.ppf(alpha / 2.0, 2 * observed) / 2.0)
    upper = float(_st.chi2.ppf(1.0 - alpha / 2.0, 2 * (observed + 1)) / 2.0)
    return lower, upper


def byar_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson limits (Breslow & Day 1987), for any count.

    lower = O (1 - 1/(9O) - z/(3 sqrt O))^3, upper = (O+1) (1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3;
    the lower limit is 0 when O = 0 (and floored at 0 for very small counts at high confidence).
    Units: events. Prefer :func:`poisson_interval`, which applies PHE's rule for small counts.
    """
    observed = check_count(count, "count")
    z = _z(check_confidence(confidence))
    if observed == 0:
        lower = 0.0
    else:
        lower = observed * (1.0 - 1.0 / (9.0 * observed) - z / (3.0 * math.sqrt(observed))) ** 3
    o1 = observed + 1
    upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * math.sqrt(o1))) ** 3
    return max(lower, 0.0), upper


def poisson_interval(
    count: int, confidence: float = 0.95, method: PoissonMethod = "byar"
) -> tuple[float, float]:
    """Confidence limits on an observed count of events (units: events).

    ``method="byar"`` (default) follows PHE (``phe_rate``): exact limits for counts below 10,
    Byar's approximation from 10 upwards. ``method="exact"``: exact chi-square limits throughout.
    """
    observed = check_count(count, "count")
    if method == "exact" or (method == "byar" and observed < BYAR_MINIMUM_COUNT):
        return exact_poisson_interval(observed, confidence)
    if method == "byar":
        return byar_interval(observed, confidence)
    raise StatisticsError(f"method must be 'byar' or 'exact', not {method!r}")


def poisson_method_label(count: int, method: PoissonMethod = "byar") -> str:
    """A short description of the limits :func:`poisson_interval` uses for ``count``."""
    if method == "exact" or count < BYAR_MINIMUM_COUNT:
        return "exact Poisson limits (chi-square; PHE Technical Guide: Confidence Intervals)"
    return "Byar's method (Breslow & Day 1987; PHE Technical Guide: Confidence Intervals)"


def rate_per(
    count: int,
    denominator: float,
    per: int = 1000,
    confidence: float = 0.95,
    *,
    method: PoissonMethod = "byar",
) -> Rate:
    """The crude rate ``count / denominator * per`` with Poisson confidence limits.

    The limits on the count (:func:`poisson_interval`) are divided by the denominator and scaled,
    as PHE does for crude rates. Raises StatisticsError for a negative or fractional count, and a
    zero, negative or missing denominator.
    """
    observed = check_count(count, "count")
    population = check_positive(denominator, "denominator (population)")
    multiplier = check_per(per)
    level = check_confidence(confidence)
    low, high = poisson_interval(observed, level, method)
    scale = multiplier / population
    return Rate(
        count=observed,
        denominator=population,
        per=multiplier,
        value=observed * scale,
        lower=low * scale,
        upper=high * scale,
        method=poisson_method_label(observed, method),
        confidence=level,
    )


def rate_per_1000(count: int, population: float, confidence: float = 0.95) -> Rate:
    """Crude rate per 1,000 population with PHE confidence limits (see :func:`rate_per`)."""
    return rate_per(count, population, 1000, confidence)


def rate_per_100000(count: int, population: float, confidence: float = 0.95) -> Rate:
    """Crude rate per 100,000 population with PHE confidence limits (see :func:`rate_per`)."""
    return rate_per(count, population, 100_000, confidence)


def _check_proportion_input(successes: float, n: float) -> tuple[float, float]:
    total = check_positive(n, "n (the denominator of the proportion)")
    part = check_non_negative(successes, "successes")
    if part > total:
        raise StatisticsError(f"successes ({successes!r}) exceed n ({n!r}); a proportion cannot exceed 1")
    return part, total


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score limits for a proportion, as fractions from 0 to 1.

    lower, upper = (2np + z^2 -/+ z sqrt(z^2 + 4npq)) / (2(n + z^2)), q = 1 - p (PHE Technical Guide:
    Confidence Intervals; Newcombe 1998 method 3). Exact at the ends: lower = 0 when p = 0 and
    upper = 1 when p = 1.
    """
    part, total = _check_proportion_input(successes, n)
    z = _z(check_confidence(confidence))
    p = part / total
    q = 1.0 - p
    centre = 2.0 * total * p + z * z
    spread = z * math.sqrt(z * z + 4.0 * total * p * q)
    denominator = 2.0 * (total + z * z)
    lower = 0.0 if part == 0 else (centre - spread) / denominator
    upper = 1.0 if part == total else (centre + spread) / denominator
    return min(max(lower, 0.0), p), max(min(upper, 1.0), p)


def proportion(successes: float, n: float, confidence: float = 0.95) -> Proportion:
    """``successes / n`` as a fraction with Wilson score limits (:func:`wilson_interval`)."""
    part, total = _check_proportion_input(successes, n)
    level = check_confidence(confidence)
    lower, upper = wilson_interval(part, total, level)
    return Proportion(successes=part, n=total, value=part / total, lower=lower, upper=upper, confidence=level)
