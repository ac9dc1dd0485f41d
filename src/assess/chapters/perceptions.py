"""Chapter 4, perceptions of crime and safety: what the resident survey says.

Source: the partnership's resident (community safety) survey, partner file ``resident_survey``
(one row per respondent; ``data/raw/README.md``), and national comparators from the partner file
``benchmarks`` (e.g. the Crime Survey for England and Wales, ONS). Shares are weighted when the
file carries weights; "Don't know" and blank answers are left out of each question's base; every
percentage has a 95% Wilson interval on Kish's effective sample size (:mod:`assess.measure.survey`).
Changes between two survey waves use the two-proportion z-test on the effective sample sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assess.chapters import common
from assess.measure.context import AssessmentContext
from assess.measure.metrics import metric_from_proportion
from assess.measure.narrative import describe_change, format_count, format_share
from assess.measure.national import Benchmark, comparison_sentence, national_benchmark
from assess.measure.survey import (
    AGREE,
    AGREEMENT_SCALE,
    CRIME_CHANGE_SCALE,
    KISH_NOTE,
    SAFE,
    SAFETY_SCALE,
    UNWEIGHTED_NOTE,
    SurveyShare,
    answer_distribution,
    answer_share,
    problem_shares,
    usable_weights,
    wave,
    waves_for_year,
)
from assess.report import charts
from assess.report.outputs import ChapterOutputs
from assess.stats import Change, change_in_proportions

CHAPTER = "04_perceptions"
#: How the chapter explains its percentages to a reader (the method: KISH_NOTE, assess.measure.survey).
WEIGHTED_WORDS = (
    "Percentages are weighted by the survey's weights, so that the respondents stand for the residents. "
    "Each has a 95% confidence interval computed on the survey's effective sample size, which is smaller than "
    "the number who answered because weighting adds uncertainty."
)
UNWEIGHTED_WORDS = "Percentages are of the respondents who answered (unweighted), each with its 95% confidence interval."
PARTNER = "resident_survey"


@dataclass(frozen=True)
class Question:
    """A survey question reported as the share giving one of ``positive`` answers.

    ``benchmarks`` are the names its national figure may have in the benchmarks file's
    ``measure`` column (tried in turn); the metric id comes first.
    """

    metric_id: str
    column: str
    positive: tuple[str, ...]
    label: str
    scale: tuple[str, ...]
    benchmarks: tuple[str, ...] = ()

    @property
    def benchmark_measures(self) -> tuple[str, ...]:
        return (self.metric_id, *self.benchmarks)


QUESTIONS: dict[str, Question] = {
    q.metric_id: q
    for q in (
        Question("feel_safe_day", "safe_day", SAFE, "Feel safe in their local area during the day", SAFETY_SCALE),
        Question("feel_safe_after_dark", "safe_after_dark", SAFE, "Feel safe in their local area after dark", SAFETY_SCALE),
        Question(
            "perceive_more_crime", "crime_change", ("More crime",),
            "Think there is more crime in their area than a year ago", CRIME_CHANGE_SCALE,
            ("perceive_more_crime_locally",),
        ),
        Question(
            "agree_police_deal", "police_deal", AGREE,
            "Agree the police deal with the crime and ASB issues that matter locally", AGREEMENT_SCALE,
            ("police_deal_agree",),
        ),
        Question(
            "agree_council_deal", "council_deal", AGREE,
            "Agree the council deals with the crime and ASB issues that matter locally", AGREEMENT_SCALE,
            ("council_deal_agree",),
        ),
    )
}


@dataclass(frozen=True)
class SurveyWaves:
    """The survey wave reported for the assessment year and the wave before it (if any)."""

    current_label: str
    current: pd.DataFrame
    previous_label: str | None
    previous: pd.DataFrame | None


@dataclass(frozen=True)
class QuestionResult:
    """A question's share in the current wave, in the previous one, and the change between them."""

    question: Question
    current: SurveyShare | None
    previous: SurveyShare | None
    change: Change | None


def select_waves(survey: pd.DataFrame, year: str) -> SurveyWaves | None:
    """The wave to report for financial year ``year`` (the latest not after it) and the one before."""
    current, previous = waves_for_year(survey, year)
    if current is None:
        return None
    return SurveyWaves(
        current_label=str(current),
        current=wave(survey, current),
        previous_label=None if previous is None else str(previous),
        previous=None if previous is None else wave(survey, previous),
    )


def question_result(waves: SurveyWaves, question: Question) -> QuestionResult:
    """The share answering ``question`` positively in both waves and the test of the change."""
    current = answer_share(waves.current, question.column, question.positive, label=question.label)
    previous = None
    if waves.previous is not None:
        previous = answer_share(waves.previous, question.column, question.positive, label=question.label)
    change = None
    if current is not None and previous is not None:
        change = change_in_proportions(previous.as_proportion(), current.as_proportion())
    return QuestionResult(question, current, previous, change)


def headline_table(results: list[QuestionResult], waves: SurveyWaves) -> pd.DataFrame:
    """One row per question: respondents, %, 95% interval, previous %, change and its verdict.

    Percentages are weighted shares of respondents who gave an answer other than "Don't know"
    (0-100); ``change_points`` is in percentage points.
    """
    rows = []
    for r in results:
        if r.current is None:
            continue
        rows.append(
            {
                "measure": r.question.label,
                "respondents": r.current.respondents,
                "dont_know_or_blank": r.current.excluded,
                "percent": r.current.percent,
                "lower_95": 100.0 * r.current.lower,
                "upper_95": 100.0 * r.current.upper,
                f"percent_{waves.previous_label}": None if r.previous is None else r.previous.percent,
                "change_points": None if r.change is None else 100.0 * r.change.absolute,
                "change": None if r.change is None else r.change.verdict,
            }
        )
    df = pd.DataFrame(rows)
    if not waves.previous_label and not df.empty:
        df = df.drop(columns=[c for c in df.columns if c.startswith("percent_") or c.startswith("change")])
    for c in ("respondents", "dont_know_or_blank"):
        if c in df.columns:
            df[c] = df[c].astype("int64")
    return df


def lower_first(text: str) -> str:
    """``"Feel safe ..."`` -> ``"feel safe ..."``: lower-case the first letter only (keeps "ASB")."""
    return text[:1].lower() + text[1:]


def share_sentence(share: SurveyShare, who: str = "respondents") -> str:
    """"71.2% of the 812 respondents who answered (95% interval 68.0% to 74.2%) feel ..."""
    return (
        f"{format_share(share.value)} of the {format_count(share.respondents)} {who} who answered "
        f"(95% interval {format_share(share.lower)} to {format_share(share.upper)}) "
        f"{lower_first(share.label)}."
    )


def _source(ctx: AssessmentContext, waves: SurveyWaves) -> str:
    return f"{ctx.cfg.display_name} resident survey {waves.current_label} (partner data)"


def _load(ctx: AssessmentContext, out: ChapterOutputs, what: str) -> SurveyWaves | None:
    survey = common.partner_data(ctx, out, PARTNER, what)
    if survey is None:
        return None
    waves = select_waves(survey, ctx.year)
    if waves is None:
        out.say(f"*The resident survey holds no wave for {ctx.year} or earlier, so {what} is not shown.*")
    return waves


def _answered(waves: SurveyWaves, metric_ids: tuple[str, ...]) -> list[QuestionResult]:
    """The results of the questions ``metric_ids`` (keys of :data:`QUESTIONS`) that someone answered."""
    results = [question_result(waves, QUESTIONS[m]) for m in metric_ids]
    return [r for r in results if r.current is not None]


def _report(ctx: AssessmentContext, out: ChapterOutputs, result: QuestionResult, waves: SurveyWaves) -> Benchmark | None:
    """Say a question's share, its change since the last wave and how it compares with the national
    figure; publish its metric. Returns the national benchmark (None when there is none)."""
    current, question = result.current, result.question
    assert current is not None
    out.say(share_sentence(current))
    if result.change is not None:
        out.say(describe_change(f"The share who {lower_first(question.label)}", result.change))
    bench = national_benchmark(ctx, question.benchmark_measures, ctx.year)
    out.say(comparison_sentence(ctx.cfg.name, current.as_proportion(), bench))
    note = KISH_NOTE if current.weighted else UNWEIGHTED_NOTE
    note += f" Base: {format_count(current.respondents)} respondents; 'Don't know' excluded."
    comparators = {}
    if bench is not None:
        comparators[ctx.cfg.national_name] = bench.as_percent()
        note += f" National figure for {bench.period}: {bench.source}."
    out.metric(
        metric_from_proportion(
            question.metric_id,
            question.label,
            CHAPTER,
            current.as_proportion(),
            waves.current_label,
            _source(ctx, waves),
            previous=None if result.previous is None else result.previous.as_proportion(),
            previous_period=waves.previous_label,
            comparators=comparators,
            note=note,
        )
    )
    return bench


# -- sections ---------------------------------------------------------------------------------------
def about_the_survey(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Which survey wave is reported, its sample, its weighting and its caveats."""
    waves = _load(ctx, out, "residents' perceptions")
    if waves is None:
        return
    n = len(waves.current)
    weighted = usable_weights(waves.current) is not None
    text = (
        f"This chapter reports the {waves.current_label} wave of the partnership's resident survey, "
        f"answered by {format_count(n)} residents of {ctx.cfg.name}."
    )
    if waves.previous_label:
        text += (
            f" It is compared with the {waves.previous_label} wave "
            f"({format_count(len(waves.previous))} respondents)."
        )
    out.say(text)
    out.say(WEIGHTED_WORDS if weighted else UNWEIGHTED_WORDS)
    out.note(
        "The resident survey is a sample: each percentage carries sampling error, shown by its 95% interval, "
        f"and a difference between waves or with {ctx.cfg.national_name} is called significant only when a test "
        "says so. "
        "Respondents choose to take part (self-selection), so those who answer may differ from those who "
        "do not even after weighting. 'Don't know' and blank answers are excluded from each question's base."
    )


def feeling_safe(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Feeling safe during the day and after dark: against the last wave and the national figure."""
    waves = _load(ctx, out, "feeling safe")
    if waves is None:
        return
    results = _answered(waves, ("feel_safe_day", "feel_safe_after_dark"))
    if not results:
        out.say("*No respondent answered the questions on feeling safe.*")
        return
    chart_rows = []
    for r in results:
        assert r.current is not None
        bench = _report(ctx, out, r, waves)
        when = "During the day" if r.question.column == "safe_day" else "After dark"
        chart_rows.append({"bar": f"{when}, {waves.current_label}", "percent": r.current.percent,
                           "lower": 100 * r.current.lower, "upper": 100 * r.current.upper})
        if r.previous is not None:
            chart_rows.append({"bar": f"{when}, {waves.previous_label}", "percent": r.previous.percent,
                               "lower": 100 * r.previous.lower, "upper": 100 * r.previous.upper})
        if bench is not None:
            chart_rows.append({"bar": f"{when}, {bench.label}", "percent": bench.as_percent(),
                               "lower": bench.as_percent(), "upper": bench.as_percent()})
    out.table(
        "feeling_safe",
        headline_table(results, waves),
        caption=f"Residents who feel very or fairly safe in their local area, {ctx.cfg.name}, resident survey "
        f"{waves.current_label} (percent of those answering, 'Don't know' excluded; 95% intervals)",
        count_columns=["respondents", "dont_know_or_blank"],
        decimals=1,
    )
    chart = pd.DataFrame(chart_rows)
    current_bars = [b for b in chart["bar"] if b.endswith(waves.current_label)]
    out.figure(
        charts.bar_with_highlight(
            chart, "bar", "percent", current_bars,
            title="Residents who feel safe in their local area", xlabel="Percent feeling very or fairly safe",
            national=None, sort=False, lower="lower", upper="upper", source=_source(ctx, waves),
        ),
        "feeling_safe",
        alt="Horizontal bars of the percentage of residents feeling safe during the day and after dark, "
        "this survey wave highlighted, with the previous wave and the national figure where available, "
        "and 95% intervals.",
        caption=f"Feeling safe during the day and after dark, resident survey {waves.current_label}.",
    )
    after_dark = next((r for r in results if r.question.column == "safe_after_dark"), results[0])
    assert after_dark.current is not None
    finding = share_sentence(after_dark.current)
    if after_dark.change is not None:
        finding += " " + describe_change("This share", after_dark.change)
    out.finding(finding, display=False)


def perceived_crime_change(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Whether residents think crime in their area has risen, stayed the same or fallen."""
    waves = _load(ctx, out, "perceived change in crime")
    if waves is None:
        return
    result = question_result(waves, QUESTIONS["perceive_more_crime"])
    if result.current is None:
        out.say("*No respondent answered the question on the change in local crime.*")
        return
    out.table(
        "crime_change",
        answer_distribution(waves.current, "crime_change", CRIME_CHANGE_SCALE),
        caption=f"'Over the past year, has crime in your area changed?', {ctx.cfg.name}, resident survey "
        f"{waves.current_label} (respondents and weighted percent of all answers)",
        count_columns=["respondents"],
        decimals=1,
    )
    _report(ctx, out, result, waves)


def local_problems(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """The problems residents say are a problem in their area, highest share first."""
    waves = _load(ctx, out, "local problems")
    if waves is None:
        return
    shares = problem_shares(waves.current)
    if shares.empty:
        out.say("*The survey asked no 'is this a problem in your area' questions.*")
        return
    out.table(
        "local_problems",
        shares.drop(columns=["problem"]).rename(columns={"label": "problem", "lower": "lower_95", "upper": "upper_95"}),
        caption=f"Residents saying each issue is a problem in their area, {ctx.cfg.name}, resident survey "
        f"{waves.current_label} (weighted percent of those answering, with 95% intervals)",
        count_columns=["respondents", "ticked"],
        decimals=1,
    )
    top = shares.head(3)
    out.figure(
        charts.bar_with_highlight(
            shares, "label", "percent", top["label"].tolist(),
            title="What residents say is a problem in their area", xlabel="Percent of respondents",
            national=None, lower="lower", upper="upper", source=_source(ctx, waves),
        ),
        "local_problems",
        alt="Horizontal bars of the percentage of residents naming each issue as a problem in their area, "
        "highest first, the top three highlighted, with 95% intervals.",
        caption=f"Issues residents see as a problem in their area, resident survey {waves.current_label}.",
    )
    first = shares.iloc[0]
    text = (
        f"The issue residents most often called a problem was {str(first['label']).lower()}: "
        f"{format_share(first['percent'] / 100)} of respondents (95% interval {format_share(first['lower'] / 100)} "
        f"to {format_share(first['upper'] / 100)})."
    )
    if len(shares) > 1:
        second = shares.iloc[1]
        text += f" Next came {str(second['label']).lower()} ({format_share(second['percent'] / 100)})."
    out.say(text)
    out.finding(text, display=False)


def confidence_in_agencies(ctx: AssessmentContext, out: ChapterOutputs) -> None:
    """Agreement that the police and the council deal with the crime and ASB issues that matter."""
    waves = _load(ctx, out, "confidence in the police and the council")
    if waves is None:
        return
    results = _answered(waves, ("agree_police_deal", "agree_council_deal"))
    if not results:
        out.say("*No respondent answered the questions on the police and the council.*")
        return
    for r in results:
        _report(ctx, out, r, waves)
    out.table(
        "confidence",
        headline_table(results, waves),
        caption=f"Residents who strongly or tend to agree that the police / the council deal with the crime and "
        f"ASB issues that matter, {ctx.cfg.name}, resident survey {waves.current_label} "
        "(percent of those answering, 'Don't know' excluded; 95% intervals)",
        count_columns=["respondents", "dont_know_or_blank"],
        decimals=1,
    )
    police = next((r for r in results if r.question.column == "police_deal"), None)
    if police is not None and police.current is not None:
        out.finding(share_sentence(police.current), display=False)
