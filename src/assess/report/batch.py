"""Many bundles as one batch: every CSP (and year) a task on Dask distributed.

:func:`plan_batch` decides what to build: every CSP the store holds police.uk street rows for in
the year (``--all``), or the CSPs asked for by slug, name or ONS code. A CSP's configuration is
its ``config/csp/*.yaml`` when there is one (matched by ONS code, slug or name), else it is built
from the ONS lookup in the store (:func:`assess.config.config_for_csp`) and written to
``<out>/configs/<slug>.yaml`` so that the chapter notebooks, which read their configuration by
slug, find it. A CSP that cannot be configured is not built and is listed as failed.

:func:`run_batch` builds each bundle with :func:`assess.report.bundle.run_bundle` as one Dask
task (:func:`build_bundle`, on a worker), on a LocalCluster it starts (``workers`` processes of one
thread each) or on an existing cluster (``scheduler`` address). Each bundle itself runs ``jobs``
chapter kernels and ``pdf_workers`` PDF layout processes, so a worker uses about ``jobs`` cores:
on a machine of C cores, ``workers * jobs`` near C keeps every core busy without oversubscribing
(:func:`default_workers`). A bundle that fails (an error in the bundle machinery, or a worker that
died) does not stop the others: its error is recorded. As each bundle finishes, ``on_done`` is
called (the command line feeds a progress bar with it). When all have finished the batch index
(``<out>/index.html``) and ``<out>/batch.json`` are written atomically
(:mod:`assess.report.batch_index`).

Workers need the project installed (the same ``assess`` version) and the same paths as the
client: the notebooks, raw folder, processed store, configurations and output root, i.e. a shared
filesystem or object storage mounted at the same place (docs/scaling.md). :func:`run_batch`
checks both on every worker before submitting anything.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from assess.atomic import write_text
from assess.config import CSPConfig, config_for_csp, dump_config, load_config, slugify
from assess.errors import AssessError, ConfigError
from assess.safe_paths import UnsafePathError, check_plain_name
from assess.store import Store

#: Folder of ``<out>`` where the configurations built from the lookup are written.
GENERATED_CONFIGS = "configs"
#: Memory one worker needs to build a bundle with one kernel (bytes): benchmarks/bench_national.py
#: measured a peak of about 2 GB (worker, kernel and PDF layout together) on a 48-CSP store.
WORKER_MEMORY = int(2.5 * 2**30)

Status = Literal["complete", "incomplete", "failed"]


class BatchError(AssessError):
    """The batch as a whole cannot run (no cluster, workers that cannot see the inputs)."""


@dataclass(frozen=True)
class BatchItem:
    """One bundle to build: a CSP's configuration, the year, and where its notebooks read the
    configuration from (``config/csp`` or the batch's generated ``<out>/configs``)."""

    cfg: CSPConfig
    year: str
    config_dir: Path
    configured: bool  # True: from config/csp; False: built from the ONS lookup

    @property
    def key(self) -> str:
        """The Dask task key (unique in a batch)."""
        return f"bundle-{self.cfg.slug}-{self.year.replace('/', '-')}"


@dataclass
class BundleOutcome:
    """What happened to one bundle of a batch (plain data: it travels back from the worker).

    ``status``: ``complete`` (every chapter ran, every output made), ``incomplete`` (the bundle
    was published but a chapter failed or an output is missing) or ``failed`` (no bundle was
    published; any earlier bundle of the CSP and year is left as it was). ``path`` is the bundle's
    folder relative to the output root. ``peak_rss_mb`` is the largest sum of resident memory of
    the worker process and its children (kernels, PDF layout) seen while the bundle was built
    (sampled every quarter second; shared pages are counted in each process, so an upper bound).
    """

    csp: str
    name: str
    code: str
    year: str
    status: Status
    path: str | None = None
    synthetic: bool = False
    configured: bool = True
    chapters: dict[str, str] = field(default_factory=dict)
    failed_chapters: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    worker: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchPlan:
    """The bundles to build, and the CSPs that could not be configured (already failed)."""

    items: list[BatchItem]
    failed: list[BundleOutcome]
    warnings: list[str] = field(default_factory=list)


@dataclass
class BatchResult:
    """Every bundle's outcome (sorted by CSP name, then year) and the batch's files."""

    outcomes: list[BundleOutcome]
    index: Path
    summary: Path
    workers: int
    seconds: float
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.status == "complete" for o in self.outcomes)

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)


# -- planning --------------------------------------------------------------------------------------
def csp_codes_with_data(store: Store, year: str) -> list[str]:
    """ONS codes of the CSPs with police.uk street rows placed in them in ``year`` (sorted)."""
    if not store.has("street"):
        return []
    street = store.read("street", columns=["csp_code"], filters=[("financial_year", "==", year)])
    return sorted(str(c) for c in street["csp_code"].dropna().unique())


def configured_csps(config_dir: Path) -> tuple[list[tuple[Path, CSPConfig]], dict[Path, str]]:
    """Every configuration in ``config_dir``, and the files that could not be read (with why)."""
    good: list[tuple[Path, CSPConfig]] = []
    bad: dict[Path, str] = {}
    for path in sorted(Path(config_dir).glob("*.yaml")):
        try:
            good.append((path, load_config(path)))
        except ConfigError as exc:
            bad[path] = str(exc)
    return good, bad


def _lookup(store: Store) -> Any:
    return store.read("lad_csp") if store.has("lad_csp") else None


def _failed(csp: str, year: str, error: str, *, name: str | None = None, code: str = "") -> BundleOutcome:
    return BundleOutcome(csp=slugify(csp) or csp, name=name or csp, code=code, year=year, status="failed", error=error)


def plan_batch(
    years: Sequence[str],
    *,
    processed_dir: Path,
    config_dir: Path,
    out_root: Path,
    csps: Sequence[str] = (),
    every_csp: bool = False,
) -> BatchPlan:
    """The bundles of a batch: ``csps`` (slugs, names or ONS codes), or with ``every_csp`` each
    CSP with street rows in each year, for every year of ``years``.

    Configurations built from the lookup are written (atomically) to ``<out_root>/configs/``.
    A CSP that cannot be configured (unknown, or its YAML is broken) becomes a failed outcome.
    """
    store = Store(processed_dir)
    lookup = _lookup(store)
    good, bad = configured_csps(config_dir)
    by_key: dict[str, CSPConfig] = {}
    for _path, cfg in good:
        for k in (cfg.code, cfg.slug, cfg.name.lower()):
            by_key.setdefault(k, cfg)
    broken = {p.stem: msg for p, msg in bad.items()}
    warnings = list(bad.values())

    wanted: list[tuple[str, str]] = []  # (request, year)
    for year in years:
        if every_csp:
            codes = csp_codes_with_data(store, year)
            if not codes:
                warnings.append(f"no police.uk street rows for any CSP in {year} in {processed_dir}")
            wanted += [(c, year) for c in codes]
        else:
            wanted += [(c, year) for c in csps]

    items: list[BatchItem] = []
    failed: list[BundleOutcome] = []
    written: dict[str, CSPConfig] = {}
    seen: set[tuple[str, str]] = set()
    for request, year in wanted:
        cfg = by_key.get(request) or by_key.get(request.lower()) or by_key.get(slugify(request))
        configured = cfg is not None
        if cfg is None and slugify(request) in broken:  # asked for by the slug of a YAML that cannot be read
            failed.append(_failed(request, year, broken[slugify(request)]))
            continue
        if cfg is None:
            try:
                if lookup is None:
                    raise ConfigError(
                        f"no configuration for CSP '{request}' in {config_dir}, and no ONS lookup (lad_csp) "
                        f"in {processed_dir} to build one from: run `assess ingest` with the lookup in data/raw/"
                    )
                cfg = config_for_csp(request, lookup)
            except ConfigError as exc:
                failed.append(_failed(request, year, str(exc)))
                continue
            if cfg.slug in broken:  # a configuration meant for it exists but cannot be read
                failed.append(_failed(cfg.slug, year, broken[cfg.slug], name=cfg.display_name, code=cfg.code))
                continue
        try:  # a configuration's slug names the bundle's folder: a plain name (the bundle checks it again)
            check_plain_name(cfg.slug, "slug", source=str(cfg.source) if cfg.source is not None else None)
        except UnsafePathError as exc:
            failed.append(_failed(request, year, str(exc), name=cfg.display_name, code=cfg.code))
            continue
        if (cfg.slug, year) in seen:
            continue
        seen.add((cfg.slug, year))
        if configured:
            items.append(BatchItem(cfg, year, Path(config_dir).resolve(), True))
            continue
        folder = (Path(out_root) / GENERATED_CONFIGS).resolve()
        if cfg.slug not in written:
            write_text(folder / f"{cfg.slug}.yaml",
                       "# Built from the ONS lookup by `assess run` for a batch; write your own with `assess init-csp`.\n"
                       + dump_config(cfg))
            written[cfg.slug] = cfg
        items.append(BatchItem(cfg, year, folder, False))
    return BatchPlan(items, failed, warnings)


# -- on the worker ---------------------------------------------------------------------------------
class _PeakMemory:
    """Samples the resident memory of this process and its children until stopped (MB)."""

    def __init__(self, every: float = 0.25) -> None:
        import psutil

        self._proc = psutil.Process(os.getpid())
        self._every = every
        self._stop = threading.Event()
        self.peak_mb = 0.0
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)

    def _sample(self) -> None:
        import psutil

        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:  # a child that has just ended
                pass
        self.peak_mb = max(self.peak_mb, total / 2**20)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()

    def __enter__(self) -> _PeakMemory:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _worker_address() -> str | None:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return None


def _error_text(exc: BaseException) -> str:
    lines = [f"{type(exc).__name__}: {exc}".rstrip(": ")]
    lines += [str(n) for n in getattr(exc, "__notes__", [])]
    if not isinstance(exc, AssessError):  # not one of ours: where it came from helps
        frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        lines += [f"at {f.filename}:{f.lineno} in {f.name}" for f in frame]
    return "; ".join(lines)


def build_bundle(
    item: BatchItem,
    *,
    notebooks_dir: str,
    raw_dir: str,
    processed_dir: str,
    out_root: str,
    jobs: int,
    chapters: list[str] | None,
    timeout: int | None,
    isolate: bool,
    pdf_workers: int,
    force: bool = False,
) -> BundleOutcome:
    """Build one bundle (the task a worker runs) and say what happened; never raises."""
    # nbformat imports jsonschema, which builds rfc3987-syntax's IRI grammar on import (1.6-2.7 s);
    # no schema a bundle checks has an "iri" format (as in `assess run`)
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    from assess.report.bundle import run_bundle

    cfg, year = item.cfg, item.year
    outcome = BundleOutcome(
        csp=cfg.slug, name=cfg.display_name, code=cfg.code, year=year, status="failed",
        synthetic=cfg.synthetic, configured=item.configured, worker=_worker_address(),
    )
    t0 = time.perf_counter()
    with _PeakMemory() as memory:
        try:
            result = run_bundle(
                cfg, year, notebooks_dir=Path(notebooks_dir), raw_dir=Path(raw_dir), processed_dir=Path(processed_dir),
                out_root=Path(out_root), config_dir=item.config_dir, jobs=jobs, chapters=chapters, progress=False,
                timeout=timeout, isolate=isolate, pdf_workers=pdf_workers, force=force,
            )
        except Exception as exc:  # noqa: BLE001 - recorded: one bundle's failure must not stop the batch
            outcome.error = _error_text(exc)
        else:
            outcome.status = "complete" if result.ok else "incomplete"
            outcome.path = result.path.relative_to(Path(out_root)).as_posix()  # <slug>/<year>, checked by run_bundle
            outcome.chapters = result.statuses
            outcome.failed_chapters = {r.chapter: r.error or "failed" for r in result.failed}
            outcome.problems = list(result.problems)
    outcome.seconds = round(time.perf_counter() - t0, 2)
    outcome.peak_rss_mb = round(memory.peak_mb, 1)
    return outcome


# -- the cluster -----------------------------------------------------------------------------------
def default_workers(jobs: int, cores: int | None = None, memory: int | None = None) -> int:
    """Workers for a LocalCluster: as many bundles at a time as there are cores for ``jobs`` each,
    and no more than the machine's memory holds at :data:`WORKER_MEMORY` each; at least one.

    Each bundle keeps about ``jobs`` cores busy (its chapter kernels, with the PDF layout beside
    them), so ``cores // jobs`` bundles at a time. ``memory`` is in bytes (default: this machine's).
    """
    import psutil

    cores = cores or os.cpu_count() or 1
    memory = memory or psutil.virtual_memory().total
    return max(1, min(cores // max(1, jobs), memory // WORKER_MEMORY))


def _workers_can_build(paths: Sequence[str]) -> dict[str, Any]:
    """Run on each worker: the assess version it imports and which of ``paths`` it cannot see."""
    import assess

    return {"version": assess.__version__, "missing": [p for p in paths if not Path(p).exists()],
            "python": sys.executable}


def check_workers(client: Any, paths: Sequence[str]) -> None:
    """BatchError unless every worker imports this assess version and sees every path that this
    client sees (one missing here too, such as an absent raw folder, is the bundle's business)."""
    import assess

    answers = client.run(_workers_can_build, [p for p in paths if Path(p).exists()])
    problems = []
    for worker, info in sorted(answers.items()):
        if info["version"] != assess.__version__:
            problems.append(f"worker {worker} has assess {info['version']}, this client {assess.__version__}")
        if info["missing"]:
            problems.append(f"worker {worker} cannot see {', '.join(info['missing'])}")
    if problems:
        raise BatchError(
            "; ".join(problems) + ". Workers need the project installed and the notebooks, raw folder, "
            "processed store, configurations and output folder at the same paths as here (docs/scaling.md)"
        )


def _local_cluster(workers: int) -> Any:
    from distributed import LocalCluster

    # threads_per_worker=1: a worker builds one bundle at a time; the scheduler's HTTP server (and any
    # dashboard) on a free port, never a fixed one another cluster on the machine may hold
    return LocalCluster(
        n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=":0",
        scheduler_port=0, silence_logs=40,  # logging.ERROR
    )


ProgressCallback = Callable[[BundleOutcome, int, int], None]


def run_batch(
    plan: BatchPlan,
    *,
    notebooks_dir: Path,
    raw_dir: Path,
    processed_dir: Path,
    out_root: Path,
    jobs: int = 1,
    chapters: Sequence[str] | None = None,
    timeout: int | None = 1800,
    isolate: bool = False,
    pdf_workers: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    on_done: ProgressCallback | None = None,
    reading: Sequence[str] | None = None,
    force: bool = False,
) -> BatchResult:
    """Build every bundle of ``plan`` on Dask, then write the batch index and ``batch.json``.

    ``scheduler``: the address of an existing cluster (``tcp://host:8786``); without it a
    LocalCluster of ``workers`` processes (default :func:`default_workers`) is started and closed.
    ``pdf_workers`` (default ``jobs``) PDF layout processes per bundle. ``reading``: the chapters
    whose metrics are left out of the headline figures (default: the registry's, e.g. the summary).
    Raises :class:`BatchError` when the cluster cannot be reached or its workers cannot build.
    """
    from distributed import Client, as_completed

    from assess.registry import load_registry
    from assess.report.batch_index import write_batch_files

    t0 = time.perf_counter()
    out_root = Path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    paths = {
        "notebooks_dir": str(Path(notebooks_dir).resolve()),
        "raw_dir": str(Path(raw_dir).resolve()),
        "processed_dir": str(Path(processed_dir).resolve()),
        "out_root": str(out_root.resolve()),
    }
    if reading is None:
        reading = load_registry(Path(notebooks_dir)).reading_chapters()
    options = {"jobs": jobs, "chapters": list(chapters) if chapters else None, "timeout": timeout, "isolate": isolate,
               "pdf_workers": jobs if pdf_workers is None else pdf_workers, "force": force}
    outcomes = list(plan.failed)
    cluster = None
    n_workers = 0
    try:
        if scheduler:
            try:
                client = Client(scheduler)  # waits distributed.comm.timeouts.connect (30 s by default)
            except (OSError, TimeoutError) as exc:
                raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            cluster = _local_cluster(workers or default_workers(jobs))
            client = Client(cluster)
        with client:
            if plan.items:
                client.wait_for_workers(1, timeout=120)
                n_workers = len(client.scheduler_info()["workers"])
                check_workers(client, [*paths.values(), *sorted({str(i.config_dir) for i in plan.items})])
                futures = {
                    client.submit(build_bundle, item, key=item.key, pure=False, **paths, **options): item
                    for item in plan.items
                }
                for done, future in enumerate(as_completed(futures), start=1):
                    item = futures[future]
                    try:
                        outcome = future.result()
                    except Exception as exc:  # noqa: BLE001 - a worker that died, a task that could not run
                        outcome = BundleOutcome(
                            csp=item.cfg.slug, name=item.cfg.display_name, code=item.cfg.code, year=item.year,
                            status="failed", synthetic=item.cfg.synthetic, configured=item.configured,
                            error=_error_text(exc),
                        )
                    outcomes.append(outcome)
                    if on_done:
                        on_done(outcome, done, len(futures))
                    future.release()
    finally:
        if cluster is not None:
            cluster.close()
    outcomes.sort(key=lambda o: (o.name.lower(), o.csp, o.year))
    seconds = round(time.perf_counter() - t0, 2)
    index, summary = write_batch_files(
        out_root, outcomes, reading=reading, warnings=plan.warnings,
        run={"workers": n_workers, "scheduler": scheduler or "LocalCluster", "seconds": seconds, **options},
    )
    return BatchResult(outcomes, index, summary, n_workers, seconds, list(plan.warnings))
