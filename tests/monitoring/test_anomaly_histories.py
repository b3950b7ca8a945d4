"""Deterministic histories: a drop, a spike, a late load and a slow null-rate creep are each
caught by exactly their monitor; a normal weekly pattern is not, with weekday seasonality."""

from __future__ import annotations

from dataclasses import replace

from tests.monitoring.synthetic import Day, monitor_specs, monitored_table, run_days, steady

VOLUME = "signups__table__volume_anomaly"
NULLS = "signups__email__null_rate_anomaly"
LAG = "signups__table__freshness_anomaly"


def test_the_monitors_compile_to_one_check_each_with_their_severity() -> None:
    specs = monitor_specs(monitored_table())

    assert {s.key: s.severity for s in specs} == {
        VOLUME: "error",
        NULLS: "warning",
        LAG: "warning",
    }


def test_an_ordinary_history_flags_nothing() -> None:
    failing = run_days(monitor_specs(monitored_table()), steady(30))

    assert failing == [set()] * 30


def test_a_volume_drop_fails_only_the_volume_monitor() -> None:
    days = steady(20)
    days[-1] = replace(days[-1], rows=4_000)

    failing = run_days(monitor_specs(monitored_table()), days)

    assert failing[-1] == {VOLUME}
    assert all(not f for f in failing[:-1])


def test_a_volume_spike_fails_only_the_volume_monitor() -> None:
    days = steady(20)
    days[-1] = replace(days[-1], rows=25_000)

    assert run_days(monitor_specs(monitored_table()), days)[-1] == {VOLUME}


def test_a_late_load_fails_only_the_freshness_monitor() -> None:
    days = steady(20)
    days[-1] = replace(days[-1], lag_seconds=6 * 3_600)

    assert run_days(monitor_specs(monitored_table()), days)[-1] == {LAG}


def test_a_slow_null_rate_creep_is_caught_by_the_null_rate_monitor_alone() -> None:
    days = steady(20)
    # +0.3 percentage point a day: each day within a day's noise of the day before
    days += [replace(d, email_null_rate=0.02 + 0.003 * (i + 1)) for i, d in enumerate(steady(8))]

    failing = run_days(monitor_specs(monitored_table()), days)

    caught = [i for i, f in enumerate(failing) if f]
    assert caught and caught[0] >= 20, "nothing is flagged before the creep starts"
    assert all(f == {NULLS} for f in failing if f)


def test_a_blocking_drop_stays_out_of_the_baseline_so_the_next_drop_is_caught_too() -> None:
    days = steady(20)
    days[-2:] = [replace(d, rows=3_000) for d in days[-2:]]

    failing = run_days(monitor_specs(monitored_table()), days)

    assert failing[-2:] == [{VOLUME}, {VOLUME}]


def test_a_weekly_pattern_is_normal_with_weekday_seasonality_and_flagged_without() -> None:
    weekend = {5, 6}
    days = [
        replace(d, rows=int(d.rows * (0.6 if i % 7 in weekend else 1.0)))
        for i, d in enumerate(steady(56))
    ]

    seasonal = run_days(monitor_specs(monitored_table("weekday")), days)
    flat = run_days(monitor_specs(monitored_table("none")), days)

    assert seasonal == [set()] * 56
    assert any(VOLUME in f for f in flat), "without seasonality the weekends look like drops"


def test_below_the_minimum_history_a_drop_passes_while_learning() -> None:
    specs = monitor_specs(monitored_table())
    days = [*steady(3), Day(rows=10, email_null_rate=0.9, lag_seconds=99_999)]

    assert run_days(specs, days) == [set()] * 4
