"""Chapter 11 (vulnerable people): domestic abuse and its share of violence, MARAC, sexual offences
against the most-similar group, missing and exploited people; absent data; the notebook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import flags_frame, ingest_partner_files, run_chapter

from assess.chapters import vulnerable_people as vp
from assess.periods import financial_year_series
from assess.report.outputs import ChapterOutputs

OWNED = {
    "domestic_abuse", "domestic_violence_share", "high_risk_domestic_abuse", "rape", "other_sexual_offences",
    "sexual_offences_rate", "missing_person_child", "missing_person_adult", "child_sexual_exploitation",
}


def street_frame(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """police.uk records: ``count`` rows of ``category`` in ``month``."""
    records = [(m, c) for m, c, n in rows for _ in range(n)]
    df = pd.DataFrame(records, columns=["month", "category"]).astype("string")
    df["financial_year"] = financial_year_series(df["month"])
    return df


# --- pure computations --------------------------------------------------------------------------


def test_domestic_share_uses_the_months_both_sources_hold() -> None:
    flags = flags_frame([
        ("2023-04", "domestic_violence", 30), ("2023-05", "domestic_violence", 20),
        ("2024-04", "domestic_violence", 40), ("2024-05", "domestic_violence", 99),  # police.uk lacks 2024-05
    ])
    street = street_frame([
        ("2023-04", vp.VIOLENCE_CATEGORY, 100), ("2023-05", vp.VIOLENCE_CATEGORY, 100),
        ("2024-04", vp.VIOLENCE_CATEGORY, 100), ("2024-04", "Burglary", 50),
    ])
    table = vp.domestic_share_table(flags, street, "2024/25")
    assert table["financial_year"].tolist() == ["2023/24", "2024/25"]
    assert table["months"].tolist() == [2, 1]
    assert table["domestic_violence"].tolist() == [50, 40]
    assert table["violence_and_sexual_offences"].tolist() == [200, 100]
    assert table["share"].tolist() == pytest.approx([0.25, 0.40])
    assert (table["lower"] < table["share"]).all() and (table["upper"] > table["share"]).all()


def test_share_of_refuses_a_part_larger_than_the_whole() -> None:
    assert vp.share_of(5, 4) is None
    assert vp.share_of(1, 4).value == pytest.approx(0.25)  # type: ignore[union-attr]


def test_share_trend_models_the_flagged_count_per_violent_crime() -> None:
    steady = pd.DataFrame({"domestic_violence": [100, 200, 400], "violence_and_sexual_offences": [1000, 2000, 4000]})
    assert vp.share_trend(steady).verdict == "no significant trend"  # type: ignore[union-attr]
    rising = pd.DataFrame({"domestic_violence": [100, 200, 400], "violence_and_sexual_offences": [1000, 1000, 1000]})
    assert vp.share_trend(rising).verdict == "rising"  # type: ignore[union-attr]
    assert vp.share_trend(rising.iloc[:2]) is None


def test_flags_table_lists_present_flags_and_hides_small_changes() -> None:
    flags = flags_frame([
        ("2023-04", "missing_person_child", 30), ("2024-04", "missing_person_child", 45),
        ("2023-04", "child_sexual_exploitation", 3), ("2024-04", "child_sexual_exploitation", 8),
    ])
    table = vp.flags_table(flags, vp.MISSING_AND_EXPLOITED, "2024/25", "2023/24", threshold=5)
    assert table["measure"].tolist() == [vp.MISSING_CHILD.label, vp.CSE.label]
    assert table["change_percent"].iloc[0] == pytest.approx(50.0)
    assert pd.isna(table["change_percent"].iloc[1]) and table["verdict"].iloc[1] == ""


def test_population_of_children_and_adults(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    children = vp.population_of(demo_ctx, "children")
    adults = vp.population_of(demo_ctx, "adults")
    assert children and adults
    assert children + adults == pytest.approx(demo_ctx.population)


# --- sections on the demo data ------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(demo_ctx, tmp_path_factory):  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path_factory.mktemp("vp"), vp.CHAPTER, demo_ctx.cfg.suppression_threshold)
    for section in (vp.domestic_abuse, vp.domestic_violence_share, vp.high_risk_domestic_abuse,
                    vp.sexual_offences, vp.missing_and_exploited):
        section(demo_ctx, out)
    return out


def test_every_owned_metric_is_emitted_once(published) -> None:  # type: ignore[no-untyped-def]
    ids = [m["id"] for m in json.loads(published.metrics_path.read_text())]
    assert sorted(ids) == sorted(OWNED)


def test_domestic_abuse_metric_agrees_with_the_flags(demo_ctx, published) -> None:  # type: ignore[no-untyped-def]
    flags = demo_ctx.partner("force_flags")
    expected = int(flags.loc[(flags["flag"] == "domestic_abuse") & (flags["financial_year"] == demo_ctx.year), "count"].sum())
    metrics = {m["id"]: m for m in json.loads(published.metrics_path.read_text())}
    da = metrics["domestic_abuse"]
    assert da["value"] == expected
    assert da["rate"] == pytest.approx(1000 * expected / demo_ctx.population)
    marac = metrics["high_risk_domestic_abuse"]
    assert marac["rate_per"] == 10_000 and "adults" in marac["note"]


def test_domestic_share_metric_is_a_percentage_with_its_interval(published) -> None:  # type: ignore[no-untyped-def]
    share = next(m for m in json.loads(published.metrics_path.read_text()) if m["id"] == "domestic_violence_share")
    table = pd.read_csv(published.table_path("domestic_violence_share"))
    assert share["unit"] == "%"
    assert share["value"] == pytest.approx(table["Share (%)"].iloc[-1], abs=0.05)
    low, high = share["interval"]
    assert low < share["value"] < high
    assert share["verdict"] in ("increase", "decrease", "no significant change")


def test_sexual_offences_rate_is_set_against_the_most_similar_group(demo_ctx, published) -> None:  # type: ignore[no-untyped-def]
    m = next(m for m in json.loads(published.metrics_path.read_text()) if m["id"] == "sexual_offences_rate")
    assert set(m["comparators"]) == {"england", "msg_average"}
    assert set(m["comparison_verdicts"]) == {"england", "msg_average"}
    # both comparisons allow for the variation between areas (Spiegelhalter's funnel), and say so
    assert all(v.startswith("funnel-") for v in m["comparison_methods"].values())
    assert set(m["comparison_dispersion"]) == {"england", "msg_average"}
    group = pd.read_csv(published.table_path("sexual_offences_group"))
    assert set(demo_ctx.cfg.most_similar_group) | {demo_ctx.cfg.name} == set(group["Partnership"])
    # rounded once, to the place every surface shows (metrics.json's display value)
    assert f'{group.loc[group["This partnership"], "Rate per 1,000"].iloc[0]:.1f}' == m["display"]["value"]
    assert any("most similar group" in f for f in json.loads(published.findings_path.read_text()))


def test_missing_and_exploited_table(published) -> None:  # type: ignore[no-untyped-def]
    table = pd.read_csv(published.table_path("missing_and_exploited"))
    assert table["Measure"].tolist() == [vp.MISSING_CHILD.label, vp.MISSING_ADULT.label, vp.CSE.label]


# --- absent data --------------------------------------------------------------------------------


def test_every_section_says_so_when_the_flags_are_absent(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path / "out", vp.CHAPTER)
    for section in (vp.domestic_abuse, vp.domestic_violence_share, vp.high_risk_domestic_abuse, vp.missing_and_exploited):
        section(bare_ctx, out)
    assert len(out.said) == 4 and all(t.startswith("*No data on") for t in out.said)
    assert not out.metrics_path.exists()


def test_sexual_offences_without_home_office_csp_tables_say_so_and_use_the_flags(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    no_csp = dataclasses.replace(demo_ctx)
    no_csp.recorded_crime = demo_ctx.recorded_crime[demo_ctx.recorded_crime["csp_name"].isna()]  # force-level rows only
    out = ChapterOutputs(tmp_path, vp.CHAPTER, demo_ctx.cfg.suppression_threshold)
    vp.sexual_offences(no_csp, out)
    assert any("Comparisons with other partnerships are not shown" in t for t in out.said)
    metrics = {m["id"]: m for m in json.loads(out.metrics_path.read_text())}
    rate = metrics["sexual_offences_rate"]
    total = metrics["rape"]["value"] + metrics["other_sexual_offences"]["value"]
    assert rate["value"] == pytest.approx(1000 * total / demo_ctx.population)
    assert rate["comparators"] == {}
    assert not out.table_path("sexual_offences_group").exists()
    # last year's rate, from the flags too, divides by last year's estimate (recorded beside it)
    assert rate["previous_denominator"]["value"] == vp.common.residents(demo_ctx, demo_ctx.previous_year).value
    assert rate["previous_value"] == pytest.approx(
        1000 * rate["previous_numerator"] / rate["previous_denominator"]["value"])


# --- the safeguarding topics with few public figures ---------------------------------------------

TOPICS_CSV = """topic,financial_year,measure,count,source
cuckooing,2022/23,cuckooing_addresses,18,Register <b>
cuckooing,2023/24,cuckooing_addresses,35,Register <b>
cuckooing,2024/25,cuckooing_addresses,32,Register <b>
cuckooing,2025/26,cuckooing_addresses,9,Register <b>
cuckooing,2023/24,cuckooing_closure_orders,2,Council
cuckooing,2024/25,cuckooing_closure_orders,7,Council
prevent,2024/25,prevent_referrals,3,Council
"""
ACCOUNT = "---\nauthor: Wessex Police\ndate: 2025-05-14\n---\nCuckooing is the taking over of a home. <script>x</script>\n"


def _partner(ctx, name: str, text: str, *, ingest: bool = True) -> None:  # type: ignore[no-untyped-def]
    path = ctx.raw_dir / "partner" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if ingest:
        ingest_partner_files(ctx)  # partner tables are read from the store, as after `assess ingest`


def test_topic_rows_keep_the_years_up_to_the_assessment_and_name_later_ones(tmp_path: Path) -> None:
    from assess.sources.partner import read_safeguarding_topics

    (tmp_path / "t.csv").write_text(TOPICS_CSV, encoding="utf-8")
    topics = read_safeguarding_topics(tmp_path / "t.csv")
    rows, later = vp.topic_rows(topics, "cuckooing", "2024/25")
    assert later == ["2025/26"] and len(rows) == 5
    table = vp.topic_table(rows, "cuckooing")
    assert table.columns.tolist() == ["Measure", "2022/23", "2023/24", "2024/25"]
    assert table["Measure"].tolist() == ["Addresses identified as cuckooed", "Closure orders granted on cuckooed addresses"]
    assert table["2022/23"].tolist()[0] == 18 and pd.isna(table["2022/23"].iloc[1])  # no count is not a zero
    assert vp.topic_rows(None, "prevent", "2024/25")[0].empty


def test_a_topic_with_counts_and_an_account(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _partner(bare_ctx, "safeguarding_topics.csv", TOPICS_CSV)
    _partner(bare_ctx, "narrative/cuckooing.md", ACCOUNT)
    out = ChapterOutputs(tmp_path / "out", vp.CHAPTER, 5)
    vp.safeguarding_topic(bare_ctx, out, "cuckooing")
    published = pd.read_csv(out.table_path("topic_cuckooing"), dtype=str, keep_default_na=False)
    assert published.to_dict("list") == {
        "Measure": ["Addresses identified as cuckooed", "Closure orders granted on cuckooed addresses"],
        "2022/23": ["18", ""], "2023/24": ["35", "[c]"], "2024/25": ["32", "7"],
    }
    catalogue = json.loads(out.catalogue_path.read_text())
    caption = catalogue["tables"][0]["caption"]
    assert "as the partners counted them (partner figures, not computed from published data)" in caption
    assert "Source: Council; Register <b> (partner file safeguarding_topics.csv)" in caption
    assert catalogue["notes"] == ["The partner file safeguarding_topics.csv also holds counts on cuckooing for 2025/26, "
                                  "after 2024/25; they are not shown in this assessment."]
    assert out.said == [
        "Addresses identified as cuckooed (2023/24 to 2024/25) fell by 8.6% (from 35 to 32), not a statistically "
        "significant change.",
        "Closure orders granted on cuckooed addresses: 7 in 2024/25, against fewer than 5 in 2023/24.",
    ]
    assert catalogue["accounts"] == [{"name": "cuckooing", "anchor": "partners-account-cuckooing", "author": "Wessex Police",
                                      "date": "2025-05-14", "title": None, "file": "partner/narrative/cuckooing.md"}]


def test_a_topic_with_an_account_alone_with_counts_alone_and_with_neither(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _partner(bare_ctx, "safeguarding_topics.csv", TOPICS_CSV)
    _partner(bare_ctx, "narrative/modern_slavery.md", ACCOUNT)
    out = ChapterOutputs(tmp_path / "out", vp.CHAPTER, 5)
    vp.safeguarding_topic(bare_ctx, out, "modern_slavery")
    assert out.said == ["The partners supplied no counts on trafficking and modern slavery (`partner/safeguarding_topics.csv`), "
                        "so this section has no figures of its own: only the partners' account."]
    out.said.clear()
    vp.safeguarding_topic(bare_ctx, out, "prevent")
    assert out.said == ["Referrals to Prevent: fewer than 5 in 2024/25 (too few to publish).",
                        "*The partners have written no account of Prevent (`partner/narrative/prevent.md`).*"]
    assert pd.read_csv(out.table_path("topic_prevent"))["2024/25"].tolist() == ["[c]"]
    out.said.clear()
    vp.safeguarding_topic(bare_ctx, out, "female_genital_mutilation")
    assert out.said == [
        "*Nothing is known in this assessment about female genital mutilation in Wessex Vale: no public body publishes "
        "figures on it for a single partnership, and the partners supplied neither counts (`partner/safeguarding_topics.csv`) "
        "nor an account (`partner/narrative/female_genital_mutilation.md`). Whether it is rising, falling or absent cannot "
        "be said from this report; see data/raw/README.md to supply either.*"]
    assert not out.table_path("topic_female_genital_mutilation").exists()
    with pytest.raises(KeyError, match="unknown safeguarding topic 'fgm'"):
        vp.safeguarding_topic(bare_ctx, out, "fgm")


def test_a_topic_s_broken_account_is_an_error(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assess.errors import InputError

    _partner(bare_ctx, "narrative/cuckooing.md", ACCOUNT.replace("date: 2025-05-14", "date: 14 May"), ingest=False)
    with pytest.raises(InputError, match=r"cuckooing\.md, row 3, column 'date'"):  # ingest refuses it first
        ingest_partner_files(bare_ctx)
    with pytest.raises(InputError, match=r"cuckooing\.md, row 3, column 'date'"):  # and so does the chapter
        vp.safeguarding_topic(bare_ctx, ChapterOutputs(tmp_path / "out", vp.CHAPTER), "cuckooing")


def test_the_notebook_has_a_section_for_every_topic_in_order() -> None:
    from conftest import ROOT

    from assess.vocabulary import SAFEGUARDING_TOPICS

    cells = json.loads((ROOT / "notebooks" / "11_vulnerable_people.ipynb").read_text(encoding="utf-8"))["cells"]
    headings = [c["source"][0] for c in cells if c["cell_type"] == "markdown" and c["source"][0].startswith("### ")]
    assert headings == [f"### {t}" for t in SAFEGUARDING_TOPICS.values()]
    calls = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert [c for c in calls if "safeguarding_topic(" in c] == [
        f'vulnerable_people.safeguarding_topic(ctx, out, "{t}")' for t in SAFEGUARDING_TOPICS]
    assert calls[-1] == "common.partner_narrative(ctx, out)"


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter("11_vulnerable_people", demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} == OWNED | {"domestic_abuse_rate", "violence_admissions_rate"}
    assert len(run.findings) >= 3
    assert (run.output_dir / "figures" / "11_vulnerable_people__domestic_violence_share.png").exists()
    for topic in ("missing_children", "child_exploitation", "modern_slavery", "cuckooing"):  # the demo's counts
        assert (run.output_dir / "tables" / f"11_vulnerable_people__topic_{topic}.csv").exists()
    executed = run.notebook.read_text(encoding="utf-8")
    assert "Nothing is known in this assessment about female genital mutilation" in executed
    accounts = json.loads((run.output_dir / "catalogue" / "11_vulnerable_people.json").read_text())["accounts"]
    assert [a["name"] for a in accounts] == ["missing_children", "child_exploitation", "cuckooing", "prevent",
                                             "11_vulnerable_people"]
