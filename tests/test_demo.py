"""The synthetic demonstration data: deterministic, fast, in the publishers' exact formats, consistent.

The data set is written once per session (and a second time for the determinism check).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

from assess.config import DEFAULT_PARTNER_FILES, load_config
from assess.demo import (
    DEFAULT_SEED,
    DemoSummary,
    demo_config,
    demo_config_yaml,
    write_demo,
)
from assess.demo.geography import MOST_SIMILAR_GROUP, NATION, polygon_area, wessex_areas
from assess.demo.partner_narrative import ACCOUNTS as DEMO_ACCOUNTS
from assess.demo.partner_narrative import SYNTHETIC_NOTE
from assess.periods import financial_year_series
from assess.registry import load_registry
from assess.sources.partner import NARRATIVE_DIR, PARTNER_READERS, narrative_keys, read_narratives, read_partner

ROOT = Path(__file__).resolve().parents[1]
WV = "Wessex Vale"


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> DemoSummary:
    return write_demo(tmp_path_factory.mktemp("demo_a"), seed=DEFAULT_SEED)


@pytest.fixture(scope="session")
def raw(demo) -> Path:
    return demo.raw_dir


@pytest.fixture(scope="session")
def street(raw) -> pd.DataFrame:
    frames = [
        pd.read_csv(p, dtype=str, keep_default_na=False, engine="pyarrow").assign(file=p.name)
        for p in sorted((raw / "police_street").glob("*/*-street.csv"))
    ]
    df = pd.concat(frames, ignore_index=True)
    df["financial_year"] = financial_year_series(df["Month"])
    return df


@pytest.fixture(scope="session")
def prc_csp(raw) -> pd.DataFrame:
    df = pd.concat([pd.read_csv(p, dtype=str) for p in sorted((raw / "home_office_prc").glob("prc-csp-*.csv"))])
    df["n"] = df["Number of Offences"].str.strip().replace("-00", "0").astype(int)
    return df


@pytest.fixture(scope="session")
def prc_pfa(raw) -> pd.DataFrame:
    df = pd.concat([pd.read_csv(p, dtype=str) for p in sorted((raw / "home_office_prc").glob("prc-pfa-*.csv"))])
    df["n"] = df["Number of Offences"].str.strip().replace("-00", "0").astype(int)
    return df


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- the run

def test_same_seed_gives_byte_identical_files(demo, tmp_path_factory):
    again = write_demo(tmp_path_factory.mktemp("demo_b"), seed=DEFAULT_SEED)
    first, second = _digests(demo.raw_dir), _digests(again.raw_dir)
    assert len(first) == 83 + 2 + len(DEMO_ACCOUNTS)  # + safeguarding topics, recommendations, narrative files
    assert first == second


def test_wards_tile_each_authority_exactly():
    for area in wessex_areas(DEFAULT_SEED):
        areas = [polygon_area(r) for r in area.ward_rings]
        assert min(areas) > 0  # counter-clockwise, as GeoJSON wants
        assert sum(areas) == pytest.approx(polygon_area(area.outline), rel=1e-9)
        assert len(area.ward_codes) == len(set(area.ward_names))


def test_another_seed_gives_other_data():
    a, b = wessex_areas(1)[0], wessex_areas(2)[0]
    assert a.lsoa_codes == b.lsoa_codes  # the same areas ...
    assert not np.array_equal(a.point_lonlat, b.point_lonlat)  # ... drawn differently


def test_summary(demo, raw):
    assert demo.seed == DEFAULT_SEED
    assert demo.seconds > 0  # timed; its speed is a benchmark's business, not a test's
    assert set(demo.paths) == {p for p in raw.rglob("*") if p.is_file()}
    assert not [p for p in raw.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]  # atomic writes
    assert demo.rows["police_uk_street"] == sum(
        sum(1 for _ in open(p, "rb")) - 1 for p in raw.glob("police_street/*/*.csv")
    )
    assert demo.rows["ons_lsoa_ward"] == 290 and demo.rows["ward_boundaries"] == 16
    assert "synthetic demonstration data" in (raw / "DEMO_README.md").read_text(encoding="utf-8")
    assert demo.bytes == sum(p.stat().st_size for p in demo.paths)
    assert "police_uk_street" in demo.describe()


# --------------------------------------------------------------------------- police.uk

def test_street_files_layout_and_values(raw, street):
    months = sorted(p.name for p in (raw / "police_street").iterdir())
    assert len(months) == 48 and months[0] == "2021-04" and months[-1] == "2025-03"
    for m in months:
        assert (raw / "police_street" / m / f"{m}-wessex-street.csv").exists()
    assert set(street["Reported by"]) == {"Wessex Police"} == set(street["Falls within"])
    assert (street["Month"] == street["file"].str.slice(0, 7)).all()
    asb = street["Crime type"] == "Anti-social behaviour"
    assert (street.loc[asb, "Crime ID"] == "").all() and (street.loc[asb, "Last outcome category"] == "").all()
    assert street.loc[~asb, "Crime ID"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert street.loc[~asb, "Crime ID"].is_unique
    assert (street.loc[~asb, "Last outcome category"] != "").all()
    placed = street["LSOA code"] != ""
    assert street.loc[placed, "Longitude"].str.fullmatch(r"-\d\.\d{6}").all()
    assert street.loc[placed, "Latitude"].str.fullmatch(r"5\d\.\d{6}").all()
    assert street["Location"].str.match(r"On or near |No Location$").all()
    # a handful of records per month cannot be placed (blank LSOA; most also without coordinates)
    unplaced = street[~placed].groupby("Month").size().reindex(months, fill_value=0)
    assert unplaced.sum() > 48 and unplaced.max() < 20
    assert (street.loc[~placed & (street["Location"] == "No Location"), ["Longitude", "Latitude"]] == "").all().all()
    # out-of-area rows: the force file covers the two neighbouring CSPs as well
    prefixes = set(street.loc[placed, "LSOA name"].str.replace(r" \d{3}[A-E]$", "", regex=True))
    assert prefixes == {WV, "Casterbridge", "Budmouth"}


def test_street_rows_are_sorted_as_published(raw):
    df = pd.read_csv(raw / "police_street" / "2024-07" / "2024-07-wessex-street.csv", dtype=str, keep_default_na=False)
    placed = df[df["LSOA name"] != ""]
    key = list(zip(placed["LSOA name"], placed["Crime type"]))
    assert key == sorted(key)
    assert (df["LSOA name"] == "").to_numpy().argmax() in (0, len(placed))  # the unplaced rows come last


def test_volumes_per_year_within_ten_percent_of_targets(street):
    wv = street[street["LSOA name"].str.startswith(WV)]
    asb = wv["Crime type"] == "Anti-social behaviour"
    crimes = wv[~asb].groupby("financial_year").size()
    incidents = wv[asb].groupby("financial_year").size()
    assert list(crimes.index) == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert ((crimes - 30_000).abs() <= 3_000).all(), crimes
    assert ((incidents - 11_000).abs() <= 1_100).all(), incidents


def test_trends_and_seasonality_exist(street):
    wv = street[street["LSOA name"].str.startswith(WV)]
    by = wv.groupby(["Crime type", "financial_year"]).size().unstack()
    change = by["2024/25"] / by["2021/22"] - 1
    assert change["Shoplifting"] > 0.3 and change["Violence and sexual offences"] > 0.08
    assert change["Burglary"] < -0.15 and change["Anti-social behaviour"] < -0.08
    month = wv["Month"].str.slice(5, 7)
    asb = wv[wv["Crime type"] == "Anti-social behaviour"].groupby(month).size()
    assert asb[["06", "07", "08"]].mean() > 1.2 * asb[["12", "01", "02"]].mean()


def test_town_centre_concentrates_shoplifting_and_violence(raw, street):
    lookup = pd.read_csv(raw / "lookups" / "Lower_Layer_Super_Output_Area_2011_to_Ward_2023_Lookup_in_England_and_Wales.csv")
    wards = street.merge(lookup, left_on="LSOA code", right_on="LSOA11CD")
    wv = wards[wards["LAD23NM"] == WV]
    share = wv.groupby("Crime type")["WD23NM"].apply(lambda s: (s == "Abbey Gate").mean())
    assert share["Shoplifting"] > 0.2 and share["Shoplifting"] > 3 * share["Burglary"]


# --------------------------------------------------------------------------- Home Office

def test_prc_tables(raw, prc_csp, prc_pfa, street):
    names = sorted(p.name for p in (raw / "home_office_prc").iterdir())
    assert names == [f"prc-{v}-mar2013-onwards-tables{y}.csv" for v in ("csp", "pfa") for y in ("202122", "202223", "202324", "202425")]
    assert set(prc_csp["Financial Quarter"]) == {"1", "2", "3", "4"}
    assert prc_csp["Offence Code"].nunique() >= 40
    csp_names = set(prc_csp["CSP Name"])
    assert csp_names == {lad.csp_name for lad in NATION} and len(csp_names) == 41
    assert set(MOST_SIMILAR_GROUP) <= csp_names and WV not in MOST_SIMILAR_GROUP
    assert prc_pfa["Force Name"].nunique() == 7  # 6 forces and Action Fraud, as published
    # force totals are the sums of their CSPs'
    csp_tot = prc_csp.groupby(["Financial Year", "Force Name"])["n"].sum()
    pfa_tot = prc_pfa[prc_pfa["Force Name"] != "Action Fraud"].groupby(["Financial Year", "Force Name"])["n"].sum()
    pd.testing.assert_series_equal(csp_tot, pfa_tot)
    # Wessex Vale's recorded crime runs a few per cent above its police.uk crimes
    wv = prc_csp[prc_csp["CSP Name"] == WV].groupby("Financial Year")["n"].sum()
    s = street[street["LSOA name"].str.startswith(WV) & (street["Crime type"] != "Anti-social behaviour")]
    ratio = wv / s.groupby("financial_year").size()
    assert ((ratio > 1.01) & (ratio < 1.08)).all(), ratio
    # the nation: a plausible total and rate
    pop = sum(lad.population for lad in NATION)
    assert 50e6 < pop < 60e6
    rate = prc_csp.groupby("Financial Year")["n"].sum() / pop * 1000
    assert ((rate > 70) & (rate < 120)).all()


# --------------------------------------------------------------------------- formats vs the real files

def _first_line(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.readline()


def _yy(line: bytes) -> bytes:
    return re.sub(rb"(LSOA|WD|LAD|CSP|PFA|RGN)\d\d(CD|NM|NMW)", rb"\1yy\2", line)


def test_headers_equal_the_real_files(raw, shared_data):
    real = {
        "street": shared_data / "police_street" / "hampshire" / "2017-04-hampshire-street.csv",
        "pfa": shared_data / "home_office_prc" / "prc-pfa-mar2013-onwards-tables201718.csv",
        "lsoa": shared_data / "lookups" / "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv",
        "csp": shared_data / "lookups"
        / "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2016__Lookup_in_England_and_Wales.csv",
        "region": shared_data / "lookups" / "Local_Authority_District_to_Region_December_2018_Lookup_in_England.csv",
    }
    ours = {
        "street": raw / "police_street" / "2021-04" / "2021-04-wessex-street.csv",
        "pfa": raw / "home_office_prc" / "prc-pfa-mar2013-onwards-tables202122.csv",
        "lsoa": raw / "lookups" / "Lower_Layer_Super_Output_Area_2011_to_Ward_2023_Lookup_in_England_and_Wales.csv",
        "csp": raw / "lookups"
        / "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2023__Lookup_in_England_and_Wales.csv",
        "region": raw / "lookups" / "Local_Authority_District_to_Region_December_2023_Lookup_in_England.csv",
    }
    for kind in real:
        # same header (column names, order, BOM and line ending), year suffixes aside
        assert _yy(_first_line(ours[kind])) == _yy(_first_line(real[kind])), kind
        real_crlf = b"\r\n" in real[kind].read_bytes()[:5000]
        assert (b"\r\n" in ours[kind].read_bytes()[:5000]) == real_crlf, kind
    assert _first_line(ours["csp"]).startswith(b"\xef\xbb\xbf")
    csp_variant = _first_line(raw / "home_office_prc" / "prc-csp-mar2013-onwards-tables202122.csv")
    assert csp_variant == _first_line(real["pfa"]).replace(b"Force Name,", b"Force Name,CSP Name,")


def test_value_styles_match_the_real_files(raw, shared_data):
    real_prc = pd.read_csv(shared_data / "home_office_prc" / "prc-pfa-mar2013-onwards-tables201718.csv", dtype=str)
    ours_prc = pd.read_csv(raw / "home_office_prc" / "prc-pfa-mar2013-onwards-tables202122.csv", dtype=str)
    style = r" \d+ |-00 |-\d+ "  # " 5157 ", zero as "-00 ", a negative adjustment as "-1 "
    assert real_prc["Number of Offences"].str.fullmatch(style).all()
    assert ours_prc["Number of Offences"].str.fullmatch(style).all()
    for value in ("-00 ", "-1 "):
        assert (real_prc["Number of Offences"] == value).any() and (ours_prc["Number of Offences"] == value).any()
    # our offence classification is the Home Office's: same description, group, subgroup for each code
    cols = ["Offence Code", "Offence Description", "Offence Group", "Offence Subgroup"]
    real_codes = set(map(tuple, real_prc[cols].drop_duplicates().to_numpy()))
    ours_codes = set(map(tuple, ours_prc[cols].drop_duplicates().to_numpy()))
    assert ours_codes <= real_codes
    # quoting as published: descriptions with commas in double quotes
    assert b'"Public fear, alarm or distress"' in (raw / "home_office_prc" / "prc-pfa-mar2013-onwards-tables202122.csv").read_bytes()
    real_street = pd.read_csv(shared_data / "police_street" / "hampshire" / "2017-04-hampshire-street.csv", dtype=str,
                              keep_default_na=False)
    ours_street = pd.read_csv(raw / "police_street" / "2021-04" / "2021-04-wessex-street.csv", dtype=str, keep_default_na=False)
    assert set(ours_street["Crime type"]) == set(real_street["Crime type"])
    real_outcomes = set()
    for path in (shared_data / "police_street" / "hampshire").glob("*-street.csv"):
        column = pd.read_csv(path, usecols=["Last outcome category"], dtype=str, keep_default_na=False, engine="pyarrow")
        real_outcomes |= set(column["Last outcome category"])
    # outcome labels as police.uk writes them (two current ones postdate the 2017 files)
    ours = set().union(*(pd.read_csv(p, usecols=["Last outcome category"], dtype=str, keep_default_na=False)[
        "Last outcome category"] for p in sorted((raw / "police_street").glob("*/*.csv"))[::12]))
    assert ours - {"Under investigation", "Further investigation is not in the public interest"} <= real_outcomes
    for df in (real_street, ours_street):
        placed = df[df["Longitude"] != ""]
        assert placed["Longitude"].str.fullmatch(r"-?\d+\.\d{6}").all()


def test_category_mix_like_hampshire(street, shared_data):
    real = pd.read_csv(shared_data / "police_street" / "hampshire" / "2017-06-hampshire-street.csv", dtype=str,
                       keep_default_na=False)
    real_mix = real["Crime type"].value_counts(normalize=True)
    ours = street[street["LSOA name"].str.startswith(WV)]["Crime type"].value_counts(normalize=True)
    assert (ours - real_mix).abs().max() < 0.06
    assert ours.index[0] in ("Violence and sexual offences", "Anti-social behaviour")


# --------------------------------------------------------------------------- ONS files

def test_lookups(raw):
    lookups = raw / "lookups"
    lsoa = pd.read_csv(next(lookups.glob("Lower_Layer*.csv")), dtype=str, keep_default_na=False)
    wv = lsoa[lsoa["LAD23NM"] == WV]
    assert len(wv) == 150 and wv["WD23CD"].nunique() == 16
    assert wv["LSOA11CD"].str.fullmatch(r"E01999\d{3}").all() and wv["WD23CD"].str.fullmatch(r"E05999\d{3}").all()
    assert wv["LSOA11NM"].str.fullmatch(r"Wessex Vale \d{3}[A-E]").all()
    assert lsoa["LSOA11CD"].is_unique and (lsoa["FID"] == [str(i) for i in range(1, len(lsoa) + 1)]).all()
    csp = pd.read_csv(next(lookups.glob("Local_Authority_District_to_Community*.csv")), dtype=str, encoding="utf-8-sig")
    assert len(csp) == 42 and csp["CSP23CD"].nunique() == 41 and csp["PFA23CD"].nunique() == 6
    row = csp[csp["LAD23CD"] == "E06999001"].iloc[0]
    assert (row["CSP23CD"], row["CSP23NM"], row["PFA23CD"], row["PFA23NM"]) == ("E22999001", WV, "E23999001", "Wessex")
    assert (csp.loc[csp["PFA23NM"] == "Wessex", "CSP23NM"].tolist()) == [WV, "Casterbridge", "Budmouth"]
    assert csp.groupby("CSP23NM").size().max() == 2  # North Pennines spans two authorities
    region = pd.read_csv(next(lookups.glob("Local_Authority_District_to_Region*.csv")), dtype=str)
    assert set(region["LAD23CD"]) == set(csp["LAD23CD"])


def _sheet(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    assert wb.sheetnames[0] == "Mid-2023 Persons"
    return list(wb["Mid-2023 Persons"].iter_rows(values_only=True))


def _mye_lads(raw: Path, year: int = 2023) -> pd.DataFrame:
    """The local authority rows of the demo's ONS UK workbook for ``year`` (persons sheet)."""
    wb = openpyxl.load_workbook(io.BytesIO((raw / "population" / f"ukmidyearestimates{year}.xlsx").read_bytes()), read_only=True)
    sheet = "MYE2 - Persons" if year == 2023 else "MYE2 - All"
    rows = list(wb[sheet].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == "Code")
    body = pd.DataFrame([r for r in rows[at + 1:] if r and re.fullmatch(r"[A-Z]\d{8}", str(r[0]))], columns=rows[at])
    return body[body["Code"].str.startswith("E06")].reset_index(drop=True)


def test_population_workbooks(raw):
    tables = {}
    for level in ("lsoa", "ward"):
        path = next((raw / "population").glob(f"*{level}-mid-2023-population-estimates.xlsx"))
        rows = _sheet(path)
        header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Area Codes")
        assert header_at == 4 and "SYNTHETIC" in str(rows[1][0])
        header = rows[header_at]
        assert header[:3] == ("Area Codes", "Area Names", "All Ages")
        assert list(header[3:93]) == list(range(90)) and header[93] == "90+"
        body = pd.DataFrame(rows[header_at + 1:], columns=header)
        ages = body[list(header[3:])].to_numpy(dtype=np.int64)
        assert (ages.sum(axis=1) == body["All Ages"].to_numpy()).all()
        tables[level] = body
    lsoa, ward = tables["lsoa"], tables["ward"]
    lad = _mye_lads(raw)  # local authorities, regions and England: the ONS UK workbook
    wv_lsoa = lsoa[lsoa["Area Names"].str.startswith(WV)]
    wv = lad[lad["Name"] == WV].iloc[0]
    assert wv_lsoa["All Ages"].sum() == wv["All ages"] == 252_000
    assert ward["All Ages"].sum() == lsoa["All Ages"].sum()
    assert len(lad) == 42 and lad["All ages"].sum() == sum(la.population for la in NATION)
    households = pd.read_csv(raw / "population" / "households-lad-2023.csv")
    assert list(households.columns) == ["Area code", "Area name", "Households"]
    persons = lad.set_index("Code")["All ages"] / households.set_index("Area code")["Households"]
    assert persons.between(2.1, 2.6).all()


def test_wards_tile_and_every_point_lies_in_its_ward(raw, street):
    geo = json.loads((raw / demo_config().ward_boundaries).read_text())
    feats = geo["features"]
    assert len(feats) == 16 and all(f["geometry"]["type"] == "Polygon" for f in feats)
    assert {f["properties"]["WD23CD"] for f in feats} == {f"E05999{i:03d}" for i in range(1, 17)}
    rings = {f["properties"]["WD23CD"]: np.array(f["geometry"]["coordinates"][0]) for f in feats}
    for ring in rings.values():
        assert (ring[0] == ring[-1]).all()
    paths = {code: MplPath(ring) for code, ring in rings.items()}
    # no two wards overlap: random points fall in at most one ward, and most fall in one
    allpts = np.vstack(list(rings.values()))
    rng = np.random.default_rng(0)
    sample = rng.uniform(allpts.min(axis=0), allpts.max(axis=0), (20_000, 2))
    inside = np.array([p.contains_points(sample) for p in paths.values()])
    assert inside.sum(axis=0).max() == 1 and inside.any(axis=0).mean() > 0.8
    # every placed Wessex Vale record (hence every map point) lies in the ward of its LSOA
    lookup = pd.read_csv(raw / "lookups" / "Lower_Layer_Super_Output_Area_2011_to_Ward_2023_Lookup_in_England_and_Wales.csv",
                         dtype=str)
    wv = street[street["LSOA name"].str.startswith(WV)].merge(lookup, left_on="LSOA code", right_on="LSOA11CD")
    pts = wv[["Longitude", "Latitude", "WD23CD"]].drop_duplicates()
    assert len(pts) > 2_000
    for code, group in pts.groupby("WD23CD"):
        xy = group[["Longitude", "Latitude"]].astype(float).to_numpy()
        assert paths[code].contains_points(xy).all(), code
        others = [p.contains_points(xy).any() for c, p in paths.items() if c != code]
        assert not any(others), code
    # and so does every LSOA centre
    area = wessex_areas(DEFAULT_SEED)[0]
    for i, code in enumerate(area.lsoa_codes):
        ward = area.ward_codes[area.lsoa_ward[i]]
        assert paths[ward].contains_point(area.lsoa_centre[i])


# --------------------------------------------------------------------------- partner files and configuration

def test_every_partner_file_reads(raw):
    cfg = demo_config()
    tables = {name: read_partner(raw, name, cfg) for name in PARTNER_READERS}
    assert all(t is not None and len(t) for t in tables.values())
    assert sorted(p.name for p in (raw / "partner").iterdir()) == sorted([*DEFAULT_PARTNER_FILES.values(), NARRATIVE_DIR])
    accounts = read_narratives(raw / "partner" / NARRATIVE_DIR, narrative_keys(load_registry().names))
    assert sorted(accounts) == sorted(DEMO_ACCOUNTS)
    assert all("(fictional)" in a.author and a.text.startswith(SYNTHETIC_NOTE) for a in accounts.values())
    assert {c.name for c in load_registry()} <= set(accounts)  # an account of every chapter
    topics = tables["safeguarding_topics"]
    assert topics["source"].str.startswith("Synthetic demonstration figure").all()
    flags = tables["force_flags"]
    assert flags["month"].nunique() == 48 and flags["flag"].nunique() == 22
    hate = flags[flags["flag"] == "hate_crime"]
    assert set(hate["strand"].dropna()) == {"race", "religion", "sexual_orientation", "disability", "transgender"}
    total = hate[hate["strand"].isna()].groupby("month")["count"].sum()
    by_strand = hate[hate["strand"].notna()].groupby("month")["count"].sum()
    assert len(total) == 48 and (by_strand >= total).all() and (by_strand > total).any()  # strands overlap
    assert flags.loc[flags["flag"] == "domestic_abuse", "ward_code"].nunique() == 16
    survey = tables["resident_survey"]
    sizes = survey.groupby("survey_year").size()
    assert len(sizes) >= 2 and sizes.between(900, 1100).all()
    offenders = tables["offenders"]
    assert offenders["financial_year"].nunique() == 4
    repeat = offenders.groupby("offender_id")["financial_year"].nunique()
    assert (repeat > 1).mean() > 0.1  # people are seen again in later years
    assert set(tables["youth_justice"]["financial_year"]) == {"2021/22", "2022/23", "2023/24", "2024/25"}
    assert tables["drug_deaths"]["calendar_year"].nunique() == 6
    assert len(tables["calls_for_service"]) == 144
    assert {"feel_safe_day", "feel_safe_after_dark", "youth_custody_rate", "youth_reoffending_rate",
            "drug_misuse_deaths", "rough_sleeping"} <= set(tables["benchmarks"]["measure"])
    assert len(tables["scorecard"]) >= 5


def test_partner_figures_agree_with_police_and_population(raw, street):
    flags = read_partner(raw, "force_flags")
    by = flags.groupby(["financial_year", "flag"])["count"].sum().unstack()
    wv = street[street["LSOA name"].str.startswith(WV)]
    violence = wv[wv["Crime type"] == "Violence and sexual offences"].groupby("financial_year").size()
    share = by["domestic_violence"] / violence
    assert share.between(0.27, 0.33).all(), share
    burglary = wv[wv["Crime type"] == "Burglary"].groupby("financial_year").size()
    assert (by["burglary_dwelling"] + by["burglary_other"]).equals(burglary.rename(None).astype("int64")) or (
        (by["burglary_dwelling"] + by["burglary_other"]).to_numpy() == burglary.to_numpy()).all()
    yj = read_partner(raw, "youth_justice")
    pop_10_17 = yj[yj["measure"] == "population_10_17"]["value"]
    wv_row = _mye_lads(raw).set_index("Name").loc[WV]
    assert (abs(pop_10_17 / sum(wv_row[a] for a in range(10, 18)) - 1) < 0.03).all()
    rough = read_partner(raw, "rough_sleeping")
    households = pd.read_csv(raw / "population" / "households-lad-2023.csv").set_index("Area name")["Households"]
    assert int(rough.loc[rough["year"] == 2023, "households"].iloc[0]) == int(households[WV])


def test_committed_configuration_is_the_demo_configuration(raw, prc_csp):
    path = ROOT / "config" / "csp" / "wessex-vale.yaml"
    assert path.read_text(encoding="utf-8") == demo_config_yaml()
    cfg = load_config(path)
    assert cfg == demo_config()
    assert cfg.synthetic is True and cfg.slug == "wessex-vale"
    assert cfg.partnership_name == "Wessex Vale Community Safety Partnership"
    assert len(cfg.most_similar_group) == 7 and set(cfg.most_similar_group) <= set(prc_csp["CSP Name"])
    assert cfg.name in set(prc_csp["CSP Name"])
    assert (raw / cfg.ward_boundaries).exists()
    assert cfg.police_force.police_uk == "wessex" and set(prc_csp.loc[prc_csp["CSP Name"] == cfg.name, "Force Name"]) == {
        cfg.police_force.name}



# --------------------------------------------------------------------------- public statistics


def test_public_statistics_in_the_publishers_formats(raw, shared_data):
    """The ONS UK workbooks, the rough sleeping tables and the Fingertips exports have the layouts
    of the real files of ../shared/data, and every reader takes them as it takes those."""
    from assess.sources.discover import classify
    from assess.sources.fingertips import read_fingertips
    from assess.sources.population import read_mid_year_estimates
    from assess.sources.rough_sleeping import combine_editions, read_rough_sleeping

    kinds = {p.relative_to(raw).as_posix(): classify(p, raw).kind
             for folder in ("population", "rough_sleeping", "fingertips") for p in sorted((raw / folder).iterdir())}
    assert {k: v for k, v in kinds.items() if not k.startswith("population/sape")} == {
        "population/households-lad-2023.csv": "households",
        **{f"population/ukmidyearestimates{y}.xlsx": "mid_year_population" for y in (2021, 2022, 2023)},
        **{f"rough_sleeping/Rough_Sleeping_Snapshot_in_England_Autumn_{y}_tables.xlsx": "rough_sleeping" for y in (2023, 2024)},
        **{f"fingertips/fingertips-{i}-area-type-502.data.csv": "fingertips" for i in (10401, 11201, 92432, 93203, 93764)},
    }
    # ONS: a year's workbook per mid-year; earlier layouts as in 2016-17, the mid-2023 edition moved and renamed
    mye = {y: read_mid_year_estimates(raw / "population" / f"ukmidyearestimates{y}.xlsx") for y in (2021, 2022, 2023)}
    wv = {y: int(df.set_index(["area_code", "age_band"]).loc[("E06999001", "all"), "value"]) for y, df in mye.items()}
    assert wv[2023] == 252_000 and wv[2021] < wv[2022] < wv[2023]
    england = mye[2023].set_index(["area_code", "age_band"]).loc[("E92000001", "all"), "value"]
    assert england == sum(la.population for la in NATION)
    assert {"10-17", "16+", "18+"} <= set(mye[2021]["age_band"])
    # rough sleeping: Wessex Vale's counts are those of its partner file; England's the authorities' sum
    rs = combine_editions([read_rough_sleeping(p) for p in sorted((raw / "rough_sleeping").iterdir())])
    partner = read_partner(raw, "rough_sleeping").set_index("year")["rough_sleepers"]
    mine = rs[rs["area_code"] == "E06999001"].set_index("year")["rough_sleepers"]
    assert (mine.loc[partner.index] == partner).all()
    eng = rs[rs["area_code"] == "E92000001"].set_index("year")
    assert 0.12 < eng.loc[2024, "rate_per_1000_households"] < 0.26 and pd.isna(eng.loc[2020, "rate_per_1000_households"])
    # Fingertips: the real download's traps are all there
    path = raw / "fingertips" / "fingertips-10401-area-type-502.data.csv"
    data = path.read_bytes()
    real_header = _first_line(shared_data / "fingertips" / "indicators-CountyUA.data.csv")
    assert _first_line(path) == real_header and data.count(b"\r\n") > 40 and b'system\n",' in data
    ft = read_fingertips(path)
    assert set(ft["area_code"]) == {"E92000001", "E12999009", "E06999001"}
    assert ft.loc[~ft["is_headline"], "area_code"].eq("E92000001").all() and (~ft["is_headline"]).sum() == 40
    assert ft["value_note"].str.contains("Synthetic").all()
    assert ft["indicator_name"].iloc[0] == "First time entrants to the youth justice system"
    assert set(ft["time_period"]) == {"2021", "2022", "2023", "2024"}
