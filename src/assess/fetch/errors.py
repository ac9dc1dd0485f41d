"""Errors of fetching: each names the address, the file and what to do about it."""

from __future__ import annotations

from assess.errors import AssessError

#: Where the source addresses live, for the "what to do" of every message.
SOURCES_FILE = "src/assess/sources.yaml"


class FetchError(AssessError):
    """A download or an extraction failed; the message says which, where and what to do."""


class SourcesError(FetchError):
    """The sources file is missing, malformed, or lacks an address fetch needs."""


class SourceMovedError(FetchError):
    """The publisher answered 404/410: the file is no longer at the recorded address."""


class NoNetworkError(FetchError):
    """The host could not be reached at all (no network, DNS failure, connection refused)."""


class DownloadTimeoutError(FetchError):
    """The host did not answer within the timeout, on every attempt."""


class IncompleteDownloadError(FetchError):
    """The connection ended before the whole file arrived; the ``.part`` file is kept for resuming."""


class ChecksumMismatchError(FetchError):
    """The downloaded file's SHA-256 differs from the expected one."""

    def __init__(self, message: str, *, expected: str, actual: str) -> None:
        super().__init__(message)
        self.expected = expected
        self.actual = actual
