"""The partnership's recommendations (``recommendations.yaml``), validated with pydantic.

Each recommendation is tied to one of the CSP's priorities (its number in the configuration's
``priorities``, from 1, or its exact text) and to the findings it rests on: the ids of metrics
the assessment computes (``all_crime``, ``domestic_abuse`` ...). The reader checks the file alone
(an error names the item, the field and the YAML line); :func:`priority_index` checks a priority
against a configuration, and the executive summary checks the metric ids against the run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from assess.errors import InputError
from assess.sources.partner.columns import README_HINT
from assess.sources.partner.yaml_files import field_line, first_error, node_line, read_utf8, yaml_list

_METRIC_ID = re.compile(r"^[a-z][a-z0-9_]*$")

RECOMMENDATIONS_COLUMNS = ("item", "priority", "recommendation", "metrics", "lead", "source_row")


class Recommendation(BaseModel):
    """One recommendation of the partnership."""

    model_config = ConfigDict(extra="forbid")
    priority: StrictInt | str = Field(description="the priority's number (from 1) or its exact text")
    recommendation: str = Field(min_length=1, description="what the partnership will do (Markdown, one paragraph)")
    metrics: list[str] = Field(min_length=1, description="ids of the metrics (findings) it rests on")
    lead: str | None = Field(default=None, min_length=1, description="the organisation that leads it")

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: int | str) -> int | str:
        if isinstance(v, int):
            if v < 1:
                raise ValueError(f"priority {v} is not a priority's number: they are counted from 1")
            return v
        text = " ".join(v.split())
        if not text:
            raise ValueError("give the priority's number (1, 2 ...) or its exact text")
        return text

    @field_validator("recommendation")
    @classmethod
    def _text(cls, v: str) -> str:
        text = v.strip()
        if not text:
            raise ValueError("the recommendation is empty")
        return text

    @field_validator("metrics")
    @classmethod
    def _metric_ids(cls, v: list[str]) -> list[str]:
        for mid in v:
            if not _METRIC_ID.fullmatch(mid):
                raise ValueError(f"'{mid}' is not a metric id (snake_case, as in metrics.json, e.g. domestic_abuse)")
        if len(set(v)) != len(v):
            raise ValueError("a metric id is given twice")
        return v


_ITEM_HINT = f"write one '- priority: ...' item per recommendation; {README_HINT}"


def load_recommendations(path: str | Path) -> list[tuple[Recommendation, int]]:
    """The validated recommendations of ``recommendations.yaml`` with the line of each."""
    path = Path(path)
    items, nodes = yaml_list(path, read_utf8(path, f"write it, or run `assess demo`; {README_HINT}"),
                             "recommendations", _ITEM_HINT)
    out: list[tuple[Recommendation, int]] = []
    for i, item in enumerate(items):
        node = nodes[i] if i < len(nodes) else None
        line = node_line(node) or i + 1
        label = f"recommendation {i + 1}"
        if not isinstance(item, dict):
            raise InputError(path, f"{label} is not a mapping of fields", row=line,
                             hint="write each as '- priority: ...' with recommendation and metrics")
        try:
            rec = Recommendation.model_validate(item)
        except ValidationError as exc:
            field, where, msg = first_error(exc)
            raise InputError(path, f"{label}, field '{where}': {msg}", row=field_line(node, field) if field else line,
                             column=field, hint=README_HINT) from None
        out.append((rec, line))
    return out


def read_recommendations(path: str | Path) -> pd.DataFrame:
    """The recommendations as a table, one row each in the file's order.

    Columns: item (int64, from 1), priority (string: the number or text as written),
    recommendation (string, Markdown), metrics (string: metric ids separated by single spaces,
    see :func:`metric_ids`), lead (string, <NA> when not given), source_row (int64, the item's line).
    """
    rows = [
        {"item": i, "priority": str(r.priority), "recommendation": r.recommendation, "metrics": " ".join(r.metrics),
         "lead": r.lead, "source_row": line}
        for i, (r, line) in enumerate(load_recommendations(path), start=1)
    ]
    df = pd.DataFrame(rows, columns=list(RECOMMENDATIONS_COLUMNS))
    for c in ("priority", "recommendation", "metrics", "lead"):
        df[c] = df[c].astype("string")
    for c in ("item", "source_row"):
        df[c] = df[c].astype("int64")
    return df


def metric_ids(cell: object) -> list[str]:
    """The metric ids of a ``metrics`` cell of :func:`read_recommendations`, in order."""
    return str(cell).split() if cell is not None and not pd.isna(cell) else []


def priority_index(priority: str, priorities: Sequence[str], path: str | Path, row: int) -> int:
    """The 0-based index of ``priority`` (a number from 1 as text, or a priority's text; case and
    spacing aside) among the configured ``priorities``; InputError naming the file and line when
    none matches."""
    wanted = " ".join(str(priority).split())
    numbered = "; ".join(f"{n}. {p}" for n, p in enumerate(priorities, start=1))
    if wanted.isdigit():
        n = int(wanted)
        if 1 <= n <= len(priorities):
            return n - 1
        raise InputError(path, f"priority {n} is not one of the {len(priorities)} priorities of the configuration",
                         row=row, column="priority", hint=f"give a number from 1 to {len(priorities)}: {numbered}")
    for i, p in enumerate(priorities):
        if " ".join(p.split()).casefold() == wanted.casefold():
            return i
    raise InputError(path, f"priority '{wanted}' is not one of the configuration's priorities", row=row, column="priority",
                     hint=f"copy a priority's text exactly, or give its number: {numbered}")
