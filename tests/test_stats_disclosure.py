"""Disclosure control: primary suppression of 1-4 and secondary suppression against totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.errors import StatisticsError
from assess.stats import suppress, suppressed_mask


def test_primary_suppression_only_without_totals():
    table = pd.DataFrame({"ward": ["A", "B", "C"], "burglary": [0, 3, 12], "robbery": [5, 4, 1]})
    out = suppress(table)
    assert list(out["burglary"]) == [0, "[c]", 12]
    assert list(out["robbery"]) == [5, "[c]", "[c]"]
    assert list(out["ward"]) == ["A", "B", "C"]
    assert out["burglary"].dtype == object and out["robbery"].dtype == object
    assert table["burglary"].dtype == "int64"  # the input is untouched


def test_secondary_suppression_with_row_totals_picks_smallest_other_cell():
    table = pd.DataFrame({"a": [3, 10], "b": [7, 20], "c": [9, 30], "total": [19, 60]})
    out = suppress(table, value_columns=["a", "b", "c"], row_total="total")
    assert list(out.iloc[0]) == ["[c]", "[c]", 9, 19]  # 3 is primary; 7 the smallest other
    assert list(out.iloc[1]) == [10, 20, 30, 60]


def test_worked_example_with_both_totals():
    table = pd.DataFrame(
        {
            "area": ["North", "South", "East", "Total"],
            "violence": [12, 3, 20, 35],
            "theft": [8, 15, 25, 48],
            "total": [20, 18, 45, 83],
        }
    )
    mask = suppressed_mask(table, ["violence", "theft"], row_total="total", column_total_row="Total")
    # 3 (South, violence) is primary; South row: the smallest other is theft 15; column violence:
    # the smallest other is 12 (North), which leaves the North row and theft column with one each:
    # theft 8 (North) completes both.
    expected = pd.DataFrame(
        {
            "violence": [True, True, False, False],
            "theft": [True, True, False, False],
            "total": [False, False, False, False],
        }
    )
    pd.testing.assert_frame_equal(mask, expected)


def test_small_totals_are_suppressed_too():
    table = pd.DataFrame({"x": [2, 0], "y": [0, 6], "total": [2, 6]})
    out = suppress(table, ["x", "y"], row_total="total")
    assert list(out.iloc[0]) == ["[c]", 0, "[c]"]


def test_totals_row_found_by_index_label():
    table = pd.DataFrame({"x": [2, 9, 11], "y": [7, 8, 15]}, index=["A", "B", "Total"])
    mask = suppressed_mask(table, column_total_row="Total")
    assert mask.loc["A", "x"] and mask.loc["B", "x"]
    assert not mask["y"].any()


def test_zeros_protect_nothing_so_the_total_row_is_used():
    # column x: only A's 2 and the total 2 are non-zero -> both suppressed (zero never is)
    table = pd.DataFrame({"x": [2, 0, 2]}, index=["A", "B", "Total"])
    mask = suppressed_mask(table, column_total_row="Total")
    assert list(mask["x"]) == [True, False, True]


def test_marker_and_threshold_are_parameters():
    table = pd.DataFrame({"n": [1, 5, 9, 10]})
    out = suppress(table, threshold=10, marker="*")
    assert list(out["n"]) == ["*", "*", "*", 10]
    assert list(suppress(table, threshold=1)["n"]) == [1, 5, 9, 10]


def test_missing_cells_stay_missing():
    table = pd.DataFrame({"n": [1.0, np.nan, 7.0]})
    out = suppress(table)
    assert out["n"].iloc[0] == "[c]" and pd.isna(out["n"].iloc[1]) and out["n"].iloc[2] == 7.0


@st.composite
def tables_with_totals(draw):
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 4))
    cell = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 40))
    values = np.array([[draw(cell) for _ in range(n_cols)] for _ in range(n_rows)], dtype="int64")
    columns = [f"c{j}" for j in range(n_cols)]
    table = pd.DataFrame(values, columns=columns)
    table.insert(0, "area", [f"area {i}" for i in range(n_rows)])
    with_row_total = draw(st.booleans())
    with_total_row = draw(st.booleans())
    if with_row_total:
        table["total"] = values.sum(axis=1)
    if with_total_row:
        sums = table[columns + (["total"] if with_row_total else [])].sum()
        total_row = pd.DataFrame([{"area": "Total", **sums.to_dict()}])
        table = pd.concat([table, total_row], ignore_index=True)
    return table, columns, with_row_total, with_total_row


@given(tables_with_totals(), st.sampled_from([3, 5, 10]))
@settings(max_examples=200, deadline=None)
def test_no_suppressed_cell_can_be_recovered(case, threshold):
    table, columns, with_row_total, with_total_row = case
    row_total = "total" if with_row_total else None
    total_row = "Total" if with_total_row else None
    out = suppress(table, columns, threshold=threshold, row_total=row_total, column_total_row=total_row)
    cells = columns + (["total"] if with_row_total else [])
    hidden = out[cells].apply(lambda column: column.map(lambda v: v == "[c]")).to_numpy(dtype=bool)
    original = table[cells].to_numpy()

    # every 1..threshold-1 hidden, no zero hidden, everything shown is unchanged
    small = (original >= 1) & (original < threshold)
    assert hidden[small].all()
    assert not hidden[original == 0].any()
    shown = out[cells].to_numpy()[~hidden]
    assert (shown == original[~hidden]).all()

    # every row (with a row total) and every column (with a totals row) has 0 or >= 2 hidden cells
    if with_row_total:
        per_row = hidden.sum(axis=1)
        assert ((per_row == 0) | (per_row >= 2)).all()
    if with_total_row:
        per_column = hidden.sum(axis=0)
        assert ((per_column == 0) | (per_column >= 2)).all()


def test_deterministic():
    table = pd.DataFrame({"a": [3, 6, 6, 15], "b": [6, 6, 2, 14], "total": [9, 12, 8, 29]}, index=list("xyzT"))
    first = suppressed_mask(table, ["a", "b"], row_total="total", column_total_row="T")
    for _ in range(3):
        pd.testing.assert_frame_equal(suppressed_mask(table, ["a", "b"], row_total="total", column_total_row="T"), first)


@pytest.mark.parametrize(
    ("kwargs", "table", "message"),
    [
        ({}, pd.DataFrame({"n": [1, -2]}), "negative"),
        ({}, pd.DataFrame({"n": [1.5, 2]}), "not a count"),
        ({"value_columns": ["missing"]}, pd.DataFrame({"n": [1]}), "no column"),
        ({"threshold": 0}, pd.DataFrame({"n": [1]}), "threshold"),
        ({"column_total_row": "Total"}, pd.DataFrame({"n": [1, 2]}), "no row"),
        ({"row_total": "t"}, pd.DataFrame({"n": [3, 0], "t": [0, 0]}), "add up"),
    ],
)
def test_impossible_input_raises(kwargs, table, message):
    with pytest.raises(StatisticsError, match=message):
        suppress(table, **kwargs)
