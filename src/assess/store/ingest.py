"""Ingest: read every raw file, harmonise and place it, and write a new version of the processed store.

``data/raw/`` holds files as their publishers release them; ``ingest`` recognises each by name
pattern and header (:mod:`assess.sources.discover`) and validates it. police.uk files are read
and written part by part with DuckDB (:mod:`assess.store.police`); every other table is read by its
reader (the table of each kind: :data:`TABLE_OF_KIND`); partner files are validated and stored too
(:mod:`assess.store.partner`). The result is a new version of the store, switched to in one step
(:mod:`assess.store.versions`), with a manifest of every input's and every file's SHA-256.

Incremental: what each raw file gave is kept in the version, keyed on the file's checksum (and the
lookups' and this code's version), and a later ingest reuses it for every unchanged file: adding a
month reads only that month's files. Nor is an unchanged raw file read again to be hashed: its
checksum is recalled while its stamps are unchanged (``raw_stamps.json`` in the version,
:mod:`assess.file_stamps`). With unchanged inputs and a store that matches its manifest it does
no work; a store that does not match its manifest (changed or damaged after ingest) is rebuilt,
never reported as up to date.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

import assess
from assess.atomic import write_text
from assess.config import CSPConfig, load_config
from assess.errors import InputError
from assess.file_stamps import changed_recently, file_stamp, filesystem_now
from assess.periods import months_of_financial_year
from assess.sources import discover as disc
from assess.sources import fingertips, population, rough_sleeping
from assess.sources.csv_sql import FileScan, connect, scan_file
from assess.sources.partner import PARTNER_READERS, check_narrative_folders
from assess.sources.validation import ReadReport
from assess.store import police
from assess.store.harmonise import geo_lookup
from assess.store.partner import partner_names, partner_table_name
from assess.store.processed import (
    FORMAT,
    Store,
    StoreError,
    combined_sha256,
    sha256_file,
)
from assess.store.versions import (
    RAW_STAMPS,
    VersionBuilder,
    clean_leftovers,
    clean_versions,
    ingest_lock,
    safe_name,
    store_write_error,
    write_frame,
)

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

#: Bump when what a ``sources`` part holds changes.
SOURCE_FORMAT = 1


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
    version: str | None = None  # the folder name of the version written (or kept)
    files_read: int = 0  # raw files read (the others' previous results were reused)
    files_reused: int = 0
    repaired: list[str] = field(default_factory=list)  # problems of the previous version, now rebuilt

    @property
    def unplaced_rows(self) -> int:
        return 0 if self.unplaced is None or self.unplaced.empty else int(self.unplaced["rows"].sum())


def month_coverage(street: pd.DataFrame) -> pd.DataFrame:
    """Which months each force's street files hold in each financial year, and which are missing.

    ``street`` needs falls_within, financial_year and month (rows, or their distinct triples).
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


def load_configs(config_dir: str | Path | None) -> list[CSPConfig]:
    """Every CSP configuration in ``config_dir`` (none when it is None or absent)."""
    if config_dir is None or not Path(config_dir).is_dir():
        return []
    return [load_config(p) for p in sorted(Path(config_dir).glob("*.yaml"))]


def _key(*parts: str) -> str:
    return hashlib.sha256("|".join([*parts, assess.__version__]).encode()).hexdigest()


def _previous(processed_dir: Path) -> tuple[Store | None, list[str]]:
    """The store's current version (None if there is none or it cannot be read) and its problems."""
    store = Store(processed_dir)
    try:
        manifest = store.manifest()
    except StoreError as exc:
        return None, [str(exc)]
    if not manifest:
        return None, []
    if manifest.get("format") != FORMAT:
        return None, [f"{store.root}: a store of an older layout"]
    return store, store.verify(full=True)


def ingest(
    raw_dir: str | Path,
    processed_dir: str | Path,
    *,
    force: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    configs: Sequence[CSPConfig] = (),
    config_dir: str | Path | None = None,
    workers: int = 2,
) -> IngestReport:
    """Build a new version of ``processed_dir`` from ``raw_dir``; no work when nothing changed.

    ``configs`` (and the configurations in ``config_dir``) say which partner files the CSPs use
    under other names (:mod:`assess.store.partner`). ``force`` reads every file again. ``progress(step,
    done, total)`` is called as files are read (the CLI draws a bar with it). Raises InputError for
    a bad file and StoreError when the store cannot be written; either way the previous version
    stays in use, whole.
    """
    start = time.perf_counter()
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    configs = [*configs, *load_configs(config_dir)]
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
    police_files = [f for f in readable if f.kind in police.TABLE_OF_POLICE_KIND]
    for kind in police.TABLE_OF_POLICE_KIND:
        police.check_one_file_per_month([(f.kind, f.path) for f in police_files if f.kind == kind])
    rel = {f.path: f.path.relative_to(raw_dir).as_posix() for f in files}
    partner_files = [f for f in files if f.kind == "partner"]
    names, partner_warnings = partner_names(raw_dir, [rel[f.path] for f in partner_files], configs)

    with ingest_lock(processed_dir):
        previous, problems = _previous(processed_dir)
        now_ns = filesystem_now(raw_dir, [processed_dir, raw_dir])  # before any file is read: see _write_stamps
        stamps = {rel[f.path]: file_stamp(f.path) for f in files}
        recalled = {} if force or problems or previous is None else _recalled(previous, stamps)
        scans = _scan([f for f in police_files if rel[f.path] not in recalled], workers)
        inputs = {
            rel[f.path]: {
                "sha256": recalled.get(rel[f.path]) or (scans[f.path].sha256 if f.path in scans else sha256_file(f.path)),
                "bytes": stamps[rel[f.path]][0],
                "kind": f.kind,
            }
            for f in files
        }
        fingerprint = combined_sha256(
            [f"{k}:{v['sha256']}" for k, v in inputs.items()] + [f"partner:{k}={v}" for k, v in sorted(names.items())]
        )
        old = previous.manifest() if previous is not None else {}
        if (
            not force
            and not problems
            and old.get("fingerprint") == fingerprint
            and old.get("created_by") == f"assess {assess.__version__}"
        ):
            clean_leftovers(processed_dir)  # what a killed ingest left (the current version is whole)
            if previous is not None and len(recalled) < len(stamps):
                _refresh_stamps(previous, stamps, inputs, now_ns)
            return IngestReport(up_to_date=True, inputs=len(files), unknown_files=unknown, seconds=time.perf_counter() - start,
                                version=previous.root.name if previous else None)
        reuse = previous if previous is not None and not force else None
        report = IngestReport(up_to_date=False, inputs=len(files), unknown_files=unknown, repaired=problems)
        builder = VersionBuilder(processed_dir)
        spill = builder.folder.with_name(builder.folder.name + "-spill")
        try:
            manifest = _build(builder, spill, raw_dir, files, rel, inputs, names, reuse, scans, report, progress, workers)
            manifest.update(
                format=FORMAT,
                created_by=f"assess {assess.__version__}",
                fingerprint=fingerprint,
                unknown_files=unknown,
                warnings=report.warnings + partner_warnings,
            )
            report.warnings = manifest["warnings"]
            _write_stamps(builder, stamps, inputs, now_ns)
            version = builder.commit(manifest)
        except (OSError, duckdb.IOException) as exc:
            builder.abort()
            raise store_write_error(processed_dir, exc) from None
        except BaseException:
            builder.abort()
            raise
        finally:
            import shutil

            shutil.rmtree(spill, ignore_errors=True)
        keep = {version.name}
        if previous is not None and previous.root.resolve().parent == version.resolve().parent:
            keep.add(previous.root.name)  # the version before stays, for runs still reading it
        clean_versions(processed_dir, keep)
    report.version = version.name
    report.seconds = time.perf_counter() - start
    return report


def _recalled(previous: Store, stamps: dict[str, list[int]]) -> dict[str, str]:
    """The SHA-256 the previous version took of each raw file whose stamp is unchanged since
    (:mod:`assess.file_stamps`), by relative path: those files are not read again to be hashed.
    Nothing is recalled from a version without stamps or with a damaged record of them."""
    try:
        known = json.loads((previous.root / RAW_STAMPS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(known, dict):
        return {}
    recalled = {}
    for relative, stamp in stamps.items():
        kept = known.get(relative)
        if isinstance(kept, list) and len(kept) == 5 and kept[:4] == stamp and isinstance(kept[4], str):
            recalled[relative] = kept[4]
    return recalled


def _write_stamps(builder: VersionBuilder, stamps: dict[str, list[int]], inputs: dict[str, dict], now_ns: int | None) -> None:
    """Record (in :data:`~assess.store.versions.RAW_STAMPS`, beside the manifest and not in it: the
    manifest's checksum is the bundle's record of its inputs, and stamps differ from machine to
    machine) each raw file's stamp (taken before it was read) and checksum in the new version,
    but for a file changed at or after ``now_ns``, the filesystem's time when the ingest began
    (:func:`assess.file_stamps.changed_recently`): a change within that tick could hide behind
    an unchanged stamp, so such a file is hashed again next time."""
    builder.file(RAW_STAMPS).write_text(_stamps_record(stamps, inputs, now_ns), encoding="utf-8")


def _stamps_record(stamps: dict[str, list[int]], inputs: dict[str, dict], now_ns: int | None) -> str:
    """The text of :data:`~assess.store.versions.RAW_STAMPS`: each file's stamp and checksum, but
    for those changed at or after ``now_ns`` (:func:`_write_stamps`)."""
    kept = {r: [*st, inputs[r]["sha256"]] for r, st in sorted(stamps.items()) if not changed_recently(max(st[1], st[2]), now_ns)}
    return json.dumps(kept, indent=0, sort_keys=True)


def _refresh_stamps(current: Store, stamps: dict[str, list[int]], inputs: dict[str, dict], now_ns: int | None) -> None:
    """After an ingest that found the store up to date but had to hash some files again (their
    stamps were new: a file touched, copied back or restored with its contents unchanged, or one
    changed too recently to be recorded last time), record their stamps in the current version,
    so that the next ingest recalls them instead of hashing them at every run. The record is
    written atomically and is no part of the version's manifest; a store that cannot be written
    (a read-only share) keeps its old record, which costs only the hashing."""
    record = _stamps_record(stamps, inputs, now_ns)
    path = current.root / RAW_STAMPS
    try:
        if path.read_text(encoding="utf-8") == record:
            return
    except (OSError, ValueError):
        pass
    try:
        write_text(path, record)
    except OSError:
        pass


def _scan(police_files: list[disc.RawFile], workers: int) -> dict[Path, FileScan]:
    """One pass over every police.uk file's bytes (checksum, lines), ``workers`` at a time."""
    if not police_files:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(zip([f.path for f in police_files], pool.map(scan_file, [f.path for f in police_files])))


def _reusable(reuse: Store | None, relative: str | None, sha256: str | None) -> Path | None:
    """The previous version's file at ``relative`` when it is whole (its checksum as recorded)."""
    if reuse is None or relative is None:
        return None
    path = reuse.root / relative
    try:
        return path if sha256_file(path) == sha256 else None
    except OSError:
        return None


def _build(
    builder: VersionBuilder,
    spill: Path,
    raw_dir: Path,
    files: list[disc.RawFile],
    rel: dict[Path, str],
    inputs: dict[str, dict],
    names: dict[str, str],
    reuse: Store | None,
    scans: dict[Path, FileScan],
    report: IngestReport,
    progress: Callable[[str, int, int], None] | None,
    workers: int,
) -> dict:
    """Write every table of the new version; return the manifest (but for its header fields)."""
    old = reuse.manifest() if reuse is not None else {}
    readable = [f for f in files if f.kind in TABLE_OF_KIND]
    total, done = len(readable) + len(names), 0

    def step(name: str) -> None:
        nonlocal done
        if progress:
            progress(name, done, total)
        done += 1

    # --- tables read by a reader, file by file (what each file gave is kept under sources/) ---
    sources: dict[str, dict] = {}
    frames: dict[str, list[tuple[str, Callable[[], pd.DataFrame]]]] = {}
    for f in (f for f in readable if f.kind not in police.TABLE_OF_POLICE_KIND):
        r, sha = rel[f.path], inputs[rel[f.path]]["sha256"]
        key = _key("source", f.kind, sha, str(SOURCE_FORMAT))
        target = f"sources/{safe_name(r)}.parquet"
        before = old.get("sources", {}).get(r, {})
        kept = _reusable(reuse, before.get("path"), before.get("sha256")) if before.get("key") == key else None
        step(f.path.name)
        if kept is not None:
            builder.reuse(kept, target)
            entry = {**before, "path": target}
            report.files_reused += 1

            def load(p: Path = builder.folder / target) -> pd.DataFrame:
                return pd.read_parquet(p)
        else:
            read_report = ReadReport(f.path)
            df = disc.read(f, report=read_report)
            write_frame(df, builder.file(target))
            entry = builder.entry(target, len(df), key=key, rows_dropped=read_report.rows_dropped,
                                  dropped=[{"file": r, **d} for d in read_report.dropped],
                                  warnings=[f"{r}: {w}" for w in read_report.warnings])
            report.files_read += 1

            def load(df: pd.DataFrame = df) -> pd.DataFrame:
                return df
        sources[r] = entry
        inputs[r]["rows"] = entry["rows"]
        inputs[r]["rows_dropped"] = entry["rows_dropped"]
        report.dropped += entry["dropped"]
        report.warnings += entry["warnings"]
        frames.setdefault(TABLE_OF_KIND[f.kind], []).append((entry["key"], load))

    tables: dict[str, dict] = {}

    def frame(name: str, warnings: list[str]) -> pd.DataFrame:
        """The table ``name`` from its files: combined by its reader's rule, else concatenated."""
        parts = [load() for _, load in frames[name]]
        if name in COMBINE_TABLE:
            return COMBINE_TABLE[name](parts, warnings)
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    loaded: dict[str, pd.DataFrame] = {}
    for name, parts in sorted(frames.items()):
        keys = [k for k, _ in parts]
        before = old.get("tables", {}).get(name, {})
        kept = _reusable(reuse, before.get("path"), before.get("sha256")) if before.get("from") == keys else None
        if kept is not None:
            builder.reuse(kept, before["path"])
            tables[name] = before
        else:
            combined: list[str] = []
            loaded[name] = frame(name, combined)
            tables[name] = {**builder.write_table(name, loaded[name]), "from": keys, "warnings": combined}
        report.warnings += tables[name].get("warnings", [])
        report.rows[name] = tables[name]["rows"]

    # --- police.uk files, part by part ---------------------------------------------------------
    geo = None
    lookups = None
    has_police = any(f.kind in police.TABLE_OF_POLICE_KIND for f in readable)
    if has_police and "lsoa_ward" in frames and "lad_csp" in frames:
        lsoa_ward = loaded.get("lsoa_ward", None)
        lsoa_ward = frame("lsoa_ward", []) if lsoa_ward is None else lsoa_ward
        lad_csp = loaded.get("lad_csp", None)
        lad_csp = frame("lad_csp", []) if lad_csp is None else lad_csp
        geo = geo_lookup(lsoa_ward, lad_csp)
        lookups = tables["lsoa_ward"]["sha256"] + tables["lad_csp"]["sha256"]
    police_parts: dict[str, list[police.Part]] = {}
    jobs = []
    old_parts = {p["key"]: p for t in police.TABLE_OF_POLICE_KIND.values() for p in old.get("tables", {}).get(t, {}).get("parts", [])}
    for f in (f for f in readable if f.kind in police.TABLE_OF_POLICE_KIND):
        table = police.TABLE_OF_POLICE_KIND[f.kind]
        r = rel[f.path]
        key = police.part_key(f.kind, inputs[r]["sha256"], lookups if table == "street" else None)
        target = f"tables/{table}/{safe_name(f.path.stem)}.parquet"
        part = police.Part(r, f.kind, f.path.name, key, target)
        before = old_parts.get(key)
        kept = _reusable(reuse, before["path"], before["sha256"]) if before and before["input"] == r else None
        if kept is not None:
            builder.reuse(kept, target)
            part = police.Part.from_manifest(f.kind, {**before, "path": target})
            report.files_reused += 1
            step(f.path.name)
        else:
            jobs.append((f.path, f.kind, part, builder.file(target), scans.get(f.path) or scan_file(f.path)))
            report.files_read += 1
        police_parts.setdefault(table, []).append(part)
    if jobs:
        writer = police.PoliceWriter(geo, workers=workers, temp_dir=spill)
        try:
            writer.write_all(jobs, on_done=lambda part: step(part.source_file))
        finally:
            writer.close()
    if progress:
        progress("done", total, total)

    for table, parts in police_parts.items():
        entries = []
        for p in parts:
            entries.append(p.manifest({"path": p.path, "sha256": p.sha256, "bytes": p.bytes, "rows": p.rows}))
            inputs[p.input]["rows"] = p.rows
            inputs[p.input]["rows_dropped"] = 0
            report.warnings += [f"{p.input}: {w}" for w in p.warnings]
        tables[table] = {"folder": f"tables/{table}", "parts": entries, "rows": sum(p.rows for p in parts),
                         "sha256": combined_sha256(e["sha256"] for e in entries)}
        report.rows[table] = tables[table]["rows"]

    coverage: list[dict] = []
    if "street" in police_parts:
        parts = police_parts["street"]
        if geo is not None:
            report.unplaced = police.unplaced_table(parts)
            tables["unplaced"] = builder.write_table("unplaced", report.unplaced)
        with connect(threads=max(1, workers), memory_limit="512MB", temp_directory=spill) as con:
            dups = police.duplicate_ids(con, [builder.folder / p.path for p in parts])
        report.duplicate_ids = int(dups["crime_id"].nunique()) if len(dups) else 0
        tables["duplicate_crime_ids"] = builder.write_table("duplicate_crime_ids", dups)
        triples = pd.DataFrame([c for p in parts for c in p.coverage], columns=["falls_within", "financial_year", "month"])
        report.coverage = month_coverage(triples)
        tables["coverage"] = builder.write_table("coverage", report.coverage)
        coverage = report.coverage.to_dict(orient="records")
        for name in ("unplaced", "duplicate_crime_ids", "coverage"):
            if name in tables:
                report.rows[name] = tables[name]["rows"]

    # --- partner files -----------------------------------------------------------------------
    check_narrative_folders({f.path.parent for f in files if f.kind == "partner"})
    partner: dict[str, dict] = {}
    for f in (f for f in files if f.kind == "partner" and rel[f.path] in names):
        r, name = rel[f.path], names[rel[f.path]]
        table = partner_table_name(r)
        key = _key("partner", name, inputs[r]["sha256"])
        before_p = old.get("partner", {}).get(r, {})
        before = old.get("tables", {}).get(table, {})
        step(f.path.name)
        kept = _reusable(reuse, before.get("path"), before.get("sha256")) if before_p.get("key") == key else None
        if kept is not None:
            builder.reuse(kept, before["path"])
            tables[table] = before
            report.files_reused += 1
        else:
            tables[table] = builder.write_table(table, PARTNER_READERS[name](f.path), pandas_dtypes=True)
            report.files_read += 1
        partner[r] = {"name": name, "sha256": inputs[r]["sha256"], "table": table, "key": key}
        inputs[r]["rows"] = tables[table]["rows"]
        report.rows[table] = tables[table]["rows"]

    return {
        "inputs": inputs,
        "tables": tables,
        "sources": sources,
        "partner": partner,
        "unplaced_rows": report.unplaced_rows,
        "dropped_rows": report.dropped,
        "duplicate_crime_ids": report.duplicate_ids,
        "coverage": coverage,
    }
