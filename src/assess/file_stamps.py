"""When a file may have changed unseen: the stamps by which a checksum taken earlier can be trusted.

A file whose size, modification and change times and inode are what they were when its SHA-256
was taken has not been rewritten since (a program can set a file's modification time back, but
not its change time), unless it was changed within the same tick of the filesystem's clock as
that stamp: git's rule for "racily clean" files. The run's preflight (:mod:`assess.report.cache`,
:mod:`assess.report.preflight`) and the ingest (:mod:`assess.store.ingest`) recall checksums this way.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

#: A file changed less than this many seconds before its checksum was taken is hashed again next time
#: (the rule where no time stamp of the file's own filesystem is at hand: :func:`filesystem_now`).
RACY_SECONDS = 3.0


def file_stamp(path: Path) -> list[int]:
    """``[size, modification time (ns), change time (ns), inode]`` of a file (raises OSError)."""
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def filesystem_now(beside: Path, folders: Sequence[Path]) -> int | None:
    """The time stamp (ns) the filesystem of ``beside`` gives a file changed now: the change time of
    a file created and removed at once in the first of ``folders`` that exists, can be written and
    is on that filesystem (none is created: a run that fails leaves no folder behind). None when
    there is no such folder.

    Git's rule for 'racily clean' files: a file whose stamps are older than this was last changed
    before this moment, so any later change gives it a stamp at least this one (the filesystem's
    clock does not go back, whatever its resolution); a stamp equal to it or newer may hide a
    change within one tick. Comparing with the filesystem's own stamp, not the system clock, is
    exact at any timestamp resolution (2 s on FAT, a kernel tick on ext4)."""
    try:
        device = os.stat(beside).st_dev
    except OSError:
        return None
    for folder in folders:
        try:
            if not os.path.isdir(folder) or os.stat(folder).st_dev != device:
                continue
            fd, name = tempfile.mkstemp(prefix=".assess-now.", suffix=".tmp", dir=folder)
            try:
                st = os.fstat(fd)
            finally:
                os.close(fd)
                os.unlink(name)
        except OSError:
            continue
        return max(st.st_mtime_ns, st.st_ctime_ns)
    return None


def changed_recently(stamp_ns: int, now_ns: int | None) -> bool:
    """Whether a file stamped ``stamp_ns`` (the later of its modification and change times) may
    have changed within the last tick: at or after ``now_ns`` (:func:`filesystem_now`), or, when
    that is not known, within :data:`RACY_SECONDS` of the system clock."""
    if now_ns is not None:
        return stamp_ns >= now_ns
    return time.time() - stamp_ns / 1e9 <= RACY_SECONDS
