"""The reader's words and figures: column headers, the glossary links, number formats and how
tables are shown (split when too wide, findings first)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.report.display import PublishedTable, column_parts, column_view, table_html
from assess.report.export import glossary_html, lead_with_findings
from assess.report.formats import ColumnFormat, column_format, parse_number
from assess.report.words import GLOSSARY, column_label, column_labels, link_terms


@pytest.mark.parametrize(("name", "label"), [
    ("dont_know_or_blank", "Don't know or blank"),
    ("effective_n", "Effective sample size"),
    ("lower_95", "Lower 95% limit"),
    ("percent_2023/24", "Percentage, 2023/24"),
    ("rate_per_100000", "Rate per 100,000"),
    ("arrests_per_1000", "Arrests per 1,000"),
    ("supervising_service", "Supervising service"),
    ("ward", "Ward"),
    ("Rate per 1,000", "Rate per 1,000"),
    ("police.uk crimes", "police.uk crimes"),
    ("2024/25", "2024/25"),
])
def test_column_labels_are_in_the_readers_words(name: str, label: str) -> None:
    assert column_label(name) == label


def test_labels_that_would_repeat_keep_the_names_apart() -> None:
    assert column_labels(["percent", "Percentage"]) == ["Percentage", "Percentage (2)"]
    assert column_labels(["lower_95", "Lower 95% limit", "x"]) == ["Lower 95% limit", "Lower 95% limit (2)", "X"]
    assert column_labels(["percent", "ward"]) == ["Percentage", "Ward"]


def test_the_glossary_explains_the_terms_the_issue_names() -> None:
    terms = {t.slug for t in GLOSSARY}
    assert {"lsoa", "funnel-plot", "confidence-interval", "gini-coefficient", "effective-sample-size",
            "most-similar-group"} <= terms
    page = glossary_html()
    assert page.count("<dt") == len(GLOSSARY) and 'id="term-lsoa"' in page


def test_the_first_use_of_a_term_in_running_text_is_linked_and_nothing_else() -> None:
    body = ('<h2>LSOAs</h2><p>The 10% of LSOAs with most crime; more LSOAs. A funnel plot.</p>'
            '<table><caption>LSOAs</caption><tr><td>LSOA</td></tr></table><a href="x">funnel plot</a>'
            '<img alt="a funnel plot of LSOAs" src="x.png"><p>Statistically significant.</p>')
    linked = link_terms(body, lambda t: f"g.html#{t.anchor}")
    assert linked.count('class="term"') == 3
    assert '<p>The 10% of <a class="term" href="g.html#term-lsoa">LSOAs</a> with most crime; more LSOAs.' in linked
    assert 'A <a class="term" href="g.html#term-funnel-plot">funnel plot</a>.</p>' in linked
    assert "<h2>LSOAs</h2>" in linked and "<caption>LSOAs</caption>" in linked and "<td>LSOA</td>" in linked
    assert 'alt="a funnel plot of LSOAs"' in linked
    assert '<a class="term" href="g.html#term-significant">Statistically significant</a>' in linked


@given(st.text(alphabet=st.sampled_from(list("ab <>/=\"'LSOA funnel plot")), max_size=80))
def test_linking_never_changes_the_text(body: str) -> None:
    linked = link_terms(body, lambda t: "#x")
    assert re.sub(r'<a class="term" href="#x">(.*?)</a>', r"\1", linked) == body


def test_formats_per_column_years_as_years_and_fixed_decimals() -> None:
    assert column_format("end_year", [2019, 2020]) == ColumnFormat("year")
    assert column_format("end_year", [2019, 2020]).text(2019) == "2019"
    assert column_format("count", [1234, 5]).text(1234) == "1,234"
    rate = column_format("rate", [81.25, 64.5, "[c]", None])
    assert rate == ColumnFormat("decimal", 2) and rate.text(64.5) == "64.50" and rate.excel == "#,##0.00"
    assert column_format("flag", [True, False]).text(True) == "Yes"
    assert column_format("ward", ["Abbey", 3]).kind == "text"
    assert parse_number("1,000") == 1000 and parse_number("-3.5") == -3.5 and parse_number("2023/24") is None
    assert parse_number("=1+2") is None and parse_number("12a") is None


def test_a_wide_table_is_split_into_parts_that_repeat_its_row_names() -> None:
    df = pd.DataFrame({"Ward code": ["E1"], "Ward": ["Abbey"], **{f"Type {i}": [i] for i in range(13)}})
    parts = column_parts(df)
    assert len(parts) == 2 and all(p[:2] == [0, 1] for p in parts) and all(len(p) <= 9 for p in parts)
    assert sorted({c for p in parts for c in p}) == list(range(15))
    html = table_html(df, "Crimes by ward")
    assert html.count("<table") == 2 and html.count("<th scope=\"col\">Ward</th>") == 2
    assert "Crimes by ward (part 1 of 2: Type 0 to Type 6)" in html
    assert html.count('role="region"') == 2 and html.count('tabindex="0"') == 2


def test_a_view_shows_some_columns_of_a_published_table_suppressed_alike() -> None:
    published = PublishedTable(pd.DataFrame({"Area": ["A", "B"], "Count": [12, 3], "Rate": [1.5, 0.25]}))
    published.suppressed = pd.DataFrame({"Area": [False, False], "Count": [False, True], "Rate": [False, True]})
    view = column_view(published, ["Area", "Count"], "Counts")
    html = view._repr_html_()
    assert "[c]" in html and "Rate" not in html and "12" in html
    with pytest.raises(KeyError):
        column_view(published, ["Nope"], "x")


def test_each_chapter_leads_with_its_findings() -> None:
    body = ('<h1 id="t">3. Places</h1><p>Intro.</p><p class="assess-finding"><strong>Key finding:</strong> '
            'Crime rose &amp; fell.</p><p>More.</p><p class="assess-finding"><strong>Key finding:</strong> Second.</p>')
    led = lead_with_findings(body, "03_places")
    assert led.startswith('<h1 id="t">3. Places</h1><section class="assess-key-findings" aria-labelledby="key-findings-03_places">')
    assert "<li>Crime rose &amp; fell.</li><li>Second.</li>" in led
    assert led.count("Crime rose") == 1 and "<p>Intro.</p>" in led and "<p>More.</p>" in led
    assert lead_with_findings("<p>No heading</p>", "x") == "<p>No heading</p>"
