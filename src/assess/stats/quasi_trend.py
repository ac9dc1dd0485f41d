"""Is a count rising or falling over time, allowing for counts more variable than Poisson?

Method: quasi-Poisson log-linear regression (Wedderburn RWM (1974) Biometrika 61:439-447;
McCullagh P, Nelder JA (1989) *Generalized Linear Models*, 2nd edn, ch. 6 and 9), fitted with
statsmodels' Poisson GLM:

- monthly series (:func:`trend_in_monthly_counts`): log E[y_t] = month(t) + a + b t, ``month``
  a factor of the calendar months (seasonality), t in years, so b is the log of the yearly rate
  ratio;
- yearly or other equally spaced totals (:func:`trend_in_counts`): log E[y_t] = log e_t + a + b t,
  e_t the exposure (population), t in periods.

The dispersion phi is Pearson X^2 / residual df, floored at 1, or for yearly totals the
dispersion of the monthly series behind them when given (:func:`assess.stats.monthly_dispersion`;
a few yearly points give a dispersion on 1 to 3 df, hardly an estimate). The test is the Wald
statistic t = b / (se_Poisson sqrt(phi)) on Student's t with the dispersion's df, the interval
b +/- t_{df} se sqrt(phi) (R's ``summary.glm`` for ``quasipoisson``): the interval and the
verdict agree, and the p-value is never below the Poisson Wald p-value of the same model
(``poisson_p_value``), phi being at least 1 and t's tails heavier than the normal's. See
:mod:`assess.stats.monthly_change` for why quasi-Poisson rather than negative binomial.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats._checks import check_alpha, check_whole_array
from assess.stats._glm import (
    MIN_DISPERSION_DF,
    fit_poisson,
    full_rank,
    month_of_year_columns,
    monthly_counts,
    quasi_wald,
)
from assess.stats.dispersion import Dispersion, dispersion_of_fit
from assess.stats.series import Trend, TrendVerdict, trend_test

QUASI_TREND_ID = "quasi-poisson-log-linear-wald-t"
MONTHLY_TREND_ID = "quasi-poisson-log-linear-month-effects-wald-t"


@dataclass(frozen=True)
class DispersedTrend(Trend):
    """A :class:`Trend` with the details of the overdispersion-aware test.

    ``period_unit`` is the unit of ``slope_per_period``/``percent_per_period`` ("year" for a
    monthly series, else "period"). ``dispersion`` is the variance inflation applied (at least 1),
    ``dispersion_raw`` the Pearson estimate before flooring, ``dispersion_df`` its degrees of
    freedom; ``poisson_p_value`` the same Wald test with phi = 1; ``fallback_reason`` says why
    another test gave the verdict (None when this one did).
    """

    period_unit: str = "period"
    dispersion: float = 1.0
    dispersion_raw: float | None = None
    dispersion_df: int | None = None
    poisson_p_value: float | None = None
    fallback_reason: str | None = None


def _result(b: float, se: float, dispersion: Dispersion, alpha: float, n: int, method: str, method_id: str,
            unit: str) -> DispersedTrend:
    p_value, poisson_p, (low, high) = quasi_wald(b, se, dispersion.value, dispersion.df, alpha)
    significant = bool(p_value < alpha and b != 0)
    verdict: TrendVerdict = ("rising" if b > 0 else "falling") if significant else "no significant trend"
    return DispersedTrend(
        slope_per_period=b,
        percent_per_period=100.0 * math.expm1(b),
        p_value=p_value,
        significant=significant,
        verdict=verdict,
        method=method,
        n_periods=n,
        percent_interval=(100.0 * math.expm1(low), 100.0 * math.expm1(high)),
        alpha=alpha,
        method_id=method_id,
        period_unit=unit,
        dispersion=dispersion.value,
        dispersion_raw=dispersion.raw,
        dispersion_df=dispersion.df,
        poisson_p_value=poisson_p,
    )


def _from_trend(trend: Trend, reason: str, scale: float = 1.0, unit: str = "period") -> DispersedTrend:
    """A fallback result from :func:`trend_test`, its slope rescaled by ``scale`` periods per unit."""
    b = trend.slope_per_period * scale
    percent = 100.0 * math.expm1(b) if math.isfinite(b) else trend.percent_per_period
    interval = trend.percent_interval
    if interval is not None and scale != 1.0:
        interval = tuple(100.0 * ((1.0 + v / 100.0) ** scale - 1.0) for v in interval)  # type: ignore[assignment]
    return DispersedTrend(
        slope_per_period=b,
        percent_per_period=percent,
        p_value=trend.p_value,
        significant=trend.significant,
        verdict=trend.verdict,
        method=f"{trend.method}; used because {reason}",
        n_periods=trend.n_periods,
        percent_interval=interval,
        alpha=trend.alpha,
        method_id=trend.method_id,
        period_unit=unit,
        fallback_reason=reason,
    )


def trend_in_counts(
    counts: Sequence[int],
    exposures: Sequence[float] | None = None,
    *,
    alpha: float = 0.05,
    dispersion: Dispersion | None = None,
) -> DispersedTrend:
    """Quasi-Poisson test of a log-linear trend in counts over three or more equally spaced periods.

    log E[y_t] = log e_t + a + b t (``exposures`` e_t default 1); b per period, percent per period
    100 (exp(b) - 1). phi = max(1, Pearson X^2 / (n - 2)), or ``dispersion.value`` with its df when
    given (the monthly dispersion of the series behind yearly totals); Wald t test (module
    docstring). With 3 to 5 periods and no ``dispersion`` the test has 1 to 3 df and little power:
    that is what so few points can show once chance variation is allowed for.

    All counts zero: no trend (p = 1). Every event in the first or last period: the slope is
    infinite and the Wald test undefined, so the quasi-Poisson F test of the scaled deviance
    (:func:`assess.stats.trend_test`, ``model="quasipoisson"``) decides (``fallback_reason``).
    Raises StatisticsError for fewer than three periods, bad counts or exposures.
    """
    level = check_alpha(alpha)
    y = check_whole_array(counts, "counts")
    n = y.size
    if n < 3:
        raise StatisticsError(f"a trend needs at least 3 periods; {n} given")
    if dispersion is not None and not isinstance(dispersion, Dispersion):
        raise StatisticsError(f"dispersion must be a Dispersion (assess.stats.monthly_dispersion), not {type(dispersion).__name__}")
    baseline = trend_test(y.tolist(), exposures, level, model="quasipoisson")  # also checks the exposures
    method = "quasi-Poisson log-linear regression, Wald t test (Wedderburn 1974; McCullagh & Nelder 1989)"
    if y.sum() == 0:
        return _from_trend(baseline, "all counts are zero")
    nonzero = np.flatnonzero(y)
    if nonzero[0] == nonzero[-1] and nonzero[0] in (0, n - 1):
        return _from_trend(baseline, "every event falls in the first or last period (the slope is infinite)")
    e = np.ones(n) if exposures is None else np.asarray(exposures, dtype="float64")
    t = np.arange(n, dtype="float64")
    design = np.column_stack([np.ones(n), t - t.mean()])
    fit = fit_poisson(y, design, offset=np.log(e))
    if not fit.converged:
        return _from_trend(baseline, "the quasi-Poisson model did not converge")
    if dispersion is None:
        used = dispersion_of_fit(fit.pearson_chi2, fit.df_resid, n)
    else:
        used = dispersion
        method += f"; dispersion {dispersion.value:.2f} from the monthly series ({dispersion.df} df)"
    return _result(float(fit.params[1]), float(fit.se_poisson[1]), used, level, n, method, QUASI_TREND_ID, "period")


def trend_in_monthly_counts(monthly: pd.Series, *, alpha: float = 0.05, min_df: int = MIN_DISPERSION_DF) -> DispersedTrend:
    """Quasi-Poisson test of a log-linear trend in a monthly series, allowing for seasonality.

    log E[y_t] = month(t) + a + b t, t in years from the middle month, so ``slope_per_period`` is
    per year and ``percent_per_period`` the average percentage change a year (``period_unit``
    "year"). phi = max(1, Pearson X^2 / residual df); Wald t test (module docstring). NaN months
    are left out; gaps are allowed. With fewer than ``min_df`` residual df (under about two years)
    the Poisson likelihood-ratio test of :func:`assess.stats.trend_test` over the months in order
    decides, without seasonality (``fallback_reason``); so it does when the fit fails.

    Raises StatisticsError for fewer than three months, or negative or fractional counts.
    """
    level = check_alpha(alpha)
    if isinstance(min_df, bool) or not isinstance(min_df, int) or min_df < 1:
        raise StatisticsError(f"min_df must be a whole number of at least 1, not {min_df!r}")
    series = monthly_counts(monthly)
    n = series.counts.size
    if n < 3:
        raise StatisticsError(f"a trend needs at least 3 months; {n} given")
    method = ("quasi-Poisson log-linear regression with calendar-month effects, Wald t test "
              "(Wedderburn 1974; McCullagh & Nelder 1989)")
    years = (series.months.asi8 - series.months.asi8.mean()) / 12.0
    keep = pd.Series(series.counts).groupby(series.month_of_year).transform("sum").to_numpy() > 0
    design = full_rank(np.column_stack([np.ones(int(keep.sum())), years[keep],
                                        month_of_year_columns(series.month_of_year[keep])]), keep_first=2)
    df = int(keep.sum()) - design.shape[1]

    def fallback(reason: str) -> DispersedTrend:
        return _from_trend(trend_test(series.counts.tolist(), alpha=level), reason, 12.0, "year")

    if series.counts.sum() == 0:
        return fallback("all counts are zero")
    if df < min_df:
        return fallback(f"the {n} months leave {df} residual degrees of freedom to estimate the dispersion, "
                        f"fewer than {min_df}")
    fit = fit_poisson(series.counts[keep], design)
    if not fit.converged:
        return fallback("the quasi-Poisson model did not converge")
    used = dispersion_of_fit(fit.pearson_chi2, fit.df_resid, int(keep.sum()))
    return _result(float(fit.params[1]), float(fit.se_poisson[1]), used, level, n, method, MONTHLY_TREND_ID, "year")
