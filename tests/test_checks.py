"""assess.checks (comparators without guesswork), assess.ingest_summary and assess.paths."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from assess.checks import (
    NoDataForYear,
    check_most_similar_group,
    comparison_problems,
    csp_directory,
    require_year,
    suggest,
    year_coverage,
)
from assess.config import load_config
from assess.ingest_summary import group_warnings, warning_kind
from assess.paths import find_project_root, project_paths

LOOKUP = pd.DataFrame({
    "lad_code": ["E06000045", "E06000044", "E06000023"],
    "lad_name": ["Southampton", "Portsmouth", "Bristol, City of"],
    "csp_code": ["E22000120", "E22000121", "E22000122"],
    "csp_name": ["Southampton", "Portsmouth", "Bristol, City of"],
    "pfa_code": ["E23000030", "E23000030", "E23000036"],
    "pfa_name": ["Hampshire", "Hampshire", "Avon and Somerset"],
})


def _recorded(csp_names: list[str | None], year: str = "2017/18") -> pd.DataFrame:
    return pd.DataFrame({"financial_year": year, "quarter": 1, "force_name": "Hampshire",
                         "csp_name": pd.Series(csp_names, dtype="string"), "offences": 10})


def _cfg():  # type: ignore[no-untyped-def]
    cfg = load_config(ROOT / "config" / "csp" / "wessex-vale.yaml")
    return cfg.model_copy(update={"name": "Southampton", "most_similar_group": ["Portsmouth", "Bristol City of"]})


def test_group_names_are_matched_as_the_comparators_match_them_and_near_misses_get_a_suggestion() -> None:
    problems = check_most_similar_group(["Portsmouth", "Bristol, City of", "Portsmuth", "Atlantis"], LOOKUP,
                                        _recorded(["Southampton", "Portsmouth", "Bristol, City of"]))
    sentences = [p.sentence() for p in problems]
    assert sentences == [
        "most_similar_group: 'Portsmuth' is not a CSP name in the ONS lookup; did you mean 'Portsmouth'?",
        "most_similar_group: 'Atlantis' is not a CSP name in the ONS lookup",
        "most_similar_group: 'Portsmuth' is not a CSP name in the Home Office CSP tables; did you mean 'Portsmouth'?",
        "most_similar_group: 'Atlantis' is not a CSP name in the Home Office CSP tables",
    ]
    # "Bristol City of" differs from the ONS spelling only by punctuation: name_key matches it
    assert check_most_similar_group(["Bristol City of", "bristol,  city of"], LOOKUP, _recorded(["Bristol, City of"])) == []
    assert suggest("Southamton", LOOKUP["csp_name"]) == "Southampton"
    assert suggest("Newcastle", LOOKUP["csp_name"]) is None


def test_a_force_level_table_only_cannot_support_the_comparisons() -> None:
    (problem,) = comparison_problems(_cfg(), _recorded([None, None]))
    assert "police force area level only" in problem and "no national figure" in problem and "prc-csp" in problem
    (none,) = comparison_problems(_cfg(), pd.DataFrame())
    assert "no Home Office recorded crime tables" in none
    assert comparison_problems(_cfg(), _recorded(["Southampton", "Portsmouth"])) == []
    (wrong_year,) = comparison_problems(_cfg(), _recorded(["Southampton"]), "2018/19")
    assert "cannot be made for 2018/19" in wrong_year and "cover 2017/18 to 2017/18" in wrong_year


def test_csp_directory_lists_and_searches() -> None:
    table = csp_directory(LOOKUP)
    assert table["csp_name"].tolist() == ["Bristol, City of", "Portsmouth", "Southampton"]
    assert csp_directory(LOOKUP, "hampshire")["csp_name"].tolist() == ["Portsmouth", "Southampton"]
    assert csp_directory(LOOKUP, "e22000122")["csp_name"].tolist() == ["Bristol, City of"]
    assert csp_directory(LOOKUP, "bristol city")["csp_code"].tolist() == ["E22000122"]
    assert csp_directory(pd.DataFrame()).empty


def test_require_year_says_what_the_store_holds() -> None:
    coverage = pd.DataFrame({"months_present": ["2017-04;2017-05;2017-07"]})
    held = year_coverage(coverage, None)
    assert held.holds("2017/18") and not held.holds("2016/17")
    with pytest.raises(NoDataForYear, match=r"police.uk months 2017-04 to 2017-07 \(missing 2017-06\)"):
        require_year("2016/17", held, "data/processed")
    require_year("2017/18", held, "data/processed")
    assert year_coverage(None, _recorded(["x"], "2015/16")).holds("2015/16")


def test_warnings_group_by_kind_with_their_counts() -> None:
    warnings = [
        "ho/a.csv: a.csv: 6 negative counts kept (Home Office adjustments), rows 1, 2, 3, 4, 5, 6",
        "ho/b.csv: b.csv: 12 negative counts kept (Home Office adjustments), sheet 'x' rows 1, 2 ...",
        "pop/c.xlsx: c.xlsx: in 3 LSOAs the age bands do not add up to the total (first at row 7)",
        "pop/d.xlsx: d.xlsx: in 1 LSOAs the age bands do not add up to the total (first at row 9)",
        "street/e.csv: e.csv: columns not used: Extra",
    ]
    assert [g.line() for g in group_warnings(warnings)] == [
        "negative counts kept (Home Office adjustments): 18 in 2 files",
        "in N LSOAs the age bands do not add up to the total: 2 files",
        "columns not used: 1 file",
    ]
    assert warning_kind("something without a file") == ("something without a file", None, None)


@given(st.lists(st.text(min_size=1, max_size=60), max_size=20))
def test_grouping_keeps_every_warning_once(warnings: list[str]) -> None:
    groups = group_warnings(warnings)
    assert sorted(w for g in groups for w in g.warnings) == sorted(warnings)


def test_project_root_is_found_from_a_subfolder_and_overridden_by_the_environment(tmp_path: Path) -> None:
    (tmp_path / "p" / "config" / "csp").mkdir(parents=True)
    (tmp_path / "p" / "notebooks" / "deep").mkdir(parents=True)
    assert find_project_root(tmp_path / "p" / "notebooks" / "deep", env={}) == (tmp_path / "p").resolve()
    assert find_project_root(tmp_path / "elsewhere", env={}) == (tmp_path / "elsewhere").resolve()
    paths = project_paths(tmp_path / "p" / "notebooks", env={"ASSESS_PROCESSED": str(tmp_path / "store")})
    assert paths.raw == (tmp_path / "p" / "data" / "raw").resolve()
    assert paths.processed == (tmp_path / "store").resolve()
    assert paths.scratch == (tmp_path / "p" / "reports" / "_scratch").resolve()
    assert project_paths(tmp_path, env={"ASSESS_PROJECT": str(tmp_path / "q")}).config == (tmp_path / "q" / "config" / "csp").resolve()
