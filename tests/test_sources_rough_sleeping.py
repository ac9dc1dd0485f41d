"""The rough sleeping snapshot tables (DCLG/MHCLG) read as published: the real 2016 .xls and
2017 .xlsx, later layouts, and two editions joined into one table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from assess.errors import InputError
from assess.sources.discover import classify
from assess.sources.rough_sleeping import (
    SNAPSHOT_COLUMNS,
    combine_editions,
    read_rough_sleeping,
)
from assess.sources.validation import ReadReport

RS = "rough_sleeping"
AUTUMN_2016 = "Rough_Sleeping_Autumn_2016_Final_Tables.xls"
AUTUMN_2017 = "Rough sleeping statistics England autumn 2017.xlsx"


def figures(df: pd.DataFrame, code: str, year: int) -> pd.Series:
    rows = df[(df["area_code"] == code) & (df["year"] == year)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture(scope="module")
def autumn_2016(shared_data: Path) -> tuple[pd.DataFrame, ReadReport]:
    path = shared_data / RS / AUTUMN_2016
    report = ReadReport(path)
    return read_rough_sleeping(path, report=report), report


@pytest.fixture(scope="module")
def autumn_2017(shared_data: Path) -> tuple[pd.DataFrame, ReadReport]:
    path = shared_data / RS / AUTUMN_2017
    report = ReadReport(path)
    return read_rough_sleeping(path, report=report), report


@pytest.mark.real
def test_autumn_2016_xls_as_published(autumn_2016: tuple[pd.DataFrame, ReadReport]) -> None:
    df, report = autumn_2016
    assert list(df.columns) == SNAPSHOT_COLUMNS
    southampton = figures(df, "E06000045", 2016)
    assert southampton["rough_sleepers"] == 23 and southampton["area_name"] == "Southampton"
    assert round(southampton["rate_per_1000_households"], 4) == 0.2227
    assert southampton["households_thousands"] == pytest.approx(103.301)
    assert (southampton["source_sheet"], southampton["source_row"], southampton["edition"]) == ("Table 1", 265, 2016)
    england = figures(df, "E92000001", 2016)  # printed without a code: given England's
    assert (england["area_name"], england["area_type"], england["rough_sleepers"]) == ("England", "country", 4134)
    assert england["rate_per_1000_households"] == pytest.approx(0.18)
    assert figures(df, "E06000045", 2010)["rough_sleepers"] == 5  # every year column, one row each
    assert pd.isna(figures(df, "E06000045", 2015)["rate_per_1000_households"])  # the rate is for 2016 only
    assert figures(df, "E12000007", 2016)["rough_sleepers"] == 964  # London, by its name
    assert set(df["year"]) == set(range(2010, 2017))
    assert df[df["area_type"] == "la"]["area_code"].nunique() == 326
    reasons = {d["row"]: d["reason"] for d in report.dropped}
    assert reasons[7] == "percentage row ('% change from previous year'), not a count"
    assert reasons[11] == "percentage row ('% of England total'), not a count"
    assert reasons[12] == "aggregate without an ONS code ('Rest of England')"
    assert all(reasons[r] == "title or note row" for r in (342, 343, 360))  # the notes below the table
    assert report.rows_read == 328 and report.warnings == []


@pytest.mark.real
def test_autumn_2017_xlsx_as_published(autumn_2017: tuple[pd.DataFrame, ReadReport]) -> None:
    df, report = autumn_2017
    southampton = figures(df, "E06000045", 2017)
    assert southampton["rough_sleepers"] == 29
    assert round(southampton["rate_per_1000_households"], 3) == 0.278
    assert southampton["region_name"] == "South East"  # the unlabelled column beside the name
    assert figures(df, "E06000045", 2016)["rough_sleepers"] == 23
    england = figures(df, "E92000001", 2017)
    assert england["rough_sleepers"] == 4751 and round(england["rate_per_1000_households"], 4) == 0.2025
    regions = df[df["area_type"] == "region"]["area_code"].unique()
    assert len(regions) == 9 and all(c.startswith("E12") for c in regions)
    assert set(df["source_sheet"]) == {"table 1"}
    assert report.warnings == [f"{AUTUMN_2017}: sheets before the snapshot table skipped: 'Contents', 'LA dropdown'"]
    assert "aggregate without an ONS code ('Rest of England')" in {d["reason"] for d in report.dropped}


@pytest.mark.real
def test_two_editions_joined(autumn_2016: tuple[pd.DataFrame, ReadReport], autumn_2017: tuple[pd.DataFrame, ReadReport]) -> None:
    old, new = autumn_2016[0], autumn_2017[0]
    warnings: list[str] = []
    both = combine_editions([old, new], warnings)
    assert warnings == []  # the 2017 edition repeats the 2010-2016 counts unchanged
    assert not both.duplicated(["area_code", "year"]).any()
    s16, s17 = figures(both, "E06000045", 2016), figures(both, "E06000045", 2017)
    assert (s16["rough_sleepers"], s17["rough_sleepers"]) == (23, 29)
    assert s16["source_file"] == AUTUMN_2017 and s16["rate_source_file"] == AUTUMN_2016 and s16["rate_source_row"] == 265
    assert round(s16["rate_per_1000_households"], 4) == 0.2227 and round(s17["rate_per_1000_households"], 3) == 0.278
    assert figures(both, "E92000001", 2016)["rate_per_1000_households"] == pytest.approx(0.18)

    revised = new.copy()
    at = (revised["area_code"] == "E06000045") & (revised["year"] == 2016)
    revised.loc[at, "rough_sleepers"] = 25
    warnings = []
    out = combine_editions([revised, old], warnings)  # order of the files does not matter
    row = figures(out, "E06000045", 2016)
    assert row["rough_sleepers"] == 25 and pd.isna(row["rate_per_1000_households"])
    assert row["households_thousands"] == pytest.approx(103.301)
    assert len(warnings) == 1 and "the newer edition wins" in warnings[0]
    assert f"E06000045 autumn 2016: 25 in {AUTUMN_2017} (edition 2017) replaces 23 in {AUTUMN_2016}" in warnings[0]


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def later_edition() -> dict[str, list[list[object]]]:
    """A layout of a later edition: header on row 7 of a renamed sheet, 'Autumn YYYY' labels,
    England without a code, regions with codes, a figure not available."""
    return {
        "Cover": [["Rough sleeping snapshot in England: autumn 2019"]],
        "Table 1a": [
            ["Table 1a: Rough sleeping snapshot by local authority"], [], ["England, autumn 2018 and 2019"], [], [],
            [None, None, None, None, "Households"],
            ["Area code", "Area name", "Autumn 2018", "Autumn 2019", "Number of households 2019 ('000)", "2019 rough sleeping rate per 1,000 households"],
            [None, "England", 4677, 4266, 23_772.0, 0.18],
            [None, "% change", None, -8.8],
            ["E12000008", "South East", 1090, 900, 3_850.0, 0.23],
            ["E06000045", "Southampton", 27, 30, 105.0, 30 / 105.0],
            ["E06000044", "Portsmouth", "[x]", 12, 90.0, 12 / 90.0],
            [],
            ["Source: MHCLG"],
        ],
    }


def test_later_layout_found_by_content(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "Rough_Sleeping_Snapshot_in_England_Autumn_2019_tables.xlsx", later_edition())
    report = ReadReport(path)
    df = read_rough_sleeping(path, report=report)
    assert figures(df, "E06000045", 2019)["rate_per_1000_households"] == pytest.approx(30 / 105)
    assert figures(df, "E06000045", 2018)["rough_sleepers"] == 27
    assert figures(df, "E92000001", 2019)["rough_sleepers"] == 4266
    assert figures(df, "E12000008", 2019)["area_type"] == "region"
    assert figures(df, "E06000045", 2019)["source_row"] == 11 and set(df["source_sheet"]) == {"Table 1a"}
    assert not ((df["area_code"] == "E06000044") & (df["year"] == 2018)).any()
    assert any("1 year cells without a figure left out: E06000044 2018 (row 12)" in w for w in report.warnings)
    assert {d["row"]: d["reason"] for d in report.dropped}[9] == "percentage row ('% change'), not a count"
    assert classify(path).kind == "rough_sleeping"
    renamed = path.rename(tmp_path / "Tables_1_and_2a_2b_2c_-_revised.xlsx")  # as gov.uk names the 2017 tables
    found = classify(renamed)
    assert found.kind == "rough_sleeping" and "header" in found.note


def test_england_total_checked_against_the_local_authorities(tmp_path: Path) -> None:
    sheets = later_edition()
    sheets["Table 1a"][7] = [None, "England", 4677, 4266, 23_772.0, 0.18]
    path = write_xlsx(tmp_path / "rough-sleeping-2019.xlsx", sheets)
    report = ReadReport(path)
    read_rough_sleeping(path, report=report)
    assert any("England's 2019 figure (4,266) is not the sum of the local authorities' (42)" in w for w in report.warnings)


def test_combine_of_nothing_is_an_empty_typed_table() -> None:
    empty = combine_editions([])
    assert list(empty.columns) == SNAPSHOT_COLUMNS and len(empty) == 0
    assert empty["rough_sleepers"].dtype == np.int64


def test_text_in_a_count_names_sheet_row_and_year(tmp_path: Path) -> None:
    sheets = later_edition()
    sheets["Table 1a"][10] = ["E06000045", "Southampton", 27, "thirty", 105.0, 0.28]
    path = write_xlsx(tmp_path / "rough_sleeping_2019.xlsx", sheets)
    with pytest.raises(InputError, match=r"row 11, column 'Autumn 2019': sheet 'Table 1a': 'thirty' is not a number"):
        read_rough_sleeping(path)
