"""Chapter HTML, the audit of offline pages, the PDF's document and the tables workbook (no kernel)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from openpyxl import load_workbook

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL
from assess.report.export import (
    ChapterRenderer,
    PageContext,
    WorkbookTable,
    audit_html,
    chapter_page,
    sheet_names,
    write_workbook,
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
    assert 'counter(page) " of " counter(pages)' in page_css(CTX, "stamps")
    with pytest.raises(ValueError):
        page_css(CTX, "cover")


def test_sheet_names_are_short_unique_and_legal() -> None:
    wanted = ["01_offences", "01_offences", "Notes", "02_" + "x" * 40, "02_" + "x" * 40, "03_a/b[c]?"]
    names = sheet_names(wanted)
    assert len(names) == len(wanted)
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 for n in names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")
    assert names[0] == "01_offences" and names[1] == "01_offences~2" and names[2] != "Notes"
    assert names[4].endswith("~2") and len(names[4]) == 31


def test_workbook_has_notes_sheet_and_one_sheet_per_table_reproducibly(tmp_path: Path) -> None:
    tables_dir = tmp_path / "tables"
    tables_dir.mkdir()
    (tables_dir / "01_alpha__offences.csv").write_text("area,offences,rate\nA,1234,81.2\nB,[c],64.0\n", encoding="utf-8")
    long = "a_very_long_table_name_that_goes_on_and_on"
    (tables_dir / f"02_beta__{long}.csv").write_text("month,asb\n2023-04,12\n", encoding="utf-8")
    (tables_dir / f"02_beta__{long}_too.csv").write_text("month,asb\n2023-05,13\n", encoding="utf-8")
    tables = [
        WorkbookTable("01_alpha", "offences", tables_dir / "01_alpha__offences.csv", "Offences by area", "Alpha"),
        WorkbookTable("02_beta", long, tables_dir / f"02_beta__{long}.csv", "ASB by month", "Beta"),
        WorkbookTable("02_beta", long + "_too", tables_dir / f"02_beta__{long}_too.csv", "ASB again", "Beta"),
    ]
    digests = []
    for name in ("a.xlsx", "b.xlsx"):
        write_workbook(tmp_path / name, tables, report_title="Demo CSP", year="2023/24", synthetic=True,
                       suppression_threshold=5, notes={"Alpha": ["A note."]})
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1], "the same tables must give the same workbook bytes"
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames[0] == "Notes" and len(wb.sheetnames) == 4
    assert all(len(n) <= 31 for n in wb.sheetnames) and len(set(wb.sheetnames)) == 4
    notes_text = " ".join(str(c.value) for row in wb["Notes"].iter_rows() for c in row if c.value is not None)
    assert OGL_ATTRIBUTION in notes_text and "[c]" in notes_text and "1 to 4" in notes_text
    assert SYNTHETIC_LABEL in notes_text.lower() and "A note." in notes_text
    sheet = wb[wb.sheetnames[1]]
    assert sheet["A1"].value == "Offences by area"
    assert [c.value for c in sheet[4]] == ["area", "offences", "rate"]
    assert [c.value for c in sheet[5]] == ["A", 1234, 81.2] and sheet["B6"].value == "[c]"


def _link_targets(path: Path) -> list[int]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return sorted(
        reader.get_page_number(annot.get_object()["/Dest"][0].get_object())
        for annot in reader.pages[1].get("/Annots", [])
    )


def test_pdf_laid_out_in_workers_is_the_pdf_laid_out_here(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from assess.report.pdf import write_pdf

    docs = [ChapterRenderer().render(_executed(tmp_path, n), n) for n in ("01_alpha", "02_beta")]
    here = write_pdf(docs, tmp_path / "here.pdf", CTX, workers=0)
    there = write_pdf(docs, tmp_path / "there.pdf", CTX, workers=2)
    assert (tmp_path / "here.pdf").read_bytes() == (tmp_path / "there.pdf").read_bytes()
    assert here.pages == there.pages == 5  # title, contents, two chapters, colophon
    texts = [p.extract_text() for p in PdfReader(tmp_path / "here.pdf").pages]
    assert [f"Page {i} of 5" in t for i, t in enumerate(texts, 1)] == [False, True, True, True, True]
    assert texts[2].lstrip().startswith("Alpha chapter") and "About this report" in texts[4]
    assert _link_targets(tmp_path / "here.pdf") == [2, 3, 4]  # contents -> both chapters and the colophon


def test_pdf_builder_survives_a_dead_worker(tmp_path: Path) -> None:
    from assess.report.pdf import PdfBuilder

    docs = [ChapterRenderer().render(_executed(tmp_path, n), n) for n in ("01_alpha", "02_beta")]
    with PdfBuilder(CTX, tmp_path, workers=1) as builder:
        builder._workers[0]._proc.kill()  # the worker dies: its parts are laid out here instead
        for doc in docs:
            builder.add(doc)
        result = builder.write(docs, tmp_path / "a.pdf")
    assert result.pages == 5
    assert _link_targets(tmp_path / "a.pdf") == [2, 3, 4]

