"""Chapter 9 (begging and rough sleeping): snapshot years, rates per 1,000 households, begging, the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ingest_partner_files, run_chapter, run_sections

from assess.chapters import begging_rough_sleeping as ch
from assess.report.outputs import ChapterOutputs

METRICS = {"rough_sleepers", "rough_sleeping_rate", "begging_incidents"}
SECTIONS = ("rough_sleeping", "begging", "residents_views")


def test_snapshot_year_is_the_autumn_in_the_financial_year() -> None:
    assert ch.snapshot_year("2024/25") == 2024
    assert ch.snapshot_year("2016/17") == 2016


def test_rough_sleeping_table() -> None:
    rough = pd.DataFrame(
        {
            "year": [2024, 2023],
            "rough_sleepers": [24, 20],
            "method": ["count", "evidence-based estimate"],
            "households": [120_000, 0],
            "begging_incidents": pd.array([200, pd.NA], dtype="Int64"),
        }
    )
    table = ch.rough_sleeping_table(rough, fallback_households=100_000)
    assert table["year"].tolist() == [2023, 2024]
    assert table["rate_per_1000_households"].tolist() == pytest.approx([0.2, 0.2])
    assert table["households"].tolist() == [100_000, 120_000]  # no households in the file: the fallback
    assert (table["lower_95"] < table["rate_per_1000_households"]).all()
    assert pd.isna(table["begging_incidents"].iloc[0]) and table["begging_incidents"].iloc[1] == 200
    assert ch.snapshot(table, 2024)["rough_sleepers"] == 24
    assert ch.snapshot(table, 2019) is None
    no_hh = ch.rough_sleeping_table(rough.assign(households=0), fallback_households=None)
    assert no_hh["rate_per_1000_households"].isna().all()


def test_sections_on_demo_data(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, demo_ctx, tmp_path)
    metrics = {m["id"]: m for m in json.loads(out.metrics_path.read_text())}
    assert set(metrics) == METRICS
    rough = demo_ctx.partner("rough_sleeping").set_index("year")
    assert metrics["rough_sleepers"]["value"] == rough.loc[2024, "rough_sleepers"]
    assert metrics["rough_sleepers"]["period"] == "2024" and metrics["rough_sleepers"]["previous_period"] == "2023"
    rate = metrics["rough_sleeping_rate"]
    assert rate["value"] == pytest.approx(rough.loc[2024, "rough_sleepers"] / rough.loc[2024, "households"] * 1000)
    assert rate["comparators"] == {"England": 0.19}
    assert metrics["begging_incidents"]["value"] == rough.loc[2024, "begging_incidents"]
    assert any("not a police.uk category" in s for s in out.said)
    views = pd.read_csv(out.table_path("residents_views"))
    assert set(views["problem"]) == {"Begging", "Rough sleeping"}
    assert "percent_2023/24" in views.columns
    assert pd.read_csv(out.table_path("rough_sleeping"))["year"].max() == 2024
    assert out.figure_path("rough_sleeping_trend").exists()


def test_absent_data(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, bare_ctx, tmp_path / "out")
    assert not out.metrics_path.exists()
    assert len(out.said) == len(SECTIONS) and all("No data on" in s for s in out.said)


def test_file_without_the_years_snapshot(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    raw = bare_ctx.raw_dir / "partner"
    raw.mkdir(parents=True)
    (raw / "rough_sleeping.csv").write_text(
        "year,rough_sleepers,method,households\n2022,10,count,50000\n2023,12,count,50100\n"
    )
    ingest_partner_files(bare_ctx)
    out = ChapterOutputs(tmp_path / "out", ch.CHAPTER)
    ch.rough_sleeping(bare_ctx, out)
    ch.begging(bare_ctx, out)
    assert not out.metrics_path.exists()
    assert all("no snapshot for autumn 2024" in s for s in out.said)


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter("09_begging_rough_sleeping", demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} == METRICS | {"rough_sleepers_published"}
    assert (run.output_dir / "tables" / "09_begging_rough_sleeping__rough_sleeping.csv").exists()
    assert (run.output_dir / "tables" / "09_begging_rough_sleeping__rough_sleeping_published.csv").exists()
    assert run.findings
