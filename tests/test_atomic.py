"""Atomic folders: published whole, and the leftovers of killed runs cleared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assess import atomic
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


def test_private_temporary_folders_of_ended_processes_are_removed_and_no_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a killed run leaves its kernels' socket folders (their connection keys inside) in /tmp
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    prefix = "assess-kernel-"
    dead, child = _dead_pid(), subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        made = {
            "dead": tmp_path / f"{prefix}{dead}-abc123",
            "this process": tmp_path / f"{prefix}{os.getpid()}-def456",
            "running child": tmp_path / f"{prefix}{child.pid}-ghi789",
            "unnamed, old": tmp_path / f"{prefix}k2j3h4_x",
            "unnamed, new": tmp_path / f"{prefix}m5n6p7_y",
            "other prefix": tmp_path / f"assess-kernels-{dead}-abc123",
        }
        for folder in made.values():
            folder.mkdir()
            (folder / "kernel.json").write_text("{}", encoding="utf-8")
        old = time.time() - atomic.UNNAMED_STALE_SECONDS - 60
        os.utime(made["unnamed, old"], (old, old))
        target = tmp_path / "elsewhere"
        target.mkdir()
        (target / "keep.txt").write_text("x", encoding="utf-8")
        (tmp_path / f"{prefix}{dead}-link").symlink_to(target)  # a link is never followed nor removed
        (tmp_path / f"{prefix}{dead}-file").write_text("x", encoding="utf-8")  # nor a file

        removed = atomic.remove_stale_temp_folders(prefix)
        assert sorted(removed) == sorted([made["dead"], made["unnamed, old"]])
        assert {name for name, folder in made.items() if folder.exists()} == {
            "this process", "running child", "unnamed, new", "other prefix"}
        assert (target / "keep.txt").exists() and (tmp_path / f"{prefix}{dead}-link").is_symlink()
        assert (tmp_path / f"{prefix}{dead}-file").exists()

        # a new folder is named for its process, private, and its making swept the stale ones first
        (tmp_path / f"{prefix}{dead}-again").mkdir()
        monkeypatch.setattr(atomic, "_swept", set())
        fresh = atomic.private_temp_folder(prefix)
        assert fresh.parent == tmp_path and fresh.name.startswith(f"{prefix}{os.getpid()}-")
        assert (fresh.stat().st_mode & 0o077) == 0
        assert not (tmp_path / f"{prefix}{dead}-again").exists()
    finally:
        child.kill()
        child.wait()
