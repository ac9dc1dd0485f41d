"""Deterministic synthetic demonstration data for a fictional CSP, Wessex Vale.

``write_demo(raw_dir, seed)`` writes, in exactly the publishers' formats, everything an assessment
reads: police.uk street files for the Wessex Police area (four financial years, 2021/22 to
2024/25), the Home Office recorded crime tables (force and CSP variants) for a fictional nation of
41 CSPs in 6 forces, ONS lookups, population estimates (small-area workbooks and the UK mid-year
estimate workbooks), households and ward boundaries, the rough sleeping snapshot tables, Fingertips
exports of the community safety indicators, and every partner file (``data/raw/partner/``). The same seed gives byte-identical files.

Everything is fictional and marked as such: ``data/raw/DEMO_README.md`` says these are synthetic
demonstration data, and the CSP configuration (``config/csp/wessex-vale.yaml``, see
:func:`demo_config`) sets ``synthetic: true`` so that every output says so too.

Modules: :mod:`.geography` (the nation, wards, LSOAs, map points), :mod:`.police` (street files),
:mod:`.home_office` (PRC tables), :mod:`.ons` (lookups, population, boundaries),
:mod:`.public_statistics` (ONS MYE workbooks, rough sleeping tables, Fingertips exports),
:mod:`.partner_data` (partner files), :mod:`.formats` (deterministic atomic writers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from assess.config import dump_config
from assess.demo.formats import write_file
from assess.demo.geography import (
    DEMO_FORCE,
    DEMO_LAD,
    MOST_SIMILAR_GROUP,
    NATION,
    demo_config,
    wessex_areas,
)
from assess.demo.home_office import write_prc_tables
from assess.demo.ons import write_ons_files
from assess.demo.partner_data import write_partner_files
from assess.demo.police import demo_months, write_street_files
from assess.demo.public_statistics import write_public_statistics

DEFAULT_SEED = 2017
DEMO_SLUG = "wessex-vale"

DEMO_README = """\
# Synthetic demonstration data

These files are **synthetic demonstration data**, written by `assess demo` (seed {seed}).
They describe a fictional Community Safety Partnership, **Wessex Vale** (CSP {csp_code},
local authority {lad_code}), policed by the fictional **{force}** (police.uk slug `{slug}`),
in a fictional nation of {n_csps} CSPs in 6 police forces. No figure is a real statistic and no
record is about a real person or place, although every file has the exact format of the
public file it stands in for (police.uk, Home Office, ONS, MHCLG, OHID Fingertips) or of the partner data dictionary
(`data/raw/README.md`).

Codes use unused ONS blocks (E06999xxx, E22999xxx, E23999xxx, E12999xxx, E05999xxx, E01999xxx),
so they cannot be mistaken for real areas; England keeps its code (E92000001), the fictional
nation standing in for it. The CSP configuration `config/csp/wessex-vale.yaml` sets
`synthetic: true`, and every report built from these files says it uses synthetic data.

| folder | what | stands in for |
|---|---|---|
| `police_street/YYYY-MM/` | street-level crime and ASB, Wessex Police, 2021-04 to 2025-03 | data.police.uk archive |
| `home_office_prc/` | police recorded crime by force and by CSP, 2021/22 to 2024/25 | Home Office PRC open data tables |
| `lookups/` | LSOA -> ward -> LAD, LAD -> CSP -> PFA, LAD -> region | ONS Open Geography Portal |
| `population/` | mid-2023 population by single year of age (LSOA, ward); mid-2021 to mid-2023 by local authority, region and England (the UK workbook layout); households | ONS mid-year estimates |
| `rough_sleeping/` | autumn snapshot counts 2010-2024 by local authority and region, households and rates (editions 2023 and 2024) | MHCLG rough sleeping snapshot tables |
| `fingertips/` | first-time entrants, drug misuse deaths, alcohol-related admissions, admissions for violence, domestic abuse incidents and crimes for Wessex Vale, its region and England | OHID Fingertips exports |
| `geography/` | Wessex Vale ward boundaries (GeoJSON) | ONS ward boundaries |
| `partner/` | force flags, resident survey, offenders, youth justice, rough sleeping, drug deaths, calls for service, national benchmarks, scorecard targets, safeguarding topic counts, recommendations; `narrative/`: the partners' account of every chapter and of four topics (synthetic text) | a partnership's own data and words |

Most similar group of Wessex Vale: {msg}.

Write them again with `assess demo` (or `make assessment`); the same seed gives byte-identical files.
"""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`write_demo` wrote: the files, the rows of each kind, the seed and the time taken."""

    raw_dir: Path
    seed: int
    paths: tuple[Path, ...]
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def bytes(self) -> int:
        """Total size of the files written, in bytes."""
        return sum(p.stat().st_size for p in self.paths)

    def describe(self) -> str:
        """A few lines for the command line."""
        lines = [
            f"Synthetic demonstration data (seed {self.seed}) written to {self.raw_dir}:",
            f"  {len(self.paths)} files, {self.bytes / 1e6:.1f} MB, in {self.seconds:.1f} s",
        ]
        lines += [f"  {kind}: {n:,} rows" for kind, n in self.rows.items()]
        return "\n".join(lines)


def demo_config_yaml() -> str:
    """The text of config/csp/wessex-vale.yaml (a header comment, then the configuration)."""
    header = (
        "# Wessex Vale: the fictional CSP of the synthetic demonstration data (`assess demo`).\n"
        "# Fields are explained in config/csp/README.md.\n"
    )
    return header + dump_config(demo_config())


def write_demo_config(config_dir: str | Path) -> Path:
    """Write ``<config_dir>/wessex-vale.yaml`` atomically and return its path."""
    return write_file(Path(config_dir) / f"{DEMO_SLUG}.yaml", demo_config_yaml().encode("utf-8"))


def write_demo(raw_dir: str | Path, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Write the synthetic demonstration data set into ``raw_dir`` (each file atomically).

    Deterministic: the same ``seed`` gives byte-identical files. Files already in ``raw_dir``
    with other names are left alone; files with the demo's names are replaced.
    """
    started = time.perf_counter()
    raw_dir = Path(raw_dir)
    months = demo_months()
    areas = wessex_areas(seed)
    paths: list[Path] = []
    rows: dict[str, int] = {}

    street_paths, street_rows, placed = write_street_files(raw_dir, areas, seed, months)
    paths += street_paths
    rows["police_uk_street"] = street_rows

    prc_paths, prc_rows, _rc = write_prc_tables(raw_dir, placed, seed, months)
    paths += prc_paths
    rows.update(prc_rows)

    ons_paths, ons_rows, ons = write_ons_files(raw_dir, areas, seed)
    paths += ons_paths
    rows.update(ons_rows)

    lad_ages = {code: ages for code, _name, ages in ons["population"]["lad"]}
    public_paths, public_rows = write_public_statistics(raw_dir, areas[0], lad_ages, ons["households"], seed)
    paths += public_paths
    rows.update(public_rows)

    partner_paths, partner_rows = write_partner_files(
        raw_dir, areas[0], placed, months, ons["population"], ons["households"], seed
    )
    paths += partner_paths
    rows.update(partner_rows)

    readme = DEMO_README.format(
        seed=seed,
        csp_code=DEMO_LAD.csp_code,
        lad_code=DEMO_LAD.code,
        force=DEMO_FORCE.police_uk_name,
        slug=DEMO_FORCE.slug,
        n_csps=len({lad.csp_code for lad in NATION}),
        msg=", ".join(MOST_SIMILAR_GROUP),
    )
    paths.append(write_file(raw_dir / "DEMO_README.md", readme.encode("utf-8")))
    return DemoSummary(raw_dir, seed, tuple(paths), rows, time.perf_counter() - started)


__all__ = ["DemoSummary", "demo_config", "demo_config_yaml", "write_demo", "write_demo_config", "DEFAULT_SEED"]
