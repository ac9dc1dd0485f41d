"""Text from inputs, made safe for spreadsheets: cells that a spreadsheet would run as formulas.

OWASP's advice on CSV injection (https://owasp.org/www-community/attacks/CSV_Injection): a cell
whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``-2+3+cmd|...``). Prefixing
such a cell with a single quote makes every one of them show it as text. Numbers are left alone:
``-3`` or ``+4.5`` is a value, not a formula, and the published tables must keep their figures.
The full-width forms of the trigger characters (``＝`` ``＋`` ``－`` ``＠``), which some
spreadsheets normalise to the ASCII ones, are treated the same.

:func:`neutralise_formula` is the one function every writer of a spreadsheet-like output calls
on the text cells it takes from inputs (``tables/*.csv``; the workbook's writer for ``tables.xlsx``).
"""

from __future__ import annotations

import re
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula (OWASP), and their
#: full-width forms.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

#: A number as a CSV writer prints it: sign, digits (thousands separators allowed), decimals,
#: exponent; ``inf``/``nan`` are left alone too (they are values pandas writes, never formulas).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|nan)", re.IGNORECASE)


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula (it starts with a trigger and is
    not a plain number)."""
    return text.startswith(FORMULA_TRIGGERS) and _NUMBER.fullmatch(text) is None


def neutralise_formula(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it: a single quote is put before a text
    that starts with ``= + - @``, tab or carriage return (and their full-width forms); numbers
    such as ``-3`` or ``+4.5`` and every other text are returned unchanged.

    ``neutralise_formula('=HYPERLINK("http://x","y")')`` -> ``'\\'=HYPERLINK("http://x","y")'``.
    Idempotent: a neutralised text starts with a quote, which is no trigger.
    """
    return "'" + text if is_formula_like(text) else text


def neutralise_cell(value: Any) -> Any:
    """:func:`neutralise_formula` for a table cell: text is neutralised, anything else (numbers,
    missing values, booleans) returned as it is."""
    return neutralise_formula(value) if isinstance(value, str) else value
