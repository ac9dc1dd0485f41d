"""Headline figures (metrics) and ``metrics.json``, the machine-readable record of the assessment.

A :class:`Metric` is one figure with its period, change from the previous period, confidence
interval and comparisons; chapters build them (usually with :func:`metric_from_count`,
:func:`metric_from_rate` or :func:`metric_from_proportion`, so every number is computed by
:mod:`assess.stats`) and the bundle writes them all with :func:`write_metrics_json`, which
validates the document against ``metrics.schema.json`` (JSON Schema draft 2020-12, shipped in the
package) before writing it atomically. The file is deterministic: metrics sorted by id, keys
sorted, two-space indent, floats written to 10 significant figures, no timestamps.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL
from assess.atomic import write_text
from assess.errors import AssessError
from assess.periods import parse_financial_year
from assess.stats.change import (
    Change,
    change_in_counts,
    change_in_proportions,
    change_in_rates,
)
from assess.stats.compare import compare_with_benchmark
from assess.stats.intervals import Proportion, Rate, rate_per

SCHEMA_VERSION = "1.0"
SCHEMA_FILE = "metrics.schema.json"

_SINGLE_PERIOD = r"(?:\d{4}/\d{2}(?: Q[1-4])?|\d{4}-(?:0[1-9]|1[0-2])|\d{4}|mid-\d{4})"
PERIOD_PATTERN = rf"^{_SINGLE_PERIOD}(?: to {_SINGLE_PERIOD})?$"
_FY_IN_PERIOD = re.compile(r"\d{4}/\d{2}")

MetricVerdict = Literal["increase", "decrease", "no significant change", "rising", "falling", "no significant trend"]
ComparisonVerdictName = Literal["significantly higher", "significantly lower", "similar"]


class MetricsError(AssessError, ValueError):
    """A metric or a metrics document is invalid (bad id, duplicate id, fails the schema ...)."""


class Metric(BaseModel):
    """One headline figure.

    ``value`` is in ``unit`` (a count of crimes, a rate, a percentage 0-100). ``interval`` is the
    confidence interval of ``value``; for a count, ``rate``/``rate_interval`` give the crude rate
    per ``rate_per`` population with its interval. ``comparators`` are benchmark values by name,
    in the unit of ``rate`` when it is set, else of ``value``; ``comparison_verdicts`` the PHE
    verdicts against them. ``verdict`` is the verdict of the change (or trend) test, ``p_value``
    its p-value. A suppressed metric (disclosure control) carries no figures, only its ``note``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    chapter: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    value: float | None
    unit: str = Field(min_length=1)
    period: str = Field(pattern=PERIOD_PATTERN)
    previous_value: float | None = None
    previous_period: str | None = Field(default=None, pattern=PERIOD_PATTERN)
    change_absolute: float | None = None
    change_percent: float | None = None
    verdict: MetricVerdict | None = None
    p_value: float | None = Field(default=None, ge=0.0, le=1.0)
    interval: tuple[float, float] | None = None
    rate: float | None = None
    rate_per: int | None = Field(default=None, ge=1)
    rate_interval: tuple[float, float] | None = None
    previous_rate: float | None = None
    comparators: dict[str, float | None] = Field(default_factory=dict)
    comparison_verdicts: dict[str, ComparisonVerdictName] = Field(default_factory=dict)
    source: str = Field(min_length=1)
    note: str | None = None
    suppressed: bool = False

    @field_validator("period", "previous_period")
    @classmethod
    def _financial_years_consecutive(cls, value: str | None) -> str | None:
        if value is not None:
            for label in _FY_IN_PERIOD.findall(value):
                try:
                    parse_financial_year(label)
                except AssessError as exc:
                    raise ValueError(str(exc)) from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Metric:
        def within(point: float | None, interval: tuple[float, float] | None, name: str) -> None:
            if interval is None:
                return
            low, high = interval
            if low > high:
                raise ValueError(f"{name} has its lower limit {low} above its upper limit {high}")
            if point is not None:
                slack = 1e-9 * max(1.0, abs(point))
                if not low - slack <= point <= high + slack:
                    raise ValueError(f"{name} ({low}, {high}) does not contain its estimate {point}")

        within(self.value, self.interval, "interval")
        within(self.rate, self.rate_interval, "rate_interval")
        if self.previous_value is not None and self.previous_period is None:
            raise ValueError("previous_value is given without previous_period")
        unknown = sorted(set(self.comparison_verdicts) - set(self.comparators))
        if unknown:
            raise ValueError(f"comparison_verdicts name comparators that are not given: {', '.join(unknown)}")
        if self.rate is not None and self.rate_per is None:
            raise ValueError("rate is given without rate_per")
        if self.suppressed:
            figures = {
                "value": self.value,
                "previous_value": self.previous_value,
                "change_absolute": self.change_absolute,
                "change_percent": self.change_percent,
                "interval": self.interval,
                "rate": self.rate,
                "rate_interval": self.rate_interval,
                "previous_rate": self.previous_rate,
            }
            shown = [name for name, figure in figures.items() if figure is not None]
            if shown:
                raise ValueError(f"a suppressed metric must not carry figures, but has {', '.join(shown)}")
        if self.value is None and not self.note:
            raise ValueError("a metric without a value needs a note saying why")
        return self


# --- building metrics from statistics -----------------------------------------------------------


def _change_fields(change: Change | None, scale: float = 1.0) -> dict[str, Any]:
    if change is None:
        return {}
    return {
        "change_absolute": change.absolute * scale,
        "change_percent": change.percent,
        "verdict": change.verdict,
        "p_value": change.p_value,
    }


def _comparisons(
    estimate: Rate | Proportion, comparators: Mapping[str, float | None] | None, scale: float = 1.0
) -> tuple[dict[str, float | None], dict[str, str]]:
    """Comparator values (in the metric's unit) and PHE verdicts; ``scale`` converts to the estimate's unit."""
    values: dict[str, float | None] = {}
    verdicts: dict[str, str] = {}
    for name, benchmark in (comparators or {}).items():
        values[str(name)] = None if benchmark is None else float(benchmark)
        if benchmark is not None:
            verdicts[str(name)] = compare_with_benchmark(estimate, float(benchmark) / scale).verdict
    return values, verdicts


def metric_from_count(
    id: str,
    label: str,
    chapter: str,
    current: int,
    previous: int | None,
    period: str,
    previous_period: str | None,
    population: float | None,
    source: str,
    unit: str = "crimes",
    per: int = 1000,
    comparators: Mapping[str, float | None] | None = None,
    *,
    previous_population: float | None = None,
    note: str | None = None,
    disclosure_threshold: int | None = None,
) -> Metric:
    """A metric for a count of events in ``period``, with its change and (given the population) rate.

    - change: :func:`assess.stats.change_in_counts` (equal periods: both of the same length) gives
      ``change_absolute``/``change_percent`` (of the counts), ``verdict`` and ``p_value``;
    - rate: with ``population``, the crude rate per ``per`` with PHE limits (``rate``,
      ``rate_interval``); ``previous_population`` gives ``previous_rate``;
    - ``comparators``: benchmark rates per ``per`` (e.g. ``{"England": 73.0}``), judged PHE-style
      against the rate's interval; they need ``population``.
    - ``disclosure_threshold``: counts from 1 to threshold - 1 are suppressed (the metric keeps its
      label and a note); leave it None for figures already published (police recorded crime).
    """
    if previous is not None and previous_period is None:
        raise MetricsError(f"metric {id!r}: a previous count needs previous_period")
    if previous is None:
        previous_period = None  # the period compared with is recorded only with its value
    if comparators and population is None:
        raise MetricsError(f"metric {id!r}: comparators are rates per {per:,}; give the population to compare with them")

    def disclosive(count: int | None) -> bool:
        return disclosure_threshold is not None and count is not None and 1 <= count < disclosure_threshold

    if disclosive(current):
        return Metric(
            id=id,
            label=label,
            chapter=chapter,
            value=None,
            unit=unit,
            period=period,
            previous_period=previous_period,
            source=source,
            suppressed=True,
            note=(note + " " if note else "") + f"Suppressed: fewer than {disclosure_threshold:,} {unit}.",
        )

    change = None if previous is None or disclosive(previous) else change_in_counts(previous, current)
    fields: dict[str, Any] = {}
    if population is not None:
        rate = rate_per(current, population, per)
        values, verdicts = _comparisons(rate, comparators)
        fields.update(
            rate=rate.value,
            rate_per=per,
            rate_interval=(rate.lower, rate.upper),
            comparators=values,
            comparison_verdicts=verdicts,
        )
        if previous_population is not None and previous is not None and not disclosive(previous):
            fields["previous_rate"] = rate_per(previous, previous_population, per).value
    if disclosive(previous):
        note = (note + " " if note else "") + (
            f"The {previous_period} count is suppressed (fewer than {disclosure_threshold:,} {unit})."
        )
    return Metric(
        id=id,
        label=label,
        chapter=chapter,
        value=float(current),
        unit=unit,
        period=period,
        previous_value=None if previous is None or disclosive(previous) else float(previous),
        previous_period=previous_period,
        source=source,
        note=note,
        **_change_fields(change),
        **fields,
    )


def metric_from_rate(
    id: str,
    label: str,
    chapter: str,
    rate: Rate,
    period: str,
    source: str,
    *,
    previous: Rate | None = None,
    previous_period: str | None = None,
    comparators: Mapping[str, float | None] | None = None,
    unit: str | None = None,
    note: str | None = None,
) -> Metric:
    """A metric whose value is a crude rate (per ``rate.per``) with its confidence interval.

    The change uses :func:`assess.stats.change_in_rates`; ``comparators`` are rates per
    ``rate.per``. ``unit`` defaults to "per <per> population".
    """
    if previous is not None and previous_period is None:
        raise MetricsError(f"metric {id!r}: a previous rate needs previous_period")
    if previous is None:
        previous_period = None  # the period compared with is recorded only with its value
    change = None if previous is None else change_in_rates(previous, rate)
    values, verdicts = _comparisons(rate, comparators)
    return Metric(
        id=id,
        label=label,
        chapter=chapter,
        value=rate.value,
        unit=unit or f"per {rate.per:,} population",
        period=period,
        previous_value=None if previous is None else previous.value,
        previous_period=previous_period,
        interval=(rate.lower, rate.upper),
        comparators=values,
        comparison_verdicts=verdicts,
        source=source,
        note=note,
        **_change_fields(change),
    )


def metric_from_proportion(
    id: str,
    label: str,
    chapter: str,
    proportion: Proportion,
    period: str,
    source: str,
    *,
    previous: Proportion | None = None,
    previous_period: str | None = None,
    comparators: Mapping[str, float | None] | None = None,
    note: str | None = None,
) -> Metric:
    """A metric whose value is a percentage (0-100) with its Wilson interval (in percent).

    ``change_absolute`` is in percentage points (:func:`assess.stats.change_in_proportions`);
    ``comparators`` are percentages too (e.g. ``{"England": 25.0}``).
    """
    if previous is not None and previous_period is None:
        raise MetricsError(f"metric {id!r}: a previous proportion needs previous_period")
    if previous is None:
        previous_period = None  # the period compared with is recorded only with its value
    change = None if previous is None else change_in_proportions(previous, proportion)
    values, verdicts = _comparisons(proportion, comparators, scale=100.0)
    return Metric(
        id=id,
        label=label,
        chapter=chapter,
        value=100.0 * proportion.value,
        unit="%",
        period=period,
        previous_value=None if previous is None else 100.0 * previous.value,
        previous_period=previous_period,
        interval=(100.0 * proportion.lower, 100.0 * proportion.upper),
        comparators=values,
        comparison_verdicts=verdicts,
        source=source,
        note=note,
        **_change_fields(change, scale=100.0),
    )


# --- the document -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _schema_text() -> str:
    return importlib.resources.files("assess.measure").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def load_metrics_schema() -> dict:
    """The JSON Schema (draft 2020-12) of ``metrics.json``, as shipped in the package."""
    return json.loads(_schema_text())


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    """The schema's Draft202012Validator (jsonschema is imported here: it is slow to import, and
    chapters that only build metrics never need it)."""
    import jsonschema

    schema = load_metrics_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _where(path: Sequence[Any]) -> str:
    text = "document"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def validate_metrics_document(doc: dict) -> None:
    """Raise MetricsError unless ``doc`` is a valid metrics document.

    Checks the JSON Schema, then what a schema cannot say: ids unique, and each metric's own
    consistency (interval contains the value, verdicts name given comparators, ...) via
    :class:`Metric`. The message lists every problem found (up to 20) with its location.
    """
    problems = [
        f"{_where(error.absolute_path)}: {error.message}"
        for error in sorted(_validator().iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    ]
    metrics = doc.get("metrics") if isinstance(doc, dict) else None
    if not problems and isinstance(metrics, list):
        seen: set[str] = set()
        for position, item in enumerate(metrics):
            if item["id"] in seen:
                problems.append(f"document.metrics[{position}].id: {item['id']!r} is used by another metric")
            seen.add(item["id"])
            try:
                Metric.model_validate(item)
            except ValidationError as exc:
                for error in exc.errors():
                    problems.append(f"document.metrics[{position}] ({item['id']}): {error['msg']}")
    if problems:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise MetricsError("metrics.json is not valid: " + "; ".join(shown) + more)


def _rounded(value: Any) -> Any:
    """Floats to 10 significant figures (monotonic), recursively, so the file does not depend on
    the last bits of a platform's floating point."""
    if isinstance(value, float):
        return float(f"{value:.10g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def metrics_document(
    metrics: Sequence[Metric],
    *,
    csp: str,
    csp_code: str,
    year: str,
    synthetic: bool,
    generated_by: str,
    inputs_sha256: str | None = None,
) -> dict:
    """The metrics document (meta + metrics sorted by id) as a JSON-ready dict, validated."""
    ids = [metric.id for metric in metrics]
    duplicates = sorted({metric_id for metric_id in ids if ids.count(metric_id) > 1})
    if duplicates:
        raise MetricsError(f"metric ids must be unique; repeated: {', '.join(duplicates)}")
    doc = {
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "csp": csp,
            "csp_code": csp_code,
            "year": year,
            "synthetic": bool(synthetic),
            "generated_by": generated_by,
            "inputs_sha256": inputs_sha256,
            "notice": SYNTHETIC_LABEL if synthetic else OGL_ATTRIBUTION,
        },
        "metrics": [_rounded(m.model_dump(mode="json")) for m in sorted(metrics, key=lambda m: m.id)],
    }
    validate_metrics_document(doc)
    return doc


def dumps_metrics_document(doc: dict) -> str:
    """The deterministic JSON text of a document: sorted keys, two-space indent, final newline."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_metrics_json(
    metrics: Sequence[Metric],
    path: str | Path,
    *,
    csp: str,
    csp_code: str,
    year: str,
    synthetic: bool,
    generated_by: str,
    inputs_sha256: str | None = None,
) -> Path:
    """Validate the metrics against ``metrics.schema.json`` and write ``metrics.json`` atomically.

    Raises MetricsError (nothing written) for duplicate ids or a document that fails validation.
    """
    doc = metrics_document(
        metrics,
        csp=csp,
        csp_code=csp_code,
        year=year,
        synthetic=synthetic,
        generated_by=generated_by,
        inputs_sha256=inputs_sha256,
    )
    return write_text(path, dumps_metrics_document(doc))


def read_metrics_json(path: str | Path) -> tuple[dict, list[Metric]]:
    """Read and validate a ``metrics.json``: its meta block and its metrics."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MetricsError(f"{path}: cannot read metrics.json: {exc}") from exc
    validate_metrics_document(doc)
    return doc["meta"], [Metric.model_validate(item) for item in doc["metrics"]]
