"""Shared machinery of the readers: checked CSV reading and schema validation.

Every reader reads a published file with :func:`read_csv_checked` (pyarrow's CSV reader on the
fast path; on a parse or encoding error the file is rescanned line by line so that the error
names the exact row) and validates the result with a pandera schema through :func:`validate`,
which turns pandera's failure cases into an :class:`~assess.errors.InputError` naming the file,
the row and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.csv as pacsv

from assess.errors import InputError

UTF8_HINT = "save the file as CSV UTF-8 (in Excel: File > Save As > 'CSV UTF-8 (Comma delimited)')"


@dataclass
class ReadReport:
    """What a reader kept and what it could not use, so that nothing is dropped silently."""

    path: Path
    rows_read: int = 0
    dropped: list[dict] = field(default_factory=list)  # {"row": int, "reason": str}
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_dropped(self) -> int:
        return len(self.dropped)


def _locate_csv_problem(path: Path, n_columns: int, encoding: str = "utf-8") -> InputError | None:
    """Rescan ``path`` with the csv module to find the first undecodable or ragged row."""
    raw = path.read_bytes()
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return InputError(
            path,
            f"the file is not {encoding.upper()} text (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            row=line,
            hint=UTF8_HINT,
        )
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    for record in reader:
        if reader.line_num == 1:
            continue
        if record and len(record) != n_columns:
            last = reader.line_num
            is_last = text.rstrip("\r\n").count("\n") + 1 == last
            where = "the last line is cut off (truncated download?)" if is_last else "a line has the wrong number of fields"
            return InputError(
                path,
                f"{where}: expected {n_columns} fields, found {len(record)}",
                row=last,
                hint="download the file again, or fix the quoting of that line",
            )
    return None


def read_header(path: Path, encoding: str = "utf-8") -> list[str]:
    """The header row of a CSV file (BOM removed, names stripped)."""
    with open(path, "rb") as fh:
        first = fh.readline()
    if not first.strip():
        raise InputError(path, "the file is empty (no header row)", hint="download or export the file again")
    try:
        line = first.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise InputError(path, f"the header is not {encoding.upper()} text", row=1, hint=UTF8_HINT) from None
    return [c.strip() for c in next(csv.reader([line]))]


def check_columns(path: Path, header: Sequence[str], expected: Sequence[str], optional: Sequence[str] = ()) -> None:
    """Raise InputError if ``header`` lacks a column of ``expected`` (naming the closest present one)."""
    present = set(header)
    missing = [c for c in expected if c not in present]
    if missing:
        import difflib

        unexpected = [c for c in header if c not in set(expected) | set(optional)]
        col = missing[0]
        near = difflib.get_close_matches(col, unexpected, n=1, cutoff=0.6)
        problem = f"required column '{col}' is missing"
        if near:
            problem += f" (found '{near[0]}': was it renamed?)"
        raise InputError(
            path,
            problem,
            column=col,
            hint=f"the file must have the publisher's header: {', '.join(expected)}",
        )


def read_csv_checked(
    path: str | Path,
    expected: Sequence[str],
    optional: Sequence[str] = (),
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read a published CSV, every column as text, checking header, encoding and shape.

    Returns a DataFrame of pandas ``string`` columns with the header's names (stripped), and a
    ``source_row`` column holding each record's 1-based line number in the file. Raises
    InputError for an empty file, a missing column, undecodable bytes or a ragged/truncated line.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the file does not exist", hint="check the path, or run `assess demo`")
    if path.stat().st_size == 0:
        raise InputError(path, "the file is empty (0 bytes)", hint="download or export the file again")
    header = read_header(path, encoding)
    check_columns(path, header, expected, optional)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=encoding, column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa_arrow.string() for c in header},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa_arrow.ArrowInvalid, UnicodeDecodeError) as exc:
        located = _locate_csv_problem(path, len(header), encoding)
        if located is not None:
            raise located from None
        raise InputError(path, f"the file cannot be read as CSV ({exc})", hint="check it opens as a CSV") from None
    df = table.to_pandas(types_mapper=lambda t: pd.StringDtype() if t == pa_arrow.string() else None)
    if df.empty:
        raise InputError(path, "the file has a header but no data rows", hint="download or export the file again")
    for c in df.columns:
        df[c] = df[c].str.strip().replace("", pd.NA)
    df["source_row"] = pd.RangeIndex(2, len(df) + 2, dtype="int64")
    return df


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, path: str | Path) -> pd.DataFrame:
    """Validate ``df`` with ``schema``; on failure raise InputError naming the first bad cell.

    The row is the file's line number, taken from the ``source_row`` column when present.
    """
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        column = first.get("column")
        index = first.get("index")
        row = None
        if index is not None and not pd.isna(index) and "source_row" in df.columns and index in df.index:
            row = int(df.loc[index, "source_row"])
        n = len(cases)
        value = first.get("failure_case")
        problem = f"value {value!r} fails check '{first.get('check')}'"
        if n > 1:
            problem += f" ({n} failing cells in all)"
        raise InputError(
            path,
            problem,
            row=row,
            column=None if column is None or pd.isna(column) else str(column),
            hint="correct the value (see data/raw/README.md for what each column must hold)",
        ) from None
