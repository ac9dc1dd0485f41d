"""The kernel every chapter runs in: the interpreter running assess, whatever kernelspecs are installed.

Kept apart from :mod:`assess.report.execute` so that importing the execution machinery does not
import jupyter_client and pyzmq (0.4-0.8 s): a run whose chapters all come from the cache
(:mod:`assess.report.cache`) starts no kernel.
"""

from __future__ import annotations

import math
import time
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, List, Type, Unicode

from assess.report.execute import KERNEL_ENV, KERNEL_NAME


class ReadyClient(AsyncKernelClient):
    """A kernel client that is ready as soon as both its channels are shown to work.

    jupyter_client's ``wait_for_ready`` asks for the kernel's info until the reply comes on the
    shell channel and a message on IOPub shows that channel connected, and then waits for 0.2 s
    of silence on IOPub. A chapter's run makes two clients of its kept kernel (the reset, then
    nbclient's), so that silence cost 0.4 s of every chapter after a kernel's first, longer than
    most chapters compute. This client checks both channels in the same way and then takes what
    IOPub already holds without waiting for more: what comes later answers no request of its
    own, and nbclient and ``execute_interactive`` read only the replies to their own requests.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
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
        while await self.iopub_channel.msg_ready():
            await self.iopub_channel.get_msg(timeout=0)


class VenvKernelManager(AsyncKernelManager):
    """A kernel manager whose Python kernel is ``sys.executable`` (never a stray kernelspec).

    Where pyzmq has CurveZMQ, the connection to the kernel is encrypted (``auto``), which is
    also what keeps ipykernel from warning about plain TCP on every start. ``launcher``: the
    command that starts the kernel instead of ipykernel's own (a kernel forked by a zygote,
    :meth:`assess.report.zygote.Zygote.kernel_argv`); empty, ipykernel's.
    """

    launcher = List(Unicode(), default_value=[])

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
