"""National comparators: look a benchmark value up by measure and period.

The partner file ``benchmarks`` (``national_benchmarks.csv``; columns ``measure``, ``period``,
``area``, ``value``, ``unit``, ``source``) holds the national figures a chapter sets a local one
against: the share of adults feeling safe after dark (Crime Survey for England and Wales), the
youth custody rate (Youth Justice Board), rough sleepers per 1,000 households (MHCLG), deaths
from drug misuse per 100,000 (ONS / OHID Fingertips), and so on. The analyst copies them from the
publisher, with the source, because they are not all published as open data in one place.

:func:`find_benchmark` answers with a :class:`Benchmark`, or with ``None`` when the file, the
measure or the period is absent: a chapter then says there is no national comparator, and never
invents one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from assess.measure.context import AssessmentContext
from assess.measure.narrative import format_rate, format_share, possessive
from assess.stats import Comparison, Proportion, Rate, compare_with_benchmark

BENCHMARK_COLUMNS = ("measure", "period", "area", "value", "unit", "source")


@dataclass(frozen=True)
class Benchmark:
    """One national comparator: ``value`` in ``unit`` for ``area`` in ``period``, from ``source``."""

    measure: str
    period: str
    area: str
    value: float
    unit: str
    source: str

    @property
    def label(self) -> str:
        """Name of the comparator in text: ``"England (2023/24)"``."""
        return f"{self.area} ({self.period})"

    @property
    def is_percent(self) -> bool:
        """True when ``unit`` says the value is a percentage (``%``, ``percent``, ``per cent``)."""
        u = self.unit.strip().lower()
        return "%" in u or "percent" in u or "per cent" in u

    @property
    def standardisation(self) -> str | None:
        """"age-standardised" or "crude" when the unit (or measure) says which kind of rate it is, else None.

        A rate is compared only with a rate of the same kind (crude with crude, age-standardised with
        age-standardised): a file that does not say gives no verdict.
        """
        text = f"{self.unit} {self.measure}".lower().replace("-", " ")
        if "age standardised" in text or "age standardized" in text or "directly standardised" in text or "dsr" in text.split():
            return "age-standardised"
        if "crude" in text:
            return "crude"
        return None

    def as_fraction(self) -> float:
        """A proportion benchmark as a fraction 0..1 (a percentage is divided by 100)."""
        return self.value / 100.0 if self.is_percent or self.value > 1.0 else self.value

    def as_percent(self) -> float:
        """A proportion benchmark as a percentage 0..100."""
        return 100.0 * self.as_fraction()


def _period_key(period: str) -> tuple[int, str]:
    m = re.search(r"(\d{4})", str(period))
    return (int(m.group(1)) if m else -1, str(period))


def _norm(value: object) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().lower()


def find_benchmark(
    table: pd.DataFrame | None,
    measure: str,
    period: str | None = None,
    *,
    area: str | None = None,
    latest_if_missing: bool = False,
) -> Benchmark | None:
    """The benchmark for ``measure`` in ``period`` (and ``area``, when given), or None.

    ``measure`` and ``area`` match without regard to case or surrounding space; ``period`` matches
    exactly (``"2024/25"``, ``"2024"``, ``"2021-2023"``). Without ``period`` the latest period is
    taken. With ``latest_if_missing``, a missing period falls back to the latest period that does
    not start after it (the returned :attr:`Benchmark.period` says which one it is). When ``area``
    is not found, rows of any area are used only if there is exactly one area for the measure.
    """
    if table is None or table.empty or not set(BENCHMARK_COLUMNS) <= set(table.columns):
        return None
    rows = table[table["measure"].map(_norm) == _norm(measure)]
    rows = rows[pd.to_numeric(rows["value"], errors="coerce").notna()]
    if rows.empty:
        return None
    if area is not None:
        in_area = rows[rows["area"].map(_norm) == _norm(area)]
        if in_area.empty and rows["area"].map(_norm).nunique() != 1:
            return None
        rows = in_area if not in_area.empty else rows
    if period is not None:
        exact = rows[rows["period"].astype("string").str.strip() == str(period).strip()]
        if exact.empty:
            if not latest_if_missing:
                return None
            start = _period_key(period)[0]
            exact = rows[[_period_key(p)[0] <= start for p in rows["period"]]]
            if exact.empty:
                return None
        rows = exact
    order = sorted(range(len(rows)), key=lambda i: _period_key(rows["period"].iloc[i]))
    row = rows.iloc[order[-1]]
    return Benchmark(
        measure=str(row["measure"]),
        period=str(row["period"]),
        area=str(row["area"]),
        value=float(row["value"]),
        unit=str(row["unit"]) if pd.notna(row["unit"]) else "",
        source=str(row["source"]) if pd.notna(row["source"]) else "",
    )


def national_benchmark(
    ctx: AssessmentContext,
    measure: str | tuple[str, ...],
    period: str | None = None,
    *,
    latest_if_missing: bool = True,
) -> Benchmark | None:
    """The national (``ctx.cfg.national_name``) benchmark of ``measure`` from the partner file.

    ``measure`` may be a tuple of names, tried in turn (the first found is returned). Defaults to
    the latest period not after ``period`` when that period is missing, since national figures
    are often published a year behind; None when there is no file or no value.
    """
    table = ctx.partner("benchmarks")
    for name in (measure,) if isinstance(measure, str) else measure:
        found = find_benchmark(table, name, period, area=ctx.cfg.national_name, latest_if_missing=latest_if_missing)
        if found is not None:
            return found
    return None


def per_of_unit(unit: str) -> int | None:
    """The denominator of a rate unit: "per 1,000 population" -> 1000; None if the unit is not a rate."""
    m = re.search(r"per\s+([\d,]+)", unit or "")
    return int(m.group(1).replace(",", "")) if m else None


def national_rate(
    ctx: AssessmentContext, measures: tuple[str, ...], period: str, per: int = 1000
) -> tuple[Benchmark | None, float | None]:
    """The national rate of the first of ``measures`` whose unit is a rate ("per N ..."), and its
    value per ``per`` (a rate per 100,000 is converted); ``(None, None)`` when there is none.

    The period is looked up as :func:`national_benchmark` does (the latest not after ``period``).
    """
    for measure in measures:
        bench = national_benchmark(ctx, measure, period)
        if bench is not None and (n := per_of_unit(bench.unit)):
            return bench, bench.value * per / n
    return None, None


def available_measures(table: pd.DataFrame | None) -> list[str]:
    """The measures the benchmarks file holds, sorted."""
    if table is None or "measure" not in table.columns:
        return []
    return sorted(table["measure"].dropna().astype(str).unique())


_PHRASE = {
    "significantly higher": "is significantly higher than",
    "significantly lower": "is significantly lower than",
    "similar": "is similar to",
}


def compare(estimate: Rate | Proportion, bench: Benchmark) -> Comparison:
    """PHE-style comparison of a local rate or proportion with a benchmark in the same unit.

    A proportion is compared with the benchmark as a fraction (:meth:`Benchmark.as_fraction`);
    a rate with the benchmark's value, which must be per the same ``per`` (the caller's duty).
    """
    value = bench.as_fraction() if isinstance(estimate, Proportion) else bench.value
    return compare_with_benchmark(estimate, value)


def comparison_sentence(
    name: str,
    estimate: Rate | Proportion,
    bench: Benchmark | None,
    *,
    unit: str = "",
    decimals: int = 1,
    absent: str = "There is no national figure for this measure in the benchmarks file.",
) -> str:
    """One sentence setting a local figure against its national benchmark, with the source.

    "Wessex Vale's rate, 0.22 per 1,000 households, is similar to England's, 0.19 per 1,000
    households (national figure for 2024: MHCLG rough sleeping snapshot)." Proportions are written
    as percentages; rates to ``decimals`` places followed by ``unit``. ``absent`` is returned when
    there is no benchmark.
    """
    if bench is None:
        return absent
    comparison = compare(estimate, bench)
    phrase = _PHRASE[comparison.verdict]
    if isinstance(estimate, Proportion):
        kind, local, national = "proportion", format_share(estimate.value, decimals), format_share(bench.as_fraction(), decimals)
    else:
        suffix = f" {unit}" if unit else ""
        kind = "rate"
        local = format_rate(estimate.value, decimals) + suffix
        national = format_rate(bench.value, decimals) + suffix
    return (
        f"{possessive(name)} {kind}, {local}, {phrase} {possessive(bench.area)}, {national} "
        f"(national figure for {bench.period}: {bench.source})."
    )
