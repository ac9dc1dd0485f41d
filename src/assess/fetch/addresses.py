"""The source addresses of ``src/assess/sources.yaml``, read and validated into typed objects.

Every download address the project uses lives in that one YAML file, so that a file the publisher
moves is a one-line fix. :func:`load_sources` reads it (or another copy named by an argument or by
the ``ASSESS_SOURCES`` environment variable) and can redirect every address to another host
(``ASSESS_SOURCES_BASE_URL``), which is how tests point all of them at a local server.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assess.fetch.errors import SOURCES_FILE, SourcesError
from assess.safe_paths import relative_path_problem

#: The sources file shipped with the package.
PACKAGED_SOURCES = Path(__file__).resolve().parents[1] / "sources.yaml"

#: Environment variable naming another sources file to use instead of the packaged one.
ENV_SOURCES = "ASSESS_SOURCES"
#: Environment variable giving a base URL (scheme://host[:port][/prefix]) that replaces the
#: scheme and host of every address, keeping its path and query.
ENV_BASE_URL = "ASSESS_SOURCES_BASE_URL"

#: Placeholders fetch fills in addresses, file names and archive members.
PLACEHOLDERS = frozenset({"month", "force", "year", "kind", "link", "indicator_id", "area_type_id", "parent_area_type_id"})

Role = Literal[
    "police_uk_archive", "police_uk_custom", "lookup", "population", "recorded_crime", "rough_sleeping", "fingertips"
]


def _placeholders(template: str) -> set[str]:
    """The ``{name}`` fields of a format string (raises ValueError for a malformed one)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_saved_name(template: str | None) -> str | None:
    """A file name or member template, which becomes a path in the raw folder: no '..', no root."""
    template = _check_template(template)
    if template is not None:
        problem = relative_path_problem(template)
        if problem is not None:
            raise ValueError(f"'{template}' cannot be a file name inside the raw data folder ({problem})")
    return template


def _check_template(template: str | None) -> str | None:
    if template is None:
        return None
    try:
        names = _placeholders(template)
    except ValueError as exc:
        raise ValueError(f"'{template}' is not a valid template ({exc}); write placeholders as {{month}}") from None
    unknown = sorted(n for n in names if n not in PLACEHOLDERS)
    if unknown:
        raise ValueError(
            f"'{template}' uses unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}; "
            f"fetch supplies {', '.join('{' + n + '}' for n in sorted(PLACEHOLDERS))}"
        )
    return template


class Edition(BaseModel):
    """One year's address of a source whose file names change from release to release."""

    model_config = ConfigDict(extra="forbid")
    url: str | None = None
    filename: str
    sha256: str | None = None

    @field_validator("url")
    @classmethod
    def _templates(cls, v: str | None) -> str | None:
        return _check_template(v)

    @field_validator("filename")
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        return _check_saved_name(v)


class Indicator(BaseModel):
    """A Fingertips indicator fetch downloads: its id, its name as Fingertips gives it (checked
    against the API's metadata before each download), and the chapter and metric it feeds."""

    model_config = ConfigDict(extra="forbid")
    id: int = Field(gt=0, description="Fingertips indicator id")
    name: str = Field(min_length=1, description="the indicator's name in the Fingertips metadata")
    chapter: str = Field(min_length=1, description="the chapter module it feeds (notebooks/chapters.yaml)")
    metric: str = Field(min_length=1, description="the metric id it feeds in that chapter")
    checked: str = Field(default="", description="how the id was found and checked, for the reader of the file")


class Source(BaseModel):
    """One published input: where it is downloaded from and the name it is saved under."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(default="", description="its key in the sources file (filled in by load_sources)")
    role: Role
    publisher: str
    page: str | None = Field(default=None, description="landing page where a person finds the current link")
    url: str | None = Field(default=None, description="download address template; null = not recorded yet")
    filename: str | None = Field(default=None, description="published file name template")
    folder: str = Field(description="sub-folder of the raw data folder")
    member: str | None = Field(default=None, description="zip member template (archives only)")
    sha256: str | None = Field(default=None, description="expected SHA-256 (64 hex digits), if pinned")
    editions: dict[str, Edition] = Field(default_factory=dict, description="per-year addresses")
    metadata_url: str | None = Field(default=None, description="(fingertips) indicator metadata address template")
    area_type_id: int | None = Field(default=None, description="(fingertips) child area type of the download")
    parent_area_type_id: int | None = Field(default=None, description="(fingertips) parent area type of the download")
    indicators: list[Indicator] = Field(default_factory=list, description="(fingertips) the indicators to download")
    licence: str = "OGL-UK-3.0"

    @field_validator("url", "metadata_url")
    @classmethod
    def _templates(cls, v: str | None) -> str | None:
        return _check_template(v)

    @field_validator("filename", "member")
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        return _check_saved_name(v)

    @field_validator("sha256")
    @classmethod
    def _sha(cls, v: str | None) -> str | None:
        if v is not None and (len(v) != 64 or any(c not in "0123456789abcdef" for c in v.lower())):
            raise ValueError(f"'{v}' is not a SHA-256 (64 hexadecimal digits)")
        return v.lower() if v else v

    @field_validator("folder")
    @classmethod
    def _folder(cls, v: str) -> str:
        if relative_path_problem(v) is not None:
            raise ValueError(f"folder '{v}' must be a relative path inside the raw data folder ({relative_path_problem(v)})")
        return v

    @model_validator(mode="after")
    def _complete(self) -> Source:
        if not self.editions and self.filename is None:
            raise ValueError("an entry without editions needs a filename")
        if self.role in ("police_uk_archive", "police_uk_custom") and not self.member:
            raise ValueError(f"a {self.role} entry needs a member template like '{{month}}/{{month}}-{{force}}-{{kind}}.csv'")
        if self.role == "fingertips":
            missing = [f for f in ("filename", "area_type_id", "parent_area_type_id") if getattr(self, f) is None]
            if missing or not self.indicators:
                raise ValueError(
                    f"a fingertips entry needs {', '.join(missing + ([] if self.indicators else ['indicators']))}"
                )
            ids = [i.id for i in self.indicators]
            if len(set(ids)) != len(ids):
                raise ValueError(f"indicator {next(i for i in ids if ids.count(i) > 1)} is listed twice")
        elif self.indicators or self.metadata_url:
            raise ValueError("indicators and metadata_url belong to a fingertips entry")
        return self

    def fingertips_address(self, indicator: Indicator) -> tuple[str | None, str | None, str]:
        """``(data url, metadata url, file name)`` of one indicator of a fingertips entry (a url is
        None when the entry records none: fetch lists the indicator as missing)."""
        values = {
            "indicator_id": str(indicator.id),
            "area_type_id": str(self.area_type_id),
            "parent_area_type_id": str(self.parent_area_type_id),
        }
        return (
            self._fill(self.url, values) if self.url is not None else None,
            self._fill(self.metadata_url, values) if self.metadata_url is not None else None,
            self._fill(self.filename, values),  # type: ignore[arg-type]
        )

    def address(self, year: str | None = None, **values: str) -> tuple[str | None, str, str | None]:
        """``(url, filename, sha256)`` for this source, its placeholders filled from ``values``.

        ``year`` selects an edition when the source has editions. ``url`` is None when no address
        is recorded yet. Raises SourcesError for a missing edition or an unfilled placeholder.
        """
        url, filename, sha = self.url, self.filename, self.sha256
        if self.editions:
            if year is None or year not in self.editions:
                have = ", ".join(sorted(self.editions)) or "none"
                raise SourcesError(
                    f"{SOURCES_FILE} key '{self.key}': no edition for {self.edition_label(year)} (editions: {have}); "
                    f"add one under 'editions' with the link from {self.page or 'the publisher'}"
                )
            ed = self.editions[year]
            url, filename, sha = ed.url, ed.filename, ed.sha256 or sha
        values = {**values, **({"year": year} if year is not None else {})}
        return (
            self._fill(url, values) if url is not None else None,
            self._fill(filename, values),  # type: ignore[arg-type]
            sha,
        )

    def edition_label(self, year: str | None) -> str:
        """How an edition's year reads: ``autumn 2017`` (rough sleeping snapshot), else ``mid-2017``."""
        return f"autumn {year}" if self.role == "rough_sleeping" else f"mid-{year}"

    def member_name(self, **values: str) -> str:
        """The archive member for ``values`` (month, force, kind), as published."""
        if self.member is None:
            raise SourcesError(f"{SOURCES_FILE} key '{self.key}': no 'member' template")
        return self._fill(self.member, values)

    def _fill(self, template: str, values: Mapping[str, str]) -> str:
        missing = sorted(_placeholders(template) - set(values))
        if missing:
            raise SourcesError(
                f"{SOURCES_FILE} key '{self.key}': '{template}' needs {', '.join('{' + m + '}' for m in missing)}, "
                f"which fetch does not supply for a '{self.role}' source; remove it from the template"
            )
        return template.format_map(values)


class Sources(BaseModel):
    """Every source address, by key, and the file they were read from."""

    model_config = ConfigDict(extra="forbid")
    version: int = 1
    sources: dict[str, Source]
    path: Path | None = Field(default=None, description="the file these were read from")

    @model_validator(mode="after")
    def _keys(self) -> Sources:
        for key, src in self.sources.items():
            src.key = key
        return self

    def __getitem__(self, key: str) -> Source:
        try:
            return self.sources[key]
        except KeyError:
            raise SourcesError(
                f"{self.path or SOURCES_FILE}: no source '{key}' (known: {', '.join(sorted(self.sources))}); "
                f"add it, copying an entry of the packaged {SOURCES_FILE}"
            ) from None

    def by_role(self, role: Role) -> list[Source]:
        """The sources of one role, in file order."""
        return [s for s in self.sources.values() if s.role == role]


def rebase_url(url: str, base_url: str) -> str:
    """``url`` with its scheme and host replaced by ``base_url``'s, path and query kept.

    ``rebase_url("https://data.police.uk/data/archive/2017-05.zip", "http://127.0.0.1:8000")``
    -> ``"http://127.0.0.1:8000/data/archive/2017-05.zip"``. A path in ``base_url`` is prefixed.
    Placeholders such as ``{link}`` (a whole pasted address) are left untouched.
    """
    if url.startswith("{"):
        return url
    parts = urlsplit(url)
    base = urlsplit(base_url.rstrip("/"))
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))


def load_sources(path: str | Path | None = None, *, base_url: str | None = None) -> Sources:
    """Read and validate the sources file.

    The file is ``path`` if given, else the one named by ``$ASSESS_SOURCES``, else the packaged
    ``src/assess/sources.yaml``. ``base_url`` (else ``$ASSESS_SOURCES_BASE_URL``) redirects every
    address to another host with the same paths (a mirror, or a local server in tests).
    Raises SourcesError naming the file and the entry at fault.
    """
    chosen = Path(path) if path is not None else Path(os.environ[ENV_SOURCES]) if os.environ.get(ENV_SOURCES) else PACKAGED_SOURCES
    try:
        data = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        via = f" (named by ${ENV_SOURCES})" if path is None and os.environ.get(ENV_SOURCES) else ""
        raise SourcesError(f"{chosen}{via}: no such sources file; copy {SOURCES_FILE} there or fix the path") from None
    except yaml.YAMLError as exc:
        raise SourcesError(f"{chosen}: not valid YAML ({exc}); fix the line it names") from None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise SourcesError(f"{chosen}: expected a mapping with a 'sources:' mapping of entries; see {SOURCES_FILE}")
    try:
        sources = Sources.model_validate({**data, "path": chosen})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise SourcesError(f"{chosen}: entry '{loc}': {first['msg']}; see the field notes at the top of {SOURCES_FILE}") from None
    base_url = base_url if base_url is not None else os.environ.get(ENV_BASE_URL) or None
    if base_url:
        for src in sources.sources.values():
            if src.url is not None:
                src.url = rebase_url(src.url, base_url)
            if src.metadata_url is not None:
                src.metadata_url = rebase_url(src.metadata_url, base_url)
            for ed in src.editions.values():
                if ed.url is not None:
                    ed.url = rebase_url(ed.url, base_url)
    return sources
