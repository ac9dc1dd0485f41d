"""Synthetic public statistics in the publishers' formats: ONS mid-year estimate workbooks, the
MHCLG rough sleeping snapshot tables and Fingertips indicator exports.

Formats follow the real files of ../shared/data (docs/data-model.md), so the demo exercises the
readers as a real assessment would:

* ``population/ukmidyearestimates{2021,2022,2023}.xlsx``: the ONS UK workbook, one per mid-year;
  sheet ``MYE2 - All`` (mid-2021, mid-2022: title rows, header on row 5 ``Code, Name, Geography1,
  All ages, 0 ... 89, 90``) or ``MYE2 - Persons`` (mid-2023: header on row 8, ``Geography`` and
  ``90+``), beside ``MYE2 - M``/``MYE2 - F`` (``... - Males``/``- Females``), contents and notes;
  rows for England, the nine regions and every local authority. The mid-2023 figures are those of
  the small-area workbooks (their sum by authority); earlier years are scaled from them.
* ``rough_sleeping/Rough_Sleeping_Snapshot_in_England_Autumn_{2023,2024}_tables.xlsx``: the 2017
  layout (sheet ``table 1``, header on row 4 ``ONS code, Local authority / Region, (region), 2010
  ... YYYY, Number of households YYYY ('000)2, YYYY rough sleeping rate (per 1,000 households)``;
  England E92000001, the regions with "% change" and "% of England total" rows in percent units,
  "Rest of England" without a code, local authorities, notes). Wessex Vale's counts are those of
  its partner file ``rough_sleeping.csv``; England's total is the sum of the authorities'.
* ``fingertips/fingertips-<id>-area-type-502.data.csv``: a Fingertips export of each indicator
  listed in ``src/assess/sources.yaml`` for Wessex Vale, its region and England, as the real
  download is: CRLF records, a 26-column header whose last column the records omit, a quoted
  indicator name holding a bare line break, England's deprivation-decile breakdown rows
  interleaved with the headline rows, sex breakdowns, and the periods each indicator is
  published for. Every record's Value note says it is synthetic.

England keeps its real code (E92000001): the fictional nation stands in for it. Everything else
uses the demo's unused-code blocks; every figure is synthetic.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from assess.demo.formats import write_file, xlsx_bytes
from assess.demo.geography import NATION, REGIONS, LocalArea, _allocate, rng_for
from assess.demo.partner_data import rough_sleeping as partner_rough_sleeping

ENGLAND = ("E92000001", "England")
SYNTHETIC = "SYNTHETIC DEMONSTRATION DATA: fictional areas and figures (assess demo), not official statistics"
MYE_YEARS = (2021, 2022, 2023)
MYE_FILE = "population/ukmidyearestimates{year}.xlsx"
RS_EDITIONS = (2023, 2024)
RS_FILE = "rough_sleeping/Rough_Sleeping_Snapshot_in_England_Autumn_{year}_tables.xlsx"
RS_FIRST_YEAR = 2010
#: England's rate per 1,000 households by autumn (2021-2024 as in the partner benchmarks file).
RS_ENGLAND_RATE = dict(zip(range(2010, 2025), (0.08, 0.09, 0.10, 0.10, 0.12, 0.15, 0.18, 0.20, 0.19, 0.18, 0.12,
                                                   0.10, 0.13, 0.16, 0.19)))
FINGERTIPS_FILE = "fingertips/fingertips-{id}-area-type-502.data.csv"
REGION_ORDER = ("NE", "NW", "YH", "EM", "WM", "EE", "LO", "SE", "SW")


# ---------------------------------------------------------------------------------------------
# ONS mid-year estimates (the UK workbook)


def _by_year(lad_ages: dict[str, np.ndarray]) -> dict[int, dict[str, np.ndarray]]:
    """Single years of age (91 values, 90+ last) by mid-year and local authority code."""
    out: dict[int, dict[str, np.ndarray]] = {}
    for year in MYE_YEARS:
        factor = 1 - 0.006 * (MYE_YEARS[-1] - year)
        out[year] = {
            code: ages if year == MYE_YEARS[-1] else _allocate(round(ages.sum() * factor), ages.astype(float))
            for code, ages in lad_ages.items()
        }
    return out


def _areas_in_order(ages: dict[str, np.ndarray]) -> list[tuple[str, str, str, np.ndarray]]:
    """(code, name, geography label, ages) rows as ONS orders them: England, then each region and its authorities."""
    rows = [(ENGLAND[0], ENGLAND[1].upper(), "Country", np.sum(list(ages.values()), axis=0))]
    for key in REGION_ORDER:
        lads = [lad for lad in NATION if lad.region == key]
        if not lads:
            continue
        code, name = REGIONS[key]
        rows.append((code, name.upper(), "Region", np.sum([ages[lad.code] for lad in lads], axis=0)))
        rows += [(lad.code, lad.name, "Unitary Authority", ages[lad.code]) for lad in lads]
    return rows


def _mye_sheet(year: int, rows: list[tuple[str, str, str, np.ndarray]], what: str, layout_2023: bool) -> list[list[object]]:
    title = f"MYE2: Population estimates: {what} by single year of age and sex for local authorities in the UK, mid-{year}"
    if layout_2023:
        head: list[list[object]] = [[title], [SYNTHETIC], ["Source: modelled on the Office for National Statistics"],
                                    [], ["Figures are persons usually resident at 30 June"], [], []]
        header: list[object] = ["Code", "Name", "Geography", "All ages", *range(90), "90+"]
    else:
        head = [["Contents"], [SYNTHETIC], [title], []]
        header = ["Code", "Name", "Geography1", "All ages", *range(90), 90]
    body = [[code, name, geo, int(a.sum()), *(int(x) for x in a)] for code, name, geo, a in rows]
    notes = [[], ["1. Synthetic figures for the fictional nation of the assess demonstration data."]]
    return [*head, header, *body, *notes]


def write_mid_year_estimates(raw_dir: Path, lad_ages: dict[str, np.ndarray], seed: int) -> tuple[list[Path], int]:
    """Write the UK mid-year estimate workbooks (one per year of :data:`MYE_YEARS`); return (paths, area rows)."""
    paths: list[Path] = []
    n = 0
    for year, ages in _by_year(lad_ages).items():
        rng = rng_for(seed, f"public/mye/{year}/sex")
        males = {c: np.round(a * rng.normal(0.49, 0.005, a.size).clip(0.4, 0.6)).astype(np.int64) for c, a in ages.items()}
        females = {c: ages[c] - males[c] for c in ages}
        layout_2023 = year == MYE_YEARS[-1]
        names = ("MYE2 - Persons", "MYE2 - Males", "MYE2 - Females") if layout_2023 else ("MYE2 - All", "MYE2 - M", "MYE2 - F")
        rows = _areas_in_order(ages)
        sheets = [
            ("Contents", [["Contents"], [SYNTHETIC], [f"Population estimates for the fictional nation: mid-{year}"]]),
            ("Notes and definitions", [["Notes and definitions"], [SYNTHETIC]]),
            (names[0], _mye_sheet(year, rows, "Persons", layout_2023)),
            (names[1], _mye_sheet(year, _areas_in_order(males), "Males", layout_2023)),
            (names[2], _mye_sheet(year, _areas_in_order(females), "Females", layout_2023)),
        ]
        paths.append(write_file(raw_dir / MYE_FILE.format(year=year), xlsx_bytes(sheets)))
        n += len(rows)
    return paths, n


# ---------------------------------------------------------------------------------------------
# The rough sleeping snapshot tables


def _households(households: dict[str, int], code: str, year: int) -> float:
    """Households in thousands (as the tables print them), grown 0.6% a year to 2023's count."""
    return round(households[code] * (1 + 0.006 * (year - 2023)) / 1000, 3)


def rough_sleeping_counts(households: dict[str, int], seed: int) -> dict[str, dict[int, int]]:
    """People sleeping rough by local authority and autumn, 2010-2024 (Wessex Vale's from its partner file)."""
    rng = rng_for(seed, "public/rough_sleeping")
    demo = NATION[0]
    partner = {int(r[0]): int(r[1]) for r in partner_rough_sleeping(households[demo.code], seed)}
    levels = {lad.code: rng.lognormal(0.0, 0.45) * (1.4 if lad.region == "LO" else 1.0) for lad in NATION}
    weight = {lad.code: households[lad.code] for lad in NATION}
    mean = sum(levels[c] * weight[c] for c in levels) / sum(weight.values())  # England's rate is RS_ENGLAND_RATE
    out: dict[str, dict[int, int]] = {}
    for lad in NATION:
        level = levels[lad.code] / mean
        out[lad.code] = {}
        for year, rate in RS_ENGLAND_RATE.items():
            if lad is demo and year in partner:
                out[lad.code][year] = partner[year]
            else:
                out[lad.code][year] = int(rng.poisson(level * rate * _households(households, lad.code, year)))
    return out


def _rs_sheet(edition: int, counts: dict[str, dict[int, int]], households: dict[str, int]) -> list[list[object]]:
    years = list(range(RS_FIRST_YEAR, edition + 1))

    def line(code: object, name: str, region: object, by_year: dict[int, int], hh: float | None) -> list[object]:
        rate = by_year[edition] / hh if hh else None
        return [code, name, region, *(by_year[y] for y in years), hh, rate]

    def pct_change(by_year: dict[int, int]) -> list[object]:
        return ["", "% change from previous year", "", "",
                *((100 * (by_year[y] - by_year[y - 1]) / by_year[y - 1]) if by_year[y - 1] else "" for y in years[1:])]

    def share(by_year: dict[int, int], england: dict[int, int]) -> list[object]:
        return ["", "% of England total", "", *(100 * by_year[y] / england[y] if england[y] else "" for y in years)]

    def total(codes: list[str]) -> dict[int, int]:
        return {y: sum(counts[c][y] for c in codes) for y in years}

    all_codes = [lad.code for lad in NATION]
    england = total(all_codes)
    hh_england = round(sum(_households(households, c, edition) for c in all_codes), 3)
    london = [lad.code for lad in NATION if lad.region == "LO"]
    rest = [c for c in all_codes if c not in london]
    rows: list[list[object]] = [
        ["Table 1: Street counts and estimates of rough sleeping, by local authority district and region"],
        [f"England, Autumn1 {RS_FIRST_YEAR} - {edition}"],
        [SYNTHETIC, *[""] * (len(years) + 3), "number / per cent"],
        ["ONS code", "Local authority / Region", "", *years, f"Number of households {edition} ('000)2",
         f"{edition} rough sleeping rate (per 1,000 households)"],
        [],
        line(ENGLAND[0], ENGLAND[1], "", england, hh_england),
        pct_change(england),
        [],
    ]
    ldn_code, ldn_name = REGIONS["LO"]
    for code, name, members in ((ldn_code, ldn_name, london), ("-", "Rest of England", rest)):
        by = total(members)
        rows += [line(code, name, "", by, round(sum(_households(households, c, edition) for c in members), 3)),
                 pct_change(by), share(by, england)]
    rows.append([])
    for key in REGION_ORDER:
        members = [lad.code for lad in NATION if lad.region == key]
        if not members or key == "LO":
            continue
        code, name = REGIONS[key]
        by = total(members)
        rows += [line(code, name, "", by, round(sum(_households(households, c, edition) for c in members), 3)),
                 pct_change(by), share(by, england)]
    rows.append([])
    for lad in sorted(NATION, key=lambda la: la.name):
        rows.append(line(lad.code, lad.name, REGIONS[lad.region][1], counts[lad.code], _households(households, lad.code, edition)))
    rows += [
        [], [],
        ["1. The autumn rough sleeping counts and estimates were carried out between 1 October and 30 November."],
        ["2. Households: synthetic household estimates of the fictional nation."],
        [],
        ["Each local authority either conducts a street count or provides an estimate."],
        ["The national total is the sum of all counts and estimates."],
        [SYNTHETIC],
        [],
        ["Contact:", "roughsleeping@demo.invalid", *[""] * (len(years) + 1), "Last update:", f"Feb {edition + 1}"],
    ]
    return rows


def write_rough_sleeping_tables(raw_dir: Path, households: dict[str, int], seed: int) -> tuple[list[Path], int]:
    """Write the snapshot tables of :data:`RS_EDITIONS`; return (paths, local authority rows written)."""
    counts = rough_sleeping_counts(households, seed)
    paths = []
    for edition in RS_EDITIONS:
        sheets = [
            ("Contents", [["Rough sleeping snapshot in England: autumn " + str(edition)], [SYNTHETIC]]),
            ("table 1", _rs_sheet(edition, counts, households)),
            ("table 2a", [["Table 2a: Demographics of rough sleepers (not produced for the demonstration data)"]]),
        ]
        paths.append(write_file(raw_dir / RS_FILE.format(year=edition), xlsx_bytes(sheets)))
    return paths, len(NATION) * len(RS_EDITIONS)


# ---------------------------------------------------------------------------------------------
# Fingertips exports


@dataclass(frozen=True)
class DemoIndicator:
    """How a Fingertips indicator is synthesised: its periods, rate unit, age and breakdowns."""

    id: int
    name: str
    periods: tuple[str, ...]  # as Fingertips prints them
    years_per_period: int
    per: int  # rate per ``per`` of the denominator
    age: str
    rate: float  # England's rate per ``per``
    trend: float  # change in the rate per period (a factor)
    demo_ratio: float  # Wessex Vale's rate / England's
    by_sex: bool
    denominator: str  # "10-17", "16+" or "all": which population


FY = tuple(f"{y}/{(y + 1) % 100:02d}" for y in range(2021, 2025))
INDICATORS = (
    DemoIndicator(10401, "First time entrants to the youth justice system\n", ("2021", "2022", "2023", "2024"), 1, 100_000,
                  "10-17 yrs", 150.0, 0.97, 1.25, False, "10-17"),
    DemoIndicator(92432, "Deaths from drug misuse", ("2019 - 21", "2020 - 22", "2021 - 23", "2022 - 24"), 3, 100_000,
                  "All ages", 5.2, 1.05, 1.5, True, "all"),
    DemoIndicator(93764, "Admission episodes for alcohol-related conditions (Narrow)", FY, 1, 100_000,
                  "All ages", 490.0, 1.01, 1.18, True, "all"),
    DemoIndicator(11201, "Violent crime - hospital admissions for violence (including sexual violence)",
                  ("2019/20 - 21/22", "2020/21 - 22/23", "2021/22 - 23/24", "2022/23 - 24/25"), 3, 100_000,
                  "All ages", 40.0, 0.98, 1.35, False, "all"),
    DemoIndicator(93203, "Domestic abuse-related incidents and crimes", FY, 1, 1_000,
                  "16+ yrs", 30.0, 1.0, 1.1, False, "16+"),
)
HEADER = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type", "Sex", "Age",
    "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit",
    "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to Region value or percentiles", "Time period Sortable",
    "New data", "Compared to goal",
]
DECILES = ("Most deprived decile", "Second most deprived decile", "Third more deprived decile", "Fourth more deprived decile",
           "Fifth more deprived decile", "Fifth less deprived decile", "Fourth less deprived decile",
           "Third less deprived decile", "Second least deprived decile", "Least deprived decile")
NOTE = "Synthetic demonstration data (assess demo)"


def _limits(count: int, denominator: float, per: int, level: float) -> tuple[float, float]:
    """Exact Poisson limits of a rate per ``per`` (the method Fingertips uses for crude rates)."""
    a = (1 - level) / 2
    low = stats.chi2.ppf(a, 2 * count) / 2 if count else 0.0
    high = stats.chi2.ppf(1 - a, 2 * count + 2) / 2
    return low / denominator * per, high / denominator * per


def _verdict(low: float, high: float, benchmark: float) -> str:
    """Fingertips' comparison for an indicator where low is good: Better, Worse or Similar."""
    return "Better" if high < benchmark else "Worse" if low > benchmark else "Similar"


def _num(x: float | str) -> str:
    """A figure as Fingertips writes it (up to 15 significant digits); blank stays blank."""
    return x if x == "" else f"{float(x):.15g}"


def _sortable(period: str) -> int:
    return int(period[:4]) * 10000


def _population(ages: np.ndarray, which: str) -> int:
    return int(ages.sum() if which == "all" else ages[10:18].sum() if which == "10-17" else ages[16:].sum())


def fingertips_records(ind: DemoIndicator, area: LocalArea, lad_ages: dict[str, np.ndarray], seed: int) -> list[list[object]]:
    """The records of one indicator's export: England (headline, sex, deprivation deciles), the
    region and Wessex Vale (headline and sex), for each period, in Fingertips' order."""
    rng = rng_for(seed, f"public/fingertips/{ind.id}")
    region_key = area.lad.region
    region_code, region_name = REGIONS[region_key]
    region_label = f"{region_name} region"
    england_ages = np.sum(list(lad_ages.values()), axis=0)
    region_ages = np.sum([lad_ages[lad.code] for lad in NATION if lad.region == region_key], axis=0)
    out: list[list[object]] = []

    def record(parent: tuple[str, str], code: str, name: str, kind: str, sex: str, ctype: str, cat: str, period: str,
               count: int, denominator: int, england_value: float | None, region_value: float | None,
               ci: bool = True) -> float:
        value = count / denominator * ind.per
        lo95, hi95 = _limits(count, denominator, ind.per, 0.95) if ci else ("", "")
        lo998, hi998 = _limits(count, denominator, ind.per, 0.998) if ci else ("", "")
        vs_england = "Not compared" if england_value is None or not ci else _verdict(lo95, hi95, england_value)
        vs_region = "Not compared" if region_value is None or not ci else _verdict(lo95, hi95, region_value)
        out.append([ind.id, ind.name, parent[0], parent[1], code, name, kind, sex, ind.age, ctype, cat, period,
                    _num(value), _num(lo95), _num(hi95), _num(lo998), _num(hi998), count, denominator,
                    NOTE, "", vs_england, vs_region, _sortable(period), "New data" if period == ind.periods[-1] else ""])
        return value

    for k, period in enumerate(ind.periods):
        level = ind.rate * ind.trend ** k / ind.per
        n = ind.years_per_period
        den_eng = _population(england_ages, ind.denominator) * n
        den_reg = _population(region_ages, ind.denominator) * n
        den_wv = _population(lad_ages[area.lad.code], ind.denominator) * n
        eng_count = int(rng.poisson(level * den_eng))
        eng = record(("", ""), *ENGLAND, "Country", "Persons", "", "", period, eng_count, den_eng, None, None)
        if ind.by_sex:
            for sex, share in (("Male", 0.62), ("Female", 0.38)):
                record(("", ""), *ENGLAND, "Country", sex, "", "", period, round(eng_count * share),
                       int(den_eng * (0.49 if sex == "Male" else 0.51)), None, None)
        weights = np.linspace(1.8, 0.55, len(DECILES))
        for decile, count in zip(DECILES, _allocate(eng_count, weights)):
            record(("", ""), *ENGLAND, "Country", "Persons", "County & UA deprivation deciles in England (IMD2019)",
                   f"{decile} (IMD2019)", period, int(count), den_eng // 10, None, None, ci=False)
        reg_count = int(rng.poisson(level * 1.08 * den_reg))
        reg = record(ENGLAND, region_code, region_label, "Region", "Persons", "", "", period, reg_count, den_reg, eng, None)
        wv_count = int(rng.poisson(level * ind.demo_ratio * den_wv))
        record((region_code, region_label), area.lad.code, area.lad.name, "County & UA", "Persons", "", "", period,
               wv_count, den_wv, eng, reg)
        if ind.by_sex:
            male = int(rng.binomial(wv_count, 0.63))
            for sex, count, frac in (("Male", male, 0.49), ("Female", wv_count - male, 0.51)):
                record((region_code, region_label), area.lad.code, area.lad.name, "County & UA", sex, "", "", period,
                       count, int(den_wv * frac), eng, reg)
    return out


def fingertips_bytes(records: list[list[object]]) -> bytes:
    """A Fingertips download: UTF-8, CRLF records of every field of the 26-column header but the
    last ("Compared to goal"), which the real downloads leave out."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    writer.writerows(records)
    return buf.getvalue().encode("utf-8")


def write_fingertips_exports(raw_dir: Path, area: LocalArea, lad_ages: dict[str, np.ndarray], seed: int) -> tuple[list[Path], int]:
    """Write one Fingertips export per indicator of :data:`INDICATORS`; return (paths, records written)."""
    paths, n = [], 0
    for ind in INDICATORS:
        records = fingertips_records(ind, area, lad_ages, seed)
        paths.append(write_file(raw_dir / FINGERTIPS_FILE.format(id=ind.id), fingertips_bytes(records)))
        n += len(records)
    return paths, n


def write_public_statistics(
    raw_dir: Path, area: LocalArea, lad_ages: dict[str, np.ndarray], households: dict[str, int], seed: int
) -> tuple[list[Path], dict[str, int]]:
    """Write the MYE workbooks, the rough sleeping tables and the Fingertips exports; return (paths, rows by kind)."""
    mye, n_mye = write_mid_year_estimates(raw_dir, lad_ages, seed)
    rs, n_rs = write_rough_sleeping_tables(raw_dir, households, seed)
    ft, n_ft = write_fingertips_exports(raw_dir, area, lad_ages, seed)
    return [*mye, *rs, *ft], {"ons_mid_year_estimates": n_mye, "rough_sleeping_tables": n_rs, "fingertips": n_ft}
