"""Anomaly monitors from `customProperties` (volumeAnomaly, freshnessAnomaly, nullRateAnomaly),
each option validated with a finding located at the value that is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datapact_dagster.contract.findings import DocPath, FindingCollector, format_doc_path
from datapact_dagster.contract.model import AnomalyMonitor, Table

TABLE_MONITORS = {"volumeAnomaly": "row_count", "freshnessAnomaly": "freshness_lag"}
COLUMN_MONITOR = "nullRateAnomaly"
VOLUME_METRICS = {"rowCount": "row_count", "rowDelta": "row_delta"}
DIRECTIONS = ("drop", "spike", "both")
SEVERITIES = ("error", "warning", "info")
SEASONALITIES = ("none", "weekday")
MIN_BASELINE = 3
MAX_HISTORY = 365
_OPTIONS = ("direction", "severity", "history", "minHistory", "sensitivity", "seasonality")


def read_table_monitors(
    obj: dict[str, Any], path: DocPath, out: FindingCollector
) -> tuple[list[AnomalyMonitor], bool]:
    """The table's own monitors and its columns' null-rate monitors, and whether all are valid."""
    monitors: list[AnomalyMonitor] = []
    ok = True
    for index, key, value in _items(obj.get("customProperties"), set(TABLE_MONITORS)):
        value_path = (*path, "customProperties", index, "value")
        monitor = _read(value, value_path, TABLE_MONITORS[key], None, key == "volumeAnomaly", out)
        ok &= monitor is not None
        monitors += [monitor] if monitor else []
    for col_index, prop in enumerate(obj.get("properties") or []):
        for index, _, value in _items(prop.get("customProperties"), {COLUMN_MONITOR}):
            value_path = (*path, "properties", col_index, "customProperties", index, "value")
            monitor = _read(value, value_path, "null_rate", str(prop.get("name")), False, out)
            ok &= monitor is not None
            monitors += [monitor] if monitor else []
    return monitors, ok


def check_freshness_monitors(tables: Sequence[Table], out: FindingCollector) -> None:
    """A freshness-lag monitor needs the table's freshness SLA (the lag is now - its column)."""
    for table in tables:
        for monitor in table.monitors:
            if monitor.metric == "freshness_lag" and table.freshness is None:
                out.add(
                    monitor.location,
                    f"freshnessAnomaly on {table.name} needs a freshness SLA: the lag is measured "
                    "on its column",
                    "add slaProperties: [{property: latency, value: 2, unit: d, element: "
                    f"{table.name}.<timestamp column>}}], or remove freshnessAnomaly",
                    code="anomaly-option",
                )


def _items(items: Any, keys: set[str]) -> list[tuple[int, str, Any]]:
    if not isinstance(items, list):
        return []
    return [
        (index, item["property"], item.get("value"))
        for index, item in enumerate(items)
        if isinstance(item, dict) and item.get("property") in keys
    ]


def _read(
    value: Any,
    path: DocPath,
    metric: str,
    column: str | None,
    volume: bool,
    out: FindingCollector,
) -> AnomalyMonitor | None:
    if value is True:
        value = {}
    allowed = (*_OPTIONS, "metric") if volume else _OPTIONS
    if not isinstance(value, dict):
        out.add(
            path,
            f"{value!r} is not an anomaly monitor",
            f"write true (the defaults) or a mapping with any of {', '.join(allowed)}",
            code="anomaly-option",
        )
        return None
    problems = len(out.findings)
    for key in value:
        if key not in allowed:
            out.add(
                (*path, key),
                f"'{key}' is not an anomaly monitor option",
                f"use any of {', '.join(allowed)}",
                code="anomaly-option",
            )
    fields: dict[str, Any] = {"metric": metric, "column": column}
    if "metric" in value and volume:
        fields["metric"] = _choice(value, "metric", tuple(VOLUME_METRICS), path, out)
        fields["metric"] = VOLUME_METRICS.get(str(fields["metric"]), metric)
    for option, choices in (
        ("direction", DIRECTIONS),
        ("severity", SEVERITIES),
        ("seasonality", SEASONALITIES),
    ):
        if option in value:
            fields[option] = _choice(value, option, choices, path, out)
    history = value.get("history", 14)
    if not _whole(history, MIN_BASELINE, MAX_HISTORY):
        out.add(
            (*path, "history"),
            f"history {history!r} is not a whole number from {MIN_BASELINE} to {MAX_HISTORY}",
            "give how many of the last accepted runs make the baseline, e.g. 14",
            code="anomaly-option",
        )
    minimum = value.get("minHistory", min(5, history) if isinstance(history, int) else 5)
    if not _whole(minimum, MIN_BASELINE, history if _whole(history, 1, MAX_HISTORY) else 365):
        out.add(
            (*path, "minHistory"),
            f"minHistory {minimum!r} is not a whole number from {MIN_BASELINE} to history "
            f"({history})",
            "give how many accepted runs the monitor needs before it judges, e.g. 5",
            code="anomaly-option",
        )
    sensitivity = value.get("sensitivity", 3.0)
    if (
        isinstance(sensitivity, bool)
        or not isinstance(sensitivity, int | float)
        or sensitivity <= 0
    ):
        out.add(
            (*path, "sensitivity"),
            f"sensitivity {sensitivity!r} is not a positive number",
            "give k in median ± k·MAD, e.g. 3 (larger flags less)",
            code="anomaly-option",
        )
    if len(out.findings) > problems:
        return None
    return AnomalyMonitor(
        **fields,
        history=history,
        min_history=minimum,
        sensitivity=float(sensitivity),
        doc_path=format_doc_path(path),
        location=path,
    )


def _choice(
    value: dict[str, Any],
    option: str,
    choices: tuple[str, ...],
    path: DocPath,
    out: FindingCollector,
) -> str:
    chosen = value[option]
    if chosen not in choices:
        out.add(
            (*path, option),
            f"{option} {chosen!r} is not one of {', '.join(choices)}",
            f"use one of {', '.join(choices)}",
            code="anomaly-option",
        )
    return str(chosen)


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
