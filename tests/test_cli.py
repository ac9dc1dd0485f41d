"""The command line: each command parses its options, calls the library and says what went wrong."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT
from typer.testing import CliRunner

from assess.cli import app

runner = CliRunner()


def output_of(result) -> str:  # type: ignore[no-untyped-def]
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "ingest", "init-csp", "run", "fetch", "reconcile"):
        assert command in result.output


def test_run_without_processed_data_says_to_ingest_first(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--csp", "wessex-vale", "--year", "2024/25", "--processed", str(tmp_path / "none"),
                                 "--config-dir", str(ROOT / "config" / "csp")])
    assert result.exit_code == 2
    assert "assess ingest" in output_of(result)


def test_run_with_a_bad_year_or_unknown_csp_is_a_clear_error(tmp_path: Path) -> None:
    bad_year = runner.invoke(app, ["run", "--csp", "wessex-vale", "--year", "2024/26", "--config-dir", str(ROOT / "config" / "csp")])
    assert bad_year.exit_code == 2 and "2024/26" in output_of(bad_year)
    unknown = runner.invoke(app, ["run", "--csp", "Atlantis", "--year", "2024/25", "--config-dir", str(ROOT / "config" / "csp")])
    assert unknown.exit_code == 2 and "init-csp" in output_of(unknown)


def test_init_csp_without_a_lookup_says_how_to_get_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init-csp", "Southampton", "--raw", str(tmp_path), "--processed", str(tmp_path / "p"),
                                 "--config-dir", str(tmp_path / "cfg")])
    assert result.exit_code == 2
    assert "assess fetch --only lookup" in output_of(result)
    assert not (tmp_path / "cfg").exists()


def test_init_csp_from_the_real_lookup_finds_force_and_ward_map(shared_data: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init-csp", "E22000120", "--raw", str(shared_data), "--processed", str(tmp_path / "p"),
                                 "--config-dir", str(tmp_path / "cfg")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "cfg" / "southampton.yaml").read_text()
    assert "police_uk: hampshire" in text and "E06000045" in text
    assert "ward_boundaries: geography/southampton_wards_2013_E06000045.geojson" in text
    again = runner.invoke(app, ["init-csp", "E22000120", "--raw", str(shared_data), "--processed", str(tmp_path / "p"),
                                "--config-dir", str(tmp_path / "cfg")])
    assert again.exit_code == 2 and "--force" in output_of(again)
