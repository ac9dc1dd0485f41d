"""Chapter 4 (perceptions): survey waves, weighted shares against the last wave and England, the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_chapter, run_sections

from assess.chapters import perceptions as ch
from assess.measure.survey import kish_effective_sample_size

METRICS = {"feel_safe_day", "feel_safe_after_dark", "agree_police_deal", "agree_council_deal", "perceive_more_crime"}
SECTIONS = ("about_the_survey", "feeling_safe", "perceived_crime_change", "local_problems", "confidence_in_agencies")


@pytest.fixture(scope="module")
def survey(demo_ctx) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    df = demo_ctx.partner("resident_survey")
    assert df is not None
    return df


def test_select_waves(survey: pd.DataFrame) -> None:
    waves = ch.select_waves(survey, "2024/25")
    assert waves is not None
    assert (waves.current_label, waves.previous_label) == ("2024/25", "2023/24")
    assert set(waves.current["survey_year"]) == {"2024/25"}
    first = ch.select_waves(survey, "2022/23")
    assert first is not None and first.previous is None and first.previous_label is None
    assert ch.select_waves(survey, "2020/21") is None


def test_feel_safe_after_dark_is_the_weighted_share_without_dont_know(survey: pd.DataFrame) -> None:
    waves = ch.select_waves(survey, "2024/25")
    assert waves is not None
    result = ch.question_result(waves, ch.QUESTIONS["feel_safe_after_dark"])
    assert result.current is not None and result.previous is not None and result.change is not None
    cur = waves.current
    valid = cur[cur["safe_after_dark"].notna() & (cur["safe_after_dark"] != "Don't know")]
    safe = valid["safe_after_dark"].isin(["Very safe", "Fairly safe"])
    expected = (valid["weight"] * safe).sum() / valid["weight"].sum()
    assert result.current.value == pytest.approx(expected)
    assert result.current.respondents == len(valid)
    assert result.current.excluded == len(cur) - len(valid)
    assert result.current.effective_n == pytest.approx(kish_effective_sample_size(valid["weight"]))
    assert result.current.effective_n < len(valid)
    assert result.current.lower < result.current.value < result.current.upper
    assert result.change.absolute == pytest.approx(result.current.value - result.previous.value)


def test_headline_table_with_and_without_a_previous_wave(survey: pd.DataFrame) -> None:
    waves = ch.select_waves(survey, "2024/25")
    assert waves is not None
    results = [ch.question_result(waves, q) for q in ch.QUESTIONS.values()]
    table = ch.headline_table(results, waves)
    assert len(table) == len(ch.QUESTIONS)
    assert {"respondents", "percent", "lower_95", "upper_95", "percent_2023/24", "change_points", "change"} <= set(table.columns)
    assert (table["lower_95"] <= table["percent"]).all() and (table["percent"] <= table["upper_95"]).all()
    first = ch.select_waves(survey, "2022/23")
    assert first is not None
    table = ch.headline_table([ch.question_result(first, q) for q in ch.QUESTIONS.values()], first)
    assert not any(c.startswith("change") or c.startswith("percent_") for c in table.columns)


def test_sections_publish_tables_metrics_and_findings(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, demo_ctx, tmp_path)
    metrics = json.loads(out.metrics_path.read_text())
    assert {m["id"] for m in metrics} == METRICS
    dark = next(m for m in metrics if m["id"] == "feel_safe_after_dark")
    assert dark["unit"] == "%" and dark["period"] == "2024/25" and dark["previous_period"] == "2023/24"
    assert dark["comparators"] == {"England": 75.1}  # the demo benchmark for 2024/25
    assert dark["comparison_verdicts"]["England"] in {"significantly higher", "significantly lower", "similar"}
    assert "Kish" in dark["note"]
    problems = pd.read_csv(out.table_path("local_problems"))
    assert problems["percent"].is_monotonic_decreasing
    assert {"Begging", "Rough sleeping", "ASB"} <= set(problems["problem"])
    safe = pd.read_csv(out.table_path("feeling_safe"))
    assert len(safe) == 2
    assert out.figure_path("feeling_safe").exists() and out.figure_path("local_problems").exists()
    findings = json.loads(out.findings_path.read_text())
    assert 1 <= len(findings) <= 2 * len(SECTIONS)
    assert any("after dark" in f for f in findings)
    assert any("Don't know" in n or "self-selection" in n for n in json.loads(out.catalogue_path.read_text())["notes"])


def test_absent_survey_says_so_and_publishes_nothing(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, bare_ctx, tmp_path / "out")
    assert not out.metrics_path.exists()
    assert not (tmp_path / "out" / "tables").exists()
    assert len(out.said) == len(SECTIONS) and all("No data on" in s for s in out.said)


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter("04_perceptions", demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} == METRICS
    assert (run.output_dir / "tables" / "04_perceptions__local_problems.csv").exists()
    assert run.findings
    assert "synthetic demonstration data" in run.notebook.read_text()
