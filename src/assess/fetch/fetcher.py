"""Fetch everything one CSP's assessment needs into the raw data folder, and record what arrived.

:func:`fetch` downloads, for a CSP and a set of months / financial years:

- police.uk street-level crime, outcomes and stop-and-search CSVs for the CSP's force, extracted
  from the monthly archive zip (or a custom-download zip) as published:
  ``<raw>/police_uk/YYYY-MM/YYYY-MM-<force>-street.csv``;
- the ONS lookups (LSOA -> ward, LAD -> CSP -> PFA, LAD -> region) into ``<raw>/ons/``;
- population estimates into ``<raw>/population/`` (IoD2019 File 6; the ONS mid-year estimate
  workbooks of the mid-years asked for);
- the Home Office recorded crime tables into ``<raw>/home_office/``;
- the rough sleeping snapshot tables of the autumns asked for into ``<raw>/rough_sleeping/``;
- the Fingertips indicators listed in sources.yaml (each feeding a chapter's metric) into
  ``<raw>/fingertips/``, through the Fingertips API; before each download the indicator's id
  is looked up in the API's metadata and its name compared with the one recorded, and its value
  type and unit with the kind the chapters describe, compare and test it by
  (:data:`assess.measure.indicators.INDICATOR_KINDS`): an indicator renumbered, renamed or of
  another kind is reported (missing, with what to check) and not downloaded;

each under its published name, from the addresses of ``src/assess/sources.yaml``. Every file is
recorded in ``<raw>/downloads.json`` (url, sha256, bytes, time; written atomically after each
file) so that the ingest manifest can cite it. A file already present whose SHA-256 matches its
record is not downloaded again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from assess import __version__
from assess.atomic import atomic_path, write_text
from assess.config import CSPConfig
from assess.errors import InputError
from assess.fetch.addresses import Indicator, Source, Sources
from assess.fetch.download import download, sha256_of
from assess.fetch.errors import SOURCES_FILE, FetchError, NoNetworkError, SourcesError
from assess.periods import months_of_financial_year, parse_financial_year, parse_month
from assess.safe_paths import inside

#: The record of every fetched file, in the raw data folder.
DOWNLOADS_JSON = "downloads.json"
#: police.uk file kinds inside an archive, as in ``YYYY-MM-<force>-<kind>.csv``.
POLICE_UK_KINDS = ("street", "outcomes", "stop-and-search")
#: An archive named YYYY-MM holds the 36 months up to and including YYYY-MM (data.police.uk).
ARCHIVE_SPAN_MONTHS = 36
#: The groups of sources fetch can download (``include=``, ``assess fetch --only``).
FETCH_GROUPS = ("police_uk", "lookup", "population", "recorded_crime", "rough_sleeping", "fingertips")


@dataclass(frozen=True)
class FileRecord:
    """One file in the raw data folder and where it came from (an entry of downloads.json)."""

    path: str  # relative to the raw data folder, with forward slashes
    source: str  # its key in sources.yaml
    url: str
    sha256: str
    bytes: int
    downloaded_at: str  # ISO 8601, UTC
    member: str | None = None  # the archive member it was extracted from, if any


@dataclass(frozen=True)
class Problem:
    """A file fetch could not provide: which source, which file, and why / what to do."""

    source: str
    what: str
    reason: str


@dataclass
class FetchReport:
    """What one :func:`fetch` did: files downloaded, files already current, missing, failed."""

    raw_dir: Path
    manifest: Path
    downloaded: list[FileRecord] = field(default_factory=list)
    skipped: list[FileRecord] = field(default_factory=list)
    missing: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing failed (missing files are reported, not failures)."""
        return not self.failed

    def summary(self) -> str:
        """Plain-text lines for the command line."""
        lines = [
            f"{len(self.downloaded)} file(s) downloaded, {len(self.skipped)} already present and unchanged; "
            f"record: {self.manifest}"
        ]
        lines += [f"  downloaded {r.path} ({r.bytes:,} bytes)" for r in self.downloaded]
        lines += [f"  missing {p.what} [{p.source}]: {p.reason}" for p in self.missing]
        lines += [f"  FAILED {p.what} [{p.source}]: {p.reason}" for p in self.failed]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# downloads.json


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _load_ledger(raw_dir: Path) -> tuple[dict[str, FileRecord], dict[str, dict[str, str]]]:
    path = raw_dir / DOWNLOADS_JSON
    if not path.exists():
        return {}, {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = {rel: FileRecord(path=rel, **{k: v for k, v in rec.items() if k != "path"}) for rel, rec in data["files"].items()}
        absent = {rel: dict(v) for rel, v in data.get("absent", {}).items()}
        return files, absent
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FetchError(
            f"{path}: not a valid download record ({exc}); delete it and rerun `assess fetch` (files are re-checked)"
        ) from None


def load_downloads(raw_dir: str | Path) -> dict[str, FileRecord]:
    """The records of ``<raw_dir>/downloads.json`` by path relative to ``raw_dir`` ({} if none).

    Each record gives the file's source key in sources.yaml, url, sha256, bytes, download time and,
    for files extracted from a zip archive, the archive member.
    """
    return _load_ledger(Path(raw_dir))[0]


def save_downloads(
    raw_dir: str | Path, records: dict[str, FileRecord], absent: dict[str, dict[str, str]] | None = None
) -> Path:
    """Write ``<raw_dir>/downloads.json`` atomically (keys sorted, so the file is stable).

    ``{"created_by": ..., "files": {<relative path>: {source, url, sha256, bytes, downloaded_at[, member]}},
    "absent": {<relative path>: {url, member, checked_at}}}``: "absent" lists archive members the
    publisher did not provide, so that a rerun does not download the archive again to look for them.
    """
    files = {rel: {k: v for k, v in asdict(rec).items() if k != "path" and v is not None} for rel, rec in sorted(records.items())}
    doc: dict[str, object] = {"created_by": f"assess {__version__}", "files": files}
    if absent:
        doc["absent"] = dict(sorted(absent.items()))
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    return write_text(Path(raw_dir) / DOWNLOADS_JSON, text)


def saved_at(raw_dir: Path, rel: str, key: str) -> Path:
    """Where a fetched file is saved: ``raw_dir / rel``, which must stay inside ``raw_dir`` once
    symbolic links are followed (UnsafePathError naming the sources entry otherwise): the names
    in a sources file cannot write anywhere else on the machine."""
    return inside(raw_dir, rel, field=f"{SOURCES_FILE} entry '{key}' (its folder and file name)")


def _current(raw_dir: Path, rel: str, ledger: dict[str, FileRecord], pinned: str | None = None) -> FileRecord | None:
    """The record of ``rel`` if the file is present and its bytes still have the recorded SHA-256."""
    rec = ledger.get(rel)
    if rec is None:
        return None
    path = saved_at(raw_dir, rel, rec.source)
    if rec is None or not path.is_file():
        return None
    if pinned is not None and rec.sha256 != pinned:
        return None
    return rec if sha256_of(path) == rec.sha256 else None


# --------------------------------------------------------------------------------------------
# periods


def resolve_months(months: Iterable[str] | None, years: Iterable[str] | None) -> list[str]:
    """The sorted ``YYYY-MM`` months asked for: ``months`` plus the twelve of each financial year."""
    out: set[str] = set()
    for m in months or ():
        d = parse_month(m)
        out.add(f"{d.year}-{d.month:02d}")
    for y in years or ():
        out.update(months_of_financial_year(y))
    return sorted(out)


def _month_index(month: str) -> int:
    d = parse_month(month)
    return d.year * 12 + d.month - 1


def archive_groups(months: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Which monthly archive serves which months: ``[(archive_month, [months...]), ...]``.

    An archive named M holds the 36 months up to and including M, so the latest month asked for
    names the first archive, which serves every month in its window; earlier months left over start
    another. ``archive_groups(["2017-04", "2017-05"]) == [("2017-05", ["2017-04", "2017-05"])]``.
    """
    remaining = sorted(set(months), key=_month_index, reverse=True)
    groups: list[tuple[str, list[str]]] = []
    while remaining:
        latest = remaining[0]
        window = [m for m in remaining if _month_index(latest) - _month_index(m) < ARCHIVE_SPAN_MONTHS]
        groups.append((latest, sorted(window, key=_month_index)))
        remaining = [m for m in remaining if m not in window]
    return groups


def population_years(months: Sequence[str], years: Iterable[str] | None) -> list[str]:
    """Mid-years of the population estimates wanted: the start year of each financial year."""
    fys = set(years or ())
    for m in months:
        d = parse_month(m)
        fys.add(f"{d.year - (d.month < 4)}/{(d.year - (d.month < 4) + 1) % 100:02d}")
    return sorted({str(parse_financial_year(y)) for y in fys})


# --------------------------------------------------------------------------------------------
# extraction


def _extract_member(zf: zipfile.ZipFile, member: str, dest: Path) -> tuple[str, int]:
    """Copy one archive member to ``dest`` atomically; return its (sha256, bytes)."""
    h = hashlib.sha256()
    size = 0
    with atomic_path(dest) as tmp, zf.open(member) as src, open(tmp, "wb") as out:
        for block in iter(lambda: src.read(1 << 20), b""):
            h.update(block)
            out.write(block)
            size += len(block)
    return h.hexdigest(), size


# --------------------------------------------------------------------------------------------
# fetch


@dataclass
class _Run:
    """The state of one fetch: where, what is recorded, and the report being built."""

    raw_dir: Path
    ledger: dict[str, FileRecord]
    absent: dict[str, dict[str, str]]
    report: FetchReport
    timeout: float
    retries: int
    backoff: float
    progress: bool
    force: bool

    def record(self, rec: FileRecord) -> None:
        self.ledger[rec.path] = rec
        self.report.downloaded.append(rec)
        self.absent.pop(rec.path, None)
        self.save()

    def save(self) -> None:
        save_downloads(self.raw_dir, self.ledger, self.absent)

    def current(self, rel: str, pinned: str | None = None) -> FileRecord | None:
        return None if self.force else _current(self.raw_dir, rel, self.ledger, pinned)

    def get(self, src: Source, url: str, rel: str, sha: str | None) -> FileRecord:
        """Download ``url`` to ``rel`` (verifying ``sha`` if pinned) and record it."""
        res = download(
            url,
            saved_at(self.raw_dir, rel, src.key),
            expected_sha256=sha,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
            progress=self.progress,
            source_key=src.key,
            page=src.page,
        )
        rec = FileRecord(path=rel, source=src.key, url=url, sha256=res.sha256, bytes=res.bytes, downloaded_at=_now())
        self.record(rec)
        return rec


def _rel(*parts: str) -> str:
    return str(PurePosixPath(*parts))


def _fetch_file(run: _Run, src: Source, year: str | None = None) -> None:
    """Fetch one plain (non-archive) source, or note why it cannot be."""
    try:
        url, filename, sha = src.address(year=year)
    except SourcesError as exc:
        run.report.missing.append(Problem(src.key, f"{src.edition_label(year)} edition" if year else src.key, str(exc)))
        return
    rel = _rel(src.folder, filename)
    if url is None:
        run.report.missing.append(
            Problem(src.key, rel, f"no address recorded in {SOURCES_FILE} key '{src.key}'; paste the link from {src.page}")
        )
        return
    rec = run.current(rel, pinned=sha)
    if rec is not None:
        run.report.skipped.append(rec)
        return
    run.get(src, url, rel, sha)


def _absent_reason(url: str, member: str, checked_at: str) -> str:
    return (
        f"{url} has no member '{member}' (checked {checked_at}): the force published no such file for that "
        f"month; rerun with --force to look again"
    )


def _fetch_police_uk(
    run: _Run, src: Source, archive_month: str | None, months: list[str], force_slug: str, kinds: Sequence[str], keep: bool, link: str | None
) -> None:
    """Fetch the force's members for ``months`` from one archive (or custom-download) zip."""
    values = {"force": force_slug, **({"month": archive_month} if archive_month else {}), **({"link": link} if link else {})}
    url, filename, sha = src.address(**values)
    if url is None:
        run.report.missing.append(Problem(src.key, filename, f"no address recorded in {SOURCES_FILE} key '{src.key}'"))
        return
    wanted: list[tuple[str, str]] = []  # (member, rel)
    for month in months:
        for kind in kinds:
            member = src.member_name(month=month, force=force_slug, kind=kind)
            wanted.append((member, _rel(src.folder, member)))
    todo = []
    for member, rel in wanted:
        rec = run.current(rel)
        known_absent = run.absent.get(rel)
        if rec is not None:
            run.report.skipped.append(rec)
        elif known_absent and known_absent.get("url") == url and not run.force:
            run.report.missing.append(Problem(src.key, rel, _absent_reason(url, member, known_absent["checked_at"])))
        else:
            todo.append((member, rel))
    if not todo:
        return
    zip_rel = _rel(src.folder, filename)
    have_zip = run.current(zip_rel, pinned=sha)
    if have_zip is None:
        have_zip = run.get(src, url, zip_rel, sha)
    zip_path = saved_at(run.raw_dir, zip_rel, src.key)
    try:
        with zipfile.ZipFile(zip_path) as zf:
            names = set(zf.namelist())
            for member, rel in todo:
                if member not in names:
                    checked = _now()
                    run.absent[rel] = {"url": url, "member": member, "checked_at": checked}
                    run.save()
                    run.report.missing.append(Problem(src.key, rel, _absent_reason(url, member, checked)))
                    continue
                digest, size = _extract_member(zf, member, saved_at(run.raw_dir, rel, src.key))
                run.record(FileRecord(rel, src.key, url, digest, size, _now(), member=member))
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        run.ledger.pop(zip_rel, None)
        run.save()
        zip_path.unlink(missing_ok=True)
        raise FetchError(f"{zip_path} (from {url}): not a readable zip archive ({exc}); it was deleted: rerun `assess fetch`") from None
    if not keep:
        zip_path.unlink(missing_ok=True)
        run.ledger.pop(zip_rel, None)
        run.save()


# --------------------------------------------------------------------------------------------
# Fingertips


def indicator_name_key(name: str) -> str:
    """A Fingertips indicator name as compared at fetch time: case, punctuation and spacing aside,
    and without a profile's numbering ("B04 - ", "1.04 - ")."""
    name = re.sub(r"^\s*(?:[A-Z]\d{2}[a-z]?|\d+\.\d+[a-z]*)\s+-\s+", "", name)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", name.lower()).split())


def _metadata_row(text: str, indicator_id: int) -> dict[str, str] | None:
    """The row the Fingertips metadata CSV gives ``indicator_id``, by lower-cased column name, its
    name (``"indicator"``) spaced once; None if it lists no such id."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    id_col, name_col = fields.get("indicator id"), fields.get("indicator") or fields.get("indicator name")
    if id_col is None or name_col is None:
        raise FetchError(
            f"the Fingertips indicator metadata has no 'Indicator ID' and 'Indicator' columns (found: "
            f"{', '.join(reader.fieldnames or []) or 'nothing'}); the API may have changed: check {SOURCES_FILE}"
        )
    for row in reader:
        if (row.get(id_col) or "").strip() == str(indicator_id):
            found = {(key or "").strip().lower(): " ".join((value or "").split()) for key, value in row.items()
                     if isinstance(value, str)}
            found["indicator"] = " ".join((row.get(name_col) or "").split())
            return found
    return None


def _kind_problem(indicator: Indicator, meta: dict[str, str]) -> str | None:
    """How the metadata contradicts the kind the chapters give the indicator's metric
    (:data:`assess.measure.indicators.INDICATOR_KINDS`): value type and unit. None when they
    agree, or when no chapter uses the metric (nothing is described by a kind)."""
    from assess.measure.indicators import INDICATOR_KINDS

    kind = INDICATOR_KINDS.get(indicator.metric)
    if kind is None:
        return None
    value_type, unit = meta.get("value type"), meta.get("unit")
    if not value_type or not unit:
        return ("the Fingertips metadata gives no 'Value type' and 'Unit' to confirm it is a "
                f"{kind.method} {kind.unit}, as the chapters describe it")
    disagreement = kind.disagreement(value_type, unit)
    if disagreement is None:
        return None
    return (f"the Fingertips metadata contradicts the kind the chapters give metric '{indicator.metric}' "
            f"(a {kind.method} {kind.unit}, INDICATOR_KINDS in assess/measure/indicators.py): {disagreement}")


def _fetch_fingertips(run: _Run, src: Source, indicator: Indicator) -> None:
    """Download one Fingertips indicator after checking its id and name against the API's metadata."""
    url, meta_url, filename = src.fingertips_address(indicator)
    rel = _rel(src.folder, filename)
    if url is None or meta_url is None:
        run.report.missing.append(Problem(src.key, rel, (
            f"no {'url' if url is None else 'metadata_url'} recorded in {SOURCES_FILE} key '{src.key}'; "
            f"the Fingertips API addresses are on {src.page or 'the Fingertips site'}")))
        return
    rec = run.current(rel)
    if rec is not None:
        run.report.skipped.append(rec)
        return
    what = f"indicator {indicator.id} ({indicator.name})"
    with tempfile.TemporaryDirectory(prefix="assess-fingertips-") as tmp:
        meta = Path(tmp) / "metadata.csv"
        download(meta_url, meta, timeout=run.timeout, retries=run.retries, backoff=run.backoff, progress=False,
                 source_key=src.key, page=src.page)
        meta_row = _metadata_row(meta.read_bytes().decode("utf-8", errors="replace"), indicator.id)
    found = None if meta_row is None else meta_row["indicator"]
    check = f"check it on {src.page or 'the Fingertips site'} (search for the indicator) and update {SOURCES_FILE} key '{src.key}'"
    if found is None:
        run.report.missing.append(Problem(src.key, rel, (
            f"{what}: the Fingertips API lists no indicator {indicator.id} (renumbered or withdrawn?); not downloaded; {check}")))
        return
    if indicator_name_key(found) != indicator_name_key(indicator.name):
        run.report.missing.append(Problem(src.key, rel, (
            f"{what}: the Fingertips API names indicator {indicator.id} '{found}', not '{indicator.name}' "
            f"(renumbered or renamed?); not downloaded; {check}")))
        return
    kind_problem = _kind_problem(indicator, meta_row)  # type: ignore[arg-type]
    if kind_problem is not None:
        run.report.missing.append(Problem(src.key, rel, (
            f"{what}: {kind_problem}; not downloaded; {check}, or correct INDICATOR_KINDS")))
        return
    run.get(src, url, rel, None)
    _check_fingertips_file(run, src, rel, indicator, url)


def _check_fingertips_file(run: _Run, src: Source, rel: str, indicator: Indicator, url: str) -> None:
    """The downloaded file must be a Fingertips export of that one indicator; otherwise it is removed."""
    from assess.sources.fingertips import read_fingertips

    path = run.raw_dir / rel
    try:
        ids = set(read_fingertips(path)["indicator_id"].unique())
        problem = None if ids == {indicator.id} else f"it holds indicator(s) {sorted(ids)}, not {indicator.id}"
    except InputError as exc:
        problem = f"it is not a Fingertips export ({exc.problem})"
    if problem is not None:
        path.unlink(missing_ok=True)
        run.ledger.pop(rel, None)
        run.report.downloaded = [r for r in run.report.downloaded if r.path != rel]
        run.save()
        raise FetchError(f"{url}: the download for indicator {indicator.id} was removed: {problem}; "
                         f"check {SOURCES_FILE} key '{src.key}'")


def fetch(
    csp: CSPConfig | None,
    months: list[str] | None,
    years: list[str] | None,
    raw_dir: str | Path,
    sources: Sources,
    *,
    kinds: Sequence[str] = POLICE_UK_KINDS,
    include: Sequence[str] = FETCH_GROUPS,
    police_uk_link: str | None = None,
    keep_archives: bool = False,
    force: bool = False,
    timeout: float = 30,
    retries: int = 3,
    backoff: float = 0.5,
    progress: bool = True,
    raise_on_error: bool = True,
) -> FetchReport:
    """Download a CSP's published inputs into ``raw_dir`` and record them in ``downloads.json``.

    ``months`` (``YYYY-MM``) and ``years`` (financial years, ``2017/18``) choose the police.uk
    months (their union) and the population editions (mid-year = the start year of each financial
    year). ``kinds`` picks the police.uk files (street, outcomes, stop-and-search); ``include``
    picks the groups fetched. ``police_uk_link`` takes the force's files from a custom-download zip
    (the link data.police.uk gives) instead of the monthly archives. ``force`` re-downloads files
    already present; otherwise a file whose SHA-256 still matches its record is skipped.

    Files a publisher does not provide (a month the force did not publish, a source with no address
    yet) are listed in ``report.missing``. A failed download is listed in ``report.failed`` and the
    others go on; at the end a FetchError summarising the failures is raised if ``raise_on_error``.
    An unreachable host (NoNetworkError) stops at once. ``downloads.json`` is kept up to date
    after every file, so an interrupted fetch resumes where it stopped.
    """
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    unknown_groups = [g for g in include if g not in FETCH_GROUPS]
    if unknown_groups:
        raise FetchError(f"unknown group(s) {unknown_groups}; choose from {list(FETCH_GROUPS)}")
    bad_kinds = [k for k in kinds if k not in POLICE_UK_KINDS]
    if bad_kinds:
        raise FetchError(f"unknown police.uk file kind(s) {bad_kinds}; choose from {list(POLICE_UK_KINDS)}")
    all_months = resolve_months(months, years)
    report = FetchReport(raw_dir=raw_dir, manifest=raw_dir / DOWNLOADS_JSON)
    ledger, absent = _load_ledger(raw_dir)
    run = _Run(raw_dir, ledger, absent, report, timeout, retries, backoff, progress, force)
    if csp is None and ("police_uk" in include or "recorded_crime" in include):
        raise FetchError(
            "police.uk and Home Office files are fetched for a CSP's force: give the CSP "
            "(only the ONS lookups and population can be fetched without one)"
        )
    force_slug = csp.police_force.police_uk if csp is not None else ""
    if csp is not None and "police_uk" in include:
        from assess.config import police_uk_force_problem

        problem = police_uk_force_problem(force_slug)
        if problem is not None:  # nothing could be downloaded for it: say so before trying
            raise FetchError(f"{csp.source or 'the configuration'}: field 'police_force.police_uk': {problem}")

    def attempt(key: str, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except NoNetworkError:
            run.save()
            raise
        except FetchError as exc:
            report.failed.append(Problem(key, what, str(exc)))

    if "police_uk" in include and all_months:
        if police_uk_link:
            src = sources["police_uk_custom"]
            attempt(src.key, "custom download", lambda: _fetch_police_uk(run, src, None, all_months, force_slug, kinds, keep_archives, police_uk_link))
        else:
            src = sources["police_uk_archive"]
            for archive_month, group in archive_groups(all_months):
                attempt(
                    src.key,
                    f"archive {archive_month}",
                    lambda a=archive_month, g=group: _fetch_police_uk(run, src, a, g, force_slug, kinds, keep_archives, None),
                )
    if "lookup" in include:
        for src in sources.by_role("lookup"):
            attempt(src.key, src.key, lambda s=src: _fetch_file(run, s))
    if "population" in include:
        for src in sources.by_role("population"):
            if src.editions:
                for year in population_years(all_months, years):
                    attempt(src.key, f"mid-{year}", lambda s=src, y=year: _fetch_file(run, s, y))
            else:
                attempt(src.key, src.key, lambda s=src: _fetch_file(run, s))
    if "recorded_crime" in include:
        for src in sources.by_role("recorded_crime"):
            attempt(src.key, src.key, lambda s=src: _fetch_file(run, s))
    if "rough_sleeping" in include:
        for src in sources.by_role("rough_sleeping"):
            if src.editions:
                for year in population_years(all_months, years):
                    attempt(src.key, f"autumn {year}", lambda s=src, y=year: _fetch_file(run, s, y))
            else:
                attempt(src.key, src.key, lambda s=src: _fetch_file(run, s))
    if "fingertips" in include:
        for src in sources.by_role("fingertips"):
            for indicator in src.indicators:
                attempt(src.key, f"indicator {indicator.id}", lambda s=src, i=indicator: _fetch_fingertips(run, s, i))

    run.save()
    if report.failed and raise_on_error:
        first = report.failed[0]
        more = f" (and {len(report.failed) - 1} more: see the report)" if len(report.failed) > 1 else ""
        err = FetchError(f"{len(report.failed)} download(s) failed; first, {first.what} [{first.source}]: {first.reason}{more}")
        err.report = report  # type: ignore[attr-defined]
        raise err
    return report
