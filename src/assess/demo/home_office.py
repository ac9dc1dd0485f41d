"""Synthetic Home Office police recorded crime (PRC) open data tables, both variants.

* force-area variant ``home_office_prc/prc-pfa-mar2013-onwards-tablesYYYYYY.csv``: Financial Year,
  Financial Quarter, Force Name, Offence Description, Offence Group, Offence Subgroup, Offence
  Code, Number of Offences (with the national "Action Fraud" rows, as published);
* CSP variant ``home_office_prc/prc-csp-mar2013-onwards-tablesYYYYYY.csv``: the same with "CSP
  Name" after "Force Name", one set of rows per CSP.

One file per financial year, quarters 1-4, every offence code in every quarter (a zero written
"-00 " and other counts space-padded, " 5157 ", as in the published CSV), sorted by quarter,
force (and CSP), then offence description ignoring case; a negative adjustment is written "-1 ". LF line endings, no BOM.

Counts: in the Wessex Police area each CSP's quarter is its police.uk count of the category a
few per cent higher (recorded crime counts run above police.uk, which omits some records), shared
among the category's offence codes; elsewhere counts are Poisson draws from national rates per
head scaled by each CSP's crime index, with the same seasonality and trends as police.uk.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from assess.demo.formats import csv_bytes, write_file
from assess.demo.geography import FORCES, NATION, csp_population, csps, rng_for
from assess.demo.police import TRENDS, WESSEX_VALE_CRIMES, season_factor
from assess.periods import financial_quarter_of_month, financial_year_label

PFA_HEADER = (
    "Financial Year", "Financial Quarter", "Force Name", "Offence Description", "Offence Group",
    "Offence Subgroup", "Offence Code", "Number of Offences",
)
CSP_HEADER = (*PFA_HEADER[:3], "CSP Name", *PFA_HEADER[3:])

# Home Office offence classification (a subset, spelled as published): code, description, group,
# subgroup, police.uk category, and a weight (offences recorded in England and Wales in 2017/18)
# that shares the category's count among its codes. Rare codes (and an "outcome only" code that is
# always zero) are kept, as in the published tables, where whole forces often record none.
_V = "Violence and sexual offences"
OFFENCES: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("1/4.1/4.10/4.2", "Homicide", "Violence against the person", "Homicide", _V, 723),
    ("2", "Attempted murder", "Violence against the person", "Violence with injury", _V, 1_301),
    ("4.4", "Causing death or serious injury by dangerous driving", "Violence against the person", "Violence with injury", _V, 554),
    ("5D", "Assault with intent to cause serious harm", "Violence against the person", "Violence with injury", _V, 29_588),
    ("5E", "Endangering life", "Violence against the person", "Violence with injury", _V, 2_637),
    ("8N", "Assault with injury", "Violence against the person", "Violence with injury", _V, 465_252),
    ("8P", "Racially or religiously aggravated assault with injury", "Violence against the person", "Violence with injury", _V, 3_195),
    ("8S", "Assault with injury on a constable", "Violence against the person", "Violence with injury", _V, 8_027),
    ("105A", "Assault without injury", "Violence against the person", "Violence without injury", _V, 502_595),
    ("104", "Assault without injury on a constable", "Violence against the person", "Violence without injury", _V, 17_649),
    ("105B", "Racially or religiously aggravated assault without injury", "Violence against the person", "Violence without injury", _V, 7_048),
    ("3B", "Threats to kill", "Violence against the person", "Violence without injury", _V, 26_680),
    ("11A", "Cruelty to children/young persons", "Violence against the person", "Violence without injury", _V, 15_722),
    ("36", "Kidnapping", "Violence against the person", "Violence without injury", _V, 4_521),
    ("106", "Modern slavery", "Violence against the person", "Violence without injury", _V, 3_388),
    ("4.7", "Causing or allowing death of child or vulnerable person", "Violence against the person", "Violence with injury", _V, 36),
    ("4.9", "Causing death by driving: unlicensed or disqualified or uninsured drivers", "Violence against the person", "Violence with injury", _V, 9),
    ("14", "Procuring illegal abortion", "Violence against the person", "Violence without injury", _V, 4),
    ("8L", "Harassment", "Violence against the person", "Stalking and harassment", _V, 124_279),
    ("8M", "Racially or religiously aggravated harassment", "Violence against the person", "Stalking and harassment", _V, 1_881),
    ("8Q", "Stalking", "Violence against the person", "Stalking and harassment", _V, 10_271),
    ("8R", "Malicious Communications", "Violence against the person", "Stalking and harassment", _V, 159_366),
    ("19C", "Rape of a female aged 16 and over", "Sexual offences", "Rape offences", _V, 35_315),
    ("19D", "Rape of a female child under 16", "Sexual offences", "Rape offences", _V, 7_521),
    ("19E", "Rape of a female child under 13", "Sexual offences", "Rape offences", _V, 5_360),
    ("19F", "Rape of a male aged 16 and over", "Sexual offences", "Rape offences", _V, 2_438),
    ("20A", "Sexual assault on a female aged 13 and over", "Sexual offences", "Other sexual offences", _V, 35_511),
    ("20B", "Sexual assault on a female child under 13", "Sexual offences", "Other sexual offences", _V, 9_626),
    ("17A", "Sexual assault on a male aged 13 and over", "Sexual offences", "Other sexual offences", _V, 5_313),
    ("22B", "Sexual activity involving child under 16", "Sexual offences", "Other sexual offences", _V, 14_532),
    ("88E", "Exposure and voyeurism", "Sexual offences", "Other sexual offences", _V, 9_512),
    ("34A", "Robbery of business property", "Robbery", "Robbery of business property", "Robbery", 7_608),
    ("34B", "Robbery of personal property", "Robbery", "Robbery of personal property", "Robbery", 68_967),
    ("28E", "Burglary Residential", "Theft offences", "Domestic burglary", "Burglary", 249_293),
    ("28F", "Attempted Burglary Residential", "Theft offences", "Domestic burglary", "Burglary", 53_976),
    ("29A", "Aggravated Burglary Residential", "Theft offences", "Domestic burglary", "Burglary", 3_206),
    ("28A", "Burglary in a dwelling(outcome only)", "Theft offences", "Domestic burglary", "Burglary", 0),
    ("30C", "Burglary Business and Community", "Theft offences", "Non-domestic burglary", "Burglary", 108_863),
    ("30D", "Attempted Burglary Business and Community", "Theft offences", "Non-domestic burglary", "Burglary", 18_102),
    ("45", "Theft from vehicle", "Theft offences", "Theft from a vehicle", "Vehicle crime", 279_483),
    ("48", "Theft or unauthorised taking of motor vehicle", "Theft offences", "Theft of a motor vehicle", "Vehicle crime", 105_787),
    ("37.2", "Aggravated vehicle taking", "Theft offences", "Theft of a motor vehicle", "Vehicle crime", 5_793),
    ("126", "Interfering with a motor vehicle", "Theft offences", "Vehicle interference", "Vehicle crime", 64_908),
    ("44", "Theft or unauthorised taking of a pedal cycle", "Theft offences", "Bicycle theft", "Bicycle theft", 93_804),
    ("46", "Shoplifting", "Theft offences", "Shoplifting", "Shoplifting", 379_567),
    ("39", "Theft from the person", "Theft offences", "Theft from the person", "Theft from the person", 94_032),
    ("49", "Other theft", "Theft offences", "Other theft offences", "Other theft", 356_701),
    ("49A", "Making off without payment", "Theft offences", "Other theft offences", "Other theft", 86_398),
    ("40", "Theft in a dwelling other than from an automatic machine or meter", "Theft offences", "Other theft offences", "Other theft", 53_788),
    ("41", "Theft by an employee", "Theft offences", "Other theft offences", "Other theft", 10_403),
    ("35", "Blackmail", "Theft offences", "Other theft offences", "Other theft", 8_322),
    ("56A", "Arson endangering life", "Criminal damage and arson", "Arson", "Criminal damage and arson", 4_125),
    ("56B", "Arson not endangering life", "Criminal damage and arson", "Arson", "Criminal damage and arson", 22_618),
    ("58A", "Criminal damage to a dwelling", "Criminal damage and arson", "Criminal damage", "Criminal damage and arson", 141_937),
    ("58B", "Criminal damage to a building other than a dwelling", "Criminal damage and arson", "Criminal damage", "Criminal damage and arson", 53_631),
    ("58C", "Criminal damage to a vehicle", "Criminal damage and arson", "Criminal damage", "Criminal damage and arson", 232_158),
    ("58D", "Other criminal damage", "Criminal damage and arson", "Criminal damage", "Criminal damage and arson", 126_617),
    ("58J", "Racially or religiously aggravated criminal damage", "Criminal damage and arson", "Criminal damage", "Criminal damage and arson", 2_312),
    ("92A", "Trafficking in controlled drugs", "Drug offences", "Trafficking of drugs", "Drugs", 26_507),
    ("92D", "Possession of controlled drugs (excl. Cannabis)", "Drug offences", "Possession of drugs", "Drugs", 26_633),
    ("92E", "Possession of controlled drugs (Cannabis)", "Drug offences", "Possession of drugs", "Drugs", 81_024),
    ("10A", "Possession of firearms with intent", "Possession of weapons offences", "Possession of weapons offences", "Possession of weapons", 2_339),
    ("10B", "Possession of firearms offences", "Possession of weapons offences", "Possession of weapons offences", "Possession of weapons", 3_721),
    ("10C", "Possession of other weapons", "Possession of weapons offences", "Possession of weapons offences", "Possession of weapons", 13_152),
    ("10D", "Possession of article with blade or point", "Possession of weapons offences", "Possession of weapons offences", "Possession of weapons", 17_944),
    ("9A", "Public fear, alarm or distress", "Public order offences", "Public order offences", "Public order", 278_415),
    ("9B", "Racially or religiously aggravated public fear, alarm or distress", "Public order offences", "Public order offences", "Public order", 39_106),
    ("62A", "Violent disorder", "Public order offences", "Public order offences", "Public order", 1_187),
    ("66", "Other offences against the State or public order", "Public order offences", "Public order offences", "Public order", 56_833),
    ("59", "Threat or possession with intent to commit criminal damage", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 26_970),
    ("86", "Obscene publications etc", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 22_938),
    ("79", "Perverting the course of justice", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 7_124),
    ("99", "Other notifiable offences", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 6_164),
    ("802", "Dangerous driving", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 4_908),
    ("54", "Handling stolen goods", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 3_675),
    ("33", "Going equipped for stealing, etc", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 2_576),
    ("26", "Bigamy", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 70),
    ("15", "Concealing an infant death close to birth", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 12),
    ("95", "Disclosure, obstruction, false or misleading statements etc", "Miscellaneous crimes", "Miscellaneous crimes", "Other crime", 305),
)
ACTION_FRAUD = ("AF", "Fraud offences recorded by Action Fraud", "Fraud offences", "Fraud: action fraud")

#: Per-head uplift of recorded crime over police.uk counts: mean and spread of the ratio.
PRC_UPLIFT = (1.04, 0.012)
#: National crime rate per 1,000 residents at a crime index of 1.0, by police.uk category.
NATIONAL_RATE = {c: v / 252.0 / 1.25 for c, v in WESSEX_VALE_CRIMES.items()}


def _code_shares() -> dict[str, tuple[list[int], np.ndarray]]:
    """For each police.uk category: the indices of its codes in OFFENCES and their shares."""
    out = {}
    for cat in WESSEX_VALE_CRIMES:
        idx = [i for i, o in enumerate(OFFENCES) if o[4] == cat]
        w = np.array([OFFENCES[i][5] for i in idx], dtype=float)
        out[cat] = (idx, w / w.sum())
    return out


def _fmt(n: int) -> str:
    """A count as the published CSV writes it: " 5157 ", zero as "-00 ", a negative as "-1 "."""
    return "-00 " if n == 0 else (f"{n} " if n < 0 else f" {n} ")


def recorded_crime(placed: pd.DataFrame, seed: int, months: list[str]) -> pd.DataFrame:
    """Offences by financial year, quarter, CSP and offence code for every CSP of the nation.

    ``placed`` holds the police.uk counts of the Wessex Police area (lad_code, month, category,
    count); the other CSPs are drawn from the national rates.
    """
    rng = rng_for(seed, "home_office/prc")
    shares = _code_shares()
    crime_cats = list(WESSEX_VALE_CRIMES)
    lad_csp = {lad.code: lad.csp_code for lad in NATION}
    street = placed[placed["category"].isin(crime_cats)].copy()
    street["csp_code"] = street["lad_code"].map(lad_csp)
    street["fy"] = street["financial_year"]
    street["quarter"] = street["month"].map({m: financial_quarter_of_month(m) for m in months})
    street_q = street.groupby(["csp_code", "fy", "quarter", "category"])["count"].sum()
    fys = sorted({financial_year_label(int(m[:4]) - (int(m[5:7]) < 4)) for m in months})
    centre = (len(fys) - 1) / 2
    rows = []
    for code, name, force in csps():
        pop = csp_population(code)
        index = next(lad.crime_index for lad in NATION if lad.csp_code == code)
        for fi, fy in enumerate(fys):
            for q in (1, 2, 3, 4):
                q_months = [(3 * q + k) % 12 + 1 for k in range(3)]  # 4,5,6 / 7,8,9 / 10,11,12 / 1,2,3
                uplift = rng.normal(*PRC_UPLIFT, len(crime_cats)).clip(1.005, 1.09)
                for ci, cat in enumerate(crime_cats):
                    if force == "wessex":
                        total = int(round(street_q.get((code, fy, q, cat), 0) * uplift[ci]))
                    else:
                        season = sum(season_factor(cat, m) for m in q_months) / 12
                        lam = pop / 1000 * NATIONAL_RATE[cat] * index * season * TRENDS[cat] ** (fi - centre)
                        total = int(rng.poisson(lam))
                    idx, p = shares[cat]
                    for i, n in zip(idx, rng.multinomial(total, p)):
                        rows.append((fy, q, FORCES[force].name, name, i, int(n)))
    df = pd.DataFrame(rows, columns=["financial_year", "quarter", "force_name", "csp_name", "offence", "offences"])
    # as published, a few negative counts: offences cancelled or reclassified after their quarter
    # closed, netted off later (only outside the Wessex Police area, where police.uk is compared)
    adjust = rng_for(seed, "home_office/adjustments")
    force_total = df.groupby(["financial_year", "quarter", "force_name", "offence"])["offences"].transform("sum")
    candidates = np.flatnonzero(((force_total == 0) & (df["force_name"] != FORCES["wessex"].name)).to_numpy())
    for fy in fys:
        in_year = candidates[(df["financial_year"].to_numpy()[candidates] == fy)]
        pick = adjust.choice(in_year, size=min(6, len(in_year)), replace=False)
        df.loc[pick, "offences"] = -adjust.choice([1, 1, 1, 2], size=len(pick))
    return df


_TABLE = [*(o[:4] for o in OFFENCES), ACTION_FRAUD]  # code, description, group, subgroup by offence index
_DESC_RANK = np.argsort(np.argsort([t[1].lower() for t in _TABLE], kind="stable"), kind="stable")


def _sorted_rows(df: pd.DataFrame, with_csp: bool) -> list[tuple]:
    """Rows in the published order: quarter, force, (CSP,) offence description ignoring case."""
    keyed = df.assign(_d=_DESC_RANK[df["offence"].to_numpy()])
    keyed = keyed.sort_values(["quarter", "force_name", *(["csp_name"] if with_csp else []), "_d"], kind="stable")
    table = np.array(_TABLE, dtype=object)[keyed["offence"].to_numpy()]
    counts = [_fmt(int(n)) for n in keyed["offences"]]
    cols = [keyed["financial_year"].tolist(), keyed["quarter"].tolist(), keyed["force_name"].tolist()]
    if with_csp:
        cols.append(keyed["csp_name"].tolist())
    return list(zip(*cols, table[:, 1], table[:, 2], table[:, 3], table[:, 0], counts))


def write_prc_tables(raw_dir: Path, placed: pd.DataFrame, seed: int, months: list[str]) -> tuple[list[Path], dict[str, int], pd.DataFrame]:
    """Write both PRC variants for each financial year; return paths, rows by kind and the counts."""
    rc = recorded_crime(placed, seed, months)
    rng = rng_for(seed, "home_office/action_fraud")
    paths: list[Path] = []
    rows = {"home_office_prc_pfa": 0, "home_office_prc_csp": 0}
    for fy, part in rc.groupby("financial_year", sort=True):
        tag = f"{fy[:4]}{fy[5:]}"  # 2021/22 -> 202122, as in prc-pfa-mar2013-onwards-tables201718.csv
        pfa = part.groupby(["financial_year", "quarter", "force_name", "offence"], as_index=False)["offences"].sum()
        pfa["csp_name"] = ""
        fraud = pd.DataFrame(
            {
                "financial_year": fy,
                "quarter": [1, 2, 3, 4],
                "force_name": "Action Fraud",
                "offence": len(OFFENCES),
                "offences": rng.poisson(78_000, 4),
                "csp_name": "",
            }
        )
        pfa = pd.concat([pfa, fraud], ignore_index=True)
        pfa_rows = _sorted_rows(pfa, with_csp=False)
        csp_rows = _sorted_rows(part, with_csp=True)
        for variant, header, body in (("pfa", PFA_HEADER, pfa_rows), ("csp", CSP_HEADER, csp_rows)):
            path = raw_dir / "home_office_prc" / f"prc-{variant}-mar2013-onwards-tables{tag}.csv"
            write_file(path, csv_bytes(header, body))
            paths.append(path)
            rows[f"home_office_prc_{variant}"] += len(body)
    return paths, rows, rc

