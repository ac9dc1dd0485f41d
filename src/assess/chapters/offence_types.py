"""Chapter 2, offence types: every police.uk category and the force's flagged offences, this year against last.

Sources: data.police.uk street-level crime (the 13 harmonised crime categories,
:data:`assess.measure.counts.CRIME_CATEGORIES`); the partner file ``force_flags`` (monthly counts of
crimes the force flags: violence with and without injury, burglary dwelling/other, vehicle
offences, sexual offences, hate crime, domestic abuse, knife and gun crime, alcohol and drugs,
threats to kill, missing persons); the Home Office recorded crime CSP tables (offence subgroups)
where present. Every row compares the same months of this year and last, with the exact test of
two counts (:func:`assess.stats.change_in_counts`).
"""

from __future__ import annotations

import pandas as pd

from assess.chapters import common
from assess.chapters.recorded_crime import (
    POLICE_UK_SOURCE,
    POPULATION_SOURCE,
    no_comparison_sentence,
)
from assess.measure import comparators, counts, narrative
from assess.measure.context import AssessmentContext
from assess.measure.counts import CRIME_CATEGORIES, PeriodCounts
from assess.measure.flags import flag_monthly, months_total, total_counts_strands_twice
from assess.measure.metrics import metric_from_count
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import change_in_counts
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

#: Units of flags that do not count crimes.
FLAG_UNITS = {"missing_person_child": "reports", "missing_person_adult": "reports"}

TABLE_COLUMNS = ["measure_id", "offence", "source", "previous", "current", "change", "change_percent", "verdict", "rate_per_1000"]


#: Verdict written where last year's months were not all published (no like-for-like comparison).
NOT_COMPARABLE = "not comparable"


def _row(measure_id: str, label: str, source: str, previous: int | None, current: int, population: float | None) -> dict:
    change = change_in_counts(previous, current) if previous is not None else None
    return {
        "measure_id": measure_id,
        "offence": label,
        "source": source,
        "previous": previous,
        "current": int(current),
        "change": None if previous is None else int(current - previous),
        "change_percent": None if change is None else change.percent,
        "verdict": NOT_COMPARABLE if change is None else change.verdict,
        "rate_per_1000": current / population * 1000 if population else None,
    }


def _typed(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return df.astype({"previous": "Int64", "current": "int64", "change": "Int64", "change_percent": "float64",
                      "rate_per_1000": "float64"})


def category_table(ctx: AssessmentContext) -> pd.DataFrame:
    """The 13 police.uk crime categories: previous and current counts (same months), change and verdict.

    Columns: :data:`TABLE_COLUMNS` (``measure_id`` is the category id; source "police.uk").
    ``previous`` is missing (and ``verdict`` "not comparable") when police.uk published nothing for
    some month of last year's matching period.
    """
    comparable = counts.year_to_date(ctx).complete
    cur = counts.counts_by_category(ctx.street(ctx.year, asb=False))
    prev = counts.counts_by_category(ctx.street(ctx.previous_year, asb=False))
    rows = [_row(category_id(c), c, "police.uk", int(prev[c]) if comparable else None, int(cur[c]), ctx.population)
            for c in CRIME_CATEGORIES]
    return _typed(rows)


def flag_table(ctx: AssessmentContext, flags: pd.DataFrame, pc: PeriodCounts | None = None) -> pd.DataFrame:
    """Flagged offences in the file (in :data:`FLAG_LABELS` order): previous, current, change and verdict.

    Flags absent from the file are left out. Columns: :data:`TABLE_COLUMNS` (source "force flags");
    ``previous`` is missing when the file has no rows for some month of last year's period.
    """
    pc = pc or counts.year_to_date(ctx)
    present = set(flags["flag"].astype(str))
    have = set(flags["month"].astype(str))
    comparable = all(m in have for m in pc.previous_months)
    rows = []
    for flag, label in FLAG_LABELS.items():
        if flag in present:
            monthly = flag_monthly(flags, flag)
            previous = months_total(monthly, pc.previous_months) if comparable else None
            rows.append(_row(flag, label, "force flags", previous, months_total(monthly, pc.months), ctx.population))
    return _typed(rows)


def flag_months_missing(flags: pd.DataFrame, pc: PeriodCounts) -> list[str]:
    """Months of either compared period with no row at all in the flags file."""
    have = set(flags["month"].astype(str))
    return [m for m in (*pc.previous_months, *pc.months) if m not in have]


def offence_table(ctx: AssessmentContext) -> pd.DataFrame:
    """police.uk categories, then the force flags where supplied (:func:`category_table`, :func:`flag_table`)."""
    parts = [category_table(ctx)]
    flags = ctx.partner("force_flags")
    if flags is not None and not flags.empty:
        parts.append(flag_table(ctx, flags))
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
        ch = change_in_counts(int(pv), int(cv))
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
    rounded = mask_derived(table, threshold).round({"change_percent": 1, "rate_per_1000": 2})
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
    cats = category_table(ctx)
    flags = ctx.partner("force_flags")
    table = cats
    missing_flag_months: list[str] = []
    if flags is not None and not flags.empty:
        ft = flag_table(ctx, flags, pc)
        table = pd.concat([cats, ft], ignore_index=True)
        missing_flag_months = flag_months_missing(flags, pc)
    shown = _published(table, pc, ctx.cfg.suppression_threshold)
    out.table(
        "offence_types",
        shown,
        caption=(
            f"Recorded crime by offence type in {ctx.cfg.name}, {pc.label} against {pc.previous_label}: police.uk "
            f"categories{' and force-flagged offences' if len(table) > len(cats) else ''}. Sources: {POLICE_UK_SOURCE}"
            f"{'; ' + FLAGS_SOURCE if len(table) > len(cats) else ''}; {POPULATION_SOURCE}."
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
    source = f"{POLICE_UK_SOURCE}; {POPULATION_SOURCE}"
    for _, r in cats.iterrows():
        out.metric(metric_from_count(
            r["measure_id"], f"{r['offence']} (police.uk)", out.chapter, int(r["current"]), _count_or_none(r["previous"]),
            pc.period, pc.previous_period if pd.notna(r["previous"]) else None, ctx.population, source,
            previous_population=ctx.population if pd.notna(r["previous"]) else None,
        ))
    for _, r in table[(table["source"] == "force flags") & table["measure_id"].isin(OWNED_FLAG_METRICS)].iterrows():
        out.metric(metric_from_count(
            r["measure_id"], f"{r['offence']} (force flags)", out.chapter, int(r["current"]), _count_or_none(r["previous"]),
            pc.period, pc.previous_period if pd.notna(r["previous"]) else None, ctx.population,
            f"{FLAGS_SOURCE}; {POPULATION_SOURCE}", unit=FLAG_UNITS.get(r["measure_id"], "crimes"),
            disclosure_threshold=ctx.cfg.suppression_threshold,
            previous_population=ctx.population if pd.notna(r["previous"]) else None,
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
    sentences = [
        narrative.describe_change(r["offence"], change_in_counts(int(r["previous"]), int(r["current"])))
        for _, r in significant.iterrows()
    ]
    out.say(" ".join(sentences))
    top = significant.loc[significant["change"].abs().idxmax()]
    out.finding(
        narrative.describe_change(
            f"{top['offence']} in {ctx.cfg.name}, {pc.label} against {pc.previous_label},",
            change_in_counts(int(top["previous"]), int(top["current"])),
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
    top = largest_changes(offence_table(ctx), minimum=minimum)
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
        table.round({"change_percent": 1}).rename(columns={"offence_group": "Offence group", "offence_subgroup": "Offence subgroup",
                              "previous": ctx.previous_year, "current": ctx.year, "change_percent": "Change (%)",
                              "verdict": "Verdict"}),
        caption=f"Recorded offences in {ctx.cfg.name} by Home Office offence subgroup, {period}. Source: {HOME_OFFICE_SOURCE}.",
        count_columns=[ctx.previous_year, ctx.year],
    )
    sig = table[table["verdict"] != "no significant change"]
    out.say(
        f"Of {narrative.format_count(len(table))} Home Office offence subgroups, "
        f"{narrative.format_count(int((sig['verdict'] == 'increase').sum()))} rose and "
        f"{narrative.format_count(int((sig['verdict'] == 'decrease').sum()))} fell significantly."
    )
