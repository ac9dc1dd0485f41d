"""Change between periods: exact conditional test of Poisson counts, two-proportion z-test."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from assess.errors import StatisticsError
from assess.stats import (
    Change,
    change_in_counts,
    change_in_proportions,
    change_in_rates,
    proportion,
    rate_per_1000,
)


def conditional_p_value(x1: int, x2: int, e1: float, e2: float) -> float:
    """Independent calculation: sum the binomial probabilities no larger than the observed one."""
    n = x1 + x2
    p = e2 / (e1 + e2)
    pmf = stats.binom.pmf(np.arange(n + 1), n, p)
    return float(min(1.0, pmf[pmf <= pmf[x2] * (1 + 1e-7)].sum()))


def test_headline_example():
    change = change_in_counts(27301, 30215)
    assert isinstance(change, Change)
    assert (change.previous, change.current, change.absolute) == (27301, 30215, 2914)
    assert change.percent == pytest.approx(10.6736, abs=1e-4)
    assert change.significant and change.verdict == "increase"
    assert change.measure == "count"
    assert change.p_value == pytest.approx(conditional_p_value(27301, 30215, 1, 1), rel=1e-6)


@pytest.mark.parametrize(("x1", "x2"), [(10, 20), (20, 10), (5, 5), (0, 7), (100, 130), (131, 100), (3, 0)])
def test_p_value_equals_independent_binomial_sum(x1, x2):
    assert change_in_counts(x1, x2).p_value == pytest.approx(conditional_p_value(x1, x2, 1, 1), rel=1e-9)


def test_small_changes_are_not_significant():
    change = change_in_counts(100, 104)
    assert not change.significant
    assert change.verdict == "no significant change"
    assert change.percent == pytest.approx(4.0)


def test_both_zero_is_no_change():
    change = change_in_counts(0, 0)
    assert change.p_value == 1.0
    assert change.verdict == "no significant change"
    assert change.percent is None


def test_percent_is_none_from_zero():
    change = change_in_counts(0, 12)
    assert change.percent is None
    assert change.verdict == "increase"


def test_exposures_compare_rates_per_unit_exposure():
    # 30 crimes in 6 months against 50 in 12 months: 5.0 and about 4.17 a month
    change = change_in_counts(50, 30, previous_exposure=12, current_exposure=6, periods_equal=False)
    assert change.measure == "rate"
    assert change.previous == pytest.approx(50 / 12)
    assert change.current == pytest.approx(5.0)
    assert change.percent == pytest.approx((5.0 / (50 / 12) - 1) * 100)
    assert change.p_value == pytest.approx(conditional_p_value(50, 30, 12, 6), rel=1e-9)


def test_equal_exposures_compare_the_counts():
    change = change_in_counts(40, 60, previous_exposure=365, current_exposure=365)
    assert (change.previous, change.current, change.measure) == (40, 60, "count")
    assert change.p_value == pytest.approx(change_in_counts(40, 60).p_value)


def test_unequal_periods_must_give_exposures():
    with pytest.raises(StatisticsError, match="exposure"):
        change_in_counts(50, 30, periods_equal=False)


@given(
    x1=st.integers(0, 5000),
    x2=st.integers(0, 5000),
    e1=st.floats(0.5, 3.0),
    e2=st.floats(0.5, 3.0),
)
@settings(max_examples=150, deadline=None)
def test_swapping_periods_flips_the_verdict_and_keeps_the_p_value(x1, x2, e1, e2):
    forward = change_in_counts(x1, x2, previous_exposure=e1, current_exposure=e2)
    backward = change_in_counts(x2, x1, previous_exposure=e2, current_exposure=e1)
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-6, abs=1e-300)
    flipped = {"increase": "decrease", "decrease": "increase", "no significant change": "no significant change"}
    if abs(forward.p_value - 0.05) > 1e-6:
        assert backward.verdict == flipped[forward.verdict]
    assert forward.absolute == pytest.approx(-backward.absolute)


def test_change_in_rates_uses_denominators_as_exposures():
    before, after = rate_per_1000(100, 10_000), rate_per_1000(150, 12_000)
    change = change_in_rates(before, after)
    assert change.measure == "rate"
    assert (change.previous, change.current) == (pytest.approx(10.0), pytest.approx(12.5))
    assert change.percent == pytest.approx(25.0)
    assert change.p_value == pytest.approx(conditional_p_value(100, 150, 10_000, 12_000), rel=1e-9)


def test_change_in_rates_needs_same_per():
    from assess.stats import rate_per

    with pytest.raises(StatisticsError, match="per"):
        change_in_rates(rate_per(5, 100, 1000), rate_per(5, 100, 100_000))


# --- proportions -------------------------------------------------------------------------------


def test_newcombe_1998_difference_interval():
    # Newcombe RG (1998) Stat Med 17:873-890, Table II example (a): 56/70 - 48/80, method 10
    change = change_in_proportions(proportion(48, 80), proportion(56, 70))
    assert change.absolute == pytest.approx(0.2)
    assert change.interval == pytest.approx((0.0524, 0.3339), abs=5e-5)
    assert change.verdict == "increase"
    assert change.measure == "proportion"


def test_newcombe_second_example():
    # Newcombe (1998) Table II example (b): 9/10 - 3/10, method 10: 0.1705 to 0.8090
    change = change_in_proportions(proportion(3, 10), proportion(9, 10))
    assert change.interval == pytest.approx((0.1705, 0.8090), abs=5e-5)


@pytest.mark.parametrize(("a", "n1", "b", "n2"), [(48, 80, 56, 70), (30, 100, 36, 100), (5, 50, 2, 60), (0, 10, 3, 12)])
def test_z_test_equals_uncorrected_chi_square(a, n1, b, n2):
    """The pooled two-proportion z-test is the 2x2 chi-square test without continuity correction."""
    _, p, _, _ = stats.chi2_contingency([[a, n1 - a], [b, n2 - b]], correction=False)
    change = change_in_proportions(proportion(a, n1), proportion(b, n2))
    assert change.p_value == pytest.approx(p, rel=1e-9)


def test_identical_extreme_proportions_have_p_one():
    change = change_in_proportions(proportion(0, 10), proportion(0, 20))
    assert change.p_value == 1.0
    assert change.verdict == "no significant change"


@given(n1=st.integers(1, 500), n2=st.integers(1, 500), data=st.data())
@settings(max_examples=100, deadline=None)
def test_proportion_change_symmetric(n1, n2, data):
    a = data.draw(st.integers(0, n1))
    b = data.draw(st.integers(0, n2))
    forward = change_in_proportions(proportion(a, n1), proportion(b, n2))
    backward = change_in_proportions(proportion(b, n2), proportion(a, n1))
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-9)
    assert forward.interval[0] == pytest.approx(-backward.interval[1], abs=1e-12)
    assert forward.interval[0] <= forward.absolute <= forward.interval[1]


@pytest.mark.parametrize(
    "call",
    [
        lambda: change_in_counts(-1, 5),
        lambda: change_in_counts(5, 2.5),
        lambda: change_in_counts(5, float("nan")),
        lambda: change_in_counts(5, 5, previous_exposure=0),
        lambda: change_in_counts(5, 5, current_exposure=-1),
        lambda: change_in_counts(5, 5, alpha=0),
    ],
)
def test_impossible_input_raises(call):
    with pytest.raises(StatisticsError):
        call()
