"""Periods: financial years (April to March, labelled ``"2016/17"``), quarters, months, and like for like.

Home Office and police.uk statistics for Community Safety Partnerships are reported by financial
year; a month is written ``YYYY-MM`` as police.uk publishes it. This module holds every period
helper of the project, and its one rule for comparing an incomplete year: :class:`LikeForLike`
(every year is cut to the months the latest year holds, April-September against April-September).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from assess.errors import AssessError

if TYPE_CHECKING:  # the Series are the caller's: the CLI parses a year without importing pandas
    import pandas as pd

_FY = re.compile(r"^(\d{4})/(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def financial_year_of(year: int, month: int) -> str:
    """The financial year label (``"2016/17"``) of a calendar month (April starts a year)."""
    start = year if month >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def parse_financial_year(label: str) -> int:
    """The calendar year in which financial year ``label`` starts: ``"2016/17"`` -> 2016.

    Raises AssessError for anything but ``YYYY/YY`` with consecutive years.
    """
    m = _FY.match(str(label).strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise AssessError(
            f"'{label}' is not a financial year; write it as YYYY/YY with consecutive years, e.g. 2016/17"
        )
    return int(m.group(1))


def estimate_year(years: Iterable[int], financial_year: str) -> int | None:
    """The mid-year estimate a rate for ``financial_year`` uses, of the mid-years ``years`` held:
    mid-YYYY for YYYY/YY, else the nearest earlier one, else the earliest held; None when none is
    held. The one rule every population estimate is chosen by."""
    held = sorted({int(y) for y in years})
    if not held:
        return None
    start = parse_financial_year(financial_year)
    before = [y for y in held if y <= start]
    return before[-1] if before else held[0]


def financial_year_label(start_year: int) -> str:
    """``2016`` -> ``"2016/17"``."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def shift_financial_year(label: str, years: int) -> str:
    """The financial year ``years`` after (or before, if negative) ``label``."""
    return financial_year_label(parse_financial_year(label) + years)


def months_of_financial_year(label: str) -> list[str]:
    """The twelve ``YYYY-MM`` months of a financial year, April first."""
    start = parse_financial_year(label)
    return [f"{start + (m < 4)}-{m:02d}" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def parse_month(value: str) -> date:
    """``"2017-02"`` -> ``date(2017, 2, 1)``; raises AssessError for anything else."""
    m = _MONTH.match(str(value).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise AssessError(f"'{value}' is not a month; write it as YYYY-MM, e.g. 2017-02")
    return date(int(m.group(1)), int(m.group(2)), 1)


def financial_quarter_of_month(month: str) -> int:
    """Financial quarter (1 = April-June ... 4 = January-March) of a ``YYYY-MM`` month."""
    m = parse_month(month).month
    return ((m - 4) % 12) // 3 + 1


def financial_year_series(months: pd.Series) -> pd.Series:
    """Vectorised :func:`financial_year_of` for a Series of valid ``YYYY-MM`` strings."""
    s = months.astype("string")
    year = s.str.slice(0, 4).astype("int64")
    month = s.str.slice(5, 7).astype("int64")
    start = year - (month < 4).astype("int64")
    end = (start + 1) % 100
    return (start.astype("string") + "/" + end.astype("string").str.zfill(2)).astype("string")


def financial_year_of_month(month: str) -> str:
    """``"2017-02"`` -> ``"2016/17"``."""
    d = parse_month(month)
    return financial_year_of(d.year, d.month)


def month_range(start: str, end: str) -> list[str]:
    """Every ``YYYY-MM`` month from ``start`` to ``end`` inclusive (empty if ``end`` is before ``start``)."""
    a, b = parse_month(start), parse_month(end)
    n = (b.year - a.year) * 12 + (b.month - a.month)
    return [f"{a.year + (a.month - 1 + k) // 12}-{(a.month - 1 + k) % 12 + 1:02d}" for k in range(n + 1)]


def shift_month(month: str, months: int) -> str:
    """The month ``months`` after (before, if negative) ``month``: ("2017-02", -3) -> "2016-11"."""
    d = parse_month(month)
    k = d.year * 12 + d.month - 1 + months
    return f"{k // 12}-{k % 12 + 1:02d}"


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")


def month_name(month: str) -> str:
    """``"2017-02"`` -> ``"February 2017"``."""
    d = parse_month(month)
    return f"{_MONTH_NAMES[d.month - 1]} {d.year}"


def period_label(months: Sequence[str]) -> str:
    """``"April 2017 to September 2017"`` for a run of months (``""`` for none)."""
    if not months:
        return ""
    if len(months) == 1:
        return month_name(months[0])
    return f"{month_name(months[0])} to {month_name(months[-1])}"


def period_code(months: Sequence[str]) -> str:
    """A run of months as a metric period: the financial year when they are its twelve months,
    else ``"first to last"`` (``"2017-04 to 2017-09"``), or the month alone."""
    months = list(months)
    if not months:
        raise ValueError("a period needs at least one month")
    if len(months) == 12 and months == months_of_financial_year(financial_year_of_month(months[0])):
        return financial_year_of_month(months[0])
    return months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"


@dataclass(frozen=True)
class LikeForLike:
    """The months compared in every year: the positions (``"04"`` ... ``"03"``) the latest year holds.

    An incomplete year is compared like with like: each earlier year is cut to the same months.
    ``complete`` is True when the latest year holds all twelve months.
    """

    year: str
    month_numbers: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return len(self.month_numbers) == 12

    def months(self, year: str) -> list[str]:
        """The ``YYYY-MM`` months of ``year`` compared."""
        return [m for m in months_of_financial_year(year) if m[5:] in self.month_numbers]

    def period(self, year: str) -> str:
        """The period label of ``year`` for a metric: ``"2024/25"`` or ``"2024-04 to 2024-09"``."""
        if self.complete:
            return year
        ms = self.months(year)
        return f"{ms[0]} to {ms[-1]}" if len(ms) > 1 else ms[0]

    def describe(self, year: str) -> str:
        """The period in words: ``"2024/25"`` or ``"2024/25 (April 2024 to September 2024)"``."""
        if self.complete:
            return year
        return f"{year} ({period_label(self.months(year))})"


def like_for_like(year: str, months_present: Iterable[str]) -> LikeForLike:
    """The months of financial year ``year`` among ``months_present``, as positions to compare every year on."""
    have = set(months_present)
    return LikeForLike(year, tuple(m[5:] for m in months_of_financial_year(year) if m in have))
