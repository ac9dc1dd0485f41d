"""Weighted survey shares: Kish's effective sample size, Wilson intervals, Don't know handling, waves."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from assess.errors import StatisticsError
from assess.measure.survey import (
    SAFE,
    answer_distribution,
    answer_indicator,
    answer_share,
    kish_effective_sample_size,
    problem_label,
    problem_shares,
    survey_waves,
    usable_weights,
    waves_for_year,
    weighted_share,
)
from assess.stats import change_in_proportions, wilson_interval


def test_kish_effective_sample_size() -> None:
    assert kish_effective_sample_size([1.0] * 10) == pytest.approx(10.0)
    assert kish_effective_sample_size([1.0, 2.0, 3.0]) == pytest.approx(36.0 / 14.0)
    # scaling the weights does not change it
    assert kish_effective_sample_size([10.0, 20.0, 30.0]) == pytest.approx(36.0 / 14.0)
    with pytest.raises(StatisticsError):
        kish_effective_sample_size([1.0, -1.0])
    with pytest.raises(StatisticsError):
        kish_effective_sample_size([0.0, 0.0])


def test_unweighted_share_excludes_missing_and_uses_wilson() -> None:
    indicator = pd.Series([True, True, False, pd.NA], dtype="boolean")
    share = weighted_share(indicator, None, label="x")
    assert share is not None
    assert (share.respondents, share.positive, share.excluded) == (3, 2, 1)
    assert share.value == pytest.approx(2 / 3)
    assert not share.weighted
    assert (share.lower, share.upper) == pytest.approx(wilson_interval(2, 3))


def test_weighted_share_uses_weights_and_kish_n() -> None:
    indicator = pd.Series([True, False, False, True], dtype="boolean")
    weights = pd.Series([3.0, 1.0, 1.0, 1.0])
    share = weighted_share(indicator, weights)
    assert share is not None and share.weighted
    assert share.value == pytest.approx(4 / 6)
    n_eff = 36 / 12
    assert share.effective_n == pytest.approx(n_eff)
    assert (share.lower, share.upper) == pytest.approx(wilson_interval(4 / 6 * n_eff, n_eff))
    # fewer effective respondents than actual ones: a wider interval than the unweighted one
    plain = weighted_share(indicator, None)
    assert plain is not None
    assert share.upper - share.lower > plain.upper - plain.lower


def test_weighted_share_none_when_nobody_answered() -> None:
    assert weighted_share(pd.Series([pd.NA, pd.NA], dtype="boolean")) is None


def test_answer_share_excludes_dont_know_and_blank() -> None:
    survey = pd.DataFrame(
        {
            "safe_after_dark": ["Very safe", "Fairly safe", "Very unsafe", "Don't know", None, "Neither safe nor unsafe"],
            "weight": [1.0] * 6,
        }
    )
    share = answer_share(survey, "safe_after_dark", SAFE, label="Feel safe")
    assert share is not None
    assert share.respondents == 4 and share.positive == 2 and share.excluded == 2
    assert share.value == pytest.approx(0.5)
    assert not share.weighted  # equal weights are no weighting
    assert answer_share(survey, "no_such_question", SAFE) is None


def test_answer_indicator_marks_excluded_as_missing() -> None:
    ind = answer_indicator(pd.Series(["Very safe", "Don't know", "", "Very unsafe"]), SAFE)
    assert ind.tolist()[0] is True and ind.tolist()[3] is False
    assert ind.isna().tolist() == [False, True, True, False]


def test_as_proportion_feeds_the_change_test() -> None:
    a = weighted_share(pd.Series([True] * 60 + [False] * 40, dtype="boolean"))
    b = weighted_share(pd.Series([True] * 80 + [False] * 20, dtype="boolean"))
    assert a is not None and b is not None
    change = change_in_proportions(a.as_proportion(), b.as_proportion())
    assert change.absolute == pytest.approx(0.2)
    assert change.verdict == "increase"


def test_usable_weights() -> None:
    assert usable_weights(pd.DataFrame({"weight": [1.0, 1.0]})) is None
    assert usable_weights(pd.DataFrame({"weight": [1.0, None]})) is None
    assert usable_weights(pd.DataFrame({"x": [1]})) is None
    w = usable_weights(pd.DataFrame({"weight": [0.5, 1.5]}))
    assert w is not None and w.tolist() == [0.5, 1.5]


def test_problem_shares_sorted_with_intervals() -> None:
    survey = pd.DataFrame(
        {
            "weight": [1.0, 2.0, 1.0, 1.0],
            "problem_asb": pd.array([True, False, False, pd.NA], dtype="boolean"),
            "problem_rough_sleeping": pd.array([True, True, True, False], dtype="boolean"),
        }
    )
    shares = problem_shares(survey)
    assert shares["label"].tolist() == ["Rough sleeping", "ASB"]
    top = shares.iloc[0]
    assert top["percent"] == pytest.approx(100 * 4 / 5)
    assert top["lower"] < top["percent"] < top["upper"]
    assert shares.iloc[1]["respondents"] == 3  # the blank answer is left out of the base


def test_problem_label() -> None:
    assert problem_label("problem_rough_sleeping") == "Rough sleeping"
    assert problem_label("problem_asb") == "ASB"


def test_answer_distribution_adds_to_100() -> None:
    survey = pd.DataFrame({"crime_change": ["More crime", "Less crime", "More crime", "Don't know"], "weight": [1, 1, 2, 1]})
    dist = answer_distribution(survey, "crime_change", ("More crime", "About the same", "Less crime", "Don't know"))
    assert dist["percent"].sum() == pytest.approx(100.0)
    assert dist.set_index("answer").loc["More crime", "respondents"] == 2
    assert dist.set_index("answer").loc["More crime", "percent"] == pytest.approx(60.0)
    assert dist.set_index("answer").loc["About the same", "respondents"] == 0


def test_waves_for_year() -> None:
    survey = pd.DataFrame({"survey_year": ["2023/24", "2022/23", "2024/25", "2025/26"]})
    assert survey_waves(survey) == ["2022/23", "2023/24", "2024/25", "2025/26"]
    assert waves_for_year(survey, "2024/25") == ("2024/25", "2023/24")
    assert waves_for_year(survey, "2022/23") == ("2022/23", None)
    assert waves_for_year(survey, "2021/22") == (None, None)
    # no wave for the year itself: the latest earlier one
    assert waves_for_year(survey[survey["survey_year"] != "2024/25"], "2024/25") == ("2023/24", "2022/23")


def test_share_percent_property() -> None:
    share = weighted_share(pd.Series([True, False], dtype="boolean"))
    assert share is not None and math.isclose(share.percent, 50.0)
