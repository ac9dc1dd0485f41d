"""Malformed inputs: every one raises InputError naming the file and the row and/or column, and
nothing is returned or written.

Header decision (documented in assess.sources.validation): police.uk and Home Office headers must be
spelled exactly as published, case included; 'Crime Type' for 'Crime type' fails with a hint that
the column was renamed. ONS headers are matched case-insensitively with any year suffix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from assess.errors import InputError
from assess.sources import discover, home_office, ons, police_uk, population

STREET_HEADER = list(police_uk.STREET_COLUMNS)
CID = "0" * 64


def street_line(month: str = "2017-02", lon: str = "-1.4047", lat: str = "50.9097", crime_type: str = "Burglary", cid: str = CID) -> str:
    row = [cid, month, "Hampshire Constabulary", "Hampshire Constabulary", lon, lat, "On or near High Street",
           "E01017140", "Southampton 001A", crime_type, "Under investigation", ""]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    return buf.getvalue()


def street_text(*lines: str, header: list[str] | None = None) -> str:
    return ",".join(header or STREET_HEADER) + "\n" + "".join(lines)


STREET = "2017-02-hampshire-street.csv"
PRC = "prc-pfa-mar2013-onwards-tables201718.csv"
PRC_HEADER = "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Number of Offences\n"
PRC_OK = "2017/18,1,Hampshire,Arson,Criminal damage and arson,Arson,56, 12 \n"
LSOA_WARD = "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv"
LW_HEADER = "LSOA11CD,LSOA11NM,WD17CD,WD17NM,WD17NMW,LAD17CD,LAD17NM,FID\n"
LAD_CSP = "Local_Authority_District_to_Community_Safety_Partnerships_Lookup.csv"
IOD = "File_6_-_IoD2019_Population_Denominators.xlsx"
IOD_HEADER = [
    "LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)", "Local Authority District name (2019)",
    "Total population: mid 2015 (excluding prisoners)", "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
    "Population aged 16-59: mid 2015 (excluding prisoners)", "Older population aged 60 and over: mid 2015 (excluding prisoners)",
]


def text(content: str | bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return make


def workbook(sheets: dict[str, list[list[object]]]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(r)
        wb.save(path)
    return make


def ods(sheets: dict[str, list[list[object]]]) -> Callable[[Path], None]:
    """An ODS workbook (as the Home Office publishes its tables) with the given sheets and rows."""
    def make(path: Path) -> None:
        import pandas as pd

        with pd.ExcelWriter(path, engine="odf") as writer:
            for name, rows in sheets.items():
                width = max((len(r) for r in rows), default=1)
                frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
                frame.to_excel(writer, sheet_name=name, header=False, index=False)
    return make


PRC_ODS = "prc-pfa-mar2013-onwards-tables-2023.ods"
PRC_COLS = PRC_HEADER.strip().split(",")
PRC_NOTES = [["Note", "Description"], ["1", "Financial Quarter 1 is April to June"]]
PRC_TITLES = [["Police recorded crime by offence"], ["Source: Home Office"], []]  # header on row 4


def prc_row(year: str = "2017/18", quarter: object = 1, count: object = 12) -> list[object]:
    return [year, quarter, "Hampshire", "Arson", "Criminal damage and arson", "Arson", 56, count]


@dataclass
class Case:
    id: str
    name: str
    make: Callable[[Path], None]
    read: Callable[[Path], object]
    message: str  # regex the message must contain
    row: int | None = None
    column: str | None = None


CASES = [
    Case("street-missing-column", STREET, text(street_text(street_line()[:-2] + "\n", header=STREET_HEADER[:-1])),
         police_uk.read_street, r"required column 'Context' is missing", column="Context"),
    Case("street-renamed-header", STREET,
         text(street_text(street_line(), header=[h if h != "Crime type" else "Crime Type" for h in STREET_HEADER])),
         police_uk.read_street, r"'Crime type' is missing \(found 'Crime Type': was it renamed\?\)", column="Crime type"),
    Case("street-month-13", STREET, text(street_text(street_line(), street_line(month="2017-13"))),
         police_uk.read_street, r"'2017-13'.*YYYY-MM", row=3, column="Month"),
    Case("street-month-words", STREET, text(street_text(street_line(month="Feb 2017"))),
         police_uk.read_street, r"'Feb 2017'.*YYYY-MM", row=2, column="Month"),
    Case("street-month-not-file-month", STREET, text(street_text(street_line(), street_line(), street_line(month="2017-03"))),
         police_uk.read_street, r"'2017-03'.*month in the file name \(2017-02\)", row=4, column="Month"),
    Case("street-latitude-text", STREET, text(street_text(street_line(), street_line(lat="fifty"))),
         police_uk.read_street, r"'fifty' is not a number", row=3, column="Latitude"),
    Case("street-latitude-outside-uk", STREET, text(street_text(street_line(lat="5.09"))),
         police_uk.read_street, r"latitude within the UK", row=2, column="Latitude"),
    Case("street-cp1252-bytes", STREET,
         text(street_text(street_line()).encode() + street_line().replace("High Street", "Caf\xe9 Street").encode("cp1252")),
         police_uk.read_street, r"not UTF-8 text \(byte 0xe9", row=3),
    Case("street-empty-file", STREET, text(b""), police_uk.read_street, r"empty"),
    Case("street-header-only", STREET, text(street_text()), police_uk.read_street, r"header but no data rows"),
    Case("street-truncated-last-line", STREET, text(street_text(street_line(), street_line()[:40])),
         police_uk.read_street, r"last line is cut off", row=3),
    Case("street-ragged-middle-line", STREET,
         text(street_text(street_line(), street_line().replace("High Street", "High, Street"), street_line())),
         police_uk.read_street, r"wrong number of fields: expected 12 fields, found 13", row=3),
    Case("street-blank-crime-type", STREET, text(street_text(street_line(crime_type=" "))),
         police_uk.read_street, r"the value is blank, but this column must always be given", row=2, column="Crime type"),
    Case("street-shifted-crime-id", STREET, text(street_text(street_line(cid="2017-02"))),
         police_uk.read_street, r"64 hexadecimal", row=2, column="Crime ID"),
    Case("street-name-without-month", "hampshire-street.csv", text(street_text(street_line())),
         police_uk.read_street, r"file name is not of the form YYYY-MM-<force>-street.csv"),
    Case("outcomes-month-mismatch", "2017-02-hampshire-outcomes.csv",
         text(",".join(police_uk.OUTCOMES_COLUMNS) + "\n" + f"{CID},2017-01,H,H,-1.4,50.9,On or near X,E01017140,S 001A,Offender fined\n"),
         police_uk.read_outcomes, r"month in the file name", row=2, column="Month"),
    Case("stop-search-bad-date", "2017-02-hampshire-stop-and-search.csv",
         text(",".join(police_uk.STOP_SEARCH_COLUMNS) + "\n" + "Person search,01/02/2017,False,,50.9,-1.4,Male,18-24,W,White,PACE,Drugs,Arrest,True,False\n"),
         police_uk.read_stop_search, r"'01/02/2017'.*ISO 8601", row=2, column="Date"),
    Case("prc-non-numeric-count", PRC, text(PRC_HEADER + PRC_OK + "2017/18,1,Hampshire,Arson,A,B,56, n/a \n"),
         home_office.read_recorded_crime, r"'n/a' is not a whole number", row=3, column="Number of Offences"),
    Case("prc-negative-count-strict", PRC, text(PRC_HEADER + PRC_OK + "2017/18,2,Hampshire,Arson,A,B,56,-3\n"),
         lambda p: home_office.read_recorded_crime(p, allow_negative=False),
         r"'-3' is negative", row=3, column="Number of Offences"),
    Case("prc-decimal-count", PRC, text(PRC_HEADER + "2017/18,2,Hampshire,Arson,A,B,56,3.5\n"),
         home_office.read_recorded_crime, r"'3.5' is not a whole number", row=2, column="Number of Offences"),
    Case("prc-bad-financial-year", PRC, text(PRC_HEADER + PRC_OK + PRC_OK.replace("2017/18", "2017-18")),
         home_office.read_recorded_crime, r"'2017-18'.*YYYY/YY", row=3, column="Financial Year"),
    Case("prc-quarter-5", PRC, text(PRC_HEADER + PRC_OK.replace(",1,", ",5,")),
         home_office.read_recorded_crime, r"'5' is not a financial quarter 1-4", row=2, column="Financial Quarter"),
    Case("prc-missing-column", PRC, text(PRC_HEADER.replace("Offence Code,", "") + "2017/18,1,Hampshire,Arson,A,B,12\n"),
         home_office.read_recorded_crime, r"'Offence Code' is missing", column="Offence Code"),
    Case("prc-ods-no-data-sheet", PRC_ODS, ods({"Cover": [["Police recorded crime open data tables"]], "Notes": PRC_NOTES}),
         home_office.read_recorded_crime, r"no sheet holds a Home Office recorded crime table \(its sheets: Cover, Notes\)"),
    Case("prc-ods-renamed-column", PRC_ODS,
         ods({"Notes": PRC_NOTES,
              "2017-18": PRC_TITLES + [[c if c != "Number of Offences" else "Number of offences" for c in PRC_COLS], prc_row()]}),
         home_office.read_recorded_crime,
         r"sheet '2017-18': required column 'Number of Offences' is missing \(found 'Number of offences': was it renamed\?\)",
         row=4, column="Number of Offences"),
    Case("prc-ods-non-numeric-count", PRC_ODS,
         ods({"Notes": PRC_NOTES, "2017-18": PRC_TITLES + [PRC_COLS, prc_row()],
              "2018-19": PRC_TITLES + [PRC_COLS, prc_row("2018/19"), [], prc_row("2018/19", count=" n/a ")]}),
         home_office.read_recorded_crime, r"sheet '2018-19': 'n/a' is not a whole number", row=7, column="Number of Offences"),
    Case("prc-ods-quarter-5", PRC_ODS, ods({"2017_18": [PRC_COLS, prc_row(), prc_row(quarter=5)]}),
         home_office.read_recorded_crime, r"sheet '2017_18': '5' is not a financial quarter 1-4", row=3, column="Financial Quarter"),
    Case("prc-ods-negative-count-strict", PRC_ODS, ods({"2017-18": PRC_TITLES + [PRC_COLS, prc_row(count=-3)]}),
         lambda p: home_office.read_recorded_crime(p, allow_negative=False),
         r"sheet '2017-18': '-3' is negative", row=5, column="Number of Offences"),
    Case("prc-ods-bad-financial-year", PRC_ODS, ods({"2017-18": [PRC_COLS, prc_row(), prc_row(year="2017-18")]}),
         home_office.read_recorded_crime, r"sheet '2017-18': value '2017-18'.*YYYY/YY", row=3, column="Financial Year"),
    Case("prc-ods-year-sheet-without-header", PRC_ODS,
         ods({"2017-18": PRC_TITLES + [PRC_COLS, prc_row()], "2018-19": [["Police recorded crime"], ["to follow"]]}),
         home_office.read_recorded_crime, r"sheet '2018-19': no header row in the first 50 rows"),
    Case("prc-ods-note-beside-table", PRC_ODS, ods({"2017-18": [PRC_COLS, prc_row(), prc_row() + [None, "see note 3"]]}),
         home_office.read_recorded_crime, r"sheet '2017-18': a value \('see note 3'\) in column J", row=3),
    Case("prc-ods-that-is-text", PRC_ODS, text(PRC_HEADER + PRC_OK),
         home_office.read_recorded_crime, r"not an OpenDocument spreadsheet"),
    Case("prc-xlsx-non-numeric-count", "prc-pfa-mar2013-onwards-tables-2023.xlsx",
         workbook({"Notes": PRC_NOTES, "2017-18": PRC_TITLES + [PRC_COLS, prc_row(), prc_row(count="n/a")]}),
         home_office.read_recorded_crime, r"sheet '2017-18': 'n/a' is not a whole number", row=6, column="Number of Offences"),
    Case("name-says-prc-ods-no-table", PRC_ODS, ods({"Notes": PRC_NOTES}),
         lambda p: discover.classify(p), r"no sheet holds a Home Office recorded crime table"),
    Case("lookup-bad-gss-code", LAD_CSP,
         text("LAD16CD,LAD16NM,CSP16CD,CSP16NM,PFA16CD,PFA16NM,FID\n"
              "E06000045,Southampton,E22000120,Southampton,E23000030,Hampshire,1\n"
              "E0600044,Portsmouth,E22000119,Portsmouth,E23000030,Hampshire,2\n"),
         ons.read_lad_csp_lookup, r"'E0600044'.*GSS code", row=3, column="LAD16CD"),
    Case("lookup-duplicate-lsoa", LSOA_WARD,
         text(LW_HEADER + "E01017140,Southampton 001A,E05002460,Bassett,,E06000045,Southampton,1\n"
              "E01017141,Southampton 001B,E05002460,Bassett,,E06000045,Southampton,2\n"
              "E01017140,Southampton 001A,E05002461,Bevois,,E06000045,Southampton,3\n"),
         ons.read_lsoa_ward_lookup, r"lsoa code E01017140 appears more than once \(rows 2, 4\)", row=4, column="LSOA11CD"),
    Case("lookup-missing-ward-column", LSOA_WARD,
         text("LSOA11CD,LSOA11NM,LAD17CD,LAD17NM\nE01017140,Southampton 001A,E06000045,Southampton\n"),
         ons.read_lsoa_ward_lookup, r"no column for the ward code \(a header like .WDyyCD., yy being any year\)", row=1),
    Case("lookup-swapped-columns", LSOA_WARD,
         text(LW_HEADER + "E05002460,Bassett,E01017140,Southampton 001A,,E06000045,Southampton,1\n"),
         ons.read_lsoa_ward_lookup, r"LSOA codes start E01/W01", row=2, column="LSOA11CD"),
    Case("iod-missing-sheet", IOD, workbook({"Terms & Conditions": [["x"]], "Sheet1": [IOD_HEADER]}),
         population.read_iod_denominators, r"no sheet 'Population Denominators' \(its sheets: Terms & Conditions, Sheet1\)"),
    Case("iod-count-text", IOD,
         workbook({"Population Denominators": [IOD_HEADER, ["E01000001", "City of London 001A", "E09000001", "City of London", 1296, 175, 656, 465],
                                               ["E01000002", "City of London 001B", "E09000001", "City of London", "n/a", 182, 580, 394]]}),
         population.read_iod_denominators, r"'n/a' is not a whole number", row=3, column=IOD_HEADER[4]),
    Case("xlsx-no-header-row", "SAPE20DT1-mid-2017-lsoa-syoa-estimates.xlsx",
         workbook({"Mid-2017 Persons": [["Mid-2017 estimates"], ["Area", "Population"], ["E01017140", 1500]]}),
         population.read_mid_year_estimates, r"no header row found in the first 50 rows"),
    Case("xlsx-named-sheet-missing", "SAPE20DT1-mid-2017-lsoa-syoa-estimates.xlsx",
         workbook({"Mid-2017 Males": [["Area Codes", "All Ages"], ["E01017140", 700]]}),
         lambda p: population.read_mid_year_estimates(p, sheet="Mid-2017 Persons"), r"no sheet 'Mid-2017 Persons'"),
    Case("xlsx-one-sex-only", "SAPE20DT1-mid-2017-lsoa-syoa-estimates.xlsx",
         workbook({"Mid-2017 Males": [["Area Codes", "All Ages"], ["E01017140", 700]],
                   "Mid-2017 Females": [["Area Codes", "All Ages"], ["E01017140", 800]]}),
         population.read_mid_year_estimates, r"sheet 'Mid-2017 Males', which holds one sex only"),
    Case("mid-year-bad-code", "mid-2017-estimates.csv", text("Area Codes,Area Names,All Ages\nE06000045,Southampton,252796\nE0100001,X,1500\n"),
         population.read_mid_year_estimates, r"'E0100001' is not an ONS GSS code", row=3, column="Area Codes"),
    Case("mid-year-negative", "mid-2017-estimates.csv", text("Area Codes,All Ages\nE06000045,-5\n"),
         population.read_mid_year_estimates, r"-5.*whole number", row=2, column="All Ages"),
    Case("mid-year-no-year", "lsoa-estimates.csv", text("Area Codes,All Ages\nE06000045,252796\n"),
         population.read_mid_year_estimates, r"cannot tell the year"),
    Case("xlsx-that-is-text", IOD, text("LSOA code,Total\nE01000001,1296\n"),
         population.read_iod_denominators, r"not an Excel .xlsx workbook"),
    Case("missing-file", STREET, lambda p: None, police_uk.read_street, r"does not exist"),
    Case("name-says-street-header-says-prc", STREET, text(PRC_HEADER + PRC_OK),
         lambda p: discover.classify(p), r"name says it is a police_street file but its header is that of a home_office_prc file"),
    Case("name-says-lookup-header-renamed", LSOA_WARD, text("LSOA code,LSOA name,Ward code,Ward name\nE01017140,S,E05002460,B\n"),
         lambda p: discover.classify(p), r"no column for the lsoa code", row=1),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_input_raises_input_error(tmp_path: Path, case: Case) -> None:
    path = tmp_path / case.name
    case.make(path)
    before = sorted(tmp_path.iterdir())
    result = None
    with pytest.raises(InputError) as info:
        result = case.read(path)
    err = info.value
    message = str(err)
    assert result is None
    assert message.startswith(str(path)), message  # names the file
    assert "What to do:" in message
    import re

    assert re.search(case.message, message), message
    assert err.row == case.row, message
    if case.column is not None:
        assert err.column == case.column, message
        assert f"column '{case.column}'" in message
    if case.row is not None:
        assert f"row {case.row}" in message
    assert sorted(tmp_path.iterdir()) == before  # nothing written beside the input


def test_there_are_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20
    assert sum(c.row is not None or c.column is not None for c in CASES) >= 20
