"""The fragments a run's chapters leave in the shared ``output_dir``: metrics and findings.

Every chapter notebook writes, through :class:`assess.report.outputs.ChapterOutputs`,
``metrics/<chapter>.json`` (a JSON list of metric objects, :class:`assess.measure.metrics.Metric`
dumped to JSON) and ``findings/<chapter>.json`` (a JSON list of sentences). The bundle runs
chapters 01-11 first, then ``12_scorecard``, then ``00_summary``: those two read what the
others wrote with the functions here.

A chapter is named by its notebook's stem, ``NN_name`` (``08_hate_crime``); chapters sort by
their number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_CHAPTER = re.compile(r"^(\d{2})_([a-z0-9_]+)$")

#: The two chapters that read the others' fragments (they are not "missing" from themselves).
READING_CHAPTERS = ("00_summary", "12_scorecard")

#: Titles of chapters whose title is not simply their name in sentence case.
CHAPTER_TITLES: dict[str, str] = {
    "asb": "Anti-social behaviour",
    "anti_social_behaviour": "Anti-social behaviour",
    "summary": "Executive summary",
}


def _read_list(path: Path) -> list[Any]:
    """A JSON list from ``path``; raises ValueError naming the file when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); re-run chapter '{path.stem}'") from None
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list, found {type(data).__name__}; re-run chapter '{path.stem}'")
    return data


def chapter_number(chapter: str) -> int | None:
    """The number of a chapter name: ``"08_hate_crime"`` -> 8; None when it has no ``NN_`` prefix."""
    m = _CHAPTER.match(chapter)
    return int(m.group(1)) if m else None


def chapter_sort_key(chapter: str) -> tuple[int, str]:
    """Sort chapters by number, then name (names without a number last)."""
    n = chapter_number(chapter)
    return (n if n is not None else 10_000, chapter)


def chapter_title(chapter: str) -> str:
    """A reader's title of a chapter: ``"08_hate_crime"`` -> ``"Hate crime"``."""
    m = _CHAPTER.match(chapter)
    slug = m.group(2) if m else chapter
    if slug in CHAPTER_TITLES:
        return CHAPTER_TITLES[slug]
    words = slug.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _chapter_files(output_dir: str | Path, kind: str) -> list[Path]:
    folder = Path(output_dir) / kind
    return sorted(folder.glob("*.json"), key=lambda p: chapter_sort_key(p.stem))


def load_metrics(output_dir: str | Path) -> list[dict[str, Any]]:
    """Every metric the run's chapters wrote to ``output_dir/metrics/*.json``, in chapter order.

    Each item is the metric's JSON object (the fields of :class:`assess.measure.metrics.Metric`); its
    ``chapter`` is set from the file name when the object lacks one. Empty when no chapter
    wrote metrics (or ``output_dir`` does not exist).
    """
    metrics: list[dict[str, Any]] = []
    for path in _chapter_files(output_dir, "metrics"):
        for item in _read_list(path):
            if not isinstance(item, dict):
                raise ValueError(f"{path}: a metric must be a JSON object, found {type(item).__name__}")
            m = dict(item)
            if not m.get("chapter"):
                m["chapter"] = path.stem
            metrics.append(m)
    return metrics


def load_findings(output_dir: str | Path) -> dict[str, list[str]]:
    """The key findings of each chapter (``output_dir/findings/*.json``), chapters in order."""
    findings: dict[str, list[str]] = {}
    for path in _chapter_files(output_dir, "findings"):
        findings[path.stem] = [str(t) for t in _read_list(path) if str(t).strip()]
    return findings


def duplicate_ids(metrics: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Metric ids written more than once, with the chapters that wrote them (empty when ids are unique)."""
    seen: dict[str, list[str]] = {}
    for m in metrics:
        seen.setdefault(str(m.get("id")), []).append(str(m.get("chapter")))
    return {k: v for k, v in seen.items() if len(v) > 1}


def metrics_by_id(metrics: Iterable[Mapping[str, Any]], *, strict: bool = True) -> dict[str, dict[str, Any]]:
    """Metrics keyed by id. Ids are unique across an assessment: a duplicate raises ValueError,
    or, with ``strict=False``, the first one written (in chapter order) is kept."""
    items = [dict(m) for m in metrics]
    dups = duplicate_ids(items)
    if dups and strict:
        mid, chapters = next(iter(dups.items()))
        raise ValueError(
            f"metric id '{mid}' was written by {' and '.join(chapters)}: metric ids must be unique across the assessment"
        )
    out: dict[str, dict[str, Any]] = {}
    for m in items:
        out.setdefault(str(m.get("id")), m)
    return out


def chapters_with_fragments(output_dir: str | Path) -> list[str]:
    """Chapters that left anything in ``output_dir`` (metrics, findings or a catalogue), in order."""
    names: set[str] = set()
    for kind in ("metrics", "findings", "catalogue"):
        names.update(p.stem for p in _chapter_files(output_dir, kind))
    return sorted(names, key=chapter_sort_key)


def default_notebooks_dir() -> Path:
    """The project's ``notebooks/`` folder (beside ``src/``, for the editable install)."""
    return Path(__file__).resolve().parents[3] / "notebooks"


def expected_chapters(notebooks_dir: str | Path | None = None) -> list[str]:
    """The chapters of the assessment: the ``NN_name.ipynb`` notebooks, in order."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    names = [p.stem for p in folder.glob("*.ipynb") if _CHAPTER.match(p.stem)]
    return sorted(names, key=chapter_sort_key)


def missing_chapters(
    output_dir: str | Path, expected: Iterable[str], *, exclude: Iterable[str] = READING_CHAPTERS
) -> list[str]:
    """The chapters of ``expected`` (other than ``exclude``) that left no fragment in ``output_dir``.

    A chapter that failed leaves nothing, so the summary can name it.
    """
    present = set(chapters_with_fragments(output_dir))
    skip = set(exclude)
    return [c for c in sorted(expected, key=chapter_sort_key) if c not in present and c not in skip]


def executed_notebooks_dir(output_dir: str | Path) -> Path:
    """Where the bundle keeps the executed notebooks of a run: ``output_dir/notebooks``."""
    return Path(output_dir) / "notebooks"


def failed_chapters(output_dir: str | Path) -> list[str]:
    """Chapters whose executed notebook in ``output_dir/notebooks`` stopped with an error
    (papermill records ``metadata.papermill.exception``), in order."""
    folder = executed_notebooks_dir(output_dir)
    failed = []
    for p in folder.glob("*.ipynb"):
        if not _CHAPTER.match(p.stem):
            continue
        try:
            meta = json.loads(p.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, json.JSONDecodeError):
            failed.append(p.stem)
            continue
        if (meta.get("papermill") or {}).get("exception"):
            failed.append(p.stem)
    return sorted(failed, key=chapter_sort_key)


def notebook_title(path: str | Path) -> str | None:
    """The title of a chapter notebook: the text of the first heading of its first markdown cell."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        for line in text.splitlines():
            if line.startswith("#"):
                title = line.lstrip("#").strip()
                return re.sub(r"^(chapter\s+)?\d+[.:]?\s+", "", title, flags=re.IGNORECASE) or None
        return None
    return None


def chapter_titles(chapters: Iterable[str], notebooks_dirs: Iterable[str | Path] = ()) -> dict[str, str]:
    """Each chapter's title: its notebook's first heading (first folder that has it), else from its name."""
    titles = {}
    dirs = [Path(d) for d in notebooks_dirs]
    for c in chapters:
        title = None
        for d in dirs:
            if (d / f"{c}.ipynb").exists():
                title = notebook_title(d / f"{c}.ipynb")
                if title:
                    break
        titles[c] = title or chapter_title(c)
    return titles
