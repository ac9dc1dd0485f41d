"""Chapter 8: hate crime.

Source: the police force's monthly counts of crimes flagged as hate crime, by monitored strand
(partner file ``force_flags.csv``, flag ``hate_crime``; :func:`assess.sources.partner.read_force_flags`).
police.uk does not publish a hate crime flag, so the chapter needs the partner file and says so
plainly when it is absent.

Counting rules:

- A hate crime may be motivated by hostility on more than one strand (race and religion, say)
  and is then counted in each strand. A row with a blank strand is the force's count of hate
  crimes (each crime once); where a month has no such row, the total is the sum of the strands,
  which may count a crime more than once (the chapter says so).
- Years are financial years (April to March). When the latest year in the file is incomplete,
  every year is cut to the same months (April to September with April to September), so that
  the change on last year and the trend compare like with like.
- Rates are per 1,000 residents of the CSP (ONS mid-year estimate, ``ctx.population``), with
  PHE confidence limits (:func:`assess.stats.rate_per_1000`).

The flag helpers (:func:`flag_monthly`, :func:`counts_by_year`, :func:`like_for_like`) are used
by chapter 11 (vulnerable people) too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from assess import charts, narrative
from assess.benchmarks import national_benchmark
from assess.chapters import common
from assess.context import AssessmentContext
from assess.metrics import Metric, metric_from_count
from assess.periods import months_of_financial_year
from assess.report.outputs import ChapterOutputs
from assess.stats import Change, Rate, Trend, change_in_counts, compare_with_benchmark, rate_per_1000, trend_test

CHAPTER = "08_hate_crime"
FLAGS = "force_flags"
SOURCE = "Police force crime flags: hate crime by strand (partner file force_flags.csv)"
POPULATION_SOURCE = "ONS mid-year population estimates"

#: How each monitored strand is written in text (Home Office, *Hate crime, England and Wales*).
STRAND_LABELS: dict[str, str] = {
    "race": "Race",
    "religion": "Religion",
    "sexual_orientation": "Sexual orientation",
    "disability": "Disability",
    "transgender": "Transgender identity",
}

#: Measure names under which the benchmarks file may hold the national hate crime rate per 1,000.
BENCHMARK_MEASURES = ("hate_crime_rate", "hate_crime")

#: Fewest years a trend test needs (assess.stats.trend_test).
MIN_TREND_YEARS = 3


# --- flags: pure helpers ----------------------------------------------------------------------


def flag_monthly(flags: pd.DataFrame, flag: str, strand: str | None = None) -> pd.Series:
    """Monthly count of one flag for the whole CSP (index ``month`` ``YYYY-MM``, int64).

    Ward rows are added up. With ``strand`` only that hate crime strand is counted. Without it,
    a month's rows with a blank strand are the count; a month with only strand rows counts their
    sum (a crime on two strands counts twice). Months without the flag are absent from the index.
    """
    rows = flags[flags["flag"] == flag]
    if "strand" in rows.columns:
        if strand is not None:
            rows = rows[rows["strand"] == strand]
        else:
            blank = rows["strand"].isna()
            months_with_total = set(rows.loc[blank, "month"])
            rows = rows[blank | ~rows["month"].isin(months_with_total)]
    elif strand is not None:
        rows = rows.iloc[0:0]
    out = rows.groupby("month")["count"].sum().astype("int64")
    out.index = out.index.astype("object")
    return out.sort_index().rename("count").rename_axis("month")


def total_counts_strands_twice(flags: pd.DataFrame, flag: str = "hate_crime") -> bool:
    """True when some month of ``flag`` has strand rows but no blank-strand total row."""
    rows = flags[flags["flag"] == flag]
    if rows.empty or "strand" not in rows.columns:
        return False
    with_total = set(rows.loc[rows["strand"].isna(), "month"])
    return bool((~rows["month"].isin(with_total)).any())


def flag_years(flags: pd.DataFrame, up_to: str | None = None) -> list[str]:
    """Financial years the flags file covers (any flag), oldest first, none after ``up_to``."""
    years = sorted(set(flags["financial_year"].dropna().astype(str)))
    return [y for y in years if up_to is None or y <= up_to]


@dataclass(frozen=True)
class LikeForLike:
    """The months compared in every year: the positions (``"04"`` ... ``"03"``) the latest year holds.

    ``complete`` is True when the latest year holds all twelve months.
    """

    year: str
    month_numbers: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return len(self.month_numbers) == 12

    def months(self, year: str) -> list[str]:
        """The ``YYYY-MM`` months of ``year`` compared."""
        return [m for m in months_of_financial_year(year) if m[5:] in self.month_numbers]

    def period(self, year: str) -> str:
        """The period label of ``year`` for a metric: ``"2024/25"`` or ``"2024-04 to 2024-09"``."""
        if self.complete:
            return year
        ms = self.months(year)
        return f"{ms[0]} to {ms[-1]}" if len(ms) > 1 else ms[0]

    def describe(self, year: str) -> str:
        """The period in words: ``"2024/25"`` or ``"2024/25 (April 2024 to September 2024)"``."""
        if self.complete:
            return year
        from assess.counts import period_label

        return f"{year} ({period_label(self.months(year))})"


def like_for_like(flags: pd.DataFrame, year: str) -> LikeForLike:
    """The months of ``year`` the flags file holds (any flag), as positions to compare every year on."""
    have = set(flags.loc[flags["financial_year"] == year, "month"].astype(str))
    return LikeForLike(year, tuple(m[5:] for m in months_of_financial_year(year) if m in have))


def counts_by_year(monthly: pd.Series, years: Sequence[str], lfl: LikeForLike) -> pd.Series:
    """A monthly count summed by financial year over the like-for-like months (index financial_year, int64)."""
    values = [int(monthly.reindex(lfl.months(y)).fillna(0).sum()) for y in years]
    return pd.Series(values, index=pd.Index(list(years), name="financial_year"), dtype="int64", name="count")


def is_disclosive(counts: pd.Series, threshold: int) -> bool:
    """True when any count is from 1 to ``threshold - 1`` (small counts are suppressed)."""
    return bool(((counts >= 1) & (counts < threshold)).any())


def year_change(by_year: pd.Series, year: str, previous_year: str) -> Change | None:
    """The change from ``previous_year`` to ``year`` (exact conditional test), None without both years."""
    if year not in by_year.index or previous_year not in by_year.index:
        return None
    return change_in_counts(int(by_year[previous_year]), int(by_year[year]))


def year_trend(by_year: pd.Series) -> Trend | None:
    """Log-linear Poisson trend over the years (equal exposures), None with fewer than three years."""
    if len(by_year) < MIN_TREND_YEARS:
        return None
    return trend_test([int(v) for v in by_year.to_numpy()])


def comparator_key(area: str) -> str:
    """The key of a national comparator in a metric: ``"England and Wales"`` -> ``"england_and_wales"``."""
    return re.sub(r"[^a-z0-9]+", "_", area.lower()).strip("_")


# --- hate crime: pure computations ------------------------------------------------------------


def hate_crime_flags(flags: pd.DataFrame | None) -> pd.DataFrame | None:
    """The hate crime rows of the flags file, or None when there are none."""
    if flags is None:
        return None
    rows = flags[flags["flag"] == "hate_crime"]
    return None if rows.empty else flags


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
    lfl = like_for_like(flags, year)
    years = flag_years(flags, year)
    counts = counts_by_year(flag_monthly(flags, "hate_crime"), years, lfl)
    table = pd.DataFrame(
        {
            "financial_year": pd.array(years, dtype="string"),
            "months": pd.array([len(lfl.months(y)) for y in years], dtype="int64"),
            "hate_crimes": counts.to_numpy(),
        }
    )
    return table, lfl


def two_year_row(
    flags: pd.DataFrame, monthly: pd.Series, year: str, previous_year: str, threshold: int = 1
) -> dict[str, object]:
    """A flag's count in two years (like for like) with the change on last year and its verdict.

    Keys: ``previous_year`` (None when the flags file does not cover that year: no count is not a
    zero), ``year``, change_percent (NaN when not computable) and verdict ("" when not tested).
    Where a count is from 1 to ``threshold - 1`` (it will be suppressed) the change and verdict are
    left blank, since they would reveal it.
    """
    lfl = like_for_like(flags, year)
    has_previous = previous_year in flag_years(flags, year)
    by_year = counts_by_year(monthly, [previous_year, year] if has_previous else [year], lfl)
    change = year_change(by_year, year, previous_year)
    hidden = change is None or is_disclosive(by_year, threshold)
    return {
        previous_year: int(by_year[previous_year]) if has_previous else None,
        year: int(by_year[year]),
        "change_percent": float("nan") if hidden or change.percent is None else change.percent,  # type: ignore[union-attr]
        "verdict": "" if hidden else change.verdict,  # type: ignore[union-attr]
    }


def strand_table(flags: pd.DataFrame, year: str, previous_year: str, threshold: int = 1) -> pd.DataFrame:
    """Hate crimes by strand in two years, with the change and its verdict (:func:`two_year_row`).

    Columns: strand (id), Strand (label), ``previous_year`` (Int64, missing when the file does not
    cover it) and ``year`` (Int64) counts, change_percent, verdict. Rows in the Home Office order
    of strands.
    """
    rows = [
        {"strand": s, "Strand": STRAND_LABELS.get(s, s.replace("_", " ").capitalize())}
        | two_year_row(flags, flag_monthly(flags, "hate_crime", s), year, previous_year, threshold)
        for s in strands_present(flags)
    ]
    table = pd.DataFrame(rows, columns=["strand", "Strand", previous_year, year, "change_percent", "verdict"])
    return table.astype({previous_year: "Int64", year: "Int64", "change_percent": "float64"})


def strand_by_year(flags: pd.DataFrame, year: str) -> pd.DataFrame:
    """Long table for a chart: financial_year, strand (label), hate_crimes (int64), like for like."""
    lfl = like_for_like(flags, year)
    years = flag_years(flags, year)
    parts = []
    for s in strands_present(flags):
        counts = counts_by_year(flag_monthly(flags, "hate_crime", s), years, lfl)
        parts.append(
            pd.DataFrame(
                {"financial_year": years, "strand": STRAND_LABELS.get(s, s), "hate_crimes": counts.to_numpy()}
            )
        )
    if not parts:
        return pd.DataFrame(columns=["financial_year", "strand", "hate_crimes"])
    return pd.concat(parts, ignore_index=True)


def hate_crime_rate(count: int, population: float | None) -> Rate | None:
    """Hate crimes per 1,000 residents with PHE limits; None without a population."""
    if population is None or population <= 0:
        return None
    return rate_per_1000(count, population)


def flag_count_metric(
    id: str,
    label: str,
    chapter: str,
    by_year: pd.Series,
    year: str,
    previous_year: str,
    lfl: LikeForLike,
    population: float | None,
    threshold: int,
    source: str,
    *,
    unit: str = "crimes",
    per: int = 1000,
    comparators: dict[str, float] | None = None,
    note: str | None = None,
) -> Metric:
    """The metric of a flagged count (value: the count; its rate per ``per`` of ``population`` when known).

    ``by_year`` is a like-for-like count by financial year (:func:`counts_by_year`). Counts from
    1 to ``threshold - 1`` are suppressed (partner data are not published elsewhere).
    """
    has_previous = previous_year in by_year.index
    return metric_from_count(
        id,
        label,
        chapter,
        int(by_year[year]),
        int(by_year[previous_year]) if has_previous else None,
        lfl.period(year),
        lfl.period(previous_year) if has_previous else None,
        population,
        source + (f"; {POPULATION_SOURCE}" if population else ""),
        unit=unit,
        per=per,
        comparators=comparators if population else None,
        note=note,
        disclosure_threshold=threshold,
    )


# --- reading and publishing ---------------------------------------------------------------------

_FLAGS_CACHE: dict[tuple[str, int, int], pd.DataFrame] = {}


def read_flags(ctx: AssessmentContext) -> pd.DataFrame | None:
    """The force flags partner file (``ctx.partner("force_flags")``), read once per file version.

    Sections of chapters 8 and 11 each need it; the validated frame is kept, keyed by the file's
    path, size and modification time, so a changed file is read again. None when absent.
    """
    filename = ctx.cfg.partner_files.get(FLAGS)
    path = ctx.partner_dir / filename if filename else None
    if path is None or not path.exists():
        return None
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _FLAGS_CACHE:
        flags = ctx.partner(FLAGS)
        if flags is None:
            return None
        _FLAGS_CACHE.clear()
        _FLAGS_CACHE[key] = flags
    return _FLAGS_CACHE[key]


def publish_table(out: ChapterOutputs, name: str, df: pd.DataFrame, caption: str, **kwargs: Any) -> pd.DataFrame:
    """Publish a table through ``out.table`` and show it in the chapter with its caption."""
    published = out.table(name, df, caption=caption, **kwargs)
    from IPython.display import display

    display(published)
    return published


# --- sections ---------------------------------------------------------------------------------


def _flags(ctx: AssessmentContext) -> pd.DataFrame | None:
    flags = hate_crime_flags(read_flags(ctx))
    if flags is None or ctx.year not in set(flags["financial_year"].astype(str)):
        return None
    return flags


def trend(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Hate crimes each financial year, the change on last year and the trend over the years."""
    flags = _flags(ctx)
    if flags is None:
        common.missing(ctx, f"hate crime (police crime flags) in {ctx.year}", FLAGS)
        return
    table, lfl = hate_crime_by_year(flags, ctx.year)
    by_year = table.set_index("financial_year")["hate_crimes"]
    by_year.index = by_year.index.astype("object")
    if not lfl.complete:
        common.say(
            f"The flags file holds {len(lfl.month_numbers)} months of {ctx.year}; every year below counts the "
            f"same months ({narrative.format_count(len(lfl.month_numbers))} of 12), so years compare like with like."
        )
    if total_counts_strands_twice(flags):
        out.note(
            "For some months the force gave hate crimes by strand only; their total adds the strands, so a "
            "crime motivated by hostility on two strands counts twice in those months."
        )
    publish_table(
        out,
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
    change = year_change(by_year, ctx.year, ctx.previous_year)
    if change is not None:
        text = narrative.describe_change(
            f"Hate crime in {lfl.describe(ctx.year)} against {lfl.describe(ctx.previous_year)}", change
        )
        out.finding(text)  # shown in the chapter as a key finding
    else:
        common.say(f"The flags file has no hate crime counts for {ctx.previous_year}, so there is no change on last year.")
    tr = year_trend(by_year)
    if tr is not None:
        years = list(by_year.index)
        text = narrative.describe_trend(f"Hate crime ({years[0]} to {years[-1]})", tr, "year")
        if tr.significant:
            out.finding(text)  # shown in the chapter as a key finding
        else:
            common.say(text)
    else:
        common.say(
            f"The flags file covers {narrative.format_count(len(by_year))} financial year(s); a trend test needs at "
            f"least {narrative.format_count(MIN_TREND_YEARS)}."
        )


def rate(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Hate crimes per 1,000 residents this year, against the national rate when the benchmarks hold it."""
    flags = _flags(ctx)
    if flags is None:
        common.missing(ctx, f"hate crime (police crime flags) in {ctx.year}", FLAGS)
        return
    table, lfl = hate_crime_by_year(flags, ctx.year)
    by_year = table.set_index("financial_year")["hate_crimes"]
    by_year.index = by_year.index.astype("object")
    r = hate_crime_rate(int(by_year[ctx.year]), ctx.population)
    comparators: dict[str, float] = {}
    if r is None:
        common.say("There is no population estimate for the CSP, so the rate per 1,000 residents is not shown.")
    else:
        bench = None
        if lfl.complete:
            for measure in BENCHMARK_MEASURES:
                bench = national_benchmark(ctx, measure, ctx.year)
                if bench is not None and "1,000" in bench.unit.replace("1000", "1,000"):
                    break
                bench = None
        text = (
            f"In {lfl.describe(ctx.year)} there were {narrative.format_rate(r.value)} hate crimes per 1,000 residents "
            f"(95% confidence interval {narrative.format_rate(r.lower)} to {narrative.format_rate(r.upper)})."
        )
        common.say(text)
        if bench is not None:
            comparison = compare_with_benchmark(r, bench.value)
            comparators[comparator_key(bench.area)] = bench.value
            common.say(
                narrative.describe_comparison(ctx.cfg.name, r, bench.area, comparison, unit="per 1,000 residents")
                + f" The national rate is for {bench.period}; source: {bench.source}."
            )
        elif lfl.complete:
            common.say("The benchmarks file holds no national hate crime rate per 1,000, so there is no national comparison.")
    out.metric(
        flag_count_metric(
            "hate_crime", "Hate crimes", CHAPTER, by_year, ctx.year, ctx.previous_year, lfl, ctx.population,
            ctx.cfg.suppression_threshold, SOURCE, comparators=comparators or None,
        )
    )


def strands(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Hate crime by monitored strand: this year against last, and each strand over the years."""
    flags = _flags(ctx)
    if flags is None:
        common.missing(ctx, f"hate crime (police crime flags) in {ctx.year}", FLAGS)
        return
    present = strands_present(flags)
    if not present:
        common.say(
            "The flags file gives hate crime as a total only (no strand), so it cannot be shown by strand. "
            "Ask the force for the count of each monitored strand."
        )
        return
    table = strand_table(flags, ctx.year, ctx.previous_year, ctx.cfg.suppression_threshold)
    lfl = like_for_like(flags, ctx.year)
    shown = table.drop(columns=["strand"]).round({"change_percent": 1}).rename(
        columns={"change_percent": "Change (%)", "verdict": "Verdict"})
    publish_table(
        out,
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
        total = int(counts_by_year(flag_monthly(flags, "hate_crime"), [ctx.year], lfl)[ctx.year])
        of_what = "hate crimes"
    if total > 0 and int(top[ctx.year]) >= threshold:
        share = int(top[ctx.year]) / total
        text = (
            f"{top['Strand']} was the most common strand of hate crime in {lfl.describe(ctx.year)}: "
            f"{narrative.format_count(int(top[ctx.year]))} of {narrative.format_count(total)} {of_what} "
            f"({narrative.format_share(share)})."
        )
        out.finding(text)  # shown in the chapter as a key finding
    years = flag_years(flags, ctx.year)
    for s in present:
        by_year = counts_by_year(flag_monthly(flags, "hate_crime", s), years, lfl)
        out.metric(
            flag_count_metric(
                f"hate_crime_{s}", f"Hate crimes: {STRAND_LABELS.get(s, s).lower()}", CHAPTER, by_year, ctx.year,
                ctx.previous_year, lfl, ctx.population, threshold, SOURCE,
            )
        )
    rising = table[(table["verdict"] == "increase") & (table[ctx.year] >= threshold)]
    if not rising.empty:
        common.say(
            "Statistically significant rises on last year: "
            + ", ".join(f"{r.Strand.lower()}" for r in rising.itertuples(index=False))
            + "."
        )
