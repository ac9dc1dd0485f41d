"""Atomic folders: published whole, and the leftovers of killed runs cleared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assess.atomic import atomic_directory, remove_stale_folders


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_killed_runs_folder_is_removed_and_a_running_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "2024-25"
    stale = tmp_path / f".2024-25.{_dead_pid()}.abc123.tmp"
    running = tmp_path / f".2024-25.{os.getpid()}.def456.tmp"
    unknown = tmp_path / ".2024-25.k2j3h4.tmp"  # no process id in its name: kept
    for folder in (stale, running, unknown):
        (folder / "notebooks").mkdir(parents=True)
    with atomic_directory(target) as tmp:
        assert f".2024-25.{os.getpid()}." in tmp.name
        (tmp / "index.html").write_text("new", encoding="utf-8")
    assert not stale.exists() and running.exists() and unknown.exists()
    assert (target / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["2024-25", running.name, unknown.name])


def test_a_run_that_raises_leaves_the_previous_folder_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "2024-25"
    target.mkdir()
    (target / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_directory(target) as tmp:
        (tmp / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("killed midway")
    assert (target / "index.html").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["2024-25"]
    assert remove_stale_folders(target) == []
