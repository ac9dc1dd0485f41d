"""What every chapter says the same way: absent data, the data's caveats (each said through
``out.say``) and the partners' own account of the chapter (``out.account``)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from assess.measure.context import AssessmentContext
from assess.measure.metrics import Denominator
from assess.periods import estimate_year
from assess.report import outputs
from assess.report.outputs import ChapterOutputs
from assess.sources.partner.narrative import (
    Narrative,
    find_narrative,
    narrative_folder,
    narrative_keys,
    project_narrative_keys,
    read_narratives,
)
from assess.stats import Rate


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


def residents(ctx: AssessmentContext, year: str | None = None) -> Denominator | None:
    """The CSP's residents behind its rates per 1,000 (:attr:`AssessmentContext.population`) in
    financial year ``year`` (this one by default), as a metric records them: the value with the
    estimate it comes from, its publisher, file and mid-year (:meth:`AssessmentContext.population_estimate`).
    None when the population is unknown.

    Where not every local authority of the CSP has an estimate, the population is that of those
    that do (as :attr:`AssessmentContext.population` sums it), and the record says so."""
    population = ctx.population if year is None or year == ctx.year else None
    est = ctx.population_estimate("all", year)
    if est is not None and (population is None or est.value == population):
        return est.denominator("residents")
    if population is None:
        return None
    table = ctx.population_table
    rows = table[(table["age_band"] == "all") & table["area_code"].isin(ctx.cfg.lad_codes)]
    held = sorted(set(rows["area_code"]))
    years = (rows if not rows.empty else table[table["age_band"] == "all"])["year"]
    mid = estimate_year(years.dropna().astype(int).tolist(), year or ctx.year)
    return Denominator(value=population, unit="residents", period=None if mid is None else f"mid-{mid}",
                       source=f"population estimates of {len(held)} of the {len(ctx.cfg.lad_codes)} local authorities "
                       f"of {ctx.cfg.name} (those held: {', '.join(held) or 'none'})")


def residents_of(ctx: AssessmentContext, rate: Rate, year: str | None = None) -> Denominator | None:
    """The record of the residents behind ``rate`` (per 1,000 of the CSP), as :func:`residents` of
    ``year`` names them; where ``rate``'s denominator is another sum of the same estimate (the CSP
    through the ONS LAD -> CSP lookup), that sum, saying so. None without an estimate."""
    record = residents(ctx, year)
    if record is None or record.value == rate.denominator:
        return record
    return record.model_copy(update={"value": float(rate.denominator),
                                     "source": f"{record.source}, summed to the partnership by the ONS lookup"})


def ward_estimate_source(ctx: AssessmentContext) -> str:
    """Which estimate the ward populations come from, as metrics and captions cite it: "ONS ...,
    mid-2015, LSOA estimates summed to wards (file)"; "population estimates" when none is held."""
    est = ctx.ward_population_estimate()
    if est is None:
        return "population estimates"
    how = ", LSOA estimates summed to wards" if est.summed_from_lsoa else ", by ward"
    files = ", ".join(est.source_files)
    return f"{est.publisher}, {est.period}{how}" + (f" ({files})" if files else "")


def ward_residents(ctx: AssessmentContext, population: float) -> Denominator:
    """The record of one ward's ``population`` (persons) behind its rate this year (:meth:`AssessmentContext.ward_population_estimate`)."""
    est = ctx.ward_population_estimate()
    if est is None:
        raise ValueError(f"no ward population estimate is held for {ctx.cfg.name}")
    return Denominator(value=population, unit="residents", source=ward_estimate_source(ctx), period=est.period)


def estimate_citation(record: Denominator | None) -> str:
    """"Residents: ONS mid-year estimates, mid-2017 (file)": the estimate a rate's residents come
    from, as the text and captions cite it; "" without a record."""
    return "" if record is None or not record.source else f"Residents: {record.source}."


def data_caveats(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The coverage of the year and, for demonstration data, a plain label."""
    if ctx.data_label:
        out.say(f"**These figures are {ctx.data_label}, not real statistics.**")
    out.say(ctx.coverage_sentence)


# --- the partners' own account --------------------------------------------------------------


def narrative_dir(ctx: AssessmentContext) -> Path:
    """The CSP's narrative folder (``<partner folder>/narrative/``)."""
    return narrative_folder(ctx.partner_dir)


def narrative_path_text(ctx: AssessmentContext, key: str) -> str:
    """Where an analyst puts the account filed under ``key``, relative to the raw folder:
    ``partner/narrative/cuckooing.md`` (or ``partner/<csp-slug>/narrative/...``)."""
    folder = narrative_dir(ctx)
    return f"{folder.relative_to(ctx.raw_dir).as_posix()}/{key}.md"


def narrative(ctx: AssessmentContext, key: str) -> Narrative | None:
    """The partners' account filed under ``key`` (a chapter name or a topic id), validated; None when not written."""
    return find_narrative(narrative_dir(ctx), key)


def all_narratives(ctx: AssessmentContext, out: ChapterOutputs) -> dict[str, Narrative]:
    """Every narrative file of the CSP, validated: a file named after no chapter (of this run's
    registry or the project's) and no topic is an InputError naming it."""
    known = list(narrative_keys(outputs.run_registry(out.output_dir).names))
    known += [k for k in project_narrative_keys() or () if k not in known]
    return read_narratives(narrative_dir(ctx), known)


def show_account(ctx: AssessmentContext, out: ChapterOutputs, account: Narrative, level: int = 2) -> None:
    """Show ``account`` under an ``<h{level}>`` heading that marks it as the partners' own."""
    out.account(account.key, account.text, author=account.author, date=account.date, title=account.title,
                level=level, file=narrative_path_text(ctx, account.key))


def partner_narrative(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The partners' own account of this chapter (``partner/narrative/<chapter>.md``), when they wrote one.

    Shown as the last section of the chapter; nothing is shown when there is none (the executive
    summary lists the chapters that carry one).
    """
    account = narrative(ctx, out.chapter)
    if account is not None:
        show_account(ctx, out, account)
