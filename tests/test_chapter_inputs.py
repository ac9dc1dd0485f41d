"""Chapter inputs declared once (chapters.yaml), what a CSP has of them (assess.chapter_inputs), and
the honest status derived from what a chapter published (index and summary)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from assess.chapter_inputs import chapter_inputs, input_status, needs_text, no_data_sentence
from assess.config import CSPConfig
from assess.errors import ConfigError
from assess.registry import ChapterInput, load_registry
from assess.report.export import ChapterDoc, PageContext
from assess.report.index import COMPLETE, FAILED, NO_DATA, chapter_entries, chapter_status, index_page
from assess.store import Store
from assess.store.versions import write_tables

REGISTRY = """\
inputs:
  street: {label: police.uk street-level crime, publisher: data.police.uk, files: ["YYYY-MM-<force>-street.csv"], table: street}
  csp_tables: {label: Home Office CSP tables, publisher: Home Office, files: ["prc-csp-*.csv"], table: recorded_crime, where: {csp_name: notnull}}
  pfa_tables: {label: Home Office force tables, publisher: Home Office, files: ["prc-pfa-*.csv"], table: recorded_crime, where: {csp_name: "null"}}
  fte: {label: first time entrants, publisher: OHID, files: ["fingertips-10401-*.data.csv"], table: indicators, where: {indicator_id: [10401]}}
  survey: {label: resident survey, publisher: the partnership, partner: resident_survey}
chapters:
  - {number: 0, slug: summary, title: Summary, kind: summary, phase: 3}
  - {number: 1, slug: crime, title: Crime, inputs: [street, csp_tables, pfa_tables]}
  - {number: 4, slug: views, title: Views, inputs: [survey]}
  - {number: 6, slug: youth, title: Youth, inputs: [fte]}
"""


def _registry(tmp_path: Path, text: str = REGISTRY):  # type: ignore[no-untyped-def]
    (tmp_path / "nb").mkdir(exist_ok=True)
    (tmp_path / "nb" / "chapters.yaml").write_text(text)
    return load_registry(tmp_path / "nb", require_notebooks=False)


def _cfg() -> CSPConfig:
    return CSPConfig.model_validate({
        "name": "Test", "code": "E22000001", "slug": "test", "local_authorities": [{"code": "E06000001", "name": "T"}],
        "police_force": {"name": "Force", "police_uk": "force"}})


def test_the_project_declares_an_input_for_every_chapter_but_the_summary() -> None:
    registry = load_registry()
    for chapter in registry:
        assert chapter.kind == "summary" or chapter.inputs, f"{chapter.name} declares no input"
    # the Fingertips indicators of sources.yaml feed the chapters that declare them
    import yaml

    sources = yaml.safe_load((Path(__file__).parents[1] / "src" / "assess" / "sources.yaml").read_text())
    for indicator in sources["sources"]["fingertips"]["indicators"]:
        declared = [k for k, s in registry.inputs.items() if s.table == "indicators"
                    and indicator["id"] in s.where.get("indicator_id", ())]
        assert declared, f"Fingertips indicator {indicator['id']} has no declared input"
        chapters = {c.slug for k in declared for c in registry.chapters_of_input(k)}
        assert indicator["chapter"] in chapters


def test_a_chapter_naming_an_undeclared_input_or_an_input_of_two_kinds_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="names inputs not declared under inputs: nowhere"):
        _registry(tmp_path, REGISTRY.replace("inputs: [survey]", "inputs: [survey, nowhere]"))
    with pytest.raises(ConfigError, match="exactly one of table, partner, boundaries"):
        _registry(tmp_path, REGISTRY.replace("partner: resident_survey", "partner: resident_survey, table: street"))
    with pytest.raises(ValueError):
        ChapterInput(label="x", publisher="y")


def test_what_a_csp_has_is_read_from_the_store_and_the_raw_folder(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    tables = {
        "street": pd.DataFrame({"month": ["2024-04"], "lad_code": ["E06000001"]}),
        "recorded_crime": pd.DataFrame({"force_name": ["Force"], "csp_name": pd.array([pd.NA], dtype="string")}),
        "indicators": pd.DataFrame({"indicator_id": [93356]}),  # another indicator only
    }
    write_tables(tmp_path / "processed", tables)
    store = Store(tmp_path / "processed")
    raw = tmp_path / "raw"
    held = chapter_inputs(registry, store, raw, _cfg())
    crime = {s.key: s.present for s in held["01_crime"]}
    assert crime == {"street": True, "csp_tables": False, "pfa_tables": True}
    assert [s.present for s in held["06_youth"]] == [False]
    assert [s.present for s in held["04_views"]] == [False]
    assert needs_text(held["04_views"]) == "it lacks resident survey (partner file partner/resident_survey.csv)"
    assert needs_text(held["01_crime"], markdown=True) == "it lacks Home Office CSP tables (download `prc-csp-*.csv`)"
    (raw / "partner").mkdir(parents=True)
    (raw / "partner" / "resident_survey.csv").write_text("x\n")
    assert input_status("survey", registry.inputs["survey"], store, raw, _cfg()).present
    write_tables(tmp_path / "processed", {**tables, "indicators": pd.DataFrame({"indicator_id": [93356, 10401]})})
    assert chapter_inputs(registry, Store(tmp_path / "processed"), raw, _cfg())["06_youth"][0].present
    assert no_data_sentence([]) == "No data supplied: its inputs hold nothing for this CSP and year."


def test_the_status_comes_from_what_the_chapter_published() -> None:
    assert chapter_status("ok", 1, 0) == chapter_status("ok", 0, 2) == COMPLETE
    assert chapter_status("ok", 0, 0) == NO_DATA  # text only: nothing to show
    assert chapter_status("failed", 3, 3) == FAILED


def test_the_index_says_no_data_supplied_naming_the_files(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    held = chapter_inputs(registry, Store(tmp_path / "processed"), tmp_path / "raw", _cfg())
    docs = [ChapterDoc("01_crime", "1. Crime", "", True), ChapterDoc("04_views", "4. Views", "", True),
            ChapterDoc("06_youth", "6. Youth", "", True, status="failed", error="boom")]
    catalogue = {"01_crime": {"tables": [{"name": "t"}], "figures": []}}
    entries = chapter_entries(docs, catalogue, held)
    assert [e.state for e in entries] == [COMPLETE, NO_DATA, FAILED]
    page = index_page(PageContext(report_title="Test", year="2024/25", synthetic=False), entries, [], tmp_path)
    assert '<tr class="no-data">' in page and "No data supplied</span>: it lacks resident survey" in page
    assert "partner/resident_survey.csv" in page
    assert page.count('<span class="status-ok">') == 1 and "1 of 3 chapters had no data supplied" in page
    assert "The rest of the assessment is complete" not in page


def test_the_summary_tells_no_data_from_failed_and_missing(tmp_path: Path, bare_ctx) -> None:  # type: ignore[no-untyped-def]
    from assess.chapters import summary as sm
    from assess.report.outputs import ChapterOutputs

    notebooks = tmp_path / "notebooks"
    _registry(tmp_path)
    notebooks.mkdir()
    (notebooks / "chapters.yaml").write_text((tmp_path / "nb" / "chapters.yaml").read_text())
    for name, failed in (("01_crime", False), ("04_views", False), ("06_youth", True)):
        nb = {"cells": [], "metadata": {"papermill": {"exception": failed}}, "nbformat": 4, "nbformat_minor": 5}
        (notebooks / f"{name}.ipynb").write_text(json.dumps(nb))
    crime = ChapterOutputs(tmp_path, "01_crime")
    crime.table("t", pd.DataFrame({"a": [1]}), caption="A table", suppress=False)
    ChapterOutputs(tmp_path, "04_views").finding("Nothing to show.", display=False)
    status = sm.run_status(tmp_path, load_registry(notebooks, require_notebooks=False))
    assert status.no_data == ["04_views"] and status.failed == ["06_youth"] and status.missing == ["06_youth"]
    out = ChapterOutputs(tmp_path, sm.CHAPTER)
    sm.chapters_run(bare_ctx, out)  # no partner files: the resident survey is lacking
    said = "\n".join(out.said)
    assert "**No data supplied:**" in said and "[Views](04_views.html): it lacks resident survey" in said
    assert "**Missing chapters:** Youth (06_youth)" in said and "Views (04_views)" not in said.split("**No data")[0]
