"""Counts of police.uk street records: by year, quarter, month, area and category; like-for-like periods."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assess import periods
from assess.measure import counts
from assess.measure.context import load_context
from assess.periods import financial_year_series
from assess.store.harmonise import POLICE_UK_CATEGORIES, category_id


def street_frame(rows: list[tuple[str, str, str | None, str | None]]) -> pd.DataFrame:
    """A tiny ``street`` table from (month, category, lsoa_code, ward_code) rows."""
    df = pd.DataFrame(rows, columns=["month", "category", "lsoa_code", "ward_code"])
    for c in df.columns:
        df[c] = df[c].astype("string")
    df["financial_year"] = financial_year_series(df["month"])
    df["category_id"] = df["category"].map(category_id).astype("string")
    df["is_asb"] = (df["category"] == "Anti-social behaviour").astype("boolean")
    return df


TINY = street_frame(
    [
        ("2017-03", "Burglary", "E01000001", "E05000001"),
        ("2017-04", "Burglary", "E01000001", "E05000001"),
        ("2017-04", "Drugs", "E01000002", "E05000001"),
        ("2017-05", "Anti-social behaviour", "E01000003", "E05000002"),
        ("2017-07", "Drugs", None, None),
        ("2017-07", "Anti-social behaviour", "E01000003", "E05000002"),
    ]
)


@pytest.fixture(scope="module")
def ctx(demo_data):  # type: ignore[no-untyped-def]
    return load_context(demo_data.csp, demo_data.year, processed_dir=demo_data.processed, raw_dir=demo_data.raw,
                        config_dir=demo_data.config_dir)


def test_category_counts_are_zero_filled_int64_over_the_crime_categories() -> None:
    c = counts.counts_by_category(TINY)
    assert list(c.index) == list(counts.CRIME_CATEGORIES)
    assert "Anti-social behaviour" not in c.index
    assert c.dtype == "int64"
    assert c["Burglary"] == 2 and c["Drugs"] == 2 and c["Robbery"] == 0


def test_area_counts_leave_out_unplaced_rows_and_fill_listed_areas() -> None:
    c = counts.counts_by_area(TINY, "ward", ["E05000001", "E05000002", "E05000003"])
    assert c.to_dict() == {"E05000001": 3, "E05000002": 2, "E05000003": 0}
    assert c.sum() == len(TINY) - 1  # the row with a blank LSOA is not in any ward
    with pytest.raises(ValueError, match="level"):
        counts.counts_by_area(TINY, "county")


def test_select_by_asb_and_by_category_label_or_id() -> None:
    assert len(counts.select(TINY, asb=True)) == 2
    assert len(counts.select(TINY, asb=False)) == 4
    assert len(counts.select(TINY, category="drugs")) == len(counts.select(TINY, category="Drugs")) == 2
    with pytest.raises(KeyError, match="not a police.uk category"):
        counts.select(TINY, category="fraud")


def test_year_and_quarter_counts() -> None:
    assert counts.counts_by_year(TINY, ["2016/17", "2017/18", "2018/19"]).to_dict() == {
        "2016/17": 1, "2017/18": 5, "2018/19": 0}
    q = counts.counts_by_quarter(TINY)
    assert q[["financial_year", "quarter", "months", "count"]].values.tolist() == [
        ["2016/17", 4, 1, 1], ["2017/18", 1, 2, 3], ["2017/18", 2, 1, 2]]


def test_area_by_category_crosstab_is_zero_filled() -> None:
    t = counts.area_by_category(TINY, "ward", ["E05000001", "E05000002"], ["Burglary", "Drugs", "Anti-social behaviour"])
    assert t.loc["E05000001"].tolist() == [2, 1, 0]
    assert t.loc["E05000002"].tolist() == [0, 0, 2]


def test_months_ranges_shifts_and_period_codes() -> None:
    assert periods.month_range("2016-11", "2017-02") == ["2016-11", "2016-12", "2017-01", "2017-02"]
    assert periods.month_range("2017-02", "2017-01") == []
    assert periods.shift_month("2017-02", -3) == "2016-11"
    assert periods.shift_month("2017-12", 1) == "2018-01"
    assert periods.period_code(periods.month_range("2017-04", "2018-03")) == "2017/18"
    assert periods.period_code(periods.month_range("2017-04", "2017-09")) == "2017-04 to 2017-09"
    assert periods.period_code(["2017-05"]) == "2017-05"
    assert periods.period_label(["2017-04", "2017-05", "2017-06"]) == "April 2017 to June 2017"


def test_monthly_series_marks_unpublished_months_missing_and_empty_months_zero() -> None:
    s = counts.monthly_series(TINY, asb=True)
    # 2017-06 has no record at all: police.uk published nothing (NaN); 2017-03 and 2017-04 have
    # records but no ASB (0)
    assert list(s.index) == ["2017-03", "2017-04", "2017-05", "2017-06", "2017-07"]
    assert s["2017-03"] == 0 and s["2017-05"] == 1 and s["2017-07"] == 1
    assert math.isnan(s["2017-06"])


def test_rolling_totals_restart_after_a_gap() -> None:
    months = periods.month_range("2015-01", "2017-06")
    values = np.arange(len(months), dtype="float64")
    values[14] = np.nan  # one unpublished month
    s = pd.Series(values, index=months)
    r = counts.rolling_12_month_totals(s)
    assert r.iloc[11] == values[:12].sum()
    assert r.iloc[:11].isna().all()
    assert r.iloc[13] == values[2:14].sum()
    # no total spans the gap: the next one is twelve published months after it
    assert r.iloc[14:26].isna().all()
    assert r.iloc[26] == values[15:27].sum()


def test_rolling_12_months_compares_the_two_years_to_a_month() -> None:
    street = street_frame([(m, "Burglary", "E01000001", "E05000001") for m in periods.month_range("2015-10", "2017-09")]
                          + [("2017-09", "Drugs", "E01000001", "E05000001")])
    r = counts.rolling_12_months(street, "2017-09")
    assert (r.current, r.previous) == (13, 12)
    assert r.months[0] == "2016-10" and r.previous_months[-1] == "2016-09"
    assert r.complete and r.period == "2016-10 to 2017-09"
    short = counts.rolling_12_months(street[street["month"] >= "2016-01"], "2017-09")
    assert not short.complete and short.missing_months[:3] == ("2015-10", "2015-11", "2015-12")


def test_year_to_date_on_the_demo_counts_every_record_of_both_years(ctx) -> None:  # type: ignore[no-untyped-def]
    pc = counts.year_to_date(ctx)
    assert ctx.complete
    assert pc.current == len(ctx.street(ctx.year, asb=False)) > 0
    assert pc.previous == len(ctx.street(ctx.previous_year, asb=False)) > 0
    assert (pc.period, pc.previous_period, pc.label) == ("2024/25", "2023/24", "2024/25")
    assert pc.complete
    by_cat = counts.counts_by_category(ctx.street(ctx.year, asb=False))
    assert by_cat.sum() == pc.current
    assert counts.year_to_date(ctx, category="burglary").current == by_cat["Burglary"]


def test_an_incomplete_year_compares_the_same_months(demo_data) -> None:  # type: ignore[no-untyped-def]
    c = load_context(demo_data.csp, demo_data.year, processed_dir=demo_data.processed, raw_dir=demo_data.raw,
                     config_dir=demo_data.config_dir)
    full = c.street_all
    c.__dict__["street_all"] = full[full["month"] <= "2024-09"]
    pc = counts.year_to_date(c, asb=True)
    assert not c.complete
    assert pc.months == tuple(periods.month_range("2024-04", "2024-09"))
    assert pc.previous_months == tuple(periods.month_range("2023-04", "2023-09"))
    assert (pc.period, pc.previous_period) == ("2024-04 to 2024-09", "2023-04 to 2023-09")
    expected = full[(full["month"] >= "2023-04") & (full["month"] <= "2023-09") & full["is_asb"].astype(bool)]
    assert pc.previous == len(expected)
    assert "April 2024 to September 2024" in pc.label
    by_year = counts.counts_by_year_like_for_like(c, asb=True)
    assert by_year["2023/24"] == pc.previous
    assert counts.year_months_present(c).tolist() == [6, 6, 6, 6]


def test_categories_of_the_demo_are_the_harmonised_set(ctx) -> None:  # type: ignore[no-untyped-def]
    assert set(ctx.street_all["category"].unique()) <= set(POLICE_UK_CATEGORIES)
