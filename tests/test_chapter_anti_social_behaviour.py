"""Chapter 7 (anti-social behaviour): headline, national benchmark, wards, months, absent data and the notebook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ingest_partner_files, run_chapter

from assess.chapters import anti_social_behaviour as asb
from assess.chapters import common
from assess.measure.national import per_of_unit
from assess.report.outputs import ChapterOutputs
from assess.stats import compare_with_benchmark, rate_per

CHAPTER = "07_anti_social_behaviour"


def metric(path: Path) -> dict:
    (m,) = json.loads((path / "metrics" / f"{CHAPTER}.json").read_text())
    return m


def test_per_of_unit() -> None:
    assert per_of_unit("per 1,000 population") == 1000
    assert per_of_unit("incidents per 100,000 residents") == 100_000
    assert per_of_unit("percent") is None


def test_asb_by_ward_counts_both_years_and_ranks_by_rate(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    t = asb.asb_by_ward(demo_ctx)
    assert len(t) == 16
    assert t["current"].sum() == demo_ctx.street(demo_ctx.year, asb=True)["ward_code"].notna().sum()
    assert t["previous"].sum() == demo_ctx.street(demo_ctx.previous_year, asb=True)["ward_code"].notna().sum()
    assert t["rate"].is_monotonic_decreasing
    assert set(t["verdict"]) <= {"increase", "decrease", "no significant change"}


def test_without_a_national_rate_the_chapter_says_so(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = bare_ctx
    assert asb.asb_benchmark(c) == (None, None)
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    asb.headline(c, out)
    m = metric(tmp_path)
    assert m["id"] == "anti_social_behaviour" and m["unit"] == "incidents"
    assert m["value"] == len(c.street(c.year, asb=True))
    assert m["previous_value"] == len(c.street(c.previous_year, asb=True))
    assert m["comparators"] == {}
    assert m["rate_interval"][0] < m["rate"] < m["rate_interval"][1]
    notes = json.loads((tmp_path / "catalogue" / f"{CHAPTER}.json").read_text())["notes"]
    assert any("no national anti-social behaviour rate" in n for n in notes)


def test_a_supplied_national_rate_is_converted_and_compared(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (bare_ctx.raw_dir / "partner").mkdir(parents=True)
    (bare_ctx.raw_dir / "partner" / "bench.csv").write_text(
        "measure,period,area,value,unit,source\n"
        "anti_social_behaviour,2023/24,England,2500,\"per 100,000 population\",test publisher\n",
        encoding="utf-8",
    )
    c = bare_ctx
    c.cfg = c.cfg.model_copy(update={"partner_files": {"benchmarks": "bench.csv"}})
    ingest_partner_files(c)
    b, per_1000 = asb.asb_benchmark(c)
    assert b is not None and b.period == "2023/24"  # the latest period not after 2024/25
    assert per_1000 == pytest.approx(25.0)
    out = ChapterOutputs(tmp_path / "out", CHAPTER, 5)
    asb.headline(c, out)
    m = metric(tmp_path / "out")
    assert m["comparators"] == {"england": pytest.approx(25.0)}
    expected = compare_with_benchmark(rate_per(int(m["value"]), c.population, 1000), 25.0).verdict
    assert m["comparison_verdicts"] == {"england": expected}
    assert "test publisher" in m["source"]
    assert any("England (2023/24)" in s for s in out.said)


def test_the_demo_benchmark_is_used_under_its_own_area(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    b, per_1000 = asb.asb_benchmark(demo_ctx)
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    asb.headline(demo_ctx, out)
    m = metric(tmp_path)
    if b is None:
        assert m["comparators"] == {}
    else:
        assert m["comparators"] == {common.comparator_key(b.area): pytest.approx(per_1000)}


def test_last_year_s_rate_uses_last_year_s_population_estimate(demo_ctx, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assess.measure.metrics import Denominator

    own = common.residents  # the demo's two years share mid-2023: give last year another estimate

    def residents(ctx, year=None):  # type: ignore[no-untyped-def]
        if year == ctx.previous_year:
            return Denominator(value=200_000, unit="residents", source="test estimate, mid-2022", period="mid-2022")
        return own(ctx, year)

    monkeypatch.setattr(common, "residents", residents)
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    asb.headline(demo_ctx, out)
    m = metric(tmp_path)
    assert m["previous_denominator"]["period"] == "mid-2022" and m["previous_numerator"] == m["previous_value"]
    assert m["previous_rate"] == pytest.approx(m["previous_value"] / 200_000 * 1000)
    assert m["rate"] == pytest.approx(m["value"] / demo_ctx.population * 1000)  # this year's: its own estimate


def test_ward_and_month_sections_publish_tables_and_charts(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    asb.by_ward(demo_ctx, out)
    asb.by_month(demo_ctx, out)
    wards = pd.read_csv(tmp_path / "tables" / f"{CHAPTER}__asb_by_ward.csv")
    assert len(wards) == 16 and {"2023/24", "2024/25", "ASB per 1,000"} <= set(wards.columns)
    months = pd.read_csv(tmp_path / "tables" / f"{CHAPTER}__asb_by_month.csv")
    assert len(months) == 48
    assert months["Rolling 12-month total"].iloc[-1] == len(demo_ctx.street(demo_ctx.year, asb=True))
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {f"{CHAPTER}__asb_by_ward.png", f"{CHAPTER}__asb_by_month.png"} <= figures


def test_without_police_uk_records_the_chapter_says_so(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = dataclasses.replace(demo_ctx)
    c.__dict__["street_all"] = c.street_all.iloc[0:0]
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    for section in (asb.headline, asb.by_ward, asb.by_month):
        section(c, out)
    assert not (tmp_path / "metrics").exists()
    assert len([s for s in out.said if "anti-social behaviour" in s and "not shown" in s]) == 3


def test_an_incomplete_comparison_leaves_ward_changes_out(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    c = dataclasses.replace(demo_ctx)
    full = c.street_all
    c.__dict__["street_all"] = full[full["month"] >= "2024-04"]
    t = asb.asb_by_ward(c)
    assert t["previous"].isna().all() and (t["verdict"] == asb.NOT_COMPARABLE).all()


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter(CHAPTER, demo_data, tmp_path)
    assert metric(run.output_dir)["id"] == "anti_social_behaviour"
    assert (run.output_dir / "tables" / f"{CHAPTER}__asb_by_ward.csv").exists()
