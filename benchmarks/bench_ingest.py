"""Benchmark: ingest throughput (rows/s) and peak memory, against a plain pandas baseline.

Two data sets:
- the demo data (``assess demo``: four financial years of one fictional force);
- a synthetic national-size year: about 6 million police.uk street rows in 43 forces x 12 monthly
  files, with ONS-format lookups so that every row can be placed (``--national-rows`` to change).

For each, in a fresh subprocess (so peak memory is the process's own maximum resident set size):
- ``assess.store.ingest.ingest`` (read + validate + harmonise + place + Parquet store);
- the baseline: ``pandas.read_csv`` of every street file and ``pandas.concat``, nothing else.

Usage: ``python benchmarks/bench_ingest.py [--national-rows 6000000] [--skip-national] [--workdir DIR]``.
Prints one line per measurement; nothing is asserted (figures go in the issue notes).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from national_data import write_national_year  # the generator, shared with bench_national.py


def _child(mode: str, raw: str, processed: str) -> None:
    start = time.perf_counter()
    if mode == "ingest":
        from assess.store.ingest import ingest

        report = ingest(raw, processed, force=True)
        rows = report.rows.get("street", 0)
    else:
        import pandas as pd

        files = sorted(Path(raw).rglob("*-street.csv"))
        df = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
        rows = len(df)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb}))


def measure(label: str, mode: str, raw: Path, processed: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(raw), str(processed)],
        check=True, capture_output=True, text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{label:<9} {mode:<16} {result['rows']:>10,} rows  {result['seconds']:7.1f} s  "
        f"{result['rows'] / result['seconds']:>10,.0f} rows/s  peak {result['peak_mb']:8,.0f} MB",
        flush=True,
    )
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--national-rows", type=int, default=6_000_000)
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="assess-bench-"))
    print(f"working in {work}")
    from assess.demo import write_demo

    demo = work / "demo"
    if not (demo / "DEMO_README.md").exists():
        write_demo(demo)
    measure("demo", "ingest", demo, work / "demo-processed")
    measure("demo", "pandas-baseline", demo, work / "unused")
    if args.skip_national:
        return
    national = work / "national"
    if not national.exists():
        national.mkdir(parents=True)
        t = time.perf_counter()
        write_national_year(national, args.national_rows)
        print(f"wrote the synthetic national year in {time.perf_counter() - t:.0f} s")
    measure("national", "ingest", national, work / "national-processed")
    measure("national", "pandas-baseline", national, work / "unused")


if __name__ == "__main__":
    main()
