"""Chapter 5 (offenders): repeat offending, reoffending, criminogenic needs, disclosure, the notebook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_chapter, run_sections

from assess.chapters import offenders as ch
from assess.stats import MARKER

METRICS = {"known_offenders", "repeat_offender_share", "adult_reoffending_rate"}
SECTIONS = ("known_offenders", "repeat_offending", "reoffending", "criminogenic_needs")


def cohort(rows: list[tuple[str, str, int, bool, bool | None]]) -> pd.DataFrame:
    """Offenders of 2024/25 from (service, age_band, offences, reoffended, need_drugs)."""
    df = pd.DataFrame(rows, columns=["supervising_service", "age_band", "offences", "reoffended", "need_drugs"])
    df.insert(0, "financial_year", "2024/25")
    df.insert(1, "offender_id", [f"O{i}" for i in range(len(df))])
    df["offences"] = df["offences"].astype("int64")
    df["reoffended"] = df["reoffended"].astype("boolean")
    df["need_drugs"] = df["need_drugs"].astype("boolean")
    return df


def test_repeat_table_splits_offenders_and_their_offences() -> None:
    small = cohort([("IOM", "25-34", 5, True, True), ("NPS", "18-24", 1, False, False),
                    ("NPS", "35-49", 1, False, None), ("YOS", "10-17", 3, True, True)])
    summary = ch.repeat_summary(small)
    assert summary is not None and (summary.offenders, summary.repeat, summary.crimes) == (4, 2, 10)
    table = ch.repeat_table(summary).set_index("group")
    assert table.loc["One offence", "offenders"] == 2 and table.loc["One offence", "offences"] == 2
    assert table.loc["Two or more offences", "offences"] == 8
    assert table.loc["Two or more offences", "percent_of_offences"] == pytest.approx(80.0)
    assert table.loc[ch.ALL, "percent_of_offenders"] == pytest.approx(100.0)
    assert ch.repeat_summary(small.iloc[0:0]) is None


def test_adult_reoffending_excludes_young_people() -> None:
    small = cohort([("IOM", "25-34", 5, True, True), ("NPS", "18-24", 1, False, False),
                    ("NPS", "35-49", 1, False, None), ("YOS", "10-17", 3, True, True)])
    rate = ch.reoffending_rate(ch.adults(small))
    assert rate is not None and (rate.successes, rate.n) == (1, 3)
    assert rate.lower < rate.value < rate.upper
    assert ch.reoffending_rate(small.iloc[0:0]) is None
    by_service = ch.reoffending_by_service(small).set_index("supervising_service")
    assert by_service.loc[ch.ALL, "offenders"] == 4 and by_service.loc[ch.ALL, "reoffended"] == 2


def test_needs_count_only_those_assessed() -> None:
    small = cohort([("NPS", "25-34", 1, False, True), ("NPS", "25-34", 1, False, False),
                    ("NPS", "25-34", 1, False, None), ("IOM", "25-34", 2, True, True)])
    long = ch.needs_by_service(small)
    nps = long[(long["supervising_service"] == "NPS") & (long["need"] == "Drug misuse")].iloc[0]
    assert (nps["assessed"], nps["with_need"]) == (2, 1) and nps["percent"] == pytest.approx(50.0)
    # the matrix hides percentages computed from fewer than the threshold
    matrix = ch.needs_matrix(long, threshold=5).set_index("supervising_service")
    assert matrix.loc["NPS", "Drug misuse"] == MARKER
    assert matrix.loc["NPS", "offenders_assessed"] == 2
    open_matrix = ch.needs_matrix(long, threshold=1).set_index("supervising_service")
    assert open_matrix.loc["NPS", "Drug misuse"] == pytest.approx(50.0)


def test_sections_on_demo_data(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, demo_ctx, tmp_path)
    metrics = {m["id"]: m for m in json.loads(out.metrics_path.read_text())}
    assert set(metrics) == METRICS
    offenders = demo_ctx.partner("offenders")
    current = offenders[offenders["financial_year"] == demo_ctx.year]
    assert metrics["known_offenders"]["value"] == len(current)
    assert metrics["repeat_offender_share"]["value"] == pytest.approx(100 * (current["offences"] >= 2).mean())
    adults = current[current["age_band"] != "10-17"]
    assert metrics["adult_reoffending_rate"]["value"] == pytest.approx(100 * adults["reoffended"].mean())
    assert metrics["adult_reoffending_rate"]["comparators"] == {"England": 24.5}
    needs = pd.read_csv(out.table_path("criminogenic_needs"))
    assert needs["supervising_service"].iloc[-1] == ch.ALL
    assert {"offenders_assessed", "Drug misuse", "Accommodation"} <= set(needs.columns)
    repeat = pd.read_csv(out.table_path("repeat_offending"))
    assert repeat["offences"].iloc[-1] == current["offences"].sum()
    assert out.figure_path("criminogenic_needs").exists()
    assert len(json.loads(out.findings_path.read_text())) >= 2


def test_absent_or_missing_year(demo_ctx, bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, bare_ctx, tmp_path / "out")
    assert not out.metrics_path.exists()
    assert all("No data on" in s for s in out.said)
    out.said.clear()
    later = dataclasses.replace(demo_ctx, year="2027/28")
    for name in SECTIONS:
        getattr(ch, name)(later, out)
    assert not out.metrics_path.exists()
    assert all("no offenders for 2027/28" in s for s in out.said)


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter("05_offenders", demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} == METRICS
    assert (run.output_dir / "tables" / "05_offenders__criminogenic_needs.csv").exists()
    assert run.findings
