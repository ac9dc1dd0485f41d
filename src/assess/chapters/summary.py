"""Chapter 0: the executive summary, gathered from what the other chapters of the run wrote.

It runs last (after chapters 01-11 and the scorecard) and reads their fragments in the shared
``output_dir`` (:mod:`assess.report.fragments`): the key findings of each chapter, in chapter order,
under a link to the chapter; the headline figures; and the partnership's priorities
(``cfg.priorities``), each with the findings that bear on it. It computes nothing new and emits no
metric: every number it shows was computed by the chapter that wrote it. A chapter that left no
fragment (it failed, or was not run) is named, never passed over in silence.

Chapters and priorities (:data:`THEMES`): a chapter belongs to the first theme whose chapter
keywords appear in its name (``08_hate_crime`` -> "vulnerable people"), the themes being tried in
the order below, so that "youth crime" is youth before it is crime. A theme bears on every
configured priority whose text contains one of its priority keywords (and none of its excluded
words); when no priority names it, on the priority at its default position in
:data:`assess.config.DEFAULT_PRIORITIES` (crime, reoffending and ASB -> 1; drugs and alcohol -> 2;
vulnerable people and hate crime -> 3; youth -> 4), when the configuration has one there.

======================  ===========================================  ==========================================
theme                   chapter name contains                        priority text contains (not)
======================  ===========================================  ==========================================
youth                   youth, young                                 youth, young
drugs and alcohol       drug, alcohol, substance, night_time,        drug, alcohol, substance
                        licens
vulnerable people       vulnerab, hate, domestic, exploit, sexual,   vulnerab, safeguard, protect, exploit,
                        missing, safeguard                           hate
reoffending             reoffend, offender                           reoffend, offender
anti-social behaviour   asb, anti_social, perception, begging,       anti-social, antisocial, asb, nuisance,
                        rough_sleep, street_                         begging, rough sleep
crime                   crime, offence, violence, place, ward,       crime, violence, offence, burglary, theft
                        hotspot, context, overview, calls            (not: youth, young, hate)
======================  ===========================================  ==========================================

With the default priorities, findings on crime, reoffending and ASB go to priority 1, drugs and
alcohol to 2, vulnerable people and hate crime to 3, youth (and reoffending) to 4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from assess.chapters import common
from assess.chapters.scorecard import as_published_numbers
from assess.measure import narrative
from assess.measure.context import AssessmentContext
from assess.report import fragments
from assess.report.outputs import ChapterOutputs

CHAPTER = "00_summary"


@dataclass(frozen=True)
class Theme:
    """A group of chapters and the words by which a partnership priority names it."""

    name: str
    chapter_keywords: tuple[str, ...]
    priority_keywords: tuple[str, ...]
    default_position: int  # 0-based index into DEFAULT_PRIORITIES
    priority_excludes: tuple[str, ...] = ()


#: Themes in matching order (see the module docstring).
THEMES: tuple[Theme, ...] = (
    Theme("youth", ("youth", "young"), ("youth", "young"), 3),
    Theme("drugs and alcohol", ("drug", "alcohol", "substance", "night_time", "licens"),
          ("drug", "alcohol", "substance"), 1),
    Theme("vulnerable people", ("vulnerab", "hate", "domestic", "exploit", "sexual", "missing", "safeguard"),
          ("vulnerab", "safeguard", "protect", "exploit", "hate"), 2),
    Theme("reoffending", ("reoffend", "offender"), ("reoffend", "offender"), 0),
    Theme("anti-social behaviour", ("asb", "anti_social", "perception", "begging", "rough_sleep", "street_"),
          ("anti-social", "antisocial", "asb", "nuisance", "begging", "rough sleep"), 0),
    Theme("crime", ("crime", "offence", "violence", "place", "ward", "hotspot", "context", "overview", "calls"),
          ("crime", "violence", "offence", "burglary", "theft"), 0, ("youth", "young", "hate")),
)

#: Headline metric ids shown first in the headline table, when the run has them.
HEADLINE_IDS: tuple[str, ...] = (
    "all_crime",
    "anti_social_behaviour",
    "violence_and_sexual_offences",
    "hate_crime",
    "domestic_abuse",
    "domestic_violence_share",
    "sexual_offences_rate",
)


# --- pure functions ---------------------------------------------------------------------------


def chapter_slug(chapter: str) -> str:
    """``"08_hate_crime"`` -> ``"hate_crime"``."""
    return chapter.split("_", 1)[1] if fragments.chapter_number(chapter) is not None else chapter


def theme_of_chapter(chapter: str) -> Theme | None:
    """The theme a chapter belongs to (first keyword match in :data:`THEMES` order), or None."""
    slug = chapter_slug(chapter).lower()
    if slug in ("summary", "scorecard"):
        return None
    for theme in THEMES:
        if any(k in slug for k in theme.chapter_keywords):
            return theme
    return None


def priorities_of_theme(theme: Theme, priorities: Sequence[str]) -> list[int]:
    """Indexes of the priorities a theme bears on (see the module docstring); may be empty."""
    hits = [
        i for i, p in enumerate(priorities)
        if any(k in p.lower() for k in theme.priority_keywords) and not any(x in p.lower() for x in theme.priority_excludes)
    ]
    if hits:
        return hits
    return [theme.default_position] if theme.default_position < len(priorities) else []


def findings_by_priority(
    findings: Mapping[str, Sequence[str]], priorities: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """Each priority (in order) with the (chapter, finding) pairs that bear on it, chapters in order."""
    out: dict[str, list[tuple[str, str]]] = {p: [] for p in priorities}
    for chapter in sorted(findings, key=fragments.chapter_sort_key):
        theme = theme_of_chapter(chapter)
        if theme is None:
            continue
        for index in priorities_of_theme(theme, priorities):
            out[priorities[index]].extend((chapter, text) for text in findings[chapter])
    return out


def headline_metrics(metrics: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The metrics of the headline table: :data:`HEADLINE_IDS` present, then the first metric of
    every other chapter (its lead figure), in chapter order; the scorecard's counts are left out."""
    by_id = fragments.metrics_by_id(metrics, strict=False)
    chosen = [by_id[i] for i in HEADLINE_IDS if i in by_id]
    have_chapters = {m.get("chapter") for m in chosen}
    for m in by_id.values():
        chapter = str(m.get("chapter"))
        if chapter in have_chapters or chapter_slug(chapter) in ("scorecard", "summary"):
            continue
        chosen.append(m)
        have_chapters.add(chapter)
    order = {i: k for k, i in enumerate(HEADLINE_IDS)}
    return sorted(chosen, key=lambda m: (order.get(m["id"], len(order)), fragments.chapter_sort_key(str(m.get("chapter")))))


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


def headline_table(metrics: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> pd.DataFrame:
    """The headline figures as a table.

    Columns: Measure, Chapter, Period, Value (whole numbers as ints, else to 2 places), Unit, Rate,
    Rate per, Change (%), Verdict, Comparison (the PHE verdicts against each comparator, "England:
    similar; ..."). Suppressed metrics keep their row with no value and "suppressed" in Verdict.
    """
    rows = []
    for m in headline_metrics(metrics):
        chapter = str(m.get("chapter"))
        comparisons = "; ".join(f"{comparator_name(k)}: {v}" for k, v in (m.get("comparison_verdicts") or {}).items())
        rows.append(
            {
                "Measure": str(m.get("label", m["id"])),
                "Chapter": titles.get(chapter, fragments.chapter_title(chapter)),
                "Period": str(m.get("period", "")),
                "Value": _float(m.get("value")),
                "Unit": str(m.get("unit", "")),
                "Rate": _float(m.get("rate")),
                "Rate per": f"{int(m['rate_per']):,}" if m.get("rate_per") else "",
                "Change (%)": _float(m.get("change_percent")),
                "Verdict": "suppressed" if m.get("suppressed") else str(m.get("verdict") or ""),
                "Comparison": comparisons,
            }
        )
    columns = ["Measure", "Chapter", "Period", "Value", "Unit", "Rate", "Rate per", "Change (%)", "Verdict", "Comparison"]
    table = pd.DataFrame(rows, columns=columns)
    table = table.astype({"Value": "float64", "Rate": "float64", "Change (%)": "float64"})
    table["Value"] = as_published_numbers(table["Value"])
    return table.round({"Rate": 2, "Change (%)": 1})


def chapter_link(chapter: str, title: str) -> str:
    """A Markdown link to a chapter's page in the bundle (``<chapter>.html`` beside the summary)."""
    return f"[{title}]({chapter}.html)"


def headline_sentence(metric: Mapping[str, Any]) -> str | None:
    """One sentence on a metric from its own fields ("All crime: 12,345 crimes in 2024/25, +3.2% on 2023/24 (an increase)")."""
    if metric.get("suppressed") or metric.get("value") is None:
        return None
    value = narrative.format_value(float(metric["value"]))
    text = f"{metric.get('label', metric['id'])}: {value} {metric.get('unit', '')} in {metric.get('period')}".replace("  ", " ")
    if metric.get("change_percent") is not None and metric.get("previous_period"):
        text += (f", {narrative.format_percent(float(metric['change_percent']), signed=True)} on "
                 f"{metric['previous_period']} ({metric.get('verdict') or 'not tested'})")
    return text + "."


@dataclass(frozen=True)
class RunStatus:
    """Which chapters of the run left fragments, which left none and which stopped with an error."""

    expected: list[str]
    present: list[str]
    missing: list[str]
    failed: list[str]


def run_status(output_dir: str | Path, notebooks_dirs: Sequence[str | Path]) -> RunStatus:
    """The chapters expected (notebooks in any of ``notebooks_dirs``), present and missing."""
    expected: set[str] = set()
    for d in notebooks_dirs:
        if Path(d).is_dir():
            expected.update(fragments.expected_chapters(d))
    ordered = sorted(expected, key=fragments.chapter_sort_key)
    present = [c for c in fragments.chapters_with_fragments(output_dir) if c not in fragments.READING_CHAPTERS]
    missing = fragments.missing_chapters(output_dir, ordered)
    failed = [c for c in fragments.failed_chapters(output_dir) if c != CHAPTER]
    return RunStatus(ordered, present, missing, failed)


def _notebooks_dirs(output_dir: str | Path) -> list[Path]:
    return [fragments.executed_notebooks_dir(output_dir), fragments.default_notebooks_dir()]


def _titles(out: ChapterOutputs, chapters: Sequence[str]) -> dict[str, str]:
    return fragments.chapter_titles(chapters, _notebooks_dirs(out.output_dir))


# --- sections ---------------------------------------------------------------------------------


def chapters_run(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Say which chapters this summary draws on, and name any that are missing or failed."""
    status = run_status(out.output_dir, _notebooks_dirs(out.output_dir))
    titles = _titles(out, status.expected)
    if status.present:
        out.say(
            f"This summary draws on {narrative.format_count(len(status.present))} chapters of the assessment of "
            f"{ctx.cfg.display_name} for {ctx.year}."
        )
    if status.missing:
        names = ", ".join(f"{titles.get(c, c)} ({c})" for c in status.missing)
        text = (f"**Missing chapters:** {names} left no results (the chapter failed or was not run), so this summary "
                "does not cover them.")
        out.say(text)
        out.note(f"Chapters missing from this summary: {', '.join(status.missing)}.", display=False)
    failed = [c for c in status.failed if c not in status.missing]
    if failed:
        names = ", ".join(f"{titles.get(c, c)} ({c})" for c in failed)
        out.say(f"**Incomplete chapters:** {names} stopped with an error; their findings below may be incomplete.")
    if not status.missing and not failed:
        out.say("Every chapter of the assessment completed.")


def key_findings(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The key findings of every chapter, in chapter order, each under a link to its chapter."""
    findings = {c: f for c, f in fragments.load_findings(out.output_dir).items() if c != CHAPTER}
    if not any(findings.values()):
        out.say("*No chapter recorded a key finding in this run.*")
        return
    titles = _titles(out, list(findings))
    for chapter, texts in findings.items():
        if not texts:
            continue
        out.say(f"**{chapter_link(chapter, titles[chapter])}**\n\n" + "\n".join(f"- {t}" for t in texts))


def headline_figures(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The headline figures of the assessment (all crime, ASB and each chapter's lead figure)."""
    metrics = fragments.load_metrics(out.output_dir)
    metrics = [m for m in metrics if str(m.get("chapter")) not in fragments.READING_CHAPTERS]
    if not metrics:
        out.say("*No chapter recorded a headline figure in this run.*")
        return
    dups = fragments.duplicate_ids(metrics)
    if dups:
        out.note("Metric ids written by more than one chapter (the first is shown): "
                 + "; ".join(f"{k} ({', '.join(v)})" for k, v in dups.items()) + ".")
    chapters = sorted({str(m.get("chapter")) for m in metrics}, key=fragments.chapter_sort_key)
    table = headline_table(metrics, _titles(out, chapters))
    by_id = fragments.metrics_by_id(metrics, strict=False)
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
    findings = {c: f for c, f in fragments.load_findings(out.output_dir).items() if c not in fragments.READING_CHAPTERS}
    grouped = findings_by_priority(findings, ctx.cfg.priorities)
    titles = _titles(out, list(findings))
    for number, (priority, items) in enumerate(grouped.items(), start=1):
        if items:
            body = "\n".join(f"- {text} ({chapter_link(chapter, titles[chapter])})" for chapter, text in items)
        else:
            body = "- *No finding of this run bears directly on this priority.*"
        out.say(f"**Priority {number}: {priority}**\n\n{body}")
