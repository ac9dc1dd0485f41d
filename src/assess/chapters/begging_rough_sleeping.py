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
  problem in their area (:mod:`assess.measure.survey`).

The autumn snapshot of calendar year Y (taken in October-November) falls in financial year Y/Y+1,
so the 2024 snapshot is reported for 2024/25.
"""

from __future__ import annotations

import math

import pandas as pd

from assess.chapters import common
from assess.measure.context import AssessmentContext
from assess.measure.metrics import metric_from_count, metric_from_rate
from assess.measure.narrative import (
    change_method_note,
    describe_change,
    format_count,
    format_rate,
    format_share,
)
from assess.measure.national import comparison_sentence, national_benchmark
from assess.measure.survey import problem_shares, wave, waves_for_year
from assess.periods import parse_financial_year
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import Rate, change_in_totals, rate_per

CHAPTER = "09_begging_rough_sleeping"
PARTNER = "rough_sleeping"
SURVEY = "resident_survey"
PER_HOUSEHOLDS = 1000
RATE_BENCHMARKS = ("rough_sleeping_rate", "rough_sleeping")
SURVEY_PROBLEMS = ("problem_begging", "problem_rough_sleeping")

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


# -- helpers -------------------------------------------------------------------------------------------
def _with_article(noun: str) -> str:
    """``"count"`` -> ``"a count"``; ``"evidence-based estimate"`` -> ``"an evidence-based estimate"``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _source(ctx: AssessmentContext) -> str:
    return f"{ctx.cfg.name} rough sleeping snapshot returns to MHCLG and partnership begging records (partner data)"


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
