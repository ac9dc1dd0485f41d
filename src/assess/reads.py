"""What a chapter read, recorded as it reads it: the inputs its cached outputs depend on.

A chapter's outputs may be reused by a later run (:mod:`assess.report.cache`) only while every
input it read is unchanged, so the inputs are recorded where they are read rather than declared
beside the chapter (a declaration goes stale the day a section reads one more file; a record
cannot). In a chapter kernel started by :mod:`assess.report.execute` (environment variable
:data:`ENV` set to ``1``):

- :func:`begin` (called by :func:`assess.measure.context.load_context`, every chapter's first
  call) starts a fresh record and watches the raw and configuration folders: every file opened
  for reading and every folder listed under them is recorded, through a Python audit hook
  (``sys.addaudithook``: ``open``, ``os.listdir``, ``os.scandir``), whichever module reads it;
- the processed store's tables are recorded by the context's store (:func:`table`: pyarrow opens
  them outside Python's ``open``), and each place whose answer depends on whether a file exists
  (an absent partner file, narrative or boundary file, the CSP's own partner folder) records
  that with :func:`exists`;
- :func:`bind` (called by :class:`assess.report.outputs.ChapterOutputs`) names the chapter, and
  from then on the record is kept in ``<output_dir>/.reads/<chapter>.json``, rewritten
  atomically whenever it grows.

Outside such a kernel (a notebook run by hand, a test) every function here does nothing. A chapter
that produced no record is never reused. Paths are absolute and not resolved through symbolic
links; the record says only *what* was read: the cache checksums it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

#: The environment variable that turns recording on (set for every chapter kernel).
ENV = "ASSESS_RECORD_READS"
#: The folder of the records, inside a chapter's output folder (removed before publication).
READS_DIR = ".reads"
#: The kinds of read a record holds: a file's bytes, a folder's names, whether a path exists,
#: a table of the processed store.
KINDS = ("read", "list", "exists", "table")

_READ_ONLY = os.O_RDONLY
_ACCESS = os.O_ACCMODE


@dataclass
class _Record:
    roots: tuple[str, ...]
    reads: dict[tuple[str, ...], None] = field(default_factory=dict)
    target: Path | None = None


_state: dict[str, _Record | None] = {"record": None}
_local = threading.local()
_hooked = {"on": False}


def enabled() -> bool:
    """True in a kernel whose reads are recorded (:data:`ENV` is ``1``)."""
    return os.environ.get(ENV) == "1"


def begin(*roots: str | Path) -> None:
    """Start a fresh record whose files opened or listed under ``roots`` are recorded."""
    if not enabled():
        return
    folders = tuple(dict.fromkeys(os.path.join(os.path.abspath(r), "") for r in roots if r is not None))
    _state["record"] = _Record(roots=folders)
    if not _hooked["on"]:
        sys.addaudithook(_audit)
        _hooked["on"] = True


def bind(output_dir: str | Path, chapter: str) -> None:
    """Keep the current record as ``chapter``'s, in ``<output_dir>/.reads/<chapter>.json``."""
    record = _state["record"]
    if record is None or not enabled():
        return
    record.target = Path(output_dir).absolute() / READS_DIR / f"{chapter}.json"
    _save(record)


def end() -> None:
    """Stop recording (a reused kernel calls it before the next chapter)."""
    _state["record"] = None


def note(kind: str, *target: str) -> None:
    """Record one read of ``kind`` (:data:`KINDS`)."""
    record = _state["record"]
    if record is None:
        return
    key = (kind, *target)
    if key in record.reads:
        return
    record.reads[key] = None
    if record.target is not None:
        _save(record)


def file(path: str | Path) -> None:
    """Record a read of the file at ``path`` (one whose contents a process cache may give unopened)."""
    note("read", os.path.abspath(path))


def exists(path: str | Path) -> None:
    """Record that what follows depends on whether ``path`` exists (and is a file or a folder)."""
    note("exists", os.path.abspath(path))


def table(processed_dir: str | Path, name: str) -> None:
    """Record a read (or a look for) table ``name`` of the store at ``processed_dir``."""
    note("table", os.path.abspath(processed_dir), name)


def load(path: str | Path) -> list[tuple[str, ...]]:
    """The reads a record file holds; ValueError when it is not one."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("reads"), list):
        raise ValueError(f"{path}: not a record of reads")  # noqa: TRY004 - bad file content, not a bad argument
    reads = [tuple(str(x) for x in r) for r in data["reads"]]
    for r in reads:
        if not r or r[0] not in KINDS or len(r) != (3 if r[0] == "table" else 2):
            raise ValueError(f"{path}: not a read: {list(r)}")
    return reads


def _save(record: _Record) -> None:
    target = record.target
    assert target is not None
    _local.busy = True
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"reads": [list(r) for r in record.reads]}, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    finally:
        _local.busy = False


def _under(path: object, roots: tuple[str, ...]) -> str | None:
    if isinstance(path, int) or path is None:
        return None
    try:
        text = os.path.abspath(os.fsdecode(path))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return text if any(text.startswith(r) or text + os.sep == r for r in roots) else None


def _audit(event: str, args: tuple) -> None:
    if event != "open" and event != "os.listdir" and event != "os.scandir":
        return
    record = _state["record"]
    if record is None or getattr(_local, "busy", False):
        return
    if event == "open":
        path, mode, flags = args
        if isinstance(mode, str):
            if any(c in mode for c in "wax+"):
                return
        elif not isinstance(flags, int) or flags & _ACCESS != _READ_ONLY:
            return
        found = _under(path, record.roots)
        if found is not None:
            note("read", found)
    else:
        found = _under(args[0] if args and args[0] is not None else ".", record.roots)
        if found is not None:
            note("list", found.rstrip(os.sep) or os.sep)
