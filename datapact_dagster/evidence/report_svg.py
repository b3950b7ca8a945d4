"""Geometry of the inline SVG pass-rate chart (bars plus a line); templates draw it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .report_model import SeriesPoint

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 48
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
GRID_PERCENTS = (0, 25, 50, 75, 100)
MAX_X_LABELS = 12
LABEL_CHARS = 14


@dataclass(frozen=True)
class GridLine:
    y: float
    percent: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    tooltip: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    text: str


@dataclass(frozen=True)
class PassRatePlot:
    """Everything the chart shows, in SVG user units; text is left for the template to escape."""

    title: str
    grid: tuple[GridLine, ...]
    bars: tuple[Bar, ...]
    labels: tuple[AxisLabel, ...]
    trend: tuple[tuple[float, float], ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    centre: tuple[float, float] = (LEFT + PLOT_WIDTH / 2, TOP + PLOT_HEIGHT / 2)
    label_y: int = HEIGHT - BOTTOM + 16


def rate_colour(rate: float | None) -> str:
    if rate is None:
        return "#9e9e9e"
    if rate >= 1.0:
        return "#2e7d32"
    return "#f9a825" if rate >= 0.95 else "#c62828"


def pass_rate_plot(series: Sequence[SeriesPoint], title: str) -> PassRatePlot:
    grid = tuple(GridLine(TOP + PLOT_HEIGHT * (1 - p / 100), p) for p in GRID_PERCENTS)
    slot = PLOT_WIDTH / len(series) if series else 0.0
    label_step = max(1, -(-len(series) // MAX_X_LABELS))
    bars: list[Bar] = []
    labels: list[AxisLabel] = []
    trend: list[tuple[float, float]] = []
    for index, point in enumerate(series):
        rate = point.counts.pass_rate
        centre = LEFT + slot * (index + 0.5)
        bar_h = PLOT_HEIGHT * (rate if rate is not None else 0)
        top = TOP + PLOT_HEIGHT - bar_h
        bars.append(
            Bar(
                x=centre - slot * 0.3,
                y=top,
                width=slot * 0.6,
                height=max(bar_h, 1),
                colour=rate_colour(rate),
                tooltip=_tooltip(point),
            )
        )
        if rate is not None:
            trend.append((centre, top))
        if index % label_step == 0:
            labels.append(AxisLabel(centre, _shortened(point.label)))
    return PassRatePlot(
        title=title,
        grid=grid,
        bars=tuple(bars),
        labels=tuple(labels),
        trend=tuple(trend) if len(trend) > 1 else (),
    )


def _tooltip(point: SeriesPoint) -> str:
    counts = point.counts
    return (
        f"{point.label}: {_percent(counts.pass_rate)} pass ({counts.passed} pass, "
        f"{counts.failed} fail, {counts.errored} error, {counts.skipped} skipped)"
    )


def _shortened(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"
