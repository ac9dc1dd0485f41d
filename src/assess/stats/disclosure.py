"""Statistical disclosure control for published tables of counts.

Sources: ONS, *Policy on protecting confidentiality in tables of birth and death statistics*
and the GSS / ONS guidance "Disclosure control for tables produced from administrative data";
Hundepool A et al. (2012) *Statistical Disclosure Control* (Wiley), ch. 4 (cell suppression).
The marker ``[c]`` ("confidential") is the one the GSS / ONS use in published spreadsheets.

Method:

1. Primary suppression: every count from 1 to ``threshold - 1`` (1-4 by default). Zeros are not
   suppressed: a zero reveals no individual.
2. Secondary (complementary) suppression, when the table publishes totals: a table with totals
   is a set of equations (each row's cells add to its row total; each column's cells add to the
   totals row). Every equation must hold either no suppressed cell or at least two, or the one
   suppressed cell could be recovered by subtraction. While some equation holds exactly one, the
   smallest non-zero unsuppressed cell of that equation is suppressed too (ties broken in favour
   of a cell that also completes another such equation, then by position), and the check
   repeats. Totals are cells like any other: a total of 1-4 is itself suppressed.

With both row and column totals, this leaves every suppressed cell on a cycle of suppressed cells
(each line has two or more), so no single cell is determined by the published figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from assess.errors import StatisticsError

MARKER = "[c]"


def _cell_columns(table: pd.DataFrame, value_columns: Sequence[str] | None, row_total: str | None) -> list[str]:
    if value_columns is None:
        columns = [str(c) for c in table.select_dtypes(include="number").columns]
        columns = [c for c in table.columns if c in columns]
    else:
        columns = list(value_columns)
    if row_total is not None and row_total not in columns:
        columns.append(row_total)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise StatisticsError(f"the table has no column {missing[0]!r} (columns: {', '.join(map(str, table.columns))})")
    if len(set(columns)) != len(columns):
        raise StatisticsError("value_columns names a column twice")
    if not columns:
        raise StatisticsError("the table has no count columns to protect; name them in value_columns")
    return columns


def _values(table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The cells as a float array (NaN = no value), refusing negatives and fractions."""
    out = np.empty((len(table), len(columns)), dtype="float64")
    for j, column in enumerate(columns):
        try:
            series = pd.to_numeric(table[column], errors="raise").astype("float64")
        except (TypeError, ValueError) as exc:
            raise StatisticsError(f"column {column!r} must hold counts: {exc}") from exc
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = ~np.isnan(values)
        if (values[finite] < 0).any():
            i = int(np.flatnonzero(finite & (values < 0))[0])
            raise StatisticsError(f"column {column!r}, row {table.index[i]!r}: a count cannot be negative")
        if np.isinf(values[finite]).any() or (values[finite] != np.floor(values[finite])).any():
            i = int(np.flatnonzero(finite & (np.isinf(values) | (values != np.floor(values))))[0])
            raise StatisticsError(
                f"column {column!r}, row {table.index[i]!r}: {values[i]!r} is not a count; "
                "disclosure control applies to counts (name the count columns in value_columns)"
            )
        out[:, j] = values
    return out


def _total_row_position(table: pd.DataFrame, label: str, cell_columns: list[str]) -> int:
    """Position of the totals row: the row whose index label, or whose text in a non-count column, is ``label``."""
    by_index = np.flatnonzero(np.asarray(table.index == label, dtype=bool))
    if len(by_index) == 1:
        return int(by_index[0])
    if len(by_index) > 1:
        raise StatisticsError(f"more than one row is labelled {label!r}")
    hits: set[int] = set()
    for column in table.columns:
        if column in cell_columns:
            continue
        matches = table[column].astype("string").eq(label).fillna(False).to_numpy(dtype=bool)
        hits.update(int(i) for i in np.flatnonzero(matches))
    if len(hits) != 1:
        found = "no row" if not hits else "more than one row"
        raise StatisticsError(f"column_total_row {label!r}: {found} of the table is labelled so")
    return hits.pop()


def _equations(n_rows: int, n_cols: int, has_row_total: bool, has_total_row: bool) -> list[list[tuple[int, int]]]:
    equations: list[list[tuple[int, int]]] = []
    if has_row_total:
        equations.extend([[(i, j) for j in range(n_cols)] for i in range(n_rows)])
    if has_total_row:
        equations.extend([[(i, j) for i in range(n_rows)] for j in range(n_cols)])
    return equations


def suppressed_mask(
    table: pd.DataFrame,
    value_columns: Sequence[str] | None = None,
    threshold: int = 5,
    row_total: str | None = None,
    column_total_row: str | None = None,
) -> pd.DataFrame:
    """Which cells to suppress: a bool frame over the count columns (and ``row_total``).

    ``value_columns`` defaults to every numeric column; ``row_total`` names the column of row
    totals; ``column_total_row`` is the index label (or the text in a label column) of the row of
    column totals. See the module docstring for the method. Raises StatisticsError for negative or
    fractional counts, unknown columns, a threshold below 1, or totals that cannot be protected
    (an equation with one suppressed cell and no other non-zero cell: the totals do not add up).
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise StatisticsError(f"threshold must be a whole number of at least 1, not {threshold!r}")
    if not isinstance(table, pd.DataFrame):
        raise StatisticsError("suppress needs a pandas DataFrame")
    columns = _cell_columns(table, value_columns, row_total)
    values = _values(table, columns)
    finite = ~np.isnan(values)
    mask = finite & (values >= 1) & (values < threshold)

    total_row = None if column_total_row is None else _total_row_position(table, column_total_row, columns)
    if row_total is not None and len(columns) < 2:
        raise StatisticsError(f"row_total {row_total!r} needs at least one count column beside it")
    equations = _equations(len(table), len(columns), row_total is not None, total_row is not None)
    membership: dict[tuple[int, int], list[int]] = {}
    for k, members in enumerate(equations):
        for cell in members:
            membership.setdefault(cell, []).append(k)

    def suppressed_in(k: int) -> int:
        return sum(bool(mask[cell]) for cell in equations[k])

    changed = True
    while changed:
        changed = False
        for k, members in enumerate(equations):
            if suppressed_in(k) != 1:
                continue
            candidates = [cell for cell in members if not mask[cell] and finite[cell] and values[cell] > 0]
            if not candidates:
                if row_total is not None and k < len(table):
                    where = f"row {table.index[k]!r}"
                else:
                    where = f"column {columns[k - (len(table) if row_total is not None else 0)]!r}"
                raise StatisticsError(
                    f"cannot protect the suppressed cell in {where}: no other non-zero cell to suppress "
                    "with it; check that the totals add up"
                )

            def key(cell: tuple[int, int], k: int = k) -> tuple[float, int, int, int]:
                completes = sum(1 for other in membership.get(cell, []) if other != k and suppressed_in(other) == 1)
                return (values[cell], -completes, cell[0], cell[1])

            mask[min(candidates, key=key)] = True
            changed = True
    return pd.DataFrame(mask, index=table.index, columns=pd.Index(columns))


def suppress(
    table: pd.DataFrame,
    value_columns: Sequence[str] | None = None,
    threshold: int = 5,
    row_total: str | None = None,
    column_total_row: str | None = None,
    marker: str = MARKER,
) -> pd.DataFrame:
    """A copy of ``table`` with disclosive counts replaced by ``marker`` (``"[c]"``, as ONS uses).

    The count columns become object dtype (numbers and marker strings); other columns are
    unchanged. See :func:`suppressed_mask` for which cells are suppressed and why.
    """
    mask = suppressed_mask(table, value_columns, threshold, row_total, column_total_row)
    out = table.copy()
    for column in mask.columns:
        hidden = mask[column].to_numpy(dtype=bool)
        cells = out[column].astype(object).to_numpy(copy=True)
        cells[hidden] = marker
        out[column] = pd.Series(cells, index=out.index, dtype=object)
    return out
