"""Chapter 9, begging and rough sleeping: the street population.

Sources:

- rough sleeping: the partner file ``rough_sleeping`` (``data/raw/README.md``): the local
  authority's annual autumn snapshot (a single-night count or an evidence-based estimate, as
  reported to the Ministry of Housing, Communities and Local Government, "Rough sleeping snapshot
  in England"), with the number of households as the denominator. The rate is per 1,000
  households, as MHCLG publishes it, with PHE Poisson limits;
- begging: the same file's ``begging_incidents``, incidents logged by the partnership (police
  and council street-population records). police.uk has no begging category: begging is not a
  notifiable offence, so it is in neither police.uk street-level crime nor Home Office recorded
  crime, and begging reported as nuisance is not separable within "Anti-social behaviour";
- residents' views: the share of the resident survey who say begging / rough sleeping is a
  problem in their area (:mod:`assess.measure.survey`);
- the published snapshot: MHCLG's "Rough sleeping snapshot in England" tables (the
  ``rough_sleeping_snapshot`` table, :mod:`assess.sources.rough_sleeping`), every local
  authority, region and England by autumn, with the households each rate is per. Shown whether
  or not the partner file is present (and beside it, labelled, when it is). The rate per 1,000
  households is computed from the published count and households (so it can be recomputed from
  what is printed) and set against England's by Spiegelhalter's overdispersed funnel over the
  local authorities of England (their spread around England's rate is in the same table), and
  against the region's over the authorities of the region.

The autumn snapshot of calendar year Y (taken in October-November) falls in financial year Y/Y+1,
so the 2024 snapshot is reported for 2024/25.
"""

from __future__ import annotations

import math

import pandas as pd

from assess.chapters import common
from assess.measure.context import AssessmentContext
from assess.measure.metrics import (
    BENCHMARK_METHOD_ID,
    Denominator,
    metric_from_count,
    metric_from_rate,
)
from assess.measure.narrative import (
    change_method_note,
    describe_change,
    format_count,
    format_rate,
    format_share,
    possessive,
)
from assess.measure.national import comparison_sentence, national_benchmark
from assess.measure.survey import problem_shares, wave, waves_for_year
from assess.periods import parse_financial_year
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import (
    Comparison,
    Rate,
    change_in_totals,
    compare_with_benchmark,
    compare_with_benchmark_overdispersed,
    rate_per,
)
from assess.stats.overdispersed_funnel import estimate_overdispersion

CHAPTER = "09_begging_rough_sleeping"
PARTNER = "rough_sleeping"
SURVEY = "resident_survey"
PER_HOUSEHOLDS = 1000
RATE_BENCHMARKS = ("rough_sleeping_rate", "rough_sleeping")
SURVEY_PROBLEMS = ("problem_begging", "problem_rough_sleeping")

PUBLISHED_SOURCE = "MHCLG, Rough sleeping snapshot in England, published tables"
ENGLAND_CODE = "E92000001"
#: The file that fills the published section when it is absent (``assess fetch`` names it so).
SNAPSHOT_FILE = "rough_sleeping/<the MHCLG 'Rough sleeping snapshot in England' tables, as published>"

#: Why the changes of this chapter are tested on two totals (no monthly series exists).
SNAPSHOT_ONLY = "rough sleeping is counted on one autumn night a year: there is no monthly series"
YEARLY_ONLY = "the partnership records begging incidents by year: there is no monthly series"


# -- pure computation ----------------------------------------------------------------------------------
def snapshot_year(financial_year: str) -> int:
    """The calendar year of the autumn snapshot that falls in ``financial_year`` (2024/25 -> 2024)."""
    return parse_financial_year(financial_year)


def rough_sleeping_rate(rough_sleepers: int, households: float) -> Rate:
    """Rough sleepers per 1,000 households (MHCLG), with PHE Poisson limits."""
    return rate_per(rough_sleepers, households, PER_HOUSEHOLDS)


def rough_sleeping_table(rough: pd.DataFrame, fallback_households: float | None = None) -> pd.DataFrame:
    """One row per snapshot year (oldest first): count, method, households, rate and begging.

    Columns: year, method, rough_sleepers, households, rate_per_1000_households, lower_95,
    upper_95, begging_incidents (``Int64``, ``<NA>`` where not recorded). ``households`` falls
    back to ``fallback_households`` where the file has none.
    """
    rows = []
    for r in rough.sort_values("year").itertuples(index=False):
        hh = float(r.households) if pd.notna(r.households) and r.households > 0 else fallback_households
        rate = rough_sleeping_rate(int(r.rough_sleepers), hh) if hh else None
        rows.append(
            {
                "year": int(r.year),
                "method": str(r.method),
                "rough_sleepers": int(r.rough_sleepers),
                "households": hh,
                "rate_per_1000_households": math.nan if rate is None else rate.value,
                "lower_95": math.nan if rate is None else rate.lower,
                "upper_95": math.nan if rate is None else rate.upper,
                "begging_incidents": r.begging_incidents,
            }
        )
    cols = ["year", "method", "rough_sleepers", "households", "rate_per_1000_households", "lower_95", "upper_95",
            "begging_incidents"]
    df = pd.DataFrame(rows, columns=cols)
    return df.astype({"year": "int64", "rough_sleepers": "int64", "households": "float64",
                      "begging_incidents": "Int64"})


def snapshot(table: pd.DataFrame, year: int) -> pd.Series | None:
    """The row of ``table`` for snapshot ``year``, or None."""
    rows = table[table["year"] == year]
    return None if rows.empty else rows.iloc[0]


def street_problem_shares(survey_wave: pd.DataFrame) -> pd.DataFrame:
    """Residents saying begging and rough sleeping are a problem in their area (weighted, Wilson/Kish)."""
    return problem_shares(survey_wave, [c for c in SURVEY_PROBLEMS if c in survey_wave.columns])


def published_series(snapshot: pd.DataFrame, area_codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """The published snapshot of ``area_codes`` together, one row per autumn (oldest first).

    ``snapshot``: the ``rough_sleeping_snapshot`` table. A year counts only when every area has a
    figure in it. Columns: year, rough_sleepers (people, summed), households (summed, from the
    published thousands; NaN when an area has none), rate_per_1000_households, lower_95,
    upper_95 (PHE Poisson limits, NaN without households), published_rate (the table's own
    rate, for one area only), source_file.
    """
    rows = snapshot[snapshot["area_code"].isin(list(area_codes)) & snapshot["rough_sleepers"].notna()]
    out = []
    for year, part in rows.groupby("year", sort=True):
        if set(part["area_code"]) != set(area_codes):
            continue
        count = int(part["rough_sleepers"].sum())
        thousands = part["households_thousands"]
        households = float(thousands.sum()) * 1000 if thousands.notna().all() else math.nan
        rate = rough_sleeping_rate(count, households) if households > 0 else None
        published = part["rate_per_1000_households"]
        out.append({
            "year": int(year),
            "rough_sleepers": count,
            "households": households,
            "rate_per_1000_households": math.nan if rate is None else rate.value,
            "lower_95": math.nan if rate is None else rate.lower,
            "upper_95": math.nan if rate is None else rate.upper,
            "published_rate": float(published.iloc[0]) if len(part) == 1 and published.notna().all() else math.nan,
            "source_file": "; ".join(sorted(set(part["source_file"].dropna().astype(str)))),
        })
    cols = ["year", "rough_sleepers", "households", "rate_per_1000_households", "lower_95", "upper_95",
            "published_rate", "source_file"]
    return pd.DataFrame(out, columns=cols).astype({"year": "int64", "rough_sleepers": "int64", "households": "float64"})


def region_code(snapshot: pd.DataFrame, area_codes: list[str] | tuple[str, ...]) -> str | None:
    """The code of the region the areas lie in, when the table gives one region for them all and holds its row."""
    names = snapshot.loc[snapshot["area_code"].isin(list(area_codes)), "region_name"].dropna().astype(str)
    names = {" ".join(n.lower().split()) for n in names}
    if len(names) != 1:
        return None
    regions = snapshot[snapshot["area_type"] == "region"]
    match = regions[regions["area_name"].astype(str).str.lower().str.split().str.join(" ") == names.pop()]
    return None if match.empty else str(match["area_code"].iloc[0])


def authorities_of(snapshot: pd.DataFrame, year: int, region: str | None = None) -> pd.DataFrame:
    """The local authorities of ``year`` with a count and households (those of ``region``'s name when given)."""
    la = snapshot[(snapshot["area_type"] == "la") & (snapshot["year"] == year)
                  & snapshot["rough_sleepers"].notna() & (snapshot["households_thousands"] > 0)]
    if region is not None:
        name = snapshot.loc[snapshot["area_code"] == region, "area_name"].astype(str)
        if name.empty:
            return la.iloc[:0]
        wanted = " ".join(name.iloc[0].lower().split())
        la = la[la["region_name"].astype("string").str.lower().str.split().str.join(" ") == wanted]
    return la


def compare_with_area(snapshot: pd.DataFrame, rate: Rate, year: int, benchmark_rate: float,
                      region: str | None = None) -> Comparison:
    """``rate`` (per 1,000 households) against a benchmark rate, allowing for the spread of the
    local authorities around it (Spiegelhalter's overdispersed funnel over England's authorities,
    or ``region``'s); PHE's test when fewer than three authorities are known."""
    la = authorities_of(snapshot, year, region)
    if len(la) < 3:
        return compare_with_benchmark(rate, benchmark_rate)
    od = estimate_overdispersion(la["rough_sleepers"].astype("int64").to_numpy(),
                                 (la["households_thousands"].astype("float64") * 1000).to_numpy(),
                                 benchmark_rate, per=PER_HOUSEHOLDS)
    return compare_with_benchmark_overdispersed(rate.count, rate.denominator, benchmark_rate, od, per=PER_HOUSEHOLDS)


# -- helpers -------------------------------------------------------------------------------------------
def _with_article(noun: str) -> str:
    """``"count"`` -> ``"a count"``; ``"evidence-based estimate"`` -> ``"an evidence-based estimate"``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _source(ctx: AssessmentContext) -> str:
    return f"{ctx.cfg.name} rough sleeping snapshot returns to MHCLG and partnership begging records (partner data)"


def _households_record(ctx: AssessmentContext, households: float, year: int) -> Denominator:
    """Where the households of the partner rate come from: the partner file, or the household estimate."""
    rough = ctx.partner(PARTNER)
    given = None if rough is None else rough.loc[rough["year"] == year, "households"]
    if given is not None and len(given) and pd.notna(given.iloc[0]) and float(given.iloc[0]) == households:
        return Denominator(value=households, unit="households", period=str(year), source=f"{_source(ctx)}, households")
    est = ctx.population_estimate("households")
    if est is not None and est.value == households:
        return est.denominator("households")
    return Denominator(value=households, unit="households", period=str(year))


def _load(ctx: AssessmentContext, out: ChapterOutputs, what: str) -> tuple[pd.DataFrame, int] | None:
    rough = common.partner_data(ctx, out, PARTNER, what)
    if rough is None:
        return None
    table = rough_sleeping_table(rough, ctx.households)
    year = snapshot_year(ctx.year)
    table = table[table["year"] <= year].reset_index(drop=True)
    if snapshot(table, year) is None:
        out.say(f"*The rough sleeping file has no snapshot for autumn {year} (in {ctx.year}), so {what} is not shown.*")
        return None
    return table, year


# -- sections ------------------------------------------------------------------------------------------
def rough_sleeping(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Rough sleepers on the snapshot night over the years, and the rate per 1,000 households against England."""
    loaded = _load(ctx, out, "rough sleeping")
    if loaded is None:
        return
    table, year = loaded
    row = snapshot(table, year)
    prev = snapshot(table, year - 1)
    assert row is not None
    count = int(row["rough_sleepers"])
    method = "counted" if row["method"] == "count" else "estimated"
    text = f"On the autumn {year} snapshot night, {format_count(count)} people were {method} sleeping rough in {ctx.cfg.name}."
    change = None
    if prev is not None:
        change = change_in_totals(int(prev["rough_sleepers"]), count, reason=SNAPSHOT_ONLY)
        text += " " + describe_change(f"Compared with autumn {year - 1}, the number", change, unit="")
        if prev["method"] != row["method"]:
            text += (
                f" (The {year - 1} figure was {_with_article(str(prev['method']))} and this one "
                f"{_with_article(str(row['method']))}, so the two are not strictly comparable.)"
            )
    out.say(text)
    if change is not None:
        out.note(change_method_note(change, "Changes in rough sleeping"))
    out.table(
        "rough_sleeping",
        table.drop(columns=["begging_incidents"]),
        caption=f"Rough sleeping snapshot by year, {ctx.cfg.name}: people sleeping rough on one autumn night "
        "(count or estimate), households, and rate per 1,000 households with 95% interval "
        "(source: local authority returns to MHCLG, partner data)",
        count_columns=["rough_sleepers"],
        decimals={"households": 0, "rate_per_1000_households": 2, "lower_95": 2, "upper_95": 2},
    )
    out.figure(
        charts.line_trend(
            table.assign(year=table["year"].astype(str)), "year", "rough_sleepers",
            title="People sleeping rough on the autumn snapshot night", ylabel="People", source=_source(ctx),
        ),
        "rough_sleeping_trend",
        alt=f"Line chart of people sleeping rough in {ctx.cfg.name} on the autumn snapshot night, "
        f"{table['year'].iloc[0]} to {table['year'].iloc[-1]}.",
        caption="Rough sleeping snapshot (count or evidence-based estimate) by year.",
    )
    out.metric(
        metric_from_count(
            "rough_sleepers",
            "People sleeping rough on the autumn snapshot night",
            CHAPTER,
            count,
            None if prev is None else int(prev["rough_sleepers"]),
            str(year),
            None if prev is None else str(year - 1),
            None,
            _source(ctx),
            unit="people",
            note=f"Autumn {year} snapshot ({row['method']}).",
            no_series=SNAPSHOT_ONLY,
        )
    )
    hh = row["households"]
    if pd.isna(hh):
        out.say("*The number of households is not known, so no rate is given.*")
        out.finding(text, display=False)
        return
    rate = rough_sleeping_rate(count, float(hh))
    bench = national_benchmark(ctx, RATE_BENCHMARKS, str(year))
    rate_text = (
        f"That is {format_rate(rate.value, 2)} rough sleepers per 1,000 households "
        f"(95% interval {format_rate(rate.lower, 2)} to {format_rate(rate.upper, 2)})."
    )
    rate_text += " " + comparison_sentence(
        ctx.cfg.name, rate, bench, unit="per 1,000 households", decimals=2,
        absent="There is no national rate in the benchmarks file.",
    )
    out.say(rate_text)
    previous_rate = None
    if prev is not None and pd.notna(prev["households"]):
        previous_rate = rough_sleeping_rate(int(prev["rough_sleepers"]), float(prev["households"]))
    out.metric(
        metric_from_rate(
            "rough_sleeping_rate",
            "Rough sleepers per 1,000 households (autumn snapshot)",
            CHAPTER,
            rate,
            str(year),
            _source(ctx),
            previous=previous_rate,
            previous_period=str(year - 1),
            comparators={ctx.cfg.national_name: bench.value} if bench is not None else None,
            unit="per 1,000 households",
            denominator=_households_record(ctx, float(hh), year),
            previous_denominator=None if previous_rate is None else _households_record(
                ctx, float(prev["households"]), year - 1),
            note=None if bench is None else f"National figure for {bench.period}: {bench.source}.",
            decimals=2,
            no_series=SNAPSHOT_ONLY,
        )
    )
    out.finding(f"{text} {rate_text}", display=False)


def begging(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Begging incidents recorded by the partnership over the years (not a police.uk category)."""
    loaded = _load(ctx, out, "begging")
    if loaded is None:
        return
    table, year = loaded
    out.say(
        "Begging is not a police.uk category and not a notifiable offence, so it appears in neither police.uk "
        "street-level crime nor Home Office recorded crime. The figures here are the incidents of begging "
        "the partnership logged (police and council street-population records), as supplied in the rough "
        "sleeping file."
    )
    data = table.dropna(subset=["begging_incidents"])
    row = snapshot(data, year)
    if row is None:
        common.missing(ctx, out, f"begging incidents in {year}", PARTNER)
        return
    count = int(row["begging_incidents"])
    prev = snapshot(data, year - 1)
    text = f"The partnership recorded {format_count(count)} begging incidents in {year}."
    if prev is not None:
        change = change_in_totals(int(prev["begging_incidents"]), count, reason=YEARLY_ONLY)
        text += " " + describe_change(f"Compared with {year - 1}, begging incidents", change, unit="")
    out.say(text)
    if prev is not None:
        out.note(change_method_note(change, "Changes in begging incidents"))
    out.table(
        "begging",
        data[["year", "begging_incidents"]].reset_index(drop=True),
        caption=f"Begging incidents recorded by the partnership by year, {ctx.cfg.name} "
        "(source: partnership street-population records, partner data; not police.uk)",
        count_columns=["begging_incidents"],
    )
    if len(data) >= 2:
        out.figure(
            charts.line_trend(
                data.assign(year=data["year"].astype(str)), "year", "begging_incidents",
                title="Begging incidents recorded by the partnership", ylabel="Incidents", source=_source(ctx),
            ),
            "begging_trend",
            alt=f"Line chart of begging incidents recorded in {ctx.cfg.name}, {data['year'].iloc[0]} to {data['year'].iloc[-1]}.",
            caption="Begging incidents recorded by the partnership, by year.",
        )
    out.metric(
        metric_from_count(
            "begging_incidents",
            "Begging incidents recorded by the partnership",
            CHAPTER,
            count,
            None if prev is None else int(prev["begging_incidents"]),
            str(year),
            None if prev is None else str(year - 1),
            None,
            _source(ctx),
            unit="incidents",
            note="Partnership records; begging is not a police.uk category.",
            no_series=YEARLY_ONLY,
        )
    )
    out.finding(text, display=False)


def residents_views(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The share of residents who say begging and rough sleeping are a problem in their area."""
    survey = common.partner_data(ctx, out, SURVEY, "residents' views of begging and rough sleeping")
    if survey is None:
        return
    current, previous = waves_for_year(survey, ctx.year)
    if current is None:
        out.say(f"*The resident survey holds no wave for {ctx.year} or earlier.*")
        return
    shares = street_problem_shares(wave(survey, current))
    if shares.empty:
        out.say("*The resident survey did not ask about begging or rough sleeping.*")
        return
    prev_shares = street_problem_shares(wave(survey, previous)) if previous is not None else pd.DataFrame()
    table = shares.drop(columns=["problem"]).rename(columns={"label": "problem", "lower": "lower_95", "upper": "upper_95"})
    if not prev_shares.empty:
        table[f"percent_{previous}"] = table["problem"].map(prev_shares.set_index("label")["percent"])
    out.table(
        "residents_views",
        table,
        caption=f"Residents saying begging / rough sleeping is a problem in their area, {ctx.cfg.name}, resident "
        f"survey {current} (weighted percent with 95% interval)",
        count_columns=["respondents", "ticked"],
        decimals=1,
    )
    sentences = [
        f"{format_share(r.percent / 100)} of respondents to the {current} resident survey "
        f"(95% interval {format_share(r.lower / 100)} to {format_share(r.upper / 100)}) said "
        f"{r.label.lower()} was a problem in their area."
        for r in shares.itertuples(index=False)
    ]
    out.say(" ".join(sentences))


# -- the published snapshot (MHCLG tables) ----------------------------------------------------------------
_PHRASE = {"significantly higher": "significantly higher than", "significantly lower": "significantly lower than",
           "similar": "not significantly different from"}


def _comparison_sentence(name: str, comparison: Comparison, benchmark: str, rate: float, people: int) -> str:
    """"Allowing for the variation between local authorities, X's rate is ... England's, 0.18 per 1,000 households (4,134 people)."."""
    text = (f"{possessive(name)} rate is {_PHRASE[comparison.verdict]} {possessive(benchmark)}, "
            f"{format_rate(rate, 2)} per 1,000 households ({format_count(people)} people).")
    if getattr(comparison, "adjustment", "none") != "none":
        text = "Allowing for the variation between local authorities, " + text
    return text


def _method_id(comparison: Comparison) -> str:
    return getattr(comparison, "method_id", "") or BENCHMARK_METHOD_ID


def published_rough_sleeping(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The published MHCLG snapshot: people sleeping rough over the years held, the rate per 1,000
    households, against England (and the region where the table gives it); beside the partner file."""
    snap = ctx.rough_sleeping_snapshot
    year = snapshot_year(ctx.year)
    local = published_series(snap, ctx.cfg.lad_codes) if not snap.empty else pd.DataFrame()
    if local.empty or snapshot(local, year) is None:
        held = "" if local.empty else f" (the tables held end in autumn {int(local['year'].max())})"
        out.say(
            f"*The published rough sleeping snapshot of autumn {year} for {ctx.cfg.name} is not in the data{held}. "
            f"Download MHCLG's \"Rough sleeping snapshot in England: autumn {year}\" tables into `{SNAPSHOT_FILE}` "
            "(or run `assess fetch`) to include it.*"
        )
        return
    local = local[local["year"] <= year].reset_index(drop=True)
    england = published_series(snap, [ENGLAND_CODE])
    region = region_code(snap, ctx.cfg.lad_codes)
    regional = published_series(snap, [region]) if region else pd.DataFrame(columns=england.columns)
    row, prev = snapshot(local, year), snapshot(local, year - 1)
    assert row is not None
    count = int(row["rough_sleepers"])
    sentences = [
        (f"In the snapshot tables MHCLG published (Rough sleeping snapshot in England), {format_count(count)} people "
         f"were sleeping rough in {ctx.cfg.name} on the autumn {year} snapshot night.")
    ]
    change = None
    if prev is not None:
        change = change_in_totals(int(prev["rough_sleepers"]), count, reason=SNAPSHOT_ONLY)
        sentences.append(describe_change(f"Compared with autumn {year - 1}, the number", change, unit=""))
    partner = ctx.partner(PARTNER)
    if partner is not None and not partner.empty and (partner["year"] == year).any():
        own = int(partner.loc[partner["year"] == year, "rough_sleepers"].iloc[0])
        same = "the same figure" if own == count else f"{format_count(own)}"
        sentences.append(f"The partnership's own rough sleeping file (partner data, above) gives {same} for autumn {year}.")
    comparators: dict[str, float | None] = {}
    verdicts: dict[str, str] = {}
    methods: dict[str, str] = {}
    dispersion: dict[str, float] = {}
    rate = None
    hh = float(row["households"])
    if not math.isnan(hh):
        rate = rough_sleeping_rate(count, hh)
        sentences.append(
            f"That is {format_rate(rate.value, 2)} per 1,000 households (95% interval {format_rate(rate.lower, 2)} to "
            f"{format_rate(rate.upper, 2)}; {format_count(round(hh))} households, the figure the same table gives for {year})."
        )
        for name, code, series in ((ctx.cfg.national_name, None, england),
                                   (_region_name(snap, region), region, regional)):
            bench = snapshot(series, year) if not series.empty else None
            if bench is None or math.isnan(bench["rate_per_1000_households"]):
                continue
            comparison = compare_with_area(snap, rate, year, float(bench["rate_per_1000_households"]), code)
            comparators[name] = float(bench["rate_per_1000_households"])
            verdicts[name] = comparison.verdict
            methods[name] = _method_id(comparison)
            if getattr(comparison, "adjustment", "none") != "none":
                dispersion[name] = float(comparison.phi)
            sentences.append(_comparison_sentence(ctx.cfg.name, comparison, name,
                                                  float(bench["rate_per_1000_households"]), int(bench["rough_sleepers"])))
    out.say(" ".join(sentences))
    if change is not None:
        out.note(change_method_note(change, "Changes in the published snapshot"))
    if methods:
        out.note(
            "The comparisons use Spiegelhalter's funnel over the local authorities in the same table: a rate is called "
            "higher or lower only if it lies outside what the spread of authorities like it allows (see funnel plot in "
            "the glossary). Both rates are crude rates per 1,000 households, from the same table."
        )
    table = local.drop(columns=["source_file"]).copy()
    for name, series in ((ctx.cfg.national_name, england), (_region_name(snap, region), regional)):
        if not series.empty:
            table[f"{name} rate_per_1000_households"] = table["year"].map(
                series.set_index("year")["rate_per_1000_households"])
    out.table(
        "rough_sleeping_published",
        table,
        caption=f"Rough sleeping snapshot by autumn, {ctx.cfg.name} (published figures): people sleeping rough on one "
        "night, households, rate per 1,000 households with 95% interval (computed), the rate the table publishes, and "
        f"the comparators' rates (source: {PUBLISHED_SOURCE}; files: {'; '.join(sorted(set(local['source_file'])))})",
        count_columns=["rough_sleepers"],
        derived={"rough_sleepers": ["rate_per_1000_households", "lower_95", "upper_95", "published_rate"]},
        decimals={"households": 0, "rate_per_1000_households": 2, "lower_95": 2, "upper_95": 2, "published_rate": 3,
                  **{c: 2 for c in table.columns if c.endswith(" rate_per_1000_households")}},
    )
    out.figure(
        charts.line_trend(
            local.assign(year=local["year"].astype(str)), "year", "rough_sleepers",
            title="People sleeping rough on the autumn snapshot night (published)", ylabel="People",
            source=PUBLISHED_SOURCE,
        ),
        "rough_sleeping_published_trend",
        alt=f"Line chart of people sleeping rough in {ctx.cfg.name} on the autumn snapshot night as MHCLG published it, "
        f"{local['year'].iloc[0]} to {local['year'].iloc[-1]}.",
        caption="Rough sleeping snapshot by autumn, as published by MHCLG.",
    )
    out.metric(
        metric_from_count(
            "rough_sleepers_published",
            "People sleeping rough on the autumn snapshot night (MHCLG published tables)",
            CHAPTER,
            count,
            None if prev is None else int(prev["rough_sleepers"]),
            str(year),
            None if prev is None else str(year - 1),
            None if rate is None else hh,
            f"{PUBLISHED_SOURCE} ({row['source_file']})",
            unit="people",
            per=PER_HOUSEHOLDS,
            comparators=comparators or None,
            change=change,
            previous_population=None if rate is None or prev is None or math.isnan(prev["households"]) else Denominator(
                value=float(prev["households"]), unit="households", period=str(year - 1),
                source=f"{PUBLISHED_SOURCE}: number of households {year - 1} ('000), {prev['source_file']}"),
            comparison_verdicts=verdicts,
            comparison_methods=methods,
            comparison_dispersion=dispersion,
            denominator=None if rate is None else Denominator(
                value=hh, unit="households", period=str(year),
                source=f"{PUBLISHED_SOURCE}: number of households {year} ('000), {row['source_file']}"),
            note=f"Autumn {year} snapshot as published; rate per 1,000 households.",
        )
    )
    out.finding(" ".join(sentences[:2]), display=False)


def _region_name(snapshot: pd.DataFrame, code: str | None) -> str:
    if code is None:
        return "region"
    names = snapshot.loc[snapshot["area_code"] == code, "area_name"].dropna().astype(str)
    return names.iloc[0] if not names.empty else "region"
