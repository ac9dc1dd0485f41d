"""The processed store: tidy Parquet tables in ``data/processed/`` and the manifest of inputs.

Every table is written atomically (temporary file, then rename); the manifest is written last,
so a store whose manifest names a table holds that table whole.

Reads are cached in the process (:func:`Store.read`): a chapter kernel runs several chapters one
after another, and each would otherwise read the same tables again (the street table takes about
half a second). The cache is keyed on the file (resolved path, inode, modification time in
nanoseconds, size) and the columns and filters asked for, so a table rewritten by an ingest is
read afresh. It holds at most :data:`READ_CACHE_ENTRIES` frames and :data:`READ_CACHE_BYTES` bytes
(least recently used out first); :func:`clear_read_cache` empties it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from assess.atomic import atomic_path, write_text
from assess.errors import AssessError

MANIFEST = "manifest.json"

#: Most frames :meth:`Store.read` keeps in the process.
READ_CACHE_ENTRIES = 16
#: Most bytes (pandas ``memory_usage(deep=True)``) of the frames kept; a larger frame is not kept.
READ_CACHE_BYTES = 1 << 30

_read_cache: OrderedDict[Hashable, tuple[pd.DataFrame, int]] = OrderedDict()
_read_lock = threading.Lock()


def clear_read_cache() -> None:
    """Forget every frame :meth:`Store.read` has kept."""
    with _read_lock:
        _read_cache.clear()


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


class Store:
    """The Parquet tables of one processed folder."""

    def __init__(self, processed_dir: str | Path) -> None:
        self.root = Path(processed_dir)

    def path(self, name: str) -> Path:
        return self.root / f"{name}.parquet"

    def has(self, name: str) -> bool:
        return self.path(name).exists()

    def tables(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("*.parquet"))

    def write(self, name: str, df: pd.DataFrame) -> str:
        """Write ``df`` as ``<name>.parquet`` atomically; return the file's SHA-256."""
        table = pa.Table.from_pandas(df, preserve_index=False)
        with atomic_path(self.path(name)) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        return sha256_file(self.path(name))

    def read(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        filters: list[tuple[str, str, Any]] | None = None,
    ) -> pd.DataFrame:
        """Read a table (optionally some columns, and rows by pyarrow filters such as
        ``[("csp_code", "==", "E22000120")]``) with nullable pandas dtypes.

        The frame is kept in the process's read cache (see the module docstring); every call
        returns a shallow copy, so a caller may add, drop or change columns (copy-on-write)
        without altering what a later read returns.
        """
        path = self.path(name)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise AssessError(
                f"{path}: the processed table '{name}' does not exist; run `assess ingest` "
                "(or `make assessment`) to build data/processed/ from data/raw/"
            ) from None
        cols = list(columns) if columns else None
        key = (str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_size,
               tuple(cols) if cols else None, repr(filters))
        with _read_lock:
            kept = _read_cache.get(key)
            if kept is not None:
                _read_cache.move_to_end(key)
        if kept is not None:
            return kept[0].copy(deep=False)
        df = pq.read_table(path, columns=cols, filters=filters).to_pandas(types_mapper=_types_mapper)
        with _read_lock:
            _remember(key, df)
        return df.copy(deep=False)

    # --- manifest -----------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def manifest(self) -> dict:
        """The manifest (an empty dict if there is none yet)."""
        if not self.manifest_path.exists():
            return {}
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, manifest: dict) -> None:
        write_text(self.manifest_path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _types_mapper(t: pa.DataType):
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype()
    if pa.types.is_integer(t):
        return pd.Int64Dtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None
