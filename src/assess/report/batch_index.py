"""The batch's front page (``<out>/index.html``) and its record (``<out>/batch.json``).

The index lists every bundle of a batch (sorted by CSP name, then year) with its status, its
failed chapters or error, a link to its own index and PDF, and the same few headline figures for
every CSP (read from each bundle's ``metrics.json``): the figures the bundles' own indexes show
first (:func:`assess.report.outputs.headline_metrics`), the columns being those ids in the order
they first appear, at most :data:`HEADLINE_COLUMNS`. Self-contained (inline CSS, no scripts), and
with no times, worker names or memory, so that the same bundles give the same bytes; those are in
``batch.json``. Both files are written atomically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from assess import OGL_ATTRIBUTION
from assess.atomic import write_text
from assess.report.export import GENERATOR, SYNTHETIC_TEXT, _jinja, css
from assess.report.index import format_metric
from assess.report.outputs import headline_metrics

#: Most headline figures the batch index shows for each bundle.
HEADLINE_COLUMNS = 4
INDEX = "index.html"
SUMMARY = "batch.json"


def bundle_metrics(bundle_dir: Path) -> tuple[list[dict[str, Any]], str | None]:
    """The metrics of a bundle's ``metrics.json`` and, when it cannot be read, why."""
    path = bundle_dir / "metrics.json"
    if not path.exists():
        return [], "metrics.json was not written"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        metrics = doc["metrics"]
        if not isinstance(metrics, list):
            raise TypeError("'metrics' is not a list")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [], f"{path.name} could not be read: {exc}"
    return [m for m in metrics if isinstance(m, dict) and "id" in m], None


def headline_columns(selections: Sequence[Sequence[Mapping[str, Any]]], limit: int = HEADLINE_COLUMNS) -> list[dict[str, str]]:
    """The ids (and labels) of the index's figure columns: in order of first appearance."""
    columns: dict[str, str] = {}
    for chosen in selections:
        for m in chosen:
            columns.setdefault(str(m["id"]), str(m.get("label") or m["id"]))
    return [{"id": i, "label": label} for i, label in list(columns.items())[:limit]]


def index_rows(out_root: Path, outcomes: Sequence[Any], reading: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The index's rows and figure columns, from the outcomes and the bundles they published."""
    selections: list[list[dict[str, Any]]] = []
    rows: list[dict[str, Any]] = []
    for o in outcomes:
        problems = list(o.problems)
        chosen: list[dict[str, Any]] = []
        if o.status != "failed" and o.path:
            metrics, why = bundle_metrics(out_root / o.path)
            if why and why not in " ".join(problems):
                problems.append(why)
            chosen = headline_metrics(metrics, reading)
        selections.append(chosen)
        bundle = out_root / o.path if o.path and o.status != "failed" else None
        rows.append({
            "name": o.name, "code": o.code, "year": o.year, "status": o.status, "synthetic": o.synthetic,
            "configured": o.configured, "error": o.error, "problems": problems,
            "failed_chapters": sorted(o.failed_chapters.items()),
            "href": f"{o.path}/index.html" if bundle and (bundle / "index.html").exists() else None,
            "pdf": f"{o.path}/assessment.pdf" if bundle and (bundle / "assessment.pdf").exists() else None,
        })
    columns = headline_columns(selections)
    for row, chosen in zip(rows, selections):
        by_id = {str(m["id"]): m for m in chosen}
        row["cells"] = []
        for c in columns:
            try:
                row["cells"].append(format_metric(by_id[c["id"]]) if c["id"] in by_id else None)
            except (TypeError, ValueError) as exc:  # a figure that is not a number: say so, show the rest
                row["cells"].append(None)
                row["problems"].append(f"metrics.json: '{c['id']}' could not be shown ({exc})")
    return rows, columns


def batch_index_page(out_root: Path, outcomes: Sequence[Any], reading: Sequence[str] = (), warnings: Sequence[str] = ()) -> str:
    """The HTML of the batch index."""
    rows, columns = index_rows(out_root, outcomes, reading)
    years = sorted({o.year for o in outcomes})
    title = "Community Safety Strategic Assessments" + (f", {', '.join(years)}" if years else "")
    counts = {s: sum(o.status == s for o in outcomes) for s in ("complete", "incomplete", "failed")}
    return _jinja().get_template("batch_index.html.j2").render(
        css=Markup(css()), title=title, bundles=rows, columns=columns, counts=counts,
        synthetic=any(o.synthetic for o in outcomes), synthetic_text=SYNTHETIC_TEXT, warnings=list(warnings),
        ogl=OGL_ATTRIBUTION, generator=GENERATOR,
    )


def write_batch_files(
    out_root: Path,
    outcomes: Sequence[Any],
    *,
    reading: Sequence[str] = (),
    warnings: Sequence[str] = (),
    run: Mapping[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write ``<out_root>/index.html`` and ``<out_root>/batch.json`` atomically; return both paths."""
    out_root = Path(out_root)
    index = write_text(out_root / INDEX, batch_index_page(out_root, outcomes, reading, warnings))
    doc = {
        "generated_by": GENERATOR,
        "run": dict(run or {}),
        "counts": {s: sum(o.status == s for o in outcomes) for s in ("complete", "incomplete", "failed")},
        "warnings": list(warnings),
        "bundles": [o.to_json() for o in outcomes],
    }
    summary = write_text(out_root / SUMMARY, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return index, summary
