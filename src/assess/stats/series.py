"""Time series: rolling 12-month totals and a test for a trend in counts over periods.

Sources: Poisson (log-linear) regression of counts on time with the exposure as an offset,
fitted by Newton-Raphson / iteratively reweighted least squares, and the likelihood-ratio test
of "no trend" against a chi-square on 1 degree of freedom (McCullagh P, Nelder JA (1989)
*Generalized Linear Models*, 2nd edn, ch. 6; Dobson AJ, Barnett AG (2018) *An Introduction to
Generalized Linear Models*, 4th edn, ch. 9). The optional quasi-Poisson variant scales the
likelihood-ratio statistic by the Pearson dispersion and uses an F(1, n - 2) reference
(McCullagh & Nelder 1989, section 6.2), for counts more variable than Poisson.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats._checks import check_alpha, check_whole_array

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

TrendVerdict = Literal["rising", "falling", "no significant trend"]


def _month_index(index: pd.Index) -> pd.PeriodIndex:
    """The months of ``index`` (``YYYY-MM`` strings, a monthly PeriodIndex or a DatetimeIndex)."""
    if isinstance(index, pd.PeriodIndex):
        if index.freqstr not in ("M", "ME"):
            raise StatisticsError(f"the index is a PeriodIndex of frequency {index.freqstr}, not months")
        return index
    if isinstance(index, pd.DatetimeIndex):
        return index.to_period("M")
    labels = [str(value) for value in index]
    bad = [label for label in labels if not _MONTH.match(label)]
    if bad:
        raise StatisticsError(f"'{bad[0]}' is not a month; label months YYYY-MM, e.g. 2017-02")
    return pd.PeriodIndex(labels, freq="M")


def rolling_12_month(monthly: pd.Series) -> pd.Series:
    """The total of each month and the eleven before it (a rolling 12-month sum).

    ``monthly`` is indexed by month (``YYYY-MM`` strings or a monthly PeriodIndex), in any order;
    the result is in month order, float64, NaN until twelve months are present. Raises
    StatisticsError if a month is repeated or missing between the first and last (the months must
    be consecutive), or a value is missing, negative or not a number.
    """
    if not isinstance(monthly, pd.Series):
        raise StatisticsError("rolling_12_month needs a pandas Series indexed by month")
    months = _month_index(monthly.index)
    if months.has_duplicates:
        raise StatisticsError(f"month {months[months.duplicated()][0]} appears twice")
    try:
        values = pd.to_numeric(monthly, errors="raise").astype("float64").to_numpy()
    except (TypeError, ValueError) as exc:
        raise StatisticsError(f"monthly values must be numbers: {exc}") from exc
    if np.isnan(values).any():
        raise StatisticsError(f"the value for {months[np.isnan(values)][0]} is missing")
    if (values < 0).any():
        raise StatisticsError(f"the value for {months[values < 0][0]} is negative")
    order = np.argsort(months.asi8, kind="stable")
    sorted_months = months[order]
    if len(sorted_months) > 1:
        steps = np.diff(sorted_months.asi8)
        if (steps != 1).any():
            gap = int(np.flatnonzero(steps != 1)[0])
            raise StatisticsError(
                f"the months are not consecutive: {sorted_months[gap] + 1} is missing "
                f"between {sorted_months[gap]} and {sorted_months[gap + 1]}"
            )
    result = pd.Series(values[order], index=monthly.index[order], name=monthly.name, dtype="float64")
    return result.rolling(12, min_periods=12).sum()


@dataclass(frozen=True)
class Trend:
    """A log-linear trend in counts over equally spaced periods.

    ``slope_per_period`` is the coefficient b of log(expected rate) = a + b t (natural log of the
    rate ratio from one period to the next); ``percent_per_period`` = 100 (exp(b) - 1), the
    average percentage change a period, and ``percent_interval`` its Wald confidence interval at
    ``1 - alpha``. b is +/-inf (and the interval None) when every event falls in the last/first
    period. ``p_value`` is from the likelihood-ratio test of b = 0 (:func:`trend_test`) or the
    test that ``method`` names; ``method_id`` is its short machine id.
    """

    slope_per_period: float
    percent_per_period: float
    p_value: float
    significant: bool
    verdict: TrendVerdict
    method: str
    n_periods: int = 0
    percent_interval: tuple[float, float] | None = None
    alpha: float = 0.05
    method_id: str | None = None


def _log_likelihood(y: np.ndarray, mu: np.ndarray) -> float:
    """Poisson log-likelihood without the log(y!) constant; terms with mu = 0 need y = 0."""
    positive = y > 0
    return float((y[positive] * np.log(mu[positive])).sum() - mu.sum())


def fit_log_linear(
    counts: np.ndarray, exposures: np.ndarray, tolerance: float = 1e-12, max_iterations: int = 200
) -> tuple[float, float, np.ndarray]:
    """Maximum-likelihood (a, b) of log(mu_t) = log(e_t) + a + b (t - mean t) by Newton-Raphson.

    Returns (a, b, covariance of (a, b)). The likelihood is concave, so Newton's method with step
    halving converges from a = log(sum y / sum e), b = 0. Callers must exclude the cases without
    a finite maximum (all counts zero, or all in the first or last period).
    """
    y = counts.astype("float64")
    t = np.arange(y.size, dtype="float64")
    t -= t.mean()
    offset = np.log(exposures)
    design = np.column_stack([np.ones_like(t), t])
    beta = np.array([math.log(y.sum() / exposures.sum()), 0.0])
    mu = np.exp(offset + design @ beta)
    current = _log_likelihood(y, mu)
    for _ in range(max_iterations):
        gradient = design.T @ (y - mu)
        information = design.T @ (design * mu[:, None])
        step = np.linalg.solve(information, gradient)
        scale = 1.0
        while True:
            candidate = beta + scale * step
            mu_candidate = np.exp(offset + design @ candidate)
            value = _log_likelihood(y, mu_candidate)
            if value >= current - 1e-12 or scale < 1e-10:
                break
            scale /= 2.0
        beta, mu, current = candidate, mu_candidate, value
        if np.max(np.abs(scale * step)) < tolerance:
            break
    information = design.T @ (design * mu[:, None])
    return float(beta[0]), float(beta[1]), np.linalg.inv(information)


def trend_test(
    counts: Sequence[int],
    exposures: Sequence[float] | None = None,
    alpha: float = 0.05,
    *,
    model: Literal["poisson", "quasipoisson"] = "poisson",
) -> Trend:
    """Test for a rising or falling trend in counts over three or more equally spaced periods.

    Poisson regression log(mu_t) = log(e_t) + a + b t (``exposures`` e_t default 1: periods of
    equal length and population), likelihood-ratio test of b = 0 on chi-square(1).
    ``model="quasipoisson"`` divides the statistic by the Pearson dispersion (at least 1) and
    refers it to F(1, n - 2): use it for counts that vary more than Poisson (seasonal months).
    All counts zero: no trend (b = 0, p = 1). Raises StatisticsError for fewer than three periods,
    negative, missing or fractional counts, or exposures of the wrong length or not positive.
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it
    level = check_alpha(alpha)
    y = check_whole_array(counts, "counts")
    n = y.size
    if n < 3:
        raise StatisticsError(f"a trend needs at least 3 periods; {n} given")
    if exposures is None:
        e = np.ones(n, dtype="float64")
    else:
        try:
            e = np.asarray(exposures, dtype="float64")
        except (TypeError, ValueError) as exc:
            raise StatisticsError(f"exposures must be numbers: {exc}") from exc
        if e.shape != (n,):
            raise StatisticsError(f"exposures has {e.size} values for {n} counts; give one per period")
        if np.isnan(e).any() or np.isinf(e).any() or (e <= 0).any():
            raise StatisticsError("every exposure must be a finite number greater than zero")
    if model not in ("poisson", "quasipoisson"):
        raise StatisticsError(f"model must be 'poisson' or 'quasipoisson', not {model!r}")
    method = (
        "Poisson log-linear regression, likelihood-ratio test (McCullagh & Nelder 1989)"
        if model == "poisson"
        else "quasi-Poisson log-linear regression, F test on the scaled deviance (McCullagh & Nelder 1989)"
    )
    method_id = "poisson-log-linear-lrt" if model == "poisson" else "quasi-poisson-log-linear-f"
    total = float(y.sum())
    if total == 0:
        return Trend(0.0, 0.0, 1.0, False, "no significant trend", method + "; all counts zero", n, None, level, method_id)

    mu0 = e * total / e.sum()
    null_ll = _log_likelihood(y.astype("float64"), mu0)
    nonzero = np.flatnonzero(y)
    covariance = None
    if nonzero[0] == nonzero[-1] and nonzero[0] in (0, n - 1):
        # every event in the first or last period: the maximum is at b = -/+ infinity
        b = math.inf if nonzero[0] == n - 1 else -math.inf
        y_only = float(y[nonzero[0]])
        full_ll = y_only * math.log(y_only) - y_only
        fitted = np.zeros(n)
        fitted[nonzero[0]] = y_only
    else:
        a, b, covariance = fit_log_linear(y, e)
        t = np.arange(n, dtype="float64")
        fitted = np.exp(np.log(e) + a + b * (t - t.mean()))
        full_ll = _log_likelihood(y.astype("float64"), fitted)
    statistic = 2.0 * (full_ll - null_ll)
    # a difference within the rounding of the two log-likelihoods is none: the chi-square tail is
    # steep at 0, so a rounding error of 1e-12 in the statistic would move p by about 1e-6
    if statistic <= 1e-13 * (abs(full_ll) + abs(null_ll) + 1.0):
        statistic = 0.0
    if model == "poisson":
        p_value = float(_st.chi2.sf(statistic, 1))
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            pearson = np.where(fitted > 0, (y - fitted) ** 2 / np.where(fitted > 0, fitted, 1.0), 0.0).sum()
        dispersion = max(1.0, float(pearson) / (n - 2))
        p_value = float(_st.f.sf(statistic / dispersion, 1, n - 2))
    p_value = min(1.0, p_value)

    percent = 100.0 * (math.exp(b) - 1.0) if math.isfinite(b) else (math.inf if b > 0 else -100.0)
    interval = None
    if covariance is not None:
        z = float(_st.norm.ppf(1.0 - level / 2.0))
        se = math.sqrt(covariance[1, 1])
        if model == "quasipoisson":
            se *= math.sqrt(dispersion)
        interval = (100.0 * (math.exp(b - z * se) - 1.0), 100.0 * (math.exp(b + z * se) - 1.0))
    significant = bool(p_value < level and b != 0)
    verdict: TrendVerdict = "no significant trend"
    if significant:
        verdict = "rising" if b > 0 else "falling"
    return Trend(b, percent, p_value, significant, verdict, method, n, interval, level, method_id)
