"""Fingertips (OHID) CSV exports: the real download of ../shared/data, every period format, and
the traps of the format (bare line breaks in quoted names, short records, breakdown rows)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from assess.errors import InputError
from assess.sources.discover import classify
from assess.sources.fingertips import (
    INDICATOR_COLUMNS,
    combine_exports,
    parse_time_period,
    read_fingertips,
)
from assess.sources.validation import ReadReport

REAL = "fingertips/indicators-CountyUA.data.csv"


@pytest.fixture(scope="module")
def real(shared_data: Path) -> tuple[pd.DataFrame, ReadReport]:
    path = shared_data / REAL
    report = ReadReport(path)
    return read_fingertips(path, report=report), report


@pytest.mark.real
def test_real_download(real: tuple[pd.DataFrame, ReadReport], shared_data: Path) -> None:
    df, report = real
    assert list(df.columns) == INDICATOR_COLUMNS and len(df) == 852 == report.rows_read
    # the quoted name holds a bare line break (records end in CRLF): one record, the name made whole
    assert set(df["indicator_name"]) == {"Campylobacter incidence rate/100,000"}
    assert set(df["indicator_id"]) == {93356}
    raw = (shared_data / REAL).read_bytes()
    assert b'100,000\n",' in raw and raw.count(b"\r\n") == 853
    assert df["source_row"].iloc[:3].tolist() == [2, 4, 6]  # each record starts two lines after the last
    # headline rows apart from the interleaved breakdowns, which carry England's code too
    assert int(df["is_headline"].sum()) == 486 and int((~df["is_headline"]).sum()) == 366
    england = df[df["area_code"] == "E92000001"]
    assert int(england["is_headline"].sum()) == 3  # one a year: Persons, All ages, no category
    deciles = england[england["category_type"].notna()]
    assert len(deciles) == 60 and not deciles["is_headline"].any()
    assert set(df.loc[~df["is_headline"] & df["category_type"].isna(), "age"]) == {"0-9 yrs"}
    s16 = df[(df["area_code"] == "E06000045") & (df["time_period"] == "2016") & df["is_headline"]].iloc[0]
    assert s16["value"] == pytest.approx(55.4517746534264) and s16["count"] == 141
    assert s16["denominator"] == 254_275  # Fingertips' denominator is the ONS mid-2016 estimate
    assert (s16["lower_ci_95"], s16["upper_ci_95"]) == pytest.approx((46.6769626480976, 65.396884603523))
    assert (s16["compared_to_england"], s16["compared_to_region"]) == ("Better", "Better")
    assert (s16["parent_code"], s16["parent_name"], s16["area_type"], s16["geography"]) == (
        "E12000008", "South East region", "County & UA", "lad")
    assert (s16["period_start"], s16["period_end"], s16["period_type"]) == (
        pd.Timestamp("2016-01-01"), pd.Timestamp("2016-12-31"), "calendar year")
    blank = df[df["value"].isna()]
    assert len(blank) == 10 and set(blank["value_note"]) == {
        "Value for Cornwall & Isles of Scilly combined", "Value for Hackney and City of London combined"}
    assert report.warnings[0] == (
        "indicators-CountyUA.data.csv: 852 records have 25 fields for the 26-column header: 'Compared to goal' read as blank")
    assert "headline rows are Persons, All ages" in report.warnings[1]
    assert classify(shared_data / REAL).kind == "fingertips"


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2016", date(2016, 1, 1), date(2016, 12, 31), "calendar year"),
        ("2014 - 16", date(2014, 1, 1), date(2016, 12, 31), "calendar years"),
        ("2016 Q3", date(2016, 7, 1), date(2016, 9, 30), "calendar quarter"),
        ("2006 Q2 - 2007 Q1", date(2006, 4, 1), date(2007, 3, 31), "calendar quarters"),
        ("2016/17", date(2016, 4, 1), date(2017, 3, 31), "financial year"),
        ("1999/00", date(1999, 4, 1), date(2000, 3, 31), "financial year"),
        ("2014/15 - 16/17", date(2014, 4, 1), date(2017, 3, 31), "financial years"),
        ("2016/17 - 18/19", date(2016, 4, 1), date(2019, 3, 31), "financial years"),
        ("2016/17 Q1", date(2016, 4, 1), date(2016, 6, 30), "financial quarter"),
        ("2016/17 Q4", date(2017, 1, 1), date(2017, 3, 31), "financial quarter"),
        ("2016/17 Q1-Q3", date(2016, 4, 1), date(2016, 12, 31), "financial quarters"),
        ("2006/07 Q2 - 2007/08 Q1", date(2006, 7, 1), date(2007, 6, 30), "financial quarters"),
        ("Feb 2016", date(2016, 2, 1), date(2016, 2, 29), "month"),
        ("Aug 2006 - Jul 2007", date(2006, 8, 1), date(2007, 7, 31), "months"),
    ],
)
def test_every_fingertips_period_format(text: str, start: date, end: date, kind: str) -> None:
    assert parse_time_period(text) == (start, end, kind)


@pytest.mark.parametrize("text", ["2016/18", "2016-17", "FY2016", "2016/17 Q5", "Smarch 2016"])
def test_periods_of_no_known_form(text: str) -> None:
    assert parse_time_period(text) is None


HEADER = ("Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,"
          "Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,Upper CI 99.8 limit,"
          "Count,Denominator,Value note,Recent Trend,Compared to England value or percentiles,"
          "Compared to parent value or percentiles,Time period Sortable,New data,Compared to goal,Time period range")


def record(area: str = "E06000045", name: str = "Southampton", period: str = "2016/17", value: str = "366.1",
           sex: str = "Persons", age: str = "10-17 yrs", ctype: str = "", cat: str = "", parent: str = "E12000008",
           note: str = "", count: str = "80") -> str:
    return (f'10401,"First time entrants to the youth justice\nsystem",{parent},South East region,{area},{name},'
            f"UA,{sex},{age},{ctype},{cat},{period},{value},290.1,455.6,,,{count},21852,{note},,Worse,Similar,"
            "20160000,,,1y")


def write(path: Path, *records: str, header: str = HEADER) -> Path:
    path.write_bytes(("\r\n".join([header, *records]) + "\r\n").encode("utf-8"))
    return path


def test_breakdowns_periods_and_blank_values(tmp_path: Path) -> None:
    path = write(
        tmp_path / "indicators-UA.data.csv",
        record(area="E92000001", name="England", parent="", value="208.2"),
        record(area="E92000001", name="England", parent="", ctype="LA deprivation deciles", cat="Most deprived decile"),
        record(),
        record(sex="Male", value="600.3"),
        record(period="2014/15 - 16/17"),
        record(area="E06000044", name="Portsmouth", value="", count="", note="Value suppressed: small count"),
        record(area="E12000008", name="South East region", parent="E92000001", value="190.0"),
    )
    report = ReadReport(path)
    df = read_fingertips(path, report=report)
    assert df["is_headline"].tolist() == [True, False, True, False, True, True, True]
    assert df["source_row"].tolist() == [2, 4, 6, 8, 10, 12, 14]
    assert df["indicator_name"].iloc[0] == "First time entrants to the youth justice system"
    assert df["compared_to_region"].iloc[2] == "Similar"  # "Compared to parent value or percentiles"
    portsmouth = df.iloc[5]
    assert pd.isna(portsmouth["value"]) and pd.isna(portsmouth["count"]) and portsmouth["value_note"] == "Value suppressed: small count"
    assert df["period_start"].iloc[4] == pd.Timestamp("2014-04-01") and df["period_end"].iloc[4] == pd.Timestamp("2017-03-31")
    assert df["geography"].tolist() == ["country", "country", "lad", "lad", "lad", "lad", "region"]
    assert report.warnings == [(
        f"{path.name}: indicator 10401: headline rows are Persons, 10-17 yrs with no category; "
        "2 breakdown rows kept apart (is_headline false)"
    )]


def test_repeats_and_conflicts(tmp_path: Path) -> None:
    path = write(tmp_path / "fingertips-10401.csv", record(), record(period="2017/18"), record())
    report = ReadReport(path)
    df = read_fingertips(path, report=report)
    assert len(df) == 2 and report.dropped == [{"row": 6, "reason": "repeat of the record on row 2"}]
    clash = write(tmp_path / "fingertips-clash.csv", record(), record(value="400.0"))
    with pytest.raises(InputError, match=r"row 4: indicator 10401, area E06000045, Persons, 10-17 yrs, 2016/17: "
                                         r"rows 2 and 4 give different figures \(366.1 and 400.0\)"):
        read_fingertips(clash)
    other = write(tmp_path / "indicators-again.data.csv", record(), record(period="2018/19"))
    warnings: list[str] = []
    both = combine_exports([df, read_fingertips(other)], warnings)
    assert len(both) == 3 and warnings == ["Fingertips: 1 records repeated in more than one file kept once"]
    changed = write(tmp_path / "indicators-changed.data.csv", record(value="1.0"))
    with pytest.raises(InputError, match=r"row 2 of fingertips-10401.csv and row 2 of indicators-changed.data.csv give different figures"):
        combine_exports([df, read_fingertips(changed)])


def test_columns_found_by_name_in_any_order(tmp_path: Path) -> None:
    path = tmp_path / "fingertips-export.csv"
    path.write_text(
        "Area Code,Time period,Value,Indicator Name,Indicator ID,Area Name,Count\n"
        "E06000045,2016,12.5,Deaths from drug misuse,92432,Southampton,31\n", encoding="utf-8")
    df = read_fingertips(path)
    assert df[["indicator_id", "area_code", "value", "count"]].iloc[0].tolist() == [92432, "E06000045", 12.5, 31.0]
    assert df["sex"].isna().all() and bool(df["is_headline"].iloc[0])
