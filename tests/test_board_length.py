"""A board-length document (issue 11.6): the executive summary of the demo PDF fits on two pages,
the priorities and recommendations following as a part of their own, listed in the contents."""

from __future__ import annotations

from pathlib import Path

from assess.report.pdf import part_headings

#: Pages the executive summary may take in the PDF.
SUMMARY_PAGES = 2


def _bookmarks(pdf: Path) -> list[tuple[str, int]]:
    """The PDF's top-level bookmarks: (title, page from 1)."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    return [(o.title, reader.get_destination_page_number(o) + 1) for o in reader.outline if not isinstance(o, list)]


def test_the_executive_summary_fits_on_two_pages_and_the_priorities_follow_on_their_own(demo_bundle: Path) -> None:
    from pypdf import PdfReader

    pdf = demo_bundle / "assessment.pdf"
    marks = _bookmarks(pdf)
    titles = [t for t, _ in marks]
    summary = titles.index("Executive summary")
    assert titles[summary + 1] == "The partnership's priorities and recommendations", titles
    first, after = marks[summary][1], marks[summary + 1][1]
    assert after - first <= SUMMARY_PAGES, f"the executive summary takes {after - first} pages (pages {first} to {after - 1})"
    page = PdfReader(pdf).pages[after - 1].extract_text()
    assert "Recommendation 1" in page  # the recommendations in full are there, not in the summary
    summary_text = "".join(PdfReader(pdf).pages[p - 1].extract_text() for p in range(first, after))
    assert "Key findings" in summary_text and "Headline figures" in summary_text
    assert "The partnership's priorities" in summary_text and "Recommendation 1" not in summary_text
    contents = PdfReader(pdf).pages[1].extract_text()
    assert "The partnership's priorities and recommendations" in contents and f"{after}" in contents


def test_a_part_heading_is_found_with_its_anchor_and_its_title_as_text() -> None:
    source = ('<h2>Key findings</h2><h2 class="assess-part" id="00_summary-part-priorities">The partnership&#x27;s '
              "<em>priorities</em></h2>")
    assert part_headings(source) == [("00_summary-part-priorities", "The partnership's priorities")]
