"""The batch index (<out>/index.html) shows hostile CSP names, errors and problems as text, and
carries the pages' Content-Security-Policy, so that nothing in it could run."""

from __future__ import annotations

from pathlib import Path

from assess.report.batch import BundleOutcome
from assess.report.batch_index import batch_index_page
from assess.report.safe_text import executable_html

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


def test_hostile_names_and_errors_are_text_and_the_page_forbids_scripts(tmp_path: Path) -> None:
    outcomes = [
        BundleOutcome(csp="evil", name=f"Evil {SCRIPT} CSP", code="E22000001", year="2024/25", status="failed",
                      error=f"a configuration that says {IMG}"),
        BundleOutcome(csp="other", name=f"Other {IMG}", code="E22000002", year="2024/25", status="incomplete",
                      path="other/2024-25", failed_chapters={"01_x": SCRIPT}, problems=[f"tables.xlsx {IMG}"]),
    ]
    page = batch_index_page(tmp_path, outcomes)
    assert executable_html(page) == [], executable_html(page)
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; CSP" in page
    assert "a configuration that says &lt;img src=x onerror=alert(2)&gt;" in page
    assert page.count('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:;') == 1
