"""The overdispersion-aware test of change between two periods (quasi-Poisson GLM, month effects).

Known answers are computed here independently of the library: a closed form for the complete
two-way table (24 months) and a hand-written numpy IRLS fit for the designs with more history.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from assess.errors import StatisticsError
from assess.stats import Change, CountChange, change_in_counts, change_in_monthly_counts

SEASON = 1.0 + 0.15 * np.cos(2 * np.pi * (np.arange(12) - 6) / 12)  # a July peak


def months(first: str, n: int) -> list[str]:
    return [str(p) for p in pd.period_range(first, periods=n, freq="M")]


def series(values, first: str = "2023-04") -> pd.Series:
    return pd.Series(np.asarray(values, dtype="float64"), index=months(first, len(values)))


def gamma_poisson(rng: np.random.Generator, mean: float, n: int, shape: float | None) -> np.ndarray:
    """Monthly counts with seasonality; shape None gives Poisson, else a gamma(shape) month effect."""
    mu = mean * np.resize(SEASON, n)
    if shape is not None:
        mu = mu * rng.gamma(shape, 1.0 / shape, n)
    return rng.poisson(mu)


def closed_form(y: np.ndarray, alpha: float = 0.05) -> dict[str, float]:
    """Quasi-Poisson answer for 24 months (previous year, current year) by hand.

    In the complete 2 x 12 table the Poisson fit of rows + columns is mu_ij = R_i C_j / N, the
    row effect is log(R_1 / R_0) with variance 1/R_0 + 1/R_1, X^2 = sum (y - mu)^2 / mu on
    (2 - 1)(12 - 1) = 11 df.
    """
    table = y.reshape(2, 12).astype(float)
    rows, cols, total = table.sum(axis=1), table.sum(axis=0), table.sum()
    mu = np.outer(rows, cols) / total
    x2 = float(((table - mu) ** 2 / mu).sum())
    phi = max(1.0, x2 / 11)
    b = math.log(rows[1] / rows[0])
    se = math.sqrt(1 / rows[0] + 1 / rows[1])
    t = abs(b) / (se * math.sqrt(phi))
    half = stats.t.ppf(1 - alpha / 2, 11) * se * math.sqrt(phi)
    return {"b": b, "x2": x2, "phi": phi, "p": 2 * stats.t.sf(t, 11), "p_poisson": 2 * stats.norm.sf(abs(b) / se),
            "low": math.exp(b - half), "high": math.exp(b + half)}


def irls(y: np.ndarray, design: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Poisson GLM by iteratively reweighted least squares, written out: (beta, cov, X^2, df)."""
    beta = np.linalg.lstsq(design, np.log(y + 0.5), rcond=None)[0]
    for _ in range(100):
        mu = np.exp(design @ beta)
        working = design @ beta + (y - mu) / mu
        new = np.linalg.solve(design.T @ (design * mu[:, None]), design.T @ (mu * working))
        if np.max(np.abs(new - beta)) < 1e-12:
            beta = new
            break
        beta = new
    mu = np.exp(design @ beta)
    cov = np.linalg.inv(design.T @ (design * mu[:, None]))
    return beta, cov, float(((y - mu) ** 2 / mu).sum()), y.size - np.linalg.matrix_rank(design)


# --------------------------------------------------------------------------- known answers

def test_two_years_equal_the_closed_form():
    rng = np.random.default_rng(11)
    y = gamma_poisson(rng, 2500, 24, shape=150.0)
    m = months("2023-04", 24)
    change = change_in_monthly_counts(series(y), m[12:], m[:12])
    ref = closed_form(y)
    assert isinstance(change, CountChange) and isinstance(change, Change)
    assert change.method_id == "quasi-poisson-glm-month-effects" and change.fallback_reason is None
    assert (change.previous, change.current) == (y[:12].sum(), y[12:].sum())
    assert change.rate_ratio == pytest.approx(y[12:].sum() / y[:12].sum(), rel=1e-9)
    assert change.dispersion_df == 11 and change.n_months == 24
    assert change.dispersion_raw == pytest.approx(ref["x2"] / 11, rel=1e-7)
    assert change.dispersion == pytest.approx(ref["phi"], rel=1e-7)
    assert change.p_value == pytest.approx(ref["p"], rel=1e-6)
    assert change.poisson_p_value == pytest.approx(ref["p_poisson"], rel=1e-6)
    assert change.rate_ratio_interval == pytest.approx((ref["low"], ref["high"]), rel=1e-7)
    assert change.percent == pytest.approx(100 * (change.rate_ratio - 1), rel=1e-9)
    assert change.exact_p_value == pytest.approx(change_in_counts(int(y[:12].sum()), int(y[12:].sum())).p_value)


def test_history_and_part_years_equal_a_hand_written_fit():
    """30 months, April to September compared: two other blocks of history enter the model."""
    rng = np.random.default_rng(5)
    y = gamma_poisson(rng, 400, 30, shape=60.0)
    m = months("2022-04", 30)
    current, previous = m[24:30], m[12:18]
    change = change_in_monthly_counts(series(y, "2022-04"), current, previous)
    block = np.array(["a"] * 12 + ["previous"] * 6 + ["b"] * 6 + ["current"] * 6)
    frame = pd.DataFrame({"block": pd.Categorical(block, ["previous", "current", "a", "b"]),
                          "month": pd.Categorical([p[5:] for p in m])})
    design = np.column_stack([np.ones(30), pd.get_dummies(frame, drop_first=True).to_numpy(dtype=float)])
    beta, cov, x2, df = irls(y.astype(float), design)
    phi = max(1.0, x2 / df)
    t = beta[1] / math.sqrt(cov[1, 1] * phi)
    assert df == 15 and change.dispersion_df == 15
    assert math.log(change.rate_ratio) == pytest.approx(beta[1], abs=1e-8)
    assert beta[1] == pytest.approx(math.log(y[24:].sum() / y[12:18].sum()), abs=1e-8)  # same months: totals' ratio
    assert change.dispersion_raw == pytest.approx(x2 / df, rel=1e-6)
    assert change.p_value == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-5)


def test_an_overdispersed_fall_is_no_longer_significant():
    """The issue's case, rebuilt: a 4.2% fall in about 9,600 crimes a year whose months vary some
    8.6 times more than Poisson. The exact test of the totals says p < 0.01, "a significant
    decrease"; allowing for the monthly variation p is about 0.35, no significant change.

    The series is deterministic: seasonal means, each month pushed 7% up or down in a fixed
    pattern (a month-by-year interaction, the variation Poisson lacks), the current year scaled
    to 4.2% below the previous.
    """
    wobble = 0.07 * np.array([1, -1, -1, 1, 1, -1, 1, -1, -1, 1, -1, 1])
    previous = 800 * SEASON * (1 + wobble)
    current = 800 * SEASON * (1 - wobble)
    current *= 0.958 * previous.sum() / current.sum()
    y = np.rint(np.r_[previous, current]).astype(int)
    m = months("2023-04", 24)
    change = change_in_monthly_counts(series(y), m[12:], m[:12])
    exact = change_in_counts(int(y[:12].sum()), int(y[12:].sum()))
    ref = closed_form(y)
    assert change.percent == pytest.approx(-4.2, abs=0.05)
    assert exact.significant and exact.verdict == "decrease" and exact.p_value < 0.01
    assert change.dispersion == pytest.approx(ref["phi"], rel=1e-7) and 6 < change.dispersion < 11
    assert change.p_value == pytest.approx(ref["p"], rel=1e-6) and 0.25 < change.p_value < 0.45
    assert not change.significant and change.verdict == "no significant change"
    low, high = change.rate_ratio_interval
    assert low < 1 < high


# --------------------------------------------------------------------------- fallbacks and errors

def test_too_few_months_fall_back_to_the_exact_test():
    """April to September in two years, nothing else: 12 months, 7 parameters, 5 df."""
    y = [100, 120, 130, 125, 110, 90, 104, 118, 140, 131, 120, 101]
    m = months("2023-04", 18)
    m = m[:6] + m[12:]
    change = change_in_monthly_counts(pd.Series(y, index=m), m[6:], m[:6])
    exact = change_in_counts(sum(y[:6]), sum(y[6:]))
    assert change.method_id == "exact-conditional-poisson"
    assert "5 residual degrees of freedom" in change.fallback_reason and "fewer than 8" in change.fallback_reason
    assert change.p_value == exact.p_value and change.verdict == exact.verdict and change.dispersion == 1.0
    assert change.dispersion_df == 5 and change.dispersion_raw > 0
    # the exact interval of the ratio, from Clopper-Pearson limits of current / total
    ci = stats.binomtest(sum(y[6:]), sum(y)).proportion_ci(0.95, method="exact")
    assert change.rate_ratio_interval == pytest.approx((ci.low / (1 - ci.low), ci.high / (1 - ci.high)))
    # with min_df lowered the quasi-Poisson test runs on those 5 df
    quasi = change_in_monthly_counts(pd.Series(y, index=m), m[6:], m[:6], min_df=5)
    assert quasi.method_id == "quasi-poisson-glm-month-effects" and quasi.dispersion_df == 5


def test_a_period_without_events_falls_back():
    y = [0] * 12 + [3, 1, 0, 2, 1, 0, 0, 1, 2, 0, 1, 1]
    m = months("2023-04", 24)
    change = change_in_monthly_counts(series(y), m[12:], m[:12])
    assert change.method_id == "exact-conditional-poisson" and "no events" in change.fallback_reason
    assert change.rate_ratio is None and change.rate_ratio_interval is None
    assert change.p_value == change_in_counts(0, 12).p_value


def test_unpublished_months_are_left_out_but_compared_months_must_be_there():
    rng = np.random.default_rng(1)
    y = series(gamma_poisson(rng, 300, 36, shape=None), "2022-04").astype("float64")
    m = list(y.index)
    y.iloc[3] = np.nan  # a history month police.uk did not publish
    change = change_in_monthly_counts(y, m[24:], m[12:24])
    assert change.n_months == 35 and change.dispersion_df == 35 - 1 - 2 - 11
    y.iloc[30] = np.nan
    with pytest.raises(StatisticsError, match="missing from the monthly series"):
        change_in_monthly_counts(y, m[24:], m[12:24])


@pytest.mark.parametrize(
    ("current", "previous", "message"),
    [
        (slice(12, 24), slice(6, 18), "both the current and the previous"),
        (slice(0, 12), slice(12, 24), "must end before"),
        (slice(12, 24), slice(0, 6), "same calendar months"),
        (slice(12, 12), slice(0, 12), "no months"),
    ],
)
def test_impossible_periods_are_refused(current, previous, message):
    m = months("2023-04", 24)
    with pytest.raises(StatisticsError, match=message):
        change_in_monthly_counts(series(np.full(24, 50)), m[current], m[previous])


def test_bad_series_are_refused():
    m = months("2023-04", 24)
    with pytest.raises(StatisticsError, match="pandas Series"):
        change_in_monthly_counts(list(range(24)), m[12:], m[:12])  # type: ignore[arg-type]
    with pytest.raises(StatisticsError, match="negative"):
        change_in_monthly_counts(series([-1] + [5] * 23), m[12:], m[:12])
    with pytest.raises(StatisticsError, match="whole numbers"):
        change_in_monthly_counts(series([1.5] + [5] * 23), m[12:], m[:12])
    with pytest.raises(StatisticsError, match="min_df"):
        change_in_monthly_counts(series([5] * 24), m[12:], m[:12], min_df=0)
    with pytest.raises(StatisticsError, match="alpha"):
        change_in_monthly_counts(series([5] * 24), m[12:], m[:12], alpha=5)


# --------------------------------------------------------------------------- properties

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    mean=st.floats(2.0, 5000.0),
    shape=st.one_of(st.none(), st.floats(2.0, 500.0)),
    ratio=st.floats(0.7, 1.4),
    extra_years=st.integers(0, 2),
)
def test_never_more_confident_than_poisson_and_dispersion_at_least_one(seed, mean, shape, ratio, extra_years):
    rng = np.random.default_rng(seed)
    n = 24 + 12 * extra_years
    y = gamma_poisson(rng, mean, n, shape)
    y[-12:] = rng.poisson(np.maximum(y[-12:] * ratio, 0))
    m = months("2020-04", n)
    change = change_in_monthly_counts(series(y, "2020-04"), m[-12:], m[-24:-12])
    assert change.dispersion >= 1.0
    if change.fallback_reason is None:
        assert change.p_value >= change.poisson_p_value  # the same Wald statistic with phi = 1: by construction
        assert change.dispersion == max(1.0, change.dispersion_raw)
        low, high = change.rate_ratio_interval
        assert low <= change.rate_ratio <= high
        assert change.significant == (not low <= 1.0 <= high) or math.isclose(change.p_value, 0.05, abs_tol=1e-9)
    else:
        assert change.method_id == "exact-conditional-poisson"


def _rates(shape: float | None, ratio: float, n_sim: int, seed: int) -> tuple[float, float, float]:
    """Rejection rates of the quasi-Poisson and the exact test, and how often their verdicts agree."""
    rng = np.random.default_rng(seed)
    m = months("2022-04", 36)
    quasi = exact = agree = 0
    for _ in range(n_sim):
        y = gamma_poisson(rng, 800, 36, shape)
        if ratio != 1.0:
            y[24:] = gamma_poisson(rng, 800 * ratio, 12, shape)
        c = change_in_monthly_counts(series(y, "2022-04"), m[24:], m[12:24])
        e = change_in_counts(int(y[12:24].sum()), int(y[24:].sum()))
        quasi += c.significant
        exact += e.significant
        agree += c.significant == e.significant
    return quasi / n_sim, exact / n_sim, agree / n_sim


def test_under_poisson_null_the_rejection_rate_is_near_alpha_and_agrees_with_the_exact_test():
    """Seeded simulation, 400 series of 36 Poisson months: the quasi test is a little conservative
    (phi floored at 1, t on 22 df), so its rate lies between 2% and 6.5% at alpha = 5%; the exact
    test's near 5%; the two verdicts agree in at least 94% of series."""
    quasi, exact, agree = _rates(None, 1.0, 400, seed=7)
    assert 0.02 <= quasi <= 0.065
    assert 0.025 <= exact <= 0.075
    assert agree >= 0.94


def test_under_overdispersed_null_only_the_quasi_test_keeps_its_level():
    """Gamma-Poisson months (phi about 6): the exact test rejects a true null far too often."""
    quasi, exact, _ = _rates(160.0, 1.0, 250, seed=8)
    assert quasi <= 0.09
    assert exact >= 0.25


def test_under_poisson_data_a_real_change_is_found_as_often_as_by_the_exact_test():
    quasi, exact, agree = _rates(None, 1.06, 200, seed=9)
    assert exact >= 0.9 and quasi >= 0.85 and agree >= 0.9
