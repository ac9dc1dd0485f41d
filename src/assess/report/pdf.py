"""``assessment.pdf``: the whole assessment as one A4 document, by WeasyPrint (CSS paged media).

A title page, a contents page with the page of every chapter (and links to it), every chapter
starting a new page, "Page n of N" in the footer of every page but the title page, PDF bookmarks
from the headings, the OGL attribution on the title page and in every footer, and the
synthetic-data flag in the header of every page when the data are synthetic (templates
``print_*.html.j2`` and ``print.css``).

The document is built in parts so that it costs little wall time:

1. each chapter (and the colophon) is laid out as a document of its own, in worker processes,
   as soon as the chapter has been executed (:class:`PdfBuilder`; :func:`render_document`);
2. once all are laid out, their page counts give the page of every chapter: the front matter
   (title and contents) is laid out with those numbers, beside a document of "Page i of N" stamps;
3. :func:`assemble` joins front matter and parts with pypdf, lays each stamp over its page, and
   adds the contents page's links to the chapters' first pages.

Laying out one 53-page document took 13.7 s (``counter(pages)`` and ``target-counter`` make
WeasyPrint lay it out more than once); its parts take 9.8 s in all, most of it while other
chapters are still executing. A chapter's layout does not depend on its page numbers, so
the parts are laid out without them and stamped afterwards.

Offline and reproducible: only ``data:`` and ``file:`` URLs are fetched, and the document
carries no creation date or random identifier, so the same chapters give the same bytes.
"""

from __future__ import annotations

import html
import io
import logging
import pickle
import queue
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from assess import SYNTHETIC_LABEL
from assess.atomic import atomic_path
from assess.report.export import ChapterDoc, PageContext, _jinja, css

_ID = re.compile(r'(\sid=")([^"]+)(")')
_HREF_FRAGMENT = re.compile(r'(\shref="#)([^"]+)(")')
_HREF_RELATIVE = re.compile(r'(<a\b[^>]*?)\shref="(?!#|[a-zA-Z][a-zA-Z0-9+.-]*:)[^"]*"')
#: Points per CSS pixel (PDF user space is 1/72 in, CSS pixels 1/96 in).
PT_PER_PX = 0.75
COLOPHON = "colophon"
COLOPHON_TITLE = "About this report"


def prefix_ids(body: str, prefix: str) -> str:
    """Make a chapter's element ids (and its ``#`` links to them) unique within the document."""
    body = _ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}{m.group(3)}", body)
    return _HREF_FRAGMENT.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}{m.group(3)}", body)


def unlink_relative(body: str) -> str:
    """Links to the bundle's other pages and files (relative ``href``) kept as their text: from a PDF
    read on its own they lead nowhere, and WeasyPrint would write them as ``file:`` addresses of
    the folder the bundle was built in, which differ from run to run (and name the machine's paths)."""
    return _HREF_RELATIVE.sub(lambda m: m.group(1), body)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string."""
    escaped = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def page_css(ctx: PageContext, kind: str) -> str:
    """The running heads and footers of one kind of part: ``front``, ``part`` or ``stamps``.

    Front matter and parts carry the report title and synthetic flag in their headers (none on
    the title page) and no page number; the stamps carry only "Page i of N".
    """
    if kind == "stamps":
        return (
            "@page { @bottom-left { content: none; }"
            ' @bottom-right { content: "Page " counter(page) " of " counter(pages); } }'
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
        css=Markup(css("print.css")),
        page_css=Markup(page_css(ctx, kind)),
        **ctx.template_values(),
        author=author or ctx.report_title,
        **values,
    )


def chapter_html(doc: ChapterDoc, ctx: PageContext, *, author: str = "") -> str:
    """The document of one chapter (ids prefixed; a banner if it did not finish)."""
    body = prefix_ids(unlink_relative(doc.body), doc.chapter)
    if doc.status != "ok":
        banner = (
            f'<div class="failed">This chapter did not finish: <code>{html.escape(doc.error or "unknown error")}'
            "</code>. What follows is its output up to the error."
        ) + "</div>"
        body = body.replace("</h1>", "</h1>" + banner, 1) if doc.has_h1 else banner + body
    chapter = {"chapter": doc.chapter, "title": doc.title, "has_h1": doc.has_h1, "body": Markup(body)}
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
class Link:
    """A link of a laid-out page to an anchor: its rectangle in CSS px from the top left."""

    page: int
    anchor: str
    rect: tuple[float, float, float, float]


@dataclass(frozen=True)
class RenderedPart:
    """A laid-out document: its PDF bytes, pages, internal links and seconds taken."""

    name: str
    pdf: bytes
    pages: int
    links: tuple[Link, ...]
    page_size: tuple[float, float]
    seconds: float


def render_document(name: str, source: str, base_url: str) -> RenderedPart:
    """Lay out one HTML document and write it as PDF bytes (runs in a worker process)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    start = time.perf_counter()
    fetcher = URLFetcher(allowed_protocols={"data", "file"})
    document = HTML(string=source, base_url=base_url, url_fetcher=fetcher).render()
    links = tuple(
        Link(i, target, tuple(float(v) for v in rect))  # type: ignore[arg-type]
        for i, page in enumerate(document.pages)
        for kind, target, rect, _box in page.links
        if kind == "internal"
    )
    size = (document.pages[0].width, document.pages[0].height) if document.pages else (0.0, 0.0)
    pdf = document.write_pdf()
    return RenderedPart(name, pdf, len(document.pages), links, size, time.perf_counter() - start)


class WorkerError(RuntimeError):
    """A layout worker process died or answered nonsense."""


class LayoutWorker:
    """A Python process that lays out documents for this one (:func:`serve`), fed over its pipes.

    A plain subprocess rather than :mod:`multiprocessing`: that would re-import the caller's
    main module, which fails in a script without a ``__main__`` guard.
    """

    def __init__(self) -> None:
        # stderr goes to a file, not a pipe: a worker that warns a lot must never block on it
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from assess.report.pdf import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
        )

    def render(self, name: str, source: str, base_url: str) -> RenderedPart:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        if self._proc.poll() is not None:
            raise WorkerError(f"the PDF layout worker has stopped: {self._stderr_tail()}")
        try:
            pickle.dump((name, source, base_url), self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._proc.stdin.flush()
            answer = pickle.load(self._proc.stdout)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:
            raise WorkerError(f"the PDF layout worker stopped: {self._stderr_tail()}") from exc
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def _stderr_tail(self) -> str:
        self.close()
        self._stderr.seek(0)
        err = self._stderr.read().decode("utf-8", "replace").strip()
        return err.splitlines()[-1] if err else f"exit status {self._proc.returncode}"

    def close(self) -> None:
        if self._proc.poll() is None:
            if self._proc.stdin:
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()


def serve() -> None:
    """The loop of a :class:`LayoutWorker`: read a job from stdin, write its result to stdout."""
    import weasyprint  # noqa: F401 - imported before the first job arrives

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            job = pickle.load(stdin)
        except EOFError:
            return
        try:
            answer: RenderedPart | BaseException = render_document(*job)
        except Exception as exc:  # noqa: BLE001 - sent back to be raised in the caller
            answer = exc
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


def contents_for(docs: Sequence[ChapterDoc], parts: Sequence[RenderedPart], front_pages: int) -> list[ContentsEntry]:
    """The contents lines, given the parts (chapters in order, then the colophon)."""
    entries = []
    page = front_pages + 1
    for doc, part in zip([*docs, None], parts, strict=True):
        if doc is None:
            entries.append(ContentsEntry(COLOPHON, COLOPHON_TITLE, page))
        else:
            entries.append(ContentsEntry(f"ch-{doc.chapter}", doc.title, page, doc.status != "ok"))
        page += part.pages
    return entries


def assemble(
    front: RenderedPart,
    parts: Sequence[RenderedPart],
    stamps: RenderedPart,
    anchors: dict[str, int],
    path: Path,
    metadata: dict[str, str],
) -> int:
    """Join ``front`` and ``parts``, stamp page numbers on every page but the first, link the
    contents to ``anchors`` (name -> page index), and write ``path`` atomically; returns the pages."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link as LinkAnnotation

    writer = PdfWriter()
    for part in (front, *parts):
        writer.append(PdfReader(io.BytesIO(part.pdf)), import_outline=True)
    stamp_pages = PdfReader(io.BytesIO(stamps.pdf)).pages
    if len(stamp_pages) != len(writer.pages):
        raise RuntimeError(f"{len(stamp_pages)} page-number stamps for {len(writer.pages)} pages")
    for i in range(1, len(writer.pages)):
        writer.pages[i].merge_page(stamp_pages[i])
    height = front.page_size[1] * PT_PER_PX
    areas: dict[tuple[int, str], tuple[float, float, float, float]] = {}
    for link in front.links:  # one link may be laid out as several boxes: join them
        x1, y1, x2, y2 = link.rect
        a = areas.get((link.page, link.anchor), (x1, y1, x2, y2))
        areas[(link.page, link.anchor)] = (min(a[0], x1), min(a[1], y1), max(a[2], x2), max(a[3], y2))
    for (page, anchor), (x1, y1, x2, y2) in areas.items():
        if anchor in anchors:
            rect = (x1 * PT_PER_PX, height - y2 * PT_PER_PX, x2 * PT_PER_PX, height - y1 * PT_PER_PX)
            writer.add_annotation(page, LinkAnnotation(rect=rect, target_page_index=anchors[anchor]))
    writer.add_metadata(metadata)
    with atomic_path(path) as tmp:
        writer.write(tmp)
    return len(writer.pages)


@dataclass
class PdfResult:
    """What :meth:`PdfBuilder.write` made."""

    path: Path
    pages: int
    seconds: float
    part_seconds: float = 0.0


class PdfBuilder:
    """Lays out chapters as they arrive, in ``workers`` processes, and assembles the PDF.

    Use as a context manager: :meth:`add` each chapter when it is ready (it returns at once;
    safe from any thread), then :meth:`write` with all chapters in order. ``workers=0`` lays
    everything out in this process, when :meth:`write` is called.
    """

    def __init__(self, ctx: PageContext, base_url: Path, *, author: str = "", workers: int = 2) -> None:
        self.ctx, self.base_url, self.author = ctx, str(base_url), author
        self._idle: queue.SimpleQueue[LayoutWorker] = queue.SimpleQueue()
        self._workers = [LayoutWorker() for _ in range(workers)]
        for worker in self._workers:
            self._idle.put(worker)
        self._threads = ThreadPoolExecutor(workers, thread_name_prefix="pdf-layout") if workers else None
        self._pending: dict[str, tuple[str, Future[RenderedPart]]] = {}
        self._submit(COLOPHON, colophon_html(ctx, author=author))

    def __enter__(self) -> PdfBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (parts still queued are dropped)."""
        if self._threads is not None:
            self._threads.shutdown(wait=True, cancel_futures=True)
            self._threads = None
        for worker in self._workers:
            worker.close()

    def _in_worker(self, name: str, source: str) -> RenderedPart:
        worker = self._idle.get()
        try:
            return worker.render(name, source, self.base_url)
        finally:
            self._idle.put(worker)

    def _submit(self, name: str, source: str) -> None:
        if self._threads is not None:
            self._pending[name] = (source, self._threads.submit(self._in_worker, name, source))

    def _rendered(self, name: str, source: str) -> RenderedPart:
        """The part laid out in the background if its source is unchanged (or here, if a worker died)."""
        submitted, future = self._pending.pop(name, ("", None))
        if future is not None and submitted == source:
            try:
                return future.result()
            except WorkerError:
                pass
        return render_document(name, source, self.base_url)

    def add(self, doc: ChapterDoc) -> None:
        """Start laying out ``doc`` in the background."""
        self._submit(doc.chapter, chapter_html(doc, self.ctx, author=self.author))

    def write(self, docs: Sequence[ChapterDoc], path: Path) -> PdfResult:
        """Wait for (or lay out) every chapter of ``docs`` and write the assembled PDF to ``path``."""
        start = time.perf_counter()
        parts = [self._rendered(d.chapter, chapter_html(d, self.ctx, author=self.author)) for d in docs]
        parts.append(self._rendered(COLOPHON, colophon_html(self.ctx, author=self.author)))
        front_pages = 2  # title and contents; a long contents list takes more: then again
        while True:  # the front matter and the stamps are laid out side by side
            contents = contents_for(docs, parts, front_pages)
            sources = {
                "front": front_html(self.ctx, contents, author=self.author),
                "stamps": stamps_html(self.ctx, front_pages + sum(p.pages for p in parts)),
            }
            for name, source in sources.items():
                self._submit(name, source)
            front, stamps = (self._rendered(name, source) for name, source in sources.items())
            if front.pages == front_pages:
                break
            front_pages = front.pages
        metadata = {
            "/Title": f"{self.ctx.report_title}, {self.ctx.year}",
            "/Author": self.author or self.ctx.report_title,
            "/Creator": self.ctx.generator,
            "/Subject": "Community Safety Strategic Assessment"
            + (f" ({SYNTHETIC_LABEL})" if self.ctx.synthetic else ""),
        }
        pages = assemble(front, parts, stamps, {e.anchor: e.page - 1 for e in contents}, Path(path), metadata)
        return PdfResult(Path(path), pages, time.perf_counter() - start, sum(p.seconds for p in parts))


def write_pdf(
    docs: Sequence[ChapterDoc], path: Path, ctx: PageContext, *, author: str = "", workers: int = 0
) -> PdfResult:
    """Render ``docs`` to ``path`` (atomically) in one go: :class:`PdfBuilder` without streaming."""
    with PdfBuilder(ctx, Path(path).parent, author=author, workers=workers) as builder:
        for doc in docs:
            builder.add(doc)
        return builder.write(docs, path)
