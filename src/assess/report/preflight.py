"""What ``assess run`` checks before a bundle runs, remembered while everything it read is unchanged.

Before a bundle of one CSP and year runs, ``assess run`` refuses a processed store that does not
match its manifest, a year the store holds no data for and a configuration whose partner files
lie outside the raw folder or whose ward boundaries are missing (:func:`assess.report.bundle.check_inputs`);
it warns of what the data cannot support (the configuration checks of ``assess csp check``);
and the bundle's pages state which months the year holds (the coverage sentence). These read the
store with pandas and import the partner readers (pandera): over 2 s of imports before anything
is known to need running, most of an unchanged rerun.

:class:`Preflight` is their outcome (the warnings and the coverage sentence), kept in the cache
(``<cache>/<csp>/<year>/preflight.json``) under a key of everything they depend on
(:func:`preflight_key`): the ``assess`` package's code, the configuration (and its file), the
year, the store's version and the SHA-256 of its manifest (which holds every table's SHA-256),
and a listing of the raw folder (every entry's path, kind, size, times and inode, and where each
symbolic link leads, so that a partner file moved, replaced or linked elsewhere counts). It is
recalled only when the key is the same now and the store's files still match the manifest
(checked by size and SHA-256, the checksum remembered while a file's size, times and inode are
unchanged: :class:`assess.report.cache.Checksums`); otherwise the checks run again. A memo is
written only after the checks passed, and only when the key did not change while they ran and no
file may have changed within the filesystem's last tick (git's rule for 'racily clean' files:
:func:`assess.file_stamps.filesystem_now`), where a change could hide.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assess.config import CSPConfig
from assess.file_stamps import changed_recently, filesystem_now
from assess.report.cache import (
    FORMAT, Checksums, _digest, _hash_file, _write_json_atomic, bundle_slot, code_fingerprint,
)

PREFLIGHT = "preflight.json"


@dataclass(frozen=True)
class Preflight:
    """The outcome of the checks before a bundle runs: the warnings shown and the coverage sentence."""

    warnings: tuple[str, ...]
    coverage: str


@dataclass(frozen=True)
class PreflightKey:
    """The key of the checks' inputs as they are now, and whether a file of them changed just now."""

    digest: str
    racy: bool


def raw_listing(raw_dir: Path, now_ns: int | None = None) -> tuple[list[list[Any]], bool]:
    """Every entry under ``raw_dir`` (symbolic links not followed): its relative path, kind, size,
    modification and change times (ns) and inode, and for a link where it leads; and whether any
    entry may have changed just now: stamped at or after ``now_ns``, the filesystem's time stamp
    taken before the listing (:func:`assess.file_stamps.filesystem_now`), or, without it, in the
    last :data:`assess.file_stamps.RACY_SECONDS`."""
    entries: list[list[Any]] = []
    newest = 0
    root = Path(raw_dir)
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in [*dirs, *sorted(files)]:
            path = Path(folder, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            link = [os.readlink(path), os.path.realpath(path)] if path.is_symlink() else []
            kind = "link" if link else "dir" if name in dirs else "file"
            entries.append([path.relative_to(root).as_posix(), kind, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                            st.st_ino, *link])
            newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    return entries, bool(entries) and changed_recently(newest, now_ns)


def store_intact(processed_dir: Path, sums: Checksums) -> tuple[str, str] | None:
    """The store's version folder and the SHA-256 of its manifest when every file the manifest
    lists has its recorded size and SHA-256; None when not (or when there is no store)."""
    from assess.store import Store

    store = Store(processed_dir)
    try:
        root = store.root
        manifest = store.manifest()
        if not manifest:
            return None
        files = [f for name in store.tables() for f in store.files(name)]
        files += [dict(s) for s in manifest.get("sources", {}).values()]
        for f in files:
            path = root / f["path"]
            if f.get("bytes") is not None and path.stat().st_size != f["bytes"]:
                return None
            if not f.get("sha256") or sums.of(path) != f["sha256"]:
                return None
        return str(root), _hash_file(store.manifest_path)
    except Exception:  # noqa: BLE001 - any doubt about the store: the checks run and say what is wrong
        return None


def preflight_key(cfg: CSPConfig, year: str, raw_dir: Path, processed_dir: Path, sums: Checksums,
                  stamp_folders: Sequence[Path] = ()) -> PreflightKey | None:
    """The key of the checks' inputs now (see the module docstring); None when the store is not whole.
    ``stamp_folders``: folders, the first that exists on the raw folder's filesystem being used, where
    the filesystem's time stamp is taken to tell a file changed just now (:func:`raw_listing`)."""
    store = store_intact(Path(processed_dir), sums)
    if store is None:
        return None
    now_ns = filesystem_now(Path(raw_dir), stamp_folders) if stamp_folders else None
    listing, racy = raw_listing(Path(raw_dir), now_ns)
    digest = _digest({
        "format": FORMAT, "code": code_fingerprint(), "config": cfg.model_dump(mode="json"),
        "config_file": [str(cfg.source), _hash_file(cfg.source)] if cfg.source is not None and cfg.source.is_file() else None,
        "year": year, "raw": [os.path.realpath(raw_dir), listing], "store": list(store),
    })
    return PreflightKey(digest, racy)


def _memo_path(cache_root: Path, slug: str, year_folder: str) -> Path:
    return Path(cache_root) / bundle_slot(slug, year_folder) / PREFLIGHT


def recall(cache_root: Path, slug: str, year_folder: str, key: PreflightKey | None) -> Preflight | None:
    """The checks' outcome remembered under ``key``, or None (no memo, another key, damaged)."""
    if key is None:
        return None
    try:
        data = json.loads(_memo_path(cache_root, slug, year_folder).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("key") != key.digest:
            return None
        warnings, coverage = data["warnings"], data["coverage"]
        if not isinstance(coverage, str) or not all(isinstance(w, str) for w in warnings):
            return None
        return Preflight(tuple(warnings), coverage)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def remember(cache_root: Path, slug: str, year_folder: str, before: PreflightKey | None, after: PreflightKey | None,
             outcome: Preflight) -> bool:
    """Keep ``outcome`` under the key taken before the checks ran, if it is the key after them too
    and no input changed just now; True if kept (a cache that cannot be written only costs time)."""
    if before is None or after is None or before.digest != after.digest or before.racy or after.racy:
        return False
    try:
        _write_json_atomic(_memo_path(cache_root, slug, year_folder), {
            "format": FORMAT, "key": before.digest, "warnings": list(outcome.warnings), "coverage": outcome.coverage,
        })
    except OSError:
        return False
    return True
