"""The robust band: median ± k·MAD of the baseline, a minimum history, direction, weekdays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from datapact_dagster.monitoring.band import Point, Rule, baseline, judge

MONDAY = datetime(2026, 11, 2, 6, tzinfo=UTC)


def daily(values: list[float], end: datetime = MONDAY) -> list[Point]:
    """One point a day, the last one the day before `end`."""
    start = end - timedelta(days=len(values))
    return [Point(start + timedelta(days=i), v) for i, v in enumerate(values)]


def test_below_the_minimum_history_it_learns_and_never_flags() -> None:
    history = daily([100, 101, 99])

    verdict = judge(1, history, MONDAY, Rule(min_history=5))

    assert verdict.status == "learning"
    assert (len(verdict.baseline), verdict.needed) == (3, 5)
    assert verdict.low is None and verdict.high is None


def test_the_band_is_median_plus_minus_k_scaled_mad() -> None:
    history = daily([100, 102, 98, 101, 99, 100, 103])  # median 100, MAD 1

    verdict = judge(100, history, MONDAY, Rule(sensitivity=3))

    assert verdict.median == 100
    assert verdict.low is not None and verdict.high is not None
    assert round(verdict.high - 100, 4) == round(3 * 1.4826, 4)
    assert round(100 - verdict.low, 4) == round(3 * 1.4826, 4)
    assert judge(106, history, MONDAY, Rule()).status == "anomaly"
    assert judge(104, history, MONDAY, Rule()).status == "normal"


def test_direction_drop_ignores_a_spike_and_spike_ignores_a_drop() -> None:
    history = daily([100, 102, 98, 101, 99, 100, 103])

    assert judge(10, history, MONDAY, Rule(direction="drop")).side == "drop"
    assert judge(10, history, MONDAY, Rule(direction="drop")).status == "anomaly"
    assert judge(500, history, MONDAY, Rule(direction="drop")).status == "normal"
    assert judge(500, history, MONDAY, Rule(direction="spike")).status == "anomaly"
    assert judge(10, history, MONDAY, Rule(direction="spike")).status == "normal"
    assert judge(10, history, MONDAY, Rule(direction="both")).status == "anomaly"


def test_a_flat_history_uses_the_floor_instead_of_a_zero_width_band() -> None:
    history = daily([1000] * 7)

    assert judge(1005, history, MONDAY, Rule(floor=10)).status == "normal"
    assert judge(1011, history, MONDAY, Rule(floor=10)).status == "anomaly"


def test_only_the_newest_history_runs_make_the_baseline() -> None:
    history = daily([5000] * 10 + [100] * 5)

    used = baseline(history, MONDAY, Rule(history=5))

    assert [p.value for p in used] == [100] * 5
    assert judge(100, history, MONDAY, Rule(history=5, floor=1)).status == "normal"


def test_weekday_seasonality_compares_a_day_with_the_same_weekday() -> None:
    # four weeks of weekdays at 1000 and weekends at 400; the judged day is a Sunday
    week = [1000, 1000, 1000, 1000, 1000, 400, 400]  # Monday .. Sunday
    history = daily(week * 4)
    sunday = MONDAY + timedelta(days=6)
    history += [Point(MONDAY + timedelta(days=i), v) for i, v in enumerate(week[:6])]

    seasonal = judge(400, history, sunday, Rule(min_history=3, seasonality="weekday", floor=1))
    flat = judge(400, history, sunday, Rule(min_history=3, floor=1))

    assert seasonal.status == "normal"
    assert {p.at.weekday() for p in seasonal.baseline} == {6}
    assert flat.status == "anomaly"
