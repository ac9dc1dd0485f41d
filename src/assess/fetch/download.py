"""Download one file safely: stream to ``<dest>.part``, resume, retry, verify, rename into place.

A partial download is never taken as complete: bytes go to ``<dest>.part``; the file is renamed
onto ``dest`` (atomically, ``os.replace``) only after its length matches the server's
Content-Length (or Content-Range total) and, when one is expected, its SHA-256 matches. A file cut
off midway stays as ``.part`` and the next call resumes it with an HTTP ``Range`` request when the
server supports it (206 Partial Content), else starts again.

Standard library only (``urllib.request``); the progress bar is drawn with ``rich``.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from assess import __version__
from assess.fetch.errors import (
    SOURCES_FILE,
    ChecksumMismatchError,
    DownloadTimeoutError,
    FetchError,
    IncompleteDownloadError,
    NoNetworkError,
    SourceMovedError,
)

CHUNK = 1 << 16  # bytes read per loop: 64 KiB
USER_AGENT = f"assess/{__version__} (Community Safety Strategic Assessment; python-urllib)"
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class DownloadResult:
    """A file downloaded and verified: where it is, its SHA-256 and size (bytes), whence it came."""

    path: Path
    sha256: str
    bytes: int
    url: str
    resumed: bool


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def part_path(dest: str | Path) -> Path:
    """Where the bytes of ``dest`` accumulate until the download is complete: ``<dest>.part``."""
    dest = Path(dest)
    return dest.with_name(dest.name + ".part")


class _Retryable(Exception):
    """One attempt failed in a way another attempt may cure (timeout, 5xx, cut-off connection)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind  # "timeout" | "server" | "cut"
        self.detail = detail


@contextlib.contextmanager
def _progress(enabled: bool, label: str) -> Iterator[Callable[[int, int | None], None]]:
    """Yield ``update(done_bytes, total_bytes_or_None)`` drawing a rich progress bar on stderr."""
    if not enabled:
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _moved(url: str, code: int, source_key: str | None, page: str | None) -> SourceMovedError:
    where = f"key '{source_key}'" if source_key else "the entry with this address"
    find = f" (the current link is on {page})" if page else ""
    return SourceMovedError(
        f"{url}: HTTP {code}: the source has moved: update {SOURCES_FILE} {where} with its new address{find}, "
        f"then rerun `assess fetch`"
    )


def _no_network(url: str, reason: object) -> NoNetworkError:
    host = urlsplit(url).netloc or url
    return NoNetworkError(
        f"{url}: cannot reach {host} ({reason}). Check the network connection (and HTTPS_PROXY if you use a "
        f"proxy), then rerun `assess fetch`: finished files are kept. Offline, copy the published files into "
        f"the raw data folder by hand (see docs/fetching.md)"
    )


def _unreachable(reason: object) -> bool:
    """True when the host cannot be reached at all: no point retrying within seconds."""
    return isinstance(reason, (socket.gaierror, ConnectionRefusedError)) or (
        isinstance(reason, OSError) and reason.errno in (101, 113)  # ENETUNREACH, EHOSTUNREACH
    )


def _attempt(
    url: str,
    part: Path,
    *,
    timeout: float,
    resume: bool,
    update: Callable[[int, int | None], None],
    source_key: str | None,
    page: str | None,
) -> tuple[bool, int | None]:
    """One HTTP request streaming into ``part``; returns ``(resumed, expected_total_bytes)``.

    Raises _Retryable for what another attempt may cure, a FetchError for what it cannot.
    """
    offset = part.stat().st_size if resume and part.exists() else 0
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (addresses from sources.yaml)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (404, 410):
            raise _moved(url, exc.code, source_key, page) from None
        if exc.code == 416 and offset:
            whole = re.fullmatch(r"bytes\s+\*/(\d+)", (exc.headers.get("Content-Range") or "").strip())
            if whole and int(whole.group(1)) == offset:
                return True, offset  # the .part already holds the whole file
            part.unlink(missing_ok=True)
            raise _Retryable("server", f"HTTP 416: the server refused to resume from byte {offset}; starting again")
        if exc.code >= 500 or exc.code in (408, 429):
            raise _Retryable("server", f"HTTP {exc.code} {exc.reason}")
        raise FetchError(
            f"{url}: HTTP {exc.code} {exc.reason}: the publisher refused the download; open the address in a "
            f"browser to see why, and fix it in {SOURCES_FILE}" + (f" key '{source_key}'" if source_key else "")
        ) from None
    except urllib.error.URLError as exc:
        if _unreachable(exc.reason):
            raise _no_network(url, exc.reason) from None
        if isinstance(exc.reason, TimeoutError):
            raise _Retryable("timeout", f"no connection within {timeout:g} s") from None
        raise _Retryable("cut", f"connection failed ({exc.reason})") from None
    except TimeoutError:
        raise _Retryable("timeout", f"no answer within {timeout:g} s") from None
    except (ConnectionError, http.client.HTTPException) as exc:
        raise _Retryable("cut", f"connection failed ({exc!r})") from None

    with response:
        status = response.status
        length = response.headers.get("Content-Length")
        resumed = False
        if status == 206 and offset:
            m = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if not m or int(m.group(1)) != offset:
                part.unlink(missing_ok=True)
                raise _Retryable("server", "the server resumed from the wrong byte; starting again")
            resumed = True
            total = int(m.group(3)) if m.group(3) != "*" else (offset + int(length) if length else None)
            mode = "ab"
        else:
            offset = 0  # 200: the server sent the whole file (it ignored or does not support Range)
            total = int(length) if length is not None and length.isdigit() else None
            mode = "wb"
        done = offset
        update(done, total)
        try:
            with open(part, mode) as fh:
                while True:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    fh.write(chunk)
                    done += len(chunk)
                    update(done, total)
                fh.flush()
                os.fsync(fh.fileno())
        except TimeoutError:
            raise _Retryable("timeout", f"the transfer stalled for {timeout:g} s at byte {done}") from None
        except (http.client.IncompleteRead, ConnectionError) as exc:
            got = f" of {total}" if total else ""
            raise _Retryable("cut", f"the connection closed at byte {done}{got} ({type(exc).__name__})") from None
    return resumed, total


def download(
    url: str,
    dest: str | Path,
    *,
    expected_sha256: str | None = None,
    timeout: float = 30,
    retries: int = 3,
    backoff: float = 0.5,
    resume: bool = True,
    progress: bool = True,
    source_key: str | None = None,
    page: str | None = None,
) -> DownloadResult:
    """Download ``url`` to ``dest`` and return what arrived (path, SHA-256, bytes, url, resumed).

    - Streams to ``<dest>.part``; with ``resume`` and an existing ``.part``, asks for the rest with
      ``Range: bytes=<size>-`` (used only if the server answers 206; a 200 restarts the file).
    - ``timeout`` (seconds) bounds the connection and every read. Timeouts, 5xx/408/429 answers and
      connections cut midway are retried up to ``retries`` times, waiting ``backoff * 2**i`` seconds
      (0.5, 1, 2 s by default), resuming where possible.
    - Never retried: 404/410 (SourceMovedError naming ``source_key`` in sources.yaml), other 4xx,
      and an unreachable host (NoNetworkError: connection refused, DNS failure, no route).
    - A file shorter than its Content-Length raises IncompleteDownloadError; the ``.part`` is kept
      and ``dest`` is not created.
    - With ``expected_sha256``, a different SHA-256 raises ChecksumMismatchError naming both; the
      bytes are kept as ``<dest>.unverified`` for inspection and ``dest`` is not touched.
    - Only then is ``.part`` renamed onto ``dest`` (atomic on one filesystem).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    if not resume:
        part.unlink(missing_ok=True)
    resumed_any = False
    last: _Retryable | None = None
    attempts = max(0, int(retries)) + 1
    total: int | None = None
    with _progress(progress, dest.name) as update:
        for attempt in range(attempts):
            if attempt:
                time.sleep(backoff * 2 ** (attempt - 1))
            try:
                resumed, total = _attempt(
                    url, part, timeout=timeout, resume=resume, update=update, source_key=source_key, page=page
                )
            except _Retryable as exc:
                last = exc
                continue
            resumed_any = resumed_any or resumed
            size = part.stat().st_size
            if total is not None and size < total:
                last = _Retryable("cut", f"the connection closed at byte {size} of {total}")
                continue
            if total is not None and size > total:
                part.unlink()
                last = _Retryable("server", f"received {size} bytes, more than the {total} announced; starting again")
                continue
            last = None
            break
    if last is not None:
        tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
        if last.kind == "timeout":
            raise DownloadTimeoutError(
                f"{url}: timed out after {tries} ({last.detail}); the server is slow or unreachable: "
                f"rerun `assess fetch` later, or raise --timeout (now {timeout:g} s)"
            )
        have = part.stat().st_size if part.exists() else 0
        if last.kind == "cut":
            raise IncompleteDownloadError(
                f"{url}: incomplete download after {tries}: {last.detail}. {have} bytes are kept in {part}; "
                f"{dest.name} was not created. Rerun `assess fetch` to resume"
            )
        kept = f"; {have} bytes are kept in {part} for resuming" if have else ""
        raise FetchError(f"{url}: the server failed after {tries} ({last.detail}){kept}; rerun `assess fetch` later")

    digest = sha256_of(part)
    if expected_sha256 is not None and digest != expected_sha256.lower():
        kept = dest.with_name(dest.name + ".unverified")
        os.replace(part, kept)
        raise ChecksumMismatchError(
            f"{url}: checksum changed: expected SHA-256 {expected_sha256.lower()}, got {digest}. The publisher "
            f"may have revised the file; the new bytes are in {kept} for inspection and {dest} is unchanged. "
            f"If the revision is expected, update the recorded checksum"
            + (f" ({SOURCES_FILE} key '{source_key}' or downloads.json)" if source_key else ""),
            expected=expected_sha256.lower(),
            actual=digest,
        )
    size = part.stat().st_size
    os.replace(part, dest)
    return DownloadResult(path=dest, sha256=digest, bytes=size, url=url, resumed=resumed_any)
