"""The reader's words: column headers in plain English, and the glossary of the assessment.

One mapping for every output that shows a table to a person: the chapter pages and the PDF
(:func:`assess.report.display.table_html`) and ``tables.xlsx`` (:mod:`assess.report.workbook`)
all call :func:`column_label`. The CSV files keep the names the chapters published (they are
machine-readable, and their bytes are checked), so a header reads the same in every document
a person opens while a script reading ``tables/*.csv`` sees no change.

The glossary (:data:`GLOSSARY`) explains the terms of art the chapters use (LSOA, funnel plot,
confidence interval ...): the chapter pages link the first use of each term on a page to its
entry (:func:`link_terms`), so the text says "LSOAs" and a reader who does not know the word is
one click from its meaning, instead of the chapter explaining it again in brackets.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: Column names as the chapters publish them -> the header a reader sees.
COLUMN_LABELS: dict[str, str] = {
    "answer": "Answer",
    "assessed": "Offenders assessed",
    "change": "Change",
    "change_points": "Change (percentage points)",
    "custodial_sentences": "Custodial sentences",
    "custody_rate_per_1000": "Custodial sentences per 1,000 aged 10 to 17",
    "deaths": "Deaths",
    "denominator": "Out of",
    "dont_know_or_blank": "Don't know or blank",
    "effective_n": "Effective sample size",
    "end_year": "Last year of the period",
    "england_rate": "England rate",
    "financial_year": "Financial year",
    "first_time_entrants": "First-time entrants",
    "flag": "Flag",
    "flagged": "Crimes flagged",
    "fte_rate_per_100000": "First-time entrants per 100,000 aged 10 to 17",
    "group": "Group",
    "households": "Households",
    "lower_95": "Lower 95% limit",
    "measure": "Measure",
    "method": "Method",
    "need": "Need",
    "offences": "Offences",
    "offences_per_offender": "Offences per offender",
    "offenders": "Offenders",
    "offenders_assessed": "Offenders assessed",
    "percent": "Percentage",
    "percent_of_offences": "Share of offences (%)",
    "percent_of_offenders": "Share of offenders (%)",
    "period": "Period",
    "person_years": "Person-years",
    "population_10_17": "Population aged 10 to 17",
    "previous_flagged": "Crimes flagged, previous year",
    "previous_percent": "Percentage, previous year",
    "problem": "Problem",
    "rate_per_1000_households": "Rate per 1,000 households",
    "rate_per_100000": "Rate per 100,000",
    "reoffences": "Reoffences",
    "reoffences_per_reoffender": "Reoffences per reoffender",
    "reoffended": "Reoffended",
    "reoffenders": "Reoffenders",
    "reoffending_cohort": "Young people in the reoffending cohort",
    "reoffending_rate_percent": "Reoffending rate (%)",
    "respondents": "Respondents",
    "rough_sleepers": "People sleeping rough",
    "service": "Service",
    "share_of": "Share of",
    "supervising_service": "Supervising service",
    "ticked": "Saying it is a problem",
    "upper_95": "Upper 95% limit",
    "with_need": "With the need",
    "year": "Year",
    "begging_incidents": "Begging incidents",
}

_PER = re.compile(r"^(?P<what>.+?)_per_(?P<n>\d+)$")
_IN_YEAR = re.compile(r"^(?P<what>[a-z_]+?)_(?P<year>(?:19|20)\d{2}(?:/\d{2})?)$")


def column_label(name: str) -> str:
    """The header a reader sees for a published column name.

    ``"dont_know_or_blank"`` -> ``"Don't know or blank"``, ``"percent_2023/24"`` ->
    ``"Percentage, 2023/24"``, ``"arrests_per_1000"`` -> ``"Arrests per 1,000"``; a name that
    already reads as words (``"Rate per 1,000"``, ``"2024/25"``) is kept as it is.
    """
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if "_" not in text:
        # a lower-case word ("ward") is a name from code; words with spaces are the chapter's own
        return _sentence(text) if re.fullmatch(r"[a-z]+", text) else text
    if m := _PER.match(text):
        return _sentence(f"{column_label(m['what'])} per {int(m['n']):,}")
    if m := _IN_YEAR.match(text):
        return _sentence(f"{column_label(m['what'])}, {m['year']}")
    return _sentence(text.replace("_", " ").strip())


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def column_labels(names: Iterable[str]) -> list[str]:
    """:func:`column_label` of each name, unique (a table's headers must be): a label already taken
    falls back to the name as published, then to the label numbered ``"Percentage (2)"``."""
    labels: list[str] = []
    for name in names:
        label, n = column_label(name), 1
        if label in labels:
            label = str(name)
        while label in labels:
            n += 1
            label = f"{column_label(name)} ({n})"
        labels.append(label)
    return labels


# -- glossary --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One glossary entry: its anchor, the term as a heading, its meaning, and how the text says it."""

    slug: str
    term: str
    meaning: str
    #: regular expression (case-insensitive, whole words) matching the term in running text
    pattern: str

    @property
    def anchor(self) -> str:
        return f"term-{self.slug}"


GLOSSARY: tuple[Term, ...] = (
    Term("anti-social-behaviour", "Anti-social behaviour (ASB)",
         "Behaviour that causes, or is likely to cause, harassment, alarm or distress to people outside the "
         "household, such as noise, nuisance or intimidation. Police record ASB as incidents, not crimes.",
         r"anti-social behaviour|ASB"),
    Term("confidence-interval", "Confidence interval (95% interval)",
         "The range within which the true value is likely to lie, given the chance variation in a count or "
         "a survey sample. A 95% interval would contain the true value 95 times in 100. When the intervals "
         "of two figures do not overlap, the difference between them is unlikely to be chance.",
         r"95% (?:confidence )?intervals?|confidence intervals?"),
    Term("effective-sample-size", "Effective sample size",
         "The number of respondents a survey is worth once its weights are taken into account (Kish's "
         "formula: the square of the sum of the weights divided by the sum of the squared weights). It is "
         "smaller than the number who answered when some answers count for more than others, and it is "
         "the size used for the survey's intervals.",
         r"effective sample sizes?"),
    Term("financial-year", "Financial year",
         "April to the following March: 2024/25 is April 2024 to March 2025.",
         r"financial years?"),
    Term("funnel-plot", "Funnel plot",
         "A chart of each area's rate against its population, with control limits that narrow as areas get "
         "larger. An area outside the 99.8% limits differs from the comparator by more than chance would "
         "explain (Spiegelhalter, 'Funnel plots for comparing institutional performance', Statistics in "
         "Medicine, 2005). Where areas differ among themselves by more than chance (overdispersion), the "
         "limits are widened by an estimate of that variation (Spiegelhalter, 'Handling over-dispersion of "
         "performance indicators', Quality and Safety in Health Care, 2005), so that an area outside them is "
         "unusual among areas like it.",
         r"funnel plots?"),
    Term("gini-coefficient", "Gini coefficient",
         "A measure of how unevenly crime is spread across places, from 0 (every place has the same "
         "amount) to 1 (all of it in one place).",
         r"Gini coefficients?"),
    Term("lsoa", "LSOA (lower layer super output area)",
         "A small area defined by the Office for National Statistics for publishing statistics: about "
         "1,500 residents or 650 households each. Wards contain several LSOAs.",
         r"LSOAs?|lower layer super output areas?"),
    Term("most-similar-group", "Most similar group",
         "The partnerships (or police forces) that the Home Office judges most like this one in their "
         "population, deprivation and geography, used as comparators because they face similar demands.",
         r"most similar groups?"),
    Term("rate-per-1000", "Rate per 1,000 residents",
         "A count divided by the resident population and multiplied by 1,000, so that areas of different "
         "sizes can be compared.",
         r"rates? per 1,000(?: residents)?"),
    Term("significant", "Statistically significant",
         "A change or difference too large to be explained by chance variation alone, tested at the 5% level. "
         "\"No significant change\" means the figures differ by no more than chance would explain.",
         r"statistically significant|significantly (?:higher|lower)|no significant change"),
    Term("suppressed", "Suppressed figure [c]",
         "A small count (and any figure that would reveal it) withheld to protect confidentiality; it "
         "reads [c] in the tables.",
         r"suppressed"),
)

#: Elements whose text is never linked: links themselves, headings, captions, code and tables.
_NO_LINK = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "code", "pre", "style", "script",
            "title", "th", "td", "button", "label", "summary", "nav"}
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"^<\s*(/)?\s*([a-zA-Z0-9]+)")
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "col", "area", "base", "embed"}


def link_terms(body: str, href: Callable[[Term], str], terms: Iterable[Term] = GLOSSARY) -> str:
    """Link the first use of each glossary term in the running text of ``body`` (HTML) to its entry.

    Only text outside links, headings, captions, tables and code is linked; ``href(term)`` gives the
    address (``"glossary.html#term-lsoa"`` on a chapter page, ``"#term-lsoa"`` in the PDF).
    """
    pending = [(t, re.compile(rf"(?<![\w-])(?:{t.pattern})(?![\w-])", re.IGNORECASE)) for t in terms]
    parts = _TAG.split(body)
    stack: list[str] = []
    for i, part in enumerate(parts):
        if not part or not pending:
            continue
        if part.startswith("<"):
            m = _TAG_NAME.match(part)
            if not m or part.startswith("<!"):
                continue
            name = m.group(2).lower()
            if m.group(1):
                if name in stack:
                    while stack and stack.pop() != name:
                        pass
            elif name not in _VOID and not part.endswith("/>"):
                stack.append(name)
            continue
        if any(s in _NO_LINK for s in stack):
            continue
        parts[i] = _link_text(part, pending, href)
    return "".join(parts)


def _link_text(text: str, pending: list[tuple[Term, re.Pattern[str]]], href: Callable[[Term], str]) -> str:
    """Link, left to right, the first match in ``text`` of each term still ``pending`` (removed once linked)."""
    out, pos = [], 0
    while pending:
        hits = [(m.start(), m, t, r) for t, r in pending if (m := r.search(text, pos))]
        if not hits:
            break
        _, m, term, regex = min(hits, key=lambda h: (h[0], -len(h[1].group(0))))
        # the text of an HTML page is already escaped: the match is inserted as it stands
        out.append(text[pos:m.start()])
        out.append(f'<a class="term" href="{html.escape(href(term), quote=True)}">{m.group(0)}</a>')
        pos = m.end()
        pending.remove((term, regex))
    out.append(text[pos:])
    return "".join(out)
