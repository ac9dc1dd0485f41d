"""Chapter 1 (recorded crime): headline, comparators, trend, monthly series, calls, absent data and the notebook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_chapter

from assess.chapters import recorded_crime as rc
from assess.report.outputs import ChapterOutputs
from assess.stats import change_in_counts, change_in_monthly_counts

CHAPTER = "01_recorded_crime"


def metrics(path: Path) -> dict[str, dict]:
    return {m["id"]: m for m in json.loads((path / "metrics" / f"{CHAPTER}.json").read_text())}


def test_last_year_s_rate_uses_last_year_s_population_estimate(demo_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assess.measure.metrics import Denominator

    # the demo holds mid-2023 at the latest, so both of its years use it: give last year another estimate
    own = rc.common.residents

    def residents(ctx, year=None):  # type: ignore[no-untyped-def]
        if year == ctx.previous_year:
            return Denominator(value=200_000, unit="residents", source="test estimate", period="mid-2022")
        return own(ctx, year)

    monkeypatch.setattr(rc.common, "residents", residents)
    head = rc.headline_figures(demo_ctx)
    assert head.previous_residents is not None and head.previous_residents.period == "mid-2022"
    assert head.previous_rate.value == pytest.approx(head.counts.previous / 200_000 * 1000)
    assert head.rate.value == pytest.approx(head.counts.current / demo_ctx.population * 1000)  # this year's: its own


def test_headline_counts_crime_without_asb_and_tests_the_change(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    head = rc.headline_figures(demo_ctx)
    crime = demo_ctx.street(demo_ctx.year, asb=False)
    assert head.counts.current == len(crime)
    assert not crime["is_asb"].any()
    # the change is the quasi-Poisson test of the monthly series (every month to March 2025), not the
    # exact test of the two totals: the demo's months vary several times more than chance
    street = demo_ctx.street_all[~demo_ctx.street_all["is_asb"].astype(bool)]
    monthly = street.groupby("month").size().astype("float64")
    expected = change_in_monthly_counts(monthly[monthly.index <= "2025-03"], head.counts.months, head.counts.previous_months)
    assert head.change == expected and head.change.method_id == "quasi-poisson-glm-month-effects"
    assert head.change.dispersion > 1.0 and head.change.fallback_reason is None
    assert head.change.p_value >= change_in_counts(head.counts.previous, head.counts.current).p_value
    assert head.rate.value == pytest.approx(len(crime) / demo_ctx.population * 1000)
    assert head.rate.lower < head.rate.value < head.rate.upper


def test_national_comparators_rank_the_csp_in_its_group(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    nat = rc.national_comparators(demo_ctx)
    assert nat.national_change is not None
    assert nat.national_change.current == nat.current.national.count
    assert nat.group is not None
    assert nat.group.n == len(demo_ctx.cfg.most_similar_group) + 1
    assert nat.group.focus == demo_ctx.cfg.name
    assert 1 <= nat.group.rank <= nat.group.n
    points, limits = rc.funnel_data(nat.current)
    assert len(points) == len(nat.current.table)
    assert {"lower_95", "upper_95", "lower_998", "upper_998"} <= set(limits.columns)
    assert (limits["lower_998"] <= nat.current.national.value).all()
    # the funnel allows for the variation between CSPs (Spiegelhalter's additive random effect): with
    # exact Poisson limits most CSPs lie outside them and the funnel separates nothing
    from assess.stats import funnel_limits

    funnel = nat.funnel
    assert funnel is not None and funnel.adjustment_applied == "additive" and funnel.overdispersion.detected
    exact = funnel_limits(points["denominator"].to_numpy(), nat.current.national.value)
    outside_exact = ((points["rate"] > exact["upper_998"]) | (points["rate"] < exact["lower_998"])).mean()
    outside_now = points["position"].str.contains("99.8").mean()
    assert outside_exact > 0.5 and outside_now < 0.1
    assert nat.focus_comparison.method_id == "funnel-overdispersed-additive-random-effects"
    # every CSP outside the limits is named, those outside first in the published table
    table = rc.funnel_table(points)
    outside = table[table["Position"] != "within"]
    from assess.measure.narrative import describe_funnel_outside

    sentence = describe_funnel_outside(funnel, "CSPs")
    assert all(name in sentence for name in outside["Area"]) and len(outside) >= 1
    assert (table["Position"].iloc[: len(outside)] != "within").all()


def test_yearly_counts_and_trend(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    yearly = rc.yearly_counts(demo_ctx)
    assert yearly["financial_year"].tolist() == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert yearly["comparable"].all() and (yearly["months"] == 12).all()
    assert yearly["count"].iloc[-1] == len(demo_ctx.street(demo_ctx.year, asb=False))
    assert rc.yearly_trend(yearly) is not None
    assert rc.yearly_trend(yearly.tail(2)) is None
    broken = yearly.assign(comparable=[True, False, True, True])
    assert rc.yearly_trend(broken) is None  # only two comparable years end the series


def test_monthly_table_has_rolling_totals(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    t = rc.monthly_table(demo_ctx)
    assert len(t) == 48 and t["month"].iloc[-1] == "2025-03"
    assert t["rolling_12_month"].iloc[:11].isna().all()
    assert t["rolling_12_month"].iloc[-1] == t["count"].iloc[-12:].sum() == len(demo_ctx.street(demo_ctx.year, asb=False))
    roll = rc.latest_rolling_comparison(demo_ctx)
    assert roll.complete and roll.current == t["count"].iloc[-12:].sum()


def test_calls_by_channel_compares_like_for_like_months() -> None:
    calls = pd.DataFrame(
        {
            "month": ["2023-04", "2023-04", "2024-04", "2024-04", "2024-05"],
            "channel": ["999", "101", "999", "101", "999"],
            "calls": [100, 200, 130, 180, 50],
        }
    )
    t = rc.calls_by_channel(calls, ("2024-04",), ("2023-04",))
    assert t["channel"].tolist() == ["101", "999", "All channels"]
    assert t["current"].tolist() == [180, 130, 310]
    assert t["previous"].tolist() == [200, 100, 300]
    # two months are too few for the quasi-Poisson test: the exact test of the totals decides, saying why
    assert t["verdict"].iloc[1] == change_in_counts(100, 130).verdict
    not_comparable = rc.calls_by_channel(calls, ("2024-04",), ("2023-05",), comparable=False)
    assert not_comparable["previous"].isna().all() and (not_comparable["verdict"] == "not comparable").all()


def test_calls_by_year_counts_whole_years_only(demo_ctx) -> None:  # type: ignore[no-untyped-def]
    calls = demo_ctx.partner("calls_for_service")
    yearly = rc.calls_by_year(demo_ctx, calls)
    assert sorted(set(yearly["financial_year"])) == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert (yearly["months"] == 12).all()
    this_year = calls[calls["financial_year"] == demo_ctx.year]
    assert yearly.loc[yearly["financial_year"] == demo_ctx.year, "calls"].sum() == this_year["calls"].sum()


def test_sections_publish_metrics_tables_figures_and_findings(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = ChapterOutputs(tmp_path, CHAPTER, demo_ctx.cfg.suppression_threshold)
    for section in (rc.headline, rc.comparison, rc.trend, rc.monthly, rc.calls_for_service):
        section(demo_ctx, out)
    m = metrics(tmp_path)
    assert set(m) == {"all_crime", "calls_for_service"}
    ac = m["all_crime"]
    assert ac["value"] == len(demo_ctx.street(demo_ctx.year, asb=False))
    assert ac["period"] == "2024/25" and ac["previous_period"] == "2023/24"
    assert set(ac["comparators"]) == {"england", "msg_average"}
    assert set(ac["comparison_verdicts"]) == {"england", "msg_average"}
    assert ac["rate_interval"][0] < ac["rate"] < ac["rate_interval"][1]
    tables = {p.name for p in (tmp_path / "tables").iterdir()}
    assert {f"{CHAPTER}__{n}.csv" for n in ("comparators", "crime_by_year", "crime_by_month", "calls_for_service")} <= tables
    comp = pd.read_csv(tmp_path / "tables" / f"{CHAPTER}__comparators.csv")
    assert comp["Role"].tolist().count("focus") == 1 and comp["Role"].iloc[-1] == "national"
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert f"{CHAPTER}__funnel.png" in figures and f"{CHAPTER}__comparators.png" in figures
    findings = json.loads((tmp_path / "findings" / f"{CHAPTER}.json").read_text())
    assert findings and demo_ctx.cfg.name in findings[0]
    assert any("most similar group" in s for s in out.said)


def test_absent_calls_and_force_level_tables_are_said_plainly(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = bare_ctx
    rc_table = c.recorded_crime
    c.__dict__["recorded_crime"] = rc_table.assign(csp_name=pd.Series(pd.NA, index=rc_table.index, dtype="string"))
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    rc.headline(c, out)
    rc.comparison(c, out)
    rc.calls_for_service(c, out)
    m = metrics(tmp_path)
    assert set(m) == {"all_crime", "force_area_recorded_crime"}  # the force and England from the force-area rows
    assert m["all_crime"]["comparators"] == {}
    assert "force area level only" in m["all_crime"]["note"]
    notes = json.loads((tmp_path / "catalogue" / f"{CHAPTER}.json").read_text())["notes"]
    assert any("prc-csp" in n for n in notes)
    assert any("calls for service" in s and "not shown" in s for s in out.said)
    assert not (tmp_path / "tables" / f"{CHAPTER}__comparators.csv").exists()
    assert (tmp_path / "tables" / f"{CHAPTER}__force_area_comparators.csv").exists()


def test_a_year_without_last_years_months_shows_no_change(demo_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = dataclasses.replace(demo_ctx)
    full = c.street_all
    c.__dict__["street_all"] = full[(full["month"] >= "2024-01") & (full["month"] <= "2024-09")]
    head = rc.headline_figures(c)
    assert head.change is None and not head.counts.complete
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    rc.headline(c, out)
    m = metrics(tmp_path)["all_crime"]
    assert m["previous_value"] is None and m["verdict"] is None
    assert m["period"] == "2024-04 to 2024-09"
    notes = json.loads((tmp_path / "catalogue" / f"{CHAPTER}.json").read_text())["notes"]
    assert any("No change on last year" in n for n in notes)
    rc.monthly(c, out)
    assert any("rolling 12-month comparison is not shown" in s for s in out.said)


@pytest.mark.e2e
def test_notebook_runs_end_to_end(demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_chapter(CHAPTER, demo_data, tmp_path)
    m = metrics(run.output_dir)
    assert set(m) == {"all_crime", "calls_for_service"}
    assert (run.output_dir / "tables" / f"{CHAPTER}__crime_by_month.csv").exists()
    nb = json.loads(run.notebook.read_text())
    errors = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_force_area_tables_give_the_force_and_england_beside_the_police_uk_rate(bare_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """With force-area rows only, the force's and England's Home Office rates are computed from the
    rows and the ONS estimates, each labelled for what it counts, and the force is compared with
    England allowing for the variation between forces."""
    from assess.measure import force_area

    c = bare_ctx
    rc_table = c.recorded_crime
    c.__dict__["recorded_crime"] = rc_table.assign(csp_name=pd.Series(pd.NA, index=rc_table.index, dtype="string"))
    out = ChapterOutputs(tmp_path, CHAPTER, 5)
    rc.comparison(c, out)
    fc = rc.force_comparison(c)
    main = fc.main
    assert main is not None and main.focus is not None and main.national is not None
    # recomputed here from the rows: the force's offences in the quarters counted
    rows = c.recorded_crime
    mine = rows[(rows["financial_year"] == c.year) & rows["quarter"].isin(list(main.quarters))
                & (rows["force_name"] == c.cfg.police_force.name)]
    assert main.focus.offences == int(mine["offences"].sum())
    lads = c.lad_csp.loc[c.lad_csp["pfa_name"] == c.lad_csp.loc[c.lad_csp["lad_code"].isin(c.cfg.lad_codes), "pfa_name"].iloc[0],
                         "lad_code"]
    assert main.focus.population.value == force_area.population_used(c.population_table, list(lads), c.year).value  # type: ignore[union-attr]
    table = pd.read_csv(tmp_path / "tables" / f"{CHAPTER}__force_area_comparators.csv")
    assert table["Counts"].iloc[0].startswith("police.uk street-level records")
    assert table["Counts"].iloc[1:].str.startswith("Home Office police recorded crime").all()
    assert table["Population estimate"].str.contains(r"mid-\d{4}").all()
    m = metrics(tmp_path)["force_area_recorded_crime"]
    assert m["value"] == main.focus.offences and m["comparison_methods"]["england"].startswith("funnel-overdispersed")
    assert any("count differently" in s and "not tested against them" in s for s in out.said)
