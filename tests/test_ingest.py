"""Ingest: placing, counting what cannot be placed, the manifest, no work on unchanged inputs."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from assess.errors import InputError
from assess.store import Store
from assess.store.ingest import ingest

SOUTHAMPTON_LAD = "E06000045"
STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]


# --- on the real public data -------------------------------------------------------------------

def _independent_southampton_counts(shared: Path) -> tuple[Counter, int, int]:
    """Per-ward counts of Southampton rows, and the number of rows with a blank LSOA, by csv alone."""
    lookup = shared / "lookups" / "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv"
    ward_of = {}
    with open(lookup, newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            if r["LAD17CD"] == SOUTHAMPTON_LAD:
                ward_of[r["LSOA11CD"]] = r["WD17CD"]
    by_ward, blank, total = Counter(), 0, 0
    for f in sorted((shared / "police_street" / "hampshire").glob("*.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                total += 1
                if not r["LSOA code"].strip():
                    blank += 1
                elif r["LSOA code"] in ward_of:
                    by_ward[ward_of[r["LSOA code"]]] += 1
    return by_ward, blank, total


@pytest.mark.real
def test_real_ingest_places_every_southampton_row_in_one_of_its_16_wards(real_store: Path, shared_data: Path) -> None:
    store = Store(real_store)
    street = store.read("street", columns=["lsoa_code", "ward_code", "lad_code", "csp_code", "placed"])
    expected, blank, total = _independent_southampton_counts(shared_data)
    assert len(street) == total  # nothing dropped
    soton = street[street["lad_code"] == SOUTHAMPTON_LAD]
    assert soton["ward_code"].nunique() == 16
    assert (soton["csp_code"] == "E22000120").all()
    assert Counter(soton["ward_code"].tolist()) == expected
    # every unplaced row has a blank LSOA (none is unknown), and they are all reported
    unplaced = store.read("unplaced")
    assert int(unplaced["rows"].sum()) == blank == int((~street["placed"]).sum())
    assert set(unplaced["reason"]) == {"blank LSOA code"}


@pytest.mark.real
def test_real_ingest_manifest_records_each_input_checksum(real_store: Path, shared_data: Path) -> None:
    manifest = json.loads((real_store / "manifest.json").read_text())
    street_file = "police_street/hampshire/2017-02-hampshire-street.csv"
    entry = manifest["inputs"][street_file]
    assert entry["sha256"] == hashlib.sha256((shared_data / street_file).read_bytes()).hexdigest()
    assert entry["rows"] == 14834
    months = {c["financial_year"]: c for c in manifest["coverage"]}
    assert months["2017/18"]["months_present"] == ";".join(f"2017-{m:02d}" for m in range(4, 10))
    assert not months["2017/18"]["complete"]
    # the Home Office adjustments (negative counts) are kept and reported
    assert any("negative" in w for w in manifest["warnings"])


# --- on small files made here -------------------------------------------------------------------

def _write_street(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(STREET_HEADER)
        w.writerows(rows)


def _row(crime_id: str, month: str, lsoa: str, crime_type: str = "Burglary") -> list[str]:
    return [crime_id, month, "Test Police", "Test Police", "-1.4", "50.9", "On or near X", lsoa,
            "Test 001A" if lsoa else "", crime_type, "Under investigation" if crime_id else "", ""]


def _write_lookups(raw: Path) -> None:
    with open(raw / "Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["LSOA11CD", "LSOA11NM", "WD17CD", "WD17NM", "WD17NMW", "LAD17CD", "LAD17NM", "FID"])
        w.writerow(["E01000001", "Test 001A", "E05000001", "North", "", "E06000001", "Test", "1"])
        w.writerow(["E01000002", "Test 001B", "E05000002", "South", "", "E06000001", "Test", "2"])
    with open(raw / "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2016__Lookup_in_England_and_Wales.csv", "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["LAD16CD", "LAD16NM", "CSP16CD", "CSP16NM", "PFA16CD", "PFA16NM", "FID"])
        w.writerow(["E06000001", "Test", "E22000001", "Test", "E23000001", "Test Police", "1"])


@pytest.fixture
def small_raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    _write_street(raw / "2024-04" / "2024-04-test-street.csv", [
        _row("a" * 64, "2024-04", "E01000001"),
        _row("b" * 64, "2024-04", "E01000002", "Violent crime"),  # a historic label
        _row("", "2024-04", "E01000002", "Anti-social behaviour"),
        _row("c" * 64, "2024-04", ""),  # blank LSOA
        _row("d" * 64, "2024-04", "E01099999"),  # not in the lookup
    ])
    _write_street(raw / "2024-05" / "2024-05-test-street.csv", [
        _row("a" * 64, "2024-05", "E01000001"),  # the same Crime ID again
    ])
    _write_lookups(raw)
    return raw


def test_ingest_counts_unplaced_rows_and_duplicate_ids_and_drops_nothing(small_raw: Path, tmp_path: Path) -> None:
    report = ingest(small_raw, tmp_path / "processed")
    street = Store(tmp_path / "processed").read("street")
    assert len(street) == 6
    assert report.unplaced_rows == 2
    reasons = dict(zip(report.unplaced["reason"], report.unplaced["rows"]))
    assert reasons == {"blank LSOA code": 1, "LSOA code not in the ONS lookup": 1}
    assert report.duplicate_ids == 1
    assert street.loc[street["crime_type"] == "Violent crime", "category"].item() == "Violence and sexual offences"
    assert set(street["financial_year"]) == {"2024/25"}
    cov = report.coverage.iloc[0]
    assert cov["months_present"] == "2024-04;2024-05" and not cov["complete"]


def test_duplicate_ids_of_parts_match_the_pandas_rule_with_and_without_repeats(tmp_path: Path) -> None:
    """The parts' repeated Crime IDs, found by hash and then checked, are exactly the rows the
    pandas rule (police_uk.duplicate_crime_ids) finds over the same rows; none when none repeat."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from assess.sources.csv_sql import connect
    from assess.sources.police_uk import duplicate_crime_ids
    from assess.store.police import duplicate_ids

    def part(name: str, ids: list[str | None]) -> Path:
        path = tmp_path / f"{name}.parquet"
        pq.write_table(pa.table({"crime_id": ids, "month": ["2024-04"] * len(ids), "source_file": [f"{name}.csv"] * len(ids),
                                 "source_row": list(range(2, len(ids) + 2))}), path)
        return path

    first = part("first", ["a" * 64, None, "b" * 64, "c" * 64, "a" * 64])
    second = part("second", ["c" * 64, None, "d" * 64])
    unique = part("unique", ["e" * 64, None, "f" * 64])
    expected = duplicate_crime_ids(pd.concat([pd.read_parquet(first), pd.read_parquet(second)], ignore_index=True))
    with connect() as con:
        found = duplicate_ids(con, [first, second])
        none = duplicate_ids(con, [unique])
        empty = duplicate_ids(con, [])
    assert found[["crime_id", "source_file", "source_row", "occurrences"]].values.tolist() == [
        ["a" * 64, "first.csv", 2, 2], ["a" * 64, "first.csv", 6, 2], ["c" * 64, "first.csv", 5, 2], ["c" * 64, "second.csv", 2, 2],
    ]
    pd.testing.assert_frame_equal(found.astype(expected.dtypes.to_dict()), expected, check_dtype=False)
    for frame in (none, empty):
        assert frame.empty and list(frame.columns) == list(found.columns)


def _wait_for_the_filesystem_clock_to_pass(raw: Path) -> None:
    """Wait until the filesystem's clock (a new file's times) is past every raw file's stamp: a
    file written within the same coarse tick as the ingest's start is, rightly, not recorded as
    settled (assess.file_stamps), and the next ingest would then record it."""
    from assess.file_stamps import file_stamp, filesystem_now

    latest = max(max(file_stamp(p)[1:3]) for p in raw.rglob("*") if p.is_file())
    deadline = time.monotonic() + 5
    while (filesystem_now(raw, [raw]) or 0) <= latest:
        assert time.monotonic() < deadline, "the filesystem's clock did not move"
        time.sleep(0.002)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _snapshot(folder: Path) -> dict[str, object]:
    """Every file's bytes (and every link's target) under ``folder``."""
    return {p.relative_to(folder).as_posix(): os.readlink(p) if p.is_symlink() else p.read_bytes() for p in _files(folder)}


def test_ingest_again_with_unchanged_inputs_does_no_work(small_raw: Path, tmp_path: Path) -> None:
    processed = tmp_path / "processed"
    _wait_for_the_filesystem_clock_to_pass(small_raw)
    first = ingest(small_raw, processed)
    assert not first.up_to_date
    mtimes = {p.relative_to(processed).as_posix(): p.lstat().st_mtime_ns for p in _files(processed)}
    second = ingest(small_raw, processed)
    assert second.up_to_date
    assert {p.relative_to(processed).as_posix(): p.lstat().st_mtime_ns for p in _files(processed)} == mtimes
    # a changed input is noticed
    _write_street(small_raw / "2024-06" / "2024-06-test-street.csv", [_row("e" * 64, "2024-06", "E01000001")])
    third = ingest(small_raw, processed)
    assert not third.up_to_date and third.rows["street"] == 7


def _hashed_raw_files(monkeypatch: pytest.MonkeyPatch, raw: Path) -> list[str]:
    """The raw files the ingest reads to hash (a checksum pass or a full scan), as it reads them."""
    import assess.store.ingest as ingest_mod

    hashed: list[str] = []
    for name in ("scan_file", "sha256_file"):
        real = getattr(ingest_mod, name)

        def spy(path, *args, _real=real, **kwargs):  # type: ignore[no-untyped-def]
            if Path(path).resolve().is_relative_to(raw.resolve()):
                hashed.append(Path(path).relative_to(raw).as_posix())
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(ingest_mod, name, spy)
    return hashed


def test_an_ingest_hashes_again_only_the_raw_files_changed_since_the_last(small_raw: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A raw file whose size, times and inode are unchanged is not read again to be hashed: its
    checksum is recalled from the version before (raw_stamps.json beside its manifest), which the
    new manifest records as if it had been taken again. --force hashes every file."""
    processed = tmp_path / "processed"
    _wait_for_the_filesystem_clock_to_pass(small_raw)  # else the files are, rightly, not recorded
    ingest(small_raw, processed)
    record = json.loads((Store(processed).root / "raw_stamps.json").read_text())
    assert set(record) == set(json.loads((processed / "manifest.json").read_text())["inputs"])
    hashed = _hashed_raw_files(monkeypatch, small_raw)
    added = "2024-06/2024-06-test-street.csv"
    _write_street(small_raw / added, [_row("e" * 64, "2024-06", "E01000001")])
    second = ingest(small_raw, processed)
    assert not second.up_to_date and second.files_read == 1
    assert hashed == [added]  # only the new file was read (its scan hashes it)
    manifest = json.loads((processed / "manifest.json").read_text())
    for relative, entry in manifest["inputs"].items():
        assert entry["sha256"] == hashlib.sha256((small_raw / relative).read_bytes()).hexdigest(), relative
    hashed.clear()
    ingest(small_raw, processed, force=True)
    assert sorted(hashed) == sorted(manifest["inputs"])


def test_a_raw_file_rewritten_with_its_modification_time_set_back_is_read_again(small_raw: Path, tmp_path: Path) -> None:
    """The stamp includes the change time, which no program can set back: a file rewritten to the
    same size, its modification time restored, is hashed and read again, not taken as unchanged."""
    processed = tmp_path / "processed"
    ingest(small_raw, processed)
    path = small_raw / "2024-05" / "2024-05-test-street.csv"
    before = path.stat()
    data = path.read_bytes()
    changed = data.replace(b"Burglary", b"Robbery ")  # the same number of bytes
    assert len(changed) == len(data) and changed != data
    path.write_bytes(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    report = ingest(small_raw, processed)
    assert not report.up_to_date
    street = Store(processed).read("street")
    assert street.loc[street["source_file"] == path.name, "crime_type"].tolist() == ["Robbery"]


def test_a_raw_file_stamped_at_or_after_the_ingest_began_is_not_recalled_next_time(small_raw: Path, tmp_path: Path) -> None:
    """A stamp the filesystem's clock has not moved past (here a file stamped in the future) could
    hide a change made within the same tick: its checksum is not recorded for the next ingest."""
    future = small_raw / "2024-05" / "2024-05-test-street.csv"
    ahead = time.time_ns() + 3600 * 10**9
    os.utime(future, ns=(ahead, ahead))
    time.sleep(0.05)
    processed = tmp_path / "processed"
    ingest(small_raw, processed)
    record = json.loads((Store(processed).root / "raw_stamps.json").read_text())
    assert "2024-05/2024-05-test-street.csv" not in record
    assert "2024-04/2024-04-test-street.csv" in record


def test_a_rebuild_of_the_same_version_records_the_stamps_it_took(small_raw: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A build whose manifest is that of a version already there keeps that version, and replaces
    its record of raw stamps by the build's own: a file not recorded before (stamped ahead) and
    recorded now is not hashed by the next ingest."""
    path = small_raw / "2024-05" / "2024-05-test-street.csv"
    ahead = time.time_ns() + 3600 * 10**9
    os.utime(path, ns=(ahead, ahead))
    processed = tmp_path / "processed"
    ingest(small_raw, processed)
    version = Store(processed).root
    assert "2024-05/2024-05-test-street.csv" not in json.loads((version / "raw_stamps.json").read_text())
    os.utime(path, ns=(ahead - 7200 * 10**9,) * 2)  # back in the past (its change time is now)
    _wait_for_the_filesystem_clock_to_pass(small_raw)
    ingest(small_raw, processed, force=True)
    assert Store(processed).root == version  # the same manifest: the same version, kept
    assert "2024-05/2024-05-test-street.csv" in json.loads((version / "raw_stamps.json").read_text())
    hashed = _hashed_raw_files(monkeypatch, small_raw)
    assert ingest(small_raw, processed).up_to_date and hashed == []


def test_an_up_to_date_ingest_records_the_stamps_of_files_it_had_to_hash(small_raw: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A raw file touched after the ingest (its contents unchanged) has a new stamp: the next
    ingest hashes it, finds the store up to date, and records the new stamp, so the one after
    hashes nothing. Without that record it would be hashed at every ingest until it changed."""
    processed = tmp_path / "processed"
    _wait_for_the_filesystem_clock_to_pass(small_raw)
    ingest(small_raw, processed)
    version = Store(processed).root
    touched = "2024-05/2024-05-test-street.csv"
    past = time.time_ns() - 60 * 10**9
    os.utime(small_raw / touched, ns=(past, past))  # a new stamp, the same bytes
    _wait_for_the_filesystem_clock_to_pass(small_raw)
    hashed = _hashed_raw_files(monkeypatch, small_raw)
    assert ingest(small_raw, processed).up_to_date
    assert hashed == [touched]
    assert Store(processed).root == version  # no new version: only its record of stamps
    record = json.loads((version / "raw_stamps.json").read_text())
    assert record[touched][1] == past and record[touched][4] == hashlib.sha256((small_raw / touched).read_bytes()).hexdigest()
    hashed.clear()
    assert ingest(small_raw, processed).up_to_date and hashed == []


def test_a_bad_file_leaves_the_previous_store_intact(small_raw: Path, tmp_path: Path) -> None:
    processed = tmp_path / "processed"
    ingest(small_raw, processed)
    before = _snapshot(processed)
    _write_street(small_raw / "2024-06" / "2024-06-test-street.csv", [_row("e" * 64, "2024-13", "E01000001")])
    with pytest.raises(InputError) as err:
        ingest(small_raw, processed)
    assert "2024-06-test-street.csv" in str(err.value)
    assert _snapshot(processed) == before


def test_the_same_month_twice_is_refused(small_raw: Path, tmp_path: Path) -> None:
    shutil.copy(small_raw / "2024-04" / "2024-04-test-street.csv", small_raw / "2024-04-test-street.csv")
    with pytest.raises(InputError, match="present twice"):
        ingest(small_raw, tmp_path / "processed")
    assert not (tmp_path / "processed").exists() or not any((tmp_path / "processed").iterdir())


def test_unrecognised_files_are_reported_not_read(small_raw: Path, tmp_path: Path) -> None:
    (small_raw / "notes.txt").write_text("hello")
    report = ingest(small_raw, tmp_path / "processed")
    assert report.unknown_files == ["notes.txt"]
    assert "notes.txt" in json.loads((tmp_path / "processed" / "manifest.json").read_text())["unknown_files"]
    assert isinstance(Store(tmp_path / "processed").read("lsoa_ward"), pd.DataFrame)


def test_a_bad_cell_found_by_the_one_pass_validation_names_its_own_file_and_row(small_raw: Path, tmp_path: Path) -> None:
    bad = _row("e" * 64, "2024-06", "E01000001")
    bad[0] = "not-a-crime-id"
    _write_street(small_raw / "2024-06" / "2024-06-test-street.csv", [_row("f" * 64, "2024-06", "E01000001"), bad])
    with pytest.raises(InputError) as err:
        ingest(small_raw, tmp_path / "processed")
    msg = str(err.value)
    assert "2024-06-test-street.csv" in msg and "row 3" in msg and "'Crime ID'" in msg
