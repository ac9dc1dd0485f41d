"""The demo assessment as a person with a screen reader, a keyboard or a phone meets it.

- axe-core (the rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and Deque's best practice) on
  the index and every chapter page of the demo bundle, at 1280 and at 375 CSS pixels wide, in the
  system Chromium driven by Playwright: no violation;
- no page scrolls sideways at either width (its content is never wider than the window);
- ``assessment.pdf`` is tagged (``pdfinfo``: "Tagged: yes"), has its language, a structure tree
  and alt text on every figure, bookmarks, and a contents page with page numbers.

axe-core comes from the npm registry through ``make axe`` (tests/vendor/axe.min.js, pinned in the
Makefile); Chromium is Debian's (``apt-get install chromium``): no browser is downloaded.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = (1280, 375)
#: The axe-core rule tags run: WCAG 2.0, 2.1, 2.2 at A and AA, and best practice.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _pages(bundle: Path) -> list[Path]:
    return [bundle / "index.html", *sorted((bundle / "html").glob("*.html"))]


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("needs Debian chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()


def _violations(page, script: str) -> list[dict]:
    page.evaluate(script)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => axe.run(document, options)", options)
    return result["violations"]


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_violation_on_any_page(demo_bundle: Path, browser, width: int) -> None:
    if not AXE.exists():
        pytest.skip(f"axe-core is not at {AXE}: run `make axe` (npm install axe-core)")
    script = AXE.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    found = {}
    pages = _pages(demo_bundle)
    assert len(pages) >= 15, "the index, every chapter and the glossary"
    for path in pages:
        page.goto(path.as_uri())
        for v in _violations(page, script):
            found.setdefault(path.name, []).append(
                f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}")
    context.close()
    assert found == {}, json.dumps(found, indent=1)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(demo_bundle: Path, browser, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    wide = {}
    for path in _pages(demo_bundle):
        page.goto(path.as_uri())
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            wide[path.name] = scroll
    context.close()
    assert wide == {}, f"pages wider than {width} px: {wide}"


def test_every_table_region_is_labelled_and_keyboard_reachable(demo_bundle: Path, browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 900})
    page = context.new_page()
    page.goto((demo_bundle / "html" / "03_places.html").as_uri())
    regions = page.evaluate(
        """[...document.querySelectorAll('.assess-table-wrap')].map(r => ({
             role: r.getAttribute('role'), label: r.getAttribute('aria-label') || r.getAttribute('aria-labelledby'),
             tab: r.tabIndex, scrolls: r.scrollWidth > r.clientWidth}))""")
    context.close()
    assert regions and all(r["role"] == "region" and r["label"] and r["tab"] == 0 for r in regions)


def test_printing_a_page_hides_the_navigation_and_keeps_cards_whole(demo_bundle: Path, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto((demo_bundle / "index.html").as_uri())
    page.emulate_media(media="print")
    styles = page.evaluate(
        """[getComputedStyle(document.querySelector('.assess-nav')).display,
            getComputedStyle(document.querySelector('.card')).breakInside,
            getComputedStyle(document.querySelector('.assess-banner')).display]""")
    page.emulate_media(media="screen")
    screen = page.evaluate("getComputedStyle(document.querySelector('.assess-nav')).display")
    context.close()
    assert styles == ["none", "avoid", "block"] and screen != "none"


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs pdfinfo (Debian poppler-utils)")
def test_the_pdf_is_tagged_with_language_alt_text_bookmarks_and_contents(demo_bundle: Path) -> None:
    from pypdf import PdfReader

    from test_report_export import struct_elements

    pdf = demo_bundle / "assessment.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB" and bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata.title and "Wessex Vale" in reader.metadata.title
    figures = [e for e in struct_elements(root["/StructTreeRoot"]) if e.get("/S") == "/Figure"]
    images = sum(p.read_text(encoding="utf-8").count("<img") for p in (demo_bundle / "html").glob("[0-9]*.html"))
    assert figures and len(figures) == images, "one Figure element for each chart of the chapters"
    assert all(str(f.get("/Alt", "")).strip() for f in figures), "every figure has alt text"
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "Contents" in titles and "Glossary" in titles and any("Recorded crime" in t for t in titles)
    contents = reader.pages[1].extract_text()
    assert re.search(r"Recorded crime\s*\.*\s*\d+", contents), contents[:400]
    tables = [e for e in struct_elements(root["/StructTreeRoot"]) if e.get("/S") == "/TH"]
    assert tables, "table headers are tagged as headers"


def test_no_code_names_warnings_or_raw_headers_reach_the_reader(demo_bundle: Path) -> None:
    leaks = {}
    for path in _pages(demo_bundle):
        text = path.read_text(encoding="utf-8")
        found = [m for m in ("OFFENCE_GROUP_MAPPING", "Note:</strong> Warning", "Kish's", "Spiegelhalter 2005") if m in text]
        found += re.findall(r"<th[^>]*>([a-z]+_[a-z0-9_/]+)</th>", text)  # a column named as in the code
        # a placeholder left unfilled (a string that lost its f): "Source: {comparators.SOURCE}"
        found += re.findall(r"\{[A-Za-z_][A-Za-z0-9_.]*(?:\[[^\]]*\])?\}", re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S))
        if found:
            leaks[path.name] = found
    assert leaks == {}
