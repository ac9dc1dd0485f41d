"""Text from inputs, made safe for the outputs it reaches: pages and spreadsheets.

Every text from an input is hostile (a ward name, a scorecard label, a partner's free text...).

Pages: a chapter's prose is Markdown with input text in it; :func:`markdown_html` renders it
with markdown-it-py's ``js-default`` preset, which writes any HTML in the text as text (so
``<script>`` shows as ``<script>``) and refuses ``javascript:``, ``vbscript:``, ``file:`` and
``data:`` links (but images). :func:`executable_html` lists what in a page could run, so that a
bundle whose page would run anything says so.

Spreadsheets: OWASP's advice on CSV injection (https://owasp.org/www-community/attacks/CSV_Injection): a cell
whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``-2+3+cmd|...``). Prefixing
such a cell with a single quote makes every one of them show it as text. Numbers are left alone:
``-3`` or ``+4.5`` is a value, not a formula, and the published tables must keep their figures.
The full-width forms of the trigger characters (``＝`` ``＋`` ``－`` ``＠``), which some
spreadsheets normalise to the ASCII ones, are treated the same.

:func:`neutralise_formula` is the one function every writer of a spreadsheet-like output calls
on the text cells it takes from inputs (``tables/*.csv``). The workbook (``tables.xlsx``) is written
from those CSV files: :func:`formula_text` gives it back each cell's own text, which it stores as a
string with Excel's quote prefix (the workbook's own way of saying "text"), so a reader of the
workbook sees ``=HYPERLINK(...)`` as text and a reader of the CSV ``'=HYPERLINK(...)``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
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


def formula_text(text: str) -> str:
    """The text that :func:`neutralise_formula` made ``text`` from: the quote it put before a
    formula-like text taken off (``'\\'=1+1'`` -> ``'=1+1'``); any other text unchanged. A writer
    that marks text its own way (the workbook's quote prefix) stores this, and must mark it:
    ``is_formula_like(formula_text(t))`` says when."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


def neutralise_cell(value: Any) -> Any:
    """:func:`neutralise_formula` for a table cell: text is neutralised, anything else (numbers,
    missing values, booleans) returned as it is."""
    return neutralise_formula(value) if isinstance(value, str) else value


# -- pages -------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("js-default")


def markdown_html(text: str) -> str:
    """A paragraph of Markdown as HTML, any HTML in the text shown as text and unsafe links refused
    (markdown-it-py, ``js-default`` preset: no raw HTML, no linkify, CommonMark plus tables)."""
    return str(_markdown().render(text))


#: Elements a published page never needs and that could run or load something.
EXECUTABLE_TAGS = frozenset({"script", "iframe", "frame", "object", "embed", "applet", "base", "form", "portal"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcdoc", "data", "poster"})
_SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript|livescript|data\s*:\s*text/html)", re.IGNORECASE)


class _Executable(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in EXECUTABLE_TAGS:
            self.found.append(f"<{tag}> element")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").strip().lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= attribute on <{tag}>")
            elif name in _URL_ATTRIBUTES and value and _SCRIPT_URL.match(value):
                self.found.append(f"script URL in {name}= of <{tag}>")

    handle_startendtag = handle_starttag


def executable_html(page: str) -> list[str]:
    """What in an HTML page could run a script or load a document: script-like elements,
    event-handler attributes (``onerror=``...), ``javascript:`` URLs, meta refresh. Empty for a
    page of this project, whose pages need no script."""
    parser = _Executable()
    parser.feed(page)
    parser.close()
    return parser.found
