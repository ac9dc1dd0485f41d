"""Partner data: the files a partnership shares that no public body publishes.

Each file lives in ``data/raw/partner/`` under the name given by
:data:`assess.config.DEFAULT_PARTNER_FILES` (a CSP's YAML may rename them) and is described,
column by column with an example row and who usually supplies it, in ``data/raw/README.md``.
They are aggregate counts (force flags, calls, youth justice measures, rough sleeping, drug deaths,
national benchmarks) or pseudonymised one-row-per-person extracts (resident survey, known
offenders) of the kind partners already exchange under an information-sharing agreement.

Every reader reads the file as text (:func:`assess.sources.csv_files.read_csv_checked`), normalises
the spelling of coded answers (case, surrounding space, curly apostrophes), validates it with a
pandera schema, converts it to typed columns and checks keys that must be unique. Any problem
raises :class:`~assess.errors.InputError` naming the file, the row (line number, header = 1) and
the column, and what to do. No row is dropped; each output keeps ``source_row``.

Output dtypes: text as pandas ``string``, counts as ``int64`` (``Int64`` where a cell may be
blank), measures as ``float64``, yes/no answers as ``boolean`` (``<NA>`` = blank / not asked).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assess.config import DEFAULT_PARTNER_FILES, CSPConfig
from assess.errors import InputError
from assess.periods import financial_year_series
from assess.sources.csv_files import read_csv_checked, read_header
from assess.sources.validation import validate

#: Folder of the partner files inside the raw-data folder.
PARTNER_DIR = "partner"

README_HINT = "see data/raw/README.md (partner data dictionary)"

# ---------------------------------------------------------------------------------------------
# Allowed values
# ---------------------------------------------------------------------------------------------

#: Flags a force (or partner) counts per month in ``force_flags.csv``.
FORCE_FLAGS: tuple[str, ...] = (
    "domestic_abuse",  # all crimes flagged domestic abuse
    "domestic_violence",  # violent crimes flagged domestic abuse
    "hate_crime",
    "alcohol_affected",
    "alcohol_related_violence",
    "knife_crime",
    "gun_crime",
    "drug_related_violence",
    "threats_to_kill",
    "public_place_violence",
    "violence_with_injury",
    "violence_without_injury",
    "burglary_dwelling",
    "burglary_other",
    "theft_of_vehicle",
    "theft_from_vehicle",
    "rape",
    "other_sexual_offences",
    "missing_person_child",
    "missing_person_adult",
    "child_sexual_exploitation",
    "high_risk_domestic_abuse",  # cases heard at MARAC
)

#: The five monitored strands of hate crime (a crime may be counted in more than one).
HATE_CRIME_STRANDS: tuple[str, ...] = ("race", "religion", "sexual_orientation", "disability", "transgender")

SAFETY_ANSWERS: tuple[str, ...] = (
    "Very safe",
    "Fairly safe",
    "Neither safe nor unsafe",
    "Fairly unsafe",
    "Very unsafe",
    "Don't know",
)
CRIME_CHANGE_ANSWERS: tuple[str, ...] = ("More crime", "About the same", "Less crime", "Don't know")
AGREE_ANSWERS: tuple[str, ...] = (
    "Strongly agree",
    "Tend to agree",
    "Neither",
    "Tend to disagree",
    "Strongly disagree",
    "Don't know",
)
#: The problem_* questions of the resident survey ("is ... a problem in your area?").
SURVEY_PROBLEMS: tuple[str, ...] = (
    "problem_asb",
    "problem_drugs",
    "problem_alcohol",
    "problem_begging",
    "problem_rough_sleeping",
    "problem_litter",
    "problem_speeding",
    "problem_burglary",
    "problem_violence",
)

SUPERVISING_SERVICES: tuple[str, ...] = ("IOM", "NPS", "CRC", "YOS", "none")
SEXES: tuple[str, ...] = ("male", "female", "unknown")
OFFENDER_NEEDS: tuple[str, ...] = (
    "need_relationships",
    "need_emotional_wellbeing",
    "need_alcohol",
    "need_drugs",
    "need_accommodation",
    "need_education_employment",
)
YOUTH_JUSTICE_MEASURES: tuple[str, ...] = (
    "first_time_entrants",
    "custodial_sentences",
    "population_10_17",
    "reoffending_cohort",
    "reoffenders",
    "reoffences",
)
ROUGH_SLEEPING_METHODS: tuple[str, ...] = ("count", "estimate", "evidence-based estimate")
CALL_CHANNELS: tuple[str, ...] = ("999", "101", "online")
BENCHMARK_AREAS: tuple[str, ...] = ("England", "England and Wales")

_TRUE = frozenset({"yes", "y", "true", "t", "1"})
_FALSE = frozenset({"no", "n", "false", "f", "0"})

# ---------------------------------------------------------------------------------------------
# Column specifications -> pandera schemas
# ---------------------------------------------------------------------------------------------

Kind = Literal["text", "id", "month", "fy", "year", "int", "posint", "number", "float", "bool", "choice", "period"]

_PATTERNS: dict[str, tuple[str, str]] = {
    # kind: (regular expression on the text, what the check is called in error messages)
    "month": (r"^\d{4}-(0[1-9]|1[0-2])$", "a month written YYYY-MM, e.g. 2024-04"),
    "fy": (r"^\d{4}/\d{2}$", "a financial year written YYYY/YY, e.g. 2024/25"),
    "year": (r"^(19|20)\d{2}$", "a four-digit year, e.g. 2024"),
    "int": (r"^(\d+|\d{1,3}(,\d{3})+)$", "a whole number of 0 or more"),
    "posint": (r"^(0*[1-9]\d*|[1-9]\d{0,2}(,\d{3})+)$", "a whole number of 1 or more"),
    "number": (r"^(\d+(\.\d+)?|\.\d+)$", "a number of 0 or more"),
    "float": (r"^-?(\d+(\.\d+)?|\.\d+)$", "a number"),
    "id": (r"^[a-z][a-z0-9_]*$", "a snake_case id, e.g. feel_safe_after_dark"),
    "period": (
        r"^\d{4}(/\d{2}|-\d{4})?$",
        "a period written YYYY/YY (financial year), YYYY-YYYY (years) or YYYY",
    ),
}


@dataclass(frozen=True)
class PartnerColumn:
    """One column of a partner file: its name, kind of value and whether it may be absent/blank.

    ``optional``: the column may be left out of the file; ``blank``: its cells may be empty.
    """

    name: str
    kind: Kind
    optional: bool = False
    blank: bool = False
    choices: tuple[str, ...] = ()
    description: str = ""


def _consecutive_years(s: pd.Series) -> pd.Series:
    """True where a ``YYYY/YY`` label names consecutive years (2016/17, not 2016/18)."""
    ok = s.str.fullmatch(r"\d{4}/\d{2}").fillna(False).astype(bool)
    start = pd.to_numeric(s.str.slice(0, 4).where(ok), errors="coerce")
    end = pd.to_numeric(s.str.slice(5, 7).where(ok), errors="coerce")
    return ((start + 1) % 100 == end).fillna(False).astype(bool) | s.isna()


def _checks(col: PartnerColumn) -> list[pa.Check]:
    if col.kind == "choice":
        return [pa.Check.isin(list(col.choices), error=f"one of: {', '.join(col.choices)}")]
    if col.kind == "bool":
        return [pa.Check.isin(["true", "false"], error="yes/no, true/false or 1/0")]
    if col.kind == "text":
        return [pa.Check.str_length(min_value=1, error="not empty")]
    pattern, what = _PATTERNS[col.kind]
    checks = [pa.Check.str_matches(pattern, error=what)]
    if col.kind == "fy":
        checks.append(pa.Check(_consecutive_years, error="a financial year of consecutive years, e.g. 2024/25"))
    if col.kind == "period":
        fy_like = r"^\d{4}/\d{2}$"
        checks.append(
            pa.Check(
                lambda s: ~s.str.match(fy_like).fillna(False).astype(bool) | _consecutive_years(s),
                error="a financial year of consecutive years, e.g. 2024/25",
            )
        )
    return checks


def partner_schema(columns: Sequence[PartnerColumn], name: str) -> pa.DataFrameSchema:
    """The pandera schema a partner file's text must satisfy (after spelling normalisation)."""
    return pa.DataFrameSchema(
        {
            c.name: pa.Column("string", _checks(c), nullable=c.blank, required=not c.optional)
            for c in columns
        }
        | {"source_row": pa.Column("int64")},
        name=name,
        strict=False,
    )


def _canonical(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("\u2019", "'").replace("\u2018", "'")).strip().casefold()


def _normalise(df: pd.DataFrame, columns: Sequence[PartnerColumn]) -> pd.DataFrame:
    """Spell coded answers canonically so that 'VERY SAFE', 'very  safe' and 'Very safe' agree.

    Unrecognised values are left as written, so that the schema reports them.
    """
    out = df.copy()
    for c in columns:
        if c.name not in out.columns:
            continue
        s = out[c.name]
        if c.kind == "choice":
            mapping = {_canonical(v): v for v in c.choices}
            spelled = {v: mapping.get(_canonical(v), v) for v in s.dropna().unique()}
            out[c.name] = s.map(spelled).astype("string")
        elif c.kind == "bool":
            low = s.str.lower()
            out[c.name] = low.where(~low.isin(_TRUE), "true").where(~low.isin(_FALSE), "false").where(
                low.isin(_TRUE | _FALSE), s
            )
        elif c.kind == "id":
            out[c.name] = s.str.lower()
    return out


def _convert(df: pd.DataFrame, columns: Sequence[PartnerColumn]) -> pd.DataFrame:
    """Typed columns (see the module docstring), in the order of ``columns``, then ``source_row``."""
    out = pd.DataFrame(index=df.index)
    for c in columns:
        if c.name not in df.columns:
            continue
        s = df[c.name]
        if c.kind in ("int", "posint", "year"):
            n = pd.to_numeric(s.str.replace(",", "", regex=False), errors="raise")
            out[c.name] = n.astype("Int64") if c.blank else n.astype("int64")
        elif c.kind in ("number", "float"):
            out[c.name] = pd.to_numeric(s, errors="raise").astype("float64")
        elif c.kind == "bool":
            out[c.name] = s.map({"true": True, "false": False}).astype("boolean")
        else:
            out[c.name] = s.astype("string")
    out["source_row"] = df["source_row"].astype("int64")
    return out.reset_index(drop=True)


def _read(path: str | Path, columns: Sequence[PartnerColumn], name: str, extra: Sequence[PartnerColumn] = ()) -> pd.DataFrame:
    """Read, normalise, validate and convert one partner CSV."""
    path = Path(path)
    required = [c.name for c in columns if not c.optional]
    optional = [c.name for c in columns if c.optional] + [c.name for c in extra]
    raw = read_csv_checked(path, required, optional)
    cols = list(columns) + list(extra)
    text = _normalise(raw, cols)
    validate(text, partner_schema(cols, name), path)
    return _convert(text, cols)


def _check_unique(df: pd.DataFrame, keys: Sequence[str], path: Path, what: str) -> None:
    """Raise InputError at the second row that repeats ``keys``."""
    dup = df.duplicated(list(keys), keep="first")
    if dup.any():
        first = df[dup].iloc[0]
        given = [k for k in keys if not pd.isna(first[k])]
        key = ", ".join(f"{k}={first[k]}" for k in given)
        raise InputError(
            path,
            f"{what} appears twice ({key})",
            row=int(first["source_row"]),
            column=given[-1] if given else keys[-1],
            hint="keep one row per key: add the two rows together or delete the repeat",
        )


def _with_financial_year(df: pd.DataFrame, month_column: str = "month") -> pd.DataFrame:
    """Insert ``financial_year`` (April-March label) after the month column."""
    out = df.copy()
    out.insert(out.columns.get_loc(month_column) + 1, "financial_year", financial_year_series(out[month_column]))
    return out


# ---------------------------------------------------------------------------------------------
# Schemas (column lists) of the partner files
# ---------------------------------------------------------------------------------------------

FORCE_FLAGS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("month", "month", description="month of recording, YYYY-MM"),
    PartnerColumn("flag", "choice", choices=FORCE_FLAGS, description="what is counted"),
    PartnerColumn("strand", "choice", optional=True, blank=True, choices=HATE_CRIME_STRANDS,
                  description="hate crime strand; blank for other flags"),
    PartnerColumn("ward_code", "text", optional=True, blank=True, description="ONS ward code; blank = whole CSP"),
    PartnerColumn("count", "int", description="number of crimes or cases"),
)

RESIDENT_SURVEY_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("survey_year", "fy"),
    PartnerColumn("respondent_id", "text"),
    PartnerColumn("ward_code", "text", optional=True, blank=True),
    PartnerColumn("weight", "number", optional=True),
    PartnerColumn("safe_day", "choice", blank=True, choices=SAFETY_ANSWERS),
    PartnerColumn("safe_after_dark", "choice", blank=True, choices=SAFETY_ANSWERS),
    PartnerColumn("crime_change", "choice", blank=True, choices=CRIME_CHANGE_ANSWERS),
    PartnerColumn("police_deal", "choice", blank=True, choices=AGREE_ANSWERS),
    PartnerColumn("council_deal", "choice", blank=True, choices=AGREE_ANSWERS),
)

OFFENDERS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("financial_year", "fy"),
    PartnerColumn("offender_id", "text"),
    PartnerColumn("supervising_service", "choice", choices=SUPERVISING_SERVICES),
    PartnerColumn("age_band", "choice", choices=("10-17", "18-24", "25-34", "35-49", "50+", "unknown")),
    PartnerColumn("sex", "choice", choices=SEXES),
    PartnerColumn("offences", "posint"),
    PartnerColumn("reoffended", "bool"),
    *(PartnerColumn(n, "bool", blank=True) for n in OFFENDER_NEEDS),
)

YOUTH_JUSTICE_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("financial_year", "fy"),
    PartnerColumn("measure", "choice", choices=YOUTH_JUSTICE_MEASURES),
    PartnerColumn("value", "number"),
)

ROUGH_SLEEPING_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("year", "year"),
    PartnerColumn("rough_sleepers", "int"),
    PartnerColumn("method", "choice", choices=ROUGH_SLEEPING_METHODS),
    PartnerColumn("households", "posint"),
    PartnerColumn("begging_incidents", "int", optional=True, blank=True),
)

DRUG_DEATHS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("calendar_year", "year"),
    PartnerColumn("deaths", "int"),
    PartnerColumn("population", "posint"),
)

CALLS_FOR_SERVICE_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("month", "month"),
    PartnerColumn("channel", "choice", choices=CALL_CHANNELS),
    PartnerColumn("calls", "int"),
)

BENCHMARKS_COLUMNS: tuple[PartnerColumn, ...] = (
    PartnerColumn("measure", "id"),
    PartnerColumn("period", "period"),
    PartnerColumn("area", "choice", choices=BENCHMARK_AREAS),
    PartnerColumn("value", "float"),
    PartnerColumn("unit", "text"),
    PartnerColumn("source", "text"),
)

#: Column specifications by partner-file name (the keys of DEFAULT_PARTNER_FILES, bar the scorecard).
PARTNER_COLUMNS: dict[str, tuple[PartnerColumn, ...]] = {
    "force_flags": FORCE_FLAGS_COLUMNS,
    "resident_survey": RESIDENT_SURVEY_COLUMNS,
    "offenders": OFFENDERS_COLUMNS,
    "youth_justice": YOUTH_JUSTICE_COLUMNS,
    "rough_sleeping": ROUGH_SLEEPING_COLUMNS,
    "drug_deaths": DRUG_DEATHS_COLUMNS,
    "calls_for_service": CALLS_FOR_SERVICE_COLUMNS,
    "benchmarks": BENCHMARKS_COLUMNS,
}

# ---------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------


def read_force_flags(path: str | Path) -> pd.DataFrame:
    """Monthly counts of flagged crimes and cases (police force / MARAC / missing persons).

    Columns: month, financial_year, flag, strand, ward_code, count (int64 >= 0), source_row.
    A flag-month is counted either once for the whole CSP (ward_code blank) or once per ward,
    never both; a hate crime count names its strand, other flags leave strand blank.
    """
    path = Path(path)
    df = _read(path, FORCE_FLAGS_COLUMNS, "force_flags")
    for col in ("strand", "ward_code"):
        if col not in df.columns:
            df.insert(df.columns.get_loc("count"), col, pd.Series(pd.NA, index=df.index, dtype="string"))
    bad_strand = df["strand"].notna() & (df["flag"] != "hate_crime")
    if bad_strand.any():
        r = df[bad_strand].iloc[0]
        raise InputError(path, f"flag '{r['flag']}' has a strand ('{r['strand']}'): only hate_crime has strands",
                         row=int(r["source_row"]), column="strand", hint="leave strand blank for this flag")
    _check_unique(df, ["month", "flag", "strand", "ward_code"], path, "this month, flag, strand and ward")
    keys = [df["month"], df["flag"], df["strand"]]
    blank = df["ward_code"].isna()
    mixed = (blank.groupby(keys, dropna=False).transform("any") & (~blank).groupby(keys, dropna=False).transform("any"))
    mixed = mixed.astype(bool)
    if mixed.any():
        r = df[mixed & df["ward_code"].notna()].iloc[0]
        raise InputError(path, f"{r['flag']} in {r['month']} has both a whole-CSP row (blank ward_code) and ward rows",
                         row=int(r["source_row"]), column="ward_code",
                         hint="give either one whole-CSP row or one row per ward for a flag and month, not both")
    return _with_financial_year(df)


def read_resident_survey(path: str | Path) -> pd.DataFrame:
    """Resident (community safety) survey, one row per respondent.

    Columns: survey_year, respondent_id, ward_code, weight (float64; 1.0 for every respondent
    when the file has no weight column), safe_day, safe_after_dark, crime_change, police_deal,
    council_deal (answers spelled as in data/raw/README.md; blank = not answered), then every
    problem_* column of the file (boolean), source_row.
    """
    path = Path(path)
    header = read_header(path) if path.exists() and path.stat().st_size else []
    problems = tuple(PartnerColumn(c, "bool", optional=True, blank=True) for c in header if c.startswith("problem_"))
    df = _read(path, RESIDENT_SURVEY_COLUMNS, "resident_survey", extra=problems)
    if "ward_code" not in df.columns:
        df.insert(2, "ward_code", pd.Series(pd.NA, index=df.index, dtype="string"))
    if "weight" not in df.columns:
        df.insert(3, "weight", 1.0)
    zero = df["weight"] <= 0
    if zero.any():
        r = df[zero].iloc[0]
        raise InputError(path, f"weight {r['weight']} is not above 0", row=int(r["source_row"]), column="weight",
                         hint="give every respondent a weight above 0, or remove the weight column")
    _check_unique(df, ["survey_year", "respondent_id"], path, "respondent_id in this survey_year")
    return df


def read_offenders(path: str | Path) -> pd.DataFrame:
    """Known offenders (IOM, probation, youth justice), one row per person per financial year.

    Columns: financial_year, offender_id, supervising_service, age_band, sex, offences (int64 >= 1),
    reoffended (boolean), need_* (boolean, <NA> = not assessed), source_row.
    """
    path = Path(path)
    df = _read(path, OFFENDERS_COLUMNS, "offenders")
    _check_unique(df, ["financial_year", "offender_id"], path, "offender_id in this financial_year")
    return df


def read_youth_justice(path: str | Path) -> pd.DataFrame:
    """Youth justice measures by financial year: columns financial_year, measure, value (float64), source_row."""
    path = Path(path)
    df = _read(path, YOUTH_JUSTICE_COLUMNS, "youth_justice")
    _check_unique(df, ["financial_year", "measure"], path, "this measure in this financial_year")
    return df


def read_rough_sleeping(path: str | Path) -> pd.DataFrame:
    """Autumn rough sleeping snapshots: year, rough_sleepers, method, households, begging_incidents (Int64)."""
    path = Path(path)
    df = _read(path, ROUGH_SLEEPING_COLUMNS, "rough_sleeping")
    if "begging_incidents" not in df.columns:
        df.insert(4, "begging_incidents", pd.Series(pd.NA, index=df.index, dtype="Int64"))
    _check_unique(df, ["year"], path, "this year")
    return df


def read_drug_deaths(path: str | Path) -> pd.DataFrame:
    """Deaths related to drug misuse by calendar year of registration: calendar_year, deaths, population."""
    path = Path(path)
    df = _read(path, DRUG_DEATHS_COLUMNS, "drug_deaths")
    _check_unique(df, ["calendar_year"], path, "this calendar_year")
    return df


def read_calls_for_service(path: str | Path) -> pd.DataFrame:
    """Police calls for service by month and channel: month, financial_year, channel, calls."""
    path = Path(path)
    df = _read(path, CALLS_FOR_SERVICE_COLUMNS, "calls_for_service")
    _check_unique(df, ["month", "channel"], path, "this month and channel")
    return _with_financial_year(df)


def read_benchmarks(path: str | Path) -> pd.DataFrame:
    """National comparators: measure, period, area, value (float64), unit, source."""
    path = Path(path)
    df = _read(path, BENCHMARKS_COLUMNS, "benchmarks")
    _check_unique(df, ["measure", "period", "area"], path, "this measure, period and area")
    return df


# ---------------------------------------------------------------------------------------------
# Scorecard targets (YAML, validated with pydantic)
# ---------------------------------------------------------------------------------------------


class ScorecardTarget(BaseModel):
    """A target: either a change in per cent on the baseline year, or a value to reach."""

    model_config = ConfigDict(extra="forbid")
    change_percent: float | None = None
    value: float | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ScorecardTarget:
        if (self.change_percent is None) == (self.value is None):
            raise ValueError("give exactly one of change_percent (e.g. -5) or value (e.g. 120)")
        return self


class ScorecardMeasure(BaseModel):
    """One line of the performance scorecard."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="metric id, e.g. all_crime")
    label: str = Field(min_length=1)
    direction: Literal["lower_is_better", "higher_is_better"]
    baseline_year: str = Field(description="financial year (2021/22) or calendar year (2021)")
    target: ScorecardTarget
    amber_tolerance_percent: float = Field(default=5.0, ge=0)

    @field_validator("baseline_year", mode="before")
    @classmethod
    def _year(cls, v: object) -> str:
        s = str(v).strip()
        if re.fullmatch(r"\d{4}", s):
            return s
        m = re.fullmatch(r"(\d{4})/(\d{2})", s)
        if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
            return s
        raise ValueError(f"'{s}' is not a financial year like 2021/22 nor a year like 2021")


SCORECARD_COLUMNS = (
    "id",
    "label",
    "direction",
    "baseline_year",
    "target_change_percent",
    "target_value",
    "amber_tolerance_percent",
    "source_row",
)


def _yaml_items(path: Path, text: str) -> tuple[list[object], list[yaml.Node]]:
    """The list of measures in a scorecard file and the YAML node of each (for line numbers)."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                         row=mark.line + 1 if mark else None,
                         hint="fix the indentation or quoting at that line") from None
    nodes: list[yaml.Node] = []
    if isinstance(data, dict) and "measures" in data:
        data = data["measures"]
        assert isinstance(root, yaml.MappingNode)
        root = next(v for k, v in root.value if k.value == "measures")
    if not isinstance(data, list) or not data:
        raise InputError(path, "expected a list of measures (or 'measures:' followed by a list)",
                         row=1, hint=f"write one '- id: ...' item per measure; {README_HINT}")
    nodes = list(root.value) if isinstance(root, yaml.SequenceNode) else []
    return data, nodes


def _field_line(node: yaml.Node | None, field: str) -> int | None:
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        for k, _v in node.value:
            if getattr(k, "value", None) == field:
                return k.start_mark.line + 1
    return node.start_mark.line + 1


def load_scorecard(path: str | Path) -> list[ScorecardMeasure]:
    """The validated measures of ``scorecard_targets.yaml``; InputError names the item and field."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the file does not exist", hint=f"write it, or run `assess demo`; {README_HINT}")
    items, nodes = _yaml_items(path, path.read_text(encoding="utf-8"))
    measures: list[ScorecardMeasure] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        node = nodes[i] if i < len(nodes) else None
        line = node.start_mark.line + 1 if node is not None else None
        ident = item.get("id") if isinstance(item, dict) else None
        label = f"item {i + 1}" + (f" (id '{ident}')" if ident else "")
        if not isinstance(item, dict):
            raise InputError(path, f"{label} is not a mapping of fields", row=line,
                             hint="write each measure as '- id: ...' with label, direction, baseline_year, target")
        try:
            m = ScorecardMeasure.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else None
            where = ".".join(str(p) for p in err["loc"]) or "item"
            raise InputError(path, f"{label}, field '{where}': {err['msg']}", row=_field_line(node, field) if field else line,
                             column=field, hint=README_HINT) from None
        if m.id in seen:
            raise InputError(path, f"{label}: id '{m.id}' is already used by item {seen[m.id]}", row=line, column="id",
                             hint="give each measure once")
        seen[m.id] = i + 1
        measures.append(m)
    return measures


def read_scorecard(path: str | Path) -> pd.DataFrame:
    """Scorecard targets as a table: id, label, direction, baseline_year, target_change_percent,
    target_value (one of the two is NaN), amber_tolerance_percent, source_row (YAML line)."""
    path = Path(path)
    measures = load_scorecard(path)
    _items, nodes = _yaml_items(path, path.read_text(encoding="utf-8"))
    rows = []
    for i, m in enumerate(measures):
        rows.append(
            {
                "id": m.id,
                "label": m.label,
                "direction": m.direction,
                "baseline_year": m.baseline_year,
                "target_change_percent": m.target.change_percent,
                "target_value": m.target.value,
                "amber_tolerance_percent": m.amber_tolerance_percent,
                "source_row": nodes[i].start_mark.line + 1 if i < len(nodes) else i + 1,
            }
        )
    df = pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))
    for c in ("id", "label", "direction", "baseline_year"):
        df[c] = df[c].astype("string")
    for c in ("target_change_percent", "target_value", "amber_tolerance_percent"):
        df[c] = df[c].astype("float64")
    df["source_row"] = df["source_row"].astype("int64")
    return df


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

#: Reader of each partner file, by its name in DEFAULT_PARTNER_FILES.
PARTNER_READERS: dict[str, Callable[[str | Path], pd.DataFrame]] = {
    "force_flags": read_force_flags,
    "resident_survey": read_resident_survey,
    "offenders": read_offenders,
    "youth_justice": read_youth_justice,
    "rough_sleeping": read_rough_sleeping,
    "drug_deaths": read_drug_deaths,
    "calls_for_service": read_calls_for_service,
    "benchmarks": read_benchmarks,
    "scorecard": read_scorecard,
}


#: Most partner frames :func:`read_partner_file` keeps in the process.
PARTNER_CACHE_ENTRIES = 32

_partner_cache: OrderedDict[Hashable, pd.DataFrame] = OrderedDict()
_partner_lock = threading.Lock()


def read_partner_file(name: str, path: str | Path) -> pd.DataFrame:
    """``PARTNER_READERS[name](path)``, read and validated once per process while the file is unchanged.

    A chapter kernel runs several chapters, each of which asks for the same partner files (and
    validating the resident survey takes a while). The frame is kept, keyed on the reader and the
    file (resolved path, inode, modification time in nanoseconds, size), so an edited file is read
    and validated afresh; at most :data:`PARTNER_CACHE_ENTRIES` frames are kept (least recently
    used out first). A file that fails validation is not kept: every call raises its InputError.
    Every call returns a shallow copy, which the caller may change (copy-on-write) without
    altering what a later call returns.
    """
    path = Path(path)
    reader = PARTNER_READERS[name]
    st = path.stat()
    key = (reader, str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)
    with _partner_lock:
        df = _partner_cache.get(key)
        if df is not None:
            _partner_cache.move_to_end(key)
    if df is None:
        df = reader(path)
        with _partner_lock:
            _partner_cache[key] = df
            while len(_partner_cache) > PARTNER_CACHE_ENTRIES:
                _partner_cache.popitem(last=False)
    return df.copy(deep=False)


def partner_path(raw_dir: str | Path, name: str, cfg: CSPConfig | None = None) -> Path:
    """Where partner file ``name`` is expected: ``raw_dir/partner/<file name from the config>``.

    With a configuration whose folder ``raw_dir/partner/<csp-slug>/`` exists (several CSPs
    sharing one raw folder), the file is looked for there instead.
    """
    if name not in PARTNER_READERS:
        raise KeyError(f"unknown partner file '{name}'; known: {', '.join(PARTNER_READERS)}")
    files = dict(DEFAULT_PARTNER_FILES)
    folder = Path(raw_dir) / PARTNER_DIR
    if cfg is not None:
        files.update(cfg.partner_files)
        if (folder / cfg.slug).is_dir():
            folder = folder / cfg.slug
    return folder / files[name]


def read_partner(raw_dir: str | Path, name: str, cfg: CSPConfig | None = None) -> pd.DataFrame | None:
    """Read partner file ``name`` (a key of PARTNER_READERS) for a CSP, or None if it is absent.

    Partner files are optional: a chapter whose file is absent says so instead of failing. A file
    that is present but malformed raises InputError.
    """
    path = partner_path(raw_dir, name, cfg)
    if not path.exists():
        return None
    return PARTNER_READERS[name](path)
