"""Atomic writes: write to a temporary file beside the target, then rename over it.

A reader never sees a half-written file, and a run killed midway leaves the previous file intact.

Folders are published whole in one of two ways:

- :func:`atomic_directory` replaces a plain folder: the new one is swapped with the old in one
  step (``renameat2(RENAME_EXCHANGE)`` on Linux), then the old one is removed;
- :func:`published_directory` publishes a *versioned* folder: each version is built beside the
  target and the target is a symbolic link switched to the new version by one ``rename(2)``.
  Runs on the same target are serialised by a lock (:func:`exclusive_lock`); the layout is
  described in :func:`published_directory`.

Either way, a reader of the target always sees a whole folder, and a run killed at any moment
leaves the previous one in place; the leftovers of killed runs are removed by the next run
(:func:`remove_stale_folders`).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from assess.errors import AssessError


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it onto ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; published files are for reading by others
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(target: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically and return the target path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(target)


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the target path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def _rename(src: Path, dst: Path) -> None:
    """``rename(2)``: ``src`` takes the place of ``dst`` in one step (the one place this module renames)."""
    os.replace(src, dst)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system or the file system cannot, having changed nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, f"cannot exchange {a} and {b}: {os.strerror(code)}")


def _fsync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (ignored where folders cannot be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Remove a file, a symbolic link (not what it points to) or a folder tree."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A fresh folder beside ``target`` to build it in, named ``.<name>.<pid>.<random>.tmp`` (so
    that :func:`remove_stale_folders` knows whose it is): removed when the body fails, readable by
    others when it succeeds (``mkdtemp`` makes it 0700). The caller publishes it."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.chmod(tmp, 0o755)


@contextlib.contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary folder beside ``target``; on success it replaces ``target`` whole.

    Where the system can exchange two paths in one step (Linux), the new folder and the old one
    are swapped and the old one removed: ``target`` is never missing. Elsewhere the old folder is
    moved aside first (a window of two renames). A run killed midway leaves the previous folder
    intact. The temporary folder's name carries the process id; folders left by runs whose
    process has gone are removed (:func:`remove_stale_folders`).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_folders(target)
    with _staged(target) as tmp:
        yield tmp
    if target.exists() and _exchange(tmp, target):
        _fsync_folder(target.parent)
        _remove(tmp)  # now the old folder
        return
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        _remove(old)
        _rename(target, old)
    _rename(tmp, target)
    _fsync_folder(target.parent)
    if old is not None:
        _remove(old)


# -- versioned folders behind a symbolic link --------------------------------------------------------
class FolderBusyError(AssessError):
    """Another run holds the lock of the folder this run would publish."""

    exit_status = 1  # not bad input: the same command succeeds once the other run is done


def lock_path(target: str | Path) -> Path:
    """The lock file of ``target``: ``.<name>.lock`` beside it (kept: removing it would race)."""
    target = Path(target)
    return target.with_name(f".{target.name}.lock")


def versions_folder(target: str | Path) -> Path:
    """The folder of ``target``'s versions: ``.<name>.versions`` beside it."""
    target = Path(target)
    return target.with_name(f".{target.name}.versions")


@contextlib.contextmanager
def exclusive_lock(path: str | Path, what: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if absent), or raise FolderBusyError at
    once, naming the process that holds it. ``what`` says what the lock protects, for the message.

    The lock is released when the process ends, however it ends: a killed run never leaves a
    folder locked.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise FolderBusyError(
                f"{what} is being written by another run ({holder}); wait for it to finish, "
                "or stop it, then run again"
            ) from None
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, since {stamp}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _version_name() -> str:
    """A new version's folder name: its UTC time to the microsecond and the process id."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}"


def current_version(target: str | Path) -> Path | None:
    """The version folder ``target`` links to (None when ``target`` is not such a link)."""
    target = Path(target)
    if not target.is_symlink():
        return None
    return (target.parent / os.readlink(target)).resolve()


def _switch_link(target: Path, version: Path) -> None:
    """Point ``target`` at ``version`` in one step; a plain folder at ``target`` (an earlier
    layout) is swapped out whole where the system can, then removed."""
    link = target.with_name(f".{target.name}.{os.getpid()}.{version.name}.link.tmp")
    _remove(link)
    os.symlink(os.path.relpath(version, target.parent), link)
    if target.is_dir() and not target.is_symlink():
        if _exchange(link, target):
            _fsync_folder(target.parent)
            _remove(link)  # now the earlier plain folder
            return
        aside = versions_folder(target) / f"{version.name}.earlier"
        _rename(target, aside)  # no exchange here: a window of one rename
    _rename(link, target)
    _fsync_folder(target.parent)


def clean_versions(target: str | Path, keep: tuple[Path, ...] = ()) -> list[Path]:
    """Remove the versions of ``target`` but the one it links to and those in ``keep``, and the
    temporary links and folders of killed runs; returns what was removed. Call it holding the
    target's lock."""
    target = Path(target)
    removed = remove_stale_folders(target)
    kept = {current_version(target), *(Path(k).resolve() for k in keep)}
    folder = versions_folder(target)
    if folder.is_dir():
        for version in sorted(folder.iterdir()):
            if version.resolve() not in kept:
                _remove(version)
                removed.append(version)
    return removed


def _adopt_earlier_folder(target: Path) -> None:
    """A run of the earlier :func:`atomic_directory` killed between its two renames left the
    previous folder at ``.<name>.old`` and nothing at ``target``: put it back."""
    old = target.with_name(f".{target.name}.old")
    if not target.exists() and not target.is_symlink() and old.is_dir():
        _rename(old, target)


@contextlib.contextmanager
def published_directory(target: str | Path) -> Iterator[Path]:
    """Yield a fresh folder to build a new version of ``target`` in; on success, publish it.

    The layout, beside ``target`` (``reports/wessex-vale/2024-25`` for example)::

        2024-25 -> .2024-25.versions/20250301T120102123456Z-4242    a symbolic link (relative)
        .2024-25.versions/20250301T120102123456Z-4242/             the published version
        .2024-25.versions/20250228T090000000000Z-4100/             the one before, until the next run
        .2024-25.lock                                               held by the run writing it
        .2024-25.<pid>.<random>.tmp/                                a version being built

    Publishing renames the finished folder into ``.2024-25.versions/`` and then switches the link
    with one ``rename(2)``: a path opened through ``2024-25/`` is in the old version or the new
    one, whole, never missing. The version just replaced is kept until the next publication, so
    a reader that resolved the link before the switch can finish reading it; older ones are
    removed then. A run killed at any moment leaves the link to the previous version; whatever
    it left (a build folder, a version never linked, a temporary link) is removed by the next
    runs (build folders and links at their start, unlinked versions at their switch).

    Runs on the same target are serialised: a second run raises :class:`FolderBusyError` at once
    (:func:`exclusive_lock` on ``.2024-25.lock``). A plain folder at ``target`` (written by an
    earlier version of this code) is replaced by the link in the same way.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(lock_path(target), str(target)):
        _adopt_earlier_folder(target)
        remove_stale_folders(target)
        with _staged(target) as tmp:
            yield tmp
        versions = versions_folder(target)
        versions.mkdir(exist_ok=True)
        version = versions / _version_name()
        _rename(tmp, version)
        _fsync_folder(versions)
        previous = current_version(target)
        _switch_link(target, version)
        clean_versions(target, keep=(previous,) if previous is not None else ())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_folders(target: str | Path) -> list[Path]:
    """Remove the temporary folders and links of ``target`` (``.<name>.<pid>.*.tmp``) left by
    killed runs.

    One whose process still runs is kept (it may be another run in progress); so is any whose
    name carries no process id. Returns what was removed.
    """
    target = Path(target)
    removed = []
    for folder in target.parent.glob(f".{target.name}.*.tmp"):
        pid = folder.name[len(target.name) + 2 :].split(".", 1)[0]
        if (folder.is_dir() or folder.is_symlink()) and pid.isdigit() and not _alive(int(pid)):
            _remove(folder)
            removed.append(folder)
    return removed


# -- private temporary folders ---------------------------------------------------------------------
#: How old a private temporary folder named by earlier code (no process id in its name) must be
#: before it is taken for a killed run's: no run keeps one for a day.
UNNAMED_STALE_SECONDS = 86400


_swept: set[tuple[str, str, int]] = set()


def private_temp_folder(prefix: str) -> Path:
    """A new folder in the system's temporary folder that only this user can enter (mode 0700),
    named ``<prefix><pid>-<random>``: if this process is killed before it removes the folder,
    a later run can tell that it is stale. The first made with a prefix in a process first
    removes those that killed runs left (:func:`remove_stale_temp_folders`)."""
    root = tempfile.gettempdir()
    if (prefix, root, os.getpid()) not in _swept:
        _swept.add((prefix, root, os.getpid()))
        remove_stale_temp_folders(prefix, root)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=root))


def remove_stale_temp_folders(prefix: str, root: str | Path | None = None) -> list[Path]:
    """Remove the folders :func:`private_temp_folder` made with ``prefix`` (in ``root``, by
    default the system's temporary folder) whose process has ended: the leftovers of killed runs,
    which may hold a kernel's connection key. Only this user's own folders are touched, never a
    symbolic link or a file; a folder whose name carries no process id (made by earlier code) is
    removed once it is :data:`UNNAMED_STALE_SECONDS` old. Returns what was removed."""
    uid = getattr(os, "getuid", lambda: None)()
    if uid is None:  # no owners to compare (Windows), and no such folders made there
        return []
    root = Path(root) if root is not None else Path(tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
            continue
        pid, named, _ = entry.name[len(prefix):].partition("-")
        if named and pid.isdigit():
            stale = int(pid) != os.getpid() and not _alive(int(pid))
        else:
            stale = time.time() - info.st_mtime > UNNAMED_STALE_SECONDS
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed
