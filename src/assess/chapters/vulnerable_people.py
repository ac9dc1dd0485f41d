"""Chapter 11: vulnerable people — domestic abuse, sexual offences, missing and exploited people.

Sources:

- Police force crime flags (partner file ``force_flags.csv``): monthly counts of crimes flagged
  domestic abuse (``domestic_abuse``: every crime so flagged; ``domestic_violence``: violent
  crimes so flagged), of rape and other sexual offences, of cases heard at the Multi-Agency Risk
  Assessment Conference (MARAC: ``high_risk_domestic_abuse``), of missing children and adults
  and of child sexual exploitation cases.
- data.police.uk street-level crime: the "Violence and sexual offences" count, the denominator of
  the share of violent crime that is domestic (``domestic_violence`` / police.uk violence and
  sexual offences, month by month over the months both sources hold).
- Home Office police recorded crime open data tables at CSP level (offence group "Sexual
  offences") with ONS population estimates: the sexual offences rate of the CSP and of its
  most-similar group (:mod:`assess.measure.comparators`).

- Partner counts on the safeguarding topics no public body publishes for a partnership (partner
  file ``safeguarding_topics.csv``): missing children, child exploitation, trafficking and
  modern slavery, cuckooing, female genital mutilation and Prevent, each beside the partners'
  own account of it (``partner/narrative/<topic>.md``), or a plain statement that nothing is
  known when neither was supplied.
- Published figures (OHID Fingertips, :mod:`assess.chapters.published_indicators`): domestic
  abuse-related incidents and crimes per 1,000 aged 16 and over (a crude rate from police
  recorded data) and hospital admissions for violence including sexual violence (a directly
  age-standardised rate per 100,000, three financial years pooled), each against England's and
  the region's of the same indicator, period and method; shown whether or not the partner files
  are present, and labelled beside them when they are.

Counting rules are those of :mod:`assess.measure.flags` (as in chapter 8, hate crime): financial years, the
same months of each year when the latest is incomplete, rates with PHE limits, proportions with
Wilson limits. Changes in counts are tested on the monthly series with a quasi-Poisson model that
allows for month-to-month variation beyond chance (trends likewise, with the dispersion of those
months); changes in proportions by the two-proportion z-test, in percentage points. The sexual
offences rate is compared with England and the most similar group allowing for the variation
between areas (Spiegelhalter 2005), and the chapter says how the force flags' count of sexual
offences differs from the Home Office's, once.
Partner counts from 1 to ``suppression_threshold - 1`` are suppressed in tables and metrics.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assess.chapters import common, published_indicators
from assess.chapters.recorded_crime import (
    comparison_fields,
    focus_comparison,
    group_comparison,
    national_funnel,
)
from assess.errors import StatisticsError
from assess.measure import narrative
from assess.measure.comparators import CSPRates, csp_rates
from assess.measure.context import AssessmentContext
from assess.measure.flags import (
    flag_by_year,
    flag_count_metric,
    flag_monthly,
    flag_series,
    flag_years,
    flags_like_for_like,
    flags_with,
    two_year_row,
    year_change,
    year_trend,
)
from assess.measure.metrics import Denominator, metric_from_proportion, metric_from_rate
from assess.measure.national import national_rate
from assess.periods import LikeForLike
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import (
    Comparison,
    DispersedTrend,
    GroupComparison,
    Proportion,
    change_in_proportions,
    change_in_totals,
    compare_with_benchmark,
    monthly_dispersion,
    proportion,
    rate_per,
    rate_per_1000,
    trend_in_counts,
)
from assess.stats.intervals import Rate
from assess.vocabulary import SAFEGUARDING_MEASURES, SAFEGUARDING_TOPICS, topic_measures

CHAPTER = "11_vulnerable_people"
#: The metrics the Fingertips indicators of this chapter feed (sources.yaml).
DOMESTIC_ABUSE_METRIC = "domestic_abuse_rate"
VIOLENCE_ADMISSIONS_METRIC = "violence_admissions_rate"
FLAGS = "force_flags"
FLAGS_SOURCE = "Police force crime and case flags (partner file force_flags.csv)"
POLICE_UK_SOURCE = "data.police.uk street-level crime"
HOME_OFFICE_SOURCE = (
    "Home Office, Police recorded crime open data tables (Community Safety Partnership level); "
    "ONS population estimates"
)

#: The police.uk category whose count is the denominator of the domestic share of violence.
VIOLENCE_CATEGORY = "Violence and sexual offences"
#: The Home Office offence group of sexual offences (rape and other sexual offences).
SEXUAL_OFFENCES_GROUP = "Sexual offences"

#: Population age band (``ctx.population_by``) of children; adults are all residents less children.
CHILD_BAND = "0-15"


@dataclass(frozen=True)
class FlagMeasure:
    """A flag counted in this chapter: its metric id and label, unit and the population it is a rate of."""

    flag: str
    label: str
    unit: str
    population: str  # "all", "children" or "adults"
    per: int = 1000
    benchmarks: tuple[str, ...] = ()  # measure names of its national rate in the benchmarks file


DOMESTIC_ABUSE = FlagMeasure("domestic_abuse", "Domestic abuse crimes", "crimes", "all", 1000, ("domestic_abuse_flagged",))
HIGH_RISK = FlagMeasure(
    "high_risk_domestic_abuse", "High-risk domestic abuse cases heard at MARAC", "cases", "adults", 10_000, ("marac_cases",)
)
RAPE = FlagMeasure("rape", "Rape offences", "crimes", "all")
OTHER_SEXUAL = FlagMeasure("other_sexual_offences", "Other sexual offences", "crimes", "all")
MISSING_CHILD = FlagMeasure("missing_person_child", "Missing child episodes", "cases", "children")
MISSING_ADULT = FlagMeasure("missing_person_adult", "Missing adult episodes", "cases", "adults")
CSE = FlagMeasure("child_sexual_exploitation", "Child sexual exploitation cases", "cases", "children")

MISSING_AND_EXPLOITED = (MISSING_CHILD, MISSING_ADULT, CSE)

_POPULATION_WORDS = {"all": "residents", "children": "children aged 0-15", "adults": "adults aged 16 and over"}


# --- pure computations ------------------------------------------------------------------------


def population_of(ctx: AssessmentContext, who: str) -> float | None:
    """Residents of the CSP (``who``: "all", "children" aged 0-15 or "adults" aged 16 and over,
    the latter being all residents less those aged 0-15); None when an estimate is missing."""
    if who == "all":
        return ctx.population

    def band_total(band: str) -> float | None:
        by_lad = ctx.population_by("lad", band)
        have = [c for c in ctx.cfg.lad_codes if c in by_lad.index]
        return float(by_lad[have].sum()) if len(have) == len(ctx.cfg.lad_codes) else None

    children = band_total(CHILD_BAND)
    if who == "children":
        return children if children else None
    everyone = band_total("all")
    if everyone is None or children is None or everyone - children <= 0:
        return None
    return everyone - children


def population_record(ctx: AssessmentContext, who: str) -> Denominator | None:
    """:func:`population_of` as a rate's metric records it: with the estimate it comes from (adults:
    all residents less those aged 0-15 of the same estimate); None when it is unknown."""
    value = population_of(ctx, who)
    est = ctx.population_estimate(CHILD_BAND if who == "children" else "all")
    if value is None or est is None:
        return None
    source = est.source + ("; adults are residents less those aged 0-15" if who == "adults" else "")
    return Denominator(value=value, unit=_POPULATION_WORDS[who], source=source, period=est.period)


def population_citation(ctx: AssessmentContext, who: str) -> str | None:
    """Which estimate the rates per ``who`` ("all", "children", "adults") use, as a sentence."""
    est = ctx.population_estimate(CHILD_BAND if who == "children" else "all")
    if est is None:
        return None
    text = est.citation()
    if who == "adults":
        text += " Adults are residents less those aged 0-15 in the same estimate."
    return text


def domestic_share_table(flags: pd.DataFrame, street_all: pd.DataFrame, year: str) -> pd.DataFrame:
    """The share of police.uk violence and sexual offences flagged domestic, by financial year.

    Months compared: the like-for-like months of the flags file that police.uk also holds in
    that year. Columns: financial_year, months (int64), domestic_violence (int64, flagged
    violent crimes), violence_and_sexual_offences (int64, police.uk), share, lower, upper
    (fractions 0..1, Wilson 95%). Years without police.uk violence are left out.
    """
    lfl = flags_like_for_like(flags, year)
    dv = flag_monthly(flags, "domestic_violence")
    violence = street_all[street_all["category"] == VIOLENCE_CATEGORY]
    vso = violence.groupby("month").size()
    vso.index = vso.index.astype("object")
    have_police = set(street_all["month"].dropna().drop_duplicates().astype(str))
    rows = []
    for y in flag_years(flags, year):
        months = [m for m in lfl.months(y) if m in have_police]
        denominator = int(vso.reindex(months).fillna(0).sum())
        if denominator == 0:
            continue
        numerator = int(dv.reindex(months).fillna(0).sum())
        rows.append({"financial_year": y, "months": len(months), "domestic_violence": numerator,
                     "violence_and_sexual_offences": denominator})
    table = pd.DataFrame(rows, columns=["financial_year", "months", "domestic_violence", "violence_and_sexual_offences"])
    table = table.astype({"months": "int64", "domestic_violence": "int64", "violence_and_sexual_offences": "int64"})
    shares = [share_of(int(n), int(d)) for n, d in zip(table["domestic_violence"], table["violence_and_sexual_offences"])]
    table["share"] = pd.array([p.value if p else float("nan") for p in shares], dtype="float64")
    table["lower"] = pd.array([p.lower if p else float("nan") for p in shares], dtype="float64")
    table["upper"] = pd.array([p.upper if p else float("nan") for p in shares], dtype="float64")
    return table


def share_of(part: int, whole: int) -> Proportion | None:
    """``part`` / ``whole`` with Wilson limits; None when the part exceeds the whole (sources disagree)."""
    if whole <= 0 or part > whole:
        return None
    return proportion(part, whole)


def share_trend(table: pd.DataFrame, monthly: pd.Series | None = None, lfl: LikeForLike | None = None) -> DispersedTrend | None:
    """Trend in the domestic share over the years: quasi-Poisson log-linear model of the flagged
    count with the violence count as exposure (a trend in the rate per violent crime), with the
    dispersion of the flagged count's monthly series (``monthly`` over the ``lfl`` months) where
    it can be estimated. None with fewer than three years."""
    if len(table) < 3:
        return None
    dispersion = None
    if monthly is not None and lfl is not None:
        try:
            dispersion = monthly_dispersion(monthly.reindex([m for y in table["financial_year"] for m in lfl.months(y)]))
        except StatisticsError:
            dispersion = None
    return trend_in_counts(
        [int(v) for v in table["domestic_violence"]], [float(v) for v in table["violence_and_sexual_offences"]],
        dispersion=dispersion,
    )


def sexual_offences_group(rates: CSPRates) -> GroupComparison | None:
    """The CSP's sexual offences rate in its most-similar group, its verdict allowing for the
    variation between the group's members (:func:`assess.chapters.recorded_crime.group_comparison`);
    None when unavailable or no group."""
    return group_comparison(rates)


def flags_table(
    flags: pd.DataFrame, measures: tuple[FlagMeasure, ...], year: str, previous_year: str, threshold: int = 1
) -> pd.DataFrame:
    """Counts of several flags in two years with change and verdict (only flags present in ``year``).

    Columns: measure (label), ``previous_year`` (Int64, missing when the file does not cover it),
    ``year`` (Int64), change_percent, verdict (see :func:`assess.measure.flags.two_year_row`).
    """
    rows = [
        {"measure": m.label} | two_year_row(flags, flag_series(flags, m.flag), year, previous_year, threshold)
        for m in measures
        if flags_with(flags, m.flag, year) is not None
    ]
    table = pd.DataFrame(rows, columns=["measure", previous_year, year, "change_percent", "verdict"])
    return table.astype({previous_year: "Int64", year: "Int64", "change_percent": "float64"})


# --- helpers for the sections -----------------------------------------------------------------


def _flag_metric(ctx: AssessmentContext, flags: pd.DataFrame, m: FlagMeasure, out: ChapterOutputs) -> tuple[pd.Series, LikeForLike]:
    """Emit the metric of a flag (count, rate per ``m.per`` of its population, national comparator)."""
    by_year, lfl = flag_by_year(flags, m.flag, ctx.year)
    pop = population_record(ctx, m.population)
    note = None
    if pop is not None and m.population != "all":
        note = f"Rate per {m.per:,} {_POPULATION_WORDS[m.population]}."
    bench, national = national_rate(ctx, m.benchmarks, ctx.year, m.per) if lfl.complete and pop is not None else (None, None)
    comparators = {common.comparator_key(bench.area): national} if bench else None
    if bench:
        note = (note + " " if note else "") + f"National rate: {bench.area}, {bench.period} ({bench.source})."
    out.metric(
        flag_count_metric(m.flag, m.label, CHAPTER, by_year, ctx.year, ctx.previous_year, lfl, pop,
                          ctx.cfg.suppression_threshold, FLAGS_SOURCE, unit=m.unit, per=m.per, note=note,
                          comparators=comparators, monthly=flag_series(flags, m.flag))
    )
    return by_year, lfl


def _say_rate(ctx: AssessmentContext, out: ChapterOutputs, m: FlagMeasure, count: int, lfl: LikeForLike) -> None:
    """Say the rate per ``m.per`` of the measure's population, and how it compares with the national rate."""
    pop = population_of(ctx, m.population)
    if pop is None:
        out.say(f"There is no population estimate of {_POPULATION_WORDS[m.population]}, so no rate is shown.")
        return
    r = rate_per(count, pop, m.per)
    unit = f"{narrative.per_label(m.per)} {_POPULATION_WORDS[m.population]}"
    part = "" if lfl.complete else (f", a part-year rate over {narrative.format_count(len(lfl.month_numbers))} "
                                    "months, not annualised")
    out.say(
        f"That is {narrative.format_rate(r.value)} {unit} in {lfl.describe(ctx.year)}{part} "
        f"(95% confidence interval {narrative.format_rate(r.lower)} to {narrative.format_rate(r.upper)})."
    )
    cited = population_citation(ctx, m.population)
    if cited is not None:
        out.say(cited)
    bench, national = national_rate(ctx, m.benchmarks, ctx.year, m.per) if lfl.complete else (None, None)
    if bench is not None:
        comparison = compare_with_benchmark(r, national)
        out.say(
            narrative.describe_comparison(ctx.cfg.name, r, bench.area, comparison, unit=unit)
            + f" The national rate is for {bench.period}; source: {bench.source}."
        )
        out.note(narrative.benchmark_method_note(bench.area))


def _say_change(ctx: AssessmentContext, label: str, by_year: pd.Series, lfl: LikeForLike, unit: str,
                out: ChapterOutputs | None = None, *, always: bool = False, monthly: pd.Series | None = None) -> None:
    """Say the change on last year (tested on the flag's ``monthly`` series), unless a count is small
    enough to be suppressed.

    With ``out``, the sentence is also a key finding when the change is statistically significant
    (or ``always``).
    """
    threshold = ctx.cfg.suppression_threshold
    if ctx.previous_year not in by_year.index:
        out.say(f"There is no count of {label.lower()} for {ctx.previous_year}, so no change on last year.")
        return
    small = [int(by_year[y]) for y in (ctx.year, ctx.previous_year) if 1 <= int(by_year[y]) < threshold]
    if small:
        out.say(f"The counts of {label.lower()} are too small to publish (fewer than {threshold}).")
        return
    change = year_change(by_year, ctx.year, ctx.previous_year, monthly=monthly, lfl=lfl)
    assert change is not None
    text = narrative.describe_change(f"{label} ({lfl.describe(ctx.year)} against {lfl.describe(ctx.previous_year)})",
                                     change, unit="")
    if out is not None and (always or change.significant):
        out.finding(text)  # shown in the chapter as a key finding
    else:
        out.say(text)
    out.note(narrative.change_method_note(change, f"Changes in {label[:1].lower()}{label[1:]}"))


# --- sections ---------------------------------------------------------------------------------


def domestic_abuse(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Crimes flagged domestic abuse: count, rate per 1,000 residents, change and trend."""
    flags = common.partner_flags(ctx, out, DOMESTIC_ABUSE.flag, "domestic abuse (police crime flags)")
    if flags is None:
        return
    by_year, lfl = _flag_metric(ctx, flags, DOMESTIC_ABUSE, out)
    table = pd.DataFrame({"Financial year": by_year.index.astype(str), "Domestic abuse crimes": by_year.to_numpy()})
    out.table(
        "domestic_abuse_by_year", table,
        caption=f"Crimes flagged domestic abuse by financial year, to {lfl.describe(ctx.year)}. Source: {FLAGS_SOURCE}.",
        count_columns=["Domestic abuse crimes"],
    )
    count = int(by_year[ctx.year])
    out.say(f"The police flagged {narrative.format_count(count)} crimes as domestic abuse in {lfl.describe(ctx.year)}.")
    _say_rate(ctx, out, DOMESTIC_ABUSE, count, lfl)
    monthly = flag_series(flags, DOMESTIC_ABUSE.flag)
    _say_change(ctx, "Domestic abuse crimes", by_year, lfl, "crimes", out, always=True, monthly=monthly)
    tr = year_trend(by_year, monthly=monthly, lfl=lfl)
    if tr is not None:
        text = narrative.describe_trend(f"Domestic abuse ({by_year.index[0]} to {by_year.index[-1]})", tr, "year")
        if tr.significant:
            out.finding(text)  # shown in the chapter as a key finding
        else:
            out.say(text)
        out.note(narrative.trend_method_note(tr))


def domestic_violence_share(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The share of violence and sexual offences flagged domestic: this year, the change and the trend."""
    flags = common.partner_flags(ctx, out, "domestic_violence", "violent crimes flagged domestic abuse")
    if flags is None:
        return
    table = domestic_share_table(flags, ctx.street_all, ctx.year)
    if ctx.year not in set(table["financial_year"]):
        out.say(f"There are no police.uk violence and sexual offences for {ctx.cfg.name} in {ctx.year}, "
                   "so the domestic share of violence is not shown.")
        return
    bad = table[table["share"].isna()]
    if not bad.empty:
        out.note(
            "In " + ", ".join(bad["financial_year"]) + " the force flagged more domestic violent crimes than police.uk "
            "published violence and sexual offences; the share is not computed for those years."
        )
    table = table[table["share"].notna()].reset_index(drop=True)
    if ctx.year not in set(table["financial_year"]):
        return
    threshold = ctx.cfg.suppression_threshold
    small = (table["domestic_violence"] >= 1) & (table["domestic_violence"] < threshold)
    shown = table.assign(**{c: 100 * table[c] for c in ("share", "lower", "upper")}).rename(
        columns={"financial_year": "Financial year", "months": "Months", "domestic_violence": "Flagged domestic (violent)",
                 "violence_and_sexual_offences": "Violence and sexual offences", "share": "Share (%)",
                 "lower": "Lower 95% (%)", "upper": "Upper 95% (%)"}
    )
    out.table(
        "domestic_violence_share", shown,
        caption="Violent crimes flagged domestic abuse as a share of police.uk violence and sexual offences, "
        f"by financial year (Wilson 95% limits). Sources: {FLAGS_SOURCE}; {POLICE_UK_SOURCE}.",
        count_columns=["Flagged domestic (violent)", "Violence and sexual offences"],
        derived={"Flagged domestic (violent)": ["Share (%)", "Lower 95% (%)", "Upper 95% (%)"]}, decimals=1,
    )
    out.figure(
        charts.line_trend(table.assign(share=100 * table["share"]), "financial_year", "share",
                          title="Share of violent crime flagged domestic abuse", ylabel="Share (%)",
                          source=f"{FLAGS_SOURCE}; {POLICE_UK_SOURCE}"),
        "domestic_violence_share",
        alt=f"Line chart of the percentage of violence and sexual offences in {ctx.cfg.name} flagged domestic abuse, "
        f"each financial year from {table['financial_year'].iloc[0]} to {ctx.year}.",
        caption="Share of police.uk violence and sexual offences flagged domestic abuse by the police.",
    )
    rows = table.set_index("financial_year")
    lfl = flags_like_for_like(flags, ctx.year)
    if bool(small[table["financial_year"] == ctx.year].any()):
        out.say(f"Fewer than {threshold} violent crimes were flagged domestic abuse in {lfl.describe(ctx.year)}; "
                   "the share is not published.")
        return
    current = proportion(int(rows.loc[ctx.year, "domestic_violence"]), int(rows.loc[ctx.year, "violence_and_sexual_offences"]))
    out.say(narrative.describe_proportion(
        "were flagged domestic abuse", f"violence and sexual offences in {lfl.describe(ctx.year)}", current))
    previous = None
    if ctx.previous_year in rows.index and not bool(small[table["financial_year"] == ctx.previous_year].any()):
        previous = proportion(int(rows.loc[ctx.previous_year, "domestic_violence"]),
                              int(rows.loc[ctx.previous_year, "violence_and_sexual_offences"]))
        change = change_in_proportions(previous, current)
        text = narrative.describe_change("The domestic share of violent crime", change)
        out.finding(text)  # shown in the chapter as a key finding
    tr = share_trend(table, flag_series(flags, "domestic_violence"), lfl)
    if tr is not None:
        out.say(narrative.describe_trend(
            f"The number of domestic violent crimes per violent crime ({table['financial_year'].iloc[0]} to {ctx.year})",
            tr, "year"))
        out.note(narrative.trend_method_note(tr))
    out.metric(metric_from_proportion(
        "domestic_violence_share", "Share of violence and sexual offences flagged domestic abuse", CHAPTER, current,
        lfl.period(ctx.year), f"{FLAGS_SOURCE}; {POLICE_UK_SOURCE}",
        previous=previous, previous_period=lfl.period(ctx.previous_year),
        note="Numerator: violent crimes flagged domestic abuse (force); denominator: police.uk violence and sexual "
        "offences in the same months.",
    ))


def high_risk_domestic_abuse(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """High-risk domestic abuse cases heard at MARAC: count, rate per 10,000 adults and change."""
    flags = common.partner_flags(ctx, out, HIGH_RISK.flag, "high-risk domestic abuse cases (MARAC)")
    if flags is None:
        return
    by_year, lfl = _flag_metric(ctx, flags, HIGH_RISK, out)
    count = int(by_year[ctx.year])
    if 1 <= count < ctx.cfg.suppression_threshold:
        out.say(f"Fewer than {ctx.cfg.suppression_threshold} cases were heard at MARAC in {lfl.describe(ctx.year)}.")
        return
    out.say(f"The MARAC heard {narrative.format_count(count)} high-risk domestic abuse cases in {lfl.describe(ctx.year)}.")
    _say_rate(ctx, out, HIGH_RISK, count, lfl)
    _say_change(ctx, "Cases heard at MARAC", by_year, lfl, "cases", out, monthly=flag_series(flags, HIGH_RISK.flag))


def _ho_rate(ctx: AssessmentContext, year: str) -> CSPRates:
    return csp_rates(ctx, year, offence_group=SEXUAL_OFFENCES_GROUP)


def sexual_offences(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Rape and other sexual offences (flags), and the sexual offences rate against the most-similar group."""
    flags = ctx.partner(FLAGS)
    lfl = None
    flagged: dict[str, pd.Series] = {}
    for m in (RAPE, OTHER_SEXUAL):
        f = common.partner_flags(ctx, out, m.flag, f"{m.label.lower()} (police crime flags)")
        if f is None:
            continue
        by_year, lfl = _flag_metric(ctx, f, m, out)
        flagged[m.flag] = by_year
        _say_change(ctx, m.label, by_year, lfl, "crimes", out, monthly=flag_series(f, m.flag))

    rates = _ho_rate(ctx, ctx.year)
    group = sexual_offences_group(rates)
    rate: Rate | None = None
    source = HOME_OFFICE_SOURCE
    period = ctx.year
    previous = None
    comparators: dict[str, float] = {}
    judged: dict[str, Comparison | None] = {}
    if rates.available and rates.focus is not None:
        rate = rates.focus
        prev_rates = _ho_rate(ctx, ctx.previous_year)
        previous = prev_rates.focus if prev_rates.available else None
        if lfl is not None and lfl.complete and len(flagged) == 2 and rates.year == ctx.year:
            out.say(narrative.describe_two_sources(
                "sexual offences", ctx.year, ("the Home Office tables", rate.count),
                ("the force flags", int(sum(int(b[ctx.year]) for b in flagged.values()))),
                "the counts of rape and other sexual offences above come from the force flags, counted when the force "
                "flags a crime; the rate and the comparisons that follow are the Home Office's, the official "
                "statistics, counted when a crime is recorded and revised after."))
        funnel = national_funnel(rates)
        national = focus_comparison(rates, funnel)
        if rates.national is not None and national is not None:
            key = common.comparator_key(rates.national_name)
            comparators[key] = rates.national.value
            judged[key] = national
            out.say(
                f"In {ctx.year} the police recorded {narrative.format_count(rate.count)} sexual offences in "
                f"{ctx.cfg.name} (Home Office tables). "
                + narrative.describe_comparison(ctx.cfg.name, rate, rates.national_name, national,
                                                unit="sexual offences per 1,000 residents")
            )
            out.note(narrative.funnel_method_note(funnel, "CSPs"))
        if group is not None:
            comparators["msg_average"] = group.group_rate
            judged["msg_average"] = group.comparison
            text = narrative.describe_group_rank(ctx.cfg.name, group, unit="sexual offences per 1,000 residents")
            out.finding(text)  # shown in the chapter as a key finding
            table = narrative.round_table(group.table, {"rate": 1, "lower": 1, "upper": 1}).rename(
                columns={"area": "Partnership", "count": "Sexual offences", "denominator": "Population",
                         "rate": "Rate per 1,000", "lower": "Lower 95%", "upper": "Upper 95%", "rank": "Rank",
                         "is_focus": "This partnership"})
            out.table(
                "sexual_offences_group", table,
                caption=f"Police recorded sexual offences per 1,000 residents, {ctx.year}: {ctx.cfg.name} and "
                f"its most similar group (published figures, not suppressed). Source: {HOME_OFFICE_SOURCE}.",
                count_columns=["Sexual offences"], suppress=False,
            )
            out.figure(
                charts.bar_with_highlight(group.table, "area", "rate", str(group.focus),
                                          title=f"Sexual offences per 1,000 residents, {ctx.year}",
                                          xlabel="Offences per 1,000 residents", lower="lower", upper="upper",
                                          national=None, source=HOME_OFFICE_SOURCE),
                "sexual_offences_group",
                alt=f"Bar chart of sexual offences per 1,000 residents in {ctx.cfg.name} and the other partnerships of "
                f"its most similar group in {ctx.year}, with 95% confidence intervals.",
                caption=f"Sexual offences per 1,000 residents, most similar group, {ctx.year}. Source: {HOME_OFFICE_SOURCE}.",
            )
        else:
            out.say(
                "No most-similar group of partnerships is named in the configuration (or none of its members is in "
                "the Home Office tables), so the sexual offences rate is not compared with similar partnerships."
            )
        for n in rates.notes:
            out.note(n)
    else:
        out.say(rates.missing_sentence() or "The Home Office CSP-level tables are not available.")
        if flags is not None and lfl is not None and ctx.population:
            counts = {}
            for m in (RAPE, OTHER_SEXUAL):
                if flags_with(flags, m.flag, ctx.year) is not None:
                    counts[m.flag], _ = flag_by_year(flags, m.flag, ctx.year)
            if counts:
                total = sum(counts.values())
                rate = rate_per_1000(int(total[ctx.year]), ctx.population)
                before = common.residents(ctx, ctx.previous_year)  # last year's rate: last year's estimate
                if ctx.previous_year in total.index and before is not None:
                    previous = rate_per_1000(int(total[ctx.previous_year]), before.value)
                record = common.residents(ctx)
                source = f"{FLAGS_SOURCE}; {record.source if record else 'ONS mid-year population estimates'}"
                period = lfl.period(ctx.year)
                out.say(
                    f"From the police flags, rape and other sexual offences came to {narrative.format_rate(rate.value)} "
                    f"per 1,000 residents in {lfl.describe(ctx.year)} (95% confidence interval "
                    f"{narrative.format_rate(rate.lower)} to {narrative.format_rate(rate.upper)}). "
                    + common.estimate_citation(record)
                )
    if rate is None:
        return
    previous_period = None
    if previous is not None:
        previous_period = ctx.previous_year if source == HOME_OFFICE_SOURCE else (lfl.period(ctx.previous_year) if lfl else None)
    out.metric(metric_from_rate(
        "sexual_offences_rate", "Sexual offences per 1,000 residents", CHAPTER, rate, period, source,
        previous=previous, previous_period=previous_period, comparators=comparators or None,
        unit="per 1,000 residents",
        no_series="the Home Office tables give quarterly and yearly totals, not a monthly series"
        if source == HOME_OFFICE_SOURCE else None,
        denominator=common.residents_of(ctx, rate),
        previous_denominator=None if previous is None else common.residents_of(ctx, previous, ctx.previous_year),
        **(comparison_fields(judged) if judged else {}),
    ))


def missing_and_exploited(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Missing children and adults and child sexual exploitation: counts, change on last year."""
    flags = ctx.partner(FLAGS)
    present = [m for m in MISSING_AND_EXPLOITED if flags_with(flags, m.flag, ctx.year) is not None]
    if flags is None or not present:
        common.missing(ctx, out, f"missing people and child sexual exploitation in {ctx.year}", FLAGS)
        return
    absent = [m for m in MISSING_AND_EXPLOITED if m not in present]
    if absent:
        out.say("The flags file holds no count of " + ", ".join(m.label.lower() for m in absent) + f" for {ctx.year}.")
    table = flags_table(flags, tuple(present), ctx.year, ctx.previous_year, ctx.cfg.suppression_threshold)
    lfl = flags_like_for_like(flags, ctx.year)
    out.table(
        "missing_and_exploited",
        narrative.round_table(table, {"change_percent": 1}).rename(
            columns={"measure": "Measure", "change_percent": "Change (%)", "verdict": "Verdict"}),
        caption=f"Missing people and child sexual exploitation, {lfl.describe(ctx.previous_year)} and "
        f"{lfl.describe(ctx.year)}. Source: {FLAGS_SOURCE}.",
        count_columns=[ctx.previous_year, ctx.year],
    )
    for m in present:
        by_year, lfl = _flag_metric(ctx, flags, m, out)
        _say_change(ctx, m.label, by_year, lfl, m.unit, out, monthly=flag_series(flags, m.flag))


# --- the safeguarding topics with few public figures ---------------------------------------------

TOPICS = "safeguarding_topics"
TOPICS_FILE_TEXT = "partner file safeguarding_topics.csv"
#: Why a topic's change is tested on its yearly totals (the partners give no monthly series).
TOPIC_YEARLY_ONLY = "the partners give yearly counts only"


def topic_phrase(topic: str) -> str:
    """A topic's title as it reads inside a sentence ("cuckooing", but "Prevent")."""
    title = SAFEGUARDING_TOPICS[topic]
    return title if topic == "prevent" else title[:1].lower() + title[1:]


def topic_rows(topics: pd.DataFrame | None, topic: str, up_to: str) -> tuple[pd.DataFrame, list[str]]:
    """The rows of ``safeguarding_topics.csv`` on ``topic`` up to the financial year ``up_to``,
    and the later years the file also holds on it (not shown in an assessment of ``up_to``)."""
    if topics is None:
        return pd.DataFrame(columns=["topic", "financial_year", "measure", "count", "source"]), []
    rows = topics[topics["topic"] == topic]
    later = sorted(set(rows.loc[rows["financial_year"] > up_to, "financial_year"].astype(str)))
    return rows[rows["financial_year"] <= up_to].reset_index(drop=True), later


def topic_table(rows: pd.DataFrame, topic: str) -> pd.DataFrame:
    """A topic's counts as a table: Measure (its label), then one column per financial year, oldest
    first (Int64; <NA> where the partners gave no count that year). Measures in the order of
    :data:`assess.vocabulary.SAFEGUARDING_MEASURES`; only those with a count."""
    years = sorted(set(rows["financial_year"].astype(str)))
    order = [m for m in topic_measures(topic) if m in set(rows["measure"])]
    wide = rows.pivot(index="measure", columns="financial_year", values="count").reindex(index=order, columns=years)
    table = pd.DataFrame({"Measure": [SAFEGUARDING_MEASURES[m][1] for m in order]})
    for y in years:
        table[y] = pd.array(wide[y].to_numpy(), dtype="Int64")
    return table


def _say_topic_measure(ctx: AssessmentContext, out: ChapterOutputs, measure: str, by_year: pd.Series) -> None:
    """One sentence on a partner count: this year's, and its change on last year when both are publishable."""
    label = SAFEGUARDING_MEASURES[measure][1]
    threshold = ctx.cfg.suppression_threshold
    if ctx.year not in by_year.index:
        out.say(f"{label}: the partners gave no count for {ctx.year} (their latest is for {by_year.index[-1]}).")
        return
    count = int(by_year[ctx.year])
    if 1 <= count < threshold:
        out.say(f"{label}: fewer than {threshold} in {ctx.year} (too few to publish).")
        return
    if ctx.previous_year in by_year.index:
        previous = int(by_year[ctx.previous_year])
        if 1 <= previous < threshold:
            out.say(f"{label}: {narrative.format_count(count)} in {ctx.year}, against fewer than {threshold} "
                    f"in {ctx.previous_year}.")
            return
        change = change_in_totals(previous, count, reason=TOPIC_YEARLY_ONLY)
        out.say(narrative.describe_change(f"{label} ({ctx.previous_year} to {ctx.year})", change, unit=""))
        return
    out.say(f"{label}: {narrative.format_count(count)} in {ctx.year} (no count for {ctx.previous_year}).")


def _topic_figures(ctx: AssessmentContext, out: ChapterOutputs, topic: str, rows: pd.DataFrame, later: list[str]) -> None:
    table = topic_table(rows, topic)
    years = [c for c in table.columns if c != "Measure"]
    sources = "; ".join(sorted(set(rows["source"].astype(str))))
    span = years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"
    out.table(
        f"topic_{topic}", table,
        caption=f"{SAFEGUARDING_TOPICS[topic]}: counts by financial year, {span}, as the partners counted them "
        f"(partner figures, not computed from published data). Source: {sources} ({TOPICS_FILE_TEXT}).",
        count_columns=years,
    )
    if later:
        out.note(f"The {TOPICS_FILE_TEXT} also holds counts on {topic_phrase(topic)} for {', '.join(later)}, "
                 f"after {ctx.year}; they are not shown in this assessment.")
    for measure in topic_measures(topic):
        mine = rows[rows["measure"] == measure]
        if not mine.empty:
            _say_topic_measure(ctx, out, measure, mine.set_index("financial_year")["count"].sort_index())


def safeguarding_topic(ctx: AssessmentContext, out: ChapterOutputs, topic: str) -> None:
    """A safeguarding topic that no public body counts for a partnership (a key of
    :data:`assess.vocabulary.SAFEGUARDING_TOPICS`): the partners' counts by financial year
    (suppressed), each measure's latest count and change, and the partners' account of it;
    a plain statement of what is not known when they supplied neither."""
    if topic not in SAFEGUARDING_TOPICS:
        raise KeyError(f"unknown safeguarding topic '{topic}'; the topics are: {', '.join(SAFEGUARDING_TOPICS)}")
    rows, later = topic_rows(ctx.partner(TOPICS), topic, ctx.year)
    account = common.narrative(ctx, topic)
    phrase = topic_phrase(topic)
    counts_file = f"`{ctx.partner_dir.relative_to(ctx.raw_dir).as_posix()}/{ctx.cfg.partner_files[TOPICS]}`"
    account_file = f"`{common.narrative_path_text(ctx, topic)}`"
    if rows.empty and account is None:
        out.say(
            f"*Nothing is known in this assessment about {phrase} in {ctx.cfg.name}: no public body publishes "
            f"figures on it for a single partnership, and the partners supplied neither counts ({counts_file}) nor "
            f"an account ({account_file}). Whether it is rising, falling or absent cannot be said from this report; "
            "see data/raw/README.md to supply either.*"
        )
        return
    if rows.empty:
        out.say(f"The partners supplied no counts on {phrase} ({counts_file}), so this section has no figures "
                "of its own: only the partners' account.")
    else:
        _topic_figures(ctx, out, topic, rows, later)
    if account is not None:
        common.show_account(ctx, out, account, level=4)
    else:
        out.say(f"*The partners have written no account of {phrase} ({account_file}).*")


def published_domestic_abuse(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Domestic abuse-related incidents and crimes per 1,000 aged 16 and over (police recorded, as OHID's
    Fingertips publishes them), against England and the region; beside the force flags."""
    def beside(figure: published_indicators.PublishedIndicator) -> str | None:
        if ctx.partner("force_flags") is None:
            return None
        return ("The flagged domestic abuse crimes above (the force's flags, partner data) count crimes only, over the "
                "police.uk months; this published rate counts incidents and crimes, per resident aged 16 and over.")

    published_indicators.section(
        ctx, out, DOMESTIC_ABUSE_METRIC, "domestic abuse-related incidents and crimes", CHAPTER,
        "Domestic abuse-related incidents and crimes per 1,000 aged 16 and over (Fingertips)", "domestic_abuse_published",
        beside=beside,
    )


def published_violence_admissions(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Hospital admissions for violence (including sexual violence) per 100,000 (directly
    age-standardised, three years pooled) as OHID's Fingertips publishes them, against England and the region."""
    published_indicators.section(
        ctx, out, VIOLENCE_ADMISSIONS_METRIC, "hospital admissions for violence", CHAPTER,
        "Hospital admissions for violence (including sexual violence) per 100,000 (Fingertips)",
        "violence_admissions_published",
    )
