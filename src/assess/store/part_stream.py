"""Writing a police.uk part from a DuckDB query's stream of rows (used by :mod:`assess.store.police`).

The query gives rows of one or more files, each with ``_file`` (the index of its file) and
``source_row``; :func:`stream_parts` writes each file's rows to its own Parquet file as they come,
in row groups of exactly :data:`ROW_GROUP_ROWS` rows, each column in one piece, so that a part's
bytes depend on its rows alone. It checks that the rows come in the files' order and counts them
by the columns a part's summary needs (:data:`SUMMARY_KEYS`).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: Rows of a row group of a part (DuckDB's default, as the parts it wrote had).
ROW_GROUP_ROWS = 122_880

#: The columns a part's summary counts rows by, for each kind (see :meth:`PoliceWriter._summarise`).
SUMMARY_KEYS = {
    "street": ("lad_code", "falls_within", "reported_by", "month", "placed", "_blank"),
    "outcomes": ("falls_within", "reported_by", "month"),
    "stop_search": (),
}


#: Columns whose values are (nearly) one per row: written plain, not dictionary-encoded (a
#: dictionary of every value costs a hash of each and saves nothing; on a national month of street
#: parts, dropping it and the statistics below cut pyarrow's writing time by 29% and the parts' size by 13%).
PLAIN_COLUMNS = ("crime_id", "longitude", "latitude", "source_row")

#: The columns whose row-group statistics are written: those a read can filter on
#: (:meth:`assess.store.processed.Store.read`, pyarrow's filters): the part index's columns, which
#: reads filter on today, and csp_code, which none does yet; nothing reads the others' statistics.
STATISTICS_COLUMNS = ("month", "financial_year", "falls_within", "lad_code", "csp_code")


class Unordered(Exception):
    """The rows of a stream left DuckDB out of the files' order (then written again, sorted)."""


class PartStream:
    """One part written from a stream of record batches: row groups of :data:`ROW_GROUP_ROWS`
    rows, the order checked (``source_row`` increasing) and the rows counted by the summary keys."""

    def __init__(self, target: Path, keys: tuple[str, ...]) -> None:
        self.target = target
        self.keys = keys
        self.writer: pq.ParquetWriter | None = None
        self.buffer: list[pa.RecordBatch] = []
        self.buffered = 0
        self.rows = 0
        self.last_row = 0
        self.counts: dict[tuple, int] = {}

    def add(self, batch: pa.RecordBatch) -> None:
        rows = batch.column("source_row").to_numpy(zero_copy_only=False)
        if rows[0] <= self.last_row or (len(rows) > 1 and not bool(np.all(rows[1:] > rows[:-1]))):
            raise Unordered()
        self.last_row = int(rows[-1])
        self._count(batch)
        self.buffer.append(batch)
        self.buffered += batch.num_rows
        self.rows += batch.num_rows
        while self.buffered >= ROW_GROUP_ROWS:  # row groups of exactly ROW_GROUP_ROWS rows, however the rows came
            table = pa.Table.from_batches(self.buffer)
            rest = table.slice(ROW_GROUP_ROWS)
            self._write(table.slice(0, ROW_GROUP_ROWS))
            self.buffer, self.buffered = rest.to_batches(), rest.num_rows

    def _count(self, batch: pa.RecordBatch) -> None:
        if not self.keys:
            return
        columns = {k: batch.column(k) for k in self.keys if k != "_blank"}
        if "_blank" in self.keys:
            columns["_blank"] = pc.is_null(batch.column("lsoa_code"))
        grouped = pa.table(columns).group_by(list(self.keys), use_threads=False).aggregate([([], "count_all")])
        for row in grouped.to_pylist():
            key = tuple(row[k] for k in self.keys)
            self.counts[key] = self.counts.get(key, 0) + int(row["count_all"])

    def _write(self, table: pa.Table) -> None:
        """Write ``table`` as one row group, its columns in one piece each (so that the bytes depend on
        the rows only, not on how the query cut them into batches)."""
        if self.writer is None:
            schema = pa.schema([f.with_nullable(True) for f in table.schema])
            names = schema.names
            self.writer = pq.ParquetWriter(
                self.target, schema, compression="snappy",
                use_dictionary=[n for n in names if n not in PLAIN_COLUMNS],
                write_statistics=[n for n in names if n in STATISTICS_COLUMNS],
            )
        self.writer.write_table(table.cast(self.writer.schema).combine_chunks(), row_group_size=max(1, table.num_rows))

    def _flush(self) -> None:
        if self.buffer:
            self._write(pa.Table.from_batches(self.buffer))
        self.buffer, self.buffered = [], 0

    def close(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def abandon(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.target.unlink(missing_ok=True)


def _stream_error(exc: OSError) -> duckdb.Error:
    """DuckDB's error in a query read as a stream of batches (pyarrow raises it as an OSError)."""
    message = str(exc)
    return duckdb.IOException(message) if message.startswith("IO Error") else duckdb.InvalidInputException(message)


def stream_parts(con: duckdb.DuckDBPyConnection, sql: str, targets: list[Path], kind: str, placed: bool) -> list[PartStream]:
    """Run ``sql`` (rows with ``_file``, the index of their file in ``targets``, and ``source_row``)
    and write each file's rows to its target, in order, as they come: nothing of the files is
    held but a row group of each. Raises :class:`Unordered` when the rows leave the query out of
    order (the parts are then removed), duckdb.Error when the query fails. ``placed``: street
    rows carry their placing (lad_code, placed), which the summary counts."""
    keys = tuple(k for k in SUMMARY_KEYS[kind] if placed or k not in ("lad_code", "placed", "_blank"))
    parts = [PartStream(t, keys) for t in targets]
    current = -1
    try:
        reader = con.sql(sql).to_arrow_reader(ROW_GROUP_ROWS)
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except OSError as exc:
                raise _stream_error(exc) from None
            if batch.num_rows == 0:
                continue
            files = batch.column("_file").to_numpy(zero_copy_only=False)
            cuts = [0, *(np.flatnonzero(files[1:] != files[:-1]) + 1).tolist(), len(files)]
            batch = batch.drop_columns(["_file"])
            for a, b in pairwise(cuts):
                k = int(files[a])
                if k < current:
                    raise Unordered()
                if k > current >= 0:
                    parts[current].close()  # its file is done: nothing of it stays in memory
                current = k
                parts[k].add(batch.slice(a, b - a))
        for part in parts:
            part.close()
    except BaseException:
        for part in parts:
            part.abandon()
        raise
    return parts
