"""A Fingertips indicator shown in a chapter, the same way in every chapter that uses one
(:mod:`assess.measure.indicators`): the CSP's published figure for the year with its 95% interval,
England's and the region's of the same period and method, the previous period, a trend where
the rate is crude, a table of every period held, and the metric. A CSP of several local authorities
gets their figures combined where the indicator allows it, and is told why not where it does not
(:func:`assess.measure.indicators.combined_indicator`)."""

from __future__ import annotations

import math
from collections.abc import Callable

from assess.measure.context import AssessmentContext
from assess.measure.indicators import (
    INDICATOR_KINDS,
    SOURCE,
    NotCombined,
    PublishedIndicator,
    combined_indicator,
    indicator_metric,
    listed_indicator,
    published_indicator,
)
from assess.measure.narrative import (
    describe_trend,
    format_count,
    format_rate,
    possessive,
)
from assess.report.outputs import ChapterOutputs
from assess.stats import change_in_rates, trend_in_counts

_VERDICT = {"significantly higher": "significantly higher than", "significantly lower": "significantly lower than",
            "similar": "not significantly different from"}


def _figure(value: float, per: int) -> str:
    return format_rate(value, 1 if per >= 100_000 or value >= 10 else 2)


def load(ctx: AssessmentContext, out: ChapterOutputs, metric: str, what: str) -> PublishedIndicator | None:
    """The indicator ``metric`` feeds for the CSP in this year, having said why when there is none."""
    indicator_id, name = listed_indicator(metric)
    codes = list(ctx.cfg.lad_codes)
    if len(codes) == 1:
        figure = published_indicator(ctx.indicators, metric, codes[0], ctx.year, ctx.cfg.national_name)
    else:
        figure = combined_indicator(ctx.indicators, metric, codes, ctx.year, ctx.cfg.national_name)
    if isinstance(figure, NotCombined):
        each = "; ".join(f"{area} {_figure(value, INDICATOR_KINDS[metric].per)} ({period})"
                         for area, value, period in figure.figures)
        out.say(f"*No figure for {what} for {ctx.cfg.name} as a whole: Fingertips publishes indicator "
                f"{figure.indicator_id} (\"{figure.name}\") for each of its local authorities, and their figures "
                f"cannot be combined: {figure.reason}.*" + (f" The authorities' own published figures: {each}." if each else ""))
        return None
    if figure is None:
        why = (f"the Fingertips export of indicator {indicator_id} (\"{name}\") for {ctx.cfg.name} "
               f"is not in the data, or holds no period ending by March {int(ctx.year[:4]) + 1}")
        out.say(f"*No published figure for {what}: {why}. Download it into `fingertips/` with `assess fetch` "
                "(see data/raw/README.md) to include it.*")
    return figure


def section(ctx: AssessmentContext, out: ChapterOutputs, metric: str, what: str, chapter: str, label: str,
            table_name: str, *, beside: Callable[[PublishedIndicator], str | None] | None = None) -> str | None:
    """A chapter's section on the indicator ``metric`` feeds: :func:`load` it (saying why when there
    is none), :func:`show` it under ``label`` in the table ``table_name``, with the sentence
    ``beside(figure)`` on the partner figure of the same measure, and keep its headline sentence
    as a finding (not displayed again). Returns the headline sentence, None without a figure."""
    figure = load(ctx, out, metric, what)
    if figure is None:
        return None
    headline = show(ctx, out, figure, chapter, label, table_name, beside=None if beside is None else beside(figure))
    out.finding(headline, display=False)
    return headline


def show(ctx: AssessmentContext, out: ChapterOutputs, figure: PublishedIndicator, chapter: str, label: str,
         table_name: str, *, beside: str | None = None) -> str:
    """Say, tabulate and record ``figure``; returns its headline sentence. ``beside`` is a sentence
    on the partner figure of the same measure shown above, when there is one."""
    kind = figure.kind
    local = figure.local
    if figure.combined_from:
        opening = (f"Combining OHID's Fingertips figures (indicator {figure.indicator_id}, \"{figure.name}\") for its "
                   f"{len(figure.combined_from)} local authorities, {figure.area_name} (their published counts and "
                   f"denominators summed, the 95% interval by {kind.interval_method}), gives ")
    else:
        opening = f"OHID's Fingertips (indicator {figure.indicator_id}, \"{figure.name}\"; published figures) gives "
    sentences = [
        opening +
        f"{ctx.cfg.name} {_figure(local.value, kind.per)} {kind.unit} in {figure.period} (95% interval "
        f"{_figure(local.lower, kind.per)} to {_figure(local.upper, kind.per)}"
        + (f"; {format_count(local.count)} of {format_count(round(local.denominator))} {kind.of}" if kind.crude
           and math.isfinite(local.denominator) else "")
        + f"), a {kind.method}" + (f", {kind.span}" if kind.span != "one year" else "") + "."
    ]
    for name, value in figure.comparators.items():
        verdict = figure.verdict(name)
        published = figure.published_verdicts.get(name)
        tail = f"; Fingertips: \"{published}\"" if published and published not in ("None", "Not compared") else ""
        sentences.append(
            f"That is {_VERDICT[verdict]} {possessive(name)} {_figure(value, kind.per)} (the same indicator, "
            f"period and method{tail})."
        )
    if figure.previous is not None:
        prev = figure.previous
        text = f"In {figure.previous_period} it was {_figure(prev.value, kind.per)}"
        if kind.crude and math.isfinite(prev.denominator) and math.isfinite(local.denominator):
            change = change_in_rates(prev, local)
            text += (f"; the change is {'not ' if change.verdict == 'no significant change' else ''}statistically "
                     f"significant (exact test of the two counts, p = {change.p_value:.3f}).")
        else:
            text += "; the change between two age-standardised rates is shown, not tested."
        sentences.append(text)
    if figure.combined_from:
        sentences.append(f"Fingertips publishes no figure for {ctx.cfg.name} as a whole, nor a comparison of it with "
                         "England: the verdicts above are PHE's rule applied to the combined figure.")
    if beside:
        sentences.append(beside)
    out.say(" ".join(sentences))
    table = figure.table.rename(columns={"time_period": "period", "value": f"{ctx.cfg.name} value",
                                         "lower_ci_95": "lower_95", "upper_ci_95": "upper_95"})
    counted = table["count"].notna() & table["denominator"].notna()
    if kind.crude and counted.sum() >= 3 and bool(counted.iloc[-3:].all()):
        rows = table[counted]
        trend = trend_in_counts(rows["count"].round().astype("int64").tolist(), rows["denominator"].astype(float).tolist())
        out.say(describe_trend(f"The published rate over {rows['period'].iloc[0]} to {rows['period'].iloc[-1]}", trend,
                               period="period"))
    value_cols = [c for c in table.columns if c.endswith(" value") or c in ("lower_95", "upper_95")]
    out.table(
        table_name,
        table,
        caption=f"{figure.name}, {kind.unit} ({kind.method}), {ctx.cfg.name} with England and the region by period"
        + (f" ({figure.area_name} combined: summed counts and denominators, the 95% interval by {kind.interval_method})"
           if figure.combined_from else ", with the published 95% interval and Fingertips' comparison with England")
        + f" (source: {SOURCE}, "
        f"indicator {figure.indicator_id}; {figure.source_file})",
        count_columns=["count"],
        derived={"count": [f"{ctx.cfg.name} value", "lower_95", "upper_95"]},
        decimals={c: 2 if kind.per < 100_000 else 1 for c in value_cols} | {"denominator": 0},
    )
    out.metric(indicator_metric(figure, chapter, label))
    return sentences[0]
