"""Home Office police recorded crime tables: the real force-area file, synthetic CSP variants, and
the ODS (and xlsx) workbooks as published, which must give the same frame as the CSV."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from assess.errors import InputError
from assess.sources.home_office import (
    OUTPUT_COLUMNS,
    negative_adjustments,
    read_recorded_crime,
)
from assess.sources.spreadsheets import iter_sheets
from assess.sources.validation import ReadReport

PRC = "home_office_prc/prc-pfa-mar2013-onwards-tables201718.csv"


@pytest.fixture(scope="module")
def prc(shared_data: Path) -> tuple[pd.DataFrame, ReadReport]:
    report = ReadReport(shared_data / PRC)
    return read_recorded_crime(shared_data / PRC, report=report), report


@pytest.mark.real
def test_real_force_area_table(prc: tuple[pd.DataFrame, ReadReport]) -> None:
    df, report = prc
    assert list(df.columns) == OUTPUT_COLUMNS
    assert len(df) == 23068 and report.rows_read == 23068
    assert set(df["financial_year"]) == {"2017/18"}
    assert df["quarter"].value_counts().sort_index().tolist() == [5767] * 4
    assert df["csp_name"].isna().all()
    assert df["offences"].dtype == "int64" and str(df["force_name"].dtype) == "string"
    hampshire = df[df["force_name"] == "Hampshire"].groupby("quarter")["offences"].sum()
    assert hampshire.to_dict() == {1: 41145, 2: 41137, 3: 39397, 4: 37862}
    # " 66776 " is the first count as published
    first = df.iloc[0]
    assert (first["force_name"], first["offence_code"], first["offences"]) == ("Action Fraud", "AF", 66776)
    assert df["force_name"].nunique() == 48


@pytest.mark.real
def test_real_signed_zero_and_negative_adjustments(prc: tuple[pd.DataFrame, ReadReport], shared_data: Path) -> None:
    df, report = prc
    assert (df["offences"] == 0).sum() == 5792  # published as "-00"
    neg = negative_adjustments(df)
    assert len(neg) == 36 and neg["offences"].min() == -45
    assert "36 negative counts kept" in report.warnings[0] and "rows 6187" in report.warnings[0]
    with pytest.raises(InputError, match=r"row 6187, column 'Number of Offences': '-1' is negative"):
        read_recorded_crime(shared_data / PRC, allow_negative=False)


HEADER = "Financial Year,Financial Quarter,Force Name,{csp}Offence Description,Offence Group,Offence Subgroup,Offence Code,Number of Offences\n"


@pytest.mark.parametrize("csp_header", ["CSP Name", "Community Safety Partnership"])
def test_csp_variant(tmp_path: Path, csp_header: str) -> None:
    path = tmp_path / "prc-csp-mar2013-onwards-tables201718.csv"
    path.write_text(
        HEADER.format(csp=csp_header + ",")
        + '2017/18,1,Hampshire,Southampton,Burglary - residential,Theft offences,Burglary,28E," 1,234 "\n'
        + "2017/18,4,Hampshire,Portsmouth,Shoplifting,Theft offences,Shoplifting,46, 12 \n"
        + "2017/18,4,Hampshire,Portsmouth,Bigamy,Miscellaneous crimes,Miscellaneous crimes,26,-00\n",
        encoding="utf-8",
    )
    df = read_recorded_crime(path)
    assert list(df.columns) == OUTPUT_COLUMNS
    assert df["csp_name"].tolist() == ["Southampton", "Portsmouth", "Portsmouth"]
    assert df["offences"].tolist() == [1234, 12, 0]
    assert df["quarter"].tolist() == [1, 4, 4]
    assert (df["source_file"] == path.name).all()


def test_unexpected_extra_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prc-pfa-x.csv"
    path.write_text(HEADER.format(csp="").rstrip("\n") + ",Rate\n2017/18,1,Kent,Arson,Criminal damage and arson,Arson,56,3,0.1\n")
    with pytest.raises(InputError, match=r"row 1, column 'Rate'"):
        read_recorded_crime(path)


def test_financial_year_must_be_consecutive(tmp_path: Path) -> None:
    path = tmp_path / "prc-pfa-x.csv"
    path.write_text(HEADER.format(csp="") + "2017/18,1,Kent,Arson,A,B,56,3\n2017/19,1,Kent,Arson,A,B,56,3\n")
    with pytest.raises(InputError, match=r"row 3, column 'Financial Year'.*consecutive"):
        read_recorded_crime(path)


# ---------------------------------------------------------------------------------------------
# The tables as published: ODS (and xlsx) workbooks, one sheet per financial year

PRC_HEADER = HEADER.format(csp="").rstrip("\n").split(",")
TITLES = [["Police recorded crime by offence, Hampshire"], ["Source: Home Office, police recorded crime"], []]
NOTES = [
    ["Note", "Description"],
    ["1", "Financial Quarter 1 is April to June"],
    ["2", "Number of Offences: a negative count is an adjustment to an earlier quarter"],
]


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Write ``sheets`` (rows of cells, None for empty) as .ods (odfpy) or .xlsx (openpyxl)."""
    engine = "odf" if path.suffix == ".ods" else "openpyxl"
    with pd.ExcelWriter(path, engine=engine) as writer:
        for name, rows in sheets.items():
            width = max((len(r) for r in rows), default=1)
            frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def as_published(record: list[str], *, numeric_code: bool = False) -> list[object]:
    """A CSV record as a spreadsheet row: quarter and count as numbers ("-00" -> 0, " 12 " -> 12)."""
    year, quarter, force, desc, group, subgroup, code, count = record
    code_cell: object = int(code) if numeric_code and code.isdigit() else code
    return [year, int(quarter), force, desc, group, subgroup, code_cell, int(count.strip().replace(",", ""))]


@pytest.fixture(scope="module")
def hampshire(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The real table's Hampshire rows, as the workbooks publish them and as a CSV of the same rows.

    Sheets: a cover and a notes sheet, then "2016-17" (the first 100 rows relabelled 2016/17:
    the real CSV holds one year) and "2017_18" (every Hampshire row, offence codes of digits
    stored as numbers), each with three title rows above the header (header on row 4).
    """
    with open(shared_data / PRC, encoding="utf-8", newline="") as fh:
        records = [r for r in csv.reader(fh)][1:]
    rows = [r for r in records if r[2] == "Hampshire"]
    earlier = [["2016/17", *r[1:]] for r in rows[:100]]
    base = tmp_path_factory.mktemp("prc-workbooks")
    same_rows = base / "prc-pfa-hampshire.csv"
    with open(same_rows, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(PRC_HEADER)
        writer.writerows(earlier + rows)
    sheets = {
        "Cover": [["Police recorded crime open data tables"], ["Published by the Home Office"]],
        "Notes": NOTES,
        "2016-17": TITLES + [PRC_HEADER] + [as_published(r) for r in earlier],
        "2017_18": TITLES + [PRC_HEADER] + [as_published(r, numeric_code=True) for r in rows],
    }
    return {
        "csv": read_recorded_crime(same_rows),
        "rows": rows,
        "ods": write_workbook(base / "prc-pfa-mar2013-onwards-tables-2023.ods", sheets),
        "xlsx": write_workbook(base / "prc-pfa-mar2013-onwards-tables-2023.xlsx", sheets),
    }


@pytest.mark.real
@pytest.mark.parametrize("suffix", ["ods", "xlsx"])
def test_workbook_gives_the_csv_frame(hampshire: dict[str, object], suffix: str) -> None:
    path = hampshire[suffix]
    report = ReadReport(path)
    df = read_recorded_crime(path, report=report)
    expected = hampshire["csv"].assign(source_file=pd.array([path.name] * len(hampshire["csv"]), dtype="string"))
    pd.testing.assert_frame_equal(df, expected)
    assert report.rows_read == 100 + len(hampshire["rows"]) == len(df)
    assert df.groupby("financial_year")["offences"].sum()["2017/18"] == 41145 + 41137 + 39397 + 37862
    assert (df["offence_code"] == "80").any()  # a code stored as a number reads as "80", not "80.0"
    assert "sheets skipped, holding no recorded crime table: 'Cover', 'Notes'" in report.warnings[0]
    negative = [i for i, r in enumerate(hampshire["rows"]) if int(r[7]) < 0]
    rows = ", ".join(str(5 + i) for i in negative)  # header on row 4: the first record is on row 5
    assert f"{len(negative)} negative counts kept" in report.warnings[1]
    assert f"sheet '2017_18' rows {rows}" in report.warnings[1]
    with pytest.raises(InputError, match=rf"row {5 + negative[0]}, column 'Number of Offences': sheet '2017_18': '-1' is negative"):
        read_recorded_crime(path, allow_negative=False)


@pytest.mark.parametrize("suffix", ["ods", "xlsx"])
def test_workbook_csp_variant(tmp_path: Path, suffix: str) -> None:
    header = PRC_HEADER[:3] + ["Community Safety\nPartnership"] + PRC_HEADER[3:-1] + ["Number of Offences [note 2]"]
    path = write_workbook(
        tmp_path / f"prc-csp-mar2013-onwards-tables-2023.{suffix}",
        {
            "Notes": NOTES,
            "2018-19": [["Title"], header,
                        ["2018/19", 1, "Hampshire", " Southampton ", "Burglary - residential", "Theft offences", "Burglary", "28E", " 1,234 "],
                        [], ["2018/19", 4, "Hampshire", "Portsmouth", "Bigamy", "Miscellaneous crimes", None, 26, "-00"]],
            "2019-20": [header, ["2019/20", 2, "Hampshire", "Portsmouth", "Shoplifting", "Theft offences", "Shoplifting", 46, -2]],
        },
    )
    df = read_recorded_crime(path)
    assert list(df.columns) == OUTPUT_COLUMNS and len(df) == 3  # the blank row is not a record
    assert df["csp_name"].tolist() == ["Southampton", "Portsmouth", "Portsmouth"]
    assert df["financial_year"].tolist() == ["2018/19", "2018/19", "2019/20"]
    assert df["quarter"].tolist() == [1, 4, 2] and df["offences"].tolist() == [1234, 0, -2]
    assert df["offence_code"].tolist() == ["28E", "26", "46"]
    assert df["offence_subgroup"].isna().tolist() == [False, True, False]
    assert (df["source_file"] == path.name).all()


def test_workbook_sheets_of_both_variants_are_refused(tmp_path: Path) -> None:
    csp = PRC_HEADER[:3] + ["CSP Name"] + PRC_HEADER[3:]
    path = write_workbook(
        tmp_path / "prc-csp-x.ods",
        {"2018-19": [csp, ["2018/19", 1, "Kent", "Dover", "Arson", "A", "B", 56, 3]],
         "2019-20": [["Title"], PRC_HEADER, ["2019/20", 1, "Kent", "Arson", "A", "B", 56, 3]]},
    )
    with pytest.raises(InputError, match=r"row 2: sheet '2019-20': this sheet holds the force-area table but sheet '2018-19' holds the CSP table"):
        read_recorded_crime(path)


# A hand-written ODS in LibreOffice's style (pandas' writer uses none of these): cells and rows
# repeated, a merged title (covered cells), strings without office:string-value, text:s runs of
# spaces, an annotation, header rows in a group, and empty rows repeated to the sheet's end.
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _s(text: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def _n(value: str, shown: str | None = None, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="float" office:value="{value}"{rep}><text:p>{shown or value}</text:p></table:table-cell>'


_EMPTY_ROWS = '<table:table-row table:number-rows-repeated="{n}"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
LIBREOFFICE_CONTENT = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {_NS} office:version="1.3"><office:body><office:spreadsheet>
<table:table table:name="Notes"><table:table-column table:number-columns-repeated="2"/>
<table:table-row><table:table-cell office:value-type="string"><text:p>Notes<text:s/>and<text:s text:c="2"/>sources</text:p><office:annotation><text:p>a comment</text:p></office:annotation></table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row>
{_EMPTY_ROWS.format(n=1048575)}
</table:table>
<table:table table:name="FY 2019-20">
<table:table-row><table:table-cell table:number-columns-spanned="9" office:value-type="string"><text:p>Police recorded crime, <text:span>2019/20</text:span></text:p></table:table-cell><table:covered-table-cell table:number-columns-repeated="8"/></table:table-row>
{_EMPTY_ROWS.format(n=2)}
<table:table-header-rows><table:table-row>{"".join(_s(h) for h in PRC_HEADER[:3] + ["CSP Name"] + PRC_HEADER[3:])}<table:table-cell table:number-columns-repeated="1015"/></table:table-row></table:table-header-rows>
<table:table-row>{_s("2019/20")}{_n("1")}{_s("Hampshire")}{_s("Southampton")}{_s("Arson")}{_s("Criminal damage and arson")}{_s("Arson")}{_n("56")}{_n("1234", "1,234")}</table:table-row>
<table:table-row table:number-rows-repeated="2">{_s("2019/20")}{_n("2")}{_s("Hampshire")}{_s("Test<text:s text:c='3'/>Valley")}{_s("Bigamy")}{_s("Miscellaneous crimes")}{_s("Miscellaneous crimes")}{_n("26")}{_n("-1")}<table:table-cell table:number-columns-repeated="2"/></table:table-row>
<table:table-row>{_s("2019/20")}{_n("3")}{_s("Hampshire")}{_s("Eastleigh")}{_s("Shoplifting")}<table:table-cell office:value-type="string" table:number-columns-repeated="2"><text:p>Theft offences</text:p></table:table-cell>{_n("46")}{_n("0", "-00")}</table:table-row>
{_EMPTY_ROWS.format(n=1048568)}
</table:table>
</office:spreadsheet></office:body></office:document-content>"""


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def write_ods(path: Path, content: str) -> Path:
    """An ODS package as LibreOffice writes it: mimetype first (stored), the manifest, content.xml."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_libreoffice_style_ods(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "prc-csp-mar2013-onwards-tables-2023.ods", LIBREOFFICE_CONTENT)
    sheets = {name: list(rows) for name, rows in iter_sheets(path)}
    assert [(n, v) for n, v in sheets["Notes"]] == [(1, ("Notes and  sources",))]
    data = sheets["FY 2019-20"]
    assert [n for n, _ in data] == [1, 4, 5, 6, 7, 8]  # the sheet's own row numbers
    assert data[0][1] == ("Police recorded crime, 2019/20",)  # the covered cells are empty
    assert data[2][1][-2:] == (56.0, 1234.0) and data[3][1] == data[4][1]
    report = ReadReport(path)
    df = read_recorded_crime(path, report=report)
    assert df["csp_name"].tolist() == ["Southampton", "Test   Valley", "Test   Valley", "Eastleigh"]
    assert df["quarter"].tolist() == [1, 2, 2, 3] and df["offences"].tolist() == [1234, -1, -1, 0]
    assert df["offence_group"].tolist()[-1] == df["offence_subgroup"].tolist()[-1] == "Theft offences"
    assert df["offence_code"].tolist() == ["56", "26", "26", "46"]
    assert report.warnings == [
        f"{path.name}: sheets skipped, holding no recorded crime table: 'Notes'",
        f"{path.name}: 2 negative counts kept (Home Office adjustments for offences cancelled or "
        "reclassified after an earlier quarter), sheet 'FY 2019-20' rows 6, 7",
    ]
    bad = write_ods(tmp_path / "prc-csp-bad.ods", LIBREOFFICE_CONTENT.replace(_n("-1"), _s("n/a")))
    with pytest.raises(InputError, match=r"row 6, column 'Number of Offences': sheet 'FY 2019-20': 'n/a' is not a whole number .*\(2 rows in all\)"):
        read_recorded_crime(bad)
