"""Periods: financial years, months and the one like-for-like rule (assess.periods)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assess import periods


def test_like_for_like_cuts_every_year_to_the_months_the_latest_holds() -> None:
    lfl = periods.like_for_like("2024/25", ["2024-04", "2024-05", "2024-06", "2023-04", "2025-09"])
    assert lfl.month_numbers == ("04", "05", "06") and not lfl.complete
    assert lfl.months("2022/23") == ["2022-04", "2022-05", "2022-06"]
    assert lfl.period("2022/23") == "2022-04 to 2022-06"
    assert lfl.describe("2024/25") == "2024/25 (April 2024 to June 2024)"
    whole = periods.like_for_like("2024/25", periods.months_of_financial_year("2024/25"))
    assert whole.complete and whole.period("2023/24") == "2023/24" and whole.describe("2023/24") == "2023/24"


def test_a_year_holding_only_january_to_march_compares_the_same_calendar_months() -> None:
    lfl = periods.like_for_like("2017/18", ["2018-01", "2018-02", "2018-03"])
    assert lfl.months("2016/17") == ["2017-01", "2017-02", "2017-03"]


@given(st.integers(2000, 2040), st.sets(st.integers(1, 12), min_size=1), st.integers(-5, 5))
def test_like_for_like_months_are_the_same_positions_shifted_by_whole_years(start: int, months: set[int], back: int) -> None:
    year = periods.financial_year_label(start)
    present = [m for m in periods.months_of_financial_year(year) if int(m[5:]) in months]
    other = periods.shift_financial_year(year, back)
    compared = periods.like_for_like(year, present).months(other)
    assert compared == [periods.shift_month(m, 12 * back) for m in present]
    expected = other if len(months) == 12 else (compared[0] if len(compared) == 1 else f"{compared[0]} to {compared[-1]}")
    assert periods.period_code(compared) == expected


def test_month_helpers() -> None:
    assert periods.month_range("2016-11", "2017-02") == ["2016-11", "2016-12", "2017-01", "2017-02"]
    assert periods.shift_month("2017-02", -3) == "2016-11"
    assert periods.financial_year_of_month("2017-02") == "2016/17"
    assert periods.month_name("2017-02") == "February 2017"
