"""Ingest: read every raw file, harmonise and place it, and write the processed store.

``data/raw/`` holds files as their publishers release them; ``ingest`` recognises each by name
pattern and header (:mod:`assess.sources.discover`), validates it, harmonises police.uk categories,
places every street record in ward -> local authority -> CSP, and writes tidy Parquet tables with
a manifest of the inputs' SHA-256. With unchanged inputs it does no work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import assess
from assess.errors import InputError
from assess.periods import financial_year_series, months_of_financial_year
from assess.sources import discover as disc
from assess.sources import fingertips, population, rough_sleeping
from assess.sources.police_uk import duplicate_crime_ids, validate_street
from assess.sources.validation import ReadReport
from assess.store import Store, combined_sha256, sha256_file
from assess.store.harmonise import add_categories, place, unplaced_summary

#: Raw kinds read into each processed table (several files of a kind are concatenated).
TABLE_OF_KIND = {
    "police_street": "street",
    "police_outcomes": "outcomes",
    "police_stop_search": "stop_search",
    "home_office_prc": "recorded_crime",
    "lsoa_ward_lookup": "lsoa_ward",
    "lad_csp_lookup": "lad_csp",
    "lad_region_lookup": "lad_region",
    "iod_population": "population",
    "mid_year_population": "population",
    "households": "population",
    "fingertips": "indicators",
    "rough_sleeping": "rough_sleeping_snapshot",
}

#: Tables whose files are joined by a function of their reader (not a plain concatenation): it
#: refuses files that disagree, keeps a repeat once, and appends what it did to the warnings.
COMBINE_TABLE: dict[str, Callable[[list[pd.DataFrame], list[str]], pd.DataFrame]] = {
    "population": population.combine_estimates,
    "indicators": fingertips.combine_exports,
    "rough_sleeping_snapshot": rough_sleeping.combine_editions,
}

#: Kinds of which exactly one file may be present (two lookups would disagree silently).
SINGLE_FILE_KINDS = ("lsoa_ward_lookup", "lad_csp_lookup", "lad_region_lookup")


@dataclass
class IngestReport:
    """What an ingest read, wrote, and could not use."""

    up_to_date: bool
    inputs: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    unplaced: pd.DataFrame | None = None
    duplicate_ids: int = 0
    coverage: pd.DataFrame | None = None
    unknown_files: list[str] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)  # {"file", "row", "reason"}: rows a reader left out
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def unplaced_rows(self) -> int:
        return 0 if self.unplaced is None or self.unplaced.empty else int(self.unplaced["rows"].sum())


def input_fingerprint(raw_dir: Path, files: list[disc.RawFile]) -> dict[str, dict]:
    """SHA-256 and size of every recognised raw file, keyed by its path relative to ``raw_dir``."""
    return {
        f.path.relative_to(raw_dir).as_posix(): {
            "sha256": sha256_file(f.path),
            "bytes": f.path.stat().st_size,
            "kind": f.kind,
        }
        for f in files
    }


def month_coverage(street: pd.DataFrame) -> pd.DataFrame:
    """Which months each force's street files hold in each financial year, and which are missing.

    Columns: force, financial_year, months_present, months_missing (both ``;``-separated
    ``YYYY-MM`` lists), complete (bool).
    """
    rows = []
    distinct = street[["falls_within", "financial_year", "month"]].dropna().drop_duplicates()
    for (force, fy), months in distinct.groupby(["falls_within", "financial_year"], observed=True)["month"]:
        present = sorted(months)
        missing = [m for m in months_of_financial_year(str(fy)) if m not in present]
        rows.append(
            {
                "force": force,
                "financial_year": fy,
                "months_present": ";".join(present),
                "months_missing": ";".join(missing),
                "complete": not missing,
            }
        )
    return pd.DataFrame(rows, columns=["force", "financial_year", "months_present", "months_missing", "complete"])


def _check_one_file_per_month(files: list[disc.RawFile]) -> None:
    """The same force-month twice (say flat and in its archive folder) would be counted twice."""
    seen: dict[str, Path] = {}
    for f in files:
        if f.kind != "police_street":
            continue
        key = f.path.name
        if key in seen:
            raise InputError(
                f.path,
                f"the same police.uk file is present twice (also at {seen[key]})",
                hint="keep one copy: remove the other from data/raw/",
            )
        seen[key] = f.path


def _validate_partner_files(files: list[disc.RawFile]) -> None:
    """Read every partner file whose name is a known one, so a bad file fails the ingest early
    (the chapters read them again through the same reader)."""
    from assess.config import DEFAULT_PARTNER_FILES
    from assess.sources import partner

    by_filename = {filename: name for name, filename in DEFAULT_PARTNER_FILES.items()}
    for f in files:
        name = by_filename.get(f.path.name)
        if f.kind == "partner" and name in partner.PARTNER_READERS:
            partner.PARTNER_READERS[name](f.path)
    partner.check_narrative_folders({f.path.parent for f in files if f.kind == "partner"})


def ingest(
    raw_dir: str | Path,
    processed_dir: str | Path,
    *,
    force: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Build ``processed_dir`` from ``raw_dir``; skip all work when the inputs are unchanged.

    ``progress(step, done, total)`` is called as files are read (the CLI draws a bar with it).
    Raises :class:`~assess.errors.InputError` for a bad file, before anything is written.
    """
    start = time.perf_counter()
    raw_dir, store = Path(raw_dir), Store(processed_dir)
    found = disc.discover(raw_dir)
    unknown = [f.path.relative_to(raw_dir).as_posix() for f in found if f.kind == "unknown"]
    files = [f for f in found if f.kind != "unknown"]
    readable = [f for f in files if f.kind in TABLE_OF_KIND]
    for kind in SINGLE_FILE_KINDS:
        of_kind = [f.path.name for f in readable if f.kind == kind]
        if len(of_kind) > 1:
            raise InputError(
                raw_dir, f"{len(of_kind)} files of kind {kind} ({', '.join(of_kind)})", hint="keep only one of them in data/raw/"
            )
    _check_one_file_per_month(readable)

    inputs = input_fingerprint(raw_dir, files)
    fingerprint = combined_sha256(f"{k}:{v['sha256']}" for k, v in inputs.items())
    old = store.manifest()
    if (
        not force
        and old.get("fingerprint") == fingerprint
        and old.get("created_by") == f"assess {assess.__version__}"
        and all(store.has(t) for t in old.get("tables", {}))
    ):
        return IngestReport(up_to_date=True, inputs=len(files), unknown_files=unknown, seconds=time.perf_counter() - start)

    report = IngestReport(up_to_date=False, inputs=len(files), unknown_files=unknown)
    frames: dict[str, list[pd.DataFrame]] = {}
    for i, f in enumerate(readable):
        if progress:
            progress(f.path.name, i, len(readable))
        rel = f.path.relative_to(raw_dir).as_posix()
        read_report = ReadReport(f.path)
        # street files are validated together below: one pandera pass, not one per file
        extra = {"validate_rows": False} if f.kind == "police_street" else {}
        df = disc.read(f, report=read_report, **extra)
        frames.setdefault(TABLE_OF_KIND[f.kind], []).append(df)
        inputs[rel]["rows"] = len(df)
        inputs[rel]["rows_dropped"] = read_report.rows_dropped
        report.dropped += [{"file": rel, **d} for d in read_report.dropped]
        report.warnings += [f"{rel}: {w}" for w in read_report.warnings]
    if progress:
        progress("done", len(readable), len(readable))
    _validate_partner_files(files)

    tables = {
        name: COMBINE_TABLE[name](parts, report.warnings) if name in COMBINE_TABLE else pd.concat(parts, ignore_index=True)
        for name, parts in frames.items()
    }

    if "street" in tables:
        street = validate_street(tables["street"], {f.path.name: f.path for f in readable if f.kind == "police_street"})
        street["financial_year"] = financial_year_series(street["month"])
        street = add_categories(street)
        if "lsoa_ward" in tables and "lad_csp" in tables:
            street = place(street, tables["lsoa_ward"], tables["lad_csp"])
            report.unplaced = unplaced_summary(street)
            tables["unplaced"] = report.unplaced
        dups = duplicate_crime_ids(street)
        report.duplicate_ids = int(dups["crime_id"].nunique()) if len(dups) else 0
        tables["duplicate_crime_ids"] = dups
        report.coverage = month_coverage(street)
        tables["coverage"] = report.coverage
        tables["street"] = street

    written = {}
    for name, df in sorted(tables.items()):
        sha = store.write(name, df)
        written[name] = {"rows": len(df), "sha256": sha}
        report.rows[name] = len(df)
    for stale in set(store.tables()) - set(written):
        store.path(stale).unlink()

    store.write_manifest(
        {
            "created_by": f"assess {assess.__version__}",
            "fingerprint": fingerprint,
            "inputs": inputs,
            "tables": written,
            "unknown_files": unknown,
            "unplaced_rows": report.unplaced_rows,
            "dropped_rows": report.dropped,
            "warnings": report.warnings,
            "duplicate_crime_ids": report.duplicate_ids,
            "coverage": [] if report.coverage is None else report.coverage.to_dict(orient="records"),
        }
    )
    report.seconds = time.perf_counter() - start
    return report
