"""Publishing a bundle is atomic and durable under faults.

- a process killed (SIGKILL) at each step of a publication, the exact windows between the renames
  included (a patched rename kills its own process there), leaves the previous bundle whole at
  its path, and the next publication succeeds and clears what the killed one left;
- a reader that reads the bundle while it is published again and again always finds a whole one;
- two publications of one folder: the second fails at once, naming the first;
- a plain folder published by earlier code, or left hidden as ``.<name>.old`` by a kill between
  its two renames, is taken over without a moment in which the path is missing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assess.atomic import (
    FolderBusyError,
    current_version,
    exclusive_lock,
    lock_path,
    published_directory,
    versions_folder,
)

SRC = Path(__file__).resolve().parents[1] / "src"

#: A publication in a child process: builds a bundle of generation ARGV[2] with 40 files, and
#: SIGKILLs itself at step ARGV[3] ("build": while writing; "before-N" / "after-N": around the
#: N-th rename or exchange of assess.atomic; "none": not at all).
PUBLISHER = r"""
import os, signal, sys
from pathlib import Path
import assess.atomic as atomic

target, generation, kill = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
calls = {"n": 0}

def killed_around(real):
    def step(*args):
        calls["n"] += 1
        if kill == f"before-{calls['n']}":
            os.kill(os.getpid(), signal.SIGKILL)
        done = real(*args)
        if kill == f"after-{calls['n']}":
            os.kill(os.getpid(), signal.SIGKILL)
        return done
    return step

atomic._rename = killed_around(atomic._rename)
atomic._exchange = killed_around(atomic._exchange)
with atomic.published_directory(target) as tmp:
    files = {}
    for i in range(40):
        name = f"part{i:02d}.txt"
        (tmp / name).write_text(f"{generation}:{i}\n" * 50)
        files[name] = f"{generation}:{i}"
        if kill == "build" and i == 20:
            os.kill(os.getpid(), signal.SIGKILL)
    (tmp / "manifest.json").write_text(__import__("json").dumps({"generation": generation, "files": files}))
"""


def publish(target: Path, generation: str, kill: str = "none") -> int:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", PUBLISHER, str(target), generation, kill], env=env,
                          check=False, capture_output=True, text=True, timeout=120)
    return done.returncode


def whole(target: Path) -> str:
    """The generation of the bundle at ``target``, having checked that every one of its files is there
    and of that generation (AssertionError otherwise)."""
    manifest = json.loads((target / "manifest.json").read_text())
    names = sorted(p.name for p in target.iterdir())
    assert names == sorted([*manifest["files"], "manifest.json"]), names
    for name, start in manifest["files"].items():
        text = (target / name).read_text()
        assert text == f"{start}\n" * 50, name
    return manifest["generation"]


def leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.glob(f".{target.name}.*.tmp"))


STEPS = ["build", "before-1", "after-1", "before-2", "after-2"]


@pytest.mark.parametrize("step", STEPS)
def test_a_publication_killed_at_any_step_leaves_a_whole_bundle_and_the_next_one_succeeds(tmp_path: Path, step: str) -> None:
    target = tmp_path / "reports" / "demo" / "2023-24"
    assert publish(target, "old") == 0 and whole(target) == "old"
    assert publish(target, "new", kill=step) == -signal.SIGKILL
    # renamed into place (after-2) is the new bundle; anything earlier leaves the old one
    assert whole(target) == ("new" if step == "after-2" else "old")
    assert publish(target, "next") == 0
    assert whole(target) == "next"
    assert leftovers(target) == [], "what the killed run left is cleared by the next one"
    versions = sorted(p.name for p in versions_folder(target).iterdir())
    assert len(versions) == 2 and current_version(target).name in versions  # this one and the one before


@pytest.mark.parametrize("step", STEPS)
def test_a_plain_folder_of_earlier_code_is_taken_over_without_a_gap(tmp_path: Path, step: str) -> None:
    """The first publication over a plain folder swaps it for the link in one step (RENAME_EXCHANGE)."""
    target = tmp_path / "2023-24"
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps({"generation": "plain", "files": {}}))
    assert publish(target, "new", kill=step) == -signal.SIGKILL
    assert whole(target) == ("new" if step == "after-2" else "plain")
    assert publish(target, "next") == 0 and whole(target) == "next"
    assert target.is_symlink() and leftovers(target) == []


def test_a_folder_hidden_by_a_kill_between_the_earlier_renames_is_put_back(tmp_path: Path) -> None:
    """Earlier code moved the old folder to .<name>.old before renaming the new one: a kill in
    between left no bundle at its path. The next run puts the old one back before building."""
    target = tmp_path / "2023-24"
    hidden = tmp_path / ".2023-24.old"
    hidden.mkdir()
    (hidden / "manifest.json").write_text(json.dumps({"generation": "hidden", "files": {}}))
    assert publish(target, "new", kill="build") == -signal.SIGKILL
    assert whole(target) == "hidden"
    assert publish(target, "next") == 0 and whole(target) == "next"


def test_readers_always_find_a_whole_bundle_while_it_is_published_again_and_again(tmp_path: Path) -> None:
    target = tmp_path / "2023-24"
    assert publish(target, "g0") == 0
    seen: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(whole(Path(os.path.realpath(target))))  # resolve once, read that version
            except (AssertionError, OSError, ValueError) as exc:
                failures.append(f"{type(exc).__name__}: {exc}")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for g in range(1, 9):
            assert publish(target, f"g{g}") == 0
    finally:
        stop.set()
        reader.join(timeout=30)
    assert failures == []
    assert len(set(seen)) >= 3, "the reader saw several generations"
    assert whole(target) == "g8"


def test_a_second_run_on_the_same_folder_fails_at_once_naming_the_first(tmp_path: Path) -> None:
    target = tmp_path / "2023-24"
    with published_directory(target) as tmp:
        (tmp / "manifest.json").write_text("{}")
        t = time.perf_counter()
        busy = rf"2023-24 is being written by another run \(pid {os.getpid()}, since"
        with pytest.raises(FolderBusyError, match=busy), published_directory(target):
            pass
        assert time.perf_counter() - t < 2
    with published_directory(target) as tmp:  # free again once the first has finished
        (tmp / "manifest.json").write_text("{}")


def test_the_lock_of_a_killed_run_is_free(tmp_path: Path) -> None:
    lock = lock_path(tmp_path / "2023-24")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"), str(lock)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderBusyError), exclusive_lock(lock, "x"):
            pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive_lock(lock, "x"):
        pass
