"""Shared fixtures: where the real public data lies, the demo data and its context, and small helpers."""

from __future__ import annotations

import dataclasses
import fcntl
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from assess.measure.context import AssessmentContext
from assess.report.outputs import ChapterOutputs

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public files of ../shared/data; tests that need them skip, saying why, without them."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real public data not present at {SHARED_DATA} (clone with ../shared beside the project)")
    return SHARED_DATA


def store_holding_year(processed: Path, year: str) -> None:
    """A store with nothing but its manifest and a ``coverage`` row holding every month of the
    financial year ``year`` (``assess run`` refuses, first, a year its store holds nothing for)."""
    import pandas as pd

    from assess.store import Store

    start = int(year[:4])
    months = [f"{start}-{m:02d}" for m in range(4, 13)] + [f"{start + 1}-{m:02d}" for m in range(1, 4)]
    processed.mkdir(parents=True, exist_ok=True)
    (processed / "manifest.json").write_text(json.dumps({"inputs": {}, "tables": {}}), encoding="utf-8")
    Store(processed).write("coverage", pd.DataFrame({"months_present": [";".join(months)]}))


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
    from assess.store.ingest import ingest

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
    from assess.store.ingest import ingest

    base = tmp_path_factory.getbasetemp()
    root = (base.parent if worker_id != "master" else base) / "real-store"
    with open(base.parent / "real-store.lock" if worker_id != "master" else base / "real-store.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "manifest.json").exists():
            ingest(shared_data, root)
    return root


@pytest.fixture(scope="session")
def demo_ctx(demo_data: DemoData) -> AssessmentContext:
    """The demo CSP and year, shared by the session: a test that changes a context changes a copy
    (``dataclasses.replace(demo_ctx)``, which reads nothing until asked)."""
    from assess.measure.context import load_context

    return load_context(demo_data.csp, demo_data.year, processed_dir=demo_data.processed, raw_dir=demo_data.raw,
                        config_dir=demo_data.config_dir)


@pytest.fixture
def bare_ctx(demo_ctx: AssessmentContext, tmp_path: Path) -> AssessmentContext:
    """The demo context without partner data: its raw folder (``tmp_path / "raw"``) holds nothing
    unless the test writes a partner file there. A fresh copy for each test."""
    return dataclasses.replace(demo_ctx, raw_dir=tmp_path / "raw")


def run_sections(chapter: ModuleType, sections: Sequence[str], ctx: AssessmentContext, output_dir: Path) -> ChapterOutputs:
    """Run the named section functions of a chapter module, as its notebook does, publishing into ``output_dir``;
    what the sections said is in the returned outputs' ``said``."""
    out = ChapterOutputs(output_dir, chapter.CHAPTER, ctx.cfg.suppression_threshold)
    for name in sections:
        getattr(chapter, name)(ctx, out)
    return out


def flags_frame(rows: list[tuple[Any, ...]]) -> Any:
    """A force_flags frame as read_force_flags returns it, from (month, flag, strand, ward_code, count)
    rows, or (month, flag, count) rows for whole-CSP counts without a strand."""
    import pandas as pd

    from assess.periods import financial_year_series

    rows = [r if len(r) == 5 else (r[0], r[1], None, None, r[2]) for r in rows]
    df = pd.DataFrame(rows, columns=["month", "flag", "strand", "ward_code", "count"])
    for c in ("month", "flag", "strand", "ward_code"):
        df[c] = df[c].astype("string")
    df["count"] = df["count"].astype("int64")
    df.insert(1, "financial_year", financial_year_series(df["month"]))
    return df


@dataclass(frozen=True)
class ChapterRun:
    """A chapter notebook executed on the demo data: where it wrote, and what."""

    output_dir: Path
    notebook: Path
    metrics: list[dict[str, Any]]
    findings: list[str]


def run_chapter(notebook_name: str, demo_data: DemoData, tmp_path: Path) -> ChapterRun:
    """Execute ``notebooks/<notebook_name>.ipynb`` with papermill on the demo data, as the bundle does.

    The outputs go to ``tmp_path / "bundle"`` (a test may put other chapters' fragments there
    first) and the executed notebook to its ``notebooks/`` folder. ``metrics`` and ``findings``
    are the chapter's fragments (empty when it wrote none).
    """
    import papermill as pm

    out_dir = tmp_path / "bundle"
    executed = out_dir / "notebooks" / f"{notebook_name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(ROOT / "notebooks" / f"{notebook_name}.ipynb"), str(executed),
        parameters={"csp": demo_data.csp, "year": demo_data.year, "raw_dir": str(demo_data.raw),
                    "processed_dir": str(demo_data.processed), "config_dir": str(demo_data.config_dir),
                    "output_dir": str(out_dir)},
        kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
    )

    def fragment(kind: str) -> list[Any]:
        path = out_dir / kind / f"{notebook_name}.json"
        return json.loads(path.read_text()) if path.exists() else []

    return ChapterRun(out_dir, executed, fragment("metrics"), fragment("findings"))


@pytest.fixture(scope="session")
def demo_bundle(demo_data: DemoData, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The whole demo assessment (every chapter) built once per session with ``run_bundle``, as
    ``assess run`` builds it; shared by the xdist workers of one session (file lock)."""
    from assess.config import find_config
    from assess.report.bundle import run_bundle

    base = tmp_path_factory.getbasetemp()
    root = (base.parent if worker_id != "master" else base) / "demo-bundle"
    root.mkdir(parents=True, exist_ok=True)
    cfg = find_config(demo_data.csp, demo_data.config_dir)
    with open(root.parent / "demo-bundle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done").exists():
            result = run_bundle(
                cfg, demo_data.year, notebooks_dir=ROOT / "notebooks", raw_dir=demo_data.raw,
                processed_dir=demo_data.processed, out_root=root, config_dir=demo_data.config_dir, progress=False,
            )
            assert result.ok, (result.problems, [(r.chapter, r.error) for r in result.failed])
            (root / "done").write_text(str(result.path))
    return Path((root / "done").read_text())
