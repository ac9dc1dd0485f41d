"""Periods: financial years (April to March, labelled ``"2016/17"``), quarters and months.

Home Office and police.uk statistics for Community Safety Partnerships are reported by financial
year; a month is written ``YYYY-MM`` as police.uk publishes it.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from assess.errors import AssessError

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
