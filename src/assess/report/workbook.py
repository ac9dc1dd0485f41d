"""``tables.xlsx``: every published table, laid out as the Government Analysis Function's
"Releasing statistics in spreadsheets" guidance asks.

- a **Cover** sheet: what the workbook is, the period, the source and licence, the synthetic-data
  flag, the disclosure rule and what each shorthand means (:data:`assess.report.formats.SHORTHAND`);
- a **Contents** sheet: every table sheet, linked, with its title, chapter and size;
- a **Notes** sheet: the chapters' notes on method and data quality, numbered ``[note 1]`` ...
  and referred to from the tables they bear on;
- one sheet per table: its title in A1, then its source, its notes and how many rows it has, all
  above the table and nothing below; the table itself marked up as an Excel table (a header row
  of the reader's words, :func:`assess.report.words.column_labels`); numbers stored as numbers with
  a number format per column (:mod:`assess.report.formats`: thousands separators, fixed decimals,
  years as years), ``True``/``False`` as booleans, and every cell without a figure given its
  shorthand: ``[c]`` suppressed, ``[x]`` not available (a blank figure), ``[z]`` not applicable
  (a blank word);
- no merged cells, no frozen panes, no colour that carries meaning; the document's title,
  subject and language (en-GB) set.

Text from the inputs is hostile: a cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would be taken by a spreadsheet for a formula (OWASP, "CSV injection"). Every
text cell is written as a string, and one that looks like a formula also with Excel's quote prefix
(:func:`write_text_cell`); the tables come from ``tables/*.csv``, where such a cell was neutralised
with a leading quote (:mod:`assess.report.safe_text`, the one place that says what looks like a
formula), which is taken off again: the quote prefix says the same in the workbook's own terms.

openpyxl, not gptables: the project already depends on it, it writes each of these points
directly (and they are checked by reading the file back, ``tests/test_report_workbook.py``), and
its output goes through :func:`make_reproducible_zip` so that the same tables give the same bytes.
gptables would add XlsxWriter and a second way of writing workbooks for no point it alone meets.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assess import OGL_ATTRIBUTION
from assess.atomic import atomic_path
from assess.report.export import SYNTHETIC_TEXT
from assess.report.formats import SHORTHAND, ColumnFormat, column_format, parse_number
from assess.report.safe_text import formula_text, is_formula_like
from assess.report.words import column_labels

LANGUAGE = "en-GB"
COVER, CONTENTS, NOTES = "Cover", "Contents", "Notes"
NOT_AVAILABLE, NOT_APPLICABLE = "[x]", "[z]"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_TABLE_NAME_BAD = re.compile(r"[^A-Za-z0-9_]")


@dataclass
class WorkbookTable:
    """One published table for the workbook."""

    chapter: str
    name: str
    csv: Path
    caption: str
    chapter_title: str


def sheet_names(wanted: list[str], reserved: tuple[str, ...] = (COVER, CONTENTS, NOTES)) -> list[str]:
    """Excel sheet names for ``wanted`` (in order): at most 31 characters, no ``[]:*?/\\``,
    unique ignoring case (a repeat gets ``~2``, ``~3`` ...), none equal to a ``reserved`` name."""
    used = {r.lower() for r in reserved}
    out: list[str] = []
    for want in wanted:
        base = _SHEET_BAD.sub("_", want).strip("'")[:31] or "table"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            suffix = f"~{n}"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


def table_name(sheet: str, used: set[str]) -> str:
    """An Excel table name (letters, digits, ``_``; starts with a letter; unique in the workbook)."""
    base = "T_" + _TABLE_NAME_BAD.sub("_", sheet)
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base}_{n}"
    used.add(name.lower())
    return name


def write_text_cell(cell: Any, text: str) -> None:
    """Put ``text`` in ``cell`` as a string, never a formula: openpyxl would store a value that
    begins with ``=`` as a formula, so the type is set to string, and a text that looks like a
    formula (:func:`assess.report.safe_text.is_formula_like`) gets the quote prefix. A CSV cell
    neutralised with a leading quote is stored as its own text (:func:`~assess.report.safe_text.formula_text`)."""
    text = formula_text(text)
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True


def split_caption(caption: str) -> tuple[str, str]:
    """``"Crimes by ward, 2024/25. Source: data.police.uk ..."`` -> (title, source)."""
    text = " ".join(caption.split())
    head, sep, source = text.partition(" Source: ")
    if not sep and text.startswith("Source: "):
        return text, text[len("Source: "):]
    return head.rstrip().rstrip("."), source.strip().rstrip(".")


def _read_csv(path: Path) -> list[list[str]]:
    """The rows of a published CSV; a row whose length is not the header's is refused, naming it."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [row for row in csv.reader(fh)]
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise ValueError(
                f"{path.name}, line {line}: {len(row)} cells for {len(rows[0])} columns; "
                "re-run the chapter that wrote it")
    return rows


def _value(text: str) -> Any:
    """A CSV cell as the workbook stores it: a number, a boolean, shorthand or text."""
    if text in ("True", "False"):
        return text == "True"
    number = parse_number(text)
    return text if number is None else number


def _cell(value: Any, fmt: ColumnFormat) -> Any:
    if value == "":
        return NOT_AVAILABLE if fmt.numeric else NOT_APPLICABLE
    return value


@dataclass(frozen=True)
class _Note:
    number: int
    chapter: str
    text: str

    @property
    def ref(self) -> str:
        return f"[note {self.number}]"


def _notes(notes: Mapping[str, Sequence[str]] | None) -> list[_Note]:
    out: list[_Note] = []
    for chapter, texts in (notes or {}).items():
        for text in texts:
            out.append(_Note(len(out) + 1, chapter, " ".join(str(text).split())))
    return out


def _add_table(ws: Any, name: str, first_row: int, rows: int, columns: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    ref = f"A{first_row}:{get_column_letter(columns)}{first_row + rows}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False, showColumnStripes=False)
    ws.add_table(table)


def _write_rows(ws: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], formats: Sequence[ColumnFormat]) -> int:
    """Write a header and rows from the worksheet's next row; returns the header's row number."""
    from openpyxl.styles import Alignment, Font

    start = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for j, label in enumerate(header, start=1):
        cell = ws.cell(start, j)
        write_text_cell(cell, label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows, start=1):
        for j, (value, fmt) in enumerate(zip(row, formats, strict=True), start=1):
            cell = ws.cell(start + i, j)
            if isinstance(value, str):
                write_text_cell(cell, value)
                if fmt.numeric:
                    cell.alignment = Alignment(horizontal="right")
            else:
                cell.value = value
                if not isinstance(value, bool):
                    cell.number_format = fmt.excel
    return start


def _widths(ws: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], formats: Sequence[ColumnFormat]) -> None:
    from openpyxl.utils import get_column_letter

    for j, label in enumerate(header):
        longest = max([len(fmt_text(r[j], formats[j])) for r in rows] + [min(len(label), 24)])
        ws.column_dimensions[get_column_letter(j + 1)].width = min(60, max(10, longest + 2))


def fmt_text(value: Any, fmt: ColumnFormat) -> str:
    return value if isinstance(value, str) else fmt.text(value)


def _heading(ws: Any, row: int, text: str, size: int = 14) -> None:
    from openpyxl.styles import Font

    cell = ws.cell(row, 1)
    write_text_cell(cell, text)
    cell.font = Font(bold=True, size=size)


def _lines(ws: Any, texts: Sequence[str]) -> None:
    for text in texts:
        write_text_cell(ws.cell(ws.max_row + 1, 1), text)


def write_workbook(
    path: Path,
    tables: list[WorkbookTable],
    *,
    report_title: str,
    year: str,
    synthetic: bool,
    suppression_threshold: int,
    notes: dict[str, list[str]] | None = None,
) -> dict[str, str]:
    """Write ``tables.xlsx`` (atomically, reproducible bytes); returns the sheet name of each table
    by its key ``<chapter>__<name>``. ``notes`` are each chapter's notes, by chapter title."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    keys = [f"{t.chapter}__{t.name}" for t in tables]
    short = [(t.chapter[:2] if t.chapter[:2].isdigit() else t.chapter) + "_" + t.name for t in tables]
    by_key = dict(zip(keys, sheet_names(short), strict=True))
    numbered = _notes(notes)
    used_names: set[str] = set()
    title = f"{report_title}: community safety strategic assessment tables, {year}"

    wb = Workbook()
    wb.properties.title = title
    wb.properties.subject = "Community Safety Strategic Assessment" + (" (synthetic demonstration data)" if synthetic else "")
    wb.properties.creator = report_title
    wb.properties.language = LANGUAGE
    wb.properties.keywords = "community safety; crime; anti-social behaviour; official statistics"

    cover = wb.active
    cover.title = COVER
    _heading(cover, 1, title)
    lines = [
        f"These tables accompany the Community Safety Strategic Assessment of {report_title} for {year}: "
        "each is a table of the assessment's chapters, in chapter order.",
    ]
    if synthetic:
        lines.append(SYNTHETIC_TEXT + ".")
    lines += [
        "Source: police recorded crime and anti-social behaviour from data.police.uk, Home Office police "
        "recorded crime, ONS population estimates and the partnership's own data, as each table says.",
        OGL_ATTRIBUTION,
        f"Disclosure control: counts from 1 to {suppression_threshold - 1}, and any figure that would "
        "reveal one, are suppressed.",
        "Shorthand used in the tables, where a cell has no figure:",
        *(f"{mark} = {meaning}" for mark, meaning in SHORTHAND.items()),
        "The Contents sheet lists the tables; the Notes sheet holds the notes the tables refer to as [note 1] and so on.",
        "Each table is also published as CSV in the tables/ folder beside this workbook.",
    ]
    _lines(cover, lines)
    cover.column_dimensions["A"].width = 110

    contents = wb.create_sheet(CONTENTS)
    _heading(contents, 1, "Contents")
    _lines(contents, ["This worksheet contains one table. Each sheet name links to its sheet."])
    header = ["Sheet name", "Table title", "Chapter", "Rows", "CSV file"]
    rows: list[list[Any]] = []
    table_rows: list[list[list[str]]] = []
    for t, key in zip(tables, keys, strict=True):
        data = _read_csv(t.csv)
        table_rows.append(data)
        rows.append([by_key[key], split_caption(t.caption)[0], t.chapter_title, max(0, len(data) - 1), f"tables/{t.csv.name}"])
    formats = [ColumnFormat("text"), ColumnFormat("text"), ColumnFormat("text"), ColumnFormat("integer"), ColumnFormat("text")]
    start = _write_rows(contents, header, rows, formats)
    for i, t_key in enumerate(keys, start=1):
        cell = contents.cell(start + i, 1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{by_key[t_key]}'!A1")
        cell.style = "Hyperlink"
    _add_table(contents, table_name(CONTENTS, used_names), start, len(rows), len(header))
    for col, width in zip("ABCDE", (32, 90, 40, 8, 60), strict=True):
        contents.column_dimensions[col].width = width

    notes_ws = wb.create_sheet(NOTES)
    _heading(notes_ws, 1, "Notes")
    _lines(notes_ws, ["This worksheet contains one table: the notes on method and data quality that the tables refer to."])
    note_rows = [[n.ref, n.chapter, n.text] for n in numbered] or [["[note 1]", "All chapters", "No chapter recorded a note in this run."]]
    start = _write_rows(notes_ws, ["Note number", "Chapter", "Note text"], note_rows, [ColumnFormat("text")] * 3)
    _add_table(notes_ws, table_name(NOTES, used_names), start, len(note_rows), 3)
    for col, width in zip("ABC", (14, 40, 120), strict=True):
        notes_ws.column_dimensions[col].width = width

    for t, key, data in zip(tables, keys, table_rows, strict=True):
        ws = wb.create_sheet(by_key[key])
        caption_title, source = split_caption(t.caption)
        _heading(ws, 1, caption_title, size=12)
        refs = [n.ref for n in numbered if n.chapter == t.chapter_title]
        above = [
            f"Source: {source}." if source else f"Source: the chapter '{t.chapter_title}' of this assessment.",
            f"Chapter: {t.chapter_title}.",
            ("Notes: " + ", ".join(refs) + " (on the Notes sheet).") if refs else "Notes: none for this table.",
            "Cells without a figure: [c] suppressed, [x] not available, [z] not applicable (see the Cover sheet).",
            f"This worksheet contains one table of {max(0, len(data) - 1)} rows.",
        ]
        _lines(ws, above)
        if not data:
            continue
        names, body = data[0], data[1:]
        values = [[_value(v) for v in row] for row in body]
        formats = [column_format(n, [r[j] for r in values]) for j, n in enumerate(names)]
        # a column of words keeps every cell as written: "2024" among "2023/24"s, "999" among channels
        cells = [[_cell(body[i][j] if formats[j].kind == "text" else v, formats[j]) for j, v in enumerate(row)]
                 for i, row in enumerate(values)]
        labels = column_labels(names)
        start = _write_rows(ws, labels, cells, formats)
        if cells:
            _add_table(ws, table_name(by_key[key], used_names), start, len(cells), len(labels))
        _widths(ws, labels, cells, formats)
        ws.cell(1, 1).font = Font(bold=True, size=12)

    with atomic_path(path) as tmp:
        wb.save(tmp)
        make_reproducible_zip(tmp)
    return by_key


_CORE_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def make_reproducible_zip(path: Path) -> None:
    """Rewrite an xlsx with fixed entry times and no creation/modification dates."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, data)
