"""Every surface of the demo bundle shows the same figure with the same digits, rounded once, and
every change in a percentage in percentage points: metrics.json (its ``display`` block), the index
cards, the chapter pages, the PDF (its text, read with pypdf) and the workbook."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo_bundle")]

PERCENT_UNITS = {"%", "percent", "per cent", "percentage"}


def text_of(markup: str) -> str:
    """The visible text of an HTML page, its whitespace collapsed."""
    markup = re.sub(r"<(style|script)\b.*?</\1>", " ", markup, flags=re.S)
    markup = re.sub(r'<img [^>]*>', " ", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@cache
def pdf_text(bundle: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(bundle / "assessment.pdf"))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def metrics(bundle: Path) -> dict[str, dict]:
    return {m["id"]: m for m in json.loads((bundle / "metrics.json").read_text())["metrics"]}


def cards(bundle: Path) -> list[dict[str, str]]:
    """The headline cards of index.html: label, value and the detail lines, as text."""
    page = (bundle / "index.html").read_text()
    found = []
    for item in re.findall(r'<li class="card">(.*?)</li>', page, flags=re.S):
        label = text_of(re.search(r'<div class="label">(.*?)</div>', item, flags=re.S).group(1))
        value = text_of(re.search(r'<div class="value">(.*?)</div>', item, flags=re.S).group(1))
        found.append({"label": label, "value": value, "text": text_of(item)})
    return found


def headline_rows(bundle: Path) -> dict[str, dict[str, object]]:
    """The executive summary's headline table in tables.xlsx, by measure."""
    from openpyxl import load_workbook

    book = load_workbook(bundle / "tables.xlsx", read_only=True)
    sheet = next(book[name] for name in book.sheetnames if name.startswith("00_headline"))
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == "Measure")
    head = rows[start]
    return {str(r[0]): dict(zip(head, r, strict=False)) for r in rows[start + 1:] if r and r[0]}


def is_percent(m: dict) -> bool:
    return str(m["unit"]).strip().lower() in PERCENT_UNITS


def test_every_change_in_a_percentage_is_in_percentage_points_on_every_surface(demo_bundle: Path) -> None:
    by_id = metrics(demo_bundle)
    shares = [m for m in by_id.values() if is_percent(m) and m["previous_period"] and m["change_absolute"] is not None]
    assert len(shares) >= 5  # the demo has survey shares, reoffending rates and the domestic share
    workbook = headline_rows(demo_bundle)
    index = {c["label"]: c for c in cards(demo_bundle)}
    pdf = pdf_text(demo_bundle)
    on_index = 0
    for m in shares:
        # metrics.json: a field named for it; no relative change
        assert m["change_percent"] is None and m["change_percentage_points"] == pytest.approx(m["change_absolute"])
        points = m["display"]["change"]
        assert points.endswith(" percentage points"), m["id"]
        number = points.removesuffix(" percentage points")
        # the chapter that made it says it in percentage points
        page = text_of((demo_bundle / "html" / f"{m['chapter']}.html").read_text())
        assert f"({points})" in page, (m["id"], points)
        assert f"({points})" in pdf, (m["id"], points)
        if m["label"] in index:  # the index card
            on_index += 1
            assert f"{points} on {m['previous_period']}" in index[m["label"]]["text"]
        if m["label"] in workbook:  # the headline table: its own column, never "Change (%)"
            row = workbook[m["label"]]
            # no relative change: the cell is empty or carries the GSS shorthand for no figure
            assert row["Change (%)"] in (None, "[x]", "[z]") and f"{row['Change (percentage points)']:+.1f}" == number
    assert on_index >= 2
    # and no card shows a relative change for a percentage
    for card in cards(demo_bundle):
        m = next((x for x in by_id.values() if x["label"] == card["label"]), None)
        if m is not None and is_percent(m) and m["previous_period"]:
            assert not re.search(r"[+-]\d+\.\d% on ", card["text"]), card


def test_the_same_figure_has_the_same_digits_everywhere(demo_bundle: Path) -> None:
    by_label = {m["label"]: m for m in metrics(demo_bundle).values()}
    workbook = headline_rows(demo_bundle)
    summary = text_of((demo_bundle / "html" / "00_summary.html").read_text())
    pdf = pdf_text(demo_bundle)
    checked = 0
    for card in cards(demo_bundle):
        m = by_label[card["label"]]
        shown = m["display"]
        # the index card is metrics.json's display value (one rounding, from full precision)
        assert card["value"].startswith(shown["value"]), (card, shown)
        if m["suppressed"] or m["value"] is None:
            continue
        number = shown["value"].removesuffix("%")
        rate = shown["rate"].split(" per ")[0] if shown["rate"] else None
        if rate:
            assert shown["rate"] in card["text"]
        # the chapter that made it, and the PDF, show the same digits
        page = text_of((demo_bundle / "html" / f"{m['chapter']}.html").read_text())
        assert re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d,]|\.\d)", page), (m["id"], number)
        assert re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d,]|\.\d)", pdf), (m["id"], number)
        if rate:
            assert re.search(rf"(?<![\d.,]){re.escape(rate)}(?![\d,]|\.\d)", page), (m["id"], rate)
        # the summary's headline table (HTML and workbook) holds the value and the rate rounded the same way
        if m["label"] in workbook:
            row = workbook[m["label"]]
            places = 0 if "." not in number else len(number.split(".")[1])
            assert f"{float(row['Value']):,.{places}f}" == number, (m["id"], row["Value"], number)
            if rate:
                assert f"{float(row['Rate']):,.1f}" == rate, (m["id"], row["Rate"], rate)
            assert number in summary
            checked += 1
    assert checked >= 8


def test_no_published_table_holds_a_figure_rounded_twice(demo_bundle: Path) -> None:
    """A rate, percentage or change in a published table carries at most the places its page shows
    (the chapters round once, to the digits the text uses), so the CSV, workbook and page agree."""
    import csv

    from assess.report.display import format_cell

    for path in sorted((demo_bundle / "tables").glob("*.csv")):
        with path.open(newline="") as fh:
            rows = list(csv.reader(fh))
        for row in rows[1:]:
            for cell in row:
                if re.fullmatch(r"-?\d+\.\d+", cell):
                    assert float(format_cell(float(cell)).replace(",", "")) == float(cell), (path.name, cell)


def test_a_rate_in_a_table_is_the_rate_on_the_index_and_in_metrics_json(demo_bundle: Path) -> None:
    """Burglary's 5.7467 per 1,000 is 5.7 in the offence table, its metric and the workbook (once
    it was 5.75 in the table, shown as 5.8, and 5.7 on the index)."""
    import csv

    from openpyxl import load_workbook

    by_id = metrics(demo_bundle)
    with (demo_bundle / "tables" / "02_offence_types__offence_types.csv").open(newline="") as fh:
        table = {(r["Offence"], r["Source"]): r for r in csv.DictReader(fh)}
    book = load_workbook(demo_bundle / "tables.xlsx", read_only=True)
    sheet = next(book[n] for n in book.sheetnames if n.startswith("02_offence_types"))
    rows = [r for r in sheet.iter_rows(values_only=True) if r and len(r) > 7]
    head = next(r for r in rows if r[0] == "Offence")
    in_book = {(r[0], r[1]): dict(zip(head, r, strict=False)) for r in rows if r[0] != "Offence"}
    checked = 0
    for m in by_id.values():
        if m["chapter"] != "02_offence_types" or not m["display"]["rate"]:
            continue
        offence, source = m["label"].rsplit(" (", 1)
        key = (offence, source.rstrip(")"))
        rate = m["display"]["rate"].split(" per ")[0]
        assert table[key]["Rate per 1,000 residents"] == rate, (key, table[key], rate)
        assert f"{in_book[key]['Rate per 1,000 residents']:.1f}" == rate
        checked += 1
    assert checked >= 13
