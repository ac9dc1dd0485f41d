"""The assessment context's selections of street records: made once, safe to change, never stale."""

from __future__ import annotations

import dataclasses

import pandas as pd

from assess.measure.context import AssessmentContext


def test_a_year_is_selected_once_and_equals_the_plain_selection(demo_ctx: AssessmentContext) -> None:
    ctx = dataclasses.replace(demo_ctx)
    everything = ctx.street_all
    for year in (ctx.year, ctx.previous_year):
        plain = everything[everything["financial_year"] == year]
        pd.testing.assert_frame_equal(ctx.street(year), plain)
        pd.testing.assert_frame_equal(ctx.street(year), plain)  # from the context's selections
        crime = plain[plain["is_asb"] == False]  # noqa: E712 - a nullable boolean column
        pd.testing.assert_frame_equal(ctx.street(year, asb=False), crime)
    assert len(ctx._street_subsets) == 4  # each year, and its crime, selected once
    assert ctx.street() is not ctx.street()  # each call its own (shallow) copy


def test_changing_a_selection_does_not_change_the_next(demo_ctx: AssessmentContext) -> None:
    ctx = dataclasses.replace(demo_ctx)
    got = ctx.street(asb=True)
    expected = got.copy()
    got["extra"] = 1
    got.iloc[0, got.columns.get_loc("month")] = "1999-01"
    pd.testing.assert_frame_equal(ctx.street(asb=True), expected)


def test_a_replaced_street_table_is_selected_afresh(demo_ctx: AssessmentContext) -> None:
    ctx = dataclasses.replace(demo_ctx)
    assert len(ctx.street()) > 0
    full = ctx.street_all
    ctx.__dict__["street_all"] = full[full["month"] <= "2024-06"]
    assert set(ctx.street()["month"]) == {"2024-04", "2024-05", "2024-06"}


def test_months_present_reads_only_the_month_column_until_the_table_is_read(demo_ctx: AssessmentContext) -> None:
    fresh = dataclasses.replace(demo_ctx)
    months = fresh.months_present
    assert "street_all" not in fresh.__dict__  # the whole table was not needed
    assert months == demo_ctx.months
    trimmed = dataclasses.replace(demo_ctx)
    full = trimmed.street_all
    trimmed.__dict__["street_all"] = full[full["month"] <= "2024-09"]
    assert trimmed.months_present == demo_ctx.months[:6]  # from the table already read
