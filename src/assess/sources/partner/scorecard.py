"""The partnership's scorecard targets (``scorecard_targets.yaml``), validated with pydantic.

An error names the item, the field and the YAML line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assess.errors import InputError
from assess.sources.partner.columns import README_HINT
from assess.sources.partner.yaml_files import field_line, first_error, read_utf8, yaml_list

_ABSENT_HINT = f"write it, or run `assess demo`; {README_HINT}"


def _yaml_items(path: Path, text: str) -> tuple[list[object], list[yaml.Node]]:
    """The list of measures in a scorecard file and the YAML node of each (for line numbers)."""
    return yaml_list(path, text, "measures", f"write one '- id: ...' item per measure; {README_HINT}")


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


def load_scorecard(path: str | Path) -> list[ScorecardMeasure]:
    """The validated measures of ``scorecard_targets.yaml``; InputError names the item and field."""
    path = Path(path)
    items, nodes = _yaml_items(path, read_utf8(path, _ABSENT_HINT))
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
            field, where, msg = first_error(exc)
            raise InputError(path, f"{label}, field '{where}': {msg}", row=field_line(node, field) if field else line,
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
    _items, nodes = _yaml_items(path, read_utf8(path, _ABSENT_HINT))
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


