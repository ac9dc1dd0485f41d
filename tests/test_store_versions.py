"""The versioned store: a damaged store refused with its fix, repaired by the next ingest; a month
added reads only its file; a CSP-year opens only its parts; an ingest killed at any step leaves the
previous version whole, and the next ingest succeeds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT
from test_ingest import _row, _write_lookups, _write_street
from typer.testing import CliRunner

from assess.cli import app
from assess.store import Store
from assess.store.ingest import ingest
from assess.store.processed import StoreError, clear_read_cache

SRC = ROOT / "src"


def _raw(root: Path, months: int = 3) -> Path:
    raw = root / "raw"
    for m in range(4, 4 + months):
        month = f"2024-{m:02d}"
        _write_street(raw / month / f"{month}-test-street.csv", [
            _row(f"{m:02d}" * 32, month, "E01000001"),
            _row(f"{m + 20:02d}" * 32, month, "E01000002", "Violent crime"),
            _row("", month, "E01000002", "Anti-social behaviour"),
        ])
    _write_lookups(raw)
    return raw


def _damage(store: Store) -> Path:
    """Flip one byte of the first street part, keeping its size (only its checksum tells)."""
    part = store.root / store.files("street")[0]["path"]
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    os.chmod(part, 0o644)
    part.write_bytes(bytes(data))
    clear_read_cache()
    return part


def test_a_damaged_table_is_refused_by_run_and_by_reading_naming_the_fix_and_ingest_repairs_it(tmp_path: Path) -> None:
    raw, processed = _raw(tmp_path), tmp_path / "processed"
    ingest(raw, processed)
    part = _damage(Store(processed))
    with pytest.raises(StoreError, match=r"assess ingest --force") as err:
        Store(processed).check()
    assert part.name in str(err.value)
    with pytest.raises(StoreError, match=r"assess ingest --force"):
        Store(processed).read("street")
    result = CliRunner().invoke(app, ["run", "--csp", "wessex-vale", "--year", "2024/25", "--processed", str(processed),
                                      "--raw", str(raw), "--config-dir", str(ROOT / "config" / "csp")])
    assert result.exit_code != 0 and "assess ingest --force" in " ".join(result.output.split())
    again = ingest(raw, processed)  # unchanged inputs, but a damaged store: rebuilt, not "nothing to do"
    assert not again.up_to_date and any(part.name in p for p in again.repaired)
    clear_read_cache()
    assert Store(processed).verify() == [] and len(Store(processed).read("street")) == 9
    assert ingest(raw, processed).up_to_date


def test_the_manifest_records_the_sha256_of_every_file_of_every_table(tmp_path: Path) -> None:
    import hashlib

    raw, processed = _raw(tmp_path), tmp_path / "processed"
    ingest(raw, processed)
    store = Store(processed)
    for name in store.tables():
        for f in store.files(name):
            assert hashlib.sha256((store.root / f["path"]).read_bytes()).hexdigest() == f["sha256"], (name, f["path"])
    assert (processed / "current").is_symlink() and store.root.parent.name == "versions"


def test_adding_a_month_reads_only_that_months_file(tmp_path: Path) -> None:
    raw, processed = _raw(tmp_path), tmp_path / "processed"
    first = ingest(raw, processed)
    assert first.files_read == 5  # three street files, two lookups
    _write_street(raw / "2024-07" / "2024-07-test-street.csv", [_row("ab" * 32, "2024-07", "E01000001")])
    second = ingest(raw, processed)
    assert second.files_read == 1 and second.files_reused == 5
    clear_read_cache()
    street = Store(processed).read("street")
    assert len(street) == 10 and sorted(street["month"].unique()) == ["2024-04", "2024-05", "2024-06", "2024-07"]


def test_a_read_filtered_on_an_indexed_column_opens_only_the_parts_that_hold_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, processed = _raw(tmp_path), tmp_path / "processed"
    ingest(raw, processed)
    opened: list[object] = []
    real = pq.read_table

    def spy(source, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(source)
        return real(source, *args, **kwargs)

    real_file = pq.ParquetFile

    def spy_file(source, *args, **kwargs):  # type: ignore[no-untyped-def]  # a filtered read opens file by file
        opened.append(str(source))
        return real_file(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", spy)
    monkeypatch.setattr(pq, "ParquetFile", spy_file)
    clear_read_cache()
    got = Store(processed).read("street", columns=["month", "ward_code"], filters=[("month", "==", "2024-05")])
    assert list(got.columns) == ["month", "ward_code"] and set(got["month"]) == {"2024-05"} and len(got) == 3
    assert len(opened) == 1 and isinstance(opened[0], str) and opened[0].endswith("2024-05-test-street.parquet")


# --- fault injection: an ingest killed (SIGKILL) at each step of writing a version ---------------

#: Run in a subprocess: `assess ingest --force` with every file-system step that writes the new
#: version counted, the process killing itself (SIGKILL, no clean-up) at step KILL_AT.
_KILLER = textwrap.dedent(
    """
    import os, shutil, signal, sys, threading
    import pyarrow.parquet as pq
    kill_at, count = int(sys.argv[1]), [0]
    lock = threading.Lock()

    def step(fn):
        def wrapped(*args, **kwargs):
            with lock:
                count[0] += 1
                if count[0] == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)
        return wrapped

    os.replace, os.symlink, os.link, os.chmod = map(step, (os.replace, os.symlink, os.link, os.chmod))
    shutil.copyfile, shutil.rmtree = step(shutil.copyfile), step(shutil.rmtree)
    pq.write_table = step(pq.write_table)
    import assess.store.police as police
    police.PoliceWriter.write = step(police.PoliceWriter.write)  # (each part is one DuckDB COPY)
    from assess.cli import app
    try:
        app(["ingest", "--raw", sys.argv[2], "--processed", sys.argv[3], "--force", "--config-dir", sys.argv[4]])
    finally:
        print("STEPS", count[0], file=sys.stderr)
    """
)


def _ingest_killed_at(step: int, raw: Path, processed: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    script = tmp_path / "killer.py"
    script.write_text(_KILLER, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script), str(step), str(raw), str(processed), str(tmp_path / "no-config")],
        env={**os.environ, "PYTHONPATH": str(SRC)}, capture_output=True, text=True, timeout=300,
    )


def _state(processed: Path) -> tuple[str, dict]:
    """The current version's name and its manifest, after checking every file against it."""
    clear_read_cache()
    store = Store(processed)
    assert store.verify() == [], store.verify()
    return store.root.name, json.loads((store.root / "manifest.json").read_text())


@pytest.mark.e2e
def test_an_ingest_killed_at_any_step_leaves_the_previous_version_whole_and_the_next_ingest_succeeds(tmp_path: Path) -> None:
    raw, processed = _raw(tmp_path, months=2), tmp_path / "processed"
    ingest(raw, processed)
    before = _state(processed)
    # new inputs: a month more, and one month changed
    _write_street(raw / "2024-06" / "2024-06-test-street.csv", [_row("cd" * 32, "2024-06", "E01000001")])
    _write_street(raw / "2024-05" / "2024-05-test-street.csv", [_row("ef" * 32, "2024-05", "E01000002")])

    # how many steps a whole run takes (no kill)
    whole = tmp_path / "whole"
    import shutil

    shutil.copytree(processed, whole, symlinks=True)
    done = _ingest_killed_at(0, raw, whole, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    steps = int(done.stderr.rsplit("STEPS", 1)[1].split()[0])
    after = _state(whole)
    assert after[1]["fingerprint"] != before[1]["fingerprint"]
    assert steps >= 10

    for kill_at in range(1, steps + 1):
        trial = tmp_path / f"trial-{kill_at}"
        shutil.copytree(processed, trial, symlinks=True)
        killed = _ingest_killed_at(kill_at, raw, trial, tmp_path)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.returncode, killed.stderr[-2000:])
        name, manifest = _state(trial)  # whole: the previous version, or (killed after the switch) the new one
        assert manifest["fingerprint"] in (before[1]["fingerprint"], after[1]["fingerprint"]), kill_at
        if manifest["fingerprint"] == before[1]["fingerprint"]:
            assert name == before[0]
        report = ingest(raw, trial)  # the next ingest repairs: it finishes and leaves nothing behind
        assert _state(trial)[1]["fingerprint"] == after[1]["fingerprint"]
        assert report.up_to_date or report.version is not None
        assert not list((trial / "versions").glob(".tmp-*")), kill_at
        clear_read_cache()
        assert len(Store(trial).read("street")) == 5
        shutil.rmtree(trial)


def test_a_csp_years_context_opens_only_its_forces_parts_in_the_chapters_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import csv

    from assess.config import config_for_csp
    from assess.measure.context import STREET_COLUMNS, AssessmentContext

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    with open(raw / "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["LSOA11CD", "LSOA11NM", "WD17CD", "WD17NM", "WD17NMW", "LAD17CD", "LAD17NM", "FID"])
        w.writerow(["E01000001", "Test 001A", "E05000001", "North", "", "E06000001", "Test", "1"])
        w.writerow(["E01000003", "Other 001A", "E05000003", "East", "", "E06000002", "Other", "2"])
    with open(raw / "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2016__Lookup_in_England_and_Wales.csv", "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["LAD16CD", "LAD16NM", "CSP16CD", "CSP16NM", "PFA16CD", "PFA16NM", "FID"])
        w.writerow(["E06000001", "Test", "E22000001", "Test", "E23000001", "Test Police", "1"])
        w.writerow(["E06000002", "Other", "E22000002", "Other", "E23000002", "Other Police", "2"])
    for month in ("2024-04", "2024-05"):
        _write_street(raw / month / f"{month}-test-street.csv", [_row("1" * 64 if month < "2024-05" else "2" * 64, month, "E01000001")])
        other = _row("3" * 64 if month < "2024-05" else "4" * 64, month, "E01000003")
        other[2] = other[3] = "Other Police"
        _write_street(raw / month / f"{month}-other-street.csv", [other, ["5" * 64 if month < "2024-05" else "6" * 64, *other[1:]]])
    ingest(raw, processed)
    store = Store(processed)
    assert len(store.files("street")) == 4
    cfg = config_for_csp("E22000001", store.read("lad_csp"))
    opened: list[object] = []
    real = pq.read_table

    def spy(source, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append((source, kwargs.get("columns")))
        return real(source, *args, **kwargs)

    real_file = pq.ParquetFile

    def spy_file(source, *args, **kwargs):  # type: ignore[no-untyped-def]  # a filtered read opens file by file
        opened.append((str(source), None))
        return real_file(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", spy)
    monkeypatch.setattr(pq, "ParquetFile", spy_file)
    clear_read_cache()
    ctx = AssessmentContext(cfg=cfg, year="2024/25", store=store, raw_dir=raw)
    street = ctx.street_all
    assert len(street) == 2 and set(street["lad_code"]) == {"E06000001"}
    assert list(street.columns) == [c for c in STREET_COLUMNS]
    sources = [s for s, _ in opened]
    files = [f for s in sources for f in ([s] if isinstance(s, str) else s)]
    assert files and all("-test-street" in f for f in files), files  # the other force's parts are never opened
