"""Values that parse but cannot be true are refused naming the file, row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.config import POLICE_UK_FORCES
from assess.errors import InputError
from assess.sources.plausibility import (
    POPULATION_BOUNDS,
    check_financial_years_not_future,
    check_force_of_file,
    check_months_not_future,
    check_population,
    check_years_not_future,
    financial_year_after,
    force_matches_slug,
    month_after,
    population_problem,
)

TODAY = dt.date(2026, 12, 1)
PATH = Path("x.csv")


def frame(column: str, values: list[object]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.array(values, dtype="string"), "source_row": range(2, 2 + len(values))})


def test_future_months_are_refused_at_their_first_row() -> None:
    df = frame("month", ["2026-11", "2026-12", "2031-04", None, "2027-01"])
    with pytest.raises(InputError, match=r"x.csv, row 4, column 'Month': the month '2031-04' is after today \(2026-12\) \(2 rows in all\)"):
        check_months_not_future(df, "month", PATH, TODAY, label="Month")
    check_months_not_future(frame("month", ["2026-12", None]), "month", PATH, TODAY)  # this month is fine


@settings(deadline=None)  # timing is not what is tested; the machine is shared
@given(st.integers(2000, 2040), st.integers(1, 12))
def test_a_month_is_future_exactly_when_it_starts_after_today(year: int, month: int) -> None:
    assert month_after(f"{year}-{month:02d}", TODAY) == (dt.date(year, month, 1) > TODAY.replace(day=1))


def test_a_financial_year_that_has_not_begun_is_refused() -> None:
    assert financial_year_after("2027/28", TODAY) and not financial_year_after("2026/27", TODAY)
    with pytest.raises(InputError, match=r"row 3, column 'survey_year': the financial year '2030/31' has not begun yet"):
        check_financial_years_not_future(frame("survey_year", ["2024/25", "2030/31"]), "survey_year", PATH, TODAY)


def test_a_calendar_year_after_this_one_is_refused() -> None:
    check_years_not_future(frame("period", ["2026", "2024-2026", "2025/26"]), "period", PATH, TODAY)
    with pytest.raises(InputError, match=r"row 2, column 'period': the year '2031' is after this one \(2026\)"):
        check_years_not_future(frame("period", ["2031", "2024"]), "period", PATH, TODAY)


@pytest.mark.parametrize(("value", "geography", "band", "expected"), [
    (1e18, "ward", "all", "more people than any WARD holds"),
    (0, "ward", "all", "a total of 0 for a WARD"),
    (0, "lsoa", "households", "a total of 0 for a LSOA"),
    (0, "lsoa", "90+", None),  # nobody aged 90 or more is possible
    (3_750_000, "lad", "all", None),  # the demo's largest fictional authority
    (1_200_000, "lsoa", "all", "more people than any LSOA holds"),
    (float("nan"), "ward", "all", None),
])
def test_population_bounds(value: float, geography: str, band: str, expected: str | None) -> None:
    problem = population_problem(value, geography, band)
    assert (problem is None) if expected is None else (expected in str(problem))


def test_population_check_names_the_row_and_band() -> None:
    df = pd.DataFrame({"value": [5400, 10**18], "geography": ["ward", "ward"], "age_band": ["all", "all"], "row": [4, 5]})
    with pytest.raises(InputError, match=r"row 5, column 'All Ages': 1,000,000,000,000,000,000 is more people"):
        check_population(df, PATH, label="All Ages")


def test_bounds_grow_with_the_geography() -> None:
    order = ["oa", "lsoa", "msoa", "ward", "lad", "pfa", "country"]
    highs = [POPULATION_BOUNDS[g][1] for g in order]
    assert highs == sorted(highs)


def test_every_data_police_uk_force_matches_its_own_name_and_no_other() -> None:
    for slug, name in POLICE_UK_FORCES.items():
        matching = [s for s in POLICE_UK_FORCES if force_matches_slug(name, s)]
        assert matching == [slug], (name, matching)


@pytest.mark.parametrize(("name", "slug"), [
    ("Hampshire and Isle of Wight Constabulary", "hampshire"),  # renamed in 2022, slug kept
    ("Devon & Cornwall Police", "devon-and-cornwall"),
    ("Metropolitan Police Service", "metropolitan"),
    ("British Transport Police", "btp"),
])
def test_names_that_changed_or_differ_from_their_slug_still_match(name: str, slug: str) -> None:
    assert force_matches_slug(name, slug)


def test_a_file_named_for_one_force_holding_another_forces_rows_is_refused() -> None:
    df = frame("reported_by", ["Hampshire Constabulary", "Hampshire Constabulary", "Thames Valley Police"])
    check_force_of_file(df.iloc[:2], "reported_by", "hampshire", PATH)
    with pytest.raises(InputError, match=r"row 4, column 'Reported by': the file is named for the force 'hampshire' but this "
                                         r"row was reported by 'Thames Valley Police'"):
        check_force_of_file(df, "reported_by", "hampshire", PATH, label="Reported by")
