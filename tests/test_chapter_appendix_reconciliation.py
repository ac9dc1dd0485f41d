"""Appendix: police.uk against Home Office recorded crime for the CSP's force."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from assess.chapters import appendix_reconciliation as rec
from assess.config import config_for_csp
from assess.measure.context import AssessmentContext
from assess.store import Store


def test_quarters_add_up_to_the_total_on_the_demo(demo_ctx: AssessmentContext) -> None:
    table = rec.quarterly(demo_ctx)
    assert table is not None
    quarters, total = table.iloc[:4], table.iloc[-1]
    assert quarters["complete"].all()  # the demo year is whole
    assert total["police_uk_crimes"] == quarters["police_uk_crimes"].sum()
    assert total["home_office_offences"] == quarters["home_office_offences"].sum()
    # the demo's Home Office counts run a few per cent above police.uk, as real ones do
    assert -10 < float(total["pct_difference"]) < 0


def test_the_force_is_the_whole_force_not_only_the_csp(demo_ctx: AssessmentContext) -> None:
    force = rec.force_street(demo_ctx)
    assert len(force) > len(demo_ctx.street_all)  # the force's files cover other CSPs too
    assert force["falls_within"].nunique() == 1


def test_absent_home_office_table_is_said_plainly(demo_ctx: AssessmentContext, tmp_path: Path) -> None:
    ctx = dataclasses.replace(demo_ctx)
    ctx.__dict__["recorded_crime"] = pd.DataFrame(columns=["financial_year", "quarter", "force_name", "offences"])
    from assess.report.outputs import ChapterOutputs

    out = ChapterOutputs(tmp_path, "13_appendix_reconciliation")
    rec.by_quarter(ctx, out)
    assert any("one of them is absent" in s for s in out.said)


@pytest.mark.real
def test_southampton_appendix_compares_hampshire_q1_and_q2_only(real_store: Path, shared_data: Path, tmp_path: Path) -> None:
    cfg = config_for_csp("Southampton", Store(real_store).read("lad_csp"))
    ctx = AssessmentContext(cfg=cfg, year="2017/18", store=Store(real_store), raw_dir=shared_data)
    table = rec.quarterly(ctx).set_index("period")
    assert table.loc["Q1", "home_office_offences"] == 41145
    assert list(table["complete"]) == [True, True, False, False, False]
    # police.uk Q1 (April-June 2017): an independent count of the raw Hampshire files
    q1 = 0
    for month in ("2017-04", "2017-05", "2017-06"):
        with open(shared_data / "police_street" / "hampshire" / f"{month}-hampshire-street.csv", newline="", encoding="utf-8") as fh:
            q1 += sum(1 for r in csv.DictReader(fh) if r["Crime type"] != "Anti-social behaviour")
    assert table.loc["Q1", "police_uk_crimes"] == q1
    assert table.loc["Total", "police_uk_crimes"] == table.loc["Q1", "police_uk_crimes"] + table.loc["Q2", "police_uk_crimes"]


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from conftest import run_chapter

    run = run_chapter("13_appendix_reconciliation", demo_data, tmp_path)
    tables = run.output_dir / "tables"
    assert (tables / "13_appendix_reconciliation__by_quarter.csv").exists()
    assert (tables / "13_appendix_reconciliation__by_offence_group.csv").exists()
    assert any("Home Office recorded crime" in f for f in run.findings)
