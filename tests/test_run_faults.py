"""``assess run`` under faults, run as an analyst runs it (a subprocess of the command line):

- killed (SIGKILL to its process group, kernels included) at many moments of a run: while the
  first chapter runs, once notebooks, pages, workbook, PDF and manifest are written, once the new
  version is in place but not yet linked; after each, the bundle at its path is the previous one,
  whole (every file as its manifest records it), and the next run succeeds and clears what the
  killed ones left;
- two runs on one bundle: the second stops at once with one line naming the first (exit 1);
- a disk that fills (a file-size limit: writes fail with EFBIG): one line, exit 1, the previous
  bundle whole;
- a read-only output folder: one line, exit 2, nothing written.

The tiny fixture chapters of tests/fixtures/notebooks are used (one fails on purpose, so a
complete run exits 1 with its bundle published).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, store_holding_year

from assess.report.bundle import bundle_problems

pytestmark = pytest.mark.e2e

FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
CONFIG = """name: Demo
code: E22999999
partnership_name: Demo & District Community Safety Partnership
local_authorities:
- {code: E06999999, name: Demo}
police_force: {name: Demo, police_uk: demo}
synthetic: true
"""


def setup_folders(root: Path) -> Path:
    (root / "cfg").mkdir(parents=True)
    (root / "cfg" / "demo.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "raw").mkdir()
    store_holding_year(root / "processed", "2023/24")
    return root


def command(root: Path, out: Path | None = None) -> list[str]:
    return [sys.executable, "-m", "assess.cli", "run", "--csp", "demo", "--year", "2023/24", "--raw", str(root / "raw"),
            "--processed", str(root / "processed"), "--out", str(out or root / "out"), "--config-dir", str(root / "cfg"),
            "--notebooks", str(FIXTURES)]


#: The IPython, Jupyter and matplotlib state of the runs here: their own, so that a filled disk
#: (a file-size limit) or another user never touches the machine's (~/.ipython's history...).
STATE = Path("/tmp") / f"assess-fault-tests-{os.getpid()}"


def env() -> dict[str, str]:
    for d in ("ipython", "jupyter-runtime", "matplotlib"):
        (STATE / d).mkdir(parents=True, exist_ok=True)
    os.chmod(STATE, 0o777)
    for d in STATE.iterdir():
        os.chmod(d, 0o777)
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "IPYTHONDIR": str(STATE / "ipython"),
            "JUPYTER_RUNTIME_DIR": str(STATE / "jupyter-runtime"), "MPLCONFIGDIR": str(STATE / "matplotlib")}


@pytest.fixture(scope="module", autouse=True)
def _own_state() -> object:
    yield
    shutil.rmtree(STATE, ignore_errors=True)


def run(root: Path, out: Path | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(root, out), env=env(), check=False, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]


def target(root: Path) -> Path:
    return root / "out" / "demo" / "2023-24"


def building(root: Path) -> list[Path]:
    return sorted(target(root).parent.glob(".2023-24.*.tmp"))


def wait_for_orphans(pid: int, timeout: float = 30.0) -> None:
    """Kernels of a killed run notice their parent is gone and exit (ipykernel's parent poller)."""
    def orphans() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if f"JPY_PARENT_PID={pid}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found

    deadline = time.monotonic() + timeout
    while orphans() and time.monotonic() < deadline:
        time.sleep(0.25)


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = setup_folders(tmp_path_factory.mktemp("faults"))
    done = run(root)
    assert done.returncode == 1, done.stderr  # the fixture's failing chapter; the bundle is published
    assert bundle_problems(target(root)) == []
    return root


def _in_build(root: Path, relative: str) -> Callable[[], bool]:
    return lambda: any((b / relative).exists() for b in building(root))


def _new_version(root: Path, before: set[str]) -> Callable[[], bool]:
    folder = target(root).parent / ".2023-24.versions"
    return lambda: bool({p.name for p in folder.iterdir()} - before)


MOMENTS = ["build started", "a notebook executed", "pages written", "workbook written", "pdf written",
           "manifest written", "new version in place, not linked yet"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_run_killed_at_any_moment_leaves_the_previous_bundle_whole(published: Path, moment: str) -> None:
    root = published
    manifest = (target(root) / "manifest.json").read_bytes()
    version = os.readlink(target(root))
    versions = {p.name for p in (target(root).parent / ".2023-24.versions").iterdir()}
    when = {
        "build started": lambda: bool(building(root)),
        "a notebook executed": _in_build(root, "notebooks/01_alpha.ipynb"),
        "pages written": _in_build(root, "html/00_summary.html"),
        "workbook written": _in_build(root, "tables.xlsx"),
        "pdf written": _in_build(root, "assessment.pdf"),
        "manifest written": _in_build(root, "manifest.json"),
        "new version in place, not linked yet": _new_version(root, versions),
    }[moment]
    proc = subprocess.Popen(command(root), env=env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None and not when():
            time.sleep(0.005)
        reached = when()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        wait_for_orphans(proc.pid)
    assert reached, f"the run ended (status {proc.returncode}) before '{moment}'"
    if os.readlink(target(root)) == version:
        assert (target(root) / "manifest.json").read_bytes() == manifest, "the previous bundle is untouched"
    else:  # killed just after the link switched: the new bundle is published, whole
        assert moment == "new version in place, not linked yet"
    assert bundle_problems(target(root)) == []


def test_after_the_kills_the_next_run_succeeds_and_clears_their_leftovers(published: Path) -> None:
    root = published
    done = run(root)
    assert done.returncode == 1, done.stderr  # the fixture's failing chapter only
    assert "chapter 02_beta failed" in done.stderr and "error:" not in done.stderr
    assert bundle_problems(target(root)) == []
    assert building(root) == []
    assert len(list((target(root).parent / ".2023-24.versions").iterdir())) <= 2


def test_a_second_run_on_the_same_bundle_stops_at_once_naming_the_first(published: Path) -> None:
    root = published
    first = subprocess.Popen(command(root), env=env(), start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not building(root) and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert building(root), "the first run did not start building"
        t = time.monotonic()
        second = run(root)
        assert time.monotonic() - t < 60
        assert second.returncode == 1, second.stderr
        line = one_error_line(second.stderr)
        assert f"is being written by another run (pid {first.pid}, since" in line and "wait for it to finish" in line
    finally:
        first.wait(timeout=600)
    assert first.returncode == 1  # its failing fixture chapter: published all the same
    assert bundle_problems(target(root)) == []


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes beyond the limit then fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_disk_that_fills_midway_gives_one_line_and_keeps_the_previous_bundle(published: Path) -> None:
    root = published
    before = (target(root) / "manifest.json").read_bytes()
    done = subprocess.run(command(root), env=env(), check=False, capture_output=True, text=True, timeout=600,
                          preexec_fn=_limit_file_size(40_000))
    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    line = one_error_line(done.stderr)
    assert "free some space" in line, line
    assert (target(root) / "manifest.json").read_bytes() == before
    assert bundle_problems(target(root)) == []
    assert run(root).returncode == 1 and bundle_problems(target(root)) == []  # and with room again, it runs


def _immutable(folder: Path, on: bool) -> bool:
    """Make ``folder`` unwritable even by root (``chattr +i``); False where that is not possible."""
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", "+i" if on else "-i", str(folder)], check=False, capture_output=True).returncode == 0


def test_a_read_only_output_folder_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    """The output folder cannot be written (immutable: even root may not write in it)."""
    root = setup_folders(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    if not _immutable(out, True):
        pytest.skip("cannot make a folder read-only here (chattr +i needs root on ext4, xfs or btrfs)")
    try:
        done = run(root, out)
    finally:
        _immutable(out, False)
    assert done.returncode == 2, done.stderr
    line = one_error_line(done.stderr)
    assert "Operation not permitted" in line and str(out) in line and "choose a folder you may write to" in line, line
    assert list(out.iterdir()) == []
