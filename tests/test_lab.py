"""JupyterLab as `make lab` starts it, and the exploration workflow in a real browser.

- `make lab` itself (the Makefile's recipe, with this interpreter's environment standing in for
  .venv) starts a server that answers, as root too (--allow-root only then), and is stopped.
- JupyterLab started by the same helper (python -m assess.lab) on a project folder with the demo
  data, driven by Playwright for Python with the system Chromium (no browser download): open a
  chapter notebook, Run All Cells, save; no cell errored and the charts rendered.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, DemoData
from workbench import BIN, make_project

from assess.lab import KERNEL_NAME, is_root, lab_command

CHROMIUM = shutil.which("chromium")
ARTIFACTS = ROOT / "test-artifacts"


def test_allow_root_only_as_root() -> None:
    assert "--allow-root" in lab_command(Path("nb"), root=True)
    assert "--allow-root" not in lab_command(Path("nb"), root=False)
    command = lab_command(Path("nb"), port=9999, token="t", open_browser=False, root=False)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert {"--ServerApp.port=9999", "--IdentityProvider.token=t", "--no-browser",
            f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}", "--ServerApp.root_dir=nb"} <= set(command)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(port: int, token: str, process: subprocess.Popen, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"JupyterLab exited {process.returncode}:\n{out[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as r:
                return json.loads(r.read())
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"JupyterLab did not answer on port {port} within {timeout} s")


@contextlib.contextmanager
def _server(command: list[str], cwd: Path, env: dict[str, str], port: int, token: str) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        _wait_for_server(port, token, process)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # its own session: make, the shell and JupyterLab
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _lab_env(tmp_path: Path) -> dict[str, str]:
    """No user state: a fresh config, runtime and workspace folder; all of a notebook's cells in the page."""
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    announcements = tmp_path / "lab-settings" / "@jupyterlab" / "apputils-extension"
    announcements.mkdir(parents=True)
    (announcements / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_")}
    env.update({
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    return env


def _cmdline(pid: int) -> list[str]:
    """A process's argv; empty when it has exited since it was listed (make's short-lived shells do)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except (FileNotFoundError, ProcessLookupError):
        return []


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    kids = [int(p) for p in out]
    return kids + [d for k in kids for d in _descendants(k)]


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_starts_answers_and_stops(tmp_path: Path) -> None:
    port, token = _free_port(), "make-lab-test"
    command = ["make", "--no-print-directory", "-o", ".venv/.installed", "lab", f"BIN={BIN}",
               f"LAB_ARGS=--port {port} --token {token} --no-browser"]
    with _server(command, ROOT, _lab_env(tmp_path), port, token) as make:
        lab = [p for p in _descendants(make.pid) if "jupyterlab" in _cmdline(p)]
        assert lab, "no JupyterLab process under make"
        argv = _cmdline(lab[0])
        assert ("--allow-root" in argv) == is_root()
        assert f"--ServerApp.root_dir={(ROOT / 'notebooks').resolve()}" in argv
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}", timeout=10) as r:
            specs = json.loads(r.read())
        assert specs["default"] == KERNEL_NAME and KERNEL_NAME in specs["kernelspecs"]
    assert make.returncode is not None


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.skipif(CHROMIUM is None, reason="needs the Debian chromium on PATH (apt-get install chromium)")
def test_a_chapter_runs_in_jupyterlab_in_a_real_browser(demo_data: DemoData, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python (pip install playwright)")
    project = make_project(tmp_path / "project", demo_data)
    port, token = _free_port(), "browser-test"
    command = [sys.executable, "-m", "assess.lab", "--port", str(port), "--token", token, "--no-browser"]
    notebook = project / "notebooks" / "03_places.ipynb"
    before = notebook.stat().st_mtime_ns
    with _server(command, project, _lab_env(tmp_path), port, token), sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}", timeout=90_000)
            page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=90_000)
            # JupyterLab asks which kernel to start, with the notebook's own ("assess") chosen: accept it
            select = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
            with contextlib.suppress(sync_api.TimeoutError):
                select.wait_for(state="visible", timeout=20_000)
            if select.is_visible():
                assert page.locator(".jp-Dialog select").input_value() == KERNEL_NAME
                select.click()
            page.wait_for_selector(f".jp-Toolbar-kernelName:has-text('{KERNEL_NAME}')", timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.locator("li[data-command='runmenu:run-all']").click()
            code_cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").count()
            page.wait_for_function(
                """n => {
                    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
                    return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
                }""", arg=code_cells, timeout=120_000)
            images = page.evaluate(
                "[...document.querySelectorAll('.jp-OutputArea-output img')].map(i => ({w: i.naturalWidth, alt: i.alt}))")
            page.keyboard.press("Control+s")
            deadline = time.monotonic() + 30
            while notebook.stat().st_mtime_ns == before and time.monotonic() < deadline:
                time.sleep(0.25)
        finally:
            ARTIFACTS.mkdir(exist_ok=True)  # what the browser showed, kept for a reader (git-ignored)
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "jupyterlab-03_places.png"), full_page=True)
            browser.close()
    assert images and all(i["w"] > 0 for i in images), f"charts did not render: {images}"
    saved = nbformat.read(notebook, as_version=4)
    assert saved.metadata.kernelspec.name == KERNEL_NAME
    cells = [c for c in saved.cells if c.cell_type == "code"]
    assert len(cells) == code_cells and all(c.execution_count for c in cells)
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for c in cells for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert (project / "reports" / "_scratch" / "tables" / "03_places__wards.csv").exists()
