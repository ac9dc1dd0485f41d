"""Weighted shares of survey respondents, with intervals that allow for the weighting.

A resident survey (the partner file ``resident_survey``: one row per respondent) answers "what
share of residents feel safe after dark?". This module turns answers into shares:

- the share is weighted when the file carries weights (``weight``), else it is the plain share
  of respondents;
- "Don't know" and blank answers are left out of the base (the convention of the Crime Survey
  for England and Wales and of most local surveys), and the number left out is kept;
- the 95% interval is Wilson's score interval (:func:`assess.stats.wilson_interval`). With weights
  the sample is worth fewer respondents than it has, so the interval uses Kish's effective sample
  size, ``n_eff = (sum w)^2 / sum w^2`` (Kish L, *Survey Sampling*, Wiley 1965, section 11.7),
  in place of the number of respondents.

Units: every share is a fraction from 0 to 1 (``percent`` columns in tables are 0 to 100).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess.errors import StatisticsError
from assess.stats.intervals import Proportion, proportion
from assess.vocabulary import AGREE_ANSWERS, CRIME_CHANGE_ANSWERS, SAFETY_ANSWERS

DONT_KNOW = "Don't know"

#: Answers counted as "feeling safe" (the CSEW convention: very or fairly safe).
SAFE = ("Very safe", "Fairly safe")
SAFETY_SCALE = SAFETY_ANSWERS

#: Answers counted as agreement with "the police / the council deal with the crime and ASB issues that matter".
AGREE = ("Strongly agree", "Tend to agree")
AGREEMENT_SCALE = AGREE_ANSWERS

#: Answers to "Over the past year, has crime in your area changed?".
CRIME_CHANGE_SCALE = CRIME_CHANGE_ANSWERS

KISH_NOTE = (
    "Percentages are weighted by the survey's weights; their 95% intervals are Wilson score intervals "
    "computed on Kish's effective sample size, (sum of weights)^2 / sum of squared weights, which is "
    "smaller than the number of respondents because weighting adds variance."
)
UNWEIGHTED_NOTE = "Percentages are of respondents (unweighted); their 95% intervals are Wilson score intervals."


@dataclass(frozen=True)
class SurveyShare:
    """The (weighted) share of valid answers that are "positive", with its 95% interval.

    ``respondents`` is the unweighted base (answers other than "Don't know" or blank),
    ``positive`` the unweighted number of positive answers among them, ``excluded`` the number of
    "Don't know" or blank answers left out. ``value``, ``lower`` and ``upper`` are fractions 0..1;
    ``effective_n`` is Kish's effective sample size (``respondents`` when unweighted).
    """

    label: str
    respondents: int
    positive: int
    value: float
    lower: float
    upper: float
    effective_n: float
    weighted: bool
    excluded: int = 0

    def as_proportion(self) -> Proportion:
        """The share as an :class:`~assess.stats.Proportion` on the effective sample size.

        ``successes = value * effective_n`` and ``n = effective_n``, so tests of change between two
        surveys (``change_in_proportions``) allow for the weighting.
        """
        return Proportion(
            successes=self.value * self.effective_n,
            n=self.effective_n,
            value=self.value,
            lower=self.lower,
            upper=self.upper,
        )

    @property
    def percent(self) -> float:
        return 100.0 * self.value


def kish_effective_sample_size(weights: Sequence[float] | pd.Series | np.ndarray) -> float:
    """Kish's effective sample size of a set of weights: ``(sum w)^2 / sum w^2`` (respondents).

    Equals the number of weights when they are all equal; smaller otherwise. Raises
    StatisticsError for a negative or missing weight, or weights that sum to zero.
    """
    w = np.asarray(weights, dtype="float64")
    if w.size == 0:
        return 0.0
    if np.isnan(w).any() or (w < 0).any() or np.isinf(w).any():
        raise StatisticsError("survey weights must be finite numbers of zero or more")
    total = float(w.sum())
    if total <= 0:
        raise StatisticsError("survey weights sum to zero; there is no one to count")
    return total * total / float((w * w).sum())


def usable_weights(survey: pd.DataFrame, column: str = "weight") -> pd.Series | None:
    """The survey's weights when every respondent has a positive one and they differ, else None.

    None means the shares are plain (unweighted) shares of respondents: there is no weight
    column, a weight is missing or not positive, or every weight is the same.
    """
    if column not in survey.columns:
        return None
    w = pd.to_numeric(survey[column], errors="coerce").astype("float64")
    if w.empty or w.isna().any() or (w <= 0).any() or w.nunique() == 1:
        return None
    return w


def weighted_share(
    indicator: pd.Series,
    weights: pd.Series | None = None,
    *,
    label: str = "",
    confidence: float = 0.95,
) -> SurveyShare | None:
    """The weighted share of ``True`` among the non-missing values of ``indicator``.

    ``indicator`` is boolean with ``<NA>`` for answers left out of the base (Don't know, blank);
    ``weights`` (aligned on the same index) weight each respondent, or None for a plain share.
    Returns None when no respondent gave a valid answer. The interval is Wilson's on Kish's
    effective sample size (see the module docstring).
    """
    ind = indicator.astype("boolean")
    valid = ind.notna()
    excluded = int((~valid).sum())
    values = ind[valid].astype(bool)
    if values.empty:
        return None
    positive = int(values.sum())
    if weights is None:
        n_eff = float(len(values))
        value = positive / n_eff
        weighted = False
    else:
        w = weights.reindex(values.index).astype("float64")
        n_eff = kish_effective_sample_size(w)
        value = float(w[values].sum() / w.sum())
        weighted = True
    p = proportion(value * n_eff, n_eff, confidence)
    return SurveyShare(
        label=label,
        respondents=int(len(values)),
        positive=positive,
        value=value,
        lower=p.lower,
        upper=p.upper,
        effective_n=n_eff,
        weighted=weighted,
        excluded=excluded,
    )


def answer_indicator(responses: pd.Series, positive: Iterable[str], exclude: Iterable[str] = (DONT_KNOW,)) -> pd.Series:
    """``True`` for a positive answer, ``False`` for another valid one, ``<NA>`` for excluded or blank."""
    r = responses.astype("string").str.strip()
    out = r.isin(list(positive)).astype("boolean")
    return out.mask(r.isna() | (r == "") | r.isin(list(exclude)))


def answer_share(
    survey: pd.DataFrame,
    column: str,
    positive: Iterable[str],
    *,
    label: str = "",
    exclude: Iterable[str] = (DONT_KNOW,),
    weight_column: str = "weight",
) -> SurveyShare | None:
    """The (weighted) share of respondents answering ``column`` with one of ``positive``.

    "Don't know" and blanks are left out of the base. None when the column is absent or nobody
    gave a valid answer.
    """
    if column not in survey.columns:
        return None
    return weighted_share(
        answer_indicator(survey[column], positive, exclude),
        usable_weights(survey, weight_column),
        label=label or column,
    )


def answer_distribution(
    survey: pd.DataFrame, column: str, order: Sequence[str], *, weight_column: str = "weight"
) -> pd.DataFrame:
    """Each answer of ``column`` with its respondents and (weighted) percentage of all answers.

    Columns: ``answer``, ``respondents`` (unweighted count), ``percent`` (weighted share of all
    answers including "Don't know", 0-100). Answers not in ``order`` are added at the end.
    """
    r = survey[column].astype("string").str.strip().fillna("(blank)")
    w = usable_weights(survey, weight_column)
    w = pd.Series(1.0, index=survey.index) if w is None else w
    answers = list(order) + sorted(set(r.dropna()) - set(order))
    counts = r.value_counts().reindex(answers, fill_value=0).astype("int64")
    weighted = w.groupby(r).sum().reindex(answers, fill_value=0.0)
    total = float(weighted.sum())
    pct = 100.0 * weighted / total if total > 0 else weighted * np.nan
    return pd.DataFrame({"answer": answers, "respondents": counts.to_numpy(), "percent": pct.to_numpy()})


def problem_columns(survey: pd.DataFrame) -> list[str]:
    """The ``problem_*`` columns of a survey (one boolean per problem a respondent ticked)."""
    return [str(c) for c in survey.columns if str(c).startswith("problem_")]


def problem_label(column: str) -> str:
    """``"problem_rough_sleeping"`` -> ``"Rough sleeping"``; ``"problem_asb"`` -> ``"ASB"``."""
    words = re.sub(r"^problem_", "", column).replace("_", " ").strip()
    special = {"asb": "ASB", "anti social behaviour": "Anti-social behaviour"}
    return special.get(words.lower(), words[:1].upper() + words[1:])


def problem_shares(survey: pd.DataFrame, columns: Sequence[str] | None = None, *, weight_column: str = "weight") -> pd.DataFrame:
    """The share of respondents ticking each problem, highest first, with 95% intervals.

    Columns: ``problem`` (column name), ``label``, ``respondents`` (base: those who answered the
    question, blanks excluded), ``ticked`` (unweighted), ``percent``, ``lower``, ``upper`` (0-100,
    weighted), ``effective_n``.
    """
    columns = list(columns) if columns is not None else problem_columns(survey)
    w = usable_weights(survey, weight_column)
    rows = []
    for col in columns:
        if col not in survey.columns:
            continue
        share = weighted_share(survey[col].astype("boolean"), w, label=problem_label(col))
        if share is None:
            continue
        rows.append(
            {
                "problem": col,
                "label": share.label,
                "respondents": share.respondents,
                "ticked": share.positive,
                "percent": share.percent,
                "lower": 100.0 * share.lower,
                "upper": 100.0 * share.upper,
                "effective_n": share.effective_n,
            }
        )
    cols = ["problem", "label", "respondents", "ticked", "percent", "lower", "upper", "effective_n"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    df["respondents"] = df["respondents"].astype("int64")
    df["ticked"] = df["ticked"].astype("int64")
    return df.sort_values(["percent", "label"], ascending=[False, True], ignore_index=True)


def share_row(share: SurveyShare) -> dict[str, object]:
    """A table row for a share: label, respondents, positive, percent and its interval (0-100)."""
    return {
        "measure": share.label,
        "respondents": share.respondents,
        "answered_yes": share.positive,
        "dont_know_or_blank": share.excluded,
        "percent": share.percent,
        "lower": 100.0 * share.lower,
        "upper": 100.0 * share.upper,
        "effective_n": share.effective_n,
    }


# -- survey waves ----------------------------------------------------------------------------------
def _wave_key(value: object) -> int:
    """A sortable year of a wave label: 2024, "2024", "2024/25" -> 2024."""
    m = re.match(r"\s*(\d{4})", str(value))
    if not m:
        raise StatisticsError(f"survey_year '{value}' is neither a year (2024) nor a financial year (2024/25)")
    return int(m.group(1))


def survey_waves(survey: pd.DataFrame, column: str = "survey_year") -> list[object]:
    """The survey waves (values of ``survey_year``), oldest first."""
    if column not in survey.columns:
        return []
    return sorted(survey[column].dropna().unique().tolist(), key=_wave_key)


def waves_for_year(survey: pd.DataFrame, year: str, column: str = "survey_year") -> tuple[object | None, object | None]:
    """The wave to report for financial year ``year`` and the wave before it (either may be None).

    The current wave is the latest one that starts no later than the financial year does
    (a 2024 or 2024/25 survey for 2024/25); earlier waves are never passed over for a later one.
    """
    start = _wave_key(year)
    waves = [w for w in survey_waves(survey, column) if _wave_key(w) <= start]
    if not waves:
        return None, None
    return waves[-1], (waves[-2] if len(waves) > 1 else None)


def wave(survey: pd.DataFrame, label: object, column: str = "survey_year") -> pd.DataFrame:
    """The respondents of one wave."""
    return survey[survey[column] == label]
