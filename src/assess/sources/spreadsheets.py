"""Reading published spreadsheets (.xls, .xlsx, .xlsm, .ods) sheet by sheet, row by row.

Every workbook is read with python-calamine (the Rust ``calamine`` reader): one reader for the
Excel 97-2003 ``.xls`` (BIFF8) that ONS and MHCLG still publish, the ``.xlsx``/``.xlsm`` of Excel
and the ``.ods`` of the Home Office. The format is told from the file's content, not its name, so
a workbook saved under the wrong suffix still opens.

Publishers put titles, notes and blank rows around their tables and move headers between
editions, so readers look for a header by its content (:func:`normalise_label`) in the rows
:func:`iter_sheets` (or :func:`sheet_rows`) yields, with the worksheet's own 1-based row numbers,
and build a frame of text cells (:func:`text_frame`); an error names the sheet (:func:`in_sheet`).
A missing, empty, damaged or non-spreadsheet file is an InputError naming the file (and sheet).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa_arrow
import python_calamine

from assess.errors import InputError
from assess.sources.csv_files import clean_strings
from assess.sources.validation import STRING

#: Suffixes of the workbooks :func:`iter_sheets` reads.
WORKBOOK_SUFFIXES = (".ods", ".xlsx", ".xlsm", ".xls")

#: A row as :func:`iter_sheets` gives it: (1-based row number, cells from column A).
Row = tuple[int, tuple[object, ...]]

_WHAT = {
    ".ods": ("an OpenDocument spreadsheet (.ods)", "save it as 'ODF Spreadsheet (.ods)'"),
    ".xlsx": ("an Excel .xlsx workbook", "save it from Excel as 'Excel Workbook (*.xlsx)'"),
    ".xlsm": ("an Excel .xlsm workbook", "save it from Excel as 'Excel Workbook (*.xlsx)'"),
    ".xls": ("an Excel 97-2003 .xls workbook", "save it from Excel as 'Excel Workbook (*.xlsx)'"),
}


def open_workbook(path: str | Path) -> python_calamine.CalamineWorkbook:
    """Open a workbook (.xls, .xlsx, .xlsm or .ods, told by content) for reading values.

    Raises InputError naming the file when it is missing, empty, or not a readable workbook
    (a text file saved with a spreadsheet's suffix, a truncated download, a damaged archive).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the file does not exist", hint="check the path, or run `assess demo`")
    if path.stat().st_size == 0:
        raise InputError(path, "the file is empty (0 bytes)", hint="download the file again")
    what, fix = _WHAT.get(path.suffix.lower(), ("a spreadsheet (.xls, .xlsx or .ods)", "save it as .xlsx"))
    data = path.read_bytes()
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.CalamineError as exc:
        if "Cannot detect file format" in str(exc) and data[:2] == b"PK":
            try:  # an ODS without META-INF/manifest.xml is told from its suffix only
                return python_calamine.CalamineWorkbook.from_path(path)
            except (python_calamine.CalamineError, OSError, ValueError):
                pass
        raise InputError(
            path, f"the file is not {what}, or it is damaged ({exc})", hint=f"download it again, or {fix}"
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(
            path, f"the file is not {what}, or it is damaged ({exc})", hint=f"download it again, or {fix}"
        ) from None


def worksheet(path: Path, workbook: python_calamine.CalamineWorkbook, sheet: str) -> python_calamine.CalamineSheet:
    """The named worksheet, or InputError listing the sheets the workbook has (or saying it is damaged)."""
    if sheet not in workbook.sheet_names:
        raise InputError(
            path,
            f"the workbook has no sheet '{sheet}' (its sheets: {', '.join(workbook.sheet_names)})",
            hint="use the file as published, or name the sheet that holds the table",
        )
    try:
        return workbook.get_sheet_by_name(sheet)
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise InputError(
            path, f"sheet '{sheet}' cannot be read: the workbook is damaged ({exc})", hint="download the file again"
        ) from None


def is_blank(value: object) -> bool:
    """True for an empty spreadsheet/CSV cell (None, NaN or only whitespace)."""
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def normalise_label(value: object) -> str:
    """A header cell as comparable text: stripped, lower-case, runs of whitespace as one space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\ufeff", "").split()).lower()


# ---------------------------------------------------------------------------------------------
# Workbooks read sheet by sheet, row by row


def _rows(sheet: python_calamine.CalamineSheet, limit: int | None = None) -> list[Row]:
    """The non-blank rows of a sheet as ``(row number, values)``: values from column A, empty
    cells as None, trailing empty cells dropped; at most the first ``limit`` rows are looked at."""
    grid = sheet.to_python(skip_empty_area=False, nrows=limit) if limit else sheet.to_python(skip_empty_area=False)
    out: list[Row] = []
    for number, cells in enumerate(grid, 1):
        values = [None if v == "" else v for v in cells]
        while values and values[-1] is None:
            values.pop()
        if values:
            out.append((number, tuple(values)))
    return out


class Workbook:
    """An open workbook (.xls, .xlsx, .xlsm, .ods): its sheet names, and each sheet's rows when asked.

    ``Workbook(path)`` opens the file once (InputError naming it when it cannot); :meth:`rows`
    reads one sheet, :meth:`heads` the first rows of every sheet (to find headers by content).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._book = open_workbook(self.path)

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def rows(self, sheet: str, limit: int | None = None) -> list[Row]:
        """The non-blank rows of ``sheet`` as ``(row number, values)`` (the first ``limit`` rows only)."""
        return _rows(worksheet(self.path, self._book, sheet), limit)

    def heads(self, limit: int) -> dict[str, list[Row]]:
        """The non-blank rows among the first ``limit`` rows of every sheet, by sheet name."""
        return {name: self.rows(name, limit) for name in self.sheet_names}


def sheet_names(path: str | Path) -> list[str]:
    """The names of a workbook's sheets, in workbook order (InputError for an unreadable file)."""
    return Workbook(path).sheet_names


def sheet_rows(path: str | Path, sheet: str, *, limit: int | None = None) -> list[Row]:
    """The non-blank rows of one sheet, ``(row number, values)`` as :func:`iter_sheets` gives them.

    ``limit`` reads only the first rows (to look for a header). InputError names the file and
    the sheet when the workbook or the sheet cannot be read, or has no such sheet.
    """
    return Workbook(path).rows(sheet, limit)


def iter_sheets(path: str | Path, *, limit: int | None = None) -> Iterator[tuple[str, Iterator[Row]]]:
    """Each sheet of a workbook (.xls, .xlsx, .xlsm, .ods), in workbook order, as ``(name, rows)``.

    ``rows`` iterates over the sheet's non-blank rows as ``(row number, values)``: the row number
    is the sheet's own (1-based, as the spreadsheet shows it), ``values`` the cells from column A
    (numbers as int/float, text as str, dates as ``datetime``, empty cells as None, trailing
    empty cells dropped). ``limit`` reads only each sheet's first rows. A sheet is read when its
    turn comes. Raises InputError naming the file (and sheet) for a missing, empty or unreadable
    workbook.
    """
    book = Workbook(path)
    for name in book.sheet_names:
        yield name, iter(book.rows(name, limit))


def sheet_heads(path: str | Path, limit: int = 50) -> dict[str, list[Row]] | None:
    """The first ``limit`` rows of every sheet of a workbook, or None when it cannot be read
    (for telling what a file holds without failing on a file that is not a workbook)."""
    try:
        return Workbook(path).heads(limit)
    except InputError:
        return None


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a CSV export would hold: whole numbers without ``.0``
    (``56.0`` -> ``"56"``), other numbers as written (``3.5``), dates in ISO 8601, empty -> None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def text_frame(header: Sequence[str], rows: Sequence[Sequence[object]], row_numbers: Sequence[int]) -> pd.DataFrame:
    """A frame of pandas ``string`` columns named ``header`` from spreadsheet rows, cleaned as
    :func:`read_csv_checked` cleans a CSV (values stripped, blank -> null), with ``source_row``."""
    width = len(header)
    padded = [tuple(r[:width]) + (None,) * (width - len(r)) if len(r) != width else r for r in rows]
    columns = list(zip(*padded)) if padded else [() for _ in header]
    table = pa_arrow.table(
        {name: clean_strings(pa_arrow.chunked_array([pa_arrow.array([cell_text(v) for v in col], pa_arrow.string())]))
         for name, col in zip(header, columns)}
    )
    df = table.to_pandas(types_mapper=lambda t: STRING if t == pa_arrow.string() else None)
    df["source_row"] = np.asarray(row_numbers, dtype="int64")
    return df


def in_sheet(error: InputError, sheet: str) -> InputError:
    """``error`` with the sheet named in its message (the row is the sheet's own row number)."""
    return InputError(error.path, f"sheet '{sheet}': {error.problem}", row=error.row, column=error.column, hint=error.hint)
