"""Chapter 5, offenders: who the known offenders are, how often they offend and what they need.

Source: the partner file ``offenders`` (``data/raw/README.md``): a pseudonymised extract of the
offenders known to the partnership's Integrated Offender Management (IOM) scheme, the Probation
Service (NPS/CRC) and the Youth Offending Service (YOS), one row per person per financial year,
with the offences attributed to them in that year, whether they reoffended (proven reoffending
within the follow-up period, as the supplier defines it) and the criminogenic needs recorded at
assessment (OASys for adults, AssetPlus for young people; blank = not assessed).

Methods: repeat offending with :func:`assess.stats.repeat_offending` (one offence against two
or more); reoffending and needs as proportions with Wilson 95% intervals; the change in the number
of known offenders with the exact conditional test of two Poisson counts. Tables of people are
disclosure-controlled: counts of 1 to threshold - 1 read ``[c]``, and so do the percentages
computed from them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from assess.chapters import common
from assess.measure.context import AssessmentContext
from assess.measure.metrics import metric_from_count, metric_from_proportion
from assess.measure.narrative import (
    describe_change,
    describe_proportion,
    describe_repeat_offending,
    format_count,
    format_share,
)
from assess.measure.national import comparison_sentence, national_benchmark
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import (
    MARKER,
    Proportion,
    RepeatOffending,
    change_in_counts,
    change_in_proportions,
    proportion,
)
from assess.stats import repeat_offending as summarise_repeat_offending
from assess.vocabulary import OFFENDER_NEEDS, SUPERVISING_SERVICES

CHAPTER = "05_offenders"
PARTNER = "offenders"

#: Criminogenic needs recorded for offenders, with their labels.
NEEDS = OFFENDER_NEEDS

#: Supervising services, in display order, with their names.
SERVICES = SUPERVISING_SERVICES
ALL = "All offenders"

#: Age bands of the offenders file that are adults (18 and over).
ADULT_AGE_BANDS = ("18-24", "25-34", "35-49", "50+")
#: Names the national adult reoffending rate may have in the benchmarks file.
ADULT_REOFFENDING_BENCHMARKS = ("adult_reoffending_rate", "proven_reoffending_rate")


# -- pure computation ----------------------------------------------------------------------------------
def offenders_in_year(offenders: pd.DataFrame, year: str) -> pd.DataFrame:
    """The rows (one per offender) of financial year ``year``."""
    return offenders[offenders["financial_year"] == year].reset_index(drop=True)


def repeat_summary(cohort: pd.DataFrame) -> RepeatOffending | None:
    """Repeat offending in a cohort (None when it is empty): one offence against two or more."""
    if cohort.empty:
        return None
    return summarise_repeat_offending(cohort["offences"].astype("int64").tolist())


def repeat_table(summary: RepeatOffending) -> pd.DataFrame:
    """Offenders and their offences by group (one offence; two or more), with percentages of each.

    Columns: group, offenders, percent_of_offenders, offences, percent_of_offences (0-100).
    """
    one_offences = summary.crimes - int(round(summary.share_crimes_by_repeat * summary.crimes))
    rows = [
        ("One offence", summary.one_offence, one_offences),
        ("Two or more offences", summary.repeat, summary.crimes - one_offences),
        (ALL, summary.offenders, summary.crimes),
    ]
    df = pd.DataFrame(rows, columns=["group", "offenders", "offences"])
    df["offenders"] = df["offenders"].astype("int64")
    df["offences"] = df["offences"].astype("int64")
    df["percent_of_offenders"] = 100.0 * df["offenders"] / summary.offenders
    df["percent_of_offences"] = 100.0 * df["offences"] / summary.crimes
    return df[["group", "offenders", "percent_of_offenders", "offences", "percent_of_offences"]]


def adults(cohort: pd.DataFrame) -> pd.DataFrame:
    """Offenders aged 18 or over (known adult age band)."""
    return cohort[cohort["age_band"].isin(ADULT_AGE_BANDS)]


def reoffending_rate(cohort: pd.DataFrame) -> Proportion | None:
    """Share of the cohort who reoffended (fraction, Wilson 95%); None for an empty cohort."""
    known = cohort["reoffended"].dropna().astype(bool)
    if known.empty:
        return None
    return proportion(int(known.sum()), len(known))


def _service_groups(cohort: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    groups = [(s, cohort[cohort["supervising_service"] == s]) for s in SERVICES]
    return [(s, g) for s, g in groups if not g.empty] + [(ALL, cohort)]


def reoffending_by_service(cohort: pd.DataFrame) -> pd.DataFrame:
    """Reoffending by supervising service and for all: offenders, reoffended, percent and 95% interval."""
    rows = []
    for service, group in _service_groups(cohort):
        p = reoffending_rate(group)
        if p is None:
            continue
        rows.append(
            {
                "supervising_service": service,
                "offenders": int(p.n),
                "reoffended": int(p.successes),
                "percent": 100.0 * p.value,
                "lower_95": 100.0 * p.lower,
                "upper_95": 100.0 * p.upper,
            }
        )
    df = pd.DataFrame(rows, columns=["supervising_service", "offenders", "reoffended", "percent", "lower_95", "upper_95"])
    return df.astype({"offenders": "int64", "reoffended": "int64"})


def needs_by_service(cohort: pd.DataFrame) -> pd.DataFrame:
    """Criminogenic needs by supervising service (long): the share of those assessed with each need.

    Columns: supervising_service, need (label), assessed (offenders with the need recorded, yes
    or no), with_need, percent, lower_95, upper_95 (0-100, Wilson). Services with nobody assessed
    for a need have no row for it. The last rows are for all offenders.
    """
    rows = []
    for service, group in _service_groups(cohort):
        for column, label in NEEDS.items():
            if column not in group.columns:
                continue
            known = group[column].dropna().astype(bool)
            if known.empty:
                continue
            p = proportion(int(known.sum()), len(known))
            rows.append(
                {
                    "supervising_service": service,
                    "need": label,
                    "assessed": len(known),
                    "with_need": int(known.sum()),
                    "percent": 100.0 * p.value,
                    "lower_95": 100.0 * p.lower,
                    "upper_95": 100.0 * p.upper,
                }
            )
    cols = ["supervising_service", "need", "assessed", "with_need", "percent", "lower_95", "upper_95"]
    return pd.DataFrame(rows, columns=cols).astype({"assessed": "int64", "with_need": "int64"})


def needs_matrix(long: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The needs table as services x needs of percentages (one decimal place), with ``offenders_assessed`` (n).

    ``offenders_assessed`` is the largest number assessed for any need in the service. A
    percentage computed from 1 to ``threshold - 1`` offenders with (or without) the need reads
    ``[c]``, since it would reveal a small number of people.
    """
    if long.empty:
        return pd.DataFrame(columns=["supervising_service", "offenders_assessed"])
    data = long.copy()
    without = data["assessed"] - data["with_need"]
    small = ((data["with_need"] >= 1) & (data["with_need"] < threshold)) | ((without >= 1) & (without < threshold))
    data["cell"] = data["percent"].round(1).astype(object).where(~small, MARKER)
    order = [s for s in [*SERVICES, ALL] if s in set(data["supervising_service"])]
    wide = data.pivot(index="supervising_service", columns="need", values="cell").reindex(order)
    wide = wide[[label for label in NEEDS.values() if label in wide.columns]]
    n = data.groupby("supervising_service")["assessed"].max().reindex(order).astype("int64")
    wide.insert(0, "offenders_assessed", n)
    wide.columns.name = None
    return wide.reset_index()


def needs_chart(long: pd.DataFrame, threshold: int, source: str) -> Figure:
    """Grouped horizontal bars: the percentage with each need, one bar per supervising service.

    Shares computed from 1 to ``threshold - 1`` people (with or without the need) are left out.
    """
    data = long[long["supervising_service"] != ALL].copy()
    without = data["assessed"] - data["with_need"]
    small = ((data["with_need"] >= 1) & (data["with_need"] < threshold)) | ((without >= 1) & (without < threshold))
    data.loc[small, "percent"] = np.nan
    needs = [label for label in NEEDS.values() if label in set(data["need"])]
    services = [s for s in SERVICES if s in set(data["supervising_service"])]
    with charts.house_style():
        fig, ax = charts.new_figure((charts.FIGSIZE[0], max(3.5, 0.2 * len(needs) * max(1, len(services)) + 1.5)))
        height = 0.8 / max(1, len(services))
        y = np.arange(len(needs), dtype="float64")
        for i, service in enumerate(services):
            part = data[data["supervising_service"] == service].set_index("need")["percent"].reindex(needs)
            ax.barh(y + i * height, part.to_numpy(dtype="float64"), height, label=service,
                    color=charts.PALETTE[i % len(charts.PALETTE)], edgecolor="none")
        ax.set_yticks(y + height * (len(services) - 1) / 2, labels=needs)
        ax.invert_yaxis()
        ax.set_xlabel("Percent of offenders assessed who have the need")
        ax.set_xlim(0, 100)
        ax.grid(axis="y", visible=False)
        ax.legend(title="Supervising service", loc="lower right", fontsize=8)
        ax.set_title("Criminogenic needs of known offenders")
        fig.supxlabel(f"Source: {source}", x=0.01, ha="left", fontsize=8, color="#555555")
    return fig


# -- helpers of the sections ---------------------------------------------------------------------------
def _source(ctx: AssessmentContext) -> str:
    return f"{ctx.cfg.display_name} known offenders extract (IOM, Probation, YOS; partner data)"


def _cohorts(ctx: AssessmentContext, out: ChapterOutputs, what: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    offenders = common.partner_data(ctx, out, PARTNER, what)
    if offenders is None:
        return None
    current = offenders_in_year(offenders, ctx.year)
    if current.empty:
        years = ", ".join(sorted(offenders["financial_year"].unique()))
        out.say(f"*The offenders file holds no offenders for {ctx.year} (it covers {years}), so {what} is not shown.*")
        return None
    return current, offenders_in_year(offenders, ctx.previous_year)


# -- sections ------------------------------------------------------------------------------------------
def known_offenders(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """How many offenders are known to the partnership, by service, and the offences attributed to them."""
    cohorts = _cohorts(ctx, out, "known offenders")
    if cohorts is None:
        return
    current, previous = cohorts
    n, crimes = len(current), int(current["offences"].sum())
    text = (
        f"In {ctx.year}, {format_count(n)} offenders were known to the partnership's offender services in "
        f"{ctx.cfg.name}, and {format_count(crimes)} offences were attributed to them."
    )
    if not previous.empty:
        change = change_in_counts(len(previous), n)
        text += " " + describe_change("The number of known offenders", change)
    out.say(text)
    by_service = (
        current.groupby("supervising_service")
        .agg(offenders=("offender_id", "size"), offences=("offences", "sum"))
        .reindex([s for s in SERVICES if s in set(current["supervising_service"])])
    )
    by_service.loc[ALL] = [n, crimes]
    by_service = by_service.astype("int64").reset_index()
    by_service.insert(1, "service", by_service["supervising_service"].map(SERVICES).fillna(""))
    by_service["offences_per_offender"] = by_service["offences"] / by_service["offenders"]
    out.table(
        "known_offenders",
        by_service,
        caption=f"Known offenders and offences attributed to them by supervising service, {ctx.cfg.name}, {ctx.year} "
        "(source: partnership offenders extract)",
        count_columns=["offenders", "offences"],
        derived={"offenders": ["offences_per_offender"]},
        decimals=2,
    )
    out.metric(
        metric_from_count(
            "known_offenders",
            "Offenders known to the partnership's offender services",
            CHAPTER,
            n,
            None if previous.empty else len(previous),
            ctx.year,
            None if previous.empty else ctx.previous_year,
            None,
            _source(ctx),
            unit="offenders",
            note=f"{format_count(crimes)} offences were attributed to them in {ctx.year}.",
            disclosure_threshold=ctx.cfg.suppression_threshold,
        )
    )


def repeat_offending(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """How many offenders committed two or more offences, and the share of offences they account for."""
    cohorts = _cohorts(ctx, out, "repeat offending")
    if cohorts is None:
        return
    current, previous = cohorts
    summary = repeat_summary(current)
    assert summary is not None
    out.table(
        "repeat_offending",
        repeat_table(summary),
        caption=f"Known offenders with one offence and with two or more, and the offences of each group, "
        f"{ctx.cfg.name}, {ctx.year} (source: partnership offenders extract)",
        count_columns=["offenders", "offences"],
        derived={"offenders": ["percent_of_offenders"], "offences": ["percent_of_offences"]},
        decimals=1,
    )
    sentence = describe_repeat_offending(summary, who="known offenders", what="offences attributed to them")
    out.say(sentence)
    share = proportion(summary.repeat, summary.offenders)
    prev_summary = repeat_summary(previous)
    prev_share = None if prev_summary is None else proportion(prev_summary.repeat, prev_summary.offenders)
    if prev_share is not None:
        out.say(describe_change(f"Compared with {ctx.previous_year}, the share with two or more offences",
                                change_in_proportions(prev_share, share)))
    out.metric(
        metric_from_proportion(
            "repeat_offender_share",
            "Known offenders with two or more offences",
            CHAPTER,
            share,
            ctx.year,
            _source(ctx),
            previous=prev_share,
            previous_period=ctx.previous_year,
            note=f"They accounted for {format_share(summary.share_crimes_by_repeat)} of the "
            f"{format_count(summary.crimes)} offences attributed to known offenders.",
        )
    )
    out.finding(sentence, display=False)


def reoffending(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The share of known offenders who reoffended: adults, and by supervising service."""
    cohorts = _cohorts(ctx, out, "reoffending")
    if cohorts is None:
        return
    current, previous = cohorts
    table = reoffending_by_service(current)
    table.insert(1, "service", table["supervising_service"].map(SERVICES).fillna(""))
    out.table(
        "reoffending_by_service",
        table,
        caption=f"Known offenders who reoffended by supervising service, {ctx.cfg.name}, {ctx.year} "
        "(percent with Wilson 95% interval; source: partnership offenders extract)",
        count_columns=["offenders", "reoffended"],
        derived={c: ["percent", "lower_95", "upper_95"] for c in ("reoffended", "offenders")},
        decimals=1,
    )
    rate = reoffending_rate(adults(current))
    if rate is None:
        out.say(f"*No adult offenders (18 and over) are recorded for {ctx.year}.*")
        return
    previous_rate = None if previous.empty else reoffending_rate(adults(previous))
    sentence = describe_proportion("reoffended", "adult known offenders (aged 18 and over)", rate)
    out.say(sentence)
    bench = national_benchmark(ctx, ADULT_REOFFENDING_BENCHMARKS, ctx.year)
    if bench is not None:
        out.say(
            comparison_sentence(ctx.cfg.name, rate, bench)
            + " The national figure is the Ministry of Justice proven reoffending rate, whose cohort and follow-up "
            "differ from a local offender caseload, so the comparison is indicative only."
        )
    change_text = ""
    if previous_rate is not None:
        change_text = describe_change("The adult reoffending rate", change_in_proportions(previous_rate, rate))
        out.say(change_text)
    out.metric(
        metric_from_proportion(
            "adult_reoffending_rate",
            "Adult known offenders who reoffended",
            CHAPTER,
            rate,
            ctx.year,
            _source(ctx),
            previous=previous_rate,
            previous_period=ctx.previous_year,
            comparators={ctx.cfg.national_name: bench.as_percent()} if bench is not None else None,
            note="Adults: offenders in age bands 18 and over. Reoffending as recorded by the supplying services."
            + (f" National figure for {bench.period} (indicative only): {bench.source}." if bench is not None else ""),
        )
    )
    out.finding(f"{sentence} {change_text}".strip(), display=False)


def criminogenic_needs(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The share of assessed offenders with each criminogenic need, by supervising service."""
    cohorts = _cohorts(ctx, out, "criminogenic needs")
    if cohorts is None:
        return
    current, _ = cohorts
    long = needs_by_service(current)
    if long.empty:
        out.say(f"*No criminogenic needs are recorded for the offenders of {ctx.year}.*")
        return
    threshold = ctx.cfg.suppression_threshold
    out.table(
        "criminogenic_needs",
        needs_matrix(long, threshold),
        caption=f"Known offenders with each criminogenic need by supervising service, {ctx.cfg.name}, {ctx.year}: "
        "percent of those assessed for the need, and the number assessed (source: partnership offenders extract)",
        count_columns=["offenders_assessed"],
    )
    out.table(
        "criminogenic_needs_detail",
        long,
        caption=f"Criminogenic needs by supervising service with counts and Wilson 95% intervals, {ctx.cfg.name}, "
        f"{ctx.year} (source: partnership offenders extract)",
        count_columns=["assessed", "with_need"],
        derived={c: ["percent", "lower_95", "upper_95"] for c in ("with_need", "assessed")},
        decimals=1,
        display=False,
    )
    out.say("The counts behind each percentage, with their 95% confidence intervals, are in the workbook "
            f"(tables.xlsx) and in tables/{out.table_path('criminogenic_needs_detail').name}.")
    out.figure(
        needs_chart(long, threshold, _source(ctx)),
        "criminogenic_needs",
        alt="Grouped horizontal bars of the percentage of assessed offenders with each criminogenic need "
        "(relationships, emotional wellbeing, alcohol, drugs, accommodation, education and employment), "
        "one bar per supervising service.",
        caption=f"Criminogenic needs of known offenders by supervising service, {ctx.year}.",
    )
    overall = long[long["supervising_service"] == ALL].sort_values("percent", ascending=False)
    if not overall.empty:
        top = overall.iloc[0]
        text = (
            f"The most common criminogenic need among assessed offenders was {str(top['need']).lower()}: "
            f"{format_share(top['percent'] / 100)} of the {format_count(top['assessed'])} assessed "
            f"(95% interval {format_share(top['lower_95'] / 100)} to {format_share(top['upper_95'] / 100)})."
        )
        out.say(text)
        out.finding(text, display=False)
