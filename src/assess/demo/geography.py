"""The fictional geography of the demonstration data: a nation of 41 CSPs in 6 police forces.

Every code uses an ONS prefix with an unused 999 block (E06999xxx local authorities, E22999xxx
CSPs, E23999xxx police force areas, E12999xxx regions, E05999xxx wards, E01999xxx LSOAs), so that
it can never be mistaken for a real area. Names come from Thomas Hardy's Wessex and the old
kingdoms of England; region names are the real English regions (with fictional codes).

The demonstration CSP, Wessex Vale, and its two neighbours in the Wessex Police area have wards,
LSOAs and police.uk map points; the other 38 CSPs exist only in the Home Office tables, the
lookups and the population estimates.

Coordinates are WGS84 degrees. Ward polygons tile a rectangle-like area (a jittered lattice
whose shared edges are identical in both neighbours); every LSOA centre and every map point lies
inside its ward's polygon.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from matplotlib.path import Path as MplPath

from assess.config import Area, CSPConfig, PoliceForce


def rng_for(seed: int, part: str) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the demo (``part`` names it)."""
    return np.random.default_rng([seed, zlib.crc32(part.encode("utf-8"))])


# ---------------------------------------------------------------------------------------------
# The nation: regions, forces, local authorities and CSPs
# ---------------------------------------------------------------------------------------------

REGIONS: dict[str, tuple[str, str]] = {
    # key: (code, name)
    "NE": ("E12999001", "North East"),
    "NW": ("E12999002", "North West"),
    "YH": ("E12999003", "Yorkshire and The Humber"),
    "EM": ("E12999004", "East Midlands"),
    "WM": ("E12999005", "West Midlands"),
    "EE": ("E12999006", "East of England"),
    "LO": ("E12999007", "London"),
    "SE": ("E12999008", "South East"),
    "SW": ("E12999009", "South West"),
}


@dataclass(frozen=True)
class Force:
    """A fictional police force area: ONS/Home Office name, PFA code, police.uk slug and name."""

    key: str
    name: str
    code: str
    slug: str
    police_uk_name: str


FORCES: dict[str, Force] = {
    f.key: f
    for f in (
        Force("wessex", "Wessex", "E23999001", "wessex", "Wessex Police"),
        Force("dumnonia", "Dumnonia", "E23999002", "dumnonia", "Dumnonia Constabulary"),
        Force("mercia", "Mercia", "E23999003", "mercia", "Mercia Police"),
        Force("deira", "Deira", "E23999004", "deira", "Deira Constabulary"),
        Force("bernicia", "Bernicia", "E23999005", "bernicia", "Bernicia Police"),
        Force("londinium", "Londinium", "E23999006", "londinium", "Londinium Metropolitan Police Service"),
    )
}


@dataclass(frozen=True)
class LocalAuthority:
    """A fictional local authority district (LAD) and the CSP and force it belongs to.

    ``crime_index`` scales the national crime rates (1.0 = national average per head);
    ``population`` is the mid-2023 resident population (persons).
    """

    code: str
    name: str
    csp_code: str
    csp_name: str
    force: str
    region: str
    population: int
    crime_index: float


# (LAD name, CSP name or None = same as LAD, force, region, mid-2023 population, crime index)
_NATION: tuple[tuple[str, str | None, str, str, int, float], ...] = (
    ("Wessex Vale", None, "wessex", "SW", 252_000, 1.22),
    ("Casterbridge", None, "wessex", "SW", 131_000, 0.80),
    ("Budmouth", None, "wessex", "SW", 98_000, 0.85),
    ("Isca", None, "dumnonia", "SW", 330_000, 1.05),
    ("Tamar Valley", None, "dumnonia", "SW", 268_000, 1.10),
    ("Kernow", None, "dumnonia", "SW", 575_000, 0.75),
    ("Exmoor and Quantock", None, "dumnonia", "SW", 560_000, 0.70),
    ("Torbridge", None, "dumnonia", "SW", 139_000, 0.95),
    ("Sarum Downs", None, "dumnonia", "SW", 1_780_000, 0.72),
    ("Glevum Vale", None, "dumnonia", "SW", 1_650_000, 0.80),
    ("Mercia City", None, "mercia", "WM", 3_750_000, 1.25),
    ("Lichmere", None, "mercia", "WM", 265_000, 1.00),
    ("Tamesford", None, "mercia", "WM", 306_000, 1.08),
    ("Severn Marches", None, "mercia", "WM", 2_120_000, 0.78),
    ("Arden", None, "mercia", "WM", 1_910_000, 0.82),
    ("Wrekinford", None, "mercia", "WM", 185_000, 0.95),
    ("Ratae", None, "mercia", "EM", 370_000, 1.15),
    ("Lindum", None, "mercia", "EM", 235_000, 0.98),
    ("Trent Marches", None, "mercia", "EM", 2_420_000, 0.85),
    ("Peak Fringe", None, "mercia", "EM", 1_400_000, 0.74),
    ("Eboracum", None, "deira", "YH", 3_150_000, 1.20),
    ("Deira Wolds", None, "deira", "YH", 1_920_000, 0.80),
    ("Ouse Vale", None, "deira", "YH", 211_000, 0.92),
    ("Holderby", None, "deira", "YH", 260_000, 1.12),
    ("Calderholt", None, "deira", "YH", 1_830_000, 0.95),
    ("Aire and Calder", None, "deira", "YH", 2_100_000, 1.02),
    ("Bernicia City", None, "bernicia", "NE", 1_450_000, 1.10),
    ("Tynemere", None, "bernicia", "NE", 295_000, 1.06),
    ("Cheviot", None, "bernicia", "NE", 1_330_000, 0.78),
    ("Alstonby", "North Pennines", "bernicia", "NE", 160_000, 0.80),
    ("Weardale Heights", "North Pennines", "bernicia", "NE", 140_000, 0.80),
    ("Mamucium", None, "bernicia", "NW", 3_570_000, 1.22),
    ("Lune Valley", None, "bernicia", "NW", 1_550_000, 0.88),
    ("Mersey Reach", None, "bernicia", "NW", 1_730_000, 1.05),
    ("Eden Fells", None, "bernicia", "NW", 500_000, 0.76),
    ("Londinium Central", None, "londinium", "LO", 1_800_000, 1.45),
    ("Londinium North", None, "londinium", "LO", 2_050_000, 1.10),
    ("Londinium South", None, "londinium", "LO", 2_100_000, 1.12),
    ("Londinium East", None, "londinium", "LO", 2_200_000, 1.18),
    ("Londinium West", None, "londinium", "LO", 1_650_000, 1.05),
    ("Trinovantia", None, "londinium", "EE", 3_400_000, 0.82),
    ("Cantium Weald", None, "londinium", "SE", 3_200_000, 0.84),
)


def _build_nation() -> tuple[LocalAuthority, ...]:
    csp_codes: dict[str, str] = {}
    out = []
    for i, (lad, csp, force, region, pop, index) in enumerate(_NATION, start=1):
        csp_name = csp or lad
        if csp_name not in csp_codes:
            csp_codes[csp_name] = f"E22999{len(csp_codes) + 1:03d}"
        out.append(LocalAuthority(f"E06999{i:03d}", lad, csp_codes[csp_name], csp_name, force, region, pop, index))
    return tuple(out)


#: Every local authority of the fictional nation, Wessex Vale first.
NATION: tuple[LocalAuthority, ...] = _build_nation()

DEMO_LAD = NATION[0]
DEMO_FORCE = FORCES["wessex"]
#: The seven CSPs Wessex Vale is compared with (the Home Office "most similar group").
MOST_SIMILAR_GROUP: tuple[str, ...] = ("Isca", "Tamar Valley", "Lichmere", "Tamesford", "Lindum", "Holderby", "Tynemere")
DEMO_PARTNERSHIP = "Wessex Vale Community Safety Partnership"
WARD_BOUNDARIES_FILE = "geography/wessex_vale_wards_2023.geojson"


def csps() -> list[tuple[str, str, str]]:
    """The distinct CSPs as (code, name, force key), in code order."""
    seen: dict[str, tuple[str, str, str]] = {}
    for lad in NATION:
        seen.setdefault(lad.csp_code, (lad.csp_code, lad.csp_name, lad.force))
    return list(seen.values())


def csp_population(csp_code: str) -> int:
    """Mid-2023 population of a CSP (sum of its local authorities)."""
    return sum(lad.population for lad in NATION if lad.csp_code == csp_code)


def demo_config() -> CSPConfig:
    """The CSP configuration of Wessex Vale, as committed in config/csp/wessex-vale.yaml."""
    return CSPConfig(
        name=DEMO_LAD.csp_name,
        code=DEMO_LAD.csp_code,
        slug="wessex-vale",
        partnership_name=DEMO_PARTNERSHIP,
        local_authorities=[Area(code=DEMO_LAD.code, name=DEMO_LAD.name)],
        police_force=PoliceForce(name=DEMO_FORCE.name, code=DEMO_FORCE.code, police_uk=DEMO_FORCE.slug),
        most_similar_group=list(MOST_SIMILAR_GROUP),
        national_name="England",
        ward_boundaries=WARD_BOUNDARIES_FILE,
        priorities=[
            "Reduce violence, including domestic abuse and violence in the night-time economy",
            "Reduce anti-social behaviour and the harm it causes to victims and neighbourhoods",
            "Reduce the harm caused by drugs and alcohol",
            "Protect vulnerable people, including children at risk of exploitation",
            "Reduce youth crime and reoffending",
        ],
        suppression_threshold=5,
        synthetic=True,
    )


# ---------------------------------------------------------------------------------------------
# Local geography of the Wessex Police area: wards, LSOAs and police.uk map points
# ---------------------------------------------------------------------------------------------

WARD_NAMES: dict[str, tuple[str, ...]] = {
    "Wessex Vale": (
        "Mellstock",
        "Weatherbury",
        "Egdon Heath",
        "Longpuddle",
        "Marlott",
        "Abbey Gate",  # the town centre (night-time economy, shops): TOWN_CENTRE_WARD
        "Talbothays",
        "Flintcomb",
        "Overcombe",
        "Kingsbere",
        "Stourcastle",
        "Sherton",
        "Emminster",
        "Norcombe",
        "Chalk Newton, Hintock and Lulstead",
        "Greenhill",
    ),
    "Casterbridge": (
        "Durnover",
        "Mixen Lane",
        "Froom Vale",
        "Ten Hatches",
        "High Place",
        "Bull Stake",
        "Mai Dun",
        "Standfast",
        "Weydon Priors",
    ),
    "Budmouth": ("Budmouth Regis", "Harbourside", "Esplanade", "Ridgeway Heights", "Nothe Point", "Chesil Reach"),
}

# LAD name: (ward lattice rows, cols, number of LSOAs, (west, south, east, north), first ward code, first LSOA code)
_LOCAL: dict[str, tuple[int, int, int, tuple[float, float, float, float], int, int]] = {
    "Wessex Vale": (4, 4, 150, (-2.300, 50.880, -2.060, 51.020), 1, 1),
    "Casterbridge": (3, 3, 80, (-2.560, 50.860, -2.330, 50.980), 101, 201),
    "Budmouth": (2, 3, 60, (-2.200, 50.740, -1.990, 50.855), 201, 401),
}

#: The ward (0-based, in WARD_NAMES order) that is each authority's town centre.
TOWN_CENTRE_WARD: dict[str, int] = {"Wessex Vale": 5, "Casterbridge": 4, "Budmouth": 1}

STREET_STEMS = (
    "Abbey", "Acorn", "Alder", "Ash", "Barley", "Barnes", "Beech", "Birch", "Bramble", "Bridge",
    "Brook", "Castle", "Cedar", "Chalk", "Chapel", "Cherry", "Church", "Clover", "Coombe", "Copse",
    "Dairy", "Downs", "Elm", "Farfrae", "Fern", "Ferry", "Field", "Forge", "Fox", "Gabriel",
    "Glebe", "Hardy", "Hawthorn", "Hazel", "Heath", "Henchard", "Holly", "Kiln", "Lark", "Lime",
    "Manor", "Meadow", "Mill", "Minster", "Oak", "Orchard", "Pound", "Priory", "Quarry", "Rectory",
    "Ridge", "River", "Rowan", "School", "Sheep", "Station", "Tithe", "Troy", "Venn", "Vicarage",
    "Walnut", "Well", "Wildeve", "Willow", "Yeobright", "Yew",
)
STREET_SUFFIXES = (
    ("Road", 30), ("Close", 17), ("Street", 10), ("Lane", 8), ("Way", 6), ("Avenue", 5), ("Gardens", 4),
    ("Court", 4), ("Place", 4), ("Drive", 3), ("Crescent", 3), ("Grove", 2), ("Hill", 1), ("Mews", 1),
    ("Walk", 1), ("Square", 1), ("Green", 1), ("Terrace", 1), ("Rise", 1), ("Row", 1), ("Mead", 1),
)
#: police.uk names anonymised points that are not streets by what is there.
SHOP_PLACES = ("Supermarket", "Shopping Area", "Petrol Station")
OTHER_PLACES = (
    "Parking Area", "Sports/Recreation Area", "Park/Open Space", "Further/Higher Educational Building",
    "Pedestrian Subway", "Nightclub", "Hospital", "Police Station", "Bus/Coach Station", "Theatre/Concert Hall",
)
#: Map points per LSOA (point 0 is a shop, point 1 another named place, the rest streets).
POINTS_PER_LSOA = 18


@dataclass
class LocalArea:
    """Wards, LSOAs and map points of one local authority of the Wessex Police area.

    Arrays are aligned: ``lsoa_*`` by LSOA, ``point_*`` by map point (``POINTS_PER_LSOA`` per LSOA,
    LSOA ``i`` owning points ``i*K .. i*K+K-1``).
    """

    lad: LocalAuthority
    ward_codes: list[str]
    ward_names: list[str]
    ward_rings: list[np.ndarray]  # (n, 2) lon/lat, counter-clockwise, not closed
    outline: np.ndarray  # the outer boundary ring of the authority
    lsoa_codes: list[str]
    lsoa_names: list[str]
    lsoa_ward: np.ndarray  # index into ward_* of each LSOA
    lsoa_centre: np.ndarray  # (n, 2)
    lsoa_population: np.ndarray  # mid-2023 persons
    point_lonlat: np.ndarray  # (n*K, 2)
    point_location: list[str]  # "On or near ..."

    @property
    def n_lsoa(self) -> int:
        return len(self.lsoa_codes)


def _edge_points(a: np.ndarray, b: np.ndarray, rng: np.random.Generator, wobble: float) -> np.ndarray:
    """Two intermediate points on segment a->b, pushed sideways so that edges look drawn."""
    d = b - a
    normal = np.array([-d[1], d[0]])
    t = np.array([1 / 3, 2 / 3])
    offs = np.clip(rng.normal(0, wobble / 2, 2), -wobble, wobble)
    return np.round(a + t[:, None] * d + offs[:, None] * normal, 6)


def tile_wards(
    rows: int, cols: int, bbox: tuple[float, float, float, float], rng: np.random.Generator
) -> tuple[list[np.ndarray], np.ndarray]:
    """Ward polygons tiling ``bbox`` (west, south, east, north) as a jittered ``rows`` x ``cols`` lattice.

    Returns the ward rings (row-major, counter-clockwise, unclosed) and the outer boundary ring.
    Neighbouring wards share their common edge point for point, so the wards tile the area.
    """
    west, south, east, north = bbox
    dx, dy = (east - west) / cols, (north - south) / rows
    v = np.empty((rows + 1, cols + 1, 2))
    for i in range(rows + 1):
        for j in range(cols + 1):
            v[i, j] = (west + j * dx, south + i * dy)
    v[..., 0] += rng.uniform(-0.18, 0.18, (rows + 1, cols + 1)) * dx
    v[..., 1] += rng.uniform(-0.18, 0.18, (rows + 1, cols + 1)) * dy
    v = np.round(v, 6)  # as published (six decimals), so that tests see the very same polygons
    edges: dict[tuple[tuple[int, int], tuple[int, int]], np.ndarray] = {}

    def edge(p: tuple[int, int], q: tuple[int, int]) -> np.ndarray:
        key = (p, q) if p < q else (q, p)
        if key not in edges:
            edges[key] = _edge_points(v[key[0]], v[key[1]], rng, 0.08)
        pts = edges[key]
        return pts if key == (p, q) else pts[::-1]

    def walk(corners: list[tuple[int, int]]) -> np.ndarray:
        ring = []
        for k, p in enumerate(corners):
            q = corners[(k + 1) % len(corners)]
            ring.append(v[p][None, :])
            ring.append(edge(p, q))
        return np.vstack(ring)

    rings = []
    for i in range(rows):
        for j in range(cols):
            rings.append(walk([(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j)]))
    perimeter = (
        [(0, j) for j in range(cols)]
        + [(i, cols) for i in range(rows)]
        + [(rows, j) for j in range(cols, 0, -1)]
        + [(i, 0) for i in range(rows, 0, -1)]
    )
    return rings, walk(perimeter)


def polygon_area(ring: np.ndarray) -> float:
    """Signed area (shoelace) of a ring in squared degrees; positive when counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def points_in_ring(ring: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Boolean mask of the points (n, 2) that lie inside the polygon ``ring``."""
    return MplPath(np.vstack([ring, ring[:1]])).contains_points(pts)


def _sample_inside(ring: np.ndarray, n: int, rng: np.random.Generator, centre=None, sd=None) -> np.ndarray:
    """``n`` points inside ``ring``: uniform over it, or normal around ``centre`` with spread ``sd``."""
    lo, hi = ring.min(axis=0), ring.max(axis=0)
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        m = max(4 * (n - got), 16)
        cand = rng.uniform(lo, hi, (m, 2)) if centre is None else rng.normal(centre, sd, (m, 2))
        cand = np.round(cand, 6)  # points are published with six decimals: test what is published
        keep = cand[points_in_ring(ring, cand)]
        out.append(keep)
        got += len(keep)
    return np.vstack(out)[:n]


def _spread(cands: np.ndarray, n: int) -> np.ndarray:
    """Farthest-point selection of ``n`` of the candidate points (deterministic)."""
    chosen = [0]
    d = np.hypot(*(cands - cands[0]).T)
    for _ in range(1, n):
        k = int(np.argmax(d))
        chosen.append(k)
        d = np.minimum(d, np.hypot(*(cands - cands[k]).T))
    return cands[chosen]


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing exactly to ``total`` (largest remainder)."""
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def _street_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct fictional street names ("Hardy Close")."""
    names = [s for s, _w in STREET_SUFFIXES]
    w = np.array([w for _s, w in STREET_SUFFIXES], dtype=float)
    out: list[str] = []
    while len(out) < n:
        stems = rng.integers(len(STREET_STEMS), size=3 * n)
        suffixes = rng.choice(len(names), size=3 * n, p=w / w.sum())
        for a, b in zip(stems, suffixes):
            name = f"{STREET_STEMS[a]} {names[b]}"
            if name not in out:
                out.append(name)
    return out[:n]


def build_local_area(lad: LocalAuthority, seed: int) -> LocalArea:
    """Wards, LSOAs (with populations) and map points of one Wessex Police local authority."""
    rows, cols, n_lsoa, bbox, ward0, lsoa0 = _LOCAL[lad.name]
    rng = rng_for(seed, f"geography/{lad.name}")
    rings, outline = tile_wards(rows, cols, bbox, rng)
    names = list(WARD_NAMES[lad.name])
    n_wards = len(names)
    assert n_wards == rows * cols
    ward_codes = [f"E05999{ward0 + k:03d}" for k in range(n_wards)]
    # LSOAs per ward: as equal as possible, the extra ones in random wards
    per_ward = np.full(n_wards, n_lsoa // n_wards)
    per_ward[rng.permutation(n_wards)[: n_lsoa - per_ward.sum()]] += 1
    lsoa_ward = np.repeat(np.arange(n_wards), per_ward)
    centres = np.vstack([_spread(_sample_inside(rings[w], 40 * k, rng), k) for w, k in enumerate(per_ward)])
    # LSOA names: "<LAD> <MSOA><letter>", MSOAs of up to five LSOAs that never cross a ward
    lsoa_names: list[str] = []
    msoa = 0
    for k in per_ward:
        for start in range(0, k, 5):
            msoa += 1
            for letter in range(min(5, k - start)):
                lsoa_names.append(f"{lad.name} {msoa:03d}{'ABCDE'[letter]}")
    lsoa_codes = [f"E01999{lsoa0 + i:03d}" for i in range(n_lsoa)]
    pop = _allocate(lad.population, np.clip(rng.normal(1.0, 0.12, n_lsoa), 0.6, 1.5))
    # map points around each LSOA centre, inside the ward
    spacing = np.sqrt(np.array([abs(polygon_area(r)) for r in rings]) / per_ward)
    points = np.vstack(
        [
            _sample_inside(rings[lsoa_ward[i]], POINTS_PER_LSOA, rng, centre=centres[i], sd=0.35 * spacing[lsoa_ward[i]])
            for i in range(n_lsoa)
        ]
    )
    locations: list[str] = []
    for i in range(n_lsoa):
        shop = SHOP_PLACES[rng.integers(len(SHOP_PLACES))]
        other = OTHER_PLACES[rng.integers(len(OTHER_PLACES))]
        locations += [f"On or near {p}" for p in (shop, other, *_street_names(rng, POINTS_PER_LSOA - 2))]
    return LocalArea(
        lad=lad,
        ward_codes=ward_codes,
        ward_names=names,
        ward_rings=rings,
        outline=outline,
        lsoa_codes=lsoa_codes,
        lsoa_names=lsoa_names,
        lsoa_ward=lsoa_ward,
        lsoa_centre=centres,
        lsoa_population=pop,
        point_lonlat=points,
        point_location=locations,
    )


def wessex_areas(seed: int) -> list[LocalArea]:
    """The local geography of the three authorities of the Wessex Police area, Wessex Vale first."""
    return [build_local_area(lad, seed) for lad in NATION if lad.force == "wessex"]
