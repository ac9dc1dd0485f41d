"""Execute chapter notebooks with papermill, several at a time, in this one Python process.

- Chapters are ``NN_name.ipynb`` files; they run in ``jobs`` worker threads. Each worker keeps
  one kernel for the chapters it runs (:class:`WorkerKernel`): starting a kernel and importing
  pandas, scipy and matplotlib costs ~3 s, more than most chapters take to run. Between chapters
  the kernel's namespace is reset (``%reset -f``), its working folder restored and its figures
  closed; a kernel that died is started again. ``isolate=True`` gives every chapter a fresh
  kernel instead. Chapters that read the others' outputs (the registry's later phases: the
  scorecard, then the summary) run afterwards, one by one.
- The kernel is always the interpreter running this code (``sys.executable``, i.e. the project's
  virtualenv), whatever kernelspecs a user has installed: see :class:`assess.report.kernel.VenvKernelManager`. The
  executed notebooks name the ``assess`` kernelspec, as the chapter notebooks do (``make setup``
  installs a kernel of that name into the environment, so they reopen in JupyterLab with it).
- Each kernel starts in ``<bundle>/notebooks/`` and gets ``output_dir=".."``, so an executed
  notebook re-run in place writes to its own bundle; the other folders are injected absolute.
- A failing chapter does not stop the others: its executed notebook is kept with the error and
  its :class:`ChapterRun` says ``failed`` with a one-line summary.
- Executed notebooks are normalised for reproducible bytes: the injected cell gets the id
  ``injected-parameters``, papermill's start/end times are removed (timings go to the
  bundle's ``manifest.json``), and execution counts are renumbered from 1 (a shared kernel's
  counter runs on across chapters).
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from assess import reads
from assess.atomic import write_text
from assess.registry import load_registry

#: The kernel the chapter notebooks name (and that ``make setup`` installs, ``ipykernel install --name``).
KERNEL_NAME = "assess"
INJECTED_CELL_ID = "injected-parameters"
#: Environment of every kernel: hash randomisation off, so set/dict-of-str output is stable; the
#: inputs each chapter reads recorded (:mod:`assess.reads`, for :mod:`assess.report.cache`).
KERNEL_ENV = {"PYTHONHASHSEED": "0", reads.ENV: "1"}
#: Set to ``0`` to start every kernel as a process of its own, not forked (:class:`KernelPool`).
ZYGOTE_ENV = "ASSESS_KERNEL_ZYGOTE"

_VOLATILE_NB = ("start_time", "end_time", "duration", "input_path", "output_path")
_VOLATILE_CELL = ("start_time", "end_time", "duration")

Status = Literal["ok", "failed"]


@dataclass
class ChapterRun:
    """The outcome of executing one chapter notebook."""

    chapter: str
    source: Path
    executed: Path
    status: Status
    seconds: float
    error: str | None = None
    #: True when its outputs were reused from the cache (:mod:`assess.report.cache`), not executed.
    cached: bool = False

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["source"] = str(self.source)
        d["executed"] = str(self.executed)
        d["seconds"] = round(self.seconds, 2)
        return d


def chapter_name(path: Path) -> str:
    """``notebooks/03_crime.ipynb`` -> ``03_crime``."""
    return path.stem


def discover_chapters(notebooks_dir: Path, chapters: Sequence[str] | None = None) -> list[Path]:
    """The notebooks of the chapters the registry of ``notebooks_dir`` declares, in number order.

    ``chapters`` selects some by name (``03_places``), number (``03``) or slug (``places``); an
    unknown one raises :class:`assess.registry.UnknownChapter` listing the chapters.
    """
    registry = load_registry(notebooks_dir)
    return [registry.notebook_path(c) for c in registry.select(chapters)]


def execution_phases(paths: Sequence[Path]) -> list[list[Path]]:
    """Chapters that may run together first, then each of those that read the others' outputs on
    its own (the scorecard, then the summary), as the registry of their folder declares."""
    if not paths:
        return []
    registry = load_registry(Path(paths[0]).parent)
    by_name = {chapter_name(p): p for p in paths}
    chosen = [c for c in registry if c.name in by_name]
    return [[by_name[c.name] for c in phase] for phase in registry.phases(chosen)]


def _source_ids(source: Path) -> list[str] | None:
    import nbformat  # imported when needed: a run whose chapters all come from the cache needs none

    nb = nbformat.read(source, as_version=4)
    ids = [c.get("id") for c in nb.cells]
    return None if any(i is None for i in ids) else [str(i) for i in ids]


def normalise_executed(executed: Path, source: Path) -> None:
    """Make an executed notebook's bytes reproducible: fixed cell ids, no timestamps or temp paths."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    known = _source_ids(source)
    count = 0
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
    for i, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            cell["id"] = INJECTED_CELL_ID
        elif known is None or cell.get("id") not in known:
            cell["id"] = f"cell-{i}"
        cell.get("metadata", {}).pop("execution", None)
        pm = cell.get("metadata", {}).get("papermill")
        if isinstance(pm, dict):
            for key in _VOLATILE_CELL:
                pm.pop(key, None)
    pm_nb = nb.metadata.get("papermill")
    if isinstance(pm_nb, dict):
        for key in _VOLATILE_NB:
            pm_nb.pop(key, None)
    write_text(executed, nbformat.writes(nb))


def _error_summary(exc: BaseException, limit: int = 300) -> str:
    """One line: ``ExceptionName: first line of the message (cell In [n])``."""
    ename = getattr(exc, "ename", None)
    if ename is not None:
        lines = str(getattr(exc, "evalue", "")).strip().splitlines()
        count = getattr(exc, "exec_count", None)
        where = f" (cell In [{count}])" if count is not None else ""
        text = f"{ename}: {lines[0] if lines else ''}".rstrip(": ")
    else:
        lines = str(exc).strip().splitlines()
        where = ""
        text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text + where


def execute_chapter(
    source: Path,
    executed: Path,
    parameters: Mapping[str, Any],
    *,
    cwd: Path,
    timeout: int | None = 1800,
    kernel: WorkerKernel | None = None,
) -> ChapterRun:
    """Execute one notebook to ``executed``; never raises for a failing notebook.

    With ``kernel`` the notebook runs in that (reused, freshly reset) kernel; without, papermill
    starts and stops a kernel of its own.
    """
    import papermill as pm  # imported here: ~2 s, paid only when executing

    from assess.report.kernel import VenvKernelManager

    start = time.perf_counter()
    status: Status = "ok"
    error: str | None = None
    reuse = kernel.prepare() if kernel is not None else {}
    try:
        pm.execute_notebook(
            str(source),
            str(executed),
            parameters=dict(parameters),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,  # saved once at the end: each save re-validates the notebook
            execution_timeout=timeout,
            kernel_manager_class=VenvKernelManager,
            resources={"metadata": {"path": str(cwd)}},
            **reuse,
        )
    except Exception as exc:  # noqa: BLE001 - any failure is the chapter's, reported not raised
        status, error = "failed", _error_summary(exc)
    seconds = time.perf_counter() - start
    if executed.exists():
        try:
            normalise_executed(executed, source)
        except Exception as exc:  # noqa: BLE001
            status = "failed"
            error = error or f"executed notebook unreadable: {_error_summary(exc)}"
    else:
        status = "failed"
        error = error or "papermill wrote no executed notebook"
    return ChapterRun(chapter_name(source), source, executed, status, seconds, error)


ProgressCallback = Callable[[ChapterRun], None]
#: Given a chapter's notebook and the executed folder, its run restored from a cache, or None to execute it.
ReuseCallback = Callable[[Path, Path], ChapterRun | None]


def execute_chapters(
    sources: Sequence[Path],
    executed_dir: Path,
    parameters: Mapping[str, Any],
    *,
    jobs: int = 2,
    timeout: int | None = 1800,
    progress: bool = True,
    on_done: ProgressCallback | None = None,
    isolate: bool = False,
    phases: Sequence[Sequence[Path]] | None = None,
    reuse: ReuseCallback | None = None,
    kernels: KernelPool | None = None,
) -> list[ChapterRun]:
    """Execute chapters into ``executed_dir`` (``jobs`` at a time); results in chapter order.

    ``parameters`` are injected into every notebook; the kernel's working folder is
    ``executed_dir``; ``timeout`` is the seconds one cell may run (None: no limit). ``phases``
    (default: all together) are groups of ``sources`` run one after another, each group
    ``jobs`` at a time (:func:`execution_phases` gives the registry's). Each worker
    thread reuses one kernel for its chapters unless ``isolate``. Progress goes to the terminal
    (rich, stderr) unless ``progress`` is false; ``on_done`` is called as each chapter finishes.
    ``reuse`` is asked first, as each chapter's turn comes (after the phases before it): a run it
    returns stands for the chapter, which is then not executed (no kernel starts for it).
    ``kernels``: a pool started by the caller (its kernels perhaps started ahead, :meth:`KernelPool.prestart`),
    which the caller shuts down; by default the run makes its own and shuts it down at the end.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    executed_dir = Path(executed_dir)
    executed_dir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    results: dict[Path, ChapterRun] = {}
    lock = threading.Lock()
    phases = [list(sources)] if phases is None else [list(p) for p in phases if p]
    workers = max(1, min(jobs, max((len(p) for p in phases), default=1)))
    # one queue per phase, each closed by one sentinel per worker; a barrier ends each phase
    queues: list[queue.SimpleQueue[Path | None]] = []
    for phase in phases:
        q: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        for src in phase:
            q.put(src)
        for _ in range(workers):
            q.put(None)
        queues.append(q)
    barrier = threading.Barrier(workers)
    reporter = _Reporter(len(sources)) if progress else None

    owned = kernels is None
    if kernels is None:
        kernels = KernelPool(isolate=isolate, zygote=None if workers > 1 else False)

    def run(src: Path) -> None:
        if reporter:
            reporter.started(chapter_name(src))
        result = reuse(src, executed_dir) if reuse is not None else None
        if result is None:
            with kernels.lease(executed_dir) as kernel:
                result = execute_chapter(
                    src, executed_dir / src.name, parameters, cwd=executed_dir, timeout=timeout, kernel=kernel
                )
        with lock:
            results[src] = result
        if reporter:
            reporter.finished(result)
        if on_done:
            on_done(result)

    def worker() -> None:
        for q in queues:
            while (src := q.get()) is not None:
                run(src)
            barrier.wait()

    threads = [threading.Thread(target=worker, name=f"chapter-{i}") for i in range(workers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        if owned:
            kernels.shutdown()
        if reporter:
            reporter.stop()
    return [results[s] for s in sources if s in results]


class KernelPool:
    """The kernels chapters run in: a chapter to execute takes an idle kernel that has already run
    one (reset between them, :meth:`WorkerKernel.prepare`) and starts one only when none is idle,
    so no more kernels start than the chapters executed at once need: a rerun that executes one
    chapter in each phase starts one kernel, not one per worker. ``isolate``: no kernel is kept
    (papermill starts a fresh one for each chapter).

    :meth:`prestart` starts kernels ahead, in the background, so that their start and imports
    overlap the checks a run makes before its chapters; a chapter that leases one still starting
    waits for it. The pool's kernels are forked from one process that has made the imports every
    chapter makes (:mod:`assess.report.zygote`: about 4 s of CPU once rather than in each kernel),
    where the system allows it and ``zygote`` is true or None (the default: unless the
    environment variable ``ASSESS_KERNEL_ZYGOTE`` is ``0``). For a pool of one kernel the zygote
    saves nothing (the imports are made once either way) and adds a process: callers that run one
    chapter at a time pass ``zygote=False``.
    """

    def __init__(self, *, isolate: bool = False, zygote: bool | None = None) -> None:
        self.isolate = isolate
        self.idle: list[WorkerKernel] = []
        self.started: list[WorkerKernel] = []
        self.lock = threading.Lock()
        if zygote is None:
            zygote = os.environ.get(ZYGOTE_ENV, "1") != "0"
        self.use_zygote = zygote and not isolate
        self.zygote: Any = None  # an assess.report.zygote.Zygote once a kernel is started

    def _launcher(self) -> list[str]:
        """The command the pool's kernels start with (called with the lock held): the zygote's
        launcher, the zygote started on first use; empty (ipykernel's own) without one."""
        if not self.use_zygote:
            return []
        from assess.report import zygote

        if self.zygote is None:
            if not zygote.supported():
                self.use_zygote = False
                return []
            try:
                self.zygote = zygote.Zygote({**os.environ, **KERNEL_ENV})
            except OSError:  # no socket, no process: ordinary kernels
                logging.getLogger(__name__).debug("no kernel zygote", exc_info=True)
                self.use_zygote = False
                return []
        return self.zygote.kernel_argv()

    def prestart(self, count: int, cwd: Path) -> None:
        """Start ``count`` kernels in ``cwd`` (an existing folder) in the background."""
        if self.isolate:
            return
        for _ in range(count):
            with self.lock:
                kernel = WorkerKernel(cwd, launcher=self._launcher())
                self.started.append(kernel)
                self.idle.append(kernel)
            kernel.start_in_background()

    @contextmanager
    def lease(self, cwd: Path) -> Iterator[WorkerKernel | None]:
        """An idle kernel (or a new one), to run a chapter in ``cwd``."""
        if self.isolate:
            yield None
            return
        with self.lock:
            if self.idle:
                kernel = self.idle.pop(0)
                kernel.move_to(cwd)
            else:
                kernel = WorkerKernel(cwd, launcher=self._launcher())
                self.started.append(kernel)
        try:
            yield kernel
        finally:
            with self.lock:
                self.idle.append(kernel)

    def shutdown(self) -> None:
        with self.lock:
            kernels, self.started, self.idle = self.started, [], []
            zygote, self.zygote = self.zygote, None
        for kernel in kernels:
            kernel.shutdown()
        if zygote is not None:
            zygote.close()


class WorkerKernel:
    """One kernel kept by a worker thread for the chapters it runs (created and used in that thread).

    :meth:`prepare` starts the kernel on first use (or again if it died) and otherwise resets it:
    the user namespace is cleared, the working folder restored, the record of reads ended
    (:mod:`assess.reads`) and open figures closed, so each chapter starts from the same state as
    in a fresh kernel, less the time to import the libraries again. It returns the ``km`` keyword argument for papermill's engine (nbclient then reuses it).

    What survives the reset (the modules imported, their caches) is then moved out of the garbage
    collector's sight (:func:`gc.freeze`): ``%reset`` collects twice, and each full collection
    otherwise walks every object of pandas, matplotlib and scipy again (about 0.1 s each time;
    a fifth of a kernel's time over a bundle). A chapter's own objects, made after the freeze,
    are collected as before.
    """

    RESET = (
        "get_ipython().run_line_magic('reset', '-f')\n"
        "import os as _os; _os.chdir({cwd!r}); del _os\n"
        "import sys as _sys\n"
        "if 'assess.reads' in _sys.modules: _sys.modules['assess.reads'].end()\n"
        "if 'matplotlib.pyplot' in _sys.modules: _sys.modules['matplotlib.pyplot'].close('all')\n"
        "del _sys\n"
        "import gc as _gc; _gc.freeze(); del _gc\n"
    )

    #: Run in a kernel started ahead (:meth:`start_in_background`): the imports of every chapter's
    #: first cell, so that they are made before the first chapter comes.
    WARM_UP = (
        "import assess.chapters.common, assess.measure.context, assess.report.outputs\n"
        "import gc as _gc; _gc.freeze(); del _gc\n"
    )

    def __init__(self, cwd: Path, *, launcher: Sequence[str] = ()) -> None:
        self.cwd = ""
        self.launcher = list(launcher)  # the kernel command (assess.report.kernel.VenvKernelManager.launcher)
        self.move_to(cwd)
        self.km: Any = None  # an assess.report.kernel.VenvKernelManager once started
        self._starting: threading.Thread | None = None

    def move_to(self, cwd: Path) -> None:
        """Run the next chapter in ``cwd`` (the reset before it goes there)."""
        # absolute: the reset cell runs in a kernel already inside a relative cwd
        self.cwd = str(Path(cwd).resolve())

    def start_in_background(self) -> None:
        """Start the kernel and make its imports (:data:`WARM_UP`) in a thread; :meth:`prepare` waits
        for it. A kernel that fails to start or warm up is started again by :meth:`prepare`."""

        def start() -> None:
            from jupyter_core.utils import run_sync

            from assess.report.kernel import VenvKernelManager

            try:
                km = VenvKernelManager(kernel_name=KERNEL_NAME, launcher=self.launcher)
                run_sync(km.start_kernel)(cwd=self.cwd)
                self.km = km
                self._execute(self.WARM_UP, timeout=120)
            except Exception:  # noqa: BLE001 - prepare() starts it afresh
                logging.getLogger(__name__).debug("a kernel started ahead failed", exc_info=True)

        self._starting = threading.Thread(target=start, name="kernel-start", daemon=True)
        self._starting.start()

    def _wait_started(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None

    def _execute(self, code: str, *, timeout: float) -> bool:
        """Run ``code`` in the kernel, its outputs discarded; True if it ran without error."""
        from jupyter_core.utils import run_sync

        kc = self._client()
        try:
            reply = run_sync(kc.execute_interactive)(code, store_history=False, timeout=timeout, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        return reply["content"].get("status") == "ok"

    def _alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def prepare(self) -> dict[str, Any]:
        from jupyter_core.utils import run_sync

        self._wait_started()
        # nbclient makes its own client from km; the reset's only resets
        if self._alive() and self._execute(self.RESET.format(cwd=self.cwd), timeout=60):
            return {"km": self.km}
        from assess.report.kernel import VenvKernelManager

        self.shutdown()  # never started, died, or cannot reset: start afresh
        self.km = VenvKernelManager(kernel_name=KERNEL_NAME, launcher=self.launcher)
        run_sync(self.km.start_kernel)(cwd=self.cwd)
        return {"km": self.km}

    def _client(self) -> Any:
        from jupyter_core.utils import run_sync

        kc = self.km.client()  # type: ignore[union-attr]
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=120)
        return kc

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        self._wait_started()
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
            self.km = None


class _Reporter:
    """Progress on the terminal: one bar for the run, one line per finished chapter."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]chapters"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=self.console, transient=True,
        )
        self.running: list[str] = []
        self.task = self.progress.add_task("", total=total)
        self.progress.start()

    def _describe(self) -> None:
        self.progress.update(self.task, description="running " + ", ".join(self.running))

    def started(self, chapter: str) -> None:
        self.running.append(chapter)
        self._describe()

    def finished(self, run: ChapterRun) -> None:
        if run.chapter in self.running:
            self.running.remove(run.chapter)
        mark = "[green]ok[/]" if run.status == "ok" else f"[red]FAILED[/] {run.error}"
        mark += " (reused)" if run.cached else ""
        self.progress.console.print(f"  {run.chapter:<28} {run.seconds:6.1f} s  {mark}", highlight=False)
        self.progress.advance(self.task)
        self._describe()

    def stop(self) -> None:
        self.progress.stop()


def kernel_python() -> str:
    """The interpreter every chapter kernel runs (recorded in the bundle manifest)."""
    return os.path.realpath(sys.executable)


def __getattr__(name: str) -> Any:
    """``VenvKernelManager`` is still importable from here, imported only when asked for
    (:mod:`assess.report.kernel`)."""
    if name == "VenvKernelManager":
        from assess.report.kernel import VenvKernelManager

        return VenvKernelManager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
