"""Chapter 9 (begging and rough sleeping): snapshot years, rates per 1,000 households, begging, the notebook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from assess.chapters import common, street_population as ch
from assess.context import load_context
from assess.report.outputs import ChapterOutputs

ROOT = Path(__file__).resolve().parents[1]
METRICS = {"rough_sleepers", "rough_sleeping_rate", "begging_incidents"}
SECTIONS = ("rough_sleeping", "begging", "residents_views")


@pytest.fixture()
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    texts: list[str] = []
    monkeypatch.setattr(common, "say", texts.append)
    return texts


@pytest.fixture(scope="module")
def ctx(demo_data):  # type: ignore[no-untyped-def]
    return load_context(demo_data.csp, demo_data.year, processed_dir=demo_data.processed, raw_dir=demo_data.raw,
                        config_dir=demo_data.config_dir)


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


def test_sections_on_demo_data(ctx, tmp_path: Path, said: list[str]) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, ch.CHAPTER)
    for name in SECTIONS:
        getattr(ch, name)(ctx, out)
    metrics = {m["id"]: m for m in json.loads(out.metrics_path.read_text())}
    assert set(metrics) == METRICS
    rough = ctx.partner("rough_sleeping").set_index("year")
    assert metrics["rough_sleepers"]["value"] == rough.loc[2024, "rough_sleepers"]
    assert metrics["rough_sleepers"]["period"] == "2024" and metrics["rough_sleepers"]["previous_period"] == "2023"
    rate = metrics["rough_sleeping_rate"]
    assert rate["value"] == pytest.approx(rough.loc[2024, "rough_sleepers"] / rough.loc[2024, "households"] * 1000)
    assert rate["comparators"] == {"England": 0.19}
    assert metrics["begging_incidents"]["value"] == rough.loc[2024, "begging_incidents"]
    assert any("not a police.uk category" in s for s in said)
    views = pd.read_csv(out.table_path("residents_views"))
    assert set(views["problem"]) == {"Begging", "Rough sleeping"}
    assert "percent_2023/24" in views.columns
    assert pd.read_csv(out.table_path("rough_sleeping"))["year"].max() == 2024
    assert out.figure_path("rough_sleeping_trend").exists()


def test_absent_data(ctx, tmp_path: Path, said: list[str]) -> None:  # type: ignore[no-untyped-def]
    empty = dataclasses.replace(ctx, raw_dir=tmp_path / "raw")
    out = ChapterOutputs(tmp_path / "out", ch.CHAPTER)
    for name in SECTIONS:
        getattr(ch, name)(empty, out)
    assert not out.metrics_path.exists()
    assert len(said) == len(SECTIONS) and all("No data on" in s for s in said)


def test_file_without_the_years_snapshot(ctx, tmp_path: Path, said: list[str]) -> None:  # type: ignore[no-untyped-def]
    raw = tmp_path / "raw" / "partner"
    raw.mkdir(parents=True)
    (raw / "rough_sleeping.csv").write_text(
        "year,rough_sleepers,method,households\n2022,10,count,50000\n2023,12,count,50100\n"
    )
    out = ChapterOutputs(tmp_path / "out", ch.CHAPTER)
    ch.rough_sleeping(dataclasses.replace(ctx, raw_dir=tmp_path / "raw"), out)
    ch.begging(dataclasses.replace(ctx, raw_dir=tmp_path / "raw"), out)
    assert not out.metrics_path.exists()
    assert all("no snapshot for autumn 2024" in s for s in said)


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import papermill as pm

    out_dir = tmp_path / "bundle"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "09_begging_rough_sleeping.ipynb"), str(tmp_path / "09.ipynb"),
        parameters={"csp": demo_data.csp, "year": demo_data.year, "raw_dir": str(demo_data.raw),
                    "processed_dir": str(demo_data.processed), "config_dir": str(demo_data.config_dir),
                    "output_dir": str(out_dir)},
        kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
    )
    metrics = json.loads((out_dir / "metrics" / "09_begging_rough_sleeping.json").read_text())
    assert {m["id"] for m in metrics} == METRICS
    assert (out_dir / "tables" / "09_begging_rough_sleeping__rough_sleeping.csv").exists()
    assert json.loads((out_dir / "findings" / "09_begging_rough_sleeping.json").read_text())
