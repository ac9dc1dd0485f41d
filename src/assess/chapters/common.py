"""What every chapter says the same way: absent data and the data's caveats (each said through ``out.say``)."""

from __future__ import annotations

import re

import pandas as pd

from assess.measure.context import AssessmentContext
from assess.report.outputs import ChapterOutputs


def missing(ctx: AssessmentContext, out: ChapterOutputs, what: str, partner_name: str | None = None) -> None:
    """Say plainly that a section's optional data is absent, and how to supply it."""
    where = ""
    if partner_name:
        filename = ctx.cfg.partner_files.get(partner_name, f"{partner_name}.csv")
        where = f" Supply `{ctx.partner_dir.name}/{filename}` (see data/raw/README.md) to include it."
    out.say(f"*No data on {what} was supplied for {ctx.cfg.name}, so this section is not shown.{where}*")


def no_street_records(ctx: AssessmentContext, out: ChapterOutputs, what: str = "police.uk street-level crime") -> bool:
    """True when there are no police.uk records for this year, having said that ``what`` is not shown."""
    if ctx.street_all.empty or not ctx.months_present:
        missing(ctx, out, f"{what} in {ctx.year}")
        return True
    return False


def partner_data(ctx: AssessmentContext, out: ChapterOutputs, name: str, what: str) -> pd.DataFrame | None:
    """The partner file ``name`` (:meth:`AssessmentContext.partner`); None when it is absent or
    empty, having said that the section on ``what`` is not shown."""
    table = ctx.partner(name)
    if table is None or table.empty:
        missing(ctx, out, what, name)
        return None
    return table


def partner_flags(ctx: AssessmentContext, out: ChapterOutputs, flag: str, what: str) -> pd.DataFrame | None:
    """The force flags partner file when it holds ``flag`` in this year (:func:`assess.measure.flags.flags_with`);
    None when it does not, having said that the section on ``what`` is not shown."""
    from assess.measure.flags import flags_with

    flags = flags_with(ctx.partner("force_flags"), flag, ctx.year)
    if flags is None:
        missing(ctx, out, f"{what} in {ctx.year}", "force_flags")
    return flags


def comparator_key(area: str) -> str:
    """The key of a national comparator in a metric: ``"England and Wales"`` -> ``"england_and_wales"``."""
    return re.sub(r"[^a-z0-9]+", "_", area.lower()).strip("_")


def data_caveats(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The coverage of the year and, for demonstration data, a plain label."""
    if ctx.data_label:
        out.say(f"**These figures are {ctx.data_label}, not real statistics.**")
    out.say(ctx.coverage_sentence)
