"""Chapters 6, 9, 10 and 11 from public statistics (issue 10 item 4): the MHCLG rough sleeping
snapshot, Fingertips indicators and ONS populations, with England (and the region) beside them,
with or without the partner files; on small frames, the demo and the real files of ../shared/data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_sections

from assess.chapters import begging_rough_sleeping as rough
from assess.config import Area
from assess.measure.context import AssessmentContext

SOUTHAMPTON = "E06000045"


def _metrics(out) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {m["id"]: m for m in json.loads(out.metrics_path.read_text())} if out.metrics_path.exists() else {}


# --- chapter 9: the published rough sleeping snapshot ---------------------------------------------------
def _snapshot(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["area_code", "area_name", "area_type", "region_name", "year", "rough_sleepers",
                                     "households_thousands", "rate_per_1000_households"])
    df["source_file"] = "tables.xlsx"
    return df.astype({"year": "Int64", "rough_sleepers": "Int64"})


SMALL = _snapshot([
    ("E92000001", "England", "country", None, 2016, 4134, 22_700.0, 0.18),
    ("E92000001", "England", "country", None, 2017, 4751, 23_460.0, 0.2025),
    ("E12000008", "South East", "region", None, 2017, 915, 3_700.0, 0.25),
    ("E06000001", "Alpha", "la", "South East", 2016, 23, 103.3, 0.2227),
    ("E06000001", "Alpha", "la", "South East", 2017, 29, 104.3, 0.278),
    ("E06000002", "Beta", "la", "South East", 2017, 5, 50.0, 0.1),
    ("E06000003", "Gamma", "la", "South East", 2017, 40, 80.0, 0.5),
    ("E06000004", "Delta", "la", "South East", 2017, 2, 60.0, 0.0333),
    ("E06000004", "Delta", "la", "South East", 2016, 3, None, None),
])


def test_published_series_sums_the_areas_and_recomputes_the_rate() -> None:
    one = rough.published_series(SMALL, ["E06000001"])
    assert one["year"].tolist() == [2016, 2017]
    assert one["rough_sleepers"].tolist() == [23, 29]
    assert one["households"].tolist() == [103_300.0, 104_300.0]
    assert one["rate_per_1000_households"].tolist() == pytest.approx([23 / 103.3, 29 / 104.3])
    assert one["published_rate"].tolist() == [0.2227, 0.278]
    two = rough.published_series(SMALL, ["E06000001", "E06000004"])
    assert two["rough_sleepers"].tolist() == [26, 31]
    assert pd.isna(two["households"].iloc[0])  # Delta has no households in 2016: no rate for the pair
    assert pd.isna(two["published_rate"]).all()  # a published rate belongs to one area
    assert rough.published_series(SMALL, ["E06000009"]).empty


def test_the_region_is_found_by_the_name_the_authorities_give() -> None:
    assert rough.region_code(SMALL, ["E06000001"]) == "E12000008"
    assert rough.region_code(SMALL, ["E06000009"]) is None
    assert len(rough.authorities_of(SMALL, 2017)) == 4
    assert len(rough.authorities_of(SMALL, 2017, "E12000008")) == 4


def test_the_comparison_allows_for_the_spread_of_authorities() -> None:
    rate = rough.rough_sleeping_rate(29, 104_300)
    comparison = rough.compare_with_area(SMALL, rate, 2017, 0.2025)
    assert comparison.verdict in {"similar", "significantly higher", "significantly lower"}
    assert comparison.method_id.startswith("funnel-")  # four authorities: the funnel, not PHE's test
    few = rough.compare_with_area(SMALL[SMALL["area_code"] != "E06000003"].iloc[:5], rate, 2017, 0.2025)
    assert not hasattr(few, "method_id")  # fewer than three authorities: PHE's test


def test_published_section_on_the_demo_beside_the_partner_file(demo_ctx: AssessmentContext, tmp_path: Path) -> None:
    out = run_sections(rough, ["published_rough_sleeping"], dataclasses.replace(demo_ctx), tmp_path)
    m = _metrics(out)["rough_sleepers_published"]
    snap = demo_ctx.rough_sleeping_snapshot
    local = snap[(snap["area_code"].isin(demo_ctx.cfg.lad_codes)) & (snap["year"] == 2024)]
    england = snap[(snap["area_code"] == "E92000001") & (snap["year"] == 2024)].iloc[0]
    assert m["value"] == int(local["rough_sleepers"].sum())
    assert m["comparators"]["England"] == pytest.approx(england["rough_sleepers"] / england["households_thousands"])
    assert set(m["comparators"]) == {"England", "South West"}
    assert m["numerator"] == m["value"]
    assert m["rate"] == pytest.approx(m["numerator"] / m["denominator"]["value"] * 1000)
    assert m["denominator"]["unit"] == "households" and m["denominator"]["period"] == "2024"
    text = " ".join(out.said)
    assert "partner data" in text and "England's" in text
    table = pd.read_csv(out.table_path("rough_sleeping_published"))
    assert "England rate_per_1000_households" in table.columns


def test_published_section_without_the_partner_file(bare_ctx: AssessmentContext, tmp_path: Path) -> None:
    out = run_sections(rough, ["rough_sleeping", "published_rough_sleeping"], bare_ctx, tmp_path)
    metrics = _metrics(out)
    assert set(metrics) == {"rough_sleepers_published"}  # the partner section says it has no file
    assert "partner data" not in " ".join(out.said[1:])


def test_published_section_says_which_file_is_missing(bare_ctx: AssessmentContext, tmp_path: Path) -> None:
    bare_ctx.__dict__["rough_sleeping_snapshot"] = bare_ctx.rough_sleeping_snapshot.iloc[:0]
    out = run_sections(rough, ["published_rough_sleeping"], bare_ctx, tmp_path)
    assert "Rough sleeping snapshot in England: autumn 2024" in out.said[0] and not _metrics(out)


@pytest.fixture(scope="module")
def real_snapshot(shared_data: Path) -> pd.DataFrame:
    from assess.sources.rough_sleeping import combine_editions, read_rough_sleeping

    folder = shared_data / "rough_sleeping"
    return combine_editions([read_rough_sleeping(p) for p in sorted(folder.iterdir())])


def _southampton(ctx: AssessmentContext, year: str, snapshot: pd.DataFrame) -> AssessmentContext:
    cfg = ctx.cfg.model_copy(update={"name": "Southampton", "code": "E22000120", "synthetic": False,
                                     "local_authorities": [Area(code=SOUTHAMPTON, name="Southampton")]})
    real = dataclasses.replace(ctx, cfg=cfg, year=year)
    real.__dict__["rough_sleeping_snapshot"] = snapshot
    return real


@pytest.mark.real
def test_southampton_rough_sleeping_from_the_real_tables(real_snapshot: pd.DataFrame) -> None:
    series = rough.published_series(real_snapshot, [SOUTHAMPTON]).set_index("year")
    assert series.loc[2016, "rough_sleepers"] == 23 and series.loc[2017, "rough_sleepers"] == 29
    assert series.loc[2016, "rate_per_1000_households"] == pytest.approx(0.2227, abs=5e-5)
    assert series.loc[2016, "published_rate"] == pytest.approx(0.2227, abs=5e-5)
    england = rough.published_series(real_snapshot, ["E92000001"]).set_index("year")
    assert england.loc[2016, "rough_sleepers"] == 4134
    assert england.loc[2016, "rate_per_1000_households"] == pytest.approx(0.18, abs=5e-3)
    assert england.loc[2017, "rough_sleepers"] == 4751


@pytest.mark.real
def test_southampton_chapter_section_on_the_real_tables(bare_ctx: AssessmentContext, real_snapshot: pd.DataFrame,
                                                        tmp_path: Path) -> None:
    ctx = _southampton(bare_ctx, "2017/18", real_snapshot)
    out = run_sections(rough, ["published_rough_sleeping"], ctx, tmp_path)
    m = _metrics(out)["rough_sleepers_published"]
    assert (m["value"], m["previous_value"], m["period"], m["previous_period"]) == (29, 23, "2017", "2016")
    assert m["rate"] == pytest.approx(0.278, abs=5e-4)
    assert m["previous_rate"] == pytest.approx(0.2227, abs=5e-5)
    assert m["comparators"]["England"] == pytest.approx(0.2025, abs=5e-4)
    assert "South East" in m["comparators"]
    text = " ".join(out.said)
    assert "29 people were sleeping rough in Southampton" in text and "England's, 0.20 per 1,000" in text
    earlier = run_sections(rough, ["published_rough_sleeping"], _southampton(bare_ctx, "2016/17", real_snapshot),
                           tmp_path / "2016")
    assert _metrics(earlier)["rough_sleepers_published"]["value"] == 23
    assert _metrics(earlier)["rough_sleepers_published"]["comparators"]["England"] == pytest.approx(0.18, abs=5e-3)
