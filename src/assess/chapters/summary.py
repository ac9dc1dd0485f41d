"""Chapter 0: the executive summary, gathered from what the other chapters of the run wrote.

It runs last (after chapters 01-11 and the scorecard) and reads their fragments in the shared
``output_dir`` (:mod:`assess.report.outputs`): the key findings of each chapter, in chapter order,
under a link to the chapter; the headline figures; and the partnership's priorities
(``cfg.priorities``), each with the findings that bear on it. It computes nothing new and emits no
metric: every number it shows was computed by the chapter that wrote it. A chapter that left no
fragment (it failed, or was not run) is named, never passed over in silence.

Chapters and priorities: each chapter's theme is declared in the chapter registry
(``notebooks/chapters.yaml``, :mod:`assess.registry`); a theme bears on every configured priority
whose text contains one of its keywords (:meth:`assess.registry.Theme.priorities`), else on the
priority at its default position. With the default priorities, findings on crime, reoffending and
ASB go to priority 1, drugs and alcohol to 2, vulnerable people and hate crime to 3, youth (and
reoffending) to 4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from assess.measure import narrative
from assess.measure.context import AssessmentContext
from assess.measure.metrics import is_percent_unit, value_decimals
from assess.registry import Registry, Theme, sort_key
from assess.report import outputs
from assess.report.outputs import ChapterOutputs

CHAPTER = "00_summary"


def theme_of_chapter(chapter: str, registry: Registry) -> Theme | None:
    """The theme a chapter's findings bear on (declared in the registry), or None."""
    c = registry.get(chapter)
    return c.theme_of if c is not None else None


def findings_by_priority(
    findings: Mapping[str, Sequence[str]], priorities: Sequence[str], registry: Registry
) -> dict[str, list[tuple[str, str]]]:
    """Each priority (in order) with the (chapter, finding) pairs that bear on it, chapters in order."""
    out: dict[str, list[tuple[str, str]]] = {p: [] for p in priorities}
    for chapter in sorted(findings, key=sort_key):
        theme = theme_of_chapter(chapter, registry)
        if theme is None:
            continue
        for index in theme.priorities(priorities):
            out[priorities[index]].extend((chapter, text) for text in findings[chapter])
    return out


#: How comparator keys of metrics read in the headline table (others: underscores become spaces).
COMPARATOR_NAMES: dict[str, str] = {
    "england": "England",
    "wales": "Wales",
    "england_and_wales": "England and Wales",
    "msg_average": "most similar group",
    "force": "force area",
}


def comparator_name(key: str) -> str:
    """``"msg_average"`` -> ``"most similar group"``; ``"england_and_wales"`` -> ``"England and Wales"``."""
    return COMPARATOR_NAMES.get(key, COMPARATOR_NAMES.get(key.lower(), key.replace("_", " ")))


def _float(value: Any) -> float:
    return float(value) if value is not None and not (isinstance(value, float) and math.isnan(value)) else math.nan


#: The headline table's columns. A change is in one of two columns: the relative change of a count
#: or rate ("Change (%)"), or the change of a percentage in percentage points; never both.
HEADLINE_COLUMNS = ["Measure", "Chapter", "Period", "Value", "Unit", "Rate", "Rate per", "Change (%)",
                    "Change (percentage points)", "Verdict", "Comparison"]


def _shown_value(m: Mapping[str, Any]) -> object:
    """A metric's value as every surface shows it: rounded once to the metric's display places
    (:func:`assess.measure.metrics.value_decimals`), whole numbers as ints, missing as None."""
    value = _float(m.get("value"))
    if math.isnan(value):
        return None
    places = value_decimals(value, str(m.get("unit") or ""), m.get("decimals"))
    shown = narrative.rounded(value, places)
    return int(shown) if places == 0 else shown


def headline_table(metrics: Sequence[Mapping[str, Any]], registry: Registry) -> pd.DataFrame:
    """The headline figures as a table.

    Columns (:data:`HEADLINE_COLUMNS`): Measure, Chapter, Period, Value (to the places the metric
    is shown to everywhere, whole numbers as ints), Unit, Rate (one decimal place), Rate per,
    Change (%) (relative change of a count or rate), Change (percentage points) (change of a
    percentage), Verdict, Comparison (the verdicts against each comparator, "England: similar;
    ..."). Every figure is rounded once, as the index and the chapters round it. Suppressed
    metrics keep their row with no value and "suppressed" in Verdict.
    """
    rows = []
    values: list[object] = []
    for m in outputs.headline_metrics(metrics, registry.reading_chapters()):
        chapter = str(m.get("chapter"))
        values.append(_shown_value(m))
        comparisons = "; ".join(f"{comparator_name(k)}: {v}" for k, v in (m.get("comparison_verdicts") or {}).items())
        rows.append(
            {
                "Measure": str(m.get("label", m["id"])),
                "Chapter": registry.title(chapter),
                "Period": str(m.get("period", "")),
                "Value": None,
                "Unit": str(m.get("unit", "")),
                "Rate": _float(m.get("rate")),
                "Rate per": f"{int(m['rate_per']):,}" if m.get("rate_per") else "",
                "Change (%)": _float(m.get("change_percent")),
                "Change (percentage points)": _float(m.get("change_percentage_points")),
                "Verdict": "suppressed" if m.get("suppressed") else str(m.get("verdict") or ""),
                "Comparison": comparisons,
            }
        )
    table = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    table = table.astype({"Rate": "float64", "Change (%)": "float64", "Change (percentage points)": "float64"})
    table["Value"] = pd.Series(values, index=table.index, dtype=object)  # ints stay ints, missing stays None
    return narrative.round_table(table, {"Rate": 1, "Change (%)": 1, "Change (percentage points)": 1})


def chapter_link(chapter: str, title: str) -> str:
    """A Markdown link to a chapter's page in the bundle (``<chapter>.html`` beside the summary)."""
    return f"[{title}]({chapter}.html)"


def headline_sentence(metric: Mapping[str, Any]) -> str | None:
    """One sentence on a metric from its own fields and its display figures, as the index shows them
    ("All crime: 12,345 crimes in 2024/25, +3.2% on 2023/24 (increase)"; a percentage's change in
    percentage points)."""
    if metric.get("suppressed") or metric.get("value") is None:
        return None
    shown = metric.get("display") or {}
    unit = str(metric.get("unit") or "")
    value = shown.get("value") or narrative.format_value(float(metric["value"]))
    words = "" if is_percent_unit(unit) else f" {unit}"
    text = f"{metric.get('label', metric['id'])}: {value}{words} in {metric.get('period')}"
    change = shown.get("change")
    if change is None and metric.get("change_percent") is not None:
        change = narrative.format_percent(float(metric["change_percent"]), signed=True)
    if change and metric.get("previous_period"):
        text += f", {change} on {metric['previous_period']} ({metric.get('verdict') or 'not tested'})"
    return text + "."


@dataclass(frozen=True)
class RunStatus:
    """Which chapters of the run left fragments, which left none and which stopped with an error."""

    expected: list[str]
    present: list[str]
    missing: list[str]
    failed: list[str]


def run_status(output_dir: str | Path, registry: Registry) -> RunStatus:
    """The chapters of the registry (expected), those that left fragments (present), those that
    left none (missing) and those that stopped with an error (failed), the summary aside."""
    reading = set(registry.reading_chapters())
    present = [c for c in outputs.chapters_with_fragments(output_dir) if c not in reading]
    missing = outputs.missing_chapters(output_dir, registry)
    failed = [c for c in outputs.failed_chapters(output_dir) if c != CHAPTER]
    return RunStatus(registry.names, present, missing, failed)


# --- sections ---------------------------------------------------------------------------------


def chapters_run(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Say which chapters this summary draws on, and name any that are missing or failed."""
    registry = outputs.run_registry(out.output_dir)
    status = run_status(out.output_dir, registry)
    if status.present:
        out.say(
            f"This summary draws on {narrative.format_count(len(status.present))} chapters of the assessment of "
            f"{ctx.cfg.display_name} for {ctx.year}."
        )
    if status.missing:
        names = ", ".join(f"{registry.title(c)} ({c})" for c in status.missing)
        text = (f"**Missing chapters:** {names} left no results (the chapter failed or was not run), so this summary "
                "does not cover them.")
        out.say(text)
        out.note(f"Chapters missing from this summary: {', '.join(status.missing)}.", display=False)
    failed = [c for c in status.failed if c not in status.missing]
    if failed:
        names = ", ".join(f"{registry.title(c)} ({c})" for c in failed)
        out.say(f"**Incomplete chapters:** {names} stopped with an error; their findings below may be incomplete.")
    if not status.missing and not failed:
        out.say("Every chapter of the assessment completed.")


def key_findings(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The key findings of every chapter, in chapter order, each under a link to its chapter."""
    findings = {c: f for c, f in outputs.load_findings(out.output_dir).items() if c != CHAPTER}
    if not any(findings.values()):
        out.say("*No chapter recorded a key finding in this run.*")
        return
    registry = outputs.run_registry(out.output_dir)
    for chapter, texts in findings.items():
        if not texts:
            continue
        out.say(f"**{chapter_link(chapter, registry.title(chapter))}**\n\n" + "\n".join(f"- {t}" for t in texts))


def headline_figures(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The headline figures of the assessment (all crime, ASB and each chapter's lead figure)."""
    registry = outputs.run_registry(out.output_dir)
    reading = set(registry.reading_chapters())
    metrics = [m for m in outputs.load_metrics(out.output_dir) if str(m.get("chapter")) not in reading]
    if not metrics:
        out.say("*No chapter recorded a headline figure in this run.*")
        return
    dups = outputs.duplicate_ids(metrics)
    if dups:
        out.note("Metric ids written by more than one chapter (the first is shown): "
                 + "; ".join(f"{k} ({', '.join(v)})" for k, v in dups.items()) + ".")
    table = headline_table(metrics, registry)
    by_id = outputs.metrics_by_id(metrics, strict=False)
    for mid in ("all_crime", "anti_social_behaviour"):
        sentence = headline_sentence(by_id[mid]) if mid in by_id else None
        if sentence:
            out.say(sentence)
    out.table(
        "headline_figures",
        table,
        caption=f"Headline figures, {ctx.cfg.name}, {ctx.year}: value, change on the previous period and its verdict "
        "(statistical significance at 5%). Source: the chapters of this assessment (each names its sources).",
        suppress=False,
    )


def priorities(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The partnership's priorities, each with the key findings that bear on it."""
    registry = outputs.run_registry(out.output_dir)
    reading = set(registry.reading_chapters())
    findings = {c: f for c, f in outputs.load_findings(out.output_dir).items() if c not in reading}
    grouped = findings_by_priority(findings, ctx.cfg.priorities, registry)
    for number, (priority, items) in enumerate(grouped.items(), start=1):
        if items:
            body = "\n".join(f"- {text} ({chapter_link(chapter, registry.title(chapter))})" for chapter, text in items)
        else:
            body = "- *No finding of this run bears directly on this priority.*"
        out.say(f"**Priority {number}: {priority}**\n\n{body}")
