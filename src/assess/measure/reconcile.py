"""Reconcile police.uk street-level crime with Home Office police recorded crime, by quarter and group.

Both publications come from the same police crime records, yet their counts differ: police.uk
(data.police.uk, monthly, one row per crime with an approximate location) typically runs a few per
cent below the Home Office open data tables (quarterly counts by offence). This module sets them
side by side for one force and one financial year so that an assessment can state how far the
street-level figures it maps can be trusted as totals, and why they differ
(:func:`explain_differences`).

Inputs are the processed tables of ``docs/data-model.md``: ``street`` (police.uk; needs ``month``
and ``crime_type``; uses ``category`` when present, ``falls_within`` to select a force) and
``recorded_crime`` (Home Office; needs ``financial_year``, ``quarter``, ``force_name``,
``offences`` and, by group, ``offence_group`` and ``offence_subgroup``).

Counts are numbers of crimes (police.uk rows other than anti-social behaviour) and numbers of
offences (Home Office). A financial quarter is compared only when police.uk holds all three of its
months and the Home Office table holds the quarter: other quarters are shown, flagged, and left
out of the total.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from assess.errors import AssessError
from assess.periods import months_of_financial_year, parse_financial_year

ASB = "Anti-social behaviour"

#: police.uk crime category -> the Home Office offence groups ("group") or subgroups
#: ("subgroup") it corresponds to. Names are matched case-insensitively; alternatives cover the
#: renamings between releases (e.g. "Miscellaneous crimes" / "Miscellaneous crimes against society",
#: "Domestic burglary" / "Residential burglary"). Home Office groups matched by no line (fraud:
#: recorded by Action Fraud, not by forces) have no police.uk counterpart.
#: Sources: police.uk "About the data: crime categories" (https://data.police.uk/about/#columns) and
#: the Home Office police recorded crime open data tables user guide.
OFFENCE_GROUP_MAPPING: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Violence and sexual offences", "group", ("Violence against the person", "Sexual offences")),
    ("Robbery", "group", ("Robbery",)),
    ("Burglary", "subgroup", ("Domestic burglary", "Non-domestic burglary", "Residential burglary", "Non-residential burglary")),
    ("Vehicle crime", "subgroup", ("Theft from a vehicle", "Theft of a motor vehicle", "Vehicle interference")),
    ("Shoplifting", "subgroup", ("Shoplifting",)),
    ("Theft from the person", "subgroup", ("Theft from the person",)),
    ("Bicycle theft", "subgroup", ("Bicycle theft",)),
    ("Other theft", "subgroup", ("Other theft offences", "Other theft")),
    ("Criminal damage and arson", "group", ("Criminal damage and arson",)),
    ("Drugs", "group", ("Drug offences",)),
    ("Possession of weapons", "group", ("Possession of weapons offences",)),
    ("Public order", "group", ("Public order offences",)),
    ("Other crime", "group", ("Miscellaneous crimes against society", "Miscellaneous crimes")),
)

_QUARTER_MONTHS = {1: "Apr-Jun", 2: "Jul-Sep", 3: "Oct-Dec", 4: "Jan-Mar"}


def explain_differences() -> list[str]:
    """Why police.uk and Home Office counts for the same force and quarter differ (documented reasons)."""
    return [
        "Fraud is not in police.uk: since 2013 fraud is recorded centrally by Action Fraud (and counted by "
        "CIFAS and UK Finance), not by the local force, so neither source's force figures include it; the "
        "Home Office tables show it under separate 'forces'.",
        "police.uk publishes only crimes it can place on a map: offences recorded without a usable location "
        "(and some sensitive offences, whose victims could be identified) are left out of the street-level "
        "files, which is the main reason police.uk runs a few per cent lower.",
        "police.uk is a snapshot: each month's file is extracted soon after the month ends and is not revised, "
        "while the Home Office figures are revised at every quarterly release as crimes are reclassified, "
        "cancelled (transferred or found not to be crimes) or added late.",
        "Geocoding: police.uk places each crime at an anonymised point ('On or near ...') and some crimes fall "
        "outside the force area or are placed in a neighbouring force's file; Home Office counts follow the "
        "recording force.",
        "Periods: police.uk dates a crime by the month it was recorded in the extract, and a quarter is built "
        "from three monthly files; a missing or late month shifts counts between quarters. Quarters without all "
        "three months are flagged as incomplete and not compared.",
        "Categories: police.uk's 14 categories are broader than the Home Office offence groups; the mapping "
        "between them is approximate at the edges (e.g. 'Threat or possession with intent to commit "
        "criminal damage' is a Home Office miscellaneous crime), so differences by group are larger than in total.",
        "Anti-social behaviour is in police.uk but is not a notifiable crime: it is excluded from the police.uk "
        "count before comparing.",
    ]


# --------------------------------------------------------------------------------------------
# inputs


def _require(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AssessError(
            f"the {name} table lacks column(s) {', '.join(missing)} (has: {', '.join(map(str, df.columns))}); "
            f"build it with the reader named in docs/data-model.md"
        )


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each row's position among the distinct values (-1: missing) and those values: a
    categorical's own codes (a byte a row), else :func:`pandas.factorize`."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Index(values.cat.categories)
    codes, uniques = pd.factorize(values)
    return codes, pd.Index(uniques)


def _distinct(values: pd.Series) -> list[str]:
    """The distinct values present (missing left out), as sorted strings, without a string per row."""
    codes, uniques = _codes(values)
    return sorted(str(v) for v in uniques[np.unique(codes[codes >= 0])])


def _each_value(values: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``transform`` (of a string Series) applied to each distinct value of ``values`` once and
    spread over the rows (missing stays missing): what it gives on every row, without building a
    string per row (the force's street rows are millions, their distinct values a few dozen)."""
    codes, uniques = _codes(values)
    done = pd.Series(transform(pd.Series(uniques, dtype="string"))).convert_dtypes().array  # nullable: takes NA
    return pd.Series(done.take(codes, allow_fill=True), index=values.index)


def _cleaned(values: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Like :func:`_each_value` for a transform giving strings, as a categorical of the results
    (sorted): values that clean to the same string share one category."""
    codes, uniques = _codes(values)
    cleaned = pd.Series(transform(pd.Series(uniques, dtype="string")), dtype="string")
    new_codes, categories = pd.factorize(cleaned, sort=True)
    lookup = np.append(new_codes, -1).astype(np.int32)  # a missing value (code -1) stays missing
    return pd.Series(pd.Categorical.from_codes(lookup[codes], categories=categories), index=values.index)


def _police_uk_crimes(street: pd.DataFrame, financial_year: str, falls_within: str | None) -> pd.DataFrame:
    """police.uk crimes (no ASB) of ``financial_year``: columns month, quarter, category (month and
    category as categoricals)."""
    _require(street, ["month", "crime_type"], "street")
    df = street
    if falls_within is not None:
        _require(street, ["falls_within"], "street")
        force = falls_within.strip().casefold()
        df = df[_each_value(df["falls_within"], lambda s: s.str.strip().str.casefold() == force)]
        if df.empty:
            have = _distinct(street["falls_within"])
            raise AssessError(f"no street rows fall within '{falls_within}' (present: {', '.join(have) or 'none'})")
    elif "falls_within" in df.columns:
        forces = _distinct(df["falls_within"])
        if len(forces) > 1:
            raise AssessError(
                f"the street table holds several forces ({', '.join(forces)}); pass falls_within= to choose the "
                f"force to reconcile, so that no crime is counted against the wrong force"
            )
    asb = _each_value(df["crime_type"], lambda s: s.str.strip().str.casefold() == ASB.casefold())
    if "is_asb" in df.columns:
        asb = asb | df["is_asb"].fillna(False).astype(bool)
    months = set(months_of_financial_year(financial_year))
    in_year = _each_value(df["month"], lambda s: s.str.strip().isin(months))
    df = df[~asb.fillna(False) & in_year.fillna(False)]
    month = _cleaned(df["month"], lambda s: s.str.strip())
    crime_type = _cleaned(df["crime_type"], lambda s: s.str.strip())
    category = _cleaned(df["category"], lambda s: s) if "category" in df.columns else crime_type
    if category.isna().any():  # a row without a harmonised category counts under its police.uk type
        category = category.astype("string").fillna(crime_type.astype("string")).astype("category")
    out = pd.DataFrame({"month": month, "category": category})
    out["quarter"] = _each_value(month, lambda s: ((s.str.slice(5, 7).astype("int64") - 4) % 12) // 3 + 1).astype("int64")
    return out


def _home_office(recorded: pd.DataFrame, force_name: str, financial_year: str, by_group: bool = False) -> pd.DataFrame:
    """Home Office rows of one force and financial year (force-area rows when CSP rows are mixed in)."""
    cols = ["financial_year", "quarter", "force_name", "offences"] + (["offence_group", "offence_subgroup"] if by_group else [])
    _require(recorded, cols, "recorded_crime")
    names = recorded["force_name"].astype("string").str.strip()
    rows = recorded[names.str.casefold() == force_name.strip().casefold()]
    if rows.empty:
        known = sorted(names.dropna().unique())
        near = difflib.get_close_matches(force_name, known, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
        raise AssessError(
            f"no Home Office rows for force '{force_name}'{hint}; use the force name as in the Home Office tables "
            f"(police_force.name in the CSP configuration)"
        )
    if "csp_name" in rows.columns:
        pfa = rows["csp_name"].isna()
        if pfa.any() and not pfa.all():
            rows = rows[pfa]  # both variants loaded: the force-area rows, not force + CSPs twice
    rows = rows[rows["financial_year"].astype("string").str.strip() == financial_year]
    out = pd.DataFrame(
        {"quarter": rows["quarter"].astype("int64"), "offences": pd.to_numeric(rows["offences"]).astype("int64")}
    )
    if by_group:
        out["offence_group"] = rows["offence_group"].astype("string").str.strip()
        out["offence_subgroup"] = rows["offence_subgroup"].astype("string").str.strip()
    return out


def _quarters(crimes: pd.DataFrame, ho: pd.DataFrame, financial_year: str) -> pd.DataFrame:
    """Per quarter: months expected and present, whether comparable, and both counts."""
    months = months_of_financial_year(financial_year)
    present = set(crimes["month"].unique())
    ho_quarters = set(ho["quarter"].unique())
    start = parse_financial_year(financial_year)
    rows = []
    for q in (1, 2, 3, 4):
        expected = months[3 * (q - 1) : 3 * q]
        have = [m for m in expected if m in present]
        in_ho = q in ho_quarters
        complete = len(have) == 3 and in_ho
        if complete:
            note = "complete: compared"
        else:
            why = []
            if len(have) < 3:
                why.append(f"police.uk holds {len(have)} of 3 months")
            if not in_ho:
                why.append(f"the Home Office table has no {financial_year} Q{q}")
            note = "incomplete: " + " and ".join(why) + "; not compared"
        rows.append(
            {
                "quarter": q,
                "label": f"Q{q} ({_QUARTER_MONTHS[q]} {start + (q == 4)})",
                "months_expected": ", ".join(expected),
                "months_present": ", ".join(have),
                "police_uk_months": len(have),
                "complete": complete,
                "police_uk_crimes": int((crimes["quarter"] == q).sum()),
                "home_office_offences": int(ho.loc[ho["quarter"] == q, "offences"].sum()) if in_ho else None,
                "note": note,
            }
        )
    return pd.DataFrame(rows)


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Typed difference (police.uk - Home Office) and percentage difference (of Home Office)."""
    for c in ("police_uk_crimes", "home_office_offences"):
        df[c] = pd.array(df[c], dtype="Int64")
    diff = df["police_uk_crimes"] - df["home_office_offences"]
    df["difference"] = diff.where(df["comparable"]).astype("Int64")
    pct = 100 * df["difference"].astype("Float64") / df["home_office_offences"].astype("Float64")
    df["pct_difference"] = pct.where(df["home_office_offences"].fillna(0) != 0).astype("Float64")
    return df


# --------------------------------------------------------------------------------------------
# public


def reconcile_police_uk_with_home_office(
    street: pd.DataFrame,
    recorded: pd.DataFrame,
    force_name: str,
    financial_year: str,
    *,
    falls_within: str | None = None,
) -> pd.DataFrame:
    """police.uk crimes against Home Office recorded offences for one force, by financial quarter.

    ``street``: the police.uk rows of the force's file(s) (``falls_within`` selects one force when
    the table holds several). ``recorded``: Home Office rows (``force_name`` as the Home Office
    writes it, e.g. ``"Hampshire"``). ``financial_year``: ``"2017/18"``.

    One row per quarter (Q1 = April-June) and a ``Total`` row, with columns:
    ``financial_year``, ``period`` (``Q1``..``Q4``, ``Total``), ``quarter`` (Int64, NA for the total),
    ``label``, ``months_expected`` and ``months_present`` (``YYYY-MM`` lists), ``police_uk_months``,
    ``complete`` (police.uk holds all 3 months and the Home Office table the quarter),
    ``police_uk_crimes`` (rows other than anti-social behaviour; counted even for an incomplete
    quarter), ``home_office_offences`` (NA when the table lacks the quarter), ``difference``
    (police.uk minus Home Office, NA unless complete), ``pct_difference`` (difference as a
    percentage of the Home Office count) and ``note``. The total adds the complete quarters only,
    and says which.
    """
    parse_financial_year(financial_year)
    crimes = _police_uk_crimes(street, financial_year, falls_within)
    ho = _home_office(recorded, force_name, financial_year)
    q = _quarters(crimes, ho, financial_year)
    q["comparable"] = q["complete"]
    done = q[q["complete"]]
    n_months = int(done["police_uk_months"].sum())
    if len(done):
        total_note = (
            f"complete quarters only: {', '.join('Q' + str(x) for x in done['quarter'])} ({n_months} of 12 months)"
        )
    else:
        total_note = "no complete quarter: nothing compared"
    total = {
        "quarter": None,
        "label": f"Total {financial_year}" + ("" if len(done) == 4 else " (complete quarters)"),
        "months_expected": ", ".join(months_of_financial_year(financial_year)),
        "months_present": ", ".join(m for ms in done["months_present"] for m in ms.split(", ") if m),
        "police_uk_months": n_months,
        "complete": len(done) == 4,
        "police_uk_crimes": int(done["police_uk_crimes"].sum()) if len(done) else None,
        "home_office_offences": int(done["home_office_offences"].sum()) if len(done) else None,
        "note": total_note,
        "comparable": len(done) > 0,
    }
    out = pd.concat([q, pd.DataFrame([total])], ignore_index=True)
    out["quarter"] = pd.array(out["quarter"], dtype="Int64")
    out["period"] = [f"Q{x}" for x in q["quarter"]] + ["Total"]
    out["financial_year"] = financial_year
    out["complete"] = out["complete"].astype(bool)
    out = _finish(out)
    cols = [
        "financial_year", "period", "quarter", "label", "months_expected", "months_present", "police_uk_months",
        "complete", "police_uk_crimes", "home_office_offences", "difference", "pct_difference", "note",
    ]
    out = out[cols]
    for c in ("financial_year", "period", "label", "months_expected", "months_present", "note"):
        out[c] = out[c].astype("string")
    out["police_uk_months"] = out["police_uk_months"].astype("int64")
    return out


def _home_office_category(groups: pd.Series, subgroups: pd.Series) -> pd.Series:
    """The police.uk category of each Home Office row by OFFENCE_GROUP_MAPPING (NA: no counterpart)."""
    g = groups.str.casefold()
    s = subgroups.str.casefold()
    out = pd.Series(pd.NA, index=groups.index, dtype="string")
    for category, level, names in OFFENCE_GROUP_MAPPING:
        col = g if level == "group" else s
        hit = col.isin([n.casefold() for n in names]).fillna(False) & out.isna()
        out[hit] = category
    return out


def reconcile_by_offence_group(
    street: pd.DataFrame,
    recorded: pd.DataFrame,
    force_name: str,
    financial_year: str,
    *,
    falls_within: str | None = None,
) -> pd.DataFrame:
    """police.uk categories against the Home Office offence groups they map to, over complete quarters.

    Uses :data:`OFFENCE_GROUP_MAPPING`; only the quarters that :func:`reconcile_police_uk_with_home_office`
    finds complete are counted, on both sides. One row per police.uk category (in the mapping's
    order), then any police.uk category the mapping does not know, then each Home Office offence
    group with no police.uk counterpart (e.g. fraud), then ``Total`` (equal to the quarterly total).

    Columns: ``financial_year``, ``quarters`` (e.g. ``"Q1, Q2"``), ``police_uk_category`` (NA for a
    Home Office-only group), ``home_office_groups`` (what it is compared with), ``police_uk_crimes``,
    ``home_office_offences``, ``difference`` (police.uk minus Home Office), ``pct_difference``
    (percentage of the Home Office count) and ``note``. Raises AssessError if no quarter is complete.
    """
    parse_financial_year(financial_year)
    crimes = _police_uk_crimes(street, financial_year, falls_within)
    ho = _home_office(recorded, force_name, financial_year, by_group=True)
    quarters = _quarters(crimes, ho, financial_year)
    done = [int(x) for x in quarters.loc[quarters["complete"], "quarter"]]
    if not done:
        raise AssessError(
            f"no complete quarter of {financial_year} to compare for '{force_name}' "
            f"(police.uk months present: {', '.join(sorted(crimes['month'].unique())) or 'none'}); "
            f"fetch all three months of a quarter, and a Home Office table holding it"
        )
    crimes = crimes[crimes["quarter"].isin(done)]
    ho = ho[ho["quarter"].isin(done)].copy()
    ho["category"] = _home_office_category(ho["offence_group"], ho["offence_subgroup"])
    pu_counts = crimes.groupby("category", observed=True).size()
    ho_counts = ho.dropna(subset=["category"]).groupby("category")["offences"].sum()

    rows = []
    for category, level, names in OFFENCE_GROUP_MAPPING:
        present = [n for n in names if n.casefold() in set((ho["offence_group"] if level == "group" else ho["offence_subgroup"]).str.casefold())]
        rows.append(
            {
                "police_uk_category": category,
                "home_office_groups": f"{level}: " + " + ".join(present or names[:1]),
                "police_uk_crimes": int(pu_counts.get(category, 0)),
                "home_office_offences": int(ho_counts.get(category, 0)),
                "note": "",
                "comparable": True,
            }
        )
    known = {c for c, _, _ in OFFENCE_GROUP_MAPPING}
    for category in sorted(set(pu_counts.index) - known):
        rows.append(
            {
                "police_uk_category": category,
                "home_office_groups": "",
                "police_uk_crimes": int(pu_counts[category]),
                "home_office_offences": None,
                "note": "police.uk category not in the mapping (harmonise it to a current category)",
                "comparable": False,
            }
        )
    unmatched = ho[ho["category"].isna()].groupby("offence_group")["offences"].sum()
    for group, n in unmatched.items():
        rows.append(
            {
                "police_uk_category": None,
                "home_office_groups": f"group: {group}",
                "police_uk_crimes": None,
                "home_office_offences": int(n),
                "note": "no police.uk counterpart (e.g. fraud, recorded by Action Fraud)",
                "comparable": False,
            }
        )
    rows.append(
        {
            "police_uk_category": "Total",
            "home_office_groups": "all offences",
            "police_uk_crimes": len(crimes),
            "home_office_offences": int(ho["offences"].sum()),
            "note": "",
            "comparable": True,
        }
    )
    out = _finish(pd.DataFrame(rows))
    out.insert(0, "quarters", ", ".join(f"Q{q}" for q in done))
    out.insert(0, "financial_year", financial_year)
    cols = [
        "financial_year", "quarters", "police_uk_category", "home_office_groups", "police_uk_crimes",
        "home_office_offences", "difference", "pct_difference", "note",
    ]
    out = out[cols]
    for c in ("financial_year", "quarters", "police_uk_category", "home_office_groups", "note"):
        out[c] = out[c].astype("string")
    return out
