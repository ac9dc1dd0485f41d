"""Sentences: right numbers, right verdict words, and no number that is not from the arguments."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.errors import StatisticsError
from assess.measure.narrative import (
    describe_change,
    describe_comparison,
    describe_group_rank,
    describe_proportion,
    describe_repeat_offending,
    describe_top_share,
    describe_trend,
    format_count,
    format_percent,
    format_percentage_points,
    format_rate,
    format_share,
    ordinal,
    possessive,
)
from assess.stats import (
    change_in_counts,
    change_in_proportions,
    change_in_rates,
    compare_with_benchmark,
    compare_with_group,
    proportion,
    rate_per_1000,
    repeat_offending,
    top_share,
    trend_test,
)

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers_in(sentence: str) -> list[str]:
    return NUMBER.findall(sentence)


# --- formatting --------------------------------------------------------------------------------


def test_formatting():
    assert format_count(27301) == "27,301"
    assert format_count(1234567.4) == "1,234,567"
    assert format_rate(121.3453) == "121.3"
    assert format_rate(1021.26) == "1,021.3"
    assert format_percent(10.6736) == "10.7%"
    assert format_percent(10.6736, signed=True) == "+10.7%"
    assert format_percent(-3.21, signed=True) == "-3.2%"
    assert format_percent(-0.01, signed=True) == "0.0%"
    assert format_rate(12.25) == "12.3" and format_percent(2.675, decimals=2) == "2.68%"  # halves up
    assert format_count(2.5) == "3"
    assert format_share(81 / 263) == "30.8%"
    assert format_percentage_points(0.042) == "+4.2 percentage points"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th",
    ]  # fmt: skip
    assert possessive("England") == "England's"
    assert possessive("Its") == "Its"
    assert possessive("Hastings") == "Hastings'"


# --- change ------------------------------------------------------------------------------------


def test_describe_change_headline():
    sentence = describe_change("All crime", change_in_counts(27301, 30215))
    assert sentence == "All crime rose by 10.7% (from 27,301 to 30,215), a statistically significant increase."


def test_describe_change_fall_and_not_significant():
    assert (
        describe_change("Burglary", change_in_counts(1200, 1000))
        == "Burglary fell by 16.7% (from 1,200 to 1,000), a statistically significant decrease."
    )
    assert (
        describe_change("Robbery", change_in_counts(100, 104))
        == "Robbery rose by 4.0% (from 100 to 104), not a statistically significant change."
    )


def test_describe_change_edge_cases():
    assert describe_change("Arson", change_in_counts(0, 4)) == (
        "Arson rose from 0 to 4 crimes, not a statistically significant change."
    )
    assert describe_change("Arson", change_in_counts(7, 7)) == "Arson was unchanged at 7 crimes."
    slight = describe_change("All crime", change_in_counts(100_000, 100_001))
    assert slight == "All crime rose slightly (from 100,000 to 100,001), not a statistically significant change."


def test_describe_change_of_rates_and_proportions():
    rates = change_in_rates(rate_per_1000(100, 10_000), rate_per_1000(150, 10_000))
    assert describe_change("The rate", rates, unit="crimes per 1,000 population") == (
        "The rate rose by 50.0% (from 10.0 to 15.0 crimes per 1,000 population), a statistically significant increase."
    )
    shares = change_in_proportions(proportion(48, 80), proportion(56, 70))
    assert describe_change("The share resolved", shares) == (
        "The share resolved rose from 60.0% to 80.0% (+20.0 percentage points), a statistically significant increase."
    )


@given(st.integers(0, 10**6), st.integers(0, 10**6))
@settings(max_examples=150, deadline=None)
def test_change_sentence_numbers_come_from_the_change(previous, current):
    change = change_in_counts(previous, current)
    sentence = describe_change("All crime", change)
    allowed = {format_count(previous), format_count(current)}
    if change.percent is not None:
        allowed.add(format_percent(abs(change.percent))[:-1])
    assert set(numbers_in(sentence)) <= allowed
    assert format_count(current) in sentence
    if change.verdict == "increase":
        assert "statistically significant increase" in sentence and " rose " in sentence
    elif change.verdict == "decrease":
        assert "statistically significant decrease" in sentence and " fell " in sentence
    else:
        assert "statistically significant" not in sentence or "not a statistically significant" in sentence


# --- comparison --------------------------------------------------------------------------------


def test_describe_comparison_example():
    rate = rate_per_1000(30215, 249_000)
    comparison = compare_with_benchmark(rate, 73.0)
    assert describe_comparison("Its", rate, "England", comparison) == (
        "Its rate, 121.3 per 1,000 population, is significantly higher than England's, 73.0 per 1,000."
    )


def test_describe_comparison_other_verdicts_and_units():
    rate = rate_per_1000(730, 10_000)
    similar = describe_comparison("Southampton", rate, "England", compare_with_benchmark(rate, 73.0))
    assert similar == "Southampton's rate, 73.0 per 1,000 population, is similar to England's, 73.0 per 1,000."
    from assess.stats import rate_per_100000

    small = rate_per_100000(30, 1_000_000)
    lower = describe_comparison("Its", small, "the force", compare_with_benchmark(small, 9.0), unit="per 100,000 residents")
    assert lower == "Its rate, 3.0 per 100,000 residents, is significantly lower than the force's, 9.0 per 100,000."
    share = proportion(81, 263)
    assert describe_comparison("Its", share, "England", compare_with_benchmark(share, 0.2)) == (
        "Its proportion, 30.8%, is significantly higher than England's, 20.0%."
    )


@given(
    count=st.integers(0, 10**6),
    population=st.floats(1_000, 1e7),
    benchmark=st.floats(0, 1_000),
    per=st.sampled_from([1000, 100_000]),
)
@settings(max_examples=100, deadline=None)
def test_comparison_sentence_numbers_come_from_the_arguments(count, population, benchmark, per):
    from assess.stats import rate_per

    rate = rate_per(count, population, per)
    comparison = compare_with_benchmark(rate, benchmark)
    sentence = describe_comparison("Its", rate, "England", comparison)
    assert set(numbers_in(sentence)) <= {format_rate(rate.value), format_rate(benchmark), f"{per:,}"}
    words = {"significantly higher": "significantly higher than", "significantly lower": "significantly lower than"}
    assert words.get(comparison.verdict, "is similar to") in sentence


def test_describe_comparison_refuses_a_mismatched_comparison():
    rate = rate_per_1000(30215, 249_000)
    other = compare_with_benchmark(rate_per_1000(10, 1000), 73.0)
    with pytest.raises(StatisticsError):
        describe_comparison("Its", rate, "England", other)


# --- group, trend, proportion, concentration ---------------------------------------------------


def test_describe_group_rank():
    counts = {"Avon": 1200, "Brent": 800, "Crewe": 800, "Derby": 2500, "Ely": 90}
    pops = {"Avon": 100_000, "Brent": 80_000, "Crewe": 50_000, "Derby": 200_000, "Ely": 10_000}
    group = compare_with_group(counts, pops, "Avon")
    # pooled group rate 5,390 / 440,000 = 12.25 per 1,000; Avon 12.0 (11.3 to 12.7)
    assert describe_group_rank("Avon", group) == (
        "Avon had the 3rd highest rate of the 5 areas in its most similar group, 12.0 per 1,000 population "
        "against 12.3 per 1,000 for the group as a whole, similar to the group."
    )
    top = describe_group_rank("Crewe", compare_with_group(counts, pops, "Crewe"), "its family")
    assert top.startswith("Crewe had the highest rate of the 5 areas in its family, 16.0 per 1,000 population")
    assert top.endswith("significantly higher than the group.")
    tied = compare_with_group({"A": 10, "B": 20, "C": 20}, {"A": 1000, "B": 1000, "C": 1000}, "C")
    assert "joint highest rate of the 3 areas" in describe_group_rank("C", tied)


def test_describe_trend():
    rising = trend_test([1000, 1100, 1210, 1331, 1464])
    assert describe_trend("All crime", rising) == (
        "All crime rose by an average of 10.0% a year over the 5 years, a statistically significant rising trend."
    )
    falling = trend_test([1464, 1331, 1210, 1100, 1000] * 1)
    assert describe_trend("Burglary", falling, "month") == (
        "Burglary fell by an average of 9.1% a month over the 5 months, a statistically significant falling trend."
    )
    flat = trend_test([100, 98, 103, 101, 99])
    sentence = describe_trend("Robbery", flat)
    assert sentence.startswith("Robbery showed no statistically significant trend over the 5 years (average change ")
    assert format_percent(flat.percent_per_period, signed=True) in sentence
    assert describe_trend("Arson", trend_test([0, 0, 9])) == (
        "Arson was recorded only in the last of the 3 years, a statistically significant rising trend."
    )


def test_describe_proportion():
    assert describe_proportion("were repeat offenders", "offenders", proportion(81, 263)) == (
        "Of 263 offenders, 81 (30.8%; 95% confidence interval 25.5% to 36.6%) were repeat offenders."
    )
    assert describe_proportion("were repeat offenders", "offenders", proportion(81, 263), show_interval=False) == (
        "Of 263 offenders, 81 (30.8%) were repeat offenders."
    )


def test_describe_top_share_and_repeat_offending():
    counts = [50, 20, 10, 5, 5, 4, 3, 2, 1, 0] + [0] * 15
    assert describe_top_share(top_share(counts, 0.1), 0.1, len(counts)) == (
        "The 3 wards with the most crime (12.0% of the 25 wards) accounted for 80.0% of it."
    )
    # the share named is the share of places actually counted: 2 of 16 is 12.5%, never "10%"
    sixteen = describe_top_share(top_share(counts[:16], 0.1), 0.1, 16)
    assert sixteen.startswith("The 2 wards with the most crime (12.5% of the 16 wards)") and "10%" not in sixteen
    assert describe_top_share(0.5, 0.1, 5, "LSOAs").startswith("The 1 LSOA with the most crime (20.0% of the 5 LSOAs)")
    assert describe_repeat_offending(repeat_offending([1, 1, 2, 3, 1])) == (
        "Of 5 offenders, 2 (40.0%) committed more than one offence; they accounted for 62.5% of the 8 offences."
    )


# --- one rounding, and notes on method -----------------------------------------------------------


def test_rounding_is_once_and_half_up_on_every_helper():
    import pandas as pd

    from assess.measure.narrative import round_column, round_table, rounded

    # 5.7467 is 5.7 (never 5.7467 -> 5.75 -> 5.8); 5.65 is 5.7 (pandas' round gives 5.6)
    assert rounded(5.7467) == 5.7 and format_rate(5.7467) == "5.7"
    assert rounded(5.65) == 5.7 and pd.Series([5.65]).round(1).iloc[0] == 5.6
    column = pd.Series([5.7467, 5.65, None, 2.675], dtype="float64")
    assert round_column(column, 1).tolist()[:2] == [5.7, 5.7] and pd.isna(round_column(column, 1).iloc[2])
    assert round_column(column, 2).iloc[3] == 2.68
    table = pd.DataFrame({"n": pd.Series([3, 4], dtype="int64"), "rate": [5.7467, 12.25], "other": [0.125, 1.0]})
    assert round_table(table, {"rate": 1}).to_dict("list") == {"n": [3, 4], "rate": [5.7, 12.3], "other": [0.125, 1.0]}
    assert round_table(table, 2)["other"].tolist() == [0.13, 1.0]
    nullable = pd.Series([1.25, None], dtype="Float64")
    assert round_column(nullable, 1).dtype == "Float64" and round_column(nullable, 1).iloc[0] == 1.3


@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 3))
@settings(max_examples=200, deadline=None)
def test_a_table_cell_and_a_sentence_show_the_same_digits(value, decimals):
    import pandas as pd

    from assess.measure.narrative import format_number, round_column

    cell = round_column(pd.Series([value], dtype="float64"), decimals).iloc[0]
    assert format_number(cell, decimals) == format_number(value, decimals)


def test_method_notes_name_the_test_and_the_dispersion():
    import numpy as np
    import pandas as pd

    from assess.measure.narrative import change_method_note, format_p
    from assess.stats import change_in_monthly_counts, change_in_totals

    months = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)]
    rng = np.random.default_rng(4)
    monthly = pd.Series(rng.poisson(500 * rng.gamma(8.0, 1 / 8.0, len(months))), index=months)
    change = change_in_monthly_counts(monthly, months[24:], months[12:24])
    note = change_method_note(change)
    assert "quasi-Poisson" in note and f"dispersion {format_number_1(change.dispersion)}" in note
    assert f"on {change.dispersion_df} degrees of freedom" in note and format_p(change.p_value) in note
    exact = change_method_note(change_in_totals(100, 130, reason="the Home Office publishes yearly totals only"))
    assert "exact test of the two totals" in exact and "because the Home Office publishes yearly totals only" in exact
    assert format_p(0.00001) == "p < 0.001" and format_p(0.0042) == "p = 0.004" and format_p(0.352) == "p = 0.35"


def format_number_1(value: float) -> str:
    from assess.measure.narrative import format_number

    return format_number(value, 1)


def test_funnel_sentences_name_every_area_outside():
    from assess.measure.narrative import describe_funnel_outside, funnel_method_note
    from assess.stats import funnel_assessment

    counts = {f"Area {i}": c for i, c in enumerate([100, 105, 98, 300, 101, 99, 30, 102, 97, 103])}
    pops = {name: 10_000.0 for name in counts}
    funnel = funnel_assessment(counts, pops, 10.0, per=1000, adjustment="none")
    sentence = describe_funnel_outside(funnel, "areas")
    assert "Above the 99.8% limit: Area 3." in sentence and "Below the 99.8% limit: Area 6." in sentence
    assert "exact Poisson" in funnel_method_note(funnel, "areas")
    calm = funnel_assessment({k: 100 for k in counts}, pops, 10.0, per=1000)
    assert describe_funnel_outside(calm, "areas") == "Every one of the 10 areas lies within the 95% limits."
    # rates 6 to 15 per 1,000 on 100,000 residents each: far more spread than chance (phi about 49)
    wide = {f"Area {i}": c for i, c in enumerate([800, 1200, 950, 1500, 700, 1100, 1300, 600, 1000, 900])}
    spread = funnel_assessment(wide, {k: 100_000.0 for k in wide}, 10.0, per=1000)
    assert spread.adjustment_applied == "additive"
    assert "additive random-effects adjustment" in funnel_method_note(spread, "areas")
    assert describe_funnel_outside(spread, "areas") == "Every one of the 10 areas lies within the 95% limits."


def test_a_verdict_that_allowed_for_the_variation_between_areas_says_so():
    import dataclasses

    from assess.stats import compare_with_benchmark_overdispersed, estimate_overdispersion

    counts = {"Avon": 1500, "Brent": 800, "Crewe": 1300, "Derby": 600, "Ely": 1000, "Frome": 900}
    pops = {name: 100_000 for name in counts}
    group = compare_with_group(counts, pops, "Avon")
    od = estimate_overdispersion(list(counts.values()), list(pops.values()), group.group_rate)
    dispersed = compare_with_benchmark_overdispersed(1500, 100_000, group.group_rate, od)
    assert od.detected and dispersed.adjustment == "additive"
    assert group.verdict == "significantly higher" and dispersed.verdict == "similar"  # 15.0 against 10.2 per 1,000
    sentence = describe_group_rank("Avon", dataclasses.replace(group, verdict=dispersed.verdict, comparison=dispersed))
    assert sentence.endswith("similar to the group once the variation between its areas is allowed for.")
    rate = group.rate
    assert "allowing for the variation between areas, not significantly different from" in describe_comparison(
        "Avon", rate, "the group", dispersed)
