"""Shared fixtures: where the real public data lies, and small helpers."""

from __future__ import annotations

import fcntl
from dataclasses import dataclass
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


@dataclass(frozen=True)
class DemoData:
    """The demo data written and ingested once per test session."""

    raw: Path
    processed: Path
    config_dir: Path
    csp: str = "wessex-vale"
    year: str = "2024/25"


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> DemoData:
    """Demo data in a temporary folder, shared by the xdist workers of one session (file lock)."""
    from assess.demo import write_demo
    from assess.ingest import ingest

    base = tmp_path_factory.getbasetemp()
    root = (base.parent if worker_id != "master" else base) / "demo-data"
    root.mkdir(parents=True, exist_ok=True)
    with open(root.parent / "demo-data.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done").exists():
            write_demo(root / "raw")
            ingest(root / "raw", root / "processed")
            (root / "done").touch()
    return DemoData(raw=root / "raw", processed=root / "processed", config_dir=ROOT / "config" / "csp")


@pytest.fixture(scope="session")
def real_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The real public data of ../shared/data ingested once per session (shared by xdist workers)."""
    from assess.ingest import ingest

    base = tmp_path_factory.getbasetemp()
    root = (base.parent if worker_id != "master" else base) / "real-store"
    with open(base.parent / "real-store.lock" if worker_id != "master" else base / "real-store.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "manifest.json").exists():
            ingest(shared_data, root)
    return root
