"""``index.html``: the front page of a bundle.

Headline figures (from the merged metrics), every chapter with its status (a failed chapter is
marked, with its error), links to each chapter page, executed notebook, the PDF, ``tables.xlsx``,
``metrics.json`` and ``manifest.json``. Self-contained like the chapter pages (inline CSS, no
scripts), and with no timings or dates so that the same run gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from assess.atomic import write_text
from assess.report.export import ChapterDoc, PageContext, _jinja, css
from assess.report.outputs import headline_selection

#: The files a bundle may offer, in the order the index lists them.
DOWNLOADS: tuple[tuple[str, str, str, str], ...] = (
    ("pdf", "assessment.pdf", "The whole assessment", "PDF, A4, for printing"),
    ("xlsx", "tables.xlsx", "All published tables", "Excel workbook, one sheet per table"),
    ("tables", "tables/", "All published tables as CSV", "one file per table"),
    ("metrics", "metrics.json", "Headline figures", "JSON, machine-readable"),
    ("manifest", "manifest.json", "How this report was produced", "JSON: inputs, versions, timings"),
)
_PERCENT_UNITS = {"%", "percent", "per cent", "percentage"}


def _number(value: float, unit: str = "") -> str:
    if unit.strip().lower() in _PERCENT_UNITS:
        return f"{value:.1f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def format_metric(m: Mapping[str, Any]) -> dict[str, str]:
    """The text of one headline card: label, value, unit, period, rate, change, note.

    The figures are the metric's ``display`` block (rounded once, as the chapters and metrics.json
    show them: :mod:`assess.measure.metrics`); a change in a percentage is in percentage points.
    A metric without one (an older file) is formatted here by the same rules.
    """
    unit = str(m.get("unit") or "")
    value = m.get("value")
    suppressed = bool(m.get("suppressed"))
    shown = m.get("display") or {}
    if suppressed:
        value_text = "[c]"
    elif value is None:
        value_text = "n/a"
    else:
        value_text = shown.get("value") or _number(float(value), unit)
    rate = shown.get("rate") or ""
    if not rate and m.get("rate") is not None and m.get("rate_per"):
        rate = f"{float(m['rate']):,.1f} per {int(m['rate_per']):,}"
    change = ""
    if m.get("previous_period"):
        text = shown.get("change")
        if text is None and m.get("change_percentage_points") is not None:
            text = f"{float(m['change_percentage_points']):+.1f} percentage points"
        if text is None and m.get("change_percent") is not None and unit.strip().lower() not in _PERCENT_UNITS:
            text = f"{float(m['change_percent']):+.1f}%"
        if text:
            change = f"{text} on {m['previous_period']}"
            if m.get("verdict"):
                change += f" ({m['verdict']})"
    return {
        "label": str(m.get("label") or m.get("id") or "Metric"),
        "value": value_text,
        "unit": "" if unit.strip().lower() in _PERCENT_UNITS or suppressed else unit,
        "period": str(m.get("period") or ""),
        "rate": rate,
        "change": change,
        "note": str(m.get("note") or "") if (suppressed or value is None) else "",
    }


@dataclass
class ChapterEntry:
    """One row of the index's chapter table."""

    chapter: str
    title: str
    status: str
    error: str | None
    tables: int
    figures: int

    @property
    def failed(self) -> bool:
        return self.status != "ok"


def chapter_entries(docs: Sequence[ChapterDoc], catalogue: Mapping[str, Mapping[str, Any]]) -> list[ChapterEntry]:
    """Index rows from the rendered chapters and their catalogues."""
    rows = []
    for d in docs:
        cat = catalogue.get(d.chapter, {})
        rows.append(
            ChapterEntry(d.chapter, d.title, d.status, d.error, len(cat.get("tables", [])), len(cat.get("figures", [])))
        )
    return rows


def index_page(
    ctx: PageContext,
    entries: Sequence[ChapterEntry],
    metrics: Sequence[Mapping[str, Any]],
    bundle_dir: Path,
    problems: Sequence[str] = (),
    reading: Sequence[str] = (),
) -> str:
    """The HTML of ``index.html``; downloads are listed only when present in ``bundle_dir``.

    The headline cards are those the executive summary shows first (:func:`assess.report.outputs.headline_selection`),
    the metrics of the chapters in ``reading`` (the scorecard, the summary) aside."""
    downloads = [
        {"key": key, "href": href, "label": label, "description": desc}
        for key, href, label, desc in DOWNLOADS
        if key == "manifest" or (bundle_dir / href.rstrip("/")).exists()  # the manifest is written last
    ]
    failed = [e for e in entries if e.failed]
    chapters = [
        {
            "chapter": e.chapter,
            "title": e.title,
            "href": f"html/{e.chapter}.html",
            "notebook": f"notebooks/{e.chapter}.ipynb",
            "failed": e.failed,
            "error": e.error or "",
            "tables": e.tables,
            "figures": e.figures,
        }
        for e in entries
    ]
    return _jinja().get_template("index.html.j2").render(
        css=Markup(css()),
        **ctx.template_values(),
        headlines=[format_metric(m) for m in headline_selection(metrics, reading)],
        chapters=chapters,
        failed_count=len(failed),
        failed_names=", ".join(e.title for e in failed),
        downloads=downloads,
        problems=list(problems),
    )


def write_index(
    bundle_dir: Path,
    ctx: PageContext,
    entries: Sequence[ChapterEntry],
    metrics: Sequence[Mapping[str, Any]],
    problems: Sequence[str] = (),
    reading: Sequence[str] = (),
) -> Path:
    """Write ``bundle_dir/index.html`` atomically."""
    return write_text(bundle_dir / "index.html", index_page(ctx, entries, metrics, bundle_dir, problems, reading))
