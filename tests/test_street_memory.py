"""The compact street frames (issue 9.6): codes read as categoricals give the same answers as the
strings they stand for, a year's contiguous rows are a slice sharing memory, and counts and the
reconciliation agree on categorical and string input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.measure import counts
from assess.measure.context import rows_where
from assess.measure.reconcile import _police_uk_crimes
from assess.store import Store, clear_read_cache
from assess.store.processed import as_categorical
from assess.store.versions import write_tables

STREET = pd.DataFrame({
    "month": pd.array(["2024-04", "2024-04", "2024-05", "2024-05", "2024-06", "2024-06"], dtype="string"),
    "ward_code": pd.array(["W2", "W1", None, "W3", "W1", "W2"], dtype="string"),
    "lad_code": pd.array(["B", "A", "A", "B", "A", "A"], dtype="string"),
    "category": pd.array(["Drugs", "Burglary", "Drugs", "Robbery", "Burglary", "Anti-social behaviour"], dtype="string"),
})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    clear_read_cache()
    write_tables(tmp_path, {"street": STREET})
    return Store(tmp_path)


def test_a_categorical_read_holds_the_same_values_with_only_the_values_present_sorted(store: Store) -> None:
    plain = store.read("street", filters=[("lad_code", "==", "A")])
    cat = store.read("street", filters=[("lad_code", "==", "A")], categorical=["ward_code", "category", "lad_code"])
    for c in ("ward_code", "category", "lad_code"):
        assert isinstance(cat[c].dtype, pd.CategoricalDtype)
        assert list(cat[c].cat.categories) == sorted(plain[c].dropna().unique())  # W3 (lad B only) is not a category
        pd.testing.assert_series_equal(cat[c].astype("string"), plain[c])
    assert cat["month"].dtype == plain["month"].dtype  # columns not named stay as they were
    assert cat["ward_code"].value_counts().to_dict() == plain["ward_code"].value_counts().to_dict()  # no zero counts
    assert store.read("street", filters=[("lad_code", "==", "A")])["ward_code"].dtype == plain["ward_code"].dtype  # cached apart


def test_a_read_of_no_part_gives_empty_categoricals(store: Store) -> None:
    empty = store.read("street", filters=[("lad_code", "==", "Z")], categorical=["ward_code"])
    assert empty.empty and isinstance(empty["ward_code"].dtype, pd.CategoricalDtype)


@settings(deadline=None)  # timing is not what is tested; the machine is shared
@given(st.lists(st.sampled_from(["b", "a", "c", None]), max_size=30))
def test_as_categorical_keeps_every_value_and_sorts_the_categories(values: list[str | None]) -> None:
    df = pd.DataFrame({"x": pd.array(values, dtype="string"), "n": range(len(values))})
    out = as_categorical(df, ["x"])
    assert list(out["x"].cat.categories) == sorted({v for v in values if v is not None})
    pd.testing.assert_series_equal(out["x"].astype("string"), df["x"])
    pd.testing.assert_series_equal(out["n"], df["n"])
    assert df["x"].dtype == "string"  # the frame given is unchanged


@settings(deadline=None)
@given(st.lists(st.sampled_from([True, False, None]), max_size=40))
def test_rows_where_gives_the_rows_of_a_boolean_mask(mask: list[bool | None]) -> None:
    df = pd.DataFrame({"v": np.arange(len(mask), dtype="int64"), "s": pd.array([f"r{i}" for i in range(len(mask))], dtype="string")},
                      index=np.arange(len(mask)) * 10)
    keep = pd.Series(pd.array(mask, dtype="boolean"), index=df.index)
    pd.testing.assert_frame_equal(rows_where(df, keep), df[keep.fillna(False)])


def test_contiguous_rows_are_a_slice_sharing_memory() -> None:
    df = pd.DataFrame({"v": np.arange(10, dtype="int64")})
    part = rows_where(df, df["v"].between(3, 6))
    assert part["v"].tolist() == [3, 4, 5, 6]
    assert np.shares_memory(part["v"].to_numpy(), df["v"].to_numpy())
    scattered = rows_where(df, df["v"] % 2 == 0)
    assert scattered["v"].tolist() == [0, 2, 4, 6, 8]


def test_counts_agree_on_categorical_and_string_columns() -> None:
    cat = as_categorical(STREET, ["ward_code", "category", "lad_code"])
    sub, sub_cat = STREET[STREET["lad_code"] == "A"], cat[cat["lad_code"] == "A"]  # W3 counted 0, not shown unasked
    for a, b in ((STREET, cat), (sub, sub_cat)):
        pd.testing.assert_series_equal(counts.counts_by_area(a, "ward"), counts.counts_by_area(b, "ward"))
        pd.testing.assert_series_equal(counts.counts_by_area(a, "ward", ["W1", "W3", "W9"]),
                                       counts.counts_by_area(b, "ward", ["W1", "W3", "W9"]))
        pd.testing.assert_series_equal(counts.counts_by_category(a), counts.counts_by_category(b))
    assert "W3" not in counts.counts_by_area(sub_cat, "ward").index


def test_the_reconciliation_cleans_each_distinct_value_as_it_would_each_row() -> None:
    street = pd.DataFrame({
        "month": pd.array(["2024-04", " 2024-04", "2024-07 ", "2024-05", "2023-12", "2025-01"], dtype="string"),
        "falls_within": pd.array(["Wessex Police", " wessex police", "Wessex Police", "Other", "Wessex Police", None], dtype="string"),
        "crime_type": pd.array(["Drugs", "Anti-social behaviour ", "Robbery", "Drugs", "Drugs", "Burglary"], dtype="string"),
        "category": pd.array(["Drugs", None, None, "Drugs", "Drugs", "Burglary"], dtype="string"),
    })
    for frame in (street, as_categorical(street, list(street.columns))):
        out = _police_uk_crimes(frame, "2024/25", "Wessex Police")
        assert out["month"].astype(str).tolist() == ["2024-04", "2024-07"]
        assert out["category"].astype(str).tolist() == ["Drugs", "Robbery"]  # a missing category: its crime type
        assert out["quarter"].tolist() == [1, 2] and out["quarter"].dtype == "int64"
