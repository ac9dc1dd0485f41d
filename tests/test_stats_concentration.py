"""Concentration: top share, Gini coefficient, repeat offending."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.errors import StatisticsError
from assess.stats import gini, places_in_top, repeat_offending, top_share


def gini_by_mean_difference(values) -> float:
    """Independent definition (Gini 1912): mean absolute difference over twice the mean."""
    x = np.asarray(values, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean()))


def test_gini_known_values():
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)  # (n - 1) / n: all in one place
    assert gini([1, 2, 3, 4, 5]) == pytest.approx(4 / 15)
    assert gini([7]) == 0.0


counts_lists = st.lists(st.integers(0, 1000), min_size=1, max_size=60).filter(lambda xs: sum(xs) > 0)


@given(counts_lists)
@settings(max_examples=150, deadline=None)
def test_gini_matches_mean_difference_and_lies_in_unit_interval(values):
    g = gini(values)
    assert 0.0 <= g <= 1.0
    assert g == pytest.approx(gini_by_mean_difference(values), abs=1e-12)
    assert g <= (len(values) - 1) / len(values) + 1e-12


def test_top_share_examples():
    counts = [50, 20, 10, 5, 5, 4, 3, 2, 1, 0]
    assert top_share(counts, 0.1) == pytest.approx(0.5)
    assert top_share(counts, 0.3) == pytest.approx(0.8)  # exactly 3 places, not 4
    assert top_share(counts, 1.0) == 1.0
    assert places_in_top(25, 0.1) == 3  # ceil(2.5)
    assert places_in_top(10, 0.3) == 3
    assert places_in_top(4, 0.01) == 1


@given(counts_lists, st.floats(0.01, 1.0))
@settings(max_examples=150, deadline=None)
def test_top_share_bounds(values, fraction):
    share = top_share(values, fraction)
    k = places_in_top(len(values), fraction)
    assert k / len(values) - 1e-12 <= share <= 1.0  # the top k hold at least their fair share
    assert share == pytest.approx(sum(sorted(values, reverse=True)[:k]) / sum(values))
    assert k == max(1, math.ceil(round(len(values) * fraction, 9)))


def test_repeat_offending_example():
    summary = repeat_offending([1, 1, 2, 3, 1])
    assert (summary.offenders, summary.one_offence, summary.repeat, summary.crimes) == (5, 3, 2, 8)
    assert summary.share_repeat == pytest.approx(0.4)
    assert summary.share_crimes_by_repeat == pytest.approx(5 / 8)


@given(st.lists(st.integers(1, 50), min_size=1, max_size=200))
@settings(max_examples=100, deadline=None)
def test_repeat_offending_accounts_for_everyone(values):
    summary = repeat_offending(values)
    assert summary.one_offence + summary.repeat == summary.offenders == len(values)
    assert summary.crimes == sum(values)
    assert summary.share_crimes_by_repeat >= summary.share_repeat - 1e-12  # repeaters commit >= their share


@pytest.mark.parametrize(
    "call",
    [
        lambda: gini([]),
        lambda: gini([0, 0]),
        lambda: gini([1, -1, 3]),
        lambda: gini([1, float("nan")]),
        lambda: top_share([1, 2], 0),
        lambda: top_share([1, 2], 1.5),
        lambda: top_share([0, 0], 0.1),
        lambda: repeat_offending([]),
        lambda: repeat_offending([1, 0, 2]),
        lambda: repeat_offending([1, 2.5]),
    ],
)
def test_impossible_input_raises(call):
    with pytest.raises(StatisticsError):
        call()
