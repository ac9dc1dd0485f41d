"""ONS lookups and population readers: real lookups and IoD File 6, synthetic mid-year and household files."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assess.errors import InputError
from assess.sources.ons import (
    read_lad_csp_lookup,
    read_lad_region_lookup,
    read_lsoa_ward_lookup,
)
from assess.sources.population import (
    POPULATION_COLUMNS,
    read_households,
    read_iod_denominators,
    read_mid_year_estimates,
)
from assess.sources.validation import ReadReport

LOOKUPS = "lookups"
LSOA_WARD = "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv"
LAD_CSP = "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2016__Lookup_in_England_and_Wales.csv"
LAD_REGION = "Local_Authority_District_to_Region_December_2018_Lookup_in_England.csv"
IOD = "population/File_6_-_IoD2019_Population_Denominators.xlsx"


# --- ONS lookups (real) --------------------------------------------------------------------------


@pytest.mark.real
def test_lsoa_ward_lookup_real(shared_data: Path) -> None:
    df = read_lsoa_ward_lookup(shared_data / LOOKUPS / LSOA_WARD)
    assert list(df.columns) == ["lsoa_code", "lsoa_name", "ward_code", "ward_name", "lad_code", "lad_name"]
    assert len(df) == 34753 and df["lsoa_code"].is_unique
    assert all(str(t) == "string" for t in df.dtypes)
    southampton = df[df["lad_code"] == "E06000045"]
    assert len(southampton) == 148 and southampton["ward_code"].nunique() == 16
    assert set(southampton["lad_name"]) == {"Southampton"}
    # quoted names with commas are read whole
    assert "Bryntirion, Laleston and Merthyr Mawr" in set(df["ward_name"])


@pytest.mark.real
def test_lad_csp_and_region_lookups_real(shared_data: Path) -> None:
    csp = read_lad_csp_lookup(shared_data / LOOKUPS / LAD_CSP)  # has a UTF-8 BOM
    assert list(csp.columns) == ["lad_code", "lad_name", "csp_code", "csp_name", "pfa_code", "pfa_name"]
    assert len(csp) == 348
    row = csp.set_index("lad_code").loc["E06000045"]
    assert (row["csp_code"], row["csp_name"], row["pfa_code"], row["pfa_name"]) == (
        "E22000120", "Southampton", "E23000030", "Hampshire",
    )
    assert set(csp.loc[csp["csp_code"] == "E22000374", "lad_name"]) == {"Basingstoke and Deane", "Hart", "Rushmoor"}
    region = read_lad_region_lookup(shared_data / LOOKUPS / LAD_REGION)
    assert list(region.columns) == ["lad_code", "lad_name", "region_code", "region_name"]
    assert len(region) == 326
    assert region.set_index("lad_code").loc["E06000045", "region_name"] == "South East"


def test_lookup_any_year_suffix_lower_case_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "LSOA21_WD23_LAD23_Lookup.csv"
    path.write_bytes(
        "\ufefflsoa21cd,lsoa21nm,wd23cd,wd23nm,wd23nmw,lad23cd,lad23nm,ObjectId\n"
        "E01017140,Southampton 001A,E05002460,Bassett,,E06000045,Southampton,1\n"
        "W01000990,Bridgend 017B,W05000897,\"Bryntirion, Laleston and Merthyr Mawr\",x,W06000013,Bridgend,2\n".encode()
    )
    df = read_lsoa_ward_lookup(path)
    assert df["lsoa_code"].tolist() == ["E01017140", "W01000990"]
    assert df["ward_name"].tolist() == ["Bassett", "Bryntirion, Laleston and Merthyr Mawr"]


def test_lookup_two_years_of_the_same_code_is_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("LAD17CD,LAD21CD,LAD17NM,RGN18CD,RGN18NM\nE06000045,E06000045,Southampton,E12000008,South East\n")
    with pytest.raises(InputError, match=r"more than one column could be the lad code: LAD17CD, LAD21CD"):
        read_lad_region_lookup(path)


# --- IoD2019 File 6 (real) -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def iod(shared_data: Path) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    df = read_iod_denominators(shared_data / IOD)
    return df, time.perf_counter() - start


@pytest.mark.real
def test_iod_denominators_real(iod: tuple[pd.DataFrame, float], shared_data: Path) -> None:
    df, seconds = iod
    print(f"read_iod_denominators: 32,844 LSOAs in {seconds:.1f} s = {32844 / seconds:,.0f} rows/s")
    assert list(df.columns) == POPULATION_COLUMNS
    assert len(df) == 4 * 32844
    assert set(df["geography"]) == {"lsoa"} and set(df["year"]) == {2015}
    assert df["age_band"].iloc[:4].tolist() == ["all", "0-15", "16-59", "60+"]
    wide = df.pivot(index="area_code", columns="age_band", values="value")
    assert wide["all"].sum() == 54_728_204
    assert (wide["all"] == wide["0-15"] + wide["16-59"] + wide["60+"]).all()
    lookup = read_lsoa_ward_lookup(shared_data / LOOKUPS / LSOA_WARD)
    southampton = lookup.loc[lookup["lad_code"] == "E06000045", "lsoa_code"]
    assert wide.loc[southampton, "all"].sum() == 246_054
    first = df.iloc[0]
    assert (first["area_code"], first["area_name"], first["value"]) == ("E01000001", "City of London 001A", 1296)


# --- mid-year estimates (synthetic) -------------------------------------------------------------


AGES = [str(a) for a in range(90)] + ["90+"]


def ages(total_each: int) -> list[int]:
    return [total_each] * 91


def mid_year_rows() -> list[list[object]]:
    return [
        ["E92000001", "ENGLAND", 91 * 100, *ages(100)],
        ["E12000008", "South East", 91 * 10, *ages(10)],
        ["E10000014", "Hampshire", 91 * 5, *ages(5)],  # county
        ["E11000002", "Greater Manchester", 91 * 7, *ages(7)],  # metropolitan county: not a geography used
        ["E06000045", "Southampton", 91 * 3, *ages(3)],
        ["E01017140", "Southampton 001A", 91 * 1, *ages(1)],
        ["E05002460", "Bassett", 91 * 2, *ages(2)],
    ]


def test_mid_year_xlsx_with_title_rows(tmp_path: Path) -> None:
    path = tmp_path / "SAPE20DT1-mid-2017-lsoa-syoa-estimates-unformatted.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Contents"
    wb["Contents"].append(["Mid-2016 would be a wrong guess"])
    males = wb.create_sheet("Mid-2017 Males")
    males.append(["Area Codes", "Area Names", "All Ages", *AGES])
    persons = wb.create_sheet("Mid-2017 Persons")
    persons.append(["Mid-2017 Population Estimates for Lower Layer Super Output Areas"])
    persons.append([None])
    persons.append(["Area Codes", "Area Names", "All Ages", *[int(a) for a in AGES[:-1]], "90+"])
    for row in mid_year_rows():
        persons.append(row)
    persons.append([None])
    persons.append(["Source: Office for National Statistics"])
    wb.save(path)
    report = ReadReport(path)
    df = read_mid_year_estimates(path, report=report)
    assert list(df.columns) == POPULATION_COLUMNS
    assert set(df["year"]) == {2017}
    geo = df.drop_duplicates("area_code").set_index("area_code")["geography"].to_dict()
    assert geo == {"E92000001": "country", "E12000008": "region", "E10000014": "county", "E06000045": "lad",
                   "E01017140": "lsoa", "E05002460": "ward"}
    value = df.set_index(["area_code", "age_band"])["value"]
    assert value[("E06000045", "all")] == 273
    assert value[("E06000045", "0-15")] == 16 * 3
    assert value[("E06000045", "10-17")] == 8 * 3
    assert value[("E06000045", "0-17")] == 18 * 3
    assert value[("E06000045", "16-59")] == 44 * 3
    assert value[("E06000045", "60+")] == 31 * 3  # 60 .. 89 and the 90+ group
    assert value[("E06000045", "18+")] == 73 * 3 and value[("E06000045", "16+")] == 75 * 3
    assert df["age_band"].iloc[:8].tolist() == ["all", "0-15", "10-17", "0-17", "16-59", "16+", "18+", "60+"]
    assert {"row": 7, "reason": "area E11000002 is of a geography not used (E11)"} in report.dropped
    assert [d["row"] for d in report.dropped] == [7, 12]  # the blank row 11 is not a record; 12 is the source note
    assert report.rows_read == 6 and report.warnings == []


def test_mid_year_csv_all_ages_only_year_from_name(tmp_path: Path) -> None:
    path = tmp_path / "ukmidyearestimates2019.csv"
    path.write_text(
        "Population estimates - local authority based by single year of age,,\n"
        "Code,Name,All ages\n"
        'E06000045,Southampton,"252,796"\n'
        "W06000015,Cardiff,366903\n",
        encoding="utf-8",
    )
    report = ReadReport(path)
    df = read_mid_year_estimates(path, report=report)
    assert df["value"].tolist() == [252796, 366903]
    assert set(df["age_band"]) == {"all"} and set(df["year"]) == {2019}
    assert set(df["geography"]) == {"lad"}
    assert report.warnings == [f"{path.name}: no single years of age; only 'all' (All ages) is read"]


def test_mid_year_ward_file_prefers_ward_code_over_la_code(tmp_path: Path) -> None:
    path = tmp_path / "ward-estimates.csv"
    path.write_text(
        "Ward Code 1,Ward Name 1,LA Code (2018 boundaries),LA name (2018 boundaries),All Ages\n"
        "E05002460,Bassett,E06000045,Southampton,15400\n",
        encoding="utf-8",
    )
    df = read_mid_year_estimates(path, year=2018)
    assert df[["area_code", "area_name", "geography", "year", "value"]].iloc[0].tolist() == [
        "E05002460", "Bassett", "ward", 2018, 15400,
    ]


def test_households_csv_and_xlsx(tmp_path: Path) -> None:
    csv_path = tmp_path / "households-mid-2018.csv"
    csv_path.write_text("LAD Code,LAD Name,Households\nE06000045,Southampton,100211\nE06000044,Portsmouth,89000\n")
    df = read_households(csv_path)
    assert df["age_band"].tolist() == ["households", "households"]
    assert df["value"].tolist() == [100211, 89000] and set(df["year"]) == {2018}
    xlsx = tmp_path / "households_2021.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Table 1"
    ws.append(["Number of households by ward"])
    ws.append(["Area code", "Households"])
    ws.append(["E05002460", 6012.0])
    wb.save(xlsx)
    out = read_households(xlsx)
    assert out[["area_code", "geography", "year", "value"]].iloc[0].tolist() == ["E05002460", "ward", 2021, 6012]
    assert pd.isna(out["area_name"].iloc[0])


def test_mid_year_split_by_sex_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mid-2017-long.csv"
    path.write_text("Area Code,Sex,All Ages\nE06000045,M,100\nE06000045,F,110\n")
    with pytest.raises(InputError, match=r"row 3, column 'Area Code': area E06000045 appears more than once"):
        read_mid_year_estimates(path)


# --- ONS mid-year estimate workbooks as published (real .xls) --------------------------------------

MYE = {2016: "population/ukmidyearestimates2016.xls", 2017: "population/ukmidyearestimates2017finalversion.xls"}


@pytest.mark.real
@pytest.mark.parametrize("year", [2016, 2017])
def test_ons_mid_year_workbook_xls(shared_data: Path, year: int) -> None:
    """The UK workbook: sheet 'MYE2 - All', title rows, header on row 5 ('Geography1' in 2017 only)."""
    path = shared_data / MYE[year]
    report = ReadReport(path)
    df = read_mid_year_estimates(path, report=report)
    assert list(df.columns) == POPULATION_COLUMNS and set(df["year"]) == {year}  # from the title: "..., mid-2016"
    value = df.set_index(["area_code", "age_band"])["value"]
    southampton = {2016: 254_275, 2017: 252_359}[year]
    assert value[("E06000045", "all")] == southampton
    if year == 2016:
        assert value[("E92000001", "all")] == 55_268_067
    assert df.loc[df["area_code"] == "E06000045", "area_name"].iloc[0] == "Southampton"
    bands = set(df["age_band"])
    assert bands == {"all", "0-15", "10-17", "0-17", "16-59", "16+", "18+", "60+"}
    # "90" is the 90-and-over group: the single years add up to All ages, so the open bands are derived
    assert value[("E06000045", "0-15")] + value[("E06000045", "16+")] == southampton
    assert value[("E06000045", "0-17")] + value[("E06000045", "18+")] == southampton
    assert value[("E06000045", "16-59")] + value[("E06000045", "60+")] == value[("E06000045", "16+")]
    assert 0 < value[("E06000045", "10-17")] < value[("E06000045", "0-17")]
    geo = df.drop_duplicates("area_code")["geography"].value_counts().to_dict()
    assert geo == {"lad": 348, "county": 27, "region": 9, "country": 4}  # E&W LADs; England, Wales, Scotland, NI
    reasons = {d["row"]: d["reason"] for d in report.dropped}
    assert reasons[6] == "area K02000001 is of a geography not used (K02)"  # the UK
    assert all(d["reason"].endswith(("(S12)", "(N09)", "(E11)", "(K02)", "(K03)", "(K04)")) or "note" in d["reason"]
               for d in report.dropped)
    assert report.warnings == []


def test_mid_year_workbook_header_moved_and_sheet_renamed(tmp_path: Path) -> None:
    """A later edition: header on row 8 of 'MYE2 - Persons', one-sex sheets first, '90+' label."""
    path = tmp_path / "mye22final.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Contents"
    for name, scale in (("MYE2 - Males", 2), ("MYE2 - Persons", 3)):
        ws = wb.create_sheet(name)
        for _ in range(5):
            ws.append([None])
        ws.append(["Population estimates by single year of age, mid-2022"])
        ws.append([None])
        ws.append(["Code", "Name", "Geography", "All ages", *range(90), "90+"])
        ws.append(["E06000045", "Southampton", "Unitary Authority", 91 * scale, *([scale] * 91)])
    wb.save(path)
    df = read_mid_year_estimates(path)
    value = df.set_index(["area_code", "age_band"])["value"]
    assert value[("E06000045", "all")] == 273 and value[("E06000045", "10-17")] == 24
    assert set(df["year"]) == {2022}
    wb = openpyxl.load_workbook(path)  # without its persons sheet, the one-sex sheet is never taken by default
    del wb["MYE2 - Persons"]
    wb.save(path)
    with pytest.raises(InputError, match=r"sheet 'MYE2 - Males', which holds one sex only"):
        read_mid_year_estimates(path)


def test_single_years_that_do_not_add_up(tmp_path: Path) -> None:
    path = tmp_path / "mid-2019-estimates.csv"
    path.write_text("Code,Name,All ages," + ",".join(map(str, range(91))) + "\n"
                    "E06000045,Southampton,100," + ",".join(["1"] * 91) + "\n", encoding="utf-8")
    report = ReadReport(path)
    df = read_mid_year_estimates(path, report=report)
    assert set(df["age_band"]) == {"all", "0-15", "10-17", "0-17", "16-59"}  # no open band: "90" is not 90+ here
    assert report.warnings[0].endswith("do not add up to All ages (first at row 2); bands of 'and over' not derived")


def test_population_files_that_disagree(tmp_path: Path) -> None:
    from assess.sources.population import combine_estimates

    a = tmp_path / "mid-2017-a.csv"
    a.write_text("Code,All ages\nE06000045,252359\nE06000044,215000\n")
    b = tmp_path / "mid-2017-b.csv"
    b.write_text("Code,All ages\nE06000045,252359\n")
    warnings: list[str] = []
    both = combine_estimates([read_mid_year_estimates(a), read_mid_year_estimates(b)], warnings)
    assert len(both) == 2 and warnings == ["mid-2017-b.csv: 1 area-year-band figures equal to those of mid-2017-a.csv, which are kept"]
    b.write_text("Code,All ages\nE06000045,252000\n")
    with pytest.raises(InputError, match=r"population files disagree: E06000045 mid-2017, age band all, is "
                                         r"mid-2017-a.csv \(252,359\) but mid-2017-b.csv \(252,000\)"):
        combine_estimates([read_mid_year_estimates(a), read_mid_year_estimates(b)])
