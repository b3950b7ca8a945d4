"""Anomaly monitors judged from this run's metrics against the table's accepted history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.rules.monitors import METRIC_WORDS
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.monitoring.band import Judgement, Point, Rule, judge
from datapact_dagster.monitoring.model import TableMetrics

ABSOLUTE_FLOOR = {"row_count": 1.0, "row_delta": 1.0, "null_rate": 0.001, "freshness_lag": 60.0}
"""The band's least half-width per metric: one row, 0.1 percentage point, one minute."""
RELATIVE_FLOOR = 0.01
"""...or 1% of the baseline's median, whichever is larger."""
SHOWN_HISTORY = 60
"""At most this many baseline points are kept in a result's observed value."""


def rule_of(spec: CheckSpec, floor_of: float) -> Rule:
    p = spec.params
    metric = p["metric"]
    return Rule(
        history=int(p["history"]),
        min_history=int(p["min_history"]),
        sensitivity=float(p["sensitivity"]),
        direction=str(p["direction"]),
        seasonality=str(p["seasonality"]),
        floor=max(ABSOLUTE_FLOOR[metric], RELATIVE_FLOOR * abs(floor_of)),
    )


def baseline_points(
    spec: CheckSpec, current: TableMetrics, history: Sequence[TableMetrics]
) -> list[Point]:
    """The spec's metric in earlier accepted runs of the same kind (builds judge builds,
    check-only runs judge check-only runs)."""
    points = []
    for past in history:
        if not past.accepted or past.run_kind != current.run_kind:
            continue
        if past.run_id == current.run_id:
            continue
        value = past.value(spec.params["metric"], spec.column)
        if value is not None:
            points.append(Point(past.recorded_at, value))
    return points


def judge_monitors(
    specs: Sequence[CheckSpec], current: TableMetrics, history: Sequence[TableMetrics]
) -> list[CheckResult]:
    return [judge_monitor(spec, current, history) for spec in specs]


def judge_monitor(
    spec: CheckSpec, current: TableMetrics, history: Sequence[TableMetrics]
) -> CheckResult:
    metric = spec.params["metric"]
    observed = current.value(metric, spec.column)
    what = METRIC_WORDS[metric] + (f" of {spec.column}" if spec.column else "")
    if observed is None:
        reason = (
            "no freshness lag was measured (see the freshness check)"
            if metric == "freshness_lag"
            else f"no {what} was measured"
        )
        if metric == "row_delta":
            reason = "no earlier run to measure the row count change against"
        return CheckResult(spec=spec, passed=True, summary=f"learning: {reason}", observed=None)
    points = baseline_points(spec, current, history)
    rough = sorted(p.value for p in points)
    centre = rough[len(rough) // 2] if rough else observed
    verdict = judge(observed, points, current.recorded_at, rule_of(spec, centre))
    return CheckResult(
        spec=spec,
        passed=verdict.status != "anomaly",
        summary=_summary(spec, what, verdict),
        observed={"metric": metric, "column": spec.column, **_observed(verdict)},
        element_count=current.row_count,
        threshold=_threshold(spec, verdict),
    )


def shown(metric: str, value: float) -> str:
    if metric == "null_rate":
        return f"{value * 100:.2f}%"
    if metric == "freshness_lag":
        return _duration(value)
    return f"{round(value):,}"


def _summary(spec: CheckSpec, what: str, j: Judgement) -> str:
    metric = spec.params["metric"]
    value = shown(metric, j.observed)
    if j.status == "learning":
        return (
            f"learning: {len(j.baseline)} of {j.needed} accepted runs before judging "
            f"({what} {value})"
        )
    assert j.low is not None and j.high is not None and j.median is not None
    band = f"{shown(metric, j.low)} to {shown(metric, j.high)}"
    basis = f"median {shown(metric, j.median)} of the last {len(j.baseline)} accepted runs"
    if spec.params["seasonality"] == "weekday":
        basis += f" on a {j.baseline[0].at.strftime('%A')}"
    if j.status == "anomaly":
        where = "below" if j.side == "drop" else "above"
        return f"{what} {value} is {where} the expected {band} ({basis}): an unusual {j.side}"
    return f"{what} {value} is within the expected {band} ({basis})"


def _threshold(spec: CheckSpec, j: Judgement) -> str:
    if j.low is None or j.high is None:
        return f"learning ({len(j.baseline)} of {j.needed} runs)"
    metric = spec.params["metric"]
    allowed = {"drop": f">= {shown(metric, j.low)}", "spike": f"<= {shown(metric, j.high)}"}
    return allowed.get(
        spec.params["direction"], f"{shown(metric, j.low)} to {shown(metric, j.high)}"
    )


def _observed(j: Judgement) -> dict[str, Any]:
    return {
        "value": j.observed,
        "status": j.status,
        "band": None if j.low is None else {"low": j.low, "high": j.high, "median": j.median},
        "history_used": len(j.baseline),
        "min_history": j.needed,
        "history": [{"at": p.at.isoformat(), "value": p.value} for p in j.baseline[:SHOWN_HISTORY]],
    }


def _duration(seconds: float) -> str:
    whole = round(seconds)
    sign, whole = ("-" if whole < 0 else ""), abs(whole)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + (" ".join(parts[:2]) or "0s")
