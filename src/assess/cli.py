"""The command line: ``assess demo | ingest | init-csp | csp | fetch | run | reconcile``.

Each command only parses its options and calls the library; nothing here computes.

Conventions: ``-h`` and ``--help`` everywhere, ``assess --version``, an example under every
command's help. Every failure is one line on stderr, ``error: ...``, naming the file, row or
field and what to do (:func:`assess.errors.one_line`), never a traceback: exit status 2 for bad
input (an :class:`assess.errors.AssessError`: an input, configuration, chapter, CSP or year; a
folder that cannot be written), 1 for any other failure (a full disk, a run holding the folder, a
bug); ``assess --debug`` (or ``ASSESS_DEBUG=1``) shows its traceback instead. Folders default to
those of the project found from the working folder (:mod:`assess.paths`), so the commands work
from any folder inside it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from assess import __version__
from assess.errors import AssessError, exit_status, one_line
from assess.paths import ProjectPaths, project_paths

if TYPE_CHECKING:
    from assess.report.execute import KernelPool

console = Console(stderr=True)
#: Listings a user may pipe (``assess csp list``) go to stdout.
out_console = Console()

CONTEXT = {"help_option_names": ["-h", "--help"]}
DEBUG_ENV = "ASSESS_DEBUG"


# -- the command classes: help without type labels on flags, one-line errors ---------------------
def _plain_help_option(option: Any) -> Any:
    if option is not None:
        option.metavar = ""  # "-h, --help  Show this message and exit.", not "<bool>"
    return option


class AssessCommand(TyperCommand):
    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_option(super().get_help_option(ctx))


class AssessGroup(TyperGroup):
    """A group whose commands' failures become ``error: <one line>`` and an exit status (2 bad
    input, 1 other failures, :func:`assess.errors.exit_status`); ``--debug`` re-raises instead."""

    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_option(super().get_help_option(ctx))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if type(exc).__module__.split(".")[0] in ("typer", "click"):
                raise  # the command line's own: usage errors, exits, aborts
            if _debug(ctx):
                raise
            raise typer.Exit(code=report_error(exc)) from None
        except KeyboardInterrupt:
            console.print("interrupted: what was published before is kept as it was", markup=False)
            raise typer.Exit(code=130) from None


def _debug(ctx: Any) -> bool:
    return bool(ctx.find_root().params.get("debug")) or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def report_error(exc: BaseException) -> int:
    """``error: <the message on one line>`` on stderr (:func:`assess.errors.one_line`, never read
    as markup); returns the exit status the failure calls for."""
    console.print(f"[bold red]error:[/] {escape(one_line(exc))}", soft_wrap=True, highlight=False)
    return exit_status(exc)


def _typer(**kwargs: Any) -> typer.Typer:
    return typer.Typer(cls=AssessGroup, context_settings=CONTEXT, rich_markup_mode="markdown",
                       add_completion=False, **kwargs)


app = _typer(
    help="assess: a reproducible Community Safety Strategic Assessment for a CSP in England and Wales.",
    no_args_is_help=True,
    epilog="Example: `assess run --csp wessex-vale --year 2024/25` (after `assess demo` and `assess ingest`).",
)
csp_app = _typer(help="Look up the CSPs of the ONS lookup and check a configuration against the data.",
                 no_args_is_help=True, epilog="Example: `assess csp list --search southampton`")
app.add_typer(csp_app, name="csp")


def _command(on: typer.Typer, example: str, name: str | None = None) -> Any:
    return on.command(name, cls=AssessCommand, epilog=f"Example: `{example}`")


def _version(value: bool) -> None:
    if value:
        print(f"assess {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", metavar="", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", metavar="", help="Show the traceback of an error.")] = False,
) -> None:
    """assess: a reproducible Community Safety Strategic Assessment for a CSP in England and Wales."""


# -- options shared by the commands ----------------------------------------------------------------
RawDir = Annotated[Path | None, typer.Option("--raw", metavar="DIR", help="Raw inputs as published (default: the project's data/raw).")]
ProcessedDir = Annotated[Path | None, typer.Option("--processed", metavar="DIR", help="The processed store (default: the project's data/processed).")]
ConfigDir = Annotated[Path | None, typer.Option("--config-dir", metavar="DIR", help="Per-CSP YAML files (default: the project's config/csp).")]
Force = Annotated[bool, typer.Option("--force", metavar="", help="Do it even if already done.")]


def _project() -> ProjectPaths:
    return project_paths()


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


def _warn(text: str) -> None:
    """One warning, on one line however long (a terminal wraps it; a log or grep sees one line)."""
    console.print(f"[yellow]{escape(text)}[/]", highlight=False, soft_wrap=True)


@_command(app, "assess demo")
def demo(
    raw: RawDir = None,
    seed: Annotated[int, typer.Option(metavar="N", help="Random seed: the same seed writes byte-identical files.")] = 2017,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Write even if demo data is already present.")] = False,
) -> None:
    """Write deterministic synthetic demonstration data, in the publishers' formats, into RAW."""
    from assess.demo import write_demo

    raw = raw or _project().raw
    marker = raw / "DEMO_README.md"
    if marker.exists() and not force:
        console.print(f"demo data already present in {raw} (use --force to write it again)")
        return
    console.print(write_demo(raw, seed=seed).describe())


@_command(app, "assess ingest --verbose")
def ingest(
    raw: RawDir = None,
    processed: ProcessedDir = None,
    config_dir: ConfigDir = None,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Rebuild even if the inputs are unchanged.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", metavar="", help="Print every warning, not one line per kind.")] = False,
) -> None:
    """Read, validate, harmonise and place every raw file; write a new version of the store.

    The new version (Parquet tables and a manifest of checksums) replaces the previous one in one
    step; partner files are stored too, named as the CSP configurations in CONFIG_DIR name them.

    Files are recognised by name and header, so downloads go into RAW as they come. Rows that
    cannot be placed in a ward (blank or unknown LSOA) are counted and reported, never dropped.
    Warnings are printed one line per kind (all of them with --verbose; the processed manifest
    keeps them all). Each configuration of CONFIG_DIR is then checked against the data.
    """
    from assess.ingest_summary import group_warnings, table_rows
    from assess.store.ingest import ingest as run_ingest

    paths = _project()
    raw, processed = raw or paths.raw, processed or paths.processed
    with _bar() as bar:
        task = bar.add_task("reading", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"reading {step}", completed=done, total=total)

        report = run_ingest(raw, processed, force=force, progress=progress, config_dir=config_dir or paths.config)
    if report.up_to_date:
        console.print(f"inputs unchanged ({report.inputs} files) and the store matches its manifest: nothing to do")
    else:
        for problem in report.repaired[:5]:
            _warn(f"the previous store did not match its manifest ({problem}): rebuilt")
        table = Table(title=f"processed tables in {processed}")
        table.add_column("table")
        table.add_column("rows", justify="right")
        table.add_column("a row is")
        for name, n, note in table_rows(report.rows, report.unplaced_rows):
            table.add_row(name, n, note)
        console.print(table)
        if report.unplaced is not None:
            console.print(
                f"{report.unplaced_rows:,} street rows could not be placed in a ward "
                f"(the 'unplaced' table counts them by file and reason in {len(report.unplaced):,} rows)",
                soft_wrap=True,
            )
        if report.duplicate_ids:
            _warn(f"{report.duplicate_ids:,} Crime IDs appear more than once (see 'duplicate_crime_ids')")
        if report.coverage is not None:
            for row in report.coverage.itertuples():
                if not row.complete:
                    _warn(f"{row.force} {row.financial_year}: months missing: {row.months_missing}")
        if report.dropped:
            reasons = Counter(str(d.get("reason", "")) for d in report.dropped)
            _warn(f"{len(report.dropped):,} rows left out by the readers (the manifest's dropped_rows lists them):")
            for reason, n in reasons.most_common():
                _warn(f"  {reason}: {n:,}")
            if verbose:
                for d in report.dropped:
                    _warn(f"  {d.get('file')} row {d.get('row')}: {d.get('reason')}")
        if verbose:
            for w in report.warnings:
                _warn(w)
        else:
            for group in group_warnings(report.warnings):
                _warn(group.line())
            if report.warnings:
                console.print(f"({len(report.warnings)} warnings in all: --verbose prints them; {processed / 'manifest.json'} keeps them)")
    for name in report.unknown_files:
        _warn(f"not recognised, ignored: {name}")
    for line in _configuration_checks(config_dir or paths.config, processed):
        _warn(line)
    _print_chapter_inputs(config_dir or paths.config, processed, raw)
    if not report.up_to_date:
        console.print(f"ingested {report.inputs} files ({report.files_read} read, {report.files_reused} unchanged and reused) "
                      f"in {report.seconds:.1f} s: version {report.version}")


def _configuration_checks(config_dir: Path, processed: Path, year: str | None = None) -> list[str]:
    """What the data cannot support of each configuration in ``config_dir`` (see assess.checks)."""
    from assess.checks import check_most_similar_group, comparison_problems
    from assess.config import load_config
    from assess.errors import ConfigError
    from assess.store import Store

    if not config_dir.is_dir():
        return []
    store = Store(processed)
    lad_csp = store.read("lad_csp") if store.has("lad_csp") else _empty()
    recorded = store.read("recorded_crime") if store.has("recorded_crime") else _empty()
    lines: list[str] = []
    for path in sorted(config_dir.glob("*.yaml")):
        try:
            cfg = load_config(path)
        except ConfigError as exc:
            lines.append(str(exc))
            continue
        lines += comparison_problems(cfg, recorded, year)
        lines += [f"{path}: {p.sentence()}" for p in check_most_similar_group(cfg.most_similar_group, lad_csp, recorded)]
    return lines


def _print_chapter_inputs(config_dir: Path, processed: Path, raw: Path) -> None:
    """Per CSP, each chapter's inputs (declared in chapters.yaml) present and absent."""
    from assess.ingest_summary import chapter_inputs_tables

    for t in chapter_inputs_tables(config_dir, processed, raw):
        table = Table(title=f"chapter inputs, {t.csp} (declared in notebooks/chapters.yaml)")
        for column in ("chapter", "has", "lacks"):
            table.add_column(column)
        for row in t.rows:
            table.add_row(*row)
        console.print(table)
        if t.empty:
            _warn(f"{t.csp}: no data supplied for {', '.join(t.empty)} (their inputs are all absent)")


def _empty() -> Any:
    import pandas as pd

    return pd.DataFrame()


@_command(app, 'assess init-csp "Southampton"', name="init-csp")
def init_csp(
    csp: Annotated[str, typer.Argument(metavar="CSP", help="CSP name or ONS code, e.g. Southampton or E22000120.")],
    raw: RawDir = None,
    processed: ProcessedDir = None,
    config_dir: ConfigDir = None,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Overwrite an existing configuration.")] = False,
) -> None:
    """Write config/csp/SLUG.yaml for any CSP in England and Wales from the ONS lookup.

    The lookup is taken from the processed store, or else from RAW as downloaded
    (`assess fetch --only lookup`). `assess csp list` shows the names it knows.
    """
    from assess.atomic import write_text
    from assess.checks import lad_csp_lookup
    from assess.config import config_for_csp, dump_config
    from assess.sources import discover as disc

    paths = _project()
    raw, processed, config_dir = raw or paths.raw, processed or paths.processed, config_dir or paths.config
    cfg = config_for_csp(csp, lad_csp_lookup(raw, processed))
    boundaries = [
        f.path.relative_to(raw).as_posix()
        for f in (disc.discover(raw) if raw.is_dir() else [])
        if f.kind == "ward_boundaries" and any(code in f.path.name for code in cfg.lad_codes)
    ]
    if boundaries:  # a ward GeoJSON named after the local authority: the ward map uses it
        cfg = cfg.model_copy(update={"ward_boundaries": boundaries[0]})
    target = config_dir / f"{cfg.slug}.yaml"
    if target.exists() and not force:
        raise AssessError(f"{target} exists; use --force to overwrite it")
    write_text(target, dump_config(cfg))
    console.print(f"wrote {target}")
    _warn(
        "most_similar_group is empty: add the names of the CSP's most-similar group (Home Office iQuanta) "
        "to compare with its peers; `assess csp list --search NAME` gives the spellings"
    )


@_command(csp_app, "assess csp list --search hampshire", name="list")
def csp_list(
    search: Annotated[str | None, typer.Option("--search", "-s", metavar="TEXT",
                                               help="Only CSPs whose name, code, local authority or force contains TEXT.")] = None,
    raw: RawDir = None,
    processed: ProcessedDir = None,
) -> None:
    """List the CSPs of the ONS lookup: code, name, local authorities and police force.

    These are the names `init-csp` and `most_similar_group` take.
    """
    from assess.checks import csp_directory, lad_csp_lookup

    paths = _project()
    table = csp_directory(lad_csp_lookup(raw or paths.raw, processed or paths.processed), search)
    if table.empty:
        raise AssessError(f"no CSP in the ONS lookup matches '{search}'" if search else "the ONS lookup holds no CSP")
    out = Table(title=f"{len(table)} CSP{'s' if len(table) != 1 else ''} of the ONS lookup")
    for column, title in (("csp_code", "code"), ("csp_name", "name"), ("local_authorities", "local authorities"),
                          ("police_force", "police force")):
        out.add_column(title)
    for row in table.itertuples(index=False):
        out.add_row(*(escape(str(v)) for v in row))
    out_console.print(out)


@_command(csp_app, "assess csp check --csp wessex-vale --year 2024/25", name="check")
def csp_check(
    csp: Annotated[str, typer.Option("--csp", metavar="CSP", help="CSP slug, name or ONS code (its config/csp YAML).")],
    year: Annotated[str | None, typer.Option("--year", metavar="YYYY/YY", help="A financial year the comparisons need.")] = None,
    processed: ProcessedDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Check a configuration against the data: most_similar_group names, comparisons possible.

    Exit status 1 when something would be missing from the assessment.
    """
    from assess.config import find_config

    paths = _project()
    config_dir = config_dir or paths.config
    cfg = find_config(csp, config_dir)
    lines = _checks_of(cfg, processed or paths.processed, year)
    for line in lines:
        _warn(line)
    if lines:
        raise typer.Exit(code=1)
    console.print(f"{cfg.name}: the most similar group and the comparisons are supported by the data")


def _checks_of(cfg: Any, processed: Path, year: str | None) -> list[str]:
    from assess.checks import check_most_similar_group, comparison_problems
    from assess.store import Store

    store = Store(processed)
    lad_csp = store.read("lad_csp") if store.has("lad_csp") else _empty()
    recorded = store.read("recorded_crime") if store.has("recorded_crime") else _empty()
    return comparison_problems(cfg, recorded, year) + [p.sentence() for p in check_most_similar_group(cfg.most_similar_group, lad_csp, recorded)]


@_command(app, "assess fetch --csp southampton --year 2017/18")
def fetch(
    csp: Annotated[str | None, typer.Option("--csp", metavar="CSP", help="CSP slug, name or ONS code (its config/csp YAML).")] = None,
    year: Annotated[list[str], typer.Option("--year", metavar="YYYY/YY", help="Financial year(s), e.g. 2017/18 (repeatable).")] = [],  # noqa: B006
    only: Annotated[
        list[str],
        typer.Option("--only", metavar="GROUP", help="Fetch only these groups: police_uk, lookup, population, recorded_crime, "
                     "rough_sleeping, fingertips (repeatable)."),
    ] = [],  # noqa: B006
    month: Annotated[list[str], typer.Option("--month", metavar="YYYY-MM", help="Single month(s) (repeatable).")] = [],  # noqa: B006
    raw: RawDir = None,
    config_dir: ConfigDir = None,
    sources: Annotated[Path | None, typer.Option(metavar="FILE", help="Another sources.yaml (default: the packaged one, or $ASSESS_SOURCES).")] = None,
    police_uk_link: Annotated[str | None, typer.Option(metavar="URL", help="A data.police.uk custom-download link for the force.")] = None,
    keep_archives: Annotated[bool, typer.Option("--keep-archives", metavar="", help="Keep the monthly police.uk zips.")] = False,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Download again even if present and unchanged.")] = False,
    timeout: Annotated[float, typer.Option(metavar="SECONDS", help="Seconds to wait for a server before retrying.")] = 30.0,
) -> None:
    """Download a CSP's public data (police.uk, ONS lookups and population, Home Office tables,
    rough sleeping snapshot, Fingertips indicators) into RAW.

    Resumable and checksummed; every file is recorded in RAW/downloads.json. Needs the internet.
    Without --csp, only the ONS lookups (--only lookup) can be fetched: the first step for a new CSP.
    """
    from assess.config import find_config
    from assess.fetch import FetchError, load_sources
    from assess.fetch import fetch as run_fetch
    from assess.periods import months_of_financial_year

    paths = _project()
    raw, config_dir = raw or paths.raw, config_dir or paths.config
    cfg = find_config(csp, config_dir) if csp else None
    months = sorted(set(month) | {m for y in year for m in months_of_financial_year(y)})
    from assess.fetch.fetcher import FETCH_GROUPS

    groups = tuple(only) or FETCH_GROUPS
    try:
        report = run_fetch(
            cfg, months or None, list(year) or None, raw, load_sources(sources), include=groups,
            police_uk_link=police_uk_link, keep_archives=keep_archives, force=force, timeout=timeout,
        )
    except FetchError as exc:
        if getattr(exc, "report", None) is not None:
            console.print(exc.report.summary())
        raise
    console.print(report.summary())
    if not report.ok:
        raise typer.Exit(code=1)


@_command(app, 'assess reconcile --force-name Hampshire --year 2017/18 --falls-within "Hampshire Constabulary"')
def reconcile(
    force_name: Annotated[str, typer.Option("--force-name", metavar="NAME", help="Force name as in the Home Office tables, e.g. Hampshire.")],
    year: Annotated[str, typer.Option("--year", metavar="YYYY/YY", help="Financial year, e.g. 2017/18.")],
    processed: ProcessedDir = None,
    falls_within: Annotated[str | None, typer.Option(metavar="NAME", help="police.uk 'Falls within' name, if the store holds several forces.")] = None,
) -> None:
    """Compare police.uk crime counts with Home Office recorded crime, quarter by quarter."""
    from assess.measure.reconcile import (
        explain_differences,
        reconcile_police_uk_with_home_office,
    )
    from assess.store import Store

    store = Store(processed or _project().processed)
    table = reconcile_police_uk_with_home_office(
        store.read("street"), store.read("recorded_crime"), force_name, year, falls_within=falls_within
    )
    out = Table(title=f"police.uk and Home Office recorded crime, {force_name}, {year}")
    for c in table.columns:
        out.add_column(str(c))
    for row in table.astype("string").fillna("").itertuples(index=False):
        out.add_row(*[str(v) for v in row])
    console.print(out)
    for line in explain_differences():
        console.print(f"- {line}")


class UsageProblem(AssessError):
    """An option's value that names nothing there is (a chapter, CSP or year): one line, exit 2."""


@_command(app, "assess run --csp wessex-vale --year 2024/25 --chapter 03_places")
def run(
    csp: Annotated[list[str], typer.Option("--csp", metavar="CSP", help="CSP slug, name or ONS code (repeatable for a batch).")] = [],  # noqa: B006
    year: Annotated[list[str], typer.Option("--year", metavar="YYYY/YY", help="Financial year, e.g. 2024/25 (repeatable for a batch).")] = [],  # noqa: B006
    raw: RawDir = None,
    processed: ProcessedDir = None,
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Root folder of the bundles (default: the project's reports).")] = None,
    config_dir: ConfigDir = None,
    notebooks: Annotated[Path | None, typer.Option("--notebooks", metavar="DIR", help="Folder of the chapter notebooks (default: those installed with assess).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, metavar="N", help="Chapters executed at a time in each bundle (default 2; 1 in a batch, whose bundles run side by side).")] = None,
    chapter: Annotated[list[str], typer.Option("--chapter", metavar="CHAPTER", help="Run only these chapters, by name, number or slug (repeatable).")] = [],  # noqa: B006
    isolate: Annotated[bool, typer.Option("--isolate", metavar="", help="A fresh kernel for every chapter (slower).")] = False,
    all_csps: Annotated[bool, typer.Option("--all", metavar="", help="Every CSP with police.uk street rows in the year (a batch).")] = False,
    workers: Annotated[int | None, typer.Option("--workers", min=1, metavar="N", help="Bundles at a time on the local Dask cluster (default: cores / jobs).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="ADDRESS", help="Address of an existing Dask scheduler, e.g. tcp://host:8786 (docs/scaling.md).")] = None,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Execute every chapter, even those whose inputs are unchanged since the last run.")] = False,
) -> None:
    """Execute every chapter for each CSP and year into reports/CSP/YEAR/.

    The bundle holds the executed notebooks, an HTML page per chapter with an index, one PDF,
    tables (CSV and Excel), metrics.json and manifest.json. A failed chapter is marked in the
    index and makes the exit status 1, while the other chapters are still produced. An unknown
    chapter, CSP or year, or a year with no data, stops before anything runs (exit status 2).

    A chapter whose notebook, parameters, code and inputs (the store tables, partner and
    narrative files and configuration it read) are unchanged since the last run is not executed
    again: its outputs are reused from OUT/.cache/, and when all are, so is the whole bundle.
    --force executes every chapter.


    Several bundles (--all, several --csp or --year, or --workers/--scheduler) run as a batch on
    Dask, one bundle a task: a failed CSP does not stop the others, and OUT/index.html lists every
    bundle with its status and headline figures (docs/scaling.md).
    """
    # nbformat imports jsonschema, which loads rfc3987-syntax where it is installed (JupyterLab's
    # dependencies install it); that builds an IRI grammar on import, 1.6-2.7 s of every run
    # before any kernel starts. No schema this process checks has an "iri" format: skip it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    from assess.config import find_config
    from assess.periods import parse_financial_year
    from assess.registry import UnknownChapter, load_registry

    paths = _project()
    raw, processed = raw or paths.raw, processed or paths.processed
    out, config_dir = out or paths.reports, config_dir or paths.config
    registry = load_registry(notebooks)
    try:
        registry.select(list(chapter) or None)
    except UnknownChapter as exc:
        raise UsageProblem(f"--chapter: {exc}") from None
    if not year:
        raise UsageProblem("--year: give the financial year, e.g. --year 2024/25")
    if not csp and not all_csps:
        raise UsageProblem("--csp: give a CSP (repeatable), or --all for every CSP the store holds")
    if csp and all_csps:
        raise UsageProblem("--all: give --csp (repeatable) or --all, not both")
    for y in year:
        try:
            parse_financial_year(y)
        except AssessError as exc:
            raise UsageProblem(f"--year: {exc}") from None
    batch = all_csps or len(csp) * len(year) > 1 or workers or scheduler
    cfgs = []
    for c in csp if not batch else ():  # (a batch reports each CSP's problem in its index)
        try:
            cfgs.append(find_config(c, config_dir))
        except AssessError as exc:
            raise UsageProblem(f"--csp: {exc}") from None
    if batch:
        _check_store_and_years(processed, year)
        _run_batch(csp, year, all_csps, raw, processed, out, config_dir, registry.folder, jobs, chapter, isolate,
                   workers, scheduler, force)
        return
    _run_one(cfgs[0], year[0], raw, processed, out, config_dir, registry.folder, jobs, chapter, isolate, force)


def _check_store_and_years(processed: Path, years: list[str]) -> None:
    """Refuse a missing store, one whose tables do not match its manifest, or a year it holds no data for."""
    from assess.checks import require_year, year_coverage
    from assess.store import Store

    store = Store(processed).check()
    held = year_coverage(store.read("coverage") if store.has("coverage") else None,
                         store.read("recorded_crime") if store.has("recorded_crime") else None)
    for y in years:
        require_year(y, held, processed)


def _kernels_ahead(checking: bool, fresh: bool, jobs: int, isolate: bool) -> KernelPool | None:
    """Chapter kernels started now, to start and import while the run checks its inputs; None
    when the checks are recalled (the bundle is then most likely reused whole: no kernel is
    wanted). ``fresh`` (no cached chapter, or ``--force``): one per job, as every chapter
    executes; else one, for the few chapters a changed input reruns."""
    if not checking or isolate:
        return None
    from assess.report.execute import KernelPool

    count = jobs if fresh else 1
    kernels = KernelPool(zygote=None if count > 1 else False)  # forked from one process when there are several
    kernels.prestart(count, Path(tempfile.gettempdir()))
    return kernels


def _layout_ahead() -> Any:
    """The PDF layout worker, started now so that it imports WeasyPrint while the run checks its
    inputs and starts its kernels (made when kernels are: when chapters will execute and a PDF be laid out)."""
    from assess.report.pdf import LayoutWorker

    return LayoutWorker(start=False)


def _run_one(
    cfg: Any, year: str, raw: Path, processed: Path, out: Path, config_dir: Path, notebooks: Path, jobs: int | None,
    chapter: list[str], isolate: bool, force: bool,
) -> None:
    """`assess run` for one bundle. The checks before it (store, year, configuration, inputs) are
    recalled from the cache while everything they read is unchanged (assess.report.preflight), so
    that a rerun whose bundle is reused imports neither pandas nor the kernels' machinery."""
    from assess.report import preflight
    from assess.report.bundle import run_bundle, year_folder
    from assess.report.cache import CACHE_DIR, Checksums, holds_bundle

    cache_root = out / CACHE_DIR
    sums = Checksums(cache_root / "checksums.json")
    # where the raw folder's filesystem gives the time stamp that tells a file changed just now
    stamps = (cache_root, Path(tempfile.gettempdir()))
    key = preflight.preflight_key(cfg, year, raw, processed, sums, stamps)
    known = None if force else preflight.recall(cache_root, cfg.slug, year_folder(year), key)
    kernels = _kernels_ahead(known is None, force or not holds_bundle(cache_root, cfg.slug, year_folder(year)),
                             jobs or 2, isolate)
    layout = _layout_ahead() if kernels is not None else None
    try:
        if known is None:
            _check_store_and_years(processed, [year])
            warnings = tuple(_checks_of(cfg, processed, year))
        else:
            warnings = known.warnings
            sums.save()
        console.print(f"[bold]{escape(cfg.display_name)}, {year}[/]")
        for line in warnings:
            _warn(line)
        try:
            result = run_bundle(
                cfg, year, notebooks_dir=notebooks, raw_dir=raw, processed_dir=processed, out_root=out,
                config_dir=config_dir, jobs=jobs or 2, chapters=list(chapter) or None, isolate=isolate, force=force,
                preflight=known, kernels=kernels, layout=layout,
            )
        except AssessError as exc:
            raise typer.Exit(code=report_error(exc)) from None
    finally:
        if layout is not None:
            layout.close()  # the run's already, unless it stopped before it
        if kernels is not None:
            kernels.shutdown()
    if known is None and result.coverage is not None:
        after = preflight.preflight_key(cfg, year, raw, processed, sums, stamps)
        preflight.remember(cache_root, cfg.slug, year_folder(year), key, after,
                           preflight.Preflight(warnings, result.coverage))
        sums.save()
    for r in result.failed:
        console.print(f"[red]chapter {r.chapter} failed: {escape(str(r.error))}[/]")
    for p in result.problems:
        console.print(f"[red]{escape(p)}[/]")
    console.print(f"bundle: {result.path / 'index.html'}")
    if not result.ok:
        raise typer.Exit(code=1)


def _run_batch(
    csp: list[str], year: list[str], all_csps: bool, raw: Path, processed: Path, out: Path, config_dir: Path,
    notebooks: Path, jobs: int | None, chapter: list[str], isolate: bool, workers: int | None, scheduler: str | None,
    force: bool = False,
) -> None:
    """`assess run` for many bundles: on Dask, with a progress bar; exit 1 unless all are complete."""
    from assess.report.batch import default_workers, plan_batch, run_batch

    jobs = jobs or 1
    workers = workers or (None if scheduler else default_workers(jobs))

    plan = plan_batch(year, processed_dir=processed, config_dir=config_dir, out_root=out, csps=csp, every_csp=all_csps)
    for w in plan.warnings:
        console.print(f"[yellow]{escape(w)}[/]")
    where = scheduler or f"a local Dask cluster of {workers} worker(s)"
    console.print(f"[bold]{len(plan.items)} bundle(s)[/] on {where}, {jobs} chapter(s) at a time in each")
    with _bar() as bar:
        task = bar.add_task("bundles", total=len(plan.items))

        def done(outcome, n: int, total: int) -> None:
            colour = {"complete": "green", "incomplete": "yellow"}.get(outcome.status, "red")
            bar.console.print(f"[{colour}]{outcome.status}[/] {escape(outcome.name)}, {outcome.year} ({outcome.seconds:.0f} s)"
                              + (f": {escape(outcome.error)}" if outcome.error else ""))
            bar.update(task, completed=n)

        result = run_batch(
            plan, notebooks_dir=notebooks, raw_dir=raw, processed_dir=processed, out_root=out, jobs=jobs,
            chapters=list(chapter) or None, isolate=isolate, workers=workers, scheduler=scheduler, on_done=done,
            force=force,
        )
    for o in plan.failed:
        console.print(f"[red]failed[/] {escape(o.name)}, {o.year}: {escape(str(o.error))}")
    console.print(f"{result.count('complete')} complete, {result.count('incomplete')} incomplete, "
                  f"{result.count('failed')} failed in {result.seconds:.0f} s on {result.workers} worker(s)")
    console.print(f"batch index: {result.index}")
    if not result.ok:
        raise typer.Exit(code=1)


if __name__ == "__main__":  # python -m assess.cli
    app()
