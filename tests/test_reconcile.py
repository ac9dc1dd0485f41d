"""Reconciliation of the real Hampshire police.uk files (Feb-Sep 2017) with the Home Office table.

The frames are built here straight from the published CSVs (pandas + renaming to the data-model
names), independently of the project's readers; the expected counts are taken with the csv module.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from assess.errors import AssessError
from assess.measure.reconcile import (
    OFFENCE_GROUP_MAPPING,
    explain_differences,
    reconcile_by_offence_group,
    reconcile_police_uk_with_home_office,
)

STREET_COLUMNS = {
    "Crime ID": "crime_id", "Month": "month", "Reported by": "reported_by", "Falls within": "falls_within",
    "Longitude": "longitude", "Latitude": "latitude", "Location": "location", "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name", "Crime type": "crime_type", "Last outcome category": "last_outcome_category",
    "Context": "context",
}
PRC_COLUMNS = {
    "Financial Year": "financial_year", "Financial Quarter": "quarter", "Force Name": "force_name",
    "Offence Description": "offence_description", "Offence Group": "offence_group",
    "Offence Subgroup": "offence_subgroup", "Offence Code": "offence_code", "Number of Offences": "offences",
}
PRC = "home_office_prc/prc-pfa-mar2013-onwards-tables201718.csv"
QUARTER_OF = {"2017-04": 1, "2017-05": 1, "2017-06": 1, "2017-07": 2, "2017-08": 2, "2017-09": 2}


@pytest.fixture(scope="module")
def street_files(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "police_street" / "hampshire").glob("2017-*-hampshire-street.csv"))
    assert len(files) == 8
    return files


@pytest.fixture(scope="module")
def street(street_files: list[Path]) -> pd.DataFrame:
    df = pd.concat([pd.read_csv(f, dtype="string").rename(columns=STREET_COLUMNS) for f in street_files], ignore_index=True)
    df["category"] = df["crime_type"]  # the police.uk categories of 2017 are the current ones
    return df


@pytest.fixture(scope="module")
def recorded(shared_data: Path) -> pd.DataFrame:
    df = pd.read_csv(shared_data / PRC, dtype="string").rename(columns=PRC_COLUMNS)
    df["quarter"] = df["quarter"].astype("int64")
    df["offences"] = df["offences"].str.strip().astype("int64")  # published as " 5157 ", "-00" for 0
    df["csp_name"] = pd.array([pd.NA] * len(df), dtype="string")
    return df


@pytest.fixture(scope="module")
def raw_counts(street_files: list[Path]) -> dict[str, Counter]:
    """Independent counts with the csv module: non-ASB rows per quarter and per (quarter, crime type)."""
    per_quarter: Counter = Counter()
    per_type: Counter = Counter()
    for f in street_files:
        with open(f, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                q = QUARTER_OF.get(row["Month"])
                if q is None or row["Crime type"] == "Anti-social behaviour":
                    continue
                per_quarter[q] += 1
                per_type[row["Crime type"]] += 1
    return {"quarter": per_quarter, "type": per_type}


@pytest.fixture(scope="module")
def ho_raw(shared_data: Path) -> list[dict[str, str]]:
    with open(shared_data / PRC, newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["Force Name"] == "Hampshire" and r["Financial Year"] == "2017/18"]


def test_quarters_match_independent_counts(street: pd.DataFrame, recorded: pd.DataFrame, raw_counts: dict[str, Counter]) -> None:
    r = reconcile_police_uk_with_home_office(street, recorded, "Hampshire", "2017/18").set_index("period")
    assert list(r.index) == ["Q1", "Q2", "Q3", "Q4", "Total"]
    assert r.loc["Q1", "home_office_offences"] == 41_145
    assert r.loc["Q2", "home_office_offences"] == 41_137
    for q in (1, 2):
        row = r.loc[f"Q{q}"]
        assert row["complete"]
        assert row["police_uk_crimes"] == raw_counts["quarter"][q]
        assert row["difference"] == raw_counts["quarter"][q] - row["home_office_offences"]
        assert row["pct_difference"] == pytest.approx(100 * row["difference"] / row["home_office_offences"])
        assert -5 < row["pct_difference"] < 0  # police.uk runs a few per cent lower
    assert r.loc["Q1", "months_present"] == "2017-04, 2017-05, 2017-06"
    assert r.loc["Q2", "label"] == "Q2 (Jul-Sep 2017)"
    assert r.loc["Q4", "label"] == "Q4 (Jan-Mar 2018)"


def test_incomplete_quarters_are_flagged_not_compared(street: pd.DataFrame, recorded: pd.DataFrame, raw_counts: dict[str, Counter]) -> None:
    r = reconcile_police_uk_with_home_office(street, recorded, "Hampshire", "2017/18").set_index("period")
    for q, ho in (("Q3", 39_397), ("Q4", 37_862)):
        assert not r.loc[q, "complete"]
        assert r.loc[q, "home_office_offences"] == ho
        assert r.loc[q, "police_uk_months"] == 0 and r.loc[q, "months_present"] == ""
        assert pd.isna(r.loc[q, "difference"]) and pd.isna(r.loc[q, "pct_difference"])
        assert "police.uk holds 0 of 3 months" in r.loc[q, "note"] and "not compared" in r.loc[q, "note"]
    total = r.loc["Total"]
    assert total["police_uk_crimes"] == raw_counts["quarter"][1] + raw_counts["quarter"][2]
    assert total["home_office_offences"] == 41_145 + 41_137
    assert total["difference"] == total["police_uk_crimes"] - 82_282
    assert total["police_uk_months"] == 6 and not total["complete"]
    assert "Q1, Q2 (6 of 12 months)" in total["note"]
    assert pd.isna(total["quarter"])


def test_a_missing_month_makes_its_quarter_incomplete(street: pd.DataFrame, recorded: pd.DataFrame, raw_counts: dict[str, Counter]) -> None:
    r = reconcile_police_uk_with_home_office(street[street["month"] != "2017-06"], recorded, "Hampshire", "2017/18")
    r = r.set_index("period")
    assert not r.loc["Q1", "complete"] and r.loc["Q1", "police_uk_months"] == 2
    assert r.loc["Q1", "months_present"] == "2017-04, 2017-05"
    assert "2 of 3 months" in r.loc["Q1", "note"]
    assert pd.isna(r.loc["Q1", "difference"])
    assert r.loc["Total", "police_uk_crimes"] == raw_counts["quarter"][2]  # the total holds Q2 only
    assert r.loc["Total", "home_office_offences"] == 41_137


def test_a_quarter_missing_from_the_home_office_table_is_flagged(street: pd.DataFrame, recorded: pd.DataFrame) -> None:
    r = reconcile_police_uk_with_home_office(street, recorded[recorded["quarter"] != 2], "Hampshire", "2017/18").set_index("period")
    assert not r.loc["Q2", "complete"] and pd.isna(r.loc["Q2", "home_office_offences"])
    assert "Home Office table has no 2017/18 Q2" in r.loc["Q2", "note"]
    assert r.loc["Total", "home_office_offences"] == 41_145


def test_by_offence_group_against_independent_sums(
    street: pd.DataFrame, recorded: pd.DataFrame, raw_counts: dict[str, Counter], ho_raw: list[dict[str, str]]
) -> None:
    g = reconcile_by_offence_group(street, recorded, "Hampshire", "2017/18").set_index("police_uk_category")
    assert (g["quarters"] == "Q1, Q2").all()
    h1 = [r for r in ho_raw if r["Financial Quarter"] in ("1", "2")]

    def ho_sum(col: str, names: set[str]) -> int:
        return sum(int(r["Number of Offences"].strip()) for r in h1 if r[col] in names)

    vso = g.loc["Violence and sexual offences"]
    assert vso["police_uk_crimes"] == raw_counts["type"]["Violence and sexual offences"]
    assert vso["home_office_offences"] == ho_sum("Offence Group", {"Violence against the person", "Sexual offences"})
    assert g.loc["Vehicle crime", "home_office_offences"] == ho_sum(
        "Offence Subgroup", {"Theft from a vehicle", "Theft of a motor vehicle", "Vehicle interference"}
    )
    assert g.loc["Burglary", "home_office_offences"] == ho_sum("Offence Subgroup", {"Domestic burglary", "Non-domestic burglary"})
    assert g.loc["Other crime", "home_office_offences"] == ho_sum("Offence Group", {"Miscellaneous crimes"})
    for category in raw_counts["type"]:
        assert g.loc[category, "police_uk_crimes"] == raw_counts["type"][category]
    # the categories add up to the total, which equals the quarterly reconciliation's total
    cats = g.drop(index="Total")
    assert cats["police_uk_crimes"].sum() == g.loc["Total", "police_uk_crimes"]
    assert cats["home_office_offences"].sum() == g.loc["Total", "home_office_offences"] == 82_282
    q = reconcile_police_uk_with_home_office(street, recorded, "Hampshire", "2017/18").set_index("period")
    assert g.loc["Total", "difference"] == q.loc["Total", "difference"]
    assert len(cats) == 13  # every police.uk crime category, each with a Home Office counterpart


def test_home_office_groups_without_counterpart_are_shown(street: pd.DataFrame, recorded: pd.DataFrame) -> None:
    fraud = recorded.iloc[:1].copy()
    fraud[["force_name", "financial_year", "quarter", "offence_group", "offence_subgroup", "offences"]] = [
        "Hampshire", "2017/18", 1, "Fraud offences", "Fraud: action fraud", 100,
    ]
    g = reconcile_by_offence_group(street, pd.concat([recorded, fraud], ignore_index=True), "Hampshire", "2017/18")
    row = g[g["home_office_groups"] == "group: Fraud offences"].iloc[0]
    assert pd.isna(row["police_uk_category"]) and row["home_office_offences"] == 100
    assert "no police.uk counterpart" in row["note"] and pd.isna(row["difference"])
    assert g.set_index("police_uk_category").loc["Total", "home_office_offences"] == 82_382


def test_mapping_covers_every_home_office_group_but_fraud(recorded: pd.DataFrame) -> None:
    from assess.measure.reconcile import _home_office_category

    cat = _home_office_category(recorded["offence_group"], recorded["offence_subgroup"])
    assert set(recorded.loc[cat.isna(), "offence_group"]) == {"Fraud offences"}
    assert len({c for c, _, _ in OFFENCE_GROUP_MAPPING}) == 13


def test_force_selection_and_clear_errors(street: pd.DataFrame, recorded: pd.DataFrame) -> None:
    with pytest.raises(AssessError, match="did you mean 'Hampshire'"):
        reconcile_police_uk_with_home_office(street, recorded, "Hampshir", "2017/18")
    other = street.iloc[:10].assign(falls_within="Surrey Police")
    mixed = pd.concat([street, other], ignore_index=True)
    with pytest.raises(AssessError, match="several forces"):
        reconcile_police_uk_with_home_office(mixed, recorded, "Hampshire", "2017/18")
    chosen = reconcile_police_uk_with_home_office(mixed, recorded, "Hampshire", "2017/18", falls_within="Hampshire Constabulary")
    plain = reconcile_police_uk_with_home_office(street, recorded, "Hampshire", "2017/18")
    pd.testing.assert_frame_equal(chosen, plain)
    with pytest.raises(AssessError, match="lacks column"):
        reconcile_police_uk_with_home_office(street.drop(columns="crime_type"), recorded, "Hampshire", "2017/18")
    with pytest.raises(AssessError, match="no complete quarter"):
        reconcile_by_offence_group(street, recorded, "Hampshire", "2018/19")


def test_explain_differences_names_the_documented_reasons() -> None:
    text = " ".join(explain_differences()).lower()
    for reason in ("action fraud", "location", "snapshot", "revised", "geocod", "three monthly files", "anti-social behaviour"):
        assert reason in text, reason
