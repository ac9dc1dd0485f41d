"""Checks at file open: a file that is not what its reader expects fails fast and clearly."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from assess.errors import InputError
from assess.file_checks import (
    ENV_MAX_BYTES,
    check_spreadsheet_file,
    check_text_file,
    read_text_file,
)


def test_a_2_gb_file_of_nul_bytes_is_refused_after_reading_its_start(tmp_path: Path) -> None:
    path = tmp_path / "2024-04-hampshire-street.csv"
    with open(path, "wb") as fh:
        fh.truncate(2 << 30)  # sparse
    t = time.perf_counter()
    with pytest.raises(InputError, match=r"not text: it holds NUL bytes"):
        check_text_file(path)
    assert time.perf_counter() - t < 1.0


def test_a_file_above_the_limit_is_refused_and_the_limit_can_be_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 1000)
    with pytest.raises(InputError, match=rf"more than the 1.0 KiB a CSV file may be.*{ENV_MAX_BYTES}"):
        check_text_file(path, max_bytes=1024)
    monkeypatch.setenv(ENV_MAX_BYTES, str(1 << 20))
    check_text_file(path, max_bytes=1024)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a folder or a device, not a file"):
        check_text_file(tmp_path)


def test_a_geojson_may_be_one_long_line_but_a_csv_may_not(tmp_path: Path) -> None:
    path = tmp_path / "wards.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []' + " " * (2 << 20) + "}")
    check_text_file(path, what="GeoJSON", lines=False)
    with pytest.raises(InputError, match="first line is longer than 1.0 MiB"):
        check_text_file(path, what="CSV")


def test_latin_1_text_names_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes("a: 1\nb: 2\nc: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"row 3: the file is not UTF-8 text \(byte 0xe9"):
        read_text_file(path, what="YAML", max_bytes=1 << 20)


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert read_text_file(path, what="YAML", max_bytes=1 << 20) == "name: x\n"


def test_a_real_workbook_passes_and_text_named_as_one_does_not(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["a", 1])
    wb.save(good)
    check_spreadsheet_file(good)
    bad = tmp_path / "bad.xlsx"
    bad.write_text("Area,Count\nE01,3\n")
    with pytest.raises(InputError, match=r"not a spreadsheet \(.xlsx, .ods or .xls\)"):
        check_spreadsheet_file(bad)


def test_an_old_xls_signature_passes(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    check_spreadsheet_file(path)


def test_a_zip_bomb_named_as_a_workbook_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (64 << 20))  # 64 MiB of zeros, a few KiB zipped
    assert path.stat().st_size < 1 << 20
    with pytest.raises(InputError, match=r"contents expand to 64.0 MiB, more than 1.0 MiB"):
        check_spreadsheet_file(path, max_unzipped_bytes=1 << 20)
