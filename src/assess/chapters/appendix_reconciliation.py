"""Appendix: police.uk counts against Home Office police recorded crime for the CSP's force.

The chapters map and count police.uk street-level records; the official statistics are the Home
Office's recorded crime tables. Both come from the same police records, but police.uk runs a few
per cent lower (:func:`assess.measure.reconcile.explain_differences`). This appendix sets them side by
side for the CSP's whole force, quarter by quarter and by offence group, using
:mod:`assess.measure.reconcile`; quarters that police.uk does not hold whole are shown but not compared.
"""

from __future__ import annotations

import pandas as pd

from assess.errors import AssessError
from assess.measure.context import AssessmentContext
from assess.measure.narrative import format_count, format_percent
from assess.measure.reconcile import (
    explain_differences,
    reconcile_by_offence_group,
    reconcile_police_uk_with_home_office,
)
from assess.report.outputs import ChapterOutputs

SOURCE = "police.uk street-level crime; Home Office police recorded crime open data tables"


def force_street(ctx: AssessmentContext) -> pd.DataFrame:
    """Every police.uk record of the force whose files cover the CSP (all its areas, not only the CSP's).

    The force is the ``falls_within`` of most of the CSP's own records (police.uk names forces
    differently from the Home Office: "Hampshire Constabulary" against "Hampshire").
    """
    own = ctx.street_all
    if own.empty or "falls_within" not in own.columns:
        return own
    force = own["falls_within"].mode().iloc[0]
    columns = ["month", "falls_within", "crime_type", "category"]
    return ctx.store.read("street", columns=columns, filters=[("falls_within", "==", force)], categorical=columns)


def quarterly(ctx: AssessmentContext) -> pd.DataFrame | None:
    """The quarterly reconciliation (see :func:`assess.measure.reconcile.reconcile_police_uk_with_home_office`),
    or None when either source has nothing for the force in the year."""
    street = force_street(ctx)
    rc = ctx.recorded_crime
    force = ctx.cfg.police_force.name
    if street.empty or rc.empty or not (rc["force_name"].str.casefold() == force.casefold()).any():
        return None
    return reconcile_police_uk_with_home_office(street, rc, force, ctx.year)


def _published(table: pd.DataFrame) -> pd.DataFrame:
    return table[["label", "months_present", "police_uk_crimes", "home_office_offences", "difference", "pct_difference", "note"]].rename(
        columns={
            "label": "Period",
            "months_present": "police.uk months held",
            "police_uk_crimes": "police.uk crimes",
            "home_office_offences": "Home Office offences",
            "difference": "Difference",
            "pct_difference": "Difference (%)",
            "note": "Note",
        }
    )


def by_quarter(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Both counts per financial quarter, their difference, and which quarters can be compared."""
    table = quarterly(ctx)
    force = ctx.cfg.police_force.name
    if table is None:
        out.say(
            f"*The reconciliation needs police.uk records and the Home Office force table for {force} "
            f"in {ctx.year}; one of them is absent, so it is not shown.*"
        )
        return
    total = table.iloc[-1]
    if pd.notna(total["difference"]):
        pct = float(total["pct_difference"])
        out.say(
            f"Over the quarters police.uk holds whole ({total['note'].split(': ', 1)[-1]}), police.uk lists "
            f"{format_count(int(total['police_uk_crimes']))} crimes for {force} against "
            f"{format_count(int(total['home_office_offences']))} offences recorded by the Home Office: "
            f"{format_percent(abs(pct))} {'fewer' if pct < 0 else 'more'}."
        )
        out.finding(
            f"police.uk counts for {force} in {ctx.year} are {format_percent(abs(pct))} "
            f"{'below' if pct < 0 else 'above'} Home Office recorded crime (complete quarters)."
        )
    else:
        out.say(f"No quarter of {ctx.year} is held whole by police.uk for {force}: the counts are shown, not compared.")
    out.table(
        "by_quarter",
        _published(table),
        caption=f"police.uk crimes and Home Office recorded offences, {force}, {ctx.year}, by financial quarter. "
        f"Source: {SOURCE}.",
        suppress=False,  # force-wide totals of published statistics
        decimals={"Difference (%)": 1},
    )


def by_offence_group(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """police.uk categories against the Home Office offence groups they correspond to."""
    street = force_street(ctx)
    force = ctx.cfg.police_force.name
    try:
        table = reconcile_by_offence_group(street, ctx.recorded_crime, force, ctx.year)
    except AssessError as exc:
        out.say(f"*Not compared by offence group: {exc}.*")
        return
    published = table[["police_uk_category", "home_office_groups", "police_uk_crimes", "home_office_offences", "difference", "pct_difference"]]
    out.table(
        "by_offence_group",
        published.rename(
            columns={
                "police_uk_category": "police.uk category",
                "home_office_groups": "Home Office offences compared",
                "police_uk_crimes": "police.uk crimes",
                "home_office_offences": "Home Office offences",
                "difference": "Difference",
                "pct_difference": "Difference (%)",
            }
        ),
        caption=f"police.uk categories and the Home Office offence groups they correspond to, {force}, "
        f"{ctx.year}, complete quarters. Source: {SOURCE}.",
        suppress=False,
        decimals={"Difference (%)": 1},
    )


def why_they_differ(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The documented reasons why the two publications differ."""
    out.say("\n".join(f"- {reason}" for reason in explain_differences()))
