"""Chapter kernels forked from one process that has already imported what every chapter imports.

Each chapter kernel imports ipykernel, pandas, pyarrow, DuckDB, matplotlib, SciPy's statistics and
statsmodels before its first chapter computes anything: about 4 s of CPU, paid by each of the two
kernels a bundle runs, on a machine of two cores. A :class:`Zygote` is a process that makes those
imports once (:data:`PRELOAD`) and then forks a kernel for each request: the kernels start with
the modules in memory (shared, copy on write) and the imports are paid once.

How a kernel is asked for, without changing how jupyter_client starts and stops kernels: the
kernel command (:meth:`Zygote.kernel_argv`) is a small launcher, :func:`launch`, that jupyter_client
starts as it would start a kernel. The launcher connects to the zygote's Unix socket (in a folder
only this user can open; the zygote also checks the peer's user), hands over its standard streams,
working folder, environment and the kernel's arguments, and the zygote forks a child that becomes
the kernel (``ipykernel``'s own entry point). The launcher then stands in for the kernel: it
forwards the signals jupyter_client sends (interrupt, terminate) and exits when the kernel exits;
if the launcher is killed, the kernel sees its connection close and exits too, and if the run
that started it dies, the launcher kills the kernel (as ipykernel's parent poller would). When no zygote
answers (it failed to start or to import, or has stopped), the launcher becomes an ordinary
kernel (``exec`` of ``python -m ipykernel_launcher``): a zygote can make a kernel faster, never
make one fail.

Fork safety: the zygote forks only while it has no thread but its main one (it refuses to fork
otherwise, and the launchers then start ordinary kernels), it has opened no ZeroMQ context, event
loop or file of a chapter, and a child resets what the zygote set for itself (SIGCHLD, the
session, the standard streams, the environment, ``sys.path``) before it starts the kernel.
POSIX only: elsewhere no zygote is started.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

#: The modules every chapter imports, imported once by the zygote before it forks any kernel.
#: matplotlib's pyplot is left out: a kernel chooses its backend when it first imports it.
PRELOAD = (
    "ipykernel.kernelapp",
    "assess.chapters.common",
    "assess.measure.context",
    "assess.report.outputs",
    "assess.report.charts",
    "scipy.stats",
    "statsmodels.genmod.generalized_linear_model",
    "statsmodels.genmod.families",
)
#: The matplotlib backend ipykernel sets for its kernels when none is set: set before the zygote
#: imports matplotlib, which reads it then, as a fresh kernel's matplotlib would.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
_SOCKET = "zygote.sock"
#: The name of a zygote's folder starts so (then the run's process id).
ZYGOTE_FOLDER_PREFIX = "assess-kernels-"
_HEADER = struct.Struct("!I")
_STREAMS = 3  # stdin, stdout, stderr
#: Seconds a closed zygote waits for its kernels to finish exiting before it kills those left.
KERNELS_EXIT_WITHIN = 1.0
#: Seconds between a launcher's checks that the process that started it is alive.
PARENT_POLL = 1.0
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def supported() -> bool:
    """True where kernels can be forked (POSIX: fork, Unix sockets and passing descriptors)."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


class Zygote:
    """The zygote process of one pool of kernels (started at once; :meth:`close` stops it).

    ``env``: the environment the zygote starts with (that of the kernels: their hash seed, for
    one, is fixed when an interpreter starts). Kernels it has forked live on after :meth:`close`
    until they are shut down.
    """

    def __init__(self, env: dict[str, str]) -> None:
        from assess.atomic import private_temp_folder

        self.folder = private_temp_folder(ZYGOTE_FOLDER_PREFIX)  # mode 0700: only this user
        self.socket_path = str(self.folder / _SOCKET)
        self._stderr = tempfile.TemporaryFile()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.socket_path)  # bound here, so a launcher can connect at once
            listener.listen(16)
            self._proc = subprocess.Popen(
                [sys.executable, "-c", "from assess.report.zygote import serve; serve()", str(listener.fileno())],
                pass_fds=[listener.fileno()], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=self._stderr, env={"MPLBACKEND": INLINE_BACKEND, **env}, start_new_session=True,
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        finally:
            listener.close()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def alive(self) -> bool:
        return self._proc.poll() is None

    def kernel_argv(self) -> list[str]:
        """The kernel command for a kernel spec: the launcher, this zygote's socket, the kernel's arguments."""
        return [sys.executable, "-c", "from assess.report.zygote import launch; launch()", self.socket_path,
                "-f", "{connection_file}"]

    def stderr(self) -> str:
        """What the zygote wrote to its standard error (why it refused to fork, say)."""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def close(self) -> None:
        """Stop the zygote (its end of the pipe closed, it exits) and remove its socket's folder."""
        from assess.report.processes import end_served_process

        end_served_process(self._proc)
        shutil.rmtree(self.folder, ignore_errors=True)


# -- in the zygote ----------------------------------------------------------------------------------
def serve() -> None:
    """The zygote's loop: import :data:`PRELOAD`, then fork a kernel for each launcher that connects,
    until the process that started it closes the zygote's standard input."""
    listener = socket.socket(fileno=int(sys.argv[1]))
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # as ipykernel_launcher does: the kernel puts the working folder back itself
    import gc
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()  # the imported modules: out of every collection in every kernel, and never copied
    # the kernels are waited for as they exit, so that their CPU time is counted in the zygote's
    # children, and so in the run's (as a kernel started as a process of its own would be)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: _reap())
    while True:
        ready, _, _ = select.select([listener, sys.stdin.fileno()], [], [])
        if sys.stdin.fileno() in ready and not os.read(sys.stdin.fileno(), 1):
            _stop_kernels()  # the pool has closed the zygote, or its process has died
            return
        if listener in ready:
            conn, _ = listener.accept()
            try:
                _answer(listener, conn)
            except (OSError, ValueError) as exc:
                print(f"assess zygote: a launcher's request failed: {exc}", file=sys.stderr, flush=True)
            finally:
                conn.close()


_KERNELS: set[int] = set()  # in the zygote: the kernels it has forked and not yet waited for


def _reap(wait: float = 0.0) -> None:
    """Wait for every kernel that has exited; with ``wait``, for up to that many seconds for the others."""
    import time

    deadline = time.monotonic() + wait
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            _KERNELS.clear()
            return  # none left
        if pid:
            _KERNELS.discard(pid)
        elif time.monotonic() >= deadline:
            return
        else:
            time.sleep(0.02)


def _stop_kernels() -> None:
    """When the zygote is closed: wait briefly for the kernels that are exiting (a pool shuts its
    kernels down before it closes the zygote), kill any still running (their run has died), and
    wait for them, so that their CPU time is counted."""
    _reap(wait=KERNELS_EXIT_WITHIN)
    for pid in list(_KERNELS):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            _KERNELS.discard(pid)
    _reap(wait=5.0)


def _answer(listener: socket.socket, conn: socket.socket) -> None:
    """Fork a kernel for the launcher on ``conn``, and tell the launcher its process id."""
    if hasattr(socket, "SO_PEERCRED"):
        _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
        if uid != os.getuid():
            raise ValueError(f"a process of user {uid} asked for a kernel")
    header, fds, _, _ = socket.recv_fds(conn, _HEADER.size, _STREAMS)
    try:
        if len(header) != _HEADER.size or len(fds) != _STREAMS:
            raise ValueError("the launcher's request is incomplete")
        request = json.loads(_receive(conn, _HEADER.unpack(header)[0]))
        if threading.active_count() > 1:
            raise ValueError("the zygote has started a thread and will not fork (the launcher starts a kernel itself)")
        pid = os.fork()
        if pid == 0:
            _become_kernel(listener, conn, request, fds)  # never returns
        _KERNELS.add(pid)
    finally:
        for fd in fds:
            os.close(fd)
    conn.sendall(f"{pid}\n".encode("ascii"))


def _receive(conn: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = conn.recv(min(left, 1 << 16))
        if not chunk:
            raise ValueError("the launcher's request was cut off")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _become_kernel(listener: socket.socket, conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: take the launcher's streams, folder and environment, and run the kernel."""
    status = 1
    try:
        listener.close()
        os.setsid()  # as jupyter_client starts a kernel: in a session of its own
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the zygote's reaping is not the kernel's
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd >= _STREAMS:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        threading.Thread(target=_exit_with_launcher, args=(conn,), name="launcher-watch", daemon=True).start()
        from ipykernel import kernelapp

        # read from the environment when ipykernel was imported, in the zygote: given here as it is now
        argv = [f"--IPKernelApp.parent_handle={int(os.environ.get('JPY_PARENT_PID') or 0)}", *request["argv"]]
        sys.argv = [kernelapp.__file__, *argv]
        kernelapp.launch_new_instance(argv=argv)
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on the kernel's stderr, as a kernel's own would be
        import traceback

        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)  # never back into the zygote's loop


def _exit_with_launcher(conn: socket.socket) -> None:
    """Exit the kernel when its launcher's end of the connection closes (the launcher was killed)."""
    while True:
        try:
            if not conn.recv(1):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    os._exit(1)


# -- in the launcher --------------------------------------------------------------------------------
def launch() -> None:
    """The kernel command: ask the zygote at ``sys.argv[1]`` for a kernel with the arguments that
    follow, and stand in for it until it exits; start an ordinary kernel when no zygote answers."""
    socket_path, kernel_args = sys.argv[1], sys.argv[2:]
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(socket_path)
        request = json.dumps({"argv": kernel_args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode("utf-8")
        socket.send_fds(conn, [_HEADER.pack(len(request))], list(range(_STREAMS)))
        conn.sendall(request)
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = conn.recv(64)
            if not chunk:
                raise ValueError("no kernel")
            reply += chunk
        pid = int(reply)
    except (OSError, ValueError):
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *kernel_args])
    for signum in _FORWARDED:
        signal.signal(signum, lambda number, _frame: _forward(pid, number))
    parent = os.getppid()
    conn.settimeout(PARENT_POLL)
    while True:
        try:
            if not conn.recv(4096):
                return  # the kernel has exited (it held the other end)
        except TimeoutError:
            if os.getppid() != parent:  # the run that started the kernel has died, as ipykernel's own poller checks
                _forward(pid, signal.SIGKILL)
                return
        except InterruptedError:
            continue
        except OSError:
            return


def _forward(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
