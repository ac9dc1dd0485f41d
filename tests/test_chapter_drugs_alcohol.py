"""Chapter 10 (drugs and alcohol): flag shares, pooled drug-death rates, absent data, the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_chapter, run_sections

from assess.chapters import drugs_alcohol as ch
from assess.periods import shift_month
from assess.report.outputs import ChapterOutputs
from assess.stats import exact_poisson_interval

METRICS = {"alcohol_affected_crime", "alcohol_related_violence", "drug_related_violence", "drug_related_deaths_rate"}
SECTIONS = ("alcohol_and_drug_related_crime", "drug_offences", "drug_related_deaths")


def deaths_frame(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["calendar_year", "deaths", "population"]).astype("int64")


def test_pooled_deaths_rate_sums_three_years() -> None:
    deaths = deaths_frame([(2020, 10, 100_000), (2021, 12, 100_500), (2022, 14, 101_000), (2023, 3, 101_500)])
    assert ch.deaths_window(deaths, 2022) == (36, 301_500.0)
    assert ch.deaths_window(deaths, 2024) is None  # 2024 missing
    assert ch.deaths_window(deaths, 2021) is None  # 2019 missing
    table = ch.pooled_deaths_table(deaths)
    assert table["period"].tolist() == ["2020 to 2022", "2021 to 2023"]
    assert table["rate_per_100000"].iloc[0] == pytest.approx(36 / 301_500 * 100_000)
    assert ch.pooled_deaths_table(deaths, last_year=2022)["end_year"].tolist() == [2022]
    # below 10 deaths the limits are exact Poisson (PHE)
    few = ch.pooled_death_rate(7, 300_000)
    lo, hi = exact_poisson_interval(7)
    assert (few.lower, few.upper) == pytest.approx((lo / 3, hi / 3))
    assert ch.window_label(2024) == "2022 to 2024" and ch.window_label(2024, sep="-") == "2022-2024"
    assert ch.latest_death_year("2024/25") == 2024


def test_flag_counts_and_table() -> None:
    flags = pd.DataFrame(
        {
            "month": ["2024-04", "2024-05", "2024-04", "2023-04", "2024-04"],
            "flag": ["alcohol_affected", "alcohol_affected", "drug_related_violence", "alcohol_affected", "hate_crime"],
            "count": [10, 20, 3, 8, 99],
        }
    )
    counts = ch.flag_counts(flags, ["2024-04", "2024-05"])
    assert counts.to_dict() == {"alcohol_affected": 30, "alcohol_related_violence": 0, "drug_related_violence": 3}
    table = ch.flag_table(counts, {"crime": 200, "violence": 60, "drugs": 5}, None, None).set_index("flag")
    assert table.loc["Alcohol-affected crimes", "percent"] == pytest.approx(15.0)
    assert table.loc["Drug-related violent crimes", "percent"] == pytest.approx(5.0)
    assert "change" not in table.columns
    assert ch.flag_share(5, 0) is None and ch.flag_share(6, 5) is None
    assert shift_month("2024-01", -12) == "2023-01"  # a year back: periods.shift_month


def test_street_totals() -> None:
    street = pd.DataFrame(
        {
            "month": ["2024-04"] * 4 + ["2024-05"],
            "category": ["Violence and sexual offences", "Drugs", "Anti-social behaviour", "Burglary", "Drugs"],
            "is_asb": [False, False, True, False, False],
        }
    )
    assert ch.street_totals(street, ["2024-04"]) == {"crime": 3, "violence": 1, "drugs": 1}


def test_sections_on_demo_data(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run_sections(ch, SECTIONS, demo_ctx, tmp_path)
    metrics = {m["id"]: m for m in json.loads(out.metrics_path.read_text())}
    assert set(metrics) == METRICS
    assert "drugs" not in metrics  # chapter 2 owns the police.uk Drugs metric
    flags = demo_ctx.partner("force_flags")
    this = flags[(flags["financial_year"] == demo_ctx.year) & (flags["flag"] == "alcohol_affected")]["count"].sum()
    assert metrics["alcohol_affected_crime"]["value"] == this
    assert "of all crime" in metrics["alcohol_affected_crime"]["note"]
    deaths = demo_ctx.partner("drug_deaths").set_index("calendar_year")
    window = deaths.loc[2022:2024]
    deaths_rate = metrics["drug_related_deaths_rate"]
    assert deaths_rate["period"] == "2022 to 2024" and deaths_rate["previous_period"] == "2019 to 2021"
    assert deaths_rate["value"] == pytest.approx(window["deaths"].sum() / window["population"].sum() * 100_000)
    assert deaths_rate["comparators"] == {"England": 5.8}
    # the demo's England figure does not say it is crude: a crude rate gets no verdict against it
    assert deaths_rate["comparison_verdicts"] == {} and "No comparison verdict" in deaths_rate["note"]
    assert deaths_rate["method_id"] == "exact-conditional-poisson" and "no monthly series" in deaths_rate["fallback_reason"]
    assert not any("significantly" in s and "England" in s for s in out.said if "drug misuse" in s)
    shares = pd.read_csv(out.table_path("alcohol_drug_related_crime"))
    assert (shares["lower_95"] <= shares["percent"]).all() and (shares["percent"] <= shares["upper_95"]).all()
    pooled = pd.read_csv(out.table_path("drug_related_deaths"))
    assert pooled["period"].iloc[-1] == "2022 to 2024" and "england_rate" in pooled.columns
    assert any("drug offences" in s for s in out.said)
    assert out.figure_path("drug_deaths_trend").exists()


def test_absent_partner_data(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path / "out", ch.CHAPTER)
    ch.alcohol_and_drug_related_crime(bare_ctx, out)
    ch.drug_related_deaths(bare_ctx, out)
    assert not out.metrics_path.exists()
    assert len(out.said) == 2 and all("No data on" in s for s in out.said)
    # drug offences come from police.uk, so they still show without partner files
    ch.drug_offences(bare_ctx, out)
    assert any("drug offences" in s for s in out.said[2:])
    assert any("no national drug offence rate" in s for s in out.said[2:])


def test_a_crude_death_rate_is_judged_only_against_a_crude_national_rate() -> None:
    from assess.measure.national import Benchmark

    rate = ch.pooled_death_rate(59, 756_000)  # 7.8 per 100,000 a year

    def bench(unit: str) -> Benchmark:
        return Benchmark("drug_misuse_deaths", "2022-2024", "England", 5.8, unit, "ONS")

    standardised = ch.deaths_comparison_sentence("Wessex Vale", rate, bench("age-standardised rate per 100,000"),
                                                 "England", "2022 to 2024")
    assert "No verdict is given: England's figure is age-standardised and this rate is crude" in standardised
    assert "significantly" not in standardised and "similar" not in standardised
    unknown = ch.deaths_comparison_sentence("Wessex Vale", rate, bench("per 100,000 population"), "England", "2022 to 2024")
    assert "does not say whether England's figure is crude or age-standardised" in unknown
    crude = ch.deaths_comparison_sentence("Wessex Vale", rate, bench("crude rate per 100,000"), "England", "2022 to 2024")
    assert "is significantly higher than England's" in crude  # like with like: a verdict
    assert bench("Directly age standardised rate (DSR) per 100,000").standardisation == "age-standardised"


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter("10_drugs_alcohol", demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} == METRICS
    assert (run.output_dir / "tables" / "10_drugs_alcohol__drug_related_deaths.csv").exists()
    assert run.findings
