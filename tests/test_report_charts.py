"""The house chart style: every helper returns a Figure whose PNG bytes are reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from assess.report import charts

GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"code": "W1"},
         "geometry": {"type": "Polygon", "coordinates": [[[-1.40, 50.90], [-1.35, 50.90], [-1.35, 50.95], [-1.40, 50.90]]]}},
        {"type": "Feature", "properties": {"code": "W2"},
         "geometry": {"type": "MultiPolygon", "coordinates": [
             [[[-1.35, 50.90], [-1.30, 50.90], [-1.30, 50.95], [-1.35, 50.90]]],
             [[[-1.30, 50.95], [-1.28, 50.95], [-1.28, 50.97], [-1.30, 50.95]]]]}},
        {"type": "Feature", "properties": {"code": "W3"},
         "geometry": {"type": "Polygon", "coordinates": [[[-1.40, 50.95], [-1.35, 50.95], [-1.38, 50.99], [-1.40, 50.95]]]}},
    ],
}


def _figures() -> dict[str, Figure]:
    areas = pd.DataFrame({"area": ["Demo", "Other", "England"], "rate": [80.0, 70.0, 75.0],
                          "lower": [78.0, 68.0, 74.8], "upper": [82.0, 72.0, 75.2]})
    months = pd.Series([10, 12, 9, 14, 13, 15], index=["2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09"])
    trend = pd.DataFrame({"fy": ["2021/22", "2022/23"] * 2, "v": [1.0, 2.0, 3.0, 4.0], "area": ["Demo"] * 2 + ["England"] * 2})
    rng = np.random.default_rng(7)
    points = pd.DataFrame({"area": ["Demo", "B", "C"], "denominator": [2e5, 3e5, 1e5], "rate": [80.0, 70.0, 75.0]})
    limits = pd.DataFrame({"denominator": [1e5, 3e5], "lower_95": [70.0, 72.0], "upper_95": [80.0, 78.0],
                           "lower_998": [66.0, 70.0], "upper_998": [84.0, 80.0]})
    return {
        "bar": charts.bar_with_highlight(areas, "area", "rate", "Demo", "Rates", "Per 1,000", lower="lower", upper="upper",
                                         source="Home Office"),
        "change": charts.change_bars(pd.DataFrame({"g": ["a", "b"], "c": [5.0, -2.0]}), "g", "c", "Change"),
        "line": charts.line_trend(trend, "fy", "v", hue="area", title="Trend", highlight="Demo"),
        "monthly": charts.monthly_series(months, rolling=3, title="Monthly"),
        "choropleth": charts.choropleth(GEOJSON, {"W1": 1.0, "W2": 4.0}, "code", "Map", legend_label="Rate"),
        "density": charts.density_map(rng.normal(-1.35, 0.01, 300), rng.normal(50.93, 0.01, 300), "Density",
                                      boundaries=GEOJSON),
        "funnel": charts.funnel_plot(points, limits, "Funnel", highlight="Demo", centre=75.0),
    }


def test_every_helper_returns_a_figure_with_a_title_and_reproducible_png() -> None:
    first = _figures()
    second = _figures()
    for name, fig in first.items():
        assert isinstance(fig, Figure), name
        assert fig.axes[0].get_title(loc="left"), f"{name} has no title"
        png = charts.png_bytes(fig)
        assert png.startswith(b"\x89PNG"), name
        assert b"Software" not in png and b"matplotlib" not in png.lower(), f"{name}: software/time stamp in PNG"
        assert png == charts.png_bytes(second[name]), f"{name}: PNG bytes differ between two identical figures"


def test_highlight_colours_follow_the_house_palette() -> None:
    areas = pd.DataFrame({"area": ["Demo", "Other", "England"], "rate": [80.0, 70.0, 75.0]})
    fig = charts.bar_with_highlight(areas, "area", "rate", "Demo", "Rates", "Per 1,000")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    by_label = dict(zip(labels, fig.axes[0].patches, strict=True))
    assert set(by_label) == {"Demo", "Other", "England"}
    assert to_hex(by_label["Demo"].get_facecolor()) == charts.HIGHLIGHT.lower()
    assert to_hex(by_label["England"].get_facecolor()) == charts.NATIONAL.lower()
    assert to_hex(by_label["Other"].get_facecolor()) == charts.OTHER.lower()
    assert charts.PALETTE[0] == charts.OKABE_ITO["blue"]


def test_choropleth_draws_every_polygon_and_greys_missing_areas() -> None:
    fig = charts.choropleth(GEOJSON, {"W1": 1.0, "W2": 4.0}, "code", "Map")
    collection = fig.axes[0].collections[0]
    faces = [to_hex(c) for c in collection.get_facecolor()]
    assert len(faces) == 4  # W1, W2 (two parts), W3
    assert faces[3] == charts.MISSING.lower()
    assert faces[1] == faces[2] != faces[0]


def test_maps_refuse_what_they_cannot_draw() -> None:
    with pytest.raises(ValueError, match="no points"):
        charts.density_map([np.nan], [np.nan], "Empty")
    bad = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "X"},
                                                      "geometry": {"type": "Point", "coordinates": [0, 0]}}]}
    with pytest.raises(ValueError, match="Point"):
        charts.choropleth(bad, {}, "code", "Map")


def test_save_png_writes_atomically(tmp_path) -> None:
    fig = charts.change_bars(pd.DataFrame({"g": ["a"], "c": [1.0]}), "g", "c", "Change")
    path = charts.save_png(fig, tmp_path / "out" / "c.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in path.parent.iterdir()] == ["c.png"]
