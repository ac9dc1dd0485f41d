"""Validating what a reader has read: value parsing, pandera schemas, and errors that name the cell.

:func:`validate` runs a pandera schema and turns its failure cases into an
:class:`~assess.errors.InputError` naming the file, the row and the column; :func:`parse_integers`
and :func:`parse_floats` parse published text ("1,234") and name the first bad value.

A reader that must leave rows out (title or footnote rows of a spreadsheet, areas of a geography
the project does not use) lists them in the :class:`ReadReport` passed as ``report=``; nothing
is left out silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow

from assess.errors import InputError

#: An ONS GSS code: one capital letter and eight digits (E06000045).
GSS_CODE = r"[A-Z]\d{8}"

STRING = pd.StringDtype()


@dataclass
class ReadReport:
    """What a reader kept and what it could not use, so that nothing is dropped silently."""

    path: Path
    rows_read: int = 0
    dropped: list[dict] = field(default_factory=list)  # {"row": int, "reason": str}
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_dropped(self) -> int:
        return len(self.dropped)





def raise_first(
    path: Path,
    bad: pd.Series,
    df: pd.DataFrame,
    column: str,
    problem: str,
    hint: str,
    value_column: str | None = None,
) -> None:
    """Raise InputError at the first row where ``bad`` is true (no-op when none is).

    ``problem`` may use ``{value}`` (the offending value, from ``value_column`` or ``column`` of
    ``df``) and ``{n}`` (how many rows are bad). The row is taken from ``df["source_row"]``.
    """
    bad = bad.fillna(False).astype(bool)
    if not bad.any():
        return
    n = int(bad.sum())
    at = bad.to_numpy().nonzero()[0][0]
    values = df[value_column or column] if (value_column or column) in df.columns else pd.Series([None] * len(df))
    value = values.iloc[at]
    value = None if pd.isna(value) else value
    message = problem.format(value=repr(value), n=n)
    if n > 1:
        message += f" ({n} rows in all)"
    row = int(df["source_row"].iloc[at]) if "source_row" in df.columns else None
    raise InputError(path, message, row=row, column=column, hint=hint)


_INTEGER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)$")

#: The most digits a whole number in an input may have: 18 digits always fit an int64
#: (9,223,372,036,854,775,807 has 19), and no count in this domain comes near a billion billion.
MAX_COUNT_DIGITS = 18


def parse_integers(
    df: pd.DataFrame,
    text_column: str,
    path: Path,
    *,
    allow_negative: bool = False,
    what: str = "count",
) -> pd.Series:
    """Parse a text column of whole numbers into ``int64`` (vectorised), or raise InputError.

    Accepts surrounding blanks (``" 66776 "``), thousands separators (``"1,234"``) and a signed
    zero (``"-00"``, which the Home Office tables use for zero). A blank, non-numeric or (unless
    ``allow_negative``) negative value raises InputError naming the row and column.
    """
    text = df[text_column].astype(STRING).str.strip()
    ok = text.str.fullmatch(_INTEGER.pattern).fillna(False).astype(bool)
    raise_first(
        path,
        ~ok,
        df,
        text_column,
        f"{{value}} is not a whole number ({what})",
        "write the value as digits only, e.g. 1234 (no decimals, text or blanks)",
    )
    digits = text.str.replace(",", "", regex=False)
    raise_first(
        path,
        digits.str.lstrip("+-").str.lstrip("0").str.len() > MAX_COUNT_DIGITS,
        df,
        text_column,
        f"{{value}} is too large to be a {what} (more than {MAX_COUNT_DIGITS} digits)",
        "check the value: a figure this large is a typing or export error",
    )
    values = digits.astype("int64")
    if not allow_negative:
        raise_first(
            path,
            values < 0,
            df,
            text_column,
            f"{{value}} is negative; a {what} cannot be below zero",
            "correct the value (a count of 0 is written 0)",
        )
    return values.astype("int64")


def parse_floats(df: pd.DataFrame, text_column: str, path: Path, *, what: str = "number") -> pd.Series:
    """Parse a text column into ``float64`` (blank -> NaN), or raise InputError at the first non-number."""
    text = df[text_column]
    numbers = None
    try:  # fast path: pyarrow's cast; any non-number (or a literal "nan") sends us to the slow path
        fast = text.astype("float64")
        if not (fast.isna() & text.notna()).any():
            numbers = fast
    except (ValueError, TypeError, pa_arrow.ArrowInvalid):
        pass
    if numbers is None:
        numbers = pd.to_numeric(text, errors="coerce")
        raise_first(
            path,
            text.notna() & numbers.isna(),
            df,
            text_column,
            f"{{value}} is not a number ({what})",
            "the value must be a decimal number such as -1.4047 or left blank",
        )
    numbers = numbers.astype("float64")
    raise_first(
        path,
        numbers.isin([np.inf, -np.inf]),
        df,
        text_column,
        f"{{value}} is too large to be a number ({what})",
        "check the value: a figure this large (beyond 1e308) is a typing or export error",
    )
    return numbers


#: Plain words for pandera's built-in schema checks.
_CHECK_WORDS = {
    "column_in_dataframe": "the column must be present",
    "column_in_schema": "the column is not expected",
    "field_uniqueness": "each value must appear only once",
}


def validate(
    df: pd.DataFrame,
    schema: pa.DataFrameSchema,
    path: str | Path,
    labels: Mapping[str, str] | None = None,
    *,
    paths: Mapping[str, Path] | None = None,
) -> pd.DataFrame:
    """Validate ``df`` with ``schema``; on failure raise InputError naming the first bad cell.

    ``paths`` (for rows of several files) maps each ``source_file`` to its path: the error then
    names the file of the failing row.

    "First" is the earliest row in the file among all failures. The row is the file's line
    number, taken from the ``source_row`` column when present. A check's ``error=`` text is used
    as the description of what the value must be. ``labels`` maps output column names to the
    file's own header names, so that the error names the column the analyst sees in the file.
    """
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.copy()
        cases["_order"] = pd.to_numeric(cases["index"], errors="coerce")
        cases = cases.sort_values("_order", kind="stable", na_position="first")
        first = cases.iloc[0]
        column = first.get("column")
        index = first.get("index")
        row = None
        if index is not None and not pd.isna(index) and "source_row" in df.columns and index in df.index:
            row = int(df.loc[index, "source_row"])
            if paths is not None and "source_file" in df.columns:
                path = paths.get(str(df.loc[index, "source_file"]), path)
        n = len(cases.drop_duplicates(["column", "index"]))
        value = first.get("failure_case")
        value = value.item() if hasattr(value, "item") else value
        check = str(first.get("check"))
        if check == "not_nullable":
            problem = "the value is blank, but this column must always be given"
        else:
            problem = f"value {value!r} fails the check: {_CHECK_WORDS.get(check, check)}"
        if n > 1:
            problem += f" ({n} failing values in all)"
        raise InputError(
            path,
            problem,
            row=row,
            column=None if column is None or pd.isna(column) else (labels or {}).get(str(column), str(column)),
            hint="correct the value (see data/raw/README.md for what each column must hold)",
        ) from None


def string_column(*checks: pa.Check, nullable: bool = True, unique: bool = False) -> pa.Column:
    """A pandera column of pandas ``string`` dtype with the given checks."""
    return pa.Column(STRING, list(checks), nullable=nullable, unique=unique)


def matches(pattern: str, what: str) -> pa.Check:
    """A vectorised full-match regex check whose failure message says what the value must be."""
    return pa.Check.str_matches(f"^(?:{pattern})$", error=what)


