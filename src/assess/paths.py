"""Where a project's folders are, wherever a command or a notebook is run from.

An assess *project* is a folder holding ``config/csp/`` (the CSP configurations) or ``data/raw/``
(the inputs as published): this repository, or an analyst's own folder when assess is installed
from a wheel. :func:`find_project_root` walks up from the working folder (the notebooks' kernels
start in ``notebooks/``; papermill's in the folder it is called from) to the nearest such folder;
where there is none, the working folder is the project (``assess fetch --only lookup`` then
starts one there).

Environment variables override what is found: ``ASSESS_PROJECT`` (the project folder),
``ASSESS_RAW``, ``ASSESS_PROCESSED``, ``ASSESS_CONFIG_DIR`` and ``ASSESS_REPORTS`` (one folder
each). A relative value is taken from the working folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: Folders whose presence makes a folder a project (either one suffices).
PROJECT_MARKERS = (Path("config") / "csp", Path("data") / "raw")

#: The project's lock file: exact versions and hashes of every package (``make lock``).
LOCK_FILE = "requirements.lock"

ENV_PROJECT = "ASSESS_PROJECT"
ENV_FOLDERS = {
    "raw": "ASSESS_RAW",
    "processed": "ASSESS_PROCESSED",
    "config": "ASSESS_CONFIG_DIR",
    "reports": "ASSESS_REPORTS",
}


@dataclass(frozen=True)
class ProjectPaths:
    """The folders of one project, absolute."""

    root: Path
    raw: Path
    processed: Path
    config: Path
    reports: Path

    @property
    def scratch(self) -> Path:
        """Where a notebook run by hand publishes its outputs: ``reports/_scratch``."""
        return self.reports / "_scratch"

    @property
    def lock_file(self) -> Path:
        return self.root / LOCK_FILE


def is_project(folder: Path) -> bool:
    """True when ``folder`` holds ``config/csp/`` or ``data/raw/``."""
    return any((folder / marker).is_dir() for marker in PROJECT_MARKERS)


def find_project_root(start: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The project folder: ``$ASSESS_PROJECT``, else the nearest of ``start`` (the working folder by
    default) and its parents that :func:`is_project`, else ``start`` itself. Absolute."""
    env = os.environ if env is None else env
    if env.get(ENV_PROJECT):
        return Path(env[ENV_PROJECT]).expanduser().resolve()
    here = Path.cwd() if start is None else Path(start)
    here = here.expanduser().resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    return here


def project_paths(start: str | Path | None = None, env: Mapping[str, str] | None = None) -> ProjectPaths:
    """The folders of the project found from ``start`` (see :func:`find_project_root`), each
    overridable by its environment variable (:data:`ENV_FOLDERS`)."""
    env = os.environ if env is None else env
    root = find_project_root(start, env)
    defaults = {
        "raw": root / "data" / "raw",
        "processed": root / "data" / "processed",
        "config": root / "config" / "csp",
        "reports": root / "reports",
    }
    folders = {
        key: Path(env[var]).expanduser().resolve() if env.get(var) else defaults[key]
        for key, var in ENV_FOLDERS.items()
    }
    return ProjectPaths(root=root, **folders)


# -- what this installation carries: its source tree, or the files a wheel installed ------------------
#: Where a wheel installs the project's data files (notebooks, lock file), below the environment's
#: data folder (pyproject.toml's ``[tool.setuptools.data-files]``).
INSTALLED_SHARE = Path("share") / "assess"


def source_tree() -> Path | None:
    """The project folder this package is imported from (an editable install or a clone), or None
    for an installed wheel."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "src" / "assess").is_dir() else None


def installed_share(name: str) -> Path | None:
    """``<data>/share/assess/<name>`` as the installed distribution lists it (found through its
    file list, so a ``--user`` or ``--prefix`` install is found too), or None."""
    from importlib import metadata

    try:
        files = metadata.distribution("assess").files or []
    except metadata.PackageNotFoundError:
        return None
    want = (*INSTALLED_SHARE.parts, *Path(name).parts)
    for f in files:
        parts = Path(f).parts
        if tuple(parts[-len(want):]) == want:
            located = Path(f.locate()).resolve()
            if located.exists():
                return located
    return None


def lock_file() -> Path | None:
    """The lock file of this installation: the source tree's, else the one installed with the wheel."""
    tree = source_tree()
    if tree is not None and (tree / LOCK_FILE).is_file():
        return tree / LOCK_FILE
    return installed_share(LOCK_FILE)


def lock_file_record() -> dict[str, str] | None:
    """``{"path", "sha256"}`` of :func:`lock_file` (for a bundle's manifest), or None without one."""
    import hashlib

    path = lock_file()
    if path is None:
        return None
    return {"path": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
