"""``assessment.pdf``: the whole assessment as one tagged A4 document (PDF/UA-1), by WeasyPrint.

A title page, a contents page with the page of every chapter (and links to it), every chapter
starting a new page, a glossary, "Page n of N" in the footer of every page but the title page,
PDF bookmarks from the headings, the OGL attribution on the title page and in every footer, and
the synthetic-data flag in the header of every page when the data are synthetic (templates
``print_*.html.j2`` and ``print.css``). The document is tagged for a screen reader: PDF/UA-1
(``pdf_variant="pdf/ua-1"``): a structure tree of headings, paragraphs, lists, tables with their
header cells and figures with their alt text, the document's title shown in the viewer's title
bar, and its language (en-GB).

How it is built, and why so:

1. each chapter (and the glossary and the colophon) is laid out as a document of its own as soon
   as the chapter has been executed, in one worker process (:class:`LayoutWorker`, serving a
   :class:`Layout`), while the other chapters are still executing;
2. once all are laid out, their page counts give the page of every chapter: the front matter
   (title and contents) is laid out with those numbers as plain text, beside a document of blank
   pages whose footers read "Page i of N";
3. the laid-out pages of all of them are joined into one WeasyPrint document, each page given the
   footer of its stamp (:func:`stamped`), and that one document is written: WeasyPrint tags it as
   it writes it, so the PDF keeps its structure tree.

Joining finished PDFs afterwards (with pypdf, as this module did before) loses the tags; laying
out the whole document at once took 13.7 s (``counter(pages)`` and ``target-counter`` make
WeasyPrint lay it out more than once). Laid-out pages can be joined only within the process that
laid them out, hence one worker rather than several: the layout of every part takes about 4 s of
the 20 s the chapters take to execute, so one process keeps up.

Offline and reproducible: only ``data:`` and ``file:`` URLs are fetched, and the document
carries no creation date or random identifier, so the same chapters give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import logging
import pickle
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from markupsafe import Markup

from assess.atomic import write_bytes
from assess.report.export import ChapterDoc, PageContext, _jinja, css, glossary_html
from assess.report.processes import end_served_process
from assess.report.words import link_terms

_ID = re.compile(r'(\sid=")([^"]+)(")')
_HREF_FRAGMENT = re.compile(r'(\shref="#)([^"]+)(")')
#: The folder of the bundle that holds the chapter pages, from which their relative links start.
PAGES_FOLDER = "html"
COLOPHON = "colophon"
COLOPHON_TITLE = "About this report"
GLOSSARY = "glossary"
GLOSSARY_TITLE = "Glossary"
FRONT, STAMPS = "front", "stamps"
#: The PDF variant written: tagged, with title and language, as PDF/UA-1 asks.
PDF_VARIANT = "pdf/ua-1"


def prefix_ids(body: str, prefix: str) -> str:
    """Make a chapter's element ids (and its ``#`` links to them) unique within the document."""
    body = _ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}{m.group(3)}", body)
    return _HREF_FRAGMENT.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}{m.group(3)}", body)


def chapter_links(body: str) -> str:
    """Links between chapter pages (``href="03_places.html"``) as links within the PDF."""
    return re.sub(r'href="(\d\d_[A-Za-z0-9_]+)\.html"', r'href="#ch-\1"', body)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string."""
    escaped = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def page_css(ctx: PageContext, kind: str, pages: int = 0) -> str:
    """The running heads and footers of one kind of part: ``front``, ``part`` or ``stamps``.

    Front matter and parts carry the report title and synthetic flag in their headers (none on
    the title page) and no page number; the stamps carry only "Page i of N", N (``pages``) given
    as a number: ``counter(pages)`` would make WeasyPrint lay the pages out twice.
    """
    if kind == "stamps":
        return (
            "@page { @bottom-left { content: none; }"
            f' @bottom-right {{ content: "Page " counter(page) " of {int(pages)}"; }} }}'
        )
    flag = css_string("Synthetic demonstration data") if ctx.synthetic else "none"
    rules = f"@page {{ @top-left {{ content: {css_string(ctx.report_title)}; }} @top-right {{ content: {flag}; }} }}"
    if kind == "front":
        rules += "\n@page :first { @top-left { content: none; } @top-right { content: none; } @bottom-left { content: none; } }"
    elif kind != "part":
        raise ValueError(f"unknown kind of PDF part: {kind!r}")
    return rules


def _render(template: str, ctx: PageContext, kind: str, author: str, **values: Any) -> str:
    return _jinja().get_template(template).render(
        page_css=Markup(page_css(ctx, kind, values.get("pages", 0))),
        **ctx.template_values(),
        author=author or ctx.report_title,
        **values,
    )


def chapter_html(doc: ChapterDoc, ctx: PageContext, *, author: str = "") -> str:
    """The document of one chapter (ids prefixed, chapter links kept within the PDF, glossary terms
    linked; a banner if it did not finish). Its other links to the bundle stay relative links
    (:func:`bundle_link`, when it is laid out)."""
    body = chapter_links(prefix_ids(doc.body, doc.chapter))
    body = link_terms(body, lambda t: f"#{t.anchor}")
    if doc.status != "ok":
        banner = (
            f'<div class="failed">This chapter did not finish: <code>{html.escape(doc.error or "unknown error")}'
            "</code>. What follows is its output up to the error."
        ) + "</div>"
        body = body.replace("</h1>", "</h1>" + banner, 1) if doc.has_h1 else banner + body
    chapter = {"chapter": doc.chapter, "title": doc.title, "has_h1": doc.has_h1, "body": Markup(body)}
    return _render("print_part.html.j2", ctx, "part", author, chapter=chapter)


def glossary_part_html(ctx: PageContext, *, author: str = "") -> str:
    """The glossary, after the chapters: the terms the chapters link to (ids ``term-*``)."""
    chapter = {"chapter": GLOSSARY, "title": GLOSSARY_TITLE, "has_h1": True, "body": Markup(glossary_html())}
    return _render("print_part.html.j2", ctx, "part", author, chapter=chapter)


def colophon_html(ctx: PageContext, *, author: str = "") -> str:
    """The last page: what the report is, its licence, and where its tables are."""
    return _render("print_part.html.j2", ctx, "part", author, chapter=None)


@dataclass(frozen=True)
class ContentsEntry:
    """One line of the contents page."""

    anchor: str
    title: str
    page: int
    failed: bool = False


def front_html(ctx: PageContext, contents: Sequence[ContentsEntry], *, author: str = "") -> str:
    """The title page and the contents page (with the given page numbers)."""
    return _render("print_front.html.j2", ctx, "front", author, contents=contents)


def stamps_html(ctx: PageContext, pages: int) -> str:
    """``pages`` blank pages whose footers read "Page i of ``pages``"."""
    return _render("print_stamps.html.j2", ctx, "stamps", "", pages=pages)


@dataclass(frozen=True)
class LaidOut:
    """A part laid out: its name, its pages, the seconds it took and the source it was laid out from."""

    name: str
    pages: int
    seconds: float
    source_key: str
    #: The part's own sections that the contents lists (:func:`part_headings`): anchor, title and
    #: the page (from 0) of the part on which each starts.
    sections: tuple[tuple[str, str, int], ...] = ()


def bundle_link(target: str, bundle: Path) -> str | None:
    """A link of the PDF as its reader follows it, the PDF lying at the top of the bundle: a file
    of the bundle becomes a path relative to the PDF (``html/03_places.html#wards``), so it
    resolves wherever the bundle is published or copied; a file outside the bundle gives None
    (the link is dropped: a local path must not leak into a shared document); any other address
    (``https:``, ``mailto:``) is kept as it is."""
    parts = urlsplit(target)
    if parts.scheme != "file":
        return target
    try:
        relative = Path(url2pathname(parts.path)).relative_to(bundle)
    except ValueError:
        return None
    return relative.as_posix() + (f"#{parts.fragment}" if parts.fragment else "")


def relative_links(pages: Sequence[Any], bundle: Path) -> None:
    """Every external link of the laid-out ``pages`` to a file written relative to the PDF
    (:func:`bundle_link`), never as a ``file://`` address of the folder the bundle was built in
    (which differs on every run and names the machine's paths); links out of the bundle dropped."""
    for page in pages:
        kept = []
        for kind, target, rect, box in page.links:
            if kind == "external":
                target = bundle_link(target, bundle)
                if target is None:
                    continue
            kept.append((kind, target, rect, box))
        page.links[:] = kept


def source_key(source: str) -> str:
    """A digest of a part's HTML, the same in every process (``hash`` of a str is not)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def stamped(page: Any, stamp: Any) -> Any:
    """A copy of the laid-out ``page`` with the margin boxes (the footer) of the laid-out ``stamp``
    page added: both are pages of the same size and margins, so the stamp's boxes sit where they
    were laid out. Internal to WeasyPrint (its page boxes), hence kept to this one function."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import MarginBox

    box = page._page_box
    margins = [child for child in stamp._page_box.children if isinstance(child, MarginBox)]
    return Page(box.copy_with_children([*box.children, *margins]))


_PNG_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')


def opaque_pngs(source: str) -> str:
    """The HTML with each embedded PNG that has an alpha channel but no transparent pixel (a chart
    on its white background) re-saved as RGB: the same picture, and WeasyPrint then writes it
    without splitting off a soft mask, which is most of the time it spends on images when it writes
    the PDF. Done while the chapter is laid out, during execution, not when the PDF is written."""
    import base64
    import io

    from PIL import Image

    def convert(m: re.Match[str]) -> str:
        data = base64.b64decode(m.group(1))
        with Image.open(io.BytesIO(data)) as img:
            if img.mode != "RGBA" or img.getchannel("A").getextrema() != (255, 255):
                return m.group(0)
            buf = io.BytesIO()
            img.convert("RGB").save(buf, format="PNG", compress_level=1)
        return f'src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode("ascii")}"'

    return _PNG_URI.sub(convert, source)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_image_data(png: bytes) -> bytes | None:
    """The image data (the IDAT chunks joined) of an 8-bit RGB, non-interlaced PNG, which a PDF
    takes as it stands (FlateDecode with the PNG predictors); None for any other PNG."""
    if png[:8] != _PNG_SIGNATURE or png[12:16] != b"IHDR":
        return None
    bit_depth, colour_type, _, _, interlace = png[24:29]
    if (bit_depth, colour_type, interlace) != (8, 2, 0):
        return None
    chunks, pos = [], 8
    while pos + 8 <= len(png):
        (length,) = struct.unpack("!I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        if kind == b"IDAT":
            chunks.append(png[pos + 8:pos + 8 + length])
        elif kind == b"IEND":
            break
        pos += 12 + length
    return b"".join(chunks) if chunks else None


def pass_png_data_through() -> None:
    """Make WeasyPrint put an 8-bit RGB PNG (every chart: :func:`assess.report.charts.encode_png`)
    into the PDF as it is, instead of decoding it and encoding it again as a PNG to take that PNG's
    image data: the same pixels, without 26 decodes and encodes (~2 s) while the PDF is written,
    the last step of the bundle. Any other image goes the way WeasyPrint takes it. Internal to
    WeasyPrint (``RasterImage._get_png_data``), hence kept to this one function; installed once."""
    from weasyprint import images

    original = images.RasterImage.__dict__.get("_get_png_data")
    if not isinstance(original, staticmethod) or getattr(original.__func__, "_assess_pass_through", False):
        return
    encode = original.__func__

    def get_png_data(pillow_image: Any) -> bytes:
        source = getattr(pillow_image, "fp", None)
        if getattr(pillow_image, "format", None) == "PNG" and pillow_image.mode == "RGB" and hasattr(source, "getvalue"):
            data = png_image_data(source.getvalue())
            if data is not None:
                return data
        return encode(pillow_image)

    get_png_data._assess_pass_through = True  # type: ignore[attr-defined]
    get_png_data._assess_original = encode  # type: ignore[attr-defined]
    images.RasterImage._get_png_data = staticmethod(get_png_data)


class Layout:
    """Lays out the parts of the document and keeps them, to write them as one PDF (in one process)."""

    def __init__(self, base_url: str) -> None:
        from weasyprint.text.fonts import FontConfiguration

        pass_png_data_through()

        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        # a chapter's relative links are those of its page in html/: resolved from there
        self.bundle = Path(base_url).resolve()
        self.base_url = (self.bundle / PAGES_FOLDER).as_uri() + "/"
        self.fonts = FontConfiguration()
        self.stylesheet: Any = None  # print.css, parsed once (weasyprint.CSS): see :meth:`layout`
        self.images: dict[str, Any] = {}
        self.documents: dict[str, tuple[str, Any]] = {}

    def layout(self, name: str, source: str) -> LaidOut:
        """Lay out one HTML document (again only if its source changed)."""
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        key = source_key(source)
        start = time.perf_counter()
        known = self.documents.get(name)
        if known is None or known[0] != key:
            fetcher = URLFetcher(allowed_protocols={"data", "file"})
            document = HTML(string=opaque_pngs(source), base_url=self.base_url, url_fetcher=fetcher).render(
                font_config=self.fonts, cache=self.images, pdf_variant=PDF_VARIANT, stylesheets=[self._stylesheet()],
            )
            self.documents[name] = (key, document)
        pages = self.documents[name][1].pages
        sections = tuple((anchor, title, next((i for i, page in enumerate(pages) if anchor in page.anchors), 0))
                         for anchor, title in part_headings(source))
        return LaidOut(name, len(pages), time.perf_counter() - start, key, sections)

    def _stylesheet(self) -> Any:
        """``print.css``, parsed and its selectors compiled once for every part of the document.

        Inlined in each part, it was parsed and compiled for each of the 18 documents (14 chapters,
        glossary, colophon, front matter, page stamps): 0.55 s of the 4 s their layout took. It is
        given as a user stylesheet; each part's own ``<style>`` (its running heads and footers,
        :func:`page_css`) is the author's and so still overrides it, as it did when it followed
        print.css in one ``<style>``. The chapters' bodies carry no styles of their own: the PDF
        is the same, byte for byte.
        """
        if self.stylesheet is None:
            from weasyprint import CSS

            self.stylesheet = CSS(string=css("print.css"), base_url=self.base_url, font_config=self.fonts)
        return self.stylesheet

    def write(self, order: Sequence[str], stamps: str) -> bytes:
        """The PDF of the parts in ``order`` (the first gives the title, language and metadata),
        each page after the first given the footer of the same page of ``stamps``."""
        pages = [page for name in order for page in self.documents[name][1].pages]
        stamp_pages = self.documents[stamps][1].pages
        if len(stamp_pages) != len(pages):
            raise RuntimeError(f"{len(stamp_pages)} page-number stamps for {len(pages)} pages")
        joined = [pages[0], *(stamped(p, s) for p, s in zip(pages[1:], stamp_pages[1:], strict=True))]
        relative_links(joined, self.bundle)  # on the pages written: a stamped page gathers its links afresh
        first = self.documents[order[0]][1]
        return first.copy(joined).write_pdf(pdf_variant=PDF_VARIANT)


class WorkerError(RuntimeError):
    """The layout worker process died or answered nonsense."""


class LayoutWorker:
    """A Python process that keeps a :class:`Layout` (:func:`serve`), fed over its pipes.

    A plain subprocess rather than :mod:`multiprocessing`: that would re-import the caller's
    main module, which fails in a script without a ``__main__`` guard.
    """

    def __init__(self, base_url: str = "", *, start: bool = True) -> None:
        # stderr goes to a file, not a pipe: a worker that warns a lot must never block on it
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from assess.report.pdf import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        self._lock = threading.Lock()
        self.base_url = base_url
        if start:
            self.start()

    def start(self) -> None:
        """Wait for the worker to be ready (WeasyPrint imported, fonts configured) and give it the
        bundle's folder; ``start=False`` leaves this to the caller (:class:`PdfBuilder` queues it,
        so that the chapters start executing while the worker imports). A worker made ahead of its
        bundle (``LayoutWorker(start=False)``, by ``assess run`` while it checks the inputs) is
        given its folder by the :class:`PdfBuilder` it is handed to."""
        self._call("start", self.base_url)

    def _call(self, method: str, *args: Any) -> Any:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        with self._lock:
            if self._proc.poll() is not None:
                raise WorkerError(f"the PDF layout worker has stopped: {self._stderr_tail()}")
            try:
                pickle.dump((method, args), self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self._proc.stdin.flush()
                answer = pickle.load(self._proc.stdout)
            except (OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:
                raise WorkerError(f"the PDF layout worker stopped: {self._stderr_tail()}") from exc
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def layout(self, name: str, source: str) -> LaidOut:
        return self._call("layout", name, source)

    def write(self, order: Sequence[str], stamps: str) -> bytes:
        return self._call("write", list(order), stamps)

    def _stderr_tail(self) -> str:
        self.close()
        self._stderr.seek(0)
        err = self._stderr.read().decode("utf-8", "replace").strip()
        return err.splitlines()[-1] if err else f"exit status {self._proc.returncode}"

    def close(self) -> None:
        end_served_process(self._proc)
        if self._proc.stdout:
            self._proc.stdout.close()


def serve() -> None:
    """The loop of a :class:`LayoutWorker`: read a call from stdin, write its answer to stdout."""
    import weasyprint  # noqa: F401 - imported before the first job arrives

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    layout: Layout | None = None
    while True:
        try:
            method, args = pickle.load(stdin)
        except EOFError:
            return
        try:
            if method == "start":
                layout = Layout(*args)
                answer: Any = None
            elif layout is None:
                raise WorkerError("the layout worker was not started")
            else:
                answer = getattr(layout, method)(*args)
        except Exception as exc:  # noqa: BLE001 - sent back to be raised in the caller
            answer = exc
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


_PART_HEADING = re.compile(r'<h2 class="assess-part" id="([^"]+)">(.*?)</h2>', re.S)


def part_headings(source: str) -> list[tuple[str, str]]:
    """The sections of a chapter that start a page and have their own line in the contents
    (``<h2 class="assess-part" id=...>``, as the summary's priorities): (anchor, title as text)."""
    return [(m.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).strip())
            for m in _PART_HEADING.finditer(source)]


def contents_for(docs: Sequence[ChapterDoc], parts: Sequence[LaidOut], front_pages: int) -> list[ContentsEntry]:
    """The contents lines, given the parts laid out (chapters in order, then the glossary and the colophon)."""
    entries = []
    page = front_pages + 1
    for doc, part in zip([*docs, None, None], parts, strict=True):
        if doc is None:
            anchor, title = (GLOSSARY, GLOSSARY_TITLE) if part.name == GLOSSARY else (COLOPHON, COLOPHON_TITLE)
            entries.append(ContentsEntry(f"ch-{anchor}" if anchor == GLOSSARY else anchor, title, page))
        else:
            entries.append(ContentsEntry(f"ch-{doc.chapter}", doc.title, page, doc.status != "ok"))
            entries.extend(ContentsEntry(anchor, title, page + offset) for anchor, title, offset in part.sections)
        page += part.pages
    return entries


@dataclass
class PdfResult:
    """What :meth:`PdfBuilder.write` made."""

    path: Path
    pages: int
    seconds: float
    part_seconds: float = 0.0


class PdfBuilder:
    """Lays out chapters as they arrive, in a worker process, and writes the one tagged PDF.

    Use as a context manager: :meth:`add` each chapter when it is ready (it returns at once;
    safe from any thread), then :meth:`write` with all chapters in order. ``workers=0`` lays
    everything out in this process, when :meth:`write` is called; any other number uses one
    worker process (laid-out pages can be joined only in the process that laid them out):
    ``worker``, one made ahead and not yet started (the builder then owns it), or a new one.
    """

    def __init__(
        self, ctx: PageContext, base_url: Path, *, author: str = "", workers: int = 1, worker: LayoutWorker | None = None,
    ) -> None:
        self.ctx, self.base_url, self.author = ctx, str(base_url), author
        self._here: Layout | None = None
        if worker is not None and not workers:
            worker.close()
            worker = None
        elif worker is not None:
            worker.base_url = self.base_url  # started ahead, not yet given its folder
        self._worker: LayoutWorker | None = (worker or LayoutWorker(self.base_url, start=False)) if workers else None
        self._started = [self._worker] if self._worker else []
        self._queue = ThreadPoolExecutor(1, thread_name_prefix="pdf-layout") if workers else None
        self._pending: dict[str, Future[LaidOut]] = {}
        if self._queue is not None and self._worker is not None:
            self._queue.submit(self._worker.start)  # first in the queue: every layout waits for it
        self._submit(GLOSSARY, glossary_part_html(ctx, author=author))
        self._submit(COLOPHON, colophon_html(ctx, author=author))

    def __enter__(self) -> PdfBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (parts still queued are dropped)."""
        if self._queue is not None:
            self._queue.shutdown(wait=True, cancel_futures=True)
            self._queue = None
        for worker in self._started:
            worker.close()

    def _submit(self, name: str, source: str) -> None:
        if self._queue is not None and self._worker is not None:
            self._pending[name] = self._queue.submit(self._worker.layout, name, source)

    def add(self, doc: ChapterDoc) -> None:
        """Start laying out ``doc`` in the background."""
        self._submit(doc.chapter, chapter_html(doc, self.ctx, author=self.author))

    def _engine(self) -> Layout | LayoutWorker:
        if self._worker is not None:
            return self._worker
        if self._here is None:
            self._here = Layout(self.base_url)
        return self._here

    def _laid_out(self, name: str, source: str) -> LaidOut:
        """The part laid out in the background if its source is unchanged, else laid out now."""
        future = self._pending.pop(name, None)
        if future is not None:
            try:
                done = future.result()
                if done.source_key == source_key(source):
                    return done
            except WorkerError:
                self._worker = None  # laid out here from now on: every part again
                raise
        return self._engine().layout(name, source)

    def _build(self, docs: Sequence[ChapterDoc]) -> tuple[bytes, int, list[LaidOut]]:
        sources = [(d.chapter, chapter_html(d, self.ctx, author=self.author)) for d in docs]
        sources += [(GLOSSARY, glossary_part_html(self.ctx, author=self.author)),
                    (COLOPHON, colophon_html(self.ctx, author=self.author))]
        parts = [self._laid_out(name, source) for name, source in sources]
        engine = self._engine()
        front_pages = 2  # title and contents; a long contents list takes more: then again
        while True:
            contents = contents_for(docs, parts, front_pages)
            front = engine.layout(FRONT, front_html(self.ctx, contents, author=self.author))
            if front.pages == front_pages:
                break
            front_pages = front.pages
        pages = front_pages + sum(p.pages for p in parts)
        engine.layout(STAMPS, stamps_html(self.ctx, pages))
        return engine.write([FRONT, *(p.name for p in parts)], STAMPS), pages, parts

    def start(self, docs: Sequence[ChapterDoc], path: Path) -> Future[PdfResult]:
        """:meth:`write` in a background thread, so that the caller can write the other outputs
        while the worker finishes the PDF; the future gives the result (or raises its error)."""
        finisher = ThreadPoolExecutor(1, thread_name_prefix="pdf-write")
        future = finisher.submit(self.write, list(docs), path)
        finisher.shutdown(wait=False)
        return future

    def write(self, docs: Sequence[ChapterDoc], path: Path) -> PdfResult:
        """Wait for (or lay out) every chapter of ``docs`` and write the PDF to ``path`` (atomically)."""
        start = time.perf_counter()
        try:
            pdf, pages, parts = self._build(docs)
        except WorkerError:  # the worker died: everything again, here
            self._pending.clear()
            pdf, pages, parts = self._build(docs)
        write_bytes(Path(path), pdf)
        return PdfResult(Path(path), pages, time.perf_counter() - start, sum(p.seconds for p in parts))


def write_pdf(
    docs: Sequence[ChapterDoc], path: Path, ctx: PageContext, *, author: str = "", workers: int = 0
) -> PdfResult:
    """Render ``docs`` to ``path`` (atomically) in one go: :class:`PdfBuilder` without streaming."""
    with PdfBuilder(ctx, Path(path).parent, author=author, workers=workers) as builder:
        for doc in docs:
            builder.add(doc)
        return builder.write(docs, path)
