"""Partners' Markdown rendered safely: raw HTML, event handlers, ``javascript:`` and other unsafe
links and images neutralised; the account section that marks the words as the partners' own."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.report.partner_text import account_html, allowed_link, long_date, render_markdown

HOSTILE = """# Heading <script>alert(1)</script>

<script>alert("x")</script>
<img src=x onerror=alert(1)>
<a href="javascript:alert(1)" onclick="alert(2)">raw link</a>

[js](javascript:alert(1)) [JS](JaVaScRiPt:alert(1)) [tab](jav&#x09;ascript:alert(1)) [enc](%6Aavascript:alert(1))
<javascript:alert(2)> [data](data:text/html;base64,PHNjcmlwdD4=) [file](file:///etc/passwd) [vb](vbscript:x)
[proto](//evil.example/x) [abs](/etc/passwd) [up](../../outside.html) [mail](mailto:a@b.c)
![pic](https://evil.example/x.png) ![local](07_x.png)

[web](https://www.gov.uk/x) [page](07_anti_social_behaviour.html#a) [table](../tables.xlsx) [here](#top)
"""


def test_raw_html_scripts_event_handlers_and_unsafe_links_are_neutralised() -> None:
    out = render_markdown(HOSTILE)
    assert "<script" not in out and "<img" not in out and "<a href=\"javascript" not in out.lower()
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", out, re.IGNORECASE), "no tag has an event handler"
    hrefs = re.findall(r'href="([^"]*)"', out)
    assert hrefs == ["https://www.gov.uk/x", "07_anti_social_behaviour.html#a", "../tables.xlsx", "#top"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out  # shown as text, not run
    assert "[js](javascript:alert(1))" in out  # a refused link shows as the Markdown written
    assert "[image not shown: pic]" in out and "[image not shown: local]" in out
    assert out.startswith("<h3>")  # a partner's '#' sits below the account's own heading
    assert 'rel="noopener noreferrer"' in out


@pytest.mark.parametrize("url", ["https://www.gov.uk/x", "http://example.org", "07_x.html", "07_x.html#a", "../index.html",
                                 "../tables/x.csv", "#a", "sub/page.html?x=1"])
def test_allowed_links(url: str) -> None:
    assert allowed_link(url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JAVASCRIPT:x", "data:text/html,x", "file:///etc/passwd",
                                 "vbscript:x", "mailto:a@b", "ftp://x/y", "//evil.example", "/etc/passwd", "../../x",
                                 "../..", "a\\b", "https://", "jav\tascript:x", "%6Aavascript:x", "c:/windows", ""])
def test_refused_links(url: str) -> None:
    assert not allowed_link(url)


DANGER = st.sampled_from(["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
                          "<javascript:alert(1)>", '<a href="javascript:x" onmouseover="y">', "<iframe src=x>",
                          "![a](javascript:x)", "<svg onload=alert(1)>", "[x](data:text/html,<script>)", "\n\n    "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(DANGER, st.text(max_size=30)), max_size=12))
def test_no_text_renders_to_a_tag_that_runs_or_an_unsafe_link(parts: list[str]) -> None:
    out = render_markdown("".join(parts))
    tags = re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>", out)
    assert {t.lower() for t, _ in tags} <= {"p", "h3", "h4", "h5", "h6", "em", "strong", "a", "code", "pre", "ul", "ol",
                                            "li", "blockquote", "hr", "br", "span", "table", "thead", "tbody", "tr",
                                            "th", "td"}
    for _tag, attrs in tags:
        assert not re.search(r"\son[a-z]+\s*=", attrs, re.IGNORECASE)
    for href in re.findall(r'href="([^"]*)"', out):
        assert allowed_link(href.replace("&amp;", "&"))


def test_the_account_section_marks_the_words_as_the_partners_own() -> None:
    out = account_html("A <b>claim</b> of **64** diversions.", author="Police & <Council>", date=dt.date(2025, 5, 15),
                       title="Our <work>", level=2, anchor="partners-account")
    assert out.startswith('<section class="assess-partner-account" id="partners-account"><h2>')
    assert "<h2>The partners&#x27; account: Our &lt;work&gt;</h2>" in out
    assert "Written by <strong>Police &amp; &lt;Council&gt;</strong>, 15 May 2025." in out
    assert "Any figure in it is the partners&#x27; own: it was not computed by assess" in out
    assert "A &lt;b&gt;claim&lt;/b&gt; of <strong>64</strong> diversions." in out
    assert long_date(dt.date(2024, 12, 1)) == "1 December 2024"


def test_an_account_is_recorded_in_the_catalogue_and_read_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assess.report.outputs import ChapterOutputs, load_accounts

    out = ChapterOutputs(tmp_path, "11_vulnerable_people")
    shown = out.account("cuckooing", "Text <i>x</i>.", author="Police", date=dt.date(2025, 5, 14), level=4,
                        file="partner/narrative/cuckooing.md", display=False)
    assert shown.startswith('<section class="assess-partner-account" id="partners-account-cuckooing"><h4>')
    out.account("11_vulnerable_people", "Own text.", author="Council", date=dt.date(2025, 5, 1), display=False)
    ChapterOutputs(tmp_path, "06_young_people")  # a chapter that shows none
    assert load_accounts(tmp_path) == {"11_vulnerable_people": [
        {"name": "cuckooing", "anchor": "partners-account-cuckooing", "author": "Police", "date": "2025-05-14",
         "title": None, "file": "partner/narrative/cuckooing.md"},
        {"name": "11_vulnerable_people", "anchor": "partners-account", "author": "Council", "date": "2025-05-01",
         "title": None, "file": ""},
    ]}
    with pytest.raises(ValueError, match="there is no text"):
        out.account("prevent", "  \n", author="x", date=dt.date(2025, 1, 1), display=False)
    ChapterOutputs(tmp_path, "11_vulnerable_people")  # running the chapter again starts it afresh
    assert load_accounts(tmp_path) == {}


def test_the_pdf_keeps_links_to_the_bundle_relative() -> None:
    """A link of a chapter to another page or file of the bundle stays a link, relative to the PDF
    (which lies at the top of the bundle), so it resolves where the bundle is published; a file
    outside the bundle is not linked; web links are kept (tests/test_determinism.py checks the PDF)."""
    from pathlib import Path

    from assess.report.pdf import bundle_link

    bundle = Path("/srv/reports/x/.2024-25.123.abc.tmp")
    assert bundle_link(f"file://{bundle}/html/07_x.html#a", bundle) == "html/07_x.html#a"
    assert bundle_link(f"file://{bundle}/tables.xlsx", bundle) == "tables.xlsx"
    assert bundle_link("file:///etc/passwd", bundle) is None
    assert bundle_link("https://www.gov.uk/", bundle) == "https://www.gov.uk/"