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
  ``tables.xlsx`` and the index.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from assess.atomic import write_bytes, write_text

#: What a suppressed cell reads in published tables (GSS shorthand for "confidential").
SUPPRESSED_MARK = "[c]"

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


def suppression_mask(
    df: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int,
    *,
    row_total: str | None = None,
    column_total_row: str | None = None,
) -> pd.DataFrame:
    """Which cells of ``df`` to suppress (a bool frame of the same shape as ``df``).

    The method is :func:`assess.stats.suppressed_mask`: primary suppression of counts from 1 to
    ``threshold - 1``, and secondary suppression so that totals do not reveal them.
    """
    from assess.stats import suppressed_mask

    full = pd.DataFrame(False, index=df.index, columns=df.columns)
    if not count_columns:
        return full
    part = suppressed_mask(df, list(count_columns), threshold, row_total, column_total_row)
    for col in part.columns:
        full[col] = part[col].to_numpy(dtype=bool)
    return full


def default_count_columns(df: pd.DataFrame) -> list[str]:
    """The integer (non-boolean) columns of ``df``: counts unless the chapter says otherwise."""
    return [
        str(c)
        for c in df.columns
        if pd.api.types.is_integer_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype)
    ]


def _format_cell(value: Any) -> str:
    """Display text of one cell: thousands separators, one decimal place for non-integers."""
    import numpy as np

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:,.1f}"
    return str(value)


def _is_numeric_column(column: pd.Series) -> bool:
    """Numbers (and ``[c]`` markers) only: right-aligned in HTML."""
    import numbers

    if pd.api.types.is_bool_dtype(column.dtype):
        return False
    if pd.api.types.is_numeric_dtype(column.dtype):
        return True
    values = [v for v in column.tolist() if v is not None and v != SUPPRESSED_MARK and not pd.isna(v)]
    return bool(values) and all(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in values)


def table_html(df: pd.DataFrame, caption: str, mask: pd.DataFrame | None = None) -> str:
    """A captioned, styled HTML table; suppressed cells read ``[c]``."""
    numeric = [_is_numeric_column(df[c]) for c in df.columns]
    num_class = ' class="num"'
    head = "".join(
        f'<th scope="col"{num_class if numeric[j] else ""}>{html.escape(str(c))}</th>'
        for j, c in enumerate(df.columns)
    )
    rows = []
    for i in range(len(df)):
        cells = []
        for j, col in enumerate(df.columns):
            if mask is not None and bool(mask.iat[i, j]):
                text = SUPPRESSED_MARK
            else:
                text = _format_cell(df.iat[i, j])
            classes = (["num"] if numeric[j] else []) + (["nw"] if " " not in text and len(text) <= 12 else [])
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if mask is not None and bool(mask.to_numpy().any()):
        note = f'<p class="assess-table-note">{SUPPRESSED_MARK}: suppressed to protect confidentiality.</p>'
    return (
        '<div class="assess-table-wrap"><table class="assess-table">'
        f"<caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}</div>"
    )


class PublishedTable(pd.DataFrame):
    """A suppressed DataFrame that displays in a notebook as a captioned table, once.

    :meth:`ChapterOutputs.table` shows it as it publishes it, so a cell that ends with it does not
    show it again (``shown``). Any operation on it returns a plain ``pd.DataFrame``, so derived
    frames do not carry the caption.
    """

    _metadata = ["caption", "suppressed", "shown"]

    @property
    def _constructor(self) -> type[pd.DataFrame]:  # derived frames are plain DataFrames
        return pd.DataFrame

    def _repr_html_(self) -> str:
        mask = getattr(self, "suppressed", None)
        return table_html(pd.DataFrame(self), getattr(self, "caption", "") or "", mask)

    def _ipython_display_(self) -> None:
        if not getattr(self, "shown", False):
            self.shown = True
            _display_html(self._repr_html_(), f"[Table: {self.caption}]")


def _published_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Move a meaningful index into columns so CSV, xlsx and HTML show the same table."""
    if isinstance(df.index, pd.RangeIndex) and df.index.name is None:
        return df.copy()
    return df.reset_index()


def _display_html(html_text: str, plain: str) -> None:
    """Show HTML in a running notebook; do nothing in plain Python (scripts, tests)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:
        return
    display({"text/html": html_text, "text/plain": plain}, raw=True)


def _display_markdown(text: str) -> None:
    """Show Markdown in a running notebook; do nothing in plain Python (scripts, tests)."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        return
    if get_ipython() is None:
        return
    display(Markdown(text))


def _display_object(obj: Any) -> None:
    """Show a rich object (its own HTML) in a running notebook; do nothing in plain Python."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:
        return
    display(obj)


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

    def say(self, text: str, display: bool = True) -> None:
        """Show a paragraph of Markdown in the chapter (its numbers computed by the caller).

        This is the one way a chapter emits prose; every paragraph is also kept, in order, in
        :attr:`said`, so a test reads what a chapter said without patching anything.
        """
        self.said.append(text)
        if display:
            _display_markdown(text)

    def show(self, obj: Any) -> None:
        """Show a rich object that is not itself published, such as a table styled for display
        (a pandas ``Styler``), so that a chapter never calls IPython's ``display`` itself."""
        _display_object(obj)

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
        items = [e for e in cat[kind] if key is None or e.get("name") != key]
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
        ``decimals`` rounds the numbers as :meth:`pandas.DataFrame.round` does (an int, or places
        by column), so the table shows what the text shows.

        The table is shown in the chapter with its caption (unless ``display`` is False); the
        returned :class:`PublishedTable` is not shown again when it ends a cell.
        """
        if not caption or not caption.strip():
            raise ValueError(f"table '{name}': a caption is required")
        frame = _published_frame(df)
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
            frame = frame.round(decimals)
        published = frame.copy()
        for col in frame.columns:
            if mask[col].any():
                published[col] = frame[col].astype(object).mask(mask[col], SUPPRESSED_MARK)
        path = self.table_path(name)
        write_text(path, published.to_csv(index=False, lineterminator="\n"))
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
            _display_html(f'<p class="assess-finding"><strong>Key finding:</strong> {html.escape(text)}</p>', text)

    def note(self, text: str, display: bool = True) -> None:
        """A note on method or data quality: shown in the chapter and listed in ``tables.xlsx``."""
        text = " ".join(str(text).split())
        if not text:
            raise ValueError("a note needs some text")
        self._record("notes", text)
        if display:
            _display_html(f'<aside class="assess-note"><strong>Note:</strong> {html.escape(text)}</aside>', text)

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
            _display_html(
                '<figure class="assess-figure">'
                f'<img src="data:image/png;base64,{b64}" alt="{html.escape(alt, quote=True)}">'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>",
                f"[Figure: {alt}]",
            )


# -- readers used by the summary chapters and the bundle ----------------------------------------
def read_catalogue(output_dir: str | Path) -> dict[str, dict[str, Any]]:
    """The catalogue (tables, figures, notes) of every chapter, by chapter."""
    folder = Path(output_dir) / "catalogue"
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
