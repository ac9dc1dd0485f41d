"""Comparators: every CSP's rate from the Home Office CSP tables, England, the most-similar group, and absent tables."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.measure import comparators
from assess.measure.context import load_context
from assess.stats import rate_per


def prc(rows: list[tuple[str, int, str, str | None, str, int]]) -> pd.DataFrame:
    """A ``recorded_crime`` table from (financial_year, quarter, force, csp_name, offence_group, offences)."""
    df = pd.DataFrame(rows, columns=["financial_year", "quarter", "force_name", "csp_name", "offence_group", "offences"])
    for c in ("financial_year", "force_name", "csp_name", "offence_group"):
        df[c] = df[c].astype("string")
    df["offence_subgroup"] = df["offence_group"]
    df["offences"] = df["offences"].astype("int64")
    df["quarter"] = df["quarter"].astype("int64")
    return df


LAD_CSP = pd.DataFrame(
    {
        "lad_code": ["E06000001", "E06000002", "E07000003", "E07000004", "W06000001"],
        "csp_code": ["E22000001", "E22000002", "E22000003", "E22000003", "W22000001"],
        "csp_name": ["Alpha", "Beta & Gamma", "Delta", "Delta", "Cymru"],
    },
    dtype="string",
)
POP = pd.Series({"E22000001": 100_000.0, "E22000002": 200_000.0, "E22000003": 50_000.0, "W22000001": 80_000.0})

TABLE = prc(
    [
        ("2017/18", q, "Force A", "Alpha", "Robbery", 1_000) for q in (1, 2, 3, 4)
    ]
    + [("2017/18", q, "Force A", "Beta and Gamma", "Robbery", 1_500) for q in (1, 2, 3, 4)]
    + [("2017/18", 1, "Force B", "Delta", "Robbery", 400), ("2017/18", 2, "Force B", "Delta", "Theft offences", 600)]
    + [("2017/18", 1, "Force W", "Cymru", "Robbery", 9_999)]
    + [("2017/18", 1, "Force A", None, "Robbery", 123_456)]  # a force-area row: never counted
    + [("2016/17", 1, "Force A", "Alpha", "Robbery", 3_000)]
)


def rates(year: str = "2017/18", **kw) -> comparators.CSPRates:  # type: ignore[no-untyped-def]
    args = dict(focus_code="E22000001", focus_name="Alpha", group_names=["Beta & Gamma", "Nowhere"])
    args.update(kw)
    return comparators.csp_rates_from_tables(TABLE, POP, LAD_CSP, year, **args)


def test_rates_per_1000_for_every_csp_with_names_matched_across_publishers() -> None:
    r = rates()
    assert r.available and r.missing == []
    t = r.table.set_index("csp_code")
    assert t.loc["E22000001", "offences"] == 4_000
    assert t.loc["E22000002", "offences"] == 6_000  # "Beta and Gamma" matched "Beta & Gamma"
    assert t.loc["E22000001", "rate"] == pytest.approx(40.0)
    assert t.loc["E22000003", "quarters"] == 2
    expected = rate_per(4_000, 100_000, 1000)
    assert (t.loc["E22000001", "lower"], t.loc["E22000001", "upper"]) == pytest.approx((expected.lower, expected.upper))
    assert r.focus is not None and r.focus.value == pytest.approx(40.0)


def test_england_sums_english_csps_only_and_ignores_force_rows() -> None:
    r = rates()
    assert r.national.count == 4_000 + 6_000 + 1_000
    assert r.national.denominator == 350_000
    wales = rates(national_name="England and Wales")
    assert wales.national.count == 11_000 + 9_999


def test_most_similar_group_members_found_and_missing_named() -> None:
    r = rates()
    assert r.group_members == ["Beta & Gamma"]
    assert r.group_missing == ["Nowhere"]
    assert any("Nowhere" in n for n in r.notes)
    assert r.counts() == {"Alpha": 4_000, "Beta & Gamma": 6_000}
    assert r.group_rate.value == pytest.approx(10_000 / 300_000 * 1000)
    table = comparators.comparator_table(r)
    assert table["kind"].tolist() == ["focus", "group", "national"]  # highest rate first, national last
    assert table["area"].iloc[-1] == "England"


def test_an_offence_group_keeps_only_its_rows() -> None:
    r = rates(offence_group="Theft offences")
    t = r.table.set_index("csp_code")
    assert list(t.index) == ["E22000003"]
    assert t.loc["E22000003", "offences"] == 600
    assert not r.available  # the focus CSP has no such offences
    assert "Alpha" in r.missing[0]


def test_force_level_tables_only_name_what_is_missing() -> None:
    force_only = TABLE.assign(csp_name=pd.Series([None] * len(TABLE), dtype="string"))
    r = comparators.csp_rates_from_tables(force_only, POP, LAD_CSP, "2017/18", focus_code="E22000001", focus_name="Alpha")
    assert not r.available
    assert r.table.empty and r.national is None and r.focus is None
    sentence = r.missing_sentence()
    assert "police force area level only" in sentence and "prc-csp" in sentence
    assert comparators.comparator_table(r).empty


def test_absent_tables_year_and_population_are_each_named() -> None:
    none = comparators.csp_rates_from_tables(TABLE.iloc[0:0], POP, LAD_CSP, "2017/18", focus_code="E22000001", focus_name="Alpha")
    assert "not in the data" in none.missing_sentence()
    other_year = comparators.csp_rates_from_tables(TABLE, POP, LAD_CSP, "2019/20", focus_code="E22000001", focus_name="Alpha")
    assert "do not cover 2019/20" in other_year.missing_sentence()
    no_pop = comparators.csp_rates_from_tables(TABLE, pd.Series(dtype="float64"), LAD_CSP, "2017/18",
                                               focus_code="E22000001", focus_name="Alpha")
    assert "population" in no_pop.missing_sentence()


def test_national_offences_of_two_years() -> None:
    cur, prev = rates(), rates(year="2016/17")
    assert prev.available
    nat = comparators.national_offences(cur, prev)
    assert (nat.previous, nat.current) == (3_000, 11_000)


def test_name_key_ignores_case_ampersands_and_punctuation() -> None:
    assert comparators.name_key("Brighton & Hove") == comparators.name_key("brighton and hove")
    assert comparators.name_key("King's Lynn, West Norfolk") == "king s lynn west norfolk"


def test_demo_comparators_agree_with_a_direct_sum(demo_data) -> None:  # type: ignore[no-untyped-def]
    ctx = load_context(demo_data.csp, demo_data.year, processed_dir=demo_data.processed, raw_dir=demo_data.raw,
                       config_dir=demo_data.config_dir)
    r = comparators.csp_rates(ctx)
    assert r.available, r.missing
    rc = ctx.recorded_crime
    own = rc[(rc["csp_name"] == "Wessex Vale") & (rc["financial_year"] == ctx.year)]
    assert r.focus.count == int(own["offences"].sum())
    assert r.focus.denominator == ctx.population
    assert sorted(r.group_members) == sorted(ctx.cfg.most_similar_group)
    english = rc[rc["csp_name"].notna() & (rc["financial_year"] == ctx.year)]
    assert r.national.count == int(english["offences"].sum())  # every demo CSP is English
