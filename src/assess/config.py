"""The configuration of a Community Safety Partnership: one typed object, read from YAML.

One file per CSP lives in ``config/csp/<slug>.yaml``. ``assess init-csp`` writes it for any CSP
in England and Wales from the ONS local authority -> CSP -> police force area lookup.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assess.errors import ConfigError

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


class CSPConfig(BaseModel):
    """Everything the assessment needs to know about one CSP."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="CSP name as in the ONS lookup and the Home Office CSP tables")
    code: str = Field(description="ONS CSP code (E22... in England, W14... or W22... in Wales)")
    slug: str = Field(default="", description="folder name under reports/; derived from the name")
    partnership_name: str | None = Field(default=None, description="e.g. 'Southampton Safe City Partnership'")
    local_authorities: list[Area]
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

    @field_validator("partner_files")
    @classmethod
    def _partner_files(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(DEFAULT_PARTNER_FILES))
        if unknown:
            raise ValueError(
                f"unknown partner file key(s) {', '.join(unknown)}; the keys are {', '.join(DEFAULT_PARTNER_FILES)}"
            )
        return {**DEFAULT_PARTNER_FILES, **v}

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"[EW]\d{8}", v):
            raise ValueError(f"'{v}' is not an ONS code like E22000120")
        return v

    def model_post_init(self, __context: object) -> None:
        if not self.slug:
            self.slug = slugify(self.name)

    @property
    def lad_codes(self) -> list[str]:
        return [a.code for a in self.local_authorities]

    @property
    def display_name(self) -> str:
        return self.partnership_name or f"{self.name} Community Safety Partnership"


def load_config(path: str | Path) -> CSPConfig:
    """Read and validate one CSP YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such CSP configuration; write one with `assess init-csp`") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    try:
        return CSPConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: field '{loc}': {first['msg']}; see config/csp/README.md") from None


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


#: ONS police force area names whose data.police.uk slug is not simply the slugified name.
POLICE_UK_SLUG_EXCEPTIONS = {
    "Metropolitan Police": "metropolitan",
    "London, City of": "city-of-london",
    "City of London": "city-of-london",
    "Devon & Cornwall": "devon-and-cornwall",
    "Dyfed-Powys": "dyfed-powys",
}


def police_uk_slug(force_name: str) -> str:
    """The data.police.uk force slug of an ONS police force area name ("Hampshire" -> "hampshire")."""
    return POLICE_UK_SLUG_EXCEPTIONS.get(force_name, slugify(force_name))


def config_for_csp(csp: str, lad_csp: "pd.DataFrame") -> CSPConfig:  # noqa: F821
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
