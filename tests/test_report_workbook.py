"""tables.xlsx read back as a user's spreadsheet would read it: the Government Analysis Function's
essentials for releasing statistics in spreadsheets, point by point, and formulas never run."""

from __future__ import annotations

import csv
import hashlib
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL
from assess.report.formats import SHORTHAND
from assess.report.safe_text import is_formula_like as formula_like
from assess.report.workbook import (
    CONTENTS,
    COVER,
    NOTES,
    WorkbookTable,
    sheet_names,
    split_caption,
    write_workbook,
)

HOSTILE = '=HYPERLINK("http://x","y")'


def _tables(tmp_path: Path) -> list[WorkbookTable]:
    folder = tmp_path / "tables"
    folder.mkdir()
    with (folder / "03_places__wards.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([
            ["ward", "crimes", "rate_per_1000", "end_year", "above_limit", "note"],
            [HOSTILE, "1234", "81.25", "2019", "True", ""],
            ["+Abbey", "[c]", "64.5", "2020", "False", "@SUM(A1)"],
            ["Castle", "17", "", "2021", "False", "-1 is not a number here"],
        ])
    long = "a_very_long_table_name_that_goes_on_and_on"
    (folder / f"07_asb__{long}.csv").write_text("Month,ASB incidents\n2023-04,12\n", encoding="utf-8")
    return [
        WorkbookTable("03_places", "wards", folder / "03_places__wards.csv",
                      "Crimes by ward, 2024/25. Source: data.police.uk street-level crime.", "Places"),
        WorkbookTable("07_asb", long, folder / f"07_asb__{long}.csv", "ASB by month", "Anti-social behaviour"),
    ]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "tables.xlsx"
    write_workbook(path, _tables(tmp_path), report_title="Demo CSP", year="2024/25", synthetic=True,
                   suppression_threshold=5, notes={"Places": ["Wards are 2023 boundaries."], "Anti-social behaviour": []})
    return path


def _text(ws) -> str:
    return " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_cover_contents_and_notes_sheets_come_first(workbook: Path) -> None:
    wb = load_workbook(workbook)
    assert wb.sheetnames[:3] == [COVER, CONTENTS, NOTES] and len(wb.sheetnames) == 5
    cover = _text(wb[COVER])
    assert OGL_ATTRIBUTION in cover and SYNTHETIC_LABEL in cover.lower() and "1 to 4" in cover
    for mark, meaning in SHORTHAND.items():
        assert f"{mark} = {meaning}" in cover, f"the cover explains {mark}"
    contents = wb[CONTENTS]
    table, = contents.tables.values()
    rows = list(contents[table.ref])
    assert [c.value for c in rows[0]] == ["Sheet name", "Table title", "Chapter", "Rows", "CSV file"]
    assert [c.value for c in rows[1]][:4] == ["03_wards", "Crimes by ward, 2024/25", "Places", 3]
    assert rows[1][0].hyperlink.location == "'03_wards'!A1"
    notes = wb[NOTES]
    note_table, = notes.tables.values()
    assert [[c.value for c in r] for r in notes[note_table.ref]] == [
        ["Note number", "Chapter", "Note text"], ["[note 1]", "Places", "Wards are 2023 boundaries."]]


def test_each_table_is_an_excel_table_with_title_source_and_notes_above_and_nothing_below(workbook: Path) -> None:
    wb = load_workbook(workbook)
    ws = wb["03_wards"]
    assert ws["A1"].value == "Crimes by ward, 2024/25" and ws["A1"].font.bold
    above = [ws.cell(r, 1).value for r in range(2, 7)]
    assert above[0] == "Source: data.police.uk street-level crime." and "[note 1]" in above[2]
    table, = ws.tables.values()
    assert table.ref == "A7:F10", "the table starts straight after the lines above it"
    assert ws.max_row == 10 and ws.max_column == 6, "nothing below or beside the table"
    assert [c.value for c in ws[7]] == ["Ward", "Crimes", "Rate per 1,000", "Last year of the period", "Above limit", "Note"]
    assert not ws.merged_cells.ranges and ws.freeze_panes is None
    for sheet in wb.worksheets:
        assert not sheet.merged_cells.ranges and sheet.freeze_panes is None, sheet.title
    names = [t.name for s in wb.worksheets for t in s.tables.values()]
    assert len(names) == len(set(names)) == 4


def test_numbers_are_numbers_with_a_format_per_column_and_every_blank_has_shorthand(workbook: Path) -> None:
    ws = load_workbook(workbook)["03_wards"]
    crimes, rate, year, flag = ws["B8"], ws["C8"], ws["D8"], ws["E8"]
    assert crimes.value == 1234 and crimes.number_format == "#,##0"
    assert rate.value == 81.25 and rate.number_format == "#,##0.00"
    assert ws["C9"].value == 64.5 and ws["C9"].number_format == "#,##0.00", "fixed decimals for the whole column"
    assert year.value == 2019 and year.number_format == "0", "years are years, not 2,019"
    assert flag.value is True and ws["E9"].value is False, "booleans are booleans, not the strings True/False"
    assert ws["B9"].value == "[c]"
    assert ws["C10"].value == "[x]", "a blank figure is not available"
    assert ws["F8"].value == "[z]", "a blank word is not applicable"


def test_text_that_looks_like_a_formula_is_stored_as_text(workbook: Path) -> None:
    wb = load_workbook(workbook)
    ws = wb["03_wards"]
    for ref, text in (("A8", HOSTILE), ("A9", "+Abbey"), ("F9", "@SUM(A1)"), ("F10", "-1 is not a number here")):
        cell = ws[ref]
        assert cell.value == text and cell.data_type == "s", ref
        assert cell.quotePrefix, f"{ref} carries Excel's quote prefix"
    with zipfile.ZipFile(workbook) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in z.read(n) for n in sheets), "no cell of the workbook is a formula"
    assert all(formula_like(t) for t in ("=1", "+x", "-x", "@x", "\tx", "\rx")) and not formula_like("Abbey")
    assert not formula_like("+1") and not formula_like("-1.5"), "a number is a value, not a formula"


def test_title_and_language_are_set_and_the_bytes_are_reproducible(tmp_path: Path) -> None:
    tables = _tables(tmp_path)
    digests = []
    for name in ("a.xlsx", "b.xlsx"):
        write_workbook(tmp_path / name, tables, report_title="Demo CSP", year="2024/25", synthetic=False,
                       suppression_threshold=5)
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1], "the same tables must give the same workbook bytes"
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.properties.title == "Demo CSP: community safety strategic assessment tables, 2024/25"
    assert wb.properties.language == "en-GB"


def test_sheet_names_are_short_unique_and_legal() -> None:
    wanted = ["01_offences", "01_offences", "Notes", "02_" + "x" * 40, "02_" + "x" * 40, "03_a/b[c]?"]
    names = sheet_names(wanted)
    assert len(names) == len(wanted)
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 for n in names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")
    assert names[0] == "01_offences" and names[1] == "01_offences~2" and names[2] != "Notes"
    assert names[4].endswith("~2") and len(names[4]) == 31


def test_a_ragged_table_is_refused_naming_its_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "01_x__bad.csv"
    bad.write_text("a,b\n1,2\n3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"01_x__bad.csv, line 3: 1 cells for 2 columns"):
        write_workbook(tmp_path / "t.xlsx", [WorkbookTable("01_x", "bad", bad, "Bad", "X")], report_title="D",
                       year="2024/25", synthetic=False, suppression_threshold=5)
    assert not (tmp_path / "t.xlsx").exists(), "nothing half-written"


def test_captions_split_into_title_and_source() -> None:
    assert split_caption("Crimes by ward. Source: police.uk (OGL).") == ("Crimes by ward", "police.uk (OGL)")
    assert split_caption("ASB by month") == ("ASB by month", "")


@pytest.mark.e2e
def test_the_demo_workbook_meets_the_essentials(demo_bundle: Path) -> None:
    wb = load_workbook(demo_bundle / "tables.xlsx")
    assert wb.sheetnames[:3] == [COVER, CONTENTS, NOTES]
    assert wb.properties.language == "en-GB" and wb.properties.title
    general = 0
    for ws in wb.worksheets:
        assert not ws.merged_cells.ranges and ws.freeze_panes is None, ws.title
        if ws.title == COVER:
            continue
        assert len(ws.tables) == 1, f"{ws.title}: one Excel table"
        table = next(iter(ws.tables.values()))
        last = ws[table.ref][-1][0].row
        assert ws.max_row == last, f"{ws.title}: nothing below the table"
        rows = ws[table.ref][1:]
        for column in zip(*rows):
            numbers = any(isinstance(c.value, (int, float)) and not isinstance(c.value, bool) for c in column)
            for cell in column:
                assert cell.value is not None and cell.value != "", f"{ws.title}!{cell.coordinate} is blank"
                assert cell.value not in ("True", "False"), f"{ws.title}!{cell.coordinate}: a boolean as text"
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    general += cell.number_format == "General"
                if numbers and isinstance(cell.value, str):
                    assert not cell.value.replace(",", "").replace(".", "").lstrip("-").isdigit(), (
                        f"{ws.title}!{cell.coordinate}: the number {cell.value!r} is stored as text")
    assert general == 0, "every number has a number format"
