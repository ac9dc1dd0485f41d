"""The chapter registry: which chapters the assessment has, declared once.

The chapters are declared in ``chapters.yaml`` beside their notebooks (as jupyter-book declares a
book in its table of contents): each chapter's number, slug, title, kind, theme, phase and inputs (declared once under ``inputs``, :class:`ChapterInput`). Every
part of the project that needs to know the chapters reads it through :func:`load_registry`:
execution (which notebooks, in which phases), the executive summary (titles, themes, which
chapters are missing), the index and the PDF (titles, order).

A chapter ``NN_<slug>`` has the notebook ``NN_<slug>.ipynb`` and the module
``assess.chapters.<slug>``; its notebook's first heading is :attr:`Chapter.heading`. The bundle
keeps a copy of the registry with the executed notebooks, so a chapter that reads the others'
outputs (the summary) reads the registry of its own run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assess.errors import ConfigError

#: The registry's file name, in a notebooks folder.
REGISTRY_FILE = "chapters.yaml"

#: A chapter's name: its two-digit number and its slug (``08_hate_crime``).
CHAPTER_NAME = re.compile(r"^(\d{2})_([a-z][a-z0-9_]*)$")

Kind = Literal["chapter", "summary", "appendix"]


class UnknownChapter(ConfigError, LookupError):
    """A chapter asked for by a name, number or slug that the registry does not know."""


@dataclass(frozen=True)
class Theme:
    """A partnership priority theme: the words by which a priority names it, and the priority of
    :data:`assess.config.DEFAULT_PRIORITIES` it falls under when no configured priority names it."""

    name: str
    priority_keywords: tuple[str, ...]
    default_position: int  # 0-based index into DEFAULT_PRIORITIES
    priority_excludes: tuple[str, ...] = ()

    def priorities(self, priorities: Sequence[str]) -> list[int]:
        """Indexes of the configured priorities this theme bears on: those whose text contains one
        of its keywords (and none of its excluded words), else its default position when the
        configuration has one there; may be empty."""
        hits = [
            i for i, p in enumerate(priorities)
            if any(k in p.lower() for k in self.priority_keywords) and not any(x in p.lower() for x in self.priority_excludes)
        ]
        if hits:
            return hits
        return [self.default_position] if self.default_position < len(priorities) else []


#: The themes a chapter may bear on. With the default priorities, crime, reoffending and ASB go to
#: priority 1, drugs and alcohol to 2, vulnerable people and hate crime to 3, youth (and
#: reoffending, which a youth priority names) to 4.
THEMES: dict[str, Theme] = {
    t.name: t
    for t in (
        Theme("youth", ("youth", "young"), 3),
        Theme("drugs and alcohol", ("drug", "alcohol", "substance"), 1),
        Theme("vulnerable people", ("vulnerab", "safeguard", "protect", "exploit", "hate"), 2),
        Theme("reoffending", ("reoffend", "offender"), 0),
        Theme("anti-social behaviour", ("anti-social", "antisocial", "asb", "nuisance", "begging", "rough sleep"), 0),
        Theme("crime", ("crime", "violence", "offence", "burglary", "theft"), 0, ("youth", "young", "hate")),
    )
}


class Chapter(BaseModel):
    """One chapter of the assessment, as declared in ``chapters.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=0, le=99)
    slug: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    kind: Kind = "chapter"
    theme: str | None = None
    phase: int = Field(default=1, ge=1, le=3)
    inputs: tuple[str, ...] = ()  # keys of the registry's inputs that fill it

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, v: str | None) -> str | None:
        if v is not None and v not in THEMES:
            raise ValueError(f"unknown theme '{v}'; the themes are: {', '.join(THEMES)}")
        return v

    @property
    def name(self) -> str:
        """``08_hate_crime``: the stem of its notebook, and of every file it publishes."""
        return f"{self.number:02d}_{self.slug}"

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def module(self) -> str:
        """The module that holds its sections: ``assess.chapters.<slug>``."""
        return f"assess.chapters.{self.slug}"

    @property
    def heading(self) -> str:
        """Its notebook's first heading: ``"8. Hate crime"``; the title alone for a summary or appendix."""
        return f"{self.number}. {self.title}" if self.kind == "chapter" else self.title

    @property
    def reads_others(self) -> bool:
        """True for chapters that read what the others published (they run after them)."""
        return self.phase > 1

    @property
    def theme_of(self) -> Theme | None:
        return THEMES.get(self.theme) if self.theme else None


class ChapterInput(BaseModel):
    """An input a chapter reads, as a user supplies it (declared under ``inputs`` in ``chapters.yaml``).

    Exactly one of: ``table`` (a processed table, with a row matching ``where`` when given: each
    column holds one of the values listed, or ``"notnull"``/``"null"``), ``partner`` (a partner file
    of the configuration's ``partner_files``), ``boundaries`` (the configuration's ward boundaries).
    ``files`` names the files that supply it as downloaded; a partner input's file name comes from
    the configuration. :mod:`assess.chapter_inputs` says which are present.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    files: tuple[str, ...] = ()
    page: str | None = None
    table: str | None = None
    where: dict[str, tuple[str | int, ...] | Literal["notnull", "null"]] = Field(default_factory=dict)
    partner: str | None = None
    boundaries: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> ChapterInput:
        kinds = [k for k, on in (("table", self.table), ("partner", self.partner), ("boundaries", self.boundaries)) if on]
        if len(kinds) != 1:
            raise ValueError(f"give exactly one of table, partner, boundaries (got {', '.join(kinds) or 'none'})")
        if self.where and not self.table:
            raise ValueError("where applies to a table input only")
        return self

    @property
    def public(self) -> bool:
        """True for a public download (not a partner file)."""
        return self.partner is None

    def describe(self, files: Sequence[str] | None = None, markdown: bool = False) -> str:
        """``label (download F; G, from page)`` or ``label (partner file F)``: what to supply, in a
        reader's words. ``files`` are the names to cite (default: the declared ``files``); with
        ``markdown`` each is code (file patterns hold ``*``)."""
        def name(f: str) -> str:
            return f"`{f.replace('`', '')}`" if markdown else f

        named = "; ".join(name(f) for f in (self.files if files is None else files))
        if self.partner is not None:
            return f"{self.label} (partner file {named})"
        where = f"download {named}" if named else ""
        if self.page:
            where += f", from {self.page}" if where else f"from {self.page}"
        return f"{self.label} ({where})" if where else self.label


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inputs: dict[str, ChapterInput] = Field(default_factory=dict)
    context: list[str] = Field(default_factory=list)
    chapters: list[Chapter] = Field(min_length=1)


@dataclass(frozen=True)
class Registry:
    """The chapters of one notebooks folder, in number order."""

    folder: Path
    chapters: tuple[Chapter, ...]
    inputs: Mapping[str, ChapterInput] = field(default_factory=dict)
    #: Inputs every chapter reads to set its scene (the months of the year held), filling none.
    context: tuple[str, ...] = ()

    def __iter__(self):  # noqa: ANN204 - iterate over the chapters
        return iter(self.chapters)

    def __len__(self) -> int:
        return len(self.chapters)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.chapters]

    def get(self, name: str) -> Chapter | None:
        """The chapter named ``NN_slug``, or None."""
        return next((c for c in self.chapters if c.name == name), None)

    def find(self, want: str) -> Chapter | None:
        """A chapter by name (``03_places``), number (``03`` or ``3``) or slug (``places``)."""
        want = str(want).strip()
        for c in self.chapters:
            if want in (c.name, c.slug, f"{c.number:02d}", str(c.number)):
                return c
        return None

    def select(self, wanted: Iterable[str] | None = None) -> list[Chapter]:
        """The chapters asked for (all when ``wanted`` is None), in order; ConfigError for an unknown one."""
        if wanted is None:
            return list(self.chapters)
        chosen: set[str] = set()
        for want in wanted:
            c = self.find(want)
            if c is None:
                raise UnknownChapter(f"no chapter '{want}' (chapters: {', '.join(self.names)})")
            chosen.add(c.name)
        return [c for c in self.chapters if c.name in chosen]

    def notebook_path(self, chapter: Chapter) -> Path:
        return self.folder / chapter.notebook

    def phases(self, chapters: Sequence[Chapter] | None = None) -> list[list[Chapter]]:
        """Chapters that may run together first (phase 1), then each later one on its own, by phase."""
        chapters = list(self.chapters if chapters is None else chapters)
        first = [c for c in chapters if c.phase == 1]
        late = sorted((c for c in chapters if c.phase > 1), key=lambda c: (c.phase, c.number))
        return ([first] if first else []) + [[c] for c in late]

    def title(self, name: str) -> str:
        """A reader's title of the chapter ``name`` (an unregistered name in sentence case)."""
        c = self.get(name)
        return c.title if c is not None else title_from_name(name)

    def heading(self, name: str) -> str:
        c = self.get(name)
        return c.heading if c is not None else title_from_name(name)

    def inputs_of(self, name: str) -> list[tuple[str, ChapterInput]]:
        """The inputs declared for chapter ``name`` (key and declaration, in declared order); none
        for an unregistered chapter."""
        c = self.get(name)
        return [(k, self.inputs[k]) for k in c.inputs] if c is not None else []

    def supply_hint(self, key: str) -> str:
        """What a user supplies for the declared input ``key``, and where: its description
        (:meth:`ChapterInput.describe`) "into data/raw/". KeyError names an undeclared key."""
        if key not in self.inputs:
            raise KeyError(f"chapters.yaml declares no input {key!r} (declared: {', '.join(sorted(self.inputs))})")
        return f"{self.inputs[key].describe()} into data/raw/"

    def chapters_of_input(self, key: str) -> list[Chapter]:
        """The chapters an input fills, in order."""
        return [c for c in self.chapters if key in c.inputs]

    def reading_chapters(self) -> list[str]:
        """Names of the chapters that read the others' outputs (the scorecard, the summary)."""
        return [c.name for c in self.chapters if c.reads_others]


def sort_key(name: str) -> tuple[int, str]:
    """Order of chapter names: by number, then name; names without a number last."""
    m = CHAPTER_NAME.match(name)
    return (int(m.group(1)) if m else 10_000, name)


def title_from_name(name: str) -> str:
    """``"08_hate_crime"`` -> ``"Hate crime"`` (for a chapter the registry does not know)."""
    m = CHAPTER_NAME.match(name)
    words = (m.group(2) if m else name).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


class NotebooksNotFound(ConfigError, FileNotFoundError):
    """A notebooks folder that does not exist (or holds no chapter registry)."""


def default_notebooks_dir() -> Path:
    """The chapter notebooks of this installation.

    The project's ``notebooks/`` folder beside ``src/`` (an editable install or a clone), else the
    copy a wheel installs into the environment's data folder (``<prefix>/share/assess/notebooks``,
    found through the installed distribution's file list, so a ``--user`` or ``--prefix``
    install is found too). The project's folder when neither exists (load_registry then says so).
    """
    from assess.paths import installed_share

    source = Path(__file__).resolve().parents[2] / "notebooks"
    if (source / REGISTRY_FILE).is_file():
        return source
    installed = installed_share(f"notebooks/{REGISTRY_FILE}")
    return installed.parent if installed is not None else source


def load_registry(notebooks_dir: str | Path | None = None, *, require_notebooks: bool = True) -> Registry:
    """The registry of ``notebooks_dir`` (the project's notebooks by default).

    Raises ConfigError naming the file and the entry when ``chapters.yaml`` is absent, malformed,
    names a chapter twice, or (with ``require_notebooks``) names a notebook that is not there. A
    bundle's copy of the registry is read without that check: a run may execute some chapters only.
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    if not folder.is_dir():
        raise NotebooksNotFound(f"{folder}: no such notebooks folder (give the folder of the chapter notebooks with --notebooks)")
    path = folder / REGISTRY_FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise NotebooksNotFound(
            f"{path}: no chapter registry; a notebooks folder declares its chapters in {REGISTRY_FILE}"
        ) from None
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size, require_notebooks)


@lru_cache(maxsize=16)
def _load(path_text: str, _mtime_ns: int, _size: int, require_notebooks: bool) -> Registry:
    path = Path(path_text)
    try:
        # libyaml's safe loader where it is built (the same documents as yaml.safe_load, 10x faster)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        parsed = _File.model_validate(data)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not readable YAML ({exc})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {where}: {err['msg']}") from None
    chapters = sorted(parsed.chapters, key=lambda c: c.number)
    seen: dict[str, str] = {}
    for c in chapters:
        for key in (f"number {c.number}", f"slug {c.slug}"):
            if key in seen:
                raise ConfigError(f"{path}: {key} is declared twice")
            seen[key] = c.name
        if require_notebooks and not (path.parent / c.notebook).is_file():
            raise ConfigError(f"{path}: chapter {c.name} has no notebook {c.notebook} in {path.parent}")
        unknown = [k for k in c.inputs if k not in parsed.inputs]
        if unknown:
            raise ConfigError(f"{path}: chapter {c.name} names inputs not declared under inputs: {', '.join(unknown)}")
    unknown = [k for k in parsed.context if k not in parsed.inputs]
    if unknown:
        raise ConfigError(f"{path}: context names inputs not declared under inputs: {', '.join(unknown)}")
    return Registry(path.parent, tuple(chapters), dict(parsed.inputs), tuple(parsed.context))
