"""The index's headline cards show each metric's display figures: rounded once, percentage points
for a change in a percentage, part-year rates said to be so."""

from __future__ import annotations

from assess.measure.metrics import metric_from_count, metric_from_proportion
from assess.report.index import format_metric
from assess.stats import proportion


def test_a_card_shows_the_metrics_display_figures() -> None:
    burglary = metric_from_count("burglary", "Burglary", "02_offence_types", 1448, 1500, "2024/25", "2023/24",
                                 251_967.0, "police.uk").model_dump(mode="json")
    card = format_metric(burglary)
    assert card["value"] == "1,448" and card["rate"] == "5.7 per 1,000"  # 5.7467: once, never 5.75 -> 5.8
    assert card["change"].startswith("-3.5% on 2023/24 (")


def test_a_change_in_a_percentage_is_in_percentage_points() -> None:
    safe = metric_from_proportion("feel_safe", "Feel safe", "04_perceptions", proportion(944, 1000), "2024/25",
                                  "survey", previous=proportion(940, 1000), previous_period="2023/24")
    card = format_metric(safe.model_dump(mode="json"))
    assert card["value"] == "94.4%" and card["change"] == "+0.4 percentage points on 2023/24 (no significant change)"
    # an older metrics.json (no display block, a relative change_percent) never shows "+0.4%"
    legacy = {"id": "feel_safe", "label": "Feel safe", "value": 94.4, "unit": "%", "period": "2024/25",
              "previous_period": "2023/24", "change_percent": 0.43, "change_absolute": 0.4}
    assert format_metric(legacy)["change"] == ""
    legacy["change_percentage_points"] = 0.4
    assert format_metric(legacy)["change"] == "+0.4 percentage points on 2023/24"


def test_a_part_year_rate_says_so() -> None:
    half = metric_from_count("all_crime", "All crime", "01_recorded_crime", 16_300, None, "2024-04 to 2024-09", None,
                             252_000, "police.uk").model_dump(mode="json")
    assert format_metric(half)["rate"] == "64.7 per 1,000 (part year: 6 months)"
