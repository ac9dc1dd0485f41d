"""Chapter 12 (scorecard): RAG status, targets, baselines, direction of travel, the table and notebook."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_chapter

from assess.chapters import scorecard as sc
from assess.measure.metrics import metric_from_count, metric_from_proportion
from assess.report.outputs import ChapterOutputs
from assess.stats import proportion

# --- rag_status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "target", "direction", "tolerance", "expected"),
    [
        (95.0, 100.0, "lower_is_better", 5, "green"),
        (100.0, 100.0, "lower_is_better", 5, "green"),  # exactly on target
        (105.0, 100.0, "lower_is_better", 5, "amber"),  # 5% over: within tolerance
        (105.1, 100.0, "lower_is_better", 5, "red"),
        (101.0, 100.0, "lower_is_better", 0, "red"),  # no tolerance
        (72.0, 70.0, "higher_is_better", 3, "green"),
        (68.0, 70.0, "higher_is_better", 3, "amber"),  # 2.9% under
        (67.0, 70.0, "higher_is_better", 3, "red"),
        (None, 100.0, "lower_is_better", 5, "no data"),
        (100.0, None, "lower_is_better", 5, "no data"),
        (math.nan, 100.0, "higher_is_better", 5, "no data"),
    ],
)
def test_rag_status(latest, target, direction, tolerance, expected) -> None:  # type: ignore[no-untyped-def]
    assert sc.rag_status(latest, target, direction, tolerance) == expected


def test_rag_status_refuses_an_unknown_direction_or_negative_tolerance() -> None:
    with pytest.raises(ValueError, match="direction"):
        sc.rag_status(1.0, 2.0, "up", 5)
    with pytest.raises(ValueError, match="tolerance"):
        sc.rag_status(1.0, 2.0, "lower_is_better", -1)


def test_target_value() -> None:
    assert sc.target_value(200.0, -5.0, None) == pytest.approx(190.0)
    assert sc.target_value(None, None, 55.0) == 55.0
    assert sc.target_value(200.0, float("nan"), 55.0) == 55.0
    assert sc.target_value(None, -5.0, None) is None


def test_direction_of_travel_reads_the_verdict_against_the_direction() -> None:
    assert sc.direction_of_travel("decrease", "lower_is_better") == "improving"
    assert sc.direction_of_travel("increase", "lower_is_better") == "worsening"
    assert sc.direction_of_travel("increase", "higher_is_better") == "improving"
    assert sc.direction_of_travel("falling", "higher_is_better") == "worsening"
    assert sc.direction_of_travel("no significant change", "higher_is_better") == "no significant change"
    assert sc.direction_of_travel(None, "lower_is_better") == "not tested"


@pytest.mark.parametrize(
    ("period", "expected"),
    [("2024/25", "2024/25"), ("2024/25 Q2", "2024/25"), ("2024-04 to 2024-09", "2024/25"),
     ("2023-10 to 2024-03", "2023/24"), ("2024-01 to 2024-06", None), ("2024-02", "2023/24"), ("2021", "2021"),
     (None, None)],
)
def test_period_financial_year(period, expected) -> None:  # type: ignore[no-untyped-def]
    assert sc.period_financial_year(period) == expected


def test_baseline_from_metric_uses_the_period_that_is_the_baseline_year() -> None:
    m = {"value": 120.0, "period": "2024/25", "previous_value": 100.0, "previous_period": "2023/24"}
    assert sc.baseline_from_metric(m, "2023/24") == 100.0
    assert sc.baseline_from_metric(m, "2024/25") == 120.0
    assert sc.baseline_from_metric(m, "2021/22") is None
    assert sc.baseline_from_metric(None, "2023/24") is None


def test_is_count_metric() -> None:
    assert sc.is_count_metric({"unit": "crimes"})
    assert not sc.is_count_metric({"unit": "%"})
    assert not sc.is_count_metric({"unit": "per 1,000 residents"})


# --- baselines from police.uk -------------------------------------------------------------------


def test_baseline_from_street_counts_the_baseline_year(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    crimes = demo_ctx.street("2022/23", asb=False)
    assert sc.baseline_from_street(demo_ctx, "all_crime", "2022/23") == len(crimes)
    assert sc.baseline_from_street(demo_ctx, "anti_social_behaviour", "2022/23") == len(demo_ctx.street("2022/23", asb=True))
    assert sc.baseline_from_street(demo_ctx, "burglary", "2022/23") == int((crimes["category"] == "Burglary").sum())
    assert sc.baseline_from_street(demo_ctx, "first_time_entrants", "2022/23") is None  # not a police.uk measure
    assert sc.baseline_from_street(demo_ctx, "all_crime", "2022") is None  # a calendar year
    assert sc.baseline_from_street(demo_ctx, "all_crime", "2015/16") is None  # no records


# --- the table ----------------------------------------------------------------------------------


def measures_frame(rows: list[dict]) -> pd.DataFrame:
    base = {"target_change_percent": float("nan"), "target_value": float("nan"), "amber_tolerance_percent": 5.0}
    return pd.DataFrame([base | r for r in rows])


def test_scorecard_table_baseline_target_and_status() -> None:
    measures = measures_frame([
        {"id": "all_crime", "label": "All crime", "direction": "lower_is_better", "baseline_year": "2023/24",
         "target_change_percent": -5.0},
        {"id": "burglary", "label": "Burglary", "direction": "lower_is_better", "baseline_year": "2021/22",
         "target_change_percent": -10.0},
        {"id": "feel_safe", "label": "Feel safe", "direction": "higher_is_better", "baseline_year": "2022/23",
         "target_value": 70.0, "amber_tolerance_percent": 3.0},
        {"id": "absent", "label": "Not computed", "direction": "lower_is_better", "baseline_year": "2023/24",
         "target_value": 10.0},
    ])
    metrics = {
        "all_crime": {"id": "all_crime", "value": 1040.0, "unit": "crimes", "period": "2024/25",
                      "previous_value": 1000.0, "previous_period": "2023/24", "verdict": "no significant change"},
        "burglary": {"id": "burglary", "value": 80.0, "unit": "crimes", "period": "2024/25",
                     "previous_value": 95.0, "previous_period": "2023/24", "verdict": "decrease"},
        "feel_safe": {"id": "feel_safe", "value": 68.5, "unit": "%", "period": "2024/25", "verdict": None},
    }
    looked_up: list[tuple[str, str]] = []

    def street(mid: str, year: str) -> float | None:
        looked_up.append((mid, year))
        return 100.0 if mid == "burglary" else None

    table = sc.scorecard_table(measures, metrics, street).set_index("id")
    # looked up only where the metric lacks the baseline year (or is absent), never for a rate or share
    assert looked_up == [("burglary", "2021/22"), ("absent", "2023/24")]
    crime = table.loc["all_crime"]
    assert crime["baseline"] == 1000.0 and crime["baseline_source"] == "metric"
    assert crime["target"] == pytest.approx(950.0)
    assert crime["status"] == "red"  # 1,040 is 9.5% above 950
    assert crime["direction_of_travel"] == "no significant change"
    assert crime["change_since_baseline_percent"] == pytest.approx(4.0)
    burglary = table.loc["burglary"]
    assert burglary["baseline"] == 100.0 and burglary["baseline_source"] == "police.uk"
    assert burglary["target"] == pytest.approx(90.0) and burglary["status"] == "green"
    assert burglary["direction_of_travel"] == "improving"
    safe = table.loc["feel_safe"]
    assert math.isnan(safe["baseline"])  # a survey measure: no baseline, but a value target
    assert safe["status"] == "amber" and safe["direction_of_travel"] == "not tested"
    absent = table.loc["absent"]
    assert absent["status"] == "no data" and absent["direction_of_travel"] == "no data"
    assert sc.status_counts(table.reset_index()) == {"green": 1, "amber": 1, "red": 1, "no data": 1}


def test_a_suppressed_metric_has_no_data() -> None:
    measures = measures_frame([{"id": "rape", "label": "Rape", "direction": "lower_is_better",
                                "baseline_year": "2023/24", "target_value": 10.0}])
    table = sc.scorecard_table(measures, {"rape": {"id": "rape", "value": None, "suppressed": True, "unit": "crimes"}})
    assert table["status"].iloc[0] == "no data"


def test_published_table_keeps_the_status_as_a_plain_word_and_styles_it() -> None:
    measures = measures_frame([{"id": "x", "label": "X", "direction": "lower_is_better", "baseline_year": "2023/24",
                                "target_value": 10.0}])
    table = sc.published_table(sc.scorecard_table(measures, {"x": {"id": "x", "value": 9.0, "unit": "crimes",
                                                                      "period": "2024/25"}}))
    assert table["Status"].tolist() == ["green"]
    assert table["Latest"].tolist() == [9] and table["Target"].tolist() == [10]  # ints, no stray ".0"
    html = sc.styled(table, "A caption").to_html()
    assert sc.STATUS_COLOURS["green"][0] in html and "A caption" in html
    assert sc.styled(table, "A caption").to_html() == html  # no random table id


def test_as_published_numbers() -> None:
    values = sc.as_published_numbers(pd.Series([30403.0, 28882.846, None, float("nan")]))
    assert values.tolist() == [30403, 28882.85, None, None]


# --- the section --------------------------------------------------------------------------------


def write_fragments(ctx, output_dir: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Metrics fragments as chapters 01, 04 and 06 of a run would write them."""
    crimes = len(ctx.street(ctx.year, asb=False))
    prev = len(ctx.street(ctx.previous_year, asb=False))
    out = ChapterOutputs(output_dir, "01_recorded_crime")
    out.metric(metric_from_count("all_crime", "All crime", "01_recorded_crime", crimes, prev, ctx.year,
                                 ctx.previous_year, ctx.population, "police.uk"))
    out = ChapterOutputs(output_dir, "11_vulnerable_people")
    out.metric(metric_from_count("domestic_abuse", "Domestic abuse", "11_vulnerable_people", 4600, 4400, ctx.year,
                                 ctx.previous_year, ctx.population, "force flags"))
    out = ChapterOutputs(output_dir, "06_perceptions")
    out.metric(metric_from_proportion("feel_safe_after_dark", "Feel safe after dark", "06_perceptions",
                                      proportion(690, 1000), ctx.year, "survey"))
    return {"all_crime": crimes, "all_crime_previous": prev}


def test_scorecard_section_on_the_demo_targets(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    counts = write_fragments(demo_ctx, tmp_path)
    out = ChapterOutputs(tmp_path, sc.CHAPTER, demo_ctx.cfg.suppression_threshold)
    sc.scorecard(demo_ctx, out)
    table = pd.read_csv(out.table_path("scorecard"))
    measures = demo_ctx.partner("scorecard")
    assert table["Measure"].tolist() == measures["label"].tolist()
    crime = table.set_index("Measure").loc["All police recorded crime"]
    assert crime["Baseline"] == counts["all_crime_previous"]  # the metric's previous year is the baseline year
    assert crime["Latest"] == counts["all_crime"]
    assert crime["Target"] == pytest.approx(counts["all_crime_previous"] * 0.95)
    assert set(table["Status"]) <= set(sc.STATUSES)
    status = table.set_index("Measure")["Status"]
    assert status["First-time entrants to the youth justice system"] == "no data"  # chapter not in this run
    assert status["Residents who feel safe outside after dark (%)"] == "amber"  # 69.0% against 70, 3% tolerance
    metrics = {m["id"]: m for m in json.loads(out.metrics_path.read_text())}
    assert set(metrics) == {"scorecard_green", "scorecard_amber", "scorecard_red"}
    for s in ("green", "amber", "red"):
        assert metrics[f"scorecard_{s}"]["value"] == (table["Status"] == s).sum()
    assert any("measures on the scorecard" in t for t in out.said)


def test_scorecard_without_targets_says_so(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path / "out", sc.CHAPTER)
    sc.scorecard(bare_ctx, out)
    assert out.said and out.said[0].startswith("*No data on the partnership's scorecard targets")
    assert not out.metrics_path.exists()


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_ctx, demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_fragments(demo_ctx, tmp_path / "bundle")
    run = run_chapter("12_scorecard", demo_data, tmp_path)
    table = pd.read_csv(run.output_dir / "tables" / "12_scorecard__scorecard.csv")
    assert len(table) == 7 and set(table["Status"]) <= set(sc.STATUSES)
    executed = run.notebook.read_text()
    assert sc.STATUS_COLOURS["red"][0] in executed  # the styled table is in the notebook
