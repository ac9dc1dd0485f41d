"""Chapter 8 (hate crime): flag counting rules, like-for-like years, strands, metrics and the notebook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import flags_frame, run_chapter

from assess.chapters import common
from assess.chapters import hate_crime as hc
from assess.measure.flags import (
    flag_monthly,
    flags_like_for_like,
    monthly_by_year,
    total_counts_strands_twice,
    two_year_row,
    year_change,
    year_trend,
)
from assess.report.outputs import ChapterOutputs
from assess.sources import partner

# --- counting rules -----------------------------------------------------------------------------


def test_flag_monthly_prefers_the_total_row_and_falls_back_to_the_sum_of_strands() -> None:
    flags = flags_frame([
        ("2024-04", "hate_crime", None, None, 10),  # the force's total: each crime once
        ("2024-04", "hate_crime", "race", None, 8),
        ("2024-04", "hate_crime", "religion", None, 4),
        ("2024-05", "hate_crime", "race", None, 6),  # no total row: strands added
        ("2024-05", "hate_crime", "disability", None, 1),
        ("2024-05", "domestic_abuse", None, "W1", 3),
        ("2024-05", "domestic_abuse", None, "W2", 5),
    ])
    assert flag_monthly(flags, "hate_crime").to_dict() == {"2024-04": 10, "2024-05": 7}
    assert flag_monthly(flags, "hate_crime", "race").to_dict() == {"2024-04": 8, "2024-05": 6}
    assert flag_monthly(flags, "domestic_abuse").to_dict() == {"2024-05": 8}  # wards added up
    assert total_counts_strands_twice(flags)
    assert not total_counts_strands_twice(flags[flags["month"] == "2024-04"])


def test_an_incomplete_year_is_compared_on_the_same_months_of_every_year() -> None:
    rows = []
    for fy_start in (2022, 2023):
        for m in ("04", "05", "06", "07", "08", "09", "10", "11", "12", "01", "02", "03"):
            year = fy_start + (m < "04")
            rows.append((f"{year}-{m}", "hate_crime", "race", None, 10))
    rows += [("2024-04", "hate_crime", "race", None, 7), ("2024-05", "hate_crime", "race", None, 9)]
    flags = flags_frame(rows)
    lfl = flags_like_for_like(flags, "2024/25")
    assert not lfl.complete
    assert lfl.months("2023/24") == ["2023-04", "2023-05"]
    assert lfl.period("2024/25") == "2024-04 to 2024-05"
    assert lfl.describe("2023/24") == "2023/24 (April 2023 to May 2023)"
    table, _ = hc.hate_crime_by_year(flags, "2024/25")
    assert table["financial_year"].tolist() == ["2022/23", "2023/24", "2024/25"]
    assert table["months"].tolist() == [2, 2, 2]
    assert table["hate_crimes"].tolist() == [20, 20, 16]


def test_counts_by_year_fills_years_without_the_flag_with_zero() -> None:
    flags = flags_frame([("2023-04", "rape", None, None, 3), ("2024-04", "hate_crime", "race", None, 2)])
    lfl = flags_like_for_like(flags, "2024/25")
    counts = monthly_by_year(flag_monthly(flags, "hate_crime"), ["2023/24", "2024/25"], lfl)
    assert counts.to_dict() == {"2023/24": 0, "2024/25": 2}
    assert counts.dtype == "int64"


def test_change_and_trend_need_their_years() -> None:
    two = pd.Series([100, 150], index=["2023/24", "2024/25"], dtype="int64")
    assert year_trend(two) is None
    assert year_change(two, "2024/25", "2022/23") is None
    change = year_change(two, "2024/25", "2023/24")
    assert change is not None and change.verdict == "increase" and change.percent == pytest.approx(50.0)
    rising = pd.Series([100, 150, 220, 330], index=["a", "b", "c", "d"], dtype="int64")
    assert year_trend(rising).verdict == "rising"  # type: ignore[union-attr]


def test_strand_table_blanks_the_change_of_a_suppressible_count() -> None:
    flags = flags_frame([
        ("2023-04", "hate_crime", "race", None, 40), ("2024-04", "hate_crime", "race", None, 80),
        ("2023-04", "hate_crime", "transgender", None, 2), ("2024-04", "hate_crime", "transgender", None, 6),
    ])
    table = hc.strand_table(flags, "2024/25", "2023/24", threshold=5)
    assert table["strand"].tolist() == ["race", "transgender"]  # Home Office order
    race, trans = table.iloc[0], table.iloc[1]
    assert race["change_percent"] == pytest.approx(100.0)
    assert race["verdict"] == "increase"
    assert pd.isna(trans["change_percent"]) and trans["verdict"] == ""
    assert hc.strand_table(flags, "2024/25", "2023/24")["verdict"].iloc[1] == "no significant change"


def test_a_year_the_file_does_not_cover_is_not_a_zero() -> None:
    flags = flags_frame([("2024-04", "hate_crime", "race", None, 12), ("2024-05", "hate_crime", "race", None, 9)])
    row = two_year_row(flags, flag_monthly(flags, "hate_crime"), "2024/25", "2023/24")
    assert row == {"2023/24": None, "2024/25": 21, "change_percent": pytest.approx(float("nan"), nan_ok=True),
                   "verdict": ""}
    table = hc.strand_table(flags, "2024/25", "2023/24")
    assert table["2023/24"].isna().all() and table["2024/25"].tolist() == [21]


def test_comparator_key() -> None:
    assert common.comparator_key("England and Wales") == "england_and_wales"


# --- the demo data ------------------------------------------------------------------------------


def test_demo_hate_crime_covers_every_year_of_the_flags_file(demo_ctx, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    fresh = dataclasses.replace(demo_ctx)  # a context that has read no partner file yet
    reads: list[Path] = []
    read = partner.PARTNER_READERS["force_flags"]
    monkeypatch.setitem(partner.PARTNER_READERS, "force_flags", lambda path: reads.append(path) or read(path))
    flags = fresh.partner("force_flags")
    assert flags is not None
    assert fresh.partner("force_flags").equals(flags) and len(reads) == 1  # read once
    table, lfl = hc.hate_crime_by_year(flags, demo_ctx.year)
    assert lfl.complete
    assert table["financial_year"].tolist() == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert hc.strands_present(flags) == list(hc.STRAND_LABELS)
    hate = flags[flags["flag"] == "hate_crime"]
    totals = hate[hate["strand"].isna()].groupby("financial_year")["count"].sum()
    assert totals.tolist() == table["hate_crimes"].tolist()  # the force's total rows, each crime once
    strands = hc.strand_by_year(flags, demo_ctx.year).groupby("financial_year")["hate_crimes"].sum()
    assert (strands.to_numpy() >= table["hate_crimes"].to_numpy()).all()  # a crime may be on two strands
    assert not total_counts_strands_twice(flags)


def test_sections_publish_metrics_tables_and_findings(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, hc.CHAPTER, demo_ctx.cfg.suppression_threshold)
    hc.trend(demo_ctx, out)
    hc.rate(demo_ctx, out)
    hc.strands(demo_ctx, out)
    metrics = json.loads(out.metrics_path.read_text())
    ids = [m["id"] for m in metrics]
    assert ids == ["hate_crime"] + [f"hate_crime_{s}" for s in hc.STRAND_LABELS]
    table = pd.read_csv(out.table_path("hate_crime_by_year"))
    head = metrics[0]
    assert head["value"] == table["Hate crimes"].iloc[-1]
    assert head["previous_value"] == table["Hate crimes"].iloc[-2]
    assert head["rate"] == pytest.approx(1000 * head["value"] / demo_ctx.population)
    assert head["comparators"] and head["comparison_verdicts"]  # the demo benchmarks hold a national rate
    strands = pd.read_csv(out.table_path("hate_crime_by_strand"))
    race = next(m for m in metrics if m["id"] == "hate_crime_race")
    assert race["value"] == strands.loc[strands["Strand"] == "Race", demo_ctx.year].iloc[0]
    findings = json.loads(out.findings_path.read_text())
    assert any("Hate crime" in f for f in findings)
    assert out.figure_path("hate_crime_trend").exists() and out.figure_path("hate_crime_by_strand").exists()
    assert any("trend" in t for t in out.said)


def test_sections_say_plainly_when_the_flags_are_absent(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path / "out", hc.CHAPTER)
    for section in (hc.trend, hc.rate, hc.strands):
        section(bare_ctx, out)
    assert len(out.said) == 3 and all(t.startswith("*No data on hate crime") for t in out.said)
    assert "force_flags.csv" in out.said[0]
    assert not out.metrics_path.exists()


def test_a_total_without_strands_is_shown_without_the_strand_section(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    raw = bare_ctx.raw_dir / "partner"
    raw.mkdir(parents=True)
    rows = ["month,flag,strand,ward_code,count"]
    for fy in (2022, 2023, 2024):
        rows += [f"{fy}-{m:02d},hate_crime,,,{20 + fy - 2022}" for m in range(4, 13)]
        rows += [f"{fy + 1}-{m:02d},hate_crime,,,{20 + fy - 2022}" for m in range(1, 4)]
    (raw / "force_flags.csv").write_text("\n".join(rows) + "\n")
    out = ChapterOutputs(tmp_path / "out", hc.CHAPTER)
    hc.trend(bare_ctx, out)
    hc.strands(bare_ctx, out)
    assert pd.read_csv(out.table_path("hate_crime_by_year"))["Hate crimes"].tolist() == [240, 252, 264]
    assert any("total only" in t for t in out.said)
    assert not out.metrics_path.exists()  # neither section emits a strand metric


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter("08_hate_crime", demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} >= {"hate_crime", "hate_crime_race"}
    assert run.findings
    assert (run.output_dir / "tables" / "08_hate_crime__hate_crime_by_strand.csv").exists()
    executed = run.notebook.read_text()
    assert "synthetic demonstration data" in executed


def test_flag_changes_and_trends_allow_for_month_to_month_variation() -> None:
    import numpy as np

    from assess.measure.flags import comparable_years, flag_by_year, flag_series
    from assess.stats import change_in_monthly_counts, monthly_dispersion, trend_in_counts

    rng = np.random.default_rng(11)
    months = [f"{y}-{m:02d}" for y in range(2021, 2026) for m in range(1, 13)]
    months = [m for m in months if "2021-04" <= m <= "2025-03"]
    counts = rng.poisson(40 * rng.gamma(4.0, 0.25, len(months)))
    rows = [(m, "hate_crime", None, None, int(c)) for m, c in zip(months, counts, strict=True) if c > 0]
    rows += [(m, "domestic_abuse", None, None, 5) for m in months]  # the file covers every month
    flags = flags_frame(rows)
    series = flag_series(flags, "hate_crime")
    assert series.index.tolist() == months and not series.isna().any()  # a covered month without a row is 0
    by_year, lfl = flag_by_year(flags, "hate_crime", "2024/25")
    change = year_change(by_year, "2024/25", "2023/24", monthly=series, lfl=lfl)
    assert change == change_in_monthly_counts(series, lfl.months("2024/25"), lfl.months("2023/24"))
    assert change.method_id == "quasi-poisson-glm-month-effects" and change.dispersion >= 1.0
    trend = year_trend(by_year, monthly=series, lfl=lfl)
    expected = trend_in_counts(by_year.tolist(), dispersion=monthly_dispersion(series))
    assert trend.p_value == pytest.approx(expected.p_value) and trend.dispersion == pytest.approx(expected.dispersion)
    row = two_year_row(flags, series, "2024/25", "2023/24")
    assert row["verdict"] == change.verdict
    # a year the file covers only in part is not comparable: it is absent, never counted as a part or a zero
    late = flags[flags["month"] >= "2021-10"]
    assert comparable_years(late, flags_like_for_like(late, "2024/25")) == ["2022/23", "2023/24", "2024/25"]
    assert flag_by_year(late, "hate_crime", "2024/25")[0].index.tolist() == ["2022/23", "2023/24", "2024/25"]
