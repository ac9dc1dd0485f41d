"""The kernel every chapter runs in: the interpreter running assess, whatever kernelspecs are installed.

Kept apart from :mod:`assess.report.execute` so that importing the execution machinery does not
import jupyter_client and pyzmq (0.4-0.8 s): a run whose chapters all come from the cache
(:mod:`assess.report.cache`) starts no kernel.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from queue import Empty
from typing import Any

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, List, Type, Unicode

from assess.atomic import private_temp_folder
from assess.report.execute import KERNEL_ENV, KERNEL_NAME

#: The name of each kernel's sockets' folder starts so (then the run's process id).
KERNEL_FOLDER_PREFIX = "assess-kernel-"


class ReadyClient(AsyncKernelClient):
    """A kernel client that is ready as soon as both its channels are shown to work.

    jupyter_client's ``wait_for_ready`` asks for the kernel's info until the reply comes on the
    shell channel and a message on IOPub shows that channel connected, and then waits for 0.2 s
    of silence on IOPub. A chapter's run makes two clients of its kept kernel (the reset, then
    nbclient's), so that silence cost 0.4 s of every chapter after a kernel's first, longer than
    most chapters compute. This client checks both channels in the same way and then takes what
    IOPub already holds without waiting for more: what comes later answers no request of its
    own, and nbclient and ``execute_interactive`` read only the replies to their own requests.
    When IOPub joins late (its first status missed), the info is asked for again; the replies to
    every ask are taken off the shell channel before it returns, so that none is read later as
    the reply to another request.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        unanswered: set[str] = set()
        while True:
            unanswered.add(self.kernel_info())
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None:
                unanswered.discard(reply["parent_header"].get("msg_id"))
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)  # the kernel's status: IOPub is connected
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while unanswered:  # asked again while IOPub was joining: its reply is not read later as another's
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                break
            unanswered.discard(reply["parent_header"].get("msg_id"))
        while await self.iopub_channel.msg_ready():
            await self.iopub_channel.get_msg(timeout=0)


class VenvKernelManager(AsyncKernelManager):
    """A kernel manager whose Python kernel is ``sys.executable`` (never a stray kernelspec).

    The kernel's five channels are Unix sockets (ZeroMQ's ``ipc`` transport) in a folder of its
    own that only this user can enter, made when the kernel starts and removed when it is shut
    down. Over TCP, jupyter_client picks free ports by binding and releasing them, and another
    process (a second kernel, a Dask worker, any client) can take one before the kernel binds it:
    the kernel then dies with "Address already in use". Where that folder's path would be too long
    for a socket address, or where ZeroMQ has no Unix sockets (Windows), the kernel uses TCP on
    localhost.

    Where pyzmq has CurveZMQ, the connection to the kernel is encrypted (``auto``), which is
    also what keeps ipykernel from warning about plain TCP on every start. ``launcher``: the
    command that starts the kernel instead of ipykernel's own (a kernel forked by a zygote,
    :meth:`assess.report.zygote.Zygote.kernel_argv`); empty, ipykernel's.
    """

    launcher = List(Unicode(), default_value=[])
    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if zmq.has("ipc") else "tcp")
    _socket_folder: str | None = None

    client_factory = Type(ReadyClient, klass=AsyncKernelClient)  # AsyncKernelManager sets its own, whatever client_class says
    transport_encryption = CaselessStrEnum(
        ["disabled", "auto", "required"], default_value="auto" if zmq.has("curve") else "disabled"
    )

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            from ipykernel.kernelspec import get_kernel_dict

            spec = get_kernel_dict()
            self._kernel_spec = KernelSpec(
                argv=list(self.launcher or spec["argv"]),
                display_name=KERNEL_NAME,
                language="python",
                env=dict(KERNEL_ENV),
                metadata=dict(spec.get("metadata", {})),
                name=KERNEL_NAME,
            )
        return self._kernel_spec

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self.transport == "ipc" and self._socket_folder is None and not self.connection_file:
            folder = str(private_temp_folder(KERNEL_FOLDER_PREFIX))  # mode 0700
            prefix = os.path.join(folder, "k")
            if len(os.fsencode(prefix)) + len("-99") < UNIX_SOCKET_PATH_MAX:
                self._socket_folder = folder
                self.connection_file = os.path.join(folder, "kernel.json")
                self.ip = prefix  # the channels are the sockets k-1 ... k-5
            else:
                os.rmdir(folder)
                self.transport = "tcp"
                self.ip = "127.0.0.1"
        return await super()._async_pre_start_kernel(**kw)

    pre_start_kernel = _async_pre_start_kernel  # type: ignore[assignment]

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._socket_folder is not None:
            shutil.rmtree(self._socket_folder, ignore_errors=True)
            self._socket_folder = None
            self.connection_file = ""

    cleanup_resources = _async_cleanup_resources  # type: ignore[assignment]


#: The bytes a Unix socket's path may take, its final NUL included (``sun_path``: 108 on Linux,
#: 104 on macOS and the BSDs).
UNIX_SOCKET_PATH_MAX = 104
