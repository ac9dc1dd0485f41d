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
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]
CATEGORIES = np.array([
    "Anti-social behaviour", "Violence and sexual offences", "Other theft", "Criminal damage and arson",
    "Shoplifting", "Public order", "Vehicle crime", "Burglary", "Drugs", "Other crime",
    "Theft from the person", "Bicycle theft", "Robbery", "Possession of weapons",
])
WEIGHTS = np.array([26, 28, 8, 9, 6, 7, 4, 4, 2, 1.5, 1, 1.5, 1, 1], dtype=float)


def write_national_year(root: Path, rows: int, seed: int = 1) -> None:
    """Write ~``rows`` street rows for 43 forces x 12 months of FY2023/24, plus ONS lookups."""
    rng = np.random.default_rng(seed)
    n_lsoa, n_forces = 34_000, 43
    lsoa = np.array([f"E01{i:06d}" for i in range(1, n_lsoa + 1)])
    ward = np.array([f"E05{i // 5:06d}" for i in range(n_lsoa)])
    lad = np.array([f"E07{i // 110:06d}" for i in range(n_lsoa)])
    with open(root / "Lower_Layer_Super_Output_Area_2011_to_Ward_2023_Lookup_in_England_and_Wales.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["LSOA11CD", "LSOA11NM", "WD23CD", "WD23NM", "WD23NMW", "LAD23CD", "LAD23NM", "FID"])
        for i in range(n_lsoa):
            w.writerow([lsoa[i], f"Area {lad[i]} {i:03d}A", ward[i], f"Ward {ward[i]}", "", lad[i], f"LA {lad[i]}", i + 1])
    lads = sorted(set(lad))
    with open(root / "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2023__Lookup_in_England_and_Wales.csv", "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["LAD23CD", "LAD23NM", "CSP23CD", "CSP23NM", "PFA23CD", "PFA23NM", "FID"])
        for i, code in enumerate(lads):
            f = i * n_forces // len(lads)
            w.writerow([code, f"LA {code}", f"E22{i:06d}", f"CSP {i}", f"E23{f:06d}", f"Force {f}", i + 1])
    per_file = rows // (n_forces * 12)
    months = [f"2023-{m:02d}" for m in range(4, 13)] + [f"2024-{m:02d}" for m in range(1, 4)]
    p = WEIGHTS / WEIGHTS.sum()
    for f in range(n_forces):
        force = f"Force {f} Police"
        slug = f"force-{f}"
        lo, hi = f * n_lsoa // n_forces, (f + 1) * n_lsoa // n_forces
        for month in months:
            idx = rng.integers(lo, hi, per_file)
            cat = CATEGORIES[rng.choice(len(CATEGORIES), per_file, p=p)]
            asb = cat == "Anti-social behaviour"
            ids = np.array([f"{x:064x}" for x in rng.integers(0, 2**62, per_file)])
            ids[asb] = ""
            folder = root / month
            folder.mkdir(exist_ok=True)
            table = pa.table({
                "Crime ID": ids,
                "Month": np.full(per_file, month),
                "Reported by": np.full(per_file, force),
                "Falls within": np.full(per_file, force),
                "Longitude": np.round(rng.uniform(-3, 1, per_file), 6).astype(str),
                "Latitude": np.round(rng.uniform(50.5, 53, per_file), 6).astype(str),
                "Location": np.full(per_file, "On or near High Street"),
                "LSOA code": lsoa[idx],
                "LSOA name": np.char.add("Area ", lsoa[idx]),
                "Crime type": cat,
                "Last outcome category": np.where(asb, "", "Under investigation"),
                "Context": np.full(per_file, ""),
            })
            pacsv.write_csv(table, folder / f"{month}-{slug}-street.csv",
                            write_options=pacsv.WriteOptions(quoting_style="needed"))


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
