"""Chapter 8: hate crime.

Source: the police force's monthly counts of crimes flagged as hate crime, by monitored strand
(partner file ``force_flags.csv``, flag ``hate_crime``; :func:`assess.sources.partner.read_force_flags`).
police.uk does not publish a hate crime flag, so the chapter needs the partner file and says so
plainly when it is absent.

Counting rules are those of :mod:`assess.measure.flags`:

- A hate crime may be motivated by hostility on more than one strand (race and religion, say)
  and is then counted in each strand. A row with a blank strand is the force's count of hate
  crimes (each crime once); where a month has no such row, the total is the sum of the strands,
  which may count a crime more than once (the chapter says so).
- Years are financial years (April to March). When the latest year in the file is incomplete,
  every year is cut to the same months (April to September with April to September), so that
  the change on last year and the trend compare like with like.
- Rates are per 1,000 residents of the CSP (the ONS mid-year estimate of the year, named in the text and in each
  metric's denominator: :func:`assess.chapters.common.residents`), with
  PHE confidence limits (:func:`assess.stats.rate_per_1000`).
- Changes and trends allow for month-to-month variation beyond chance: the change on last year is
  the quasi-Poisson test of the monthly series, the trend the quasi-Poisson trend of the yearly
  totals with the dispersion of those months (:mod:`assess.measure.flags`).
"""

from __future__ import annotations

import pandas as pd

from assess.chapters import common
from assess.measure import narrative
from assess.measure.context import AssessmentContext
from assess.measure.flags import (
    MIN_TREND_YEARS,
    flag_by_year,
    flag_count,
    flag_count_metric,
    flag_series,
    flags_like_for_like,
    total_counts_strands_twice,
    two_year_row,
    year_change,
    year_trend,
)
from assess.measure.national import national_rate
from assess.periods import LikeForLike
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import Rate, compare_with_benchmark, rate_per_1000
from assess.vocabulary import HATE_CRIME_STRANDS, label

CHAPTER = "08_hate_crime"
SOURCE = "Police force crime flags: hate crime by strand (partner file force_flags.csv)"

#: How each monitored strand is written in text, in the Home Office order.
STRAND_LABELS = HATE_CRIME_STRANDS

#: Measure names under which the benchmarks file may hold the national hate crime rate per 1,000.
BENCHMARK_MEASURES = ("hate_crime_rate", "hate_crime")


# --- hate crime: pure computations ------------------------------------------------------------


def strand_label(strand: str) -> str:
    """How a strand is written in text: ``"sexual_orientation"`` -> ``"Sexual orientation"``."""
    return label(STRAND_LABELS, strand)


def strands_present(flags: pd.DataFrame) -> list[str]:
    """The monitored strands with any hate crime row, in the Home Office order."""
    if "strand" not in flags.columns:
        return []
    have = set(flags.loc[(flags["flag"] == "hate_crime") & flags["strand"].notna(), "strand"].astype(str))
    order = [s for s in STRAND_LABELS if s in have]
    return order + sorted(have - set(order))


def hate_crime_by_year(flags: pd.DataFrame, year: str) -> tuple[pd.DataFrame, LikeForLike]:
    """Hate crimes per financial year up to ``year`` (all years in the file), like for like.

    Columns: financial_year, months (months compared, int64), hate_crimes (int64).
    """
    by_year, lfl = flag_by_year(flags, "hate_crime", year)
    table = pd.DataFrame(
        {
            "financial_year": pd.array(by_year.index, dtype="string"),
            "months": pd.array([len(lfl.months(y)) for y in by_year.index], dtype="int64"),
            "hate_crimes": by_year.to_numpy(),
        }
    )
    return table, lfl


def strand_table(flags: pd.DataFrame, year: str, previous_year: str, threshold: int = 1) -> pd.DataFrame:
    """Hate crimes by strand in two years, with the change and its verdict (:func:`two_year_row`).

    Columns: strand (id), Strand (label), ``previous_year`` (Int64, missing when the file does not
    cover it) and ``year`` (Int64) counts, change_percent, verdict. Rows in the Home Office order
    of strands.
    """
    rows = [
        {"strand": s, "Strand": strand_label(s)}
        | two_year_row(flags, flag_series(flags, "hate_crime", s), year, previous_year, threshold)
        for s in strands_present(flags)
    ]
    table = pd.DataFrame(rows, columns=["strand", "Strand", previous_year, year, "change_percent", "verdict"])
    return table.astype({previous_year: "Int64", year: "Int64", "change_percent": "float64"})


def strand_by_year(flags: pd.DataFrame, year: str) -> pd.DataFrame:
    """Long table for a chart: financial_year, strand (label), hate_crimes (int64), like for like."""
    parts = []
    for s in strands_present(flags):
        counts, _ = flag_by_year(flags, "hate_crime", year, s)
        parts.append(pd.DataFrame({"financial_year": counts.index, "strand": strand_label(s), "hate_crimes": counts.to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["financial_year", "strand", "hate_crimes"])
    return pd.concat(parts, ignore_index=True)


def hate_crime_rate(count: int, population: float | None) -> Rate | None:
    """Hate crimes per 1,000 residents with PHE limits; None without a population."""
    if population is None or population <= 0:
        return None
    return rate_per_1000(count, population)


# --- sections ---------------------------------------------------------------------------------


def trend(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Hate crimes each financial year, the change on last year and the trend over the years."""
    flags = common.partner_flags(ctx, out, "hate_crime", "hate crime (police crime flags)")
    if flags is None:
        return
    table, lfl = hate_crime_by_year(flags, ctx.year)
    by_year = table.set_index("financial_year")["hate_crimes"]
    if not lfl.complete:
        out.say(
            f"The flags file holds {len(lfl.month_numbers)} months of {ctx.year}; every year below counts the "
            f"same months ({narrative.format_count(len(lfl.month_numbers))} of 12), so years compare like with like."
        )
    if total_counts_strands_twice(flags):
        out.note(
            "For some months the force gave hate crimes by strand only; their total adds the strands, so a "
            "crime motivated by hostility on two strands counts twice in those months."
        )
    out.table(
        "hate_crime_by_year",
        table.rename(columns={"financial_year": "Financial year", "months": "Months counted", "hate_crimes": "Hate crimes"}),
        caption=f"Police recorded hate crimes by financial year, {table['financial_year'].iloc[0]} to {ctx.year}. "
        f"Source: {SOURCE}.",
        count_columns=["Hate crimes"],
    )
    out.figure(
        charts.line_trend(table, "financial_year", "hate_crimes", title="Hate crimes by financial year",
                          ylabel="Hate crimes", source=SOURCE),
        "hate_crime_trend",
        alt=f"Line chart of police recorded hate crimes in {ctx.cfg.name} each financial year from "
        f"{table['financial_year'].iloc[0]} to {ctx.year}.",
        caption=f"Hate crimes by financial year ({'whole years' if lfl.complete else 'same months of each year'}). "
        f"Source: {SOURCE}.",
    )
    monthly = flag_series(flags, "hate_crime")
    change = year_change(by_year, ctx.year, ctx.previous_year, monthly=monthly, lfl=lfl)
    if change is not None:
        text = narrative.describe_change(
            f"Hate crime in {lfl.describe(ctx.year)} against {lfl.describe(ctx.previous_year)}", change
        )
        out.finding(text)  # shown in the chapter as a key finding
        out.note(narrative.change_method_note(change, "Changes in hate crime"))
    else:
        out.say(f"The flags file has no hate crime counts for {ctx.previous_year}, so there is no change on last year.")
    tr = year_trend(by_year, monthly=monthly, lfl=lfl)
    if tr is not None:
        years = list(by_year.index)
        text = narrative.describe_trend(f"Hate crime ({years[0]} to {years[-1]})", tr, "year")
        if tr.significant:
            out.finding(text)  # shown in the chapter as a key finding
        else:
            out.say(text)
        out.note(narrative.trend_method_note(tr))
    else:
        out.say(
            f"The flags file covers {narrative.format_count(len(by_year))} financial year(s); a trend test needs at "
            f"least {narrative.format_count(MIN_TREND_YEARS)}."
        )


def rate(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Hate crimes per 1,000 residents this year, against the national rate when the benchmarks hold it."""
    flags = common.partner_flags(ctx, out, "hate_crime", "hate crime (police crime flags)")
    if flags is None:
        return
    by_year, lfl = flag_by_year(flags, "hate_crime", ctx.year)
    residents = common.residents(ctx)
    r = hate_crime_rate(int(by_year[ctx.year]), residents.value if residents else None)
    comparators: dict[str, float] = {}
    if r is None:
        out.say("There is no population estimate for the CSP, so the rate per 1,000 residents is not shown.")
    else:
        bench, national = national_rate(ctx, BENCHMARK_MEASURES, ctx.year) if lfl.complete else (None, None)
        part = "" if lfl.complete else (f" (a part-year rate over {narrative.format_count(len(lfl.month_numbers))} "
                                        "months, not annualised)")
        text = (
            f"In {lfl.describe(ctx.year)} there were {narrative.format_rate(r.value)} hate crimes per 1,000 residents"
            f"{part} (95% confidence interval {narrative.format_rate(r.lower)} to {narrative.format_rate(r.upper)}). "
            + common.estimate_citation(residents)
        )
        out.say(text)
        if bench is not None:
            comparison = compare_with_benchmark(r, national)
            comparators[common.comparator_key(bench.area)] = national
            out.say(
                narrative.describe_comparison(ctx.cfg.name, r, bench.area, comparison, unit="per 1,000 residents")
                + f" The national rate is for {bench.period}; source: {bench.source}."
            )
            out.note(narrative.benchmark_method_note(bench.area))
        elif lfl.complete:
            out.say("The benchmarks file holds no national hate crime rate per 1,000, so there is no national comparison.")
    out.metric(
        flag_count_metric(
            "hate_crime", "Hate crimes", CHAPTER, by_year, ctx.year, ctx.previous_year, lfl, residents,
            ctx.cfg.suppression_threshold, SOURCE, comparators=comparators or None,
            monthly=flag_series(flags, "hate_crime"),
            note=None if lfl.complete else f"A part-year count and rate over the {len(lfl.month_numbers)} months of "
            f"{lfl.describe(ctx.year)}, not annualised.",
        )
    )


def strands(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Hate crime by monitored strand: this year against last, and each strand over the years."""
    flags = common.partner_flags(ctx, out, "hate_crime", "hate crime (police crime flags)")
    if flags is None:
        return
    present = strands_present(flags)
    if not present:
        out.say(
            "The flags file gives hate crime as a total only (no strand), so it cannot be shown by strand. "
            "Ask the force for the count of each monitored strand."
        )
        return
    table = strand_table(flags, ctx.year, ctx.previous_year, ctx.cfg.suppression_threshold)
    lfl = flags_like_for_like(flags, ctx.year)
    shown = narrative.round_table(table.drop(columns=["strand"]), {"change_percent": 1}).rename(
        columns={"change_percent": "Change (%)", "verdict": "Verdict"})
    out.table(
        "hate_crime_by_strand",
        shown,
        caption=f"Hate crimes by monitored strand, {lfl.describe(ctx.previous_year)} and {lfl.describe(ctx.year)}. "
        f"A crime may be counted in more than one strand. Source: {SOURCE}.",
        count_columns=[ctx.previous_year, ctx.year],
    )
    long = strand_by_year(flags, ctx.year)
    out.figure(
        charts.line_trend(long, "financial_year", "hate_crimes", hue="strand", title="Hate crimes by strand",
                          ylabel="Hate crimes", source=SOURCE),
        "hate_crime_by_strand",
        alt=f"Line chart of hate crimes in {ctx.cfg.name} by monitored strand ({', '.join(table['Strand'])}) "
        f"each financial year to {ctx.year}.",
        caption=f"Hate crimes by strand and financial year. Source: {SOURCE}.",
    )
    threshold = ctx.cfg.suppression_threshold
    top = table.sort_values(ctx.year, ascending=False).iloc[0]
    if total_counts_strands_twice(flags):
        total, of_what = int(table[ctx.year].sum()), "strand counts"
    else:  # the force's total counts each crime once
        total = flag_count(flags, "hate_crime", lfl.months(ctx.year))
        of_what = "hate crimes"
    if total > 0 and int(top[ctx.year]) >= threshold:
        share = int(top[ctx.year]) / total
        text = (
            f"{top['Strand']} was the most common strand of hate crime in {lfl.describe(ctx.year)}: "
            f"{narrative.format_count(int(top[ctx.year]))} of {narrative.format_count(total)} {of_what} "
            f"({narrative.format_share(share)})."
        )
        out.finding(text)  # shown in the chapter as a key finding
    for s in present:
        by_year, _ = flag_by_year(flags, "hate_crime", ctx.year, s)
        out.metric(
            flag_count_metric(
                f"hate_crime_{s}", f"Hate crimes: {strand_label(s).lower()}", CHAPTER, by_year, ctx.year,
                ctx.previous_year, lfl, common.residents(ctx), threshold, SOURCE, monthly=flag_series(flags, "hate_crime", s),
            )
        )
    rising = table[(table["verdict"] == "increase") & (table[ctx.year] >= threshold)]
    if not rising.empty:
        out.say(
            "Statistically significant rises on last year: "
            + ", ".join(f"{r.Strand.lower()}" for r in rising.itertuples(index=False))
            + "."
        )
