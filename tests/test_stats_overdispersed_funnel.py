"""Spiegelhalter's (2005) overdispersed funnel plots and benchmark comparisons.

No table of published numbers was to hand (the paper's data sets, CABG survival, emergency
readmissions and teenage pregnancies by NHS trust, are not reproduced in its text as figures one
could check against), so the worked example below is built from the paper's formulas and every
piece is computed by hand here: z-scores on the square-root scale from the rate definition,
winsorisation by explicit sorting and interpolation, phi, the DerSimonian-Laird tau^2, the
chi-square test, the limits and each area's position.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from assess.errors import StatisticsError
from assess.stats import (
    DispersedComparison,
    Overdispersion,
    compare_with_benchmark,
    compare_with_benchmark_overdispersed,
    estimate_overdispersion,
    funnel_assessment,
    funnel_limits,
    overdispersed_funnel_limits,
    rate_per,
)

# 20 fictional CSPs: crimes and residents; rates from 60 to 140 per 1,000
POPULATIONS = np.array([95_000, 110_000, 120_000, 135_000, 140_000, 150_000, 160_000, 175_000, 180_000, 200_000,
                        210_000, 230_000, 250_000, 260_000, 280_000, 300_000, 320_000, 350_000, 400_000, 520_000.0])
RATES = np.array([62, 140, 75, 88, 95, 101, 70, 83, 118, 92, 79, 105, 125, 86, 97, 110, 68, 90, 99, 131.0])
COUNTS = np.rint(RATES * POPULATIONS / 1000).astype(int)
NAMES = [f"CSP {chr(65 + i)}" for i in range(20)]
ENGLAND = float(COUNTS.sum() / POPULATIONS.sum() * 1000)


def by_hand_quantile(sorted_z: np.ndarray, p: float) -> float:
    h = (sorted_z.size - 1) * p
    lo = math.floor(h)
    return float(sorted_z[lo] + (h - lo) * (sorted_z[min(lo + 1, sorted_z.size - 1)] - sorted_z[lo]))


def by_hand(counts=COUNTS, pops=POPULATIONS, target=ENGLAND, per=1000, winsor=0.1):
    rate = counts / pops * per
    s = np.sqrt(per / pops) / 2  # sd of sqrt(rate per 1,000) under Poisson at the target
    z = (np.sqrt(rate) - math.sqrt(target)) / s
    zs = np.sort(z)
    low, high = by_hand_quantile(zs, winsor), by_hand_quantile(zs, 1 - winsor)
    zw = np.array([min(max(v, low), high) for v in z])
    n = z.size
    phi = float((zw**2).sum() / n)
    w = 1 / s**2
    tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return {"z": z, "zw": zw, "phi": phi, "tau2": tau2, "s": s, "p": stats.chi2.sf(n * phi, n - 1), "rate": rate}


def test_worked_example_pieces():
    ref = by_hand()
    od = estimate_overdispersion(COUNTS, POPULATIONS, ENGLAND)
    assert isinstance(od, Overdispersion)
    assert od.n_areas == 20 and od.df == 19 and od.winsor == 0.1
    assert od.phi == pytest.approx(ref["phi"], rel=1e-10)
    assert od.tau2 == pytest.approx(ref["tau2"], rel=1e-10)
    assert od.chi2 == pytest.approx(20 * ref["phi"], rel=1e-10)
    assert od.p_value == pytest.approx(ref["p"], rel=1e-8)
    assert od.detected and od.phi > 100  # rates 60-140 per 1,000 on ~30,000 crimes: far beyond Poisson
    # the winsorised z-scores: 2 areas each tail set back, the rest untouched
    assert (ref["zw"] != ref["z"]).sum() == 4


@pytest.mark.parametrize("adjustment", ["multiplicative", "additive"])
def test_worked_example_limits_and_positions(adjustment):
    ref = by_hand()
    assessment = funnel_assessment(dict(zip(NAMES, COUNTS.tolist())), dict(zip(NAMES, POPULATIONS.tolist())), ENGLAND,
                                   adjustment=adjustment)
    assert assessment.adjustment_applied == adjustment and assessment.overdispersion.detected
    sd = np.sqrt(ref["phi"]) * ref["s"] if adjustment == "multiplicative" else np.sqrt(ref["s"] ** 2 + ref["tau2"])
    table = assessment.table
    expected_position = []
    for i in range(20):
        limits = {}
        for label, zq in (("95", stats.norm.ppf(0.975)), ("998", stats.norm.ppf(0.999))):
            limits[f"lower_{label}"] = max(math.sqrt(ENGLAND) - zq * sd[i], 0) ** 2
            limits[f"upper_{label}"] = (math.sqrt(ENGLAND) + zq * sd[i]) ** 2
            assert table.loc[i, f"lower_{label}"] == pytest.approx(limits[f"lower_{label}"], rel=1e-10)
            assert table.loc[i, f"upper_{label}"] == pytest.approx(limits[f"upper_{label}"], rel=1e-10)
        r = ref["rate"][i]
        if r > limits["upper_998"]:
            expected_position.append("above 99.8%")
        elif r < limits["lower_998"]:
            expected_position.append("below 99.8%")
        elif r > limits["upper_95"]:
            expected_position.append("above 95%")
        elif r < limits["lower_95"]:
            expected_position.append("below 95%")
        else:
            expected_position.append("within")
    assert table["position"].tolist() == expected_position
    assert table["z"].to_numpy() == pytest.approx(ref["z"], rel=1e-10)
    assert table["z_adjusted"].to_numpy() == pytest.approx((np.sqrt(ref["rate"]) - math.sqrt(ENGLAND)) / sd, rel=1e-10)
    for key, side, label in (("above_95", "above", "95%"), ("below_998", "below", "99.8%")):
        wanted = [n for n, p in zip(NAMES, expected_position) if p.startswith(side) and
                  (label == "95%" or p.endswith("99.8%"))]
        assert assessment.outside[key] == wanted
    # adjusted, few areas are extreme; unadjusted (exact Poisson limits), nearly all are
    assert len(assessment.outside["above_998"]) + len(assessment.outside["below_998"]) <= 4
    plain = funnel_assessment(dict(zip(NAMES, COUNTS.tolist())), dict(zip(NAMES, POPULATIONS.tolist())), ENGLAND,
                              adjustment="none")
    assert plain.adjustment_applied == "none" and plain.method_id == "funnel-exact-poisson"
    assert len(plain.outside["above_998"]) + len(plain.outside["below_998"]) >= 16
    grid = assessment.limits(np.geomspace(80_000, 600_000, 50))
    assert list(grid.columns) == list(funnel_limits([1.0], ENGLAND).columns) and grid.attrs["adjustment"] == adjustment


def test_without_overdispersion_the_exact_poisson_limits_stand():
    rng = np.random.default_rng(1)
    pops = rng.integers(80_000, 500_000, 60).astype(float)
    counts = rng.poisson(90 * pops / 1000)
    od = estimate_overdispersion(counts, pops, 90.0)
    assert not od.detected
    limits = overdispersed_funnel_limits(pops, 90.0, od, adjustment="additive")
    assert limits.attrs["adjustment"] == "none"
    exact = funnel_limits(pops, 90.0)
    assert list(limits.columns) == list(exact.columns) and np.array_equal(limits.to_numpy(), exact.to_numpy())


def test_square_root_limits_approach_the_exact_ones_for_large_counts():
    """With phi = 1 the square-root-scale normal limits are the exact Poisson limits' large-count form."""
    flat = Overdispersion(phi=1.0, tau2=0.0, chi2=0.0, df=1, p_value=0.0, detected=True, n_areas=2,
                          benchmark_rate=90.0, per=1000, winsor=0.1, alpha=0.05)
    pops = np.array([50_000.0, 200_000.0, 1_000_000.0])
    approx = overdispersed_funnel_limits(pops, 90.0, flat, adjustment="multiplicative")
    exact = funnel_limits(pops, 90.0)
    assert np.allclose(approx.to_numpy(), exact.to_numpy(), rtol=2e-3)


def test_detection_rate_under_poisson_is_at_most_about_alpha():
    rng = np.random.default_rng(2)
    pops = rng.integers(50_000, 600_000, 100).astype(float)
    detected = 0
    for _ in range(200):
        counts = rng.poisson(85 * pops / 1000)
        detected += estimate_overdispersion(counts, pops, float(counts.sum() / pops.sum() * 1000)).detected
    assert detected / 200 <= 0.08


def test_benchmark_comparison_agrees_with_the_funnel_position():
    od = estimate_overdispersion(COUNTS, POPULATIONS, ENGLAND)
    assessment = funnel_assessment(dict(zip(NAMES, COUNTS.tolist())), dict(zip(NAMES, POPULATIONS.tolist())), ENGLAND)
    for i, name in enumerate(NAMES):
        comparison = compare_with_benchmark_overdispersed(int(COUNTS[i]), POPULATIONS[i], ENGLAND, od)
        assert isinstance(comparison, DispersedComparison)
        assert comparison.adjustment == "additive" and comparison.tau2 == od.tau2
        position = assessment.table.loc[i, "position"]
        wanted = {"above": "significantly higher", "below": "significantly lower"}.get(position.split()[0], "similar")
        assert comparison.verdict == wanted, name
        assert comparison.lower <= comparison.value <= comparison.upper
    # the plain PHE comparison calls nearly every area different from England
    plain = [compare_with_benchmark(rate_per(int(c), p, 1000), ENGLAND).verdict for c, p in zip(COUNTS, POPULATIONS)]
    assert sum(v != "similar" for v in plain) >= 18


def test_comparison_without_detected_overdispersion_is_the_plain_one():
    od = Overdispersion(phi=1.1, tau2=0.0, chi2=22.0, df=19, p_value=0.3, detected=False, n_areas=20,
                        benchmark_rate=90.0, per=1000, winsor=0.1, alpha=0.05)
    got = compare_with_benchmark_overdispersed(9_500, 100_000, 90.0, od)
    plain = compare_with_benchmark(rate_per(9_500, 100_000, 1000), 90.0)
    assert got.adjustment == "none" and (got.verdict, got.lower, got.upper) == (plain.verdict, plain.lower, plain.upper)


def test_impossible_input_is_refused():
    with pytest.raises(StatisticsError, match="at least 3 areas"):
        estimate_overdispersion([10, 20], [1000.0, 2000.0], 10.0)
    with pytest.raises(StatisticsError, match="3 counts for 2"):
        estimate_overdispersion([10, 20, 30], [1000.0, 2000.0], 10.0)
    with pytest.raises(StatisticsError, match="winsor"):
        estimate_overdispersion([10, 20, 30], [1000.0, 2000.0, 3000.0], 10.0, winsor=0.5)
    with pytest.raises(StatisticsError, match="greater than zero"):
        estimate_overdispersion([10, 20, 30], [1000.0, 0.0, 3000.0], 10.0)
    with pytest.raises(StatisticsError, match="benchmark_rate"):
        estimate_overdispersion([10, 20, 30], [1000.0, 2000.0, 3000.0], 0.0)
    od = estimate_overdispersion(COUNTS, POPULATIONS, ENGLAND)
    with pytest.raises(StatisticsError, match="adjustment"):
        overdispersed_funnel_limits([1000.0], ENGLAND, od, adjustment="random")  # type: ignore[arg-type]
    with pytest.raises(StatisticsError, match="same areas"):
        funnel_assessment({"a": 1, "b": 2, "c": 3}, {"a": 10.0, "b": 20.0}, 100.0)
    with pytest.raises(StatisticsError, match="Overdispersion"):
        compare_with_benchmark_overdispersed(10, 1000.0, 10.0, 2.0)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), spread=st.floats(0.0, 0.5), n=st.integers(5, 80))
def test_adjusted_limits_contain_the_unadjusted_normal_ones(seed, spread, n):
    """Widening never narrows: both adjustments put the limits at least as far from the target as
    Poisson's square-root-scale limits, and no area is further outside after adjustment."""
    rng = np.random.default_rng(seed)
    pops = rng.integers(5_000, 500_000, n).astype(float)
    counts = rng.poisson(80 * np.exp(rng.normal(0, spread, n)) * pops / 1000)
    target = float(max(counts.sum(), 1) / pops.sum() * 1000)
    od = estimate_overdispersion(counts, pops, target)
    assert od.phi >= 0 and od.tau2 >= 0
    for adjustment in ("multiplicative", "additive"):
        a = funnel_assessment(dict(enumerate(counts.tolist())), dict(enumerate(pops.tolist())), target,
                              adjustment=adjustment, overdispersion=od)
        if a.adjustment_applied != "none":
            assert (np.abs(a.table["z_adjusted"]) <= np.abs(a.table["z"]) + 1e-12).all()
            assert (a.table["upper_998"] >= a.table["upper_95"]).all()
