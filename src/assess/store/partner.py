"""Partner tables: every partner file validated at ingest and kept in the store, like any other input.

A file under ``data/raw/partner/`` (or ``partner/<csp-slug>/``) is a partner file of name ``N``
(a key of :data:`assess.config.DEFAULT_PARTNER_FILES`) when its path in that folder is the one
the defaults give ``N``, or the one a CSP configuration's ``partner_files`` gives it (configurations
passed to the ingest, e.g. ``assess ingest --config-dir config/csp``; a ``partner/<slug>/`` folder
follows the configuration of that slug). :func:`partner_names` finds the name of each file; the
ingest reads it with its reader (:data:`assess.sources.partner.PARTNER_READERS`) and stores the
frame, dtypes and all, as the table :func:`partner_table_name` gives, recorded in the manifest's
``partner`` section with the raw file's SHA-256.

A chapter asks for a partner table by name (:func:`read_partner_table`): the file it would use is
found as before (:func:`assess.sources.partner.partner_path`), and the stored table is returned
only while that file is the one ingested. A file absent from data/raw gives None (the chapter says
the data is absent); a file that differs from the ingested one, or was added after the ingest, is
an error telling the user to run ``assess ingest`` -- never a stale table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from assess.config import DEFAULT_PARTNER_FILES, CSPConfig
from assess.errors import InputError
from assess.store.processed import Store, sha256_cached

PARTNER_FOLDER = "partner"
INGEST_HINT = "run `assess ingest` (with --config-dir config/csp when a CSP configuration renames its partner files)"


def partner_table_name(relative: str) -> str:
    """The store table of the partner file at ``relative`` (its path in data/raw): ``partner/force_flags.csv``
    -> ``partner_force_flags.csv``, ``partner/southampton/offenders.csv`` -> ``partner_southampton__offenders.csv``."""
    from assess.store.versions import safe_name

    inside = relative.split("/", 1)[1] if "/" in relative else relative
    return "partner_" + "__".join(safe_name(p) for p in inside.split("/"))


def partner_names(raw_dir: Path, relatives: Sequence[str], configs: Sequence[CSPConfig] = ()) -> tuple[dict[str, str], list[str]]:
    """The partner name of each partner file (paths relative to ``raw_dir``), and a warning for each
    file no name fits (it is not stored).

    A file is named as a chapter would look for it (:func:`assess.sources.partner.partner_path`):
    by each configuration's ``partner_files`` inside its folder (``partner/<slug>/`` when that
    folder exists, else ``partner/``), and by the default names in ``partner/`` and in any
    ``partner/<folder>/`` no configuration given claims. Raises InputError when one file would be
    read as two different partner files.
    """
    from assess.sources.partner import partner_folder

    raw_dir = Path(raw_dir)
    defaults = {filename: name for name, filename in DEFAULT_PARTNER_FILES.items()}
    folders = [(partner_folder(raw_dir, cfg).relative_to(raw_dir).as_posix(), dict(cfg.partner_files), f"the configuration of {cfg.slug}")
               for cfg in configs]
    claimed = {f for f, _, _ in folders}
    names: dict[str, str] = {}
    warnings: list[str] = []
    for rel in relatives:
        found: dict[str, str] = {}
        for folder, files, source in folders:
            if rel.startswith(folder + "/"):
                for name, filename in files.items():
                    if filename == rel[len(folder) + 1:]:
                        found.setdefault(name, source)
        parts = rel.split("/")
        default_folder = "/".join(parts[:-1])
        by_default = default_folder == PARTNER_FOLDER or (len(parts) == 3 and default_folder not in claimed)
        if by_default and parts[-1] in defaults:
            found.setdefault(defaults[parts[-1]], "the default partner file names")
        if len(found) > 1:
            raise InputError(
                raw_dir / rel,
                f"the partner file would be read as {len(found)} different partner files: "
                + "; ".join(f"{n} ({w})" for n, w in sorted(found.items())),
                hint="give each partner file one meaning in the CSP configurations' partner_files",
            )
        if found:
            names[rel] = next(iter(found))
        else:
            warnings.append(
                f"{rel}: not a partner file the chapters read (names: {', '.join(sorted(DEFAULT_PARTNER_FILES.values()))}, "
                "or those a CSP configuration's partner_files gives): not stored"
            )
    return names, warnings


def read_partner_table(store: Store, raw_dir: Path, path: Path, name: str) -> pd.DataFrame:
    """The stored table of partner file ``path`` (of partner name ``name``), while it is the file ingested.

    Raises InputError naming the file and ``assess ingest`` when the file was added or changed
    after the last ingest, or was ingested under another name.
    """
    try:
        relative = path.resolve().relative_to(Path(raw_dir).resolve()).as_posix()
    except ValueError:
        raise InputError(path, "the partner file is not inside the raw data folder", hint="keep partner files in data/raw/partner/") from None
    entry = store.manifest().get("partner", {}).get(relative)
    if entry is None:
        raise InputError(
            path,
            "this partner file is not in the processed store: it was added after the last ingest, or its name is not "
            "one the ingest was told about",
            hint=INGEST_HINT,
        )
    if entry["name"] != name:
        raise InputError(path, f"the partner file was ingested as the {entry['name']} file, not the {name} file", hint=INGEST_HINT)
    if sha256_cached(path) != entry["sha256"]:
        raise InputError(
            path,
            "the partner file has changed since the last ingest (its SHA-256 differs from the one the store recorded), "
            "so the stored table would be stale",
            hint="run `assess ingest` to check and store it again",
        )
    return store.read(entry["table"])
