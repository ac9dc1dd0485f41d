"""Numbers and sentences for the report, made only from computed objects.

Every number in a sentence comes from the arguments (a :class:`~assess.stats.Change`,
:class:`~assess.stats.Rate`, ...), never from the text of this module, so the prose cannot
disagree with the tables. House style (GOV.UK / GSS): thousands separators (27,301), rates to one
decimal place (121.3 per 1,000), percentages to one decimal place with a sign where they are
changes (+10.7%), "statistically significant" only where a test says so.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from assess.errors import StatisticsError
from assess.stats.change import Change
from assess.stats.compare import Comparison, GroupComparison
from assess.stats.concentration import RepeatOffending, places_in_top
from assess.stats.intervals import Proportion, Rate
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


def format_share(fraction: float, decimals: int = 1) -> str:
    """A fraction as a percentage: ``0.308`` -> ``"30.8%"``."""
    return format_percent(100.0 * fraction, decimals)


def format_percentage_points(fraction_difference: float, decimals: int = 1, signed: bool = True) -> str:
    """A difference of two fractions in percentage points: ``0.042`` -> ``"+4.2 percentage points"``."""
    return format_percent(100.0 * fraction_difference, decimals, signed)[:-1] + " percentage points"


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
    ``name`` is the owner of the rate ("Its", "Southampton"); possessives are formed for you.
    """
    if not math.isclose(comparison.value, rate.value, rel_tol=1e-12, abs_tol=1e-12):
        raise StatisticsError("the comparison was not made for this rate (their values differ)")
    phrase = _COMPARISON_PHRASE[comparison.verdict]
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
    the group."
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
    return (
        f"{name} had the {position} rate of the {format_count(group.n)} areas in {group_name}, "
        f"{format_rate(group.rate.value)} {first_unit} against {format_rate(group.group_rate)} "
        f"{per_label(group.per)} for the group as a whole, {verdict}."
    )


def describe_trend(label: str, trend: Trend, period: str = "year") -> str:
    """One sentence on a trend over ``trend.n_periods`` periods (``period``: "year", "month", ...).

    "Burglary fell by an average of 2.1% a month over the 12 months, a statistically significant
    falling trend."
    """
    n = trend.n_periods
    span = f"over the {format_count(n)} {_plural(period, n)}"
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
    """One sentence on concentration: "The 10% of wards with the most crime (3 of 25 wards)
    accounted for 34.2% of it." ``share`` is :func:`assess.stats.top_share` for ``fraction``."""
    k = places_in_top(n_places, fraction)
    return (
        f"The {format_fraction_label(fraction)} of {places} with the most {what} "
        f"({format_count(k)} of {format_count(n_places)} {places}) accounted for {format_share(share)} of it."
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
