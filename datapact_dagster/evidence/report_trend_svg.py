"""Geometry of a metric's inline SVG trend: its line, the anomaly band where a monitor recorded
one, and each run's point (flagged points stand out); templates draw it."""

from __future__ import annotations

from dataclasses import dataclass

from .report_trends import TrendPoint, TrendSeries

WIDTH, HEIGHT = 720, 170
LEFT, RIGHT, TOP, BOTTOM = 72, 44, 12, 34
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_X_LABELS = 6
FLAT_SPREAD = {"share": 0.005, "seconds": 1.0, "rows": 1.0}
BAND_HALF_WIDTH = 8.0
"""A band recorded for one run only is drawn this wide on each side of its point."""


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    flagged: bool
    tooltip: str


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    text: str


@dataclass(frozen=True)
class TrendPlot:
    title: str
    metric: str
    line: tuple[tuple[float, float], ...]
    band: tuple[tuple[float, float], ...]
    """The band's outline: along the highs left to right, back along the lows."""
    markers: tuple[Marker, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[AxisLabel, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    label_y: int = HEIGHT - BOTTOM + 16


def trend_plot(series: TrendSeries, asset: str) -> TrendPlot:
    points = series.points
    values = [p.value for p in points]
    values += [v for p in points for v in (p.low, p.high) if v is not None]
    low, high = min(values), max(values)
    if high - low < 1e-12:  # a flat line: give it a readable range around its value
        spread = FLAT_SPREAD.get(series.unit, 1.0)
        low, high = max(low - spread, 0.0) if low >= 0 else low - spread, high + spread
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    slot = PLOT_WIDTH / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return LEFT + (slot * index if len(points) > 1 else PLOT_WIDTH / 2)

    def y(value: float) -> float:
        return TOP + PLOT_HEIGHT * (1 - (value - low) / (high - low))

    line = tuple((x(i), y(p.value)) for i, p in enumerate(points))
    banded = [(i, p) for i, p in enumerate(points) if p.low is not None and p.high is not None]
    if len(banded) == 1:
        (i, p), w = banded[0], BAND_HALF_WIDTH
        top, bottom = y(p.high), y(p.low)  # type: ignore[arg-type]
        band = ((x(i) - w, top), (x(i) + w, top), (x(i) + w, bottom), (x(i) - w, bottom))
    else:
        band = tuple(
            [(x(i), y(p.high)) for i, p in banded]  # type: ignore[arg-type]
            + [(x(i), y(p.low)) for i, p in reversed(banded)]  # type: ignore[arg-type]
        )
    step = max(1, -(-len(points) // MAX_X_LABELS))
    one_day = len({p.at[:10] for p in points}) == 1
    label = (lambda at: at[11:16]) if one_day else (lambda at: at[:10])
    return TrendPlot(
        title=f"{series.name} of {asset}",
        metric=series.metric if series.column is None else f"{series.metric}:{series.column}",
        line=line,
        band=band,
        markers=tuple(
            Marker(x(i), y(p.value), p.flagged, _tooltip(series, p)) for i, p in enumerate(points)
        ),
        ticks=(
            Tick(y(high - pad), shown(series.unit, high - pad)),
            Tick(y(low + pad), shown(series.unit, low + pad)),
        ),
        labels=tuple(AxisLabel(x(i), label(p.at)) for i, p in enumerate(points) if i % step == 0),
    )


def shown(unit: str, value: float) -> str:
    if unit == "share":
        return f"{value * 100:.2f}%"
    if unit == "seconds":
        if value < 10:
            return f"{value:.3f} s"
        return f"{value:,.1f} s" if value < 600 else f"{value / 3600:,.1f} h"
    return f"{value:,.0f}"


def _tooltip(series: TrendSeries, point: TrendPoint) -> str:
    text = f"{point.at} run {point.run_id[:8]}: {series.name} {shown(series.unit, point.value)}"
    if point.low is not None and point.high is not None:
        band = f"{shown(series.unit, point.low)} to {shown(series.unit, point.high)}"
        text += f", expected {band}"
    return text + (" (flagged)" if point.flagged else "")
