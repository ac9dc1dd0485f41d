"""Synthetic data.police.uk street-level files for the Wessex Police area.

One file per month, ``police_street/YYYY-MM/YYYY-MM-wessex-street.csv`` (the layout of the
police.uk archive), in the exact published format: the twelve police.uk columns, CRLF line
endings, no BOM, coordinates with six decimals, 64-hex Crime IDs (blank for anti-social
behaviour), "On or near ..." locations at a fixed set of anonymised map points per LSOA, rows
sorted by LSOA name then crime type, and the rows with no location at the end.

Volumes (records per financial year, Wessex Vale): about 30,000 crimes and 11,000 anti-social
behaviour incidents, with a category mix like the Hampshire files of 2017, seasonality (summer
peaks for violence, ASB and bicycle theft; winter peaks for burglary) and trends over the four
years (shoplifting, violence and theft from the person up; burglary, vehicle crime, bicycle theft
and ASB down). Each month a handful of records cannot be placed: "No Location" rows with blank
coordinates and LSOA, and now and then a point with coordinates but no LSOA (a ferry terminal).

Month-to-month variation beyond Poisson, as real series have (police.uk monthly counts of a CSP
vary 2 to 9 times more than Poisson once seasonality is allowed for): each authority's expected
count of a month is multiplied by a gamma month effect of mean 1 shared by all its categories
(weather, events, recording backlogs; coefficient of variation ``COMMON_VOLATILITY``) and by one
per category (``VOLATILITY``), a gamma-Poisson (negative binomial) mixture; within each financial
year they average 1, so they leave the yearly volumes and trends as designed. They come from
their own seeded stream, so the same seed gives the same data.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assess.demo.formats import plain_csv_bytes, write_file
from assess.demo.geography import (
    DEMO_FORCE,
    POINTS_PER_LSOA,
    TOWN_CENTRE_WARD,
    LocalArea,
    rng_for,
)
from assess.periods import financial_year_of

STREET_HEADER = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)

ASB = "Anti-social behaviour"

#: Crimes per financial year in Wessex Vale by police.uk category (the level at mid-period).
WESSEX_VALE_CRIMES: dict[str, int] = {
    "Violence and sexual offences": 11_400,
    "Public order": 3_000,
    "Criminal damage and arson": 3_000,
    "Shoplifting": 2_700,
    "Other theft": 2_400,
    "Vehicle crime": 2_100,
    "Burglary": 1_650,
    "Other crime": 900,
    "Drugs": 900,
    "Bicycle theft": 600,
    "Robbery": 450,
    "Theft from the person": 450,
    "Possession of weapons": 450,
}
WESSEX_VALE_ASB = 11_000

#: (crimes, ASB incidents) per financial year by local authority of the Wessex Police area.
VOLUMES: dict[str, tuple[int, int]] = {
    "Wessex Vale": (30_000, WESSEX_VALE_ASB),
    "Casterbridge": (8_000, 3_300),
    "Budmouth": (6_500, 2_700),
}

#: Yearly change factor of each category (1.14 = up 14% a year).
TRENDS: dict[str, float] = {
    "Violence and sexual offences": 1.05,
    "Public order": 1.03,
    "Criminal damage and arson": 0.96,
    "Shoplifting": 1.14,
    "Other theft": 0.97,
    "Vehicle crime": 0.93,
    "Burglary": 0.92,
    "Other crime": 1.01,
    "Drugs": 1.04,
    "Bicycle theft": 0.92,
    "Robbery": 1.06,
    "Theft from the person": 1.10,
    "Possession of weapons": 1.07,
    ASB: 0.95,
}

#: Seasonality: (amplitude, month of the peak) of a yearly cosine.
SEASONS: dict[str, tuple[float, int]] = {
    "Violence and sexual offences": (0.10, 7),
    "Public order": (0.10, 7),
    "Criminal damage and arson": (0.06, 5),
    "Shoplifting": (0.05, 12),
    "Other theft": (0.08, 8),
    "Vehicle crime": (0.06, 11),
    "Burglary": (0.12, 12),
    "Other crime": (0.03, 6),
    "Drugs": (0.08, 6),
    "Bicycle theft": (0.30, 7),
    "Robbery": (0.08, 11),
    "Theft from the person": (0.10, 12),
    "Possession of weapons": (0.08, 7),
    ASB: (0.20, 7),
}

#: How much more of each category the town-centre ward has, per head, than elsewhere.
TOWN_CENTRE_FACTOR: dict[str, float] = {
    "Violence and sexual offences": 2.5,
    "Public order": 2.5,
    "Shoplifting": 7.0,
    "Theft from the person": 6.0,
    "Other theft": 2.0,
    "Robbery": 3.0,
    "Drugs": 2.5,
    "Possession of weapons": 2.0,
    "Bicycle theft": 2.0,
    ASB: 2.0,
}

CATEGORIES: tuple[str, ...] = (*WESSEX_VALE_CRIMES, ASB)

#: Coefficient of variation of the gamma month effect shared by every category of an authority.
COMMON_VOLATILITY = 0.025
#: Coefficient of variation of each category's own gamma month effect (0.07 where not listed):
#: larger for ASB and bicycle theft (weather) and drugs (found by police operations).
VOLATILITY: dict[str, float] = {ASB: 0.10, "Bicycle theft": 0.10, "Drugs": 0.12, "Shoplifting": 0.08}

_RESOLVED = (
    ("Investigation complete; no suspect identified", 360),
    ("Unable to prosecute suspect", 340),
    ("Status update unavailable", 40),
    ("Local resolution", 40),
    ("Court result unavailable", 20),
    ("Formal action is not in the public interest", 20),
    ("Further investigation is not in the public interest", 20),
    ("Offender given a caution", 15),
    ("Action to be taken by another organisation", 10),
    ("Offender sent to prison", 12),
    ("Offender given community sentence", 10),
    ("Offender fined", 10),
    ("Offender given suspended prison sentence", 6),
    ("Offender given conditional discharge", 6),
    ("Defendant found not guilty", 6),
    ("Offender given penalty notice", 4),
    ("Court case unable to proceed", 4),
    ("Suspect charged as part of another case", 3),
    ("Offender otherwise dealt with", 2),
    ("Offender ordered to pay compensation", 2),
    ("Offender deprived of property", 1),
    ("Defendant sent to Crown Court", 1),
    ("Offender given absolute discharge", 1),
    ("Awaiting court outcome", 30),
    ("Offender given a drugs possession warning", 0),
)
_DRUGS_RESOLVED = {
    "Local resolution": 220,
    "Offender given a drugs possession warning": 160,
    "Offender given a caution": 80,
    "Investigation complete; no suspect identified": 60,
    "Unable to prosecute suspect": 120,
    "Offender fined": 40,
    "Awaiting court outcome": 50,
}
UNDER_INVESTIGATION = "Under investigation"
OUTCOMES: tuple[str, ...] = (*(o for o, _ in _RESOLVED), UNDER_INVESTIGATION)


def demo_months(first_fy: int = 2021, years: int = 4) -> list[str]:
    """The ``YYYY-MM`` months of ``years`` financial years starting April ``first_fy``."""
    return [f"{first_fy + (k + 3) // 12}-{(k + 3) % 12 + 1:02d}" for k in range(12 * years)]


@functools.lru_cache(maxsize=None)
def season_factor(category: str, month: int) -> float:
    """Seasonal factor of a category in a calendar month (mean 1 over a year, days-weighted)."""
    amp, peak = SEASONS[category]
    days = (31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    norm = sum((1 + amp * np.cos(2 * np.pi * (m - peak) / 12)) * days[m - 1] for m in range(1, 13)) / 12
    value = (1 + amp * np.cos(2 * np.pi * (month - peak) / 12)) * days[month - 1] / norm
    if category == "Violence and sexual offences" and month == 12:
        value *= 1.05
    return float(value)


def expected_counts(lad_name: str, months: list[str]) -> np.ndarray:
    """Expected records per month (rows) and category (columns, CATEGORIES order) in one authority."""
    crimes, asb = VOLUMES[lad_name]
    scale = crimes / sum(WESSEX_VALE_CRIMES.values())
    per_year = [WESSEX_VALE_CRIMES[c] * scale for c in WESSEX_VALE_CRIMES] + [asb]
    centre = (len(months) - 1) / 2
    out = np.empty((len(months), len(CATEGORIES)))
    for i, m in enumerate(months):
        mm = int(m[5:7])
        for j, c in enumerate(CATEGORIES):
            out[i, j] = per_year[j] / 12 * season_factor(c, mm) * TRENDS[c] ** ((i - centre) / 12)
    return out


def month_effects(months: list[str], rng: np.random.Generator) -> np.ndarray:
    """Gamma month effects of one authority (rows ``months``, columns CATEGORIES).

    The product of a common effect, Gamma(1/c^2, c^2) with c = COMMON_VOLATILITY, and one per
    category, Gamma(1/v^2, v^2) with v from VOLATILITY: multiplying a Poisson mean by them gives
    a gamma-Poisson (negative binomial) count whose variance is about mu (1 + mu (c^2 + v^2)).
    Each category's effects are then divided by their mean over the months of each financial
    year, so they move records between the months of a year without changing the year's expected
    total: the yearly volumes and trends stay those designed above.
    """
    c2 = COMMON_VOLATILITY**2
    common = rng.gamma(1.0 / c2, c2, len(months))
    v2 = np.array([VOLATILITY.get(c, 0.07) ** 2 for c in CATEGORIES])
    effects = common[:, None] * rng.gamma(1.0 / v2, v2, (len(months), len(CATEGORIES)))
    years = pd.Series([financial_year_of(int(m[:4]), int(m[5:7])) for m in months])
    return effects / pd.DataFrame(effects).groupby(years).transform("mean").to_numpy()


def _outcome_probabilities(age: int, drugs: bool) -> np.ndarray:
    """Probability of each outcome (OUTCOMES order) for a crime ``age`` months before the last month."""
    base = np.array([(_DRUGS_RESOLVED.get(o, 3) if drugs else w) for o, w in _RESOLVED], dtype=float)
    base /= base.sum()
    under = 0.55 * np.exp(-age / 2.5) + 0.01
    return np.append(base * (1 - under), under)


def _lsoa_weights(area: LocalArea, rng: np.random.Generator) -> np.ndarray:
    """Relative rate of each category (columns) in each LSOA (rows), before normalising."""
    base = area.lsoa_population * rng.lognormal(0.0, 0.45, area.n_lsoa)
    centre = area.lsoa_ward == TOWN_CENTRE_WARD[area.lad.name]
    w = np.repeat(base[:, None], len(CATEGORIES), axis=1)
    for j, c in enumerate(CATEGORIES):
        w[centre, j] *= TOWN_CENTRE_FACTOR.get(c, 1.0)
    # burglary and vehicle crime lean to the residential edge, a little
    for c in ("Burglary", "Vehicle crime"):
        w[~centre, CATEGORIES.index(c)] *= 1.2
    return w / w.sum(axis=0)


@dataclass(frozen=True)
class _Force:
    """The LSOAs, map points and wards of the whole force, concatenated over its authorities."""

    areas: list[LocalArea]
    lsoa_code: np.ndarray
    lsoa_name: np.ndarray
    lsoa_offset: np.ndarray  # first LSOA index of each area
    name_rank: np.ndarray  # rank of each LSOA name (the files are sorted by it)
    point_lon: np.ndarray  # text, six decimals
    point_lat: np.ndarray
    point_loc: np.ndarray
    ward_codes: np.ndarray
    ward_lads: np.ndarray
    ward_of: np.ndarray  # force-wide ward number of each LSOA

    @classmethod
    def of(cls, areas: list[LocalArea]) -> _Force:
        lsoa_name = np.array([n for a in areas for n in a.lsoa_names], dtype=object)
        name_rank = np.empty(len(lsoa_name), dtype=np.int64)
        name_rank[np.argsort(lsoa_name, kind="stable")] = np.arange(len(lsoa_name))
        lonlat = np.vstack([a.point_lonlat for a in areas])
        ward_offset = np.cumsum([0] + [len(a.ward_codes) for a in areas])
        force = cls(
            areas=areas,
            lsoa_code=np.array([c for a in areas for c in a.lsoa_codes], dtype=object),
            lsoa_name=lsoa_name,
            lsoa_offset=np.cumsum([0] + [a.n_lsoa for a in areas]),
            name_rank=name_rank,
            point_lon=np.array([f"{x:.6f}" for x in lonlat[:, 0]], dtype=object),
            point_lat=np.array([f"{y:.6f}" for y in lonlat[:, 1]], dtype=object),
            point_loc=np.array([p for a in areas for p in a.point_location], dtype=object),
            ward_codes=np.array([w for a in areas for w in a.ward_codes], dtype=object),
            ward_lads=np.array([a.lad.code for a in areas for _w in a.ward_codes], dtype=object),
            ward_of=np.concatenate([a.lsoa_ward + ward_offset[i] for i, a in enumerate(areas)]),
        )
        for vocabulary in (force.point_loc, force.lsoa_name, CATEGORIES, OUTCOMES):
            if any(set(str(v)) & set(',"\r\n') for v in vocabulary):
                raise ValueError("a police.uk field would need CSV quoting; plain_csv_bytes cannot write it")
        return force


_CATS = np.array(CATEGORIES, dtype=object)
_OUTCOMES = np.array(OUTCOMES, dtype=object)
_CAT_RANK = np.argsort(np.argsort(np.array(CATEGORIES)))
_CRIME_MIX = np.array(list(WESSEX_VALE_CRIMES.values()), dtype=float) / sum(WESSEX_VALE_CRIMES.values())
_ZIPF = 1.0 / np.arange(1, POINTS_PER_LSOA + 1) ** 0.9
_ZIPF /= _ZIPF.sum()


def _month_records(
    force: _Force, weights: list[np.ndarray], expected: list[np.ndarray], mi: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The placed records of month ``mi``: (LSOA index, category index) of each, force-wide."""
    lsoa_idx, cat_idx = [], []
    for ai, area in enumerate(force.areas):
        n = rng.poisson(expected[ai][mi])
        for j in range(len(CATEGORIES)):
            per_lsoa = rng.multinomial(n[j], weights[ai][:, j])
            lsoa_idx.append(np.repeat(np.arange(area.n_lsoa) + force.lsoa_offset[ai], per_lsoa))
            cat_idx.append(np.full(n[j], j))
    return np.concatenate(lsoa_idx), np.concatenate(cat_idx)


def _month_rows(force: _Force, month: str, age: int, lsoa_i: np.ndarray, cat_i: np.ndarray,
                rng: np.random.Generator) -> list[tuple[str, ...]]:
    """The rows of one month's street file, in the published order, unplaceable records last."""
    name = DEMO_FORCE.police_uk_name
    k, m = POINTS_PER_LSOA, len(lsoa_i)
    j_point = rng.choice(k, size=m, p=_ZIPF)
    j_point[(cat_i == CATEGORIES.index("Shoplifting")) & (rng.random(m) < 0.7)] = 0  # point 0 is a shop
    point = lsoa_i * k + j_point
    drugs_j = CATEGORIES.index("Drugs")
    out_i = np.empty(m, dtype=np.int64)
    for drugs, mask in ((False, cat_i != drugs_j), (True, cat_i == drugs_j)):
        out_i[mask] = rng.choice(len(OUTCOMES), size=int(mask.sum()), p=_outcome_probabilities(age, drugs))
    is_asb = cat_i == CATEGORIES.index(ASB)
    order = np.lexsort((_CAT_RANK[cat_i], force.name_rank[lsoa_i]))
    ids = rng.bytes(32 * m).hex()
    crime_id = np.array([ids[64 * r: 64 * r + 64] for r in range(m)], dtype=object)
    crime_id[is_asb] = ""
    outcome = _OUTCOMES[out_i]
    outcome[is_asb] = ""
    p, li, n = point[order], lsoa_i[order], len(order)
    rows = list(zip(
        crime_id[order], [month] * n, [name] * n, [name] * n, force.point_lon[p], force.point_lat[p],
        force.point_loc[p], force.lsoa_code[li], force.lsoa_name[li], _CATS[cat_i[order]], outcome[order], [""] * n,
    ))
    # records that cannot be placed: no location at all, and now and then a point with no LSOA
    resolved = _outcome_probabilities(age, False)
    n_noloc = int(rng.poisson(3.0))
    extra_cat = rng.choice(len(WESSEX_VALE_CRIMES), size=n_noloc, p=_CRIME_MIX)
    extra_out = rng.choice(len(OUTCOMES), size=n_noloc, p=resolved)
    for c, o in zip(extra_cat, extra_out):
        rows.append((rng.bytes(32).hex(), month, name, name, "", "", "No Location", "", "", _CATS[c], _OUTCOMES[o], ""))
    if rng.random() < 0.3:
        rows.append((rng.bytes(32).hex(), month, name, name, "-2.048215", "50.724590", "On or near Ferry Terminal",
                     "", "", "Violence and sexual offences", _OUTCOMES[rng.choice(len(OUTCOMES), p=resolved)], ""))
    return rows


def write_street_files(
    raw_dir: Path, areas: list[LocalArea], seed: int, months: list[str] | None = None
) -> tuple[list[Path], int, pd.DataFrame]:
    """Write the monthly street files of the Wessex Police area.

    Returns (paths, rows written, placed counts) where placed counts is a DataFrame with columns
    lad_code, ward_code, month, category, count, financial_year: the records of each ward and
    month that carry an LSOA (the unplaceable ones are in the files but in no ward).
    """
    months = months or demo_months()
    rng = rng_for(seed, "police_uk/street")
    force = _Force.of(areas)
    weights = [_lsoa_weights(a, rng) for a in areas]
    shocks = rng_for(seed, "police_uk/month_effects")
    expected = [expected_counts(a.lad.name, months) * month_effects(months, shocks) for a in areas]
    n_cat, n_ward = len(CATEGORIES), len(force.ward_codes)
    paths, total_rows, placed = [], 0, []
    for mi, month in enumerate(months):
        lsoa_i, cat_i = _month_records(force, weights, expected, mi, rng)
        rows = _month_rows(force, month, len(months) - 1 - mi, lsoa_i, cat_i, rng)
        path = Path(raw_dir) / "police_street" / month / f"{month}-{DEMO_FORCE.slug}-street.csv"
        paths.append(write_file(path, plain_csv_bytes(STREET_HEADER, rows, newline="\r\n")))
        total_rows += len(rows)
        placed.append(np.bincount(force.ward_of[lsoa_i] * n_cat + cat_i, minlength=n_ward * n_cat))
    counts = np.vstack(placed).reshape(len(months), n_ward, n_cat)
    m_i, w_i, c_i = np.nonzero(counts)
    placed_df = pd.DataFrame({
        "lad_code": force.ward_lads[w_i], "ward_code": force.ward_codes[w_i],
        "month": np.array(months, dtype=object)[m_i], "category": _CATS[c_i],
        "count": counts[m_i, w_i, c_i].astype(np.int64),
    })
    fy = {m: financial_year_of(int(m[:4]), int(m[5:7])) for m in months}
    placed_df["financial_year"] = placed_df["month"].map(fy)
    return paths, total_rows, placed_df
