"""Confidence intervals against published worked examples and scipy's exact distributions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from assess.errors import StatisticsError
from assess.stats import (
    Proportion,
    Rate,
    byar_interval,
    exact_poisson_interval,
    poisson_interval,
    proportion,
    rate_per,
    rate_per_1000,
    rate_per_100000,
    wilson_interval,
)

# --- Wilson: Newcombe RG (1998) Stat Med 17:857-872, Table I, method 3 (score interval) ----------


@pytest.mark.parametrize(
    ("successes", "n", "lower", "upper"),
    [
        (81, 263, 0.2553, 0.3662),  # also Altman et al., Statistics with Confidence, 2nd edn, p. 46
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0000),
    ],
)
def test_wilson_matches_newcombe_1998_table(successes, n, lower, upper):
    got = wilson_interval(successes, n)
    assert got[0] == pytest.approx(lower, abs=5e-5)
    assert got[1] == pytest.approx(upper, abs=5e-5)


@given(n=st.integers(1, 5000), data=st.data())
@settings(max_examples=150, deadline=None)
def test_wilson_equals_scipy_wilson(n, data):
    k = data.draw(st.integers(0, n))
    expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    got = wilson_interval(k, n)
    assert 0.0 <= got[0] <= k / n <= got[1] <= 1.0
    assert got[0] == pytest.approx(expected.low, abs=1e-10)
    assert got[1] == pytest.approx(expected.high, abs=1e-10)


def test_proportion_carries_value_and_limits():
    p = proportion(81, 263)
    assert isinstance(p, Proportion)
    assert p.value == pytest.approx(81 / 263)
    assert (p.lower, p.upper) == wilson_interval(81, 263)
    assert p.confidence == 0.95


# --- Poisson: exact limits are the gamma quantiles (Garwood 1936) --------------------------------


@pytest.mark.parametrize("count", [0, 1, 2, 5, 9, 10, 37, 65, 1045, 30215])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_poisson_equals_gamma_quantiles(count, confidence):
    alpha = 1 - confidence
    lower = 0.0 if count == 0 else stats.gamma.ppf(alpha / 2, count)
    upper = stats.gamma.ppf(1 - alpha / 2, count + 1)
    got = exact_poisson_interval(count, confidence)
    assert got == pytest.approx((lower, upper), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("count", [1, 3, 12, 250])
def test_exact_poisson_limits_have_tail_probability_alpha_over_two(count):
    """Definition: P(X >= O | mu = lower) = P(X <= O | mu = upper) = alpha/2."""
    lower, upper = exact_poisson_interval(count, 0.95)
    assert stats.poisson.sf(count - 1, lower) == pytest.approx(0.025, rel=1e-8)
    assert stats.poisson.cdf(count, upper) == pytest.approx(0.025, rel=1e-8)


def test_exact_poisson_zero_count_published_value():
    # epitools::pois.exact(0) upper limit 3.689 (Aragon, Applied Epidemiology Using R)
    assert exact_poisson_interval(0) == (0.0, pytest.approx(3.689, abs=5e-4))


def test_byar_close_to_exact_from_ten():
    for count in list(range(10, 200)) + [500, 1045, 10_000, 30_215]:
        byar = byar_interval(count)
        exact = exact_poisson_interval(count)
        assert byar[0] == pytest.approx(exact[0], rel=0.01)
        assert byar[1] == pytest.approx(exact[1], rel=0.01)


def test_byar_formula_worked_example():
    # Breslow & Day (1987): O = 65, z = 1.959964 (by hand)
    z = 1.959963984540054
    lower = 65 * (1 - 1 / (9 * 65) - z / (3 * math.sqrt(65))) ** 3
    upper = 66 * (1 - 1 / (9 * 66) + z / (3 * math.sqrt(66))) ** 3
    assert byar_interval(65) == pytest.approx((lower, upper), rel=1e-12)
    assert byar_interval(65) == pytest.approx((50.163, 82.849), abs=1e-3)


def test_phe_rule_exact_below_ten_byar_from_ten():
    for count in range(0, 10):
        assert poisson_interval(count) == exact_poisson_interval(count)
    for count in (10, 11, 100):
        assert poisson_interval(count) == byar_interval(count)
        assert poisson_interval(count, method="exact") == exact_poisson_interval(count)
    assert "exact" in rate_per(3, 1000).method
    assert "Byar" in rate_per(30, 1000).method


@given(count=st.integers(0, 10**6), method=st.sampled_from(["byar", "exact"]))
@settings(max_examples=200, deadline=None)
def test_interval_contains_count(count, method):
    lower, upper = poisson_interval(count, method=method)
    assert 0 <= lower <= count <= upper


@pytest.mark.parametrize("method", ["byar", "exact"])
def test_relative_width_shrinks_as_count_grows(method):
    previous = math.inf
    for count in range(1, 1500):
        lower, upper = poisson_interval(count, method=method)
        relative = (upper - lower) / count
        assert relative < previous
        previous = relative


@given(
    count=st.integers(0, 10**5),
    population=st.floats(1, 1e8, allow_nan=False),
    per=st.sampled_from([100, 1000, 100_000]),
)
@settings(max_examples=150, deadline=None)
def test_rate_scales_count_limits(count, population, per):
    rate = rate_per(count, population, per)
    lower, upper = poisson_interval(count)
    assert rate.value == pytest.approx(count / population * per)
    assert rate.lower == pytest.approx(lower / population * per)
    assert rate.upper == pytest.approx(upper / population * per)
    assert rate.lower <= rate.value <= rate.upper


def test_rate_per_1000_and_100000():
    r = rate_per_1000(30215, 249_000)
    assert isinstance(r, Rate)
    assert (r.count, r.per) == (30215, 1000)
    assert round(r.value, 1) == 121.3
    assert rate_per_100000(30215, 249_000).value == pytest.approx(r.value * 100)


@pytest.mark.parametrize(
    "call",
    [
        lambda: poisson_interval(-1),
        lambda: poisson_interval(2.5),
        lambda: poisson_interval(float("nan")),
        lambda: poisson_interval(True),
        lambda: poisson_interval(5, confidence=95),
        lambda: poisson_interval(5, method="normal"),
        lambda: rate_per(5, 0),
        lambda: rate_per(5, -100),
        lambda: rate_per(5, float("nan")),
        lambda: rate_per(5, None),
        lambda: rate_per(5, 100, per=0),
        lambda: wilson_interval(10, 5),
        lambda: wilson_interval(1, 0),
        lambda: wilson_interval(-1, 10),
        lambda: proportion(float("nan"), 10),
    ],
)
def test_impossible_input_raises(call):
    with pytest.raises(StatisticsError):
        call()


def test_error_messages_say_what_is_wrong():
    with pytest.raises(StatisticsError, match="negative"):
        rate_per(-3, 100)
    with pytest.raises(StatisticsError, match="greater than zero"):
        rate_per(3, 0)
    with pytest.raises(StatisticsError, match="exceed"):
        proportion(11, 10)
