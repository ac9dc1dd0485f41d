"""Chapter 10, drugs and alcohol: alcohol- and drug-related crime, drug offences and drug deaths.

Sources:

- alcohol-affected crime, alcohol-related violence and drug-related violence: the partner file
  ``force_flags`` (monthly counts of crimes the force flagged, ``data/raw/README.md``). Their
  shares are of all crime and of violence as published by police.uk for the same months
  (``street``, excluding anti-social behaviour; violence = "Violence and sexual offences"), with
  Wilson 95% intervals. The flags come from the force's crime system and police.uk from its
  published extract, so the shares are close approximations (police.uk omits a few crimes it
  cannot map);
- drug offences: police.uk category "Drugs" per 1,000 residents (ONS mid-year estimate). These
  are offences found mostly by police activity (stop and search, warrants): they measure
  enforcement as much as supply or use. (The headline "drugs" metric belongs to chapter 2.);
- deaths related to drug misuse: the partner file ``drug_deaths`` (ONS "Deaths related to drug
  poisoning", by year of registration). As ONS and OHID (Fingertips) do, three calendar years are
  pooled: deaths summed over the three years / population summed over the three years x 100,000,
  with exact Poisson limits below 10 deaths and Byar's method from 10 (PHE). ONS and OHID publish
  directly age-standardised rates; this rate is crude, so it is set against a national figure
  with a verdict only when the benchmarks file says that figure is crude too (like with like):
  otherwise the two are shown side by side and the chapter says why there is no verdict.

- published figures (OHID Fingertips, :mod:`assess.chapters.published_indicators`): deaths from
  drug misuse and admission episodes for alcohol-related conditions (narrow), both directly
  age-standardised rates per 100,000 as OHID publishes them, against England's and the region's of
  the same indicator, period and method. Shown whether or not the partner files are present, and
  labelled beside them when they are (the partner death rate above is crude: the two are not
  compared with each other).

Changes in flagged and police.uk counts are tested on their monthly series (quasi-Poisson,
allowing for month-to-month variation beyond chance); the pooled death rates, registered by
calendar year, by the exact test of the two totals, which the metric records.
"""

from __future__ import annotations

import pandas as pd

from assess.chapters import common, published_indicators
from assess.chapters.recorded_crime import monthly_counts, period_change
from assess.measure import counts as police_counts
from assess.measure.context import AssessmentContext
from assess.measure.flags import flag_count, flag_monthly, flag_series
from assess.measure.metrics import Denominator, metric_from_count, metric_from_rate
from assess.measure.narrative import (
    change_method_note,
    describe_change,
    describe_proportion,
    format_count,
    format_rate,
    format_share,
    possessive,
)
from assess.measure.national import Benchmark, comparison_sentence, national_benchmark
from assess.periods import parse_financial_year, period_code, shift_month
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import (
    Proportion,
    Rate,
    change_in_proportions,
    change_in_rates,
    proportion,
    rate_per,
    rate_per_1000,
)

CHAPTER = "10_drugs_alcohol"
FLAGS = "force_flags"
DEATHS = "drug_deaths"
VIOLENCE = "Violence and sexual offences"
DRUGS = "Drugs"
POOLED_YEARS = 3
DEATHS_PER = 100_000
DEATHS_BENCHMARKS = ("drug_related_deaths_rate", "drug_misuse_deaths", "drug_related_deaths")
DRUG_OFFENCE_BENCHMARKS = ("drug_offences_rate", "drug_offences", "drugs")
#: The metrics the Fingertips indicators of this chapter feed (sources.yaml).
DRUG_DEATHS_METRIC = "drug_misuse_deaths_rate"
ALCOHOL_ADMISSIONS_METRIC = "alcohol_admissions_rate"

#: Why the pooled death rates are tested on two totals.
DEATHS_NO_SERIES = "deaths are registered by calendar year and pooled over three years: there is no monthly series"


#: Force flags of this chapter: metric id, label, what the share is of ("crime" or "violence"), and
#: how a sentence says a crime was flagged.
FLAG_MEASURES: dict[str, tuple[str, str, str, str]] = {
    "alcohol_affected": ("alcohol_affected_crime", "Alcohol-affected crimes", "crime", "flagged alcohol-affected"),
    "alcohol_related_violence": (
        "alcohol_related_violence", "Alcohol-related violent crimes", "violence", "flagged alcohol-related",
    ),
    "drug_related_violence": (
        "drug_related_violence", "Drug-related violent crimes", "violence", "flagged drug-related",
    ),
}
DENOMINATOR_LABEL = {"crime": "all crime (police.uk, excluding ASB)", "violence": "violence and sexual offences (police.uk)"}
#: The denominator of each share as written in a sentence ("Of 12,345 <whole>, ...").
DENOMINATOR_WHOLE = {
    "crime": "crimes recorded on police.uk (excluding anti-social behaviour)",
    "violence": "violence and sexual offences recorded on police.uk",
}


# -- pure computation ----------------------------------------------------------------------------------
def flag_counts(flags: pd.DataFrame, months: list[str], names: list[str] | None = None) -> pd.Series:
    """Flagged crimes in ``months`` by flag (``int64``, 0 if none; :func:`assess.measure.flags.flag_count`)."""
    names = list(FLAG_MEASURES) if names is None else names
    return pd.Series([flag_count(flags, n, months) for n in names], index=pd.Index(names, name="flag"), dtype="int64")


def street_totals(street: pd.DataFrame, months: list[str]) -> dict[str, int]:
    """police.uk crimes in ``months``: ``crime`` (all, excluding ASB), ``violence`` and ``drugs``."""
    part = street[street["month"].isin(months) & ~street["is_asb"].astype("boolean").fillna(False).astype(bool)]
    return {
        "crime": len(part),
        "violence": int((part["category"] == VIOLENCE).sum()),
        "drugs": int((part["category"] == DRUGS).sum()),
    }


def flag_months(flags: pd.DataFrame, year_months: list[str], street_months: list[str]) -> list[str]:
    """The months of a year present in both the flags file and police.uk (like-with-like shares)."""
    have = set(flags["month"]) & set(street_months)
    return [m for m in year_months if m in have]


def flag_share(flagged: int, total: int) -> Proportion | None:
    """The flagged share of ``total`` (Wilson 95%); None when ``total`` is 0 or below ``flagged``."""
    if total <= 0 or flagged > total:
        return None
    return proportion(flagged, total)


def flag_table(
    current: pd.Series, current_totals: dict[str, int], previous: pd.Series | None, previous_totals: dict[str, int] | None
) -> pd.DataFrame:
    """One row per flag: flagged crimes, denominator, % with 95% interval, last year's and the change.

    Columns: flag, share_of, flagged, denominator, percent, lower_95, upper_95, and with a
    previous year: previous_flagged, previous_percent, change (verdict of the two-proportion test).
    """
    rows = []
    for flag, (_, label, of, _phrase) in FLAG_MEASURES.items():
        flagged, total = int(current.get(flag, 0)), current_totals[of]
        share = flag_share(flagged, total)
        row: dict[str, object] = {
            "flag": label,
            "share_of": DENOMINATOR_LABEL[of],
            "flagged": flagged,
            "denominator": total,
            "percent": None if share is None else 100.0 * share.value,
            "lower_95": None if share is None else 100.0 * share.lower,
            "upper_95": None if share is None else 100.0 * share.upper,
        }
        if previous is not None and previous_totals is not None:
            p_flagged = int(previous.get(flag, 0))
            p_share = flag_share(p_flagged, previous_totals[of])
            row["previous_flagged"] = p_flagged
            row["previous_percent"] = None if p_share is None else 100.0 * p_share.value
            row["change"] = None if share is None or p_share is None else change_in_proportions(p_share, share).verdict
        rows.append(row)
    df = pd.DataFrame(rows)
    for c in ("flagged", "denominator", "previous_flagged"):
        if c in df.columns:
            df[c] = df[c].astype("int64")
    for c in ("percent", "lower_95", "upper_95", "previous_percent"):
        if c in df.columns:
            df[c] = df[c].astype("float64")
    return df


def deaths_window(deaths: pd.DataFrame, end_year: int, years: int = POOLED_YEARS) -> tuple[int, float] | None:
    """Deaths and person-years (population summed) over the ``years`` calendar years ending ``end_year``.

    None unless every one of those years is in the file.
    """
    wanted = list(range(end_year - years + 1, end_year + 1))
    part = deaths[deaths["calendar_year"].isin(wanted)]
    if sorted(part["calendar_year"].astype(int)) != wanted:
        return None
    return int(part["deaths"].sum()), float(part["population"].sum())


def pooled_death_rate(deaths: int, person_years: float) -> Rate:
    """Deaths per 100,000 person-years over a pooled period (exact below 10 deaths, Byar from 10; PHE)."""
    return rate_per(deaths, person_years, DEATHS_PER)


def window_label(end_year: int, years: int = POOLED_YEARS, sep: str = " to ") -> str:
    """``2024`` -> ``"2022 to 2024"`` (``sep="-"`` gives the benchmarks file's ``"2022-2024"``)."""
    return f"{end_year - years + 1}{sep}{end_year}"


def pooled_deaths_table(deaths: pd.DataFrame, last_year: int | None = None) -> pd.DataFrame:
    """Every complete pooled three-year period up to ``last_year``: deaths, person-years, rate, interval.

    Columns: period, end_year, deaths, person_years, rate_per_100000, lower_95, upper_95.
    """
    years = sorted(int(y) for y in deaths["calendar_year"].unique())
    rows = []
    for end in years:
        if last_year is not None and end > last_year:
            continue
        window = deaths_window(deaths, end)
        if window is None:
            continue
        rate = pooled_death_rate(*window)
        rows.append(
            {
                "period": window_label(end),
                "end_year": end,
                "deaths": window[0],
                "person_years": int(round(window[1])),
                "rate_per_100000": rate.value,
                "lower_95": rate.lower,
                "upper_95": rate.upper,
            }
        )
    cols = ["period", "end_year", "deaths", "person_years", "rate_per_100000", "lower_95", "upper_95"]
    return pd.DataFrame(rows, columns=cols).astype({"end_year": "int64", "deaths": "int64", "person_years": "int64"})


def latest_death_year(financial_year: str) -> int:
    """The last calendar year that ends within or before ``financial_year`` (2024/25 -> 2024)."""
    return parse_financial_year(financial_year)


# -- helpers -------------------------------------------------------------------------------------------
def _flags_source(ctx: AssessmentContext) -> str:
    return f"{ctx.cfg.police_force.name} Police crime flags (partner data); police.uk street-level crime for the denominators"


def _deaths_source(ctx: AssessmentContext) -> str:
    return f"ONS deaths related to drug misuse by year of registration, {ctx.cfg.name} (partner data)"


def _flag_periods(ctx: AssessmentContext, flags: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Months of this year in both sources, and the same months a year earlier."""
    street_months = sorted(set(ctx.street_all["month"].dropna().drop_duplicates()))
    current = flag_months(flags, ctx.months, street_months)
    previous = [shift_month(m, -12) for m in current]
    have_prev = set(flags["month"]) & set(street_months)
    previous = previous if previous and all(m in have_prev for m in previous) else []
    return current, previous


# -- sections ------------------------------------------------------------------------------------------
def alcohol_and_drug_related_crime(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Alcohol-affected crime, alcohol-related and drug-related violence: counts, shares, change."""
    flags = common.partner_data(ctx, out, FLAGS, "alcohol- and drug-related crime (force crime flags)")
    if flags is None:
        return
    months, prev_months = _flag_periods(ctx, flags)
    if not months:
        out.say(f"*The force flags file holds no months of {ctx.year} that police.uk also covers.*")
        return
    street = ctx.street_all
    current, totals = flag_counts(flags, months), street_totals(street, months)
    previous = flag_counts(flags, prev_months) if prev_months else None
    prev_totals = street_totals(street, prev_months) if prev_months else None
    period_note = "" if len(months) == 12 else f" ({months[0]} to {months[-1]}, {len(months)} months)"
    table = flag_table(current, totals, previous, prev_totals)
    out.table(
        "alcohol_drug_related_crime",
        table,
        caption=f"Crimes flagged alcohol-affected, alcohol-related violence and drug-related violence, {ctx.cfg.name}, "
        f"{ctx.year}{period_note}: number, and percent of all crime / of violence with Wilson 95% interval "
        f"(source: {_flags_source(ctx)})",
        count_columns=[c for c in ("flagged", "denominator", "previous_flagged") if c in table.columns],
        decimals=1,
    )
    # a rate per 1,000 residents is an annual rate: given only for a complete year
    population = common.residents(ctx) if len(months) == 12 else None
    findings = []
    for flag, (metric_id, label, of, phrase) in FLAG_MEASURES.items():
        flagged, total = int(current[flag]), totals[of]
        share = flag_share(flagged, total)
        of_text = "of all crime" if of == "crime" else "of violence and sexual offences"
        sentences = []
        if share is not None:
            sentences.append(describe_proportion(f"were {phrase}", DENOMINATOR_WHOLE[of], share))
        else:
            sentences.append(f"{format_count(flagged)} {label.lower()} were flagged.")
        prev_flagged = None if previous is None else int(previous[flag])
        if previous is not None and prev_totals is not None:
            p_share = flag_share(int(previous[flag]), prev_totals[of])
            if share is not None and p_share is not None:
                sentences.append(
                    describe_change(f"The share {of_text} {phrase}", change_in_proportions(p_share, share))
                )
        out.say(" ".join(sentences))
        note = f"Flagged by {ctx.cfg.police_force.name} Police{period_note}."
        if share is not None:
            note += (
                f" {format_share(share.value)} {of_text} (95% interval {format_share(share.lower)} to "
                f"{format_share(share.upper)}), the denominator being police.uk's count."
            )
        out.metric(
            metric_from_count(
                metric_id,
                label,
                CHAPTER,
                flagged,
                prev_flagged,
                period_code(months),
                None if prev_flagged is None else period_code(prev_months),
                population,
                _flags_source(ctx) + (f"; residents: {population.source}" if population else ""),
                unit="crimes",
                note=note,
                disclosure_threshold=ctx.cfg.suppression_threshold,
                monthly=flag_series(flags, flag),
                months=months,
                previous_months=prev_months or None,
            )
        )
        if flag in ("alcohol_affected", "drug_related_violence"):
            findings.append(" ".join(sentences))
    for f in findings[:2]:
        out.finding(f, display=False)
    monthly = flag_monthly(flags, "alcohol_affected")
    monthly = monthly[monthly.index <= months[-1]]
    if len(monthly) >= 12:
        out.figure(
            charts.monthly_series(
                monthly, rolling=12, title="Alcohol-affected crimes a month", ylabel="Crimes", source=_flags_source(ctx)
            ),
            "alcohol_affected_monthly",
            alt=f"Line chart of alcohol-affected crimes a month in {ctx.cfg.name}, {monthly.index[0]} to "
            f"{monthly.index[-1]}, with the 12-month rolling mean.",
            caption="Crimes flagged alcohol-affected by month, with the 12-month rolling mean.",
        )


def drug_offences(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """police.uk drug offences per 1,000 residents, the change on last year and the national rate."""
    current = ctx.street(asb=False)
    count = int((current["category"] == DRUGS).sum())
    population = ctx.population
    if not len(current):
        out.say(f"*There are no police.uk crime records for {ctx.cfg.name} in {ctx.year}.*")
        return
    pc = police_counts.year_to_date(ctx, category=DRUGS)
    text = f"In {pc.label}, police.uk recorded {format_count(count)} drug offences in {ctx.cfg.name}"
    rate = None
    if population:
        rate = rate_per_1000(count, population)
        text += (
            f", {format_rate(rate.value)} per 1,000 residents (95% interval {format_rate(rate.lower)} "
            f"to {format_rate(rate.upper)})."
        )
    else:
        text += "."
    sentences = [text]
    change = period_change(pc, monthly_counts(ctx, category=DRUGS)) if pc.complete else None
    if change is not None:
        sentences.append(describe_change("Drug offences", change))
    estimate = ctx.population_estimate()
    if rate is not None and estimate is not None:
        sentences.append(estimate.citation())
    bench = national_benchmark(ctx, DRUG_OFFENCE_BENCHMARKS, ctx.year)
    if rate is not None and bench is not None and ctx.complete:
        sentences.append(comparison_sentence(ctx.cfg.name, rate, bench, unit="per 1,000 residents"))
    elif bench is None:
        sentences.append("There is no national drug offence rate in the benchmarks file.")
    elif rate is not None:
        sentences.append("The year is incomplete, so its rate is not compared with the national annual rate.")
    out.say(" ".join(sentences))
    if change is not None:
        out.note(change_method_note(change, "Changes in drug offences"))
    out.say(
        "Drug offences are mostly found by police activity (stop and search, warrants), so a change in them "
        "reflects enforcement as much as any change in drug supply or use."
    )


def drug_related_deaths(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Deaths related to drug misuse per 100,000, three calendar years pooled, against England."""
    deaths = common.partner_data(ctx, out, DEATHS, "deaths related to drug misuse")
    if deaths is None:
        return
    end = latest_death_year(ctx.year)
    table = pooled_deaths_table(deaths, end)
    if table.empty or int(table["end_year"].iloc[-1]) != end:
        out.say(
            f"*The drug deaths file does not hold the three calendar years {window_label(end)}, "
            "so the latest pooled rate is not shown.*"
        )
        if table.empty:
            return
    latest = table.iloc[-1]
    end = int(latest["end_year"])
    rate = pooled_death_rate(int(latest["deaths"]), float(latest["person_years"]))
    bench = national_benchmark(ctx, DEATHS_BENCHMARKS, window_label(end, sep="-"), latest_if_missing=False)
    national_col = f"{ctx.cfg.national_name.lower().replace(' ', '_')}_rate"
    table[national_col] = [
        (b.value if (b := national_benchmark(ctx, DEATHS_BENCHMARKS, window_label(e, sep="-"), latest_if_missing=False))
         else None)
        for e in table["end_year"]
    ]
    out.table(
        "drug_related_deaths",
        table,
        caption=f"Deaths related to drug misuse, three calendar years pooled, {ctx.cfg.name}: deaths, person-years, "
        f"crude rate per 100,000 with 95% interval, and {ctx.cfg.national_name}'s rate (source: {_deaths_source(ctx)})",
        count_columns=["deaths"],
        derived={"deaths": ["rate_per_100000", "lower_95", "upper_95"]},
        decimals=1,
    )
    text = (
        f"In {window_label(end)}, {format_count(int(latest['deaths']))} deaths related to drug misuse were registered "
        f"among {ctx.cfg.name}'s residents: {format_rate(rate.value)} per 100,000 a year (95% interval "
        f"{format_rate(rate.lower)} to {format_rate(rate.upper)})."
    )
    text += " " + deaths_comparison_sentence(ctx.cfg.name, rate, bench, ctx.cfg.national_name, window_label(end))
    previous = None
    earlier = table[table["end_year"] == end - POOLED_YEARS]
    if not earlier.empty:
        previous = pooled_death_rate(int(earlier["deaths"].iloc[0]), float(earlier["person_years"].iloc[0]))
        text += " " + describe_change(
            f"Compared with {window_label(end - POOLED_YEARS)}, the rate", change_in_rates(previous, rate),
            unit="per 100,000",
        )
    out.say(text)
    out.say(
        "Rates pool three years because deaths are few in any one year. They are crude rates (deaths over "
        "person-years); ONS and OHID publish age-standardised rates, which differ where the local age "
        "structure differs from England's, so a crude rate is judged only against a crude national figure."
    )
    if len(table) >= 2:
        rows = [{"period": p, "area": ctx.cfg.name, "rate": r} for p, r in zip(table["period"], table["rate_per_100000"])]
        rows += [{"period": p, "area": ctx.cfg.national_name, "rate": r}
                 for p, r in zip(table["period"], table[national_col]) if r is not None and pd.notna(r)]
        out.figure(
            charts.line_trend(
                pd.DataFrame(rows), "period", "rate", hue="area", highlight=ctx.cfg.name,
                title="Deaths related to drug misuse (three years pooled)", ylabel="Per 100,000 a year",
                source=_deaths_source(ctx),
            ),
            "drug_deaths_trend",
            alt=f"Line chart of deaths related to drug misuse per 100,000 a year in {ctx.cfg.name}, for the pooled "
            f"three-year periods ending {table['end_year'].iloc[0]} to {table['end_year'].iloc[-1]}, with "
            f"{ctx.cfg.national_name} where available.",
            caption="Deaths related to drug misuse per 100,000 a year, rolling three-year pooled periods.",
        )
    out.metric(
        metric_from_rate(
            "drug_related_deaths_rate",
            "Deaths related to drug misuse per 100,000 (three years pooled)",
            CHAPTER,
            rate,
            window_label(end),
            _deaths_source(ctx),
            previous=previous,
            previous_period=window_label(end - POOLED_YEARS),
            comparators={ctx.cfg.national_name: bench.value} if bench is not None else None,
            comparison_verdicts=None if like_for_like_rate(bench) else {},
            unit="per 100,000 population a year",
            no_series=DEATHS_NO_SERIES,
            note="Crude rate: deaths summed over three calendar years / population summed over the three years x 100,000."
            + (f" National figure: {bench.source}." if bench is not None else "")
            + ("" if bench is None or like_for_like_rate(bench) else f" No comparison verdict: {unlike_reason(bench)}."),
            denominator=Denominator(value=rate.denominator, unit="person-years (residents summed over the three years)",
                                    source=f"{_deaths_source(ctx)}, its population column", period=window_label(end)),
            previous_denominator=None if previous is None else Denominator(
                value=previous.denominator, unit="person-years (residents summed over the three years)",
                source=f"{_deaths_source(ctx)}, its population column", period=window_label(end - POOLED_YEARS)),
        )
    )
    out.finding(text, display=False)



def like_for_like_rate(bench: Benchmark | None) -> bool:
    """True when a national death rate can be set against this chapter's crude rate: the benchmarks
    file says it is crude. An age-standardised figure, or one whose kind is not stated, cannot."""
    return bench is not None and bench.standardisation == "crude"


def unlike_reason(bench: Benchmark) -> str:
    """Why a national death rate gets no verdict against the local crude rate."""
    if bench.standardisation == "age-standardised":
        return f"{possessive(bench.area)} figure is age-standardised and this rate is crude"
    return (f"the benchmarks file does not say whether {possessive(bench.area)} figure is crude or age-standardised "
            "(ONS and OHID publish age-standardised rates), and this rate is crude")


def deaths_comparison_sentence(name: str, rate: Rate, bench: Benchmark | None, national_name: str, period: str) -> str:
    """The local crude death rate against the national figure: with a verdict only like with like
    (both crude, :func:`like_for_like_rate`); otherwise side by side, saying why there is none."""
    if bench is None:
        return f"There is no {national_name} figure for {period} in the benchmarks file."
    if like_for_like_rate(bench):
        return comparison_sentence(name, rate, bench, unit="per 100,000 a year")
    return (f"{possessive(bench.area)} figure for {bench.period} is {format_rate(bench.value)} per 100,000 a year "
            f"(source: {bench.source}). No verdict is given: {unlike_reason(bench)}, so the two are not like with like.")


def published_drug_deaths(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Deaths from drug misuse per 100,000 (directly age-standardised, three years pooled) as OHID's
    Fingertips publishes them, against England and the region; beside the partner figure."""
    def beside(figure: published_indicators.PublishedIndicator) -> str | None:
        if ctx.partner(DEATHS) is None:
            return None
        return ("The pooled rate above, from the partnership's file of deaths related to drug poisoning (partner "
                "data), is a crude rate of a wider definition, so it is shown beside this one, not compared with it.")

    published_indicators.section(ctx, out, DRUG_DEATHS_METRIC, "deaths from drug misuse", CHAPTER,
                                 "Deaths from drug misuse per 100,000 (Fingertips)", "drug_misuse_deaths_published",
                                 beside=beside)


def published_alcohol_admissions(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Admission episodes for alcohol-related conditions (narrow) per 100,000 (directly
    age-standardised) as OHID's Fingertips publishes them, against England and the region."""
    published_indicators.section(
        ctx, out, ALCOHOL_ADMISSIONS_METRIC, "alcohol-related hospital admissions", CHAPTER,
        "Admission episodes for alcohol-related conditions (narrow) per 100,000 (Fingertips)", "alcohol_admissions_published",
    )
