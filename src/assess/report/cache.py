"""Incremental runs: each chapter's outputs, and the whole bundle, reused while their inputs are unchanged.

A chapter's cache entries live under ``<cache>/<csp>/<year>/<chapter>/``, each for a ``key``,
the SHA-256 of what is known before it runs (:meth:`BundleCache.chapter_key`): the notebook's
bytes, the parameters, the code of the ``assess`` package (its version and a checksum of its
files, so an edited module counts), the versions of the Python packages, the kernel's
environment and the chapter registry. The entry holds what the chapter published (its executed
notebook, tables, figures, metrics, findings, catalogue) and the inputs it read, as
:mod:`assess.reads` recorded them while it ran, each with its checksum then: store tables and
partner files, narrative files, the CSP configuration, folders listed, paths whose existence it
tested. A chapter that reads the other chapters' outputs (the registry's later phases: the
scorecard, the summary) also records a checksum of those outputs as they are in this run.

The entry is reused only when every recorded input has the same checksum now (and, for a later
phase, the outputs it reads are the same); otherwise the chapter is executed and the entry
replaced. So a changed partner file re-executes the chapters that read it, then the chapters that
read their outputs if those changed. A chapter that failed, or that left no record of its reads,
is never stored; neither is one whose inputs changed while it ran.

When every chapter's entry is reused, the published files of the bundle (HTML, PDF, workbook,
index, metrics.json: everything but the manifest) are themselves reused from a bundle entry under
``<cache>/<csp>/<year>/bundle/<key>/``, keyed on the chapters' entries and everything else the
bundle's own pages depend on, so an unchanged rerun executes, renders and lays out nothing.

Entries are written into a temporary folder and renamed into place, and every file is checked
against its recorded SHA-256 as it is copied out, so a cache that is deleted, cut short or damaged
only costs time: a bad entry is ignored (and replaced). Each CSP and year keeps the :data:`KEEP`
most recently used entries of each chapter, and of the bundle (a partner file changed and
changed back finds its first entry again). Checksums of large inputs are remembered in ``<cache>/checksums.json`` while the file's
size, modification and change times and inode are unchanged (not for a file changed in the
last seconds, which a same-tick change could hide).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import assess
from assess import reads
from assess.file_stamps import changed_recently, file_stamp
from assess.registry import REGISTRY_FILE, Registry
from assess.report.execute import ChapterRun, chapter_name

#: The layout of entries this code writes; entries of another format are ignored.
FORMAT = 1
#: Folder of the cache, under the reports folder, unless given.
CACHE_DIR = ".cache"
ENTRY = "entry.json"
FILES = "files"
#: Folders of the bundle that are not chapter outputs (written by the bundle, or records).
NOT_CHAPTER_OUTPUTS = frozenset({"html", reads.READS_DIR})
#: Entries kept for each chapter of a CSP and year (a file changed and changed back finds its first entry).
KEEP = 4


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(obj: Any) -> str:
    """SHA-256 of ``obj`` as canonical JSON."""
    return _sha256(json.dumps(obj, sort_keys=True, ensure_ascii=True, default=str).encode())


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=4)
def _code_fingerprint(package_dir: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for rel, _, _ in stamp:
        h.update(rel.encode() + b"\0")
        h.update(Path(package_dir, rel).read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def code_fingerprint() -> str:
    """``assess``'s version and a SHA-256 of every file of the package (an edited module counts)."""
    folder = Path(assess.__file__).parent
    stamp = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"):
            st = p.stat()
            stamp.append((p.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns))
    return f"{assess.__version__}+{_code_fingerprint(str(folder), tuple(stamp))}"


class Checksums:
    """SHA-256 of files, remembered on disk while a file's size, times and inode are unchanged."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, list[Any]] = {}
        self.changed = False
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict):
                    self.known = data["files"]
            except (OSError, ValueError):
                pass  # no memory yet, or a damaged one: every file is hashed again

    def of(self, path: Path) -> str | None:
        """The file's SHA-256, None when it is not a file."""
        try:
            stamp = file_stamp(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        key = str(path)
        kept = self.known.get(key)
        if kept is not None and kept[:4] == stamp:
            return str(kept[4])
        digest = _hash_file(path)
        if not changed_recently(max(stamp[1], stamp[2]), None):
            self.known[key] = [*stamp, digest]
            self.changed = True
        return digest

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        _write_json_atomic(self.path, {"format": FORMAT, "files": self.known})
        self.changed = False


def bundle_slot(csp: str, year: str) -> str:
    """The folder, within the cache, of everything cached for the bundle of ``csp`` (a slug) and
    ``year`` (a folder name): its chapters, its pages and its preflight."""
    return f"{csp}/{year}"


def holds_bundle(root: Path, csp: str, year: str) -> bool:
    """Whether the cache in ``root`` holds anything of that bundle (it has been built before)."""
    return (Path(root) / bundle_slot(csp, year)).is_dir()


def _write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _tree_digest(folder: Path, sums: Checksums) -> str:
    """A folder's files and their checksums (a table kept in parts)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return _digest([[p.relative_to(folder).as_posix(), sums.of(p)] for p in files])


_stores: dict[tuple[Any, ...], Any] = {}
_stores_lock = threading.Lock()


def current_store(processed_dir: str) -> Any:
    """The :class:`assess.store.Store` of the version ``processed_dir`` holds now, its manifest read
    once while that version and its manifest file are unchanged (every read of a chapter names a
    table: parsing the manifest for each was most of an unchanged rerun's checks)."""
    from assess.store import MANIFEST, Store, version_folder

    root = version_folder(processed_dir)
    try:
        st = (root / MANIFEST).stat()
    except OSError:  # no store there (yet): nothing to remember
        return Store(processed_dir)
    key = (processed_dir, str(root), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            _stores.clear()
            store = _stores[key] = Store(root)
    return store


def fingerprint(read: Sequence[str], sums: Checksums) -> str:
    """What a recorded read (:mod:`assess.reads`) saw, as it is now: a checksum, a listing or a kind."""
    kind = read[0]
    if kind == "table":
        try:
            store = current_store(read[1])
            if not store.has(read[2]):
                return "absent"
            path = store.path(read[2])
        except Exception as exc:  # noqa: BLE001 - a damaged store: never equal to a whole one
            return f"unreadable: {type(exc).__name__}"
        if path.is_dir():
            return "tree:" + _tree_digest(path, sums)
        digest = sums.of(path)
        return "absent" if digest is None else f"file:{digest}"
    path = Path(read[1])
    if kind == "exists":
        return "dir" if path.is_dir() else "file" if path.is_file() else "absent"
    if kind == "list":
        try:
            return "names:" + _digest(sorted(os.listdir(path)))
        except OSError:
            return "absent"
    if kind == "read":
        if path.is_dir():
            return "dir"
        digest = sums.of(path)
        return "absent" if digest is None else f"file:{digest}"
    raise ValueError(f"unknown kind of read: {kind}")


def _changed_since(read: Sequence[str], since: float) -> bool:
    """True when the file (or table) a read names was changed after ``since`` (a time.time())."""
    if read[0] == "table":
        from assess.store import Store

        store = Store(read[1])
        try:
            path = store.path(read[2]) if store.has(read[2]) else None
        except Exception:  # noqa: BLE001 - a damaged store: treated as changed
            return True
        if path is None:
            return False
        paths = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    elif read[0] == "read":
        paths = [Path(read[1])]
    else:
        return False
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            continue
        if max(st.st_mtime_ns, st.st_ctime_ns) / 1e9 >= since:
            return True
    return False


def chapter_outputs(bundle: Path, chapter: str) -> list[str]:
    """The files ``chapter`` published into ``bundle`` (``<folder>/<chapter>.*`` and
    ``<folder>/<chapter>__*``), as relative paths, sorted."""
    found: list[str] = []
    for folder in sorted(p for p in bundle.iterdir() if p.is_dir() and p.name not in NOT_CHAPTER_OUTPUTS):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and (path.name.startswith(f"{chapter}.") or path.name.startswith(f"{chapter}__")):
                found.append(path.relative_to(bundle).as_posix())
    return found


def _copy_checked(src: Path, dst: Path, expected: str) -> bool:
    """Copy ``src`` to ``dst``; False (and nothing left at ``dst``) when its bytes are not ``expected``."""
    data = src.read_bytes()
    if _sha256(data) != expected:
        return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(data)
    return True


@dataclass
class _Entry:
    folder: Path
    data: dict[str, Any]

    @property
    def outputs(self) -> dict[str, str]:
        return dict(self.data["outputs"])

    @property
    def digest(self) -> str:
        return str(self.data["outputs_digest"])

    def restore(self, bundle: Path) -> bool:
        """Copy the entry's files into ``bundle``; False (nothing left behind) when one is damaged."""
        done: list[Path] = []
        try:
            for rel, sha in self.outputs.items():
                dst = bundle / rel
                if not _copy_checked(self.folder / FILES / rel, dst, sha):
                    raise ValueError(rel)
                done.append(dst)
        except (OSError, ValueError):
            for p in done:
                p.unlink(missing_ok=True)
            return False
        return True


def _store_entry(folder: Path, data: dict[str, Any], bundle: Path, files: Mapping[str, str]) -> None:
    """Write an entry whole: files and ``entry.json`` into a temporary folder, then one rename;
    the slot (the entry's parent) keeps its :data:`KEEP` most recently used entries."""
    slot = folder.parent
    slot.mkdir(parents=True, exist_ok=True)
    tmp = slot / f".tmp-{uuid.uuid4().hex}"
    try:
        for rel in files:
            dst = tmp / FILES / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bundle / rel, dst)
        _write_json_atomic(tmp / ENTRY, data)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in _entries(slot)[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def _entries(slot: Path) -> list[Path]:
    """The entries of a slot, most recently used first (temporary folders of other writers left alone)."""
    try:
        found = [p for p in slot.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []

    def used(p: Path) -> int:
        try:
            return (p / ENTRY).stat().st_mtime_ns
        except OSError:
            return 0

    return sorted(found, key=used, reverse=True)


def _touch(entry: _Entry) -> None:
    try:
        os.utime(entry.folder / ENTRY)
    except OSError:
        pass


def _load_entry(folder: Path, key: str) -> _Entry | None:
    try:
        data = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return None
    if not isinstance(data.get("outputs"), dict) or not isinstance(data.get("reads", []), list):
        return None
    return _Entry(folder, data)


class NotCached(Exception):
    """The bundle entry could not be restored (absent or damaged)."""


def outputs_digest(outputs: Mapping[str, str], status: str) -> str:
    return _digest({"status": status, "outputs": dict(sorted(outputs.items()))})


@dataclass
class BundleCache:
    """The cache of one bundle run: which chapters to reuse, and storing the ones executed.

    ``static`` is what every key shares (parameters, environment, registry checksum, code);
    ``force`` executes every chapter (and stores the results); ``since`` is the run's start.
    """

    root: Path
    slot: str
    registry: Registry
    sources: list[Path]
    static: dict[str, Any]
    force: bool = False
    since: float = field(default_factory=time.time)
    sums: Checksums = field(init=False)
    digests: dict[str, str] = field(default_factory=dict, init=False)
    reused: set[str] = field(default_factory=set, init=False)

    @classmethod
    def open(
        cls, root: Path, csp: str, year: str, registry: Registry, sources: Sequence[Path],
        parameters: Mapping[str, Any], *, environment: Mapping[str, Any], force: bool = False,
    ) -> BundleCache:
        """The cache of the bundle of ``csp`` (a slug) and ``year`` (a folder name) in ``root``.

        ``environment`` is what the kernels run on (package versions, interpreter, environment
        variables): part of every key, like the parameters, the registry and the package's code.
        """
        static = {
            "parameters": dict(parameters), "environment": dict(environment), "code": code_fingerprint(),
            "registry": _hash_file(registry.folder / REGISTRY_FILE),
        }
        return cls(Path(root), bundle_slot(csp, year), registry, list(sources), static, force=force)

    def __post_init__(self) -> None:
        self.sums = Checksums(self.root / "checksums.json")
        self.lock = threading.RLock()
        self.phase = {c.name: c.phase for c in self.registry}
        self.run_names = [chapter_name(s) for s in self.sources]
        self.notebook_sha = {chapter_name(s): _hash_file(s) for s in self.sources}

    def _fingerprint(self, read: Sequence[str]) -> str:
        with self.lock:
            return fingerprint(read, self.sums)

    # -- keys -------------------------------------------------------------------------------------
    def chapter_key(self, chapter: str) -> str:
        """The key of ``chapter`` before it runs (see the module docstring)."""
        return _digest({"format": FORMAT, "chapter": chapter, "notebook": self.notebook_sha[chapter], **self.static})

    def _slot(self, chapter: str) -> Path:
        return self.root / self.slot / chapter

    def upstream(self, chapter: str, digests: Mapping[str, str]) -> str | None:
        """For a chapter of a later phase, a checksum of the outputs of the chapters before it in
        this run (None for a first-phase chapter); raises KeyError when one is not known yet."""
        phase = self.phase.get(chapter, 1)
        if phase <= 1:
            return None
        before = [c for c in self.run_names if self.phase.get(c, 1) < phase]
        return _digest({c: digests[c] for c in before})

    # -- lookup -----------------------------------------------------------------------------------
    def _valid(self, chapter: str, digests: Mapping[str, str], *, forced: bool = False) -> _Entry | None:
        """The entry of ``chapter`` whose every recorded input is unchanged now (None under
        ``force``, unless ``forced``: the entries this run has just stored)."""
        if self.force and not forced:
            return None
        key = self.chapter_key(chapter)
        try:
            upstream = self.upstream(chapter, digests)
        except KeyError:
            return None
        for folder in _entries(self._slot(chapter)):
            entry = _load_entry(folder, key)
            if entry is None or entry.data.get("upstream") != upstream:
                continue
            try:
                if all(self._fingerprint(read[:-1]) == read[-1] for read in entry.data["reads"]):
                    return entry
            except (KeyError, ValueError, TypeError, IndexError):
                continue
        return None

    def reuse(self, source: Path, executed_dir: Path) -> ChapterRun | None:
        """The chapter's run restored from its entry into the bundle, or None to execute it."""
        chapter = chapter_name(source)
        entry = self._valid(chapter, self.digests)
        bundle = executed_dir.parent
        if entry is None or not entry.restore(bundle):
            return None
        _touch(entry)
        self.digests[chapter] = entry.digest
        self.reused.add(chapter)
        return ChapterRun(chapter, source, executed_dir / source.name, "ok", 0.0, cached=True)

    def save(self, run: ChapterRun) -> None:
        """Store an executed chapter's outputs and reads (not a failed one, nor one without a record)."""
        if run.cached:
            return
        bundle = run.executed.parent.parent
        files = chapter_outputs(bundle, run.chapter)
        outputs = {rel: _hash_file(bundle / rel) for rel in files}
        self.digests[run.chapter] = outputs_digest(outputs, run.status)
        if run.status != "ok":
            return
        try:
            recorded = reads.load(bundle / reads.READS_DIR / f"{run.chapter}.json")
        except (OSError, ValueError):
            return  # no record of what it read: never reused
        if any(_changed_since(r, self.since) for r in recorded):
            return  # an input changed while the chapter ran: its outputs may be of either version
        try:
            upstream = self.upstream(run.chapter, self.digests)
        except KeyError:
            return
        key = self.chapter_key(run.chapter)
        seen = [[*r, self._fingerprint(r)] for r in recorded]
        data = {
            "format": FORMAT, "chapter": run.chapter, "key": key, "reads": seen,
            "upstream": upstream, "outputs": outputs, "outputs_digest": self.digests[run.chapter],
            "seconds": round(run.seconds, 2),
        }
        try:
            _store_entry(self._slot(run.chapter) / _digest([key, upstream, seen])[:32], data, bundle, outputs)
            with self.lock:
                self.sums.save()
        except OSError:
            pass  # a cache that cannot be written only costs time next run

    # -- the whole bundle -------------------------------------------------------------------------
    def bundle_key(self, pages: Mapping[str, Any], *, stored: bool = False) -> str | None:
        """The key of the bundle's published files when every chapter's entry is valid now, else None.

        ``pages`` is what the bundle's own pages depend on beyond the chapters (configuration,
        page context, the processed store's manifest checksum, ...). ``stored``: the key under
        which to store the bundle this run made (under ``force`` too)."""
        if self.force and not stored:
            return None
        digests: dict[str, str] = {}
        for phase in self.registry.phases([c for c in self.registry if c.name in self.run_names]):
            for c in phase:
                entry = self._valid(c.name, digests, forced=stored)
                if entry is None:
                    return None
                digests[c.name] = entry.digest
        return _digest({"format": FORMAT, "chapters": [[c, self.chapter_key(c), digests[c]] for c in self.run_names],
                        "pages": dict(pages), **self.static})

    def _bundle_folder(self, key: str) -> Path:
        return self.root / self.slot / "bundle" / key[:32]

    def restore_bundle(self, key: str, bundle: Path) -> tuple[dict[str, Any], dict[str, str]]:
        """Copy the bundle entry of ``key`` into ``bundle``; returns its summary (the manifest's
        chapter entries, PDF pages, warnings) and the SHA-256 of every file copied (each checked as
        it was copied). NotCached when there is none or it is damaged."""
        entry = _load_entry(self._bundle_folder(key), key)
        if entry is None or not isinstance(entry.data.get("summary"), dict) or not entry.restore(bundle):
            raise NotCached(key)
        _touch(entry)
        summary = dict(entry.data["summary"])
        if [c.get("chapter") for c in summary.get("chapters", [])] != self.run_names:
            raise NotCached(key)
        return summary, entry.outputs

    def save_bundle(self, key: str | None, bundle: Path, summary: Mapping[str, Any]) -> None:
        """Store the bundle's published files (all but ``manifest.json``) under ``key``."""
        if key is None:
            return
        files = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*")
                       if p.is_file() and p.name != "manifest.json" and reads.READS_DIR not in p.parts)
        outputs = {rel: _hash_file(bundle / rel) for rel in files}
        data = {"format": FORMAT, "key": key, "outputs": outputs, "outputs_digest": outputs_digest(outputs, "ok"),
                "summary": dict(summary)}
        try:
            _store_entry(self._bundle_folder(key), data, bundle, outputs)
        except OSError:
            pass
