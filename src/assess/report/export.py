"""Exports of the executed chapters: one self-contained HTML page per chapter, and ``tables.xlsx``.

HTML (in process, nbconvert's ``HTMLExporter``):

- code hidden (``exclude_input``), no prompts; the cell markup of nbconvert's lab template, wrapped
  in this package's own page (``templates/page.html.j2``) with inline CSS and system fonts: no
  script, stylesheet or font from any network, images embedded as base64 with alt text;
- a nav bar (index, previous and next chapter, PDF), a footer with the OGL attribution, a banner
  for synthetic data and one for a chapter that failed.

:func:`audit_html` lists what an offline reader could not load and images without alt text; the
bundle records its findings and the tests assert on it.

Every page is read as a person would: landmarks for every region (the banners sit in the page's
``<header>``), each table in a labelled region a keyboard can scroll (tables a chapter showed
without :meth:`~assess.report.outputs.ChapterOutputs.table`, such as the scorecard's styled one,
are wrapped here: :func:`wrap_tables`), and the first use on a page of each term of the glossary
linked to its entry on ``html/glossary.html`` (:mod:`assess.report.words`).

The workbook is :mod:`assess.report.workbook`'s job.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL, __version__
from assess.atomic import write_text
from assess.registry import title_from_name
from assess.report.words import GLOSSARY, Term, link_terms

if TYPE_CHECKING:  # nbformat is imported where notebooks are read: the PDF workers need none of it
    import nbformat

TEMPLATES = Path(__file__).parent / "templates"
GENERATOR = f"assess {__version__}"
SYNTHETIC_TEXT = f"{SYNTHETIC_LABEL[:1].upper()}{SYNTHETIC_LABEL[1:]}: the figures are invented and describe no real area"
_ERROR_MARKER_TAG = "papermill-error-cell-tag"
#: The alt text of an image a chapter displayed without one (not through ``out.figure``).
NO_ALT_TEXT = "Chart (no description was provided for this image)"


# -- chapter documents -----------------------------------------------------------------------------
@dataclass
class ChapterDoc:
    """One chapter, rendered: its title and the HTML of its outputs (code hidden)."""

    chapter: str
    title: str
    body: str
    has_h1: bool
    status: str = "ok"
    error: str | None = None

    @property
    def undescribed_images(self) -> int:
        """Images shown without alt text of their own (they carry :data:`NO_ALT_TEXT`)."""
        return self.body.count(f'alt="{NO_ALT_TEXT}"')

    @property
    def filename(self) -> str:
        return f"{self.chapter}.html"


def _jinja() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def css(name: str = "assess.css") -> str:
    """The text of one of the package's stylesheets."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file="chapter_body.html.j2",
        extra_template_paths=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def _report_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without papermill's error markers (the page has its own banner)."""
    import nbformat

    out = nbformat.from_dict(nb)
    out.cells = [c for c in out.cells if _ERROR_MARKER_TAG not in c.get("metadata", {}).get("tags", [])]
    return out


_H1_MD = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, bool]:
    """The first ``# Heading`` of the notebook's markdown, and whether it has one."""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            m = _H1_MD.search(cell.get("source", ""))
            if m:
                return m.group(1).strip(), True
    return fallback, False


def fallback_title(chapter: str) -> str:
    """The title of a chapter whose notebook has no heading: ``"08_hate_crime"`` -> ``"Hate crime"``."""
    return title_from_name(chapter)


class ChapterRenderer:
    """Renders executed notebooks to :class:`ChapterDoc` (one exporter reused; not thread-safe)."""

    def __init__(self) -> None:
        self._exporter = _exporter()

    def render(self, executed: Path, chapter: str, status: str = "ok", error: str | None = None) -> ChapterDoc:
        if executed.exists():
            import nbformat

            nb = nbformat.read(executed, as_version=4)
            title, has_h1 = notebook_title(nb, fallback_title(chapter))
            body, _ = self._exporter.from_notebook_node(_report_cells(nb), resources={"metadata": {"name": chapter}})
        else:
            title, has_h1, body = fallback_title(chapter), False, ""
        return ChapterDoc(chapter, title, lead_with_findings(wrap_tables(body.strip()), chapter), has_h1, status, error)


_FINDING = re.compile(r'<p class="assess-finding"><strong>Key finding:</strong>\s*(.*?)</p>', re.DOTALL)
_H1_END = re.compile(r"</h1\s*>", re.IGNORECASE)


def lead_with_findings(body: str, chapter: str) -> str:
    """Gather the chapter's key findings (shown where each was computed) into one list under its
    title, so that every chapter opens with what it found; the text keeps the rest in order."""
    found = _FINDING.findall(body)
    h1 = _H1_END.search(body)
    if not found or h1 is None:
        return body
    body = _FINDING.sub("", body)
    h1 = _H1_END.search(body)
    assert h1 is not None
    heading = f"key-findings-{chapter}"
    items = "".join(f"<li>{text}</li>" for text in found)
    box = (f'<section class="assess-key-findings" aria-labelledby="{heading}">'
           f'<h2 id="{heading}">Key findings</h2><ul>{items}</ul></section>')
    return body[:h1.end()] + box + body[h1.end():]


_TABLE_OPEN = re.compile(r"<table\b[^>]*>", re.IGNORECASE)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption\s*>", re.IGNORECASE | re.DOTALL)
_WRAPPED = 'class="assess-table-wrap"'


def wrap_tables(body: str) -> str:
    """Put every table of ``body`` that is not already in one (:func:`assess.report.display.table_html`
    makes ``<table class="assess-table">`` in its own) into a labelled region a keyboard can scroll,
    named by the table's caption, so that a wide table never widens the page."""
    out, pos = [], 0
    for m in _TABLE_OPEN.finditer(body):
        if m.start() < pos or re.search(r'class="assess-table[ "]', m.group(0)):
            continue
        close = _TABLE_CLOSE.search(body, m.end())
        if close is None:
            break
        caption = _CAPTION.search(body, m.end(), close.start())
        text = re.sub(r"<[^>]+>", "", caption.group(1)) if caption else ""
        label = escape(html.unescape(" ".join(text.split())) or "Table")
        out.append(body[pos:m.start()])
        out.append(f'<div {_WRAPPED} role="region" aria-label="{label}" tabindex="0">')
        out.append(body[m.start():close.end()])
        out.append("</div>")
        pos = close.end()
    out.append(body[pos:])
    return "".join(out)


# -- pages -----------------------------------------------------------------------------------------
@dataclass
class PageContext:
    """What every page of a bundle shares."""

    report_title: str
    year: str
    synthetic: bool
    coverage: str = ""  # which months the year holds (and that it is incomplete, if it is)
    ogl: str = OGL_ATTRIBUTION
    generator: str = GENERATOR

    def template_values(self) -> dict[str, Any]:
        """What every page template (HTML chapter, index, PDF part) is given about the report."""
        return {
            "report_title": self.report_title,
            "year": self.year,
            "coverage": self.coverage,
            "synthetic": self.synthetic,
            "synthetic_text": SYNTHETIC_TEXT,
            "synthetic_label": SYNTHETIC_LABEL,
            "ogl": self.ogl,
            "generator": self.generator,
        }


def nav_for(docs: list[ChapterDoc], i: int) -> dict[str, Any]:
    """Links from chapter ``i`` (pages in ``html/``) to the index, neighbours, PDF and notebook."""
    prev = docs[i - 1] if i > 0 else None
    nxt = docs[i + 1] if i + 1 < len(docs) else None
    return {
        "index": "../index.html",
        "pdf": "../assessment.pdf",
        "notebook": f"../notebooks/{docs[i].chapter}.ipynb",
        "glossary": GLOSSARY_PAGE,
        "prev": {"href": prev.filename, "title": prev.title} if prev else None,
        "next": {"href": nxt.filename, "title": nxt.title} if nxt else None,
    }


def chapter_page(docs: list[ChapterDoc], i: int, ctx: PageContext) -> str:
    """The full HTML page of chapter ``i``."""
    doc = docs[i]
    template = _jinja().get_template("page.html.j2")
    from markupsafe import Markup

    return template.render(
        title=doc.title,
        chapter=doc.chapter,
        body=Markup(link_terms(doc.body, lambda t: f"{GLOSSARY_PAGE}#{t.anchor}")),
        has_h1=doc.has_h1,
        failed=doc.status != "ok",
        error=doc.error or "",
        nav=nav_for(docs, i),
        css=Markup(css()),
        **ctx.template_values(),
    )


#: The glossary's page, beside the chapters' in ``html/``.
GLOSSARY_PAGE = "glossary.html"


def glossary_html(terms: tuple[Term, ...] = GLOSSARY, *, heading: str = "h1", ids: bool = True) -> str:
    """The glossary as HTML: a heading and a description list, each term with its anchor."""
    items = "".join(
        f'<dt{f" id={chr(34)}{t.anchor}{chr(34)}" if ids else ""}>{escape(t.term)}</dt><dd>{escape(t.meaning)}</dd>'
        for t in sorted(terms, key=lambda t: t.term.lower())
    )
    return f'<{heading}>Glossary</{heading}>\n<dl class="glossary">{items}</dl>'


def glossary_page(docs: list[ChapterDoc], ctx: PageContext) -> str:
    """The full HTML page ``html/glossary.html``."""
    from markupsafe import Markup

    nav = {
        "index": "../index.html", "pdf": "../assessment.pdf", "glossary": GLOSSARY_PAGE, "notebook": "",
        "prev": {"href": docs[-1].filename, "title": docs[-1].title} if docs else None, "next": None,
    }
    return _jinja().get_template("page.html.j2").render(
        title="Glossary", chapter="glossary", body=Markup(glossary_html()), has_h1=True, failed=False, error="",
        nav=nav, css=Markup(css()), **ctx.template_values(),
    )


def write_chapter_pages(docs: list[ChapterDoc], html_dir: Path, ctx: PageContext) -> list[Path]:
    """Write ``html_dir/<chapter>.html`` for every chapter and ``html_dir/glossary.html`` (atomically)."""
    paths = []
    for i, doc in enumerate(docs):
        paths.append(write_text(html_dir / doc.filename, chapter_page(docs, i, ctx)))
    paths.append(write_text(html_dir / GLOSSARY_PAGE, glossary_page(docs, ctx)))
    return paths


# -- audit -----------------------------------------------------------------------------------------
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_CSS_REMOTE = re.compile(r"(?:@import\s+(?:url\()?|url\()\s*['\"]?\s*(?:https?:)?//", re.IGNORECASE)


@dataclass
class HtmlAudit:
    """What a page refers to: remote resources (must be none), images, local links."""

    remote: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def images_without_alt(self) -> int:
        return sum(1 for img in self.images if not img.get("alt", "").strip())


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.audit = HtmlAudit()
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "script" and _REMOTE.match(a.get("src", "")):
            self.audit.remote.append(f"<script src={a['src']}>")
        if tag == "link" and a.get("href") and _REMOTE.match(a["href"]):
            self.audit.remote.append(f"<link href={a['href']}>")
        if tag in ("img", "source", "iframe", "embed", "video", "audio") and _REMOTE.match(a.get("src", "")):
            self.audit.remote.append(f"<{tag} src={a['src']}>")
        if tag == "img":
            self.audit.images.append({"src": a.get("src", ""), "alt": a.get("alt", "")})
        if tag == "a" and a.get("href"):
            self.audit.links.append(a["href"])
        if tag == "style":
            self._in_style = True
        style = a.get("style", "")
        if style and _CSS_REMOTE.search(style):
            self.audit.remote.append(f"style={style[:80]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style and _CSS_REMOTE.search(data):
            self.audit.remote.append(f"<style> {_CSS_REMOTE.search(data).group(0)}")  # type: ignore[union-attr]


def audit_html(text: str) -> HtmlAudit:
    """Remote resources, images (src, alt) and links of an HTML page."""
    auditor = _Auditor()
    auditor.feed(text)
    auditor.close()
    return auditor.audit


def local_link_targets(page: Path, links: list[str]) -> list[Path]:
    """The files the page's relative links point at (anchors and remote links skipped)."""
    targets = []
    for href in links:
        if href.startswith(("#", "mailto:")) or _REMOTE.match(href) or re.match(r"^[a-z]+:", href):
            continue
        targets.append((page.parent / href.split("#", 1)[0]).resolve())
    return targets


def escape(text: str) -> str:
    """HTML-escape ``text`` (quotes too)."""
    return html.escape(text, quote=True)
