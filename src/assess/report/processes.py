"""Helper processes that serve a run over their standard input (the PDF layout worker, the kernel zygote)."""

from __future__ import annotations

import subprocess


def end_served_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a process that serves until its standard input closes: close that pipe, wait up to
    ``timeout`` seconds for it to exit, then kill it. Nothing happens if it has already exited."""
    if proc.poll() is not None:
        return
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
