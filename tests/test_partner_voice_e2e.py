"""The partners' voice end to end: a narrative file through an executed notebook into the chapter's
HTML page and the PDF (with its author), hostile Markdown neutralised on the way; and the demo
bundle showing the topics, the accounts and the recommendations."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from conftest import DemoData, run_chapter

from assess.report.export import ChapterRenderer, PageContext, audit_html, chapter_page
from assess.report.pdf import write_pdf
from assess.vocabulary import SAFEGUARDING_TOPICS

pytestmark = pytest.mark.e2e

HOSTILE_ACCOUNT = """---
author: Youth Offending <Service> & Partners
date: 2025-05-15
title: Diversion <script>alert('title')</script>
---
The **Joint Decision Making Panel** diverted 64 young people.

<script>alert(document.cookie)</script>
<img src="x" onerror="alert(1)">

[click me](javascript:alert(1)) and [the ASB chapter](07_anti_social_behaviour.html) and [GOV.UK](https://www.gov.uk/)
"""


def _raw_with_account(demo_data: DemoData, tmp_path: Path, name: str, text: str) -> DemoData:
    """The demo's raw folder as the chapters read it (partner files only: the rest is in the store),
    with the narrative file ``name`` replaced by ``text``."""
    raw = tmp_path / "raw"
    shutil.copytree(demo_data.raw / "partner", raw / "partner")
    (raw / "partner" / "narrative" / name).write_text(text, encoding="utf-8")
    return dataclasses.replace(demo_data, raw=raw)


def _text(html_page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_page))


def test_a_narrative_reaches_the_chapter_page_and_the_pdf_neutralised(demo_data: DemoData, tmp_path: Path) -> None:
    from pypdf import PdfReader

    data = _raw_with_account(demo_data, tmp_path, "06_young_people.md", HOSTILE_ACCOUNT)
    run = run_chapter("06_young_people", data, tmp_path)
    doc = ChapterRenderer().render(run.notebook, "06_young_people")
    ctx = PageContext(report_title="Wessex Vale Community Safety Partnership", year="2024/25", synthetic=True)
    page = chapter_page([doc], 0, ctx)

    section = page[page.index('<section class="assess-partner-account"'):]
    section = section[: section.index("</section>") + len("</section>")].replace("&#x27;", "'")
    assert "<h2>The partners' account: Diversion &lt;script&gt;alert('title')&lt;/script&gt;</h2>" in section
    assert "Written by <strong>Youth Offending &lt;Service&gt; &amp; Partners</strong>, 15 May 2025." in section
    assert "Any figure in it is the partners' own: it was not computed by assess" in section
    assert "<strong>Joint Decision Making Panel</strong> diverted 64 young people." in section
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in section
    assert "<script" not in page.lower(), "no script in the page at all"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", page, re.IGNORECASE), "no event handler on any tag"
    assert "javascript:" not in re.sub(r"\[click me\]\(javascript:alert\(1\)\)", "", section)
    assert re.findall(r'href="([^"]*)"', section) == ["07_anti_social_behaviour.html", "https://www.gov.uk/"]
    audit = audit_html(page)
    assert audit.remote == [] and audit.images_without_alt == 0

    pdf = write_pdf([doc], tmp_path / "assessment.pdf", ctx)
    text = " ".join(p.extract_text() for p in PdfReader(pdf.path).pages)
    flat = " ".join(text.split())
    assert "The partners' account: Diversion <script>alert('title')</script>" in flat  # as text, never run
    assert "Written by Youth Offending <Service> & Partners, 15 May 2025." in flat
    assert "diverted 64 young people" in flat
    uris = [str(a.get_object().get("/A", {}).get("/URI", "")) for p in PdfReader(pdf.path).pages for a in p.get("/Annots", [])]
    assert [u for u in uris if u] == ["https://www.gov.uk/"], "no file: address of the build folder, no javascript"


def test_the_pdf_of_a_page_with_bundle_links_does_not_depend_on_the_build_folder(demo_data: DemoData, tmp_path: Path) -> None:
    data = _raw_with_account(demo_data, tmp_path, "06_young_people.md", HOSTILE_ACCOUNT)
    run = run_chapter("06_young_people", data, tmp_path)
    doc = ChapterRenderer().render(run.notebook, "06_young_people")
    ctx = PageContext(report_title="Wessex Vale", year="2024/25", synthetic=True)
    built = []
    for folder in ("one", "another"):
        (tmp_path / folder).mkdir()
        built.append(write_pdf([doc], tmp_path / folder / "assessment.pdf", ctx).path.read_bytes())
    assert built[0] == built[1]


# --- the demo bundle ------------------------------------------------------------------------------


@pytest.mark.xdist_group("demo_bundle")
def test_the_demo_bundle_shows_every_account_topic_and_recommendation(demo_bundle: Path) -> None:
    from pypdf import PdfReader

    from assess.demo.partner_narrative import ACCOUNTS

    for chapter in ("01_recorded_crime", "06_young_people", "12_scorecard", "13_appendix_reconciliation"):
        page = (demo_bundle / "html" / f"{chapter}.html").read_text(encoding="utf-8")
        assert 'id="partners-account"' in page, chapter
        assert f"Written by <strong>{ACCOUNTS[chapter].author}</strong>" in page.replace("&#x27;", "'"), chapter
        assert "Synthetic demonstration text, written by" in page
    vulnerable = _text((demo_bundle / "html" / "11_vulnerable_people.html").read_text(encoding="utf-8"))
    for title in SAFEGUARDING_TOPICS.values():
        assert title in vulnerable
    assert "Nothing is known in this assessment about female genital mutilation" in vulnerable
    assert "The partners have written no account of trafficking and modern slavery" in vulnerable
    for topic in ("missing_children", "child_exploitation", "modern_slavery", "cuckooing"):
        assert (demo_bundle / "tables" / f"11_vulnerable_people__topic_{topic}.csv").exists()

    summary_html = (demo_bundle / "html" / "00_summary.html").read_text(encoding="utf-8")
    summary = _text(summary_html).replace("&#x27;", "'")
    assert summary.count("The partnership's recommendations under this priority") == 5
    assert all(f"Recommendation {n}" in summary for n in range(1, 9))
    assert "Warning:" not in summary  # every id the demo's recommendations cite is produced by the run
    assert "The chapters of this assessment that carry the partners' own account" in summary
    assert 'href="11_vulnerable_people.html#partners-account-cuckooing"' in summary_html
    assert "What the partnership will do with this assessment" in summary

    reader = PdfReader(demo_bundle / "assessment.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "The partners' account: Diverting young people from the justice system" in text
    assert "Written by Wessex Vale Youth Offending Service (fictional), 15 May 2025." in text
    assert "Recommendation 8" in text and "Female genital mutilation" in text
    uris = {str(a.get_object().get("/A", {}).get("/URI", "")) for p in reader.pages for a in p.get("/Annots", [])}
    assert not any(u.startswith("file:") for u in uris)
