"""Which partner files there are, where each lives, and reading one once per process.

:func:`partner_path` is the one place that says where a partner file is looked for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

import pandas as pd

from assess import reads
from assess.config import DEFAULT_PARTNER_FILES, CSPConfig
from assess.safe_paths import check_relative_path, inside
from assess.sources.partner.columns import PARTNER_DIR
from assess.sources.partner.readers import (
    read_benchmarks,
    read_calls_for_service,
    read_drug_deaths,
    read_force_flags,
    read_offenders,
    read_resident_survey,
    read_rough_sleeping,
    read_safeguarding_topics,
    read_youth_justice,
)
from assess.sources.partner.recommendations import read_recommendations
from assess.sources.partner.scorecard import read_scorecard

#: Reader of each partner file, by its name in DEFAULT_PARTNER_FILES.
PARTNER_READERS: dict[str, Callable[[str | Path], pd.DataFrame]] = {
    "force_flags": read_force_flags,
    "resident_survey": read_resident_survey,
    "offenders": read_offenders,
    "youth_justice": read_youth_justice,
    "rough_sleeping": read_rough_sleeping,
    "drug_deaths": read_drug_deaths,
    "calls_for_service": read_calls_for_service,
    "benchmarks": read_benchmarks,
    "scorecard": read_scorecard,
    "safeguarding_topics": read_safeguarding_topics,
    "recommendations": read_recommendations,
}


#: Most partner frames :func:`read_partner_file` keeps in the process.
PARTNER_CACHE_ENTRIES = 32

_partner_cache: OrderedDict[Hashable, pd.DataFrame] = OrderedDict()
_partner_lock = threading.Lock()


def read_partner_file(name: str, path: str | Path) -> pd.DataFrame:
    """``PARTNER_READERS[name](path)``, read and validated once per process while the file is unchanged.

    A chapter kernel runs several chapters, each of which asks for the same partner files (and
    validating the resident survey takes a while). The frame is kept, keyed on the reader and the
    file (resolved path, inode, modification time in nanoseconds, size), so an edited file is read
    and validated afresh; at most :data:`PARTNER_CACHE_ENTRIES` frames are kept (least recently
    used out first). A file that fails validation is not kept: every call raises its InputError.
    Every call returns a shallow copy, which the caller may change (copy-on-write) without
    altering what a later call returns.
    """
    path = Path(path)
    reader = PARTNER_READERS[name]
    st = path.stat()
    key = (reader, str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)
    with _partner_lock:
        df = _partner_cache.get(key)
        if df is not None:
            _partner_cache.move_to_end(key)
    if df is None:
        df = reader(path)
        with _partner_lock:
            _partner_cache[key] = df
            while len(_partner_cache) > PARTNER_CACHE_ENTRIES:
                _partner_cache.popitem(last=False)
    return df.copy(deep=False)


def partner_folder(raw_dir: str | Path, cfg: CSPConfig | None = None) -> Path:
    """The folder of a CSP's partner files: ``raw_dir/partner/<csp-slug>/`` when it exists (several
    CSPs sharing one raw folder), else ``raw_dir/partner/``."""
    folder = Path(raw_dir) / PARTNER_DIR
    if cfg is not None:
        reads.exists(folder / cfg.slug)
    if cfg is not None and (folder / cfg.slug).is_dir():
        return folder / cfg.slug
    return folder


def partner_path(raw_dir: str | Path, name: str, cfg: CSPConfig | None = None) -> Path:
    """Where partner file ``name`` is expected: in :func:`partner_folder`, under the file name the
    configuration gives it (:data:`assess.config.DEFAULT_PARTNER_FILES` by default).

    The path must stay inside the raw folder once symbolic links are followed: anything else
    (``../../etc/passwd``, a link to another folder) raises
    :class:`assess.safe_paths.UnsafePathError` naming the configuration field.
    """
    if name not in PARTNER_READERS:
        raise KeyError(f"unknown partner file '{name}'; known: {', '.join(PARTNER_READERS)}")
    files = cfg.partner_files if cfg is not None else DEFAULT_PARTNER_FILES
    source = str(cfg.source) if cfg is not None and cfg.source is not None else None
    folder = partner_folder(raw_dir, cfg).relative_to(raw_dir).as_posix()
    check_relative_path(files[name], f"partner_files.{name}", f"{raw_dir}/{folder}/", source=source)
    return inside(raw_dir, f"{folder}/{files[name]}", field=f"partner_files.{name}", source=source)


def read_partner(raw_dir: str | Path, name: str, cfg: CSPConfig | None = None) -> pd.DataFrame | None:
    """Read partner file ``name`` (a key of PARTNER_READERS) for a CSP, or None if it is absent.

    Partner files are optional: a chapter whose file is absent says so instead of failing. A file
    that is present but malformed raises InputError.
    """
    path = partner_path(raw_dir, name, cfg)
    if not path.exists():
        return None
    return PARTNER_READERS[name](path)
