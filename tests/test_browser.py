"""The fixture bundle in a real browser: headless Debian Chromium with networking off.

- a screenshot of index.html is kept in test-artifacts/index.png (git-ignored);
- the DOM Chromium built (``--dump-dom``) of every page: each local link resolves to a file;
- every chart decodes: a copy of each page with a small probe script appended reports each
  ``<img>``'s ``naturalWidth`` and alt text into the DOM, which ``--dump-dom`` then prints.

Needs ``apt-get install chromium``; skipped without /usr/bin/chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from assess.config import CSPConfig
from assess.report.bundle import BundleResult, run_bundle
from assess.report.export import audit_html, local_link_targets

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (apt-get install chromium)"),
]

PROBE = """
<script>
window.addEventListener("load", () => {
  const found = [...document.images].map(i => ({alt: i.alt, width: i.naturalWidth, complete: i.complete}));
  const out = document.createElement("pre");
  out.id = "assess-probe";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>
"""


def _chromium(profile: Path, *args: str) -> str:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--disable-extensions", "--disable-sync", "--disable-component-update",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> BundleResult:
    out_root = tmp_path_factory.mktemp("reports")
    cfg = CSPConfig(name="Demo", code="E22999999", local_authorities=[{"code": "E06999999", "name": "Demo"}],
                    police_force={"name": "Demo", "police_uk": "demo"}, synthetic=True)
    return run_bundle(cfg, "2023/24", notebooks_dir=FIXTURES, raw_dir=out_root, processed_dir=out_root,
                      out_root=out_root, config_dir=ROOT / "config" / "csp", jobs=2, progress=False)


def test_index_screenshot(bundle: BundleResult, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "index.png"
    shot.unlink(missing_ok=True)
    _chromium(tmp_path / "profile", "--window-size=1280,1600", f"--screenshot={shot}", (bundle.path / "index.html").as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000


def test_links_in_the_rendered_dom_resolve(bundle: BundleResult, tmp_path: Path) -> None:
    pages = [bundle.path / "index.html", *sorted((bundle.path / "html").glob("*.html"))]
    for i, page in enumerate(pages):
        dom = _chromium(tmp_path / f"profile{i}", "--dump-dom", page.as_uri())
        assert "</html>" in dom
        audit = audit_html(dom)
        assert audit.remote == [], f"{page.name}: {audit.remote}"
        targets = local_link_targets(page, audit.links)
        assert targets, f"{page.name} has no local links"
        missing = [t for t in targets if not t.exists()]
        assert missing == [], f"{page.name}: {missing}"
        if page.name == "index.html":
            chapters = {t.name for t in targets if t.parent.name == "html"}
            assert chapters == {"00_summary.html", "01_alpha.html", "02_beta.html", "glossary.html"}
            assert {t.name for t in targets} >= {"assessment.pdf", "tables.xlsx", "metrics.json", "manifest.json"}


def test_every_chart_decodes_and_has_alt_text(bundle: BundleResult, tmp_path: Path) -> None:
    images = 0
    for i, page in enumerate(sorted((bundle.path / "html").glob("*.html"))):
        probe = tmp_path / page.name
        # the page's Content-Security-Policy forbids scripts, the probe's too: the copy goes without it
        text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", page.read_text(encoding="utf-8"))
        probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        dom = _chromium(tmp_path / f"profile{i}", "--dump-dom", probe.as_uri())
        m = re.search(r'<pre id="assess-probe">(.*?)</pre>', dom, re.S)
        assert m, f"{page.name}: the probe did not run"
        found = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
        for img in found:
            assert img["complete"] and img["width"] > 0, f"{page.name}: an image did not decode"
            assert img["alt"].strip(), f"{page.name}: an image has no alt text"
        images += len(found)
    assert images == 1
    shutil.rmtree(tmp_path, ignore_errors=True)
