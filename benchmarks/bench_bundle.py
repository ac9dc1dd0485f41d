"""Benchmark: wall time of the whole demo bundle, beside a naive baseline on the same machine.

- assess: ``assess.report.bundle.run_bundle`` (papermill's Python API in one process, ``--jobs``
  notebooks at a time, HTML/PDF/xlsx/metrics in-process);
- baseline: for each chapter notebook, one after another, the ``papermill`` CLI and then the
  ``jupyter nbconvert --to html --no-input`` CLI (what an analyst would script by hand; it makes
  no PDF, workbook or index, so it does less work than the bundle).

Both run in this same invocation on the demo data (written and ingested first if absent).
Usage: ``python benchmarks/bench_bundle.py [--jobs 2] [--skip-baseline] [--workdir DIR]``.
Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
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
    from assess.ingest import ingest

    raw, processed = work / "raw", work / "processed"
    if not (raw / "DEMO_README.md").exists():
        write_demo(raw)
    ingest(raw, processed)
    return raw, processed


def run_assess(raw: Path, processed: Path, out: Path, jobs: int) -> float:
    from assess.config import find_config
    from assess.report.bundle import run_bundle

    cfg = find_config("wessex-vale", ROOT / "config" / "csp")
    start = time.perf_counter()
    result = run_bundle(
        cfg, "2024/25", notebooks_dir=ROOT / "notebooks", raw_dir=raw, processed_dir=processed,
        out_root=out, config_dir=ROOT / "config" / "csp", jobs=jobs, progress=False,
    )
    seconds = time.perf_counter() - start
    status = "all chapters ok" if result.ok else f"FAILED: {[r.chapter for r in result.failed]} {result.problems}"
    print(f"assess run_bundle (jobs={jobs}): {seconds:6.1f} s  ({status}; PDF {result.pdf_pages} pages)", flush=True)
    for phase, t in sorted(result.timings.items()):
        print(f"    {phase:<28} {t:6.1f} s")
    return seconds


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
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="assess-bench-bundle-"))
    print(f"working in {work}; {os.cpu_count()} cores")
    raw, processed = prepare(work)
    ours = run_assess(raw, processed, work / "reports", args.jobs)
    if args.skip_baseline:
        return
    base = run_baseline(raw, processed, work / "baseline")
    print(f"speed-up: {base / ours:.1f}x")


if __name__ == "__main__":
    main()
