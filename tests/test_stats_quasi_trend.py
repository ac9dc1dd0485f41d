"""Pearson dispersion of monthly series, and quasi-Poisson trend tests (monthly and yearly).

Known answers come from a hand-written numpy IRLS fit and, for complete years, the closed form
of the two-way table; nothing here calls statsmodels.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from test_stats_monthly_change import SEASON, gamma_poisson, irls, months

from assess.errors import StatisticsError
from assess.stats import (
    DispersedTrend,
    Dispersion,
    Trend,
    monthly_dispersion,
    trend_in_counts,
    trend_in_monthly_counts,
    trend_test,
)


def monthly(values, first: str = "2021-04") -> pd.Series:
    return pd.Series(np.asarray(values, dtype="float64"), index=months(first, len(values)))


# --------------------------------------------------------------------------- dispersion

def test_dispersion_of_complete_years_equals_the_two_way_table():
    """Three complete years: fitted = year total x month total / grand total, df = 2 x 11."""
    rng = np.random.default_rng(3)
    y = gamma_poisson(rng, 900, 36, shape=80.0)
    table = y.reshape(3, 12).astype(float)
    mu = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    x2 = float(((table - mu) ** 2 / mu).sum())
    d = monthly_dispersion(monthly(y))
    assert isinstance(d, Dispersion)
    assert d.df == 22 and d.n_months == 36
    assert d.pearson_chi2 == pytest.approx(x2, rel=1e-7)
    assert d.raw == pytest.approx(x2 / 22, rel=1e-7) and d.value == max(1.0, d.raw)
    assert d.p_value == pytest.approx(stats.chi2.sf(x2, 22), rel=1e-6)
    assert d.overdispersed and d.p_value < 0.001  # gamma(80) months of ~900: phi about 12


def test_dispersion_blocks_count_back_from_the_last_month():
    """30 months: the last 24 are two blocks, the first 6 a third; a hand-written fit agrees."""
    rng = np.random.default_rng(4)
    y = gamma_poisson(rng, 300, 30, shape=50.0).astype(float)
    block = np.repeat(["a", "b", "c"], [6, 12, 12])
    frame = pd.DataFrame({"block": block, "month": [m[5:] for m in months("2021-04", 30)]})
    design = np.column_stack([np.ones(30), pd.get_dummies(frame, drop_first=True).to_numpy(dtype=float)])
    _beta, _cov, x2, df = irls(y, design)
    d = monthly_dispersion(monthly(y))
    assert d.df == df == 30 - 3 - 11
    assert d.raw == pytest.approx(x2 / df, rel=1e-6)


def test_poisson_months_give_a_dispersion_near_one():
    rng = np.random.default_rng(5)
    raws = [monthly_dispersion(monthly(gamma_poisson(rng, 500, 48, None))).raw for _ in range(40)]
    assert 0.8 < float(np.mean(raws)) < 1.2


def test_dispersion_refuses_series_that_cannot_carry_it():
    with pytest.raises(StatisticsError, match="no residual degrees of freedom"):
        monthly_dispersion(monthly(np.arange(1, 13)))
    with pytest.raises(StatisticsError, match="no events"):
        monthly_dispersion(monthly(np.zeros(24)))
    with pytest.raises(StatisticsError, match="appears twice"):
        monthly_dispersion(pd.Series([1.0, 2.0], index=["2024-01", "2024-01"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), mean=st.floats(0.5, 3000.0), shape=st.one_of(st.none(), st.floats(1.0, 300.0)),
       n=st.integers(25, 60))
def test_dispersion_value_is_never_below_one(seed, mean, shape, n):
    y = gamma_poisson(np.random.default_rng(seed), mean, n, shape)
    if y.sum() == 0:
        return
    try:
        d = monthly_dispersion(monthly(y))
    except StatisticsError as exc:  # so sparse that, once all-zero months are set aside, no df is left
        assert "no residual degrees of freedom" in str(exc)
        assert (y > 0).sum() <= 13
        return
    assert d.value >= 1.0 and d.value == max(1.0, d.raw) and d.df >= 1


# --------------------------------------------------------------------------- monthly trend

def test_monthly_trend_equals_a_hand_written_fit():
    rng = np.random.default_rng(6)
    growth = 1.05 ** (np.arange(48) / 12)
    y = rng.poisson(700 * np.resize(SEASON, 48) * growth * rng.gamma(120, 1 / 120, 48)).astype(float)
    t = (np.arange(48) - 23.5) / 12
    frame = pd.DataFrame({"month": [m[5:] for m in months("2021-04", 48)]})
    design = np.column_stack([np.ones(48), t, pd.get_dummies(frame, drop_first=True).to_numpy(dtype=float)])
    beta, cov, x2, df = irls(y, design)
    phi = max(1.0, x2 / df)
    se = math.sqrt(cov[1, 1] * phi)
    trend = trend_in_monthly_counts(monthly(y))
    assert isinstance(trend, DispersedTrend) and isinstance(trend, Trend)
    assert trend.method_id == "quasi-poisson-log-linear-month-effects-wald-t" and trend.period_unit == "year"
    assert trend.dispersion_df == df == 48 - 13
    assert trend.slope_per_period == pytest.approx(beta[1], abs=1e-8)
    assert trend.percent_per_period == pytest.approx(100 * math.expm1(beta[1]), rel=1e-7)
    assert trend.dispersion == pytest.approx(phi, rel=1e-6)
    assert trend.p_value == pytest.approx(2 * stats.t.sf(abs(beta[1]) / se, df), rel=1e-5)
    half = stats.t.ppf(0.975, df) * se
    assert trend.percent_interval == pytest.approx((100 * math.expm1(beta[1] - half), 100 * math.expm1(beta[1] + half)),
                                                   rel=1e-6)
    assert trend.poisson_p_value <= trend.p_value


def test_short_monthly_series_fall_back_to_the_poisson_trend_test():
    y = [100, 104, 98, 110, 112, 108, 115, 117, 120, 118, 125, 127, 130, 128]
    trend = trend_in_monthly_counts(monthly(y))
    plain = trend_test(y)
    assert "residual degrees of freedom" in trend.fallback_reason
    assert trend.method_id == plain.method_id == "poisson-log-linear-lrt"
    assert trend.p_value == plain.p_value
    assert trend.slope_per_period == pytest.approx(12 * plain.slope_per_period)  # per year, not per month
    assert trend.period_unit == "year"
    with pytest.raises(StatisticsError, match="at least 3 months"):
        trend_in_monthly_counts(monthly([1, 2]))


# --------------------------------------------------------------------------- yearly trend

def test_yearly_trend_equals_a_hand_written_fit_with_exposures():
    y = np.array([2900.0, 3050.0, 3310.0, 3290.0, 3560.0])
    e = np.array([250_000, 251_000, 252_500, 253_000, 254_000.0])
    t = np.arange(5) - 2.0
    # fold the offset into the counts' fit: log mu = log e + a + b t
    beta = np.array([math.log(y.sum() / e.sum()), 0.0])
    design = np.column_stack([np.ones(5), t])
    for _ in range(100):
        mu = e * np.exp(design @ beta)
        beta = beta + np.linalg.solve(design.T @ (design * mu[:, None]), design.T @ (y - mu))
    mu = e * np.exp(design @ beta)
    cov = np.linalg.inv(design.T @ (design * mu[:, None]))
    x2 = float(((y - mu) ** 2 / mu).sum())
    phi = max(1.0, x2 / 3)
    trend = trend_in_counts(y.astype(int).tolist(), e.tolist())
    assert trend.slope_per_period == pytest.approx(beta[1], abs=1e-9)
    assert trend.dispersion_raw == pytest.approx(x2 / 3, rel=1e-6) and trend.dispersion_df == 3
    assert trend.p_value == pytest.approx(2 * stats.t.sf(abs(beta[1]) / math.sqrt(cov[1, 1] * phi), 3), rel=1e-5)


def test_a_monthly_dispersion_can_stand_in_for_the_few_yearly_points():
    rng = np.random.default_rng(12)
    y = rng.poisson(2500 * np.resize(SEASON, 48) * 1.04 ** (np.arange(48) / 12) * rng.gamma(200, 1 / 200, 48))
    years = y.reshape(4, 12).sum(axis=1).tolist()
    d = monthly_dispersion(monthly(y))
    own = trend_in_counts(years)
    borrowed = trend_in_counts(years, dispersion=d)
    assert own.dispersion_df == 2 and borrowed.dispersion_df == d.df
    assert borrowed.dispersion == d.value
    assert borrowed.slope_per_period == own.slope_per_period
    assert "from the monthly series" in borrowed.method
    with pytest.raises(StatisticsError, match="Dispersion"):
        trend_in_counts(years, dispersion=3.0)  # type: ignore[arg-type]


def test_yearly_edge_cases():
    zero = trend_in_counts([0, 0, 0])
    assert zero.p_value == 1.0 and zero.verdict == "no significant trend" and zero.fallback_reason
    last = trend_in_counts([0, 0, 9])
    assert last.slope_per_period == math.inf and "first or last" in last.fallback_reason
    assert last.p_value == trend_test([0, 0, 9], model="quasipoisson").p_value
    with pytest.raises(StatisticsError, match="at least 3 periods"):
        trend_in_counts([5, 6])
    with pytest.raises(StatisticsError, match="exposure"):
        trend_in_counts([5, 6, 7], [1.0, 0.0, 1.0])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=st.lists(st.integers(0, 50_000), min_size=3, max_size=12))
def test_yearly_trend_is_never_more_confident_than_poisson(counts):
    trend = trend_in_counts(counts)
    assert trend.dispersion >= 1.0
    if trend.fallback_reason is None:
        assert trend.p_value >= trend.poisson_p_value
        low, high = trend.percent_interval
        assert low <= trend.percent_per_period <= high
