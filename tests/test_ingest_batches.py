"""The police.uk files of one kind, month and header are read by one query (assess.store.police):
the parts it writes are those each file gives read alone, and a batch holding a bad file names the
same file, row and column as that file read alone."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from assess.errors import InputError
from assess.sources import ons
from assess.sources.csv_sql import scan_file
from assess.store import Store, part_stream, police
from assess.store.harmonise import geo_lookup
from assess.store.ingest import ingest

HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]
FORCES = ("north", "south", "east", "west")


def _row(i: int, force: str, month: str, lsoa: str = "E01000001", crime_type: str = "Burglary", location: str = "On or near X") -> list[str]:
    return [f"{i:064x}", month, f"{force.title()} Police", f"{force.title()} Police", "-1.4", "50.9", location, lsoa,
            "Test 001A" if lsoa else "", crime_type, "Under investigation", ""]


def _write(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)


def _raw(tmp_path: Path) -> Path:
    """Four forces x two months, files of different lengths, a blank and an unknown LSOA among them."""
    raw = tmp_path / "raw"
    n = 0
    for month in ("2024-04", "2024-05"):
        for k, force in enumerate(FORCES):
            rows = []
            for j in range(3 + 2 * k):
                n += 1
                lsoa = ("E01000001", "E01000002", "", "E01099999")[(n + j) % 4]
                rows.append(_row(n, force, month, lsoa, ("Burglary", "Violent crime", "Drugs")[j % 3]))
            _write(raw / month / f"{month}-{force}-street.csv", rows)
    with open(raw / "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["LSOA11CD", "LSOA11NM", "WD17CD", "WD17NM", "WD17NMW", "LAD17CD", "LAD17NM", "FID"])
        w.writerow(["E01000001", "Test 001A", "E05000001", "North", "", "E06000001", "Test", "1"])
        w.writerow(["E01000002", "Test 001B", "E05000002", "South", "", "E06000002", "Other", "2"])
    with open(raw / "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2016__Lookup_in_England_and_Wales.csv",
              "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["LAD16CD", "LAD16NM", "CSP16CD", "CSP16NM", "PFA16CD", "PFA16NM", "FID"])
        w.writerow(["E06000001", "Test", "E22000001", "Test", "E23000001", "Test Police", "1"])
        w.writerow(["E06000002", "Other", "E22000002", "Other", "E23000001", "Test Police", "2"])
    return raw


def _geo(raw: Path) -> pd.DataFrame:
    return geo_lookup(ons.read_lsoa_ward_lookup(next(raw.glob("Lower*"))), ons.read_lad_csp_lookup(next(raw.glob("Local*"))))


def _jobs(raw: Path, out: Path, month: str = "2024-04") -> list[tuple]:
    files = sorted((raw / month).glob("*-street.csv"))
    out.mkdir(parents=True, exist_ok=True)
    return [(f, "police_street", police.Part(f.name, "police_street", f.name, "k"), out / f"{f.stem}.parquet", scan_file(f))
            for f in files]


def _summary(part: police.Part) -> tuple:
    return part.rows, part.index, part.unplaced, part.coverage, part.warnings


def test_one_query_over_a_month_writes_the_parts_each_file_gives_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _raw(tmp_path)
    writer = police.PoliceWriter(_geo(raw), workers=1)
    one_by_one = police.PoliceWriter.write
    calls: list[Path] = []
    monkeypatch.setattr(police.PoliceWriter, "write", lambda self, path, *a: calls.append(path) or one_by_one(self, path, *a))
    try:
        batch = _jobs(raw, tmp_path / "batch")
        alone = _jobs(raw, tmp_path / "alone")
        assert len(police.PoliceWriter._batches(batch)) == 1  # the month's four files: one batch
        batched = writer.write_batch(batch)
        assert calls == []  # read by the one query, not file by file
        single = [writer.write(*job) for job in alone]
    finally:
        writer.close()
    assert [_summary(p) for p in batched] == [_summary(p) for p in single]
    assert [p.sha256 for p in batched] == [p.sha256 for p in single]
    for b, s in zip(batch, alone):
        got, want = pq.read_table(b[3]), pq.read_table(s[3])
        assert got.equals(want), b[0].name
        assert b[3].read_bytes() == s[3].read_bytes(), b[0].name  # the same bytes: a version depends on its inputs only
        assert got.column("source_row").to_pylist() == list(range(2, got.num_rows + 2))
        assert set(got.column("source_file").to_pylist()) == {b[0].name}
    assert sum(p.unplaced.get("blank LSOA code", 0) for p in batched) > 0


def test_a_file_whose_records_span_lines_is_numbered_by_its_lines(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    rows = [_row(900 + i, "south", "2024-04") for i in range(3)]
    rows[1][6] = "On or near\nHigh Street"  # a quoted line break: the third record starts on line 5
    _write(raw / "2024-04" / "2024-04-south-street.csv", rows)
    writer = police.PoliceWriter(_geo(raw), workers=1)
    try:
        jobs = _jobs(raw, tmp_path / "batch")
        writer.write_batch(jobs)  # (the batch's numbers are wrong: it is read again file by file)
    finally:
        writer.close()
    south = next(j for j in jobs if "south" in j[0].name)
    assert pq.read_table(south[3]).column("source_row").to_pylist() == [2, 3, 5]
    north = next(j for j in jobs if "north" in j[0].name)
    assert pq.read_table(north[3]).column("source_row").to_pylist() == [2, 3, 4]


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_bad_cell_in_a_batch_is_named_as_in_its_file_alone(tmp_path: Path, where: str) -> None:
    raw = _raw(tmp_path)
    force = FORCES[0] if where == "first" else FORCES[-1]
    path = raw / "2024-05" / f"2024-05-{force}-street.csv"
    rows = [_row(800 + i, force, "2024-05") for i in range(4)]
    rows[2][5] = "fifty"  # line 4
    _write(path, rows)
    with pytest.raises(InputError) as batched:
        ingest(raw, tmp_path / "processed")
    alone = tmp_path / "alone"
    (alone / "2024-05").mkdir(parents=True)
    shutil.copy(path, alone / "2024-05" / path.name)
    with pytest.raises(InputError) as single:
        ingest(alone, tmp_path / "processed-alone")
    assert str(batched.value).replace(str(raw), "") == str(single.value).replace(str(alone), "")
    assert f"2024-05-{force}-street.csv, row 4, column 'Latitude'" in str(batched.value)


def test_the_first_bad_file_by_path_is_named_when_several_are_bad(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    _write(raw / "2024-05" / "2024-05-east-street.csv", [_row(1, "east", "2024-06")])  # another month's row
    _write(raw / "2024-04" / "2024-04-west-street.csv", [_row(2, "north", "2024-04")])  # another force's rows
    with pytest.raises(InputError) as err:
        ingest(raw, tmp_path / "processed", workers=2)
    assert "2024-04-west-street.csv" in str(err.value) and "named for the force 'west'" in str(err.value)


def test_a_batched_ingest_reads_back_every_row_in_file_order(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    report = ingest(raw, tmp_path / "processed", workers=2)
    street = Store(tmp_path / "processed").read("street")
    assert report.rows["street"] == len(street) == 2 * sum(3 + 2 * k for k in range(len(FORCES)))
    for name, rows in street.groupby("source_file")["source_row"]:
        assert list(rows) == list(range(2, len(rows) + 2)), name
    placed = street.dropna(subset=["ward_code"])
    assert set(zip(placed["lsoa_code"], placed["csp_code"])) <= {("E01000001", "E22000001"), ("E01000002", "E22000002")}
    assert report.unplaced_rows == int(street["ward_code"].isna().sum()) > 0


def test_row_groups_are_cut_by_rows_alone_not_by_how_the_query_batched_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(part_stream, "ROW_GROUP_ROWS", 2)
    raw = _raw(tmp_path)
    writer = police.PoliceWriter(_geo(raw), workers=1)
    try:
        batch, alone = _jobs(raw, tmp_path / "batch"), _jobs(raw, tmp_path / "alone")
        writer.write_batch(batch)
        for job in alone:
            writer.write(*job)
    finally:
        writer.close()
    for b, s in zip(batch, alone):
        groups = [pq.ParquetFile(b[3]).metadata.row_group(i).num_rows for i in range(pq.ParquetFile(b[3]).num_row_groups)]
        assert groups == [2] * (b[2].rows // 2) + ([b[2].rows % 2] if b[2].rows % 2 else [])
        assert b[3].read_bytes() == s[3].read_bytes()
