"""Paths taken from a configuration or an input, kept inside the folder they belong to.

A CSP configuration names folders and files (its ``slug``, ``partner_files``, ``ward_boundaries``),
and so does ``sources.yaml`` (the names fetched files are saved under). Every one of them is
hostile until checked: ``slug: ../../victim`` or ``partner_files: {scorecard: /etc/passwd}`` must
not publish outside ``--out`` or read outside ``--raw``.

Two checks, both raising :class:`UnsafePathError` (a :class:`~assess.errors.ConfigError`) that
names the field and the fix:

- :func:`check_plain_name` and :func:`check_relative_path` look at the text alone (when a
  configuration is read): a plain name is letters, digits and single hyphens; a relative path has
  no ``..``, no absolute root, no drive letter, no backslash and no NUL;
- :func:`inside` resolves the path on disk (when it is used): symbolic links are followed, and a
  path that ends up outside its folder, through a link or otherwise, is refused.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from assess.errors import ConfigError

#: A plain name (a CSP slug, a folder name): letters, digits and single hyphens between them.
PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


class UnsafePathError(ConfigError):
    """A path from a configuration or input that would reach outside its folder."""


def check_plain_name(value: str, field: str, *, source: str | None = None) -> str:
    """``value`` if it is a plain name (letters, digits, hyphens), else UnsafePathError naming ``field``."""
    if not isinstance(value, str) or not PLAIN_NAME.fullmatch(value):
        where = f"{source}: " if source else ""
        raise UnsafePathError(
            f"{where}field '{field}': {value!r} is not a plain name; use letters, digits and hyphens only "
            "(e.g. southampton or brighton-and-hove), because it becomes a folder name"
        )
    return value


def relative_path_problem(value: str) -> str | None:
    """Why ``value`` is not a safe relative path (None when it is one)."""
    if not isinstance(value, str) or not value.strip():
        return "it is empty"
    if "\x00" in value:
        return "it contains a NUL character"
    if "\\" in value:
        return "it contains a backslash (write folders with '/')"
    if re.match(r"^[A-Za-z]:", value):
        return "it starts with a drive letter"
    if value.startswith(("/", "~")):
        return "it is an absolute path"
    if ".." in PurePosixPath(value).parts:
        return "it climbs out of its folder with '..'"
    return None


def check_relative_path(value: str, field: str, folder: str, *, source: str | None = None) -> str:
    """``value`` if it is a safe path relative to ``folder`` (see :func:`relative_path_problem`),
    else UnsafePathError naming ``field`` and what to write instead."""
    problem = relative_path_problem(value)
    if problem is not None:
        where = f"{source}: " if source else ""
        raise UnsafePathError(
            f"{where}field '{field}': {value!r} is not a path inside {folder} ({problem}); "
            f"give a path relative to {folder}, such as partner/survey.csv, with no '..' and no leading '/'"
        )
    return value


def _link_on_the_way(root: Path, candidate: Path) -> Path | None:
    """The first symbolic link among ``candidate`` and its parents below ``root`` (None if none)."""
    try:
        parts = candidate.relative_to(root).parts
    except ValueError:
        return None
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def inside(root: str | Path, relative: str | Path, *, field: str, source: str | None = None) -> Path:
    """``root / relative``, checked to stay inside ``root`` once every symbolic link is followed.

    Returns the path as ``root / relative`` (not resolved, so messages keep the analyst's names).
    Raises UnsafePathError naming ``field`` when ``relative`` is not a safe relative path or when
    the resolved path leaves ``root`` (a symbolic link pointing elsewhere). ``root`` itself may be
    a link (a raw folder on another disk): it is resolved first. The file need not exist.
    """
    root = Path(root)
    text = relative.as_posix() if isinstance(relative, Path) else str(relative)
    check_relative_path(text, field, str(root), source=source)
    candidate = root / text
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(candidate))
    if real != real_root and not real.is_relative_to(real_root):
        where = f"{source}: " if source else ""
        link = _link_on_the_way(root, candidate)
        how = f"the symbolic link {link} points to {os.readlink(link)}" if link is not None else f"it resolves to {real}"
        raise UnsafePathError(
            f"{where}field '{field}': {candidate} leaves {root} ({how}); "
            f"put the file itself inside {root}, or replace the link by a copy"
        )
    return candidate
