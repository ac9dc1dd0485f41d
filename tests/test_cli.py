"""The command line: each command parses its options, calls the library and says what went wrong."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, store_holding_year
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
    store_holding_year(tmp_path / "processed", "2024/25")  # not the project's data/processed: it may not exist
    common = ["--config-dir", str(ROOT / "config" / "csp"), "--processed", str(tmp_path / "processed")]
    bad_year = runner.invoke(app, ["run", "--csp", "wessex-vale", "--year", "2024/26", *common])
    assert bad_year.exit_code == 2 and "2024/26" in output_of(bad_year)
    unknown = runner.invoke(app, ["run", "--csp", "Atlantis", "--year", "2024/25", *common])
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


# -- conventions -----------------------------------------------------------------------------------
COMMANDS = [["demo"], ["ingest"], ["init-csp"], ["fetch"], ["reconcile"], ["run"], ["csp"], ["csp", "list"], ["csp", "check"]]


def test_version() -> None:
    from assess import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"assess {__version__}"


def test_short_and_long_help_are_the_same_with_an_example_and_no_type_labels() -> None:
    for command in [[], *COMMANDS]:
        short, long = runner.invoke(app, [*command, "-h"]), runner.invoke(app, [*command, "--help"])
        assert short.exit_code == 0 and long.exit_code == 0, command
        assert short.output == long.output
        assert "Example: assess" in output_of(short), f"no example in `assess {' '.join(command)} -h`"
        assert "<bool>" not in short.output and "<list" not in short.output, command


def _one_line_error(result, *wanted: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for w in wanted:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def _run_args(demo_data, *extra: str) -> list[str]:  # type: ignore[no-untyped-def]
    return ["run", "--raw", str(demo_data.raw), "--processed", str(demo_data.processed),
            "--config-dir", str(demo_data.config_dir), *extra]


def test_unknown_chapter_is_one_line_listing_the_chapters(demo_data) -> None:  # type: ignore[no-untyped-def]
    wide = CliRunner()
    result = wide.invoke(app, _run_args(demo_data, "--csp", "wessex-vale", "--year", "2024/25", "--chapter", "99_nothing"),
                         env={"COLUMNS": "400"})
    _one_line_error(result, "--chapter", "99_nothing", "01_recorded_crime", "13_appendix_reconciliation")


def test_unknown_csp_and_bad_year_are_one_line_usage_errors(demo_data) -> None:  # type: ignore[no-untyped-def]
    wide = CliRunner()
    csp = wide.invoke(app, _run_args(demo_data, "--csp", "Atlantis", "--year", "2024/25"), env={"COLUMNS": "400"})
    _one_line_error(csp, "--csp", "Atlantis", "known: wessex-vale")
    year = wide.invoke(app, _run_args(demo_data, "--csp", "wessex-vale", "--year", "2024/26"), env={"COLUMNS": "400"})
    _one_line_error(year, "--year", "2024/26", "YYYY/YY")


def test_a_year_without_data_fails_saying_which_months_there_are(demo_data) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, _run_args(demo_data, "--csp", "wessex-vale", "--year", "1999/00"), env={"COLUMNS": "400"})
    line = _one_line_error(result, "1999/00", "police.uk months 2021-04 to 2025-03", "Home Office years 2021/22 to 2024/25")
    assert "assess ingest" in line


def test_debug_shows_the_traceback_instead(demo_data) -> None:  # type: ignore[no-untyped-def]
    from assess.checks import NoDataForYear

    result = runner.invoke(app, ["--debug", *_run_args(demo_data, "--csp", "wessex-vale", "--year", "1999/00")])
    assert isinstance(result.exception, NoDataForYear)


# -- ingest: warnings grouped, counts that agree with the table -------------------------------------
def test_ingest_groups_warnings_and_explains_the_unplaced_count(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    wide = CliRunner()
    args = ["ingest", "--raw", str(demo_data.raw), "--processed", str(tmp_path / "p"), "--config-dir", str(demo_data.config_dir)]
    result = wide.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    negatives = [w for w in manifest["warnings"] if "negative counts kept" in w]
    assert len(negatives) > 1  # the demo's Home Office files each have some
    kept = sum(int(re.search(r": (\d+) negative", w).group(1)) for w in negatives)
    lines = [ln for ln in result.output.splitlines() if "negative counts kept" in ln]
    assert lines == [f"negative counts kept (Home Office adjustments for offences cancelled or reclassified after an "
                     f"earlier quarter): {kept} in {len(negatives)} files"]
    from assess.store import Store

    unplaced = Store(tmp_path / "p").read("unplaced")
    text = output_of(result)
    assert f"{int(unplaced['rows'].sum()):,} street rows could not be placed" in text
    assert f"in {len(unplaced)} rows" in text
    from assess.ingest_summary import table_rows

    rows = {name: (n, note) for name, n, note in table_rows({"unplaced": len(unplaced)}, int(unplaced["rows"].sum()))}
    assert rows["unplaced"] == (f"{len(unplaced):,}", f"one row per source file and reason, {int(unplaced['rows'].sum()):,} street rows in all")
    verbose = wide.invoke(app, [*args, "--force", "--verbose"], env={"COLUMNS": "400"})
    assert sum("negative counts kept" in ln for ln in verbose.output.splitlines()) == len(negatives)


# -- comparators without guesswork ----------------------------------------------------------------
def test_csp_list_searches_the_lookup(demo_data) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["csp", "list", "--processed", str(demo_data.processed), "--search", "vale"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "E22999001" in result.output and "Wessex Vale" in result.output
    assert "Budmouth" not in result.output
    none = runner.invoke(app, ["csp", "list", "--processed", str(demo_data.processed), "--search", "zzzz"], env={"COLUMNS": "200"})
    _one_line_error(none, "zzzz")


def test_a_misspelt_most_similar_group_name_is_caught_with_a_suggestion(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (demo_data.config_dir / "wessex-vale.yaml").read_text().replace("- Tamar Valley", "- Tamar Vally")
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "wessex-vale.yaml").write_text(text)
    result = CliRunner().invoke(app, ["csp", "check", "--csp", "wessex-vale", "--processed", str(demo_data.processed),
                                      "--config-dir", str(tmp_path / "cfg")], env={"COLUMNS": "400"})
    assert result.exit_code == 1
    out = output_of(result)
    assert "'Tamar Vally' is not a CSP name in the ONS lookup; did you mean 'Tamar Valley'?" in out
    assert "'Tamar Vally' is not a CSP name in the Home Office CSP tables; did you mean 'Tamar Valley'?" in out
    ingest = CliRunner().invoke(app, ["ingest", "--raw", str(demo_data.raw), "--processed", str(demo_data.processed),
                                      "--config-dir", str(tmp_path / "cfg")], env={"COLUMNS": "400"})
    assert ingest.exit_code == 0 and "did you mean 'Tamar Valley'?" in output_of(ingest)
