"""Benchmark: the demo bundle's PDF by WeasyPrint (what the bundle uses) beside headless Chromium.

The bundle's PDF layout is the largest single cost of a fresh bundle after chapter execution
(issue 12: about a quarter of its CPU time), so this measures what another engine would cost
before anyone changes the route. Both routes are given the same documents:

- WeasyPrint: :func:`assess.report.pdf.write_pdf` with no worker, in a fresh process: every part
  (chapters, glossary, colophon, front matter, page stamps) laid out and the tagged PDF/UA-1 written,
  exactly as a bundle does it, only not alongside execution;
- Chromium: the same parts (:func:`assess.report.pdf.chapter_html` and the front, glossary and
  colophon parts) joined into one HTML document, each part on a new page, with ``print.css`` and
  the page footer "Page n of N" written as CSS (``counter(pages)``), printed by the Debian
  ``chromium --headless --print-to-pdf`` (a new browser each time, its start included).

For each: wall time, CPU time, pages, bytes, what its structure tree holds (headings, tables and
their header cells, figures with alt text, links), bookmarks, title, language and XMP metadata, and
whether two runs give the same bytes. Chromium's CPU time is taken from the whole machine's (/proc/stat) over its run: its
renderer processes are not children the browser waits for, so its own resource usage leaves them
out (it counts a third of what the machine used). Run it on an idle machine; the load average is printed. The Chromium document is not the bundle's PDF: it has no contents page numbers (Chromium
has no ``target-counter``), no PDF/UA identification and a creation date; the figures say what
the engine costs, not that its PDF could be published as it is. A third figure says what a Chromium
route that numbers its contents would cost: one browser started ahead, the document printed twice.

Usage: ``python benchmarks/bench_pdf_routes.py [--workdir DIR] [--repeat 2]`` (builds the demo
bundle in DIR first if it is absent). Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CSP, YEAR = "wessex-vale", "2024/25"


def build_bundle(work: Path) -> Path:
    """The demo bundle under ``work`` (built with ``assess run`` if absent)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_bundle import prepare

    bundle = work / "reports" / CSP / "2024-25"
    if not (bundle / "manifest.json").exists():
        raw, processed = prepare(work)
        subprocess.run(
            [str(BIN / "assess"), "run", "--csp", CSP, "--year", YEAR, "--raw", str(raw), "--processed", str(processed),
             "--out", str(work / "reports"), "--config-dir", str(ROOT / "config" / "csp"),
             "--notebooks", str(ROOT / "notebooks")],
            check=True, capture_output=True, env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        )
    return bundle


def _parts(bundle: Path) -> tuple[list, object, str]:
    """The bundle's chapters as :class:`ChapterDoc` (rendered from its executed notebooks), its page context and author."""
    from assess.config import find_config
    from assess.report.export import ChapterRenderer, PageContext

    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    cfg = find_config(CSP, ROOT / "config" / "csp")
    renderer = ChapterRenderer()
    docs = [renderer.render(bundle / "notebooks" / f"{c['chapter']}.ipynb", c["chapter"]) for c in manifest["chapters"]]
    return docs, PageContext(report_title=cfg.display_name, year=YEAR, synthetic=cfg.synthetic), cfg.display_name


def _body(source: str) -> str:
    return re.search(r"<body[^>]*>(.*)</body>", source, re.S).group(1)


def joined_document(bundle: Path) -> str:
    """One HTML document of every part, in the PDF's order, each part on a new page."""
    from assess.report import pdf
    from assess.report.export import css

    docs, ctx, author = _parts(bundle)
    parts = [pdf.front_html(ctx, [], author=author)]
    parts += [pdf.chapter_html(d, ctx, author=author) for d in docs]
    parts += [pdf.glossary_part_html(ctx, author=author), pdf.colophon_html(ctx, author=author)]
    head = re.search(r"<head>(.*?)<style>", parts[1], re.S).group(1)
    footer = '@page { @bottom-right { content: "Page " counter(page) " of " counter(pages); } }'
    own = pdf.page_css(ctx, "front")
    sections = "".join(f'<div style="break-before: page">{_body(p)}</div>' for p in parts)
    return (f'<!DOCTYPE html><html lang="en-GB"><head>{head}<style>{css("print.css")}\n{own}\n{footer}</style></head>'
            f"<body>{sections}</body></html>")


def machine_cpu() -> float:
    """CPU seconds used by every process on the machine so far (/proc/stat: user, nice, system)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return sum(int(f) for f in fields[:3]) / os.sysconf("SC_CLK_TCK")


def structure(reader: object) -> tuple[Counter, int]:
    """How many elements of each type the PDF's structure tree holds, and how many figures carry alt text."""
    from pypdf.generic import IndirectObject

    kinds: Counter = Counter()
    alt, seen = 0, set()
    stack = [reader.trailer["/Root"].get("/StructTreeRoot")]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not hasattr(node, "get"):
            continue
        if node.get("/S") is not None:
            kinds[str(node["/S"])[1:]] += 1
            alt += str(node["/S"]) == "/Figure" and "/Alt" in node
        if node.get("/K") is not None:
            stack.extend(node["/K"] if isinstance(node["/K"], list) else [node["/K"]])
    return kinds, alt


def describe(path: Path) -> str:
    """Pages, size, and what a screen reader gets: the structure tree, bookmarks, title, language, XMP metadata."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    kinds, alt = structure(reader)
    tags = ", ".join(f"{k} {kinds[k]}" for k in ("H1", "H2", "P", "Table", "TH", "Figure", "Link"))
    title = (reader.metadata or {}).get("/Title")
    return (f"{len(reader.pages)} pages, {path.stat().st_size / 1e6:.1f} MB; tags: {tags}; {alt} figures with alt text; "
            f"{len(reader.outline)} top-level bookmarks; title {'set' if title else 'none'}; language {root.get('/Lang')}; "
            f"XMP metadata (where PDF/UA-1 is declared): {'yes' if '/Metadata' in root else 'no'}")


def _child_weasyprint(bundle: str, target: str) -> None:
    from assess.report.pdf import write_pdf

    docs, ctx, author = _parts(Path(bundle))
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = write_pdf(docs, Path(target), ctx, author=author, workers=0)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(json.dumps({"seconds": time.perf_counter() - start, "cpu": cpu, "pages": result.pages}))


def weasyprint_route(bundle: Path, target: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(bundle), str(target)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # its CPU: the PDF's alone, not the documents' rendering


def chromium_route(document: Path, target: Path) -> dict:
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    before, machine = resource.getrusage(resource.RUSAGE_CHILDREN), machine_cpu()
    start = time.perf_counter()
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-pdf-header-footer", "--generate-pdf-document-outline", f"--user-data-dir={profile}",
         f"--print-to-pdf={target}", document.as_uri()],
        check=True, capture_output=True,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(profile, ignore_errors=True)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"seconds": seconds, "cpu": cpu, "machine_cpu": machine_cpu() - machine}


def chromium_two_prints(document: Path, out: Path, repeat: int) -> None:
    """What a Chromium route that numbers its contents would cost: one browser started ahead (its
    start not counted, as the bundle's layout worker is started ahead), and the document printed
    twice, since the contents' page numbers are known only from a first print (Chromium has no
    ``target-counter``). Driven by Playwright for Python through the system Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("chromium, two prints: not measured (playwright is not installed)")
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for i in range(repeat):
                machine, start = machine_cpu(), time.perf_counter()
                for n in range(2):
                    page = browser.new_page()
                    page.goto(document.as_uri())
                    page.pdf(path=str(out / f"chromium-twice-{i}-{n}.pdf"), format="A4", tagged=True, outline=True,
                             prefer_css_page_size=True)
                    page.close()
                print(f"chromium, browser started ahead, two prints, run {i + 1}: {time.perf_counter() - start:5.1f} s wall, "
                      f"{machine_cpu() - machine:5.1f} s CPU (the whole machine's)  [load {os.getloadavg()[0]:.1f}]", flush=True)
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    if args.child:
        _child_weasyprint(*args.child)
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="assess-bench-pdf-"))
    print(f"working in {work}", flush=True)
    bundle = build_bundle(work)
    out = work / "pdf-routes"
    out.mkdir(exist_ok=True)
    digests: dict[str, set[str]] = {"weasyprint": set(), "chromium": set()}
    for i in range(args.repeat):
        target = out / f"weasyprint-{i}.pdf"
        r = weasyprint_route(bundle, target)
        digests["weasyprint"].add(hashlib.sha256(target.read_bytes()).hexdigest())
        print(f"weasyprint  run {i + 1}: {r['seconds']:5.1f} s wall, {r['cpu']:5.1f} s CPU   ({describe(target)})  "
              f"[load {os.getloadavg()[0]:.1f}]", flush=True)
    if not CHROMIUM.exists():
        print(f"chromium: not measured ({CHROMIUM} is absent: apt-get install chromium)")
        return
    document = out / "joined.html"
    document.write_text(joined_document(bundle), encoding="utf-8")
    for i in range(args.repeat):
        target = out / f"chromium-{i}.pdf"
        r = chromium_route(document, target)
        digests["chromium"].add(hashlib.sha256(target.read_bytes()).hexdigest())
        print(f"chromium    run {i + 1}: {r['seconds']:5.1f} s wall, {r['machine_cpu']:5.1f} s CPU (the whole machine's "
              f"meanwhile; the browser's own count: {r['cpu']:.1f} s)   ({describe(target)})  "
              f"[load {os.getloadavg()[0]:.1f}]", flush=True)
    chromium_two_prints(document, out, args.repeat)
    for route, found in digests.items():
        print(f"{route}: {'the same bytes on every run' if len(found) == 1 else f'{len(found)} different PDFs in {args.repeat} runs'}")


if __name__ == "__main__":
    main()
