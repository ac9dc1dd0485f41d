"""Choosing, ordering and normalising chapter notebooks, and the kernels they run in."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from assess.registry import UnknownChapter
from assess.report import execute
from assess.report.execute import (
    INJECTED_CELL_ID,
    VenvKernelManager,
    discover_chapters,
    execution_phases,
    normalise_executed,
)

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def _touch(folder: Path, *names: str) -> None:
    """Notebooks in ``folder`` and a registry declaring those named like chapters (summary and scorecard last)."""
    lines = ["chapters:"]
    for name in names:
        nbformat.write(new_notebook(), folder / name)
        m = re.fullmatch(r"(\d{2})_([a-z_]+)\.ipynb", name)
        if m:
            phase = {"summary": 3, "scorecard": 2}.get(m.group(2), 1)
            lines.append(f"  - {{number: {int(m.group(1))}, slug: {m.group(2)}, title: {m.group(2)}, phase: {phase}}}")
    (folder / "chapters.yaml").write_text("\n".join(lines) + "\n")


def test_discover_chapters_in_number_order_and_by_any_name(tmp_path: Path) -> None:
    _touch(tmp_path, "03_asb.ipynb", "00_summary.ipynb", "12_scorecard.ipynb", "scratch.ipynb", "1_bad.ipynb")
    assert [p.name for p in discover_chapters(tmp_path)] == ["00_summary.ipynb", "03_asb.ipynb", "12_scorecard.ipynb"]
    assert [p.stem for p in discover_chapters(tmp_path, ["asb", "00", "03_asb"])] == ["00_summary", "03_asb"]
    with pytest.raises(UnknownChapter, match="no chapter 'crime'.*03_asb"):
        discover_chapters(tmp_path, ["crime"])
    with pytest.raises(FileNotFoundError, match="no such notebooks folder"):
        discover_chapters(tmp_path / "missing")


def test_scorecard_then_summary_run_after_the_others(tmp_path: Path) -> None:
    names = ("00_summary.ipynb", "01_crime.ipynb", "02_asb.ipynb", "12_scorecard.ipynb")
    _touch(tmp_path, *names)
    paths = [tmp_path / n for n in names]
    phases = execution_phases(paths)
    assert [[p.stem for p in phase] for phase in phases] == [["01_crime", "02_asb"], ["12_scorecard"], ["00_summary"]]
    assert execution_phases(paths[:1]) == [[paths[0]]]


def test_kernel_is_this_interpreter_whatever_the_kernelspecs() -> None:
    spec = VenvKernelManager(kernel_name="python3").kernel_spec
    assert spec.argv[0] == sys.executable
    assert spec.argv[1:3] == ["-m", "ipykernel_launcher"]
    assert spec.env["PYTHONHASHSEED"] == "0"


def test_a_kernel_talks_over_unix_sockets_in_a_private_folder_removed_at_shutdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                                  request: pytest.FixtureRequest) -> None:
    # over TCP a port chosen free can be taken before the kernel binds it ("Address already in use")
    import json
    import shutil
    import stat
    import tempfile

    from jupyter_core.utils import run_sync

    # a short temporary folder: pytest-xdist's own are too long for a socket's address (104 bytes)
    short = Path(tempfile.mkdtemp(prefix="k", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(short))
    request.addfinalizer(lambda: shutil.rmtree(short, ignore_errors=True))
    km = VenvKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(cwd=str(tmp_path))
    try:
        folder = Path(km.connection_file).parent
        info = json.loads(Path(km.connection_file).read_text())
        assert info["transport"] == "ipc" and folder.parent == short
        assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0, "others can enter the sockets' folder"
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
            reply = run_sync(kc.execute_interactive)("x = 6 * 7", timeout=60, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        assert reply["content"]["status"] == "ok"
        assert any(p.is_socket() for p in folder.iterdir())
        assert not [c for c in info if c.endswith("_port") and info[c] > 100], "TCP ports in the connection file"
    finally:
        run_sync(km.shutdown_kernel)(now=True)
    assert not folder.exists(), "the sockets' folder outlived the kernel"

    deep = tmp_path / ("d" * 60) / ("e" * 60)  # too long for a socket's address: TCP on localhost
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    km = VenvKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(cwd=str(tmp_path))
    try:
        assert json.loads(Path(km.connection_file).read_text())["transport"] == "tcp" and km.ip == "127.0.0.1"
        assert run_sync(km.is_alive)()
    finally:
        run_sync(km.shutdown_kernel)(now=True)
    assert list(deep.iterdir()) == [], "a folder made for sockets was left"


def test_normalise_fixes_injected_id_and_drops_timings(tmp_path: Path) -> None:
    source = tmp_path / "01_crime.ipynb"
    nb = new_notebook()
    cells = [new_markdown_cell("# Crime"), new_code_cell("x = 1")]
    for i, c in enumerate(cells):
        c["id"] = f"src-{i}"
    nb.cells = cells
    nbformat.write(nb, source)
    executed = tmp_path / "out.ipynb"
    injected = new_code_cell("csp = 'demo'")
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells = [cells[0], injected, cells[1]]
    for c in nb.cells:
        c.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "end_time": "x", "duration": 1.0, "status": "completed"}
        c.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    nb.metadata["papermill"] = {"start_time": "t", "end_time": "t", "duration": 2.0, "input_path": "a",
                                "output_path": "/tmp/.2023-24.abc.tmp/notebooks/x.ipynb", "parameters": {"csp": "demo"}}
    nbformat.write(nb, executed)
    normalise_executed(executed, source)
    out = nbformat.read(executed, as_version=4)
    assert [c.id for c in out.cells] == ["src-0", INJECTED_CELL_ID, "src-1"]
    assert all(set(c.metadata["papermill"]) == {"status"} and "execution" not in c.metadata for c in out.cells)
    assert out.metadata["papermill"] == {"parameters": {"csp": "demo"}}
    assert ".tmp" not in executed.read_text(encoding="utf-8")


def test_error_summary_is_one_line() -> None:
    class Fake(Exception):
        ename, evalue, exec_count = "ValidationError", "3 validation errors\nchapter\n  Field required", 6

    assert execute._error_summary(Fake()) == "ValidationError: 3 validation errors (cell In [6])"
    assert execute._error_summary(RuntimeError("Kernel died\nmore")) == "RuntimeError: Kernel died"
    assert len(execute._error_summary(RuntimeError("x" * 1000))) == 300


def test_fixture_chapters_have_fixed_cell_ids() -> None:
    for path in discover_chapters(FIXTURES):
        nb = nbformat.read(path, as_version=4)
        assert all(c.get("id") for c in nb.cells), path
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), path


def _chapter(path: Path, *sources: str) -> Path:
    nb = new_notebook(cells=[new_code_cell("x = None", metadata={"tags": ["parameters"]}, id="params")]
                      + [new_code_cell(s, id=f"c{i}") for i, s in enumerate(sources)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_a_reused_kernel_starts_each_chapter_afresh_and_survives_a_dead_kernel(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _chapter(src / "01_leaks.ipynb", "leaked = 42", "import os; os.chdir('/')")
    _chapter(src / "02_clean.ipynb", "assert 'leaked' not in globals(), 'namespace not reset'",
             "import os; assert os.getcwd() == str(_cwd), os.getcwd()".replace("str(_cwd)", repr(str(tmp_path / "out"))))
    _chapter(src / "03_dies.ipynb", "import os; os._exit(1)")
    _chapter(src / "04_after.ipynb", "print('still here')")
    runs = execute.execute_chapters(sorted(src.glob("*.ipynb")), tmp_path / "out", {"x": 1}, jobs=1, progress=False, timeout=60)
    status = {r.chapter: r.status for r in runs}
    assert status == {"01_leaks": "ok", "02_clean": "ok", "03_dies": "failed", "04_after": "ok"}, [r.error for r in runs]
    # execution counts start at 1 in every chapter, as in a fresh kernel
    nb = nbformat.read(tmp_path / "out" / "02_clean.ipynb", as_version=4)
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3, 4]  # parameters, injected, 2 cells


def test_a_kernel_is_reused_when_the_output_folder_is_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `assess run --out reports` gives a relative folder: resetting the kernel must not fail on it
    src = tmp_path / "src"
    src.mkdir()
    for name in ("01_a", "02_b"):
        _chapter(src / f"{name}.ipynb", "import os; open('pids.txt', 'a').write(f'{os.getpid()}\\n')")
    monkeypatch.chdir(tmp_path)
    runs = execute.execute_chapters(sorted(src.glob("*.ipynb")), Path("out"), {"x": 1}, jobs=1, progress=False, timeout=60)
    assert [r.status for r in runs] == ["ok", "ok"], [r.error for r in runs]
    pids = (tmp_path / "out" / "pids.txt").read_text().split()
    assert len(pids) == 2 and pids[0] == pids[1], "each chapter got a kernel of its own"


def test_chapters_run_one_at_a_time_share_one_kernel_whichever_worker_runs_them(tmp_path: Path) -> None:
    # a rerun that executes one chapter of each phase (the rest reused from the cache) starts one
    # kernel, not one per worker thread; chapters running at once still get a kernel each
    src = tmp_path / "src"
    src.mkdir()
    record = "import os; open('pids.txt', 'a').write(f'{os.getpid()}\\n')"
    names = ("01_a", "02_b", "03_c", "12_scorecard", "00_summary")
    for name in names:
        _chapter(src / f"{name}.ipynb", record)
    _touch_registry = ["chapters:"] + [
        f"  - {{number: {int(n[:2])}, slug: {n[3:]}, title: {n[3:]}, phase: {3 if n.endswith('summary') else 2 if n.endswith('scorecard') else 1}}}"
        for n in names
    ]
    (src / "chapters.yaml").write_text("\n".join(_touch_registry) + "\n")
    sources = [src / f"{n}.ipynb" for n in names]
    out = tmp_path / "out"

    def reuse(source: Path, executed_dir: Path) -> execute.ChapterRun | None:
        if source.stem in ("01_a", "02_b"):  # "cached": not executed
            return execute.ChapterRun(source.stem, source, executed_dir / source.name, "ok", 0.0, cached=True)
        return None

    runs = execute.execute_chapters(sources, out, {"x": 1}, jobs=2, progress=False, timeout=60,
                                    phases=execute.execution_phases(sources), reuse=reuse)
    assert [r.status for r in runs] == ["ok"] * 5, [r.error for r in runs]
    pids = (out / "pids.txt").read_text().split()
    assert len(pids) == 3 and len(set(pids)) == 1, pids


def test_a_kept_kernel_loses_no_output_between_chapters(tmp_path: Path) -> None:
    # the kept kernel's clients are ready without waiting for IOPub to fall silent
    # (assess.report.kernel.ReadyClient): every output of every chapter still reaches its notebook
    from assess.report.kernel import ReadyClient, VenvKernelManager

    assert isinstance(VenvKernelManager(kernel_name=execute.KERNEL_NAME).client(), ReadyClient)
    src = tmp_path / "src"
    src.mkdir()
    for i in range(1, 7):
        _chapter(src / f"{i:02d}_c.ipynb", f"print('first {i}')", f"from IPython.display import display, HTML; display(HTML('<b>{i}</b>'))",
                 f"import sys; print('last {i}', file=sys.stderr); {i} * 7")
    runs = execute.execute_chapters(sorted(src.glob("*.ipynb")), tmp_path / "out", {"x": 1}, jobs=1, progress=False, timeout=60)
    assert [r.status for r in runs] == ["ok"] * 6, [r.error for r in runs]
    for i in range(1, 7):
        cells = [c for c in nbformat.read(tmp_path / "out" / f"{i:02d}_c.ipynb", as_version=4).cells if c.cell_type == "code"]
        outputs = [o for c in cells[-3:] for o in c.outputs]
        # a stream may come in pieces (print writes its text and its end apart): joined by stream
        streams = {name: "".join(o.text for o in outputs if o.output_type == "stream" and o.name == name)
                   for name in ("stdout", "stderr")}
        assert streams == {"stdout": f"first {i}\n", "stderr": f"last {i}\n"}, (i, outputs)
        assert [o.data["text/html"] for o in outputs if o.output_type == "display_data"] == [f"<b>{i}</b>"], (i, outputs)
        assert [o.data["text/plain"] for o in outputs if o.output_type == "execute_result"] == [str(i * 7)], (i, outputs)


def test_kernels_started_ahead_are_warm_and_run_chapters_in_their_folder(tmp_path: Path) -> None:
    # `assess run` starts kernels while it checks its inputs (KernelPool.prestart): a chapter
    # then runs in one of them, its imports made, in the run's own folder, and none is left running
    src = tmp_path / "src"
    src.mkdir()
    record = ("import os, sys; open('seen.txt', 'a').write("
              "f\"{os.getpid()} {'assess.chapters.common' in sys.modules} {os.getcwd()}\\n\")")
    for name in ("01_a", "02_b"):
        _chapter(src / f"{name}.ipynb", record)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pool = execute.KernelPool()
    pool.prestart(1, elsewhere)
    try:
        out = tmp_path / "out"
        runs = execute.execute_chapters(sorted(src.glob("*.ipynb")), out, {"x": 1}, jobs=1, progress=False,
                                        timeout=60, kernels=pool)
        assert [r.status for r in runs] == ["ok", "ok"], [r.error for r in runs]
        assert len(pool.started) == 1, "a kernel was started beside the one started ahead"
        launcher_pid = pool.started[0].km.provisioner.pid  # the kernel, or its launcher (assess.report.zygote)
        seen = [line.split(" ", 2) for line in (out / "seen.txt").read_text().splitlines()]
        kernel_pid = int(seen[0][0])
        assert seen == [[str(kernel_pid), "True", str(out.resolve())]] * 2
        zygote = pool.zygote
        assert (zygote is not None) == (kernel_pid != launcher_pid)
    finally:
        pool.shutdown()
    assert pool.started == [] and pool.zygote is None
    for pid in (kernel_pid, launcher_pid, *([zygote.pid] if zygote else [])):
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} left running"


def test_a_ready_client_waits_for_iopub_then_takes_only_what_it_holds() -> None:
    # ReadyClient asks for the kernel's info until a message on IOPub shows it connected, as
    # jupyter_client does, and then takes the messages already there without waiting for silence
    import asyncio
    from queue import Empty

    from assess.report.kernel import ReadyClient

    class Channel:
        def __init__(self, script: list) -> None:  # each get_msg takes the next: a message, or Empty
            self.script, self.waits = script, []

        async def get_msg(self, timeout: float | None = None) -> dict:
            self.waits.append(timeout)
            if not self.script or self.script[0] is Empty:
                if self.script:
                    self.script.pop(0)
                raise Empty
            return self.script.pop(0)

        async def msg_ready(self) -> bool:
            return bool(self.script) and self.script[0] is not Empty

    def reply(ask: int) -> dict:
        return {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": f"ask-{ask}"}, "content": {"protocol_version": "5.3"}}

    status = {"msg_type": "status"}
    later = {"msg_type": "execute_reply", "parent_header": {"msg_id": "someone else's"}}
    # the first reply comes late, so each ask takes the reply to the one before; the reply to
    # the last is taken before returning, and the message after it is left for its reader
    shell = Channel([Empty, reply(1), reply(2), reply(3), later])
    iopub = Channel([Empty, status, status, status])  # IOPub not yet connected once, then the kernel's status

    class Fake(ReadyClient):
        asked = 0
        shell_channel = property(lambda self: shell)  # type: ignore[assignment]
        iopub_channel = property(lambda self: iopub)  # type: ignore[assignment]

        def kernel_info(self) -> str:
            type(self).asked += 1
            return f"ask-{type(self).asked}"

        async def is_alive(self) -> bool:  # type: ignore[override]
            return True

    asyncio.run(Fake().wait_for_ready(timeout=10))
    assert Fake.asked == 3, "asked again until IOPub answered"
    assert shell.script == [later], "every reply to an ask taken, nothing after it"
    assert iopub.script == [] and iopub.waits == [0.2, 0.2, 0, 0], "the messages there taken, no wait for silence"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kernels are forked only on POSIX systems")
def test_chapters_run_two_at_a_time_in_kernels_forked_from_one_zygote_and_one_at_a_time_without(tmp_path: Path) -> None:
    # two kernels share one process's imports (assess.report.zygote); one kernel alone is started itself
    record = "import os; open('pids.txt', 'a').write(f'{os.getpid()} {os.getppid()}\\n')"
    for jobs, names in ((2, ("01_a", "02_b", "03_c", "04_d")), (1, ("01_a", "02_b"))):
        src, out = tmp_path / f"src{jobs}", tmp_path / f"out{jobs}"
        src.mkdir()
        for name in names:
            _chapter(src / f"{name}.ipynb", record, "import time; time.sleep(0.5)")
        runs = execute.execute_chapters(sorted(src.glob("*.ipynb")), out, {"x": 1}, jobs=jobs, progress=False, timeout=60)
        assert [r.status for r in runs] == ["ok"] * len(names), [r.error for r in runs]
        pairs = {tuple(line.split()) for line in (out / "pids.txt").read_text().splitlines()}
        kernels, parents = {p for p, _ in pairs}, {pp for _, pp in pairs}
        if jobs == 2:
            assert len(kernels) == 2 and len(parents) == 1 and str(os.getpid()) not in parents, pairs
        else:
            assert len(kernels) == 1 and parents == {str(os.getpid())}, pairs
