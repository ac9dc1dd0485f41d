"""What an ingest says on the terminal: its warnings grouped by kind, and its tables with what
their rows count.

The readers' warnings (``IngestReport.warnings``, also kept whole in the processed manifest's
``warnings``) are sentences that name their file, a count and where in the file, e.g.
``home_office_prc/x.csv: x.csv: 6 negative counts kept (Home Office adjustments ...), rows 3, 9``.
:func:`group_warnings` gives one line per kind of warning ("negative counts kept (...)") with the
number of things and files it concerns; the details stay in the manifest and are printed with
``--verbose``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: ``<relative path>: `` and ``<file name>: `` prefixes of a warning (one or both).
_FILE_PREFIX = re.compile(r"^(?:[^\s:]+\.[A-Za-z0-9]{2,5}: )+")
#: Where a warning says the rows or sheets it concerns: cut off to name its kind.
_DETAIL = re.compile(r"(?:,\s*(?:rows?|sheet|first at)\b.*|\s*\((?:first at|rows?)\b[^)]*\)|:\s.*)$")
_LEADING_COUNT = re.compile(r"^(\d[\d,]*)\s+")
_NUMBER = re.compile(r"\b\d[\d,]*\b")


@dataclass
class WarningGroup:
    """Warnings of one kind: how many, over which files."""

    kind: str
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    count: int = 0  # the things they count (6 negative counts + 5 ...), else the warnings
    counted: bool = False  # True when every warning of the kind starts with a count

    def line(self) -> str:
        """``negative counts kept (...): 47 in 8 files``; ``columns not used: 2 files``."""
        files = len(set(self.files))
        in_files = f"{files} file{'s' if files != 1 else ''}"
        if self.counted:
            return f"{self.kind}: {self.count:,}" + (f" in {in_files}" if files else "")
        n = len(self.warnings)
        return f"{self.kind}: " + (in_files if files == n else f"{n:,} warning{'s' if n != 1 else ''}" + (f" in {in_files}" if files else ""))


def warning_kind(warning: str) -> tuple[str, str | None, int | None]:
    """``(kind, file, count)`` of one warning: its text without the file names, the count it
    starts with and the rows or sheets it points at; the file it names (or None); that count."""
    prefix = _FILE_PREFIX.match(warning)
    file = prefix.group(0).split(": ")[0] if prefix else None
    text = warning[prefix.end():] if prefix else warning
    count = None
    m = _LEADING_COUNT.match(text)
    if m:
        count = int(m.group(1).replace(",", ""))
        text = text[m.end():]
    kind = _DETAIL.sub("", text).rstrip(" .") or text
    kind = _NUMBER.sub("N", kind)  # "in 3 LSOAs the age bands ..." and "in 5 LSOAs ..." are one kind
    return kind, file, count


def group_warnings(warnings: Iterable[str]) -> list[WarningGroup]:
    """The warnings grouped by :func:`warning_kind`, in the order each kind first appears."""
    groups: dict[str, WarningGroup] = {}
    for w in warnings:
        kind, file, count = warning_kind(w)
        if kind not in groups:
            groups[kind] = WarningGroup(kind, counted=True)
        g = groups[kind]
        g.counted = g.counted and count is not None
        g.warnings.append(w)
        if file:
            g.files.append(file)
        g.count += count if count is not None else 1
    return list(groups.values())


#: What one row of a processed table is, where it is not one input record.
ROW_MEANING = {
    "unplaced": "source file and reason",
    "coverage": "force and financial year",
    "duplicate_crime_ids": "street row whose Crime ID repeats",
}


def table_rows(rows: Mapping[str, int], unplaced_rows: int) -> list[tuple[str, str, str]]:
    """``(table, rows, note)`` for the ingest's table of processed tables: the ``unplaced`` table
    holds one row per file and reason, so its note gives the street rows those rows count."""
    out = []
    for name, n in rows.items():
        note = ROW_MEANING.get(name, "")
        if name == "unplaced":
            note = f"one row per source file and reason, {unplaced_rows:,} street rows in all"
        elif note:
            note = f"one row per {note}"
        out.append((name, f"{n:,}", note))
    return out
