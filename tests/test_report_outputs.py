"""ChapterOutputs: what a chapter notebook publishes (tables, metrics, findings, figures, notes)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from assess.report import charts, display
from assess.report.outputs import (
    SUPPRESSED_MARK,
    ChapterOutputs,
    PublishedTable,
    read_catalogue,
)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the chapter would display in a notebook (HTML of each display call)."""
    seen: list[str] = []
    monkeypatch.setattr(display, "display_html", lambda html_text, plain: seen.append(html_text))
    return seen


def _areas() -> pd.DataFrame:
    return pd.DataFrame({"area": ["A", "B", "C"], "offences": [1234, 3, 0], "rate": [81.25, 64.0, 70.5]})


def test_table_suppresses_small_counts_and_writes_csv(tmp_path: Path) -> None:
    out = ChapterOutputs(tmp_path, "01_crime")
    result = out.table("offences", _areas(), caption="Offences by area", count_columns=["offences"])
    csv = (tmp_path / "tables" / "01_crime__offences.csv").read_text(encoding="utf-8")
    assert csv.splitlines() == ["area,offences,rate", "A,1234,81.25", f"B,{SUPPRESSED_MARK},64.0", "C,0,70.5"]
    assert isinstance(result, PublishedTable) and isinstance(result, pd.DataFrame)
    assert result["offences"].tolist() == [1234, SUPPRESSED_MARK, 0]
    html = result._repr_html_()
    assert "<caption>Offences by area</caption>" in html
    assert f'<td class="num nw">{SUPPRESSED_MARK}</td>' in html and "1,234" in html
    # a frame derived from it is a plain DataFrame without the caption
    assert type(result.head(1)) is pd.DataFrame


def test_table_protects_totals_by_secondary_suppression(tmp_path: Path) -> None:
    df = pd.DataFrame({"ward": ["North", "South", "East", "Total"], "crimes": [3, 40, 57, 100]})
    out = ChapterOutputs(tmp_path, "01_crime")
    result = out.table("wards", df, caption="Crimes by ward", column_total_row="Total")
    # the 3 alone could be recovered as 100 - 40 - 57: a second cell goes too
    assert result["crimes"].tolist().count(SUPPRESSED_MARK) == 2
    cat = read_catalogue(tmp_path)["01_crime"]
    assert cat["tables"][0]["suppressed_cells"] == 2


def test_table_without_suppression_and_with_index(tmp_path: Path) -> None:
    df = pd.DataFrame({"count": [1, 2]}, index=pd.Index(["x", "y"], name="group"))
    result = ChapterOutputs(tmp_path, "02_asb").table("raw", df, caption="Raw", suppress=False)
    assert list(result.columns) == ["group", "count"]
    assert (tmp_path / "tables" / "02_asb__raw.csv").read_text(encoding="utf-8") == "group,count\nx,1\ny,2\n"


def test_table_hides_figures_derived_from_a_suppressed_count_and_rounds(tmp_path: Path) -> None:
    df = pd.DataFrame({"n": [3, 10, 0], "pct": [33.333, 50.0, 0.0]})
    out = ChapterOutputs(tmp_path, "05_offenders")
    hidden = out.table("hidden", df, caption="Hidden", derived={"n": ["pct"]})
    assert hidden["pct"].tolist() == [SUPPRESSED_MARK, 50.0, 0.0]
    assert out.table("rounded", df, caption="Rounded", derived={"n": ["pct"]}, decimals=1)["pct"].tolist() == [
        SUPPRESSED_MARK, 50.0, 0.0]
    assert out.table("open", df, caption="Open", suppress=False, decimals=1)["pct"].tolist() == [33.3, 50.0, 0.0]
    cat = read_catalogue(tmp_path)["05_offenders"]["tables"]
    assert [t["suppressed_cells"] for t in cat] == [2, 2, 0]


def test_derived_figures_follow_secondary_suppression(tmp_path: Path) -> None:
    df = pd.DataFrame({"ward": ["North", "South", "East", "Total"], "crimes": [3, 40, 57, 100],
                       "rate": [1.5, 20.0, 28.5, 50.0]})
    result = ChapterOutputs(tmp_path, "01_crime").table(
        "wards", df, caption="Crimes by ward", count_columns=["crimes"], column_total_row="Total",
        derived={"crimes": ["rate"]},
    )
    assert result["rate"].tolist() == [SUPPRESSED_MARK, SUPPRESSED_MARK, 28.5, 50.0]
    with pytest.raises(KeyError, match="nope"):
        ChapterOutputs(tmp_path, "01_crime").table("t", df, caption="x", derived={"crimes": ["nope"]})


def test_table_is_shown_once(tmp_path: Path, shown: list[str]) -> None:
    out = ChapterOutputs(tmp_path, "01_crime")
    result = out.table("offences", _areas(), caption="Offences by area", count_columns=["offences"])
    assert len(shown) == 1 and "<caption>Offences by area</caption>" in shown[0]
    result._ipython_display_()  # a cell ending with the table does not show it again
    assert len(shown) == 1
    quiet = out.table("quiet", _areas(), caption="Not shown yet", count_columns=["offences"], display=False)
    assert len(shown) == 1
    quiet._ipython_display_()
    quiet._ipython_display_()
    assert len(shown) == 2 and "<caption>Not shown yet</caption>" in shown[1]


def test_table_needs_caption_and_safe_names(tmp_path: Path) -> None:
    out = ChapterOutputs(tmp_path, "01_crime")
    with pytest.raises(ValueError, match="caption"):
        out.table("t", _areas(), caption=" ")
    with pytest.raises(ValueError, match="file name"):
        out.table("bad name", _areas(), caption="x")
    with pytest.raises(KeyError, match="nope"):
        out.table("t", _areas(), caption="x", count_columns=["nope"])
    with pytest.raises(ValueError, match="file name"):
        ChapterOutputs(tmp_path, "01__crime")


def test_figure_saves_png_and_displays_img_with_alt(tmp_path: Path, shown: list[str]) -> None:
    fig = charts.change_bars(pd.DataFrame({"g": ["a", "b"], "c": [5.0, -2.0]}), "g", "c", "Change")
    out = ChapterOutputs(tmp_path, "01_crime")
    out.figure(fig, "change", alt='Bars: "a" rose 5%, b fell 2%', caption="Change on last year")
    png = (tmp_path / "figures" / "01_crime__change.png").read_bytes()
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    assert len(shown) == 1
    assert 'alt="Bars: &quot;a&quot; rose 5%, b fell 2%"' in shown[0]
    assert 'src="data:image/png;base64,' in shown[0] and "<figcaption>Change on last year</figcaption>" in shown[0]
    cat = read_catalogue(tmp_path)["01_crime"]["figures"]
    assert cat == [{"name": "change", "file": "figures/01_crime__change.png",
                    "alt": 'Bars: "a" rose 5%, b fell 2%', "caption": "Change on last year"}]


def test_figure_requires_alt_text(tmp_path: Path) -> None:
    fig = charts.change_bars(pd.DataFrame({"g": ["a"], "c": [5.0]}), "g", "c", "Change")
    with pytest.raises(ValueError, match="alt text"):
        ChapterOutputs(tmp_path, "01_crime").figure(fig, "x", alt="", caption="c")


def test_metric_finding_note_fragments(tmp_path: Path, shown: list[str]) -> None:
    out = ChapterOutputs(tmp_path, "03_asb")
    metric = {"id": "asb_incidents", "label": "ASB incidents", "chapter": "03_asb", "value": 812.0,
              "unit": "incidents", "period": "2023/24", "source": "data.police.uk"}
    out.metric(metric)
    out.finding("ASB fell  by a tenth.")
    out.note("Counts are of incidents, not people.")
    stored = json.loads((tmp_path / "metrics" / "03_asb.json").read_text(encoding="utf-8"))
    assert len(stored) == 1 and stored[0]["id"] == "asb_incidents" and stored[0]["value"] == 812.0
    assert json.loads((tmp_path / "findings" / "03_asb.json").read_text(encoding="utf-8")) == ["ASB fell by a tenth."]
    assert read_catalogue(tmp_path)["03_asb"]["notes"] == ["Counts are of incidents, not people."]
    assert any("Key finding" in h for h in shown) and any("assess-note" in h for h in shown)


def test_invalid_metric_dict_fails_in_the_chapter(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="period|source|chapter"):
        ChapterOutputs(tmp_path, "03_asb").metric({"id": "x", "label": "X", "value": 1, "unit": "n"})


def test_new_chapter_outputs_start_the_chapter_afresh(tmp_path: Path) -> None:
    out = ChapterOutputs(tmp_path, "03_asb")
    out.finding("once", display=False)
    out.table("old", _areas(), caption="old", count_columns=["offences"])
    ChapterOutputs(tmp_path, "03_asb_extra").finding("other chapter", display=False)
    again = ChapterOutputs(tmp_path, "03_asb")
    again.finding("twice", display=False)
    assert json.loads((tmp_path / "findings" / "03_asb.json").read_text(encoding="utf-8")) == ["twice"]
    assert not (tmp_path / "tables" / "03_asb__old.csv").exists()
    assert (tmp_path / "findings" / "03_asb_extra.json").exists()


def test_display_is_silent_outside_a_notebook(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ChapterOutputs(tmp_path, "03_asb").finding("Quiet.")
    assert capsys.readouterr().out == ""


def test_say_keeps_every_paragraph_in_order_and_shows_it_as_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    displayed: list[str] = []
    monkeypatch.setattr(display, "display_markdown", displayed.append)
    out = ChapterOutputs(tmp_path, "03_asb")
    out.say("First, **bold**.")
    out.say("Second.", display=False)
    out.say("Third.")
    assert out.said == ["First, **bold**.", "Second.", "Third."]
    assert displayed == ["First, **bold**.", "Third."]
    assert ChapterOutputs(tmp_path, "04_other").said == []  # each chapter's outputs keep their own


def test_no_chapter_module_displays_through_ipython_itself() -> None:
    import re

    import assess.chapters
    from assess.chapters import common

    folder = Path(assess.chapters.__file__).parent
    imports = re.compile(r"^\s*(from\s+IPython(\.display)?\s+import\b|import\s+IPython\b)", re.MULTILINE)
    offenders = [p.name for p in sorted(folder.glob("*.py")) if imports.search(p.read_text(encoding="utf-8"))]
    assert offenders == [], f"chapters that import IPython.display (say through out.say instead): {offenders}"
    assert not hasattr(common, "say")
