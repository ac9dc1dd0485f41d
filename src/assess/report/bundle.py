"""The report bundle of one CSP and year: execute every chapter, export, publish atomically.

``run_bundle`` writes ``<out_root>/<csp slug>/<year, '/' -> '-'>/``::

    index.html          front page: headline figures, chapter statuses, links
    html/NN_name.html   one self-contained page per chapter (code hidden)
    assessment.pdf      the whole assessment, A4
    tables.xlsx         every published table, one sheet each, after a Notes sheet
    tables/*.csv        the same tables as CSV (<chapter>__<name>.csv)
    metrics.json        the headline figures of every chapter (assess.measure.metrics)
    manifest.json       inputs and their SHA-256, versions, parameters, timings, statuses
    notebooks/*.ipynb   the executed chapter notebooks (a failed one keeps its error)
    figures/*.png       every chart; metrics/, findings/, catalogue/: the chapters' fragments

Everything is built in a temporary folder beside the target and published only at the end
(:func:`assess.atomic.published_directory`): the bundle's path is a symbolic link to its current
version (``<year> -> .<year>.versions/<time>-<pid>``), switched to the new version by one
``rename(2)``, so a reader always sees a whole bundle and a run that is killed or raises at any
moment leaves the previous bundle as it was. Two runs on one bundle are serialised: the second
fails at once, naming the first (:class:`assess.atomic.FolderBusyError`). A chapter that fails does not stop the bundle: it is marked failed in
the index, the PDF and :class:`BundleResult`, whose ``ok`` is then false (the CLI exits non-zero).

The same inputs give the same bytes in every file but ``manifest.json`` (which records dates and
timings), provided the chapters themselves compute deterministically: executed notebooks (fixed
cell ids, no timestamps), HTML pages, index, PDF, workbook, CSV, PNG and ``metrics.json``.
``timeout`` is the seconds one notebook cell may run (None: no limit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from assess import __version__, reads
from assess.atomic import published_directory, write_text
from assess.config import CSPConfig
from assess.errors import AssessError, ConfigError
from assess.paths import lock_file_record
from assess.periods import parse_financial_year
from assess.registry import REGISTRY_FILE, load_registry
from assess.report.cache import CACHE_DIR, BundleCache, NotCached
from assess.report.execute import (
    KERNEL_ENV,
    ChapterRun,
    KernelPool,
    discover_chapters,
    execute_chapters,
    execution_phases,
    kernel_python,
)
from assess.report.export import (
    GENERATOR,
    ChapterDoc,
    ChapterRenderer,
    PageContext,
    write_chapter_pages,
)
from assess.report.pdf import LayoutWorker, PdfBuilder
from assess.report.preflight import Preflight
from assess.report.workbook import WorkbookTable, write_workbook
from assess.safe_paths import check_plain_name, inside
from assess.store import Store

#: Packages whose versions the manifest records.
RECORDED_PACKAGES = (
    "assess", "pandas", "numpy", "pyarrow", "duckdb", "scipy", "matplotlib", "pydantic",
    "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "jupyter_client", "weasyprint",
    "pydyf", "openpyxl", "jsonschema", "jinja2", "markdown-it-py",
)


@dataclass
class BundleResult:
    """What one bundle run produced."""

    csp: str
    year: str
    path: Path
    chapters: list[ChapterRun]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pdf_pages: int | None = None
    #: The sentence of the pages that states the months the year holds.
    coverage: str | None = None

    @property
    def statuses(self) -> dict[str, str]:
        """``{"01_crime": "ok", "02_asb": "failed", ...}``."""
        return {r.chapter: r.status for r in self.chapters}

    @property
    def failed(self) -> list[ChapterRun]:
        return [r for r in self.chapters if r.status != "ok"]

    @property
    def ok(self) -> bool:
        """True when every chapter ran and every output was made."""
        return not self.failed and not self.problems


class PublicationError(AssessError):
    """The bundle could not be written whole (a full disk): the previous one is kept."""

    exit_status = 1


#: A chapter's error that is the disk's, not the chapter's: no space, file too large, quota.
DISK_ERROR = re.compile(r"\[Errno (?:28|27|122)\]|No space left on device|File too large|Disk quota exceeded")


def year_folder(year: str) -> str:
    """``"2023/24"`` -> ``"2023-24"`` (a folder name)."""
    return year.replace("/", "-")


def bundle_path(out_root: Path, cfg: CSPConfig, year: str) -> Path:
    """Where the bundle of ``cfg`` and ``year`` is published: ``<out_root>/<slug>/<year>``.

    The slug must be a plain name and the year a financial year, and the path must stay inside
    ``out_root`` once symbolic links are followed (UnsafePathError, a ConfigError, otherwise):
    a configuration cannot publish, or replace a folder, anywhere else.
    """
    source = str(cfg.source) if cfg.source is not None else None
    slug = check_plain_name(cfg.slug, "slug", source=source)
    parse_financial_year(year)
    folder = inside(out_root, slug, field="slug", source=source)
    return inside(folder, year_folder(year), field="year")


def check_inputs(cfg: CSPConfig, raw_dir: Path) -> None:
    """Refuse, before any chapter runs, a configuration whose files are unsafe or absent: every
    partner file it names must lie inside the raw folder (UnsafePathError), and its ward
    boundaries file, when it names one, must exist (ConfigError naming the field and the fix)
    and look like GeoJSON (InputError naming the file)."""
    from assess.sources.boundaries import check_ward_boundaries_file
    from assess.sources.partner import PARTNER_READERS, partner_path

    for name in PARTNER_READERS:
        partner_path(raw_dir, name, cfg)
    if cfg.ward_boundaries:
        source = str(cfg.source) if cfg.source is not None else None
        path = inside(raw_dir, cfg.ward_boundaries, field="ward_boundaries", source=source)
        if not path.is_file():
            raise ConfigError(
                f"{source + ': ' if source else ''}field 'ward_boundaries': {path} does not exist; put the ward boundaries GeoJSON there "
                "(assess fetch, or the ONS Open Geography portal), or remove the field to show ward tables without a map"
            )
        check_ward_boundaries_file(path)


# -- manifest helpers ------------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_versions(names: Sequence[str] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """The installed version of each package (None when absent), looked up once per process."""
    return dict(_package_versions(tuple(names)))


@lru_cache(maxsize=4)
def _package_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = None
    return out


#: The clean filter the project's notebooks pass through (.gitattributes, installed by `make setup`),
#: set aside when git_state asks whether files changed (see there).
NOTEBOOK_FILTER = "nbstripout"


def git_state(folder: Path) -> dict[str, Any] | None:
    """The commit of the repository holding ``folder`` and whether its tracked files differ from
    it (``dirty``; None when git could not say in time). Read-only.

    The notebooks' clean filter (:data:`NOTEBOOK_FILTER`, which strips outputs) is set aside for
    the question: after a clone or checkout every file is "racily clean" to git, which then
    passes each notebook through the filter (a Python process each) to compare it: 40 to 50 s
    for the chapters, past the 10 s this waits, so that a fresh clone's runs recorded nothing.
    Without the filter a notebook is compared byte for byte: one saved with its outputs counts
    as a change, which it is, of the file.
    """
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("-c", f"filter.{NOTEBOOK_FILTER}.clean=cat", "-c", f"filter.{NOTEBOOK_FILTER}.required=false",
                 "status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def processed_inputs(processed_dir: Path) -> dict[str, Any]:
    """The inputs recorded in ``data/processed/manifest.json`` (files and SHA-256), if present."""
    manifest = processed_dir / "manifest.json"
    if not manifest.exists():
        return {"manifest": None, "manifest_sha256": None, "inputs": {}, "tables": {}}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return {
        "manifest": str(manifest),
        "manifest_sha256": sha256_file(manifest),
        "inputs": data.get("inputs", {}),
        "tables": data.get("tables", {}),
        "created_by": data.get("created_by"),
    }


def output_hashes(bundle: Path) -> dict[str, str]:
    """SHA-256 of every file of the bundle (but the manifest), by relative path."""
    return {
        p.relative_to(bundle).as_posix(): sha256_file(p)
        for p in sorted(bundle.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def bundle_problems(bundle: Path) -> list[str]:
    """What keeps the bundle at ``bundle`` from being whole: no readable manifest, or files
    missing, changed or added since its ``outputs_sha256`` was recorded. Empty for a whole bundle."""
    bundle = Path(bundle)
    try:
        recorded = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["outputs_sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{bundle}: no readable manifest.json with outputs_sha256 ({type(exc).__name__}: {exc})"]
    found = output_hashes(bundle)
    problems = [f"{name}: missing" for name in sorted(set(recorded) - set(found))]
    problems += [f"{name}: not in the manifest" for name in sorted(set(found) - set(recorded))]
    problems += [f"{name}: changed" for name in sorted(set(found) & set(recorded)) if found[name] != recorded[name]]
    return problems


# -- steps -----------------------------------------------------------------------------------------
def merge_metrics(
    bundle: Path, cfg: CSPConfig, year: str, inputs_sha256: str | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Write ``metrics.json`` from the chapters' fragments; returns the metrics and any problems."""
    from assess.report.outputs import load_metrics

    try:
        metrics = load_metrics(bundle)
    except ValueError as exc:
        return [], [f"metrics: {exc}"]
    try:
        from assess.measure.metrics import Metric, MetricsError, write_metrics_json
    except ImportError:  # pragma: no cover - the metrics module is part of the package
        doc = {"meta": {"csp": cfg.name, "csp_code": cfg.code, "year": year, "synthetic": cfg.synthetic,
                        "generated_by": GENERATOR, "inputs_sha256": inputs_sha256}, "metrics": metrics}
        write_text(bundle / "metrics.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return metrics, []
    try:
        models = [Metric.model_validate(m) for m in metrics]
        write_metrics_json(
            models, bundle / "metrics.json", csp=cfg.name, csp_code=cfg.code, year=year,
            synthetic=cfg.synthetic, generated_by=GENERATOR, inputs_sha256=inputs_sha256,
        )
    except (MetricsError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return metrics, [f"metrics.json not written: {first}"]
    return metrics, []


def workbook_tables(bundle: Path, docs: Sequence[ChapterDoc], catalogue: dict[str, dict[str, Any]]) -> list[WorkbookTable]:
    """The published tables, chapters in order, from the catalogues (plus any uncatalogued CSV)."""
    titles = {d.chapter: d.title for d in docs}
    order = {d.chapter: i for i, d in enumerate(docs)}
    tables: list[WorkbookTable] = []
    listed: set[str] = set()
    for chapter in sorted(catalogue, key=lambda c: (order.get(c, len(order)), c)):
        for t in catalogue[chapter].get("tables", []):
            csv = bundle / t["file"]
            if csv.exists():
                tables.append(WorkbookTable(chapter, t["name"], csv, t.get("caption", t["name"]), titles.get(chapter, chapter)))
                listed.add(csv.name)
    for csv in sorted((bundle / "tables").glob("*.csv")):
        if csv.name not in listed and "__" in csv.stem:
            chapter, name = csv.stem.split("__", 1)
            tables.append(WorkbookTable(chapter, name, csv, name, titles.get(chapter, chapter)))
    return tables


def _write_manifest(
    bundle: Path, *, cfg: CSPConfig, year: str, started_at: dt.datetime, notebooks_dir: Path, sources: Sequence[Path],
    parameters: dict[str, Any], inputs: dict[str, Any], chapter_entries: list[dict[str, Any]],
    timings: dict[str, float], pdf_pages: int | None, problems: list[str], warnings: list[str],
    hashes: dict[str, str] | None = None,
) -> None:
    """Write ``manifest.json``: inputs, versions, parameters, timings, statuses, every output's SHA-256
    (``hashes``, when known already: those of the files just restored and checked from the cache)."""
    manifest = {
        "assess_version": __version__,
        "csp": {"name": cfg.name, "code": cfg.code, "slug": cfg.slug},
        "year": year,
        "synthetic": cfg.synthetic,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parameters": parameters,
        "config": cfg.model_dump(mode="json"),
        "inputs": inputs,
        "notebooks": {
            s.stem: {"source": str(s.resolve()), "sha256": sha256_file(s)} for s in sources
        },
        "chapters": chapter_entries,
        "timings_seconds": timings,
        "pdf_pages": pdf_pages,
        "problems": problems,
        "warnings": warnings,
        "environment": {
            "python": sys.version.split()[0],
            "kernel_python": kernel_python(),
            "kernel_env": KERNEL_ENV,
            "platform": platform.platform(),
            "packages": package_versions(),
            "lock_file": lock_file_record(),  # requirements.lock: exact versions and hashes of every package
            "git": git_state(Path(notebooks_dir)),
        },
        "outputs_sha256": dict(sorted(hashes.items())) if hashes is not None else output_hashes(bundle),
    }
    write_text(bundle / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def executable_content(bundle: Path) -> list[str]:
    """A problem for each page of the bundle in which anything could run: the pages need no
    script, so any script element, event handler or ``javascript:`` link is input text that was
    not escaped (:func:`assess.report.safe_text.executable_html`). The pages' Content-Security-Policy
    stops it running in a browser; this makes the run say so."""
    from assess.report.safe_text import executable_html

    problems = []
    for page in [bundle / "index.html", *sorted((bundle / "html").glob("*.html"))]:
        if page.is_file():
            found = executable_html(page.read_text(encoding="utf-8"))
            if found:
                problems.append(f"{page.relative_to(bundle).as_posix()}: content that could run in a browser "
                                f"({'; '.join(sorted(set(found))[:3])}): an input's text reached the page unescaped; "
                                "please report it")
    return problems


def _timed(timings: dict[str, float], key: str, start: float) -> None:
    timings[key] = round(time.perf_counter() - start, 2)


def run_bundle(
    cfg: CSPConfig,
    year: str,
    *,
    notebooks_dir: Path,
    raw_dir: Path,
    processed_dir: Path,
    out_root: Path,
    config_dir: Path,
    jobs: int = 2,
    chapters: list[str] | None = None,
    progress: bool = True,
    timeout: int | None = 1800,
    isolate: bool = False,
    pdf_workers: int = 1,
    cache: bool = True,
    force: bool = False,
    cache_dir: Path | None = None,
    preflight: Preflight | None = None,
    kernels: KernelPool | None = None,
    layout: LayoutWorker | None = None,
) -> BundleResult:
    """Execute the chapters of ``notebooks_dir`` for ``cfg`` and ``year`` and publish the bundle.

    With ``cache`` (the default) a chapter whose notebook, parameters, code and recorded inputs
    are unchanged since a run stored it is not executed again but restored, and when every chapter
    is, so is the rest of the bundle (:mod:`assess.report.cache`; in ``cache_dir``, by default
    ``<out_root>/.cache``). ``force`` executes every chapter and rebuilds everything (and stores
    the results).

    ``isolate`` gives every chapter a fresh kernel (slower; by default each worker reuses one).
    ``pdf_workers``: a worker process lays out the PDF's chapters while others execute (0: none,
    they are laid out here after them; the laid-out pages must stay in one process, so more than
    one worker is never started).

    ``preflight``: the outcome of the checks before the run, recalled from the cache
    (:mod:`assess.report.preflight`): the inputs are then not checked again, nor the coverage
    sentence computed. ``kernels``: the pool the chapters run in, started (and shut down) by the
    caller, perhaps ahead of the run (:meth:`assess.report.execute.KernelPool.prestart`). ``layout``:
    a PDF layout worker made ahead of the run and not yet started (the run owns it: it is closed
    when the run ends, or at once when the bundle comes whole from the cache).

    Returns a :class:`BundleResult` (statuses, problems, timings). A failed chapter does not
    raise; an error in the bundle machinery does, and leaves any previous bundle intact.
    """
    started_at = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    registry = load_registry(notebooks_dir)
    sources = discover_chapters(Path(notebooks_dir), chapters)
    target = bundle_path(out_root, cfg, year)
    if preflight is None:
        check_inputs(cfg, Path(raw_dir))
    parameters = {
        "csp": cfg.slug,
        "year": year,
        "raw_dir": str(Path(raw_dir).resolve()),
        "processed_dir": str(Path(processed_dir).resolve()),
        "output_dir": "..",
        "config_dir": str(Path(config_dir).resolve()),
    }
    inputs = processed_inputs(Path(processed_dir))
    timings: dict[str, float] = {}
    problems: list[str] = []
    if preflight is None:
        from assess.measure.context import AssessmentContext

        coverage = AssessmentContext(cfg=cfg, year=year, store=Store(processed_dir), raw_dir=Path(raw_dir)).coverage_sentence
    else:
        coverage = preflight.coverage
    ctx = PageContext(report_title=cfg.display_name, year=year, synthetic=cfg.synthetic, coverage=coverage)
    manifest_of = {
        "cfg": cfg, "year": year, "started_at": started_at, "notebooks_dir": notebooks_dir, "sources": sources,
        "parameters": {**parameters, "jobs": jobs, "chapters": chapters, "timeout": timeout}, "inputs": inputs,
    }
    store_cache = None
    if cache:
        store_cache = BundleCache.open(
            Path(cache_dir) if cache_dir is not None else Path(out_root) / CACHE_DIR, cfg.slug, year_folder(year),
            registry, sources, parameters, force=force,
            environment={"packages": package_versions(), "python": sys.version, "kernel_python": kernel_python(),
                         "kernel_env": KERNEL_ENV},
        )
    pages = {"config": cfg.model_dump(mode="json"), "page": [ctx.report_title, ctx.year, ctx.synthetic, ctx.coverage],
             "inputs_sha256": inputs["manifest_sha256"], "generator": GENERATOR}
    bundle_key = store_cache.bundle_key(pages) if store_cache is not None else None
    if bundle_key is not None:
        try:
            with published_directory(target) as tmp:
                summary, hashes = store_cache.restore_bundle(bundle_key, tmp)  # NotCached: the full build below
                if layout is not None:
                    layout.close()  # no PDF to lay out
                runs = [ChapterRun(c["chapter"], s, tmp / "notebooks" / s.name, c["status"], 0.0, cached=True)
                        for c, s in zip(summary["chapters"], sources, strict=True)]
                timings["total"] = round(time.perf_counter() - t0, 2)
                _write_manifest(tmp, **manifest_of, chapter_entries=summary["chapters"], timings=timings,
                                pdf_pages=summary["pdf_pages"], problems=[], warnings=summary["warnings"],
                                hashes=hashes)
            return BundleResult(csp=cfg.slug, year=year, path=target, chapters=runs, warnings=summary["warnings"],
                                timings=timings, pdf_pages=summary["pdf_pages"], coverage=coverage)
        except NotCached:
            pass

    from assess.chapter_inputs import chapter_inputs
    from assess.report.index import chapter_entries, write_index
    from assess.report.outputs import read_catalogue

    with published_directory(target) as tmp, PdfBuilder(ctx, tmp, author=cfg.display_name, workers=pdf_workers,
                                                    worker=layout) as pdf:
        # each chapter is rendered to HTML and laid out for the PDF as soon as it has run,
        # while the others are still executing
        renderer, rendering = ChapterRenderer(), threading.Lock()
        rendered: dict[str, ChapterDoc] = {}

        def render(run: ChapterRun) -> ChapterDoc:
            with rendering:
                try:
                    doc = rendered[run.chapter] = renderer.render(run.executed, run.chapter, run.status, run.error)
                except ValueError as exc:  # nbformat's NotJSONError: the notebook was cut off
                    raise PublicationError(
                        f"{run.executed}: the executed notebook is cut off and cannot be read back "
                        f"({' '.join(str(exc).split())[:120]}); the disk may be full: free some space and run again"
                    ) from exc
            return doc

        def chapter_done(run: ChapterRun) -> None:
            if store_cache is not None:
                store_cache.save(run)
            try:
                pdf.add(render(run))
            except Exception:  # noqa: BLE001 - laid out again when the PDF is written
                rendered.pop(run.chapter, None)

        # the run's registry travels with its notebooks: the summary reads it, and so may a reader
        (tmp / "notebooks").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(registry.folder / REGISTRY_FILE, tmp / "notebooks" / REGISTRY_FILE)
        t = time.perf_counter()
        runs = execute_chapters(
            sources, tmp / "notebooks", parameters, jobs=jobs, timeout=timeout, progress=progress, isolate=isolate,
            on_done=chapter_done, phases=execution_phases(sources), reuse=store_cache.reuse if store_cache else None,
            kernels=kernels,
        )
        shutil.rmtree(tmp / reads.READS_DIR, ignore_errors=True)  # the kernels' records of reads: the cache's
        _timed(timings, "execute", t)
        for r in runs:  # a chapter stopped by a full disk is no chapter failure: nothing is published
            if r.error and DISK_ERROR.search(r.error):
                raise PublicationError(f"chapter {r.chapter} could not write its outputs ({r.error}); "
                                       "free some space on the disk of --out and run again")

        t = time.perf_counter()
        docs = [rendered.get(r.chapter) or render(r) for r in runs]
        pdf_started = time.perf_counter()
        pdf_made = pdf.start(docs, tmp / "assessment.pdf")  # finished by the worker while the rest is written
        write_chapter_pages(docs, tmp / "html", ctx)
        warnings = [
            f"{d.chapter}: {d.undescribed_images} chart(s) shown without alt text (publish charts with out.figure)"
            for d in docs
            if d.undescribed_images
        ]
        _timed(timings, "html", t)

        t = time.perf_counter()
        metrics, metric_problems = merge_metrics(tmp, cfg, year, inputs["manifest_sha256"])
        problems += metric_problems
        _timed(timings, "metrics", t)

        t = time.perf_counter()
        catalogue = read_catalogue(tmp)
        tables = workbook_tables(tmp, docs, catalogue)
        notes = {d.title: catalogue.get(d.chapter, {}).get("notes", []) for d in docs}
        try:
            write_workbook(
                tmp / "tables.xlsx", tables, report_title=cfg.display_name, year=year, synthetic=cfg.synthetic,
                suppression_threshold=cfg.suppression_threshold, notes=notes,
            )
        except OSError:  # a full or read-only disk: nothing is published
            raise
        except Exception as exc:  # noqa: BLE001 - reported in the index, the manifest and the result
            problems.append(f"tables.xlsx not written: {type(exc).__name__}: {exc}")
        _timed(timings, "workbook", t)

        t = time.perf_counter()
        pdf_pages: int | None = None
        try:
            made = pdf_made.result()
            pdf_pages = made.pages
            timings["pdf_layout_all_parts"] = round(made.part_seconds, 2)
        except OSError:  # a full or read-only disk: nothing is published
            raise
        except Exception as exc:  # noqa: BLE001 - reported in the index, the manifest and the result
            problems.append(f"assessment.pdf not written: {type(exc).__name__}: {exc}")
        _timed(timings, "pdf_wait", t)
        _timed(timings, "pdf", pdf_started)

        t = time.perf_counter()
        inputs_held = chapter_inputs(registry, Store(processed_dir), raw_dir, cfg)  # what a chapter with no data lacks
        entries = chapter_entries(docs, catalogue, inputs_held)
        write_index(tmp, ctx, entries, metrics, problems, registry.reading_chapters())
        unsafe = executable_content(tmp)
        if unsafe:  # the index lists the run's problems: written again with these
            problems += unsafe
            write_index(tmp, ctx, entries, metrics, problems, registry.reading_chapters())
        _timed(timings, "index", t)

        chapter_records = [
            {**{k: v for k, v in r.to_json().items() if k not in ("source", "executed")},
             "title": d.title, "html": f"html/{d.filename}", "notebook": f"notebooks/{r.executed.name}"}
            for r, d in zip(runs, docs, strict=True)
        ]
        if store_cache is not None and not problems and all(r.status == "ok" for r in runs):
            t = time.perf_counter()
            store_cache.save_bundle(store_cache.bundle_key(pages, stored=True), tmp, {
                "chapters": [{**c, "seconds": 0.0, "cached": True} for c in chapter_records],
                "pdf_pages": pdf_pages, "warnings": warnings,
            })
            _timed(timings, "cache", t)
        timings["total"] = round(time.perf_counter() - t0, 2)
        _write_manifest(tmp, **manifest_of, chapter_entries=chapter_records, timings=timings, pdf_pages=pdf_pages,
                        problems=problems, warnings=warnings)

    return BundleResult(
        csp=cfg.slug, year=year, path=target, chapters=runs, problems=problems, warnings=warnings, timings=timings,
        pdf_pages=pdf_pages, coverage=coverage,
    )

