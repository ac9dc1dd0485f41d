"""Checks shared by the statistical methods: they turn impossible input into StatisticsError.

Every check names the argument and the offending value, so the message tells the analyst what
to fix. The methods call these first and never compute with a negative count, a zero
population, a missing value or a confidence level outside (0, 1).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from assess.errors import StatisticsError


def check_count(value: object, name: str = "count") -> int:
    """``value`` as a non-negative whole number (an ``int`` or an integral float such as ``3.0``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StatisticsError(f"{name} must be a whole number, not {value!r}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise StatisticsError(f"{name} is missing or infinite ({value!r}); a count must be a whole number")
    if number < 0:
        raise StatisticsError(f"{name} is negative ({value!r}); a count cannot be below zero")
    if number != math.floor(number):
        raise StatisticsError(f"{name} must be a whole number, not {value!r}")
    return int(number)


def check_positive(value: object, name: str = "denominator") -> float:
    """``value`` as a finite number greater than zero (a population, an exposure, a denominator)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StatisticsError(f"{name} must be a number greater than zero, not {value!r}")
    number = float(value)
    if math.isnan(number):
        raise StatisticsError(f"{name} is missing (NaN); give the population or denominator")
    if math.isinf(number) or number <= 0:
        raise StatisticsError(f"{name} must be a finite number greater than zero, not {value!r}")
    return number


def check_non_negative(value: object, name: str) -> float:
    """``value`` as a finite number greater than or equal to zero."""
    number = check_finite(value, name)
    if number < 0:
        raise StatisticsError(f"{name} is negative ({value!r})")
    return number


def check_finite(value: object, name: str) -> float:
    """``value`` as a finite number (any sign)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StatisticsError(f"{name} must be a number, not {value!r}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise StatisticsError(f"{name} is missing or infinite ({value!r})")
    return number


def check_confidence(confidence: object) -> float:
    """A confidence level strictly between 0 and 1 (0.95, not 95)."""
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise StatisticsError(f"confidence must be a number between 0 and 1, not {confidence!r}")
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise StatisticsError(
            f"confidence must lie strictly between 0 and 1 (write 0.95 for 95%), not {confidence!r}"
        )
    return level


def check_alpha(alpha: object) -> float:
    """A significance level strictly between 0 and 1."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0.0 < float(alpha) < 1.0:
        raise StatisticsError(f"alpha must lie strictly between 0 and 1 (e.g. 0.05), not {alpha!r}")
    return float(alpha)


def check_per(per: object) -> int:
    """The multiplier of a rate (1000 for "per 1,000"): a positive whole number."""
    if isinstance(per, bool) or not isinstance(per, numbers.Integral) or int(per) <= 0:
        raise StatisticsError(f"per must be a positive whole number such as 1000, not {per!r}")
    return int(per)


def check_counts_array(values: Sequence[float] | np.ndarray, name: str = "counts") -> np.ndarray:
    """A 1-D float array of finite non-negative numbers (NaN, negatives and text are refused)."""
    try:
        array = np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise StatisticsError(f"{name} must be numbers: {exc}") from exc
    if array.ndim != 1:
        raise StatisticsError(f"{name} must be a flat list of numbers, not an array of shape {array.shape}")
    if np.isnan(array).any():
        raise StatisticsError(f"{name} contain a missing value (NaN) at position {int(np.flatnonzero(np.isnan(array))[0])}")
    if np.isinf(array).any():
        raise StatisticsError(f"{name} contain an infinite value")
    if (array < 0).any():
        where = int(np.flatnonzero(array < 0)[0])
        raise StatisticsError(f"{name} contain a negative value ({array[where]!r} at position {where})")
    return array


def check_whole_array(values: Sequence[float] | np.ndarray, name: str = "counts") -> np.ndarray:
    """:func:`check_counts_array` and every value a whole number; returned as ``int64``."""
    array = check_counts_array(values, name)
    if (array != np.floor(array)).any():
        where = int(np.flatnonzero(array != np.floor(array))[0])
        raise StatisticsError(f"{name} must be whole numbers ({array[where]!r} at position {where} is not)")
    return array.astype("int64")
