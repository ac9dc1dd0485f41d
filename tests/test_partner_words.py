"""The partners' own words as inputs: narrative files (front matter, names, encoding) and
recommendations (YAML); an error names the file, the line and the fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assess.errors import InputError
from assess.sources.partner import (
    check_narrative_folders,
    find_narrative,
    metric_ids,
    narrative_keys,
    priority_index,
    read_narrative,
    read_narratives,
    read_recommendations,
)

KNOWN = narrative_keys(["00_summary", "06_young_people", "11_vulnerable_people"])

GOOD = """---
author: Wessex Vale Youth Offending Service
date: 2025-05-15
title: Diverting young people
---

The **Joint Decision Making Panel** diverted 64 young people.
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- narrative files


def test_a_narrative_file_gives_its_author_date_title_and_text(tmp_path: Path) -> None:
    n = read_narrative(write(tmp_path, "06_young_people.md", GOOD), KNOWN)
    assert (n.key, n.author, n.date, n.title) == ("06_young_people", "Wessex Vale Youth Offending Service",
                                                  dt.date(2025, 5, 15), "Diverting young people")
    assert n.text == "The **Joint Decision Making Panel** diverted 64 young people."
    assert n.text_line == 7  # the blank line after the front matter is not text


def test_a_topic_file_a_bom_and_windows_line_ends_are_read(tmp_path: Path) -> None:
    text = ("\ufeff" + GOOD.replace("title: Diverting young people\n", "")).replace("\n", "\r\n")
    n = read_narrative(write(tmp_path, "cuckooing.md", text.encode("utf-8")), KNOWN)
    assert n.key == "cuckooing" and n.title is None and n.text.endswith("64 young people.")


def test_read_narratives_reads_the_folder_and_find_narrative_one_key(tmp_path: Path) -> None:
    folder = tmp_path / "narrative"
    write(folder, "06_young_people.md", GOOD)
    write(folder, "prevent.md", GOOD)
    write(folder, ".hidden.md", "not read")
    write(folder, "~$06_young_people.md", b"\x00\xff lock file")
    assert list(read_narratives(folder, KNOWN)) == ["06_young_people", "prevent"]
    assert find_narrative(folder, "prevent").author == "Wessex Vale Youth Offending Service"  # type: ignore[union-attr]
    assert find_narrative(folder, "cuckooing") is None
    assert read_narratives(tmp_path / "absent", KNOWN) == {}


BAD_NARRATIVES = [
    # (id, file name, text, row, column, words in the message)
    ("unknown chapter", "06_youth.md", GOOD, None, None, "'06_youth' is neither a chapter nor a topic (did you mean 06_young_people.md?)"),
    ("no front matter", "prevent.md", "The panel met.\n", 1, None, "does not begin with a front matter"),
    ("unclosed front matter", "prevent.md", "---\nauthor: Council\ndate: 2025-01-01\nThe panel met.\n", 1, None, "not closed"),
    ("front matter not YAML", "prevent.md", "---\nauthor: [Council\ndate: 2025-01-01\n---\nText\n", 3, None, "not valid YAML"),
    ("front matter a list", "prevent.md", "---\n- Council\n---\nText\n", 2, None, "not a list of fields"),
    ("no author", "prevent.md", "---\ndate: 2025-01-01\n---\nText\n", 1, "author", "Field required"),
    ("no date", "prevent.md", "---\nauthor: Council\n---\nText\n", 1, "date", "Field required"),
    ("date written UK style", "prevent.md", "---\nauthor: Council\ndate: 31/03/2025\n---\nText\n", 3, "date",
     "'31/03/2025' is not a date written YYYY-MM-DD"),
    ("no such day", "prevent.md", "---\nauthor: Council\ndate: 2025-02-30\n---\nText\n", 3, "date", "not a day of the calendar"),
    ("date with a time", "prevent.md", "---\nauthor: Council\ndate: 2025-02-03 10:00\n---\nText\n", 3, "date", "YYYY-MM-DD"),
    ("author a list", "prevent.md", "---\nauthor: [Police, Council]\ndate: 2025-02-03\n---\nText\n", 2, "author", "one line"),
    ("unknown field", "prevent.md", "---\nauthor: Council\ndate: 2025-02-03\nsigned: yes\n---\nText\n", 4, "signed", "Extra inputs"),
    ("no text", "prevent.md", "---\nauthor: Council\ndate: 2025-02-03\n---\n\n  \n", 5, None, "no text"),
    ("not UTF-8", "prevent.md", "---\nauthor: Council\ndate: 2025-02-03\n---\nCaf\u00e9 talk\n".encode("cp1252"), 5, None,
     "not UTF-8 text"),
]


@pytest.mark.parametrize(("name", "text", "row", "column", "words"), [b[1:] for b in BAD_NARRATIVES],
                         ids=[b[0] for b in BAD_NARRATIVES])
def test_a_bad_narrative_file_names_the_file_line_and_fix(tmp_path: Path, name: str, text: str | bytes, row: int | None,
                                                          column: str | None, words: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        read_narrative(path, KNOWN)
    err = info.value
    assert err.path == path and err.row == row and err.column == column
    assert words in str(err) and "What to do" in str(err)
    assert str(err).startswith(str(path))


def test_a_folder_with_another_kind_of_file_or_a_subfolder_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "narrative"
    write(folder, "06_young_people.md", GOOD)
    write(folder, "cuckooing.docx", b"PK\x03\x04")
    with pytest.raises(InputError, match=r"cuckooing\.docx: not a Markdown file"):
        read_narratives(folder, KNOWN)
    (folder / "cuckooing.docx").unlink()
    (folder / "drafts").mkdir()
    with pytest.raises(InputError, match="a folder inside the narrative folder"):
        read_narratives(folder, KNOWN)


def test_the_ingest_check_names_a_file_for_no_chapter(tmp_path: Path) -> None:
    folder = tmp_path / "partner" / "narrative"
    write(folder, "06_young_people.md", GOOD)
    check_narrative_folders([folder, tmp_path / "partner"])  # the project's registry names 06_young_people
    write(folder, "99_unknown.md", GOOD)
    with pytest.raises(InputError, match=r"99_unknown\.md: '99_unknown' is neither a chapter nor a topic"):
        check_narrative_folders([folder])


def test_ingest_fails_on_a_broken_narrative(tmp_path: Path) -> None:
    from assess.store.ingest import ingest

    write(tmp_path / "raw" / "partner" / "narrative", "prevent.md", "The panel met.\n")
    with pytest.raises(InputError, match="prevent.md, row 1: the file does not begin with a front matter"):
        ingest(tmp_path / "raw", tmp_path / "processed")
    assert not (tmp_path / "processed" / "manifest.json").exists()


# --------------------------------------------------------------------------- recommendations

RECS = """# a comment
recommendations:
  - priority: 2
    recommendation: >-
      Keep the **panel**.
    metrics: [first_time_entrants, youth_reoffending_rate]
    lead: Youth Offending Service
  - priority: "  protect   vulnerable people "
    recommendation: Open two reporting centres.
    metrics: [hate_crime]
"""
PRIORITIES = ["Reduce crime", "Reduce youth crime and reoffending", "Protect vulnerable people"]


def test_recommendations_read_as_a_table(tmp_path: Path) -> None:
    df = read_recommendations(write(tmp_path, "recommendations.yaml", RECS))
    assert df["item"].tolist() == [1, 2] and df["source_row"].tolist() == [3, 8]
    assert df["priority"].tolist() == ["2", "protect vulnerable people"]
    assert df["recommendation"].tolist() == ["Keep the **panel**.", "Open two reporting centres."]
    assert [metric_ids(m) for m in df["metrics"]] == [["first_time_entrants", "youth_reoffending_rate"], ["hate_crime"]]
    assert df["lead"].iloc[0] == "Youth Offending Service" and df["lead"].isna().iloc[1]


def test_a_priority_is_found_by_number_or_text(tmp_path: Path) -> None:
    assert priority_index("2", PRIORITIES, "r.yaml", 3) == 1
    assert priority_index("protect vulnerable people", PRIORITIES, "r.yaml", 8) == 2
    with pytest.raises(InputError, match=r"row 3, column 'priority': priority 4 is not one of the 3 priorities"):
        priority_index("4", PRIORITIES, "r.yaml", 3)
    with pytest.raises(InputError, match=r"priority 'Reduce harm' is not one of .* 1\. Reduce crime; 2\. Reduce youth"):
        priority_index("Reduce harm", PRIORITIES, "r.yaml", 8)


BAD_RECS = [
    ("no metrics", RECS.replace("    metrics: [hate_crime]\n", ""), 8, "metrics", "recommendation 2, field 'metrics'"),
    ("empty metrics", RECS.replace("[hate_crime]", "[]"), 10, "metrics", "at least 1 item"),
    ("bad metric id", RECS.replace("[hate_crime]", "[Hate Crime]"), 10, "metrics", "'Hate Crime' is not a metric id"),
    ("metric twice", RECS.replace("[hate_crime]", "[hate_crime, hate_crime]"), 10, "metrics", "given twice"),
    ("priority zero", RECS.replace("priority: 2", "priority: 0"), 3, "priority", "counted from 1"),
    ("priority a float", RECS.replace("priority: 2", "priority: 2.5"), 3, "priority", "recommendation 1, field 'priority"),
    ("no text", RECS.replace("recommendation: Open two reporting centres.", "recommendation: '  '"), 9, "recommendation",
     "empty"),
    ("unknown field", RECS.replace("    lead: Youth", "    owner: x\n    lead: Youth"), 7, "owner", "Extra inputs"),
    ("not a list", "recommendations: keep the panel\n", 1, None, "expected a list of recommendations"),
    ("not YAML", "recommendations:\n  - priority: 1\n   metrics: [\n", 3, None, "not valid YAML"),
    ("item not a mapping", "- just words\n", 1, None, "recommendation 1 is not a mapping"),
]


@pytest.mark.parametrize(("text", "row", "column", "words"), [b[1:] for b in BAD_RECS], ids=[b[0] for b in BAD_RECS])
def test_bad_recommendations_name_the_item_field_and_line(tmp_path: Path, text: str, row: int, column: str | None,
                                                          words: str) -> None:
    path = write(tmp_path, "recommendations.yaml", text)
    with pytest.raises(InputError) as info:
        read_recommendations(path)
    err = info.value
    assert err.path == path and err.row == row and err.column == column
    assert words in str(err) and "What to do" in str(err)


def test_recommendations_that_are_not_utf8_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "recommendations.yaml", RECS.replace("Open two", "Op\u00e9n two").encode("latin-1"))
    with pytest.raises(InputError, match="row 9: the file is not UTF-8 text"):
        read_recommendations(path)
