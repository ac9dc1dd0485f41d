"""Shared machinery of the quasi-Poisson tests: monthly series in, a Poisson GLM fit out.

A monthly series is a pandas Series of counts indexed by month (``YYYY-MM`` strings, a monthly
PeriodIndex or a DatetimeIndex); a missing value (NaN) is a month with no published figure and
is left out, never read as zero. The fit is statsmodels' GLM with the Poisson family and log
link, by iteratively reweighted least squares (McCullagh P, Nelder JA (1989) *Generalized Linear
Models*, 2nd edn, ch. 2 and 6). The Pearson dispersion is X^2 / (n - p), the statistic of
``GLM.fit(scale="X2")`` (McCullagh & Nelder 1989, ch. 9), computed here from the
Poisson fit so that a perfect fit (X^2 = 0) does not divide by zero.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats._checks import check_whole_array
from assess.stats.series import _month_index

#: Fewest residual degrees of freedom on which a dispersion is estimated (see the docstrings
#: of the tests): at 8 df the Pearson estimate's relative standard error is about sqrt(2/8) = 0.5
#: and Student's t(8) critical value 2.31 against 1.96.
MIN_DISPERSION_DF = 8


@dataclass(frozen=True)
class MonthlyCounts:
    """A checked monthly series: ``months`` (PeriodIndex, in order) and ``counts`` (int64)."""

    months: pd.PeriodIndex
    counts: np.ndarray

    @property
    def month_of_year(self) -> np.ndarray:
        """Calendar month (1-12) of each observation."""
        return np.asarray(self.months.month, dtype="int64")


def monthly_counts(monthly: pd.Series, name: str = "monthly") -> MonthlyCounts:
    """Check ``monthly`` and return its published months in order (NaN months dropped).

    Raises StatisticsError if it is not a Series, a label is not a month, a month repeats, or a
    value is negative, fractional or not a number.
    """
    if not isinstance(monthly, pd.Series):
        raise StatisticsError(f"{name} must be a pandas Series of counts indexed by month (YYYY-MM)")
    months = _month_index(monthly.index)
    if months.has_duplicates:
        raise StatisticsError(f"month {months[months.duplicated()][0]} appears twice in {name}")
    try:
        values = pd.to_numeric(monthly, errors="raise").astype("float64").to_numpy()
    except (TypeError, ValueError) as exc:
        raise StatisticsError(f"{name} values must be numbers: {exc}") from exc
    keep = ~np.isnan(values)
    counts = check_whole_array(values[keep], f"{name} counts")
    months = months[keep]
    order = np.argsort(months.asi8, kind="stable")
    return MonthlyCounts(months[order], counts[order])


def month_periods(months: Sequence[str] | pd.Index, name: str) -> pd.PeriodIndex:
    """Months given as ``YYYY-MM`` labels (or a monthly index), checked non-empty and distinct."""
    index = months if isinstance(months, pd.Index) else pd.Index([str(m) for m in months])
    if len(index) == 0:
        raise StatisticsError(f"the {name} period has no months")
    periods = _month_index(index)
    if periods.has_duplicates:
        raise StatisticsError(f"month {periods[periods.duplicated()][0]} appears twice in the {name} period")
    return periods.sort_values()


def month_of_year_columns(month_of_year: np.ndarray) -> np.ndarray:
    """Indicator columns of the calendar months present, the first present month the reference."""
    present = np.unique(month_of_year)
    return np.column_stack([(month_of_year == m).astype("float64") for m in present[1:]]) if present.size > 1 \
        else np.empty((month_of_year.size, 0))


def full_rank(design: np.ndarray, keep_first: int) -> np.ndarray:
    """The columns of ``design`` that raise its rank, in order (the first ``keep_first`` must).

    A two-way layout of blocks by calendar months can be rank deficient (a block whose months
    occur nowhere else); dropping the redundant columns leaves the column space, hence the fit
    and its residual degrees of freedom, unchanged.
    """
    kept: list[int] = []
    for j in range(design.shape[1]):
        if np.linalg.matrix_rank(design[:, [*kept, j]]) > len(kept):
            kept.append(j)
        elif j < keep_first:
            raise StatisticsError("the effect tested is not identified by these months")
    return design[:, kept]


@dataclass(frozen=True)
class PoissonFit:
    """A Poisson GLM fit: coefficients, their Poisson (scale 1) standard errors, Pearson X^2, df."""

    params: np.ndarray
    se_poisson: np.ndarray
    pearson_chi2: float
    df_resid: int
    fitted: np.ndarray
    converged: bool

    @property
    def dispersion_raw(self) -> float:
        """Pearson X^2 / residual df (NaN with no residual df)."""
        return self.pearson_chi2 / self.df_resid if self.df_resid > 0 else math.nan


#: Fits already made in this process, by a digest of their inputs (a chapter tests the same series
#: more than once: 98 fits of 71 distinct series in the demo bundle), at most FITS_KEPT of them.
_fits: OrderedDict[bytes, PoissonFit] = OrderedDict()
_fits_lock = threading.Lock()
FITS_KEPT = 512


def _fit_key(counts: np.ndarray, design: np.ndarray, offset: np.ndarray | None) -> bytes:
    h = hashlib.sha256()
    for a in (counts, design) if offset is None else (counts, design, offset):
        a = np.asarray(a)
        h.update(f"{a.dtype.str}{a.shape};".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.digest()


def _copy(fit: PoissonFit) -> PoissonFit:
    return dataclasses.replace(fit, params=fit.params.copy(), se_poisson=fit.se_poisson.copy(), fitted=fit.fitted.copy())


def fit_poisson(counts: np.ndarray, design: np.ndarray, offset: np.ndarray | None = None) -> PoissonFit:
    """Fit log E[y] = offset + X b by statsmodels' Poisson GLM (IRLS); ``design`` of full rank.

    A fit of the same counts, design and offset (same values, dtypes and shapes) is made once per
    process: the same inputs give the same fit, returned as a copy.
    """
    key = _fit_key(counts, design, offset)
    with _fits_lock:
        known = _fits.get(key)
        if known is not None:
            _fits.move_to_end(key)
            return _copy(known)
    fit = _fit_poisson(counts, design, offset)
    with _fits_lock:
        _fits[key] = _copy(fit)
        while len(_fits) > FITS_KEPT:
            _fits.popitem(last=False)
    return fit


def _fit_poisson(counts: np.ndarray, design: np.ndarray, offset: np.ndarray | None) -> PoissonFit:
    # the GLM and its family only (~0.2 s to import): statsmodels.api imports every model (~0.5 s more)
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        model = GLM(counts.astype("float64"), design, family=Poisson(), offset=offset)
        result = model.fit(maxiter=200, tol=1e-10)
    converged = bool(getattr(result, "converged", True)) and bool(np.all(np.isfinite(result.bse)))
    return PoissonFit(
        params=np.asarray(result.params, dtype="float64"),
        se_poisson=np.asarray(result.bse, dtype="float64"),
        pearson_chi2=float(result.pearson_chi2),
        df_resid=round(float(result.df_resid)),
        fitted=np.asarray(result.fittedvalues, dtype="float64"),
        converged=converged,
    )


def quasi_wald(estimate: float, se_poisson: float, dispersion: float, df: int, alpha: float) -> tuple[float, float, tuple[float, float]]:
    """Quasi-Poisson Wald test of one coefficient: (p-value, Poisson p-value, 1 - alpha interval).

    t = b / (se sqrt(phi)) referred to Student's t on ``df`` degrees of freedom (the dispersion
    phi being estimated on them); the Poisson p-value refers b / se to the standard normal, the
    same statistic with phi = 1 known. phi >= 1 and t's heavier tails make the first p-value at
    least the second (the returned value is the larger of the two, so floating-point rounding in
    the far tails cannot reverse that). The interval is b +/- t_{df, 1 - alpha/2} se sqrt(phi)
    (log scale).
    """
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it

    se = se_poisson * math.sqrt(dispersion)
    statistic = abs(estimate) / se
    p_value = float(min(1.0, 2.0 * _st.t.sf(statistic, df)))
    poisson_p = float(min(1.0, 2.0 * _st.norm.sf(abs(estimate) / se_poisson)))
    half = float(_st.t.ppf(1.0 - alpha / 2.0, df)) * se
    return max(p_value, poisson_p), poisson_p, (estimate - half, estimate + half)
