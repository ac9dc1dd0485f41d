"""Exports of the executed chapters: one self-contained HTML page per chapter, and ``tables.xlsx``.

HTML (in process, nbconvert's ``HTMLExporter``):

- code hidden (``exclude_input``), no prompts; the cell markup of nbconvert's lab template, wrapped
  in this package's own page (``templates/page.html.j2``) with inline CSS and system fonts: no
  script, stylesheet or font from any network, images embedded as base64 with alt text;
- a nav bar (index, previous and next chapter, PDF), a footer with the OGL attribution, a banner
  for synthetic data and one for a chapter that failed.

:func:`audit_html` lists what an offline reader could not load and images without alt text; the
bundle records its findings and the tests assert on it.

``tables.xlsx``: one sheet per published table (names of at most 31 characters, unique), after a
``Notes`` sheet with the attribution, the suppression rule and a contents list.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL, __version__
from assess.atomic import atomic_path, write_text
from assess.registry import title_from_name

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
        return ChapterDoc(chapter, title, body.strip(), has_h1, status, error)


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
        body=Markup(doc.body),
        has_h1=doc.has_h1,
        failed=doc.status != "ok",
        error=doc.error or "",
        nav=nav_for(docs, i),
        css=Markup(css()),
        **ctx.template_values(),
    )


def write_chapter_pages(docs: list[ChapterDoc], html_dir: Path, ctx: PageContext) -> list[Path]:
    """Write ``html_dir/<chapter>.html`` for every chapter (atomically)."""
    paths = []
    for i, doc in enumerate(docs):
        paths.append(write_text(html_dir / doc.filename, chapter_page(docs, i, ctx)))
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


# -- workbook --------------------------------------------------------------------------------------
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_names(wanted: list[str], reserved: tuple[str, ...] = ("Notes",)) -> list[str]:
    """Excel sheet names for ``wanted`` (in order): at most 31 characters, no ``[]:*?/\\``,
    unique ignoring case (a repeat gets ``~2``, ``~3`` ...), none equal to a ``reserved`` name."""
    used = {r.lower() for r in reserved}
    out: list[str] = []
    for want in wanted:
        base = _SHEET_BAD.sub("_", want).strip("'")[:31] or "table"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            suffix = f"~{n}"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$")


def _cell_value(text: str) -> Any:
    if _INT.match(text) and len(text.lstrip("-")) <= 15:
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


@dataclass
class WorkbookTable:
    """One published table for the workbook."""

    chapter: str
    name: str
    csv: Path
    caption: str
    chapter_title: str


def _read_csv_rows(path: Path) -> list[list[str]]:
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        return [row for row in csv.reader(fh)]


def write_workbook(
    path: Path,
    tables: list[WorkbookTable],
    *,
    report_title: str,
    year: str,
    synthetic: bool,
    suppression_threshold: int,
    notes: dict[str, list[str]] | None = None,
) -> dict[str, str]:
    """Write ``tables.xlsx`` (atomically, reproducible bytes); returns sheet name by table key."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    keys = [f"{t.chapter}__{t.name}" for t in tables]
    short = [(t.chapter[:2] if t.chapter[:2].isdigit() else t.chapter) + "_" + t.name for t in tables]
    by_key = dict(zip(keys, sheet_names(short), strict=True))

    wb = Workbook()
    cover = wb.active
    cover.title = "Notes"
    bold = Font(bold=True)
    lines: list[tuple[str, Any]] = [
        ("title", report_title),
        ("", f"Tables of the community safety strategic assessment, {year}"),
    ]
    if synthetic:
        lines.append(("warn", SYNTHETIC_TEXT + "."))
    lines += [
        ("", OGL_ATTRIBUTION),
        ("", f"[c] = suppressed for disclosure control: counts from 1 to {suppression_threshold - 1}, and other "
             "cells suppressed with them so that they cannot be worked out from totals."),
        ("", "Each table is also published as CSV in the tables/ folder of this bundle."),
        ("", ""),
        ("head", "Contents"),
    ]
    for kind, text in lines:
        cover.append([text])
        if kind in ("title", "head", "warn"):
            cover.cell(row=cover.max_row, column=1).font = Font(bold=True, size=14 if kind == "title" else 11,
                                                                color="7A3E00" if kind == "warn" else None)
    cover.append(["Sheet", "Chapter", "Table", "Caption", "CSV file", "Rows"])
    for c in cover[cover.max_row]:
        c.font = bold
    for t, key in zip(tables, keys, strict=True):
        rows = max(0, len(_read_csv_rows(t.csv)) - 1)
        cover.append([by_key[key], t.chapter_title, t.name, t.caption, f"tables/{t.csv.name}", rows])
        link = cover.cell(row=cover.max_row, column=1)
        link.hyperlink = f"#'{by_key[key]}'!A1"
        link.style = "Hyperlink"
    if notes and any(notes.values()):
        cover.append([])
        cover.append(["Notes from the chapters"])
        cover.cell(row=cover.max_row, column=1).font = bold
        for chapter, texts in notes.items():
            for text in texts:
                cover.append([chapter, text])
    cover.column_dimensions["A"].width = 34
    for col, width in zip("BCDEF", (28, 28, 60, 40, 8), strict=True):
        cover.column_dimensions[col].width = width

    for t, key in zip(tables, keys, strict=True):
        ws = wb.create_sheet(by_key[key])
        rows = _read_csv_rows(t.csv)
        ws.append([t.caption])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([f"{t.chapter_title}. [c] = suppressed (disclosure control). Source file: tables/{t.csv.name}"])
        ws.append([])
        widths: dict[int, int] = {}
        for r, row in enumerate(rows):
            ws.append([_cell_value(v) if r else v for v in row])
            for j, v in enumerate(row):
                widths[j] = max(widths.get(j, 0), len(v))
        if rows:
            for c in ws[4]:
                c.font = bold
                c.alignment = Alignment(wrap_text=True, vertical="top")
            ws.freeze_panes = "A5"
        for j, w in widths.items():
            ws.column_dimensions[get_column_letter(j + 1)].width = min(60, max(10, w + 2))

    with atomic_path(path) as tmp:
        wb.save(tmp)
        _make_reproducible_zip(tmp)
    return by_key


_CORE_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def _make_reproducible_zip(path: Path) -> None:
    """Rewrite an xlsx with fixed entry times and no creation/modification dates."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, data)


def escape(text: str) -> str:
    """HTML-escape ``text`` (quotes too)."""
    return html.escape(text, quote=True)
