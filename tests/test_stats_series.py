"""Rolling 12-month totals and the Poisson log-linear trend test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from assess.errors import StatisticsError
from assess.stats import rolling_12_month, trend_test


def months(start: str, n: int) -> list[str]:
    return [str(p) for p in pd.period_range(start, periods=n, freq="M")]


def test_rolling_12_month_sums():
    monthly = pd.Series(np.arange(1, 25), index=months("2016-04", 24), name="crimes")
    rolled = rolling_12_month(monthly)
    assert rolled.iloc[:11].isna().all()
    assert rolled.iloc[11] == sum(range(1, 13))
    assert rolled.iloc[23] == sum(range(13, 25))
    assert list(rolled.index) == list(monthly.index)
    assert rolled.name == "crimes" and rolled.dtype == "float64"


def test_rolling_accepts_period_index_and_any_order():
    index = pd.period_range("2017-01", periods=14, freq="M")
    monthly = pd.Series(np.ones(14), index=index)
    rolled = rolling_12_month(monthly.iloc[::-1])
    assert list(rolled.index) == list(index)
    assert rolled.iloc[-1] == 12.0


def test_rolling_refuses_gaps_duplicates_and_bad_values():
    labels = months("2017-01", 13)
    gap = pd.Series(1.0, index=labels[:5] + labels[6:])
    with pytest.raises(StatisticsError, match="2017-06 is missing"):
        rolling_12_month(gap)
    with pytest.raises(StatisticsError, match="twice"):
        rolling_12_month(pd.Series(1.0, index=labels + ["2017-03"]))
    with pytest.raises(StatisticsError, match="not a month"):
        rolling_12_month(pd.Series([1.0, 2.0], index=["2017-01", "2017-13"]))
    with pytest.raises(StatisticsError, match="missing"):
        rolling_12_month(pd.Series([1.0, np.nan], index=labels[:2]))
    with pytest.raises(StatisticsError, match="negative"):
        rolling_12_month(pd.Series([1.0, -2.0], index=labels[:2]))


def independent_fit(y, e):
    """Maximum likelihood by scipy.optimize (BFGS) and the likelihood-ratio p-value."""
    y, e = np.asarray(y, float), np.asarray(e, float)
    t = np.arange(y.size, dtype=float)

    def negative_ll(beta):
        eta = np.log(e) + beta[0] + beta[1] * t
        return float(np.exp(eta).sum() - (y * eta).sum())

    start = np.array([np.log(y.sum() / e.sum()), 0.0])
    fit = optimize.minimize(negative_ll, start, method="BFGS", options={"gtol": 1e-10})
    mu0 = e * y.sum() / e.sum()
    null = float(mu0.sum() - (y[y > 0] * np.log(mu0[y > 0])).sum())
    return fit.x[1], float(stats.chi2.sf(2 * (null - fit.fun), 1))


@pytest.mark.parametrize(
    ("counts", "exposures"),
    [
        ([100, 110, 121, 133, 146], None),
        ([40, 38, 45, 30, 29, 25, 27, 20], None),
        ([3, 0, 2, 5, 1, 4], None),
        ([12, 15, 11, 18, 20, 19, 25], [1, 1.1, 1.1, 1.2, 1.3, 1.3, 1.4]),
    ],
)
def test_trend_matches_independent_maximum_likelihood(counts, exposures):
    trend = trend_test(counts, exposures)
    slope, p_value = independent_fit(counts, exposures or [1] * len(counts))
    assert trend.slope_per_period == pytest.approx(slope, abs=1e-5)
    assert trend.p_value == pytest.approx(p_value, rel=1e-4, abs=1e-12)
    assert trend.percent_per_period == pytest.approx(100 * (np.exp(trend.slope_per_period) - 1))
    assert trend.n_periods == len(counts)


def test_trend_recovers_known_growth():
    counts = np.round(1000 * 1.1 ** np.arange(8)).astype(int)
    trend = trend_test(counts)
    assert trend.percent_per_period == pytest.approx(10.0, abs=0.05)
    assert trend.verdict == "rising" and trend.significant
    low, high = trend.percent_interval
    assert low < trend.percent_per_period < high


def test_flat_counts_have_no_trend():
    trend = trend_test([50, 50, 50, 50])
    assert trend.p_value == pytest.approx(1.0)
    assert trend.verdict == "no significant trend"
    assert trend.slope_per_period == pytest.approx(0.0, abs=1e-12)


def test_counts_growing_with_exposure_have_no_trend():
    trend = trend_test([10, 20, 40], exposures=[1, 2, 4])
    assert trend.slope_per_period == pytest.approx(0.0, abs=1e-9)
    assert not trend.significant


def test_all_zero_and_one_sided_counts():
    assert trend_test([0, 0, 0]).verdict == "no significant trend"
    rising = trend_test([0, 0, 0, 12])
    assert rising.slope_per_period == np.inf and rising.verdict == "rising"
    falling = trend_test([12, 0, 0, 0])
    assert falling.percent_per_period == -100.0 and falling.verdict == "falling"
    assert rising.p_value == pytest.approx(falling.p_value)


@given(st.lists(st.integers(0, 500), min_size=3, max_size=12))
@example([222, 141, 350, 390, 350, 449, 449, 350, 1])  # no trend: the statistic was rounding, 1e-12 one way and 0 the other
@settings(max_examples=60, deadline=None)
def test_reversing_the_series_reverses_the_trend(counts):
    forward, backward = trend_test(counts), trend_test(counts[::-1])
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-6, abs=1e-12)
    assert forward.slope_per_period == pytest.approx(-backward.slope_per_period, abs=1e-7)
    flipped = {"rising": "falling", "falling": "rising", "no significant trend": "no significant trend"}
    if abs(forward.p_value - 0.05) > 1e-6:
        assert backward.verdict == flipped[forward.verdict]


@given(st.lists(st.integers(1, 500), min_size=4, max_size=12))
@settings(max_examples=40, deadline=None)
def test_quasipoisson_is_never_more_confident(counts):
    assert trend_test(counts, model="quasipoisson").p_value >= trend_test(counts).p_value - 1e-12


@pytest.mark.parametrize(
    "call",
    [
        lambda: trend_test([1, 2]),
        lambda: trend_test([1, -2, 3]),
        lambda: trend_test([1, 2.5, 3]),
        lambda: trend_test([1, float("nan"), 3]),
        lambda: trend_test([1, 2, 3], exposures=[1, 1]),
        lambda: trend_test([1, 2, 3], exposures=[1, 0, 1]),
        lambda: trend_test([1, 2, 3], model="normal"),
    ],
)
def test_impossible_input_raises(call):
    with pytest.raises(StatisticsError):
        call()


def test_too_few_periods_message():
    with pytest.raises(StatisticsError, match="at least 3 periods"):
        trend_test([4, 5])
