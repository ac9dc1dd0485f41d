"""The kernel every chapter runs in: the interpreter running assess, whatever kernelspecs are installed.

Kept apart from :mod:`assess.report.execute` so that importing the execution machinery does not
import jupyter_client and pyzmq (0.4-0.8 s): a run whose chapters all come from the cache
(:mod:`assess.report.cache`) starts no kernel.
"""

from __future__ import annotations

import zmq
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum

from assess.report.execute import KERNEL_ENV, KERNEL_NAME


class VenvKernelManager(AsyncKernelManager):
    """A kernel manager whose Python kernel is ``sys.executable`` (never a stray kernelspec).

    Where pyzmq has CurveZMQ, the connection to the kernel is encrypted (``auto``), which is
    also what keeps ipykernel from warning about plain TCP on every start.
    """

    transport_encryption = CaselessStrEnum(
        ["disabled", "auto", "required"], default_value="auto" if zmq.has("curve") else "disabled"
    )

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            from ipykernel.kernelspec import get_kernel_dict

            spec = get_kernel_dict()
            self._kernel_spec = KernelSpec(
                argv=list(spec["argv"]),
                display_name=KERNEL_NAME,
                language="python",
                env=dict(KERNEL_ENV),
                metadata=dict(spec.get("metadata", {})),
                name=KERNEL_NAME,
            )
        return self._kernel_spec
