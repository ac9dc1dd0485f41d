"""JupyterLab on the chapter notebooks, with the project's kernel: what ``make lab`` runs.

``python -m assess.lab [--port N] [--token T] [--no-browser]`` installs the ``assess`` kernel into
this environment if it is not there (the interpreter running this, as ``ipykernel install
--sys-prefix --name assess`` installs it), then replaces itself by JupyterLab serving the
project's ``notebooks/`` folder with that kernel as the default. As root it adds ``--allow-root``
(JupyterLab refuses to start as root otherwise), and only then. The browser test starts
JupyterLab through this same module, so it tests the command line ``make lab`` uses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from assess.paths import project_paths

#: The kernel of the chapter notebooks (their kernelspec metadata names it).
KERNEL_NAME = "assess"
KERNEL_DISPLAY_NAME = "assess"


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def notebooks_folder() -> Path:
    """The project's ``notebooks/`` (found from the working folder), else the installed notebooks."""
    here = project_paths().root / "notebooks"
    if here.is_dir():
        return here
    from assess.registry import default_notebooks_dir

    return default_notebooks_dir()


def lab_command(
    notebook_dir: Path,
    *,
    port: int | None = None,
    token: str | None = None,
    ip: str = "127.0.0.1",
    open_browser: bool = True,
    root: bool | None = None,
    python: str = sys.executable,
) -> list[str]:
    """The JupyterLab command line: ``--allow-root`` only when ``root`` (default: whether this
    process runs as root); ``token`` None keeps JupyterLab's own random token."""
    command = [python, "-m", "jupyterlab", f"--ServerApp.root_dir={notebook_dir}", f"--ServerApp.ip={ip}",
               f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}"]
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if token is not None:
        command.append(f"--IdentityProvider.token={token}")
    if not open_browser:
        command.append("--no-browser")
    if is_root() if root is None else root:
        command.append("--allow-root")
    return command


def installed_kernel(prefix: str = sys.prefix) -> dict | None:
    """The ``assess`` kernelspec installed under ``prefix`` (its kernel.json), or None."""
    spec = Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    try:
        return json.loads(spec.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ensure_kernel(prefix: str = sys.prefix, python: str = sys.executable) -> Path:
    """Install the ``assess`` kernel into ``prefix`` unless it is there and runs ``python``."""
    spec = installed_kernel(prefix)
    folder = Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    if spec is not None and spec.get("argv", [None])[0] == python and spec.get("display_name") == KERNEL_DISPLAY_NAME:
        return folder
    from ipykernel.kernelspec import install

    return Path(install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME, prefix=prefix))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assess.lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, help="port to serve on (default: JupyterLab's, 8888 or the next free)")
    parser.add_argument("--token", help="the server's token (default: a random one, printed)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--notebooks", type=Path, help="folder to serve (default: the project's notebooks/)")
    args = parser.parse_args(argv)
    ensure_kernel()
    command = lab_command((args.notebooks or notebooks_folder()).resolve(), port=args.port, token=args.token,
                          ip=args.ip, open_browser=not args.no_browser)
    sys.stdout.flush()
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
