"""discover(): classification of raw files by name and header, and dispatch to the readers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from assess.errors import InputError
from assess.sources import police_uk
from assess.sources.discover import RawFile, classify, discover, kind_by_name, read

CID = "ab" * 32
STREET = ",".join(police_uk.STREET_COLUMNS) + "\n"
PRC = "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Number of Offences\n"


def street(month: str) -> str:
    return STREET + f"{CID},{month},Hampshire Constabulary,Hampshire Constabulary,-1.4,50.9,On or near X,E01017140,Southampton 001A,Burglary,,\n"


def build_raw(raw: Path) -> dict[str, str]:
    """A data/raw folder of every kind; returns {relative path: expected kind}."""
    files = {
        "2017-02/2017-02-hampshire-street.csv": ("police_street", street("2017-02")),
        "2017-02/2017-02-hampshire-outcomes.csv": (
            "police_outcomes",
            ",".join(police_uk.OUTCOMES_COLUMNS) + f"\n{CID},2017-02,Hampshire Constabulary,Hampshire Constabulary,,,No Location,,,Offender fined\n",
        ),
        "2017-02/2017-02-hampshire-stop-and-search.csv": (
            "police_stop_search",
            ",".join(police_uk.STOP_SEARCH_COLUMNS) + "\nPerson search,2017-02-01T10:00:00+00:00,,,,,Male,18-24,,,PACE,Drugs,Arrest,,\n",
        ),
        "2017-03/2017-03-hampshire-street.csv": ("police_street", street("2017-03")),
        "prc-csp-mar2013-onwards-tables201718.csv": (
            "home_office_prc",
            PRC.replace("Force Name,", "Force Name,CSP Name,") + "2017/18,1,Hampshire,Southampton,Arson,A,B,56,4\n",
        ),
        "crime_table_renamed.csv": ("home_office_prc", PRC + "2017/18,1,Hampshire,Arson,A,B,56,4\n"),
        "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv": (
            "lsoa_ward_lookup",
            "LSOA11CD,LSOA11NM,WD17CD,WD17NM,LAD17CD,LAD17NM\nE01017140,Southampton 001A,E05002460,Bassett,E06000045,Southampton\n",
        ),
        "Local Authority District to Community Safety Partnerships Lookup.csv": (
            "lad_csp_lookup",
            "LAD16CD,LAD16NM,CSP16CD,CSP16NM,PFA16CD,PFA16NM\nE06000045,Southampton,E22000120,Southampton,E23000030,Hampshire\n",
        ),
        "Local_Authority_District_to_Region_December_2018_Lookup_in_England.csv": (
            "lad_region_lookup",
            "LAD18CD,LAD18NM,RGN18CD,RGN18NM\nE06000045,Southampton,E12000008,South East\n",
        ),
        "population/mid-2017-lsoa-estimates.csv": (
            "mid_year_population",
            "Mid-2017 estimates\nArea Codes,Area Names,All Ages\nE01017140,Southampton 001A,1500\n",
        ),
        "population/households-2018.csv": ("households", "LAD Code,Households\nE06000045,100211\n"),
        "geography/wards.geojson": (
            "ward_boundaries",
            json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"WD13CD": "E05002460"}, "geometry": None}]}),
        ),
        "partner/force_flags.csv": ("partner", "month,flag\n2017-02,1\n"),
        "partner/sub/2017-02-hampshire-street.csv": ("partner", street("2017-02")),
        "notes.txt": ("unknown", "what I downloaded\n"),
        ".DS_Store": ("unknown", "junk"),
    }
    for rel, (_, content) in files.items():
        path = raw / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return {rel: kind for rel, (kind, _) in files.items()}


def test_discover_classifies_every_kind_in_sorted_order(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    expected = build_raw(raw)
    found = discover(raw)
    rel = [f.path.relative_to(raw).as_posix() for f in found]
    assert rel == sorted(rel, key=lambda r: Path(r).parts)
    assert {r: f.kind for r, f in zip(rel, found)} == expected
    by_rel = dict(zip(rel, found))
    assert by_rel["2017-02/2017-02-hampshire-street.csv"].reader == "assess.sources.police_uk.read_street"
    assert "header" in by_rel["crime_table_renamed.csv"].note
    assert by_rel["notes.txt"].reader is None and by_rel["notes.txt"].note
    assert discover(raw) == found  # deterministic


def test_read_dispatches_to_the_reader(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    build_raw(raw)
    rows = {}
    for f in discover(raw):
        if f.reader is None:
            with pytest.raises(InputError, match="no reader"):
                read(f)
            continue
        df = read(f)
        assert isinstance(df, pd.DataFrame) and len(df) >= 1
        rows[f.kind] = df
        rows[f.path.name] = df
    assert rows["prc-csp-mar2013-onwards-tables201718.csv"]["csp_name"].tolist() == ["Southampton"]
    assert rows["crime_table_renamed.csv"]["csp_name"].isna().all()
    assert rows["police_outcomes"]["outcome_type"].tolist() == ["Offender fined"]
    assert rows["police_stop_search"]["object_of_search"].tolist() == ["Drugs"]
    assert rows["mid_year_population"]["value"].tolist() == [1500]
    assert rows["households"]["age_band"].tolist() == ["households"]
    assert rows["lad_csp_lookup"]["csp_code"].tolist() == ["E22000120"]
    with pytest.raises(InputError, match="assess.sources.partner"):
        read(RawFile(raw / "partner/force_flags.csv", "partner", None))


def test_kind_by_name() -> None:
    assert kind_by_name("2017-02-hampshire-street.csv") == "police_street"
    assert kind_by_name("2017-02-hampshire-stop-and-search.csv") == "police_stop_search"
    assert kind_by_name("prc-pfa-mar2013-onwards-tables201718.csv") == "home_office_prc"
    assert kind_by_name("File_6_-_IoD2019_Population_Denominators.xlsx") == "iod_population"
    assert kind_by_name("SAPE20DT1-mid-2017-lsoa-syoa-estimates-unformatted.xlsx") == "mid_year_population"
    assert kind_by_name("LSOA_(2011)_to_Ward_(2017)_Lookup.csv") == "lsoa_ward_lookup"
    assert kind_by_name("Wards_December_2017_Boundaries.geojson") == "ward_boundaries"
    assert kind_by_name("prc-csp-mar2013-onwards-tables-2023.ods") == "home_office_prc"
    assert kind_by_name("prc-pfa-mar2013-onwards-tables-300125.ods") == "home_office_prc"
    assert kind_by_name("prc-pfa-mar2013-onwards-tables-2023.xlsx") == "home_office_prc"
    assert kind_by_name("prc-pfa-tables.pdf") is None
    assert kind_by_name("forces.csv") is None


def test_name_and_header_disagree(tmp_path: Path) -> None:
    wrong = tmp_path / "prc-pfa-tables.csv"
    wrong.write_text(street("2017-02"))
    with pytest.raises(InputError, match="name says it is a home_office_prc file but its header is that of a police_street file"):
        classify(wrong)
    renamed = tmp_path / "2017-02-kent-street.csv"
    renamed.write_text(street("2017-02").replace("Crime type", "Crime Type"))
    with pytest.raises(InputError, match=r"'Crime type' is missing \(found 'Crime Type': was it renamed\?\)"):
        classify(renamed)
    wards = tmp_path / "wards.geojson"
    wards.write_text(json.dumps({"type": "FeatureCollection", "features": [{"properties": {"LSOA11CD": "E01017140"}}]}))
    with pytest.raises(InputError, match="no ward code property"):
        classify(wards)


def test_discover_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="raw data folder does not exist"):
        discover(tmp_path / "nope")


@pytest.mark.real
def test_discover_real_shared_data(shared_data: Path) -> None:
    found = discover(shared_data)
    kinds = [f.kind for f in found]
    assert kinds.count("police_street") == 8
    assert kinds.count("home_office_prc") == 1
    assert {"lsoa_ward_lookup", "lad_csp_lookup", "lad_region_lookup", "iod_population", "ward_boundaries"} <= set(kinds)
    unknown = sorted(f.path.name for f in found if f.kind == "unknown")
    assert unknown == [  # every public download is recognised; these are not inputs
        "README.md",
        "forces.csv",
        "southampton_lsoa2011_E06000045.geojson",
        "southampton_msoa2011_E06000045.geojson",
    ]
    by_name = {f.path.name: f.kind for f in found}
    assert by_name["indicators-CountyUA.data.csv"] == "fingertips"
    assert by_name["Rough_Sleeping_Autumn_2016_Final_Tables.xls"] == "rough_sleeping"
    assert by_name["Rough sleeping statistics England autumn 2017.xlsx"] == "rough_sleeping"
    assert by_name["ukmidyearestimates2016.xls"] == "mid_year_population"
    assert by_name["ukmidyearestimates2017finalversion.xls"] == "mid_year_population"
    lookup = next(f for f in found if f.kind == "lad_csp_lookup")
    assert read(lookup).set_index("lad_code").loc["E06000045", "csp_code"] == "E22000120"


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    """An .ods (odfpy) or .xlsx (openpyxl) workbook with the given sheets and rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="odf" if path.suffix == ".ods" else "openpyxl") as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
            frame.to_excel(writer, sheet_name=name, header=False, index=False)


PRC_COLS = PRC.strip().split(",")
NOTES = {"Cover": [["Police recorded crime open data tables"]], "Notes": [["Note", "Description"], ["1", "Quarter 1 is April-June"]]}
YEAR_SHEET = [["Police recorded crime by offence"], [], PRC_COLS, ["2019/20", 1, "Hampshire", "Arson", "A", "B", 56, 4]]


def test_discover_prc_workbooks(tmp_path: Path) -> None:
    """The Home Office tables as published (ODS, title rows, notes sheets), and as xlsx."""
    raw = tmp_path / "raw"
    csp = [PRC_COLS[:3] + ["CSP Name"] + PRC_COLS[3:], ["2019/20", 2, "Hampshire", "Southampton", "Arson", "A", "B", 56, 7]]
    write_workbook(raw / "home_office/prc-pfa-mar2013-onwards-tables-2023.ods", NOTES | {"2019-20": YEAR_SHEET})
    write_workbook(raw / "home_office/prc-csp-mar2013-onwards-tables-2023.xlsx", NOTES | {"2019_20": csp})
    write_workbook(raw / "home_office/recorded crime tables.ods", {"2019-20": YEAR_SHEET})  # renamed: by header
    write_workbook(raw / "budget.ods", {"Budget": [["Item", "Cost"], ["CCTV", 1200]]})
    found = {f.path.name: f for f in discover(raw)}
    assert {name: f.kind for name, f in found.items()} == {
        "prc-pfa-mar2013-onwards-tables-2023.ods": "home_office_prc",
        "prc-csp-mar2013-onwards-tables-2023.xlsx": "home_office_prc",
        "recorded crime tables.ods": "home_office_prc",
        "budget.ods": "unknown",
    }
    assert "header" in found["recorded crime tables.ods"].note
    pfa = read(found["prc-pfa-mar2013-onwards-tables-2023.ods"])
    assert pfa[["financial_year", "quarter", "offence_code", "offences"]].values.tolist() == [["2019/20", 1, "56", 4]]
    assert pfa["csp_name"].isna().all()
    assert read(found["prc-csp-mar2013-onwards-tables-2023.xlsx"])["csp_name"].tolist() == ["Southampton"]


def test_prc_workbook_name_without_the_table(tmp_path: Path) -> None:
    """A workbook named as a PRC table but holding none gives the reader's own error."""
    notes_only = tmp_path / "prc-pfa-mar2013-onwards-tables-2023.ods"
    write_workbook(notes_only, NOTES)
    with pytest.raises(InputError, match=r"no sheet holds a Home Office recorded crime table \(its sheets: Cover, Notes\)"):
        classify(notes_only)
    renamed = tmp_path / "prc-pfa-mar2013-onwards-tables-2024.xlsx"
    write_workbook(renamed, NOTES | {"2019-20": [[c.replace("Force Name", "Force") for c in r] if i == 2 else r for i, r in enumerate(YEAR_SHEET)]})
    with pytest.raises(InputError, match=r"row 3, column 'Force Name': sheet '2019-20': required column 'Force Name' is missing \(found 'Force'"):
        classify(renamed)
