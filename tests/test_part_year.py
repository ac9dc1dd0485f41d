"""An incomplete year is compared like for like, its rates are labelled part-year, and a year
with no data is absent (never a zero): the demo context cut to April to September 2024."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from assess.chapters import anti_social_behaviour as asb
from assess.chapters import places as pl
from assess.chapters import recorded_crime as rc
from assess.report import charts
from assess.report.outputs import ChapterOutputs

HALF = [f"2024-{m:02d}" for m in range(4, 10)]
LAST_HALF = [f"2023-{m:02d}" for m in range(4, 10)]


def cut(ctx, first: str = "0000-00", last: str = "2024-09"):  # type: ignore[no-untyped-def]
    """A copy of the demo context whose police.uk records run from ``first`` to ``last``."""
    c = dataclasses.replace(ctx)
    full = ctx.street_all
    c.__dict__["street_all"] = full[(full["month"] >= first) & (full["month"] <= last)]
    return c


@pytest.fixture(scope="module")
def half_year(demo_ctx):  # type: ignore[no-untyped-def]
    return cut(demo_ctx)


def metrics_of(out: ChapterOutputs) -> dict[str, dict]:
    return {m["id"]: m for m in json.loads(out.metrics_path.read_text())}


def test_an_incomplete_year_is_compared_with_the_same_months_of_last_year(half_year) -> None:  # type: ignore[no-untyped-def]
    head = rc.headline_figures(half_year)
    assert list(head.counts.months) == HALF and list(head.counts.previous_months) == LAST_HALF
    street = half_year.street_all
    crime = street[~street["is_asb"].astype(bool)]
    assert head.counts.current == int(crime["month"].isin(HALF).sum())
    assert head.counts.previous == int(crime["month"].isin(LAST_HALF).sum())  # never the whole of 2023/24
    assert head.part_year and head.change is not None
    assert head.change.method_id == "quasi-poisson-glm-month-effects"  # the monthly series behind the half years


def test_its_rate_is_labelled_part_year_on_every_surface(half_year, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, "01_recorded_crime", 5)
    rc.headline(half_year, out)
    m = metrics_of(out)["all_crime"]
    assert m["period"] == "2024-04 to 2024-09" and m["previous_period"] == "2023-04 to 2023-09"
    assert m["period_months"] == 6
    assert m["display"]["rate"].endswith("(part year: 6 months)")
    assert "part-year rate" in m["note"]
    assert any("a part-year rate over 6 months, not annualised" in s for s in out.said)
    from assess.report.index import format_metric

    assert "(part year: 6 months)" in format_metric(m)["rate"]


def test_every_year_counts_the_same_months_and_a_year_without_them_is_absent(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    half = cut(demo_ctx)
    yearly = rc.yearly_counts(half)
    assert (yearly["months"] == 6).all() and yearly["comparable"].all()
    crime = half.street_all[~half.street_all["is_asb"].astype(bool)]
    for fy, count in zip(yearly["financial_year"], yearly["count"], strict=True):
        start = int(fy[:4])
        assert count == int(crime["month"].isin([f"{start}-{m:02d}" for m in range(4, 10)]).sum())
    # records from October 2022 only: 2021/22 has none, and 2022/23 none of April to September
    late = cut(demo_ctx, first="2022-10")
    years = rc.yearly_counts(late)
    assert years["financial_year"].tolist() == ["2023/24", "2024/25"]  # absent, not 0
    assert (years["count"] > 0).all()
    monthly = rc.monthly_table(late)
    assert monthly["month"].iloc[0] == "2022-10"  # no month before the data begins, and none drawn as 0


def test_the_chart_draws_only_years_with_every_compared_month(demo_ctx, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    late = cut(demo_ctx, first="2022-06")  # 2022/23 lacks April and May 2022
    drawn: list[pd.DataFrame] = []
    real = charts.line_trend

    def spy(df, *args, **kwargs):  # type: ignore[no-untyped-def]
        drawn.append(df.copy())
        return real(df, *args, **kwargs)

    monkeypatch.setattr(rc.charts, "line_trend", spy)
    out = ChapterOutputs(tmp_path, "01_recorded_crime", 5)
    rc.trend(late, out)
    table = pd.read_csv(out.table_path("crime_by_year"))
    assert table["Financial year"].tolist() == ["2022/23", "2023/24", "2024/25"]
    assert table.loc[0, "Like for like"] in (False, "False") and table.loc[0, "Months with data"] == 4
    assert drawn and drawn[0]["financial_year"].tolist() == ["2023/24", "2024/25"]  # the part year is not drawn
    assert (drawn[0]["count"] > 0).all()


def test_a_part_year_rate_is_not_set_against_an_annual_national_rate(half_year, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, "07_anti_social_behaviour", 5)
    asb.headline(half_year, out)
    m = metrics_of(out)["anti_social_behaviour"]
    assert m["comparison_verdicts"] == {} and m["period_months"] == 6
    assert any("not compared with the national annual rate" in s for s in out.said)
    out = ChapterOutputs(tmp_path, "03_places", 5)
    pl.wards(half_year, out)
    ward = metrics_of(out)["highest_rate_ward"]
    assert ward["period"] == "2024-04 to 2024-09" and "part-year" in ward["note"]
