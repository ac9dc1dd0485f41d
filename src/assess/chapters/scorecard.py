"""Chapter 12: the partnership's performance scorecard.

The partnership's measures and targets come from the partner file ``scorecard_targets.yaml``
(:func:`assess.sources.partner.read_scorecard`): for each measure a metric id, a label, a
direction (``lower_is_better`` / ``higher_is_better``), a baseline year, a target (a change in
per cent on the baseline, or a value to reach) and an amber tolerance in per cent. The latest
values are the headline metrics the other chapters of this run wrote to
``output_dir/metrics/*.json`` (:func:`assess.report.outputs.load_metrics`), so the scorecard runs
after chapters 01-11.

For each measure:

- **baseline**: the value in the baseline year. Taken from the metric itself when the baseline
  year is the metric's period (its ``value``) or its previous period (its ``previous_value``).
  Otherwise, for measures counted from police.uk street records (``all_crime``,
  ``anti_social_behaviour`` and the police.uk category ids such as ``burglary``), it is counted
  from the processed street table for the baseline year, cut to the months this year holds
  (``ctx.street``), so it compares like with like. Any other measure without one has no baseline.
- **target**: the target value, or baseline x (1 + change_percent / 100).
- **direction of travel**: from the verdict of the metric's own test of change (or trend):
  "improving" when a significant change goes the way the measure wants, "worsening" when it
  goes the other way, "no significant change" otherwise, "not tested" without a verdict.
- **status** (:func:`rag_status`): green when the latest value meets the target; amber when it
  misses by no more than ``amber_tolerance_percent`` per cent of the target; red otherwise;
  "no data" when the metric (or the target) is absent.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import pandas as pd

from assess.chapters import common
from assess.measure import narrative
from assess.measure.context import AssessmentContext
from assess.periods import financial_year_of, parse_financial_year
from assess.report import outputs
from assess.report.outputs import ChapterOutputs
from assess.store.harmonise import ASB, POLICE_UK_CATEGORIES, category_id

CHAPTER = "12_scorecard"
SCORECARD = "scorecard"
SOURCE = "Partnership scorecard targets (partner file scorecard_targets.yaml); this assessment's headline metrics"

Status = Literal["green", "amber", "red", "no data"]
STATUSES: tuple[Status, ...] = ("green", "amber", "red", "no data")
Direction = Literal["lower_is_better", "higher_is_better"]

#: Background and text colours of each status in the displayed table (GOV.UK design system colours).
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "green": ("#00703c", "#ffffff"),
    "amber": ("#ffdd00", "#0b0c0c"),
    "red": ("#d4351c", "#ffffff"),
    "no data": ("#b1b4b6", "#0b0c0c"),
}

#: Metric ids whose baseline can be counted from police.uk street records: id -> (asb, category).
STREET_MEASURES: dict[str, tuple[bool | None, str | None]] = {
    "all_crime": (False, None),
    category_id(ASB): (True, None),
    **{category_id(c): (None, c) for c in POLICE_UK_CATEGORIES if c != ASB},
}

_MONTH_RANGE = re.compile(r"^(\d{4})-(\d{2}) to (\d{4})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FY = re.compile(r"^(\d{4}/\d{2})(?: Q[1-4])?$")


# --- pure functions ---------------------------------------------------------------------------


def rag_status(latest: float | None, target: float | None, direction: str, tolerance_percent: float) -> Status:
    """Red/amber/green status of a measure against its target.

    - "green": the target is met (``latest <= target`` when lower is better, ``>=`` when higher is);
    - "amber": missed by no more than ``tolerance_percent`` per cent of the target's size
      (``|latest - target| <= |target| * tolerance_percent / 100``);
    - "red": missed by more;
    - "no data": ``latest`` or ``target`` is missing (None or NaN).

    Raises ValueError for an unknown ``direction`` or a negative tolerance.
    """
    if direction not in ("lower_is_better", "higher_is_better"):
        raise ValueError(f"direction must be 'lower_is_better' or 'higher_is_better', not {direction!r}")
    if tolerance_percent is None or math.isnan(tolerance_percent) or tolerance_percent < 0:
        raise ValueError(f"tolerance_percent must be 0 or more, not {tolerance_percent!r}")
    if latest is None or target is None or math.isnan(latest) or math.isnan(target):
        return "no data"
    shortfall = latest - target if direction == "lower_is_better" else target - latest
    if shortfall <= 0:
        return "green"
    if shortfall <= abs(target) * tolerance_percent / 100.0:
        return "amber"
    return "red"


def target_value(baseline: float | None, change_percent: float | None, value: float | None) -> float | None:
    """The value to reach: ``value`` when given, else ``baseline * (1 + change_percent / 100)``.

    None when the target is a change and there is no baseline.
    """
    if value is not None and not math.isnan(value):
        return float(value)
    if change_percent is None or math.isnan(change_percent) or baseline is None or math.isnan(baseline):
        return None
    return float(baseline) * (1.0 + float(change_percent) / 100.0)


def direction_of_travel(verdict: str | None, direction: str) -> str:
    """"improving", "worsening", "no significant change" or "not tested", from a metric's verdict.

    Verdicts of change ("increase"/"decrease") and of trend ("rising"/"falling") are both read.
    """
    if verdict in ("increase", "rising"):
        return "worsening" if direction == "lower_is_better" else "improving"
    if verdict in ("decrease", "falling"):
        return "improving" if direction == "lower_is_better" else "worsening"
    if verdict in ("no significant change", "no significant trend"):
        return "no significant change"
    return "not tested"


def period_financial_year(period: str | None) -> str | None:
    """The financial year a metric period lies in: ``"2024/25"``, ``"2024/25 Q2"`` and
    ``"2024-04 to 2024-09"`` -> ``"2024/25"``; a bare calendar year ``"2024"`` stays ``"2024"``;
    None for a period that spans two financial years (or None)."""
    if not period:
        return None
    p = str(period).strip()
    if m := _FY.match(p):
        return m.group(1)
    if m := _MONTH_RANGE.match(p):
        a = financial_year_of(int(m.group(1)), int(m.group(2)))
        b = financial_year_of(int(m.group(3)), int(m.group(4)))
        return a if a == b else None
    if m := _MONTH.match(p):
        return financial_year_of(int(m.group(1)), int(m.group(2)))
    if re.fullmatch(r"\d{4}", p):
        return p
    return None


def baseline_from_metric(metric: Mapping[str, Any] | None, baseline_year: str) -> float | None:
    """The metric's own value in ``baseline_year``: its value or previous value whose period is that year."""
    if not metric:
        return None
    if period_financial_year(metric.get("period")) == baseline_year and metric.get("value") is not None:
        return float(metric["value"])
    if period_financial_year(metric.get("previous_period")) == baseline_year and metric.get("previous_value") is not None:
        return float(metric["previous_value"])
    return None


def is_count_metric(metric: Mapping[str, Any] | None) -> bool:
    """True when a metric's value is a count (its unit is not a rate, share or percentage)."""
    if not metric:
        return True
    unit = str(metric.get("unit", "")).lower()
    return "per " not in unit and "%" not in unit and "percent" not in unit and "rate" not in unit


def baseline_from_street(ctx: AssessmentContext, measure_id: str, baseline_year: str) -> float | None:
    """Records of a police.uk measure (all_crime, anti_social_behaviour or a category id) in the
    baseline financial year, cut to the months this year holds; None for any other measure, a
    baseline that is not a financial year, or a year without records."""
    if measure_id not in STREET_MEASURES:
        return None
    try:
        parse_financial_year(baseline_year)
    except Exception:  # noqa: BLE001 - a calendar-year baseline is not a police.uk year
        return None
    if baseline_year not in set(ctx.street_all["financial_year"].dropna().drop_duplicates().astype(str)):
        return None
    asb, category = STREET_MEASURES[measure_id]
    df = ctx.street(baseline_year, asb=asb)
    if category is not None:
        df = df[df["category"] == category]
    return float(len(df))


BaselineLookup = Callable[[str, str], "float | None"]


def scorecard_table(
    measures: pd.DataFrame,
    metrics: Mapping[str, Mapping[str, Any]],
    street_baseline: BaselineLookup | None = None,
) -> pd.DataFrame:
    """One row per measure: baseline, latest, target, direction of travel and RAG status.

    ``measures`` has the columns of :func:`assess.sources.partner.read_scorecard`; ``metrics``
    are this run's metrics by id; ``street_baseline(id, year)`` counts a baseline from police.uk
    (see :func:`baseline_from_street`) when the metric does not carry one.

    Columns: id, measure, unit, direction, baseline_year, baseline, baseline_source, latest_period,
    latest, target, target_rule, change_since_baseline_percent, verdict, direction_of_travel, status.
    """
    rows = []
    for m in measures.itertuples(index=False):
        metric = metrics.get(str(m.id))
        baseline = baseline_from_metric(metric, str(m.baseline_year))
        baseline_source = "metric" if baseline is not None else ""
        if baseline is None and street_baseline is not None and is_count_metric(metric):
            baseline = street_baseline(str(m.id), str(m.baseline_year))
            baseline_source = "police.uk" if baseline is not None else ""
        change_pct = None if pd.isna(m.target_change_percent) else float(m.target_change_percent)
        value = None if pd.isna(m.target_value) else float(m.target_value)
        target = target_value(baseline, change_pct, value)
        if value is not None:
            rule = "value"
        else:
            rule = f"{narrative.format_percent(change_pct, signed=True)} on {m.baseline_year}"
        latest = None
        if metric is not None and metric.get("value") is not None and not metric.get("suppressed"):
            latest = float(metric["value"])
        since = None
        if latest is not None and baseline not in (None, 0.0):
            since = 100.0 * (latest / baseline - 1.0)
        verdict = metric.get("verdict") if metric else None
        rows.append(
            {
                "id": str(m.id),
                "measure": str(m.label),
                "unit": str(metric.get("unit", "")) if metric else "",
                "direction": str(m.direction),
                "baseline_year": str(m.baseline_year),
                "baseline": baseline,
                "baseline_source": baseline_source,
                "latest_period": str(metric.get("period", "")) if metric else "",
                "latest": latest,
                "target": target,
                "target_rule": rule,
                "change_since_baseline_percent": since,
                "verdict": verdict or "",
                "direction_of_travel": direction_of_travel(verdict, str(m.direction)) if metric else "no data",
                "status": rag_status(latest, target, str(m.direction), float(m.amber_tolerance_percent)),
            }
        )
    columns = ["id", "measure", "unit", "direction", "baseline_year", "baseline", "baseline_source", "latest_period",
               "latest", "target", "target_rule", "change_since_baseline_percent", "verdict", "direction_of_travel",
               "status"]
    table = pd.DataFrame(rows, columns=columns)
    for c in ("baseline", "latest", "target", "change_since_baseline_percent"):
        table[c] = pd.to_numeric(table[c], errors="coerce").astype("float64")
    return table


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    """Number of measures of each status (every status present, zero included)."""
    counts = table["status"].value_counts() if not table.empty else pd.Series(dtype="int64")
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def as_published_numbers(values: pd.Series, decimals: int = 2) -> pd.Series:
    """Figures for a published table: whole numbers as ints (``30403``), others rounded to
    ``decimals`` places, missing as None (object dtype, so CSV, xlsx and HTML show no stray ``.0``)."""
    def tidy(v: object) -> object:
        if v is None or pd.isna(v):  # type: ignore[arg-type]
            return None
        f = round(float(v), decimals)  # type: ignore[arg-type]
        return int(f) if f.is_integer() else f

    return pd.Series([tidy(v) for v in values], index=values.index, dtype=object, name=values.name)


def published_table(table: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as published: readable column names, figures to at most 2 decimal places
    (:func:`as_published_numbers`), the status as a plain word."""
    shown = table.assign(**{c: as_published_numbers(table[c]) for c in ("baseline", "latest", "target")})
    return shown[["measure", "unit", "baseline_year", "baseline", "latest_period", "latest", "target", "target_rule",
                  "direction_of_travel", "status"]].rename(
        columns={"measure": "Measure", "unit": "Unit", "baseline_year": "Baseline year", "baseline": "Baseline",
                 "latest_period": "Latest period", "latest": "Latest", "target": "Target", "target_rule": "Target rule",
                 "direction_of_travel": "Direction of travel", "status": "Status"}
    )


def styled(table: pd.DataFrame, caption: str | None = None, status_column: str = "Status") -> Any:
    """A pandas Styler of the published scorecard with the status cells coloured (display only;
    the status is also written as a word, so the colour is never the only signal)."""

    def colour(value: object) -> str:
        bg, fg = STATUS_COLOURS.get(str(value), ("", ""))
        return f"background-color: {bg}; color: {fg}; font-weight: bold" if bg else ""

    def number(value: object) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return narrative.format_value(float(value))
        return str(value)

    # a fixed table id (pandas draws a random one), so the same scorecard gives the same HTML;
    # every cell, header and the caption HTML-escaped: the labels come from the partnership's file
    styler = (
        table.style.set_uuid("scorecard").map(colour, subset=[status_column]).format(number, escape="html")
        .format_index(escape="html", axis=1).hide(axis="index")
    )
    return styler.set_caption(html.escape(caption)) if caption else styler


# --- section ----------------------------------------------------------------------------------


def scorecard(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The scorecard: each measure's baseline, latest value, target, direction of travel and status."""
    measures = ctx.partner(SCORECARD)
    if measures is None or measures.empty:
        common.missing(ctx, out, "the partnership's scorecard targets", SCORECARD)
        return
    reading = set(outputs.run_registry(out.output_dir).reading_chapters())
    loaded = [m for m in outputs.load_metrics(out.output_dir) if m.get("chapter") not in reading]
    dups = outputs.duplicate_ids(loaded)
    if dups:
        out.note("Metric ids written by more than one chapter (the first is used): "
                 + "; ".join(f"{k} ({', '.join(v)})" for k, v in dups.items()) + ".")
    metrics = outputs.metrics_by_id(loaded, strict=False)
    table = scorecard_table(measures, metrics, lambda i, y: baseline_from_street(ctx, i, y))
    shown = published_table(table)
    caption = (
        f"Partnership scorecard, {ctx.year}: baseline, latest value, target and status (green: target met; "
        "amber: within the tolerance of the target; red: missed; no data: no figure this year). "
        f"Source: {SOURCE}."
    )
    out.table("scorecard", shown, caption=caption, suppress=False, display=False)
    out.show(styled(shown, caption))  # the table coloured by status
    counts = status_counts(table)
    n = len(table)
    parts = [f"{narrative.format_count(counts[s])} {s}" for s in STATUSES if counts[s]]
    out.say(f"Of the {narrative.format_count(n)} measures on the scorecard: " + ", ".join(parts) + ".")
    no_data = table.loc[table["status"] == "no data", "measure"].tolist()
    if no_data:
        out.say("No figure (or no target) this year for: " + "; ".join(no_data) + ".")
    red = table.loc[table["status"] == "red", "measure"].tolist()
    if red:
        out.finding(f"{narrative.format_count(len(red))} of {narrative.format_count(n)} scorecard measures missed "
                    "their target by more than the tolerance: " + "; ".join(red) + ".")
    worse = table.loc[table["direction_of_travel"] == "worsening", "measure"].tolist()
    if worse:
        out.say("Statistically significant changes in the wrong direction: " + "; ".join(worse) + ".")
    from_street = table.loc[table["baseline_source"] == "police.uk", "measure"].tolist()
    if from_street:
        out.note("Baselines counted from police.uk street records (same months as this year) for: "
                 + "; ".join(from_street) + ".")
    emit_status_metrics(ctx, out, counts)


def emit_status_metrics(ctx: AssessmentContext, out: ChapterOutputs, counts: Mapping[str, int]) -> None:
    """The counts of green, amber and red measures as metrics ``scorecard_green`` ... ``scorecard_red``."""
    from assess.measure.metrics import Metric

    for status in ("green", "amber", "red"):
        out.metric(Metric(
            id=f"scorecard_{status}", label=f"Scorecard measures rated {status}", chapter=CHAPTER,
            value=float(counts[status]), unit="measures", period=ctx.year, source=SOURCE,
        ))
