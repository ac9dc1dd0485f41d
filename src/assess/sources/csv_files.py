"""Reading published CSV files: checked, fast, and naming the exact line of any problem.

:func:`read_csv_checked` reads with pyarrow's CSV reader on the fast path; on a parse or encoding
error the file is rescanned line by line (the csv module) so that the error names the exact row.
Rows are 1-based line numbers in the file, the header being line 1 (``source_row``).

Headers of data.police.uk and Home Office files must be spelled exactly as published (case
included): a hand-edited header is refused with a hint naming the near match
(:func:`check_columns`). ONS headers carry year suffixes and vary in case, so those readers match
them by pattern (:func:`resolve_columns`).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
from array import array
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa_arrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from assess.errors import InputError
from assess.file_checks import MAX_LINE_BYTES, check_text_file
from assess.sources.validation import STRING

UTF8_HINT = "save the file as CSV UTF-8 (in Excel: File > Save As > 'CSV UTF-8 (Comma delimited)')"




def snake_case(name: str) -> str:
    """A published column name as a snake_case identifier: ``"Self-defined ethnicity"`` -> ``"self_defined_ethnicity"``."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


#: Bytes read at a time when a file is scanned line by line (memory stays bounded by it).
_CHUNK = 1 << 20


def _scan_bytes(path: Path, encoding: str) -> tuple[InputError | None, int]:
    """One pass over the file's bytes, a chunk at a time: the error for the first byte that is not
    ``encoding`` text (None if all are), and the last line that holds anything but line breaks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    last_content = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            pending = decoder.getstate()[0] if hasattr(decoder, "getstate") else b""
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = max(0, exc.start - len(pending))
                data = pending + chunk
                return InputError(
                    path,
                    f"the file is not {encoding.upper()} text (byte 0x{data[exc.start]:02x} cannot be decoded;"
                    " was it saved from Excel as 'CSV' rather than 'CSV UTF-8'?)",
                    row=newlines + chunk[:at].count(b"\n") + 1,
                    hint=UTF8_HINT,
                ), 0
            stripped = chunk.rstrip(b"\r\n")
            if stripped:
                last_content = newlines + stripped.count(b"\n") + 1
            newlines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return InputError(path, f"the file is not {encoding.upper()} text (it ends inside a character)",
                          row=newlines + 1, hint=UTF8_HINT), 0
    return None, last_content


def _records(path: Path, encoding: str) -> Iterator[tuple[int, int, list[str]]]:
    """``(first line, last line, fields)`` of every CSV record after the header, read as a stream.

    Raises InputError naming the line when the csv module cannot read a record (a field longer
    than its limit, a stray quote), instead of letting ``_csv.Error`` through.
    """
    with open(path, encoding=encoding, newline="") as fh:
        first = fh.read(1)
        if first != "\ufeff":
            fh.seek(0)
        reader = csv.reader(fh)
        start, header = 1, True
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(path, f"the line cannot be read as CSV ({exc})", row=start,
                                 hint="fix the quoting of that line, or download the file again") from None
            line, start = start, reader.line_num + 1
            if header:
                header = False
                continue
            yield line, reader.line_num, record


def first_undecodable(path: Path, encoding: str = "utf-8") -> InputError | None:
    """The error naming the line of the first byte of ``path`` that is not ``encoding`` text (None
    when every byte is), read as a stream."""
    return _scan_bytes(Path(path), encoding)[0]


def locate_csv_problem(path: Path, n_columns: int, encoding: str = "utf-8") -> InputError | None:
    """Rescan ``path`` as a stream to find the first undecodable, unreadable or ragged row."""
    undecodable, last_line = _scan_bytes(path, encoding)
    if undecodable is not None:
        return undecodable
    try:
        for line, end, record in _records(path, encoding):
            if record and len(record) != n_columns:
                is_last = end >= last_line
                where = "the last line is cut off (truncated download?)" if is_last else "a line has the wrong number of fields"
                return InputError(
                    path,
                    f"{where}: expected {n_columns} fields, found {len(record)}",
                    row=line,
                    hint="download the file again, or fix the quoting of that line",
                )
    except InputError as exc:
        return exc
    return None


def _count_lines(path: Path) -> int:
    """Number of lines in a file (a last line without a line break counts), read in 16 MiB chunks."""
    lines = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (0 if last == b"\n" else 1)


def record_lines(path: Path, encoding: str = "utf-8") -> np.ndarray:
    """The 1-based line on which each data record of a CSV file starts (header excluded).

    Used only when records and lines differ (quoted line breaks, blank lines), so that
    ``source_row`` is always the true line number. Blank lines are not records. Read as a stream.
    """
    lines = array("q", (line for line, _end, record in _records(path, encoding) if record))
    return np.frombuffer(lines, dtype="int64") if lines else np.zeros(0, dtype="int64")


def read_header(path: Path, encoding: str = "utf-8") -> list[str]:
    """The header row of a CSV file (BOM removed, names stripped).

    The file is checked first (:func:`assess.file_checks.check_text_file`: present, not
    empty, not too large, text, a first line of at most 1 MiB): a binary file named like a CSV
    fails here, having read 64 KiB of it.
    """
    path = Path(path)
    check_text_file(path, what="CSV")
    with open(path, "rb") as fh:
        first = fh.readline(MAX_LINE_BYTES)
    if not first.strip():
        raise InputError(path, "the file is empty or its first line is blank (no header row)", hint="download or export the file again")
    try:
        line = first.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise InputError(path, f"the header is not {encoding.upper()} text", row=1, hint=UTF8_HINT) from None
    line = line.splitlines()[0] if line.strip() else line  # old Mac files end lines with CR only
    try:
        return [c.strip() for c in next(csv.reader([line]))]
    except csv.Error as exc:
        raise InputError(path, f"the header cannot be read as CSV ({exc})", row=1, hint="check it opens as a CSV") from None


def check_columns(path: Path, header: Sequence[str], expected: Sequence[str], optional: Sequence[str] = ()) -> None:
    """Raise InputError if ``header`` lacks a column of ``expected`` (naming the closest present one).

    Names are compared exactly (case included): publishers' headers are fixed, and a changed
    header usually means the file was edited by hand.
    """
    present = set(header)
    missing = [c for c in expected if c not in present]
    if missing:
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
            hint=f"the file must have the publisher's header, spelled exactly: {', '.join(expected)}",
        )


def clean_strings(column: pa_arrow.ChunkedArray) -> pa_arrow.ChunkedArray:
    """Trim surrounding whitespace; an empty (or all-blank) value becomes null."""
    trimmed = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(trimmed, ""), pa_arrow.scalar(None, pa_arrow.string()), trimmed)


def read_csv_checked(
    path: str | Path,
    expected: Sequence[str],
    optional: Sequence[str] = (),
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read a published CSV, every column as text, checking header, encoding and shape.

    Returns a DataFrame of pandas ``string`` columns with the header's names (stripped; values
    stripped of surrounding blanks, blank values null), and a ``source_row`` column holding each
    record's 1-based line number in the file. Raises InputError for a missing file, an empty
    file, a header without rows, a missing column, undecodable bytes or a ragged/truncated line.
    """
    path = Path(path)
    header = read_header(path, encoding)  # checks the file is there, text, and not too large
    check_columns(path, header, expected, optional)
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise InputError(path, f"the header names column '{dup}' twice", row=1, column=dup,
                         hint="remove or rename the repeated column")
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=encoding, column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa_arrow.string() for c in header},
                strings_can_be_null=True,
                null_values=[""],  # only an empty field is missing: "NA" or "null" may be real values
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa_arrow.ArrowInvalid, UnicodeDecodeError) as exc:
        located = locate_csv_problem(path, len(header), encoding)
        if located is not None:
            raise located from None
        raise InputError(path, f"the file cannot be read as CSV ({exc})", hint="check it opens as a CSV") from None
    if table.num_rows == 0:
        raise InputError(path, "the file has a header but no data rows", hint="download or export the file again")
    table = pa_arrow.table({c: clean_strings(table.column(c)) for c in header})
    df = table.to_pandas(types_mapper=lambda t: STRING if t == pa_arrow.string() else None)
    # One record per line unless a value holds a line break or a line is blank: then count lines.
    if _count_lines(path) == len(df) + 1:
        df["source_row"] = pd.RangeIndex(2, len(df) + 2, dtype="int64")
    else:
        lines = record_lines(path, encoding)
        if len(lines) != len(df):
            raise InputError(
                path,
                f"the CSV parsers disagree on the number of records ({len(df)} vs {len(lines)}), so rows cannot be named",
                hint="check the quoting of the file (an unbalanced double quote?) or download it again",
            )
        df["source_row"] = lines
    return df


def _example(pattern: str) -> str:
    """A readable example of a header pattern: ``lsoa\\d{2}cd`` -> ``LSOAyyCD``."""
    return re.sub(r"\\d\{2\}", "yy", pattern).upper().replace("YY", "yy")


def resolve_columns(
    path: Path,
    header: Sequence[str],
    roles: Mapping[str, str],
    *,
    optional: Sequence[str] = (),
) -> dict[str, str]:
    """Match each role to the one header name that fully matches its regex (case-insensitive).

    ``roles`` maps an output column (``"lsoa_code"``) to a pattern (``r"lsoa\\d{2}cd"``). Returns
    ``{role: header name}``; roles listed in ``optional`` may be absent. Raises InputError naming
    the role's pattern when no column or more than one column matches.
    """
    found: dict[str, str] = {}
    for role, pattern in roles.items():
        rx = re.compile(pattern, re.IGNORECASE)
        hits = [h for h in header if rx.fullmatch(h.strip().lstrip("\ufeff"))]
        if len(hits) > 1:
            raise InputError(
                path,
                f"more than one column could be the {role.replace('_', ' ')}: {', '.join(hits)}",
                row=1,
                column=hits[1],
                hint="keep one of them (the lookup should carry a single year's codes)",
            )
        if not hits:
            if role in optional:
                continue
            near = difflib.get_close_matches(pattern.replace("\\d{2}", "17"), list(header), n=1, cutoff=0.5)
            problem = f"no column for the {role.replace('_', ' ')} (a header like '{_example(pattern)}', yy being any year)"
            if near:
                problem += f"; found '{near[0]}'"
            raise InputError(
                path,
                problem,
                row=1,
                hint=f"use the ONS file as published; its header is {', '.join(header)[:200]}",
            )
        found[role] = hits[0]
    return found


