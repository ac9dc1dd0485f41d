"""Benchmark: ingest throughput (rows/s) and peak memory, against a plain pandas baseline.

Two data sets:
- the demo data (``assess demo``: four financial years of one fictional force);
- a synthetic national-size year: about 6 million police.uk street rows in 43 forces x 12 monthly
  files, with ONS-format lookups so that every row can be placed (``--national-rows`` to change).

For each, in a fresh subprocess (so peak memory is the process's own maximum resident set size):
- ``assess.store.ingest.ingest`` (read + validate + harmonise + place + Parquet store);
- the baseline: ``pandas.read_csv`` of every street file and ``pandas.concat``, nothing else;
- (national) the incremental case: one month-file added, ``ingest`` without ``--force``, which
  reads that file only and reuses every other part;
- (national) the floor: DuckDB reading every street file as text (its columns given, nothing
  sniffed, as the ingest reads them) and writing it to one Parquet file, with no check, no
  placing, no derived column, no row order kept and every thread it wants: the least an ingest
  that reads and stores every field does, so the ingest's rate is judged against it. (Until
  2 December 2026 it let DuckDB sniff each file's columns, which cost a third of its time:
  1.1-1.4 M rows/s then, about 2.1 M now.)

The national figures are printed beside the previous ingests (pandas, before the DuckDB ingest:
74 s, 81 k rows/s, 5.2 GB peak; DuckDB with a query per file: 22.3 s, 269 k rows/s, 764 MB) and the baseline as first measured (14 s, 1.8 GB), with the
target (>= 1.5 M rows/s, <= 1 GB) and the machine's load average (others share its cores).

Usage: ``python benchmarks/bench_ingest.py [--national-rows 6000000] [--skip-national] [--workdir DIR]``.
Prints one line per measurement; nothing is asserted (figures go in the issue notes).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from national_data import write_national_year  # the generator, shared with bench_national.py


#: Figures of the national year measured before (issue 12), printed beside today's.
PREVIOUS_INGEST = {"seconds": 74.0, "rows_per_s": 81_000, "peak_mb": 5.2 * 1024}
#: ... and the DuckDB ingest that read each file by its own query (on a quiet machine, before batches).
PREVIOUS_PER_FILE = {"seconds": 22.3, "rows_per_s": 269_000, "peak_mb": 764}
PREVIOUS_BASELINE = {"seconds": 14.0, "peak_mb": 1.8 * 1024}
TARGET_ROWS_PER_S, TARGET_PEAK_MB = 1_500_000, 1024


def _child(mode: str, raw: str, processed: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    start = time.perf_counter()
    extra: dict = {}
    if mode in ("ingest", "ingest-added"):
        from assess.store.ingest import ingest

        report = ingest(raw, processed, force=mode == "ingest")
        rows = report.rows.get("street", 0)
        extra = {"files_read": report.files_read, "files_reused": report.files_reused}
    elif mode == "duckdb-floor":
        import duckdb

        files = sorted(str(f) for f in Path(raw).rglob("*-street.csv"))
        Path(processed).mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = false")
        listed = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
        target = str(Path(processed) / "floor.parquet").replace("'", "''")
        # every column as text, named as the ingest's reader names them: nothing sniffed, as it does
        with open(files[0], encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
        rows = int(con.execute(f"COPY (SELECT * FROM read_csv({listed}, header=true, auto_detect=false, columns={columns})) "
                               f"TO '{target}' (FORMAT parquet)").fetchall()[0][0])
    else:
        import pandas as pd

        files = sorted(Path(raw).rglob("*-street.csv"))
        df = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
        rows = len(df)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    # CPU time (all threads) tells what the wall time would be on an idle machine, near cpu / cores
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak_mb, **extra}))


def measure(label: str, mode: str, raw: Path, processed: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(raw), str(processed)],
        check=True, capture_output=True, text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{label:<9} {mode:<16} {result['rows']:>10,} rows  {result['seconds']:7.1f} s  "
        f"{result['rows'] / result['seconds']:>10,.0f} rows/s  peak {result['peak_mb']:8,.0f} MB  "
        f"CPU {result['cpu_seconds']:6.1f} s ({result['rows'] / max(result['cpu_seconds'], 1e-9):,.0f} rows per CPU-second)"
        + (f"  ({result['files_read']} files read, {result['files_reused']} reused)" if "files_read" in result else "")
        + f"  [load {os.getloadavg()[0]:.1f}]",
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
    added = national / "2024-04"
    if added.exists():  # left by an earlier run in this workdir: the full ingest reads the year alone
        import shutil

        shutil.rmtree(added)
    now = measure("national", "ingest", national, work / "national-processed")
    base = measure("national", "pandas-baseline", national, work / "unused")
    floor = measure("national", "duckdb-floor", national, work / "floor")
    if not added.exists():  # one month more of one force: the next ingest reads only it
        import numpy as np
        from national_data import ingest_nation, write_street_month

        write_street_month(added, ingest_nation(), 0, "2024-04", args.national_rows // (43 * 12), np.random.default_rng(2))
    measure("national", "ingest-added", national, work / "national-processed")
    rate = now["rows"] / now["seconds"]
    print()
    print(f"{'national year':<34} {'seconds':>8} {'rows/s':>12} {'peak MB':>9}")
    print(f"{'ingest before (pandas ingest)':<34} {PREVIOUS_INGEST['seconds']:>8.1f} {PREVIOUS_INGEST['rows_per_s']:>12,.0f} "
          f"{PREVIOUS_INGEST['peak_mb']:>9,.0f}")
    print(f"{'ingest, a query per file (quiet)':<34} {PREVIOUS_PER_FILE['seconds']:>8.1f} {PREVIOUS_PER_FILE['rows_per_s']:>12,.0f} "
          f"{PREVIOUS_PER_FILE['peak_mb']:>9,.0f}")
    print(f"{'pandas baseline (first measured)':<34} {PREVIOUS_BASELINE['seconds']:>8.1f} {'':>12} {PREVIOUS_BASELINE['peak_mb']:>9,.0f}")
    print(f"{'pandas baseline (now)':<34} {base['seconds']:>8.1f} {base['rows'] / base['seconds']:>12,.0f} {base['peak_mb']:>9,.0f}")
    print(f"{'floor: DuckDB read + write, no check':<34} {floor['seconds']:>8.1f} {floor['rows'] / floor['seconds']:>12,.0f} "
          f"{floor['peak_mb']:>9,.0f}")
    print(f"{'ingest now (DuckDB, validated)':<34} {now['seconds']:>8.1f} {rate:>12,.0f} {now['peak_mb']:>9,.0f}"
          f"  ({now['cpu_seconds']:.1f} CPU-s; the baseline took {base['cpu_seconds']:.1f})")
    print(f"target >= {TARGET_ROWS_PER_S:,} rows/s and <= {TARGET_PEAK_MB:,} MB: "
          f"{'met' if rate >= TARGET_ROWS_PER_S and now['peak_mb'] <= TARGET_PEAK_MB else 'not met'}; "
          f"{now['seconds'] and PREVIOUS_INGEST['seconds'] / now['seconds']:.1f}x the previous ingest; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (others share them: figures are noisy)")
    floor_rate = floor["rows"] / floor["seconds"]
    print(f"the ingest runs at {rate / floor_rate:.0%} of the floor's rate; the target is "
          f"{TARGET_ROWS_PER_S / floor_rate:.2f}x the floor's rate on this machine")


if __name__ == "__main__":
    main()
