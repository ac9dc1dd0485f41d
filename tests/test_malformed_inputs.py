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
         text(",".join(police_uk.OUTCOMES_COLUMNS) + "\n" + f"{CID},2017-01,Hampshire Constabulary,Hampshire Constabulary,-1.4,50.9,On or near X,E01017140,S 001A,Offender fined\n"),
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


# -- hostile and implausible files (issue 9): binary, oversized, overflowing, future, impossible ---------
FUTURE_MONTH = "2031-04"  # after "today" for any run of these tests before 2031
FUTURE_YEAR = "2030/31"
FLAGS_HEADER = "month,flag,strand,ward_code,count\n"
SURVEY_HEADER = "survey_year,respondent_id,ward_code,weight,safe_day,safe_after_dark,crime_change,police_deal,council_deal\n"
SURVEY_OK = "2024/25,r1,,1.0,Very safe,Fairly safe,About the same,Tend to agree,Tend to agree\n"
BENCH_HEADER = "measure,period,area,value,unit,source\n"
WARD_POP = "sape-ward-mid-2023-population-estimates.xlsx"
WARD_POP_HEADER = ["WD23CD", "WD23NM", "LAD 2023 Code", "LAD 2023 Name", "All Ages"]


def sparse_nul_file(size: int) -> Callable[[Path], None]:
    """A file of ``size`` NUL bytes (sparse: it costs no disk), named as the case says."""
    def make(path: Path) -> None:
        with open(path, "wb") as fh:
            fh.truncate(size)
    return make


def ward_population(*values: object) -> Callable[[Path], None]:
    rows = [["Mid-2023 ward population estimates"], [], WARD_POP_HEADER]
    rows += [[f"E0599900{i + 1}", f"Ward {i + 1}", "E06999001", "Wessex Vale", v] for i, v in enumerate(values)]
    return workbook({"Mid-2023 Persons": rows})


GEO = "wessex_vale_wards_2023.geojson"
GEO_OK = '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"WD23CD": "E05999001"}, "geometry": null}]}'

from assess.sources import boundaries
from assess.sources.partner import readers as partner_readers
from assess.sources.partner import scorecard

CASES += [
    Case("street-200mb-of-nul-bytes", STREET, sparse_nul_file(200 << 20), police_uk.read_street,
         r"not text: it holds NUL bytes \(the first at byte 0\)", row=1),
    Case("name-says-street-file-is-nul-bytes", STREET, sparse_nul_file(1 << 20), lambda p: discover.classify(p),
         r"not text: it holds NUL bytes", row=1),
    Case("street-utf16", STREET, text(street_text(street_line()).encode("utf-16")), police_uk.read_street,
         r"UTF-16 text, not UTF-8", row=1),
    Case("street-that-is-a-zip", STREET, text(b"PK\x03\x04" + b"\x00" * 100), police_uk.read_street,
         r"a zip archive \(or an .xlsx/.ods workbook\), not CSV text", row=1),
    Case("street-that-is-a-pdf", STREET, text(b"%PDF-1.7\n%binary"), police_uk.read_street, r"a PDF document, not CSV", row=1),
    Case("street-first-line-over-1-mib", STREET, text(b"Crime ID," + b"x" * (2 << 20)), police_uk.read_street,
         r"first line is longer than 1.0 MiB", row=1),
    Case("street-field-beyond-the-csv-limit", STREET,
         text(street_text(street_line(), street_line().replace("On or near High Street", '"On or near\nHigh ' + "x" * 200_000 + '"'))),
         police_uk.read_street, r"cannot be read as CSV \(field larger than field limit", row=3),
    Case("prc-count-overflows-int64", PRC, text(PRC_HEADER + PRC_OK + "2017/18,2,Hampshire,Arson,A,B,56,99999999999999999999\n"),
         home_office.read_recorded_crime, r"'99999999999999999999' is too large to be a number of offences", row=3,
         column="Number of Offences"),
    Case("prc-future-financial-year", PRC, text(PRC_HEADER + PRC_OK + PRC_OK.replace("2017/18", FUTURE_YEAR)),
         home_office.read_recorded_crime, r"financial year '2030/31' has not begun yet", row=3, column="Financial Year"),
    Case("street-latitude-1e400", STREET, text(street_text(street_line(lat="1e400"))), police_uk.read_street,
         r"(too large|latitude within the UK)", row=2, column="Latitude"),
    Case("partner-count-overflows-int64", "force_flags.csv", text(FLAGS_HEADER + "2024-05,domestic_abuse,,,99999999999999999999\n"),
         partner_readers.read_force_flags, r"at most 18 digits", row=2, column="count"),
    Case("partner-month-in-the-future", "force_flags.csv",
         text(FLAGS_HEADER + "2024-05,domestic_abuse,,,3\n" + f"{FUTURE_MONTH},domestic_abuse,,,4\n"),
         partner_readers.read_force_flags, r"the month '2031-04' is after today", row=3, column="month"),
    Case("survey-year-2030-31", "resident_survey.csv", text(SURVEY_HEADER + SURVEY_OK + SURVEY_OK.replace("2024/25", FUTURE_YEAR)),
         partner_readers.read_resident_survey, r"financial year '2030/31' has not begun yet", row=3, column="survey_year"),
    Case("benchmark-value-1e400", "national_benchmarks.csv",
         text(BENCH_HEADER + "feel_safe_day,2023/24,England,1e400,percent,CSEW\n"),
         partner_readers.read_benchmarks, r"(too large|a number)", row=2, column="value"),
    Case("benchmark-period-in-the-future", "national_benchmarks.csv",
         text(BENCH_HEADER + "feel_safe_day,2031,England,95.0,percent,CSEW\n"),
         partner_readers.read_benchmarks, r"the year '2031' is after this one", row=2, column="period"),
    Case("ward-population-1e18", WARD_POP, ward_population(5400, 10 ** 18), population.read_mid_year_estimates,
         r"1e\+18 is more people than live anywhere", row=5, column="All Ages"),
    Case("ward-population-zero", WARD_POP, ward_population(5400, 0, 6100), population.read_mid_year_estimates,
         r"a total of 0 for a WARD: every area has residents", row=5, column="all"),
    Case("ward-population-of-a-city", WARD_POP, ward_population(5400, 6100, 4_000_000), population.read_mid_year_estimates,
         r"4,000,000 is more people than any WARD holds \(at most 500,000\)", row=6, column="all"),
    Case("scorecard-binary-yaml", "scorecard_targets.yaml", text(b"\x00\x01\x02measures:\x00"), scorecard.read_scorecard,
         r"not text: it holds NUL bytes", row=1),
    Case("scorecard-latin-1-yaml", "scorecard_targets.yaml",
         text("measures:\n  - id: all_crime\n    label: Crime caf\xe9\n".encode("latin-1")), scorecard.read_scorecard,
         r"not UTF-8 text \(byte 0xe9 cannot be decoded\)", row=3),
    Case("ward-geojson-not-json", GEO, text('{\n  "type": "FeatureCollection",\n  <html>proxy error</html>'),
         boundaries.read_ward_boundaries, r"not valid JSON \(.* at character 3 of the line\)", row=3),
    Case("ward-geojson-cut-off", GEO, text(GEO_OK[:-30]), boundaries.read_ward_boundaries, r"not valid JSON", row=1),
    Case("ward-geojson-not-a-feature-collection", GEO, text('{"type": "Topology", "objects": {}}'),
         boundaries.read_ward_boundaries, r"not a GeoJSON FeatureCollection \(found 'Topology'\)"),
    Case("ward-geojson-that-is-a-png", GEO, text(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), boundaries.read_ward_boundaries,
         r"a PNG image, not GeoJSON", row=1),
    # police.uk files whose records cannot be what their name says
    Case("street-file-of-a-future-month", f"{FUTURE_MONTH}-hampshire-street.csv",
         text(street_text(street_line(month=FUTURE_MONTH))), police_uk.read_street,
         r"the file is for 2031-04, a month after today"),
    Case("outcomes-file-of-a-future-month", f"{FUTURE_MONTH}-hampshire-outcomes.csv",
         text("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n"),
         police_uk.read_outcomes, r"the file is for 2031-04, a month after today"),
    Case("street-file-named-for-another-force", "2017-02-surrey-street.csv",
         text(street_text(street_line(), street_line())), police_uk.read_street,
         r"named for the force 'surrey' but this row was reported by 'Hampshire Constabulary' \(2 rows in all\)",
         row=2, column="Reported by"),
    Case("outcomes-file-named-for-another-force", "2017-02-kent-outcomes.csv",
         text("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n"
              f"{CID},2017-02,Kent Police,Kent Police,-1.4047,50.9097,On or near X,E01017140,Southampton 001A,Unable to prosecute suspect\n"
              f"{CID},2017-02,Hampshire Constabulary,Hampshire Constabulary,-1.4047,50.9097,On or near X,E01017140,"
              "Southampton 001A,Unable to prosecute suspect\n"),
         police_uk.read_outcomes, r"named for the force 'kent' but this row was reported by 'Hampshire Constabulary'",
         row=3, column="Reported by"),
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


def test_there_are_at_least_sixty_cases() -> None:
    assert len(CASES) + len(PUBLIC_CASES) + len(CONFIG_CASES) >= 60
    assert sum(c.row is not None or c.column is not None for c in CASES) >= 40


# =================================================================================================
# Public statistics read as published (issue 10): Fingertips exports, the rough sleeping snapshot
# tables and the ONS mid-year estimate workbooks. Each case names the file, and the sheet, row and
# column where there is one, with what to do; nothing is returned or written.

from assess.sources import fingertips, rough_sleeping

FT = "indicators-CountyUA.data.csv"
FT_HEADER = ("Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,"
             "Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note")


def ft_record(value: str = "55.4", area: str = "E06000045", ind: str = "93356") -> str:
    return f'{ind},"Campylobacter incidence\nrate/100,000",E12000008,South East region,{area},Southampton,UA,Persons,All ages,,,2016,{value},46.6,65.3,141,254275,'


def ft_text(*records: str, header: str = FT_HEADER) -> Callable[[Path], None]:
    return text(("\r\n".join([header, *records]) + "\r\n").encode("utf-8"))


RS_FILE = "Rough_Sleeping_Autumn_2017_Tables.xlsx"
RS_HEADER = ["ONS code", "Local authority / Region", None, 2016, 2017, "Number of households 2017 ('000)", "2017 rough sleeping rate (per 1,000 households)"]
RS_TITLES = [["Table 1: Street counts and estimates of rough sleeping"], ["England, Autumn 2010 - 2017"], []]  # header on row 4


def rs_row(code: object = "E06000045", name: str = "Southampton", y2017: object = 29) -> list[object]:
    return [code, name, "South East", 23, y2017, 104.317, 0.278]


def rs_sheets(*rows: list[object], sheet: str = "table 1", titles: list[list[object]] = RS_TITLES) -> dict[str, list[list[object]]]:
    return {"Contents": [["Rough sleeping in England: autumn 2017"]],
            sheet: titles + [RS_HEADER, ["E92000001", "England", None, 4134, 4751, 23464.262, 0.2025], *rows]}


MYE_FILE = "ukmidyearestimates2017finalversion.xlsx"
MYE_HEADER = ["Code", "Name", "Geography1", "All ages", *range(90), 90]
MYE_TITLES = [["Contents"], [], ["MYE2: Population estimates: Persons by single year of age, mid-2017"], []]  # header on row 5


def mye_row(code: str = "E06000045", name: str = "Southampton", ten: object = 100) -> list[object]:
    ages: list[object] = [100] * 91
    ages[10] = ten
    return [code, name, "Unitary Authority", 9100, *ages]


def damaged(good: Callable[[Path], None]) -> Callable[[Path], None]:
    """A workbook cut off halfway, as a broken download leaves it."""
    def make(path: Path) -> None:
        good(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    return make


PUBLIC_CASES = [
    Case("fingertips-no-header", FT, ft_text(ft_record(), header="Fingertips download,,"),
         fingertips.read_fingertips, r"no Fingertips header found in the first 10 lines .*'Indicator Id'", row=1),
    Case("fingertips-text-in-value", FT, ft_text(ft_record(), ft_record(value="n/a", area="E06000044")),
         fingertips.read_fingertips, r"'n/a' is not a number", row=4, column="Value"),
    Case("fingertips-extra-field", FT, ft_text(ft_record() + "note,extra"),
         fingertips.read_fingertips, r"a record has 19 fields but the header 18", row=2),
    Case("fingertips-cut-off", FT, ft_text(ft_record(), "93356,\"Campylobacter\",E12000008,South East"),
         fingertips.read_fingertips, r"cut off before column 'Value'", row=4),
    Case("fingertips-bad-indicator-id", FT, ft_text(ft_record(ind="93356a")),
         fingertips.read_fingertips, r"'93356a' is not an indicator id", row=2, column="Indicator ID"),
    Case("fingertips-duplicated-area-period", FT, ft_text(ft_record(), ft_record(value="60.1")),
         fingertips.read_fingertips, r"indicator 93356, area E06000045, Persons, All ages, 2016: rows 2 and 4 give different figures", row=4),
    Case("fingertips-missing-value-column", FT, ft_text(ft_record(), header=FT_HEADER.replace("Value,Lower", "Rate,Lower")),
         discover.classify, r"no Fingertips header found .*'Value'", row=1),
    Case("rough-sleeping-no-table", RS_FILE, workbook({"Contents": [["Rough sleeping in England"]], "table 2a": [["Gender", "Male", "Female"]]}),
         rough_sleeping.read_rough_sleeping, r"no sheet holds a rough sleeping snapshot table \(its sheets: Contents, table 2a\)"),
    Case("rough-sleeping-header-moved-too-far", RS_FILE, workbook(rs_sheets(rs_row(), titles=[["Notes"]] * 55)),
         rough_sleeping.read_rough_sleeping, r"no sheet holds a rough sleeping snapshot table .*in its first 50 rows"),
    Case("rough-sleeping-text-in-count", RS_FILE, workbook(rs_sheets(rs_row(), rs_row("E06000044", "Portsmouth", "twelve"))),
         rough_sleeping.read_rough_sleeping, r"sheet 'table 1': 'twelve' is not a number", row=7, column="2017"),
    Case("rough-sleeping-negative-count", RS_FILE, workbook(rs_sheets(rs_row(y2017=-2))),
         rough_sleeping.read_rough_sleeping, r"sheet 'table 1': '-2' is not a whole number of people", row=6, column="2017"),
    Case("rough-sleeping-duplicated-area", RS_FILE, workbook(rs_sheets(rs_row(), rs_row())),
         rough_sleeping.read_rough_sleeping, r"sheet 'table 1': area E06000045 appears more than once \(rows 6, 7\)", row=7, column="ONS code"),
    Case("rough-sleeping-bad-code", RS_FILE, workbook(rs_sheets(rs_row(code="E0600045"))),
         rough_sleeping.read_rough_sleeping, r"sheet 'table 1': 'E0600045' is not an ONS GSS code", row=6, column="ONS code"),
    Case("rough-sleeping-damaged-workbook", RS_FILE, damaged(workbook(rs_sheets(rs_row()))),
         rough_sleeping.read_rough_sleeping, r"the file is not an Excel .xlsx workbook, or it is damaged"),
    Case("rough-sleeping-xls-that-is-text", "Rough_Sleeping_Autumn_2016_Final_Tables.xls", text("ONS Code,Local Authority,2016\n"),
         rough_sleeping.read_rough_sleeping, r"the file is not an Excel 97-2003 .xls workbook, or it is damaged"),
    Case("name-says-rough-sleeping-no-table", RS_FILE, workbook({"Sheet1": [["Budget", "Cost"], ["CCTV", 1200]]}),
         discover.classify, r"no sheet holds a rough sleeping snapshot table \(its sheets: Sheet1\)"),
    Case("mye-wrong-sheet", MYE_FILE, workbook({"MYE2 - Persons": MYE_TITLES + [MYE_HEADER, mye_row()]}),
         lambda p: population.read_mid_year_estimates(p, sheet="MYE2 - All"),
         r"the workbook has no sheet 'MYE2 - All' \(its sheets: MYE2 - Persons\)"),
    Case("mye-text-in-age-cell", MYE_FILE, workbook({"Contents": [["Contents"]], "MYE2 - All": MYE_TITLES + [MYE_HEADER, mye_row(), mye_row("E06000044", "Portsmouth", "n/a")]}),
         population.read_mid_year_estimates, r"sheet 'MYE2 - All': 'n/a' is not a whole number of people", row=7, column="10"),
    Case("mye-duplicated-area", MYE_FILE, workbook({"MYE2 - All": MYE_TITLES + [MYE_HEADER, mye_row(), mye_row()]}),
         population.read_mid_year_estimates, r"sheet 'MYE2 - All': area E06000045 appears more than once \(rows 6, 7\)", row=7, column="Code"),
    Case("mye-header-missing", MYE_FILE, workbook({"MYE2 - All": MYE_TITLES + [["Code", "Name", "Total"], ["E06000045", "Southampton", 9100]]}),
         population.read_mid_year_estimates, r"no header row found in the first 50 rows of any sheet \(MYE2 - All\): expected a code column"),
    Case("mye-damaged-xls", "ukmidyearestimates2016.xls", text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
         population.read_mid_year_estimates, r"the file is not an Excel 97-2003 .xls workbook, or it is damaged"),
    Case("mye-ods-that-is-text", "ukmidyearestimates2017.ods", text("Code,Name,All ages\nE06000045,Southampton,252359\n"),
         population.read_mid_year_estimates, r"the file is not an OpenDocument spreadsheet \(.ods\), or it is damaged"),
]


@pytest.mark.parametrize("case", PUBLIC_CASES, ids=[c.id for c in PUBLIC_CASES])
def test_malformed_public_statistics_raise_input_error(tmp_path: Path, case: Case) -> None:
    test_malformed_input_raises_input_error(tmp_path, case)


# -- CSP configurations: a ConfigError naming the file and the field, with what to do ---------------
CSP_OK = {
    "name": "Southampton", "code": "E22000120", "local_authorities": [{"code": "E06000045", "name": "Southampton"}],
    "police_force": {"name": "Hampshire", "code": "E23000030", "police_uk": "hampshire"},
}


def csp_yaml(**changes: object) -> Callable[[Path], None]:
    import yaml

    def make(path: Path) -> None:
        path.write_text(yaml.safe_dump({**CSP_OK, **changes}, sort_keys=False), encoding="utf-8")
    return make


@dataclass
class ConfigCase:
    id: str
    make: Callable[[Path], None]
    message: str  # regex the message must contain


CONFIG_CASES = [
    ConfigCase("csp-yaml-binary", text(b"\x00\x00\x00\x00name: x"), r"not text: it holds NUL bytes.*What to do"),
    ConfigCase("csp-yaml-latin-1", text("name: Southampton\npartnership_name: Caf\xe9 Partnership\n".encode("latin-1")),
               r"row 2: the file is not UTF-8 text \(byte 0xe9"),
    ConfigCase("csp-yaml-utf-16", text("name: x\n".encode("utf-16")), r"UTF-16 text, not UTF-8"),
    ConfigCase("csp-yaml-empty", text(b""), r"the file is empty"),
    ConfigCase("csp-yaml-a-list", text("- name: x\n"), r"expected a mapping of fields"),
    ConfigCase("csp-yaml-bad-indentation", text("name: x\n  code: [\n"), r"not valid YAML .*fix the line"),
    ConfigCase("csp-no-local-authorities", csp_yaml(local_authorities=[]), r"field 'local_authorities': .*at least 1"),
    ConfigCase("csp-slug-traversal", csp_yaml(slug="../../victim"), r"field 'slug': '../../victim' is not a plain name"),
    ConfigCase("csp-slug-absolute", csp_yaml(slug="/srv/www"), r"field 'slug'.*letters, digits and hyphens"),
    ConfigCase("csp-partner-file-absolute", csp_yaml(partner_files={"scorecard": "/etc/passwd"}),
               r"field 'partner_files.scorecard': '/etc/passwd' .*absolute path"),
    ConfigCase("csp-partner-file-traversal", csp_yaml(partner_files={"offenders": "../../../etc/shadow"}),
               r"field 'partner_files.offenders'.*climbs out of its folder"),
    ConfigCase("csp-unknown-partner-file-key", csp_yaml(partner_files={"crimes": "crimes.csv"}),
               r"unknown partner file key\(s\) crimes; the keys are force_flags"),
    ConfigCase("csp-ward-boundaries-outside-raw", csp_yaml(ward_boundaries="../../etc/passwd"), r"field 'ward_boundaries'"),
    ConfigCase("csp-wrong-police-uk-slug", csp_yaml(police_force={"name": "Hampshire", "police_uk": "hampshir"}),
               r"'hampshir' is not a data.police.uk force \(did you mean hampshire"),
    ConfigCase("csp-police-uk-slug-traversal", csp_yaml(police_force={"name": "Hampshire", "police_uk": "../x"}),
               r"field 'police_force.police_uk'.*not a plain name"),
    ConfigCase("csp-bad-ons-code", csp_yaml(code="E2200012"), r"field 'code': 'E2200012' is not an ONS code"),
]


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c.id for c in CONFIG_CASES])
def test_malformed_configuration_raises_config_error(tmp_path: Path, case: ConfigCase) -> None:
    import re

    from assess.config import load_config
    from assess.errors import ConfigError

    path = tmp_path / "southampton.yaml"
    case.make(path)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path)), message  # names the file
    assert re.search(case.message, message), message
    assert "\n" not in message.strip(), message  # one line
