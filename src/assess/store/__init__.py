"""Storing: what ingest derives from ``data/raw`` and keeps in ``data/processed``.

- :mod:`assess.store.harmonise`: police.uk categories over time;
- :mod:`assess.store.ingest`: read, validate, harmonise and place every raw file, then write a new version;
- :mod:`assess.store.police`: the police.uk tables, read with DuckDB a month's files at a time and written part by part (placing by joins);
- :mod:`assess.store.partner`: partner files stored as tables, and read back only while unchanged;
- :mod:`assess.store.versions`: writing a version beside the current one and switching in one step;
- :mod:`assess.store.processed`: reading a version's Parquet tables, checked against its manifest.
"""

from assess.store.processed import (
    MANIFEST,
    Store,
    StoreError,
    clear_read_cache,
    combined_sha256,
    sha256_file,
    version_folder,
)

__all__ = ["MANIFEST", "Store", "StoreError", "clear_read_cache", "combined_sha256", "sha256_file", "version_folder"]
