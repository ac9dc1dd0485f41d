"""Has a count, rate or proportion changed between two periods by more than chance would explain?

Sources:

- Two Poisson counts: the conditional (exact) binomial test. Given ``x1 + x2 = n`` events, under
  "no change in the underlying rate" the current count is Binomial(n, e2 / (e1 + e2)), e being the
  exposures (length of period, population). Przyborowski J, Wilenski H (1940) "Homogeneity of
  results in testing samples from Poisson series", Biometrika 31:313-323; Krishnamoorthy K,
  Thomson J (2004) J Stat Plan Inference 119:23-35 (the "C-test"). Computed with
  ``scipy.stats.binomtest`` (two-sided, the method of summing outcomes no more likely than the one
  observed).
- Two proportions: the pooled two-proportion z-test (Altman DG et al., *Statistics with
  Confidence*, 2nd edn, 2000), with Newcombe's hybrid score interval for the difference
  (Newcombe RG 1998, "Interval estimation for the difference between independent proportions",
  Stat Med 17:873-890, method 10).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from assess.errors import StatisticsError
from assess.stats._checks import check_alpha, check_count, check_positive
from assess.stats.intervals import Proportion, Rate, wilson_interval

Verdict = Literal["increase", "decrease", "no significant change"]

COUNT_TEST = "conditional binomial test of two Poisson counts (exact; Przyborowski & Wilenski 1940)"
COUNT_TEST_ID = "exact-conditional-poisson"
PROPORTION_TEST_ID = "two-proportion-z-newcombe"
PROPORTION_TEST = "two-proportion z-test (pooled); Newcombe (1998) hybrid score interval for the difference"


@dataclass(frozen=True)
class Change:
    """The change from ``previous`` to ``current`` and whether it is statistically significant.

    ``measure`` says what ``previous`` and ``current`` are: ``"count"`` (events),
    ``"rate"`` (events per unit of exposure, or per ``Rate.per``) or ``"proportion"`` (fractions
    0..1). ``absolute = current - previous`` in that unit; ``percent`` is the relative change in
    percent (``None`` when ``previous`` is 0). ``verdict`` is "increase"/"decrease" only when
    ``p_value < alpha``. ``interval`` is the confidence interval of ``absolute`` where the method
    gives one (proportions: Newcombe), else ``None``.
    """

    previous: float
    current: float
    absolute: float
    percent: float | None
    p_value: float
    significant: bool
    verdict: Verdict
    method: str
    measure: Literal["count", "rate", "proportion"] = "count"
    alpha: float = 0.05
    interval: tuple[float, float] | None = None
    method_id: str | None = None


def _percent_change(previous: float, current: float) -> float | None:
    return None if previous == 0 else 100.0 * (current / previous - 1.0)


def _verdict(previous: float, current: float, p_value: float, alpha: float) -> tuple[bool, Verdict]:
    significant = bool(p_value < alpha) and current != previous
    if not significant:
        return False, "no significant change"
    return True, "increase" if current > previous else "decrease"


C = TypeVar("C", bound="Change")


def tested_change(previous: float, current: float, p_value: float, alpha: float, method: str,
                  measure: Literal["count", "rate", "proportion"], method_id: str, *, kind: type[C] = Change,  # type: ignore[assignment]
                  **details: Any) -> C:
    """The change from ``previous`` to ``current`` (absolute, relative) with the verdict its test's
    ``p_value`` gives at ``alpha``: the one place a :class:`Change` (or a subclass ``kind`` with
    its ``details``) is built."""
    significant, verdict = _verdict(previous, current, p_value, alpha)
    return kind(previous=previous, current=current, absolute=current - previous,
                percent=_percent_change(previous, current), p_value=p_value, significant=significant,
                verdict=verdict, method=method, measure=measure, alpha=alpha, method_id=method_id, **details)


def poisson_counts_p_value(
    previous: int, current: int, previous_exposure: float = 1.0, current_exposure: float = 1.0
) -> float:
    """Two-sided p-value of the conditional binomial test that two Poisson rates are equal.

    ``current | previous + current = n`` ~ Binomial(n, current_exposure / total exposure) under
    the null hypothesis. Returns 1.0 when both counts are zero (nothing to compare).
    """
    x1 = check_count(previous, "previous count")
    x2 = check_count(current, "current count")
    e1 = check_positive(previous_exposure, "previous_exposure")
    e2 = check_positive(current_exposure, "current_exposure")
    n = x1 + x2
    if n == 0:
        return 1.0
    return _binomial_p_value(x2, n, e2 / (e1 + e2))


@functools.lru_cache(maxsize=4096)
def _binomial_p_value(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial test of ``k`` successes in ``n`` trials with probability ``p``
    (cached: a chapter often tests the same two counts more than once)."""
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it
    return float(min(1.0, _st.binomtest(k, n, p, alternative="two-sided").pvalue))


def change_in_counts(
    previous: int,
    current: int,
    *,
    previous_exposure: float = 1.0,
    current_exposure: float = 1.0,
    periods_equal: bool = True,
    alpha: float = 0.05,
) -> Change:
    """Change between two counts of events, tested with the exact conditional binomial test.

    Equal exposures (the default: two periods of the same length, same population) compare the
    counts themselves: ``previous``/``current`` in the result are the counts (``measure="count"``).
    When the periods differ in length or population, say so with ``periods_equal=False`` **and**
    pass both exposures (days, months, residents); the result then compares counts per unit of
    exposure (``measure="rate"``). ``periods_equal=False`` with equal exposures raises
    StatisticsError, so a year cannot be silently compared with a part-year.

    Raises StatisticsError for negative or fractional counts and non-positive exposures.
    """
    x1 = check_count(previous, "previous count")
    x2 = check_count(current, "current count")
    e1 = check_positive(previous_exposure, "previous_exposure")
    e2 = check_positive(current_exposure, "current_exposure")
    level = check_alpha(alpha)
    if not periods_equal and e1 == e2:
        raise StatisticsError(
            "the periods differ in length or population (periods_equal=False) but the exposures are equal; "
            "pass previous_exposure and current_exposure (e.g. days in each period, or the populations)"
        )
    p_value = poisson_counts_p_value(x1, x2, e1, e2)
    if e1 == e2:
        before, after, measure = float(x1), float(x2), "count"
    else:
        before, after, measure = x1 / e1, x2 / e2, "rate"
    return tested_change(before, after, p_value, level, COUNT_TEST, measure, COUNT_TEST_ID)


def change_in_rates(previous: Rate, current: Rate, alpha: float = 0.05) -> Change:
    """Change between two crude rates (e.g. per 1,000 population in two years).

    The counts are tested with the conditional binomial test, the denominators being the
    exposures; ``previous``/``current`` in the result are the rates (per ``Rate.per``). Both rates
    must use the same ``per``.
    """
    if previous.per != current.per:
        raise StatisticsError(
            f"cannot compare a rate per {previous.per:,} with a rate per {current.per:,}; use the same 'per'"
        )
    level = check_alpha(alpha)
    p_value = poisson_counts_p_value(previous.count, current.count, previous.denominator, current.denominator)
    return tested_change(previous.value, current.value, p_value, level, COUNT_TEST + "; denominators as exposures",
                         "rate", COUNT_TEST_ID)


def newcombe_difference_interval(
    previous: Proportion, current: Proportion, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's (1998, method 10) hybrid score interval for ``current - previous`` (fractions).

    Combines the two Wilson intervals: lower = d - sqrt((p2 - l2)^2 + (u1 - p1)^2),
    upper = d + sqrt((u2 - p2)^2 + (p1 - l1)^2), with d = p2 - p1.
    """
    l1, u1 = wilson_interval(previous.successes, previous.n, confidence)
    l2, u2 = wilson_interval(current.successes, current.n, confidence)
    p1, p2 = previous.value, current.value
    d = p2 - p1
    return (
        d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
        d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2),
    )


def change_in_proportions(prev: Proportion, curr: Proportion, alpha: float = 0.05) -> Change:
    """Change between two independent proportions, by the pooled two-proportion z-test.

    z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2)), p the pooled proportion; two-sided p-value.
    ``previous``/``current``/``absolute`` are fractions (``absolute * 100`` is the change in
    percentage points); ``interval`` is Newcombe's interval for the difference at ``1 - alpha``.
    When the pooled proportion is 0 or 1 the two are identical and the p-value is 1.
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it
    level = check_alpha(alpha)
    n1, n2 = prev.n, curr.n
    pooled = (prev.successes + curr.successes) / (n1 + n2)
    if pooled <= 0.0 or pooled >= 1.0:
        p_value = 1.0
    else:
        se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
        z = (curr.value - prev.value) / se
        p_value = float(min(1.0, 2.0 * _st.norm.sf(abs(z))))
    return tested_change(prev.value, curr.value, p_value, level, PROPORTION_TEST, "proportion", PROPORTION_TEST_ID,
                         interval=newcombe_difference_interval(prev, curr, 1.0 - level))
