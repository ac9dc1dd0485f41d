"""The analyst's workbench: the README's papermill line from the project root and from notebooks/,
`assess run` from a folder that is not the project, and the notebooks shipped in the wheel.

Each runs as a user would, as a subprocess, in a project folder of its own whose data is the
session's demo data (tests/workbench.py).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, DemoData
from workbench import BIN, kernel_env, make_project

pytestmark = pytest.mark.e2e

README_PAPERMILL = "papermill notebooks/03_places.ipynb out.ipynb -p csp wessex-vale -p year 2024/25"


def test_the_readme_gives_the_papermill_line() -> None:
    assert f"`{README_PAPERMILL}`" in (ROOT / "README.md").read_text(encoding="utf-8")


def _errors(nb: nbformat.NotebookNode) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.parametrize("where", ["root", "notebooks"])
def test_the_readme_papermill_line_runs_from_the_root_and_from_notebooks(
    where: str, demo_data: DemoData, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "project", demo_data)
    env = kernel_env(tmp_path / "prefix")
    line = README_PAPERMILL if where == "root" else README_PAPERMILL.replace("notebooks/", "", 1)
    cwd = project if where == "root" else project / "notebooks"
    done = subprocess.run(shlex.split(line), cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]

    executed = nbformat.read(cwd / "out.ipynb", as_version=4)
    assert executed.metadata.kernelspec.name == "assess"
    assert _errors(executed) == []
    # the chapter read the project's store and published into the project's reports/_scratch
    scratch = project / "reports" / "_scratch"
    wards = (scratch / "tables" / "03_places__wards.csv").read_text(encoding="utf-8")
    assert wards.count("\n") > 5
    assert json.loads((scratch / "metrics" / "03_places.json").read_text())


def _assess(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "assess"), *args], cwd=cwd, env={**env, "COLUMNS": "200"},
                          capture_output=True, text=True, timeout=900)


def test_assess_run_from_another_folder_needs_no_notebooks_option(demo_data: DemoData, tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_")}
    done = _assess(["run", "--csp", "wessex-vale", "--year", "2024/25", "--chapter", "03_places",
                    "--raw", str(demo_data.raw), "--processed", str(demo_data.processed),
                    "--config-dir", str(demo_data.config_dir), "--out", str(tmp_path / "reports")], elsewhere, env)
    assert done.returncode == 0, done.stdout + done.stderr
    bundle = tmp_path / "reports" / "wessex-vale" / "2024-25"
    assert (bundle / "html" / "03_places.html").exists()
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert Path(manifest["notebooks"]["03_places"]["source"]).parent == (ROOT / "notebooks").resolve()
    lock = manifest["environment"]["lock_file"]
    import hashlib

    assert lock["sha256"] == hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()
    assert list(elsewhere.iterdir()) == []  # nothing written into the folder it ran from


def test_assess_commands_find_the_project_from_a_subfolder(demo_data: DemoData, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", demo_data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_")}
    done = _assess(["csp", "check", "--csp", "wessex-vale", "--year", "2024/25"], project / "notebooks", env)
    assert done.returncode == 0, done.stderr
    assert "Wessex Vale: the most similar group and the comparisons are supported" in " ".join(done.stderr.split())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0 and "Could not find a version" in done.stderr + done.stdout:
        pytest.skip(f"no build backend to be had (no package index?): {done.stderr[-300:]}")
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = out.glob("assess-*.whl")
    return found


def test_the_wheel_ships_every_chapter_notebook_and_the_lock_file(wheel: Path) -> None:
    from assess.registry import load_registry

    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(n.split("/")[0] for n in names if n.endswith(".data/data/share/assess/requirements.lock"))
    share = f"{data}/data/share/assess"
    for chapter in load_registry():
        assert f"{share}/notebooks/{chapter.notebook}" in names
    assert f"{share}/notebooks/chapters.yaml" in names
    assert "assess/cli.py" in names and "assess/sources.yaml" in names


def test_a_wheel_install_runs_a_chapter_from_any_folder(wheel: Path, demo_data: DemoData, tmp_path: Path) -> None:
    """The wheel installed into a new virtualenv (its dependencies taken from this environment, by a
    .pth file after its own site-packages), then `assess run` from an empty folder, no --notebooks."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python3*/site-packages"))
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "pandas").is_dir())
    (site / "zz_dependencies.pth").write_text(f"{deps}\n")
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_") and k != "PYTHONPATH"}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # the dependencies' data files (nbconvert's templates)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
                   check=True, capture_output=True, timeout=300, env=env)
    where = subprocess.run([str(python), "-c", "import assess, assess.registry as r; print(assess.__file__); print(r.default_notebooks_dir())"],
                           capture_output=True, text=True, env=env, timeout=60, check=True).stdout.split("\n")
    assert where[0].startswith(str(venv)), where  # the wheel's assess, not the source tree's
    assert Path(where[1]) == (venv / "share" / "assess" / "notebooks").resolve()

    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run(
        [str(venv / "bin" / "assess"), "run", "--csp", "wessex-vale", "--year", "2024/25", "--chapter", "places",
         "--raw", str(demo_data.raw), "--processed", str(demo_data.processed), "--config-dir", str(demo_data.config_dir),
         "--out", str(tmp_path / "reports")],
        cwd=empty, env={**env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((tmp_path / "reports" / "wessex-vale" / "2024-25" / "manifest.json").read_text())
    assert manifest["notebooks"]["03_places"]["source"].startswith(str(venv.resolve()))
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["environment"]["lock_file"]["sha256"])
