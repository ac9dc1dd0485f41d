"""Chapter HTML, the audit of offline pages and the PDF's documents (no kernel); the workbook is
tested in test_report_workbook.py."""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL
from assess.report.export import (
    ChapterRenderer,
    PageContext,
    audit_html,
    chapter_page,
    wrap_tables,
)
from assess.report.pdf import (
    ContentsEntry,
    chapter_html,
    colophon_html,
    front_html,
    page_css,
    prefix_ids,
)

# a 1x1 PNG
PNG = base64.b64encode(
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                  "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f8a1f60000000049454e44ae426082")
).decode()


def _executed(tmp_path: Path, name: str = "01_alpha") -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    md = new_markdown_cell("# Alpha chapter\n\n## Section\n\nSome text.")
    code = new_code_cell("secret_code_that_must_not_show = 1", execution_count=1)
    code.outputs = [
        new_output("stream", name="stderr", text="a noisy warning\n"),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("display_data", data={"text/html": '<figure><img src="data:image/png;base64,' + PNG
                                         + '" alt="A described chart"></figure>'}),
        new_output("execute_result", data={"application/javascript": "alert(1)", "text/plain": "js"}, execution_count=1),
    ]
    for i, c in enumerate([md, code]):
        c["id"] = f"c{i}"
    nb.cells = [md, code]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


CTX = PageContext(report_title="Demo & Co Community Safety Partnership", year="2023/24", synthetic=True)


def test_chapter_page_is_offline_with_alt_text_nav_and_footer(tmp_path: Path) -> None:
    doc = ChapterRenderer().render(_executed(tmp_path), "01_alpha")
    assert doc.title == "Alpha chapter" and doc.has_h1
    assert doc.undescribed_images == 1  # the PNG displayed directly, without out.figure
    other = ChapterRenderer().render(_executed(tmp_path, "02_beta"), "02_beta", "failed", "RuntimeError: boom (cell In [3])")
    page = chapter_page([doc, other], 0, CTX)
    audit = audit_html(page)
    assert audit.remote == []
    assert "secret_code_that_must_not_show" not in page, "code must be hidden"
    assert "a noisy warning" not in page and "alert(1)" not in page and "<script" not in page
    assert len(audit.images) == 2 and audit.images_without_alt == 0
    assert [i["alt"] for i in audit.images][1] == "A described chart"
    assert {"../index.html", "02_beta.html", "../assessment.pdf"} <= set(audit.links)
    assert OGL_ATTRIBUTION in page and SYNTHETIC_LABEL in page.lower()
    assert "Demo &amp; Co" in page
    failed = chapter_page([doc, other], 1, CTX)
    assert "did not finish" in failed and "RuntimeError: boom (cell In [3])" in failed
    assert 'href="01_alpha.html"' in failed and "../notebooks/02_beta.ipynb" in failed


def test_same_notebook_same_html_bytes(tmp_path: Path) -> None:
    path = _executed(tmp_path)
    a = chapter_page([ChapterRenderer().render(path, "01_alpha")], 0, CTX)
    b = chapter_page([ChapterRenderer().render(path, "01_alpha")], 0, CTX)
    assert a == b


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>',
        '<script src="//cdn.example.org/mathjax.js"></script>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
        "<style>@import url('https://fonts.googleapis.com/css2?family=Inter');</style>",
        "<style>@font-face { font-family: X; src: url(https://example.org/x.woff2); }</style>",
        '<img src="http://example.org/chart.png" alt="x">',
    ],
)
def test_audit_finds_every_kind_of_remote_reference(snippet: str) -> None:
    assert audit_html(f"<html><head></head><body>{snippet}</body></html>").remote


def test_audit_accepts_hyperlinks_and_counts_missing_alt() -> None:
    audit = audit_html('<a href="https://www.gov.uk/">GOV.UK</a><img src="data:image/png;base64,xx"><img alt=" " src="y.png">')
    assert audit.remote == [] and audit.images_without_alt == 2


def test_print_documents_prefix_ids_mark_failures_and_list_every_chapter(tmp_path: Path) -> None:
    assert prefix_ids('<h2 id="Key">K</h2><a href="#Key">k</a><a href="x.html">x</a>', "01_a") == (
        '<h2 id="01_a-Key">K</h2><a href="#01_a-Key">k</a><a href="x.html">x</a>'
    )
    docs = [ChapterRenderer().render(_executed(tmp_path, n), n) for n in ("01_alpha", "02_beta")]
    docs[1].status, docs[1].error = "failed", "ValueError: bad"
    alpha, beta = (chapter_html(d, CTX) for d in docs)
    assert 'id="ch-01_alpha"' in alpha and 'id="01_alpha-Section"' in alpha and "did not finish" not in alpha
    assert 'id="ch-02_beta"' in beta and "did not finish" in beta and "ValueError: bad" in beta
    contents = [ContentsEntry("ch-01_alpha", docs[0].title, 3), ContentsEntry("ch-02_beta", docs[1].title, 5, True)]
    front = front_html(CTX, contents)
    assert 'href="#ch-01_alpha" data-page="3"' in front and 'data-page="5"' in front
    assert front.count("(did not finish)") == 1
    for source in (alpha, beta, front, colophon_html(CTX)):
        assert audit_html(source).remote == []


def test_page_css_running_heads() -> None:
    part = page_css(CTX, "part")
    assert '"Synthetic demonstration data"' in part and "counter(page)" not in part
    assert "@page :first" in page_css(CTX, "front")
    stamps = page_css(CTX, "stamps", 53)
    assert 'counter(page) " of 53"' in stamps and "counter(pages)" not in stamps
    with pytest.raises(ValueError):
        page_css(CTX, "cover")


def _link_targets(path: Path) -> list[int]:
    """The pages the contents page (page 2) links to (each once: a link laid out as several boxes
    has an annotation for each), named destinations resolved."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    named = {str(k): v for k, v in reader.named_destinations.items()}
    targets = []
    for annot in reader.pages[1].get("/Annots", []):
        annot = annot.get_object()
        dest = annot.get("/Dest")
        if dest is None and "/A" in annot:
            dest = annot["/A"].get("/D")
        if isinstance(dest, (str, bytes)) or hasattr(dest, "original_bytes"):
            targets.append(reader.get_page_number(named[str(dest)].page))
        else:
            targets.append(reader.get_page_number(dest[0].get_object()))
    return sorted(set(targets))


def _executed_with_terms(tmp_path: Path) -> Path:
    path = _executed(tmp_path, "02_beta")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# Beta chapter\n\nThe 10% of LSOAs with the most crime, shown on a funnel plot."
    nbformat.write(nb, path)
    return path


def test_pdf_is_tagged_and_laid_out_in_a_worker_as_here(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from assess.report.pdf import write_pdf

    docs = [ChapterRenderer().render(_executed(tmp_path), "01_alpha"),
            ChapterRenderer().render(_executed_with_terms(tmp_path), "02_beta")]
    here = write_pdf(docs, tmp_path / "here.pdf", CTX, workers=0)
    there = write_pdf(docs, tmp_path / "there.pdf", CTX, workers=1)
    assert (tmp_path / "here.pdf").read_bytes() == (tmp_path / "there.pdf").read_bytes()
    assert here.pages == there.pages == 6  # title, contents, two chapters, glossary, colophon
    texts = [p.extract_text() for p in PdfReader(tmp_path / "here.pdf").pages]
    assert [f"Page {i} of 6" in t for i, t in enumerate(texts, 1)] == [False, True, True, True, True, True]
    assert texts[2].lstrip().startswith("Alpha chapter") and "Glossary" in texts[4] and "About this report" in texts[5]
    assert _link_targets(tmp_path / "here.pdf") == [2, 3, 4, 5]  # contents -> chapters, glossary, colophon
    reader = PdfReader(tmp_path / "here.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB" and bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata.title == "Demo & Co Community Safety Partnership, 2023/24"
    figures = [e for e in struct_elements(root["/StructTreeRoot"]) if e.get("/S") == "/Figure"]
    assert len(figures) == 4 and all(str(f.get("/Alt", "")).strip() for f in figures)  # two images a chapter
    # the glossary terms of the text link to their entries in the glossary
    beta_links = [a.get_object() for a in reader.pages[3].get("/Annots", [])]
    assert len([a for a in beta_links if a["/Subtype"] == "/Link"]) == 2


def struct_elements(node: object) -> list:
    """Every structure element under ``node`` (a pypdf object of the structure tree)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    found, stack = [], [node]
    while stack:
        item = stack.pop()
        item = item.get_object() if hasattr(item, "get_object") else item
        if isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, DictionaryObject) and item.get("/Type") != "/OBJR":
            if "/S" in item:
                found.append(item)
            if "/K" in item:
                stack.append(item["/K"])
    return found


def test_pdf_builder_survives_a_dead_worker(tmp_path: Path) -> None:
    from assess.report.pdf import PdfBuilder

    docs = [ChapterRenderer().render(_executed(tmp_path, n), n) for n in ("01_alpha", "02_beta")]
    with PdfBuilder(CTX, tmp_path, workers=1) as builder:
        assert builder._worker is not None
        builder._worker._proc.kill()  # the worker dies: the parts are laid out here instead
        for doc in docs:
            builder.add(doc)
        result = builder.write(docs, tmp_path / "a.pdf")
    assert result.pages == 6
    assert _link_targets(tmp_path / "a.pdf") == [2, 3, 4, 5]


def test_tables_shown_without_a_region_are_wrapped_in_one() -> None:
    body = ('<style>#T_x td {color: red}</style><table id="T_x"><caption>Score &amp; card</caption><tr><td>1</td></tr></table>'
            '<div class="assess-table-wrap" role="region" aria-label="A" tabindex="0"><table class="assess-table">'
            "<caption>A</caption></table></div>")
    wrapped = wrap_tables(body)
    assert wrapped.count('role="region"') == 2
    assert '<div class="assess-table-wrap" role="region" aria-label="Score &amp; card" tabindex="0"><table id="T_x">' in wrapped


def test_opaque_charts_are_embedded_without_an_alpha_channel() -> None:
    import base64
    import io

    from PIL import Image

    from assess.report.pdf import opaque_pngs

    def png(mode: str, colour: tuple) -> str:
        buf = io.BytesIO()
        Image.new(mode, (4, 3), colour).save(buf, format="PNG")
        return base64.b64encode(buf.getvalue()).decode()

    opaque, clear = png("RGBA", (10, 20, 30, 255)), png("RGBA", (10, 20, 30, 0))
    html = f'<img src="data:image/png;base64,{opaque}" alt="a"><img src="data:image/png;base64,{clear}" alt="b">'
    out = opaque_pngs(html)
    first, second = (base64.b64decode(m) for m in __import__("re").findall(r"base64,([^\"]+)", out))
    with Image.open(io.BytesIO(first)) as img:
        assert img.mode == "RGB" and img.getpixel((0, 0)) == (10, 20, 30)
    assert base64.b64encode(second).decode() == clear, "a picture with transparency is left as it is"


def test_an_rgb_png_goes_into_the_pdf_as_weasyprint_would_put_it_without_encoding_it_again() -> None:
    import io

    from PIL import Image
    from weasyprint.images import RasterImage

    from assess.report.charts import encode_png
    from assess.report.pdf import pass_png_data_through, png_image_data

    rgba = b"".join(bytes(p) for p in [(x * 7 % 256, y * 11 % 256, (x + y) % 256, 255) for y in range(40) for x in range(60)])
    png = encode_png(rgba, 60, 40)
    encode = RasterImage.__dict__["_get_png_data"].__func__
    encode = getattr(encode, "_assess_original", encode)  # WeasyPrint's own, if installed already
    with Image.open(io.BytesIO(png)) as img:
        theirs = encode(img)
    assert png_image_data(png) == theirs  # the image data WeasyPrint would take, byte for byte
    pass_png_data_through()
    pass_png_data_through()  # installed once
    with Image.open(io.BytesIO(png)) as img:
        assert RasterImage._get_png_data(img) == theirs
    buf = io.BytesIO()
    Image.new("RGBA", (4, 3), (1, 2, 3, 4)).save(buf, format="PNG")
    assert png_image_data(buf.getvalue()) is None  # alpha: split off by WeasyPrint as before
    interlaced = bytearray(png)
    interlaced[28] = 1  # the IHDR's interlace method: Adam7 rows are no PDF predictor rows
    assert png_image_data(bytes(interlaced)) is None
