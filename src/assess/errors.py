"""Errors that tell an analyst which file, which row or column, and what to do."""

from __future__ import annotations

from pathlib import Path


class AssessError(Exception):
    """Base class of every error the project raises on purpose."""


class InputError(AssessError):
    """A raw input file is missing, malformed or inconsistent.

    The message always names the file and, where known, the row (1-based line number in the file,
    the header being line 1) and the column, and ends with what to do about it.
    """

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.problem = problem
        self.row = row
        self.column = column
        self.hint = hint
        where = [str(self.path) if self.path else "<input>"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        message = f"{', '.join(where)}: {problem}"
        if hint:
            message += f". What to do: {hint}"
        super().__init__(message)


class ConfigError(AssessError):
    """A CSP configuration file is missing or invalid."""


class StatisticsError(AssessError, ValueError):
    """Impossible input to a statistical method (negative counts, zero population, ...)."""


#: What to do about an operating-system error, by its errno name.
_OS_HINTS = {
    "ENOSPC": "free some space on that disk, or write to another folder (--out / --processed)",
    "EDQUOT": "free some of your disk quota, or write to another folder (--out / --processed)",
    "EFBIG": "the file grew beyond the size this system allows: free space or raise the limit",
    "EACCES": "choose a folder you may write to (--out / --processed), or change its permissions",
    "EPERM": "choose a folder you may write to (--out / --processed), or change its permissions",
    "EROFS": "the disk is read-only: write to another folder (--out / --processed)",
    "ENOENT": "check the path",
    "EMFILE": "too many open files: close other programs or raise the limit (ulimit -n)",
}


def exit_status(exc: BaseException) -> int:
    """The exit status of a command that failed with ``exc``: 2 for bad input (an input file, a
    configuration, a path or option given, a folder that cannot be written), 1 for any other
    failure (a full disk, another run holding the folder, a bug). An AssessError may set its
    own ``exit_status``."""
    import errno

    if isinstance(exc, AssessError):
        return int(getattr(exc, "exit_status", 2))
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return 2  # a folder given that cannot be written: choose another
    return 1


def one_line(exc: BaseException) -> str:
    """``exc`` said in one line, with what to do: an AssessError's own message; an operating-system
    error with its file and a hint; anything else as an unexpected error to report."""
    import errno

    if isinstance(exc, AssessError):
        text = str(exc)
    elif isinstance(exc, OSError):
        name = errno.errorcode.get(exc.errno or 0, "")
        where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f)
        text = f"{where + ': ' if where else ''}{exc.strerror or exc}"
        hint = _OS_HINTS.get(name)
        if hint:
            text += f". What to do: {hint}"
    else:
        text = (f"unexpected error ({type(exc).__name__}: {exc}); what was written before it is kept as it was. "
                "Run again with --debug to see where, and report it")
    return " ".join(text.split())
