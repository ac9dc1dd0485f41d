"""Same inputs, same bundle, byte for byte: two runs of the demo assessment into two folders.

Every file is compared, the PDF and the executed notebooks included; the manifest may differ
only in its dates and timings. The PDF's links resolve: within the PDF, or inside the published bundle.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, DemoData
from pypdf import PdfReader

pytestmark = pytest.mark.e2e

#: Manifest entries that record when and how long, not what.
TIMING_KEYS = {"started_at", "finished_at", "timings_seconds", "seconds"}


def digests(bundle: Path) -> dict[str, str]:
    return {p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(bundle.rglob("*")) if p.is_file()}


def without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


@pytest.fixture(scope="module")
def second_bundle(demo_data: DemoData, demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assess.config import find_config
    from assess.report.bundle import run_bundle

    result = run_bundle(
        find_config(demo_data.csp, demo_data.config_dir), demo_data.year, notebooks_dir=ROOT / "notebooks",
        raw_dir=demo_data.raw, processed_dir=demo_data.processed, out_root=tmp_path_factory.mktemp("second"),
        config_dir=demo_data.config_dir, progress=False,
    )
    assert result.ok, (result.problems, [(r.chapter, r.error) for r in result.failed])
    return result.path


def test_two_runs_into_two_folders_give_the_same_bytes_in_every_file(demo_bundle: Path, second_bundle: Path) -> None:
    first, second = digests(demo_bundle), digests(second_bundle)
    assert set(first) == set(second)
    assert len(first) > 100 and "assessment.pdf" in first and "tables.xlsx" in first
    differ = sorted(k for k in first if first[k] != second[k])
    assert differ == ["manifest.json"], differ


def test_the_manifests_differ_only_in_dates_and_timings(demo_bundle: Path, second_bundle: Path) -> None:
    one = json.loads((demo_bundle / "manifest.json").read_text(encoding="utf-8"))
    two = json.loads((second_bundle / "manifest.json").read_text(encoding="utf-8"))
    assert one["started_at"] and one["timings_seconds"]
    assert without_timings(one) == without_timings(two)


def test_the_pdf_links_resolve_in_the_published_bundle(demo_bundle: Path) -> None:
    data = (demo_bundle / "assessment.pdf").read_bytes()
    assert b"file:" not in data and b".tmp/" not in data, "a local path leaked into the PDF"
    links, internal = [], 0
    for page in PdfReader(demo_bundle / "assessment.pdf").pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and "/URI" in action:
                links.append(str(action["/URI"]))
            elif "/Dest" in annot or (action is not None and action.get("/S") == "/GoTo"):
                internal += 1
    assert internal >= 13, internal  # the contents and the summary link every chapter, within the PDF
    local = [u for u in links if not re.match(r"^[a-z]+:", u)]
    for uri in local:  # a link to another file of the bundle is relative to the PDF, and resolves
        assert (demo_bundle / uri.split("#", 1)[0]).is_file(), uri


def test_the_executed_scorecard_holds_no_memory_address(demo_bundle: Path) -> None:
    for notebook in sorted((demo_bundle / "notebooks").glob("*.ipynb")):
        text = notebook.read_text(encoding="utf-8")
        assert not re.search(r" at 0x[0-9a-f]{6,}", text), notebook.name
