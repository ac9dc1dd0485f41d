"""Chapter 0: the executive summary, gathered from what the other chapters of the run wrote.

It runs last (after chapters 01-11 and the scorecard) and reads their fragments in the shared
``output_dir`` (:mod:`assess.report.outputs`): the lead finding of each chapter, in chapter order,
after a link to the chapter (which opens with all its findings); the headline figures (the full
table in the workbook); the partnership's priorities in brief (:func:`priorities_in_brief`). That
much is the executive summary, and it is kept to two pages of the PDF (a test holds it there). A
second part, "The partnership's priorities and recommendations" (its own page and line in the
PDF's contents: ``<h2 class="assess-part">``), gives each priority (``cfg.priorities``) with the
chapters whose findings bear on it and the partnership's recommendations under it (partner file
``recommendations.yaml``), each beside the figures it rests on; then which chapters carry the
partners' own account. It computes nothing new and emits no
metric: every number it shows was computed by the chapter that wrote it. A chapter that left no
fragment (it failed, or was not run) is named, never passed over in silence; so is a metric a
recommendation cites that the run did not produce. A chapter that ran to the end but published
no table and no chart is "no data supplied" (told apart from "failed"), with the files that would
fill it (its inputs, declared once in ``notebooks/chapters.yaml``).

Chapters and priorities: each chapter's theme is declared in the chapter registry
(``notebooks/chapters.yaml``, :mod:`assess.registry`); a theme bears on every configured priority
whose text contains one of its keywords (:meth:`assess.registry.Theme.priorities`), else on the
priority at its default position. With the default priorities, findings on crime, reoffending and
ASB go to priority 1, drugs and alcohol to 2, vulnerable people and hate crime to 3, youth (and
reoffending) to 4.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from assess.chapter_inputs import chapter_inputs, needs_text
from assess.chapters import common
from assess.measure import narrative
from assess.measure.context import AssessmentContext
from assess.measure.metrics import is_percent_unit, value_decimals
from assess.registry import Registry, Theme, sort_key
from assess.report import outputs
from assess.report.display import TableView
from assess.report.outputs import ChapterOutputs
from assess.report.partner_text import long_date, render_markdown
from assess.sources.partner import metric_ids, partner_path, priority_index
from assess.vocabulary import SAFEGUARDING_TOPICS

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
    "csp": "the partnership as a whole",
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
    """Which chapters of the run left fragments, which left none, which stopped with an error, and
    which ran to the end with no data to show (no table and no chart: ``no_data``)."""

    expected: list[str]
    present: list[str]
    missing: list[str]
    failed: list[str]
    no_data: list[str] = field(default_factory=list)


def chapters_without_outputs(output_dir: str | Path, registry: Registry, failed: Sequence[str] = ()) -> list[str]:
    """The chapters (the summary aside) that ran to the end (their executed notebook is in the run's
    ``notebooks/`` folder, with no error) and published no table and no chart: they had no data to
    show, whatever their text says. Derived from what each published (its catalogue), never from a
    flag a chapter sets."""
    executed = outputs.executed_notebooks_dir(output_dir)
    catalogue = outputs.read_catalogue(output_dir) if (Path(output_dir) / "catalogue").is_dir() else {}
    out = []
    for c in registry:
        if c.name == CHAPTER or c.name in failed or not (executed / c.notebook).is_file():
            continue
        cat = catalogue.get(c.name, {})
        if not cat.get("tables") and not cat.get("figures"):
            out.append(c.name)
    return out


def run_status(output_dir: str | Path, registry: Registry) -> RunStatus:
    """The chapters of the registry (expected), those that left fragments (present), those that
    left none (missing: failed before writing anything, or not run), those that stopped with an
    error (failed) and those that ran with no data to show (no_data), the summary aside."""
    reading = set(registry.reading_chapters())
    present = [c for c in outputs.chapters_with_fragments(output_dir) if c not in reading]
    failed = [c for c in outputs.failed_chapters(output_dir) if c != CHAPTER]
    no_data = chapters_without_outputs(output_dir, registry, failed)
    missing = [c for c in outputs.missing_chapters(output_dir, registry) if c not in no_data]
    return RunStatus(registry.names, present, missing, failed, no_data)


def no_data_items(ctx: AssessmentContext, names: Sequence[str], registry: Registry) -> list[str]:
    """One Markdown item per chapter with no data: its link and the inputs that would fill it (the
    files, public download or partner file, declared in ``chapters.yaml``; :mod:`assess.chapter_inputs`)."""
    held = chapter_inputs(registry, ctx.store, ctx.raw_dir, ctx.cfg)
    items = []
    for name in names:
        needs = needs_text(held.get(name, ()), markdown=True)
        tail = f": {needs}" if needs else ": its inputs hold nothing for this partnership and year"
        items.append(f"- {chapter_link(name, registry.title(name))}{tail}.")
    return items


# --- sections ---------------------------------------------------------------------------------


def chapters_run(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Say which chapters this summary draws on; name any that are missing or failed, and those that
    had no data supplied, with the files that would fill each."""
    registry = outputs.run_registry(out.output_dir)
    status = run_status(out.output_dir, registry)
    failed = [c for c in status.failed if c not in status.missing]
    complete = not status.missing and not failed and not status.no_data
    shown = [c for c in status.present if c not in status.no_data]
    if shown:
        out.say(
            f"This summary draws on {narrative.format_count(len(shown))} chapters of the assessment of "
            f"{ctx.cfg.display_name} for {ctx.year}" + ("; every chapter completed." if complete else ".")
        )
        if complete:
            return
    if status.missing:
        names = ", ".join(f"{registry.title(c)} ({c})" for c in status.missing)
        text = (f"**Missing chapters:** {names} left no results (the chapter failed or was not run), so this summary "
                "does not cover them.")
        out.say(text)
        out.note(f"Chapters missing from this summary: {', '.join(status.missing)}.", display=False)
    if failed:
        names = ", ".join(f"{registry.title(c)} ({c})" for c in failed)
        out.say(f"**Incomplete chapters:** {names} stopped with an error; their findings below may be incomplete.")
    if status.no_data:
        out.say(f"**No data supplied:** {narrative.format_count(len(status.no_data))} chapters ran to the end but had "
                "no data to show (no table or chart); each names the inputs it reads that were not supplied:\n\n"
                + "\n".join(no_data_items(ctx, status.no_data, registry)))
        out.note(f"Chapters with no data supplied: {', '.join(status.no_data)}.", display=False)
    if complete:
        out.say("Every chapter of the assessment completed.")


def key_findings(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The lead finding of every chapter, in chapter order, each after a link to its chapter (which
    opens with all its findings): one list, so that the summary stays board-length."""
    findings = {c: f for c, f in outputs.load_findings(out.output_dir).items() if c != CHAPTER}
    if not any(findings.values()):
        out.say("*No chapter recorded a key finding in this run.*")
        return
    registry = outputs.run_registry(out.output_dir)
    items = []
    for chapter, texts in findings.items():
        if not texts:
            continue
        more = len(texts) - 1
        tail = f" ({narrative.format_count(more)} more in the chapter.)" if more else ""
        items.append(f"- **{chapter_link(chapter, registry.title(chapter))}:** {texts[0]}{tail}")
    out.say("\n".join(items))


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
    published = out.table(
        "headline_figures",
        table,
        caption=f"Headline figures, {ctx.cfg.name}, {ctx.year}: value, change on the previous period and its verdict "
        "(statistical significance at 5%), rates and comparisons. Source: the chapters of this assessment (each "
        "names its sources).",
        suppress=False,
        display=False,
    )
    out.show(TableView(
        board_view(published, ctx.year),
        f"Headline figures, {ctx.cfg.name}, {ctx.year} (another period where stated), each with its change on the "
        "previous period and its verdict (significance at 5%); rates and comparisons are in the workbook. Source: "
        "the chapters of this assessment.",
        None,
    ))


def board_view(table: pd.DataFrame, year: str) -> pd.DataFrame:
    """The headline table as a board reads it: the figure with its unit (``"30,936 crimes"``,
    ``"29.1%"``, and its period when not ``year``), the change (``"+3.3%"`` for a count or rate,
    ``"-0.2 percentage points"`` for a percentage: a verdict is never shown without the change it
    judges) and its verdict; the published table has every column."""
    def figure(row: pd.Series) -> str:
        if pd.isna(row["Value"]):
            return "[c]" if row["Verdict"] == "suppressed" else "[x]"
        unit = str(row["Unit"] or "")
        value = narrative.format_value(float(row["Value"]))
        text = f"{value}%" if unit == "%" else f"{value} {unit}".strip()
        return text if str(row["Period"]) == year else f"{text} ({row['Period']})"

    def change(row: pd.Series) -> str:
        if pd.notna(row["Change (%)"]):
            return narrative.format_percent(float(row["Change (%)"]), signed=True)
        if pd.notna(row["Change (percentage points)"]):
            return narrative.format_points(float(row["Change (percentage points)"]))
        return ""

    return pd.DataFrame({
        "Measure": table["Measure"],
        "Figure": table.apply(figure, axis=1),
        "Change": table.apply(change, axis=1),
        "Verdict": table["Verdict"],
    })


# --- recommendations --------------------------------------------------------------------------

RECOMMENDATIONS = "recommendations"


@dataclass(frozen=True)
class PlacedRecommendation:
    """A recommendation of the partnership, under the priority it serves, with the metrics it cites
    (each with the run's metric, or None when the run did not produce it)."""

    item: int  # its number in the file, from 1
    priority: int  # 0-based index into the configured priorities
    text: str  # the partners' Markdown
    lead: str | None
    cited: tuple[tuple[str, Mapping[str, Any] | None], ...]
    line: int

    @property
    def missing(self) -> list[str]:
        """Ids it cites that the run did not produce."""
        return [mid for mid, m in self.cited if m is None]


def place_recommendations(
    table: pd.DataFrame, priorities: Sequence[str], metrics: Mapping[str, Mapping[str, Any]], path: Path | str
) -> dict[int, list[PlacedRecommendation]]:
    """The recommendations of ``table`` (:func:`assess.sources.partner.read_recommendations`) by the
    index of the priority they serve, in file order; each cited id is looked up in ``metrics``
    (by id). A priority that is not one of ``priorities`` is an InputError naming the line."""
    placed: dict[int, list[PlacedRecommendation]] = {}
    for row in table.itertuples(index=False):
        index = priority_index(str(row.priority), priorities, path, int(row.source_row))
        lead = None if pd.isna(row.lead) else str(row.lead)
        cited = tuple((mid, metrics.get(mid)) for mid in metric_ids(row.metrics))
        placed.setdefault(index, []).append(
            PlacedRecommendation(int(row.item), index, str(row.recommendation), lead, cited, int(row.source_row)))
    return placed


def _cited_html(mid: str, metric: Mapping[str, Any] | None, registry: Registry) -> str:
    if metric is None:
        return (f'<li class="assess-warning"><strong>Warning:</strong> cites the metric <code>{html.escape(mid)}</code>, '
                "which no chapter of this run produced: check the id against metrics.json, or the chapter that "
                "should compute it.</li>")
    chapter = str(metric.get("chapter", ""))
    text = headline_sentence(metric) or f"{metric.get('label', mid)}: suppressed or not published."
    return (f"<li>{html.escape(text)} (<a href=\"{html.escape(chapter, quote=True)}.html\">"
            f"{html.escape(registry.title(chapter))}</a>)</li>")


def recommendations_html(recs: Sequence[PlacedRecommendation], registry: Registry) -> str:
    """The recommendations under one priority: each numbered, in the partners' words (Markdown
    rendered safely), its lead, and the figures it rests on (a warning for each id the run lacks)."""
    items = []
    for r in recs:
        lead = f'<p class="assess-recommendation-lead">Lead: {html.escape(r.lead)}.</p>' if r.lead else ""
        cited = "".join(_cited_html(mid, m, registry) for mid, m in r.cited)
        items.append(
            f'<li class="assess-recommendation"><p><strong>Recommendation {r.item}</strong></p>'
            f"{render_markdown(r.text, heading_offset=4)}{lead}<p>It rests on:</p><ul>{cited}</ul></li>"
        )
    return ('<div class="assess-recommendations"><p><strong>The partnership\'s recommendations under this priority'
            "</strong> (the partners' own words):</p><ul>" + "".join(items) + "</ul></div>")


def recommendations_plain(recs: Sequence[PlacedRecommendation]) -> str:
    """Their text, for :attr:`ChapterOutputs.said` and the executed notebook."""
    lines = []
    for r in recs:
        lines.append(f"Recommendation {r.item}: {r.text}" + (f" Lead: {r.lead}." if r.lead else "")
                     + " Rests on: " + ", ".join(mid + (" (not produced by this run)" if m is None else "")
                                                 for mid, m in r.cited) + ".")
    return "\n".join(lines)


@dataclass(frozen=True)
class PriorityPlan:
    """What the run holds for the partnership's priorities: for each (in order) the (chapter,
    finding) pairs that bear on it, and the recommendations by priority index (None when the
    partnership has recorded none)."""

    grouped: dict[str, list[tuple[str, str]]]
    placed: dict[int, list[PlacedRecommendation]] | None


def priority_plan(ctx: AssessmentContext, out: ChapterOutputs) -> PriorityPlan:
    """The findings and recommendations under each configured priority (``cfg.priorities``)."""
    registry = outputs.run_registry(out.output_dir)
    reading = set(registry.reading_chapters())
    findings = {c: f for c, f in outputs.load_findings(out.output_dir).items() if c not in reading}
    grouped = findings_by_priority(findings, ctx.cfg.priorities, registry)
    table = ctx.partner(RECOMMENDATIONS)
    placed: dict[int, list[PlacedRecommendation]] | None = None
    if table is not None and not table.empty:
        metrics = outputs.metrics_by_id(
            [m for m in outputs.load_metrics(out.output_dir) if str(m.get("chapter")) != CHAPTER], strict=False)
        placed = place_recommendations(table, ctx.cfg.priorities, metrics,
                                       partner_path(ctx.raw_dir, RECOMMENDATIONS, ctx.cfg))
    return PriorityPlan(grouped, placed)


#: The anchor of the section that holds the priorities in full (the summary's second part; in
#: the PDF it starts a page and has its own line in the contents).
PRIORITIES_ANCHOR = "part-priorities"


def priorities_in_brief(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The partnership's priorities in one list, each with how many recommendations it carries and
    who leads them, linking to the section that gives them in full: so that the summary stays
    within two pages."""
    plan = priority_plan(ctx, out)
    if not plan.grouped:
        out.say("*The partnership has configured no priorities.*")
        return
    items, plain = [], []
    for index, priority in enumerate(plan.grouped):
        recs = (plan.placed or {}).get(index, [])
        leads = list(dict.fromkeys(r.lead for r in recs if r.lead))
        if plan.placed is None:
            tail = ""
        elif recs:
            tail = f" {narrative.format_count(len(recs))} recommendation{'s' if len(recs) != 1 else ''}" + (
                f", led by {'; '.join(leads)}." if leads else ".")
        else:
            tail = " No recommendation recorded."
        name = priority.rstrip(".")
        items.append(f"<li><strong>{html.escape(name)}.</strong>{html.escape(tail)}</li>")
        plain.append(f"{index + 1}. {name}.{tail}")
    link = (f'<p>Each recommendation in full, with the figures it rests on: <a href="#{PRIORITIES_ANCHOR}">the '
            "partnership's priorities and recommendations</a>.</p>")
    out.say_html("<ol>" + "".join(items) + "</ol>" + link, "\n".join(plain))


def priorities(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The partnership's priorities, each with the chapters whose findings bear on it (and how many)
    and the partnership's recommendations under it, each beside the figures it rests on."""
    registry = outputs.run_registry(out.output_dir)
    plan = priority_plan(ctx, out)
    placed = plan.placed
    for index, (priority, items) in enumerate(plan.grouped.items()):
        chapters = list(dict.fromkeys(chapter for chapter, _ in items))
        if chapters:
            counted = [f"{chapter_link(c, registry.title(c))} ({narrative.format_count(sum(1 for x, _ in items if x == c))})"
                       for c in chapters]
            body = "Findings in " + ", ".join(counted) + "."
        else:
            body = "*No finding of this run bears directly on this priority.*"
        out.say(f"**Priority {index + 1}: {priority.rstrip('.')}.** {body}")
        if placed is None:
            continue
        mine = placed.get(index, [])
        if mine:
            out.say_html(recommendations_html(mine, registry), recommendations_plain(mine))
        else:
            out.say("*The partnership has recorded no recommendation under this priority.*")
    if placed is None:
        filename = ctx.cfg.partner_files[RECOMMENDATIONS]
        out.say(f"*The partnership has not yet recorded any recommendations. They are written in "
                f"`{ctx.partner_dir.relative_to(ctx.raw_dir).as_posix()}/{filename}`, each under a priority and "
                "beside the findings it rests on (see data/raw/README.md).*")
        return
    missing = [r for recs in placed.values() for r in recs if r.missing]
    if missing:
        out.note("Recommendations citing metrics that this run did not produce: "
                 + "; ".join(f"recommendation {r.item} ({', '.join(r.missing)})" for r in sorted(missing, key=lambda r: r.item))
                 + ". Check the ids against metrics.json.")


# --- the partners' accounts ------------------------------------------------------------------------


def _account_link(account: Mapping[str, Any], chapter: str, label: str) -> tuple[str, str]:
    """The HTML of a link to an account in its chapter, with its author and date, and its plain text."""
    href = html.escape(f"{chapter}.html#{account.get('anchor', 'partners-account')}", quote=True)
    when = long_date(dt.date.fromisoformat(str(account["date"])))
    author = str(account["author"])
    return (f'<a href="{href}">{html.escape(label)}</a> (written by {html.escape(author)}, {when})',
            f"{label}: {author}, {when}")


def accounts_item(chapter: str, accounts: Sequence[Mapping[str, Any]], registry: Registry) -> tuple[str, str]:
    """One chapter's line of the list of accounts (HTML, plain): its own account first, then its topics'."""
    title = registry.title(chapter)
    own = [a for a in accounts if a.get("name") == chapter]
    topics = [a for a in accounts if a.get("name") != chapter]
    parts = [_account_link(a, chapter, title) for a in own]
    topic_parts = [_account_link(a, chapter, SAFEGUARDING_TOPICS.get(str(a.get("name")), str(a.get("name"))))
                   for a in topics]
    html_text = "; ".join(h for h, _ in parts)
    if topic_parts:
        lead = "; and on its topics: " if parts else f"{html.escape(title)}, on its topics: "
        html_text += lead + "; ".join(h for h, _ in topic_parts)
    return f"<li>{html_text}</li>", "\n".join(t for _, t in (*parts, *topic_parts))


def partner_accounts(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Which chapters (and topics) of the run carry the partners' own account, with links to
    them; accounts written for a chapter that left no results are named too. Every narrative
    file is validated here: one named after no chapter or topic is an InputError."""
    registry = outputs.run_registry(out.output_dir)
    written = common.all_narratives(ctx, out)
    shown = {c: a for c, a in outputs.load_accounts(out.output_dir).items() if c != CHAPTER}
    if not written and not shown:
        out.say(f"*The partners have written no account of any chapter or topic. An account is a Markdown file in "
                f"`{common.narrative_dir(ctx).relative_to(ctx.raw_dir).as_posix()}/` named after its chapter or "
                "topic (see data/raw/README.md).*")
        return
    lines = [accounts_item(chapter, accounts, registry) for chapter, accounts in shown.items()]
    items = [h for h, _ in lines]
    plain = [t for _, t in lines]
    shown_keys = {str(a.get("name")) for accounts in shown.values() for a in accounts} | {CHAPTER}
    unshown = [k for k in written if k not in shown_keys]
    body = ""
    if items:
        body += ("<p>The chapters of this assessment that carry the partners' own account, in their words (the "
                 "figures in an account are the partners' own, not computed by assess):</p><ul>" + "".join(items) + "</ul>")
    if unshown:
        names = ", ".join(html.escape(f"{k}.md") for k in unshown)
        body += (f'<p class="assess-warning"><strong>Not shown:</strong> the accounts {names} were written, but the '
                 "chapter that shows them left no results in this run (it failed, or was not run).</p>")
        out.note(f"Partner accounts written but not shown (their chapter left no results): {', '.join(unshown)}.",
                 display=False)
    if CHAPTER in written:
        body += "<p>The partnership's own account of the whole assessment closes this summary.</p>"
    out.say_html(body, "\n".join(plain) or "No chapter shows a partners' account.")
