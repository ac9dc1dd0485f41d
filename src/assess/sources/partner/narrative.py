"""The partners' own account of a chapter or topic: one Markdown file each, with a front matter.

A partnership writes what its members say and do (the panels, the operations, the strategies)
in ``narrative/`` beside its other partner files (:func:`narrative_folder`), one file per chapter
or topic, named by the chapter's registry name (``06_young_people.md``) or a topic id of
:data:`assess.vocabulary.SAFEGUARDING_TOPICS` (``cuckooing.md``)::

    ---
    author: Wessex Vale Youth Offending Service
    date: 2025-05-15
    title: Diverting young people from the justice system    # optional
    ---
    The Joint Decision Making Panel met every week ...

The front matter is YAML between two ``---`` lines: ``author`` (the organisation that wrote it),
``date`` (``YYYY-MM-DD``) and, optionally, ``title``. The text is Markdown; the report renders
it with raw HTML disabled (:mod:`assess.report.partner_text`). A file named after no chapter
or topic, a front matter that is missing, unclosed or not YAML, a missing author or date, a bad
date, an empty text, text that is not UTF-8, or any other file in the folder is an
:class:`~assess.errors.InputError` naming the file, the line and the fix: nothing is skipped
in silence.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assess import reads
from assess.errors import ConfigError, InputError
from assess.sources.partner.yaml_files import (
    field_line,
    first_error,
    read_utf8,
    yaml_error,
)
from assess.vocabulary import SAFEGUARDING_TOPICS

#: The folder of the narrative files, inside a CSP's partner folder.
NARRATIVE_DIR = "narrative"
NARRATIVE_SUFFIX = ".md"
NARRATIVE_HINT = "see data/raw/README.md (partner narrative)"

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _DatesAsText(yaml.SafeLoader):
    """YAML's safe loader, leaving dates as text (:class:`FrontMatter` reads them, and names a bad one)."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class FrontMatter(BaseModel):
    """The front matter of a narrative file."""

    model_config = ConfigDict(extra="forbid")
    author: str = Field(description="the organisation that wrote the account")
    date: dt.date = Field(description="when it was written, YYYY-MM-DD")
    title: str | None = Field(default=None, description="a title for the account (optional)")

    @field_validator("author", "title", mode="before")
    @classmethod
    def _one_line(cls, v: object) -> object:
        if v is None:
            return v
        if not isinstance(v, str):
            raise ValueError("write it as text on one line")
        text = " ".join(v.split())
        if not text:
            raise ValueError("it is empty")
        return text

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> dt.date:
        if isinstance(v, dt.datetime):
            raise ValueError(f"'{v}' has a time: give the date alone, written YYYY-MM-DD, e.g. 2025-05-15")
        if isinstance(v, dt.date):
            return v
        text = str(v).strip()
        if _ISO_DATE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"'{text}' is not a day of the calendar") from None
        raise ValueError(f"'{text}' is not a date written YYYY-MM-DD, e.g. 2025-05-15")


@dataclass(frozen=True)
class Narrative:
    """One partner narrative: whose account of what, when, and its Markdown text."""

    key: str  # the chapter name (06_young_people) or topic id (cuckooing) it is filed under
    path: Path
    author: str
    date: dt.date
    title: str | None
    text: str  # Markdown, without the front matter
    text_line: int  # the line of the file on which the text starts


def narrative_folder(partner_dir: str | Path) -> Path:
    """Where the narrative files of a CSP are: ``<partner folder>/narrative/``
    (the partner folder is :func:`assess.sources.partner.partner_folder`)."""
    return Path(partner_dir) / NARRATIVE_DIR


def narrative_keys(chapter_names: Iterable[str]) -> tuple[str, ...]:
    """The names a narrative file may have (without ``.md``): the chapters', then the topic ids."""
    return (*chapter_names, *SAFEGUARDING_TOPICS)


def project_narrative_keys() -> tuple[str, ...] | None:
    """:func:`narrative_keys` of the project's chapter registry; None when it cannot be read
    (an installed package without the notebooks folder)."""
    from assess.registry import load_registry

    try:
        return narrative_keys(load_registry().names)
    except (FileNotFoundError, ConfigError):
        return None


def _known_name(path: Path, known: Collection[str]) -> str:
    key = path.name[: -len(NARRATIVE_SUFFIX)] if path.name.endswith(NARRATIVE_SUFFIX) else path.stem
    if key in known:
        return key
    same_number = [k for k in known if k[:3] == key[:3] and re.match(r"^\d{2}_", key)]
    close = same_number[:1] or difflib.get_close_matches(key.lower(), list(known), n=1, cutoff=0.6)
    guess = f" (did you mean {close[0]}{NARRATIVE_SUFFIX}?)" if close else ""
    chapters = [k for k in known if k[:1].isdigit()]
    topics = [k for k in known if not k[:1].isdigit()]
    raise InputError(
        path, f"'{key}' is neither a chapter nor a topic{guess}",
        hint=f"name the file after a chapter ({', '.join(chapters)}) or a topic ({', '.join(topics)}), "
        f"followed by {NARRATIVE_SUFFIX}; {NARRATIVE_HINT}",
    )


def _split_front_matter(path: Path, text: str) -> tuple[str, str, int]:
    """The front matter's YAML, the text after it, and the line the text starts on."""
    lines = text.split("\n")
    example = "begin the file with a line '---', then 'author: ...' and 'date: YYYY-MM-DD', then a line '---'"
    if not lines or not _FENCE.match(lines[0]):
        raise InputError(path, "the file does not begin with a front matter (a line '---')", row=1,
                         hint=f"{example}; {NARRATIVE_HINT}")
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i]):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise InputError(path, "the front matter is not closed: no second line '---'", row=1,
                     hint=f"{example}; {NARRATIVE_HINT}")


def parse_narrative(path: Path, text: str, key: str) -> Narrative:
    """The narrative filed under ``key`` from the text of its file (InputError naming the line)."""
    front, body, body_line = _split_front_matter(path, text)
    try:
        data = yaml.load(front, Loader=_DatesAsText) if front.strip() else {}  # noqa: S506 - a safe loader
        root = yaml.compose(front) if front.strip() else None
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc, line_offset=1, hint="fix the indentation or quoting of the front matter") from None
    if not isinstance(data, dict):
        raise InputError(path, "the front matter is not a list of fields ('author: ...', 'date: ...')", row=2,
                         hint=NARRATIVE_HINT)
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as exc:
        field, where, msg = first_error(exc)
        line = field_line(root, field) if field and field in data else None
        raise InputError(path, f"front matter, field '{where}': {msg}", row=line + 1 if line else 1, column=field,
                         hint=f"the front matter needs 'author:' (the organisation) and 'date:' (YYYY-MM-DD), "
                         f"and may have 'title:'; {NARRATIVE_HINT}") from None
    stripped = body.strip("\n")
    if not stripped.strip():
        raise InputError(path, "the file has a front matter but no text", row=body_line,
                         hint="write the account below the second '---' line, or delete the file")
    leading = len(body) - len(body.lstrip("\n"))
    return Narrative(key, path, meta.author, meta.date, meta.title, stripped, body_line + body[:leading].count("\n"))


def read_narrative(path: str | Path, known: Collection[str]) -> Narrative:
    """Read and validate one narrative file; its name (without ``.md``) must be one of ``known``."""
    path = Path(path)
    key = _known_name(path, known)
    return parse_narrative(path, read_utf8(path, f"write it, or run `assess demo`; {NARRATIVE_HINT}"), key)


def read_narratives(folder: str | Path, known: Collection[str]) -> dict[str, Narrative]:
    """Every narrative file of ``folder``, validated, by its key in file-name order; empty when
    the folder does not exist. Hidden files and Office lock files (``~$...``) are left alone;
    any other file or folder that is not a narrative is an InputError."""
    folder = Path(folder)
    reads.exists(folder)
    if not folder.is_dir():
        return {}
    found: dict[str, Narrative] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")):
            continue
        if path.is_dir():
            raise InputError(path, "a folder inside the narrative folder", hint=f"put the .md files directly in {folder}")
        if not path.name.endswith(NARRATIVE_SUFFIX):
            raise InputError(path, f"not a Markdown file: only {NARRATIVE_SUFFIX} files are read here",
                             hint=f"save the account as plain text with the extension {NARRATIVE_SUFFIX} "
                             f"(Markdown), or move the file out of {folder}; {NARRATIVE_HINT}")
        n = read_narrative(path, known)
        found[n.key] = n
    return found


def find_narrative(folder: str | Path, key: str) -> Narrative | None:
    """The narrative filed under ``key`` in ``folder`` (validated), or None when there is none."""
    path = Path(folder) / f"{key}{NARRATIVE_SUFFIX}"
    reads.exists(path)
    if not path.is_file():
        return None
    return read_narrative(path, (key,))


def check_narrative_folders(folders: Iterable[Path]) -> None:
    """Validate every narrative folder among ``folders`` (those named ``narrative/``), so that a bad
    account fails the ingest rather than its chapter; names are checked against the project's
    chapter registry when it can be read."""
    keys = None
    for folder in sorted({Path(f) for f in folders if Path(f).name == NARRATIVE_DIR}):
        keys = keys or project_narrative_keys()
        if keys is None:  # no registry to check names against: check each file's own contents
            for path in sorted(folder.glob(f"*{NARRATIVE_SUFFIX}")):
                parse_narrative(path, read_utf8(path, NARRATIVE_HINT), path.name[: -len(NARRATIVE_SUFFIX)])
            continue
        read_narratives(folder, keys)
