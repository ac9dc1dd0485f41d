"""Writing a new version of the processed store beside the old one, and switching to it in one step.

:class:`VersionBuilder` writes into ``versions/.tmp-<pid>-<random>/``; :meth:`VersionBuilder.commit`
writes the manifest last, renames the folder to ``versions/<id>`` (``<id>``: the start of the
manifest's SHA-256) and then replaces the ``current`` link by one ``rename`` (atomic on POSIX).
Until that rename every reader sees the previous version, whole; after it, the new one, whole. A
process killed at any moment leaves at worst a ``.tmp-*`` folder (or an unused version), which
the next ingest removes: :func:`clean_versions` keeps the current version and the one before it.
A write that fails (a full disk) removes the temporary folder and leaves ``current`` as it was.

Only one ingest writes a store at a time (:func:`ingest_lock`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from assess.errors import AssessError
from assess.store.processed import CURRENT, MANIFEST, VERSIONS, StoreError, sha256_file

LOCK = ".ingest.lock"
_TMP = ".tmp-"


def safe_name(text: str) -> str:
    """A file name made of ``text``: letters, digits, ``.``, ``_`` and ``-`` only (inputs name files)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "x"
    return cleaned[:120]


@contextlib.contextmanager
def ingest_lock(processed_dir: Path) -> Iterator[None]:
    """Hold the store's write lock (a second ingest on the same folder fails clearly, at once).

    The lock file is created once and never written: an ingest with nothing to do changes nothing.
    """
    processed_dir.mkdir(parents=True, exist_ok=True)
    with open(processed_dir / LOCK, "a", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AssessError(
                f"{processed_dir}: another `assess ingest` is writing this store; wait for it to finish, then run it again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _point(link: Path, target: str) -> None:
    """Make ``link`` a symbolic link to ``target`` in one step (a temporary link renamed over it)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(link.parent)


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link of ``source`` at ``target`` (a version reuses an earlier version's file), or a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_frame(df: pd.DataFrame, target: Path) -> None:
    """Write ``df`` as Parquet (zstd), with its pandas metadata (so its dtypes can be restored)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), target, compression="zstd")


#: Files a version holds beside its manifest, not recorded in it (so not in its checksum): records
#: of the build, which a build of the same manifest replaces (the raw files' stamps: assess.store.ingest).
RAW_STAMPS = "raw_stamps.json"
SIDECARS = (RAW_STAMPS,)


class VersionBuilder:
    """A version of the store being written (see the module docstring)."""

    def __init__(self, processed_dir: str | Path) -> None:
        self.base = Path(processed_dir)
        versions = self.base / VERSIONS
        versions.mkdir(parents=True, exist_ok=True)
        self.folder = versions / f"{_TMP}{os.getpid()}-{secrets.token_hex(4)}"
        self.folder.mkdir()
        self.committed: Path | None = None

    def file(self, relative: str) -> Path:
        """The path of a file of the new version (its folder made)."""
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def entry(self, relative: str, rows: int, **extra: object) -> dict:
        """The manifest entry of a written file: its path, SHA-256, size and rows."""
        path = self.folder / relative
        return {"path": relative, "sha256": sha256_file(path), "bytes": path.stat().st_size, "rows": int(rows), **extra}

    def write_table(self, name: str, df: pd.DataFrame, *, pandas_dtypes: bool = False) -> dict:
        """Write a table in one file; return its manifest entry."""
        relative = f"tables/{safe_name(name)}.parquet"
        write_frame(df, self.file(relative))
        return self.entry(relative, len(df), **({"dtypes": "pandas"} if pandas_dtypes else {}))

    def reuse(self, source: Path, relative: str) -> None:
        """Put an earlier version's file (unchanged inputs) into this version at ``relative``."""
        link_or_copy(source, self.file(relative))

    def commit(self, manifest: dict) -> Path:
        """Write the manifest, make the version final and switch ``current`` to it; its folder."""
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (self.folder / MANIFEST).write_text(text, encoding="utf-8")
        os.chmod(self.folder, 0o755)
        vid = sha256_file(self.folder / MANIFEST)[:16]
        final = self.base / VERSIONS / vid
        if final.exists():  # the same inputs built before: keep the one there if it is whole
            from assess.store.processed import Store

            if Store(final).verify():  # damaged (it may be the current one): the new one goes beside it
                vid = f"{vid}-{secrets.token_hex(4)}"
                final = self.base / VERSIONS / vid
                os.replace(self.folder, final)
            else:  # whole: kept, with this build's records beside its manifest (atomically each)
                for name in SIDECARS:
                    if (self.folder / name).is_file():
                        os.replace(self.folder / name, final / name)
                shutil.rmtree(self.folder)
        else:
            os.replace(self.folder, final)
        _fsync_dir(final.parent)
        _point(self.base / CURRENT, f"{VERSIONS}/{vid}")
        self.committed = final
        link = self.base / MANIFEST
        if link.is_symlink() and os.readlink(link) == f"{CURRENT}/{MANIFEST}":
            return final
        _point(link, f"{CURRENT}/{MANIFEST}")  # also replaces the manifest of the older flat layout
        return final

    def abort(self) -> None:
        """Remove what was written (the current version is untouched)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def clean_versions(processed_dir: Path, keep: set[str]) -> list[Path]:
    """Remove the versions not in ``keep`` (folder names), the temporary folders of killed ingests
    and the tables of the older flat layout. Call holding :func:`ingest_lock`. Returns what was removed."""
    removed: list[Path] = []
    versions = processed_dir / VERSIONS
    for folder in sorted(versions.iterdir()) if versions.is_dir() else []:
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink(missing_ok=True)
            removed.append(folder)
    for stale in processed_dir.glob("*.parquet"):  # the flat layout's tables, now in a version
        stale.unlink(missing_ok=True)
        removed.append(stale)
    return removed + clean_leftovers(processed_dir)


def clean_leftovers(processed_dir: Path) -> list[Path]:
    """Remove only what killed ingests left: ``versions/.tmp-*`` folders and temporary ``current``
    links (every finished version is kept). Call holding :func:`ingest_lock`."""
    removed: list[Path] = []
    versions = processed_dir / VERSIONS
    for folder in sorted(versions.glob(f"{_TMP}*")) if versions.is_dir() else []:
        shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() and not folder.is_symlink() else folder.unlink(missing_ok=True)
        removed.append(folder)
    for tmp in [*processed_dir.glob(f".{CURRENT}.*.tmp"), *processed_dir.glob(f".{MANIFEST}.*.tmp")]:
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def store_write_error(processed_dir: Path, exc: BaseException) -> StoreError:
    """A clear error for a write that failed (a full or read-only disk): the previous version stands."""
    reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
    full = getattr(exc, "errno", None) == errno.ENOSPC or "space" in str(exc).lower()
    hint = "free some disk space" if full else "check the folder can be written"
    return StoreError(
        f"{processed_dir}: could not write the new version of the processed store ({reason}); the previous "
        f"version is unchanged and still in use. What to do: {hint}, then run `assess ingest` again"
    )


def write_tables(processed_dir: str | Path, tables: dict[str, pd.DataFrame], **manifest: object) -> Path:
    """Write a version holding ``tables`` (each in one file, plus ``manifest`` fields) and switch to it.

    For tools and tests that make a store without raw files; :func:`assess.store.ingest.ingest`
    is the way from data/raw. Returns the version's folder.
    """
    from assess.store.processed import FORMAT

    builder = VersionBuilder(processed_dir)
    try:
        entries = {name: builder.write_table(name, df) for name, df in tables.items()}
        return builder.commit({"format": FORMAT, **manifest, "tables": entries})
    except BaseException:
        builder.abort()
        raise
