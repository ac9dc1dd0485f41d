"""Has a count changed between two periods, allowing for counts more variable than Poisson?

Recorded crime varies from month to month more than a Poisson count would (police.uk series of
a CSP: 2 to 9 times the Poisson variance, after seasonality), so the exact test of two totals
(:func:`assess.stats.change_in_counts`) calls small changes "significant". This test reads the
monthly series behind the totals and widens the uncertainty by the dispersion it measures.

Method (quasi-Poisson GLM; Wedderburn RWM (1974) Biometrika 61:439-447; McCullagh P, Nelder JA
(1989) *Generalized Linear Models*, 2nd edn, ch. 6 and 9):

    log E[y_t] = block(t) + month(t)

y_t the count of month t, ``month`` a factor of the 12 calendar months (seasonality, and month
length), ``block`` a factor whose levels are the previous period (the reference), the current
period, and each 12-month block of any other month supplied (more history estimates seasonality
and dispersion better; its year-to-year steps do not inflate the dispersion). The coefficient of
the current period is the log rate ratio, current against previous; with periods covering the
same calendar months its estimate is exactly log(current total / previous total). Fitted by
statsmodels' Poisson GLM; the dispersion phi is Pearson X^2 / residual df (``scale="X2"``),
floored at 1.

The test is the Wald statistic t = b / (se_Poisson sqrt(phi)) referred to Student's t on the
residual df, and the 1 - alpha interval b +/- t_{df} se sqrt(phi), exponentiated: this is R's
``summary.glm`` for ``quasipoisson``. Why t rather than normal: phi is estimated on few degrees of
freedom (11 from 24 months), and t allows for that (McCullagh & Nelder 1989, ch. 9: tests with an
estimated dispersion use t and F, not normal and chi-square references). Why Wald rather than the F test of the scaled deviance: the interval
and the verdict then always agree (the interval excludes 1 exactly when p < alpha).

Why quasi-Poisson and not negative binomial: for one area's series the means vary little month to
month, so the two variance functions (phi mu against mu + mu^2 / theta) weight the months almost
alike; quasi-Poisson needs only the mean-variance proportionality, is unbiased for the rate ratio
whatever the distribution, and its phi is the quantity reported. Negative binomial theta from 24
points is unstable and its likelihood tests are anti-conservative when theta is misestimated
(Ver Hoef JM, Boveng PL (2007) "Quasi-Poisson vs. negative binomial regression: how should we
model overdispersed count data?", Ecology 88:2766-2772).

Never more confident than Poisson, by construction: phi >= 1 and Student's t has heavier tails
than the normal, so the p-value is at least that of the same Wald statistic under the Poisson
model (``poisson_p_value``). Under Poisson data the test is therefore a little conservative.

Falls back to the exact conditional test of the two totals when the monthly series cannot carry
the model: fewer than ``min_df`` residual degrees of freedom (e.g. two periods of six months and
no other months), a period with no events (the rate ratio is 0 or infinite), or a fit that does
not converge. ``method_id`` and ``fallback_reason`` say which test gave the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats._checks import check_alpha, check_count
from assess.stats._glm import (
    MIN_DISPERSION_DF,
    fit_poisson,
    month_periods,
    monthly_counts,
    quasi_wald,
)
from assess.stats.change import (
    COUNT_TEST,
    Change,
    change_in_counts,
    tested_change,
)
from assess.stats.dispersion import (
    block_design,
    dispersion_of_fit,
    drop_empty_levels,
    year_blocks,
)

QUASI_CHANGE_ID = "quasi-poisson-glm-month-effects"
QUASI_CHANGE = (
    "quasi-Poisson GLM with calendar-month effects: Wald t test of the period effect, standard error "
    "inflated by the square root of the Pearson dispersion (at least 1)"
)
EXACT_CHANGE_ID = "exact-conditional-poisson"


@dataclass(frozen=True)
class CountChange(Change):
    """A :class:`Change` in counts with the details of the overdispersion-aware test.

    ``previous``/``current`` are the period totals (events), ``percent`` their relative change.
    ``rate_ratio`` = current / previous rate (events per month, seasonally like for like) with
    ``rate_ratio_interval`` at 1 - alpha (None when previous is 0); ``percent_interval`` the same
    as a percentage change. ``dispersion`` is the variance inflation applied (1.0 for the exact
    test, which assumes Poisson), ``dispersion_raw`` the Pearson estimate before flooring and
    ``dispersion_df`` its degrees of freedom (None when not estimated). ``poisson_p_value`` is
    the same Wald test with phi = 1 (never larger than ``p_value``); ``exact_p_value`` the exact
    conditional test of the totals. ``fallback_reason`` says why the exact test gave the verdict
    (None when the quasi-Poisson test did). ``n_months`` counts the months modelled.
    """

    rate_ratio: float | None = None
    rate_ratio_interval: tuple[float, float] | None = None
    percent_interval: tuple[float, float] | None = None
    dispersion: float = 1.0
    dispersion_raw: float | None = None
    dispersion_df: int | None = None
    poisson_p_value: float | None = None
    exact_p_value: float | None = None
    fallback_reason: str | None = None
    n_months: int = 0


def _exact_ratio_interval(previous: int, current: int, alpha: float) -> tuple[float, float] | None:
    """Exact limits of current/previous rate ratio (equal exposures), conditional on the total.

    Clopper-Pearson limits (pl, pu) of p = current / (previous + current), mapped by p / (1 - p):
    the conditional exact interval for a ratio of Poisson rates (Breslow NE, Day NE (1987)
    *Statistical Methods in Cancer Research* II, IARC, ch. 2). None when previous is 0.
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it

    if previous == 0:
        return None
    ci = _st.binomtest(current, previous + current).proportion_ci(1.0 - alpha, method="exact")
    upper = math.inf if ci.high >= 1.0 else ci.high / (1.0 - ci.high)
    return (ci.low / (1.0 - ci.low), upper)


def _fallback(previous: int, current: int, alpha: float, reason: str, n_months: int,
              raw: float | None = None, df: int | None = None) -> CountChange:
    exact = change_in_counts(previous, current, alpha=alpha)
    interval = _exact_ratio_interval(previous, current, alpha)
    return tested_change(
        exact.previous, exact.current, exact.p_value, exact.alpha, f"{COUNT_TEST}; used because {reason}", "count",
        EXACT_CHANGE_ID, kind=CountChange,
        rate_ratio=None if previous == 0 else current / previous,
        rate_ratio_interval=interval,
        percent_interval=None if interval is None else (100.0 * (interval[0] - 1.0), 100.0 * (interval[1] - 1.0)),
        dispersion=1.0,
        dispersion_raw=raw,
        dispersion_df=df,
        poisson_p_value=exact.p_value,
        exact_p_value=exact.p_value,
        fallback_reason=reason,
        n_months=n_months,
    )


def change_in_totals(previous: int, current: int, *, reason: str, alpha: float = 0.05) -> CountChange:
    """The exact conditional test of two totals as a :class:`CountChange`, for counts with no
    monthly series behind them (yearly or quarterly publications, pooled years): ``method_id``
    "exact-conditional-poisson", ``dispersion`` 1 (Poisson assumed), the exact rate-ratio interval,
    and ``fallback_reason`` = ``reason`` (why no series was available), so that the record says
    which test gave the verdict and why."""
    if not str(reason).strip():
        raise StatisticsError("say why the exact test of two totals is used (the reason no monthly series exists)")
    return _fallback(check_count(previous, "previous count"), check_count(current, "current count"),
                     check_alpha(alpha), str(reason).strip(), 0)


def _periods(current: Sequence[str] | pd.Index, previous: Sequence[str] | pd.Index) -> tuple[pd.PeriodIndex, pd.PeriodIndex]:
    cur, prev = month_periods(current, "current"), month_periods(previous, "previous")
    if cur.intersection(prev).size:
        raise StatisticsError(f"month {cur.intersection(prev)[0]} is in both the current and the previous period")
    if prev.max() > cur.min():
        raise StatisticsError(f"the previous period ({prev.min()} to {prev.max()}) must end before the current one starts ({cur.min()})")
    if sorted(cur.month) != sorted(prev.month):
        raise StatisticsError(
            "the two periods must cover the same calendar months (like for like); for periods of different "
            "length compare counts per unit of exposure with change_in_counts(periods_equal=False)"
        )
    return cur, prev


def change_in_monthly_counts(
    monthly: pd.Series,
    current: Sequence[str] | pd.Index,
    previous: Sequence[str] | pd.Index,
    *,
    alpha: float = 0.05,
    min_df: int = MIN_DISPERSION_DF,
) -> CountChange:
    """Change in a count from the ``previous`` to the ``current`` period, allowing for overdispersion.

    ``monthly``: counts of events per month, indexed by month (``YYYY-MM``), covering at least
    both periods (more history helps; NaN marks a month not published and is left out).
    ``current``/``previous``: the months of each period, covering the same calendar months (12
    and 12, or the same part-year), the previous ending before the current starts.

    Quasi-Poisson GLM with calendar-month effects, Wald t test of the period effect with the
    standard error inflated by sqrt(max(1, Pearson X^2 / df)) (module docstring: method, why t,
    why not negative binomial, references). Falls back to the exact conditional test of the
    totals (:func:`assess.stats.change_in_counts`) with fewer than ``min_df`` residual df, a
    period with no events, or a fit that fails; ``fallback_reason`` says which.

    Raises StatisticsError when a month of either period is missing from ``monthly``, the periods
    overlap, are out of order or cover different calendar months, or for negative or fractional
    counts.
    """
    level = check_alpha(alpha)
    if isinstance(min_df, bool) or not isinstance(min_df, int) or min_df < 1:
        raise StatisticsError(f"min_df must be a whole number of at least 1, not {min_df!r}")
    series = monthly_counts(monthly)
    cur, prev = _periods(current, previous)
    position = {int(o): i for i, o in enumerate(series.months.asi8)}
    missing = [str(m) for m in (*prev, *cur) if int(m.ordinal) not in position]
    if missing:
        raise StatisticsError(f"month {missing[0]} of the compared periods is missing from the monthly series")
    ordinals = series.months.asi8
    in_cur, in_prev = np.isin(ordinals, cur.asi8), np.isin(ordinals, prev.asi8)
    total_cur, total_prev = int(series.counts[in_cur].sum()), int(series.counts[in_prev].sum())
    n_months = int(series.counts.size)
    if total_cur == 0 or total_prev == 0:
        return _fallback(total_prev, total_cur, level, "a period has no events (the rate ratio is 0 or infinite)", n_months)

    blocks = year_blocks(ordinals, int(prev.asi8[0]))
    labels = np.array([f"other{b}" for b in blocks], dtype=object)
    labels[in_cur], labels[in_prev] = "current", "previous"
    keep = drop_empty_levels(series.counts, series.month_of_year, labels)
    counts = series.counts[keep]
    design = block_design(series.month_of_year[keep], labels[keep], leading=["current"], reference="previous")
    df = counts.size - design.shape[1]
    if df < min_df:
        raw = None
        if df >= 1:
            fit = fit_poisson(counts, design)
            raw = fit.dispersion_raw
        return _fallback(total_prev, total_cur, level, f"the {n_months} months leave {df} residual degrees of "
                         f"freedom to estimate the dispersion, fewer than {min_df}", n_months, raw, df if df >= 1 else None)
    fit = fit_poisson(counts, design)
    if not fit.converged:
        return _fallback(total_prev, total_cur, level, "the quasi-Poisson model did not converge", n_months)
    dispersion = dispersion_of_fit(fit.pearson_chi2, fit.df_resid, int(counts.size))
    b, se = float(fit.params[1]), float(fit.se_poisson[1])
    p_value, poisson_p, (low, high) = quasi_wald(b, se, dispersion.value, dispersion.df, level)
    exact = change_in_counts(total_prev, total_cur, alpha=level)
    return tested_change(
        float(total_prev), float(total_cur), p_value, level, QUASI_CHANGE, "count", QUASI_CHANGE_ID, kind=CountChange,
        rate_ratio=math.exp(b),
        rate_ratio_interval=(math.exp(low), math.exp(high)),
        percent_interval=(100.0 * math.expm1(low), 100.0 * math.expm1(high)),
        dispersion=dispersion.value,
        dispersion_raw=dispersion.raw,
        dispersion_df=dispersion.df,
        poisson_p_value=poisson_p,
        exact_p_value=exact.p_value,
        n_months=int(counts.size),
    )
