"""Chapter 3, places: where crime and anti-social behaviour happen, and how concentrated they are.

Sources: data.police.uk street-level crime and ASB, placed in wards through each record's LSOA
(2011) and the ONS LSOA -> ward lookup; ward populations from ONS estimates (summed from LSOAs
where needed, ``ctx.population_by("ward")``); ward boundaries (GeoJSON, ONS) for the map where
supplied, else the records' anonymised map points.

Rates are per 1,000 residents with PHE confidence limits; wards are set against the CSP's own
rate on a funnel plot whose limits allow for the variation between wards beyond chance
(Spiegelhalter 2005, additive random effects: :func:`ward_funnel_assessment`), and a ward is
"significantly higher" than the CSP only when it lies outside them. Concentration: the share of
crime in the places with the most (the top 10% of LSOAs and of wards, rounded up to whole places,
and said as the share of places they are), and the Gini coefficient across LSOAs (every LSOA of
the CSP, those without a crime counting zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assess.chapters import common
from assess.chapters.recorded_crime import POLICE_UK_SOURCE
from assess.measure import counts, narrative
from assess.measure.context import AssessmentContext
from assess.measure.counts import CRIME_CATEGORIES
from assess.measure.metrics import Metric, metric_from_rate
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.sources.boundaries import read_ward_boundaries
from assess.stats import (
    DispersedComparison,
    FunnelAssessment,
    Rate,
    compare_with_benchmark_overdispersed,
    funnel_assessment,
    gini,
    places_in_top,
    rate_per,
    top_share,
)
from assess.store.harmonise import ASB

TOP_FRACTION = 0.1

#: Spiegelhalter's adjustment for the variation between wards (2005: the additive random effect).
ADJUSTMENT = "additive"


# --- pure computation ------------------------------------------------------------------------


def ward_table(ctx: AssessmentContext, *, asb: bool | None = False, year: str | None = None) -> pd.DataFrame:
    """Records per ward of the CSP in a year (this one by default), with rates per 1,000 residents.

    ``asb`` False counts crime, True ASB, None both. Every ward of the CSP appears (zero if it has
    no record). Columns: ward_code, ward_name, count (int64), population (float64, NaN if unknown),
    rate, lower, upper (per 1,000, 95% limits; NaN without a population). Sorted by ward name.
    Source: police.uk street records placed through the ONS LSOA -> ward lookup.
    """
    wards = ctx.wards[["ward_code", "ward_name"]].drop_duplicates("ward_code")
    street = ctx.street(year or ctx.year, asb=asb)
    n = counts.counts_by_area(street, "ward", wards["ward_code"].astype(str).tolist())
    pop = ctx.population_by("ward")
    df = pd.DataFrame(
        {
            "ward_code": wards["ward_code"].astype(str).to_numpy(),
            "ward_name": wards["ward_name"].astype(str).to_numpy(),
            "count": n.to_numpy(dtype="int64"),
        }
    )
    df["population"] = df["ward_code"].map(pop).astype("float64")
    rates = [
        rate_per(int(c), float(p), 1000) if pd.notna(p) and p > 0 else None
        for c, p in zip(df["count"], df["population"])
    ]
    for col in ("value", "lower", "upper"):
        df["rate" if col == "value" else col] = np.array(
            [getattr(r, col) if r is not None else np.nan for r in rates], dtype="float64"
        )
    return df.sort_values("ward_name", ignore_index=True)


def csp_rate_of(table: pd.DataFrame):
    """The CSP's rate over the wards with a population (offences over residents), or None."""
    have = table[table["population"].notna() & (table["population"] > 0)]
    if have.empty:
        return None
    return rate_per(int(have["count"].sum()), float(have["population"].sum()), 1000)


def ward_crime_and_asb(ctx: AssessmentContext) -> pd.DataFrame:
    """Crime and ASB per ward with rates: ward_code, ward_name, population, crimes, crime_rate,
    crime_lower, crime_upper, asb, asb_rate, asb_lower, asb_upper; highest crime rate first."""
    crime = ward_table(ctx, asb=False)
    asb = ward_table(ctx, asb=True)
    df = crime.rename(columns={"count": "crimes", "rate": "crime_rate", "lower": "crime_lower", "upper": "crime_upper"})
    a = asb.set_index("ward_code")
    df["asb"] = df["ward_code"].map(a["count"]).astype("int64")
    df["asb_rate"] = df["ward_code"].map(a["rate"])
    df["asb_lower"] = df["ward_code"].map(a["lower"])
    df["asb_upper"] = df["ward_code"].map(a["upper"])
    return df.sort_values(["crime_rate", "ward_name"], ascending=[False, True], na_position="last", ignore_index=True)


def ward_by_category(ctx: AssessmentContext) -> pd.DataFrame:
    """Records per ward (rows: ward name) and police.uk category (columns, ASB last), this year."""
    wards = ctx.wards[["ward_code", "ward_name"]].drop_duplicates("ward_code")
    cats = [*CRIME_CATEGORIES, ASB]
    t = counts.area_by_category(ctx.street(ctx.year), "ward", wards["ward_code"].astype(str).tolist(), cats)
    t.index = t.index.map(dict(zip(wards["ward_code"].astype(str), wards["ward_name"].astype(str))))
    t.index.name = "Ward"
    t.columns = [str(c) for c in t.columns]
    return t


def highest_rate_ward(table: pd.DataFrame, rate: str = "rate", name: str = "ward_name") -> pd.Series | None:
    """The row of the ward with the highest rate (ties: the first by name); None if no ward has a rate."""
    have = table[table[rate].notna()]
    if have.empty:
        return None
    return have.sort_values([rate, name], ascending=[False, True]).iloc[0]


def _with_population(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["population"].notna() & (table["population"] > 0)]


def ward_funnel_assessment(table: pd.DataFrame, csp_rate: float, *, count: str = "count") -> FunnelAssessment:
    """Every ward with a population in the funnel around the CSP's rate (per 1,000), allowing for
    the variation between wards beyond chance (Spiegelhalter 2005, :data:`ADJUSTMENT`)."""
    have = _with_population(table)
    names = have["ward_name"].astype(str).tolist()
    return funnel_assessment(dict(zip(names, have[count].astype(int), strict=True)),
                             dict(zip(names, have["population"].astype(float), strict=True)),
                             csp_rate, per=1000, adjustment=ADJUSTMENT)


def ward_funnel(table: pd.DataFrame, csp_rate: float, *, count: str = "count", rate: str = "rate") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points (area, denominator, rate, count, position) and funnel limits around the CSP rate for each ward.

    ``position`` is "above 99.8%", "above 95%", "within", "below 95%" or "below 99.8%": the widest
    limit of :func:`ward_funnel_assessment` the ward's rate crosses at its population.
    """
    return ward_funnel_assessment(table, csp_rate, count=count).plot_data(stretch=1.2)


def ward_against_csp(row: pd.Series, funnel: FunnelAssessment, *, count: str = "count") -> DispersedComparison:
    """A ward's rate against the CSP's, allowing for the variation between wards (the funnel's estimate):
    "significantly higher" exactly when it lies above the funnel's 95% limit."""
    return compare_with_benchmark_overdispersed(int(row[count]), float(row["population"]), funnel.benchmark_rate,
                                                funnel.overdispersion, per=1000, adjustment=ADJUSTMENT)


@dataclass(frozen=True)
class Concentration:
    """How concentrated records are across places: share of the top fraction, and Gini (0..1)."""

    places: str
    n_places: int
    n_top: int
    fraction: float
    top_share: float
    gini: float
    total: int


def concentration(area_counts: pd.Series, places: str, fraction: float = TOP_FRACTION) -> Concentration | None:
    """Concentration of counts across places (every place listed, zeros included); None if all are zero."""
    values = area_counts.to_numpy(dtype="int64")
    if len(values) == 0 or values.sum() == 0:
        return None
    return Concentration(
        places=places,
        n_places=len(values),
        n_top=places_in_top(len(values), fraction),
        fraction=fraction,
        top_share=top_share(values, fraction),
        gini=gini(values),
        total=int(values.sum()),
    )


def csp_lsoas(ctx: AssessmentContext) -> list[str]:
    """The LSOA (2011) codes of the CSP's local authorities, from the ONS lookup."""
    lk = ctx.lsoa_ward
    if lk.empty:
        return []
    return sorted(set(lk.loc[lk["lad_code"].isin(ctx.cfg.lad_codes), "lsoa_code"].astype(str)))


def crime_concentration(ctx: AssessmentContext, level: str = "lsoa", *, asb: bool | None = False) -> Concentration | None:
    """Concentration of this year's crime across the CSP's LSOAs (``level="lsoa"``) or wards."""
    if level == "lsoa":
        areas = csp_lsoas(ctx)
        places = "LSOAs"
    else:
        areas = ctx.wards["ward_code"].astype(str).drop_duplicates().tolist()
        places = "wards"
    if not areas:
        return None
    return concentration(counts.counts_by_area(ctx.street(ctx.year, asb=asb), level, areas), places)


def boundary_code_property(geojson: dict, codes: list[str]) -> str | None:
    """The feature property holding ward codes: the one whose values match most of ``codes``."""
    features = geojson.get("features", [])
    if not features:
        return None
    wanted = set(codes)
    best, hits = None, 0
    for key in (features[0].get("properties") or {}):
        values = {str((f.get("properties") or {}).get(key)) for f in features}
        n = len(values & wanted)
        if n > hits:
            best, hits = key, n
    return best


# --- sections --------------------------------------------------------------------------------


def rounded_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Rates and limits to one decimal place and populations as whole residents, for publication
    (rounded once, as the text is: :func:`assess.measure.narrative.round_table`)."""
    out = table.copy()
    if "population" in out.columns:
        out["population"] = out["population"].round().astype("Int64")
    cols = [c for c in out.columns if c.endswith(("rate", "lower", "upper")) or c == "change_percent"]
    return narrative.round_table(out, {c: 1 for c in cols})


def _period(ctx: AssessmentContext) -> str:
    """The period in captions: the financial year, and for an incomplete year its months and that it is incomplete."""
    label = counts.year_to_date(ctx).label
    if ctx.complete:
        return label
    return f"{label}, an incomplete year ({len(ctx.months_present)} of 12 months)"


def _no_wards(ctx: AssessmentContext, out: ChapterOutputs) -> bool:
    if ctx.wards.empty:
        common.missing(ctx, out, "the ONS LSOA to ward lookup (wards cannot be named)")
        return True
    return common.no_street_records(ctx, out)


def wards(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Crime and ASB by ward: counts, rates with intervals, the highest-rate wards and a funnel plot."""
    if _no_wards(ctx, out):
        return
    period = _period(ctx)
    table = ward_crime_and_asb(ctx)
    shown = rounded_rates(table).rename(
        columns={"ward_code": "Ward code", "ward_name": "Ward", "population": "Residents", "crimes": "Crimes",
                 "crime_rate": "Crimes per 1,000", "crime_lower": "Crime rate lower 95%", "crime_upper": "Crime rate upper 95%",
                 "asb": "ASB incidents", "asb_rate": "ASB per 1,000", "asb_lower": "ASB rate lower 95%",
                 "asb_upper": "ASB rate upper 95%"}
    )
    out.table(
        "wards",
        shown,
        caption=(
            f"Police recorded crime and anti-social behaviour by ward, {ctx.cfg.name}, {period}, with rates per 1,000 "
            f"residents and 95% confidence intervals; highest crime rate first. Sources: {POLICE_UK_SOURCE}; residents: {common.ward_estimate_source(ctx)}."
        ),
        count_columns=["Crimes", "ASB incidents"],
    )
    if not ctx.complete:
        out.note(ctx.coverage_sentence)
    crime = ward_table(ctx, asb=False)
    csp = csp_rate_of(crime)
    if csp is None:
        out.note("There are no ward population estimates, so ward rates and the funnel plot are not shown.")
        return
    top = highest_rate_ward(crime)
    funnel = ward_funnel_assessment(crime, csp.value)
    comp = ward_against_csp(top, funnel)
    out.say(
        f"{top['ward_name']} had the highest crime rate, {narrative.format_rate(top['rate'])} per 1,000 residents "
        f"(95% confidence interval {narrative.format_rate(top['lower'])} to {narrative.format_rate(top['upper'])}), "
        + ward_verdict_words(comp, ctx.cfg.name) + f" of {narrative.format_rate(csp.value)} per 1,000."
    )
    points, limits = ward_funnel(crime, csp.value)
    above = points.loc[points["position"].str.startswith("above 99.8"), "area"].tolist()
    out.say(
        f"{narrative.format_count(len(above))} of {narrative.format_count(len(points))} wards "
        f"{'lies' if len(above) == 1 else 'lie'} above the 99.8% "
        f"control limit around the {ctx.cfg.name} rate. " + narrative.describe_funnel_outside(funnel, "wards")
    )
    out.note(narrative.funnel_method_note(funnel, "wards"))
    out.figure(
        charts.funnel_plot(points, limits, f"Crime rate by ward against population, {period}", highlight=str(top["ward_name"]),
                           centre=csp.value, ylabel="Crimes per 1,000 residents", xlabel="Residents",
                           source="data.police.uk; ONS"),
        "ward_funnel",
        alt=(
            f"Funnel plot of the crime rate of each of {narrative.format_count(len(points))} wards against its population, "
            f"with 95% and 99.8% limits around the {ctx.cfg.name} rate that allow for the variation between wards; "
            f"{narrative.format_count(len(above))} wards lie above the upper 99.8% limit. {top['ward_name']}, the highest, "
            "is labelled."
        ),
        caption=(f"Crime per 1,000 residents by ward, {period}, with control limits around the {ctx.cfg.name} rate "
                 "allowing for the variation between wards (see funnel plot in the glossary)."),
    )
    bars = crime.assign(ward_name=crime["ward_name"].astype(str))
    bars = pd.concat([bars, pd.DataFrame({"ward_name": [ctx.cfg.name], "rate": [csp.value], "lower": [csp.lower],
                                          "upper": [csp.upper]})], ignore_index=True)
    out.figure(
        charts.bar_with_highlight(bars, "ward_name", "rate", str(top["ward_name"]), f"Crime per 1,000 residents by ward, {period}",
                                  "Crimes per 1,000 residents", national=ctx.cfg.name, lower="lower", upper="upper",
                                  source="data.police.uk; ONS"),
        "ward_rates",
        alt=(
            f"Horizontal bar chart of the crime rate per 1,000 residents in each of {narrative.format_count(len(crime))} wards, "
            f"highest {top['ward_name']}, with the {ctx.cfg.name} rate as a dashed line and 95% confidence intervals."
        ),
        caption=f"Crime per 1,000 residents by ward, {period}. Sources: {POLICE_UK_SOURCE}; residents: {common.ward_estimate_source(ctx)}.",
    )
    rate = rate_per(int(top["count"]), float(top["population"]), 1000)
    out.metric(highest_rate_ward_metric(ctx, out.chapter, top, csp, comp))
    out.finding(
        f"{top['ward_name']} had the highest crime rate of {ctx.cfg.name}'s wards in {period}: "
        f"{narrative.format_rate(rate.value)} per 1,000 residents against {narrative.format_rate(csp.value)} for {ctx.cfg.name}."
    )


def ward_verdict_words(comp: DispersedComparison, csp_name: str) -> str:
    """ "significantly higher than the Wessex Vale rate" / "not significantly different from the ... rate",
    the words of the overdispersed comparison (:func:`ward_against_csp`) the sentence cites."""
    if comp.verdict == "similar":
        return f"not significantly different, allowing for the variation between wards, from the {csp_name} rate"
    return f"{comp.verdict}, allowing for the variation between wards, than the {csp_name} rate"


def highest_rate_ward_metric(ctx: AssessmentContext, chapter: str, top: pd.Series, csp: Rate,
                             comparison: DispersedComparison) -> Metric:
    """The ``highest_rate_ward`` metric: the highest ward crime rate per 1,000, compared with the CSP's rate
    allowing for the variation between wards (``comparison``, :func:`ward_against_csp`)."""
    pc = counts.year_to_date(ctx)
    rate = rate_per(int(top["count"]), float(top["population"]), 1000)
    return metric_from_rate(
        "highest_rate_ward",
        "Highest ward crime rate (police.uk crimes per 1,000 residents)",
        chapter,
        rate,
        pc.period,
        f"{POLICE_UK_SOURCE}; {common.ward_estimate_source(ctx)}",
        comparators={"csp": csp.value},
        comparison_verdicts={"csp": comparison.verdict},
        comparison_methods={"csp": comparison.method_id},
        comparison_dispersion={"csp": comparison.phi},
        unit="crimes per 1,000 residents",
        note=f"The ward is {top['ward_name']} ({top['ward_code']})."
        + (" The rate is a part-year rate, not annualised." if not ctx.complete else ""),
        denominator=common.ward_residents(ctx, float(top["population"])),
    )


def ward_offence_types(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Records by ward and police.uk category (ASB last): the counts go to the workbook (the table is
    too wide for a page), the chapter shows each ward's mix of categories as a grid of shares."""
    if _no_wards(ctx, out):
        return
    t = ward_by_category(ctx)
    published = out.table(
        "wards_by_category",
        t,
        caption=f"Police recorded crime and anti-social behaviour by ward and category, {ctx.cfg.name}, {_period(ctx)}. Source: {POLICE_UK_SOURCE}.",
        count_columns=list(t.columns),
        display=False,
    )
    share = t.div(t.sum(axis=1).replace(0, np.nan), axis=0)
    crime_cols = [c for c in t.columns if c != ASB]
    if t[crime_cols].to_numpy().sum() > 0:
        top_cat = t[crime_cols].sum().idxmax()
        most = share[top_cat].idxmax()
        # a ward with a suppressed count shows no shares: with the others' counts they would reveal it
        shown = 100 * share
        shown.loc[published.suppressed.to_numpy().any(axis=1)] = np.nan
        out.figure(
            charts.heatmap(shown, f"What was recorded in each ward, {_period(ctx)} (% of the ward's records)",
                           value_label="Share of the ward's records (%)", source="data.police.uk"),
            "ward_offence_mix",
            alt=(
                f"Grid of {narrative.format_count(len(t))} wards by {narrative.format_count(len(t.columns))} categories, "
                f"each cell the category's share of the ward's records; {top_cat} is the largest crime category "
                f"and its share is highest in {most} ({narrative.format_share(float(share.loc[most, top_cat]))})."
            ),
            caption=(
                f"Share of each ward's police recorded crime and anti-social behaviour by category, {_period(ctx)}. "
                f"The counts are in the workbook (tables.xlsx) and in tables/{out.table_path('wards_by_category').name}. "
                f"Source: {POLICE_UK_SOURCE}."
            ),
        )
        out.say(
            f"{top_cat} was the most common crime category; its share of records was highest in {most} "
            f"({narrative.format_share(float(share.loc[most, top_cat]))})."
        )


def lsoa_points(ctx: AssessmentContext) -> pd.DataFrame:
    """This year's crimes by LSOA at the centre of the LSOA's map points: ``lsoa_code``,
    ``longitude``, ``latitude``, ``count`` and ``top`` (among the 10% of LSOAs with the most crime)."""
    street = ctx.street(ctx.year, asb=False)
    if not {"lsoa_code", "longitude", "latitude"} <= set(street.columns):
        return pd.DataFrame(columns=["lsoa_code", "longitude", "latitude", "count", "top"])
    placed = street[street["lsoa_code"].notna() & street["longitude"].notna() & street["latitude"].notna()]
    by = placed.groupby(placed["lsoa_code"].astype(str))
    points = pd.DataFrame({
        "longitude": by["longitude"].apply(lambda v: float(pd.to_numeric(v).mean())),
        "latitude": by["latitude"].apply(lambda v: float(pd.to_numeric(v).mean())),
        "count": by.size().astype("int64"),
    }).reset_index(names="lsoa_code").sort_values(["count", "lsoa_code"], ascending=[False, True], ignore_index=True)
    n_top = places_in_top(len(csp_lsoas(ctx)) or len(points), TOP_FRACTION)
    points["top"] = points.index < n_top
    return points


def crime_map(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """A ward choropleth of the crime rate where boundaries are supplied, else a density map of map points."""
    if _no_wards(ctx, out):
        return
    period = _period(ctx)
    crime = ward_table(ctx, asb=False)
    path = ctx.ward_boundaries
    if path is not None:
        gj = read_ward_boundaries(path)
        codes = crime["ward_code"].astype(str).tolist()
        prop = boundary_code_property(gj, codes)
        have_rates = crime["rate"].notna().any()
        if prop is not None and have_rates:
            values = dict(zip(crime["ward_code"].astype(str), crime["rate"]))
            names = dict(zip(crime["ward_code"].astype(str), crime["ward_name"].astype(str)))
            out.figure(
                charts.choropleth(gj, values, prop, f"Crime per 1,000 residents by ward, {period}",
                                  legend_label="Crimes per 1,000 residents", labels=names, source="data.police.uk; ONS"),
                "ward_map",
                alt=(
                    f"Map of {ctx.cfg.name}'s {narrative.format_count(len(codes))} wards shaded by crime per 1,000 residents "
                    f"(darker is lower, brighter is higher), highest in {highest_rate_ward(crime)['ward_name']}."
                ),
                caption=f"Crime per 1,000 residents by ward, {period}. Contains OS data © Crown copyright and database right. Sources: {POLICE_UK_SOURCE}; ONS.",
            )
            lsoa_map(ctx, out, gj, prop, names)
            return
        out.note(f"The ward boundaries file {Path(path).name} has no property matching the ward codes, so a density map is shown instead.")
    points = ctx.street(ctx.year, asb=False)
    points = points[points["longitude"].notna() & points["latitude"].notna()] if "longitude" in points.columns else points.iloc[0:0]
    if points.empty:
        common.missing(ctx, out, "map points or ward boundaries")
        return
    out.figure(
        charts.density_map(points["longitude"].astype(float), points["latitude"].astype(float),
                           f"Where crime was recorded, {period}", legend_label="Crimes", source="data.police.uk"),
        "crime_density",
        alt=(
            f"Hexagonal density map of the anonymised locations of {narrative.format_count(len(points))} crimes in "
            f"{ctx.cfg.name}; brighter cells hold more crimes."
        ),
        caption=(
            f"Density of police recorded crime, {period} (police.uk anonymised map points). Ward boundaries were not "
            f"supplied (set ward_boundaries in the CSP configuration for a ward map). Source: {POLICE_UK_SOURCE}."
        ),
    )


def lsoa_map(ctx: AssessmentContext, out: ChapterOutputs, wards: dict, code_property: str, names: dict[str, str]) -> None:
    """Where crime concentrates within the wards: each LSOA's crimes as a circle at the centre of its
    records, the 10% of LSOAs with the most crime ringed, over the named ward boundaries."""
    points = lsoa_points(ctx)
    if points.empty:
        return
    period = _period(ctx)
    top = points[points["top"]]
    out.figure(
        charts.area_points_map(points, f"Where crime concentrates: crimes by LSOA, {period}", highlight="top",
                               boundaries=wards, code_property=code_property, labels=names, legend_label="Crimes",
                               highlight_label="10% of LSOAs with the most crime", source="data.police.uk; ONS"),
        "lsoa_map",
        alt=(
            f"Map of {narrative.format_count(len(points))} LSOAs of {ctx.cfg.name} as circles sized by their crimes in "
            f"{period}, over the ward boundaries; the {narrative.format_count(len(top))} LSOAs with the most crime are "
            f"ringed, the largest with {narrative.format_count(int(points['count'].iloc[0]))} crimes."
        ),
        caption=(
            f"Police recorded crime by LSOA, {period}: each circle sits at the centre of the LSOA's anonymised "
            f"police.uk map points. Contains OS data © Crown copyright and database right. Source: {POLICE_UK_SOURCE}."
        ),
    )


def concentration_section(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """How concentrated crime is: the share in the top 10% of LSOAs and of wards, and the Gini coefficient."""
    if _no_wards(ctx, out):
        return
    pc = counts.year_to_date(ctx)
    lsoa = crime_concentration(ctx, "lsoa")
    ward = crime_concentration(ctx, "ward")
    if lsoa is None:
        out.say("There was no recorded crime placed in an LSOA this year, so concentration is not measured.")
        return
    out.say(narrative.describe_top_share(lsoa.top_share, lsoa.fraction, lsoa.n_places, "LSOAs"))
    if ward is not None:
        out.say(narrative.describe_top_share(ward.top_share, ward.fraction, ward.n_places, "wards"))
    out.say(
        f"The Gini coefficient of crime across the {narrative.format_count(lsoa.n_places)} LSOAs is "
        f"{narrative.format_number(lsoa.gini, 2)}, on a scale from 0 (crime spread evenly) to 1 (all of it in one place)."
    )
    rows = [lsoa] + ([ward] if ward is not None else [])
    out.table(
        "concentration",
        pd.DataFrame(
            {
                "Places": [c.places for c in rows],
                "Number of places": pd.Series([c.n_places for c in rows], dtype="int64"),
                "Places with the most crime": pd.Series([c.n_top for c in rows], dtype="int64"),
                "Their share of the places (%)": [narrative.rounded(100 * c.n_top / c.n_places, 1) for c in rows],
                "Their share of crime (%)": [narrative.rounded(100 * c.top_share, 1) for c in rows],
                "Gini coefficient": [narrative.rounded(c.gini, 2) for c in rows],
                "Crimes": pd.Series([c.total for c in rows], dtype="int64"),
            }
        ),
        caption=f"Concentration of police recorded crime across LSOAs and wards, {ctx.cfg.name}, {pc.label}. Source: {POLICE_UK_SOURCE}.",
        count_columns=[],
    )
    source = f"{POLICE_UK_SOURCE}; ONS LSOA to ward lookup"
    out.metric(Metric(
        id="crime_top10pct_lsoa_share",
        label=(f"Share of crime in the {narrative.format_count(lsoa.n_top)} LSOAs with the most crime "
               f"({narrative.format_share(lsoa.n_top / lsoa.n_places)} of the {narrative.format_count(lsoa.n_places)})"),
        chapter=out.chapter, value=100 * lsoa.top_share, unit="percent", period=pc.period, source=source,
        note=(f"The top 10% of the {narrative.format_count(lsoa.n_places)} LSOAs, rounded up to "
              f"{narrative.format_count(lsoa.n_top)} LSOAs ({narrative.format_share(lsoa.n_top / lsoa.n_places)} of them); "
              f"{narrative.format_count(lsoa.total)} crimes."),
    ))
    out.metric(Metric(
        id="crime_gini_lsoa", label="Gini coefficient of crime across LSOAs", chapter=out.chapter,
        value=lsoa.gini, unit="Gini coefficient (0-1)", period=pc.period, source=source, decimals=2,
        note=f"Across {narrative.format_count(lsoa.n_places)} LSOAs, those without crime counting zero.",
    ))
    sentence = narrative.describe_top_share(lsoa.top_share, lsoa.fraction, lsoa.n_places, "LSOAs")
    out.finding(f"In {ctx.cfg.name}, {pc.label}, {sentence[0].lower()}{sentence[1:]}")
