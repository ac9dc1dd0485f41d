"""png_bytes lays a figure out once and draws it once, and writes exactly what savefig writes."""

from __future__ import annotations

import io

import pandas as pd

from assess.report import charts


def _savefig_bytes(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=charts.DPI, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


def _figure():  # type: ignore[no-untyped-def]
    df = pd.DataFrame({"area": ["Wessex Vale", "England", "Somewhere else"], "rate": [71.5, 80.2, 64.0]})
    return charts.bar_with_highlight(df, "area", "rate", "Wessex Vale", "Crimes per 1,000 residents", "Rate",
                                     source="Home Office")


def test_png_bytes_are_those_of_savefig_and_the_layout_engine_stays() -> None:
    fig = _figure()
    engine = fig.get_layout_engine()
    png = charts.png_bytes(fig)
    assert fig.get_layout_engine() is engine
    assert png == _savefig_bytes(_figure())
    assert charts.png_bytes(fig) == png  # a second save of the same figure


def test_png_bytes_draws_the_figure_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure

    draws = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or draw(self, renderer))
    charts.png_bytes(_figure())
    assert len(draws) == 1
