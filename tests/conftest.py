"""Shared fixtures: where the real public data lies, and small helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public files of ../shared/data; tests that need them skip, saying why, without them."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real public data not present at {SHARED_DATA} (clone with ../shared beside the project)")
    return SHARED_DATA
