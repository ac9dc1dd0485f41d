"""Chapter 1, recorded crime: how much crime, how it changed, and how the CSP compares.

Sources: data.police.uk street-level crime (police recorded crime by month, excluding
anti-social behaviour) for the CSP's own counts, trend and monthly series; Home Office police
recorded crime open data tables at CSP level for the comparison with England and the
most-similar group (:mod:`assess.measure.comparators`); ONS population estimates for rates per 1,000
residents (each rate names the mid-year estimate it uses); the partner file ``calls_for_service``
(999/101/online calls) where supplied. When the Home Office tables supplied are at police force area
level only (no CSP rows), the force's and England's rates per 1,000 from them
(:mod:`assess.measure.force_area`) are shown beside the CSP's police.uk rate, each labelled for what
it counts, and the force is compared with England allowing for the variation between forces
(:func:`force_area_comparison`).

Verdicts allow for counts that vary more than chance: every change of a police.uk count (this
year, the rolling 12 months) and of calls for service is the quasi-Poisson test of the monthly
series behind it (:func:`assess.measure.metrics.count_change`), the yearly trend the
quasi-Poisson trend with the dispersion of those months; the national change, whose Home Office
figures come without a monthly series, is the exact test of two totals, and says so. Comparisons
with England, the most similar group and the funnel of every CSP allow for the variation between
areas beyond chance (Spiegelhalter 2005, additive random effects: :func:`national_funnel`).

Pure functions (testable without a notebook) compute; the section functions
(:func:`headline`, :func:`comparison`, :func:`trend`, :func:`monthly`, :func:`calls_for_service`)
publish through :class:`~assess.report.outputs.ChapterOutputs`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from assess import periods
from assess.chapters import common
from assess.errors import StatisticsError
from assess.measure import comparators, counts, force_area, narrative
from assess.measure.comparators import CSPRates
from assess.measure.context import AssessmentContext
from assess.measure.counts import PeriodCounts
from assess.measure.force_area import ForceAreaRates, PopulationUsed
from assess.measure.metrics import Denominator, Metric, count_change, metric_from_count
from assess.periods import LikeForLike, months_of_financial_year
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import (
    Comparison,
    CountChange,
    DispersedComparison,
    DispersedTrend,
    FunnelAssessment,
    GroupComparison,
    Rate,
    change_in_totals,
    compare_with_benchmark_overdispersed,
    compare_with_group,
    estimate_overdispersion,
    funnel_assessment,
    monthly_dispersion,
    rate_per,
    trend_in_counts,
)

POLICE_UK_SOURCE = "data.police.uk street-level crime (Open Government Licence v3.0)"
POPULATION_SOURCE = "ONS population estimates"
CALLS_SOURCE = "Police calls for service (partner file calls_for_service)"

#: Why the national change is tested on two totals: the Home Office gives no monthly series.
NATIONAL_NO_SERIES = "the Home Office tables give quarterly and yearly totals, not the monthly series this test needs"

#: Why the Home Office and police.uk count crime differently, and which figure is used where.
HOME_OFFICE_AND_POLICE_UK = (
    "the comparisons with other partnerships use the Home Office figures, the official statistics published for "
    "every CSP; the rest of this chapter counts police.uk records, which leave out crimes that cannot be placed "
    "on a map and are revised less often."
)

#: Spiegelhalter's adjustment for variation between areas in every comparison of this chapter.
ADJUSTMENT = "additive"


# --- pure computation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """A count of police.uk records this year (or year to date) against the same months last year.

    ``change`` is the quasi-Poisson test of the monthly series over the two periods
    (:func:`assess.measure.metrics.count_change`: it allows for the season and for month-to-month
    variation beyond chance), None when police.uk published nothing for some month of either
    period (the comparison would not be like for like); ``rate`` is per 1,000 residents with 95%
    limits (None without a population), over the months of ``counts`` (a part-year rate when the
    year is incomplete: :attr:`part_year`).
    """

    counts: PeriodCounts
    change: CountChange | None
    rate: Rate | None
    previous_rate: Rate | None
    population: float | None
    #: The residents of ``rate`` with the estimate they come from (:func:`assess.chapters.common.residents`).
    residents: Denominator | None = None
    #: The residents of ``previous_rate``: last year's estimate (the nearest earlier where it is absent).
    previous_residents: Denominator | None = None

    @property
    def part_year(self) -> bool:
        """True when the period is shorter than a year (its rate is a part-year rate, not annualised)."""
        return len(self.counts.months) < 12


def monthly_counts(ctx: AssessmentContext, *, asb: bool | None = False, category: str | None = None) -> pd.Series:
    """Records per month up to the last month of this year (index ``YYYY-MM``, float64; NaN for a
    month police.uk did not publish): the series behind every count of this chapter and its tests."""
    covered = [m for m in ctx.street_all["month"].dropna().unique() if m <= ctx.months[-1]]
    street = ctx.street_all[ctx.street_all["month"] <= ctx.months[-1]]
    return counts.monthly_series(street, asb=asb, category=category, covered_months=covered)


def period_change(pc: PeriodCounts, monthly: pd.Series) -> CountChange:
    """The change between the two like-for-like periods of ``pc``, tested on the monthly series."""
    return count_change(pc.previous, pc.current, monthly=monthly, months=pc.months, previous_months=pc.previous_months)


def headline_figures(ctx: AssessmentContext, *, asb: bool | None = False, category: str | None = None) -> Headline:
    """Records (crime by default; ``asb=True`` for ASB; or one ``category``) this year against last.

    Source: police.uk street records placed in the CSP. Both periods hold the same months
    (:func:`assess.measure.counts.year_to_date`); the change is tested on the monthly series
    (:func:`period_change`); each year's rate uses the population estimate of its own year
    (:func:`assess.chapters.common.residents`: financial year YYYY/YY the mid-YYYY estimate, else
    the nearest earlier one).
    """
    pc = counts.year_to_date(ctx, asb=asb, category=category)
    change = period_change(pc, monthly_counts(ctx, asb=asb, category=category)) if pc.complete else None
    pop = ctx.population
    rate = rate_per(pc.current, pop, 1000) if pop else None
    before = common.residents(ctx, ctx.previous_year) if pop and pc.complete else None
    prev = rate_per(pc.previous, before.value, 1000) if before is not None and before.value else None
    return Headline(pc, change, rate, prev, pop, common.residents(ctx) if pop else None, before if prev else None)


@dataclass(frozen=True)
class NationalComparators:
    """The Home Office comparison of this year and last, and the national change between them.

    ``funnel`` places every CSP of the national comparator around the national rate, allowing for
    the variation between areas (:func:`national_funnel`); ``focus_comparison`` is the CSP against
    the national rate with that allowance, and ``group`` its place in its most similar group, its
    verdict made with the allowance for the variation between the group's members
    (:func:`group_comparison`). ``national_change`` is the exact test of the two national totals
    (no monthly series; its ``fallback_reason`` says so).
    """

    current: CSPRates
    previous: CSPRates
    national_change: CountChange | None
    focus_comparison: DispersedComparison | None
    group: GroupComparison | None
    funnel: FunnelAssessment | None = None


def national_funnel(rates: CSPRates) -> FunnelAssessment | None:
    """Every CSP of the national comparator (and the focus) in the funnel around the national rate.

    Spiegelhalter (2005): the overdispersion of the CSPs' rates is estimated from their
    winsorised z-scores and, where found, the limits are widened by the additive random effect
    (:data:`ADJUSTMENT`), so that a CSP lies outside them only when it is unusual among CSPs.
    None without a national rate.
    """
    if not rates.available or rates.national is None:
        return None
    prefixes = ("E22", "W22") if "wales" in rates.national_name.lower() else ("E22",)
    t = rates.table[rates.table["csp_code"].str.startswith(prefixes) | rates.table["is_focus"]]
    names = t["csp_name"].astype(str).tolist()
    return funnel_assessment(
        dict(zip(names, t["offences"].astype(int), strict=True)),
        dict(zip(names, t["population"].astype(float), strict=True)),
        rates.national.value, per=1000, adjustment=ADJUSTMENT,
    )


def group_comparison(rates: CSPRates) -> GroupComparison | None:
    """Where the CSP ranks in its most-similar group (None without at least one other member).

    The rank and the group rate are those of :func:`assess.stats.compare_with_group`; the verdict
    against the group rate allows for the variation between the group's members beyond chance
    (Spiegelhalter 2005, :data:`ADJUSTMENT` random effect estimated over the group; the exact
    comparison when the group is too small, fewer than three areas, to estimate it).
    """
    if not rates.available or rates.group_table.empty or not rates.group_members:
        return None
    focus = rates.group_table.loc[rates.group_table["is_focus"], "csp_name"]
    if focus.empty:
        return None
    group = compare_with_group(rates.counts(), rates.denominators(), str(focus.iloc[0]), per=1000)
    try:
        od = estimate_overdispersion(group.table["count"].to_numpy(), group.table["denominator"].to_numpy(),
                                     group.group_rate, per=1000)
    except StatisticsError:
        return group
    comparison = compare_with_benchmark_overdispersed(group.rate.count, group.rate.denominator, group.group_rate, od,
                                                      per=1000, adjustment=ADJUSTMENT)
    return dataclasses.replace(group, verdict=comparison.verdict, comparison=comparison)


def focus_comparison(rates: CSPRates, funnel: FunnelAssessment | None) -> DispersedComparison | None:
    """The CSP's rate against the national rate, allowing for the variation between CSPs (``funnel``)."""
    focus = rates.focus if rates.available else None
    if focus is None or rates.national is None or funnel is None:
        return None
    return compare_with_benchmark_overdispersed(focus.count, focus.denominator, rates.national.value,
                                                funnel.overdispersion, per=1000, adjustment=ADJUSTMENT)


def national_comparators(ctx: AssessmentContext, offence_group: str | None = None) -> NationalComparators:
    """Home Office rates for this year and last, the national change and the CSP's comparisons."""
    current = comparators.csp_rates(ctx, ctx.year, offence_group=offence_group)
    previous = comparators.csp_rates(ctx, ctx.previous_year, offence_group=offence_group)
    nat = comparators.national_offences(current, previous)
    national_change = change_in_totals(nat.previous, nat.current, reason=NATIONAL_NO_SERIES) if nat else None
    funnel = national_funnel(current)
    return NationalComparators(current, previous, national_change, focus_comparison(current, funnel),
                               group_comparison(current), funnel)


def comparison_fields(comparisons: Mapping[str, Comparison | None]) -> dict[str, dict]:
    """A metric's comparison verdicts (by comparator key) with the method and between-area dispersion
    of each: the overdispersed funnel's where it was used, PHE's otherwise (the metric's default)."""
    verdicts: dict[str, str] = {}
    methods: dict[str, str] = {}
    dispersion: dict[str, float] = {}
    for key, comparison in comparisons.items():
        if comparison is None:
            continue
        verdicts[key] = comparison.verdict
        if isinstance(comparison, DispersedComparison):
            methods[key] = comparison.method_id
            dispersion[key] = comparison.phi
    return {"comparison_verdicts": verdicts, "comparison_methods": methods, "comparison_dispersion": dispersion}


def all_crime_metric(ctx: AssessmentContext, chapter: str, head: Headline, nat: NationalComparators) -> Metric:
    """The ``all_crime`` metric: police.uk crimes (excluding ASB), their rate per 1,000 and change.

    Comparators ``england`` (the national rate) and ``msg_average`` (the most-similar group as a
    whole) come from the Home Office CSP tables; their verdicts compare the CSP's own Home Office
    rate with them, so that each comparison is like with like.
    """
    pc = head.counts
    comp: dict[str, float | None] = {}
    fields: dict[str, dict] = {}
    note_parts = []
    rates = nat.current
    if rates.available and rates.national is not None and head.population:
        comp["england"] = rates.national.value
        if nat.group is not None:
            comp["msg_average"] = nat.group.group_rate
        fields = comparison_fields({"england": nat.focus_comparison,
                                    "msg_average": None if nat.group is None else nat.group.comparison})
        focus = rates.focus
        note_parts.append(
            f"Comparators are Home Office recorded crime rates per 1,000 residents for {rates.year} "
            f"({rates.national_name}; most-similar group as a whole); their verdicts compare "
            f"{ctx.cfg.name}'s own Home Office rate ({narrative.format_rate(focus.value)} per 1,000) with them, "
            "allowing for the variation between areas beyond chance (Spiegelhalter's method, "
            "additive random effects: see funnel plot in the glossary)."
        )
    else:
        note_parts.append(rates.missing_sentence() or "No Home Office comparators.")
    if head.part_year and head.rate is not None:
        note_parts.append(f"The rate is a part-year rate over the {len(pc.months)} months of {pc.label}, not annualised.")
    if not pc.complete:
        note_parts.append(f"Months without published data: {', '.join(pc.missing_months)}.")
    m = metric_from_count(
        "all_crime",
        "All recorded crime (police.uk, excluding anti-social behaviour)",
        chapter,
        pc.current,
        pc.previous if head.change is not None else None,
        pc.period,
        pc.previous_period if head.change is not None else None,
        head.residents,
        f"{POLICE_UK_SOURCE}; {head.residents.source if head.residents else POPULATION_SOURCE}"
        + (f"; comparators: {comparators.SOURCE}" if comp else ""),
        unit="crimes",
        comparators=comp or None,
        previous_population=head.previous_residents if head.change is not None else None,
        note=" ".join(note_parts),
        change=head.change,
        **fields,
    )
    return m


def funnel_data(rates: CSPRates, funnel: FunnelAssessment | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points (every CSP of the national comparator) and 95%/99.8% limits around the national rate.

    Points: area, denominator (residents), rate (per 1,000), count, position ("above 99.8%" ...
    "within" ... "below 99.8%", :func:`assess.stats.funnel_assessment`). Limits: the same
    funnel's (allowing for the variation between CSPs, :func:`national_funnel`) over 200
    populations spanning the CSPs'.
    """
    funnel = funnel or national_funnel(rates)
    if funnel is None:
        raise ValueError("a funnel needs the Home Office CSP tables and a national rate")
    return funnel.plot_data(stretch=1.1)


def funnel_table(points: pd.DataFrame) -> pd.DataFrame:
    """The funnel's areas for publication, those outside the limits first (widest first), then by name.

    Columns: Area, Offences, Residents, Rate per 1,000 (one decimal place), Position.
    """
    order = {"above 99.8%": 0, "below 99.8%": 1, "above 95%": 2, "below 95%": 3, "within": 4}
    t = points.assign(_order=points["position"].map(order).fillna(5)).sort_values(["_order", "area"], kind="stable")
    return pd.DataFrame({
        "Area": t["area"].to_numpy(),
        "Offences": t["count"].to_numpy(dtype="int64"),
        "Residents": t["denominator"].round().astype("int64").to_numpy(),
        "Rate per 1,000": narrative.round_column(t["rate"].astype("float64"), 1).to_numpy(),
        "Position": t["position"].to_numpy(),
    })


def yearly_counts(ctx: AssessmentContext, *, asb: bool | None = False) -> pd.DataFrame:
    """Records per financial year, like for like: each year cut to the months this year holds.

    Columns: financial_year, months (months of the compared span with published data), count,
    comparable (True when the year has all the compared months). Source: police.uk. A year with
    no record at all is absent (never a zero); a year without all the compared months is marked
    not comparable, and is left out of the chart and the trend.
    """
    by_year = counts.counts_by_year_like_for_like(ctx, asb=asb)
    months = counts.year_months_present(ctx)
    wanted = len(ctx.months_present) if not ctx.complete else 12
    df = pd.DataFrame(
        {
            "financial_year": by_year.index.astype(str),
            "months": months.reindex(by_year.index).fillna(0).astype("int64").to_numpy(),
            "count": by_year.to_numpy(dtype="int64"),
        }
    )
    df = df[df["months"] > 0].reset_index(drop=True)
    df["comparable"] = (df["months"] == wanted).astype("bool")
    return df


def yearly_trend(
    yearly: pd.DataFrame, monthly: pd.Series | None = None, lfl: LikeForLike | None = None
) -> DispersedTrend | None:
    """The trend over the comparable consecutive years ending this year (None for fewer than three).

    Quasi-Poisson log-linear trend of the yearly counts (:func:`assess.stats.trend_in_counts`), its
    dispersion that of the monthly series behind them (``monthly`` over the ``lfl`` months of those
    years, :func:`assess.stats.monthly_dispersion`), else that of the yearly points themselves.
    """
    # the run of comparable years that ends with the latest one
    run: list[int] = []
    for i in range(len(yearly) - 1, -1, -1):
        if not bool(yearly["comparable"].iloc[i]):
            break
        run.insert(0, i)
    if len(run) < 3:
        return None
    dispersion = None
    if monthly is not None and lfl is not None:
        months = [m for y in yearly["financial_year"].iloc[run] for m in lfl.months(str(y))]
        try:
            dispersion = monthly_dispersion(monthly.reindex(months))
        except StatisticsError:
            dispersion = None
    return trend_in_counts(yearly["count"].iloc[run].astype(int).tolist(), dispersion=dispersion)


def monthly_table(ctx: AssessmentContext, *, asb: bool | None = False, category: str | None = None) -> pd.DataFrame:
    """Records per month up to the last month of this year, with the rolling 12-month total.

    Columns: month, count (float; NaN for a month police.uk did not publish), rolling_12_month.
    """
    series = monthly_counts(ctx, asb=asb, category=category)
    rolling = counts.rolling_12_month_totals(series)
    return pd.DataFrame({"month": series.index.astype(str), "count": series.to_numpy(), "rolling_12_month": rolling.to_numpy()})


def latest_rolling_comparison(ctx: AssessmentContext, *, asb: bool | None = False) -> PeriodCounts | None:
    """The 12 months to the latest month against the 12 before (None when no month is present)."""
    if not ctx.months_present:
        return None
    return counts.rolling_12_months(ctx.street_all, ctx.months_present[-1], asb=asb)


def calls_monthly(calls: pd.DataFrame, channel: str | None = None) -> pd.Series:
    """Calls for service per month (one ``channel``, or all), over the span of months the file holds.

    Index ``YYYY-MM``; float64; 0 in a month the file holds without calls on that channel, NaN in a
    month it does not hold at all. Source: partner file calls_for_service.
    """
    months = sorted(set(calls["month"].dropna().astype(str)))
    if not months:
        return pd.Series(dtype="float64", name="calls")
    rows = calls if channel is None else calls[calls["channel"].astype(str) == channel]
    by_month = rows.groupby(rows["month"].astype(str))["calls"].sum().reindex(months, fill_value=0).astype("float64")
    return by_month.reindex(periods.month_range(months[0], months[-1])).rename("calls").rename_axis("month")


def calls_by_channel(
    calls: pd.DataFrame, months: tuple[str, ...], previous_months: tuple[str, ...], *, comparable: bool = True
) -> pd.DataFrame:
    """Calls for service by channel (999, 101, online) in two like-for-like periods, with the change.

    Columns: channel, previous (Int64; missing when not ``comparable``), current (int64),
    change_percent, verdict (the quasi-Poisson test of the channel's monthly series,
    :func:`assess.measure.metrics.count_change`). The last row is "All channels".
    Source: partner file calls_for_service.
    """
    rows = []
    channels = sorted(set(calls["channel"].dropna().astype(str)))
    for ch in [*channels, "All channels"]:
        monthly = calls_monthly(calls, None if ch == "All channels" else ch)
        c = int(monthly.reindex(list(months)).fillna(0).sum())
        p = int(monthly.reindex(list(previous_months)).fillna(0).sum())
        change = count_change(p, c, monthly=monthly, months=months, previous_months=previous_months) if comparable else None
        rows.append({"channel": ch, "previous": p if comparable else None, "current": c,
                     "change_percent": change.percent if change else None,
                     "verdict": change.verdict if change else "not comparable"})
    df = pd.DataFrame(rows)
    return df.astype({"previous": "Int64", "current": "int64", "change_percent": "float64"})


def calls_by_year(ctx: AssessmentContext, calls: pd.DataFrame) -> pd.DataFrame:
    """Calls for service by financial year and channel, each year over the months this year holds.

    Columns: financial_year, channel, months (months of the compared span in the file), calls.
    Years up to this one; a year with fewer months than this one is left out (not like for like).
    """
    wanted = len(ctx.months_present) if not ctx.complete else 12
    rows = []
    for fy in sorted(set(calls["financial_year"].astype(str))):
        if fy > ctx.year:
            continue
        months = ctx.matching_months(fy) if not ctx.complete else months_of_financial_year(fy)
        part = calls[calls["month"].isin(months)]
        n = part["month"].nunique()
        if n < wanted:
            continue
        for ch, g in part.groupby("channel", observed=True):
            rows.append({"financial_year": fy, "channel": str(ch), "months": n, "calls": int(g["calls"].sum())})
    return pd.DataFrame(rows, columns=["financial_year", "channel", "months", "calls"])


# --- text helpers ----------------------------------------------------------------------------


def _rate_sentence(name: str, rate: Rate, what: str, period: str, months: int = 12, estimate: str | None = None) -> str:
    """"X had N crimes in P, R per 1,000 residents (95% CI ...)": for fewer than twelve ``months``
    the rate is said to be a part-year rate (over those months, not annualised); ``estimate`` names
    the population estimate the residents come from."""
    kind = "" if months >= 12 else f"a part-year rate over {narrative.format_count(months)} months, not annualised: "
    residents = f"; residents: {narrative.format_count(rate.denominator)}, {estimate}" if estimate else ""
    return (
        f"{name} had {narrative.format_count(rate.count)} {what} in {period}, {kind}"
        f"{narrative.format_rate(rate.value)} per 1,000 residents "
        f"(95% confidence interval {narrative.format_rate(rate.lower)} to {narrative.format_rate(rate.upper)}{residents})."
    )


def csp_population_estimate(ctx: AssessmentContext) -> PopulationUsed | None:
    """The ONS mid-year estimate behind the CSP's rates (:attr:`AssessmentContext.population`) when
    it is the local authorities' published estimate; None when the population is unknown or was
    summed from small areas (then the chapter names no mid-year)."""
    used = force_area.population_used(ctx.population_table, ctx.cfg.lad_codes, ctx.year)
    if used is None or ctx.population is None or used.value != ctx.population:
        return None
    return used


def no_comparison_sentence(pc: PeriodCounts) -> str:
    """Why there is no change on last year: the months police.uk did not publish."""
    return (
        f"No change on last year is shown: police.uk published no records for {', '.join(pc.missing_months)}, "
        f"so {pc.label} cannot be compared like for like with {pc.previous_label}."
    )


def _warn(out: ChapterOutputs, text: str) -> None:
    out.note(text[:1].upper() + text[1:])


# --- sections --------------------------------------------------------------------------------


def headline(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Total recorded crime, its rate, the change on last year, and the national change."""
    if common.no_street_records(ctx, out):
        return
    head = headline_figures(ctx, asb=False)
    pc = head.counts
    if head.rate is not None:
        out.say(_rate_sentence(ctx.cfg.name, head.rate, "police recorded crimes (excluding anti-social behaviour)", pc.label,
                               len(pc.months), head.residents.source if head.residents else None))
    else:
        out.say(
            f"{ctx.cfg.name} had {narrative.format_count(pc.current)} police recorded crimes in {pc.label}. "
            "No population estimate is available, so no rate is given."
        )
        _warn(out, f"no population estimate for {ctx.cfg.name}: rates per 1,000 residents are not shown.")
    if head.change is not None:
        out.say(narrative.describe_change(f"Compared with {pc.previous_label}, recorded crime", head.change))
        out.note(narrative.change_method_note(head.change))
    else:
        _warn(out, no_comparison_sentence(pc))
    nat = national_comparators(ctx)
    if nat.national_change is not None:
        out.say(
            narrative.describe_change(
                f"Nationally ({nat.current.national_name}, Home Office recorded crime, {nat.previous.year} to {nat.current.year}), crime",
                nat.national_change,
            )
        )
        out.note(narrative.change_method_note(nat.national_change, "National changes"))
    elif nat.current.available:
        out.say(f"The Home Office tables do not hold {ctx.previous_year}, so the national change is not shown.")
    else:
        _warn(out, nat.current.missing_sentence())
    out.metric(all_crime_metric(ctx, out.chapter, head, nat))
    if head.change is not None:
        finding = narrative.describe_change(f"Police recorded crime in {ctx.cfg.name}, {pc.label},", head.change)
    elif head.rate is not None:
        finding = _rate_sentence(ctx.cfg.name, head.rate, "police recorded crimes", pc.label, len(pc.months))
    else:
        finding = f"{ctx.cfg.name} had {narrative.format_count(pc.current)} police recorded crimes in {pc.label}."
    if nat.focus_comparison is not None:
        finding += f" On the Home Office figures for {nat.current.year}, " + narrative.describe_comparison(
            ctx.cfg.name, nat.current.focus, nat.current.national_name, nat.focus_comparison
        )
    out.finding(finding)


def comparison(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The CSP against England and its most-similar group (Home Office CSP tables): bar chart, rank, funnel plot."""
    rates = comparators.csp_rates(ctx)
    if not rates.available:
        _warn(out, rates.missing_sentence())
        if force_area.has_force_area_only(ctx.recorded_crime):
            force_area_comparison(ctx, out)
        return
    for note in rates.notes:
        out.note(note)
    table = comparators.comparator_table(rates)
    focus_name = str(table.loc[table["kind"] == "focus", "area"].iloc[0])
    published = narrative.round_table(table.assign(population=table["population"].round().astype("int64")),
                                      {"rate": 1, "lower": 1, "upper": 1}).rename(
        columns={"area": "Area", "offences": "Offences", "population": "Residents", "rate": "Rate per 1,000",
                 "lower": "Lower 95% limit", "upper": "Upper 95% limit", "kind": "Role"}
    )
    out.table(
        "comparators",
        published,
        caption=(
            f"Recorded crime per 1,000 residents, {rates.year}: {ctx.cfg.name}, its most-similar group and "
            f"{rates.national_name}. Source: {comparators.SOURCE}."
        ),
        count_columns=["Offences"],
    )
    out.figure(
        charts.bar_with_highlight(
            table, "area", "rate", focus_name,
            f"Recorded crime per 1,000 residents, {rates.year}", "Crimes per 1,000 residents",
            national=rates.national_name, lower="lower", upper="upper", source="Home Office; ONS",
        ),
        "comparators",
        alt=(
            f"Horizontal bar chart of recorded crime per 1,000 residents in {rates.year} for {ctx.cfg.name} "
            f"(highlighted), the {len(rates.group_members)} other members of its most-similar group and "
            f"{rates.national_name} (dashed line), with 95% confidence intervals."
        ),
        caption=f"Recorded crime rate per 1,000 residents, {rates.year}. Source: {comparators.SOURCE}.",
    )
    funnel = national_funnel(rates)
    comp = focus_comparison(rates, funnel)
    if rates.focus is not None and comp is not None:
        out.say(narrative.describe_comparison(ctx.cfg.name, rates.focus, rates.national_name, comp))
    if rates.focus is not None and ctx.complete and rates.year == ctx.year:
        out.say(narrative.describe_two_sources(
            "crimes", rates.year, ("the Home Office tables", rates.focus.count),
            ("police.uk", counts.year_to_date(ctx).current), HOME_OFFICE_AND_POLICE_UK))
    group = group_comparison(rates)
    if group is not None:
        out.say(narrative.describe_group_rank(ctx.cfg.name, group))
    else:
        out.say(
            "No most-similar group is configured (or none of its members is in the Home Office tables): "
            "name the group's CSPs under `most_similar_group` in the CSP's configuration to rank it."
        )
    if funnel is None:
        return
    points, limits = funnel_data(rates, funnel)
    position = str(points.loc[points["area"] == focus_name, "position"].iloc[0])
    out.figure(
        charts.funnel_plot(
            points, limits, f"Recorded crime rate against population, every CSP, {rates.year}",
            highlight=focus_name, centre=rates.national.value, ylabel="Crimes per 1,000 residents",
            xlabel="Residents", source="Home Office; ONS",
        ),
        "funnel",
        alt=(
            f"Funnel plot of the recorded crime rate of each of {narrative.format_count(len(points))} CSPs against "
            f"its population, with 95% and 99.8% control limits around the {rates.national_name} rate that allow for "
            f"the variation between CSPs; {ctx.cfg.name} lies {_position_words(position)}."
        ),
        caption=(
            f"Funnel plot: recorded crime per 1,000 residents by CSP, {rates.year}, with control limits around the "
            f"{rates.national_name} rate allowing for variation between CSPs ({_adjustment_caption(funnel)}; "
            f"see funnel plot in the glossary). Source: {comparators.SOURCE}."
        ),
    )
    out.say(
        f"On the funnel plot {ctx.cfg.name} lies {_position_words(position)} around the "
        f"{rates.national_name} rate of {narrative.format_rate(rates.national.value)} per 1,000. "
        + narrative.describe_funnel_outside(funnel, "CSPs")
    )
    out.note(narrative.funnel_method_note(funnel, "CSPs"))
    out.table(
        "crime_funnel",
        funnel_table(points),
        caption=(
            f"Every CSP in the funnel plot of recorded crime per 1,000 residents, {rates.year}, and where it lies against "
            f"the limits around the {rates.national_name} rate (allowing for variation between CSPs); those outside the "
            f"limits first. Source: {comparators.SOURCE}."
        ),
        count_columns=["Offences"],
        suppress=False,
    )


def _position_words(position: str) -> str:
    """ "above 99.8%" -> "above the upper 99.8% control limit"; "within" -> "within the 95% control limits"."""
    if position == "within":
        return "within the 95% control limits"
    side, level = position.split(" ", 1)
    return f"{side} the {'upper' if side == 'above' else 'lower'} {level} control limit"


def _adjustment_caption(funnel: FunnelAssessment) -> str:
    return {"additive": "additive random-effects adjustment", "multiplicative": "multiplicative adjustment"}.get(
        funnel.adjustment_applied, "exact Poisson limits: no overdispersion found")


def trend(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Recorded crime in every year available (like-for-like months), with a trend test."""
    yearly = yearly_counts(ctx)
    if yearly.empty:
        common.missing(ctx, out, "police.uk street-level crime")
        return
    period = "the whole year" if ctx.complete else periods.period_label(ctx.months_present)
    shown = yearly.rename(columns={"financial_year": "Financial year", "months": "Months with data",
                                   "count": "Crimes", "comparable": "Like for like"})
    out.table(
        "crime_by_year",
        shown,
        caption=(
            f"Police recorded crime (excluding anti-social behaviour) in {ctx.cfg.name} by financial year, "
            f"{'whole years' if ctx.complete else 'the months ' + period + ' of each year'}. Source: {POLICE_UK_SOURCE}."
        ),
        count_columns=["Crimes"],
    )
    plotted = yearly[yearly["comparable"]]
    if not plotted.empty:
        out.figure(
            charts.line_trend(plotted, "financial_year", "count", title=f"Police recorded crime in {ctx.cfg.name} by year",
                              ylabel="Crimes", source="data.police.uk"),
            "crime_by_year",
            alt=(
                f"Line chart of police recorded crime in {ctx.cfg.name} for each of "
                f"{narrative.format_count(len(plotted))} financial years with all the compared months, "
                f"{plotted['financial_year'].iloc[0]} to {plotted['financial_year'].iloc[-1]}"
                f"{'' if ctx.complete else ', the months ' + period + ' of each year'}."
            ),
            caption=(f"Police recorded crime by financial year"
                     f"{'' if ctx.complete else ', the months ' + period + ' of each year (like for like)'}; years "
                     f"without all those months are not drawn. Source: {POLICE_UK_SOURCE}."),
        )
    t = yearly_trend(yearly, monthly_counts(ctx), ctx.like_for_like)
    if t is None:
        out.say(
            "There are fewer than three comparable years of data (years with all the compared months), "
            "so no trend is tested."
        )
        if not yearly["comparable"].all():
            partial = yearly.loc[~yearly["comparable"], "financial_year"].tolist()
            _warn(out, f"years without all the compared months, not comparable: {', '.join(partial)}.")
        return
    out.say(narrative.describe_trend("Recorded crime", t, "year"))
    out.note(narrative.trend_method_note(t))


def publish_monthly(out: ChapterOutputs, name: str, table: pd.DataFrame, counted: str, caption: str) -> None:
    """Publish a :func:`monthly_table`, its counts headed ``counted`` (months without data left blank),
    to the workbook and CSV only: a series of many months is shown as a chart in the chapter."""
    shown = table.rename(columns={"month": "Month", "count": counted, "rolling_12_month": "Rolling 12-month total"})
    shown = shown.astype({counted: "Int64", "Rolling 12-month total": "Int64"})
    out.table(name, shown, caption=caption, count_columns=[counted], display=False)


def monthly(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The monthly series of recorded crime with its rolling 12-month total."""
    table = monthly_table(ctx)
    if table.empty or table["count"].notna().sum() == 0:
        common.missing(ctx, out, "police.uk street-level crime")
        return
    gaps = table.loc[table["count"].isna(), "month"].tolist()
    publish_monthly(out, "crime_by_month", table, "Crimes",
                    f"Police recorded crime in {ctx.cfg.name} by month, with the rolling 12-month total. "
                    f"Source: {POLICE_UK_SOURCE}.")
    series = pd.Series(table["count"].to_numpy(), index=table["month"].to_numpy())
    out.figure(
        charts.monthly_series(series.dropna(), rolling=12 if series.notna().sum() >= 12 else None,
                              title=f"Police recorded crime in {ctx.cfg.name} by month", ylabel="Crimes",
                              source="data.police.uk"),
        "crime_by_month",
        alt=(
            f"Line chart of police recorded crime in {ctx.cfg.name} each month from {table['month'].iloc[0]} to "
            f"{table['month'].iloc[-1]}"
            + (", with the 12-month rolling mean." if series.notna().sum() >= 12 else ".")
        ),
        caption=f"Police recorded crime by month. Source: {POLICE_UK_SOURCE}.",
    )
    if gaps:
        _warn(out, f"police.uk published no records for {', '.join(gaps)}; rolling totals are not computed across them.")
    roll = latest_rolling_comparison(ctx)
    if roll is None or not roll.complete:
        out.say(
            "There are not 24 consecutive published months up to the latest month, so the rolling 12-month "
            "comparison is not shown."
        )
        return
    change = period_change(roll, monthly_counts(ctx))
    out.say(narrative.describe_change(f"Over {roll.label}, against {roll.previous_label}, recorded crime", change))


def calls_for_service(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """999, 101 and online calls for service (partner file), this year against last, and by year."""
    calls = ctx.partner("calls_for_service")
    if calls is None or calls.empty:
        common.missing(ctx, out, "police calls for service (999, 101 and online)", "calls_for_service")
        return
    pc = counts.year_to_date(ctx)
    have = set(calls["month"].astype(str))
    if not any(m in have for m in pc.months):
        out.say(f"The calls for service file holds no months of {ctx.year}, so calls are not shown.")
        return
    missing_now = [m for m in pc.months if m not in have]
    comparable = all(m in have for m in pc.previous_months) and not missing_now
    table = calls_by_channel(calls, pc.months, pc.previous_months, comparable=comparable)
    shown = narrative.round_table(table, {"change_percent": 1}).rename(columns={"channel": "Channel", "previous": pc.previous_label,
                                                               "current": pc.label, "change_percent": "Change (%)",
                                                               "verdict": "Verdict"})
    out.table(
        "calls_for_service",
        shown,
        caption=f"Police calls for service by channel, {pc.label} against {pc.previous_label}. Source: {CALLS_SOURCE}.",
        count_columns=[pc.previous_label, pc.label],
    )
    yearly = calls_by_year(ctx, calls)
    if yearly["financial_year"].nunique() >= 2:
        out.figure(
            charts.line_trend(yearly, "financial_year", "calls", hue="channel",
                              title=f"Police calls for service in {ctx.cfg.name} by year and channel", ylabel="Calls",
                              source="partner data"),
            "calls_for_service",
            alt=(
                f"Line chart of police calls for service by channel ({', '.join(sorted(set(yearly['channel'])))}) in each "
                f"financial year from {yearly['financial_year'].min()} to {yearly['financial_year'].max()}."
            ),
            caption=(
                f"Police calls for service by financial year and channel"
                f"{'' if ctx.complete else ', the months ' + periods.period_label(ctx.months_present) + ' of each year'}. "
                f"Source: {CALLS_SOURCE}."
            ),
        )
    total = table.iloc[-1]
    note = None
    if missing_now:
        note = f"The calls file lacks {', '.join(missing_now)}."
        _warn(out, f"the calls for service file lacks {', '.join(missing_now)}.")
    change = None
    if comparable:
        change = count_change(int(total["previous"]), int(total["current"]), monthly=calls_monthly(calls),
                              months=pc.months, previous_months=pc.previous_months)
        out.say(narrative.describe_change(f"Calls for service ({pc.label} against {pc.previous_label})", change, unit="calls"))
        out.note(narrative.change_method_note(change, "Changes in calls"))
    elif not missing_now:
        _warn(out, f"the calls for service file does not hold every month of {pc.previous_label}, so no change is shown.")
    residents = common.residents(ctx)
    out.metric(
        metric_from_count(
            "calls_for_service",
            "Police calls for service (999, 101 and online)",
            out.chapter,
            int(total["current"]),
            int(total["previous"]) if comparable else None,
            pc.period,
            pc.previous_period if comparable else None,
            residents,
            CALLS_SOURCE + (f"; {residents.source}" if residents else ""),
            unit="calls",
            previous_population=common.residents(ctx, ctx.previous_year) if comparable and residents else None,
            note=note,
            change=change,
        )
    )


# --- the force and England from the force-area tables ----------------------------------------

#: What each source counts, and why the CSP's police.uk rate is not tested against the Home Office rates.
POLICE_UK_COUNTS = "police.uk street-level records (crimes that can be placed on a map, excluding anti-social behaviour)"
HOME_OFFICE_COUNTS = "Home Office police recorded crime (every crime the force recorded)"
COVERAGE_DIFFERENCE = (
    "The two sources count differently: police.uk publishes the crimes that can be placed on a map, as first "
    "recorded, while the Home Office tables count every crime the force recorded, with later reclassifications "
    "(police.uk counts usually run a few per cent lower; the appendix reconciles them for the force). The "
    "partnership's police.uk rate is therefore shown beside the Home Office rates, not tested against them; the "
    "force is compared with {national} on the Home Office figures alone, like with like."
)


@dataclass(frozen=True)
class ForceComparison:
    """The force and the nation on the Home Office force-area tables, beside the CSP's police.uk rate.

    ``same_months``: the quarters the CSP's police.uk months cover (None when they cover no whole
    quarter the tables hold); ``whole_year``: all four quarters, when the tables hold them and the
    year is not already whole in ``same_months``. ``main`` is the whole year when held, else the
    same months: its force is set in the funnel of every force of the national comparator
    (``funnel``) and compared with the national rate allowing for the variation between forces
    (``comparison``). ``force_change``/``national_change``: the exact test of two yearly totals
    (the tables give quarterly totals, no monthly series) when the previous year's same quarters are held.
    """

    head: Headline
    csp_estimate: PopulationUsed | None
    same_months: ForceAreaRates | None
    whole_year: ForceAreaRates | None
    funnel: FunnelAssessment | None
    comparison: DispersedComparison | None
    force_change: CountChange | None
    national_change: CountChange | None
    previous: ForceAreaRates | None

    @property
    def main(self) -> ForceAreaRates | None:
        return self.whole_year or self.same_months


def force_funnel(rates: ForceAreaRates) -> FunnelAssessment | None:
    """Every force of the national comparator in the funnel around the national rate, allowing for
    the variation between forces (Spiegelhalter 2005, :data:`ADJUSTMENT` random effect); None without
    a national rate or with fewer than three forces."""
    if rates.national is None or len(rates.forces) < 3:
        return None
    return funnel_assessment(
        {n: max(r.offences, 0) for n, r in rates.forces.items()},
        {n: r.population.value for n, r in rates.forces.items()},
        rates.national.rate.value, per=1000, adjustment=ADJUSTMENT,
    )


def force_comparison(ctx: AssessmentContext) -> ForceComparison:
    """The CSP's police.uk rate with its force's and the nation's Home Office rates (pure: reads ``ctx``)."""
    head = headline_figures(ctx, asb=False)
    held = force_area.quarters_held(ctx.recorded_crime, ctx.year)
    same_q = tuple(q for q in force_area.quarters_of_months(head.counts.months if ctx.months_present else (), ctx.year)
                   if q in held)

    def rates(year: str, quarters: tuple[int, ...]) -> ForceAreaRates:
        return force_area.force_area_rates(ctx.recorded_crime, ctx.population_table, ctx.lad_csp, year,
                                           force_name=ctx.cfg.police_force.name, quarters=quarters,
                                           national_name=ctx.cfg.national_name)

    same = rates(ctx.year, same_q) if same_q else None
    whole = rates(ctx.year, (1, 2, 3, 4)) if held == (1, 2, 3, 4) and same_q != (1, 2, 3, 4) else None
    main = whole or same
    funnel = force_funnel(main) if main is not None else None
    comparison = None
    if main is not None and main.focus is not None and main.national is not None and funnel is not None:
        comparison = compare_with_benchmark_overdispersed(
            max(main.focus.offences, 0), main.focus.population.value, main.national.rate.value, funnel.overdispersion,
            per=1000, adjustment=ADJUSTMENT)
    force_change = national_change = None
    previous = None
    if main is not None:
        prev_held = force_area.quarters_held(ctx.recorded_crime, ctx.previous_year)
        if set(main.quarters) <= set(prev_held):
            previous = rates(ctx.previous_year, main.quarters)
            if previous.focus is not None and main.focus is not None:
                force_change = change_in_totals(max(previous.focus.offences, 0), max(main.focus.offences, 0),
                                                reason=NATIONAL_NO_SERIES)
            if previous.national is not None and main.national is not None:
                national_change = change_in_totals(previous.national.offences, main.national.offences,
                                                   reason=NATIONAL_NO_SERIES)
    return ForceComparison(head, csp_population_estimate(ctx), same, whole, funnel, comparison, force_change,
                           national_change, previous)


def force_comparison_table(ctx: AssessmentContext, fc: ForceComparison) -> pd.DataFrame:
    """One row per rate: the CSP's police.uk rate, then its force's and the nation's Home Office rates
    for the same months (quarters), then for the whole year.

    Columns: Area, Counts (what the figure counts), Period, Offences (int64), Residents (int64),
    Population estimate (which mid-year estimate, and its file), Rate per 1,000, Lower 95% limit,
    Upper 95% limit (one decimal place). Sources: police.uk; Home Office force-area tables; ONS.
    """
    rows = []
    head = fc.head
    if head.rate is not None:
        estimate = fc.csp_estimate.label if fc.csp_estimate else POPULATION_SOURCE
        rows.append((ctx.cfg.name, POLICE_UK_COUNTS, head.counts.label, head.rate, estimate))
    for rates in (fc.same_months, fc.whole_year):
        if rates is None:
            continue
        period = rates.period_label + ("" if rates.whole_year else f" ({_quarter_months(rates)})")
        for area in (rates.focus, rates.national):
            if area is not None:
                label = f"{area.area} (police force area)" if area is rates.focus else area.area
                rows.append((label, HOME_OFFICE_COUNTS, period, area.rate, area.population.label))
    table = pd.DataFrame({
        "Area": [r[0] for r in rows],
        "Counts": [r[1] for r in rows],
        "Period": [r[2] for r in rows],
        "Offences": pd.array([r[3].count for r in rows], dtype="int64"),
        "Residents": pd.array([round(r[3].denominator) for r in rows], dtype="int64"),
        "Population estimate": [r[4] for r in rows],
        "Rate per 1,000": [r[3].value for r in rows],
        "Lower 95% limit": [r[3].lower for r in rows],
        "Upper 95% limit": [r[3].upper for r in rows],
    })
    return narrative.round_table(table, {"Rate per 1,000": 1, "Lower 95% limit": 1, "Upper 95% limit": 1})


def _quarter_months(rates: ForceAreaRates) -> str:
    """``April 2017 to September 2017``: the months of the quarters counted."""
    months = months_of_financial_year(rates.year)
    first, last = months[3 * (rates.quarters[0] - 1)], months[3 * rates.quarters[-1] - 1]
    return periods.period_label([first, last])


def force_area_metric(ctx: AssessmentContext, chapter: str, fc: ForceComparison) -> Metric | None:
    """``force_area_recorded_crime``: the force's Home Office recorded crime in the main period, its
    rate per 1,000 (residents from the ONS estimate it names), and the national rate as comparator
    with the verdict allowing for the variation between forces."""
    main = fc.main
    if main is None or main.focus is None:
        return None
    key = "england_and_wales" if "wales" in main.national_name.lower() else "england"
    comp = {key: main.national.rate.value} if main.national is not None else None
    fields = comparison_fields({key: fc.comparison}) if fc.comparison is not None else {}
    prev = fc.previous.focus if fc.previous is not None and fc.force_change is not None else None
    period = ctx.year if main.whole_year else f"{ctx.year} Q{main.quarters[0]} to {ctx.year} Q{main.quarters[-1]}"
    prev_period = None
    if prev is not None:
        y = ctx.previous_year
        prev_period = y if main.whole_year else f"{y} Q{main.quarters[0]} to {y} Q{main.quarters[-1]}"
    note = (f"Home Office recorded crime in the {main.focus.area} police force area, {main.period_label}; residents: "
            f"{main.focus.population.label}, the sum over its {main.focus.population.areas} local authorities. "
            + ("" if main.whole_year else "A part-year rate over the quarters counted, not annualised. ")
            + "Not comparable with the partnership's police.uk figure (different coverage).")
    return metric_from_count(
        "force_area_recorded_crime",
        f"Recorded crime in the {main.focus.area} police force area (Home Office)",
        chapter, max(main.focus.offences, 0), max(prev.offences, 0) if prev is not None else None, period, prev_period,
        main.focus.population.denominator(), f"{force_area.SOURCE} ({main.focus.population.label})", unit="crimes",
        comparators=comp, previous_population=prev.population.denominator() if prev is not None else None, note=note,
        change=fc.force_change, **fields,
    )


def force_area_comparison(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """With force-area Home Office tables only: the force's and the nation's rates per 1,000 beside
    the CSP's police.uk rate (table and chart), the force against the nation allowing for the
    variation between forces, and how the two sources differ."""
    fc = force_comparison(ctx)
    main = fc.main
    if main is None or main.focus is None:
        held = force_area.quarters_held(ctx.recorded_crime, ctx.year)
        _warn(out, f"the Home Office force-area tables hold no quarter of {ctx.year} for {ctx.cfg.police_force.name}"
              if not held else f"the Home Office force-area tables hold no rates for {ctx.cfg.police_force.name} in "
              f"{ctx.year}: " + "; ".join(main.notes if main else ["no whole quarter matches"]) + ".")
        return
    for note in main.notes:
        out.note(note[:1].upper() + note[1:] + ".")
    if main.left_out:
        out.note(f"Left out of the force and {main.national_name} figures, as not police force areas: "
                 + "; ".join(main.left_out) + ".")
    national = main.national_name
    out.say(f"The Home Office tables supplied are at police force area level, so {ctx.cfg.name} is shown beside its "
            f"force, {main.focus.area}, and {national}. " + COVERAGE_DIFFERENCE.format(national=national))
    table = force_comparison_table(ctx, fc)
    out.table(
        "force_area_comparators", table,
        caption=(f"Recorded crime per 1,000 residents: {ctx.cfg.name} (police.uk, {fc.head.counts.label}), the "
                 f"{main.focus.area} police force area and {national} (Home Office), {ctx.year}, with the population "
                 f"estimate of each rate. Sources: {POLICE_UK_SOURCE}; {force_area.SOURCE}."),
        count_columns=["Offences"], suppress=False,
    )
    for rates in (fc.same_months, fc.whole_year):
        if rates is None or rates.focus is None:
            continue
        months = "" if rates.whole_year else f" ({_quarter_months(rates)})"
        text = (f"On the Home Office figures for {rates.period_label}{months}, the {rates.focus.area} police force area "
                f"recorded {narrative.format_count(rates.focus.offences)} crimes, "
                f"{narrative.format_rate(rates.focus.rate.value)} per 1,000 residents")
        if rates.national is not None:
            text += (f", and {national} {narrative.format_count(rates.national.offences)}, "
                     f"{narrative.format_rate(rates.national.rate.value)} per 1,000")
        part = "" if rates.whole_year else " (part-year rates over those quarters, not annualised)"
        out.say(text + f"{part}; residents from the {rates.focus.population.label}.")
    if fc.head.rate is not None and fc.same_months is not None:
        out.say(f"Over the same months, on police.uk records, {ctx.cfg.name}'s rate was "
                f"{narrative.format_rate(fc.head.rate.value)} per 1,000 residents"
                + (f" ({fc.csp_estimate.label})" if fc.csp_estimate else "") + ": a different count, shown for context.")
    chart_rates = fc.same_months or main
    chart = pd.DataFrame({
        "area": [f"{ctx.cfg.name} (police.uk)"] if fc.head.rate is not None and fc.same_months is not None else [],
        "rate": [fc.head.rate.value] if fc.head.rate is not None and fc.same_months is not None else [],
        "lower": [fc.head.rate.lower] if fc.head.rate is not None and fc.same_months is not None else [],
        "upper": [fc.head.rate.upper] if fc.head.rate is not None and fc.same_months is not None else [],
    })
    extra = [(f"{a.area} (Home Office)", a.rate) for a in (chart_rates.focus, chart_rates.national) if a is not None]
    chart = pd.concat([chart, pd.DataFrame({"area": [e[0] for e in extra], "rate": [e[1].value for e in extra],
                                            "lower": [e[1].lower for e in extra], "upper": [e[1].upper for e in extra]})],
                      ignore_index=True)
    period = chart_rates.period_label
    out.figure(
        charts.bar_with_highlight(
            chart, "area", "rate", chart["area"].iloc[0],
            f"Recorded crime per 1,000 residents, {period}", "Crimes per 1,000 residents",
            national=f"{national} (Home Office)", sort=False, lower="lower", upper="upper",
            source="police.uk; Home Office; ONS",
        ),
        "force_area_comparators",
        alt=(f"Horizontal bar chart of recorded crime per 1,000 residents, {period}: "
             + "; ".join(f"{a} {narrative.format_rate(r)}" for a, r in zip(chart["area"], chart["rate"], strict=True))
             + ", with 95% confidence intervals. The police.uk and Home Office figures count differently."),
        caption=(f"Recorded crime per 1,000 residents, {period}: {ctx.cfg.name} on police.uk records, its force and "
                 f"{national} on the Home Office tables (different coverage: not like for like). Sources: "
                 f"{POLICE_UK_SOURCE}; {force_area.SOURCE}."),
    )
    if fc.comparison is not None and fc.funnel is not None:
        out.say(f"On the Home Office figures for {main.period_label}, "
                + narrative.describe_comparison(f"the {main.focus.area} police force area", main.focus.rate,
                                                national, fc.comparison))
        out.note(narrative.funnel_method_note(fc.funnel, "police force areas"))
    if fc.force_change is not None:
        out.say(narrative.describe_change(
            f"In the {main.focus.area} police force area (Home Office, {fc.previous.period_label} to {main.period_label}), crime",
            fc.force_change))
    if fc.national_change is not None:
        out.say(narrative.describe_change(
            f"In {national} (Home Office, {fc.previous.period_label} to {main.period_label}), crime", fc.national_change))
    if fc.force_change is not None or fc.national_change is not None:
        out.note(narrative.change_method_note(fc.force_change or fc.national_change, "Changes in the Home Office totals"))
    else:
        out.say(f"The Home Office tables supplied do not hold the same quarters of {ctx.previous_year}, so no change "
                "in the force's or the national figure is shown.")
    metric = force_area_metric(ctx, out.chapter, fc)
    if metric is not None:
        out.metric(metric)
    if fc.comparison is not None:
        out.finding(f"On the Home Office figures for {main.period_label}, "
                    + narrative.describe_comparison(f"the {main.focus.area} police force area", main.focus.rate,
                                                    national, fc.comparison))
