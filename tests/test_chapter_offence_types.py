"""Chapter 2 (offence types): the category and flag table, largest changes, metrics, absent data and the notebook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import flags_frame, run_chapter

from assess.chapters import offence_types as ot
from assess.measure.counts import CRIME_CATEGORIES, PeriodCounts
from assess.measure.flags import flag_count, total_counts_strands_twice
from assess.report.outputs import ChapterOutputs
from assess.store.harmonise import category_id

CHAPTER = "02_offence_types"
CATEGORY_IDS = {category_id(c) for c in CRIME_CATEGORIES}


FLAGS = flags_frame(
    [
        ("2023-04", "knife_crime", None, None, 10),
        ("2024-04", "knife_crime", None, None, 14),
        ("2023-04", "hate_crime", "race", None, 6),
        ("2023-04", "hate_crime", "religion", None, 2),
        ("2024-04", "hate_crime", None, None, 5),  # a total row: used instead of the strands
        ("2024-04", "hate_crime", "race", None, 4),
        ("2024-04", "domestic_abuse", None, "E05000001", 3),
        ("2024-04", "domestic_abuse", None, "E05000002", 4),
    ]
)
PC = PeriodCounts("2024/25", "2023/24", ("2024-04",), ("2023-04",), 0, 0)


def test_category_table_covers_the_13_categories_and_sums_to_all_crime(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    t = ot.category_table(demo_ctx)
    assert t["offence"].tolist() == list(CRIME_CATEGORIES)
    assert set(t["measure_id"]) == CATEGORY_IDS
    assert t["current"].sum() == len(demo_ctx.street(demo_ctx.year, asb=False))
    assert t["previous"].sum() == len(demo_ctx.street(demo_ctx.previous_year, asb=False))
    assert (t["change"] == t["current"] - t["previous"]).all()
    assert set(t["verdict"]) <= {"increase", "decrease", "no significant change"}


def test_flag_counts_sum_wards_and_prefer_hate_crime_totals(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    assert flag_count(FLAGS, "domestic_abuse", ("2024-04",)) == 7
    assert flag_count(FLAGS, "hate_crime", ("2023-04",)) == 8  # strands summed: no total given
    assert flag_count(FLAGS, "hate_crime", ("2024-04",)) == 5  # the total row
    strand_sum = {m: total_counts_strands_twice(FLAGS, [m]) for m in ("2023-04", "2024-04")}
    assert strand_sum == {"2023-04": True, "2024-04": False}
    t = ot.flag_table(demo_ctx, FLAGS, PC)
    assert t["measure_id"].tolist() == ["hate_crime", "domestic_abuse", "knife_crime"]  # FLAG_LABELS order
    knife = t.set_index("measure_id").loc["knife_crime"]
    assert (knife["previous"], knife["current"], knife["change"]) == (10, 14, 4)


def test_flags_without_last_years_months_are_not_compared(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    pc = PeriodCounts("2024/25", "2023/24", ("2024-04",), ("2023-05",), 0, 0)
    t = ot.flag_table(demo_ctx, FLAGS, pc)
    assert t["previous"].isna().all() and (t["verdict"] == ot.NOT_COMPARABLE).all()


def test_largest_changes_need_a_base_in_both_years() -> None:
    t = pd.DataFrame(
        {
            "offence": ["a", "b", "c", "d"],
            "previous": pd.array([100, 3, 50, None], dtype="Int64"),
            "current": [150, 30, 40, 20],
            "change_percent": [50.0, 900.0, -20.0, None],
        }
    )
    top = ot.largest_changes(t, n=5, minimum=10)
    assert top["offence"].tolist() == ["a", "c"]


def test_mask_derived_hides_what_would_reveal_a_suppressed_count() -> None:
    t = pd.DataFrame(
        {
            "previous": pd.array([2, 100], dtype="Int64"),
            "current": [40, 120],
            "change": pd.array([38, 20], dtype="Int64"),
            "change_percent": [1900.0, 20.0],
            "rate_per_1000": [0.2, 0.5],
        }
    )
    m = ot.mask_derived(t, 5)
    assert m["change"].isna().tolist() == [True, False]
    assert m["change_percent"].isna().tolist() == [True, False]
    assert m["rate_per_1000"].isna().tolist() == [True, False]


def test_sections_publish_one_metric_per_category_and_owned_flag(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, CHAPTER, demo_ctx.cfg.suppression_threshold)
    ot.offence_categories(demo_ctx, out)
    ot.changes_chart(demo_ctx, out)
    ot.home_office_offences(demo_ctx, out)
    metrics = {m["id"]: m for m in json.loads((tmp_path / "metrics" / f"{CHAPTER}.json").read_text())}
    assert set(metrics) == CATEGORY_IDS | set(ot.OWNED_FLAG_METRICS)
    assert not {"hate_crime", "domestic_abuse", "rape", "missing_person_child"} & set(metrics)
    burglary = metrics["burglary"]
    assert burglary["value"] == len(demo_ctx.street(demo_ctx.year).query("category == 'Burglary'"))
    assert burglary["verdict"] in {"increase", "decrease", "no significant change"}
    table = pd.read_csv(tmp_path / "tables" / f"{CHAPTER}__offence_types.csv")
    assert table["Source"].value_counts().to_dict()["police.uk"] == 13
    assert "Hate crime" in table["Offence"].tolist() and "Missing persons (children)" in table["Offence"].tolist()
    assert (tmp_path / "figures" / f"{CHAPTER}__largest_changes.png").exists()
    subgroups = pd.read_csv(tmp_path / "tables" / f"{CHAPTER}__home_office_subgroups.csv")
    assert "Domestic burglary" in subgroups["Offence subgroup"].tolist()
    assert json.loads((tmp_path / "findings" / f"{CHAPTER}.json").read_text())


def test_without_flags_or_csp_tables_the_chapter_says_so(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = bare_ctx
    table = c.recorded_crime
    c.__dict__["recorded_crime"] = table[table["csp_name"].isna()]
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    ot.offence_categories(c, out)
    ot.home_office_offences(c, out)
    metrics = json.loads((tmp_path / "metrics" / f"{CHAPTER}.json").read_text())
    assert {m["id"] for m in metrics} == CATEGORY_IDS
    assert any("force-flagged offences" in s for s in out.said)
    notes = json.loads((tmp_path / "catalogue" / f"{CHAPTER}.json").read_text())["notes"]
    assert any("force area level only" in n for n in notes)


def test_an_incomplete_comparison_publishes_counts_without_change(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = dataclasses.replace(demo_ctx)
    full = c.street_all
    c.__dict__["street_all"] = full[full["month"] >= "2024-04"]
    t = ot.category_table(c)
    assert t["previous"].isna().all() and (t["verdict"] == ot.NOT_COMPARABLE).all()
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    ot.offence_categories(c, out)
    metrics = json.loads((tmp_path / "metrics" / f"{CHAPTER}.json").read_text())
    robbery = next(m for m in metrics if m["id"] == "robbery")
    assert robbery["previous_value"] is None and robbery["verdict"] is None


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter(CHAPTER, demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} == CATEGORY_IDS | set(ot.OWNED_FLAG_METRICS)
    assert (run.output_dir / "tables" / f"{CHAPTER}__offence_types.csv").exists()
