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


def _pixels(png: bytes):  # type: ignore[no-untyped-def]
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        return img.mode, img.size, img.info.get("dpi"), img.convert("RGB").tobytes()


def test_png_bytes_are_the_pixels_of_savefig_as_rgb_and_the_layout_engine_stays() -> None:
    fig = _figure()
    engine = fig.get_layout_engine()
    png = charts.png_bytes(fig)
    assert fig.get_layout_engine() is engine
    mode, size, dpi, pixels = _pixels(png)
    saved_mode, saved_size, saved_dpi, saved_pixels = _pixels(_savefig_bytes(_figure()))
    assert saved_mode == "RGBA" and mode == "RGB"  # opaque: no alpha channel to split off in the PDF
    assert (size, pixels) == (saved_size, saved_pixels)
    assert dpi == saved_dpi and round(dpi[0]) == charts.DPI
    assert charts.png_bytes(fig) == png  # a second save of the same figure
    assert b"tEXt" not in png and b"iTXt" not in png  # no Software (or other) text chunk


def test_a_transparent_figure_keeps_its_alpha_channel() -> None:
    from PIL import Image

    rgba = bytes([255, 0, 0, 128]) * 6
    with Image.open(io.BytesIO(charts.encode_png(rgba, 3, 2))) as img:
        assert img.mode == "RGBA" and img.getpixel((0, 0)) == (255, 0, 0, 128)
    with Image.open(io.BytesIO(charts.encode_png(bytes([1, 2, 3, 255]) * 6, 3, 2))) as img:
        assert img.mode == "RGB" and img.getpixel((2, 1)) == (1, 2, 3)


def test_png_bytes_draws_the_figure_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure

    draws = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or draw(self, renderer))
    charts.png_bytes(_figure())
    assert len(draws) == 1
