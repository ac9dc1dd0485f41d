"""The police.uk tables of the store, written file by file with DuckDB: street, outcomes, stop and search.

Each raw police.uk file becomes one Parquet *part* of its table, written by one streaming DuckDB
query (:class:`PoliceWriter`): the file is read and checked by its
:class:`~assess.sources.csv_sql.TableSpec` (:mod:`assess.sources.police_uk`), its street records
get their harmonised category (a CASE built from :mod:`assess.store.harmonise`) and their ward,
local authority and CSP by a join with the ONS lookups, and the rows are written in file order.
Nothing of the file is held in Python. Files are written two at a time (one DuckDB connection of one
thread each; DuckDB releases the GIL).

A part is keyed on the raw file's SHA-256, the lookups' checksums and this code's version
(:func:`part_key`): an ingest whose inputs are otherwise unchanged reuses every other part of the
previous version, so adding a month reads only that month's files.

What the whole table needs from its parts is computed from them without reading them into Python:
the rows that could not be placed, the months each force's files hold (from each part's summary)
and the Crime IDs that occur more than once (:func:`duplicate_ids`, one DuckDB query over every
part's ``crime_id``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

import assess
from assess.errors import InputError
from assess.periods import financial_year_of
from assess.sources import police_uk
from assess.sources.csv_sql import (
    Check,
    CheckedCsv,
    FileScan,
    TableSpec,
    connect,
    run_checked,
    sql_name,
    sql_string,
)
from assess.store.harmonise import (
    ASB,
    POLICE_UK_CATEGORIES,
    UNPLACED_REASON_SQL,
    category_id,
    category_lookup,
    place_sql,
    unknown_category_hint,
)
from assess.store.processed import sha256_file

#: Bump when what a part holds changes (its columns, their meaning, the checks).
PART_FORMAT = 1

#: The table of each kind of police.uk file.
#: (also the name of the reader's kind in :mod:`assess.sources.police_uk`)
TABLE_OF_POLICE_KIND = {"police_street": "street", "police_outcomes": "outcomes", "police_stop_search": "stop_search"}


def part_key(kind: str, raw_sha256: str, lookups: str | None) -> str:
    """What a part depends on: the raw file, the lookups that place it, this code's version."""
    text = f"{kind}|{raw_sha256}|{lookups or '-'}|{PART_FORMAT}|{assess.__version__}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Part:
    """One raw police.uk file written as a part: what the manifest records of it."""

    input: str
    kind: str
    source_file: str
    key: str
    path: str = ""
    rows: int = 0
    sha256: str = ""
    bytes: int = 0
    index: dict[str, list] = field(default_factory=dict)
    unplaced: dict[str, int] = field(default_factory=dict)
    coverage: list[list[str]] = field(default_factory=list)  # [falls_within, financial_year, month]
    warnings: list[str] = field(default_factory=list)

    def manifest(self, entry: dict) -> dict:
        """The manifest entry of this part (``entry``: its file's path, SHA-256, bytes and rows)."""
        return {**entry, "input": self.input, "source_file": self.source_file, "key": self.key, "index": self.index,
                "unplaced": self.unplaced, "coverage": self.coverage, "warnings": self.warnings}

    @classmethod
    def from_manifest(cls, kind: str, entry: dict) -> Part:
        return cls(entry["input"], kind, entry["source_file"], entry["key"], entry["path"], entry["rows"], entry["sha256"],
                   entry["bytes"], entry.get("index", {}), entry.get("unplaced", {}), entry.get("coverage", []),
                   entry.get("warnings", []))


def _category_sql(column: str) -> str:
    lookup = category_lookup()
    cases = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in sorted(lookup.items()))
    return f"CASE lower({sql_name(column)}) {cases} END"


def _category_id_sql(column: str) -> str:
    cases = " ".join(f"WHEN {sql_string(c)} THEN {sql_string(category_id(c))}" for c in POLICE_UK_CATEGORIES)
    return f"CASE {sql_name(column)} {cases} END"


def street_part_spec(month: str) -> TableSpec:
    """The street spec, with the harmonised category and the check that every crime type is known."""
    return police_uk.street_spec(month).extended(
        typed={"category": _category_sql("crime_type")},
        checks=[Check("crime_type", "crime_type IS NOT NULL AND category IS NULL", "unknown police.uk crime type {value}",
                      kind="lookup", hint=unknown_category_hint())],
    )


def _street_select(checked: str, source_file: str, month: str, placed: bool, ordered: bool) -> str:
    """SQL of a street part's rows, in the column order of ``docs/data-model.md``.

    Without ``ordered`` the rows keep the file's order only as DuckDB's plan gives it (a scan, a
    filter and a hash join probed with the file's rows, the lookup being built: see
    :class:`PoliceWriter`); the writer checks that order and writes again with ``ordered`` if not.
    """
    published = ", ".join(f"c.{sql_name(c)}" for c in police_uk.STREET_COLUMNS.values())
    derived = (
        f"{sql_string(source_file)} AS source_file, c.source_row, {sql_string(financial_year_of(int(month[:4]), int(month[5:])))} "
        f"AS financial_year, c.category, {_category_id_sql('category')} AS category_id, c.category = {sql_string(ASB)} AS is_asb"
    )
    rows = f"SELECT {published}, {derived} FROM ({checked}) c"
    sql = place_sql(rows) if placed else rows
    return f"{sql} ORDER BY source_row" if ordered else sql


def _plain_select(checked: str, source_file: str, columns: dict[str, str], ordered: bool) -> str:
    published = ", ".join(sql_name(c) for c in columns.values())
    sql = f"SELECT {published}, {sql_string(source_file)} AS source_file, source_row FROM ({checked})"
    return f"{sql} ORDER BY source_row" if ordered else sql


class PoliceWriter:
    """Writes police.uk files as parts, ``workers`` at a time, each DuckDB connection of one thread.

    ``geo`` (lsoa_code, ward and LAD codes and names, csp_code, csp_name) places street rows;
    without it they are not placed (no lookups in data/raw), as before.
    """

    def __init__(self, geo: pd.DataFrame | None, *, workers: int = 2, memory_limit_mb: int = 384, temp_dir: Path | None = None) -> None:
        self.geo = geo
        self.workers = max(1, workers)
        self.memory_limit = f"{memory_limit_mb}MB"
        self.temp_dir = temp_dir
        self._local = threading.local()
        self._connections: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()

    def _con(self) -> duckdb.DuckDBPyConnection:
        con = getattr(self._local, "con", None)
        if con is None:
            spill = None
            if self.temp_dir is not None:
                spill = self.temp_dir / f"duckdb-{threading.get_ident()}"
                spill.mkdir(parents=True, exist_ok=True)
            con = connect(threads=1, memory_limit=self.memory_limit, temp_directory=spill)
            con.execute("SET preserve_insertion_order = true")
            # probe the placing join with the file's rows (the lookup is the table built), so that
            # the rows leave it in the file's order and need no sort (checked after writing)
            con.execute("SET disabled_optimizers = 'build_side_probe_side'")
            if self.geo is not None:
                con.register("geo_frame", self.geo)
                con.execute("CREATE TABLE geo AS SELECT * FROM geo_frame")
                con.unregister("geo_frame")
            self._local.con = con
            with self._lock:
                self._connections.append(con)
        return con

    def close(self) -> None:
        with self._lock:
            for con in self._connections:
                con.close()
            self._connections.clear()

    def write(self, path: Path, kind: str, part: Part, target: Path, scan: FileScan) -> Part:
        """Read, check and write one raw file to ``target``; ``part`` filled in (rows, index, summary)."""
        reader_kind = TABLE_OF_POLICE_KIND[kind]
        month, force = police_uk._file_month(path, reader_kind)
        spec = street_part_spec(month) if reader_kind == "street" else police_uk.SPECS[reader_kind](month)
        source = CheckedCsv(path, spec, scan=scan)
        con = self._con()

        def build(checked: str, ordered: bool) -> str:
            if reader_kind == "street":
                return _street_select(checked, path.name, month, self.geo is not None, ordered)
            return _plain_select(checked, path.name, police_uk.COLUMNS[reader_kind], ordered)

        def run(sql: str) -> int:
            return int(con.execute(f"COPY ({sql}) TO {sql_string(str(target))} (FORMAT parquet, COMPRESSION snappy)").fetchall()[0][0])

        part.rows = run_checked(con, source, build, run)
        if not self._in_order(con, target):  # (not seen: the plan keeps the order) write it sorted
            run(build(source.checked(exact=False), True))
        if source.extra_columns:
            part.warnings.append(f"{path.name}: columns not used: {', '.join(source.extra_columns)}")
        self._summarise(con, part, target, reader_kind, month, force, path)
        part.sha256, part.bytes = sha256_file(target), target.stat().st_size
        return part

    @staticmethod
    def _in_order(con: duckdb.DuckDBPyConnection, target: Path) -> bool:
        """Whether the part's rows are in the file's order (``source_row`` increasing)."""
        out_of_order = con.execute(
            "SELECT count(*) FILTER (WHERE source_row <= previous) FROM (SELECT source_row, "
            f"lag(source_row) OVER () AS previous FROM read_parquet({sql_string(str(target))}))"
        ).fetchall()[0][0]
        return out_of_order == 0

    def _summarise(self, con: duckdb.DuckDBPyConnection, part: Part, target: Path, kind: str, month: str, force: str, path: Path) -> None:
        """The part's index, unplaced counts and months, from one aggregate over the written file."""
        fy = financial_year_of(int(month[:4]), int(month[5:]))
        if kind == "stop_search":
            part.index = {"financial_year": [fy]}
            summary = police_uk.PoliceFile(path, kind, month, force, part.rows)
        else:
            placed = kind == "street" and self.geo is not None
            lad = "lad_code" if placed else "NULL::VARCHAR"
            reason = f"CASE WHEN placed THEN NULL ELSE {UNPLACED_REASON_SQL} END" if placed else "NULL::VARCHAR"
            rows = con.execute(
                f"SELECT {lad}, falls_within, reported_by, \"month\", {reason}, count(*) "
                f"FROM read_parquet({sql_string(str(target))}) GROUP BY ALL"
            ).fetchall()
            lads = sorted({r[0] for r in rows if r[0] is not None})
            forces = sorted({r[1] for r in rows})
            months = sorted({r[3] for r in rows})
            part.index = {"falls_within": forces, "financial_year": [fy], "month": months}
            if placed:
                part.index["lad_code"] = lads
                for r in rows:
                    if r[4] is not None:
                        part.unplaced[r[4]] = part.unplaced.get(r[4], 0) + int(r[5])
                part.unplaced = dict(sorted(part.unplaced.items()))
            if kind == "street":
                part.coverage = [[f, fy, m] for f in forces for m in months]
            summary = police_uk.PoliceFile(path, kind, month, force, part.rows, tuple(months), tuple(forces),
                                           tuple(sorted({r[2] for r in rows})))
        part.warnings.extend(police_uk.plausibility_warnings(summary))

    def write_all(self, jobs: list[tuple[Path, str, Part, Path, FileScan]], on_done: Callable[[Part], None] | None = None) -> list[Part]:
        """Write every job (path, kind, part, target, scan), ``workers`` at a time; the first error
        (in the jobs' order, so the first bad file by path) is raised."""
        def one(job: tuple[Path, str, Part, Path, FileScan]) -> Part:
            part = self.write(*job)
            if on_done:
                on_done(part)
            return part

        if self.workers == 1 or len(jobs) < 2:
            return [one(job) for job in jobs]
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="police-part") as pool:
            futures = [pool.submit(one, job) for job in jobs]
            results: list[Part] = []
            error: BaseException | None = None
            for fut in futures:
                try:
                    results.append(fut.result())
                except BaseException as exc:  # noqa: BLE001 - re-raised below, after the pool stops
                    if error is None:
                        error = exc
                        for other in futures:
                            other.cancel()
            if error is not None:
                raise error
            return results


def unplaced_table(parts: list[Part]) -> pd.DataFrame:
    """Counts of street rows that could not be placed, by source file and reason (blank or unknown LSOA)."""
    rows = [(p.source_file, reason, n) for p in parts for reason, n in p.unplaced.items()]
    df = pd.DataFrame(rows, columns=["source_file", "reason", "rows"])
    df["source_file"] = df["source_file"].astype("string")
    df["reason"] = df["reason"].astype("string")
    df["rows"] = df["rows"].astype("int64")
    return df.sort_values(["source_file", "reason"], ignore_index=True)


def duplicate_ids(con: duckdb.DuckDBPyConnection, files: list[Path]) -> pd.DataFrame:
    """Every street row whose (non-null) Crime ID occurs more than once across ``files`` (parts).

    Columns crime_id, month, source_file, source_row, occurrences, sorted by crime_id, source_file,
    source_row, as :func:`assess.sources.police_uk.duplicate_crime_ids` gives them. Candidates are
    found by a 64-bit hash of the ID (held for each distinct ID, not the IDs), then checked exactly.
    """
    columns = ["crime_id", "month", "source_file", "source_row"]
    if files:
        listed = "[" + ", ".join(sql_string(str(f)) for f in files) + "]"
        ids = f"SELECT crime_id, \"month\", source_file, source_row FROM read_parquet({listed}) WHERE crime_id IS NOT NULL"
        found = con.execute(
            f"WITH ids AS ({ids}), dup AS (SELECT hash(crime_id) AS h FROM ids GROUP BY h HAVING count(*) > 1) "
            "SELECT crime_id, \"month\", source_file, source_row FROM ids WHERE hash(crime_id) IN (SELECT h FROM dup)"
        ).df()
    else:
        found = pd.DataFrame(columns=columns)
    for c in columns[:3]:
        found[c] = found[c].astype("string")
    found["source_row"] = found["source_row"].astype("int64")
    return police_uk.duplicate_crime_ids(found)


def check_one_file_per_month(files: list[tuple[str, Path]]) -> None:
    """The same police.uk file twice (say flat and in its archive folder) would be counted twice."""
    seen: dict[str, Path] = {}
    for _kind, path in files:
        if path.name in seen:
            raise InputError(path, f"the same police.uk file is present twice (also at {seen[path.name]})",
                             hint="keep one copy: remove the other from data/raw/")
        seen[path.name] = path
