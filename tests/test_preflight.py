"""The checks before a bundle runs are recalled only while everything they read is unchanged
(assess.report.preflight), and an unchanged rerun of the CLI imports neither pandas nor the kernels."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from assess.file_stamps import RACY_SECONDS
from assess.report import preflight
from assess.report.cache import Checksums

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def inputs(demo_data, tmp_path: Path) -> SimpleNamespace:
    """Copies of the demo raw folder, store and configuration, old enough not to be 'racy'."""
    from assess.config import find_config

    shutil.copytree(demo_data.raw, tmp_path / "raw")
    shutil.copytree(demo_data.processed, tmp_path / "processed", symlinks=True)
    shutil.copytree(demo_data.config_dir, tmp_path / "config")
    time.sleep(RACY_SECONDS + 0.2)  # a file's change time cannot be set back
    cfg = find_config(demo_data.csp, tmp_path / "config")
    return SimpleNamespace(raw=tmp_path / "raw", processed=tmp_path / "processed", config=tmp_path / "config",
                           cache=tmp_path / "cache", cfg=cfg, year=demo_data.year)


def key(s: SimpleNamespace, cfg=None) -> preflight.PreflightKey | None:
    return preflight.preflight_key(cfg or s.cfg, s.year, s.raw, s.processed, Checksums(None))


def test_a_memo_is_recalled_under_the_same_key_only(inputs: SimpleNamespace) -> None:
    s = inputs
    before = key(s)
    assert before is not None and not before.racy
    outcome = preflight.Preflight(("a warning",), "The year 2024/25 is complete.")
    assert preflight.remember(s.cache, s.cfg.slug, "2024-25", before, key(s), outcome)
    assert preflight.recall(s.cache, s.cfg.slug, "2024-25", key(s)) == outcome
    assert preflight.recall(s.cache, s.cfg.slug, "2023-24", key(s)) is None
    other = preflight.preflight_key(s.cfg, "2023/24", s.raw, s.processed, Checksums(None))
    assert preflight.recall(s.cache, s.cfg.slug, "2024-25", other) is None


def test_the_key_changes_with_the_configuration_the_raw_folder_and_the_store(inputs: SimpleNamespace) -> None:
    s = inputs
    base = key(s).digest
    assert key(s).digest == base
    assert key(s, s.cfg.model_copy(update={"suppression_threshold": s.cfg.suppression_threshold + 1})).digest != base
    partner = next(p for p in (s.raw / "partner").rglob("*.csv"))
    # a partner file replaced by a link to a copy outside the raw folder: same bytes, another place
    outside = s.raw.parent / "elsewhere.csv"
    shutil.copyfile(partner, outside)
    original = partner.read_bytes()
    partner.unlink()
    partner.symlink_to(outside)
    assert key(s).digest != base
    partner.unlink()
    partner.write_bytes(original)
    assert key(s).digest != base  # rewritten: another inode and times (the checks run again: no harm)
    new = s.raw / "partner" / "new-file.csv"
    new.write_text("x\n")
    assert key(s).racy  # changed just now: never remembered
    outcome = preflight.Preflight((), "")
    assert not preflight.remember(s.cache, s.cfg.slug, "2024-25", key(s), key(s), outcome)


def test_a_store_that_does_not_match_its_manifest_gives_no_key(inputs: SimpleNamespace) -> None:
    s = inputs
    from assess.store import Store

    store = Store(s.processed)
    table = store.root / store.files(store.tables()[0])[0]["path"]
    assert key(s) is not None
    data = bytearray(table.read_bytes())
    data[-10] ^= 0xFF  # same size, other bytes
    table.write_bytes(bytes(data))
    assert key(s) is None
    assert preflight.store_intact(s.processed, Checksums(None)) is None


def test_a_key_that_changed_while_the_checks_ran_is_not_remembered(inputs: SimpleNamespace) -> None:
    s = inputs
    before = key(s)
    changed = key(s, s.cfg.model_copy(update={"name": s.cfg.name + " (renamed)"}))
    assert not preflight.remember(s.cache, s.cfg.slug, "2024-25", before, changed, preflight.Preflight((), "x"))
    assert preflight.recall(s.cache, s.cfg.slug, "2024-25", before) is None


def test_a_damaged_memo_is_ignored(inputs: SimpleNamespace) -> None:
    s = inputs
    k = key(s)
    assert preflight.remember(s.cache, s.cfg.slug, "2024-25", k, k, preflight.Preflight(("w",), "c"))
    (s.cache / s.cfg.slug / "2024-25" / preflight.PREFLIGHT).write_text('{"format": 1, "key": "', encoding="utf-8")
    assert preflight.recall(s.cache, s.cfg.slug, "2024-25", k) is None


def test_an_unchanged_rerun_of_the_cli_reuses_the_checks_and_imports_no_pandas(demo_data, tmp_path: Path) -> None:
    """Two runs of ``assess run`` on one chapter: the second recalls the checks and reuses the whole
    bundle, printing the same warnings, without importing pandas, jupyter_client or nbformat."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['assess'] + sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_module('assess.cli', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "else:\n"
        "    code = 0\n"
        "heavy = sorted(m for m in ('pandas', 'jupyter_client', 'nbformat', 'weasyprint') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
        "sys.exit(code)\n"
    )
    args = ["run", "--csp", demo_data.csp, "--year", demo_data.year, "--raw", str(demo_data.raw),
            "--processed", str(demo_data.processed), "--out", str(tmp_path / "reports"),
            "--config-dir", str(demo_data.config_dir), "--notebooks", str(ROOT / "notebooks"), "--chapter", "05_offenders"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    first = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    memo = tmp_path / "reports" / ".cache" / "wessex-vale" / "2024-25" / preflight.PREFLIGHT
    assert memo.exists()  # remembered by the first run: no input changed after the filesystem's stamp
    second = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "HEAVY=\n" in second.stdout, second.stdout
    warnings = [line for line in first.stderr.splitlines() if "warning" in line.lower()]
    assert warnings == [line for line in second.stderr.splitlines() if "warning" in line.lower()]
    assert "bundle:" in second.stderr


def test_a_file_is_racy_only_when_stamped_at_or_after_the_filesystems_stamp(tmp_path: Path) -> None:
    """Git's rule: a raw file changed before the stamp the filesystem gives a file created now is
    not 'racy' (any later change would restamp it); one changed after it is, and so is every
    recent change when no stamp can be taken (the clock rule of RACY_SECONDS). The stamp is taken
    in the first folder given that exists: none is created."""
    from assess.file_stamps import filesystem_now

    raw, cache, missing = tmp_path / "raw", tmp_path / "cache", tmp_path / "out" / ".cache"
    raw.mkdir()
    cache.mkdir()
    (raw / "a.csv").write_text("x\n")
    written = max((raw / "a.csv").stat().st_mtime_ns, (raw / "a.csv").stat().st_ctime_ns)

    def now() -> int | None:
        return filesystem_now(raw, [missing, cache])

    stamp = now()
    deadline = time.monotonic() + 10
    while stamp is not None and stamp <= written and time.monotonic() < deadline:  # the same tick: wait for the next
        time.sleep(0.01)
        stamp = now()
    assert stamp is not None and stamp > written
    assert not missing.parent.exists()  # a folder that does not exist is passed over, not made
    assert not list(cache.iterdir())  # the probe file is removed
    assert preflight.raw_listing(raw, stamp)[1] is False
    assert preflight.raw_listing(raw)[1] is True  # without the stamp: changed within RACY_SECONDS
    (raw / "b.csv").write_text("y\n")
    assert preflight.raw_listing(raw, stamp)[1] is True
    assert filesystem_now(raw, [missing]) is None
    assert filesystem_now(tmp_path / "absent", [cache]) is None
