"""Every failure of the command line is one line saying what and what to do, never a traceback:
exit status 2 for bad input (a file, a configuration, an option), 1 for other failures;
``assess --debug`` shows the traceback instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, store_holding_year
from typer.testing import CliRunner

from assess.cli import app

runner = CliRunner()
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
CONFIG = {
    "name": "Demo", "code": "E22999999", "local_authorities": [{"code": "E06999999", "name": "Demo"}],
    "police_force": {"name": "Demo", "police_uk": "demo"}, "synthetic": True,
}


def folders(tmp_path: Path, **config: object) -> Path:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "demo.yaml").write_text(yaml.safe_dump({**CONFIG, **config}), encoding="utf-8")
    (tmp_path / "raw").mkdir()
    store_holding_year(tmp_path / "processed", "2023/24")
    return tmp_path


def run_args(root: Path, *extra: str) -> list[str]:
    return ["run", "--csp", "demo", "--year", "2023/24", "--raw", str(root / "raw"), "--processed", str(root / "processed"),
            "--out", str(root / "out"), "--config-dir", str(root / "cfg"), "--notebooks", str(FIXTURES), *extra]


def error_line(result) -> str:  # type: ignore[no-untyped-def]
    """The one error line of a failed command (and that there is exactly one, and no traceback)."""
    output = result.output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, output
    return lines[0]


def test_an_unknown_chapter_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = folders(tmp_path)
    result = runner.invoke(app, run_args(root, "--chapter", "crimes"))
    assert result.exit_code == 2
    assert "no chapter 'crimes' (chapters: 00_summary, 01_alpha, 02_beta)" in error_line(result)
    assert not (root / "out").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    root = folders(tmp_path)
    result = runner.invoke(app, ["--debug", *run_args(root, "--chapter", "crimes")])
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "UsageProblem" and "no chapter 'crimes'" in str(result.exception)


@pytest.mark.parametrize(("content", "expected"), [
    (b"\x00\x01\x02\x03" * 64, "not text: it holds NUL bytes"),
    ("name: Caf\xe9\n".encode("latin-1"), "not UTF-8 text (byte 0xe9"),
])
def test_a_binary_or_latin_1_configuration_is_one_line_and_exit_2(tmp_path: Path, content: bytes, expected: str) -> None:
    root = folders(tmp_path)
    (root / "cfg" / "demo.yaml").write_bytes(content)
    result = runner.invoke(app, run_args(root))
    assert result.exit_code == 2
    line = error_line(result)
    assert expected in line and "demo.yaml" in line and "What to do" in line


def test_no_local_authorities_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = folders(tmp_path, local_authorities=[])
    result = runner.invoke(app, run_args(root))
    assert result.exit_code == 2
    assert "field 'local_authorities'" in error_line(result)


def test_a_traversing_slug_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = folders(tmp_path, slug="../../victim")
    result = runner.invoke(app, run_args(root))
    assert result.exit_code == 2
    assert "field 'slug': '../../victim' is not a plain name" in error_line(result)


def test_a_missing_or_broken_ward_boundaries_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = folders(tmp_path, ward_boundaries="geography/wards.geojson")
    missing = runner.invoke(app, run_args(root))
    assert missing.exit_code == 2
    assert "field 'ward_boundaries'" in error_line(missing) and "does not exist" in error_line(missing)
    (root / "raw" / "geography").mkdir()
    (root / "raw" / "geography" / "wards.geojson").write_text("<html>Service unavailable</html>", encoding="utf-8")
    broken = runner.invoke(app, run_args(root))
    assert broken.exit_code == 2
    assert "wards.geojson" in error_line(broken) and "not GeoJSON" in error_line(broken)
    assert not (root / "out").exists()


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    root = folders(tmp_path)
    (root / "out").write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, run_args(root))
    assert result.exit_code in (1, 2)
    line = error_line(result)
    assert str(root / "out") in line and ("Not a directory" in line or "File exists" in line)


def test_ingest_of_a_200_mb_nul_file_named_as_a_street_file_fails_fast_in_one_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw" / "police_street" / "2024-04"
    raw.mkdir(parents=True)
    with open(raw / "2024-04-hampshire-street.csv", "wb") as fh:
        fh.truncate(200 << 20)  # sparse: 200 MB of NUL bytes that cost no disk
    result = runner.invoke(app, ["ingest", "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "processed")])
    assert result.exit_code == 2
    line = error_line(result)
    assert "2024-04-hampshire-street.csv" in line and "NUL bytes" in line


def test_ingest_of_a_count_too_large_for_any_integer_is_one_line(tmp_path: Path) -> None:
    ho = tmp_path / "raw" / "home_office_prc"
    ho.mkdir(parents=True)
    (ho / "prc-pfa-mar2013-onwards-tables201718.csv").write_text(
        "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Number of Offences\n"
        "2017/18,1,Hampshire,Arson,Criminal damage and arson,Arson,56,99999999999999999999\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "processed")])
    assert result.exit_code == 2
    assert "'99999999999999999999' is too large" in error_line(result)


def test_fetch_with_a_sources_file_that_leaves_raw_is_one_line(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"version": 1, "sources": {"ons_x": {
        "role": "lookup", "publisher": "ONS", "url": "https://ons.example/x.csv", "filename": "../../../x.csv", "folder": "ons"}}}))
    result = runner.invoke(app, ["fetch", "--only", "lookup", "--raw", str(tmp_path / "raw"), "--sources", str(sources)])
    assert result.exit_code == 2
    assert "cannot be a file name inside the raw data folder" in error_line(result)


def test_the_real_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    """As an analyst runs it: a subprocess of ``python -m assess.cli``."""
    root = folders(tmp_path)
    done = subprocess.run([sys.executable, "-m", "assess.cli", *run_args(root, "--chapter", "crimes")], check=False, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80"})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --chapter: no chapter 'crimes'"), done.stderr  # unwrapped, even at 80 columns


def test_fetch_for_a_force_that_data_police_uk_does_not_have_is_one_line_before_any_download(tmp_path: Path) -> None:
    """A non-synthetic CSP whose police_uk slug is no data.police.uk force (and no near miss of one,
    which the configuration itself refuses) cannot have its police.uk files fetched: said at once."""
    root = folders(tmp_path, synthetic=False, police_force={"name": "Nowhere", "police_uk": "nowhere"})
    result = runner.invoke(app, ["fetch", "--csp", "demo", "--only", "police_uk", "--month", "2017-04",
                                 "--raw", str(root / "raw"), "--config-dir", str(root / "cfg")])
    assert result.exit_code == 2, result.output
    line = error_line(result)
    assert "field 'police_force.police_uk': 'nowhere' is not a data.police.uk force" in line and "demo.yaml" in line
    assert list((root / "raw").iterdir()) == []
