"""Chapter kernels forked from a zygote (assess.report.zygote): the same kernel as one started
afresh, interrupted and stopped as jupyter_client expects, and an ordinary kernel when no zygote answers."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_core.utils import run_sync

from assess.report import zygote
from assess.report.execute import KERNEL_ENV, KERNEL_NAME
from assess.report.kernel import VenvKernelManager

pytestmark = [pytest.mark.skipif(not zygote.supported(), reason="kernels are forked only on POSIX systems"),
              pytest.mark.xdist_group("kernels")]


@pytest.fixture(scope="module")
def forker() -> Iterator[zygote.Zygote]:
    z = zygote.Zygote({**os.environ, **KERNEL_ENV})
    yield z
    z.close()
    assert not z.folder.exists(), "the zygote's socket folder was left behind"


def _start(launcher: list[str], cwd: Path) -> Any:
    km = VenvKernelManager(kernel_name=KERNEL_NAME, launcher=launcher)
    run_sync(km.start_kernel)(cwd=str(cwd))
    return km


def _run(km: Any, code: str, timeout: float = 60) -> tuple[dict[str, Any], str]:
    kc = km.client()
    kc.start_channels()
    out: list[str] = []
    try:
        run_sync(kc.wait_for_ready)(timeout=60)
        reply = run_sync(kc.execute_interactive)(
            code, timeout=timeout,
            output_hook=lambda m: out.append(m["content"]["text"]) if m["msg_type"] == "stream" else None,
        )
    finally:
        kc.stop_channels()
    return reply["content"], "".join(out)


def _gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except FileNotFoundError:
            return True
        if state == "Z":  # exited, waiting for its parent to collect it
            return True
        time.sleep(0.05)
    return False


PROBE = ("import os, sys, json, matplotlib; print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), "
         "'cwd': os.getcwd(), 'hash_seed_fixed': sys.flags.hash_randomization == 0, "
         "'reads': os.environ.get('ASSESS_RECORD_READS'), 'preloaded': 'scipy.stats' in sys.modules, "
         "'backend': matplotlib.get_backend(), 'path0': sys.path[0]}))")


def test_a_forked_kernel_is_the_kernel_a_fresh_start_gives_with_its_imports_made(forker: zygote.Zygote, tmp_path: Path) -> None:
    import json

    fresh = _start([], tmp_path)
    forked = _start(forker.kernel_argv(), tmp_path)
    try:
        seen = {}
        for name, km in (("fresh", fresh), ("forked", forked)):
            reply, text = _run(km, PROBE)
            assert reply["status"] == "ok", reply
            seen[name] = json.loads(text)
    finally:
        for km in (fresh, forked):
            run_sync(km.shutdown_kernel)()
    assert seen["forked"]["ppid"] == forker.pid, "the kernel was not forked by the zygote"
    assert seen["fresh"]["preloaded"] is False and seen["forked"]["preloaded"] is True
    for key in ("cwd", "hash_seed_fixed", "reads", "backend", "path0"):
        assert seen["forked"][key] == seen["fresh"][key], key
    assert seen["forked"]["cwd"] == str(tmp_path) and seen["forked"]["hash_seed_fixed"]
    assert _gone(seen["forked"]["pid"]), "a kernel shut down is still running"


def test_a_forked_kernel_is_interrupted_and_dies_with_its_launcher(forker: zygote.Zygote, tmp_path: Path) -> None:
    km = _start(forker.kernel_argv(), tmp_path)
    try:
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=60)
        started = time.monotonic()
        kc.execute("import time; time.sleep(60)")
        time.sleep(1)
        run_sync(km.interrupt_kernel)()  # a signal to the launcher, forwarded to the kernel
        reply = run_sync(kc.get_shell_msg)(timeout=30)
        kc.stop_channels()
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
        assert time.monotonic() - started < 30
        reply, text = _run(km, "import os; print(os.getpid())")
        assert reply["status"] == "ok", reply  # the kernel answers after the interrupt
        kernel = int(text)
        os.kill(km.provisioner.pid, signal.SIGKILL)  # the launcher killed: its kernel must not live on
        assert _gone(kernel), "the kernel outlived its launcher"
    finally:
        run_sync(km.shutdown_kernel)(now=True)


def test_without_a_zygote_the_launcher_becomes_an_ordinary_kernel(tmp_path: Path) -> None:
    launcher = [sys.executable, "-c", "from assess.report.zygote import launch; launch()",
                str(tmp_path / "no-such.sock"), "-f", "{connection_file}"]
    km = _start(launcher, tmp_path)
    try:
        reply, text = _run(km, "import os; print(os.getpid())")
        assert reply["status"] == "ok", reply
        assert int(text) == km.provisioner.pid, "the launcher should have become the kernel itself"
    finally:
        run_sync(km.shutdown_kernel)()


def test_a_zygote_that_cannot_import_leaves_kernels_to_start_themselves(tmp_path: Path) -> None:
    # a zygote whose imports fail exits: a kernel asked of it starts as an ordinary one
    shadow, cwd = tmp_path / "shadow", tmp_path / "cwd"
    (shadow / "statsmodels").mkdir(parents=True)  # shadows statsmodels in the zygote only: its imports fail
    (shadow / "statsmodels" / "__init__.py").write_text("raise ImportError('broken on purpose')\n")
    cwd.mkdir()
    z = zygote.Zygote({**os.environ, **KERNEL_ENV, "PYTHONPATH": str(shadow)})
    try:
        km = _start(z.kernel_argv(), cwd)
        try:
            reply, text = _run(km, "import os; print(os.getpid())")
            assert reply["status"] == "ok", reply
            assert int(text) == km.provisioner.pid
        finally:
            run_sync(km.shutdown_kernel)()
        assert "broken on purpose" in z.stderr() and not z.alive()
    finally:
        z.close()


def test_the_cpu_time_of_forked_kernels_is_counted_in_the_run_that_started_them(tmp_path: Path) -> None:
    # the bundle benchmark reports the CPU seconds of a run from its children: the zygote waits
    # for its kernels (those still exiting too), so theirs are counted as a kernel's own would be
    z = zygote.Zygote({**os.environ, **KERNEL_ENV})
    before = os.times()
    try:
        km = _start(z.kernel_argv(), tmp_path)
        try:
            reply, _ = _run(km, "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.5: pass")
            assert reply["status"] == "ok", reply
        finally:
            run_sync(km.shutdown_kernel)(now=True)  # killed: it is still exiting when the zygote is closed
        fields = Path(f"/proc/{z.pid}/stat").read_text().rsplit(")", 1)[1].split()
        zygote_own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # its imports, not its kernels'
    finally:
        z.close()
    after = os.times()
    counted = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    assert counted - zygote_own >= 1.5, f"only {counted - zygote_own:.2f} CPU-s of the kernel's 1.5 counted"


def test_the_forked_kernels_of_a_run_that_is_killed_exit_with_it(tmp_path: Path) -> None:
    # as ipykernel's parent poller ends a kernel whose run has died: here the launcher sees its
    # parent go and kills its kernel, and the zygote, its pipe closed, kills any kernel left
    import shutil
    import subprocess
    import tempfile

    from assess.atomic import remove_stale_temp_folders
    from assess.report.kernel import KERNEL_FOLDER_PREFIX

    script = tmp_path / "run.py"
    script.write_text(
        "import sys, time\n"
        "from pathlib import Path\n"
        "from assess.report.execute import KernelPool\n"
        "pool = KernelPool(zygote=True)\n"
        "pool.prestart(2, Path(sys.argv[1]))\n"
        "for k in pool.started:\n"
        "    k._wait_started()\n"
        "    k._execute(\"import os; open('pids.txt', 'a').write(f'{os.getpid()}\\\\n')\", timeout=60)\n"
        "print(pool.zygote.pid, *(k.km.provisioner.pid for k in pool.started), flush=True)\n"
        "time.sleep(600)\n"
    )
    # the run's private folders, kept apart from the machine's others (a short path: socket
    # addresses are limited to 104 bytes, and pytest's own folders are long)
    temp = Path(tempfile.mkdtemp(prefix="z", dir="/tmp"))
    try:
        proc = subprocess.Popen([sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "TMPDIR": str(temp)})
        try:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, "the run did not start its kernels"
            others = [int(p) for p in line.split()]
            kernels = [int(p) for p in (tmp_path / "pids.txt").read_text().split()]
            assert len(kernels) == 2 and not set(kernels) & set(others)
        finally:
            proc.kill()
            proc.wait()
        for pid in [*kernels, *others]:
            assert _gone(pid, within=4), f"process {pid} outlived the run that started it"
        # what the killed run left, its kernels' sockets and connection keys, the next run removes
        left = sorted(p.name.split("-")[:3] for p in temp.iterdir())
        assert left == [["assess", "kernel", str(proc.pid)]] * 2 + [["assess", "kernels", str(proc.pid)]], left
        remove_stale_temp_folders(KERNEL_FOLDER_PREFIX, temp)
        remove_stale_temp_folders(zygote.ZYGOTE_FOLDER_PREFIX, temp)
        assert list(temp.iterdir()) == []
    finally:
        shutil.rmtree(temp, ignore_errors=True)
