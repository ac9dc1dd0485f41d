"""Every rate of the demo assessment names what it was computed from: its numerator, its
denominator, and the estimate (source and period) the denominator comes from (metrics.json 1.3),
and so does last year's rate beside it (1.4), so that any rate can be recomputed from what is printed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo_bundle")]


def is_rate(metric: dict) -> bool:
    """A metric that is, or carries, a rate: a count with its ``rate``, or a value "per" something."""
    return metric["rate"] is not None or " per " in f" {metric['unit']} " or metric["denominator"] is not None


def test_every_rate_of_the_demo_names_its_numerator_denominator_and_estimate(demo_bundle: Path) -> None:
    doc = json.loads((demo_bundle / "metrics.json").read_text(encoding="utf-8"))
    assert doc["schema_version"] == "1.4"
    rates = [m for m in doc["metrics"] if is_rate(m) and not m["suppressed"] and m["value"] is not None]
    assert len(rates) > 40  # the demo's rates: crime and ASB, every offence type, flags, published indicators
    lacking = []
    for m in rates:
        den = m["denominator"] or {}
        missing = [name for name, value in (("numerator", m["numerator"]), ("denominator", den.get("value")),
                                            ("denominator source", den.get("source")),
                                            ("denominator period", den.get("period"))) if not value]
        if missing:
            lacking.append(f"{m['id']}: no {', '.join(missing)}")
    assert not lacking, lacking
    for m in rates:  # the rate is recomputable from what is printed
        if m["rate"] is not None:
            assert m["numerator"] / m["denominator"]["value"] * m["rate_per"] == pytest.approx(m["rate"], rel=1e-8)


def test_every_previous_rate_names_its_own_numerator_denominator_and_estimate(demo_bundle: Path) -> None:
    """Last year's rate (``previous_rate`` of a count, ``previous_value`` of a crude rate) is
    recomputable from ``previous_numerator`` and ``previous_denominator``, which names the estimate
    of that year."""
    doc = json.loads((demo_bundle / "metrics.json").read_text(encoding="utf-8"))
    metrics = {m["id"]: m for m in doc["metrics"]}
    with_previous = [m for m in metrics.values() if m["previous_rate"] is not None
                     or (m["previous_value"] is not None and m["denominator"] is not None and m["rate"] is None)]
    assert len(with_previous) > 30
    lacking = [m["id"] for m in with_previous
               if m["previous_numerator"] is None or not (m["previous_denominator"] or {}).get("source")
               or not m["previous_denominator"].get("period")]
    assert not lacking, lacking
    for m in with_previous:
        den = m["previous_denominator"]["value"]
        if m["previous_rate"] is not None:  # a count's rate; for a crude rate, check where it is one
            assert m["previous_numerator"] / den * m["rate_per"] == pytest.approx(m["previous_rate"], rel=1e-8), m["id"]
            assert m["previous_numerator"] == m["previous_value"], m["id"]
    # anti-social behaviour had no rate for last year before: now it has, from last year's residents
    asb = metrics["anti_social_behaviour"]
    assert asb["previous_rate"] == pytest.approx(asb["previous_value"] / asb["previous_denominator"]["value"] * 1000)
    assert asb["previous_denominator"]["unit"] == "residents"


def test_the_rates_of_residents_cite_the_estimate_of_the_year(demo_bundle: Path) -> None:
    """A rate per 1,000 residents cites the ONS estimate it uses by its mid-year, in its metric and
    in its chapter's text."""
    doc = json.loads((demo_bundle / "metrics.json").read_text(encoding="utf-8"))
    residents = {m["id"]: m for m in doc["metrics"] if (m["denominator"] or {}).get("unit") == "residents"}
    assert {"all_crime", "anti_social_behaviour", "burglary", "hate_crime", "highest_rate_ward"} <= set(residents)
    for m in residents.values():
        assert re.search(r"mid-20\d\d", m["denominator"]["source"]), m["id"]
        assert m["denominator"]["period"] in m["denominator"]["source"], m["id"]
    period = residents["all_crime"]["denominator"]["period"]
    for chapter in ("01_recorded_crime", "02_offence_types", "07_anti_social_behaviour", "08_hate_crime"):
        html = (demo_bundle / "html" / f"{chapter}.html").read_text(encoding="utf-8")
        assert period in html, chapter
    places = (demo_bundle / "html" / "03_places.html").read_text(encoding="utf-8")
    assert residents["highest_rate_ward"]["denominator"]["period"] in places
