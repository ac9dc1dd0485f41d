"""Benchmark and group comparison (PHE style) and funnel limits (Spiegelhalter 2005)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from assess.errors import StatisticsError
from assess.stats import (
    compare_with_benchmark,
    compare_with_group,
    funnel_limits,
    funnel_position,
    proportion,
    rate_per,
    rate_per_1000,
)


def test_benchmark_verdicts_follow_the_interval():
    rate = rate_per_1000(30215, 249_000)  # 121.3 (120.0 to 122.7)
    assert compare_with_benchmark(rate, 73.0).verdict == "significantly higher"
    assert compare_with_benchmark(rate, 150.0).verdict == "significantly lower"
    assert compare_with_benchmark(rate, 121.0).verdict == "similar"
    assert compare_with_benchmark(rate, rate.lower).verdict == "similar"  # on the limit: not outside
    comparison = compare_with_benchmark(rate, 73.0)
    assert (comparison.value, comparison.benchmark) == (rate.value, 73.0)
    assert (comparison.lower, comparison.upper, comparison.confidence) == (rate.lower, rate.upper, 0.95)


def test_benchmark_with_proportion():
    p = proportion(81, 263)  # 30.8% (25.5% to 36.6%)
    assert compare_with_benchmark(p, 0.20).verdict == "significantly higher"
    assert compare_with_benchmark(p, 0.40).verdict == "significantly lower"
    assert compare_with_benchmark(p, 0.30).verdict == "similar"
    with pytest.raises(StatisticsError, match="fraction"):
        compare_with_benchmark(p, 30.0)


@given(count=st.integers(0, 10_000), population=st.floats(100, 1e6), benchmark=st.floats(0, 500))
@settings(max_examples=100, deadline=None)
def test_benchmark_verdict_consistent_with_limits(count, population, benchmark):
    rate = rate_per(count, population)
    verdict = compare_with_benchmark(rate, benchmark).verdict
    assert (verdict == "significantly higher") == (rate.lower > benchmark)
    assert (verdict == "significantly lower") == (rate.upper < benchmark)


GROUP_COUNTS = {"Avon": 1200, "Brent": 800, "Crewe": 800, "Derby": 2500, "Ely": 90}
GROUP_POPS = {"Avon": 100_000, "Brent": 80_000, "Crewe": 50_000, "Derby": 200_000, "Ely": 10_000}


def test_group_comparison_ranks_and_pools():
    group = compare_with_group(GROUP_COUNTS, GROUP_POPS, "Avon")
    # rates per 1,000: Avon 12.0, Brent 10.0, Crewe 16.0, Derby 12.5, Ely 9.0
    assert list(group.table["area"]) == ["Crewe", "Derby", "Avon", "Brent", "Ely"]
    assert list(group.table["rank"]) == [1, 2, 3, 4, 5]
    assert group.rank == 3 and group.n == 5
    assert group.group_rate == pytest.approx(sum(GROUP_COUNTS.values()) / sum(GROUP_POPS.values()) * 1000)
    assert group.group_mean == pytest.approx(np.mean([12.0, 10.0, 16.0, 12.5, 9.0]))
    assert group.verdict == compare_with_benchmark(rate_per_1000(1200, 100_000), group.group_rate).verdict
    assert list(group.table.columns) == ["area", "count", "denominator", "rate", "lower", "upper", "rank", "is_focus"]
    assert group.table["is_focus"].sum() == 1
    assert group.table.loc[group.table["is_focus"], "area"].iloc[0] == "Avon"
    assert group.table["count"].dtype == "int64" and group.table["rank"].dtype == "int64"
    focus_row = group.table.loc[group.table["is_focus"]].iloc[0]
    assert focus_row["lower"] == pytest.approx(group.rate.lower)


def test_group_lowest_first_and_ties():
    counts = {"A": 10, "B": 20, "C": 20, "D": 40}
    pops = {"A": 1000, "B": 1000, "C": 1000, "D": 1000}
    highest = compare_with_group(counts, pops, "B")
    assert highest.rank == 2
    assert sorted(highest.table["rank"]) == [1, 2, 2, 4]
    lowest = compare_with_group(counts, pops, "A", highest_is_rank_1=False)
    assert lowest.rank == 1
    assert lowest.table["area"].iloc[0] == "A"


@pytest.mark.parametrize(
    ("counts", "pops", "focus", "message"),
    [
        ({"A": 1, "B": 2}, {"A": 10}, "A", "no denominator for B"),
        ({"A": 1}, {"A": 10, "B": 5}, "A", "no count for B"),
        ({"A": 1, "B": 2}, {"A": 10, "B": 10}, "Z", "not among"),
        ({"A": 1}, {"A": 10}, "A", "at least two"),
        ({"A": 1, "B": -2}, {"A": 10, "B": 10}, "A", "area 'B'"),
        ({"A": 1, "B": 2}, {"A": 10, "B": 0}, "A", "area 'B'"),
    ],
)
def test_group_impossible_input(counts, pops, focus, message):
    with pytest.raises(StatisticsError, match=message):
        compare_with_group(counts, pops, focus)


# --- funnel limits -----------------------------------------------------------------------------


def test_funnel_columns_and_order():
    limits = funnel_limits([5000, 100, 20_000], 50.0)
    assert list(limits.columns) == ["denominator", "lower_95", "upper_95", "lower_998", "upper_998"]
    assert list(limits["denominator"]) == [5000, 100, 20_000]
    assert (limits["lower_998"] <= limits["lower_95"]).all()
    assert (limits["upper_95"] <= limits["upper_998"]).all()
    assert (limits["lower_95"] <= 50.0).all() and (limits["upper_95"] >= 50.0).all()


@pytest.mark.parametrize("level", [0.95, 0.998])
@pytest.mark.parametrize("denominator", [37.0, 400.0, 2_500.0, 60_000.0])
def test_funnel_limits_interpolate_the_poisson_cdf(level, denominator):
    """Spiegelhalter (2005): at the limit L = k + f, P(Y <= k) + f P(Y = k + 1) equals the tail p."""
    rate, per = 42.0, 1000
    mu = rate / per * denominator
    limits = funnel_limits([denominator], rate, per, (level,)).iloc[0]
    label = f"{level * 100:g}".replace(".", "")
    for side, p in (("lower", (1 - level) / 2), ("upper", 1 - (1 - level) / 2)):
        count = limits[f"{side}_{label}"] * denominator / per
        if count == 0:
            assert stats.poisson.cdf(0, mu) >= p  # clipped at zero
            continue
        k = np.floor(count)
        f = count - k
        assert stats.poisson.cdf(k, mu) + f * stats.poisson.pmf(k + 1, mu) == pytest.approx(p, rel=1e-9)


def test_funnel_approaches_normal_limits_for_large_denominators():
    denominator, rate = 5e6, 50.0
    mu = rate / 1000 * denominator
    limits = funnel_limits([denominator], rate).iloc[0]
    z95, z998 = stats.norm.ppf(0.975), stats.norm.ppf(0.999)
    assert limits["upper_95"] == pytest.approx((mu + z95 * np.sqrt(mu)) / denominator * 1000, rel=1e-4)
    assert limits["lower_998"] == pytest.approx((mu - z998 * np.sqrt(mu)) / denominator * 1000, rel=1e-4)


def test_funnel_narrows_as_denominator_grows():
    limits = funnel_limits(np.linspace(50, 50_000, 500), 30.0)
    assert (np.diff(limits["upper_95"]) < 0).all()
    assert (np.diff(limits["lower_998"]) >= 0).all()


def test_funnel_custom_levels_and_zero_benchmark():
    limits = funnel_limits([1000], 0.0, levels=(0.9, 0.999))
    assert list(limits.columns) == ["denominator", "lower_90", "upper_90", "lower_999", "upper_999"]
    assert (limits.drop(columns="denominator").to_numpy() == 0).all()


def test_funnel_position():
    assert funnel_position(100, 1000, 50.0) == "above"
    assert funnel_position(20, 1000, 50.0) == "below"
    assert funnel_position(52, 1000, 50.0) == "within"


@pytest.mark.parametrize(
    "call",
    [
        lambda: funnel_limits([100, 0], 5.0),
        lambda: funnel_limits([100, float("nan")], 5.0),
        lambda: funnel_limits([100], -1.0),
        lambda: funnel_limits([100], 5.0, levels=(0.95, 0.95)),
        lambda: funnel_limits([100], 5.0, levels=(95,)),
        lambda: compare_with_benchmark(rate_per_1000(5, 100), float("nan")),
        lambda: compare_with_benchmark(rate_per_1000(5, 100), -1),
    ],
)
def test_impossible_input_raises(call):
    with pytest.raises(StatisticsError):
        call()


def test_table_is_a_dataframe():
    assert isinstance(compare_with_group({"A": 1, "B": 2}, {"A": 10, "B": 10}, "A").table, pd.DataFrame)
