"""National benchmarks: look-up by measure and period, a clear None when absent, comparison sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.measure.national import (
    Benchmark,
    available_measures,
    compare,
    comparison_sentence,
    find_benchmark,
    national_benchmark,
)
from assess.stats import proportion, rate_per


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": ["feel_safe_after_dark", "feel_safe_after_dark", "rough_sleeping", "hate_crime"],
            "period": ["2023/24", "2024/25", "2024", "2024/25"],
            "area": ["England", "England", "England", "England and Wales"],
            "value": [74.5, 75.1, 0.19, 2.4],
            "unit": ["percent", "percent", "per 1,000 households", "per 1,000 population"],
            "source": ["CSEW", "CSEW", "MHCLG", "Home Office"],
        }
    )


def test_exact_period(table: pd.DataFrame) -> None:
    b = find_benchmark(table, "feel_safe_after_dark", "2023/24", area="England")
    assert b == Benchmark("feel_safe_after_dark", "2023/24", "England", 74.5, "percent", "CSEW")
    assert b.label == "England (2023/24)"


def test_latest_without_period_and_case_insensitive(table: pd.DataFrame) -> None:
    b = find_benchmark(table, "  Feel_Safe_After_Dark ")
    assert b is not None and b.period == "2024/25" and b.value == 75.1


def test_none_when_absent(table: pd.DataFrame) -> None:
    assert find_benchmark(None, "feel_safe_after_dark") is None
    assert find_benchmark(table.iloc[0:0], "feel_safe_after_dark") is None
    assert find_benchmark(table, "no_such_measure") is None
    assert find_benchmark(table, "feel_safe_after_dark", "2019/20") is None
    assert find_benchmark(table, "feel_safe_after_dark", "2025/26") is None
    assert find_benchmark(pd.DataFrame({"measure": ["x"]}), "x") is None


def test_latest_if_missing_takes_latest_not_after(table: pd.DataFrame) -> None:
    b = find_benchmark(table, "feel_safe_after_dark", "2025/26", latest_if_missing=True)
    assert b is not None and b.period == "2024/25"
    assert find_benchmark(table, "feel_safe_after_dark", "2020/21", latest_if_missing=True) is None


def test_area_falls_back_only_when_the_measure_has_one_area(table: pd.DataFrame) -> None:
    b = find_benchmark(table, "hate_crime", "2024/25", area="England")
    assert b is not None and b.area == "England and Wales"
    two = pd.concat([table, table.iloc[[3]].assign(area="Wales")])
    assert find_benchmark(two, "hate_crime", "2024/25", area="England") is None


def test_percent_conversion() -> None:
    pct = Benchmark("m", "2024/25", "England", 75.1, "percent", "s")
    assert pct.is_percent and pct.as_fraction() == pytest.approx(0.751) and pct.as_percent() == pytest.approx(75.1)
    frac = Benchmark("m", "2024/25", "England", 0.3, "proportion", "s")
    assert not frac.is_percent and frac.as_fraction() == pytest.approx(0.3)


def test_compare_and_sentence() -> None:
    pct = Benchmark("m", "2024/25", "England", 75.1, "percent", "CSEW")
    low = proportion(600, 1000)
    assert compare(low, pct).verdict == "significantly lower"
    text = comparison_sentence("Wessex Vale", low, pct)
    assert text.startswith("Wessex Vale's proportion, 60.0%, is significantly lower than England's, 75.1%")
    assert "2024/25" in text and "CSEW" in text
    rate = rate_per(24, 108306, 1000)
    rs = Benchmark("rough_sleeping", "2024", "England", 0.19, "per 1,000 households", "MHCLG")
    text = comparison_sentence("Wessex Vale", rate, rs, unit="per 1,000 households", decimals=2)
    assert "0.22 per 1,000 households, is similar to England's, 0.19 per 1,000 households" in text
    assert comparison_sentence("X", rate, None, absent="none here") == "none here"


def test_available_measures(table: pd.DataFrame) -> None:
    assert available_measures(table) == ["feel_safe_after_dark", "hate_crime", "rough_sleeping"]
    assert available_measures(None) == []


def test_national_benchmark_from_demo_file(demo_ctx, bare_ctx) -> None:  # type: ignore[no-untyped-def]
    b = national_benchmark(demo_ctx, "feel_safe_after_dark", "2024/25")
    assert b is not None and b.area == demo_ctx.cfg.national_name and b.period == "2024/25"
    # several names, the first found wins; a later period falls back to the latest earlier one
    b = national_benchmark(demo_ctx, ("not_there", "youth_custody_rate"), "2026/27")
    assert b is not None and b.measure == "youth_custody_rate" and b.period == "2024/25"
    assert national_benchmark(demo_ctx, "not_there") is None
    # cached reads give the same table
    first, second = demo_ctx.partner("benchmarks"), demo_ctx.partner("benchmarks")
    assert first is not None and second is not None and first.equals(second) and first is not second
    # no partner files: None, not an error
    assert bare_ctx.partner("benchmarks") is None
    assert national_benchmark(bare_ctx, "feel_safe_after_dark", "2024/25") is None
