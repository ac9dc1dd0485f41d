"""The processed store's read cache: a hit gives the same frame, a rewritten table is read afresh,
and a caller changing the frame it got does not change what a later read returns; versions,
checksums and parts (see also tests/test_store_faults.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from assess.errors import AssessError
from assess.store import Store, clear_read_cache
from assess.store import processed as store_module
from assess.store.versions import write_tables

TABLE = pd.DataFrame({"month": ["2024-04", "2024-05", "2024-05"], "lad_code": ["A", "B", "A"], "n": [1, 2, 3]})


@pytest.fixture
def st(tmp_path: Path) -> Store:
    clear_read_cache()
    write_tables(tmp_path, {"t": TABLE})
    return Store(tmp_path)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The parquet files actually read from now on."""
    calls: list[Path] = []
    read_table = store_module.pq.read_table

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(Path(path))
        return read_table(path, *args, **kwargs)

    monkeypatch.setattr(store_module.pq, "read_table", counting)
    return calls


def test_a_second_read_is_a_cache_hit_with_equal_data(st: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    first = st.read("t")
    second = Store(st.root).read("t")  # another Store of the same folder shares the cache
    assert len(reads) == 1
    pd.testing.assert_frame_equal(first, second)
    assert first is not second


def test_columns_and_filters_are_part_of_the_key(st: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    assert list(st.read("t", columns=["month"]).columns) == ["month"]
    assert st.read("t", filters=[("lad_code", "in", ["A"])])["n"].tolist() == [1, 3]
    assert st.read("t", filters=[("lad_code", "in", ["B"])])["n"].tolist() == [2]
    assert st.read("t", filters=[("lad_code", "in", ["A"])])["n"].tolist() == [1, 3]
    assert len(reads) == 3


def test_a_rewritten_table_is_read_afresh(st: Store) -> None:
    assert st.read("t")["n"].tolist() == [1, 2, 3]
    write_tables(st.base, {"t": TABLE.assign(n=[7, 8, 9])})  # a new version
    assert st.read("t")["n"].tolist() == [1, 2, 3]  # an open store keeps reading its version
    assert Store(st.base).read("t")["n"].tolist() == [7, 8, 9]


def test_a_changed_modification_time_alone_invalidates(st: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    st.read("t")
    info = st.path("t").stat()
    os.utime(st.path("t"), ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    st.read("t")
    assert len(reads) == 2


def test_changing_a_returned_frame_does_not_change_a_later_read(st: Store) -> None:
    got = st.read("t")
    got["extra"] = 1
    got.loc[0, "n"] = 99
    got.index.name = "renamed"
    del got["month"]
    again = st.read("t")
    pd.testing.assert_frame_equal(again, Store(st.root).read("t"))
    assert list(again.columns) == ["month", "lad_code", "n"] and again["n"].tolist() == [1, 2, 3]
    assert again.index.name is None


def test_the_cache_is_bounded_in_frames_and_bytes(st: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def kept() -> list[object]:
        return [(key[-2], key[-1]) for key in store_module._read_cache]

    monkeypatch.setattr(store_module, "READ_CACHE_ENTRIES", 2)
    for lad in ("A", "B", "C"):
        st.read("t", filters=[("lad_code", "==", lad)])
    assert kept() == [(None, repr([("lad_code", "==", lad)])) for lad in ("B", "C")]  # least recently used out
    clear_read_cache()
    whole = int(st.read("t").memory_usage(index=True, deep=True).sum())
    monkeypatch.setattr(store_module, "READ_CACHE_BYTES", whole)
    st.read("t", columns=["n"])
    assert kept() == [(("n",), "None")]  # the whole table made room for it
    monkeypatch.setattr(store_module, "READ_CACHE_BYTES", 1)
    assert st.read("t", columns=["month"])["month"].tolist() == TABLE["month"].tolist()  # too large to keep
    assert kept() == [(("n",), "None")]


def test_a_missing_table_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(AssessError, match="run `assess ingest`"):
        Store(tmp_path).read("street")
