"""Synthetic national data for the benchmarks (and the batch tests): police.uk street files, ONS
lookups, populations, Home Office recorded crime and partner files, in the publishers' formats.

Two nations:

- :func:`ingest_nation` (``benchmarks/bench_ingest.py``): 34,000 LSOAs, 310 local authorities
  each its own CSP, 43 forces; :func:`write_national_year` writes ~``rows`` street rows of FY
  2023/24 (43 forces x 12 monthly files) and the two lookups, byte for byte as that benchmark
  always has (so its figures stay comparable).
- :func:`csp_nation` (``benchmarks/bench_national.py``): ``csps`` CSPs (every fourth of two local
  authorities, the others of one) in ``forces`` forces, local authorities of 80-139 LSOAs;
  :func:`write_csp_nation` writes everything a bundle reads, for each financial year asked:
  street files, the LSOA -> ward -> LAD, LAD -> CSP -> PFA and LAD -> region lookups, mid-2023
  population estimates (LSOA and LAD, single year of age) and households, the Home Office police
  recorded crime tables by CSP and by force, and every partner file of every CSP in
  ``partner/<csp-slug>/`` (made by the demo's generators, :mod:`assess.demo.partner_data`).

Every area and figure is fictional; the CSPs are named "Synthetic CSP NN". The same arguments
write the same bytes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]
CATEGORIES = np.array([
    "Anti-social behaviour", "Violence and sexual offences", "Other theft", "Criminal damage and arson",
    "Shoplifting", "Public order", "Vehicle crime", "Burglary", "Drugs", "Other crime",
    "Theft from the person", "Bicycle theft", "Robbery", "Possession of weapons",
])
WEIGHTS = np.array([26, 28, 8, 9, 6, 7, 4, 4, 2, 1.5, 1, 1.5, 1, 1], dtype=float)

LSOA_WARD_FILE = "Lower_Layer_Super_Output_Area_2011_to_Ward_2023_Lookup_in_England_and_Wales.csv"
LAD_CSP_FILE = ("Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2023__"
                "Lookup_in_England_and_Wales.csv")
LAD_REGION_FILE = "Local_Authority_District_to_Region_December_2023_Lookup_in_England.csv"


@dataclass(frozen=True)
class Nation:
    """A fictional nation: aligned arrays by LSOA and by local authority, and the forces.

    ``force_lsoas[f]`` is the (first, last + 1) range of LSOAs whose rows force ``f`` publishes.
    """

    lsoa: np.ndarray        # LSOA codes
    lsoa_name: np.ndarray
    ward: np.ndarray        # ward code of each LSOA
    ward_name: np.ndarray
    lsoa_lad: np.ndarray    # index into lad_* of each LSOA
    lad: np.ndarray         # LAD codes
    lad_name: np.ndarray
    lad_csp: np.ndarray     # index into csp_* of each LAD
    lad_force: np.ndarray   # index into force_* of each LAD
    csp: np.ndarray         # CSP codes
    csp_name: np.ndarray
    force_code: np.ndarray
    force_name: np.ndarray  # as in the ONS lookup ("Force 3"); police.uk says "<name> Police"
    force_lsoas: tuple[tuple[int, int], ...]

    @property
    def n_forces(self) -> int:
        return len(self.force_name)

    def force_slug(self, f: int) -> str:
        return str(self.force_name[f]).lower().replace(" ", "-")


def ingest_nation(n_lsoa: int = 34_000, n_forces: int = 43) -> Nation:
    """The nation of ``bench_ingest.py``: 5 LSOAs a ward, 110 a local authority, one CSP each."""
    lsoa = np.array([f"E01{i:06d}" for i in range(1, n_lsoa + 1)])
    ward = np.array([f"E05{i // 5:06d}" for i in range(n_lsoa)])
    lsoa_lad = np.arange(n_lsoa) // 110
    lad = np.array([f"E07{i:06d}" for i in range(int(lsoa_lad[-1]) + 1)])
    n_lad = len(lad)
    return Nation(
        lsoa=lsoa, lsoa_name=np.array([f"Area {lad[lsoa_lad[i]]} {i:03d}A" for i in range(n_lsoa)]),
        ward=ward, ward_name=np.char.add("Ward ", ward), lsoa_lad=lsoa_lad, lad=lad, lad_name=np.char.add("LA ", lad),
        lad_csp=np.arange(n_lad), lad_force=np.arange(n_lad) * n_forces // n_lad,
        csp=np.array([f"E22{i:06d}" for i in range(n_lad)]), csp_name=np.array([f"CSP {i}" for i in range(n_lad)]),
        force_code=np.array([f"E23{f:06d}" for f in range(n_forces)]),
        force_name=np.array([f"Force {f}" for f in range(n_forces)]),
        force_lsoas=tuple((f * n_lsoa // n_forces, (f + 1) * n_lsoa // n_forces) for f in range(n_forces)),
    )


def csp_nation(csps: int = 48, forces: int = 8, seed: int = 1) -> Nation:
    """A nation of ``csps`` CSPs in ``forces`` forces, each force's LSOAs contiguous.

    Every fourth CSP has two local authorities; a local authority has 80-139 LSOAs, 5 to a ward.
    """
    rng = np.random.default_rng([seed, 40])
    lad_csp = np.repeat(np.arange(csps), [2 if k % 4 == 3 else 1 for k in range(csps)])
    n_lad = len(lad_csp)
    sizes = rng.integers(80, 140, n_lad)
    lsoa_lad = np.repeat(np.arange(n_lad), sizes)
    n_lsoa = len(lsoa_lad)
    csp_force = np.arange(csps) * forces // csps
    lad_force = csp_force[lad_csp]
    # wards: 5 LSOAs each, never across a local authority
    within = np.concatenate([np.arange(s) // 5 for s in sizes])
    first_ward = np.concatenate([[0], np.cumsum((sizes + 4) // 5)[:-1]])
    ward_i = first_ward[lsoa_lad] + within
    lad = np.array([f"E06{900 + i:06d}" for i in range(n_lad)])
    lad_name = np.array([f"Synthetic LA {i:02d}" for i in range(n_lad)])
    lsoa = np.array([f"E01{900_000 + i:06d}" for i in range(n_lsoa)])
    starts = np.searchsorted(lad_force[lsoa_lad], np.arange(forces + 1))
    return Nation(
        lsoa=lsoa, lsoa_name=np.array([f"{lad_name[lsoa_lad[i]]} {i:04d}" for i in range(n_lsoa)]),
        ward=np.array([f"E05{900_000 + w:06d}" for w in ward_i]),
        ward_name=np.array([f"{lad_name[lsoa_lad[i]]} Ward {within[i] + 1}" for i in range(n_lsoa)]),
        lsoa_lad=lsoa_lad, lad=lad, lad_name=lad_name, lad_csp=lad_csp, lad_force=lad_force,
        csp=np.array([f"E22{900 + k:06d}" for k in range(csps)]),
        csp_name=np.array([f"Synthetic CSP {k:02d}" for k in range(csps)]),
        force_code=np.array([f"E23{900 + f:06d}" for f in range(forces)]),
        force_name=np.array([f"Synthetic Force {f}" for f in range(forces)]),
        force_lsoas=tuple((int(starts[f]), int(starts[f + 1])) for f in range(forces)),
    )


def months_of(financial_year: str) -> list[str]:
    """``"2023/24"`` -> ``["2023-04", ..., "2024-03"]``."""
    y = int(financial_year[:4])
    return [f"{y}-{m:02d}" for m in range(4, 13)] + [f"{y + 1}-{m:02d}" for m in range(1, 4)]


# -- lookups ---------------------------------------------------------------------------------------
def write_lookups(root: Path, nation: Nation, *, region: bool = False) -> None:
    """The ONS LSOA -> ward -> LAD and LAD -> CSP -> PFA lookups (and LAD -> region) in ``root``."""
    with open(root / LSOA_WARD_FILE, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["LSOA11CD", "LSOA11NM", "WD23CD", "WD23NM", "WD23NMW", "LAD23CD", "LAD23NM", "FID"])
        for i in range(len(nation.lsoa)):
            j = nation.lsoa_lad[i]
            w.writerow([nation.lsoa[i], nation.lsoa_name[i], nation.ward[i], nation.ward_name[i], "",
                        nation.lad[j], nation.lad_name[j], i + 1])
    with open(root / LAD_CSP_FILE, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["LAD23CD", "LAD23NM", "CSP23CD", "CSP23NM", "PFA23CD", "PFA23NM", "FID"])
        for i in range(len(nation.lad)):
            k, f = nation.lad_csp[i], nation.lad_force[i]
            w.writerow([nation.lad[i], nation.lad_name[i], nation.csp[k], nation.csp_name[k],
                        nation.force_code[f], nation.force_name[f], i + 1])
    if region:
        with open(root / LAD_REGION_FILE, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["LAD23CD", "LAD23NM", "RGN23CD", "RGN23NM", "FID"])
            for i in range(len(nation.lad)):
                r = int(nation.lad_force[i]) % 9
                w.writerow([nation.lad[i], nation.lad_name[i], f"E12{r + 1:06d}", f"Synthetic Region {r + 1}", i + 1])


# -- police.uk -------------------------------------------------------------------------------------
def write_street_month(
    folder: Path, nation: Nation, f: int, month: str, rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One force's street file of one month: ``rows`` records spread evenly over its LSOAs.

    Returns each record's LSOA index and category index (for counts that must agree with it)."""
    force = f"{nation.force_name[f]} Police"
    lo, hi = nation.force_lsoas[f]
    p = WEIGHTS / WEIGHTS.sum()
    idx = rng.integers(lo, hi, rows)
    cat_i = rng.choice(len(CATEGORIES), rows, p=p)
    cat = CATEGORIES[cat_i]
    asb = cat == "Anti-social behaviour"
    ids = np.array([f"{x:064x}" for x in rng.integers(0, 2**62, rows)])
    ids[asb] = ""
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table({
        "Crime ID": ids,
        "Month": np.full(rows, month),
        "Reported by": np.full(rows, force),
        "Falls within": np.full(rows, force),
        "Longitude": np.round(rng.uniform(-3, 1, rows), 6).astype(str),
        "Latitude": np.round(rng.uniform(50.5, 53, rows), 6).astype(str),
        "Location": np.full(rows, "On or near High Street"),
        "LSOA code": nation.lsoa[idx],
        "LSOA name": np.char.add("Area ", nation.lsoa[idx]),
        "Crime type": cat,
        "Last outcome category": np.where(asb, "", "Under investigation"),
        "Context": np.full(rows, ""),
    })
    pacsv.write_csv(table, folder / f"{month}-{nation.force_slug(f)}-street.csv",
                    write_options=pacsv.WriteOptions(quoting_style="needed"))
    return idx, cat_i


def write_national_year(root: Path, rows: int, seed: int = 1) -> None:
    """Write ~``rows`` street rows for 43 forces x 12 months of FY2023/24, plus ONS lookups
    (:func:`ingest_nation`; the files ``bench_ingest.py`` has always measured)."""
    rng = np.random.default_rng(seed)
    nation = ingest_nation()
    write_lookups(root, nation)
    per_file = rows // (nation.n_forces * 12)
    for f in range(nation.n_forces):
        for month in months_of("2023/24"):
            write_street_month(root / month, nation, f, month, per_file, rng)


# -- a nation of CSPs with everything a bundle reads -----------------------------------------------
def _population(nation: Nation, rng: np.random.Generator) -> np.ndarray:
    """Persons by LSOA and single year of age (91 columns, 90+ last): about 1,600 an LSOA."""
    from assess.demo.ons import single_year_ages

    totals = rng.normal(1600, 180, len(nation.lsoa)).clip(900).astype(int)
    return np.array([single_year_ages(int(t), rng, float(rng.normal(0.05, 0.12))) for t in totals])


def _write_population(root: Path, nation: Nation, ages: np.ndarray, rng: np.random.Generator) -> None:
    from assess.demo.ons import AGE_COLUMNS, PERSONS_PER_HOUSEHOLD

    folder = root / "population"
    folder.mkdir(exist_ok=True)
    header = ["Area Codes", "Area Names", "All Ages", *[str(a) for a in AGE_COLUMNS]]
    lad_ages = np.zeros((len(nation.lad), ages.shape[1]), dtype=int)
    np.add.at(lad_ages, nation.lsoa_lad, ages)
    for level, codes, names, table in (
        ("sape-lsoa", nation.lsoa, nation.lsoa_name, ages),
        ("lad", nation.lad, nation.lad_name, lad_ages),
    ):
        with open(folder / f"{level}-mid-2023-population-estimates.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for code, name, row in zip(codes, names, table):
                w.writerow([code, name, int(row.sum()), *(int(x) for x in row)])
    with open(folder / "households-lad-2023.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Area code", "Area name", "Households"])
        for code, name, row in zip(nation.lad, nation.lad_name, lad_ages):
            w.writerow([code, name, int(round(row.sum() / (PERSONS_PER_HOUSEHOLD * rng.normal(1.0, 0.03))))])


def _offence_codes() -> dict[str, tuple[str, str, str, str]]:
    """For each police.uk crime category, the Home Office offence it is most often recorded as."""
    from assess.demo.home_office import OFFENCES

    best: dict[str, tuple[int, tuple[str, str, str, str]]] = {}
    for code, desc, group, subgroup, category, weight in OFFENCES:
        if category not in best or weight > best[category][0]:
            best[category] = (weight, (desc, group, subgroup, code))
    return {c: v for c, (_w, v) in best.items()}


def _write_recorded_crime(root: Path, nation: Nation, counts: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """The Home Office PRC tables by CSP and by force: each quarter's police.uk crimes a few per cent up.

    ``counts[fy]`` is (CSP, quarter, category) police.uk records of that financial year."""
    from assess.demo.home_office import CSP_HEADER, PFA_HEADER

    folder = root / "home_office_prc"
    folder.mkdir(exist_ok=True)
    offences = _offence_codes()
    csp_force = np.zeros(len(nation.csp), dtype=int)
    csp_force[nation.lad_csp] = nation.lad_force
    for fy, c in sorted(counts.items()):
        tag = f"{fy[:4]}{fy[5:]}"
        recorded = rng.poisson(c * 1.04)
        csp_rows, pfa = [], np.zeros((nation.n_forces, 4, len(CATEGORIES)), dtype=int)
        np.add.at(pfa, csp_force, recorded)
        for q in range(4):
            for k in range(len(nation.csp)):
                for j, category in enumerate(CATEGORIES):
                    if category in offences:
                        desc, group, subgroup, code = offences[category]
                        csp_rows.append([fy, q + 1, nation.force_name[csp_force[k]], nation.csp_name[k],
                                         desc, group, subgroup, code, int(recorded[k, q, j])])
        pfa_rows = [
            [fy, q + 1, nation.force_name[f], *offences[category], int(pfa[f, q, j])]
            for q in range(4) for f in range(nation.n_forces) for j, category in enumerate(CATEGORIES)
            if category in offences
        ]
        for variant, header, body in (("csp", CSP_HEADER, csp_rows), ("pfa", PFA_HEADER, pfa_rows)):
            with open(folder / f"prc-{variant}-mar2013-onwards-tables{tag}.csv", "w", newline="") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(header)
                w.writerows(body)


def _slug(name: str) -> str:
    from assess.config import slugify

    return slugify(name)


def _write_partner_files(
    root: Path, nation: Nation, k: int, ages: np.ndarray, households: int, placed: pd.DataFrame,  # noqa: F821
    months: list[str], seed: int,
) -> None:
    """Every partner file of CSP ``k`` in ``partner/<slug>/``, by the demo's generators."""
    from assess.config import DEFAULT_PARTNER_FILES
    from assess.demo import partner_data as pd_
    from assess.demo.formats import csv_bytes

    lsoas = np.flatnonzero(nation.lad_csp[nation.lsoa_lad] == k)
    wards, lsoa_ward = np.unique(nation.ward[lsoas], return_inverse=True)
    area = SimpleNamespace(  # what the demo's generators read of a local area
        lad=SimpleNamespace(code=str(nation.csp[k])), ward_codes=[str(w) for w in wards],
        lsoa_population=ages[lsoas].sum(axis=1), lsoa_ward=lsoa_ward,
    )
    pop = ages[lsoas].sum(axis=0)
    s = seed * 1000 + k
    files: dict[str, bytes] = {
        "force_flags": csv_bytes(("month", "flag", "strand", "ward_code", "count"), pd_.force_flags(area, placed, months, s)),
        "resident_survey": csv_bytes(*pd_.resident_survey(area, placed, s)),
        "offenders": csv_bytes(*pd_.offenders(s)),
        "youth_justice": csv_bytes(("financial_year", "measure", "value"), pd_.youth_justice(int(pop[10:18].sum()), s)),
        "rough_sleeping": csv_bytes(("year", "rough_sleepers", "method", "households", "begging_incidents"),
                                    pd_.rough_sleeping(households, s)),
        "drug_deaths": csv_bytes(("calendar_year", "deaths", "population"), pd_.drug_deaths(int(pop.sum()), s)),
        "calls_for_service": csv_bytes(("month", "channel", "calls"), pd_.calls_for_service(months, s)),
        "benchmarks": csv_bytes(("measure", "period", "area", "value", "unit", "source"), pd_.national_benchmarks()),
        "scorecard": pd_.SCORECARD_YAML.encode("utf-8"),
    }
    folder = root / "partner" / _slug(str(nation.csp_name[k]))
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / DEFAULT_PARTNER_FILES[name]).write_bytes(data)


def write_csp_nation(
    root: Path,
    nation: Nation,
    years: tuple[str, ...] = ("2023/24", "2024/25"),
    rows_per_csp_year: int = 20_000,
    *,
    seed: int = 1,
    partner: bool = True,
) -> dict[str, int]:
    """Write everything the bundles of ``nation``'s CSPs read into ``root``; returns rows by kind.

    Each force publishes ``rows_per_csp_year`` street records a year for each of its CSPs (spread
    over its LSOAs, so a larger CSP has more), 3% more each year. Partner files (``partner``) use
    the demo's generators, whose years are 2021/22 to 2024/25.
    """
    import pandas as pd

    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 41])
    write_lookups(root, nation, region=True)
    ages = _population(nation, rng)
    _write_population(root, nation, ages, rng)
    csps_of_force = np.bincount(nation.lad_force[np.unique(nation.lad_csp, return_index=True)[1]],
                                minlength=nation.n_forces)
    lsoa_csp = nation.lad_csp[nation.lsoa_lad]
    quarter_of = {m: i // 3 for fy in years for i, m in enumerate(months_of(fy))}
    counts = {fy: np.zeros((len(nation.csp), 4, len(CATEGORIES)), dtype=int) for fy in years}
    placed_parts = []
    street_rows = 0
    for y, fy in enumerate(years):
        for f in range(nation.n_forces):
            per_month = int(rows_per_csp_year * csps_of_force[f] * 1.03**y / 12)
            for month in months_of(fy):
                idx, cat_i = write_street_month(root / "police_street" / month, nation, f, month, per_month, rng)
                street_rows += per_month
                np.add.at(counts[fy], (lsoa_csp[idx], quarter_of[month], cat_i), 1)
                keys, n = np.unique(idx * len(CATEGORIES) + cat_i, return_counts=True)
                placed_parts.append(pd.DataFrame({
                    "month": month, "lsoa": keys // len(CATEGORIES), "category": CATEGORIES[keys % len(CATEGORIES)],
                    "count": n,
                }))
    _write_recorded_crime(root, nation, counts, rng)
    written = {"street": street_rows, "lsoas": len(nation.lsoa), "csps": len(nation.csp)}
    if partner:
        placed = pd.concat(placed_parts, ignore_index=True)
        placed["ward_code"] = nation.ward[placed["lsoa"].to_numpy()]
        placed["lad_code"] = nation.csp[lsoa_csp[placed["lsoa"].to_numpy()]]  # the demo's generators filter on it
        placed = placed.groupby(["month", "category", "ward_code", "lad_code"], as_index=False)["count"].sum()
        lad_ages = np.zeros((len(nation.lad), ages.shape[1]), dtype=int)
        np.add.at(lad_ages, nation.lsoa_lad, ages)
        months = [m for fy in years for m in months_of(fy)]
        for k in range(len(nation.csp)):
            households = int(round(lad_ages[nation.lad_csp == k].sum() / 2.36))
            _write_partner_files(root, nation, k, ages, households, placed[placed["lad_code"] == nation.csp[k]],
                                 months, seed)
        written["partner_folders"] = len(nation.csp)
    return written
