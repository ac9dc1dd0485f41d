"""Chapter 3 (places): wards, rates, funnel, map, concentration; and Southampton's wards against the raw files."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_chapter

from assess.chapters import places as pl
from assess.config import dump_config
from assess.measure.context import load_context
from assess.report.outputs import ChapterOutputs
from assess.stats import gini, top_share

CHAPTER = "03_places"
METRIC_IDS = {"crime_top10pct_lsoa_share", "crime_gini_lsoa", "highest_rate_ward"}


def test_ward_table_lists_every_ward_and_counts_every_placed_crime(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    t = pl.ward_table(demo_ctx)
    assert len(t) == demo_ctx.wards["ward_code"].nunique() == 16
    assert t["count"].sum() == demo_ctx.street(demo_ctx.year, asb=False)["ward_code"].notna().sum()
    pop = demo_ctx.population_by("ward")
    row = t.iloc[0]
    assert row["rate"] == pytest.approx(row["count"] / pop[row["ward_code"]] * 1000)
    assert (t["lower"] < t["rate"]).all() and (t["rate"] < t["upper"]).all()
    both = pl.ward_crime_and_asb(demo_ctx)
    assert both["asb"].sum() == demo_ctx.street(demo_ctx.year, asb=True)["ward_code"].notna().sum()
    assert both["crime_rate"].is_monotonic_decreasing


def test_highest_rate_ward_and_funnel_positions(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    t = pl.ward_table(demo_ctx)
    top = pl.highest_rate_ward(t)
    assert top["rate"] == t["rate"].max()
    csp = pl.csp_rate_of(t)
    points, limits = pl.ward_funnel(t, csp.value)
    assert len(points) == 16
    above = points[points["position"] == "above 99.8%"]
    assert top["ward_name"] in above["area"].tolist()  # the demo's hot spot is far above its funnel
    assert (limits["upper_998"] > csp.value).all()
    # the limits allow for the variation between wards (Spiegelhalter 2005): wider than Poisson's
    from assess.stats import funnel_limits

    funnel = pl.ward_funnel_assessment(t, csp.value)
    assert funnel.adjustment_applied == "additive" and funnel.overdispersion.phi > 1
    poisson = funnel_limits(points["denominator"].to_numpy(), csp.value)
    assert (funnel.table["upper_998"].to_numpy() > poisson["upper_998"].to_numpy()).all()
    assert pl.ward_against_csp(top, funnel).verdict == "significantly higher"


def test_concentration_of_a_hand_made_series() -> None:
    s = pd.Series([50, 10, 0, 0, 0, 0, 0, 0, 0, 40], index=list("abcdefghij"))
    c = pl.concentration(s, "LSOAs")
    assert (c.n_places, c.n_top, c.total) == (10, 1, 100)
    assert c.top_share == pytest.approx(0.5) == top_share(s.to_numpy(), 0.1)
    assert c.gini == pytest.approx(gini(s.to_numpy()))
    assert pl.concentration(pd.Series([0, 0]), "wards") is None


def test_lsoa_concentration_counts_every_lsoa_of_the_csp(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    c = pl.crime_concentration(demo_ctx, "lsoa")
    assert c.n_places == len(pl.csp_lsoas(demo_ctx)) == 150
    assert c.total == demo_ctx.street(demo_ctx.year, asb=False)["lsoa_code"].isin(pl.csp_lsoas(demo_ctx)).sum()
    assert 0 < c.gini < 1 and 0.1 < c.top_share < 1


def test_boundary_code_property_is_found_from_the_ward_codes(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    gj = json.loads(demo_ctx.ward_boundaries.read_text())
    prop = pl.boundary_code_property(gj, demo_ctx.wards["ward_code"].tolist())
    assert prop is not None
    assert {f["properties"][prop] for f in gj["features"]} == set(demo_ctx.wards["ward_code"])
    assert pl.boundary_code_property(gj, ["E05000000"]) is None


def test_sections_publish_wards_map_concentration_and_metrics(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, CHAPTER, demo_ctx.cfg.suppression_threshold)
    for section in (pl.wards, pl.ward_offence_types, pl.crime_map, pl.concentration_section):
        section(demo_ctx, out)
    metrics = {m["id"]: m for m in json.loads((tmp_path / "metrics" / f"{CHAPTER}.json").read_text())}
    assert set(metrics) == METRIC_IDS
    top = pl.highest_rate_ward(pl.ward_table(demo_ctx))
    assert metrics["highest_rate_ward"]["value"] == pytest.approx(top["rate"])
    assert top["ward_name"] in metrics["highest_rate_ward"]["note"]
    assert metrics["highest_rate_ward"]["comparison_verdicts"] == {"csp": "significantly higher"}
    assert 0 < metrics["crime_top10pct_lsoa_share"]["value"] <= 100
    wards = pd.read_csv(tmp_path / "tables" / f"{CHAPTER}__wards.csv")
    assert len(wards) == 16 and wards["Ward"].iloc[0] == top["ward_name"]
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {f"{CHAPTER}__ward_map.png", f"{CHAPTER}__ward_funnel.png", f"{CHAPTER}__ward_rates.png",
            f"{CHAPTER}__lsoa_map.png", f"{CHAPTER}__ward_offence_mix.png"} <= figures
    points = pl.lsoa_points(demo_ctx)
    assert points["count"].sum() == len(demo_ctx.street(demo_ctx.year, asb=False).dropna(subset=["lsoa_code", "longitude"]))
    assert points["top"].sum() == pl.crime_concentration(demo_ctx, "lsoa").n_top


def test_without_boundaries_a_density_map_is_drawn(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = dataclasses.replace(demo_ctx)
    c.cfg = c.cfg.model_copy(update={"ward_boundaries": None})
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    pl.crime_map(c, out)
    assert (tmp_path / "figures" / f"{CHAPTER}__crime_density.png").exists()
    caption = json.loads((tmp_path / "catalogue" / f"{CHAPTER}.json").read_text())["figures"][0]["caption"]
    assert "Ward boundaries were not supplied" in caption


def test_without_the_ward_lookup_the_chapter_says_so(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = dataclasses.replace(demo_ctx)
    c.__dict__["lsoa_ward"] = pd.DataFrame()
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    pl.wards(c, out)
    pl.concentration_section(c, out)
    assert not (tmp_path / "metrics").exists()
    assert any("ward lookup" in s for s in out.said)


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter(CHAPTER, demo_data, tmp_path)
    assert {m["id"] for m in run.metrics} == METRIC_IDS
    assert (run.output_dir / "tables" / f"{CHAPTER}__wards.csv").exists()


# --- the real data: Southampton, 2017/18 -------------------------------------------------------------

SOUTHAMPTON_LAD = "E06000045"
MONTHS = ("2017-04", "2017-05", "2017-06", "2017-07", "2017-08", "2017-09")


@pytest.fixture(scope="module")
def southampton(shared_data: Path, real_store: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from assess.config import config_for_csp
    from assess.store import Store

    root = tmp_path_factory.mktemp("southampton")
    cfg = config_for_csp("Southampton", Store(real_store).read("lad_csp"))
    cfg = cfg.model_copy(update={"ward_boundaries": "geography/southampton_wards_2013_E06000045.geojson"})
    (root / "config").mkdir()
    (root / "config" / "southampton.yaml").write_text(dump_config(cfg), encoding="utf-8")
    return load_context("southampton", "2017/18", processed_dir=real_store, raw_dir=shared_data,
                        config_dir=root / "config")


def independent_ward_counts(shared_data: Path) -> tuple[Counter, Counter]:
    """Crimes and ASB by ward in Southampton's LSOAs, April-September 2017, read with the csv module."""
    lookup = next((shared_data / "lookups").glob("Lower_Layer_Super_Output_Area_2011_to_Ward*.csv"))
    with open(lookup, encoding="utf-8-sig", newline="") as fh:
        ward_of = {r["LSOA11CD"]: r["WD17CD"] for r in csv.DictReader(fh) if r["LAD17CD"] == SOUTHAMPTON_LAD}
    assert len(ward_of) == 148
    crimes: Counter = Counter()
    asb: Counter = Counter()
    for path in sorted((shared_data / "police_street").rglob("*-street.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["Month"] in MONTHS and r["LSOA code"] in ward_of:
                    (asb if r["Crime type"] == "Anti-social behaviour" else crimes)[ward_of[r["LSOA code"]]] += 1
    return crimes, asb


@pytest.mark.real
def test_southampton_ward_table_agrees_with_the_raw_files(southampton, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = southampton
    assert not ctx.complete and ctx.months_present == list(MONTHS)
    crimes, asb = independent_ward_counts(shared_data)
    table = pl.ward_crime_and_asb(ctx).set_index("ward_code")
    assert len(table) == 16
    assert table["crimes"].to_dict() == {w: crimes[w] for w in table.index}
    assert table["asb"].to_dict() == {w: asb[w] for w in table.index}
    assert table["crimes"].sum() == sum(crimes.values())


@pytest.mark.real
def test_southampton_chapter_states_the_year_is_incomplete(southampton, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    pl.wards(southampton, out)
    pl.crime_map(southampton, out)
    pl.concentration_section(southampton, out)
    catalogue = json.loads((tmp_path / "catalogue" / f"{CHAPTER}.json").read_text())
    wards = next(t for t in catalogue["tables"] if t["name"] == "wards")
    assert "incomplete year (6 of 12 months)" in wards["caption"]
    assert any("2017/18 is incomplete" in n for n in catalogue["notes"])
    assert (tmp_path / "figures" / f"{CHAPTER}__ward_map.png").exists()  # WD13CD boundaries match the 2017 ward codes
    metrics = {m["id"]: m for m in json.loads((tmp_path / "metrics" / f"{CHAPTER}.json").read_text())}
    assert set(metrics) == METRIC_IDS
    assert metrics["crime_gini_lsoa"]["period"] == "2017-04 to 2017-09"
    assert "148 LSOAs" in metrics["crime_gini_lsoa"]["note"]


def test_unique_ward_names_tell_apart_wards_that_share_a_name() -> None:
    from assess.measure.context import unique_ward_names

    wards = pd.DataFrame({
        "ward_code": ["E05000001", "E05000002", "E05000003", "E05000004", "E05000005"],
        "ward_name": ["Central", "Central", "Abbey", "Bridge", "Bridge"],
        "lad_name": ["Test Valley", "Eastleigh", "Test Valley", "Eastleigh", "Eastleigh"],
    })
    assert unique_ward_names(wards).tolist() == [
        "Central (Test Valley)", "Central (Eastleigh)", "Abbey", "Bridge (E05000004)", "Bridge (E05000005)"]


def test_two_wards_of_one_name_stay_two_rows_in_every_ward_table(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = dataclasses.replace(demo_ctx)
    lk = demo_ctx.lsoa_ward.copy()
    first, second = sorted(demo_ctx.wards["ward_code"].astype(str))[:2]
    name = str(lk.loc[lk["ward_code"] == first, "ward_name"].iloc[0])
    lk.loc[lk["ward_code"] == second, "ward_name"] = name  # two wards named alike, as two "Central" wards are
    c.__dict__["lsoa_ward"] = lk
    c.__dict__.pop("wards", None)
    assert c.wards["ward_name"].is_unique and len(c.wards) == len(demo_ctx.wards) == 16
    by_category = pl.ward_by_category(c)
    assert by_category.index.is_unique and len(by_category) == len(c.wards)
    assert by_category.to_numpy().sum() == pl.ward_by_category(demo_ctx).to_numpy().sum()
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    pl.ward_offence_types(c, out)  # crashed on the duplicated index before names were made unique
    pl.wards(c, out)
    table = pd.read_csv(tmp_path / "tables" / f"{CHAPTER}__wards.csv")
    assert len(table) == len(c.wards)
