"""Chapter 6 (young people): YJB rates, reoffending, suppression of small counts, the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ingest_partner_files, run_chapter, run_sections

from assess.chapters import young_people as ch
from assess.report.outputs import ChapterOutputs
from assess.stats import MARKER

METRICS = {"first_time_entrants", "youth_custody_rate", "youth_reoffending_rate", "reoffences_per_reoffender"}
SECTIONS = ("first_time_entrants", "custody", "reoffending", "trend")


def youth_frame(values: dict[str, dict[str, float]]) -> pd.DataFrame:
    """The youth_justice table from {financial_year: {measure: value}}."""
    rows = [(fy, m, float(v)) for fy, measures in values.items() for m, v in measures.items()]
    df = pd.DataFrame(rows, columns=["financial_year", "measure", "value"])
    df["financial_year"] = df["financial_year"].astype("string")
    df["measure"] = df["measure"].astype("string")
    return df


def test_rates_as_the_yjb_publishes_them() -> None:
    assert ch.fte_rate(50, 20_000).value == pytest.approx(250.0)  # per 100,000 aged 10-17
    assert ch.custody_rate(4, 20_000).value == pytest.approx(0.2)  # per 1,000 aged 10-17
    rate = ch.youth_reoffending_rate(40, 120)
    assert rate.value == pytest.approx(1 / 3) and rate.lower < rate.value < rate.upper
    freq = ch.reoffences_per_reoffender(150, 40)
    assert freq.value == pytest.approx(3.75) and freq.lower < 3.75 < freq.upper


def test_trend_table_and_population_fallback() -> None:
    youth = youth_frame({
        "2023/24": {"first_time_entrants": 60, "custodial_sentences": 6, "reoffending_cohort": 100,
                    "reoffenders": 30, "reoffences": 90},
        "2024/25": {"first_time_entrants": 50, "population_10_17": 25_000, "reoffending_cohort": 90, "reoffenders": 27},
    })
    wide = ch.youth_measures(youth)
    assert wide.index.tolist() == ["2023/24", "2024/25"]
    table = ch.youth_trend_table(wide, fallback_population=20_000).set_index("financial_year")
    assert table.loc["2023/24", "population_10_17"] == 20_000  # the ONS fallback
    assert table.loc["2024/25", "population_10_17"] == 25_000  # the file's own figure
    assert table.loc["2023/24", "fte_rate_per_100000"] == pytest.approx(300.0)
    assert table.loc["2024/25", "fte_rate_per_100000"] == pytest.approx(200.0)
    assert table.loc["2023/24", "reoffences_per_reoffender"] == pytest.approx(3.0)
    assert pd.isna(table.loc["2024/25", "custodial_sentences"])
    assert pd.isna(table.loc["2024/25", "reoffences_per_reoffender"])
    assert table.loc["2024/25", "reoffending_rate_percent"] == pytest.approx(30.0)
    assert ch.fte_trend(table.reset_index()) is None  # fewer than three years


def test_sections_on_demo_data(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, demo_ctx, tmp_path)
    metrics = {m["id"]: m for m in json.loads(out.metrics_path.read_text())}
    assert set(metrics) == METRICS
    youth = demo_ctx.partner("youth_justice")
    this = youth[youth["financial_year"] == demo_ctx.year].set_index("measure")["value"]
    fte = metrics["first_time_entrants"]
    assert fte["value"] == this["first_time_entrants"]
    assert fte["rate_per"] == 100_000
    assert fte["rate"] == pytest.approx(this["first_time_entrants"] / this["population_10_17"] * 100_000)
    assert fte["comparators"] == {"England": 137.0}
    reoff = metrics["youth_reoffending_rate"]
    assert reoff["value"] == pytest.approx(100 * this["reoffenders"] / this["reoffending_cohort"])
    custody = metrics["youth_custody_rate"]
    if 1 <= this["custodial_sentences"] < demo_ctx.cfg.suppression_threshold:
        assert custody["suppressed"] and custody["value"] is None
        assert "England" in custody["comparison_verdicts"]
    else:
        assert custody["value"] == pytest.approx(this["custodial_sentences"] / this["population_10_17"] * 1000)
    table = pd.read_csv(out.table_path("youth_justice_measures"), dtype=str)
    assert table["financial_year"].tolist() == ["2021/22", "2022/23", "2023/24", "2024/25"]
    small = table["custodial_sentences"] == MARKER
    assert (table.loc[small, "custody_rate_per_1000"] == MARKER).all()  # a rate would reveal the count
    assert out.figure_path("fte_trend").exists()


def test_small_custody_count_is_suppressed(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    raw = bare_ctx.raw_dir / "partner"
    raw.mkdir(parents=True)
    rows = ["financial_year,measure,value", "2024/25,custodial_sentences,3", "2024/25,population_10_17,20000",
            "2024/25,first_time_entrants,40", "2023/24,first_time_entrants,44", "2023/24,population_10_17,19800"]
    (raw / "youth_justice.csv").write_text("\n".join(rows) + "\n")
    ingest_partner_files(bare_ctx)
    out = ChapterOutputs(tmp_path / "out", ch.CHAPTER, 5)
    ch.custody(bare_ctx, out)
    ch.first_time_entrants(bare_ctx, out)
    ch.reoffending(bare_ctx, out)  # no cohort: says so, emits nothing
    metrics = {m["id"]: m for m in json.loads(out.metrics_path.read_text())}
    assert metrics["youth_custody_rate"]["suppressed"] and metrics["youth_custody_rate"]["value"] is None
    assert metrics["first_time_entrants"]["previous_value"] == 44
    assert "youth_reoffending_rate" not in metrics
    assert any("Fewer than 5 custodial sentences" in s for s in out.said)
    assert any("reoffending cohort is not given" in s for s in out.said)


def test_absent_data(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, bare_ctx, tmp_path / "out")
    assert not out.metrics_path.exists()
    assert len(out.said) == len(SECTIONS) and all("No data on" in s for s in out.said)


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter("06_young_people", demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} == METRICS | {"first_time_entrants_rate"}
    assert (run.output_dir / "tables" / "06_young_people__youth_justice_measures.csv").exists()
    assert run.findings
