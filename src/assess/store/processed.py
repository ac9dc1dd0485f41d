"""The processed store: versions of tidy Parquet tables, each with a manifest of checksums.

Layout of ``data/processed/`` (written by :mod:`assess.store.versions`)::

    current -> versions/<id>          the version in use (a symbolic link, switched in one step)
    manifest.json -> current/manifest.json
    versions/<id>/manifest.json       every table, every file of it, its SHA-256, size and rows
    versions/<id>/tables/<name>.parquet                 a table in one file
    versions/<id>/tables/<name>/<part>.parquet          a table in parts (one per police.uk file)
    versions/<id>/sources/<part>.parquet                what a reader read from one raw file (reused)

A version never changes once written; ``<id>`` is the start of its manifest's SHA-256, so the same
inputs give the same version. A :class:`Store` opened on ``data/processed`` reads the version
``current`` names at that moment (and keeps reading it); opened on a version folder (or a folder
of the older, flat layout) it reads that folder.

Checks: every file a read opens is hashed once per process (while its inode, size and modification
time are unchanged) and compared with the manifest: a table changed or damaged after ingest is an
error naming the fix, never data. :meth:`Store.verify` checks every file.

Tables in parts are read part by part: a read filtered on a column the manifest indexes for each
part (``lad_code``, ``falls_within``, ``financial_year``, ``month``) opens only the parts that can
hold matching rows, so a CSP-year reads its force's files, not the nation's.

Reads are cached in the process (:func:`Store.read`): a chapter kernel runs several chapters one
after another, and each would otherwise read the same tables again. The cache is keyed on the files
(resolved path, inode, modification time in nanoseconds, size) and the columns and filters asked
for. It holds at most :data:`READ_CACHE_ENTRIES` frames and :data:`READ_CACHE_BYTES` bytes (least
recently used out first); :func:`clear_read_cache` empties it.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assess.errors import AssessError

if TYPE_CHECKING:  # imported where tables are read: a run whose bundle is reused from its cache needs neither
    import pandas as pd
    import pyarrow as pa

MANIFEST = "manifest.json"
CURRENT = "current"
VERSIONS = "versions"
#: The manifest format this code writes (the older flat layout had none).
FORMAT = 2
#: The command that rebuilds a damaged or mixed store.
REBUILD = "run `assess ingest --force` to rebuild data/processed/ from data/raw/"

#: Most frames :meth:`Store.read` keeps in the process.
READ_CACHE_ENTRIES = 16
#: Most bytes (pandas ``memory_usage(deep=True)``) of the frames kept; a larger frame is not kept.
READ_CACHE_BYTES = 1 << 29

#: Columns whose values the manifest lists for each part of a table in parts.
INDEXED = ("lad_code", "falls_within", "financial_year", "month")

_read_cache: OrderedDict[Hashable, tuple[pd.DataFrame, int]] = OrderedDict()
_read_lock = threading.Lock()
_verified: dict[tuple[str, int, int, int], str] = {}
_verified_lock = threading.Lock()


class StoreError(AssessError):
    """The processed store is missing, damaged or does not match its manifest."""


def clear_read_cache() -> None:
    """Forget every frame :meth:`Store.read` has kept (and which files were found whole)."""
    with _read_lock:
        _read_cache.clear()
    with _verified_lock:
        _verified.clear()


def _remember(key: Hashable, df: pd.DataFrame) -> None:
    """Keep ``df`` under ``key``, dropping the least recently used frames beyond the bounds (hold the lock)."""
    size = int(df.memory_usage(index=True, deep=True).sum())
    if size > READ_CACHE_BYTES:
        return
    _read_cache[key] = (df, size)
    while len(_read_cache) > READ_CACHE_ENTRIES or sum(n for _, n in _read_cache.values()) > READ_CACHE_BYTES:
        _read_cache.popitem(last=False)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def combined_sha256(digests: Iterable[str]) -> str:
    """One SHA-256 over a sorted list of digests: a fingerprint of a set of inputs."""
    h = hashlib.sha256()
    for d in sorted(digests):
        h.update(d.encode())
    return h.hexdigest()


def file_key(path: Path) -> tuple[str, int, int, int]:
    """What identifies a file's bytes cheaply: resolved path, inode, modification time (ns), size."""
    st = path.stat()
    return (str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)


def sha256_cached(path: Path) -> str:
    """:func:`sha256_file`, computed once per process while the file is unchanged (:func:`file_key`)."""
    key = file_key(path)
    with _verified_lock:
        known = _verified.get(key)
    if known is None:
        known = sha256_file(path)
        with _verified_lock:
            _verified[key] = known
    return known


def version_folder(processed_dir: str | Path) -> Path:
    """The folder of the version a store at ``processed_dir`` reads now.

    ``processed_dir/current`` when it exists (the versioned layout), else ``processed_dir`` itself
    (a version folder, or the older flat layout). Raises StoreError when ``current`` names a
    version that is not there.
    """
    base = Path(processed_dir)
    current = base / CURRENT
    if not current.is_symlink() and not current.exists():
        return base
    target = current.resolve()
    if not (target / MANIFEST).is_file():
        raise StoreError(f"{base}: the store's current version ({os.readlink(current) if current.is_symlink() else current}) "
                         f"is missing or incomplete; {REBUILD}")
    return target


class Store:
    """The tables of one version of a processed store (see the module docstring)."""

    def __init__(self, processed_dir: str | Path) -> None:
        self.base = Path(processed_dir)

    @cached_property
    def root(self) -> Path:
        """The version folder this store reads (fixed at first use)."""
        return version_folder(self.base)

    # --- the manifest ------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    @cached_property
    def _manifest(self) -> dict:
        path = self.manifest_path
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"{path}: the store's manifest cannot be read ({exc}); {REBUILD}") from None
        if not isinstance(data, dict):
            raise StoreError(f"{path}: the store's manifest is not a JSON object; {REBUILD}")
        return data

    def manifest(self) -> dict:
        """The manifest of this version (an empty dict when there is no store yet)."""
        return self._manifest

    def _entry(self, name: str) -> dict:
        entry = self._manifest.get("tables", {}).get(name)
        if entry is None:
            raise StoreError(
                f"{self.root / 'tables' / name}: the processed table '{name}' does not exist; run `assess ingest` "
                "(or `make assessment`) to build data/processed/ from data/raw/"
            )
        return entry

    def has(self, name: str) -> bool:
        return name in self._manifest.get("tables", {})

    def tables(self) -> list[str]:
        return sorted(self._manifest.get("tables", {}))

    def files(self, name: str) -> list[dict]:
        """The files of table ``name``: dicts with ``path`` (relative to :attr:`root`), ``sha256``,
        ``bytes``, ``rows`` and, for a part, ``index``."""
        entry = self._entry(name)
        if "parts" in entry:
            return list(entry["parts"])
        return [{"path": entry.get("path", f"{name}.parquet"), **{k: v for k, v in entry.items() if k != "path"}}]

    def path(self, name: str) -> Path:
        """The file of a table kept in one file (the folder of a table in parts)."""
        entry = self._entry(name)
        if "parts" in entry:
            return self.root / entry["folder"]
        return self.root / entry.get("path", f"{name}.parquet")

    def columns(self, name: str) -> list[str]:
        """The column names of a table (from its first file's schema)."""
        import pyarrow.parquet as pq

        return list(pq.read_schema(self.root / self.files(name)[0]["path"]).names)

    # --- checks ------------------------------------------------------------------------------
    def _all_files(self) -> list[dict]:
        m = self._manifest
        out = [f for name in m.get("tables", {}) for f in self.files(name)]
        out += [{"path": s["path"], "sha256": s["sha256"], "bytes": s.get("bytes")} for s in m.get("sources", {}).values()]
        return out

    def _check_file(self, f: dict, *, full: bool) -> str | None:
        path = self.root / f["path"]
        try:
            size = path.stat().st_size
        except OSError:
            return f"{path} is missing"
        if f.get("bytes") is not None and size != f["bytes"]:
            return f"{path} has {size} bytes, the manifest says {f['bytes']}"
        if full and f.get("sha256") and sha256_cached(path) != f["sha256"]:
            return f"{path} does not match the SHA-256 in the manifest"
        return None

    def verify(self, *, full: bool = True) -> list[str]:
        """Problems of this version: files missing, or of another size or (``full``) checksum than
        the manifest records. Empty when the store is whole."""
        if not self._manifest:
            return [f"{self.base}: no processed store (no {MANIFEST})"]
        return [p for f in self._all_files() if (p := self._check_file(f, full=full))]

    def check(self, *, full: bool = True) -> Store:
        """Raise StoreError (naming the fix) unless the store exists and every table matches its manifest."""
        if not self._manifest:
            raise StoreError(f"no processed data in {self.base}: run `assess ingest` first (or `make assessment`)")
        problems = self.verify(full=full)
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise StoreError(
                f"{self.base}: the processed store does not match its manifest: {'; '.join(problems[:3])}{more}. "
                f"Its tables were changed or damaged after ingest; {REBUILD}"
            )
        return self

    def _verified_path(self, name: str, f: dict) -> Path:
        path = self.root / f["path"]
        problem = self._check_file(f, full=True)
        if problem:
            raise StoreError(f"{problem}: the processed table '{name}' was changed or damaged after ingest; {REBUILD}")
        return path

    # --- reading -----------------------------------------------------------------------------
    def rows(self, name: str) -> int:
        """The number of rows of table ``name``, from the Parquet footers of its files (each file
        checked against the manifest first, as a read checks it): no row is read."""
        import pyarrow.parquet as pq

        return sum(pq.read_metadata(self._verified_path(name, f)).num_rows for f in self.files(name))

    def read(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        filters: list[tuple[str, str, Any]] | None = None,
        categorical: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Read a table (optionally some columns, and rows by pyarrow filters such as
        ``[("csp_code", "==", "E22000120")]``) with nullable pandas dtypes.

        ``categorical`` names string columns of few distinct values (codes, categories) to read as
        pandas categoricals (:func:`as_categorical`: the categories are the values present, sorted):
        a code repeated on millions of rows then costs a byte or two a row instead of its string.

        A table of parts opens only the parts whose index can match ``filters``. A partner table
        is read with the dtypes its reader gave it. The frame is kept in the process's read cache
        (see the module docstring); every call returns a shallow copy, so a caller may add, drop or
        change columns (copy-on-write) without altering what a later read returns.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        entry = self._entry(name)
        chosen = [f for f in self.files(name) if _may_match(f.get("index"), filters)]
        paths = [self._verified_path(name, f) for f in (chosen or self.files(name)[:1])]
        cols = list(columns) if columns else None
        wanted = tuple(c for c in categorical if cols is None or c in cols)
        key = (name, tuple(file_key(p) for p in paths), bool(chosen), wanted, tuple(cols) if cols else None, repr(filters))
        with _read_lock:
            kept = _read_cache.get(key)
            if kept is not None:
                _read_cache.move_to_end(key)
        if kept is not None:
            return kept[0].copy(deep=False)
        if chosen and cols and filters:
            table = _read_filtered(paths, cols, filters, wanted)
        elif chosen:
            source = [str(p) for p in paths]
            # dictionary-encoded as read: the strings of a categorical column are never built row by row
            table = pq.read_table(source if len(source) > 1 else source[0], columns=cols, filters=filters,
                                  read_dictionary=list(wanted) or None)
        else:  # no part can match: the table's columns, no rows
            table = pq.read_schema(paths[0]).empty_table()
            table = table.select(cols) if cols else table
        names = table.column_names
        coded = {c: _categorical(table.column(c)) for c in wanted
                 if c in names and pa.types.is_dictionary(table.schema.field(c).type)}
        table = table.drop_columns(list(coded))
        if entry.get("dtypes") == "pandas":
            df = table.to_pandas()
        else:
            df = table.to_pandas(types_mapper=_types_mapper)
        del table
        if coded:
            df = df.assign(**coded)[names]
        df = as_categorical(df, [c for c in wanted if c in df.columns])
        pa.default_memory_pool().release_unused()  # the Parquet pages and Arrow columns read, back to the system
        with _read_lock:
            _remember(key, df)
        return df.copy(deep=False)


def _read_filtered(paths: Sequence[Path], columns: list[str], filters: list[tuple[str, str, Any]],
                   dictionary: Sequence[str]) -> pa.Table:
    """The rows of ``paths`` (in order) that pass ``filters``, in ``columns``, read one row group
    at a time and filtered at once: only the rows kept and one row group are ever held (reading
    a whole file before filtering held every row of a 5-million-row police.uk file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    keep = pq.filters_to_expression(filters)
    read = columns + [c for c in dict.fromkeys(f[0] for f in filters) if c not in columns]  # the filters' columns too
    parts = []
    for path in paths:
        pf = pq.ParquetFile(path, read_dictionary=list(dictionary) or None)
        for i in range(pf.num_row_groups):
            parts.append(pf.read_row_group(i, columns=read).filter(keep).select(columns))
        if not pf.num_row_groups:
            parts.append(pf.schema_arrow.empty_table().select(columns))
    return pa.concat_tables(parts, promote_options="default")


def _categorical(column: pa.ChunkedArray) -> pd.Categorical:
    """A dictionary-encoded column as a pandas categorical of the values its rows use, sorted.

    Each chunk (a row group) has a dictionary of its own; its indices are mapped straight to
    codes in the sorted categories, so no string is built per row and no unified Arrow copy made.
    """
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    chunks = [c for c in column.chunks if len(c)]
    used: set[str] = set()
    for chunk in chunks:
        present = pc.unique(chunk.indices.drop_null())
        used.update(v for v in chunk.dictionary.take(present).to_pylist() if v is not None)
    categories = sorted(used)
    position = {v: i for i, v in enumerate(categories)}
    codes = np.empty(len(column), dtype=np.int8 if len(categories) < 127 else np.int32)
    start = 0
    for chunk in chunks:
        words = chunk.dictionary.to_pylist()
        lookup = np.array([position.get(w, -1) if w is not None else -1 for w in words] + [-1], dtype=codes.dtype)
        indices = chunk.indices.fill_null(len(words)).to_numpy(zero_copy_only=False)
        codes[start : start + len(chunk)] = lookup[indices]
        start += len(chunk)
    return pd.Categorical.from_codes(codes, categories=categories)


def as_categorical(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``df`` with each of ``columns`` a pandas categorical whose categories are exactly the values
    present (none unused, so that a count by category never shows a zero for a value the rows do
    not hold), sorted as strings are (so that grouping, sorting and the mode order them as the
    strings would). Missing values stay missing; other columns are untouched."""
    import pandas as pd

    if not columns:
        return df
    out = df.copy(deep=False)  # each column replaced in turn: the others are never copied
    for c in columns:
        values = df[c]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        values = values.cat.remove_unused_categories()
        order = sorted(values.cat.categories)
        if list(values.cat.categories) != order:
            values = values.cat.reorder_categories(order)
        out[c] = values
    return out


def _may_match(index: dict | None, filters: list[tuple[str, str, Any]] | None) -> bool:
    """Whether a part whose ``index`` lists its values can hold rows that pass ``filters``."""
    if not index or not filters:
        return True
    for column, op, value in filters:
        if column not in index:
            continue
        present = set(index[column])
        if op in ("==", "=") and value not in present:
            return False
        if op == "in" and not present & set(value):
            return False
    return True


def _types_mapper(t: pa.DataType):
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype()
    if pa.types.is_integer(t):
        return pd.Int64Dtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None


def __getattr__(name: str) -> Any:
    """``pd``, ``pa`` and ``pq`` (pandas, pyarrow and pyarrow.parquet) as module attributes,
    imported when first asked for: reading a manifest needs none of them."""
    if name == "pd":
        import pandas

        return pandas
    if name == "pa":
        import pyarrow

        return pyarrow
    if name == "pq":
        import pyarrow.parquet

        return pyarrow.parquet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
