"""What a chapter notebook publishes: tables, headline metrics, findings, figures and notes.

A chapter notebook creates one :class:`ChapterOutputs` from its papermill parameters and writes
everything it publishes through it (the contract in ``docs/data-model.md``, "Chapter outputs")::

    out = ChapterOutputs(output_dir, "03_crime", suppression_threshold=cfg.suppression_threshold)
    out.table("offences", df, caption="Recorded offences by group")      # shown with its caption
    out.metric(Metric(...))                                              # metrics/03_crime.json
    out.finding("Violence against the person rose by 12% ...")           # findings/03_crime.json
    out.figure(fig, "trend", alt="Line chart of ...", caption="...")      # figures/03_crime__trend.png

Files written under ``output_dir`` (each atomically; one chapter writes only its own files, so
chapters may run at the same time):

- ``tables/<chapter>__<name>.csv``: the published table; suppressed cells read ``[c]``;
- ``metrics/<chapter>.json``: a JSON list of metric objects;
- ``findings/<chapter>.json``: a JSON list of sentences;
- ``figures/<chapter>__<name>.png``: the chart, deterministic PNG bytes;
- ``catalogue/<chapter>.json``: captions, alt text and notes, which the bundle uses for
  ``tables.xlsx`` and the index, and the partners' accounts the chapter showed (:meth:`ChapterOutputs.account`).

The same module reads them back (:func:`load_metrics`, :func:`load_findings`,
:func:`read_catalogue`) for the chapters that gather the others' results (the scorecard, the
executive summary) and for the bundle, and chooses the headline figures that the summary and the
index both show (:func:`headline_metrics`). How a table looks is :mod:`assess.report.display`'s job.
"""


from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from assess import reads
from assess.atomic import write_bytes, write_text
from assess.measure.narrative import round_table
from assess.registry import (
    CHAPTER_NAME,
    REGISTRY_FILE,
    Registry,
    load_registry,
    sort_key,
)
from assess.report import display as show
from assess.report.display import (
    SUPPRESSED_MARK,
    PublishedTable,
    default_count_columns,
    published_frame,
    suppression_mask,
)
from assess.report.safe_text import neutralise_cell, neutralise_formula

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


def _check_name(kind: str, value: str) -> str:
    if not _NAME.fullmatch(value) or "__" in value:
        raise ValueError(
            f"{kind} name '{value}' must be letters, digits, '-' or '_' (no '__', no spaces), "
            "because it becomes part of a file name"
        )
    return value


def _read_json_list(path: Path) -> list[Any]:
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list, found {type(data).__name__}")
    return data


def _append_json(path: Path, item: Any) -> None:
    items = _read_json_list(path)
    items.append(item)
    write_text(path, json.dumps(items, indent=2, ensure_ascii=False, sort_keys=False) + "\n")



def csv_text(frame: pd.DataFrame) -> str:
    """A published table as CSV text, its text cells and headers neutralised for spreadsheets
    (:func:`assess.report.safe_text.neutralise_formula`; numbers untouched)."""
    safe = frame.copy()
    for col in safe.columns:
        values = safe[col]
        text_like = (pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)
                     or isinstance(values.dtype, pd.CategoricalDtype))
        if not text_like:  # numbers, booleans, dates: never a formula
            continue
        # cell by cell, keeping the column's values as they are (a map would turn 31019 into 31019.0
        # in a column mixing whole and decimal numbers)
        safe[col] = pd.Series([neutralise_cell(v) for v in values], index=values.index, dtype=object)
    safe.columns = [neutralise_formula(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\n")


def _metric_dict(metric: Any) -> dict[str, Any]:
    """A metric as JSON data, validated as an :class:`assess.measure.metrics.Metric`."""
    from assess.measure.metrics import Metric

    if isinstance(metric, Metric):
        return dict(metric.model_dump(mode="json"))
    if isinstance(metric, Mapping):
        return dict(Metric.model_validate(dict(metric)).model_dump(mode="json"))
    raise TypeError(f"a metric must be an assess.measure.metrics.Metric or a dict, not {type(metric).__name__}")


class ChapterOutputs:
    """The publishing side of one chapter notebook (see the module docstring).

    Creating it starts the chapter afresh: whatever this chapter published before in
    ``output_dir`` (its tables, figures, metrics, findings and catalogue) is removed, so running
    a notebook twice never duplicates its findings or leaves tables it no longer makes.
    """

    def __init__(self, output_dir: str | Path, chapter: str, suppression_threshold: int = 5) -> None:
        if suppression_threshold < 1:
            raise ValueError("suppression_threshold must be at least 1")
        self.output_dir = Path(output_dir)
        self.chapter = _check_name("chapter", chapter)
        self.suppression_threshold = suppression_threshold
        #: The paragraphs this chapter has said (:meth:`say`), in order.
        self.said: list[str] = []
        self._clear()
        reads.bind(self.output_dir, self.chapter)  # in a chapter kernel: what it reads is kept as this chapter's

    def say(self, text: str, display: bool = True) -> None:
        """Show a paragraph of Markdown in the chapter (its numbers computed by the caller).

        This is the one way a chapter emits prose; every paragraph is also kept, in order, in
        :attr:`said`, so a test reads what a chapter said without patching anything.
        """
        self.said.append(text)
        if display:
            show.display_markdown(text)

    def show(self, obj: Any) -> None:
        """Show a rich object that is not itself published, such as a table styled for display
        (a pandas ``Styler``), so that a chapter never calls IPython's ``display`` itself."""
        show.display_object(obj)

    def _clear(self) -> None:
        for path in (self.metrics_path, self.findings_path, self.catalogue_path):
            path.unlink(missing_ok=True)
        for folder, suffix in (("tables", ".csv"), ("figures", ".png")):
            for path in (self.output_dir / folder).glob(f"{self.chapter}__*{suffix}"):
                path.unlink()

    # -- paths ---------------------------------------------------------------------------------
    @property
    def metrics_path(self) -> Path:
        return self.output_dir / "metrics" / f"{self.chapter}.json"

    @property
    def findings_path(self) -> Path:
        return self.output_dir / "findings" / f"{self.chapter}.json"

    @property
    def catalogue_path(self) -> Path:
        return self.output_dir / "catalogue" / f"{self.chapter}.json"

    def table_path(self, name: str) -> Path:
        return self.output_dir / "tables" / f"{self.chapter}__{_check_name('table', name)}.csv"

    def figure_path(self, name: str) -> Path:
        return self.output_dir / "figures" / f"{self.chapter}__{_check_name('figure', name)}.png"

    # -- catalogue -----------------------------------------------------------------------------
    def _catalogue(self) -> dict[str, Any]:
        if self.catalogue_path.exists():
            return json.loads(self.catalogue_path.read_text(encoding="utf-8"))
        return {"chapter": self.chapter, "tables": [], "figures": [], "notes": []}

    def _record(self, kind: str, entry: Any, key: str | None = None) -> None:
        cat = self._catalogue()
        items = [e for e in cat.get(kind, []) if key is None or e.get("name") != key]
        items.append(entry)
        cat[kind] = items
        write_text(self.catalogue_path, json.dumps(cat, indent=2, ensure_ascii=False) + "\n")

    # -- publishing ----------------------------------------------------------------------------
    def table(
        self,
        name: str,
        df: pd.DataFrame,
        caption: str,
        suppress: bool = True,
        count_columns: Sequence[str] | None = None,
        *,
        row_total: str | None = None,
        column_total_row: str | None = None,
        derived: Mapping[str, Sequence[str]] | None = None,
        decimals: int | Mapping[str, int] | None = None,
        display: bool = True,
    ) -> PublishedTable:
        """Publish ``df`` as ``tables/<chapter>__<name>.csv`` after disclosure control, and show it.

        ``count_columns`` are the columns holding counts (default: the integer columns);
        ``row_total`` / ``column_total_row`` name the totals, so that they are protected too
        (secondary suppression, :mod:`assess.stats.disclosure`). ``derived`` maps a count column
        to the columns computed from it (its percentage, rate, interval...): they are suppressed
        wherever the count is, since they would reveal it. Suppressed cells read ``[c]``.
        ``decimals`` rounds the numbers once, halves up, as the text rounds them (an int, or places
        by column: :func:`assess.measure.narrative.round_table`), so the table shows what the text shows.

        The table is shown in the chapter with its caption (unless ``display`` is False); the
        returned :class:`PublishedTable` is not shown again when it ends a cell.
        """
        if not caption or not caption.strip():
            raise ValueError(f"table '{name}': a caption is required")
        frame = published_frame(df)
        frame.columns = [str(c) for c in frame.columns]
        if count_columns is None:
            count_columns = default_count_columns(frame)
        derived = dict(derived or {})
        named = [*count_columns, *derived, *(c for cols in derived.values() for c in cols)]
        missing = [c for c in named if c not in frame.columns]
        if missing:
            raise KeyError(f"table '{name}': count or derived columns not in the table: {missing}")
        if suppress:
            mask = suppression_mask(
                frame, list(count_columns), self.suppression_threshold,
                row_total=row_total, column_total_row=column_total_row,
            )
            for count_col, cols in derived.items():
                for col in cols:
                    mask[col] |= mask[count_col]
        else:
            mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
        if decimals is not None:
            frame = round_table(frame, decimals)
        published = frame.copy()
        for col in frame.columns:
            if mask[col].any():
                published[col] = frame[col].astype(object).mask(mask[col], SUPPRESSED_MARK)
        path = self.table_path(name)
        write_text(path, csv_text(published))
        self._record(
            "tables",
            {
                "name": name,
                "file": f"tables/{path.name}",
                "caption": caption,
                "rows": int(len(frame)),
                "suppressed_cells": int(mask.to_numpy().sum()),
                "suppression_applied": bool(suppress),
            },
            key=name,
        )
        result = PublishedTable(published)
        result.caption = caption
        result.suppressed = mask
        result.shown = False
        if display:
            result._ipython_display_()
        return result

    def metric(self, metric: Any) -> None:
        """Append a headline metric (an ``assess.measure.metrics.Metric`` or a dict) to ``metrics/<chapter>.json``.

        A dict is validated as a ``Metric``, so a bad metric fails its chapter, not the bundle.
        """
        _append_json(self.metrics_path, _metric_dict(metric))

    def finding(self, text: str, display: bool = True) -> None:
        """Record a key finding for the executive summary (``findings/<chapter>.json``)."""
        text = " ".join(str(text).split())
        if not text:
            raise ValueError("a finding needs some text")
        _append_json(self.findings_path, text)
        if display:
            show.display_html(f'<p class="assess-finding"><strong>Key finding:</strong> {html.escape(text)}</p>', text)

    def note(self, text: str, display: bool = True) -> None:
        """A note on method or data quality: shown in the chapter and listed in ``tables.xlsx``."""
        text = " ".join(str(text).split())
        if not text:
            raise ValueError("a note needs some text")
        self._record("notes", text)
        if display:
            show.display_html(f'<div class="assess-note" role="note"><strong>Note:</strong> {html.escape(text)}</div>', text)

    def account(
        self, key: str, markdown: str, *, author: str, date: dt.date, title: str | None = None, level: int = 2,
        file: str = "", display: bool = True,
    ) -> str:
        """Show the partners' own account filed under ``key`` (this chapter's name, or a topic id)
        and record it in the catalogue (``accounts``: key, name, author, date, title, file).

        The Markdown is the partners' text, rendered with raw HTML disabled and unsafe links removed
        (:mod:`assess.report.partner_text`) under an ``<h{level}>`` heading that marks it as
        theirs, with its author and date and a sentence saying its figures are the partners' own.
        Returns the HTML shown.
        """
        from assess.report import partner_text

        if not markdown.strip():
            raise ValueError(f"account '{key}': there is no text")
        anchor = partner_text.account_anchor(key, self.chapter)
        shown = partner_text.account_html(markdown, author=author, date=date, title=title, level=level, anchor=anchor)
        self._record(
            "accounts",
            {"name": key, "anchor": anchor, "author": author, "date": date.isoformat(), "title": title, "file": file},
            key=key,
        )
        if display:
            show.display_html(shown, partner_text.account_plain(markdown, author=author, date=date, title=title))
        return shown

    def say_html(self, html_text: str, plain: str, display: bool = True) -> None:
        """Show a block of HTML the chapter built from escaped parts (``html.escape``) and the
        partners' text rendered by :mod:`assess.report.partner_text`; ``plain`` (its text) is kept
        in :attr:`said`. Never pass unescaped input here: use :meth:`say` for the chapter's own prose."""
        self.said.append(plain)
        if display:
            show.display_html(html_text, plain)

    def figure(self, fig: Any, name: str, alt: str, caption: str, display: bool = True) -> None:
        """Save ``fig`` as ``figures/<chapter>__<name>.png`` and show it with its alt text and caption.

        The figure is displayed as an HTML ``<img alt=...>`` (base64 PNG) so that every exported
        page carries the alt text; the matplotlib figure is closed so it is not shown twice.
        """
        if not alt or not alt.strip():
            raise ValueError(f"figure '{name}': alt text is required (describe what the chart shows)")
        if not caption or not caption.strip():
            raise ValueError(f"figure '{name}': a caption is required")
        from assess.report.charts import png_bytes

        data = png_bytes(fig)
        path = self.figure_path(name)
        write_bytes(path, data)
        try:
            import matplotlib.pyplot as plt

            plt.close(fig)
        except Exception:  # noqa: BLE001 - a figure not managed by pyplot needs no closing
            pass
        self._record(
            "figures", {"name": name, "file": f"figures/{path.name}", "alt": alt, "caption": caption}, key=name
        )
        if display:
            b64 = base64.b64encode(data).decode("ascii")
            show.display_html(
                '<figure class="assess-figure">'
                f'<img src="data:image/png;base64,{b64}" alt="{html.escape(alt, quote=True)}">'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>",
                f"[Figure: {alt}]",
            )


# -- reading them back: the summary, the scorecard and the bundle ----------------------------------
#
# A chapter is named by its notebook's stem (``08_hate_crime``); its files sort by chapter number
# (:func:`assess.registry.sort_key`).


def _chapter_files(output_dir: str | Path, kind: str) -> list[Path]:
    folder = Path(output_dir) / kind
    return sorted(folder.glob("*.json"), key=lambda p: sort_key(p.stem))


def _read_list(path: Path) -> list[Any]:
    """A JSON list from ``path``; raises ValueError naming the file when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); re-run chapter '{path.stem}'") from None
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list, found {type(data).__name__}; re-run chapter '{path.stem}'")
    return data


def load_metrics(output_dir: str | Path) -> list[dict[str, Any]]:
    """Every metric the run's chapters wrote to ``output_dir/metrics/*.json``, in chapter order.

    Each item is the metric's JSON object (the fields of :class:`assess.measure.metrics.Metric`);
    its ``chapter`` is set from the file name when the object lacks one. Empty when no chapter
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


def read_catalogue(output_dir: str | Path) -> dict[str, dict[str, Any]]:
    """The catalogue (tables, figures, notes) of every chapter, by chapter."""
    folder = Path(output_dir) / "catalogue"
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def load_accounts(output_dir: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The partners' accounts each chapter showed (``accounts`` of its catalogue), chapters in
    order; a chapter that showed none is left out."""
    accounts = {c: list(cat.get("accounts", [])) for c, cat in read_catalogue(output_dir).items()}
    return {c: accounts[c] for c in sorted(accounts, key=sort_key) if accounts[c]}


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
    return sorted(names, key=sort_key)


def missing_chapters(output_dir: str | Path, registry: Registry) -> list[str]:
    """The chapters of ``registry`` that left no fragment in ``output_dir`` (those that read the
    others' outputs aside): a chapter that failed leaves nothing, so the summary can name it."""
    present = set(chapters_with_fragments(output_dir))
    return [c.name for c in registry if not c.reads_others and c.name not in present]


def executed_notebooks_dir(output_dir: str | Path) -> Path:
    """Where the bundle keeps the executed notebooks of a run: ``output_dir/notebooks``."""
    return Path(output_dir) / "notebooks"


def run_registry(output_dir: str | Path) -> Registry:
    """The chapter registry of the run writing into ``output_dir``: the copy the bundle keeps
    with the executed notebooks, else the project's (a chapter run on its own)."""
    executed = executed_notebooks_dir(output_dir)
    if (executed / REGISTRY_FILE).exists():
        return load_registry(executed, require_notebooks=False)
    return load_registry()


def failed_chapters(output_dir: str | Path) -> list[str]:
    """Chapters whose executed notebook in ``output_dir/notebooks`` stopped with an error
    (papermill records ``metadata.papermill.exception``), in order."""
    failed = []
    for p in executed_notebooks_dir(output_dir).glob("*.ipynb"):
        if not CHAPTER_NAME.match(p.stem):
            continue
        try:
            meta = json.loads(p.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, json.JSONDecodeError):
            failed.append(p.stem)
            continue
        if (meta.get("papermill") or {}).get("exception"):
            failed.append(p.stem)
    return sorted(failed, key=sort_key)


# -- the headline figures: one selection for the summary and the index ------------------------------

#: Headline metric ids shown first, when the run has them.
HEADLINE_IDS: tuple[str, ...] = (
    "all_crime",
    "anti_social_behaviour",
    "violence_and_sexual_offences",
    "hate_crime",
    "domestic_abuse",
    "domestic_violence_share",
    "sexual_offences_rate",
)


def headline_metrics(metrics: Sequence[Mapping[str, Any]], reading: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The headline figures of a run: :data:`HEADLINE_IDS` present, then the first metric of every
    other chapter (its lead figure), in chapter order. Metrics of the chapters in ``reading`` (those
    that only gather the others': the scorecard, the summary) are left out."""
    skip = set(reading)
    by_id = metrics_by_id([m for m in metrics if str(m.get("chapter")) not in skip], strict=False)
    chosen = [by_id[i] for i in HEADLINE_IDS if i in by_id]
    have_chapters = {m.get("chapter") for m in chosen}
    for m in by_id.values():
        chapter = str(m.get("chapter"))
        if chapter in have_chapters:
            continue
        chosen.append(m)
        have_chapters.add(chapter)
    order = {i: k for k, i in enumerate(HEADLINE_IDS)}
    return sorted(chosen, key=lambda m: (order.get(m["id"], len(order)), sort_key(str(m.get("chapter")))))


def headline_selection(
    metrics: Sequence[Mapping[str, Any]], reading: Iterable[str] = (), limit: int = 12
) -> list[dict[str, Any]]:
    """Up to ``limit`` headline figures for the index: :func:`headline_metrics`, then any other
    metric of the chapters, in chapter order."""
    skip = set(reading)
    chosen = headline_metrics(metrics, skip)
    ids = {m.get("id") for m in chosen}
    chosen += [dict(m) for m in metrics if m.get("id") not in ids and str(m.get("chapter", "")) not in skip]
    return chosen[:limit]
