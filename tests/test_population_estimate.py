"""The population of each rate: the mid-year estimate of the financial year's start, from the
published local authority estimate before summed small-area ones, said and recorded (issue 10 item 2)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from assess.config import Area
from assess.measure.context import (
    AssessmentContext,
    PopulationEstimate,
    population_publisher,
)
from assess.measure.metrics import Denominator, Metric, metric_from_count

LAD = "E06999001"


def _ctx(demo_ctx: AssessmentContext, year: str, rows: list[tuple], lsoa: list[tuple] | None = None) -> AssessmentContext:
    ctx = dataclasses.replace(demo_ctx, year=year, cfg=demo_ctx.cfg.model_copy(update={"local_authorities": [Area(code=LAD, name="Wessex Vale")]}))
    ctx.__dict__["population_table"] = pd.DataFrame(
        rows, columns=["area_code", "geography", "year", "age_band", "value", "source_file"])
    ctx.__dict__["lsoa_ward"] = pd.DataFrame(
        lsoa or [("E01999001", "E05999001", LAD), ("E01999002", "E05999001", LAD)],
        columns=["lsoa_code", "ward_code", "lad_code"])
    ctx.__dict__["lad_csp"] = pd.DataFrame(columns=["lad_code", "csp_code"])
    return ctx


MYE16 = (LAD, "lad", 2016, "all", 254_275, "ukmidyearestimates2016.xls")
MYE17 = (LAD, "lad", 2017, "all", 252_359, "ukmidyearestimates2017finalversion.xls")
IOD15 = [("E01999001", "lsoa", 2015, "all", 120_000, "File_6_-_IoD2019_Population_Denominators.xlsx"),
         ("E01999002", "lsoa", 2015, "all", 130_000, "File_6_-_IoD2019_Population_Denominators.xlsx")]


def test_a_financial_year_uses_the_mid_year_estimate_of_its_start(demo_ctx: AssessmentContext) -> None:
    ctx = _ctx(demo_ctx, "2017/18", [MYE16, MYE17, *IOD15])
    est = ctx.population_estimate()
    assert est is not None
    assert (est.value, est.period, est.summed_from_lsoa) == (252_359, "mid-2017", False)
    assert est.source_files == ("ukmidyearestimates2017finalversion.xls",)
    assert "ONS (mid-year population estimates)" in est.source
    assert "mid-2017 estimate of residents (252,359" in est.citation()
    assert ctx.population == 252_359
    earlier = _ctx(demo_ctx, "2016/17", [MYE16, MYE17, *IOD15]).population_estimate()
    assert earlier is not None and (earlier.value, earlier.period) == (254_275, "mid-2016")


def test_the_ons_estimate_by_authority_wins_over_summed_lsoa_estimates_of_another_year(demo_ctx: AssessmentContext) -> None:
    # before: the LAD table was used only when present, whatever its year; now the year is chosen
    # first, and a published LAD estimate of that year wins over summed LSOAs of the same year
    ctx = _ctx(demo_ctx, "2017/18", [MYE16, *IOD15])
    est = ctx.population_estimate()
    assert est is not None and (est.value, est.period) == (254_275, "mid-2016")
    assert "No mid-2017 estimate is held, so the latest earlier one is used." in est.citation()
    same_year = [*IOD15, (LAD, "lad", 2015, "all", 249_000, "ukmidyearestimates2015.xls")]
    est = _ctx(demo_ctx, "2015/16", same_year).population_estimate()
    assert est is not None and (est.value, est.summed_from_lsoa) == (249_000, False)


def test_summed_lsoa_estimates_are_used_and_said_when_they_are_all_there_is(demo_ctx: AssessmentContext) -> None:
    est = _ctx(demo_ctx, "2017/18", list(IOD15)).population_estimate()
    assert est is not None
    assert (est.value, est.period, est.summed_from_lsoa) == (250_000, "mid-2015", True)
    assert "MHCLG" in est.source and "LSOA estimates summed" in est.source
    assert _ctx(demo_ctx, "2017/18", list(IOD15)).population_by("ward").to_dict() == {"E05999001": 250_000.0}


def test_a_later_estimate_is_used_only_when_none_is_earlier_and_the_text_says_so(demo_ctx: AssessmentContext) -> None:
    est = _ctx(demo_ctx, "2014/15", [MYE16, MYE17]).population_estimate()
    assert est is not None and est.period == "mid-2016"
    assert "earliest later one" in est.citation()


def test_youth_rates_use_the_single_year_band_of_the_estimate(demo_ctx: AssessmentContext) -> None:
    rows = [MYE17, (LAD, "lad", 2017, "10-17", 21_650, "ukmidyearestimates2017finalversion.xls")]
    est = _ctx(demo_ctx, "2017/18", rows).population_estimate("10-17")
    assert est is not None and est.value == 21_650
    assert "residents aged 10-17" in est.citation()
    assert _ctx(demo_ctx, "2017/18", [MYE17]).population_estimate("10-17") is None


def test_the_demo_uses_the_latest_earlier_ons_estimate(demo_ctx: AssessmentContext) -> None:
    est = dataclasses.replace(demo_ctx).population_estimate()
    assert est is not None and est.period == "mid-2023" and not est.summed_from_lsoa  # no mid-2024 in the demo
    assert est.source_files == ("ukmidyearestimates2023.xlsx",)


def test_a_rate_metric_records_its_numerator_and_denominator_so_it_can_be_recomputed() -> None:
    est = PopulationEstimate(252_359.0, 2017, "all", False, ("ukmidyearestimates2017finalversion.xls",), "2017/18")
    m = metric_from_count("x", "X", "01_recorded_crime", 1234, None, "2017/18", None, est.value, "police.uk",
                          denominator=est.denominator("residents"))
    assert m.numerator == 1234 and m.denominator is not None
    assert m.denominator.period == "mid-2017" and "ukmidyearestimates2017finalversion.xls" in (m.denominator.source or "")
    assert m.rate == pytest.approx(m.numerator / m.denominator.value * 1000)
    with pytest.raises(Exception, match="not the population used"):
        metric_from_count("x", "X", "c", 1, None, "2017/18", None, 100.0, "s", denominator=Denominator(value=99.0))
    with pytest.raises(Exception, match="not numerator / denominator"):
        Metric(id="x", label="X", chapter="c", value=1.0, unit="crimes", period="2017/18", source="s", rate=5.0,
               rate_per=1000, numerator=1.0, denominator=Denominator(value=100.0))


def test_population_publishers_are_recognised_by_the_published_file_name() -> None:
    assert population_publisher("ukmidyearestimates2016.xls").startswith("ONS")
    assert population_publisher("File_6_-_IoD2019_Population_Denominators.xlsx").startswith("MHCLG")
    assert population_publisher("my-own-file.csv") == "population estimates"
