"""How the numbers of a published table are written: one format per column, for every document.

A column is text, whole numbers (thousands separators), decimals (a fixed number of places for
the whole column), years (no separator: 2019, never "2,019") or yes/no. :func:`column_format`
decides it once from the column's name and values; the chapter pages and the PDF write each cell
with :meth:`ColumnFormat.text`, and ``tables.xlsx`` gives each cell the same Excel number format
(:attr:`ColumnFormat.excel`). The GSS shorthand of a cell with no figure (:data:`SHORTHAND`) is
kept as it stands.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

#: Government Statistical Service shorthand for a cell without a figure, and what each means.
SHORTHAND: dict[str, str] = {
    "[c]": "confidential: suppressed so that a small count cannot be identified",
    "[x]": "not available: the figure was not collected or could not be computed",
    "[z]": "not applicable: there is no figure to give here",
}
#: The most decimal places a column is given.
MAX_DECIMALS = 3

Kind = Literal["text", "integer", "decimal", "year", "boolean"]
_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?$|^[-+]?\.\d+$")
_YEAR_NAME = re.compile(r"\byear\b|_year\b|^year|year$", re.IGNORECASE)


def parse_number(text: str) -> int | float | None:
    """A number written as text ("1,000", "-3.5", "12") or None when the text is not one."""
    t = text.strip()
    if not t or not _NUMBER.match(t):
        return None
    plain = t.replace(",", "")
    if re.fullmatch(r"[-+]?\d+", plain) and len(plain.lstrip("-+")) <= 15:
        return int(plain)
    return float(plain)


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        not isinstance(value, (str, bytes, numbers.Number, bool)) and _is_na(value)
    )


def _is_na(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _decimals(value: float) -> int:
    """Decimal places ``value`` shows (at most :data:`MAX_DECIMALS`): 2.5 -> 1, 0.125 -> 3, 3.0 -> 0."""
    text = f"{value:.{MAX_DECIMALS}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


@dataclass(frozen=True)
class ColumnFormat:
    """How one column's figures are written."""

    kind: Kind
    decimals: int = 0

    def text(self, value: Any) -> str:
        """The cell as a reader sees it: "12,345", "3.50", "2019", "Yes"; shorthand and words as they are."""
        if is_missing(value):
            return ""
        if isinstance(value, str):
            return value
        if self.kind == "boolean" or isinstance(value, bool):
            return "Yes" if bool(value) else "No"
        if not isinstance(value, numbers.Number):
            return str(value)
        number = float(value)  # type: ignore[arg-type]
        if self.kind == "year":
            return f"{number:.0f}"
        if self.kind == "integer":
            return f"{number:,.0f}"
        if self.kind == "decimal":
            return f"{number:,.{self.decimals}f}"
        return str(value)

    @property
    def excel(self) -> str:
        """The Excel number format of the column's cells."""
        if self.kind == "integer":
            return "#,##0"
        if self.kind == "decimal":
            return "#,##0." + "0" * self.decimals if self.decimals else "#,##0"
        if self.kind == "year":
            return "0"
        return "General"

    @property
    def numeric(self) -> bool:
        """Right-aligned: figures of any kind."""
        return self.kind in ("integer", "decimal", "year")


def column_format(name: str, values: Iterable[Any]) -> ColumnFormat:
    """The format of a column from its published name and values (numbers, shorthand or text).

    Yes/no when every value is a boolean; a year when the name speaks of a year and every figure is
    a whole number from 1900 to 2100; whole numbers when every figure is whole; else decimals, as
    many places as the most precise figure shows (at most :data:`MAX_DECIMALS`). Any other text (not
    shorthand) makes the column text.
    """
    figures: list[float] = []
    booleans = 0
    for v in values:
        if is_missing(v) or (isinstance(v, str) and (v.strip() in SHORTHAND or not v.strip())):
            continue
        if isinstance(v, bool) or type(v).__name__ == "bool_":
            booleans += 1
            continue
        if isinstance(v, numbers.Number):
            figures.append(float(v))  # type: ignore[arg-type]
            continue
        return ColumnFormat("text")
    if booleans and not figures:
        return ColumnFormat("boolean")
    if booleans or not figures:
        return ColumnFormat("text")
    finite = [f for f in figures if math.isfinite(f)]
    whole = all(f.is_integer() for f in finite)
    if whole and _YEAR_NAME.search(str(name)) and all(1900 <= f <= 2100 for f in finite):
        return ColumnFormat("year")
    if whole:
        return ColumnFormat("integer")
    return ColumnFormat("decimal", max(_decimals(f) for f in finite))
