"""The processed store: tidy Parquet tables in ``data/processed/`` and the manifest of inputs.

Every table is written atomically (temporary file, then rename); the manifest is written last,
so a store whose manifest names a table holds that table whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from assess.atomic import atomic_path, write_text
from assess.errors import AssessError

MANIFEST = "manifest.json"


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
        ``[("csp_code", "==", "E22000120")]``) with nullable pandas dtypes."""
        path = self.path(name)
        if not path.exists():
            raise AssessError(
                f"{path}: the processed table '{name}' does not exist; run `assess ingest` "
                "(or `make assessment`) to build data/processed/ from data/raw/"
            )
        table = pq.read_table(path, columns=list(columns) if columns else None, filters=filters)
        return table.to_pandas(types_mapper=_types_mapper)

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
