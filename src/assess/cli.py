"""The command line: ``assess demo | ingest | init-csp | run | fetch | reconcile``.

Each command only parses its options and calls the library; nothing here computes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from assess.errors import AssessError

app = typer.Typer(
    help="assess: a reproducible Community Safety Strategic Assessment for a CSP in England and Wales.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

RawDir = Annotated[Path, typer.Option("--raw", help="Folder of raw inputs as published (data/raw).")]
ProcessedDir = Annotated[Path, typer.Option("--processed", help="Folder of the processed store (data/processed).")]
ConfigDir = Annotated[Path, typer.Option("--config-dir", help="Folder of per-CSP YAML files (config/csp).")]


def _fail(exc: Exception) -> None:
    console.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(code=2)


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


@app.command()
def demo(
    raw: RawDir = Path("data/raw"),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes byte-identical files.")] = 2017,
    force: Annotated[bool, typer.Option("--force", help="Write even if demo data is already present.")] = False,
) -> None:
    """Write deterministic synthetic demonstration data, in the publishers' formats, into RAW."""
    from assess.demo import write_demo

    marker = raw / "DEMO_README.md"
    if marker.exists() and not force:
        console.print(f"demo data already present in {raw} (use --force to write it again)")
        return
    try:
        summary = write_demo(raw, seed=seed)
    except AssessError as exc:
        _fail(exc)
    console.print(summary.describe())


@app.command()
def ingest(
    raw: RawDir = Path("data/raw"),
    processed: ProcessedDir = Path("data/processed"),
    config_dir: ConfigDir = Path("config/csp"),
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the inputs are unchanged.")] = False,
) -> None:
    """Read, validate, harmonise and place every raw file; write a new version of the store.

    The new version (Parquet tables and a manifest of checksums) replaces the previous one in one
    step; partner files are stored too, named as the CSP configurations in CONFIG_DIR name them.

    Files are recognised by name and header, so downloads go into RAW as they come. Rows that
    cannot be placed in a ward (blank or unknown LSOA) are counted and reported, never dropped.
    """
    from assess.store.ingest import ingest as run_ingest

    with _bar() as bar:
        task = bar.add_task("reading", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"reading {step}", completed=done, total=total)

        try:
            report = run_ingest(raw, processed, force=force, progress=progress, config_dir=config_dir)
        except AssessError as exc:
            _fail(exc)
    if report.up_to_date:
        console.print(f"inputs unchanged ({report.inputs} files) and the store matches its manifest: nothing to do")
        return
    for problem in report.repaired[:5]:
        console.print(f"[yellow]the previous store did not match its manifest ({problem}): rebuilt[/]")
    table = Table(title=f"processed tables in {processed}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in report.rows.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    console.print(f"{report.unplaced_rows:,} street rows could not be placed in a ward (see the 'unplaced' table)")
    if report.duplicate_ids:
        console.print(f"[yellow]{report.duplicate_ids:,} Crime IDs appear more than once (see 'duplicate_crime_ids')[/]")
    if report.coverage is not None:
        for row in report.coverage.itertuples():
            if not row.complete:
                console.print(f"[yellow]{row.force} {row.financial_year}: months missing: {row.months_missing}[/]")
    if report.dropped:
        console.print(f"[yellow]{len(report.dropped):,} rows left out by the readers (listed in the manifest's dropped_rows)[/]")
    for w in report.warnings:
        console.print(f"[yellow]{w}[/]")
    for name in report.unknown_files:
        console.print(f"[yellow]not recognised, ignored: {name}[/]")
    console.print(f"ingested {report.inputs} files ({report.files_read} read, {report.files_reused} unchanged and reused) "
                  f"in {report.seconds:.1f} s: version {report.version}")


@app.command("init-csp")
def init_csp(
    csp: Annotated[str, typer.Argument(help="CSP name or ONS code, e.g. Southampton or E22000120.")],
    raw: RawDir = Path("data/raw"),
    processed: ProcessedDir = Path("data/processed"),
    config_dir: ConfigDir = Path("config/csp"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing configuration.")] = False,
) -> None:
    """Write config/csp/<slug>.yaml for any CSP in England and Wales from the ONS lookup.

    The lookup is taken from the processed store, or else from RAW as downloaded
    (`assess fetch --only lookup`).
    """
    from assess.atomic import write_text
    from assess.config import config_for_csp, dump_config
    from assess.sources import discover as disc
    from assess.store import Store

    try:
        store = Store(processed)
        if store.has("lad_csp"):
            lookup = store.read("lad_csp")
        else:
            found = [f for f in disc.discover(raw) if f.kind == "lad_csp_lookup"] if raw.is_dir() else []
            if not found:
                raise AssessError(
                    f"no local authority -> CSP lookup in {processed} or {raw}: "
                    "run `assess fetch --only lookup` (or put the ONS lookup CSV in data/raw/)"
                )
            lookup = disc.read(found[0])
        cfg = config_for_csp(csp, lookup)
        boundaries = [
            f.path.relative_to(raw).as_posix()
            for f in (disc.discover(raw) if raw.is_dir() else [])
            if f.kind == "ward_boundaries" and any(code in f.path.name for code in cfg.lad_codes)
        ]
        if boundaries:  # a ward GeoJSON named after the local authority: the ward map uses it
            cfg = cfg.model_copy(update={"ward_boundaries": boundaries[0]})
    except AssessError as exc:
        _fail(exc)
    target = config_dir / f"{cfg.slug}.yaml"
    if target.exists() and not force:
        _fail(AssessError(f"{target} exists; use --force to overwrite it"))
    write_text(target, dump_config(cfg))
    console.print(f"wrote {target}")
    console.print(
        "[yellow]most_similar_group is empty: add the names of the CSP's most-similar group "
        "(Home Office iQuanta) to compare with its peers[/]"
    )


@app.command()
def fetch(
    csp: Annotated[str | None, typer.Option("--csp", help="CSP slug, name or ONS code (its config/csp YAML).")] = None,
    year: Annotated[list[str], typer.Option("--year", help="Financial year(s), e.g. 2017/18 (repeatable).")] = [],  # noqa: B006
    only: Annotated[
        list[str],
        typer.Option("--only", help="Fetch only these groups: police_uk, lookup, population, recorded_crime (repeatable)."),
    ] = [],  # noqa: B006
    month: Annotated[list[str], typer.Option("--month", help="Single month(s) YYYY-MM (repeatable).")] = [],  # noqa: B006
    raw: RawDir = Path("data/raw"),
    config_dir: ConfigDir = Path("config/csp"),
    sources: Annotated[Path | None, typer.Option(help="Another sources.yaml (default: the packaged one, or $ASSESS_SOURCES).")] = None,
    police_uk_link: Annotated[str | None, typer.Option(help="A data.police.uk custom-download link for the force.")] = None,
    keep_archives: Annotated[bool, typer.Option("--keep-archives", help="Keep the monthly police.uk zips.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Download again even if present and unchanged.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a server before retrying.")] = 30.0,
) -> None:
    """Download a CSP's public data (police.uk, ONS lookups and population, Home Office tables) into RAW.

    Resumable and checksummed; every file is recorded in RAW/downloads.json. Needs the internet.
    Without --csp, only the ONS lookups (--only lookup) can be fetched: the first step for a new CSP.
    """
    from assess.config import find_config
    from assess.fetch import FetchError, load_sources
    from assess.fetch import fetch as run_fetch
    from assess.periods import months_of_financial_year

    try:
        cfg = find_config(csp, config_dir) if csp else None
        months = sorted(set(month) | {m for y in year for m in months_of_financial_year(y)})
        groups = tuple(only) or ("police_uk", "lookup", "population", "recorded_crime")
        report = run_fetch(
            cfg, months or None, list(year) or None, raw, load_sources(sources), include=groups,
            police_uk_link=police_uk_link, keep_archives=keep_archives, force=force, timeout=timeout,
        )
    except FetchError as exc:
        if getattr(exc, "report", None) is not None:
            console.print(exc.report.summary())
        _fail(exc)
    except AssessError as exc:
        _fail(exc)
    console.print(report.summary())
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def reconcile(
    force_name: Annotated[str, typer.Option("--force-name", help="Force name as in the Home Office tables, e.g. Hampshire.")],
    year: Annotated[str, typer.Option("--year", help="Financial year, e.g. 2017/18.")],
    processed: ProcessedDir = Path("data/processed"),
    falls_within: Annotated[str | None, typer.Option(help="police.uk 'Falls within' name, if the store holds several forces.")] = None,
) -> None:
    """Compare police.uk crime counts with Home Office recorded crime, quarter by quarter."""
    from assess.measure.reconcile import (
        explain_differences,
        reconcile_police_uk_with_home_office,
    )
    from assess.store import Store

    store = Store(processed)
    try:
        table = reconcile_police_uk_with_home_office(
            store.read("street"), store.read("recorded_crime"), force_name, year, falls_within=falls_within
        )
    except AssessError as exc:
        _fail(exc)
    out = Table(title=f"police.uk and Home Office recorded crime, {force_name}, {year}")
    for c in table.columns:
        out.add_column(str(c))
    for row in table.astype("string").fillna("").itertuples(index=False):
        out.add_row(*[str(v) for v in row])
    console.print(out)
    for line in explain_differences():
        console.print(f"- {line}")


@app.command()
def run(
    csp: Annotated[list[str], typer.Option("--csp", help="CSP slug, name or ONS code (repeatable for a batch).")],
    year: Annotated[list[str], typer.Option("--year", help="Financial year, e.g. 2024/25 (repeatable for a batch).")],
    raw: RawDir = Path("data/raw"),
    processed: ProcessedDir = Path("data/processed"),
    out: Annotated[Path, typer.Option("--out", help="Root folder of the bundles (reports).")] = Path("reports"),
    config_dir: ConfigDir = Path("config/csp"),
    notebooks: Annotated[Path, typer.Option("--notebooks", help="Folder of the chapter notebooks.")] = Path("notebooks"),
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Chapters executed at a time.")] = 2,
    chapter: Annotated[list[str], typer.Option("--chapter", help="Run only these chapters (e.g. 01_recorded_crime).")] = [],  # noqa: B006
    isolate: Annotated[bool, typer.Option("--isolate", help="A fresh kernel for every chapter (slower).")] = False,
) -> None:
    """Execute every chapter for each CSP and year into reports/<csp>/<year>/.

    The bundle holds the executed notebooks, an HTML page per chapter with an index, one PDF,
    tables (CSV and Excel), metrics.json and manifest.json. A failed chapter is marked in the
    index and makes the exit status 1, while the other chapters are still produced.
    """
    # nbformat imports jsonschema, which loads rfc3987-syntax where it is installed (JupyterLab's
    # dependencies install it); that builds an IRI grammar on import, 1.6-2.7 s of every run
    # before any kernel starts. No schema this process checks has an "iri" format: skip it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    from assess.config import find_config
    from assess.periods import parse_financial_year
    from assess.report.bundle import run_bundle
    from assess.store import Store

    try:
        for y in year:
            parse_financial_year(y)
        cfgs = [find_config(c, config_dir) for c in csp]
        Store(processed).check()  # refuses a missing store, or one whose tables do not match its manifest
    except AssessError as exc:
        _fail(exc)
    failed = False
    for cfg in cfgs:
        for y in year:
            console.print(f"[bold]{cfg.display_name}, {y}[/]")
            try:
                result = run_bundle(
                    cfg, y, notebooks_dir=notebooks, raw_dir=raw, processed_dir=processed, out_root=out,
                    config_dir=config_dir, jobs=jobs, chapters=list(chapter) or None, isolate=isolate,
                )
            except AssessError as exc:
                console.print(f"[bold red]error:[/] {exc}")
                failed = True
                continue
            for r in result.failed:
                console.print(f"[red]chapter {r.chapter} failed: {r.error}[/]")
            for p in result.problems:
                console.print(f"[red]{p}[/]")
            console.print(f"bundle: {result.path / 'index.html'}")
            failed |= not result.ok
    if failed:
        raise typer.Exit(code=1)
