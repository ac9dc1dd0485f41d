"""Helpers of the workbench tests: a project folder as an analyst has one, and the assess kernel.

A project is a folder with ``notebooks/`` (a copy: JupyterLab may save into it), ``config/csp/``
(a copy) and ``data/raw`` and ``data/processed`` (links to the session's demo data, written and
ingested once by the ``demo_data`` fixture).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from conftest import ROOT, DemoData

BIN = Path(sys.executable).parent


def make_project(folder: Path, demo: DemoData) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    shutil.copytree(ROOT / "config" / "csp", folder / "config" / "csp")
    (folder / "data").mkdir()
    (folder / "data" / "raw").symlink_to(demo.raw, target_is_directory=True)
    (folder / "data" / "processed").symlink_to(demo.processed, target_is_directory=True)
    return folder


def kernel_env(prefix: Path) -> dict[str, str]:
    """The environment of a process that finds the ``assess`` kernel as ``make setup`` installs it
    (``ipykernel install --prefix``, here a temporary prefix rather than the environment's), with
    this interpreter's bin folder first on PATH and no ASSESS_* folder overrides."""
    from assess.lab import ensure_kernel

    ensure_kernel(prefix=str(prefix))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_")}
    env["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONHASHSEED"] = "0"
    return env
