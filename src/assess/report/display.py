"""How a chapter's outputs look: published tables as HTML, and showing them in a running notebook.

:func:`table_html` renders a (suppressed) table with its caption; :class:`PublishedTable` is the
frame :meth:`assess.report.outputs.ChapterOutputs.table` returns, shown once; :func:`display_html`
and :func:`display_markdown` show output in a notebook and do nothing in plain Python.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from assess.report.formats import ColumnFormat, column_format
from assess.report.words import column_labels

#: A table of at most this many rows is never split across pages of the PDF.
SHORT_ROWS = 20
#: A table of more columns than this is set smaller in the PDF.
WIDE_COLUMNS = 7
#: A table of more columns than this is split into parts that fit an A4 page (:func:`column_parts`).
MAX_COLUMNS = 9
#: What a suppressed cell reads in published tables (GSS shorthand for "confidential").
SUPPRESSED_MARK = "[c]"


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


def format_cell(value: Any, name: str = "") -> str:
    """Display text of one cell on its own (a table formats whole columns: :func:`table_html`)."""
    return column_format(name, [value]).text(value)


def column_formats(df: pd.DataFrame) -> list[ColumnFormat]:
    """The format of each column of ``df`` (:func:`assess.report.formats.column_format`)."""
    return [column_format(str(c), df[c].tolist()) for c in df.columns]


def is_numeric_column(column: pd.Series) -> bool:
    """Figures (and ``[c]`` markers) only: right-aligned in HTML."""
    return column_format(str(column.name), column.tolist()).numeric


def key_columns(df: pd.DataFrame) -> int:
    """How many leading columns name a row (repeated in each part of a split table): the first,
    and the second too when the first is a code (``Ward code``, ``Ward``)."""
    return 2 if len(df.columns) > 2 and "code" in str(df.columns[0]).lower() else 1


def column_parts(df: pd.DataFrame, max_columns: int = MAX_COLUMNS) -> list[list[int]]:
    """The columns of each part of a table too wide for an A4 page: the key columns
    (:func:`key_columns`) then the others, in order, shared evenly among as few parts as keep
    each within ``max_columns``."""
    if len(df.columns) <= max_columns:
        return [list(range(len(df.columns)))]
    keys = list(range(key_columns(df)))
    rest = list(range(len(keys), len(df.columns)))
    width = max(1, max_columns - len(keys))
    count = -(-len(rest) // width)  # parts needed; the columns are shared out evenly among them
    size = -(-len(rest) // count)
    return [keys + rest[i:i + size] for i in range(0, len(rest), size)]


def table_html(df: pd.DataFrame, caption: str, mask: pd.DataFrame | None = None) -> str:
    """A captioned HTML table in a labelled region a keyboard can scroll; suppressed cells read ``[c]``.

    Headers are in the reader's words (:func:`assess.report.words.column_labels`), each column's
    figures in one format (:mod:`assess.report.formats`). The region (``role="region"``, named by
    the caption, ``tabindex="0"``) lets a keyboard user scroll a table wider than a narrow screen.
    A table of more than :data:`MAX_COLUMNS` columns is shown as several tables side by side in
    the data (each repeating the columns that name its rows, its caption saying which part it
    is), so that each fits the width of an A4 page; the CSV and the workbook keep it whole.
    """
    parts = column_parts(df)
    if len(parts) == 1:
        return _table_html(df, caption, mask)
    out = []
    for k, cols in enumerate(parts, start=1):
        names = column_labels([str(c) for c in df.columns])
        first, last = names[cols[key_columns(df)]], names[cols[-1]]
        part_caption = f"{caption} (part {k} of {len(parts)}: {first} to {last})"
        part_mask = None if mask is None else mask.iloc[:, cols]
        out.append(_table_html(df.iloc[:, cols], part_caption, part_mask))
    return "".join(out)


#: Text columns whose every value is at most this long (a verdict, a role) are never wrapped.
SHORT_TEXT = 22


def _short_text_column(column: pd.Series) -> bool:
    values = [v for v in column.tolist() if isinstance(v, str)]
    return bool(values) and all(len(v) <= SHORT_TEXT for v in values)


def _table_html(df: pd.DataFrame, caption: str, mask: pd.DataFrame | None) -> str:
    formats = column_formats(df)
    short = [not f.numeric and _short_text_column(df.iloc[:, j]) for j, f in enumerate(formats)]
    labels = column_labels([str(c) for c in df.columns])
    num_class = ' class="num"'
    head = "".join(
        f'<th scope="col"{num_class if formats[j].numeric else ""}>{html.escape(label)}</th>'
        for j, label in enumerate(labels)
    )
    rows = []
    for i in range(len(df)):
        cells = []
        for j in range(len(df.columns)):
            if mask is not None and bool(mask.iat[i, j]):
                text = SUPPRESSED_MARK
            else:
                text = formats[j].text(df.iat[i, j])
            nowrap = short[j] or (" " not in text and len(text) <= 12)
            classes = (["num"] if formats[j].numeric else []) + (["nw"] if nowrap else [])
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if mask is not None and bool(mask.to_numpy().any()):
        note = f'<p class="assess-table-note">{SUPPRESSED_MARK}: suppressed to protect confidentiality.</p>'
    label = html.escape(" ".join(caption.split()), quote=True)
    wrap = "assess-table-wrap" + (" short" if len(df) <= SHORT_ROWS else "")
    table = "assess-table" + (" wide" if len(df.columns) > WIDE_COLUMNS else "")
    return (
        f'<div class="{wrap}" role="region" aria-label="{label}" tabindex="0">'
        f'<table class="{table}"><caption>{html.escape(caption)}</caption>'
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
            display_html(self._repr_html_(), f"[Table: {self.caption}]")


class TableView:
    """Some columns of a published table, shown in a chapter (:meth:`ChapterOutputs.show`) while the
    whole table goes to the workbook and CSV: the same figures, suppressed alike."""

    def __init__(self, table: pd.DataFrame, caption: str, mask: pd.DataFrame | None) -> None:
        self.table, self.caption, self.mask = table, caption, mask

    def _repr_html_(self) -> str:
        return table_html(self.table, self.caption, self.mask)

    def __repr__(self) -> str:
        return f"[Table: {self.caption}]"


def column_view(published: pd.DataFrame, columns: Sequence[str], caption: str) -> TableView:
    """A :class:`TableView` of ``columns`` of a table :meth:`ChapterOutputs.table` published."""
    missing = [c for c in columns if c not in published.columns]
    if missing:
        raise KeyError(f"columns not in the published table: {missing}")
    mask = getattr(published, "suppressed", None)
    return TableView(pd.DataFrame(published)[list(columns)], caption,
                     None if mask is None else mask[list(columns)])


def published_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Move a meaningful index into columns so CSV, xlsx and HTML show the same table."""
    if isinstance(df.index, pd.RangeIndex) and df.index.name is None:
        return df.copy()
    return df.reset_index()


def _notebook_display() -> Any:
    """IPython's ``display`` when running in a notebook kernel, else None (plain Python: scripts, tests)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    return display if get_ipython() is not None else None


def display_html(html_text: str, plain: str) -> None:
    """Show HTML (with a plain-text alternative) in a running notebook; nothing in plain Python."""
    show = _notebook_display()
    if show is not None:
        show({"text/html": html_text, "text/plain": plain}, raw=True)


def display_markdown(text: str) -> None:
    """Show a paragraph of Markdown in a running notebook; nothing in plain Python.

    It is rendered here, as HTML in which any HTML of the text is shown as text and no unsafe
    link is made (:func:`assess.report.safe_text.markdown_html`): chapter prose carries input
    text (ward names, labels, partners' words), which must never run in a reader's browser.
    """
    from assess.report.safe_text import markdown_html

    display_html(markdown_html(text), text)


def display_object(obj: Any) -> None:
    """Show a rich object (its own HTML, e.g. a pandas ``Styler``) in a running notebook; nothing in plain Python.

    An object with HTML of its own is shown as that HTML with a plain-text line naming its type:
    its default text would be its ``repr``, which holds a memory address (``<... Styler at
    0x7f...>``) and so differs on every run.
    """
    html_repr = getattr(obj, "_repr_html_", None)
    if callable(html_repr):
        display_html(html_repr(), f"[{type(obj).__name__}]")
        return
    show = _notebook_display()
    if show is not None:
        show(obj)


