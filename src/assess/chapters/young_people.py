"""Chapter 6, young people: first-time entrants, custody and reoffending in the youth justice system.

Source: the partner file ``youth_justice`` (``data/raw/README.md``; measures by financial year as
the Youth Offending Service reports them to the Youth Justice Board): first_time_entrants,
custodial_sentences, population_10_17, reoffending_cohort, reoffenders, reoffences. National
comparators come from the partner file ``benchmarks``.

Definitions, as the Youth Justice Board (YJB) publishes them (*Youth Justice Statistics*, YJB /
Ministry of Justice, annual):

- first-time entrants (FTE): young people aged 10-17 receiving their first youth caution or
  conviction; rate per 100,000 of the population aged 10-17;
- use of custody: custodial sentences per 1,000 of the population aged 10-17;
- proven reoffending: the binary rate (reoffenders / cohort, a proportion with a Wilson 95%
  interval) and the frequency, re-offences per reoffender (with a Poisson interval on the
  re-offences, the reoffenders as exposure).

The population aged 10-17 is the file's ``population_10_17`` where given, else the ONS mid-year
estimate of each financial year (mid-2017 for 2017/18, else the latest earlier; the single years
10 to 17 of the estimate), which the text cites and the metric records.

The published figure: OHID's Fingertips indicator of first-time entrants per 100,000 aged 10-17
(:mod:`assess.chapters.published_indicators`), with England and the region, shown whether or not
the partner file is present, and labelled beside it when it is. Rates carry PHE confidence
limits (exact below 10 events, Byar's method from 10).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from assess.chapters import common, published_indicators
from assess.measure.context import AssessmentContext
from assess.measure.metrics import (
    BENCHMARK_METHOD_ID,
    Denominator,
    Metric,
    metric_from_count,
    metric_from_proportion,
    metric_from_rate,
)
from assess.measure.narrative import (
    describe_change,
    describe_proportion,
    describe_trend,
    format_count,
    format_rate,
    possessive,
)
from assess.measure.national import compare, comparison_sentence, national_benchmark
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import (
    Proportion,
    Rate,
    change_in_counts,
    change_in_proportions,
    change_in_rates,
    proportion,
    rate_per,
    trend_test,
)
from assess.vocabulary import YOUTH_JUSTICE_MEASURES

CHAPTER = "06_young_people"
PARTNER = "youth_justice"
FTE_PER = 100_000
#: The metric the Fingertips first-time entrants indicator feeds (sources.yaml).
FTE_METRIC = "first_time_entrants_rate"
CUSTODY_PER = 1_000

#: Benchmark measure names tried, in turn, for each comparison (the benchmarks file's ``measure``).
FTE_BENCHMARKS = ("first_time_entrants_rate", "first_time_entrants", "fte_rate")
CUSTODY_BENCHMARKS = ("youth_custody_rate", "custody_rate", "custodial_sentences_rate")
REOFFENDING_BENCHMARKS = ("youth_reoffending_rate", "youth_reoffending")
FREQUENCY_BENCHMARKS = ("youth_reoffences_per_reoffender", "reoffences_per_reoffender")


# -- pure computation ----------------------------------------------------------------------------------
def youth_measures(youth: pd.DataFrame) -> pd.DataFrame:
    """The measures as one row per financial year (oldest first), one column per measure (NaN = absent)."""
    wide = youth.pivot(index="financial_year", columns="measure", values="value")
    wide = wide.reindex(columns=list(YOUTH_JUSTICE_MEASURES)).sort_index()
    wide.columns.name = None
    wide.index = wide.index.astype(str)
    return wide.astype("float64")


def _count(value: float) -> int | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else int(round(value))


def youth_population(wide: pd.DataFrame, year: str, fallback: float | Mapping[str, float] | None = None) -> float | None:
    """The population aged 10-17 for ``year``: the file's figure, else ``fallback`` (the ONS
    estimate; by financial year when a mapping, each year's own mid-year estimate)."""
    if isinstance(fallback, Mapping):
        fallback = fallback.get(year)
    if year in wide.index and not math.isnan(wide.at[year, "population_10_17"]):
        value = float(wide.at[year, "population_10_17"])
        return value if value > 0 else fallback
    return fallback


def fte_rate(first_time_entrants: int, population_10_17: float) -> Rate:
    """First-time entrants per 100,000 aged 10-17 (YJB), with PHE limits."""
    return rate_per(first_time_entrants, population_10_17, FTE_PER)


def custody_rate(custodial_sentences: int, population_10_17: float) -> Rate:
    """Custodial sentences per 1,000 aged 10-17 (YJB), with PHE limits."""
    return rate_per(custodial_sentences, population_10_17, CUSTODY_PER)


def youth_reoffending_rate(reoffenders: int, cohort: int) -> Proportion:
    """Binary proven reoffending rate: reoffenders / cohort (fraction, Wilson 95%)."""
    return proportion(reoffenders, cohort)


def reoffences_per_reoffender(reoffences: int, reoffenders: int) -> Rate:
    """Frequency of reoffending: re-offences per reoffender, with a Poisson interval (per 1)."""
    return rate_per(reoffences, reoffenders, 1)


def youth_trend_table(wide: pd.DataFrame, fallback_population: float | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every year's measures and the rates computed from them (oldest first).

    Columns: financial_year, first_time_entrants, population_10_17, fte_rate_per_100000,
    custodial_sentences, custody_rate_per_1000, reoffending_cohort, reoffenders,
    reoffending_rate_percent, reoffences, reoffences_per_reoffender. Counts are ``Int64``
    (``<NA>`` where not supplied); rates NaN where they cannot be computed.
    """
    rows = []
    for year in wide.index:
        pop = youth_population(wide, year, fallback_population)
        fte = _count(wide.at[year, "first_time_entrants"])
        cust = _count(wide.at[year, "custodial_sentences"])
        cohort = _count(wide.at[year, "reoffending_cohort"])
        reoff = _count(wide.at[year, "reoffenders"])
        reoffences = _count(wide.at[year, "reoffences"])
        rows.append(
            {
                "financial_year": year,
                "first_time_entrants": fte,
                "population_10_17": pop,
                "fte_rate_per_100000": fte_rate(fte, pop).value if fte is not None and pop else np.nan,
                "custodial_sentences": cust,
                "custody_rate_per_1000": custody_rate(cust, pop).value if cust is not None and pop else np.nan,
                "reoffending_cohort": cohort,
                "reoffenders": reoff,
                "reoffending_rate_percent": (
                    100.0 * reoff / cohort if cohort and reoff is not None and reoff <= cohort else np.nan
                ),
                "reoffences": reoffences,
                "reoffences_per_reoffender": reoffences / reoff if reoff and reoffences is not None else np.nan,
            }
        )
    df = pd.DataFrame(rows)
    for c in ("first_time_entrants", "custodial_sentences", "reoffending_cohort", "reoffenders", "reoffences"):
        df[c] = df[c].astype("Int64")
    df["population_10_17"] = df["population_10_17"].astype("float64")
    return df


def fte_trend(table: pd.DataFrame):
    """Poisson trend test of first-time entrants over the years (population as exposure); None if < 3 years."""
    data = table.dropna(subset=["first_time_entrants"])
    if len(data) < 3:
        return None
    pops = data["population_10_17"]
    exposures = None if pops.isna().any() else pops.astype("float64").tolist()
    return trend_test(data["first_time_entrants"].astype("int64").tolist(), exposures)


# -- helpers of the sections ---------------------------------------------------------------------------
def _source(ctx: AssessmentContext) -> str:
    return f"{ctx.cfg.name} Youth Offending Service returns to the Youth Justice Board (partner data)"


def _ons_population(ctx: AssessmentContext, years: list[str]) -> dict[str, float]:
    """The ONS estimate of residents aged 10-17 (single years of age) for each financial year held."""
    estimates = {year: ctx.population_estimate("10-17", year) for year in years}
    return {year: est.value for year, est in estimates.items() if est is not None}


def _youth_denominator(ctx: AssessmentContext, year: str, population: float) -> Denominator:
    """The record of the population aged 10-17 a rate of ``year`` used: the ONS estimate when it is
    that one, else the youth justice file's own ``population_10_17``."""
    est = ctx.population_estimate("10-17", year)
    if est is not None and est.value == population:
        return est.denominator("residents aged 10-17")
    return Denominator(value=population, unit="residents aged 10-17", period=year,
                       source=f"{_source(ctx)}, population_10_17")


def _youth_citation(ctx: AssessmentContext, population: float) -> str | None:
    """Which estimate the rate of this year used, when it is the ONS one."""
    est = ctx.population_estimate("10-17")
    return est.citation() if est is not None and est.value == population else None


def _load(ctx: AssessmentContext, out: ChapterOutputs, what: str) -> pd.DataFrame | None:
    """The trend table (:func:`youth_trend_table`), or None (having said why)."""
    youth = common.partner_data(ctx, out, PARTNER, what)
    if youth is None:
        return None
    wide = youth_measures(youth)
    if ctx.year not in wide.index:
        out.say(f"*The youth justice file holds no measures for {ctx.year}, so {what} is not shown.*")
        return None
    return youth_trend_table(wide, _ons_population(ctx, list(wide.index)))


def _this_and_last_year(ctx: AssessmentContext, out: ChapterOutputs, what: str) -> tuple[pd.Series, pd.Series | None] | None:
    """The trend table's rows of this year and of last year (None when absent), or None (having said why)."""
    table = _load(ctx, out, what)
    if table is None:
        return None
    this, last = (table[table["financial_year"] == y] for y in (ctx.year, ctx.previous_year))
    return this.iloc[0], None if last.empty else last.iloc[0]


def _suppressed_metric(
    metric_id: str,
    label: str,
    unit: str,
    period: str,
    source: str,
    threshold: int,
    comparators: dict[str, float] | None = None,
    verdicts: dict[str, str] | None = None,
) -> Metric:
    """A metric whose figures are withheld (fewer than ``threshold`` young people); the verdict
    against a national comparator, which does not reveal the count, may still be given."""
    return Metric(
        id=metric_id,
        label=label,
        chapter=CHAPTER,
        value=None,
        unit=unit,
        period=period,
        source=source,
        suppressed=True,
        comparators=comparators or {},
        comparison_verdicts=verdicts or {},
        comparison_methods={name: BENCHMARK_METHOD_ID for name in verdicts or {}},
        note=f"Suppressed: based on fewer than {threshold:,} young people.",
    )


def _small(count: int | None, threshold: int) -> bool:
    return count is not None and 1 <= count < threshold


# -- sections ------------------------------------------------------------------------------------------
def first_time_entrants(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """First-time entrants: count, rate per 100,000 aged 10-17, change on last year, national comparison."""
    rows = _this_and_last_year(ctx, out, "first-time entrants to the youth justice system")
    if rows is None:
        return
    row, prev = rows
    fte, pop = row["first_time_entrants"], row["population_10_17"]
    if pd.isna(fte):
        out.say(f"*First-time entrants are not given for {ctx.year}.*")
        return
    fte = int(fte)
    threshold = ctx.cfg.suppression_threshold
    prev_fte = None if prev is None or pd.isna(prev["first_time_entrants"]) else int(prev["first_time_entrants"])
    prev_pop = None if prev is None or pd.isna(prev["population_10_17"]) else float(prev["population_10_17"])
    bench = national_benchmark(ctx, FTE_BENCHMARKS, ctx.year)
    if _small(fte, threshold):
        out.say(
            f"Fewer than {threshold:,} young people entered the youth justice system for the first time in {ctx.year}."
        )
        out.metric(_suppressed_metric("first_time_entrants", "First-time entrants to the youth justice system (aged 10-17)",
                                      "young people", ctx.year, _source(ctx), threshold))
        return
    text = f"In {ctx.year}, {format_count(fte)} young people aged 10-17 entered the youth justice system for the first time"
    if pd.notna(pop):
        rate = fte_rate(fte, pop)
        text += (
            f", {format_rate(rate.value)} per 100,000 aged 10-17 "
            f"(95% interval {format_rate(rate.lower)} to {format_rate(rate.upper)})."
        )
    else:
        rate = None
        text += "; the population aged 10-17 is not known, so no rate is given."
    out.say(text)
    sentences = []
    if prev_fte is not None:
        if rate is not None and prev_pop is not None:
            change = change_in_rates(fte_rate(prev_fte, prev_pop), rate)
            sentences.append(describe_change("The first-time entrant rate", change, unit="per 100,000 aged 10-17"))
        else:
            sentences.append(describe_change("The number of first-time entrants", change_in_counts(prev_fte, fte), unit=""))
    if rate is not None:
        sentences.append(comparison_sentence(ctx.cfg.name, rate, bench, unit="per 100,000 aged 10-17"))
    if rate is not None and (cited := _youth_citation(ctx, float(pop))) is not None:
        sentences.append(cited)
    for s in sentences:
        out.say(s)
    out.metric(
        metric_from_count(
            "first_time_entrants",
            "First-time entrants to the youth justice system (aged 10-17)",
            CHAPTER,
            fte,
            prev_fte,
            ctx.year,
            None if prev_fte is None else ctx.previous_year,
            None if pd.isna(pop) else float(pop),
            _source(ctx),
            unit="young people",
            per=FTE_PER,
            comparators={ctx.cfg.national_name: bench.value} if bench is not None and pd.notna(pop) else None,
            previous_population=None if prev_pop is None else _youth_denominator(ctx, ctx.previous_year, prev_pop),
            denominator=None if pd.isna(pop) else _youth_denominator(ctx, ctx.year, float(pop)),
            note="Rate per 100,000 population aged 10-17, as the Youth Justice Board publishes it."
            + (f" National figure for {bench.period}: {bench.source}." if bench is not None else ""),
            disclosure_threshold=threshold,
        )
    )
    out.finding(" ".join([text, *sentences[:1]]), display=False)


def custody(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Custodial sentences per 1,000 aged 10-17 against the national rate."""
    rows = _this_and_last_year(ctx, out, "custodial sentences for young people")
    if rows is None:
        return
    row, prev = rows
    cust, pop = row["custodial_sentences"], row["population_10_17"]
    threshold = ctx.cfg.suppression_threshold
    label = "Custodial sentences per 1,000 young people aged 10-17"
    if pd.isna(cust) or pd.isna(pop):
        out.say(f"*Custodial sentences or the population aged 10-17 are not given for {ctx.year}.*")
        return
    cust = int(cust)
    rate = custody_rate(cust, float(pop))
    bench = national_benchmark(ctx, CUSTODY_BENCHMARKS, ctx.year)
    if _small(cust, threshold):
        text = (
            f"Fewer than {threshold:,} custodial sentences were given to young people in {ctx.year}; "
            "the number and rate are suppressed."
        )
        comparators, verdicts = None, None
        if bench is not None:
            verdict = compare(rate, bench).verdict
            comparators, verdicts = {ctx.cfg.national_name: bench.value}, {ctx.cfg.national_name: verdict}
            text += (
                f" The rate is {verdict} {'to' if verdict == 'similar' else 'than'} {possessive(bench.area)} "
                f"({format_rate(bench.value, 2)} per 1,000 aged 10-17 in {bench.period}; {bench.source})."
            )
        out.say(text)
        out.metric(_suppressed_metric("youth_custody_rate", label, "per 1,000 aged 10-17", ctx.year, _source(ctx),
                                      threshold, comparators, verdicts))
        return
    text = (
        f"Young people in {ctx.cfg.name} received {format_count(cust)} custodial sentences in {ctx.year}, "
        f"{format_rate(rate.value, 2)} per 1,000 aged 10-17 (95% interval {format_rate(rate.lower, 2)} to "
        f"{format_rate(rate.upper, 2)})."
    )
    out.say(text)
    comparison = comparison_sentence(ctx.cfg.name, rate, bench, unit="per 1,000 aged 10-17", decimals=2)
    out.say(comparison)
    previous = None
    if prev is not None and pd.notna(prev["custodial_sentences"]) and pd.notna(prev["population_10_17"]):
        prev_count = int(prev["custodial_sentences"])
        if not _small(prev_count, threshold):
            previous = custody_rate(prev_count, float(prev["population_10_17"]))
    out.metric(
        metric_from_rate(
            "youth_custody_rate",
            label,
            CHAPTER,
            rate,
            ctx.year,
            _source(ctx),
            previous=previous,
            previous_period=ctx.previous_year,
            comparators={ctx.cfg.national_name: bench.value} if bench is not None else None,
            unit="per 1,000 aged 10-17",
            denominator=_youth_denominator(ctx, ctx.year, float(pop)),
            previous_denominator=None if previous is None else _youth_denominator(
                ctx, ctx.previous_year, float(prev["population_10_17"])),
            note=f"{format_count(cust)} custodial sentences."
            + (f" National figure for {bench.period}: {bench.source}." if bench is not None else ""),
        )
    )
    out.finding(f"{text} {comparison if bench is not None else ''}".strip(), display=False)


def reoffending(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Proven reoffending by young people: binary rate (Wilson) and re-offences per reoffender."""
    rows = _this_and_last_year(ctx, out, "reoffending by young people")
    if rows is None:
        return
    row, prev = rows
    cohort, reoffenders, reoffences = row["reoffending_cohort"], row["reoffenders"], row["reoffences"]
    if pd.isna(cohort) or pd.isna(reoffenders) or int(cohort) == 0:
        out.say(f"*The reoffending cohort is not given for {ctx.year}.*")
        return
    cohort, reoffenders = int(cohort), int(reoffenders)
    threshold = ctx.cfg.suppression_threshold
    source = _source(ctx)
    if _small(reoffenders, threshold) or _small(cohort - reoffenders, threshold):
        out.say(f"The reoffending rate for {ctx.year} rests on fewer than {threshold:,} young people and is suppressed.")
        out.metric(_suppressed_metric("youth_reoffending_rate", "Young people in the cohort who reoffended", "%",
                                      ctx.year, source, threshold))
        return
    rate = youth_reoffending_rate(reoffenders, cohort)
    previous = None
    if (
        prev is not None
        and pd.notna(prev["reoffending_cohort"])
        and pd.notna(prev["reoffenders"])
        and int(prev["reoffending_cohort"]) > 0
    ):
        previous = youth_reoffending_rate(int(prev["reoffenders"]), int(prev["reoffending_cohort"]))
    bench = national_benchmark(ctx, REOFFENDING_BENCHMARKS, ctx.year)
    sentence = describe_proportion("reoffended", "young people in the reoffending cohort", rate)
    out.say(sentence)
    if previous is not None:
        out.say(describe_change("The youth reoffending rate", change_in_proportions(previous, rate)))
    if bench is not None:
        out.say(comparison_sentence(ctx.cfg.name, rate, bench))
    out.metric(
        metric_from_proportion(
            "youth_reoffending_rate",
            "Young people in the reoffending cohort who reoffended (binary rate)",
            CHAPTER,
            rate,
            ctx.year,
            source,
            previous=previous,
            previous_period=ctx.previous_year,
            comparators={ctx.cfg.national_name: bench.as_percent()} if bench is not None else None,
            note="Proven reoffending: reoffenders / cohort, as the Youth Justice Board defines it.",
        )
    )
    out.finding(sentence, display=False)
    if pd.isna(reoffences) or reoffenders == 0:
        return
    freq = reoffences_per_reoffender(int(reoffences), reoffenders)
    prev_freq = None
    if previous is not None and pd.notna(prev["reoffences"]) and int(prev["reoffenders"]) > 0:
        prev_freq = reoffences_per_reoffender(int(prev["reoffences"]), int(prev["reoffenders"]))
    freq_bench = national_benchmark(ctx, FREQUENCY_BENCHMARKS, ctx.year)
    out.say(
        f"The {format_count(reoffenders)} reoffenders committed {format_count(int(reoffences))} re-offences, "
        f"{format_rate(freq.value, 2)} each on average "
        f"(95% interval {format_rate(freq.lower, 2)} to {format_rate(freq.upper, 2)}). "
        + comparison_sentence(ctx.cfg.name, freq, freq_bench, unit="re-offences per reoffender", decimals=2)
    )
    out.metric(
        metric_from_rate(
            "reoffences_per_reoffender",
            "Re-offences per young reoffender (frequency of reoffending)",
            CHAPTER,
            freq,
            ctx.year,
            source,
            previous=prev_freq,
            previous_period=ctx.previous_year,
            unit="re-offences per reoffender",
            comparators={ctx.cfg.national_name: freq_bench.value} if freq_bench is not None else None,
            note="Frequency rate as the Youth Justice Board publishes it; interval: Poisson limits on the re-offences."
            + (f" National figure for {freq_bench.period}: {freq_bench.source}." if freq_bench is not None else ""),
            denominator=Denominator(value=float(reoffenders), unit="young reoffenders", period=ctx.year,
                                    source=f"{source}, reoffenders"),
            previous_denominator=None if prev_freq is None else Denominator(
                value=float(prev["reoffenders"]), unit="young reoffenders", period=ctx.previous_year,
                source=f"{source}, reoffenders"),
        )
    )


def trend(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The measures over every year supplied: a table, a chart of the rates and a trend test."""
    table = _load(ctx, out, "the youth justice trend")
    if table is None:
        return
    table = table[table["financial_year"] <= ctx.year].reset_index(drop=True)
    out.table(
        "youth_justice_measures",
        table,
        caption=f"Youth justice measures by financial year, {ctx.cfg.name}: first-time entrants (rate per 100,000 "
        "aged 10-17), custodial sentences (rate per 1,000 aged 10-17), proven reoffending (binary rate and "
        "re-offences per reoffender). Source: Youth Offending Service returns (partner data).",
        count_columns=["first_time_entrants", "custodial_sentences", "reoffending_cohort", "reoffenders", "reoffences"],
        derived={
            "first_time_entrants": ["fte_rate_per_100000"],
            "custodial_sentences": ["custody_rate_per_1000"],
            "reoffenders": ["reoffending_rate_percent", "reoffences_per_reoffender"],
            "reoffending_cohort": ["reoffending_rate_percent"],
        },
        decimals={"population_10_17": 0, "fte_rate_per_100000": 1, "custody_rate_per_1000": 3,
                  "reoffending_rate_percent": 1, "reoffences_per_reoffender": 2},
    )
    chart = table[["financial_year", "fte_rate_per_100000"]].dropna()
    small = table["first_time_entrants"].astype("float64").between(1, ctx.cfg.suppression_threshold - 1)
    chart = chart[~small.reindex(chart.index).fillna(False).to_numpy(dtype=bool)]
    if len(chart) >= 2:
        out.figure(
            charts.line_trend(
                chart, "financial_year", "fte_rate_per_100000",
                title="First-time entrants to the youth justice system",
                ylabel="Per 100,000 aged 10-17", source=_source(ctx),
            ),
            "fte_trend",
            alt=f"Line chart of the first-time entrant rate per 100,000 aged 10-17 in {ctx.cfg.name}, "
            f"{chart['financial_year'].iloc[0]} to {chart['financial_year'].iloc[-1]}.",
            caption="First-time entrants per 100,000 young people aged 10-17, by financial year.",
        )
    result = fte_trend(table)
    if result is not None:
        out.say(describe_trend("The first-time entrant rate", result, period="year"))
    else:
        out.say("Fewer than three years are supplied, so no trend is tested.")


def published_first_time_entrants(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """First-time entrants per 100,000 aged 10-17 as OHID's Fingertips publishes them (from the Youth
    Justice Board), with England and the region, the trend, and the partner figure beside them."""
    def beside(figure: published_indicators.PublishedIndicator) -> str | None:
        youth = ctx.partner(PARTNER)
        if youth is None or youth.empty:
            return None
        wide = youth_measures(youth)
        table = youth_trend_table(wide, _ons_population(ctx, list(wide.index)))
        row = table[table["financial_year"] == ctx.year]
        if row.empty or pd.isna(row["fte_rate_per_100000"].iloc[0]):
            return None
        count = row["first_time_entrants"].iloc[0]
        if _small(None if pd.isna(count) else int(count), ctx.cfg.suppression_threshold):
            return None
        return (f"The Youth Offending Service's own figure (partner data, above) is "
                f"{format_rate(float(row['fte_rate_per_100000'].iloc[0]))} per 100,000 aged 10-17 for the "
                f"financial year {ctx.year}; the published figure is for {figure.period}, so the two cover "
                "different periods.")

    published_indicators.section(
        ctx, out, FTE_METRIC, "first-time entrants to the youth justice system", CHAPTER,
        "First-time entrants to the youth justice system per 100,000 aged 10-17 (Fingertips)",
        "first_time_entrants_published", beside=beside,
    )
