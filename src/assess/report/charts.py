"""The house style for every chart in the assessment.

One look throughout: a white grid (:data:`WHITEGRID`, seaborn's "whitegrid" style written out), the Okabe-Ito colour-blind-safe palette, DejaVu
Sans (shipped with matplotlib, so the same on every machine), a title on every chart and an
optional source line. The CSP is drawn in blue, the national comparator in black and other areas
in grey.

Each helper returns a :class:`matplotlib.figure.Figure` created without pyplot (no global state,
safe in threads, never shown twice in a notebook). Save with :func:`png_bytes` / :func:`save_png`:
fixed dpi and no software/time stamp, so the same figure gives the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import FuncFormatter

#: Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
PALETTE: list[str] = [
    OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow", "black")
]
HIGHLIGHT = OKABE_ITO["blue"]
NATIONAL = "#333333"
OTHER = "#BBBBBB"
INCREASE = OKABE_ITO["vermillion"]
DECREASE = OKABE_ITO["blue"]
SEQUENTIAL_CMAP = "cividis"  # perceptually uniform and colour-blind safe
MISSING = "#E5E5E5"

DPI = 144
FIGSIZE = (8.0, 4.5)
FONT = "DejaVu Sans"

#: seaborn 0.13's ``axes_style("whitegrid")``, which the charts were first drawn with, written out
#: so that drawing a chart needs no seaborn (importing it took 0.3 s of every chapter kernel,
#: 0.8 s with the part of scipy it loads). Its ``image.cmap`` was seaborn's "rocket"; every chart
#: names its colour map, so the house one stands here.
WHITEGRID: dict[str, Any] = {
    "figure.facecolor": "white", "axes.labelcolor": ".15", "xtick.direction": "out", "ytick.direction": "out",
    "xtick.color": ".15", "ytick.color": ".15", "axes.axisbelow": True, "grid.linestyle": "-", "text.color": ".15",
    "font.family": ["sans-serif"], "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True, "image.cmap": SEQUENTIAL_CMAP,
    "xtick.top": False, "ytick.right": False, "axes.grid": True, "axes.facecolor": "white", "axes.edgecolor": ".8",
    "grid.color": ".8", "axes.spines.left": True, "axes.spines.bottom": True, "axes.spines.right": True,
    "axes.spines.top": True, "xtick.bottom": False, "ytick.left": False,
}

_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "svg.hashsalt": "assess",
    "path.simplify": True,
}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style to figures drawn inside the block (no global change)."""
    with matplotlib.rc_context({**WHITEGRID, **_RC}):
        yield


def new_figure(figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Any]:
    """A house-style Figure with one Axes (call inside :func:`house_style`)."""
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    return fig, ax


#: Characters of a title line per inch of figure width (bold 12 pt DejaVu Sans averages about 7.5 pt a character).
TITLE_CHARS_PER_INCH = 9.0


def wrap_title(title: str, width_inches: float) -> str:
    """``title`` broken between words into lines that fit a figure ``width_inches`` wide, so that a
    long title is never cut off at the figure's edge."""
    import textwrap

    limit = max(20, int(width_inches * TITLE_CHARS_PER_INCH))
    return "\n".join(textwrap.wrap(" ".join(title.split()), limit)) if title else title


TITLE_GID = "assess-title"


def _finish(fig: Figure, ax: Any, title: str, source: str | None) -> Figure:
    ax.set_title(wrap_title(title, fig.get_figwidth()), gid=TITLE_GID)
    if source:
        fig.supxlabel(f"Source: {source}", x=0.01, ha="left", fontsize=8, color="#555555")
    for axes in fig.axes:  # the bottom spine alone is drawn (a colour bar's too): the grid carries the values
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.spines["bottom"].set_visible(True)
    return fig


def thousands(x: float, _pos: int | None = None) -> str:
    """Axis label with thousands separators and no needless decimals."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes: fixed dpi, tight box, no Software tag (deterministic).

    ``savefig`` lays out a figure that has a layout engine by drawing it once without rendering
    and then draws it again to render it. For a house-style figure (made without pyplot, at
    :data:`DPI`) the layout is run here, on the Agg canvas that then renders the figure, and the
    engine is set aside while saving, so the figure is drawn once; the pixels are those
    ``savefig`` draws, written as an RGB PNG when every pixel is opaque (a chart on its white
    background): half the time to encode of the RGBA PNG ``savefig`` writes, a smaller file, and
    one that WeasyPrint puts in the PDF without splitting off a soft mask.
    """
    buf = io.BytesIO()
    canvas = fig.canvas
    if type(canvas) is FigureCanvasBase:  # made without pyplot: render on Agg, as savefig would
        canvas = FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is None or fig.dpi != DPI or type(canvas) is not FigureCanvasAgg:
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
        return buf.getvalue()
    engine.execute(fig)
    if fit_titles(fig, canvas.get_renderer()):
        engine.execute(fig)
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # None, not "none": a placeholder engine would draw twice again
    try:
        fig.savefig(buf, format="rgba", dpi=DPI, facecolor="white")
    finally:
        fig.set_layout_engine(engine)
    renderer = canvas.get_renderer()  # the one savefig drew on (same size and dpi)
    return encode_png(buf.getvalue(), int(renderer.width), int(renderer.height))


def encode_png(rgba: bytes, width: int, height: int, dpi: int = DPI) -> bytes:
    """RGBA pixels (``width`` x ``height``, rows top down) as a PNG: RGB when every pixel is
    opaque, its resolution recorded as ``dpi``, no text chunks (the same bytes for the same pixels)."""
    from PIL import Image

    image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
    if image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def fit_titles(fig: Figure, renderer: Any) -> bool:
    """Break again, into shorter lines, any house-style title that runs past the figure's right
    edge once laid out (a title starts at its axes, which long tick labels push right); True if
    one changed, so that the layout is run again."""
    from matplotlib.text import Text

    changed = False
    for text in fig.findobj(lambda a: isinstance(a, Text) and a.get_gid() == TITLE_GID):
        box = text.get_window_extent(renderer)
        room = fig.bbox.x1 - box.x0 - 6
        if box.width <= room or not text.get_text():
            continue
        import textwrap

        words = " ".join(text.get_text().split())
        longest = max(len(line) for line in text.get_text().splitlines())
        limit = max(12, int(longest * room / box.width) - 1)
        text.set_text("\n".join(textwrap.wrap(words, limit)))
        changed = True
    return changed


def save_png(fig: Figure, path: str | Path) -> Path:
    """Write :func:`png_bytes` of ``fig`` to ``path`` atomically."""
    from assess.atomic import write_bytes

    return write_bytes(path, png_bytes(fig))


# -- bars ------------------------------------------------------------------------------------------
def bar_with_highlight(
    df: pd.DataFrame,
    category: str,
    value: str,
    highlight: str | Sequence[str],
    title: str,
    xlabel: str,
    *,
    national: str | None = "England",
    sort: bool = True,
    lower: str | None = None,
    upper: str | None = None,
    source: str | None = None,
) -> Figure:
    """Horizontal bars of ``value`` by ``category``; the CSP(s) in ``highlight`` stand out.

    ``national`` (e.g. "England") is drawn in black and also as a dashed reference line.
    ``lower``/``upper`` name columns of confidence limits drawn as error bars.
    """
    highlights = {highlight} if isinstance(highlight, str) else set(highlight)
    data = df.sort_values(value, ascending=True) if sort else df.iloc[::-1]
    labels = data[category].astype(str).tolist()
    values = data[value].astype(float).to_numpy()
    colours = [HIGHLIGHT if c in highlights else NATIONAL if c == national else OTHER for c in labels]
    with house_style():
        fig, ax = new_figure((FIGSIZE[0], max(2.5, 0.3 * len(labels) + 1.2)))
        ax.barh(labels, values, color=colours, edgecolor="none")
        if lower and upper:
            lo = values - data[lower].astype(float).to_numpy()
            hi = data[upper].astype(float).to_numpy() - values
            ax.errorbar(values, labels, xerr=[lo, hi], fmt="none", ecolor="#444444", elinewidth=1, capsize=2)
        if national is not None and national in labels:
            ax.axvline(values[labels.index(national)], color=NATIONAL, linestyle="--", linewidth=1)
        for tick in ax.get_yticklabels():
            if tick.get_text() in highlights:
                tick.set_fontweight("bold")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("")
        ax.xaxis.set_major_formatter(FuncFormatter(thousands))
        ax.grid(axis="y", visible=False)
        return _finish(fig, ax, title, source)


def change_bars(
    df: pd.DataFrame,
    label: str,
    change: str,
    title: str,
    *,
    xlabel: str = "Change (%)",
    source: str | None = None,
) -> Figure:
    """Horizontal bars of a change (e.g. % change on last year): rises vermillion, falls blue."""
    data = df.sort_values(change, ascending=True)
    values = data[change].astype(float).to_numpy()
    labels = data[label].astype(str).tolist()
    colours = [INCREASE if v > 0 else DECREASE for v in values]
    with house_style():
        fig, ax = new_figure((FIGSIZE[0], max(2.5, 0.3 * len(labels) + 1.2)))
        ax.barh(labels, values, color=colours, edgecolor="none")
        ax.axvline(0, color="#333333", linewidth=1)
        span = float(np.nanmax(np.abs(values))) if len(values) else 1.0
        for y, v in enumerate(values):
            if np.isnan(v):
                continue
            ax.text(v + (0.01 * span if v >= 0 else -0.01 * span), y, f"{v:+.1f}",
                    va="center", ha="left" if v >= 0 else "right", fontsize=8)
        ax.set_xlim(-1.15 * span if values.min(initial=0) < 0 else 0, 1.15 * span if values.max(initial=0) > 0 else 0.1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("")
        ax.grid(axis="y", visible=False)
        return _finish(fig, ax, title, source)


# -- lines -----------------------------------------------------------------------------------------
def line_trend(
    df: pd.DataFrame,
    x: str,
    y: str,
    hue: str | None = None,
    title: str = "",
    *,
    ylabel: str | None = None,
    xlabel: str | None = None,
    highlight: str | None = None,
    source: str | None = None,
) -> Figure:
    """A trend over ``x`` (e.g. financial years), one line per ``hue`` level, markers on points.

    With ``highlight`` (a ``hue`` level, e.g. the CSP) that line is drawn thicker in blue.
    """
    with house_style():
        fig, ax = new_figure()
        if hue is None:
            ax.plot(df[x].astype(str), df[y].astype(float), marker="o", color=HIGHLIGHT, linewidth=2)
        else:
            levels = list(dict.fromkeys(df[hue].astype(str)))
            others = [c for c in PALETTE if c != HIGHLIGHT]
            for i, level in enumerate(levels):
                part = df[df[hue].astype(str) == level]
                is_hi = level == highlight
                if highlight is None:
                    colour = PALETTE[i % len(PALETTE)]
                else:
                    colour = HIGHLIGHT if is_hi else others[i % len(others)]
                ax.plot(part[x].astype(str), part[y].astype(float), marker="o", label=level,
                        color=colour, linewidth=2.5 if is_hi else 1.5, zorder=3 if is_hi else 2)
            ax.legend(loc="best")
        ax.set_ylabel(ylabel if ylabel is not None else y)
        ax.set_xlabel(xlabel if xlabel is not None else "")
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_ylim(bottom=0)
        return _finish(fig, ax, title, source)


def _month_index(index: pd.Index) -> pd.DatetimeIndex:
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    return pd.DatetimeIndex(pd.to_datetime(index.astype(str), format="mixed"))


def monthly_series(
    series: pd.Series,
    rolling: int | None = None,
    title: str = "",
    *,
    ylabel: str = "Count",
    source: str | None = None,
) -> Figure:
    """A monthly count (index: ``YYYY-MM`` strings, periods or dates) with an optional rolling mean."""
    data = series.astype(float).copy()
    data.index = _month_index(series.index)
    data = data.sort_index()
    with house_style():
        fig, ax = new_figure()
        ax.plot(data.index, data.to_numpy(), color=OKABE_ITO["sky_blue"], linewidth=1.2, marker=".", label="Monthly")
        if rolling:
            smooth = data.rolling(rolling, min_periods=rolling).mean()
            ax.plot(smooth.index, smooth.to_numpy(), color=HIGHLIGHT, linewidth=2.5,
                    label=f"{rolling}-month rolling mean")
            ax.legend(loc="best")
        ax.set_ylabel(ylabel)
        ax.set_xlabel("")
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_ylim(bottom=0)
        return _finish(fig, ax, title, source)


# -- maps ------------------------------------------------------------------------------------------
def _load_geojson(geojson: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(geojson, Mapping):
        return geojson
    return json.loads(Path(geojson).read_text(encoding="utf-8"))


def _rings(geometry: Mapping[str, Any]) -> list[np.ndarray]:
    """Exterior rings of a Polygon or MultiPolygon (holes are drawn over by neighbours)."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates", [])
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    else:
        raise ValueError(f"choropleth: unsupported geometry type {kind!r} (expected Polygon or MultiPolygon)")
    return [np.asarray(poly[0], dtype=float)[:, :2] for poly in polygons if poly]


def _geographic_aspect(ax: Any, ys: np.ndarray, xs: np.ndarray) -> None:
    """Equal-area-ish look: longitude/latitude scaled by cos(latitude); projected data 1:1."""
    if len(xs) and np.nanmax(np.abs(xs)) <= 180 and np.nanmax(np.abs(ys)) <= 90:
        ax.set_aspect(1.0 / math.cos(math.radians(float(np.nanmean(ys)))))
    else:
        ax.set_aspect("equal")


def _label_point(rings: Sequence[np.ndarray]) -> tuple[float, float]:
    """Where an area's name goes: the centroid of its largest ring (by the shoelace formula)."""
    ring = max(rings, key=lambda r: abs(_ring_area(r)))
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return float(x.mean()), float(y.mean())
    return (float(((x + np.roll(x, -1)) * cross).sum() / (6 * area)),
            float(((y + np.roll(y, -1)) * cross).sum() / (6 * area)))


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2)


def _place_names(ax: Any, places: Sequence[tuple[str, tuple[float, float]]], fontsize: float = 6.5) -> None:
    """Write each area's name at its point, dark on a white halo so that it reads on any shade."""
    import textwrap

    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for name, (x, y) in places:
        ax.text(x, y, "\n".join(textwrap.wrap(name, 14)), ha="center", va="center", fontsize=fontsize,
                color="#1b1b1b", path_effects=halo, zorder=5)


def choropleth(
    geojson_path_or_dict: str | Path | Mapping[str, Any],
    values: Mapping[str, float],
    code_property: str,
    title: str,
    *,
    legend_label: str = "",
    labels: Mapping[str, str] | None = None,
    cmap: str = SEQUENTIAL_CMAP,
    source: str | None = None,
) -> Figure:
    """Areas (e.g. wards) shaded by ``values[feature.properties[code_property]]``; missing in grey.

    ``labels`` (code -> name) writes each area's name on it; the colour bar, titled
    ``legend_label``, is the legend.
    """
    gj = _load_geojson(geojson_path_or_dict)
    features = gj.get("features", [])
    if not features:
        raise ValueError("choropleth: the GeoJSON has no features")
    present = [float(v) for v in values.values() if v is not None and not pd.isna(v)]
    norm = Normalize(vmin=min(present) if present else 0.0, vmax=max(present) if present else 1.0)
    with house_style():
        fig, ax = new_figure((7.0, 7.0))
        cm = matplotlib.colormaps[cmap]
        patches, colours = [], []
        all_x, all_y = [], []
        names: list[tuple[str, tuple[float, float]]] = []
        for feat in features:
            code = str((feat.get("properties") or {}).get(code_property, ""))
            value = values.get(code)
            colour = MISSING if value is None or pd.isna(value) else cm(norm(float(value)))
            rings = _rings(feat.get("geometry") or {})
            for ring in rings:
                patches.append(Polygon(ring, closed=True))
                colours.append(colour)
                all_x.append(ring[:, 0])
                all_y.append(ring[:, 1])
            if labels and code in labels and rings:
                names.append((str(labels[code]), _label_point(rings)))
        ax.add_collection(PatchCollection(patches, facecolor=colours, edgecolor="white", linewidth=0.8))
        xs, ys = np.concatenate(all_x), np.concatenate(all_y)
        ax.set_xlim(xs.min(), xs.max())
        ax.set_ylim(ys.min(), ys.max())
        _geographic_aspect(ax, ys, xs)
        ax.set_axis_off()
        _place_names(ax, names)
        mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=cm)
        fig.colorbar(mappable, ax=ax, shrink=0.6, label=legend_label, format=FuncFormatter(thousands))
        return _finish(fig, ax, title, source)


def area_points_map(
    points: pd.DataFrame,
    title: str,
    *,
    x: str = "longitude",
    y: str = "latitude",
    size: str = "count",
    highlight: str | None = None,
    boundaries: str | Path | Mapping[str, Any] | None = None,
    code_property: str | None = None,
    labels: Mapping[str, str] | None = None,
    legend_label: str = "Crimes",
    highlight_label: str = "Highlighted",
    source: str | None = None,
) -> Figure:
    """Small areas (e.g. LSOAs) as circles at their centres, sized and shaded by ``size``, over the
    outlines (and names) of larger areas: where records concentrate, without small-area boundaries.

    ``highlight`` names a boolean column of ``points`` whose areas are ringed in vermillion (e.g.
    the 10% with the most crime); the legend shows three circle sizes and the ringed areas.
    """
    data = points[points[x].notna() & points[y].notna()]
    if data.empty:
        raise ValueError("area_points_map: no areas with both coordinates")
    counts = data[size].astype(float).to_numpy()
    top = max(float(counts.max()), 1.0)
    scale = 220.0 / top  # marker area in points^2 per record

    with house_style():
        fig, ax = new_figure((8.0, 6.0))
        if boundaries is not None:
            gj = _load_geojson(boundaries)
            names = []
            for feat in gj.get("features", []):
                rings = _rings(feat.get("geometry") or {})
                for ring in rings:
                    ax.fill(ring[:, 0], ring[:, 1], facecolor="#F4F4F4", edgecolor="#777777", linewidth=0.7, zorder=1)
                code = str((feat.get("properties") or {}).get(code_property or "", ""))
                if labels and code in labels and rings:
                    names.append((str(labels[code]), _label_point(rings)))
        order = np.argsort(-counts)  # big circles under small ones
        sc = ax.scatter(data[x].to_numpy()[order], data[y].to_numpy()[order], s=counts[order] * scale + 4,
                        c=counts[order], cmap=SEQUENTIAL_CMAP, alpha=0.85, edgecolor="white", linewidth=0.4, zorder=3)
        if highlight is not None and data[highlight].any():
            hi = data[data[highlight].astype(bool)]
            ax.scatter(hi[x], hi[y], s=hi[size].astype(float) * scale + 4, facecolor="none",
                       edgecolor=INCREASE, linewidth=1.4, zorder=4, label=highlight_label)
        if boundaries is not None:
            _place_names(ax, names, fontsize=6)
        _geographic_aspect(ax, data[y].to_numpy(dtype=float), data[x].to_numpy(dtype=float))
        ax.set_axis_off()
        from matplotlib.lines import Line2D

        steps = sorted({max(1, round(top * f)) for f in (0.25, 0.5, 1.0)})
        handles = [Line2D([], [], linestyle="none", marker="o", markersize=math.sqrt(v * scale + 4),
                          markerfacecolor="#999999", markeredgecolor="white", label=f"{v:,} {legend_label.lower()}")
                   for v in steps]
        if highlight is not None and data[highlight].any():
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="none",
                                  markeredgecolor=INCREASE, markeredgewidth=1.4, label=highlight_label))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
                  title=legend_label, title_fontsize=8)
        return _finish(fig, ax, title, source)


def heatmap(
    df: pd.DataFrame,
    title: str,
    *,
    value_label: str,
    percent: bool = True,
    source: str | None = None,
) -> Figure:
    """A grid of ``df`` (rows by columns, e.g. wards by offence type) shaded by value, each cell
    written out (as a percentage when ``percent``), for a table too wide to read at a glance."""
    values = df.astype(float).to_numpy()
    with house_style():
        fig, ax = new_figure((FIGSIZE[0], max(3.0, 0.32 * len(df) + 2.2)))
        im = ax.imshow(values, cmap=SEQUENTIAL_CMAP, aspect="auto")
        ax.set_xticks(range(len(df.columns)), [str(c) for c in df.columns], rotation=40, ha="right", fontsize=8)
        ax.set_yticks(range(len(df.index)), [str(i) for i in df.index], fontsize=8)
        ax.grid(False)
        lo, hi = np.nanmin(values), np.nanmax(values)
        for (i, j), v in np.ndenumerate(values):
            if np.isnan(v):
                continue
            dark = (v - lo) / (hi - lo or 1) < 0.55
            # inside its cell, so inside the axes: left out of the layout, which otherwise measures
            # every cell's text to find the axes' margins (the same figure, a fraction of the time)
            ax.text(j, i, f"{v:.0f}" if percent else thousands(v), ha="center", va="center", fontsize=6.5,
                    color="white" if dark else "#1b1b1b", in_layout=False)
        fig.colorbar(im, ax=ax, shrink=0.8, label=value_label, format=FuncFormatter(thousands))
        return _finish(fig, ax, title, source)


def density_map(
    lon: Sequence[float] | pd.Series,
    lat: Sequence[float] | pd.Series,
    title: str,
    *,
    gridsize: int = 40,
    boundaries: str | Path | Mapping[str, Any] | None = None,
    legend_label: str = "Records",
    source: str | None = None,
) -> Figure:
    """Where records concentrate: a hexbin of map points, optionally over area outlines."""
    x = np.asarray(pd.to_numeric(pd.Series(lon), errors="coerce"), dtype=float)
    y = np.asarray(pd.to_numeric(pd.Series(lat), errors="coerce"), dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if not len(x):
        raise ValueError("density_map: no points with both longitude and latitude")
    with house_style():
        fig, ax = new_figure((7.0, 7.0))
        hb = ax.hexbin(x, y, gridsize=gridsize, mincnt=1, cmap=SEQUENTIAL_CMAP, linewidths=0.2)
        if boundaries is not None:
            gj = _load_geojson(boundaries)
            for feat in gj.get("features", []):
                for ring in _rings(feat.get("geometry") or {}):
                    ax.plot(ring[:, 0], ring[:, 1], color="#555555", linewidth=0.5)
        _geographic_aspect(ax, y, x)
        ax.set_axis_off()
        fig.colorbar(hb, ax=ax, shrink=0.6, label=legend_label, format=FuncFormatter(thousands))
        return _finish(fig, ax, title, source)


# -- funnel plot -----------------------------------------------------------------------------------
def funnel_plot(
    points_df: pd.DataFrame,
    limits_df: pd.DataFrame,
    title: str,
    *,
    x: str = "denominator",
    y: str = "rate",
    label: str = "area",
    highlight: str | None = None,
    centre: float | None = None,
    lower95: str = "lower_95",
    upper95: str = "upper_95",
    lower998: str = "lower_998",
    upper998: str = "upper_998",
    xlabel: str = "Population",
    ylabel: str = "Rate per 1,000",
    source: str | None = None,
) -> Figure:
    """Areas' rates against their size, within 95% and 99.8% control limits.

    ``limits_df`` has column ``x`` and the limit columns named by ``lower95`` ... ``upper998``
    (missing ones are skipped): the defaults are the columns of :func:`assess.stats.funnel_limits`; ``centre`` (or a ``centre`` column of ``limits_df``) is the
    comparator rate. The area ``highlight`` is labelled and drawn in blue.
    """
    limits = limits_df.sort_values(x)
    with house_style():
        fig, ax = new_figure()
        for lo, hi, style, name in ((lower95, upper95, "--", "95% limits"), (lower998, upper998, ":", "99.8% limits")):
            if lo in limits and hi in limits:
                ax.plot(limits[x], limits[lo], color="#555555", linestyle=style, linewidth=1, label=name)
                ax.plot(limits[x], limits[hi], color="#555555", linestyle=style, linewidth=1)
        if centre is None and "centre" in limits:
            centre = float(limits["centre"].iloc[0])
        if centre is not None:
            ax.axhline(centre, color=NATIONAL, linewidth=1, label="Comparator rate")
        is_hi = points_df[label].astype(str) == (highlight or "\0")
        ax.scatter(points_df.loc[~is_hi, x], points_df.loc[~is_hi, y], color=OTHER, edgecolor="#777777",
                   s=30, zorder=3, label="Other areas")
        if is_hi.any():
            hp = points_df.loc[is_hi]
            ax.scatter(hp[x], hp[y], color=HIGHLIGHT, s=60, zorder=4, label=str(highlight))
            for _, row in hp.iterrows():
                ax.annotate(str(row[label]), (row[x], row[y]), xytext=(5, 5), textcoords="offset points",
                            fontsize=9, fontweight="bold", color=HIGHLIGHT)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_formatter(FuncFormatter(thousands))
        ax.legend(loc="upper right", fontsize=8)
        return _finish(fig, ax, title, source)
