"""Chapters 6, 9, 10 and 11 from public statistics (issue 10 item 4): the MHCLG rough sleeping
snapshot, Fingertips indicators and ONS populations, with England (and the region) beside them,
with or without the partner files; on small frames, the demo and the real files of ../shared/data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_sections

from assess.chapters import begging_rough_sleeping as rough
from assess.chapters import drugs_alcohol, vulnerable_people, young_people
from assess.config import Area
from assess.measure import indicators as ind
from assess.measure.context import AssessmentContext

SOUTHAMPTON = "E06000045"


def _metrics(out) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {m["id"]: m for m in json.loads(out.metrics_path.read_text())} if out.metrics_path.exists() else {}


# --- chapter 9: the published rough sleeping snapshot ---------------------------------------------------
def _snapshot(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["area_code", "area_name", "area_type", "region_name", "year", "rough_sleepers",
                                     "households_thousands", "rate_per_1000_households"])
    df["source_file"] = "tables.xlsx"
    return df.astype({"year": "Int64", "rough_sleepers": "Int64"})


SMALL = _snapshot([
    ("E92000001", "England", "country", None, 2016, 4134, 22_700.0, 0.18),
    ("E92000001", "England", "country", None, 2017, 4751, 23_460.0, 0.2025),
    ("E12000008", "South East", "region", None, 2017, 915, 3_700.0, 0.25),
    ("E06000001", "Alpha", "la", "South East", 2016, 23, 103.3, 0.2227),
    ("E06000001", "Alpha", "la", "South East", 2017, 29, 104.3, 0.278),
    ("E06000002", "Beta", "la", "South East", 2017, 5, 50.0, 0.1),
    ("E06000003", "Gamma", "la", "South East", 2017, 40, 80.0, 0.5),
    ("E06000004", "Delta", "la", "South East", 2017, 2, 60.0, 0.0333),
    ("E06000004", "Delta", "la", "South East", 2016, 3, None, None),
])


def test_published_series_sums_the_areas_and_recomputes_the_rate() -> None:
    one = rough.published_series(SMALL, ["E06000001"])
    assert one["year"].tolist() == [2016, 2017]
    assert one["rough_sleepers"].tolist() == [23, 29]
    assert one["households"].tolist() == [103_300.0, 104_300.0]
    assert one["rate_per_1000_households"].tolist() == pytest.approx([23 / 103.3, 29 / 104.3])
    assert one["published_rate"].tolist() == [0.2227, 0.278]
    two = rough.published_series(SMALL, ["E06000001", "E06000004"])
    assert two["rough_sleepers"].tolist() == [26, 31]
    assert pd.isna(two["households"].iloc[0])  # Delta has no households in 2016: no rate for the pair
    assert pd.isna(two["published_rate"]).all()  # a published rate belongs to one area
    assert rough.published_series(SMALL, ["E06000009"]).empty


def test_the_region_is_found_by_the_name_the_authorities_give() -> None:
    assert rough.region_code(SMALL, ["E06000001"]) == "E12000008"
    assert rough.region_code(SMALL, ["E06000009"]) is None
    assert len(rough.authorities_of(SMALL, 2017)) == 4
    assert len(rough.authorities_of(SMALL, 2017, "E12000008")) == 4


def test_the_comparison_allows_for_the_spread_of_authorities() -> None:
    rate = rough.rough_sleeping_rate(29, 104_300)
    comparison = rough.compare_with_area(SMALL, rate, 2017, 0.2025)
    assert comparison.verdict in {"similar", "significantly higher", "significantly lower"}
    assert comparison.method_id.startswith("funnel-")  # four authorities: the funnel, not PHE's test
    few = rough.compare_with_area(SMALL[SMALL["area_code"] != "E06000003"].iloc[:5], rate, 2017, 0.2025)
    assert not hasattr(few, "method_id")  # fewer than three authorities: PHE's test


def test_published_section_on_the_demo_beside_the_partner_file(demo_ctx: AssessmentContext, tmp_path: Path) -> None:
    out = run_sections(rough, ["published_rough_sleeping"], dataclasses.replace(demo_ctx), tmp_path)
    m = _metrics(out)["rough_sleepers_published"]
    snap = demo_ctx.rough_sleeping_snapshot
    local = snap[(snap["area_code"].isin(demo_ctx.cfg.lad_codes)) & (snap["year"] == 2024)]
    england = snap[(snap["area_code"] == "E92000001") & (snap["year"] == 2024)].iloc[0]
    assert m["value"] == int(local["rough_sleepers"].sum())
    assert m["comparators"]["England"] == pytest.approx(england["rough_sleepers"] / england["households_thousands"])
    assert set(m["comparators"]) == {"England", "South West"}
    assert m["numerator"] == m["value"]
    assert m["rate"] == pytest.approx(m["numerator"] / m["denominator"]["value"] * 1000)
    assert m["denominator"]["unit"] == "households" and m["denominator"]["period"] == "2024"
    text = " ".join(out.said)
    assert "partner data" in text and "England's" in text
    table = pd.read_csv(out.table_path("rough_sleeping_published"))
    assert "England rate_per_1000_households" in table.columns


def test_published_section_without_the_partner_file(bare_ctx: AssessmentContext, tmp_path: Path) -> None:
    out = run_sections(rough, ["rough_sleeping", "published_rough_sleeping"], bare_ctx, tmp_path)
    metrics = _metrics(out)
    assert set(metrics) == {"rough_sleepers_published"}  # the partner section says it has no file
    assert "partner data" not in " ".join(out.said[1:])


def test_published_section_says_which_file_is_missing(bare_ctx: AssessmentContext, tmp_path: Path) -> None:
    bare_ctx.__dict__["rough_sleeping_snapshot"] = bare_ctx.rough_sleeping_snapshot.iloc[:0]
    out = run_sections(rough, ["published_rough_sleeping"], bare_ctx, tmp_path)
    assert "Rough sleeping snapshot in England: autumn 2024" in out.said[0] and not _metrics(out)


@pytest.fixture(scope="module")
def real_snapshot(shared_data: Path) -> pd.DataFrame:
    from assess.sources.rough_sleeping import combine_editions, read_rough_sleeping

    folder = shared_data / "rough_sleeping"
    return combine_editions([read_rough_sleeping(p) for p in sorted(folder.iterdir())])


def _southampton(ctx: AssessmentContext, year: str, snapshot: pd.DataFrame) -> AssessmentContext:
    cfg = ctx.cfg.model_copy(update={"name": "Southampton", "code": "E22000120", "synthetic": False,
                                     "local_authorities": [Area(code=SOUTHAMPTON, name="Southampton")]})
    real = dataclasses.replace(ctx, cfg=cfg, year=year)
    real.__dict__["rough_sleeping_snapshot"] = snapshot
    return real


@pytest.mark.real
def test_southampton_rough_sleeping_from_the_real_tables(real_snapshot: pd.DataFrame) -> None:
    series = rough.published_series(real_snapshot, [SOUTHAMPTON]).set_index("year")
    assert series.loc[2016, "rough_sleepers"] == 23 and series.loc[2017, "rough_sleepers"] == 29
    assert series.loc[2016, "rate_per_1000_households"] == pytest.approx(0.2227, abs=5e-5)
    assert series.loc[2016, "published_rate"] == pytest.approx(0.2227, abs=5e-5)
    england = rough.published_series(real_snapshot, ["E92000001"]).set_index("year")
    assert england.loc[2016, "rough_sleepers"] == 4134
    assert england.loc[2016, "rate_per_1000_households"] == pytest.approx(0.18, abs=5e-3)
    assert england.loc[2017, "rough_sleepers"] == 4751


@pytest.mark.real
def test_southampton_chapter_section_on_the_real_tables(bare_ctx: AssessmentContext, real_snapshot: pd.DataFrame,
                                                        tmp_path: Path) -> None:
    ctx = _southampton(bare_ctx, "2017/18", real_snapshot)
    out = run_sections(rough, ["published_rough_sleeping"], ctx, tmp_path)
    m = _metrics(out)["rough_sleepers_published"]
    assert (m["value"], m["previous_value"], m["period"], m["previous_period"]) == (29, 23, "2017", "2016")
    assert m["rate"] == pytest.approx(0.278, abs=5e-4)
    assert m["previous_rate"] == pytest.approx(0.2227, abs=5e-5)
    assert m["comparators"]["England"] == pytest.approx(0.2025, abs=5e-4)
    assert "South East" in m["comparators"]
    text = " ".join(out.said)
    assert "29 people were sleeping rough in Southampton" in text and "England's, 0.20 per 1,000" in text
    earlier = run_sections(rough, ["published_rough_sleeping"], _southampton(bare_ctx, "2016/17", real_snapshot),
                           tmp_path / "2016")
    assert _metrics(earlier)["rough_sleepers_published"]["value"] == 23
    assert _metrics(earlier)["rough_sleepers_published"]["comparators"]["England"] == pytest.approx(0.18, abs=5e-3)


# --- Fingertips indicators (chapters 6, 10, 11) ---------------------------------------------------------


def _indicator_rows(indicator_id: int, rows: list[tuple]) -> pd.DataFrame:
    """(area_code, area_type, headline, period, start, end, value, lower, upper, count, denominator, vs England)."""
    df = pd.DataFrame(rows, columns=["area_code", "area_type", "is_headline", "time_period", "period_start",
                                     "period_end", "value", "lower_ci_95", "upper_ci_95", "count", "denominator",
                                     "compared_to_england"])
    df.insert(0, "indicator_id", indicator_id)
    df["indicator_name"] = "An indicator"
    df["area_name"] = df["area_code"].map({"E06000001": "Alpha", "E92000001": "England", "E12000008": "South East"})
    df["parent_code"] = None
    df["compared_to_region"] = None
    df["source_file"] = "fingertips-x.data.csv"
    for c in ("period_start", "period_end"):
        df[c] = pd.to_datetime(df[c])
    return df


FTE_ID = ind.listed_indicator("first_time_entrants_rate")[0]
FTE = _indicator_rows(FTE_ID, [
    ("E92000001", "Country", True, "2016", "2016-01-01", "2016-12-31", 400.0, 395.0, 405.0, 20000, 5_000_000, None),
    ("E92000001", "Country", True, "2017", "2017-01-01", "2017-12-31", 300.0, 295.0, 305.0, 15000, 5_000_000, None),
    ("E92000001", "Country", False, "2017", "2017-01-01", "2017-12-31", 900.0, None, None, 900, 100_000, None),
    ("E12000008", "Region", True, "2017", "2017-01-01", "2017-12-31", 280.0, 270.0, 290.0, 2800, 1_000_000, None),
    ("E06000001", "County & UA", True, "2015", "2015-01-01", "2015-12-31", 520.0, 430.0, 620.0, 104, 20_000, "Worse"),
    ("E06000001", "County & UA", True, "2016", "2016-01-01", "2016-12-31", 500.0, 410.0, 600.0, 100, 20_000, "Worse"),
    ("E06000001", "County & UA", True, "2017", "2017-01-01", "2017-12-31", 350.0, 280.0, 430.0, 70, 20_000, "Similar"),
    ("E06000001", "County & UA", True, "2018", "2018-01-01", "2018-12-31", 200.0, 150.0, 260.0, 40, 20_000, "Better"),
])


def test_fingertips_periods_become_metric_periods() -> None:
    ts = pd.Timestamp
    assert ind.metric_period(ts("2016-01-01"), ts("2016-12-31")) == "2016"
    assert ind.metric_period(ts("2016-04-01"), ts("2017-03-31")) == "2016/17"
    assert ind.metric_period(ts("2014-01-01"), ts("2016-12-31")) == "2014 to 2016"
    assert ind.metric_period(ts("2019-04-01"), ts("2022-03-31")) == "2019/20 to 2021/22"


def test_the_figure_of_a_year_is_the_latest_period_ending_by_its_end() -> None:
    local = ind.headline_series(FTE, FTE_ID, "E06000001")
    assert local["time_period"].tolist() == ["2015", "2016", "2017", "2018"]
    assert ind.period_of_year(local, "2017/18")["time_period"] == "2017"  # 2018 ends after March 2018
    assert ind.period_of_year(local, "2014/15") is None


def test_a_published_crude_rate_is_compared_with_england_and_the_region_of_the_same_period() -> None:
    figure = ind.published_indicator(FTE, "first_time_entrants_rate", "E06000001", "2017/18")
    assert figure is not None
    assert (figure.period, figure.local.value, figure.local.lower, figure.local.upper) == ("2017", 350.0, 280.0, 430.0)
    assert figure.comparators == {"England": 300.0, "South East": 280.0}
    assert figure.verdict("England") == "similar"  # 300 inside 280-430: the published limits decide
    assert figure.published_verdicts["England"] == "Similar"
    assert figure.previous_period == "2016" and figure.previous is not None and figure.previous.value == 500.0
    m = ind.indicator_metric(figure, "06_young_people", "FTE")
    assert m.value == 350.0 and m.interval == (280.0, 430.0)  # as published, not recomputed
    assert m.comparators == {"England": 300.0, "South East": 280.0}
    assert m.verdict == "decrease" and m.method_id == "exact-conditional-poisson"  # 100 -> 70 of 20,000
    assert m.numerator == 70 and m.denominator is not None and m.denominator.value == 20_000
    assert m.value == pytest.approx(m.numerator / m.denominator.value * 100_000)
    assert m.period == "2017" and m.previous_period == "2016"


def test_an_age_standardised_rate_is_not_tested_for_change_and_says_so() -> None:
    deaths_id = ind.listed_indicator("drug_misuse_deaths_rate")[0]
    rows = FTE.assign(indicator_id=deaths_id)
    figure = ind.published_indicator(rows, "drug_misuse_deaths_rate", "E06000001", "2017/18")
    assert figure is not None and not figure.kind.crude
    m = ind.indicator_metric(figure, "10_drugs_alcohol", "Deaths")
    assert m.previous_value == 500.0 and m.change_absolute == -150.0 and m.verdict is None
    assert "cannot be recomputed" in (m.note or "")
    assert m.comparison_verdicts["England"] == "similar"


def test_no_figure_without_the_indicator_or_its_limits() -> None:
    assert ind.published_indicator(FTE.iloc[:0], "first_time_entrants_rate", "E06000001", "2017/18") is None
    no_limits = FTE.assign(lower_ci_95=float("nan"))
    assert ind.published_indicator(no_limits, "first_time_entrants_rate", "E06000001", "2017/18") is None


PUBLISHED = {
    young_people: (["published_first_time_entrants"], {"first_time_entrants_rate": "first_time_entrants_published"}),
    drugs_alcohol: (["published_drug_deaths", "published_alcohol_admissions"],
                    {"drug_misuse_deaths_rate": "drug_misuse_deaths_published",
                     "alcohol_admissions_rate": "alcohol_admissions_published"}),
    vulnerable_people: (["published_domestic_abuse", "published_violence_admissions"],
                        {"domestic_abuse_rate": "domestic_abuse_published",
                         "violence_admissions_rate": "violence_admissions_published"}),
}


@pytest.mark.parametrize("chapter", list(PUBLISHED), ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_published_indicator_sections_on_the_demo(chapter, demo_ctx: AssessmentContext, bare_ctx: AssessmentContext,
                                                  tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sections, expected = PUBLISHED[chapter]
    indicators = demo_ctx.indicators
    for ctx, where in ((dataclasses.replace(demo_ctx), "with"), (bare_ctx, "without")):
        out = run_sections(chapter, sections, ctx, tmp_path / where)
        metrics = _metrics(out)
        assert set(metrics) == set(expected)
        for metric_id, table_name in expected.items():
            m = metrics[metric_id]
            indicator_id = ind.listed_indicator(metric_id)[0]
            local = ind.headline_series(indicators, indicator_id, demo_ctx.cfg.lad_codes[0])
            england = ind.headline_series(indicators, indicator_id, "E92000001").set_index("time_period")
            last = local.iloc[-1]
            assert m["value"] == pytest.approx(last["value"])
            assert m["interval"] == pytest.approx([last["lower_ci_95"], last["upper_ci_95"]])
            assert m["comparators"]["England"] == pytest.approx(england.loc[last["time_period"], "value"])
            assert m["numerator"] == last["count"] and m["denominator"]["value"] == last["denominator"]
            table = pd.read_csv(out.table_path(table_name))
            assert "England value" in table.columns
        text = " ".join(out.said)
        assert "England's" in text and "Fingertips" in text
        assert ("partner data" in text) == (where == "with")  # the partner figure beside it, labelled


def test_published_sections_say_which_download_is_missing(bare_ctx: AssessmentContext, tmp_path: Path) -> None:
    bare_ctx.__dict__["indicators"] = bare_ctx.indicators.iloc[:0]
    out = run_sections(young_people, ["published_first_time_entrants"], bare_ctx, tmp_path)
    assert f"indicator {FTE_ID}" in out.said[0] and "assess fetch" in out.said[0]
    assert not _metrics(out)


def test_the_partner_fte_rate_cites_and_records_its_ons_estimate(demo_ctx: AssessmentContext, tmp_path: Path) -> None:
    ctx = dataclasses.replace(demo_ctx)
    youth = ctx.partner("youth_justice")
    without_population = youth[youth["measure"] != "population_10_17"]
    ctx.partner = lambda name: without_population.copy() if name == "youth_justice" else demo_ctx.partner(name)  # type: ignore[method-assign]
    out = run_sections(young_people, ["first_time_entrants"], ctx, tmp_path)
    m = _metrics(out)["first_time_entrants"]
    est = ctx.population_estimate("10-17")
    assert est is not None and est.period == "mid-2023"
    assert m["denominator"]["value"] == est.value and m["denominator"]["period"] == "mid-2023"
    assert "ukmidyearestimates2023.xlsx" in m["denominator"]["source"]
    assert m["rate"] == pytest.approx(m["numerator"] / est.value * 100_000)
    assert any("mid-2023 estimate of residents aged 10-17" in s for s in out.said)


def test_the_drug_offences_rate_cites_its_estimate(demo_ctx: AssessmentContext, tmp_path: Path) -> None:
    out = run_sections(drugs_alcohol, ["drug_offences"], dataclasses.replace(demo_ctx), tmp_path)
    assert any("mid-2023 estimate of residents" in s and "ONS" in s for s in out.said)


# --- end to end: the demo bundle shows each public figure with its England comparator -------------------
def _page_text(bundle: Path, chapter: str) -> str:
    import html as html_module
    import re

    markup = (bundle / "html" / f"{chapter}.html").read_text()
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


BUNDLE_FIGURES = {
    "06_young_people": ["first_time_entrants_rate"],
    "09_begging_rough_sleeping": ["rough_sleepers_published"],
    "10_drugs_alcohol": ["drug_misuse_deaths_rate", "alcohol_admissions_rate"],
    "11_vulnerable_people": ["domestic_abuse_rate", "violence_admissions_rate"],
}


@pytest.mark.parametrize("chapter", list(BUNDLE_FIGURES))
def test_the_demo_bundle_shows_each_public_figure_with_england(demo_bundle: Path, chapter: str) -> None:
    from assess.measure.narrative import format_rate

    doc = json.loads((demo_bundle / "metrics.json").read_text())
    assert doc["schema_version"] == "1.4"
    by_id = {m["id"]: m for m in doc["metrics"]}
    page = _page_text(demo_bundle, chapter)
    for metric_id in BUNDLE_FIGURES[chapter]:
        m = by_id[metric_id]
        assert m["chapter"] == chapter and "England" in m["comparators"] and "England" in m["comparison_verdicts"]
        assert m["numerator"] is not None and m["denominator"]["source"]
        figure, england = (m["rate"], m["comparators"]["England"]) if m["rate"] is not None else (m["value"],
                                                                                                 m["comparators"]["England"])
        places, england_places = (2 if v < 1 else 1 for v in (figure, england))  # the chapter's rounding
        assert format_rate(figure, places) in page, (metric_id, format_rate(figure, places))
        shown = format_rate(england, england_places)
        assert f"England's {shown}" in page or f"England's, {shown}" in page, (metric_id, shown)
    assert (demo_bundle / "tables" / f"{chapter}__{_table_of(BUNDLE_FIGURES[chapter][0])}.csv").exists()


def _table_of(metric_id: str) -> str:
    return {"first_time_entrants_rate": "first_time_entrants_published", "rough_sleepers_published":
            "rough_sleeping_published", "drug_misuse_deaths_rate": "drug_misuse_deaths_published",
            "domestic_abuse_rate": "domestic_abuse_published"}[metric_id]


def test_every_rate_in_the_demo_bundle_can_be_recomputed(demo_bundle: Path) -> None:
    doc = json.loads((demo_bundle / "metrics.json").read_text())
    rates = [m for m in doc["metrics"] if m["rate"] is not None]
    assert rates
    for m in rates:
        assert m["numerator"] is not None, m["id"]
        assert m["rate"] == pytest.approx(m["numerator"] / m["denominator"]["value"] * m["rate_per"], rel=1e-8), m["id"]


@pytest.mark.real
def test_a_real_fingertips_export_gives_southampton_with_england_and_the_south_east(
        shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real export (campylobacter, not a community-safety indicator: here for its format) read
    and shown by the same code: Southampton 2017 with England and the South East, verdict as published."""
    from assess.sources.fingertips import read_fingertips

    df = read_fingertips(shared_data / "fingertips" / "indicators-CountyUA.data.csv")
    monkeypatch.setattr(ind, "listed_indicator", lambda metric: (93356, "Campylobacter incidence rate"))
    monkeypatch.setitem(ind.INDICATOR_KINDS, "campylobacter_rate", ind.IndicatorKind(100_000, "population", crude=True))
    figure = ind.published_indicator(df, "campylobacter_rate", SOUTHAMPTON, "2017/18")
    assert figure is not None and figure.period == "2017" and figure.previous_period == "2016"
    local = df[(df["area_code"] == SOUTHAMPTON) & df["is_headline"] & (df["time_period"] == "2017")].iloc[0]
    england = df[(df["area_code"] == "E92000001") & df["is_headline"] & (df["time_period"] == "2017")].iloc[0]
    assert figure.local.value == local["value"] and figure.comparators["England"] == england["value"]
    assert set(figure.comparators) == {"England", "South East region"}  # the region has no limits: not needed
    assert figure.published_verdicts["England"] == "Better"
    assert figure.verdict("England") == "significantly lower"  # the published limits give Fingertips' verdict
    m = ind.indicator_metric(figure, "10_drugs_alcohol", "Campylobacter")
    assert m.numerator == local["count"] and m.denominator is not None and m.denominator.value == local["denominator"]
