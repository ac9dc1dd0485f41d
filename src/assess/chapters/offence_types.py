"""Chapter 2, offence types: every police.uk category and the force's flagged offences, this year against last.

Sources: data.police.uk street-level crime (the 13 harmonised crime categories,
:data:`assess.measure.counts.CRIME_CATEGORIES`); the partner file ``force_flags`` (monthly counts of
crimes the force flags: violence with and without injury, burglary dwelling/other, vehicle
offences, sexual offences, hate crime, domestic abuse, knife and gun crime, alcohol and drugs,
threats to kill, missing persons); the Home Office recorded crime CSP tables (offence subgroups)
where present. Every row compares the same months of this year and last. police.uk categories and
force flags are tested on their monthly series, allowing for month-to-month variation beyond
chance (quasi-Poisson, :func:`assess.measure.metrics.count_change`); the Home Office subgroups,
published as quarterly totals with no monthly series, by the exact test of the two totals
(:func:`assess.stats.change_in_totals`), which the chapter says. Where the force flags and the
Home Office count the same offence, one table states the difference (:func:`sources_compared`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from assess.chapters import common
from assess.chapters.recorded_crime import (
    POLICE_UK_SOURCE,
    POPULATION_SOURCE,
    monthly_counts,
    no_comparison_sentence,
)
from assess.measure import comparators, counts, narrative
from assess.measure.context import AssessmentContext
from assess.measure.counts import CRIME_CATEGORIES, PeriodCounts
from assess.measure.flags import (
    covered_months,
    flag_series,
    months_total,
    total_counts_strands_twice,
)
from assess.measure.metrics import count_change, metric_from_count
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import CountChange, change_in_totals
from assess.store.harmonise import category_id
from assess.vocabulary import FORCE_FLAGS

FLAGS_SOURCE = "Police force crime flags (partner file force_flags)"
HOME_OFFICE_SOURCE = "Home Office, Police recorded crime open data tables (Community Safety Partnership level)"

#: Force flags shown in the offence table, in order, with their labels (:data:`assess.vocabulary.FORCE_FLAGS`).
FLAG_LABELS: dict[str, str] = {flag: FORCE_FLAGS[flag] for flag in (
    "violence_with_injury",
    "violence_without_injury",
    "burglary_dwelling",
    "burglary_other",
    "theft_of_vehicle",
    "theft_from_vehicle",
    "rape",
    "other_sexual_offences",
    "hate_crime",
    "domestic_abuse",
    "public_place_violence",
    "knife_crime",
    "gun_crime",
    "alcohol_affected",
    "drug_related_violence",
    "threats_to_kill",
    "missing_person_child",
    "missing_person_adult",
)}

#: Flag measures whose metrics this chapter owns (other chapters own hate crime, domestic abuse ...).
OWNED_FLAG_METRICS: tuple[str, ...] = (
    "violence_with_injury",
    "violence_without_injury",
    "burglary_dwelling",
    "burglary_other",
    "theft_of_vehicle",
    "theft_from_vehicle",
    "public_place_violence",
    "knife_crime",
    "gun_crime",
    "threats_to_kill",
)

#: Home Office offence subgroups that count what a force flag counts (both sources in one table).
FLAG_HOME_OFFICE_SUBGROUPS: dict[str, str] = {
    "violence_with_injury": "Violence with injury",
    "violence_without_injury": "Violence without injury",
    "burglary_dwelling": "Domestic burglary",
    "burglary_other": "Non-domestic burglary",
    "theft_of_vehicle": "Theft of a motor vehicle",
    "theft_from_vehicle": "Theft from a vehicle",
    "rape": "Rape offences",
    "other_sexual_offences": "Other sexual offences",
}

#: Why the Home Office subgroups are tested on two totals.
HOME_OFFICE_NO_SERIES = "the Home Office publishes these offences as quarterly totals, not as a monthly series"

#: How the offence table's changes are tested, for the reader who wants to know.
CHANGE_METHOD_NOTE = (
    "Each change in the offence table is tested on that offence's monthly counts with a quasi-Poisson model that "
    "allows for the season and for month-to-month variation beyond chance (the dispersion of each is in "
    "metrics.json); only where a series is too short does the exact test of the two totals decide. A change is "
    "called statistically significant when p < 0.05."
)

#: Units of flags that do not count crimes.
FLAG_UNITS = {"missing_person_child": "reports", "missing_person_adult": "reports"}

TABLE_COLUMNS = ["measure_id", "offence", "source", "previous", "current", "change", "change_percent", "verdict", "rate_per_1000"]


#: Verdict written where last year's months were not all published (no like-for-like comparison).
NOT_COMPARABLE = "not comparable"
#: Verdict of a row whose change was not tested (a table made only for its percentages).
NOT_TESTED = "not tested"


def _row(measure_id: str, label: str, source: str, previous: int | None, current: int, population: float | None,
         change: CountChange | None) -> dict:
    """A row of the offence table; ``change`` is the test of ``previous`` against ``current`` (None when
    not comparable, or not asked for: verdict "not comparable" or "not tested")."""
    return {
        "measure_id": measure_id,
        "offence": label,
        "source": source,
        "previous": previous,
        "current": int(current),
        "change": None if previous is None else int(current - previous),
        "change_percent": None if not previous else 100.0 * (current / previous - 1.0),
        "verdict": change.verdict if change is not None else NOT_COMPARABLE if previous is None else NOT_TESTED,
        "rate_per_1000": current / population * 1000 if population else None,
    }


def _typed(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return df.astype({"previous": "Int64", "current": "int64", "change": "Int64", "change_percent": "float64",
                      "rate_per_1000": "float64"})


def category_table(
    ctx: AssessmentContext, *, tested: bool = True, changes: Mapping[str, CountChange] | None = None
) -> pd.DataFrame:
    """The 13 police.uk crime categories: previous and current counts (same months), change and verdict.

    Columns: :data:`TABLE_COLUMNS` (``measure_id`` is the category id; source "police.uk").
    ``previous`` is missing (and ``verdict`` "not comparable") when police.uk published nothing for
    some month of last year's matching period. Each change is tested on the category's monthly
    series (:func:`category_change`; ``changes`` by category id when already tested; with
    ``tested`` False the verdicts read "not tested").
    """
    pc = counts.year_to_date(ctx)
    cur = counts.counts_by_category(ctx.street(ctx.year, asb=False))
    prev = counts.counts_by_category(ctx.street(ctx.previous_year, asb=False))
    known = dict(changes or {})

    def change(c: str) -> CountChange | None:
        if not (tested and pc.complete):
            return None
        return known.get(category_id(c)) or category_change(ctx, pc, c)

    rows = [_row(category_id(c), c, "police.uk", int(prev[c]) if pc.complete else None, int(cur[c]), ctx.population,
                 change(c))
            for c in CRIME_CATEGORIES]
    return _typed(rows)


def offence_changes(ctx: AssessmentContext, flags: pd.DataFrame | None, pc: PeriodCounts) -> dict[str, CountChange]:
    """Every comparable row's change (by measure id: police.uk categories, then the force flags),
    each tested once on its monthly series."""
    found: dict[str, CountChange] = {}
    if pc.complete:
        found.update({category_id(c): category_change(ctx, pc, c) for c in CRIME_CATEGORIES})
    if flags is not None and not flags.empty and flags_comparable(flags, pc):
        present = set(flags["flag"].astype(str))
        found.update({f: flag_change(flags, f, pc) for f in FLAG_LABELS if f in present})
    return found


def category_change(ctx: AssessmentContext, pc: PeriodCounts, category: str) -> CountChange:
    """The change in one police.uk category between the periods of ``pc``, tested on its monthly series."""
    monthly = monthly_counts(ctx, category=category)
    return count_change(months_total(monthly, pc.previous_months), months_total(monthly, pc.months),
                        monthly=monthly, months=pc.months, previous_months=pc.previous_months)


def flag_change(flags: pd.DataFrame, flag: str, pc: PeriodCounts) -> CountChange:
    """The change in one force flag between the periods of ``pc``, tested on its monthly series."""
    monthly = flag_series(flags, flag)
    return count_change(months_total(monthly, pc.previous_months), months_total(monthly, pc.months),
                        monthly=monthly, months=pc.months, previous_months=pc.previous_months)


def flags_comparable(flags: pd.DataFrame, pc: PeriodCounts) -> bool:
    """True when the flags file covers every month of both periods of ``pc``."""
    have = set(covered_months(flags))
    return all(m in have for m in (*pc.previous_months, *pc.months))


def flag_table(
    ctx: AssessmentContext, flags: pd.DataFrame, pc: PeriodCounts | None = None, *, tested: bool = True,
    changes: Mapping[str, CountChange] | None = None,
) -> pd.DataFrame:
    """Flagged offences in the file (in :data:`FLAG_LABELS` order): previous, current, change and verdict.

    Flags absent from the file are left out. Columns: :data:`TABLE_COLUMNS` (source "force flags");
    ``previous`` is missing when the file has no rows for some month of either period. Each change
    is tested on the flag's monthly series (:func:`flag_change`; ``changes`` by flag when already
    tested; with ``tested`` False the verdicts read "not tested").
    """
    known = dict(changes or {})
    pc = pc or counts.year_to_date(ctx)
    present = set(flags["flag"].astype(str))
    comparable = flags_comparable(flags, pc)
    rows = []
    for flag, label in FLAG_LABELS.items():
        if flag in present:
            monthly = flag_series(flags, flag)
            previous = months_total(monthly, pc.previous_months) if comparable else None
            change = (known.get(flag) or flag_change(flags, flag, pc)) if comparable and tested else None
            rows.append(_row(flag, label, "force flags", previous, months_total(monthly, pc.months), ctx.population,
                             change))
    return _typed(rows)


def flag_months_missing(flags: pd.DataFrame, pc: PeriodCounts) -> list[str]:
    """Months of either compared period with no row at all in the flags file."""
    have = set(flags["month"].astype(str))
    return [m for m in (*pc.previous_months, *pc.months) if m not in have]


def offence_table(ctx: AssessmentContext, *, tested: bool = True) -> pd.DataFrame:
    """police.uk categories, then the force flags where supplied (:func:`category_table`, :func:`flag_table`)."""
    parts = [category_table(ctx, tested=tested)]
    flags = ctx.partner("force_flags")
    if flags is not None and not flags.empty:
        parts.append(flag_table(ctx, flags, tested=tested))
    return pd.concat(parts, ignore_index=True)


def largest_changes(table: pd.DataFrame, n: int = 10, minimum: int = 10) -> pd.DataFrame:
    """The ``n`` rows with the largest percentage change, of those with at least ``minimum`` in both periods.

    A small base makes a percentage meaningless (and can disclose a small count), so rows below
    ``minimum`` in either period are left out.
    """
    keep = (table["previous"] >= minimum).fillna(False) & (table["current"] >= minimum) & table["change_percent"].notna()
    t = table[keep.astype(bool)]
    order = t["change_percent"].abs().sort_values(ascending=False).index
    return t.loc[order[:n]].reset_index(drop=True)


def home_office_subgroups(ctx: AssessmentContext) -> tuple[pd.DataFrame, str]:
    """The CSP's offences by Home Office offence subgroup, this financial year against last.

    Only the quarters present in this year are compared (the same quarters of last year).
    Returns (table, message): table columns offence_group, offence_subgroup, previous, current,
    change_percent, verdict; message names what is missing when the table is empty.
    """
    rates = comparators.csp_rates(ctx)
    if not rates.available:
        return pd.DataFrame(), rates.missing_sentence()
    rc = ctx.recorded_crime
    names = rates.table.loc[rates.table["is_focus"], "csp_name"].astype(str).tolist()
    key = comparators.name_key(names[0])
    own = rc[rc["csp_name"].notna()]
    csp_names = own["csp_name"].astype(str)
    own = own[csp_names.isin([n for n in csp_names.unique() if comparators.name_key(n) == key])]
    cur = own[own["financial_year"] == ctx.year]
    quarters = sorted(set(cur["quarter"].astype(int)))
    prev = own[(own["financial_year"] == ctx.previous_year) & own["quarter"].isin(quarters)]
    if prev.empty:
        return pd.DataFrame(), f"The Home Office CSP tables do not hold {ctx.previous_year} for {ctx.cfg.name}."
    keys = ["offence_group", "offence_subgroup"]
    c = cur.groupby(keys, observed=True)["offences"].sum()
    p = prev.groupby(keys, observed=True)["offences"].sum()
    idx = c.index.union(p.index)
    c, p = c.reindex(idx, fill_value=0).clip(lower=0), p.reindex(idx, fill_value=0).clip(lower=0)
    rows = []
    for (group, sub), cv, pv in zip(idx, c, p):
        ch = change_in_totals(int(pv), int(cv), reason=HOME_OFFICE_NO_SERIES)
        rows.append({"offence_group": group, "offence_subgroup": sub, "previous": int(pv), "current": int(cv),
                     "change_percent": ch.percent, "verdict": ch.verdict})
    df = pd.DataFrame(rows).astype({"previous": "int64", "current": "int64", "change_percent": "float64"})
    note = "" if len(quarters) == 4 else f"quarters {', '.join(map(str, quarters))} of each year"
    return df.sort_values(keys, ignore_index=True), note


# --- sections --------------------------------------------------------------------------------


def _count_or_none(value: object) -> int | None:
    return None if pd.isna(value) else int(value)


def mask_derived(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Blank the change, percentage and rate of rows with a small count (1 to ``threshold`` - 1) in either
    period, so that a suppressed count cannot be worked back from them."""
    out = table.copy()
    small = (((out["previous"] >= 1) & (out["previous"] < threshold)).fillna(False)
             | ((out["current"] >= 1) & (out["current"] < threshold))).astype(bool)
    out["change"] = out["change"].astype("Int64").mask(small)
    out["change_percent"] = out["change_percent"].astype("Float64").mask(small)
    out["rate_per_1000"] = out["rate_per_1000"].astype("Float64").mask(small)
    return out


def _published(table: pd.DataFrame, pc: PeriodCounts, threshold: int) -> pd.DataFrame:
    rounded = narrative.round_table(mask_derived(table, threshold), {"change_percent": 1, "rate_per_1000": 1})
    return rounded.drop(columns=["measure_id"]).rename(
        columns={"offence": "Offence", "source": "Source", "previous": pc.previous_label, "current": pc.label,
                 "change": "Change", "change_percent": "Change (%)", "verdict": "Verdict",
                 "rate_per_1000": "Rate per 1,000 residents"}
    )


def offence_categories(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The table of police.uk categories and flagged offences, with a metric for each category and owned flag."""
    if common.no_street_records(ctx, out):
        return
    pc = counts.year_to_date(ctx)
    flags = ctx.partner("force_flags")
    changes = offence_changes(ctx, flags, pc)
    cats = category_table(ctx, changes=changes)
    table = cats
    missing_flag_months: list[str] = []
    if flags is not None and not flags.empty:
        ft = flag_table(ctx, flags, pc, changes=changes)
        table = pd.concat([cats, ft], ignore_index=True)
        missing_flag_months = flag_months_missing(flags, pc)
    shown = _published(table, pc, ctx.cfg.suppression_threshold)
    residents = common.residents(ctx)
    population_source = residents.source if residents else POPULATION_SOURCE
    out.table(
        "offence_types",
        shown,
        caption=(
            f"Recorded crime by offence type in {ctx.cfg.name}, {pc.label} against {pc.previous_label}: police.uk "
            f"categories{' and force-flagged offences' if len(table) > len(cats) else ''}. Sources: {POLICE_UK_SOURCE}"
            f"{'; ' + FLAGS_SOURCE if len(table) > len(cats) else ''}; residents: {population_source}."
        ),
        count_columns=[pc.previous_label, pc.label],
    )
    if flags is None or flags.empty:
        common.missing(ctx, out, "force-flagged offences (violence with injury, knife crime, hate crime ...)", "force_flags")
    elif missing_flag_months:
        out.note(f"The force flags file has no rows for {', '.join(missing_flag_months)}.")
    if (table["measure_id"] == "hate_crime").any() and total_counts_strands_twice(flags, pc.months + pc.previous_months):
        out.note("Hate crime is the sum of its strands where no total was supplied; a crime in two strands counts twice.")

    if not pc.complete:
        out.note(no_comparison_sentence(pc))
    else:
        out.note(CHANGE_METHOD_NOTE)
    source = f"{POLICE_UK_SOURCE}; {population_source}"
    before = common.residents(ctx, ctx.previous_year) if residents else None  # last year's rates: its own estimate
    for _, r in cats.iterrows():
        out.metric(metric_from_count(
            r["measure_id"], f"{r['offence']} (police.uk)", out.chapter, int(r["current"]), _count_or_none(r["previous"]),
            pc.period, pc.previous_period if pd.notna(r["previous"]) else None, residents, source,
            previous_population=before if pd.notna(r["previous"]) else None,
            change=changes.get(r["measure_id"]),
        ))
    for _, r in table[(table["source"] == "force flags") & table["measure_id"].isin(OWNED_FLAG_METRICS)].iterrows():
        out.metric(metric_from_count(
            r["measure_id"], f"{r['offence']} (force flags)", out.chapter, int(r["current"]), _count_or_none(r["previous"]),
            pc.period, pc.previous_period if pd.notna(r["previous"]) else None, residents,
            f"{FLAGS_SOURCE}; {population_source}", unit=FLAG_UNITS.get(r["measure_id"], "crimes"),
            disclosure_threshold=ctx.cfg.suppression_threshold,
            previous_population=before if pd.notna(r["previous"]) else None,
            change=changes.get(r["measure_id"]),
        ))

    significant = cats[cats["verdict"].isin(["increase", "decrease"])]
    biggest = cats.loc[cats["current"].idxmax()]
    out.say(
        f"The largest police.uk category in {pc.label} was {biggest['offence'].lower()}, with "
        f"{narrative.format_count(biggest['current'])} crimes "
        f"({narrative.format_share(biggest['current'] / max(int(cats['current'].sum()), 1))} of all crime)."
    )
    if not pc.complete:
        out.finding(
            f"The largest police.uk crime category in {ctx.cfg.name} in {pc.label} was {biggest['offence'].lower()}, "
            f"with {narrative.format_count(biggest['current'])} crimes."
        )
        return
    if significant.empty:
        out.say(f"No police.uk crime category changed significantly between {pc.previous_label} and {pc.label}.")
        out.finding(f"No police.uk crime category in {ctx.cfg.name} changed significantly between {pc.previous_label} and {pc.label}.")
        return
    out.say(" ".join(narrative.describe_change(r["offence"], changes[r["measure_id"]]) for _, r in significant.iterrows()))
    top = significant.loc[significant["change"].abs().idxmax()]
    out.finding(
        narrative.describe_change(
            f"{top['offence']} in {ctx.cfg.name}, {pc.label} against {pc.previous_label},", changes[top["measure_id"]],
        )
    )


def changes_chart(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """A chart of the largest percentage changes on last year (rows with enough crimes to be meaningful)."""
    if common.no_street_records(ctx, out):
        return
    pc = counts.year_to_date(ctx)
    if not pc.complete:
        out.note(no_comparison_sentence(pc))
        return
    minimum = max(10, ctx.cfg.suppression_threshold)
    top = largest_changes(offence_table(ctx, tested=False), minimum=minimum)  # percentages only
    if top.empty:
        out.say("No offence type had enough crimes in both years for a percentage change to be meaningful.")
        return
    out.figure(
        charts.change_bars(top, "offence", "change_percent", f"Largest changes in recorded crime, {pc.label} against {pc.previous_label}",
                           source="data.police.uk; force flags"),
        "largest_changes",
        alt=(
            f"Bar chart of the percentage change in {narrative.format_count(len(top))} offence types between "
            f"{pc.previous_label} and {pc.label}; rises in orange-red, falls in blue. The largest is "
            f"{top['offence'].iloc[0]} ({narrative.format_percent(top['change_percent'].iloc[0], signed=True)})."
        ),
        caption=(
            f"Percentage change in recorded crime by offence type, {pc.previous_label} to {pc.label}: the "
            f"{narrative.format_count(len(top))} largest changes among types with at least "
            f"{narrative.format_count(minimum)} crimes in each year."
        ),
    )


def home_office_offences(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Offences by Home Office offence subgroup for the CSP (CSP tables), this year against last."""
    table, message = home_office_subgroups(ctx)
    if table.empty:
        out.note(f"{message} The Home Office offence subgroups are not shown.")
        return
    period = f"{ctx.year} against {ctx.previous_year}" + (f" ({message})" if message else "")
    out.table(
        "home_office_subgroups",
        narrative.round_table(table, {"change_percent": 1}).rename(columns={"offence_group": "Offence group", "offence_subgroup": "Offence subgroup",
                              "previous": ctx.previous_year, "current": ctx.year, "change_percent": "Change (%)",
                              "verdict": "Verdict"}),
        caption=f"Recorded offences in {ctx.cfg.name} by Home Office offence subgroup, {period}. Source: {HOME_OFFICE_SOURCE}.",
        count_columns=[ctx.previous_year, ctx.year],
    )
    sig = table[table["verdict"] != "no significant change"]
    out.say(
        f"Of {narrative.format_count(len(table))} Home Office offence subgroups, "
        f"{narrative.format_count(int((sig['verdict'] == 'increase').sum()))} rose and "
        f"{narrative.format_count(int((sig['verdict'] == 'decrease').sum()))} fell significantly, by the exact test "
        "of the two yearly totals (the Home Office gives no monthly series, so this test cannot allow for "
        "month-to-month variation beyond chance and calls more changes significant than the tests of the offence table)."
    )
    flags = ctx.partner("force_flags")
    pc = counts.year_to_date(ctx)
    if flags is None or flags.empty or message or not pc.complete or not flags_comparable(flags, pc):
        return
    both = sources_compared(flags, table, pc)
    if both.empty:
        return
    out.table(
        "flags_and_home_office",
        both.rename(columns={"offence": "Offence", "force_flags": "Force flags", "home_office": "Home Office",
                             "difference": "Difference (Home Office less flags)"}),
        caption=(f"Offences counted by both the force flags and the Home Office tables, {ctx.cfg.name}, {ctx.year}. "
                 f"Sources: {FLAGS_SOURCE}; {HOME_OFFICE_SOURCE}."),
        count_columns=["Force flags", "Home Office"],
        derived={"Force flags": ["Difference (Home Office less flags)"], "Home Office": ["Difference (Home Office less flags)"]},
    )
    out.say(
        "Some offences are counted by both the force flags and the Home Office tables, and their totals differ (table "
        "above): the flags come from the force's crime system when a crime is flagged, the Home Office figures are the "
        "official statistics, counted when a crime is recorded and revised after. Each figure in this chapter names "
        "its source: the offence table's rows say 'police.uk' or 'force flags', this section is the Home Office's."
    )


def sources_compared(flags: pd.DataFrame, home_office: pd.DataFrame, pc: PeriodCounts) -> pd.DataFrame:
    """Offences both the force flags and the Home Office subgroups count, over the same (whole) year.

    Columns: offence (the flag's label), force_flags, home_office, difference (Home Office less
    flags), all int64, in :data:`FLAG_HOME_OFFICE_SUBGROUPS` order; flags absent from the file or
    subgroups absent from ``home_office`` (:func:`home_office_subgroups`) are left out.
    """
    present = set(flags["flag"].astype(str))
    by_subgroup = home_office.groupby("offence_subgroup", observed=True)["current"].sum()
    rows = []
    for flag, subgroup in FLAG_HOME_OFFICE_SUBGROUPS.items():
        if flag not in present or subgroup not in by_subgroup.index:
            continue
        flagged = months_total(flag_series(flags, flag), pc.months)
        official = int(by_subgroup[subgroup])
        rows.append({"offence": FLAG_LABELS[flag], "force_flags": flagged, "home_office": official,
                     "difference": official - flagged})
    return pd.DataFrame(rows, columns=["offence", "force_flags", "home_office", "difference"]).astype(
        {"force_flags": "int64", "home_office": "int64", "difference": "int64"})
