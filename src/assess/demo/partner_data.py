"""Synthetic partner files for Wessex Vale, consistent with its synthetic police.uk records.

Every file of ``data/raw/partner/`` that :mod:`assess.sources.partner` reads (formats in
``data/raw/README.md``); the partners' words (their accounts in ``narrative/``, their counts on
the safeguarding topics and their recommendations) come from :mod:`.partner_narrative`. Counts are tied to the street records where a partner's figure would be:
domestic-abuse-flagged crimes are about 30% of violence plus a few per cent of other crime, spread
over the wards in proportion to their violence; hate crime is about 1.6% of crime; the resident
survey's feeling of safety after dark is lower in wards with more crime; population aged 10-17,
households and population are taken from the synthetic ONS files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from assess.config import DEFAULT_PARTNER_FILES
from assess.demo.formats import csv_bytes, write_file
from assess.demo.geography import LocalArea, rng_for
from assess.demo.partner_narrative import RECOMMENDATIONS_YAML, narrative_files, safeguarding_topics
from assess.sources.partner.narrative import NARRATIVE_DIR
from assess.vocabulary import (
    AGREE_ANSWERS,
    CRIME_CHANGE_ANSWERS,
    HATE_CRIME_STRANDS,
    OFFENDER_NEEDS,
    SAFETY_ANSWERS,
    SURVEY_PROBLEMS,
)

PARTNER = "partner"
_V = "Violence and sexual offences"

SYNTHETIC_SOURCE = "Synthetic demonstration figure (modelled on {})"


def _choice_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One categorical draw per row of the probability matrix ``p`` (rows sum to 1)."""
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(p))
    return np.minimum((u[:, None] > cum).sum(axis=1), p.shape[1] - 1)


def force_flags(area: LocalArea, placed: pd.DataFrame, months: list[str], seed: int) -> list[tuple]:
    """Rows (month, flag, strand, ward_code, count) of force_flags.csv."""
    rng = rng_for(seed, "partner/force_flags")
    wv = placed[placed["lad_code"] == area.lad.code]
    by_cat = wv.pivot_table(index="month", columns="category", values="count", aggfunc="sum", fill_value=0)
    vio_ward = (
        wv[wv["category"] == _V]
        .pivot_table(index="month", columns="ward_code", values="count", aggfunc="sum", fill_value=0)
        .reindex(columns=area.ward_codes, fill_value=0)
    )
    rows: list[tuple] = []
    n = len(months)
    for i, month in enumerate(months):
        cats = by_cat.loc[month]
        v = int(cats.get(_V, 0))
        crimes = int(cats.drop("Anti-social behaviour", errors="ignore").sum())
        burglary = int(cats.get("Burglary", 0))
        vehicle = int(cats.get("Vehicle crime", 0))
        trend = 1.0 + 0.08 * (i - n / 2) / 12  # rising recording of vulnerability
        dv = rng.binomial(v, 0.30)
        da = dv + rng.binomial(crimes - v, 0.045)
        w = vio_ward.loc[month].to_numpy(dtype=float) + 0.5
        da_ward = rng.multinomial(da, w / w.sum())
        hate = rng.binomial(crimes, 0.016)
        strands = rng.multinomial(hate, [0.70, 0.07, 0.14, 0.07, 0.02])
        strands[1] += rng.binomial(hate, 0.04)  # some crimes are motivated by race and religion both
        dwelling = rng.binomial(burglary, 0.64)
        tov = rng.binomial(vehicle, 0.24)
        values: dict[str, object] = {
            "domestic_abuse": dict(zip(area.ward_codes, da_ward)),
            "domestic_violence": dv,
            "hate_crime": dict(zip(HATE_CRIME_STRANDS, strands)),
            "alcohol_affected": rng.binomial(crimes, 0.14),
            "alcohol_related_violence": rng.binomial(v, 0.22),
            "knife_crime": rng.poisson(26 * trend),
            "gun_crime": rng.poisson(1.5),
            "drug_related_violence": rng.binomial(v, 0.025),
            "threats_to_kill": rng.binomial(v, 0.018),
            "public_place_violence": rng.binomial(v, 0.33),
            "violence_with_injury": rng.binomial(v, 0.37),
            "violence_without_injury": rng.binomial(v, 0.38),
            "burglary_dwelling": dwelling,
            "burglary_other": burglary - dwelling,
            "theft_of_vehicle": tov,
            "theft_from_vehicle": rng.binomial(vehicle - tov, 0.78),
            "rape": rng.binomial(v, 0.032),
            "other_sexual_offences": rng.binomial(v, 0.05),
            "missing_person_child": rng.poisson(38),
            "missing_person_adult": rng.poisson(44),
            "child_sexual_exploitation": rng.poisson(5 * trend),
            "high_risk_domestic_abuse": rng.poisson(62 * trend),
        }
        for flag, value in values.items():
            if flag == "domestic_abuse":
                rows += [(month, flag, "", ward, int(c)) for ward, c in value.items()]
            elif flag == "hate_crime":  # the force's total (each crime once), then by strand
                rows.append((month, flag, "", "", int(hate)))
                rows += [(month, flag, strand, "", int(c)) for strand, c in value.items()]
            else:
                rows.append((month, flag, "", "", int(value)))
    return rows


SURVEY_YEARS = ("2022/23", "2023/24", "2024/25")
_SAFE_DAY = np.array([0.55, 0.38, 0.03, 0.02, 0.01, 0.01])
_SAFE_DARK = np.array([0.22, 0.44, 0.10, 0.14, 0.07, 0.03])
_CHANGE = np.array([0.36, 0.45, 0.08, 0.11])
_POLICE = np.array([0.08, 0.40, 0.22, 0.14, 0.08, 0.08])
_COUNCIL = np.array([0.06, 0.36, 0.25, 0.16, 0.09, 0.08])
_PROBLEMS = dict(zip(SURVEY_PROBLEMS, (0.30, 0.35, 0.20, 0.18, 0.15, 0.45, 0.50, 0.20, 0.15)))


def resident_survey(area: LocalArea, placed: pd.DataFrame, seed: int) -> tuple[tuple[str, ...], list[tuple]]:
    """Header and rows of resident_survey.csv: about 1,000 respondents in each of three years."""
    rng = rng_for(seed, "partner/resident_survey")
    wv = placed[placed["lad_code"] == area.lad.code]
    ward_crime = wv.groupby("ward_code")["count"].sum().reindex(area.ward_codes, fill_value=0).to_numpy(float)
    ward_pop = np.array([area.lsoa_population[area.lsoa_ward == w].sum() for w in range(len(area.ward_codes))], float)
    z = (ward_crime / ward_pop) / (ward_crime.sum() / ward_pop.sum())  # 1 = the CSP's rate
    header = ("survey_year", "respondent_id", "ward_code", "weight", "safe_day", "safe_after_dark", "crime_change",
              "police_deal", "council_deal", *SURVEY_PROBLEMS)
    rows: list[tuple] = []
    for yi, year in enumerate(SURVEY_YEARS):
        n = int(rng.integers(960, 1060))
        ward = rng.choice(len(area.ward_codes), size=n, p=ward_pop / ward_pop.sum())
        zi = z[ward]
        weight = rng.lognormal(0.0, 0.3, n)
        weight /= weight.mean()
        unsafe = np.sqrt(zi) * 0.96**yi
        dark = np.tile(_SAFE_DARK, (n, 1))
        dark[:, 3:5] *= unsafe[:, None]
        dark[:, 0:2] /= unsafe[:, None] ** 0.3
        day = np.tile(_SAFE_DAY, (n, 1))
        day[:, 3:5] *= unsafe[:, None]
        answers = {
            "safe_day": np.array(SAFETY_ANSWERS, dtype=object)[_choice_rows(rng, day)],
            "safe_after_dark": np.array(SAFETY_ANSWERS, dtype=object)[_choice_rows(rng, dark)],
            "crime_change": np.array(CRIME_CHANGE_ANSWERS, dtype=object)[rng.choice(4, n, p=_CHANGE)],
            "police_deal": np.array(AGREE_ANSWERS, dtype=object)[rng.choice(6, n, p=_POLICE)],
            "council_deal": np.array(AGREE_ANSWERS, dtype=object)[rng.choice(6, n, p=_COUNCIL)],
        }
        for col in answers:  # about 1% leave a question unanswered
            answers[col][rng.random(n) < 0.01] = ""
        problems = {}
        for col, p in _PROBLEMS.items():
            pi = np.clip(p * zi**0.5, 0.01, 0.95)
            yes = np.where(rng.random(n) < pi, "yes", "no").astype(object)
            yes[rng.random(n) < 0.01] = ""
            problems[col] = yes
        tag = year.replace("/", "")
        for k in range(n):
            rows.append((
                year, f"{tag}-{k + 1:05d}", area.ward_codes[ward[k]], f"{weight[k]:.3f}",
                *(answers[c][k] for c in answers), *(problems[c][k] for c in SURVEY_PROBLEMS),
            ))
    return header, rows


OFFENDER_YEARS = ("2021/22", "2022/23", "2023/24", "2024/25")
_SERVICES = ("IOM", "NPS", "CRC", "YOS", "none")
_REOFFEND = {"IOM": 0.55, "NPS": 0.28, "CRC": 0.33, "YOS": 0.35, "none": 0.22}
_MEAN_OFFENCES = {"IOM": 6.0, "NPS": 2.2, "CRC": 2.4, "YOS": 2.0, "none": 1.6}
_NEEDS = dict(zip(OFFENDER_NEEDS, (0.35, 0.45, 0.30, 0.38, 0.28, 0.45)))
_ADULT_AGES = ("18-24", "25-34", "35-49", "50+")


def offenders(seed: int) -> tuple[tuple[str, ...], list[tuple]]:
    """Header and rows of offenders.csv: about 1,400 known offenders a year, many seen again."""
    rng = rng_for(seed, "partner/offenders")
    header = ("financial_year", "offender_id", "supervising_service", "age_band", "sex", "offences", "reoffended",
              *OFFENDER_NEEDS)
    rows: list[tuple] = []
    people: dict[str, dict] = {}
    previous: list[str] = []
    next_id = 1
    for fy in OFFENDER_YEARS:
        keep = [pid for pid in previous if rng.random() < (0.7 if people[pid]["reoffended"] else 0.25)]
        target = int(rng.integers(1350, 1450))
        current = list(keep)
        while len(current) < target:
            pid = f"OFF-{next_id:06d}"
            next_id += 1
            service = _SERVICES[rng.choice(5, p=[0.10, 0.45, 0.0, 0.08, 0.37])]
            age = "10-17" if service == "YOS" else _ADULT_AGES[rng.choice(4, p=[0.28, 0.34, 0.28, 0.10])]
            sex = ("male", "female", "unknown")[rng.choice(3, p=[0.82, 0.17, 0.01])]
            people[pid] = {"service": service, "age": age, "sex": sex, "reoffended": False}
            current.append(pid)
        for pid in current:
            person = people[pid]
            service = person["service"]
            if fy == "2021/22" and service == "NPS" and rng.random() < 0.25:
                service = "CRC"  # community rehabilitation companies until June 2021
            offences = 1 + int(rng.poisson(_MEAN_OFFENCES[service] - 1))
            reoff = bool(rng.random() < _REOFFEND[service])
            person["reoffended"] = reoff
            assessed = service != "none" or rng.random() < 0.15
            needs = [("yes" if rng.random() < p else "no") if assessed else "" for p in _NEEDS.values()]
            rows.append((fy, pid, service, person["age"], person["sex"], offences, "yes" if reoff else "no", *needs))
        previous = current
    return header, rows


def youth_justice(pop_10_17: int, seed: int) -> list[tuple]:
    """Rows (financial_year, measure, value) of youth_justice.csv for 2021/22 to 2024/25."""
    rng = rng_for(seed, "partner/youth_justice")
    rows = []
    for k, fy in enumerate(OFFENDER_YEARS):
        cohort = int(rng.normal(150 - 7 * k, 4))
        reoffenders = int(round(cohort * rng.normal(0.35 - 0.012 * k, 0.01)))
        values = {
            "first_time_entrants": int(rng.normal(72 - 5 * k, 3)),
            "custodial_sentences": int(rng.poisson(5.5)),
            "population_10_17": int(round(pop_10_17 * (1 + 0.008 * (k - 2)))),
            "reoffending_cohort": cohort,
            "reoffenders": reoffenders,
            "reoffences": int(round(reoffenders * rng.normal(3.7, 0.15))),
        }
        rows += [(fy, m, v) for m, v in values.items()]
    return rows


def rough_sleeping(households: int, seed: int) -> list[tuple]:
    """Rows of rough_sleeping.csv: autumn snapshots 2019-2024 (begging recorded from 2021)."""
    rng = rng_for(seed, "partner/rough_sleeping")
    rows = []
    for k, year in enumerate(range(2019, 2025)):
        sleepers = (19, 12, 14, 17, 21, 24)[k] + int(rng.integers(-1, 2))
        method = "evidence-based estimate" if year <= 2021 else "count"
        hh = int(round(households * (1 + 0.006 * (year - 2023))))
        begging = "" if year < 2021 else int(rng.poisson(140 + 25 * (year - 2021)))
        rows.append((year, sleepers, method, hh, begging))
    return rows


def drug_deaths(population: int, seed: int) -> list[tuple]:
    """Rows of drug_related_deaths.csv: deaths by calendar year of registration 2019-2024."""
    rng = rng_for(seed, "partner/drug_deaths")
    return [
        (year, int(rng.poisson(14 + 1.6 * (year - 2019))), int(round(population * (1 + 0.005 * (year - 2023)))))
        for year in range(2019, 2025)
    ]


def calls_for_service(months: list[str], seed: int) -> list[tuple]:
    """Rows (month, channel, calls) of calls_for_service.csv: 999 steady, 101 falling, online rising."""
    rng = rng_for(seed, "partner/calls")
    rows = []
    centre = (len(months) - 1) / 2
    for i, month in enumerate(months):
        m = int(month[5:7])
        season = 1 + 0.08 * np.cos(2 * np.pi * (m - 7) / 12)
        t = (i - centre) / 12
        rows.append((month, "999", int(rng.poisson(4300 * season * 1.02**t))))
        rows.append((month, "101", int(rng.poisson(6800 * season * 0.95**t))))
        rows.append((month, "online", int(rng.poisson(1900 * season * 1.12**t))))
    return rows


def national_benchmarks() -> list[tuple]:
    """Rows (measure, period, area, value, unit, source) of national_benchmarks.csv (synthetic)."""
    csew = SYNTHETIC_SOURCE.format("the Crime Survey for England and Wales")
    yjb = SYNTHETIC_SOURCE.format("Youth Justice Board statistics")
    moj = SYNTHETIC_SOURCE.format("Ministry of Justice proven reoffending statistics")
    ons = SYNTHETIC_SOURCE.format("ONS deaths related to drug poisoning")
    rs = SYNTHETIC_SOURCE.format("the rough sleeping snapshot in England")
    ho = SYNTHETIC_SOURCE.format("Home Office crime outcomes and hate crime statistics")
    safelives = SYNTHETIC_SOURCE.format("SafeLives MARAC data")
    pct = "percent"
    rows: list[tuple] = []

    def add(measure: str, unit: str, source: str, values: dict[str, float], area: str = "England") -> None:
        rows.extend((measure, period, area, value, unit, source) for period, value in values.items())

    add("feel_safe_day", pct, csew, {"2022/23": 95.4, "2023/24": 95.6, "2024/25": 95.5})
    add("feel_safe_after_dark", pct, csew, {"2022/23": 73.8, "2023/24": 74.5, "2024/25": 75.1})
    add("perceive_more_crime_locally", pct, csew, {"2022/23": 38.5, "2023/24": 37.2, "2024/25": 36.1})
    add("police_deal_agree", pct, csew, {"2022/23": 51.0, "2023/24": 50.2, "2024/25": 50.8})
    add("council_deal_agree", pct, csew, {"2022/23": 45.3, "2023/24": 44.9, "2024/25": 45.6})
    add("domestic_abuse_prevalence", pct, csew, {"2022/23": 4.4, "2023/24": 4.4, "2024/25": 4.5})
    fys = {f"{2021 + k}/{22 + k}": k for k in range(4)}
    add("first_time_entrants", "per 100,000 population aged 10-17", yjb,
        {fy: v for fy, v in zip(fys, (148.0, 151.0, 141.0, 137.0))})
    add("youth_custody_rate", "per 1,000 population aged 10-17", yjb, {fy: v for fy, v in zip(fys, (0.08, 0.09, 0.08, 0.08))})
    add("youth_reoffending_rate", pct, yjb, {fy: v for fy, v in zip(fys, (31.5, 32.2, 31.0, 30.4))})
    add("youth_reoffences_per_reoffender", "offences per reoffender", yjb, {fy: v for fy, v in zip(fys, (3.8, 3.7, 3.7, 3.6))})
    add("adult_reoffending_rate", pct, moj, {fy: v for fy, v in zip(fys, (25.6, 25.1, 24.8, 24.5))})
    add("drug_misuse_deaths", "per 100,000 population", ons,
        {"2019-2021": 5.0, "2020-2022": 5.2, "2021-2023": 5.5, "2022-2024": 5.8})
    add("rough_sleeping", "per 1,000 households", rs, {"2021": 0.10, "2022": 0.13, "2023": 0.16, "2024": 0.19})
    add("marac_cases", "per 10,000 population aged 16 and over", safelives, {fy: v for fy, v in zip(fys, (38.0, 39.0, 40.0, 41.0))})
    add("anti_social_behaviour", "per 1,000 population", SYNTHETIC_SOURCE.format("police-recorded anti-social behaviour incidents"),
        {fy: v for fy, v in zip(fys, (19.5, 17.8, 16.9, 16.2))}, "England and Wales")
    add("hate_crime", "per 1,000 population", ho, {fy: v for fy, v in zip(fys, (2.6, 2.5, 2.4, 2.4))}, "England and Wales")
    add("domestic_abuse_flagged", "per 1,000 population", ho, {fy: v for fy, v in zip(fys, (15.2, 14.8, 14.6, 14.4))},
        "England and Wales")
    add("knife_crime", "per 100,000 population", ho, {fy: v for fy, v in zip(fys, (78.0, 82.0, 84.0, 86.0))},
        "England and Wales")
    return rows


SCORECARD_YAML = """\
# Performance scorecard of the Wessex Vale Community Safety Partnership.
# SYNTHETIC DEMONSTRATION DATA: targets of a fictional partnership.
# Each measure: id (a metric id), label, direction (lower_is_better | higher_is_better),
# baseline_year, target (change_percent on the baseline year, or value to reach) and
# amber_tolerance_percent (default 5). See data/raw/README.md.
measures:
  - id: all_crime
    label: All police recorded crime
    direction: lower_is_better
    baseline_year: "2023/24"
    target:
      change_percent: -5
  - id: anti_social_behaviour
    label: Anti-social behaviour incidents
    direction: lower_is_better
    baseline_year: "2023/24"
    target:
      change_percent: -10
  - id: violence_with_injury
    label: Violence with injury
    direction: lower_is_better
    baseline_year: "2023/24"
    target:
      change_percent: -3
  - id: domestic_abuse
    label: Domestic abuse crimes reported (more reporting is the aim)
    direction: higher_is_better
    baseline_year: "2023/24"
    target:
      change_percent: 5
    amber_tolerance_percent: 3
  - id: first_time_entrants
    label: First-time entrants to the youth justice system
    direction: lower_is_better
    baseline_year: "2021/22"
    target:
      value: 55
  - id: youth_reoffending_rate
    label: Youth proven reoffending rate (%)
    direction: lower_is_better
    baseline_year: "2021/22"
    target:
      value: 30
  - id: feel_safe_after_dark
    label: Residents who feel safe outside after dark (%)
    direction: higher_is_better
    baseline_year: "2022/23"
    target:
      value: 70
    amber_tolerance_percent: 3
"""


def write_partner_files(
    raw_dir: Path,
    area: LocalArea,
    placed: pd.DataFrame,
    months: list[str],
    population: dict,
    households: dict[str, int],
    seed: int,
) -> tuple[list[Path], dict[str, int]]:
    """Write every partner file of Wessex Vale into ``raw_dir/partner``; return paths and rows."""
    folder = raw_dir / PARTNER
    files = DEFAULT_PARTNER_FILES
    lad_ages = next(a for c, _n, a in population["lad"] if c == area.lad.code)
    pop_total = int(lad_ages.sum())
    pop_10_17 = int(lad_ages[10:18].sum())
    outputs: list[tuple[str, bytes, int]] = []

    ff = force_flags(area, placed, months, seed)
    outputs.append(("force_flags", csv_bytes(("month", "flag", "strand", "ward_code", "count"), ff), len(ff)))
    header, survey = resident_survey(area, placed, seed)
    outputs.append(("resident_survey", csv_bytes(header, survey), len(survey)))
    header, offs = offenders(seed)
    outputs.append(("offenders", csv_bytes(header, offs), len(offs)))
    yj = youth_justice(pop_10_17, seed)
    outputs.append(("youth_justice", csv_bytes(("financial_year", "measure", "value"), yj), len(yj)))
    rs = rough_sleeping(households[area.lad.code], seed)
    outputs.append(("rough_sleeping", csv_bytes(
        ("year", "rough_sleepers", "method", "households", "begging_incidents"), rs), len(rs)))
    dd = drug_deaths(pop_total, seed)
    outputs.append(("drug_deaths", csv_bytes(("calendar_year", "deaths", "population"), dd), len(dd)))
    cs = calls_for_service(months, seed)
    outputs.append(("calls_for_service", csv_bytes(("month", "channel", "calls"), cs), len(cs)))
    nb = national_benchmarks()
    outputs.append(("benchmarks", csv_bytes(("measure", "period", "area", "value", "unit", "source"), nb), len(nb)))
    outputs.append(("scorecard", SCORECARD_YAML.encode("utf-8"), SCORECARD_YAML.count("  - id:")))
    st = safeguarding_topics(seed)
    outputs.append(("safeguarding_topics", csv_bytes(("topic", "financial_year", "measure", "count", "source"), st), len(st)))
    outputs.append(("recommendations", RECOMMENDATIONS_YAML.encode("utf-8"), RECOMMENDATIONS_YAML.count("  - priority:")))

    paths, rows = [], {}
    for name, data, n in outputs:
        paths.append(write_file(folder / files[name], data))
        rows[f"partner_{name}"] = n
    accounts = narrative_files()
    for filename, data in accounts.items():
        paths.append(write_file(folder / NARRATIVE_DIR / filename, data))
    rows["partner_narrative"] = len(accounts)
    return paths, rows

