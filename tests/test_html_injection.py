"""Hostile text from every input field that reaches a page is shown as text, never run.

The demo data is written, then every text field that reaches a page is given HTML and Markdown
payloads (``<script>``, ``<img onerror>``, ``javascript:`` links, inline SVG with ``onload``):
the CSP configuration (partnership name, local authority name, priorities, most-similar group),
ward names in the ONS lookup, scorecard labels, partner file values (the benchmarks' and topics'
sources), the partners' accounts (Markdown and their authors) and recommendations, and Home
Office offence descriptions and CSP names. The whole assessment is built and
every page is parsed: no element, attribute or link that could run is there, the payloads are
there as text, and every page carries a Content-Security-Policy that forbids scripts.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

pytestmark = pytest.mark.e2e

# Payloads without commas or double quotes, so that they can stand in a CSV cell unquoted.
SCRIPT = "<script>alert(101)</script>"
IMG = "<img src=x onerror=alert(102)>"
MD_LINK = "[click me](javascript:alert(103))"
HTML_LINK = "<a href=javascript:alert(104)>x</a>"
SVG = "**<svg onload=alert(105)>**"
MD_IMAGE = "![x](x onerror=alert(106))"
ATTR_BREAK = "x' onmouseover='alert(107)"
PAYLOADS = (SCRIPT, IMG, MD_LINK, HTML_LINK, SVG, MD_IMAGE, ATTR_BREAK)
#: The number in each payload's alert(): it must show on a page as text.
MARKERS = tuple(re.search(r"alert\((\d+)\)", p).group(0) for p in PAYLOADS)  # type: ignore[union-attr]


@dataclass
class PageScan(HTMLParser):
    """What could run in a page: script elements, event-handler attributes, script URLs."""

    executable: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "base", "form", "frame"):
            self.executable.append(f"<{tag}>")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(dict(attrs).get("content") or "")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.executable.append("<meta refresh>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.executable.append(f"<{tag} {name}={value!r}>")
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href", "srcdoc") and value and re.match(
                r"\s*(javascript|vbscript|data:text/html)", value, re.IGNORECASE
            ):
                self.executable.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def scan(page: Path) -> PageScan:
    parser = PageScan()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _rewrite_csv(path: Path, change) -> None:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0]] + [change(rows[0], r) for r in rows[1:]])
    path.write_text(out.getvalue(), encoding="utf-8")


def make_hostile(raw: Path, config_dir: Path) -> dict[str, str]:
    """Put the payloads into the demo inputs; returns which payload went where."""
    placed: dict[str, str] = {}
    # CSP configuration
    cfg = yaml.safe_load((ROOT / "config" / "csp" / "wessex-vale.yaml").read_text(encoding="utf-8"))
    cfg["partnership_name"] = f"Wessex Vale {SCRIPT} Partnership"
    cfg["local_authorities"][0]["name"] = f"Wessex Vale {IMG}"
    hostile_priorities = (MD_LINK, HTML_LINK, SVG, ATTR_BREAK, MD_IMAGE)
    priorities = list(cfg["priorities"])
    cfg["priorities"] = [f"{p} {hostile_priorities[i % 5]}" for i, p in enumerate(priorities)]  # numbers kept
    isca = f"Isca {IMG}"
    cfg["most_similar_group"] = [isca if n == "Isca" else n for n in cfg["most_similar_group"]]
    (config_dir / "wessex-vale.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    placed.update(partnership_name=SCRIPT, local_authority=IMG, priorities=MD_LINK, most_similar_group=IMG)
    # ward names in the ONS lookup
    lookup = next((raw / "lookups").glob("Lower_Layer_Super_Output_Area_*.csv"))
    names: dict[str, str] = {}
    hostile = [f"Mellstock {SCRIPT}", IMG, MD_LINK, SVG, ATTR_BREAK, MD_IMAGE, HTML_LINK]

    def ward(header: list[str], row: list[str]) -> list[str]:
        col = next(i for i, h in enumerate(header) if re.fullmatch(r"WD\d\dNM", h))
        if row[col] not in names and len(names) < len(hostile):
            names[row[col]] = hostile[len(names)]
        row[col] = names.get(row[col], row[col])
        return row

    _rewrite_csv(lookup, ward)
    placed["ward_names"] = ", ".join(names.values())
    # the scorecard's labels
    card_path = raw / "partner" / "scorecard_targets.yaml"
    card = yaml.safe_load(card_path.read_text(encoding="utf-8"))
    for i, m in enumerate(card["measures"]):
        m["label"] = f"{m['label']} {PAYLOADS[i % len(PAYLOADS)]}"
    card_path.write_text(yaml.safe_dump(card, sort_keys=False), encoding="utf-8")
    placed["scorecard_labels"] = "all payloads"
    # partner file values: the benchmarks' source and unit texts

    def bench(header: list[str], row: list[str]) -> list[str]:
        row[header.index("source")] = f"{row[header.index('source')]} {SCRIPT} {MD_LINK}"
        return row

    _rewrite_csv(raw / "partner" / "national_benchmarks.csv", bench)
    placed["benchmarks_source"] = SCRIPT
    # the partners' own words: their accounts (Markdown, with an author), recommendations, topic sources
    for account in sorted((raw / "partner" / "narrative").glob("*.md")):
        text = account.read_text(encoding="utf-8")
        text = re.sub(r"^author: .*$", f"author: 'Council {SCRIPT} {IMG}'", text, count=1, flags=re.MULTILINE)
        account.write_text(text + f"\n\n{SCRIPT} {IMG} {MD_LINK} {HTML_LINK} {SVG} {MD_IMAGE} {ATTR_BREAK}\n",
                           encoding="utf-8")
    recs_path = raw / "partner" / "recommendations.yaml"
    recs = yaml.safe_load(recs_path.read_text(encoding="utf-8"))
    for i, r in enumerate(recs["recommendations"]):
        if isinstance(r["priority"], str):  # named by its text: by its number now that the text has changed
            r["priority"] = priorities.index(r["priority"]) + 1
        r["recommendation"] = f"{r['recommendation']} {PAYLOADS[i % len(PAYLOADS)]}"
        r["lead"] = f"Lead {IMG}"
    recs_path.write_text(yaml.safe_dump(recs, sort_keys=False), encoding="utf-8")

    def topic(header: list[str], row: list[str]) -> list[str]:
        row[header.index("source")] = f"{row[header.index('source')]} {HTML_LINK}"
        return row

    _rewrite_csv(raw / "partner" / "safeguarding_topics.csv", topic)
    placed.update(narrative=SCRIPT, recommendations="all payloads", safeguarding_topics=HTML_LINK)
    # Home Office tables: offence descriptions and the comparator's CSP name

    def home_office(header: list[str], row: list[str]) -> list[str]:
        if "CSP Name" in header and row[header.index("CSP Name")] == "Isca":
            row[header.index("CSP Name")] = isca
        i = header.index("Offence Description")
        row[i] = f"{row[i]} {HTML_LINK}"
        return row

    for path in sorted((raw / "home_office_prc").glob("*.csv")):
        _rewrite_csv(path, home_office)
    placed["offence_descriptions"] = HTML_LINK
    return placed


@pytest.fixture(scope="module")
def hostile_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assess.config import find_config
    from assess.demo import write_demo
    from assess.report.bundle import run_bundle
    from assess.store.ingest import ingest

    root = tmp_path_factory.mktemp("hostile")
    raw, processed, config_dir = root / "raw", root / "processed", root / "config"
    config_dir.mkdir()
    write_demo(raw)
    make_hostile(raw, config_dir)
    ingest(raw, processed)
    result = run_bundle(find_config("wessex-vale", config_dir), "2024/25", notebooks_dir=ROOT / "notebooks",
                        raw_dir=raw, processed_dir=processed, out_root=root / "reports", config_dir=config_dir,
                        progress=False)
    assert not result.failed, [(r.chapter, r.error) for r in result.failed]
    return result.path


def pages(bundle: Path) -> list[Path]:
    return [bundle / "index.html", *sorted((bundle / "html").glob("*.html"))]


def test_nothing_executable_reaches_any_page(hostile_bundle: Path) -> None:
    found = {p.relative_to(hostile_bundle).as_posix(): scan(p).executable for p in pages(hostile_bundle)}
    assert len(found) >= 14
    assert {k: v for k, v in found.items() if v} == {}


def test_the_payloads_are_shown_as_text(hostile_bundle: Path) -> None:
    """The hostile texts reached the pages (so the test above tested something), as plain text."""
    text = {p.name: " ".join(scan(p).text) for p in pages(hostile_bundle)}
    everything = " ".join(text.values())
    for marker in MARKERS:
        assert marker in everything, marker
    assert "<script>alert(101)</script>" in text["index.html"]  # the partnership name, as text
    assert "<img src=x onerror=alert(102)>" in text["03_places.html"]  # a ward name, as text
    scorecard = text["12_scorecard.html"]
    for payload in (SCRIPT, IMG, HTML_LINK):
        assert payload in scorecard, payload  # the scorecard's labels, in the Styler table and the prose
    assert "Council <script>alert(101)</script>" in text["03_places.html"]  # a partner account's author
    assert "Lead <img src=x onerror=alert(102)>" in text["00_summary.html"]  # a recommendation's lead


def test_every_page_forbids_scripts_by_content_security_policy(hostile_bundle: Path) -> None:
    for page in pages(hostile_bundle):
        policies = scan(page).csp
        assert len(policies) == 1, page
        directives = {d.strip().split()[0]: d.strip().split()[1:] for d in policies[0].split(";") if d.strip()}
        assert directives["default-src"] == ["'none'"], page
        assert "script-src" not in directives or directives["script-src"] == ["'none'"], page
        assert directives.get("img-src") == ["data:"], page


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (apt-get install chromium)")
def test_chromium_runs_no_script_in_a_page_even_one_that_slipped_through(hostile_bundle: Path, tmp_path: Path) -> None:
    """Defence in depth: a script that reached a page anyway is blocked by its Content-Security-Policy."""
    import subprocess

    page = hostile_bundle / "html" / "03_places.html"
    planted = tmp_path / "planted.html"
    trap = ('<script>document.body.setAttribute("data-ran", "script")</script>'
            '<img src="data:image/png;base64,AAAA" onerror="document.body.setAttribute(\'data-ran\', \'onerror\')">')
    planted.write_text(page.read_text(encoding="utf-8").replace("</main>", trap + "</main>"), encoding="utf-8")
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", planted.as_uri()]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<main" in done.stdout and "data-ran" not in done.stdout.split("<body", 1)[1].split(">", 1)[0]
    # and without the policy the same page does run it (the check above can fail)
    unguarded = tmp_path / "unguarded.html"
    unguarded.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", planted.read_text(encoding="utf-8")),
                         encoding="utf-8")
    command[-1] = unguarded.as_uri()
    command[-3] = f"--user-data-dir={tmp_path / 'profile2'}"
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert 'data-ran="' in done.stdout.split("<body", 1)[1].split(">", 1)[0]
