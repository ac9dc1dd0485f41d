"""Comparators: every CSP's recorded crime rate, England (or England and Wales), and the most-similar group.

Source: Home Office, *Police recorded crime and outcomes open data tables*, Community Safety
Partnership level (``prc-csp-*.csv``; the processed ``recorded_crime`` table with ``csp_name``),
Open Government Licence v3.0. Denominators: resident population by CSP, the sum of the
population estimates of its local authorities through the ONS LAD -> CSP lookup
(``ctx.population_by("csp")``).

Rates are offences per 1,000 residents in a financial year (four quarters), with PHE
confidence limits (:func:`assess.stats.rate_per`). The national comparator is the sum of the
offences over the sum of the populations of every English CSP (ONS codes ``E22...``), or of every
CSP in England and Wales (``E22``/``W22``) when the configuration's ``national_name`` is
"England and Wales"; CSPs without a population estimate are left out of it (and counted in
``notes``).

When the CSP-level tables are absent (the Home Office publishes force-level tables too, and the
real Southampton test data has only those), :func:`csp_rates` returns a result with
``available`` False whose ``missing`` names what to supply: chapters say so plainly instead of
failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assess.measure.context import AssessmentContext
from assess.stats import Rate, rate_per

SOURCE = (
    "Home Office, Police recorded crime open data tables (Community Safety Partnership level); "
    "ONS population estimates"
)

#: The input of notebooks/chapters.yaml that supplies the CSP-level tables.
CSP_TABLES_INPUT = "home_office_csp"


def csp_tables_hint() -> str:
    """What to supply when the CSP-level tables are absent: the declaration of
    :data:`CSP_TABLES_INPUT` in the chapter registry (its files and download page)."""
    from assess.registry import load_registry

    return load_registry(require_notebooks=False).supply_hint(CSP_TABLES_INPUT)


def name_key(name: str) -> str:
    """A CSP name reduced for matching across publishers: case, '&'/'and', punctuation and spacing ignored."""
    s = str(name).lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


@dataclass(frozen=True)
class CSPRates:
    """Recorded offences and rates per 1,000 residents of every CSP in a financial year.

    ``table`` columns: csp_code, csp_name (as the ONS lookup spells it), offences (int64), population (float64), rate, lower,
    upper (offences per 1,000 residents, 95% limits), quarters (int64, quarters of the year
    present), is_focus, in_group (bool). ``national`` is the England (or England and Wales) rate;
    ``group_members`` the names of the most-similar group found in the tables, ``group_missing``
    those named in the configuration but not found. ``missing`` lists the inputs that are absent
    (empty when the comparison is available); ``notes`` anything a reader should know.
    """

    year: str
    offence_group: str | None
    table: pd.DataFrame
    focus_code: str
    focus_name: str
    national_name: str
    national: Rate | None
    group_members: list[str] = field(default_factory=list)
    group_missing: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return not self.missing

    @property
    def focus(self) -> Rate | None:
        """The focus CSP's rate from the Home Office tables (None when not available)."""
        row = self.table[self.table["is_focus"]] if not self.table.empty else self.table
        if row.empty:
            return None
        r = row.iloc[0]
        return rate_per(int(r["offences"]), float(r["population"]), 1000)

    @property
    def group_table(self) -> pd.DataFrame:
        """The focus CSP and its most-similar group, highest rate first."""
        if self.table.empty:
            return self.table
        t = self.table[self.table["in_group"] | self.table["is_focus"]]
        return t.sort_values(["rate", "csp_name"], ascending=[False, True], ignore_index=True)

    @property
    def group_rate(self) -> Rate | None:
        """The pooled rate of the most-similar group, focus CSP included (offences over population)."""
        t = self.group_table
        if t.empty or len(t) < 2:
            return None
        return rate_per(int(t["offences"].sum()), float(t["population"].sum()), 1000)

    @property
    def group_average(self) -> float | None:
        """The unweighted mean of the rates of the group (focus included), per 1,000 residents."""
        t = self.group_table
        if t.empty or len(t) < 2:
            return None
        return float(t["rate"].mean())

    def counts(self, codes: bool = False) -> dict[str, int]:
        """Offences by CSP name (or code) of the focus and its group: input of ``compare_with_group``."""
        key = "csp_code" if codes else "csp_name"
        return {str(r[key]): int(r["offences"]) for _, r in self.group_table.iterrows()}

    def denominators(self, codes: bool = False) -> dict[str, float]:
        key = "csp_code" if codes else "csp_name"
        return {str(r[key]): float(r["population"]) for _, r in self.group_table.iterrows()}

    def missing_sentence(self) -> str:
        """Plain words for what is absent ("" when nothing is)."""
        if not self.missing:
            return ""
        return "Comparisons with other partnerships are not shown because " + "; and ".join(self.missing) + "."


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "csp_code": pd.Series(dtype="string"),
            "csp_name": pd.Series(dtype="string"),
            "offences": pd.Series(dtype="int64"),
            "population": pd.Series(dtype="float64"),
            "rate": pd.Series(dtype="float64"),
            "lower": pd.Series(dtype="float64"),
            "upper": pd.Series(dtype="float64"),
            "quarters": pd.Series(dtype="int64"),
            "is_focus": pd.Series(dtype="bool"),
            "in_group": pd.Series(dtype="bool"),
        }
    )


def offences_by_csp(
    recorded_crime: pd.DataFrame,
    year: str,
    *,
    offence_group: str | None = None,
    offence_subgroup: str | None = None,
) -> pd.DataFrame:
    """Offences per CSP (Home Office CSP name) in financial year ``year``: csp_name, offences, quarters.

    Sums the quarters present; ``offence_group``/``offence_subgroup`` keep one Home Office group
    ("Violence against the person") or subgroup ("Domestic burglary"). Rows of the force-area
    variant (no CSP name) are ignored. Published negative adjustments are kept (they make the
    published totals).
    """
    rc = recorded_crime
    if "csp_name" not in rc.columns:
        return pd.DataFrame({"csp_name": pd.Series(dtype="string"), "offences": pd.Series(dtype="int64"),
                             "quarters": pd.Series(dtype="int64")})
    rc = rc[rc["csp_name"].notna() & (rc["financial_year"] == year)]
    if offence_group is not None:
        rc = rc[rc["offence_group"] == offence_group]
    if offence_subgroup is not None:
        rc = rc[rc["offence_subgroup"] == offence_subgroup]
    out = (
        rc.groupby("csp_name", observed=True)
        .agg(offences=("offences", "sum"), quarters=("quarter", "nunique"))
        .reset_index()
    )
    return out.astype({"offences": "int64", "quarters": "int64"})


def csp_codes_by_name(lad_csp: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """ONS CSP code and name keyed by :func:`name_key` of the name, from the ``lad_csp`` lookup."""
    if lad_csp.empty:
        return {}
    pairs = lad_csp[["csp_code", "csp_name"]].dropna().drop_duplicates()
    return {name_key(n): (str(c), str(n)) for c, n in zip(pairs["csp_code"], pairs["csp_name"])}


def csp_rates_from_tables(
    recorded_crime: pd.DataFrame,
    population_by_csp: pd.Series,
    lad_csp: pd.DataFrame,
    year: str,
    *,
    focus_code: str,
    focus_name: str,
    group_names: list[str] | tuple[str, ...] = (),
    national_name: str = "England",
    offence_group: str | None = None,
    offence_subgroup: str | None = None,
) -> CSPRates:
    """Rates per 1,000 of every CSP, the national rate and the most-similar group (pure; see :func:`csp_rates`)."""
    missing: list[str] = []
    notes: list[str] = []
    label = offence_subgroup or offence_group
    has_csp = "csp_name" in recorded_crime.columns and bool(recorded_crime["csp_name"].notna().any())
    if recorded_crime.empty:
        missing.append(f"the Home Office police recorded crime tables are not in the data (supply {csp_tables_hint()})")
    elif not has_csp:
        missing.append(
            "the Home Office recorded crime tables supplied are at police force area level only; "
            f"rates for other partnerships need {csp_tables_hint()}"
        )
    else:
        csp_years = recorded_crime.loc[recorded_crime["csp_name"].notna(), "financial_year"]
        years = sorted(set(csp_years.dropna().drop_duplicates().astype(str)))
        if year not in years:
            missing.append(
                f"the Home Office CSP-level tables supplied do not cover {year} (they cover "
                f"{years[0]} to {years[-1]})"
            )
    if population_by_csp.empty:
        missing.append("there are no population estimates by local authority to compute rates per CSP")
    if lad_csp.empty:
        missing.append("the ONS local authority to CSP lookup is not in the data")
    base = dict(year=year, offence_group=label, focus_code=focus_code, focus_name=focus_name,
                national_name=national_name)
    if missing:
        return CSPRates(table=_empty_table(), national=None, missing=missing, notes=notes, **base)

    counts = offences_by_csp(recorded_crime, year, offence_group=offence_group, offence_subgroup=offence_subgroup)
    by_name = csp_codes_by_name(lad_csp)
    keys = counts["csp_name"].astype(str).map(name_key)
    counts["csp_code"] = keys.map(lambda k: by_name.get(k, (None, None))[0]).astype("string")
    ons_name = keys.map(lambda k: by_name.get(k, (None, None))[1])
    counts["csp_name"] = ons_name.where(ons_name.notna(), counts["csp_name"]).astype("string")
    unmatched = counts.loc[counts["csp_code"].isna(), "csp_name"].astype(str).tolist()
    if unmatched:
        notes.append(
            f"{len(unmatched)} Home Office CSP name(s) are not in the ONS lookup and are left out: "
            + ", ".join(sorted(unmatched)[:5])
            + (" ..." if len(unmatched) > 5 else "")
        )
    counts = counts[counts["csp_code"].notna()].copy()
    counts["population"] = counts["csp_code"].map(population_by_csp).astype("float64")
    no_pop = counts.loc[counts["population"].isna() | (counts["population"] <= 0), "csp_name"].astype(str).tolist()
    if no_pop:
        notes.append(f"{len(no_pop)} CSP(s) have no population estimate and are left out of the rates")
    counts = counts[counts["population"].notna() & (counts["population"] > 0)].copy()
    counts["offences"] = counts["offences"].clip(lower=0).astype("int64")
    rates = [rate_per(int(o), float(p), 1000) for o, p in zip(counts["offences"], counts["population"])]
    counts["rate"] = np.array([r.value for r in rates], dtype="float64")
    counts["lower"] = np.array([r.lower for r in rates], dtype="float64")
    counts["upper"] = np.array([r.upper for r in rates], dtype="float64")
    counts["is_focus"] = (counts["csp_code"] == focus_code).astype("bool")
    group_keys = {name_key(n) for n in group_names}
    counts["in_group"] = (counts["csp_name"].astype(str).map(name_key).isin(group_keys) & ~counts["is_focus"]).astype("bool")
    found_keys = set(counts.loc[counts["in_group"], "csp_name"].astype(str).map(name_key))
    group_missing = [n for n in group_names if name_key(n) not in found_keys]
    if group_missing:
        notes.append(
            f"{len(group_missing)} member(s) of the most-similar group are not in the {year} tables "
            f"(or lack a population): {', '.join(group_missing)}"
        )
    if not counts["is_focus"].any():
        missing.append(f"{focus_name} ({focus_code}) has no rows (or no population) in the Home Office CSP tables for {year}")
    quarters = int(counts["quarters"].max()) if len(counts) else 0
    if 0 < quarters < 4:
        notes.append(f"the Home Office tables hold {quarters} of the 4 quarters of {year}")

    prefixes = ("E22", "W22") if "wales" in national_name.lower() else ("E22",)
    nat = counts[counts["csp_code"].str.startswith(prefixes)]
    national = rate_per(int(nat["offences"].sum()), float(nat["population"].sum()), 1000) if len(nat) else None
    if national is None:
        missing.append(f"no {national_name} CSP has both offences and population")

    table = counts[["csp_code", "csp_name", "offences", "population", "rate", "lower", "upper", "quarters", "is_focus", "in_group"]]
    table = table.sort_values("csp_name", ignore_index=True)
    group_members = table.loc[table["in_group"], "csp_name"].astype(str).tolist()
    return CSPRates(table=table, national=national, group_members=group_members, group_missing=group_missing,
                    missing=missing, notes=notes, **base)


def csp_rates(
    ctx: AssessmentContext,
    year: str | None = None,
    *,
    offence_group: str | None = None,
    offence_subgroup: str | None = None,
) -> CSPRates:
    """Every CSP's offences and rate per 1,000 in ``year`` (this one by default), England and the group.

    Source: Home Office CSP-level recorded crime tables (:data:`SOURCE`). ``offence_group`` keeps
    one Home Office offence group. The result's ``available`` is False, and ``missing`` says why,
    when the CSP tables, the year, the population or the lookup are absent.
    """
    cfg = ctx.cfg
    return csp_rates_from_tables(
        ctx.recorded_crime,
        ctx.population_by("csp"),
        ctx.lad_csp,
        year or ctx.year,
        focus_code=cfg.code,
        focus_name=cfg.name,
        group_names=list(cfg.most_similar_group),
        national_name=cfg.national_name,
        offence_group=offence_group,
        offence_subgroup=offence_subgroup,
    )


@dataclass(frozen=True)
class NationalChange:
    """Offences of the national comparator in two years (Home Office CSP tables), for a change test."""

    national_name: str
    previous_year: str
    year: str
    previous: int
    current: int


def national_offences(current: CSPRates, previous: CSPRates) -> NationalChange | None:
    """The national comparator's offences in two years, when both results are available."""
    if not (current.available and previous.available) or current.national is None or previous.national is None:
        return None
    return NationalChange(
        national_name=current.national_name,
        previous_year=previous.year,
        year=current.year,
        previous=previous.national.count,
        current=current.national.count,
    )


def comparator_table(rates: CSPRates) -> pd.DataFrame:
    """The focus CSP, each member of its most-similar group and the national comparator, for a chart.

    Columns: area, offences (int64), population, rate, lower, upper, kind ("focus", "group",
    "national"). Highest rate first, the national row last.
    """
    if not rates.available:
        return pd.DataFrame(columns=["area", "offences", "population", "rate", "lower", "upper", "kind"])
    g = rates.group_table
    rows = pd.DataFrame(
        {
            "area": g["csp_name"].astype(str),
            "offences": g["offences"].astype("int64"),
            "population": g["population"].astype("float64"),
            "rate": g["rate"],
            "lower": g["lower"],
            "upper": g["upper"],
            "kind": np.where(g["is_focus"], "focus", "group"),
        }
    )
    n = rates.national
    if n is not None:
        nat = pd.DataFrame(
            {
                "area": [rates.national_name],
                "offences": pd.Series([n.count], dtype="int64"),
                "population": [n.denominator],
                "rate": [n.value],
                "lower": [n.lower],
                "upper": [n.upper],
                "kind": ["national"],
            }
        )
        rows = pd.concat([rows, nat], ignore_index=True)
    return rows
