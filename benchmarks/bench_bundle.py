"""Benchmark: wall time of the whole demo bundle, beside a naive baseline on the same machine.

- assess: the ``assess run`` command, timed from its start to its exit (papermill's Python API
  in one process, ``--jobs`` notebooks at a time, the PDF's chapters laid out alongside), on an
  empty cache (``--force``: every chapter executed);
- unchanged rerun: the same command again, nothing changed (every chapter and the bundle's pages
  reused from the cache, ``assess.report.cache``);
- one partner file changed: ``partner/offenders.csv`` with one offender's outcome changed, ingested
  (timed apart), then the command again (the chapters that read it, and those reading their outputs, executed);
- baseline: for each chapter notebook, one after another, the ``papermill`` CLI and then the
  ``jupyter nbconvert --to html --no-input`` CLI (what an analyst would script by hand; it makes
  no PDF, workbook or index, so it does less work than the bundle).

Both run in this same invocation on the demo data (written and ingested first if absent).
Usage: ``python benchmarks/bench_bundle.py [--jobs 2] [--skip-baseline] [--workdir DIR]``.
Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def prepare(work: Path) -> tuple[Path, Path]:
    from assess.demo import write_demo
    from assess.store.ingest import ingest

    raw, processed = work / "raw", work / "processed"
    if not (raw / "DEMO_README.md").exists():
        write_demo(raw)
    ingest(raw, processed)
    return raw, processed


def run_assess(raw: Path, processed: Path, out: Path, jobs: int, label: str, *extra: str, phases: bool = True) -> float:
    """Time ``assess run`` as a user runs it (a new process: imports included); CPU time beside it."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "assess"), "run", "--csp", "wessex-vale", "--year", "2024/25", "--raw", str(raw),
         "--processed", str(processed), "--out", str(out), "--config-dir", str(ROOT / "config" / "csp"),
         "--notebooks", str(ROOT / "notebooks"), "--jobs", str(jobs), *extra],
        env=env, capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    manifest = json.loads((out / "wessex-vale" / "2024-25" / "manifest.json").read_text(encoding="utf-8"))
    status = "all chapters ok" if done.returncode == 0 else f"FAILED (exit {done.returncode}): {done.stderr[-500:]}"
    ran = [c["chapter"] for c in manifest["chapters"] if not c.get("cached")]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{label}: {seconds:6.1f} s wall, {cpu:6.1f} s CPU, load average after {load}  ({status}; PDF {manifest['pdf_pages']} pages; "
          f"{len(ran)} of {len(manifest['chapters'])} chapters executed{': ' + ', '.join(ran) if 0 < len(ran) < 5 else ''})",
          flush=True)
    if phases:
        print("    phases inside the run (seconds; PDF layout runs alongside execution):")
        for phase, t in sorted(manifest["timings_seconds"].items()):
            print(f"    {phase:<28} {t:6.1f} s")
    return seconds


def change_partner_file(raw: Path) -> None:
    """One offender of the last year no longer reoffended (``partner/offenders.csv``)."""
    path = raw / "partner" / "offenders.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = max(i for i, line in enumerate(lines) if ",yes," in line)
    lines[i] = lines[i].replace(",yes,", ",no,", 1)
    path.write_text("".join(lines), encoding="utf-8")


def run_baseline(raw: Path, processed: Path, out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"), key=lambda p: (p.stem.startswith("00"), p.stem.startswith("12"), p.stem)):
        executed = out / nb.name
        subprocess.run(
            [str(BIN / "papermill"), str(nb), str(executed), "--cwd", str(out), "--no-progress-bar",
             "--log-level", "ERROR", "-k", "python3",
             "-p", "csp", "wessex-vale", "-p", "year", "2024/25", "-p", "raw_dir", str(raw),
             "-p", "processed_dir", str(processed), "-p", "config_dir", str(ROOT / "config" / "csp"),
             "-p", "output_dir", str(out)],
            check=True, env=env, capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True, env=env, capture_output=True,
        )
    seconds = time.perf_counter() - start
    print(f"baseline papermill CLI + nbconvert CLI, one by one: {seconds:6.1f} s", flush=True)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-reruns", action="store_true", help="Time only the fresh bundle (and the baseline).")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="assess-bench-bundle-"))
    print(f"working in {work}; {os.cpu_count()} cores; load average (1, 5, 15 min) {' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
          " (others' work on the machine inflates wall time most; CPU seconds less)")
    raw, processed = prepare(work)
    ours = run_assess(raw, processed, work / "reports", args.jobs, f"assess run, fresh (jobs={args.jobs})", "--force")
    if not args.skip_reruns:
        run_assess(raw, processed, work / "reports", args.jobs, "assess run, nothing changed", phases=False)
        change_partner_file(raw)
        from assess.store.ingest import ingest

        start = time.perf_counter()
        ingest(raw, processed)  # partner files are stored by ingest: a changed one is refused until then
        print(f"assess ingest after the change (in process): {time.perf_counter() - start:6.1f} s", flush=True)
        run_assess(raw, processed, work / "reports", args.jobs, "assess run, partner/offenders.csv changed")
    if args.skip_baseline:
        return
    base = run_baseline(raw, processed, work / "baseline")
    print(f"speed-up: {base / ours:.1f}x")


if __name__ == "__main__":
    main()
