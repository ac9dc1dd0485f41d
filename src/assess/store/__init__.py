"""Storing: what ingest derives from ``data/raw`` and keeps in ``data/processed``.

- :mod:`assess.store.harmonise`: police.uk categories over time, placing rows in ward, local
  authority and CSP;
- :mod:`assess.store.ingest`: read, validate, harmonise and place every raw file, then write the store;
- :mod:`assess.store.processed`: the processed Parquet tables and their manifest.
"""

from assess.store.processed import (
    MANIFEST,
    Store,
    clear_read_cache,
    combined_sha256,
    sha256_file,
)

__all__ = ["MANIFEST", "Store", "clear_read_cache", "combined_sha256", "sha256_file"]
