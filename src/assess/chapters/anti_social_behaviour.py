"""Chapter 7, anti-social behaviour: how many incidents, how they changed, where and when.

Sources: data.police.uk street-level anti-social behaviour (incidents reported to the police,
placed in wards through their LSOA); ONS population estimates for rates per 1,000 residents;
the partner file ``benchmarks`` for a national ASB rate where the analyst supplied one
(police.uk ASB is published by force, but a national total is not in the data).

Changes are tested on the monthly series (quasi-Poisson with calendar-month effects, allowing for
month-to-month variation beyond chance: ASB is seasonal and lumpy), for the CSP and for each ward;
wards are compared with the CSP in a funnel that allows for the variation between wards
(Spiegelhalter 2005). The national rate comes without other areas' figures, so that comparison is
PHE's test of the rate's interval, and the chapter says it cannot allow for variation between areas.
"""

from __future__ import annotations

import pandas as pd

from assess import periods
from assess.chapters import common
from assess.chapters.places import (
    csp_rate_of,
    rounded_rates,
    ward_against_csp,
    ward_funnel_assessment,
    ward_table,
    ward_verdict_words,
)
from assess.chapters.recorded_crime import (
    POPULATION_SOURCE,
    headline_figures,
    monthly_table,
    no_comparison_sentence,
    publish_monthly,
)
from assess.measure import counts, narrative
from assess.measure.context import AssessmentContext
from assess.measure.metrics import count_change, metric_from_count
from assess.measure.national import Benchmark, national_rate
from assess.periods import month_range
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import compare_with_benchmark

#: The data the chapter needs, as a sentence names it when they are absent.
ASB_RECORDS = "police.uk street-level anti-social behaviour"
ASB_SOURCE = "data.police.uk street-level anti-social behaviour (Open Government Licence v3.0)"

#: Measure names under which a national ASB rate may appear in the benchmarks file, in order of preference.
ASB_BENCHMARK_MEASURES = ("anti_social_behaviour", "asb_rate", "asb", "anti_social_behaviour_rate")


#: Verdict written where last year's months were not all published.
NOT_COMPARABLE = "not comparable"


def asb_benchmark(ctx: AssessmentContext) -> tuple[Benchmark | None, float | None]:
    """The national ASB benchmark from the partner file and its value per 1,000 residents (None, None if absent).

    The latest period not after this year is used (national figures are often a year behind);
    a benchmark whose unit is not a rate ("per N ...") is not used.
    """
    return national_rate(ctx, ASB_BENCHMARK_MEASURES, ctx.year)


def asb_monthly_by_ward(ctx: AssessmentContext) -> pd.DataFrame:
    """ASB incidents per ward (rows, ward code) and month (columns ``YYYY-MM``, every month from the
    first published to the last of this year): 0 where a published month has none in the ward, NaN
    for a month police.uk did not publish. Source: police.uk street records placed in wards."""
    street = ctx.street_all[ctx.street_all["month"] <= ctx.months[-1]]
    covered = sorted(street["month"].dropna().astype(str).unique())
    wards = ctx.wards["ward_code"].astype(str).drop_duplicates().tolist()
    if not covered:
        return pd.DataFrame(index=pd.Index(wards, name="ward_code"))
    asb = street[street["is_asb"].astype("boolean").fillna(False).astype(bool) & street["ward_code"].notna()]
    table = pd.crosstab(asb["ward_code"].astype(str), asb["month"].astype(str))
    table = table.reindex(index=wards, columns=covered, fill_value=0).astype("float64")
    return table.reindex(columns=month_range(covered[0], covered[-1])).rename_axis(index="ward_code", columns="month")


def asb_by_ward(ctx: AssessmentContext) -> pd.DataFrame:
    """ASB incidents per ward this year and last (same months), with this year's rate per 1,000.

    Columns: ward_code, ward_name, previous (Int64; missing when last year's months were not all
    published), current (int64), change_percent, verdict (the quasi-Poisson test of the ward's
    monthly series, :func:`assess.measure.metrics.count_change`), population, rate, lower, upper.
    Highest rate first.
    """
    cur = ward_table(ctx, asb=True)
    prev = ward_table(ctx, asb=True, year=ctx.previous_year).set_index("ward_code")["count"]
    pc = counts.year_to_date(ctx)
    comparable = pc.complete
    df = cur.rename(columns={"count": "current"})
    df.insert(2, "previous", df["ward_code"].map(prev).fillna(0).astype("Int64"))
    if comparable:
        monthly = asb_monthly_by_ward(ctx)
        changes = [count_change(int(p), int(c), monthly=monthly.loc[w], months=pc.months, previous_months=pc.previous_months)
                   for w, p, c in zip(df["ward_code"], df["previous"], df["current"])]
        percent = [c.percent for c in changes]
        verdict = [c.verdict for c in changes]
    else:
        df["previous"] = pd.NA
        df["previous"] = df["previous"].astype("Int64")
        percent, verdict = [None] * len(df), [NOT_COMPARABLE] * len(df)
    df.insert(4, "change_percent", pd.Series(percent, index=df.index, dtype="float64"))
    df.insert(5, "verdict", verdict)
    return df.sort_values(["rate", "ward_name"], ascending=[False, True], na_position="last", ignore_index=True)


def headline(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """ASB incidents, their rate with interval, the change on last year and the national comparison."""
    if common.no_street_records(ctx, out, ASB_RECORDS):
        return
    head = headline_figures(ctx, asb=True)
    pc = head.counts
    if head.rate is not None:
        r = head.rate
        out.say(
            f"{ctx.cfg.name} had {narrative.format_count(pc.current)} anti-social behaviour incidents reported to the police "
            f"in {pc.label}, {narrative.format_rate(r.value)} per 1,000 residents (95% confidence interval "
            f"{narrative.format_rate(r.lower)} to {narrative.format_rate(r.upper)}). {common.estimate_citation(head.residents)}"
        )
    else:
        out.say(f"{ctx.cfg.name} had {narrative.format_count(pc.current)} anti-social behaviour incidents in {pc.label}.")
        out.note(f"There is no population estimate for {ctx.cfg.name}, so rates per 1,000 residents are not shown.")
    if head.change is not None:
        out.say(narrative.describe_change(f"Compared with {pc.previous_label}, anti-social behaviour", head.change,
                                             unit="incidents"))
        out.note(narrative.change_method_note(head.change, "Changes in anti-social behaviour"))
    else:
        out.note(no_comparison_sentence(pc))
    bench, per_1000 = asb_benchmark(ctx) if not head.part_year else (None, None)
    comparators = None
    note = None
    if bench is not None and head.rate is not None:
        comp = compare_with_benchmark(head.rate, per_1000)
        out.say(narrative.describe_comparison(ctx.cfg.name, head.rate, f"{bench.area} ({bench.period})", comp))
        out.note(narrative.benchmark_method_note(bench.area))
        comparators = {common.comparator_key(bench.area): per_1000}
        note = f"National comparator: {bench.label}, {bench.source}."
    elif head.part_year and head.rate is not None:
        out.say(f"The year is incomplete, so its part-year rate over {len(pc.months)} months is not compared with the "
                "national annual rate.")
        note = f"Part-year rate over the {len(pc.months)} months of {pc.label}, not annualised."
    else:
        text = (
            "There is no national anti-social behaviour rate to compare with: police.uk publishes ASB by force, and "
            "no national total is in the data. Add a row with measure `anti_social_behaviour` (unit "
            "'per 1,000 population') to the benchmarks file to include one."
        )
        out.note(text[:1].upper() + text[1:])
        note = "No national comparator was supplied."
    out.metric(
        metric_from_count(
            "anti_social_behaviour",
            "Anti-social behaviour incidents (police.uk)",
            out.chapter,
            pc.current,
            pc.previous if head.change is not None else None,
            pc.period,
            pc.previous_period if head.change is not None else None,
            head.residents,
            f"{ASB_SOURCE}; {head.residents.source if head.residents else POPULATION_SOURCE}"
            + (f"; comparator: {bench.source}" if bench is not None and comparators else ""),
            unit="incidents",
            comparators=comparators,
            previous_population=common.residents(ctx, ctx.previous_year) if head.change is not None and head.residents else None,
            note=note,
            change=head.change,
        )
    )
    if head.change is not None:
        out.finding(narrative.describe_change(f"Anti-social behaviour in {ctx.cfg.name}, {pc.label} against {pc.previous_label},",
                                              head.change, unit="incidents"))
    else:
        out.finding(f"{ctx.cfg.name} had {narrative.format_count(pc.current)} anti-social behaviour incidents in {pc.label}.")


def by_ward(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """ASB by ward: counts this year and last, rates per 1,000 with intervals, and a bar chart."""
    if common.no_street_records(ctx, out, ASB_RECORDS):
        return
    if ctx.wards.empty:
        common.missing(ctx, out, "the ONS LSOA to ward lookup (wards cannot be named)")
        return
    pc = counts.year_to_date(ctx)
    table = asb_by_ward(ctx)
    out.table(
        "asb_by_ward",
        rounded_rates(table).rename(columns={"ward_code": "Ward code", "ward_name": "Ward", "previous": pc.previous_label,
                              "current": pc.label, "change_percent": "Change (%)", "verdict": "Verdict",
                              "population": "Residents", "rate": "ASB per 1,000", "lower": "Lower 95% limit",
                              "upper": "Upper 95% limit"}),
        caption=(
            f"Anti-social behaviour incidents by ward, {ctx.cfg.name}, {pc.label} against {pc.previous_label}, with "
            f"rates per 1,000 residents; highest rate first. Sources: {ASB_SOURCE}; residents: {common.ward_estimate_source(ctx)}."
        ),
        count_columns=[pc.previous_label, pc.label],
    )
    current = ward_table(ctx, asb=True)
    csp = csp_rate_of(current)
    if csp is None:
        out.note("There are no ward population estimates, so ASB rates by ward are not charted.")
        return
    top = table.iloc[0]
    funnel = ward_funnel_assessment(current, csp.value)
    bars = pd.concat(
        [current[["ward_name", "rate", "lower", "upper"]],
         pd.DataFrame({"ward_name": [ctx.cfg.name], "rate": [csp.value], "lower": [csp.lower], "upper": [csp.upper]})],
        ignore_index=True,
    )
    out.figure(
        charts.bar_with_highlight(bars, "ward_name", "rate", str(top["ward_name"]),
                                  f"Anti-social behaviour per 1,000 residents by ward, {pc.label}", "Incidents per 1,000 residents",
                                  national=ctx.cfg.name, lower="lower", upper="upper", source="data.police.uk; ONS"),
        "asb_by_ward",
        alt=(
            f"Horizontal bar chart of anti-social behaviour incidents per 1,000 residents in each of "
            f"{narrative.format_count(len(current))} wards, highest {top['ward_name']}, with the {ctx.cfg.name} rate "
            "as a dashed line and 95% confidence intervals."
        ),
        caption=(f"Anti-social behaviour per 1,000 residents by ward, {pc.label}. Sources: {ASB_SOURCE}; "
                 f"residents: {common.ward_estimate_source(ctx)}."),
    )
    comp = ward_against_csp(top, funnel, count="current")
    out.say(
        f"{top['ward_name']} had the highest rate of anti-social behaviour, {narrative.format_rate(top['rate'])} incidents "
        f"per 1,000 residents, {ward_verdict_words(comp, ctx.cfg.name)} of {narrative.format_rate(csp.value)}. "
        + narrative.describe_funnel_outside(funnel, "wards")
    )
    out.note(narrative.funnel_method_note(funnel, "wards"))
    rising = table.loc[table["verdict"] == "increase", "ward_name"].tolist()
    if rising:
        out.say(f"Anti-social behaviour rose significantly in {narrative.format_count(len(rising))} wards: {', '.join(rising)}.")


def by_month(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """ASB by month with the rolling 12-month total."""
    if common.no_street_records(ctx, out, ASB_RECORDS):
        return
    table = monthly_table(ctx, asb=True)
    publish_monthly(out, "asb_by_month", table, "ASB incidents",
                    f"Anti-social behaviour incidents in {ctx.cfg.name} by month, with the rolling 12-month total. "
                    f"Source: {ASB_SOURCE}.")
    series = pd.Series(table["count"].to_numpy(), index=table["month"].to_numpy()).dropna()
    rolling = 12 if len(series) >= 12 else None
    out.figure(
        charts.monthly_series(series, rolling=rolling, title=f"Anti-social behaviour in {ctx.cfg.name} by month",
                              ylabel="Incidents", source="data.police.uk"),
        "asb_by_month",
        alt=(
            f"Line chart of anti-social behaviour incidents each month from {series.index[0]} to {series.index[-1]}"
            + (", with the 12-month rolling mean." if rolling else ".")
        ),
        caption=f"Anti-social behaviour incidents by month. Source: {ASB_SOURCE}.",
    )
    peak = series.idxmax()
    out.say(
        f"Of the {narrative.format_count(len(series))} months from {periods.month_name(str(series.index[0]))} to "
        f"{periods.month_name(str(series.index[-1]))}, the one with the most anti-social behaviour was "
        f"{periods.month_name(str(peak))}, with {narrative.format_count(series.max())} incidents."
    )
