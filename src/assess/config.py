"""The configuration of a Community Safety Partnership: one typed object, read from YAML.

One file per CSP lives in ``config/csp/<slug>.yaml``. ``assess init-csp`` writes it for any CSP
in England and Wales from the ONS local authority -> CSP -> police force area lookup.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from assess.errors import ConfigError, InputError
from assess.safe_paths import check_plain_name, check_relative_path

DEFAULT_CONFIG_DIR = Path("config/csp")

DEFAULT_PRIORITIES = [
    "Reduce crime, reoffending and anti-social behaviour",
    "Reduce the harm caused by drugs and alcohol",
    "Protect vulnerable people",
    "Reduce youth crime and reoffending",
]

#: Partner files the chapters use when present, by their name in ``data/raw/partner/``.
DEFAULT_PARTNER_FILES = {
    "force_flags": "force_flags.csv",
    "resident_survey": "resident_survey.csv",
    "offenders": "offenders.csv",
    "youth_justice": "youth_justice.csv",
    "rough_sleeping": "rough_sleeping.csv",
    "drug_deaths": "drug_related_deaths.csv",
    "calls_for_service": "calls_for_service.csv",
    "benchmarks": "national_benchmarks.csv",
    "scorecard": "scorecard_targets.yaml",
    "safeguarding_topics": "safeguarding_topics.csv",
    "recommendations": "recommendations.yaml",
}


def slugify(name: str) -> str:
    """``"Southampton"`` -> ``"southampton"``; ``"Brighton & Hove"`` -> ``"brighton-and-hove"``."""
    s = name.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


class Area(BaseModel):
    """An ONS area: its GSS code (E06000045) and name."""

    model_config = ConfigDict(extra="forbid")
    code: str
    name: str


class PoliceForce(BaseModel):
    """The police force area that covers the CSP."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="Force name as in the Home Office tables, e.g. 'Hampshire'")
    code: str | None = Field(default=None, description="ONS police force area code (E23...)")
    police_uk: str = Field(description="data.police.uk force slug, e.g. 'hampshire'")

    @field_validator("police_uk")
    @classmethod
    def _police_uk(cls, v: str) -> str:
        return check_plain_name(v, "police_force.police_uk")


class CSPConfig(BaseModel):
    """Everything the assessment needs to know about one CSP."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="CSP name as in the ONS lookup and the Home Office CSP tables")
    code: str = Field(description="ONS CSP code (E22... in England, W14... or W22... in Wales)")
    slug: str = Field(default="", description="folder name under reports/; derived from the name")
    partnership_name: str | None = Field(default=None, description="e.g. 'Southampton Safe City Partnership'")
    local_authorities: list[Area] = Field(min_length=1, description="at least one local authority")
    police_force: PoliceForce
    most_similar_group: list[str] = Field(
        default_factory=list, description="Names of the CSPs in its most-similar group (Home Office iQuanta)"
    )
    national_name: str = Field(default="England", description="Label of the national comparator")
    partner_files: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PARTNER_FILES))
    ward_boundaries: str | None = Field(default=None, description="GeoJSON of ward boundaries in data/raw/")
    priorities: list[str] = Field(default_factory=lambda: list(DEFAULT_PRIORITIES))
    suppression_threshold: int = Field(
        default=5, ge=1, description="Counts from 1 up to this value minus one are suppressed in published tables"
    )
    synthetic: bool = Field(default=False, description="True for the demonstration CSP")

    _source: Path | None = PrivateAttr(default=None)

    @field_validator("partner_files")
    @classmethod
    def _partner_files(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(DEFAULT_PARTNER_FILES))
        if unknown:
            raise ValueError(
                f"unknown partner file key(s) {', '.join(unknown)}; the keys are {', '.join(DEFAULT_PARTNER_FILES)}"
            )
        for key, name in v.items():
            check_relative_path(name, f"partner_files.{key}", "data/raw/partner/")
        return {**DEFAULT_PARTNER_FILES, **v}

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str) -> str:
        return check_plain_name(v, "slug") if v else v

    @field_validator("ward_boundaries")
    @classmethod
    def _ward_boundaries(cls, v: str | None) -> str | None:
        return check_relative_path(v, "ward_boundaries", "data/raw/") if v is not None else v

    @model_validator(mode="after")
    def _known_force(self) -> CSPConfig:
        """A non-synthetic CSP's ``police_uk`` slug that is a near miss of a data.police.uk force
        (``hampshir``) is a typing error: refused, naming the force meant. A slug like no force
        (a fictional nation's ``synthetic-force-0``, built from its lookup) is allowed here: only
        ``assess fetch`` needs a real one, and refuses it there (:func:`require_police_uk_force`)."""
        if not self.synthetic:
            problem = police_uk_force_problem(self.police_force.police_uk)
            if problem is not None and "did you mean" in problem:
                raise ValueError(problem)
        return self

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"[EW]\d{8}", v):
            raise ValueError(f"'{v}' is not an ONS code like E22000120")
        return v

    def model_post_init(self, __context: object) -> None:
        if not self.slug:
            self.slug = check_plain_name(slugify(self.name), "slug (derived from the name)")

    @property
    def source(self) -> Path | None:
        """The YAML file this configuration was read from (None when built in code)."""
        return self._source

    def __eq__(self, other: object) -> bool:
        """Two configurations are equal when their fields are, wherever they were read from."""
        if not isinstance(other, CSPConfig):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]  # mutable, like every pydantic model

    @property
    def lad_codes(self) -> list[str]:
        return [a.code for a in self.local_authorities]

    @property
    def display_name(self) -> str:
        return self.partnership_name or f"{self.name} Community Safety Partnership"


def load_config(path: str | Path) -> CSPConfig:
    """Read and validate one CSP YAML file (UTF-8 text of at most 4 MiB)."""
    from assess.file_checks import MAX_YAML_BYTES, read_text_file

    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such CSP configuration; write one with `assess init-csp`")
    try:
        text = read_text_file(path, what="YAML", max_bytes=MAX_YAML_BYTES,
                              hint="save the configuration as UTF-8 text (see config/csp/README.md)")
        data = yaml.safe_load(text)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())}); fix the line it names") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of fields (name:, code:, ...), found "
                          f"{type(data).__name__}; see config/csp/README.md")
    try:
        cfg = CSPConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(the file)"
        msg = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}: field '{loc}': {msg}; see config/csp/README.md") from None
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    cfg._source = path
    return cfg


def find_config(csp: str, config_dir: str | Path = DEFAULT_CONFIG_DIR) -> CSPConfig:
    """The configuration of a CSP given by slug, name or ONS code."""
    config_dir = Path(config_dir)
    direct = config_dir / f"{slugify(csp)}.yaml"
    if direct.exists():
        return load_config(direct)
    for p in sorted(config_dir.glob("*.yaml")):
        cfg = load_config(p)
        if csp in (cfg.code, cfg.name, cfg.slug):
            return cfg
    known = ", ".join(p.stem for p in sorted(config_dir.glob("*.yaml"))) or "none"
    raise ConfigError(
        f"no configuration for CSP '{csp}' in {config_dir} (known: {known}); "
        f"write one with `assess init-csp \"{csp}\"`"
    )


def dump_config(cfg: CSPConfig) -> str:
    """YAML text of a configuration (stable key order)."""
    return yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


#: The forces of data.police.uk (https://data.police.uk/api/forces): slug -> name as in the
#: ``Reported by`` column of their street files.
POLICE_UK_FORCES = {
    "avon-and-somerset": "Avon and Somerset Constabulary",
    "bedfordshire": "Bedfordshire Police",
    "btp": "British Transport Police",
    "cambridgeshire": "Cambridgeshire Constabulary",
    "cheshire": "Cheshire Constabulary",
    "city-of-london": "City of London Police",
    "cleveland": "Cleveland Police",
    "cumbria": "Cumbria Constabulary",
    "derbyshire": "Derbyshire Constabulary",
    "devon-and-cornwall": "Devon & Cornwall Police",
    "dorset": "Dorset Police",
    "durham": "Durham Constabulary",
    "dyfed-powys": "Dyfed-Powys Police",
    "essex": "Essex Police",
    "gloucestershire": "Gloucestershire Constabulary",
    "greater-manchester": "Greater Manchester Police",
    "gwent": "Gwent Police",
    "hampshire": "Hampshire Constabulary",
    "hertfordshire": "Hertfordshire Constabulary",
    "humberside": "Humberside Police",
    "kent": "Kent Police",
    "lancashire": "Lancashire Constabulary",
    "leicestershire": "Leicestershire Police",
    "lincolnshire": "Lincolnshire Police",
    "merseyside": "Merseyside Police",
    "metropolitan": "Metropolitan Police Service",
    "norfolk": "Norfolk Constabulary",
    "north-wales": "North Wales Police",
    "north-yorkshire": "North Yorkshire Police",
    "northamptonshire": "Northamptonshire Police",
    "northern-ireland": "Police Service of Northern Ireland",
    "northumbria": "Northumbria Police",
    "nottinghamshire": "Nottinghamshire Police",
    "south-wales": "South Wales Police",
    "south-yorkshire": "South Yorkshire Police",
    "staffordshire": "Staffordshire Police",
    "suffolk": "Suffolk Constabulary",
    "surrey": "Surrey Police",
    "sussex": "Sussex Police",
    "thames-valley": "Thames Valley Police",
    "warwickshire": "Warwickshire Police",
    "west-mercia": "West Mercia Police",
    "west-midlands": "West Midlands Police",
    "west-yorkshire": "West Yorkshire Police",
    "wiltshire": "Wiltshire Police",
}

#: ONS police force area names whose data.police.uk slug is not simply the slugified name.
POLICE_UK_SLUG_EXCEPTIONS = {
    "Metropolitan Police": "metropolitan",
    "London, City of": "city-of-london",
    "City of London": "city-of-london",
    "Devon & Cornwall": "devon-and-cornwall",
    "Dyfed-Powys": "dyfed-powys",
}


def police_uk_force_problem(slug: str) -> str | None:
    """Why ``slug`` is not a data.police.uk force (with the near misses), or None when it is one."""
    if slug in POLICE_UK_FORCES:
        return None
    import difflib

    near = difflib.get_close_matches(slug, list(POLICE_UK_FORCES), n=3)
    return (f"'{slug}' is not a data.police.uk force" + (f" (did you mean {', '.join(near)}?)" if near else "")
            + "; the force slugs are those of https://data.police.uk/api/forces, e.g. hampshire")


def police_uk_slug(force_name: str) -> str:
    """The data.police.uk force slug of an ONS police force area name ("Hampshire" -> "hampshire")."""
    return POLICE_UK_SLUG_EXCEPTIONS.get(force_name, slugify(force_name))


def config_for_csp(csp: str, lad_csp: "pd.DataFrame") -> CSPConfig:
    """A new configuration for any CSP in England and Wales, from the ONS LAD -> CSP -> PFA lookup.

    ``csp`` is a CSP name or ONS code; ``lad_csp`` has the columns of the ``lad_csp`` table
    (docs/data-model.md). The most-similar group is left empty: it comes from the Home Office's
    iQuanta groups, which are not published as open data, so the analyst fills it in.
    """
    rows = lad_csp[(lad_csp["csp_code"] == csp) | (lad_csp["csp_name"].str.lower() == csp.lower())]
    if rows.empty:
        import difflib

        near = difflib.get_close_matches(csp, lad_csp["csp_name"].dropna().unique().tolist(), n=3)
        raise ConfigError(
            f"no CSP '{csp}' in the ONS lookup" + (f"; did you mean {', '.join(near)}?" if near else "")
        )
    first = rows.iloc[0]
    return CSPConfig(
        name=str(first["csp_name"]),
        code=str(first["csp_code"]),
        local_authorities=[Area(code=str(r.lad_code), name=str(r.lad_name)) for r in rows.itertuples()],
        police_force=PoliceForce(
            name=str(first["pfa_name"]), code=str(first["pfa_code"]), police_uk=police_uk_slug(str(first["pfa_name"]))
        ),
    )
