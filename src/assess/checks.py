"""Checks made before a run, so that a configuration or a year the data cannot support is said
plainly instead of surfacing as an empty chapter.

- :func:`csp_directory`: every CSP of the ONS lookup (code, name, local authorities, force), to
  look names up instead of guessing their spelling (``assess csp list``).
- :func:`check_most_similar_group`: each name of a configuration's ``most_similar_group`` is
  looked up in the ONS lookup and in the Home Office CSP-level tables (matched as the comparators
  match them, :func:`assess.measure.comparators.name_key`); a near miss gets a suggestion.
- :func:`comparison_problems`: whether the Home Office tables can give the comparisons a
  configuration asks for (CSP-level rows, the year, a national figure).
- :func:`year_coverage`: which months and years the store holds, and :func:`require_year` the
  error for a year it does not.

Pure functions of the processed tables (``lad_csp``, ``recorded_crime``, ``coverage``); the
command line only prints what they return.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assess.config import CSPConfig
from assess.errors import AssessError
from assess.measure.comparators import csp_tables_hint, name_key


class NoDataForYear(AssessError):
    """A financial year for which the processed store holds no data."""


# -- the CSPs of the lookup -------------------------------------------------------------------------
def lad_csp_lookup(raw_dir: Path, processed_dir: Path) -> pd.DataFrame:
    """The ONS local authority -> CSP -> police force area lookup: the processed store's
    ``lad_csp`` table, else the lookup file in ``raw_dir`` as downloaded. AssessError, saying how to
    get it, when neither holds it."""
    from assess.sources import discover as disc
    from assess.store import Store

    store = Store(processed_dir)
    if store.has("lad_csp"):
        return store.read("lad_csp")
    found = [f for f in disc.discover(raw_dir) if f.kind == "lad_csp_lookup"] if Path(raw_dir).is_dir() else []
    if not found:
        raise AssessError(
            f"no local authority -> CSP lookup in {processed_dir} or {raw_dir}: "
            "run `assess fetch --only lookup` (or put the ONS lookup CSV in data/raw/)"
        )
    return disc.read(found[0])


def csp_directory(lad_csp: pd.DataFrame, search: str | None = None) -> pd.DataFrame:
    """One row per CSP of the ONS LAD -> CSP -> PFA lookup: csp_code, csp_name, local_authorities
    (names joined by "; "), police_force; sorted by name. ``search`` keeps the CSPs whose code,
    name, local authority or force contains it (case, punctuation and "&"/"and" ignored)."""
    cols = ["csp_code", "csp_name", "local_authorities", "police_force"]
    if lad_csp.empty:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})
    rows = []
    for (code, name), part in lad_csp.groupby(["csp_code", "csp_name"], observed=True, sort=False):
        forces = sorted(set(part["pfa_name"].dropna().astype(str))) if "pfa_name" in part else []
        rows.append({
            "csp_code": str(code),
            "csp_name": str(name),
            "local_authorities": "; ".join(sorted(set(part["lad_name"].dropna().astype(str)))),
            "police_force": "; ".join(forces),
        })
    table = pd.DataFrame(rows, columns=cols).astype("string")
    if search:
        want = name_key(search)
        hay = table.apply(lambda r: " | ".join(name_key(str(v)) for v in r), axis=1)
        table = table[hay.str.contains(want, regex=False) | table["csp_code"].str.upper().eq(search.strip().upper())]
    return table.sort_values(["csp_name", "csp_code"], ignore_index=True)


# -- the most similar group -------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupNameProblem:
    """A ``most_similar_group`` name not found in one of the publishers' lists."""

    name: str
    where: str  # "the ONS lookup" or "the Home Office CSP tables"
    suggestion: str | None

    def sentence(self) -> str:
        text = f"most_similar_group: '{self.name}' is not a CSP name in {self.where}"
        return text + (f"; did you mean '{self.suggestion}'?" if self.suggestion else "")


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to ``name`` (difflib, on names reduced by ``name_key``), or None."""
    by_key: dict[str, str] = {}
    for c in candidates:
        by_key.setdefault(name_key(c), str(c))
    near = difflib.get_close_matches(name_key(name), list(by_key), n=1, cutoff=0.6)
    return by_key[near[0]] if near else None


def check_most_similar_group(
    group: Sequence[str], lad_csp: pd.DataFrame, recorded_crime: pd.DataFrame
) -> list[GroupNameProblem]:
    """Each name of ``group`` not found in the ONS lookup's CSP names or in the Home Office
    CSP-level tables (when the store holds them), with the nearest name as a suggestion."""
    lists: list[tuple[str, list[str]]] = []
    if not lad_csp.empty:
        lists.append(("the ONS lookup", lad_csp["csp_name"].dropna().astype(str).unique().tolist()))
    if "csp_name" in recorded_crime.columns and recorded_crime["csp_name"].notna().any():
        lists.append(("the Home Office CSP tables", recorded_crime["csp_name"].dropna().astype(str).unique().tolist()))
    problems = []
    for where, names in lists:
        keys = {name_key(n) for n in names}
        for name in group:
            if name_key(name) not in keys:
                problems.append(GroupNameProblem(name, where, suggest(name, names)))
    return problems


def comparison_problems(cfg: CSPConfig, recorded_crime: pd.DataFrame, year: str | None = None) -> list[str]:
    """Why the Home Office tables cannot give ``cfg``'s comparisons with its most similar group and
    the national figure (``cfg.national_name``), in sentences; empty when they can. With ``year``,
    the CSP-level tables must also cover that year."""
    wanted = f"the comparison with {cfg.national_name}" + (" and the most similar group" if cfg.most_similar_group else "")
    if recorded_crime.empty:
        return [f"{cfg.name}: {wanted} cannot be made: no Home Office recorded crime tables are in the data (supply {csp_tables_hint()})"]
    has_csp = "csp_name" in recorded_crime.columns and recorded_crime["csp_name"].notna().any()
    if not has_csp:
        return [
            f"{cfg.name}: {wanted} cannot be made: the Home Office tables in the data are at police force area "
            f"level only, with no CSP rows and so no national figure (supply {csp_tables_hint()})"
        ]
    problems = []
    csp_rows = recorded_crime[recorded_crime["csp_name"].notna()]
    if name_key(cfg.name) not in {name_key(n) for n in csp_rows["csp_name"].astype(str).unique()}:  # names, not rows
        problems.append(f"{cfg.name}: not a CSP name in the Home Office CSP tables, so it cannot be compared with others")
    if year is not None:
        years = sorted(set(csp_rows["financial_year"].dropna().astype(str).unique()))
        if year not in years:
            problems.append(
                f"{cfg.name}: {wanted} cannot be made for {year}: the Home Office CSP tables cover "
                + (f"{years[0]} to {years[-1]}" if years else "no year")
            )
    return problems


# -- the year ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class YearCoverage:
    """What the store holds by time: police.uk months and Home Office financial years."""

    street_months: tuple[str, ...]
    recorded_crime_years: tuple[str, ...]

    @property
    def street_years(self) -> tuple[str, ...]:
        from assess.periods import financial_year_of

        return tuple(sorted({financial_year_of(int(m[:4]), int(m[5:7])) for m in self.street_months}))

    def holds(self, year: str) -> bool:
        return year in self.street_years or year in self.recorded_crime_years

    def describe(self) -> str:
        """``police.uk months 2021-04 to 2025-03 (2021/22 to 2024/25); Home Office years 2021/22 to 2024/25``."""
        parts = []
        if self.street_months:
            months = self.street_months
            span = f"{months[0]} to {months[-1]}" if len(months) > 1 else months[0]
            gaps = _missing_months(months)
            parts.append(f"police.uk months {span}" + (f" (missing {', '.join(gaps[:6])}{' ...' if len(gaps) > 6 else ''})" if gaps else ""))
        if self.recorded_crime_years:
            ys = self.recorded_crime_years
            parts.append("Home Office years " + (f"{ys[0]} to {ys[-1]}" if len(ys) > 1 else ys[0]))
        return "; ".join(parts) if parts else "no police.uk months and no Home Office years"


def _missing_months(months: Sequence[str]) -> list[str]:
    first, last = pd.Period(months[0], "M"), pd.Period(months[-1], "M")
    have = set(months)
    return [str(p) for p in pd.period_range(first, last, freq="M") if str(p) not in have]


def year_coverage(coverage: pd.DataFrame | None, recorded_crime: pd.DataFrame | None) -> YearCoverage:
    """The months of the ``coverage`` table (``months_present``, ``;``-separated) and the years of
    ``recorded_crime``; either may be None (not in the store)."""
    months: set[str] = set()
    if coverage is not None and "months_present" in coverage.columns:
        for text in coverage["months_present"].dropna().astype(str):
            months.update(m for m in text.split(";") if m)
    years: set[str] = set()
    if recorded_crime is not None and "financial_year" in recorded_crime.columns:
        years.update(recorded_crime["financial_year"].dropna().astype(str))
    return YearCoverage(tuple(sorted(months)), tuple(sorted(years)))


def require_year(year: str, held: YearCoverage, store_dir: object) -> None:
    """Raise :class:`NoDataForYear`, saying what the store holds, when it holds nothing for ``year``."""
    if not held.holds(year):
        raise NoDataForYear(
            f"--year {year}: no data for {year} in {store_dir}; it holds {held.describe()}. "
            "Fetch and ingest that year (`assess fetch --year ...`, `assess ingest`) or choose a year it holds"
        )
