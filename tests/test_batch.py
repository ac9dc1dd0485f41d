"""The batch: every CSP of a store as one Dask task each, on a 2-worker LocalCluster, and its index.

The store is a tiny synthetic nation (benchmarks/national_data.py) of five CSPs, ingested for
real. The chapters are one small notebook written here that reads each CSP's own police.uk
records (through the configuration the batch wrote or found) and publishes their count, so the
index's figures can be checked against the raw files. Of the five CSPs: two are configured from
the lookup, one by a YAML in config/csp (synthetic, with a hostile name), one fails on its
worker (its output folder is blocked by a file) and one has a broken YAML (failed before any
task). The batch runs twice: through `assess run --all` on a LocalCluster the command starts
(2 workers), then on an existing 2-worker cluster by `--scheduler`, which must give the same
index bytes. About 40 s on 2 cores.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from typer.testing import CliRunner

from assess.cli import app
from assess.config import CSPConfig, dump_config
from assess.report import batch as batch_mod
from assess.report.batch import (
    BatchError,
    BatchItem,
    BundleOutcome,
    check_workers,
    default_workers,
    plan_batch,
)
from assess.report.batch_index import batch_index_page
from assess.report.export import audit_html, local_link_targets

ROOT = Path(__file__).resolve().parents[1]
YEAR = "2023/24"
HOSTILE = 'Synthetic <script>alert("x")</script> & Partners'


def national_data():
    spec = importlib.util.spec_from_file_location("national_data", ROOT / "benchmarks" / "national_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("national_data", module)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def write_count_chapter(folder: Path) -> Path:
    """A one-chapter registry whose notebook counts the CSP's police.uk records of the year."""
    folder.mkdir(parents=True)
    (folder / "chapters.yaml").write_text(
        "chapters:\n  - {number: 1, slug: count, title: \"Count: police.uk records\", kind: appendix}\n")
    params = new_code_cell('csp = "x"\nyear = "2023/24"\nraw_dir = "raw"\nprocessed_dir = "processed"\n'
                           'output_dir = "out"\nconfig_dir = "config"')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[
        new_markdown_cell("# Count: police.uk records"),
        params,
        new_code_cell(
            "from assess.measure.context import load_context\n"
            "from assess.report.outputs import ChapterOutputs\n"
            "ctx = load_context(csp, year, processed_dir=processed_dir, raw_dir=raw_dir, config_dir=config_dir)\n"
            'out = ChapterOutputs(output_dir, "01_count")\n'
            "n = len(ctx.street())\n"
            'out.metric({"id": "police_uk_records", "label": "Police.uk records", "chapter": "01_count", "value": n,\n'
            '            "unit": "records", "period": year, "source": "police.uk"})\n'
            'out.say(f"{ctx.cfg.display_name} has {n:,} police.uk records in {year}.")'
        ),
    ])
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
                   "language_info": {"name": "python"}}
    for i, c in enumerate(nb.cells):
        c["id"] = f"count-{i}"
    nbformat.write(nb, folder / "01_count.ipynb")
    return folder


def records_by_csp(raw: Path) -> dict[str, int]:
    """Street records of each CSP, counted from the raw files and lookups (not the store)."""
    lsoa = pd.read_csv(next(raw.glob("Lower_Layer*.csv")), dtype=str)
    lad = pd.read_csv(next(raw.glob("Local_Authority_District_to_Community*.csv")), dtype=str, encoding="utf-8-sig")
    place = lsoa.merge(lad, on="LAD23CD").set_index("LSOA11CD")["CSP23NM"]
    street = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in raw.rglob("*-street.csv")])
    return street["LSOA code"].map(place).value_counts().to_dict()


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from assess.store.ingest import ingest

    root = tmp_path_factory.mktemp("batch")
    nd = national_data()
    land = nd.csp_nation(csps=5, forces=2, seed=3)
    nd.write_csp_nation(root / "raw", land, years=(YEAR,), rows_per_csp_year=120, partner=False, seed=3)
    ingest(root / "raw", root / "processed")
    config = root / "config"
    config.mkdir()
    configured = CSPConfig(name="Synthetic CSP 01", code=str(land.csp[1]), partnership_name=HOSTILE,
                           local_authorities=[{"code": str(land.lad[1]), "name": str(land.lad_name[1])}],
                           police_force={"name": str(land.force_name[0]), "police_uk": land.force_slug(0)}, synthetic=True)
    (config / "synthetic-csp-01.yaml").write_text(dump_config(configured))
    (config / "synthetic-csp-03.yaml").write_text("name: [unclosed\n")
    out = root / "reports"
    out.mkdir()
    (out / "synthetic-csp-02").write_text("a file where the bundle's folder should be\n")
    return SimpleNamespace(root=root, raw=root / "raw", processed=root / "processed", config=config, out=out,
                           notebooks=write_count_chapter(root / "notebooks"), land=land,
                           counts=records_by_csp(root / "raw"))


def cli_args(n: SimpleNamespace, *more: str) -> list[str]:
    return ["run", "--year", YEAR, "--raw", str(n.raw), "--processed", str(n.processed), "--out", str(n.out),
            "--config-dir", str(n.config), "--notebooks", str(n.notebooks), "--jobs", "1", *more]


@pytest.fixture(scope="module")
def batch(nation: SimpleNamespace) -> SimpleNamespace:
    result = CliRunner().invoke(app, cli_args(nation, "--all", "--workers", "2"))
    index = (nation.out / "index.html").read_bytes()
    summary = json.loads((nation.out / "batch.json").read_text(encoding="utf-8"))
    return SimpleNamespace(result=result, index=index, summary=summary,
                           bundles={b["csp"]: b for b in summary["bundles"]})


pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("batch")]


def test_every_csp_is_a_task_and_one_failure_stops_none(batch: SimpleNamespace, nation: SimpleNamespace) -> None:
    assert batch.result.exit_code == 1, batch.result.output  # not every bundle is complete
    assert batch.summary["run"]["workers"] == 2 and batch.summary["run"]["scheduler"] == "LocalCluster"
    assert {k: b["status"] for k, b in batch.bundles.items()} == {
        "synthetic-csp-00": "complete", "synthetic-csp-01": "complete", "synthetic-csp-02": "failed",
        "synthetic-csp-03": "failed", "synthetic-csp-04": "complete",
    }
    assert batch.summary["counts"] == {"complete": 3, "incomplete": 0, "failed": 2}
    blocked = batch.bundles["synthetic-csp-02"]
    assert blocked["error"].startswith(("FileExistsError", "NotADirectoryError")) and "synthetic-csp-02" in blocked["error"]
    assert blocked["worker"], "the failure happened on a worker"
    assert "synthetic-csp-03.yaml" in batch.bundles["synthetic-csp-03"]["error"]
    assert batch.bundles["synthetic-csp-03"]["worker"] is None, "a broken configuration fails before any task"
    built = [b for b in batch.bundles.values() if b["status"] == "complete"]
    assert len({b["worker"] for b in built}) == 2, "the bundles were shared between the two workers"
    assert all(b["peak_rss_mb"] > 50 for b in built)  # a worker and its kernel hold more than this
    assert "2 failed" in batch.result.output and "3 complete" in batch.result.output


def test_each_bundle_is_made_from_its_own_configuration(batch: SimpleNamespace, nation: SimpleNamespace) -> None:
    for slug, name in (("synthetic-csp-00", "Synthetic CSP 00"), ("synthetic-csp-01", "Synthetic CSP 01"),
                       ("synthetic-csp-04", "Synthetic CSP 04")):
        bundle = nation.out / batch.bundles[slug]["path"]
        assert bundle == nation.out / slug / "2023-24"
        # published as every bundle is (assess.atomic.published_directory): a link to its version
        assert bundle.is_symlink() and bundle.resolve().parent == (bundle.parent / ".2023-24.versions").resolve()
        for f in ("index.html", "assessment.pdf", "metrics.json", "manifest.json", "notebooks/01_count.ipynb"):
            assert (bundle / f).is_file(), f"{slug}: {f}"
        metrics = json.loads((bundle / "metrics.json").read_text(encoding="utf-8"))
        assert metrics["meta"]["csp"] == name
        assert [m["value"] for m in metrics["metrics"]] == [nation.counts[name]]
        manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
        configured = slug == "synthetic-csp-01"
        assert manifest["synthetic"] is configured
        expected_dir = nation.config if configured else nation.out / "configs"
        assert Path(manifest["parameters"]["config_dir"]) == expected_dir.resolve()
    generated = sorted(p.name for p in (nation.out / "configs").iterdir())
    assert generated == ["synthetic-csp-00.yaml", "synthetic-csp-02.yaml", "synthetic-csp-04.yaml"]
    assert not (nation.out / "synthetic-csp-02").is_dir(), "the blocking file was left alone"


def test_batch_index_lists_every_bundle_offline_and_escaped(batch: SimpleNamespace, nation: SimpleNamespace) -> None:
    page = nation.out / "index.html"
    text = batch.index.decode("utf-8")
    audit = audit_html(text)
    assert audit.remote == [] and "<script" not in text, "self-contained, no scripts"
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Partners" in text
    assert all(t.exists() for t in local_link_targets(page, audit.links)), "every link resolves"
    # accessible: language, a skip link to the content, a captioned table whose headers say what they head
    assert '<html lang="en-GB">' in text and 'href="#content"' in text and '<main id="content">' in text
    assert "<caption>" in text and not re.search(r"<th(?=[\s>])(?! scope=\"(col|row)\")", text)
    rows = re.findall(r"<tr class=\"(ok|failed)\">(.*?)</tr>", text, re.DOTALL)
    assert len(rows) == 5
    by_code = {str(nation.land.csp[k]): k for k in range(5)}
    for cls, row in rows:
        code = re.search(r"E22\d{6}", row).group(0)
        name = f"Synthetic CSP {by_code[code]:02d}"
        if name in ("Synthetic CSP 02", "Synthetic CSP 03"):
            assert cls == "failed" and "Failed" in row and "not produced" in row
        else:
            assert cls == "ok" and "Complete" in row
            assert f">{nation.counts[name]:,} <span class=\"detail\">records</span>" in row
            assert 'index.html"' in row and 'assessment.pdf"' in row
    assert "Police.uk records</th>" in text
    assert "synthetic data" in text  # the configured CSP is marked synthetic


def test_existing_cluster_gives_the_same_index(batch: SimpleNamespace, nation: SimpleNamespace) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        result = CliRunner().invoke(app, cli_args(nation, "--all", "--scheduler", cluster.scheduler_address))
    assert result.exit_code == 1, result.output
    assert (nation.out / "index.html").read_bytes() == batch.index, "same bundles, same index bytes"
    summary = json.loads((nation.out / "batch.json").read_text(encoding="utf-8"))
    assert summary["run"]["scheduler"] == cluster.scheduler_address and summary["run"]["workers"] == 2


# -- without a cluster -----------------------------------------------------------------------------
def test_plan_resolves_names_codes_and_slugs(nation: SimpleNamespace, tmp_path: Path) -> None:
    code4 = str(nation.land.csp[4])
    plan = plan_batch([YEAR], processed_dir=nation.processed, config_dir=nation.config, out_root=tmp_path,
                      csps=["Synthetic CSP 00", code4, "synthetic-csp-01", "Synthetic CSP 0", "synthetic csp 00",
                            "synthetic-csp-03"])
    assert [(i.cfg.slug, i.configured) for i in plan.items] == [
        ("synthetic-csp-00", False), ("synthetic-csp-04", False), ("synthetic-csp-01", True)]
    assert [o.csp for o in plan.failed] == ["synthetic-csp-0", "synthetic-csp-03"]
    assert "no CSP 'Synthetic CSP 0' in the ONS lookup; did you mean" in plan.failed[0].error
    assert "synthetic-csp-03.yaml: not valid YAML" in plan.failed[1].error, "its own YAML's error, not the lookup's"
    assert any("synthetic-csp-03.yaml" in w for w in plan.warnings)
    assert sorted(p.name for p in (tmp_path / "configs").iterdir()) == ["synthetic-csp-00.yaml", "synthetic-csp-04.yaml"]


def test_plan_refuses_a_slug_that_is_not_a_folder_name(nation: SimpleNamespace, tmp_path: Path) -> None:
    """A configuration whose slug would publish outside --out cannot be read (assess.safe_paths): the
    CSP it is meant for fails naming the field, and nothing is built for it from the lookup instead."""
    config = tmp_path / "config"
    config.mkdir()
    cfg = CSPConfig(name="Synthetic CSP 00", code=str(nation.land.csp[0]), slug="synthetic-csp-00",
                    local_authorities=[{"code": str(nation.land.lad[0]), "name": "x"}],
                    police_force={"name": "x", "police_uk": "x"}, synthetic=True)
    text = dump_config(cfg).replace("slug: synthetic-csp-00", "slug: ../../escape")
    assert "slug: ../../escape" in text
    (config / "synthetic-csp-00.yaml").write_text(text)
    plan = plan_batch([YEAR], processed_dir=nation.processed, config_dir=config, out_root=tmp_path / "out",
                      every_csp=True)
    assert len(plan.items) == 4 and [o.csp for o in plan.failed] == ["synthetic-csp-00"]
    assert "field 'slug'" in plan.failed[0].error and "is not a plain name" in plan.failed[0].error
    assert all(i.cfg.slug != "../../escape" for i in plan.items)


def test_plan_of_a_year_without_data(nation: SimpleNamespace, tmp_path: Path) -> None:
    plan = plan_batch(["2019/20"], processed_dir=nation.processed, config_dir=nation.config, out_root=tmp_path,
                      every_csp=True)
    assert plan.items == [] and plan.failed == []
    assert any("no police.uk street rows for any CSP in 2019/20" in w for w in plan.warnings)


def test_default_workers_share_the_cores_and_the_memory_between_bundles() -> None:
    gib = 2**30
    assert default_workers(jobs=1, cores=2, memory=24 * gib) == 2
    assert default_workers(jobs=2, cores=2, memory=24 * gib) == 1
    assert default_workers(jobs=4, cores=2, memory=24 * gib) == 1
    assert default_workers(jobs=1, cores=16, memory=16 * gib) == 6, "memory for 6 bundles, not 16"
    assert default_workers(jobs=1, cores=8, memory=1 * gib) == 1
    assert default_workers(jobs=1) >= 1


class FakeClient:
    def __init__(self, answers: dict[str, dict]) -> None:
        self.answers = answers

    def run(self, fn, paths):
        return self.answers


def test_workers_that_cannot_build_are_refused(tmp_path: Path) -> None:
    import assess

    ok = {"version": assess.__version__, "missing": [], "python": "py"}
    check_workers(FakeClient({"tcp://a": ok}), [str(tmp_path)])
    with pytest.raises(BatchError, match=r"worker tcp://b cannot see /shared/store.*docs/scaling.md"):
        check_workers(FakeClient({"tcp://a": ok, "tcp://b": {**ok, "missing": ["/shared/store"]}}), [str(tmp_path)])
    with pytest.raises(BatchError, match=r"worker tcp://a has assess 0.0.1"):
        check_workers(FakeClient({"tcp://a": {**ok, "version": "0.0.1"}}), [str(tmp_path)])


def test_run_asks_for_csps_or_all_but_not_both(nation: SimpleNamespace) -> None:
    neither = CliRunner().invoke(app, cli_args(nation))
    both = CliRunner().invoke(app, cli_args(nation, "--all", "--csp", "Synthetic CSP 00"))
    assert neither.exit_code == both.exit_code == 2
    assert "or --all for every CSP" in neither.output and "not both" in both.output


def test_unreachable_scheduler_is_a_clear_error(nation: SimpleNamespace) -> None:
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(app, cli_args(nation, "--csp", "Synthetic CSP 00", "--scheduler", "tcp://127.0.0.1:9"))
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output


def test_index_of_incomplete_and_failed_bundles(tmp_path: Path) -> None:
    bundle = tmp_path / "a" / "2023-24"
    bundle.mkdir(parents=True)
    (bundle / "index.html").write_text("x")
    (bundle / "metrics.json").write_text(json.dumps({"meta": {}, "metrics": [
        {"id": "all_crime", "label": "All crime", "chapter": "01_recorded_crime", "value": 12345, "unit": "crimes",
         "rate": 61.5, "rate_per": 1000, "change_percent": -3.2, "previous_period": "2022/23", "verdict": "down"},
        {"id": "summary_only", "label": "Summary", "chapter": "00_summary", "value": 1},
        {"id": "hate_crime", "label": "Hate crime", "chapter": "08_hate_crime", "value": "<b>many</b>"}]}))
    outcomes = [
        BundleOutcome(csp="a", name="A <b>", code="E22000001", year="2023/24", status="incomplete", path="a/2023-24",
                      failed_chapters={"03_places": "ValueError: <img src=x>"}),
        BundleOutcome(csp="b", name="B", code="E22000002", year="2023/24", status="failed", error="boom"),
    ]
    text = batch_index_page(tmp_path, outcomes, reading=["00_summary"])
    assert "Incomplete" in text and "chapter 03_places failed: ValueError: &lt;img src=x&gt;" in text
    assert "A &lt;b&gt;" in text and "boom" in text
    assert "12,345 <span" in text and "61.5 per 1,000" in text and "-3.2% on 2022/23 (down)" in text
    assert "Summary</th>" not in text, "the summary's own metrics are not headline figures"
    assert "1 of 2 bundles could not be built and 1 is incomplete" in text
    assert "metrics.json: &#39;hate_crime&#39; could not be shown" in text, "a figure that is not a number is reported"
    assert hashlib.sha256(text.encode()).hexdigest() == hashlib.sha256(
        batch_index_page(tmp_path, outcomes, reading=["00_summary"]).encode()).hexdigest()


def test_a_task_that_raises_is_recorded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """build_bundle never raises: an exception in run_bundle becomes a failed outcome with its reason."""
    import assess.report.bundle as bundle_mod

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store went away")

    monkeypatch.setattr(bundle_mod, "run_bundle", broken)
    cfg = CSPConfig(name="X", code="E22000009", local_authorities=[{"code": "E06000009", "name": "X"}],
                    police_force={"name": "X", "police_uk": "x"})
    outcome = batch_mod.build_bundle(
        BatchItem(cfg, YEAR, tmp_path, True), notebooks_dir=str(tmp_path), raw_dir=str(tmp_path),
        processed_dir=str(tmp_path), out_root=str(tmp_path), jobs=1, chapters=None, timeout=None, isolate=False,
        pdf_workers=0,
    )
    assert outcome.status == "failed" and outcome.error.startswith("RuntimeError: the store went away; at ")
    assert outcome.peak_rss_mb and outcome.peak_rss_mb > 10
