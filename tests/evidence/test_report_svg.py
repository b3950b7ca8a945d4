"""Geometry of the pass-rate chart: one bar per point, a trend only through rated points."""

from __future__ import annotations

from datapact_dagster.evidence.report_model import SeriesPoint, VerdictCounts
from datapact_dagster.evidence.report_svg import (
    HEIGHT,
    LABEL_CHARS,
    MAX_X_LABELS,
    TOP,
    pass_rate_plot,
    rate_colour,
)


def point(label: str, passed: int, failed: int) -> SeriesPoint:
    return SeriesPoint(label=label, start=label, counts=VerdictCounts(passed, failed))


def test_bars_follow_the_pass_rate() -> None:
    plot = pass_rate_plot([point("d1", 2, 0), point("d2", 1, 1), point("d3", 0, 0)], "t")
    full, half, empty = plot.bars
    assert full.y == TOP and full.colour == rate_colour(1.0) == "#2e7d32"
    assert half.height == (full.height / 2) and half.colour == "#c62828"
    assert empty.height == 1 and empty.colour == "#9e9e9e"
    assert empty.tooltip == "d3: n/a pass (0 pass, 0 fail, 0 error, 0 skipped)"
    assert [x for x, _ in plot.trend] == [full.x + full.width / 2, half.x + half.width / 2]
    assert [g.percent for g in plot.grid] == [0, 25, 50, 75, 100]
    assert plot.grid[-1].y == TOP


def test_a_single_rated_point_draws_no_trend_and_an_empty_series_no_bars() -> None:
    assert pass_rate_plot([point("d1", 1, 0)], "t").trend == ()
    empty = pass_rate_plot([], "t")
    assert (empty.bars, empty.labels, empty.trend) == ((), (), ())
    assert 0 < empty.centre[1] < HEIGHT


def test_long_series_thin_out_and_shorten_their_labels() -> None:
    series = [point(f"run-{i:02d}-with-a-long-name", 1, 0) for i in range(30)]
    plot = pass_rate_plot(series, "t")
    assert len(plot.bars) == 30
    assert len(plot.labels) <= MAX_X_LABELS
    assert all(len(label.text) == LABEL_CHARS for label in plot.labels)
    assert plot.labels[0].text.endswith("…")
