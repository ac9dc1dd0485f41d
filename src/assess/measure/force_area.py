"""Force-area comparators: a police force area's and England's recorded crime rates per 1,000.

Source: Home Office, *Police recorded crime and outcomes open data tables*, police force area level
(``prc-pfa-*``; the rows of the processed ``recorded_crime`` table with no ``csp_name``), Open
Government Licence v3.0. Denominators: ONS mid-year population estimates by local authority
(processed ``population``, geography ``lad``), summed over the force's local authorities through the
ONS LAD -> CSP -> police force area lookup (``lad_csp``), and the country estimate (England
E92000001, Wales W92000004) for the national rate. A financial year YYYY/YY uses the mid-YYYY
estimate; where it is absent, the nearest earlier one (else the earliest): :func:`population_used`
says which, so every rate can name its estimate.

Used by chapter 1 when the Home Office tables supplied are at force level only (no CSP rows): the
CSP cannot be set among other CSPs, but its force can be set against England, beside the CSP's own
police.uk rate. The Home Office "forces" that are not police force areas (Action Fraud, CIFAS,
UK Finance, Financial Fraud Action UK, British Transport Police) match no area of the lookup and are
left out of every force and the national figure, which :attr:`ForceAreaRates.left_out` names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from assess.measure.comparators import name_key
from assess.measure.metrics import Denominator
from assess.periods import estimate_year
from assess.stats import Rate, rate_per

SOURCE = (
    "Home Office, Police recorded crime open data tables (police force area level); "
    "ONS mid-year population estimates"
)

#: ONS codes of the national comparators' countries.
COUNTRY_CODES = {"England": ("E92000001",), "England and Wales": ("E92000001", "W92000004")}
#: Police force area code prefixes of each national comparator.
PFA_PREFIXES = {"England": ("E23",), "England and Wales": ("E23", "W15")}


@dataclass(frozen=True)
class PopulationUsed:
    """The population estimate behind a rate: persons, its mid-year, and the files it came from."""

    value: float
    year: int
    source_files: tuple[str, ...]
    areas: int = 1

    @property
    def label(self) -> str:
        """``ONS mid-2017 population estimate (ukmidyearestimates2017finalversion.xls)``."""
        files = ", ".join(self.source_files)
        return f"ONS mid-{self.year} population estimate" + (f" ({files})" if files else "")

    def denominator(self, unit: str = "residents") -> Denominator:
        """The record of this population as a rate's metric keeps it (value, source and mid-year)."""
        return Denominator(value=self.value, unit=unit, source=self.label, period=f"mid-{self.year}")


def population_used(
    population: pd.DataFrame, codes: Sequence[str], financial_year: str, geography: str = "lad"
) -> PopulationUsed | None:
    """Persons in the areas ``codes`` (all ages) from the estimate :func:`estimate_year` picks among
    the mid-years that hold every one of them; None when no mid-year holds them all."""
    if population.empty or not codes:
        return None
    rows = population[(population["geography"] == geography) & (population["age_band"] == "all")
                      & population["area_code"].isin(list(codes))]
    complete = [int(y) for y, g in rows.groupby("year") if set(g["area_code"]) >= set(codes)]
    year = estimate_year(complete, financial_year)
    if year is None:
        return None
    chosen = rows[rows["year"] == year].drop_duplicates("area_code")
    files = tuple(sorted(set(chosen["source_file"].dropna().astype(str)))) if "source_file" in chosen else ()
    return PopulationUsed(float(chosen["value"].sum()), year, files, len(chosen))


def force_area_rows(recorded_crime: pd.DataFrame) -> pd.DataFrame:
    """The force-area rows of the Home Office table (those with no CSP name)."""
    rc = recorded_crime
    if rc.empty:
        return rc
    if "csp_name" in rc.columns:
        rc = rc[rc["csp_name"].isna()]
    return rc


def has_force_area_only(recorded_crime: pd.DataFrame) -> bool:
    """True when the Home Office rows are all at force level (no CSP rows) and there are some."""
    if recorded_crime.empty:
        return False
    return "csp_name" not in recorded_crime.columns or not bool(recorded_crime["csp_name"].notna().any())


@dataclass(frozen=True)
class AreaRate:
    """One area's Home Office recorded crime in the quarters of a period, and its rate per 1,000."""

    area: str
    code: str
    offences: int
    population: PopulationUsed
    rate: Rate


@dataclass(frozen=True)
class ForceAreaRates:
    """Home Office recorded crime per 1,000 residents of every police force area and the nation.

    ``quarters`` are the financial quarters of ``year`` counted (1 = April-June); ``forces`` every
    force of the national comparator with a population (by name); ``focus`` the CSP's force;
    ``national`` England (or England and Wales). ``left_out`` names the Home Office "forces" that
    are no police force area (or lack a population), ``notes`` anything else a reader should know.
    """

    year: str
    quarters: tuple[int, ...]
    national_name: str
    forces: dict[str, AreaRate]
    focus: AreaRate | None
    national: AreaRate | None
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def whole_year(self) -> bool:
        return self.quarters == (1, 2, 3, 4)

    @property
    def period_label(self) -> str:
        """``2017/18`` for four quarters, else ``2017/18 Q1-Q2`` (the quarters counted)."""
        if self.whole_year:
            return self.year
        q = self.quarters
        return f"{self.year} Q{q[0]}" if len(q) == 1 else f"{self.year} Q{q[0]}-Q{q[-1]}"


def quarters_held(recorded_crime: pd.DataFrame, year: str) -> tuple[int, ...]:
    """The financial quarters of ``year`` the force-area rows hold, in order."""
    rc = force_area_rows(recorded_crime)
    if rc.empty:
        return ()
    q = rc.loc[rc["financial_year"] == year, "quarter"].dropna().astype(int)
    return tuple(sorted(set(q)))


def quarters_of_months(months: Sequence[str], year: str) -> tuple[int, ...]:
    """The financial quarters of ``year`` whose three months are all in ``months`` (YYYY-MM)."""
    from assess.periods import months_of_financial_year

    fy = months_of_financial_year(year)
    have = set(months)
    return tuple(q + 1 for q in range(4) if all(m in have for m in fy[3 * q:3 * q + 3]))


def force_area_rates(
    recorded_crime: pd.DataFrame,
    population: pd.DataFrame,
    lad_csp: pd.DataFrame,
    year: str,
    *,
    force_name: str,
    quarters: Sequence[int] = (1, 2, 3, 4),
    national_name: str = "England",
) -> ForceAreaRates:
    """Rates per 1,000 of every force of the national comparator, the CSP's force and the nation.

    Offences: the force-area rows of ``recorded_crime`` in ``year`` and ``quarters`` (published
    negative adjustments kept: they make the published totals). A Home Office force name is matched
    to its police force area by :func:`assess.measure.comparators.name_key` ("Devon and Cornwall" =
    "Devon & Cornwall"); its residents are the sum of its local authorities' estimates. The national
    rate is the offences of the forces in the comparator (England: E23 areas) over the country
    estimate. Areas without a population estimate are left out and named.
    """
    quarters = tuple(sorted({int(q) for q in quarters}))
    rc = force_area_rows(recorded_crime)
    rc = rc[(rc["financial_year"] == year) & rc["quarter"].isin(list(quarters))]
    offences = rc.groupby("force_name", observed=True)["offences"].sum()
    notes: list[str] = []
    left_out: list[str] = []
    pfa = lad_csp[["lad_code", "pfa_code", "pfa_name"]].dropna().drop_duplicates() if not lad_csp.empty else pd.DataFrame(
        columns=["lad_code", "pfa_code", "pfa_name"])
    by_key = {name_key(n): (str(c), str(n)) for c, n in pfa[["pfa_code", "pfa_name"]].drop_duplicates().itertuples(index=False)}
    prefixes = PFA_PREFIXES.get(national_name, ("E23",))
    forces: dict[str, AreaRate] = {}
    national_offences = 0
    for name, count in offences.items():
        match = by_key.get(name_key(str(name)))
        if match is None:
            left_out.append(f"{name} ({int(count):,} offences: not a police force area)")
            continue
        code, _ = match
        lads = sorted(set(pfa.loc[pfa["pfa_code"] == code, "lad_code"].astype(str)))
        pop = population_used(population, lads, year)
        if not code.startswith(prefixes) and name_key(str(name)) != name_key(force_name):
            continue
        if code.startswith(prefixes):
            national_offences += int(count)
        if pop is None:
            left_out.append(f"{name} (no population estimate for all of its {len(lads)} local authorities)")
            continue
        forces[str(name)] = AreaRate(str(name), code, int(count), pop, rate_per(max(int(count), 0), pop.value, 1000))
    focus = next((r for n, r in forces.items() if name_key(n) == name_key(force_name)), None)
    if focus is None:
        notes.append(f"the Home Office force-area tables hold no {year} rows (or no population) for '{force_name}'")
    countries = COUNTRY_CODES.get(national_name, ("E92000001",))
    nat_pop = population_used(population, countries, year, geography="country")
    national = None
    if nat_pop is not None and national_offences > 0:
        national = AreaRate(national_name, "+".join(countries), national_offences, nat_pop,
                            rate_per(national_offences, nat_pop.value, 1000))
    elif nat_pop is None:
        notes.append(f"no ONS mid-year estimate for {national_name} (country {', '.join(countries)}) is in the data")
    return ForceAreaRates(year, quarters, national_name, forces, focus, national, left_out, notes)
