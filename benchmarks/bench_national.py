"""Benchmark: a national batch of bundles on Dask, with 1 and 2 workers: bundles per minute,
speed-up, CPU per bundle and peak memory per worker.

The data: a synthetic nation of ``--csps`` CSPs (default 48) in 8 forces
(``benchmarks/national_data.py``): two financial years of police.uk street files (about 20,000
records per CSP a year), the ONS lookups, mid-2023 populations and households, Home Office
recorded crime by CSP and force, and every partner file of every CSP. It is written and ingested
once into ``--workdir`` (kept between runs), and every CSP gets a configuration built from the
lookup (marked synthetic), as ``assess init-csp`` would write it.

Each configuration ``WxJ`` (W workers, J chapter kernels in each bundle; default ``1x1,2x1,1x2``)
runs ``assess run --year 2024/25 --csp ... --workers W --jobs J`` as a user does (a new process,
the LocalCluster started by the command, its start-up included) on the first ``--bundles`` CSPs
(default 4; 0: ``--all``, every CSP). Printed for each: wall time, bundles per minute, CPU seconds
per bundle (of the whole process tree) and the cores it kept busy on average (CPU / wall: on a
loaded machine, far below the workers asked for), the slowest bundle, and each worker's peak memory (the
largest resident set of a worker and its kernels and PDF layout processes while it built one
bundle, from ``batch.json``); then the speed-up of 2 workers over 1. The load average of the
machine is printed before and after: figures taken while other work runs are noisy.

Usage: ``python benchmarks/bench_national.py [--csps 48] [--bundles 4] [--configs 1x1,2x1,1x2] [--workdir DIR]``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from national_data import csp_nation, write_csp_nation

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YEAR = "2024/25"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def prepare(work: Path, csps: int) -> tuple[Path, Path, Path, list[str]]:
    """The raw folder, the ingested store and the configurations of a nation of ``csps`` CSPs."""
    from assess.config import config_for_csp, dump_config
    from assess.store import Store
    from assess.store.ingest import ingest

    raw, processed, config = work / "raw", work / "processed", work / "config"
    if not (raw / ".complete").exists():
        shutil.rmtree(raw, ignore_errors=True)
        t = time.perf_counter()
        rows = write_csp_nation(raw, csp_nation(csps=csps), years=("2023/24", YEAR))
        (raw / ".complete").write_text(json.dumps(rows))
        print(f"wrote the synthetic nation ({rows['csps']} CSPs, {rows['street']:,} street rows, "
              f"{rows['lsoas']:,} LSOAs) in {time.perf_counter() - t:.0f} s", flush=True)
    if not Store(processed).manifest():
        t = time.perf_counter()
        report = ingest(raw, processed)
        print(f"ingested {report.rows.get('street', 0):,} street rows in {time.perf_counter() - t:.0f} s", flush=True)
    lookup = Store(processed).read("lad_csp")
    names = sorted(lookup["csp_name"].dropna().unique())
    config.mkdir(exist_ok=True)
    for name in names:
        cfg = config_for_csp(name, lookup).model_copy(update={"synthetic": True})
        target = config / f"{cfg.slug}.yaml"
        if not target.exists():
            target.write_text(dump_config(cfg), encoding="utf-8")
    return raw, processed, config, names


def run(work: Path, raw: Path, processed: Path, config: Path, csps: list[str] | None, workers: int, jobs: int) -> dict:
    """One batch by the command line; its figures."""
    out = work / f"reports-{workers}x{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    chosen = ["--all"] if csps is None else [a for c in csps for a in ("--csp", c)]
    cmd = [str(BIN / "assess"), "run", "--year", YEAR, *chosen, "--raw", str(raw), "--processed", str(processed),
           "--out", str(out), "--config-dir", str(config), "--notebooks", str(ROOT / "notebooks"),
           "--workers", str(workers), "--jobs", str(jobs)]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary_path = out / "batch.json"
    if not summary_path.exists():
        raise SystemExit(f"the batch {workers}x{jobs} wrote no batch.json (exit {done.returncode}):\n{done.stderr[-2000:]}")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    bundles = summary["bundles"]
    peaks: dict[str, float] = {}
    for b in bundles:
        if b["worker"]:
            peaks[b["worker"]] = max(peaks.get(b["worker"], 0.0), b["peak_rss_mb"] or 0.0)
    n = len(bundles)
    result = {
        "config": f"{workers}x{jobs}", "workers": workers, "jobs": jobs, "bundles": n, "wall": wall,
        "per_minute": n / wall * 60, "cpu_per_bundle": cpu / n, "counts": summary["counts"],
        "slowest": max(b["seconds"] for b in bundles), "mean_bundle": sum(b["seconds"] for b in bundles) / n,
        "peak_per_worker_mb": sorted(peaks.values(), reverse=True),
        "failed_chapters": sorted({c for b in bundles for c in b["failed_chapters"]}),
    }
    print(
        f"{workers} worker(s) x {jobs} job(s): {n} bundles in {wall:6.1f} s = {result['per_minute']:5.2f} bundles/min; "
        f"CPU {result['cpu_per_bundle']:5.1f} s/bundle ({cpu / wall:.2f} cores busy on average); a bundle {result['mean_bundle']:5.1f} s on average "
        f"(slowest {result['slowest']:.1f} s); peak per worker "
        + ", ".join(f"{p:,.0f} MB" for p in result["peak_per_worker_mb"])
        + f"; {summary['counts']}" + (f"; failed chapters: {', '.join(result['failed_chapters'])}" if result["failed_chapters"] else ""),
        flush=True,
    )
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csps", type=int, default=48, help="CSPs in the synthetic nation (at least 40)")
    ap.add_argument("--bundles", type=int, default=4, help="bundles in each batch (0: every CSP, --all)")
    ap.add_argument("--configs", default="1x1,2x1,1x2", help="workers x jobs, comma-separated")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="assess-national-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"working in {work}; {load()}", flush=True)
    raw, processed, config, names = prepare(work, args.csps)
    chosen = None if args.bundles == 0 else names[: args.bundles]
    print(f"store of {len(names)} CSPs; each batch builds {len(chosen) if chosen else len(names)} bundles of {YEAR}", flush=True)
    results = []
    for spec in args.configs.split(","):
        w, j = (int(x) for x in spec.lower().split("x"))
        results.append(run(work, raw, processed, config, chosen, w, j))
    by = {r["config"]: r for r in results}
    for two, one in (("2x1", "1x1"), ("2x1", "1x2"), ("2x2", "1x2")):
        if two in by and one in by:
            print(f"speed-up {two} over {one}: {by[two]['per_minute'] / by[one]['per_minute']:.2f}x")
    print(f"after: {load()}")
    if args.json:
        args.json.write_text(json.dumps({"load_after": load(), "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
