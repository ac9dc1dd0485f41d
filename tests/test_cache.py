"""Incremental runs (assess.report.cache, assess.reads): a chapter is executed again exactly when an
input it read, its notebook, the code or the parameters changed; the bundle is otherwise assembled
from cached parts, byte for byte as a fresh run makes it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

import assess
from assess import reads
from assess.report import cache as cache_mod
from assess.report.bundle import BundleResult, run_bundle

ROOT = Path(__file__).resolve().parents[1]
#: Two first-phase chapters that read different partner files and tables, and the summary (phase 3).
CHAPTERS = ["05_offenders", "06_young_people", "00_summary"]

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("cache")]


# -- the recorder ----------------------------------------------------------------------------------
def test_the_recorder_keeps_what_is_opened_listed_and_tested_under_its_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, elsewhere, out = tmp_path / "raw", tmp_path / "elsewhere", tmp_path / "out"
    for d in (raw / "partner", elsewhere, out):
        d.mkdir(parents=True)
    (raw / "partner" / "a.csv").write_text("x\n")
    (elsewhere / "b.csv").write_text("y\n")
    monkeypatch.setenv(reads.ENV, "1")
    reads.begin(raw)
    (raw / "partner" / "a.csv").read_text()
    (elsewhere / "b.csv").read_text()
    (raw / "partner" / "written.csv").write_text("z\n")  # written, not read: not an input
    sorted((raw / "partner").iterdir())
    reads.exists(raw / "partner" / "absent.csv")
    reads.table(tmp_path / "processed", "street")
    reads.bind(out, "05_offenders")
    (raw / "partner" / "written.csv").read_bytes()  # after bind: written to the record at once
    recorded = reads.load(out / reads.READS_DIR / "05_offenders.json")
    reads.end()
    (raw / "partner" / "a.csv").read_text()  # not recorded any more
    assert set(recorded) == {
        ("read", str(raw / "partner" / "a.csv")),
        ("list", str(raw / "partner")),
        ("exists", str(raw / "partner" / "absent.csv")),
        ("table", str(tmp_path / "processed"), "street"),
        ("read", str(raw / "partner" / "written.csv")),
    }
    assert reads.load(out / reads.READS_DIR / "05_offenders.json") == recorded


def test_outside_a_chapter_kernel_nothing_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(reads.ENV, raising=False)
    (tmp_path / "a.csv").write_text("x\n")
    reads.begin(tmp_path)
    (tmp_path / "a.csv").read_text()
    reads.bind(tmp_path / "out", "05_offenders")
    assert not (tmp_path / "out").exists()


def test_a_record_that_is_not_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(json.dumps({"reads": [["delete", "/x"]]}))
    with pytest.raises(ValueError, match="not a read"):
        reads.load(tmp_path / "r.json")


# -- checksums and keys ----------------------------------------------------------------------------
def test_checksums_are_remembered_only_for_files_not_changed_just_now(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("one\n")
    sums = cache_mod.Checksums(tmp_path / "sums.json")
    first = sums.of(f)
    assert first == hashlib.sha256(b"one\n").hexdigest()
    assert str(f) not in sums.known  # changed within RACY_SECONDS: hashed again next time
    old = time.time() - 60
    os.utime(f, (old, old))
    time.sleep(0.01)
    sums = cache_mod.Checksums(tmp_path / "sums.json")
    assert sums.of(f) == first
    sums.save()
    f.write_text("two\n")  # same size, new bytes: its times and so its stamp change
    assert cache_mod.Checksums(tmp_path / "sums.json").of(f) == hashlib.sha256(b"two\n").hexdigest()
    (tmp_path / "sums.json").write_text("{not json")
    assert cache_mod.Checksums(tmp_path / "sums.json").of(f) == hashlib.sha256(b"two\n").hexdigest()


def test_the_key_changes_with_the_parameters_the_code_and_the_environment(demo_data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assess.registry import load_registry

    registry = load_registry(ROOT / "notebooks")
    sources = [registry.notebook_path(c) for c in registry.select(CHAPTERS)]

    def key(parameters: dict, environment: dict | None = None) -> str:
        c = cache_mod.BundleCache.open(tmp_path, "x", "2024-25", registry, sources, parameters,
                                       environment=environment or {"packages": {"pandas": "3.0"}})
        return c.chapter_key("05_offenders")

    base = {"csp": "wessex-vale", "year": "2024/25", "raw_dir": "/data/raw"}
    assert key(base) == key(dict(base))
    assert key({**base, "raw_dir": "/data/other"}) != key(base)
    assert key(base, {"packages": {"pandas": "3.1"}}) != key(base)
    before = key(base)
    monkeypatch.setattr(assess, "__version__", assess.__version__ + ".post1")
    assert key(base) != before


# -- end to end: which chapters run again ----------------------------------------------------------
def _hashes(bundle: Path) -> dict[str, str]:
    return {p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(bundle.rglob("*")) if p.is_file() and p.name != "manifest.json"}


@pytest.fixture(scope="module")
def state(demo_data, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Copies of the demo inputs, configuration and notebooks, and a first (fresh) bundle of CHAPTERS."""
    base = tmp_path_factory.mktemp("cache")
    shutil.copytree(demo_data.raw, base / "raw")
    shutil.copytree(demo_data.processed, base / "processed", symlinks=True)
    shutil.copytree(demo_data.config_dir, base / "config")
    shutil.copytree(ROOT / "notebooks", base / "notebooks")
    s = SimpleNamespace(base=base, raw=base / "raw", processed=base / "processed", config=base / "config",
                        notebooks=base / "notebooks", out=base / "reports", csp=demo_data.csp, year=demo_data.year)
    first = build(s)
    assert first.ok, (first.problems, [(r.chapter, r.error) for r in first.failed])
    assert executed(first) == set(CHAPTERS)
    s.fresh = _hashes(first.path)
    return s


def build(s: SimpleNamespace, **kwargs: object) -> BundleResult:
    from assess.config import find_config

    cfg = find_config(s.csp, s.config)
    return run_bundle(cfg, s.year, notebooks_dir=s.notebooks, raw_dir=s.raw, processed_dir=s.processed,
                      out_root=s.out, config_dir=s.config, chapters=CHAPTERS, progress=False, **kwargs)


def executed(result: BundleResult) -> set[str]:
    return {r.chapter for r in result.chapters if not r.cached}


@contextmanager
def changed(path: Path, edit) -> Iterator[None]:
    """``path`` rewritten by ``edit(text) -> text`` for the duration, then restored byte for byte."""
    before = path.read_bytes()
    path.write_text(edit(before.decode("utf-8")), encoding="utf-8")
    try:
        yield
    finally:
        path.write_bytes(before)


def summary_expected(result: BundleResult, changed_chapters: set[str], s: SimpleNamespace) -> set[str]:
    """The chapters that must have run: those changed, and the summary if their outputs differ now."""
    bundle = _hashes(result.path)
    differs = any(bundle.get(rel) != sha for rel, sha in s.fresh.items()
                  if any(rel.split("/")[-1].startswith((c + ".", c + "__")) for c in changed_chapters))
    return changed_chapters | ({"00_summary"} if differs else set())


def baseline(s: SimpleNamespace) -> None:
    """Every chapter reusable again (a test before may have pushed an entry out)."""
    build(s)


def test_an_unchanged_rerun_reuses_everything_byte_for_byte(state: SimpleNamespace) -> None:
    baseline(state)
    again = build(state)
    assert executed(again) == set() and again.ok
    assert _hashes(again.path) == state.fresh
    manifest = json.loads((again.path / "manifest.json").read_text())
    assert all(c["cached"] for c in manifest["chapters"])
    assert manifest["outputs_sha256"] == state.fresh


def test_a_bundle_reused_whole_closes_the_layout_worker_made_ahead_for_it(state: SimpleNamespace) -> None:
    from assess.report.pdf import LayoutWorker

    baseline(state)
    ahead = LayoutWorker(start=False)  # as `assess run` makes one while it checks its inputs
    again = build(state, layout=ahead)
    assert executed(again) == set() and again.ok
    assert ahead._proc.poll() is not None, "the layout worker made for no PDF is still running"


def test_force_executes_every_chapter_and_gives_the_same_bytes(state: SimpleNamespace) -> None:
    forced = build(state, force=True)
    assert executed(forced) == set(CHAPTERS)
    assert _hashes(forced.path) == state.fresh
    after = build(state)  # what --force made is stored: the next run reuses it all
    assert executed(after) == set() and after.timings.keys() == {"total"}


def test_a_changed_partner_file_reruns_the_chapters_that_read_it(state: SimpleNamespace) -> None:
    baseline(state)
    offenders = state.raw / "partner" / "offenders.csv"

    def reoffend_less(text: str) -> str:
        lines = text.splitlines(keepends=True)
        i = next(i for i, line in enumerate(lines) if ",yes," in line and line.startswith("2024/25"))
        lines[i] = lines[i].replace(",yes,", ",no,", 1)
        return "".join(lines)

    from assess.store.ingest import ingest

    with changed(offenders, reoffend_less):
        ingest(state.raw, state.processed)  # partner files are stored by ingest, as a user runs it
        run = build(state)
        assert run.ok
        assert executed(run) == summary_expected(run, {"05_offenders"}, state)
        assert "06_young_people" not in executed(run)
    ingest(state.raw, state.processed)
    assert executed(build(state)) == set()  # changed back: the first entries are found again


def test_a_changed_narrative_file_reruns_its_chapter_and_the_summary(state: SimpleNamespace) -> None:
    baseline(state)
    account = state.raw / "partner" / "narrative" / "06_young_people.md"
    with changed(account, lambda t: t.rstrip("\n") + "\n\nThe panel met twice more in March.\n"):
        run = build(state)
        assert run.ok
        assert executed(run) == {"06_young_people", "00_summary"}  # the summary reads every account


def test_a_changed_store_table_reruns_only_its_readers(state: SimpleNamespace) -> None:
    from assess.store.ingest import ingest

    baseline(state)
    households = state.raw / "population" / "households-lad-2023.csv"
    processed_before = state.base / "processed-before"
    shutil.copytree(state.processed, processed_before, symlinks=True)

    def more_households(text: str) -> str:
        lines = text.splitlines(keepends=True)
        head, *rows = lines
        last = rows[-1].rstrip("\n").split(",")
        last[-1] = str(int(float(last[-1])) + 1000)
        return "".join([head, *rows[:-1], ",".join(last) + "\n"])

    try:
        with changed(households, more_households):
            ingest(state.raw, state.processed)
            run = build(state)
        assert run.ok
        # 06 reads the population table, 05 does not
        assert executed(run) == summary_expected(run, {"06_young_people"}, state)
    finally:
        shutil.rmtree(state.processed)
        shutil.copytree(processed_before, state.processed, symlinks=True)
        shutil.rmtree(processed_before)


def test_a_changed_configuration_reruns_every_chapter(state: SimpleNamespace) -> None:
    baseline(state)
    config = state.config / f"{state.csp}.yaml"
    with changed(config, lambda t: t + "\n# reviewed by the analyst\n"):
        assert executed(build(state)) == set(CHAPTERS)


def test_a_changed_notebook_reruns_its_chapter(state: SimpleNamespace) -> None:
    baseline(state)
    notebook = state.notebooks / "06_young_people.ipynb"

    def retitle(text: str) -> str:
        nb = json.loads(text)
        nb["cells"][0]["source"] = [*nb["cells"][0]["source"], "\n", "Read with the youth offending team."]
        return json.dumps(nb, indent=1) + "\n"

    with changed(notebook, retitle):
        run = build(state)
        assert run.ok
        assert executed(run) == summary_expected(run, {"06_young_people"}, state)
        assert "05_offenders" not in executed(run)


def test_a_new_package_version_reruns_every_chapter(state: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    baseline(state)
    monkeypatch.setattr(assess, "__version__", assess.__version__ + ".post1")
    assert executed(build(state)) == set(CHAPTERS)


def test_a_damaged_or_deleted_cache_is_ignored_and_rebuilt(state: SimpleNamespace) -> None:
    baseline(state)
    slot = state.out / cache_mod.CACHE_DIR / state.csp / state.year.replace("/", "-")
    shutil.rmtree(slot / "bundle")
    for entry in (slot / "06_young_people").iterdir():  # every entry of one chapter cut short
        for f in (entry / cache_mod.FILES).rglob("*.json"):
            f.write_bytes(f.read_bytes()[:10])
    run = build(state)
    assert executed(run) == {"06_young_people"}
    assert _hashes(run.path) == state.fresh
    shutil.rmtree(state.out / cache_mod.CACHE_DIR)
    assert executed(build(state)) == set(CHAPTERS)
    assert executed(build(state)) == set()
