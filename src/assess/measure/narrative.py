"""Numbers and sentences for the report, made only from computed objects.

Every number in a sentence comes from the arguments (a :class:`~assess.stats.Change`,
:class:`~assess.stats.Rate`, ...), never from the text of this module, so the prose cannot
disagree with the tables. House style (GOV.UK / GSS): thousands separators (27,301), rates to one
decimal place (121.3 per 1,000), percentages to one decimal place with a sign where they are
changes (+10.7%), a change in a percentage in percentage points (+1.7 percentage points), and
"statistically significant" only where a test says so.

One rounding: this module is the one place a figure is rounded for display. Every surface (the
chapter's sentences, its published tables (:func:`round_table`), the index cards and
``metrics.json``'s ``display`` block) rounds the full-precision figure once, halves away from zero
(:func:`round_half_up`), so the same figure shows the same digits everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from assess.errors import StatisticsError
from assess.stats.change import Change
from assess.stats.compare import Comparison, GroupComparison
from assess.stats.concentration import RepeatOffending, places_in_top
from assess.stats.funnel_compare import DispersedComparison, FunnelAssessment
from assess.stats.intervals import Proportion, Rate
from assess.stats.monthly_change import QUASI_CHANGE_ID
from assess.stats.series import Trend

_PRONOUNS = {"its", "their", "our", "his", "her", "your", "my"}


# --- numbers ------------------------------------------------------------------------------------


def _clean_zero(text: str) -> str:
    """``-0.0`` -> ``0.0``: a value that rounds to zero has no sign."""
    stripped = text.lstrip("-+")
    return stripped if stripped.replace("0", "").replace(".", "").replace(",", "") == "" else text


def round_half_up(value: float, decimals: int = 1) -> Decimal:
    """Round as people (and spreadsheets) do: halves away from zero, on the number as written.

    ``12.25`` -> ``12.3`` and ``2.675`` -> ``2.68`` (Python's own rounding gives 12.2 and 2.67).
    """
    if not math.isfinite(value):
        raise StatisticsError(f"cannot write {value!r} as a number in a sentence")
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def rounded(value: float, decimals: int = 1) -> float:
    """``value`` rounded once for display, halves away from zero: ``5.75`` -> ``5.8``, ``5.7467`` -> ``5.7``."""
    return float(round_half_up(value, decimals))


def round_column(values: pd.Series, decimals: int = 1) -> pd.Series:
    """A column of numbers rounded as :func:`rounded` rounds one (missing values stay missing;
    whole-number and text columns are returned as they are).

    Use it (or :func:`round_table`) for every published table instead of ``DataFrame.round``,
    which rounds halves to even on the binary value (5.65 -> 5.6), so that a table shows the
    digits the text and the index show (5.7).
    """
    if not pd.api.types.is_float_dtype(values.dtype):
        return values
    return values.map(lambda v: rounded(float(v), decimals), na_action="ignore").astype(values.dtype)


def round_table(table: pd.DataFrame, decimals: int | Mapping[str, int]) -> pd.DataFrame:
    """``table`` with its number columns rounded for display (:func:`round_column`): ``decimals``
    an int for every float column, or places by column name (as :meth:`pandas.DataFrame.round`)."""
    out = table.copy()
    if isinstance(decimals, Mapping):
        places = {str(c): int(d) for c, d in decimals.items() if c in out.columns}  # as DataFrame.round: others ignored
    else:
        places = {str(c): int(decimals) for c in out.columns if pd.api.types.is_float_dtype(out[c].dtype)}
    for column, d in places.items():
        out[column] = round_column(out[column], d)
    return out


def format_number(value: float, decimals: int = 1) -> str:
    """``1234.56`` -> ``"1,234.6"``: thousands separators and ``decimals`` places, halves rounded up."""
    return _clean_zero(f"{round_half_up(value, decimals):,.{decimals}f}")


def format_count(value: float) -> str:
    """``27301`` -> ``"27,301"``: a count, rounded to a whole number, with thousands separators."""
    return format_number(value, 0)


def format_value(value: float, decimals: int = 1) -> str:
    """A whole number as a count (``"27,301"``), anything else to ``decimals`` places."""
    if math.isfinite(value) and float(value).is_integer():
        return format_count(value)
    return format_number(value, decimals)


def format_rate(value: float, decimals: int = 1) -> str:
    """A rate to one decimal place: ``121.345`` -> ``"121.3"`` (``"1,021.3"`` above a thousand)."""
    return format_number(value, decimals)


def format_percent(percent: float, decimals: int = 1, signed: bool = False) -> str:
    """A value already in percent: ``10.67`` -> ``"10.7%"``, or ``"+10.7%"`` with ``signed``."""
    text = format_number(percent, decimals)
    if signed and not text.startswith("-") and text != _clean_zero("-" + text):
        text = "+" + text
    return text + "%"


def format_points(points: float, decimals: int = 1, signed: bool = True) -> str:
    """A change already in percentage points: ``1.74`` -> ``"+1.7 percentage points"``."""
    return format_percent(points, decimals, signed)[:-1] + " percentage points"


def format_share(fraction: float, decimals: int = 1) -> str:
    """A fraction as a percentage: ``0.308`` -> ``"30.8%"``."""
    return format_percent(100.0 * fraction, decimals)


def format_percentage_points(fraction_difference: float, decimals: int = 1, signed: bool = True) -> str:
    """A difference of two fractions in percentage points: ``0.042`` -> ``"+4.2 percentage points"``."""
    return format_points(100.0 * fraction_difference, decimals, signed)


def format_fraction_label(fraction: float) -> str:
    """``0.1`` -> ``"10%"``, ``0.125`` -> ``"12.5%"``: a fraction as the shortest percentage."""
    return f"{round(100.0 * fraction, 6):g}%"


def per_label(per: int) -> str:
    """``1000`` -> ``"per 1,000"``."""
    return f"per {per:,}"


def ordinal(n: int) -> str:
    """``1`` -> ``"1st"``, ``2`` -> ``"2nd"``, ``11`` -> ``"11th"``, ``23`` -> ``"23rd"``."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def possessive(name: str) -> str:
    """``"England"`` -> ``"England's"``; pronouns (``"Its"``) and names ending in s stay sensible."""
    stripped = name.strip()
    if stripped.lower() in _PRONOUNS or stripped.endswith(("'s", "s'")):
        return stripped
    if stripped.endswith("s"):
        return stripped + "'"
    return stripped + "'s"


def _plural(word: str, n: int) -> str:
    return word if n == 1 else word + "s"


# --- sentences ----------------------------------------------------------------------------------


def _change_tail(change: Change) -> str:
    if change.significant:
        return f"a statistically significant {change.verdict}"
    return "not a statistically significant change"


def describe_change(label: str, change: Change, unit: str = "crimes") -> str:
    """One sentence on a change between two periods.

    "All crime rose by 10.7% (from 27,301 to 30,215), a statistically significant increase."
    Counts are written as counts; rates (``change.measure == "rate"``) to one decimal place
    followed by ``unit`` (pass e.g. "crimes per 1,000 population"); proportions as percentages
    with the change in percentage points.
    """
    if change.measure == "proportion":
        before, after = format_share(change.previous), format_share(change.current)
        if before == after:
            return f"{label} was unchanged at {after}."
        verb = "rose" if change.current > change.previous else "fell"
        points = format_percentage_points(change.absolute)
        return f"{label} {verb} from {before} to {after} ({points}), {_change_tail(change)}."

    if change.measure == "rate":
        before, after = format_rate(change.previous), format_rate(change.current)
        suffix = f" {unit}" if unit else ""
    else:
        before, after = format_value(change.previous), format_value(change.current)
        suffix = ""
    if change.current == change.previous:
        return f"{label} was unchanged at {after}{f' {unit}' if unit else ''}."
    verb = "rose" if change.current > change.previous else "fell"
    if change.percent is None:
        return f"{label} {verb} from {before} to {after}{f' {unit}' if unit else ''}, {_change_tail(change)}."
    percent = format_percent(abs(change.percent))
    if percent == format_percent(0.0):
        return f"{label} {verb} slightly (from {before} to {after}{suffix}), {_change_tail(change)}."
    return f"{label} {verb} by {percent} (from {before} to {after}{suffix}), {_change_tail(change)}."


_COMPARISON_PHRASE = {
    "significantly higher": "is significantly higher than",
    "significantly lower": "is significantly lower than",
    "similar": "is similar to",
}


def describe_comparison(
    name: str,
    rate: Rate | Proportion,
    benchmark_name: str,
    comparison: Comparison,
    unit: str | None = None,
) -> str:
    """One sentence comparing a rate or proportion with a benchmark (PHE verdict words).

    "Its rate, 121.3 per 1,000 population, is significantly higher than England's, 73.0 per 1,000."
    ``unit`` defaults to "per <rate.per> population"; the benchmark is written "per <rate.per>".
    ``name`` is the owner of the rate ("Its", "Southampton"); possessives are formed for you. A
    comparison that allowed for the variation between areas (a :class:`DispersedComparison` whose
    adjustment was applied) says so, since its verdict answers "unusual among areas like it?".
    """
    if not math.isclose(comparison.value, rate.value, rel_tol=1e-9, abs_tol=1e-12):
        raise StatisticsError("the comparison was not made for this rate (their values differ)")
    phrase = _COMPARISON_PHRASE[comparison.verdict]
    if isinstance(comparison, DispersedComparison) and comparison.adjustment != "none":
        phrase = {"similar": "is, allowing for the variation between areas, not significantly different from"}.get(
            comparison.verdict, phrase.replace("is ", "is, allowing for the variation between areas, ", 1))
    if isinstance(rate, Proportion):
        value, benchmark = format_share(rate.value), format_share(comparison.benchmark)
        return f"{possessive(name)} proportion, {value}, {phrase} {possessive(benchmark_name)}, {benchmark}."
    first_unit = unit if unit is not None else f"{per_label(rate.per)} population"
    value, benchmark = format_rate(rate.value), format_rate(comparison.benchmark)
    return (
        f"{possessive(name)} rate, {value} {first_unit}, {phrase} "
        f"{possessive(benchmark_name)}, {benchmark} {per_label(rate.per)}."
    )


def describe_group_rank(
    name: str, group: GroupComparison, group_name: str = "its most similar group", unit: str | None = None
) -> str:
    """One sentence on where an area ranks in its group and how it compares with the group rate.

    "Southampton had the 3rd highest rate of the 15 areas in its most similar group, 45.2 per
    1,000 population against 38.1 per 1,000 for the group as a whole, significantly higher than
    the group." A verdict that allowed for the variation between the group's areas (its
    ``comparison`` a :class:`DispersedComparison` with the adjustment applied) says so.
    """
    direction = "highest" if group.highest_is_rank_1 else "lowest"
    joint = int((group.table["rank"] == group.rank).sum()) > 1
    position = ("joint " if joint else "") + (direction if group.rank == 1 else f"{ordinal(group.rank)} {direction}")
    first_unit = unit if unit is not None else f"{per_label(group.per)} population"
    verdict = {
        "significantly higher": "significantly higher than the group",
        "significantly lower": "significantly lower than the group",
        "similar": "similar to the group",
    }[group.verdict]
    if isinstance(group.comparison, DispersedComparison) and group.comparison.adjustment != "none":
        verdict += " once the variation between its areas is allowed for"
    return (
        f"{name} had the {position} rate of the {format_count(group.n)} areas in {group_name}, "
        f"{format_rate(group.rate.value)} {first_unit} against {format_rate(group.group_rate)} "
        f"{per_label(group.per)} for the group as a whole, {verdict}."
    )


def describe_trend(label: str, trend: Trend, period: str = "year", span: str | None = None) -> str:
    """One sentence on a trend over ``trend.n_periods`` periods (``period``: "year", "month", ...).

    "Burglary fell by an average of 2.1% a month over the 12 months, a statistically significant
    falling trend." ``span`` replaces "over the 12 months" where the periods counted are not the
    unit of the change (a monthly series with a change a year: "over the 36 months").
    """
    n = trend.n_periods
    span = span or f"over the {format_count(n)} {_plural(period, n)}"
    if not math.isfinite(trend.percent_per_period) or trend.percent_per_period <= -100.0:
        if not trend.significant:
            return f"{label} showed no statistically significant trend {span}."
        where = "last" if trend.slope_per_period > 0 else "first"
        return (
            f"{label} was recorded only in the {where} of the {format_count(n)} {_plural(period, n)}, "
            f"a statistically significant {trend.verdict} trend."
        )
    if trend.significant:
        verb = "rose" if trend.slope_per_period > 0 else "fell"
        percent = format_percent(abs(trend.percent_per_period))
        return (
            f"{label} {verb} by an average of {percent} a {period} {span}, "
            f"a statistically significant {trend.verdict} trend."
        )
    average = format_percent(trend.percent_per_period, signed=True)
    return f"{label} showed no statistically significant trend {span} (average change {average} a {period})."


def describe_two_sources(
    what: str, period: str, first: tuple[str, int], second: tuple[str, int], why: str | None = None
) -> str:
    """One sentence stating, once, how two sources' counts of the same thing differ.

    ``first``/``second`` are (source, count). "In 2024/25 the Home Office tables count 32,330
    offences and police.uk 31,019: 1,311 (4.2%) more in the Home Office tables." ``why`` (a clause)
    says why they differ, when known.
    """
    (a, x), (b, y) = first, second
    if x == y:
        text = f"In {period} {a} and {b} count the same number of {what}, {format_count(x)}."
    else:
        more, fewer = (a, b) if x > y else (b, a)
        gap = abs(x - y)
        share = f" ({format_percent(100.0 * gap / min(x, y))})" if min(x, y) > 0 else ""
        text = (f"In {period} {a} count {format_count(x)} {what} and {b} {format_count(y)}: "
                f"{format_count(gap)}{share} more in {more} than in {fewer}.")
    return text + (f" {why[0].upper()}{why[1:]}" if why else "")


def describe_proportion(part: str, whole: str, proportion: Proportion, show_interval: bool = True) -> str:
    """One sentence on a proportion with its Wilson interval.

    ``describe_proportion("were repeat offenders", "offenders", p)`` ->
    "Of 263 offenders, 81 (30.8%; 95% confidence interval 25.5% to 36.6%) were repeat offenders."
    """
    detail = format_share(proportion.value)
    if show_interval:
        level = format_fraction_label(proportion.confidence)
        detail += (
            f"; {level} confidence interval {format_share(proportion.lower)} to {format_share(proportion.upper)}"
        )
    return f"Of {format_value(proportion.n)} {whole}, {format_value(proportion.successes)} ({detail}) {part}."


def describe_top_share(
    share: float, fraction: float, n_places: int, places: str = "wards", what: str = "crime"
) -> str:
    """One sentence on concentration, naming the share of places actually counted: "The 3 wards
    with the most crime (12.0% of the 25 wards) accounted for 34.2% of it."

    ``share`` is :func:`assess.stats.top_share` for ``fraction``; the places counted are the
    :func:`assess.stats.places_in_top` (ceil(n x fraction)), which are rarely exactly
    ``fraction`` of them (2 of 16 wards are 12.5%, not 10%).
    """
    k = places_in_top(n_places, fraction)
    noun = places if k != 1 else places.removesuffix("s")
    return (
        f"The {format_count(k)} {noun} with the most {what} ({format_share(k / n_places)} of the "
        f"{format_count(n_places)} {places}) accounted for {format_share(share)} of it."
    )


def describe_repeat_offending(summary: RepeatOffending, who: str = "offenders", what: str = "offences") -> str:
    """One sentence on repeat offending from :func:`assess.stats.repeat_offending`.

    "Of 120 offenders, 30 (25.0%) committed more than one offence; they accounted for 45.0% of the
    200 offences."
    """
    return (
        f"Of {format_count(summary.offenders)} {who}, {format_count(summary.repeat)} "
        f"({format_share(summary.share_repeat)}) committed more than one offence; they accounted for "
        f"{format_share(summary.share_crimes_by_repeat)} of the {format_count(summary.crimes)} {what}."
    )


# --- notes on method (for a reader who wants them; a lay reader can skip them) ------------------


def format_p(p_value: float) -> str:
    """``0.0042`` -> ``"p = 0.004"``, ``0.00001`` -> ``"p < 0.001"``, ``0.35`` -> ``"p = 0.35"``."""
    if p_value < 0.001:
        return "p < 0.001"
    return f"p = {format_number(p_value, 3 if p_value < 0.01 else 2)}"


def _dispersion_words(dispersion: float, raw: float | None, df: int | None) -> str:
    on = f" on {format_count(df)} degrees of freedom" if df else ""
    if raw is not None and raw < 1.0:
        return f"dispersion {format_number(raw, 1)}{on}, taken as 1: no more variation than chance"
    if format_number(dispersion, 1) == "1.0":
        return f"dispersion 1.0{on}: the months vary about as much as chance alone would make them"
    return (f"dispersion {format_number(dispersion, 1)}{on}: the months vary about {format_number(dispersion, 1)} "
            "times as much as chance alone would make them")


def change_method_note(change: Change, what: str = "Changes in counts") -> str:
    """How a change was tested, in words a reader can skip: the method, the dispersion it allowed
    for, or why the exact test of two totals was used instead.

    "Changes in counts are tested with a quasi-Poisson model of the monthly counts that allows for
    the season and for month-to-month variation beyond chance (dispersion 4.9 on 23 degrees of
    freedom: ...); a change is called statistically significant when p < 0.05 (here p = 0.35)."
    """
    level = format_number(change.alpha, 2)
    p = format_p(change.p_value)
    if change.measure == "proportion":
        return (f"Changes in percentages are tested with the two-proportion z-test and given in percentage points; "
                f"a change is called statistically significant when p < {level} (here {p}).")
    if change.method_id == QUASI_CHANGE_ID:
        words = _dispersion_words(getattr(change, "dispersion", 1.0), getattr(change, "dispersion_raw", None),
                                  getattr(change, "dispersion_df", None))
        return (f"{what} are tested with a quasi-Poisson model of the monthly counts that allows for the season and "
                f"for month-to-month variation beyond chance ({words}); a change is called statistically significant "
                f"when p < {level} (here {p}).")
    reason = getattr(change, "fallback_reason", None) or "only the two totals are available"
    return (f"{what} are tested here with the exact test of the two totals, which assumes they vary only by chance, "
            f"because {reason}; where counts vary more than chance this test calls small changes significant "
            f"(here {p}).")


def trend_method_note(trend: Trend) -> str:
    """How a trend was tested, in words a reader can skip (the method and the dispersion allowed for)."""
    p = format_p(trend.p_value)
    dispersion = getattr(trend, "dispersion", None)
    reason = getattr(trend, "fallback_reason", None)
    if reason:
        return f"The trend is tested by {trend.method} ({p})."
    if dispersion is not None and trend.method_id and trend.method_id.startswith("quasi-poisson"):
        words = _dispersion_words(dispersion, getattr(trend, "dispersion_raw", None), getattr(trend, "dispersion_df", None))
        return (f"The trend is tested with a quasi-Poisson log-linear model that allows for variation beyond chance "
                f"({words}); {p}.")
    return f"The trend is tested by {trend.method} ({p})."


def benchmark_method_note(benchmark: str) -> str:
    """Why a comparison with a single benchmark figure (a national rate from the benchmarks file)
    cannot allow for the variation between areas, in words a reader can skip."""
    return (f"The comparison with {benchmark} is PHE's test (does {possessive(benchmark)} figure lie outside the 95% "
            "confidence interval of the local one?). No other areas' figures are in the data, so it cannot allow for "
            "the variation between areas, and on large counts it calls small differences significant.")


_ADJUSTMENT_WORDS = {
    "additive": "additive random-effects adjustment",
    "multiplicative": "multiplicative adjustment",
}


def funnel_method_note(funnel: FunnelAssessment, areas: str = "areas") -> str:
    """Which funnel limits were drawn and why, in words a reader can skip (Spiegelhalter 2005)."""
    od = funnel.overdispersion
    spread = (f"overdispersion {format_number(od.phi, 1)} across {format_count(od.n_areas)} {areas}, "
              f"chi-square {format_p(od.p_value)}")
    if funnel.adjustment_applied in _ADJUSTMENT_WORDS:
        return (f"The limits allow for the variation between {areas} beyond chance (Spiegelhalter's "
                f"method, {_ADJUSTMENT_WORDS[funnel.adjustment_applied]}; {spread}; see funnel plot in the glossary): an area outside them is unusual among "
                f"{areas} like these, not merely different from the average by more than chance.")
    if funnel.adjustment_requested == "none":
        return f"The limits are exact Poisson limits, with no allowance for variation between {areas} ({spread})."
    return (f"No variation between {areas} beyond chance was found ({spread}), so the limits are the exact Poisson "
            "limits (see funnel plot in the glossary).")


def describe_funnel_outside(funnel: FunnelAssessment, areas: str = "areas") -> str:
    """Every area outside the funnel's limits, by name: "Above the 99.8% limit: A and B. Between the
    95% and 99.8% limits, above: C." or "Every one of the 16 wards lies within the 95% limits.\""""
    groups = []
    labels = {"above": "above", "below": "below"}
    wide = f"{format_fraction_label(max(funnel.levels))}"
    narrow = f"{format_fraction_label(min(funnel.levels))}"
    positions = funnel.table["position"].astype(str)
    names = funnel.table["area"].astype(str)
    for side in ("above", "below"):
        beyond_wide = names[positions == f"{side} {wide}"].tolist()
        beyond_narrow = names[positions == f"{side} {narrow}"].tolist()
        if beyond_wide:
            groups.append(f"{labels[side].capitalize()} the {wide} limit: {_and(beyond_wide)}.")
        if beyond_narrow and narrow != wide:
            groups.append(f"{labels[side].capitalize()} the {narrow} limit only: {_and(beyond_narrow)}.")
    if not groups:
        return f"Every one of the {format_count(len(names))} {areas} lies within the {narrow} limits."
    return " ".join(groups)


def _and(names: list[str]) -> str:
    """``["A", "B", "C"]`` -> ``"A, B and C"``; names that hold "and" or a comma themselves are
    set apart with semicolons ("Chalk Newton; Hintock and Lulstead; and Emminster")."""
    if len(names) == 1:
        return names[0]
    if any(" and " in n or "," in n for n in names):
        return "; ".join(names[:-1]) + "; and " + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]
