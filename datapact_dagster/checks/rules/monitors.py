"""Anomaly monitors: a table's row count or delta, a column's null rate, the freshness lag, each
judged against the table's own history of accepted runs (monitoring/anomaly.py)."""

from __future__ import annotations

from collections.abc import Callable

from datapact_dagster.checks.rules.kind import Draft, Engine, RuleKind, RuleSource, Source
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.contract.model import AnomalyMonitor
from datapact_dagster.contract.odcs_quality import Level

METRIC_WORDS = {
    "row_count": "row count",
    "row_delta": "row count change",
    "null_rate": "null rate",
    "freshness_lag": "freshness lag",
}
DIRECTION_WORDS = {"drop": "unusual drop", "spike": "unusual spike", "both": "unusual change"}


def _params(monitor: AnomalyMonitor) -> dict[str, object]:
    return {
        "metric": monitor.metric,
        "direction": monitor.direction,
        "history": monitor.history,
        "min_history": monitor.min_history,
        "sensitivity": monitor.sensitivity,
        "seasonality": monitor.seasonality,
    }


def _compiler(metrics: frozenset[str], rule: str) -> Callable[[RuleSource], list[Draft]]:
    def compile_monitors(source: RuleSource) -> list[Draft]:
        drafts = []
        for monitor in source.table.monitors:
            if monitor.metric not in metrics:
                continue
            what = METRIC_WORDS[monitor.metric]
            of = f" of {monitor.column}" if monitor.column else ""
            change = DIRECTION_WORDS[monitor.direction]
            drafts.append(
                Draft(
                    rule,
                    f"no {change} in the {what}{of} against the last {monitor.history} "
                    "accepted runs",
                    monitor.doc_path,
                    column=monitor.column,
                    severity=monitor.severity,
                    params=_params(monitor),
                )
            )
        return drafts

    return compile_monitors


def _band(spec: CheckSpec) -> str:
    k = spec.params["sensitivity"]
    return f"within median ± {k:g}·MAD of the last {spec.params['history']} accepted runs"


def _needs_nothing(spec: CheckSpec) -> list[str]:
    return []


def _column_only(spec: CheckSpec) -> list[str]:
    return [spec.column] if spec.column else []


VOLUME = RuleKind(
    kind=CheckKind.volume_anomaly,
    odcs_source="schema[].customProperties: volumeAnomaly",
    levels=frozenset({Level.table}),
    source=Source.monitors,
    compile=_compiler(frozenset({"row_count", "row_delta"}), "volume_anomaly"),
    engine=Engine.history,
    threshold=_band,
    required_columns=_needs_nothing,
)
NULL_RATE = RuleKind(
    kind=CheckKind.null_rate_anomaly,
    odcs_source="schema[].properties[].customProperties: nullRateAnomaly",
    levels=frozenset({Level.column}),
    source=Source.monitors,
    compile=_compiler(frozenset({"null_rate"}), "null_rate_anomaly"),
    engine=Engine.history,
    threshold=_band,
    required_columns=_column_only,
)
FRESHNESS_LAG = RuleKind(
    kind=CheckKind.freshness_anomaly,
    odcs_source="schema[].customProperties: freshnessAnomaly (with a freshness SLA)",
    levels=frozenset({Level.table}),
    source=Source.monitors,
    compile=_compiler(frozenset({"freshness_lag"}), "freshness_anomaly"),
    engine=Engine.history,
    threshold=_band,
    required_columns=_needs_nothing,
)
KINDS = (VOLUME, NULL_RATE, FRESHNESS_LAG)
