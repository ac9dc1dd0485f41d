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
