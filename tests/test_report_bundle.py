"""The report bundle end to end, on three tiny fixture chapters (one fails on purpose).

The module runs the bundle twice into the same folder (about 10-20 s each on 2 cores): the
second run replaces the first atomically and must give the same bytes (all but manifest.json).
Timings are written to test-artifacts/bundle-timings.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL
from assess.config import CSPConfig
from assess.report import bundle as bundle_mod
from assess.report.bundle import BundleResult, bundle_path, run_bundle
from assess.report.export import audit_html, local_link_targets

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
YEAR = "2023/24"
TITLES = {"00_summary": "Summary", "01_alpha": "Alpha: recorded crime", "02_beta": "Beta: a chapter that fails"}


def fixture_config() -> CSPConfig:
    return CSPConfig(
        name="Demo", code="E22999999", partnership_name="Demo & District Community Safety Partnership",
        local_authorities=[{"code": "E06999999", "name": "Demo"}],
        police_force={"name": "Demo", "police_uk": "demo"}, synthetic=True,
    )


def build(out_root: Path, **kwargs: object) -> BundleResult:
    """The fixture bundle into ``out_root`` (the helper tests/test_browser.py uses too)."""
    params = dict(notebooks_dir=FIXTURES, raw_dir=out_root / "raw", processed_dir=out_root / "processed",
                  out_root=out_root, config_dir=ROOT / "config" / "csp", jobs=2, progress=False)
    params.update(kwargs)
    return run_bundle(fixture_config(), YEAR, **params)  # type: ignore[arg-type]


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    out_root = tmp_path_factory.mktemp("reports")
    (out_root / "processed").mkdir()
    (out_root / "processed" / "manifest.json").write_text(json.dumps(
        {"inputs": {"raw/x.csv": {"sha256": "ab" * 32, "bytes": 3, "reader": "test", "rows": 1}}, "tables": {}}))
    t = time.perf_counter()
    first = build(out_root)
    first_seconds = time.perf_counter() - t
    snapshot = file_hashes(first.path)
    t = time.perf_counter()
    second = build(out_root)
    second_seconds = time.perf_counter() - t
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bundle-timings.json").write_text(json.dumps(
        {"bundle_wall_seconds": [round(first_seconds, 1), round(second_seconds, 1)],
         "steps_seconds": [first.timings, second.timings],
         "chapters_seconds": {r.chapter: round(r.seconds, 1) for r in second.chapters}}, indent=2) + "\n")
    return SimpleNamespace(first=first, second=second, snapshot=snapshot, out_root=out_root, path=second.path)


def test_failed_chapter_is_marked_but_the_bundle_is_made(runs: SimpleNamespace) -> None:
    result = runs.second
    assert result.path == runs.out_root / "demo" / "2023-24" == bundle_path(runs.out_root, fixture_config(), YEAR)
    assert result.statuses == {"00_summary": "ok", "01_alpha": "ok", "02_beta": "failed"}
    assert not result.ok and result.problems == []
    assert re.fullmatch(r"RuntimeError: deliberate failure in the fixture chapter \(cell In \[\d+\]\)", result.failed[0].error)
    index = (result.path / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr class="failed">.*?</tr>', index, re.S)
    assert row and "02_beta.html" in row.group(0) and "Failed" in row.group(0) and "deliberate failure" in row.group(0)
    assert index.count('<tr class="ok">') == 1  # alpha; the fixture summary publishes no table or chart:
    empty = re.search(r'<tr class="no-data">.*?</tr>', index, re.S)
    assert empty and "00_summary.html" in empty.group(0) and "No data supplied" in empty.group(0)
    assert "1 of 3 chapters did not finish" in index
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert {c["chapter"]: c["status"] for c in manifest["chapters"]} == result.statuses
    executed = json.loads((result.path / "notebooks" / "02_beta.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert any(o["output_type"] == "error" and o["ename"] == "RuntimeError" for o in outputs)


def test_bundle_layout(runs: SimpleNamespace) -> None:
    files = set(file_hashes(runs.path))
    expected = {
        "index.html", "assessment.pdf", "tables.xlsx", "metrics.json", "manifest.json",
        "html/00_summary.html", "html/01_alpha.html", "html/02_beta.html",
        "notebooks/00_summary.ipynb", "notebooks/01_alpha.ipynb", "notebooks/02_beta.ipynb",
        "tables/01_alpha__offences.csv", "tables/01_alpha__monthly_by_group.csv",
        "tables/02_beta__wide_table_with_a_very_long_name_indeed.csv", "figures/01_alpha__rates.png",
        "metrics/01_alpha.json", "findings/01_alpha.json",
    }
    assert expected <= files, expected - files
    assert not any(p.name.endswith(".tmp") for p in runs.path.parent.iterdir()), "a temporary folder was left behind"


def test_html_is_offline_with_alt_text_and_links_that_resolve(runs: SimpleNamespace) -> None:
    pages = [runs.path / "index.html", *sorted((runs.path / "html").glob("*.html"))]
    images = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        audit = audit_html(text)
        assert audit.remote == [], f"{page.name}: {audit.remote}"
        # the words are looked for outside data: URLs (a chart's base64 may spell "cdn" by chance)
        words = re.sub(r"data:[^\"']*", "data:", text).lower()
        for word in ("cdn", "require.js", "mathjax", "googleapis", "unpkg", "<script"):
            assert word not in words, f"{page.name} mentions {word}"
        assert audit.images_without_alt == 0, page.name
        assert all(img["src"].startswith("data:image/") for img in audit.images), page.name
        images += len(audit.images)
        missing = [t for t in local_link_targets(page, audit.links) if not t.exists()]
        assert missing == [], f"{page.name}: broken links {missing}"
        assert OGL_ATTRIBUTION in text and SYNTHETIC_LABEL in text.lower()
    assert images == 1  # the one chart of 01_alpha
    alpha = (runs.path / "html" / "01_alpha.html").read_text(encoding="utf-8")
    assert 'href="../index.html"' in alpha and 'rel="prev" href="00_summary.html"' in alpha
    assert 'rel="next" href="02_beta.html"' in alpha
    assert "Bar chart: Demo has 81.2 offences" in alpha
    assert "import pandas" not in alpha, "code cells must be hidden"
    beta = (runs.path / "html" / "02_beta.html").read_text(encoding="utf-8")
    assert "did not finish" in beta and "deliberate failure" in beta


def test_pdf_has_title_contents_page_numbers_and_every_chapter(runs: SimpleNamespace) -> None:
    reader = PdfReader(runs.path / "assessment.pdf")
    texts = [page.extract_text() for page in reader.pages]
    n = len(texts)
    assert n >= len(TITLES) + 2 and n == runs.second.pdf_pages
    title_page = " ".join(texts[0].split())
    assert "Demo & District Community Safety Partnership" in title_page and OGL_ATTRIBUTION in title_page
    assert "Synthetic demonstration data" in title_page
    assert "Contents" in texts[1]
    for chapter, title in TITLES.items():
        m = re.search(re.escape(title) + r"[^\n]*?(\d+)\s*$", texts[1], re.M)
        assert m, f"{title} not in the contents page"
        page_no = int(m.group(1))
        assert texts[page_no - 1].lstrip().startswith(title), f"contents says {title} is on page {page_no}"
    for i in range(2, n + 1):
        assert f"Page {i} of {n}" in texts[i - 1], f"no page number on page {i}"
    assert "Page 1 of" not in texts[0]
    assert "(did not finish)" in texts[1]
    assert reader.metadata.title == "Demo & District Community Safety Partnership, 2023/24"
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (Debian poppler-utils)")
def test_pdf_pages_render_and_tables_fit_the_page(runs: SimpleNamespace, tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "40", str(runs.path / "assessment.pdf"), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == runs.second.pdf_pages
    margin = round(17 / 25.4 * 40)  # the right page margin, 17 mm, in pixels at 40 dpi
    for png in pngs:
        img = Image.open(png).convert("L")
        width, height = img.size
        strip = img.crop((width - margin + 3, 0, width, height))
        assert strip.getextrema()[0] > 245, f"{png.name}: something is drawn in the right margin (too wide?)"
        assert img.crop((0, 0, width, height)).getextrema()[0] < 100, f"{png.name} is blank"


def test_workbook_sheets(runs: SimpleNamespace) -> None:
    wb = load_workbook(runs.path / "tables.xlsx")
    assert wb.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    assert len(wb.sheetnames) == 6 and len(set(wb.sheetnames)) == 6
    assert all(len(name) <= 31 for name in wb.sheetnames)
    assert "02_wide_table_with_a_very_long_" in wb.sheetnames
    cover = " ".join(str(c.value) for row in wb["Cover"].iter_rows() for c in row if c.value is not None)
    assert OGL_ATTRIBUTION in cover and "[c]" in cover and SYNTHETIC_LABEL in cover.lower()
    sheet = wb["01_offences"]
    header = next(r for r in range(1, 12) if sheet.cell(r, 1).value == "Area")
    assert [c.value for c in sheet[header + 1]] == ["Demo", 1234, 81.2] and sheet.cell(header + 2, 2).value == "[c]"


def test_metrics_and_manifest(runs: SimpleNamespace) -> None:
    metrics = json.loads((runs.path / "metrics.json").read_text(encoding="utf-8"))
    assert [m["id"] for m in metrics["metrics"]] == ["total_offences"]
    assert metrics["meta"]["synthetic"] is True and metrics["meta"]["csp_code"] == "E22999999"
    processed = runs.out_root / "processed" / "manifest.json"
    assert metrics["meta"]["inputs_sha256"] == hashlib.sha256(processed.read_bytes()).hexdigest()
    manifest = json.loads((runs.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["inputs"]["raw/x.csv"]["sha256"] == "ab" * 32
    assert manifest["parameters"]["output_dir"] == ".." and manifest["parameters"]["year"] == YEAR
    assert manifest["environment"]["kernel_python"] == os.path.realpath(sys.executable)
    for package in ("pandas", "papermill", "nbconvert", "weasyprint"):
        assert manifest["environment"]["packages"][package]
    assert set(manifest["timings_seconds"]) >= {"execute", "html", "pdf", "workbook", "total"}
    assert all(c["seconds"] > 0 for c in manifest["chapters"])
    assert manifest["outputs_sha256"] == {k: v for k, v in file_hashes(runs.path).items() if k != "manifest.json"}
    assert set(manifest["notebooks"]) == set(TITLES)


def test_two_runs_give_the_same_bytes_but_the_manifest(runs: SimpleNamespace) -> None:
    again = file_hashes(runs.path)
    assert set(again) == set(runs.snapshot)
    differ = sorted(k for k in again if again[k] != runs.snapshot[k])
    assert differ == ["manifest.json"], differ


def test_an_exception_midway_leaves_the_previous_bundle(runs: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    before = file_hashes(runs.path)

    def explode(sources, executed_dir, parameters, **kwargs):  # noqa: ANN001, ANN003
        executed_dir.mkdir(parents=True, exist_ok=True)
        (executed_dir / "00_summary.ipynb").write_text("half-written", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(bundle_mod, "execute_chapters", explode)
    with pytest.raises(KeyboardInterrupt):
        build(runs.out_root)
    assert file_hashes(runs.path) == before
    # the published link, its versions (this one and the one before) and the lock
    # (assess.atomic.published_directory): no temporary folder
    assert sorted(p.name for p in runs.path.parent.iterdir()) == [".2023-24.lock", ".2023-24.versions", "2023-24"]
    assert len(list((runs.path.parent / ".2023-24.versions").iterdir())) == 2


def test_a_killed_run_leaves_the_previous_bundle(runs: SimpleNamespace) -> None:
    """SIGKILL a real run once chapters are executing: the published bundle is untouched."""
    before = file_hashes(runs.path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
        "import test_report_bundle as t; t.build(Path(sys.argv[2]))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(Path(__file__).parent), str(runs.out_root)],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            started = list(runs.path.parent.glob(".2023-24.*.tmp/notebooks/*.ipynb"))
            if started or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before it could be killed"
        assert started, "no chapter started within 120 s"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert file_hashes(runs.path) == before
    index = (runs.path / "index.html").read_text(encoding="utf-8")
    assert "Demo &amp; District" in index
    leftovers = list(runs.path.parent.glob(".2023-24.*.tmp"))
    assert leftovers, "a killed run cannot tidy up; its temporary folder stays beside the bundle"
    for leftover in leftovers:
        shutil.rmtree(leftover)
    _wait_for_orphan_kernels(proc.pid)


def _wait_for_orphan_kernels(parent_pid: int, timeout: float = 15.0) -> None:
    """The killed run's kernels notice their parent is gone and exit (ipykernel's parent poller)."""
    def orphans() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                env = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if f"JPY_PARENT_PID={parent_pid}".encode() in env:
                found.append(int(entry.name))
        return found

    deadline = time.monotonic() + timeout
    while orphans() and time.monotonic() < deadline:
        time.sleep(0.25)
    assert orphans() == [], "kernels of the killed run are still running"


def test_a_layout_worker_made_ahead_lays_out_the_same_pdf_and_is_closed(runs: SimpleNamespace, tmp_path: Path) -> None:
    # `assess run` starts the PDF layout worker while it checks its inputs: handed to the run, it
    # is given the bundle's folder, lays out the same PDF, and is closed when the run ends
    from assess.report.pdf import LayoutWorker

    (tmp_path / "processed").mkdir()
    shutil.copyfile(runs.out_root / "processed" / "manifest.json", tmp_path / "processed" / "manifest.json")
    ahead = LayoutWorker(start=False)
    made = build(tmp_path, layout=ahead)
    assert made.statuses == runs.first.statuses and made.pdf_pages == runs.first.pdf_pages
    assert ahead._proc.poll() is not None, "the worker made ahead is still running"
    assert (made.path / "assessment.pdf").read_bytes() == (runs.path / "assessment.pdf").read_bytes()
    again = LayoutWorker(start=False)
    build(tmp_path, layout=again)  # the fixture's failing chapter executes again, the others come from the cache
    assert again._proc.poll() is not None, "the worker made ahead is still running"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_state_of_a_fresh_clone_runs_no_notebook_filter_and_sees_changes(tmp_path: Path) -> None:
    # after a clone every file is "racily clean": git would pass each notebook through the
    # project's clean filter to compare it (a Python process each, past git_state's time limit)
    import subprocess

    from assess.report.bundle import NOTEBOOK_FILTER, git_state

    def git(folder: Path, *args: str) -> None:
        subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)

    origin, clone, marker = tmp_path / "origin", tmp_path / "clone", tmp_path / "filter-ran"
    origin.mkdir()
    (origin / ".gitattributes").write_text(f"*.ipynb filter={NOTEBOOK_FILTER}\n")
    (origin / "01_a.ipynb").write_text('{"cells": []}\n')
    git(origin, "init", "-q")
    git(origin, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git(origin, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "one notebook")
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "config", f"filter.{NOTEBOOK_FILTER}.clean", f"touch {marker}; cat")
    git(clone, "config", f"filter.{NOTEBOOK_FILTER}.required", "true")
    state = git_state(clone)
    assert state is not None and len(state["commit"]) == 40 and state["dirty"] is False
    assert not marker.exists(), "git ran the notebook filter to answer"
    (clone / "01_a.ipynb").write_text('{"cells": [], "outputs": 1}\n')
    assert git_state(clone)["dirty"] is True  # type: ignore[index]
    assert git_state(tmp_path / "not-a-repository") is None
