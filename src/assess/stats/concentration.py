"""How concentrated crime is: in a few places, and among a few offenders.

Sources: the "law of crime concentration" literature measures the share of crime in the top
places (Weisburd D (2015) Criminology 53:133-157); the Gini coefficient as a measure of
concentration across places (Bernasco W, Steenbeek W (2017) J Quant Criminol 33:451-467), here
the ordinary sample Gini, G = sum_i (2i - n - 1) x_(i) / (n sum x), x sorted ascending, which
equals the mean absolute difference over twice the mean (Gini 1912) and lies in [0, (n-1)/n].
Repeat offending: the Ministry of Justice proven re-offending measures count offenders with more
than one offence in the period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assess.errors import StatisticsError
from assess.stats._checks import check_counts_array, check_whole_array


def _places(counts: Sequence[float], what: str) -> np.ndarray:
    values = check_counts_array(counts, "counts")
    if values.size == 0:
        raise StatisticsError(f"{what} needs at least one place; the counts are empty")
    if values.sum() <= 0:
        raise StatisticsError(f"{what} is undefined when every count is zero (there is nothing to share)")
    return values


def places_in_top(n_places: int, fraction: float) -> int:
    """How many places make up the top ``fraction``: ceil(n * fraction), at least 1.

    A tolerance of 1e-9 keeps binary rounding from adding a place (10 * 0.3 is 3, not 4).
    """
    if isinstance(fraction, bool) or not 0.0 < float(fraction) <= 1.0:
        raise StatisticsError(f"fraction must lie in (0, 1], e.g. 0.1 for the top 10%, not {fraction!r}")
    return max(1, math.ceil(n_places * float(fraction) - 1e-9))


def top_share(counts: Sequence[float], fraction: float = 0.1) -> float:
    """Share (0..1) of the total held by the top ``fraction`` of places.

    The top places are the ceil(n * fraction) with the largest counts; ties at the boundary do
    not matter, as any tied place contributes the same count. Raises StatisticsError for empty or
    all-zero counts, negative or missing counts, or a fraction outside (0, 1].
    """
    values = _places(counts, "top_share")
    k = places_in_top(values.size, fraction)
    ordered = np.sort(values)[::-1]
    return float(min(1.0, ordered[:k].sum() / values.sum()))


def gini(counts: Sequence[float]) -> float:
    """The Gini coefficient of counts across places (0 = even, near 1 = all in one place).

    G = sum_i (2i - n - 1) x_(i) / (n sum x) with x sorted ascending (i = 1..n).
    """
    values = np.sort(_places(counts, "gini"))
    n = values.size
    ranks = np.arange(1, n + 1, dtype="float64")
    g = float(((2.0 * ranks - n - 1.0) * values).sum() / (n * values.sum()))
    return min(max(g, 0.0), 1.0)


@dataclass
class RepeatOffending:
    """Offenders with one and with repeat offences, and the share of crime the repeaters commit.

    ``share_repeat`` = repeat / offenders; ``share_crimes_by_repeat`` = offences by repeat
    offenders / all offences (fractions 0..1).
    """

    offenders: int
    one_offence: int
    repeat: int
    share_repeat: float
    crimes: int
    share_crimes_by_repeat: float


def repeat_offending(offences_per_offender: Sequence[int]) -> RepeatOffending:
    """Summarise repeat offending from the number of offences of each offender (each >= 1).

    Raises StatisticsError for no offenders, or any count below 1 (someone with no offence is
    not an offender), missing or fractional.
    """
    values = check_whole_array(offences_per_offender, "offences_per_offender")
    if values.size == 0:
        raise StatisticsError("repeat_offending needs at least one offender")
    if (values < 1).any():
        where = int(np.flatnonzero(values < 1)[0])
        raise StatisticsError(
            f"offences_per_offender has {values[where]} at position {where}; every offender has at least one offence"
        )
    repeaters = values >= 2
    crimes = int(values.sum())
    return RepeatOffending(
        offenders=int(values.size),
        one_offence=int((~repeaters).sum()),
        repeat=int(repeaters.sum()),
        share_repeat=float(repeaters.sum() / values.size),
        crimes=crimes,
        share_crimes_by_repeat=float(values[repeaters].sum() / crimes),
    )
