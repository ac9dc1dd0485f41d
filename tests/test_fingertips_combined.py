"""A CSP of several local authorities and a Fingertips indicator (issue 10): where each authority's
rows give count and denominator, they are summed and the figure recomputed with its 95% limits
(Byar's method for a rate, Wilson's for a proportion, as Fingertips computes them), naming the
authorities combined; where they cannot be combined (an age-standardised rate, a missing count),
the chapter says so, with each authority's own figure, rather than show nothing.

On the real export of ../shared/data/fingertips/ (campylobacter, not a community-safety
indicator: here for its format), for Southampton and Portsmouth together."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from assess.chapters import published_indicators
from assess.config import Area
from assess.measure import indicators as ind
from assess.measure.context import AssessmentContext
from assess.report.outputs import ChapterOutputs
from assess.stats import proportion

SOUTHAMPTON, PORTSMOUTH = "E06000045", "E06000044"
METRIC = "campylobacter_rate"


def byar(count: int, per: float, denominator: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Byar's approximate 95% Poisson limits of a rate (Breslow & Day 1987), written out here."""
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower / denominator * per, upper / denominator * per


@pytest.fixture
def real(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    from assess.sources.fingertips import read_fingertips

    for module in (ind, published_indicators):
        monkeypatch.setattr(module, "listed_indicator", lambda metric: (93356, "Campylobacter incidence rate"))
    monkeypatch.setitem(ind.INDICATOR_KINDS, METRIC, ind.IndicatorKind(100_000, "population", crude=True))
    return read_fingertips(shared_data / "fingertips" / "indicators-CountyUA.data.csv")


def _headline(df: pd.DataFrame, code: str, period: str) -> pd.Series:
    return df[(df["area_code"] == code) & df["is_headline"] & (df["time_period"] == period)].iloc[0]


@pytest.mark.real
def test_two_authorities_are_summed_and_the_rate_recomputed_with_byars_limits(real: pd.DataFrame) -> None:
    figure = ind.combined_indicator(real, METRIC, [SOUTHAMPTON, PORTSMOUTH], "2017/18")
    assert isinstance(figure, ind.PublishedIndicator)
    assert figure.combined_from == ("Southampton", "Portsmouth") and figure.period == "2017"
    a, b = _headline(real, SOUTHAMPTON, "2017"), _headline(real, PORTSMOUTH, "2017")
    count, denominator = int(a["count"] + b["count"]), float(a["denominator"] + b["denominator"])
    assert figure.local.count == count and figure.local.denominator == denominator
    assert figure.local.value == pytest.approx(count / denominator * 100_000)
    assert (figure.local.lower, figure.local.upper) == pytest.approx(byar(count, 100_000, denominator))
    assert min(a["value"], b["value"]) < figure.local.value < max(a["value"], b["value"])
    england = _headline(real, "E92000001", "2017")["value"]
    assert figure.comparators["England"] == england and "South East region" in figure.comparators
    assert figure.published_verdicts == {}  # Fingertips compared neither authority's sum with England
    prev_a, prev_b = _headline(real, SOUTHAMPTON, "2016"), _headline(real, PORTSMOUTH, "2016")
    assert figure.previous_period == "2016" and figure.previous is not None
    assert figure.previous.count == int(prev_a["count"] + prev_b["count"])
    m = ind.indicator_metric(figure, "10_drugs_alcohol", "Campylobacter")
    assert m.numerator == count and m.denominator is not None and m.denominator.value == denominator
    assert "Southampton and Portsmouth" in (m.denominator.source or "") and "Byar" in (m.note or "")


@pytest.mark.real
def test_an_age_standardised_rate_or_a_missing_count_is_said_not_combined(real: pd.DataFrame,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ind.INDICATOR_KINDS, METRIC, ind.IndicatorKind(100_000, "population", crude=False))
    refused = ind.combined_indicator(real, METRIC, [SOUTHAMPTON, PORTSMOUTH], "2017/18")
    assert isinstance(refused, ind.NotCombined) and "age-standardised" in refused.reason
    assert [f[0] for f in refused.figures] == ["Southampton", "Portsmouth"]
    assert refused.figures[0][1] == _headline(real, SOUTHAMPTON, "2017")["value"]
    monkeypatch.setitem(ind.INDICATOR_KINDS, METRIC, ind.IndicatorKind(100_000, "population", crude=True))
    no_counts = real.assign(count=real["count"].where(real["area_code"] != PORTSMOUTH))
    refused = ind.combined_indicator(no_counts, METRIC, [SOUTHAMPTON, PORTSMOUTH], "2017/18")
    assert isinstance(refused, ind.NotCombined) and "count and denominator" in refused.reason
    absent = ind.combined_indicator(real, METRIC, [SOUTHAMPTON, "E06999999"], "2017/18")
    assert isinstance(absent, ind.NotCombined) and "E06999999" in absent.reason
    assert ind.combined_indicator(real, METRIC, ["E06999998", "E06999999"], "2017/18") is None


def test_a_proportion_is_combined_with_wilsons_interval() -> None:
    kind = ind.IndicatorKind(100, "pupils", crude=True, proportion=True)
    figure = kind.combined(30, 120)
    expected = proportion(30, 120)
    assert figure.value == pytest.approx(25.0)
    assert (figure.lower, figure.upper) == pytest.approx((100 * expected.lower, 100 * expected.upper))
    assert "Wilson" in kind.interval_method and "Byar" in ind.IndicatorKind(1000, "x", crude=True).interval_method


def _two_authority_ctx(bare_ctx: AssessmentContext, indicators: pd.DataFrame) -> AssessmentContext:
    cfg = bare_ctx.cfg.model_copy(update={"name": "Solent", "synthetic": False, "local_authorities": [
        Area(code=SOUTHAMPTON, name="Southampton"), Area(code=PORTSMOUTH, name="Portsmouth")]})
    ctx = dataclasses.replace(bare_ctx, cfg=cfg, year="2017/18")
    ctx.__dict__["indicators"] = indicators
    return ctx


@pytest.mark.real
def test_the_chapter_names_the_authorities_combined_and_the_method(real: pd.DataFrame, bare_ctx: AssessmentContext,
                                                                   tmp_path: Path) -> None:
    ctx = _two_authority_ctx(bare_ctx, real)
    out = ChapterOutputs(tmp_path, "10_drugs_alcohol")
    figure = published_indicators.load(ctx, out, METRIC, "campylobacter")
    assert figure is not None
    published_indicators.show(ctx, out, figure, "10_drugs_alcohol", "Campylobacter", "campylobacter_published")
    text = " ".join(out.said)
    assert "Southampton and Portsmouth" in text and "Byar's method" in text and "combined" in text
    metrics = json.loads(out.metrics_path.read_text())
    assert metrics[0]["numerator"] == figure.local.count


@pytest.mark.real
def test_the_chapter_says_plainly_why_no_figure_is_combined(real: pd.DataFrame, bare_ctx: AssessmentContext,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ind.INDICATOR_KINDS, METRIC, ind.IndicatorKind(100_000, "population", crude=False))
    ctx = _two_authority_ctx(bare_ctx, real)
    out = ChapterOutputs(tmp_path, "10_drugs_alcohol")
    assert published_indicators.load(ctx, out, METRIC, "campylobacter") is None
    text = " ".join(out.said)
    assert "cannot be combined" in text and "age-standardised" in text
    assert "Southampton" in text and "Portsmouth" in text  # each authority's own figure, shown
