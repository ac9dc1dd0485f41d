"""Force-area comparators (assess.measure.force_area): a force's and England's Home Office rates
per 1,000 with the ONS estimate each uses; and chapter 1's section on them."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.measure import force_area as fa


def _population(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"area_code": c, "geography": g, "year": y, "age_band": "all", "value": v, "source_file": f"mye{y}.xls"}
         for c, g, y, v in rows])


LAD_CSP = pd.DataFrame({
    "lad_code": ["E06000001", "E06000002", "E06000003", "E06000004", "W06000001"],
    "pfa_code": ["E23000001", "E23000001", "E23000002", "E23000003", "W15000001"],
    "pfa_name": ["Alpha & Beta", "Alpha & Beta", "Gamma", "Delta", "Wales One"],
})


def _crime(rows: list[tuple[str, int, int]], year: str = "2017/18") -> pd.DataFrame:
    return pd.DataFrame({"financial_year": year, "quarter": [q for _, q, _ in rows],
                         "force_name": [f for f, _, _ in rows], "csp_name": pd.array([pd.NA] * len(rows), dtype="string"),
                         "offences": [n for _, _, n in rows]})


POP = _population([
    ("E06000001", "lad", 2016, 90_000), ("E06000002", "lad", 2016, 10_000), ("E06000003", "lad", 2016, 50_000),
    ("E06000004", "lad", 2016, 60_000), ("E06000001", "lad", 2017, 100_000), ("E06000002", "lad", 2017, 20_000),
    ("E06000003", "lad", 2017, 50_000), ("E06000004", "lad", 2017, 80_000), ("W06000001", "lad", 2017, 30_000),
    ("E92000001", "country", 2017, 250_000), ("E92000001", "country", 2016, 210_000),
    ("W92000004", "country", 2017, 30_000),
])


def test_the_estimate_of_a_financial_year_is_mid_year_of_its_start_else_the_nearest_earlier() -> None:
    assert fa.estimate_year([2015, 2016, 2017], "2017/18") == 2017
    assert fa.estimate_year([2015, 2016], "2017/18") == 2016
    assert fa.estimate_year([2019], "2017/18") == 2019  # none earlier: the earliest held
    assert fa.estimate_year([], "2017/18") is None
    used = fa.population_used(POP, ["E06000001", "E06000002"], "2016/17")
    assert used is not None and (used.value, used.year, used.areas) == (100_000, 2016, 2)
    assert used.label == "ONS mid-2016 population estimate (mye2016.xls)"
    # a mid-year missing one of the areas is not used for them
    assert fa.population_used(POP, ["W06000001"], "2016/17").year == 2017  # type: ignore[union-attr]


def test_force_and_england_rates_from_the_force_area_rows() -> None:
    crime = _crime([("Alpha and Beta", 1, 600), ("Alpha and Beta", 2, 600), ("Gamma", 1, 500), ("Delta", 1, 400),
                    ("Wales One", 1, 90), ("Action Fraud", 1, 999)])
    rates = fa.force_area_rates(crime, POP, LAD_CSP, "2017/18", force_name="Alpha and Beta", quarters=(1, 2))
    assert rates.focus is not None and rates.focus.code == "E23000001"
    assert rates.focus.offences == 1200 and rates.focus.population.value == 120_000
    assert rates.focus.rate.value == pytest.approx(10.0)
    # England: the English forces' offences (Wales One and Action Fraud left out) over England's estimate
    assert rates.national is not None and rates.national.offences == 1200 + 500 + 400
    assert rates.national.rate.value == pytest.approx(2100 / 250_000 * 1000)
    assert set(rates.forces) == {"Alpha and Beta", "Gamma", "Delta"}
    assert any(x.startswith("Action Fraud (999 offences") for x in rates.left_out)
    assert rates.period_label == "2017/18 Q1-Q2" and not rates.whole_year
    only_q1 = fa.force_area_rates(crime, POP, LAD_CSP, "2017/18", force_name="Alpha and Beta", quarters=(1,))
    assert only_q1.focus.offences == 600 and only_q1.period_label == "2017/18 Q1"  # type: ignore[union-attr]
    ew = fa.force_area_rates(crime, POP, LAD_CSP, "2017/18", force_name="Alpha and Beta", quarters=(1, 2),
                             national_name="England and Wales")
    assert ew.national.offences == 2190 and ew.national.population.value == 280_000  # type: ignore[union-attr]


def test_csp_rows_or_no_rows_are_not_force_area_only() -> None:
    crime = _crime([("Gamma", 1, 5)])
    assert fa.has_force_area_only(crime)
    assert not fa.has_force_area_only(crime.assign(csp_name="Somewhere"))
    assert not fa.has_force_area_only(crime.iloc[0:0])
    assert fa.quarters_of_months([f"2017-{m:02d}" for m in range(4, 10)], "2017/18") == (1, 2)
    assert fa.quarters_of_months([f"2017-{m:02d}" for m in range(4, 9)], "2017/18") == (1,)


def test_a_force_without_a_population_is_named_and_left_out() -> None:
    crime = _crime([("Gamma", 1, 5), ("Delta", 1, 7)])
    pop = POP[POP["area_code"] != "E06000004"]
    rates = fa.force_area_rates(crime, pop, LAD_CSP, "2017/18", force_name="Gamma", quarters=(1,))
    assert "Delta" not in rates.forces and any(x.startswith("Delta (no population estimate") for x in rates.left_out)
    assert rates.national.offences == 12  # its offences still count towards England's  # type: ignore[union-attr]


@pytest.mark.real
def test_hampshire_and_england_on_the_real_force_table(real_store) -> None:  # type: ignore[no-untyped-def]
    from assess.store import Store

    store = Store(real_store)
    crime, pop, lookup = store.read("recorded_crime"), store.read("population"), store.read("lad_csp")
    half = fa.force_area_rates(crime, pop, lookup, "2017/18", force_name="Hampshire", quarters=(1, 2))
    assert half.focus.offences == 41_145 + 41_137  # the README's Hampshire quarters  # type: ignore[union-attr]
    year = fa.force_area_rates(crime, pop, lookup, "2017/18", force_name="Hampshire")
    assert year.focus.offences == 41_145 + 41_137 + 39_397 + 37_862  # type: ignore[union-attr]
    assert year.focus.population.year == 2017 and year.focus.population.areas == 14  # type: ignore[union-attr]
    assert year.national.population.label == "ONS mid-2017 population estimate (ukmidyearestimates2017finalversion.xls)"  # type: ignore[union-attr]
    assert {n.split(" (")[0] for n in year.left_out} == {"Action Fraud", "British Transport Police", "CIFAS",
                                                          "Financial Fraud Action UK", "UK Finance"}
    assert len(year.forces) == 39  # the English police force areas
    southampton = fa.population_used(pop, ["E06000045"], "2017/18")
    assert southampton is not None and southampton.value == 252_359
    assert fa.population_used(pop, ["E06000045"], "2016/17").value == 254_275  # type: ignore[union-attr]
