"""``assessment.pdf``: the whole assessment as one A4 document, by WeasyPrint (CSS paged media).

A title page, a contents page whose page numbers come from ``target-counter``, every chapter
starting a new page, "Page n of N" in the footer, PDF bookmarks from the headings, the OGL
attribution on the title page and in every footer, and the synthetic-data flag in the header
of every page when the data are synthetic (``templates/print.html.j2`` and ``print.css``).

Offline and reproducible: only ``data:`` and ``file:`` URLs are fetched, and the document
carries no creation date or random identifier, so the same chapters give the same bytes.
"""

from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from assess import SYNTHETIC_LABEL
from assess.atomic import atomic_path
from assess.report.export import SYNTHETIC_TEXT, ChapterDoc, PageContext, _jinja, css

_ID = re.compile(r'(\sid=")([^"]+)(")')
_HREF_FRAGMENT = re.compile(r'(\shref="#)([^"]+)(")')


def prefix_ids(body: str, prefix: str) -> str:
    """Make a chapter's element ids (and its ``#`` links to them) unique within the document."""
    body = _ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}{m.group(3)}", body)
    return _HREF_FRAGMENT.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}{m.group(3)}", body)


def print_html(docs: list[ChapterDoc], ctx: PageContext, *, author: str = "") -> str:
    """The single HTML document the PDF is rendered from."""
    chapters = []
    for doc in docs:
        body = prefix_ids(doc.body, doc.chapter)
        failed = doc.status != "ok"
        if failed:
            banner = (
                f'<div class="failed">This chapter did not finish: <code>{html.escape(doc.error or "unknown error")}'
                "</code>. What follows is its output up to the error.</div>"
            )
            body = body.replace("</h1>", "</h1>" + banner, 1) if doc.has_h1 else banner + body
        chapters.append(
            {
                "chapter": doc.chapter,
                "title": doc.title,
                "has_h1": doc.has_h1,
                "failed": failed,
                "error": doc.error or "",
                "body": Markup(body),
            }
        )
    return _jinja().get_template("print.html.j2").render(
        chapters=chapters,
        css=Markup(css("print.css")),
        report_title=ctx.report_title,
        year=ctx.year,
        synthetic=ctx.synthetic,
        synthetic_text=SYNTHETIC_TEXT,
        synthetic_label=SYNTHETIC_LABEL,
        ogl=ctx.ogl,
        generator=ctx.generator,
        author=author or ctx.report_title,
    )


@dataclass
class PdfResult:
    """What :func:`write_pdf` made."""

    path: Path
    pages: int
    seconds: float


def write_pdf(docs: list[ChapterDoc], path: Path, ctx: PageContext, *, author: str = "") -> PdfResult:
    """Render the chapters to ``path`` (atomically)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    start = time.perf_counter()
    source = print_html(docs, ctx, author=author)
    fetcher = URLFetcher(allowed_protocols={"data", "file"})
    document = HTML(string=source, base_url=str(path.parent), url_fetcher=fetcher).render()
    with atomic_path(path) as tmp:
        document.write_pdf(tmp)
    return PdfResult(path=Path(path), pages=len(document.pages), seconds=time.perf_counter() - start)
