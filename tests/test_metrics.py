"""Metrics and metrics.json: built from the statistics, strict schema, deterministic file."""

from __future__ import annotations

import copy
import importlib.resources
import json

import jsonschema
import pytest
from pydantic import ValidationError

from assess import OGL_ATTRIBUTION, SYNTHETIC_LABEL
from assess.measure.metrics import (
    Denominator,
    Metric,
    MetricsError,
    load_metrics_schema,
    metric_from_count,
    metric_from_proportion,
    metric_from_rate,
    metrics_document,
    read_metrics_json,
    validate_metrics_document,
    write_metrics_json,
)
from assess.stats import (
    change_in_counts,
    compare_with_benchmark,
    proportion,
    rate_per_1000,
)

META = {
    "csp": "Wessex Vale",
    "csp_code": "E22999001",
    "year": "2017/18",
    "synthetic": True,
    "generated_by": "assess 0.1.0",
}


#: The population a rate of the test metrics uses, with the estimate it comes from (schema 1.3).
RESIDENTS = Denominator(value=249_000, unit="residents", source="ONS, mid-2017 population estimate (test)",
                        period="mid-2017")
#: ... and last year's, which last year's rate uses (schema 1.4).
PREVIOUS_RESIDENTS = Denominator(value=247_000, unit="residents", source="ONS, mid-2016 population estimate (test)",
                                 period="mid-2016")


def all_crime() -> Metric:
    return metric_from_count(
        "all_crime",
        "All crime",
        "crime_overview",
        30215,
        27301,
        "2017/18",
        "2016/17",
        RESIDENTS,
        "Home Office police recorded crime",
        comparators={"England": 73.0, "Most similar group": None},
        previous_population=PREVIOUS_RESIDENTS,
    )


def some_metrics() -> list[Metric]:
    return [
        all_crime(),
        metric_from_count("burglary", "Burglary", "crime_overview", 1000, 1200, "2017/18", "2016/17", None, "police.uk"),
        metric_from_rate(
            "asb_rate",
            "Anti-social behaviour per 1,000",
            "asb",
            rate_per_1000(5000, 249_000),
            "2017/18",
            "police.uk",
            previous=rate_per_1000(5400, 247_000),
            previous_period="2016/17",
            comparators={"England": 25.0},
            denominator=RESIDENTS,
            previous_denominator=PREVIOUS_RESIDENTS,
        ),
        metric_from_proportion(
            "repeat_victims",
            "Repeat victims of domestic abuse",
            "domestic_abuse",
            proportion(81, 263),
            "2017/18",
            "partner: IDVA service",
            previous=proportion(60, 240),
            previous_period="2016/17",
            comparators={"England": 25.0},
        ),
    ]


# --- the schema --------------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12_and_ships_with_the_package():
    schema = load_metrics_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert importlib.resources.files("assess.measure").joinpath("metrics.schema.json").is_file()
    assert schema["$defs"]["metric"]["additionalProperties"] is False
    assert schema["$defs"]["meta"]["additionalProperties"] is False
    assert schema["additionalProperties"] is False


def test_schema_requires_every_field_of_metric():
    schema = load_metrics_schema()
    required = set(schema["$defs"]["metric"]["required"])
    since_1_2 = set(schema["allOf"][0]["then"]["properties"]["metrics"]["items"]["required"])
    assert schema["allOf"][0]["if"]["properties"]["schema_version"]["enum"] == ["1.2", "1.3", "1.4"]
    since_1_4 = set(schema["allOf"][2]["then"]["properties"]["metrics"]["items"]["required"])
    assert schema["allOf"][2]["if"]["properties"]["schema_version"]["const"] == "1.4"
    assert required | since_1_2 | since_1_4 == set(Metric.model_fields)
    assert not required & since_1_2 and not (required | since_1_2) & since_1_4


def test_schema_notices_match_the_package_constants():
    meta = load_metrics_schema()["$defs"]["meta"]
    assert meta["then"]["properties"]["notice"]["const"] == SYNTHETIC_LABEL
    assert meta["else"]["properties"]["notice"]["const"] == OGL_ATTRIBUTION


# --- building metrics --------------------------------------------------------------------------


def test_metric_from_count_fills_change_rate_and_comparisons():
    metric = all_crime()
    change = change_in_counts(27301, 30215)
    rate = rate_per_1000(30215, 249_000)
    assert (metric.value, metric.previous_value) == (30215, 27301)
    assert metric.change_absolute == 2914
    assert metric.change_percent == pytest.approx(change.percent)
    assert metric.verdict == "increase" and metric.p_value == pytest.approx(change.p_value)
    assert metric.rate == pytest.approx(rate.value) and metric.rate_per == 1000
    assert metric.rate_interval == pytest.approx((rate.lower, rate.upper))
    assert metric.previous_rate == pytest.approx(27301 / 247_000 * 1000)
    assert metric.comparators == {"England": 73.0, "Most similar group": None}
    assert metric.comparison_verdicts == {"England": compare_with_benchmark(rate, 73.0).verdict}
    assert metric.interval is None and not metric.suppressed


def test_metric_from_count_without_previous_or_population():
    metric = metric_from_count("arson", "Arson", "fire", 40, None, "2017/18", None, None, "fire service")
    assert metric.change_percent is None and metric.verdict is None and metric.rate is None


def test_metric_from_count_disclosure_control():
    hidden = metric_from_count("hate", "Hate crime", "hate", 3, 20, "2017/18", "2016/17", 1000, "partner", disclosure_threshold=5)
    assert hidden.suppressed and hidden.value is None and hidden.rate is None and hidden.change_percent is None
    assert "fewer than 5" in hidden.note
    previous_hidden = metric_from_count("hate", "Hate crime", "hate", 30, 2, "2017/18", "2016/17", None, "partner", disclosure_threshold=5)
    assert previous_hidden.value == 30 and previous_hidden.previous_value is None
    assert previous_hidden.change_absolute is None and "2016/17" in previous_hidden.note


def test_metric_from_count_refuses_comparators_without_population():
    with pytest.raises(MetricsError, match="population"):
        metric_from_count("x", "X", "c", 5, None, "2017/18", None, None, "s", comparators={"England": 3.0})
    with pytest.raises(MetricsError, match="previous_period"):
        metric_from_count("x", "X", "c", 5, 4, "2017/18", None, None, "s")


def test_metric_from_rate_and_proportion_units():
    _, _, asb, repeat = some_metrics()
    assert asb.unit == "per 1,000 population" and asb.interval[0] < asb.value < asb.interval[1]
    assert asb.verdict in {"increase", "decrease", "no significant change"}
    assert repeat.unit == "%"
    assert repeat.value == pytest.approx(100 * 81 / 263)
    assert repeat.interval == pytest.approx((25.53, 36.62), abs=0.01)
    assert repeat.change_absolute == pytest.approx(100 * (81 / 263 - 60 / 240))  # percentage points
    assert repeat.comparison_verdicts == {"England": "significantly higher"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "All_crime"}, "pattern"),
        ({"id": "1crime"}, "pattern"),
        ({"period": "2017-18"}, "pattern"),
        ({"period": "2016/18"}, "financial year"),
        ({"interval": (1.0, 2.0)}, "does not contain"),
        ({"rate_interval": (200.0, 100.0)}, "lower limit"),
        ({"value": float("nan")}, "finite"),
        ({"suppressed": True}, "suppressed"),
        ({"previous_period": None}, "previous_period"),
        ({"comparison_verdicts": {"Wales": "similar"}}, "Wales"),
        ({"verdict": "went up"}, "verdict"),
        ({"value": None}, "note"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_metric_rejects_invalid_fields(changes, message):
    fields = all_crime().model_dump()
    fields.update(changes)
    with pytest.raises(ValidationError, match=message):
        Metric(**fields)


# --- the document ------------------------------------------------------------------------------


def test_write_is_sorted_deterministic_and_valid(tmp_path):
    metrics = some_metrics()
    first = write_metrics_json(metrics, tmp_path / "a" / "metrics.json", **META)
    second = write_metrics_json(list(reversed(metrics)), tmp_path / "b.json", **META)
    text = first.read_text()
    assert text == second.read_text()
    assert text.endswith("}\n") and '\n  "meta": {' in text
    doc = json.loads(text)
    assert [m["id"] for m in doc["metrics"]] == sorted(m.id for m in metrics)
    assert list(doc) == sorted(doc) and all(list(m) == sorted(m) for m in doc["metrics"])
    assert doc["meta"]["notice"] == SYNTHETIC_LABEL and doc["meta"]["inputs_sha256"] is None
    jsonschema.validate(doc, load_metrics_schema(), cls=jsonschema.Draft202012Validator)
    meta, read_back = read_metrics_json(first)
    assert meta["csp"] == "Wessex Vale"
    assert {m.id: m.value for m in read_back} == pytest.approx({m.id: m.value for m in metrics}, rel=1e-9)


def test_real_data_gets_the_ogl_notice_and_a_hash(tmp_path):
    path = write_metrics_json(
        [all_crime()], tmp_path / "m.json", **{**META, "synthetic": False}, inputs_sha256="ab" * 32
    )
    meta = json.loads(path.read_text())["meta"]
    assert meta["notice"] == OGL_ATTRIBUTION and meta["inputs_sha256"] == "ab" * 32


def test_duplicate_ids_are_refused_and_nothing_is_written(tmp_path):
    target = tmp_path / "metrics.json"
    with pytest.raises(MetricsError, match="all_crime"):
        write_metrics_json([all_crime(), all_crime()], target, **META)
    assert not target.exists()


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"csp_code": "Wessex"}, "csp_code"),
        ({"year": "2017"}, "year"),
        ({"generated_by": ""}, "generated_by"),
    ],
)
def test_bad_meta_is_refused(tmp_path, meta, message):
    with pytest.raises(MetricsError, match=message):
        write_metrics_json([all_crime()], tmp_path / "m.json", **{**META, **meta})
    with pytest.raises(MetricsError, match="inputs_sha256"):
        write_metrics_json([all_crime()], tmp_path / "m.json", **META, inputs_sha256="not-a-hash")


def test_validate_catches_tampering():
    doc = metrics_document(some_metrics(), **META)
    validate_metrics_document(doc)
    for tamper, message in [
        (lambda d: d["metrics"][0].update(extra=1), "extra"),
        (lambda d: d["metrics"][0].update(value="many"), "value"),
        (lambda d: d["meta"].update(notice=OGL_ATTRIBUTION), "notice"),
        (lambda d: d["metrics"].append(copy.deepcopy(d["metrics"][0])), "used by another metric"),
        (lambda d: d["metrics"][0].update(interval=[1.0]), "interval"),
        (lambda d: d["metrics"][1].update(value=1.0), "does not contain"),
        (lambda d: d.update(schema_version="2.0"), "schema_version"),
    ]:
        bad = copy.deepcopy(doc)
        tamper(bad)
        with pytest.raises(MetricsError, match=message):
            validate_metrics_document(bad)


def test_the_previous_period_is_recorded_only_with_a_previous_value() -> None:
    from assess.measure.metrics import (
        metric_from_count,
        metric_from_proportion,
        metric_from_rate,
    )
    from assess.stats import proportion, rate_per_1000

    count = metric_from_count("x", "X", "01_x", 120, None, "2024/25", "2023/24", None, "test")
    rate = metric_from_rate("y", "Y", "01_x", rate_per_1000(120, 10_000), "2024/25", "test", previous_period="2023/24")
    share = metric_from_proportion("z", "Z", "01_x", proportion(30, 100), "2024/25", "test", previous_period="2023/24")
    assert count.previous_period is None and rate.previous_period is None and share.previous_period is None
    with_previous = metric_from_count("x", "X", "01_x", 120, 100, "2024/25", "2023/24", None, "test")
    assert with_previous.previous_period == "2023/24" and with_previous.previous_value == 100


# --- the test behind each verdict, percentage points, part years, display -----------------------


def _monthly(level: float, months: list[str], seed: int = 3):  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.Series(rng.poisson(level * rng.gamma(6.0, 1 / 6.0, len(months))).astype("float64"), index=months)


def test_a_count_with_its_monthly_series_is_tested_allowing_for_overdispersion():
    from assess.measure.metrics import count_change
    from assess.periods import months_of_financial_year
    from assess.stats import change_in_monthly_counts

    months = [m for y in ("2022/23", "2023/24", "2024/25") for m in months_of_financial_year(y)]
    monthly = _monthly(2500.0, months)
    cur, prev = months[24:], months[12:24]
    current, previous = int(monthly[cur].sum()), int(monthly[prev].sum())
    m = metric_from_count("all_crime", "All crime", "01_recorded_crime", current, previous, "2024/25", "2023/24",
                          250_000, "police.uk", monthly=monthly, months=cur, previous_months=prev)
    expected = change_in_monthly_counts(monthly, cur, prev)
    assert m.method_id == "quasi-poisson-glm-month-effects" and m.fallback_reason is None
    assert m.p_value == pytest.approx(expected.p_value) and m.dispersion == pytest.approx(expected.dispersion)
    assert m.dispersion > 1
    assert m.dispersion_df == expected.dispersion_df and m.rate_ratio_interval == pytest.approx(expected.rate_ratio_interval)
    assert m.p_value >= metric_from_count("x", "x", "x", current, previous, "2024/25", "2023/24", None, "s").p_value
    # a series that is not the one behind the counts is refused, naming both
    with pytest.raises(MetricsError, match="not the series behind them"):
        count_change(previous + 1, current, monthly=monthly, months=cur, previous_months=prev)


def test_a_count_without_a_series_says_the_exact_test_decided_and_why():
    m = metric_from_count("national", "National", "01_recorded_crime", 5_421_634, 5_292_124, "2024/25", "2023/24",
                          None, "Home Office", no_series="the Home Office gives yearly totals")
    assert m.method_id == "exact-conditional-poisson" and m.dispersion == 1.0 and m.dispersion_df is None
    assert m.fallback_reason == "the Home Office gives yearly totals"
    low, high = m.rate_ratio_interval
    assert low < 5_421_634 / 5_292_124 < high
    plain = metric_from_count("x", "x", "x", 110, 100, "2024/25", "2023/24", None, "s")
    assert plain.fallback_reason == "only the two totals are available, not the monthly series behind them"


def test_a_change_in_a_percentage_is_in_percentage_points_only():
    m = metric_from_proportion("feel_safe", "Feel safe", "04_perceptions", proportion(944, 1000), "2024/25", "survey",
                               previous=proportion(927, 1000), previous_period="2023/24")
    assert m.change_percent is None and m.change_percentage_points == pytest.approx(1.7)
    assert m.change_absolute == pytest.approx(1.7) and m.display.change == "+1.7 percentage points"
    assert m.display.value == "94.4%"
    with pytest.raises(ValidationError, match="percentage points"):
        Metric(id="share", label="Share", chapter="x", value=29.1, unit="%", period="2024/25", previous_value=29.6,
               previous_period="2023/24", change_percent=-1.8, source="s")
    with pytest.raises(ValidationError, match="for percentages"):
        Metric(id="n", label="N", chapter="x", value=29.0, unit="crimes", period="2024/25", change_percentage_points=1.0,
               source="s")


def test_display_is_rounded_once_from_full_precision_and_labels_a_part_year():
    m = metric_from_count("burglary", "Burglary", "02_offence_types", 1448, None, "2024/25", None, 251_967.0, "s")
    assert m.rate == pytest.approx(5.7467, abs=1e-4) and m.display.rate == "5.7 per 1,000"  # never 5.75 -> 5.8
    assert m.display.value == "1,448" and m.period_months == 12
    part = metric_from_count("all_crime", "All crime", "01_recorded_crime", 16_300, 16_000, "2024-04 to 2024-09",
                             "2023-04 to 2023-09", 252_000, "s")
    assert part.period_months == 6 and part.display.rate == "64.7 per 1,000 (part year: 6 months)"
    gini = Metric(id="gini", label="Gini", chapter="x", value=0.2838, unit="Gini coefficient (0-1)", period="2024/25",
                  source="s", decimals=2)
    assert gini.display.value == "0.28"
    rate = metric_from_rate("r", "Rate", "x", rate_per_1000(1500, 250_000), "2024/25", "s")
    assert rate.display.value == "6.0"  # a rate keeps its decimal place even when whole
    # read back from metrics.json, the display is the one written (not re-rounded from 10 figures)
    assert Metric.model_validate(part.model_dump(mode="json")).display == part.display


def test_comparison_verdicts_name_the_method_that_made_them():
    m = metric_from_count("all_crime", "All crime", "01_recorded_crime", 30_000, None, "2024/25", None, 250_000, "s",
                          comparators={"england": 98.0, "msg_average": 106.0},
                          comparison_verdicts={"england": "similar", "msg_average": "significantly higher"},
                          comparison_methods={"england": "funnel-overdispersed-additive-random-effects"},
                          comparison_dispersion={"england": 3399.1})
    assert m.comparison_methods == {"england": "funnel-overdispersed-additive-random-effects",
                                    "msg_average": "benchmark-outside-confidence-interval"}
    assert m.comparison_dispersion == {"england": 3399.1}
    with pytest.raises(ValidationError, match="without the method"):
        Metric(id="x", label="x", chapter="x", value=1.0, unit="u", period="2024/25", comparators={"a": 1.0},
               comparison_verdicts={"a": "similar"}, source="s")


def test_version_1_3_requires_each_denominator_to_name_its_source_and_period() -> None:
    doc = metrics_document(some_metrics(), **META)
    assert doc["schema_version"] == "1.4"
    bare = json.loads(json.dumps(doc))
    rated = next(m for m in bare["metrics"] if m["denominator"] is not None)
    rated["denominator"]["source"] = None
    with pytest.raises(MetricsError, match="denominator"):
        validate_metrics_document(bare)
    bare["schema_version"] = "1.2"
    validate_metrics_document(bare)  # a 1.2 document, written before sources were required, stays valid
    with pytest.raises(MetricsError, match="bare"):
        metrics_document([metric_from_count("x", "X", "c", 10, None, "2017/18", None, 1000.0, "s")], **META)


def test_version_1_4_records_last_years_numerator_and_denominator_with_its_estimate() -> None:
    m = all_crime()
    assert (m.previous_numerator, m.previous_denominator) == (27301, PREVIOUS_RESIDENTS)
    assert m.previous_rate == pytest.approx(27301 / 247_000 * 1000)
    rate = next(x for x in some_metrics() if x.id == "asb_rate")  # a crude rate: its previous count and exposure
    assert (rate.previous_numerator, rate.previous_denominator) == (5400, PREVIOUS_RESIDENTS)
    doc = metrics_document(some_metrics(), **META)
    stale = json.loads(json.dumps(doc))
    counted = next(x for x in stale["metrics"] if x["id"] == "all_crime")
    counted["previous_denominator"]["period"] = None
    with pytest.raises(MetricsError, match="previous_denominator|period"):
        validate_metrics_document(stale)
    del counted["previous_denominator"], counted["previous_numerator"]
    with pytest.raises(MetricsError, match="previous_numerator"):
        validate_metrics_document(stale)
    stale["schema_version"] = "1.3"
    validate_metrics_document(stale)  # a 1.3 document, written before last year's figures were recorded, stays valid
    # a previous population given bare (a number, no estimate) is refused when the document is written
    with pytest.raises(MetricsError, match="previous period"):
        metrics_document([metric_from_count("x", "X", "c", 10, 12, "2017/18", "2016/17", RESIDENTS, "s",
                                            previous_population=1000.0)], **META)
    # and a previous rate that its own figures do not give is refused
    with pytest.raises(ValueError, match="previous_rate"):
        Metric.model_validate({**m.model_dump(), "display": None, "previous_rate": 999.0})


def test_a_population_record_may_be_passed_as_the_population() -> None:
    m = metric_from_count("x", "X", "c", 498, 540, "2017/18", "2016/17", RESIDENTS, "s", previous_population=RESIDENTS)
    assert m.denominator == RESIDENTS and m.numerator == 498 and m.rate == pytest.approx(2.0)
    assert m.previous_rate == pytest.approx(540 / 249)
    with pytest.raises(MetricsError, match="two denominators"):
        metric_from_count("x", "X", "c", 498, None, "2017/18", None, RESIDENTS, "s",
                          denominator=Denominator(value=249_000, source="other", period="mid-2016"))


def test_version_1_2_records_numerators_and_denominators_and_still_reads_1_1() -> None:
    doc = metrics_document(some_metrics(), **META)
    with_rate = [m for m in doc["metrics"] if m["rate"] is not None]
    assert with_rate and all(m["numerator"] is not None and m["denominator"]["value"] > 0 for m in with_rate)
    old = json.loads(json.dumps(doc))
    old["schema_version"] = "1.1"
    for m in old["metrics"]:
        del m["numerator"], m["denominator"]
    validate_metrics_document(old)  # a 1.1 document, written before numerators were recorded, stays valid
    new_without = json.loads(json.dumps(old))
    new_without["schema_version"] = "1.2"
    with pytest.raises(MetricsError, match="numerator"):
        validate_metrics_document(new_without)
