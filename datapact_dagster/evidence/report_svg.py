"""A dependency-free inline SVG chart of pass rate over time (bars plus a line)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .report_model import SeriesPoint

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 48
MAX_X_LABELS = 12
LABEL_CHARS = 14


def rate_colour(rate: float | None) -> str:
    if rate is None:
        return "#9e9e9e"
    if rate >= 1.0:
        return "#2e7d32"
    return "#f9a825" if rate >= 0.95 else "#c62828"


def pass_rate_svg(series: Sequence[SeriesPoint], title: str) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="pass-rate-plot" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for percent in (0, 25, 50, 75, 100):
        y = TOP + plot_h * (1 - percent / 100)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e0e0e0"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end" font-size="11" fill="#555">{percent}%</text>'
        )
    if not series:
        parts.append(
            f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" text-anchor="middle"'
            ' font-size="13" fill="#555">no evaluations</text></svg>'
        )
        return "".join(parts)
    slot = plot_w / len(series)
    label_step = max(1, -(-len(series) // MAX_X_LABELS))
    line_points: list[str] = []
    for index, point in enumerate(series):
        rate = point.counts.pass_rate
        centre = LEFT + slot * (index + 0.5)
        bar_h = plot_h * (rate if rate is not None else 0)
        counts = point.counts
        tooltip = (
            f"{point.label}: {_percent(rate)} pass ({counts.passed} pass, "
            f"{counts.failed} fail, {counts.errored} error, {counts.skipped} skipped)"
        )
        parts.append(
            f'<rect class="bar" x="{centre - slot * 0.3:.1f}" '
            f'y="{TOP + plot_h - bar_h:.1f}" width="{slot * 0.6:.1f}" '
            f'height="{max(bar_h, 1):.1f}" fill="{rate_colour(rate)}" opacity="0.75">'
            f"<title>{escape(tooltip)}</title></rect>"
        )
        if rate is not None:
            line_points.append(f"{centre:.1f},{TOP + plot_h - bar_h:.1f}")
        if index % label_step == 0:
            label = (
                point.label
                if len(point.label) <= LABEL_CHARS
                else point.label[: LABEL_CHARS - 1] + "…"
            )
            parts.append(
                f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle" font-size="10" fill="#555">{escape(label)}'
                "</text>"
            )
    if len(line_points) > 1:
        parts.append(
            f'<polyline class="trend" fill="none" stroke="#1a237e" stroke-width="2" '
            f'points="{" ".join(line_points)}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"
