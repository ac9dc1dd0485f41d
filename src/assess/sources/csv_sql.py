"""Reading a published CSV file with DuckDB: streamed, every column as text, checked in SQL.

A :class:`CheckedCsv` is one file and the :class:`TableSpec` of what it must hold. Its SQL reads
the file with DuckDB's CSV reader (explicit columns, all VARCHAR, nothing guessed), cleans every
value as :func:`assess.sources.csv_files.read_csv_checked` does (surrounding whitespace trimmed,
blank -> NULL), types it, and numbers each record with its 1-based line in the file
(``source_row``, header = line 1). :func:`run_checked` runs a query built on that SQL, which aborts
at the first bad cell (``error()`` in a filter), so a valid file is read once, streaming, without
being held in Python.

When the query aborts, the file is examined again, in SQL, to name the first problem exactly as
the pandas readers did (:func:`first_failure`): the file, the line, the column as published and
what the value must be, with the number of failing values. A file DuckDB cannot parse (bad bytes,
ragged or cut-off lines) is rescanned line by line, streaming, by :func:`assess.sources.csv_files.locate_csv_problem`.

Line numbers: DuckDB gives a record's position in the file, not its line. When every record is one
line (the file's newline count, taken by :func:`scan_file`, is one more than its record count),
line = position + 1; otherwise (a quoted value holding a line break, or a blank line) the line on
which each record starts is found by the csv module (:func:`record_lines`) and joined in.

Cleaning cost: trimming every value was the dearest step of a national ingest (about 140 ns a
value), so the pass over a file's bytes that takes its checksum also tells how much cleaning it
needs (:attr:`FileScan.clean_mode`): none but blank -> NULL when the file is printable ASCII with no
space next to a comma, quote or line break (police.uk files as published); trimming only values
that start with a space or control character or end with a space in other printable ASCII files;
exact trimming, value by value, in any other file.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np

from assess.errors import InputError
from assess.sources.csv_files import check_columns, locate_csv_problem, read_header, record_lines

#: The characters pyarrow's ``utf8_trim_whitespace`` trims (the set the pandas readers used).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

#: The message of DuckDB's ``error()`` when a cell fails a check (the query is then examined again).
INVALID = "assess: a value fails its check"
#: ... and when a line has more or fewer fields than the header.
RAGGED = "assess: a line has the wrong number of fields"
#: What DuckDB reads as NULL: nothing a file holds, so that an empty field stays '' and only a
#: field missing from a short line is NULL (see :meth:`CheckedCsv.source`).
_NO_NULL = "\x01assess:no-null:7d3f\x01"

FIX_VALUE = "correct the value (see data/raw/README.md for what each column must hold)"

_CHUNK = 1 << 22  # 4 MiB


def sql_string(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


CleanMode = Literal["exact", "spaces", "none"]


def clean(column: str, mode: CleanMode = "exact") -> str:
    """SQL of a text column trimmed of surrounding whitespace, blank -> NULL (see the module docstring).

    ``mode``: ``exact`` trims every value; ``spaces`` (a plain file) only values that start with a
    space or control character or end with a space; ``none`` (a file where no value can be
    surrounded by whitespace, :attr:`FileScan.untrimmed`) only turns blanks into NULL.
    """
    c = sql_name(column)
    trimmed = f"NULLIF(trim({c}, {sql_string(WHITESPACE)}), '')"
    if mode == "none":
        return f"NULLIF({c}, '')"
    if mode == "spaces":
        return f"CASE WHEN {c} < '!' OR suffix({c}, ' ') THEN {trimmed} ELSE {c} END"
    return trimmed


# --- the bytes of a file ----------------------------------------------------------------------


@dataclass(frozen=True)
class FileScan:
    """What one pass over a file's bytes tells: its SHA-256, size and lines, and how plain it is.

    ``plain``: only printable ASCII, line feeds and CR-LF pairs (no tab, no other control byte, no
    byte above 0x7E), so a value can be surrounded by spaces only. ``untrimmed``: plain, and no
    space next to a comma, a double quote or a line break, so no value is surrounded by whitespace
    (a quoted value holding ", " makes a file not ``untrimmed``: its values are then trimmed).
    """

    sha256: str
    size: int
    newlines: int
    ends_with_newline: bool
    plain: bool
    untrimmed: bool = False

    @property
    def lines(self) -> int:
        """Number of lines (a last line without a line break counts), as the pandas readers counted them."""
        return self.newlines + (0 if self.ends_with_newline or self.size == 0 else 1)

    @property
    def clean_mode(self) -> CleanMode:
        """How values of this file are cleaned (:func:`clean`)."""
        return "none" if self.untrimmed else "spaces" if self.plain else "exact"


def _is_boundary(a: np.ndarray) -> np.ndarray:
    """Bytes that can stand next to a value: comma, double quote, line feed, carriage return."""
    return (a == 44) | (a == 34) | (a == 10) | (a == 13)


def _space_at_boundary(a: np.ndarray, before: int | None) -> tuple[bool, bool]:
    """Whether a space in chunk ``a`` touches a value boundary; and whether its last byte is a space.

    ``before``: the byte ending the previous chunk (None at the start of the file)."""
    spaces = np.flatnonzero(a == 32)
    if spaces.size == 0:
        return False, False
    inner_left = spaces[spaces > 0]
    inner_right = spaces[spaces < len(a) - 1]
    touches = bool(_is_boundary(a[inner_left - 1]).any() or _is_boundary(a[inner_right + 1]).any())
    if spaces[0] == 0 and (before is None or before in (44, 34, 10, 13)):
        touches = True
    return touches, bool(spaces[-1] == len(a) - 1)


def scan_file(path: str | Path) -> FileScan:
    """Read ``path`` once, in 4 MiB chunks, for its :class:`FileScan` (hashing and counting release the GIL)."""
    h = hashlib.sha256()
    size = newlines = control = cr = crlf = 0
    ascii_only, touches, trailing_space = True, False, False
    last = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
            a = np.frombuffer(chunk, dtype=np.uint8)
            nl = int(np.count_nonzero(a == 10))
            newlines += nl
            if ascii_only and not chunk.isascii():
                ascii_only = False
            if ascii_only:
                ctl = int(np.count_nonzero(a < 32)) + int(np.count_nonzero(a == 127))
                control += ctl
                if ctl != nl:
                    cr += int(np.count_nonzero(a == 13))
                    crlf += chunk.count(b"\r\n")
                crlf += int(last == b"\r" and chunk[:1] == b"\n")
                if not touches:
                    if trailing_space and int(a[0]) in (44, 34, 10, 13):
                        touches = True
                    t, trailing_space = _space_at_boundary(a, last[0] if last else None)
                    touches = touches or t
            last = chunk[-1:]
    plain = ascii_only and control == newlines + cr and cr == crlf
    return FileScan(h.hexdigest(), size, newlines, last == b"\n", plain, plain and not touches and not trailing_space)


def open_header(path: Path, expected: Sequence[str], optional: Sequence[str] = (), encoding: str = "utf-8") -> list[str]:
    """The header of a published CSV, checked as :func:`~assess.sources.csv_files.read_csv_checked` checks it."""
    if not path.exists():
        raise InputError(path, "the file does not exist", hint="check the path, or run `assess demo`")
    if path.stat().st_size == 0:
        raise InputError(path, "the file is empty (0 bytes)", hint="download or export the file again")
    header = read_header(path, encoding)
    check_columns(path, header, expected, optional)
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise InputError(path, f"the header names column '{dup}' twice", row=1, column=dup,
                         hint="remove or rename the repeated column")
    return header


# --- what a file must hold --------------------------------------------------------------------

CheckKind = Literal["parse", "schema", "lookup"]


@dataclass(frozen=True)
class Check:
    """One rule a cell must keep, in SQL.

    ``fails`` is SQL that is TRUE where the cell breaks the rule (it may be NULL elsewhere).
    ``problem`` is the message, ``{value}`` standing for the offending value (its Python repr).
    ``kind`` says how the first failure is chosen and counted, as the pandas readers did:

    - ``parse``: a value that cannot be read (a number, a True/False); checks are taken in order,
      the first row failing the first failing check is named, with ``(n rows in all)``;
    - ``schema``: what a value must be (pandera's checks); the earliest row failing any schema
      check is named, the columns taken in order, with ``(n failing values in all)`` counting
      failing cells (``cell`` groups checks of one cell);
    - ``lookup``: a value unknown to a lookup (a crime type): the first row, no count.
    """

    column: str
    fails: str
    problem: str
    kind: CheckKind = "schema"
    hint: str = FIX_VALUE
    value: str | None = None
    cell: str | None = None

    @property
    def value_sql(self) -> str:
        return self.value or sql_name(self.column)

    @property
    def cell_key(self) -> str:
        return self.cell or self.column


@dataclass(frozen=True)
class TableSpec:
    """The columns a kind of file must have and what each value must be.

    ``columns`` maps each published header to the name of its cleaned text in SQL; ``typed`` maps
    an output column to SQL over those names (a text column needs no entry); ``checks`` are taken
    in order; ``labels`` maps a column named in a check to the published header an error shows
    (by default each text column shows its header).
    """

    columns: Mapping[str, str]
    typed: Mapping[str, str] = field(default_factory=dict)
    checks: Sequence[Check] = ()
    extra_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def labels(self) -> dict[str, str]:
        return {**{text: header for header, text in self.columns.items()}, **self.extra_labels}

    def extended(self, *, typed: Mapping[str, str] | None = None, checks: Sequence[Check] = ()) -> TableSpec:
        """This spec with more typed columns and more checks (taken after its own)."""
        return TableSpec(self.columns, {**self.typed, **(typed or {})}, [*self.checks, *checks], self.extra_labels)


class CheckedCsv:
    """One published CSV file and its :class:`TableSpec`: the SQL that reads, cleans and types it."""

    def __init__(self, path: str | Path, spec: TableSpec, *, scan: FileScan | None = None, encoding: str = "utf-8") -> None:
        self.path = Path(path)
        self.spec = spec
        self.encoding = encoding
        self.header = open_header(self.path, list(spec.columns), encoding=encoding)
        self.scan = scan or scan_file(self.path)

    @property
    def extra_columns(self) -> list[str]:
        """Columns of the file that the spec does not read (reported, not kept)."""
        return [c for c in self.header if c not in self.spec.columns]

    def source(self, batch: Sequence[CheckedCsv] = ()) -> str:
        """DuckDB's read of the file: one VARCHAR column ``c<i>`` per header column, nothing guessed.

        One column more than the header is read, short lines padded with NULL, and no text read
        as NULL: a line with too many fields fills the extra column (DuckDB would otherwise drop
        a trailing empty field silently) and a short line leaves the last one NULL, which
        :meth:`relation` marks ``_ragged``. ``batch``: read these files (of this file's header,
        this one among them) one after another in one scan instead (:meth:`relation`).
        """
        cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.header) + 1))
        files = sql_string(str(self.path)) if not batch else "[" + ", ".join(sql_string(str(f.path)) for f in batch) + "]"
        return (
            f"read_csv({files}, columns={{{cols}}}, header=true, auto_detect=false, "
            f"delim=',', quote='\"', escape='\"', encoding={sql_string(self.encoding)}, strict_mode=true, "
            f"null_padding=true, nullstr={sql_string(_NO_NULL)}, allow_quoted_nulls=false, parallel=false)"
        )

    def relation(self, *, exact: bool, line_map: str | None = None, batch: Sequence[CheckedCsv] = ()) -> str:
        """SQL of the typed rows with ``source_row`` and ``_file``, unchecked.

        ``exact``: trim every value (else as :attr:`FileScan.clean_mode` allows). ``line_map``
        names a table (ordinal, line) giving each record's line; without it, line = position + 1
        (every record one line). ``batch``: the rows of these files (of one header, encoding and cleaning),
        ``_file`` being the index of a row's file in it (0 for a single file), each file's lines
        numbered on the assumption that every record of every file is one line: the caller checks
        that each file gave ``scan.lines - 1`` rows (:meth:`expected_rows`), else the numbers are wrong.
        """
        position = {h: i for i, h in enumerate(self.header)}
        text = ", ".join(
            f"{clean(f'c{position[h]}', 'exact' if exact else self.scan.clean_mode)} AS {sql_name(name)}"
            for h, name in self.spec.columns.items()
        )
        n = len(self.header)
        ragged = f"c{n} IS NOT NULL OR c{n - 1} IS NULL"
        file = "file_index::BIGINT" if batch else "0::BIGINT"
        rows = f"SELECT {text}, {ragged} AS _ragged, {file} AS _file, row_number() OVER () AS _ordinal FROM {self.source(batch)}"
        if batch:
            starts, start = [], 0
            for f in batch:
                starts.append(start)
                start += f.expected_rows
            listed = "[" + ", ".join(str(s) for s in starts) + "]"
            numbered = f"SELECT *, _ordinal - {listed}[_file + 1] + 1 AS source_row FROM ({rows})"
        elif line_map is None:
            numbered = f"SELECT *, _ordinal + 1 AS source_row FROM ({rows})"
        else:
            numbered = f"SELECT r.*, m.line AS source_row FROM ({rows}) r JOIN {line_map} m ON m.ordinal = r._ordinal"
        typed = ", ".join(f"{sql} AS {sql_name(col)}" for col, sql in self.spec.typed.items())
        return f"SELECT *{', ' + typed if typed else ''} FROM ({numbered})"

    @property
    def expected_rows(self) -> int:
        """The records the file holds if every record is one line (a header, no blank line)."""
        return self.scan.lines - 1

    def checked(self, *, exact: bool, line_map: str | None = None, batch: Sequence[CheckedCsv] = ()) -> str:
        """:meth:`relation` with every check: the query fails with :data:`RAGGED` at a line of the
        wrong shape, with :data:`INVALID` at a bad cell."""
        rel = self.relation(exact=exact, line_map=line_map, batch=batch)
        bad = " OR ".join(f"coalesce({c.fails}, false)" for c in self.spec.checks) or "false"
        return (
            f"SELECT * FROM ({rel}) WHERE CASE WHEN _ragged THEN error({sql_string(RAGGED)}) "
            f"WHEN {bad} THEN error({sql_string(INVALID)}) ELSE true END"
        )


def connect(*, threads: int = 1, memory_limit: str = "512MB", temp_directory: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection for reading files: its own threads, memory limit and spill folder."""
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
    if temp_directory is not None:
        con.execute(f"SET temp_directory = {sql_string(str(temp_directory))}")
    return con


def run_checked(
    con: duckdb.DuckDBPyConnection,
    csv_file: CheckedCsv,
    build: Callable[[str, bool], str],
    run: Callable[[str], int],
) -> int:
    """Run ``run(build(checked rows SQL, mapped))`` and return the number of rows it read.

    ``build`` wraps the checked rows (joins, derived columns, an ORDER BY); ``mapped`` is True when
    the rows' lines come from the csv module (records span lines), whose join does not keep the
    file's order: ``build`` must then order by ``source_row``. ``run`` executes the SQL (a COPY to
    Parquet, or a fetch) and returns its row count. Raises InputError, naming the file, line and
    column, for a file that cannot be read or a cell that fails a check.
    """
    path, scan = csv_file.path, csv_file.scan
    try:
        rows = run(build(csv_file.checked(exact=False), False))
    except duckdb.Error as exc:
        raise diagnose(con, csv_file, exc) from None
    if rows == 0:
        raise InputError(path, "the file has a header but no data rows", hint="download or export the file again")
    if rows == scan.lines - 1:
        return rows
    # a record spans lines, or there are blank lines: number each record by the line it starts on
    lines = record_lines(path, csv_file.encoding)
    if len(lines) != rows:
        raise InputError(
            path,
            f"the CSV parsers disagree on the number of records ({rows} vs {len(lines)}), so rows cannot be named",
            hint="check the quoting of the file (an unbalanced double quote?) or download it again",
        )
    name = _register_lines(con, lines)
    try:
        return run(build(csv_file.checked(exact=True, line_map=name), True))
    except duckdb.Error as exc:
        raise diagnose(con, csv_file, exc, line_map=name) from None
    finally:
        con.unregister(name)


def _register_lines(con: duckdb.DuckDBPyConnection, lines: np.ndarray) -> str:
    import pyarrow as pa

    name = f"_lines_{uuid.uuid4().hex}"
    con.register(name, pa.table({"ordinal": np.arange(1, len(lines) + 1, dtype=np.int64), "line": lines}))
    return name


def diagnose(
    con: duckdb.DuckDBPyConnection, csv_file: CheckedCsv, exc: duckdb.Error, *, line_map: str | None = None
) -> InputError:
    """The InputError for a query on ``csv_file`` that failed with ``exc``."""
    path = csv_file.path
    if INVALID in str(exc) and RAGGED not in str(exc):
        try:
            if line_map is None:
                rows = con.execute(f"SELECT count(*) FILTER (WHERE NOT _ragged), count(*) FROM ({csv_file.relation(exact=True)})").fetchall()[0]
                if rows[0] != rows[1]:
                    raise duckdb.InvalidInputException(RAGGED)
                rows = rows[1]
                if rows != csv_file.scan.lines - 1:
                    lines = record_lines(path, csv_file.encoding)
                    line_map = _register_lines(con, lines)
            found = first_failure(con, csv_file.relation(exact=True, line_map=line_map), csv_file.spec, path)
        except duckdb.Error as again:  # a later line cannot be parsed: that is the first problem
            exc = again
        else:
            if found is not None:
                return found
            return InputError(path, "a value fails a check that could not be located", hint=FIX_VALUE)
    located = locate_csv_problem(path, len(csv_file.header), csv_file.encoding)
    if located is not None:
        return located
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputError(path, f"the file cannot be read as CSV ({detail})", hint="check it opens as a CSV")


def first_failure(con: duckdb.DuckDBPyConnection, relation: str, spec: TableSpec, path: Path) -> InputError | None:
    """The first failing cell of ``relation`` by the rules of :class:`Check`, as an InputError (None: all pass)."""
    checks = list(spec.checks)
    if not checks:
        return None
    labels = spec.labels
    flags = ", ".join(f"coalesce({c.fails}, false) AS _f{i}" for i, c in enumerate(checks))
    base = f"SELECT source_row, {flags} FROM ({relation})"
    schema = [i for i, c in enumerate(checks) if c.kind == "schema"]
    cells: dict[str, list[int]] = {}
    for i in schema:
        cells.setdefault(checks[i].cell_key, []).append(i)
    aggregates = [f"count(*) FILTER (WHERE _f{i})" for i in range(len(checks))]
    aggregates += [f"min(source_row) FILTER (WHERE _f{i})" for i in range(len(checks))]
    if schema:
        any_schema = " OR ".join(f"_f{i}" for i in schema)
        per_cell = " + ".join("(" + " OR ".join(f"_f{i}" for i in ids) + ")::BIGINT" for ids in cells.values())
        aggregates += [f"min(source_row) FILTER (WHERE {any_schema})", f"coalesce(sum({per_cell}), 0)"]
    result = con.execute(f"SELECT {', '.join(aggregates)} FROM ({base})").fetchall()[0]
    counts, first_rows = result[: len(checks)], result[len(checks): 2 * len(checks)]

    def value_at(check: Check, row: int) -> object:
        got = con.execute(f"SELECT {check.value_sql} FROM ({relation}) WHERE source_row = ?", [row]).fetchall()
        return got[0][0] if got else None

    def error(check: Check, row: int, suffix: str) -> InputError:
        message = check.problem.format(value=repr(value_at(check, row))) + suffix
        return InputError(path, message, row=int(row), column=labels.get(check.column, check.column), hint=check.hint)

    for i, c in enumerate(checks):
        if c.kind == "parse" and counts[i]:
            return error(c, first_rows[i], f" ({counts[i]} rows in all)" if counts[i] > 1 else "")
    if schema and result[2 * len(checks)] is not None:
        row, n = result[2 * len(checks)], result[2 * len(checks) + 1]
        failing = con.execute(
            f"SELECT {', '.join(f'_f{i}' for i in schema)} FROM ({base}) WHERE source_row = ?", [row]
        ).fetchall()[0]
        c = checks[next(i for i, f in zip(schema, failing) if f)]
        return error(c, row, f" ({n} failing values in all)" if n > 1 else "")
    for i, c in enumerate(checks):
        if c.kind == "lookup" and counts[i]:
            return error(c, first_rows[i], "")
    return None


def fetch_arrow(con: duckdb.DuckDBPyConnection, sql: str):
    """The result of ``sql`` as a pyarrow Table."""
    return con.sql(sql).to_arrow_table()


__all__ = [
    "INVALID", "WHITESPACE", "Check", "CheckedCsv", "FileScan", "TableSpec", "clean", "connect", "diagnose",
    "fetch_arrow", "first_failure", "open_header", "record_lines", "run_checked", "scan_file",
    "sql_name", "sql_string",
]
