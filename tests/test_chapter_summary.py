"""Chapter 0 (executive summary): chapters and priorities, headline figures, missing chapters, notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ingest_partner_files, run_chapter

from assess.chapters import summary as sm
from assess.config import DEFAULT_PRIORITIES
from assess.measure.metrics import metric_from_count, metric_from_proportion
from assess.registry import THEMES, Theme, load_registry
from assess.report.outputs import ChapterOutputs, headline_metrics
from assess.stats import proportion

WESSEX_PRIORITIES = [
    "Reduce violence, including domestic abuse and violence in the night-time economy",
    "Reduce anti-social behaviour and the harm it causes to victims and neighbourhoods",
    "Reduce the harm caused by drugs and alcohol",
    "Protect vulnerable people, including children at risk of exploitation",
    "Reduce youth crime and reoffending",
]


# --- chapters, themes and priorities ------------------------------------------------------------


@pytest.mark.parametrize(
    ("chapter", "theme"),
    [
        ("01_recorded_crime", "crime"), ("02_offence_types", "crime"), ("03_places", "crime"),
        ("04_perceptions", "anti-social behaviour"), ("05_offenders", "reoffending"), ("06_young_people", "youth"),
        ("07_anti_social_behaviour", "anti-social behaviour"), ("08_hate_crime", "vulnerable people"),
        ("09_begging_rough_sleeping", "anti-social behaviour"), ("10_drugs_alcohol", "drugs and alcohol"),
        ("11_vulnerable_people", "vulnerable people"),
    ],
)
def test_theme_of_chapter(chapter: str, theme: str) -> None:
    found = sm.theme_of_chapter(chapter, load_registry())
    assert found is not None and found.name == theme


def test_summary_and_scorecard_belong_to_no_theme() -> None:
    assert sm.theme_of_chapter("00_summary", load_registry()) is None
    assert sm.theme_of_chapter("12_scorecard", load_registry()) is None
    assert sm.theme_of_chapter("06_youth_crime", load_registry()) is None  # a theme is declared, never guessed from a name


def _theme(name: str) -> Theme:
    return THEMES[name]


def test_default_priorities_follow_the_documented_mapping() -> None:
    p = DEFAULT_PRIORITIES
    assert _theme("crime").priorities(p) == [0]  # not "youth crime"
    assert _theme("anti-social behaviour").priorities(p) == [0]
    assert _theme("reoffending").priorities(p) == [0, 3]
    assert _theme("drugs and alcohol").priorities(p) == [1]
    assert _theme("vulnerable people").priorities(p) == [2]
    assert _theme("youth").priorities(p) == [3]


def test_configured_priorities_are_matched_by_their_words() -> None:
    p = WESSEX_PRIORITIES
    assert _theme("crime").priorities(p) == [0]  # "violence"
    assert _theme("anti-social behaviour").priorities(p) == [1]
    assert _theme("drugs and alcohol").priorities(p) == [2]
    assert _theme("vulnerable people").priorities(p) == [3]
    assert _theme("youth").priorities(p) == [4]


def test_a_priority_naming_no_theme_falls_back_to_the_default_position() -> None:
    assert _theme("crime").priorities(["Make the borough safer"]) == [0]
    assert _theme("youth").priorities(["Make the borough safer"]) == []


def test_findings_by_priority() -> None:
    findings = {
        "11_vulnerable_people": ["Domestic abuse rose."],
        "01_recorded_crime": ["Crime fell."],
        "12_scorecard": ["Two measures missed."],
        "06_young_people": ["First-time entrants fell."],
    }
    grouped = sm.findings_by_priority(findings, DEFAULT_PRIORITIES, load_registry())
    assert list(grouped) == DEFAULT_PRIORITIES
    assert grouped[DEFAULT_PRIORITIES[0]] == [("01_recorded_crime", "Crime fell.")]
    assert grouped[DEFAULT_PRIORITIES[1]] == []
    assert grouped[DEFAULT_PRIORITIES[2]] == [("11_vulnerable_people", "Domestic abuse rose.")]
    assert grouped[DEFAULT_PRIORITIES[3]] == [("06_young_people", "First-time entrants fell.")]


# --- headline figures ---------------------------------------------------------------------------


def _metrics() -> list[dict]:
    def dump(m) -> dict:  # type: ignore[no-untyped-def]
        return m.model_dump(mode="json")

    return [
        dump(metric_from_count("anti_social_behaviour", "ASB", "07_anti_social_behaviour", 900, 1000, "2024/25",
                               "2023/24", 250_000, "police.uk", unit="incidents")),
        dump(metric_from_count("burglary", "Burglary", "02_offence_types", 300, 280, "2024/25", "2023/24", 250_000,
                               "police.uk")),
        dump(metric_from_count("vehicle_crime", "Vehicle crime", "02_offence_types", 200, 210, "2024/25", "2023/24",
                               250_000, "police.uk")),
        dump(metric_from_count("all_crime", "All crime", "01_recorded_crime", 20_000, 19_000, "2024/25", "2023/24",
                               250_000, "police.uk", comparators={"england": 75.0, "msg_average": 70.0})),
        dump(metric_from_count("rape", "Rape", "11_vulnerable_people", 3, 8, "2024/25", "2023/24", None, "flags",
                               disclosure_threshold=5)),
        dump(metric_from_proportion("feel_safe_after_dark", "Feel safe after dark", "04_perceptions",
                                    proportion(700, 1000), "2024/25", "survey")),
        {"id": "scorecard_red", "label": "Red", "chapter": "12_scorecard", "value": 2.0, "unit": "measures",
         "period": "2024/25", "source": "scorecard"},
    ]


def test_headline_metrics_put_all_crime_and_asb_first_then_each_chapters_lead_figure() -> None:
    chosen = [m["id"] for m in headline_metrics(_metrics(), load_registry().reading_chapters())]
    assert chosen == ["all_crime", "anti_social_behaviour", "burglary", "feel_safe_after_dark", "rape"]


def test_headline_table() -> None:
    table = sm.headline_table(_metrics(), load_registry())
    assert list(table.columns) == ["Measure", "Chapter", "Period", "Value", "Unit", "Rate", "Rate per", "Change (%)",
                                   "Change (percentage points)", "Verdict", "Comparison"]
    crime = table.iloc[0]
    assert crime["Chapter"] == "Recorded crime"
    assert crime["Value"] == 20_000 and crime["Change (%)"] == 5.3  # rounded once, to one place
    assert pd.isna(crime["Change (percentage points)"])
    assert crime["Rate"] == pytest.approx(80.0)
    assert crime["Comparison"].startswith("England: significantly higher; most similar group: significantly higher")
    rape = table.set_index("Measure").loc["Rape"]
    assert rape["Value"] is None and rape["Verdict"] == "suppressed"
    assert type(crime["Value"]) is int  # whole numbers published without a stray ".0"
    assert table.set_index("Measure").loc["Burglary", "Chapter"] == "Offence types"  # title from the name


def test_the_board_view_shows_each_change_with_its_unit_beside_its_verdict() -> None:
    """A percentage's change is in percentage points, a count's in percent, and a verdict is never
    shown without the change it judges (the share flagged domestic abuse read 'decrease' beside a
    blank 'Change (%)')."""
    feel_safe = metric_from_proportion("feel_safe_after_dark", "Feel safe after dark", "04_perceptions",
                                       proportion(700, 1000), "2024/25", "survey",
                                       previous=proportion(640, 1000), previous_period="2023/24").model_dump(mode="json")
    board = sm.board_view(sm.headline_table([*_metrics()[:5], feel_safe], load_registry()), "2024/25")
    assert list(board.columns) == ["Measure", "Figure", "Change", "Verdict"]
    rows = board.set_index("Measure")
    assert rows.loc["Feel safe after dark", "Change"] == "+6.0 percentage points"
    assert rows.loc["All crime", "Change"] == "+5.3%"
    assert rows.loc["ASB", "Change"] == "-10.0%"
    assert rows.loc["Rape", "Figure"] == "[c]"
    for _, row in board.iterrows():
        assert row["Change"] or row["Verdict"] in ("", None, "suppressed") or pd.isna(row["Verdict"]), row.to_dict()


def test_a_change_in_a_percentage_is_in_percentage_points_in_the_headline_table() -> None:
    feel_safe = metric_from_proportion("feel_safe_after_dark", "Feel safe after dark", "04_perceptions",
                                       proportion(700, 1000), "2024/25", "survey",
                                       previous=proportion(640, 1000), previous_period="2023/24").model_dump(mode="json")
    table = sm.headline_table([*_metrics()[:5], feel_safe], load_registry()).set_index("Measure")
    row = table.loc["Feel safe after dark"]
    assert row["Change (percentage points)"] == 6.0 and pd.isna(row["Change (%)"])  # 64% -> 70%, never "+9.4%"
    assert row["Value"] == 70.0
    assert sm.headline_sentence(feel_safe) == (
        "Feel safe after dark: 70.0% in 2024/25, +6.0 percentage points on 2023/24 (increase)."
    )


def test_headline_sentence_from_the_metric_fields() -> None:
    crime = next(m for m in _metrics() if m["id"] == "all_crime")
    text = sm.headline_sentence(crime)
    assert text == "All crime: 20,000 crimes in 2024/25, +5.3% on 2023/24 (increase)."
    rape = next(m for m in _metrics() if m["id"] == "rape")
    assert sm.headline_sentence(rape) is None


def test_chapter_link() -> None:
    assert sm.chapter_link("08_hate_crime", "Hate crime") == "[Hate crime](08_hate_crime.html)"


# --- run status and the sections ----------------------------------------------------------------


def write_run(output_dir: Path, notebooks: Path) -> None:
    """Fragments of a run in which 03_places failed before writing anything and 02 failed half-way."""
    notebooks.mkdir(parents=True, exist_ok=True)
    for name, title in (("01_recorded_crime", "# 1. Recorded crime"), ("02_offence_types", "# 2. Offence types"),
                        ("03_places", "# 3. Places"), ("08_hate_crime", "# 8. Hate crime"),
                        ("12_scorecard", "# 12. Scorecard"), ("00_summary", "# Executive summary")):
        failed = name in ("02_offence_types", "03_places")
        nb = {"cells": [{"cell_type": "markdown", "source": [title, "\n", "\n", "Intro."], "metadata": {}}],
              "metadata": {"papermill": {"exception": failed}}, "nbformat": 4, "nbformat_minor": 5}
        (notebooks / f"{name}.ipynb").write_text(json.dumps(nb))
    # the run's copy of the registry, as the bundle keeps it beside the executed notebooks
    (notebooks / "chapters.yaml").write_text(
        "chapters:\n"
        "  - {number: 0, slug: summary, title: Executive summary, kind: summary, phase: 3}\n"
        "  - {number: 1, slug: recorded_crime, title: Recorded crime, theme: crime}\n"
        "  - {number: 2, slug: offence_types, title: Offence types, theme: crime}\n"
        "  - {number: 3, slug: places, title: Places, theme: crime}\n"
        "  - {number: 8, slug: hate_crime, title: Hate crime, theme: vulnerable people}\n"
        "  - {number: 11, slug: vulnerable_people, title: Vulnerable people, theme: vulnerable people}\n"
        "  - {number: 12, slug: scorecard, title: Scorecard, phase: 2}\n"
    )
    (notebooks / "11_vulnerable_people.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    # one ChapterOutputs per chapter, as in a notebook (creating one clears that chapter's fragments)
    outs = {c: ChapterOutputs(output_dir, c) for c in
            ("01_recorded_crime", "02_offence_types", "08_hate_crime", "11_vulnerable_people", "12_scorecard")}
    for m in _metrics():
        if m["chapter"] in outs and m["chapter"] != "08_hate_crime":
            outs[m["chapter"]].metric(m)
    outs["01_recorded_crime"].finding("Crime rose by 5.3%.", display=False)
    outs["08_hate_crime"].finding("Hate crime fell.", display=False)
    outs["11_vulnerable_people"].finding("Domestic abuse rose.", display=False)
    outs["12_scorecard"].finding("One measure missed its target.", display=False)


def test_run_status_names_missing_and_failed_chapters(tmp_path: Path) -> None:
    write_run(tmp_path, tmp_path / "notebooks")
    status = sm.run_status(tmp_path, load_registry(tmp_path / "notebooks"))
    assert status.missing == ["03_places"]
    assert status.failed == ["02_offence_types", "03_places"]
    assert status.present == ["01_recorded_crime", "02_offence_types", "08_hate_crime", "11_vulnerable_people"]


def test_sections_on_a_run_with_a_failed_chapter(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_run(tmp_path, tmp_path / "notebooks")
    out = ChapterOutputs(tmp_path, sm.CHAPTER)
    sm.chapters_run(demo_ctx, out)
    assert any(t.startswith("**Missing chapters:** Places (03_places)") for t in out.said)
    assert any(t.startswith("**Incomplete chapters:** Offence types (02_offence_types)") for t in out.said)
    out.said.clear()
    sm.key_findings(demo_ctx, out)
    assert out.said[0].splitlines() == [  # the lead finding of each chapter, one list
        "- **[Recorded crime](01_recorded_crime.html):** Crime rose by 5.3%.",
        "- **[Hate crime](08_hate_crime.html):** Hate crime fell.",
        "- **[Vulnerable people](11_vulnerable_people.html):** Domestic abuse rose.",
        "- **[Scorecard](12_scorecard.html):** One measure missed its target.",
    ]
    out.said.clear()
    sm.headline_figures(demo_ctx, out)
    assert out.said == []  # the table alone: no sentence repeats its rows
    table = pd.read_csv(out.table_path("headline_figures"))
    assert table["Measure"].tolist() == ["All crime", "Burglary", "Rape"]  # the scorecard's counts left out
    out.said.clear()
    sm.priorities(demo_ctx, out)
    assert len([t for t in out.said if t.startswith("**Priority ")]) == len(demo_ctx.cfg.priorities)
    violence = next(t for t in out.said if "Reduce violence" in t)
    assert "Findings in [Recorded crime](01_recorded_crime.html) (1)." in violence
    vulnerable = next(t for t in out.said if "Protect vulnerable people" in t)
    assert "[Hate crime](08_hate_crime.html) (1), [Vulnerable people](11_vulnerable_people.html) (1)" in vulnerable
    assert not out.metrics_path.exists()  # the summary emits no metric


def test_sections_on_an_empty_run(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path / "empty", sm.CHAPTER)
    sm.key_findings(demo_ctx, out)
    sm.headline_figures(demo_ctx, out)
    assert out.said == ["*No chapter recorded a key finding in this run.*",
                        "*No chapter recorded a headline figure in this run.*"]


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_dir = tmp_path / "bundle"
    write_run(out_dir, out_dir / "notebooks")
    run = run_chapter("00_summary", demo_data, tmp_path)
    executed = run.notebook.read_text()
    assert "Missing chapters:** Places (03_places)" in executed
    assert "Hate crime fell." in executed
    assert "[Recorded crime](01_recorded_crime.html)" in executed
    assert (out_dir / "tables" / "00_summary__headline_figures.csv").exists()
    assert not (out_dir / "metrics" / "00_summary.json").exists()


# --- recommendations and the partners' accounts ---------------------------------------------------

RECOMMENDATIONS = """recommendations:
  - priority: 2
    recommendation: Run joint problem-solving <script>alert(1)</script> in the [busiest](javascript:alert(1)) wards.
    metrics: [burglary, asb_repeat_victims]
    lead: Council & <Police>
  - priority: Reduce violence, including domestic abuse and violence in the night-time economy
    recommendation: Extend the **night-time** patrols.
    metrics: [all_crime]
"""


def _with_partner_file(bare_ctx, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    folder = bare_ctx.raw_dir / "partner"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    ingest_partner_files(bare_ctx)  # partner files are read from the store, as after `assess ingest`


def _shown_html(section, ctx, out: ChapterOutputs) -> list[str]:  # type: ignore[no-untyped-def]
    """Run one section of the summary and return the HTML blocks it displayed."""
    import assess.report.display as display

    shown: list[str] = []
    original = display.display_html
    display.display_html = lambda html_text, plain: shown.append(html_text)  # type: ignore[assignment]
    try:
        section(ctx, out)
    finally:
        display.display_html = original
    return shown


def test_the_priorities_in_brief_count_each_priority_s_recommendations_and_name_their_leads(  # type: ignore[no-untyped-def]
        bare_ctx, tmp_path: Path) -> None:
    write_run(tmp_path, tmp_path / "notebooks")
    _with_partner_file(bare_ctx, "recommendations.yaml", RECOMMENDATIONS)
    out = ChapterOutputs(tmp_path, sm.CHAPTER)
    shown = _shown_html(sm.priorities_in_brief, bare_ctx, out)
    lines = out.said[0].splitlines()
    assert len(lines) == len(bare_ctx.cfg.priorities)
    assert lines[0].startswith("1. Reduce violence") and lines[0].endswith(" 1 recommendation.")  # it names no lead
    assert lines[1].endswith(" 1 recommendation, led by Council & <Police>.")
    assert lines[2].endswith(" No recommendation recorded.")
    page = "".join(shown)
    assert "led by Council &amp; &lt;Police&gt;." in page and "<Police>" not in page  # the partners' text is escaped
    assert f'href="#{sm.PRIORITIES_ANCHOR}"' in page


def test_without_recommendations_the_priorities_in_brief_list_the_priorities_alone(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_run(tmp_path, tmp_path / "notebooks")
    out = ChapterOutputs(tmp_path, sm.CHAPTER)
    sm.priorities_in_brief(bare_ctx, out)
    lines = out.said[0].splitlines()
    assert [line.split(". ", 1)[1] for line in lines] == [p.rstrip(".") + "." for p in bare_ctx.cfg.priorities]


def test_recommendations_sit_under_their_priority_beside_the_figures_they_rest_on(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_run(tmp_path, tmp_path / "notebooks")
    _with_partner_file(bare_ctx, "recommendations.yaml", RECOMMENDATIONS)
    out = ChapterOutputs(tmp_path, sm.CHAPTER)
    shown = _shown_html(sm.priorities, bare_ctx, out)
    said = out.said
    first = said.index(next(t for t in said if t.startswith("**Priority 1:")))
    assert said[first + 1].startswith("Recommendation 2: Extend the **night-time** patrols. Rests on: all_crime.")
    second = said.index(next(t for t in said if t.startswith("**Priority 2:")))
    assert "asb_repeat_victims (not produced by this run)" in said[second + 1]
    assert said[said.index(next(t for t in said if t.startswith("**Priority 3:"))) + 1] == (
        "*The partnership has recorded no recommendation under this priority.*")
    page = "".join(shown)
    assert "All crime: 20,000 crimes in 2024/25, +5.3% on 2023/24 (increase)." in page  # the figure it rests on
    assert '<a href="01_recorded_crime.html">Recorded crime</a>' in page
    assert "<strong>Warning:</strong> cites the metric <code>asb_repeat_victims</code>, which no chapter of this run produced" in page
    assert "<script" not in page and 'href="javascript' not in page and "&lt;script&gt;" in page
    assert "Lead: Council &amp; &lt;Police&gt;." in page
    notes = json.loads(out.catalogue_path.read_text())["notes"]
    assert notes == ["Recommendations citing metrics that this run did not produce: recommendation 1 (asb_repeat_victims). "
                     "Check the ids against metrics.json."]


def test_without_recommendations_the_summary_says_none_are_recorded(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_run(tmp_path, tmp_path / "notebooks")
    out = ChapterOutputs(tmp_path, sm.CHAPTER)
    sm.priorities(bare_ctx, out)
    assert out.said[-1].startswith("*The partnership has not yet recorded any recommendations. They are written in "
                                   "`partner/recommendations.yaml`")
    assert not any("Recommendation" in t for t in out.said[:-1])


def test_a_recommendation_under_no_configured_priority_is_an_error(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assess.errors import InputError

    write_run(tmp_path, tmp_path / "notebooks")
    _with_partner_file(bare_ctx, "recommendations.yaml", RECOMMENDATIONS.replace("priority: 2", "priority: 9"))
    with pytest.raises(InputError, match=r"recommendations\.yaml, row 2, column 'priority': priority 9 is not one of the 5"):
        sm.priorities(bare_ctx, ChapterOutputs(tmp_path, sm.CHAPTER))


def test_the_summary_lists_the_chapters_that_carry_an_account(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    write_run(tmp_path, tmp_path / "notebooks")
    out = ChapterOutputs(tmp_path, sm.CHAPTER)
    sm.partner_accounts(bare_ctx, out)
    assert out.said == ["*The partners have written no account of any chapter or topic. An account is a Markdown file "
                        "in `partner/narrative/` named after its chapter or topic (see data/raw/README.md).*"]
    folder = bare_ctx.raw_dir / "partner" / "narrative"
    folder.mkdir(parents=True)
    for name in ("11_vulnerable_people", "cuckooing", "06_young_people"):
        (folder / f"{name}.md").write_text("---\nauthor: Police <b>\ndate: 2025-05-14\n---\nText.\n", encoding="utf-8")
    vulnerable = ChapterOutputs(tmp_path, "11_vulnerable_people")  # as the chapter shows them
    vulnerable.account("cuckooing", "Text.", author="Police <b>", date=dt.date(2025, 5, 14), level=4, display=False)
    vulnerable.account("11_vulnerable_people", "Text.", author="Council", date=dt.date(2025, 5, 1), display=False)
    out = ChapterOutputs(tmp_path, sm.CHAPTER)
    shown = _shown_html(sm.partner_accounts, bare_ctx, out)
    page = shown[0]
    assert ('<li><a href="11_vulnerable_people.html#partners-account">Vulnerable people</a> (written by Council, 1 May 2025); '
            'and on its topics: <a href="11_vulnerable_people.html#partners-account-cuckooing">Cuckooing</a> '
            "(written by Police &lt;b&gt;, 14 May 2025)</li>") in page
    assert "<strong>Not shown:</strong> the accounts 06_young_people.md were written" in page
    (folder / "06_youth.md").write_text("---\nauthor: x\ndate: 2025-05-14\n---\nText.\n", encoding="utf-8")
    from assess.errors import InputError

    with pytest.raises(InputError, match=r"06_youth\.md: '06_youth' is neither a chapter nor a topic"):
        sm.partner_accounts(bare_ctx, ChapterOutputs(tmp_path, sm.CHAPTER))
