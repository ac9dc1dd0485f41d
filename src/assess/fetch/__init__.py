"""Download the published inputs from their publishers (``assess fetch``).

- :mod:`assess.fetch.addresses`: every source address, from ``src/assess/sources.yaml``
  (:func:`load_sources`);
- :mod:`assess.fetch.download`: one safe download (:func:`download`: ``.part``, resume, retry,
  checksum, atomic rename);
- :mod:`assess.fetch.fetcher`: everything a CSP needs into the raw data folder, recorded in
  ``downloads.json`` (:func:`fetch`).
"""

from assess.fetch.addresses import Source, Sources, load_sources
from assess.fetch.download import DownloadResult, download, sha256_of
from assess.fetch.errors import (
    ChecksumMismatchError,
    DownloadTimeoutError,
    FetchError,
    IncompleteDownloadError,
    NoNetworkError,
    SourceMovedError,
    SourcesError,
)
from assess.fetch.fetcher import (
    DOWNLOADS_JSON,
    FetchReport,
    FileRecord,
    Problem,
    fetch,
    load_downloads,
)

__all__ = [
    "DOWNLOADS_JSON",
    "ChecksumMismatchError",
    "DownloadResult",
    "DownloadTimeoutError",
    "FetchError",
    "FetchReport",
    "FileRecord",
    "IncompleteDownloadError",
    "NoNetworkError",
    "Problem",
    "Source",
    "SourceMovedError",
    "Sources",
    "SourcesError",
    "download",
    "fetch",
    "load_downloads",
    "load_sources",
    "sha256_of",
]
