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

from assess.measure.narrative import format_number

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


def format_cell(value: Any) -> str:
    """Display text of one cell: thousands separators; a number the chapter rounded (to at most three
    places) shown with the digits it has, so the page shows what the CSV and the workbook hold (the
    chapters round once, :func:`assess.measure.narrative.round_table`); any other number to one
    decimal place, halves rounded up, from full precision."""
    import numpy as np

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if value.is_integer() and abs(value) >= 1000:
            return f"{value:,.0f}"
        digits = repr(value).partition(".")[2]
        if "e" not in repr(value) and 1 <= len(digits) <= 3:
            return f"{value:,.{len(digits)}f}"
        return format_number(value, 1)
    return str(value)


def is_numeric_column(column: pd.Series) -> bool:
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
    numeric = [is_numeric_column(df[c]) for c in df.columns]
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
                text = format_cell(df.iat[i, j])
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
            display_html(self._repr_html_(), f"[Table: {self.caption}]")


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
    """Show Markdown in a running notebook; nothing in plain Python."""
    show = _notebook_display()
    if show is not None:
        from IPython.display import Markdown

        show(Markdown(text))


def display_object(obj: Any) -> None:
    """Show a rich object (its own HTML, e.g. a pandas ``Styler``) in a running notebook; nothing in plain Python."""
    show = _notebook_display()
    if show is not None:
        show(obj)


