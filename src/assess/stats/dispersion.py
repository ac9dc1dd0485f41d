"""How much more a monthly count varies than a Poisson count would: the Pearson dispersion.

Method: a Poisson log-linear model of the monthly counts with a factor for the calendar month
(seasonality) and a factor for each 12-month block (level changes between years), fitted by
statsmodels' GLM; the dispersion is Pearson's X^2 over the residual degrees of freedom, the
quasi-likelihood estimate of the variance-to-mean ratio phi in Var(y) = phi mu (Wedderburn RWM
(1974) "Quasi-likelihood functions, generalized linear models, and the Gauss-Newton method",
Biometrika 61:439-447; McCullagh P, Nelder JA (1989) *Generalized Linear Models*, 2nd edn,
ch. 6 and 9). It is what ``statsmodels`` reports as ``scale`` with
``GLM.fit(scale="X2")`` and R as the dispersion of ``glm(family = quasipoisson)``.

Without extra-Poisson variation X^2 is approximately chi-square on the residual df, so phi is
about 1; police.uk monthly counts of a whole CSP usually give 2 to 9. The tests that use it floor
it at 1 (``Dispersion.value``): a count is never treated as less variable than Poisson.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats._glm import fit_poisson, full_rank, month_of_year_columns, monthly_counts

DISPERSION_METHOD_ID = "pearson-quasi-poisson-month-year-effects"
DISPERSION_METHOD = (
    "Pearson chi-square / residual df of a Poisson GLM with calendar-month and 12-month-block effects "
    "(quasi-Poisson; Wedderburn 1974, McCullagh & Nelder 1989)"
)


@dataclass(frozen=True)
class Dispersion:
    """The Pearson dispersion of a count series (a ratio: observed over Poisson variance).

    ``raw`` = X^2 / ``df`` as estimated (may be below 1); ``value`` = max(1, raw), the factor the
    quasi-Poisson tests inflate variances by. ``p_value`` is P(chi-square(df) >= X^2), the test of
    "no extra-Poisson variation" (small: the series is overdispersed). ``n_months`` counts the
    months used.
    """

    value: float
    raw: float
    df: int
    pearson_chi2: float
    p_value: float
    n_months: int
    method: str = DISPERSION_METHOD
    method_id: str = DISPERSION_METHOD_ID

    @property
    def overdispersed(self) -> bool:
        """True when the estimate exceeds 1 (not a test: see ``p_value``)."""
        return self.raw > 1.0


def year_blocks(ordinals: np.ndarray, anchor: int) -> np.ndarray:
    """Index of the 12-month block of each month ordinal, block 0 starting at ``anchor``."""
    return (ordinals - anchor) // 12


def block_design(
    month_of_year: np.ndarray, labels: np.ndarray, leading: list[str], reference: str | None = None
) -> np.ndarray:
    """Design of a two-way layout of blocks by calendar months (reference coding).

    Columns: intercept; indicators of the ``leading`` block labels (their coefficients are then
    at positions 1..len(leading)); indicators of the other blocks but the reference one
    (``reference``, else the first in order); indicators of the calendar months but the first.
    Redundant columns are dropped (:func:`assess.stats._glm.full_rank`).
    """
    n = labels.size
    columns = [np.ones(n)]
    columns += [(labels == name).astype("float64") for name in leading]
    others = [name for name in dict.fromkeys(labels.tolist()) if name not in leading]
    if reference is not None:
        others = [reference] + [name for name in others if name != reference]
    columns += [(labels == name).astype("float64") for name in others[1:]]
    design = np.column_stack([*columns, month_of_year_columns(month_of_year)])
    return full_rank(design, keep_first=1 + len(leading))


def drop_empty_levels(counts: np.ndarray, month_of_year: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mask of the observations to keep: a calendar month or block whose counts are all zero
    has an infinite negative effect and fits exactly, so it carries no information on phi."""
    keep = np.ones(counts.size, dtype=bool)
    for key in (month_of_year, labels):
        totals = pd.Series(counts).groupby(key).transform("sum").to_numpy()
        keep &= totals > 0
    return keep


def pearson_dispersion(counts: np.ndarray, design: np.ndarray) -> Dispersion:
    """The Pearson dispersion of ``counts`` under the Poisson GLM with ``design`` (full rank)."""
    fit = fit_poisson(counts, design)
    return dispersion_of_fit(fit.pearson_chi2, fit.df_resid, counts.size)


def dispersion_of_fit(pearson_chi2: float, df: int, n_months: int) -> Dispersion:
    """A :class:`Dispersion` from a fit's Pearson X^2 and residual df (df >= 1)."""
    from scipy import stats as _st  # imported here: ~1 s, and only some callers need it

    if df < 1:
        raise StatisticsError(f"no residual degrees of freedom to estimate a dispersion ({n_months} observations)")
    raw = pearson_chi2 / df
    return Dispersion(
        value=max(1.0, raw),
        raw=raw,
        df=int(df),
        pearson_chi2=float(pearson_chi2),
        p_value=float(_st.chi2.sf(pearson_chi2, df)),
        n_months=int(n_months),
    )


def monthly_dispersion(monthly: pd.Series) -> Dispersion:
    """The Pearson dispersion of a monthly count series, allowing for seasonality and year levels.

    Model: log E[y_t] = block(t) + month(t), ``block`` the 12-month block counted back from the
    last month (the latest 12 months are one block), ``month`` the calendar month: Poisson GLM
    (statsmodels), dispersion = Pearson X^2 / residual df (quasi-Poisson, Wedderburn 1974;
    McCullagh & Nelder 1989, ch. 9). Units: a ratio (1 = Poisson). Months with NaN are left out;
    gaps are allowed. Use it to supply the dispersion of a test on yearly totals made of these
    months (:func:`assess.stats.trend_in_counts`): extra variation independent between months
    carries over to the totals with the same factor.

    Raises StatisticsError when the months leave no residual degree of freedom (fewer than about
    two years), or for negative or fractional counts.
    """
    series = monthly_counts(monthly)
    if series.counts.size == 0 or series.counts.sum() == 0:
        raise StatisticsError("the monthly series has no events; a dispersion needs counts")
    ordinals = series.months.asi8
    labels = np.array([f"block{b}" for b in year_blocks(ordinals, int(ordinals[-1]) - 11)], dtype=object)
    keep = drop_empty_levels(series.counts, series.month_of_year, labels)
    design = block_design(series.month_of_year[keep], labels[keep], leading=[])
    return pearson_dispersion(series.counts[keep], design)
