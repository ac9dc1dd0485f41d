"""Benchmark: peak memory of ``assess ingest`` and ``assess run`` with one 5-million-row street file.

The demo data is written (``assess demo``) and its June 2024 police.uk street file replaced by one
of ``--rows`` rows (5 million by default, about 1 GB) in the demo force's own format and areas,
so every row is read, validated, placed in a ward of Wessex Vale or its neighbours, and then
counted by the chapters. Then, each in a fresh subprocess as an analyst runs them:

- ``assess ingest --force`` (the processed store from the raw folder);
- ``assess run --csp wessex-vale --year 2024/25 --force`` (every chapter executed, kernels included).

For each command it prints the wall time, the peak of the summed resident memory of the command
and all its descendants (kernels, PDF workers), sampled every 0.1 s with psutil, and the largest
single process's own peak (``ru_maxrss`` of the waited-for children). Nothing is asserted: the
figures are printed as measured, and on a shared machine they are noisy.

With ``--skip-ingest`` (and the ``--workdir`` of an earlier run) the data and the store written
then are reused and only ``assess run`` is measured: the quick loop while working on the run.

Usage: ``python benchmarks/bench_memory.py [--rows 5000000] [--workdir DIR] [--skip-run | --skip-ingest] [--keep]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2024-06"
CATEGORIES = np.array([
    "Anti-social behaviour", "Violence and sexual offences", "Other theft", "Criminal damage and arson",
    "Shoplifting", "Public order", "Vehicle crime", "Burglary", "Drugs", "Other crime",
    "Theft from the person", "Bicycle theft", "Robbery", "Possession of weapons",
])
WEIGHTS = np.array([26, 28, 8, 9, 6, 7, 4, 4, 2, 1.5, 1, 1.5, 1, 1], dtype=float)
OUTCOMES = np.array(["Under investigation", "Investigation complete; no suspect identified", "Unable to prosecute suspect"])


def write_big_street_file(raw: Path, rows: int, seed: int = 5) -> Path:
    """Replace the demo's street file of MONTH by one of ``rows`` rows in the same LSOAs."""
    path = raw / "police_street" / MONTH / f"{MONTH}-wessex-street.csv"
    demo = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={"Crime ID": pa.string()}))
    lsoa = np.array(demo.column("LSOA code").to_pylist(), dtype=object)
    names = dict(zip(demo.column("LSOA code").to_pylist(), demo.column("LSOA name").to_pylist(), strict=True))
    codes = np.array(sorted({c for c in lsoa if c}), dtype=object)
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    chunk = 500_000
    with pa.OSFile(str(tmp), "wb") as sink:
        writer = None
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            cat = CATEGORIES[rng.choice(len(CATEGORIES), n, p=WEIGHTS / WEIGHTS.sum())]
            asb = cat == "Anti-social behaviour"
            ids = np.array([f"{a:016x}{b:016x}{c:016x}{d:016x}" for a, b, c, d in rng.integers(0, 2**63, (n, 4))])
            ids[asb] = ""
            at = codes[rng.integers(0, len(codes), n)]
            table = pa.table({
                "Crime ID": ids,
                "Month": np.full(n, MONTH),
                "Reported by": np.full(n, "Wessex Police"),
                "Falls within": np.full(n, "Wessex Police"),
                "Longitude": np.round(rng.uniform(-2.6, -2.0, n), 6).astype(str),
                "Latitude": np.round(rng.uniform(50.6, 51.0, n), 6).astype(str),
                "Location": np.full(n, "On or near High Street"),
                "LSOA code": at,
                "LSOA name": np.array([names[c] for c in at], dtype=object),
                "Crime type": cat,
                "Last outcome category": np.where(asb, "", OUTCOMES[rng.integers(0, len(OUTCOMES), n)]),
                "Context": np.full(n, ""),
            })
            if writer is None:
                writer = pacsv.CSVWriter(sink, table.schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
            writer.write_table(table)
        writer.close()
    os.replace(tmp, path)
    return path


def measure(command: list[str], cwd: Path) -> dict[str, float]:
    """Run ``command``; its wall time, the peak of its process tree's summed RSS, and the largest
    single process's peak RSS (bytes)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = {"tree": 0}
    by_process: dict[int, tuple[int, str]] = {}  # pid -> (peak RSS sampled, what it runs)
    done = threading.Event()

    def sample() -> None:
        parent = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                procs = [parent, *parent.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        rss = p.memory_info().rss
                        total += rss
                        if rss > by_process.get(p.pid, (0, ""))[0]:
                            by_process[p.pid] = (rss, by_process.get(p.pid, (0, ""))[1] or _role(p, proc.pid))
                    except psutil.Error:
                        pass
                peak["tree"] = max(peak["tree"], total)
            except psutil.Error:
                pass
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    if proc.returncode not in (0, 1):
        print(stderr.decode("utf-8", "replace")[-2000:], file=sys.stderr)
    largest = max(by_process.values(), default=(0, "none"))
    return {"seconds": seconds, "tree_peak": peak["tree"], "largest_process_peak": single, "status": proc.returncode,
            "largest_sampled": largest[0], "largest_sampled_role": largest[1]}


def _role(p: psutil.Process, top: int) -> str:
    """What a process of the tree is: the command itself, a kernel, or another helper."""
    if p.pid == top:
        return "the command"
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return "a helper"
    return "a chapter kernel" if "ipykernel" in cmd else f"a helper ({cmd[:60]})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--skip-run", action="store_true", help="measure ingest only")
    ap.add_argument("--skip-ingest", action="store_true",
                    help="reuse the data and store of an earlier run in --workdir; measure assess run only")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    if args.skip_ingest and (args.workdir is None or not (args.workdir / "processed").is_dir()):
        ap.error("--skip-ingest needs the --workdir of an earlier run (one holding raw/ and processed/)")
    if args.skip_ingest and args.skip_run:
        ap.error("--skip-ingest and --skip-run leave nothing to measure")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="assess-bench-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    from assess.demo import write_demo

    try:
        cli = [sys.executable, "-m", "assess.cli"]
        steps = []
        if args.skip_ingest:
            big = work / "raw" / "police_street" / MONTH / f"{MONTH}-wessex-street.csv"
            print(f"data: reused from {work} ({big.name}, {big.stat().st_size / 2**30:.2f} GiB)")
        else:
            t = time.perf_counter()
            write_demo(work / "raw")
            big = write_big_street_file(work / "raw", args.rows)
            print(f"data: demo plus {big.name} with {args.rows:,} rows ({big.stat().st_size / 2**30:.2f} GiB), "
                  f"written in {time.perf_counter() - t:.0f} s")
            steps.append(("assess ingest", [*cli, "ingest", "--raw", str(work / "raw"), "--processed", str(work / "processed"), "--force"]))
        if not args.skip_run:
            steps.append(("assess run", [*cli, "run", "--csp", "wessex-vale", "--year", "2024/25", "--raw", str(work / "raw"),
                                         "--processed", str(work / "processed"), "--out", str(work / "reports"),
                                         "--config-dir", str(ROOT / "config" / "csp"), "--notebooks", str(ROOT / "notebooks"),
                                         "--force"]))  # every chapter executed, none reused from an earlier run
        for name, command in steps:
            m = measure(command, work)
            print(f"{name}: exit {m['status']}, {m['seconds']:.0f} s, peak memory of the process tree "
                  f"{m['tree_peak'] / 2**30:.2f} GiB (sampled every 0.1 s), largest single process so far "
                  f"{m['largest_process_peak'] / 2**30:.2f} GiB; largest sampled {m['largest_sampled'] / 2**30:.2f} GiB "
                  f"({m['largest_sampled_role']})")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (figures are noisy when others run)")
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
