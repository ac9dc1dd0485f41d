"""Synthetic ONS files: lookups, mid-year population estimates, households and ward boundaries.

Formats follow the ONS Open Geography Portal and ONS population downloads:

* ``lookups/Lower_Layer_Super_Output_Area_2011_to_Ward_2023_Lookup_in_England_and_Wales.csv``:
  LSOA11CD, LSOA11NM, WD23CD, WD23NM, WD23NMW, LAD23CD, LAD23NM, FID (no BOM, LF);
* ``lookups/Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2023__Lookup_in_England_and_Wales.csv``:
  LAD23CD, LAD23NM, CSP23CD, CSP23NM, PFA23CD, PFA23NM, FID (UTF-8 BOM, as ONS publishes it);
* ``lookups/Local_Authority_District_to_Region_December_2023_Lookup_in_England.csv``:
  LAD23CD, LAD23NM, RGN23CD, RGN23NM, FID;
* ``population/{sape-lsoa,sape-ward}-mid-2023-population-estimates.xlsx``: a sheet
  "Mid-2023 Persons" with three title rows and a blank row, then the header 'Area Codes',
  'Area Names', 'All Ages', 0 .. 89, '90+' and one row per area (persons); then a "Notes" sheet
  (local authorities, regions and England are in the ONS UK workbooks written by
  :mod:`assess.demo.public_statistics`);
* ``population/households-lad-2023.csv``: 'Area code', 'Area name', 'Households';
* ``geography/wessex_vale_wards_2023.geojson``: the 16 ward polygons of Wessex Vale (WGS84,
  properties WD23CD, WD23NM, LAD23CD, LAD23NM).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assess.demo.formats import csv_bytes, write_file, xlsx_bytes
from assess.demo.geography import (
    FORCES,
    NATION,
    REGIONS,
    WARD_BOUNDARIES_FILE,
    LocalArea,
    _allocate,
    rng_for,
)

LSOA_WARD_FILE = "lookups/Lower_Layer_Super_Output_Area_2011_to_Ward_2023_Lookup_in_England_and_Wales.csv"
LAD_CSP_FILE = (
    "lookups/Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas"
    "__December_2023__Lookup_in_England_and_Wales.csv"
)
LAD_REGION_FILE = "lookups/Local_Authority_District_to_Region_December_2023_Lookup_in_England.csv"
POPULATION_FILES = {
    "lsoa": "population/sape-lsoa-mid-2023-population-estimates.xlsx",
    "ward": "population/sape-ward-mid-2023-population-estimates.xlsx",
}
HOUSEHOLDS_FILE = "population/households-lad-2023.csv"
POPULATION_YEAR = 2023
AGE_COLUMNS: tuple[object, ...] = (*range(90), "90+")
POPULATION_HEADER: tuple[object, ...] = ("Area Codes", "Area Names", "All Ages", *AGE_COLUMNS)
#: Persons per household (mid-2023, England about 2.36).
PERSONS_PER_HOUSEHOLD = 2.36


def age_profile(youth: float = 0.0) -> np.ndarray:
    """Relative size of each single year of age 0..89 and the 90+ group (91 values).

    A smooth England-like shape; ``youth`` raises ages 18-29 (a university town has about 0.3).
    """
    a = np.arange(90, dtype=float)
    w = np.where(a < 18, 1.15, np.where(a < 60, 1.35, 1.15))
    w = np.where(a < 5, 1.08, w)
    w = np.where((a >= 18) & (a < 25), 1.22, w)
    w = np.where(a >= 70, 1.05 - (a - 70) * 0.035, w)
    w = np.where(a >= 80, 0.70 - (a - 80) * 0.055, w)
    w = np.where((a >= 18) & (a < 30), w * (1 + youth), w)
    return np.append(w, 1.3)


def single_year_ages(total: int, rng: np.random.Generator, youth: float) -> np.ndarray:
    """Persons by single year of age (91 values, 90+ last) summing exactly to ``total``."""
    w = age_profile(youth) * rng.lognormal(0.0, 0.06, 91)
    return _allocate(total, w)


def population_tables(areas: list[LocalArea], seed: int) -> dict[str, list[tuple[str, str, np.ndarray]]]:
    """Single-year-of-age populations by geography: {'lsoa'|'ward'|'lad': [(code, name, ages), ...]}.

    Wards and the Wessex Police authorities are sums of their LSOAs; other authorities are drawn
    directly, so every level agrees with the one below.
    """
    rng = rng_for(seed, "ons/population")
    out: dict[str, list[tuple[str, str, np.ndarray]]] = {"lsoa": [], "ward": [], "lad": []}
    by_lad: dict[str, np.ndarray] = {}
    for area in areas:
        town_youth = 0.30 if area.lad.name == "Wessex Vale" else 0.05
        ages = np.array(
            [single_year_ages(int(p), rng, town_youth + rng.normal(0, 0.15)) for p in area.lsoa_population]
        )
        for i in range(area.n_lsoa):
            out["lsoa"].append((area.lsoa_codes[i], area.lsoa_names[i], ages[i]))
        for w, (code, name) in enumerate(zip(area.ward_codes, area.ward_names)):
            out["ward"].append((code, name, ages[area.lsoa_ward == w].sum(axis=0)))
        by_lad[area.lad.code] = ages.sum(axis=0)
    for lad in NATION:
        ages = by_lad.get(lad.code)
        if ages is None:
            ages = single_year_ages(lad.population, rng, rng.normal(0.05, 0.1))
        out["lad"].append((lad.code, lad.name, ages))
    return out


def _population_sheet(level: str, rows: list[tuple[str, str, np.ndarray]]) -> list[list[object]]:
    what = {"lsoa": "Lower layer Super Output Areas (2011)", "ward": "electoral wards (2023)",
            "lad": "local authority districts (2023)"}[level]
    sheet: list[list[object]] = [
        [f"Mid-{POPULATION_YEAR} population estimates for {what}: persons by single year of age"],
        ["SYNTHETIC DEMONSTRATION DATA: fictional areas, not Office for National Statistics estimates"],
        ["Layout modelled on the ONS mid-year population estimates workbooks"],
        [],
        list(POPULATION_HEADER),
    ]
    for code, name, ages in rows:
        sheet.append([code, name, int(ages.sum()), *(int(x) for x in ages)])
    return sheet


_NOTES = [
    ["Notes"],
    ["1. Synthetic demonstration data written by `assess demo` for the fictional Wessex Vale CSP."],
    ["2. Estimates refer to the usually resident population at 30 June of the year."],
    ["3. Age 90+ is the number of persons aged 90 and over."],
]


def write_ons_files(raw_dir: Path, areas: list[LocalArea], seed: int) -> tuple[list[Path], dict[str, int], dict]:
    """Write the lookups, population workbooks, households CSV and ward GeoJSON.

    Returns (paths, rows by kind, population tables) so that partner data can use the populations.
    """
    paths: list[Path] = []
    rows: dict[str, int] = {}

    lsoa_rows = []
    for area in areas:
        for i in range(area.n_lsoa):
            w = area.lsoa_ward[i]
            lsoa_rows.append((area.lsoa_codes[i], area.lsoa_names[i], area.ward_codes[w], area.ward_names[w], "",
                              area.lad.code, area.lad.name))
    lsoa_rows = [(*r, fid) for fid, r in enumerate(lsoa_rows, start=1)]
    paths.append(write_file(raw_dir / LSOA_WARD_FILE, csv_bytes(
        ("LSOA11CD", "LSOA11NM", "WD23CD", "WD23NM", "WD23NMW", "LAD23CD", "LAD23NM", "FID"), lsoa_rows)))
    rows["ons_lsoa_ward"] = len(lsoa_rows)

    csp_rows = [(lad.code, lad.name, lad.csp_code, lad.csp_name, FORCES[lad.force].code, FORCES[lad.force].name, fid)
                for fid, lad in enumerate(NATION, start=1)]
    paths.append(write_file(raw_dir / LAD_CSP_FILE, csv_bytes(
        ("LAD23CD", "LAD23NM", "CSP23CD", "CSP23NM", "PFA23CD", "PFA23NM", "FID"), csp_rows, bom=True)))
    rows["ons_lad_csp"] = len(csp_rows)

    region_rows = [(lad.code, lad.name, *REGIONS[lad.region], fid) for fid, lad in enumerate(NATION, start=1)]
    paths.append(write_file(raw_dir / LAD_REGION_FILE, csv_bytes(
        ("LAD23CD", "LAD23NM", "RGN23CD", "RGN23NM", "FID"), region_rows)))
    rows["ons_lad_region"] = len(region_rows)

    pops = population_tables(areas, seed)
    for level, rel in POPULATION_FILES.items():
        data = xlsx_bytes([(f"Mid-{POPULATION_YEAR} Persons", _population_sheet(level, pops[level])), ("Notes", _NOTES)])
        paths.append(write_file(raw_dir / rel, data))
        rows[f"population_{level}"] = len(pops[level])

    rng = rng_for(seed, "ons/households")
    hh_rows = []
    for code, name, ages in pops["lad"]:
        size = PERSONS_PER_HOUSEHOLD * rng.normal(1.0, 0.03)
        hh_rows.append((code, name, int(round(ages.sum() / size))))
    paths.append(write_file(raw_dir / HOUSEHOLDS_FILE, csv_bytes(("Area code", "Area name", "Households"), hh_rows)))
    rows["households"] = len(hh_rows)

    demo = areas[0]
    features = []
    for k, (code, name, ring) in enumerate(zip(demo.ward_codes, demo.ward_names, demo.ward_rings), start=1):
        closed = np.vstack([ring, ring[:1]])
        features.append({
            "type": "Feature",
            "properties": {"FID": k, "WD23CD": code, "WD23NM": name, "LAD23CD": demo.lad.code, "LAD23NM": demo.lad.name},
            "geometry": {"type": "Polygon", "coordinates": [[[round(float(x), 6), round(float(y), 6)] for x, y in closed]]},
        })
    geo = {"type": "FeatureCollection", "name": "Wards_December_2023_Boundaries_Wessex_Vale_synthetic", "features": features}
    paths.append(write_file(raw_dir / WARD_BOUNDARIES_FILE, (json.dumps(geo, separators=(",", ":")) + "\n").encode()))
    rows["ward_boundaries"] = len(features)
    households = {code: n for code, _name, n in hh_rows}
    return paths, rows, {"population": pops, "households": households}
