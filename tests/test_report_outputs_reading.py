"""Reading back the metrics, findings and catalogue a run's chapters leave in output_dir (assess.report.outputs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assess.registry import load_registry, sort_key, title_from_name
from assess.report import outputs as fragments
from assess.report.outputs import ChapterOutputs


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_load_metrics_in_chapter_order_with_chapter_set(tmp_path: Path) -> None:
    _write(tmp_path / "metrics" / "11_vulnerable_people.json", [{"id": "rape", "value": 3}])
    _write(tmp_path / "metrics" / "02_crime.json", [{"id": "all_crime", "value": 100, "chapter": "02_crime"}])
    _write(tmp_path / "metrics" / "08_hate_crime.json", [{"id": "hate_crime", "value": 40}])
    metrics = fragments.load_metrics(tmp_path)
    assert [m["id"] for m in metrics] == ["all_crime", "hate_crime", "rape"]
    assert [m["chapter"] for m in metrics] == ["02_crime", "08_hate_crime", "11_vulnerable_people"]


def test_load_findings_reads_what_chapter_outputs_writes(tmp_path: Path) -> None:
    out = ChapterOutputs(tmp_path, "08_hate_crime")
    out.finding("Hate crime rose.", display=False)
    out.finding("Race was the most common strand.", display=False)
    ChapterOutputs(tmp_path, "03_asb").finding("ASB fell.", display=False)
    found = fragments.load_findings(tmp_path)
    assert list(found) == ["03_asb", "08_hate_crime"]
    assert found["08_hate_crime"] == ["Hate crime rose.", "Race was the most common strand."]


def test_absent_output_dir_gives_nothing(tmp_path: Path) -> None:
    assert fragments.load_metrics(tmp_path / "nope") == []
    assert fragments.load_findings(tmp_path / "nope") == {}


def test_a_fragment_that_is_not_a_list_is_an_error_naming_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "metrics" / "05_x.json", {"id": "x"})
    with pytest.raises(ValueError, match="05_x.json"):
        fragments.load_metrics(tmp_path)


def test_metrics_by_id_refuses_a_duplicate_id() -> None:
    a = {"id": "all_crime", "chapter": "02_crime"}
    b = {"id": "all_crime", "chapter": "04_place"}
    assert fragments.metrics_by_id([a])["all_crime"]["chapter"] == "02_crime"
    with pytest.raises(ValueError, match="02_crime.*04_place"):
        fragments.metrics_by_id([a, b])


def test_chapter_names_sort_by_number_and_unregistered_names_read_as_titles() -> None:
    assert title_from_name("08_hate_crime") == "Hate crime"
    assert title_from_name("11_vulnerable_people") == "Vulnerable people"
    assert sorted(["12_scorecard", "summary", "02_crime", "10_youth"], key=sort_key) == [
        "02_crime", "10_youth", "12_scorecard", "summary"
    ]


def test_missing_chapters_are_those_without_any_fragment(tmp_path: Path) -> None:
    nb = tmp_path / "notebooks"
    nb.mkdir()
    for name in ("00_summary", "01_overview", "02_crime", "08_hate_crime", "12_scorecard", "scratch"):
        (nb / f"{name}.ipynb").write_text("{}", encoding="utf-8")
    (nb / "chapters.yaml").write_text(
        "chapters:\n"
        "  - {number: 0, slug: summary, title: Summary, kind: summary, phase: 3}\n"
        "  - {number: 1, slug: overview, title: Overview}\n"
        "  - {number: 2, slug: crime, title: Crime}\n"
        "  - {number: 8, slug: hate_crime, title: Hate crime}\n"
        "  - {number: 12, slug: scorecard, title: Scorecard, phase: 2}\n"
    )
    registry = load_registry(nb)
    assert registry.names == ["00_summary", "01_overview", "02_crime", "08_hate_crime", "12_scorecard"]
    out = tmp_path / "out"
    _write(out / "metrics" / "02_crime.json", [])
    _write(out / "catalogue" / "01_overview.json", {"chapter": "01_overview"})
    assert fragments.missing_chapters(out, registry) == ["08_hate_crime"]


def test_a_run_reads_its_own_copy_of_the_registry(tmp_path: Path) -> None:
    assert fragments.run_registry(tmp_path).folder == load_registry().folder  # a chapter run on its own
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "chapters.yaml").write_text("chapters:\n  - {number: 4, slug: four, title: Four}\n")
    assert fragments.run_registry(tmp_path).names == ["04_four"]  # its notebook need not have run


def test_headline_selection_for_the_index_follows_the_summary_then_adds_others() -> None:
    metrics = [
        {"id": "burglary", "chapter": "02_offence_types"}, {"id": "vehicle", "chapter": "02_offence_types"},
        {"id": "all_crime", "chapter": "01_recorded_crime"}, {"id": "red", "chapter": "12_scorecard"},
    ]
    chosen = [m["id"] for m in fragments.headline_selection(metrics, ["12_scorecard"], limit=3)]
    assert chosen == ["all_crime", "burglary", "vehicle"]
