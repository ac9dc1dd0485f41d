"""The demo bundle's published figures are exactly those recorded in tests/fixtures/demo_bundle_digests.json.

A refactoring must leave metrics.json and every published table byte-identical. A change that is
meant to alter a figure updates the record, on purpose and in the same commit, with::

    ASSESS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_demo_bundle_golden.py

and the diff of the record shows which outputs changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "fixtures" / "demo_bundle_digests.json"

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo_bundle")]


def published_digests(bundle: Path) -> dict[str, str]:
    """SHA-256 of metrics.json and of every tables/*.csv of a bundle, by relative path."""
    files = [bundle / "metrics.json", *sorted((bundle / "tables").glob("*.csv"))]
    return {p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_demo_bundle_figures_are_unchanged(demo_bundle: Path) -> None:
    found = published_digests(demo_bundle)
    assert "metrics.json" in found and len(found) > 10
    if os.environ.get("ASSESS_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = sorted(k for k in set(expected) | set(found) if expected.get(k) != found.get(k))
    assert not changed, f"published outputs differ from {GOLDEN.name}: {changed}"
